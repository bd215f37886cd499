# The fno_pipeline job end to end at 2 ranks on a tiny version of cases/fno_small.yaml:
# data, training, rollout and comparison in one `flowcast run`, then the plot of the report.
set(FC_PIPE_DIR ${CMAKE_CURRENT_BINARY_DIR}/pipeline_out)
add_test(NAME pipeline_fno_small_np2
         COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} 2 ${FC_TEST_MPIEXEC_FLAGS} $<TARGET_FILE:flowcast_exe> run
                 ${CMAKE_SOURCE_DIR}/cases/fno_small.yaml -pipeline_dir ${FC_PIPE_DIR} -ns2d_n 32 -ns2d_n_out 16
                 -ns2d_samples 6 -ns2d_t_end 6 -data_window 3 -data_val_fraction 0.34 -model_width 8 -model_modes 4
                 -model_layers 2 -model_proj 16 -train_epochs 2 -train_batch 4 -rollout_steps 3)
set_tests_properties(pipeline_fno_small_np2 PROPERTIES ENVIRONMENT "${FC_TEST_ENV}" PROCESSORS 2 LABELS "unit;np2" TIMEOUT 300
                     FIXTURES_SETUP pipeline
                     PASS_REGULAR_EXPRESSION "1/4 data.*2/4 train.*epoch 2/2.*3/4 rollout.*4/4 compare.*mean relative L2 error over the 3 predicted.*pipeline done")
add_test(NAME pipeline_plot COMMAND ${FC_SYSTEM_PYTHON} ${CMAKE_SOURCE_DIR}/tools/plot_compare.py ${FC_PIPE_DIR}/compare.h5
                                    -o ${FC_PIPE_DIR}/compare.png)
set_tests_properties(pipeline_plot PROPERTIES FIXTURES_REQUIRED pipeline LABELS unit TIMEOUT 60
                     PASS_REGULAR_EXPRESSION "wrote .*compare.png")
add_test(NAME pipeline_plot_fields COMMAND ${FC_SYSTEM_PYTHON} ${CMAKE_SOURCE_DIR}/tools/plot_fields.py ${FC_PIPE_DIR}/rollout.h5
                                           ${FC_PIPE_DIR}/data/traj_00005.h5 -o ${FC_PIPE_DIR}/fields.png)
set_tests_properties(pipeline_plot_fields PROPERTIES FIXTURES_REQUIRED pipeline LABELS unit TIMEOUT 60
                     PASS_REGULAR_EXPRESSION "wrote .*fields.png")

# flowcast train / rollout of IFactFormer-m and -o (model_type ifactformer_m / ifactformer_o) on the
# filtered 3D, 3-component trajectories of tests/filter.cmake (fixture filter_runs):
#   - IFactFormer-m at 1 and 2 ranks (data-parallel): the same weights to float32 round-off;
#   - pe.B (frozen) is not decayed by AdamW;
#   - IFactFormer-o (physical coordinates) uninterrupted, and stopped after 2 steps (mid-epoch) then
#     resumed: identical weights; the checkpoint records the coordinates (flowcast info);
#   - rollouts of both checkpoints on 1, 2 and 4 ranks (x slabs): the same trajectory to 1e-5; the
#     output records the wall time per unit of simulated time;
#   - the best checkpoint by validation loss is kept beside the last one and matches the log;
#   - train -help lists the new keys; an unknown model_type and a window other than 1 fail.
set(FC_IFT_DATA ${CMAKE_CURRENT_BINARY_DIR}/filter_box_np2)
set(FC_IFT_OUT ${CMAKE_CURRENT_BINARY_DIR}/ifactformer_train_out)
set(FC_IFT_ARGS train ${CMAKE_CURRENT_SOURCE_DIR}/ifactformer_train_small.yaml -data_dir ${FC_IFT_DATA})
set(FC_IFT_DONE [=[^epoch 2/2 .*]=])
set(FC_CLI_FIXTURES filter_inputs filter_runs)

add_test(NAME ifactformer_train_clean COMMAND ${CMAKE_COMMAND} -E rm -rf ${FC_IFT_OUT})
set_tests_properties(ifactformer_train_clean PROPERTIES LABELS unit TIMEOUT 30 FIXTURES_SETUP ifactformer_train_clean)

foreach(np 1 2)
  fc_cli_test(ifactformer_train_m_np${np} ok [=[^wrote .*ift_m_np]=] NP ${np} REQUIRES ifactformer_train_clean
                SETUP ift_m
                ALSO [=[^flowcast train: ifactformer_m, .* 3 training / 3 validation samples, batch 2 on]=] "${FC_IFT_DONE}"
                ARGS ${FC_IFT_ARGS} -output_checkpoint ${FC_IFT_OUT}/ift_m_np${np}.h5)
endforeach()
add_test(NAME ifactformer_train_data_parallel_same_weights
         COMMAND ${FC_H5DIFF} --report --delta=1e-5 ${FC_IFT_OUT}/ift_m_np1.h5 ${FC_IFT_OUT}/ift_m_np2.h5 /params /params)
set_tests_properties(ifactformer_train_data_parallel_same_weights PROPERTIES FIXTURES_REQUIRED ift_m LABELS unit
                                                                             TIMEOUT 60)

# pe.B is frozen: AdamW's decoupled weight decay must leave it alone (the same with another decay)
fc_cli_test(ifactformer_train_m_decay ok [=[^wrote .*ift_m_decay\.h5]=] NP 1 REQUIRES ifactformer_train_clean
              SETUP ift_m_decay
              ARGS ${FC_IFT_ARGS} -train_weight_decay 0.5 -output_checkpoint ${FC_IFT_OUT}/ift_m_decay.h5)
add_test(NAME ifactformer_train_frozen_pe
         COMMAND ${FC_H5DIFF} --report ${FC_IFT_OUT}/ift_m_np1.h5 ${FC_IFT_OUT}/ift_m_decay.h5 /params/pe.B /params/pe.B)
set_tests_properties(ifactformer_train_frozen_pe PROPERTIES FIXTURES_REQUIRED "ift_m;ift_m_decay" LABELS unit
                                                              TIMEOUT 60)

set(FC_IFT_O -model_type ifactformer_o -model_coords physical -train_batch 1)
fc_cli_test(ifactformer_train_o_full ok [=[^wrote .*ift_o_full\.h5]=] NP 1 REQUIRES ifactformer_train_clean SETUP ift_o
              ALSO [=[^flowcast train: ifactformer_o, .* batch 1 on 1 rank]=] "${FC_IFT_DONE}"
              ARGS ${FC_IFT_ARGS} ${FC_IFT_O} -output_checkpoint ${FC_IFT_OUT}/ift_o_full.h5)
fc_cli_test(ifactformer_train_o_part ok [=[^stopped after 2 steps]=] NP 1 REQUIRES ifactformer_train_clean
              SETUP ift_o_part
              ARGS ${FC_IFT_ARGS} ${FC_IFT_O} -output_checkpoint ${FC_IFT_OUT}/ift_o_part.h5 -train_stop_after 2)
fc_cli_test(ifactformer_train_o_resume ok [=[^wrote .*ift_o_part\.h5]=] NP 1 REQUIRES ifactformer_train_clean ift_o_part
              SETUP ift_o
              ALSO [=[^resuming from .*ift_o_part\.h5: step 2, epoch 1, batch 2]=] "${FC_IFT_DONE}"
              ARGS ${FC_IFT_ARGS} ${FC_IFT_O} -output_checkpoint ${FC_IFT_OUT}/ift_o_part.h5 -train_resume true)
add_test(NAME ifactformer_train_resume_same_weights
         COMMAND ${FC_H5DIFF} --report ${FC_IFT_OUT}/ift_o_full.h5 ${FC_IFT_OUT}/ift_o_part.h5 /params /params)
set_tests_properties(ifactformer_train_resume_same_weights PROPERTIES FIXTURES_REQUIRED ift_o LABELS unit TIMEOUT 60)
fc_cli_test(ifactformer_train_coords_recorded ok [=[@coords = "physical"]=] ALSO [=[model 'ifactformer_o']=]
              ARGS info ${FC_IFT_OUT}/ift_o_full.h5)
set_tests_properties(ifactformer_train_coords_recorded PROPERTIES FIXTURES_REQUIRED "filter_inputs;filter_runs;ift_o")
fc_cli_test(ifactformer_train_coords_linspace ok [=[@coords = "linspace"]=] ARGS info ${FC_IFT_OUT}/ift_m_np1.h5)
set_tests_properties(ifactformer_train_coords_linspace PROPERTIES FIXTURES_REQUIRED "filter_inputs;filter_runs;ift_m")

set(FC_IFT_ROLL rollout ${CMAKE_CURRENT_SOURCE_DIR}/rollout_small.yaml -rollout_initial ${FC_IFT_DATA}/traj_00001.h5
                -rollout_steps 3)
foreach(v m_np1 o_full)
  fc_cli_test(ifactformer_rollout_${v} ok [=[^wrote .*ift_rollout_]=] NP 1
                ALSO [=[^flowcast rollout: ifactformer_. from .* 3 steps on 1 rank]=] [=[^step 3/3 ]=]
                ARGS ${FC_IFT_ROLL} -rollout_checkpoint ${FC_IFT_OUT}/ift_${v}.h5
                     -rollout_output ${FC_IFT_OUT}/ift_rollout_${v}.h5)
  set_tests_properties(ifactformer_rollout_${v} PROPERTIES FIXTURES_REQUIRED "filter_inputs;filter_runs;ift_m;ift_o"
                                                         FIXTURES_SETUP ift_rollout)
endforeach()
add_test(NAME ifactformer_rollout_xdmf COMMAND ${FC_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_xdmf.py
                                              ${FC_IFT_OUT}/ift_rollout_m_np1.xmf --steps 4 --attributes velocity)
set_tests_properties(ifactformer_rollout_xdmf PROPERTIES FIXTURES_REQUIRED ift_rollout LABELS unit TIMEOUT 60)
# the slab-distributed rollout (x split over the ranks; 15 planes: 8 + 7 on 2 ranks, 4 + 4 + 4 + 3 on
# 4, oversubscribed): the same trajectory as on one rank to 1e-5 of the largest value
foreach(v m_np1 o_full)
  foreach(np 2 4)
    fc_cli_test(ifactformer_rollout_${v}_np${np} ok [=[^wrote .*ift_rollout_]=] NP ${np}
                  ALSO "^flowcast rollout: ifactformer_. from .* 3 steps on ${np} rank"
                  ARGS ${FC_IFT_ROLL} -rollout_checkpoint ${FC_IFT_OUT}/ift_${v}.h5
                       -rollout_output ${FC_IFT_OUT}/ift_rollout_${v}_np${np}.h5)
    set_tests_properties(ifactformer_rollout_${v}_np${np} PROPERTIES FIXTURES_REQUIRED "filter_inputs;filter_runs;ift_m;ift_o"
                                                                    FIXTURES_SETUP ift_rollout_${v}_np${np})
    add_test(NAME ifactformer_rollout_${v}_same_np1_np${np}
             COMMAND ${FC_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_same_fields.py ${FC_IFT_OUT}/ift_rollout_${v}.h5
                     ${FC_IFT_OUT}/ift_rollout_${v}_np${np}.h5 --tol 1e-5)
    set_tests_properties(ifactformer_rollout_${v}_same_np1_np${np} PROPERTIES
                         FIXTURES_REQUIRED "ift_rollout;ift_rollout_${v}_np${np}" LABELS unit TIMEOUT 60)
  endforeach()
endforeach()
fc_cli_test(ifactformer_rollout_wall_time ok [=[wall_seconds_per_time]=] ARGS info ${FC_IFT_OUT}/ift_rollout_m_np1.h5)
set_tests_properties(ifactformer_rollout_wall_time PROPERTIES FIXTURES_REQUIRED "filter_inputs;filter_runs;ift_rollout")

# the best checkpoint by validation loss (output_best_checkpoint, auto: NAME_best.h5) next to the last one
add_test(NAME ifactformer_train_best
         COMMAND sh -c "mkdir -p ${FC_IFT_OUT} && $<TARGET_FILE:flowcast_exe> train ${CMAKE_CURRENT_SOURCE_DIR}/ifactformer_train_small.yaml \
                 -data_dir ${FC_IFT_DATA} -train_epochs 4 -train_lr 5e-3 -output_checkpoint ${FC_IFT_OUT}/ift_best.h5 \
                 > ${FC_IFT_OUT}/ift_best.log 2>&1")
set_tests_properties(ifactformer_train_best PROPERTIES ENVIRONMENT "${FC_TEST_ENV}" LABELS unit TIMEOUT 120
                     FIXTURES_REQUIRED "filter_inputs;filter_runs;ifactformer_train_clean" FIXTURES_SETUP ift_best)
add_test(NAME ifactformer_train_best_kept
         COMMAND ${FC_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_best_checkpoint.py ${FC_IFT_OUT}/ift_best.h5
                 ${FC_IFT_OUT}/ift_best_best.h5 ${FC_IFT_OUT}/ift_best.log)
set_tests_properties(ifactformer_train_best_kept PROPERTIES FIXTURES_REQUIRED ift_best LABELS unit TIMEOUT 60)
fc_cli_test(ifactformer_train_best_same_file fail [=[keys 'output_checkpoint' and 'output_best_checkpoint' name the same file]=]
              ARGS ${FC_IFT_ARGS} -output_checkpoint ${FC_IFT_OUT}/same.h5 -output_best_checkpoint ${FC_IFT_OUT}/same.h5
              ABSENT ${FC_IFT_OUT}/same.h5)

fc_cli_test(ifactformer_train_help ok [=[^  -model_type <choice> .*\[fno, ifno, ifactformer_m, ifactformer_o\]]=]
              ALSO [=[^  -model_heads <int> ]=] [=[^  -model_value_width <int> ]=] [=[^  -model_kernel_mult <int> ]=]
                   [=[^  -model_lift_width <int> ]=] [=[^  -model_rope_scale <real> +\(default: 64\)]=]
                   [=[^  -model_coords <choice> +\(default: linspace\) +\[linspace, physical\]]=]
              ARGS train -help)
fc_cli_test(ifactformer_train_unknown_type fail [=[key 'model_type' = 'ifactformer_x' is not one of fno, ifno, ifactformer_m, ifactformer_o]=]
              NP 1 ABSENT ${FC_IFT_OUT}/bad_type.h5
              ARGS ${FC_IFT_ARGS} -model_type ifactformer_x -output_checkpoint ${FC_IFT_OUT}/bad_type.h5)
fc_cli_test(ifactformer_train_bad_window fail [=[model_type ifactformer_m: IFactFormer learns .*\(data_window 1, data_components 3\): got a 3D grid, 6 input and 3 output channels]=]
              NP 1 ABSENT ${FC_IFT_OUT}/bad_window.h5
              ARGS ${FC_IFT_ARGS} -data_window 2 -output_checkpoint ${FC_IFT_OUT}/bad_window.h5)
unset(FC_CLI_FIXTURES)

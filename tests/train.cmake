# flowcast train on small synthetic trajectories (make_trajectories): an uninterrupted run,
# the same run stopped after 3 steps (mid-epoch) and resumed (identical final weights), and the
# data-parallel run on 2 ranks (the same weights to float32 round-off).
add_executable(make_trajectories make_trajectories.c)
target_link_libraries(make_trajectories PRIVATE flowcast)
set(FC_TRAIN_DIR ${CMAKE_CURRENT_BINARY_DIR}/train_data)
set(FC_TRAIN_OUT ${CMAKE_CURRENT_BINARY_DIR}/train_out)
add_test(NAME train_make_data COMMAND bash -c "rm -rf ${FC_TRAIN_DIR} ${FC_TRAIN_OUT} && mkdir -p ${FC_TRAIN_DIR} && $<TARGET_FILE:make_trajectories> ${FC_TRAIN_DIR} 6")
set_tests_properties(train_make_data PROPERTIES ENVIRONMENT "${FC_TEST_ENV}" FIXTURES_SETUP train_data LABELS unit TIMEOUT 60)

set(FC_TRAIN_ARGS ${CMAKE_CURRENT_SOURCE_DIR}/train_small.yaml -data_dir ${FC_TRAIN_DIR})
function(fc_train_test name np)
  add_test(NAME ${name} COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${np} ${FC_TEST_MPIEXEC_FLAGS}
                                $<TARGET_FILE:flowcast_exe> train ${FC_TRAIN_ARGS} ${ARGN})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${FC_TEST_ENV}" FIXTURES_REQUIRED train_data LABELS "unit;np${np}"
                                          PROCESSORS ${np} TIMEOUT 120 PASS_REGULAR_EXPRESSION "epoch 2/2 .*wrote")
endfunction()
fc_train_test(train_full_np1 1 -output_checkpoint ${FC_TRAIN_OUT}/full.h5)
fc_train_test(train_part_np1 1 -output_checkpoint ${FC_TRAIN_OUT}/part.h5 -train_stop_after 3)
set_tests_properties(train_part_np1 PROPERTIES PASS_REGULAR_EXPRESSION "stopped after 3 steps")
fc_train_test(train_resume_np1 1 -output_checkpoint ${FC_TRAIN_OUT}/part.h5 -train_resume true)
set_tests_properties(train_resume_np1 PROPERTIES DEPENDS train_part_np1)
fc_train_test(train_full_np2 2 -output_checkpoint ${FC_TRAIN_OUT}/full_np2.h5)
add_test(NAME train_resume_same_weights
         COMMAND ${FC_H5DIFF} --report ${FC_TRAIN_OUT}/full.h5 ${FC_TRAIN_OUT}/part.h5 /params /params)
set_tests_properties(train_resume_same_weights PROPERTIES DEPENDS "train_full_np1;train_resume_np1" LABELS unit TIMEOUT 60)
add_test(NAME train_data_parallel_same_weights
         COMMAND ${FC_H5DIFF} --report --delta=1e-5 ${FC_TRAIN_OUT}/full.h5 ${FC_TRAIN_OUT}/full_np2.h5 /params /params)
set_tests_properties(train_data_parallel_same_weights PROPERTIES DEPENDS "train_full_np1;train_full_np2" LABELS unit TIMEOUT 60)

# flowcast rollout of the trained model at 1, 2 and 4 ranks (slabs along x): the same
# trajectory within 1e-5 relative (check_same_fields.py); flowcast compare against the reference
# trajectory; a rollout that blows up stops with a message and keeps the last good state.
set(FC_ROLLOUT_ARGS -rollout_checkpoint ${FC_TRAIN_OUT}/full.h5 -rollout_initial ${FC_TRAIN_DIR}/traj_00005.h5
                    -rollout_steps 5)
foreach(np 1 2 4)
  add_test(NAME rollout_np${np}
           COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${np} ${FC_TEST_MPIEXEC_FLAGS} $<TARGET_FILE:flowcast_exe>
                   rollout ${CMAKE_CURRENT_SOURCE_DIR}/rollout_small.yaml ${FC_ROLLOUT_ARGS}
                   -rollout_output ${FC_TRAIN_OUT}/rollout_np${np}.h5)
  set_tests_properties(rollout_np${np} PROPERTIES ENVIRONMENT "${FC_TEST_ENV}" DEPENDS train_full_np1 LABELS "unit;np${np}"
                       PROCESSORS ${np} TIMEOUT 120 PASS_REGULAR_EXPRESSION "step 5/5 .*wrote")
endforeach()
foreach(np 2 4)
  add_test(NAME rollout_same_np1_np${np}
           COMMAND ${FC_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_same_fields.py ${FC_TRAIN_OUT}/rollout_np1.h5
                   ${FC_TRAIN_OUT}/rollout_np${np}.h5 --tol 1e-5)
  set_tests_properties(rollout_same_np1_np${np} PROPERTIES DEPENDS "rollout_np1;rollout_np${np}" LABELS unit TIMEOUT 60)
endforeach()
add_test(NAME rollout_xdmf COMMAND ${FC_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_xdmf.py
                                   ${FC_TRAIN_OUT}/rollout_np2.xmf --steps 6 --attributes w)
set_tests_properties(rollout_xdmf PROPERTIES DEPENDS rollout_np2 LABELS unit TIMEOUT 60)
add_test(NAME compare_np2
         COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} 2 ${FC_TEST_MPIEXEC_FLAGS} $<TARGET_FILE:flowcast_exe>
                 compare ${CMAKE_CURRENT_SOURCE_DIR}/compare_small.yaml -compare_prediction ${FC_TRAIN_OUT}/rollout_np2.h5
                 -compare_reference ${FC_TRAIN_DIR}/traj_00005.h5 -compare_output ${FC_TRAIN_OUT}/compare.h5)
set_tests_properties(compare_np2 PROPERTIES ENVIRONMENT "${FC_TEST_ENV}" DEPENDS rollout_np2 LABELS "unit;np2" PROCESSORS 2
                     TIMEOUT 60 PASS_REGULAR_EXPRESSION "6 matching snapshots.*mean relative L2 error over the 5 predicted")
add_test(NAME rollout_blowup
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect.sh fail [=[blew up at step 1 .* holds the states up to step 0]=]
                 -- $<TARGET_FILE:flowcast_exe> rollout ${CMAKE_CURRENT_SOURCE_DIR}/rollout_small.yaml ${FC_ROLLOUT_ARGS}
                 -rollout_initial ${CMAKE_CURRENT_BINARY_DIR}/zero.h5 -rollout_output ${FC_TRAIN_OUT}/rollout_blowup.h5)
set_tests_properties(rollout_blowup PROPERTIES ENVIRONMENT "${FC_TEST_ENV}" DEPENDS train_full_np1 LABELS unit TIMEOUT 60)
add_test(NAME rollout_blowup_kept COMMAND ${FC_H5DIFF} ${FC_TRAIN_OUT}/rollout_blowup.h5 ${FC_TRAIN_OUT}/rollout_blowup.h5 /steps/00000000)
set_tests_properties(rollout_blowup_kept PROPERTIES DEPENDS rollout_blowup LABELS unit TIMEOUT 60)
add_test(NAME compare_plot COMMAND ${FC_SYSTEM_PYTHON} ${CMAKE_SOURCE_DIR}/tools/plot_compare.py ${FC_TRAIN_OUT}/compare.h5
                                   -o ${FC_TRAIN_OUT}/compare.png)
set_tests_properties(compare_plot PROPERTIES DEPENDS compare_np2 LABELS unit TIMEOUT 60 PASS_REGULAR_EXPRESSION "wrote .*compare.png")

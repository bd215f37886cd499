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

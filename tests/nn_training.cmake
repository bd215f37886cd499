# Training machinery (AdamW vs PyTorch, data-parallel, checkpoints) at 1, 2 and 3 ranks; the
# 2- and 3-rank runs load the checkpoint the 1-rank run wrote.
fc_cunit_test(nn_training RANKS 1 2 3)
set_tests_properties(nn_training_np1 PROPERTIES FIXTURES_SETUP nn_checkpoint)
set_tests_properties(nn_training_np2 nn_training_np3 PROPERTIES FIXTURES_REQUIRED nn_checkpoint)
# `flowcast info` describes the checkpoint in its own terms
add_test(NAME cli_info_checkpoint
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect.sh ok [=[of model 'mlp'.*]=]
                 --also [=[parameters: 98 values in 4 tensors]=] -- $<TARGET_FILE:flowcast_exe> info
                 ${CMAKE_CURRENT_BINARY_DIR}/nn_checkpoint_np1.h5)
set_tests_properties(cli_info_checkpoint PROPERTIES ENVIRONMENT "${FC_TEST_ENV}" FIXTURES_REQUIRED nn_checkpoint
                     LABELS cli TIMEOUT 60)

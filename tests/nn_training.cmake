# Training machinery (AdamW vs PyTorch, data-parallel, checkpoints) at 1, 2 and 3 ranks; the
# 2- and 3-rank runs load the checkpoint the 1-rank run wrote.
fc_cunit_test(nn_training RANKS 1 2 3)
set_tests_properties(nn_training_np1 PROPERTIES FIXTURES_SETUP nn_checkpoint)
set_tests_properties(nn_training_np2 nn_training_np3 PROPERTIES FIXTURES_REQUIRED nn_checkpoint)

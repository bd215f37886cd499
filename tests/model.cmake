# The model interface (fc_model.h): registry, case keys, creation, checkpoints, refusals.
fc_cunit_test(model RANKS 1 2)

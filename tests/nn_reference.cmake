fc_cunit_test(nn_reference RANKS 1)

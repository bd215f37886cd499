fc_cunit_test(nn_optim RANKS 1)

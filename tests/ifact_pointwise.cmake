fc_cunit_test(ifact_pointwise RANKS 1)

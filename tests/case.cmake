fc_cunit_test(case RANKS 1 2)

fc_cunit_test(fno RANKS 1 2 4)

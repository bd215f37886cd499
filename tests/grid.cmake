fc_cunit_test(grid RANKS 1 2 3)

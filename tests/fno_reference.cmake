fc_cunit_test(fno_reference RANKS 1)

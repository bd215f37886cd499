fc_cunit_test(field_io RANKS 1 2 3)

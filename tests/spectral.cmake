fc_cunit_test(spectral RANKS 1)

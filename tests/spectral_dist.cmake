fc_cunit_test(spectral_dist RANKS 1 2 3 4)

# The channel DNS/LES solver (src/solvers/channel): ctest -R channel --output-on-failure
fc_cunit_test(channel RANKS 1 2)

# Subgrid-scale models of the channel LES (src/solvers/channel/sgs.c): ctest -R channel_sgs --output-on-failure
fc_cunit_test(channel_sgs RANKS 1 2)

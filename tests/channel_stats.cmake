# Turbulence statistics of the channel (src/solvers/channel/stats.c): ctest -R channel_stats --output-on-failure
fc_cunit_test(channel_stats RANKS 1 2)
# the plotting tool runs on the files the 2-rank test writes (a perturbed flow and a synthetic one)
set_tests_properties(channel_stats_np2 PROPERTIES FIXTURES_SETUP channel_stats_files)
add_test(NAME channel_stats_plot
         COMMAND ${FC_SYSTEM_PYTHON} ${CMAKE_SOURCE_DIR}/tools/plot_channel_stats.py
                 ${CMAKE_CURRENT_BINARY_DIR}/channel_stats_np2_all_ranks.h5 ${CMAKE_CURRENT_BINARY_DIR}/channel_stats_np2_known.h5
                 --labels perturbed,synthetic --mkm none --out ${CMAKE_CURRENT_BINARY_DIR}/channel_stats_plots)
set_tests_properties(channel_stats_plot PROPERTIES FIXTURES_REQUIRED channel_stats_files LABELS unit TIMEOUT 120)

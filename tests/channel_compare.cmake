# flowcast compare with compare_type channel (src/rollout/channel_compare.c).
#
#   ctest -R channel_compare --output-on-failure
#
# channel_compare_np1/np2: CUnit tests (tests/test_channel_compare.c): analytic fields with known
# profiles, spectra and errors, a prediction that stops early, the reference against itself, bad
# inputs (nothing written, an existing report untouched).
# On the small filtered trajectories of tests/filter.cmake (fixture filter_runs): trajectory 1
# (and trajectory 0 itself) against trajectory 0 at 1 and 2 ranks; the two reports agree to 1e-12
# (h5diff); tests/check_channel_compare.py recomputes the report with numpy; the plots; -help and
# bad inputs through tests/cli/expect.sh (one message, no output).
fc_cunit_test(channel_compare RANKS 1 2)

set(FC_CHCMP_IN ${CMAKE_CURRENT_BINARY_DIR}/filter_box_np2)
set(FC_CHCMP_OUT ${CMAKE_CURRENT_BINARY_DIR}/channel_compare_out)
set(FC_CHCMP_ARGS compare ${CMAKE_CURRENT_SOURCE_DIR}/channel_compare_small.yaml
                  -compare_reference ${FC_CHCMP_IN}/traj_00000.h5
                  -compare_predictions ${FC_CHCMP_IN}/traj_00001.h5,${FC_CHCMP_IN}/traj_00000.h5
                  -compare_labels other,self)
set(FC_CLI_FIXTURES filter_runs) # every command below reads the filtered trajectories (unset at the end)

foreach(np 1 2)
  fc_cli_test(channel_compare_run_np${np} ok [=[^wrote .*/report_np[12]\.h5 and .*/report_np[12]\.md]=] NP ${np}
                SETUP channel_compare_reports
                ALSO [=[^\| other \| [0-9]\.[0-9]{4} \|]=] [=[^\| self \| 0\.0000 \|]=]
                     [=[^Reference: `.*traj_00000\.h5`; statistics averaged over t = ]=]
                ARGS ${FC_CHCMP_ARGS} -compare_output ${FC_CHCMP_OUT}/report_np${np}.h5)
  set_tests_properties(channel_compare_run_np${np} PROPERTIES LABELS "unit;cli;np${np}")
endforeach()
foreach(group runs reference summary y_plus spectra_yplus)
  add_test(NAME channel_compare_same_${group}
           COMMAND ${FC_H5DIFF} --report -d 1e-12 ${FC_CHCMP_OUT}/report_np1.h5 ${FC_CHCMP_OUT}/report_np2.h5
                   /${group} /${group})
  set_tests_properties(channel_compare_same_${group} PROPERTIES FIXTURES_REQUIRED channel_compare_reports
                                                                LABELS unit TIMEOUT 60)
endforeach()
add_test(NAME channel_compare_numpy
         COMMAND ${FC_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_channel_compare.py ${FC_CHCMP_OUT}/report_np2.h5)
set_tests_properties(channel_compare_numpy PROPERTIES FIXTURES_REQUIRED channel_compare_reports LABELS unit TIMEOUT 60
                                                      PASS_REGULAR_EXPRESSION "^check_channel_compare: ok")
fc_cli_test(channel_compare_plots_np1 ok [=[^wrote .*/plots_spectra\.png]=] NP 1
              ALSO [=[^wrote .*/plots_error\.png]=] [=[^wrote .*/plots_U_plus\.png]=] [=[^wrote .*/plots_rms\.png]=]
                   [=[^wrote .*/plots_uv\.png]=]
              ARGS ${FC_CHCMP_ARGS} -compare_output ${FC_CHCMP_OUT}/plots.h5 -compare_plots true)
set_tests_properties(channel_compare_plots_np1 PROPERTIES LABELS "unit;cli;np1")

# ---- help and bad inputs: one message, no output -------------------------------------------------
set(FC_CHCMP_BAD ${FC_CHCMP_OUT}/bad.h5)
set(FC_CHCMP_ABSENT ${FC_CHCMP_BAD} ${FC_CHCMP_OUT}/bad.md)
fc_cli_test(channel_compare_cli_help ok [=[^  -compare_type <choice> +\(default: field\) +\[field, channel\]]=] NP 1
              ALSO [=[^  -compare_predictions <string> +\(required\)]=] [=[^  -compare_u_tau <real> +\(required\)]=]
                   [=[^  -compare_plot_script <string> +\(default: .*tools/plot_channel_compare\.py\)]=]
              ARGS compare -help)
fc_cli_test(channel_compare_cli_labels_np2 fail
              [=[key 'compare_labels' lists 1 label\(s\) for 2 prediction\(s\) in compare_predictions]=] NP 2
              ABSENT ${FC_CHCMP_ABSENT} ARGS ${FC_CHCMP_ARGS} -compare_labels one -compare_output ${FC_CHCMP_BAD})
fc_cli_test(channel_compare_cli_missing fail [=[file '.*/nope\.h5' does not exist]=] NP 1 ABSENT ${FC_CHCMP_ABSENT}
              ARGS ${FC_CHCMP_ARGS} -compare_predictions ${FC_CHCMP_IN}/nope.h5 -compare_labels a
                   -compare_output ${FC_CHCMP_BAD})
fc_cli_test(channel_compare_cli_grid_np2 fail
              [=[file '.*dns_a\.h5' is on a 45 x 40 x \.\.\. grid, the reference '.*traj_00000\.h5' on 15 x 12 x 8: expected the same grid]=]
              NP 2 ABSENT ${FC_CHCMP_ABSENT} REQUIRES filter_inputs
              ARGS ${FC_CHCMP_ARGS} -compare_predictions ${CMAKE_CURRENT_BINARY_DIR}/filter_inputs/dns_a.h5
                   -compare_labels dns -compare_output ${FC_CHCMP_BAD})
fc_cli_test(channel_compare_cli_u_tau fail [=[key 'compare_u_tau' = 0: expected a value > 0]=] NP 1
              ABSENT ${FC_CHCMP_ABSENT} ARGS ${FC_CHCMP_ARGS} -compare_u_tau 0 -compare_output ${FC_CHCMP_BAD})
fc_cli_test(channel_compare_cli_empty_item fail
              [=[key 'compare_predictions' = '.*': item 2 of the comma-separated list is empty]=] NP 1
              ABSENT ${FC_CHCMP_ABSENT}
              ARGS ${FC_CHCMP_ARGS} -compare_predictions ${FC_CHCMP_IN}/traj_00001.h5, -compare_output ${FC_CHCMP_BAD})
fc_cli_test(channel_compare_cli_unknown_key fail [=[unknown key 'compare_utau' \(did you mean 'compare_u_tau'\?\)]=]
              NP 1 ABSENT ${FC_CHCMP_ABSENT} ARGS ${FC_CHCMP_ARGS} -compare_utau 1 -compare_output ${FC_CHCMP_BAD})
# a plotting script that fails: an error, but the report and the summary are kept
fc_cli_test(channel_compare_cli_plot_fails fail
              [=[plotting failed: '.*channel_compare_small\.yaml .*plot_fail\.h5' exited with status 1 .*are kept]=] NP 1
              ARGS ${FC_CHCMP_ARGS} -compare_output ${FC_CHCMP_OUT}/plot_fail.h5 -compare_plots true
                   -compare_plot_script ${CMAKE_CURRENT_SOURCE_DIR}/channel_compare_small.yaml)
unset(FC_CLI_FIXTURES)

# flowcast run, job channel_surrogates (src/jobs/channel_surrogates.c): rollouts of the IFactFormer-m
# and -o checkpoints of tests/ifactformer_train.cmake and a WALE LES, all from snapshot 0 of the
# tiny DNS of tests/filter.cmake filtered onto 16 x 12 x 8 (the solver wants an even nx; the
# IFactFormer weights do not depend on the grid), then the channel comparison:
#   - at 1 and 2 ranks: every stage runs, the table has a row per run; the two reports agree
#     (errors and statistics of every run to 1e-5; the wall times differ and are not compared);
#   - bad keys stop the job before any work: labels that do not match the checkpoints, an LES step
#     that does not divide the snapshot interval, an initial snapshot with none after it.
set(FC_CS_OUT ${CMAKE_CURRENT_BINARY_DIR}/channel_surrogates_out)
set(FC_CLI_FIXTURES filter_inputs)
fc_cli_test(channel_surrogates_data ok [=[^wrote .*traj_00001\.h5 \(2 trajectories on 16 x 12 x 8]=] SETUP cs_data
              ARGS filter ${CMAKE_SOURCE_DIR}/cases/channel_filter_small.yaml
                   -filter_input ${CMAKE_CURRENT_BINARY_DIR}/filter_inputs/dns_a.h5,${CMAKE_CURRENT_BINARY_DIR}/filter_inputs/dns_b.h5
                   -filter_nx 16 -filter_ny 12 -filter_nz 8 -filter_output_dir ${FC_CS_OUT}/data)
set(FC_CS_ARGS run ${CMAKE_CURRENT_SOURCE_DIR}/channel_surrogates.yaml
    -surrogates_reference ${FC_CS_OUT}/data/traj_00001.h5
    -surrogates_checkpoints ${CMAKE_CURRENT_BINARY_DIR}/ifactformer_train_out/ift_m_np1.h5,${CMAKE_CURRENT_BINARY_DIR}/ifactformer_train_out/ift_o_full.h5
    -surrogates_les_cases ${CMAKE_CURRENT_SOURCE_DIR}/channel_les_tiny.yaml)
set(FC_CLI_FIXTURES filter_inputs cs_data filter_runs ift_m ift_o)
foreach(np 1 2)
  fc_cli_test(channel_surrogates_np${np} ok [=[^channel_surrogates done in .*report in .*/np]=] NP ${np} SETUP cs_np${np}
                ALSO [=[^flowcast run channel_surrogates: 2 model\(s\) and 1 LES from snapshot 0 \(t = 0\) of .*, 3 steps of dT = 0\.5 to t = 1\.5]=]
                     [=[^== rollout 2/2: o ]=] [=[^== LES 1/1: WALE ]=]
                     [=[^\| m \| 0\.[0-9]+ \|]=] [=[^\| o \| 0\.[0-9]+ \|]=] [=[^\| WALE \| 0\.[0-9]+ \|]=]
                     [=[^wrote .*/compare\.h5 and .*/compare\.md]=]
                ARGS ${FC_CS_ARGS} -output_dir ${FC_CS_OUT}/np${np})
endforeach()
foreach(run m o WALE)
  foreach(what rel_l2 U_plus urms_plus uv_plus spectra_x)
    add_test(NAME channel_surrogates_same_${run}_${what}
             COMMAND ${FC_H5DIFF} --delta=1e-5 ${FC_CS_OUT}/np1/compare.h5 ${FC_CS_OUT}/np2/compare.h5
                     /runs/${run}/${what} /runs/${run}/${what})
    set_tests_properties(channel_surrogates_same_${run}_${what} PROPERTIES FIXTURES_REQUIRED "cs_np1;cs_np2"
                                                                           LABELS unit TIMEOUT 60)
  endforeach()
endforeach()
fc_cli_test(channel_surrogates_labels fail [=[key 'surrogates_labels' lists 1 label\(s\) for the 2 file\(s\) of 'surrogates_checkpoints']=]
              ARGS ${FC_CS_ARGS} -surrogates_labels m -output_dir ${FC_CS_OUT}/bad ABSENT ${FC_CS_OUT}/bad)
fc_cli_test(channel_surrogates_les_dt fail [=[key 'surrogates_les_dt' = 0\.3: the reference's snapshot interval dT = 0\.5 is not a whole number of LES steps]=]
              ARGS ${FC_CS_ARGS} -surrogates_les_dt 0.3 -output_dir ${FC_CS_OUT}/bad ABSENT ${FC_CS_OUT}/bad)
fc_cli_test(channel_surrogates_start fail [=[has 4 snapshot\(s\): the initial snapshot 3 needs at least one after it]=]
              ARGS ${FC_CS_ARGS} -surrogates_start 3 -output_dir ${FC_CS_OUT}/bad ABSENT ${FC_CS_OUT}/bad)
fc_cli_test(channel_surrogates_unknown fail [=[surrogates_step]=]
              ARGS ${FC_CS_ARGS} -surrogates_step 3 -output_dir ${FC_CS_OUT}/bad ABSENT ${FC_CS_OUT}/bad)
unset(FC_CLI_FIXTURES)
set(FC_CLI_FIXTURES filter_inputs cs_data filter_runs ift_m ift_o)
fc_cli_test(channel_surrogates_bad_label fail [=[key 'surrogates_les_labels': label '\.\./x' is not usable]=]
              ARGS ${FC_CS_ARGS} -surrogates_les_labels ../x -output_dir ${FC_CS_OUT}/bad ABSENT ${FC_CS_OUT}/bad)
fc_cli_test(channel_surrogates_bad_nu fail [=[key 'compare_nu' = 'abc' is not a real number]=]
              ARGS run ${CMAKE_CURRENT_SOURCE_DIR}/channel_surrogates.yaml -surrogates_reference ${FC_CS_OUT}/data/traj_00001.h5
                   -surrogates_checkpoints a.h5,b.h5 -surrogates_les_cases ${CMAKE_CURRENT_SOURCE_DIR}/channel_les_tiny.yaml
                   -compare_nu abc -output_dir ${FC_CS_OUT}/bad ABSENT ${FC_CS_OUT}/bad)
unset(FC_CLI_FIXTURES)

# the main job itself (cases/channel180.yaml with the shipped checkpoints and test trajectory),
# 2 steps instead of 20, without the plots: the shipped files load, the case is valid
fc_cli_test(channel180_main_job ok [=[^channel_surrogates done in .*report in .*/main_job/compare]=] NP 2
              ALSO [=[^flowcast run channel_surrogates: 3 model\(s\) and 2 LES from snapshot 0 \(t = 2380\) of cases/data/channel180/reference\.h5, 2 steps of dT = 2 to t = 2384]=]
                   [=[^\| IFactFormer-m \| 0\.0[0-9]+ \|]=] [=[^\| IFactFormer-o \| 0\.0[0-9]+ \|]=]
                   [=[^\| IFactFormer-m-48 \| 0\.0[0-9]+ \|]=]
                   [=[^\| DSM \| 0\.[0-9]+ \|]=] [=[^\| WALE \| 0\.[0-9]+ \|]=]
              ARGS run cases/channel180.yaml -surrogates_steps 2 -compare_plots false -output_dir ${FC_CS_OUT}/main_job)
set_tests_properties(channel180_main_job PROPERTIES WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})

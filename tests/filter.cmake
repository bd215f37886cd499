# `flowcast filter` (src/jobs/filter_job.c): filtered DNS on the surrogates' coarse grid.
#
#   ctest -R filter --output-on-failure
#
# filter_np1/np2: CUnit tests (tests/test_filter.c): constants, exact cell averages of linear
# fields, block averages, the Gaussian's transfer function on a Fourier mode, the volume
# integral, steps, several inputs, one rank against all, bad inputs.
# make_filter_inputs writes synthetic DNS snapshot files (fixture filter_inputs); the command
# runs on them at 1 and 2 ranks (box and Gaussian) with cases/channel_filter_small.yaml, the
# trajectory files must hold the same steps (h5diff), parameters and filter attributes, their
# XDMF must check, and `flowcast train` must train on them. The filter_cli_* tests run
# tests/cli/expect.sh on help and every bad input: one message, no output file.
fc_cunit_test(filter RANKS 1 2)

add_executable(make_filter_inputs make_filter_inputs.c)
target_link_libraries(make_filter_inputs PRIVATE flowcast)

set(FC_FILTER_IN ${CMAKE_CURRENT_BINARY_DIR}/filter_inputs)
set(FC_FILTER_CASE ${CMAKE_SOURCE_DIR}/cases/channel_filter_small.yaml)
set(FC_FILTER_GRID -filter_nx 15 -filter_ny 12 -filter_nz 8)

add_test(NAME filter_make_inputs COMMAND make_filter_inputs ${FC_FILTER_IN})
set_tests_properties(filter_make_inputs PROPERTIES ENVIRONMENT "${FC_CLI_ENV}" LABELS cli TIMEOUT 60
                                                   FIXTURES_SETUP filter_inputs)

set(FC_CLI_FIXTURES filter_inputs) # every command of this file needs the synthetic DNS files (unset at the end)

# ---- the same trajectories at 1 and 2 ranks (x slabs 23 + 22 and 20 + 20 of the DNS, 8 + 7 coarse) ----
foreach(np 1 2)
  foreach(type box gaussian)
    set(dir ${CMAKE_CURRENT_BINARY_DIR}/filter_${type}_np${np})
    fc_cli_test(filter_${type}_np${np} ok
                  [=[^wrote .*/traj_00000\.h5 \.\. traj_00001\.h5 \(2 trajectories on 15 x 12 x 8, velocity, float32\)]=]
                  NP ${np} SETUP filter_runs
                  ALSO [=[^flowcast filter: 2 file\(s\), DNS 45 x 40 x 24 -> 15 x 12 x 8 in 6\.28319 x 2 x 3\.14159]=]
                       [=[traj_00001\.h5 <- .*dns_b\.h5: 4 snapshot\(s\), steps 0 \.\. 600, t = 0 \.\. 1\.5]=]
                       [=[^snapshot 8/8 \(100%\)]=]
                  ARGS filter ${FC_FILTER_CASE} -filter_input ${FC_FILTER_IN}/dns_a.h5,${FC_FILTER_IN}/dns_b.h5
                       ${FC_FILTER_GRID} -filter_type ${type} -filter_output_dir ${dir})
  endforeach()
endforeach()
foreach(type box gaussian)
  foreach(s 0 1)
    add_test(NAME filter_same_${type}_${s}
             COMMAND ${FC_H5DIFF} --report ${CMAKE_CURRENT_BINARY_DIR}/filter_${type}_np1/traj_0000${s}.h5
                     ${CMAKE_CURRENT_BINARY_DIR}/filter_${type}_np2/traj_0000${s}.h5 /steps /steps)
    set_tests_properties(filter_same_${type}_${s} PROPERTIES FIXTURES_REQUIRED filter_runs LABELS unit TIMEOUT 60)
  endforeach()
endforeach()
foreach(group parameters filter grid)
  add_test(NAME filter_same_${group}
           COMMAND ${FC_H5DIFF} --report ${CMAKE_CURRENT_BINARY_DIR}/filter_gaussian_np1/traj_00001.h5
                   ${CMAKE_CURRENT_BINARY_DIR}/filter_gaussian_np2/traj_00001.h5 /${group} /${group})
  set_tests_properties(filter_same_${group} PROPERTIES FIXTURES_REQUIRED filter_runs LABELS unit TIMEOUT 60)
endforeach()
add_test(NAME filter_xdmf
         COMMAND ${FC_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_xdmf.py
                 ${CMAKE_CURRENT_BINARY_DIR}/filter_box_np2/traj_00001.xmf --steps 4 --attributes velocity)
set_tests_properties(filter_xdmf PROPERTIES FIXTURES_REQUIRED filter_runs LABELS unit TIMEOUT 60)
# the trajectories are training data: a 3D, 3-component field for `flowcast train`
fc_cli_test(filter_train_np1 ok [=[^wrote .*filter_model\.h5]=] NP 1 REQUIRES filter_runs
              ALSO [=[^flowcast train: fno3d, .* 2 training / 2 validation samples]=]
              ARGS train ${CMAKE_CURRENT_SOURCE_DIR}/train_small.yaml -data_dir ${CMAKE_CURRENT_BINARY_DIR}/filter_box_np2
                   -data_field velocity -data_components 3 -train_epochs 1 -train_batch 1
                   -output_checkpoint ${CMAKE_CURRENT_BINARY_DIR}/filter_model.h5)

# ---- the command line: help and bad inputs: one message, no output --------------------------------
set(FC_FILTER_OUT ${CMAKE_CURRENT_BINARY_DIR}/filter_cli_out)
set(FC_FILTER_ABSENT ${FC_FILTER_OUT}/traj_00000.h5 ${FC_FILTER_OUT}/traj_00001.h5)
set(FC_FILTER_ARGS filter ${FC_FILTER_CASE} ${FC_FILTER_GRID} -filter_output_dir ${FC_FILTER_OUT})
fc_cli_test(filter_cli_help ok [=[^  -filter_input <string> +\(required\)]=] NP 1
              ALSO [=[^usage: flowcast filter CASE\.yaml]=] [=[^  -filter_nx <int> +\(default: 32\)]=]
                   [=[^  -filter_ny <int> +\(default: 33\)]=] [=[^  -filter_nz <int> +\(default: 16\)]=]
                   [=[^  -filter_stretch <real> +\(default: 1\.8\)]=]
                   [=[^  -filter_type <choice> +\(default: box\) +\[box, gaussian\]]=]
                   [=[^  -filter_width_factor <real> +\(default: 2\)]=]
                   [=[^  -filter_output_precision <choice> +\(default: float32\) +\[float32, float64\]]=]
              ARGS filter -help)
fc_cli_test(filter_cli_listed ok [=[^  filter +filter DNS snapshots onto the surrogates' coarse grid]=] NP 1 ARGS -help)
fc_cli_test(filter_cli_no_case fail [=[flowcast filter: expected a case file]=] NP 1 ARGS filter)
fc_cli_test(filter_cli_no_input fail [=[required key 'filter_input' is missing]=] NP 1 ABSENT ${FC_FILTER_ABSENT}
              ARGS filter ${CMAKE_CURRENT_SOURCE_DIR}/train_small.yaml)
fc_cli_test(filter_cli_missing_np2 fail [=[file '.*/filter_inputs/nope\.h5' does not exist]=] NP 2
              ABSENT ${FC_FILTER_ABSENT}
              ARGS ${FC_FILTER_ARGS} -filter_input ${FC_FILTER_IN}/dns_a.h5,${FC_FILTER_IN}/nope.h5)
fc_cli_test(filter_cli_not_field fail [=[file '.*not_field\.h5' is HDF5 but not a flowcast field file]=] NP 1
              ABSENT ${FC_FILTER_ABSENT} ARGS ${FC_FILTER_ARGS} -filter_input ${FC_FILTER_IN}/not_field.h5)
fc_cli_test(filter_cli_2d fail [=[file '.*dns_2d\.h5' holds a 2D grid \(16 x 12\): expected a 3D channel]=] NP 1
              ABSENT ${FC_FILTER_ABSENT} ARGS ${FC_FILTER_ARGS} -filter_input ${FC_FILTER_IN}/dns_2d.h5)
fc_cli_test(filter_cli_components_np2 fail
              [=[file '.*dns_ncomp2\.h5': dataset '/steps/00000000/velocity' has 2 components, expected 3 \(u, v, w\)]=]
              NP 2 ABSENT ${FC_FILTER_ABSENT}
              ARGS ${FC_FILTER_ARGS} -filter_input ${FC_FILTER_IN}/dns_a.h5,${FC_FILTER_IN}/dns_ncomp2.h5)
fc_cli_test(filter_cli_no_velocity fail
              [=[file '.*dns_novelocity\.h5': step /steps/00000000 has no dataset 'velocity']=] NP 1
              ABSENT ${FC_FILTER_ABSENT} ARGS ${FC_FILTER_ARGS} -filter_input ${FC_FILTER_IN}/dns_novelocity.h5)
fc_cli_test(filter_cli_nodes fail [=[file '.*dns_nodes\.h5': /grid/x\[0\] = 0 is not the cell centre]=] NP 1
              ABSENT ${FC_FILTER_ABSENT} ARGS ${FC_FILTER_ARGS} -filter_input ${FC_FILTER_IN}/dns_nodes.h5)
fc_cli_test(filter_cli_no_steps fail [=[file '.*dns_nosteps\.h5' holds no steps]=] NP 1
              ABSENT ${FC_FILTER_ABSENT} ARGS ${FC_FILTER_ARGS} -filter_input ${FC_FILTER_IN}/dns_nosteps.h5)
fc_cli_test(filter_cli_steps_from fail [=[file '.*dns_a\.h5' has no step >= filter_steps_from = 601]=] NP 1
              ABSENT ${FC_FILTER_ABSENT}
              ARGS ${FC_FILTER_ARGS} -filter_input ${FC_FILTER_IN}/dns_a.h5 -filter_steps_from 601)
fc_cli_test(filter_cli_finer_np2 fail
              [=[coarse grid 32 x 33 x 16 is finer than the DNS grid 16 x 20 x 8 of file '.*dns_small\.h5' along x: expected filter_nx <= 16]=]
              NP 2 ABSENT ${FC_FILTER_ABSENT}
              ARGS filter ${FC_FILTER_CASE} -filter_output_dir ${FC_FILTER_OUT} -filter_input ${FC_FILTER_IN}/dns_small.h5)
fc_cli_test(filter_cli_box fail
              [=[file '.*dns_box\.h5': box 12\.56.* differs from that of '.*dns_a\.h5' .* along x: all inputs must share one box]=]
              NP 1 ABSENT ${FC_FILTER_ABSENT}
              ARGS ${FC_FILTER_ARGS} -filter_input ${FC_FILTER_IN}/dns_a.h5,${FC_FILTER_IN}/dns_box.h5)
fc_cli_test(filter_cli_empty_item fail [=[key 'filter_input' = .*: item 2 of the comma-separated list is empty]=] NP 1
              ABSENT ${FC_FILTER_ABSENT} ARGS ${FC_FILTER_ARGS} -filter_input ${FC_FILTER_IN}/dns_a.h5,)
fc_cli_test(filter_cli_unknown_key fail [=[unknown key 'filter_with_factor' \(did you mean 'filter_width_factor'\?\)]=]
              NP 1 ABSENT ${FC_FILTER_ABSENT}
              ARGS ${FC_FILTER_ARGS} -filter_input ${FC_FILTER_IN}/dns_a.h5 -filter_with_factor 2)
fc_cli_test(filter_cli_type fail [=[key 'filter_type' = 'tophat' is not one of box, gaussian]=] NP 1
              ABSENT ${FC_FILTER_ABSENT} ARGS ${FC_FILTER_ARGS} -filter_input ${FC_FILTER_IN}/dns_a.h5 -filter_type tophat)
# an existing trajectory stays untouched when a run fails on a later input, and an output that
# is one of the inputs is refused
set(FC_FILTER_DONE ${CMAKE_CURRENT_BINARY_DIR}/filter_box_np1)
fc_cli_test(filter_cli_keep_np2 fail [=[dns_ncomp2\.h5': dataset '/steps/00000000/velocity' has 2 components]=] NP 2
              REQUIRES filter_runs KEEP ${FC_FILTER_DONE}/traj_00000.h5 ${FC_FILTER_DONE}/traj_00001.h5
              ARGS filter ${FC_FILTER_CASE} ${FC_FILTER_GRID} -filter_output_dir ${FC_FILTER_DONE}
                   -filter_input ${FC_FILTER_IN}/dns_a.h5,${FC_FILTER_IN}/dns_ncomp2.h5)
fc_cli_test(filter_cli_overwrite_input fail [=[output file '.*traj_00001\.h5' is the input file]=] NP 1
              REQUIRES filter_runs KEEP ${FC_FILTER_DONE}/traj_00001.h5
              ARGS filter ${FC_FILTER_CASE} ${FC_FILTER_GRID} -filter_output_dir ${FC_FILTER_DONE}
                   -filter_input ${FC_FILTER_DONE}/traj_00001.h5 -filter_first_index 1)
unset(FC_CLI_FIXTURES)

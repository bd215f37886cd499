# Command-line tests of the flowcast executable (label "cli"): every bad input a user
# can hand to `flowcast run` and `flowcast info` must end with one clear message, a
# non-zero exit, no crash, no hang and no half-written output.
#
#   ctest -L cli --output-on-failure -j2
#
# make_bad_inputs writes the inputs into cli_inputs/ (fixture cli_inputs); each test
# runs tests/cli/expect.sh, which checks the exit status, the messages and the files.

add_executable(make_bad_inputs make_bad_inputs.c)
target_link_libraries(make_bad_inputs PRIVATE flowcast)

set(FC_CLI_DIR ${CMAKE_CURRENT_BINARY_DIR}/cli_inputs)
set(FC_CLI_EXPECT ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect.sh)
set(FC_CLI_CASE ${FC_CLI_DIR}/good.yaml)
set(FC_CLI_FIXTURES cli_inputs) # every test of this file needs the bad inputs (unset at the end)

add_test(NAME cli_make_inputs COMMAND make_bad_inputs ${FC_CLI_DIR})
set_tests_properties(cli_make_inputs PROPERTIES ENVIRONMENT "${FC_CLI_ENV}" LABELS cli TIMEOUT 120
                                                FIXTURES_SETUP cli_inputs)


# fc_cli_run_fail(NAME REGEX [ALSO ...] [CASE file.yaml] ARGS ...): a failing `flowcast run`
# at 1 and 2 ranks (cli_run_NAME_np1, _np2); its output file (an own name per test) and
# sidecar must not appear.
function(fc_cli_run_fail name regex)
  cmake_parse_arguments(T "" "CASE" "ALSO;ARGS" ${ARGN})
  if(NOT T_CASE)
    set(T_CASE ${FC_CLI_CASE})
  endif()
  foreach(np 1 2)
    set(out ${FC_CLI_DIR}/out_${name}_np${np})
    fc_cli_test(cli_run_${name}_np${np} fail "${regex}" ALSO ${T_ALSO} NP ${np} ABSENT ${out}.h5 ${out}.xmf
                ARGS run ${T_CASE} ${T_ARGS} -output_file ${out}.h5)
  endforeach()
endfunction()

# ---- the command itself -------------------------------------------------------------------
fc_cli_test(cli_version ok [=[^flowcast [0-9]+\.[0-9]+\.[0-9]+]=] ALSO [=[PETSc [0-9]+\.]=] [=[HDF5 .*parallel]=]
            ARGS --version)
fc_cli_test(cli_help ok [=[^commands:]=] ALSO [=[^  run +run the job]=] [=[^  info +describe]=] [=[-help]=]
            ARGS -help)
fc_cli_test(cli_run_help ok [=[^  -grid_nx <int> +\(default: 64\) +\[2, 16384\]]=]
            ALSO [=[^  -output_file <string> +\(default: output/fields\.h5\)]=]
                 [=[^  -grid_ndim <int> +\(default: 3\)]=]
                 [=[^  -source <choice> +\(default: taylor_green\) +\[taylor_green, file\]]=]
                 [=[^  -input_axes <string> +\(default: z,y,x,c\)]=]
                 [=[^  -input_precision <choice> +\(default: auto\)]=]
                 [=[^  -input_file <string> +\(required\)]=]
            ARGS run ${CMAKE_SOURCE_DIR}/cases/taylor_green.yaml -help)
fc_cli_test(cli_info_help ok [=[^usage: flowcast info FILE\.h5]=] ARGS info -help)
fc_cli_test(cli_unknown_command fail [=[unknown command 'rnu' \(the nearest command is 'run']=] STATUS 2 ARGS rnu)
fc_cli_test(cli_no_command fail [=[no command given]=] STATUS 2 ARGS)
fc_cli_test(cli_info_no_file fail [=[flowcast info: expected one or more HDF5 files]=] STATUS 2 ARGS info)
fc_cli_test(cli_info_unknown_option fail [=[unknown option '-frobnicate']=] STATUS 2
            ARGS info -frobnicate ${FC_CLI_DIR}/good.h5)
fc_cli_test(cli_run_no_case fail [=[expected a case file]=] STATUS 2 ARGS run)
fc_cli_test(cli_run_stray_argument fail [=[unexpected argument 'stray']=] STATUS 2
            ARGS run ${FC_CLI_CASE} stray -output_file ${FC_CLI_DIR}/out_stray.h5
            ABSENT ${FC_CLI_DIR}/out_stray.h5)

# ---- good runs, and info on their output -------------------------------------------------------
foreach(np 1 2)
  set(out ${FC_CLI_DIR}/out_good_np${np})
  fc_cli_test(cli_run_good_np${np} ok "^wrote .*/out_good_np${np}\\.h5 and .*/out_good_np${np}\\.xmf" NP ${np}
              ALSO [=[on a 4 x 6 x 8 grid]=] [=[kinetic energy [0-9.e+-]+ at t = 0]=] SETUP cli_good_output_np${np}
              ARGS run ${FC_CLI_CASE} -output_file ${out}.h5)
  fc_cli_test(cli_info_good_output_np${np} ok [=[^flowcast field file \(schema flowcast\.field\)]=] NP ${np}
              ALSO [=[^grid: 3D, 4 x 6 x 8 points]=] [=[^steps: 1 ]=] [=[/steps/00000000/u: 8 x 6 x 4 x 3 float64]=]
              REQUIRES cli_good_output_np${np} ARGS info ${out}.h5)
endforeach()
# the case file's own output_file (no override)
fc_cli_test(cli_run_good_case_output ok [=[^wrote .*/out_good_yaml\.h5 and .*/out_good_yaml\.xmf]=] NP 1
            ARGS run ${FC_CLI_CASE})
# a float64 dataset is fine when no precision is demanded
fc_cli_test(cli_run_float64_auto_np2 ok [=[^wrote ]=] NP 2
            ARGS run ${FC_CLI_CASE} -input_file ${FC_CLI_DIR}/shapes.h5 -input_dataset /f64
                 -output_file ${FC_CLI_DIR}/out_float64_auto.h5)
fc_cli_test(cli_info_good ok [=[^  /u: 8 x 6 x 4 x 3 float32  range \[]=] ALSO [=[not a flowcast field file]=]
            ARGS info ${FC_CLI_DIR}/good.h5)
fc_cli_test(cli_info_shapes ok [=[^  /null: empty \(null dataspace\)]=]
            ALSO [=[^  /empty: 0 x 6 x 4 x 3 float32  \(no values\)]=] [=[^  /int: 8 x 6 x 4 x 3 int32]=]
                 [=[^  /group \(group\)]=] [=[^  /rank3: 8 x 6 x 4 float32]=]
            ARGS info ${FC_CLI_DIR}/shapes.h5)

# ---- bad case files --------------------------------------------------------------------------
fc_cli_run_fail(case_missing [=[case file .*/no_such_case\.yaml does not exist]=] CASE ${FC_CLI_DIR}/no_such_case.yaml)
fc_cli_run_fail(case_directory [=[case file .*/dir\.h5 is a directory]=] CASE ${FC_CLI_DIR}/dir.h5)
fc_cli_run_fail(case_binary [=[case file .*/binary\.yaml is a binary file, not YAML text \(NUL byte at line 4\)]=]
                CASE ${FC_CLI_DIR}/binary.yaml)
fc_cli_run_fail(case_malformed [=[case file .*/malformed\.yaml: malformed YAML]=] CASE ${FC_CLI_DIR}/malformed.yaml)
fc_cli_run_fail(case_toplist [=[case file .*/toplist\.yaml: top level must be a mapping]=]
                CASE ${FC_CLI_DIR}/toplist.yaml)
fc_cli_run_fail(case_unknown_key [=[case file .*/unknown_key\.yaml: unknown key 'grid_nxx' \(did you mean 'grid_nx'\?\)]=]
                CASE ${FC_CLI_DIR}/unknown_key.yaml)
fc_cli_run_fail(case_wrong_type [=[case file .*/wrong_type\.yaml: key 'grid_nx' = 'abc']=]
                ALSO [=[expected an integer in \[2, 16384\]]=] CASE ${FC_CLI_DIR}/wrong_type.yaml)
fc_cli_run_fail(case_negative [=[case file .*/negative\.yaml: key 'grid_nx' = '-4']=]
                ALSO [=[\[2, 16384\]]=] CASE ${FC_CLI_DIR}/negative.yaml)
fc_cli_run_fail(case_absurd [=[case file .*/absurd\.yaml: key 'grid_nx' = '100000000']=]
                ALSO [=[\[2, 16384\]]=] CASE ${FC_CLI_DIR}/absurd.yaml)
fc_cli_run_fail(case_huge_memory [=[grid 16384 x 16384 x 16384 needs about [0-9.e+]+ GB per node]=]
                ALSO [=[a node has]=] CASE ${FC_CLI_DIR}/huge_memory.yaml)
# wrong values on the command line
fc_cli_run_fail(cmdline_wrong_type [=[command line: key 'grid_nx' = 'abc']=] ALSO [=[expected an integer]=]
                ARGS -grid_nx abc)
fc_cli_run_fail(cmdline_unknown_key [=[command line: unknown key 'grid_nxx' \(did you mean 'grid_nx'\?\)]=]
                ARGS -grid_nxx 4)
fc_cli_run_fail(cmdline_bad_choice [=[command line: key 'input_precision' = 'float16']=]
                ALSO [=[one of auto, float32, float64]=] ARGS -input_precision float16)
fc_cli_run_fail(cmdline_bad_axes [=[axis order 'z,y,q,c']=] ARGS -input_axes z,y,q,c)

# ---- bad HDF5 inputs to `flowcast run` (source: file) ----------------------------------------
set(H ${FC_CLI_DIR})
fc_cli_run_fail(input_missing [=[file '.*/no_such\.h5' does not exist]=] ARGS -input_file ${H}/no_such.h5)
fc_cli_run_fail(input_directory [=['.*/dir\.h5' is a directory, expected an HDF5 file]=] ARGS -input_file ${H}/dir.h5)
fc_cli_run_fail(input_not_hdf5 [=[file '.*/not_hdf5\.h5' is not an HDF5 file]=] ARGS -input_file ${H}/not_hdf5.h5)
fc_cli_run_fail(input_empty_file [=[file '.*/empty\.h5' is empty \(0 bytes\)]=] ARGS -input_file ${H}/empty.h5)
fc_cli_run_fail(input_truncated [=[file '.*/truncated\.h5' cannot be opened by HDF5 \(truncated or corrupted\?\)]=]
                ARGS -input_file ${H}/truncated.h5)
fc_cli_run_fail(input_corrupted [=[file '.*/corrupted\.h5'.*corrupted]=] ALSO [=['/?u']=]
                ARGS -input_file ${H}/corrupted.h5)
fc_cli_run_fail(input_nan [=[file '.*/nan\.h5', dataset '/u': field 'u' holds 1 NaN/Inf value\(s\)]=]
                ALSO [=[\(x, y, z\) index \(0, 0, 4\), component 1]=] ARGS -input_file ${H}/nan.h5)
fc_cli_run_fail(input_inf [=[file '.*/inf\.h5', dataset '/u': field 'u' holds 1 NaN/Inf value\(s\)]=]
                ALSO [=[\(x, y, z\) index \(0, 4, 2\), component 0]=] ARGS -input_file ${H}/inf.h5)
fc_cli_run_fail(input_wrong_rank [=[dataset '/rank3' has 3 dimension\(s\) \(8 x 6 x 4\), expected 4 \(8 x 6 x 4 x 3]=]
                ARGS -input_file ${H}/shapes.h5 -input_dataset /rank3)
fc_cli_run_fail(input_wrong_shape [=[dataset '/wrong_shape' has shape 8 x 6 x 5 x 3, expected 8 x 6 x 4 x 3]=]
                ARGS -input_file ${H}/shapes.h5 -input_dataset /wrong_shape)
fc_cli_run_fail(input_integer [=[dataset '/int' has integer values, expected floating point]=]
                ARGS -input_file ${H}/shapes.h5 -input_dataset /int)
fc_cli_run_fail(input_empty_dataset [=[dataset '/empty' is empty]=] ARGS -input_file ${H}/shapes.h5 -input_dataset /empty)
fc_cli_run_fail(input_null_dataspace [=[dataset '/null' is empty]=] ARGS -input_file ${H}/shapes.h5 -input_dataset /null)
fc_cli_run_fail(input_group [=['/group' is (a group, expected a dataset|not a dataset)]=] ARGS -input_file ${H}/shapes.h5 -input_dataset /group)
fc_cli_run_fail(input_no_dataset [=[dataset '/velocity' does not exist]=]
                ARGS -input_file ${H}/shapes.h5 -input_dataset /velocity)
fc_cli_run_fail(input_precision_mismatch [=[dataset '/f64' holds 8-byte floats, expected float32 \(4 bytes\)]=]
                ARGS -input_file ${H}/shapes.h5 -input_dataset /f64 -input_precision float32)

# A failing run must leave an existing output file untouched and no .partial behind
# (the NaN is found after the output file was opened for writing).
foreach(np 1 2)
  fc_cli_test(cli_run_keep_existing_output_np${np} fail [=[holds 1 NaN/Inf value\(s\)]=] NP ${np}
              KEEP ${H}/existing_out_np${np}.h5
              ARGS run ${FC_CLI_CASE} -input_file ${H}/nan.h5 -output_file ${H}/existing_out_np${np}.h5)
endforeach()

# Output paths that cannot be written: the message must say why (no run of the whole job
# first), and nothing may be left behind.
foreach(np 1 2)
  fc_cli_test(cli_run_output_parent_is_file_np${np} fail [=[cannot write output file '.*/not_hdf5\.h5/out\.h5']=] NP ${np}
              ALSO [=[[Nn]ot a directory]=] KEEP ${H}/not_hdf5.h5 ABSENT ${H}/not_hdf5.h5/out.h5
              ARGS run ${FC_CLI_CASE} -output_file ${H}/not_hdf5.h5/out.h5)
  fc_cli_test(cli_run_output_is_directory_np${np} fail [=[output file '.*/out_is_dir_np[12]\.h5' is an existing directory]=]
              NP ${np} ABSENT ${H}/out_is_dir_np${np}.h5.partial ${H}/out_is_dir_np${np}.xmf
              ARGS run ${FC_CLI_CASE} -output_file ${H}/out_is_dir_np${np}.h5)
endforeach()

# ---- bad files to `flowcast info` --------------------------------------------------------------
fc_cli_test(cli_info_missing fail [=[file '.*/no_such\.h5' does not exist]=] ARGS info ${H}/no_such.h5)
fc_cli_test(cli_info_directory fail [=['.*/dir\.h5' is a directory, expected an HDF5 file]=] ARGS info ${H}/dir.h5)
fc_cli_test(cli_info_not_hdf5 fail [=[file '.*/not_hdf5\.h5' is not an HDF5 file]=] ARGS info ${H}/not_hdf5.h5)
fc_cli_test(cli_info_empty_file fail [=[file '.*/empty\.h5' is empty \(0 bytes\)]=] ARGS info ${H}/empty.h5)
fc_cli_test(cli_info_truncated fail [=[file '.*/truncated\.h5' cannot be opened by HDF5 \(truncated or corrupted\?\)]=]
            ARGS info ${H}/truncated.h5)
fc_cli_test(cli_info_corrupted fail [=[file '.*/corrupted\.h5': .*corrupted]=] ARGS info ${H}/corrupted.h5)
fc_cli_test(cli_info_nan fail [=[file '.*/nan\.h5': dataset '/u' holds 1 NaN/Inf value\(s\); the first at index \([0-9, ]+\)]=] ARGS info ${H}/nan.h5)
fc_cli_test(cli_info_inf fail [=[file '.*/inf\.h5': dataset '/u' holds 1 NaN/Inf value\(s\)]=] ARGS info ${H}/inf.h5)
# several files: the good one is listed, the bad one fails the command
fc_cli_test(cli_info_good_then_nan fail [=[file '.*/nan\.h5': dataset '/u' holds 1 NaN/Inf]=]
            ARGS info ${H}/good.h5 ${H}/nan.h5)
# the same at 2 ranks: one message, no hang
foreach(case truncated nan)
  fc_cli_test(cli_info_${case}_np2 fail "file '.*/${case}\\.h5'" NP 2 ARGS info ${H}/${case}.h5)
endforeach()
fc_cli_test(cli_info_missing_np2 fail [=[does not exist]=] NP 2 ARGS info ${H}/no_such.h5)
unset(FC_CLI_FIXTURES)

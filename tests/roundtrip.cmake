# Field files across rank counts: written at 1 and 2 ranks, each read back at the
# other count with identical values; the two files hold the same grid and steps
# (h5diff) and their XDMF sidecars parse and point at existing datasets.
add_executable(test_roundtrip test_roundtrip.c)
target_link_libraries(test_roundtrip PRIVATE fc_test_main)

foreach(np 1 2)
  add_test(NAME roundtrip_write_np${np}
           COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${np} ${FC_TEST_MPIEXEC_FLAGS} $<TARGET_FILE:test_roundtrip>)
  set_tests_properties(roundtrip_write_np${np} PROPERTIES ENVIRONMENT "${FC_TEST_ENV};FC_RT_MODE=write;FC_RT_FILE=rt_np${np}"
                       FIXTURES_SETUP roundtrip_files PROCESSORS ${np} LABELS "unit;np${np}" TIMEOUT 120)
endforeach()
foreach(pair "1;2" "2;1")
  list(GET pair 0 wrote)
  list(GET pair 1 reads)
  add_test(NAME roundtrip_read_np${reads}_from_np${wrote}
           COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${reads} ${FC_TEST_MPIEXEC_FLAGS} $<TARGET_FILE:test_roundtrip>)
  set_tests_properties(roundtrip_read_np${reads}_from_np${wrote} PROPERTIES
                       ENVIRONMENT "${FC_TEST_ENV};FC_RT_MODE=read;FC_RT_FILE=rt_np${wrote}"
                       FIXTURES_REQUIRED roundtrip_files PROCESSORS ${reads} LABELS "unit;np${reads}" TIMEOUT 120)
endforeach()
foreach(nd 2 3)
  add_test(NAME roundtrip_same_file_${nd}d
           COMMAND ${FC_H5DIFF} --report ${CMAKE_CURRENT_BINARY_DIR}/rt_np1_${nd}d.h5 ${CMAKE_CURRENT_BINARY_DIR}/rt_np2_${nd}d.h5 /steps /steps)
  add_test(NAME roundtrip_same_grid_${nd}d
           COMMAND ${FC_H5DIFF} --report ${CMAKE_CURRENT_BINARY_DIR}/rt_np1_${nd}d.h5 ${CMAKE_CURRENT_BINARY_DIR}/rt_np2_${nd}d.h5 /grid /grid)
  add_test(NAME roundtrip_xdmf_${nd}d
           COMMAND ${FC_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_xdmf.py ${CMAKE_CURRENT_BINARY_DIR}/rt_np2_${nd}d.xmf
                   --steps 3 --attributes p,u)
  set_tests_properties(roundtrip_same_file_${nd}d roundtrip_same_grid_${nd}d roundtrip_xdmf_${nd}d PROPERTIES
                       FIXTURES_REQUIRED roundtrip_files LABELS unit TIMEOUT 60)
endforeach()

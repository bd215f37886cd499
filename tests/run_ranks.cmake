# The default job at 1 and 2 ranks (a small Taylor-Green grid, uneven slabs at 2 ranks):
# the output fields and series must be the same file content (h5diff), and the XDMF valid.
foreach(np 1 2)
  add_test(NAME run_taylor_green_np${np}
           COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${np} ${FC_TEST_MPIEXEC_FLAGS} $<TARGET_FILE:flowcast_exe>
                   run ${CMAKE_SOURCE_DIR}/cases/taylor_green.yaml -grid_nx 13 -grid_ny 12 -grid_nz 8
                   -time_snapshots 4 -output_file ${CMAKE_CURRENT_BINARY_DIR}/run_ranks/tg_np${np}.h5)
  set_tests_properties(run_taylor_green_np${np} PROPERTIES ENVIRONMENT "${FC_TEST_ENV}" PROCESSORS ${np}
                       FIXTURES_SETUP run_ranks LABELS "unit;np${np}" TIMEOUT 120
                       PASS_REGULAR_EXPRESSION "max relative error [0-9.e-]+\n.*wrote")
endforeach()
add_test(NAME run_taylor_green_same_steps
         COMMAND ${FC_H5DIFF} --report ${CMAKE_CURRENT_BINARY_DIR}/run_ranks/tg_np1.h5
                 ${CMAKE_CURRENT_BINARY_DIR}/run_ranks/tg_np2.h5 /steps /steps)
add_test(NAME run_taylor_green_same_series
         COMMAND ${FC_H5DIFF} --report --delta=1e-15 ${CMAKE_CURRENT_BINARY_DIR}/run_ranks/tg_np1.h5
                 ${CMAKE_CURRENT_BINARY_DIR}/run_ranks/tg_np2.h5 /series /series)
add_test(NAME run_taylor_green_xdmf
         COMMAND ${FC_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_xdmf.py
                 ${CMAKE_CURRENT_BINARY_DIR}/run_ranks/tg_np2.xmf --steps 4 --attributes p,u)
set_tests_properties(run_taylor_green_same_steps run_taylor_green_same_series run_taylor_green_xdmf PROPERTIES
                     FIXTURES_REQUIRED run_ranks LABELS unit TIMEOUT 60)

# A failure on one rank stops every rank: the message names the rank and the place,
# and the job ends (non-zero) instead of hanging in the collective the others wait in.
add_executable(abort_one_rank abort_one_rank.c)
target_link_libraries(abort_one_rank PRIVATE flowcast)
foreach(np 2 3)
  math(EXPR last "${np} - 1")
  add_test(NAME abort_one_rank_np${np}
           COMMAND bash -c "out=$(${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${np} ${FC_TEST_MPIEXEC_FLAGS} $<TARGET_FILE:abort_one_rank> 2>&1); rc=$?; echo \"$out\"; [ $rc -ne 0 ] && [ $rc -lt 124 ] || { echo \"exit code $rc: expected a failure\"; exit 1; }; echo \"$out\" | grep -q 'error on rank ${last}' && echo \"$out\" | grep -q 'in fail_here at .*abort_one_rank.c' && echo \"$out\" | grep -q 'injected failure'")
  set_tests_properties(abort_one_rank_np${np} PROPERTIES ENVIRONMENT "${FC_TEST_ENV}" TIMEOUT 60 PROCESSORS ${np}
                       LABELS "unit;np${np}")
endforeach()

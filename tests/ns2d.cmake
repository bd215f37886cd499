# The 2D Navier-Stokes solver and `flowcast simulate` (src/solvers/ns2d, src/jobs/ns2d_job.c).
#
#   ctest -R ns2d --output-on-failure
#
# ns2d_np1/np2: CUnit tests of the solver (exact solutions, time-step convergence order,
# divergence, the random initial field, bad keys). ns2d_simulate_np1/np2 run the command on
# a tiny version of cases/ns2d_small.yaml; the trajectory files of the two runs must hold
# the same steps (h5diff) and their XDMF sidecars must check. The ns2d_cli_* tests run
# tests/cli/expect.sh on the command line: help, bad keys, a blow-up (NaN) that must stop
# with one message and leave no trajectory file.
fc_cunit_test(ns2d RANKS 1 2)

set(FC_NS2D_CASE ${CMAKE_SOURCE_DIR}/cases/ns2d_small.yaml)
set(FC_NS2D_TINY -ns2d_n 32 -ns2d_n_out 16 -ns2d_dt 0.01 -ns2d_t_end 2 -ns2d_record_every 1 -ns2d_samples 3)

# ---- the same trajectories at 1 and 2 ranks ----------------------------------------------------
foreach(np 1 2)
  set(FC_NS2D_DIR ${CMAKE_CURRENT_BINARY_DIR}/ns2d_np${np})
  fc_cli_test(ns2d_simulate_np${np} ok
              [=[^wrote .*/traj_00000\.h5 \.\. traj_00002\.h5 \(3 trajectories of 3 x 16 x 16\)]=]
              NP ${np} SETUP ns2d_trajectories
              ALSO [=[^flowcast simulate: ns2d, 3 sample\(s\) from 0, 32 x 32 grid -> 16 x 16]=]
                   [=[^samples 3/3 written]=] [=[^snapshot 9/9 \(100%\)]=]
              ARGS simulate ${FC_NS2D_CASE} ${FC_NS2D_TINY} -output_dir ${FC_NS2D_DIR})
endforeach()
foreach(s 0 1 2)
  add_test(NAME ns2d_same_trajectory_${s}
           COMMAND ${FC_H5DIFF} --report ${CMAKE_CURRENT_BINARY_DIR}/ns2d_np1/traj_0000${s}.h5
                   ${CMAKE_CURRENT_BINARY_DIR}/ns2d_np2/traj_0000${s}.h5 /steps /steps)
  set_tests_properties(ns2d_same_trajectory_${s} PROPERTIES FIXTURES_REQUIRED ns2d_trajectories LABELS unit TIMEOUT 60)
endforeach()
add_test(NAME ns2d_same_parameters
         COMMAND ${FC_H5DIFF} --report ${CMAKE_CURRENT_BINARY_DIR}/ns2d_np1/traj_00001.h5
                 ${CMAKE_CURRENT_BINARY_DIR}/ns2d_np2/traj_00001.h5 /parameters /parameters)
add_test(NAME ns2d_same_series
         COMMAND ${FC_H5DIFF} --report ${CMAKE_CURRENT_BINARY_DIR}/ns2d_np1/traj_00002.h5
                 ${CMAKE_CURRENT_BINARY_DIR}/ns2d_np2/traj_00002.h5 /series /series)
add_test(NAME ns2d_xdmf
         COMMAND ${FC_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_xdmf.py
                 ${CMAKE_CURRENT_BINARY_DIR}/ns2d_np2/traj_00001.xmf --steps 3 --attributes w)
set_tests_properties(ns2d_same_parameters ns2d_same_series ns2d_xdmf
                     PROPERTIES FIXTURES_REQUIRED ns2d_trajectories LABELS unit TIMEOUT 60)

# ---- the command line: help, bad keys, a blow-up ----------------------------------------------------
set(FC_NS2D_OUT ${CMAKE_CURRENT_BINARY_DIR}/ns2d_cli_out)
fc_cli_test(ns2d_cli_help ok [=[^  -ns2d_n <int> +\(default: 256\) +\[8, 4096\]]=] NP 1
            ALSO [=[^usage: flowcast simulate CASE\.yaml]=] [=[^  -ns2d_n_out <int> +\(default: 64\)]=]
                 [=[^  -output_dir <string> +\(default: output/ns2d\)]=]
                 [=[^  -ns2d_time_scheme <choice> +\(default: heun_cn\) +\[heun_cn, euler_cn\]]=]
            ARGS simulate ${FC_NS2D_CASE} -help)
fc_cli_test(ns2d_cli_no_case fail [=[flowcast simulate: expected a case file]=] NP 1 ARGS simulate)
fc_cli_test(ns2d_cli_n_out_np2 fail [=[key 'ns2d_n_out' = 24 does not divide ns2d_n = 64]=] NP 2
            ABSENT ${FC_NS2D_OUT}/traj_00000.h5 ARGS simulate ${FC_NS2D_CASE} -ns2d_n_out 24 -output_dir ${FC_NS2D_OUT})
fc_cli_test(ns2d_cli_record_every fail [=[key 'ns2d_record_every' = 0\.0015 is not a whole multiple of ns2d_dt]=]
            NP 1 ABSENT ${FC_NS2D_OUT}/traj_00000.h5
            ARGS simulate ${FC_NS2D_CASE} -ns2d_record_every 0.0015 -ns2d_dt 0.001 -output_dir ${FC_NS2D_OUT})
fc_cli_test(ns2d_cli_unknown_key fail [=[unknown key 'ns2d_nn' \(did you mean 'ns2d_n'\?\)]=] NP 1
            ABSENT ${FC_NS2D_OUT}/traj_00000.h5 ARGS simulate ${FC_NS2D_CASE} -ns2d_nn 32 -output_dir ${FC_NS2D_OUT})
fc_cli_test(ns2d_cli_range fail [=[key 'ns2d_dt' = '0' is out of range]=] NP 1
            ABSENT ${FC_NS2D_OUT}/traj_00000.h5 ARGS simulate ${FC_NS2D_CASE} -ns2d_dt 0 -output_dir ${FC_NS2D_OUT})
# dt far beyond stability: the vorticity turns NaN/Inf within the first snapshot interval
fc_cli_test(ns2d_cli_blowup_np2 fail [=[ns2d sample 0 at t = 1 .*traj_00000\.h5 is not written.*NaN/Inf]=] NP 2
            ABSENT ${FC_NS2D_OUT}/traj_00000.h5
            ARGS simulate ${FC_NS2D_CASE} ${FC_NS2D_TINY} -ns2d_samples 1 -ns2d_dt 0.05 -ns2d_forcing 100
                 -output_dir ${FC_NS2D_OUT})

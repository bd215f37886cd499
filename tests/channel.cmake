# The channel DNS/LES solver (src/solvers/channel): ctest -R channel --output-on-failure
fc_cunit_test(channel RANKS 1 2)

# ---- flowcast simulate with solver: channel (src/jobs/channel_job.c) -------------------------------
# A tiny DNS: the same snapshots at 1 and 2 ranks; a run cut in two by a restart equals the
# uninterrupted run bit for bit (same rank count) and to round-off at another rank count;
# a blow-up stops with one message; bad keys and restart files are refused.
set(FC_CH_CASE ${CMAKE_SOURCE_DIR}/cases/channel180_dns.yaml)
set(FC_CH_DIR ${CMAKE_CURRENT_BINARY_DIR}/channel_job)
set(FC_CH_TINY -channel_nx 16 -channel_ny 12 -channel_nz 8 -channel_t_end 1e9 -monitor_every 5 -snapshot_every 10
               -stats_start 0 -stats_every 2 -stats_yplus 5,30 -output_precision float64)
foreach(np 1 2 3)
  fc_cli_test(channel_job_np${np} ok [=[^wrote .*/restart\.h5 \(step 20, t = [0-9.]+\), .*stats\.h5 \(10 samples\), .*snapshots\.h5 \(2 snapshots\)]=]
                NP ${np} SETUP channel_job
                ALSO [=[^flowcast simulate: channel 16 x 12 x 8 in 6\.283 x 2 x 3\.142]=] [=[^step 20  t = ]=]
                ARGS simulate ${FC_CH_CASE} ${FC_CH_TINY} -channel_max_steps 20 -output_dir ${FC_CH_DIR}/np${np})
endforeach()
add_test(NAME channel_job_same_snapshots
         COMMAND ${FC_H5DIFF} -d 1e-11 ${FC_CH_DIR}/np1/snapshots.h5 ${FC_CH_DIR}/np2/snapshots.h5 /steps /steps)
add_test(NAME channel_job_same_snapshots_np3 # 3 ranks (oversubscribed here): x slabs of 6, 6 and 4 planes
         COMMAND ${FC_H5DIFF} -d 1e-11 ${FC_CH_DIR}/np1/snapshots.h5 ${FC_CH_DIR}/np3/snapshots.h5 /steps /steps)
add_test(NAME channel_job_xdmf
         COMMAND ${FC_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_xdmf.py ${FC_CH_DIR}/np2/snapshots.xmf --steps 2
                 --attributes velocity,pressure)
set_tests_properties(channel_job_same_snapshots channel_job_same_snapshots_np3 channel_job_xdmf PROPERTIES FIXTURES_REQUIRED channel_job LABELS unit
                                                                       TIMEOUT 60)
# restart: 10 steps, then 10 more from the restart file (at 1 and at 2 ranks)
fc_cli_test(channel_job_restart_first ok [=[^wrote .*/restart\.h5 \(step 10,]=] NP 1 SETUP channel_restart
              ARGS simulate ${FC_CH_CASE} ${FC_CH_TINY} -channel_max_steps 10 -output_dir ${FC_CH_DIR}/half)
foreach(np 1 2)
  fc_cli_test(channel_job_restart_np${np} ok [=[^wrote .*/restart\.h5 \(step 20,]=] NP ${np}
                REQUIRES channel_restart channel_job SETUP channel_resumed
                ARGS simulate ${FC_CH_CASE} ${FC_CH_TINY} -channel_max_steps 10 -init_type restart
                     -init_file ${FC_CH_DIR}/half/restart.h5 -stats_continue false -output_dir ${FC_CH_DIR}/resumed_np${np})
endforeach()
add_test(NAME channel_job_restart_exact
         COMMAND ${FC_H5DIFF} ${FC_CH_DIR}/np1/restart.h5 ${FC_CH_DIR}/resumed_np1/restart.h5 /steps /steps)
add_test(NAME channel_job_restart_ranks
         COMMAND ${FC_H5DIFF} -d 1e-11 ${FC_CH_DIR}/np1/restart.h5 ${FC_CH_DIR}/resumed_np2/restart.h5 /steps /steps)
set_tests_properties(channel_job_restart_exact channel_job_restart_ranks
                     PROPERTIES FIXTURES_REQUIRED "channel_resumed;channel_job" LABELS unit TIMEOUT 60)

# bad input and a blow-up: one message, nothing written
set(FC_CH_BAD ${FC_CH_DIR}/bad)
fc_cli_test(channel_job_help ok [=[^  -channel_sgs <choice> +\(default: none\) +\[none, smagorinsky, dynamic, wale\]]=] NP 1
              ALSO [=[^  channel +turbulent channel flow]=] [=[^  -init_type <choice>]=]
              ARGS simulate ${FC_CH_CASE} -help)
fc_cli_test(channel_job_unknown_key fail [=[unknown key 'channel_nxx' \(did you mean 'channel_nx'\?\)]=] NP 1
              ABSENT ${FC_CH_BAD}/restart.h5 ARGS simulate ${FC_CH_CASE} -channel_nxx 8 -output_dir ${FC_CH_BAD})
fc_cli_test(channel_job_odd_nx fail [=[nx and nz must be even]=] NP 2 ABSENT ${FC_CH_BAD}/restart.h5
              ARGS simulate ${FC_CH_CASE} ${FC_CH_TINY} -channel_nx 15 -output_dir ${FC_CH_BAD})
fc_cli_test(channel_job_no_restart_file fail [=[init_type restart needs key 'init_file']=] NP 1
              ABSENT ${FC_CH_BAD}/restart.h5 ARGS simulate ${FC_CH_CASE} -init_type restart -output_dir ${FC_CH_BAD})
fc_cli_test(channel_job_missing_restart fail [=[nothing/restart\.h5]=] NP 2 ABSENT ${FC_CH_BAD}/restart.h5
              ARGS simulate ${FC_CH_CASE} ${FC_CH_TINY} -init_type restart -init_file ${FC_CH_BAD}/nothing/restart.h5
                   -output_dir ${FC_CH_BAD})
fc_cli_test(channel_job_restart_grid fail [=[restart file '.*half/restart\.h5' holds a 16 x 12 x 8 grid; the case has 16 x 14 x 8]=]
              NP 2 REQUIRES channel_restart ABSENT ${FC_CH_BAD}/restart.h5
              ARGS simulate ${FC_CH_CASE} ${FC_CH_TINY} -channel_ny 14 -init_type restart
                   -init_file ${FC_CH_DIR}/half/restart.h5 -output_dir ${FC_CH_BAD})
fc_cli_test(channel_job_blowup fail [=[channel flow blew up at step [0-9]+, t = .*not finite]=] NP 2
              ABSENT ${FC_CH_BAD}/restart.h5
              ARGS simulate ${FC_CH_CASE} ${FC_CH_TINY} -channel_dt 5 -channel_max_steps 50 -output_dir ${FC_CH_BAD})

# ---- flowcast run, job channel_dataset: a tiny DNS split into 3 trajectories, filtered -----------
set(FC_DS_DIR ${CMAKE_CURRENT_BINARY_DIR}/channel_dataset)
fc_cli_test(channel_dataset_np2 ok [=[^wrote .*/traj_00000\.h5 \.\. traj_00002\.h5 \(3 trajectories on 8 x 6 x 4, velocity, float32\)]=]
              NP 2 ALSO [=[^filtering the trajectories: .*snapshots_00000\.h5,.*snapshots_00001\.h5,.*snapshots_00002\.h5$]=]
              ARGS run ${CMAKE_SOURCE_DIR}/cases/channel180_dataset.yaml -channel_nx 16 -channel_ny 12 -channel_nz 8
                   -channel_t_end 3 -channel_dt 0.1 -snapshot_start 0.5 -snapshot_every 3 -snapshot_per_file 3
                   -monitor_every 10 -filter_nx 8 -filter_ny 6 -filter_nz 4 -output_dir ${FC_DS_DIR}/dns
                   -filter_output_dir ${FC_DS_DIR}/filtered)
fc_cli_test(channel_dataset_no_split fail [=[job channel_dataset needs snapshot_every > 0 and snapshot_per_file > 0]=]
              NP 1 ABSENT ${FC_DS_DIR}/bad/restart.h5
              ARGS run ${CMAKE_SOURCE_DIR}/cases/channel180_dataset.yaml -snapshot_per_file 0 -output_dir ${FC_DS_DIR}/bad)

# LES restarts are exact too (the eddy viscosity of the state sets the time step)
set(FC_LES_CASE ${CMAKE_SOURCE_DIR}/cases/channel180_les_dynamic.yaml)
set(FC_LES_TINY -channel_nx 16 -channel_ny 12 -channel_nz 8 -channel_t_end 1e9 -monitor_every 5 -stats_yplus 5)
fc_cli_test(channel_les_straight ok [=[^wrote .*/restart\.h5 \(step 20,]=] NP 2 SETUP channel_les
            ARGS simulate ${FC_LES_CASE} ${FC_LES_TINY} -channel_max_steps 20 -output_dir ${FC_CH_DIR}/les_straight)
fc_cli_test(channel_les_first ok [=[^wrote .*/restart\.h5 \(step 10,]=] NP 2 SETUP channel_les
            ARGS simulate ${FC_LES_CASE} ${FC_LES_TINY} -channel_max_steps 10 -output_dir ${FC_CH_DIR}/les_half)
fc_cli_test(channel_les_resumed ok [=[^wrote .*/restart\.h5 \(step 20,]=] NP 2 REQUIRES channel_les
            SETUP channel_les_resumed
            ARGS simulate ${FC_LES_CASE} ${FC_LES_TINY} -channel_max_steps 10 -init_type restart
                 -init_file ${FC_CH_DIR}/les_half/restart.h5 -output_dir ${FC_CH_DIR}/les_resumed)
add_test(NAME channel_les_restart_exact
         COMMAND ${FC_H5DIFF} ${FC_CH_DIR}/les_straight/restart.h5 ${FC_CH_DIR}/les_resumed/restart.h5 /steps /steps)
set_tests_properties(channel_les_restart_exact PROPERTIES FIXTURES_REQUIRED "channel_les;channel_les_resumed"
                                                          LABELS unit TIMEOUT 60)

# snapshot files split into trajectories: a resumed run numbers on; an incomplete one is not kept
set(FC_SPLIT -snapshot_every 2 -snapshot_per_file 2 -channel_max_steps 10 -stats_start 1e9)
fc_cli_test(channel_split_first ok [=[^wrote .*/restart\.h5 \(step 10, .*, 2 snapshot files up to .*/snapshots_00001\.h5 \(5 snapshots\)]=]
            NP 1 SETUP channel_split ALSO [=[snapshots_00002\.h5 held 1 of the 2 snapshots of a trajectory: not kept]=]
            ARGS simulate ${FC_CH_CASE} ${FC_CH_TINY} ${FC_SPLIT} -output_dir ${FC_CH_DIR}/split)
fc_cli_test(channel_split_resumed ok [=[, 2 snapshot files up to .*/snapshots_00003\.h5 \(5 snapshots\)]=]
            NP 2 REQUIRES channel_split ABSENT ${FC_CH_DIR}/split/snapshots_00004.h5
            ARGS simulate ${FC_CH_CASE} ${FC_CH_TINY} ${FC_SPLIT} -init_type restart
                 -init_file ${FC_CH_DIR}/split/restart.h5 -output_restart ${FC_CH_DIR}/split/restart2.h5
                 -output_dir ${FC_CH_DIR}/split)
# continuing statistics that run past the restart's time would count samples twice: refused
fc_cli_test(channel_job_stats_after_restart fail [=[statistics file '.*np1/stats\.h5' has samples up to t = .*later than the restart file]=]
            NP 1 REQUIRES channel_restart channel_job ABSENT ${FC_CH_BAD}/restart.h5
            ARGS simulate ${FC_CH_CASE} ${FC_CH_TINY} -init_type restart -init_file ${FC_CH_DIR}/half/restart.h5
                 -output_stats ${FC_CH_DIR}/np1/stats.h5 -output_restart ${FC_CH_BAD}/restart.h5 -output_dir ${FC_CH_BAD})
# ... and the matching statistics file continues: 5 samples before the restart, 10 after
fc_cli_test(channel_job_stats_continue ok [=[^wrote .*/restart\.h5 \(step 20, .*half/stats\.h5 \(10 samples\)]=]
            NP 2 REQUIRES channel_restart ALSO [=[^continuing the statistics of .*half/stats\.h5 \(5 samples\)]=]
            ARGS simulate ${FC_CH_CASE} ${FC_CH_TINY} -channel_max_steps 10 -init_type restart
                 -init_file ${FC_CH_DIR}/half/restart.h5 -output_stats ${FC_CH_DIR}/half/stats.h5
                 -output_dir ${FC_CH_DIR}/stats_continued)

# The channel DNS/LES solver (src/solvers/channel): ctest -R channel --output-on-failure
fc_cunit_test(channel RANKS 1 2)
# the initial field from cell-centre velocities (init_type field): tests/test_channel_field.c
fc_cunit_test(channel_field RANKS 1 2)

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

# ---- init_type field: the cell-centre velocity of a snapshot (the LES from a filtered DNS) -------
# From the last snapshot of channel_job_np1 (the float64 centres of a DNS state on the same grid):
# projected to round-off divergence, starting at the snapshot's time; with a fixed step the
# snapshots (the initial state first, as rollouts write theirs) land on t0 + n dt exactly; the
# snapshot file records the solver's wall time; the same at 1 and 2 ranks.
set(FC_FIELD_GRID -channel_nx 16 -channel_ny 12 -channel_nz 8 -channel_t_end 1e9 -monitor_every 5 -stats_start 1e9
                  -output_precision float64)
set(FC_FIELD_INIT -init_type field -init_file ${FC_CH_DIR}/np1/snapshots.h5)
foreach(np 1 2)
  fc_cli_test(channel_job_field_np${np} ok [=[^wrote .*/restart\.h5 \(step 10, .*snapshots\.h5 \(3 snapshots\)]=]
              NP ${np} REQUIRES channel_job SETUP channel_field
              ALSO [=[^initial field: velocity of snapshot 1 \(step 20, t = [0-9.]+\) of .*np1/snapshots\.h5; U_b [0-9.]+ set to channel_bulk_velocity; max \|div u\| [0-9.]+e[-+][0-9]+ before the projection, [0-9.]+e-(1[3-9]|2[0-9]) after$]=]
                   [=[^flowcast simulate: channel 16 x 12 x 8 .* from t = [0-9.]+ \(step 0\)]=]
                   [=[^solver wall time [0-9.]+ s for t = ]=]
              ARGS simulate ${FC_CH_CASE} ${FC_FIELD_GRID} ${FC_FIELD_INIT} -init_step -1 -channel_dt 0.01
                   -snapshot_every 5 -channel_max_steps 10 -output_dir ${FC_CH_DIR}/field_np${np})
endforeach()
add_test(NAME channel_field_same_snapshots
         COMMAND ${FC_H5DIFF} -d 1e-11 ${FC_CH_DIR}/field_np1/snapshots.h5 ${FC_CH_DIR}/field_np2/snapshots.h5 /steps /steps)
# the times: the first snapshot is the initial state at the input's time t0 (bit for bit), then
# t0 + 5 n dt; the wall-time parameters; the initial centres close to the (divergence-free) input
# (5% here: the two averages smooth this under-resolved 16 x 12 x 8 DNS; Poiseuille comes back
# exactly, tests/test_channel_field.c)
add_test(NAME channel_field_times COMMAND ${FC_SYSTEM_PYTHON} -c [=[
import sys, h5py, numpy
src, out = sys.argv[1], sys.argv[2]
with h5py.File(src, 'r') as f:
    last = f['steps'][sorted(f['steps'])[-1]]
    t0, v0 = last.attrs['time'], last['velocity'][...]
with h5py.File(out, 'r') as f:
    steps = [f['steps'][k] for k in sorted(f['steps'])]
    got = [(int(g.attrs['step']), float(g.attrs['time'])) for g in steps]
    want = [(n, t0 + n * 0.01) for n in (0, 5, 10)]
    assert got == want, (got, want)
    rel = numpy.linalg.norm(steps[0]['velocity'][...] - v0) / numpy.linalg.norm(v0)
    wall, per = f['parameters'].attrs['wall_seconds'], f['parameters'].attrs['wall_seconds_per_time']
    print('times', got, 'relative change of the initial centres %.3e' % rel, 'wall', wall, per)
    assert rel < 0.1, rel
    assert wall > 0 and abs(per * 0.1 - wall) <= 1e-9 * wall, (wall, per)
]=] ${FC_CH_DIR}/np1/snapshots.h5 ${FC_CH_DIR}/field_np1/snapshots.h5)
set_tests_properties(channel_field_same_snapshots channel_field_times
                     PROPERTIES FIXTURES_REQUIRED "channel_field;channel_job" LABELS unit TIMEOUT 60)
# bad input: one message, nothing written
# (a directory of their own: channel_job_blowup may leave snapshots in FC_CH_BAD)
set(FC_FIELD_BAD_DIR ${FC_CH_DIR}/field_bad)
set(FC_FIELD_BAD ABSENT ${FC_FIELD_BAD_DIR}/restart.h5 ${FC_FIELD_BAD_DIR}/snapshots.h5)
fc_cli_test(channel_field_no_file fail [=[init_type field needs key 'init_file']=] NP 1 ${FC_FIELD_BAD}
            ARGS simulate ${FC_CH_CASE} -init_type field -output_dir ${FC_FIELD_BAD_DIR})
fc_cli_test(channel_field_missing fail [=[nothing/snapshots\.h5]=] NP 2 ${FC_FIELD_BAD}
            ARGS simulate ${FC_CH_CASE} ${FC_FIELD_GRID} -init_type field -init_file ${FC_FIELD_BAD_DIR}/nothing/snapshots.h5
                 -snapshot_every 5 -output_dir ${FC_FIELD_BAD_DIR})
fc_cli_test(channel_field_grid fail [=[init_file '.*np1/snapshots\.h5' holds a 3D grid of 16 x 12 x 8 points; the case has 16 x 14 x 8 cells]=]
            NP 2 REQUIRES channel_job ${FC_FIELD_BAD}
            ARGS simulate ${FC_CH_CASE} ${FC_FIELD_GRID} ${FC_FIELD_INIT} -channel_ny 14 -snapshot_every 5
                 -output_dir ${FC_FIELD_BAD_DIR})
fc_cli_test(channel_field_stretch fail [=[init_file '.*np1/snapshots\.h5': its y coordinates are not the case's cell centres \(channel_stretch\?\): y\[0\] = ]=]
            NP 2 REQUIRES channel_job ${FC_FIELD_BAD}
            ARGS simulate ${FC_CH_CASE} ${FC_FIELD_GRID} ${FC_FIELD_INIT} -channel_stretch 1.8 -snapshot_every 5
                 -output_dir ${FC_FIELD_BAD_DIR})
fc_cli_test(channel_field_index fail [=[init_step = 2: init_file '.*np1/snapshots\.h5' holds 2 snapshot\(s\) \(indices 0 \.\. 1, or -1 for the last\)]=]
            NP 2 REQUIRES channel_job ${FC_FIELD_BAD}
            ARGS simulate ${FC_CH_CASE} ${FC_FIELD_GRID} ${FC_FIELD_INIT} -init_step 2 -snapshot_every 5
                 -output_dir ${FC_FIELD_BAD_DIR})
fc_cli_test(channel_field_no_velocity fail [=[file '.*np1/restart\.h5': dataset '/steps/[0-9]+/velocity' does not exist]=]
            NP 2 REQUIRES channel_job ${FC_FIELD_BAD}
            ARGS simulate ${FC_CH_CASE} ${FC_FIELD_GRID} -init_type field -init_file ${FC_CH_DIR}/np1/restart.h5
                 -snapshot_every 5 -output_dir ${FC_FIELD_BAD_DIR})

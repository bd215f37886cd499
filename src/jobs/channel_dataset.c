/* The channel_dataset job of `flowcast run`: the surrogates' training and test trajectories.
 *
 *   1. a channel DNS (the channel job's keys) that, from snapshot_start on, writes a snapshot
 *      every snapshot_every steps into files of snapshot_per_file snapshots each: one file per
 *      trajectory, each trajectory starting where the previous one ended;
 *   2. `flowcast filter` (the filter_* keys) of every complete file onto the coarse grid:
 *      filter_output_dir/traj_%05d.h5, the files `flowcast train` reads.
 * The filter reads the list of snapshot files the DNS completed (filter_input is not used). */
#include <stdlib.h>

#include "fc_jobs.h"
#include "fc_log.h"

#define LIST_LEN (1 << 22) /* room for ~40,000 trajectory file names */

fc_err fc_channel_dataset_declare(fc_case *c)
{
  FcCall(fc_channel_job_declare(c));
  FcCall(fc_filter_job_declare(c));
  return FC_SUCCESS;
}

fc_err fc_channel_dataset_run(fc_case *c, MPI_Comm comm, int argc, char **argv)
{
  long per_file, every;
  FcCall(fc_case_get_int(c, "snapshot_per_file", &per_file));
  FcCall(fc_case_get_int(c, "snapshot_every", &every));
  if (per_file < 1 || every < 1)
    FcRaise(FC_ERR_INPUT, "job channel_dataset needs snapshot_every > 0 and snapshot_per_file > 0 (snapshots per "
            "trajectory); the case has %ld and %ld", every, per_file);
  char *list;
  FcCall(FcMalloc(LIST_LEN, &list));
  fc_err e = fc_channel_job_execute(c, comm, argc, argv, list, LIST_LEN);
  if (!e && !list[0])
    e = fc_error_raise(MPI_COMM_WORLD, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "job channel_dataset: the DNS completed no trajectory of %ld snapshots (raise channel_t_end "
                       "or lower snapshot_per_file / snapshot_every)", per_file);
  if (!e) {
    fc_print(comm, "filtering the trajectories: %s\n", list);
    e = fc_filter_job_execute(c, comm, argc, argv, list);
  }
  free(list);
  return e;
}

/* The fno_pipeline job of `flowcast run`: the whole surrogate path in one case file,
 *   1. data:     2D Navier-Stokes trajectories (the ns2d solver, ns2d_* keys)
 *   2. train:    an FNO/IFNO on them (data_*, model_*, train_* keys)
 *   3. rollout:  autoregressive prediction of a held-out trajectory (rollout_* keys)
 *   4. compare:  its relative L2 error against the solver (compare_* keys)
 * Every file goes under pipeline_dir (data/, model.h5, rollout.h5, compare.h5) unless a path
 * key is given explicitly. The held-out trajectory is the last one, which is in the
 * validation split (the last data_val_fraction of the trajectories). Each stage is the same
 * code as its own command (flowcast simulate / train / rollout / compare). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "fc_jobs.h"
#include "fc_log.h"
#include "fc_rollout.h"
#include "fc_train.h"

static const fc_key pipeline_keys[] = {
    {"pipeline_dir", FC_KEY_STRING, "output/fno_pipeline", 0, 0, NULL,
     "directory of every output of the pipeline (data/, model.h5, rollout.h5, compare.h5)"},
    {"pipeline_skip_data", FC_KEY_BOOL, "false", 0, 0, NULL, "reuse the trajectories already in the data directory"},
};

fc_err fc_fno_pipeline_declare(fc_case *c)
{
  FcCall(fc_case_add_keys(c, "pipeline", pipeline_keys, (int)(sizeof pipeline_keys / sizeof pipeline_keys[0])));
  FcCall(fc_ns2d_job_declare(c));
  FcCall(fc_train_declare(c));
  FcCall(fc_rollout_declare(c));
  FcCall(fc_compare_declare(c));
  return FC_SUCCESS;
}

/* Paths under the pipeline directory, unless given. */
static fc_err default_paths(fc_case *c, const char *dir)
{
  char data[PATH_MAX + 16], buf[PATH_MAX + 64];
  long first, samples;
  FcCall(fc_case_get_int(c, "ns2d_first_sample", &first));
  FcCall(fc_case_get_int(c, "ns2d_samples", &samples));
  snprintf(data, sizeof data, "%s/data", dir);
  FcCall(fc_case_set_default(c, "output_dir", data));
  FcCall(fc_case_set_default(c, "data_dir", data));
  snprintf(buf, sizeof buf, "%s/model.h5", dir);
  FcCall(fc_case_set_default(c, "output_checkpoint", buf));
  FcCall(fc_case_set_default(c, "rollout_checkpoint", buf));
  snprintf(buf, sizeof buf, "%s/traj_%05ld.h5", data, first + samples - 1);
  FcCall(fc_case_set_default(c, "rollout_initial", buf));
  FcCall(fc_case_set_default(c, "compare_reference", buf));
  snprintf(buf, sizeof buf, "%s/rollout.h5", dir);
  FcCall(fc_case_set_default(c, "rollout_output", buf));
  FcCall(fc_case_set_default(c, "compare_prediction", buf));
  snprintf(buf, sizeof buf, "%s/compare.h5", dir);
  FcCall(fc_case_set_default(c, "compare_output", buf));
  return FC_SUCCESS;
}

fc_err fc_fno_pipeline_run(fc_case *c, MPI_Comm comm, int argc, char **argv)
{
  char dir[PATH_MAX];
  int skip;
  FcCall(fc_case_get_string(c, "pipeline_dir", dir, sizeof dir));
  FcCall(fc_case_get_bool(c, "pipeline_skip_data", &skip));
  FcCall(default_paths(c, dir));
  fc_train_config t;
  FcCall(fc_train_read(c, &t)); /* every stage's keys are read (and checked) before any work */
  double t0 = fc_wtime(), t1 = t0;
  if (!skip) {
    fc_print(comm, "== 1/4 data: 2D Navier-Stokes trajectories\n");
    FcCall(fc_ns2d_job_run(c, comm, argc, argv));
    t1 = fc_wtime();
  }
  fc_print(comm, "== 2/4 train\n");
  FcCall(fc_train_run(comm, &t, fc_case_file_path(c), fc_case_file_text(c)));
  double t2 = fc_wtime();
  fc_print(comm, "== 3/4 rollout\n");
  FcCall(fc_rollout_run(c, comm, argc, argv));
  double t3 = fc_wtime();
  fc_print(comm, "== 4/4 compare\n");
  FcCall(fc_compare_run(c, comm, argc, argv));
  double t4 = fc_wtime();
  fc_print(comm, "pipeline done in %.1f s (data %.1f s, training %.1f s, rollout %.1f s, compare %.1f s); outputs in %s/\n"
                 "plot the error: /usr/bin/python3 tools/plot_compare.py %s/compare.h5 -o %s/compare.png\n",
           t4 - t0, t1 - t0, t2 - t1, t3 - t2, t4 - t3, dir, dir, dir);
  return FC_SUCCESS;
}

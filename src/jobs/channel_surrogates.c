/* The channel_surrogates job of `flowcast run` (cases/channel180.yaml): the surrogates of a
 * turbulent channel against LES baselines, from one filtered-DNS initial condition.
 *
 *   1. rollouts   every checkpoint of surrogates_checkpoints rolled out from snapshot
 *                 surrogates_start of surrogates_reference (flowcast rollout, x slabs)
 *   2. LES        every case of surrogates_les_cases (flowcast simulate, channel solver) started
 *                 from the same snapshot (init_type field) with the fixed step surrogates_les_dt,
 *                 writing a snapshot every dT of the reference, to the same final time
 *   3. compare    all of them against the reference (flowcast compare, compare_type channel):
 *                 errors, statistics, spectra, wall time per unit time; HDF5 + markdown + PNGs
 * Each stage is the same code as its own command, run on a case of its own built from the keys
 * here (the LES from its case file plus the overrides above); their outputs go under output_dir
 * (rollout_LABEL.h5, les_LABEL/, compare.h5, compare.md, compare_*.png). Before the first stage
 * the job's keys, the labels, the comparison's required keys and the LES case files (their keys)
 * are checked; each stage checks the rest of its own (a checkpoint, an LES grid) when it runs. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_io.h"
#include "fc_jobs.h"
#include "fc_log.h"
#include "fc_rollout.h"

#define MAX_RUNS 8
#define LIST_LEN 4096
#define MAX_ARGS 32

static const fc_key surrogate_keys[] = {
    {"surrogates_reference", FC_KEY_STRING, "", 0, 0, NULL,
     "filtered-DNS trajectory (field 'velocity'): the initial condition and the reference of the comparison"},
    {"surrogates_start", FC_KEY_INT, "0", 0, 1e9, NULL, "index of the initial snapshot in surrogates_reference"},
    {"surrogates_steps", FC_KEY_INT, "0", 0, 1e9, NULL,
     "steps of dT (the reference's snapshot interval) to predict (0: to the reference's last snapshot)"},
    {"surrogates_checkpoints", FC_KEY_STRING, "", 0, 0, NULL, "comma-separated trained models (flowcast train's checkpoints)"},
    {"surrogates_labels", FC_KEY_STRING, "", 0, 0, NULL, "comma-separated labels of the checkpoints (e.g. IFactFormer-m)"},
    {"surrogates_les_cases", FC_KEY_STRING, "none", 0, 0, NULL,
     "comma-separated LES case files (flowcast simulate, solver channel) on the reference's grid (none: no LES)"},
    {"surrogates_les_labels", FC_KEY_STRING, "none", 0, 0, NULL, "comma-separated labels of the LES cases (e.g. DSM,WALE)"},
    {"surrogates_les_dt", FC_KEY_REAL, "0.05", 1e-9, 1e9, NULL, "fixed LES time step; dT must be a whole number of them"},
    {"output_dir", FC_KEY_STRING, "output/channel180", 0, 0, NULL,
     "directory of every output (rollouts, LES runs, the comparison report and plots)"},
};

/* A list of "-key value" tokens for a stage's own case. */
typedef struct {
  int n;
  char *v[MAX_ARGS];
  char text[MAX_ARGS][PATH_MAX + 32];
} arglist;

static void arg(arglist *a, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void arg(arglist *a, const char *key, const char *fmt, ...)
{
  snprintf(a->text[a->n], sizeof a->text[0], "-%s", key);
  a->v[a->n] = a->text[a->n];
  a->n++;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(a->text[a->n], sizeof a->text[0], fmt, ap);
  va_end(ap);
  a->v[a->n] = a->text[a->n];
  a->n++;
}

typedef struct {
  char reference[PATH_MAX], dir[PATH_MAX - 64];
  long start, steps;
  double les_dt;
  char *ckpt[MAX_RUNS], *label[MAX_RUNS], *les[MAX_RUNS], *les_label[MAX_RUNS];
  int nmodels, nles;
  double t0, dT, t_end;
  long snapshot_every;
} surrogates_job;

fc_err fc_channel_surrogates_declare(fc_case *c)
{
  FcCall(fc_case_add_keys(c, "surrogates", surrogate_keys, (int)(sizeof surrogate_keys / sizeof surrogate_keys[0])));
  FcCall(fc_compare_declare(c));
  return FC_SUCCESS;
}

/* Two parallel lists of the same length (files and labels); "none" for an empty pair. */
static fc_err read_pair(fc_case *c, const char *kfiles, const char *klabels, int allow_none, char **files, char **labels,
                        int *n)
{
  char text[LIST_LEN], ltext[LIST_LEN];
  int nl = 0;
  *n = 0;
  FcCall(fc_case_get_string(c, kfiles, text, sizeof text));
  FcCall(fc_case_get_string(c, klabels, ltext, sizeof ltext));
  if (allow_none && !strcmp(text, "none")) return FC_SUCCESS;
  FcCall(fc_case_split_list(kfiles, text, MAX_RUNS, files, n));
  FcCall(fc_case_split_list(klabels, ltext, MAX_RUNS, labels, &nl));
  if (nl != *n)
    FcRaise(FC_ERR_INPUT, "key '%s' lists %d label(s) for the %d file(s) of '%s': expected one label per file", klabels, nl,
            *n, kfiles);
  return FC_SUCCESS;
}

/* The reference's times: t0 (the initial snapshot), dT, and the final time of the runs. */
static fc_err reference_times(MPI_Comm comm, surrogates_job *j)
{
  fc_field_reader *rd;
  long n;
  const fc_step_info *st;
  FcCall(fc_field_reader_open(comm, j->reference, &rd));
  fc_err e = fc_field_reader_steps(rd, &n, &st);
  if (!e && (n < 2 || j->start >= n - 1))
    e = fc_error_raise(comm, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "key 'surrogates_reference': '%s' has %ld snapshot(s): the initial snapshot %ld needs at least one "
                       "after it (key 'surrogates_start')", j->reference, n, j->start);
  if (!e) {
    j->t0 = st[j->start].time;
    j->dT = st[j->start + 1].time - st[j->start].time;
    if (j->steps == 0) j->steps = n - 1 - j->start;
    j->t_end = j->t0 + (double)j->steps * j->dT;
  }
  fc_field_reader_close(&rd);
  FcCall(e);
  double k = j->dT / j->les_dt;
  j->snapshot_every = lround(k);
  if (j->nles && (j->snapshot_every < 1 || fabs(k - (double)j->snapshot_every) > 1e-9 * k))
    FcRaiseComm(comm, FC_ERR_INPUT,
                "key 'surrogates_les_dt' = %g: the reference's snapshot interval dT = %.9g is not a whole number of "
                "LES steps", j->les_dt, j->dT);
  return FC_SUCCESS;
}

/* Runs one stage on a case of its own: the LES case file (or none) plus the tokens of a; with
 * run NULL only reads the file and checks its keys (before any stage runs). */
static fc_err run_stage(MPI_Comm comm, const char *file, fc_err (*declare)(fc_case *),
                        fc_err (*run)(fc_case *, MPI_Comm, int, char **), arglist *a)
{
  static const fc_key solver_key = {"solver", FC_KEY_CHOICE, "channel", 0, 0, "channel",
                                    "the solver of an LES case file (channel)"};
  fc_case *c;
  FcCall(fc_case_create(comm, &c));
  fc_err e = file ? fc_case_add_keys(c, "simulate", &solver_key, 1) : FC_SUCCESS;
  if (!e) e = declare(c);
  if (!e && file) e = fc_case_set_from_file(c, file);
  if (!e && a) e = fc_case_set_from_args(c, a->n, a->v);
  if (!e && file) {
    char solver[32];
    e = fc_case_get_string(c, "solver", solver, sizeof solver);
  }
  if (!e && !run) e = fc_case_check_unknown(c);
  if (!e && run) e = run(c, comm, a->n, a->v);
  fc_case_destroy(&c);
  return e;
}

static fc_err read_job(fc_case *c, MPI_Comm comm, surrogates_job *j)
{
  FcCall(fc_case_get_string(c, "surrogates_reference", j->reference, sizeof j->reference));
  FcCall(fc_case_get_int(c, "surrogates_start", &j->start));
  FcCall(fc_case_get_int(c, "surrogates_steps", &j->steps));
  FcCall(fc_case_get_real(c, "surrogates_les_dt", &j->les_dt));
  FcCall(fc_case_get_string(c, "output_dir", j->dir, sizeof j->dir));
  FcCall(read_pair(c, "surrogates_checkpoints", "surrogates_labels", 0, j->ckpt, j->label, &j->nmodels));
  FcCall(read_pair(c, "surrogates_les_cases", "surrogates_les_labels", 1, j->les, j->les_label, &j->nles));
  FcCall(reference_times(comm, j));
  /* the labels name files and report groups; the comparison's own keys are read at its stage but
     checked here, before any work */
  const char *all[2 * MAX_RUNS];
  for (int r = 0; r < j->nmodels + j->nles; r++) {
    all[r] = r < j->nmodels ? j->label[r] : j->les_label[r - j->nmodels];
    FcCall(fc_compare_check_label(r < j->nmodels ? "surrogates_labels" : "surrogates_les_labels", all, r));
  }
  double v;
  FcCall(fc_case_get_real(c, "compare_nu", &v));
  FcCall(fc_case_get_real(c, "compare_u_tau", &v));
  for (int r = 0; r < j->nles; r++) FcCall(run_stage(comm, j->les[r], fc_channel_job_declare, NULL, NULL));
  /* the comparison's inputs are the runs of this job */
  char preds[MAX_RUNS * 2 * (PATH_MAX / 8)], labels[LIST_LEN], buf[PATH_MAX];
  preds[0] = labels[0] = '\0';
  for (int r = 0; r < j->nmodels + j->nles; r++) {
    const int les = r >= j->nmodels;
    const char *l = les ? j->les_label[r - j->nmodels] : j->label[r];
    if (les) snprintf(buf, sizeof buf, "%s/les_%s/snapshots.h5", j->dir, l);
    else snprintf(buf, sizeof buf, "%s/rollout_%s.h5", j->dir, l);
    if (strlen(preds) + strlen(buf) + 2 > sizeof preds || strlen(labels) + strlen(l) + 2 > sizeof labels)
      FcRaise(FC_ERR_INPUT, "the lists of runs are too long");
    strcat(strcat(preds, r ? "," : ""), buf);
    strcat(strcat(labels, r ? "," : ""), l);
  }
  FcCall(fc_case_set_default(c, "compare_type", "channel"));
  FcCall(fc_case_set_default(c, "compare_reference", j->reference));
  FcCall(fc_case_set_default(c, "compare_predictions", preds));
  FcCall(fc_case_set_default(c, "compare_labels", labels));
  snprintf(buf, sizeof buf, "%s/compare.h5", j->dir);
  FcCall(fc_case_set_default(c, "compare_output", buf));
  FcCall(fc_case_check_unknown(c));
  return FC_SUCCESS;
}

static fc_err run_job(fc_case *c, MPI_Comm comm, int argc, char **argv, surrogates_job *j)
{
  FcCall(read_job(c, comm, j));
  fc_print(comm,
           "flowcast run channel_surrogates: %d model(s) and %d LES from snapshot %ld (t = %.6g) of %s, %ld steps of dT = "
           "%.6g to t = %.6g; outputs in %s/\n",
           j->nmodels, j->nles, j->start, j->t0, j->reference, j->steps, j->dT, j->t_end, j->dir);
  arglist *a;
  FcCall(FcMalloc(1, &a));
  fc_err e = FC_SUCCESS;
  double t[3] = {fc_wtime(), 0, 0};
  for (int r = 0; r < j->nmodels && !e; r++) {
    fc_print(comm, "== rollout %d/%d: %s (%s)\n", r + 1, j->nmodels, j->label[r], j->ckpt[r]);
    a->n = 0;
    arg(a, "rollout_checkpoint", "%s", j->ckpt[r]);
    arg(a, "rollout_initial", "%s", j->reference);
    arg(a, "rollout_start", "%ld", j->start);
    arg(a, "rollout_steps", "%ld", j->steps);
    arg(a, "rollout_output", "%s/rollout_%s.h5", j->dir, j->label[r]);
    e = run_stage(comm, NULL, fc_rollout_declare, fc_rollout_run, a);
  }
  t[1] = fc_wtime();
  for (int r = 0; r < j->nles && !e; r++) {
    fc_print(comm, "== LES %d/%d: %s (%s)\n", r + 1, j->nles, j->les_label[r], j->les[r]);
    a->n = 0;
    arg(a, "init_type", "field");
    arg(a, "init_file", "%s", j->reference);
    arg(a, "init_step", "%ld", j->start);
    arg(a, "channel_dt", "%.17g", j->dT / (double)j->snapshot_every); /* exactly dT / steps */
    arg(a, "channel_t_end", "%.17g", j->t_end);
    arg(a, "snapshot_every", "%ld", j->snapshot_every);
    arg(a, "snapshot_start", "%.17g", j->t0);
    arg(a, "snapshot_per_file", "0");
    arg(a, "output_dir", "%s/les_%s", j->dir, j->les_label[r]);
    arg(a, "output_snapshots", "%s/les_%s/snapshots.h5", j->dir, j->les_label[r]);
    e = run_stage(comm, j->les[r], fc_channel_job_declare, fc_channel_job_run, a);
  }
  free(a);
  FcCall(e);
  t[2] = fc_wtime();
  fc_print(comm, "== compare\n");
  FcCall(fc_compare_run(c, comm, argc, argv));
  fc_print(comm, "channel_surrogates done in %.1f s (rollouts %.1f s, LES %.1f s, compare %.1f s); report in %s/compare.*\n",
           fc_wtime() - t[0], t[1] - t[0], t[2] - t[1], fc_wtime() - t[2], j->dir);
  return FC_SUCCESS;
}

fc_err fc_channel_surrogates_run(fc_case *c, MPI_Comm comm, int argc, char **argv)
{
  surrogates_job j;
  memset(&j, 0, sizeof j);
  fc_err e = run_job(c, comm, argc, argv, &j);
  for (int r = 0; r < MAX_RUNS; r++) {
    free(j.ckpt[r]);
    free(j.label[r]);
    free(j.les[r]);
    free(j.les_label[r]);
  }
  return e;
}

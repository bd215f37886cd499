/* flowcast rollout: load a checkpoint and an initial window of snapshots, predict N steps
 * autoregressively (each prediction joins the window, the oldest snapshot leaves), write
 * every k-th state with XDMF. The grid is split in slabs along x over the ranks; the
 * spectral convolutions transform the slabs with FFTW-MPI, so 1, 2 or 4 ranks give the
 * same trajectory to float32 round-off.
 *
 * Any model of the registry rolls out this way (fc_model.h): the model is built from the
 * checkpoint's hyper-parameters and set up on the initial file's grid, split over the ranks; how
 * it computes over the slabs is the family's concern (FNO: FFTW-MPI; IFactFormer: gathered axis
 * sequences and value planes).
 *
 * The output records the wall time of the model steps (parameters wall_seconds and
 * wall_seconds_per_time, per unit of simulated time), for comparisons with solvers.
 *
 * A state that turns NaN/Inf, or whose largest magnitude exceeds rollout_blowup times the
 * initial one, stops the rollout: the states written so far (and the last good one) are
 * kept in a complete output file, and the command fails with a message saying why. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_io.h"
#include "fc_log.h"
#include "fc_model.h"
#include "fc_rollout.h"

static const fc_key rollout_keys[] = {
    {"rollout_checkpoint", FC_KEY_STRING, "", 0, 0, NULL, "trained model (flowcast train's output_checkpoint)"},
    {"rollout_initial", FC_KEY_STRING, "", 0, 0, NULL, "trajectory file holding the initial window of snapshots"},
    {"rollout_start", FC_KEY_INT, "0", 0, 100000000, NULL, "index of the first snapshot of the initial window"},
    {"rollout_steps", FC_KEY_INT, "40", 1, 100000000, NULL, "autoregressive steps"},
    {"rollout_write_every", FC_KEY_INT, "1", 1, 100000000, NULL, "write every k-th state"},
    {"rollout_blowup", FC_KEY_REAL, "100", 1, 1e30, NULL,
     "stop when max |state| exceeds this times max |initial state|"},
    {"rollout_output", FC_KEY_STRING, "output/rollout.h5", 0, 0, NULL, "output trajectory (an .xmf sidecar beside it)"},
    {"rollout_precision", FC_KEY_CHOICE, "float32", 0, 0, "float32,float64", "precision of the stored states"},
};

fc_err fc_rollout_declare(fc_case *c)
{
  FcCall(fc_case_add_keys(c, "rollout", rollout_keys, (int)(sizeof rollout_keys / sizeof rollout_keys[0])));
  return FC_SUCCESS;
}

fc_err fc_rollout_read(fc_case *c, fc_rollout_config *r)
{
  memset(r, 0, sizeof *r);
  char buf[32];
  FcCall(fc_case_get_string(c, "rollout_checkpoint", r->checkpoint, sizeof r->checkpoint));
  FcCall(fc_case_get_string(c, "rollout_initial", r->initial, sizeof r->initial));
  FcCall(fc_case_get_int(c, "rollout_start", &r->start));
  FcCall(fc_case_get_int(c, "rollout_steps", &r->steps));
  FcCall(fc_case_get_int(c, "rollout_write_every", &r->every));
  FcCall(fc_case_get_real(c, "rollout_blowup", &r->blowup));
  FcCall(fc_case_get_string(c, "rollout_output", r->output, sizeof r->output));
  FcCall(fc_case_get_string(c, "rollout_precision", buf, sizeof buf));
  FcCall(fc_precision_parse(buf, &r->prec));
  return FC_SUCCESS;
}

typedef struct {
  fc_model *m;
  fc_grid *g;
  fc_field *f;          /* one snapshot, double, for reading and writing */
  fc_field_reader *rd;
  fc_field_writer *w;
  float *win, *y;       /* window [npts][W * nc] and prediction [npts][nc], normalised */
  float mean[8], std[8];
  int W, nc;
} rollout_state;

/* The model of a checkpoint: built from its hyper-parameters, then the weights. */
static fc_err load_model(MPI_Comm comm, const fc_rollout_config *r, rollout_state *s, char *field, size_t flen)
{
  fc_model_spec stored;
  FcCall(fc_model_create_from_checkpoint(comm, r->checkpoint, &s->m, &stored));
  double W, nc;
  char ctx[PATH_MAX + 16];
  snprintf(ctx, sizeof ctx, "checkpoint '%s'", r->checkpoint);
  FcCall(fc_model_hparam(stored.h, stored.n, "data_window", ctx, NULL, &W));
  FcCall(fc_model_hparam(stored.h, stored.n, "data_components", ctx, NULL, &nc));
  s->W = (int)W;
  s->nc = (int)nc;
  int ndim, cin, cout;
  fc_model_channels(s->m, &ndim, &cin, &cout);
  if (s->nc < 1 || s->nc > 8 || s->W < 1 || cin != s->W * s->nc || cout != s->nc)
    FcRaiseComm(comm, FC_ERR_INPUT, "checkpoint '%s': window %d x %d components does not match %d input channels",
                r->checkpoint, s->W, s->nc, cin);
  snprintf(field, flen, "w");
  for (int i = 0; i < stored.n; i++)
    if (!strcmp(stored.h[i].name, "data_field") && stored.h[i].is_text) snprintf(field, flen, "%s", stored.h[i].text);
  fc_named_array arrays[2] = {{"field_mean", s->mean, s->nc}, {"field_std", s->std, s->nc}};
  fc_model_state st = {.arrays = arrays, .narrays = 2};
  FcCall(fc_model_load(s->m, comm, r->checkpoint, &st));
  return FC_SUCCESS;
}

/* Largest |value| and whether everything is finite, over all ranks. */
static fc_err state_norm(MPI_Comm comm, const float *y, long n, const rollout_state *s, double *maxabs, int *finite)
{
  double loc[2] = {0, 0}, all[2];
  for (long i = 0; i < n; i++) {
    double v = (double)y[i] * s->std[i % s->nc] + s->mean[i % s->nc];
    if (!isfinite(v)) loc[1] = 1;
    else if (fabs(v) > loc[0]) loc[0] = fabs(v);
  }
  FcCallMPI(MPI_Allreduce(loc, all, 2, MPI_DOUBLE, MPI_MAX, comm));
  *maxabs = all[0];
  *finite = all[1] == 0;
  return FC_SUCCESS;
}

/* De-normalises a state into s->f and writes it as step k at time t. */
static fc_err write_state(rollout_state *s, const float *y, long k, double t)
{
  long n = fc_field_local_size(s->f);
  for (long i = 0; i < n; i++) s->f->data[i] = (double)y[i] * s->std[i % s->nc] + s->mean[i % s->nc];
  FcCall(fc_field_writer_step(s->w, k, t, &s->f, 1));
  return FC_SUCCESS;
}

/* The model's wall time (the slowest rank's) over `span` units of simulated time. */
static fc_err record_wall_time(MPI_Comm comm, fc_field_writer *w, double seconds, double span)
{
  FcCallMPI(MPI_Allreduce(MPI_IN_PLACE, &seconds, 1, MPI_DOUBLE, MPI_MAX, comm));
  FcCall(fc_field_writer_parameter(w, "wall_seconds", seconds));
  FcCall(fc_field_writer_parameter(w, "wall_seconds_per_time", span > 0 ? seconds / span : NAN));
  return FC_SUCCESS;
}

static fc_err rollout(MPI_Comm comm, const fc_rollout_config *r, const fc_provenance *prov, rollout_state *s)
{
  char field[64];
  FcCall(load_model(comm, r, s, field, sizeof field));
  int mndim, cin, cout;
  fc_model_channels(s->m, &mndim, &cin, &cout);
  const char *mtype = fc_model_type(s->m);
  FcCall(fc_field_reader_open(comm, r->initial, &s->rd));
  FcCall(fc_field_reader_grid(s->rd, &s->g));
  if (s->g->ndim != mndim)
    FcRaiseComm(comm, FC_ERR_INPUT, "initial file '%s' is %dD, the model of '%s' is %dD", r->initial, s->g->ndim,
                r->checkpoint, mndim);
  long nsteps;
  const fc_step_info *steps;
  FcCall(fc_field_reader_steps(s->rd, &nsteps, &steps));
  if (r->start + s->W > nsteps)
    FcRaiseComm(comm, FC_ERR_INPUT, "initial file '%s' has %ld snapshots: a window of %d from snapshot %ld does not fit",
                r->initial, nsteps, s->W, r->start);
  double dt = nsteps > 1 ? steps[1].time - steps[0].time : 1.0, t0 = steps[r->start + s->W - 1].time;
  fc_decomp d;
  FcCall(fc_decomp_slab(comm, s->g->n[0], &d));
  fc_model_grid mg = {.ndim = s->g->ndim, .comm = comm, .x0 = (int)d.x0, .nxl = (int)d.nxl};
  for (int a = 0; a < 3; a++) {
    mg.n[a] = a < s->g->ndim ? (int)s->g->n[a] : 1;
    mg.length[a] = a < s->g->ndim ? s->g->length[a] : 0;
    mg.coord[a] = a < s->g->ndim ? s->g->coord[a] : NULL;
  }
  FcCall(fc_model_setup(s->m, 1, &mg));
  const long npts = fc_model_local_points(s->m);
  const long W = s->W, nc = s->nc;
  if (npts != d.nxl * fc_grid_plane_points(s->g))
    FcRaiseComm(comm, FC_ERR_INTERNAL, "the model's slab differs from the field decomposition");
  FcCall(fc_field_create(s->g, &d, field, (int)nc, &s->f));
  FcCall(FcMalloc(npts * W * nc + 1, &s->win));
  FcCall(FcMalloc(npts * nc + 1, &s->y));
  for (long k = 0; k < W; k++) { /* the initial window, normalised */
    FcCall(fc_field_reader_read(s->rd, r->start + k, s->f));
    for (long p = 0; p < npts; p++)
      for (long q = 0; q < nc; q++)
        s->win[(p * W + k) * nc + q] = (float)((s->f->data[p * nc + q] - s->mean[q]) / s->std[q]);
  }
  FcCall(fc_field_reader_close(&s->rd));
  for (long i = 0; i < npts * nc; i++) s->y[i] = s->win[(i / nc * W + W - 1) * nc + i % nc];
  double max0;
  int finite;
  FcCall(state_norm(comm, s->y, npts * nc, s, &max0, &finite));

  FcCall(fc_field_writer_create(comm, r->output, s->g, r->prec, &s->w));
  FcCall(fc_field_writer_provenance(s->w, prov->case_path, prov->case_text, prov->argc, prov->argv));
  FcCall(fc_field_writer_parameter(s->w, "dt", dt));
  FcCall(write_state(s, s->y, 0, t0));
  fc_print(comm, "flowcast rollout: %s from %s (snapshots %ld..%ld), %ld steps on %d rank(s) -> %s\n",
           mtype, r->initial, r->start, r->start + W - 1, r->steps, d.size, r->output);
  fc_progress prog;
  fc_progress_start(&prog, comm, "step", r->steps);
  long last_written = 0;
  double model_seconds = 0;
  for (long k = 1; k <= r->steps; k++) {
    double tm = fc_wtime();
    FcCall(fc_model_forward(s->m, s->y, s->win));
    model_seconds += fc_wtime() - tm;
    double mx;
    FcCall(state_norm(comm, s->y, npts * nc, s, &mx, &finite));
    if (!finite || mx > r->blowup * max0) {
      /* keep the last good state: it is in the window's newest slot */
      if (last_written != k - 1) {
        for (long i = 0; i < npts * nc; i++) s->y[i] = s->win[(i / nc * W + W - 1) * nc + i % nc];
        FcCall(write_state(s, s->y, k - 1, t0 + (k - 1) * dt));
      }
      FcCall(record_wall_time(comm, s->w, model_seconds, k * dt));
      FcCall(fc_field_writer_close(&s->w));
      if (!finite)
        FcRaiseComm(comm, FC_ERR_NONFINITE, "the rollout turned NaN/Inf at step %ld; %s holds the states up to step %ld",
                    k, r->output, k - 1);
      FcRaiseComm(comm, FC_ERR_NONFINITE,
                  "the rollout blew up at step %ld (max |state| %g > %g x the initial %g); %s holds the states up to step %ld",
                  k, mx, r->blowup, max0, r->output, k - 1);
    }
    for (long p = 0; p < npts; p++) { /* shift the window and append the prediction */
      float *wp = s->win + p * W * nc;
      memmove(wp, wp + nc, sizeof(float) * (size_t)((W - 1) * nc));
      memcpy(wp + (W - 1) * nc, s->y + p * nc, sizeof(float) * (size_t)nc);
    }
    if (k % r->every == 0 || k == r->steps) {
      FcCall(write_state(s, s->y, k, t0 + k * dt));
      last_written = k;
    }
    fc_progress_update(&prog, k, t0 + k * dt);
  }
  FcCall(record_wall_time(comm, s->w, model_seconds, r->steps * dt));
  FcCall(fc_field_writer_close(&s->w));
  fc_print(comm, "wrote %s\n", r->output);
  return FC_SUCCESS;
}

fc_err fc_rollout_exec(MPI_Comm comm, const fc_rollout_config *r, const fc_provenance *prov)
{
  rollout_state s;
  memset(&s, 0, sizeof s);
  fc_err e = rollout(comm, r, prov, &s);
  if (e && s.w) fc_field_writer_discard(&s.w);
  fc_field_reader_close(&s.rd);
  fc_field_destroy(&s.f);
  fc_grid_destroy(&s.g);
  fc_model_destroy(&s.m);
  free(s.win);
  free(s.y);
  return e;
}

fc_err fc_rollout_run(fc_case *c, MPI_Comm comm, int argc, char **argv)
{
  fc_rollout_config r;
  FcCall(fc_rollout_read(c, &r));
  FcCall(fc_case_check_unknown(c));
  const fc_provenance prov = {.case_path = fc_case_file_path(c), .case_text = fc_case_file_text(c), .argc = argc, .argv = argv};
  FcCall(fc_rollout_exec(comm, &r, &prov));
  return FC_SUCCESS;
}

/* flowcast compare: the relative L2 error of a predicted trajectory against a reference,
 * step by step (matching snapshots by time), written to HDF5 (/series: time, step, rel_l2,
 * reference_norm) for tools/plot_compare.py, and summarised on rank 0. Collective over the
 * slabs of the grid. compare_type channel hands over to channel_compare.c (several runs of a
 * channel flow: errors, statistics in wall units, spectra). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_io.h"
#include "fc_log.h"
#include "channel_compare.h"
#include "fc_rollout.h"

static const fc_key compare_keys[] = {
    {"compare_type", FC_KEY_CHOICE, "field", 0, 0, "field,channel",
     "field: relative L2 error of one prediction per step; channel: several runs of a channel flow (errors, "
     "statistics in wall units, spectra; docs/channel_compare.md)"},
    {"compare_prediction", FC_KEY_STRING, "", 0, 0, NULL, "predicted trajectory (e.g. flowcast rollout's output)"},
    {"compare_reference", FC_KEY_STRING, "", 0, 0, NULL, "reference trajectory (e.g. the solver's)"},
    {"compare_field", FC_KEY_STRING, "w", 0, 0, NULL, "field compared"},
    {"compare_components", FC_KEY_INT, "1", 1, 8, NULL, "its components"},
    {"compare_output", FC_KEY_STRING, "output/compare.h5", 0, 0, NULL, "error report (HDF5; tools/plot_compare.py plots it)"},
};

fc_err fc_compare_declare(fc_case *c)
{
  FcCall(fc_case_add_keys(c, "compare", compare_keys, (int)(sizeof compare_keys / sizeof compare_keys[0])));
  FcCall(fc_channel_compare_declare(c));
  return FC_SUCCESS;
}

long fc_compare_find_time(const fc_step_info *steps, long n, double t)
{
  for (long q = 0; q < n; q++)
    if (fabs(steps[q].time - t) <= 1e-9 * fmax(1.0, fabs(t))) return q;
  return -1;
}

void fc_compare_square_sums(const fc_field *pred, const fc_field *ref, double *sums)
{
  int nc = ref->ncomp;
  memset(sums, 0, sizeof(double) * (size_t)(2 + 2 * nc));
  for (long p = 0; p < fc_field_local_size(ref); p++) {
    int c = (int)(p % nc);
    double d = pred->data[p] - ref->data[p], r = ref->data[p];
    sums[2 + c] += d * d;
    sums[2 + nc + c] += r * r;
  }
  for (int c = 0; c < nc; c++) sums[0] += sums[2 + c], sums[1] += sums[2 + nc + c];
}

typedef struct {
  fc_field_reader *pr, *rr;
  fc_grid *g, *gr;
  fc_field *fp, *fr;
  double *series;
} compare_state;

static fc_err compare(fc_case *c, MPI_Comm comm, int argc, char **argv, compare_state *s)
{
  char pred[PATH_MAX], ref[PATH_MAX], field[64], out[PATH_MAX], type[16];
  long nc;
  FcCall(fc_case_get_string(c, "compare_type", type, sizeof type));
  if (!strcmp(type, "channel")) return fc_channel_compare_run(c, comm, argc, argv);
  FcCall(fc_case_get_string(c, "compare_prediction", pred, sizeof pred));
  FcCall(fc_case_get_string(c, "compare_reference", ref, sizeof ref));
  FcCall(fc_case_get_string(c, "compare_field", field, sizeof field));
  FcCall(fc_case_get_int(c, "compare_components", &nc));
  FcCall(fc_case_get_string(c, "compare_output", out, sizeof out));
  FcCall(fc_case_check_unknown(c));
  FcCall(fc_field_reader_open(comm, pred, &s->pr));
  FcCall(fc_field_reader_open(comm, ref, &s->rr));
  FcCall(fc_field_reader_grid(s->pr, &s->g));
  FcCall(fc_field_reader_grid(s->rr, &s->gr));
  for (int a = 0; a < FC_MAX_DIM; a++)
    if (s->g->ndim != s->gr->ndim || s->g->n[a] != s->gr->n[a])
      FcRaiseComm(comm, FC_ERR_INPUT, "'%s' and '%s' are on different grids", pred, ref);
  fc_decomp d;
  FcCall(fc_decomp_slab(comm, s->g->n[0], &d));
  FcCall(fc_field_create(s->g, &d, field, (int)nc, &s->fp));
  FcCall(fc_field_create(s->g, &d, field, (int)nc, &s->fr));
  long np, nr;
  const fc_step_info *ps, *rs;
  FcCall(fc_field_reader_steps(s->pr, &np, &ps));
  FcCall(fc_field_reader_steps(s->rr, &nr, &rs));
  FcCall(FcMalloc(4 * np + 1, &s->series));
  double *time = s->series, *step = time + np, *err = step + np, *norm = err + np;
  long matched = 0;
  for (long i = 0; i < np; i++) {
    long j = fc_compare_find_time(rs, nr, ps[i].time);
    if (j < 0) continue; /* a predicted time the reference does not have */
    FcCall(fc_field_reader_read(s->pr, i, s->fp));
    FcCall(fc_field_reader_read(s->rr, j, s->fr));
    double loc[18], all[2];
    fc_compare_square_sums(s->fp, s->fr, loc);
    FcCallMPI(MPI_Allreduce(loc, all, 2, MPI_DOUBLE, MPI_SUM, comm));
    time[matched] = ps[i].time;
    step[matched] = (double)ps[i].step;
    err[matched] = all[1] > 0 ? sqrt(all[0] / all[1]) : NAN;
    norm[matched] = sqrt(all[1]);
    matched++;
  }
  if (!matched) FcRaiseComm(comm, FC_ERR_INPUT, "no snapshot of '%s' has the time of a snapshot of '%s'", ref, pred);
  fc_field_writer *w;
  FcCall(fc_field_writer_create(comm, out, s->g, FC_PRECISION_FLOAT64, &w));
  fc_err e = fc_field_writer_provenance(w, fc_case_file_path(c), fc_case_file_text(c), argc, argv);
  static const char *names[4] = {"time", "step", "rel_l2", "reference_norm"};
  for (int q = 0; q < 4 && !e; q++) e = fc_field_writer_series(w, names[q], matched, s->series + q * np);
  if (e) {
    fc_field_writer_discard(&w);
    return e;
  }
  FcCall(fc_field_writer_close(&w));
  double mean = 0;
  long counted = 0;
  fc_print(comm, "flowcast compare: %s against %s (%ld matching snapshots)\n      time   relative L2\n", pred, ref, matched);
  for (long i = 0; i < matched; i++) {
    fc_print(comm, "%10.4g   %.4e\n", time[i], err[i]);
    if (i > 0) mean += err[i], counted++; /* the first matched snapshot is the initial state */
  }
  fc_print(comm, "mean relative L2 error over the %ld predicted snapshots: %.4e\nwrote %s\n", counted,
           counted ? mean / counted : NAN, out);
  return FC_SUCCESS;
}

fc_err fc_compare_run(fc_case *c, MPI_Comm comm, int argc, char **argv)
{
  compare_state s;
  memset(&s, 0, sizeof s);
  fc_err e = compare(c, comm, argc, argv, &s);
  fc_field_reader_close(&s.pr);
  fc_field_reader_close(&s.rr);
  fc_field_destroy(&s.fp);
  fc_field_destroy(&s.fr);
  fc_grid_destroy(&s.g);
  fc_grid_destroy(&s.gr);
  free(s.series);
  return e;
}

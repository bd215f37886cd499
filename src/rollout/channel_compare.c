/* flowcast compare with compare_type channel: predicted trajectories of a turbulent channel
 * (surrogate rollouts, LES runs) against a reference (filtered DNS) on the same grid, in the
 * terms of the channel literature: the relative L2 error per snapshot (short term), and over a
 * window of time the mean profile, the rms profiles, the Reynolds shear stress and the 1D
 * spectra at chosen y+ (long term), in wall units of a given u_tau and nu; plus each run's
 * wall time per unit of simulated time. Writes an HDF5 report (docs/file-format.md, "Channel
 * comparison reports"), a markdown summary (printed too) and optionally the plots of
 * tools/plot_channel_compare.py. Keys and conventions: docs/channel_compare.md.
 *
 * Collective over x slabs (fc_decomp_slab): the plane sums are allreduced (the result depends
 * on the rank count only through round-off), the spectra planes are gathered onto rank 0,
 * which transforms them (identical on any rank count) and writes the outputs. Nothing is
 * written before everything is computed; files go to NAME.partial, then are renamed. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "channel_compare.h"
#include "fc_log.h"
#include "fc_rollout.h"
#include "fc_version.h"
#include "h5util.h"

#ifndef FC_TOOLS_DIR
#define FC_TOOLS_DIR "tools"
#endif
#ifndef FC_PLOT_PYTHON
#define FC_PLOT_PYTHON "/usr/bin/python3"
#endif

#define CC_SCHEMA "flowcast.channel_compare"
#define CC_MAX_RUNS 32
#define CC_MAX_PLANES 16
#define CC_LIST_LEN 16384
#define CC_WALL_KEY "wall_seconds_per_time"

static const fc_key channel_keys[] = {
    {"compare_predictions", FC_KEY_STRING, "", 0, 0, NULL,
     "(channel) comma-separated predicted trajectories (rollouts, LES runs) on the reference's grid"},
    {"compare_labels", FC_KEY_STRING, "auto", 0, 0, NULL,
     "(channel) comma-separated labels, one per prediction (auto: the file names without .h5)"},
    {"compare_nu", FC_KEY_REAL, "", 0, INFINITY, NULL, "(channel) kinematic viscosity for wall units (> 0)"},
    {"compare_u_tau", FC_KEY_REAL, "", 0, INFINITY, NULL,
     "(channel) friction velocity for wall units (> 0; the reference DNS's)"},
    {"compare_stats_from", FC_KEY_STRING, "auto", 0, 0, NULL,
     "(channel) time from which statistics are averaged (auto: every snapshot after the first common one)"},
    {"compare_spectra_yplus", FC_KEY_STRING, "15,100", 0, 0, NULL,
     "(channel) comma-separated y+ of the 1D spectra (nearest cell centre, both halves; none: no spectra)"},
    {"compare_summary", FC_KEY_STRING, "auto", 0, 0, NULL, "(channel) markdown summary (auto: compare_output with .md)"},
    {"compare_plots", FC_KEY_BOOL, "false", 0, 0, NULL,
     "(channel) plot the report (PNG files beside it, named after it) with compare_plot_script"},
    {"compare_plot_script", FC_KEY_STRING, FC_TOOLS_DIR "/plot_channel_compare.py", 0, 0, NULL,
     "(channel) the plotting script, run as " FC_PLOT_PYTHON " SCRIPT REPORT.h5"},
};

fc_err fc_channel_compare_declare(fc_case *c)
{
  FcCall(fc_case_add_keys(c, "compare (compare_type channel)", channel_keys, (int)(sizeof channel_keys / sizeof channel_keys[0])));
  return FC_SUCCESS;
}

/* ---- state --------------------------------------------------------------------------------- */

/* the profiles of a run, folded onto the lower half, in wall units */
enum { P_U, P_URMS, P_VRMS, P_WRMS, P_UV, NPROF };
static const char *const prof_names[NPROF] = {"U_plus", "urms_plus", "vrms_plus", "wrms_plus", "uv_plus"};
/* plane sums of the shifted velocity: u, v, w, uu, vv, ww, uv */
enum { S_U, S_V, S_W, S_UU, S_VV, S_WW, S_UV, NSUM };

/* summary columns (one row per run, the reference first) */
enum { T_STEP1, T_STEP5, T_MEAN10, T_COUNT10, T_CENTRE, T_URMS, T_UV, T_WALL, NCOL };
static const char *const col_names =
    "rel_l2_step1,rel_l2_step5,rel_l2_mean10,mean10_count,centreline_U_plus_rel_err,urms_peak_rel_err,"
    "uv_peak_rel_err,wall_seconds_per_time";

typedef struct {
  char *path, *label;
  double wall; /* wall seconds per unit of simulated time, NaN when the file does not say */
  /* short term: matched snapshots */
  long nt;
  double *time, *err, *err_c; /* [nt], [nt], [nt][3] */
  /* long term */
  long samples;
  double *stime;       /* [samples] times averaged */
  double *shift, *sum; /* [3][ny] first sample's plane means, [NSUM][ny] sums of plane means */
  double *prof;        /* [NPROF][nh] */
  double *spx, *spz;   /* rank 0: [nplanes][nkx], [nplanes][nkz] */
  double row[NCOL];
} cc_run;

typedef struct {
  MPI_Comm comm;
  int rank, size;
  char out[PATH_MAX], md[PATH_MAX], script[PATH_MAX];
  double nu, utau, t_from, t_to;
  int plots, nruns; /* runs[0] is the reference */
  cc_run runs[CC_MAX_RUNS + 1];
  int nplanes;
  double yplus_req[CC_MAX_PLANES];
  long jplane[CC_MAX_PLANES];
  fc_grid *g;
  fc_decomp d;
  long nx, ny, nz, nh, nkx, nkz;
  fc_field *fp, *fr;
  fc_field_reader *rr; /* the reference, open throughout */
  double *work;        /* [2][NSUM][ny] */
  double *send, *gath; /* [nxl][2 nplanes][nz][3], rank 0: [nx][2 nplanes][nz][3] */
  int *counts, *displs;
  double *trig;        /* rank 0: cos, sin of 2 pi r / nx then of 2 pi r / nz */
} cc_state;

static int same_time(double a, double b) { return fabs(a - b) <= 1e-9 * fmax(1.0, fabs(b)); }

static double *alloc_nan(long n)
{
  double *v = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
  for (long i = 0; v && i < n; i++) v[i] = NAN;
  return v;
}

/* ---- keys ---------------------------------------------------------------------------------- */

static fc_err read_labels(fc_case *c, cc_state *s, int npred)
{
  char text[CC_LIST_LEN], *labels[CC_MAX_RUNS];
  int n = npred;
  FcCall(fc_case_get_string(c, "compare_labels", text, sizeof text));
  if (!strcmp(text, "auto")) {
    for (int r = 1; r <= npred; r++) {
      const char *base = strrchr(s->runs[r].path, '/');
      base = base ? base + 1 : s->runs[r].path;
      size_t len = strlen(base);
      if (len > 3 && !strcmp(base + len - 3, ".h5")) len -= 3;
      FcCall(FcMalloc(len + 1, &labels[r - 1]));
      memcpy(labels[r - 1], base, len);
    }
  } else {
    fc_err e = fc_case_split_list("compare_labels", text, CC_MAX_RUNS, labels, &n);
    for (int r = 0; r < n; r++) s->runs[r + 1].label = labels[r]; /* freed with the runs */
    FcCall(e);
    if (n != npred)
      FcRaise(FC_ERR_INPUT, "key 'compare_labels' lists %d label(s) for %d prediction(s) in compare_predictions: "
                            "expected one label per prediction", n, npred);
  }
  for (int r = 1; r <= npred; r++) s->runs[r].label = labels[r - 1];
  for (int r = 1; r <= npred; r++) FcCall(fc_compare_check_label("compare_labels", (const char **)labels, r - 1));
  return FC_SUCCESS;
}

fc_err fc_compare_check_label(const char *key, const char *const *labels, int i)
{
  const char *l = labels[i];
  if (strpbrk(l, "/|\\") || l[0] == '.' || strlen(l) > 60 || !strcmp(l, "reference"))
    FcRaise(FC_ERR_INPUT, "key '%s': label '%s' is not usable (expected at most 60 characters, no '/', '\\' or '|', not "
                          "starting with '.', not 'reference')", key, l);
  for (int q = 0; q < i; q++)
    if (!strcmp(labels[q], l)) FcRaise(FC_ERR_INPUT, "key '%s': label '%s' is given twice", key, l);
  return FC_SUCCESS;
}

static fc_err read_yplus(fc_case *c, cc_state *s)
{
  char text[1024], *items[CC_MAX_PLANES];
  FcCall(fc_case_get_string(c, "compare_spectra_yplus", text, sizeof text));
  if (!strcmp(text, "none")) return FC_SUCCESS;
  fc_err e = fc_case_split_list("compare_spectra_yplus", text, CC_MAX_PLANES, items, &s->nplanes);
  for (int p = 0; p < s->nplanes; p++) {
    char *end;
    s->yplus_req[p] = strtod(items[p], &end);
    if (!e && (*end || end == items[p] || !(s->yplus_req[p] > 0) || !isfinite(s->yplus_req[p])))
      e = fc_error_raise(MPI_COMM_WORLD, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                         "key 'compare_spectra_yplus' = '%s': item '%s' is not a positive number (or give none)", text,
                         items[p]);
    free(items[p]);
  }
  return e;
}

static fc_err positive(fc_case *c, const char *key, double *v)
{
  FcCall(fc_case_get_real(c, key, v));
  if (!(*v > 0)) FcRaise(FC_ERR_INPUT, "key '%s' = %g: expected a value > 0", key, *v);
  return FC_SUCCESS;
}

static fc_err read_keys(fc_case *c, cc_state *s, int *stats_auto)
{
  char text[CC_LIST_LEN], *preds[CC_MAX_RUNS];
  int npred = 0;
  FcCall(fc_case_get_string(c, "compare_reference", text, sizeof text));
  FcCall(FcMalloc(strlen(text) + 1, &s->runs[0].path));
  strcpy(s->runs[0].path, text);
  FcCall(FcMalloc(16, &s->runs[0].label));
  strcpy(s->runs[0].label, "reference");
  s->nruns = 1;
  FcCall(fc_case_get_string(c, "compare_predictions", text, sizeof text));
  fc_err e = fc_case_split_list("compare_predictions", text, CC_MAX_RUNS, preds, &npred);
  for (int r = 0; r < npred; r++) s->runs[++s->nruns - 1].path = preds[r];
  FcCall(e);
  FcCall(read_labels(c, s, npred));
  FcCall(positive(c, "compare_nu", &s->nu));
  FcCall(positive(c, "compare_u_tau", &s->utau));
  FcCall(fc_case_get_string(c, "compare_stats_from", text, 64));
  *stats_auto = !strcmp(text, "auto");
  if (!*stats_auto) {
    char *end;
    s->t_from = strtod(text, &end);
    if (*end || end == text || !isfinite(s->t_from))
      FcRaise(FC_ERR_INPUT, "key 'compare_stats_from' = '%s': expected a time or auto", text);
  }
  FcCall(read_yplus(c, s));
  FcCall(fc_case_get_string(c, "compare_output", s->out, sizeof s->out));
  FcCall(fc_case_get_string(c, "compare_summary", s->md, sizeof s->md));
  if (!strcmp(s->md, "auto")) {
    size_t len = strlen(s->out);
    if (len > 3 && !strcmp(s->out + len - 3, ".h5")) len -= 3;
    if (len + 4 > sizeof s->md) FcRaise(FC_ERR_INPUT, "key 'compare_output': the path is too long");
    snprintf(s->md, sizeof s->md, "%.*s.md", (int)len, s->out);
  }
  FcCall(fc_case_get_bool(c, "compare_plots", &s->plots));
  FcCall(fc_case_get_string(c, "compare_plot_script", s->script, sizeof s->script));
  FcCall(fc_case_check_unknown(c));
  for (int r = 0; r < s->nruns; r++)
    if (!strcmp(s->runs[r].path, s->out) || !strcmp(s->runs[r].path, s->md))
      FcRaise(FC_ERR_INPUT, "output file '%s' is the input file of %s", s->runs[r].path, s->runs[r].label);
  if (!strcmp(s->out, s->md)) FcRaise(FC_ERR_INPUT, "compare_summary and compare_output are the same file '%s'", s->md);
  if (s->plots && access(s->script, R_OK) != 0)
    FcRaise(FC_ERR_INPUT, "key 'compare_plot_script' = '%s': the file cannot be read (%s)", s->script, strerror(errno));
  return FC_SUCCESS;
}

/* ---- inputs ------------------------------------------------------------------------------- */

/* /parameters/wall_seconds_per_time (attribute or dataset) of a file, NaN when absent (rank 0
 * reads, before the file is opened with MPI-IO). */
static fc_err read_wall_time(cc_state *s, cc_run *run)
{
  double v = NAN;
  FcCall(fc_h5_check_path(s->comm, run->path));
  if (s->rank == 0) {
    hid_t f = H5Fopen(run->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f >= 0 && fc_h5_path_exists(f, "/parameters") > 0) {
      hid_t grp = H5Gopen2(f, "/parameters", H5P_DEFAULT);
      if (grp >= 0 && H5Aexists(grp, CC_WALL_KEY) > 0) {
        hid_t a = H5Aopen(grp, CC_WALL_KEY, H5P_DEFAULT), sp = a < 0 ? -1 : H5Aget_space(a);
        if (sp < 0 || H5Sget_simple_extent_npoints(sp) != 1 || H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0) v = NAN;
        if (sp >= 0) H5Sclose(sp);
        if (a >= 0) H5Aclose(a);
      } else if (grp >= 0 && fc_h5_path_exists(grp, CC_WALL_KEY) > 0) {
        hid_t d = H5Dopen2(grp, CC_WALL_KEY, H5P_DEFAULT), sp = d < 0 ? -1 : H5Dget_space(d);
        if (sp < 0 || H5Sget_simple_extent_npoints(sp) != 1 ||
            H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) < 0)
          v = NAN;
        if (sp >= 0) H5Sclose(sp);
        if (d >= 0) H5Dclose(d);
      }
      if (grp >= 0) H5Gclose(grp);
    }
    if (f >= 0) H5Fclose(f);
  }
  FcCallMPI(MPI_Bcast(&v, 1, MPI_DOUBLE, 0, s->comm));
  run->wall = v;
  return FC_SUCCESS;
}

static const char axis_name[3] = {'x', 'y', 'z'};

/* The reference grid: 3D, x and z periodic and uniform, y between walls, centres symmetric. */
static fc_err check_channel_grid(MPI_Comm comm, const char *path, const fc_grid *g)
{
  if (g->ndim != 3 || !g->periodic[0] || g->periodic[1] || !g->periodic[2])
    FcRaiseComm(comm, FC_ERR_INPUT, "file '%s': expected a 3D channel grid (x and z periodic, y between walls)", path);
  for (int a = 0; a < 3; a += 2)
    for (long i = 0; i < g->n[a]; i++)
      if (fabs(g->coord[a][i] - g->coord[a][0] - (double)i * g->length[a] / (double)g->n[a]) > 1e-9 * g->length[a])
        FcRaiseComm(comm, FC_ERR_INPUT, "file '%s': /grid/%c is not uniform (the spectra need uniform x and z)", path,
                    axis_name[a]);
  const double *y = g->coord[1], ly = g->length[1];
  for (long j = 0; j < g->n[1]; j++)
    if (!(y[j] > 0 && y[j] < ly) || fabs(y[j] + y[g->n[1] - 1 - j] - ly) > 1e-9 * ly)
      FcRaiseComm(comm, FC_ERR_INPUT, "file '%s': /grid/y[%ld] = %g: expected cell centres inside (0, %g), symmetric "
                                      "about the centreline", path, j, y[j], ly);
  return FC_SUCCESS;
}

static fc_err check_same_grid(const cc_state *s, const char *path, const fc_grid *g)
{
  const fc_grid *r = s->g;
  if (g->ndim != 3 || g->n[0] != r->n[0] || g->n[1] != r->n[1] || g->n[2] != r->n[2])
    FcRaiseComm(s->comm, FC_ERR_INPUT, "file '%s' is on a %ld x %ld%s grid, the reference '%s' on %ld x %ld x %ld: "
                                       "expected the same grid", path, g->n[0], g->n[1], g->ndim == 3 ? " x ..." : "",
                s->runs[0].path, r->n[0], r->n[1], r->n[2]);
  for (int a = 0; a < 3; a++) {
    double worst = fabs(g->length[a] - r->length[a]);
    for (long i = 0; i < g->n[a]; i++) worst = fmax(worst, fabs(g->coord[a][i] - r->coord[a][i]));
    if (!(worst <= 1e-9 * r->length[a]) || g->periodic[a] != r->periodic[a])
      FcRaiseComm(s->comm, FC_ERR_INPUT, "file '%s': the grid along %c differs from that of the reference '%s' "
                                         "(length or coordinates, by up to %g): expected the same grid", path,
                  axis_name[a], s->runs[0].path, worst);
  }
  return FC_SUCCESS;
}

/* ---- statistics -------------------------------------------------------------------------------- */

/* Adds one snapshot's x-z plane means of the velocity, shifted by the first sample's means
 * (which keeps <u'u'> = <u^2> - <u>^2 free of cancellation), to the run's sums. */
static fc_err add_profiles(cc_state *s, const fc_field *f, cc_run *run)
{
  long ny = s->ny, nz = s->nz, nxl = s->d.nxl;
  double inv = 1.0 / (double)(s->nx * nz), *loc = s->work, *all = s->work + NSUM * ny;
  if (run->samples == 0) {
    memset(loc, 0, sizeof(double) * 3 * (size_t)ny);
    for (long i = 0; i < nxl; i++)
      for (long j = 0; j < ny; j++)
        for (long k = 0; k < nz; k++)
          for (int c = 0; c < 3; c++) loc[c * ny + j] += f->data[((i * ny + j) * nz + k) * 3 + c];
    FcCallMPI(MPI_Allreduce(loc, run->shift, 3 * (int)ny, MPI_DOUBLE, MPI_SUM, s->comm));
    for (long q = 0; q < 3 * ny; q++) run->shift[q] *= inv;
  }
  memset(loc, 0, sizeof(double) * NSUM * (size_t)ny);
  for (long i = 0; i < nxl; i++)
    for (long j = 0; j < ny; j++)
      for (long k = 0; k < nz; k++) {
        const double *p = f->data + ((i * ny + j) * nz + k) * 3;
        double a[3];
        for (int c = 0; c < 3; c++) {
          a[c] = p[c] - run->shift[c * ny + j];
          loc[(S_U + c) * ny + j] += a[c];
          loc[(S_UU + c) * ny + j] += a[c] * a[c];
        }
        loc[S_UV * ny + j] += a[0] * a[1];
      }
  FcCallMPI(MPI_Allreduce(loc, all, NSUM * (int)ny, MPI_DOUBLE, MPI_SUM, s->comm));
  for (long q = 0; q < NSUM * ny; q++) run->sum[q] += all[q] * inv;
  run->samples++;
  return FC_SUCCESS;
}

/* Means and (co)variances from the sums, folded onto the lower half (U and the variances
 * symmetric, uv antisymmetric), in wall units. */
static void finish_profiles(const cc_state *s, cc_run *run)
{
  long ny = s->ny, nh = s->nh;
  double n = (double)run->samples, ut = s->utau;
  if (!run->samples) return; /* prof stays NaN */
  for (long j = 0; j < nh; j++) {
    double q[2][NPROF];
    for (int h = 0; h < 2; h++) {
      long jj = h ? ny - 1 - j : j;
      double m[3];
      for (int c = 0; c < 3; c++) m[c] = run->sum[c * ny + jj] / n;
      q[h][P_U] = run->shift[jj] + m[0];
      for (int c = 0; c < 3; c++) q[h][P_URMS + c] = run->sum[(S_UU + c) * ny + jj] / n - m[c] * m[c];
      q[h][P_UV] = run->sum[S_UV * ny + jj] / n - m[0] * m[1];
    }
    run->prof[P_U * nh + j] = 0.5 * (q[0][P_U] + q[1][P_U]) / ut;
    for (int c = 0; c < 3; c++)
      run->prof[(P_URMS + c) * nh + j] = sqrt(fmax(0.5 * (q[0][P_URMS + c] + q[1][P_URMS + c]), 0.0)) / ut;
    run->prof[P_UV * nh + j] = -0.5 * (q[0][P_UV] - q[1][P_UV]) / (ut * ut);
  }
}

/* ---- spectra ------------------------------------------------------------------------------------- */

/* Lower-half centre nearest each requested y+ (of two equally near, the one nearer the wall). */
static void choose_planes(cc_state *s)
{
  for (int p = 0; p < s->nplanes; p++) {
    double y = s->yplus_req[p] * s->nu / s->utau;
    long best = 0;
    for (long j = 1; j < s->nh; j++)
      if (fabs(s->g->coord[1][j] - y) < fabs(s->g->coord[1][best] - y)) best = j;
    s->jplane[p] = best;
  }
}

static fc_err spectra_setup(cc_state *s)
{
  long P = 2L * s->nplanes, line = P * s->nz * 3;
  if (!s->nplanes) return FC_SUCCESS;
  FcCall(FcMalloc(s->d.nxl * line + 1, &s->send));
  if (s->rank == 0) {
    FcCall(FcMalloc(s->nx * line, &s->gath));
    FcCall(FcMalloc(s->size, &s->counts));
    FcCall(FcMalloc(s->size, &s->displs));
    FcCall(FcMalloc(2 * (s->nx + s->nz), &s->trig));
    for (int a = 0; a < 2; a++) {
      long n = a ? s->nz : s->nx;
      double *t = s->trig + (a ? 2 * s->nx : 0);
      for (long r = 0; r < n; r++) t[r] = cos(2 * M_PI * (double)r / (double)n), t[n + r] = sin(2 * M_PI * (double)r / (double)n);
    }
  }
  int mine = (int)(s->d.nxl * line);
  FcCallMPI(MPI_Gather(&mine, 1, MPI_INT, s->counts, 1, MPI_INT, 0, s->comm));
  for (int r = 1; s->rank == 0 && r < s->size; r++) s->displs[r] = s->displs[r - 1] + s->counts[r - 1];
  return FC_SUCCESS;
}

/* Adds sum over m of w_m |f_m|^2 / n^2 (f the DFT of a[0..n) with the given stride) into e[m]. */
static void line_spectrum(const double *a, long stride, long n, const double *trig, double *e)
{
  for (long m = 0; m <= n / 2; m++) {
    double re = 0, im = 0;
    for (long i = 0; i < n; i++) {
      long r = (m * i) % n;
      re += a[i * stride] * trig[r];
      im -= a[i * stride] * trig[n + r];
    }
    double w = (m == 0 || 2 * m == n) ? 1.0 : 2.0;
    e[m] += w * (re * re + im * im) / ((double)n * (double)n);
  }
}

/* Gathers the spectra planes (both halves, 3 components) onto rank 0, removes each plane's
 * mean and adds the x spectra of every z line and the z spectra of every x line. */
static fc_err add_spectra(cc_state *s, const fc_field *f, cc_run *run)
{
  long P = 2L * s->nplanes, ny = s->ny, nz = s->nz, nx = s->nx;
  if (!s->nplanes) return FC_SUCCESS;
  for (long i = 0; i < s->d.nxl; i++)
    for (long p = 0; p < P; p++) {
      long j = p % 2 ? ny - 1 - s->jplane[p / 2] : s->jplane[p / 2];
      memcpy(s->send + (i * P + p) * nz * 3, f->data + (i * ny + j) * nz * 3, sizeof(double) * 3 * (size_t)nz);
    }
  FcCallMPI(MPI_Gatherv(s->send, (int)(s->d.nxl * P * nz * 3), MPI_DOUBLE, s->gath, s->counts, s->displs, MPI_DOUBLE, 0,
                        s->comm));
  if (s->rank != 0) return FC_SUCCESS;
  long sx = P * nz * 3; /* stride of x in the gathered array */
  for (long p = 0; p < P; p++)
    for (int c = 0; c < 3; c++) {
      double *a = s->gath + p * nz * 3 + c, mean = 0;
      for (long i = 0; i < nx; i++)
        for (long k = 0; k < nz; k++) mean += a[i * sx + k * 3];
      mean /= (double)(nx * nz);
      for (long i = 0; i < nx; i++)
        for (long k = 0; k < nz; k++) a[i * sx + k * 3] -= mean;
      for (long k = 0; k < nz; k++) line_spectrum(a + k * 3, sx, nx, s->trig, run->spx + (p / 2) * s->nkx);
      for (long i = 0; i < nx; i++) line_spectrum(a + i * sx, 3, nz, s->trig + 2 * nx, run->spz + (p / 2) * s->nkz);
    }
  return FC_SUCCESS;
}

/* Sums -> averages over the lines, both halves and the samples, in wall units. */
static void finish_spectra(const cc_state *s, cc_run *run)
{
  double u2 = s->utau * s->utau, n = (double)run->samples;
  for (long q = 0; q < s->nplanes * s->nkx; q++) run->spx[q] = n > 0 ? run->spx[q] / (2 * n * (double)s->nz * u2) : NAN;
  for (long q = 0; q < s->nplanes * s->nkz; q++) run->spz[q] = n > 0 ? run->spz[q] / (2 * n * (double)s->nx * u2) : NAN;
}

/* ---- the runs ---------------------------------------------------------------------------------- */

static fc_err run_alloc(const cc_state *s, cc_run *run, long nsteps)
{
  FcCall(FcMalloc(nsteps * 6 + 1, &run->time));
  run->err = run->time + nsteps;
  run->err_c = run->err + nsteps;
  run->stime = run->err_c + 3 * nsteps;
  FcCall(FcMalloc((3 + NSUM) * s->ny, &run->shift));
  run->sum = run->shift + 3 * s->ny;
  if (!(run->prof = alloc_nan(NPROF * s->nh))) FcRaiseLocal(FC_ERR_MEMORY, "out of memory");
  FcCall(FcMalloc(s->nplanes * (s->nkx + s->nkz) + 1, &run->spx));
  run->spz = run->spx + s->nplanes * s->nkx;
  return FC_SUCCESS;
}

static int in_window(const cc_state *s, double t)
{
  return (t >= s->t_from || same_time(t, s->t_from)) && (t <= s->t_to || same_time(t, s->t_to));
}

static fc_err add_sample(cc_state *s, const fc_field *f, cc_run *run, double t)
{
  FcCall(add_profiles(s, f, run));
  FcCall(add_spectra(s, f, run));
  run->stime[run->samples - 1] = t;
  return FC_SUCCESS;
}

static fc_err do_reference(cc_state *s)
{
  long nr;
  const fc_step_info *rs;
  cc_run *ref = &s->runs[0];
  FcCall(fc_field_reader_steps(s->rr, &nr, &rs));
  FcCall(run_alloc(s, ref, nr));
  for (long q = 0; q < nr; q++) {
    if (!in_window(s, rs[q].time)) continue;
    FcCall(fc_field_reader_read(s->rr, q, s->fr));
    FcCall(add_sample(s, s->fr, ref, rs[q].time));
  }
  return FC_SUCCESS;
}

/* One pass over a prediction: the error of every snapshot the reference has, the statistics
 * of every snapshot in the window. */
static fc_err do_prediction(cc_state *s, cc_run *run)
{
  long np, nr;
  const fc_step_info *ps, *rs;
  fc_field_reader *pr;
  fc_grid *g;
  FcCall(fc_field_reader_open(s->comm, run->path, &pr));
  fc_err e = fc_field_reader_grid(pr, &g);
  if (!e) e = check_same_grid(s, run->path, g);
  fc_grid_destroy(&g);
  if (!e) e = fc_field_reader_steps(pr, &np, &ps);
  if (!e) e = fc_field_reader_steps(s->rr, &nr, &rs);
  if (!e) e = run_alloc(s, run, np);
  for (long i = 0; i < np && !e; i++) {
    long j = fc_compare_find_time(rs, nr, ps[i].time);
    int stats = in_window(s, ps[i].time);
    if (j < 0 && !stats) continue;
    e = fc_field_reader_read(pr, i, s->fp);
    if (!e && j >= 0) e = fc_field_reader_read(s->rr, j, s->fr);
    if (!e && j >= 0) {
      double loc[8], all[8];
      fc_compare_square_sums(s->fp, s->fr, loc);
      e = MPI_Allreduce(loc, all, 8, MPI_DOUBLE, MPI_SUM, s->comm) == MPI_SUCCESS ? FC_SUCCESS : FC_ERR_MPI;
      run->time[run->nt] = ps[i].time;
      run->err[run->nt] = all[1] > 0 ? sqrt(all[0] / all[1]) : NAN;
      for (int c = 0; c < 3; c++) run->err_c[3 * run->nt + c] = all[5 + c] > 0 ? sqrt(all[2 + c] / all[5 + c]) : NAN;
      run->nt++;
    }
    if (!e && stats) e = add_sample(s, s->fp, run, ps[i].time);
  }
  fc_field_reader_close(&pr);
  return e;
}

/* First matched time of each prediction (checks that one exists) and the statistics window:
 * [compare_stats_from or the first reference snapshot after the earliest first matched time,
 *  the reference's last snapshot]. */
static fc_err plan_window(cc_state *s, int stats_auto)
{
  long nr;
  const fc_step_info *rs;
  FcCall(fc_field_reader_steps(s->rr, &nr, &rs));
  if (nr < 1) FcRaiseComm(s->comm, FC_ERR_INPUT, "reference '%s' holds no snapshots", s->runs[0].path);
  double t0 = INFINITY;
  for (int r = 1; r < s->nruns; r++) {
    fc_field_reader *pr;
    long np;
    const fc_step_info *ps;
    FcCall(fc_field_reader_open(s->comm, s->runs[r].path, &pr));
    fc_err e = fc_field_reader_steps(pr, &np, &ps);
    long i = 0;
    while (!e && i < np && fc_compare_find_time(rs, nr, ps[i].time) < 0) i++;
    double first = !e && i < np ? ps[i].time : NAN, last = !e && np ? ps[np - 1].time : NAN;
    const double begin = !e && np ? ps[0].time : NAN; /* ps is freed with the reader */
    fc_field_reader_close(&pr);
    FcCall(e);
    if (i == np)
      FcRaiseComm(s->comm, FC_ERR_INPUT, "no snapshot of '%s' (%ld snapshot(s), t = %g .. %g) has the time of a "
                                         "snapshot of the reference '%s' (t = %g .. %g)", s->runs[r].path, np,
                  begin, last, s->runs[0].path, rs[0].time, rs[nr - 1].time);
    t0 = fmin(t0, first);
  }
  s->t_to = rs[nr - 1].time;
  if (stats_auto) {
    long q = 0;
    while (q < nr && (rs[q].time < t0 || same_time(rs[q].time, t0))) q++;
    if (q == nr)
      FcRaiseComm(s->comm, FC_ERR_INPUT, "reference '%s' has no snapshot after the first common one (t = %g): nothing "
                                         "to average (set compare_stats_from)", s->runs[0].path, t0);
    s->t_from = rs[q].time;
  } else if (!(rs[nr - 1].time >= s->t_from || same_time(rs[nr - 1].time, s->t_from))) {
    FcRaiseComm(s->comm, FC_ERR_INPUT, "key 'compare_stats_from' = %g: the reference '%s' ends at t = %g: expected a "
                                       "time it reaches", s->t_from, s->runs[0].path, rs[nr - 1].time);
  }
  return FC_SUCCESS;
}

/* ---- summary ---------------------------------------------------------------------------------- */

static long argmax(const double *v, long n)
{
  long b = 0;
  for (long i = 1; i < n; i++)
    if (v[i] > v[b]) b = i;
  return b;
}

static void summarise(cc_state *s)
{
  long nh = s->nh;
  const double *rp = s->runs[0].prof;
  double ref_key[3] = {rp[P_U * nh + nh - 1], rp[P_URMS * nh + argmax(rp + P_URMS * nh, nh)],
                       rp[P_UV * nh + argmax(rp + P_UV * nh, nh)]};
  for (int r = 0; r < s->nruns; r++) {
    cc_run *run = &s->runs[r];
    const double *p = run->prof;
    double key[3] = {p[P_U * nh + nh - 1], p[P_URMS * nh + argmax(p + P_URMS * nh, nh)],
                     p[P_UV * nh + argmax(p + P_UV * nh, nh)]};
    for (int q = 0; q < NCOL; q++) run->row[q] = NAN;
    if (r > 0) {
      run->row[T_STEP1] = run->nt > 1 ? run->err[1] : NAN;
      run->row[T_STEP5] = run->nt > 5 ? run->err[5] : NAN;
      long n = 0;
      double m = 0;
      for (long i = 1; i < run->nt && i <= 10; i++) m += run->err[i], n++;
      run->row[T_MEAN10] = n ? m / (double)n : NAN;
      run->row[T_COUNT10] = (double)n;
    }
    for (int q = 0; q < 3; q++) /* none against a reference value at round-off (e.g. no shear stress) */
      run->row[T_CENTRE + q] = fabs(ref_key[q]) > 1e-10 ? (key[q] - ref_key[q]) / ref_key[q] : NAN;
    run->row[T_WALL] = run->wall;
  }
}

static void cell(FILE *f, double v, const char *fmt)
{
  if (isnan(v)) fputs(" n/a |", f);
  else {
    fputc(' ', f);
    fprintf(f, fmt, v);
    fputs(" |", f);
  }
}

/* The markdown text of the summary (malloc'd). */
static fc_err summary_text(const cc_state *s, char **text)
{
  size_t len;
  FILE *f = open_memstream(text, &len);
  if (!f) FcRaiseLocal(FC_ERR_MEMORY, "cannot build the summary text: %s", strerror(errno));
  const cc_run *ref = &s->runs[0];
  long nh = s->nh;
  fprintf(f, "# Channel comparison against %s\n\n", ref->path);
  fprintf(f, "Reference: `%s`; statistics averaged over t = %g .. %g (%ld reference snapshot(s); each run its own "
             "snapshots in that window); wall units with u_tau = %g, nu = %g (Re_tau = %.4g).\n",
          ref->path, s->t_from, s->t_to, ref->samples, s->utau, s->nu, s->utau * 0.5 * s->g->length[1] / s->nu);
  fprintf(f, "Reference values: centreline U+ = %.4g, peak u_rms+ = %.4g, peak -u'v'+ = %.4g. Steps count the "
             "snapshots after the first matched one (the initial state); statistics errors are relative to the "
             "reference.\n\n",
          ref->prof[P_U * nh + nh - 1], ref->prof[P_URMS * nh + argmax(ref->prof + P_URMS * nh, nh)],
          ref->prof[P_UV * nh + argmax(ref->prof + P_UV * nh, nh)]);
  fputs("| run | rel. L2 step 1 | rel. L2 step 5 | mean rel. L2 steps 1-10 | centreline U+ | peak u_rms+ | "
        "peak -u'v'+ | wall s / unit time |\n|---|---:|---:|---:|---:|---:|---:|---:|\n", f);
  for (int r = 0; r < s->nruns; r++) {
    const double *row = s->runs[r].row;
    fprintf(f, "| %s |", s->runs[r].label);
    cell(f, row[T_STEP1], "%.4f");
    cell(f, row[T_STEP5], "%.4f");
    if (!isnan(row[T_MEAN10]) && row[T_COUNT10] < 10)
      fprintf(f, " %.4f (%g steps) |", row[T_MEAN10], row[T_COUNT10]);
    else cell(f, row[T_MEAN10], "%.4f");
    for (int q = T_CENTRE; q <= T_UV; q++) cell(f, 100 * row[q], "%+.2f%%");
    cell(f, row[T_WALL], "%.4g");
    fputc('\n', f);
  }
  for (int r = 1; r < s->nruns; r++)
    if (!s->runs[r].samples) fprintf(f, "\n%s has no snapshot in the statistics window.\n", s->runs[r].label);
  if (fclose(f) != 0 || !*text) FcRaiseLocal(FC_ERR_MEMORY, "cannot build the summary text");
  return FC_SUCCESS;
}

/* ---- output (rank 0) ------------------------------------------------------------------------- */

typedef struct {
  hid_t loc;
  const char *file;
  fc_err e;
} cc_out;

static void put(cc_out *o, const char *name, int nd, long n0, long n1, hid_t mtype, const void *v)
{
  hsize_t dims[2] = {(hsize_t)n0, (hsize_t)n1};
  if (o->e) return;
  hid_t sp = H5Screate_simple(nd, dims, NULL);
  hid_t d = sp < 0 ? -1 : H5Dcreate2(o->loc, name, mtype == H5T_NATIVE_LONG ? H5T_STD_I64LE : H5T_IEEE_F64LE, sp,
                                     H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  herr_t rc = d < 0 ? -1 : H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  if (d >= 0) H5Dclose(d);
  if (sp >= 0) H5Sclose(sp);
  if (rc < 0) {
    char msg[FC_H5_MSG_LEN];
    fc_h5_last_error(msg, sizeof msg);
    o->e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_IO, __func__, __FILE__, __LINE__,
                          "cannot write dataset '%s' to '%s': %s", name, o->file, msg);
  }
}

static void put1(cc_out *o, const char *name, long n, const double *v) { put(o, name, 1, n, 0, H5T_NATIVE_DOUBLE, v); }

static void attr_d(cc_out *o, const char *name, double v)
{
  if (!o->e) o->e = fc_h5_attr_write_doubles(o->loc, name, 1, &v);
}

static void attr_s(cc_out *o, const char *name, const char *v)
{
  if (!o->e) o->e = fc_h5_attr_write_string(o->loc, name, v);
}

static void open_group(cc_out *o, hid_t file, const char *path)
{
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  o->loc = o->e ? -1 : H5Gcreate2(file, path, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Pclose(lcpl);
  if (!o->e && o->loc < 0)
    o->e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_IO, __func__, __FILE__, __LINE__, "cannot create group %s in '%s'",
                          path, o->file);
}

static void close_group(cc_out *o)
{
  if (o->loc >= 0) H5Gclose(o->loc);
  o->loc = -1;
}

static void write_run(const cc_state *s, cc_out *o, hid_t file, const cc_run *run, int is_ref)
{
  char path[128];
  long nh = s->nh;
  snprintf(path, sizeof path, is_ref ? "/reference" : "/runs/%s", run->label);
  open_group(o, file, path);
  attr_s(o, "file", run->path);
  attr_s(o, "label", run->label);
  attr_d(o, CC_WALL_KEY, run->wall);
  attr_d(o, "samples", (double)run->samples);
  if (!is_ref) {
    put1(o, "time", run->nt, run->time);
    put1(o, "rel_l2", run->nt, run->err);
    put(o, "rel_l2_components", 2, run->nt, 3, H5T_NATIVE_DOUBLE, run->err_c);
  }
  put1(o, "stats_time", run->samples, run->stime);
  for (int q = 0; q < NPROF; q++) put1(o, prof_names[q], nh, run->prof + q * nh);
  put(o, "spectra_x", 2, s->nplanes, s->nkx, H5T_NATIVE_DOUBLE, run->spx);
  put(o, "spectra_z", 2, s->nplanes, s->nkz, H5T_NATIVE_DOUBLE, run->spz);
  close_group(o);
}

static fc_err write_contents(const cc_state *s, hid_t file, const char *case_text)
{
  cc_out o = {file, s->out, FC_SUCCESS};
  long nh = s->nh, np = s->nplanes, version = 1;
  char created[64], labels[CC_LIST_LEN] = "reference";
  time_t now = time(NULL);
  struct tm tmv;
  strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tmv));
  for (int r = 1; r < s->nruns; r++) snprintf(labels + strlen(labels), sizeof labels - strlen(labels), ",%s", s->runs[r].label);
  double *buf = alloc_nan(2 * (nh + np) + s->nkx + s->nkz + NCOL * s->nruns);
  if (!buf) FcRaiseLocal(FC_ERR_MEMORY, "out of memory");
  double *y = buf, *yp = y + nh, *kx = yp + nh, *kz = kx + s->nkx, *py = kz + s->nkz, *pyr = py + np, *tab = pyr + np;
  for (long j = 0; j < nh; j++) y[j] = s->g->coord[1][j], yp[j] = y[j] * s->utau / s->nu;
  for (long m = 0; m < s->nkx; m++) kx[m] = 2 * M_PI * (double)m / s->g->length[0];
  for (long m = 0; m < s->nkz; m++) kz[m] = 2 * M_PI * (double)m / s->g->length[2];
  for (int p = 0; p < np; p++) py[p] = yp[s->jplane[p]], pyr[p] = s->yplus_req[p];
  for (int r = 0; r < s->nruns; r++) memcpy(tab + r * NCOL, s->runs[r].row, sizeof(double) * NCOL);
  attr_s(&o, "schema", CC_SCHEMA);
  if (!o.e) o.e = fc_h5_attr_write_longs(file, "schema_version", 1, &version);
  attr_s(&o, "flowcast_version", FC_VERSION);
  attr_s(&o, "created", created);
  attr_s(&o, "case", case_text ? case_text : "");
  attr_s(&o, "field", "velocity");
  attr_s(&o, "reference", s->runs[0].path);
  attr_s(&o, "labels", labels);
  attr_d(&o, "u_tau", s->utau);
  attr_d(&o, "nu", s->nu);
  attr_d(&o, "stats_from", s->t_from);
  attr_d(&o, "stats_to", s->t_to);
  attr_s(&o, "spectra_normalization",
         "E(k_m) = w_m |f_m|^2 / (n^2 u_tau^2), f the DFT of the plane-mean-removed line, w_m = 1 for m = 0 and m = n/2, "
         "2 otherwise; sum of u, v, w; averaged over the lines of the other direction, both halves and the samples: "
         "sum_m E(k_m) is the plane variance in wall units");
  put1(&o, "y", nh, y);
  put1(&o, "y_plus", nh, yp);
  put1(&o, "kx", s->nkx, kx);
  put1(&o, "kz", s->nkz, kz);
  put1(&o, "spectra_yplus", np, py);
  put1(&o, "spectra_yplus_requested", np, pyr);
  put(&o, "spectra_j", 1, np, 0, H5T_NATIVE_LONG, s->jplane);
  for (int r = 0; r < s->nruns; r++) write_run(s, &o, file, &s->runs[r], r == 0);
  open_group(&o, file, "/summary");
  attr_s(&o, "columns", col_names);
  attr_s(&o, "rows", labels);
  put(&o, "table", 2, s->nruns, NCOL, H5T_NATIVE_DOUBLE, tab);
  close_group(&o);
  free(buf);
  return o.e;
}

/* An I/O failure on rank 0: message from what and errno's text. */
static fc_err io_failure(const char *what)
{
  return fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_IO, __func__, __FILE__, __LINE__, "%s: %s", what, strerror(errno));
}

/* Writes the report to its .partial name. */
static fc_err write_report(const cc_state *s, const char *partial, const char *case_text)
{
  hid_t f = H5Fcreate(partial, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) {
    char msg[FC_H5_MSG_LEN];
    fc_h5_last_error(msg, sizeof msg);
    return fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_IO, __func__, __FILE__, __LINE__, "cannot create '%s': %s", partial,
                          msg);
  }
  fc_err e = write_contents(s, f, case_text);
  if (H5Fclose(f) < 0 && !e)
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_IO, __func__, __FILE__, __LINE__, "cannot close '%s' (disk full?)",
                       partial);
  return e;
}

static fc_err write_text(const char *partial, const char *text)
{
  char what[PATH_MAX + 32];
  snprintf(what, sizeof what, "cannot write '%s'", partial);
  FILE *f = fopen(partial, "w");
  if (!f) return io_failure(what);
  int bad = fputs(text, f) < 0;
  bad |= fclose(f) != 0;
  return bad ? io_failure(what) : FC_SUCCESS;
}

/* Both outputs to .partial names, then both renamed; on failure neither is touched. */
static fc_err write_outputs(const cc_state *s, const char *text, const char *case_text)
{
  char ph[PATH_MAX + 16], pm[PATH_MAX + 16], what[3 * PATH_MAX];
  snprintf(ph, sizeof ph, "%s.partial", s->out);
  snprintf(pm, sizeof pm, "%s.partial", s->md);
  fc_err e = write_report(s, ph, case_text);
  if (!e) e = write_text(pm, text);
  if (!e && rename(ph, s->out) != 0) {
    snprintf(what, sizeof what, "cannot rename '%s' to '%s'", ph, s->out);
    e = io_failure(what);
  }
  if (!e && rename(pm, s->md) != 0) {
    snprintf(what, sizeof what, "cannot rename '%s' to '%s'", pm, s->md);
    e = io_failure(what);
    unlink(s->out); /* both outputs or none */
  }
  if (e) unlink(ph), unlink(pm);
  return e;
}

/* Runs FC_PLOT_PYTHON SCRIPT REPORT (rank 0) and waits for it. */
static fc_err plot(const cc_state *s)
{
  extern char **environ;
  char *argv[] = {FC_PLOT_PYTHON, (char *)s->script, (char *)s->out, NULL};
  pid_t pid;
  int status = 0;
  fflush(stdout);
  int rc = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
  if (rc == 0 && waitpid(pid, &status, 0) < 0) rc = errno;
  if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    char why[64];
    if (rc) snprintf(why, sizeof why, "could not be started (%s)", strerror(rc));
    else if (WIFEXITED(status)) snprintf(why, sizeof why, "exited with status %d", WEXITSTATUS(status));
    else snprintf(why, sizeof why, "was killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_IO, __func__, __FILE__, __LINE__,
                          "plotting failed: '%s %s %s' %s (key compare_plot_script); the report '%s' and the summary "
                          "'%s' are kept", argv[0], s->script, s->out, why, s->out, s->md);
  }
  return FC_SUCCESS;
}

/* ---- driver -------------------------------------------------------------------------------------- */

static fc_err compare(fc_case *c, cc_state *s)
{
  int stats_auto;
  FcCall(read_keys(c, s, &stats_auto));
  for (int r = 0; r < s->nruns; r++) FcCall(read_wall_time(s, &s->runs[r]));
  FcCall(fc_field_reader_open(s->comm, s->runs[0].path, &s->rr));
  FcCall(fc_field_reader_grid(s->rr, &s->g));
  FcCall(check_channel_grid(s->comm, s->runs[0].path, s->g));
  s->nx = s->g->n[0], s->ny = s->g->n[1], s->nz = s->g->n[2];
  s->nh = (s->ny + 1) / 2, s->nkx = s->nx / 2 + 1, s->nkz = s->nz / 2 + 1;
  for (int r = 1; r < s->nruns; r++) {
    fc_field_reader *pr;
    fc_grid *g = NULL;
    FcCall(fc_field_reader_open(s->comm, s->runs[r].path, &pr));
    fc_err e = fc_field_reader_grid(pr, &g);
    if (!e) e = check_same_grid(s, s->runs[r].path, g);
    fc_grid_destroy(&g);
    fc_field_reader_close(&pr);
    FcCall(e);
  }
  FcCall(plan_window(s, stats_auto));
  FcCall(fc_output_prepare(s->comm, s->out));
  FcCall(fc_output_prepare(s->comm, s->md));
  FcCall(fc_decomp_slab(s->comm, s->nx, &s->d));
  FcCall(fc_field_create(s->g, &s->d, "velocity", 3, &s->fp));
  FcCall(fc_field_create(s->g, &s->d, "velocity", 3, &s->fr));
  FcCall(FcMalloc(2 * NSUM * s->ny, &s->work));
  choose_planes(s);
  FcCall(spectra_setup(s));
  FcCall(do_reference(s));
  for (int r = 1; r < s->nruns; r++) FcCall(do_prediction(s, &s->runs[r]));
  for (int r = 0; r < s->nruns; r++) {
    finish_profiles(s, &s->runs[r]);
    finish_spectra(s, &s->runs[r]);
  }
  summarise(s);
  return FC_SUCCESS;
}

static fc_err report(fc_case *c, cc_state *s)
{
  char *text = NULL;
  fc_err e = FC_SUCCESS;
  if (s->rank == 0) {
    e = summary_text(s, &text);
    if (!e) e = write_outputs(s, text, fc_case_file_text(c));
  }
  e = fc_error_from_rank0(s->comm, e);
  if (!e) fc_print(s->comm, "%s\nwrote %s and %s\n", text ? text : "", s->out, s->md);
  free(text);
  FcCall(e);
  if (s->plots) FcCall(fc_error_from_rank0(s->comm, s->rank == 0 ? plot(s) : FC_SUCCESS));
  return FC_SUCCESS;
}

fc_err fc_channel_compare_run(fc_case *c, MPI_Comm comm, int argc, char **argv)
{
  (void)argc, (void)argv;
  cc_state s;
  memset(&s, 0, sizeof s);
  s.comm = comm;
  MPI_Comm_rank(comm, &s.rank);
  MPI_Comm_size(comm, &s.size);
  fc_err e = compare(c, &s);
  if (!e) e = report(c, &s);
  fc_field_reader_close(&s.rr);
  fc_field_destroy(&s.fp);
  fc_field_destroy(&s.fr);
  fc_grid_destroy(&s.g);
  for (int r = 0; r <= CC_MAX_RUNS; r++) {
    cc_run *run = &s.runs[r];
    free(run->path), free(run->label), free(run->time), free(run->shift), free(run->prof), free(run->spx);
  }
  free(s.work), free(s.send), free(s.gath), free(s.counts), free(s.displs), free(s.trig);
  return e;
}

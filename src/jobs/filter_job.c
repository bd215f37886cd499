/* The filter job of `flowcast filter`: filtered DNS on the surrogates' coarse grid, written
 * as trajectory files for training (docs/cases.md, shared/specs/les-channel.md).
 *
 * Input: channel DNS snapshot files (flowcast field files, 3D, x and z periodic with cell
 * centres x_i = (i + 1/2) lx / nx, y the DNS cell centres between walls at 0 and ly; the y
 * faces are the midpoints of neighbouring centres and the walls), field "velocity".
 * Output: for input k, OUTPUT_DIR/traj_%05d.h5 (first_index + k), the same steps (step
 * number and time) with "velocity" on the coarse grid nx_c x ny_c x nz_c: x, z uniform cell
 * centres, y centres of the channel's tanh map (fc_channel_y_centres), faces defined as for
 * the DNS.
 *
 * The filter is separable, a linear map per axis from the n DNS cells to the n_c coarse ones:
 *   box:      the top-hat over each coarse cell: the exact volume integral of the DNS field
 *             taken as piecewise constant over the DNS cells, divided by the coarse cell's
 *             volume. Weight of DNS cell i in coarse cell I = |overlap| / |coarse cell|; on the
 *             periodic axes the overlaps are exact integers in units of L / (n n_c), so nested
 *             grids give plain block averages.
 *   gaussian: in x and z, the Gaussian of variance Delta^2 / 12 (Delta = width factor x coarse
 *             spacing) applied spectrally to the DNS samples, whose trigonometric interpolant
 *             is evaluated at the coarse centres: weight K(X_I - x_i) with
 *             K(d) = (1/n) sum_k exp(-k^2 Delta^2 / 24) cos(k d) over the DNS wavenumbers (the
 *             Nyquist one once), so a single Fourier mode comes out multiplied by exactly
 *             exp(-k^2 Delta^2 / 24); in y the top-hat over the coarse cell as for box.
 *
 * Parallelism: each rank reads its x-slab of DNS planes (FFTW-MPI blocks of the DNS nx),
 * reduces every plane in y then z (nyc x nzc values per plane), the reduced planes are
 * gathered on every rank (small: nx x nyc x nzc x 3) and each rank applies the x map to its
 * x-slab of the coarse grid, summing over the DNS planes in a fixed order: the files are bit
 * for bit the same at any rank count. The field writer is collective over the coarse slabs.
 *
 * Every input is checked before anything is written (file, schema, 3D channel grid, box
 * shared by all inputs, coarse grid not finer than the DNS, the selected steps and their
 * "velocity" datasets), so a bad input leaves no output; a failure while filtering discards
 * the trajectory in progress (never half-written) and keeps finished ones. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fc_channel.h"
#include "fc_io.h"
#include "fc_jobs.h"
#include "fc_log.h"

#define FILTER_MAX_INPUTS 100000

static const fc_key filter_keys[] = {
    {"filter_input", FC_KEY_STRING, "", 0, 0, NULL,
     "DNS snapshot file (flowcast simulate's channel snapshots); a comma-separated or YAML list gives one "
     "trajectory per file"},
    {"filter_output_dir", FC_KEY_STRING, "output/filtered", 0, 0, NULL,
     "directory of the trajectory files traj_%05d.h5 (one per input file)"},
    {"filter_first_index", FC_KEY_INT, "0", 0, 9999999, NULL,
     "number of the first trajectory file: input k is written to traj_%05d of first_index + k"},
    {"filter_nx", FC_KEY_INT, "32", 2, 1 << 20, NULL, "coarse cells along x (uniform; at most the DNS nx)"},
    {"filter_ny", FC_KEY_INT, "33", 2, 1 << 20, NULL,
     "coarse cells along y (tanh map of the channel solver; at most the DNS ny)"},
    {"filter_nz", FC_KEY_INT, "16", 2, 1 << 20, NULL, "coarse cells along z (uniform; at most the DNS nz)"},
    {"filter_stretch", FC_KEY_REAL, "1.8", 0, 20, NULL,
     "tanh parameter of the coarse y centres (as the channel solver's; 0: uniform); the LES case uses the same"},
    {"filter_type", FC_KEY_CHOICE, "box", 0, 0, "box,gaussian",
     "box: top-hat over each coarse cell (exact volume average); gaussian: Gaussian in x and z, top-hat in y"},
    {"filter_width_factor", FC_KEY_REAL, "2", 1e-3, 100, NULL,
     "gaussian: width Delta = factor x coarse spacing in x and z (variance Delta^2/12)"},
    {"filter_steps_from", FC_KEY_INT, "0", 0, 9.0e15, NULL, "filter the snapshots whose step number is >= this"},
    {"filter_steps_every", FC_KEY_INT, "1", 1, 1.0e9, NULL,
     "of those, filter every this-many-th snapshot (in file order; 1: all)"},
    {"filter_output_precision", FC_KEY_CHOICE, "float32", 0, 0, "float32,float64",
     "precision of the stored filtered velocity"},
};

typedef enum { FILTER_BOX = 0, FILTER_GAUSSIAN = 1 } filter_type;

typedef struct {
  char **inputs;
  int ninputs;
  char dir[PATH_MAX - 64]; /* room for "/traj_%05ld.h5" */
  long first, nc[3], steps_from, steps_every;
  double stretch, width_factor;
  filter_type type;
  fc_precision precision;
} filter_config;

/* One input file, checked: its grid, the selected steps, the parameters it carries. */
typedef struct {
  const char *path;
  fc_grid *grid;
  long nsel;
  long *sel;     /* step indices in file order */
  long *step;    /* their step numbers */
  double *time;  /* and times */
  int has_nu, has_ub, has_stretch;
  double nu, ub, stretch;
} filter_input;

/* A linear map from n DNS cells to nc coarse ones along one axis: dense rows w[I][i], of
 * which columns [lo[I], hi[I]) may be non-zero. */
typedef struct {
  long nc, n;
  long *lo, *hi;
  double *w;
} filter_op;

fc_err fc_filter_job_declare(fc_case *c)
{
  FcCall(fc_case_add_keys(c, "filter", filter_keys, (int)(sizeof filter_keys / sizeof filter_keys[0])));
  return FC_SUCCESS;
}

/* ---- keys -------------------------------------------------------------------------------- */

static void free_inputs(filter_config *cf)
{
  for (int k = 0; k < cf->ninputs; k++) free(cf->inputs[k]);
  free(cf->inputs);
  cf->inputs = NULL;
  cf->ninputs = 0;
}

/* Splits the comma-separated list of filter_input (spaces around names are dropped). */
static fc_err split_inputs(const char *list, filter_config *cf)
{
  int n = 1;
  for (const char *p = list; *p; p++) n += *p == ',';
  if (n > FILTER_MAX_INPUTS)
    FcRaise(FC_ERR_INPUT, "key 'filter_input' lists %d files: at most %d per run", n, FILTER_MAX_INPUTS);
  FcCall(FcMalloc(n, &cf->inputs));
  const char *p = list;
  for (int k = 0; k < n; k++) {
    const char *end = strchr(p, ',');
    if (!end) end = p + strlen(p);
    const char *a = p, *b = end;
    while (a < b && (*a == ' ' || *a == '\t')) a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
    size_t len = (size_t)(b - a);
    if (len == 0)
      FcRaise(FC_ERR_INPUT, "key 'filter_input' = '%s': item %d of the comma-separated list is empty, expected a file "
                            "name", list, k + 1);
    if (len >= PATH_MAX) FcRaise(FC_ERR_INPUT, "key 'filter_input': file name %d is too long", k + 1);
    FcCall(FcMalloc(len + 1, &cf->inputs[k]));
    memcpy(cf->inputs[k], a, len);
    cf->ninputs = k + 1;
    p = *end ? end + 1 : end;
  }
  return FC_SUCCESS;
}

/* inputs: the comma-separated input list given by a calling job (any length), or NULL for
 * the case's key filter_input */
static fc_err read_config(fc_case *c, filter_config *cf, const char *inputs)
{
  char buf[64];
  if (inputs) {
    FcCall(split_inputs(inputs, cf));
  } else {
    char *list;
    FcCall(FcMalloc(8192, &list));
    fc_err e = fc_case_get_string(c, "filter_input", list, 8192);
    if (!e) e = split_inputs(list, cf);
    free(list);
    FcCall(e);
  }
  FcCall(fc_case_get_string(c, "filter_output_dir", cf->dir, sizeof cf->dir));
  FcCall(fc_case_get_int(c, "filter_first_index", &cf->first));
  FcCall(fc_case_get_int(c, "filter_nx", &cf->nc[0]));
  FcCall(fc_case_get_int(c, "filter_ny", &cf->nc[1]));
  FcCall(fc_case_get_int(c, "filter_nz", &cf->nc[2]));
  FcCall(fc_case_get_real(c, "filter_stretch", &cf->stretch));
  FcCall(fc_case_get_string(c, "filter_type", buf, sizeof buf));
  cf->type = strcmp(buf, "gaussian") ? FILTER_BOX : FILTER_GAUSSIAN;
  FcCall(fc_case_get_real(c, "filter_width_factor", &cf->width_factor));
  FcCall(fc_case_get_int(c, "filter_steps_from", &cf->steps_from));
  FcCall(fc_case_get_int(c, "filter_steps_every", &cf->steps_every));
  FcCall(fc_case_get_string(c, "filter_output_precision", buf, sizeof buf));
  FcCall(fc_precision_parse(buf, &cf->precision));
  FcCall(fc_case_check_unknown(c));
  if (!cf->dir[0]) FcRaise(FC_ERR_INPUT, "key 'filter_output_dir' is empty: expected a directory name");
  if (cf->first + cf->ninputs > 10000000)
    FcRaise(FC_ERR_INPUT, "trajectories %ld to %ld: the last index must stay below 10000000 (filter_first_index)",
            cf->first, cf->first + cf->ninputs - 1);
  return FC_SUCCESS;
}

static void trajectory_path(const filter_config *cf, int k, char *buf, size_t len)
{
  snprintf(buf, len, "%s/traj_%05ld.h5", cf->dir, cf->first + k);
}

/* ---- the per-axis maps --------------------------------------------------------------------- */

static void op_free(filter_op *op)
{
  free(op->lo);
  free(op->hi);
  free(op->w);
  memset(op, 0, sizeof *op);
}

static fc_err op_alloc(long nc, long n, filter_op *op)
{
  op->nc = nc;
  op->n = n;
  fc_err e = FcMalloc(nc, &op->lo);
  if (!e) e = FcMalloc(nc, &op->hi);
  if (!e) e = FcMalloc(nc * n, &op->w);
  if (e) op_free(op);
  return e;
}

/* Top-hat on a periodic uniform axis: DNS cell i = [i nc, (i+1) nc] and coarse cell
 * I = [I n, (I+1) n] in units of L / (n nc), so the overlaps are exact integers. */
static fc_err op_box_periodic(long n, long nc, filter_op *op)
{
  FcCall(op_alloc(nc, n, op));
  for (long I = 0; I < nc; I++) {
    const long a = I * n, b = (I + 1) * n;
    op->lo[I] = a / nc;
    op->hi[I] = (b + nc - 1) / nc;
    for (long i = op->lo[I]; i < op->hi[I]; i++) {
      long lo = i * nc > a ? i * nc : a, hi = (i + 1) * nc < b ? (i + 1) * nc : b;
      op->w[I * n + i] = (double)(hi - lo) / (double)n;
    }
  }
  return FC_SUCCESS;
}

/* Top-hat between walls: weight of DNS cell [f_j, f_j+1] in coarse cell [F_J, F_J+1] is the
 * length of their overlap over the coarse width. */
static fc_err op_box_walls(long n, const double *f, long nc, const double *F, filter_op *op)
{
  FcCall(op_alloc(nc, n, op));
  long j0 = 0;
  for (long J = 0; J < nc; J++) {
    const double a = F[J], b = F[J + 1], width = b - a;
    while (j0 < n - 1 && f[j0 + 1] <= a) j0++; /* first DNS cell ending after a */
    op->lo[J] = j0;
    long j = j0;
    for (; j < n && f[j] < b; j++) {
      double lo = f[j] > a ? f[j] : a, hi = f[j + 1] < b ? f[j + 1] : b;
      op->w[J * n + j] = hi > lo ? (hi - lo) / width : 0.0;
    }
    op->hi[J] = j > j0 ? j : j0 + 1;
  }
  return FC_SUCCESS;
}

/* Gaussian of width delta on a periodic axis of length L, sampled at the coarse centres from
 * the trigonometric interpolant of the DNS samples (see the header comment). */
static fc_err op_gaussian_periodic(long n, long nc, double length, double delta, filter_op *op)
{
  FcCall(op_alloc(nc, n, op));
  const long kmax = (n - 1) / 2; /* modes 1 .. kmax twice (+k, -k); the Nyquist mode n/2 once */
  double *g;
  FcCall(FcMalloc(n / 2 + 1, &g));
  for (long m = 0; m <= n / 2; m++) {
    double k = 2.0 * M_PI * (double)m / length;
    g[m] = exp(-k * k * delta * delta / 24.0);
  }
  for (long I = 0; I < nc; I++) {
    op->lo[I] = 0;
    op->hi[I] = n;
    const double X = ((double)I + 0.5) * length / (double)nc;
    for (long i = 0; i < n; i++) {
      const double d = 2.0 * M_PI * (X - ((double)i + 0.5) * length / (double)n) / length; /* phase of mode 1 */
      double s = g[0];
      for (long m = 1; m <= kmax; m++) s += 2.0 * g[m] * cos((double)m * d);
      if (n % 2 == 0) s += g[n / 2] * cos((double)(n / 2) * d);
      op->w[I * n + i] = s / (double)n;
    }
  }
  free(g);
  return FC_SUCCESS;
}

/* ---- checking the inputs --------------------------------------------------------------------- */

static void input_free(filter_input *in)
{
  fc_grid_destroy(&in->grid);
  free(in->sel);
  free(in->step);
  free(in->time);
  memset(in, 0, sizeof *in);
}

static const char *axis_name(int a) { return a == 0 ? "x" : a == 1 ? "y" : "z"; }

/* The grid of a channel snapshot: 3D, x and z periodic cell centres, y centres inside the walls;
 * the same box as the first input; not coarser than the coarse grid. */
static fc_err check_grid(const filter_config *cf, const filter_input *in, const filter_input *first)
{
  const fc_grid *g = in->grid;
  const char *path = in->path;
  if (g->ndim != 3)
    FcRaise(FC_ERR_INPUT, "file '%s' holds a 2D grid (%ld x %ld): expected a 3D channel DNS snapshot (x, y, z)", path,
            g->n[0], g->n[1]);
  for (int a = 0; a < 3; a++) {
    const int want = a != 1;
    if (g->periodic[a] != want)
      FcRaise(FC_ERR_INPUT, "file '%s': the grid's %s axis is %s, expected %s (a channel: x and z periodic, walls in y)",
              path, axis_name(a), g->periodic[a] ? "periodic" : "wall-bounded", want ? "periodic" : "wall-bounded");
  }
  for (int a = 0; a < 3; a += 2) {
    const double h = g->length[a] / (double)g->n[a];
    for (long i = 0; i < g->n[a]; i++)
      if (fabs(g->coord[a][i] - ((double)i + 0.5) * h) > 1e-9 * g->length[a])
        FcRaise(FC_ERR_INPUT,
                "file '%s': /grid/%s[%ld] = %.17g is not the cell centre (%ld + 1/2) l%s / n%s = %.17g: expected the "
                "channel solver's cell-centred coordinates",
                path, axis_name(a), i, g->coord[a][i], i, axis_name(a), axis_name(a), ((double)i + 0.5) * h);
  }
  const double *y = g->coord[1];
  const long ny = g->n[1];
  if (!(y[0] > 0) || !(y[ny - 1] < g->length[1]))
    FcRaise(FC_ERR_INPUT,
            "file '%s': /grid/y runs from %.17g to %.17g, expected cell centres strictly inside the walls (0, ly = %g)",
            path, y[0], y[ny - 1], g->length[1]);
  if (first && first != in) {
    for (int a = 0; a < 3; a++)
      if (fabs(g->length[a] - first->grid->length[a]) > 1e-12 * first->grid->length[a])
        FcRaise(FC_ERR_INPUT,
                "file '%s': box %.17g x %.17g x %.17g differs from that of '%s' (%.17g x %.17g x %.17g) along %s: all "
                "inputs must share one box",
                path, g->length[0], g->length[1], g->length[2], first->path, first->grid->length[0],
                first->grid->length[1], first->grid->length[2], axis_name(a));
  }
  for (int a = 0; a < 3; a++)
    if (cf->nc[a] > g->n[a])
      FcRaise(FC_ERR_INPUT,
              "coarse grid %ld x %ld x %ld is finer than the DNS grid %ld x %ld x %ld of file '%s' along %s: expected "
              "filter_n%s <= %ld",
              cf->nc[0], cf->nc[1], cf->nc[2], g->n[0], g->n[1], g->n[2], path, axis_name(a), axis_name(a), g->n[a]);
  return FC_SUCCESS;
}

/* Steps filter_steps_from onwards, every filter_steps_every-th in file order. */
static fc_err select_steps(const filter_config *cf, filter_input *in, long nsteps, const fc_step_info *steps)
{
  if (nsteps == 0) FcRaise(FC_ERR_INPUT, "file '%s' holds no steps (/steps is empty): nothing to filter", in->path);
  FcCall(FcMalloc(nsteps, &in->sel));
  FcCall(FcMalloc(nsteps, &in->step));
  FcCall(FcMalloc(nsteps, &in->time));
  long kept = 0;
  for (long s = 0; s < nsteps; s++) {
    if (steps[s].step < cf->steps_from) continue;
    if (kept++ % cf->steps_every) continue;
    in->sel[in->nsel] = s;
    in->step[in->nsel] = steps[s].step;
    in->time[in->nsel] = steps[s].time;
    in->nsel++;
  }
  if (in->nsel == 0)
    FcRaise(FC_ERR_INPUT, "file '%s' has no step >= filter_steps_from = %ld (its %ld step(s) run from %ld to %ld)",
            in->path, cf->steps_from, nsteps, steps[0].step, steps[nsteps - 1].step);
  return FC_SUCCESS;
}

/* Rank 0 alone: the "velocity" dataset of every selected step (a 3D vector of 3 floating-point
 * components on the file's grid) and the optional parameters. The messages are printed here;
 * the verdict reaches the other ranks through fc_error_from_rank0. */
static fc_err check_velocity_rank0(const filter_input *in, const fc_step_info *steps, double *params)
{
  const fc_grid *g = in->grid;
  const char *path = in->path;
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0)
    return fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                          "file '%s' cannot be opened by HDF5 (truncated or corrupted?)", path);
  fc_err e = FC_SUCCESS;
  for (long s = 0; s < in->nsel && !e; s++) {
    char dset[64];
    snprintf(dset, sizeof dset, "%s/velocity", steps[in->sel[s]].group);
    H5O_info_t oi;
    if (H5Lexists(file, dset, H5P_DEFAULT) <= 0 || H5Oget_info_by_name(file, dset, &oi, H5P_DEFAULT) < 0) {
      e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                         "file '%s': step %s has no dataset 'velocity' (expected the DNS velocity u, v, w at the "
                         "cell centres)",
                         path, steps[in->sel[s]].group);
      break;
    }
    if (oi.type != H5O_TYPE_DATASET) {
      e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                         "file '%s': '%s' is not a dataset (expected the DNS velocity u, v, w)", path, dset);
      break;
    }
    hid_t d = H5Dopen2(file, dset, H5P_DEFAULT);
    hid_t sp = d < 0 ? -1 : H5Dget_space(d), ty = d < 0 ? -1 : H5Dget_type(d);
    int nd = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
    hsize_t dims[H5S_MAX_RANK];
    if (nd > 0 && nd <= H5S_MAX_RANK) H5Sget_simple_extent_dims(sp, dims, NULL);
    const hsize_t want[4] = {(hsize_t)g->n[2], (hsize_t)g->n[1], (hsize_t)g->n[0], 3};
    if (d < 0 || nd < 0)
      e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                         "file '%s': dataset '%s' cannot be opened (corrupted?)", path, dset);
    else if (H5Tget_class(ty) != H5T_FLOAT)
      e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                         "file '%s': dataset '%s' does not hold floating-point values (expected float32 or float64)",
                         path, dset);
    else if (nd == 3 && dims[0] == want[0] && dims[1] == want[1] && dims[2] == want[2])
      e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                         "file '%s': dataset '%s' is a scalar field, expected 3 components (u, v, w)", path, dset);
    else if (nd == 4 && dims[0] == want[0] && dims[1] == want[1] && dims[2] == want[2] && dims[3] != 3)
      e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                         "file '%s': dataset '%s' has %llu components, expected 3 (u, v, w)", path, dset,
                         (unsigned long long)dims[3]);
    else if (nd != 4 || memcmp(dims, want, sizeof want) != 0) {
      char have[128] = "";
      size_t p = 0;
      for (int k = 0; k < nd && k < 8 && p < sizeof have; k++)
        p += (size_t)snprintf(have + p, sizeof have - p, "%s%llu", k ? " x " : "", (unsigned long long)dims[k]);
      e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                         "file '%s': dataset '%s' has shape %s, expected %ld x %ld x %ld x 3 (z, y, x, components "
                         "of the file's %ld x %ld x %ld grid)",
                         path, dset, nd > 0 ? have : "(scalar)", g->n[2], g->n[1], g->n[0], g->n[0], g->n[1],
                         g->n[2]);
    }
    if (ty >= 0) H5Tclose(ty);
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
  }
  /* optional parameters: params[2q] = present, params[2q + 1] = value */
  static const char *names[3] = {"nu", "bulk_velocity", "stretch"};
  hid_t pg = !e && H5Lexists(file, "/parameters", H5P_DEFAULT) > 0 ? H5Gopen2(file, "/parameters", H5P_DEFAULT) : -1;
  for (int q = 0; q < 3 && pg >= 0; q++) {
    if (H5Aexists(pg, names[q]) <= 0) continue;
    hid_t a = H5Aopen(pg, names[q], H5P_DEFAULT);
    hid_t sp = a < 0 ? -1 : H5Aget_space(a);
    double v;
    if (a >= 0 && H5Sget_simple_extent_npoints(sp) == 1 && H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0 && isfinite(v)) {
      params[2 * q] = 1;
      params[2 * q + 1] = v;
    }
    if (sp >= 0) H5Sclose(sp);
    if (a >= 0) H5Aclose(a);
  }
  if (pg >= 0) H5Gclose(pg);
  H5Fclose(file);
  return e;
}

/* Opens, checks and closes input k (collective). */
static fc_err check_input(MPI_Comm comm, const filter_config *cf, filter_input *in, const filter_input *first)
{
  fc_field_reader *r;
  long nsteps;
  const fc_step_info *steps;
  int rank;
  FcCallMPI(MPI_Comm_rank(comm, &rank));
  FcCall(fc_field_reader_open(comm, in->path, &r));
  fc_err e = fc_field_reader_grid(r, &in->grid);
  if (!e) e = fc_field_reader_steps(r, &nsteps, &steps);
  if (!e) e = check_grid(cf, in, first);
  if (!e) e = select_steps(cf, in, nsteps, steps);
  /* the reader's step list outlives its close: copy the group names first */
  fc_step_info *copy = NULL;
  if (!e) e = FcMalloc(nsteps, &copy);
  if (!e) memcpy(copy, steps, sizeof *copy * (size_t)nsteps);
  fc_field_reader_close(&r);
  FcCall(e);
  double params[6] = {0, 0, 0, 0, 0, 0};
  e = rank == 0 ? check_velocity_rank0(in, copy, params) : FC_SUCCESS;
  free(copy);
  FcCall(fc_error_from_rank0(comm, e));
  FcCallMPI(MPI_Bcast(params, 6, MPI_DOUBLE, 0, comm));
  in->has_nu = params[0] != 0;
  in->nu = params[1];
  in->has_ub = params[2] != 0;
  in->ub = params[3];
  in->has_stretch = params[4] != 0;
  in->stretch = params[5];
  return FC_SUCCESS;
}

/* An output path that is one of the inputs would be replaced before it is read. */
static fc_err check_outputs(MPI_Comm comm, const filter_config *cf)
{
  int rank, clash = -1, with = -1;
  FcCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0)
    for (int k = 0; k < cf->ninputs && clash < 0; k++) {
      char path[PATH_MAX];
      struct stat so, si;
      trajectory_path(cf, k, path, sizeof path);
      if (stat(path, &so) != 0) continue;
      for (int j = 0; j < cf->ninputs; j++)
        if (stat(cf->inputs[j], &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
          clash = k;
          with = j;
          break;
        }
    }
  FcCallMPI(MPI_Bcast(&clash, 1, MPI_INT, 0, comm));
  FcCallMPI(MPI_Bcast(&with, 1, MPI_INT, 0, comm));
  if (clash >= 0) {
    char path[PATH_MAX];
    trajectory_path(cf, clash, path, sizeof path);
    FcRaiseComm(comm, FC_ERR_INPUT,
                "output file '%s' is the input file '%s': it would be replaced (choose another filter_output_dir or "
                "filter_first_index)",
                path, cf->inputs[with]);
  }
  return FC_SUCCESS;
}

/* ---- filtering ------------------------------------------------------------------------------- */

typedef struct {
  fc_grid *coarse;
  fc_decomp dc; /* coarse x-slabs */
  fc_field *out;
  double *yc, *Fy; /* coarse y centres and faces */
  /* per input */
  fc_field *u;  /* DNS velocity slab */
  filter_op ox, oy, oz;
  double *ybuf, *red, *all; /* one plane reduced in y, this rank's reduced planes, all of them */
  int *counts, *displs;
  fc_field_writer *writer;
} filter_state;

static fc_err make_coarse_grid(MPI_Comm comm, const filter_config *cf, const fc_grid *dns, filter_state *st)
{
  const long *nc = cf->nc;
  double *coord[3] = {NULL, NULL, NULL};
  fc_err e = FC_SUCCESS;
  for (int a = 0; a < 3 && !e; a++) e = FcMalloc(nc[a], &coord[a]);
  if (!e) e = FcMalloc(nc[1], &st->yc);
  if (!e) e = FcMalloc(nc[1] + 1, &st->Fy);
  if (!e) {
    for (int a = 0; a < 3; a += 2)
      for (long i = 0; i < nc[a]; i++) coord[a][i] = ((double)i + 0.5) * dns->length[a] / (double)nc[a];
    fc_channel_y_centres(nc[1], dns->length[1], cf->stretch, st->yc);
    memcpy(coord[1], st->yc, sizeof(double) * (size_t)nc[1]);
    fc_channel_y_faces(nc[1], dns->length[1], st->yc, st->Fy);
    const int periodic[3] = {1, 0, 1};
    e = fc_grid_create_from_coords(3, nc, dns->length, periodic, coord, &st->coarse);
  }
  for (int a = 0; a < 3; a++) free(coord[a]);
  FcCall(e);
  st->coarse->stretch[1] = cf->stretch;
  FcCall(fc_decomp_slab(comm, nc[0], &st->dc));
  FcCall(fc_field_create(st->coarse, &st->dc, "velocity", 3, &st->out));
  return FC_SUCCESS;
}

static void release_input(filter_state *st)
{
  if (st->writer) fc_field_writer_discard(&st->writer); /* never half-written */
  fc_field_destroy(&st->u);
  op_free(&st->ox);
  op_free(&st->oy);
  op_free(&st->oz);
  free(st->ybuf);
  free(st->red);
  free(st->all);
  free(st->counts);
  free(st->displs);
  st->ybuf = st->red = st->all = NULL;
  st->counts = st->displs = NULL;
}

/* The maps and buffers of one input (every rank builds the same maps). */
static fc_err prepare_input(MPI_Comm comm, const filter_config *cf, const filter_input *in, filter_state *st)
{
  const fc_grid *g = in->grid;
  const long nx = g->n[0], ny = g->n[1], nz = g->n[2], *nc = cf->nc;
  const long plane = nc[1] * nc[2] * 3;
  fc_decomp df;
  int size;
  FcCallMPI(MPI_Comm_size(comm, &size));
  FcCall(fc_decomp_slab(comm, nx, &df));
  if ((double)nx * (double)plane > (double)INT_MAX)
    FcRaise(FC_ERR_INPUT, "file '%s': %ld DNS planes of %ld x %ld coarse points are too many to gather (more than "
                          "2^31 values)", in->path, nx, nc[1], nc[2]);
  FcCall(fc_field_create(g, &df, "velocity", 3, &st->u));
  double *fy;
  FcCall(FcMalloc(ny + 1, &fy));
  fc_channel_y_faces(ny, g->length[1], g->coord[1], fy);
  fc_err e = op_box_walls(ny, fy, nc[1], st->Fy, &st->oy);
  free(fy);
  FcCall(e);
  if (cf->type == FILTER_BOX) {
    FcCall(op_box_periodic(nx, nc[0], &st->ox));
    FcCall(op_box_periodic(nz, nc[2], &st->oz));
  } else {
    FcCall(op_gaussian_periodic(nx, nc[0], g->length[0], cf->width_factor * g->length[0] / (double)nc[0], &st->ox));
    FcCall(op_gaussian_periodic(nz, nc[2], g->length[2], cf->width_factor * g->length[2] / (double)nc[2], &st->oz));
  }
  FcCall(FcMalloc(nc[1] * nz * 3, &st->ybuf));
  FcCall(FcMalloc(df.nxl * plane + 1, &st->red));
  FcCall(FcMalloc(nx * plane, &st->all));
  FcCall(FcMalloc(size, &st->counts));
  FcCall(FcMalloc(size, &st->displs));
  return FC_SUCCESS;
}

/* Who holds how many reduced values (collective). */
static fc_err gather_counts(MPI_Comm comm, filter_state *st)
{
  int size, mine = (int)(st->u->decomp.nxl * st->oy.nc * st->oz.nc * 3);
  FcCallMPI(MPI_Comm_size(comm, &size));
  FcCallMPI(MPI_Allgather(&mine, 1, MPI_INT, st->counts, 1, MPI_INT, comm));
  for (int r = 1; r < size; r++) st->displs[r] = st->displs[r - 1] + st->counts[r - 1];
  return FC_SUCCESS;
}

/* The DNS slab in st->u -> the coarse slab in st->out. */
static fc_err filter_snapshot(MPI_Comm comm, filter_state *st)
{
  const fc_field *u = st->u;
  const long ny = u->grid->n[1], nz = u->grid->n[2], nyc = st->oy.nc, nzc = st->oz.nc;
  const long plane = nyc * nzc * 3, row = nz * 3;
  for (long i = 0; i < u->decomp.nxl; i++) {
    const double *a = u->data + i * ny * row;
    /* y: ybuf[J][k][c] = sum_j Wy[J][j] a[j][k][c] */
    for (long J = 0; J < nyc; J++) {
      double *b = st->ybuf + J * row;
      for (long q = 0; q < row; q++) b[q] = 0.0;
      for (long j = st->oy.lo[J]; j < st->oy.hi[J]; j++) {
        const double w = st->oy.w[J * ny + j];
        const double *s = a + j * row;
        for (long q = 0; q < row; q++) b[q] += w * s[q];
      }
    }
    /* z: red[J][K][c] = sum_k Wz[K][k] ybuf[J][k][c] */
    double *r = st->red + i * plane;
    for (long J = 0; J < nyc; J++)
      for (long K = 0; K < nzc; K++) {
        double s0 = 0, s1 = 0, s2 = 0;
        const double *b = st->ybuf + J * row;
        for (long k = st->oz.lo[K]; k < st->oz.hi[K]; k++) {
          const double w = st->oz.w[K * nz + k];
          s0 += w * b[3 * k];
          s1 += w * b[3 * k + 1];
          s2 += w * b[3 * k + 2];
        }
        double *o = r + (J * nzc + K) * 3;
        o[0] = s0;
        o[1] = s1;
        o[2] = s2;
      }
  }
  FcCallMPI(MPI_Allgatherv(st->red, (int)(u->decomp.nxl * plane), MPI_DOUBLE, st->all, st->counts, st->displs,
                           MPI_DOUBLE, comm));
  /* x: out[I][p] = sum_i Wx[I][i] all[i][p], i in increasing order on every rank */
  const long nx = st->ox.n;
  for (long I = 0; I < st->dc.nxl; I++) {
    const long gI = st->dc.x0 + I;
    double *o = st->out->data + I * plane;
    for (long p = 0; p < plane; p++) o[p] = 0.0;
    for (long i = st->ox.lo[gI]; i < st->ox.hi[gI]; i++) {
      const double w = st->ox.w[gI * nx + i];
      const double *s = st->all + i * plane;
      for (long p = 0; p < plane; p++) o[p] += w * s[p];
    }
  }
  return FC_SUCCESS;
}

/* Volume mean of the u component over a slab: x and z uniform, y cells given by faces. */
static fc_err bulk_u(const fc_field *f, const double *faces, double *mean)
{
  const long ny = f->grid->n[1], nz = f->grid->n[2];
  double s = 0;
  for (long i = 0; i < f->decomp.nxl; i++)
    for (long j = 0; j < ny; j++) {
      double line = 0;
      const double *a = f->data + (i * ny + j) * nz * 3;
      for (long k = 0; k < nz; k++) line += a[3 * k];
      s += line * (faces[j + 1] - faces[j]);
    }
  FcCallMPI(MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_DOUBLE, MPI_SUM, f->decomp.comm));
  *mean = s / ((double)f->grid->n[0] * (double)nz * f->grid->length[1]);
  return FC_SUCCESS;
}

/* The attributes and parameters of trajectory k. */
static fc_err describe_output(fc_case *c, int argc, char **argv, const filter_config *cf, const filter_input *in,
                              filter_state *st)
{
  fc_field_writer *w = st->writer;
  const fc_grid *g = in->grid;
  const double hx = g->length[0] / (double)cf->nc[0], hz = g->length[2] / (double)cf->nc[2];
  const double f = cf->type == FILTER_GAUSSIAN ? cf->width_factor : 1.0;
  FcCall(fc_field_writer_provenance(w, fc_case_file_path(c), fc_case_file_text(c), argc, argv));
  if (in->has_nu) FcCall(fc_field_writer_parameter(w, "nu", in->nu));
  if (in->has_ub) FcCall(fc_field_writer_parameter(w, "bulk_velocity", in->ub));
  FcCall(fc_field_writer_parameter(w, "stretch", cf->stretch)); /* this file's y map */
  if (in->has_stretch) FcCall(fc_field_writer_parameter(w, "dns_stretch", in->stretch));
  FcCall(fc_field_writer_parameter(w, "dns_nx", (double)g->n[0]));
  FcCall(fc_field_writer_parameter(w, "dns_ny", (double)g->n[1]));
  FcCall(fc_field_writer_parameter(w, "dns_nz", (double)g->n[2]));
  FcCall(fc_field_writer_parameter(w, "filter_width_x", f * hx));
  FcCall(fc_field_writer_parameter(w, "filter_width_z", f * hz));
  if (cf->type == FILTER_GAUSSIAN) FcCall(fc_field_writer_parameter(w, "filter_width_factor", cf->width_factor));
  char text[256];
  FcCall(fc_field_writer_string(w, "/filter", "type", cf->type == FILTER_GAUSSIAN ? "gaussian" : "box"));
  FcCall(fc_field_writer_string(
      w, "/filter", "kernel",
      cf->type == FILTER_GAUSSIAN
          ? "x, z: Gaussian of variance Delta^2/12 (transfer exp(-k^2 Delta^2/24)) applied spectrally, sampled at "
            "the coarse centres; y: top-hat over the coarse cell"
          : "top-hat over each coarse cell: exact volume average of the DNS cells (piecewise constant)"));
  snprintf(text, sizeof text, "%.17g", f * hx);
  FcCall(fc_field_writer_string(w, "/filter", "width_x", text));
  FcCall(fc_field_writer_string(w, "/filter", "width_y", "coarse cell"));
  snprintf(text, sizeof text, "%.17g", f * hz);
  FcCall(fc_field_writer_string(w, "/filter", "width_z", text));
  FcCall(fc_field_writer_string(w, "/filter", "input_file", in->path));
  return FC_SUCCESS;
}

/* Trajectory k: every selected snapshot of input k, filtered and written. */
static fc_err filter_input_file(fc_case *c, MPI_Comm comm, int argc, char **argv, const filter_config *cf,
                                const filter_input *in, int k, filter_state *st, fc_progress *prog, long *done)
{
  char path[PATH_MAX];
  trajectory_path(cf, k, path, sizeof path);
  FcCall(fc_error_agree(comm, prepare_input(comm, cf, in, st)));
  FcCall(gather_counts(comm, st));
  fc_field_reader *r;
  FcCall(fc_field_reader_open(comm, in->path, &r));
  fc_err e = fc_field_writer_create(comm, path, st->coarse, cf->precision, &st->writer);
  if (!e) e = describe_output(c, argc, argv, cf, in, st);
  double bulk[2] = {0, 0};
  double *fy = NULL;
  if (!e) e = fc_error_agree(comm, FcMalloc(in->grid->n[1] + 1, &fy));
  if (!e) fc_channel_y_faces(in->grid->n[1], in->grid->length[1], in->grid->coord[1], fy);
  for (long s = 0; s < in->nsel && !e; s++) {
    e = fc_field_reader_read(r, in->sel[s], st->u);
    if (!e) e = filter_snapshot(comm, st);
    if (!e && s == 0) e = bulk_u(st->u, fy, &bulk[0]);
    if (!e && s == 0) e = bulk_u(st->out, st->Fy, &bulk[1]);
    if (!e) e = fc_field_writer_step(st->writer, in->step[s], in->time[s], &st->out, 1);
    if (!e) fc_progress_update(prog, ++*done, in->time[s]);
  }
  free(fy);
  fc_field_reader_close(&r);
  if (!e) e = fc_field_writer_close(&st->writer);
  FcCall(e);
  fc_print(comm, "%s <- %s: %ld snapshot(s), steps %ld .. %ld, t = %g .. %g; volume mean of u (first snapshot): "
                 "DNS %.9g, filtered %.9g\n",
           path, in->path, in->nsel, in->step[0], in->step[in->nsel - 1], in->time[0], in->time[in->nsel - 1], bulk[0],
           bulk[1]);
  return FC_SUCCESS;
}

static fc_err run_filter(fc_case *c, MPI_Comm comm, int argc, char **argv, const filter_config *cf,
                         filter_input *in, filter_state *st)
{
  int size;
  FcCallMPI(MPI_Comm_size(comm, &size));
  fc_stage st_check, st_filter;
  FcCall(fc_stage_register("Check inputs", &st_check));
  FcCall(fc_stage_register("Filter", &st_filter));
  FcCall(fc_stage_push(st_check));
  long total = 0;
  for (int k = 0; k < cf->ninputs; k++) {
    in[k].path = cf->inputs[k];
    FcCall(check_input(comm, cf, &in[k], &in[0]));
    total += in[k].nsel;
  }
  char path[PATH_MAX];
  trajectory_path(cf, 0, path, sizeof path);
  FcCall(fc_output_prepare(comm, path)); /* the directory, once, with one message */
  FcCall(check_outputs(comm, cf));
  FcCall(fc_error_agree(comm, make_coarse_grid(comm, cf, in[0].grid, st)));
  FcCall(fc_stage_pop());

  const fc_grid *g = in[0].grid;
  char width[128];
  if (cf->type == FILTER_GAUSSIAN)
    snprintf(width, sizeof width, "gaussian filter (Delta_x = %.4g, Delta_z = %.4g: %g coarse cells; y: coarse cell)",
             cf->width_factor * g->length[0] / (double)cf->nc[0], cf->width_factor * g->length[2] / (double)cf->nc[2],
             cf->width_factor);
  else
    snprintf(width, sizeof width, "box filter (the coarse cell: %.4g x y-cell x %.4g)", g->length[0] / (double)cf->nc[0],
             g->length[2] / (double)cf->nc[2]);
  fc_print(comm,
           "flowcast filter: %d file(s), DNS %ld x %ld x %ld -> %ld x %ld x %ld in %.6g x %.6g x %.6g (y stretch %g), "
           "%s, %ld snapshot(s), %d rank(s) -> %s/traj_*.h5\n",
           cf->ninputs, g->n[0], g->n[1], g->n[2], cf->nc[0], cf->nc[1], cf->nc[2], g->length[0], g->length[1],
           g->length[2], cf->stretch, width, total, size, cf->dir);
  fc_progress prog;
  fc_progress_start(&prog, comm, "snapshot", total);
  long done = 0;
  FcCall(fc_stage_push(st_filter));
  for (int k = 0; k < cf->ninputs; k++) {
    fc_err e = filter_input_file(c, comm, argc, argv, cf, &in[k], k, st, &prog, &done);
    release_input(st);
    FcCall(e);
  }
  FcCall(fc_stage_pop());
  char range[64] = "";
  if (cf->ninputs > 1) snprintf(range, sizeof range, " .. traj_%05ld.h5", cf->first + cf->ninputs - 1);
  fc_print(comm, "wrote %s/traj_%05ld.h5%s (%d %s on %ld x %ld x %ld, velocity, %s)\n", cf->dir, cf->first, range,
           cf->ninputs, cf->ninputs > 1 ? "trajectories" : "trajectory", cf->nc[0], cf->nc[1], cf->nc[2],
           cf->precision == FC_PRECISION_FLOAT32 ? "float32" : "float64");
  return FC_SUCCESS;
}

fc_err fc_filter_job_run(fc_case *c, MPI_Comm comm, int argc, char **argv)
{
  return fc_filter_job_execute(c, comm, argc, argv, NULL);
}

fc_err fc_filter_job_execute(fc_case *c, MPI_Comm comm, int argc, char **argv, const char *inputs)
{
  filter_config cf;
  memset(&cf, 0, sizeof cf);
  fc_err e = read_config(c, &cf, inputs);
  if (e) {
    free_inputs(&cf);
    return e;
  }
  filter_input *in = NULL;
  filter_state st;
  memset(&st, 0, sizeof st);
  e = FcMalloc(cf.ninputs, &in);
  if (!e) e = run_filter(c, comm, argc, argv, &cf, in, &st);
  release_input(&st);
  fc_field_destroy(&st.out);
  fc_grid_destroy(&st.coarse);
  free(st.yc);
  free(st.Fy);
  for (int k = 0; in && k < cf.ninputs; k++) input_free(&in[k]);
  free(in);
  free_inputs(&cf);
  return e;
}

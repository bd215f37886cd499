/* `flowcast filter` (src/jobs/filter_job.c): filtered DNS on the coarse grid.
 *
 * Synthetic DNS snapshot files (written here at the test's rank count, in the channel
 * solver's format) go through the filter job as `flowcast filter` runs it (a case with
 * command-line keys), and the trajectory files are read back:
 * - a constant field stays constant (box and Gaussian, nested and non-nested grids);
 * - a field linear in x, y and z: the box filter gives the exact cell averages, computed here
 *   from the coarse cell bounds (closed form where the grids nest, by clipping the DNS cells
 *   against the coarse cell where they do not);
 * - DNS 4x finer in x and z on the coarse y grid: plain 4 x 4 block averages;
 * - the Gaussian filter on a single Fourier mode: multiplied by exp(-k^2 Delta^2 / 24);
 * - the box filter preserves the volume integral;
 * - steps: selection from filter_steps_from, every filter_steps_every, step numbers and times;
 * - several inputs: several trajectories numbered from filter_first_index, the attributes;
 * - the same trajectory on one rank and on all ranks of the test, bit for bit;
 * - bad inputs fail with FC_ERR_INPUT and leave no output.
 * File names carry the rank count: the 1- and 2-rank runs of this program may run at once.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fc_case.h"
#include "fc_channel.h"
#include "fc_io.h"
#include "fc_jobs.h"
#include "fc_test.h"

#define LX (2.0 * M_PI)
#define LY 2.0
#define LZ M_PI

/* A DNS field: value of component c at (x, y, z) in snapshot s. */
typedef double (*dns_fn)(double x, double y, double z, int c, int s);

typedef struct {
  long n[3];
  double stretch; /* of the DNS y centres (fc_channel_y_centres; 0: uniform) */
  int nsteps;
  long step0, step_stride;
} dns_spec;

static void scratch(const char *name, char *buf, size_t len)
{
  snprintf(buf, len, "%s/filter_np%d_%s", fc_test_tmpdir(), fc_test_size(), name);
}

/* Writes a DNS snapshot file collectively over all ranks of the test. */
static void write_dns(const char *path, const dns_spec *d, dns_fn fn)
{
  double len[3] = {LX, LY, LZ}, *coord[3];
  int per[3] = {1, 0, 1};
  for (int a = 0; a < 3; a++) {
    coord[a] = malloc(sizeof(double) * (size_t)d->n[a]);
    if (a == 1) fc_channel_y_centres(d->n[1], LY, d->stretch, coord[1]);
    else
      for (long i = 0; i < d->n[a]; i++) coord[a][i] = ((double)i + 0.5) * len[a] / (double)d->n[a];
  }
  fc_grid *g;
  fc_decomp dc;
  fc_field *u;
  FC_TEST_OK(fc_grid_create_from_coords(3, d->n, len, per, coord, &g));
  for (int a = 0; a < 3; a++) free(coord[a]);
  FC_TEST_OK(fc_decomp_slab(MPI_COMM_WORLD, d->n[0], &dc));
  FC_TEST_OK(fc_field_create(g, &dc, "velocity", 3, &u));
  fc_field_writer *w;
  FC_TEST_OK(fc_field_writer_create(MPI_COMM_WORLD, path, g, FC_PRECISION_FLOAT64, &w));
  FC_TEST_OK(fc_field_writer_parameter(w, "nu", 1e-3));
  FC_TEST_OK(fc_field_writer_parameter(w, "bulk_velocity", 0.75));
  for (int s = 0; s < d->nsteps; s++) {
    double *p = u->data;
    for (long i = 0; i < dc.nxl; i++)
      for (long j = 0; j < d->n[1]; j++)
        for (long k = 0; k < d->n[2]; k++)
          for (int c = 0; c < 3; c++) *p++ = fn(g->coord[0][dc.x0 + i], g->coord[1][j], g->coord[2][k], c, s);
    FC_TEST_OK(fc_field_writer_step(w, d->step0 + s * d->step_stride, 0.25 * s, &u, 1));
  }
  FC_TEST_OK(fc_field_writer_close(&w));
  fc_field_destroy(&u);
  fc_grid_destroy(&g);
}

/* Runs the filter job as `flowcast filter` does, with "-key value" arguments (NULL-terminated). */
static fc_err run_filter_comm(MPI_Comm comm, const char *const *args)
{
  int n = 0;
  char *argv[64];
  while (args[n] && n < 63) {
    argv[n] = (char *)args[n];
    n++;
  }
  argv[n] = NULL;
  fc_case *c;
  fc_err e = fc_case_create(comm, &c);
  if (e) return e;
  e = fc_filter_job_declare(c);
  if (!e) e = fc_case_set_from_args(c, n, argv);
  if (!e) e = fc_filter_job_run(c, comm, n, argv);
  fc_case_destroy(&c);
  return e;
}

static fc_err run_filter(const char *const *args) { return run_filter_comm(MPI_COMM_WORLD, args); }

/* A trajectory file read whole on every rank. */
typedef struct {
  fc_grid *grid;
  long nsteps;
  fc_step_info *steps;
  double **u; /* [nsteps][nx][ny][nz][3] */
} trajectory;

static void read_trajectory(const char *path, trajectory *t)
{
  fc_field_reader *r;
  const fc_step_info *steps;
  fc_decomp dc;
  memset(t, 0, sizeof *t);
  FC_TEST_OK(fc_field_reader_open(MPI_COMM_SELF, path, &r));
  FC_TEST_OK(fc_field_reader_grid(r, &t->grid));
  FC_TEST_OK(fc_field_reader_steps(r, &t->nsteps, &steps));
  t->steps = malloc(sizeof *t->steps * (size_t)t->nsteps);
  memcpy(t->steps, steps, sizeof *t->steps * (size_t)t->nsteps);
  t->u = calloc((size_t)t->nsteps, sizeof *t->u);
  FC_TEST_OK(fc_decomp_slab(MPI_COMM_SELF, t->grid->n[0], &dc));
  for (long s = 0; s < t->nsteps; s++) {
    fc_field *f;
    FC_TEST_OK(fc_field_create(t->grid, &dc, "velocity", 3, &f));
    FC_TEST_OK(fc_field_reader_read(r, s, f));
    t->u[s] = f->data;
    f->data = NULL;
    fc_field_destroy(&f);
  }
  fc_field_reader_close(&r);
}

static void free_trajectory(trajectory *t)
{
  for (long s = 0; s < t->nsteps; s++) free(t->u[s]);
  free(t->u);
  free(t->steps);
  fc_grid_destroy(&t->grid);
}

static double at(const trajectory *t, long s, long i, long j, long k, int c)
{
  const long ny = t->grid->n[1], nz = t->grid->n[2];
  return t->u[s][((i * ny + j) * nz + k) * 3 + c];
}

static int exists(const char *path) { return access(path, F_OK) == 0; }

/* ---- fields ------------------------------------------------------------------------------ */

static double constant(double x, double y, double z, int c, int s)
{
  (void)x, (void)y, (void)z, (void)s;
  static const double v[3] = {1.5, -0.25, 3.0};
  return v[c];
}

static const double lin[3][4] = {{0.5, 0.3, -1.2, 0.7}, {-1.0, 0.05, 0.4, -0.2}, {2.0, -0.6, 0.9, 0.35}};
static double linear(double x, double y, double z, int c, int s)
{
  return lin[c][0] + lin[c][1] * x + lin[c][2] * y + lin[c][3] * z + 0.1 * s;
}

/* Deterministic "random" values in [-1, 1] from the position (the grids are fixed per test). */
static double noise(double x, double y, double z, int c, int s)
{
  double h = sin(12.9898 * x + 78.233 * y + 37.719 * z + 11.13 * c + 3.7 * s) * 43758.5453;
  return 2.0 * (h - floor(h)) - 1.0;
}

#define M1 3 /* Fourier modes of the Gaussian test: x */
#define M2 2 /* z */
static double modes(double x, double y, double z, int c, int s)
{
  (void)y, (void)s;
  const double kx = 2 * M_PI * M1 / LX, kz = 2 * M_PI * M2 / LZ;
  if (c == 0) return sin(kx * x + 0.3);
  if (c == 1) return cos(kz * z);
  return sin(kx * x) * cos(kz * z);
}

/* ---- helpers on coarse cells ----------------------------------------------------------------- */

/* Faces of the channel centres: walls and midpoints. */
static void channel_faces(long n, double stretch, double *f)
{
  double *c = malloc(sizeof(double) * (size_t)n);
  fc_channel_y_centres(n, LY, stretch, c);
  f[0] = 0;
  for (long j = 1; j < n; j++) f[j] = 0.5 * (c[j - 1] + c[j]);
  f[n] = LY;
  free(c);
}

/* (1/|[a, b]|) * integral over [a, b] of the piecewise-constant function taking the value
 * centre_j on the DNS cell [f_j, f_j+1]: clipping every DNS cell against the coarse cell. */
static double clipped_mean(long n, const double *f, const double *centre, double a, double b)
{
  double s = 0;
  for (long j = 0; j < n; j++) {
    double lo = fmax(f[j], a), hi = fmin(f[j + 1], b);
    if (hi > lo) s += centre[j] * (hi - lo);
  }
  return s / (b - a);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void check_constant(const char *name, const dns_spec *d, const char *const *extra)
{
  char in[4096], dir[4096], out[4200];
  snprintf(in, sizeof in, "%s/filter_np%d_%s_dns.h5", fc_test_tmpdir(), fc_test_size(), name);
  snprintf(dir, sizeof dir, "%s/filter_np%d_%s", fc_test_tmpdir(), fc_test_size(), name);
  snprintf(out, sizeof out, "%s/traj_00000.h5", dir);
  write_dns(in, d, constant);
  const char *args[32] = {"-filter_input", in, "-filter_output_dir", dir, "-filter_output_precision", "float64"};
  int n = 6;
  for (int q = 0; extra[q]; q++) args[n++] = extra[q];
  args[n] = NULL;
  FC_TEST_OK(run_filter(args));
  trajectory t;
  read_trajectory(out, &t);
  double err = 0;
  const fc_grid *g = t.grid;
  for (long s = 0; s < t.nsteps; s++)
    for (long i = 0; i < g->n[0]; i++)
      for (long j = 0; j < g->n[1]; j++)
        for (long k = 0; k < g->n[2]; k++)
          for (int c = 0; c < 3; c++) err = fmax(err, fabs(at(&t, s, i, j, k, c) - constant(0, 0, 0, c, 0)));
  if (fc_test_rank() == 0) printf("\n    %s: max |filtered - constant| = %.2e ", name, err);
  CU_ASSERT(err < 1e-14 * 3.0 * 4);
  CU_ASSERT_EQUAL(t.nsteps, d->nsteps);
  free_trajectory(&t);
}

static void test_constant(void)
{
  const dns_spec d = {{16, 20, 12}, 2.5, 2, 0, 1};
  const char *nested[] = {"-filter_nx", "8", "-filter_ny", "9", "-filter_nz", "4", NULL};
  const char *uneven[] = {"-filter_nx", "6", "-filter_ny", "7", "-filter_nz", "5", NULL};
  const char *gauss[] = {"-filter_nx", "8", "-filter_ny", "9", "-filter_nz", "4", "-filter_type", "gaussian", NULL};
  const char *gauss_uneven[] = {"-filter_nx", "6",        "-filter_ny",          "7",   "-filter_nz",
                                "5",          "-filter_type", "gaussian", "-filter_width_factor", "1.3", NULL};
  check_constant("const_box", &d, nested);
  check_constant("const_box_uneven", &d, uneven);
  check_constant("const_gauss", &d, gauss);
  check_constant("const_gauss_uneven", &d, gauss_uneven);
}

/* Uniform y, DNS 4x finer in x and z, 3x in y: the coarse faces are DNS faces, so the box
 * filter gives the exact average of the linear function: its value at the coarse centre. */
static void test_linear_nested(void)
{
  char in[4096], dir[4096], out[4200];
  scratch("linear_nested_dns.h5", in, sizeof in);
  scratch("linear_nested", dir, sizeof dir);
  snprintf(out, sizeof out, "%s/traj_00000.h5", dir);
  const dns_spec d = {{32, 27, 16}, 0.0, 2, 0, 1};
  write_dns(in, &d, linear);
  const char *args[] = {"-filter_input", in, "-filter_output_dir", dir, "-filter_nx", "8", "-filter_ny", "9",
                        "-filter_nz", "4", "-filter_stretch", "0", "-filter_output_precision", "float64", NULL};
  FC_TEST_OK(run_filter(args));
  trajectory t;
  read_trajectory(out, &t);
  double err = 0;
  for (long s = 0; s < t.nsteps; s++)
    for (long i = 0; i < 8; i++)
      for (long j = 0; j < 9; j++)
        for (long k = 0; k < 4; k++)
          for (int c = 0; c < 3; c++) {
            double X = (i + 0.5) * LX / 8, Y = (j + 0.5) * LY / 9, Z = (k + 0.5) * LZ / 4;
            err = fmax(err, fabs(at(&t, s, i, j, k, c) - linear(X, Y, Z, c, (int)s)));
          }
  if (fc_test_rank() == 0) printf("\n    max |box - exact cell average| = %.2e ", err);
  CU_ASSERT(err < 1e-13);
  free_trajectory(&t);
}

/* Stretched y grids that do not nest and x, z that do not nest either: the exact volume
 * average of the piecewise-constant DNS field, computed from the coarse cell bounds by
 * clipping each DNS cell. The field is separable, so the average is a sum of 1D averages. */
static void test_linear_stretched(void)
{
  char in[4096], dir[4096], out[4200];
  scratch("linear_stretched_dns.h5", in, sizeof in);
  scratch("linear_stretched", dir, sizeof dir);
  snprintf(out, sizeof out, "%s/traj_00000.h5", dir);
  const dns_spec d = {{20, 40, 12}, 2.5, 1, 0, 1};
  const long nc[3] = {8, 9, 5};
  write_dns(in, &d, linear);
  const char *args[] = {"-filter_input", in, "-filter_output_dir", dir, "-filter_nx", "8", "-filter_ny", "9",
                        "-filter_nz", "5", "-filter_stretch", "1.8", "-filter_output_precision", "float64", NULL};
  FC_TEST_OK(run_filter(args));
  trajectory t;
  read_trajectory(out, &t);
  /* the DNS cells and centres per axis, the coarse faces per axis */
  double *f[3], *cen[3], *F[3];
  const double len[3] = {LX, LY, LZ};
  for (int a = 0; a < 3; a++) {
    f[a] = malloc(sizeof(double) * (size_t)(d.n[a] + 1));
    cen[a] = malloc(sizeof(double) * (size_t)d.n[a]);
    F[a] = malloc(sizeof(double) * (size_t)(nc[a] + 1));
    if (a == 1) {
      channel_faces(d.n[1], d.stretch, f[1]);
      fc_channel_y_centres(d.n[1], LY, d.stretch, cen[1]);
      channel_faces(nc[1], 1.8, F[1]);
    } else {
      for (long i = 0; i <= d.n[a]; i++) f[a][i] = i * len[a] / d.n[a];
      for (long i = 0; i < d.n[a]; i++) cen[a][i] = (i + 0.5) * len[a] / d.n[a];
      for (long I = 0; I <= nc[a]; I++) F[a][I] = I * len[a] / nc[a];
    }
  }
  double err = 0, dev = 0;
  for (long i = 0; i < nc[0]; i++)
    for (long j = 0; j < nc[1]; j++)
      for (long k = 0; k < nc[2]; k++) {
        double mx = clipped_mean(d.n[0], f[0], cen[0], F[0][i], F[0][i + 1]);
        double my = clipped_mean(d.n[1], f[1], cen[1], F[1][j], F[1][j + 1]);
        double mz = clipped_mean(d.n[2], f[2], cen[2], F[2][k], F[2][k + 1]);
        for (int c = 0; c < 3; c++) {
          double want = lin[c][0] + lin[c][1] * mx + lin[c][2] * my + lin[c][3] * mz;
          err = fmax(err, fabs(at(&t, 0, i, j, k, c) - want));
          /* against the continuous average (the cell-centre value): differs, by O(DNS spacing) */
          double cont = lin[c][0] + lin[c][1] * 0.5 * (F[0][i] + F[0][i + 1]) + lin[c][2] * 0.5 * (F[1][j] + F[1][j + 1]) +
                        lin[c][3] * 0.5 * (F[2][k] + F[2][k + 1]);
          dev = fmax(dev, fabs(at(&t, 0, i, j, k, c) - cont));
        }
      }
  if (fc_test_rank() == 0)
    printf("\n    max |box - clipped cell average| = %.2e (vs the continuous average: %.2e) ", err, dev);
  CU_ASSERT(err < 1e-13);
  CU_ASSERT(dev > 1e-4); /* the grids really do not nest */
  for (int a = 0; a < 3; a++) {
    free(f[a]);
    free(cen[a]);
    free(F[a]);
  }
  free_trajectory(&t);
}

/* DNS 4x finer in x and z, on the coarse y grid itself: plain block averages. */
static void test_nested_blocks(void)
{
  char in[4096], dir[4096], out[4200];
  scratch("blocks_dns.h5", in, sizeof in);
  scratch("blocks", dir, sizeof dir);
  snprintf(out, sizeof out, "%s/traj_00000.h5", dir);
  const dns_spec d = {{32, 9, 16}, 1.8, 2, 0, 1};
  write_dns(in, &d, noise);
  const char *args[] = {"-filter_input", in, "-filter_output_dir", dir, "-filter_nx", "8", "-filter_ny", "9",
                        "-filter_nz", "4", "-filter_output_precision", "float64", NULL};
  FC_TEST_OK(run_filter(args));
  trajectory t;
  read_trajectory(out, &t);
  double y[9], err = 0;
  fc_channel_y_centres(9, LY, 1.8, y);
  for (long s = 0; s < t.nsteps; s++)
    for (long I = 0; I < 8; I++)
      for (long j = 0; j < 9; j++)
        for (long K = 0; K < 4; K++)
          for (int c = 0; c < 3; c++) {
            double sum = 0;
            for (long i = 4 * I; i < 4 * I + 4; i++)
              for (long k = 4 * K; k < 4 * K + 4; k++)
                sum += noise((i + 0.5) * LX / 32, y[j], (k + 0.5) * LZ / 16, c, (int)s);
            err = fmax(err, fabs(at(&t, s, I, j, K, c) - sum / 16));
          }
  if (fc_test_rank() == 0) printf("\n    max |box - 4 x 4 block average| = %.2e ", err);
  CU_ASSERT(err < 1e-14);
  free_trajectory(&t);
}

/* A single Fourier mode through the Gaussian filter: multiplied by exp(-k^2 Delta^2 / 24). */
static void check_gaussian(const char *factor)
{
  char in[4096], dir[4096], out[4200], name[64];
  snprintf(name, sizeof name, "gauss_%s", factor);
  scratch("gauss_dns.h5", in, sizeof in);
  scratch(name, dir, sizeof dir);
  snprintf(out, sizeof out, "%s/traj_00000.h5", dir);
  const long nc[3] = {16, 9, 12};
  const char *args[] = {"-filter_input", in, "-filter_output_dir", dir, "-filter_nx", "16", "-filter_ny", "9",
                        "-filter_nz", "12", "-filter_type", "gaussian", "-filter_width_factor", factor,
                        "-filter_output_precision", "float64", NULL};
  FC_TEST_OK(run_filter(args));
  trajectory t;
  read_trajectory(out, &t);
  const double f = atof(factor), dx = f * LX / nc[0], dz = f * LZ / nc[2];
  const double kx = 2 * M_PI * M1 / LX, kz = 2 * M_PI * M2 / LZ;
  const double gx = exp(-kx * kx * dx * dx / 24), gz = exp(-kz * kz * dz * dz / 24);
  double err = 0;
  for (long i = 0; i < nc[0]; i++)
    for (long j = 0; j < nc[1]; j++)
      for (long k = 0; k < nc[2]; k++) {
        double X = (i + 0.5) * LX / nc[0], Z = (k + 0.5) * LZ / nc[2];
        err = fmax(err, fabs(at(&t, 0, i, j, k, 0) - gx * sin(kx * X + 0.3)));
        err = fmax(err, fabs(at(&t, 0, i, j, k, 1) - gz * cos(kz * Z)));
        err = fmax(err, fabs(at(&t, 0, i, j, k, 2) - gx * gz * sin(kx * X) * cos(kz * Z)));
      }
  if (fc_test_rank() == 0)
    printf("\n    factor %s: transfer x %.6f, z %.6f; max |filtered - exp(-k^2 Delta^2/24) mode| = %.2e ", factor, gx,
           gz, err);
  CU_ASSERT(err < 1e-12);
  CU_ASSERT(gx < 0.95 && gz < 0.95); /* the filter does act */
  double delta;
  if (fc_test_rank() == 0) { /* the width is recorded */
    hid_t file = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT), g = H5Gopen2(file, "/parameters", H5P_DEFAULT);
    hid_t a = H5Aopen(g, "filter_width_x", H5P_DEFAULT);
    CU_ASSERT(H5Aread(a, H5T_NATIVE_DOUBLE, &delta) >= 0);
    CU_ASSERT_DOUBLE_EQUAL(delta, dx, 1e-15);
    H5Aclose(a);
    H5Gclose(g);
    H5Fclose(file);
  }
  free_trajectory(&t);
}

static void test_gaussian_mode(void)
{
  char in[4096];
  scratch("gauss_dns.h5", in, sizeof in);
  const dns_spec d = {{64, 9, 48}, 1.8, 1, 0, 1};
  write_dns(in, &d, modes);
  check_gaussian("2");
  check_gaussian("3.5");
}

/* The box filter keeps the integral over the box (DNS cells vs coarse cells). */
static void test_volume_integral(void)
{
  char in[4096], dir[4096], out[4200];
  scratch("volume_dns.h5", in, sizeof in);
  scratch("volume", dir, sizeof dir);
  snprintf(out, sizeof out, "%s/traj_00000.h5", dir);
  const dns_spec d = {{20, 40, 12}, 2.5, 1, 0, 1};
  const long nc[3] = {8, 9, 5};
  write_dns(in, &d, noise);
  const char *args[] = {"-filter_input", in, "-filter_output_dir", dir, "-filter_nx", "8", "-filter_ny", "9",
                        "-filter_nz", "5", "-filter_output_precision", "float64", NULL};
  FC_TEST_OK(run_filter(args));
  trajectory t;
  read_trajectory(out, &t);
  double fy[41], Fy[10], yc[40];
  channel_faces(d.n[1], d.stretch, fy);
  channel_faces(nc[1], 1.8, Fy);
  fc_channel_y_centres(d.n[1], LY, d.stretch, yc);
  for (int c = 0; c < 3; c++) {
    double fine = 0, coarse = 0, mag = 0;
    for (long i = 0; i < d.n[0]; i++)
      for (long j = 0; j < d.n[1]; j++)
        for (long k = 0; k < d.n[2]; k++) {
          double v = noise((i + 0.5) * LX / d.n[0], yc[j], (k + 0.5) * LZ / d.n[2], c, 0);
          double vol = (LX / d.n[0]) * (fy[j + 1] - fy[j]) * (LZ / d.n[2]);
          fine += v * vol;
          mag += fabs(v) * vol;
        }
    for (long i = 0; i < nc[0]; i++)
      for (long j = 0; j < nc[1]; j++)
        for (long k = 0; k < nc[2]; k++) coarse += at(&t, 0, i, j, k, c) * (LX / nc[0]) * (Fy[j + 1] - Fy[j]) * (LZ / nc[2]);
    if (fc_test_rank() == 0)
      printf("\n    component %d: integral DNS %.15f, filtered %.15f (difference %.1e of the integral of |u|) ", c, fine,
             coarse, fabs(fine - coarse) / mag);
    CU_ASSERT(fabs(fine - coarse) < 1e-13 * mag);
  }
  free_trajectory(&t);
}

/* Steps from filter_steps_from, every filter_steps_every-th, with their numbers and times. */
static void test_steps(void)
{
  char in[4096], dir[4096], out[4200];
  scratch("steps_dns.h5", in, sizeof in);
  scratch("steps", dir, sizeof dir);
  snprintf(out, sizeof out, "%s/traj_00000.h5", dir);
  const dns_spec d = {{16, 20, 12}, 2.5, 7, 100, 10}; /* steps 100, 110, ..., 160 at t = 0.25 s */
  write_dns(in, &d, linear);
  const char *args[] = {"-filter_input", in, "-filter_output_dir", dir, "-filter_nx", "8", "-filter_ny", "9",
                        "-filter_nz", "4", "-filter_steps_from", "115", "-filter_steps_every", "2", NULL};
  FC_TEST_OK(run_filter(args));
  trajectory t;
  read_trajectory(out, &t);
  CU_ASSERT_EQUAL_FATAL(t.nsteps, 3); /* 120, 140, 160 */
  for (long s = 0; s < 3; s++) {
    CU_ASSERT_EQUAL(t.steps[s].step, 120 + 20 * s);
    CU_ASSERT_DOUBLE_EQUAL(t.steps[s].time, 0.25 * (2 + 2 * s), 1e-15);
  }
  free_trajectory(&t);
}

static void read_string_attr(const char *path, const char *obj, const char *name, char *buf, size_t len)
{
  buf[0] = 0;
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t a = f < 0 ? -1 : H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
  hid_t t = a < 0 ? -1 : H5Aget_type(a);
  if (t >= 0 && H5Tget_size(t) < len) H5Aread(a, t, buf);
  if (t >= 0) H5Tclose(t);
  if (a >= 0) H5Aclose(a);
  if (f >= 0) H5Fclose(f);
}

/* Two inputs: two trajectories from filter_first_index, each with its input's steps and the
 * filter recorded. */
static void test_several_inputs(void)
{
  char a[4096], b[4096], dir[4096], list[8400], out[2][4200];
  scratch("multi_a.h5", a, sizeof a);
  scratch("multi_b.h5", b, sizeof b);
  scratch("multi", dir, sizeof dir);
  const dns_spec da = {{16, 20, 12}, 2.5, 3, 0, 1}, db = {{12, 24, 8}, 2.0, 2, 50, 5};
  write_dns(a, &da, noise);
  write_dns(b, &db, linear);
  snprintf(list, sizeof list, "%s, %s", a, b);
  const char *args[] = {"-filter_input", list, "-filter_output_dir", dir, "-filter_first_index", "3",
                        "-filter_nx", "6", "-filter_ny", "9", "-filter_nz", "4", NULL};
  FC_TEST_OK(run_filter(args));
  for (int q = 0; q < 2; q++) snprintf(out[q], sizeof out[q], "%s/traj_%05d.h5", dir, 3 + q);
  trajectory t0, t1;
  read_trajectory(out[0], &t0);
  read_trajectory(out[1], &t1);
  CU_ASSERT_EQUAL(t0.nsteps, 3);
  CU_ASSERT_EQUAL(t1.nsteps, 2);
  CU_ASSERT_EQUAL(t1.steps[1].step, 55);
  CU_ASSERT(t0.grid->n[0] == 6 && t0.grid->n[1] == 9 && t0.grid->n[2] == 4);
  CU_ASSERT(t1.grid->n[0] == 6 && t1.grid->n[1] == 9 && t1.grid->n[2] == 4);
  /* the coarse coordinates: cell centres, the channel's tanh map in y */
  double yc[9];
  fc_channel_y_centres(9, LY, 1.8, yc);
  for (long j = 0; j < 9; j++) CU_ASSERT_DOUBLE_EQUAL(t0.grid->coord[1][j], yc[j], 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(t0.grid->coord[0][0], 0.5 * LX / 6, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(t0.grid->coord[2][3], 3.5 * LZ / 4, 1e-15);
  if (fc_test_rank() == 0) {
    char text[4096];
    read_string_attr(out[1], "/filter", "input_file", text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, b);
    read_string_attr(out[0], "/filter", "type", text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, "box");
    read_string_attr(out[0], "/filter", "width_y", text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, "coarse cell");
    double nu = 0;
    hid_t f = H5Fopen(out[0], H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t at_nu = H5Aopen_by_name(f, "/parameters", "nu", H5P_DEFAULT, H5P_DEFAULT);
    CU_ASSERT(H5Aread(at_nu, H5T_NATIVE_DOUBLE, &nu) >= 0);
    CU_ASSERT_DOUBLE_EQUAL(nu, 1e-3, 0);
    H5Aclose(at_nu);
    H5Fclose(f);
  }
  free_trajectory(&t0);
  free_trajectory(&t1);
}

/* One rank alone and all ranks together write the same values, bit for bit. */
static void test_same_on_one_rank(void)
{
  char in[4096], dir1[4096], dirn[4096], out1[4200], outn[4200], name[64];
  scratch("ranks_dns.h5", in, sizeof in);
  const dns_spec d = {{21, 30, 14}, 2.2, 2, 0, 1}; /* uneven slabs: 11 + 10 and coarse 5 + 4 */
  write_dns(in, &d, noise);
  for (int type = 0; type < 2; type++) {
    const char *t = type ? "gaussian" : "box";
    snprintf(name, sizeof name, "ranks_one_%s", t);
    scratch(name, dir1, sizeof dir1);
    snprintf(name, sizeof name, "ranks_all_%s", t);
    scratch(name, dirn, sizeof dirn);
    snprintf(out1, sizeof out1, "%s/traj_00000.h5", dir1);
    snprintf(outn, sizeof outn, "%s/traj_00000.h5", dirn);
    const char *a1[] = {"-filter_input", in, "-filter_output_dir", dir1, "-filter_nx", "9", "-filter_ny", "11",
                        "-filter_nz", "6", "-filter_type", t, "-filter_output_precision", "float64", NULL};
    const char *an[] = {"-filter_input", in, "-filter_output_dir", dirn, "-filter_nx", "9", "-filter_ny", "11",
                        "-filter_nz", "6", "-filter_type", t, "-filter_output_precision", "float64", NULL};
    fc_err e = FC_SUCCESS;
    if (fc_test_rank() == 0) e = run_filter_comm(MPI_COMM_SELF, a1);
    MPI_Bcast(&e, 1, MPI_INT, 0, MPI_COMM_WORLD);
    FC_TEST_OK(e);
    FC_TEST_OK(run_filter(an));
    trajectory t1, tn;
    read_trajectory(out1, &t1);
    read_trajectory(outn, &tn);
    CU_ASSERT_EQUAL_FATAL(t1.nsteps, tn.nsteps);
    long bytes = 9 * 11 * 6 * 3 * (long)sizeof(double), differ = 0;
    for (long s = 0; s < t1.nsteps; s++) differ += memcmp(t1.u[s], tn.u[s], (size_t)bytes) != 0;
    if (fc_test_rank() == 0)
      printf("\n    %s: 1 rank and %d rank(s): %ld of %ld snapshots differ ", t, fc_test_size(), differ, t1.nsteps);
    CU_ASSERT_EQUAL(differ, 0);
    free_trajectory(&t1);
    free_trajectory(&tn);
    MPI_Barrier(MPI_COMM_WORLD); /* every rank has read both files before any is written again */
  }
}

/* Bad inputs: one error (FC_ERR_INPUT), no output file and no partial file. */
static void test_bad_inputs(void)
{
  char good[4096], small[4096], dir[4096], out[4200], partial[4300], list[8400], missing[4096];
  scratch("bad_good.h5", good, sizeof good);
  scratch("bad_small.h5", small, sizeof small);
  scratch("bad", dir, sizeof dir);
  scratch("does_not_exist.h5", missing, sizeof missing);
  snprintf(out, sizeof out, "%s/traj_00000.h5", dir);
  snprintf(partial, sizeof partial, "%s.partial", out);
  const dns_spec dg = {{16, 20, 12}, 2.5, 2, 0, 1}, ds = {{8, 20, 12}, 2.5, 2, 0, 1};
  write_dns(good, &dg, constant);
  write_dns(small, &ds, constant);
  /* a missing second file: nothing is written for the first either */
  snprintf(list, sizeof list, "%s,%s", good, missing);
  const char *a1[] = {"-filter_input", list, "-filter_output_dir", dir, "-filter_nx", "8", "-filter_ny", "9",
                      "-filter_nz", "4", NULL};
  FC_TEST_FAILS(run_filter(a1), FC_ERR_INPUT);
  CU_ASSERT(!exists(out) && !exists(partial));
  /* a coarse grid finer than the DNS (x: 10 > 8) */
  snprintf(list, sizeof list, "%s,%s", good, small);
  const char *a2[] = {"-filter_input", list, "-filter_output_dir", dir, "-filter_nx", "10", "-filter_ny", "9",
                      "-filter_nz", "4", NULL};
  FC_TEST_FAILS(run_filter(a2), FC_ERR_INPUT);
  CU_ASSERT(!exists(out) && !exists(partial));
  /* a steps window that selects nothing */
  const char *a3[] = {"-filter_input", good, "-filter_output_dir", dir, "-filter_nx", "8", "-filter_ny", "9",
                      "-filter_nz", "4", "-filter_steps_from", "5", NULL};
  FC_TEST_FAILS(run_filter(a3), FC_ERR_INPUT);
  CU_ASSERT(!exists(out) && !exists(partial));
  /* an unknown key */
  const char *a4[] = {"-filter_input", good, "-filter_output_dir", dir, "-filter_nxx", "8", NULL};
  FC_TEST_FAILS(run_filter(a4), FC_ERR_INPUT);
  CU_ASSERT(!exists(out) && !exists(partial));
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {
      {"a constant field stays constant (box, gaussian, nested or not)", test_constant},
      {"linear field, nested grids: the exact cell averages", test_linear_nested},
      {"linear field, stretched non-nested grids: the cell averages from the cell bounds", test_linear_stretched},
      {"DNS 4x finer in x and z: plain block averages", test_nested_blocks},
      {"gaussian: a Fourier mode times exp(-k^2 Delta^2/24)", test_gaussian_mode},
      {"box: the volume integral is preserved", test_volume_integral},
      {"steps from filter_steps_from, every filter_steps_every", test_steps},
      {"several inputs, numbering, coordinates and attributes", test_several_inputs},
      {"the same file on one rank and on all ranks", test_same_on_one_rank},
      {"bad inputs: an error and no output", test_bad_inputs},
      {NULL, NULL}};
  fc_test_add_suite("filter", tests);
}

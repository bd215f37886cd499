/* flowcast compare, compare_type channel (src/rollout/channel_compare.c), on analytic fields
 * whose statistics are known in closed form:
 *   u = U(y) + A sin(2 pi x / lx + phi_s),  v = -sigma(y) B sin(2 pi x / lx + phi_s),
 *   w = C cos(4 pi z / lz + phi_s),         sigma = +1 in the lower half, -1 in the upper,
 * so U+ = U / u_tau, u_rms+ = A / (sqrt 2 u_tau), v_rms+ = B / (sqrt 2 u_tau), w_rms+ likewise
 * with C, -u'v'+ = A B / (2 u_tau^2) (both halves), the x spectrum holds (A^2 + B^2) / 2 at
 * k_x = 2 pi / lx and C^2 / 2 at k_x = 0, the z spectrum (A^2 + B^2) / 2 at k_z = 0 and C^2 / 2
 * at k_z = 4 pi / lz (in units of u_tau^2). The prediction has 1.1 A, stops after 4 of the
 * reference's 6 snapshots and records its wall time per unit of simulated time: its relative
 * L2 error is sqrt(0.01 A^2 / 2 / (<U^2> + (A^2 + B^2 + C^2) / 2)) at every snapshot, its
 * u_rms+ and -u'v'+ peaks are 10 % high. Bad inputs fail with FC_ERR_INPUT and write nothing.
 * File names carry the rank count: the 1- and 2-rank runs of this program may run at once. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fc_case.h"
#include "fc_io.h"
#include "fc_rollout.h"
#include "fc_test.h"

#define NX 8
#define NY 12
#define NZ 8
#define LX (2.0 * M_PI)
#define LY 2.0
#define LZ M_PI
#define AMP_A 0.3
#define AMP_B 0.2
#define AMP_C 0.1
#define UTAU 0.5
#define NU 0.01

static double mean_u(double y) { return 3.0 * y * (LY - y); }

typedef struct {
  double a;        /* amplitude of u' */
  int nsteps;      /* snapshots at t = t0 + 0.5 s */
  double t0;
  long nx;         /* grid points along x */
  const char *field;
  double wall;     /* wall_seconds_per_time (NaN: not written) */
} traj_spec;

static void scratch(const char *name, char *buf, size_t len)
{
  snprintf(buf, len, "%s/chcmp_np%d_%s", fc_test_tmpdir(), fc_test_size(), name);
}

/* Writes the analytic trajectory collectively over all ranks of the test. */
static void write_traj(const char *name, const traj_spec *t)
{
  char path[4096];
  long n[3] = {t->nx, NY, NZ};
  double len[3] = {LX, LY, LZ}, *coord[3];
  int per[3] = {1, 0, 1};
  scratch(name, path, sizeof path);
  for (int a = 0; a < 3; a++) {
    coord[a] = malloc(sizeof(double) * (size_t)n[a]);
    for (long i = 0; i < n[a]; i++) coord[a][i] = ((double)i + 0.5) * len[a] / (double)n[a];
  }
  fc_grid *g;
  fc_decomp d;
  fc_field *f;
  fc_field_writer *w;
  FC_TEST_OK(fc_grid_create_from_coords(3, n, len, per, coord, &g));
  for (int a = 0; a < 3; a++) free(coord[a]);
  FC_TEST_OK(fc_decomp_slab(MPI_COMM_WORLD, n[0], &d));
  FC_TEST_OK(fc_field_create(g, &d, t->field, 3, &f));
  FC_TEST_OK(fc_field_writer_create(MPI_COMM_WORLD, path, g, FC_PRECISION_FLOAT64, &w));
  if (!isnan(t->wall)) FC_TEST_OK(fc_field_writer_parameter(w, "wall_seconds_per_time", t->wall));
  for (int s = 0; s < t->nsteps; s++) {
    double phi = 0.7 * s, *p = f->data;
    for (long i = 0; i < d.nxl; i++)
      for (long j = 0; j < NY; j++)
        for (long k = 0; k < NZ; k++) {
          double x = g->coord[0][d.x0 + i], y = g->coord[1][j], z = g->coord[2][k];
          double sx = sin(2 * M_PI * x / LX + phi), sigma = y < 0.5 * LY ? 1.0 : -1.0;
          *p++ = mean_u(y) + t->a * sx;
          *p++ = -sigma * AMP_B * sx;
          *p++ = AMP_C * cos(4 * M_PI * z / LZ + phi);
        }
    FC_TEST_OK(fc_field_writer_step(w, s, t->t0 + 0.5 * s, &f, 1));
  }
  FC_TEST_OK(fc_field_writer_close(&w));
  fc_field_destroy(&f);
  fc_grid_destroy(&g);
}

static const traj_spec REF = {AMP_A, 6, 0.0, NX, "velocity", NAN};

static void write_inputs(void)
{
  static int done = 0;
  if (done) return;
  done = 1;
  traj_spec pred = REF, coarse = REF, late = REF, pressure = REF;
  pred.a = 1.1 * AMP_A, pred.nsteps = 4, pred.wall = 2.5;
  coarse.nx = 6;
  late.t0 = 100.25;
  pressure.field = "pressure";
  write_traj("ref.h5", &REF);
  write_traj("pred.h5", &pred);
  write_traj("coarse.h5", &coarse);
  write_traj("late.h5", &late);
  write_traj("pressure.h5", &pressure);
}

/* Runs flowcast compare on a case made of "-key value" pairs (NULL-terminated), the files
 * named relative to the scratch prefix. */
static fc_err run_compare(const char *preds, const char *labels, const char *out, const char *const *extra)
{
  char ref[4096], list[8192] = "", report[4096], *argv[64];
  const char *args[64];
  int n = 0;
  scratch("ref.h5", ref, sizeof ref);
  scratch(out, report, sizeof report);
  for (const char *p = preds; *p;) { /* each comma-separated name gets the scratch prefix */
    char item[256], path[4096];
    size_t l = strcspn(p, ",");
    snprintf(item, sizeof item, "%.*s", (int)l, p);
    scratch(item, path, sizeof path);
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", *list ? "," : "", path);
    p += l + (p[l] == ',');
  }
  const char *base[] = {"-compare_type", "channel", "-compare_reference", ref, "-compare_predictions", list,
                        "-compare_labels", labels, "-compare_nu", "0.01", "-compare_u_tau", "0.5",
                        "-compare_spectra_yplus", "10", "-compare_output", report};
  for (size_t q = 0; q < sizeof base / sizeof base[0]; q++) args[n++] = base[q];
  for (int q = 0; extra && extra[q]; q++) args[n++] = extra[q];
  for (int q = 0; q < n; q++) argv[q] = (char *)args[q];
  argv[n] = NULL;
  fc_case *c;
  fc_err e = fc_case_create(MPI_COMM_WORLD, &c);
  if (!e) e = fc_compare_declare(c);
  if (!e) e = fc_case_set_from_args(c, n, argv);
  if (!e) e = fc_compare_run(c, MPI_COMM_WORLD, n, argv);
  fc_case_destroy(&c);
  return e;
}

/* Reads a float64 dataset of the report (every rank reads the file). */
static double *get(const char *report, const char *name, long expect)
{
  hid_t f = H5Fopen(report, H5F_ACC_RDONLY, H5P_DEFAULT);
  CU_ASSERT_FATAL(f >= 0);
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  CU_ASSERT_FATAL(d >= 0);
  hid_t s = H5Dget_space(d);
  long n = (long)H5Sget_simple_extent_npoints(s);
  CU_ASSERT_EQUAL(n, expect);
  double *v = calloc((size_t)(n > 0 ? n : 1), sizeof *v);
  CU_ASSERT(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
  H5Sclose(s);
  H5Dclose(d);
  H5Fclose(f);
  return v;
}

static void check_all(const double *v, long n, double expect, double tol)
{
  for (long i = 0; i < n; i++)
    if (!(fabs(v[i] - expect) <= tol)) {
      CU_FAIL("value differs from the closed form");
      printf("  [%ld] = %.17g, expected %.17g\n", i, v[i], expect);
      return;
    }
}

static void check_run(const char *report, const char *group, double a, long samples)
{
  char name[128];
  const long nh = NY / 2, nkx = NX / 2 + 1, nkz = NZ / 2 + 1;
  double u2 = UTAU * UTAU;
  snprintf(name, sizeof name, "%s/U_plus", group);
  double *v = get(report, name, nh), *y = get(report, "/y", nh);
  for (long j = 0; j < nh; j++) CU_ASSERT_DOUBLE_EQUAL(v[j], mean_u(y[j]) / UTAU, 1e-12);
  free(v);
  free(y);
  const char *rms[3] = {"urms_plus", "vrms_plus", "wrms_plus"};
  double amp[3] = {a, AMP_B, AMP_C};
  for (int c = 0; c < 3; c++) {
    snprintf(name, sizeof name, "%s/%s", group, rms[c]);
    check_all(v = get(report, name, nh), nh, amp[c] / sqrt(2.0) / UTAU, 1e-12);
    free(v);
  }
  snprintf(name, sizeof name, "%s/uv_plus", group);
  check_all(v = get(report, name, nh), nh, a * AMP_B / 2 / u2, 1e-12);
  free(v);
  snprintf(name, sizeof name, "%s/stats_time", group);
  v = get(report, name, samples);
  for (long s = 0; s < samples; s++) CU_ASSERT_DOUBLE_EQUAL(v[s], 0.5 * (double)(s + 1), 1e-15);
  free(v);
  /* spectra: the variance sits in the expected modes, the rest is round-off */
  double ex[NX / 2 + 1] = {AMP_C * AMP_C / 2 / u2, (a * a + AMP_B * AMP_B) / 2 / u2};
  double ez[NZ / 2 + 1] = {(a * a + AMP_B * AMP_B) / 2 / u2, 0, AMP_C * AMP_C / 2 / u2};
  snprintf(name, sizeof name, "%s/spectra_x", group);
  v = get(report, name, nkx);
  for (long m = 0; m < nkx; m++) CU_ASSERT_DOUBLE_EQUAL(v[m], ex[m], 1e-12);
  free(v);
  snprintf(name, sizeof name, "%s/spectra_z", group);
  v = get(report, name, nkz);
  for (long m = 0; m < nkz; m++) CU_ASSERT_DOUBLE_EQUAL(v[m], ez[m], 1e-12);
  free(v);
}

static void test_analytic(void)
{
  char report[4096], md[4096];
  write_inputs();
  FC_TEST_OK(run_compare("pred.h5", "pred", "analytic.h5", NULL));
  scratch("analytic.h5", report, sizeof report);
  scratch("analytic.md", md, sizeof md);
  check_run(report, "/reference", AMP_A, 5);
  check_run(report, "/runs/pred", 1.1 * AMP_A, 3);
  /* the error of every matched snapshot (4: the prediction stops early) */
  double u2 = 0, *y = get(report, "/y", NY / 2);
  for (long j = 0; j < NY / 2; j++) u2 += mean_u(y[j]) * mean_u(y[j]) / (NY / 2);
  free(y);
  double da2 = 0.01 * AMP_A * AMP_A / 2, norm2 = u2 + (AMP_A * AMP_A + AMP_B * AMP_B + AMP_C * AMP_C) / 2;
  double err = sqrt(da2 / norm2), *v = get(report, "/runs/pred/rel_l2", 4);
  check_all(v, 4, err, 1e-13);
  free(v);
  v = get(report, "/runs/pred/rel_l2_components", 12);
  for (int s = 0; s < 4; s++) {
    CU_ASSERT_DOUBLE_EQUAL(v[3 * s], sqrt(da2 / (u2 + AMP_A * AMP_A / 2)), 1e-13);
    CU_ASSERT_DOUBLE_EQUAL(v[3 * s + 1], 0, 1e-13);
    CU_ASSERT_DOUBLE_EQUAL(v[3 * s + 2], 0, 1e-13);
  }
  free(v);
  v = get(report, "/runs/pred/time", 4);
  for (int s = 0; s < 4; s++) CU_ASSERT_DOUBLE_EQUAL(v[s], 0.5 * s, 1e-15);
  free(v);
  /* the summary: reference row, then the prediction's */
  v = get(report, "/summary/table", 16);
  for (int q = 0; q < 4; q++) CU_ASSERT(isnan(v[q]));
  for (int q = 4; q < 7; q++) CU_ASSERT_DOUBLE_EQUAL(v[q], 0, 1e-15);
  CU_ASSERT(isnan(v[7]));
  CU_ASSERT_DOUBLE_EQUAL(v[8], err, 1e-13);         /* after 1 step */
  CU_ASSERT(isnan(v[9]));                           /* no 5th step */
  CU_ASSERT_DOUBLE_EQUAL(v[10], err, 1e-13);        /* mean over the 3 predicted snapshots */
  CU_ASSERT_DOUBLE_EQUAL(v[11], 3, 0);
  CU_ASSERT_DOUBLE_EQUAL(v[12], 0, 1e-13);          /* centreline U+ */
  CU_ASSERT_DOUBLE_EQUAL(v[13], 0.1, 1e-12);        /* u_rms+ peak */
  CU_ASSERT_DOUBLE_EQUAL(v[14], 0.1, 1e-12);        /* -u'v'+ peak */
  CU_ASSERT_DOUBLE_EQUAL(v[15], 2.5, 0);            /* wall seconds per unit time */
  free(v);
  FILE *f = fopen(md, "r");
  CU_ASSERT_FATAL(f != NULL);
  char line[1024];
  int row = 0;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, "| pred |", 8)) row = strstr(line, "(3 steps)") && strstr(line, "+10.00%") && strstr(line, "2.5");
  fclose(f);
  CU_ASSERT(row);
}

/* A prediction identical to the reference: zero error, equal statistics; the window from a key. */
static void test_self(void)
{
  char report[4096];
  const char *extra[] = {"-compare_stats_from", "1.5", NULL};
  write_inputs();
  FC_TEST_OK(run_compare("ref.h5", "same", "self.h5", extra));
  scratch("self.h5", report, sizeof report);
  double *v = get(report, "/runs/same/rel_l2", 6);
  check_all(v, 6, 0, 0);
  free(v);
  free(get(report, "/reference/stats_time", 3));
  free(get(report, "/runs/same/stats_time", 3));
}

/* Each bad input: FC_ERR_INPUT, and neither the report nor the summary (nor .partial) written;
 * an existing report stays as it was. */
static void expect_bad(const char *preds, const char *labels, const char *const *extra)
{
  char report[4096], md[4096], partial[4200];
  scratch("bad.h5", report, sizeof report);
  scratch("bad.md", md, sizeof md);
  if (fc_test_rank() == 0) {
    FILE *f = fopen(report, "w");
    fputs("old", f);
    fclose(f);
    unlink(md);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  FC_TEST_FAILS(run_compare(preds, labels, "bad.h5", extra), FC_ERR_INPUT);
  char buf[8] = "";
  FILE *f = fopen(report, "r");
  CU_ASSERT_FATAL(f != NULL);
  CU_ASSERT(fgets(buf, sizeof buf, f) && !strcmp(buf, "old"));
  fclose(f);
  CU_ASSERT(access(md, F_OK) != 0);
  snprintf(partial, sizeof partial, "%s.partial", report);
  CU_ASSERT(access(partial, F_OK) != 0);
  MPI_Barrier(MPI_COMM_WORLD);
}

static void test_bad_inputs(void)
{
  const char *nu0[] = {"-compare_nu", "0", NULL}, *late[] = {"-compare_stats_from", "7", NULL};
  const char *yplus[] = {"-compare_spectra_yplus", "15,-1", NULL};
  write_inputs();
  expect_bad("pred.h5", "a,b", NULL);          /* labels count */
  expect_bad("pred.h5,pred.h5", "a,a", NULL);  /* a label twice */
  expect_bad("nope.h5", "a", NULL);            /* missing file */
  expect_bad("coarse.h5", "a", NULL);          /* another grid */
  expect_bad("late.h5", "a", NULL);            /* no common snapshot */
  expect_bad("pressure.h5", "a", NULL);        /* no velocity */
  expect_bad("pred.h5", "a", nu0);             /* nu = 0 */
  expect_bad("pred.h5", "a", late);            /* window after the reference's end */
  expect_bad("pred.h5", "a", yplus);           /* a negative y+ */
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"analytic fields: statistics, spectra, errors, summary", test_analytic},
                                       {"the reference against itself, window from a key", test_self},
                                       {"bad inputs: one error, nothing written", test_bad_inputs},
                                       {NULL, NULL}};
  fc_test_add_suite("channel_compare", tests);
}

/* Turbulence statistics of the channel (src/solvers/channel/stats.c).
 *
 * - Fields of known statistics: u = U(y) + g A(y) sin(a x) + g B cos(b z), v = g V(y) sin(a x),
 *   w = W0 + g D(y) cos(b z) with a sample-dependent g: the means, the Reynolds stresses (with the
 *   centre interpolation's factors cos(a dx/2), cos(b dz/2) and the two-face average of v), the
 *   folding (uv changes sign in the upper half), wall units, bulk velocity, Cf, the spectra
 *   (each mode in its wavenumber with its amplitude; sum = variance) and the plane choice.
 * - Write, load into a fresh object, accumulate more = one uninterrupted accumulation (bitwise),
 *   with time-dependent means (the temporal part of the Reynolds stress).
 * - A perturbed turbulent-like flow on one rank and on all ranks: the same file contents.
 * - Loading a file of another grid, viscosity or plane count, or a missing file: clear errors.
 * Run at 1 and 2 ranks (tests/channel_stats.cmake); all expected values are computed here.
 */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel_test.h"
#include "fc_channel_stats.h"

/* the test box with a force: u_tau = 1, Re_tau = 180 nominal */
static fc_channel_config base_config(long nx, long ny, long nz)
{
  fc_channel_config c = fc_channel_test_config(nx, ny, nz);
  c.stretch = 1.5;
  c.nu = 1.0 / 180.0;
  c.dpdx = 1.0;
  return c;
}

/* scratch files per rank count: the np1 and np2 runs may run at the same time */
static void tmp_path(char *buf, size_t len, const char *name)
{
  snprintf(buf, len, "%s/channel_stats_np%d_%s", fc_test_tmpdir(), fc_test_size(), name);
}

/* ---- the synthetic field ------------------------------------------------------------------ */

#define MX 2 /* x mode of u and v */
#define MZ 3 /* z mode of u and w */
#define BZ 0.3
#define W0 0.2

typedef struct {
  double g;     /* amplitude factor of the fluctuations */
  double umean; /* factor of the mean profile */
} sample_par;

static double prof_U(double y) { return 10.0 * y * (2.0 - y); }
static double prof_A(double y) { return 0.5 + 0.2 * (y - 1.0) * (y - 1.0); }
static double prof_V(double y) { return 0.4 * sin(M_PI * y); } /* antisymmetric about y = 1 */
static double prof_D(double y) { return 0.3 + 0.1 * y * (2.0 - y); }

static void set_field(fc_channel *ch, sample_par s)
{
  const double *yc = ch->yc + 1, *yf = ch->yf + 1;
  const double a = 2 * M_PI * MX / ch->c.lx, b = 2 * M_PI * MZ / ch->c.lz;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny; j++) {
        long q = FC_CH_IDX(ch, i, k, j);
        double xc = (ch->x0 + i + 0.5) * ch->dx, xf = xc + 0.5 * ch->dx;
        double zc = (k + 0.5) * ch->dz, zf = zc + 0.5 * ch->dz;
        ch->u[q] = s.umean * prof_U(yc[j]) + s.g * prof_A(yc[j]) * sin(a * xf) + s.g * BZ * cos(b * zc);
        ch->v[q] = j < ch->ny - 1 ? s.g * prof_V(yf[j]) * sin(a * xc) : 0.0;
        ch->w[q] = W0 + s.g * prof_D(yc[j]) * cos(b * zf);
      }
  fc_channel_halo_velocity(ch);
}

/* v amplitude at centre j: linear interpolation between its two faces (v = 0 on the walls) */
static double vamp(const fc_channel *ch, long j)
{
  const double *yc = ch->yc + 1, *yf = ch->yf + 1;
  double below = j > 0 ? prof_V(yf[j - 1]) : 0.0, above = j < ch->ny - 1 ? prof_V(yf[j]) : 0.0;
  return below + (yc[j] - yf[j - 1]) / (yf[j] - yf[j - 1]) * (above - below);
}

/* ---- reading the file (rank 0) ------------------------------------------------------------ */

static long read_ds(const char *path, const char *name, double *buf, long cap)
{
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return -1;
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  long n = -1;
  if (d >= 0) {
    hid_t s = H5Dget_space(d);
    n = (long)H5Sget_simple_extent_npoints(s);
    H5Sclose(s);
    if (n <= cap) H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    else n = -1;
    H5Dclose(d);
  }
  H5Fclose(f);
  return n;
}

static double read_attr(const char *path, const char *obj, const char *name)
{
  double v = NAN;
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return v;
  hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
  if (a >= 0) {
    H5Aread(a, H5T_NATIVE_DOUBLE, &v);
    H5Aclose(a);
  }
  H5Fclose(f);
  return v;
}

/* max |x - ref| / scale over n values */
static double maxdiff(const double *x, const double *ref, long n, double scale)
{
  double m = 0;
  for (long q = 0; q < n; q++) m = fmax(m, fabs(x[q] - ref[q]) / scale);
  return m;
}

/* ---- known statistics -------------------------------------------------------------------- */

static const sample_par known_samples[] = {{1.0, 1.0}, {0.6, 1.0}, {1.3, 1.0}, {0.9, 1.0}};
#define NKNOWN 4

static void test_known_statistics(void)
{
  fc_channel_config c = base_config(16, 12, 8);
  fc_channel *ch;
  fc_channel_stats *st;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  const double yplus[3] = {3.0, 25.0, 1000.0};
  FC_TEST_OK(fc_channel_stats_create(ch, 3, yplus, &st));
  CU_ASSERT_EQUAL(fc_channel_stats_samples(st), 0);
  for (int s = 0; s < NKNOWN; s++) {
    set_field(ch, known_samples[s]);
    ch->t = 0.5 + 0.25 * s;
    FC_TEST_OK(fc_channel_stats_accumulate(st, ch));
  }
  CU_ASSERT_EQUAL(fc_channel_stats_samples(st), NKNOWN);
  char path[1024];
  tmp_path(path, sizeof path, "known.h5");
  FC_TEST_OK(fc_channel_stats_write(st, ch, path, "case: known statistics\n"));

  if (fc_test_rank() == 0) {
    const long ny = ch->ny, nh = (ny + 1) / 2, nkx = ch->nx / 2 + 1, nkz = ch->nz / 2 + 1;
    const double *yc = ch->yc + 1, *dyf = ch->dyf + 1;
    const double ca = cos(2 * M_PI * MX / c.lx * ch->dx / 2), cb = cos(2 * M_PI * MZ / c.lz * ch->dz / 2);
    double g2 = 0;
    for (int s = 0; s < NKNOWN; s++) g2 += known_samples[s].g * known_samples[s].g / NKNOWN;
    /* expected folded profiles (the field is symmetric, uv antisymmetric: the lower half's values) */
    double eU[64], eW[64], euu[64], evv[64], eww[64], euv[64], euw[64], zero[64] = {0};
    for (long j = 0; j < nh; j++) {
      double A = prof_A(yc[j]), Vc = vamp(ch, j), D = prof_D(yc[j]);
      eU[j] = prof_U(yc[j]);
      eW[j] = W0;
      euu[j] = g2 * (A * A * ca * ca + BZ * BZ) / 2;
      evv[j] = g2 * Vc * Vc / 2;
      eww[j] = g2 * D * D * cb * cb / 2;
      euv[j] = g2 * A * ca * Vc / 2;
      euw[j] = g2 * BZ * D * cb / 2;
    }
    double got[64], y[64];
    CU_ASSERT_EQUAL(read_ds(path, "y", y, 64), nh);
    CU_ASSERT(maxdiff(y, yc, nh, 1.0) == 0.0);
    double err[10];
    read_ds(path, "U", got, 64), err[0] = maxdiff(got, eU, nh, 10.0);
    read_ds(path, "V", got, 64), err[1] = maxdiff(got, zero, nh, 10.0);
    read_ds(path, "W", got, 64), err[2] = maxdiff(got, eW, nh, 10.0);
    read_ds(path, "uu", got, 64), err[3] = maxdiff(got, euu, nh, 100.0); /* <u^2> - U^2: U^2 ~ 100 */
    read_ds(path, "vv", got, 64), err[4] = maxdiff(got, evv, nh, 1.0);
    read_ds(path, "ww", got, 64), err[5] = maxdiff(got, eww, nh, 1.0);
    read_ds(path, "uv", got, 64), err[6] = maxdiff(got, euv, nh, 1.0);
    read_ds(path, "uw", got, 64), err[7] = maxdiff(got, euw, nh, 1.0);
    read_ds(path, "vw", got, 64), err[8] = maxdiff(got, zero, nh, 1.0);
    double emax = 0;
    for (int q = 0; q < 9; q++) emax = fmax(emax, err[q]);
    /* wall units: the parabola's exact wall gradient 20, so tau = 20 nu */
    double tau = 20.0 * c.nu, utau = sqrt(tau), ub = 0;
    for (long j = 0; j < ny; j++) ub += prof_U(yc[j]) * dyf[j] / c.ly;
    double utau_f = read_attr(path, "/", "u_tau"), retau_f = read_attr(path, "/", "re_tau");
    double ub_f = read_attr(path, "/", "bulk_velocity"), cf_f = read_attr(path, "/", "cf");
    double wall_err = fmax(fmax(fabs(utau_f / utau - 1), fabs(retau_f / (utau / c.nu) - 1)),
                           fmax(fabs(ub_f / ub - 1), fabs(cf_f / (2 * tau / (ub * ub)) - 1)));
    /* wall-unit profiles */
    double plus_err = 0;
    read_ds(path, "U_plus", got, 64);
    for (long j = 0; j < nh; j++) plus_err = fmax(plus_err, fabs(got[j] - eU[j] / utau) / 10);
    read_ds(path, "u_rms_plus", got, 64);
    for (long j = 0; j < nh; j++) plus_err = fmax(plus_err, fabs(got[j] - sqrt(euu[j]) / utau));
    read_ds(path, "uv_plus", got, 64);
    for (long j = 0; j < nh; j++) plus_err = fmax(plus_err, fabs(got[j] + euv[j] / tau));
    read_ds(path, "yplus", got, 64);
    for (long j = 0; j < nh; j++) plus_err = fmax(plus_err, fabs(got[j] - yc[j] * utau / c.nu) / 100);
    printf("\n  known statistics (%d rank(s)): max error of U V W uu vv ww uv uw vw %.2e %.2e %.2e %.2e %.2e %.2e "
           "%.2e %.2e %.2e\n  u_tau %.10f (exact %.10f), Re_tau %.4f, U_b %.6f, Cf %.6e: max rel. error %.2e; "
           "wall-unit profiles %.2e\n",
           fc_test_size(), err[0], err[1], err[2], err[3], err[4], err[5], err[6], err[7], err[8], utau_f, utau,
           retau_f, ub_f, cf_f, wall_err, plus_err);
    CU_ASSERT(emax < 1e-13);
    CU_ASSERT(wall_err < 1e-12);
    CU_ASSERT(plus_err < 1e-12);
    CU_ASSERT(fabs(euv[1]) > 1e-3); /* uv is not trivially zero: the fold's sign matters */
    CU_ASSERT_EQUAL((long)read_attr(path, "/", "samples"), NKNOWN);
    CU_ASSERT(read_attr(path, "/", "t_first") == 0.5 && read_attr(path, "/", "t_last") == 0.5 + 0.25 * (NKNOWN - 1));

    /* planes: nearest lower-half centre to y = y+ nu / u_tau_nominal (u_tau_nominal = sqrt(dpdx h) = 1) */
    double jf[8], yp[8], ypn[8];
    CU_ASSERT_EQUAL(read_ds(path, "spectra/j", jf, 8), 3);
    read_ds(path, "spectra/yplus", yp, 8);
    read_ds(path, "spectra/yplus_nominal", ypn, 8);
    long jexp[3];
    for (int p = 0; p < 3; p++) {
      double target = yplus[p] * c.nu / 1.0;
      jexp[p] = 0;
      for (long j = 0; j < nh; j++)
        if (fabs(yc[j] - target) < fabs(yc[jexp[p]] - target)) jexp[p] = j;
      CU_ASSERT_EQUAL((long)jf[p], jexp[p]);
      CU_ASSERT(fabs(yp[p] - yc[jexp[p]] * utau / c.nu) < 1e-10);
      CU_ASSERT(ypn[p] == yplus[p]);
    }
    CU_ASSERT_EQUAL(jexp[2], nh - 1);
    printf("  planes: y+ %g %g %g requested -> centres j = %ld %ld %ld (y+ %.3f %.3f %.3f measured)\n", yplus[0],
           yplus[1], yplus[2], jexp[0], jexp[1], jexp[2], yp[0], yp[1], yp[2]);

    /* spectra: every mode at its wavenumber with its energy */
    double ex[3][8 * 9], ez[3][8 * 9], kx[9], kz[9];
    CU_ASSERT_EQUAL(read_ds(path, "spectra/kx", kx, 9), nkx);
    CU_ASSERT_EQUAL(read_ds(path, "spectra/kz", kz, 9), nkz);
    CU_ASSERT(fabs(kx[MX] - 2 * M_PI * MX / c.lx) < 1e-14 && fabs(kz[MZ] - 2 * M_PI * MZ / c.lz) < 1e-14);
    static const char *xn[3] = {"spectra/Euu_x", "spectra/Evv_x", "spectra/Eww_x"};
    static const char *zn[3] = {"spectra/Euu_z", "spectra/Evv_z", "spectra/Eww_z"};
    for (int q = 0; q < 3; q++) {
      CU_ASSERT_EQUAL(read_ds(path, xn[q], ex[q], 8 * 9), 3 * nkx);
      CU_ASSERT_EQUAL(read_ds(path, zn[q], ez[q], 8 * 9), 3 * nkz);
    }
    double spec_err = 0, sum_err = 0;
    read_ds(path, "uu", got, 64);
    double uu_f[64], vv_f[64], ww_f[64];
    memcpy(uu_f, got, sizeof uu_f);
    read_ds(path, "vv", vv_f, 64);
    read_ds(path, "ww", ww_f, 64);
    for (int p = 0; p < 3; p++) {
      long j = jexp[p];
      double A = prof_A(yc[j]), Vc = vamp(ch, j), D = prof_D(yc[j]);
      double wx[3][9] = {{0}}, wz[3][9] = {{0}};
      wx[0][0] = g2 * BZ * BZ / 2, wx[0][MX] = g2 * A * A * ca * ca / 2;
      wz[0][0] = g2 * A * A * ca * ca / 2, wz[0][MZ] = g2 * BZ * BZ / 2;
      wx[1][MX] = g2 * Vc * Vc / 2, wz[1][0] = g2 * Vc * Vc / 2;
      wx[2][0] = g2 * D * D * cb * cb / 2, wz[2][MZ] = g2 * D * D * cb * cb / 2;
      const double *var[3] = {uu_f, vv_f, ww_f};
      for (int q = 0; q < 3; q++) {
        double sx = 0, sz = 0;
        for (long m = 0; m < nkx; m++) spec_err = fmax(spec_err, fabs(ex[q][p * nkx + m] - wx[q][m])), sx += ex[q][p * nkx + m];
        for (long m = 0; m < nkz; m++) spec_err = fmax(spec_err, fabs(ez[q][p * nkz + m] - wz[q][m])), sz += ez[q][p * nkz + m];
        sum_err = fmax(sum_err, fmax(fabs(sx - var[q][j]), fabs(sz - var[q][j])));
      }
    }
    printf("  spectra: max error %.2e (Euu_x at kx_%d = %.6f, expected %.6f); |sum E - variance| %.2e\n", spec_err, MX,
           ex[0][MX], g2 * prof_A(yc[jexp[0]]) * prof_A(yc[jexp[0]]) * ca * ca / 2, sum_err);
    CU_ASSERT(spec_err < 1e-13);
    CU_ASSERT(sum_err < 1e-12); /* the variance <u^2> - U^2 carries round-off of U^2 ~ 100 */
  }
  fc_channel_stats_destroy(&st);
  fc_channel_destroy(&ch);
}

/* ---- restart: write, load, continue ------------------------------------------------------ */

static sample_par varying(int s) { return (sample_par){1.0 + 0.2 * sin(1.7 * s), 1.0 + 0.1 * (s - 2)}; }

static int files_equal(const char *a, const char *b, double *maxd)
{
  static const char *ds[] = {"y", "yplus", "U", "V", "W", "uu", "vv", "ww", "uv", "uw", "vw", "U_plus", "u_rms_plus",
                             "v_rms_plus", "w_rms_plus", "uv_plus", "raw/sums", "raw/spectra_x", "raw/spectra_z",
                             "spectra/Euu_x", "spectra/Evv_x", "spectra/Eww_x", "spectra/Euu_z", "spectra/Evv_z",
                             "spectra/Eww_z", "spectra/yplus", NULL};
  static const char *at[] = {"samples", "t_first", "t_last", "u_tau", "re_tau", "bulk_velocity", "cf", NULL};
  static double x[4096], y[4096];
  int same = 1;
  *maxd = 0;
  for (int q = 0; ds[q]; q++) {
    long n = read_ds(a, ds[q], x, 4096), m = read_ds(b, ds[q], y, 4096);
    same &= n > 0 && n == m;
    for (long i = 0; i < n && n == m; i++) *maxd = fmax(*maxd, fabs(x[i] - y[i]));
  }
  for (int q = 0; at[q]; q++) {
    double u = read_attr(a, "/", at[q]), v = read_attr(b, "/", at[q]);
    same &= u == v;
  }
  return same && *maxd == 0.0;
}

static void test_restart(void)
{
  fc_channel_config c = base_config(16, 12, 8);
  fc_channel *ch;
  fc_channel_stats *sa, *sb, *sc;
  const double yplus[2] = {10.0, 60.0};
  char p1[1024], p2[1024], p3[1024];
  tmp_path(p1, sizeof p1, "part1.h5");
  tmp_path(p2, sizeof p2, "part2.h5");
  tmp_path(p3, sizeof p3, "whole.h5");
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  FC_TEST_OK(fc_channel_stats_create(ch, 2, yplus, &sa));
  FC_TEST_OK(fc_channel_stats_create(ch, 2, yplus, &sb));
  FC_TEST_OK(fc_channel_stats_create(ch, 2, yplus, &sc));
  for (int s = 0; s < 5; s++) {
    set_field(ch, varying(s));
    ch->t = 1.0 + 0.1 * s;
    if (s < 3) FC_TEST_OK(fc_channel_stats_accumulate(sa, ch));
    if (s == 2) {
      FC_TEST_OK(fc_channel_stats_write(sa, ch, p1, "part 1"));
      FC_TEST_OK(fc_channel_stats_load(sb, ch, p1));
      CU_ASSERT_EQUAL(fc_channel_stats_samples(sb), 3);
    }
    if (s >= 3) FC_TEST_OK(fc_channel_stats_accumulate(sb, ch));
    FC_TEST_OK(fc_channel_stats_accumulate(sc, ch));
  }
  FC_TEST_OK(fc_channel_stats_write(sb, ch, p2, "part 2"));
  FC_TEST_OK(fc_channel_stats_write(sc, ch, p3, "whole"));
  CU_ASSERT_EQUAL(fc_channel_stats_samples(sb), 5);
  if (fc_test_rank() == 0) {
    double d;
    int same = files_equal(p2, p3, &d);
    /* the temporal part of the Reynolds stress: uu = <U_s^2 + var_s> - <U_s>^2 */
    const double *yc = ch->yc + 1, ca = cos(2 * M_PI * MX / c.lx * ch->dx / 2);
    double uu[64], err = 0;
    read_ds(p3, "uu", uu, 64);
    for (long j = 0; j < (ch->ny + 1) / 2; j++) {
      double m1 = 0, m2 = 0, A = prof_A(yc[j]);
      for (int s = 0; s < 5; s++) {
        sample_par q = varying(s);
        double U = q.umean * prof_U(yc[j]);
        m1 += U / 5;
        m2 += (U * U + q.g * q.g * (A * A * ca * ca + BZ * BZ) / 2) / 5;
      }
      err = fmax(err, fabs(uu[j] - (m2 - m1 * m1)));
    }
    printf("\n  restart: 3 samples, write, load, 2 more = 5 uninterrupted: %s (max difference %.1e); uu with "
           "time-dependent mean: error %.2e; t_first %.2f t_last %.2f\n",
           same ? "identical" : "DIFFERENT", d, err, read_attr(p2, "/", "t_first"), read_attr(p2, "/", "t_last"));
    CU_ASSERT(same);
    CU_ASSERT(err < 1e-12);
    CU_ASSERT(read_attr(p2, "/", "t_first") == 1.0 && read_attr(p2, "/", "t_last") == 1.4);
  }
  fc_channel_stats_destroy(&sa);
  fc_channel_stats_destroy(&sb);
  fc_channel_stats_destroy(&sc);
  fc_channel_destroy(&ch);
}

/* ---- one rank against all ranks ------------------------------------------------------------ */

static void test_rank_independent(void)
{
  fc_channel_config c = base_config(16, 13, 8);
  c.drive = FC_DRIVE_FLOW_RATE;
  c.nu = 1.0 / 1000.0;
  c.cfl = 0.8;
  fc_channel *a, *b;
  fc_channel_stats *sa, *sb;
  const double yplus[3] = {5.0, 20.0, 500.0};
  FC_TEST_OK(fc_channel_create(MPI_COMM_SELF, &c, &a));
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &b));
  FC_TEST_OK(fc_channel_init_profile(a, 1, 1.0, 0.5, 11));
  FC_TEST_OK(fc_channel_init_profile(b, 1, 1.0, 0.5, 11));
  FC_TEST_OK(fc_channel_stats_create(a, 3, yplus, &sa));
  FC_TEST_OK(fc_channel_stats_create(b, 3, yplus, &sb));
  for (int s = 0; s < 3; s++) {
    FC_TEST_OK(fc_channel_step(a));
    FC_TEST_OK(fc_channel_step(b));
    FC_TEST_OK(fc_channel_stats_accumulate(sa, a));
    FC_TEST_OK(fc_channel_stats_accumulate(sb, b));
  }
  char pa[1024], pb[1024];
  tmp_path(pa, sizeof pa, "one_rank.h5");
  tmp_path(pb, sizeof pb, "all_ranks.h5");
  if (fc_test_rank() == 0) FC_TEST_OK(fc_channel_stats_write(sa, a, pa, NULL));
  FC_TEST_OK(fc_channel_stats_write(sb, b, pb, NULL));
  if (fc_test_rank() == 0) {
    static const char *ds[] = {"U", "V", "W", "uu", "vv", "ww", "uv", "uw", "vw", "u_rms_plus", "uv_plus",
                               "spectra/Euu_x", "spectra/Evv_x", "spectra/Eww_x", "spectra/Euu_z", "spectra/Evv_z",
                               "spectra/Eww_z", NULL};
    static double x[4096], y[4096];
    double worst = 0;
    for (int q = 0; ds[q]; q++) {
      long n = read_ds(pa, ds[q], x, 4096), m = read_ds(pb, ds[q], y, 4096);
      CU_ASSERT(n > 0 && n == m);
      double scale = 1e-3; /* V, W and vw are zero up to sampling noise: not relative to themselves */
      for (long i = 0; i < n; i++) scale = fmax(scale, fabs(x[i]));
      worst = fmax(worst, maxdiff(x, y, n, scale));
    }
    double ra = read_attr(pa, "/", "re_tau"), rb = read_attr(pb, "/", "re_tau");
    printf("\n  1 rank vs %d: max relative difference of profiles and spectra %.2e; Re_tau %.6f / %.6f\n",
           fc_test_size(), worst, ra, rb);
    CU_ASSERT(worst < 1e-11);
    CU_ASSERT(fabs(ra - rb) < 1e-10 * ra);
  }
  fc_channel_stats_destroy(&sa);
  fc_channel_stats_destroy(&sb);
  fc_channel_destroy(&a);
  fc_channel_destroy(&b);
}

/* ---- bad loads ----------------------------------------------------------------------------- */

static void test_bad_load(void)
{
  char good[1024], missing[1024], empty[1024];
  tmp_path(good, sizeof good, "good.h5");
  tmp_path(missing, sizeof missing, "does_not_exist.h5");
  tmp_path(empty, sizeof empty, "empty.h5");
  const double yplus[2] = {10.0, 60.0};
  fc_channel_config c = base_config(16, 12, 8);
  fc_channel *ch;
  fc_channel_stats *st;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  FC_TEST_OK(fc_channel_stats_create(ch, 2, yplus, &st));
  /* a file with no samples is written (zeros) and loads */
  FC_TEST_OK(fc_channel_stats_write(st, ch, empty, NULL));
  FC_TEST_OK(fc_channel_stats_load(st, ch, empty));
  set_field(ch, known_samples[0]);
  FC_TEST_OK(fc_channel_stats_accumulate(st, ch));
  FC_TEST_OK(fc_channel_stats_write(st, ch, good, NULL));
  fc_channel_stats_destroy(&st);
  fc_channel_destroy(&ch);
  if (fc_test_rank() == 0) printf("\n  bad loads (each prints its message):\n");

  struct {
    const char *what;
    long nx;
    double nu, lz;
    int nplanes;
    const char *path;
    int kind;
  } cases[] = {{"grid", 8, 1.0 / 180, M_PI, 2, good, FC_ERR_INPUT},
               {"box", 16, 1.0 / 180, 2 * M_PI, 2, good, FC_ERR_INPUT},
               {"viscosity", 16, 1.0 / 200, M_PI, 2, good, FC_ERR_INPUT},
               {"plane count", 16, 1.0 / 180, M_PI, 1, good, FC_ERR_INPUT},
               {"missing file", 16, 1.0 / 180, M_PI, 2, missing, FC_ERR_INPUT}};
  for (size_t q = 0; q < sizeof cases / sizeof cases[0]; q++) {
    c = base_config(cases[q].nx, 12, 8);
    c.nu = cases[q].nu;
    c.lz = cases[q].lz;
    FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
    FC_TEST_OK(fc_channel_stats_create(ch, cases[q].nplanes, yplus, &st));
    fc_err e = fc_channel_stats_load(st, ch, cases[q].path);
    CU_ASSERT_EQUAL(FC_ERR_KIND(e), cases[q].kind);
    CU_ASSERT(e & FC_ERR_COLLECTIVE);
    CU_ASSERT_EQUAL(fc_channel_stats_samples(st), 0); /* a failed load leaves the object as it was */
    fc_channel_stats_destroy(&st);
    fc_channel_destroy(&ch);
  }
  /* bad requests at create time */
  c = base_config(16, 12, 8);
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  const double negative[1] = {-1.0};
  FC_TEST_FAILS(fc_channel_stats_create(ch, 1, negative, &st), FC_ERR_INPUT);
  CU_ASSERT_PTR_NULL(st);
  fc_channel_destroy(&ch);
  c.dpdx = 0.0; /* no nominal friction velocity: planes cannot be placed */
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  FC_TEST_FAILS(fc_channel_stats_create(ch, 2, yplus, &st), FC_ERR_INPUT);
  FC_TEST_OK(fc_channel_stats_create(ch, 0, NULL, &st)); /* profiles only: fine */
  fc_channel_stats_destroy(&st);
  fc_channel_destroy(&ch);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"known_statistics", test_known_statistics},
                                       {"restart", test_restart},
                                       {"rank_independent", test_rank_independent},
                                       {"bad_load", test_bad_load},
                                       {NULL, NULL}};
  fc_test_add_suite("channel_stats", tests);
}

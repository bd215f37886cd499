/* Subgrid-scale models of the channel LES (src/solvers/channel/sgs.c) against hand values.
 *
 * - Smagorinsky: a linear velocity field gives (Cs Delta D)^2 |S| with the closed-form |S| and
 *   the van Driest factor D of the solver's own u_tau; Poiseuille flow (known wall shear) checks
 *   D itself with the exact u_tau.
 * - WALE: zero in pure shear and for a fluid at rest; the closed form for rotation plus strain
 *   in a plane; the formula evaluated with explicit matrix products for a 3D gradient.
 * - Dynamic: C = 0 for flows uniform in x-z planes (the test filter keeps them: L = 0); C(y)
 *   and nu_t = C Delta^2 |S| against a reference evaluation of the procedure on a periodic field
 *   (the whole grid on every rank, analytic face values), with planes of backscatter clipped to 0.
 * - Stress divergence: constant nu_t gives nu_t times the discrete Laplacian on a discretely
 *   divergence-free field; zero for a uniform flow; with a variable nu_t the discrete energy
 *   identity sum(u . div tau) = -sum(2 nu_t S:S) over cells and edges (summation by parts).
 * - Every model in a short perturbed LES: finite, divergence-free, the same on 1 rank and on
 *   all ranks of the test.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "channel_test.h"

static fc_channel_config sgs_config(long nx, long ny, long nz, fc_sgs_model model)
{
  fc_channel_config c = fc_channel_test_config(nx, ny, nz);
  c.sgs = model;
  return c;
}

/* cells whose stencils see neither the periodic wrap of a non-periodic field nor the walls */
static int inner_cell(const fc_channel *ch, long i, long k, long j)
{
  long gi = ch->x0 + i;
  return gi >= 1 && gi <= ch->nx - 2 && k >= 1 && k <= ch->nz - 2 && j >= 1 && j <= ch->ny - 2;
}

static double delta_of(const fc_channel *ch, long j) { return cbrt(ch->dx * ch->dyf[j + 1] * ch->dz); }

static double max_all(double x)
{
  MPI_Allreduce(MPI_IN_PLACE, &x, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return x;
}

static double sum_all(double x)
{
  MPI_Allreduce(MPI_IN_PLACE, &x, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return x;
}

/* |S| = sqrt(2 S_ij S_ij) of a gradient g[i][j] = du_i/dx_j */
static double strain_norm(const double g[3][3])
{
  double ss = 0;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) ss += 0.25 * (g[a][b] + g[b][a]) * (g[a][b] + g[b][a]);
  return sqrt(2.0 * ss);
}

/* ---- linear fields u_i = G_ij x_j ------------------------------------------------------- */

typedef struct {
  double g[3][3];
} linear;

static double linear_field(double x, double y, double z, int comp, const void *ctx)
{
  const linear *l = ctx;
  return l->g[comp][0] * x + l->g[comp][1] * y + l->g[comp][2] * z;
}

/* nu_t's ghosts: 0 on both walls (every line, ghost planes included), z ghosts periodic copies */
static double ghost_error(const fc_channel *ch)
{
  double e = 0;
  for (long i = -1; i <= ch->nxl; i++)
    for (long k = -1; k <= ch->nz; k++) {
      e = fmax(e, fabs(ch->nut[FC_CH_IDX(ch, i, k, -1)]) + fabs(ch->nut[FC_CH_IDX(ch, i, k, ch->ny)]));
      if (k == -1 && i >= 0 && i < ch->nxl)
        for (long j = 0; j < ch->ny; j++)
          e = fmax(e, fabs(ch->nut[FC_CH_IDX(ch, i, -1, j)] - ch->nut[FC_CH_IDX(ch, i, ch->nz - 1, j)]));
    }
  return max_all(e);
}

/* Smagorinsky on a divergence-free linear field: (Cs Delta D)^2 |S| with the u_tau of
 * fc_channel_wall_shear in D = 1 - exp(-y+/A+). */
static void test_smagorinsky_linear(void)
{
  fc_channel_config c = sgs_config(8, 14, 8, FC_SGS_SMAGORINSKY);
  c.nu = 0.05;
  fc_channel *ch;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  const linear l = {{{0.3, 1.2, -0.5}, {0.7, -0.1, 0.4}, {0.9, -1.1, -0.2}}};
  fc_channel_test_set_velocity(ch, linear_field, &l);
  FC_TEST_OK(fc_channel_sgs_viscosity(ch));
  double tau;
  FC_TEST_OK(fc_channel_wall_shear(ch, &tau));
  const double smag = strain_norm(l.g), utau = sqrt(tau), *yc = ch->yc + 1;
  double err = 0, dmin = 1, dmax = 0;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny; j++) {
        if (!inner_cell(ch, i, k, j)) continue;
        double yplus = fmin(yc[j], c.ly - yc[j]) * utau / c.nu, damp = 1.0 - exp(-yplus / c.aplus);
        double lm = c.cs * delta_of(ch, j) * damp, expect = lm * lm * smag;
        err = fmax(err, fabs(ch->nut[FC_CH_IDX(ch, i, k, j)] - expect) / expect);
        dmin = fmin(dmin, damp);
        dmax = fmax(dmax, damp);
      }
  err = max_all(err);
  dmin = -max_all(-dmin);
  dmax = max_all(dmax);
  double gerr = ghost_error(ch);
  if (fc_test_rank() == 0)
    printf("\n  smagorinsky, linear field: |S| = %.6f, u_tau = %.6f, van Driest factor %.3f .. %.3f, max rel err %.2e, "
           "ghost err %.1e\n", smag, utau, dmin, dmax, err, gerr);
  CU_ASSERT(err < 1e-13);
  CU_ASSERT(dmin < 0.2 && dmax > 0.3); /* the damping is active over a range */
  CU_ASSERT(gerr == 0.0);
  fc_channel_destroy(&ch);
}

static double poiseuille_field(double x, double y, double z, int comp, const void *ctx)
{
  (void)x, (void)z;
  const fc_channel_config *c = ctx;
  return comp == 0 ? c->dpdx / (2 * c->nu) * y * (c->ly - y) : 0.0;
}

/* van Driest damping with a known wall shear: Poiseuille flow at Re_tau = 180 on a uniform grid
 * (where the centre differences are exact for the parabola): tau_w = G ly / 2, |S| = |dU/dy|. */
static void test_smagorinsky_van_driest(void)
{
  fc_channel_config c = sgs_config(4, 24, 4, FC_SGS_SMAGORINSKY);
  c.stretch = 0.0;
  c.nu = 1.0 / 2800.0;
  const double utau = 180.0 * c.nu / (0.5 * c.ly);
  c.dpdx = utau * utau / (0.5 * c.ly); /* G with G ly / 2 = u_tau^2 */
  fc_channel *ch;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  fc_channel_test_set_velocity(ch, poiseuille_field, &c);
  FC_TEST_OK(fc_channel_sgs_viscosity(ch));
  const double *yc = ch->yc + 1;
  double err = 0;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 1; j < ch->ny - 1; j++) {
        double yplus = fmin(yc[j], c.ly - yc[j]) * utau / c.nu, damp = 1.0 - exp(-yplus / c.aplus);
        double s = fabs(c.dpdx / c.nu * (0.5 * c.ly - yc[j]));
        double lm = c.cs * delta_of(ch, j) * damp, expect = lm * lm * s;
        err = fmax(err, fabs(ch->nut[FC_CH_IDX(ch, i, k, j)] - expect) / expect);
      }
  err = max_all(err);
  if (fc_test_rank() == 0)
    printf("\n  smagorinsky, poiseuille at Re_tau 180: y+ of the first centres %.2f, %.2f; max rel err %.2e\n",
           yc[0] * utau / c.nu, yc[1] * utau / c.nu, err);
  CU_ASSERT(err < 1e-12);
  fc_channel_destroy(&ch);
}

/* ---- WALE --------------------------------------------------------------------------------- */

static double shear_field(double x, double y, double z, int comp, const void *ctx)
{
  (void)x, (void)z;
  return comp == 0 ? *(const double *)ctx * y : 0.0;
}

/* pure shear u = a y: g g = 0, so Sd = 0 and nu_t = 0; a fluid at rest: 0 (no 0/0) */
static void test_wale_shear(void)
{
  fc_channel_config c = sgs_config(8, 12, 6, FC_SGS_WALE);
  fc_channel *ch;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  double a = 1.5, m = 0, rest = 0;
  fc_channel_test_set_velocity(ch, shear_field, &a);
  FC_TEST_OK(fc_channel_sgs_viscosity(ch));
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny - 1; j++) m = fmax(m, fabs(ch->nut[FC_CH_IDX(ch, i, k, j)]));
  a = 0;
  fc_channel_test_set_velocity(ch, shear_field, &a);
  FC_TEST_OK(fc_channel_sgs_viscosity(ch));
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny; j++) {
        double n = ch->nut[FC_CH_IDX(ch, i, k, j)];
        rest = fmax(rest, isfinite(n) ? fabs(n) : INFINITY);
      }
  m = max_all(m);
  rest = max_all(rest);
  if (fc_test_rank() == 0) printf("\n  wale: max nu_t in pure shear %.1e, at rest %.1e\n", m, rest);
  CU_ASSERT(m < 1e-15);
  CU_ASSERT(rest == 0.0);
  fc_channel_destroy(&ch);
}

/* max relative error of nu_t against (Cw Delta)^2 k on the inner cells of a linear field */
static double wale_error(fc_channel *ch, const linear *l, double k)
{
  fc_channel_test_set_velocity(ch, linear_field, l);
  FC_TEST_OK(fc_channel_sgs_viscosity(ch));
  double err = 0;
  for (long i = 0; i < ch->nxl; i++)
    for (long kk = 0; kk < ch->nz; kk++)
      for (long j = 0; j < ch->ny; j++) {
        if (!inner_cell(ch, i, kk, j)) continue;
        double lw = ch->c.cw * delta_of(ch, j), expect = lw * lw * k;
        err = fmax(err, fabs(ch->nut[FC_CH_IDX(ch, i, kk, j)] - expect) / expect);
      }
  return max_all(err);
}

/* rotation plus strain in the x-y plane, g = [[s, gam - om], [gam + om, -s]]: g g = q I (2x2)
 * with q = s^2 + gam^2 - om^2, so Sd = diag(q/3, q/3, -2q/3), Sd:Sd = 2 q^2 / 3, S:S = 2 (s^2 + gam^2) */
static double wale_planar(double s, double gam, double om, linear *l)
{
  *l = (linear){{{s, gam - om, 0}, {gam + om, -s, 0}, {0, 0, 0}}};
  double q = s * s + gam * gam - om * om, qq = 2 * q * q / 3, ss = 2 * (s * s + gam * gam);
  return pow(qq, 1.5) / (pow(ss, 2.5) + pow(qq, 1.25));
}

/* the WALE kernel with explicit matrix products (the definition, term by term) */
static double wale_by_products(const double g[3][3])
{
  double g2[3][3] = {{0}}, sd[3][3], s[3][3], qq = 0, ss = 0, tr = 0;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++)
      for (int k = 0; k < 3; k++) g2[a][b] += g[a][k] * g[k][b];
  for (int a = 0; a < 3; a++) tr += g2[a][a];
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      sd[a][b] = 0.5 * (g2[a][b] + g2[b][a]) - (a == b ? tr / 3 : 0);
      s[a][b] = 0.5 * (g[a][b] + g[b][a]);
      qq += sd[a][b] * sd[a][b];
      ss += s[a][b] * s[a][b];
    }
  return pow(qq, 1.5) / (pow(ss, 2.5) + pow(qq, 1.25));
}

static void test_wale_hand(void)
{
  fc_channel_config c = sgs_config(8, 12, 6, FC_SGS_WALE);
  fc_channel *ch;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  linear l;
  double k1 = wale_planar(0.3, 0.5, 0.9, &l), e1 = wale_error(ch, &l, k1);
  double k2 = wale_planar(0.0, 0.0, 1.0, &l), e2 = wale_error(ch, &l, k2);
  double k3 = wale_planar(0.4, 0.0, 0.0, &l), e3 = wale_error(ch, &l, k3);
  const linear g3 = {{{0.3, 1.2, -0.5}, {0.7, -0.1, 0.4}, {0.9, -1.1, -0.2}}};
  double k4 = wale_by_products(g3.g), e4 = wale_error(ch, &g3, k4);
  if (fc_test_rank() == 0)
    printf("\n  wale kernels (rotation+strain, rotation, strain, 3D) %.6f %.6f %.6f %.6f;"
           " max rel err %.1e %.1e %.1e %.1e\n", k1, k2, k3, k4, e1, e2, e3, e4);
  CU_ASSERT(fabs(k2 - pow(2.0 / 3.0, 0.25)) < 1e-15); /* pure rotation: (Sd:Sd)^(1/4) = (2/3)^(1/4) om */
  CU_ASSERT(e1 < 1e-13 && e2 < 1e-13 && e3 < 1e-13 && e4 < 1e-13);
  fc_channel_destroy(&ch);
}

/* ---- dynamic ------------------------------------------------------------------------------ */

static double layered_field(double x, double y, double z, int comp, const void *ctx)
{
  (void)x, (void)z, (void)ctx;
  double b = y * (2.0 - y);
  return comp == 0 ? 1.3 * b : comp == 2 ? -0.7 * b * b : 0.0;
}

/* a flow uniform in x-z planes: the test filter (weights summing to 1) keeps it, L = 0, C = 0 */
static void test_dynamic_layered(void)
{
  fc_channel_config c = sgs_config(8, 12, 6, FC_SGS_DYNAMIC);
  fc_channel *ch;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  fc_channel_test_set_velocity(ch, layered_field, NULL);
  ch->dyn_c_last_mean = -1;
  FC_TEST_OK(fc_channel_sgs_viscosity(ch));
  double m = 0;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny; j++) m = fmax(m, fabs(ch->nut[FC_CH_IDX(ch, i, k, j)]));
  m = max_all(m);
  if (fc_test_rank() == 0) printf("\n  dynamic, layered flow: max nu_t %.1e, mean C %.1e\n", m, ch->dyn_c_last_mean);
  CU_ASSERT(m < 1e-16);
  CU_ASSERT(fabs(ch->dyn_c_last_mean) < 1e-14);
  fc_channel_destroy(&ch);
}

/* Reference of the dynamic procedure: centre quantities of plane j on the whole x-z grid from
 * analytic face values (periodic fields), the Simpson filter with periodic indices, L and M,
 * plane sums. Returns the unclipped C(j) and |S| at each global (ix, k) of the plane. */
typedef struct {
  const fc_channel *ch;
  fc_velocity_fn f;
  const void *ctx;
} ref_field;

static double ref_u(const ref_field *r, long ix, long k, long j)
{
  const fc_channel *ch = r->ch;
  return r->f((ix + 1) * ch->dx, ch->yc[j + 1], (k + 0.5) * ch->dz, 0, r->ctx);
}

static double ref_v(const ref_field *r, long ix, long k, long j)
{
  const fc_channel *ch = r->ch;
  if (j < 0 || j >= ch->ny - 1) return 0.0; /* the walls */
  return r->f((ix + 0.5) * ch->dx, ch->yf[j + 1], (k + 0.5) * ch->dz, 1, r->ctx);
}

static double ref_w(const ref_field *r, long ix, long k, long j)
{
  const fc_channel *ch = r->ch;
  return r->f((ix + 0.5) * ch->dx, ch->yc[j + 1], (k + 1) * ch->dz, 2, r->ctx);
}

/* centre velocity component a at (ix, k, j): face averages, v interpolated linearly to yc_j */
static double ref_centre(const ref_field *r, int a, long ix, long k, long j)
{
  const fc_channel *ch = r->ch;
  if (a == 0) return 0.5 * (ref_u(r, ix, k, j) + ref_u(r, ix - 1, k, j));
  if (a == 2) return 0.5 * (ref_w(r, ix, k, j) + ref_w(r, ix, k - 1, j));
  double t = (ch->yc[j + 1] - ch->yf[j]) / ch->dyf[j + 1];
  return (1 - t) * ref_v(r, ix, k, j - 1) + t * ref_v(r, ix, k, j);
}

/* d(centre value)/dy through the face midpoints, 0 on the walls (u and w) */
static double ref_ddy(const ref_field *r, int a, long ix, long k, long j)
{
  const fc_channel *ch = r->ch;
  double c0 = ref_centre(r, a, ix, k, j);
  double top = j < ch->ny - 1 ? 0.5 * (c0 + ref_centre(r, a, ix, k, j + 1)) : 0.0;
  double bot = j > 0 ? 0.5 * (c0 + ref_centre(r, a, ix, k, j - 1)) : 0.0;
  return (top - bot) / ch->dyf[j + 1];
}

static void ref_gradient(const ref_field *r, long ix, long k, long j, double g[3][3])
{
  const fc_channel *ch = r->ch;
  for (int a = 0; a < 3; a++) {
    g[a][0] = (ref_centre(r, a, ix + 1, k, j) - ref_centre(r, a, ix - 1, k, j)) / (2 * ch->dx);
    g[a][2] = (ref_centre(r, a, ix, k + 1, j) - ref_centre(r, a, ix, k - 1, j)) / (2 * ch->dz);
    if (a != 1) g[a][1] = ref_ddy(r, a, ix, k, j);
  }
  g[0][0] = (ref_u(r, ix, k, j) - ref_u(r, ix - 1, k, j)) / ch->dx;
  g[1][1] = (ref_v(r, ix, k, j) - ref_v(r, ix, k, j - 1)) / ch->dyf[j + 1];
  g[2][2] = (ref_w(r, ix, k, j) - ref_w(r, ix, k - 1, j)) / ch->dz;
}

/* the 21 filtered quantities: velocity (3), products (6), S (6), |S| S (6); pairs (a, b) */
static const int pair_a[6] = {0, 1, 2, 0, 0, 1}, pair_b[6] = {0, 1, 2, 1, 2, 2};

static double ref_plane_c(const ref_field *r, long j, double alpha2, double *snorm)
{
  const fc_channel *ch = r->ch;
  const long nx = ch->nx, nz = ch->nz, n = nx * nz;
  double *q = malloc(sizeof(double) * 21 * n);
  for (long ix = 0; ix < nx; ix++)
    for (long k = 0; k < nz; k++) {
      double *p = q + 21 * (ix * nz + k), g[3][3], s[6];
      ref_gradient(r, ix, k, j, g);
      for (int a = 0; a < 3; a++) p[a] = ref_centre(r, a, ix, k, j);
      for (int e = 0; e < 6; e++) {
        s[e] = 0.5 * (g[pair_a[e]][pair_b[e]] + g[pair_b[e]][pair_a[e]]);
        p[3 + e] = p[pair_a[e]] * p[pair_b[e]];
        p[9 + e] = s[e];
      }
      snorm[ix * nz + k] = strain_norm(g);
      for (int e = 0; e < 6; e++) p[15 + e] = snorm[ix * nz + k] * s[e];
    }
  const double wt[3] = {1.0 / 6.0, 2.0 / 3.0, 1.0 / 6.0}, d = delta_of(ch, j);
  double lm = 0, mm = 0;
  for (long ix = 0; ix < nx; ix++)
    for (long k = 0; k < nz; k++) {
      double h[21] = {0};
      for (int a = -1; a <= 1; a++)
        for (int b = -1; b <= 1; b++) {
          const double *p = q + 21 * (((ix + a + nx) % nx) * nz + (k + b + nz) % nz);
          for (int e = 0; e < 21; e++) h[e] += wt[a + 1] * wt[b + 1] * p[e];
        }
      double hs2 = 0;
      for (int e = 0; e < 6; e++) hs2 += (e < 3 ? 1 : 2) * h[9 + e] * h[9 + e];
      double hsn = sqrt(2 * hs2);
      for (int e = 0; e < 6; e++) {
        double l = h[3 + e] - h[pair_a[e]] * h[pair_b[e]];
        double m = 2 * d * d * (h[15 + e] - alpha2 * hsn * h[9 + e]);
        lm += (e < 3 ? 1 : 2) * l * m;
        mm += (e < 3 ? 1 : 2) * m * m;
      }
    }
  free(q);
  return lm / mm;
}

typedef struct {
  double lx, ly, lz;
} dyn_box;

/* A smooth periodic field, u and w ~ sin(pi y/ly), v ~ sin^2 (0 on the walls). The x-variation
 * of u, sin(kx x) + s/2 sin(2 kx x) with s = cos(pi y/ly), has du/dx skewed by s: for smooth
 * fields L_ij ~ (dx^2/3) du_i/dx du_j/dx, M ~ 2 Delta^2 (1 - alpha^2) |S| S, so C ~ -<(du/dx)^3>:
 * backscatter (C < 0, clipped) in the lower half, forward scatter in the upper half. */
static double dynamic_field(double x, double y, double z, int comp, const void *ctx)
{
  const dyn_box *b = ctx;
  double kx = 2 * M_PI / b->lx, kz = 2 * M_PI / b->lz, eta = y / b->ly, sy = sin(M_PI * eta), s = cos(M_PI * eta);
  if (comp == 0)
    return sy * (1.0 + 0.8 * (sin(kx * x) + 0.5 * s * sin(2 * kx * x)) + 0.1 * cos(kx * x + 0.3) * sin(kz * z));
  if (comp == 1) return sy * sy * (0.05 * sin(kx * x) * cos(kz * z) + 0.04 * cos(2 * kx * x + kz * z));
  return sy * (0.1 * cos(kx * x - kz * z) + 0.05 * eta * sin(2 * kx * x));
}

static void test_dynamic_reference(void)
{
  fc_channel_config c = sgs_config(16, 10, 12, FC_SGS_DYNAMIC);
  fc_channel *ch;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  dyn_box b = {c.lx, c.ly, c.lz};
  fc_channel_test_set_velocity(ch, dynamic_field, &b);
  FC_TEST_OK(fc_channel_sgs_viscosity(ch));
  ref_field r = {ch, dynamic_field, &b};
  const long ny = ch->ny, nz = ch->nz;
  double *sn = malloc(sizeof(double) * ch->nx * nz), err = 0, nmax = 0, mean = 0, cmin = INFINITY;
  int neg = 0, pos = 0;
  if (fc_test_rank() == 0) printf("\n  dynamic, unclipped C(y):");
  for (long j = 0; j < ny; j++) {
    double cj = ref_plane_c(&r, j, pow(4.0, 2.0 / 3.0), sn), cc = cj > 0 ? cj : 0.0, d = delta_of(ch, j);
    if (fc_test_rank() == 0) printf(" %.4f", cj);
    neg += cj < 0;
    pos += cj > 0;
    mean += cc * ch->dyf[j + 1] / c.ly;
    for (long i = 0; i < ch->nxl; i++)
      for (long k = 0; k < nz; k++) {
        double n = ch->nut[FC_CH_IDX(ch, i, k, j)], expect = cc * d * d * sn[(ch->x0 + i) * nz + k];
        err = fmax(err, fabs(n - expect));
        nmax = fmax(nmax, fabs(expect));
        cmin = fmin(cmin, n);
        if (cj <= 0) CU_ASSERT(n == 0.0); /* clipped planes: exactly 0 */
      }
  }
  nmax = max_all(nmax);
  err = max_all(err) / nmax;
  cmin = -max_all(-cmin);
  if (fc_test_rank() == 0)
    printf("\n  dynamic: %d planes of backscatter clipped, %d positive; max nu_t %.3e, rel err %.1e, min nu_t %.1e, "
           "mean C %.6f (expected %.6f)\n", neg, pos, nmax, err, cmin, ch->dyn_c_last_mean, mean);
  CU_ASSERT(neg >= 1 && pos >= 3);
  CU_ASSERT(err < 1e-12);
  CU_ASSERT(cmin >= 0.0);
  CU_ASSERT(fabs(ch->dyn_c_last_mean - mean) < 1e-12 * mean);
  free(sn);
  fc_channel_destroy(&ch);
}

/* ---- the stress divergence ---------------------------------------------------------------- */

typedef struct {
  double lx, ly, lz;
} box;

/* A discretely divergence-free periodic field: (u, v) from a stream function psi(x, y, z) on the
 * x-y edges, u = (psi_j - psi_{j-1}) / dyf_j, v = -(psi_i - psi_{i-1}) / dx (psi = 0 on the walls,
 * so v = 0 there), plus u(y, z) and w(x, y), which do not change the divergence. */
static double psi(const box *b, double x, double y, double z)
{
  double s = sin(M_PI * y / b->ly);
  return 0.3 * sin(2 * M_PI * x / b->lx + 0.4) * s * s * (1 + 0.5 * cos(2 * M_PI * z / b->lz));
}

static void set_solenoidal(fc_channel *ch, const box *b)
{
  const double *yc = ch->yc + 1, *yf = ch->yf + 1, *dyf = ch->dyf + 1;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny; j++) {
        long q = FC_CH_IDX(ch, i, k, j);
        double xc = (ch->x0 + i + 0.5) * ch->dx, xf = xc + 0.5 * ch->dx, zc = (k + 0.5) * ch->dz;
        double sy = sin(M_PI * yc[j] / b->ly);
        ch->u[q] = (psi(b, xf, yf[j], zc) - psi(b, xf, yf[j - 1], zc)) / dyf[j] + 0.5 * sy * cos(2 * M_PI * zc / b->lz);
        ch->v[q] = j < ch->ny - 1 ? -(psi(b, xf, yf[j], zc) - psi(b, xf - ch->dx, yf[j], zc)) / ch->dx : 0.0;
        ch->w[q] = 0.8 * sy * cos(2 * M_PI * xc / b->lx);
      }
  FC_TEST_OK(fc_channel_halo_velocity(ch));
}

/* x-z part of the discrete Laplacian of a at q, plus the y part with zero flux on the walls */
static double lap_xz(const fc_channel *ch, const double *a, long q)
{
  return (a[q + ch->sx] - 2 * a[q] + a[q - ch->sx]) / (ch->dx * ch->dx) +
         (a[q + ch->sz] - 2 * a[q] + a[q - ch->sz]) / (ch->dz * ch->dz);
}

static double lap_centre(const fc_channel *ch, const double *a, long q, long j)
{
  const double *dyc = ch->dyc + 1, *dyf = ch->dyf + 1;
  double fn = j < ch->ny - 1 ? (a[q + 1] - a[q]) / dyc[j] : 0.0, fs = j > 0 ? (a[q] - a[q - 1]) / dyc[j - 1] : 0.0;
  return lap_xz(ch, a, q) + (fn - fs) / dyf[j];
}

static double lap_face(const fc_channel *ch, const double *v, long q, long j)
{
  const double *dyc = ch->dyc + 1, *dyf = ch->dyf + 1;
  return lap_xz(ch, v, q) + ((v[q + 1] - v[q]) / dyf[j + 1] - (v[q] - v[q - 1]) / dyf[j]) / dyc[j];
}

static void fill(const fc_channel *ch, double *a, double x)
{
  for (long q = 0; q < ch->nloc; q++) a[q] = x;
}

/* constant nu_t: d_j [nu_t (d_j u_i + d_i u_j)] = nu_t (lap u_i + d_i div u) = nu_t lap u_i */
static void test_rhs_constant_nut(void)
{
  fc_channel_config c = sgs_config(12, 16, 10, FC_SGS_SMAGORINSKY);
  fc_channel *ch;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  box b = {c.lx, c.ly, c.lz};
  set_solenoidal(ch, &b);
  const double nut = 0.037, base = 3.0;
  fill(ch, ch->nut, nut);
  fill(ch, ch->ru, base);
  fill(ch, ch->rv, base);
  fill(ch, ch->rw, base);
  fc_channel_sgs_rhs(ch, ch->ru, ch->rv, ch->rw);
  fc_channel_divergence(ch, ch->u, ch->v, ch->w, ch->work);
  double err = 0, mag = 0, div = 0, other = 0;
  for (long i = -1; i <= ch->nxl; i++)
    for (long k = -1; k <= ch->nz; k++)
      for (long j = -1; j <= ch->ny; j++) {
        long q = FC_CH_IDX(ch, i, k, j);
        int in = i >= 0 && i < ch->nxl && k >= 0 && k < ch->nz && j >= 0 && j < ch->ny;
        if (!in) {
          other = fmax(other, fabs(ch->ru[q] - base) + fabs(ch->rv[q] - base) + fabs(ch->rw[q] - base));
          continue;
        }
        div = fmax(div, fabs(ch->work[q]));
        double eu = nut * lap_centre(ch, ch->u, q, j), ew = nut * lap_centre(ch, ch->w, q, j);
        err = fmax(err, fmax(fabs(ch->ru[q] - base - eu), fabs(ch->rw[q] - base - ew)));
        mag = fmax(mag, fmax(fabs(eu), fabs(ew)));
        if (j < ch->ny - 1) {
          double ev = nut * lap_face(ch, ch->v, q, j);
          err = fmax(err, fabs(ch->rv[q] - base - ev));
          mag = fmax(mag, fabs(ev));
        } else {
          other = fmax(other, fabs(ch->rv[q] - base)); /* the top wall face stays untouched */
        }
      }
  err = max_all(err);
  mag = max_all(mag);
  div = max_all(div);
  other = max_all(other);
  if (fc_test_rank() == 0)
    printf("\n  sgs stress, constant nu_t: max |div u| %.1e, max |added - nu_t lap u| %.2e of %.3f, ghosts changed "
           "%.1e\n", div, err, mag, other);
  CU_ASSERT(div < 1e-12);
  CU_ASSERT(err < 1e-11 * mag);
  CU_ASSERT(other == 0.0);
  fc_channel_destroy(&ch);
}

static double uniform_field(double x, double y, double z, int comp, const void *ctx)
{
  (void)x, (void)y, (void)z, (void)ctx;
  return comp == 0 ? 1.3 : comp == 2 ? -0.4 : 0.0;
}

/* a positive nu_t varying in every direction, ghosts by exchange */
static void set_variable_nut(fc_channel *ch, const box *b)
{
  const double *yc = ch->yc + 1;
  fill(ch, ch->nut, 0.0);
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny; j++) {
        double x = (ch->x0 + i + 0.5) * ch->dx, z = (k + 0.5) * ch->dz;
        ch->nut[FC_CH_IDX(ch, i, k, j)] =
            0.02 * (1.2 + sin(2 * M_PI * x / b->lx) * cos(4 * M_PI * z / b->lz)) * (0.5 + yc[j] / b->ly);
      }
  FC_TEST_OK(fc_channel_halo(ch, ch->nut));
}

/* uniform flow: no stress, whatever nu_t */
static void test_rhs_uniform(void)
{
  fc_channel_config c = sgs_config(8, 12, 6, FC_SGS_SMAGORINSKY);
  fc_channel *ch;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  box b = {c.lx, c.ly, c.lz};
  fc_channel_test_set_velocity(ch, uniform_field, NULL);
  set_variable_nut(ch, &b);
  fill(ch, ch->ru, 0.0);
  fill(ch, ch->rv, 0.0);
  fill(ch, ch->rw, 0.0);
  fc_channel_sgs_rhs(ch, ch->ru, ch->rv, ch->rw);
  double m = 0;
  for (long q = 0; q < ch->nloc; q++) m = fmax(m, fabs(ch->ru[q]) + fabs(ch->rv[q]) + fabs(ch->rw[q]));
  m = max_all(m);
  if (fc_test_rank() == 0) printf("\n  sgs stress of a uniform flow: max %.1e\n", m);
  CU_ASSERT(m == 0.0);
  fc_channel_destroy(&ch);
}

/* Summation by parts on the staggered grid (periodic x, z; no shear stress on the walls):
 *   sum over the faces of u_i (div tau)_i vol = - sum over centres 2 nu_t (g11^2 + g22^2 + g33^2) vol
 *                                              - sum over interior edges nu_t,e (g_ij + g_ji)^2 vol_e */
static void test_rhs_energy(void)
{
  fc_channel_config c = sgs_config(12, 14, 10, FC_SGS_SMAGORINSKY);
  fc_channel *ch;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  box b = {c.lx, c.ly, c.lz};
  set_solenoidal(ch, &b);
  set_variable_nut(ch, &b);
  fill(ch, ch->ru, 0.0);
  fill(ch, ch->rv, 0.0);
  fill(ch, ch->rw, 0.0);
  fc_channel_sgs_rhs(ch, ch->ru, ch->rv, ch->rw);
  const double *dyf = ch->dyf + 1, *dyc = ch->dyc + 1, dx = ch->dx, dz = ch->dz;
  const double *u = ch->u, *v = ch->v, *w = ch->w, *n = ch->nut;
  const long sx = ch->sx, sz = ch->sz, ny = ch->ny;
  double work = 0, diss = 0;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ny; j++) {
        long q = FC_CH_IDX(ch, i, k, j);
        double vc = dx * dyf[j] * dz, ve = dx * dyc[j] * dz;
        work += (u[q] * ch->ru[q] + w[q] * ch->rw[q]) * vc + (j < ny - 1 ? v[q] * ch->rv[q] * ve : 0.0);
        double g11 = (u[q] - u[q - sx]) / dx, g22 = (v[q] - v[q - 1]) / dyf[j], g33 = (w[q] - w[q - sz]) / dz;
        diss += 2 * n[q] * (g11 * g11 + g22 * g22 + g33 * g33) * vc;
        /* x-z edge (i+1/2, k+1/2) at level j */
        double sxz = (u[q + sz] - u[q]) / dz + (w[q + sx] - w[q]) / dx;
        diss += 0.25 * (n[q] + n[q + sx] + n[q + sz] + n[q + sx + sz]) * sxz * sxz * vc;
        if (j < ny - 1) { /* x-y and y-z edges above the centre */
          double sxy = (u[q + 1] - u[q]) / dyc[j] + (v[q + sx] - v[q]) / dx;
          double syz = (v[q + sz] - v[q]) / dz + (w[q + 1] - w[q]) / dyc[j];
          diss += 0.25 * (n[q] + n[q + 1] + n[q + sx] + n[q + sx + 1]) * sxy * sxy * ve;
          diss += 0.25 * (n[q] + n[q + 1] + n[q + sz] + n[q + sz + 1]) * syz * syz * ve;
        }
      }
  work = sum_all(work);
  diss = sum_all(diss);
  if (fc_test_rank() == 0)
    printf("\n  sgs stress, variable nu_t: work %.15e, -dissipation %.15e, rel diff %.1e\n", work, -diss,
           fabs(work + diss) / diss);
  CU_ASSERT(diss > 0);
  CU_ASSERT(fabs(work + diss) < 1e-12 * diss);
  fc_channel_destroy(&ch);
}

/* ---- short LES runs ------------------------------------------------------------------------- */

/* 20 steps of a perturbed turbulent profile on one rank and on all ranks */
static void check_les(fc_sgs_model model, const char *name)
{
  fc_channel_config c = sgs_config(16, 18, 8, model);
  c.lx = 4 * M_PI;
  c.lz = 4 * M_PI / 3;
  c.nu = 1.0 / 2800.0;
  c.drive = FC_DRIVE_FLOW_RATE;
  c.cfl = 0.8;
  fc_channel *a, *b;
  FC_TEST_OK(fc_channel_create(MPI_COMM_SELF, &c, &a));
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &b));
  FC_TEST_OK(fc_channel_init_profile(a, 1, 1.0, 0.3, 5));
  FC_TEST_OK(fc_channel_init_profile(b, 1, 1.0, 0.3, 5));
  double worst = 0, d;
  for (int s = 0; s < 20; s++) {
    FC_TEST_OK(fc_channel_step(a));
    FC_TEST_OK(fc_channel_step(b));
    FC_TEST_OK(fc_channel_max_divergence(a, &d));
    worst = fmax(worst, d);
    FC_TEST_OK(fc_channel_max_divergence(b, &d));
    worst = fmax(worst, d);
  }
  double err = 0, numax = 0, vmax = 0;
  for (long i = 0; i < b->nxl; i++)
    for (long k = 0; k < b->nz; k++)
      for (long j = 0; j < b->ny; j++) {
        long qa = FC_CH_IDX(a, i + b->x0, k, j), qb = FC_CH_IDX(b, i, k, j);
        err = fmax(err, fabs(a->u[qa] - b->u[qb]) + fabs(a->v[qa] - b->v[qb]) + fabs(a->w[qa] - b->w[qb]));
        numax = fmax(numax, b->nut[qb]);
        double m = fabs(b->u[qb]) + fabs(b->v[qb]) + fabs(b->w[qb]);
        vmax = fmax(vmax, isfinite(m) ? m : INFINITY);
      }
  err = max_all(err);
  numax = max_all(numax);
  vmax = max_all(vmax);
  worst = max_all(worst);
  if (fc_test_rank() == 0)
    printf("\n  LES %-11s 20 steps (t = %.3f): max |div u| %.1e, 1 rank vs %d: %.1e, max nu_t/nu %.3f, max |u| %.3f",
           name, b->t, worst, fc_test_size(), err, numax / c.nu, vmax);
  if (model == FC_SGS_DYNAMIC && fc_test_rank() == 0)
    printf(", mean C %.5f (1 rank %.5f)\n", b->dyn_c_last_mean, a->dyn_c_last_mean);
  CU_ASSERT(worst < 1e-10);
  CU_ASSERT(err < 1e-12);
  CU_ASSERT(isfinite(vmax) && vmax < 10);
  CU_ASSERT(numax > 0 && isfinite(numax));
  CU_ASSERT(fabs(a->t - b->t) < 1e-14);
  if (model == FC_SGS_DYNAMIC) CU_ASSERT(fabs(a->dyn_c_last_mean - b->dyn_c_last_mean) < 1e-12);
  fc_channel_destroy(&a);
  fc_channel_destroy(&b);
}

static void test_les_runs(void)
{
  check_les(FC_SGS_SMAGORINSKY, "smagorinsky");
  check_les(FC_SGS_WALE, "wale");
  check_les(FC_SGS_DYNAMIC, "dynamic");
}

/* FC_SGS_NONE: a no-op (no eddy-viscosity array) */
static void test_none(void)
{
  fc_channel_config c = sgs_config(8, 12, 6, FC_SGS_NONE);
  fc_channel *ch;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  CU_ASSERT_PTR_NULL(ch->nut);
  FC_TEST_OK(fc_channel_sgs_viscosity(ch));
  fc_channel_destroy(&ch);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"smagorinsky_linear", test_smagorinsky_linear},
                                       {"smagorinsky_van_driest", test_smagorinsky_van_driest},
                                       {"wale_shear", test_wale_shear},
                                       {"wale_hand", test_wale_hand},
                                       {"dynamic_layered", test_dynamic_layered},
                                       {"dynamic_reference", test_dynamic_reference},
                                       {"rhs_constant_nut", test_rhs_constant_nut},
                                       {"rhs_uniform", test_rhs_uniform},
                                       {"rhs_energy", test_rhs_energy},
                                       {"les_runs", test_les_runs},
                                       {"none", test_none},
                                       {NULL, NULL}};
  fc_test_add_suite("channel_sgs", tests);
}

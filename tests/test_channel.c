/* The channel solver (src/solvers/channel): exact solutions and invariants.
 *
 * - Poisson: the direct solver against a manufactured solution (second-order convergence) and
 *   against its own discrete operator (round-off), cross-checked with a PETSc Krylov solve.
 * - Laminar Poiseuille flow: a discrete steady state to round-off, both drives, any stretching.
 * - Decay of streamwise streaks u = sin(pi y / ly) cos(2 pi z / lz): the analytic rate.
 * - Taylor-Green vortex array in the x-z plane: the analytic decay away from the walls.
 * - Divergence-free to round-off after every step of a perturbed flow.
 * - The same flow on 1 rank and on all ranks of the test (to round-off).
 */
#include <math.h>
#include <petscksp.h>
#include <stdlib.h>

#include "channel_test.h"


/* the discrete Laplacian (Neumann walls) of a centre array with ghosts filled */
static double discrete_laplacian(const fc_channel *ch, const double *a, long i, long k, long j)
{
  const double *q = a + FC_CH_IDX(ch, i, k, j);
  const double *dyf = ch->dyf + 1, *dyc = ch->dyc + 1;
  double lx = (q[ch->sx] - 2 * q[0] + q[-ch->sx]) / (ch->dx * ch->dx);
  double lz = (q[ch->sz] - 2 * q[0] + q[-ch->sz]) / (ch->dz * ch->dz);
  double fn = j < ch->ny - 1 ? (q[1] - q[0]) / dyc[j] : 0.0, fs = j > 0 ? (q[0] - q[-1]) / dyc[j - 1] : 0.0;
  return lx + lz + (fn - fs) / dyf[j];
}

static double phi_exact(double x, double y, double z, const fc_channel_config *c)
{
  return cos(2 * M_PI * x / c->lx) * sin(4 * M_PI * z / c->lz) * cos(M_PI * y / c->ly) + 0.3 * cos(2 * M_PI * y / c->ly);
}

static double lap_exact(double x, double y, double z, const fc_channel_config *c)
{
  double a = 2 * M_PI / c->lx, b = 4 * M_PI / c->lz, g = M_PI / c->ly;
  return -(a * a + b * b + g * g) * cos(a * x) * sin(b * z) * cos(g * y) - 0.3 * 4 * g * g * cos(2 * g * y);
}

/* max error of phi (mean removed per the (0,0) mode) against the manufactured solution */
static double poisson_error(long n, double *disc_resid)
{
  fc_channel_config c = fc_channel_test_config(n, n, n);
  fc_channel *ch;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  const double *yc = ch->yc + 1;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny; j++)
        ch->work[FC_CH_IDX(ch, i, k, j)] =
            lap_exact((ch->x0 + i + 0.5) * ch->dx, yc[j], (k + 0.5) * ch->dz, &c);
  /* the discrete problem needs a zero-mean right-hand side: remove the volume mean */
  double s[2] = {0, 0};
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny; j++) {
        s[0] += ch->work[FC_CH_IDX(ch, i, k, j)] * ch->dyf[j + 1];
        s[1] += ch->dyf[j + 1];
      }
  MPI_Allreduce(MPI_IN_PLACE, s, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny; j++) ch->work[FC_CH_IDX(ch, i, k, j)] -= s[0] / s[1];
  for (long q = 0; q < ch->nloc; q++) ch->p[q] = ch->work[q];
  FC_TEST_OK(fc_channel_poisson_solve(ch, ch->p));
  FC_TEST_OK(fc_channel_halo(ch, ch->p));
  double e[4] = {0, 0, 0, 0}; /* max residual, max |f|, mean offset sums */
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny; j++) {
        long q = FC_CH_IDX(ch, i, k, j);
        e[0] = fmax(e[0], fabs(discrete_laplacian(ch, ch->p, i, k, j) - ch->work[q]));
        e[1] = fmax(e[1], fabs(ch->work[q]));
        e[2] += (ch->p[q] - phi_exact((ch->x0 + i + 0.5) * ch->dx, yc[j], (k + 0.5) * ch->dz, &c)) * ch->dyf[j + 1];
      }
  MPI_Allreduce(MPI_IN_PLACE, e, 3, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD); /* sum of maxima is fine for a bound */
  double offset = e[2] / s[1], err = 0;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny; j++)
        err = fmax(err, fabs(ch->p[FC_CH_IDX(ch, i, k, j)] - offset -
                             phi_exact((ch->x0 + i + 0.5) * ch->dx, yc[j], (k + 0.5) * ch->dz, &c)));
  MPI_Allreduce(MPI_IN_PLACE, &err, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  *disc_resid = e[0] / e[1];
  fc_channel_destroy(&ch);
  return err;
}

static void test_poisson_manufactured(void)
{
  double r1, r2;
  double e1 = poisson_error(16, &r1), e2 = poisson_error(32, &r2);
  double order = log2(e1 / e2);
  if (fc_test_rank() == 0) printf("\n  poisson: err %.3e (16^3) %.3e (32^3) order %.2f, discrete residual %.1e\n", e1, e2, order, r2);
  CU_ASSERT(r1 < 1e-12 && r2 < 1e-12);
  CU_ASSERT(order > 1.8 && order < 2.3);
  CU_ASSERT(e2 < 2e-2);
}

/* PETSc's Krylov solve of the same discrete system (on one rank, small grid) agrees with the
 * direct solver to the Krylov tolerance. */
static void test_poisson_krylov(void)
{
  fc_channel_config c = fc_channel_test_config(8, 10, 6);
  fc_channel *ch;
  FC_TEST_OK(fc_channel_create(MPI_COMM_SELF, &c, &ch));
  long nx = 8, ny = 10, nz = 6, n = nx * ny * nz;
  Mat A;
  Vec b, x;
  KSP ksp;
  MatCreateSeqAIJ(PETSC_COMM_SELF, n, n, 7, NULL, &A);
  VecCreateSeq(PETSC_COMM_SELF, n, &b);
  VecDuplicate(b, &x);
  const double *dyf = ch->dyf + 1, *dyc = ch->dyc + 1;
#define ROW(i, k, j) ((((i) + nx) % nx * nz + ((k) + nz) % nz) * ny + (j))
  for (long i = 0; i < nx; i++)
    for (long k = 0; k < nz; k++)
      for (long j = 0; j < ny; j++) {
        PetscInt r = ROW(i, k, j);
        double ax = 1 / (ch->dx * ch->dx), az = 1 / (ch->dz * ch->dz);
        double an = j < ny - 1 ? 1 / (dyc[j] * dyf[j]) : 0, as = j > 0 ? 1 / (dyc[j - 1] * dyf[j]) : 0;
        MatSetValue(A, r, ROW(i + 1, k, j), ax, ADD_VALUES);
        MatSetValue(A, r, ROW(i - 1, k, j), ax, ADD_VALUES);
        MatSetValue(A, r, ROW(i, k + 1, j), az, ADD_VALUES);
        MatSetValue(A, r, ROW(i, k - 1, j), az, ADD_VALUES);
        if (j < ny - 1) MatSetValue(A, r, ROW(i, k, j + 1), an, ADD_VALUES);
        if (j > 0) MatSetValue(A, r, ROW(i, k, j - 1), as, ADD_VALUES);
        MatSetValue(A, r, r, -2 * ax - 2 * az - an - as, ADD_VALUES);
        /* a zero-mean right-hand side (volume-weighted) */
        double f = sin(2 * M_PI * i / nx + 0.3) * cos(2 * M_PI * k / nz) * (1 + j) + cos(3.0 * j);
        ch->p[FC_CH_IDX(ch, i, k, j)] = f;
      }
  MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY);
  MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY);
  double mean = 0, vol = 0;
  for (long i = 0; i < nx; i++)
    for (long k = 0; k < nz; k++)
      for (long j = 0; j < ny; j++) mean += ch->p[FC_CH_IDX(ch, i, k, j)] * dyf[j], vol += dyf[j];
  for (long i = 0; i < nx; i++)
    for (long k = 0; k < nz; k++)
      for (long j = 0; j < ny; j++) {
        ch->p[FC_CH_IDX(ch, i, k, j)] -= mean / vol;
        VecSetValue(b, ROW(i, k, j), ch->p[FC_CH_IDX(ch, i, k, j)], INSERT_VALUES);
      }
  VecAssemblyBegin(b);
  VecAssemblyEnd(b);
  MatNullSpace ns;
  MatNullSpaceCreate(PETSC_COMM_SELF, PETSC_TRUE, 0, NULL, &ns);
  MatSetNullSpace(A, ns);
  KSPCreate(PETSC_COMM_SELF, &ksp);
  KSPSetOperators(ksp, A, A);
  KSPSetType(ksp, KSPGMRES);
  KSPSetTolerances(ksp, 1e-13, 1e-14, PETSC_DEFAULT, 2000);
  KSPGetPC(ksp, &(PC){0});
  PC pc;
  KSPGetPC(ksp, &pc);
  PCSetType(pc, PCNONE);
  KSPSolve(ksp, b, x);
  FC_TEST_OK(fc_channel_poisson_solve(ch, ch->p));
  const PetscScalar *xa;
  VecGetArrayRead(x, &xa);
  /* both are determined up to a constant: compare after removing the means */
  double mx = 0, mp = 0;
  for (long r = 0; r < n; r++) mx += xa[r] / n;
  for (long i = 0; i < nx; i++)
    for (long k = 0; k < nz; k++)
      for (long j = 0; j < ny; j++) mp += ch->p[FC_CH_IDX(ch, i, k, j)] / n;
  double err = 0, mag = 0;
  for (long i = 0; i < nx; i++)
    for (long k = 0; k < nz; k++)
      for (long j = 0; j < ny; j++) {
        err = fmax(err, fabs(ch->p[FC_CH_IDX(ch, i, k, j)] - mp - (xa[ROW(i, k, j)] - mx)));
        mag = fmax(mag, fabs(xa[ROW(i, k, j)] - mx));
      }
#undef ROW
  VecRestoreArrayRead(x, &xa);
  if (fc_test_rank() == 0) printf("\n  direct vs PETSc GMRES: max diff %.2e (|phi| %.2e)\n", err, mag);
  CU_ASSERT(err < 1e-9 * mag);
  MatNullSpaceDestroy(&ns);
  KSPDestroy(&ksp);
  MatDestroy(&A);
  VecDestroy(&b);
  VecDestroy(&x);
  fc_channel_destroy(&ch);
}

static double poiseuille(double x, double y, double z, int comp, const void *ctx)
{
  (void)x, (void)z;
  const fc_channel_config *c = ctx;
  return comp == 0 ? c->dpdx / (2 * c->nu) * y * (c->ly - y) : 0.0;
}

static void check_poiseuille(int drive, double stretch, int implicit)
{
  fc_channel_config c = fc_channel_test_config(8, 24, 8);
  c.drive = drive;
  c.stretch = stretch;
  c.implicit_y = implicit;
  c.dpdx = 0.02;
  c.bulk_velocity = c.dpdx / (12 * c.nu) * c.ly * c.ly; /* the parabola's bulk velocity */
  c.dt_fixed = 0.05;
  fc_channel *ch;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  fc_channel_test_set_velocity(ch, poiseuille, &c);
  double err = 0, umax = c.dpdx / (8 * c.nu) * c.ly * c.ly;
  for (int s = 0; s < 20; s++) FC_TEST_OK(fc_channel_step(ch));
  const double *yc = ch->yc + 1;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny; j++) {
        long q = FC_CH_IDX(ch, i, k, j);
        err = fmax(err, fabs(ch->u[q] - poiseuille(0, yc[j], 0, 0, &c)));
        err = fmax(err, fabs(ch->v[q]) + fabs(ch->w[q]));
      }
  MPI_Allreduce(MPI_IN_PLACE, &err, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  if (fc_test_rank() == 0)
    printf("\n  poiseuille (drive %d, stretch %.1f, implicit %d): max error %.2e of %.2f, dpdx applied %.6f\n", drive,
           stretch, implicit, err, umax, ch->dpdx_applied);
  CU_ASSERT(err < 1e-13 * umax);
  if (drive == FC_DRIVE_FLOW_RATE) CU_ASSERT(fabs(ch->dpdx_applied) < 1e-12);
  fc_channel_destroy(&ch);
}

static void test_poiseuille(void)
{
  check_poiseuille(FC_DRIVE_PRESSURE_GRADIENT, 0.0, 1);
  check_poiseuille(FC_DRIVE_PRESSURE_GRADIENT, 2.0, 1);
  check_poiseuille(FC_DRIVE_PRESSURE_GRADIENT, 2.0, 0);
}

/* flow-rate drive from rest: the forcing keeps the bulk velocity and the flow converges to
 * the parabola; here from the exact parabola with a zero pressure gradient in the RHS. */
static void test_poiseuille_flow_rate(void)
{
  fc_channel_config c = fc_channel_test_config(8, 24, 8);
  c.drive = FC_DRIVE_FLOW_RATE;
  c.stretch = 2.0;
  c.dpdx = 0.02;
  c.bulk_velocity = c.dpdx / (12 * c.nu) * c.ly * c.ly;
  c.dt_fixed = 0.05;
  fc_channel *ch;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  fc_channel_test_set_velocity(ch, poiseuille, &c);
  /* the target is the discrete bulk velocity of the parabola (midpoint rule over the cells) */
  FC_TEST_OK(fc_channel_bulk_velocity(ch, &ch->c.bulk_velocity));
  for (int s = 0; s < 20; s++) FC_TEST_OK(fc_channel_step(ch));
  double err = 0;
  const double *yc = ch->yc + 1;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny; j++)
        err = fmax(err, fabs(ch->u[FC_CH_IDX(ch, i, k, j)] - poiseuille(0, yc[j], 0, 0, &c)));
  MPI_Allreduce(MPI_IN_PLACE, &err, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  double tau;
  FC_TEST_OK(fc_channel_wall_shear(ch, &tau));
  if (fc_test_rank() == 0)
    printf("\n  poiseuille at constant flow rate: max error %.2e, applied dp/dx %.15f (exact %.15f), wall shear %.15f "
           "(exact %.15f)\n", err, ch->dpdx_applied, c.dpdx, tau, c.dpdx * c.ly / 2);
  CU_ASSERT(err < 1e-12);
  CU_ASSERT(fabs(ch->dpdx_applied - c.dpdx) < 1e-10 * c.dpdx);
  CU_ASSERT(fabs(tau - c.dpdx * c.ly / 2) < 1e-12);
  fc_channel_destroy(&ch);
}

typedef struct {
  double ly, lz, lx;
} box;

static double streaks(double x, double y, double z, int comp, const void *ctx)
{
  (void)x;
  const box *b = ctx;
  return comp == 0 ? sin(M_PI * y / b->ly) * cos(2 * M_PI * z / b->lz) : 0.0;
}

/* u = sin(pi y/ly) cos(2 pi z/lz) exp(-nu k^2 t) is an exact Navier-Stokes solution (v = w = 0) */
static void test_streak_decay(void)
{
  double err[2];
  for (int r = 0; r < 2; r++) {
    long n = r ? 64 : 32;
    fc_channel_config c = fc_channel_test_config(4, n, n);
    c.stretch = 1.5;
    c.nu = 0.05;
    c.dt_fixed = 0.01;
    box b = {c.ly, c.lz, c.lx};
    fc_channel *ch;
    FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
    fc_channel_test_set_velocity(ch, streaks, &b);
    for (int s = 0; s < 100; s++) FC_TEST_OK(fc_channel_step(ch));
    double k2 = M_PI * M_PI / (c.ly * c.ly) + 4 * M_PI * M_PI / (c.lz * c.lz), decay = exp(-c.nu * k2 * ch->t);
    double e = 0;
    const double *yc = ch->yc + 1;
    for (long i = 0; i < ch->nxl; i++)
      for (long k = 0; k < ch->nz; k++)
        for (long j = 0; j < ch->ny; j++)
          e = fmax(e, fabs(ch->u[FC_CH_IDX(ch, i, k, j)] - decay * streaks(0, yc[j], (k + 0.5) * ch->dz, 0, &b)));
    MPI_Allreduce(MPI_IN_PLACE, &e, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    err[r] = e / decay;
    fc_channel_destroy(&ch);
  }
  double order = log2(err[0] / err[1]);
  if (fc_test_rank() == 0) printf("\n  streak decay: rel err %.2e (32) %.2e (64) order %.2f\n", err[0], err[1], order);
  CU_ASSERT(err[1] < 2e-3);
  CU_ASSERT(order > 1.7);
}

static double tg(double x, double y, double z, int comp, const void *ctx)
{
  (void)y;
  const box *b = ctx;
  double a = 2 * M_PI / b->lx, c = 2 * M_PI / b->lz;
  if (comp == 0) return sin(a * x) * cos(c * z);
  if (comp == 2) return -(a / c) * cos(a * x) * sin(c * z);
  return 0.0;
}

/* Taylor-Green vortex array in the x-z plane: away from the walls (outside the Stokes layers,
 * thickness ~ sqrt(nu t) << ly) it decays at the analytic rate nu (a^2 + c^2). */
static void test_vortex_array_decay(void)
{
  double rate_err[2];
  for (int r = 0; r < 2; r++) {
    long n = r ? 64 : 32;
    fc_channel_config c = fc_channel_test_config(n, 32, n);
    c.lx = 1.0;
    c.lz = 1.0;
    c.stretch = 0;
    c.nu = 1e-3;
    c.dt_fixed = 2e-3;
    box b = {c.ly, c.lz, c.lx};
    fc_channel *ch;
    FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
    fc_channel_test_set_velocity(ch, tg, &b);
    for (int s = 0; s < 200; s++) FC_TEST_OK(fc_channel_step(ch));
    /* amplitude on the centre plane from the projection on sin(ax) cos(cz) */
    double s2[2] = {0, 0};
    long jc = ch->ny / 2;
    for (long i = 0; i < ch->nxl; i++)
      for (long k = 0; k < ch->nz; k++) {
        double m = tg((ch->x0 + i + 1) * ch->dx, 0, (k + 0.5) * ch->dz, 0, &b);
        s2[0] += ch->u[FC_CH_IDX(ch, i, k, jc)] * m;
        s2[1] += m * m;
      }
    MPI_Allreduce(MPI_IN_PLACE, s2, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    double amp = s2[0] / s2[1];
    double k2 = 4 * M_PI * M_PI * 2, rate = -log(amp) / ch->t;
    rate_err[r] = fabs(rate - c.nu * k2) / (c.nu * k2);
    fc_channel_destroy(&ch);
  }
  double order = log2(rate_err[0] / rate_err[1]);
  if (fc_test_rank() == 0)
    printf("\n  vortex array: decay-rate error %.2e (32^2) %.2e (64^2), order %.2f\n", rate_err[0], rate_err[1], order);
  CU_ASSERT(rate_err[1] < 5e-3);
  CU_ASSERT(order > 1.7);
}

/* a perturbed turbulent-profile flow stays divergence-free after every step */
static void test_divergence_free(void)
{
  fc_channel_config c = fc_channel_test_config(16, 24, 16);
  c.drive = FC_DRIVE_FLOW_RATE;
  c.nu = 1.0 / 2800.0;
  c.cfl = 0.9;
  fc_channel *ch;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  FC_TEST_OK(fc_channel_init_profile(ch, 1, 1.0, 0.5, 3));
  double worst = 0, d;
  FC_TEST_OK(fc_channel_max_divergence(ch, &d));
  worst = d;
  for (int s = 0; s < 20; s++) {
    FC_TEST_OK(fc_channel_step(ch));
    FC_TEST_OK(fc_channel_max_divergence(ch, &d));
    worst = fmax(worst, d);
  }
  double ub;
  FC_TEST_OK(fc_channel_bulk_velocity(ch, &ub));
  /* scale: bulk velocity / smallest spacing */
  double scale = 1.0 / ch->dyf[1];
  if (fc_test_rank() == 0) printf("\n  max |div u| over 20 steps: %.2e (velocity/length scale %.1f), bulk %.15f\n", worst, scale, ub);
  CU_ASSERT(worst < 1e-12 * scale);
  CU_ASSERT(fabs(ub - 1.0) < 1e-13);
  fc_channel_destroy(&ch);
}

/* the same flow on one rank (every rank runs it alone) and on all ranks */
static void test_rank_independent(void)
{
  fc_channel_config c = fc_channel_test_config(16, 20, 12);
  c.drive = FC_DRIVE_FLOW_RATE;
  c.nu = 1.0 / 1000.0;
  c.cfl = 0.8;
  fc_channel *a, *b;
  FC_TEST_OK(fc_channel_create(MPI_COMM_SELF, &c, &a));
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &b));
  FC_TEST_OK(fc_channel_init_profile(a, 1, 1.0, 0.5, 11));
  FC_TEST_OK(fc_channel_init_profile(b, 1, 1.0, 0.5, 11));
  for (int s = 0; s < 10; s++) {
    FC_TEST_OK(fc_channel_step(a));
    FC_TEST_OK(fc_channel_step(b));
  }
  double err = 0;
  for (long i = 0; i < b->nxl; i++)
    for (long k = 0; k < b->nz; k++)
      for (long j = 0; j < b->ny; j++) {
        long qa = FC_CH_IDX(a, i + b->x0, k, j), qb = FC_CH_IDX(b, i, k, j);
        err = fmax(err, fabs(a->u[qa] - b->u[qb]) + fabs(a->v[qa] - b->v[qb]) + fabs(a->w[qa] - b->w[qb]));
      }
  MPI_Allreduce(MPI_IN_PLACE, &err, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  if (fc_test_rank() == 0)
    printf("\n  1 rank vs %d: max velocity difference %.2e after 10 steps (t = %.4f / %.4f)\n", fc_test_size(), err, a->t, b->t);
  CU_ASSERT(err < 1e-12);
  CU_ASSERT(fabs(a->t - b->t) < 1e-14);
  fc_channel_destroy(&a);
  fc_channel_destroy(&b);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"poisson_manufactured", test_poisson_manufactured},
                                       {"poisson_krylov", test_poisson_krylov},
                                       {"poiseuille", test_poiseuille},
                                       {"poiseuille_flow_rate", test_poiseuille_flow_rate},
                                       {"streak_decay", test_streak_decay},
                                       {"vortex_array_decay", test_vortex_array_decay},
                                       {"divergence_free", test_divergence_free},
                                       {"rank_independent", test_rank_independent},
                                       {NULL, NULL}};
  fc_test_add_suite("channel", tests);
}

/* Grids, slab decomposition, finiteness checks and the field diagnostics
 * (kinetic energy, divergence with the x-plane exchange) at 1 and 2 ranks. */
#include <math.h>
#include <stdlib.h>

#include "fc_grid.h"
#include "fc_jobs.h"
#include "fc_test.h"

static void test_tanh_coords(void)
{
  double y[33];
  fc_grid_tanh_coords(33, 2.0, 2.5, y);
  CU_ASSERT_DOUBLE_EQUAL(y[0], 0.0, 0);
  CU_ASSERT_DOUBLE_EQUAL(y[32], 2.0, 0);
  CU_ASSERT_DOUBLE_EQUAL(y[16], 1.0, 1e-14); /* symmetric about the centre */
  for (int j = 1; j < 33; j++) CU_ASSERT(y[j] > y[j - 1]);
  /* clustered at the walls: first spacing smaller than the centre spacing */
  CU_ASSERT(y[1] - y[0] < 0.5 * (y[17] - y[16]));
  for (int j = 0; j < 33; j++) CU_ASSERT_DOUBLE_EQUAL(y[j] + y[32 - j], 2.0, 1e-14);
}

static void test_grid_errors(void)
{
  fc_grid *g = NULL;
  long n[3] = {8, 8, 8}, bad[3] = {8, -4, 8};
  double L[3] = {1, 1, 1}, Lbad[3] = {1, 0, 1}, st[3] = {0, 2, 0};
  int per[3] = {1, 1, 1};
  FC_TEST_FAILS(fc_grid_create(3, bad, L, per, NULL, &g), FC_ERR_INPUT);
  FC_TEST_FAILS(fc_grid_create(3, n, Lbad, per, NULL, &g), FC_ERR_INPUT);
  FC_TEST_FAILS(fc_grid_create(4, n, L, per, NULL, &g), FC_ERR_INPUT);
  FC_TEST_FAILS(fc_grid_create(3, n, L, per, st, &g), FC_ERR_INPUT); /* stretching a periodic axis */
  CU_ASSERT_PTR_NULL(g);
  FC_TEST_OK(fc_grid_create(3, n, L, per, NULL, &g));
  CU_ASSERT_DOUBLE_EQUAL(g->coord[0][4], 0.5, 1e-15);
  double hmin, hmax;
  fc_grid_spacing_range(g, 0, &hmin, &hmax);
  CU_ASSERT_DOUBLE_EQUAL(hmin, 0.125, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(hmax, 0.125, 1e-15);
  fc_grid_destroy(&g);
  CU_ASSERT_PTR_NULL(g);
}

/* Every x index is owned by exactly one rank, in rank order, with FFTW-MPI's blocks. */
static void test_decomp(void)
{
  for (long nx = 1; nx <= 9; nx++) {
    fc_decomp d;
    FC_TEST_OK(fc_decomp_slab(MPI_COMM_WORLD, nx, &d));
    long total = 0, block = (nx + d.size - 1) / d.size;
    MPI_Allreduce(&d.nxl, &total, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    CU_ASSERT_EQUAL(total, nx);
    CU_ASSERT(d.nxl <= block);
    long end = d.x0 + d.nxl, prev_end = 0;
    MPI_Exscan(&end, &prev_end, 1, MPI_LONG, MPI_MAX, MPI_COMM_WORLD);
    if (d.rank > 0 && d.nxl > 0) CU_ASSERT_EQUAL(d.x0, prev_end);
  }
}

static void make_box(int ndim, long nx, long ny, long nz, fc_grid **g, fc_decomp *d)
{
  long n[3] = {nx, ny, nz};
  double L[3] = {2 * M_PI, 2 * M_PI, 2 * M_PI};
  int per[3] = {1, 1, 1};
  FC_TEST_OK(fc_grid_create(ndim, n, L, per, NULL, g));
  FC_TEST_OK(fc_decomp_slab(MPI_COMM_WORLD, nx, d));
}

/* A NaN on the last rank is seen by every rank, with its global index. */
static void test_check_finite(void)
{
  fc_grid *g;
  fc_decomp d;
  fc_field *f;
  make_box(3, 6, 4, 5, &g, &d);
  FC_TEST_OK(fc_field_create(g, &d, "u", 3, &f));
  FC_TEST_OK(fc_field_check_finite(f, "test"));
  /* global point (x=5, y=2, z=3), component 1 */
  if (5 >= d.x0 && 5 < d.x0 + d.nxl) f->data[(((5 - d.x0) * 4 + 2) * 5 + 3) * 3 + 1] = NAN;
  fc_err e = fc_field_check_finite(f, "test");
  CU_ASSERT_EQUAL(FC_ERR_KIND(e), FC_ERR_NONFINITE);
  CU_ASSERT(e & FC_ERR_COLLECTIVE);
  fc_field_destroy(&f);
  fc_grid_destroy(&g);
}

/* The sampled Taylor-Green vortex: exact energy (the discrete mean of sin^2 on a
 * periodic grid is exact) and zero discrete divergence (a dx = b dy) to round-off. */
static void test_taylor_green_diagnostics(void)
{
  for (int ndim = 2; ndim <= 3; ndim++) {
    fc_grid *g;
    fc_decomp d;
    fc_field *u, *p;
    make_box(ndim, 16, 16, 8, &g, &d);
    FC_TEST_OK(fc_field_create(g, &d, "u", ndim, &u));
    FC_TEST_OK(fc_field_create(g, &d, "p", 1, &p));
    for (double t = 0; t <= 2; t += 1) {
      fc_taylor_green(g, 1.5, 0.1, t, u, p);
      double E, div;
      FC_TEST_OK(fc_kinetic_energy(u, &E));
      FC_TEST_OK(fc_max_divergence(u, &div));
      double Ex = fc_taylor_green_energy(g, 1.5, 0.1, t);
      CU_ASSERT_DOUBLE_EQUAL(E, Ex, 1e-14 * Ex);
      CU_ASSERT(div < 1e-13);
      /* decay rate: E(t) = E(0) exp(-4 nu t) for a = b = 1 */
      CU_ASSERT_DOUBLE_EQUAL(Ex, 1.5 * 1.5 / 4 * exp(-0.4 * t), 1e-15);
    }
    fc_field_destroy(&u);
    fc_field_destroy(&p);
    fc_grid_destroy(&g);
  }
}

/* The divergence stencil across slab boundaries: u = (sin x, 0, 0) has du/dx =
 * cos x sin(h)/h with second-order central differences, at every rank count. */
static void test_divergence_across_slabs(void)
{
  fc_grid *g;
  fc_decomp d;
  fc_field *u;
  make_box(3, 12, 4, 4, &g, &d);
  FC_TEST_OK(fc_field_create(g, &d, "u", 3, &u));
  for (long i = 0; i < d.nxl; i++)
    for (long q = 0; q < 16; q++) u->data[(i * 16 + q) * 3] = sin(g->coord[0][d.x0 + i]);
  double div, h = 2 * M_PI / 12;
  FC_TEST_OK(fc_max_divergence(u, &div));
  CU_ASSERT_DOUBLE_EQUAL(div, sin(h) / h, 1e-14); /* max |cos x| = 1 at x = 0 */
  fc_field_destroy(&u);
  fc_grid_destroy(&g);
}

/* Trapezoid energy on a stretched wall-bounded y axis: exact for u linear in y... squared
 * is quadratic, so check a constant field (any weights summing to the length). */
static void test_energy_stretched(void)
{
  long n[3] = {4, 17, 4};
  double L[3] = {1, 2, 1}, st[3] = {0, 2.0, 0};
  int per[3] = {1, 0, 1};
  fc_grid *g;
  fc_decomp d;
  fc_field *u;
  FC_TEST_OK(fc_grid_create(3, n, L, per, st, &g));
  FC_TEST_OK(fc_decomp_slab(MPI_COMM_WORLD, 4, &d));
  FC_TEST_OK(fc_field_create(g, &d, "u", 3, &u));
  for (long i = 0; i < fc_field_local_size(u); i += 3) u->data[i] = 2.0;
  double E;
  FC_TEST_OK(fc_kinetic_energy(u, &E));
  CU_ASSERT_DOUBLE_EQUAL(E, 2.0, 1e-14);
  fc_field_destroy(&u);
  fc_grid_destroy(&g);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"tanh coordinates", test_tanh_coords},
                                       {"grid size checks", test_grid_errors},
                                       {"slab decomposition", test_decomp},
                                       {"NaN detected on any rank", test_check_finite},
                                       {"Taylor-Green energy and divergence", test_taylor_green_diagnostics},
                                       {"divergence across slabs", test_divergence_across_slabs},
                                       {"energy on a stretched grid", test_energy_stretched},
                                       {NULL, NULL}};
  fc_test_add_suite("grid", tests);
}

/* FNO and IFNO models: gradients against central differences along a random direction,
 * the same weights on a finer grid, and the slab-decomposed model (FFTW-MPI) against the
 * whole-grid one at 1, 2 and 4 ranks: forward, dx and the summed parameter gradients. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fc_fno.h"
#include "fc_test.h"

static float val(long i, unsigned salt)
{
  unsigned long long z = (unsigned long long)i * 0x9e3779b97f4a7c15ULL + salt * 0xd1b54a32d192ed03ULL;
  z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9ULL;
  z ^= z >> 29;
  return (float)((z >> 40) * (1.0 / 16777216.0) - 0.5);
}

static fc_fno_config small(int implicit, int ndim)
{
  fc_fno_config c = {implicit, ndim, 2, 1, 6, 8, {3, 3, 2}, implicit ? 4 : 2, 1, FC_FFT_NORM_BACKWARD, 0};
  return c;
}

static double loss(fc_fno *m, const float *x, const float *dy, float *y, long ny)
{
  fc_fno_forward(m, y, x);
  double s = 0;
  for (long i = 0; i < ny; i++) s += (double)dy[i] * y[i];
  return s;
}

static void gradient_check(int implicit, int ndim)
{
  fc_fno_config c = small(implicit, ndim);
  fc_fno *m;
  FC_TEST_OK(fc_fno_create(&c, &m));
  FC_TEST_OK(fc_fno_init(m, 7));
  int n[3] = {12, 10, 8}, B = 2;
  FC_TEST_OK(fc_fno_setup(m, B, n, MPI_COMM_SELF));
  long npts = fc_fno_local_points(m), nx = B * npts * c.in_channels, ny = B * npts * c.out_channels;
  float *x = malloc(sizeof(float) * nx), *y = malloc(sizeof(float) * ny), *dy = malloc(sizeof(float) * ny);
  float *dx = calloc(nx, sizeof(float));
  for (long i = 0; i < nx; i++) x[i] = val(i, 1);
  for (long i = 0; i < ny; i++) dy[i] = val(i, 2);
  fc_params *p = fc_fno_params(m);
  fc_params_zero_grad(p);
  loss(m, x, dy, y, ny);
  FC_TEST_OK(fc_fno_backward(m, dx, dy));
  /* directional derivative along u (parameters) and ux (input) */
  float *u = malloc(sizeof(float) * p->n), *p0 = malloc(sizeof(float) * p->n), *x0 = malloc(sizeof(float) * nx);
  double gu = 0, gx = 0;
  for (long i = 0; i < p->n; i++) gu += (double)p->grad[i] * (u[i] = val(i, 3));
  for (long i = 0; i < nx; i++) gx += (double)dx[i] * val(i, 4);
  memcpy(p0, p->data, sizeof(float) * p->n);
  memcpy(x0, x, sizeof(float) * nx);
  const double eps = 1e-2;
  for (long i = 0; i < p->n; i++) p->data[i] = p0[i] + (float)(eps * u[i]);
  double lp = loss(m, x, dy, y, ny);
  for (long i = 0; i < p->n; i++) p->data[i] = p0[i] - (float)(eps * u[i]);
  double lm = loss(m, x, dy, y, ny);
  memcpy(p->data, p0, sizeof(float) * p->n);
  double fd = (lp - lm) / (2 * eps);
  for (long i = 0; i < nx; i++) x[i] = x0[i] + (float)(eps * val(i, 4));
  lp = loss(m, x, dy, y, ny);
  for (long i = 0; i < nx; i++) x[i] = x0[i] - (float)(eps * val(i, 4));
  lm = loss(m, x, dy, y, ny);
  double fdx = (lp - lm) / (2 * eps);
  /* float32 forward, step 1e-2: the central difference is good to ~1e-3 relative */
  CU_ASSERT(fabs(fd - gu) <= 5e-3 * fabs(gu));
  CU_ASSERT(fabs(fdx - gx) <= 5e-3 * fabs(gx));
  printf("(%s: params %.1e, input %.1e) ", fc_fno_type(m), fabs(fd - gu) / fabs(gu), fabs(fdx - gx) / fabs(gx));
  free(x), free(y), free(dy), free(dx), free(u), free(p0), free(x0);
  fc_fno_destroy(&m);
}

static void test_gradients(void)
{
  if (fc_test_rank() != 0) return;
  gradient_check(0, 2);
  gradient_check(1, 2);
  gradient_check(0, 3);
  gradient_check(1, 3);
}

/* The same weights on a grid twice as fine: runs, finite, close at the shared points for a
 * smooth input (the pointwise nonlinearities make it approximate, not exact). */
static void test_finer_grid(void)
{
  if (fc_test_rank() != 0) return;
  fc_fno_config c = small(0, 2);
  fc_fno *m;
  FC_TEST_OK(fc_fno_create(&c, &m));
  FC_TEST_OK(fc_fno_init(m, 3));
  float *y[2] = {NULL, NULL};
  for (int r = 0; r < 2; r++) {
    int n[2] = {16 << r, 16 << r};
    FC_TEST_OK(fc_fno_setup(m, 1, n, MPI_COMM_SELF));
    long np = (long)n[0] * n[1];
    float *x = malloc(sizeof(float) * np * 2);
    y[r] = malloc(sizeof(float) * np);
    for (int i = 0; i < n[0]; i++)
      for (int j = 0; j < n[1]; j++) {
        double a = 2 * M_PI * i / n[0], b = 2 * M_PI * j / n[1];
        x[(i * n[1] + j) * 2] = (float)(sin(a) * cos(b));
        x[(i * n[1] + j) * 2 + 1] = (float)(0.5 * cos(a + b));
      }
    FC_TEST_OK(fc_fno_forward(m, y[r], x));
    free(x);
  }
  double err = 0, big = 0;
  for (int i = 0; i < 16; i++)
    for (int j = 0; j < 16; j++) {
      float a = y[0][i * 16 + j], b = y[1][(2 * i) * 32 + 2 * j];
      CU_ASSERT(isfinite(a) && isfinite(b));
      err = fmax(err, fabs(a - b));
      big = fmax(big, fabs(b));
    }
  printf("(16^2 vs 32^2 at shared points: %.2g relative) ", err / big);
  CU_ASSERT(err < 0.1 * big);
  free(y[0]);
  free(y[1]);
  fc_fno_destroy(&m);
}

/* Slab-decomposed against whole-grid: same weights on every rank. */
static void distributed(int implicit, int ndim)
{
  fc_fno_config c = small(implicit, ndim);
  fc_fno *whole, *part;
  FC_TEST_OK(fc_fno_create(&c, &whole));
  FC_TEST_OK(fc_fno_create(&c, &part));
  FC_TEST_OK(fc_fno_init(whole, 11));
  FC_TEST_OK(fc_fno_init(part, 11));
  int n[3] = {12, 10, 8}, B = 2;
  FC_TEST_OK(fc_fno_setup(whole, B, n, MPI_COMM_SELF));
  FC_TEST_OK(fc_fno_setup(part, B, n, MPI_COMM_WORLD));
  long np = fc_fno_local_points(whole), nl = fc_fno_local_points(part), plane = (long)n[1] * (ndim == 3 ? n[2] : 1);
  long x0 = 0, block = (n[0] + fc_test_size() - 1) / fc_test_size();
  x0 = block * fc_test_rank();
  if (x0 > n[0]) x0 = n[0];
  const int ci = c.in_channels, co = c.out_channels;
  float *x = malloc(sizeof(float) * B * np * ci), *y = malloc(sizeof(float) * B * np * co);
  float *dy = malloc(sizeof(float) * B * np * co), *dx = calloc(B * np * ci, sizeof(float));
  float *xl = malloc(sizeof(float) * (B * nl * ci + 1)), *yl = malloc(sizeof(float) * (B * nl * co + 1));
  float *dyl = malloc(sizeof(float) * (B * nl * co + 1)), *dxl = calloc(B * nl * ci + 1, sizeof(float));
  for (long i = 0; i < B * np * ci; i++) x[i] = val(i, 5);
  for (long i = 0; i < B * np * co; i++) dy[i] = val(i, 6);
  for (int b = 0; b < B; b++) {
    memcpy(xl + b * nl * ci, x + (b * np + x0 * plane) * ci, sizeof(float) * nl * ci);
    memcpy(dyl + b * nl * co, dy + (b * np + x0 * plane) * co, sizeof(float) * nl * co);
  }
  fc_params_zero_grad(fc_fno_params(whole));
  fc_params_zero_grad(fc_fno_params(part));
  FC_TEST_OK(fc_fno_forward(whole, y, x));
  FC_TEST_OK(fc_fno_backward(whole, dx, dy));
  FC_TEST_OK(fc_fno_forward(part, yl, xl));
  FC_TEST_OK(fc_fno_backward(part, dxl, dyl));
  FC_TEST_OK(fc_params_allreduce_grad(fc_fno_params(part), MPI_COMM_WORLD, 1.0));
  double ey = 0, sy = 0, ex = 0, sx = 0, eg = 0, sg = 0;
  for (int b = 0; b < B; b++)
    for (long i = 0; i < nl * co; i++) {
      ey = fmax(ey, fabs(yl[b * nl * co + i] - y[(b * np + x0 * plane) * co + i]));
      sy = fmax(sy, fabs(y[(b * np + x0 * plane) * co + i]));
    }
  for (int b = 0; b < B; b++)
    for (long i = 0; i < nl * ci; i++) {
      ex = fmax(ex, fabs(dxl[b * nl * ci + i] - dx[(b * np + x0 * plane) * ci + i]));
      sx = fmax(sx, fabs(dx[(b * np + x0 * plane) * ci + i]));
    }
  const fc_params *pw = fc_fno_params(whole), *pp = fc_fno_params(part);
  for (long i = 0; i < pw->n; i++) {
    eg = fmax(eg, fabs(pw->grad[i] - pp->grad[i]));
    sg = fmax(sg, fabs(pw->grad[i]));
  }
  double loc[6] = {ey, sy, ex, sx, eg, sg}, g[6];
  MPI_Allreduce(loc, g, 6, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  CU_ASSERT(g[0] <= 1e-5 * g[1]);
  CU_ASSERT(g[2] <= 1e-5 * g[3]);
  CU_ASSERT(g[4] <= 1e-5 * g[5]);
  if (fc_test_rank() == 0) printf("(%s: y %.1e, dx %.1e, grad %.1e) ", fc_fno_type(whole), g[0] / g[1], g[2] / g[3], g[4] / g[5]);
  free(x), free(y), free(dy), free(dx), free(xl), free(yl), free(dyl), free(dxl);
  fc_fno_destroy(&whole);
  fc_fno_destroy(&part);
}

static void test_distributed(void)
{
  distributed(0, 2);
  distributed(1, 2);
  distributed(0, 3);
}

static void test_config_errors(void)
{
  fc_fno_config c = small(0, 2);
  fc_fno *m = NULL;
  c.ndim = 4;
  FC_TEST_FAILS(fc_fno_create(&c, &m), FC_ERR_INPUT);
  c = small(0, 2);
  c.layers = 0;
  FC_TEST_FAILS(fc_fno_create(&c, &m), FC_ERR_INPUT);
  c = small(0, 2);
  FC_TEST_OK(fc_fno_create(&c, &m));
  int n[2] = {4, 4}; /* 3 modes need at least 6 points on the first axis */
  FC_TEST_FAILS(fc_fno_setup(m, 1, n, MPI_COMM_SELF), FC_ERR_INPUT);
  fc_hparam h[32];
  CU_ASSERT_EQUAL(fc_fno_hparams(m, h, 32), 13);
  CU_ASSERT_STRING_EQUAL(fc_fno_type(m), "fno2d");
  fc_fno_destroy(&m);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"gradients by central differences", test_gradients},
                                       {"a finer grid with the same weights", test_finer_grid},
                                       {"slab-decomposed equals whole grid", test_distributed},
                                       {"configuration errors", test_config_errors},
                                       {NULL, NULL}};
  fc_test_add_suite("fno", tests);
}

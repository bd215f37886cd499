/* The distributed spectral convolution (FFTW-MPI slabs along axis 0) against the serial
 * one on the whole grid: forward slabs, dx slabs and the dW shares summed over the ranks
 * agree to float32 round-off, in 2D and 3D, at 1, 2, 3 and 4 ranks (3 and 4 leave uneven
 * or empty slabs on the small grids). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fc_nn.h"
#include "fc_test.h"

static float val(long i, unsigned salt)
{
  unsigned long long z = (unsigned long long)i * 0x9e3779b97f4a7c15ULL + salt;
  z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9ULL;
  return (float)((z >> 40) * (1.0 / 16777216.0) - 0.5);
}

static double rel_err(const float *a, const float *b, long n, double *scale)
{
  double e = 0, s = 0;
  for (long i = 0; i < n; i++) {
    e = fmax(e, fabs(a[i] - b[i]));
    s = fmax(s, fabs(b[i]));
  }
  double all[2] = {e, s}, g[2];
  MPI_Allreduce(all, g, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  if (scale) *scale = g[1];
  return g[0] / (g[1] > 0 ? g[1] : 1);
}

static void check(int ndim, const int *n, const int *m, int cin, int cout, int B)
{
  fc_spectral_config c = {ndim, {1, 1, 1}, {1, 1, 1}, cin, cout, FC_FFT_NORM_BACKWARD, 0};
  long plane = 1, npts = 1;
  for (int a = 0; a < ndim; a++) {
    c.n[a] = n[a];
    c.modes[a] = m[a];
    npts *= n[a];
    if (a) plane *= n[a];
  }
  fc_spectral *ser, *dist;
  FC_TEST_OK(fc_spectral_create(&c, &ser));
  FC_TEST_OK(fc_spectral_create_dist(&c, MPI_COMM_WORLD, &dist));
  long x0, nxl, nw = fc_spectral_weight_size(ser);
  fc_spectral_local_range(dist, &x0, &nxl);
  CU_ASSERT_EQUAL(fc_spectral_weight_size(dist), nw);
  long nloc = nxl * plane;
  float *x = malloc(sizeof(float) * B * npts * cin), *dy = malloc(sizeof(float) * B * npts * cout);
  float *y = malloc(sizeof(float) * B * npts * cout), *dx = calloc(B * npts * cin, sizeof(float));
  float *W = malloc(sizeof(float) * nw), *dW = calloc(nw, sizeof(float)), *dWd = calloc(nw, sizeof(float));
  float *xl = malloc(sizeof(float) * (B * nloc * cin + 1)), *dyl = malloc(sizeof(float) * (B * nloc * cout + 1));
  float *yl = malloc(sizeof(float) * (B * nloc * cout + 1)), *dxl = calloc(B * nloc * cin + 1, sizeof(float));
  float *yref = malloc(sizeof(float) * (B * nloc * cout + 1)), *dxref = malloc(sizeof(float) * (B * nloc * cin + 1));
  for (long i = 0; i < B * npts * cin; i++) x[i] = val(i, 1);
  for (long i = 0; i < B * npts * cout; i++) dy[i] = val(i, 2);
  for (long i = 0; i < nw; i++) W[i] = val(i, 3);
  fc_spectral_forward(ser, y, x, W, B);
  fc_spectral_backward(ser, dx, dW, dy, x, W, B);
  for (int b = 0; b < B; b++) { /* this rank's slabs of the inputs and the serial results */
    memcpy(xl + b * nloc * cin, x + (b * npts + x0 * plane) * cin, sizeof(float) * nloc * cin);
    memcpy(dyl + b * nloc * cout, dy + (b * npts + x0 * plane) * cout, sizeof(float) * nloc * cout);
    memcpy(yref + b * nloc * cout, y + (b * npts + x0 * plane) * cout, sizeof(float) * nloc * cout);
    memcpy(dxref + b * nloc * cin, dx + (b * npts + x0 * plane) * cin, sizeof(float) * nloc * cin);
  }
  fc_spectral_forward(dist, yl, xl, W, B);
  fc_spectral_backward(dist, dxl, dWd, dyl, xl, W, B);
  MPI_Allreduce(MPI_IN_PLACE, dWd, (int)nw, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  double ey = rel_err(yl, yref, B * nloc * cout, NULL), ex = rel_err(dxl, dxref, B * nloc * cin, NULL),
         ew = rel_err(dWd, dW, nw, NULL);
  CU_ASSERT(ey < 1e-5);
  CU_ASSERT(ex < 1e-5);
  CU_ASSERT(ew < 1e-5);
  if (fc_test_rank() == 0) printf("(%dD: y %.1e, dx %.1e, dW %.1e) ", ndim, ey, ex, ew);
  long total = 0;
  MPI_Allreduce(&nxl, &total, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  CU_ASSERT_EQUAL(total, n[0]);
  free(x), free(dy), free(y), free(dx), free(W), free(dW), free(dWd), free(xl), free(dyl), free(yl), free(dxl);
  free(yref), free(dxref);
  fc_spectral_destroy(&ser);
  fc_spectral_destroy(&dist);
}

static void test_2d(void)
{
  int n[2] = {12, 10}, m[2] = {4, 3};
  check(2, n, m, 3, 2, 2);
  int n2[2] = {9, 8}, m2[2] = {3, 5}; /* odd slab count, Nyquist kept */
  check(2, n2, m2, 2, 3, 1);
}

static void test_3d(void)
{
  int n[3] = {8, 6, 6}, m[3] = {2, 3, 2};
  check(3, n, m, 2, 2, 2);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"2D slabs equal the serial transform", test_2d},
                                       {"3D slabs equal the serial transform", test_3d},
                                       {NULL, NULL}};
  fc_test_add_suite("spectral_dist", tests);
}

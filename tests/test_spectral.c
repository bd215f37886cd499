/* Spectral convolution: forward against a direct (double precision) evaluation of the
 * definition, gradients of x and W by central differences of that evaluation, the FFT
 * norms, the DC/Nyquist option and resolution invariance. 1, 2 and 3 spatial axes. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fc_nn.h"
#include "fc_test.h"

static unsigned long long rng_state = 88172645463325252ULL;
static double urand(void) /* xorshift64: uniform in [-1, 1) */
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (double)(rng_state >> 11) / 4503599627370496.0 - 1.0;
}

typedef struct {
  fc_spectral_config c;
  int B;
  long npts;
  int nm[3];      /* kept count per axis */
  int kept[3][16]; /* kept indices per axis, weight order */
} problem;

static void setup(problem *p, int ndim, const int *n, const int *modes, int cin, int cout, int B)
{
  memset(p, 0, sizeof *p);
  p->c.ndim = ndim;
  p->c.cin = cin;
  p->c.cout = cout;
  p->B = B;
  p->npts = 1;
  for (int a = 0; a < 3; a++) {
    p->c.n[a] = a < ndim ? n[a] : 1;
    p->c.modes[a] = a < ndim ? modes[a] : 1;
    p->npts *= p->c.n[a];
    int k = 0;
    if (a < ndim) {
      for (int i = 0; i < modes[a]; i++) p->kept[a][k++] = i;
      if (a < ndim - 1)
        for (int i = n[a] - modes[a]; i < n[a]; i++) p->kept[a][k++] = i;
    } else p->kept[a][k++] = 0;
    p->nm[a] = k;
  }
}

/* The definition, in double: y[n] = s sum_{kept k} c_k Re( (sum_i xh_i[k] W[k][i][o]) e^{+i theta_k.n} ),
 * xh[k] = sum_n x[n] e^{-i theta_k.n}, s = 1/N, c_k = 1 on the last axis's DC/Nyquist planes, else 2. */
static void reference_forward(const problem *p, double *y, const double *x, const double *W, int zero_imag)
{
  const int nd = p->c.ndim, ci = p->c.cin, co = p->c.cout;
  const int *n = p->c.n;
  const long N = p->npts;
  memset(y, 0, sizeof(double) * (size_t)(p->B * N * co));
  long k = 0;
  for (int a0 = 0; a0 < p->nm[0]; a0++)
    for (int a1 = 0; a1 < p->nm[1]; a1++)
      for (int a2 = 0; a2 < p->nm[2]; a2++, k++) {
        int kk[3] = {p->kept[0][a0], p->kept[1][a1], p->kept[2][a2]};
        int last = kk[nd - 1], nl = n[nd - 1];
        double ck = (last == 0 || (nl % 2 == 0 && last == nl / 2)) ? 1 : 2;
        for (int b = 0; b < p->B; b++) {
          double complex xh[8] = {0}, yh[8] = {0};
          for (long q = 0; q < N; q++) {
            int idx[3] = {(int)(q / (n[1] * n[2])), (int)((q / n[2]) % n[1]), (int)(q % n[2])};
            double th = 0;
            for (int a = 0; a < 3; a++) th += 2 * M_PI * kk[a] * idx[a] / n[a];
            for (int i = 0; i < ci; i++) xh[i] += x[(b * N + q) * ci + i] * cexp(-I * th);
          }
          for (int o = 0; o < co; o++) {
            for (int i = 0; i < ci; i++) {
              const double *w = W + 2 * ((k * ci + i) * co + o);
              yh[o] += xh[i] * (w[0] + I * w[1]);
            }
            if (zero_imag && ck == 1) yh[o] = creal(yh[o]);
          }
          for (long q = 0; q < N; q++) {
            int idx[3] = {(int)(q / (n[1] * n[2])), (int)((q / n[2]) % n[1]), (int)(q % n[2])};
            double th = 0;
            for (int a = 0; a < 3; a++) th += 2 * M_PI * kk[a] * idx[a] / n[a];
            for (int o = 0; o < co; o++) y[(b * N + q) * co + o] += ck * creal(yh[o] * cexp(I * th)) / N;
          }
        }
      }
}

static double dot(const double *a, const double *b, long n)
{
  double s = 0;
  for (long i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/* Central differences of L = dy . y(x, W) with respect to each of the n values of v (x or W,
 * perturbed in place): the largest difference from the analytic gradient g and the largest
 * difference quotient. */
static void fd_check(const problem *p, double *x, double *W, double *v, long n, const double *dy, double *yp, long ny,
                     int zero_imag, const float *g, double *err, double *ref)
{
  *err = *ref = 0;
  for (long i = 0; i < n; i++) {
    double keep = v[i];
    v[i] = keep + 0.5;
    reference_forward(p, yp, x, W, zero_imag);
    double lp = dot(dy, yp, ny);
    v[i] = keep - 0.5;
    reference_forward(p, yp, x, W, zero_imag);
    double d = lp - dot(dy, yp, ny);
    v[i] = keep;
    *err = fmax(*err, fabs(d - g[i]));
    *ref = fmax(*ref, fabs(d));
  }
}

/* Forward, backward and central differences for one configuration. */
static void check(int ndim, const int *n, const int *modes, int cin, int cout, int B, fc_fft_norm norm, int zero_imag)
{
  problem p;
  setup(&p, ndim, n, modes, cin, cout, B);
  p.c.norm = norm;
  p.c.zero_dc_nyquist_imag = zero_imag;
  fc_spectral *s;
  FC_TEST_OK(fc_spectral_create(&p.c, &s));
  const long nx = p.B * p.npts * cin, ny = p.B * p.npts * cout, nw = fc_spectral_weight_size(s);
  CU_ASSERT_EQUAL(nw, 2L * p.nm[0] * p.nm[1] * p.nm[2] * cin * cout);
  double *xd = calloc(nx, sizeof(double)), *wd = calloc(nw, sizeof(double)), *yd = malloc(sizeof(double) * ny),
         *dyd = malloc(sizeof(double) * ny), *yp = malloc(sizeof(double) * ny);
  float *xf = malloc(sizeof(float) * nx), *wf = malloc(sizeof(float) * nw), *yf = malloc(sizeof(float) * ny),
        *dyf = malloc(sizeof(float) * ny), *dxf = calloc(nx, sizeof(float)), *dwf = calloc(nw, sizeof(float));
  for (long i = 0; i < nx; i++) xf[i] = (float)(xd[i] = urand());
  for (long i = 0; i < nw; i++) wf[i] = (float)(wd[i] = 0.5 * urand());
  for (long i = 0; i < ny; i++) dyf[i] = (float)(dyd[i] = urand());
  /* the double reference runs on the float-rounded inputs */
  for (long i = 0; i < nx; i++) xd[i] = xf[i];
  for (long i = 0; i < nw; i++) wd[i] = wf[i];
  reference_forward(&p, yd, xd, wd, zero_imag);
  fc_spectral_forward(s, yf, xf, wf, B);
  double err = 0, ref = 0;
  for (long i = 0; i < ny; i++) {
    err = fmax(err, fabs(yf[i] - yd[i]));
    ref = fmax(ref, fabs(yd[i]));
  }
  CU_ASSERT(err <= 2e-6 * ref); /* float32 FFTs of a few hundred points */

  fc_spectral_backward(s, dxf, dwf, dyf, xf, wf, B);
  /* central differences of L = dy . y(x, W) in double (L is linear in x and in W, so the
   * difference quotient is exact up to round-off: step 1 is fine) */
  double gerr, gref, werr, wref;
  fd_check(&p, xd, wd, xd, nx, dyd, yp, ny, zero_imag, dxf, &gerr, &gref);
  CU_ASSERT(gerr <= 1e-5 * gref);
  fd_check(&p, xd, wd, wd, nw, dyd, yp, ny, zero_imag, dwf, &werr, &wref);
  CU_ASSERT(werr <= 1e-5 * wref);
  if (err > 2e-6 * ref || gerr > 1e-5 * gref || werr > 1e-5 * wref)
    printf("\n  ndim %d norm %d zero_imag %d: forward %.3g, dx %.3g, dW %.3g (relative)\n", ndim, norm, zero_imag,
           err / ref, gerr / gref, werr / wref);
  /* backward accumulates; dx = NULL and dW = NULL are accepted */
  float *dx2 = calloc(nx, sizeof(float));
  fc_spectral_backward(s, dx2, NULL, dyf, xf, wf, B);
  fc_spectral_backward(s, dx2, NULL, dyf, xf, wf, B);
  fc_spectral_backward(s, NULL, dwf, dyf, xf, wf, B);
  double acc = 0;
  for (long i = 0; i < nx; i++) acc = fmax(acc, fabs(dx2[i] - 2 * dxf[i]));
  CU_ASSERT(acc <= 1e-5 * gref);
  free(dx2);
  free(xd), free(wd), free(yd), free(dyd), free(yp), free(xf), free(wf), free(yf), free(dyf), free(dxf), free(dwf);
  fc_spectral_destroy(&s);
  CU_ASSERT_PTR_NULL(s);
}

static void test_1d(void)
{
  int n[1] = {8}, m[1] = {3};
  check(1, n, m, 3, 2, 2, FC_FFT_NORM_BACKWARD, 0);
  int n2[1] = {7}, m2[1] = {4}; /* odd length, modes up to n/2 + 1 */
  check(1, n2, m2, 2, 3, 1, FC_FFT_NORM_FORWARD, 1);
}

static void test_2d(void)
{
  int n[2] = {6, 8}, m[2] = {2, 5}; /* the last axis keeps its Nyquist mode */
  check(2, n, m, 3, 2, 2, FC_FFT_NORM_BACKWARD, 0);
  check(2, n, m, 3, 2, 2, FC_FFT_NORM_ORTHO, 1);
  int n2[2] = {5, 7}, m2[2] = {2, 3};
  check(2, n2, m2, 2, 2, 1, FC_FFT_NORM_FORWARD, 0);
}

static void test_3d(void)
{
  int n[3] = {4, 6, 4}, m[3] = {2, 2, 3};
  check(3, n, m, 2, 3, 2, FC_FFT_NORM_BACKWARD, 0);
  check(3, n, m, 2, 3, 1, FC_FFT_NORM_FORWARD, 1);
}

/* The same weights on a grid twice as fine: a band-limited input gives the same output at
 * the shared points (resolution invariance). */
static void test_resolution_invariance(void)
{
  fc_spectral_config c = {2, {8, 8, 1}, {2, 3, 1}, 2, 2, FC_FFT_NORM_BACKWARD, 0}, f = c;
  f.n[0] = f.n[1] = 16;
  fc_spectral *sc, *sf;
  FC_TEST_OK(fc_spectral_create(&c, &sc));
  FC_TEST_OK(fc_spectral_create(&f, &sf));
  CU_ASSERT_EQUAL(fc_spectral_weight_size(sc), fc_spectral_weight_size(sf));
  long nw = fc_spectral_weight_size(sc);
  float *W = malloc(sizeof(float) * nw), xc[8 * 8 * 2], xf[16 * 16 * 2], yc[8 * 8 * 2], yf[16 * 16 * 2];
  for (long i = 0; i < nw; i++) W[i] = (float)urand();
  for (int res = 8; res <= 16; res *= 2)
    for (int i = 0; i < res; i++)
      for (int j = 0; j < res; j++)
        for (int k = 0; k < 2; k++) {
          double u = 2 * M_PI * i / res, v = 2 * M_PI * j / res;
          float val = (float)(0.3 + sin(u + k) * cos(2 * v) + 0.5 * cos(u - v));
          (res == 8 ? xc : xf)[(i * res + j) * 2 + k] = val;
        }
  fc_spectral_forward(sc, yc, xc, W, 1);
  fc_spectral_forward(sf, yf, xf, W, 1);
  double err = 0;
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++)
      for (int k = 0; k < 2; k++) err = fmax(err, fabs(yc[(i * 8 + j) * 2 + k] - yf[(2 * i * 16 + 2 * j) * 2 + k]));
  CU_ASSERT(err < 1e-5);
  /* too many modes for the grid is an error */
  fc_spectral_config bad = c;
  bad.modes[0] = 5;
  fc_spectral *sb = NULL;
  FC_TEST_FAILS(fc_spectral_create(&bad, &sb), FC_ERR_INPUT);
  free(W);
  fc_spectral_destroy(&sc);
  fc_spectral_destroy(&sf);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"1D forward, backward, finite differences", test_1d},
                                       {"2D forward, backward, finite differences", test_2d},
                                       {"3D forward, backward, finite differences", test_3d},
                                       {"resolution invariance", test_resolution_invariance},
                                       {NULL, NULL}};
  fc_test_add_suite("spectral_conv", tests);
}

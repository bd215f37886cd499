/* LayerNorm over the last axis: y = (x - mean) rstd w + b per row of C channels; biased
 * variance (PyTorch's). Float arithmetic, vectorised (omp simd), without losing the small
 * deviations of rows far from zero (a field around 300 K): the mean is carried as two
 * floats, mu = mu_hi + mu_lo, and x - mu is evaluated as (x - mu_hi) - mu_lo, where
 * x - mu_hi is exact (Sterbenz) whenever the deviations are small against the values.
 *
 * Backward, with xhat = (x - mean) rstd and g = dy w:
 *   dx += rstd (g - mean_c(g) - xhat mean_c(g xhat)),  dw += sum_rows dy xhat,  db += sum_rows dy.
 * Only mu_hi and rstd are saved (mean[M], rstd[M]); backward recovers mu_lo as the mean of
 * x - mu_hi, one pass over the row while it is in cache. Rows are shared among OpenMP
 * threads (OMP_NUM_THREADS); dw and db are summed per thread, then added (their order,
 * hence their round-off, depends on the thread count). */
#include <math.h>
#include <stdlib.h>

#include "fc_nn.h"

/* mu_hi (a float near the row mean) and mu_lo = mean(x - mu_hi): the two-float row mean. */
static void row_mean2(const float *x, int C, float *hi, float *lo)
{
  double s = 0; /* the first estimate in double: no cancellation in one sum */
#pragma omp simd reduction(+ : s)
  for (int c = 0; c < C; c++) s += x[c];
  const float h = (float)(s / C);
  float r = 0;
#pragma omp simd reduction(+ : r)
  for (int c = 0; c < C; c++) r += x[c] - h;
  *hi = h;
  *lo = r / (float)C;
}

/* x, y [M][C]; w, b [C] (NULL: 1 and 0); mean, rstd [M] (NULL: not saved). y may be x. */
void fc_layernorm_forward(float *y, float *mean, float *rstd, const float *x, const float *w, const float *b, long M,
                          int C, float eps)
{
  if (C <= 0) return;
#pragma omp parallel for schedule(static)
  for (long m = 0; m < M; m++) {
    const float *xr = x + m * C;
    float *yr = y + m * C;
    float hi, lo, v = 0;
    row_mean2(xr, C, &hi, &lo);
#pragma omp simd reduction(+ : v)
    for (int c = 0; c < C; c++) {
      const float d = (xr[c] - hi) - lo;
      v += d * d;
    }
    const float rs = (float)(1.0 / sqrt((double)v / C + eps));
    if (w && b) {
#pragma omp simd
      for (int c = 0; c < C; c++) yr[c] = ((xr[c] - hi) - lo) * rs * w[c] + b[c];
    } else
      for (int c = 0; c < C; c++) yr[c] = ((xr[c] - hi) - lo) * rs * (w ? w[c] : 1.0f) + (b ? b[c] : 0.0f);
    if (mean) mean[m] = hi;
    if (rstd) rstd[m] = rs;
  }
}

/* dx [M][C] += ...; dw[C] += sum_m dy xhat; db[C] += sum_m dy (each may be NULL) */
void fc_layernorm_backward(float *dx, float *dw, float *db, const float *dy, const float *x, const float *mean,
                           const float *rstd, const float *w, long M, int C)
{
  if (C <= 0) return;
  double *tot = calloc(2 * (size_t)C, sizeof(double)); /* dw, db summed in double over the rows */
  if (!tot) abort();                                    /* a few kilobytes: out of memory is fatal here */
#pragma omp parallel
  {
    /* per thread: xhat and g of one row, and partial sums of dw, db */
    float *xh = malloc(sizeof(float) * 2 * (size_t)C);
    double *aw = calloc(2 * (size_t)C, sizeof(double));
    if (!xh || !aw) abort();
    float *g = xh + C;
    double *ab = aw + C;
#pragma omp for schedule(static)
    for (long m = 0; m < M; m++) {
      const float *xr = x + m * C, *dyr = dy + m * C;
      const float hi = mean[m], rs = rstd[m];
      float lo = 0, sg = 0, sgx = 0;
#pragma omp simd reduction(+ : lo)
      for (int c = 0; c < C; c++) lo += xr[c] - hi;
      lo /= (float)C;
#pragma omp simd reduction(+ : sg, sgx)
      for (int c = 0; c < C; c++) {
        xh[c] = ((xr[c] - hi) - lo) * rs;
        g[c] = dyr[c] * (w ? w[c] : 1.0f);
        sg += g[c];
        sgx += g[c] * xh[c];
      }
#pragma omp simd
      for (int c = 0; c < C; c++) {
        aw[c] += (double)(dyr[c] * xh[c]);
        ab[c] += dyr[c];
      }
      if (!dx) continue;
      sg /= (float)C;
      sgx /= (float)C;
      float *dxr = dx + m * C;
#pragma omp simd
      for (int c = 0; c < C; c++) dxr[c] += rs * (g[c] - sg - xh[c] * sgx);
    }
#pragma omp critical
    for (int c = 0; c < 2 * C; c++) tot[c] += aw[c];
    free(xh);
    free(aw);
  }
  for (int c = 0; c < C; c++) {
    if (dw) dw[c] += (float)tot[c];
    if (db) db[c] += (float)tot[C + c];
  }
  free(tot);
}

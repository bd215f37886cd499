/* Two pointwise pieces of IFactFormer (docs: /work/shared/specs/ifactformer.md):
 *
 * Gated GELU: g[M][2C] = [g1 | g2] (g1 the first C columns of a row, g2 the last C),
 *   y[M][C] = GELU(g1) g2, GELU exact (x Phi(x), fast_math.h's Phi, as fc_gelu_forward).
 *
 * Grouped lifting (per-component grouped 1x1 map): x[M][Cin], each input channel c feeds G
 *   outputs: y[m][c G + g] = x[m][c] w[c][g] + b[c][g], w and b [Cin][G] (b may be NULL).
 *   This is PyTorch's Conv1d(Cin, Cin G, 1, groups=Cin) (or Conv2d/3d with kernel 1): its
 *   output channel o = c G + g reads input channel c, and weight[o][0][0] = w[c][g],
 *   bias[o] = b[c][g]; the flat memory of weight [Cin G][1][1] and bias [Cin G] is exactly
 *   w and b. The parameter gradients are summed over rows in double.
 *
 * Backward accumulates (+=); dx / dg NULL: not wanted. */
#include <math.h>

#include "fast_math.h"
#include "fc_nn.h"

#define FC_INV_SQRT_2PI 0.39894228040143267794f /* 1/sqrt(2 pi) */
#define FC_LIFT_BLOCK 256                       /* output columns summed at once (stack buffer) */

/* ---- gated GELU ------------------------------------------------------------------------- */

void fc_gated_gelu_forward(float *y, const float *g, long M, int C)
{
#pragma omp parallel for schedule(static) if (M * C > 65536)
  for (long m = 0; m < M; m++) {
    const float *g1 = g + m * 2 * C, *g2 = g1 + C;
    float *yr = y + m * C;
#pragma omp simd
    for (int c = 0; c < C; c++) yr[c] = g1[c] * fc_norm_cdf(g1[c]) * g2[c];
  }
}

/* dg1 += dy g2 (Phi(g1) + g1 phi(g1));  dg2 += dy GELU(g1) */
void fc_gated_gelu_backward(float *dg, const float *dy, const float *g, long M, int C)
{
  if (!dg) return;
#pragma omp parallel for schedule(static) if (M * C > 65536)
  for (long m = 0; m < M; m++) {
    const float *g1 = g + m * 2 * C, *g2 = g1 + C, *dyr = dy + m * C;
    float *d1 = dg + m * 2 * C, *d2 = d1 + C;
#pragma omp simd
    for (int c = 0; c < C; c++) {
      const float u = g1[c], cdf = fc_norm_cdf(u), pdf = fc_fast_expf(-0.5f * u * u) * FC_INV_SQRT_2PI;
      d1[c] += dyr[c] * g2[c] * (cdf + u * pdf);
      d2[c] += dyr[c] * u * cdf;
    }
  }
}

/* ---- grouped lifting -------------------------------------------------------------------- */

void fc_grouped_lift_forward(float *y, const float *x, const float *w, const float *b, long M, int Cin, int G)
{
  const long out = (long)Cin * G;
#pragma omp parallel for schedule(static) if (M * out > 65536)
  for (long m = 0; m < M; m++) {
    const float *xr = x + m * Cin;
    float *yr = y + m * out;
    for (int c = 0; c < Cin; c++) {
      const float xc = xr[c], *wc = w + (long)c * G;
      float *yc = yr + (long)c * G;
      if (b) {
        const float *bc = b + (long)c * G;
        for (int k = 0; k < G; k++) yc[k] = xc * wc[k] + bc[k];
      } else
        for (int k = 0; k < G; k++) yc[k] = xc * wc[k];
    }
  }
}

/* dx[m][c] += sum_g dy[m][c G + g] w[c][g];  dw[c][g] += sum_m dy[m][c G + g] x[m][c];
 * db[c][g] += sum_m dy[m][c G + g]. Any of dx, dw, db may be NULL. */
void fc_grouped_lift_backward(float *dx, float *dw, float *db, const float *dy, const float *x, const float *w,
                              long M, int Cin, int G)
{
  const long out = (long)Cin * G;
  if (M <= 0 || out <= 0) return;
  if (dx)
#pragma omp parallel for schedule(static) if (M * out > 65536)
    for (long m = 0; m < M; m++) {
      const float *dyr = dy + m * out;
      for (int c = 0; c < Cin; c++) {
        const float *wc = w + (long)c * G, *dyc = dyr + (long)c * G;
        double s = 0.0;
        for (int k = 0; k < G; k++) s += (double)dyc[k] * wc[k];
        dx[m * Cin + c] += (float)s;
      }
    }
  if (!dw && !db) return;
  for (long o0 = 0; o0 < out; o0 += FC_LIFT_BLOCK) {
    const int nb = out - o0 < FC_LIFT_BLOCK ? (int)(out - o0) : FC_LIFT_BLOCK;
    double aw[FC_LIFT_BLOCK] = {0}, ab[FC_LIFT_BLOCK] = {0};
    for (long m = 0; m < M; m++) {
      const float *dyr = dy + m * out + o0, *xr = x + m * Cin;
      for (int k = 0; k < nb; k++) {
        aw[k] += (double)dyr[k] * xr[(o0 + k) / G];
        ab[k] += dyr[k];
      }
    }
    for (int k = 0; k < nb; k++) {
      if (dw) dw[o0 + k] += (float)aw[k];
      if (db) db[o0 + k] += (float)ab[k];
    }
  }
}

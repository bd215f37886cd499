/* Per-channel affine map: y[M][C] = x s[C] + t[C] (t may be NULL: no shift).
 * Backward: dx += dy s; ds += sum_m dy x; dt += sum_m dy (sums in double; each gradient
 * may be NULL). */
#include "fc_nn.h"

#define FC_COLBLOCK 256 /* channels reduced at once into stack accumulators */

void fc_affine_forward(float *y, const float *x, const float *s, const float *t, long M, int C)
{
  for (long m = 0; m < M; m++) {
    const float *xr = x + m * C;
    float *yr = y + m * C;
    for (int c = 0; c < C; c++) yr[c] = xr[c] * s[c] + (t ? t[c] : 0.0f);
  }
}

void fc_affine_backward(float *dx, float *ds, float *dt, const float *dy, const float *x, const float *s, long M,
                        int C)
{
  if (dx)
    for (long m = 0; m < M; m++) {
      const float *dyr = dy + m * C;
      float *dxr = dx + m * C;
      for (int c = 0; c < C; c++) dxr[c] += dyr[c] * s[c];
    }
  if (ds || dt)
    for (int c0 = 0; c0 < C; c0 += FC_COLBLOCK) {
      int nb = C - c0 < FC_COLBLOCK ? C - c0 : FC_COLBLOCK;
      double as[FC_COLBLOCK] = {0}, at[FC_COLBLOCK] = {0};
      for (long m = 0; m < M; m++) {
        const float *xr = x + m * C + c0, *dyr = dy + m * C + c0;
        for (int c = 0; c < nb; c++) {
          as[c] += (double)dyr[c] * xr[c];
          at[c] += dyr[c];
        }
      }
      for (int c = 0; c < nb; c++) {
        if (ds) ds[c0 + c] += (float)as[c];
        if (dt) dt[c0 + c] += (float)at[c];
      }
    }
}

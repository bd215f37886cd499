/* Gaussian Fourier features with a frozen matrix Bm [d][m]:
 *   z[M][m] = 2 pi p[M][d] Bm,   y[M][2m] = [sin z, cos z].
 * The phase is accumulated and the sine/cosine evaluated in double (phases reach
 * hundreds of radians for wide Bm); backward gives dp only:
 *   dp[i][k] += sum_j 2 pi Bm[k][j] (dy[i][j] cos z_ij - dy[i][m + j] sin z_ij). */
#include <math.h>

#include "fc_nn.h"

#define FC_TWO_PI 6.28318530717958647692
#define FC_DBLOCK 16 /* coordinates accumulated at once (d is 1 to 3 in practice) */

static double phase(const float *pr, const float *Bm, int d, int m, int j)
{
  double z = 0.0;
  for (int k = 0; k < d; k++) z += (double)pr[k] * Bm[(long)k * m + j];
  return FC_TWO_PI * z;
}

void fc_fourier_features_forward(float *y, const float *p, const float *Bm, long M, int d, int m)
{
  for (long i = 0; i < M; i++) {
    const float *pr = p + i * d;
    float *yr = y + i * 2 * m;
    for (int j = 0; j < m; j++) {
      double z = phase(pr, Bm, d, m, j);
      yr[j] = (float)sin(z);
      yr[m + j] = (float)cos(z);
    }
  }
}

void fc_fourier_features_backward(float *dp, const float *dy, const float *p, const float *Bm, long M, int d, int m)
{
  if (!dp) return;
  for (int k0 = 0; k0 < d; k0 += FC_DBLOCK) {
    int nb = d - k0 < FC_DBLOCK ? d - k0 : FC_DBLOCK;
    for (long i = 0; i < M; i++) {
      const float *pr = p + i * d, *dyr = dy + i * 2 * m;
      double acc[FC_DBLOCK] = {0};
      for (int j = 0; j < m; j++) {
        double z = phase(pr, Bm, d, m, j);
        double g = FC_TWO_PI * (dyr[j] * cos(z) - dyr[m + j] * sin(z));
        for (int k = 0; k < nb; k++) acc[k] += g * Bm[(long)(k0 + k) * m + j];
      }
      for (int k = 0; k < nb; k++) dp[i * d + k0 + k] += (float)acc[k];
    }
  }
}

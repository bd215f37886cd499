/* InstanceNorm (per sample and channel over the N grid points, no affine). Biased
 * variance as PyTorch; the
 * statistics and every reduction are computed in double (two passes: mean, then the sum
 * of squared deviations), the per-element arithmetic in float.
 *
 * Backward, with xhat = (x - mean) rstd and g the gradient reaching xhat:
 *   dx += rstd (g - mean(g) - xhat mean(g xhat)),  means over the normalised axis.
 * The saved mean is float: for data far from zero (a field around 300 K) its rounding is
 * a visible fraction of the deviations x - mean, so backward refines it in double with the
 * mean deviation from it, mean(x - saved), folded into its first pass. */
#include <math.h>

#include "fc_nn.h"

#define FC_COLBLOCK 256 /* channels reduced at once into stack accumulators */

/* The forward over this rank's N points of samples whose statistics run over Ntot points on
 * comm (MPI_COMM_NULL: one process, N = Ntot): the two passes' double sums are allreduced. */
static fc_err instancenorm(float *y, float *mean, float *rstd, const float *x, int B, long N, long Ntot, int C, float eps,
                           MPI_Comm comm)
{
  if (Ntot <= 0 || C <= 0) return FC_SUCCESS;
  for (int bi = 0; bi < B; bi++) {
    const float *xb = x + (long)bi * N * C;
    float *yb = y + (long)bi * N * C;
    for (int c0 = 0; c0 < C; c0 += FC_COLBLOCK) {
      int nb = C - c0 < FC_COLBLOCK ? C - c0 : FC_COLBLOCK;
      double mu[FC_COLBLOCK] = {0}, v[FC_COLBLOCK] = {0};
      for (long n = 0; n < N; n++)
        for (int c = 0; c < nb; c++) mu[c] += xb[n * C + c0 + c];
      if (comm != MPI_COMM_NULL) FcCallMPI(MPI_Allreduce(MPI_IN_PLACE, mu, nb, MPI_DOUBLE, MPI_SUM, comm));
      for (int c = 0; c < nb; c++) mu[c] /= (double)Ntot;
      for (long n = 0; n < N; n++)
        for (int c = 0; c < nb; c++) {
          double d = xb[n * C + c0 + c] - mu[c];
          v[c] += d * d;
        }
      if (comm != MPI_COMM_NULL) FcCallMPI(MPI_Allreduce(MPI_IN_PLACE, v, nb, MPI_DOUBLE, MPI_SUM, comm));
      for (int c = 0; c < nb; c++) v[c] = 1.0 / sqrt(v[c] / (double)Ntot + eps); /* now rstd */
      for (long n = 0; n < N; n++)
        for (int c = 0; c < nb; c++) {
          long i = n * C + c0 + c;
          yb[i] = (float)((xb[i] - mu[c]) * v[c]);
        }
      for (int c = 0; c < nb; c++) {
        if (mean) mean[(long)bi * C + c0 + c] = (float)mu[c];
        if (rstd) rstd[(long)bi * C + c0 + c] = (float)v[c];
      }
    }
  }
  return FC_SUCCESS;
}

/* x, y [B][N][C]; mean, rstd [B][C] (NULL: not saved) */
void fc_instancenorm_forward(float *y, float *mean, float *rstd, const float *x, int B, long N, int C, float eps)
{
  (void)instancenorm(y, mean, rstd, x, B, N, N, C, eps, MPI_COMM_NULL); /* cannot fail without MPI */
}

fc_err fc_instancenorm_forward_slab(float *y, float *mean, float *rstd, const float *x, int B, long N, long Ntot, int C,
                                    float eps, MPI_Comm comm)
{
  return instancenorm(y, mean, rstd, x, B, N, Ntot, C, eps, comm);
}

/* dx [B][N][C] += ... (dx NULL: nothing to do) */
void fc_instancenorm_backward(float *dx, const float *dy, const float *x, const float *mean, const float *rstd, int B,
                              long N, int C)
{
  if (!dx || N <= 0 || C <= 0) return;
  for (int bi = 0; bi < B; bi++) {
    long off = (long)bi * N * C;
    const float *xb = x + off, *dyb = dy + off;
    float *dxb = dx + off;
    const float *mub = mean + (long)bi * C, *rsb = rstd + (long)bi * C;
    for (int c0 = 0; c0 < C; c0 += FC_COLBLOCK) {
      int nb = C - c0 < FC_COLBLOCK ? C - c0 : FC_COLBLOCK;
      /* one pass: sums of d = x - saved mean, of dy and of dy d; then the refined mean
       * mu = saved + mean(d) and sum dy xhat = rstd (sum dy d - mean(d) sum dy) */
      double sd[FC_COLBLOCK] = {0}, sg[FC_COLBLOCK] = {0}, sgd[FC_COLBLOCK] = {0};
      for (long n = 0; n < N; n++)
        for (int c = 0; c < nb; c++) {
          long i = n * C + c0 + c;
          double d = (double)xb[i] - mub[c0 + c];
          sd[c] += d;
          sg[c] += dyb[i];
          sgd[c] += dyb[i] * d;
        }
      double mu[FC_COLBLOCK];
      float mg[FC_COLBLOCK], mgx[FC_COLBLOCK];
      for (int c = 0; c < nb; c++) {
        double md = sd[c] / (double)N;
        mu[c] = mub[c0 + c] + md;
        mg[c] = (float)(sg[c] / (double)N);
        mgx[c] = (float)(rsb[c0 + c] * (sgd[c] - md * sg[c]) / (double)N);
      }
      for (long n = 0; n < N; n++)
        for (int c = 0; c < nb; c++) {
          long i = n * C + c0 + c;
          float rs = rsb[c0 + c];
          float xhat = (float)((xb[i] - mu[c]) * rs);
          dxb[i] += rs * (dyb[i] - mg[c] - xhat * mgx[c]);
        }
    }
  }
}

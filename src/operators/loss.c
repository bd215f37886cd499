/* Training losses: MSE, relative L2 per sample, relative L1 per channel group.
 *
 * Sums are taken in double and the loss rounded to float32 at the end; gradients are
 * computed in double per value and ACCUMULATED (+=) into dyh when dyh is not NULL. They
 * agree with PyTorch's float32 autograd (torch.nn.functional.mse_loss, torch.linalg
 * .vector_norm, abs) to float32 round-off.
 *
 * Non-smooth points, as PyTorch: d|x|/dx = sign(x) with sign(0) = 0, and the gradient of
 * ||yh_b - y_b||_2 where yh_b = y_b is 0 (the subgradient torch's norm backward gives).
 *
 * Zero denominators: a sample with ||y_b||_2 = 0 (relative L2) or a (sample, group) with
 * sum |y| = 0 (relative L1, also an empty group) has no relative error. PyTorch would give
 * inf or nan there. Here the loss is NaN and the gradient of every value of that sample
 * (group) is NaN too, so that the caller's finiteness check stops the run rather than
 * training on with that sample silently left out or weighted arbitrarily. A group index
 * outside [0, ngroups), or a failed allocation, also gives NaN (and leaves dyh untouched). */
#include <math.h>
#include <stdlib.h>

#include "fc_loss.h"

float fc_mse_loss(float *dyh, const float *yh, const float *y, long n)
{
  double sum = 0.0;
  for (long i = 0; i < n; i++) {
    const double d = (double)yh[i] - y[i];
    sum += d * d;
  }
  if (dyh) {
    const double scale = 2.0 / (double)n;
    for (long i = 0; i < n; i++) dyh[i] += (float)(scale * ((double)yh[i] - y[i]));
  }
  return (float)(sum / (double)n);
}

float fc_rel_l2_loss(float *dyh, const float *yh, const float *y, int B, long n)
{
  double loss = 0.0;
  for (int b = 0; b < B; b++) {
    const float *yhb = yh + (long)b * n, *yb = y + (long)b * n;
    double dd = 0.0, yy = 0.0;
    for (long i = 0; i < n; i++) {
      const double d = (double)yhb[i] - yb[i];
      dd += d * d;
      yy += (double)yb[i] * yb[i];
    }
    const double dn = sqrt(dd), yn = sqrt(yy);
    /* ||y_b|| = 0: no relative error; NaN loss and gradient (see the top of the file) */
    loss += yn > 0.0 ? dn / yn : NAN;
    if (!dyh) continue;
    float *db = dyh + (long)b * n;
    if (!(yn > 0.0)) {
      for (long i = 0; i < n; i++) db[i] += NAN;
    } else if (dn > 0.0) { /* dn = 0: zero (sub)gradient, as torch */
      const double scale = 1.0 / (dn * yn * (double)B);
      for (long i = 0; i < n; i++) db[i] += (float)(scale * ((double)yhb[i] - yb[i]));
    }
  }
  return (float)(loss / (double)B);
}

float fc_rel_l1_group_loss(float *dyh, const float *yh, const float *y, int B, long N, int C, const int *group,
                           int ngroups)
{
  for (int c = 0; c < C; c++)
    if (group[c] < 0 || group[c] >= ngroups) return NAN;
  double *num = malloc(2 * (size_t)ngroups * sizeof *num);
  if (!num) return NAN;
  double *den = num + ngroups, loss = 0.0;
  const double norm = 1.0 / ((double)B * ngroups);
  for (int b = 0; b < B; b++) {
    const long off = (long)b * N * C;
    for (int k = 0; k < ngroups; k++) num[k] = den[k] = 0.0;
    for (long i = 0; i < N * C; i++) {
      const int k = group[i % C];
      num[k] += fabs((double)yh[off + i] - y[off + i]);
      den[k] += fabs((double)y[off + i]);
    }
    for (int k = 0; k < ngroups; k++) {
      /* sum |y| = 0 over the group: no relative error; NaN loss and gradient (see the top) */
      loss += den[k] > 0.0 ? num[k] / den[k] : NAN;
      den[k] = den[k] > 0.0 ? norm / den[k] : NAN; /* from here on: the gradient's scale */
    }
    if (!dyh) continue;
    for (long i = 0; i < N * C; i++) {
      const float a = yh[off + i], t = y[off + i];
      const double sign = a > t ? 1.0 : (a < t ? -1.0 : 0.0); /* sign(0) = 0, as torch */
      dyh[off + i] += (float)(sign * den[group[i % C]]); /* NaN scale: NaN, also where sign = 0 */
    }
  }
  free(num);
  return (float)(loss * norm);
}

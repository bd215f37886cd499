/* Global gradient-norm clipping as torch.nn.utils.clip_grad_norm_ (norm type 2).
 *
 * torch: total_norm = ||g||_2 (float32), clip_coef = max_norm / (total_norm + 1e-6),
 * clamped to 1.0, and every gradient multiplied by it (a multiplication by 1.0 when the
 * norm is below max_norm, which changes nothing). Here the norm is summed in double and the
 * coefficient computed in double, then rounded to float32 for the multiplication as torch's
 * g.mul_(clip_coef_clamped) does; the result agrees with torch to float32 round-off (torch
 * sums the squares in float32). A NaN or Inf gradient gives a NaN/Inf norm and, as in torch
 * (error_if_nonfinite=False), gradients scaled by NaN or 0: the caller checks the returned
 * norm. */
#include <math.h>

#include "fc_optim.h"

double fc_clip_grad_norm(float *g, long n, double max_norm)
{
  double sum = 0.0;
  for (long i = 0; i < n; i++) sum += (double)g[i] * g[i];
  const double norm = sqrt(sum);
  const double coef = max_norm / (norm + 1e-6);
  if (coef >= 1.0) return norm; /* clamped to 1.0: g unchanged (a NaN coef goes on, as in torch) */
  const float fcoef = (float)coef;
  for (long i = 0; i < n; i++) g[i] = g[i] * fcoef;
  return norm;
}

/* Adam and AdamW steps with torch.optim's arithmetic (torch 1.13, _single_tensor_adam and
 * _single_tensor_adamw: non-foreach, non-fused, non-amsgrad, non-maximize, non-capturable).
 *
 * Every tensor operation of torch is one float32 operation here, in torch's order, with
 * torch's Python-float (double) scalars rounded to float32 where torch's CPU kernels round
 * them (a scalar operand of a float32 tensor op is cast to float32 first):
 *
 *   Adam:   g = g + wd * p                                (grad.add(param, alpha=wd))
 *   AdamW:  p = p * (float)(1 - lr * wd)                  (param.mul_(1 - lr * wd))
 *           m = m * b1;  m = m + (float)(1 - b1) * g      (exp_avg.mul_(b1).add_(g, alpha=1 - b1))
 *           v = v * b2;  v = v + (float)(1 - b2) * g * g  (exp_avg_sq.mul_(b2).addcmul_(g, g, value=1 - b2))
 *           bc1 = 1 - b1^t, bc2 = 1 - b2^t                (double, as Python floats)
 *           step_size = lr / bc1, bc2_sqrt = sqrt(bc2)    (double)
 *           d = sqrt(v) / (float)bc2_sqrt + (float)eps    ((exp_avg_sq.sqrt() / bc2_sqrt).add_(eps))
 *           p = p + (float)(-step_size) * m / d           (param.addcdiv_(m, d, value=-step_size))
 *
 * Torch 1.13 uses mul_/add_ for the first moment (lerp_ came later). The result is bit-exact
 * against torch's portable CPU kernels (ATEN_CPU_CAPABILITY=default); torch's AVX2 kernels
 * evaluate add_(x, alpha=a) as a fused multiply-add, which differs by an ulp at times. This
 * file must be compiled without contraction of a * b + c into FMA (C11 mode: GCC's default
 * -ffp-contract=off for ISO C).
 *
 * The hyperparameters and lr arrive as doubles (fc_adam_config), as torch's Python floats:
 * bc1, bc2, step_size and 1 - lr * wd are computed in double exactly as torch does, so the
 * result is bit for bit torch's, defaults (0.9, 0.999, 1e-8) included. */
#include <math.h>

#include "fc_optim.h"

void fc_adam_step(float *p, const float *g, float *m, float *v, long n, const fc_adam_config *c, long t, double lr)
{
  const double b1 = c->beta1, b2 = c->beta2, wd = c->weight_decay, dlr = lr;
  const double bc1 = 1.0 - pow(b1, (double)t), bc2 = 1.0 - pow(b2, (double)t);
  const double step_size = dlr / bc1, bc2_sqrt = sqrt(bc2);

  const float fb1 = (float)c->beta1, fb2 = (float)c->beta2, one_m_b1 = (float)(1.0 - b1), one_m_b2 = (float)(1.0 - b2);
  const float fbc2_sqrt = (float)bc2_sqrt, feps = (float)c->eps, neg_step = (float)(-step_size);
  const float fwd = (float)c->weight_decay, decay = (float)(1.0 - dlr * wd);
  const int coupled = !c->decoupled && c->weight_decay != 0.0; /* torch: if weight_decay != 0 */

  for (long i = 0; i < n; i++) {
    float gi = g[i], pi = p[i];
    if (c->decoupled) pi = pi * decay; /* torch multiplies even when weight_decay is 0 (by 1) */
    else if (coupled) gi = gi + fwd * pi;
    float mi = m[i] * fb1;
    mi = mi + one_m_b1 * gi;
    float vi = v[i] * fb2;
    vi = vi + one_m_b2 * gi * gi;
    float d = sqrtf(vi) / fbc2_sqrt;
    d = d + feps;
    p[i] = pi + neg_step * mi / d;
    m[i] = mi;
    v[i] = vi;
  }
}

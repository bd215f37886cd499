/* Learning-rate schedules in closed form, as torch.optim.lr_scheduler (torch 1.13).
 *
 * t is the number of scheduler.step() calls made (0: the lr the optimizer starts with).
 *
 * - constant: base_lr.
 * - StepLR: base_lr gamma^floor(t / step_size), torch's _get_closed_form_lr. torch's step()
 *   multiplies the current lr by gamma at each multiple of step_size instead, which agrees
 *   to round-off (exactly when gamma is a power of two).
 * - CosineAnnealingLR: eta_min + (base_lr - eta_min)(1 + cos(pi t / t_max)) / 2, evaluated
 *   in the order of torch's _get_closed_form_lr. torch's step() uses a recursive form
 *   (lr_t = (1 + cos(pi t / T)) / (1 + cos(pi (t - 1) / T)) (lr_{t-1} - eta_min) + eta_min,
 *   with a special case where the denominator vanishes), which accumulates round-off: the
 *   two agree to a few ulps of base_lr, not bit for bit. For t > t_max both continue the
 *   cosine (the lr rises back to base_lr at t = 2 t_max), as torch does.
 * - OneCycleLR (anneal_strategy 'cos', three_phase False): torch's get_lr() step by step,
 *   so the values are bit-identical: initial_lr = max_lr / div_factor, min_lr = initial_lr /
 *   final_div_factor; phase 1 ends at step e1 = pct_start total_steps - 1 (a double, not
 *   rounded), phase 2 at e2 = total_steps - 1; for t <= e1, pct = t / e1 and the lr goes from
 *   initial_lr to max_lr, else pct = (t - e1) / (e2 - e1) and it goes from max_lr to min_lr,
 *   with anneal(start, end, pct) = end + (start - end) / 2 (cos(pi pct) + 1). t = total_steps
 *   is allowed, as in torch (pct > 1: the lr rises again slightly). Momentum cycling (torch's
 *   cycle_momentum) is not part of this function.
 *
 * Invalid input (t < 0, step_size <= 0, t_max <= 0, total_steps <= 0, t > total_steps for
 * the one-cycle schedule, where torch raises ValueError, or an unknown kind) returns NaN, so
 * that a training loop checking its lr or its loss stops instead of running on. */
#include <math.h>

#include "fc_optim.h"

static double anneal_cos(double start, double end, double pct)
{
  const double cos_out = cos(M_PI * pct) + 1;
  return end + (start - end) / 2.0 * cos_out;
}

static double onecycle(const fc_schedule *s, long t)
{
  if (s->total_steps <= 0 || t > s->total_steps) return NAN;
  const double initial_lr = s->max_lr / s->div_factor, min_lr = initial_lr / s->final_div_factor;
  const double e1 = s->pct_start * (double)s->total_steps - 1, e2 = (double)(s->total_steps - 1);
  const double step = (double)t;
  if (step <= e1) return anneal_cos(initial_lr, s->max_lr, (step - 0) / (e1 - 0));
  return anneal_cos(s->max_lr, min_lr, (step - e1) / (e2 - e1));
}

double fc_schedule_lr(const fc_schedule *s, long t)
{
  if (t < 0) return NAN;
  switch (s->kind) {
  case FC_SCHED_CONSTANT:
    return s->base_lr;
  case FC_SCHED_STEP:
    if (s->step_size <= 0) return NAN;
    return s->base_lr * pow(s->gamma, (double)(t / s->step_size));
  case FC_SCHED_COSINE:
    if (s->t_max <= 0) return NAN;
    return s->eta_min + (s->base_lr - s->eta_min) * (1 + cos(M_PI * (double)t / (double)s->t_max)) / 2;
  case FC_SCHED_ONECYCLE:
    return onecycle(s, t);
  }
  return NAN;
}

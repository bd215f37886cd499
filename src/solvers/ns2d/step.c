/* One time step: Crank-Nicolson for diffusion, Heun's method (RK2) for advection and
 * forcing. With L = -nu |2 pi k|^2 (diagonal) and N the right-hand side of rhs.c,
 *
 *   predictor   w*      = [(1 + dt L/2) w^n + dt N(w^n)] / (1 - dt L/2)
 *   corrector   w^{n+1} = [(1 + dt L/2) w^n + dt/2 (N(w^n) + N(w*))] / (1 - dt L/2)
 *
 * The predictor alone is the step of the FNO paper's generator (ns_2d.py: forward Euler
 * for N, Crank-Nicolson for diffusion; first order in time), available as
 * FC_NS2D_EULER_CN. The corrector averages N over the step (trapezoidal rule), which makes
 * the scheme second order; both are unconditionally stable for diffusion, and the
 * advective step is limited by the CFL number (output.c). */
#include <string.h>

#include "fc_ns2d.h"

void fc_ns2d_step(fc_ns2d *s)
{
  const long m = s->nspec;
  const double dt = s->c.dt;
  const double *ce = s->cn_explicit, *ci = s->cn_implicit;
  double complex *w = s->w_hat, *w1 = s->w1_hat, *n0 = s->n0_hat, *n1 = s->n1_hat;

  fc_ns2d_rhs(s, w, n0);
  if (s->c.scheme == FC_NS2D_EULER_CN) {
    for (long k = 0; k < m; k++) w[k] = (ce[k] * w[k] + dt * n0[k]) * ci[k];
  } else {
    for (long k = 0; k < m; k++) w1[k] = (ce[k] * w[k] + dt * n0[k]) * ci[k];
    fc_ns2d_rhs(s, w1, n1);
    for (long k = 0; k < m; k++) w[k] = (ce[k] * w[k] + 0.5 * dt * (n0[k] + n1[k])) * ci[k];
  }
  s->step++;
}

void fc_ns2d_advance(fc_ns2d *s, long nsteps)
{
  for (long i = 0; i < nsteps; i++) fc_ns2d_step(s);
}

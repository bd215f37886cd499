/* One time step: three sub-steps of Wray's low-storage RK3, each with a projection.
 *
 *   for sub-step s = 1, 2, 3   (gamma = 8/15, 5/12, 3/4;  zeta = 0, -17/60, -5/12;  alpha = gamma + zeta)
 *     R    = advection + explicit diffusion + subgrid stress + drive      (rhs.c, sgs.c)
 *     du   = dt (gamma_s R + zeta_s R_previous)
 *     implicit_y: (1 - a D2y) du' = du + 2 a D2y u,  a = alpha_s dt nu / 2   (Crank-Nicolson, implicit.c)
 *     flow-rate drive: the uniform mean pressure gradient f enters R like any force; the
 *       scheme is linear in it, so du' = du'_0 + f alpha_s dt g with (1 - a D2y) g = 1, and f is
 *       the value that gives u + du' the target bulk velocity (exact: Poiseuille flow stays put)
 *     u*   = u + du'
 *     lap phi = div u* / (alpha_s dt)                                       (poisson.c)
 *     u    = u* - alpha_s dt grad phi,  p = phi                              (correction.c)
 *       (the projection leaves the bulk velocity unchanged: x is periodic)
 */
#include <math.h>

#include "fc_channel.h"

static const double rk_gamma[3] = {8.0 / 15.0, 5.0 / 12.0, 3.0 / 4.0};
static const double rk_zeta[3] = {0.0, -17.0 / 60.0, -5.0 / 12.0};

/* r <- dt (g r + z o); o <- r (the old value), on the interior of a component. */
static void combine(const fc_channel *ch, double dt, double g, double z, long nyc, double *r, double *o)
{
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const long c = FC_CH_IDX(ch, i, k, 0);
      double *pr = r + c, *po = o + c;
      for (long j = 0; j < nyc; j++) {
        double now = pr[j];
        pr[j] = dt * (g * now + z * po[j]);
        po[j] = now;
      }
    }
}

static void add_to(const fc_channel *ch, long nyc, const double *d, double *a)
{
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const long c = FC_CH_IDX(ch, i, k, 0);
      for (long j = 0; j < nyc; j++) a[c + j] += d[c + j];
    }
}

/* Flow-rate drive: adds f_eff g to the u increment ru so that u + ru has the target bulk
 * velocity; g = 1 for explicit diffusion, the response (1 - a D2y)^-1 1 for implicit. */
static fc_err drive_flow_rate(fc_channel *ch, double a, double *f_eff)
{
  const long ny = ch->ny;
  double g[ny], ub, gb = 0.0;
  const double *dyf = ch->dyf + 1;
  for (long j = 0; j < ny; j++) g[j] = 1.0;
  if (ch->c.implicit_y) {
    /* one line of the implicit solve: borrow the first line of the scratch array */
    double *line = ch->work + FC_CH_IDX(ch, 0, 0, 0);
    for (long j = 0; j < ny; j++) line[j] = 1.0;
    fc_channel_implicit_y_line(ch, a, line);
    for (long j = 0; j < ny; j++) g[j] = line[j];
  }
  for (long j = 0; j < ny; j++) gb += g[j] * dyf[j];
  gb /= ch->c.ly;
  add_to(ch, ny, ch->ru, ch->u);
  FcCall(fc_channel_bulk_velocity(ch, &ub));
  double f = (ch->c.bulk_velocity - ub) / gb;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      double *u = ch->u + FC_CH_IDX(ch, i, k, 0);
      for (long j = 0; j < ny; j++) u[j] += f * g[j];
    }
  *f_eff = f;
  return FC_SUCCESS;
}

static fc_err substep(fc_channel *ch, int s)
{
  const double dt = ch->dt, alpha = rk_gamma[s] + rk_zeta[s];
  const long ny = ch->ny;
  FcCall(fc_stage_push(ch->stage_rhs));
  /* the first sub-step's eddy viscosity was computed by fc_channel_step for the time step */
  if (ch->c.sgs != FC_SGS_NONE && s > 0) FcCall(fc_channel_sgs_viscosity(ch));
  fc_channel_rhs(ch, ch->ru, ch->rv, ch->rw);
  if (ch->c.sgs != FC_SGS_NONE) fc_channel_sgs_rhs(ch, ch->ru, ch->rv, ch->rw);
  FcCall(fc_stage_pop());
  FcCall(fc_stage_push(ch->stage_implicit));
  combine(ch, dt, rk_gamma[s], rk_zeta[s], ny, ch->ru, ch->ou);
  combine(ch, dt, rk_gamma[s], rk_zeta[s], ny, ch->rw, ch->ow);
  combine(ch, dt, rk_gamma[s], rk_zeta[s], ny - 1, ch->rv, ch->ov);
  if (ch->c.implicit_y) {
    const double a = 0.5 * alpha * dt * ch->c.nu;
    fc_channel_add_d2y(ch, 2.0 * a, 0, ch->u, ch->ru);
    fc_channel_add_d2y(ch, 2.0 * a, 0, ch->w, ch->rw);
    fc_channel_add_d2y(ch, 2.0 * a, 1, ch->v, ch->rv);
    fc_channel_implicit_y(ch, a, 0, ch->ru);
    fc_channel_implicit_y(ch, a, 0, ch->rw);
    fc_channel_implicit_y(ch, a, 1, ch->rv);
  }
  if (ch->c.drive == FC_DRIVE_FLOW_RATE) {
    double f_eff;
    FcCall(drive_flow_rate(ch, 0.5 * alpha * dt * ch->c.nu, &f_eff));
    ch->dpdx_applied += f_eff / dt; /* f alpha_s dt per sub-step: the step's mean force is the sum / dt */
  } else {
    add_to(ch, ny, ch->ru, ch->u);
  }
  add_to(ch, ny, ch->rw, ch->w);
  add_to(ch, ny - 1, ch->rv, ch->v);
  FcCall(fc_channel_halo_velocity(ch));
  FcCall(fc_stage_pop());

  /* projection */
  FcCall(fc_stage_push(ch->stage_poisson));
  const double adt = alpha * dt;
  fc_channel_divergence(ch, ch->u, ch->v, ch->w, ch->p);
  for (long q = 0; q < ch->nloc; q++) ch->p[q] /= adt;
  FcCall(fc_channel_poisson_solve(ch, ch->p));
  FcCall(fc_channel_halo(ch, ch->p));
  fc_channel_correct(ch, adt, ch->p);
  FcCall(fc_channel_halo_velocity(ch));
  FcCall(fc_stage_pop());
  return FC_SUCCESS;
}

fc_err fc_channel_step(fc_channel *ch)
{
  /* the eddy viscosity of the current state enters the time step (and is the first
   * sub-step's): a step depends on the state only, so a restart continues exactly */
  if (ch->c.sgs != FC_SGS_NONE) FcCall(fc_channel_sgs_viscosity(ch));
  FcCall(fc_channel_stable_dt(ch, &ch->dt)); /* also the blow-up check */
  if (ch->c.dt_fixed > 0) {
    /* a fixed step beyond the stability limit (cfl = 1) is reported, not hidden: the run goes
     * on (the limit is a conservative estimate) and stops with a message if it blows up */
    double limit = ch->dt / ch->c.cfl;
    if (ch->c.dt_fixed > limit && ch->step >= ch->dt_warned_step + 100) {
      fc_print(ch->comm, "warning: step %ld, t = %.6g: the fixed time step %.4g exceeds the stability limit %.4g "
                         "(lower channel_dt)\n", ch->step, ch->t, ch->c.dt_fixed, limit);
      ch->dt_warned_step = ch->step;
    }
    ch->dt = ch->c.dt_fixed;
  }
  ch->dpdx_applied = 0.0;
  for (int s = 0; s < 3; s++) FcCall(substep(ch, s));
  ch->t += ch->dt;
  ch->step++;
  return FC_SUCCESS;
}

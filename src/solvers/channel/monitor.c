/* Collective diagnostics: bulk velocity, wall shear, divergence, CFL number, energy. */
#include <math.h>

#include "fc_channel.h"

fc_err fc_channel_volume_mean(fc_channel *ch, const double *a, double *mean)
{
  const double *dyf = ch->dyf + 1;
  double s = 0.0;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const double *q = a + FC_CH_IDX(ch, i, k, 0);
      for (long j = 0; j < ch->ny; j++) s += q[j] * dyf[j];
    }
  FcCallMPI(MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_DOUBLE, MPI_SUM, ch->comm));
  *mean = s / ((double)ch->nx * (double)ch->nz * ch->c.ly);
  return FC_SUCCESS;
}

fc_err fc_channel_bulk_velocity(fc_channel *ch, double *ub) { return fc_channel_volume_mean(ch, ch->u, ub); }

fc_err fc_channel_wall_shear(fc_channel *ch, double *tau)
{
  /* dU/dy at the wall from the parabola through the wall (0), yc0 and yc1 */
  const double *yc = ch->yc + 1;
  const double y0 = yc[0], y1 = yc[1], den = y0 * y1 * (y1 - y0);
  const long ny = ch->ny;
  double s[2] = {0, 0};
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const double *u = ch->u + FC_CH_IDX(ch, i, k, 0);
      s[0] += (u[0] * y1 * y1 - u[1] * y0 * y0) / den;
      s[1] += (u[ny - 1] * y1 * y1 - u[ny - 2] * y0 * y0) / den;
    }
  FcCallMPI(MPI_Allreduce(MPI_IN_PLACE, s, 2, MPI_DOUBLE, MPI_SUM, ch->comm));
  double n = (double)ch->nx * (double)ch->nz;
  *tau = ch->c.nu * 0.5 * (fabs(s[0]) + fabs(s[1])) / n;
  return FC_SUCCESS;
}

fc_err fc_channel_max_divergence(fc_channel *ch, double *maxdiv)
{
  fc_channel_divergence(ch, ch->u, ch->v, ch->w, ch->work);
  double m = 0.0;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const double *d = ch->work + FC_CH_IDX(ch, i, k, 0);
      for (long j = 0; j < ch->ny; j++) m = fmax(m, fabs(d[j]));
    }
  FcCallMPI(MPI_Allreduce(MPI_IN_PLACE, &m, 1, MPI_DOUBLE, MPI_MAX, ch->comm));
  *maxdiv = m;
  return FC_SUCCESS;
}

/* max over the faces of |u|/dx + |v|/dy + |w|/dz (NaN propagates). */
static double convective_rate(const fc_channel *ch)
{
  const double dxi = 1.0 / ch->dx, dzi = 1.0 / ch->dz, *dyc = ch->dyc + 1;
  double m = 0.0;
  int bad = 0;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const long c = FC_CH_IDX(ch, i, k, 0);
      const double *u = ch->u + c, *v = ch->v + c, *w = ch->w + c;
      for (long j = 0; j < ch->ny; j++) {
        double r = fabs(u[j]) * dxi + fabs(v[j]) / dyc[j < ch->ny - 1 ? j : ch->ny - 2] + fabs(w[j]) * dzi;
        bad |= !(r == r) || isinf(r);
        m = r > m ? r : m;
      }
    }
  return bad ? NAN : m;
}

fc_err fc_channel_stable_dt(fc_channel *ch, double *dt)
{
  double r[2] = {convective_rate(ch), 0.0};
  if (ch->nut) {
    for (long i = 0; i < ch->nxl; i++)
      for (long k = 0; k < ch->nz; k++) {
        const double *q = ch->nut + FC_CH_IDX(ch, i, k, 0);
        for (long j = 0; j < ch->ny; j++) r[1] = fmax(r[1], q[j]);
      }
  }
  if (isnan(r[0])) r[0] = INFINITY;
  FcCallMPI(MPI_Allreduce(MPI_IN_PLACE, r, 2, MPI_DOUBLE, MPI_MAX, ch->comm));
  if (!isfinite(r[0]))
    FcRaiseComm(ch->comm, FC_ERR_NONFINITE,
                "channel flow blew up at step %ld, t = %.6g: the velocity is not finite (NaN or Inf); the last "
                "good state is the last snapshot or restart file", ch->step, ch->t);
  double h = fmin(ch->dx, ch->dz), dymin = ch->dyf[1];
  for (long j = 0; j < ch->ny; j++) dymin = fmin(dymin, ch->dyf[j + 1]);
  /* the molecular y diffusion is implicit when implicit_y; the eddy viscosity's never is */
  double visc_mol = 1.65 / 12.0 * (ch->c.implicit_y ? h * h : fmin(h, dymin) * fmin(h, dymin)) / ch->c.nu;
  double hmin = fmin(h, dymin);
  double visc_sgs = r[1] > 0 ? 1.65 / 12.0 * hmin * hmin / (ch->c.nu + r[1]) : INFINITY;
  double conv = r[0] > 0 ? sqrt(3.0) / r[0] : INFINITY;
  *dt = ch->c.cfl * fmin(conv, fmin(visc_mol, visc_sgs));
  return FC_SUCCESS;
}

fc_err fc_channel_monitor_compute(fc_channel *ch, fc_channel_monitor *m)
{
  FcCall(fc_channel_bulk_velocity(ch, &m->bulk_velocity));
  FcCall(fc_channel_wall_shear(ch, &m->tau_wall));
  m->u_tau = sqrt(m->tau_wall);
  m->re_tau = m->u_tau * 0.5 * ch->c.ly / ch->c.nu;
  FcCall(fc_channel_max_divergence(ch, &m->max_div));
  double r = convective_rate(ch);
  FcCallMPI(MPI_Allreduce(MPI_IN_PLACE, &r, 1, MPI_DOUBLE, MPI_MAX, ch->comm));
  m->cfl = ch->dt * r;
  const double *dyf = ch->dyf + 1;
  double e = 0.0;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const long c = FC_CH_IDX(ch, i, k, 0);
      const double *u = ch->u + c, *v = ch->v + c, *w = ch->w + c;
      for (long j = 0; j < ch->ny; j++) {
        double uc = 0.5 * (u[j] + u[j - ch->sx]), vc = 0.5 * (v[j] + v[j - 1]), wc = 0.5 * (w[j] + w[j - ch->sz]);
        e += 0.5 * (uc * uc + vc * vc + wc * wc) * dyf[j];
      }
    }
  FcCallMPI(MPI_Allreduce(MPI_IN_PLACE, &e, 1, MPI_DOUBLE, MPI_SUM, ch->comm));
  m->kinetic_energy = e / ((double)ch->nx * (double)ch->nz * ch->c.ly);
  return FC_SUCCESS;
}

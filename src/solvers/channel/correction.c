/* Projection onto divergence-free fields; the bulk velocity of an initial field. */
#include "fc_channel.h"

void fc_channel_divergence(const fc_channel *ch, const double *u, const double *v, const double *w, double *d)
{
  const long ny = ch->ny, sx = ch->sx, sz = ch->sz;
  const double dxi = 1.0 / ch->dx, dzi = 1.0 / ch->dz, *dyfi = ch->dyfi + 1;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const long c = FC_CH_IDX(ch, i, k, 0);
      const double *pu = u + c, *pv = v + c, *pw = w + c;
      double *o = d + c;
      for (long j = 0; j < ny; j++)
        o[j] = (pu[j] - pu[j - sx]) * dxi + (pv[j] - pv[j - 1]) * dyfi[j] + (pw[j] - pw[j - sz]) * dzi;
    }
}

void fc_channel_correct(fc_channel *ch, double s, const double *phi)
{
  const long ny = ch->ny, sx = ch->sx, sz = ch->sz;
  const double fx = s / ch->dx, fz = s / ch->dz, *dyc = ch->dyc + 1;
  double fy[ny];
  for (long j = 0; j < ny - 1; j++) fy[j] = s / dyc[j];
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const long c = FC_CH_IDX(ch, i, k, 0);
      const double *q = phi + c;
      double *u = ch->u + c, *v = ch->v + c, *w = ch->w + c;
      for (long j = 0; j < ny; j++) {
        u[j] -= fx * (q[j + sx] - q[j]);
        w[j] -= fz * (q[j + sz] - q[j]);
      }
      for (long j = 0; j < ny - 1; j++) v[j] -= fy[j] * (q[j + 1] - q[j]);
    }
}

fc_err fc_channel_set_bulk(fc_channel *ch, double target)
{
  double ub;
  FcCall(fc_channel_bulk_velocity(ch, &ub));
  double d = target - ub;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      double *u = ch->u + FC_CH_IDX(ch, i, k, 0);
      for (long j = 0; j < ch->ny; j++) u[j] += d;
    }
  return FC_SUCCESS;
}

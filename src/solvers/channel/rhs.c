/* Explicit right-hand side of the momentum equations on the staggered grid:
 *   r_i = -d_j (u_j u_i) + nu (d2/dx2 + d2/dz2 [+ d2/dy2 unless implicit_y]) u_i + f delta_i1
 * Advection in divergence form with velocities averaged onto the faces of the momentum cell
 * (second order; energy-conserving on a uniform grid). Needs the velocity ghosts. */
#include "fc_channel.h"

void fc_channel_rhs(const fc_channel *ch, double *ru, double *rv, double *rw)
{
  const long ny = ch->ny, sx = ch->sx, sz = ch->sz;
  const double dxi = 1.0 / ch->dx, dzi = 1.0 / ch->dz, nu = ch->c.nu;
  const double dxi2 = nu * dxi * dxi, dzi2 = nu * dzi * dzi;
  const double *dyfi = ch->dyfi + 1, *dyci = ch->dyci + 1;
  const double f = ch->c.drive == FC_DRIVE_PRESSURE_GRADIENT ? ch->c.dpdx : 0.0;
  const int ydiff = !ch->c.implicit_y;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const long c = FC_CH_IDX(ch, i, k, 0);
      const double *u = ch->u + c, *v = ch->v + c, *w = ch->w + c;
      double *pu = ru + c, *pv = rv + c, *pw = rw + c;
      /* u at (i+1/2, j, k) */
      for (long j = 0; j < ny; j++) {
        double uc_e = 0.5 * (u[j] + u[j + sx]), uc_w = 0.5 * (u[j - sx] + u[j]);
        double adv_x = (uc_e * uc_e - uc_w * uc_w) * dxi;
        double fn = 0.5 * (u[j] + u[j + 1]) * 0.5 * (v[j] + v[j + sx]);
        double fs = 0.5 * (u[j - 1] + u[j]) * 0.5 * (v[j - 1] + v[j - 1 + sx]);
        double adv_y = (fn - fs) * dyfi[j];
        double ft = 0.5 * (u[j] + u[j + sz]) * 0.5 * (w[j] + w[j + sx]);
        double fb = 0.5 * (u[j - sz] + u[j]) * 0.5 * (w[j - sz] + w[j - sz + sx]);
        double adv_z = (ft - fb) * dzi;
        double diff = dxi2 * (u[j + sx] - 2.0 * u[j] + u[j - sx]) + dzi2 * (u[j + sz] - 2.0 * u[j] + u[j - sz]);
        pu[j] = -(adv_x + adv_y + adv_z) + diff + f;
      }
      /* w at (i, j, k+1/2) */
      for (long j = 0; j < ny; j++) {
        double fe = 0.5 * (u[j] + u[j + sz]) * 0.5 * (w[j] + w[j + sx]);
        double fw = 0.5 * (u[j - sx] + u[j - sx + sz]) * 0.5 * (w[j - sx] + w[j]);
        double adv_x = (fe - fw) * dxi;
        double fn = 0.5 * (w[j] + w[j + 1]) * 0.5 * (v[j] + v[j + sz]);
        double fs = 0.5 * (w[j - 1] + w[j]) * 0.5 * (v[j - 1] + v[j - 1 + sz]);
        double adv_y = (fn - fs) * dyfi[j];
        double wc_t = 0.5 * (w[j] + w[j + sz]), wc_b = 0.5 * (w[j - sz] + w[j]);
        double adv_z = (wc_t * wc_t - wc_b * wc_b) * dzi;
        double diff = dxi2 * (w[j + sx] - 2.0 * w[j] + w[j - sx]) + dzi2 * (w[j + sz] - 2.0 * w[j] + w[j - sz]);
        pw[j] = -(adv_x + adv_y + adv_z) + diff;
      }
      /* v at (i, j+1/2, k), interior faces j = 0 .. ny-2 */
      for (long j = 0; j < ny - 1; j++) {
        double fe = 0.5 * (u[j] + u[j + 1]) * 0.5 * (v[j] + v[j + sx]);
        double fw = 0.5 * (u[j - sx] + u[j - sx + 1]) * 0.5 * (v[j - sx] + v[j]);
        double adv_x = (fe - fw) * dxi;
        double vc_n = 0.5 * (v[j] + v[j + 1]), vc_s = 0.5 * (v[j - 1] + v[j]);
        double adv_y = (vc_n * vc_n - vc_s * vc_s) * dyci[j];
        double ft = 0.5 * (w[j] + w[j + 1]) * 0.5 * (v[j] + v[j + sz]);
        double fb = 0.5 * (w[j - sz] + w[j - sz + 1]) * 0.5 * (v[j - sz] + v[j]);
        double adv_z = (ft - fb) * dzi;
        double diff = dxi2 * (v[j + sx] - 2.0 * v[j] + v[j - sx]) + dzi2 * (v[j + sz] - 2.0 * v[j] + v[j - sz]);
        pv[j] = -(adv_x + adv_y + adv_z) + diff;
      }
      pv[ny - 1] = 0.0;
    }
  if (ydiff) {
    fc_channel_add_d2y(ch, nu, 0, ch->u, ru);
    fc_channel_add_d2y(ch, nu, 0, ch->w, rw);
    fc_channel_add_d2y(ch, nu, 1, ch->v, rv);
  }
}

/* Initial condition: a mean profile (the laminar parabola, or a turbulent one from
 * Reichardt's law scaled to the same bulk velocity) plus smooth random perturbations that
 * vanish at the walls, made divergence-free by the solver's own projection. The random
 * numbers depend on the seed and the global mode index only: the same field on any rank count. */
#include <math.h>

#include "fc_channel.h"
#include "fc_params.h"

#define NMODE 4

/* Reichardt's law of the wall, U+(y+). */
static double reichardt(double yp)
{
  const double kappa = 0.41;
  return log(1.0 + kappa * yp) / kappa + 7.8 * (1.0 - exp(-yp / 11.0) - yp / 11.0 * exp(-yp / 3.0));
}

double fc_channel_dean_re_tau(double re_b) { return 0.09 * pow(re_b, 0.88); }

fc_err fc_channel_init_profile(fc_channel *ch, int turbulent, double ub, double amp, unsigned long long seed)
{
  const long ny = ch->ny;
  const double ly = ch->c.ly, *yc = ch->yc + 1, *dyf = ch->dyf + 1;
  double prof[ny], sum = 0.0;
  /* Re_tau of the turbulent profile from Dean's correlation, Re_tau = 0.09 Re_b^0.88 (Re_b on 2h) */
  double re_tau = fc_channel_dean_re_tau(ub * ly / ch->c.nu);
  for (long j = 0; j < ny; j++) {
    double eta = yc[j] / ly;
    double yw = fmin(yc[j], ly - yc[j]) / (0.5 * ly);
    prof[j] = turbulent ? reichardt(yw * re_tau) : 6.0 * eta * (1.0 - eta);
    sum += prof[j] * dyf[j];
  }
  double scale = ub * ly / sum;
  /* random modes: amplitude and phase per (component, kx, kz) */
  double a[3][NMODE][NMODE], ph[3][NMODE][NMODE];
  for (int c = 0; c < 3; c++)
    for (int m = 0; m < NMODE; m++)
      for (int n = 0; n < NMODE; n++) {
        unsigned long long id = (unsigned long long)((c * NMODE + m) * NMODE + n);
        a[c][m][n] = fc_rng_normal(seed, 7, id);
        ph[c][m][n] = 2.0 * M_PI * fc_rng_uniform(seed, 8, id);
      }
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ny; j++) {
        long q = FC_CH_IDX(ch, i, k, j);
        double x = (double)(ch->x0 + i) * ch->dx, z = (double)k * ch->dz;
        double eta = yc[j] / ly, g = 4.0 * eta * (1.0 - eta);
        double pert[3] = {0, 0, 0};
        for (int c = 0; c < 3; c++)
          for (int m = 0; m < NMODE; m++)
            for (int n = 0; n < NMODE; n++)
              pert[c] += a[c][m][n] * cos(2.0 * M_PI * ((m + 1) * x / ch->c.lx + (n + 1) * z / ch->c.lz) +
                                          ph[c][m][n] + 3.0 * M_PI * eta * (c + 1));
        double s = amp * ub * g / NMODE;
        ch->u[q] = scale * prof[j] + s * pert[0];
        ch->v[q] = s * pert[1];
        ch->w[q] = s * pert[2];
        ch->p[q] = 0.0;
      }
  FcCall(fc_channel_halo_velocity(ch));
  /* project: lap phi = div u, u -= grad phi */
  fc_channel_divergence(ch, ch->u, ch->v, ch->w, ch->p);
  FcCall(fc_channel_poisson_solve(ch, ch->p));
  FcCall(fc_channel_halo(ch, ch->p));
  fc_channel_correct(ch, 1.0, ch->p);
  for (long q = 0; q < ch->nloc; q++) ch->p[q] = 0.0;
  /* the perturbations carry no net flow: restore the bulk velocity exactly */
  FcCall(fc_channel_set_bulk(ch, ub));
  FcCall(fc_channel_halo_velocity(ch));
  return FC_SUCCESS;
}

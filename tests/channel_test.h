/* Helpers shared by the channel solver's tests (tests/test_channel*.c). */
#ifndef FC_CHANNEL_TEST_H
#define FC_CHANNEL_TEST_H

#include <math.h>

#include "fc_channel.h"
#include "fc_test.h"

/* A 2 pi x 2 x pi box, stretched y, DNS, pressure-gradient drive with no force, implicit y. */
static inline fc_channel_config fc_channel_test_config(long nx, long ny, long nz)
{
  fc_channel_config c = {.nx = nx, .ny = ny, .nz = nz, .lx = 2.0 * M_PI, .ly = 2.0, .lz = M_PI, .stretch = 1.8,
                         .nu = 1e-2, .drive = FC_DRIVE_PRESSURE_GRADIENT, .dpdx = 0.0, .bulk_velocity = 1.0,
                         .sgs = FC_SGS_NONE, .cs = 0.1, .aplus = 26.0, .cw = 0.325, .implicit_y = 1, .cfl = 0.5};
  return c;
}

/* An analytic velocity: component comp (0 u, 1 v, 2 w) at (x, y, z). */
typedef double (*fc_velocity_fn)(double x, double y, double z, int comp, const void *ctx);

/* u, v, w at their staggered positions (v = 0 on the top wall face), then the ghosts. */
static inline void fc_channel_test_set_velocity(fc_channel *ch, fc_velocity_fn f, const void *ctx)
{
  const double *yc = ch->yc + 1, *yf = ch->yf + 1;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny; j++) {
        long q = FC_CH_IDX(ch, i, k, j);
        double xc = (ch->x0 + i + 0.5) * ch->dx, xf = xc + 0.5 * ch->dx;
        double zc = (k + 0.5) * ch->dz, zf = zc + 0.5 * ch->dz;
        ch->u[q] = f(xf, yc[j], zc, 0, ctx);
        ch->v[q] = j < ch->ny - 1 ? f(xc, yf[j], zc, 1, ctx) : 0.0;
        ch->w[q] = f(xc, yc[j], zf, 2, ctx);
      }
  FC_TEST_OK(fc_channel_halo_velocity(ch));
}

#endif

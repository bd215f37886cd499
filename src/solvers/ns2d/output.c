/* Output of the 2D Navier-Stokes solver: physical fields, subsampling to the output grid,
 * diagnostics (energy and enstrophy by Parseval, the advective CFL number). */
#include <math.h>
#include <string.h>

#include "fc_ns2d.h"

void fc_ns2d_vorticity(fc_ns2d *s, double *w) { fc_ns2d_inverse(s, s->w_hat, w); }

void fc_ns2d_velocity(fc_ns2d *s, double *u, double *v)
{
  double complex *u_hat = s->n1_hat, *v_hat = s->w1_hat; /* stage scratch, free between steps */
  fc_ns2d_velocity_hat(s, s->w_hat, u_hat, v_hat);
  fc_ns2d_inverse(s, u_hat, u);
  fc_ns2d_inverse(s, v_hat, v);
}

void fc_ns2d_subsample(long n, const double *w, long n_out, double *out)
{
  const long stride = n / n_out;
  for (long i = 0; i < n_out; i++)
    for (long j = 0; j < n_out; j++) out[i * n_out + j] = w[(i * stride) * n + j * stride];
}

void fc_ns2d_diagnostics(fc_ns2d *s, fc_ns2d_diag *d)
{
  const long n = s->n, nh = s->nh;
  /* Parseval on the half spectrum: the planes ky = 0 and ky = n/2 once, the others twice */
  double z = 0, e = 0;
  for (long i = 0; i < n; i++)
    for (long j = 0; j < nh; j++) {
      const long k = i * nh + j;
      const double c = (j == 0 || j == n / 2) ? 1.0 : 2.0, a2 = creal(s->w_hat[k] * conj(s->w_hat[k]));
      z += c * a2;
      if (k) e += c * a2 / s->k2[k];
    }
  const double n4 = (double)s->npts * (double)s->npts;
  d->enstrophy = 0.5 * z / n4;
  d->energy = 0.5 * e / n4;
  /* velocity in physical space: phys[2], phys[3] are free outside the right-hand side */
  double *u = s->phys + 2 * s->npts, *v = s->phys + 3 * s->npts, umax = 0;
  fc_ns2d_velocity(s, u, v);
  for (long p = 0; p < s->npts; p++) umax = fmax(umax, fabs(u[p]) + fabs(v[p]));
  d->cfl = s->c.dt * (double)n * umax;
}

/* Right-hand side of the vorticity equation without diffusion (which the time step treats
 * implicitly):
 *
 *   N(w) = -(u w_x + v w_y) + f,   u = psi_y, v = -psi_x, -lap psi = w.
 *
 * 1. stream function and velocity in spectral space: psi_k = w_k / |2 pi k|^2 (psi_0 = 0),
 *    u_k = i (2 pi ky) psi_k, v_k = -i (2 pi kx) psi_k; the gradient w_x, w_y likewise.
 *    First derivatives of the Nyquist modes are set to zero (their odd derivative has no
 *    real-valued representation on the grid); div u = 0 holds mode by mode.
 * 2. four inverse FFTs (one batched plan), the product u w_x + v w_y in physical space;
 * 3. one forward FFT, the 2/3 rule (coefficients with |kx| or |ky| >= n/3 set to zero),
 *    the sign, and the forcing added.
 * Five FFTs per evaluation; the 1/n^2 of the inverse transform is folded into step 1. */
#include <string.h>

#include "fc_ns2d.h"

/* i a z for real a, in real arithmetic (a complex product would go through the C library's
 * NaN-aware multiplication, __muldc3). */
static inline double complex times_i(double a, double complex z) { return CMPLX(-a * cimag(z), a * creal(z)); }

void fc_ns2d_velocity_hat(const fc_ns2d *s, const double complex *w_hat, double complex *u_hat,
                          double complex *v_hat)
{
  const long n = s->n, nh = s->nh;
  for (long i = 0; i < n; i++)
    for (long j = 0; j < nh; j++) {
      const long k = i * nh + j;
      const double complex psi = k == 0 ? 0.0 : w_hat[k] * (1.0 / s->k2[k]);
      u_hat[k] = times_i(s->kyd[j], psi);
      v_hat[k] = times_i(-s->kxd[i], psi);
    }
}

void fc_ns2d_rhs(fc_ns2d *s, const double complex *w_hat, double complex *r_hat)
{
  const long n = s->n, nh = s->nh, m = s->nspec, np = s->npts;
  const double scale = 1.0 / (double)np;
  double complex *u_hat = s->spec, *v_hat = s->spec + m, *wx_hat = s->spec + 2 * m, *wy_hat = s->spec + 3 * m;

  /* 1. velocity and vorticity gradient, scaled for the inverse transform */
  for (long i = 0; i < n; i++)
    for (long j = 0; j < nh; j++) {
      const long k = i * nh + j;
      const double complex w = scale * w_hat[k], psi = k == 0 ? 0.0 : w * (1.0 / s->k2[k]);
      u_hat[k] = times_i(s->kyd[j], psi);
      v_hat[k] = times_i(-s->kxd[i], psi);
      wx_hat[k] = times_i(s->kxd[i], w);
      wy_hat[k] = times_i(s->kyd[j], w);
    }

  /* 2. to physical space; advection u . grad w point by point */
  fftw_execute(s->c2r4);
  double *u = s->phys, *v = s->phys + np, *wx = s->phys + 2 * np, *wy = s->phys + 3 * np;
  for (long p = 0; p < np; p++) u[p] = u[p] * wx[p] + v[p] * wy[p];

  /* 3. back to spectral space (phys[0] -> spec[0]), dealiased, with the forcing */
  fftw_execute(s->r2c1);
  for (long k = 0; k < m; k++) r_hat[k] = (s->keep[k] ? -s->spec[k] : 0.0) + s->f_hat[k];
}

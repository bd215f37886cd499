/* Initial vorticity of the 2D Navier-Stokes solver: the Gaussian random field of the FNO
 * paper, or a given physical field.
 *
 * The field. A real, zero-mean Gaussian field on the unit torus with covariance operator
 * C e_k = mu_k e_k, e_k = e^{2 pi i k.x}, is
 *     w(x) = sum_k sqrt(mu_k) xi_k e_k(x),   xi_{-k} = conj(xi_k),   E |xi_k|^2 = 1,
 * with xi_k complex (real and imaginary parts N(0, 1/2)) and independent over the pairs
 * {k, -k}, and real N(0, 1) on the self-conjugate modes (each component 0 or n/2). Then
 * E w(x) w(y) = sum_k mu_k e_k(x - y). In FFTW's unnormalised coefficients,
 *     w_hat_k = n^2 sqrt(mu_k) xi_k.
 *
 * The spectrum (FNO generator, random_fields.py GaussianRF(2, n, alpha=2.5, tau=7)):
 * it draws c_k = n^2 s_k (a_k + i b_k), s_k = sqrt(2) sigma lambda_k^(-alpha/2),
 * lambda_k = 4 pi^2 |k|^2 + tau^2, a, b ~ N(0, 1) independent for every k of the full
 * n x n spectrum, c_0 = 0, and keeps the real part of the inverse FFT (which divides by
 * n^2). Each term s_k (a_k cos - b_k sin)(2 pi k.x) has covariance s_k^2 cos 2 pi k.(x - y);
 * summed over k (s_{-k} = s_k) that is sum_k s_k^2 e_k(x - y), so
 *     mu_k = 2 sigma^2 (4 pi^2 |k|^2 + tau^2)^(-alpha),   mu_0 = 0,   sigma = tau^(alpha - 1),
 * which is drawn here (alpha = 2.5, tau = 7: mu_k = 2 * 7^3 (4 pi^2 |k|^2 + 49)^(-2.5); see
 * fc_ns2d.h for how it relates to the paper's N(0, 7^(3/2) (-lap + 49 I)^(-2.5))).
 *
 * Random numbers: xi of the pair {k, -k} comes from fc_rng_normal(seed, stream(sample),
 * index(k)) with k the member of the pair with ky > 0, or ky = 0 and kx > 0: a function of
 * the signed wavenumber only, so a sample is the same on any number of ranks and its modes
 * are the same on every grid that holds them (coarse-grid Nyquist modes excepted). */
#include <math.h>
#include <string.h>

#include "fc_ns2d.h"
#include "fc_rng.h"

fc_ns2d_grf fc_ns2d_grf_default(double alpha, double tau)
{
  fc_ns2d_grf g = {alpha, tau, pow(tau, alpha - 1.0)};
  return g;
}

double fc_ns2d_grf_eigenvalue(const fc_ns2d_grf *g, long kx, long ky)
{
  if (kx == 0 && ky == 0) return 0.0; /* zero mean vorticity */
  const double lambda = 4.0 * M_PI * M_PI * (double)(kx * kx + ky * ky) + g->tau * g->tau;
  return 2.0 * g->sigma * g->sigma * pow(lambda, -g->alpha);
}

/* Stream of a sample: offset by a tag, away from the streams of other users of a seed. */
static unsigned long long grf_stream(unsigned long long sample) { return 0x6e733264677266ULL + sample; /* "ns2dgrf" */ }

/* Counter of the wavenumber (kx, ky), ky >= 0: distinct while ky < 2^24 (n <= 65536 here). */
static unsigned long long grf_index(long kx, long ky)
{
  const unsigned long long zx = kx >= 0 ? 2ULL * (unsigned long long)kx : 2ULL * (unsigned long long)(-kx) - 1ULL;
  return (zx << 24) | (unsigned long long)ky;
}

/* xi of the canonical member (kx, ky) of a pair: complex, E |xi|^2 = 1. */
static double complex xi_complex(unsigned long long seed, unsigned long long stream, long kx, long ky)
{
  const unsigned long long i = grf_index(kx, ky);
  return (fc_rng_normal(seed, stream, 2 * i) + I * fc_rng_normal(seed, stream, 2 * i + 1)) * M_SQRT1_2;
}

void fc_ns2d_set_grf(fc_ns2d *s, const fc_ns2d_grf *g, unsigned long long seed, unsigned long long sample)
{
  const long n = s->n, nh = s->nh, half = n / 2;
  const unsigned long long stream = grf_stream(sample);
  for (long i = 0; i < n; i++) {
    const long kx = i <= half ? i : i - n; /* Nyquist as +n/2 here: its own conjugate */
    for (long j = 0; j < nh; j++) {
      const long ky = j;
      double complex xi;
      if (j > 0 && j < half) xi = xi_complex(seed, stream, kx, ky);  /* the other member is not stored */
      else if (i == 0 || i == half) xi = fc_rng_normal(seed, stream, 2 * grf_index(kx, ky)); /* self-conjugate */
      else if (kx > 0) xi = xi_complex(seed, stream, kx, ky);        /* ky = 0 or n/2: pairs within the plane */
      else xi = conj(xi_complex(seed, stream, -kx, ky));
      s->w_hat[i * nh + j] = (double)n * (double)n * sqrt(fc_ns2d_grf_eigenvalue(g, kx, ky)) * xi;
    }
  }
  s->step = 0;
}

void fc_ns2d_set_vorticity(fc_ns2d *s, const double *w)
{
  fc_ns2d_forward(s, w, s->w_hat);
  s->step = 0;
}

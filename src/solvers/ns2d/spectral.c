/* The spectral grid: wavenumbers, dealiasing mask, Crank-Nicolson factors, forcing and
 * FFTW plans of the 2D Navier-Stokes solver (see fc_ns2d.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fc_ns2d.h"

/* Signed wavenumber of index i on an n-point axis; the Nyquist index n/2 is -n/2 (numpy's
 * and the FNO generator's convention; it only enters squared). */
static long signed_k(long i, long n) { return i < n / 2 ? i : i - n; }

static fc_err allocate(fc_ns2d *s)
{
  const long n = s->n, nh = s->nh, m = s->nspec;
  s->kxd = fftw_malloc(sizeof(double) * (size_t)n);
  s->kyd = fftw_malloc(sizeof(double) * (size_t)nh);
  s->k2 = fftw_malloc(sizeof(double) * (size_t)m);
  s->keep = fftw_malloc((size_t)m);
  s->cn_explicit = fftw_malloc(sizeof(double) * (size_t)m);
  s->cn_implicit = fftw_malloc(sizeof(double) * (size_t)m);
  s->w_hat = fftw_malloc(sizeof(double complex) * (size_t)m);
  s->f_hat = fftw_malloc(sizeof(double complex) * (size_t)m);
  s->w1_hat = fftw_malloc(sizeof(double complex) * (size_t)m);
  s->n0_hat = fftw_malloc(sizeof(double complex) * (size_t)m);
  s->n1_hat = fftw_malloc(sizeof(double complex) * (size_t)m);
  s->spec = fftw_malloc(sizeof(double complex) * (size_t)(4 * m));
  s->phys = fftw_malloc(sizeof(double) * (size_t)(4 * s->npts));
  if (!s->kxd || !s->kyd || !s->k2 || !s->keep || !s->cn_explicit || !s->cn_implicit || !s->w_hat || !s->f_hat ||
      !s->w1_hat || !s->n0_hat || !s->n1_hat || !s->spec || !s->phys)
    FcRaiseLocal(FC_ERR_MEMORY, "ns2d solver on a %ld x %ld grid: cannot allocate its arrays (about %.3g MB)", n, n,
                 (13.0 * (double)m * 16 + 4.0 * (double)s->npts * 8) / 1e6);
  return FC_SUCCESS;
}

/* Derivative wavenumbers, |k|^2, the 2/3-rule mask and the Crank-Nicolson factors. */
static void wavenumbers(fc_ns2d *s)
{
  const long n = s->n, nh = s->nh;
  const double two_pi = 2.0 * M_PI, half_dt_nu = 0.5 * s->c.dt * s->c.nu;
  for (long i = 0; i < n; i++) s->kxd[i] = i == n / 2 ? 0.0 : two_pi * (double)signed_k(i, n);
  for (long j = 0; j < nh; j++) s->kyd[j] = j == n / 2 ? 0.0 : two_pi * (double)j;
  for (long i = 0; i < n; i++) {
    const long kx = signed_k(i, n);
    for (long j = 0; j < nh; j++) {
      const long ky = j, k = i * nh + j;
      s->k2[k] = two_pi * two_pi * (double)(kx * kx + ky * ky);
      /* Orszag's 2/3 rule: keep |kx|, |ky| < n/3, so that products of kept modes alias
         only onto removed ones (for n a power of two: the FNO generator's |k| <= (2/3)(n/2)) */
      s->keep[k] = 3 * labs(kx) < n && 3 * ky < n;
      s->cn_explicit[k] = 1.0 - half_dt_nu * s->k2[k];
      s->cn_implicit[k] = 1.0 / (1.0 + half_dt_nu * s->k2[k]);
    }
  }
}

/* FFTW plans on the scratch arrays, always executed on them. FFTW_MEASURE overwrites the
 * arrays it plans on: planning happens before any state is set. */
static fc_err plan(fc_ns2d *s)
{
  const int n[2] = {(int)s->n, (int)s->n};
  const unsigned flags = s->c.fftw_measure ? FFTW_MEASURE : FFTW_ESTIMATE;
  s->c2r4 = fftw_plan_many_dft_c2r(2, n, 4, (fftw_complex *)s->spec, NULL, 1, (int)s->nspec, s->phys, NULL, 1,
                                   (int)s->npts, flags);
  s->c2r1 = fftw_plan_dft_c2r_2d(n[0], n[1], (fftw_complex *)s->spec, s->phys, flags);
  s->r2c1 = fftw_plan_dft_r2c_2d(n[0], n[1], s->phys, (fftw_complex *)s->spec, flags);
  if (!s->c2r4 || !s->c2r1 || !s->r2c1)
    FcRaiseLocal(FC_ERR_LIBRARY, "FFTW could not plan the %ld x %ld transforms of the ns2d solver", s->n, s->n);
  return FC_SUCCESS;
}

/* f = A (sin 2 pi (x + y) + cos 2 pi (x + y)) on the grid x_i = i / n, transformed. */
static void forcing(fc_ns2d *s)
{
  const long n = s->n;
  double *f = s->phys;
  for (long i = 0; i < n; i++)
    for (long j = 0; j < n; j++) {
      const double a = 2.0 * M_PI * (double)(i + j) / (double)n;
      f[i * n + j] = s->c.forcing * (sin(a) + cos(a));
    }
  fc_ns2d_forward(s, f, s->f_hat);
}

fc_err fc_ns2d_create(const fc_ns2d_config *c, fc_ns2d **sp)
{
  if (c->n < 4 || c->n % 2 || c->n > 65536)
    FcRaiseLocal(FC_ERR_INPUT, "ns2d solver: grid size %ld: expected an even number in [4, 65536]", c->n);
  if (!(c->dt > 0) || !(c->nu >= 0) || !isfinite(c->dt) || !isfinite(c->nu) || !isfinite(c->forcing))
    FcRaiseLocal(FC_ERR_INPUT, "ns2d solver: dt = %g, nu = %g, forcing = %g: expected dt > 0, nu >= 0, finite",
                 c->dt, c->nu, c->forcing);
  fc_ns2d *s;
  FcCall(FcMalloc(1, &s));
  s->c = *c;
  s->n = c->n;
  s->nh = c->n / 2 + 1;
  s->npts = s->n * s->n;
  s->nspec = s->n * s->nh;
  fc_err e = allocate(s);
  if (!e) e = plan(s);
  if (e) {
    fc_ns2d_destroy(&s);
    return e;
  }
  wavenumbers(s);
  forcing(s);
  memset(s->w_hat, 0, sizeof(double complex) * (size_t)s->nspec);
  s->step = 0;
  *sp = s;
  return FC_SUCCESS;
}

fc_err fc_ns2d_destroy(fc_ns2d **sp)
{
  if (!sp || !*sp) return FC_SUCCESS;
  fc_ns2d *s = *sp;
  if (s->c2r4) fftw_destroy_plan(s->c2r4);
  if (s->c2r1) fftw_destroy_plan(s->c2r1);
  if (s->r2c1) fftw_destroy_plan(s->r2c1);
  void *arrays[] = {s->kxd,    s->kyd,    s->k2,     s->keep,   s->cn_explicit, s->cn_implicit, s->w_hat,
                    s->f_hat,  s->w1_hat, s->n0_hat, s->n1_hat, s->spec,        s->phys};
  for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) fftw_free(arrays[i]);
  free(s);
  *sp = NULL;
  return FC_SUCCESS;
}

double fc_ns2d_time(const fc_ns2d *s) { return (double)s->step * s->c.dt; }

void fc_ns2d_forward(fc_ns2d *s, const double *w, double complex *w_hat)
{
  /* through the planned arrays: callers' arrays need not have FFTW's alignment */
  if (w != s->phys) memcpy(s->phys, w, sizeof(double) * (size_t)s->npts);
  fftw_execute(s->r2c1);
  memcpy(w_hat, s->spec, sizeof(double complex) * (size_t)s->nspec);
}

void fc_ns2d_inverse(fc_ns2d *s, const double complex *w_hat, double *w)
{
  const double scale = 1.0 / (double)s->npts;
  for (long k = 0; k < s->nspec; k++) s->spec[k] = scale * w_hat[k]; /* c2r overwrites its input */
  fftw_execute(s->c2r1);
  if (w != s->phys) memcpy(w, s->phys, sizeof(double) * (size_t)s->npts);
}

/* 2D incompressible Navier-Stokes in vorticity form on the unit torus [0, 1)^2: the
 * benchmark of the FNO paper (Li et al., ICLR 2021; /work/shared/specs/fno.md).
 *
 *   dw/dt + u . grad w = nu lap w + f,    u = (psi_y, -psi_x),    -lap psi = w,
 *   f(x, y) = A (sin 2 pi (x + y) + cos 2 pi (x + y))          (A = 0.1 in the paper)
 *
 * Pseudo-spectral in double precision with serial FFTW plans (one solver per process:
 * every MPI rank integrates its own trajectories). One file per step of the algorithm:
 *
 *   spectral.c  the grid and its wavenumbers, the dealiasing mask, FFTW plans (create/destroy)
 *   initial.c   initial vorticity: the Gaussian random field of the paper, or a given field
 *   rhs.c       right-hand side: stream function, velocity, u . grad w in physical space,
 *               2/3-rule dealiasing, forcing
 *   step.c      one time step: Crank-Nicolson for diffusion, Heun (RK2) for the rest
 *   output.c    physical vorticity and velocity, subsampling to the output grid, diagnostics
 *
 * Spectral layout: FFTW's r2c half spectrum of the [n][n] physical array (x slowest, as
 * flowcast's fields), w_hat[ix * nh + iy], nh = n/2 + 1, with kx = ix (ix <= n/2) or
 * ix - n, ky = iy. Coefficients are FFTW's unnormalised DFT: w_hat = sum_x w e^{-2 pi i k.x},
 * w = (1/n^2) sum_k w_hat e^{2 pi i k.x}.
 *
 *   fc_ns2d *s;
 *   fc_ns2d_create(&(fc_ns2d_config){.n = 256, .nu = 1e-3, .dt = 1e-4, .forcing = 0.1}, &s);
 *   fc_ns2d_set_grf(s, &grf, seed, sample);      w(0) ~ N(0, C)
 *   fc_ns2d_advance(s, 10000);                   t = 1
 *   fc_ns2d_vorticity(s, w);                     [n][n] physical
 *   fc_ns2d_destroy(&s);
 */
#ifndef FC_NS2D_H
#define FC_NS2D_H

#include <complex.h>
#include <fftw3.h>

#include "fc_error.h"

typedef enum {
  FC_NS2D_HEUN_CN = 0, /* Heun (RK2) for advection + forcing, Crank-Nicolson for diffusion: 2nd order */
  FC_NS2D_EULER_CN = 1 /* forward Euler + Crank-Nicolson: the step of the FNO generator (ns_2d.py), 1st order */
} fc_ns2d_scheme;

typedef struct {
  long n;                /* grid points per axis (even, >= 4) */
  double nu;             /* kinematic viscosity (>= 0) */
  double dt;             /* time step (> 0) */
  double forcing;        /* amplitude A of f */
  fc_ns2d_scheme scheme; /* FC_NS2D_HEUN_CN (0, the default) or FC_NS2D_EULER_CN */
  int fftw_measure;      /* 0: FFTW_ESTIMATE (plans, hence round-off, fixed: bitwise reproducible);
                            1: FFTW_MEASURE (faster plans, chosen by timing) */
} fc_ns2d_config;

/* The solver: its arrays are public for tests and diagnostics; change them only through
 * the functions below. */
typedef struct {
  fc_ns2d_config c;
  long n, nh;            /* n, n/2 + 1 */
  long npts, nspec;      /* n * n physical points, n * nh spectral coefficients */
  double *kxd, *kyd;     /* [n], [nh] 2 pi kx, 2 pi ky for first derivatives (0 on the Nyquist mode) */
  double *k2;            /* [nspec] |2 pi k|^2 (the eigenvalue of -lap) */
  unsigned char *keep;   /* [nspec] 1 where the nonlinear term is kept (|kx|, |ky| < n/3) */
  double *cn_explicit;   /* [nspec] 1 - dt nu k2 / 2 */
  double *cn_implicit;   /* [nspec] 1 / (1 + dt nu k2 / 2) */
  double complex *w_hat; /* [nspec] the state: vorticity coefficients */
  double complex *f_hat; /* [nspec] forcing coefficients */
  double complex *w1_hat, *n0_hat, *n1_hat; /* [nspec] predictor, right-hand sides of the two stages */
  double complex *spec;  /* [4][nspec] scratch spectra (inputs of the inverse transforms) */
  double *phys;          /* [4][npts] scratch physical fields: u, v, w_x, w_y */
  fftw_plan c2r4;        /* four inverse transforms at once: spec -> phys */
  fftw_plan c2r1, r2c1;  /* one inverse (spec -> phys), one forward (phys -> spec) */
  long step;             /* steps taken since the initial condition; t = step * dt */
} fc_ns2d;

/* ---- spectral.c ------------------------------------------------------------------------ */
/* Allocates the arrays, fills the wavenumbers, mask and Crank-Nicolson factors, plans the
 * transforms and sets w = 0. Errors are local (bad configuration: FC_ERR_INPUT; memory;
 * FFTW planning: FC_ERR_LIBRARY). */
fc_err fc_ns2d_create(const fc_ns2d_config *c, fc_ns2d **s);
fc_err fc_ns2d_destroy(fc_ns2d **s);
double fc_ns2d_time(const fc_ns2d *s);
/* w_hat = r2c(w) of a physical [n][n] array (w is not modified). */
void fc_ns2d_forward(fc_ns2d *s, const double *w, double complex *w_hat);
/* w = c2r(w_hat) / n^2 (w_hat is not modified). */
void fc_ns2d_inverse(fc_ns2d *s, const double complex *w_hat, double *w);

/* ---- initial.c --------------------------------------------------------------------------- */
/* The Gaussian random field of the FNO generator (random_fields.py, GaussianRF(2, n,
 * alpha, tau)): covariance eigenvalues on e^{2 pi i k.x}
 *     mu_k = 2 sigma^2 (4 pi^2 |k|^2 + tau^2)^(-alpha),  mu_0 = 0 (zero mean vorticity),
 * sigma = tau^(alpha - 1) by default (the generator's tau^((2 alpha - d)/2), d = 2).
 * The paper writes N(0, 7^(3/2) (-lap + 49 I)^(-2.5)); the generator its data came from
 * draws 2 (7^(3/2))^2 (-lap + 49 I)^(-2.5): sigma = 7^(3/2) is its standard deviation
 * scale, and the real part of a complex field with unit-variance real and imaginary parts
 * doubles the covariance once more. flowcast draws that same distribution. */
typedef struct {
  double alpha, tau, sigma;
} fc_ns2d_grf;

/* alpha, tau and the generator's sigma = tau^(alpha - 1). */
fc_ns2d_grf fc_ns2d_grf_default(double alpha, double tau);
/* mu_k for the integer wavenumber (kx, ky). */
double fc_ns2d_grf_eigenvalue(const fc_ns2d_grf *g, long kx, long ky);
/* w(0) = sample `sample` of the field under `seed` (step = 0). Coefficients come from the
 * counter-based RNG of fc_rng.h keyed by the signed wavenumber, so a sample does not
 * depend on the rank count, and the same (seed, sample) on a finer grid has the same
 * coefficients on the modes both grids hold (except the coarse grid's Nyquist modes). */
void fc_ns2d_set_grf(fc_ns2d *s, const fc_ns2d_grf *g, unsigned long long seed, unsigned long long sample);
/* w(0) = a physical [n][n] field (step = 0). */
void fc_ns2d_set_vorticity(fc_ns2d *s, const double *w);

/* ---- rhs.c ------------------------------------------------------------------------------ */
/* Velocity spectra from vorticity: psi = w / |2 pi k|^2, u = d psi/dy, v = -d psi/dx. */
void fc_ns2d_velocity_hat(const fc_ns2d *s, const double complex *w_hat, double complex *u_hat,
                          double complex *v_hat);
/* r_hat = keep * FFT(-(u w_x + v w_y)) + f_hat for the vorticity w_hat. */
void fc_ns2d_rhs(fc_ns2d *s, const double complex *w_hat, double complex *r_hat);

/* ---- step.c ------------------------------------------------------------------------------ */
/* One step of c.scheme; fc_ns2d_advance takes nsteps of them. */
void fc_ns2d_step(fc_ns2d *s);
void fc_ns2d_advance(fc_ns2d *s, long nsteps);

/* ---- output.c --------------------------------------------------------------------------- */
/* Physical vorticity [n][n]. */
void fc_ns2d_vorticity(fc_ns2d *s, double *w);
/* Physical velocity components [n][n] each. */
void fc_ns2d_velocity(fc_ns2d *s, double *u, double *v);
/* out[i][j] = w[i * stride][j * stride], stride = n / n_out: the output grid's points are
 * solver grid points (no filtering, as the FNO data's 256 -> 64 downsampling). */
void fc_ns2d_subsample(long n, const double *w, long n_out, double *out);

typedef struct {
  double energy;    /* mean |u|^2 / 2 over the torus */
  double enstrophy; /* mean w^2 / 2 */
  double cfl;       /* dt n max(|u| + |v|): the advective Courant number */
} fc_ns2d_diag;

void fc_ns2d_diagnostics(fc_ns2d *s, fc_ns2d_diag *d);

#endif

/* The 2D Navier-Stokes solver (src/solvers/ns2d) and its job's keys.
 *
 *   exact solutions: single-mode (Taylor-Green) vorticity decays as exp(-2 nu k^2 t): equal
 *     to Crank-Nicolson's amplification to round-off, to exp(...) within CN's error; the
 *     forced single mode approaches f / (nu |k|^2); the advection term of a two-mode field
 *     against its closed form (signs of u, v and of u . grad w);
 *   time-step convergence of a random-field run at dt, dt/2, dt/4: observed order 2 for
 *     Heun + CN, 1 for Euler + CN (the FNO generator's step);
 *   the velocity is divergence-free and its curl is the vorticity, to round-off;
 *   the Gaussian random field: zero mean mode, Hermitian, mean spectrum = the covariance's
 *     eigenvalues, variance, the same sample on every rank and on a finer grid;
 *   the job refuses bad keys (in-process; tests/ns2d.cmake runs the command line). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_case.h"
#include "fc_jobs.h"
#include "fc_ns2d.h"
#include "fc_test.h"

static fc_ns2d *make(long n, double nu, double dt, double forcing, fc_ns2d_scheme scheme)
{
  fc_ns2d_config c = {.n = n, .nu = nu, .dt = dt, .forcing = forcing, .scheme = scheme, .fftw_measure = 0};
  fc_ns2d *s = NULL;
  FC_TEST_OK(fc_ns2d_create(&c, &s));
  return s;
}


/* ---- exact solutions ------------------------------------------------------------------- */

/* w0 = 2 k cos(k x) cos(k y), k = 2 pi: an eigenfunction of the Laplacian (eigenvalue
 * -2 k^2) whose stream function is proportional to it, so u . grad w = 0 and
 * w(t) = exp(-2 nu k^2 t) w0. With no nonlinear term Heun + CN is Crank-Nicolson:
 * w_n = g^n w0, g = (1 - a) / (1 + a), a = dt nu k^2. Tolerances: 1e-12 (relative, max
 * norm) against g^n; against the exact exponential, CN's error g^n - e^{-lambda t}
 * (lambda = 2 nu k^2; about (lambda dt)^2 lambda t / 12 = 4.1e-8 here) plus 1e-12. */
static void test_taylor_green(void)
{
  const long n = 32, nsteps = 1000;
  const double nu = 0.01, dt = 1e-3, k = 2 * M_PI, lambda = 2 * nu * k * k;
  fc_ns2d *s = make(n, nu, dt, 0.0, FC_NS2D_HEUN_CN);
  double *w0 = malloc(sizeof(double) * n * n), *w = malloc(sizeof(double) * n * n);
  for (long i = 0; i < n; i++)
    for (long j = 0; j < n; j++) w0[i * n + j] = 2 * k * cos(k * i / (double)n) * cos(k * j / (double)n);
  fc_ns2d_set_vorticity(s, w0);
  /* the nonlinear term vanishes to round-off */
  fc_ns2d_rhs(s, s->w_hat, s->n0_hat);
  double rmax = 0;
  for (long m = 0; m < s->nspec; m++) rmax = fmax(rmax, cabs(s->n0_hat[m]));
  /* each product u w_x, v w_y is of size |u| |grad w| = 1 * 2 k^2 */
  printf("\n    Taylor-Green: max |u . grad w| = %.2e (products of size %.3g)", rmax / (double)(n * n), 2 * k * k);
  CU_ASSERT(rmax / (double)(n * n) < 1e-13 * 2 * k * k);
  fc_ns2d_advance(s, nsteps);
  fc_ns2d_vorticity(s, w);
  const double t = fc_ns2d_time(s), a = dt * nu * k * k, g = pow((1 - a) / (1 + a), (double)nsteps),
               exact = exp(-lambda * t);
  double err_cn = 0, err_exact = 0;
  for (long p = 0; p < n * n; p++) {
    err_cn = fmax(err_cn, fabs(w[p] - g * w0[p]));
    err_exact = fmax(err_exact, fabs(w[p] - exact * w0[p]));
  }
  err_cn /= 2 * k * g;
  err_exact /= 2 * k * exact;
  const double cn_error = fabs(g / exact - 1);
  printf("\n    Taylor-Green t = %g: error vs CN amplification %.2e, vs exp(-2 nu k^2 t) %.3e (CN's own %.3e)\n", t,
         err_cn, err_exact, cn_error);
  CU_ASSERT(err_cn < 1e-12);
  CU_ASSERT(err_exact < cn_error + 1e-12);
  CU_ASSERT(cn_error < 5e-8);
  free(w0);
  free(w);
  fc_ns2d_destroy(&s);
}

/* From rest, the forcing f = A (sin + cos)(2 pi (x + y)) (one shell |k|^2 = 8 pi^2, so no
 * advection) drives w = f / (nu kappa) (1 - e^{-nu kappa t}), kappa = 8 pi^2. The scheme:
 * w_n = w_inf (1 - g^n) exactly (Heun averages a constant source). */
static void test_forced_mode(void)
{
  const long n = 16, nsteps = 400;
  const double nu = 0.05, dt = 5e-3, A = 0.1, kappa = 8 * M_PI * M_PI;
  fc_ns2d *s = make(n, nu, dt, A, FC_NS2D_HEUN_CN);
  double *w = malloc(sizeof(double) * n * n);
  fc_ns2d_advance(s, nsteps); /* w(0) = 0 after create */
  fc_ns2d_vorticity(s, w);
  const double a = 0.5 * dt * nu * kappa, g = pow((1 - a) / (1 + a), (double)nsteps),
               t = fc_ns2d_time(s), winf = A / (nu * kappa);
  double err_cn = 0, err_exact = 0;
  for (long i = 0; i < n; i++)
    for (long j = 0; j < n; j++) {
      const double ph = 2 * M_PI * (i + j) / (double)n, f = sin(ph) + cos(ph);
      err_cn = fmax(err_cn, fabs(w[i * n + j] - winf * (1 - g) * f));
      err_exact = fmax(err_exact, fabs(w[i * n + j] - winf * (1 - exp(-nu * kappa * t)) * f));
    }
  printf("    forced mode t = %g: error vs scheme %.2e, vs exact %.2e (of %.3g)\n", t, err_cn / winf, err_exact / winf,
         1 - exp(-nu * kappa * t));
  CU_ASSERT(err_cn / winf < 1e-13);
  CU_ASSERT(err_exact / winf < 1e-5);
  free(w);
  fc_ns2d_destroy(&s);
}

/* w = sin(2 pi x) + cos(4 pi y): psi = sin(2 pi x) / (4 pi^2) + cos(4 pi y) / (16 pi^2),
 * u = psi_y = -sin(4 pi y) / (4 pi), v = -psi_x = -cos(2 pi x) / (2 pi), and
 * u w_x + v w_y = 1.5 cos(2 pi x) sin(4 pi y): the right-hand side is its negative. */
static void test_advection_term(void)
{
  const long n = 16;
  fc_ns2d *s = make(n, 0.0, 1e-3, 0.0, FC_NS2D_HEUN_CN);
  double *w = malloc(sizeof(double) * n * n), *r = malloc(sizeof(double) * n * n),
         *u = malloc(sizeof(double) * n * n), *v = malloc(sizeof(double) * n * n);
  for (long i = 0; i < n; i++)
    for (long j = 0; j < n; j++) w[i * n + j] = sin(2 * M_PI * i / (double)n) + cos(4 * M_PI * j / (double)n);
  fc_ns2d_set_vorticity(s, w);
  fc_ns2d_velocity(s, u, v);
  fc_ns2d_rhs(s, s->w_hat, s->n0_hat);
  fc_ns2d_inverse(s, s->n0_hat, r);
  double eu = 0, ev = 0, er = 0;
  for (long i = 0; i < n; i++)
    for (long j = 0; j < n; j++) {
      const double x = i / (double)n, y = j / (double)n;
      eu = fmax(eu, fabs(u[i * n + j] + sin(4 * M_PI * y) / (4 * M_PI)));
      ev = fmax(ev, fabs(v[i * n + j] + cos(2 * M_PI * x) / (2 * M_PI)));
      er = fmax(er, fabs(r[i * n + j] + 1.5 * cos(2 * M_PI * x) * sin(4 * M_PI * y)));
    }
  CU_ASSERT(eu < 1e-15 && ev < 1e-15);
  CU_ASSERT(er < 1e-14);
  free(w);
  free(r);
  free(u);
  free(v);
  fc_ns2d_destroy(&s);
}

/* ---- time-step convergence -------------------------------------------------------------- */

/* Vorticity at t_end from sample 3 of a strong random field (sigma x 10: rms w ~ 2, so that
 * advection, not the forcing, dominates), n = 32, nu = 1e-3, forcing 0.1. */
static void run_to(long n, double dt, double t_end, fc_ns2d_scheme scheme, double *w)
{
  fc_ns2d *s = make(n, 1e-3, dt, 0.1, scheme);
  fc_ns2d_grf g = fc_ns2d_grf_default(2.5, 7.0);
  g.sigma *= 10;
  fc_ns2d_set_grf(s, &g, 11, 3);
  fc_ns2d_advance(s, (long)llround(t_end / dt));
  fc_ns2d_vorticity(s, w);
  fc_ns2d_destroy(&s);
}

static double observed_order(fc_ns2d_scheme scheme, double dt, double t_end, double *cfl_out)
{
  const long n = 32, np = n * n;
  double *w[3];
  for (int r = 0; r < 3; r++) {
    w[r] = malloc(sizeof(double) * np);
    run_to(n, dt / (1 << r), t_end, scheme, w[r]);
  }
  double e01 = 0, e12 = 0;
  for (long p = 0; p < np; p++) {
    e01 += (w[0][p] - w[1][p]) * (w[0][p] - w[1][p]);
    e12 += (w[1][p] - w[2][p]) * (w[1][p] - w[2][p]);
  }
  const double order = log2(sqrt(e01 / e12));
  /* the advective Courant number of the coarsest run (at t_end) */
  fc_ns2d *s = make(n, 1e-3, dt, 0.1, scheme);
  fc_ns2d_set_vorticity(s, w[0]);
  fc_ns2d_diag d;
  fc_ns2d_diagnostics(s, &d);
  *cfl_out = d.cfl;
  fc_ns2d_destroy(&s);
  printf("    %s: |w(dt) - w(dt/2)| = %.3e, |w(dt/2) - w(dt/4)| = %.3e (rms of |w| %.3g): order %.3f, Courant %.2f\n",
         scheme == FC_NS2D_HEUN_CN ? "Heun + CN " : "Euler + CN", sqrt(e01 / np), sqrt(e12 / np),
         sqrt(d.enstrophy * 2), order, d.cfl);
  for (int r = 0; r < 3; r++) free(w[r]);
  return order;
}

static void test_time_convergence(void)
{
  double cfl;
  const double p2 = observed_order(FC_NS2D_HEUN_CN, 0.02, 1.0, &cfl);
  CU_ASSERT(fabs(p2 - 2.0) < 0.1);
  CU_ASSERT(cfl > 0.1); /* a test with real advection */
  const double p1 = observed_order(FC_NS2D_EULER_CN, 0.0025, 1.0, &cfl);
  CU_ASSERT(fabs(p1 - 1.0) < 0.1);
}

/* ---- velocity ----------------------------------------------------------------------------- */

/* After some steps of a random field: div u = 0 and curl u = w, computed spectrally from the
 * physical velocity, to round-off (relative to |grad u| and |w|). */
static void test_divergence_free(void)
{
  const long n = 64;
  fc_ns2d *s = make(n, 1e-3, 5e-3, 0.1, FC_NS2D_HEUN_CN);
  fc_ns2d_grf g = fc_ns2d_grf_default(2.5, 7.0);
  fc_ns2d_set_grf(s, &g, 5, 0);
  fc_ns2d_advance(s, 50);
  double *u = malloc(sizeof(double) * n * n), *v = malloc(sizeof(double) * n * n);
  double complex *uh = malloc(sizeof(double complex) * s->nspec), *vh = malloc(sizeof(double complex) * s->nspec);
  fc_ns2d_velocity(s, u, v);
  fc_ns2d_forward(s, u, uh);
  fc_ns2d_forward(s, v, vh);
  double div = 0, grad = 0, curl_err = 0, wmax = 0;
  for (long i = 0; i < n; i++)
    for (long j = 0; j < s->nh; j++) {
      const long k = i * s->nh + j;
      const double complex ux = I * s->kxd[i] * uh[k], vy = I * s->kyd[j] * vh[k];
      div = fmax(div, cabs(ux + vy));
      grad = fmax(grad, fmax(cabs(ux), cabs(vy)));
      if (k == 0 || i == n / 2 || j == n / 2) continue; /* no first derivative there */
      curl_err = fmax(curl_err, cabs(I * s->kxd[i] * vh[k] - I * s->kyd[j] * uh[k] - s->w_hat[k]));
      wmax = fmax(wmax, cabs(s->w_hat[k]));
    }
  printf("    max |div u_k| / max |grad u_k| = %.2e, max |curl u_k - w_k| / max |w_k| = %.2e\n", div / grad,
         curl_err / wmax);
  CU_ASSERT(div / grad < 1e-13);
  CU_ASSERT(curl_err / wmax < 1e-13);
  free(u);
  free(v);
  free(uh);
  free(vh);
  fc_ns2d_destroy(&s);
}

/* ---- Gaussian random field ----------------------------------------------------------------- */

/* Structure of one sample: w_0 = 0, Hermitian on the planes ky = 0 and n/2 (a real field:
 * forward(inverse(w_hat)) = w_hat), real self-conjugate modes. */
static void test_grf_structure(void)
{
  const long n = 32, nh = n / 2 + 1;
  fc_ns2d *s = make(n, 1e-3, 1e-3, 0.1, FC_NS2D_HEUN_CN);
  fc_ns2d_grf g = fc_ns2d_grf_default(2.5, 7.0);
  CU_ASSERT_DOUBLE_EQUAL(g.sigma, pow(7.0, 1.5), 1e-12);
  fc_ns2d_set_grf(s, &g, 42, 7);
  CU_ASSERT(s->w_hat[0] == 0.0);
  double *w = malloc(sizeof(double) * n * n);
  double complex *back = malloc(sizeof(double complex) * s->nspec);
  fc_ns2d_vorticity(s, w);
  fc_ns2d_forward(s, w, back);
  double err = 0, scale = 0;
  for (long k = 0; k < s->nspec; k++) {
    err = fmax(err, cabs(back[k] - s->w_hat[k]));
    scale = fmax(scale, cabs(s->w_hat[k]));
  }
  CU_ASSERT(err / scale < 1e-14);
  for (long i = 1; i < n; i++)
    for (long j = 0; j < nh; j += n / 2)
      CU_ASSERT(s->w_hat[i * nh + j] == conj(s->w_hat[(n - i) * nh + j]));
  CU_ASSERT(cimag(s->w_hat[(n / 2) * nh]) == 0 && cimag(s->w_hat[n / 2]) == 0);
  free(w);
  free(back);
  fc_ns2d_destroy(&s);
}

/* The mean of |w_hat_k|^2 / n^4 over M samples estimates mu_k: per |k| shell (relative
 * standard error 1/sqrt(M * modes), asserted within 5 of them), over all modes (within
 * 0.02), and the mean of w^2 over the points estimates sum_k mu_k. */
static void test_grf_spectrum(void)
{
  const long n = 32, nh = n / 2 + 1, M = 128, nshell = n / 2;
  fc_ns2d *s = make(n, 1e-3, 1e-3, 0.1, FC_NS2D_HEUN_CN);
  fc_ns2d_grf g = fc_ns2d_grf_default(2.5, 7.0);
  double *w = malloc(sizeof(double) * n * n);
  double ratio_shell[16] = {0}, count_shell[16] = {0}, ratio_all = 0, count_all = 0, var = 0, var_exact = 0;
  for (long i = 0; i < n; i++)
    for (long j = 0; j < n; j++)
      var_exact += fc_ns2d_grf_eigenvalue(&g, i <= n / 2 ? i : i - n, j <= n / 2 ? j : j - n);
  for (long m = 0; m < M; m++) {
    fc_ns2d_set_grf(s, &g, 1234, (unsigned long long)m);
    for (long i = 0; i < n; i++)
      for (long j = 0; j < nh; j++) {
        const long kx = i <= n / 2 ? i : i - n, ky = j, k = i * nh + j;
        if (!kx && !ky) continue;
        const double r =
            creal(s->w_hat[k] * conj(s->w_hat[k])) / pow((double)n, 4) / fc_ns2d_grf_eigenvalue(&g, kx, ky);
        const long sh = lround(sqrt((double)(kx * kx + ky * ky)));
        if (sh < nshell) {
          ratio_shell[sh] += r;
          count_shell[sh] += 1;
        }
        ratio_all += r;
        count_all += 1;
      }
    fc_ns2d_vorticity(s, w);
    for (long p = 0; p < n * n; p++) var += w[p] * w[p] / (double)(n * n * M);
  }
  int bad = 0;
  for (long sh = 1; sh < nshell; sh++) {
    const double mean = ratio_shell[sh] / count_shell[sh], se = 1.0 / sqrt(count_shell[sh]);
    if (fabs(mean - 1) > 5 * se) {
      bad++;
      printf("    shell |k| = %ld: mean |w_k|^2 / mu_k = %.4f (standard error %.4f)\n", sh, mean, se);
    }
  }
  printf("    spectrum over %ld samples: mean |w_k|^2 / (n^4 mu_k) = %.4f over %.0f modes; "
         "mean w^2 = %.5f, sum mu_k = %.5f\n",
         M, ratio_all / count_all, count_all / M, var, var_exact);
  CU_ASSERT(bad == 0);
  CU_ASSERT(fabs(ratio_all / count_all - 1) < 0.02);
  /* the variance is dominated by the 4 + 4 modes of |k| = 1 and sqrt 2: about 10% standard error */
  CU_ASSERT(fabs(var / var_exact - 1) < 0.35);
  free(w);
  fc_ns2d_destroy(&s);
}

/* Sample s is a pure function of (seed, s): rank 1 draws it, rank 0 draws it too, equal
 * bit for bit (at one rank: two draws); other samples and seeds differ; on a grid twice as
 * fine, the modes both grids hold (Nyquist excepted) are the same. */
static void test_grf_ranks_and_grids(void)
{
  const long n = 32, nh = n / 2 + 1, N = 64, Nh = N / 2 + 1;
  fc_ns2d *s = make(n, 1e-3, 1e-3, 0.1, FC_NS2D_HEUN_CN), *f = make(N, 1e-3, 1e-3, 0.1, FC_NS2D_HEUN_CN);
  fc_ns2d_grf g = fc_ns2d_grf_default(2.5, 7.0);
  double complex *a = malloc(sizeof(double complex) * s->nspec), *b = malloc(sizeof(double complex) * s->nspec);
  fc_ns2d_set_grf(s, &g, 99, 1);
  memcpy(a, s->w_hat, sizeof(double complex) * s->nspec);
  if (fc_test_size() > 1) {
    if (fc_test_rank() == 1) MPI_Send(a, 2 * (int)s->nspec, MPI_DOUBLE, 0, 7, MPI_COMM_WORLD);
    if (fc_test_rank() == 0) MPI_Recv(b, 2 * (int)s->nspec, MPI_DOUBLE, 1, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (fc_test_rank() != 0) memcpy(b, a, sizeof(double complex) * s->nspec);
  } else {
    fc_ns2d_set_grf(s, &g, 99, 1);
    memcpy(b, s->w_hat, sizeof(double complex) * s->nspec);
  }
  CU_ASSERT(memcmp(a, b, sizeof(double complex) * s->nspec) == 0);
  fc_ns2d_set_grf(s, &g, 99, 2);
  CU_ASSERT(memcmp(a, s->w_hat, sizeof(double complex) * s->nspec) != 0);
  fc_ns2d_set_grf(s, &g, 98, 1);
  CU_ASSERT(memcmp(a, s->w_hat, sizeof(double complex) * s->nspec) != 0);

  fc_ns2d_set_grf(f, &g, 99, 1);
  double err = 0, scale = 0;
  for (long i = 0; i < n; i++)
    for (long j = 0; j < n / 2; j++) {
      if (i == n / 2) continue;
      const long kx = i < n / 2 ? i : i - n, I2 = kx >= 0 ? kx : kx + N;
      const double complex coarse = a[i * nh + j] / (double)(n * n), fine = f->w_hat[I2 * Nh + j] / (double)(N * N);
      err = fmax(err, cabs(coarse - fine));
      scale = fmax(scale, cabs(coarse));
    }
  CU_ASSERT(err <= 1e-15 * scale);
  free(a);
  free(b);
  fc_ns2d_destroy(&s);
  fc_ns2d_destroy(&f);
}

/* ---- the job's keys ------------------------------------------------------------------------ */

static fc_err run_job(int argc, char **argv)
{
  fc_case *c;
  FcCall(fc_case_create(MPI_COMM_WORLD, &c));
  fc_err e = fc_ns2d_job_declare(c);
  if (!e) e = fc_case_set_from_args(c, argc, argv);
  if (!e) e = fc_ns2d_job_run(c, MPI_COMM_WORLD, 0, NULL);
  fc_case_destroy(&c);
  return e;
}

static void test_bad_keys(void)
{
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/ns2d_bad_keys", fc_test_tmpdir());
  const char *base[] = {"-ns2d_n",     "32", "-ns2d_n_out", "16",        "-ns2d_dt",
                        "0.01",        "-ns2d_t_end", "1",   "-output_dir", dir};
  struct {
    const char *key, *value;
  } bad[] = {
      {"-ns2d_n_out", "12"},          /* does not divide 32 */
      {"-ns2d_n_out", "64"},          /* larger than n */
      {"-ns2d_n", "30"},              /* n_out 16 does not divide it */
      {"-ns2d_n", "31"},              /* odd */
      {"-ns2d_n", "4"},               /* below the range */
      {"-ns2d_dt", "0.003"},          /* record_every 1 is no multiple */
      {"-ns2d_t_end", "1.5"},         /* not a multiple of record_every */
      {"-ns2d_nu", "-1"},             /* out of range */
      {"-ns2d_samples", "0"},         /* out of range */
      {"-ns2d_grf_alpha", "1"},       /* infinite variance */
      {"-ns2d_time_scheme", "rk4"},   /* not a choice */
      {"-ns2d_nn", "32"},             /* unknown key */
      {"-output_dir", ""},            /* empty */
  };
  for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
    char *argv[12];
    for (int i = 0; i < 10; i++) argv[i] = (char *)base[i];
    argv[10] = (char *)bad[b].key;
    argv[11] = (char *)bad[b].value;
    fc_err e = run_job(12, argv);
    if (FC_ERR_KIND(e) != FC_ERR_INPUT) printf("    %s %s was accepted (error %d)\n", bad[b].key, bad[b].value, e);
    CU_ASSERT_EQUAL(FC_ERR_KIND(e), FC_ERR_INPUT);
    CU_ASSERT(e & FC_ERR_COLLECTIVE);
  }
}

void fc_test_register(void)
{
  static const fc_test_case solver[] = {
      {"Taylor-Green decay exp(-2 nu k^2 t)", test_taylor_green},
      {"forced single mode", test_forced_mode},
      {"advection term against its closed form", test_advection_term},
      {"time-step convergence: order 2 (Heun + CN), 1 (Euler + CN)", test_time_convergence},
      {"divergence-free velocity, curl u = w", test_divergence_free},
      {NULL, NULL}};
  static const fc_test_case grf[] = {{"structure: zero mean, Hermitian, real", test_grf_structure},
                                     {"mean spectrum = covariance eigenvalues", test_grf_spectrum},
                                     {"same sample on any rank and a finer grid", test_grf_ranks_and_grids},
                                     {NULL, NULL}};
  static const fc_test_case job[] = {{"bad keys are refused", test_bad_keys}, {NULL, NULL}};
  fc_test_add_suite("ns2d solver", solver);
  fc_test_add_suite("ns2d initial condition", grf);
  fc_test_add_suite("ns2d job keys", job);
}

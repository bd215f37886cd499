/* Wall-normal diffusion: the second difference in y (explicit) and its Crank-Nicolson solve,
 * one tridiagonal system per (x, z) line (Thomas algorithm; the rows of grid.c). */
#include "fc_channel.h"

void fc_channel_add_d2y(const fc_channel *ch, double s, int face, const double *f, double *r)
{
  const long n = face ? ch->ny - 1 : ch->ny;
  const double *am = face ? ch->lf_m : ch->lc_m, *a0 = face ? ch->lf_0 : ch->lc_0, *ap = face ? ch->lf_p : ch->lc_p;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const long c = FC_CH_IDX(ch, i, k, 0);
      const double *q = f + c;
      double *o = r + c;
      o[0] += s * (a0[0] * q[0] + ap[0] * q[1]);
      for (long j = 1; j < n - 1; j++) o[j] += s * (am[j] * q[j - 1] + a0[j] * q[j] + ap[j] * q[j + 1]);
      o[n - 1] += s * (am[n - 1] * q[n - 2] + a0[n - 1] * q[n - 1]);
    }
}

static void solve_lines(const fc_channel *ch, double a, int face, double *r, int one_line)
{
  const long n = face ? ch->ny - 1 : ch->ny;
  const double *am = face ? ch->lf_m : ch->lc_m, *a0 = face ? ch->lf_0 : ch->lc_0, *ap = face ? ch->lf_p : ch->lc_p;
  /* the factorisation is the same for every line: forward-elimination multipliers once */
  double cp[n], inv[n];
  double b = 1.0 - a * a0[0];
  inv[0] = 1.0 / b;
  cp[0] = -a * ap[0] * inv[0];
  for (long j = 1; j < n; j++) {
    double lo = -a * am[j];
    b = 1.0 - a * a0[j] - lo * cp[j - 1];
    inv[j] = 1.0 / b;
    cp[j] = -a * ap[j] * inv[j];
  }
  if (one_line) {
    r[0] *= inv[0];
    for (long j = 1; j < n; j++) r[j] = (r[j] + a * am[j] * r[j - 1]) * inv[j];
    for (long j = n - 2; j >= 0; j--) r[j] -= cp[j] * r[j + 1];
    return;
  }
  /* all z lines of an x-plane together, z innermost: the sweeps along y are sequential, so
   * running the lines side by side keeps the vector units busy instead of waiting on one chain */
  const long sz = ch->sz, nz = ch->nz;
  for (long i = 0; i < ch->nxl; i++) {
    double *x = r + FC_CH_IDX(ch, i, 0, 0);
    for (long k = 0; k < nz; k++) x[k * sz] *= inv[0];
    for (long j = 1; j < n; j++) {
      const double l = a * am[j], d = inv[j];
      for (long k = 0; k < nz; k++) x[k * sz + j] = (x[k * sz + j] + l * x[k * sz + j - 1]) * d;
    }
    for (long j = n - 2; j >= 0; j--) {
      const double c = cp[j];
      for (long k = 0; k < nz; k++) x[k * sz + j] -= c * x[k * sz + j + 1];
    }
  }
}

void fc_channel_implicit_y(const fc_channel *ch, double a, int face, double *r) { solve_lines(ch, a, face, r, 0); }

void fc_channel_implicit_y_line(const fc_channel *ch, double a, double *line) { solve_lines(ch, a, 0, line, 1); }

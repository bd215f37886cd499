/* The decaying Taylor-Green vortex: exact solution sampled on the grid. */
#include <math.h>

#include "fc_jobs.h"

void fc_taylor_green(const fc_grid *g, double amplitude, double nu, double t, fc_field *u, fc_field *p)
{
  const double a = 2 * M_PI / g->length[0], b = 2 * M_PI / g->length[1];
  const double F = exp(-nu * (a * a + b * b) * t), A = amplitude;
  const long nxl = u->decomp.nxl, x0 = u->decomp.x0, ny = g->n[1], nz = g->ndim == 3 ? g->n[2] : 1;
  const int nc = u->ncomp;
  for (long i = 0; i < nxl; i++) {
    double x = g->coord[0][x0 + i];
    for (long j = 0; j < ny; j++) {
      double y = g->coord[1][j];
      for (long k = 0; k < nz; k++) {
        long pt = (i * ny + j) * nz + k;
        double *v = u->data + pt * nc;
        v[0] = A * sin(a * x) * cos(b * y) * F;
        v[1] = -A * (a / b) * cos(a * x) * sin(b * y) * F;
        if (nc == 3) v[2] = 0;
        if (p) p->data[pt] = A * A * F * F / 4 * (cos(2 * a * x) + (a / b) * (a / b) * cos(2 * b * y));
      }
    }
  }
}

double fc_taylor_green_energy(const fc_grid *g, double amplitude, double nu, double t)
{
  const double a = 2 * M_PI / g->length[0], b = 2 * M_PI / g->length[1];
  const double F = exp(-nu * (a * a + b * b) * t);
  /* <sin^2 cos^2> = 1/4 over a period: E = A^2 F^2 (1 + (a/b)^2) / 8 */
  return amplitude * amplitude * F * F * (1 + (a / b) * (a / b)) / 8;
}

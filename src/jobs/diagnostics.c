/* Field diagnostics: kinetic energy and divergence, collective over the x-slabs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fc_jobs.h"

/* Quadrature weight of point i on an axis: uniform on periodic axes, trapezoid between walls. */
static double weight(const fc_grid *g, int a, long i)
{
  const double *c = g->coord[a];
  long n = g->n[a];
  if (g->periodic[a]) return g->length[a] / (double)n;
  double lo = i > 0 ? c[i] - c[i - 1] : 0, hi = i + 1 < n ? c[i + 1] - c[i] : 0;
  return 0.5 * (lo + hi);
}

fc_err fc_kinetic_energy(const fc_field *u, double *energy)
{
  const fc_grid *g = u->grid;
  const long nxl = u->decomp.nxl, ny = g->n[1], nz = g->ndim == 3 ? g->n[2] : 1;
  double sum = 0, comp = 0, vol = 1; /* compensated (Kahan) sum: exact to round-off on large grids */
  for (int a = 0; a < g->ndim; a++) vol *= g->length[a];
  for (long i = 0; i < nxl; i++)
    for (long j = 0; j < ny; j++)
      for (long k = 0; k < nz; k++) {
        double w = weight(g, 0, u->decomp.x0 + i) * weight(g, 1, j) * (g->ndim == 3 ? weight(g, 2, k) : 1);
        const double *v = u->data + ((i * ny + j) * nz + k) * u->ncomp;
        double q = 0;
        for (int c = 0; c < u->ncomp; c++) q += v[c] * v[c];
        double y = 0.5 * q * w - comp, t = sum + y;
        comp = (t - sum) - y;
        sum = t;
      }
  double all = 0;
  FcCallMPI(MPI_Allreduce(&sum, &all, 1, MPI_DOUBLE, MPI_SUM, u->decomp.comm));
  *energy = all / vol;
  return FC_SUCCESS;
}

/* The x-planes next to this slab (periodic wrap, or a copy of the edge plane at a wall). */
static fc_err exchange_x_planes(const fc_field *u, double *left, double *right)
{
  const fc_decomp *d = &u->decomp;
  const long plane = fc_grid_plane_points(u->grid) * u->ncomp;
  if (d->nxl == 0) return FC_SUCCESS;
  const long nx = d->nx, ixl = (d->x0 - 1 + nx) % nx, ixr = (d->x0 + d->nxl) % nx;
  MPI_Request req[4];
  const int tag_to_right_halo = 71, tag_to_left_halo = 72;
  FcCallMPI(MPI_Irecv(left, (int)plane, MPI_DOUBLE, fc_decomp_owner(d, ixl), tag_to_left_halo, d->comm, &req[0]));
  FcCallMPI(MPI_Irecv(right, (int)plane, MPI_DOUBLE, fc_decomp_owner(d, ixr), tag_to_right_halo, d->comm, &req[1]));
  /* my first plane is the right halo of the owner of x0 - 1; my last its left halo of the owner of x0 + nxl */
  FcCallMPI(MPI_Isend(u->data, (int)plane, MPI_DOUBLE, fc_decomp_owner(d, ixl), tag_to_right_halo, d->comm, &req[2]));
  FcCallMPI(MPI_Isend(u->data + (d->nxl - 1) * plane, (int)plane, MPI_DOUBLE, fc_decomp_owner(d, ixr), tag_to_left_halo,
                      d->comm, &req[3]));
  FcCallMPI(MPI_Waitall(4, req, MPI_STATUSES_IGNORE));
  return FC_SUCCESS;
}

/* d f / d x_a at index i along axis a from values fm, f0, fp at i-1, i, i+1. */
static double ddx(const fc_grid *g, int a, long i, double fm, double f0, double fp)
{
  const double *c = g->coord[a];
  long n = g->n[a];
  if (g->periodic[a]) {
    double xm = i > 0 ? c[i - 1] : c[n - 1] - g->length[a], xp = i + 1 < n ? c[i + 1] : c[0] + g->length[a];
    return (fp - fm) / (xp - xm);
  }
  if (i == 0) return (fp - f0) / (c[1] - c[0]);
  if (i == n - 1) return (f0 - fm) / (c[n - 1] - c[n - 2]);
  return (fp - fm) / (c[i + 1] - c[i - 1]);
}

fc_err fc_max_divergence(const fc_field *u, double *maxdiv)
{
  const fc_grid *g = u->grid;
  const fc_decomp *dc = &u->decomp;
  const int nc = u->ncomp, nd = g->ndim;
  if (nc != nd) FcRaiseComm(dc->comm, FC_ERR_INTERNAL, "divergence of a field with %d components in %dD", nc, nd);
  const long ny = g->n[1], nz = nd == 3 ? g->n[2] : 1, plane = ny * nz * nc;
  double *left, *right;
  FcCall(FcMalloc(plane, &left));
  fc_err e = FcMalloc(plane, &right);
  if (!e) e = exchange_x_planes(u, left, right);
  double m = 0;
  for (long i = 0; i < dc->nxl && !e; i++) {
    long gi = dc->x0 + i;
    const double *pm = i > 0 ? u->data + (i - 1) * plane : left;
    const double *pp = i + 1 < dc->nxl ? u->data + (i + 1) * plane : right;
    const double *p0 = u->data + i * plane;
    for (long j = 0; j < ny; j++)
      for (long k = 0; k < nz; k++) {
        long o = (j * nz + k) * nc;
        double div = ddx(g, 0, gi, pm[o], p0[o], pp[o]);
        long jm = j > 0 ? j - 1 : (g->periodic[1] ? ny - 1 : j), jp = j + 1 < ny ? j + 1 : (g->periodic[1] ? 0 : j);
        div += ddx(g, 1, j, p0[(jm * nz + k) * nc + 1], p0[o + 1], p0[(jp * nz + k) * nc + 1]);
        if (nd == 3) {
          long km = k > 0 ? k - 1 : (g->periodic[2] ? nz - 1 : k), kp = k + 1 < nz ? k + 1 : (g->periodic[2] ? 0 : k);
          div += ddx(g, 2, k, p0[(j * nz + km) * nc + 2], p0[o + 2], p0[(j * nz + kp) * nc + 2]);
        }
        m = fabs(div) > m ? fabs(div) : m;
      }
  }
  free(left);
  free(right);
  e = fc_error_agree(dc->comm, e);
  if (e) return e;
  FcCallMPI(MPI_Allreduce(&m, maxdiv, 1, MPI_DOUBLE, MPI_MAX, dc->comm));
  return FC_SUCCESS;
}

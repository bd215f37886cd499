/* Fields: ncomp doubles per point on this rank's x-slab. */
#include "fc_grid.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

fc_err fc_field_create(const fc_grid *g, const fc_decomp *d, const char *name, int ncomp, fc_field **f)
{
  fc_field *q;
  if (ncomp < 1 || ncomp > 9) FcRaise(FC_ERR_INTERNAL, "field '%s': %d components", name, ncomp);
  if (d->nx != g->n[0]) FcRaise(FC_ERR_INTERNAL, "field '%s': decomposition of %ld x-points on a grid of %ld", name,
                                d->nx, g->n[0]);
  FcCall(FcMalloc(1, &q));
  snprintf(q->name, sizeof q->name, "%s", name);
  q->ncomp = ncomp;
  q->grid = g;
  q->decomp = *d;
  fc_err e = FcMalloc(fc_field_local_size(q), &q->data);
  if (e) {
    free(q);
    return e;
  }
  *f = q;
  return FC_SUCCESS;
}

fc_err fc_field_destroy(fc_field **f)
{
  if (!f || !*f) return FC_SUCCESS;
  free((*f)->data);
  free(*f);
  *f = NULL;
  return FC_SUCCESS;
}

long fc_field_local_size(const fc_field *f) { return f->decomp.nxl * fc_grid_plane_points(f->grid) * f->ncomp; }

fc_err fc_field_check_finite(const fc_field *f, const char *where)
{
  long n = fc_field_local_size(f), bad = 0, first = -1;
  for (long i = 0; i < n; i++)
    if (!isfinite(f->data[i])) {
      if (first < 0) first = i;
      bad++;
    }
  /* the smallest global index of a bad value (local x offset added) and the total count */
  long plane = fc_grid_plane_points(f->grid) * f->ncomp;
  long mine[2] = {first < 0 ? LONG_MAX : first + f->decomp.x0 * plane, bad}, all[2];
  FcCallMPI(MPI_Allreduce(&mine[0], &all[0], 1, MPI_LONG, MPI_MIN, f->decomp.comm));
  FcCallMPI(MPI_Allreduce(&mine[1], &all[1], 1, MPI_LONG, MPI_SUM, f->decomp.comm));
  long allbad = all[1];
  if (allbad) {
    long gi = all[0];
    long c = gi % f->ncomp, p = gi / f->ncomp;
    long nz = f->grid->ndim == 3 ? f->grid->n[2] : 1, ny = f->grid->n[1];
    long iz = p % nz, iy = (p / nz) % ny, ix = p / (nz * ny);
    if (f->grid->ndim == 3)
      FcRaiseComm(f->decomp.comm, FC_ERR_NONFINITE,
                  "%s: field '%s' holds %ld NaN/Inf value(s); the first at (x, y, z) index (%ld, %ld, %ld), "
                  "component %ld",
                  where, f->name, allbad, ix, iy, iz, c);
    FcRaiseComm(f->decomp.comm, FC_ERR_NONFINITE,
                "%s: field '%s' holds %ld NaN/Inf value(s); the first at (x, y) index (%ld, %ld), component %ld",
                where, f->name, allbad, ix, iy, c);
  }
  return FC_SUCCESS;
}

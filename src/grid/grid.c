/* Grid coordinates: uniform or tanh-stretched axes. */
#include "fc_grid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FC_MAX_POINTS_PER_AXIS (1L << 24)

void fc_grid_tanh_coords(long n, double length, double a, double *coord)
{
  for (long j = 0; j < n; j++) {
    double s = (double)j / (double)(n - 1); /* in [0, 1] */
    coord[j] = a > 0 ? length * 0.5 * (1.0 + tanh(a * (s - 0.5)) / tanh(0.5 * a)) : length * s;
  }
  coord[0] = 0.0;
  coord[n - 1] = length;
}

static fc_err grid_check(int ndim, const long *n, const double *length)
{
  static const char axis[] = "xyz";
  if (ndim < 2 || ndim > FC_MAX_DIM) FcRaise(FC_ERR_INPUT, "grid dimension %d: expected 2 or 3", ndim);
  for (int a = 0; a < ndim; a++) {
    if (n[a] < 2 || n[a] > FC_MAX_POINTS_PER_AXIS)
      FcRaise(FC_ERR_INPUT, "grid size along %c is %ld: expected 2 to %ld points", axis[a], n[a],
              FC_MAX_POINTS_PER_AXIS);
    if (!(length[a] > 0) || !isfinite(length[a]))
      FcRaise(FC_ERR_INPUT, "domain length along %c is %g: expected a positive finite number", axis[a],
              length[a]);
  }
  return FC_SUCCESS;
}

static fc_err grid_alloc(int ndim, const long *n, const double *length, const int *periodic, fc_grid **g)
{
  fc_grid *q;
  FcCall(grid_check(ndim, n, length));
  FcCall(FcMalloc(1, &q));
  q->ndim = ndim;
  for (int a = 0; a < FC_MAX_DIM; a++) {
    q->n[a] = a < ndim ? n[a] : 1;
    q->length[a] = a < ndim ? length[a] : 0;
    q->periodic[a] = a < ndim ? periodic[a] : 1;
    if (a < ndim) {
      fc_err e = FcMalloc(q->n[a], &q->coord[a]);
      if (e) {
        fc_grid_destroy(&q);
        return e;
      }
    }
  }
  *g = q;
  return FC_SUCCESS;
}

fc_err fc_grid_create(int ndim, const long *n, const double *length, const int *periodic, const double *stretch,
                      fc_grid **g)
{
  fc_grid *q;
  FcCall(grid_alloc(ndim, n, length, periodic, &q));
  for (int a = 0; a < ndim; a++) {
    double s = stretch ? stretch[a] : 0.0;
    if (s != 0 && (periodic[a] || s < 0 || s > 20)) {
      fc_grid_destroy(&q);
      FcRaise(FC_ERR_INPUT, "stretching %g along axis %c: allowed only on a non-periodic axis, in [0, 20]", s,
              "xyz"[a]);
    }
    q->stretch[a] = s;
    if (periodic[a])
      for (long i = 0; i < q->n[a]; i++) q->coord[a][i] = q->length[a] * (double)i / (double)q->n[a];
    else
      fc_grid_tanh_coords(q->n[a], q->length[a], s, q->coord[a]);
  }
  *g = q;
  return FC_SUCCESS;
}

fc_err fc_grid_create_from_coords(int ndim, const long *n, const double *length, const int *periodic,
                                  double *const *coord, fc_grid **g)
{
  fc_grid *q;
  FcCall(grid_alloc(ndim, n, length, periodic, &q));
  for (int a = 0; a < ndim; a++) {
    for (long i = 0; i < n[a]; i++) {
      if (!isfinite(coord[a][i]) || (i > 0 && !(coord[a][i] > coord[a][i - 1]))) {
        fc_grid_destroy(&q);
        FcRaise(FC_ERR_INPUT, "coordinates along %c are not finite and strictly increasing (at index %ld)",
                "xyz"[a], i);
      }
      q->coord[a][i] = coord[a][i];
    }
  }
  *g = q;
  return FC_SUCCESS;
}

fc_err fc_grid_destroy(fc_grid **g)
{
  if (!g || !*g) return FC_SUCCESS;
  for (int a = 0; a < FC_MAX_DIM; a++) free((*g)->coord[a]);
  free(*g);
  *g = NULL;
  return FC_SUCCESS;
}

long fc_grid_plane_points(const fc_grid *g) { return g->n[1] * (g->ndim == 3 ? g->n[2] : 1); }

long fc_grid_points(const fc_grid *g) { return g->n[0] * fc_grid_plane_points(g); }

void fc_grid_spacing_range(const fc_grid *g, int axis, double *hmin, double *hmax)
{
  const double *c = g->coord[axis];
  long n = g->n[axis];
  double lo = INFINITY, hi = 0;
  for (long i = 0; i + 1 < n; i++) {
    double h = c[i + 1] - c[i];
    lo = h < lo ? h : lo;
    hi = h > hi ? h : hi;
  }
  if (g->periodic[axis]) { /* the wrap-around interval */
    double h = g->length[axis] - (c[n - 1] - c[0]);
    lo = h < lo ? h : lo;
    hi = h > hi ? h : hi;
  }
  *hmin = lo;
  *hmax = hi;
}

/* Structured grids and their slab decomposition over MPI ranks.
 *
 * A grid has 2 or 3 axes, always named x, y, z (axis 0, 1, 2). Each axis has n
 * points, a length, a periodic flag and the coordinates of its points: uniform
 * (x_i = i L / n on a periodic axis, x_j = j L / (n - 1) between walls) or
 * stretched by a tanh map that clusters points at both walls (non-periodic only).
 *
 * Memory layout of fields on a grid: channels last, x slowest:
 *     3D: data[ix][iy][iz][c]    2D: data[ix][iy][c]
 * Fields are split over ranks in slabs along x (axis 0): rank r owns
 * ix in [x0, x0 + nxl). The default split is FFTW-MPI's (blocks of ceil(nx/P)),
 * so spectral operators can use the same slabs; ranks past the end own nothing.
 */
#ifndef FC_GRID_H
#define FC_GRID_H

#include "fc_error.h"

#define FC_MAX_DIM 3

typedef struct {
  int ndim;
  long n[FC_MAX_DIM];
  double length[FC_MAX_DIM];
  int periodic[FC_MAX_DIM];
  double stretch[FC_MAX_DIM]; /* tanh stretching parameter a (0 = uniform) */
  double *coord[FC_MAX_DIM];  /* n[a] coordinates per axis */
} fc_grid;

/* Uniform (stretch[a] == 0) or tanh-stretched coordinates. n[a] >= 2 (1 allowed for
 * the z axis of nothing: use ndim = 2 instead). Errors on bad sizes/lengths. */
fc_err fc_grid_create(int ndim, const long *n, const double *length, const int *periodic,
                      const double *stretch, fc_grid **g);
/* A grid with explicit coordinates per axis (read from a file); lengths given. */
fc_err fc_grid_create_from_coords(int ndim, const long *n, const double *length, const int *periodic,
                                  double *const *coord, fc_grid **g);
fc_err fc_grid_destroy(fc_grid **g);

/* Points per x-slice: ny * nz (2D: ny). */
long fc_grid_plane_points(const fc_grid *g);
long fc_grid_points(const fc_grid *g);
/* Smallest and largest spacing along an axis (for info and CFL). */
void fc_grid_spacing_range(const fc_grid *g, int axis, double *hmin, double *hmax);

/* tanh map clustering n points on [0, L] towards both ends, a > 0 (0 = uniform). */
void fc_grid_tanh_coords(long n, double length, double a, double *coord);

/* Slab decomposition along x. */
typedef struct {
  MPI_Comm comm;
  int rank, size;
  long nx;  /* global points along x */
  long x0;  /* first x index owned */
  long nxl; /* number of x indices owned (may be 0) */
} fc_decomp;

/* FFTW-MPI's block split of nx over the ranks of comm. */
fc_err fc_decomp_slab(MPI_Comm comm, long nx, fc_decomp *d);
/* The rank that owns global x index ix. */
int fc_decomp_owner(const fc_decomp *d, long ix);

/* A field: ncomp values per grid point on this rank's slab. */
typedef struct {
  char name[64];
  int ncomp; /* 1: scalar; ndim: vector */
  const fc_grid *grid;
  fc_decomp decomp;
  double *data; /* [nxl][ny][nz][ncomp] */
} fc_field;

fc_err fc_field_create(const fc_grid *g, const fc_decomp *d, const char *name, int ncomp, fc_field **f);
fc_err fc_field_destroy(fc_field **f);
/* Number of doubles on this rank. */
long fc_field_local_size(const fc_field *f);

/* Collective: errors (FC_ERR_NONFINITE, on every rank) when any rank holds NaN/Inf,
 * naming the field, the number of bad values and the first bad point (global index). */
fc_err fc_field_check_finite(const fc_field *f, const char *where);

#endif

/* Writes synthetic channel DNS snapshot files for the command-line tests of `flowcast filter`
 * (tests/filter.cmake), in the channel solver's format: x and z periodic cell centres
 * x_i = (i + 1/2) lx / nx, y the centres of the tanh map, fields "velocity" (3 components)
 * and "pressure" per step, /parameters nu, bulk_velocity, stretch.
 *
 *   make_filter_inputs DIR
 *
 * Good inputs: dns_a.h5 (45 x 40 x 24, 4 steps), dns_b.h5 (40 x 36 x 20, 4 steps), both in the
 * box 2 pi x 2 x pi. Bad ones: dns_box.h5 (another box), dns_2d.h5 (a 2D file), dns_ncomp2.h5
 * (2 velocity components), dns_novelocity.h5 (pressure only), dns_small.h5 (16 x 20 x 8, coarser
 * than the default coarse grid), dns_nodes.h5 (x at i lx / nx, not the cell centres),
 * dns_nosteps.h5 (no steps), not_field.h5 (HDF5 without the flowcast schema). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fc_channel.h"
#include "fc_io.h"

typedef struct {
  const char *name;
  long n[3];
  double lx;
  double stretch;
  int nsteps, ncomp, velocity, ndim, centred;
} dns_spec;

/* A smooth, divergence-free-looking channel field: a parabolic mean plus travelling waves. */
static double value(const fc_grid *g, long i, long j, long k, int c, int s)
{
  const double x = g->coord[0][i], y = g->coord[1][j], z = g->ndim == 3 ? g->coord[2][k] : 0.0;
  const double lx = g->length[0], ly = g->length[1], lz = g->ndim == 3 ? g->length[2] : 1.0, t = 0.5 * s;
  const double eta = y / ly, wall = 4.0 * eta * (1.0 - eta);
  if (c == 0) return 1.5 * wall + 0.2 * wall * sin(2 * M_PI * (x / lx - 0.1 * t)) * cos(4 * M_PI * z / lz);
  if (c == 1) return 0.1 * wall * wall * cos(2 * M_PI * (x / lx - 0.1 * t)) * sin(2 * M_PI * z / lz);
  return 0.15 * wall * sin(4 * M_PI * x / lx + 0.3 * t) * sin(2 * M_PI * y / ly);
}

static int write_dns(const char *dir, const dns_spec *d)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, d->name);
  const int ndim = d->ndim;
  double len[3] = {d->lx, 2.0, M_PI}, *coord[3];
  int per[3] = {1, 0, 1};
  for (int a = 0; a < ndim; a++) {
    coord[a] = malloc(sizeof(double) * (size_t)d->n[a]);
    if (a == 1) fc_channel_y_centres(d->n[1], len[1], d->stretch, coord[1]);
    else
      for (long i = 0; i < d->n[a]; i++) coord[a][i] = ((double)i + (d->centred ? 0.5 : 0.0)) * len[a] / (double)d->n[a];
  }
  fc_grid *g;
  fc_decomp dc;
  fc_field *f[2] = {NULL, NULL};
  if (fc_grid_create_from_coords(ndim, d->n, len, per, coord, &g) || fc_decomp_slab(MPI_COMM_SELF, d->n[0], &dc))
    return 1;
  for (int a = 0; a < ndim; a++) free(coord[a]);
  int nf = 0;
  if (d->velocity && fc_field_create(g, &dc, "velocity", d->ncomp, &f[nf++])) return 1;
  if (fc_field_create(g, &dc, "pressure", 1, &f[nf++])) return 1;
  fc_field_writer *w;
  if (fc_field_writer_create(MPI_COMM_SELF, path, g, FC_PRECISION_FLOAT64, &w)) return 1;
  if (fc_field_writer_parameter(w, "nu", 1.0 / 2800) || fc_field_writer_parameter(w, "bulk_velocity", 1.0) ||
      fc_field_writer_parameter(w, "stretch", d->stretch))
    return 1;
  const long nz = ndim == 3 ? d->n[2] : 1;
  for (int s = 0; s < d->nsteps; s++) {
    for (int q = 0; q < nf; q++) {
      double *p = f[q]->data;
      for (long i = 0; i < d->n[0]; i++)
        for (long j = 0; j < d->n[1]; j++)
          for (long k = 0; k < nz; k++)
            for (int c = 0; c < f[q]->ncomp; c++) *p++ = f[q]->ncomp == 1 ? 0.01 * value(g, i, j, k, 0, s) : value(g, i, j, k, c, s);
    }
    if (fc_field_writer_step(w, 200L * s, 0.5 * s, f, nf)) return 1;
  }
  if (fc_field_writer_close(&w)) return 1;
  for (int q = 0; q < nf; q++) fc_field_destroy(&f[q]);
  fc_grid_destroy(&g);
  return 0;
}

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  fc_init_libraries();
  if (argc < 2) {
    fprintf(stderr, "usage: make_filter_inputs DIR\n");
    return 2;
  }
  const dns_spec specs[] = {
      {"dns_a.h5", {45, 40, 24}, 2 * M_PI, 2.5, 4, 3, 1, 3, 1},
      {"dns_b.h5", {40, 36, 20}, 2 * M_PI, 2.0, 4, 3, 1, 3, 1},
      {"dns_box.h5", {40, 36, 20}, 4 * M_PI, 2.0, 2, 3, 1, 3, 1},
      {"dns_2d.h5", {16, 12, 1}, 2 * M_PI, 2.0, 2, 2, 1, 2, 1},
      {"dns_ncomp2.h5", {40, 36, 20}, 2 * M_PI, 2.0, 2, 2, 1, 3, 1},
      {"dns_novelocity.h5", {40, 36, 20}, 2 * M_PI, 2.0, 2, 3, 0, 3, 1},
      {"dns_small.h5", {16, 20, 8}, 2 * M_PI, 2.0, 2, 3, 1, 3, 1},
      {"dns_nodes.h5", {40, 36, 20}, 2 * M_PI, 2.0, 2, 3, 1, 3, 0},
      {"dns_nosteps.h5", {40, 36, 20}, 2 * M_PI, 2.0, 0, 3, 1, 3, 1},
  };
  for (size_t q = 0; q < sizeof specs / sizeof specs[0]; q++)
    if (write_dns(argv[1], &specs[q])) {
      fprintf(stderr, "make_filter_inputs: cannot write %s\n", specs[q].name);
      return 1;
    }
  /* HDF5, but not a flowcast field file */
  char path[4096];
  snprintf(path, sizeof path, "%s/not_field.h5", argv[1]);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t dim = 4;
  hid_t s = H5Screate_simple(1, &dim, NULL);
  hid_t d = H5Dcreate2(f, "velocity", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const double v[4] = {1, 2, 3, 4};
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  H5Dclose(d);
  H5Sclose(s);
  H5Fclose(f);
  printf("make_filter_inputs: wrote the DNS snapshot files to %s\n", argv[1]);
  return fc_finalize(0);
}

/* The channel's fields in files: the cell-centre grid, centre-interpolated snapshots, and
 * restart files that hold the staggered unknowns exactly (docs/file-format.md).
 *
 * Restart file: a flowcast field file on the cell-centre grid with one step (the step number
 * and time of the state) and the scalar fields u_face, v_face, w_face, pressure: u_face at
 * (i, j, k) is u on the x-face at the right of cell (i, j, k), v_face on the y-face above it
 * (0 on the top wall, j = ny-1), w_face on the z-face behind it; float64, so a run resumed at any
 * rank count continues exactly (the solver's state is only the velocity; p is output). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fc_channel.h"
#include "fc_io.h"

fc_err fc_channel_file_grid(const fc_channel *ch, fc_grid **g)
{
  long n[3] = {ch->nx, ch->ny, ch->nz};
  double len[3] = {ch->c.lx, ch->c.ly, ch->c.lz};
  int periodic[3] = {1, 0, 1};
  double *coord[3];
  FcCall(FcMalloc(ch->nx, &coord[0]));
  FcCall(FcMalloc(ch->ny, &coord[1]));
  FcCall(FcMalloc(ch->nz, &coord[2]));
  for (long i = 0; i < ch->nx; i++) coord[0][i] = ((double)i + 0.5) * ch->dx;
  for (long j = 0; j < ch->ny; j++) coord[1][j] = ch->yc[j + 1];
  for (long k = 0; k < ch->nz; k++) coord[2][k] = ((double)k + 0.5) * ch->dz;
  fc_err e = fc_grid_create_from_coords(3, n, len, periodic, coord, g);
  for (int a = 0; a < 3; a++) free(coord[a]);
  return e;
}

void fc_channel_centre_velocity(const fc_channel *ch, fc_field *vel, fc_field *p)
{
  const long ny = ch->ny, nz = ch->nz;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < nz; k++)
      for (long j = 0; j < ny; j++) {
        const long q = FC_CH_IDX(ch, i, k, j);
        const long o = (i * ny + j) * nz + k;
        if (vel) {
          vel->data[3 * o + 0] = 0.5 * (ch->u[q] + ch->u[q - ch->sx]);
          vel->data[3 * o + 1] = fc_channel_v_centre(ch, ch->v + q - j, j);
          vel->data[3 * o + 2] = 0.5 * (ch->w[q] + ch->w[q - ch->sz]);
        }
        if (p) p->data[o] = ch->p[q];
      }
}

/* copy between a solver array and a scalar field ([x][z][y] with ghosts <-> [x][y][z]) */
static void copy_array(const fc_channel *ch, double *a, fc_field *f, int to_field)
{
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ch->ny; j++) {
        double *x = a + FC_CH_IDX(ch, i, k, j), *y = f->data + (i * ch->ny + j) * ch->nz + k;
        if (to_field) *y = *x;
        else *x = *y;
      }
}

static const char *const restart_names[4] = {"u_face", "v_face", "w_face", "pressure"};

static double *restart_array(fc_channel *ch, int q)
{
  double *a[4] = {ch->u, ch->v, ch->w, ch->p};
  return a[q];
}

static fc_err restart_fields(fc_channel *ch, const fc_grid *g, fc_field *f[4])
{
  fc_decomp d;
  FcCall(fc_decomp_slab(ch->comm, ch->nx, &d));
  for (int q = 0; q < 4; q++) FcCall(fc_field_create(g, &d, restart_names[q], 1, &f[q]));
  return FC_SUCCESS;
}

fc_err fc_channel_restart_write(fc_channel *ch, const char *path, const char *case_path, const char *case_text,
                                int argc, char **argv, long snapshot_files)
{
  fc_grid *g;
  fc_field *f[4] = {NULL, NULL, NULL, NULL};
  fc_field_writer *w = NULL;
  FcCall(fc_channel_file_grid(ch, &g));
  fc_err e = restart_fields(ch, g, f);
  for (int q = 0; q < 4 && !e; q++) copy_array(ch, restart_array(ch, q), f[q], 1);
  if (!e) e = fc_field_writer_create(ch->comm, path, g, FC_PRECISION_FLOAT64, &w);
  if (!e) e = fc_field_writer_provenance(w, case_path, case_text, argc, argv);
  if (!e) e = fc_field_writer_parameter(w, "nu", ch->c.nu);
  if (!e) e = fc_field_writer_parameter(w, "stretch", ch->c.stretch);
  if (!e) e = fc_field_writer_parameter(w, "bulk_velocity", ch->c.bulk_velocity);
  if (!e) e = fc_field_writer_parameter(w, "dt", ch->dt);
  if (!e) e = fc_field_writer_parameter(w, "snapshot_files", (double)snapshot_files);
  if (!e) e = fc_field_writer_step(w, ch->step, ch->t, f, 4);
  if (!e) e = fc_field_writer_close(&w);
  if (e && w) fc_field_writer_discard(&w);
  for (int q = 0; q < 4; q++) fc_field_destroy(&f[q]);
  fc_grid_destroy(&g);
  return e;
}

/* The file's grid must be this solver's: sizes, box and y centres (collective on ch->comm). */
static fc_err check_grid(const fc_channel *ch, const fc_grid *fg, const char *path)
{
  if (fg->ndim != 3 || fg->n[0] != ch->nx || fg->n[1] != ch->ny || fg->n[2] != ch->nz)
    FcRaiseComm(ch->comm, FC_ERR_INPUT, "restart file '%s' holds a %ld x %ld x %ld grid; the case has %ld x %ld x %ld", path,
            fg->n[0], fg->ndim > 1 ? fg->n[1] : 0L, fg->ndim > 2 ? fg->n[2] : 0L, ch->nx, ch->ny, ch->nz);
  const double len[3] = {ch->c.lx, ch->c.ly, ch->c.lz};
  for (int a = 0; a < 3; a++)
    if (fabs(fg->length[a] - len[a]) > 1e-12 * len[a])
      FcRaiseComm(ch->comm, FC_ERR_INPUT, "restart file '%s': box length along %c is %.15g; the case has %.15g", path, "xyz"[a],
              fg->length[a], len[a]);
  for (long j = 0; j < ch->ny; j++)
    if (fabs(fg->coord[1][j] - ch->yc[j + 1]) > 1e-12 * ch->c.ly)
      FcRaiseComm(ch->comm, FC_ERR_INPUT, "restart file '%s': its y grid differs from the case's (channel_stretch?) at j = %ld: "
              "%.15g vs %.15g", path, j, fg->coord[1][j], ch->yc[j + 1]);
  return FC_SUCCESS;
}

fc_err fc_channel_restart_read(fc_channel *ch, const char *path, long *snapshot_files)
{
  fc_field_reader *r;
  fc_grid *g = NULL;
  fc_field *f[4] = {NULL, NULL, NULL, NULL};
  long nsteps;
  const fc_step_info *steps;
  FcCall(fc_field_reader_open(ch->comm, path, &r));
  fc_err e = fc_field_reader_grid(r, &g);
  if (!e) e = check_grid(ch, g, path);
  if (!e) e = fc_field_reader_steps(r, &nsteps, &steps);
  if (!e && nsteps < 1) e = fc_error_raise(ch->comm, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                                         "restart file '%s' holds no step", path);
  double nfiles = 0;
  if (!e) e = fc_field_reader_parameter(r, "snapshot_files", &nfiles);
  if (!e) *snapshot_files = (long)nfiles;
  if (!e) e = restart_fields(ch, g, f);
  for (int q = 0; q < 4 && !e; q++) e = fc_field_reader_read(r, nsteps - 1, f[q]);
  if (!e) {
    for (int q = 0; q < 4; q++) copy_array(ch, restart_array(ch, q), f[q], 0);
    ch->step = steps[nsteps - 1].step;
    ch->t = steps[nsteps - 1].time;
    e = fc_channel_halo_velocity(ch);
  }
  if (!e) e = fc_channel_halo(ch, ch->p);
  for (int q = 0; q < 4; q++) fc_field_destroy(&f[q]);
  fc_grid_destroy(&g);
  fc_field_reader_close(&r);
  return e;
}

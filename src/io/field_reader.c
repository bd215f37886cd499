/* Reading field files: validated on open, slabs read collectively with any rank count. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5util.h"

struct fc_field_reader {
  MPI_Comm comm;
  char path[PATH_MAX];
  hid_t file;
  int ndim;
  long nsteps;
  fc_step_info *steps;
};

typedef struct {
  fc_field_reader *r;
  fc_err err;
} step_walk;

static herr_t step_cb(hid_t grp, const char *name, const H5L_info_t *info, void *data)
{
  (void)info;
  step_walk *sw = data;
  fc_field_reader *r = sw->r;
  char ctx[PATH_MAX + 64];
  snprintf(ctx, sizeof ctx, "file '%s', group /steps/%s", r->path, name);
  hid_t g = H5Gopen2(grp, name, H5P_DEFAULT);
  if (g < 0) {
    sw->err = fc_error_raise(r->comm, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__, "%s: not a group", ctx);
    return -1;
  }
  fc_step_info *s = &r->steps[r->nsteps];
  snprintf(s->group, sizeof s->group, "/steps/%s", name);
  sw->err = fc_h5_attr_read_longs(g, ctx, "step", 1, &s->step);
  if (!sw->err) sw->err = fc_h5_attr_read_doubles(g, ctx, "time", 1, &s->time);
  H5Gclose(g);
  if (sw->err) return -1;
  r->nsteps++;
  return 0;
}

static fc_err read_steps(fc_field_reader *r)
{
  if (H5Lexists(r->file, "/steps", H5P_DEFAULT) <= 0) return FC_SUCCESS;
  hid_t g = H5Gopen2(r->file, "/steps", H5P_DEFAULT);
  H5G_info_t gi;
  if (g < 0 || H5Gget_info(g, &gi) < 0) {
    if (g >= 0) H5Gclose(g);
    FcRaiseComm(r->comm, FC_ERR_INPUT, "file '%s': group /steps cannot be read (corrupted?)", r->path);
  }
  fc_err e = FcMalloc(gi.nlinks ? gi.nlinks : 1, &r->steps);
  step_walk sw = {r, FC_SUCCESS};
  if (!e && H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, step_cb, &sw) < 0 && !sw.err)
    sw.err = fc_error_raise(r->comm, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                            "file '%s': group /steps cannot be listed (corrupted?)", r->path);
  H5Gclose(g);
  return e ? e : sw.err;
}

fc_err fc_field_reader_open(MPI_Comm comm, const char *path, fc_field_reader **rp)
{
  fc_field_reader *r;
  hid_t file;
  FcCall(fc_h5_open_file(comm, path, 1, &file));
  FcCall(FcMalloc(1, &r));
  r->comm = comm;
  r->file = file;
  snprintf(r->path, sizeof r->path, "%s", path);
  *rp = r;
  char schema[64] = "", ctx[PATH_MAX + 16];
  snprintf(ctx, sizeof ctx, "file '%s'", path);
  fc_err e = FC_SUCCESS;
  if (H5Aexists(file, "schema") <= 0)
    e = fc_error_raise(comm, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "file '%s' is HDF5 but not a flowcast field file (no 'schema' attribute on /); "
                       "to read a dataset written by another code, name it with the input_* keys",
                       path);
  if (!e) e = fc_h5_attr_read_string(file, ctx, "schema", schema, sizeof schema);
  if (!e && strcmp(schema, FC_SCHEMA_NAME) != 0)
    e = fc_error_raise(comm, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "file '%s' has schema '%s', expected '%s'", path, schema, FC_SCHEMA_NAME);
  long version = 0, ndim = 0;
  if (!e) e = fc_h5_attr_read_longs(file, ctx, "schema_version", 1, &version);
  if (!e && (version < 1 || version > FC_SCHEMA_VERSION))
    e = fc_error_raise(comm, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "file '%s' has schema version %ld; this flowcast reads versions 1 to %d", path, version,
                       FC_SCHEMA_VERSION);
  if (!e) e = fc_h5_attr_read_longs(file, ctx, "ndim", 1, &ndim);
  if (!e && ndim != 2 && ndim != 3)
    e = fc_error_raise(comm, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "file '%s': attribute ndim = %ld, expected 2 or 3", path, ndim);
  r->ndim = (int)ndim;
  if (!e) e = read_steps(r);
  if (e) {
    fc_field_reader_close(rp);
    return e | FC_ERR_COLLECTIVE;
  }
  return FC_SUCCESS;
}

fc_err fc_field_reader_close(fc_field_reader **rp)
{
  if (!rp || !*rp) return FC_SUCCESS;
  if ((*rp)->file >= 0) H5Fclose((*rp)->file);
  free((*rp)->steps);
  free(*rp);
  *rp = NULL;
  return FC_SUCCESS;
}

fc_err fc_field_reader_grid(fc_field_reader *r, fc_grid **g)
{
  static const char *names[FC_MAX_DIM] = {"/grid/x", "/grid/y", "/grid/z"};
  char ctx[PATH_MAX + 32];
  snprintf(ctx, sizeof ctx, "file '%s', group /grid", r->path);
  if (fc_h5_path_exists(r->file, "/grid") <= 0) FcRaiseComm(r->comm, FC_ERR_INPUT, "%s is missing", ctx);
  hid_t grp = H5Gopen2(r->file, "/grid", H5P_DEFAULT);
  long n[FC_MAX_DIM], periodic[FC_MAX_DIM];
  double length[FC_MAX_DIM];
  int per[FC_MAX_DIM];
  double *coord[FC_MAX_DIM] = {NULL, NULL, NULL};
  fc_err e = fc_h5_attr_read_longs(grp, ctx, "n", r->ndim, n);
  if (!e) e = fc_h5_attr_read_doubles(grp, ctx, "length", r->ndim, length);
  if (!e) e = fc_h5_attr_read_longs(grp, ctx, "periodic", r->ndim, periodic);
  H5Gclose(grp);
  for (int a = 0; a < r->ndim && !e; a++) {
    per[a] = (int)periodic[a];
    if (n[a] < 1 || n[a] > (1L << 24)) {
      e = fc_error_raise(r->comm, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__, "%s: n[%d] = %ld is not a valid size",
                         ctx, a, n[a]);
      break;
    }
    e = FcMalloc(n[a], &coord[a]);
    if (e) break;
    hid_t d = fc_h5_path_exists(r->file, names[a]) > 0 ? H5Dopen2(r->file, names[a], H5P_DEFAULT) : -1;
    hid_t s = d < 0 ? -1 : H5Dget_space(d);
    if (d < 0 || H5Sget_simple_extent_npoints(s) != n[a] ||
        H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, coord[a]) < 0)
      e = fc_error_raise(r->comm, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                         "file '%s': coordinate dataset %s is missing, unreadable or not of length %ld", r->path,
                         names[a], n[a]);
    if (s >= 0) H5Sclose(s);
    if (d >= 0) H5Dclose(d);
  }
  if (!e) e = fc_grid_create_from_coords(r->ndim, n, length, per, coord, g);
  if (!e) {
    double stretch[FC_MAX_DIM];
    grp = H5Gopen2(r->file, "/grid", H5P_DEFAULT);
    if (H5Aexists(grp, "stretch") > 0 && fc_h5_attr_read_doubles(grp, ctx, "stretch", r->ndim, stretch) == 0)
      for (int a = 0; a < r->ndim; a++) (*g)->stretch[a] = stretch[a];
    H5Gclose(grp);
  }
  for (int a = 0; a < FC_MAX_DIM; a++) free(coord[a]);
  return e ? (e | FC_ERR_COLLECTIVE) : FC_SUCCESS;
}

fc_err fc_field_reader_steps(fc_field_reader *r, long *nsteps, const fc_step_info **steps)
{
  *nsteps = r->nsteps;
  *steps = r->steps;
  return FC_SUCCESS;
}

fc_err fc_field_reader_read(fc_field_reader *r, long istep, fc_field *f)
{
  if (istep < 0 || istep >= r->nsteps)
    FcRaiseComm(r->comm, FC_ERR_INPUT, "file '%s' has %ld step(s); step index %ld does not exist", r->path,
                r->nsteps, istep);
  char dset[128], ctx[PATH_MAX + 16];
  snprintf(dset, sizeof dset, "%s/%s", r->steps[istep].group, f->name);
  snprintf(ctx, sizeof ctx, "file '%s'", r->path);
  fc_axis_order o;
  fc_axis_order_native(f->grid->ndim, f->ncomp, &o);
  FcCall(fc_h5_read_slab(r->file, ctx, dset, &o, FC_PRECISION_AUTO, f));
  return FC_SUCCESS;
}

fc_err fc_field_reader_parameter(fc_field_reader *r, const char *name, double *value)
{
  char ctx[PATH_MAX + 32];
  snprintf(ctx, sizeof ctx, "file '%s', group /parameters", r->path);
  if (fc_h5_path_exists(r->file, "/parameters") <= 0) FcRaiseComm(r->comm, FC_ERR_INPUT, "%s is missing", ctx);
  hid_t g = H5Gopen2(r->file, "/parameters", H5P_DEFAULT);
  fc_err e = fc_h5_attr_read_doubles(g, ctx, name, 1, value);
  H5Gclose(g);
  return e;
}

/* ---- datasets of other codes ------------------------------------------------------- */

fc_err fc_precision_parse(const char *text, fc_precision *p)
{
  if (!strcmp(text, "auto")) *p = FC_PRECISION_AUTO;
  else if (!strcmp(text, "float32") || !strcmp(text, "single")) *p = FC_PRECISION_FLOAT32;
  else if (!strcmp(text, "float64") || !strcmp(text, "double")) *p = FC_PRECISION_FLOAT64;
  else FcRaise(FC_ERR_INPUT, "precision '%s': expected auto, float32 or float64", text);
  return FC_SUCCESS;
}

fc_err fc_external_read(MPI_Comm comm, const fc_external_spec *spec, fc_field *f)
{
  fc_axis_order o;
  hid_t file;
  char ctx[PATH_MAX + 16];
  FcCall(fc_axis_order_parse(spec->axes, f->grid->ndim, f->ncomp, &o));
  FcCall(fc_h5_open_file(comm, spec->file, 1, &file));
  snprintf(ctx, sizeof ctx, "file '%s'", spec->file);
  fc_err e = fc_h5_read_slab(file, ctx, spec->dataset, &o, spec->precision, f);
  H5Fclose(file);
  return e;
}

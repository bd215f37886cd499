/* Collective read and write of x-slabs of fields, in any dataset axis order.
 *
 * Memory holds a slab as [x][y][z][c] (channels last, x slowest). A dataset holds
 * the same global array with its axes in any order, e.g. flowcast's own z,y,x,c
 * (x fastest, as XDMF and ParaView expect) or x,y,z,c. Each rank selects the
 * hyperslab of its x-range, moves it with collective MPI-IO into a buffer in file
 * order and permutes it into memory order (or the reverse for writing). Values and
 * file contents do not depend on the number of ranks.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h5util.h"

static const char axis_letter[] = "xyzc";

void fc_axis_order_native(int ndim, int ncomp, fc_axis_order *o)
{
  int k = 0;
  for (int a = ndim - 1; a >= 0; a--) o->axes[k++] = a;
  if (ncomp > 1) o->axes[k++] = 3;
  o->nd = k;
}

void fc_axis_order_text(const fc_axis_order *o, char *buf, size_t len)
{
  size_t p = 0;
  buf[0] = 0;
  for (int k = 0; k < o->nd && p + 3 < len; k++) {
    if (k) buf[p++] = ',';
    buf[p++] = axis_letter[o->axes[k]];
  }
  buf[p] = 0;
}

fc_err fc_axis_order_parse(const char *text, int ndim, int ncomp, fc_axis_order *o)
{
  int seen[4] = {0, 0, 0, 0}, nd = 0;
  const char *expect = ndim == 3 ? "x, y and z (the grid is 3D)" : "x and y (the grid is 2D)";
  for (const char *p = text; *p; p++) {
    if (*p == ',' || *p == ' ') continue;
    const char *q = strchr(axis_letter, *p);
    int a = q ? (int)(q - axis_letter) : -1;
    if (a < 0 || (a == 2 && ndim < 3) || seen[a] || nd == 4 || (p[1] && p[1] != ',' && p[1] != ' '))
      FcRaise(FC_ERR_INPUT,
              "axis order '%s': expected %s once each, plus c for a component axis, comma-separated and "
              "slowest first (e.g. z,y,x,c)",
              text, expect);
    seen[a] = 1;
    o->axes[nd++] = a;
  }
  for (int a = 0; a < ndim; a++)
    if (!seen[a]) FcRaise(FC_ERR_INPUT, "axis order '%s' has no %c axis: expected %s (and c)", text, axis_letter[a], expect);
  if (ncomp > 1 && !seen[3])
    FcRaise(FC_ERR_INPUT, "axis order '%s' has no component axis c, but the field has %d components", text, ncomp);
  o->nd = nd;
  return FC_SUCCESS;
}

/* Global extent along memory axis a (0..3) of field f. */
static hsize_t global_extent(const fc_field *f, int a)
{
  return a == 3 ? (hsize_t)f->ncomp : (hsize_t)f->grid->n[a];
}

/* Strides (in elements) of each memory axis inside a file-order buffer of the local slab. */
static void buffer_strides(const fc_field *f, const fc_axis_order *o, long stride[4])
{
  long s = 1;
  for (int a = 0; a < 4; a++) stride[a] = 0;
  for (int k = o->nd - 1; k >= 0; k--) {
    int a = o->axes[k];
    stride[a] = s;
    s *= a == 0 ? f->decomp.nxl : (long)global_extent(f, a);
  }
}

/* dir > 0: memory -> buffer (write); dir < 0: buffer -> memory (read). esize 4 or 8. */
static void permute(const fc_field *f, const fc_axis_order *o, void *buf, size_t esize, int dir)
{
  long stride[4];
  buffer_strides(f, o, stride);
  long n0 = f->decomp.nxl, n1 = f->grid->n[1], n2 = f->grid->ndim == 3 ? f->grid->n[2] : 1, nc = f->ncomp;
  double *m = f->data;
  for (long i = 0; i < n0; i++)
    for (long j = 0; j < n1; j++)
      for (long k = 0; k < n2; k++)
        for (long c = 0; c < nc; c++, m++) {
          long off = i * stride[0] + j * stride[1] + k * stride[2] + c * stride[3];
          if (esize == 8) {
            if (dir > 0) ((double *)buf)[off] = *m;
            else *m = ((double *)buf)[off];
          } else {
            if (dir > 0) ((float *)buf)[off] = (float)*m;
            else *m = (double)((float *)buf)[off];
          }
        }
}

/* File-space selection of this rank's slab (none when it owns no x-points). */
static void select_slab(hid_t space, const fc_field *f, const fc_axis_order *o, hsize_t *count)
{
  hsize_t start[4];
  for (int k = 0; k < o->nd; k++) {
    int a = o->axes[k];
    start[k] = a == 0 ? (hsize_t)f->decomp.x0 : 0;
    count[k] = a == 0 ? (hsize_t)f->decomp.nxl : global_extent(f, a);
  }
  if (f->decomp.nxl > 0) H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL);
  else H5Sselect_none(space);
}

static hid_t collective_dxpl(void)
{
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
  return dxpl;
}

/* Moves the slab between memory and an open dataset; mem_type is NATIVE_FLOAT or NATIVE_DOUBLE. */
static fc_err transfer(hid_t dset, hid_t fspace, hid_t mem_type, const fc_field *f, const fc_axis_order *o,
                       int write, const char *ctx, const char *name)
{
  hsize_t count[4];
  size_t esize = H5Tget_size(mem_type);
  long nloc = fc_field_local_size(f);
  void *buf = NULL;
  FcCall(fc_calloc((size_t)(nloc ? nloc : 1), esize, &buf));
  select_slab(fspace, f, o, count);
  hsize_t n = (hsize_t)(nloc ? nloc : 1);
  hid_t mspace = H5Screate_simple(1, &n, NULL);
  if (!nloc) H5Sselect_none(mspace);
  hid_t dxpl = collective_dxpl();
  if (write) permute(f, o, buf, esize, +1);
  herr_t st = write ? H5Dwrite(dset, mem_type, mspace, fspace, dxpl, buf) : H5Dread(dset, mem_type, mspace, fspace, dxpl, buf);
  char msg[FC_H5_MSG_LEN] = "";
  if (st < 0) fc_h5_last_error(msg, sizeof msg);
  if (st >= 0 && !write) permute((fc_field *)f, o, buf, esize, -1);
  H5Pclose(dxpl);
  H5Sclose(mspace);
  free(buf);
  /* a failed transfer on one rank must stop every rank: agree first */
  fc_err e = fc_error_agree(f->decomp.comm, st < 0 ? FC_ERR_IO : FC_SUCCESS);
  if (e) FcRaiseComm(f->decomp.comm, write ? FC_ERR_IO : FC_ERR_INPUT, "%s: cannot %s dataset '%s'%s%s", ctx,
                     write ? "write" : "read", name, msg[0] ? ": " : " on some rank", msg);
  return FC_SUCCESS;
}

static void shape_text(int nd, const hsize_t *d, char *buf, size_t len)
{
  size_t p = 0;
  buf[0] = 0;
  for (int k = 0; k < nd && p < len; k++) p += (size_t)snprintf(buf + p, len - p, "%s%llu", k ? " x " : "", (unsigned long long)d[k]);
  if (nd == 0) snprintf(buf, len, "a scalar");
}

fc_err fc_h5_read_slab(hid_t file, const char *ctx, const char *dset, const fc_axis_order *o, fc_precision expect,
                       fc_field *f)
{
  MPI_Comm comm = f->decomp.comm;
  char order[32], have[128], want[128];
  fc_axis_order_text(o, order, sizeof order);
  htri_t exists = dset[0] ? fc_h5_path_exists(file, dset) : 0;
  if (exists <= 0) FcRaiseComm(comm, FC_ERR_INPUT, "%s: dataset '%s' does not exist", ctx, dset);
  H5O_info_t oi;
  if (H5Oget_info_by_name(file, dset, &oi, H5P_DEFAULT) < 0) {
    char msg[FC_H5_MSG_LEN];
    fc_h5_last_error(msg, sizeof msg);
    FcRaiseComm(comm, FC_ERR_INPUT, "%s: object '%s' cannot be read (corrupted?): %s", ctx, dset, msg);
  }
  if (oi.type != H5O_TYPE_DATASET)
    FcRaiseComm(comm, FC_ERR_INPUT, "%s: '%s' is a %s, expected a dataset", ctx, dset,
                oi.type == H5O_TYPE_GROUP ? "group" : "named datatype or other object");
  hid_t d = H5Dopen2(file, dset, H5P_DEFAULT);
  if (d < 0) {
    char msg[FC_H5_MSG_LEN];
    fc_h5_last_error(msg, sizeof msg);
    FcRaiseComm(comm, FC_ERR_INPUT, "%s: dataset '%s' cannot be opened (corrupted?): %s", ctx, dset, msg);
  }
  hid_t space = H5Dget_space(d), type = H5Dget_type(d);
  int nd = H5Sget_simple_extent_ndims(space);
  H5S_class_t sclass = H5Sget_simple_extent_type(space);
  hsize_t dims[H5S_MAX_RANK], expect_dims[4];
  if (nd > 0 && nd <= H5S_MAX_RANK) H5Sget_simple_extent_dims(space, dims, NULL);
  for (int k = 0; k < o->nd; k++) expect_dims[k] = global_extent(f, o->axes[k]);
  H5T_class_t tclass = H5Tget_class(type);
  size_t tsize = H5Tget_size(type);
  fc_err e = FC_SUCCESS;
  long long npts = nd > 0 ? (long long)H5Sget_simple_extent_npoints(space) : 0;
  if (sclass == H5S_NULL || (nd > 0 && npts == 0)) {
    e = FC_ERR_INPUT;
    fc_error_raise(comm, 1, e, __func__, __FILE__, __LINE__, "%s: dataset '%s' is empty (no values)", ctx, dset);
  } else if (nd != o->nd) {
    shape_text(nd, dims, have, sizeof have);
    shape_text(o->nd, expect_dims, want, sizeof want);
    e = FC_ERR_INPUT;
    fc_error_raise(comm, 1, e, __func__, __FILE__, __LINE__,
                   "%s: dataset '%s' has %d dimension(s) (%s), expected %d (%s for axes %s)", ctx, dset, nd, have,
                   o->nd, want, order);
  } else if (memcmp(dims, expect_dims, sizeof(hsize_t) * (size_t)nd) != 0) {
    shape_text(nd, dims, have, sizeof have);
    shape_text(nd, expect_dims, want, sizeof want);
    e = FC_ERR_INPUT;
    fc_error_raise(comm, 1, e, __func__, __FILE__, __LINE__,
                   "%s: dataset '%s' has shape %s, expected %s (axes %s, grid %ld x %ld%s%.0ld, %d component(s))",
                   ctx, dset, have, want, order, f->grid->n[0], f->grid->n[1], f->grid->ndim == 3 ? " x " : "",
                   f->grid->ndim == 3 ? f->grid->n[2] : 0L, f->ncomp);
  } else if (tclass != H5T_FLOAT) {
    e = FC_ERR_INPUT;
    fc_error_raise(comm, 1, e, __func__, __FILE__, __LINE__,
                   "%s: dataset '%s' has %s values, expected floating point (float32 or float64)", ctx, dset,
                   tclass == H5T_INTEGER ? "integer" : tclass == H5T_STRING ? "string" : "non-numeric");
  } else if ((tsize != 4 && tsize != 8) || (expect && tsize != (size_t)expect)) {
    e = FC_ERR_INPUT;
    fc_error_raise(comm, 1, e, __func__, __FILE__, __LINE__,
                   "%s: dataset '%s' holds %zu-byte floats, expected %s", ctx, dset, tsize,
                   expect == FC_PRECISION_FLOAT32 ? "float32 (4 bytes)" : expect == FC_PRECISION_FLOAT64 ? "float64 (8 bytes)" : "float32 or float64");
  }
  if (!e) e = transfer(d, space, tsize == 4 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE, f, o, 0, ctx, dset);
  H5Tclose(type);
  H5Sclose(space);
  H5Dclose(d);
  if (e) return e | FC_ERR_COLLECTIVE;
  char where[1024];
  snprintf(where, sizeof where, "%s, dataset '%s'", ctx, dset);
  FcCall(fc_field_check_finite(f, where));
  return FC_SUCCESS;
}

fc_err fc_h5_write_slab(hid_t loc, const char *name, fc_precision prec, const fc_field *f)
{
  fc_axis_order o;
  hsize_t dims[4];
  fc_axis_order_native(f->grid->ndim, f->ncomp, &o);
  for (int k = 0; k < o.nd; k++) dims[k] = global_extent(f, o.axes[k]);
  hid_t space = H5Screate_simple(o.nd, dims, NULL);
  hid_t ftype = prec == FC_PRECISION_FLOAT32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
  hid_t d = H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (d < 0) {
    char msg[FC_H5_MSG_LEN];
    fc_h5_last_error(msg, sizeof msg);
    H5Sclose(space);
    FcRaiseComm(f->decomp.comm, FC_ERR_IO, "cannot create dataset '%s': %s", name, msg);
  }
  fc_err e = transfer(d, space, prec == FC_PRECISION_FLOAT32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE, f, &o, 1,
                      "output file", name);
  if (!e) {
    fc_err e2 = fc_h5_attr_write_string(d, "kind", f->ncomp == 1 ? "scalar" : "vector");
    char axes[32];
    fc_axis_order_text(&o, axes, sizeof axes);
    if (!e2) e2 = fc_h5_attr_write_string(d, "axes", axes);
    e = e2;
  }
  H5Sclose(space);
  H5Dclose(d);
  return e;
}

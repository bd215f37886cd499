/* XDMF 3 sidecar of a field file, so that ParaView and VisIt open it.
 *
 * A temporal collection of rectilinear grids (3DRectMesh / 2DRectMesh with VXVYVZ /
 * VXVY geometry from /grid) with one attribute per field dataset of each step. The
 * dataset paths are relative to the sidecar, so the pair can be moved together.
 * Generated from the file's content, on rank 0, written to a temporary name and renamed.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "h5util.h"

typedef struct {
  FILE *out;
  const char *h5name; /* base name of the .h5 file */
  const char *dims;   /* "nz ny nx" */
  int ndim;
  const char *step_group;
} xdmf_ctx;

static herr_t attr_cb(hid_t grp, const char *name, const H5L_info_t *info, void *data)
{
  (void)info;
  xdmf_ctx *x = data;
  hid_t d = H5Dopen2(grp, name, H5P_DEFAULT);
  if (d < 0) return 0; /* not a dataset */
  hid_t s = H5Dget_space(d), t = H5Dget_type(d);
  int nd = H5Sget_simple_extent_ndims(s);
  hsize_t dims[H5S_MAX_RANK];
  H5Sget_simple_extent_dims(s, dims, NULL);
  size_t prec = H5Tget_size(t);
  int vector = nd == x->ndim + 1;
  if (H5Tget_class(t) == H5T_FLOAT && (nd == x->ndim || vector)) {
    const char *type = vector ? (dims[nd - 1] == 3 ? "Vector" : "Matrix") : "Scalar";
    if (vector && x->ndim == 2 && dims[nd - 1] == 2) type = "Vector"; /* ParaView pads 2-vectors */
    fprintf(x->out, "        <Attribute Name=\"%s\" AttributeType=\"%s\" Center=\"Node\">\n", name, type);
    fprintf(x->out, "          <DataItem Dimensions=\"%s", x->dims);
    if (vector) fprintf(x->out, " %llu", (unsigned long long)dims[nd - 1]);
    fprintf(x->out, "\" NumberType=\"Float\" Precision=\"%zu\" Format=\"HDF\">%s:%s/%s</DataItem>\n", prec,
            x->h5name, x->step_group, name);
    fprintf(x->out, "        </Attribute>\n");
  }
  H5Tclose(t);
  H5Sclose(s);
  H5Dclose(d);
  return 0;
}

static fc_err xdmf_body(const char *h5_path, FILE *out)
{
  hid_t file;
  FcCall(fc_h5_open_file(MPI_COMM_SELF, h5_path, 0, &file));
  char ctx[PATH_MAX + 16];
  snprintf(ctx, sizeof ctx, "file '%s'", h5_path);
  long ndim = 0, n[FC_MAX_DIM];
  fc_err e = fc_h5_attr_read_longs(file, ctx, "ndim", 1, &ndim);
  hid_t grid = e ? -1 : H5Gopen2(file, "/grid", H5P_DEFAULT);
  if (!e && (ndim < 2 || ndim > 3)) e = FC_ERR_INPUT;
  if (!e) e = grid < 0 ? FC_ERR_INPUT : fc_h5_attr_read_longs(grid, ctx, "n", (int)ndim, n);
  if (grid >= 0) H5Gclose(grid);
  if (e) {
    H5Fclose(file);
    return e;
  }
  const char *base = strrchr(h5_path, '/');
  base = base ? base + 1 : h5_path;
  char dims[96];
  if (ndim == 3) snprintf(dims, sizeof dims, "%ld %ld %ld", n[2], n[1], n[0]);
  else snprintf(dims, sizeof dims, "%ld %ld", n[1], n[0]);

  fprintf(out, "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n");
  fprintf(out, "<Xdmf Version=\"3.0\" xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n  <Domain>\n");
  fprintf(out, "    <Grid Name=\"fields\" GridType=\"Collection\" CollectionType=\"Temporal\">\n");
  hid_t steps = H5Lexists(file, "/steps", H5P_DEFAULT) > 0 ? H5Gopen2(file, "/steps", H5P_DEFAULT) : -1;
  H5G_info_t gi = {0};
  if (steps >= 0) H5Gget_info(steps, &gi);
  for (hsize_t i = 0; i < gi.nlinks; i++) {
    char name[64], group[96];
    if (H5Lget_name_by_idx(steps, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT) < 0) continue;
    snprintf(group, sizeof group, "/steps/%s", name);
    double time = 0;
    long step = 0;
    hid_t g = H5Gopen2(file, group, H5P_DEFAULT);
    if (g < 0) continue;
    if (fc_h5_attr_read_doubles(g, ctx, "time", 1, &time) || fc_h5_attr_read_longs(g, ctx, "step", 1, &step)) {
      H5Gclose(g);
      continue;
    }
    fprintf(out, "      <Grid Name=\"step %ld\" GridType=\"Uniform\">\n", step);
    fprintf(out, "        <Time Value=\"%.17g\" />\n", time);
    fprintf(out, "        <Topology TopologyType=\"%s\" Dimensions=\"%s\" />\n", ndim == 3 ? "3DRectMesh" : "2DRectMesh",
            dims);
    fprintf(out, "        <Geometry GeometryType=\"%s\">\n", ndim == 3 ? "VXVYVZ" : "VXVY");
    for (int a = 0; a < ndim; a++)
      fprintf(out,
              "          <DataItem Dimensions=\"%ld\" NumberType=\"Float\" Precision=\"8\" "
              "Format=\"HDF\">%s:/grid/%c</DataItem>\n",
              n[a], base, "xyz"[a]);
    fprintf(out, "        </Geometry>\n");
    xdmf_ctx x = {out, base, dims, (int)ndim, group};
    H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, attr_cb, &x);
    H5Gclose(g);
    fprintf(out, "      </Grid>\n");
  }
  if (steps >= 0) H5Gclose(steps);
  fprintf(out, "    </Grid>\n  </Domain>\n</Xdmf>\n");
  H5Fclose(file);
  return FC_SUCCESS;
}

fc_err fc_xdmf_write(MPI_Comm comm, const char *h5_path, const char *xmf_path)
{
  int rank;
  fc_err e = FC_SUCCESS;
  char path[PATH_MAX], tmp[PATH_MAX + 16];
  FcCallMPI(MPI_Comm_rank(comm, &rank));
  if (xmf_path) snprintf(path, sizeof path, "%s", xmf_path);
  else fc_xdmf_path(h5_path, path, sizeof path);
  if (rank == 0) {
    snprintf(tmp, sizeof tmp, "%s.partial", path);
    FILE *out = fopen(tmp, "w");
    if (!out) e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_IO, __func__, __FILE__, __LINE__, "cannot write '%s'", tmp);
    if (!e) {
      e = xdmf_body(h5_path, out);
      if (fclose(out) != 0 && !e) e = FC_ERR_IO;
      if (!e && rename(tmp, path) != 0) e = FC_ERR_IO;
      if (e) {
        unlink(tmp);
        fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_IO, __func__, __FILE__, __LINE__, "cannot write XDMF file '%s'", path);
      }
    }
  }
  return fc_error_from_rank0(comm, e);
}

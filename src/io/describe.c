/* `flowcast info FILE.h5`: describes any HDF5 file, field files in their own terms.
 *
 * Every floating-point dataset is read once to report its range; NaN or Inf in any of
 * them, or an object that cannot be read (corruption), is an error after the listing. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_checkpoint.h"
#include "h5util.h"

typedef struct {
  FILE *out;
  const char *path;
  char bad[1024]; /* first problem found (non-finite values, unreadable object) */
  int nbad;
} describe_ctx;

static void note_bad(describe_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_bad(describe_ctx *c, const char *fmt, ...)
{
  if (c->nbad++) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->bad, sizeof c->bad, fmt, ap);
  va_end(ap);
}

static void type_text(hid_t t, char *buf, size_t len)
{
  size_t sz = H5Tget_size(t);
  switch (H5Tget_class(t)) {
  case H5T_FLOAT: snprintf(buf, len, "float%zu", 8 * sz); break;
  case H5T_INTEGER: snprintf(buf, len, "%sint%zu", H5Tget_sign(t) == H5T_SGN_NONE ? "u" : "", 8 * sz); break;
  case H5T_STRING: snprintf(buf, len, "string"); break;
  case H5T_COMPOUND: snprintf(buf, len, "compound"); break;
  default: snprintf(buf, len, "other"); break;
  }
}

/* Shape, type and, for floats, range of a dataset: "32 x 32 x 3 float64 [-1, 1]". */
static void dataset_text(describe_ctx *c, hid_t d, const char *name, char *buf, size_t len)
{
  hid_t s = H5Dget_space(d), t = H5Dget_type(d);
  int nd = H5Sget_simple_extent_ndims(s);
  hsize_t dims[H5S_MAX_RANK];
  char tt[32];
  size_t p = 0;
  type_text(t, tt, sizeof tt);
  if (nd > 0) H5Sget_simple_extent_dims(s, dims, NULL);
  if (H5Sget_simple_extent_type(s) == H5S_NULL) p += (size_t)snprintf(buf, len, "empty (null dataspace)");
  else if (nd == 0) p += (size_t)snprintf(buf, len, "scalar");
  for (int k = 0; k < nd && p < len; k++) p += (size_t)snprintf(buf + p, len - p, "%s%llu", k ? " x " : "", (unsigned long long)dims[k]);
  if (p < len) p += (size_t)snprintf(buf + p, len - p, " %s", tt);
  hssize_t n = H5Sget_simple_extent_npoints(s);
  if (H5Tget_class(t) == H5T_FLOAT && n > 0 && n < (1LL << 28)) {
    double *v = malloc(sizeof(double) * (size_t)n);
    if (v && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0) {
      double lo = INFINITY, hi = -INFINITY;
      long long nonfinite = 0, first = -1;
      for (hssize_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) {
          if (!nonfinite++) first = (long long)i;
        }
        else {
          lo = v[i] < lo ? v[i] : lo;
          hi = v[i] > hi ? v[i] : hi;
        }
      }
      if (p < len) p += (size_t)snprintf(buf + p, len - p, "  range [%.6g, %.6g]", lo, hi);
      if (nonfinite) {
        if (p < len) snprintf(buf + p, len - p, "  %lld NaN/Inf value(s)", nonfinite);
        char at[128] = "";
        size_t q = 0;
        long long rem = first; /* the dataset index of the first bad value */
        hsize_t idx[H5S_MAX_RANK];
        for (int k = nd - 1; k >= 0; k--) {
          idx[k] = (hsize_t)(rem % (long long)dims[k]);
          rem /= (long long)dims[k];
        }
        for (int k = 0; k < nd && q < sizeof at; k++)
          q += (size_t)snprintf(at + q, sizeof at - q, "%s%llu", k ? ", " : "", (unsigned long long)idx[k]);
        note_bad(c, "dataset '/%s' holds %lld NaN/Inf value(s); the first at index (%s)", name, nonfinite, at);
      }
    } else {
      char msg[FC_H5_MSG_LEN];
      fc_h5_last_error(msg, sizeof msg);
      if (p < len) snprintf(buf + p, len - p, "  UNREADABLE");
      note_bad(c, "dataset '/%s' cannot be read (corrupted?): %.400s", name, msg);
    }
    free(v);
  } else if (n == 0 && p < len) {
    snprintf(buf + p, len - p, "  (no values)");
  }
  H5Tclose(t);
  H5Sclose(s);
}

static herr_t attr_cb(hid_t loc, const char *name, const H5A_info_t *ainfo, void *data)
{
  (void)ainfo;
  describe_ctx *c = data;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  if (a < 0) return 0;
  hid_t t = H5Aget_type(a), s = H5Aget_space(a);
  hssize_t n = H5Sget_simple_extent_npoints(s);
  fprintf(c->out, "      @%s = ", name);
  if (H5Tget_class(t) == H5T_STRING) {
    char buf[4096];
    if (fc_h5_attr_read_string(loc, "attribute", name, buf, sizeof buf) == 0) {
      char *nl = strchr(buf, '\n');
      if (nl) *nl = 0;
      fprintf(c->out, "\"%.100s\"%s", buf, strlen(buf) > 100 || nl ? " ..." : "");
    }
  } else if ((H5Tget_class(t) == H5T_INTEGER || H5Tget_class(t) == H5T_FLOAT) && n > 0 && n <= 64) {
    double v[64];
    if (H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0)
      for (hssize_t i = 0; i < n && i < 8; i++) fprintf(c->out, "%s%.10g", i ? ", " : "", v[i]);
    if (n > 8) fprintf(c->out, ", ... (%lld values)", (long long)n);
  } else {
    char tt[32];
    type_text(t, tt, sizeof tt);
    fprintf(c->out, "(%lld %s values)", (long long)n, tt);
  }
  fprintf(c->out, "\n");
  H5Sclose(s);
  H5Tclose(t);
  H5Aclose(a);
  return 0;
}

static herr_t visit_cb(hid_t root, const char *name, const H5O_info_t *info, void *data)
{
  describe_ctx *c = data;
  char line[1024];
  if (info->type == H5O_TYPE_GROUP) fprintf(c->out, "  /%s (group)\n", strcmp(name, ".") ? name : "");
  else if (info->type == H5O_TYPE_DATASET) {
    hid_t d = H5Dopen2(root, name, H5P_DEFAULT);
    if (d < 0) {
      char msg[FC_H5_MSG_LEN];
      fc_h5_last_error(msg, sizeof msg);
      note_bad(c, "object '/%s' cannot be opened (corrupted?): %.400s", name, msg);
      return 0;
    }
    dataset_text(c, d, name, line, sizeof line);
    fprintf(c->out, "  /%s: %s\n", name, line);
    H5Dclose(d);
  } else fprintf(c->out, "  /%s (other object)\n", name);
  H5Aiterate_by_name(root, name, H5_INDEX_NAME, H5_ITER_INC, NULL, attr_cb, c, H5P_DEFAULT);
  return 0;
}

/* The flowcast view of a field file: grid, parameters and steps, before the full tree. */
static void describe_field_file(describe_ctx *c, hid_t file)
{
  char ctx[PATH_MAX + 16], text[256];
  long ndim = 0, n[FC_MAX_DIM] = {0}, periodic[FC_MAX_DIM] = {0};
  double length[FC_MAX_DIM] = {0}, stretch[FC_MAX_DIM] = {0};
  snprintf(ctx, sizeof ctx, "file '%s'", c->path);
  if (fc_h5_attr_read_longs(file, ctx, "ndim", 1, &ndim) || ndim < 2 || ndim > 3) return;
  if (fc_h5_attr_read_string(file, ctx, "flowcast_version", text, sizeof text) == 0)
    fprintf(c->out, "flowcast field file (schema %s), written by flowcast %s", FC_SCHEMA_NAME, text);
  if (fc_h5_attr_read_string(file, ctx, "created", text, sizeof text) == 0) fprintf(c->out, " on %s", text);
  fprintf(c->out, "\n");
  hid_t g = H5Gopen2(file, "/grid", H5P_DEFAULT);
  if (g >= 0 && !fc_h5_attr_read_longs(g, ctx, "n", (int)ndim, n) &&
      !fc_h5_attr_read_doubles(g, ctx, "length", (int)ndim, length) &&
      !fc_h5_attr_read_longs(g, ctx, "periodic", (int)ndim, periodic)) {
    fc_h5_attr_read_doubles(g, ctx, "stretch", (int)ndim, stretch);
    fprintf(c->out, "grid: %ldD, %ld x %ld", ndim, n[0], n[1]);
    if (ndim == 3) fprintf(c->out, " x %ld", n[2]);
    fprintf(c->out, " points (x, y%s)\n", ndim == 3 ? ", z" : "");
    for (int a = 0; a < ndim; a++)
      fprintf(c->out, "  %c: length %.6g, %s, %s\n", "xyz"[a], length[a], periodic[a] ? "periodic" : "walls",
              stretch[a] > 0 ? "tanh-stretched" : "uniform");
  }
  if (g >= 0) H5Gclose(g);
  hid_t p = H5Lexists(file, "/provenance", H5P_DEFAULT) > 0 ? H5Gopen2(file, "/provenance", H5P_DEFAULT) : -1;
  if (p >= 0) {
    if (fc_h5_attr_read_string(p, ctx, "command_line", text, sizeof text) == 0) fprintf(c->out, "command line: %s\n", text);
    if (fc_h5_attr_read_string(p, ctx, "case_file_path", text, sizeof text) == 0 && text[0])
      fprintf(c->out, "case file: %s (full text in /provenance/case_file)\n", text);
    H5Gclose(p);
  }
  hid_t s = H5Lexists(file, "/steps", H5P_DEFAULT) > 0 ? H5Gopen2(file, "/steps", H5P_DEFAULT) : -1;
  H5G_info_t gi = {0};
  if (s >= 0 && H5Gget_info(s, &gi) >= 0) {
    double t0 = 0, t1 = 0;
    long s0 = 0, s1 = 0;
    for (int end = 0; end < 2 && gi.nlinks > 0; end++) {
      char name[64];
      hsize_t i = end ? gi.nlinks - 1 : 0;
      if (H5Lget_name_by_idx(s, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT) < 0) continue;
      hid_t sg = H5Gopen2(s, name, H5P_DEFAULT);
      if (sg < 0) continue;
      fc_h5_attr_read_doubles(sg, ctx, "time", 1, end ? &t1 : &t0);
      fc_h5_attr_read_longs(sg, ctx, "step", 1, end ? &s1 : &s0);
      H5Gclose(sg);
    }
    fprintf(c->out, "steps: %llu", (unsigned long long)gi.nlinks);
    if (gi.nlinks) fprintf(c->out, " (step %ld to %ld, time %.6g to %.6g)", s0, s1, t0, t1);
    fprintf(c->out, "\n");
  }
  if (s >= 0) H5Gclose(s);
}

/* Counts the tensors and values of a group of float datasets (/params). */
static herr_t count_cb(hid_t grp, const char *name, const H5L_info_t *info, void *data)
{
  (void)info;
  long long *n = data;
  hid_t d = H5Dopen2(grp, name, H5P_DEFAULT);
  if (d < 0) return 0;
  hid_t s = H5Dget_space(d);
  n[0]++;
  n[1] += H5Sget_simple_extent_npoints(s);
  H5Sclose(s);
  H5Dclose(d);
  return 0;
}

/* The flowcast view of a checkpoint: model, size, training state. */
static void describe_checkpoint(describe_ctx *c, hid_t file)
{
  char text[256];
  fprintf(c->out, "flowcast checkpoint (schema flowcast.checkpoint)");
  if (fc_h5_attr_read_string(file, "checkpoint", "model_type", text, sizeof text) == 0) fprintf(c->out, " of model '%s'", text);
  if (fc_h5_attr_read_string(file, "checkpoint", "flowcast_version", text, sizeof text) == 0)
    fprintf(c->out, ", written by flowcast %s", text);
  fprintf(c->out, "\n");
  long long n[2] = {0, 0};
  hid_t g = H5Lexists(file, "/params", H5P_DEFAULT) > 0 ? H5Gopen2(file, "/params", H5P_DEFAULT) : -1;
  if (g >= 0) {
    H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, count_cb, n);
    H5Gclose(g);
    fprintf(c->out, "parameters: %lld values in %lld tensors\n", n[1], n[0]);
  }
  long step = 0, epoch = 0;
  g = H5Lexists(file, "/training", H5P_DEFAULT) > 0 ? H5Gopen2(file, "/training", H5P_DEFAULT) : -1;
  if (g >= 0 && !fc_h5_attr_read_longs(g, "checkpoint", "step", 1, &step) &&
      !fc_h5_attr_read_longs(g, "checkpoint", "epoch", 1, &epoch))
    fprintf(c->out, "training: step %ld, epoch %ld%s\n", step, epoch,
            H5Lexists(file, "/optimizer", H5P_DEFAULT) > 0 ? ", optimizer moments saved" : "");
  if (g >= 0) H5Gclose(g);
}

static fc_err describe_rank0(const char *path, FILE *out)
{
  hid_t file;
  FcCall(fc_h5_open_file(MPI_COMM_SELF, path, 0, &file));
  describe_ctx c = {out, path, "", 0};
  char schema[64] = "";
  fprintf(out, "%s\n", path);
  if (H5Aexists(file, "schema") > 0) fc_h5_attr_read_string(file, "file", "schema", schema, sizeof schema);
  if (strcmp(schema, FC_SCHEMA_NAME) == 0) describe_field_file(&c, file);
  else if (strcmp(schema, FC_CHECKPOINT_SCHEMA) == 0) describe_checkpoint(&c, file);
  else fprintf(out, "HDF5 file (not a flowcast field file or checkpoint)\n");
  fprintf(out, "contents:\n");
  if (H5Ovisit(file, H5_INDEX_NAME, H5_ITER_INC, visit_cb, &c) < 0 && !c.nbad) {
    char msg[FC_H5_MSG_LEN];
    fc_h5_last_error(msg, sizeof msg);
    note_bad(&c, "the object tree cannot be walked (corrupted?): %.400s", msg);
  }
  H5Fclose(file);
  if (c.nbad) FcRaiseComm(MPI_COMM_SELF, FC_ERR_INPUT, "file '%s': %s%s", path, c.bad, c.nbad > 1 ? " (and more problems)" : "");
  return FC_SUCCESS;
}

fc_err fc_h5_describe(MPI_Comm comm, const char *path, FILE *out)
{
  int rank;
  fc_err e = FC_SUCCESS;
  FcCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) e = describe_rank0(path, out);
  fflush(out);
  return fc_error_from_rank0(comm, e);
}

/* Checkpoints: rank 0 writes NAME.partial with serial HDF5 and renames it; loading is
 * done by rank 0, checked against the model being built, and broadcast. */
#include <errno.h>
#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fc_checkpoint.h"
#include "fc_version.h"
#include "h5util.h"

static fc_err write_tensor(hid_t grp, const char *name, const float *data, int ndim, const long *shape)
{
  hsize_t dims[4];
  for (int a = 0; a < ndim; a++) dims[a] = (hsize_t)shape[a];
  hid_t s = H5Screate_simple(ndim, dims, NULL);
  hid_t d = H5Dcreate2(grp, name, H5T_IEEE_F32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  herr_t st = d < 0 ? -1 : H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  if (d >= 0) H5Dclose(d);
  H5Sclose(s);
  if (st < 0) FcRaiseComm(MPI_COMM_SELF, FC_ERR_IO, "cannot write tensor '%s'", name);
  return FC_SUCCESS;
}

static fc_err write_slab(hid_t file, const char *group, const fc_params *p, const float *slab)
{
  hid_t g = H5Gcreate2(file, group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) FcRaiseComm(MPI_COMM_SELF, FC_ERR_IO, "cannot create group %s", group);
  fc_err e = FC_SUCCESS;
  for (int i = 0; i < p->ntensors && !e; i++) {
    const fc_tensor_info *t = &p->t[i];
    e = write_tensor(g, t->name, slab + t->offset, t->ndim, t->shape);
    if (!e && !strcmp(group, "/params")) {
      hid_t d = H5Dopen2(g, t->name, H5P_DEFAULT);
      long tr = t->trainable;
      e = fc_h5_attr_write_longs(d, "trainable", 1, &tr);
      H5Dclose(d);
    }
  }
  H5Gclose(g);
  return e;
}

static fc_err save_rank0(const char *path, const fc_checkpoint *ck)
{
  char partial[PATH_MAX + 16], created[64];
  snprintf(partial, sizeof partial, "%s.partial", path);
  hid_t f = H5Fcreate(partial, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) {
    char msg[FC_H5_MSG_LEN];
    fc_h5_last_error(msg, sizeof msg);
    FcRaiseComm(MPI_COMM_SELF, FC_ERR_IO, "cannot create checkpoint '%s': %s", partial, msg);
  }
  time_t now = time(NULL);
  struct tm tmv;
  strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tmv));
  long version = FC_CHECKPOINT_VERSION, counts[2] = {ck->step, ck->epoch};
  long rng[2] = {(long)ck->rng_seed, (long)ck->rng_counter};
  fc_err e = fc_h5_attr_write_string(f, "schema", FC_CHECKPOINT_SCHEMA);
  if (!e) e = fc_h5_attr_write_longs(f, "schema_version", 1, &version);
  if (!e) e = fc_h5_attr_write_string(f, "flowcast_version", FC_VERSION);
  if (!e) e = fc_h5_attr_write_string(f, "created", created);
  if (!e) e = fc_h5_attr_write_string(f, "model_type", ck->model_type);
  hid_t g = e ? -1 : H5Gcreate2(f, "/model", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  for (int i = 0; i < ck->nhparams && !e; i++)
    e = ck->hparams[i].is_text ? fc_h5_attr_write_string(g, ck->hparams[i].name, ck->hparams[i].text)
                               : fc_h5_attr_write_doubles(g, ck->hparams[i].name, 1, &ck->hparams[i].value);
  if (g >= 0) H5Gclose(g);
  if (!e) e = write_slab(f, "/params", ck->params, ck->params->data);
  g = e ? -1 : H5Gcreate2(f, "/training", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (!e) e = fc_h5_attr_write_longs(g, "step", 1, &counts[0]);
  if (!e) e = fc_h5_attr_write_longs(g, "epoch", 1, &counts[1]);
  if (!e) e = fc_h5_attr_write_longs(g, "rng_seed", 1, &rng[0]);
  if (!e) e = fc_h5_attr_write_longs(g, "rng_counter", 1, &rng[1]);
  if (g >= 0) H5Gclose(g);
  if (!e && ck->with_optimizer) {
    g = H5Gcreate2(f, "/optimizer", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    e = fc_h5_attr_write_string(g, "kind", ck->optimizer ? ck->optimizer : "adamw");
    H5Gclose(g);
    if (!e) e = write_slab(f, "/optimizer/m", ck->params, ck->params->m);
    if (!e) e = write_slab(f, "/optimizer/v", ck->params, ck->params->v);
  }
  if (!e && ck->narrays) {
    g = H5Gcreate2(f, "/normalization", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    for (int i = 0; i < ck->narrays && !e; i++) e = write_tensor(g, ck->arrays[i].name, ck->arrays[i].data, 1, &ck->arrays[i].size);
    H5Gclose(g);
  }
  if (H5Fclose(f) < 0 && !e) e = FC_ERR_IO;
  if (!e && rename(partial, path) != 0)
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_IO, __func__, __FILE__, __LINE__, "cannot rename '%s' to '%s': %s",
                       partial, path, strerror(errno));
  if (e) {
    unlink(partial);
    return e;
  }
  return FC_SUCCESS;
}

fc_err fc_checkpoint_save(MPI_Comm comm, const char *path, const fc_checkpoint *ck)
{
  int rank;
  fc_err e = FC_SUCCESS;
  FcCallMPI(MPI_Comm_rank(comm, &rank));
  FcCall(fc_output_prepare(comm, path));
  if (rank == 0) e = save_rank0(path, ck);
  return fc_error_from_rank0(comm, e);
}

/* ---- loading ------------------------------------------------------------------------ */

static fc_err read_tensor(hid_t grp, const char *ctx, const char *group, const char *name, float *data, int ndim,
                          const long *shape)
{
  if (fc_h5_path_exists(grp, name) <= 0)
    FcRaiseComm(MPI_COMM_SELF, FC_ERR_INPUT, "%s: tensor '%s/%s' is missing (the checkpoint is for another model)", ctx, group, name);
  hid_t d = H5Dopen2(grp, name, H5P_DEFAULT);
  hid_t s = d < 0 ? -1 : H5Dget_space(d);
  hid_t t = d < 0 ? -1 : H5Dget_type(d);
  int nd = s < 0 ? -1 : H5Sget_simple_extent_ndims(s);
  hsize_t dims[H5S_MAX_RANK];
  int same = nd == ndim && t >= 0 && H5Tget_class(t) == H5T_FLOAT;
  if (same) {
    H5Sget_simple_extent_dims(s, dims, NULL);
    for (int a = 0; a < nd; a++) same &= dims[a] == (hsize_t)shape[a];
  }
  herr_t st = same ? H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) : -1;
  char have[96] = "", want[96] = "";
  size_t ph = 0, pw = 0;
  for (int a = 0; nd > 0 && a < nd && !same && ph < sizeof have; a++)
    ph += (size_t)snprintf(have + ph, sizeof have - ph, "%s%llu", a ? " x " : "", (unsigned long long)dims[a]);
  for (int a = 0; a < ndim && pw < sizeof want; a++) pw += (size_t)snprintf(want + pw, sizeof want - pw, "%s%ld", a ? " x " : "", shape[a]);
  if (t >= 0) H5Tclose(t);
  if (s >= 0) H5Sclose(s);
  if (d >= 0) H5Dclose(d);
  if (!same) {
    if (nd >= 0 && nd != ndim) snprintf(have, sizeof have, "%d dimension(s)", nd);
    FcRaiseComm(MPI_COMM_SELF, FC_ERR_INPUT, "%s: tensor '%s/%s' has shape %s, this model needs %s", ctx, group, name,
                have[0] ? have : "(unreadable)", want);
  }
  if (st < 0) FcRaiseComm(MPI_COMM_SELF, FC_ERR_INPUT, "%s: tensor '%s/%s' cannot be read (corrupted?)", ctx, group, name);
  long n = 1;
  for (int a = 0; a < ndim; a++) n *= shape[a];
  for (long j = 0; j < n; j++)
    if (!isfinite(data[j]))
      FcRaiseComm(MPI_COMM_SELF, FC_ERR_NONFINITE, "%s: tensor '%s/%s' holds NaN/Inf values (element %ld)", ctx, group,
                  name, j);
  return FC_SUCCESS;
}

static fc_err read_slab(hid_t f, const char *ctx, const char *group, fc_params *p, float *slab)
{
  if (fc_h5_path_exists(f, group) <= 0) FcRaiseComm(MPI_COMM_SELF, FC_ERR_INPUT, "%s: group %s is missing", ctx, group);
  hid_t g = H5Gopen2(f, group, H5P_DEFAULT);
  fc_err e = FC_SUCCESS;
  for (int i = 0; i < p->ntensors && !e; i++)
    e = read_tensor(g, ctx, group, p->t[i].name, slab + p->t[i].offset, p->t[i].ndim, p->t[i].shape);
  H5G_info_t gi;
  if (!e && H5Gget_info(g, &gi) >= 0 && gi.nlinks != (hsize_t)p->ntensors)
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "%s: group %s holds %llu tensors, this model has %d (the checkpoint is for another model)", ctx,
                       group, (unsigned long long)gi.nlinks, p->ntensors);
  H5Gclose(g);
  return e;
}

static fc_err check_model(hid_t f, const char *ctx, const fc_checkpoint *ck)
{
  char buf[256];
  FcCall(fc_h5_attr_read_string(f, ctx, "schema", buf, sizeof buf));
  if (strcmp(buf, FC_CHECKPOINT_SCHEMA))
    FcRaiseComm(MPI_COMM_SELF, FC_ERR_INPUT, "%s has schema '%s', expected '%s' (is it a field file?)", ctx, buf,
                FC_CHECKPOINT_SCHEMA);
  FcCall(fc_h5_attr_read_string(f, ctx, "model_type", buf, sizeof buf));
  if (strcmp(buf, ck->model_type))
    FcRaiseComm(MPI_COMM_SELF, FC_ERR_INPUT, "%s is a checkpoint of model '%s'; this run builds '%s'", ctx, buf,
                ck->model_type);
  hid_t g = H5Gopen2(f, "/model", H5P_DEFAULT);
  if (g < 0) FcRaiseComm(MPI_COMM_SELF, FC_ERR_INPUT, "%s: group /model is missing", ctx);
  fc_err e = FC_SUCCESS;
  for (int i = 0; i < ck->nhparams && !e; i++) {
    const fc_hparam *h = &ck->hparams[i];
    if (h->is_text) {
      e = fc_h5_attr_read_string(g, ctx, h->name, buf, sizeof buf);
      if (!e && strcmp(buf, h->text))
        e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                           "%s: model hyper-parameter '%s' is '%s' in the checkpoint and '%s' in this run", ctx, h->name,
                           buf, h->text);
    } else {
      double v;
      e = fc_h5_attr_read_doubles(g, ctx, h->name, 1, &v);
      if (!e && v != h->value)
        e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                           "%s: model hyper-parameter '%s' is %g in the checkpoint and %g in this run", ctx, h->name, v,
                           h->value);
    }
  }
  H5Gclose(g);
  return e;
}

static fc_err load_rank0(const char *path, fc_checkpoint *ck)
{
  hid_t f;
  char ctx[PATH_MAX + 32];
  snprintf(ctx, sizeof ctx, "checkpoint '%s'", path);
  FcCall(fc_h5_open_file(MPI_COMM_SELF, path, 0, &f));
  fc_err e = H5Aexists(f, "schema") > 0
                 ? check_model(f, ctx, ck)
                 : fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                                  "%s is HDF5 but not a flowcast checkpoint (no 'schema' attribute)", ctx);
  if (!e) e = read_slab(f, ctx, "/params", ck->params, ck->params->data);
  if (!e && ck->with_optimizer) e = read_slab(f, ctx, "/optimizer/m", ck->params, ck->params->m);
  if (!e && ck->with_optimizer) e = read_slab(f, ctx, "/optimizer/v", ck->params, ck->params->v);
  long v[4] = {0, 0, 0, 0};
  hid_t g = e ? -1 : H5Gopen2(f, "/training", H5P_DEFAULT);
  if (!e && g < 0) e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__, "%s: group /training is missing", ctx);
  if (!e) e = fc_h5_attr_read_longs(g, ctx, "step", 1, &v[0]);
  if (!e) e = fc_h5_attr_read_longs(g, ctx, "epoch", 1, &v[1]);
  if (!e) e = fc_h5_attr_read_longs(g, ctx, "rng_seed", 1, &v[2]);
  if (!e) e = fc_h5_attr_read_longs(g, ctx, "rng_counter", 1, &v[3]);
  if (g >= 0) H5Gclose(g);
  ck->step = v[0];
  ck->epoch = v[1];
  ck->rng_seed = (unsigned long long)v[2];
  ck->rng_counter = (unsigned long long)v[3];
  if (!e && ck->narrays) {
    g = fc_h5_path_exists(f, "/normalization") > 0 ? H5Gopen2(f, "/normalization", H5P_DEFAULT) : -1;
    if (g < 0) e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__, "%s: group /normalization is missing", ctx);
    for (int i = 0; i < ck->narrays && !e; i++)
      e = read_tensor(g, ctx, "/normalization", ck->arrays[i].name, ck->arrays[i].data, 1, &ck->arrays[i].size);
    if (g >= 0) H5Gclose(g);
  }
  H5Fclose(f);
  return e;
}

static fc_err bcast_floats(float *p, long n, MPI_Comm comm)
{
  const long chunk = 1L << 30;
  for (long o = 0; o < n; o += chunk) FcCallMPI(MPI_Bcast(p + o, (int)(n - o < chunk ? n - o : chunk), MPI_FLOAT, 0, comm));
  return FC_SUCCESS;
}

fc_err fc_checkpoint_load(MPI_Comm comm, const char *path, fc_checkpoint *ck)
{
  int rank;
  fc_err e = FC_SUCCESS;
  FcCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) e = load_rank0(path, ck);
  FcCall(fc_error_from_rank0(comm, e));
  FcCall(bcast_floats(ck->params->data, ck->params->n, comm));
  if (ck->with_optimizer) {
    FcCall(bcast_floats(ck->params->m, ck->params->n, comm));
    FcCall(bcast_floats(ck->params->v, ck->params->n, comm));
  }
  long v[4] = {ck->step, ck->epoch, (long)ck->rng_seed, (long)ck->rng_counter};
  FcCallMPI(MPI_Bcast(v, 4, MPI_LONG, 0, comm));
  ck->step = v[0];
  ck->epoch = v[1];
  ck->rng_seed = (unsigned long long)v[2];
  ck->rng_counter = (unsigned long long)v[3];
  for (int i = 0; i < ck->narrays; i++) FcCall(bcast_floats(ck->arrays[i].data, ck->arrays[i].size, comm));
  return FC_SUCCESS;
}

/* ---- reading the model description only ------------------------------------------- */

typedef struct {
  fc_hparam *h;
  int max, n;
} peek_ctx;

static herr_t peek_cb(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
  (void)info;
  peek_ctx *p = data;
  if (p->n >= p->max) return 1;
  fc_hparam *h = &p->h[p->n];
  memset(h, 0, sizeof *h);
  snprintf(h->name, sizeof h->name, "%s", name);
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT), t = H5Aget_type(a);
  if (H5Tget_class(t) == H5T_STRING) {
    h->is_text = 1;
    fc_h5_attr_read_string(loc, "checkpoint", name, h->text, sizeof h->text);
  } else H5Aread(a, H5T_NATIVE_DOUBLE, &h->value);
  H5Tclose(t);
  H5Aclose(a);
  p->n++;
  return 0;
}

static fc_err peek_rank0(const char *path, char *type, size_t len, peek_ctx *p)
{
  hid_t f;
  char ctx[PATH_MAX + 32], schema[64] = "";
  snprintf(ctx, sizeof ctx, "checkpoint '%s'", path);
  FcCall(fc_h5_open_file(MPI_COMM_SELF, path, 0, &f));
  fc_err e = H5Aexists(f, "schema") > 0 ? fc_h5_attr_read_string(f, ctx, "schema", schema, sizeof schema) : FC_SUCCESS;
  if (!e && strcmp(schema, FC_CHECKPOINT_SCHEMA))
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "%s is not a flowcast checkpoint (schema '%s', expected '%s')", ctx, schema, FC_CHECKPOINT_SCHEMA);
  if (!e) e = fc_h5_attr_read_string(f, ctx, "model_type", type, len);
  hid_t g = !e && fc_h5_path_exists(f, "/model") > 0 ? H5Gopen2(f, "/model", H5P_DEFAULT) : -1;
  if (!e && g < 0) e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__, "%s: group /model is missing", ctx);
  if (!e) H5Aiterate2(g, H5_INDEX_NAME, H5_ITER_INC, NULL, peek_cb, p);
  if (g >= 0) H5Gclose(g);
  H5Fclose(f);
  return e;
}

fc_err fc_checkpoint_peek(MPI_Comm comm, const char *path, char *model_type, size_t len, fc_hparam *h, int max, int *n)
{
  int rank;
  peek_ctx p = {h, max, 0};
  fc_err e = FC_SUCCESS;
  FcCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) e = peek_rank0(path, model_type, len, &p);
  FcCall(fc_error_from_rank0(comm, e));
  FcCallMPI(MPI_Bcast(&p.n, 1, MPI_INT, 0, comm));
  FcCallMPI(MPI_Bcast(model_type, (int)len, MPI_CHAR, 0, comm));
  FcCallMPI(MPI_Bcast(h, (int)(sizeof *h * (size_t)p.n), MPI_BYTE, 0, comm));
  *n = p.n;
  return FC_SUCCESS;
}

fc_err fc_hparam_get(const fc_hparam *h, int n, const char *name, const char *path, double *value)
{
  for (int i = 0; i < n; i++)
    if (!strcmp(h[i].name, name) && !h[i].is_text) {
      *value = h[i].value;
      return FC_SUCCESS;
    }
  FcRaise(FC_ERR_INPUT, "checkpoint '%s' has no numeric hyper-parameter '%s' in /model", path, name);
}

/* Writing field files: collective, to "<path>.partial", renamed when complete. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fc_version.h"
#include "h5util.h"

struct fc_field_writer {
  MPI_Comm comm;
  int rank;
  char path[PATH_MAX];
  char partial[PATH_MAX + 16];
  hid_t file;
  const fc_grid *grid;
  fc_precision precision;
};

static fc_err write_grid(fc_field_writer *w)
{
  const fc_grid *g = w->grid;
  static const char *names[FC_MAX_DIM] = {"x", "y", "z"};
  hid_t grp = H5Gcreate2(w->file, "/grid", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (grp < 0) FcRaiseComm(w->comm, FC_ERR_IO, "cannot create group /grid in '%s'", w->partial);
  long n[FC_MAX_DIM], periodic[FC_MAX_DIM];
  for (int a = 0; a < g->ndim; a++) {
    n[a] = g->n[a];
    periodic[a] = g->periodic[a];
  }
  fc_err e = fc_h5_attr_write_longs(grp, "n", g->ndim, n);
  if (!e) e = fc_h5_attr_write_doubles(grp, "length", g->ndim, g->length);
  if (!e) e = fc_h5_attr_write_longs(grp, "periodic", g->ndim, periodic);
  if (!e) e = fc_h5_attr_write_doubles(grp, "stretch", g->ndim, g->stretch);
  for (int a = 0; a < g->ndim && !e; a++) {
    hsize_t dim = (hsize_t)g->n[a];
    hid_t s = H5Screate_simple(1, &dim, NULL);
    hid_t d = H5Dcreate2(grp, names[a], H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    /* small: rank 0 writes it alone (independent I/O) */
    if (d < 0 || (w->rank == 0 && H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, g->coord[a]) < 0))
      e = FC_ERR_IO;
    if (d >= 0) H5Dclose(d);
    H5Sclose(s);
  }
  H5Gclose(grp);
  e = fc_error_agree(w->comm, e);
  if (e) FcRaiseComm(w->comm, FC_ERR_IO, "cannot write the grid to '%s'", w->partial);
  return FC_SUCCESS;
}

fc_err fc_field_writer_create(MPI_Comm comm, const char *path, const fc_grid *g, fc_precision precision,
                              fc_field_writer **wp)
{
  fc_field_writer *w;
  if (strlen(path) + 1 > sizeof w->path) FcRaiseComm(comm, FC_ERR_INPUT, "output path too long: '%s'", path);
  FcCall(FcMalloc(1, &w));
  w->comm = comm;
  MPI_Comm_rank(comm, &w->rank);
  snprintf(w->path, sizeof w->path, "%s", path);
  snprintf(w->partial, sizeof w->partial, "%s.partial", path);
  w->grid = g;
  w->precision = precision == FC_PRECISION_FLOAT32 ? FC_PRECISION_FLOAT32 : FC_PRECISION_FLOAT64;
  fc_err e = fc_output_prepare(comm, path);
  if (e) {
    free(w);
    return e;
  }
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
  w->file = H5Fcreate(w->partial, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  char msg[FC_H5_MSG_LEN] = "";
  if (w->file < 0) fc_h5_last_error(msg, sizeof msg); /* before H5Pclose clears HDF5's error stack */
  H5Pclose(fapl);
  if (w->file < 0) {
    free(w);
    FcRaiseComm(comm, FC_ERR_IO, "cannot create output file '%s' (does its directory exist and is it writable?): %s",
                path, msg);
  }
  *wp = w;
  char created[64];
  time_t now = time(NULL);
  struct tm tmv;
  strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tmv));
  MPI_Bcast(created, sizeof created, MPI_CHAR, 0, comm); /* identical attribute on every rank */
  long ndim = g->ndim, version = FC_SCHEMA_VERSION;
  e = fc_h5_attr_write_string(w->file, "schema", FC_SCHEMA_NAME);
  if (!e) e = fc_h5_attr_write_longs(w->file, "schema_version", 1, &version);
  if (!e) e = fc_h5_attr_write_string(w->file, "flowcast_version", FC_VERSION);
  if (!e) e = fc_h5_attr_write_string(w->file, "created", created);
  if (!e) e = fc_h5_attr_write_longs(w->file, "ndim", 1, &ndim);
  if (!e) e = write_grid(w);
  hid_t grp = e ? -1 : H5Gcreate2(w->file, "/steps", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (grp >= 0) H5Gclose(grp);
  grp = e ? -1 : H5Gcreate2(w->file, "/parameters", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (grp >= 0) H5Gclose(grp);
  if (e) {
    fc_field_writer_discard(wp);
    return e;
  }
  return FC_SUCCESS;
}

/* A fixed-length string dataset written by rank 0 (the case file's text can exceed
 * the 64 KiB limit of an attribute). */
static fc_err write_text_dataset(fc_field_writer *w, hid_t loc, const char *name, const char *text)
{
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, strlen(text) + 1);
  hid_t s = H5Screate(H5S_SCALAR);
  hid_t d = H5Dcreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  fc_err e = d < 0 || (w->rank == 0 && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, text) < 0) ? FC_ERR_IO : 0;
  if (d >= 0) H5Dclose(d);
  H5Sclose(s);
  H5Tclose(t);
  e = fc_error_agree(w->comm, e);
  if (e) FcRaiseComm(w->comm, FC_ERR_IO, "cannot write '%s' to '%s'", name, w->partial);
  return FC_SUCCESS;
}

fc_err fc_field_writer_provenance(fc_field_writer *w, const char *case_path, const char *case_text, int argc,
                                  char **argv)
{
  size_t len = 1;
  for (int i = 0; i < argc; i++) len += strlen(argv[i]) + 1;
  char *cmd;
  FcCall(FcMalloc(len, &cmd));
  for (int i = 0; i < argc; i++) {
    strcat(cmd, argv[i]);
    if (i + 1 < argc) strcat(cmd, " ");
  }
  int size;
  MPI_Comm_size(w->comm, &size);
  long nranks = size;
  char host[256] = "";
  if (w->rank == 0) gethostname(host, sizeof host - 1);
  MPI_Bcast(host, sizeof host, MPI_CHAR, 0, w->comm);
  hid_t grp = H5Gcreate2(w->file, "/provenance", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  fc_err e = grp < 0 ? FC_ERR_IO : FC_SUCCESS;
  if (!e) e = fc_h5_attr_write_string(grp, "flowcast_version", FC_VERSION);
  if (!e) e = fc_h5_attr_write_string(grp, "command_line", cmd);
  if (!e) e = fc_h5_attr_write_string(grp, "case_file_path", case_path ? case_path : "");
  if (!e) e = fc_h5_attr_write_longs(grp, "mpi_ranks", 1, &nranks);
  if (!e) e = fc_h5_attr_write_string(grp, "host", host);
  if (!e) e = write_text_dataset(w, grp, "case_file", case_text ? case_text : "");
  if (grp >= 0) H5Gclose(grp);
  free(cmd);
  if (e) FcRaiseComm(w->comm, FC_ERR_IO, "cannot write provenance to '%s'", w->partial);
  return FC_SUCCESS;
}

fc_err fc_field_writer_parameter(fc_field_writer *w, const char *name, double value)
{
  hid_t grp = H5Gopen2(w->file, "/parameters", H5P_DEFAULT);
  fc_err e = grp < 0 ? FC_ERR_IO : fc_h5_attr_write_doubles(grp, name, 1, &value);
  if (grp >= 0) H5Gclose(grp);
  if (e) FcRaiseComm(w->comm, FC_ERR_IO, "cannot write parameter '%s' to '%s'", name, w->partial);
  return FC_SUCCESS;
}

fc_err fc_field_writer_string(fc_field_writer *w, const char *group, const char *name, const char *value)
{
  htri_t exists = fc_h5_path_exists(w->file, group);
  hid_t grp = exists > 0 ? H5Gopen2(w->file, group, H5P_DEFAULT)
                         : H5Gcreate2(w->file, group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  fc_err e = grp < 0 ? FC_ERR_IO : fc_h5_attr_write_string(grp, name, value);
  if (grp >= 0) H5Gclose(grp);
  e = fc_error_agree(w->comm, e);
  if (e) FcRaiseComm(w->comm, FC_ERR_IO, "cannot write attribute '%s' of %s to '%s'", name, group, w->partial);
  return FC_SUCCESS;
}

fc_err fc_field_writer_step(fc_field_writer *w, long step, double time, fc_field *const *fields, int nfields)
{
  char name[64], where[PATH_MAX + 64];
  snprintf(name, sizeof name, "/steps/%08ld", step);
  for (int i = 0; i < nfields; i++) {
    snprintf(where, sizeof where, "writing step %ld to '%s'", step, w->path);
    FcCall(fc_field_check_finite(fields[i], where));
  }
  if (step < 0) FcRaiseComm(w->comm, FC_ERR_INTERNAL, "negative step %ld", step);
  if (H5Lexists(w->file, name, H5P_DEFAULT) > 0)
    FcRaiseComm(w->comm, FC_ERR_INTERNAL, "step %ld written twice to '%s'", step, w->path);
  hid_t grp = H5Gcreate2(w->file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (grp < 0) FcRaiseComm(w->comm, FC_ERR_IO, "cannot create group %s in '%s'", name, w->partial);
  fc_err e = fc_h5_attr_write_longs(grp, "step", 1, &step);
  if (!e) e = fc_h5_attr_write_doubles(grp, "time", 1, &time);
  for (int i = 0; i < nfields && !e; i++) {
    if (fields[i]->grid->ndim != w->grid->ndim || fields[i]->decomp.nx != w->grid->n[0]) e = FC_ERR_INTERNAL;
    else e = fc_h5_write_slab(grp, fields[i]->name, w->precision, fields[i]);
  }
  H5Gclose(grp);
  if (e) FcRaiseComm(w->comm, FC_ERR_KIND(e), "cannot write step %ld to '%s'", step, w->partial);
  return FC_SUCCESS;
}

fc_err fc_field_writer_series(fc_field_writer *w, const char *name, long n, const double *values)
{
  if (H5Lexists(w->file, "/series", H5P_DEFAULT) <= 0) {
    hid_t g = H5Gcreate2(w->file, "/series", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) FcRaiseComm(w->comm, FC_ERR_IO, "cannot create /series in '%s'", w->partial);
    H5Gclose(g);
  }
  hid_t grp = H5Gopen2(w->file, "/series", H5P_DEFAULT);
  hsize_t dim = (hsize_t)(n > 0 ? n : 0);
  hid_t s = H5Screate_simple(1, &dim, NULL);
  hid_t d = H5Dcreate2(grp, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  fc_err e = d < 0 ? FC_ERR_IO : FC_SUCCESS;
  if (!e && w->rank == 0 && n > 0 && H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0)
    e = FC_ERR_IO;
  if (d >= 0) H5Dclose(d);
  H5Sclose(s);
  H5Gclose(grp);
  e = fc_error_agree(w->comm, e);
  if (e) FcRaiseComm(w->comm, FC_ERR_IO, "cannot write series '%s' to '%s'", name, w->partial);
  return FC_SUCCESS;
}

fc_err fc_field_writer_close(fc_field_writer **wp)
{
  fc_field_writer *w = *wp;
  if (!w) return FC_SUCCESS;
  MPI_Comm comm = w->comm;
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s", w->path);
  herr_t st = H5Fclose(w->file);
  w->file = -1;
  fc_err e = fc_error_agree(comm, st < 0 ? FC_ERR_IO : FC_SUCCESS);
  char why[PATH_MAX + 256] = "HDF5 could not close it";
  if (!e && w->rank == 0 && rename(w->partial, w->path) != 0) {
    e = FC_ERR_IO;
    snprintf(why, sizeof why, "renaming '%.4000s' to it failed: %s", w->partial, strerror(errno));
  }
  FcCallMPI(MPI_Bcast(&e, 1, MPI_INT, 0, comm));
  if (e) {
    FcCallMPI(MPI_Bcast(why, sizeof why, MPI_CHAR, 0, comm));
    fc_field_writer_discard(wp);
    FcRaiseComm(comm, FC_ERR_IO, "cannot complete output file '%s': %s", path, why);
  }
  free(w);
  *wp = NULL;
  FcCall(fc_xdmf_write(comm, path, NULL));
  return FC_SUCCESS;
}

fc_err fc_field_writer_discard(fc_field_writer **wp)
{
  fc_field_writer *w = *wp;
  if (!w) return FC_SUCCESS;
  if (w->file >= 0) H5Fclose(w->file);
  MPI_Barrier(w->comm);
  if (w->rank == 0) unlink(w->partial);
  MPI_Barrier(w->comm);
  free(w);
  *wp = NULL;
  return FC_SUCCESS;
}

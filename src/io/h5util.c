/* Small HDF5 helpers shared by the field reader, writer, XDMF and info code. */
#include "h5util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static herr_t last_error_cb(unsigned n, const H5E_error2_t *e, void *data)
{
  (void)n;
  char *buf = data;
  if (e->desc && e->desc[0]) snprintf(buf, FC_H5_MSG_LEN, "%s", e->desc);
  return 0;
}

void fc_h5_last_error(char *buf, size_t len)
{
  char tmp[FC_H5_MSG_LEN] = "no details from HDF5";
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, last_error_cb, tmp);
  snprintf(buf, len, "%s", tmp);
}

fc_err fc_h5_check_path(MPI_Comm comm, const char *path)
{
  int rank, verdict = FC_SUCCESS;
  char msg[FC_H5_MSG_LEN + 512] = "";
  FcCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    struct stat st;
    verdict = FC_ERR_INPUT;
    if (!path || !path[0]) snprintf(msg, sizeof msg, "no file name given, expected an HDF5 file");
    else if (stat(path, &st) != 0)
      snprintf(msg, sizeof msg, "file '%s' %s", path, errno == ENOENT ? "does not exist" : strerror(errno));
    else if (S_ISDIR(st.st_mode)) snprintf(msg, sizeof msg, "'%s' is a directory, expected an HDF5 file", path);
    else if (!S_ISREG(st.st_mode)) snprintf(msg, sizeof msg, "'%s' is not a regular file, expected an HDF5 file", path);
    else if (access(path, R_OK) != 0) snprintf(msg, sizeof msg, "file '%s' is not readable: %s", path, strerror(errno));
    else if (st.st_size == 0) snprintf(msg, sizeof msg, "file '%s' is empty (0 bytes), expected an HDF5 file", path);
    else {
      htri_t is = H5Fis_hdf5(path);
      if (is <= 0) snprintf(msg, sizeof msg, "file '%s' is not an HDF5 file (no HDF5 signature found)", path);
      else verdict = FC_SUCCESS;
    }
  }
  FcCallMPI(MPI_Bcast(&verdict, 1, MPI_INT, 0, comm));
  if (verdict) {
    FcCallMPI(MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, 0, comm));
    FcRaiseComm(comm, verdict, "%s", msg);
  }
  return FC_SUCCESS;
}

fc_err fc_h5_open_file(MPI_Comm comm, const char *path, int parallel, hid_t *file)
{
  FcCall(fc_h5_check_path(comm, path));
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (parallel) H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
  char msg[FC_H5_MSG_LEN];
  if (f < 0) fc_h5_last_error(msg, sizeof msg);
  H5Pclose(fapl);
  if (f < 0) FcRaiseComm(comm, FC_ERR_INPUT, "file '%s' cannot be opened by HDF5 (truncated or corrupted?): %s", path, msg);
  *file = f;
  return FC_SUCCESS;
}

/* ---- attributes --------------------------------------------------------------- */

static fc_err attr_write(hid_t loc, const char *name, hid_t type, hid_t space, const void *buf)
{
  if (H5Aexists(loc, name) > 0) H5Adelete(loc, name);
  hid_t a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  herr_t st = a < 0 ? -1 : H5Awrite(a, type, buf);
  if (a >= 0) H5Aclose(a);
  H5Sclose(space);
  if (st < 0) {
    char msg[FC_H5_MSG_LEN];
    fc_h5_last_error(msg, sizeof msg);
    FcRaiseLocal(FC_ERR_IO, "cannot write attribute '%s': %s", name, msg);
  }
  return FC_SUCCESS;
}

fc_err fc_h5_attr_write_string(hid_t loc, const char *name, const char *value)
{
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, strlen(value) + 1);
  H5Tset_strpad(t, H5T_STR_NULLTERM);
  fc_err e = attr_write(loc, name, t, H5Screate(H5S_SCALAR), value);
  H5Tclose(t);
  return e;
}

fc_err fc_h5_attr_write_doubles(hid_t loc, const char *name, int n, const double *v)
{
  hsize_t d = (hsize_t)n;
  return attr_write(loc, name, H5T_NATIVE_DOUBLE, n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &d, NULL), v);
}

fc_err fc_h5_attr_write_longs(hid_t loc, const char *name, int n, const long *v)
{
  hsize_t d = (hsize_t)n;
  return attr_write(loc, name, H5T_NATIVE_LONG, n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &d, NULL), v);
}

/* Reads a numeric attribute of exactly n elements, converted to mem_type. */
static fc_err attr_read_numeric(hid_t loc, const char *ctx, const char *name, hid_t mem_type, int n, void *v)
{
  if (H5Aexists(loc, name) <= 0) FcRaise(FC_ERR_INPUT, "%s: attribute '%s' is missing", ctx, name);
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  hid_t s = a < 0 ? -1 : H5Aget_space(a);
  hid_t t = a < 0 ? -1 : H5Aget_type(a);
  hssize_t npts = s < 0 ? -1 : H5Sget_simple_extent_npoints(s);
  H5T_class_t cls = t < 0 ? H5T_NO_CLASS : H5Tget_class(t);
  herr_t st = -1;
  if (npts == n && (cls == H5T_INTEGER || cls == H5T_FLOAT)) st = H5Aread(a, mem_type, v);
  if (t >= 0) H5Tclose(t);
  if (s >= 0) H5Sclose(s);
  if (a >= 0) H5Aclose(a);
  if (npts != n || (cls != H5T_INTEGER && cls != H5T_FLOAT))
    FcRaise(FC_ERR_INPUT, "%s: attribute '%s' has %lld value(s) of %s type, expected %d number(s)", ctx, name,
            (long long)npts, cls == H5T_STRING ? "string" : "another", n);
  if (st < 0) FcRaise(FC_ERR_INPUT, "%s: attribute '%s' cannot be read", ctx, name);
  return FC_SUCCESS;
}

fc_err fc_h5_attr_read_doubles(hid_t loc, const char *ctx, const char *name, int n, double *v)
{
  return attr_read_numeric(loc, ctx, name, H5T_NATIVE_DOUBLE, n, v);
}

fc_err fc_h5_attr_read_longs(hid_t loc, const char *ctx, const char *name, int n, long *v)
{
  return attr_read_numeric(loc, ctx, name, H5T_NATIVE_LONG, n, v);
}

fc_err fc_h5_attr_read_string(hid_t loc, const char *ctx, const char *name, char *buf, size_t len)
{
  buf[0] = 0;
  if (H5Aexists(loc, name) <= 0) FcRaise(FC_ERR_INPUT, "%s: attribute '%s' is missing", ctx, name);
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  hid_t t = a < 0 ? -1 : H5Aget_type(a);
  int ok = 0;
  if (t >= 0 && H5Tget_class(t) == H5T_STRING) {
    if (H5Tis_variable_str(t) > 0) {
      char *s = NULL;
      hid_t mt = H5Tcopy(H5T_C_S1);
      H5Tset_size(mt, H5T_VARIABLE);
      if (H5Aread(a, mt, &s) >= 0 && s) {
        snprintf(buf, len, "%s", s);
        H5free_memory(s);
        ok = 1;
      }
      H5Tclose(mt);
    } else {
      size_t n = H5Tget_size(t);
      char tmp[4096];
      if (n < sizeof tmp) {
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, n + 1);
        if (H5Aread(a, mt, tmp) >= 0) {
          tmp[n] = 0;
          snprintf(buf, len, "%s", tmp);
          ok = 1;
        }
        H5Tclose(mt);
      }
    }
  }
  if (t >= 0) H5Tclose(t);
  if (a >= 0) H5Aclose(a);
  if (!ok) FcRaise(FC_ERR_INPUT, "%s: attribute '%s' is not a readable string", ctx, name);
  return FC_SUCCESS;
}

void fc_xdmf_path(const char *h5_path, char *buf, size_t len)
{
  size_t n = strlen(h5_path);
  if (n > 3 && strcmp(h5_path + n - 3, ".h5") == 0) snprintf(buf, len, "%.*s.xmf", (int)(n - 3), h5_path);
  else if (n > 5 && strcmp(h5_path + n - 5, ".hdf5") == 0) snprintf(buf, len, "%.*s.xmf", (int)(n - 5), h5_path);
  else snprintf(buf, len, "%s.xmf", h5_path);
}

htri_t fc_h5_path_exists(hid_t loc, const char *path)
{
  char buf[1024];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof buf) return 0;
  memcpy(buf, path, n + 1);
  /* every prefix "/a", "/a/b", ... must be a link that resolves, so that a missing
   * group is an answer, not an HDF5 error */
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != 0) continue;
    char saved = buf[i];
    buf[i] = 0;
    htri_t ok = H5Lexists(loc, buf, H5P_DEFAULT);
    if (ok > 0) ok = H5Oexists_by_name(loc, buf, H5P_DEFAULT);
    buf[i] = saved;
    if (ok <= 0) return ok < 0 ? 0 : ok;
  }
  return 1;
}

/* mkdir -p of dir (a writable copy of the path); 0 or an errno, with the failing prefix left in dir. */
static int make_dirs(char *dir)
{
  struct stat st;
  for (char *p = dir + 1;; p++) {
    if (*p != '/' && *p != 0) continue;
    char saved = *p;
    *p = 0;
    if (stat(dir, &st) == 0) {
      if (!S_ISDIR(st.st_mode)) return ENOTDIR;
    } else if (mkdir(dir, 0777) != 0 && errno != EEXIST) return errno;
    if (!saved) return 0;
    *p = saved;
  }
}

fc_err fc_output_prepare(MPI_Comm comm, const char *path)
{
  int rank;
  char msg[2 * PATH_MAX + 128] = "";
  FcCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    struct stat st;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!path[0]) snprintf(msg, sizeof msg, "no output file name given");
    else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
      snprintf(msg, sizeof msg, "output file '%s' is an existing directory, expected a file name", path);
    else if (slash && slash != dir) {
      *slash = 0;
      int err = make_dirs(dir);
      if (err == ENOTDIR)
        snprintf(msg, sizeof msg, "cannot write output file '%s': '%s' is not a directory", path, dir);
      else if (err)
        snprintf(msg, sizeof msg, "cannot create directory '%s' for output file '%s': %s", dir, path, strerror(err));
      else if (access(dir, W_OK) != 0)
        snprintf(msg, sizeof msg, "cannot write output file '%s': directory '%s' is not writable", path, dir);
    }
  }
  FcCallMPI(MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, 0, comm));
  if (msg[0]) FcRaiseComm(comm, FC_ERR_INPUT, "%s", msg);
  return FC_SUCCESS;
}

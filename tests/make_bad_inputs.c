/* make_bad_inputs DIR: writes into DIR every input file the command-line tests
 * (tests/cli.cmake) need, deterministically (no time stamps, no random data):
 *
 *   HDF5 files as another code would write them (velocity u, axes z,y,x,c):
 *     good.h5        /u float32 8 x 6 x 4 x 3 (nz, ny, nx, c), finite values
 *     shapes.h5      /u (good) plus the bad datasets:
 *                    /rank3 (8 x 6 x 4: wrong rank), /wrong_shape (8 x 6 x 5 x 3),
 *                    /int (int32), /empty (0 x 6 x 4 x 3), /null (H5S_NULL dataspace),
 *                    /group (a group), /f64 (float64: fine for auto, not for float32)
 *     nan.h5         /u with one NaN          inf.h5   /u with one +Inf
 *     truncated.h5   a valid file cut to half its size
 *     corrupted.h5   a valid file whose /u object header is overwritten with garbage
 *     not_hdf5.h5    text        empty.h5  0 bytes        dir.h5/  a directory
 *     out_is_dir_np1.h5/, out_is_dir_np2.h5/  directories given as output_file
 *     existing_out_np1.h5, existing_out_np2.h5  files a failing run must leave untouched
 *   YAML case files:
 *     good.yaml (source: file on good.h5), binary.yaml (NUL bytes), malformed.yaml,
 *     toplist.yaml, unknown_key.yaml, wrong_type.yaml, negative.yaml, absurd.yaml,
 *     huge_memory.yaml
 *
 * DIR is emptied first (only if it is empty or was made by this program), so that
 * no output of an earlier test run survives. Plain C + serial HDF5; no MPI needed.
 */
#include <errno.h>
#include <ftw.h>
#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MARKER ".flowcast_cli_inputs"
#define NZ 8
#define NY 6
#define NX 4
#define NC 3
#define NPTS (NZ * NY * NX * NC)

static char dir[PATH_MAX];

static void die(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "make_bad_inputs: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(1);
}

static const char *path_of(const char *name)
{
  static char buf[4][PATH_MAX + 64];
  static int k = 0;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
  return buf[k];
}

static void write_bytes(const char *name, const void *data, size_t n)
{
  FILE *f = fopen(path_of(name), "wb");
  if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) die("cannot write %s: %s", path_of(name), strerror(errno));
}

static void write_text(const char *name, const char *text) { write_bytes(name, text, strlen(text)); }

static void *read_all(const char *name, size_t *n)
{
  FILE *f = fopen(path_of(name), "rb");
  if (!f) die("cannot read %s: %s", path_of(name), strerror(errno));
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  void *buf = malloc((size_t)len + 1);
  if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) die("cannot read %s", path_of(name));
  fclose(f);
  *n = (size_t)len;
  return buf;
}

/* ---- emptying DIR --------------------------------------------------------------- */

static int remove_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st;
  (void)flag;
  if (ftw->level == 0) return 0; /* keep DIR itself */
  if (remove(p) != 0) die("cannot remove %s: %s", p, strerror(errno));
  return 0;
}

static void prepare_dir(const char *arg)
{
  if (mkdir(arg, 0777) != 0 && errno != EEXIST) die("cannot create directory %s: %s", arg, strerror(errno));
  if (!realpath(arg, dir)) die("cannot resolve %s: %s", arg, strerror(errno));
  struct stat st;
  if (stat(path_of(MARKER), &st) == 0) {
    if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) die("cannot empty %s", dir);
  } else if (rmdir(dir) == 0) {
    if (mkdir(dir, 0777) != 0) die("cannot create directory %s: %s", dir, strerror(errno));
  } else
    die("%s is not empty and was not made by make_bad_inputs: refusing to empty it", dir);
  write_text(MARKER, "made by make_bad_inputs; emptied on every run\n");
}

/* ---- HDF5 ----------------------------------------------------------------------- */

static void check(herr_t st, const char *what)
{
  if (st < 0) die("HDF5 call failed: %s", what);
}

static hid_t create_h5(const char *name)
{
  hid_t f = H5Fcreate(path_of(name), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) die("cannot create %s", path_of(name));
  return f;
}

/* A smooth finite velocity-like field, value k of the flattened (z,y,x,c) array. */
static double value_at(int k) { return sin(0.1 * k) + 0.5 * cos(0.037 * k * k); }

static void write_dataset(hid_t loc, const char *name, hid_t ftype, hid_t mtype, int nd, const hsize_t *dims,
                          const void *data)
{
  hid_t s = H5Screate_simple(nd, dims, NULL);
  hid_t d = H5Dcreate2(loc, name, ftype, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (d < 0) die("cannot create dataset %s", name);
  if (data) check(H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), name);
  H5Dclose(d);
  H5Sclose(s);
}

/* /u float32 (8, 6, 4, 3); bad: 0 none, 1 one NaN, 2 one +Inf. */
static void write_u(hid_t loc, const char *name, int bad)
{
  static float v[NPTS];
  hsize_t dims[4] = {NZ, NY, NX, NC};
  for (int k = 0; k < NPTS; k++) v[k] = (float)value_at(k);
  if (bad == 1) v[NPTS / 2 + 1] = NAN;
  if (bad == 2) v[NPTS / 3] = INFINITY;
  write_dataset(loc, name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 4, dims, v);
}

static void write_good(const char *name)
{
  hid_t f = create_h5(name);
  write_u(f, "u", 0);
  check(H5Fclose(f), "close");
}

static void write_shapes(void)
{
  hid_t f = create_h5("shapes.h5");
  write_u(f, "u", 0);
  static float v3[NZ * NY * NX], vw[NZ * NY * (NX + 1) * NC];
  static int vi[NPTS];
  static double vd[NPTS];
  for (int k = 0; k < NZ * NY * NX; k++) v3[k] = (float)value_at(k);
  for (int k = 0; k < NZ * NY * (NX + 1) * NC; k++) vw[k] = (float)value_at(k);
  for (int k = 0; k < NPTS; k++) vi[k] = k % 7 - 3, vd[k] = value_at(k);
  hsize_t d3[3] = {NZ, NY, NX}, dw[4] = {NZ, NY, NX + 1, NC}, d4[4] = {NZ, NY, NX, NC}, d0[4] = {0, NY, NX, NC};
  write_dataset(f, "rank3", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, d3, v3);
  write_dataset(f, "wrong_shape", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 4, dw, vw);
  write_dataset(f, "int", H5T_STD_I32LE, H5T_NATIVE_INT, 4, d4, vi);
  write_dataset(f, "empty", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 4, d0, NULL);
  write_dataset(f, "f64", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 4, d4, vd);
  hid_t s = H5Screate(H5S_NULL);
  hid_t d = H5Dcreate2(f, "null", H5T_IEEE_F32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (d < 0) die("cannot create dataset null");
  H5Dclose(d);
  H5Sclose(s);
  hid_t g = H5Gcreate2(f, "group", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) die("cannot create group");
  write_u(g, "inside", 0);
  H5Gclose(g);
  check(H5Fclose(f), "close");
}

static void write_one_bad(const char *name, int bad)
{
  hid_t f = create_h5(name);
  write_u(f, "u", bad);
  check(H5Fclose(f), "close");
}

/* The file address of the object header of /u. */
static haddr_t header_address(const char *name)
{
  hid_t f = H5Fopen(path_of(name), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) die("cannot reopen %s", path_of(name));
  haddr_t addr;
#if H5_VERSION_GE(1, 12, 0)
  H5O_info2_t oi;
  check(H5Oget_info_by_name3(f, "u", &oi, H5O_INFO_BASIC, H5P_DEFAULT), "H5Oget_info_by_name3");
  check(H5VLnative_token_to_addr(f, oi.token, &addr), "H5VLnative_token_to_addr");
#else
  H5O_info_t oi;
  check(H5Oget_info_by_name(f, "u", &oi, H5P_DEFAULT), "H5Oget_info_by_name");
  addr = oi.addr;
#endif
  H5Fclose(f);
  return addr;
}

static void write_corrupted(void)
{
  write_good("corrupted.h5");
  haddr_t addr = header_address("corrupted.h5");
  size_t n;
  unsigned char *buf = read_all("corrupted.h5", &n);
  if (addr == HADDR_UNDEF || addr + 64 > n) die("unexpected object header address in corrupted.h5");
  for (int i = 0; i < 64; i++) buf[addr + (haddr_t)i] = (unsigned char)(0xA5 ^ (i * 37));
  write_bytes("corrupted.h5", buf, n);
  free(buf);
}

static void write_truncated(void)
{
  write_good("truncated.h5");
  size_t n;
  void *buf = read_all("truncated.h5", &n);
  write_bytes("truncated.h5", buf, n / 2);
  free(buf);
}

/* ---- YAML case files ------------------------------------------------------------ */

static void write_cases(void)
{
  char text[4 * PATH_MAX];
  snprintf(text, sizeof text,
           "# A field written by another code, imported with the input_* keys.\n"
           "job: fields\n"
           "source: file\n"
           "grid:\n"
           "  ndim: 3\n"
           "  nx: 4\n"
           "  ny: 6\n"
           "  nz: 8\n"
           "input:\n"
           "  file: %s\n"
           "  dataset: /u\n"
           "  axes: z,y,x,c\n"
           "  components: 3\n"
           "output:\n"
           "  file: %s\n",
           path_of("good.h5"), path_of("out_good_yaml.h5"));
  write_text("good.yaml", text);
  static const char binary[] = "job: fields\ngrid:\n  nx: 4\n\0\0\0\x01\x02garbage\0\n";
  write_bytes("binary.yaml", binary, sizeof binary - 1);
  write_text("malformed.yaml", "job: fields\ngrid: [1, 2\nsource: file\n");
  write_text("toplist.yaml", "- job: fields\n- grid_nx: 4\n");
  write_text("unknown_key.yaml", "job: fields\ngrid: {nxx: 8}\n");
  write_text("wrong_type.yaml", "job: fields\ngrid: {nx: abc}\n");
  write_text("negative.yaml", "job: fields\ngrid: {nx: -4}\n");
  write_text("absurd.yaml", "job: fields\ngrid: {nx: 100000000}\n");
  write_text("huge_memory.yaml", "job: fields\ngrid: {nx: 16384, ny: 16384, nz: 16384}\n");
}

int main(int argc, char **argv)
{
  if (argc != 2) die("usage: make_bad_inputs DIR");
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  prepare_dir(argv[1]);

  write_good("good.h5");
  write_good("existing_out_np1.h5");
  write_good("existing_out_np2.h5");
  write_shapes();
  write_one_bad("nan.h5", 1);
  write_one_bad("inf.h5", 2);
  write_truncated();
  write_corrupted();
  write_text("not_hdf5.h5", "this is a text file, not HDF5\nu = 1, 2, 3\n");
  write_bytes("empty.h5", "", 0);
  static const char *const dirs[] = {"dir.h5", "out_is_dir_np1.h5", "out_is_dir_np2.h5"};
  for (int i = 0; i < 3; i++)
    if (mkdir(path_of(dirs[i]), 0777) != 0) die("cannot create %s: %s", path_of(dirs[i]), strerror(errno));
  write_cases();
  H5close();
  printf("make_bad_inputs: wrote the test inputs into %s\n", dir);
  return 0;
}

/* HDF5 field files: write/read round trips, float32 storage, datasets of other codes
 * in any axis order, and every bad-input case the reader must refuse. Runs at 1, 2
 * and 3 ranks (3 leaves a rank without x-planes on the small grids). */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fc_io.h"
#include "fc_jobs.h"
#include "fc_test.h"

enum { NX = 5, NY = 4, NZ = 3 };

static void tmp_path(char *buf, size_t len, const char *name)
{
  snprintf(buf, len, "%s/fio_np%d_%s", fc_test_tmpdir(), fc_test_size(), name);
}

static double value_at(long ix, long iy, long iz, long c) { return ix + 10.0 * iy + 100.0 * iz + 1000.0 * c + 0.25; }

static void make_field(int ndim, int ncomp, fc_grid **g, fc_field **f)
{
  long n[3] = {NX, NY, NZ};
  double L[3] = {1, 2, 3}, st[3] = {0, 1.5, 0};
  int per[3] = {1, 0, 1};
  fc_decomp d;
  FC_TEST_OK(fc_grid_create(ndim, n, L, per, st, g));
  FC_TEST_OK(fc_decomp_slab(MPI_COMM_WORLD, NX, &d));
  FC_TEST_OK(fc_field_create(*g, &d, "u", ncomp, f));
  long nz = ndim == 3 ? NZ : 1;
  for (long i = 0; i < d.nxl; i++)
    for (long j = 0; j < NY; j++)
      for (long k = 0; k < nz; k++)
        for (long c = 0; c < ncomp; c++) (*f)->data[((i * NY + j) * nz + k) * ncomp + c] = value_at(d.x0 + i, j, k, c);
}

static int field_matches(const fc_field *f, int as_float)
{
  long nz = f->grid->ndim == 3 ? NZ : 1, bad = 0;
  for (long i = 0; i < f->decomp.nxl; i++)
    for (long j = 0; j < NY; j++)
      for (long k = 0; k < nz; k++)
        for (long c = 0; c < f->ncomp; c++) {
          double want = value_at(f->decomp.x0 + i, j, k, c);
          if (as_float) want = (float)want;
          if (f->data[((i * NY + j) * nz + k) * f->ncomp + c] != want) bad++;
        }
  long all = 0;
  MPI_Allreduce(&bad, &all, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  return all == 0;
}

static void roundtrip(int ndim, fc_precision prec)
{
  fc_grid *g, *g2 = NULL;
  fc_field *u, *p, *r;
  char path[512], xmf[512];
  tmp_path(path, sizeof path, ndim == 3 ? "rt3.h5" : "rt2.h5");
  make_field(ndim, ndim, &g, &u);
  FC_TEST_OK(fc_field_create(g, &u->decomp, "p", 1, &p));
  for (long i = 0; i < fc_field_local_size(p); i++) p->data[i] = -1.0 * i;
  fc_field_writer *w;
  char *argv[] = {"flowcast", "test"};
  FC_TEST_OK(fc_field_writer_create(MPI_COMM_WORLD, path, g, prec, &w));
  FC_TEST_OK(fc_field_writer_provenance(w, "case.yaml", "grid:\n  nx: 5\n", 2, argv));
  FC_TEST_OK(fc_field_writer_parameter(w, "nu", 1e-3));
  fc_field *fs[2] = {u, p};
  FC_TEST_OK(fc_field_writer_step(w, 0, 0.0, fs, 2));
  FC_TEST_OK(fc_field_writer_step(w, 10, 0.5, fs, 1));
  double series[3] = {1, 2, 3};
  FC_TEST_OK(fc_field_writer_series(w, "energy", 3, series));
  FC_TEST_OK(fc_field_writer_close(&w));
  CU_ASSERT_PTR_NULL(w);
  fc_xdmf_path(path, xmf, sizeof xmf);
  CU_ASSERT_EQUAL(access(path, R_OK), 0);
  CU_ASSERT_EQUAL(access(xmf, R_OK), 0);

  fc_field_reader *rd;
  FC_TEST_OK(fc_field_reader_open(MPI_COMM_WORLD, path, &rd));
  FC_TEST_OK(fc_field_reader_grid(rd, &g2));
  CU_ASSERT_EQUAL(g2->ndim, ndim);
  for (int a = 0; a < ndim; a++) {
    CU_ASSERT_EQUAL(g2->n[a], g->n[a]);
    CU_ASSERT_EQUAL(g2->periodic[a], g->periodic[a]);
    CU_ASSERT_DOUBLE_EQUAL(g2->length[a], g->length[a], 0);
    CU_ASSERT_DOUBLE_EQUAL(g2->stretch[a], g->stretch[a], 0);
    for (long i = 0; i < g->n[a]; i++) CU_ASSERT_DOUBLE_EQUAL(g2->coord[a][i], g->coord[a][i], 0);
  }
  long ns;
  const fc_step_info *steps;
  FC_TEST_OK(fc_field_reader_steps(rd, &ns, &steps));
  CU_ASSERT_EQUAL(ns, 2);
  CU_ASSERT_EQUAL(steps[1].step, 10);
  CU_ASSERT_DOUBLE_EQUAL(steps[1].time, 0.5, 0);
  double nu;
  FC_TEST_OK(fc_field_reader_parameter(rd, "nu", &nu));
  CU_ASSERT_DOUBLE_EQUAL(nu, 1e-3, 0);
  FC_TEST_FAILS(fc_field_reader_parameter(rd, "re_tau", &nu), FC_ERR_INPUT);
  FC_TEST_OK(fc_field_create(g2, &u->decomp, "u", ndim, &r));
  FC_TEST_OK(fc_field_reader_read(rd, 1, r));
  CU_ASSERT(field_matches(r, prec == FC_PRECISION_FLOAT32));
  fc_field_destroy(&r);
  /* p is absent from step 10; a scalar read as a vector has the wrong rank */
  FC_TEST_OK(fc_field_create(g2, &u->decomp, "p", 1, &r));
  FC_TEST_FAILS(fc_field_reader_read(rd, 1, r), FC_ERR_INPUT);
  FC_TEST_OK(fc_field_reader_read(rd, 0, r));
  FC_TEST_FAILS(fc_field_reader_read(rd, 2, r), FC_ERR_INPUT);
  fc_field_destroy(&r);
  FC_TEST_OK(fc_field_create(g2, &u->decomp, "p", 3, &r));
  FC_TEST_FAILS(fc_field_reader_read(rd, 0, r), FC_ERR_INPUT);
  fc_field_destroy(&r);
  FC_TEST_OK(fc_field_reader_close(&rd));
  fc_grid_destroy(&g2);
  fc_field_destroy(&u);
  fc_field_destroy(&p);
  fc_grid_destroy(&g);
}

static void test_roundtrip_3d(void) { roundtrip(3, FC_PRECISION_FLOAT64); }
static void test_roundtrip_2d(void) { roundtrip(2, FC_PRECISION_FLOAT64); }
static void test_roundtrip_float32(void) { roundtrip(3, FC_PRECISION_FLOAT32); }

/* Writes, on rank 0 with plain HDF5, dataset name of another code's file: the global
 * array value_at() stored in the given axis order and type. */
static void write_foreign(const char *path, const char *name, const char *axes, hid_t type, int create)
{
  if (fc_test_rank() == 0) {
    hid_t f = create ? H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT) : H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hsize_t dims[4];
    int nd = 0, ax[4];
    long ext[4] = {NX, NY, NZ, 3};
    for (const char *p = axes; *p; p++)
      if (*p != ',') {
        ax[nd] = (int)(strchr("xyzc", *p) - "xyzc");
        dims[nd] = (hsize_t)ext[ax[nd]];
        nd++;
      }
    double buf[NX * NY * NZ * 3];
    long idx[4];
    for (long l = 0; l < NX * NY * NZ * 3; l++) {
      long rem = l;
      for (int k = nd - 1; k >= 0; k--) {
        idx[ax[k]] = rem % (long)dims[k];
        rem /= (long)dims[k];
      }
      buf[l] = value_at(idx[0], idx[1], idx[2], idx[3]);
    }
    hid_t s = H5Screate_simple(nd, dims, NULL);
    hid_t d = H5Dcreate2(f, name, type, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    H5Dclose(d);
    H5Sclose(s);
    H5Fclose(f);
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

static void test_external_axis_orders(void)
{
  static const char *orders[] = {"z,y,x,c", "x,y,z,c", "c,z,y,x", "y,c,x,z"};
  char path[512];
  tmp_path(path, sizeof path, "foreign.h5");
  for (int i = 0; i < 4; i++) {
    char name[16];
    snprintf(name, sizeof name, "/u%d", i);
    write_foreign(path, name, orders[i], i % 2 ? H5T_IEEE_F32LE : H5T_IEEE_F64BE, i == 0);
  }
  fc_grid *g;
  fc_field *u;
  make_field(3, 3, &g, &u);
  for (int i = 0; i < 4; i++) {
    char name[16];
    snprintf(name, sizeof name, "/u%d", i);
    memset(u->data, 0, sizeof(double) * (size_t)fc_field_local_size(u));
    fc_external_spec spec = {path, name, orders[i], i % 2 ? FC_PRECISION_FLOAT32 : FC_PRECISION_FLOAT64};
    FC_TEST_OK(fc_external_read(MPI_COMM_WORLD, &spec, u));
    CU_ASSERT(field_matches(u, i % 2));
    spec.precision = i % 2 ? FC_PRECISION_FLOAT64 : FC_PRECISION_FLOAT32; /* declared precision differs */
    FC_TEST_FAILS(fc_external_read(MPI_COMM_WORLD, &spec, u), FC_ERR_INPUT);
    spec.precision = FC_PRECISION_AUTO;
    FC_TEST_OK(fc_external_read(MPI_COMM_WORLD, &spec, u));
    spec.axes = "x,y,z,c";
    if (i != 1) FC_TEST_FAILS(fc_external_read(MPI_COMM_WORLD, &spec, u), FC_ERR_INPUT); /* shape differs */
  }
  static const char *bad_axes[] = {"z,y,x", "z,y,x,x", "z,y,q,c", "zy,x,c", "z,y,x,c,c", ""};
  for (int i = 0; i < 6; i++) {
    fc_external_spec spec = {path, "/u0", bad_axes[i], FC_PRECISION_AUTO};
    FC_TEST_FAILS(fc_external_read(MPI_COMM_WORLD, &spec, u), FC_ERR_INPUT);
  }
  fc_field_destroy(&u);
  fc_grid_destroy(&g);
}

/* Every malformed dataset: one clear collective error, on every rank. */
static void test_external_bad_datasets(void)
{
  char path[512];
  tmp_path(path, sizeof path, "bad_datasets.h5");
  if (fc_test_rank() == 0) {
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t d4[4] = {NZ, NY, NX, 3}, d3[3] = {NZ, NY, NX}, dshape[4] = {NZ, NY, NX + 1, 3}, dempty[4] = {NZ, 0, NX, 3};
    double buf[NX * NY * NZ * 3 + 64];
    for (int i = 0; i < NX * NY * NZ * 3 + 64; i++) buf[i] = 1.0;
    struct {
      const char *name;
      int nd;
      hsize_t *dims;
      hid_t type;
    } sets[] = {{"good", 4, d4, H5T_IEEE_F64LE},  {"rank3", 3, d3, H5T_IEEE_F64LE}, {"shape", 4, dshape, H5T_IEEE_F64LE},
                {"int", 4, d4, H5T_STD_I32LE},   {"empty", 4, dempty, H5T_IEEE_F64LE}, {"nan", 4, d4, H5T_IEEE_F64LE},
                {"inf", 4, d4, H5T_IEEE_F32LE}};
    for (int i = 0; i < 7; i++) {
      hid_t s = H5Screate_simple(sets[i].nd, sets[i].dims, NULL);
      hid_t d = H5Dcreate2(f, sets[i].name, sets[i].type, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      if (!strcmp(sets[i].name, "nan")) buf[17] = NAN;
      if (!strcmp(sets[i].name, "inf")) buf[17] = INFINITY;
      if (strcmp(sets[i].name, "empty")) H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
      buf[17] = 1.0;
      H5Dclose(d);
      H5Sclose(s);
    }
    hid_t s = H5Screate(H5S_NULL);
    hid_t d = H5Dcreate2(f, "null", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(d);
    H5Sclose(s);
    H5Gclose(H5Gcreate2(f, "group", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Fclose(f);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  fc_grid *g;
  fc_field *u;
  make_field(3, 3, &g, &u);
  fc_external_spec spec = {path, "/good", "z,y,x,c", FC_PRECISION_AUTO};
  FC_TEST_OK(fc_external_read(MPI_COMM_WORLD, &spec, u));
  static const char *bad[] = {"/rank3", "/shape", "/int", "/empty", "/null", "/group", "/missing", "/group/missing", ""};
  for (int i = 0; i < 9; i++) {
    spec.dataset = bad[i];
    fc_err e = fc_external_read(MPI_COMM_WORLD, &spec, u);
    CU_ASSERT_EQUAL(FC_ERR_KIND(e), FC_ERR_INPUT);
    CU_ASSERT(e & FC_ERR_COLLECTIVE);
  }
  spec.dataset = "/nan";
  FC_TEST_FAILS(fc_external_read(MPI_COMM_WORLD, &spec, u), FC_ERR_NONFINITE);
  spec.dataset = "/inf";
  FC_TEST_FAILS(fc_external_read(MPI_COMM_WORLD, &spec, u), FC_ERR_NONFINITE);
  fc_field_destroy(&u);
  fc_grid_destroy(&g);
}

static void write_bytes(const char *path, const char *bytes, size_t n)
{
  if (fc_test_rank() == 0) {
    FILE *f = fopen(path, "wb");
    fwrite(bytes, 1, n, f);
    fclose(f);
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

/* Copies the first keep bytes of src to dst, then overwrites n bytes at offset with junk (n > 0). */
static void damaged_copy(const char *src, const char *dst, long keep, long offset, int n)
{
  if (fc_test_rank() == 0) {
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    for (long i = 0; i < keep; i++) {
      int ch = fgetc(in);
      if (ch == EOF) break;
      fputc(i >= offset && i < offset + n ? 0xA5 ^ (int)(i & 0xff) : ch, out);
    }
    fclose(in);
    fclose(out);
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

/* File-level failures of the reader, the external reader and the describer. */
static void test_bad_files(void)
{
  char good[512], path[512];
  fc_grid *g;
  fc_field *u;
  fc_field_reader *rd = NULL;
  make_field(3, 3, &g, &u);
  tmp_path(good, sizeof good, "good.h5");
  fc_field_writer *w;
  FC_TEST_OK(fc_field_writer_create(MPI_COMM_WORLD, good, g, FC_PRECISION_FLOAT64, &w));
  FC_TEST_OK(fc_field_writer_step(w, 0, 0.0, &u, 1));
  FC_TEST_OK(fc_field_writer_close(&w));
  FILE *devnull = fopen("/dev/null", "w");
  FC_TEST_OK(fc_h5_describe(MPI_COMM_WORLD, good, devnull));

  struct stat st;
  stat(good, &st);
  hid_t f = H5Fopen(good, H5F_ACC_RDONLY, H5P_DEFAULT);
  H5O_info_t oi;
  H5Oget_info_by_name(f, "/steps/00000000/u", &oi, H5P_DEFAULT);
  H5Fclose(f);

  const char *cases[] = {"missing.h5", "dir.h5", "text.h5", "empty.h5", "truncated.h5", "corrupted.h5", "foreign.h5"};
  for (int i = 0; i < 7; i++) {
    tmp_path(path, sizeof path, cases[i]);
    switch (i) {
    case 0: if (fc_test_rank() == 0) unlink(path); MPI_Barrier(MPI_COMM_WORLD); break;
    case 1: if (fc_test_rank() == 0) mkdir(path, 0777); MPI_Barrier(MPI_COMM_WORLD); break;
    case 2: write_bytes(path, "grid:\n  nx: 4\n", 14); break;
    case 3: write_bytes(path, "", 0); break;
    case 4: damaged_copy(good, path, (long)st.st_size / 2, 0, 0); break;
    case 5: damaged_copy(good, path, (long)st.st_size, (long)oi.addr, 48); break;
    case 6: write_foreign(path, "/u", "z,y,x,c", H5T_IEEE_F64LE, 1); break;
    }
    fc_err e = fc_field_reader_open(MPI_COMM_WORLD, path, &rd);
    if (i == 5 && !e) { /* header damage shows when the dataset is read */
      e = fc_field_reader_read(rd, 0, u);
      fc_field_reader_close(&rd);
    }
    CU_ASSERT_EQUAL(FC_ERR_KIND(e), FC_ERR_INPUT);
    CU_ASSERT(e & FC_ERR_COLLECTIVE);
    CU_ASSERT_PTR_NULL(rd);
    if (i < 6) {
      fc_external_spec spec = {path, "/steps/00000000/u", "z,y,x,c", FC_PRECISION_AUTO};
      FC_TEST_FAILS(fc_external_read(MPI_COMM_WORLD, &spec, u), FC_ERR_INPUT);
      FC_TEST_FAILS(fc_h5_describe(MPI_COMM_WORLD, path, devnull), FC_ERR_INPUT);
    }
  }
  fclose(devnull);
  fc_field_destroy(&u);
  fc_grid_destroy(&g);
}

/* A failed write leaves no partial file and an existing output untouched; NaN is refused. */
static void test_writer_atomic(void)
{
  char path[512], partial[600];
  fc_grid *g;
  fc_field *u;
  make_field(3, 3, &g, &u);
  tmp_path(path, sizeof path, "atomic.h5");
  snprintf(partial, sizeof partial, "%s.partial", path);
  write_bytes(path, "previous result", 15);
  fc_field_writer *w;
  FC_TEST_OK(fc_field_writer_create(MPI_COMM_WORLD, path, g, FC_PRECISION_FLOAT64, &w));
  CU_ASSERT_EQUAL(access(partial, F_OK), 0);
  if (u->decomp.nxl > 0 && u->decomp.rank == u->decomp.size - 1) u->data[0] = NAN;
  if (fc_test_size() > NX) u->data[0] = 0; /* nothing to poison on a rank without planes */
  fc_err e = fc_field_writer_step(w, 0, 0.0, &u, 1);
  CU_ASSERT_EQUAL(FC_ERR_KIND(e), FC_ERR_NONFINITE);
  FC_TEST_OK(fc_field_writer_discard(&w));
  CU_ASSERT_NOT_EQUAL(access(partial, F_OK), 0);
  struct stat st;
  CU_ASSERT_EQUAL(stat(path, &st), 0);
  CU_ASSERT_EQUAL(st.st_size, 15);
  /* missing parent directories are created; a parent that is a file, or an output that is
   * a directory, is refused before anything is written */
  tmp_path(path, sizeof path, "new/sub/dir/out.h5");
  FC_TEST_OK(fc_field_writer_create(MPI_COMM_WORLD, path, g, FC_PRECISION_FLOAT64, &w));
  FC_TEST_OK(fc_field_writer_close(&w));
  tmp_path(path, sizeof path, "atomic.h5/out.h5");
  FC_TEST_FAILS(fc_field_writer_create(MPI_COMM_WORLD, path, g, FC_PRECISION_FLOAT64, &w), FC_ERR_INPUT);
  tmp_path(path, sizeof path, "new/sub");
  FC_TEST_FAILS(fc_field_writer_create(MPI_COMM_WORLD, path, g, FC_PRECISION_FLOAT64, &w), FC_ERR_INPUT);
  fc_field_destroy(&u);
  fc_grid_destroy(&g);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"round trip 3D", test_roundtrip_3d},
                                       {"round trip 2D", test_roundtrip_2d},
                                       {"round trip float32 storage", test_roundtrip_float32},
                                       {"other codes' datasets in any axis order", test_external_axis_orders},
                                       {"malformed datasets refused", test_external_bad_datasets},
                                       {"missing, non-HDF5, truncated, corrupted files", test_bad_files},
                                       {"atomic writes", test_writer_atomic},
                                       {NULL, NULL}};
  fc_test_add_suite("field_io", tests);
}

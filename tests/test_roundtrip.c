/* Field files across rank counts: a file written by N ranks is read by M ranks with
 * identical values. Driven by tests/roundtrip.cmake:
 *   FC_RT_MODE=write FC_RT_FILE=f.h5   writes the reference fields (3D and 2D files)
 *   FC_RT_MODE=read  FC_RT_FILE=f.h5   reads them back and compares bit for bit
 * The written files are then compared with h5diff (same content at 1 and 2 ranks)
 * and their XDMF sidecars are parsed by tests/check_xdmf.py. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_io.h"
#include "fc_test.h"

/* A non-trivial value per global point and component, exact in float64. */
static double ref_value(long ix, long iy, long iz, long c, long step)
{
  return sin(0.37 * ix + 0.11 * iy) * cos(0.23 * iz) + 0.5 * c - 0.01 * step;
}

static const long NXYZ[3] = {9, 7, 5}; /* odd sizes: uneven slabs at 2 ranks */

static void make_grid(int ndim, fc_grid **g)
{
  double L[3] = {4 * M_PI, 2, 4 * M_PI / 3}, st[3] = {0, 2.2, 0};
  int per[3] = {1, 0, 1};
  FC_TEST_OK(fc_grid_create(ndim, NXYZ, L, per, st, g));
}

static void fill(fc_field *f, long step)
{
  long ny = f->grid->n[1], nz = f->grid->ndim == 3 ? f->grid->n[2] : 1;
  for (long i = 0; i < f->decomp.nxl; i++)
    for (long j = 0; j < ny; j++)
      for (long k = 0; k < nz; k++)
        for (long c = 0; c < f->ncomp; c++)
          f->data[((i * ny + j) * nz + k) * f->ncomp + c] = ref_value(f->decomp.x0 + i, j, k, c, step);
}

static void file_name(char *buf, size_t len, int ndim)
{
  const char *base = getenv("FC_RT_FILE");
  snprintf(buf, len, "%s/%s_%dd.h5", fc_test_tmpdir(), base ? base : "rt", ndim);
}

static void test_write(void)
{
  for (int ndim = 2; ndim <= 3; ndim++) {
    fc_grid *g;
    fc_decomp d;
    fc_field *u, *p;
    char path[1024];
    file_name(path, sizeof path, ndim);
    make_grid(ndim, &g);
    FC_TEST_OK(fc_decomp_slab(MPI_COMM_WORLD, g->n[0], &d));
    FC_TEST_OK(fc_field_create(g, &d, "u", ndim, &u));
    FC_TEST_OK(fc_field_create(g, &d, "p", 1, &p));
    fc_field_writer *w;
    FC_TEST_OK(fc_field_writer_create(MPI_COMM_WORLD, path, g, FC_PRECISION_FLOAT64, &w));
    FC_TEST_OK(fc_field_writer_parameter(w, "re_tau", 180.0));
    for (long step = 0; step < 3; step++) {
      fill(u, step);
      fill(p, step + 7);
      fc_field *fs[2] = {u, p};
      FC_TEST_OK(fc_field_writer_step(w, step * 50, 0.1 * step, fs, 2));
    }
    FC_TEST_OK(fc_field_writer_close(&w));
    fc_field_destroy(&u);
    fc_field_destroy(&p);
    fc_grid_destroy(&g);
  }
}

static void test_read(void)
{
  for (int ndim = 2; ndim <= 3; ndim++) {
    fc_grid *g, *ref;
    fc_decomp d;
    fc_field *u, *p, *want;
    fc_field_reader *r;
    char path[1024];
    file_name(path, sizeof path, ndim);
    FC_TEST_OK(fc_field_reader_open(MPI_COMM_WORLD, path, &r));
    FC_TEST_OK(fc_field_reader_grid(r, &g));
    make_grid(ndim, &ref);
    for (int a = 0; a < ndim; a++)
      for (long i = 0; i < g->n[a]; i++) CU_ASSERT_EQUAL(g->coord[a][i], ref->coord[a][i]);
    long ns;
    const fc_step_info *steps;
    FC_TEST_OK(fc_field_reader_steps(r, &ns, &steps));
    CU_ASSERT_EQUAL_FATAL(ns, 3);
    FC_TEST_OK(fc_decomp_slab(MPI_COMM_WORLD, g->n[0], &d));
    FC_TEST_OK(fc_field_create(g, &d, "u", ndim, &u));
    FC_TEST_OK(fc_field_create(g, &d, "p", 1, &p));
    FC_TEST_OK(fc_field_create(g, &d, "want", ndim, &want));
    long mismatches = 0;
    for (long s = 0; s < ns; s++) {
      CU_ASSERT_EQUAL(steps[s].step, 50 * s);
      CU_ASSERT_EQUAL(steps[s].time, 0.1 * s);
      FC_TEST_OK(fc_field_reader_read(r, s, u));
      FC_TEST_OK(fc_field_reader_read(r, s, p));
      fill(want, s);
      for (long i = 0; i < fc_field_local_size(u); i++) mismatches += u->data[i] != want->data[i];
      for (long i = 0; i < fc_field_local_size(p); i++) {
        long plane = fc_grid_plane_points(g), nz = ndim == 3 ? g->n[2] : 1;
        long ix = d.x0 + i / plane, iy = (i % plane) / nz, iz = i % nz;
        mismatches += p->data[i] != ref_value(ix, iy, iz, 0, s + 7);
      }
    }
    long all = 0;
    MPI_Allreduce(&mismatches, &all, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    CU_ASSERT_EQUAL(all, 0);
    fc_field_reader_close(&r);
    fc_field_destroy(&u);
    fc_field_destroy(&p);
    fc_field_destroy(&want);
    fc_grid_destroy(&g);
    fc_grid_destroy(&ref);
  }
}

void fc_test_register(void)
{
  const char *mode = getenv("FC_RT_MODE");
  static const fc_test_case write_tests[] = {{"write reference fields", test_write}, {NULL, NULL}};
  static const fc_test_case read_tests[] = {{"read fields written at another rank count", test_read}, {NULL, NULL}};
  if (mode && !strcmp(mode, "read")) fc_test_add_suite("roundtrip_read", read_tests);
  else fc_test_add_suite("roundtrip_write", write_tests);
}

/* The channel solver's initial field from cell-centre velocities (src/solvers/channel/initial.c):
 *
 * - Laminar Poiseuille flow at the centres comes back as the same staggered field (round-off).
 * - A perturbed divergence-free state: the faces from its centres are projected to round-off
 *   divergence, the bulk velocity is set, and the centres come back close to the input (the
 *   two averages, face -> centre -> face, smooth its shortest modes).
 * - From a field file: the snapshot index (and -1 for the last), the start time, the same
 *   field as from the centres in memory, the same on 1 rank as on all ranks.
 * - Refused: index out of range, grid mismatch (sizes, stretching, box), a missing dataset,
 *   a missing file.
 */
#include <math.h>
#include <stdio.h>

#include "channel_test.h"
#include "fc_io.h"

/* A 16 x 12 x 8 channel at low Reynolds number, flow-rate drive. */
static fc_channel_config field_config(void)
{
  fc_channel_config c = fc_channel_test_config(16, 12, 8);
  c.drive = FC_DRIVE_FLOW_RATE;
  c.nu = 1.0 / 500.0;
  return c;
}

/* The centre velocity of ch into a new field on its file grid (*g and *f: the caller's). */
static void centres_of(fc_channel *ch, fc_grid **g, fc_field **f)
{
  fc_decomp d;
  FC_TEST_OK(fc_channel_file_grid(ch, g));
  FC_TEST_OK(fc_decomp_slab(ch->comm, ch->nx, &d));
  FC_TEST_OK(fc_field_create(*g, &d, "velocity", 3, f));
  fc_channel_centre_velocity(ch, *f, NULL);
}

/* max |a - b| over the velocity faces of two channels of the same size; b may be a
 * single-rank copy (its x index is global then). */
static double max_face_difference(const fc_channel *a, const fc_channel *b)
{
  double err = 0;
  const long bx = b->size == 1 ? a->x0 : 0;
  for (long i = 0; i < a->nxl; i++)
    for (long k = 0; k < a->nz; k++)
      for (long j = 0; j < a->ny; j++) {
        long qa = FC_CH_IDX(a, i, k, j), qb = FC_CH_IDX(b, i + bx, k, j);
        err = fmax(err, fmax(fabs(a->u[qa] - b->u[qb]), fmax(fabs(a->v[qa] - b->v[qb]), fabs(a->w[qa] - b->w[qb]))));
      }
  MPI_Allreduce(MPI_IN_PLACE, &err, 1, MPI_DOUBLE, MPI_MAX, a->comm);
  return err;
}

/* relative L2 difference of two centre-velocity fields on the same slabs */
static double relative_l2(const fc_field *a, const fc_field *b)
{
  double s[2] = {0, 0};
  for (long q = 0; q < fc_field_local_size(a); q++) {
    s[0] += (a->data[q] - b->data[q]) * (a->data[q] - b->data[q]);
    s[1] += b->data[q] * b->data[q];
  }
  MPI_Allreduce(MPI_IN_PLACE, s, 2, MPI_DOUBLE, MPI_SUM, a->decomp.comm);
  return sqrt(s[0] / s[1]);
}

static void test_poiseuille_round_trip(void)
{
  fc_channel_config c = field_config();
  fc_channel *a, *b;
  fc_grid *g;
  fc_field *f;
  fc_channel_init_info info;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &a));
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &b));
  FC_TEST_OK(fc_channel_init_profile(a, 0, 1.0, 0.0, 0));
  centres_of(a, &g, &f);
  FC_TEST_OK(fc_channel_init_centres(b, f, 1.0, &info));
  double err = max_face_difference(b, a);
  if (fc_test_rank() == 0)
    printf("\n  Poiseuille through the centres: max face difference %.2e, max |div u| %.2e -> %.2e\n", err,
           info.div_before, info.div_after);
  CU_ASSERT(err < 1e-13); /* the input's own round-off (its projection) averaged twice */
  CU_ASSERT(info.div_before < 1e-12);
  CU_ASSERT(info.div_after < 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(info.bulk_before, 1.0, 1e-13);
  fc_field_destroy(&f);
  fc_grid_destroy(&g);
  fc_channel_destroy(&a);
  fc_channel_destroy(&b);
}

static void test_perturbed_projected(void)
{
  fc_channel_config c = field_config();
  fc_channel *a, *b;
  fc_grid *g;
  fc_field *f, *back;
  fc_channel_init_info info;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &a));
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &b));
  FC_TEST_OK(fc_channel_init_profile(a, 1, 1.0, 0.3, 5));
  centres_of(a, &g, &f);
  /* an input with the wrong bulk velocity: the target is restored */
  for (long q = 0; q < fc_field_local_size(f); q += 3) f->data[q] *= 1.1;
  FC_TEST_OK(fc_channel_init_centres(b, f, 1.0, &info));
  double ub, div;
  FC_TEST_OK(fc_channel_bulk_velocity(b, &ub));
  FC_TEST_OK(fc_channel_max_divergence(b, &div));
  FC_TEST_OK(fc_field_create(g, &f->decomp, "velocity", 3, &back));
  fc_channel_centre_velocity(b, back, NULL);
  for (long q = 0; q < fc_field_local_size(f); q += 3) f->data[q] /= 1.1;
  double rel = relative_l2(back, f);
  if (fc_test_rank() == 0)
    printf("\n  perturbed state through the centres: max |div u| %.2e -> %.2e, U_b %.4f -> %.15f, "
           "relative L2 change of the centres %.3e\n", info.div_before, info.div_after, info.bulk_before, ub, rel);
  CU_ASSERT(info.div_before > 1e-3);           /* averaging twice does not keep div u = 0 */
  CU_ASSERT(info.div_after < 1e-12);
  CU_ASSERT(fabs(div - info.div_after) < 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(info.bulk_before, 1.1, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(ub, 1.0, 1e-14);
  CU_ASSERT(rel < 0.1); /* 6%: its modes up to 4 per 16 cells lose up to half their amplitude */
  fc_field_destroy(&back);
  fc_field_destroy(&f);
  fc_grid_destroy(&g);
  fc_channel_destroy(&a);
  fc_channel_destroy(&b);
}

/* Writes the centres of a perturbed state at two snapshots (times 2.5 and 2.75; the second
 * with u scaled by 1.05) to path; the fields to write are named name (velocity, or not). */
static void write_file(const char *path, const char *name)
{
  fc_channel_config c = field_config();
  fc_channel *a;
  fc_grid *g;
  fc_field *f;
  fc_field_writer *w;
  char *argv[] = {"flowcast", "test"};
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &a));
  FC_TEST_OK(fc_channel_init_profile(a, 1, 1.0, 0.3, 5));
  centres_of(a, &g, &f);
  snprintf(f->name, sizeof f->name, "%s", name);
  FC_TEST_OK(fc_field_writer_create(MPI_COMM_WORLD, path, g, FC_PRECISION_FLOAT64, &w));
  FC_TEST_OK(fc_field_writer_provenance(w, "test", "", 2, argv));
  FC_TEST_OK(fc_field_writer_step(w, 40, 2.5, &f, 1));
  for (long q = 0; q < fc_field_local_size(f); q += 3) f->data[q] *= 1.05;
  FC_TEST_OK(fc_field_writer_step(w, 44, 2.75, &f, 1));
  FC_TEST_OK(fc_field_writer_close(&w));
  fc_field_destroy(&f);
  fc_grid_destroy(&g);
  fc_channel_destroy(&a);
}

static void file_path(char *buf, size_t n, const char *what)
{
  snprintf(buf, n, "%s/channel_field_%s_np%d.h5", fc_test_tmpdir(), what, fc_test_size());
}

static void test_from_file(void)
{
  char path[512];
  file_path(path, sizeof path, "velocity");
  write_file(path, "velocity");
  fc_channel_config c = field_config();
  fc_channel *a, *b, *one;
  fc_grid *g;
  fc_field *f;
  fc_channel_init_info info, mem;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &a));
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &b));
  FC_TEST_OK(fc_channel_create(MPI_COMM_SELF, &c, &one));
  /* the first snapshot: the same as from the centres in memory */
  FC_TEST_OK(fc_channel_init_profile(a, 1, 1.0, 0.3, 5));
  centres_of(a, &g, &f);
  FC_TEST_OK(fc_channel_init_centres(a, f, 1.0, &mem));
  FC_TEST_OK(fc_channel_init_field(b, path, 0, &info));
  CU_ASSERT_EQUAL(info.index, 0);
  CU_ASSERT_EQUAL(info.step, 40);
  CU_ASSERT_EQUAL(b->t, 2.5);
  CU_ASSERT_EQUAL(b->step, 0);
  CU_ASSERT(max_face_difference(b, a) < 1e-15);
  /* -1: the last snapshot, its time; the same on one rank */
  FC_TEST_OK(fc_channel_init_field(b, path, -1, &info));
  FC_TEST_OK(fc_channel_init_field(one, path, 1, &mem));
  CU_ASSERT_EQUAL(info.index, 1);
  CU_ASSERT_EQUAL(info.step, 44);
  CU_ASSERT_EQUAL(b->t, 2.75);
  CU_ASSERT_EQUAL(one->t, 2.75);
  CU_ASSERT(info.div_after < 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(info.bulk_before, 1.05, 1e-12);
  double ranks = max_face_difference(b, one);
  if (fc_test_rank() == 0) printf("\n  from a file: 1 rank vs %d: max face difference %.2e\n", fc_test_size(), ranks);
  CU_ASSERT(ranks < 1e-13);
  fc_field_destroy(&f);
  fc_grid_destroy(&g);
  fc_channel_destroy(&a);
  fc_channel_destroy(&b);
  fc_channel_destroy(&one);
}

static void test_refused(void)
{
  char path[512], other[512], missing[512];
  file_path(path, sizeof path, "velocity");
  file_path(other, sizeof other, "other");
  file_path(missing, sizeof missing, "missing");
  write_file(path, "velocity");
  write_file(other, "pressure3");
  fc_channel_config c = field_config();
  fc_channel *ch;
  fc_channel_init_info info;
  FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  FC_TEST_FAILS(fc_channel_init_field(ch, path, 2, &info), FC_ERR_INPUT);
  FC_TEST_FAILS(fc_channel_init_field(ch, path, -2, &info), FC_ERR_INPUT);
  FC_TEST_FAILS(fc_channel_init_field(ch, other, 0, &info), FC_ERR_INPUT);
  CU_ASSERT_NOT_EQUAL(fc_channel_init_field(ch, missing, 0, &info), FC_SUCCESS);
  fc_channel_destroy(&ch);
  /* grid mismatches: sizes, the y stretching, the box */
  fc_channel_config bad[3] = {c, c, c};
  bad[0].ny = 14;
  bad[1].stretch = 1.5;
  bad[2].lz = 1.5 * c.lz;
  for (int q = 0; q < 3; q++) {
    FC_TEST_OK(fc_channel_create(MPI_COMM_WORLD, &bad[q], &ch));
    FC_TEST_FAILS(fc_channel_init_field(ch, path, 0, &info), FC_ERR_INPUT);
    fc_channel_destroy(&ch);
  }
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"poiseuille_round_trip", test_poiseuille_round_trip},
                                       {"perturbed_projected", test_perturbed_projected},
                                       {"from_file", test_from_file},
                                       {"refused", test_refused},
                                       {NULL, NULL}};
  fc_test_add_suite("channel_field", tests);
}

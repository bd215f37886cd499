/* The Fourier neural operators (src/models/fc_fno.h) against PyTorch.
 *
 * tests/data/fno_reference.h5, written by tools/fno_reference.py from the PyTorch models of
 * tools/fno_torch.py (float64 autograd on float32 inputs and weights, results rounded to
 * float32), holds one group per case (FNO 2D and 3D, IFNO 2D and 3D, the norms, the
 * zero-imaginary option, a finer grid for the same weights) with the configuration as
 * attributes, the parameters in flowcast's names and layouts (params/NAME, converted by
 * tools/torch_to_flowcast.py), the input x, the output y, a fixed upstream gradient dy, and
 * the gradients dx and grads/NAME. For each case the model is built from the configuration
 * (fc_fno_create), the parameters are copied in by name, and after fc_fno_setup
 * (MPI_COMM_SELF) the forward and the backward are compared array by array with
 *
 *     max |flowcast - reference| <= TOL max |reference|,   TOL = 1e-5
 *
 * A second forward + backward into the same buffers checks that gradients accumulate
 * (half the sums must match again). tests/data/fno2d_converted.h5, a checkpoint written by
 * tools/torch_to_flowcast.py's command line from the fno2d case's state dict, is loaded with
 * fc_checkpoint_load and its forward compared with the same reference. The worst error of
 * every case is printed in every run; on failure the case, the array and the numbers are.
 * Regenerate both files with
 *     /usr/bin/python3 tools/fno_reference.py tests/data
 */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fc_checkpoint.h"
#include "fc_fno.h"
#include "fc_ref.h"
#include "fc_test.h"

#define TOL 1e-5
#define REF_FILE "fno_reference.h5"
#define CKPT_FILE "fno2d_converted.h5"
#define CKPT_CASE "fno2d"
#define REGENERATE "/usr/bin/python3 tools/fno_reference.py tests/data"

static char path_buf[4096];

static const char *data_path(const char *file)
{
  snprintf(path_buf, sizeof path_buf, "%s/%s", fc_test_datadir(), file);
  return path_buf;
}

static hid_t open_file(const char *file)
{
  const char *path = data_path(file);
  if (access(path, R_OK) != 0) return H5I_INVALID_HID;
  return H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
}

/* ---- reading ------------------------------------------------------------------------- */

/* A float dataset of exactly `expect` values (and, when shape is given, of that shape);
 * NULL and a failed assertion otherwise. */
static long group_links(hid_t g, const char *name)
{
  if (H5Lexists(g, name, H5P_DEFAULT) <= 0) return -1;
  hid_t s = H5Gopen2(g, name, H5P_DEFAULT);
  H5G_info_t info;
  long n = H5Gget_info(s, &info) >= 0 ? (long)info.nlinks : -1;
  H5Gclose(s);
  return n;
}

/* ---- comparing ----------------------------------------------------------------------- */

typedef struct {
  char name[288];
  double worst;    /* worst max|c - ref| / max|ref| over the case's arrays */
  char where[160]; /* array of the worst */
  int arrays;
} case_stats;

static float *zeros(long n) { return calloc((size_t)(n > 0 ? n : 1), sizeof(float)); }

static void compare(case_stats *st, const char *what, const float *c, const float *ref, long n, double scale)
{
  if (!c || !ref) return;
  double err = 0, mref = 0;
  long at = 0;
  for (long i = 0; i < n; i++) {
    double e = fabs(scale * (double)c[i] - (double)ref[i]);
    if (!(e <= err)) { /* NaN counts as the worst */
      err = isnan(e) ? INFINITY : e;
      at = i;
    }
    mref = fmax(mref, fabs((double)ref[i]));
  }
  double rel = mref > 0 ? err / mref : err;
  st->arrays++;
  if (!(rel <= st->worst) || st->worst < 0) {
    st->worst = rel;
    snprintf(st->where, sizeof st->where, "%s", what);
  }
  if (!(rel <= TOL))
    printf("\n  MISMATCH %s/%s: max|flowcast - torch| = %.4g at [%ld] (flowcast %.8g, torch %.8g), max|torch| = %.4g,"
           " relative %.3g > tol %.0e",
           st->name, what, err, at, n ? scale * c[at] : 0.0, n ? ref[at] : 0.0, mref, rel, TOL);
  CU_ASSERT(rel <= TOL);
}

static void report(const case_stats *st)
{
  printf("\n    [%-26s %3d arrays, worst relative error %.3g at %s; tol %.0e]", st->name, st->arrays, st->worst,
         st->arrays ? st->where : "-", TOL);
}

/* ---- one case ------------------------------------------------------------------------- */

typedef struct {
  fc_fno_config cfg;
  char model_type[32];
  int B, n[3];
  long nx, ny; /* floats in x and y */
} case_info;

static int read_case(hid_t g, const char *gname, case_info *ci)
{
  char norm[32];
  memset(ci, 0, sizeof *ci);
  fc_fno_config *c = &ci->cfg;
  c->implicit = fc_ref_attr_int(g, "implicit");
  c->ndim = fc_ref_attr_int(g, "ndim");
  c->in_channels = fc_ref_attr_int(g, "in_channels");
  c->out_channels = fc_ref_attr_int(g, "out_channels");
  c->width = fc_ref_attr_int(g, "width");
  c->proj = fc_ref_attr_int(g, "proj");
  c->layers = fc_ref_attr_int(g, "layers");
  c->use_grid = fc_ref_attr_int(g, "use_grid");
  c->zero_dc_nyquist_imag = fc_ref_attr_int(g, "zero_dc_nyquist_imag");
  ci->B = fc_ref_attr_int(g, "B");
  int ok = fc_ref_attr_ints(g, "modes", c->modes, 3) && fc_ref_attr_ints(g, "n", ci->n, 3);
  fc_ref_attr_string(g, "norm", norm, sizeof norm);
  fc_ref_attr_string(g, "model_type", ci->model_type, sizeof ci->model_type);
  if (!strcmp(norm, "backward")) c->norm = FC_FFT_NORM_BACKWARD;
  else if (!strcmp(norm, "forward")) c->norm = FC_FFT_NORM_FORWARD;
  else if (!strcmp(norm, "ortho")) c->norm = FC_FFT_NORM_ORTHO;
  else {
    printf("\n  %s: unknown norm '%s'", gname, norm);
    ok = 0;
  }
  if (!ok) {
    printf("\n  %s: incomplete configuration attributes", gname);
    CU_FAIL("bad case attributes");
    return 0;
  }
  long npts = 1;
  for (int a = 0; a < c->ndim; a++) npts *= ci->n[a];
  ci->nx = ci->B * npts * c->in_channels;
  ci->ny = ci->B * npts * c->out_channels;
  return 1;
}

/* Copies params/NAME of group g into every tensor of the model (names and shapes must match,
 * and the group must hold no other tensor). */
static int load_params(hid_t g, const char *gname, fc_params *p)
{
  char where[288];
  snprintf(where, sizeof where, "%s/params", gname);
  long nlinks = group_links(g, "params");
  if (nlinks != p->ntensors) {
    printf("\n  %s: %ld tensors in the file, the flowcast model has %d", where, nlinks, p->ntensors);
    CU_FAIL("parameter count differs");
  }
  hid_t gp = H5Gopen2(g, "params", H5P_DEFAULT);
  if (gp < 0) return 0;
  int ok = 1;
  for (int i = 0; i < p->ntensors; i++) {
    const fc_tensor_info *t = &p->t[i];
    float *a = fc_ref_read(gp, where, t->name, t->size, t->ndim, t->shape);
    float *dst = fc_params_get(p, t->name);
    CU_ASSERT_PTR_NOT_NULL(dst);
    if (a && dst) memcpy(dst, a, sizeof(float) * (size_t)t->size);
    else ok = 0;
    free(a);
  }
  H5Gclose(gp);
  return ok;
}

static void run_case(hid_t f, const char *gname, case_stats *st)
{
  hid_t g = H5Gopen2(f, gname, H5P_DEFAULT);
  CU_ASSERT_FATAL(g >= 0);
  case_info ci;
  snprintf(st->name, sizeof st->name, "%s", gname);
  st->worst = -1;
  st->arrays = 0;
  if (!read_case(g, gname, &ci)) {
    H5Gclose(g);
    return;
  }
  fc_fno *m = NULL;
  FC_TEST_OK(fc_fno_create(&ci.cfg, &m));
  if (strcmp(fc_fno_type(m), ci.model_type)) printf("\n  %s: fc_fno_type '%s', reference '%s'", gname, fc_fno_type(m), ci.model_type);
  CU_ASSERT_STRING_EQUAL(fc_fno_type(m), ci.model_type);
  fc_params *p = fc_fno_params(m);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  int ok = load_params(g, gname, p);
  float *x = fc_ref_read(g, gname, "x", ci.nx, 0, NULL), *y = fc_ref_read(g, gname, "y", ci.ny, 0, NULL),
        *dy = fc_ref_read(g, gname, "dy", ci.ny, 0, NULL), *dxr = fc_ref_read(g, gname, "dx", ci.nx, 0, NULL);
  float **gref = calloc((size_t)p->ntensors, sizeof(float *));
  char where[288];
  snprintf(where, sizeof where, "%s/grads", gname);
  CU_ASSERT_EQUAL(group_links(g, "grads"), p->ntensors);
  hid_t gg = H5Lexists(g, "grads", H5P_DEFAULT) > 0 ? H5Gopen2(g, "grads", H5P_DEFAULT) : H5I_INVALID_HID;
  for (int i = 0; i < p->ntensors && gg >= 0; i++)
    gref[i] = fc_ref_read(gg, where, p->t[i].name, p->t[i].size, p->t[i].ndim, p->t[i].shape);
  if (gg >= 0) H5Gclose(gg);
  if (ok && x && y && dy && dxr) {
    FC_TEST_OK(fc_fno_setup(m, ci.B, ci.n, MPI_COMM_SELF));
    long npts = ci.nx / ((long)ci.B * ci.cfg.in_channels);
    CU_ASSERT_EQUAL(fc_fno_local_points(m), npts);
    float *yc = zeros(ci.ny), *dx = zeros(ci.nx);
    fc_params_zero_grad(p);
    for (int round = 1; round <= 2; round++) { /* round 2 accumulates into the same buffers */
      double s = 1.0 / round;
      char label[160];
      memset(yc, 0, sizeof(float) * (size_t)ci.ny);
      FC_TEST_OK(fc_fno_forward(m, yc, x));
      snprintf(label, sizeof label, "y%s", round == 2 ? " (second forward)" : "");
      compare(st, label, yc, y, ci.ny, 1.0);
      FC_TEST_OK(fc_fno_backward(m, dx, dy));
      snprintf(label, sizeof label, "dx%s", round == 2 ? " (backward twice, halved)" : "");
      compare(st, label, dx, dxr, ci.nx, s);
      for (int i = 0; i < p->ntensors; i++) {
        snprintf(label, sizeof label, "d %s%s", p->t[i].name, round == 2 ? " (backward twice, halved)" : "");
        compare(st, label, p->grad + p->t[i].offset, gref[i], p->t[i].size, s);
      }
    }
    free(yc), free(dx);
  }
  for (int i = 0; i < p->ntensors; i++) free(gref[i]);
  free(gref), free(x), free(y), free(dy), free(dxr);
  fc_fno_destroy(&m);
  CU_ASSERT_PTR_NULL(m);
  H5Gclose(g);
}

/* Runs every case whose model_type is `type`; at least one must exist. */
static void run_type(const char *type)
{
  hid_t f = open_file(REF_FILE);
  if (f < 0) {
    printf("\n  cannot open %s (regenerate: %s)", data_path(REF_FILE), REGENERATE);
    CU_FAIL_FATAL("reference file missing");
  }
  H5G_info_t info;
  CU_ASSERT_FATAL(H5Gget_info(f, &info) >= 0);
  int count = 0;
  for (hsize_t i = 0; i < info.nlinks; i++) {
    char gname[256], mt[32];
    if (H5Lget_name_by_idx(f, ".", H5_INDEX_NAME, H5_ITER_INC, i, gname, sizeof gname, H5P_DEFAULT) < 0) continue;
    hid_t g = H5Gopen2(f, gname, H5P_DEFAULT);
    if (g < 0) continue;
    fc_ref_attr_string(g, "model_type", mt, sizeof mt);
    H5Gclose(g);
    if (strcmp(mt, type)) continue;
    case_stats st;
    run_case(f, gname, &st);
    report(&st);
    count++;
  }
  H5Fclose(f);
  if (!count) printf("\n  no %s case in %s", type, data_path(REF_FILE));
  CU_ASSERT(count > 0);
}

static void test_fno2d(void) { run_type("fno2d"); }
static void test_fno3d(void) { run_type("fno3d"); }
static void test_ifno2d(void) { run_type("ifno2d"); }
static void test_ifno3d(void) { run_type("ifno3d"); }

/* The files are committed: their absence is a failure, not a skip; every case is of a known
 * model type, so none is skipped silently. */
static void test_reference_file(void)
{
  static const char *types[] = {"fno2d", "fno3d", "ifno2d", "ifno3d"};
  const char *files[] = {REF_FILE, CKPT_FILE};
  for (int k = 0; k < 2; k++)
    if (access(data_path(files[k]), R_OK) != 0) {
      printf("\n  MISSING %s: the PyTorch reference files are committed with the sources; regenerate them with\n"
             "    %s",
             data_path(files[k]), REGENERATE);
      CU_FAIL_FATAL("reference file missing");
    }
  hid_t f = open_file(REF_FILE);
  if (f < 0) {
    printf("\n  %s is not a readable HDF5 file", data_path(REF_FILE));
    CU_FAIL_FATAL("reference file unreadable");
  }
  H5G_info_t info;
  CU_ASSERT_FATAL(H5Gget_info(f, &info) >= 0);
  CU_ASSERT(info.nlinks > 0);
  for (hsize_t i = 0; i < info.nlinks; i++) {
    char gname[256], mt[32];
    CU_ASSERT_FATAL(H5Lget_name_by_idx(f, ".", H5_INDEX_NAME, H5_ITER_INC, i, gname, sizeof gname, H5P_DEFAULT) >= 0);
    hid_t g = H5Gopen2(f, gname, H5P_DEFAULT);
    CU_ASSERT_FATAL(g >= 0);
    fc_ref_attr_string(g, "model_type", mt, sizeof mt);
    int known = 0;
    for (int t = 0; t < 4; t++) known |= !strcmp(mt, types[t]);
    if (!known) printf("\n  group %s: unknown model_type '%s'", gname, mt);
    CU_ASSERT(known);
    H5Gclose(g);
  }
  H5Fclose(f);
}

/* tools/torch_to_flowcast.py's checkpoint of the fno2d case loads with fc_checkpoint_load
 * (model type, every hyper-parameter of fc_fno_hparams and every shape checked), holds the
 * reference parameters bit for bit, and gives the reference output. */
static void test_converted_checkpoint(void)
{
  hid_t f = open_file(REF_FILE);
  CU_ASSERT_FATAL(f >= 0);
  CU_ASSERT_FATAL(H5Lexists(f, CKPT_CASE, H5P_DEFAULT) > 0);
  hid_t g = H5Gopen2(f, CKPT_CASE, H5P_DEFAULT);
  case_info ci;
  CU_ASSERT_FATAL(read_case(g, CKPT_CASE, &ci));
  fc_fno *m = NULL;
  FC_TEST_OK(fc_fno_create(&ci.cfg, &m));
  fc_params *p = fc_fno_params(m);
  fc_hparam h[64];
  int nh = fc_fno_hparams(m, h, 64);
  CU_ASSERT(nh > 0 && nh <= 64);
  fc_checkpoint ck;
  memset(&ck, 0, sizeof ck);
  ck.model_type = fc_fno_type(m);
  ck.hparams = h;
  ck.nhparams = nh;
  ck.params = p;
  ck.step = ck.epoch = -1;
  fc_err e = fc_checkpoint_load(MPI_COMM_SELF, data_path(CKPT_FILE), &ck);
  if (e) printf("\n  fc_checkpoint_load(%s) failed (see the error above)", data_path(CKPT_FILE));
  FC_TEST_OK(e);
  CU_ASSERT_EQUAL(ck.step, 0);
  CU_ASSERT_EQUAL(ck.epoch, 0);
  /* the same parameters as the reference case, bit for bit */
  char where[64];
  snprintf(where, sizeof where, "%s/params", CKPT_CASE);
  hid_t gp = H5Gopen2(g, "params", H5P_DEFAULT);
  for (int i = 0; i < p->ntensors; i++) {
    const fc_tensor_info *t = &p->t[i];
    float *a = fc_ref_read(gp, where, t->name, t->size, t->ndim, t->shape);
    if (a && memcmp(a, p->data + t->offset, sizeof(float) * (size_t)t->size)) {
      printf("\n  %s: tensor %s differs from the reference's", CKPT_FILE, t->name);
      CU_FAIL("converted tensor differs");
    }
    free(a);
  }
  H5Gclose(gp);
  float *x = fc_ref_read(g, CKPT_CASE, "x", ci.nx, 0, NULL), *y = fc_ref_read(g, CKPT_CASE, "y", ci.ny, 0, NULL);
  if (x && y) {
    float *yc = zeros(ci.ny);
    FC_TEST_OK(fc_fno_setup(m, ci.B, ci.n, MPI_COMM_SELF));
    FC_TEST_OK(fc_fno_forward(m, yc, x));
    case_stats st = {"", -1, "", 0};
    snprintf(st.name, sizeof st.name, "%s (checkpoint)", CKPT_FILE);
    compare(&st, "y", yc, y, ci.ny, 1.0);
    report(&st);
    free(yc);
  }
  free(x), free(y);
  fc_fno_destroy(&m);
  H5Gclose(g);
  H5Fclose(f);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"reference files present and every case known", test_reference_file},
                                       {"FNO 2D: forward, backward, finer grid, forward norm + zero-imag", test_fno2d},
                                       {"FNO 3D: forward, backward", test_fno3d},
                                       {"IFNO 2D: forward, backward", test_ifno2d},
                                       {"IFNO 3D: forward, backward, ortho + zero-imag", test_ifno3d},
                                       {"checkpoint from tools/torch_to_flowcast.py loads and matches",
                                        test_converted_checkpoint},
                                       {NULL, NULL}};
  fc_test_add_suite("fno_reference (PyTorch)", tests);
}

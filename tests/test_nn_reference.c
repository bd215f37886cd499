/* The neural-network layers against PyTorch: tests/data/nn_reference.h5, written by
 * tools/nn_reference.py (each layer built in PyTorch from its definition, float64 autograd
 * on float32 inputs, results rounded to float32), holds one group per case with the inputs,
 * the parameters in flowcast's layout, y, a fixed upstream gradient dy, and the gradients.
 * For every group, flowcast's forward and backward run on the same inputs and each array is
 * compared with
 *
 *     max |flowcast - reference| <= TOL max |reference|,   TOL = 1e-5
 *
 * (per array: y, saved statistics, dx, each parameter gradient). Backward accumulates: it
 * runs twice into the same buffers and half the sum is checked too. On failure the case,
 * the array and the numbers are printed; the worst relative error of each layer is printed
 * in every run. Regenerate the file with
 *     /usr/bin/python3 tools/nn_reference.py tests/data/nn_reference.h5
 */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fc_nn.h"
#include "fc_ref.h"
#include "fc_test.h"

#define TOL 1e-5
#define REF_FILE "nn_reference.h5"

static char ref_path[4096];

static const char *reference_path(void)
{
  snprintf(ref_path, sizeof ref_path, "%s/%s", fc_test_datadir(), REF_FILE);
  return ref_path;
}

static hid_t open_reference(void)
{
  const char *path = reference_path();
  if (access(path, R_OK) != 0) return H5I_INVALID_HID;
  return H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
}

/* ---- reading ------------------------------------------------------------------------- */

/* ---- comparing ----------------------------------------------------------------------- */


static float *zeros(long n) { return calloc((size_t)(n > 0 ? n : 1), sizeof(float)); }

/* ---- one function per layer: runs a group ------------------------------------------------ */

static void run_linear(hid_t g, const char *gname, fc_ref_stats *st)
{
  int M = fc_ref_attr_int(g, "M"), in = fc_ref_attr_int(g, "in"), out = fc_ref_attr_int(g, "out"), bias = fc_ref_attr_int(g, "bias");
  long nx = (long)M * in, ny = (long)M * out, nw = (long)out * in;
  float *x = fc_ref_read(g, gname, "x", nx, 0, NULL), *W = fc_ref_read(g, gname, "W", nw, 0, NULL), *y = fc_ref_read(g, gname, "y", ny, 0, NULL),
        *dy = fc_ref_read(g, gname, "dy", ny, 0, NULL), *dxr = fc_ref_read(g, gname, "dx", nx, 0, NULL),
        *dWr = fc_ref_read(g, gname, "dW", nw, 0, NULL);
  float *b = bias ? fc_ref_read(g, gname, "b", out, 0, NULL) : NULL, *dbr = bias ? fc_ref_read(g, gname, "db", out, 0, NULL) : NULL;
  if (x && W && y && dy && dxr && dWr && (!bias || (b && dbr))) {
    float *yc = zeros(ny), *dx = zeros(nx), *dW = zeros(nw), *db = bias ? zeros(out) : NULL;
    fc_linear_forward(yc, x, W, b, M, in, out);
    fc_ref_compare(st, gname, "y", yc, y, ny);
    fc_linear_backward(dx, dW, db, dy, x, W, M, in, out);
    fc_ref_compare(st, gname, "dx", dx, dxr, nx);
    fc_ref_compare(st, gname, "dW", dW, dWr, nw);
    if (bias) fc_ref_compare(st, gname, "db", db, dbr, out);
    fc_linear_backward(dx, dW, db, dy, x, W, M, in, out);
    fc_ref_compare_twice(st, gname, "dx", dx, dxr, nx);
    fc_ref_compare_twice(st, gname, "dW", dW, dWr, nw);
    if (bias) fc_ref_compare_twice(st, gname, "db", db, dbr, out);
    free(yc), free(dx), free(dW), free(db);
  }
  free(x), free(W), free(y), free(dy), free(dxr), free(dWr), free(b), free(dbr);
}

static void run_activation(hid_t g, const char *gname, fc_ref_stats *st)
{
  void (*fwd)(float *, const float *, long) = NULL;
  void (*bwd)(float *, const float *, const float *, long) = NULL;
  if (!strcmp(st->layer, "gelu")) fwd = fc_gelu_forward, bwd = fc_gelu_backward;
  else if (!strcmp(st->layer, "relu")) fwd = fc_relu_forward, bwd = fc_relu_backward;
  else if (!strcmp(st->layer, "silu")) fwd = fc_silu_forward, bwd = fc_silu_backward;
  else if (!strcmp(st->layer, "sine")) fwd = fc_sine_forward, bwd = fc_sine_backward;
  CU_ASSERT_PTR_NOT_NULL_FATAL(fwd);
  int n = fc_ref_attr_int(g, "n");
  float *x = fc_ref_read(g, gname, "x", n, 0, NULL), *y = fc_ref_read(g, gname, "y", n, 0, NULL), *dy = fc_ref_read(g, gname, "dy", n, 0, NULL),
        *dxr = fc_ref_read(g, gname, "dx", n, 0, NULL);
  if (x && y && dy && dxr) {
    float *yc = zeros(n), *dx = zeros(n);
    fwd(yc, x, n);
    fc_ref_compare(st, gname, "y", yc, y, n);
    bwd(dx, dy, x, n);
    fc_ref_compare(st, gname, "dx", dx, dxr, n);
    bwd(dx, dy, x, n);
    fc_ref_compare_twice(st, gname, "dx", dx, dxr, n);
    free(yc), free(dx);
  }
  free(x), free(y), free(dy), free(dxr);
}

static void run_layernorm(hid_t g, const char *gname, fc_ref_stats *st)
{
  int M = fc_ref_attr_int(g, "M"), C = fc_ref_attr_int(g, "C");
  float eps = (float)fc_ref_attr_double(g, "eps");
  long n = (long)M * C;
  float *x = fc_ref_read(g, gname, "x", n, 0, NULL), *w = fc_ref_read(g, gname, "w", C, 0, NULL), *b = fc_ref_read(g, gname, "b", C, 0, NULL),
        *y = fc_ref_read(g, gname, "y", n, 0, NULL), *dy = fc_ref_read(g, gname, "dy", n, 0, NULL), *dxr = fc_ref_read(g, gname, "dx", n, 0, NULL),
        *dwr = fc_ref_read(g, gname, "dw", C, 0, NULL), *dbr = fc_ref_read(g, gname, "db", C, 0, NULL),
        *meanr = fc_ref_read(g, gname, "mean", M, 0, NULL), *rstdr = fc_ref_read(g, gname, "rstd", M, 0, NULL);
  if (x && w && b && y && dy && dxr && dwr && dbr && meanr && rstdr) {
    float *yc = zeros(n), *mean = zeros(M), *rstd = zeros(M), *dx = zeros(n), *dw = zeros(C), *db = zeros(C);
    fc_layernorm_forward(yc, mean, rstd, x, w, b, M, C, eps);
    fc_ref_compare(st, gname, "y", yc, y, n);
    fc_ref_compare(st, gname, "mean", mean, meanr, M);
    fc_ref_compare(st, gname, "rstd", rstd, rstdr, M);
    fc_layernorm_backward(dx, dw, db, dy, x, mean, rstd, w, M, C);
    fc_ref_compare(st, gname, "dx", dx, dxr, n);
    fc_ref_compare(st, gname, "dw", dw, dwr, C);
    fc_ref_compare(st, gname, "db", db, dbr, C);
    fc_layernorm_backward(dx, dw, db, dy, x, mean, rstd, w, M, C);
    fc_ref_compare_twice(st, gname, "dx", dx, dxr, n);
    fc_ref_compare_twice(st, gname, "dw", dw, dwr, C);
    fc_ref_compare_twice(st, gname, "db", db, dbr, C);
    free(yc), free(mean), free(rstd), free(dx), free(dw), free(db);
  }
  free(x), free(w), free(b), free(y), free(dy), free(dxr), free(dwr), free(dbr), free(meanr), free(rstdr);
}

static void run_instancenorm(hid_t g, const char *gname, fc_ref_stats *st)
{
  int B = fc_ref_attr_int(g, "B"), N = fc_ref_attr_int(g, "N"), C = fc_ref_attr_int(g, "C");
  float eps = (float)fc_ref_attr_double(g, "eps");
  long n = (long)B * N * C, nbc = (long)B * C;
  float *x = fc_ref_read(g, gname, "x", n, 0, NULL), *y = fc_ref_read(g, gname, "y", n, 0, NULL), *dy = fc_ref_read(g, gname, "dy", n, 0, NULL),
        *dxr = fc_ref_read(g, gname, "dx", n, 0, NULL), *meanr = fc_ref_read(g, gname, "mean", nbc, 0, NULL),
        *rstdr = fc_ref_read(g, gname, "rstd", nbc, 0, NULL);
  if (x && y && dy && dxr && meanr && rstdr) {
    float *yc = zeros(n), *mean = zeros(nbc), *rstd = zeros(nbc), *dx = zeros(n);
    fc_instancenorm_forward(yc, mean, rstd, x, B, N, C, eps);
    fc_ref_compare(st, gname, "y", yc, y, n);
    fc_ref_compare(st, gname, "mean", mean, meanr, nbc);
    fc_ref_compare(st, gname, "rstd", rstd, rstdr, nbc);
    fc_instancenorm_backward(dx, dy, x, mean, rstd, B, N, C);
    fc_ref_compare(st, gname, "dx", dx, dxr, n);
    fc_instancenorm_backward(dx, dy, x, mean, rstd, B, N, C);
    fc_ref_compare_twice(st, gname, "dx", dx, dxr, n);
    free(yc), free(mean), free(rstd), free(dx);
  }
  free(x), free(y), free(dy), free(dxr), free(meanr), free(rstdr);
}

static void run_affine(hid_t g, const char *gname, fc_ref_stats *st)
{
  int M = fc_ref_attr_int(g, "M"), C = fc_ref_attr_int(g, "C");
  long n = (long)M * C;
  float *x = fc_ref_read(g, gname, "x", n, 0, NULL), *s = fc_ref_read(g, gname, "s", C, 0, NULL), *t = fc_ref_read(g, gname, "t", C, 0, NULL),
        *y = fc_ref_read(g, gname, "y", n, 0, NULL), *dy = fc_ref_read(g, gname, "dy", n, 0, NULL), *dxr = fc_ref_read(g, gname, "dx", n, 0, NULL),
        *dsr = fc_ref_read(g, gname, "ds", C, 0, NULL), *dtr = fc_ref_read(g, gname, "dt", C, 0, NULL);
  if (x && s && t && y && dy && dxr && dsr && dtr) {
    float *yc = zeros(n), *dx = zeros(n), *ds = zeros(C), *dt = zeros(C);
    fc_affine_forward(yc, x, s, t, M, C);
    fc_ref_compare(st, gname, "y", yc, y, n);
    fc_affine_backward(dx, ds, dt, dy, x, s, M, C);
    fc_ref_compare(st, gname, "dx", dx, dxr, n);
    fc_ref_compare(st, gname, "ds", ds, dsr, C);
    fc_ref_compare(st, gname, "dt", dt, dtr, C);
    fc_affine_backward(dx, ds, dt, dy, x, s, M, C);
    fc_ref_compare_twice(st, gname, "dx", dx, dxr, n);
    fc_ref_compare_twice(st, gname, "ds", ds, dsr, C);
    fc_ref_compare_twice(st, gname, "dt", dt, dtr, C);
    free(yc), free(dx), free(ds), free(dt);
  }
  free(x), free(s), free(t), free(y), free(dy), free(dxr), free(dsr), free(dtr);
}

static void run_meanpool(hid_t g, const char *gname, fc_ref_stats *st)
{
  int B = fc_ref_attr_int(g, "B"), C = fc_ref_attr_int(g, "C"), dims[3] = {0, 0, 0};
  unsigned axes = (unsigned)fc_ref_attr_int(g, "axes");
  CU_ASSERT_FATAL(fc_ref_attr_ints(g, "dims", dims, 3));
  long nx = (long)B * C, ny = (long)B * C;
  for (int a = 0; a < 3; a++) {
    nx *= dims[a];
    ny *= (axes >> a & 1u) ? 1 : dims[a];
  }
  float *x = fc_ref_read(g, gname, "x", nx, 0, NULL), *y = fc_ref_read(g, gname, "y", ny, 0, NULL), *dy = fc_ref_read(g, gname, "dy", ny, 0, NULL),
        *dxr = fc_ref_read(g, gname, "dx", nx, 0, NULL);
  if (x && y && dy && dxr) {
    float *yc = zeros(ny), *dx = zeros(nx);
    fc_meanpool_forward(yc, x, B, dims, C, axes);
    fc_ref_compare(st, gname, "y", yc, y, ny);
    fc_meanpool_backward(dx, dy, B, dims, C, axes);
    fc_ref_compare(st, gname, "dx", dx, dxr, nx);
    fc_meanpool_backward(dx, dy, B, dims, C, axes);
    fc_ref_compare_twice(st, gname, "dx", dx, dxr, nx);
    free(yc), free(dx);
  }
  free(x), free(y), free(dy), free(dxr);
}

static void run_fourier_features(hid_t g, const char *gname, fc_ref_stats *st)
{
  int M = fc_ref_attr_int(g, "M"), d = fc_ref_attr_int(g, "d"), m = fc_ref_attr_int(g, "m");
  long np = (long)M * d, ny = (long)M * 2 * m;
  float *p = fc_ref_read(g, gname, "p", np, 0, NULL), *Bm = fc_ref_read(g, gname, "Bm", (long)d * m, 0, NULL),
        *y = fc_ref_read(g, gname, "y", ny, 0, NULL), *dy = fc_ref_read(g, gname, "dy", ny, 0, NULL), *dpr = fc_ref_read(g, gname, "dp", np, 0, NULL);
  if (p && Bm && y && dy && dpr) {
    float *yc = zeros(ny), *dp = zeros(np);
    fc_fourier_features_forward(yc, p, Bm, M, d, m);
    fc_ref_compare(st, gname, "y", yc, y, ny);
    fc_fourier_features_backward(dp, dy, p, Bm, M, d, m);
    fc_ref_compare(st, gname, "dp", dp, dpr, np);
    fc_fourier_features_backward(dp, dy, p, Bm, M, d, m);
    fc_ref_compare_twice(st, gname, "dp", dp, dpr, np);
    free(yc), free(dp);
  }
  free(p), free(Bm), free(y), free(dy), free(dpr);
}

static void run_spectral(hid_t g, const char *gname, fc_ref_stats *st)
{
  fc_spectral_config c;
  memset(&c, 0, sizeof c);
  char norm[32];
  c.ndim = fc_ref_attr_int(g, "ndim");
  CU_ASSERT_FATAL(fc_ref_attr_ints(g, "n", c.n, 3));
  CU_ASSERT_FATAL(fc_ref_attr_ints(g, "modes", c.modes, 3));
  c.cin = fc_ref_attr_int(g, "cin");
  c.cout = fc_ref_attr_int(g, "cout");
  c.zero_dc_nyquist_imag = fc_ref_attr_int(g, "zero_imag");
  int B = fc_ref_attr_int(g, "B"), nmodes = fc_ref_attr_int(g, "nmodes");
  fc_ref_attr_string(g, "norm", norm, sizeof norm);
  if (!strcmp(norm, "backward")) c.norm = FC_FFT_NORM_BACKWARD;
  else if (!strcmp(norm, "forward")) c.norm = FC_FFT_NORM_FORWARD;
  else if (!strcmp(norm, "ortho")) c.norm = FC_FFT_NORM_ORTHO;
  else {
    printf("\n  %s: unknown norm '%s'\n", gname, norm);
    CU_FAIL_FATAL("unknown norm");
  }
  fc_spectral *s = NULL;
  FC_TEST_OK(fc_spectral_create(&c, &s));
  CU_ASSERT_EQUAL(fc_spectral_nmodes(s), nmodes);
  long npts = (long)c.n[0] * c.n[1] * c.n[2], nx = B * npts * c.cin, ny = B * npts * c.cout,
       nw = fc_spectral_weight_size(s);
  CU_ASSERT_EQUAL(nw, 2L * nmodes * c.cin * c.cout);
  float *x = fc_ref_read(g, gname, "x", nx, 0, NULL), *W = fc_ref_read(g, gname, "W", nw, 0, NULL), *y = fc_ref_read(g, gname, "y", ny, 0, NULL),
        *dy = fc_ref_read(g, gname, "dy", ny, 0, NULL), *dxr = fc_ref_read(g, gname, "dx", nx, 0, NULL),
        *dWr = fc_ref_read(g, gname, "dW", nw, 0, NULL);
  if (x && W && y && dy && dxr && dWr) {
    float *yc = zeros(ny), *dx = zeros(nx), *dW = zeros(nw);
    fc_spectral_forward(s, yc, x, W, B);
    fc_ref_compare(st, gname, "y", yc, y, ny);
    fc_spectral_backward(s, dx, dW, dy, x, W, B);
    fc_ref_compare(st, gname, "dx", dx, dxr, nx);
    fc_ref_compare(st, gname, "dW", dW, dWr, nw);
    fc_spectral_backward(s, dx, dW, dy, x, W, B);
    fc_ref_compare_twice(st, gname, "dx", dx, dxr, nx);
    fc_ref_compare_twice(st, gname, "dW", dW, dWr, nw);
    free(yc), free(dx), free(dW);
  }
  free(x), free(W), free(y), free(dy), free(dxr), free(dWr);
  fc_spectral_destroy(&s);
}

/* ---- driving ----------------------------------------------------------------------------- */

static const fc_ref_layer layers[] = {{"linear", run_linear},
              {"gelu", run_activation},
              {"relu", run_activation},
              {"silu", run_activation},
              {"sine", run_activation},
              {"layernorm", run_layernorm},
              {"instancenorm", run_instancenorm},
              {"affine", run_affine},
              {"meanpool", run_meanpool},
              {"fourier_features", run_fourier_features},
              {"spectral", run_spectral}};
#define NLAYERS ((int)(sizeof layers / sizeof layers[0]))

/* Runs every group of the file whose attribute layer is `layer`; at least one must exist. */
static void run_layer(const char *layer, fc_ref_group_fn fn)
{
  hid_t f = open_reference();
  if (f < 0) {
    printf("\n  cannot open %s\n", reference_path());
    CU_FAIL_FATAL("reference file missing");
  }
  fc_ref_stats st = {layer, 0, -1, "", TOL};
  fc_ref_run_layer(f, reference_path(), &st, fn);
  H5Fclose(f);
}

#define LAYER_TEST(name)                                                                                             \
  static void test_##name(void)                                                                                      \
  {                                                                                                                  \
    for (int l = 0; l < NLAYERS; l++)                                                                                \
      if (!strcmp(layers[l].layer, #name)) run_layer(layers[l].layer, layers[l].fn);                                 \
  }
LAYER_TEST(linear)
LAYER_TEST(gelu)
LAYER_TEST(relu)
LAYER_TEST(silu)
LAYER_TEST(sine)
LAYER_TEST(layernorm)
LAYER_TEST(instancenorm)
LAYER_TEST(affine)
LAYER_TEST(meanpool)
LAYER_TEST(fourier_features)
LAYER_TEST(spectral)

/* The file is committed: its absence is a failure, not a skip. */
static void test_reference_file(void)
{
  const char *path = reference_path();
  if (access(path, R_OK) != 0) {
    printf("\n  MISSING %s: the PyTorch reference file is committed with the sources; regenerate it with\n"
           "    /usr/bin/python3 tools/nn_reference.py tests/data/nn_reference.h5\n",
           path);
    CU_FAIL_FATAL("tests/data/nn_reference.h5 is missing");
  }
  hid_t f = open_reference();
  if (f < 0) {
    printf("\n  %s is not a readable HDF5 file\n", path);
    CU_FAIL_FATAL("tests/data/nn_reference.h5 is unreadable");
  }
  /* every group names a layer this test knows: no case is skipped silently */
  fc_ref_check_layers(f, layers, NLAYERS);
  H5Fclose(f);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"reference file present and every case known", test_reference_file},
                                       {"linear", test_linear},
                                       {"gelu", test_gelu},
                                       {"relu", test_relu},
                                       {"silu", test_silu},
                                       {"sine", test_sine},
                                       {"layernorm", test_layernorm},
                                       {"instancenorm", test_instancenorm},
                                       {"affine", test_affine},
                                       {"meanpool", test_meanpool},
                                       {"fourier_features", test_fourier_features},
                                       {"spectral convolution 1D/2D/3D, norms, zero-imag", test_spectral},
                                       {NULL, NULL}};
  fc_test_add_suite("nn_reference (PyTorch)", tests);
}

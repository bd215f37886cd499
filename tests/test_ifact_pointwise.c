/* IFactFormer's pointwise pieces (src/operators/rope.c, gated.c): RoPE, gated GELU and the
 * grouped lifting.
 *
 * (a) Against PyTorch: tests/data/ifact_pointwise_reference.h5, written by
 *     tools/ifact_pointwise_reference.py (float64 autograd on float32 inputs, rounded once),
 *     one group per case with the inputs, y, a fixed dy and the gradients. Every array is held
 *     to  max |flowcast - torch| <= REF_TOL max |torch|,  REF_TOL = 1e-5; backward runs twice
 *     into the same buffers and half the sum is checked too (the accumulate convention).
 *     Regenerate with
 *         /usr/bin/python3 tools/ifact_pointwise_reference.py tests/data/ifact_pointwise_reference.h5
 * (b) Finite differences: every analytic gradient (float) against central differences, step
 *     FD_STEP = 1e-5, of L = sum(dy * y) evaluated by a double-precision forward written here,
 *     so the differences carry no float32 round-off (truncation h^2 |f'''| / 6 ~ 1e-10 relative
 *     for these smooth maps at O(1) inputs, angles to ~200 rad included since the rotation is
 *     linear in x). FD_TOL 1e-4 relative to the largest gradient (floored at 1e-2): the float
 *     gradients are good to ~1e-6, a wrong term is off by O(1).
 * (c) RoPE: in place equals out of place bit for bit, each rotated pair keeps its norm
 *     (relative 1e-6), and backward of forward gives x back (the rotation is orthogonal);
 *     dx = NULL and dw/db = NULL are accepted. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fc_nn.h"
#include "fc_ref.h"
#include "fc_test.h"

#define REF_TOL 1e-5
#define FD_TOL 1e-4
#define FD_STEP 1e-5
#define SCALE_FLOOR 1e-2
#define REF_FILE "ifact_pointwise_reference.h5"

static float *zeros(long n) { return calloc((size_t)(n > 0 ? n : 1), sizeof(float)); }
static double *dzeros(long n) { return calloc((size_t)(n > 0 ? n : 1), sizeof(double)); }

/* ---- (a) PyTorch reference ---------------------------------------------------------------- */

static char ref_path[4096];
static const char *reference_path(void)
{
  snprintf(ref_path, sizeof ref_path, "%s/%s", fc_test_datadir(), REF_FILE);
  return ref_path;
}


static void run_rope(hid_t g, const char *gname, fc_ref_stats *st)
{
  int M = fc_ref_attr_int(g, "M"), Dk = fc_ref_attr_int(g, "Dk");
  float scale = (float)fc_ref_attr_double(g, "freq_scale");
  long n = (long)M * Dk;
  float *x = fc_ref_read(g, gname, "x", n, 0, NULL), *pos = fc_ref_read(g, gname, "pos", M, 0, NULL),
        *y = fc_ref_read(g, gname, "y", n, 0, NULL), *dy = fc_ref_read(g, gname, "dy", n, 0, NULL),
        *dxr = fc_ref_read(g, gname, "dx", n, 0, NULL);
  if (x && pos && y && dy && dxr) {
    float *yc = zeros(n), *dx = zeros(n);
    fc_rope_forward(yc, x, pos, M, Dk, scale);
    fc_ref_compare(st, gname, "y", yc, y, n);
    fc_rope_backward(dx, dy, pos, M, Dk, scale);
    fc_ref_compare(st, gname, "dx", dx, dxr, n);
    fc_rope_backward(dx, dy, pos, M, Dk, scale);
    fc_ref_compare_twice(st, gname, "dx", dx, dxr, n);
    free(yc), free(dx);
  }
  free(x), free(pos), free(y), free(dy), free(dxr);
}

static void run_gated_gelu(hid_t g, const char *gname, fc_ref_stats *st)
{
  int M = fc_ref_attr_int(g, "M"), C = fc_ref_attr_int(g, "C");
  long ng = 2L * M * C, ny = (long)M * C;
  float *gi = fc_ref_read(g, gname, "g", ng, 0, NULL), *y = fc_ref_read(g, gname, "y", ny, 0, NULL),
        *dy = fc_ref_read(g, gname, "dy", ny, 0, NULL), *dgr = fc_ref_read(g, gname, "dg", ng, 0, NULL);
  if (gi && y && dy && dgr) {
    float *yc = zeros(ny), *dg = zeros(ng);
    fc_gated_gelu_forward(yc, gi, M, C);
    fc_ref_compare(st, gname, "y", yc, y, ny);
    fc_gated_gelu_backward(dg, dy, gi, M, C);
    fc_ref_compare(st, gname, "dg", dg, dgr, ng);
    fc_gated_gelu_backward(dg, dy, gi, M, C);
    fc_ref_compare_twice(st, gname, "dg", dg, dgr, ng);
    free(yc), free(dg);
  }
  free(gi), free(y), free(dy), free(dgr);
}

static void run_grouped_lift(hid_t g, const char *gname, fc_ref_stats *st)
{
  int M = fc_ref_attr_int(g, "M"), Cin = fc_ref_attr_int(g, "Cin"), G = fc_ref_attr_int(g, "G"),
      bias = fc_ref_attr_int(g, "bias");
  long nx = (long)M * Cin, nw = (long)Cin * G, ny = (long)M * nw;
  float *x = fc_ref_read(g, gname, "x", nx, 0, NULL), *w = fc_ref_read(g, gname, "w", nw, 0, NULL),
        *y = fc_ref_read(g, gname, "y", ny, 0, NULL), *dy = fc_ref_read(g, gname, "dy", ny, 0, NULL),
        *dxr = fc_ref_read(g, gname, "dx", nx, 0, NULL), *dwr = fc_ref_read(g, gname, "dw", nw, 0, NULL);
  float *b = bias ? fc_ref_read(g, gname, "b", nw, 0, NULL) : NULL,
        *dbr = bias ? fc_ref_read(g, gname, "db", nw, 0, NULL) : NULL;
  if (x && w && y && dy && dxr && dwr && (!bias || (b && dbr))) {
    float *yc = zeros(ny), *dx = zeros(nx), *dw = zeros(nw), *db = bias ? zeros(nw) : NULL;
    fc_grouped_lift_forward(yc, x, w, b, M, Cin, G);
    fc_ref_compare(st, gname, "y", yc, y, ny);
    fc_grouped_lift_backward(dx, dw, db, dy, x, w, M, Cin, G);
    fc_ref_compare(st, gname, "dx", dx, dxr, nx);
    fc_ref_compare(st, gname, "dw", dw, dwr, nw);
    if (bias) fc_ref_compare(st, gname, "db", db, dbr, nw);
    fc_grouped_lift_backward(dx, dw, db, dy, x, w, M, Cin, G);
    fc_ref_compare_twice(st, gname, "dx", dx, dxr, nx);
    fc_ref_compare_twice(st, gname, "dw", dw, dwr, nw);
    if (bias) fc_ref_compare_twice(st, gname, "db", db, dbr, nw);
    free(yc), free(dx), free(dw), free(db);
  }
  free(x), free(w), free(y), free(dy), free(dxr), free(dwr), free(b), free(dbr);
}

static const fc_ref_layer layers[] = {{"rope", run_rope}, {"gated_gelu", run_gated_gelu}, {"grouped_lift", run_grouped_lift}};
#define NLAYERS ((int)(sizeof layers / sizeof layers[0]))

static hid_t open_reference(void)
{
  const char *path = reference_path();
  if (access(path, R_OK) != 0) {
    printf("\n  MISSING %s: the PyTorch reference file is committed with the sources; regenerate it with\n"
           "    /usr/bin/python3 tools/ifact_pointwise_reference.py tests/data/" REF_FILE "\n",
           path);
    return H5I_INVALID_HID;
  }
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) printf("\n  %s is not a readable HDF5 file\n", path);
  return f;
}

/* every group of layer `layer` (at least one); with layer == NULL: every group names a known layer */
static void run_layer(const char *layer, fc_ref_group_fn fn)
{
  hid_t f = open_reference();
  CU_ASSERT_FATAL(f >= 0);
  fc_ref_stats st = {layer, 0, -1, "", REF_TOL};
  if (layer) fc_ref_run_layer(f, reference_path(), &st, fn);
  else fc_ref_check_layers(f, layers, NLAYERS);
  H5Fclose(f);
}

static void test_reference_file(void) { run_layer(NULL, NULL); }
static void test_ref_rope(void) { run_layer("rope", run_rope); }
static void test_ref_gated_gelu(void) { run_layer("gated_gelu", run_gated_gelu); }
static void test_ref_grouped_lift(void) { run_layer("grouped_lift", run_grouped_lift); }

/* ---- (b) finite differences ----------------------------------------------------------------- */

static void fill(fc_ref_rng *r, float *f, double *d, long n, double lo, double hi)
{
  for (long i = 0; i < n; i++) {
    f[i] = (float)(lo + (hi - lo) * fc_ref_uniform(r));
    if (d) d[i] = f[i];
  }
}

/* double forwards: fill y from the double inputs of the context */
typedef struct fd_ctx {
  void (*fwd)(struct fd_ctx *);
  long M;
  int a, b;            /* rope: Dk; gated: C; lift: Cin, G */
  double scale;        /* rope's freq_scale */
  const double *pos;   /* rope */
  double *x, *w, *bias; /* variables (x = g for the gated GELU) */
  double *y;
  const double *dy;
  long ny;
} fd_ctx;

static void rope_ref(fd_ctx *c)
{
  int Dk = c->a, half = Dk / 2;
  for (long m = 0; m < c->M; m++)
    for (int j = 0; j < half; j++) {
      double a = c->pos[m] * c->scale * pow(10000.0, -(double)j / half);
      const double *x = c->x + m * Dk;
      c->y[m * Dk + j] = x[j] * cos(a) - x[j + half] * sin(a);
      c->y[m * Dk + j + half] = x[j + half] * cos(a) + x[j] * sin(a);
    }
}

static void gated_ref(fd_ctx *c)
{
  int C = c->a;
  for (long m = 0; m < c->M; m++)
    for (int k = 0; k < C; k++) {
      double g1 = c->x[m * 2 * C + k], g2 = c->x[m * 2 * C + C + k];
      c->y[m * C + k] = 0.5 * g1 * (1.0 + erf(g1 / sqrt(2.0))) * g2;
    }
}

static void lift_ref(fd_ctx *c)
{
  int Cin = c->a, G = c->b;
  for (long m = 0; m < c->M; m++)
    for (int k = 0; k < Cin; k++)
      for (int g = 0; g < G; g++)
        c->y[m * Cin * G + k * G + g] = c->x[m * Cin + k] * c->w[k * G + g] + (c->bias ? c->bias[k * G + g] : 0.0);
}

static double fd_loss(fd_ctx *c)
{
  c->fwd(c);
  double L = 0;
  for (long i = 0; i < c->ny; i++) L += c->dy[i] * c->y[i];
  return L;
}


static double fd_loss_of(void *c) { return fd_loss(c); }

static int check_fd(const char *what, fd_ctx *c, double *v, const float *g, long n)
{
  double *fd = dzeros(n);
  fc_ref_central_differences(fd_loss_of, c, v, n, FD_STEP, fd);
  int ok = fc_ref_check_close(what, g, fd, n, FD_TOL, SCALE_FLOOR);
  free(fd);
  return ok;
}

static void test_fd_rope(void)
{
  const struct {
    long M;
    int Dk;
    double scale, pmax;
  } cases[] = {{5, 6, 1.0, 3.0}, {7, 10, 64.0, 2.0}, {4, 2, 64.0, 12.566370614359172} /* 4 pi */};
  fc_ref_rng r = {12345};
  for (int t = 0; t < 3; t++) {
    long M = cases[t].M, n = M * cases[t].Dk;
    float *x = zeros(n), *pos = zeros(M), *y = zeros(n), *dy = zeros(n), *dx = zeros(n);
    double *xd = dzeros(n), *posd = dzeros(M), *yd = dzeros(n), *dyd = dzeros(n);
    fill(&r, x, xd, n, -1, 1);
    fill(&r, pos, posd, M, 0, cases[t].pmax);
    fill(&r, dy, dyd, n, -1, 1);
    fd_ctx c = {rope_ref, M, cases[t].Dk, 0, (float)cases[t].scale, posd, xd, NULL, NULL, yd, dyd, n};
    char what[96];
    fc_rope_forward(y, x, pos, M, cases[t].Dk, (float)cases[t].scale);
    rope_ref(&c);
    snprintf(what, sizeof what, "rope M=%ld Dk=%d scale=%g: y vs double", M, cases[t].Dk, cases[t].scale);
    CU_ASSERT(fc_ref_check_close(what, y, yd, n, 1e-6, 1.0));
    fc_rope_backward(dx, dy, pos, M, cases[t].Dk, (float)cases[t].scale);
    snprintf(what, sizeof what, "rope M=%ld Dk=%d scale=%g: dx vs finite differences", M, cases[t].Dk, cases[t].scale);
    CU_ASSERT(check_fd(what, &c, xd, dx, n));
    fc_rope_backward(NULL, dy, pos, M, cases[t].Dk, (float)cases[t].scale); /* accepted, no-op */
    free(x), free(pos), free(y), free(dy), free(dx), free(xd), free(posd), free(yd), free(dyd);
  }
}

static void test_fd_gated_gelu(void)
{
  long M = 6;
  int C = 5;
  long ng = 2 * M * C, ny = M * C;
  fc_ref_rng r = {777};
  float *g = zeros(ng), *y = zeros(ny), *dy = zeros(ny), *dg = zeros(ng);
  double *gd = dzeros(ng), *yd = dzeros(ny), *dyd = dzeros(ny);
  fill(&r, g, gd, ng, -4, 4);
  fill(&r, dy, dyd, ny, -1, 1);
  fd_ctx c = {gated_ref, M, C, 0, 0, NULL, gd, NULL, NULL, yd, dyd, ny};
  fc_gated_gelu_forward(y, g, M, C);
  gated_ref(&c);
  CU_ASSERT(fc_ref_check_close("gated GELU: y vs double", y, yd, ny, 1e-5, 1.0));
  fc_gated_gelu_backward(dg, dy, g, M, C);
  CU_ASSERT(check_fd("gated GELU: dg vs finite differences", &c, gd, dg, ng));
  fc_gated_gelu_backward(NULL, dy, g, M, C);
  free(g), free(y), free(dy), free(dg), free(gd), free(yd), free(dyd);
}

static void test_fd_grouped_lift(void)
{
  long M = 7;
  int Cin = 3, G = 4;
  long nx = M * Cin, nw = (long)Cin * G, ny = M * nw;
  fc_ref_rng r = {4242};
  float *x = zeros(nx), *w = zeros(nw), *b = zeros(nw), *y = zeros(ny), *dy = zeros(ny), *dx = zeros(nx),
        *dw = zeros(nw), *db = zeros(nw), *dw2 = zeros(nw);
  double *xd = dzeros(nx), *wd = dzeros(nw), *bd = dzeros(nw), *yd = dzeros(ny), *dyd = dzeros(ny);
  fill(&r, x, xd, nx, -1, 1);
  fill(&r, w, wd, nw, -1, 1);
  fill(&r, b, bd, nw, -1, 1);
  fill(&r, dy, dyd, ny, -1, 1);
  fd_ctx c = {lift_ref, M, Cin, G, 0, NULL, xd, wd, bd, yd, dyd, ny};
  fc_grouped_lift_forward(y, x, w, b, M, Cin, G);
  lift_ref(&c);
  CU_ASSERT(fc_ref_check_close("grouped lift: y vs double", y, yd, ny, 1e-6, 1.0));
  fc_grouped_lift_backward(dx, dw, db, dy, x, w, M, Cin, G);
  CU_ASSERT(check_fd("grouped lift: dx vs finite differences", &c, xd, dx, nx));
  CU_ASSERT(check_fd("grouped lift: dw vs finite differences", &c, wd, dw, nw));
  CU_ASSERT(check_fd("grouped lift: db vs finite differences", &c, bd, db, nw));
  /* dx = NULL and db = NULL: dw as before; b = NULL: no bias */
  fc_grouped_lift_backward(NULL, dw2, NULL, dy, x, w, M, Cin, G);
  CU_ASSERT(memcmp(dw2, dw, (size_t)nw * sizeof(float)) == 0);
  fc_grouped_lift_forward(y, x, w, NULL, M, Cin, G);
  c.bias = NULL;
  lift_ref(&c);
  CU_ASSERT(fc_ref_check_close("grouped lift, no bias: y vs double", y, yd, ny, 1e-6, 1.0));
  free(x), free(w), free(b), free(y), free(dy), free(dx), free(dw), free(db), free(dw2);
  free(xd), free(wd), free(bd), free(yd), free(dyd);
}

/* ---- (c) RoPE properties ------------------------------------------------------------------ */

static void test_rope_properties(void)
{
  long M = 33;
  int Dk = 288, half = Dk / 2; /* the published Dk: 288 = 3 x 96, more pairs than one block */
  long n = M * Dk;
  fc_ref_rng r = {99};
  float *x = zeros(n), *pos = zeros(M), *y = zeros(n), *yi = zeros(n), *back = zeros(n);
  fill(&r, x, NULL, n, -1, 1);
  for (long m = 0; m < M; m++) pos[m] = (float)(2.0 * m / (M - 1)); /* linspace(0, 2) */
  fc_rope_forward(y, x, pos, M, Dk, 64.0f);
  memcpy(yi, x, (size_t)n * sizeof(float));
  fc_rope_forward(yi, yi, pos, M, Dk, 64.0f);
  CU_ASSERT(memcmp(yi, y, (size_t)n * sizeof(float)) == 0);
  double worst_norm = 0, worst_back = 0;
  for (long m = 0; m < M; m++)
    for (int j = 0; j < half; j++) {
      double a = x[m * Dk + j], b = x[m * Dk + j + half], c = y[m * Dk + j], d = y[m * Dk + j + half];
      double n0 = sqrt(a * a + b * b), n1 = sqrt(c * c + d * d);
      worst_norm = fmax(worst_norm, fabs(n1 - n0) / fmax(n0, 1e-30));
    }
  fc_rope_backward(back, y, pos, M, Dk, 64.0f); /* R^T R x = x */
  for (long i = 0; i < n; i++) worst_back = fmax(worst_back, fabs((double)back[i] - x[i]));
  /* row 0 has position 0: the identity */
  CU_ASSERT(memcmp(y, x, (size_t)Dk * sizeof(float)) == 0);
  printf("\n    [rope M=%ld Dk=%d scale 64: in place == out of place bitwise; pair norms kept to %.3g relative;"
         " backward(forward(x)) - x = %.3g]",
         M, Dk, worst_norm, worst_back);
  CU_ASSERT(worst_norm <= 1e-6);
  CU_ASSERT(worst_back <= 1e-6);
  free(x), free(pos), free(y), free(yi), free(back);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {
      {"reference file present and every case known", test_reference_file},
      {"rope vs PyTorch", test_ref_rope},
      {"gated GELU vs PyTorch", test_ref_gated_gelu},
      {"grouped lifting (Conv1d groups=Cin) vs PyTorch", test_ref_grouped_lift},
      {"rope: dx vs finite differences", test_fd_rope},
      {"gated GELU: dg vs finite differences", test_fd_gated_gelu},
      {"grouped lifting: dx, dw, db vs finite differences", test_fd_grouped_lift},
      {"rope: in place, pair norms, orthogonality", test_rope_properties},
      {NULL, NULL}};
  fc_test_add_suite("ifact_pointwise (RoPE, gated GELU, grouped lifting)", tests);
}

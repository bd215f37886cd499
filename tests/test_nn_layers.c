/* Neural-network layers of fc_nn.h (all but the spectral convolution).
 *
 * For every layer, on small random inputs from a fixed-seed xorshift generator:
 *  (a) the float forward against a direct double-precision evaluation written here;
 *  (b) every analytic gradient (dx and each parameter) against central differences of
 *      L = sum(dy * forward(x)) for a random upstream dy, the forward being that double
 *      reference, so the differences carry no float32 round-off;
 *  (c) the accumulate convention: backward into buffers holding g0, twice, gives g0 + 2 g,
 *      and backward with dx = NULL leaves the parameter gradients unchanged.
 *
 * Tolerances (max error over an array, relative to its largest reference magnitude, that
 * magnitude floored at 1 for values and at SCALE_FLOOR for gradients):
 *  FWD_TOL 1e-5: float32 rounds each operation to 6e-8 relative; the only float sums are
 *    sgemm's (<= 17 terms of size <= 1; the layers reduce everything else in double), so
 *    float errors stay below ~1e-6, and a wrong formula is off by O(1).
 *  GRAD_TOL 1e-4 with step FD_STEP 1e-5: the double differences are exact to
 *    h^2 |f'''| / 6 relative to the gradient, < 1e-6 here (the largest |f'''| / |f'| are
 *    (2 pi 3)^2 for the widest Fourier features and rstd^2 ~ 3e4 for the rows with
 *    deviations of 0.01), plus 1e-16 |L| / h ~ 1e-10; the analytic gradients are float32,
 *    ~1e-6 relative. 1e-4 is 100x above that round-off and far below the O(1) relative
 *    error of a wrong term.
 *  ACC_TOL 1e-6 (per element, relative to |g0| + 2|g|): two float additions.
 * OpenBLAS runs single-threaded (OPENBLAS_NUM_THREADS=1 from the test environment), so
 * repeated calls are bitwise reproducible. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_nn.h"
#include "fc_test.h"

#define FWD_TOL 1e-5
#define GRAD_TOL 1e-4
#define FD_STEP 1e-5
#define ACC_TOL 1e-6
#define SCALE_FLOOR 1e-2 /* inputs and dy are O(1), so are the gradients; an all-zero one
                            (LayerNorm dx at C = 1) is compared at this scale */

/* ---- fixed-seed RNG (xorshift64*) and buffers ------------------------------------------ */
typedef struct {
  unsigned long long s;
} rng;

static rng rng_seed(unsigned long long seed)
{
  rng r = {seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull};
  return r;
}

static double rng_uniform(rng *r) /* [0, 1) */
{
  r->s ^= r->s >> 12;
  r->s ^= r->s << 25;
  r->s ^= r->s >> 27;
  return (double)((r->s * 0x2545F4914F6CDD1Dull) >> 11) * 0x1.0p-53;
}

static float *fvec(long n) { return calloc(n > 0 ? (size_t)n : 1, sizeof(float)); }
static double *dvec(long n) { return calloc(n > 0 ? (size_t)n : 1, sizeof(double)); }

/* random floats in [lo, hi) and, when d != NULL, their exact double copies */
static void fill(rng *r, float *f, double *d, long n, double lo, double hi)
{
  for (long i = 0; i < n; i++) {
    f[i] = (float)(lo + (hi - lo) * rng_uniform(r));
    if (d) d[i] = f[i];
  }
}

static double max_abs(const double *v, long n)
{
  double m = 0.0;
  for (long i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
  return m;
}

/* max |a - ref| <= tol * max(floor, max |ref|); NaN fails */
static int check_close(const char *what, const float *a, const double *ref, long n, double tol, double floor)
{
  double scale = fmax(floor, max_abs(ref, n)), err = 0.0;
  long worst = 0;
  int nan = 0;
  for (long i = 0; i < n; i++) {
    double e = fabs(a[i] - ref[i]);
    if (isnan(e)) nan = 1;
    else if (e > err) {
      err = e;
      worst = i;
    }
  }
  int ok = !nan && err <= tol * scale;
  if (!ok)
    fprintf(stderr, "  %s: max error %.3g at %ld (got %.8g, want %.8g), allowed %.3g%s\n", what, err, worst,
            (double)a[worst], ref[worst], tol * scale, nan ? ", NaN found" : "");
  return ok;
}

/* ---- double references and the finite-difference check ---------------------------------- */
/* A layer's double-precision forward: fwd fills y[ny] from the double inputs reachable from
 * the struct that embeds this head (as its first member). */
typedef struct ref_head {
  void (*fwd)(struct ref_head *);
  double *y;
  const double *dy;
  long ny;
} ref_head;

static double ref_loss(ref_head *r) /* L = sum dy * y */
{
  r->fwd(r);
  double L = 0.0;
  for (long i = 0; i < r->ny; i++) L += r->dy[i] * r->y[i];
  return L;
}

/* analytic g[n] against central differences of ref_loss in the double variable v[n] */
static int check_grad(const char *what, ref_head *r, double *v, const float *g, long n)
{
  double *fd = dvec(n);
  for (long i = 0; i < n; i++) {
    double s = v[i];
    v[i] = s + FD_STEP;
    double lp = ref_loss(r);
    v[i] = s - FD_STEP;
    double lm = ref_loss(r);
    v[i] = s;
    fd[i] = (lp - lm) / (2.0 * FD_STEP);
  }
  int ok = check_close(what, g, fd, n, GRAD_TOL, SCALE_FLOOR);
  free(fd);
  return ok;
}

/* A layer's backward under test: calls it with gradient buffers g[0] = dx (may be NULL),
 * g[1..] = parameter gradients, on the float data of ctx. */
typedef void (*backward_fn)(void *ctx, float **g);

#define MAXG 4
typedef struct {
  int ng;                  /* gradients: dx first, then the parameters */
  const char *name[MAXG];  /* for messages */
  double *var[MAXG];       /* the double variable each gradient differentiates (in ref) */
  long n[MAXG];
} grad_spec;

/* (b) and (c) for one layer, with CUnit assertions */
static void check_backward(const char *layer, ref_head *ref, backward_fn bwd, void *ctx, const grad_spec *gs)
{
  float *g[MAXG], *acc[MAXG], *g0[MAXG], *nodx[MAXG];
  char what[200];
  rng r = rng_seed(977);
  for (int k = 0; k < gs->ng; k++) {
    g[k] = fvec(gs->n[k]);
    acc[k] = fvec(gs->n[k]);
    g0[k] = fvec(gs->n[k]);
    nodx[k] = k > 0 ? fvec(gs->n[k]) : NULL; /* nodx[0] = NULL: dx not wanted */
  }
  /* (b) gradients from zeroed buffers against double central differences */
  bwd(ctx, g);
  for (int k = 0; k < gs->ng; k++) {
    snprintf(what, sizeof what, "%s: %s vs finite differences", layer, gs->name[k]);
    CU_ASSERT(check_grad(what, ref, gs->var[k], g[k], gs->n[k]));
  }
  /* (c) accumulate: buffers holding g0, two calls -> g0 + 2 g */
  for (int k = 0; k < gs->ng; k++) {
    fill(&r, g0[k], NULL, gs->n[k], -1.0, 1.0);
    memcpy(acc[k], g0[k], (size_t)gs->n[k] * sizeof(float));
  }
  bwd(ctx, acc);
  bwd(ctx, acc);
  for (int k = 0; k < gs->ng; k++) {
    int ok = 1;
    for (long i = 0; i < gs->n[k]; i++) {
      double want = (double)g0[k][i] + 2.0 * g[k][i];
      double tol = ACC_TOL * (fabs(g0[k][i]) + 2.0 * fabs(g[k][i])) + 1e-30;
      if (!(fabs(acc[k][i] - want) <= tol)) {
        if (ok) fprintf(stderr, "  %s: %s[%ld] accumulated twice is %.9g, want %.9g\n", layer, gs->name[k], i,
                        (double)acc[k][i], want);
        ok = 0;
      }
    }
    CU_ASSERT(ok);
  }
  /* (c) dx = NULL is accepted and leaves the parameter gradients as they were */
  bwd(ctx, nodx);
  for (int k = 1; k < gs->ng; k++) {
    int ok = 1;
    for (long i = 0; i < gs->n[k]; i++)
      if (!(fabs(nodx[k][i] - g[k][i]) <= ACC_TOL * fabs(g[k][i]))) ok = 0;
    if (!ok) fprintf(stderr, "  %s: %s differs when dx = NULL\n", layer, gs->name[k]);
    CU_ASSERT(ok);
  }
  for (int k = 0; k < gs->ng; k++) {
    free(g[k]);
    free(acc[k]);
    free(g0[k]);
    free(nodx[k]);
  }
}

static void fill_nan(float *y, long n) /* forward must write every output, not read it */
{
  for (long i = 0; i < n; i++) y[i] = NAN;
}

/* ---- Linear ------------------------------------------------------------------------------ */
typedef struct {
  ref_head h;
  long M;
  int in, out;
  const float *x, *W, *b, *dy; /* b NULL: no bias */
  const double *xd, *Wd, *bd;
} linear_t;

/* the naive triple loop: y[m][o] = b[o] + sum_i x[m][i] W[o][i] */
static void linear_ref(ref_head *h)
{
  linear_t *t = (linear_t *)h;
  for (long m = 0; m < t->M; m++)
    for (int o = 0; o < t->out; o++) {
      double s = t->bd ? t->bd[o] : 0.0;
      for (int i = 0; i < t->in; i++) s += t->xd[m * t->in + i] * t->Wd[(long)o * t->in + i];
      h->y[m * t->out + o] = s;
    }
}

static void linear_bwd(void *ctx, float **g)
{
  linear_t *t = ctx;
  fc_linear_backward(g[0], g[1], t->b ? g[2] : NULL, t->dy, t->x, t->W, t->M, t->in, t->out);
}

static void linear_case(long M, int in, int out, int bias)
{
  rng r = rng_seed(1000 + (unsigned long long)(M * 10007 + in * 101 + out));
  long nx = M * in, nW = (long)out * in, ny = M * out;
  float *x = fvec(nx), *W = fvec(nW), *b = fvec(out), *y = fvec(ny), *dy = fvec(ny);
  double *xd = dvec(nx), *Wd = dvec(nW), *bd = dvec(out), *yd = dvec(ny), *dyd = dvec(ny);
  fill(&r, x, xd, nx, -1, 1);
  fill(&r, W, Wd, nW, -1, 1);
  fill(&r, b, bd, out, -1, 1);
  fill(&r, dy, dyd, ny, -1, 1);
  linear_t t = {{linear_ref, yd, dyd, ny}, M, in, out, x, W, bias ? b : NULL, dy, xd, Wd, bias ? bd : NULL};
  char name[96];
  snprintf(name, sizeof name, "linear M=%ld in=%d out=%d%s", M, in, out, bias ? "" : " (no bias)");
  fill_nan(y, ny);
  fc_linear_forward(y, x, W, t.b, M, in, out);
  linear_ref(&t.h);
  CU_ASSERT(check_close(name, y, yd, ny, FWD_TOL, 1.0));
  grad_spec gs = {bias ? 3 : 2, {"dx", "dW", "db"}, {xd, Wd, bd}, {nx, nW, out}};
  check_backward(name, &t.h, linear_bwd, &t, &gs);
  free(x), free(W), free(b), free(y), free(dy);
  free(xd), free(Wd), free(bd), free(yd), free(dyd);
}

static void test_linear(void)
{
  static const int shapes[][3] = {{1, 1, 1}, {1, 5, 3}, {7, 3, 1}, {3, 1, 4}, {9, 13, 6}, {33, 17, 11}};
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
    linear_case(shapes[s][0], shapes[s][1], shapes[s][2], 1);
}

static void test_linear_no_bias(void)
{
  linear_case(1, 1, 1, 0);
  linear_case(5, 4, 7, 0);
}

/* ---- pointwise activations ---------------------------------------------------------------- */
enum { ACT_GELU, ACT_RELU, ACT_SILU, ACT_SINE, ACT_COUNT };
static const struct {
  const char *name;
  void (*fwd)(float *, const float *, long);
  void (*bwd)(float *, const float *, const float *, long);
} acts[ACT_COUNT] = {{"gelu", fc_gelu_forward, fc_gelu_backward},
                     {"relu", fc_relu_forward, fc_relu_backward},
                     {"silu", fc_silu_forward, fc_silu_backward},
                     {"sine", fc_sine_forward, fc_sine_backward}};

static double act_ref_f(int kind, double x)
{
  switch (kind) {
  case ACT_GELU: return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
  case ACT_RELU: return x > 0.0 ? x : 0.0;
  case ACT_SILU: return x / (1.0 + exp(-x));
  default: return sin(x);
  }
}

typedef struct {
  ref_head h;
  int kind;
  long n;
  const float *x, *dy;
  const double *xd;
} act_t;

static void act_ref(ref_head *h)
{
  act_t *t = (act_t *)h;
  for (long i = 0; i < t->n; i++) h->y[i] = act_ref_f(t->kind, t->xd[i]);
}

static void act_bwd(void *ctx, float **g)
{
  act_t *t = ctx;
  acts[t->kind].bwd(g[0], t->dy, t->x, t->n);
}

static void test_activations(void)
{
  static const long sizes[] = {1, 37};
  for (int kind = 0; kind < ACT_COUNT; kind++)
    for (int s = 0; s < 2; s++) {
      long n = sizes[s];
      rng r = rng_seed(2000 + (unsigned long long)(kind * 10 + s));
      float *x = fvec(n), *y = fvec(n), *dy = fvec(n);
      double *xd = dvec(n), *yd = dvec(n), *dyd = dvec(n);
      fill(&r, x, xd, n, -3, 3);
      if (kind == ACT_RELU) /* keep the differences away from the kink at 0 */
        for (long i = 0; i < n; i++)
          if (fabs(x[i]) < 0.1f) x[i] = xd[i] = x[i] < 0 ? -0.1f - x[i] : 0.1f + x[i];
      fill(&r, dy, dyd, n, -1, 1);
      act_t t = {{act_ref, yd, dyd, n}, kind, n, x, dy, xd};
      char name[64];
      snprintf(name, sizeof name, "%s n=%ld", acts[kind].name, n);
      fill_nan(y, n);
      acts[kind].fwd(y, x, n);
      act_ref(&t.h);
      CU_ASSERT(check_close(name, y, yd, n, FWD_TOL, 1.0));
      grad_spec gs = {1, {"dx"}, {xd}, {n}};
      check_backward(name, &t.h, act_bwd, &t, &gs);
      /* in place: y == x gives the same values */
      float *xi = fvec(n);
      memcpy(xi, x, (size_t)n * sizeof(float));
      acts[kind].fwd(xi, xi, n);
      CU_ASSERT(memcmp(xi, y, (size_t)n * sizeof(float)) == 0);
      free(xi), free(x), free(y), free(dy), free(xd), free(yd), free(dyd);
    }
}

/* values at the kink and far out: ReLU'(0) = 0 as PyTorch, GELU'(0) = 1/2, and no NaN
 * where exp overflows (SiLU at -100) */
static void test_activation_edges(void)
{
  const float x[] = {0.0f, -0.0f, 1.0f, -1.0f, 10.0f, -10.0f, 100.0f, -100.0f, 1000.0f, -1000.0f};
  enum { N = sizeof x / sizeof x[0] };
  float y[N], dx[N], dy[N];
  for (int i = 0; i < N; i++) dy[i] = 1.0f;
  for (int kind = 0; kind < ACT_COUNT; kind++) {
    for (int i = 0; i < N; i++) dx[i] = 0.0f;
    acts[kind].fwd(y, x, N);
    acts[kind].bwd(dx, dy, x, N);
    for (int i = 0; i < N; i++) {
      CU_ASSERT(isfinite(y[i]) && isfinite(dx[i]));
      if (kind != ACT_SINE || fabsf(x[i]) < 20) /* float sin of 1000 is far from sin(1000.0) */
        CU_ASSERT_DOUBLE_EQUAL(y[i], act_ref_f(kind, x[i]), 1e-6 * fmax(1.0, fabs(x[i])));
    }
  }
  float g[N];
  for (int i = 0; i < N; i++) g[i] = 0.0f;
  fc_relu_backward(g, dy, x, N);
  CU_ASSERT_EQUAL(g[0], 0.0f); /* x = +0 */
  CU_ASSERT_EQUAL(g[1], 0.0f); /* x = -0 */
  CU_ASSERT_EQUAL(g[2], 1.0f);
  CU_ASSERT_EQUAL(g[3], 0.0f);
  for (int i = 0; i < N; i++) g[i] = 0.0f;
  fc_gelu_backward(g, dy, x, N);
  CU_ASSERT_DOUBLE_EQUAL(g[0], 0.5, 1e-7);
  CU_ASSERT_DOUBLE_EQUAL(g[4], 1.0, 1e-7);
  CU_ASSERT_DOUBLE_EQUAL(g[5], 0.0, 1e-7);
  for (int i = 0; i < N; i++) g[i] = 0.0f;
  fc_silu_backward(g, dy, x, N);
  CU_ASSERT_DOUBLE_EQUAL(g[0], 0.5, 1e-7);
  CU_ASSERT_DOUBLE_EQUAL(g[6], 1.0, 1e-7);
  CU_ASSERT_DOUBLE_EQUAL(g[7], 0.0, 1e-7);
  CU_ASSERT_DOUBLE_EQUAL(g[9], 0.0, 1e-7);
  fc_relu_backward(NULL, dy, x, N); /* dx = NULL accepted by every activation */
  fc_gelu_backward(NULL, dy, x, N);
  fc_silu_backward(NULL, dy, x, N);
  fc_sine_backward(NULL, dy, x, N);
}

/* ---- LayerNorm ---------------------------------------------------------------------------- */
typedef struct {
  ref_head h;
  long M;
  int C;
  double eps;
  const float *x, *w, *b, *dy, *mean, *rstd;
  const double *xd, *wd, *bd;
} ln_t;

static void ln_ref(ref_head *h)
{
  ln_t *t = (ln_t *)h;
  int C = t->C;
  for (long m = 0; m < t->M; m++) {
    const double *xr = t->xd + m * C;
    double mu = 0.0, v = 0.0;
    for (int c = 0; c < C; c++) mu += xr[c];
    mu /= C;
    for (int c = 0; c < C; c++) v += (xr[c] - mu) * (xr[c] - mu);
    double rs = 1.0 / sqrt(v / C + t->eps);
    for (int c = 0; c < C; c++) h->y[m * C + c] = (xr[c] - mu) * rs * t->wd[c] + t->bd[c];
  }
}

static void ln_bwd(void *ctx, float **g)
{
  ln_t *t = ctx;
  fc_layernorm_backward(g[0], g[1], g[2], t->dy, t->x, t->mean, t->rstd, t->w, t->M, t->C);
}

/* rows offset + spread U(-1, 1) */
static void layernorm_case(long M, int C, double offset, double spread)
{
  rng r = rng_seed(3000 + (unsigned long long)(M * 1009 + C));
  long n = M * C;
  float *x = fvec(n), *w = fvec(C), *b = fvec(C), *y = fvec(n), *dy = fvec(n), *mean = fvec(M), *rstd = fvec(M);
  double *xd = dvec(n), *wd = dvec(C), *bd = dvec(C), *yd = dvec(n), *dyd = dvec(n);
  fill(&r, x, xd, n, offset - spread, offset + spread);
  fill(&r, w, wd, C, 0.5, 1.5);
  fill(&r, b, bd, C, -1, 1);
  fill(&r, dy, dyd, n, -1, 1);
  const float eps = 1e-5f;
  ln_t t = {{ln_ref, yd, dyd, n}, M, C, eps, x, w, b, dy, mean, rstd, xd, wd, bd};
  char name[96];
  snprintf(name, sizeof name, "layernorm M=%ld C=%d offset=%g", M, C, offset);
  fill_nan(y, n);
  fill_nan(mean, M);
  fill_nan(rstd, M);
  fc_layernorm_forward(y, mean, rstd, x, w, b, M, C, eps);
  ln_ref(&t.h);
  CU_ASSERT(check_close(name, y, yd, n, FWD_TOL, 1.0));
  /* saved statistics */
  double *md = dvec(M), *rd = dvec(M);
  for (long m = 0; m < M; m++) {
    double mu = 0.0, v = 0.0;
    for (int c = 0; c < C; c++) mu += xd[m * C + c];
    mu /= C;
    for (int c = 0; c < C; c++) v += (xd[m * C + c] - mu) * (xd[m * C + c] - mu);
    md[m] = mu;
    rd[m] = 1.0 / sqrt(v / C + (double)eps);
  }
  CU_ASSERT(check_close("layernorm saved mean", mean, md, M, FWD_TOL, 1.0));
  CU_ASSERT(check_close("layernorm saved rstd", rstd, rd, M, FWD_TOL, 1.0));
  grad_spec gs = {3, {"dx", "dw", "db"}, {xd, wd, bd}, {n, C, C}};
  check_backward(name, &t.h, ln_bwd, &t, &gs);
  free(x), free(w), free(b), free(y), free(dy), free(mean), free(rstd);
  free(xd), free(wd), free(bd), free(yd), free(dyd), free(md), free(rd);
}

static void test_layernorm(void)
{
  static const int shapes[][2] = {{1, 1}, {1, 7}, {5, 1}, {6, 16}, {3, 33}};
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) layernorm_case(shapes[s][0], shapes[s][1], 0.0, 1.0);
}

/* rows far from zero: float statistics or a float saved mean would lose the deviations */
static void test_layernorm_offset(void)
{
  layernorm_case(4, 5, 1000.0, 1.0);
  layernorm_case(3, 12, -300.0, 0.01);
}

/* before the affine part (w = 1, b = 0) every row has mean 0 and variance var/(var + eps) */
static void test_layernorm_normalises(void)
{
  const long M = 7;
  const int C = 24;
  const float eps = 1e-5f;
  rng r = rng_seed(3100);
  float x[7 * 24], y[7 * 24], w[24], b[24], mean[7], rstd[7];
  fill(&r, x, NULL, M * C, -2, 3);
  for (int c = 0; c < C; c++) w[c] = 1.0f, b[c] = 0.0f;
  fc_layernorm_forward(y, mean, rstd, x, w, b, M, C, eps);
  for (long m = 0; m < M; m++) {
    double mx = 0.0, vx = 0.0, my = 0.0, vy = 0.0;
    for (int c = 0; c < C; c++) mx += x[m * C + c], my += y[m * C + c];
    mx /= C, my /= C;
    for (int c = 0; c < C; c++) {
      vx += (x[m * C + c] - mx) * (x[m * C + c] - mx);
      vy += (y[m * C + c] - my) * (y[m * C + c] - my);
    }
    vx /= C, vy /= C;
    CU_ASSERT_DOUBLE_EQUAL(my, 0.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(vy, vx / (vx + eps), 1e-5);
  }
  /* w = b = NULL (no affine) is the same map */
  float y2[7 * 24];
  fc_layernorm_forward(y2, NULL, NULL, x, NULL, NULL, M, C, eps);
  CU_ASSERT(memcmp(y, y2, sizeof y) == 0);
}

/* ---- InstanceNorm ------------------------------------------------------------------------- */
typedef struct {
  ref_head h;
  int B;
  long N;
  int C;
  double eps;
  const float *x, *dy, *mean, *rstd;
  const double *xd;
} in_t;

static void in_ref(ref_head *h)
{
  in_t *t = (in_t *)h;
  long N = t->N;
  int C = t->C;
  for (int b = 0; b < t->B; b++)
    for (int c = 0; c < C; c++) {
      const double *xb = t->xd + (long)b * N * C + c;
      double mu = 0.0, v = 0.0;
      for (long n = 0; n < N; n++) mu += xb[n * C];
      mu /= N;
      for (long n = 0; n < N; n++) v += (xb[n * C] - mu) * (xb[n * C] - mu);
      double rs = 1.0 / sqrt(v / N + t->eps);
      for (long n = 0; n < N; n++) h->y[(long)b * N * C + n * C + c] = (xb[n * C] - mu) * rs;
    }
}

static void in_bwd(void *ctx, float **g)
{
  in_t *t = ctx;
  fc_instancenorm_backward(g[0], t->dy, t->x, t->mean, t->rstd, t->B, t->N, t->C);
}

static void instancenorm_case(int B, long N, int C, double offset, double spread)
{
  rng r = rng_seed(4000 + (unsigned long long)(B * 1009 + N * 31 + C));
  long n = (long)B * N * C;
  float *x = fvec(n), *y = fvec(n), *dy = fvec(n), *mean = fvec((long)B * C), *rstd = fvec((long)B * C);
  double *xd = dvec(n), *yd = dvec(n), *dyd = dvec(n);
  fill(&r, x, xd, n, offset - spread, offset + spread);
  fill(&r, dy, dyd, n, -1, 1);
  const float eps = 1e-5f;
  in_t t = {{in_ref, yd, dyd, n}, B, N, C, eps, x, dy, mean, rstd, xd};
  char name[96];
  snprintf(name, sizeof name, "instancenorm B=%d N=%ld C=%d offset=%g spread=%g", B, N, C, offset, spread);
  fill_nan(y, n);
  fc_instancenorm_forward(y, mean, rstd, x, B, N, C, eps);
  in_ref(&t.h);
  CU_ASSERT(check_close(name, y, yd, n, FWD_TOL, 1.0));
  /* per (b, c): mean 0, variance var/(var + eps) */
  for (int b = 0; b < B; b++)
    for (int c = 0; c < C; c++) {
      double mx = 0.0, vx = 0.0, my = 0.0, vy = 0.0;
      long o = (long)b * N * C + c;
      for (long i = 0; i < N; i++) mx += xd[o + i * C], my += y[o + i * C];
      mx /= N, my /= N;
      for (long i = 0; i < N; i++) {
        vx += (xd[o + i * C] - mx) * (xd[o + i * C] - mx);
        vy += (y[o + i * C] - my) * (y[o + i * C] - my);
      }
      vx /= N, vy /= N;
      CU_ASSERT_DOUBLE_EQUAL(my, 0.0, 1e-6);
      CU_ASSERT_DOUBLE_EQUAL(vy, vx / (vx + eps), 1e-5);
      CU_ASSERT_DOUBLE_EQUAL(mean[(long)b * C + c], mx, 1e-6 * fmax(1.0, fabs(mx)));
      CU_ASSERT_DOUBLE_EQUAL(rstd[(long)b * C + c], 1.0 / sqrt(vx + eps), 1e-5 / sqrt(vx + eps));
    }
  grad_spec gs = {1, {"dx"}, {xd}, {n}};
  check_backward(name, &t.h, in_bwd, &t, &gs);
  free(x), free(y), free(dy), free(mean), free(rstd), free(xd), free(yd), free(dyd);
}

static void test_instancenorm(void)
{
  instancenorm_case(1, 1, 1, 0.0, 1.0);
  instancenorm_case(1, 5, 1, 0.0, 1.0);
  instancenorm_case(2, 7, 3, 0.0, 1.0);
  instancenorm_case(3, 16, 4, 0.0, 1.0);
  /* fields far from zero (a temperature in kelvin): float statistics, or a saved float mean
   * used as is, lose the small deviations */
  instancenorm_case(2, 9, 2, 500.0, 1.0);
  instancenorm_case(2, 11, 3, 300.0, 0.01);
}

/* ---- per-channel affine ------------------------------------------------------------------- */
typedef struct {
  ref_head h;
  long M;
  int C;
  const float *x, *s, *t, *dy;
  const double *xd, *sd, *td;
} affine_t;

static void affine_ref(ref_head *h)
{
  affine_t *a = (affine_t *)h;
  for (long m = 0; m < a->M; m++)
    for (int c = 0; c < a->C; c++) h->y[m * a->C + c] = a->xd[m * a->C + c] * a->sd[c] + a->td[c];
}

static void affine_bwd(void *ctx, float **g)
{
  affine_t *a = ctx;
  fc_affine_backward(g[0], g[1], g[2], a->dy, a->x, a->s, a->M, a->C);
}

static void affine_case(long M, int C)
{
  long n = M * C;
  rng r = rng_seed(5000 + (unsigned long long)(M * 1009 + C));
  float *x = fvec(n), *s = fvec(C), *t = fvec(C), *y = fvec(n), *dy = fvec(n);
  double *xd = dvec(n), *sd = dvec(C), *td = dvec(C), *yd = dvec(n), *dyd = dvec(n);
  fill(&r, x, xd, n, -1, 1);
  fill(&r, s, sd, C, -2, 2);
  fill(&r, t, td, C, -1, 1);
  fill(&r, dy, dyd, n, -1, 1);
  affine_t a = {{affine_ref, yd, dyd, n}, M, C, x, s, t, dy, xd, sd, td};
  char name[64];
  snprintf(name, sizeof name, "affine M=%ld C=%d", M, C);
  fill_nan(y, n);
  fc_affine_forward(y, x, s, t, M, C);
  affine_ref(&a.h);
  CU_ASSERT(check_close(name, y, yd, n, FWD_TOL, 1.0));
  grad_spec gs = {3, {"dx", "ds", "dt"}, {xd, sd, td}, {n, C, C}};
  check_backward(name, &a.h, affine_bwd, &a, &gs);
  free(x), free(s), free(t), free(y), free(dy), free(xd), free(sd), free(td), free(yd), free(dyd);
}

static void test_affine(void)
{
  static const int shapes[][2] = {{1, 1}, {4, 3}, {9, 7}, {1, 5}, {6, 1}};
  for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) affine_case(shapes[k][0], shapes[k][1]);
}

/* ---- mean pooling --------------------------------------------------------------------------- */
typedef struct {
  ref_head h;
  int B, dims[3], C, out[3];
  unsigned axes;
  const float *dy;
  const double *xd;
} pool_t;

/* naive: scatter every input into its output point, then divide by the pooled count */
static void pool_ref(ref_head *h)
{
  pool_t *t = (pool_t *)h;
  long count = 1;
  for (int a = 0; a < 3; a++)
    if (t->axes >> a & 1u) count *= t->dims[a];
  for (long i = 0; i < h->ny; i++) h->y[i] = 0.0;
  long i = 0;
  for (int b = 0; b < t->B; b++)
    for (int i0 = 0; i0 < t->dims[0]; i0++)
      for (int i1 = 0; i1 < t->dims[1]; i1++)
        for (int i2 = 0; i2 < t->dims[2]; i2++)
          for (int c = 0; c < t->C; c++, i++) {
            int j0 = t->axes & 1u ? 0 : i0, j1 = t->axes & 2u ? 0 : i1, j2 = t->axes & 4u ? 0 : i2;
            h->y[((((long)b * t->out[0] + j0) * t->out[1] + j1) * t->out[2] + j2) * t->C + c] += t->xd[i];
          }
  for (long k = 0; k < h->ny; k++) h->y[k] /= (double)count;
}

static void pool_bwd(void *ctx, float **g)
{
  pool_t *t = ctx;
  fc_meanpool_backward(g[0], t->dy, t->B, t->dims, t->C, t->axes);
}

static void pool_case(int B, int d0, int d1, int d2, int C, unsigned axes)
{
  pool_t t = {{pool_ref, NULL, NULL, 0}, B, {d0, d1, d2}, C, {0, 0, 0}, axes, NULL, NULL};
  long nx = (long)B * d0 * d1 * d2 * C, ny = (long)B * C;
  for (int a = 0; a < 3; a++) {
    t.out[a] = axes >> a & 1u ? 1 : t.dims[a];
    ny *= t.out[a];
  }
  rng r = rng_seed(6000 + axes * 7919 + (unsigned long long)(B + d0 * 3 + d1 * 5 + d2 * 7 + C * 11));
  float *x = fvec(nx), *y = fvec(ny), *dy = fvec(ny);
  double *xd = dvec(nx), *yd = dvec(ny), *dyd = dvec(ny);
  fill(&r, x, xd, nx, -1, 1);
  fill(&r, dy, dyd, ny, -1, 1);
  t.h.y = yd, t.h.dy = dyd, t.h.ny = ny, t.dy = dy, t.xd = xd;
  char name[96];
  snprintf(name, sizeof name, "meanpool B=%d dims=%dx%dx%d C=%d axes=%u", B, d0, d1, d2, C, axes);
  fill_nan(y, ny);
  fc_meanpool_forward(y, x, B, t.dims, C, axes);
  pool_ref(&t.h);
  CU_ASSERT(check_close(name, y, yd, ny, FWD_TOL, 1.0));
  grad_spec gs = {1, {"dx"}, {xd}, {nx}};
  check_backward(name, &t.h, pool_bwd, &t, &gs);
  free(x), free(y), free(dy), free(xd), free(yd), free(dyd);
}

static void test_meanpool_one_axis(void)
{
  for (unsigned a = 0; a < 3; a++) {
    pool_case(2, 3, 4, 5, 3, 1u << a);
    pool_case(1, 1, 6, 1, 1, 1u << a); /* a 1D field stored as 1 x 6 x 1 */
  }
}

static void test_meanpool_two_axes(void)
{
  static const unsigned pairs[] = {3u, 5u, 6u};
  for (int k = 0; k < 3; k++) {
    pool_case(2, 3, 4, 5, 3, pairs[k]);
    pool_case(3, 2, 1, 3, 1, pairs[k]);
  }
}

static void test_meanpool_all_and_none(void)
{
  pool_case(2, 3, 4, 5, 3, 7u);
  pool_case(1, 1, 1, 1, 1, 7u);
  pool_case(2, 5, 3, 1, 2, 7u);
  pool_case(2, 3, 4, 5, 3, 0u); /* no axis: the identity */
  /* the mean of a constant field is the constant, exactly for these sizes */
  int dims[3] = {4, 2, 8};
  float x[4 * 2 * 8 * 2], y[2];
  for (int i = 0; i < 4 * 2 * 8 * 2; i++) x[i] = i % 2 ? -0.75f : 2.5f;
  fc_meanpool_forward(y, x, 1, dims, 2, 7u);
  CU_ASSERT_EQUAL(y[0], 2.5f);
  CU_ASSERT_EQUAL(y[1], -0.75f);
}

/* ---- Fourier features ------------------------------------------------------------------------- */
typedef struct {
  ref_head h;
  long M;
  int d, m;
  const float *p, *Bm, *dy;
  const double *pd, *Bmd;
} ff_t;

static void ff_ref(ref_head *h)
{
  ff_t *t = (ff_t *)h;
  const double two_pi = 2.0 * acos(-1.0);
  for (long i = 0; i < t->M; i++)
    for (int j = 0; j < t->m; j++) {
      double z = 0.0;
      for (int k = 0; k < t->d; k++) z += t->pd[i * t->d + k] * t->Bmd[(long)k * t->m + j];
      h->y[i * 2 * t->m + j] = sin(two_pi * z);
      h->y[i * 2 * t->m + t->m + j] = cos(two_pi * z);
    }
}

static void ff_bwd(void *ctx, float **g)
{
  ff_t *t = ctx;
  fc_fourier_features_backward(g[0], t->dy, t->p, t->Bm, t->M, t->d, t->m);
}

static void fourier_case(long M, int d, int m, double sigma)
{
  rng r = rng_seed(7000 + (unsigned long long)(M * 101 + d * 11 + m));
  long np = M * d, nB = (long)d * m, ny = M * 2 * m;
  float *p = fvec(np), *Bm = fvec(nB), *y = fvec(ny), *dy = fvec(ny);
  double *pd = dvec(np), *Bmd = dvec(nB), *yd = dvec(ny), *dyd = dvec(ny);
  fill(&r, p, pd, np, 0, 1);
  fill(&r, Bm, Bmd, nB, -sigma, sigma);
  fill(&r, dy, dyd, ny, -1, 1);
  ff_t t = {{ff_ref, yd, dyd, ny}, M, d, m, p, Bm, dy, pd, Bmd};
  char name[96];
  snprintf(name, sizeof name, "fourier features M=%ld d=%d m=%d sigma=%g", M, d, m, sigma);
  fill_nan(y, ny);
  fc_fourier_features_forward(y, p, Bm, M, d, m);
  ff_ref(&t.h);
  CU_ASSERT(check_close(name, y, yd, ny, FWD_TOL, 1.0));
  /* sin^2 + cos^2 = 1 per feature */
  for (long i = 0; i < M; i++)
    for (int j = 0; j < m; j++) {
      double s = y[i * 2 * m + j], c = y[i * 2 * m + m + j];
      CU_ASSERT_DOUBLE_EQUAL(s * s + c * c, 1.0, 1e-6);
    }
  grad_spec gs = {1, {"dp"}, {pd}, {np}};
  check_backward(name, &t.h, ff_bwd, &t, &gs);
  free(p), free(Bm), free(y), free(dy), free(pd), free(Bmd), free(yd), free(dyd);
}

static void test_fourier_features(void)
{
  fourier_case(1, 1, 1, 1.0);
  fourier_case(5, 2, 3, 1.0);
  fourier_case(7, 3, 8, 3.0);
  fourier_case(2, 19, 5, 0.5); /* d above the 16 coordinates accumulated at once */
}

/* channel counts above the 256 channels the layers reduce at once (stack accumulators) */
static void test_wide_channels(void)
{
  linear_case(3, 2, 300, 1);
  layernorm_case(2, 300, 0.0, 1.0);
  instancenorm_case(1, 3, 260, 0.0, 1.0);
  affine_case(3, 513);
  pool_case(1, 2, 1, 3, 257, 5u);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"linear against a triple loop, gradients", test_linear},
                                       {"linear without bias", test_linear_no_bias},
                                       {"activations: values and gradients", test_activations},
                                       {"activations at the kink and far out", test_activation_edges},
                                       {"layernorm: values, statistics, gradients", test_layernorm},
                                       {"layernorm of rows far from zero", test_layernorm_offset},
                                       {"layernorm rows have mean 0, variance 1", test_layernorm_normalises},
                                       {"instancenorm: values, statistics, gradients", test_instancenorm},
                                       {"per-channel affine", test_affine},
                                       {"mean pooling over one axis", test_meanpool_one_axis},
                                       {"mean pooling over two axes", test_meanpool_two_axes},
                                       {"mean pooling over all axes and none", test_meanpool_all_and_none},
                                       {"Fourier features", test_fourier_features},
                                       {"more channels than one reduction block", test_wide_channels},
                                       {NULL, NULL}};
  fc_test_add_suite("nn_layers", tests);
}

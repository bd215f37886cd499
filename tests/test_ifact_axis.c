/* IFactFormer's axis kernels and contractions (src/operators/axis_attention.c).
 *
 * (1) Against PyTorch: tests/data/ifact_axis_reference.h5, written by
 *     tools/ifact_axis_reference.py with torch.einsum from the formulas (float64 autograd on
 *     float32 inputs, results rounded to float32): the kernel (two size sets), the contraction
 *     along x, y and z (two size sets each) and the chained composition Kz(Ky(Kx V)) with the
 *     kernels built from per-axis q, k (IFactFormer-o), forward and every gradient. Each array:
 *         max |flowcast - reference| <= TOL max |reference|,   TOL = 1e-5.
 *     Backward runs a second time into the same buffers and half the sum is checked too
 *     (the accumulate convention). Regenerate the file with
 *         /usr/bin/python3 tools/ifact_axis_reference.py tests/data/ifact_axis_reference.h5
 * (2) Finite differences: every analytic gradient (kernel: dq, dk; contraction along each
 *     axis: dV, dKa; the chain: dV and the six dq, dk) against central differences of
 *     L = sum(dy * f) where f is a double-precision evaluation written here with plain index
 *     loops (x, y, z explicit). The maps are linear in each argument, so the differences are
 *     exact up to round-off (1e-16 |L| / h ~ 1e-10); the analytic float32 gradients carry
 *     ~1e-6 relative error. GRAD_TOL 1e-4 (relative to max(1e-2, max |fd|)). The float
 *     forwards are checked against the double evaluation too (FWD_TOL 1e-5), and the NULL
 *     gradient arguments are checked to leave the other gradient unchanged.
 * (3) Sizes large enough that the contraction gathers a slice in several blocks (x and y),
 *     forward and backward against double loops.
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
#define FWD_TOL 1e-5
#define GRAD_TOL 1e-4
#define FD_STEP 1e-5
#define SCALE_FLOOR 1e-2
#define REF_FILE "ifact_axis_reference.h5"

static float *zeros(long n) { return calloc((size_t)(n > 0 ? n : 1), sizeof(float)); }
static double *dzeros(long n) { return calloc((size_t)(n > 0 ? n : 1), sizeof(double)); }

/* ==== (1) against PyTorch ================================================================= */

static hid_t open_reference(void)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", fc_test_datadir(), REF_FILE);
  if (access(path, R_OK) != 0) {
    printf("\n  %s is missing\n", path);
    return H5I_INVALID_HID;
  }
  return H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
}

static long prod_dims(const int d[3]) { return (long)d[0] * d[1] * d[2]; }

static void run_kernel(hid_t g, const char *gname, fc_ref_stats *st)
{
  int B = fc_ref_attr_int(g, "B"), N = fc_ref_attr_int(g, "N"), H = fc_ref_attr_int(g, "H"),
      Dk = fc_ref_attr_int(g, "Dk");
  long nq = (long)B * N * H * Dk, nK = (long)B * H * N * N;
  float *q = fc_ref_read(g, gname, "q", nq, 0, NULL), *k = fc_ref_read(g, gname, "k", nq, 0, NULL),
        *K = fc_ref_read(g, gname, "K", nK, 0, NULL), *dK = fc_ref_read(g, gname, "dK", nK, 0, NULL),
        *dqr = fc_ref_read(g, gname, "dq", nq, 0, NULL), *dkr = fc_ref_read(g, gname, "dk", nq, 0, NULL);
  if (q && k && K && dK && dqr && dkr) {
    float *Kc = zeros(nK), *dq = zeros(nq), *dk = zeros(nq);
    fc_axis_kernel_forward(Kc, q, k, B, N, H, Dk);
    fc_ref_compare(st, gname, "K", Kc, K, nK);
    fc_axis_kernel_backward(dq, dk, dK, q, k, B, N, H, Dk);
    fc_ref_compare(st, gname, "dq", dq, dqr, nq);
    fc_ref_compare(st, gname, "dk", dk, dkr, nq);
    fc_axis_kernel_backward(dq, dk, dK, q, k, B, N, H, Dk);
    fc_ref_compare_twice(st, gname, "dq", dq, dqr, nq);
    fc_ref_compare_twice(st, gname, "dk", dk, dkr, nq);
    free(Kc), free(dq), free(dk);
  }
  free(q), free(k), free(K), free(dK), free(dqr), free(dkr);
}

static void run_contract(hid_t g, const char *gname, fc_ref_stats *st)
{
  int B = fc_ref_attr_int(g, "B"), H = fc_ref_attr_int(g, "H"), Dv = fc_ref_attr_int(g, "Dv"),
      axis = fc_ref_attr_int(g, "axis"), dims[3] = {0, 0, 0};
  CU_ASSERT_FATAL(fc_ref_attr_ints(g, "dims", dims, 3));
  CU_ASSERT_FATAL(axis >= 0 && axis <= 2);
  int Na = dims[axis];
  long nV = (long)B * prod_dims(dims) * H * Dv, nK = (long)B * H * Na * Na;
  float *V = fc_ref_read(g, gname, "V", nV, 0, NULL), *Ka = fc_ref_read(g, gname, "Ka", nK, 0, NULL),
        *out = fc_ref_read(g, gname, "out", nV, 0, NULL), *dout = fc_ref_read(g, gname, "dout", nV, 0, NULL),
        *dVr = fc_ref_read(g, gname, "dV", nV, 0, NULL), *dKr = fc_ref_read(g, gname, "dKa", nK, 0, NULL);
  if (V && Ka && out && dout && dVr && dKr) {
    float *oc = zeros(nV), *dV = zeros(nV), *dK = zeros(nK);
    fc_axis_contract_forward(oc, V, Ka, B, dims, H, Dv, axis);
    fc_ref_compare(st, gname, "out", oc, out, nV);
    fc_axis_contract_backward(dV, dK, dout, V, Ka, B, dims, H, Dv, axis);
    fc_ref_compare(st, gname, "dV", dV, dVr, nV);
    fc_ref_compare(st, gname, "dKa", dK, dKr, nK);
    fc_axis_contract_backward(dV, dK, dout, V, Ka, B, dims, H, Dv, axis);
    fc_ref_compare_twice(st, gname, "dV", dV, dVr, nV);
    fc_ref_compare_twice(st, gname, "dKa", dK, dKr, nK);
    free(oc), free(dV), free(dK);
  }
  free(V), free(Ka), free(out), free(dout), free(dVr), free(dKr);
}

/* ---- the chained composition (IFactFormer-o): out = Kz(Ky(Kx V)), K_a = q_a k_a^T ---------- */
typedef struct {
  int B, dims[3], H, Dk, Dv;
  const float *q[3], *k[3]; /* [B][N_a][H][Dk] */
  float *K[3];              /* [B][H][N_a][N_a] */
  float *V1, *V2;           /* Kx V, Ky (Kx V) */
} chain;

static long chain_nV(const chain *c) { return (long)c->B * prod_dims(c->dims) * c->H * c->Dv; }
static long chain_nK(const chain *c, int a) { return (long)c->B * c->H * c->dims[a] * c->dims[a]; }

static void chain_forward(chain *c, float *out, const float *V)
{
  for (int a = 0; a < 3; a++) fc_axis_kernel_forward(c->K[a], c->q[a], c->k[a], c->B, c->dims[a], c->H, c->Dk);
  fc_axis_contract_forward(c->V1, V, c->K[0], c->B, c->dims, c->H, c->Dv, 0);
  fc_axis_contract_forward(c->V2, c->V1, c->K[1], c->B, c->dims, c->H, c->Dv, 1);
  fc_axis_contract_forward(out, c->V2, c->K[2], c->B, c->dims, c->H, c->Dv, 2);
}

/* accumulates into dV (may be NULL), dq[a], dk[a]; after chain_forward */
static void chain_backward(chain *c, float *dV, float **dq, float **dk, const float *dout, const float *V)
{
  long nV = chain_nV(c);
  float *dV2 = zeros(nV), *dV1 = zeros(nV), *dK[3];
  for (int a = 0; a < 3; a++) dK[a] = zeros(chain_nK(c, a));
  fc_axis_contract_backward(dV2, dK[2], dout, c->V2, c->K[2], c->B, c->dims, c->H, c->Dv, 2);
  fc_axis_contract_backward(dV1, dK[1], dV2, c->V1, c->K[1], c->B, c->dims, c->H, c->Dv, 1);
  fc_axis_contract_backward(dV, dK[0], dV1, V, c->K[0], c->B, c->dims, c->H, c->Dv, 0);
  for (int a = 0; a < 3; a++) {
    fc_axis_kernel_backward(dq[a], dk[a], dK[a], c->q[a], c->k[a], c->B, c->dims[a], c->H, c->Dk);
    free(dK[a]);
  }
  free(dV1), free(dV2);
}

static void chain_alloc(chain *c)
{
  for (int a = 0; a < 3; a++) c->K[a] = zeros(chain_nK(c, a));
  c->V1 = zeros(chain_nV(c));
  c->V2 = zeros(chain_nV(c));
}

static void chain_free(chain *c)
{
  for (int a = 0; a < 3; a++) free(c->K[a]);
  free(c->V1), free(c->V2);
}

static void run_chained(hid_t g, const char *gname, fc_ref_stats *st)
{
  chain c;
  c.B = fc_ref_attr_int(g, "B"), c.H = fc_ref_attr_int(g, "H");
  c.Dk = fc_ref_attr_int(g, "Dk"), c.Dv = fc_ref_attr_int(g, "Dv");
  CU_ASSERT_FATAL(fc_ref_attr_ints(g, "dims", c.dims, 3));
  long nV = chain_nV(&c), nq[3];
  float *q[3], *k[3], *Kr[3], *dqr[3], *dkr[3];
  int ok = 1;
  char name[16];
  for (int a = 0; a < 3; a++) {
    char ax = "xyz"[a];
    nq[a] = (long)c.B * c.dims[a] * c.H * c.Dk;
    snprintf(name, sizeof name, "q%c", ax), q[a] = fc_ref_read(g, gname, name, nq[a], 0, NULL);
    snprintf(name, sizeof name, "k%c", ax), k[a] = fc_ref_read(g, gname, name, nq[a], 0, NULL);
    snprintf(name, sizeof name, "K%c", ax), Kr[a] = fc_ref_read(g, gname, name, chain_nK(&c, a), 0, NULL);
    snprintf(name, sizeof name, "dq%c", ax), dqr[a] = fc_ref_read(g, gname, name, nq[a], 0, NULL);
    snprintf(name, sizeof name, "dk%c", ax), dkr[a] = fc_ref_read(g, gname, name, nq[a], 0, NULL);
    ok = ok && q[a] && k[a] && Kr[a] && dqr[a] && dkr[a];
    c.q[a] = q[a], c.k[a] = k[a];
  }
  float *V = fc_ref_read(g, gname, "V", nV, 0, NULL), *out = fc_ref_read(g, gname, "out", nV, 0, NULL),
        *dout = fc_ref_read(g, gname, "dout", nV, 0, NULL), *dVr = fc_ref_read(g, gname, "dV", nV, 0, NULL);
  if (ok && V && out && dout && dVr) {
    chain_alloc(&c);
    float *oc = zeros(nV), *dV = zeros(nV), *dq[3], *dk[3];
    for (int a = 0; a < 3; a++) dq[a] = zeros(nq[a]), dk[a] = zeros(nq[a]);
    chain_forward(&c, oc, V);
    for (int a = 0; a < 3; a++) {
      snprintf(name, sizeof name, "K%c", "xyz"[a]);
      fc_ref_compare(st, gname, name, c.K[a], Kr[a], chain_nK(&c, a));
    }
    fc_ref_compare(st, gname, "out", oc, out, nV);
    for (int pass = 0; pass < 2; pass++) { /* pass 1 accumulates a second time: halved */
      chain_backward(&c, dV, dq, dk, dout, V);
      if (pass) fc_ref_compare_twice(st, gname, "dV", dV, dVr, nV);
      else fc_ref_compare(st, gname, "dV", dV, dVr, nV);
      for (int a = 0; a < 3; a++) {
        char nq_[16], nk_[16];
        snprintf(nq_, sizeof nq_, "dq%c", "xyz"[a]), snprintf(nk_, sizeof nk_, "dk%c", "xyz"[a]);
        if (pass) fc_ref_compare_twice(st, gname, nq_, dq[a], dqr[a], nq[a]), fc_ref_compare_twice(st, gname, nk_, dk[a], dkr[a], nq[a]);
        else fc_ref_compare(st, gname, nq_, dq[a], dqr[a], nq[a]), fc_ref_compare(st, gname, nk_, dk[a], dkr[a], nq[a]);
      }
    }
    for (int a = 0; a < 3; a++) free(dq[a]), free(dk[a]);
    free(oc), free(dV);
    chain_free(&c);
  }
  for (int a = 0; a < 3; a++) free(q[a]), free(k[a]), free(Kr[a]), free(dqr[a]), free(dkr[a]);
  free(V), free(out), free(dout), free(dVr);
}

static const fc_ref_layer layers[] = {{"kernel", run_kernel}, {"contract", run_contract}, {"chained", run_chained}};
#define NLAYERS ((int)(sizeof layers / sizeof layers[0]))

/* runs every group of the given layer; returns the number run */
static int run_layer(const char *layer)
{
  hid_t f = open_reference();
  CU_ASSERT_FATAL(f >= 0);
  fc_ref_group_fn fn = NULL;
  for (int l = 0; l < NLAYERS; l++)
    if (!strcmp(layers[l].layer, layer)) fn = layers[l].fn;
  fc_ref_stats st = {layer, 0, -1, "", TOL};
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", fc_test_datadir(), REF_FILE);
  fc_ref_run_layer(f, path, &st, fn);
  H5Fclose(f);
  return st.groups;
}

static void test_reference_file(void)
{
  hid_t f = open_reference();
  CU_ASSERT_FATAL(f >= 0);
  fc_ref_check_layers(f, layers, NLAYERS);
  H5Fclose(f);
}

static void test_kernel_ref(void) { CU_ASSERT(run_layer("kernel") == 2); }
static void test_contract_ref(void) { CU_ASSERT(run_layer("contract") == 6); }
static void test_chained_ref(void) { CU_ASSERT(run_layer("chained") == 1); }

/* ==== (2) finite differences against double evaluations ===================================== */

static void fill(fc_ref_rng *r, float *f, double *d, long n)
{
  for (long i = 0; i < n; i++) {
    f[i] = (float)(2.0 * fc_ref_uniform(r) - 1.0);
    if (d) d[i] = f[i];
  }
}


/* double K[b][h][i][j] = sum_d q[b][i][h][d] k[b][j][h][d] */
static void kernel_d(double *K, const double *q, const double *k, int B, int N, int H, int Dk)
{
  for (int b = 0; b < B; b++)
    for (int h = 0; h < H; h++)
      for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
          double s = 0;
          for (int d = 0; d < Dk; d++)
            s += q[(((long)b * N + i) * H + h) * Dk + d] * k[(((long)b * N + j) * H + h) * Dk + d];
          K[(((long)b * H + h) * N + i) * N + j] = s;
        }
}

/* double contraction along axis with explicit x, y, z loops */
static void contract_d(double *out, const double *V, const double *K, int B, const int dims[3], int H, int Dv, int axis)
{
  int X = dims[0], Y = dims[1], Z = dims[2], Na = dims[axis];
#define VIDX(b, x, y, z, h, d) ((((((long)(b) * X + (x)) * Y + (y)) * Z + (z)) * H + (h)) * Dv + (d))
  for (int b = 0; b < B; b++)
    for (int x = 0; x < X; x++)
      for (int y = 0; y < Y; y++)
        for (int z = 0; z < Z; z++)
          for (int h = 0; h < H; h++)
            for (int d = 0; d < Dv; d++) {
              int i = axis == 0 ? x : axis == 1 ? y : z;
              double s = 0;
              for (int j = 0; j < Na; j++) {
                long vi = axis == 0   ? VIDX(b, j, y, z, h, d)
                          : axis == 1 ? VIDX(b, x, j, z, h, d)
                                      : VIDX(b, x, y, j, h, d);
                s += K[(((long)b * H + h) * Na + i) * Na + j] * V[vi];
              }
              out[VIDX(b, x, y, z, h, d)] = s;
            }
#undef VIDX
}

/* double backward of the contraction: dV[..j..] += K[i][j] dout[..i..], dK[i][j] += dout[..i..] V[..j..] */
static void contract_bwd_d(double *dV, double *dK, const double *dout, const double *V, const double *K, int B,
                           const int dims[3], int H, int Dv, int axis)
{
  int X = dims[0], Y = dims[1], Z = dims[2], Na = dims[axis];
#define VIDX(b, x, y, z, h, d) ((((((long)(b) * X + (x)) * Y + (y)) * Z + (z)) * H + (h)) * Dv + (d))
  for (int b = 0; b < B; b++)
    for (int x = 0; x < X; x++)
      for (int y = 0; y < Y; y++)
        for (int z = 0; z < Z; z++)
          for (int h = 0; h < H; h++)
            for (int d = 0; d < Dv; d++) {
              int i = axis == 0 ? x : axis == 1 ? y : z;
              long oi = VIDX(b, x, y, z, h, d);
              for (int j = 0; j < Na; j++) {
                long vi = axis == 0   ? VIDX(b, j, y, z, h, d)
                          : axis == 1 ? VIDX(b, x, j, z, h, d)
                                      : VIDX(b, x, y, j, h, d);
                long ki = (((long)b * H + h) * Na + i) * Na + j;
                dV[vi] += K[ki] * dout[oi];
                dK[ki] += dout[oi] * V[vi];
              }
            }
#undef VIDX
}

/* Sizes where the gathered slice (Na x S x Dv floats) exceeds the block of axis_attention.c
 * (32 Ki floats), so the s loop runs several blocks and a remainder: forward, dV and dKa
 * against double loops (FWD_TOL: relative to the largest value; dKa sums 2500 Dv terms per
 * p in float, still ~4e-7 relative). */
static void contract_blocked(int axis, const int dims[3])
{
  int B = 2, H = 2, Dv = 5, Na = dims[axis];
  long nV = (long)B * prod_dims(dims) * H * Dv, nK = (long)B * H * Na * Na;
  fc_ref_rng r = {0x777ull + (unsigned long long)axis};
  float *V = zeros(nV), *K = zeros(nK), *dy = zeros(nV), *out = zeros(nV), *dV = zeros(nV), *dK = zeros(nK);
  double *Vd = dzeros(nV), *Kd = dzeros(nK), *dyd = dzeros(nV), *outd = dzeros(nV), *dVd = dzeros(nV),
         *dKd = dzeros(nK);
  fill(&r, V, Vd, nV), fill(&r, K, Kd, nK), fill(&r, dy, dyd, nV);
  fc_axis_contract_forward(out, V, K, B, dims, H, Dv, axis);
  fc_axis_contract_backward(dV, dK, dy, V, K, B, dims, H, Dv, axis);
  contract_d(outd, Vd, Kd, B, dims, H, Dv, axis);
  contract_bwd_d(dVd, dKd, dyd, Vd, Kd, B, dims, H, Dv, axis);
  char what[96];
  snprintf(what, sizeof what, "blocked contract %c (%dx%dx%d) forward", "xyz"[axis], dims[0], dims[1], dims[2]);
  CU_ASSERT(fc_ref_check_close(what, out, outd, nV, FWD_TOL, 1.0));
  snprintf(what, sizeof what, "blocked contract %c dV", "xyz"[axis]);
  CU_ASSERT(fc_ref_check_close(what, dV, dVd, nV, FWD_TOL, 1.0));
  snprintf(what, sizeof what, "blocked contract %c dKa", "xyz"[axis]);
  CU_ASSERT(fc_ref_check_close(what, dK, dKd, nK, FWD_TOL, 1.0));
  free(V), free(K), free(dy), free(out), free(dV), free(dK);
  free(Vd), free(Kd), free(dyd), free(outd), free(dVd), free(dKd);
}

static void test_contract_blocked(void)
{
  static const int dx[3] = {3, 50, 50}, dy[3] = {2, 3, 2500};
  contract_blocked(0, dx); /* S = 2500, block 2184 of s: 2 blocks */
  contract_blocked(1, dy); /* S = 2500, same */
}

/* the problem: sizes, double inputs (the FD variables), upstream dy, output buffer */
typedef struct {
  int kind; /* 0 kernel, 1 contract, 2 chain */
  int B, N, dims[3], H, Dk, Dv, axis;
  double *in[7]; /* kernel: q, k; contract: V, K; chain: V, qx, kx, qy, ky, qz, kz */
  long nin[7];
  double *y, *dy, *tmp[5];
  long ny;
} fd_problem;

static double fd_loss(fd_problem *p)
{
  if (p->kind == 0) kernel_d(p->y, p->in[0], p->in[1], p->B, p->N, p->H, p->Dk);
  else if (p->kind == 1) contract_d(p->y, p->in[0], p->in[1], p->B, p->dims, p->H, p->Dv, p->axis);
  else {
    for (int a = 0; a < 3; a++) kernel_d(p->tmp[a], p->in[1 + 2 * a], p->in[2 + 2 * a], p->B, p->dims[a], p->H, p->Dk);
    contract_d(p->tmp[3], p->in[0], p->tmp[0], p->B, p->dims, p->H, p->Dv, 0);
    contract_d(p->tmp[4], p->tmp[3], p->tmp[1], p->B, p->dims, p->H, p->Dv, 1);
    contract_d(p->y, p->tmp[4], p->tmp[2], p->B, p->dims, p->H, p->Dv, 2);
  }
  double L = 0;
  for (long i = 0; i < p->ny; i++) L += p->dy[i] * p->y[i];
  return L;
}

static double fd_loss_of(void *p) { return fd_loss(p); }

static int fd_check(const char *what, fd_problem *p, int v, const float *g)
{
  long n = p->nin[v];
  double *fd = dzeros(n);
  fc_ref_central_differences(fd_loss_of, p, p->in[v], n, FD_STEP, fd);
  int ok = fc_ref_check_close(what, g, fd, n, GRAD_TOL, SCALE_FLOOR);
  free(fd);
  return ok;
}

static void test_kernel_fd(void)
{
  fd_problem p = {.kind = 0, .B = 2, .N = 4, .H = 3, .Dk = 5};
  fc_ref_rng r = {0x1234567ull};
  long nq = (long)p.B * p.N * p.H * p.Dk;
  p.ny = (long)p.B * p.H * p.N * p.N;
  float *q = zeros(nq), *k = zeros(nq), *K = zeros(p.ny), *dy = zeros(p.ny), *dq = zeros(nq), *dk = zeros(nq),
        *dk2 = zeros(nq);
  p.in[0] = dzeros(nq), p.in[1] = dzeros(nq), p.nin[0] = p.nin[1] = nq;
  p.y = dzeros(p.ny), p.dy = dzeros(p.ny);
  fill(&r, q, p.in[0], nq), fill(&r, k, p.in[1], nq), fill(&r, dy, p.dy, p.ny);
  fc_axis_kernel_forward(K, q, k, p.B, p.N, p.H, p.Dk);
  fd_loss(&p);
  CU_ASSERT(fc_ref_check_close("kernel forward vs double", K, p.y, p.ny, FWD_TOL, 1.0));
  fc_axis_kernel_backward(dq, dk, dy, q, k, p.B, p.N, p.H, p.Dk);
  CU_ASSERT(fd_check("kernel dq vs finite differences", &p, 0, dq));
  CU_ASSERT(fd_check("kernel dk vs finite differences", &p, 1, dk));
  fc_axis_kernel_backward(NULL, dk2, dy, q, k, p.B, p.N, p.H, p.Dk); /* dq = NULL: dk alone, same values */
  CU_ASSERT(memcmp(dk, dk2, (size_t)nq * sizeof(float)) == 0);
  free(q), free(k), free(K), free(dy), free(dq), free(dk), free(dk2);
  free(p.in[0]), free(p.in[1]), free(p.y), free(p.dy);
}

static void contract_fd(int axis)
{
  fd_problem p = {.kind = 1, .B = 2, .dims = {4, 3, 5}, .H = 2, .Dv = 3, .axis = axis};
  fc_ref_rng r = {0x9876543ull + (unsigned long long)axis};
  int Na = p.dims[axis];
  long nV = (long)p.B * prod_dims(p.dims) * p.H * p.Dv, nK = (long)p.B * p.H * Na * Na;
  p.ny = nV;
  float *V = zeros(nV), *K = zeros(nK), *out = zeros(nV), *dy = zeros(nV), *dV = zeros(nV), *dK = zeros(nK),
        *dK2 = zeros(nK), *dV2 = zeros(nV);
  p.in[0] = dzeros(nV), p.in[1] = dzeros(nK), p.nin[0] = nV, p.nin[1] = nK;
  p.y = dzeros(nV), p.dy = dzeros(nV);
  fill(&r, V, p.in[0], nV), fill(&r, K, p.in[1], nK), fill(&r, dy, p.dy, nV);
  char what[96];
  fc_axis_contract_forward(out, V, K, p.B, p.dims, p.H, p.Dv, axis);
  fd_loss(&p);
  snprintf(what, sizeof what, "contract %c forward vs double", "xyz"[axis]);
  CU_ASSERT(fc_ref_check_close(what, out, p.y, nV, FWD_TOL, 1.0));
  fc_axis_contract_backward(dV, dK, dy, V, K, p.B, p.dims, p.H, p.Dv, axis);
  snprintf(what, sizeof what, "contract %c dV vs finite differences", "xyz"[axis]);
  CU_ASSERT(fd_check(what, &p, 0, dV));
  snprintf(what, sizeof what, "contract %c dKa vs finite differences", "xyz"[axis]);
  CU_ASSERT(fd_check(what, &p, 1, dK));
  fc_axis_contract_backward(NULL, dK2, dy, V, K, p.B, p.dims, p.H, p.Dv, axis);
  fc_axis_contract_backward(dV2, NULL, dy, V, K, p.B, p.dims, p.H, p.Dv, axis);
  CU_ASSERT(memcmp(dK, dK2, (size_t)nK * sizeof(float)) == 0);
  CU_ASSERT(memcmp(dV, dV2, (size_t)nV * sizeof(float)) == 0);
  free(V), free(K), free(out), free(dy), free(dV), free(dK), free(dK2), free(dV2);
  free(p.in[0]), free(p.in[1]), free(p.y), free(p.dy);
}

static void test_contract_x_fd(void) { contract_fd(0); }
static void test_contract_y_fd(void) { contract_fd(1); }
static void test_contract_z_fd(void) { contract_fd(2); }

static void test_chained_fd(void)
{
  fd_problem p = {.kind = 2, .B = 1, .dims = {3, 4, 2}, .H = 2, .Dk = 3, .Dv = 2};
  fc_ref_rng r = {0x5555aaaaull};
  chain c = {.B = p.B, .dims = {3, 4, 2}, .H = p.H, .Dk = p.Dk, .Dv = p.Dv};
  long nV = chain_nV(&c);
  p.ny = nV;
  float *fin[7], *g[7];
  for (int v = 0; v < 7; v++) {
    p.nin[v] = v == 0 ? nV : (long)p.B * p.dims[(v - 1) / 2] * p.H * p.Dk;
    fin[v] = zeros(p.nin[v]), g[v] = zeros(p.nin[v]), p.in[v] = dzeros(p.nin[v]);
    fill(&r, fin[v], p.in[v], p.nin[v]);
  }
  for (int t = 0; t < 5; t++) p.tmp[t] = dzeros(t < 3 ? chain_nK(&c, t) : nV);
  float *out = zeros(nV), *dy = zeros(nV);
  p.y = dzeros(nV), p.dy = dzeros(nV);
  fill(&r, dy, p.dy, nV);
  for (int a = 0; a < 3; a++) c.q[a] = fin[1 + 2 * a], c.k[a] = fin[2 + 2 * a];
  chain_alloc(&c);
  chain_forward(&c, out, fin[0]);
  fd_loss(&p);
  CU_ASSERT(fc_ref_check_close("chain forward vs double", out, p.y, nV, FWD_TOL, 1.0));
  float *dq[3] = {g[1], g[3], g[5]}, *dk[3] = {g[2], g[4], g[6]};
  chain_backward(&c, g[0], dq, dk, dy, fin[0]);
  static const char *names[7] = {"dV", "dqx", "dkx", "dqy", "dky", "dqz", "dkz"};
  char what[96];
  for (int v = 0; v < 7; v++) {
    snprintf(what, sizeof what, "chain %s vs finite differences", names[v]);
    CU_ASSERT(fd_check(what, &p, v, g[v]));
  }
  chain_free(&c);
  for (int v = 0; v < 7; v++) free(fin[v]), free(g[v]), free(p.in[v]);
  for (int t = 0; t < 5; t++) free(p.tmp[t]);
  free(out), free(dy), free(p.y), free(p.dy);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"reference file present and every case known", test_reference_file},
                                       {"axis kernel vs PyTorch", test_kernel_ref},
                                       {"axis contraction x/y/z vs PyTorch", test_contract_ref},
                                       {"chained Kz(Ky(Kx V)) vs PyTorch", test_chained_ref},
                                       {"axis kernel vs finite differences", test_kernel_fd},
                                       {"contraction x vs finite differences", test_contract_x_fd},
                                       {"contraction y vs finite differences", test_contract_y_fd},
                                       {"contraction z vs finite differences", test_contract_z_fd},
                                       {"chained composition vs finite differences", test_chained_fd},
                                       {"contraction x/y with several gather blocks", test_contract_blocked},
                                       {NULL, NULL}};
  fc_test_add_suite("ifact_axis (IFactFormer axis kernels and contractions)", tests);
}

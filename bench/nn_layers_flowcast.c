/* flowcast side of bench/nn_layers: forward + backward time of Linear, LayerNorm and the
 * 2D/3D spectral convolution at the shapes given on the command line (the driver script
 * passes the same shapes to the PyTorch side). Prints `flowcast_NAME_ms = X` lines (median
 * of the repetitions after warm-up). Threads: OPENBLAS_NUM_THREADS / OMP_NUM_THREADS. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_timer.h"
#include "fc_nn.h"

static float *randv(long n, unsigned seed)
{
  float *v = malloc(sizeof(float) * (size_t)n);
  for (long i = 0; i < n; i++) {
    seed = seed * 1664525u + 1013904223u;
    v[i] = (float)((seed >> 8) * (1.0 / 16777216.0) - 0.5);
  }
  return v;
}

/* ---- Linear --------------------------------------------------------------------- */
typedef struct {
  long M;
  int in, out;
  float *x, *W, *b, *y, *dy, *dx, *dW, *db;
} lin_ctx;
static void lin_step(void *p)
{
  lin_ctx *c = p;
  fc_linear_forward(c->y, c->x, c->W, c->b, c->M, c->in, c->out);
  memset(c->dx, 0, sizeof(float) * (size_t)(c->M * c->in));
  memset(c->dW, 0, sizeof(float) * (size_t)(c->in * c->out));
  memset(c->db, 0, sizeof(float) * (size_t)c->out);
  fc_linear_backward(c->dx, c->dW, c->db, c->dy, c->x, c->W, c->M, c->in, c->out);
}

/* ---- LayerNorm ------------------------------------------------------------------- */
typedef struct {
  long M;
  int C;
  float *x, *w, *b, *y, *mean, *rstd, *dy, *dx, *dw, *db;
} ln_ctx;
static void ln_step(void *p)
{
  ln_ctx *c = p;
  fc_layernorm_forward(c->y, c->mean, c->rstd, c->x, c->w, c->b, c->M, c->C, 1e-5f);
  memset(c->dx, 0, sizeof(float) * (size_t)(c->M * c->C));
  memset(c->dw, 0, sizeof(float) * (size_t)c->C);
  memset(c->db, 0, sizeof(float) * (size_t)c->C);
  fc_layernorm_backward(c->dx, c->dw, c->db, c->dy, c->x, c->mean, c->rstd, c->w, c->M, c->C);
}

/* ---- spectral convolution --------------------------------------------------------- */
typedef struct {
  fc_spectral *s;
  int B;
  long nx, ny, nw;
  float *x, *W, *y, *dy, *dx, *dW;
} sc_ctx;
static void sc_step(void *p)
{
  sc_ctx *c = p;
  fc_spectral_forward(c->s, c->y, c->x, c->W, c->B);
  memset(c->dx, 0, sizeof(float) * (size_t)c->nx);
  memset(c->dW, 0, sizeof(float) * (size_t)c->nw);
  fc_spectral_backward(c->s, c->dx, c->dW, c->dy, c->x, c->W, c->B);
}

static int spectral(const char *name, int ndim, const int *n, const int *m, int width, int B, int warm, int reps)
{
  fc_spectral_config cfg = {ndim, {1, 1, 1}, {1, 1, 1}, width, width, FC_FFT_NORM_BACKWARD, 0};
  long pts = 1;
  for (int a = 0; a < ndim; a++) {
    cfg.n[a] = n[a];
    cfg.modes[a] = m[a];
    pts *= n[a];
  }
  sc_ctx c = {NULL, B, (long)B * pts * width, (long)B * pts * width, 0, NULL, NULL, NULL, NULL, NULL, NULL};
  if (fc_spectral_create(&cfg, &c.s)) return 1;
  c.nw = fc_spectral_weight_size(c.s);
  c.x = randv(c.nx, 1);
  c.W = randv(c.nw, 2);
  c.dy = randv(c.ny, 3);
  c.y = malloc(sizeof(float) * (size_t)c.ny);
  c.dx = malloc(sizeof(float) * (size_t)c.nx);
  c.dW = malloc(sizeof(float) * (size_t)c.nw);
  printf("flowcast_%s_ms = %.4f\n", name, fc_bench_median_ms(sc_step, &c, warm, reps));
  fc_spectral_destroy(&c.s);
  free(c.x), free(c.W), free(c.dy), free(c.y), free(c.dx), free(c.dW);
  return 0;
}

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  int warm = 3, reps = argc > 1 ? atoi(argv[1]) : 11;
  if (reps < 1 || reps > 64) reps = 11;
  /* Linear: the FNO projection over a batch of 20 64x64 fields (81920 rows, 20 -> 128) */
  lin_ctx l = {20L * 64 * 64, 20, 128, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
  l.x = randv(l.M * l.in, 4), l.W = randv((long)l.in * l.out, 5), l.b = randv(l.out, 6);
  l.dy = randv(l.M * l.out, 7), l.y = malloc(sizeof(float) * (size_t)(l.M * l.out));
  l.dx = malloc(sizeof(float) * (size_t)(l.M * l.in)), l.dW = malloc(sizeof(float) * (size_t)(l.in * l.out));
  l.db = malloc(sizeof(float) * (size_t)l.out);
  printf("flowcast_linear_ms = %.4f\n", fc_bench_median_ms(lin_step, &l, warm, reps));
  /* LayerNorm: IFactFormer's width 96 over a batch of 4 channel grids 32 x 33 x 16 (67584 rows) */
  ln_ctx n = {4L * 32 * 33 * 16, 96, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
  n.x = randv(n.M * n.C, 8), n.w = randv(n.C, 9), n.b = randv(n.C, 10), n.dy = randv(n.M * n.C, 11);
  n.y = malloc(sizeof(float) * (size_t)(n.M * n.C)), n.dx = malloc(sizeof(float) * (size_t)(n.M * n.C));
  n.mean = malloc(sizeof(float) * (size_t)n.M), n.rstd = malloc(sizeof(float) * (size_t)n.M);
  n.dw = malloc(sizeof(float) * (size_t)n.C), n.db = malloc(sizeof(float) * (size_t)n.C);
  printf("flowcast_layernorm_ms = %.4f\n", fc_bench_median_ms(ln_step, &n, warm, reps));
  /* spectral 2D: an FNO-2D layer (batch 20, 64 x 64, width 20, modes 12 x 12) */
  int n2[2] = {64, 64}, m2[2] = {12, 12};
  if (spectral("spectral2d", 2, n2, m2, 20, 20, warm, reps)) return 1;
  /* spectral 3D: an FNO-3D/IFNO layer on the channel grid (batch 4, 32 x 33 x 16, width 32, modes 8 x 8 x 8) */
  int n3[3] = {32, 33, 16}, m3[3] = {8, 8, 8};
  if (spectral("spectral3d", 3, n3, m3, 32, 4, warm, reps)) return 1;
  MPI_Finalize();
  return 0;
}

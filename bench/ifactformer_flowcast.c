/* flowcast side of bench/ifactformer: one rollout step (forward, batch 1) of IFactFormer-m on the
 * Re_tau 180 channel grid 32 x 33 x 16 (domain 4 pi x 2 x 4 pi / 3, linspace coordinates as the
 * reference code) at two sizes:
 *   default:   C = 36, H = 2, Dv = 32, mult 1, L = 4, lift width 18 (cases/channel180_train_ifactformer_m.yaml)
 *   published: C = 96, H = 5, Dv = 96, mult 3, L = 10, lift width 48 (about 91 GFLOP per forward)
 * For each size NAME it writes into DIR the weights (checkpoint DIR/NAME.h5) and, as raw float32,
 * the coordinates cx, cy, cz (DIR/NAME_coords.f32), the input (DIR/NAME_x.f32) and the output
 * (DIR/NAME_y.f32), so the PyTorch side runs the same weights on the same input and compares.
 * Prints `flowcast_ms_NAME = X` (median after warm-up), `flowcast_min_ms_NAME = X`.
 *   ifactformer_flowcast DIR [REPS_DEFAULT (11)] [REPS_PUBLISHED (3)] */
#include <stdio.h>
#include <stdlib.h>

#include "bench_timer.h"
#include "fc_model.h"

typedef struct {
  fc_model *m;
  float *y;
  const float *x;
} ctx;

static void one_step(void *p)
{
  ctx *c = p;
  fc_model_forward(c->m, c->y, c->x);
}

static int write_raw(const char *dir, const char *name, const char *what, const float *a, long n)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s_%s.f32", dir, name, what);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(a, sizeof(float), (size_t)n, f) != (size_t)n || fclose(f)) {
    fprintf(stderr, "ifactformer_flowcast: cannot write %s\n", path);
    return 1;
  }
  return 0;
}

/* Times one size: writes its checkpoint, coordinates, input and output, prints its times. */
static int run(const char *dir, const char *name, const fc_model_spec *spec, int warm, int reps)
{
  static const int dims[3] = {32, 33, 16};
  static const double length[3] = {4 * 3.14159265358979323846, 2, 4 * 3.14159265358979323846 / 3};
  const long np = (long)dims[0] * dims[1] * dims[2], n = 3 * np;
  fc_model *m;
  if (fc_model_create(spec->type, spec->h, spec->n, "bench", &m) || fc_model_init(m, 1)) return 1;
  const fc_model_state st = {.rng_seed = 1};
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.h5", dir, name);
  if (fc_model_save(m, MPI_COMM_WORLD, path, &st)) return 1;

  float coord[32 + 33 + 16], *x = malloc(sizeof(float) * n), *y = malloc(sizeof(float) * n);
  float *c[3] = {coord, coord + dims[0], coord + dims[0] + dims[1]};
  /* the coordinates the model builds from the grid with coords = linspace: i L / (n - 1), written
     for the PyTorch side */
  for (int a = 0; a < 3; a++)
    for (int i = 0; i < dims[a]; i++) c[a][i] = (float)(i * length[a] / (dims[a] - 1));
  /* a normalised field: values of unit variance (uniform on +-sqrt(3)) */
  for (long i = 0; i < n; i++) x[i] = 1.7320508f * (2.0f * (float)((i * 2654435761u) % 1000003) / 1000003.0f - 1.0f);
  const fc_model_grid g = {.ndim = 3,
                           .n = {dims[0], dims[1], dims[2]},
                           .length = {length[0], length[1], length[2]},
                           .comm = MPI_COMM_SELF};
  if (fc_model_setup(m, 1, &g) || fc_model_forward(m, y, x)) return 1;

  ctx cx = {m, y, x};
  double t[FC_BENCH_MAX_REPS];
  if (reps > FC_BENCH_MAX_REPS) reps = FC_BENCH_MAX_REPS;
  for (int i = 0; i < warm; i++) one_step(&cx);
  for (int i = 0; i < reps; i++) t[i] = fc_bench_median_ms(one_step, &cx, 0, 1);
  qsort(t, (size_t)reps, sizeof(double), fc_bench_cmp);
  if (write_raw(dir, name, "coords", coord, dims[0] + dims[1] + dims[2]) || write_raw(dir, name, "x", x, n) ||
      write_raw(dir, name, "y", y, n))
    return 1;
  printf("flowcast_ms_%s = %.4f\nflowcast_min_ms_%s = %.4f\n", name, t[reps / 2], name, t[0]);
  printf("flowcast_params_%s = %ld\n", name, fc_model_params(m)->n);
  fflush(stdout);
  free(x), free(y);
  fc_model_destroy(&m);
  return 0;
}

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  fc_init_libraries();
  if (argc < 2) {
    fprintf(stderr, "usage: ifactformer_flowcast DIR [REPS_DEFAULT] [REPS_PUBLISHED]\n");
    return 2;
  }
  int reps_d = argc > 2 ? atoi(argv[2]) : 11, reps_p = argc > 3 ? atoi(argv[3]) : 3;
  if (reps_d < 1 || reps_d > FC_BENCH_MAX_REPS) reps_d = 11;
  if (reps_p < 1 || reps_p > FC_BENCH_MAX_REPS) reps_p = 3;
  /* C, H, Dv, mult, L, lift width (IFactFormer-m, RoPE scale 64, linspace coordinates) */
  const double size[2][6] = {{36, 2, 32, 1, 4, 18}, {96, 5, 96, 3, 10, 48}};
  static const char *const names[6] = {"C", "H", "Dv", "mult", "L", "lift_width"};
  fc_model_spec spec[2];
  for (int k = 0; k < 2; k++) {
    spec[k] = (fc_model_spec){.type = "ifactformer_m"};
    int e = fc_model_spec_set_text(&spec[k], "coords", "linspace") || fc_model_spec_set(&spec[k], "variant", 0) ||
            fc_model_spec_set(&spec[k], "freq_scale", 64) || fc_model_spec_set(&spec[k], "ndim", 3) ||
            fc_model_spec_set(&spec[k], "in_channels", 3) || fc_model_spec_set(&spec[k], "out_channels", 3);
    for (int i = 0; i < 6; i++) e = e || fc_model_spec_set(&spec[k], names[i], size[k][i]);
    if (e) return 1;
  }
  if (run(argv[1], "default", &spec[0], 3, reps_d) || run(argv[1], "published", &spec[1], 1, reps_p)) return 1;
  return fc_finalize(0);
}

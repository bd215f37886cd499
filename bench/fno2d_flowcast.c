/* flowcast side of bench/fno2d: FNO-2D of the FNO paper's Navier-Stokes setting (64 x 64,
 * width 20, modes 12, 4 layers, input window 10 + 2 grid channels, output 1):
 *   infer_b1, infer_b20: one rollout step (forward) with batch 1 and 20;
 *   train_b20: one training step with batch 20 (forward, relative L2 loss, backward, Adam).
 * Writes the model's weights to the checkpoint given as argv[1] so the PyTorch side runs the
 * same weights; prints `flowcast_NAME_ms = X` (median after warm-up). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_timer.h"
#include "fc_loss.h"
#include "fc_model.h"
#include "fc_optim.h"

typedef struct {
  fc_model *m;
  float *x, *y, *t, *dy;
  long nx, ny;
  int train;
  long step;
} ctx;

static void one(ctx *c)
{
  fc_model_forward(c->m, c->y, c->x);
  if (!c->train) return;
  fc_params *p = fc_model_params(c->m);
  fc_params_zero_grad(p);
  memset(c->dy, 0, sizeof(float) * (size_t)c->ny);
  fc_rel_l2_loss(c->dy, c->y, c->t, 20, c->ny / 20);
  fc_model_backward(c->m, NULL, c->dy);
  static const fc_adam_config adam = {0.9, 0.999, 1e-8, 1e-4, 0};
  fc_adam_step(p->data, p->grad, p->m, p->v, p->n, &adam, ++c->step, 1e-3);
}

static void one_step(void *p) { one(p); }

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  fc_init_libraries();
  if (argc < 2) {
    fprintf(stderr, "usage: fno2d_flowcast CHECKPOINT.h5 [REPS]\n");
    return 2;
  }
  int reps = argc > 2 ? atoi(argv[2]) : 11;
  if (reps < 1 || reps > 64) reps = 11;
  const struct {
    const char *name;
    double v;
  } hp[] = {{"implicit", 0}, {"ndim", 2},   {"in_channels", 10}, {"out_channels", 1}, {"width", 20},
            {"proj", 128},   {"modes0", 12}, {"modes1", 12},     {"modes2", 0},       {"layers", 4},
            {"use_grid", 1}, {"norm", 0},    {"zero_dc_nyquist_imag", 0}};
  fc_model_spec spec = {.type = "fno2d"};
  for (size_t i = 0; i < sizeof hp / sizeof hp[0]; i++)
    if (fc_model_spec_set(&spec, hp[i].name, hp[i].v)) return 1;
  fc_model *m;
  if (fc_model_create(spec.type, spec.h, spec.n, "bench", &m) || fc_model_init(m, 1)) return 1;
  const fc_model_state st = {.rng_seed = 1};
  if (fc_model_save(m, MPI_COMM_WORLD, argv[1], &st)) return 1;
  const fc_model_grid g = {.ndim = 2, .n = {64, 64, 1}, .length = {1, 1, 1}, .comm = MPI_COMM_SELF};
  const char *names[3] = {"infer_b1", "infer_b20", "train_b20"};
  int batch[3] = {1, 20, 20};
  for (int k = 0; k < 3; k++) {
    ctx c = {m, NULL, NULL, NULL, NULL, 0, 0, k == 2, 0};
    if (fc_model_setup(m, batch[k], &g)) return 1;
    c.nx = (long)batch[k] * 64 * 64 * 10;
    c.ny = (long)batch[k] * 64 * 64;
    c.x = malloc(sizeof(float) * c.nx), c.y = malloc(sizeof(float) * c.ny);
    c.t = malloc(sizeof(float) * c.ny), c.dy = malloc(sizeof(float) * c.ny);
    for (long i = 0; i < c.nx; i++) c.x[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    for (long i = 0; i < c.ny; i++) c.t[i] = (float)((i * 40503u) % 997) / 997.0f - 0.5f;
    printf("flowcast_%s_ms = %.4f\n", names[k], fc_bench_median_ms(one_step, &c, 3, reps));
    free(c.x), free(c.y), free(c.t), free(c.dy);
  }
  fc_model_destroy(&m);
  return fc_finalize(0);
}

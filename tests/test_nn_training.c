/* The training machinery on a small MLP (Linear 3->16, GELU, Linear 16->2, MSE):
 *  - ten AdamW steps reproduce PyTorch's parameters (tests/data/mlp_adamw_reference.h5,
 *    written by tools/mlp_reference.py);
 *  - data-parallel training (each rank a share of the batch, gradient slab allreduced)
 *    matches one process with the whole batch to float32 round-off, at 1, 2 and 3 ranks;
 *  - checkpoints round-trip bit for bit, load at another rank count, and reject another
 *    model, other hyper-parameters and other shapes;
 *  - seeded initialisation is the same on every rank. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fc_checkpoint.h"
#include "fc_loss.h"
#include "fc_nn.h"
#include "fc_optim.h"
#include "fc_params.h"
#include "fc_test.h"

enum { NB = 8, NI = 3, NH = 16, NO = 2 };

static void mlp_layout(fc_params *p, int hidden)
{
  fc_params_init(p);
  FC_TEST_OK(fc_params_add(p, "fc1.weight", 2, (long[]){hidden, NI}, 1, NULL));
  FC_TEST_OK(fc_params_add(p, "fc1.bias", 1, (long[]){hidden}, 1, NULL));
  FC_TEST_OK(fc_params_add(p, "fc2.weight", 2, (long[]){NO, hidden}, 1, NULL));
  FC_TEST_OK(fc_params_add(p, "fc2.bias", 1, (long[]){NO}, 1, NULL));
  FC_TEST_OK(fc_params_alloc(p));
}

/* One forward + backward over rows [r0, r0 + nr) of x, y; gradients accumulated. Returns the loss. */
static float mlp_grad(fc_params *p, const float *x, const float *y, int r0, int nr)
{
  float h[NB * NH], a[NB * NH], out[NB * NO], dout[NB * NO] = {0}, da[NB * NH] = {0}, dh[NB * NH] = {0};
  const float *W1 = fc_params_get(p, "fc1.weight"), *b1 = fc_params_get(p, "fc1.bias");
  const float *W2 = fc_params_get(p, "fc2.weight"), *b2 = fc_params_get(p, "fc2.bias");
  float *g = p->grad;
  const fc_tensor_info *t1 = fc_params_find(p, "fc1.weight"), *t2 = fc_params_find(p, "fc1.bias"),
                       *t3 = fc_params_find(p, "fc2.weight"), *t4 = fc_params_find(p, "fc2.bias");
  fc_linear_forward(h, x + r0 * NI, W1, b1, nr, NI, NH);
  fc_gelu_forward(a, h, (long)nr * NH);
  fc_linear_forward(out, a, W2, b2, nr, NH, NO);
  float loss = fc_mse_loss(dout, out, y + r0 * NO, (long)nr * NO);
  fc_linear_backward(da, g + t3->offset, g + t4->offset, dout, a, W2, nr, NH, NO);
  fc_gelu_backward(dh, da, h, (long)nr * NH);
  fc_linear_backward(NULL, g + t1->offset, g + t2->offset, dh, x + r0 * NI, W1, nr, NI, NH);
  return loss;
}

static const fc_adam_config adamw = {0.9f, 0.999f, 1e-8f, 0.01f, 1};

static int read_f32(hid_t f, const char *name, float *buf, long n)
{
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  if (d < 0) return -1;
  hid_t s = H5Dget_space(d);
  int ok = H5Sget_simple_extent_npoints(s) == n && H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
  H5Sclose(s);
  H5Dclose(d);
  return ok ? 0 : -1;
}

static hid_t open_reference(float *x, float *y, fc_params *p)
{
  char path[1024];
  snprintf(path, sizeof path, "%s/mlp_adamw_reference.h5", fc_test_datadir());
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  CU_ASSERT_FATAL(f >= 0);
  CU_ASSERT_FATAL(read_f32(f, "x", x, NB * NI) == 0 && read_f32(f, "y", y, NB * NO) == 0);
  for (int i = 0; i < p->ntensors; i++) {
    char name[160];
    snprintf(name, sizeof name, "initial/%s", p->t[i].name);
    CU_ASSERT_FATAL(read_f32(f, name, p->data + p->t[i].offset, p->t[i].size) == 0);
  }
  return f;
}

static void test_adamw_matches_torch(void)
{
  fc_params p;
  float x[NB * NI], y[NB * NO], ref[NB * NH], losses[10];
  mlp_layout(&p, NH);
  hid_t f = open_reference(x, y, &p);
  CU_ASSERT_FATAL(read_f32(f, "loss", losses, 10) == 0);
  double worst = 0;
  for (int step = 1; step <= 10; step++) {
    fc_params_zero_grad(&p);
    float loss = mlp_grad(&p, x, y, 0, NB);
    CU_ASSERT_DOUBLE_EQUAL(loss, losses[step - 1], 2e-6 * fabs(losses[step - 1]));
    fc_adam_step(p.data, p.grad, p.m, p.v, p.n, &adamw, step, 1e-2);
    for (int i = 0; i < p.ntensors; i++) {
      char name[160];
      snprintf(name, sizeof name, "step%02d/%s", step, p.t[i].name);
      CU_ASSERT_FATAL(read_f32(f, name, ref, p.t[i].size) == 0);
      double err = 0, big = 0;
      for (long j = 0; j < p.t[i].size; j++) {
        err = fmax(err, fabs(p.data[p.t[i].offset + j] - ref[j]));
        big = fmax(big, fabs(ref[j]));
      }
      worst = fmax(worst, err / big);
    }
  }
  /* float32 round-off of ten steps (sgemm summation order differs from PyTorch's) */
  CU_ASSERT(worst < 1e-5);
  if (fc_test_rank() == 0) printf("(max relative difference to PyTorch over 10 steps: %.2g) ", worst);
  H5Fclose(f);
  fc_params_free(&p);
}

/* Rows of the global batch owned by rank r of size s: a balanced split (3 ranks: 3, 3, 2). */
static void my_rows(int *r0, int *nr)
{
  int r = fc_test_rank(), s = fc_test_size();
  int base = NB / s, extra = NB % s;
  *nr = base + (r < extra);
  *r0 = r * base + (r < extra ? r : extra);
}

static void test_data_parallel(void)
{
  fc_params dist, whole;
  float x[NB * NI], y[NB * NO];
  mlp_layout(&dist, NH);
  mlp_layout(&whole, NH);
  hid_t f = open_reference(x, y, &dist);
  H5Fclose(f);
  memcpy(whole.data, dist.data, sizeof(float) * (size_t)dist.n);
  int r0, nr;
  my_rows(&r0, &nr);
  for (int step = 1; step <= 10; step++) {
    fc_params_zero_grad(&dist);
    if (nr > 0) mlp_grad(&dist, x, y, r0, nr);
    FC_TEST_OK(fc_params_allreduce_grad(&dist, MPI_COMM_WORLD, (double)nr / NB));
    fc_adam_step(dist.data, dist.grad, dist.m, dist.v, dist.n, &adamw, step, 1e-2);
    fc_params_zero_grad(&whole);
    mlp_grad(&whole, x, y, 0, NB);
    fc_adam_step(whole.data, whole.grad, whole.m, whole.v, whole.n, &adamw, step, 1e-2);
  }
  double err = 0, big = 0, spread = 0;
  for (long j = 0; j < dist.n; j++) {
    err = fmax(err, fabs(dist.data[j] - whole.data[j]));
    big = fmax(big, fabs(whole.data[j]));
  }
  /* every rank holds the same parameters */
  float *mx = malloc(sizeof(float) * dist.n), *mn = malloc(sizeof(float) * dist.n);
  MPI_Allreduce(dist.data, mx, (int)dist.n, MPI_FLOAT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Allreduce(dist.data, mn, (int)dist.n, MPI_FLOAT, MPI_MIN, MPI_COMM_WORLD);
  for (long j = 0; j < dist.n; j++) spread = fmax(spread, mx[j] - mn[j]);
  CU_ASSERT_EQUAL(spread, 0);
  CU_ASSERT(err <= 1e-6 * big); /* float32 round-off: the gradient sums are split differently */
  if (fc_test_rank() == 0) printf("(distributed vs whole batch: %.2g relative) ", err / big);
  free(mx);
  free(mn);
  fc_params_free(&dist);
  fc_params_free(&whole);
}

static const fc_hparam mlp_hparams[] = {{"hidden", 0, 16, ""}, {"activation", 1, 0, "gelu"}};

static void checkpoint_path(char *buf, size_t len, int np)
{
  snprintf(buf, len, "%s/nn_checkpoint_np%d.h5", fc_test_tmpdir(), np);
}

/* Trains 3 steps (deterministic) and fills the normalisation arrays. */
static void trained(fc_params *p, float *mean, float *std)
{
  float x[NB * NI], y[NB * NO];
  mlp_layout(p, NH);
  hid_t f = open_reference(x, y, p);
  H5Fclose(f);
  for (int step = 1; step <= 3; step++) {
    fc_params_zero_grad(p);
    mlp_grad(p, x, y, 0, NB);
    fc_adam_step(p->data, p->grad, p->m, p->v, p->n, &adamw, step, 1e-2);
  }
  for (int c = 0; c < NI; c++) mean[c] = 0.1f * c, std[c] = 1.0f + c;
}

static void test_checkpoint(void)
{
  fc_params p, q;
  float mean[NI], std[NI], mean2[NI], std2[NI];
  char path[1024];
  trained(&p, mean, std);
  checkpoint_path(path, sizeof path, fc_test_size());
  fc_named_array arrays[2] = {{"input_mean", mean, NI}, {"input_std", std, NI}};
  fc_checkpoint ck = {"mlp", mlp_hparams, 2, &p, 1, "adamw", 3, 1, 42, 7, arrays, 2};
  FC_TEST_OK(fc_checkpoint_save(MPI_COMM_WORLD, path, &ck));
  char partial[1100];
  snprintf(partial, sizeof partial, "%s.partial", path);
  CU_ASSERT_NOT_EQUAL(access(partial, F_OK), 0);

  mlp_layout(&q, NH);
  fc_named_array arrays2[2] = {{"input_mean", mean2, NI}, {"input_std", std2, NI}};
  fc_checkpoint ld = {"mlp", mlp_hparams, 2, &q, 1, "adamw", 0, 0, 0, 0, arrays2, 2};
  FC_TEST_OK(fc_checkpoint_load(MPI_COMM_WORLD, path, &ld));
  CU_ASSERT_EQUAL(memcmp(p.data, q.data, sizeof(float) * p.n), 0);
  CU_ASSERT_EQUAL(memcmp(p.m, q.m, sizeof(float) * p.n), 0);
  CU_ASSERT_EQUAL(memcmp(p.v, q.v, sizeof(float) * p.n), 0);
  CU_ASSERT_EQUAL(memcmp(mean, mean2, sizeof mean), 0);
  CU_ASSERT_EQUAL(memcmp(std, std2, sizeof std), 0);
  CU_ASSERT(ld.step == 3 && ld.epoch == 1 && ld.rng_seed == 42 && ld.rng_counter == 7);

  /* another model type, other hyper-parameters, other shapes: one clear error each */
  fc_checkpoint other = ld;
  other.model_type = "fno2d";
  FC_TEST_FAILS(fc_checkpoint_load(MPI_COMM_WORLD, path, &other), FC_ERR_INPUT);
  fc_hparam hp[2] = {mlp_hparams[0], mlp_hparams[1]};
  hp[0].value = 32;
  other = ld;
  other.hparams = hp;
  FC_TEST_FAILS(fc_checkpoint_load(MPI_COMM_WORLD, path, &other), FC_ERR_INPUT);
  hp[0].value = 16;
  snprintf(hp[1].text, sizeof hp[1].text, "relu");
  FC_TEST_FAILS(fc_checkpoint_load(MPI_COMM_WORLD, path, &other), FC_ERR_INPUT);
  fc_params wide;
  mlp_layout(&wide, NH + 1);
  other = ld;
  other.params = &wide;
  FC_TEST_FAILS(fc_checkpoint_load(MPI_COMM_WORLD, path, &other), FC_ERR_INPUT);
  fc_params_free(&wide);
  other = ld;
  FC_TEST_FAILS(fc_checkpoint_load(MPI_COMM_WORLD, "/nonexistent/ck.h5", &other), FC_ERR_INPUT);
  fc_params_free(&p);
  fc_params_free(&q);
}

/* A checkpoint written by the 1-rank run of this program loads here (tests/nn_training.cmake
 * runs np1 first). */
static void test_checkpoint_other_rank_count(void)
{
  char path[1024];
  checkpoint_path(path, sizeof path, 1);
  if (fc_test_size() == 1) return; /* this is the run that writes it */
  fc_params p, q;
  float mean[NI], std[NI], mean2[NI], std2[NI];
  trained(&p, mean, std);
  mlp_layout(&q, NH);
  fc_named_array arrays[2] = {{"input_mean", mean2, NI}, {"input_std", std2, NI}};
  fc_checkpoint ld = {"mlp", mlp_hparams, 2, &q, 1, "adamw", 0, 0, 0, 0, arrays, 2};
  FC_TEST_OK(fc_checkpoint_load(MPI_COMM_WORLD, path, &ld));
  CU_ASSERT_EQUAL(memcmp(p.data, q.data, sizeof(float) * p.n), 0);
  CU_ASSERT_EQUAL(memcmp(mean, mean2, sizeof mean), 0);
  fc_params_free(&p);
  fc_params_free(&q);
}

static void test_seeded_init(void)
{
  fc_params p;
  mlp_layout(&p, NH);
  FC_TEST_OK(fc_params_init_uniform(&p, "fc1.weight", 1234, 1 / sqrt(NI)));
  FC_TEST_OK(fc_params_init_normal(&p, "fc2.weight", 1234, 0.02));
  const fc_tensor_info *t = fc_params_find(&p, "fc1.weight");
  double mean = 0, lo = 1, hi = -1;
  for (long i = 0; i < t->size; i++) {
    float v = p.data[t->offset + i];
    mean += v / t->size;
    lo = fmin(lo, v);
    hi = fmax(hi, v);
  }
  CU_ASSERT(lo >= -1 / sqrt(NI) && hi <= 1 / sqrt(NI) && fabs(mean) < 0.2);
  float *mx = malloc(sizeof(float) * p.n), *mn = malloc(sizeof(float) * p.n);
  MPI_Allreduce(p.data, mx, (int)p.n, MPI_FLOAT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Allreduce(p.data, mn, (int)p.n, MPI_FLOAT, MPI_MIN, MPI_COMM_WORLD);
  CU_ASSERT_EQUAL(memcmp(mx, mn, sizeof(float) * p.n), 0);
  free(mx);
  free(mn);
  fc_params_free(&p);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"ten AdamW steps match PyTorch", test_adamw_matches_torch},
                                       {"data-parallel equals one process", test_data_parallel},
                                       {"checkpoint round trip and mismatches", test_checkpoint},
                                       {"checkpoint from another rank count", test_checkpoint_other_rank_count},
                                       {"seeded initialisation on every rank", test_seeded_init},
                                       {NULL, NULL}};
  fc_test_add_suite("nn_training", tests);
}

/* Optimizers, schedules, clipping and losses against PyTorch (tests/data/optim_reference.h5,
 * written by tools/optim_reference.py with torch 1.13), plus finite-difference checks of the
 * loss gradients and the documented edge cases (NaN for zero denominators, sign(0) = 0).
 *
 * Tolerances (relative error |a - b| / |b|):
 *  - Adam/AdamW parameters and moments after each of 10 steps: bit-exact (IEEE float32
 *    without FMA contraction, as torch's portable kernels; double hyper-parameters and lr);
 *  - schedule lrs: 1e-12 (double);
 *  - clipping: returned norm and clipped gradients 1e-6 (torch sums in float32);
 *  - losses and their gradients against torch autograd: 1e-5;
 *  - finite differences: 1e-3 of the largest gradient component (the loss is a float32).
 * Each check prints the largest error it saw. */
#include <float.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fc_loss.h"
#include "fc_optim.h"
#include "fc_test.h"

#define NPARAM 37
#define NSTEPS 10

/* ---- reading the reference file ------------------------------------------------------- */

static hid_t open_ref(void)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/optim_reference.h5", fc_test_datadir());
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) printf("\ncannot open %s (written by tools/optim_reference.py)\n", path);
  CU_ASSERT_FATAL(f >= 0);
  return f;
}

/* Reads dataset `path` of exactly n values, converted to memtype; 0 on success. */
static int read_ds(hid_t f, const char *path, hid_t memtype, void *buf, hssize_t n)
{
  hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
  if (d < 0) return printf("\nmissing dataset %s\n", path), -1;
  hid_t s = H5Dget_space(d);
  hssize_t have = H5Sget_simple_extent_npoints(s);
  int rc = have == n ? (H5Dread(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0 ? -1 : 0) : -1;
  if (have != n) printf("\ndataset %s: %lld values, expected %lld\n", path, (long long)have, (long long)n);
  H5Sclose(s);
  H5Dclose(d);
  return rc;
}

/* A numeric attribute of object `obj`, as a double (NaN and a failed assertion if absent). */
static double read_attr(hid_t f, const char *obj, const char *name)
{
  double v = NAN;
  hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
  CU_ASSERT(a >= 0);
  if (a < 0) return printf("\nmissing attribute %s of %s\n", name, obj), NAN;
  CU_ASSERT(H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0);
  H5Aclose(a);
  return v;
}

static void read_floats(hid_t f, const char *group, const char *name, float *buf, long n)
{
  char path[256];
  snprintf(path, sizeof path, "%s/%s", group, name);
  CU_ASSERT_FATAL(read_ds(f, path, H5T_NATIVE_FLOAT, buf, n) == 0);
}

static double rel_err(double a, double b)
{
  double d = fabs(a - b);
  return d == 0 ? 0 : d / fmax(fabs(b), DBL_MIN);
}

/* Largest relative error of a[n] against b[n]; counts the values that differ in any bit. */
static double max_rel_err(const float *a, const float *b, long n, long *differ)
{
  double m = 0;
  for (long i = 0; i < n; i++) {
    m = fmax(m, rel_err(a[i], b[i]));
    if (differ && memcmp(&a[i], &b[i], sizeof(float)) != 0) (*differ)++;
  }
  return m;
}

/* ---- Adam / AdamW --------------------------------------------------------------------- */

/* Runs 10 steps from the reference's p0 with its gradients and lrs; compares the parameters
 * and both moments after every step. */
static void check_adam_case(hid_t f, const char *name)
{
  char grp[128];
  snprintf(grp, sizeof grp, "/adam/%s", name);
  static float p[NPARAM], m[NPARAM], v[NPARAM], grads[NSTEPS][NPARAM], ref[NSTEPS][NPARAM], rm[NSTEPS][NPARAM],
      rv[NSTEPS][NPARAM];
  double lr[NSTEPS];
  read_floats(f, grp, "p0", p, NPARAM);
  read_floats(f, grp, "grads", &grads[0][0], NSTEPS * NPARAM);
  read_floats(f, grp, "params", &ref[0][0], NSTEPS * NPARAM);
  read_floats(f, grp, "exp_avg", &rm[0][0], NSTEPS * NPARAM);
  read_floats(f, grp, "exp_avg_sq", &rv[0][0], NSTEPS * NPARAM);
  char path[160];
  snprintf(path, sizeof path, "%s/lr", grp);
  CU_ASSERT_FATAL(read_ds(f, path, H5T_NATIVE_DOUBLE, lr, NSTEPS) == 0);
  /* implicit conversions: the hyperparameters and lr take fc_optim.h's types */
  fc_adam_config c = {.beta1 = read_attr(f, grp, "beta1"),
                      .beta2 = read_attr(f, grp, "beta2"),
                      .eps = read_attr(f, grp, "eps"),
                      .weight_decay = read_attr(f, grp, "weight_decay"),
                      .decoupled = (int)read_attr(f, grp, "decoupled")};
  memset(m, 0, sizeof m);
  memset(v, 0, sizeof v);
  double worst = 0, worst_mv = 0;
  long differ = 0, differ_mv = 0;
  for (int t = 0; t < NSTEPS; t++) {
    fc_adam_step(p, grads[t], m, v, NPARAM, &c, t + 1, lr[t]);
    worst = fmax(worst, max_rel_err(p, ref[t], NPARAM, &differ));
    worst_mv = fmax(worst_mv, max_rel_err(m, rm[t], NPARAM, &differ_mv));
    worst_mv = fmax(worst_mv, max_rel_err(v, rv[t], NPARAM, &differ_mv));
  }
  printf("\n    adam %-21s params: max rel err %.3g, %ld of %d not bit-exact; moments: %.3g, %ld of %d", name,
         worst, differ, NSTEPS * NPARAM, worst_mv, differ_mv, 2 * NSTEPS * NPARAM);
  CU_ASSERT(worst <= 1e-6);
  CU_ASSERT(worst_mv <= 1e-6);
  CU_ASSERT_EQUAL(differ + differ_mv, 0); /* bit for bit */
}

static void test_adam(void)
{
  hid_t f = open_ref();
  check_adam_case(f, "adam");
  check_adam_case(f, "adam_wd");
  check_adam_case(f, "adamw");
  check_adam_case(f, "adam_torch_defaults"); /* double betas, eps and lr, as torch's */
  check_adam_case(f, "adamw_torch_defaults");
  H5Fclose(f);
  printf("\n  ");
}

/* ---- schedules ------------------------------------------------------------------------ */

static double check_schedule(hid_t f, const char *name, const fc_schedule *s, long nsteps)
{
  char path[128];
  double lr[64], worst = 0;
  snprintf(path, sizeof path, "/schedule/%s/lr", name);
  CU_ASSERT_FATAL(nsteps <= 64 && read_ds(f, path, H5T_NATIVE_DOUBLE, lr, nsteps) == 0);
  for (long t = 0; t < nsteps; t++) worst = fmax(worst, rel_err(fc_schedule_lr(s, t), lr[t]));
  printf("\n    schedule %-9s max rel err %.3g over t = 0..%ld", name, worst, nsteps - 1);
  CU_ASSERT(worst <= 1e-12);
  return worst;
}

static void test_schedules(void)
{
  hid_t f = open_ref();
  fc_schedule st = {.kind = FC_SCHED_STEP, .base_lr = read_attr(f, "/schedule/step", "base_lr"),
                    .step_size = (long)read_attr(f, "/schedule/step", "step_size"),
                    .gamma = read_attr(f, "/schedule/step", "gamma")};
  check_schedule(f, "step", &st, 12);
  fc_schedule co = {.kind = FC_SCHED_COSINE, .base_lr = read_attr(f, "/schedule/cosine", "base_lr"),
                    .t_max = (long)read_attr(f, "/schedule/cosine", "t_max"),
                    .eta_min = read_attr(f, "/schedule/cosine", "eta_min")};
  check_schedule(f, "cosine", &co, 17);
  const char *oc = "/schedule/onecycle";
  fc_schedule one = {.kind = FC_SCHED_ONECYCLE, .max_lr = read_attr(f, oc, "max_lr"),
                     .total_steps = (long)read_attr(f, oc, "total_steps"),
                     .pct_start = read_attr(f, oc, "pct_start"),
                     .div_factor = read_attr(f, oc, "div_factor"),
                     .final_div_factor = read_attr(f, oc, "final_div_factor")};
  check_schedule(f, "onecycle", &one, 21);
  H5Fclose(f);
  printf("\n  ");

  /* constant; invalid input gives NaN (torch raises for t > total_steps) */
  fc_schedule k = {.kind = FC_SCHED_CONSTANT, .base_lr = 3e-4};
  CU_ASSERT_EQUAL(fc_schedule_lr(&k, 1000), 3e-4);
  CU_ASSERT(isnan(fc_schedule_lr(&k, -1)));
  CU_ASSERT(isnan(fc_schedule_lr(&one, 21)));
  CU_ASSERT_EQUAL(fc_schedule_lr(&one, 5), one.max_lr); /* end of phase 1 at 0.3 * 20 - 1 */
  st.step_size = 0;
  CU_ASSERT(isnan(fc_schedule_lr(&st, 3)));
  co.t_max = 0;
  CU_ASSERT(isnan(fc_schedule_lr(&co, 3)));
}

/* ---- clipping ------------------------------------------------------------------------- */

static void check_clip_case(hid_t f, const char *name, int clipped)
{
  char grp[64];
  snprintf(grp, sizeof grp, "/clip/%s", name);
  float g[NPARAM], in[NPARAM], ref[NPARAM];
  read_floats(f, grp, "grads_in", g, NPARAM);
  read_floats(f, grp, "grads_out", ref, NPARAM);
  memcpy(in, g, sizeof g);
  double max_norm = read_attr(f, grp, "max_norm"), ref_norm = read_attr(f, grp, "norm");
  double norm = fc_clip_grad_norm(g, NPARAM, max_norm);
  long differ = 0;
  double eg = max_rel_err(g, ref, NPARAM, &differ), en = rel_err(norm, ref_norm);
  printf("\n    clip %-9s norm rel err %.3g, grads max rel err %.3g (%ld not bit-exact)", name, en, eg, differ);
  CU_ASSERT(en <= 1e-6);
  CU_ASSERT(eg <= 1e-6);
  CU_ASSERT_EQUAL(clipped, norm > max_norm);
  if (!clipped) CU_ASSERT_EQUAL(memcmp(g, in, sizeof g), 0); /* untouched below max_norm */
}

static void test_clip(void)
{
  hid_t f = open_ref();
  check_clip_case(f, "clipped", 1);
  check_clip_case(f, "unclipped", 0);
  H5Fclose(f);
  printf("\n  ");
  /* after clipping, the norm is max_norm (to 1e-6 absolute, from torch's + 1e-6) */
  float g[3] = {3, 4, 12};
  CU_ASSERT_DOUBLE_EQUAL(fc_clip_grad_norm(g, 3, 2.0), 13.0, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(fc_clip_grad_norm(g, 3, 100.0), 2.0, 1e-6);
  CU_ASSERT_EQUAL(fc_clip_grad_norm(g, 0, 1.0), 0.0); /* no gradients: norm 0 */
}

/* ---- losses against torch ------------------------------------------------------------- */

enum { LOSS_MSE, LOSS_L2, LOSS_L1 };

static void check_loss(hid_t f, int kind, const char *name, int B, long N, int C)
{
  char grp[64];
  snprintf(grp, sizeof grp, "/loss/%s", name);
  const long n = (long)B * N * C;
  float yh[512], y[512], ref[512], dyh[512];
  int group[16];
  CU_ASSERT_FATAL(n <= 512 && C <= 16);
  read_floats(f, grp, "yh", yh, n);
  read_floats(f, grp, "y", y, n);
  read_floats(f, grp, "dyh", ref, n);
  double ref_loss = read_attr(f, grp, "loss");
  memset(dyh, 0, sizeof dyh);
  float loss = NAN;
  if (kind == LOSS_MSE) loss = fc_mse_loss(dyh, yh, y, n);
  if (kind == LOSS_L2) loss = fc_rel_l2_loss(dyh, yh, y, B, N);
  if (kind == LOSS_L1) {
    char path[96];
    snprintf(path, sizeof path, "%s/group", grp);
    CU_ASSERT_FATAL(read_ds(f, path, H5T_NATIVE_INT, group, C) == 0);
    loss = fc_rel_l1_group_loss(dyh, yh, y, B, N, C, group, (int)read_attr(f, grp, "ngroups"));
  }
  double el = rel_err(loss, ref_loss), eg = max_rel_err(dyh, ref, n, NULL);
  printf("\n    loss %-13s value rel err %.3g, gradient max rel err %.3g", name, el, eg);
  CU_ASSERT(el <= 1e-5);
  CU_ASSERT(eg <= 1e-5);
  /* without dyh: the same loss; with dyh: accumulated, not overwritten */
  float again = kind == LOSS_MSE  ? fc_mse_loss(NULL, yh, y, n)
                : kind == LOSS_L2 ? fc_rel_l2_loss(NULL, yh, y, B, N)
                                  : fc_rel_l1_group_loss(NULL, yh, y, B, N, C, group, (int)read_attr(f, grp, "ngroups"));
  CU_ASSERT_EQUAL(again, loss);
  float twice[512];
  memcpy(twice, dyh, sizeof twice);
  if (kind == LOSS_MSE) fc_mse_loss(twice, yh, y, n);
  if (kind == LOSS_L2) fc_rel_l2_loss(twice, yh, y, B, N);
  if (kind == LOSS_L1) fc_rel_l1_group_loss(twice, yh, y, B, N, C, group, (int)read_attr(f, grp, "ngroups"));
  for (long i = 0; i < n; i++) CU_ASSERT_EQUAL(twice[i], 2 * dyh[i]);
}

static void test_losses_torch(void)
{
  hid_t f = open_ref();
  check_loss(f, LOSS_MSE, "mse", 1, 50, 1);
  check_loss(f, LOSS_L2, "rel_l2", 3, 20, 1);
  check_loss(f, LOSS_L1, "rel_l1_group", 2, 6, 5);
  H5Fclose(f);
  printf("\n  ");
}

/* ---- finite differences --------------------------------------------------------------- */

/* Deterministic values in [-1, 1) (a 32-bit LCG), as floats with few significant bits so
 * that yh +- h is exact. */
static float lcg(unsigned *s)
{
  *s = *s * 1664525u + 1013904223u;
  return (float)((int)(*s >> 20) - 2048) / 2048.0f;
}

static float eval_loss(int kind, float *dyh, const float *yh, const float *y, int B, long N, int C,
                       const int *group, int ngroups)
{
  if (kind == LOSS_MSE) return fc_mse_loss(dyh, yh, y, (long)B * N * C);
  if (kind == LOSS_L2) return fc_rel_l2_loss(dyh, yh, y, B, N * C);
  return fc_rel_l1_group_loss(dyh, yh, y, B, N, C, group, ngroups);
}

/* Central differences with step h against the analytic gradient; |yh - y| >= 0.25 so that
 * the piecewise-linear |x| has no kink within h. Returns the error relative to max |grad|. */
static double fd_check(int kind, float h, unsigned seed)
{
  enum { B = 2, N = 4, C = 3, n = B * N * C };
  static const int group[C] = {0, 1, 1};
  float yh[n], y[n], g[n] = {0};
  unsigned s = seed;
  for (int i = 0; i < n; i++) {
    y[i] = lcg(&s);
    float d = lcg(&s);
    yh[i] = y[i] + (d < 0 ? d - 0.25f : d + 0.25f);
  }
  eval_loss(kind, g, yh, y, B, N, C, group, 2);
  double gmax = 0, worst = 0;
  for (int i = 0; i < n; i++) gmax = fmax(gmax, fabs(g[i]));
  for (int i = 0; i < n; i++) {
    float keep = yh[i];
    yh[i] = keep + h;
    double lp = eval_loss(kind, NULL, yh, y, B, N, C, group, 2), xp = yh[i];
    yh[i] = keep - h;
    double lm = eval_loss(kind, NULL, yh, y, B, N, C, group, 2), xm = yh[i];
    yh[i] = keep;
    worst = fmax(worst, fabs((lp - lm) / (xp - xm) - g[i]) / gmax);
  }
  return worst;
}

static void test_losses_fd(void)
{
  static const char *names[] = {"mse", "rel_l2", "rel_l1_group"};
  static const float steps[] = {0x1p-4f, 0x1p-6f, 0x1p-5f};
  for (int kind = LOSS_MSE; kind <= LOSS_L1; kind++) {
    double worst = fmax(fd_check(kind, steps[kind], 12345u), fd_check(kind, steps[kind], 777u));
    printf("\n    fd %-13s max err / max|grad| %.3g", names[kind], worst);
    CU_ASSERT(worst <= 1e-3);
  }
  printf("\n  ");
}

/* ---- edge cases ----------------------------------------------------------------------- */

static void test_loss_edges(void)
{
  /* relative L2: a sample with y = 0 gives NaN loss and NaN gradient for that sample only */
  float y[6] = {1, 2, 2, 0, 0, 0}, yh[6] = {1, 2, 2, 1, 0, 0}, d[6] = {0};
  CU_ASSERT(isnan(fc_rel_l2_loss(d, yh, y, 2, 3)));
  for (int i = 0; i < 3; i++) CU_ASSERT_EQUAL(d[i], 0.0f); /* yh_0 = y_0: zero subgradient */
  for (int i = 3; i < 6; i++) CU_ASSERT(isnan(d[i]));
  CU_ASSERT_EQUAL(fc_rel_l2_loss(NULL, yh, y, 1, 3), 0.0f);
  float yh2[3] = {2, 2, 2}; /* ||d|| = 1, ||y|| = 3 */
  CU_ASSERT_DOUBLE_EQUAL(fc_rel_l2_loss(NULL, yh2, y, 1, 3), 1.0 / 3.0, 1e-7);

  /* relative L1: sign(0) = 0; an all-zero group gives NaN for that group's values only */
  int group[2] = {0, 1};
  float ya[4] = {1, 0, -2, 0}, yb[4] = {1, 1, -1, 0}, g[4] = {0};
  CU_ASSERT(isnan(fc_rel_l1_group_loss(g, yb, ya, 1, 2, 2, group, 2)));
  CU_ASSERT_EQUAL(g[0], 0.0f); /* yh = y: sign(0) = 0 */
  CU_ASSERT_DOUBLE_EQUAL(g[2], 1.0 / (2 * 3.0), 1e-7); /* sign(1) / (B ngroups sum|y|) */
  CU_ASSERT(isnan(g[1]) && isnan(g[3]));
  int one[2] = {0, 0};
  float g1[4] = {0};
  CU_ASSERT_DOUBLE_EQUAL(fc_rel_l1_group_loss(g1, yb, ya, 1, 2, 2, one, 1), 2.0 / 3.0, 1e-7);
  CU_ASSERT_EQUAL(g1[0], 0.0f);
  CU_ASSERT_DOUBLE_EQUAL(g1[1], 1.0 / 3.0, 1e-7);
  int bad[2] = {0, 2}; /* group index out of range */
  float gb[4] = {0};
  CU_ASSERT(isnan(fc_rel_l1_group_loss(gb, yb, ya, 1, 2, 2, bad, 2)));
  for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(gb[i], 0.0f);

  /* MSE: a simple value and gradient */
  float a[2] = {1, 3}, b[2] = {0, 1}, da[2] = {0};
  CU_ASSERT_EQUAL(fc_mse_loss(da, a, b, 2), 2.5f);
  CU_ASSERT_EQUAL(da[0], 1.0f);
  CU_ASSERT_EQUAL(da[1], 2.0f);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"Adam/AdamW against torch, 10 steps", test_adam},
                                       {"lr schedules against torch", test_schedules},
                                       {"gradient-norm clipping against torch", test_clip},
                                       {"losses and gradients against torch autograd", test_losses_torch},
                                       {"loss gradients by finite differences", test_losses_fd},
                                       {"loss edge cases: zero denominators, sign(0)", test_loss_edges},
                                       {NULL, NULL}};
  fc_test_add_suite("nn_optim", tests);
}

/* The IFactFormer model (src/models/fc_ifactformer.h) against PyTorch.
 *
 * tests/data/ifactformer_reference.h5, written by tools/ifactformer_reference.py from
 * tools/ifactformer_torch.py (float64 autograd on float32 values, rounded to float32 once),
 * holds one group per variant (m, o) with the configuration, the coordinates, params/NAME in
 * the model's names and shapes, x, y, a fixed dy, dx and grads/NAME. The model is built
 * from the attributes, the parameters copied in by name, and the forward and backward
 * compared array by array with max |flowcast - torch| <= TOL max |torch|. A second backward
 * into the same buffers checks accumulation (halved, must match again). Then a few
 * parameter gradients are checked by central differences of L = sum(y dy) in the float32
 * model (loss summed in double). The worst errors are printed.
 * Regenerate: python3 tools/ifactformer_reference.py tests/data/ifactformer_reference.h5
 * (a python3 with torch and h5py, e.g. Debian's /usr/bin/python3.11). */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fc_ifactformer.h"
#include "fc_ref.h"
#include "fc_test.h"

#define TOL 1e-4
#define FD_TOL 2e-2
#define REF_FILE "ifactformer_reference.h5"

static double worst_all = 0;
static char worst_where[256] = "-";

static void compare(const char *gname, const char *what, const float *c, const float *ref, long n, double scale,
                    double *worst)
{
  double err = 0, mref = 0;
  long at = 0;
  for (long i = 0; i < n; i++) {
    double e = fabs(scale * (double)c[i] - (double)ref[i]);
    if (!(e <= err)) {
      err = isnan(e) ? INFINITY : e;
      at = i;
    }
    mref = fmax(mref, fabs((double)ref[i]));
  }
  double rel = mref > 0 ? err / mref : err;
  if (!(rel <= *worst)) *worst = rel;
  if (!(rel <= worst_all)) {
    worst_all = rel;
    snprintf(worst_where, sizeof worst_where, "%s/%s", gname, what);
  }
  if (!(rel <= TOL))
    printf("\n  MISMATCH %s/%s: max err %.4g at [%ld] (flowcast %.8g, torch %.8g), max|torch| %.4g, rel %.3g", gname,
           what, err, at, n ? scale * c[at] : 0.0, n ? ref[at] : 0.0, mref, rel);
  CU_ASSERT(rel <= TOL);
}

typedef struct {
  fc_ifactformer_config cfg;
  int B, dims[3];
  long nx;
} case_info;

static int read_case(hid_t g, const char *gname, case_info *ci)
{
  char variant[8];
  memset(ci, 0, sizeof *ci);
  ci->cfg.C = fc_ref_attr_int(g, "C");
  ci->cfg.H = fc_ref_attr_int(g, "H");
  ci->cfg.Dv = fc_ref_attr_int(g, "Dv");
  ci->cfg.mult = fc_ref_attr_int(g, "mult");
  ci->cfg.L = fc_ref_attr_int(g, "L");
  ci->cfg.lift_width = fc_ref_attr_int(g, "lift_width");
  ci->cfg.freq_scale = (float)fc_ref_attr_double(g, "freq_scale");
  fc_ref_attr_string(g, "variant", variant, sizeof variant);
  ci->cfg.variant = !strcmp(variant, "o") ? FC_IFACT_CHAINED : FC_IFACT_PARALLEL;
  ci->B = fc_ref_attr_int(g, "B");
  if (!fc_ref_attr_ints(g, "dims", ci->dims, 3)) {
    printf("\n  %s: no dims", gname);
    return 0;
  }
  ci->nx = (long)ci->B * ci->dims[0] * ci->dims[1] * ci->dims[2] * 3;
  return 1;
}

static double loss(fc_ifactformer *m, float *y, const float *x, const float *dy, long n)
{
  FC_TEST_OK(fc_ifactformer_forward(m, y, x));
  double s = 0;
  for (long i = 0; i < n; i++) s += (double)y[i] * dy[i];
  return s;
}

static void run_variant(const char *gname)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", fc_test_datadir(), REF_FILE);
  if (access(path, R_OK) != 0) {
    printf("\n  MISSING %s (regenerate with tools/ifactformer_reference.py)", path);
    CU_FAIL_FATAL("reference file missing");
  }
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  CU_ASSERT_FATAL(f >= 0);
  hid_t g = H5Gopen2(f, gname, H5P_DEFAULT);
  CU_ASSERT_FATAL(g >= 0);
  case_info ci;
  CU_ASSERT_FATAL(read_case(g, gname, &ci));
  fc_ifactformer *m = NULL;
  FC_TEST_OK(fc_ifactformer_create(&ci.cfg, &m));
  CU_ASSERT_STRING_EQUAL(fc_ifactformer_type(m), ci.cfg.variant == FC_IFACT_CHAINED ? "ifactformer_o" : "ifactformer_m");
  fc_params *p = fc_ifactformer_params(m);
  /* parameters by name; the file holds exactly the model's tensors */
  hid_t gp = H5Gopen2(g, "params", H5P_DEFAULT), gg = H5Gopen2(g, "grads", H5P_DEFAULT);
  CU_ASSERT_FATAL(gp >= 0 && gg >= 0);
  H5G_info_t info;
  CU_ASSERT(H5Gget_info(gp, &info) >= 0 && (int)info.nlinks == p->ntensors);
  char where[300];
  float **gref = calloc((size_t)p->ntensors, sizeof(float *));
  for (int i = 0; i < p->ntensors; i++) {
    const fc_tensor_info *t = &p->t[i];
    snprintf(where, sizeof where, "%s/params", gname);
    float *a = fc_ref_read(gp, where, t->name, t->size, t->ndim, t->shape);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    memcpy(p->data + t->offset, a, sizeof(float) * (size_t)t->size);
    free(a);
    snprintf(where, sizeof where, "%s/grads", gname);
    gref[i] = fc_ref_read(gg, where, t->name, t->size, t->ndim, t->shape);
    CU_ASSERT_PTR_NOT_NULL_FATAL(gref[i]);
  }
  H5Gclose(gp);
  H5Gclose(gg);
  float *cx = fc_ref_read(g, gname, "cx", ci.dims[0], 0, NULL), *cy = fc_ref_read(g, gname, "cy", ci.dims[1], 0, NULL),
        *cz = fc_ref_read(g, gname, "cz", ci.dims[2], 0, NULL);
  float *x = fc_ref_read(g, gname, "x", ci.nx, 0, NULL), *y = fc_ref_read(g, gname, "y", ci.nx, 0, NULL),
        *dy = fc_ref_read(g, gname, "dy", ci.nx, 0, NULL), *dxr = fc_ref_read(g, gname, "dx", ci.nx, 0, NULL);
  CU_ASSERT_FATAL(cx && cy && cz && x && y && dy && dxr);
  FC_TEST_OK(fc_ifactformer_setup(m, ci.B, ci.dims, cx, cy, cz));
  float *yc = calloc((size_t)ci.nx, sizeof(float)), *dx = calloc((size_t)ci.nx, sizeof(float));
  fc_params_zero_grad(p);
  double wy = 0, wdx = 0, wg = 0;
  for (int round = 1; round <= 2; round++) {
    const double s = 1.0 / round;
    FC_TEST_OK(fc_ifactformer_forward(m, yc, x));
    compare(gname, "y", yc, y, ci.nx, 1.0, &wy);
    FC_TEST_OK(fc_ifactformer_backward(m, dx, dy));
    compare(gname, round == 1 ? "dx" : "dx (twice, halved)", dx, dxr, ci.nx, s, &wdx);
    for (int i = 0; i < p->ntensors; i++) {
      char label[200];
      snprintf(label, sizeof label, "d %s%s", p->t[i].name, round == 2 ? " (twice, halved)" : "");
      compare(gname, label, p->grad + p->t[i].offset, gref[i], p->t[i].size, s, &wg);
    }
  }
  printf("\n    [%s: %s, %ld parameters, %ld workspace floats; worst relative error: y %.3g, dx %.3g, parameter"
         " gradients %.3g; tol %.0e]",
         gname, fc_ifactformer_type(m), fc_params_count(p, 1),
         fc_ifactformer_workspace_floats(fc_ifactformer_get_config(m), ci.B, ci.dims), wy, wdx, wg, TOL);
  /* central differences of a few entries (the analytic gradient is the halved sum) */
  const char *names[] = {"block.x.to_q.weight", "block.y.gate.weight", "block.z.pool.weight", "block.norm.weight",
                         "block.to_out1.weight", "lift.weight", "pe.linear.bias", "proj1.weight"};
  double wfd = 0;
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
    const fc_tensor_info *t = fc_params_find(p, names[k]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    double gmax = 0; /* the tensor's gradient scale: entries near zero are compared against it */
    for (long j = 0; j < t->size; j++) gmax = fmax(gmax, 0.5 * fabs(p->grad[t->offset + j]));
    for (long j = 0; j < 2; j++) {
      const long idx = t->offset + (j * 7 + 3) % t->size;
      const float w0 = p->data[idx];
      const float hstep = 1e-2f * fmaxf(1.0f, fabsf(w0));
      p->data[idx] = w0 + hstep;
      const double lp = loss(m, yc, x, dy, ci.nx);
      p->data[idx] = w0 - hstep;
      const double lm = loss(m, yc, x, dy, ci.nx);
      p->data[idx] = w0;
      const double fd = (lp - lm) / (2.0 * ((double)(w0 + hstep) - (double)w0));
      const double an = 0.5 * p->grad[idx];
      const double scale = fmax(fabs(an), 0.1 * gmax + 1e-6);
      const double rel = fabs(fd - an) / scale;
      if (rel > wfd) wfd = rel;
      if (!(rel <= FD_TOL))
        printf("\n  FD MISMATCH %s/%s[%ld]: central difference %.6g, backward %.6g", gname, names[k],
               idx - t->offset, fd, an);
      CU_ASSERT(rel <= FD_TOL);
    }
  }
  printf("\n    [%s: central differences of %d entries, worst relative error %.3g; tol %.0e]", gname,
         (int)(2 * sizeof names / sizeof names[0]), wfd, FD_TOL);
  for (int i = 0; i < p->ntensors; i++) free(gref[i]);
  free(gref), free(cx), free(cy), free(cz), free(x), free(y), free(dy), free(dxr), free(yc), free(dx);
  fc_ifactformer_destroy(&m);
  CU_ASSERT_PTR_NULL(m);
  H5Gclose(g);
  H5Fclose(f);
}

static void test_m(void) { run_variant("m"); }
static void test_o(void) { run_variant("o"); }

static void test_config_errors(void)
{
  fc_ifactformer *m = NULL;
  fc_ifactformer_config c = {12, 2, 4, 1, 2, FC_IFACT_PARALLEL, 0, 64.0f};
  FC_TEST_OK(fc_ifactformer_create(&c, &m));
  FC_TEST_OK(fc_ifactformer_init(m, 7));
  CU_ASSERT_EQUAL(fc_params_get(fc_ifactformer_params(m), "block.norm.weight")[0], 1.0f);
  fc_ifactformer_destroy(&m);
  fc_ifactformer_config bad = c;
  bad.C = 7;
  FC_TEST_FAILS(fc_ifactformer_create(&bad, &m), FC_ERR_INPUT);
  bad = c;
  bad.lift_width = 4;
  FC_TEST_FAILS(fc_ifactformer_create(&bad, &m), FC_ERR_INPUT);
  printf("\n    [worst relative error over both variants: %.3g at %s]", worst_all, worst_where);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"IFactFormer-m (parallel): forward, backward, central differences", test_m},
                                       {"IFactFormer-o (chained): forward, backward, central differences", test_o},
                                       {"configuration checks, init", test_config_errors},
                                       {NULL, NULL}};
  fc_test_add_suite("ifactformer (PyTorch)", tests);
}

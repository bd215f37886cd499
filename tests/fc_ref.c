/* Readers of the reference files under tests/data (written by the tools/..._reference.py scripts),
 * shared by the reference tests: datasets checked against the sizes the test expects, and
 * the attributes that describe each case. A mismatch is a failed CUnit assertion with a
 * message naming the group and the dataset. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_ref.h"

float *fc_ref_read(hid_t g, const char *where, const char *name, long expect, int ndim, const long *shape)
{
  if (H5Lexists(g, name, H5P_DEFAULT) <= 0) {
    printf("\n  %s: no dataset %s", where, name);
    CU_FAIL("missing dataset");
    return NULL;
  }
  hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
  hid_t sp = H5Dget_space(d);
  long n = (long)H5Sget_simple_extent_npoints(sp);
  int nd = H5Sget_simple_extent_ndims(sp), same = 1;
  hsize_t dims[H5S_MAX_RANK];
  H5Sget_simple_extent_dims(sp, dims, NULL);
  H5Sclose(sp);
  if (shape) {
    same = nd == ndim;
    for (int a = 0; same && a < nd; a++) same = dims[a] == (hsize_t)shape[a];
  }
  float *a = NULL;
  if (n != expect || !same) {
    printf("\n  %s/%s: %ld values in %d dimension(s), flowcast expects %ld in %d", where, name, n, nd, expect,
           shape ? ndim : nd);
    CU_FAIL("dataset size or shape does not match the model");
  } else {
    a = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    if (H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, a) < 0) {
      CU_FAIL("cannot read dataset");
      free(a);
      a = NULL;
    }
  }
  H5Dclose(d);
  return a;
}

int fc_ref_attr_ints(hid_t g, const char *name, int *v, int count)
{
  if (H5Aexists(g, name) <= 0) return 0;
  hid_t a = H5Aopen(g, name, H5P_DEFAULT);
  hid_t sp = H5Aget_space(a);
  long n = (long)H5Sget_simple_extent_npoints(sp);
  H5Sclose(sp);
  int ok = n == count && H5Aread(a, H5T_NATIVE_INT, v) >= 0;
  H5Aclose(a);
  return ok;
}

int fc_ref_attr_int(hid_t g, const char *name)
{
  int v = -1;
  if (!fc_ref_attr_ints(g, name, &v, 1)) {
    printf("\n  missing integer attribute %s", name);
    CU_FAIL("missing attribute");
  }
  return v;
}

/* A fixed-length string attribute into buf ("" when absent). */
void fc_ref_attr_string(hid_t g, const char *name, char *buf, size_t size)
{
  buf[0] = 0;
  if (H5Aexists(g, name) <= 0) return;
  hid_t a = H5Aopen(g, name, H5P_DEFAULT);
  hid_t ft = H5Aget_type(a);
  size_t len = H5Tget_size(ft);
  if (H5Tget_class(ft) == H5T_STRING && !H5Tis_variable_str(ft) && len + 1 < size) {
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, len + 1);
    if (H5Aread(a, mt, buf) >= 0) buf[len] = 0;
    else buf[0] = 0;
    H5Tclose(mt);
  }
  H5Tclose(ft);
  H5Aclose(a);
}

double fc_ref_attr_double(hid_t g, const char *name)
{
  double v = NAN;
  if (H5Aexists(g, name) > 0) {
    hid_t a = H5Aopen(g, name, H5P_DEFAULT);
    if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0) v = NAN;
    H5Aclose(a);
  }
  if (isnan(v)) CU_FAIL("missing attribute");
  return v;
}

void fc_ref_compare(fc_ref_stats *st, const char *gname, const char *what, const float *c, const float *ref, long n)
{
  if (!c || !ref) return;
  double err = 0, mref = 0;
  long at = 0;
  for (long i = 0; i < n; i++) {
    double e = fabs((double)c[i] - (double)ref[i]);
    if (!(e <= err)) { /* NaN counts as the worst */
      err = isnan(e) ? INFINITY : e;
      at = i;
    }
    mref = fmax(mref, fabs((double)ref[i]));
  }
  double rel = mref > 0 ? err / mref : err;
  if (!(rel <= st->worst) || st->worst < 0) {
    st->worst = rel;
    snprintf(st->where, sizeof st->where, "%s/%s", gname, what);
  }
  if (!(rel <= st->tol))
    printf("\n  MISMATCH %s/%s: max|flowcast - torch| = %.4g at [%ld] (flowcast %.8g, torch %.8g), max|torch| = %.4g,"
           " relative %.3g > tol %.1g",
           gname, what, err, at, n ? c[at] : 0.0, n ? ref[at] : 0.0, mref, rel, st->tol);
  CU_ASSERT(rel <= st->tol);
}

void fc_ref_compare_twice(fc_ref_stats *st, const char *gname, const char *what, float *c, const float *ref, long n)
{
  if (!c || !ref) return;
  for (long i = 0; i < n; i++) c[i] *= 0.5f;
  char label[96];
  snprintf(label, sizeof label, "%s (backward twice, halved)", what);
  fc_ref_compare(st, gname, label, c, ref, n);
}

/* calls visit(g, gname, layer-attribute, ctx) for every group of f */
static void for_each_group(hid_t f, void (*visit)(hid_t, const char *, const char *, void *), void *ctx)
{
  H5G_info_t info;
  CU_ASSERT_FATAL(H5Gget_info(f, &info) >= 0);
  CU_ASSERT(info.nlinks > 0);
  for (hsize_t i = 0; i < info.nlinks; i++) {
    char gname[256], lname[64];
    CU_ASSERT_FATAL(H5Lget_name_by_idx(f, ".", H5_INDEX_NAME, H5_ITER_INC, i, gname, sizeof gname, H5P_DEFAULT) >= 0);
    hid_t g = H5Gopen2(f, gname, H5P_DEFAULT);
    CU_ASSERT_FATAL(g >= 0);
    fc_ref_attr_string(g, "layer", lname, sizeof lname);
    visit(g, gname, lname, ctx);
    H5Gclose(g);
  }
}

typedef struct {
  fc_ref_stats *st;
  fc_ref_group_fn fn;
} run_ctx;

static void run_visit(hid_t g, const char *gname, const char *lname, void *ctx)
{
  run_ctx *r = ctx;
  if (strcmp(lname, r->st->layer)) return;
  r->st->groups++;
  r->fn(g, gname, r->st);
}

void fc_ref_run_layer(hid_t f, const char *path, fc_ref_stats *st, fc_ref_group_fn fn)
{
  run_ctx r = {st, fn};
  for_each_group(f, run_visit, &r);
  if (st->groups == 0) printf("\n  no case of layer %s in %s\n", st->layer, path);
  CU_ASSERT(st->groups > 0);
  printf("\n    [%s: %d case(s), worst relative error %.3g at %s; tol %.0e]", st->layer, st->groups, st->worst,
         st->groups ? st->where : "-", st->tol);
}

typedef struct {
  const fc_ref_layer *layers;
  int n;
} check_ctx;

static void check_visit(hid_t g, const char *gname, const char *lname, void *ctx)
{
  (void)g;
  const check_ctx *k = ctx;
  int known = 0;
  for (int l = 0; l < k->n; l++) known |= !strcmp(lname, k->layers[l].layer);
  if (!known) printf("\n  group %s: unknown layer '%s'\n", gname, lname);
  CU_ASSERT(known);
}

void fc_ref_check_layers(hid_t f, const fc_ref_layer *layers, int nlayers)
{
  check_ctx k = {layers, nlayers};
  for_each_group(f, check_visit, &k);
}

void fc_ref_central_differences(double (*loss)(void *ctx), void *ctx, double *x, long n, double h, double *fd)
{
  for (long i = 0; i < n; i++) {
    double s = x[i];
    x[i] = s + h;
    double lp = loss(ctx);
    x[i] = s - h;
    double lm = loss(ctx);
    x[i] = s;
    fd[i] = (lp - lm) / (2.0 * h);
  }
}

int fc_ref_check_close(const char *what, const float *a, const double *ref, long n, double tol, double floor)
{
  double scale = floor, err = 0;
  long at = 0;
  int nan = 0;
  for (long i = 0; i < n; i++) scale = fmax(scale, fabs(ref[i]));
  for (long i = 0; i < n; i++) {
    double e = fabs(a[i] - ref[i]);
    if (isnan(e)) nan = 1;
    else if (e > err) err = e, at = i;
  }
  int ok = !nan && err <= tol * scale;
  printf("\n    [%s: max error %.3g relative %.3g; tol %.0e]", what, err, err / scale, tol);
  if (!ok) printf(" FAILED at %ld (got %.8g, want %.8g)%s", at, n ? (double)a[at] : 0.0, n ? ref[at] : 0.0,
                  nan ? ", NaN" : "");
  return ok;
}

double fc_ref_uniform(fc_ref_rng *r)
{
  r->s ^= r->s >> 12;
  r->s ^= r->s << 25;
  r->s ^= r->s >> 27;
  return (double)((r->s * 0x2545F4914F6CDD1Dull) >> 11) * 0x1.0p-53;
}

/* Readers of the reference files under tests/data (written by the tools/..._reference.py scripts),
 * shared by the reference tests: datasets checked against the sizes the test expects, and
 * the attributes that describe each case. A mismatch is a failed CUnit assertion with a
 * message naming the group and the dataset. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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

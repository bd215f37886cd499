/* Readers of the PyTorch reference files (tests/data/ files), shared by the reference tests. */
#ifndef FC_REF_H
#define FC_REF_H

#include <CUnit/CUnit.h>
#include <hdf5.h>

/* The float dataset name of group g (where names it in messages) holding exactly expect
 * values, and, when shape is not NULL, the ndim extents shape; NULL (and a failed
 * assertion) otherwise. The caller frees it. */
float *fc_ref_read(hid_t g, const char *where, const char *name, long expect, int ndim, const long *shape);
/* count integers of attribute name into v: 1 on success, 0 if absent or of another size. */
int fc_ref_attr_ints(hid_t g, const char *name, int *v, int count);
/* An integer or real attribute (a failed assertion, and -1 or NaN, when absent). */
int fc_ref_attr_int(hid_t g, const char *name);
double fc_ref_attr_double(hid_t g, const char *name);
/* A fixed-length string attribute into buf ("" when absent). */
void fc_ref_attr_string(hid_t g, const char *name, char *buf, size_t size);

/* Comparison against a reference array, for the reference tests: the worst relative error
 * max|c - ref| / max|ref| over a layer's arrays (and where it was) is kept in the stats; an
 * error above tol (or a NaN) prints the mismatch and fails the assertion. */
typedef struct {
  const char *layer;
  int groups;
  double worst;    /* -1 before the first comparison */
  char where[160]; /* group/array of the worst */
  double tol;
} fc_ref_stats;
void fc_ref_compare(fc_ref_stats *st, const char *gname, const char *what, const float *c, const float *ref, long n);
/* Backward was run a second time into the same buffers: c is halved, then must match again. */
void fc_ref_compare_twice(fc_ref_stats *st, const char *gname, const char *what, float *c, const float *ref, long n);

/* A layer's cases: fn runs one group (a case) of the reference file. */
typedef void (*fc_ref_group_fn)(hid_t g, const char *gname, fc_ref_stats *st);
typedef struct {
  const char *layer;
  fc_ref_group_fn fn;
} fc_ref_layer;
/* Runs every group of file f (path for messages) whose attribute layer is st->layer, counted in
 * st->groups (at least one must exist), then prints the worst error. */
void fc_ref_run_layer(hid_t f, const char *path, fc_ref_stats *st, fc_ref_group_fn fn);
/* Every group of f names a layer of the table: no case is skipped silently. */
void fc_ref_check_layers(hid_t f, const fc_ref_layer *layers, int nlayers);

/* Central differences (step h) of loss(ctx) with respect to each of the n doubles of x (which
 * loss reads through ctx): fd[i] = (loss(x + h e_i) - loss(x - h e_i)) / 2h. x is restored. */
void fc_ref_central_differences(double (*loss)(void *ctx), void *ctx, double *x, long n, double h, double *fd);

/* float values a against double references: max |a - ref| <= tol * max(floor, max |ref|), no
 * NaN; prints the error (and the worst entry on failure); 1 when within. */
int fc_ref_check_close(const char *what, const float *a, const double *ref, long n, double tol, double floor);

/* A seeded xorshift64* generator for test inputs: fc_ref_rng r = {seed}; fc_ref_uniform(&r) in [0, 1). */
typedef struct {
  unsigned long long s;
} fc_ref_rng;
double fc_ref_uniform(fc_ref_rng *r);

#endif

/* The model interface (fc_model.h): the registry, creation from hyper-parameters and from a
 * checkpoint, the same numbers as the family's own API, named tensors resolved at creation,
 * and refusals (an unknown type, a missing hyper-parameter, data a family cannot learn). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_fno.h"
#include "fc_model.h"
#include "fc_test.h"

static void fno_spec(fc_model_spec *s)
{
  const struct {
    const char *name;
    double v;
  } hp[] = {{"implicit", 0}, {"ndim", 2},   {"in_channels", 2}, {"out_channels", 1}, {"width", 6},
            {"proj", 8},     {"modes0", 3}, {"modes1", 3},      {"modes2", 0},       {"layers", 2},
            {"use_grid", 1}, {"norm", 0},   {"zero_dc_nyquist_imag", 0}};
  *s = (fc_model_spec){.type = "fno2d"};
  for (size_t i = 0; i < sizeof hp / sizeof hp[0]; i++) FC_TEST_OK(fc_model_spec_set(s, hp[i].name, hp[i].v));
}

static void ifact_spec(fc_model_spec *s, int ndim)
{
  const struct {
    const char *name;
    double v;
  } hp[] = {{"C", 6},       {"H", 1},        {"Dv", 4},         {"mult", 1},       {"L", 2},
            {"variant", 1}, {"lift_width", 0}, {"freq_scale", 64}, {"ndim", ndim}, {"in_channels", 3},
            {"out_channels", 3}};
  *s = (fc_model_spec){.type = "ifactformer_o"};
  for (size_t i = 0; i < sizeof hp / sizeof hp[0]; i++) FC_TEST_OK(fc_model_spec_set(s, hp[i].name, hp[i].v));
  FC_TEST_OK(fc_model_spec_set_text(s, "coords", "linspace"));
}

static void test_registry(void)
{
  const char *fno[] = {"fno", "ifno", "fno2d", "fno3d", "ifno2d", "ifno3d"};
  for (int i = 0; i < 6; i++) {
    CU_ASSERT_PTR_NOT_NULL_FATAL(fc_model_family(fno[i]));
    CU_ASSERT_STRING_EQUAL(fc_model_family(fno[i])->name, "FNO");
  }
  CU_ASSERT_STRING_EQUAL(fc_model_family("ifactformer_m")->name, "IFactFormer");
  CU_ASSERT_PTR_NULL(fc_model_family("fno4d"));
  CU_ASSERT_PTR_NULL(fc_model_family(""));
  CU_ASSERT_PTR_NULL(fc_model_family("fno,ifno"));
  /* every family's table is complete */
  int n = 0;
  for (const fc_model_ops *f; (f = fc_model_family_at(n)); n++) {
    CU_ASSERT_PTR_NOT_NULL(f->read_case);
    CU_ASSERT_PTR_NOT_NULL(f->create);
    CU_ASSERT_PTR_NOT_NULL(f->destroy);
    CU_ASSERT_PTR_NOT_NULL(f->init);
    CU_ASSERT_PTR_NOT_NULL(f->setup);
    CU_ASSERT_PTR_NOT_NULL(f->forward);
    CU_ASSERT_PTR_NOT_NULL(f->backward);
    CU_ASSERT_PTR_NOT_NULL(f->params);
    CU_ASSERT_PTR_NOT_NULL(f->hparams);
    CU_ASSERT_PTR_NOT_NULL(f->type);
    CU_ASSERT_PTR_NOT_NULL(f->channels);
    CU_ASSERT_PTR_NOT_NULL(f->local_points);
  }
  CU_ASSERT_EQUAL(n, 2);
}

/* The model keys of a case: model_type lists every family's types; a case builds its spec. */
static void test_case_keys(void)
{
  fc_case *c;
  FC_TEST_OK(fc_case_create(MPI_COMM_WORLD, &c));
  FC_TEST_OK(fc_model_declare(c));
  char *args[] = {"-model_type", "ifno", "-model_width", "7", "-model_modes", "5"};
  FC_TEST_OK(fc_case_set_from_args(c, 6, args));
  fc_model_spec s;
  FC_TEST_OK(fc_model_read_case(c, &s));
  CU_ASSERT_STRING_EQUAL(s.type, "ifno");
  double v;
  FC_TEST_OK(fc_model_hparam(s.h, s.n, "implicit", "test", NULL, &v));
  CU_ASSERT_EQUAL(v, 1);
  FC_TEST_OK(fc_model_hparam(s.h, s.n, "width", "test", NULL, &v));
  CU_ASSERT_EQUAL(v, 7);
  FC_TEST_OK(fc_model_hparam(s.h, s.n, "modes1", "test", NULL, &v));
  CU_ASSERT_EQUAL(v, 5);
  FC_TEST_OK(fc_case_check_unknown(c));
  fc_case_destroy(&c);
  /* an unknown type is refused by the key's choices */
  FC_TEST_OK(fc_case_create(MPI_COMM_WORLD, &c));
  FC_TEST_OK(fc_model_declare(c));
  char *bad[] = {"-model_type", "transformer"};
  FC_TEST_OK(fc_case_set_from_args(c, 2, bad));
  FC_TEST_FAILS(fc_model_read_case(c, &s), FC_ERR_INPUT);
  fc_case_destroy(&c);
}

/* fc_model gives the family's own numbers: the same forward and gradients bit for bit. */
static void test_same_as_family(void)
{
  fc_model_spec s;
  fno_spec(&s);
  fc_model *m;
  FC_TEST_OK(fc_model_create(s.type, s.h, s.n, "test", &m));
  FC_TEST_OK(fc_model_init(m, 3));
  fc_fno_config c = {.implicit = 0, .ndim = 2, .in_channels = 2, .out_channels = 1, .width = 6, .proj = 8,
                     .modes = {3, 3, 1}, .layers = 2, .use_grid = 1, .norm = FC_FFT_NORM_BACKWARD};
  fc_fno *f;
  FC_TEST_OK(fc_fno_create(&c, &f));
  FC_TEST_OK(fc_fno_init(f, 3));
  const fc_params *pm = fc_model_params(m), *pf = fc_fno_params(f);
  CU_ASSERT_EQUAL_FATAL(pm->n, pf->n);
  CU_ASSERT_EQUAL(memcmp(pm->data, pf->data, sizeof(float) * (size_t)pm->n), 0);
  CU_ASSERT_STRING_EQUAL(fc_model_type(m), "fno2d");
  int nd, ci, co;
  fc_model_channels(m, &nd, &ci, &co);
  CU_ASSERT(nd == 2 && ci == 2 && co == 1);
  const fc_model_grid g = {.ndim = 2, .n = {8, 10, 1}, .length = {1, 1, 1}, .comm = MPI_COMM_SELF};
  const int B = 2, n[2] = {8, 10};
  const long np = 80;
  FC_TEST_OK(fc_model_setup(m, B, &g));
  FC_TEST_OK(fc_fno_setup(f, B, n, MPI_COMM_SELF));
  CU_ASSERT_EQUAL(fc_model_local_points(m), np);
  float *x = calloc((size_t)(B * np * 2), sizeof(float)), *y = calloc((size_t)(B * np), sizeof(float));
  float *y2 = calloc((size_t)(B * np), sizeof(float));
  for (long i = 0; i < B * np * 2; i++) x[i] = (float)sin(0.37 * (double)i);
  FC_TEST_OK(fc_model_forward(m, y, x));
  FC_TEST_OK(fc_fno_forward(f, y2, x));
  CU_ASSERT_EQUAL(memcmp(y, y2, sizeof(float) * (size_t)(B * np)), 0);
  fc_params_zero_grad(fc_model_params(m));
  fc_params_zero_grad(fc_fno_params(f));
  FC_TEST_OK(fc_model_backward(m, NULL, y));
  FC_TEST_OK(fc_fno_backward(f, NULL, y2));
  CU_ASSERT_EQUAL(memcmp(pm->grad, pf->grad, sizeof(float) * (size_t)pm->n), 0);
  free(x), free(y), free(y2);
  fc_fno_destroy(&f);
  FC_TEST_OK(fc_model_destroy(&m));
  CU_ASSERT_PTR_NULL(m);
}

/* A checkpoint written through fc_model builds the same model with the same weights; the
 * caller's hyper-parameters come back with the model's. */
static void test_checkpoint(void)
{
  fc_model_spec s;
  ifact_spec(&s, 3);
  fc_model *m, *r;
  FC_TEST_OK(fc_model_create(s.type, s.h, s.n, "test", &m));
  FC_TEST_OK(fc_model_init(m, 5));
  char path[4096];
  snprintf(path, sizeof path, "%s/model_checkpoint_np%d.h5", fc_test_tmpdir(), fc_test_size());
  fc_hparam extra[1] = {{.name = "data_window", .value = 1}};
  float mean[3] = {1, 2, 3};
  fc_named_array arrays[1] = {{"field_mean", mean, 3}};
  const fc_model_state st = {.extra = extra, .nextra = 1, .step = 12, .epoch = 2, .arrays = arrays, .narrays = 1};
  FC_TEST_OK(fc_model_save(m, MPI_COMM_WORLD, path, &st));
  fc_model_spec stored;
  FC_TEST_OK(fc_model_create_from_checkpoint(MPI_COMM_WORLD, path, &r, &stored));
  CU_ASSERT_STRING_EQUAL(stored.type, "ifactformer_o");
  double w;
  FC_TEST_OK(fc_model_hparam(stored.h, stored.n, "data_window", "test", NULL, &w));
  CU_ASSERT_EQUAL(w, 1);
  float back[3] = {0, 0, 0};
  fc_named_array got[1] = {{"field_mean", back, 3}};
  fc_model_state ld = {.extra = extra, .nextra = 1, .arrays = got, .narrays = 1};
  FC_TEST_OK(fc_model_load(r, MPI_COMM_WORLD, path, &ld));
  CU_ASSERT_EQUAL(ld.step, 12);
  CU_ASSERT_EQUAL(ld.epoch, 2);
  CU_ASSERT_EQUAL(back[2], 3);
  const fc_params *a = fc_model_params(m), *b = fc_model_params(r);
  CU_ASSERT_EQUAL_FATAL(a->n, b->n);
  CU_ASSERT_EQUAL(memcmp(a->data, b->data, sizeof(float) * (size_t)a->n), 0);
  /* a checkpoint of another model is refused with the hyper-parameter named */
  fc_model_spec other;
  ifact_spec(&other, 3);
  FC_TEST_OK(fc_model_spec_set(&other, "C", 12));
  fc_model *o;
  FC_TEST_OK(fc_model_create(other.type, other.h, other.n, "test", &o));
  fc_model_state lo = {0};
  FC_TEST_FAILS(fc_model_load(o, MPI_COMM_WORLD, path, &lo), FC_ERR_INPUT);
  fc_model_destroy(&o);
  fc_model_destroy(&m);
  fc_model_destroy(&r);
}

static void test_refusals(void)
{
  fc_model_spec s;
  fc_model *m = NULL;
  fno_spec(&s);
  FC_TEST_FAILS(fc_model_create("fno4d", s.h, s.n, "test", &m), FC_ERR_INPUT);
  s.n--; /* zero_dc_nyquist_imag missing */
  FC_TEST_FAILS(fc_model_create(s.type, s.h, s.n, "test", &m), FC_ERR_INPUT);
  ifact_spec(&s, 2); /* IFactFormer learns 3D fields only */
  FC_TEST_FAILS(fc_model_create(s.type, s.h, s.n, "test", &m), FC_ERR_INPUT);
  ifact_spec(&s, 3);
  FC_TEST_OK(fc_model_spec_set_text(&s, "coords", "spherical"));
  FC_TEST_FAILS(fc_model_create(s.type, s.h, s.n, "test", &m), FC_ERR_INPUT);
  CU_ASSERT_PTR_NULL(m);
  /* a tensor name that was never declared is an error naming it, never a NULL pointer */
  fc_params p;
  fc_params_init(&p);
  FC_TEST_OK(fc_params_add(&p, "lift.weight", 2, (long[]){2, 3}, 1, NULL));
  FC_TEST_OK(fc_params_alloc(&p));
  float *w = NULL, *g = NULL;
  FC_TEST_OK(fc_params_resolve(&p, "lift.weight", &w, &g));
  CU_ASSERT(w == p.data && g == p.grad);
  float *u = NULL;
  FC_TEST_FAILS(fc_params_resolve(&p, "lift.wieght", &u, NULL), FC_ERR_INTERNAL);
  CU_ASSERT_PTR_NULL(u);
  fc_params_free(&p);
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {{"registry", test_registry},
                                       {"case keys", test_case_keys},
                                       {"same numbers as the family", test_same_as_family},
                                       {"checkpoint round trip", test_checkpoint},
                                       {"refusals", test_refusals},
                                       {NULL, NULL}};
  fc_test_add_suite("fc_model", tests);
}

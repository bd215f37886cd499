/* IFactFormer-m and -o behind fc_model (fc_model.h): their case keys, hyper-parameters and
 * operations. The model's coordinates per axis are built at setup from the grid with the choice
 * its hyper-parameter 'coords' records (linspace or physical, fc_ifactformer.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_ifactformer.h"
#include "fc_model.h"

static const fc_key ifact_keys[] = {
    {"model_heads", FC_KEY_INT, "2", 1, 256, NULL, "IFactFormer: attention heads H"},
    {"model_value_width", FC_KEY_INT, "32", 1, 4096, NULL, "IFactFormer: value width per head Dv"},
    {"model_kernel_mult", FC_KEY_INT, "1", 1, 64, NULL, "IFactFormer: kernel multiplier (query/key width Dk = mult Dv, even)"},
    {"model_lift_width", FC_KEY_INT, "0", 0, 3 * 4096, NULL, "IFactFormer: channels of the grouped lifting, a multiple of 3 (0: C/2)"},
    {"model_rope_scale", FC_KEY_REAL, "64", 1e-6, 1e6, NULL, "IFactFormer: RoPE frequency scale"},
    {"model_coords", FC_KEY_CHOICE, "linspace", 0, 0, "linspace,physical",
     "IFactFormer coordinates: linspace(0, L, n) with the endpoint per axis (the reference code) or the grid's (stretched) ones"},
};

typedef struct {
  fc_ifactformer *m;
  char coords[16]; /* linspace or physical */
  float *coord[3]; /* per axis, set by setup */
  long points;     /* per sample on this rank */
} ifact_model;

static fc_err read_case(fc_case *c, const char *type, fc_model_spec *s)
{
  long C, L, H, Dv, mult, lift;
  double scale;
  char coords[16];
  FcCall(fc_case_get_int(c, "model_width", &C));
  FcCall(fc_case_get_int(c, "model_layers", &L));
  FcCall(fc_case_get_int(c, "model_heads", &H));
  FcCall(fc_case_get_int(c, "model_value_width", &Dv));
  FcCall(fc_case_get_int(c, "model_kernel_mult", &mult));
  FcCall(fc_case_get_int(c, "model_lift_width", &lift));
  FcCall(fc_case_get_real(c, "model_rope_scale", &scale));
  FcCall(fc_case_get_string(c, "model_coords", coords, sizeof coords));
  const struct {
    const char *name;
    double v;
  } list[] = {{"C", (double)C},
              {"H", (double)H},
              {"Dv", (double)Dv},
              {"mult", (double)mult},
              {"L", (double)L},
              {"variant", !strcmp(type, "ifactformer_o") ? FC_IFACT_CHAINED : FC_IFACT_PARALLEL},
              {"lift_width", (double)lift},
              {"freq_scale", (double)(float)scale}};
  for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) FcCall(fc_model_spec_set(s, list[i].name, list[i].v));
  FcCall(fc_model_spec_set_text(s, "coords", coords));
  return FC_SUCCESS;
}

/* The configuration a list of hyper-parameters describes (fc_ifactformer_hparams' names); the
 * data must be a 3D field of 3 components mapped to the next one. */
static fc_err config_from(const fc_hparam *h, int n, const char *ctx, fc_ifactformer_config *c, char *coords,
                          size_t len)
{
  static const char *const names[] = {"C", "H", "Dv", "mult", "L", "variant", "lift_width", "freq_scale"};
  double v[8], io[3];
  for (int i = 0; i < 8; i++) FcCall(fc_model_hparam(h, n, names[i], ctx, NULL, &v[i]));
  FcCall(fc_model_hparam(h, n, "ndim", ctx, NULL, &io[0]));
  FcCall(fc_model_hparam(h, n, "in_channels", ctx, NULL, &io[1]));
  FcCall(fc_model_hparam(h, n, "out_channels", ctx, NULL, &io[2]));
  FcCall(fc_model_hparam_text(h, n, "coords", ctx, coords, len));
  if (io[0] != 3 || io[1] != 3 || io[2] != 3)
    FcRaise(FC_ERR_INPUT,
            "%s: IFactFormer learns u(t) -> u(t + dt) of a 3D, 3-component field (data_window 1, data_components 3): "
            "got a %gD grid, %g input and %g output channels", ctx, io[0], io[1], io[2]);
  *c = (fc_ifactformer_config){.C = (int)v[0],
                               .H = (int)v[1],
                               .Dv = (int)v[2],
                               .mult = (int)v[3],
                               .L = (int)v[4],
                               .variant = (int)v[5] == 1 ? FC_IFACT_CHAINED : FC_IFACT_PARALLEL,
                               .lift_width = (int)v[6],
                               .freq_scale = (float)v[7]};
  return FC_SUCCESS;
}

static fc_err destroy(void **impl)
{
  ifact_model *w = *impl;
  *impl = NULL;
  if (!w) return FC_SUCCESS;
  fc_err e = fc_ifactformer_destroy(&w->m);
  for (int a = 0; a < 3; a++) free(w->coord[a]);
  free(w);
  return e;
}

static fc_err create(const fc_hparam *h, int n, const char *ctx, void **impl)
{
  fc_ifactformer_config c;
  ifact_model *w;
  FcCall(FcMalloc(1, &w));
  fc_err e = config_from(h, n, ctx, &c, w->coords, sizeof w->coords);
  if (!e && strcmp(w->coords, "linspace") && strcmp(w->coords, "physical"))
    e = fc_error_raise(MPI_COMM_WORLD, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "%s: IFactFormer coordinates '%s': expected linspace or physical", ctx, w->coords);
  if (!e) e = fc_ifactformer_create(&c, &w->m);
  if (e) {
    void *p = w;
    destroy(&p);
    return e;
  }
  *impl = w;
  return FC_SUCCESS;
}

static fc_err init(void *impl, unsigned long long seed) { return fc_ifactformer_init(((ifact_model *)impl)->m, seed); }

/* The whole grid (MPI_COMM_SELF: forward and backward) or x slabs over g->comm (forward). */
static fc_err setup(void *impl, int B, const fc_model_grid *g)
{
  ifact_model *w = impl;
  if (g->ndim != 3) FcRaise(FC_ERR_INPUT, "IFactFormer runs on 3D grids: got a %dD grid", g->ndim);
  for (int a = 0; a < 3; a++) {
    free(w->coord[a]);
    w->coord[a] = NULL;
    FcCall(FcMalloc(g->n[a], &w->coord[a]));
    FcCall(fc_ifactformer_axis_coords(w->coords, g->n[a], g->length[a], g->coord[a], w->coord[a]));
  }
  if (g->comm == MPI_COMM_SELF) {
    FcCall(fc_ifactformer_setup(w->m, B, g->n, w->coord[0], w->coord[1], w->coord[2]));
    w->points = (long)g->n[0] * g->n[1] * g->n[2];
  } else {
    FcCall(fc_ifactformer_setup_slab(w->m, g->comm, B, g->n, g->x0, g->nxl, w->coord[0], w->coord[1], w->coord[2]));
    w->points = (long)g->nxl * g->n[1] * g->n[2];
  }
  return FC_SUCCESS;
}

static fc_err forward(void *impl, float *y, const float *x) { return fc_ifactformer_forward(((ifact_model *)impl)->m, y, x); }
static fc_err backward(void *impl, float *dx, const float *dy)
{
  return fc_ifactformer_backward(((ifact_model *)impl)->m, dx, dy);
}
static fc_params *params(void *impl) { return fc_ifactformer_params(((ifact_model *)impl)->m); }
static const char *type(const void *impl) { return fc_ifactformer_type(((const ifact_model *)impl)->m); }
static long local_points(const void *impl) { return ((const ifact_model *)impl)->points; }

static int hparams(const void *impl, fc_hparam *h, int max)
{
  const ifact_model *w = impl;
  return fc_ifactformer_hparams(w->m, w->coords, h, max);
}

static void channels(const void *impl, int *ndim, int *cin, int *cout)
{
  (void)impl;
  *ndim = 3;
  *cin = 3;
  *cout = 3;
}

const fc_model_ops fc_ifactformer_model_ops = {
    .name = "IFactFormer",
    .types = "ifactformer_m,ifactformer_o",
    .checkpoint_types = "ifactformer_m,ifactformer_o",
    .keys = ifact_keys,
    .nkeys = (int)(sizeof ifact_keys / sizeof ifact_keys[0]),
    .read_case = read_case,
    .create = create,
    .destroy = destroy,
    .init = init,
    .setup = setup,
    .forward = forward,
    .backward = backward,
    .params = params,
    .hparams = hparams,
    .type = type,
    .channels = channels,
    .local_points = local_points,
};

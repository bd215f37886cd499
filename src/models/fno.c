/* FNO and IFNO: forward and backward over the core layers (see fc_fno.h).
 *
 * Saved activations (float, channels last, M = B x local points):
 *   xin [M][cin]      input with the grid coordinates appended (use_grid)
 *   v[l] [M][width]   the state entering Fourier layer / iteration l (l = 0 .. L; v[0] = lift)
 *   pre[l] [M][width] K(v[l]) + W v[l], before the activation
 *   h1 [M][proj], a1 [M][proj]  the first projection, before and after GELU
 * Backward walks the same list in reverse; gradients accumulate into the parameter slab. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_fno.h"

#define FC_FNO_MAX_LAYERS 256

/* Named pointers into a slab (values or gradients), resolved once by fc_fno_create. */
typedef struct {
  float *spectral_weight, *pointwise_weight, *pointwise_bias;
} fno_layer_tensors;
typedef struct {
  float *lift_weight, *lift_bias, *proj1_weight, *proj1_bias, *proj2_weight, *proj2_bias;
  fno_layer_tensors *layer; /* [nspec] */
} fno_tensors;

struct fc_fno {
  fc_fno_config c;
  fc_params p;
  fno_tensors w, g; /* values and gradients */
  char type[16];
  int cin;        /* in_channels + ndim * use_grid */
  int nspec;      /* spectral layers with their own weights: layers (FNO) or 1 (IFNO) */
  /* set by fc_fno_setup */
  int B, n[3];
  long x0, nxl, npts; /* this rank's slab of axis 0 and its points per sample */
  MPI_Comm comm;
  fc_spectral *spec;
  float *xin, *v, *pre, *h1, *a1, *tmp, *dv, *dpre, *dh, *dxin;
};

const char *fc_fno_type(const fc_fno *m) { return m->type; }
const fc_fno_config *fc_fno_get_config(const fc_fno *m) { return &m->c; }
fc_params *fc_fno_params(fc_fno *m) { return &m->p; }
long fc_fno_local_points(const fc_fno *m) { return m->npts; }

/* Parameter names of Fourier layer l (IFNO: the shared one). */
static void layer_name(const fc_fno *m, int l, const char *what, char *buf, size_t len)
{
  if (m->c.implicit) snprintf(buf, len, "layer.%s", what);
  else snprintf(buf, len, "layers.%d.%s", l, what);
}

/* Resolves every tensor's value and gradient pointer (after fc_params_alloc). */
static fc_err resolve_tensors(fc_fno *m)
{
  FcCall(FcMalloc(m->nspec, &m->w.layer));
  FcCall(FcMalloc(m->nspec, &m->g.layer));
  const struct {
    const char *name;
    float **w, **g;
  } top[] = {{"lift.weight", &m->w.lift_weight, &m->g.lift_weight},    {"lift.bias", &m->w.lift_bias, &m->g.lift_bias},
             {"proj1.weight", &m->w.proj1_weight, &m->g.proj1_weight}, {"proj1.bias", &m->w.proj1_bias, &m->g.proj1_bias},
             {"proj2.weight", &m->w.proj2_weight, &m->g.proj2_weight}, {"proj2.bias", &m->w.proj2_bias, &m->g.proj2_bias}};
  for (size_t i = 0; i < sizeof top / sizeof top[0]; i++) FcCall(fc_params_resolve(&m->p, top[i].name, top[i].w, top[i].g));
  for (int l = 0; l < m->nspec; l++) {
    fno_layer_tensors *w = &m->w.layer[l], *g = &m->g.layer[l];
    const struct {
      const char *what;
      float **w, **g;
    } per[] = {{"spectral.weight", &w->spectral_weight, &g->spectral_weight},
               {"pointwise.weight", &w->pointwise_weight, &g->pointwise_weight},
               {"pointwise.bias", &w->pointwise_bias, &g->pointwise_bias}};
    for (size_t i = 0; i < sizeof per / sizeof per[0]; i++) {
      char name[FC_TENSOR_NAME_MAX];
      layer_name(m, l, per[i].what, name, sizeof name);
      FcCall(fc_params_resolve(&m->p, name, per[i].w, per[i].g));
    }
  }
  return FC_SUCCESS;
}

static long nmodes_of(const fc_fno_config *c)
{
  long k = 1;
  for (int a = 0; a < c->ndim; a++) k *= a < c->ndim - 1 ? 2 * c->modes[a] : c->modes[a];
  return k;
}

fc_err fc_fno_create(const fc_fno_config *cfg, fc_fno **mp)
{
  const fc_fno_config *c = cfg;
  if (c->ndim < 2 || c->ndim > 3) FcRaise(FC_ERR_INPUT, "FNO over %d axes: expected 2 or 3", c->ndim);
  if (c->in_channels < 1 || c->out_channels < 1 || c->width < 1 || c->proj < 1)
    FcRaise(FC_ERR_INPUT, "FNO channels: in %d, out %d, width %d, proj %d: expected positive values", c->in_channels,
            c->out_channels, c->width, c->proj);
  if (c->layers < 1 || c->layers > FC_FNO_MAX_LAYERS)
    FcRaise(FC_ERR_INPUT, "FNO with %d layers: expected 1 to %d", c->layers, FC_FNO_MAX_LAYERS);
  for (int a = 0; a < c->ndim; a++)
    if (c->modes[a] < 1) FcRaise(FC_ERR_INPUT, "FNO: %d modes on axis %d", c->modes[a], a);
  fc_fno *m;
  FcCall(FcMalloc(1, &m));
  m->c = *c;
  for (int a = c->ndim; a < 3; a++) m->c.modes[a] = 1;
  snprintf(m->type, sizeof m->type, "%sfno%dd", c->implicit ? "i" : "", c->ndim);
  m->cin = c->in_channels + (c->use_grid ? c->ndim : 0);
  m->nspec = c->implicit ? 1 : c->layers;
  m->comm = MPI_COMM_NULL;
  fc_params_init(&m->p);
  const long w = c->width;
  fc_err e = fc_params_add(&m->p, "lift.weight", 2, (long[]){w, m->cin}, 1, NULL);
  if (!e) e = fc_params_add(&m->p, "lift.bias", 1, (long[]){w}, 1, NULL);
  for (int l = 0; l < m->nspec && !e; l++) {
    char name[FC_TENSOR_NAME_MAX];
    layer_name(m, l, "spectral.weight", name, sizeof name);
    e = fc_params_add(&m->p, name, 4, (long[]){nmodes_of(&m->c), w, w, 2}, 1, NULL);
    layer_name(m, l, "pointwise.weight", name, sizeof name);
    if (!e) e = fc_params_add(&m->p, name, 2, (long[]){w, w}, 1, NULL);
    layer_name(m, l, "pointwise.bias", name, sizeof name);
    if (!e) e = fc_params_add(&m->p, name, 1, (long[]){w}, 1, NULL);
  }
  if (!e) e = fc_params_add(&m->p, "proj1.weight", 2, (long[]){c->proj, w}, 1, NULL);
  if (!e) e = fc_params_add(&m->p, "proj1.bias", 1, (long[]){c->proj}, 1, NULL);
  if (!e) e = fc_params_add(&m->p, "proj2.weight", 2, (long[]){c->out_channels, c->proj}, 1, NULL);
  if (!e) e = fc_params_add(&m->p, "proj2.bias", 1, (long[]){c->out_channels}, 1, NULL);
  if (!e) e = fc_params_alloc(&m->p);
  if (!e) e = resolve_tensors(m);
  if (e) {
    fc_fno_destroy(&m);
    return e;
  }
  *mp = m;
  return FC_SUCCESS;
}

static void free_activations(fc_fno *m)
{
  float **bufs[] = {&m->xin, &m->v, &m->pre, &m->h1, &m->a1, &m->tmp, &m->dv, &m->dpre, &m->dh, &m->dxin};
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
    free(*bufs[i]);
    *bufs[i] = NULL;
  }
  fc_spectral_destroy(&m->spec);
}

fc_err fc_fno_destroy(fc_fno **mp)
{
  fc_fno *m = *mp;
  if (!m) return FC_SUCCESS;
  free_activations(m);
  fc_params_free(&m->p);
  free(m->w.layer);
  free(m->g.layer);
  free(m);
  *mp = NULL;
  return FC_SUCCESS;
}

fc_err fc_fno_init(fc_fno *m, unsigned long long seed)
{
  const fc_params *p = &m->p;
  for (int i = 0; i < p->ntensors; i++) {
    const fc_tensor_info *t = &p->t[i];
    if (strstr(t->name, "spectral.weight")) {
      /* U(0, 1) / (width^2) for the real and imaginary parts, as the FNO paper's code */
      FcCall(fc_params_init_uniform(&m->p, t->name, seed, 0.5));
      const float scale = 1.0f / ((float)m->c.width * (float)m->c.width);
      for (long j = 0; j < t->size; j++) p->data[t->offset + j] = (p->data[t->offset + j] + 0.5f) * scale;
    } else {
      /* PyTorch's Linear default: U(+-1/sqrt(fan_in)) for the weight and the bias */
      char wname[FC_TENSOR_NAME_MAX];
      snprintf(wname, sizeof wname, "%s", t->name);
      char *dot = strrchr(wname, '.');
      if (dot) strcpy(dot, ".weight");
      const fc_tensor_info *w = fc_params_find(p, wname);
      FcCall(fc_params_init_uniform(&m->p, t->name, seed, 1.0 / sqrt((double)w->shape[1])));
    }
  }
  return FC_SUCCESS;
}

int fc_fno_hparams(const fc_fno *m, fc_hparam *h, int max)
{
  const fc_fno_config *c = &m->c;
  const struct {
    const char *name;
    double v;
  } list[] = {{"implicit", c->implicit},     {"ndim", c->ndim},         {"in_channels", c->in_channels},
              {"out_channels", c->out_channels}, {"width", c->width},   {"proj", c->proj},
              {"modes0", c->modes[0]},       {"modes1", c->modes[1]},   {"modes2", c->ndim > 2 ? c->modes[2] : 0},
              {"layers", c->layers},         {"use_grid", c->use_grid}, {"norm", c->norm},
              {"zero_dc_nyquist_imag", c->zero_dc_nyquist_imag}};
  int n = (int)(sizeof list / sizeof list[0]);
  for (int i = 0; i < n && i < max; i++) {
    memset(&h[i], 0, sizeof h[i]);
    snprintf(h[i].name, sizeof h[i].name, "%s", list[i].name);
    h[i].value = list[i].v;
  }
  return n;
}

fc_err fc_fno_setup(fc_fno *m, int B, const int *n, MPI_Comm comm)
{
  const fc_fno_config *c = &m->c;
  int size = 1;
  if (comm != MPI_COMM_SELF) FcCallMPI(MPI_Comm_size(comm, &size));
  free_activations(m);
  fc_spectral_config sc = {.ndim = c->ndim,
                           .n = {1, 1, 1},
                           .modes = {1, 1, 1},
                           .cin = c->width,
                           .cout = c->width,
                           .norm = c->norm,
                           .zero_dc_nyquist_imag = c->zero_dc_nyquist_imag};
  for (int a = 0; a < 3; a++) {
    m->n[a] = a < c->ndim ? n[a] : 1;
    sc.n[a] = m->n[a];
    sc.modes[a] = c->modes[a];
  }
  m->B = B;
  m->comm = comm;
  if (size > 1) FcCall(fc_spectral_create_dist(&sc, comm, &m->spec));
  else FcCall(fc_spectral_create(&sc, &m->spec));
  fc_spectral_local_range(m->spec, &m->x0, &m->nxl);
  m->npts = m->nxl * m->n[1] * m->n[2];
  const long M = (long)B * m->npts + 1, L = c->layers, w = c->width;
  fc_err e = FcMalloc(M * m->cin, &m->xin);
  if (!e) e = FcMalloc(M * w * (L + 1), &m->v);
  if (!e) e = FcMalloc(M * w * L, &m->pre);
  if (!e) e = FcMalloc(M * c->proj, &m->h1);
  if (!e) e = FcMalloc(M * c->proj, &m->a1);
  if (!e) e = FcMalloc(M * (w > c->proj ? w : c->proj), &m->tmp);
  if (!e) e = FcMalloc(M * w, &m->dv);
  if (!e) e = FcMalloc(M * w, &m->dpre);
  if (!e) e = FcMalloc(M * c->proj, &m->dh);
  if (!e) e = FcMalloc(M * m->cin, &m->dxin);
  if (e) free_activations(m);
  return e;
}

/* xin = [x, grid coordinates i / n per axis]. */
static void build_input(fc_fno *m, const float *x)
{
  const int ci = m->c.in_channels, cin = m->cin, nd = m->c.ndim;
  const long npts = m->npts;
  for (int b = 0; b < m->B; b++)
    for (long q = 0; q < npts; q++) {
      float *dst = m->xin + ((long)b * npts + q) * cin;
      memcpy(dst, x + ((long)b * npts + q) * ci, sizeof(float) * (size_t)ci);
      if (!m->c.use_grid) continue;
      long idx[3] = {m->x0 + q / (m->n[1] * m->n[2]), (q / m->n[2]) % m->n[1], q % m->n[2]};
      for (int a = 0; a < nd; a++) dst[ci + a] = (float)idx[a] / (float)m->n[a];
    }
}

fc_err fc_fno_forward(fc_fno *m, float *y, const float *x)
{
  const fc_fno_config *c = &m->c;
  if (!m->spec) FcRaise(FC_ERR_INTERNAL, "fc_fno_forward before fc_fno_setup");
  const long M = (long)m->B * m->npts, w = c->width, L = c->layers;
  build_input(m, x);
  fc_linear_forward(m->v, m->xin, m->w.lift_weight, m->w.lift_bias, M, m->cin,
                    (int)w);
  for (int l = 0; l < L; l++) {
    const int lw = c->implicit ? 0 : l;
    float *vl = m->v + l * M * w, *pl = m->pre + l * M * w, *vn = vl + M * w;
    fc_spectral_forward(m->spec, pl, vl, m->w.layer[lw].spectral_weight, m->B);
    fc_linear_forward(m->tmp, vl, m->w.layer[lw].pointwise_weight, m->w.layer[lw].pointwise_bias, M,
                      (int)w, (int)w);
    for (long i = 0; i < M * w; i++) pl[i] += m->tmp[i];
    const int last = l == L - 1;
    if (!c->implicit) {
      if (last) memcpy(vn, pl, sizeof(float) * (size_t)(M * w));
      else fc_gelu_forward(vn, pl, M * w);
    } else {
      /* v <- v + (1/L) s(pre), s = GELU except on the last iteration */
      if (last) memcpy(m->tmp, pl, sizeof(float) * (size_t)(M * w));
      else fc_gelu_forward(m->tmp, pl, M * w);
      const float inv = 1.0f / (float)L;
      for (long i = 0; i < M * w; i++) vn[i] = vl[i] + inv * m->tmp[i];
    }
  }
  fc_linear_forward(m->h1, m->v + L * M * w, m->w.proj1_weight, m->w.proj1_bias,
                    M, (int)w, c->proj);
  fc_gelu_forward(m->a1, m->h1, M * c->proj);
  fc_linear_forward(y, m->a1, m->w.proj2_weight, m->w.proj2_bias, M, c->proj,
                    c->out_channels);
  return FC_SUCCESS;
}

fc_err fc_fno_backward(fc_fno *m, float *dx, const float *dy)
{
  const fc_fno_config *c = &m->c;
  if (!m->spec) FcRaise(FC_ERR_INTERNAL, "fc_fno_backward before fc_fno_setup");
  const long M = (long)m->B * m->npts, w = c->width, L = c->layers;
  /* projection */
  memset(m->tmp, 0, sizeof(float) * (size_t)(M * c->proj));
  fc_linear_backward(m->tmp, m->g.proj2_weight, m->g.proj2_bias, dy, m->a1,
                     m->w.proj2_weight, M, c->proj, c->out_channels);
  memset(m->dh, 0, sizeof(float) * (size_t)(M * c->proj));
  fc_gelu_backward(m->dh, m->tmp, m->h1, M * c->proj);
  memset(m->dv, 0, sizeof(float) * (size_t)(M * w));
  fc_linear_backward(m->dv, m->g.proj1_weight, m->g.proj1_bias, m->dh, m->v + L * M * w,
                     m->w.proj1_weight, M, (int)w, c->proj);
  /* Fourier layers in reverse: m->dv holds dL/dv[l + 1] */
  for (long l = L - 1; l >= 0; l--) {
    const int lw = c->implicit ? 0 : (int)l, last = l == L - 1;
    float *vl = m->v + l * M * w, *pl = m->pre + l * M * w;
    memset(m->dpre, 0, sizeof(float) * (size_t)(M * w));
    if (!c->implicit) {
      if (last) memcpy(m->dpre, m->dv, sizeof(float) * (size_t)(M * w));
      else fc_gelu_backward(m->dpre, m->dv, pl, M * w);
      memset(m->dv, 0, sizeof(float) * (size_t)(M * w)); /* now dL/dv[l] */
    } else {
      /* v[l+1] = v[l] + (1/L) s(pre): dL/dv[l] starts as dL/dv[l+1] (kept in m->dv) */
      const float inv = 1.0f / (float)L;
      for (long i = 0; i < M * w; i++) m->tmp[i] = inv * m->dv[i];
      if (last) memcpy(m->dpre, m->tmp, sizeof(float) * (size_t)(M * w));
      else fc_gelu_backward(m->dpre, m->tmp, pl, M * w);
    }
    fc_spectral_backward(m->spec, m->dv, m->g.layer[lw].spectral_weight, m->dpre, vl,
                         m->w.layer[lw].spectral_weight, m->B);
    fc_linear_backward(m->dv, m->g.layer[lw].pointwise_weight, m->g.layer[lw].pointwise_bias, m->dpre, vl,
                       m->w.layer[lw].pointwise_weight, M, (int)w, (int)w);
  }
  /* lift */
  memset(m->dxin, 0, sizeof(float) * (size_t)(M * m->cin));
  fc_linear_backward(dx ? m->dxin : NULL, m->g.lift_weight, m->g.lift_bias, m->dv, m->xin,
                     m->w.lift_weight, M, m->cin, (int)w);
  if (dx)
    for (long q = 0; q < M; q++)
      for (int i = 0; i < c->in_channels; i++) dx[q * c->in_channels + i] += m->dxin[q * m->cin + i];
  return FC_SUCCESS;
}

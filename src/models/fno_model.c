/* FNO and IFNO behind fc_model (fc_model.h): their case keys, hyper-parameters and operations. */
#include <string.h>

#include "fc_fno.h"
#include "fc_model.h"

static const fc_key fno_keys[] = {
    {"model_modes", FC_KEY_INT, "12", 1, 4096, NULL, "Fourier modes kept per axis"},
    {"model_proj", FC_KEY_INT, "128", 1, 4096, NULL, "width of the projection's hidden layer"},
    {"model_use_grid", FC_KEY_BOOL, "true", 0, 0, NULL, "append the grid coordinates to the input channels"},
    {"model_fft_norm", FC_KEY_CHOICE, "backward", 0, 0, "backward,forward,ortho", "FFT normalisation (torch.fft's norm)"},
    {"model_zero_dc_nyquist_imag", FC_KEY_BOOL, "false", 0, 0, NULL, "zero the imaginary part of the DC and Nyquist modes"},
};

/* ndim, in_channels and out_channels come from the data (the trainer sets them). */
static fc_err read_case(fc_case *c, const char *type, fc_model_spec *s)
{
  long width, modes, layers, proj;
  int use_grid, zero_imag;
  char norm[16];
  FcCall(fc_case_get_int(c, "model_width", &width));
  FcCall(fc_case_get_int(c, "model_modes", &modes));
  FcCall(fc_case_get_int(c, "model_layers", &layers));
  FcCall(fc_case_get_int(c, "model_proj", &proj));
  FcCall(fc_case_get_bool(c, "model_use_grid", &use_grid));
  FcCall(fc_case_get_string(c, "model_fft_norm", norm, sizeof norm));
  FcCall(fc_case_get_bool(c, "model_zero_dc_nyquist_imag", &zero_imag));
  const fc_fft_norm nv = !strcmp(norm, "forward") ? FC_FFT_NORM_FORWARD
                         : !strcmp(norm, "ortho") ? FC_FFT_NORM_ORTHO
                                                  : FC_FFT_NORM_BACKWARD;
  const struct {
    const char *name;
    double v;
  } list[] = {{"implicit", !strcmp(type, "ifno")}, {"width", (double)width},  {"proj", (double)proj},
              {"modes0", (double)modes},          {"modes1", (double)modes}, {"modes2", (double)modes},
              {"layers", (double)layers},         {"use_grid", use_grid},    {"norm", nv},
              {"zero_dc_nyquist_imag", zero_imag}};
  for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) FcCall(fc_model_spec_set(s, list[i].name, list[i].v));
  return FC_SUCCESS;
}

/* The configuration a list of hyper-parameters describes (fc_fno_hparams' names). */
static fc_err config_from(const fc_hparam *h, int n, const char *ctx, fc_fno_config *c)
{
  static const char *const names[] = {"implicit", "ndim",   "in_channels", "out_channels", "width",
                                      "proj",     "modes0", "modes1",      "modes2",       "layers",
                                      "use_grid", "norm",   "zero_dc_nyquist_imag"};
  double v[13];
  for (int i = 0; i < 13; i++) FcCall(fc_model_hparam(h, n, names[i], ctx, NULL, &v[i]));
  *c = (fc_fno_config){.implicit = (int)v[0],
                       .ndim = (int)v[1],
                       .in_channels = (int)v[2],
                       .out_channels = (int)v[3],
                       .width = (int)v[4],
                       .proj = (int)v[5],
                       .modes = {(int)v[6], (int)v[7], (int)v[8] > 0 ? (int)v[8] : 1},
                       .layers = (int)v[9],
                       .use_grid = (int)v[10],
                       .norm = (fc_fft_norm)(int)v[11],
                       .zero_dc_nyquist_imag = (int)v[12]};
  return FC_SUCCESS;
}

static fc_err create(const fc_hparam *h, int n, const char *ctx, void **impl)
{
  fc_fno_config c;
  FcCall(config_from(h, n, ctx, &c));
  fc_fno *m;
  FcCall(fc_fno_create(&c, &m));
  *impl = m;
  return FC_SUCCESS;
}

static fc_err destroy(void **impl)
{
  fc_fno *m = *impl;
  *impl = NULL;
  return fc_fno_destroy(&m);
}

static fc_err init(void *impl, unsigned long long seed) { return fc_fno_init(impl, seed); }

static fc_err setup(void *impl, int B, const fc_model_grid *g)
{
  fc_fno *m = impl;
  if (g->ndim != fc_fno_get_config(m)->ndim)
    FcRaise(FC_ERR_INPUT, "the FNO is %dD and the grid %dD", fc_fno_get_config(m)->ndim, g->ndim);
  FcCall(fc_fno_setup(m, B, g->n, g->comm));
  return FC_SUCCESS;
}

static fc_err forward(void *impl, float *y, const float *x) { return fc_fno_forward(impl, y, x); }
static fc_err backward(void *impl, float *dx, const float *dy) { return fc_fno_backward(impl, dx, dy); }
static fc_params *params(void *impl) { return fc_fno_params(impl); }
static int hparams(const void *impl, fc_hparam *h, int max) { return fc_fno_hparams(impl, h, max); }
static const char *type(const void *impl) { return fc_fno_type(impl); }
static long local_points(const void *impl) { return fc_fno_local_points(impl); }

static void channels(const void *impl, int *ndim, int *cin, int *cout)
{
  const fc_fno_config *c = fc_fno_get_config(impl);
  *ndim = c->ndim;
  *cin = c->in_channels;
  *cout = c->out_channels;
}

const fc_model_ops fc_fno_model_ops = {
    .name = "FNO",
    .types = "fno,ifno",
    .checkpoint_types = "fno2d,fno3d,ifno2d,ifno3d",
    .keys = fno_keys,
    .nkeys = (int)(sizeof fno_keys / sizeof fno_keys[0]),
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

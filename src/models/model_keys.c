/* The model keys of a case (model_type and the keys every family shares, then each family's own)
 * and the hyper-parameter lists they turn into. */
#include <stdio.h>
#include <string.h>

#include "fc_model.h"

static const fc_key shared_keys[] = {
    {"model_width", FC_KEY_INT, "20", 1, 4096, NULL, "hidden width (IFactFormer: C, even)"},
    {"model_layers", FC_KEY_INT, "4", 1, 256, NULL,
     "Fourier layers (FNO) or iterations of the shared layer (IFNO, IFactFormer: L)"},
};

fc_err fc_model_declare(fc_case *c)
{
  char types[512] = "", help[1024] = "the model family:";
  size_t nt = 0, nh = strlen(help);
  for (int i = 0; fc_model_family_at(i); i++) {
    const fc_model_ops *f = fc_model_family_at(i);
    nt += (size_t)snprintf(types + nt, sizeof types - nt, "%s%s", nt ? "," : "", f->types);
    nh += (size_t)snprintf(help + nh, sizeof help - nh, "%s %s (%s)", i ? ";" : "", f->name, f->types);
    if (nt >= sizeof types || nh >= sizeof help) FcRaise(FC_ERR_INTERNAL, "the registry's model types do not fit");
  }
  const char *comma = strchr(types, ',');
  char def[FC_MODEL_TYPE_LEN];
  snprintf(def, sizeof def, "%.*s", comma ? (int)(comma - types) : (int)strlen(types), types);
  const fc_key type_key = {"model_type", FC_KEY_CHOICE, def, 0, 0, types, help};
  FcCall(fc_case_add_keys_copy(c, "model", &type_key, 1));
  FcCall(fc_case_add_keys(c, "model", shared_keys, (int)(sizeof shared_keys / sizeof shared_keys[0])));
  for (int i = 0; fc_model_family_at(i); i++) {
    const fc_model_ops *f = fc_model_family_at(i);
    if (f->nkeys) FcCall(fc_case_add_keys(c, "model", f->keys, f->nkeys));
  }
  return FC_SUCCESS;
}

fc_err fc_model_read_case(fc_case *c, fc_model_spec *s)
{
  memset(s, 0, sizeof *s);
  FcCall(fc_case_get_string(c, "model_type", s->type, sizeof s->type));
  const fc_model_ops *f = fc_model_family(s->type);
  if (!f) FcRaise(FC_ERR_INTERNAL, "model_type '%s' is a choice of no registered family", s->type);
  FcCall(f->read_case(c, s->type, s));
  return FC_SUCCESS;
}

static fc_err spec_slot(fc_model_spec *s, const char *name, fc_hparam **h)
{
  for (int i = 0; i < s->n; i++)
    if (!strcmp(s->h[i].name, name)) {
      *h = &s->h[i];
      return FC_SUCCESS;
    }
  if (s->n == FC_MODEL_MAX_HPARAMS || strlen(name) >= sizeof s->h[0].name)
    FcRaise(FC_ERR_INTERNAL, "hyper-parameter '%s' does not fit the model's list", name);
  *h = &s->h[s->n++];
  return FC_SUCCESS;
}

fc_err fc_model_spec_set(fc_model_spec *s, const char *name, double value)
{
  fc_hparam *h = NULL;
  FcCall(spec_slot(s, name, &h));
  *h = (fc_hparam){.is_text = 0, .value = value};
  snprintf(h->name, sizeof h->name, "%s", name);
  return FC_SUCCESS;
}

fc_err fc_model_spec_set_text(fc_model_spec *s, const char *name, const char *text)
{
  fc_hparam *h = NULL;
  FcCall(spec_slot(s, name, &h));
  if (strlen(text) >= sizeof h->text) FcRaise(FC_ERR_INPUT, "hyper-parameter '%s' = '%s' is too long", name, text);
  *h = (fc_hparam){.is_text = 1};
  snprintf(h->name, sizeof h->name, "%s", name);
  snprintf(h->text, sizeof h->text, "%s", text);
  return FC_SUCCESS;
}

fc_err fc_model_hparam(const fc_hparam *h, int n, const char *name, const char *ctx, const double *def, double *v)
{
  for (int i = 0; i < n; i++)
    if (!strcmp(h[i].name, name) && !h[i].is_text) {
      *v = h[i].value;
      return FC_SUCCESS;
    }
  if (def) {
    *v = *def;
    return FC_SUCCESS;
  }
  FcRaise(FC_ERR_INPUT, "%s: the model has no numeric hyper-parameter '%s'", ctx, name);
}

fc_err fc_model_hparam_text(const fc_hparam *h, int n, const char *name, const char *ctx, char *text, size_t len)
{
  for (int i = 0; i < n; i++)
    if (!strcmp(h[i].name, name) && h[i].is_text) {
      snprintf(text, len, "%s", h[i].text);
      return FC_SUCCESS;
    }
  FcRaise(FC_ERR_INPUT, "%s: the model has no text hyper-parameter '%s'", ctx, name);
}

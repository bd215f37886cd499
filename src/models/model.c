/* The fc_model object: a family's operations table and its object, and the checkpoints of any
 * model (the type, the family's hyper-parameters and the caller's, the parameter slab). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_model.h"

struct fc_model {
  const fc_model_ops *ops;
  void *impl;
};

fc_err fc_model_create(const char *type, const fc_hparam *h, int n, const char *ctx, fc_model **mp)
{
  const fc_model_ops *f = fc_model_family(type);
  if (!f) {
    char known[512] = "";
    size_t k = 0;
    for (int i = 0; fc_model_family_at(i) && k < sizeof known; i++)
      k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", i ? "," : "", fc_model_family_at(i)->checkpoint_types);
    for (char *p = known; (p = strchr(p, ',')); p++) *p = '/'; /* "a/b/c" */
    FcRaise(FC_ERR_INPUT, "%s: model type '%s' is not one flowcast builds (%s)", ctx, type, known);
  }
  fc_model *m;
  FcCall(FcMalloc(1, &m));
  m->ops = f;
  fc_err e = f->create(h, n, ctx, &m->impl);
  if (e) {
    free(m);
    return e;
  }
  *mp = m;
  return FC_SUCCESS;
}

fc_err fc_model_create_from_checkpoint(MPI_Comm comm, const char *path, fc_model **m, fc_model_spec *stored)
{
  fc_model_spec own, *s = stored ? stored : &own;
  char ctx[FC_MODEL_TYPE_LEN + 4096];
  memset(s, 0, sizeof *s);
  FcCall(fc_checkpoint_peek(comm, path, s->type, sizeof s->type, s->h, FC_MODEL_MAX_HPARAMS, &s->n));
  snprintf(ctx, sizeof ctx, "checkpoint '%s'", path);
  FcCall(fc_model_create(s->type, s->h, s->n, ctx, m));
  return FC_SUCCESS;
}

fc_err fc_model_destroy(fc_model **mp)
{
  fc_model *m = *mp;
  if (!m) return FC_SUCCESS;
  fc_err e = m->ops->destroy(&m->impl);
  free(m);
  *mp = NULL;
  return e;
}

fc_err fc_model_init(fc_model *m, unsigned long long seed) { return m->ops->init(m->impl, seed); }
fc_err fc_model_setup(fc_model *m, int B, const fc_model_grid *g) { return m->ops->setup(m->impl, B, g); }
fc_err fc_model_forward(fc_model *m, float *y, const float *x) { return m->ops->forward(m->impl, y, x); }
fc_err fc_model_backward(fc_model *m, float *dx, const float *dy) { return m->ops->backward(m->impl, dx, dy); }
fc_params *fc_model_params(fc_model *m) { return m->ops->params(m->impl); }
const char *fc_model_type(const fc_model *m) { return m->ops->type(m->impl); }
const char *fc_model_family_name(const fc_model *m) { return m->ops->name; }
void fc_model_channels(const fc_model *m, int *ndim, int *cin, int *cout) { m->ops->channels(m->impl, ndim, cin, cout); }
long fc_model_local_points(const fc_model *m) { return m->ops->local_points(m->impl); }

/* The family's hyper-parameters followed by the caller's extra ones, into h[max]. */
static fc_err all_hparams(const fc_model *m, const fc_model_state *st, fc_hparam *h, int max, int *n)
{
  int k = m->ops->hparams(m->impl, h, max);
  if (k + st->nextra > max) FcRaise(FC_ERR_INTERNAL, "%d model hyper-parameters: more than %d", k + st->nextra, max);
  for (int i = 0; i < st->nextra; i++) h[k++] = st->extra[i];
  *n = k;
  return FC_SUCCESS;
}

static fc_checkpoint as_checkpoint(fc_model *m, const fc_model_state *st, const fc_hparam *h, int n)
{
  return (fc_checkpoint){.model_type = fc_model_type(m),
                         .hparams = h,
                         .nhparams = n,
                         .params = fc_model_params(m),
                         .with_optimizer = st->with_optimizer,
                         .optimizer = st->optimizer,
                         .step = st->step,
                         .epoch = st->epoch,
                         .rng_seed = st->rng_seed,
                         .rng_counter = st->rng_counter,
                         .arrays = st->arrays,
                         .narrays = st->narrays};
}

fc_err fc_model_save(fc_model *m, MPI_Comm comm, const char *path, const fc_model_state *st)
{
  fc_hparam h[FC_MODEL_MAX_HPARAMS];
  int n;
  FcCall(all_hparams(m, st, h, FC_MODEL_MAX_HPARAMS, &n));
  const fc_checkpoint ck = as_checkpoint(m, st, h, n);
  FcCall(fc_checkpoint_save(comm, path, &ck));
  return FC_SUCCESS;
}

fc_err fc_model_load(fc_model *m, MPI_Comm comm, const char *path, fc_model_state *st)
{
  fc_hparam h[FC_MODEL_MAX_HPARAMS];
  int n;
  FcCall(all_hparams(m, st, h, FC_MODEL_MAX_HPARAMS, &n));
  fc_checkpoint ck = as_checkpoint(m, st, h, n);
  FcCall(fc_checkpoint_load(comm, path, &ck));
  st->step = ck.step;
  st->epoch = ck.epoch;
  st->rng_seed = ck.rng_seed;
  st->rng_counter = ck.rng_counter;
  return FC_SUCCESS;
}

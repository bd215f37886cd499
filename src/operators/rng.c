/* Seeded parameter initialisation: each tensor's values come from the counter-based RNG of
 * core/fc_rng.h on a stream derived from the tensor's name, so they are rank-independent. */
#include "fc_params.h"

/* FNV-1a hash of a tensor name: its stream. */
static unsigned long long name_stream(const char *s)
{
  unsigned long long h = 1469598103934665603ULL;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

fc_err fc_params_init_uniform(fc_params *p, const char *name, unsigned long long seed, double bound)
{
  const fc_tensor_info *t = fc_params_find(p, name);
  if (!t || !p->data) FcRaise(FC_ERR_INTERNAL, "no allocated parameter '%s'", name);
  unsigned long long st = name_stream(name);
  for (long i = 0; i < t->size; i++) p->data[t->offset + i] = (float)(bound * (2.0 * fc_rng_uniform(seed, st, (unsigned long long)i) - 1.0));
  return FC_SUCCESS;
}

fc_err fc_params_init_normal(fc_params *p, const char *name, unsigned long long seed, double std)
{
  const fc_tensor_info *t = fc_params_find(p, name);
  if (!t || !p->data) FcRaise(FC_ERR_INTERNAL, "no allocated parameter '%s'", name);
  unsigned long long st = name_stream(name);
  for (long i = 0; i < t->size; i++) p->data[t->offset + i] = (float)(std * fc_rng_normal(seed, st, (unsigned long long)i));
  return FC_SUCCESS;
}

/* The parameter slabs: layout, allocation, lookup, gradient allreduce. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_params.h"

void fc_params_init(fc_params *p) { memset(p, 0, sizeof *p); }

fc_err fc_params_add(fc_params *p, const char *name, int ndim, const long *shape, int trainable, long *offset)
{
  if (p->data) FcRaise(FC_ERR_INTERNAL, "parameter '%s' added after the slabs were allocated", name);
  if (ndim < 1 || ndim > 4 || strlen(name) >= FC_TENSOR_NAME_MAX)
    FcRaise(FC_ERR_INTERNAL, "parameter '%s': bad rank %d or name too long", name, ndim);
  if (fc_params_find(p, name)) FcRaise(FC_ERR_INTERNAL, "parameter '%s' added twice", name);
  if (p->ntensors == p->cap) {
    int cap = p->cap ? 2 * p->cap : 32;
    fc_tensor_info *t = realloc(p->t, sizeof *t * (size_t)cap);
    if (!t) FcRaiseLocal(FC_ERR_MEMORY, "cannot grow the parameter table");
    p->t = t;
    p->cap = cap;
  }
  fc_tensor_info *t = &p->t[p->ntensors++];
  memset(t, 0, sizeof *t);
  snprintf(t->name, sizeof t->name, "%s", name);
  t->ndim = ndim;
  t->size = 1;
  for (int a = 0; a < ndim; a++) {
    if (shape[a] < 1) FcRaise(FC_ERR_INTERNAL, "parameter '%s': extent %ld", name, shape[a]);
    t->shape[a] = shape[a];
    t->size *= shape[a];
  }
  t->offset = p->n;
  t->trainable = trainable;
  p->n += t->size;
  if (offset) *offset = t->offset;
  return FC_SUCCESS;
}

fc_err fc_params_alloc(fc_params *p)
{
  FcCall(FcMalloc(p->n, &p->data));
  FcCall(FcMalloc(p->n, &p->grad));
  FcCall(FcMalloc(p->n, &p->m));
  FcCall(FcMalloc(p->n, &p->v));
  FcCall(FcMalloc(p->n, &p->mask));
  for (int i = 0; i < p->ntensors; i++)
    memset(p->mask + p->t[i].offset, p->t[i].trainable ? 1 : 0, (size_t)p->t[i].size);
  return FC_SUCCESS;
}

void fc_params_free(fc_params *p)
{
  free(p->t);
  free(p->data);
  free(p->grad);
  free(p->m);
  free(p->v);
  free(p->mask);
  fc_params_init(p);
}

const fc_tensor_info *fc_params_find(const fc_params *p, const char *name)
{
  for (int i = 0; i < p->ntensors; i++)
    if (!strcmp(p->t[i].name, name)) return &p->t[i];
  return NULL;
}

float *fc_params_get(const fc_params *p, const char *name)
{
  const fc_tensor_info *t = fc_params_find(p, name);
  return t && p->data ? p->data + t->offset : NULL;
}

fc_err fc_params_resolve(const fc_params *p, const char *name, float **value, float **grad)
{
  const fc_tensor_info *t = fc_params_find(p, name);
  if (!t) FcRaise(FC_ERR_INTERNAL, "model tensor '%s' is not declared in the parameter slab", name);
  if (!p->data || !p->grad) FcRaise(FC_ERR_INTERNAL, "model tensor '%s' resolved before fc_params_alloc", name);
  if (value) *value = p->data + t->offset;
  if (grad) *grad = p->grad + t->offset;
  return FC_SUCCESS;
}

void fc_params_zero_grad(fc_params *p)
{
  if (p->grad) memset(p->grad, 0, sizeof(float) * (size_t)p->n);
}

long fc_params_count(const fc_params *p, int trainable_only)
{
  long n = 0;
  for (int i = 0; i < p->ntensors; i++)
    if (!trainable_only || p->t[i].trainable) n += p->t[i].size;
  return n;
}

fc_err fc_params_allreduce_grad(fc_params *p, MPI_Comm comm, double weight)
{
  if (weight != 1.0)
    for (long i = 0; i < p->n; i++) p->grad[i] = (float)(p->grad[i] * weight);
  /* MPI counts are int: reduce in chunks */
  const long chunk = 1L << 30;
  for (long o = 0; o < p->n; o += chunk) {
    int cnt = (int)(p->n - o < chunk ? p->n - o : chunk);
    FcCallMPI(MPI_Allreduce(MPI_IN_PLACE, p->grad + o, cnt, MPI_FLOAT, MPI_SUM, comm));
  }
  return FC_SUCCESS;
}

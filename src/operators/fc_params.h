/* Parameters of a model: named tensors laid out in ONE slab each for values, gradients
 * and the two Adam moments (the llm.c style), so that the optimizer, the gradient
 * allreduce of data-parallel training and checkpoints each work on one array.
 *
 *   fc_params p; fc_params_init(&p);
 *   fc_params_add(&p, "lift.weight", 2, (long[]){20, 3}, 1, NULL);   ... layout phase
 *   fc_params_alloc(&p);                                            ... slabs allocated, zero
 *   float *W = fc_params_get(&p, "lift.weight");
 *   fc_params_free(&p);
 *
 * Frozen tensors (trainable = 0; e.g. a Fourier-feature matrix) live in the same slab, are
 * saved in checkpoints, and are skipped by the optimizer (their gradients stay zero). */
#ifndef FC_PARAMS_H
#define FC_PARAMS_H

#include "fc_error.h"
#include "fc_rng.h"

#define FC_TENSOR_NAME_MAX 96

typedef struct {
  char name[FC_TENSOR_NAME_MAX];
  int ndim;
  long shape[4];
  long offset; /* in floats, into each slab */
  long size;
  int trainable;
} fc_tensor_info;

typedef struct {
  int ntensors, cap;
  fc_tensor_info *t;
  long n;                      /* floats in each slab */
  float *data, *grad, *m, *v;  /* the slabs (NULL before fc_params_alloc) */
  unsigned char *mask;         /* [n] 1 where trainable */
} fc_params;

void fc_params_init(fc_params *p);
fc_err fc_params_add(fc_params *p, const char *name, int ndim, const long *shape, int trainable, long *offset);
fc_err fc_params_alloc(fc_params *p);
void fc_params_free(fc_params *p);
const fc_tensor_info *fc_params_find(const fc_params *p, const char *name);
/* Pointer to the tensor's values (NULL if absent or not allocated). */
float *fc_params_get(const fc_params *p, const char *name);
/* The value and gradient pointers of tensor `name` (either may be NULL), for a model's struct of
 * named pointers resolved once at creation; a name that was never declared is an error naming it. */
fc_err fc_params_resolve(const fc_params *p, const char *name, float **value, float **grad);
void fc_params_zero_grad(fc_params *p);
long fc_params_count(const fc_params *p, int trainable_only);

/* Data-parallel training: every rank scales its gradient slab by weight (its share of the
 * global batch: local_batch / global_batch when each rank's loss is a mean over its own
 * samples), then the slabs are summed over comm (MPI_Allreduce in place). */
fc_err fc_params_allreduce_grad(fc_params *p, MPI_Comm comm, double weight);

/* ---- seeded, rank-independent initialisation (rng.c, on core/fc_rng.h) -----------------
 * Fills the tensor with U(-bound, bound) (PyTorch's default Linear init uses bound = 1/sqrt(fan_in))
 * or with N(0, std^2); the stream is derived from the tensor's name. */
fc_err fc_params_init_uniform(fc_params *p, const char *name, unsigned long long seed, double bound);
fc_err fc_params_init_normal(fc_params *p, const char *name, unsigned long long seed, double std);

#endif

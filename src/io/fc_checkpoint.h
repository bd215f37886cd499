/* Model checkpoints: self-describing HDF5 files (schema flowcast.checkpoint, layout in
 * docs/file-format.md), written atomically by rank 0 (temporary name, then rename) and
 * read by rank 0 and broadcast, so a checkpoint saved by any number of ranks loads on any
 * other number.
 *
 * Loading checks the model type, every hyper-parameter and every tensor's shape against
 * the model being built, and names the first mismatch in its error. */
#ifndef FC_CHECKPOINT_H
#define FC_CHECKPOINT_H

#include "fc_params.h"

typedef struct {
  char name[64];
  int is_text;
  double value;   /* numeric hyper-parameter */
  char text[128]; /* text hyper-parameter */
} fc_hparam;

typedef struct {
  const char *name; /* stored under /normalization/NAME */
  float *data;      /* save: values; load: filled */
  long size;
} fc_named_array;

typedef struct {
  const char *model_type; /* "fno2d", "mlp", ... */
  const fc_hparam *hparams;
  int nhparams;
  fc_params *params;      /* save: values (and moments); load: layout given, values filled */
  int with_optimizer;     /* the Adam moments m and v are saved/loaded too */
  const char *optimizer;  /* e.g. "adamw" (attribute) */
  long step, epoch;       /* optimizer steps and epochs done */
  unsigned long long rng_seed, rng_counter;
  fc_named_array *arrays; /* normalisation statistics and other named arrays */
  int narrays;
} fc_checkpoint;

fc_err fc_checkpoint_save(MPI_Comm comm, const char *path, const fc_checkpoint *ck);
/* Fills ck->params (values, and m/v when with_optimizer), step, epoch, rng and arrays. */
fc_err fc_checkpoint_load(MPI_Comm comm, const char *path, fc_checkpoint *ck);

/* The model type and every /model attribute (hyper-parameters) of a checkpoint, to build the
 * model before loading it (collective; at most max attributes). */
fc_err fc_checkpoint_peek(MPI_Comm comm, const char *path, char *model_type, size_t len, fc_hparam *h, int max, int *n);
/* The numeric hyper-parameter name of a peeked list (error naming the checkpoint if absent). */
fc_err fc_hparam_get(const fc_hparam *h, int n, const char *name, const char *path, double *value);

#define FC_CHECKPOINT_SCHEMA "flowcast.checkpoint"
#define FC_CHECKPOINT_VERSION 1

#endif

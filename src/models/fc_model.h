/* fc_model: every model family behind one object, in the PETSc style (an operations table per
 * family, one registry mapping a model type to its table). Training, rollouts, checkpoints, the
 * benches and the jobs use only this interface; they never name a family.
 *
 *   fc_model_spec s;  fc_model_read_case(c, &s);          model_type and the family's keys
 *   fc_model_spec_set(&s, "ndim", 3); ...                 what the data decide (grid, channels)
 *   fc_model_create(s.type, s.h, s.n, "case", &m);        from hyper-parameters
 *   fc_model_create_from_checkpoint(comm, path, &m, &s);  or from a checkpoint's /model
 *   fc_model_init(m, seed);  fc_model_setup(m, B, &grid);  fc_model_forward / _backward
 *   fc_model_save / fc_model_load;  fc_model_destroy(&m);
 *
 * Data: channels last, float32, x [B][points][cin] and y [B][points][cout], the points of this
 * rank's part of the grid (fc_model_local_points per sample). Gradients of the parameters
 * ACCUMULATE into fc_model_params(m)->grad; dx (may be NULL) accumulates too.
 *
 * Adding a family: its files under src/models/ (the layers' forward/backward and an
 * fc_model_ops table) and one line in src/models/registry.c (docs/architecture.md). */
#ifndef FC_MODEL_H
#define FC_MODEL_H

#include "fc_case.h"
#include "fc_checkpoint.h"
#include "fc_params.h"

#define FC_MODEL_MAX_HPARAMS 48
#define FC_MODEL_TYPE_LEN 32

typedef struct fc_model fc_model;

/* The grid a model runs on, and this rank's part of it. */
typedef struct {
  int ndim;               /* 2 or 3 */
  int n[3];               /* points per axis of the whole grid (1 past ndim) */
  double length[3];       /* axis lengths */
  const double *coord[3]; /* the grid's coordinates per axis (n[a] each; NULL: not known) */
  MPI_Comm comm;          /* MPI_COMM_SELF: the whole grid on this rank (training, forward and
                             backward); otherwise the grid is split in slabs along x over comm
                             (fc_decomp_slab's blocks; forward only for some families) */
  int x0, nxl;            /* this rank's x planes when split */
} fc_model_grid;

/* A model type and its hyper-parameters (numbers or text, by name). */
typedef struct {
  char type[FC_MODEL_TYPE_LEN];
  fc_hparam h[FC_MODEL_MAX_HPARAMS];
  int n;
} fc_model_spec;

/* The operations of one family. ctx names where hyper-parameters come from in messages (a
 * checkpoint's path, "case"). impl is the family's own object. */
typedef struct {
  const char *name;             /* for messages: "FNO" */
  const char *types;            /* the model_type values of a case it builds, comma-separated */
  const char *checkpoint_types; /* the model types its checkpoints record, comma-separated */
  const fc_key *keys;           /* the family's own case keys (model_*), beyond fc_model's */
  int nkeys;
  /* hyper-parameters from the case keys (model_type = type): appended to s */
  fc_err (*read_case)(fc_case *c, const char *type, fc_model_spec *s);
  fc_err (*create)(const fc_hparam *h, int n, const char *ctx, void **impl);
  fc_err (*destroy)(void **impl);
  fc_err (*init)(void *impl, unsigned long long seed);
  fc_err (*setup)(void *impl, int B, const fc_model_grid *g);
  fc_err (*forward)(void *impl, float *y, const float *x);
  fc_err (*backward)(void *impl, float *dx, const float *dy);
  fc_params *(*params)(void *impl);
  /* the hyper-parameters its checkpoints record (returns the count, at most max written) */
  int (*hparams)(const void *impl, fc_hparam *h, int max);
  const char *(*type)(const void *impl); /* the checkpoint model type */
  void (*channels)(const void *impl, int *ndim, int *cin, int *cout);
  long (*local_points)(const void *impl); /* per sample on this rank, after setup */
} fc_model_ops;

/* ---- registry (registry.c) ---------------------------------------------------------------- */
/* The family building model type `type` (a case's model_type or a checkpoint's), or NULL. */
const fc_model_ops *fc_model_family(const char *type);
/* Every family, in registry order (NULL past the last). */
const fc_model_ops *fc_model_family_at(int i);

/* ---- case keys (model_keys.c) ------------------------------------------------------------- */
/* Declares model_type (its choices from the registry), the keys every family shares (model_width,
 * model_layers) and every family's own. */
fc_err fc_model_declare(fc_case *c);
/* The type and hyper-parameters a case asks for. */
fc_err fc_model_read_case(fc_case *c, fc_model_spec *s);
/* Sets (adds or replaces) a numeric or text hyper-parameter. */
fc_err fc_model_spec_set(fc_model_spec *s, const char *name, double value);
fc_err fc_model_spec_set_text(fc_model_spec *s, const char *name, const char *text);
/* The numeric or text hyper-parameter `name` of a list; def when absent (NULL: required). */
fc_err fc_model_hparam(const fc_hparam *h, int n, const char *name, const char *ctx, const double *def, double *v);
fc_err fc_model_hparam_text(const fc_hparam *h, int n, const char *name, const char *ctx, char *text, size_t len);

/* ---- the object (model.c) ----------------------------------------------------------------- */
fc_err fc_model_create(const char *type, const fc_hparam *h, int n, const char *ctx, fc_model **m);
/* The model a checkpoint describes (collective: rank 0 reads /model); stored (may be NULL)
 * receives the checkpoint's type and every /model attribute, the caller's own (data_*) included.
 * The weights are read by fc_model_load. */
fc_err fc_model_create_from_checkpoint(MPI_Comm comm, const char *path, fc_model **m, fc_model_spec *stored);
fc_err fc_model_destroy(fc_model **m);
/* The family's initialisation from a seed, the same on any number of ranks. */
fc_err fc_model_init(fc_model *m, unsigned long long seed);
/* Prepares forward/backward on B samples of grid g. Re-call to change B or the grid. */
fc_err fc_model_setup(fc_model *m, int B, const fc_model_grid *g);
fc_err fc_model_forward(fc_model *m, float *y, const float *x);
fc_err fc_model_backward(fc_model *m, float *dx, const float *dy);
fc_params *fc_model_params(fc_model *m);
const char *fc_model_type(const fc_model *m);
const char *fc_model_family_name(const fc_model *m);
/* Spatial axes, input and output channels per point. */
void fc_model_channels(const fc_model *m, int *ndim, int *cin, int *cout);
long fc_model_local_points(const fc_model *m);

/* ---- checkpoints (model.c; file layout: fc_checkpoint.h, docs/file-format.md) --------------- */
/* What a checkpoint holds beyond the model's type, hyper-parameters and weights. */
typedef struct {
  const fc_hparam *extra; /* the caller's hyper-parameters (e.g. data_window), saved and checked */
  int nextra;
  int with_optimizer;     /* the Adam moments too */
  const char *optimizer;  /* "adam", "adamw" */
  long step, epoch;
  unsigned long long rng_seed, rng_counter;
  fc_named_array *arrays; /* normalisation statistics and other named arrays */
  int narrays;
} fc_model_state;

fc_err fc_model_save(fc_model *m, MPI_Comm comm, const char *path, const fc_model_state *st);
/* Reads the weights (and what st asks for) after checking the type and every hyper-parameter. */
fc_err fc_model_load(fc_model *m, MPI_Comm comm, const char *path, fc_model_state *st);

#endif

/* Training neural operators on trajectories (flowcast train): any model of the registry
 * (fc_model.h), built from the case's model_* keys and the data's grid and channels.
 *
 * Data: a directory of trajectory files (flowcast field files, one per trajectory, e.g.
 * written by `flowcast simulate`), each with snapshots of one field on the same grid. A
 * sample is (trajectory, t): the input is the window of snapshots t - window .. t - 1
 * stacked as channels (channel k * ncomp + c), the target is snapshot t. Fields are
 * normalised per component with the training trajectories' mean and standard deviation,
 * which the checkpoint stores (/normalization/field_mean, field_std). The last
 * val_fraction of the trajectories (in file-name order) is the validation set. */
#ifndef FC_TRAIN_H
#define FC_TRAIN_H

#include <limits.h>

#include "fc_case.h"
#include "fc_model.h"
#include "fc_optim.h"

typedef struct {
  int ntraj, nt, ncomp; /* trajectories, snapshots per trajectory, components */
  int ndim, n[3];       /* grid */
  long npts;            /* points per snapshot */
  float *data;          /* [ntraj][nt][npts][ncomp], normalised */
  float mean[8], std[8];/* per component */
  double length[3];     /* axis lengths of the grid */
  double *coord[3];     /* the grid's coordinates per axis (n[a] each; NULL past ndim) */
  int window;
  int ntrain;           /* the first ntrain trajectories train, the rest validate */
} fc_dataset;

/* Reads every *.h5 file of dir (sorted by name); field: dataset name in each step. Collective
 * (every rank reads everything: the data fit in memory; ranks split batches, not data). */
fc_err fc_dataset_load(MPI_Comm comm, const char *dir, const char *field, int ncomp, int window,
                       double val_fraction, int max_traj, fc_dataset *d);
void fc_dataset_free(fc_dataset *d);
/* Samples of the training or validation part: (traj, t) pairs enumerated traj-major. */
long fc_dataset_count(const fc_dataset *d, int validation);
/* Writes sample s's input [npts][window * ncomp] and target [npts][ncomp]. */
void fc_dataset_sample(const fc_dataset *d, int validation, long s, float *x, float *y);

/* Everything `flowcast train` reads from its case. */
typedef struct {
  char data_dir[PATH_MAX], field[64], checkpoint[PATH_MAX], best_checkpoint[PATH_MAX];
  int ncomp, window, max_traj;
  double val_fraction;
  fc_model_spec model;  /* model_type and its hyper-parameters (the data add ndim and channels) */
  int epochs, batch, seed, checkpoint_every, resume;
  long stop_after; /* optimizer steps of this run before it stops with a checkpoint (0: never) */
  char optimizer[16], loss[16];
  double lr, weight_decay, clip;
  fc_schedule schedule;
  int schedule_per_step; /* one-cycle advances per optimizer step, the others per epoch */
} fc_train_config;

fc_err fc_train_declare(fc_case *c);
fc_err fc_train_read(fc_case *c, fc_train_config *t);
/* Runs the training described by t (collective; data-parallel over comm). */
fc_err fc_train_run(MPI_Comm comm, const fc_train_config *t, const char *case_path, const char *case_text);

#endif

/* Autoregressive rollouts of a trained model (flowcast rollout) and their comparison with
 * a reference trajectory (flowcast compare). */
#ifndef FC_ROLLOUT_H
#define FC_ROLLOUT_H

#include <limits.h>

#include "fc_case.h"
#include "fc_io.h"

/* One rollout: the keys rollout_* of a case, or set by a job. */
typedef struct {
  char checkpoint[PATH_MAX]; /* trained model */
  char initial[PATH_MAX];    /* trajectory holding the initial window */
  char output[PATH_MAX];     /* predicted trajectory (with an .xmf sidecar) */
  long start;                /* first snapshot of the initial window */
  long steps, every;         /* autoregressive steps; write every k-th state */
  double blowup;             /* stop when max |state| exceeds this times the initial one */
  fc_precision prec;         /* of the stored states */
} fc_rollout_config;

fc_err fc_rollout_declare(fc_case *c);
/* The rollout_* keys of a case (defaults where absent). */
fc_err fc_rollout_read(fc_case *c, fc_rollout_config *r);
/* Runs the rollout, slab-decomposed over comm; prov is recorded in the output. */
fc_err fc_rollout_exec(MPI_Comm comm, const fc_rollout_config *r, const fc_provenance *prov);
/* Reads the keys (refusing unknown ones) and runs the rollout. */
fc_err fc_rollout_run(fc_case *c, MPI_Comm comm, int argc, char **argv);

/* Declares every compare key (both report types, so that -help lists them). */
fc_err fc_compare_declare(fc_case *c);
/* compare_type field: one prediction's relative L2 error per step (docs/surrogates.md);
 * channel: several channel runs against a reference, statistics in wall units, spectra, an HDF5
 * report, a markdown summary and plots (docs/channel_compare.md). */
fc_err fc_compare_run(fc_case *c, MPI_Comm comm, int argc, char **argv);
/* Whether labels[i] can name a run of a channel comparison (a report group and a file name part):
 * at most 60 characters, no '/', '\' or '|', not starting with '.', not 'reference', and
 * different from labels[0 .. i-1]; the error names key. */
fc_err fc_compare_check_label(const char *key, const char *const *labels, int i);

#endif

/* Autoregressive rollouts of a trained model (flowcast rollout) and their comparison with
 * a reference trajectory (flowcast compare). */
#ifndef FC_ROLLOUT_H
#define FC_ROLLOUT_H

#include "fc_case.h"

fc_err fc_rollout_declare(fc_case *c);
/* Reads the keys and runs the rollout, slab-decomposed over comm. */
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

/* Autoregressive rollouts of a trained model (flowcast rollout) and their comparison with
 * a reference trajectory (flowcast compare). */
#ifndef FC_ROLLOUT_H
#define FC_ROLLOUT_H

#include "fc_case.h"

fc_err fc_rollout_declare(fc_case *c);
/* Reads the keys and runs the rollout, slab-decomposed over comm. */
fc_err fc_rollout_run(fc_case *c, MPI_Comm comm, int argc, char **argv);

fc_err fc_compare_declare(fc_case *c);
fc_err fc_compare_run(fc_case *c, MPI_Comm comm, int argc, char **argv);

#endif

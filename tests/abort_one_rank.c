/* A failure on one rank while the others wait in a collective: the failing rank
 * prints its rank, the place and the message, and fc_finalize aborts the job, so
 * nothing hangs. Run by tests/abort.cmake at 2 and 3 ranks (the last rank fails). */
#include <petscsys.h>

#include "fc_error.h"

static fc_err fail_here(void) { FcRaiseLocal(FC_ERR_IO, "injected failure on the last rank"); }

static fc_err step(void)
{
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (rank == size - 1) FcCall(fail_here());
  FcCallMPI(MPI_Barrier(MPI_COMM_WORLD)); /* the others wait here for ever without the abort */
  return FC_SUCCESS;
}

int main(int argc, char **argv)
{
  if (PetscInitialize(&argc, &argv, NULL, NULL)) return 2;
  fc_init_libraries();
  return fc_finalize(step());
}

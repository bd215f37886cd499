/* Library set-up after PetscInitialize, and the end of a program after a failure. */
#include <fftw3-mpi.h>
#include <hdf5.h>
#include <petscsys.h>
#include <signal.h>
#include <stdio.h>

#include "fc_error.h"

void fc_init_libraries(void)
{
  PetscPushErrorHandler(PetscReturnErrorHandler, NULL);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  signal(SIGPIPE, SIG_DFL);
  fftwf_mpi_init(); /* FFTW-MPI: single precision for the neural operators, */
  fftw_mpi_init();  /* double precision for the channel solver's Poisson equation */
}

int fc_finalize(fc_err e)
{
  int code = e ? (FC_ERR_KIND(e) == FC_ERR_USAGE ? 2 : 1) : 0;
  fflush(stdout);
  fflush(stderr);
  if (e && !(e & FC_ERR_COLLECTIVE)) MPI_Abort(MPI_COMM_WORLD, code);
  PetscPopErrorHandler();
  fftwf_mpi_cleanup();
  fftw_mpi_cleanup();
  PetscFinalize();
  return code;
}

/* flowcast: entry point. Sets up MPI, PETSc and HDF5, runs a subcommand and turns a
 * failure into a non-zero exit on every rank: collective failures end cleanly, a
 * failure on one rank aborts the job (MPI_Abort) so that no rank hangs. */
#include <petscsys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_app.h"

static int is_help(const char *a) { return !strcmp(a, "-help") || !strcmp(a, "--help") || !strcmp(a, "-h"); }

int main(int argc, char **argv)
{
  /* PETSc sees the command line without the help flags: flowcast prints its own help. */
  char **pargv = calloc((size_t)argc + 1, sizeof *pargv), **cargv = calloc((size_t)argc + 1, sizeof *cargv);
  if (!pargv || !cargv) return 1;
  int pargc = 0, help = 0;
  for (int i = 0; i < argc; i++) {
    if (i > 0 && is_help(argv[i])) help = 1;
    else pargv[pargc++] = argv[i];
  }
  char **pargv0 = pargv;
  if (PetscInitialize(&pargc, &pargv, NULL, NULL)) {
    fprintf(stderr, "flowcast: error: cannot initialise MPI and PETSc\n");
    return 1;
  }
  fc_init_libraries();

  fc_app app = {MPI_COMM_WORLD, argc, argv, help, NULL, 0, cargv};
  fc_err e = fc_app_main(&app);
  free(pargv0);
  free(cargv);
  return fc_finalize(e);
}

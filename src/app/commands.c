/* Subcommand table, usage, --version, dispatch. */
#include <fftw3.h>
#include <hdf5.h>
#include <petscsys.h>
#include <stdio.h>
#include <string.h>

#include "fc_app.h"
#include "fc_case.h"
#include "fc_log.h"
#include "fc_version.h"

typedef struct {
  const char *name;
  fc_command_fn fn;
  const char *summary;
} fc_command;

static const fc_command commands[] = {
    {"run", fc_cmd_run, "run the job a case file names (main job: cases/fno_small.yaml; cases/taylor_green.yaml)"},
    {"info", fc_cmd_info, "describe HDF5 field, checkpoint or any other HDF5 files"},
    {"simulate", fc_cmd_simulate, "run a built-in solver from a case file (ns2d: cases/ns2d_small.yaml)"},
    {"filter", fc_cmd_filter, "filter DNS snapshots onto the surrogates' coarse grid (cases/channel_filter_small.yaml)"},
    {"train", fc_cmd_train, "train a neural operator (FNO, IFNO) on trajectory files"},
    {"rollout", fc_cmd_rollout, "autoregressive rollout of a trained model, slab-decomposed over the ranks"},
    {"compare", fc_cmd_compare, "relative L2 error of a trajectory against a reference, per step"},
};
static const int ncommands = (int)(sizeof commands / sizeof commands[0]);

static void usage(MPI_Comm comm)
{
  fc_print(comm,
           "flowcast %s: neural-operator surrogates and DNS/LES of turbulent flows\n\n"
           "usage: flowcast COMMAND [ARGS] [-key value ...]\n"
           "       mpiexec -n N flowcast COMMAND ...\n\ncommands:\n",
           FC_VERSION);
  for (int i = 0; i < ncommands; i++) fc_print(comm, "  %-9s %s\n", commands[i].name, commands[i].summary);
  fc_print(comm,
           "\noptions:\n"
           "  -help        list a command's case keys with their defaults and meaning\n"
           "  --version    print the version of flowcast and of its libraries\n"
           "  -log_view    print per-stage timers at the end (PETSc)\n"
           "\nCase files are YAML; any key can be overridden on the command line: -les_sgs wale.\n");
}

static void version(MPI_Comm comm)
{
  unsigned maj, min, rel;
  char mpi[MPI_MAX_LIBRARY_VERSION_STRING];
  int len;
  H5get_libversion(&maj, &min, &rel);
  MPI_Get_library_version(mpi, &len);
  char *nl = strchr(mpi, '\n');
  if (nl) *nl = 0;
  fc_print(comm, "flowcast %s\n  PETSc %d.%d.%d\n  HDF5 %u.%u.%u (parallel)\n  %s\n  %s\n", FC_VERSION,
           PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR, PETSC_VERSION_SUBMINOR, maj, min, rel, fftw_version, mpi);
}

static int is_help(const char *a) { return !strcmp(a, "-help") || !strcmp(a, "--help") || !strcmp(a, "-h"); }

fc_err fc_app_main(fc_app *app)
{
  int i = 1;
  if (app->argc > 1 && (!strcmp(app->argv[1], "--version") || !strcmp(app->argv[1], "-version"))) {
    version(app->comm);
    return FC_SUCCESS;
  }
  while (i < app->argc && is_help(app->argv[i])) i++;
  if (i >= app->argc) {
    usage(app->comm);
    if (app->help) return FC_SUCCESS;
    FcRaise(FC_ERR_USAGE, "no command given (expected one of run, info, simulate, filter, train, rollout, compare)");
  }
  const char *name = app->argv[i];
  for (int k = 0; k < ncommands; k++) {
    if (strcmp(name, commands[k].name)) continue;
    app->command = name;
    app->cargc = 0;
    for (int j = i + 1; j < app->argc; j++)
      if (!is_help(app->argv[j])) app->cargv[app->cargc++] = app->argv[j];
    app->cargv[app->cargc] = NULL;
    return commands[k].fn(app);
  }
  int best = 0;
  for (int k = 1; k < ncommands; k++)
    if (fc_edit_distance(name, commands[k].name) < fc_edit_distance(name, commands[best].name)) best = k;
  FcRaise(FC_ERR_USAGE, "unknown command '%s' (the nearest command is '%s'; flowcast -help lists them all)", name,
          commands[best].name);
}

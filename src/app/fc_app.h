/* The flowcast command: subcommand dispatch (commands.c) and one file per subcommand. */
#ifndef FC_APP_H
#define FC_APP_H

#include "fc_error.h"

typedef struct {
  MPI_Comm comm;
  int argc;     /* the full command line, for provenance */
  char **argv;
  int help;     /* -help, --help or -h was given */
  const char *command;
  int cargc;    /* arguments after the subcommand (help flags removed), in cargv[argc + 1] */
  char **cargv;
} fc_app;

typedef fc_err (*fc_command_fn)(fc_app *app);

fc_err fc_app_main(fc_app *app);

fc_err fc_cmd_info(fc_app *app);
fc_err fc_cmd_run(fc_app *app);
fc_err fc_cmd_simulate(fc_app *app);
fc_err fc_cmd_train(fc_app *app);
fc_err fc_cmd_rollout(fc_app *app);
fc_err fc_cmd_compare(fc_app *app);

#endif

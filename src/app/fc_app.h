/* The flowcast command: subcommand dispatch (commands.c) and one file per subcommand. */
#ifndef FC_APP_H
#define FC_APP_H

#include "fc_case.h"
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

/* A subcommand driven by a case file: its keys and what it runs (case_command.c). */
typedef struct {
  const char *name;
  fc_err (*declare)(fc_case *c);
  fc_err (*run)(fc_case *c, MPI_Comm comm, int argc, char **argv);
} fc_case_command;

fc_err fc_run_case_command(fc_app *app, const fc_case_command *k);

/* A subcommand whose case picks one of several variants by a choice key (run: `job`,
 * simulate: `solver`): the key is read first, then only that variant's keys are declared.
 * -help lists the variants and their keys (only the case's variant when a case is given). */
typedef struct {
  const char *name;
  fc_err (*declare)(fc_case *c);
  fc_err (*run)(fc_case *c, MPI_Comm comm, int argc, char **argv);
  const char *summary;
} fc_case_variant;

fc_err fc_run_variant_command(fc_app *app, const fc_key *selector, const fc_case_variant *variants, int nvariants);

fc_err fc_cmd_info(fc_app *app);
fc_err fc_cmd_run(fc_app *app);
fc_err fc_cmd_simulate(fc_app *app);
fc_err fc_cmd_filter(fc_app *app);
fc_err fc_cmd_train(fc_app *app);
fc_err fc_cmd_rollout(fc_app *app);
fc_err fc_cmd_compare(fc_app *app);

#endif

/* The shape every case-driven subcommand shares: declare its keys, print them for -help,
 * read the case file and the command-line overrides, run. */
#include "fc_app.h"
#include "fc_log.h"

static fc_err with_case(fc_app *app, fc_case *c, const fc_case_command *k)
{
  FcCall(k->declare(c));
  if (app->help) {
    fc_print(app->comm, "usage: flowcast %s CASE.yaml [-key value ...]\n\n", k->name);
    FcCall(fc_case_print_help(c, stdout));
    fc_print(app->comm, "\nRun-time options (command line only): -log_view prints per-stage timers at the end.\n");
    return FC_SUCCESS;
  }
  if (app->cargc < 1 || app->cargv[0][0] == '-')
    FcRaise(FC_ERR_USAGE, "flowcast %s: expected a case file: flowcast %s CASE.yaml [-key value ...]", k->name, k->name);
  FcCall(fc_case_set_from_file(c, app->cargv[0]));
  FcCall(fc_case_set_from_args(c, app->cargc - 1, app->cargv + 1));
  FcCall(k->run(c, app->comm, app->argc, app->argv));
  return FC_SUCCESS;
}

fc_err fc_run_case_command(fc_app *app, const fc_case_command *k)
{
  fc_case *c;
  FcCall(fc_case_create(app->comm, &c));
  fc_err e = with_case(app, c, k);
  fc_case_destroy(&c);
  return e;
}

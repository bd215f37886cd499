/* flowcast rollout CASE.yaml and flowcast compare CASE.yaml: one case-driven command each. */
#include "fc_app.h"
#include "fc_case.h"
#include "fc_log.h"
#include "fc_rollout.h"

typedef struct {
  const char *name;
  fc_err (*declare)(fc_case *c);
  fc_err (*run)(fc_case *c, MPI_Comm comm, int argc, char **argv);
} case_command;

static fc_err with_case(fc_app *app, fc_case *c, const case_command *k)
{
  FcCall(k->declare(c));
  if (app->help) {
    fc_print(app->comm, "usage: flowcast %s CASE.yaml [-key value ...]\n\n", k->name);
    FcCall(fc_case_print_help(c, stdout));
    return FC_SUCCESS;
  }
  if (app->cargc < 1 || app->cargv[0][0] == '-')
    FcRaise(FC_ERR_USAGE, "flowcast %s: expected a case file: flowcast %s CASE.yaml [-key value ...]", k->name, k->name);
  FcCall(fc_case_set_from_file(c, app->cargv[0]));
  FcCall(fc_case_set_from_args(c, app->cargc - 1, app->cargv + 1));
  FcCall(k->run(c, app->comm, app->argc, app->argv));
  return FC_SUCCESS;
}

static fc_err run_case_command(fc_app *app, const case_command *k)
{
  fc_case *c;
  FcCall(fc_case_create(app->comm, &c));
  fc_err e = with_case(app, c, k);
  fc_case_destroy(&c);
  return e;
}

fc_err fc_cmd_rollout(fc_app *app)
{
  static const case_command k = {"rollout", fc_rollout_declare, fc_rollout_run};
  return run_case_command(app, &k);
}

fc_err fc_cmd_compare(fc_app *app)
{
  static const case_command k = {"compare", fc_compare_declare, fc_compare_run};
  return run_case_command(app, &k);
}

/* flowcast train CASE.yaml [-key value ...]: trains a neural operator on trajectories. */
#include "fc_app.h"
#include "fc_case.h"
#include "fc_log.h"
#include "fc_train.h"

static fc_err train_with_case(fc_app *app, fc_case *c)
{
  FcCall(fc_train_declare(c));
  if (app->help) {
    fc_print(app->comm, "usage: flowcast train CASE.yaml [-key value ...]\n\n");
    FcCall(fc_case_print_help(c, stdout));
    return FC_SUCCESS;
  }
  if (app->cargc < 1 || app->cargv[0][0] == '-')
    FcRaise(FC_ERR_USAGE, "flowcast train: expected a case file: flowcast train CASE.yaml [-key value ...]");
  FcCall(fc_case_set_from_file(c, app->cargv[0]));
  FcCall(fc_case_set_from_args(c, app->cargc - 1, app->cargv + 1));
  fc_train_config t;
  FcCall(fc_train_read(c, &t));
  FcCall(fc_train_run(app->comm, &t, fc_case_file_path(c), fc_case_file_text(c)));
  return FC_SUCCESS;
}

fc_err fc_cmd_train(fc_app *app)
{
  fc_case *c;
  FcCall(fc_case_create(app->comm, &c));
  fc_err e = train_with_case(app, c);
  fc_case_destroy(&c);
  return e;
}

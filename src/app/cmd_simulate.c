/* flowcast simulate CASE.yaml [-key value ...]: runs the built-in solver a case file
 * describes (the ns2d dataset generator: src/jobs/ns2d_job.c). */
#include <string.h>

#include "fc_app.h"
#include "fc_case.h"
#include "fc_jobs.h"
#include "fc_log.h"

static fc_err simulate_with_case(fc_app *app, fc_case *c)
{
  FcCall(fc_ns2d_job_declare(c));
  if (app->help) {
    fc_print(app->comm, "usage: flowcast simulate CASE.yaml [-key value ...]\n\n");
    FcCall(fc_case_print_help(c, stdout));
    fc_print(app->comm, "\nRun-time options (command line only): -log_view prints per-stage timers at the end.\n");
    return FC_SUCCESS;
  }
  if (app->cargc < 1 || app->cargv[0][0] == '-')
    FcRaise(FC_ERR_USAGE, "flowcast simulate: expected a case file: flowcast simulate CASE.yaml [-key value ...]");
  FcCall(fc_case_set_from_file(c, app->cargv[0]));
  FcCall(fc_case_set_from_args(c, app->cargc - 1, app->cargv + 1));
  FcCall(fc_ns2d_job_run(c, app->comm, app->argc, app->argv));
  return FC_SUCCESS;
}

fc_err fc_cmd_simulate(fc_app *app)
{
  fc_case *c;
  FcCall(fc_case_create(app->comm, &c));
  fc_err e = simulate_with_case(app, c);
  fc_case_destroy(&c);
  return e;
}

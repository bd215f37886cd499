/* flowcast simulate CASE.yaml [-key value ...]: runs the built-in solver a case file
 * describes (the ns2d dataset generator: src/jobs/ns2d_job.c). */
#include "fc_app.h"
#include "fc_jobs.h"

fc_err fc_cmd_simulate(fc_app *app)
{
  static const fc_case_command k = {"simulate", fc_ns2d_job_declare, fc_ns2d_job_run};
  return fc_run_case_command(app, &k);
}

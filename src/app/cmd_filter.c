/* flowcast filter CASE.yaml [-key value ...]: filtered DNS on the surrogates' coarse grid,
 * one trajectory file per DNS snapshot file (src/jobs/filter_job.c, docs/cases.md). */
#include "fc_app.h"
#include "fc_jobs.h"

fc_err fc_cmd_filter(fc_app *app)
{
  static const fc_case_command k = {"filter", fc_filter_job_declare, fc_filter_job_run};
  return fc_run_case_command(app, &k);
}

/* flowcast rollout CASE.yaml and flowcast compare CASE.yaml. */
#include "fc_app.h"
#include "fc_rollout.h"

fc_err fc_cmd_rollout(fc_app *app)
{
  static const fc_case_command k = {"rollout", fc_rollout_declare, fc_rollout_run};
  return fc_run_case_command(app, &k);
}

fc_err fc_cmd_compare(fc_app *app)
{
  static const fc_case_command k = {"compare", fc_compare_declare, fc_compare_run};
  return fc_run_case_command(app, &k);
}

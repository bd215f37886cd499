/* flowcast train CASE.yaml [-key value ...]: trains a neural operator on trajectories. */
#include "fc_app.h"
#include "fc_train.h"

static fc_err train_run(fc_case *c, MPI_Comm comm, int argc, char **argv)
{
  (void)argc;
  (void)argv;
  fc_train_config t;
  FcCall(fc_train_read(c, &t));
  FcCall(fc_train_run(comm, &t, fc_case_file_path(c), fc_case_file_text(c)));
  return FC_SUCCESS;
}

fc_err fc_cmd_train(fc_app *app)
{
  static const fc_case_command k = {"train", fc_train_declare, train_run};
  return fc_run_case_command(app, &k);
}

/* flowcast info FILE.h5 [FILE.h5 ...]: describe field, checkpoint or any HDF5 files. */
#include <stdio.h>

#include "fc_app.h"
#include "fc_io.h"
#include "fc_log.h"

fc_err fc_cmd_info(fc_app *app)
{
  if (app->help) {
    fc_print(app->comm, "usage: flowcast info FILE.h5 [FILE.h5 ...]\n\n"
                        "Describes each file: for a flowcast field file its grid, parameters, provenance and\n"
                        "steps; for any HDF5 file its groups, datasets (shape, type, range) and attributes.\n"
                        "Fails with a non-zero exit on a missing, non-HDF5, truncated or corrupted file, or on\n"
                        "NaN/Inf values in a floating-point dataset.\n");
    return FC_SUCCESS;
  }
  if (app->cargc < 1) FcRaise(FC_ERR_USAGE, "flowcast info: expected one or more HDF5 files: flowcast info FILE.h5");
  for (int i = 0; i < app->cargc; i++) {
    if (app->cargv[i][0] == '-') FcRaise(FC_ERR_USAGE, "flowcast info: unknown option '%s'", app->cargv[i]);
  }
  for (int i = 0; i < app->cargc; i++) {
    if (i) fc_print(app->comm, "\n");
    FcCall(fc_h5_describe(app->comm, app->cargv[i], stdout));
  }
  return FC_SUCCESS;
}

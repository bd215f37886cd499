/* flowcast simulate CASE.yaml [-key value ...]: runs the built-in solver a case file names
 * (key `solver`): the 2D Navier-Stokes dataset generator or the channel DNS/LES. */
#include "fc_app.h"
#include "fc_jobs.h"

static const fc_case_variant solvers[] = {
    {"ns2d", fc_ns2d_job_declare, fc_ns2d_job_run,
     "2D Navier-Stokes trajectories, the FNO benchmark (cases/ns2d_small.yaml)"},
    {"channel", fc_channel_job_declare, fc_channel_job_run,
     "turbulent channel flow, DNS or LES (cases/channel180_dns.yaml, cases/channel180_les_*.yaml)"},
};

static const fc_key solver_key = {"solver", FC_KEY_CHOICE, "ns2d", 0, 0, "ns2d,channel",
                                  "which built-in solver `flowcast simulate` runs (see below)"};

fc_err fc_cmd_simulate(fc_app *app)
{
  return fc_run_variant_command(app, &solver_key, solvers, (int)(sizeof solvers / sizeof solvers[0]));
}

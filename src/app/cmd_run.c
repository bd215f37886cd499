/* flowcast run CASE.yaml [-key value ...]: runs the job a case file names (key `job`). */
#include "fc_app.h"
#include "fc_jobs.h"

static const fc_case_variant jobs[] = {
    {"fields", fc_fields_job_declare, fc_fields_job_run,
     "an exact Taylor-Green field series, or another code's HDF5 field converted (cases/taylor_green.yaml)"},
    {"fno_pipeline", fc_fno_pipeline_declare, fc_fno_pipeline_run,
     "2D Navier-Stokes data -> FNO training -> rollout -> error report (cases/fno_small.yaml)"},
    {"channel_dataset", fc_channel_dataset_declare, fc_channel_dataset_run,
     "channel DNS split into trajectories -> filtered onto the surrogates' grid (cases/channel180_dataset.yaml)"},
    {"channel_surrogates", fc_channel_surrogates_declare, fc_channel_surrogates_run,
     "surrogate rollouts and LES from one filtered-DNS snapshot -> comparison report (cases/channel180.yaml)"},
};

static const fc_key job_key = {"job", FC_KEY_CHOICE, "fields", 0, 0, "fields,fno_pipeline,channel_dataset,channel_surrogates",
                               "what `flowcast run` does (see below)"};

fc_err fc_cmd_run(fc_app *app)
{
  return fc_run_variant_command(app, &job_key, jobs, (int)(sizeof jobs / sizeof jobs[0]));
}

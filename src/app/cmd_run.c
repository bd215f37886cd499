/* flowcast run CASE.yaml [-key value ...]: runs the job a case file names (key `job`). */
#include <string.h>

#include "fc_app.h"
#include "fc_case.h"
#include "fc_jobs.h"
#include "fc_log.h"

typedef struct {
  const char *name;
  fc_err (*declare)(fc_case *c);
  fc_err (*run)(fc_case *c, MPI_Comm comm, int argc, char **argv);
  const char *summary;
} fc_job;

static const fc_job jobs[] = {
    {"fields", fc_fields_job_declare, fc_fields_job_run,
     "an exact Taylor-Green field series, or another code's HDF5 field converted (cases/taylor_green.yaml)"},
    {"fno_pipeline", fc_fno_pipeline_declare, fc_fno_pipeline_run,
     "2D Navier-Stokes data -> FNO training -> rollout -> error report (cases/fno_small.yaml)"},
};
static const int njobs = (int)(sizeof jobs / sizeof jobs[0]);

static const fc_key job_key[] = {
    {"job", FC_KEY_CHOICE, "fields", 0, 0, "fields,fno_pipeline", "what `flowcast run` does (see below)"},
};

/* -help: the job key, then each job's keys (a case file, if given, shows only its job's). */
static fc_err help(fc_app *app, const fc_job *only)
{
  fc_print(app->comm, "usage: flowcast run CASE.yaml [-key value ...]\n\njobs:\n");
  for (int j = 0; j < njobs; j++) fc_print(app->comm, "  %-13s %s\n", jobs[j].name, jobs[j].summary);
  for (int j = 0; j < njobs; j++) {
    if (only && only != &jobs[j]) continue;
    fc_case *c;
    FcCall(fc_case_create(app->comm, &c));
    fc_err e = fc_case_add_keys(c, "run", job_key, 1);
    if (!e) e = jobs[j].declare(c);
    fc_print(app->comm, "\n---- keys of job %s ----\n", jobs[j].name);
    if (!e) e = fc_case_print_help(c, stdout);
    fc_case_destroy(&c);
    FcCall(e);
  }
  fc_print(app->comm, "\nRun-time options (command line only): -log_view prints per-stage timers at the end.\n");
  return FC_SUCCESS;
}

static fc_err run_with_case(fc_app *app, fc_case *c)
{
  char name[32];
  FcCall(fc_case_add_keys(c, "run", job_key, 1));
  if (app->cargc < 1 || app->cargv[0][0] == '-') {
    if (app->help) return help(app, NULL);
    FcRaise(FC_ERR_USAGE, "flowcast run: expected a case file: flowcast run CASE.yaml [-key value ...]");
  }
  FcCall(fc_case_set_from_file(c, app->cargv[0]));
  FcCall(fc_case_set_from_args(c, app->cargc - 1, app->cargv + 1));
  FcCall(fc_case_get_string(c, "job", name, sizeof name));
  const fc_job *job = NULL;
  for (int j = 0; j < njobs; j++)
    if (!strcmp(jobs[j].name, name)) job = &jobs[j];
  if (!job) FcRaise(FC_ERR_INTERNAL, "job '%s' has no entry", name);
  if (app->help) return help(app, job);
  FcCall(job->declare(c));
  FcCall(job->run(c, app->comm, app->argc, app->argv));
  return FC_SUCCESS;
}

fc_err fc_cmd_run(fc_app *app)
{
  fc_case *c;
  FcCall(fc_case_create(app->comm, &c));
  fc_err e = run_with_case(app, c);
  fc_case_destroy(&c);
  return e;
}

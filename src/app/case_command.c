/* The shape every case-driven subcommand shares: declare its keys, print them for -help,
 * read the case file and the command-line overrides, run. */
#include <string.h>

#include "fc_app.h"
#include "fc_log.h"

static fc_err with_case(fc_app *app, fc_case *c, const fc_case_command *k)
{
  FcCall(k->declare(c));
  if (app->help) {
    fc_print(app->comm, "usage: flowcast %s CASE.yaml [-key value ...]\n\n", k->name);
    FcCall(fc_case_print_help(c, stdout));
    fc_print(app->comm, "\nRun-time options (command line only): -log_view prints per-stage timers at the end.\n");
    return FC_SUCCESS;
  }
  if (app->cargc < 1 || app->cargv[0][0] == '-')
    FcRaise(FC_ERR_USAGE, "flowcast %s: expected a case file: flowcast %s CASE.yaml [-key value ...]", k->name, k->name);
  FcCall(fc_case_set_from_file(c, app->cargv[0]));
  FcCall(fc_case_set_from_args(c, app->cargc - 1, app->cargv + 1));
  FcCall(k->run(c, app->comm, app->argc, app->argv));
  return FC_SUCCESS;
}

fc_err fc_run_case_command(fc_app *app, const fc_case_command *k)
{
  fc_case *c;
  FcCall(fc_case_create(app->comm, &c));
  fc_err e = with_case(app, c, k);
  fc_case_destroy(&c);
  return e;
}

/* -help of a variant command: the variants, then each one's keys (only `only`'s when given). */
static fc_err variant_help(fc_app *app, const fc_key *selector, const fc_case_variant *v, int n,
                           const fc_case_variant *only)
{
  fc_print(app->comm, "usage: flowcast %s CASE.yaml [-key value ...]\n\n%ss (key %s):\n", app->command, selector->name,
           selector->name);
  for (int j = 0; j < n; j++) fc_print(app->comm, "  %-13s %s\n", v[j].name, v[j].summary);
  for (int j = 0; j < n; j++) {
    if (only && only != &v[j]) continue;
    fc_case *c;
    FcCall(fc_case_create(app->comm, &c));
    fc_err e = fc_case_add_keys(c, app->command, selector, 1);
    if (!e) e = v[j].declare(c);
    fc_print(app->comm, "\n---- keys of %s %s ----\n", selector->name, v[j].name);
    if (!e) e = fc_case_print_help(c, stdout);
    fc_case_destroy(&c);
    FcCall(e);
  }
  fc_print(app->comm, "\nRun-time options (command line only): -log_view prints per-stage timers at the end.\n");
  return FC_SUCCESS;
}

static fc_err with_variant(fc_app *app, fc_case *c, const fc_key *selector, const fc_case_variant *v, int n)
{
  char name[64];
  FcCall(fc_case_add_keys(c, app->command, selector, 1));
  if (app->cargc < 1 || app->cargv[0][0] == '-') {
    if (app->help) return variant_help(app, selector, v, n, NULL);
    FcRaise(FC_ERR_USAGE, "flowcast %s: expected a case file: flowcast %s CASE.yaml [-key value ...]", app->command,
            app->command);
  }
  FcCall(fc_case_set_from_file(c, app->cargv[0]));
  FcCall(fc_case_set_from_args(c, app->cargc - 1, app->cargv + 1));
  FcCall(fc_case_get_string(c, selector->name, name, sizeof name));
  const fc_case_variant *chosen = NULL;
  for (int j = 0; j < n; j++)
    if (!strcmp(v[j].name, name)) chosen = &v[j];
  if (!chosen) FcRaise(FC_ERR_INTERNAL, "%s '%s' has no entry", selector->name, name);
  if (app->help) return variant_help(app, selector, v, n, chosen);
  FcCall(chosen->declare(c));
  FcCall(chosen->run(c, app->comm, app->argc, app->argv));
  return FC_SUCCESS;
}

fc_err fc_run_variant_command(fc_app *app, const fc_key *selector, const fc_case_variant *variants, int nvariants)
{
  fc_case *c;
  FcCall(fc_case_create(app->comm, &c));
  fc_err e = with_variant(app, c, selector, variants, nvariants);
  fc_case_destroy(&c);
  return e;
}

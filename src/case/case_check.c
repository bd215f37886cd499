/* Unknown keys ("did you mean ...?"), the -help table and the edit distance. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "case_private.h"

/* PETSc run-time options accepted on the command line (PETSc reads them from argv
 * at PetscInitialize; flowcast does not declare them). */
static int is_petsc_option(const char *name)
{
  static const char *const allowed[] = {
      "info",         "malloc_debug",      "malloc_dump",  "malloc_test",    "malloc_view",
      "memory_view",  "options_left",      "options_view", "options_monitor", "fp_trap",
      "on_error_abort", "on_error_attach_debugger", "start_in_debugger", "no_signal_handler",
      "skip_petscrc", "checkstack",        "help",         "h",              "version"};
  if (!strncasecmp(name, "log_", 4)) return 1;
  for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
    if (!strcasecmp(name, allowed[i])) return 1;
  return 0;
}

static int is_declared(const fc_case *c, const char *name)
{
  for (int s = 0; s < c->nsections; s++)
    for (int i = 0; i < c->sections[s].nkeys; i++)
      if (!strcasecmp(c->sections[s].keys[i].name, name)) return 1;
  return 0;
}

/* The declared key nearest to name; *close tells whether it is near enough to be a likely typo. */
static const char *nearest_key(const fc_case *c, const char *name, int *close)
{
  const char *best = NULL;
  int bestd = -1;
  char low[PETSC_MAX_OPTION_NAME];
  size_t n = 0;
  for (; name[n] && n + 1 < sizeof low; n++) low[n] = (char)(name[n] >= 'A' && name[n] <= 'Z' ? name[n] - 'A' + 'a' : name[n]);
  low[n] = '\0';
  for (int s = 0; s < c->nsections; s++)
    for (int i = 0; i < c->sections[s].nkeys; i++) {
      const char *k = c->sections[s].keys[i].name;
      int d = fc_edit_distance(low, k);
      if (d >= 0 && (bestd < 0 || d < bestd)) bestd = d, best = k;
    }
  *close = best && (bestd <= 2 || 3 * bestd <= (int)n);
  return best;
}

fc_err fc_case_check_unknown(fc_case *c)
{
  if (!c) FcRaise(FC_ERR_INTERNAL, "fc_case_check_unknown: no case");
  PetscInt n = 0;
  char **names = NULL, **values = NULL;
  FcCallPetsc(PetscOptionsLeftGet(c->opts, &n, &names, &values));
  char msg[PETSC_MAX_PATH_LEN + 2048] = "", others[1024] = "";
  int nunknown = 0;
  for (PetscInt i = 0; i < n; i++) {
    const char *name = names[i];
    int cmdline = fc_case_from_cmdline(c, name);
    if (is_declared(c, name) || (cmdline && is_petsc_option(name))) continue;
    int close = 0;
    const char *near = nearest_key(c, name, &close);
    if (nunknown++ == 0) {
      char origin[PETSC_MAX_PATH_LEN + 32];
      fc_case_origin(c, name, origin, sizeof origin);
      if (!cmdline && is_petsc_option(name))
        snprintf(msg, sizeof msg, "%s: key '%s' is a PETSc run-time option: give it on the command line (-%s)",
                 origin, name, name);
      else if (near && close)
        snprintf(msg, sizeof msg, "%s: unknown key '%s' (did you mean '%s'?)", origin, name, near);
      else if (near)
        snprintf(msg, sizeof msg, "%s: unknown key '%s' (the nearest valid key is '%s'; -help lists them all)",
                 origin, name, near);
      else
        snprintf(msg, sizeof msg, "%s: unknown key '%s' (-help lists the keys)", origin, name);
    } else {
      size_t o = strlen(others);
      if (near && close)
        snprintf(others + o, sizeof others - o, "%s'%s' (did you mean '%s'?)", nunknown > 2 ? ", " : "", name, near);
      else
        snprintf(others + o, sizeof others - o, "%s'%s'", nunknown > 2 ? ", " : "", name);
    }
  }
  FcCallPetsc(PetscOptionsLeftRestore(c->opts, &n, &names, &values));
  if (nunknown > 1) {
    size_t o = strlen(msg);
    snprintf(msg + o, sizeof msg - o, "; %d more unknown key%s: %s", nunknown - 1, nunknown > 2 ? "s" : "", others);
  }
  if (nunknown) FcRaiseComm(c->comm, FC_ERR_INPUT, "%s", msg);
  return FC_SUCCESS;
}

/* ----- -help ---------------------------------------------------------------------- */

static const char *type_name(const fc_key *k)
{
  switch (k->type) {
  case FC_KEY_INT: return "<int>";
  case FC_KEY_REAL: return strchr(k->def, ',') ? "<reals>" : "<real>";
  case FC_KEY_BOOL: return "<bool>";
  case FC_KEY_CHOICE: return "<choice>";
  default: return "<string>";
  }
}

static void key_columns(const fc_key *k, char *head, size_t hlen, char *def, size_t dlen, char *rng, size_t rlen)
{
  snprintf(head, hlen, "-%s %s", k->name, type_name(k));
  if (k->def[0]) snprintf(def, dlen, "(default: %s)", k->def);
  else snprintf(def, dlen, "(required)");
  int unbounded = k->min == 0 && k->max == 0;
  switch (k->type) {
  case FC_KEY_INT:
  case FC_KEY_REAL: {
    int lo = !unbounded && isfinite(k->min), hi = !unbounded && isfinite(k->max);
    if (lo && hi) snprintf(rng, rlen, "[%.15g, %.15g]", k->min, k->max);
    else if (lo) snprintf(rng, rlen, "[>= %.15g]", k->min);
    else if (hi) snprintf(rng, rlen, "[<= %.15g]", k->max);
    else rng[0] = '\0';
    break;
  }
  case FC_KEY_BOOL: snprintf(rng, rlen, "[true, false]"); break;
  case FC_KEY_CHOICE: {
    size_t o = 0;
    rng[o++] = '[';
    for (const char *p = k->choices; *p && o + 4 < rlen; p++) {
      if (*p == ' ') continue;
      rng[o++] = *p;
      if (*p == ',') rng[o++] = ' ';
    }
    rng[o++] = ']';
    rng[o] = '\0';
    break;
  }
  default: rng[0] = '\0'; break;
  }
}

#define HELP_MAXCOL 40

fc_err fc_case_print_help(fc_case *c, FILE *out)
{
  if (!c) FcRaise(FC_ERR_INTERNAL, "fc_case_print_help: no case");
  int rank = 0;
  FcCallMPI(MPI_Comm_rank(c->comm, &rank));
  if (rank != 0) return FC_SUCCESS;
  if (!out) out = stdout;
  char head[256], def[512], rng[1024];
  int w1 = 0, w2 = 0, w3 = 0;
  for (int s = 0; s < c->nsections; s++)
    for (int i = 0; i < c->sections[s].nkeys; i++) {
      key_columns(&c->sections[s].keys[i], head, sizeof head, def, sizeof def, rng, sizeof rng);
      int a = (int)strlen(head), b = (int)strlen(def), r = (int)strlen(rng);
      if (a > w1 && a <= HELP_MAXCOL) w1 = a;
      if (b > w2 && b <= HELP_MAXCOL) w2 = b;
      if (r > w3 && r <= HELP_MAXCOL) w3 = r;
    }
  fprintf(out, "Keys (in the YAML case file, nested mappings join with '_'; on the command line as -key value,\n"
               "which overrides the file):\n");
  for (int s = 0; s < c->nsections; s++) {
    fprintf(out, "\n%s:\n", c->sections[s].name[0] ? c->sections[s].name : "options");
    for (int i = 0; i < c->sections[s].nkeys; i++) {
      const fc_key *k = &c->sections[s].keys[i];
      key_columns(k, head, sizeof head, def, sizeof def, rng, sizeof rng);
      fprintf(out, "  %-*s  %-*s  %-*s  %s\n", w1, head, w2, def, w3, rng, k->help ? k->help : "");
    }
  }
  fflush(out);
  return FC_SUCCESS;
}

/* ----- Levenshtein distance --------------------------------------------------------- */

int fc_edit_distance(const char *a, const char *b)
{
  if (!a) a = "";
  if (!b) b = "";
  size_t la = strlen(a), lb = strlen(b);
  int stack[2][128];
  int *prev = stack[0], *cur = stack[1], *heap = NULL;
  if (lb + 1 > 128) {
    heap = malloc(2 * (lb + 1) * sizeof *heap);
    if (!heap) return -1;
    prev = heap;
    cur = heap + lb + 1;
  }
  for (size_t j = 0; j <= lb; j++) prev[j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    cur[0] = (int)i;
    for (size_t j = 1; j <= lb; j++) {
      int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
      int del = prev[j] + 1, ins = cur[j - 1] + 1;
      int m = sub < del ? sub : del;
      cur[j] = m < ins ? m : ins;
    }
    int *t = prev;
    prev = cur;
    cur = t;
  }
  int d = prev[lb];
  free(heap);
  return d;
}

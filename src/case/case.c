/* The fc_case object: its own PETSc options database, the declared keys, the keys
 * given on the command line and the case file's text (provenance). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "case_private.h"

static fc_err dup_string(const char *s, char **out)
{
  size_t n = strlen(s) + 1;
  FcCall(FcMalloc(n, out));
  memcpy(*out, s, n);
  return FC_SUCCESS;
}

fc_err fc_case_create(MPI_Comm comm, fc_case **c)
{
  fc_case *k = NULL;
  FcCall(FcMalloc(1, &k));
  k->comm = comm;
  FcCallPetsc(PetscOptionsCreate(&k->opts));
  FcCall(dup_string("", &k->path));
  FcCall(dup_string("", &k->text));
  *c = k;
  return FC_SUCCESS;
}

/* A key table copied by fc_case_add_keys_copy: every string is its own allocation. */
static void free_owned_keys(fc_key *keys, int n)
{
  if (!keys) return;
  for (int i = 0; i < n; i++) {
    free((char *)keys[i].name);
    free((char *)keys[i].def);
    free((char *)keys[i].choices);
    free((char *)keys[i].help);
  }
  free(keys);
}

fc_err fc_case_destroy(fc_case **c)
{
  if (!c || !*c) return FC_SUCCESS;
  fc_case *k = *c;
  if (k->opts) FcCallPetsc(PetscOptionsDestroy(&k->opts));
  for (int i = 0; i < k->nargs; i++) {
    free(k->args[i].key);
    free(k->args[i].value);
  }
  free(k->args);
  for (int i = 0; i < k->nsections; i++) free_owned_keys(k->sections[i].owned, k->sections[i].nkeys);
  free(k->sections);
  free(k->path);
  free(k->text);
  free(k);
  *c = NULL;
  return FC_SUCCESS;
}

fc_err fc_case_add_keys(fc_case *c, const char *section, const fc_key *keys, int nkeys)
{
  if (!c || !keys || nkeys < 0) FcRaise(FC_ERR_INTERNAL, "fc_case_add_keys: bad arguments");
  for (int i = 0; i < nkeys; i++) {
    const fc_key *k = &keys[i];
    if (!k->name || !k->name[0] || !k->def)
      FcRaiseComm(c->comm, FC_ERR_INTERNAL, "key table '%s': entry %d has no name or no default", section, i);
    if (k->type == FC_KEY_CHOICE && (!k->choices || !k->choices[0]))
      FcRaiseComm(c->comm, FC_ERR_INTERNAL, "key table '%s': choice key '%s' has no choices", section, k->name);
    const fc_key *old = fc_case_find_key(c, k->name);
    for (int j = 0; j < i && !old; j++)
      if (!strcmp(keys[j].name, k->name)) old = &keys[j];
    if (old) FcRaiseComm(c->comm, FC_ERR_INTERNAL, "key '%s' is declared twice", k->name);
  }
  if (c->nsections == c->capsections) {
    int cap = c->capsections ? 2 * c->capsections : 4;
    fc_case_section *s = realloc(c->sections, (size_t)cap * sizeof *s);
    if (!s) FcRaiseLocal(FC_ERR_MEMORY, "cannot grow the key table");
    c->sections = s;
    c->capsections = cap;
  }
  c->sections[c->nsections++] = (fc_case_section){.name = section ? section : "", .keys = keys, .nkeys = nkeys};
  return FC_SUCCESS;
}

static fc_err copy_text(const char *s, const char **out)
{
  *out = NULL;
  if (!s) return FC_SUCCESS;
  char *d = strdup(s);
  if (!d) FcRaiseLocal(FC_ERR_MEMORY, "cannot copy a key table");
  *out = d;
  return FC_SUCCESS;
}

fc_err fc_case_add_keys_copy(fc_case *c, const char *section, const fc_key *keys, int nkeys)
{
  if (!c || !keys || nkeys < 1) FcRaise(FC_ERR_INTERNAL, "fc_case_add_keys_copy: bad arguments");
  fc_key *own;
  FcCall(FcMalloc(nkeys, &own));
  fc_err e = FC_SUCCESS;
  for (int i = 0; i < nkeys && !e; i++) {
    own[i] = (fc_key){.type = keys[i].type, .min = keys[i].min, .max = keys[i].max};
    e = copy_text(keys[i].name, &own[i].name);
    if (!e) e = copy_text(keys[i].def, &own[i].def);
    if (!e) e = copy_text(keys[i].choices, &own[i].choices);
    if (!e) e = copy_text(keys[i].help, &own[i].help);
  }
  if (!e) e = fc_case_add_keys(c, section, own, nkeys);
  if (e) {
    free_owned_keys(own, nkeys);
    return e;
  }
  c->sections[c->nsections - 1].owned = own;
  return FC_SUCCESS;
}

const fc_key *fc_case_find_key(const fc_case *c, const char *key)
{
  for (int s = 0; s < c->nsections; s++)
    for (int i = 0; i < c->sections[s].nkeys; i++)
      if (!strcmp(c->sections[s].keys[i].name, key)) return &c->sections[s].keys[i];
  return NULL;
}

int fc_case_from_cmdline(const fc_case *c, const char *key)
{
  for (int i = 0; i < c->nargs; i++)
    if (!strcasecmp(c->args[i].key, key)) return 1;
  return 0;
}

fc_err fc_case_note_arg(fc_case *c, const char *key, const char *value)
{
  for (int i = 0; i < c->nargs; i++)
    if (!strcasecmp(c->args[i].key, key)) {
      char *v = NULL;
      FcCall(dup_string(value, &v));
      free(c->args[i].value);
      c->args[i].value = v;
      return FC_SUCCESS;
    }
  if (c->nargs == c->capargs) {
    int cap = c->capargs ? 2 * c->capargs : 16;
    fc_case_arg *a = realloc(c->args, (size_t)cap * sizeof *a);
    if (!a) FcRaiseLocal(FC_ERR_MEMORY, "cannot grow the argument list");
    c->args = a;
    c->capargs = cap;
  }
  fc_case_arg *a = &c->args[c->nargs];
  a->key = a->value = NULL;
  FcCall(dup_string(key, &a->key));
  FcCall(dup_string(value, &a->value));
  c->nargs++;
  return FC_SUCCESS;
}

fc_err fc_case_apply_args(fc_case *c)
{
  char name[PETSC_MAX_OPTION_NAME + 2];
  for (int i = 0; i < c->nargs; i++) {
    snprintf(name, sizeof name, "-%s", c->args[i].key);
    FcCallPetsc(PetscOptionsSetValue(c->opts, name, c->args[i].value));
  }
  return FC_SUCCESS;
}

void fc_case_origin(const fc_case *c, const char *key, char *buf, size_t len)
{
  if ((key && fc_case_from_cmdline(c, key)) || !c->path[0])
    snprintf(buf, len, "command line");
  else
    snprintf(buf, len, "case file %s", c->path);
}

fc_err fc_case_store_file(fc_case *c, const char *path, const char *text)
{
  char *p = NULL, *t = NULL;
  FcCall(dup_string(path, &p));
  FcCall(dup_string(text, &t));
  free(c->path);
  free(c->text);
  c->path = p;
  c->text = t;
  return FC_SUCCESS;
}

const char *fc_case_file_path(const fc_case *c) { return c ? c->path : ""; }
const char *fc_case_file_text(const fc_case *c) { return c ? c->text : ""; }

fc_err fc_case_set_default(fc_case *c, const char *key, const char *value)
{
  char name[PETSC_MAX_OPTION_NAME + 2];
  PetscBool set = PETSC_FALSE;
  if (!fc_case_find_key(c, key)) FcRaise(FC_ERR_INTERNAL, "fc_case_set_default: undeclared key '%s'", key);
  snprintf(name, sizeof name, "-%s", key);
  FcCallPetsc(PetscOptionsHasName(c->opts, NULL, name, &set));
  if (!set) FcCallPetsc(PetscOptionsSetValue(c->opts, name, value));
  return FC_SUCCESS;
}

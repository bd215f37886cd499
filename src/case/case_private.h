/* Internals of the case module, shared by the .c files of src/case only. */
#ifndef FC_CASE_PRIVATE_H
#define FC_CASE_PRIVATE_H

#include <petscsys.h>

#include "fc_case.h"

/* Longest option value the getters accept (PetscOptionsGetString copies into a buffer). */
#define FC_CASE_MAX_VALUE 8192
/* Largest case file accepted. */
#define FC_CASE_MAX_FILE (1024 * 1024)

typedef struct {
  const char *name; /* section name given to fc_case_add_keys */
  const fc_key *keys;
  int nkeys;
  fc_key *owned; /* fc_case_add_keys_copy: the case's own copy (keys == owned), else NULL */
} fc_case_section;

typedef struct {
  char *key;   /* without the dash */
  char *value; /* as given ("true" for a bare flag) */
} fc_case_arg;

struct fc_case {
  MPI_Comm comm;
  PetscOptions opts; /* the case's own database, never PETSc's global one */
  fc_case_section *sections;
  int nsections, capsections;
  fc_case_arg *args; /* keys set on the command line, in order */
  int nargs, capargs;
  char *path; /* case file path ("" when none) */
  char *text; /* case file text ("" when none) */
};

/* The declaration of key (exact name), or NULL. */
const fc_key *fc_case_find_key(const fc_case *c, const char *key);
/* Whether key (case-insensitive, like PETSc) was given on the command line. */
int fc_case_from_cmdline(const fc_case *c, const char *key);
/* Records a command-line key=value (the last one given wins). */
fc_err fc_case_note_arg(fc_case *c, const char *key, const char *value);
/* Re-applies the recorded command-line values on top of the database. */
fc_err fc_case_apply_args(fc_case *c);
/* Where a key's value comes from, as the prefix of a message: "command line" when the
 * key was given there or when no case file was read, else "case file PATH". */
void fc_case_origin(const fc_case *c, const char *key, char *buf, size_t len);
/* Stores the case file's path and text (takes a copy of both). */
fc_err fc_case_store_file(fc_case *c, const char *path, const char *text);

/* Line, column and problem of the first YAML syntax error in text (libyaml); 0 if none. */
int fc_yaml_locate_error(const char *text, size_t length, char *buf, size_t len);

#endif

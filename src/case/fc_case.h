/* Case files: YAML read through PETSc's options database.
 *
 * A case file is a YAML mapping; nested mappings join with '_' (PETSc's rule), so
 *     les:
 *       sgs: wale
 * is the key les_sgs, overridden on the command line by `-les_sgs smagorinsky`.
 * The command line always wins over the file.
 *
 * Every key a command understands is declared in a static table of fc_key (name,
 * type, default, range or choices, meaning). Values are read only through the
 * typed getters below, which parse strictly and check the range; fc_case_check_unknown
 * then rejects any key from the file or the command line that nobody declared,
 * naming the nearest declared key. `-help` prints the table.
 *
 * Lifecycle: fc_case_create -> fc_case_set_from_file (optional) -> fc_case_set_from_args
 *            -> getters -> fc_case_check_unknown -> fc_case_destroy.
 */
#ifndef FC_CASE_H
#define FC_CASE_H

#include <stdio.h>

#include "fc_error.h"

typedef enum { FC_KEY_INT, FC_KEY_REAL, FC_KEY_BOOL, FC_KEY_STRING, FC_KEY_CHOICE } fc_key_type;

typedef struct {
  const char *name;    /* option name without the dash: "grid_nx" */
  fc_key_type type;
  const char *def;     /* default value as text ("" = no default: the key is required) */
  double min, max;     /* inclusive range for FC_KEY_INT / FC_KEY_REAL; min = max = 0: no
                          range; -INFINITY or INFINITY: no bound on that side */
  const char *choices; /* comma-separated allowed values for FC_KEY_CHOICE */
  const char *help;    /* one line: meaning and unit */
} fc_key;

typedef struct fc_case fc_case;

fc_err fc_case_create(MPI_Comm comm, fc_case **c);
fc_err fc_case_destroy(fc_case **c);

/* Declares the keys of one command (the table must outlive the case). May be called
 * several times (a command plus the shared I/O keys, say). */
fc_err fc_case_add_keys(fc_case *c, const char *section, const fc_key *keys, int nkeys);
/* The same with a table built at run time (e.g. a choice list assembled from a registry): the
 * case keeps its own copy of the keys and their strings until fc_case_destroy. */
fc_err fc_case_add_keys_copy(fc_case *c, const char *section, const fc_key *keys, int nkeys);

/* Reads a YAML case file (collective). Errors: missing file, a directory, not a
 * regular readable text file (binary content), malformed YAML, a top level that is not
 * a mapping. Keeps the file's text for provenance. */
fc_err fc_case_set_from_file(fc_case *c, const char *path);

/* Options from the command line: "-key value" pairs and bare "-flag" (true).
 * A value may be negative ("-x -1.5"). Command-line values override the file.
 * argv holds option tokens only (no program name or subcommand); "--key" and
 * "-key=value" are accepted too; any other token is an FC_ERR_USAGE error. */
fc_err fc_case_set_from_args(fc_case *c, int argc, char **argv);

/* Typed getters; each key must have been declared. They parse the value strictly
 * and check its range or choices; the error names the key, the value, where it
 * came from (file or command line) and what was expected. */
fc_err fc_case_get_int(fc_case *c, const char *key, long *value);
fc_err fc_case_get_real(fc_case *c, const char *key, double *value);
fc_err fc_case_get_bool(fc_case *c, const char *key, int *value);
/* String or choice; copies into buf (error if it does not fit). */
fc_err fc_case_get_string(fc_case *c, const char *key, char *buf, size_t len);
/* A comma-separated list of reals (YAML lists arrive as "a,b,c"): exactly n values. */
fc_err fc_case_get_reals(fc_case *c, const char *key, int n, double *values);

/* Splits key's comma-separated value `text` (spaces around items dropped) into *n malloc'd
 * items (the caller frees them, also on error); an empty item or more than max is an error
 * naming the key. */
fc_err fc_case_split_list(const char *key, const char *text, int max, char **items, int *n);

/* Sets a declared key to value unless the case file or the command line gave it: a default
 * computed at run time (e.g. a path inside a pipeline's output directory). */
fc_err fc_case_set_default(fc_case *c, const char *key, const char *value);

/* Errors with the first key that was given but never declared, naming the nearest
 * declared key ("did you mean ...?"). PETSc's own run-time options (-log_view, ...)
 * are allowed on the command line. Call after every getter has run. */
fc_err fc_case_check_unknown(fc_case *c);

/* Prints every declared key (name, type, default, range, meaning) on rank 0. */
fc_err fc_case_print_help(fc_case *c, FILE *out);

/* Provenance: the case file's path and full text ("" when no file was read). */
const char *fc_case_file_path(const fc_case *c);
const char *fc_case_file_text(const fc_case *c);

/* Levenshtein distance (used for "did you mean"). */
int fc_edit_distance(const char *a, const char *b);

#endif

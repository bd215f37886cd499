/* Reading a YAML case file into the case's options database.
 *
 * Rank 0 checks and reads the file (exists, not a directory, a regular readable
 * file, at most 1 MiB, UTF-8 text) and broadcasts the verdict, so every rank raises
 * the same error; then the text, which every rank parses with PETSc's YAML loader
 * (PetscOptionsInsertStringYAML: the same loader PetscOptionsInsertFileYAML uses,
 * fed with the text already read, so the stored provenance is exactly what was
 * parsed). PETSc 3.18's loader turns nested mappings into '_'-joined keys and lists
 * of scalars into "a,b,c"; it rejects a top level that is a list or a scalar with
 * "Unsupported YAML node type: expected mapping", and reports any syntax error only
 * as "YAML parser loading error" (no line number).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "case_private.h"

#define MSG_LEN 5120

/* Line number (1-based) of byte offset off in text. */
static long line_of(const char *text, size_t off)
{
  long line = 1;
  for (size_t i = 0; i < off; i++)
    if (text[i] == '\n') line++;
  return line;
}

/* Offset of the first byte that is not UTF-8 text (a NUL, a control character other
 * than tab, newline and carriage return, or an invalid UTF-8 sequence), or n. */
static size_t first_non_text(const unsigned char *s, size_t n, int *is_nul)
{
  size_t i = 0;
  *is_nul = 0;
  while (i < n) {
    unsigned char b = s[i];
    if (b < 0x80) {
      if (b == 0) {
        *is_nul = 1;
        return i;
      }
      if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') return i;
      i++;
      continue;
    }
    size_t len;
    unsigned cp;
    if (b >= 0xC2 && b <= 0xDF) len = 2, cp = b & 0x1Fu;
    else if (b >= 0xE0 && b <= 0xEF) len = 3, cp = b & 0x0Fu;
    else if (b >= 0xF0 && b <= 0xF4) len = 4, cp = b & 0x07u;
    else return i;
    if (i + len > n) return i;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return n;
}

/* Rank 0: checks and reads the file. Returns 0 and the text (malloc'ed) or 1 and a
 * message. */
static int read_case_file(const char *path, char **text, size_t *len, char *msg, size_t msglen)
{
  struct stat st;
  *text = NULL;
  *len = 0;
  if (stat(path, &st)) {
    if (errno == ENOENT || errno == ENOTDIR)
      snprintf(msg, msglen, "case file %s does not exist", path);
    else
      snprintf(msg, msglen, "case file %s cannot be accessed (%s)", path, strerror(errno));
    return 1;
  }
  if (S_ISDIR(st.st_mode)) {
    snprintf(msg, msglen, "case file %s is a directory, not a file", path);
    return 1;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(msg, msglen, "case file %s is not a regular file", path);
    return 1;
  }
  if (st.st_size > FC_CASE_MAX_FILE) {
    snprintf(msg, msglen, "case file %s is too large (%lld bytes; a case file is at most 1 MiB)", path,
             (long long)st.st_size);
    return 1;
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(msg, msglen, "case file %s is not readable (%s)", path, strerror(errno));
    return 1;
  }
  char *buf = malloc(FC_CASE_MAX_FILE + 2);
  if (!buf) {
    fclose(f);
    snprintf(msg, msglen, "case file %s: cannot allocate memory to read it", path);
    return 1;
  }
  size_t n = fread(buf, 1, FC_CASE_MAX_FILE + 1, f);
  int bad = ferror(f);
  int saved = errno;
  fclose(f);
  if (bad) {
    free(buf);
    snprintf(msg, msglen, "case file %s is not readable (%s)", path, strerror(saved));
    return 1;
  }
  if (n > FC_CASE_MAX_FILE) {
    free(buf);
    snprintf(msg, msglen, "case file %s is too large (more than 1 MiB)", path);
    return 1;
  }
  buf[n] = '\0';
  int is_nul = 0;
  size_t off = first_non_text((const unsigned char *)buf, n, &is_nul);
  if (off < n) {
    if (is_nul)
      snprintf(msg, msglen, "case file %s is a binary file, not YAML text (NUL byte at line %ld)", path,
               line_of(buf, off));
    else
      snprintf(msg, msglen,
               "case file %s is not UTF-8 text (byte 0x%02X at line %ld): a binary file, or text in another "
               "encoding",
               path, (unsigned)(unsigned char)buf[off], line_of(buf, off));
    free(buf);
    return 1;
  }
  *text = buf;
  *len = n;
  return 0;
}

/* Parses text into a scratch database first, so that a failure leaves the case
 * untouched and an empty scratch database tells a non-mapping top level apart. */
static fc_err insert_yaml(fc_case *c, const char *path, const char *text)
{
  PetscOptions tmp = NULL;
  FcCallPetsc(PetscOptionsCreate(&tmp));
  FcCallPetsc(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  PetscErrorCode perr = PetscOptionsInsertStringYAML(tmp, text);
  FcCallPetsc(PetscPopErrorHandler());
  if (perr) {
    const char *generic = NULL;
    char *specific = NULL;
    char detail[1024];
    PetscInt nset = 0;
    char **names = NULL, **values = NULL;
    PetscErrorMessage(perr, &generic, &specific);
    snprintf(detail, sizeof detail, "%s", specific && specific[0] ? specific : generic ? generic : "error");
    FcCallPetsc(PetscOptionsLeftGet(tmp, &nset, &names, &values));
    FcCallPetsc(PetscOptionsLeftRestore(tmp, &nset, &names, &values));
    FcCallPetsc(PetscOptionsDestroy(&tmp));
    if (perr == PETSC_ERR_SUP && strstr(detail, "expected mapping") && nset == 0)
      FcRaiseComm(c->comm, FC_ERR_INPUT,
                  "case file %s: top level must be a mapping of keys ('key: value' lines), not a list or a "
                  "single value",
                  path);
    if (perr == PETSC_ERR_SUP)
      FcRaiseComm(c->comm, FC_ERR_INPUT,
                  "case file %s: unsupported YAML structure: %s (values must be scalars, lists of scalars or "
                  "nested mappings)",
                  path, detail);
    char where[512];
    if (fc_yaml_locate_error(text, strlen(text), where, sizeof where))
      FcRaiseComm(c->comm, FC_ERR_INPUT, "case file %s: malformed YAML at %s", path, where);
    FcRaiseComm(c->comm, FC_ERR_INPUT,
                "case file %s: malformed YAML: %s (check the indentation, the ':' after each key and the "
                "brackets and quotes)",
                path, detail);
  }
  /* Copy the keys into the case's database. */
  PetscInt n = 0;
  char **names = NULL, **values = NULL;
  FcCallPetsc(PetscOptionsLeftGet(tmp, &n, &names, &values));
  for (PetscInt i = 0; i < n; i++) {
    char name[PETSC_MAX_OPTION_NAME + 2];
    snprintf(name, sizeof name, "-%s", names[i]);
    FcCallPetsc(PetscOptionsSetValue(c->opts, name, values[i]));
  }
  FcCallPetsc(PetscOptionsLeftRestore(tmp, &n, &names, &values));
  FcCallPetsc(PetscOptionsDestroy(&tmp));
  return FC_SUCCESS;
}

fc_err fc_case_set_from_file(fc_case *c, const char *path)
{
  if (!c) FcRaise(FC_ERR_INTERNAL, "fc_case_set_from_file: no case");
  if (!path || !path[0]) FcRaiseComm(c->comm, FC_ERR_INPUT, "the case file name is empty");
  if (c->path[0]) FcRaiseComm(c->comm, FC_ERR_INTERNAL, "a case file (%s) was already read", c->path);

  int rank = 0;
  FcCallMPI(MPI_Comm_rank(c->comm, &rank));
  char msg[MSG_LEN] = "";
  char *text = NULL;
  size_t len = 0;
  int verdict = 0;
  if (rank == 0) verdict = read_case_file(path, &text, &len, msg, sizeof msg);
  FcCallMPI(MPI_Bcast(&verdict, 1, MPI_INT, 0, c->comm));
  if (verdict) {
    FcCallMPI(MPI_Bcast(msg, MSG_LEN, MPI_CHAR, 0, c->comm));
    FcRaiseComm(c->comm, FC_ERR_INPUT, "%s", msg);
  }
  long long n = (long long)len;
  FcCallMPI(MPI_Bcast(&n, 1, MPI_LONG_LONG, 0, c->comm));
  if (rank != 0) {
    FcCall(FcMalloc(n + 1, &text));
    text[n] = '\0';
  }
  FcCallMPI(MPI_Bcast(text, (int)n + 1, MPI_CHAR, 0, c->comm));

  fc_err e = insert_yaml(c, path, text);
  if (!e) e = fc_case_store_file(c, path, text);
  free(text);
  FcCall(e);
  /* The command line wins, also when it was given before the file. */
  FcCall(fc_case_apply_args(c));
  return FC_SUCCESS;
}

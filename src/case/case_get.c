/* Typed getters: the value (command line, else case file, else the declared default)
 * is parsed strictly and checked against the declared range or choices. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "case_private.h"

/* ----- what a key expects, for messages ---------------------------------------- */

static int has_min(const fc_key *k) { return !(k->min == 0 && k->max == 0) && isfinite(k->min); }
static int has_max(const fc_key *k) { return !(k->min == 0 && k->max == 0) && isfinite(k->max); }

/* "[a, b]", ">= a", "<= b" or "" (no range). */
static void range_text(const fc_key *k, char *buf, size_t len)
{
  if (has_min(k) && has_max(k)) snprintf(buf, len, "in [%.15g, %.15g]", k->min, k->max);
  else if (has_min(k)) snprintf(buf, len, ">= %.15g", k->min);
  else if (has_max(k)) snprintf(buf, len, "<= %.15g", k->max);
  else buf[0] = '\0';
}

/* "a, b, c" from "a,b,c". */
static void choices_text(const char *choices, char *buf, size_t len)
{
  size_t o = 0;
  for (const char *p = choices; *p && o + 3 < len; p++) {
    if (*p == ',') {
      buf[o++] = ',';
      buf[o++] = ' ';
      while (p[1] == ' ') p++;
    } else
      buf[o++] = *p;
  }
  buf[o] = '\0';
}

/* The expectation of a key ("an integer in [2, 65536]"); nlist > 0 for a list of reals. */
static void expect_text(const fc_key *k, int nlist, char *buf, size_t len)
{
  char r[128], ch[1024];
  range_text(k, r, sizeof r);
  const char *sep = r[0] ? " " : "";
  switch (k->type) {
  case FC_KEY_INT: snprintf(buf, len, "an integer%s%s", sep, r); break;
  case FC_KEY_REAL:
    if (nlist > 0)
      snprintf(buf, len, "%d real number%s separated by commas%s%s", nlist, nlist > 1 ? "s" : "",
               r[0] ? (nlist > 1 ? ", each " : ", ") : "", r);
    else
      snprintf(buf, len, "a real number%s%s", sep, r);
    break;
  case FC_KEY_BOOL: snprintf(buf, len, "true/false, yes/no, on/off or 1/0"); break;
  case FC_KEY_CHOICE:
    choices_text(k->choices, ch, sizeof ch);
    snprintf(buf, len, "one of %s", ch);
    break;
  default: snprintf(buf, len, "a string"); break;
  }
}

/* ----- raising errors ---------------------------------------------------------- */

/* "<origin>: key 'k' = 'v' <what>" (a user error), or an internal error when the bad
 * value is the declared default. */
static fc_err bad_value(fc_case *c, const fc_key *k, int set, const char *val, const char *what)
{
  if (!set)
    FcRaiseComm(c->comm, FC_ERR_INTERNAL, "the declared default of key '%s' = '%.200s' %s", k->name, val, what);
  char origin[PETSC_MAX_PATH_LEN + 32];
  fc_case_origin(c, k->name, origin, sizeof origin);
  FcRaiseComm(c->comm, FC_ERR_INPUT, "%s: key '%s' = '%.200s' %s", origin, k->name, val, what);
}

/* "<what> (expected <expectation>)". */
static fc_err bad_value_expect(fc_case *c, const fc_key *k, int set, const char *val, const char *what,
                               int nlist)
{
  char e[1200], tail[1400];
  expect_text(k, nlist, e, sizeof e);
  snprintf(tail, sizeof tail, "%s (expected %s)", what, e);
  return bad_value(c, k, set, val, tail);
}

/* ----- fetching the text of a key ---------------------------------------------- */

static fc_err find_declared(fc_case *c, const char *key, const fc_key **kp)
{
  if (!c || !key) FcRaise(FC_ERR_INTERNAL, "case getter called without a case or a key");
  *kp = fc_case_find_key(c, key);
  if (!*kp)
    FcRaiseComm(c->comm, FC_ERR_INTERNAL, "key '%s' was read but never declared (add it to the command's key table)",
                key);
  return FC_SUCCESS;
}

static fc_err check_type(fc_case *c, const fc_key *k, int ok, const char *getter)
{
  if (!ok) FcRaiseComm(c->comm, FC_ERR_INTERNAL, "key '%s' is read with %s, which does not fit its type", k->name, getter);
  return FC_SUCCESS;
}

/* Copies the value of k into val (FC_CASE_MAX_VALUE bytes): from the database (this
 * marks the option used) or the default; *set tells which. An absent required key
 * and an empty value (a YAML "key:" with nothing after it) are errors unless
 * allow_empty (optional strings). */
static fc_err fetch(fc_case *c, const fc_key *k, char *val, int *set, int allow_empty)
{
  char name[PETSC_MAX_OPTION_NAME + 2];
  PetscBool flg = PETSC_FALSE;
  snprintf(name, sizeof name, "-%s", k->name);
  val[0] = '\0';
  FcCallPetsc(PetscOptionsGetString(c->opts, NULL, name, val, FC_CASE_MAX_VALUE, &flg));
  *set = flg ? 1 : 0;
  char origin[PETSC_MAX_PATH_LEN + 32];
  fc_case_origin(c, k->name, origin, sizeof origin);
  if (flg && strlen(val) >= FC_CASE_MAX_VALUE - 1)
    FcRaiseComm(c->comm, FC_ERR_INPUT, "%s: the value of key '%s' is too long (more than %d characters)", origin,
                k->name, FC_CASE_MAX_VALUE - 2);
  if (!flg) {
    if (!k->def[0]) {
      if (c->path[0])
        FcRaiseComm(c->comm, FC_ERR_INPUT, "case file %s: required key '%s' is missing", c->path, k->name);
      FcRaiseComm(c->comm, FC_ERR_INPUT,
                  "required key '%s' is missing (give it in a case file or as -%s on the command line)", k->name,
                  k->name);
    }
    snprintf(val, FC_CASE_MAX_VALUE, "%s", k->def);
    return FC_SUCCESS;
  }
  if (!val[0] && !(allow_empty && k->def[0])) {
    char e[1200];
    expect_text(k, 0, e, sizeof e);
    FcRaiseComm(c->comm, FC_ERR_INPUT, "%s: key '%s' has no value (expected %s)", origin, k->name, e);
  }
  return FC_SUCCESS;
}

/* ----- strict parsing ------------------------------------------------------------ */

/* 0: ok, 1: not an integer, 2: overflow. */
static int parse_long(const char *s, long *v)
{
  if (!s[0] || isspace((unsigned char)s[0])) return 1;
  char *end = NULL;
  errno = 0;
  *v = strtol(s, &end, 10);
  if (*end) return 1;
  return errno == ERANGE ? 2 : 0;
}

/* 0: ok, 1: not a number, 2: not finite (nan, inf, overflow). Decimal only. */
static int parse_double(const char *s, double *v)
{
  if (!s[0] || isspace((unsigned char)s[0])) return 1;
  char *end = NULL;
  *v = strtod(s, &end);
  if (*end) return 1;
  if (!isfinite(*v)) return 2;
  for (const char *p = s; *p; p++)
    if (!(isdigit((unsigned char)*p) || strchr("+-.eE", *p))) return 1; /* hex floats */
  return 0;
}

static int in_range(const fc_key *k, double v)
{
  return !(has_min(k) && v < k->min) && !(has_max(k) && v > k->max);
}

/* ----- getters --------------------------------------------------------------------- */

fc_err fc_case_get_int(fc_case *c, const char *key, long *value)
{
  const fc_key *k;
  char *val = NULL;
  int set;
  long v = 0;
  FcCall(find_declared(c, key, &k));
  FcCall(check_type(c, k, k->type == FC_KEY_INT, "fc_case_get_int"));
  FcCall(FcMalloc(FC_CASE_MAX_VALUE, &val));
  fc_err e = fetch(c, k, val, &set, 0);
  if (!e) {
    int r = parse_long(val, &v);
    if (r == 1) e = bad_value_expect(c, k, set, val, "is not an integer", 0);
    else if (r == 2 || !in_range(k, (double)v)) e = bad_value_expect(c, k, set, val, "is out of range", 0);
  }
  free(val);
  FcCall(e);
  *value = v;
  return FC_SUCCESS;
}

fc_err fc_case_get_real(fc_case *c, const char *key, double *value)
{
  const fc_key *k;
  char *val = NULL;
  int set;
  double v = 0;
  FcCall(find_declared(c, key, &k));
  FcCall(check_type(c, k, k->type == FC_KEY_REAL, "fc_case_get_real"));
  FcCall(FcMalloc(FC_CASE_MAX_VALUE, &val));
  fc_err e = fetch(c, k, val, &set, 0);
  if (!e) {
    int r = parse_double(val, &v);
    if (r == 1) e = bad_value_expect(c, k, set, val, "is not a real number", 0);
    else if (r == 2) e = bad_value_expect(c, k, set, val, "is not a finite real number", 0);
    else if (!in_range(k, v)) e = bad_value_expect(c, k, set, val, "is out of range", 0);
  }
  free(val);
  FcCall(e);
  *value = v;
  return FC_SUCCESS;
}

fc_err fc_case_get_bool(fc_case *c, const char *key, int *value)
{
  static const char *const yes[] = {"true", "yes", "on", "1"};
  static const char *const no[] = {"false", "no", "off", "0"};
  const fc_key *k;
  char *val = NULL;
  int set, v = -1;
  FcCall(find_declared(c, key, &k));
  FcCall(check_type(c, k, k->type == FC_KEY_BOOL, "fc_case_get_bool"));
  FcCall(FcMalloc(FC_CASE_MAX_VALUE, &val));
  fc_err e = fetch(c, k, val, &set, 0);
  if (!e) {
    for (int i = 0; i < 4 && v < 0; i++) {
      if (!strcasecmp(val, yes[i])) v = 1;
      if (!strcasecmp(val, no[i])) v = 0;
    }
    if (v < 0) e = bad_value_expect(c, k, set, val, "is not a boolean", 0);
  }
  free(val);
  FcCall(e);
  *value = v;
  return FC_SUCCESS;
}

/* Finds val among the comma-separated choices (case-insensitive); copies the declared
 * spelling into out, or the nearest choice into near (empty when none is close). */
static int match_choice(const char *choices, const char *val, char *out, size_t outlen, char *near, size_t nearlen)
{
  int best = -1;
  near[0] = '\0';
  const char *p = choices;
  while (*p) {
    while (*p == ' ') p++;
    const char *q = p;
    while (*q && *q != ',') q++;
    size_t n = (size_t)(q - p);
    while (n > 0 && p[n - 1] == ' ') n--;
    char one[256];
    snprintf(one, sizeof one, "%.*s", (int)n, p);
    if (!strcasecmp(one, val)) {
      snprintf(out, outlen, "%s", one);
      return 1;
    }
    int d = fc_edit_distance(one, val);
    if (d >= 0 && (best < 0 || d < best) && (d <= 2 || 3 * d <= (int)n)) {
      best = d;
      snprintf(near, nearlen, "%s", one);
    }
    p = *q ? q + 1 : q;
  }
  return 0;
}

fc_err fc_case_get_string(fc_case *c, const char *key, char *buf, size_t len)
{
  const fc_key *k;
  char *val = NULL;
  int set;
  FcCall(find_declared(c, key, &k));
  FcCall(check_type(c, k, k->type == FC_KEY_STRING || k->type == FC_KEY_CHOICE, "fc_case_get_string"));
  if (!buf || len == 0) FcRaiseComm(c->comm, FC_ERR_INTERNAL, "fc_case_get_string('%s'): no buffer", key);
  FcCall(FcMalloc(FC_CASE_MAX_VALUE, &val));
  fc_err e = fetch(c, k, val, &set, k->type == FC_KEY_STRING);
  if (!e && k->type == FC_KEY_CHOICE) {
    char canon[256], near[256], ch[1024], what[1400];
    if (match_choice(k->choices, val, canon, sizeof canon, near, sizeof near))
      snprintf(val, FC_CASE_MAX_VALUE, "%s", canon);
    else {
      choices_text(k->choices, ch, sizeof ch);
      if (near[0])
        snprintf(what, sizeof what, "is not one of %s (did you mean '%s'?)", ch, near);
      else
        snprintf(what, sizeof what, "is not one of %s", ch);
      e = bad_value(c, k, set, val, what);
    }
  }
  if (!e && strlen(val) >= len) {
    if (set) {
      char origin[PETSC_MAX_PATH_LEN + 32];
      fc_case_origin(c, k->name, origin, sizeof origin);
      e = fc_error_raise(c->comm, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                         "%s: the value of key '%s' is too long (%zu characters; at most %zu)", origin, k->name,
                         strlen(val), len - 1);
    } else
      e = fc_error_raise(c->comm, 1, FC_ERR_INTERNAL, __func__, __FILE__, __LINE__,
                         "the default of key '%s' does not fit a buffer of %zu bytes", k->name, len);
  }
  if (!e) memcpy(buf, val, strlen(val) + 1);
  free(val);
  FcCall(e);
  return FC_SUCCESS;
}

fc_err fc_case_get_reals(fc_case *c, const char *key, int n, double *values)
{
  const fc_key *k;
  char *val = NULL;
  int set;
  FcCall(find_declared(c, key, &k));
  FcCall(check_type(c, k, k->type == FC_KEY_REAL && n > 0 && values, "fc_case_get_reals"));
  FcCall(FcMalloc(FC_CASE_MAX_VALUE, &val));
  fc_err e = fetch(c, k, val, &set, 0);
  if (e) {
    free(val);
    return e;
  }
  /* Work on a copy: "[a, b, c]" (a bracketed command-line list) or "a,b,c". */
  char *work = NULL;
  double *tmp = NULL;
  e = FcMalloc(FC_CASE_MAX_VALUE, &work);
  if (!e) e = FcMalloc(n, &tmp);
  if (e) {
    free(work);
    free(val);
    return e;
  }
  char *s = work;
  snprintf(work, FC_CASE_MAX_VALUE, "%s", val);
  size_t L = strlen(s);
  if (L >= 2 && s[0] == '[' && s[L - 1] == ']') {
    s[L - 1] = '\0';
    s++;
  }
  int count = 0;
  char *p = s;
  char what[512];
  for (;;) {
    char *q = strchr(p, ',');
    if (q) *q = '\0';
    while (isspace((unsigned char)*p)) p++;
    char *end = p + strlen(p);
    while (end > p && isspace((unsigned char)end[-1])) *--end = '\0';
    if (!*p && !q && count == 0) break; /* no values at all */
    double v = 0;
    int r = parse_double(p, &v);
    if (r || !in_range(k, v)) {
      snprintf(what, sizeof what, "has %s '%.100s'", r == 1 ? "a value that is not a real number:"
                                                          : r == 2 ? "a value that is not finite:"
                                                                   : "a value out of range:",
               p);
      e = bad_value_expect(c, k, set, val, what, n);
      break;
    }
    if (count < n) tmp[count] = v;
    count++;
    if (!q) break;
    p = q + 1;
  }
  if (!e && count != n) {
    snprintf(what, sizeof what, "has %d value%s", count, count == 1 ? "" : "s");
    e = bad_value_expect(c, k, set, val, what, n);
  }
  if (!e) memcpy(values, tmp, (size_t)n * sizeof *values);
  free(tmp);
  free(work);
  free(val);
  FcCall(e);
  return FC_SUCCESS;
}

fc_err fc_case_split_list(const char *key, const char *text, int max, char **items, int *n)
{
  *n = 0;
  for (const char *p = text;; p++) {
    size_t len = strcspn(p, ",");
    const char *a = p, *b = p + len;
    while (a < b && isspace((unsigned char)*a)) a++;
    while (b > a && isspace((unsigned char)b[-1])) b--;
    if (a == b)
      FcRaise(FC_ERR_INPUT, "key '%s' = '%s': item %d of the comma-separated list is empty", key, text, *n + 1);
    if (*n == max) FcRaise(FC_ERR_INPUT, "key '%s' lists more than %d items", key, max);
    FcCall(FcMalloc(b - a + 1, &items[*n]));
    memcpy(items[(*n)++], a, (size_t)(b - a));
    p += len;
    if (!*p) break;
  }
  return FC_SUCCESS;
}

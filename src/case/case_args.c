/* Command-line options: "-key value", bare "-flag" (true), "--key" as "-key",
 * "-key=value"; a value may be a negative number ("-x -1.5"). */
#include <ctype.h>
#include <string.h>

#include "case_private.h"

/* A token such as "-1.5", "-2e3", "-.5", "-7" or "-1,2,3": a (negative) value, not an
 * option name (names start with a letter or '_'). */
static int is_negative_number(const char *s)
{
  return s[0] == '-' && (isdigit((unsigned char)s[1]) || (s[1] == '.' && isdigit((unsigned char)s[2])));
}

static int valid_name(const char *s, size_t n)
{
  if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return 0;
  for (size_t i = 0; i < n; i++)
    if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) return 0;
  return 1;
}

fc_err fc_case_set_from_args(fc_case *c, int argc, char **argv)
{
  if (!c || argc < 0 || (argc > 0 && !argv)) FcRaise(FC_ERR_INTERNAL, "fc_case_set_from_args: bad arguments");
  for (int i = 0; i < argc; i++) {
    const char *tok = argv[i];
    if (!tok) FcRaiseComm(c->comm, FC_ERR_INTERNAL, "argv[%d] is NULL", i);
    if (tok[0] != '-' || is_negative_number(tok))
      FcRaiseComm(c->comm, FC_ERR_USAGE, "unexpected argument '%s' (options are written -key value)", tok);
    const char *name = tok + (tok[1] == '-' ? 2 : 1);
    const char *eq = strchr(name, '=');
    size_t n = eq ? (size_t)(eq - name) : strlen(name);
    if (!valid_name(name, n)) {
      if (n == 0) FcRaiseComm(c->comm, FC_ERR_USAGE, "unexpected argument '%s' (options are written -key value)", tok);
      FcRaiseComm(c->comm, FC_ERR_USAGE,
                  "bad option '%s' (a key is made of letters, digits and '_', and starts with a letter)", tok);
    }
    if (n > PETSC_MAX_OPTION_NAME - 2) FcRaiseComm(c->comm, FC_ERR_USAGE, "option '%s' is too long", tok);
    char key[PETSC_MAX_OPTION_NAME];
    memcpy(key, name, n);
    key[n] = '\0';
    const char *value;
    if (eq)
      value = eq + 1;
    else if (i + 1 < argc && argv[i + 1] && (argv[i + 1][0] != '-' || is_negative_number(argv[i + 1])))
      value = argv[++i];
    else
      value = "true";
    FcCall(fc_case_note_arg(c, key, value));
  }
  FcCall(fc_case_apply_args(c));
  return FC_SUCCESS;
}

/* The registry of model families: one line per family in FC_MODEL_FAMILIES. */
#include <string.h>

#include "fc_model.h"

/* X(ops table): every family's fc_model_ops, defined in its own file under src/models/. */
#define FC_MODEL_FAMILIES(X) \
  X(fc_fno_model_ops)        \
  X(fc_ifactformer_model_ops)

#define FC_DECLARE_FAMILY(ops) extern const fc_model_ops ops;
FC_MODEL_FAMILIES(FC_DECLARE_FAMILY)
#define FC_LIST_FAMILY(ops) &ops,
static const fc_model_ops *const families[] = {FC_MODEL_FAMILIES(FC_LIST_FAMILY) NULL};

/* Whether the comma-separated list holds word exactly. */
static int in_list(const char *list, const char *word)
{
  const size_t n = strlen(word);
  for (const char *p = list; p && *p;) {
    const char *end = strchr(p, ',');
    const size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == n && !strncmp(p, word, n)) return 1;
    p = end ? end + 1 : NULL;
  }
  return 0;
}

const fc_model_ops *fc_model_family(const char *type)
{
  for (int i = 0; families[i]; i++)
    if (in_list(families[i]->types, type) || in_list(families[i]->checkpoint_types, type)) return families[i];
  return NULL;
}

const fc_model_ops *fc_model_family_at(int i)
{
  return i >= 0 && i < (int)(sizeof families / sizeof families[0]) ? families[i] : NULL;
}

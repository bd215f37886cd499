/* Where a YAML text is malformed: PETSc's loader only says that parsing failed, so the
 * text is parsed again with libyaml (PETSc's own YAML dependency) for the line, the
 * column and the problem. */
#include <stdio.h>
#include <yaml.h>

#include "case_private.h"

int fc_yaml_locate_error(const char *text, size_t length, char *buf, size_t len)
{
  yaml_parser_t parser;
  yaml_event_t event;
  int found = 0;
  if (!yaml_parser_initialize(&parser)) return 0;
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, length);
  for (;;) {
    if (!yaml_parser_parse(&parser, &event)) {
      const yaml_mark_t *m = &parser.problem_mark;
      int tab = m->index < length && text[m->index] == '\t';
      snprintf(buf, len, "line %lu, column %lu: %s%s%s%s", (unsigned long)m->line + 1, (unsigned long)m->column + 1,
               parser.problem ? parser.problem : "syntax error", parser.context ? " " : "",
               parser.context ? parser.context : "", tab ? " (a tab: YAML indents with spaces)" : "");
      found = 1;
      break;
    }
    int done = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    if (done) break;
  }
  yaml_parser_delete(&parser);
  return found;
}

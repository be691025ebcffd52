#ifndef SANDBOX_AGENT_BUILTINS_H
#define SANDBOX_AGENT_BUILTINS_H

#include <stddef.h>

/* Runs the built-in named argv[0] with argv[1..] and returns its exit code (127: no such built-in). */
int run_builtin(char **argv);

/* Writes the built-ins' names, space-separated, into out. */
void list_builtins(char *out, size_t size);

#endif

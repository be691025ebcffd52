#ifndef SANDBOX_AGENT_BUILTINS_H
#define SANDBOX_AGENT_BUILTINS_H

/* Runs the built-in named argv[0] with argv[1..] and returns its exit code (127: no such built-in). */
int run_builtin(char **argv);

#endif

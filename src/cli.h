/* cli.h — what the command line's files share: the parsed arguments, and
 * the one way cordon prints an error of its own.
 *
 * main.c parses the arguments and runs run, serve, check, show, list,
 * audit and seccomp; cli-jails.c runs ps, enter and stop. */
#ifndef CORDON_CLI_H
#define CORDON_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"

enum
{
  EXIT_CHECK_INVALID = 1,
  EXIT_USAGE = 2,
};

struct cli
{
  int verbose;
  bool quiet;
  bool strict;
  bool origin;               /* show --origin */
  const char *config_file;
  char **overrides;          /* -D KEY=VALUE, in order */
  size_t n_overrides;
  char **operands;           /* what stands before "--" */
  size_t n_operands;
  char **command;            /* what stands after "--" (NULL-terminated) */
  size_t n_command;
  const char *report_file;   /* --report FILE */
  const char *report_fd;     /* --report-fd N */
  const char *name;          /* run --name NAME */
  bool json;                 /* ps --json, audit --json */
  bool tty;                  /* enter -t */
  const char *signal;        /* stop --signal SIG */
  const char *timeout;       /* stop --timeout S */
  const char *threshold;     /* audit --threshold N */
};

/* "cordon: " FMT and a newline, on stderr. */
__attribute__ ((format (printf, 1, 2))) void say_error (const char *fmt, ...);

/* The commands about running jails (cli-jails.c); each returns cordon's
 * exit status. */
int command_ps (const struct cli *cli);
int command_enter (const struct cli *cli, const struct settings *settings);
int command_stop (const struct cli *cli);

#endif

/* enter.h — `cordon enter` and `cordon stop`: acting on a running jail.
 *
 * Both find the jail through its record (registry.h) and act on its
 * processes only through pidfds taken before the record's start times are
 * checked again, so that a pid reused since can never be hit.  enter joins
 * the jail's namespaces with one setns on the pidfd of the jail's command
 * (pid 1's child; pid 1 is not dumpable), its cgroup, then
 * forks a process of the jail that becomes exactly as confined as the
 * jail's command, with the jail core's own steps (jail.h), from the jail's
 * effective profile. */
#ifndef CORDON_ENTER_H
#define CORDON_ENTER_H

#include <stdbool.h>

#include "error.h"
#include "jail.h"
#include "registry.h"
#include "spec.h"

struct enter_request
{
  const struct jail_record *rec;
  const struct jail_spec *spec;     /* the jail's effective profile */
  char *const *command;             /* NULL-terminated; NULL: /bin/sh */
  bool tty;                         /* -t: a new terminal, as tty = true */
  const struct jail_options *opts;
};

/* Run the command in the jail; returns its status as `cordon run` would
 * (128+N for signal N, 126/127 when it cannot be executed), or -1 with
 * *err (125) when the jail cannot be entered. */
int jail_enter (const struct enter_request *req, cordon_error_t *err);

/* Send SIG to the jail's command through its launcher (which forwards
 * SIGINT SIGTERM SIGHUP SIGQUIT SIGUSR1 SIGUSR2; SIGKILL goes to the jail's
 * pid 1), and SIGKILL to pid 1 when the launcher is still there after
 * TIMEOUT seconds.  Returns once the launcher is gone. */
int jail_stop (const struct jail_record *rec, int sig, unsigned timeout,
               cordon_error_t *err);

#endif

/* listen.h — `cordon serve`: a fresh jail for every TCP connection.
 *
 * Owns the server: its listening socket, the accept loop, the limits
 * (listen.max_connections, listen.per_address), one process per
 * connection and its channel back, the log line and the report line of
 * each connection, and the signals (SIGTERM and SIGINT stop, SIGHUP
 * reloads).  It does not build jails: a connection's process hands its
 * socket, as fds 0 and 1, to the caller's RUN hook, which goes through
 * jail_run as `cordon run` does.  Every descriptor of the server is
 * O_CLOEXEC, and a connection's process closes all but its own before it
 * runs the hook. */
#ifndef CORDON_LISTEN_H
#define CORDON_LISTEN_H

#include <signal.h>

#include "error.h"
#include "jail.h"
#include "spec.h"

/* One connection, as its process sees it. */
struct listen_conn;

/* "ADDR:PORT" ("[ADDR]:PORT" for IPv6) of the connection's peer. */
const char *listen_conn_peer (const struct listen_conn *c);
/* The mask the jail's command gets (jail_options.command_mask). */
const sigset_t *listen_conn_mask (const struct listen_conn *c);
/* Where jail_run puts the result (jail_options.result). */
struct jail_result *listen_conn_result (struct listen_conn *c);
/* The jail's pid 1 runs: the server may now SIGKILL it when it stops. */
int listen_conn_started (struct listen_conn *c, pid_t pid1,
                         cordon_error_t *err);
/* The jail's id (REGISTRY_ID_LEN hex digits), picked by the server when
 * it accepted the connection: its record's, when it has one, and its log
 * line's in any case. */
const char *listen_conn_id (const struct listen_conn *c);

struct listen_hooks
{
  /* In the connection's process: run SPEC's jail, fds 0 and 1 the
   * socket.  Returns jail_run's status, or -1 with *err. */
  int (*run) (const struct jail_spec *spec, struct listen_conn *c,
              void *arg, cordon_error_t *err);
  /* SIGHUP: the profile loaded again, or NULL with *err saying why. */
  struct jail_spec *(*reload) (void *arg, cordon_error_t *err);
  void *arg;
};

/* Serve SPEC (which has listen.address) until SIGTERM or SIGINT; it is
 * ours (freed, and replaced on SIGHUP).  REPORT_FD: -1, or where each
 * connection's JSON line goes.  Returns 0 once stopped, -1 with *err when
 * it could not start (the address, the signals). */
int listen_serve (struct jail_spec *spec, int report_fd,
                  const struct listen_hooks *hooks, bool quiet,
                  cordon_error_t *err);

#endif

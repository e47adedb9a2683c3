/* supervise.h — pid 1 of the jail, and the launcher's side of the wait.
 *
 * The forwarded signals (SIGINT SIGTERM SIGHUP SIGQUIT SIGUSR1 SIGUSR2),
 * SIGCHLD and SIGWINCH are blocked in the launcher before it clones and
 * read from a signalfd on both sides, so none is lost between clone and
 * set-up. */
#ifndef CORDON_SUPERVISE_H
#define CORDON_SUPERVISE_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "jail.h"
#include "tty.h"

/* Block the signals the launcher and pid 1 handle; *old gets the mask to
 * restore (and to give the command). */
int supervise_block_signals (sigset_t *old, cordon_error_t *err);

/* In pid 1 (or the subreaper, without a pid namespace): vfork, run
 * START_COMMAND (ARG) in the child — it execs or returns the status to
 * exit with, and must leave alone all that pid 1 reads later, since the
 * two share memory until then — then forward signals to it, reap every
 * zombie, and once the command is gone set *WAIT_STATUS to its wait status
 * and return 0.  -1 with *err on failure. */
int supervise_pid1 (int (*start_command) (void *), void *arg,
                    int *wait_status, cordon_error_t *err);

/* In the launcher: forward signals to the jail's pid 1 (PID) — those a
 * process sent, and a terminal's too when PID is in a session of its own
 * (`cordon enter`'s command, see enter.c) — enforce
 * TIME_LIMIT (seconds, 0 = none), relay the command's terminal (RELAY, or
 * NULL without tty = true; SIGWINCH resizes it), and wait for pid 1.
 * Returns 0 with pid 1's wait status in *WAIT_STATUS, or -1 with *err.
 * *TIMED_OUT is set when the time limit struck. */
int supervise_launcher (pid_t pid, unsigned time_limit,
                        struct tty_relay *relay,
                        const struct jail_options *opts, bool *timed_out,
                        int *wait_status, cordon_error_t *err);

/* The status a shell gives for WAIT_STATUS, and cordon exits with: the
 * exit status, or 128+N for a death by signal N.  Only for exiting: it
 * cannot tell "exit 137" from SIGKILL, so how the command ended is kept as
 * the wait status itself. */
int supervise_exit_status (int wait_status);

#endif

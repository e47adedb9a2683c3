/* tty.h — tty = true: a new pseudo-terminal for the command, relayed to the
 * caller's.
 *
 * The command, after setsid() and as its own user, opens the pair on the
 * jail's own /dev/ptmx, so that inside it is /dev/pts/N of the jail's
 * devpts (tty(1) and ttyname find it) and the host's devpts stays out of
 * reach.  It makes the slave its controlling terminal and its stdin,
 * stdout and stderr (so nothing typed later is lost), passes the master to
 * the launcher over the sync socket, and waits until the launcher has
 * copied the caller's window size and put the caller's terminal in raw
 * mode.  The launcher relays bytes both ways from its supervision loop,
 * which polls the relay's descriptors. */
#ifndef CORDON_TTY_H
#define CORDON_TTY_H

#include <poll.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* ---- in the jail, in the command's process ---- */

/* After setsid(): open a pseudo-terminal on /dev/ptmx, make it the
 * controlling terminal and fds 0, 1, 2, send its master over SOCK and wait
 * for the launcher's go. */
int tty_take_terminal (int sock, cordon_error_t *err);

/* ---- in the launcher ---- */

/* Receive one message from SOCK into BUF (SIZE bytes): *MASTER gets the
 * descriptor it carries, or -1 when it carries none (then BUF holds
 * whatever else the jail said).  Returns the message's length, 0 when the
 * jail closed the socket, or -1 with *err. */
ssize_t tty_receive_master (int sock, void *buf, size_t size, int *master,
                            cordon_error_t *err);

struct tty_relay;

/* Take MASTER (closed on failure too): copy the caller's window size to it,
 * put the caller's terminal (stdin, when it is one) in raw mode. */
int tty_relay_begin (int master, struct tty_relay **relay,
                     cordon_error_t *err);

/* The most descriptors tty_relay_pollfds fills. */
#define TTY_RELAY_MAX_POLLFDS 2

/* Fill P with what the relay waits for now; returns how many (0 when
 * RELAY is NULL).  tty_relay_step then takes the same entries back. */
size_t tty_relay_pollfds (struct tty_relay *relay, struct pollfd *p);
void tty_relay_step (struct tty_relay *relay, const struct pollfd *p,
                     size_t n);

/* SIGWINCH: copy the caller's window size again. */
void tty_relay_resize (struct tty_relay *relay);

/* Give the caller's terminal its settings back now, before cordon writes
 * to it (a message in raw mode staircases); the relay goes on.  NULL is
 * fine. */
void tty_relay_restore (struct tty_relay *relay);

/* Copy out what the command left in the terminal, restore the caller's
 * terminal settings, free.  NULL is fine. */
void tty_relay_end (struct tty_relay *relay);

#endif

/* tty.c — tty = true: a new pseudo-terminal for the command, relayed to the
 * caller's.  Owns the pair (opened in the jail, the master passed to the
 * launcher with SCM_RIGHTS), the caller's raw mode and window size, and
 * the byte relay that the launcher's supervision loop drives (tty.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "tty.h"
#include "util.h"

#ifndef TIOCGPTPEER
# define TIOCGPTPEER _IO ('T', 0x41)
#endif

/* ---- in the jail ---- */

/* The slave becomes the controlling terminal and fds 0, 1, 2. */
static int
attach (int slave, cordon_error_t *err)
{
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return fail_errno (err, "tty: make the terminal controlling (TIOCSCTTY)");
  for (int fd = 0; fd <= 2; fd++)
    {
      /* The slave may be one of 0, 1, 2 when the caller closed it. */
      int r = fd == slave ? fcntl (fd, F_SETFD, 0) : dup2 (slave, fd);
      if (r < 0)
        return fail_errno (err, "tty: terminal on fd %d", fd);
    }
  return 0;
}

int
tty_take_terminal (int sock, cordon_error_t *err)
{
  /* The jail's /dev/ptmx (a link to its own devpts), opened as the
   * command's user: the terminal is theirs, as after a login. */
  int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return fail_errno (err, "tty = true needs /dev/ptmx in the jail "
                       "(mount \"/dev\" { type = \"dev\" }): open /dev/ptmx");
  int slave = -1;
  int r = -1;
  if (unlockpt (master) < 0)
    fail_errno (err, "tty: unlockpt");
  /* TIOCGPTPEER: the slave of this very master, not whatever a path in
   * /dev/pts names by then. */
  else if ((slave = ioctl (master, TIOCGPTPEER,
                           O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
    fail_errno (err, "tty: open the terminal's slave (TIOCGPTPEER)");
  else if (attach (slave, err) == 0)
    {
      r = send_fd (sock, 't', master);
      if (r < 0)
        fail_errno (err, "tty: pass the terminal to the launcher");
    }
  if (slave > 2)
    close_fd (&slave);
  close_fd (&master);
  if (r < 0)
    return -1;
  /* Wait until the launcher relays: the window size is set and the
   * caller's terminal raw before the command reads or writes. */
  char go;
  ssize_t n;
  while ((n = recv (sock, &go, 1, 0)) < 0 && errno == EINTR)
    ;
  if (n != 1)
    return cordon_fail (err, n < 0 ? errno : 0,
                        "tty: the launcher did not start the relay");
  return 0;
}

/* ---- in the launcher ---- */

ssize_t
tty_receive_master (int sock, void *buf, size_t size, int *master,
                    cordon_error_t *err)
{
  ssize_t n = recv_fd (sock, buf, size, 0, master);
  if (n < 0)
    return fail_errno (err, "tty: receive the terminal from the jail");
  return n;
}

/* Bytes on their way from one descriptor to another. */
struct flow
{
  int from, to;
  bool eof;             /* FROM has given its last byte */
  bool done;            /* nothing more will move */
  size_t len, off;      /* buf[off..len) is still to write */
  char buf[4096];
};

struct tty_relay
{
  int master;
  struct flow in;       /* the caller's stdin to the terminal */
  struct flow out;      /* the terminal to the caller's stdout */
  struct flow *polled[TTY_RELAY_MAX_POLLFDS];
  bool line_open;       /* the last byte sent in did not end a line */
  int size_from;        /* the caller's terminal, for the window size */
  bool raw;             /* the caller's stdin is in raw mode */
  struct termios saved;
  struct sigaction old_pipe;
};

/* Stdin ended: the terminal gets its EOF character, as if typed, rather
 * than a hangup (twice after a partial line, which the first one only
 * ends).  A program that put the terminal out of canonical mode reads its
 * own input and gets nothing. */
static void
send_eof (struct tty_relay *r)
{
  struct termios t;
  if (tcgetattr (r->master, &t) < 0 || !(t.c_lflag & ICANON))
    return;
  r->in.off = 0;
  r->in.len = 0;
  r->in.buf[r->in.len++] = (char) t.c_cc[VEOF];
  if (r->line_open)
    r->in.buf[r->in.len++] = (char) t.c_cc[VEOF];
}

/* Move once: 1 when bytes moved or the flow ended, 0 when it would block. */
static int
move (struct tty_relay *r, struct flow *f)
{
  ssize_t n;
  if (f->len == 0)
    {
      n = read (f->from, f->buf, sizeof f->buf);
      if (n > 0 && f->to < 0)
        return 1;           /* read and dropped: see below */
      if (n > 0)
        {
          f->off = 0;
          f->len = (size_t) n;
          if (f == &r->in)
            r->line_open = f->buf[n - 1] != '\n' && f->buf[n - 1] != '\r';
          return 1;
        }
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
      /* End of input, or EIO on the master: every slave is closed. */
      f->eof = true;
      if (f == &r->in)
        send_eof (r);
      f->done = f->len == 0;
      return 1;
    }
  n = write (f->to, f->buf + f->off, f->len - f->off);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return 0;
  if (n <= 0)
    {
      /* The other side is gone: what is left has nowhere to go.  The
       * command's output is still read, and dropped, so that it does not
       * block on a full terminal. */
      f->len = 0;
      if (f == &r->out)
        f->to = -1;
      else
        f->done = true;
      return 1;
    }
  f->off += (size_t) n;
  if (f->off == f->len)
    {
      f->len = 0;
      f->done = f->eof;
    }
  return 1;
}

void
tty_relay_resize (struct tty_relay *relay)
{
  struct winsize ws;
  if (relay != NULL && relay->size_from >= 0
      && ioctl (relay->size_from, TIOCGWINSZ, &ws) == 0)
    ioctl (relay->master, TIOCSWINSZ, &ws);
}

static int
first_terminal (void)
{
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
    if (isatty (fd))
      return fd;
  return -1;
}

int
tty_relay_begin (int master, struct tty_relay **relay, cordon_error_t *err)
{
  struct tty_relay *r = calloc (1, sizeof *r);
  if (r == NULL)
    {
      close_fd (&master);
      return cordon_fail (err, ENOMEM, "tty relay");
    }
  r->master = master;
  r->in.from = STDIN_FILENO;
  r->in.to = master;
  r->out.from = master;
  r->out.to = STDOUT_FILENO;
  /* Only the master is made non-blocking: stdin and stdout are shared
   * with our caller, and poll says when they are ready. */
  int fl = fcntl (master, F_GETFL);
  if (fl < 0 || fcntl (master, F_SETFL, fl | O_NONBLOCK) < 0)
    {
      fail_errno (err, "tty: fcntl O_NONBLOCK");
      close_fd (&r->master);
      free (r);
      return -1;
    }
  r->size_from = first_terminal ();
  tty_relay_resize (r);
  if (tcgetattr (STDIN_FILENO, &r->saved) == 0)
    {
      /* ^C, ^Z and the rest go through as bytes: the new terminal turns
       * them into signals for the command's foreground process group. */
      struct termios raw = r->saved;
      cfmakeraw (&raw);
      raw.c_cc[VMIN] = 1;
      raw.c_cc[VTIME] = 0;
      if (tcsetattr (STDIN_FILENO, TCSADRAIN, &raw) < 0)
        {
          fail_errno (err, "tty: put the caller's terminal in raw mode");
          close_fd (&r->master);
          free (r);
          return -1;
        }
      r->raw = true;
    }
  /* A closed stdout must end the relay, not cordon (and not with the
   * caller's terminal left raw). */
  struct sigaction ign = { .sa_handler = SIG_IGN };
  sigaction (SIGPIPE, &ign, &r->old_pipe);
  *relay = r;
  return 0;
}

size_t
tty_relay_pollfds (struct tty_relay *relay, struct pollfd *p)
{
  if (relay == NULL)
    return 0;
  size_t n = 0;
  struct flow *flows[] = { &relay->in, &relay->out };
  for (size_t i = 0; i < sizeof flows / sizeof *flows; i++)
    {
      struct flow *f = flows[i];
      if (f->done)
        continue;
      p[n].fd = f->len ? f->to : f->from;
      p[n].events = f->len ? POLLOUT : POLLIN;
      p[n].revents = 0;
      relay->polled[n++] = f;
    }
  return n;
}

void
tty_relay_step (struct tty_relay *relay, const struct pollfd *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (p[i].revents != 0)
      move (relay, relay->polled[i]);
}

void
tty_relay_restore (struct tty_relay *relay)
{
  if (relay == NULL || !relay->raw)
    return;
  tcsetattr (STDIN_FILENO, TCSADRAIN, &relay->saved);
  relay->raw = false;
}

void
tty_relay_end (struct tty_relay *relay)
{
  if (relay == NULL)
    return;
  /* The command is gone: what it wrote last is still in the terminal.
   * Stop when the master would block (a process outside a pid namespace
   * may still hold the slave) or stdout stays full for a second. */
  struct flow *f = &relay->out;
  while (!f->done)
    if (move (relay, f) == 0)
      {
        struct pollfd p = { .fd = f->to, .events = POLLOUT };
        if (f->len == 0 || poll (&p, 1, 1000) <= 0)
          break;
      }
  tty_relay_restore (relay);
  sigaction (SIGPIPE, &relay->old_pipe, NULL);
  close_fd (&relay->master);
  free (relay);
}

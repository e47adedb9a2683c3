/* supervise.c — pid 1 of the jail, and the launcher's side of the wait.
 *
 * A process that is pid 1 of its namespace ignores every signal it has no
 * handler for, so pid 1 reads its signals from a signalfd and forwards them
 * to the command.  Only signals that some process sent with kill() are
 * forwarded: a terminal's ^C (sent by the kernel, SI_KERNEL) already
 * reaches the whole foreground process group, the command included, and
 * forwarding it again would deliver it twice. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "supervise.h"
#include "tty.h"
#include "util.h"

/* The grace period between SIGTERM and SIGKILL at the time limit. */
#define KILL_GRACE_MS 2000

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
                                 SIGUSR2 };

static void
handled_signals (sigset_t *set)
{
  sigemptyset (set);
  for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++)
    sigaddset (set, forwarded[i]);
  sigaddset (set, SIGCHLD);
  /* The launcher's, for tty = true; never forwarded. */
  sigaddset (set, SIGWINCH);
}

int
supervise_block_signals (sigset_t *old, cordon_error_t *err)
{
  sigset_t set;
  handled_signals (&set);
  if (sigprocmask (SIG_BLOCK, &set, old) < 0)
    return fail_errno (err, "block signals");
  return 0;
}

static int
open_signalfd (cordon_error_t *err)
{
  sigset_t set;
  handled_signals (&set);
  int fd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0)
    return fail_errno (err, "signalfd");
  return fd;
}

/* Was the signal sent by a process (kill, sigqueue, tgkill)? */
static bool
sent_by_process (const struct signalfd_siginfo *si)
{
  return si->ssi_code <= 0;
}

/* A hangup of our terminal: the kernel signals only the session leader. */
static bool
hangup_of_our_session (const struct signalfd_siginfo *si)
{
  return si->ssi_signo == SIGHUP && getsid (0) == getpid ();
}

/* A command that called setsid() (new_session) is out of the terminal's
 * foreground group: the terminal's ^C reaches us, not it; pass it on. */
static bool
in_own_session (pid_t command)
{
  return getsid (command) == command;
}

int
supervise_exit_status (int wait_status)
{
  if (WIFEXITED (wait_status))
    return WEXITSTATUS (wait_status);
  if (WIFSIGNALED (wait_status))
    return 128 + WTERMSIG (wait_status);
  return EXIT_CORDON_FAILED;
}

int
supervise_pid1 (int (*start_command) (void *), void *arg,
                int *wait_status, cordon_error_t *err)
{
  int sfd = open_signalfd (err);
  if (sfd < 0)
    return -1;
  /* vfork: the command borrows our memory until its execve instead of
   * copying our page tables, then taking a copy-on-write fault for every
   * page either of us writes first (fork's cost, most of a millisecond on
   * every start).  start_command never returns into this frame: it execs
   * or _exits, and we sleep meanwhile. */
  pid_t command = vfork ();
  if (command < 0)
    {
      close_fd (&sfd);
      return fail_errno (err, "vfork the command");
    }
  if (command == 0)
    _exit (start_command (arg));

  int ret = 1;            /* 1 while the command runs */
  while (ret > 0)
    {
      struct pollfd p = { .fd = sfd, .events = POLLIN };
      if (poll (&p, 1, -1) < 0 && errno != EINTR)
        {
          ret = fail_errno (err, "poll");
          break;
        }
      struct signalfd_siginfo si;
      while (read (sfd, &si, sizeof si) == sizeof si)
        {
          if (si.ssi_signo != SIGCHLD)
            {
              if (sent_by_process (&si) || in_own_session (command))
                kill (command, (int) si.ssi_signo);
              continue;
            }
          /* Reap everyone: orphans of the jail are reparented to us. */
          int ws;
          pid_t p2;
          while ((p2 = waitpid (-1, &ws, WNOHANG)) > 0)
            if (p2 == command)
              {
                *wait_status = ws;
                ret = 0;
              }
        }
    }
  close_fd (&sfd);
  return ret;
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


int
supervise_launcher (pid_t pid, unsigned time_limit, struct tty_relay *relay,
                    const struct jail_options *opts, bool *timed_out,
                    int *wait_status, cordon_error_t *err)
{
  /* pid stays ours until we reap it, so kill(pid) cannot hit another
   * process; no pidfd needed (and valgrind knows none of its calls). */
  int sfd = open_signalfd (err);
  if (sfd < 0)
    return -1;
  long long deadline = time_limit ? now_ms () + time_limit * 1000LL : -1;
  bool terminated = false;
  int ret = -1;

  for (;;)
    {
      /* The signals, then whatever the terminal relay waits for. */
      struct pollfd p[1 + TTY_RELAY_MAX_POLLFDS] = {
        { .fd = sfd, .events = POLLIN } };
      size_t n_relay = tty_relay_pollfds (relay, p + 1);
      int timeout = -1;
      if (deadline >= 0)
        {
          long long left = deadline - now_ms ();
          timeout = left > 0 ? (int) (left > 1000000 ? 1000000 : left) : 0;
        }
      int n = poll (p, 1 + n_relay, timeout);
      if (n < 0 && errno != EINTR)
        {
          fail_errno (err, "poll");
          break;
        }
      if (n > 0)
        tty_relay_step (relay, p + 1, n_relay);
      if (n == 0 && deadline >= 0 && now_ms () >= deadline)
        {
          if (!terminated)
            {
              /* Always said, even with -q: the status alone would not
               * tell that cordon killed the command.  The command's
               * terminal is going away: the caller's gets its settings
               * back first, so that the message reads as a line. */
              tty_relay_restore (relay);
              dprintf (STDERR_FILENO,
                       "cordon: killed: time limit %us reached\n", time_limit);
              kill (pid, SIGTERM);
              terminated = true;
              *timed_out = true;
              deadline = now_ms () + KILL_GRACE_MS;
            }
          else
            {
              tty_relay_restore (relay);
              say (opts, "the jail outlived the grace period: SIGKILL");
              kill (pid, SIGKILL);
              deadline = -1;
            }
        }
      bool child_changed = false;
      struct signalfd_siginfo si;
      while (read (sfd, &si, sizeof si) == sizeof si)
        if (si.ssi_signo == SIGCHLD)
          child_changed = true;
        else if (si.ssi_signo == SIGWINCH)
          tty_relay_resize (relay);
        else if (sent_by_process (&si) || hangup_of_our_session (&si)
                 || in_own_session (pid))
          /* (in_own_session: `cordon enter`'s command, which is ours
           * directly; the jail's pid 1 never is) */
          kill (pid, (int) si.ssi_signo);
      if (!child_changed)
        continue;
      int ws;
      pid_t r = waitpid (pid, &ws, WNOHANG);
      if (r < 0 && errno != EINTR)
        {
          fail_errno (err, "wait for the jail");
          break;
        }
      if (r == pid)
        {
          *wait_status = ws;
          ret = 0;
          break;
        }
    }
  close_fd (&sfd);
  return ret;
}

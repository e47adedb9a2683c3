/* listen.c — `cordon serve`: a fresh jail for every TCP connection
 * (listen.h).
 *
 * The server is one poll loop over a signalfd, the listening socket and a
 * channel per connection.  Each accepted connection gets a process of its
 * own (a fork of the server), which makes the socket its fds 0 and 1,
 * closes every other descriptor, and runs the jail through the caller's
 * hook — jail_run, as `cordon run` would.  Over its channel (a
 * SOCK_SEQPACKET pair) it sends a pidfd of the jail's pid 1 once that
 * runs, so that a stopping server can SIGKILL a jail (never its launcher:
 * the launcher is what cleans the jail up), and at the end its result.
 * The server reaps it, and writes the connection's log line and report
 * line.
 *
 * A connection holds its slot (max_connections, per_address) while its
 * jail runs: once the pidfd says pid 1 has ended, the slot is free, though
 * the launcher may still be cleaning up (cgroup, record) — the server
 * still waits for it, and bounds how many do.  The id of every jail is
 * picked here, at accept, so that each log line has one, registered or
 * not.  Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM,
 * EAGAIN of fork), the server stops accepting for a back-off of 100 ms
 * that doubles to 1 s, keeps the connection it could not start for the
 * next try, and says so once. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "listen.h"
#include "registry.h"
#include "report.h"
#include "supervise.h"
#include "util.h"

#define PEER_LEN (INET6_ADDRSTRLEN + 10)    /* "[ADDR]:PORT" */
#define ID_LEN (REGISTRY_ID_LEN + 1)
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 1000

struct listen_conn
{
  char peer[PEER_LEN];
  sigset_t mask;
  struct jail_result result;
  char id[ID_LEN];
  int chan;
};

/* The message that ends a connection's channel; the error text and the
 * report line follow it. */
struct end_msg
{
  char kind;                /* 'E' ('S' is a lone byte with the pidfd) */
  int status;
  struct jail_result result;
  unsigned error_len, report_len;
};

/* A connection, as the server keeps it. */
struct conn
{
  pid_t pid;                /* its process */
  int chan;                 /* -1 once read to its end */
  int pidfd;                /* its jail's pid 1; -1 until it runs */
  bool jail_ended;          /* pid 1 ended: the slot is free */
  char id[ID_LEN];
  char peer[PEER_LEN];
  char host[INET6_ADDRSTRLEN];   /* per_address counts by this */
  struct timespec start;    /* CLOCK_MONOTONIC, at accept */
  bool ended;               /* its end message came */
  struct end_msg end;
  char *error, *report;
};

/* An accepted connection not started yet, for want of descriptors or
 * memory. */
struct pending
{
  int fd;                   /* -1: none */
  char peer[PEER_LEN];
  char host[INET6_ADDRSTRLEN];
  unsigned port;
};

struct server
{
  struct jail_spec *spec;
  const struct listen_hooks *hooks;
  bool quiet;
  int lfd, sfd, report_fd;
  sigset_t old_mask;
  struct conn *conns;
  size_t n, cap;
  bool stopping, killing;
  struct timespec kill_at;  /* CLOCK_MONOTONIC: the end of the grace */
  struct pending pending;
  unsigned backoff_ms;      /* 0: accepting; else the pause of now */
  struct timespec resume_at;        /* CLOCK_MONOTONIC: the pause's end */
};

/* ---- the connection's process ---- */

const char *
listen_conn_peer (const struct listen_conn *c)
{
  return c->peer;
}

const sigset_t *
listen_conn_mask (const struct listen_conn *c)
{
  return &c->mask;
}

struct jail_result *
listen_conn_result (struct listen_conn *c)
{
  return &c->result;
}

const char *
listen_conn_id (const struct listen_conn *c)
{
  return c->id;
}

int
listen_conn_started (struct listen_conn *c, pid_t pid1, cordon_error_t *err)
{
  /* Opened while the launcher (us) has not reaped pid 1: it is that
   * process, whatever happens to the number later. */
  int pidfd = (int) syscall (SYS_pidfd_open, pid1, 0);
  if (pidfd < 0)
    return cordon_fail (err, errno, "pidfd_open %d", (int) pid1);
  int r = send_fd (c->chan, 'S', pidfd);
  int e = errno;
  close (pidfd);
  if (r < 0)
    return cordon_fail (err, e, "tell the server the jail runs");
  return 0;
}

/* Close the descriptors from 3 up but A and B. */
static int
close_all_but (int a, int b)
{
  int lo = a < b ? a : b, hi = a < b ? b : a;
  int from[3] = { 3, lo + 1, hi + 1 };
  int to[3] = { lo - 1, hi - 1, -1 };
  for (int i = 0; i < 3; i++)
    {
      if (from[i] < 3)
        from[i] = 3;
      if ((to[i] < 0 || from[i] <= to[i])
          && syscall (SYS_close_range, (unsigned) from[i],
                      to[i] < 0 ? ~0U : (unsigned) to[i], 0) < 0)
        return -1;
    }
  return 0;
}

/* Keep fds 0, 1 (the socket), 2 and CHAN: nothing else of the server
 * (its listening socket, other connections, its report fd) outlives this,
 * whatever a descriptor's flags.  The others go first: a server out of
 * descriptors forked us with a full table. */
static int
keep_only (int *sock, int *chan, bool stderr_to_socket)
{
  if (close_all_but (*sock, *chan) < 0)
    return -1;
  int s = fcntl (*sock, F_DUPFD_CLOEXEC, 3);
  int ch = fcntl (*chan, F_DUPFD_CLOEXEC, 3);
  if (s < 0 || ch < 0)
    return -1;
  if (dup2 (s, 0) < 0 || dup2 (s, 1) < 0
      || (stderr_to_socket && dup2 (s, 2) < 0))
    return -1;
  if (ch > 3 && syscall (SYS_close_range, 3, ch - 1, 0) < 0)
    return -1;
  if (syscall (SYS_close_range, ch + 1, ~0U, 0) < 0)
    return -1;
  *sock = 0;
  *chan = ch;
  return 0;
}

static void
send_end (struct listen_conn *c, int status, const struct jail_spec *spec,
          const char *error)
{
  struct end_msg m = { .kind = 'E', .status = status, .result = c->result };
  char *report = report_format_listen (spec, &c->result, error, c->peer,
                                       c->id);
  m.error_len = error ? (unsigned) strlen (error) : 0;
  m.report_len = report ? (unsigned) strlen (report) : 0;
  struct iovec iov[3] = { { &m, sizeof m }, { (void *) error, m.error_len },
                          { report, m.report_len } };
  struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 3 };
  /* the server reads it after it reaps us: no one to tell of a failure */
  (void) sendmsg (c->chan, &msg, MSG_NOSIGNAL);
  free (report);
}

static _Noreturn void
conn_main (struct server *s, int sock, int chan, const char *id,
           const char *peer, const char *host, unsigned port)
{
  struct listen_conn c = { .chan = chan };
  snprintf (c.id, sizeof c.id, "%s", id);
  snprintf (c.peer, sizeof c.peer, "%s", peer);
  c.mask = s->old_mask;
  cordon_error_t err = NULL;
  const struct jail_spec *spec = s->spec;
  bool to_socket = spec->listen.stderr_to
                   && strcmp (spec->listen.stderr_to, "socket") == 0;
  char buf[16];
  int status = -1;
  /* A server gone for good stops its jails as SIGTERM does (blocked, it
   * waits for the launcher's signalfd). */
  pid_t parent = getppid ();
  if (prctl (PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid () != parent)
    cordon_fail (&err, errno, "prctl PR_SET_PDEATHSIG");
  else if (keep_only (&sock, &chan, to_socket) < 0)
    cordon_fail (&err, errno, "the connection's descriptors");
  else
    {
      c.chan = chan;
      snprintf (buf, sizeof buf, "%u", port);
      if (setenv ("REMOTE_ADDR", host, 1) < 0
          || setenv ("REMOTE_PORT", buf, 1) < 0)
        cordon_fail (&err, errno, "setenv REMOTE_ADDR");
      else
        status = s->hooks->run (spec, &c, s->hooks->arg, &err);
    }
  if (status < 0)
    c.result.reason = JAIL_END_SETUP_ERROR;
  if (status < 0 && c.result.exit_status == 0)
    c.result.exit_status = EXIT_CORDON_FAILED;
  send_end (&c, status, spec, status < 0 && err ? err->message : NULL);
  _exit (0);
}

/* ---- the server: its log ---- */

static double
since (const struct timespec *t0)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  return (double) (now.tv_sec - t0->tv_sec)
         + (double) (now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Writes to a report pipe whose reader left fail with EPIPE (SIGPIPE is
 * blocked in the server), and are said once. */
static void
report_line (struct server *s, const char *line)
{
  if (s->report_fd < 0 || line == NULL)
    return;
  if (write_all (s->report_fd, line, strlen (line)) < 0)
    {
      fprintf (stderr, "cordon serve: write the report: %s; no more "
               "report lines\n", strerror (errno));
      s->report_fd = -1;
    }
}

static void
report_json (struct server *s, json_t *o)
{
  char *line = json_dumps (o, JSON_COMPACT | JSON_ENSURE_ASCII);
  json_decref (o);
  if (line == NULL)
    return;
  char *nl = xasprintf ("%s\n", line);
  free (line);
  report_line (s, nl);
  free (nl);
}

static void
log_refused (struct server *s, const char *peer, const char *why,
             unsigned limit)
{
  fprintf (stderr, "cordon serve: peer=%s refused=%s limit=%u\n", peer, why,
           limit);
  json_t *o = json_object ();
  json_object_set_new (o, "peer", json_string (peer));
  json_object_set_new (o, "refused", json_string (why));
  json_object_set_new (o, "limit", json_integer (limit));
  report_json (s, o);
}

/* The connection's line, from its end message; or, when its process
 * ended without one, from its wait status. */
static void
log_ended (struct server *s, struct conn *c, int ws)
{
  double secs = since (&c->start);
  const char *reason, *error = c->error;
  char why[128];
  int status;
  if (c->ended)
    {
      reason = report_reason_name (c->end.result.reason);
      status = c->end.result.exit_status;
    }
  else
    {
      reason = "setup_error";
      status = EXIT_CORDON_FAILED;
      snprintf (why, sizeof why, "the connection's process ended without a "
                "result (%s %d)", WIFSIGNALED (ws) ? "signal" : "status",
                WIFSIGNALED (ws) ? WTERMSIG (ws) : WEXITSTATUS (ws));
      error = why;
    }
  bool quiet = s->quiet && error == NULL;
  if (!quiet)
    {
      fprintf (stderr, "cordon serve: peer=%s jail=%s duration=%.3f "
               "status=%d reason=%s", c->peer, c->id, secs, status, reason);
      if (error)
        fprintf (stderr, " error=\"%s\"", error);
      fputc ('\n', stderr);
    }
  if (c->ended && c->report)
    report_line (s, c->report);
  else
    {
      json_t *o = json_object ();
      json_object_set_new (o, "peer", json_string (c->peer));
      json_object_set_new (o, "jail_id", json_string (c->id));
      json_object_set_new (o, "exit_status", json_integer (status));
      json_object_set_new (o, "reason", json_string (reason));
      json_object_set_new (o, "error", json_string (error ? error : ""));
      report_json (s, o);
    }
}

/* ---- the server: connections ---- */

static void
kill_jail (struct conn *c)
{
  if (c->pidfd >= 0)
    syscall (SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
}

/* One message of C's channel: 1 when one was read, 0 at its end (or on
 * an error, which ends it as well), -1 when none is there yet. */
static int
read_message (struct server *s, struct conn *c)
{
  struct end_msg m;
  /* the end message's texts follow it: its size first */
  ssize_t size = recv (c->chan, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
  if (size < 0 && (errno == EAGAIN || errno == EINTR))
    return -1;
  if (size <= 0)
    return 0;
  char *buf = xcalloc ((size_t) size + 1, 1);
  int fd;
  ssize_t n = recv_fd (c->chan, buf, (size_t) size, MSG_DONTWAIT, &fd);
  if (n <= 0)
    {
      free (buf);
      return n < 0 && errno == EAGAIN ? -1 : 0;
    }
  if (buf[0] == 'S' && c->pidfd < 0 && !c->jail_ended)
    c->pidfd = fd;
  else if (fd >= 0)
    close (fd);
  if (s->killing)
    kill_jail (c);
  if (buf[0] == 'E' && (size_t) n >= sizeof m && !c->ended)
    {
      memcpy (&m, buf, sizeof m);
      size_t rest = (size_t) n - sizeof m;
      if (m.error_len <= rest && m.report_len <= rest - m.error_len)
        {
          c->ended = true;
          c->end = m;
          if (m.error_len)
            c->error = xstrndup (buf + sizeof m, m.error_len);
          if (m.report_len)
            c->report = xstrndup (buf + sizeof m + m.error_len,
                                  m.report_len);
        }
    }
  free (buf);
  return 1;
}

/* Read C's channel to its end: its process is gone (reaped), so what it
 * sent is all there.  Its jail's pid 1, which holds a copy, is gone too:
 * the launcher waited for it. */
static void
drain (struct server *s, struct conn *c)
{
  int r = 1;
  while (c->chan >= 0 && (r = read_message (s, c)) == 1)
    ;
  if (c->chan >= 0 && r == 0)
    {
      close (c->chan);
      c->chan = -1;
    }
}

/* C's pidfd is readable: its jail's pid 1 has ended (with a pid
 * namespace, every process of the jail with it).  Its slot is free; its
 * launcher cleans up, and is reaped as any. */
static void
jail_ended (struct conn *c)
{
  c->jail_ended = true;
  close (c->pidfd);
  c->pidfd = -1;
}

static void
conn_free (struct conn *c)
{
  if (c->chan >= 0)
    close (c->chan);
  if (c->pidfd >= 0)
    close (c->pidfd);
  free (c->error);
  free (c->report);
}

static void
reap (struct server *s)
{
  int ws;
  pid_t pid;
  while ((pid = waitpid (-1, &ws, WNOHANG)) > 0)
    for (size_t i = 0; i < s->n; i++)
      if (s->conns[i].pid == pid)
        {
          struct conn *c = &s->conns[i];
          drain (s, c);
          log_ended (s, c, ws);
          conn_free (c);
          s->conns[i] = s->conns[--s->n];
          break;
        }
}

/* The connections whose jails run (HOST NULL), or those of HOST. */
static size_t
count_running (const struct server *s, const char *host)
{
  size_t n = 0;
  for (size_t i = 0; i < s->n; i++)
    n += !s->conns[i].jail_ended
         && (host == NULL || strcmp (s->conns[i].host, host) == 0);
  return n;
}

static void
format_peer (const struct sockaddr_storage *sa, char *host, char *peer,
             unsigned *port)
{
  if (sa->ss_family == AF_INET6)
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
      inet_ntop (AF_INET6, &in6->sin6_addr, host, INET6_ADDRSTRLEN);
      *port = ntohs (in6->sin6_port);
      snprintf (peer, PEER_LEN, "[%s]:%u", host, *port);
    }
  else
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
      inet_ntop (AF_INET, &in->sin_addr, host, INET6_ADDRSTRLEN);
      *port = ntohs (in->sin_port);
      snprintf (peer, PEER_LEN, "%s:%u", host, *port);
    }
}

/* Out of descriptors or memory: worth another try after a pause, as
 * opposed to an error of this connection alone. */
static bool
short_of_resources (int e)
{
  return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM
         || e == EAGAIN;
}

/* Stop accepting for a while: the first pause of an episode is said, the
 * next ones double it, silently. */
static void
back_off (struct server *s, const char *what, int e)
{
  if (s->backoff_ms == 0)
    {
      s->backoff_ms = BACKOFF_FIRST_MS;
      fprintf (stderr, "cordon serve: %s: %s; not accepting for %u ms, "
               "then again at up to %u ms intervals until it works (running "
               "jails go on)\n", what, strerror (e), s->backoff_ms,
               BACKOFF_MAX_MS);
    }
  else
    s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
                                                       : s->backoff_ms * 2;
  clock_gettime (CLOCK_MONOTONIC, &s->resume_at);
  s->resume_at.tv_sec += s->backoff_ms / 1000;
  s->resume_at.tv_nsec += (long) (s->backoff_ms % 1000) * 1000000;
  if (s->resume_at.tv_nsec >= 1000000000)
    {
      s->resume_at.tv_sec++;
      s->resume_at.tv_nsec -= 1000000000;
    }
}

static void
backed_off_enough (struct server *s)
{
  if (s->backoff_ms == 0)
    return;
  s->backoff_ms = 0;
  fprintf (stderr, "cordon serve: accepting again\n");
}

static long long
ms_until (const struct timespec *t)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  return (long long) (t->tv_sec - now.tv_sec) * 1000
         + (t->tv_nsec - now.tv_nsec) / 1000000;
}

static bool
paused (const struct server *s)
{
  return s->backoff_ms > 0 && ms_until (&s->resume_at) > 0;
}

/* A process for the pending connection.  Returns 0 (the connection is the
 * process's now), or -1 with errno and *STEP (the connection still
 * pending). */
static int
start_conn (struct server *s, const char **step)
{
  struct pending *p = &s->pending;
  char id[ID_LEN];
  int sv[2];
  registry_pick_id (id);
  *step = "socketpair";
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return -1;
  *step = "fork";
  fflush (stderr);
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (sv[0]);
      conn_main (s, p->fd, sv[1], id, p->peer, p->host, p->port);
    }
  int e = errno;
  close (sv[1]);
  if (pid < 0)
    {
      close (sv[0]);
      errno = e;
      return -1;
    }
  close (p->fd);
  p->fd = -1;
  RESERVE_ONE (s->conns, s->n, s->cap);
  struct conn *c = &s->conns[s->n++];
  *c = (struct conn) { .pid = pid, .chan = sv[0], .pidfd = -1 };
  memcpy (c->id, id, sizeof c->id);
  snprintf (c->peer, sizeof c->peer, "%s", p->peer);
  snprintf (c->host, sizeof c->host, "%s", p->host);
  clock_gettime (CLOCK_MONOTONIC, &c->start);
  return 0;
}

/* The pending connection: started, refused (a limit), or kept for later
 * (short of resources).  Returns false when it is kept. */
static bool
take_pending (struct server *s)
{
  struct pending *p = &s->pending;
  const struct listen_spec *l = &s->spec->listen;
  const char *refused = NULL;
  unsigned limit = 0;
  if (count_running (s, NULL) >= l->max_connections)
    refused = "max_connections", limit = l->max_connections;
  else if (l->per_address && count_running (s, p->host) >= l->per_address)
    refused = "per_address", limit = l->per_address;
  /* launchers still cleaning up hold no slot, but at most as many as
   * there are slots */
  else if (s->n >= 2 * (size_t) l->max_connections)
    refused = "cleanup", limit = l->max_connections;
  if (refused)
    {
      close (p->fd);
      p->fd = -1;
      log_refused (s, p->peer, refused, limit);
      return true;
    }
  const char *step;
  if (start_conn (s, &step) == 0)
    {
      backed_off_enough (s);
      return true;
    }
  int e = errno;
  if (short_of_resources (e))
    {
      back_off (s, step, e);
      return false;
    }
  fprintf (stderr, "cordon serve: peer=%s refused=error error=\"%s: %s\"\n",
           p->peer, step, strerror (e));
  close (p->fd);
  p->fd = -1;
  return true;
}

static void
accept_all (struct server *s)
{
  for (;;)
    {
      if (s->pending.fd >= 0 && !take_pending (s))
        return;
      struct sockaddr_storage sa;
      socklen_t len = sizeof sa;
      int fd = accept4 (s->lfd, (struct sockaddr *) &sa, &len, SOCK_CLOEXEC);
      if (fd < 0)
        {
          int e = errno;
          if (e == EINTR || e == ECONNABORTED || e == EPROTO)
            continue;
          if (e == EAGAIN)
            /* the queue is empty: nothing is short any more */
            backed_off_enough (s);
          else if (short_of_resources (e))
            back_off (s, "accept", e);
          else
            fprintf (stderr, "cordon serve: accept: %s\n", strerror (e));
          return;
        }
      struct pending *p = &s->pending;
      p->fd = fd;
      format_peer (&sa, p->host, p->peer, &p->port);
    }
}

/* ---- the server: signals ---- */

static void
begin_stop (struct server *s, int sig)
{
  if (s->stopping)
    {
      /* a second signal: no more grace */
      s->killing = true;
      for (size_t i = 0; i < s->n; i++)
        kill_jail (&s->conns[i]);
      return;
    }
  s->stopping = true;
  close (s->lfd);
  s->lfd = -1;
  if (s->pending.fd >= 0)
    {
      close (s->pending.fd);
      s->pending.fd = -1;
    }
  if (!s->quiet)
    fprintf (stderr, "cordon serve: %s: stopping; %zu jails get SIGTERM, "
             "SIGKILL after %u s\n", strsignal (sig), s->n,
             s->spec->listen.grace);
  for (size_t i = 0; i < s->n; i++)
    kill (s->conns[i].pid, SIGTERM);
  clock_gettime (CLOCK_MONOTONIC, &s->kill_at);
  s->kill_at.tv_sec += s->spec->listen.grace;
}

static void
reload (struct server *s)
{
  cordon_error_t err = NULL;
  struct jail_spec *spec = s->hooks->reload (s->hooks->arg, &err);
  if (spec == NULL)
    {
      fprintf (stderr, "cordon serve: SIGHUP: the profile does not load; "
               "serving the old one: %s\n", err ? err->message : "?");
      cordon_error_free (&err);
      return;
    }
  if (spec->listen.address == NULL
      || strcmp (spec->listen.address, s->spec->listen.address) != 0)
    {
      fprintf (stderr, "cordon serve: SIGHUP: listen.address changed (%s "
               "to %s); serving the old profile (restart to move)\n",
               s->spec->listen.address,
               spec->listen.address ? spec->listen.address : "none");
      jail_spec_free (spec);
      return;
    }
  /* running connections have their own copy, from their fork */
  jail_spec_free (s->spec);
  s->spec = spec;
  if (!s->quiet)
    fprintf (stderr, "cordon serve: SIGHUP: profile reloaded\n");
}

static void
take_signals (struct server *s)
{
  struct signalfd_siginfo si;
  while (read (s->sfd, &si, sizeof si) == (ssize_t) sizeof si)
    switch (si.ssi_signo)
      {
      case SIGCHLD:
        reap (s);
        break;
      case SIGHUP:
        reload (s);
        break;
      case SIGTERM:
      case SIGINT:
        begin_stop (s, (int) si.ssi_signo);
        break;
      default:
        break;
      }
  /* signals coalesce: reap whatever ended */
  reap (s);
}

/* ---- the server: start and loop ---- */

static int
open_listener (const char *address, cordon_error_t *err)
{
  struct sockaddr_storage sa;
  unsigned len;
  if (!parse_inet_address (address, &sa, &len))
    return cordon_fail (err, 0, "listen.address %s: not an address", address);
  int fd = socket (sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                   0);
  if (fd < 0)
    return cordon_fail (err, errno, "listen.address %s: socket", address);
  int one = 1;
  if (setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
      || (sa.ss_family == AF_INET6
          && setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0))
    {
      int e = errno;
      close (fd);
      return cordon_fail (err, e, "listen.address %s: setsockopt", address);
    }
  if (bind (fd, (struct sockaddr *) &sa, len) < 0)
    {
      int e = errno;
      close (fd);
      return cordon_fail (err, e, "listen.address %s: bind%s", address,
                          e == EACCES ? " (a port below 1024 needs root or "
                          "CAP_NET_BIND_SERVICE)" : "");
    }
  if (listen (fd, SOMAXCONN) < 0)
    {
      int e = errno;
      close (fd);
      return cordon_fail (err, e, "listen.address %s: listen", address);
    }
  return fd;
}

static int
open_signals (struct server *s, cordon_error_t *err)
{
  sigset_t set;
  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGHUP);
  /* writes to a gone reader are EPIPE errors, said in the log */
  sigaddset (&set, SIGPIPE);
  if (sigprocmask (SIG_BLOCK, &set, &s->old_mask) < 0)
    return cordon_fail (err, errno, "sigprocmask");
  s->sfd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (s->sfd < 0)
    return cordon_fail (err, errno, "signalfd");
  return 0;
}

/* Until the grace ends, or the accepts' pause. */
static int
poll_timeout (const struct server *s)
{
  long long ms;
  if (s->stopping && !s->killing)
    ms = ms_until (&s->kill_at);
  else if (!s->stopping && s->backoff_ms > 0)
    ms = ms_until (&s->resume_at);
  else
    return -1;
  return ms < 0 ? 0 : ms > 60000 ? 60000 : (int) ms;
}

static bool
grace_over (const struct server *s)
{
  return s->stopping && !s->killing && ms_until (&s->kill_at) <= 0;
}

/* FD, a connection's channel or its jail's pidfd, is ready. */
static void
polled (struct server *s, int fd)
{
  for (size_t j = 0; j < s->n; j++)
    {
      struct conn *c = &s->conns[j];
      if (c->chan == fd)
        {
          if (read_message (s, c) == 0)
            {
              close (c->chan);
              c->chan = -1;
            }
          return;
        }
      if (c->pidfd == fd)
        {
          jail_ended (c);
          return;
        }
    }
}

static void
serve_loop (struct server *s)
{
  struct pollfd *p = NULL;
  size_t cap = 0;
  while (!s->stopping || s->n > 0)
    {
      size_t want = 2 * s->n + 2;
      if (want > cap)
        {
          cap = want * 2;
          p = xrealloc (p, cap * sizeof *p);
        }
      size_t np = 0;
      bool accepting = s->lfd >= 0 && !paused (s);
      p[np++] = (struct pollfd) { .fd = s->sfd, .events = POLLIN };
      /* a negative fd: poll skips it */
      p[np++] = (struct pollfd) { .fd = accepting ? s->lfd : -1,
                                  .events = POLLIN };
      for (size_t i = 0; i < s->n; i++)
        p[np++] = (struct pollfd) { .fd = s->conns[i].chan, .events = POLLIN };
      for (size_t i = 0; i < s->n; i++)
        if (s->conns[i].pidfd >= 0)
          p[np++] = (struct pollfd) { .fd = s->conns[i].pidfd,
                                      .events = POLLIN };
      int r = poll (p, np, poll_timeout (s));
      if (r < 0 && errno != EINTR)
        {
          fprintf (stderr, "cordon serve: poll: %s\n", strerror (errno));
          break;
        }
      if (grace_over (s))
        {
          s->killing = true;
          for (size_t i = 0; i < s->n; i++)
            kill_jail (&s->conns[i]);
        }
      if (r < 0)
        continue;
      /* channels first: a pidfd that came is kept before a reap */
      for (size_t i = 2; i < np; i++)
        if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
          polled (s, p[i].fd);
      if (p[0].revents & POLLIN)
        take_signals (s);
      /* a pause that ended retries the pending connection, and the
       * queue's */
      if (s->lfd >= 0 && !paused (s)
          && ((p[1].revents & POLLIN) || s->backoff_ms > 0))
        accept_all (s);
    }
  free (p);
}

int
listen_serve (struct jail_spec *spec, int report_fd,
              const struct listen_hooks *hooks, bool quiet,
              cordon_error_t *err)
{
  struct server s = { .spec = spec, .hooks = hooks, .quiet = quiet,
                      .lfd = -1, .sfd = -1, .report_fd = report_fd,
                      .pending = { .fd = -1 } };
  int ret = -1;
  if (open_signals (&s, err) == 0
      && (s.lfd = open_listener (spec->listen.address, err)) >= 0)
    {
      if (!quiet)
        fprintf (stderr, "cordon serve: listening on %s\n",
                 spec->listen.address);
      serve_loop (&s);
      if (!quiet)
        fprintf (stderr, "cordon serve: stopped\n");
      ret = 0;
    }
  if (s.lfd >= 0)
    close (s.lfd);
  if (s.pending.fd >= 0)
    close (s.pending.fd);
  if (s.sfd >= 0)
    close (s.sfd);
  for (size_t i = 0; i < s.n; i++)
    conn_free (&s.conns[i]);
  free (s.conns);
  sigprocmask (SIG_SETMASK, &s.old_mask, NULL);
  jail_spec_free (s.spec);
  return ret;
}

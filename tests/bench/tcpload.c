/* tcpload.c — the client side of `make bench`'s listen section.
 *
 * Keeps INFLIGHT connections to 127.0.0.1:PORT open at once until N have
 * been made; each reads the server's reply to its end.  One thread and
 * epoll, so that the client is not what limits the rate or adds to the
 * latency (a Python thread per connection did both: the GIL).
 *
 * Prints one line per connection that got the reply EXPECT: the time from
 * connect() to the first byte of the reply and to its end (EOF), in
 * microseconds; then "elapsed SECONDS" and "errors N" (connections
 * refused, reset, or with another reply).
 *
 * usage: tcpload PORT N INFLIGHT EXPECT */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn
{
  int fd;
  double started, first;
  char reply[64];
  size_t got;
};

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
start (struct conn *c, int ep, const struct sockaddr_in *sa)
{
  memset (c, 0, sizeof *c);
  c->started = now ();
  c->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0)
    return -1;
  if (connect (c->fd, (const struct sockaddr *) sa, sizeof *sa) < 0
      && errno != EINPROGRESS)
    {
      close (c->fd);
      c->fd = -1;
      return -1;
    }
  struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP,
                            .data.ptr = c };
  if (epoll_ctl (ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
    {
      close (c->fd);
      c->fd = -1;
      return -1;
    }
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc != 5)
    {
      fprintf (stderr, "usage: tcpload PORT N INFLIGHT EXPECT\n");
      return 2;
    }
  int port = atoi (argv[1]);
  long n = atol (argv[2]), inflight = atol (argv[3]);
  const char *expect = argv[4];
  size_t expect_len = strlen (expect);
  if (n < 1 || inflight < 1 || expect_len >= sizeof ((struct conn *) 0)->reply)
    {
      fprintf (stderr, "tcpload: bad arguments\n");
      return 2;
    }
  struct sockaddr_in sa = { .sin_family = AF_INET,
                            .sin_port = htons ((uint16_t) port) };
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  int ep = epoll_create1 (EPOLL_CLOEXEC);
  struct conn *conns = calloc ((size_t) inflight, sizeof *conns);
  double *lat = calloc ((size_t) n, sizeof *lat);
  double *to_end = calloc ((size_t) n, sizeof *to_end);
  if (ep < 0 || conns == NULL || lat == NULL || to_end == NULL)
    {
      perror ("tcpload");
      return 1;
    }
  long started = 0, done = 0, ok = 0, errors = 0, open = 0;
  double t0 = now ();
  for (long i = 0; i < inflight && started < n; i++, started++)
    if (start (&conns[i], ep, &sa) < 0)
      errors++, done++;
    else
      open++;
  while (open > 0)
    {
      struct epoll_event evs[64];
      int k = epoll_wait (ep, evs, 64, 60000);
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        {
          fprintf (stderr, "tcpload: no progress in 60 s\n");
          return 1;
        }
      for (int i = 0; i < k; i++)
        {
          struct conn *c = evs[i].data.ptr;
          char buf[256];
          ssize_t r = read (c->fd, buf, sizeof buf);
          if (r < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
          if (r > 0)
            {
              if (c->got == 0)
                c->first = now ();
              size_t room = sizeof c->reply - 1 - c->got;
              size_t take = (size_t) r < room ? (size_t) r : room;
              memcpy (c->reply + c->got, buf, take);
              c->got += take;
              continue;
            }
          /* the end of the reply (r == 0), or an error */
          epoll_ctl (ep, EPOLL_CTL_DEL, c->fd, NULL);
          close (c->fd);
          open--;
          done++;
          if (r == 0 && c->got == expect_len
              && memcmp (c->reply, expect, expect_len) == 0)
            {
              to_end[ok] = now () - c->started;
              lat[ok++] = c->first - c->started;
            }
          else
            errors++;
          while (started < n)
            {
              started++;
              if (start (c, ep, &sa) == 0)
                {
                  open++;
                  break;
                }
              errors++;
              done++;
            }
        }
    }
  double elapsed = now () - t0;
  for (long i = 0; i < ok; i++)
    printf ("%.0f %.0f\n", lat[i] * 1e6, to_end[i] * 1e6);
  printf ("elapsed %.6f\nerrors %ld\n", elapsed, errors);
  free (conns);
  free (lat);
  free (to_end);
  close (ep);
  return 0;
}

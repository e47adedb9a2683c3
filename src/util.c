/* util.c — small helpers shared by cordon's files: memory that aborts when
 * it runs out, growable byte buffers, -v's lines, fds, whole reads and
 * writes, passing descriptors, listen's address, and the launcher's page-fault work around the clone.  Part of
 * the profile module's sources too. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

/* Out of memory is not a condition cordon can report usefully. */
void *
xrealloc (void *p, size_t n)
{
  p = realloc (p, n ? n : 1);
  if (p == NULL)
    {
      fputs ("cordon: out of memory\n", stderr);
      abort ();
    }
  return p;
}

void *
xcalloc (size_t n, size_t size)
{
  void *p = calloc (n ? n : 1, size ? size : 1);
  if (p == NULL)
    {
      fputs ("cordon: out of memory\n", stderr);
      abort ();
    }
  return p;
}

char *
xstrndup (const char *s, size_t n)
{
  char *d = xrealloc (NULL, n + 1);
  memcpy (d, s, n);
  d[n] = '\0';
  return d;
}

char *
xstrdup (const char *s)
{
  return s ? xstrndup (s, strlen (s)) : NULL;
}

char *
xvasprintf (const char *fmt, va_list ap)
{
  char *s = NULL;
  if (vasprintf (&s, fmt, ap) < 0)
    {
      fputs ("cordon: out of memory\n", stderr);
      abort ();
    }
  return s;
}

char *
xasprintf (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *s = xvasprintf (fmt, ap);
  va_end (ap);
  return s;
}

void
sb_putn (struct strbuf *b, const char *s, size_t n)
{
  if (b->n + n + 1 > b->cap)
    {
      size_t cap = b->cap ? b->cap : 64;
      while (cap < b->n + n + 1)
        cap *= 2;
      b->s = xrealloc (b->s, cap);
      b->cap = cap;
    }
  memcpy (b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

void
sb_putc (struct strbuf *b, char c)
{
  sb_putn (b, &c, 1);
}

void
sb_puts (struct strbuf *b, const char *s)
{
  sb_putn (b, s, strlen (s));
}

void
close_fd (int *fd)
{
  if (*fd < 0)
    return;
  int saved = errno;
  close (*fd);
  errno = saved;
  *fd = -1;
}

/* write_all (from OUT) or read_all (into IN): one loop for both. */
static int
transfer_all (int fd, const char *out, char *in, size_t len)
{
  size_t done = 0;
  while (done < len)
    {
      ssize_t n = out ? write (fd, out + done, len - done)
                      : read (fd, in + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;
          return -1;
        }
      done += (size_t) n;
    }
  return 0;
}

int
write_all (int fd, const void *buf, size_t len)
{
  return transfer_all (fd, buf, NULL, len);
}

int
read_all (int fd, void *buf, size_t len)
{
  return transfer_all (fd, NULL, buf, len);
}

void
heap_settle (void)
{
  /* A request above the small bins walks the whole unsorted list; volatile,
   * so that the compiler keeps the pair. */
  void *volatile block = malloc (16384);
  free (block);
}

static void
populate_writable (uintptr_t lo, uintptr_t hi, uintptr_t page)
{
  lo &= ~(page - 1);
  hi = (hi + page - 1) & ~(page - 1);
  if (hi > lo)
    madvise ((void *) lo, hi - lo, MADV_POPULATE_WRITE);
}

void
memory_writable_again (void)
{
  extern char __data_start[], _end[];
  uintptr_t page = (uintptr_t) sysconf (_SC_PAGESIZE);
  populate_writable ((uintptr_t) __data_start, (uintptr_t) _end, page);
  /* malloc's part of the brk heap ends at the break, less its top chunk,
   * which was never handed out (sanitizers' malloc reports nothing here,
   * and is left alone) */
  struct mallinfo2 mi = mallinfo2 ();
  uintptr_t top = (uintptr_t) sbrk (0);
  if (mi.arena > 0 && mi.arena <= top && mi.keepcost < mi.arena)
    populate_writable (top - mi.arena, top - mi.keepcost, page);
}

void
heap_prefault (size_t bytes)
{
  long page = sysconf (_SC_PAGESIZE);
  if (bytes < (size_t) 64 * page)
    return;
  /* From the brk heap, and kept there once freed, so that later
   * allocations are carved out of the populated pages. */
  mallopt (M_MMAP_THRESHOLD, 64 << 20);
  mallopt (M_TRIM_THRESHOLD, 128 << 20);
  char *block = malloc (bytes);
  if (block == NULL)
    return;
  populate_writable ((uintptr_t) block, (uintptr_t) block + bytes,
                     (uintptr_t) page);
  free (block);
}

ssize_t
read_small_file (const char *path, char *buf, size_t size)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read (fd, buf, size - 1);
  int saved = errno;
  close (fd);
  if (n <= 0)
    {
      errno = n < 0 ? saved : ESRCH;
      return -1;
    }
  buf[n] = '\0';
  return n;
}

/* PORT: 1 to 65535, digits only (no sign, no spaces, no leading 0). */
static bool
parse_port (const char *s, uint16_t *port)
{
  if (s[0] < '1' || s[0] > '9' || strlen (s) > 5)
    return false;
  unsigned long n = 0;
  for (const char *p = s; *p; p++)
    {
      if (*p < '0' || *p > '9')
        return false;
      n = n * 10 + (unsigned long) (*p - '0');
    }
  if (n > 65535)
    return false;
  *port = (uint16_t) n;
  return true;
}

bool
parse_inet_address (const char *s, struct sockaddr_storage *sa,
                    unsigned *len)
{
  if (s == NULL)
    return false;
  memset (sa, 0, sizeof *sa);
  const char *colon = strrchr (s, ':');
  char host[INET6_ADDRSTRLEN + 2];
  uint16_t port;
  if (colon == NULL || (size_t) (colon - s) >= sizeof host
      || !parse_port (colon + 1, &port))
    return false;
  memcpy (host, s, (size_t) (colon - s));
  host[colon - s] = '\0';
  if (host[0] == '[')
    {
      size_t n = strlen (host);
      if (n < 3 || host[n - 1] != ']')
        return false;
      host[n - 1] = '\0';
      struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) sa;
      if (inet_pton (AF_INET6, host + 1, &in6->sin6_addr) != 1)
        return false;
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons (port);
      *len = sizeof *in6;
      return true;
    }
  struct sockaddr_in *in = (struct sockaddr_in *) sa;
  if (inet_pton (AF_INET, host, &in->sin_addr) != 1)
    return false;
  in->sin_family = AF_INET;
  in->sin_port = htons (port);
  *len = sizeof *in;
  return true;
}

/* ---- descriptors over a unix socket ---- */

union fd_cmsg
{
  char buf[CMSG_SPACE (sizeof (int))];
  struct cmsghdr align;
};

int
send_fd (int sock, char tag, int fd)
{
  struct iovec iov = { .iov_base = &tag, .iov_len = 1 };
  union fd_cmsg c;
  memset (&c, 0, sizeof c);
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
                      .msg_control = c.buf, .msg_controllen = sizeof c.buf };
  struct cmsghdr *cm = CMSG_FIRSTHDR (&m);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cm), &fd, sizeof fd);
  ssize_t n;
  while ((n = sendmsg (sock, &m, MSG_NOSIGNAL)) < 0 && errno == EINTR)
    ;
  if (n == 1)
    return 0;
  if (n >= 0)
    errno = EIO;
  return -1;
}

ssize_t
recv_fd (int sock, void *buf, size_t size, int flags, int *fd)
{
  struct iovec iov = { .iov_base = buf, .iov_len = size };
  union fd_cmsg c;
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
                      .msg_control = c.buf, .msg_controllen = sizeof c.buf };
  *fd = -1;
  ssize_t n;
  while ((n = recvmsg (sock, &m, flags | MSG_CMSG_CLOEXEC)) < 0
         && errno == EINTR)
    ;
  if (n < 0)
    return -1;
  for (struct cmsghdr *cm = CMSG_FIRSTHDR (&m); cm != NULL;
       cm = CMSG_NXTHDR (&m, cm))
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS
        && cm->cmsg_len == CMSG_LEN (sizeof (int)))
      memcpy (fd, CMSG_DATA (cm), sizeof *fd);
  return n;
}

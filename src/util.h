/* util.h — small helpers shared by cordon's files. */
#ifndef CORDON_UTIL_H
#define CORDON_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Memory: out of memory is not a condition cordon can report usefully, so
 * these print "cordon: out of memory" and abort.  xstrndup copies N bytes
 * (NULs included) and ends them with one; xstrdup (NULL) is NULL. */
void *xrealloc (void *p, size_t n);
void *xcalloc (size_t n, size_t size);
char *xstrndup (const char *s, size_t n);
char *xstrdup (const char *s);
char *xvasprintf (const char *fmt, va_list ap)
  __attribute__ ((format (printf, 1, 0)));
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* Make room for one more element of a growable array. */
#define RESERVE_ONE(arr, n, cap)                                  \
  do                                                              \
    {                                                             \
      if ((n) >= (cap))                                           \
        {                                                         \
          (cap) = (cap) ? 2 * (cap) : 8;                          \
          (arr) = xrealloc ((arr), (cap) * sizeof *(arr));        \
        }                                                         \
    }                                                             \
  while (0)

/* A growable buffer, always ended by a NUL after its N bytes. */
struct strbuf
{
  char *s;
  size_t n, cap;
};

void sb_putn (struct strbuf *b, const char *s, size_t n);
void sb_putc (struct strbuf *b, char c);
void sb_puts (struct strbuf *b, const char *s);

/* Fill *err with "what: <errno text>" for the current errno, return -1. */
#define fail_errno(err, ...) cordon_fail ((err), errno, __VA_ARGS__)

/* Close *fd if open and mark it closed; keeps errno. */
void close_fd (int *fd);
/* An fd closed when its variable goes out of scope (crun's cleanup_close). */
#define cleanup_fd __attribute__ ((cleanup (close_fd)))

/* Write all LEN bytes of BUF, again after EINTR and short writes.  Returns 0,
 * or -1 with errno (EIO when write(2) takes nothing). */
int write_all (int fd, const void *buf, size_t len);

/* Read the start of a small file (a /proc one) into BUF, at most SIZE - 1
 * bytes, ended by a NUL.  Returns the length, or -1 with errno (ESRCH for
 * an empty file: a /proc file of a process that is gone). */
ssize_t read_small_file (const char *path, char *buf, size_t size);

/* Read exactly LEN bytes into BUF, again after EINTR and short reads.
 * Returns 0, or -1 with errno (EIO at an end of file before LEN bytes). */
int read_all (int fd, void *buf, size_t len);

/* Page faults cost ~15 us each in a VM; one madvise(MADV_POPULATE_WRITE)
 * takes about half as long per page.  Grow the heap by BYTES at once and
 * fault it in, for a parse about to allocate that much (nothing below 64
 * pages, or where the kernel does not know the call). */
void heap_prefault (size_t bytes);

/* Have malloc sort the chunks freed so far (the profile's parse tree) into
 * its bins now.  The first allocation that needs a fresh chunk does that,
 * writing into every free chunk: in a child of a fork-like clone each of
 * those writes is a copy-on-write fault (~180 in pid 1 after a profile of
 * 256 binds, against ~35 once settled). */
void heap_settle (void);

/* Once the jail's pid 1 is gone: make our static data and brk heap
 * writable again in one madvise(MADV_POPULATE_WRITE) each.  The clone left
 * every page we had written write-protected; ours alone now, each would
 * still take a fault at its first write on the way out (the frees), and
 * every fault is a point where the kernel's deferred clean-up of the jail's
 * namespaces can take the CPU from us.  Best effort. */
void memory_writable_again (void);

/* Passing a descriptor over a unix socket (SCM_RIGHTS): the jail's
 * terminal to its launcher (tty.c), a jail's pidfd to `cordon serve`
 * (listen.c).  send_fd sends the one byte TAG with FD; 0, or -1 with
 * errno.  recv_fd receives one message of up to SIZE bytes into BUF (again
 * after EINTR; FLAGS as recvmsg's) and the descriptor that came with it in
 * *FD (O_CLOEXEC), -1 when none did.  Returns recvmsg's count (0: the
 * peer closed), or -1 with errno. */
int send_fd (int sock, char tag, int fd);
ssize_t recv_fd (int sock, void *buf, size_t size, int flags, int *fd);

struct sockaddr_storage;
/* A TCP address as listen's address key writes it: "A.B.C.D:PORT" or
 * "[IPV6]:PORT", PORT 1 to 65535, the address a literal (no names, no
 * zone).  Fills *SA and *LEN; false when S is not one. */
bool parse_inet_address (const char *s, struct sockaddr_storage *sa,
                         unsigned *len);

#endif

/* error.h — how a failure travels up the stack.
 *
 * Every fallible function returns 0 on success or -1 on failure and, on
 * failure, fills a cordon_error that says what failed (with the path) and why
 * (the errno, in words).  Callers either handle it or add nothing and return
 * -1 again; the CLI prints it once, at the top.  Modelled on libcrun's
 * libcrun_error_t. */
#ifndef CORDON_ERROR_H
#define CORDON_ERROR_H

#include <stdarg.h>

/* Exit statuses of `cordon run`, as podman and crun use them. */
enum {
  EXIT_CORDON_FAILED = 125,   /* cordon failed; the command did not run */
  EXIT_CANNOT_EXEC = 126,     /* the command exists but cannot be executed */
  EXIT_NOT_FOUND = 127,       /* the command was not found */
};

typedef struct cordon_error
{
  int errno_value;    /* 0 when the failure has no errno */
  int exit_status;    /* what `cordon run` exits with because of it */
  char *message;      /* "mount /usr on /tmp/r/usr: Operation not permitted (EPERM)" */
} *cordon_error_t;

/* Fill *err (when err is not NULL) and return -1.  When errno_value is not 0,
 * ": <strerror> (<ERRNAME>)" is appended to the message.  exit status is 125. */
int cordon_fail (cordon_error_t *err, int errno_value, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));
/* The same with an explicit exit status (126, 127 for exec failures). */
int cordon_fail_status (cordon_error_t *err, int exit_status, int errno_value,
                        const char *fmt, ...)
  __attribute__ ((format (printf, 4, 5)));
/* Prefix an existing error's message with more context: "what: <old>". */
int cordon_error_wrap (cordon_error_t *err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));
void cordon_error_free (cordon_error_t *err);

#endif

/* timens.c — the clock offsets of the jail's time namespace (timens.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "timens.h"
#include "util.h"

#define OFFSETS_FILE "/proc/self/timens_offsets"

static bool
has_offsets (const struct jail_spec *spec)
{
  return (spec->namespaces & JAIL_NS_TIME)
         && (spec->time_offsets.monotonic != 0
             || spec->time_offsets.boottime != 0);
}

int
timens_open_offsets (const struct jail_spec *spec, int *fd,
                     cordon_error_t *err)
{
  *fd = -1;
  if (!has_offsets (spec))
    return 0;
  *fd = open (OFFSETS_FILE, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (*fd < 0)
    return fail_errno (err, "open %s", OFFSETS_FILE);
  return 0;
}

int
timens_write_offsets (const struct jail_spec *spec, int fd,
                      cordon_error_t *err)
{
  if (fd < 0)
    return 0;
  /* One write: the kernel takes the offsets of a write as one update. */
  char buf[128];
  int n = snprintf (buf, sizeof buf, "monotonic %" PRId64 " 0\n"
                    "boottime %" PRId64 " 0\n", spec->time_offsets.monotonic,
                    spec->time_offsets.boottime);
  ssize_t w = write (fd, buf, (size_t) n);
  if (w < 0 && errno == ERANGE)
    return cordon_fail (err, ERANGE, "write %s: the offsets (monotonic %"
                        PRId64 "s, boottime %" PRId64 "s) would take a clock "
                        "below 0", OFFSETS_FILE, spec->time_offsets.monotonic,
                        spec->time_offsets.boottime);
  if (w < 0)
    return fail_errno (err, "write %s", OFFSETS_FILE);
  if (w != n)
    return cordon_fail (err, EIO, "write %s: short write", OFFSETS_FILE);
  return 0;
}

/* report.c — the run report as JSON (jansson), see report.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

int
report_open (const char *file, int fd, cordon_error_t *err)
{
  if (file != NULL)
    {
      int f = open (file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (f < 0)
        return cordon_fail (err, errno, "--report %s", file);
      return f;
    }
  int flags = fcntl (fd, F_GETFL);
  if (flags < 0)
    return cordon_fail (err, errno, "--report-fd %d", fd);
  if ((flags & O_ACCMODE) == O_RDONLY)
    return cordon_fail (err, EBADF, "--report-fd %d is not open for writing",
                        fd);
  /* The jail must not get it: close_range() in the jail marks every fd
   * above 2 close-on-exec, this one included. */
  return fd;
}

/* RFC 3339 in UTC with milliseconds: "2025-01-31T12:00:00.123Z". */
static json_t *
timestamp (const struct timespec *ts)
{
  struct tm tm;
  char buf[64];
  if (gmtime_r (&ts->tv_sec, &tm) == NULL)
    return json_null ();
  size_t n = strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, sizeof buf - n, ".%03ldZ", ts->tv_nsec / 1000000);
  return json_string (buf);
}

static const char *
reason_name (enum jail_end reason)
{
  switch (reason)
    {
    case JAIL_END_EXITED:
      return "exited";
    case JAIL_END_SIGNALED:
      return "signaled";
    case JAIL_END_OOM:
      return "oom";
    case JAIL_END_TIME_LIMIT:
      return "time_limit";
    case JAIL_END_SETUP_ERROR:
      break;
    }
  return "setup_error";
}

/* json_string() refuses invalid UTF-8 (an argv may hold any bytes): such a
 * value is null rather than a dropped key. */
static json_t *
string_or_null (const char *s)
{
  json_t *j = json_string (s);
  return j ? j : json_null ();
}

static json_t *
optional_u64 (bool has, uint64_t v)
{
  return has ? json_integer ((json_int_t) v) : json_null ();
}

static json_t *
build (const struct jail_spec *spec, const struct jail_result *r,
       const char *error)
{
  json_t *argv = json_array ();
  for (size_t i = 0; argv && i < spec->n_argv; i++)
    json_array_append_new (argv, string_or_null (spec->argv[i]));
  json_t *o = json_object ();
  if (o == NULL)
    {
      json_decref (argv);
      return NULL;
    }
  json_object_set_new (o, "profile", string_or_null (spec->name ? spec->name
                                                                : ""));
  json_object_set_new (o, "argv", argv ? argv : json_null ());
  json_object_set_new (o, "exit_status", json_integer (r->exit_status));
  json_object_set_new (o, "signal", r->signal ? json_integer (r->signal)
                                              : json_null ());
  json_object_set_new (o, "reason", json_string (reason_name (r->reason)));
  json_object_set_new (o, "wall_time", json_real (r->wall_seconds));
  json_object_set_new (o, "user_time", json_real (r->user_seconds));
  json_object_set_new (o, "system_time", json_real (r->system_seconds));
  json_object_set_new (o, "peak_memory", optional_u64 (r->has_peak_memory,
                                                       r->peak_memory));
  json_object_set_new (o, "peak_pids", optional_u64 (r->has_peak_pids,
                                                     r->peak_pids));
  json_object_set_new (o, "oom_kills", json_integer ((json_int_t) r->oom_kills));
  json_object_set_new (o, "start", timestamp (&r->start));
  json_object_set_new (o, "end", timestamp (&r->end));
  if (error)
    json_object_set_new (o, "error", string_or_null (error));
  return o;
}

int
report_write (int fd, const struct jail_spec *spec,
              const struct jail_result *r, const char *error,
              cordon_error_t *err)
{
  json_t *o = build (spec, r, error);
  if (o == NULL)
    return cordon_fail (err, ENOMEM, "the run report");
  int rc = json_dumpfd (o, fd, JSON_COMPACT | JSON_ENSURE_ASCII
                        | JSON_REAL_PRECISION (12));
  if (rc == 0 && write (fd, "\n", 1) != 1)
    rc = -1;
  int e = errno;
  json_decref (o);
  if (rc < 0)
    return cordon_fail (err, e, "write the run report");
  return 0;
}

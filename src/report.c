/* report.c — the run report as JSON (jansson), see report.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "landlock.h"
#include "rlimits.h"
#include "util.h"

/* What a file that is not a regular one is, for the refusal. */
static const char *
file_kind (mode_t mode)
{
  switch (mode & S_IFMT)
    {
    case S_IFDIR:
      return "a directory";
    case S_IFIFO:
      return "a FIFO";
    case S_IFSOCK:
      return "a socket";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    case S_IFLNK:
      return "a symbolic link";
    }
  return "not a regular file";
}

/* May cordon replace FILE, as ST describes it?  Only a regular file of
 * our own with no other name: anything else may be someone else's data (a
 * symlink or a hard link planted where others can write, as in /tmp) or
 * something that blocks or acts when opened (a FIFO, a device). */
static int
check_report_file (const char *file, const struct stat *st,
                   cordon_error_t *err)
{
  if (S_ISLNK (st->st_mode))
    return cordon_fail (err, 0, "--report %s: is a symbolic link; cordon "
                        "does not follow one", file);
  if (!S_ISREG (st->st_mode))
    return cordon_fail (err, 0, "--report %s: is %s, not a regular file",
                        file, file_kind (st->st_mode));
  if (st->st_uid != geteuid ())
    return cordon_fail (err, 0, "--report %s: belongs to uid %u; cordon does "
                        "not write another user's file", file,
                        (unsigned) st->st_uid);
  if (st->st_nlink != 1)
    return cordon_fail (err, 0, "--report %s: has %ju links (hard links "
                        "give it other names); cordon writes only a file "
                        "with one name", file, (uintmax_t) st->st_nlink);
  return 0;
}

/* FILE's directory and last name: "a/b" -> "a", "b"; "b" -> ".", "b". */
static int
split_path (const char *file, char **dir, const char **base,
            cordon_error_t *err)
{
  if (*file == '\0')
    return cordon_fail (err, 0, "--report: the file name is empty");
  const char *slash = strrchr (file, '/');
  *base = slash ? slash + 1 : file;
  if (**base == '\0')
    return cordon_fail (err, 0, "--report %s: names a directory, not a file",
                        file);
  if (slash == NULL)
    *dir = strdup (".");
  else if (slash == file)
    *dir = strdup ("/");
  else
    *dir = strndup (file, (size_t) (slash - file));
  if (*dir == NULL)
    return cordon_fail (err, ENOMEM, "--report %s", file);
  return 0;
}

/* Open BASE in DFD for writing: a new file, or an existing one that
 * check_report_file accepts as it stands, before it is opened (a FIFO or
 * device is never opened).  *CREATED says which. */
static int
open_in_dir (int dfd, const char *file, const char *base, bool *created,
             cordon_error_t *err)
{
  /* O_EXCL does not follow a symlink, dangling or not: EEXIST. */
  int fd = openat (dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                   | O_NOCTTY | O_CLOEXEC, 0644);
  *created = fd >= 0;
  if (fd >= 0 || errno != EEXIST)
    return fd >= 0 ? fd : cordon_fail (err, errno, "--report %s", file);
  struct stat st;
  if (fstatat (dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return cordon_fail (err, errno, "--report %s", file);
  if (check_report_file (file, &st, err) < 0)
    return -1;
  /* No O_TRUNC: the fd is checked first.  O_NOFOLLOW and O_NONBLOCK in
   * case the name was replaced meanwhile by a symlink or a FIFO. */
  fd = openat (dfd, base, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY
               | O_CLOEXEC);
  if (fd < 0)
    return cordon_fail (err, errno, "--report %s%s", file, errno == ELOOP
                        ? ": is a symbolic link; cordon does not follow one"
                        : "");
  return fd;
}

/* The fd opened for FILE is the one written: check it again (the name
 * may have changed between the check and the open) and empty it. */
static int
take_report_fd (int fd, const char *file, bool created, cordon_error_t *err)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    return cordon_fail (err, errno, "--report %s: fstat", file);
  if (check_report_file (file, &st, err) < 0)
    return -1;
  if (!created && ftruncate (fd, 0) < 0)
    return cordon_fail (err, errno, "--report %s: truncate", file);
  return 0;
}

/* --report FILE: see report.h.  Opened relative to its directory, so that
 * the name checked and the name opened are in the same directory whatever
 * happens to the path meanwhile; the directory stays open for the final
 * report's rename. */
static int
open_report_file (struct report_dest *d, const char *file, cordon_error_t *err)
{
  char *dir = NULL;
  const char *base = NULL;
  if (split_path (file, &dir, &base, err) < 0)
    return -1;
  int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    {
      cordon_fail (err, errno, "--report %s: open %s", file, dir);
      free (dir);
      return -1;
    }
  free (dir);
  bool created;
  int fd = open_in_dir (dfd, file, base, &created, err);
  if (fd >= 0 && take_report_fd (fd, file, created, err) < 0)
    {
      close (fd);
      fd = -1;
      if (created)
        unlinkat (dfd, base, 0);
    }
  if (fd < 0)
    {
      close (dfd);
      return -1;
    }
  *d = (struct report_dest) { .fd = fd, .dfd = dfd, .file = xstrdup (file),
                              .base = xstrdup (base) };
  return 0;
}

int
report_open (struct report_dest *d, const char *file, int fd,
             cordon_error_t *err)
{
  *d = (struct report_dest) REPORT_DEST_NONE;
  if (file != NULL)
    return open_report_file (d, file, err);
  int flags = fcntl (fd, F_GETFL);
  if (flags < 0)
    return cordon_fail (err, errno, "--report-fd %d", fd);
  if ((flags & O_ACCMODE) == O_RDONLY)
    return cordon_fail (err, EBADF, "--report-fd %d is not open for writing",
                        fd);
  /* The jail must not get it: close_range() in the jail marks every fd
   * above 2 close-on-exec, this one included.  It is the caller's as it
   * is (a pipe, a terminal...), and written as it is: see report.h. */
  d->fd = fd;
  return 0;
}

void
report_close (struct report_dest *d)
{
  if (d->dfd >= 0)
    {
      close (d->fd);
      close (d->dfd);
    }
  free (d->file);
  free (d->base);
  *d = (struct report_dest) REPORT_DEST_NONE;
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

const char *
report_reason_name (enum jail_end reason)
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
    case JAIL_END_NOT_FOUND:
      return "not_found";
    case JAIL_END_CANNOT_EXEC:
      return "cannot_execute";
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

/* Why the command did not run, when its execve failed: as cordon's
 * messages say an errno, "exec sh: No such file or directory (ENOENT)". */
static json_t *
exec_error (const struct jail_spec *spec, int e)
{
  const char *name = strerrorname_np (e);
  char *msg = NULL;
  if (asprintf (&msg, "exec %s: %s (%s)", spec->argv[0], strerror (e),
                name ? name : "?") < 0)
    return json_null ();
  json_t *j = string_or_null (msg);
  free (msg);
  return j;
}

static json_t *
optional_u64 (bool has, uint64_t v)
{
  return has && v <= INT64_MAX ? json_integer ((json_int_t) v) : json_null ();
}

/* An rlimit's value as setrlimit got it: null for unlimited. */
static json_t *
rlimit_value (uint64_t v)
{
  return optional_u64 (v != UINT64_MAX, v);
}

/* The limits the jail runs under, as the profile set them and cordon
 * applied them (a limit that cannot be applied fails the run): null where
 * none is set. */
static json_t *
limits (const struct jail_spec *spec)
{
  const struct cgroup_spec *c = &spec->cgroup;
  json_t *o = json_object ();
  json_t *rl = json_object ();
  if (o == NULL || rl == NULL)
    {
      json_decref (o);
      json_decref (rl);
      return json_null ();
    }
  json_object_set_new (o, "memory", optional_u64 (c->has_memory, c->memory));
  json_object_set_new (o, "memory_swap", optional_u64 (c->has_memory_swap,
                                                       c->memory_swap));
  json_object_set_new (o, "pids", optional_u64 (c->pids > 0, c->pids));
  json_object_set_new (o, "cpu", c->cpu > 0 ? json_real (c->cpu)
                                            : json_null ());
  json_object_set_new (o, "time_limit", optional_u64 (spec->time_limit > 0,
                                                      spec->time_limit));
  for (int r = 0; r < JAIL_RLIMIT_COUNT; r++)
    {
      const struct rlimit_setting *l = &spec->rlimits[r];
      const char *name = cordon_rlimit_name (r);
      if (!l->set || name == NULL)
        continue;
      json_t *v = json_object ();
      if (v == NULL)
        continue;
      json_object_set_new (v, "soft", rlimit_value (l->soft));
      json_object_set_new (v, "hard", rlimit_value (l->hard));
      json_object_set_new (rl, name, v);
    }
  json_object_set_new (o, "rlimits", rl);
  return o;
}

/* Whether a fork failed at the pids limit (pids.events "max"); null
 * without a pids cgroup. */
static json_t *
pids_limit_reached (const struct jail_result *r)
{
  return r->has_pids_max_events ? json_boolean (r->pids_max_events > 0)
                                : json_null ();
}

/* The report; R NULL: the run has not ended ("running"), START is when
 * it began. */
static json_t *
build (const struct jail_spec *spec, const struct jail_result *r,
       const struct timespec *start, const char *error)
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
  /* the ABI the command's Landlock rules were made for; null: none */
  int abi = spec->landlock.enabled ? landlock_abi () : 0;
  json_object_set_new (o, "landlock_abi", abi ? json_integer (abi)
                                              : json_null ());
  json_object_set_new (o, "status", json_string (r ? "ended" : "running"));
  json_object_set_new (o, "limits", limits (spec));
  json_object_set_new (o, "start", timestamp (r ? &r->start : start));
  if (r == NULL)
    {
      /* what only the end knows is null until then */
      static const char *const later[] = {
        "exit_status", "signal", "reason", "wall_time", "user_time",
        "system_time", "peak_memory", "peak_pids", "oom_kills",
        "pids_limit_reached", "end",
      };
      for (size_t i = 0; i < sizeof later / sizeof *later; i++)
        json_object_set_new (o, later[i], json_null ());
      return o;
    }
  json_object_set_new (o, "exit_status", json_integer (r->exit_status));
  json_object_set_new (o, "signal", r->signal ? json_integer (r->signal)
                                              : json_null ());
  json_object_set_new (o, "reason", json_string (report_reason_name (r->reason)));
  json_object_set_new (o, "wall_time", json_real (r->wall_seconds));
  json_object_set_new (o, "user_time", json_real (r->user_seconds));
  json_object_set_new (o, "system_time", json_real (r->system_seconds));
  json_object_set_new (o, "peak_memory", optional_u64 (r->has_peak_memory,
                                                       r->peak_memory));
  json_object_set_new (o, "peak_pids", optional_u64 (r->has_peak_pids,
                                                     r->peak_pids));
  json_object_set_new (o, "oom_kills", optional_u64 (r->has_oom_kills,
                                                     r->oom_kills));
  json_object_set_new (o, "pids_limit_reached", pids_limit_reached (r));
  json_object_set_new (o, "end", timestamp (&r->end));
  if (error)
    json_object_set_new (o, "error", string_or_null (error));
  else if (r->exec_errno)
    json_object_set_new (o, "error", exec_error (spec, r->exec_errno));
  return o;
}

/* Dump O to FD, one line. */
static int
dump (json_t *o, int fd, cordon_error_t *err)
{
  /* A pipe whose reader is gone is an error to report, not a SIGPIPE
   * that would end cordon and lose the command's status. */
  struct sigaction ignore = { .sa_handler = SIG_IGN }, old;
  sigaction (SIGPIPE, &ignore, &old);
  int rc = json_dumpfd (o, fd, JSON_COMPACT | JSON_ENSURE_ASCII
                        | JSON_REAL_PRECISION (12));
  if (rc == 0 && write (fd, "\n", 1) != 1)
    rc = -1;
  int e = errno;
  sigaction (SIGPIPE, &old, NULL);
  if (rc < 0)
    return cordon_fail (err, e, "write the run report");
  return 0;
}

int
report_begin (struct report_dest *d, const struct jail_spec *spec,
              cordon_error_t *err)
{
  if (d->dfd < 0)
    return 0;
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  json_t *o = build (spec, NULL, &now, NULL);
  if (o == NULL)
    return cordon_fail (err, ENOMEM, "the run report");
  int rc = dump (o, d->fd, err);
  json_decref (o);
  if (rc < 0)
    cordon_error_wrap (err, "--report %s", d->file);
  return rc;
}

/* A new file for the final report, next to FILE: its own name (O_EXCL,
 * never a name someone planted), FILE's mode.  Its fd, or -1 with *err. */
static int
open_replacement (struct report_dest *d, char *name, size_t size,
                  cordon_error_t *err)
{
  struct stat st;
  if (fstat (d->fd, &st) < 0)
    return cordon_fail (err, errno, "--report %s: fstat", d->file);
  for (int tries = 0; tries < 100; tries++)
    {
      uint32_t token;
      if (getrandom (&token, sizeof token, 0) != sizeof token)
        token = (uint32_t) getpid () ^ (uint32_t) tries;
      snprintf (name, size, ".cordon-report.%08x", (unsigned) token);
      int fd = openat (d->dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                       | O_NOCTTY | O_CLOEXEC, 0600);
      if (fd < 0 && errno == EEXIST)
        continue;
      if (fd < 0)
        return cordon_fail (err, errno, "--report %s: create %s next to it",
                            d->file, name);
      if (fchmod (fd, st.st_mode & 07777) < 0)
        {
          int e = errno;
          close (fd);
          unlinkat (d->dfd, name, 0);
          return cordon_fail (err, e, "--report %s: chmod %s", d->file, name);
        }
      return fd;
    }
  return cordon_fail (err, EEXIST, "--report %s: no free name next to it",
                      d->file);
}

/* Is FILE's name still the file checked at the start?  Else it was
 * replaced or removed while the jail ran, by someone who may write the
 * directory: cordon does not put its report over what is there now. */
static int
still_ours (struct report_dest *d, cordon_error_t *err)
{
  struct stat mine, now;
  if (fstat (d->fd, &mine) < 0)
    return cordon_fail (err, errno, "--report %s: fstat", d->file);
  if (fstatat (d->dfd, d->base, &now, AT_SYMLINK_NOFOLLOW) < 0)
    return cordon_fail (err, errno, "--report %s: it was removed while the "
                        "jail ran", d->file);
  if (now.st_dev != mine.st_dev || now.st_ino != mine.st_ino)
    return cordon_fail (err, 0, "--report %s: it was replaced while the jail "
                        "ran; cordon does not write over another file",
                        d->file);
  return 0;
}

/* --report FILE: the whole report goes to a new file renamed over FILE,
 * so that a reader (or a launcher killed meanwhile) finds the running
 * report or the final one, never a mix or nothing. */
static int
replace_report (struct report_dest *d, json_t *o, cordon_error_t *err)
{
  char name[64];
  int fd = open_replacement (d, name, sizeof name, err);
  if (fd < 0)
    return -1;
  int rc = dump (o, fd, err);
  if (close (fd) < 0 && rc == 0)
    rc = cordon_fail (err, errno, "write the run report");
  if (rc == 0)
    rc = still_ours (d, err);
  if (rc == 0 && renameat (d->dfd, name, d->dfd, d->base) < 0)
    rc = cordon_fail (err, errno, "--report %s: rename %s over it", d->file,
                      name);
  if (rc < 0)
    unlinkat (d->dfd, name, 0);
  return rc;
}

int
report_write (struct report_dest *d, const struct jail_spec *spec,
              const struct jail_result *r, const char *error,
              cordon_error_t *err)
{
  json_t *o = build (spec, r, NULL, error);
  if (o == NULL)
    return cordon_fail (err, ENOMEM, "the run report");
  int rc = d->dfd >= 0 ? replace_report (d, o, err) : dump (o, d->fd, err);
  json_decref (o);
  return rc;
}

char *
report_format_listen (const struct jail_spec *spec,
                      const struct jail_result *r, const char *error,
                      const char *peer, const char *jail_id)
{
  json_t *o = build (spec, r, NULL, error);
  if (o == NULL)
    return NULL;
  json_object_set_new (o, "peer", string_or_null (peer));
  json_object_set_new (o, "jail_id", jail_id ? string_or_null (jail_id)
                                             : json_null ());
  char *line = json_dumps (o, JSON_COMPACT | JSON_ENSURE_ASCII
                           | JSON_REAL_PRECISION (12));
  json_decref (o);
  if (line == NULL)
    return NULL;
  size_t n = strlen (line);
  char *out = realloc (line, n + 2);
  if (out == NULL)
    {
      free (line);
      return NULL;
    }
  out[n] = '\n';
  out[n + 1] = '\0';
  return out;
}

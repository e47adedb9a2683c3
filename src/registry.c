/* registry.c — the running jails' records (see registry.h): the private
 * state directory, writing records whole, reading them back, telling live
 * ones from stale ones. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry.h"
#include "util.h"

#define RECORD_MAX (1024 * 1024)

struct registry
{
  int dirfd;
  char *path;
  uid_t owner;          /* whose jails: the euid, or a user's for root */
};

/* ---- processes ---- */

int
proc_stat_number (pid_t pid, int field, unsigned long long *value)
{
  char path[64], buf[1024];
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  if (read_small_file (path, buf, sizeof buf) < 0)
    return -1;
  /* The command name (field 2) may hold spaces and ')': count from the
   * last ')', its end; each space on starts the next field. */
  const char *p = strrchr (buf, ')');
  for (int f = 2; f < field && p != NULL; f++)
    p = strchr (p + 1, ' ');
  if (p == NULL || field < 4 || p[1] == '-')
    {
      errno = EINVAL;
      return -1;
    }
  char *end;
  errno = 0;
  *value = strtoull (p + 1, &end, 10);
  if (errno != 0 || end == p + 1)
    {
      errno = EINVAL;
      return -1;
    }
  return 0;
}

int
proc_start_time (pid_t pid, unsigned long long *start)
{
  return proc_stat_number (pid, 22, start);
}

bool
proc_is (pid_t pid, unsigned long long start)
{
  unsigned long long now;
  return pid > 0 && proc_start_time (pid, &now) == 0 && now == start;
}

/* The inode of this process's pid namespace; 0 when it cannot be read. */
static unsigned long long
own_pid_namespace (void)
{
  struct stat st;
  return stat ("/proc/self/ns/pid", &st) == 0 ? (unsigned long long) st.st_ino
                                              : 0;
}

/* A record whose launcher is in another pid namespace than this cordon
 * (a cordon run under `unshare -p` sharing /run): its pids are numbers of
 * that namespace, not of this /proc.  It is not listed; only a cordon whose
 * /proc shows every process may sweep it (nested_launcher_lives). */
static bool
pidns_foreign (unsigned long long record_pidns, unsigned long long own)
{
  return record_pidns != 0 && own != 0 && record_pidns != own;
}

/* Does this /proc show every process of the machine (it is the first pid
 * namespace's)?  Its pid 2 is then kthreadd, a kernel thread, which no
 * process of a nested namespace can be or pose as (PF_KTHREAD in its
 * flags, field 9 of its stat). */
static bool
sees_every_process (void)
{
  unsigned long long flags;
  return proc_stat_number (2, 9, &flags) == 0
         && (flags & 0x00200000ull) != 0;       /* PF_KTHREAD */
}

/* The innermost pid of process PID (in this /proc) from its NSpid line:
 * its pid in its own pid namespace; 0 when unknown. */
static pid_t
innermost_pid (long pid)
{
  char path[64], buf[2048];
  snprintf (path, sizeof path, "/proc/%ld/status", pid);
  if (read_small_file (path, buf, sizeof buf) < 0)
    return 0;
  const char *line = strstr (buf, "\nNSpid:");
  if (line == NULL)
    return 0;
  line += 8;
  long last = 0;
  char *end;
  for (;;)
    {
      long v = strtol (line, &end, 10);
      if (end == line)
        break;
      last = v;
      line = end;
    }
  return last > 0 && last <= INT_MAX ? (pid_t) last : 0;
}

/* Does the launcher of a record of another pid namespace live (or can
 * this cordon not tell)?  Seen in a /proc that shows every process: a
 * process of namespace PIDNS whose pid there is LAUNCHER and which started
 * at START.  Such a process whose namespace this user may not read could
 * be it: then it lives, as far as we know. */
static bool
nested_launcher_lives (unsigned long long pidns, pid_t launcher,
                       unsigned long long start)
{
  DIR *d = opendir ("/proc");
  if (d == NULL)
    return true;
  bool lives = false;
  struct dirent *de;
  while (!lives && (de = readdir (d)) != NULL)
    {
      char *end;
      long pid = strtol (de->d_name, &end, 10);
      if (*end != '\0' || pid <= 0 || pid > INT_MAX)
        continue;
      if (innermost_pid (pid) != launcher || !proc_is ((pid_t) pid, start))
        continue;
      char path[64];
      struct stat st;
      snprintf (path, sizeof path, "/proc/%ld/ns/pid", pid);
      if (stat (path, &st) < 0)
        lives = errno == EACCES || errno == EPERM;
      else
        lives = st.st_ino == pidns;
    }
  closedir (d);
  return lives;
}

/* ---- the directory ---- */

/* OWNER's and no one else's to write. */
static bool
private_dir_fd (int fd, uid_t owner)
{
  struct stat st;
  return fstat (fd, &st) == 0 && S_ISDIR (st.st_mode)
         && st.st_uid == owner && (st.st_mode & 022) == 0;
}

/* NAME under DIRFD, a private directory of OWNER's, made 0700 when
 * CREATE. */
static int
open_private_dir (int dirfd, const char *shown, const char *name,
                  uid_t owner, bool create, cordon_error_t *err)
{
  if (create && mkdirat (dirfd, name, 0700) < 0 && errno != EEXIST)
    return fail_errno (err, "mkdir %s/%s", shown, name);
  int fd = openat (dirfd, name,
                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT && !create)
        return -2;
      return fail_errno (err, "open %s/%s", shown, name);
    }
  if (!private_dir_fd (fd, owner))
    {
      close (fd);
      return cordon_fail (err, 0, "%s/%s: not a directory owned by uid %u "
                          "that only it can write", shown, name,
                          (unsigned) owner);
    }
  return fd;
}

static const char *
base_dir (void)
{
  if (geteuid () == 0)
    return "/run";
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  return xdg != NULL && *xdg == '/' ? xdg : NULL;
}

/* BASE/cordon/jails, of OWNER's. */
static int
open_under (const char *base, uid_t owner, bool create,
            struct registry **out, cordon_error_t *err)
{
  *out = NULL;
  int basefd = open (base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (basefd < 0)
    {
      if (errno == ENOENT && !create)
        return 0;
      return fail_errno (err, "open %s", base);
    }
  /* A user's runtime directory must be theirs; /run is root's. */
  if (!private_dir_fd (basefd, owner))
    {
      close (basefd);
      return cordon_fail (err, 0, "%s: not a directory owned by uid %u that "
                          "only it can write", base, (unsigned) owner);
    }
  char *shown = xasprintf ("%s/cordon", base);
  int cordonfd = open_private_dir (basefd, base, "cordon", owner, create,
                                   err);
  close (basefd);
  int fd = cordonfd;
  if (cordonfd >= 0)
    {
      fd = open_private_dir (cordonfd, shown, "jails", owner, create, err);
      close (cordonfd);
    }
  if (fd < 0)
    {
      free (shown);
      return fd == -2 ? 0 : -1;
    }
  struct registry *r = xcalloc (1, sizeof *r);
  r->dirfd = fd;
  r->path = xasprintf ("%s/jails", shown);
  r->owner = owner;
  free (shown);
  *out = r;
  return 0;
}

bool
registry_has_place (void)
{
  return base_dir () != NULL;
}

int
registry_open (bool create, struct registry **out, cordon_error_t *err)
{
  *out = NULL;
  const char *base = base_dir ();
  if (base == NULL)
    {
      if (!create)
        return 0;
      return cordon_fail (err, 0, "no state directory for the jails: "
                          "XDG_RUNTIME_DIR is not set");
    }
  return open_under (base, geteuid (), create, out, err);
}

int
registry_open_user (uid_t uid, struct registry **out, cordon_error_t *err)
{
  char base[64];
  snprintf (base, sizeof base, "/run/user/%u", (unsigned) uid);
  return open_under (base, uid, false, out, err);
}

int
registry_users (uid_t **uids, size_t *n)
{
  *uids = NULL;
  *n = 0;
  DIR *d = opendir ("/run/user");
  if (d == NULL)
    return errno == ENOENT ? 0 : -1;
  size_t cap = 0;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      char *end;
      errno = 0;
      unsigned long uid = strtoul (de->d_name, &end, 10);
      if (errno || end == de->d_name || *end || uid == 0
          || uid > (uid_t) -2)
        continue;
      RESERVE_ONE (*uids, *n, cap);
      (*uids)[(*n)++] = (uid_t) uid;
    }
  closedir (d);
  return 0;
}

void
registry_close (struct registry *r)
{
  if (r == NULL)
    return;
  close (r->dirfd);
  free (r->path);
  free (r);
}

const char *
registry_dir (const struct registry *r)
{
  return r->path;
}

bool
registry_name_valid (const char *name)
{
  size_t n = strlen (name);
  if (n == 0 || n > 64 || name[0] == '.' || name[0] == '-')
    return false;
  return strspn (name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                 "0123456789._-") == n;
}

static bool
is_id (const char *s)
{
  return strlen (s) == REGISTRY_ID_LEN
         && strspn (s, "0123456789abcdef") == REGISTRY_ID_LEN;
}

/* ---- records ---- */

void
jail_record_free (struct jail_record *rec)
{
  free (rec->name);
  free (rec->profile_path);
  free (rec->profile_name);
  for (size_t i = 0; i < rec->n_argv; i++)
    free (rec->argv[i]);
  free (rec->argv);
  for (size_t i = 0; i < rec->n_cgroups; i++)
    free (rec->cgroups[i]);
  free (rec->cgroups);
  free (rec->address);
  free (rec->peer);
  memset (rec, 0, sizeof *rec);
}

/* A value on one line: backslash and newline escaped. */
static void
put_value (struct strbuf *b, const char *key, const char *value)
{
  if (value == NULL)
    return;
  sb_puts (b, key);
  sb_putc (b, '=');
  for (const char *p = value; *p; p++)
    if (*p == '\\')
      sb_puts (b, "\\\\");
    else if (*p == '\n')
      sb_puts (b, "\\n");
    else
      sb_putc (b, *p);
  sb_putc (b, '\n');
}

static void
put_number (struct strbuf *b, const char *key, unsigned long long n)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%llu", n);
  put_value (b, key, buf);
}

static void
format_record (struct strbuf *b, const struct jail_record *rec)
{
  put_value (b, "id", rec->id);
  put_value (b, "name", rec->name);
  put_value (b, "profile_path", rec->profile_path);
  put_value (b, "profile_name", rec->profile_name);
  put_number (b, "uid", rec->uid);
  put_number (b, "launcher", (unsigned long long) rec->launcher);
  put_number (b, "launcher_start", rec->launcher_start);
  put_number (b, "pidns", rec->pidns);
  put_number (b, "pid", (unsigned long long) rec->pid);
  put_number (b, "pid_start", rec->pid_start);
  put_number (b, "started", (unsigned long long) rec->started);
  for (size_t i = 0; i < rec->n_argv; i++)
    put_value (b, "arg", rec->argv[i]);
  for (size_t i = 0; i < rec->n_cgroups; i++)
    put_value (b, "cgroup", rec->cgroups[i]);
  put_value (b, "address", rec->address);
  put_value (b, "peer", rec->peer);
}

static char *
unescape (const char *s, size_t n)
{
  char *out = xcalloc (n + 1, 1), *o = out;
  for (size_t i = 0; i < n; i++)
    if (s[i] == '\\' && i + 1 < n)
      *o++ = s[++i] == 'n' ? '\n' : s[i];
    else
      *o++ = s[i];
  *o = '\0';
  return out;
}

static int
parse_number (const char *v, unsigned long long *n)
{
  char *end;
  errno = 0;
  *n = strtoull (v, &end, 10);
  return errno == 0 && end != v && *end == '\0' ? 0 : -1;
}

static void
push (char ***v, size_t *n, char *s)
{
  *v = xrealloc (*v, (*n + 2) * sizeof **v);
  (*v)[(*n)++] = s;
  (*v)[*n] = NULL;
}

static int
parse_record (const char *text, size_t len, struct jail_record *rec)
{
  memset (rec, 0, sizeof *rec);
  const char *p = text, *end = text + len;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      if (nl == NULL)
        nl = end;
      const char *eq = memchr (p, '=', (size_t) (nl - p));
      if (eq == NULL)
        goto bad;
      char key[32];
      size_t klen = (size_t) (eq - p);
      if (klen >= sizeof key)
        goto bad;
      memcpy (key, p, klen);
      key[klen] = '\0';
      char *v = unescape (eq + 1, (size_t) (nl - eq - 1));
      unsigned long long n = 0;
      bool numeric = strcmp (key, "uid") == 0 || strcmp (key, "launcher") == 0
                     || strcmp (key, "launcher_start") == 0
                     || strcmp (key, "pidns") == 0
                     || strcmp (key, "pid") == 0
                     || strcmp (key, "pid_start") == 0
                     || strcmp (key, "started") == 0;
      if (numeric && parse_number (v, &n) < 0)
        {
          free (v);
          goto bad;
        }
      if (strcmp (key, "id") == 0 && is_id (v))
        memcpy (rec->id, v, REGISTRY_ID_LEN + 1);
      else if (strcmp (key, "name") == 0 && rec->name == NULL)
        rec->name = v, v = NULL;
      else if (strcmp (key, "profile_path") == 0 && rec->profile_path == NULL)
        rec->profile_path = v, v = NULL;
      else if (strcmp (key, "profile_name") == 0 && rec->profile_name == NULL)
        rec->profile_name = v, v = NULL;
      else if (strcmp (key, "address") == 0 && rec->address == NULL)
        rec->address = v, v = NULL;
      else if (strcmp (key, "peer") == 0 && rec->peer == NULL)
        rec->peer = v, v = NULL;
      else if (strcmp (key, "arg") == 0)
        push (&rec->argv, &rec->n_argv, v), v = NULL;
      else if (strcmp (key, "cgroup") == 0)
        push (&rec->cgroups, &rec->n_cgroups, v), v = NULL;
      else if (strcmp (key, "uid") == 0)
        rec->uid = (uid_t) n;
      else if (strcmp (key, "launcher") == 0)
        rec->launcher = (pid_t) n;
      else if (strcmp (key, "launcher_start") == 0)
        rec->launcher_start = n;
      else if (strcmp (key, "pidns") == 0)
        rec->pidns = n;
      else if (strcmp (key, "pid") == 0)
        rec->pid = (pid_t) n;
      else if (strcmp (key, "pid_start") == 0)
        rec->pid_start = n;
      else if (strcmp (key, "started") == 0)
        rec->started = (long long) n;
      free (v);
      p = nl + 1;
    }
  if (rec->id[0] == '\0' || rec->launcher <= 0)
    goto bad;
  return 0;
bad:
  jail_record_free (rec);
  return -1;
}

/* NAME under DIRFD, written whole: a temporary file renamed over it. */
static int
write_file (struct registry *r, const char *name, const char *data,
            size_t len, cordon_error_t *err)
{
  char tmp[64];
  snprintf (tmp, sizeof tmp, ".%s.%d", name, (int) getpid ());
  unlinkat (r->dirfd, tmp, 0);
  int fd = openat (r->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                   | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail_errno (err, "create %s/%s", r->path, tmp);
  if (write_all (fd, data, len) < 0)
    {
      fail_errno (err, "write %s/%s", r->path, tmp);
      close (fd);
      unlinkat (r->dirfd, tmp, 0);
      return -1;
    }
  close (fd);
  if (renameat (r->dirfd, tmp, r->dirfd, name) < 0)
    {
      fail_errno (err, "rename %s/%s to %s", r->path, tmp, name);
      unlinkat (r->dirfd, tmp, 0);
      return -1;
    }
  return 0;
}

/* The private regular file NAME under R, whole; NULL when it is not one. */
static char *
read_file (const struct registry *r, const char *name, size_t *len)
{
  int fd = openat (r->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  struct stat st;
  char *buf = NULL;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode)
      && st.st_uid == r->owner && (st.st_mode & 022) == 0
      && st.st_size < RECORD_MAX)
    {
      buf = xcalloc ((size_t) st.st_size + 1, 1);
      ssize_t n = read (fd, buf, (size_t) st.st_size + 1);
      if (n != st.st_size)
        {
          free (buf);
          buf = NULL;
        }
      else
        *len = (size_t) n;
    }
  close (fd);
  return buf;
}

void
registry_remove (struct registry *r, const char *id)
{
  char conf[REGISTRY_ID_LEN + 8];
  snprintf (conf, sizeof conf, "%s.conf", id);
  unlinkat (r->dirfd, id, 0);
  unlinkat (r->dirfd, conf, 0);
}

int
registry_update (struct registry *r, const struct jail_record *rec,
                 cordon_error_t *err)
{
  struct strbuf b = { 0 };
  format_record (&b, rec);
  int ret = write_file (r, rec->id, b.s, b.n, err);
  free (b.s);
  return ret;
}

static int
lock_dir (struct registry *r, cordon_error_t *err)
{
  while (flock (r->dirfd, LOCK_EX) < 0)
    if (errno != EINTR)
      return fail_errno (err, "lock %s", r->path);
  return 0;
}

static int
by_start (const void *a, const void *b)
{
  const struct jail_record *x = a, *y = b;
  if (x->started != y->started)
    return x->started < y->started ? -1 : 1;
  return strcmp (x->id, y->id);
}

/* The value of TEXT's line KEY=N as a number, or 0. */
static unsigned long long
record_number (const char *text, const char *key)
{
  size_t klen = strlen (key);
  const char *line = text;
  while (line != NULL)
    {
      if (strncmp (line, key, klen) == 0 && line[klen] == '=')
        {
          unsigned long long n = 0;
          const char *v = line + klen + 1;
          size_t vlen = strcspn (v, "\n");
          char buf[24];
          if (vlen == 0 || vlen >= sizeof buf)
            return 0;
          memcpy (buf, v, vlen);
          buf[vlen] = '\0';
          return parse_number (buf, &n) == 0 ? n : 0;
        }
      line = strchr (line, '\n');
      if (line)
        line++;
    }
  return 0;
}

/* Whether TEXT, a record this cordon cannot read whole, names a launcher
 * that runs: its launcher and launcher_start lines are all a sweep needs. */
static bool
launcher_lives (const char *text)
{
  unsigned long long pid = record_number (text, "launcher");
  unsigned long long start = record_number (text, "launcher_start");
  return pid > 0 && pid <= INT_MAX && start > 0
         && proc_is ((pid_t) pid, start);
}

/* Read every record, removing the stale ones; call with the lock held. */
static int
scan (struct registry *r, struct jail_record **recs, size_t *n,
      cordon_error_t *err)
{
  *recs = NULL;
  *n = 0;
  int fd = openat (r->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd < 0 ? NULL : fdopendir (fd);
  if (d == NULL)
    {
      fail_errno (err, "read %s", r->path);
      if (fd >= 0)
        close (fd);
      return -1;
    }
  size_t cap = 0;
  unsigned long long own_pidns = own_pid_namespace ();
  int sees_all = -1;            /* sees_every_process, once needed */
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (!is_id (de->d_name))
        continue;
      size_t len = 0;
      char *text = read_file (r, de->d_name, &len);
      unsigned long long pidns = text ? record_number (text, "pidns") : 0;
      if (pidns_foreign (pidns, own_pidns))
        {
          if (sees_all < 0)
            sees_all = sees_every_process ();
          unsigned long long launcher = record_number (text, "launcher");
          bool keep = !sees_all || launcher == 0 || launcher > INT_MAX
                      || nested_launcher_lives (pidns, (pid_t) launcher,
                                                record_number (text,
                                                               "launcher_start"));
          free (text);
          if (!keep)
            registry_remove (r, de->d_name);
          continue;
        }
      struct jail_record rec;
      bool ok = text != NULL && parse_record (text, len, &rec) == 0;
      if (ok && strcmp (rec.id, de->d_name) == 0
          && proc_is (rec.launcher, rec.launcher_start))
        {
          free (text);
          rec.dir_owner = r->owner;
          RESERVE_ONE (*recs, *n, cap);
          (*recs)[(*n)++] = rec;
          continue;
        }
      if (ok)
        jail_record_free (&rec);
      /* A record this cordon cannot read may be a live jail's, written by
       * another cordon build sharing the directory (an upgrade while jails
       * run): it stays, unlisted, while its launcher lives. */
      bool keep = !ok && text != NULL && launcher_lives (text);
      free (text);
      if (keep)
        continue;
      /* Its launcher is gone (or it is no record of ours): stale. */
      registry_remove (r, de->d_name);
    }
  closedir (d);
  if (*n > 1)
    qsort (*recs, *n, sizeof **recs, by_start);
  return 0;
}

void
registry_list_free (struct jail_record *recs, size_t n)
{
  for (size_t i = 0; i < n; i++)
    jail_record_free (&recs[i]);
  free (recs);
}

int
registry_list (struct registry *r, struct jail_record **recs, size_t *n,
               cordon_error_t *err)
{
  if (lock_dir (r, err) < 0)
    return -1;
  int ret = scan (r, recs, n, err);
  flock (r->dirfd, LOCK_UN);
  return ret;
}

void
registry_pick_id (char id[REGISTRY_ID_LEN + 1])
{
  unsigned char raw[REGISTRY_ID_LEN / 2];
  /* getrandom of 6 bytes does not fail once the pool is ready; before
   * that, it blocks rather than give a guessable id */
  while (getrandom (raw, sizeof raw, 0) != (ssize_t) sizeof raw)
    ;
  for (size_t i = 0; i < sizeof raw; i++)
    snprintf (id + 2 * i, 3, "%02x", raw[i]);
}

static bool
id_taken (struct registry *r, const char *id)
{
  struct stat st;
  return fstatat (r->dirfd, id, &st, AT_SYMLINK_NOFOLLOW) == 0
         || errno != ENOENT;
}

static int
new_id (struct registry *r, char id[REGISTRY_ID_LEN + 1], cordon_error_t *err)
{
  for (int tries = 0; tries < 16; tries++)
    {
      registry_pick_id (id);
      if (!id_taken (r, id))
        return 0;
    }
  return cordon_fail (err, 0, "%s: no free jail id", r->path);
}

int
registry_write_profile (struct registry *r, const char *id,
                        const char *profile, size_t len, cordon_error_t *err)
{
  char conf[REGISTRY_ID_LEN + 8];
  snprintf (conf, sizeof conf, "%s.conf", id);
  return write_file (r, conf, profile, len, err);
}

int
registry_add (struct registry *r, struct jail_record *rec,
              const char *profile, size_t len, cordon_error_t *err)
{
  if (lock_dir (r, err) < 0)
    return -1;
  rec->pidns = own_pid_namespace ();
  struct jail_record *recs;
  size_t n;
  int ret = scan (r, &recs, &n, err);
  for (size_t i = 0; ret == 0 && rec->name && i < n; i++)
    if (recs[i].name && strcmp (recs[i].name, rec->name) == 0)
      ret = cordon_fail (err, 0, "--name %s: a running jail (%s, pid %d) "
                         "has that name already", rec->name, recs[i].id,
                         (int) recs[i].pid);
  registry_list_free (recs, n);
  if (ret == 0 && rec->id[0] == '\0')
    ret = new_id (r, rec->id, err);
  else if (ret == 0 && id_taken (r, rec->id))
    /* picked before the jail started (pid 1 shows it): 48 random bits
     * that a live jail has already */
    ret = cordon_fail (err, 0, "%s: jail id %s is taken", r->path, rec->id);
  if (ret == 0 && profile != NULL)
    ret = registry_write_profile (r, rec->id, profile, len, err);
  if (ret == 0 && (ret = registry_update (r, rec, err)) < 0)
    registry_remove (r, rec->id);
  flock (r->dirfd, LOCK_UN);
  return ret;
}

int
registry_find (struct registry *r, const char *key, struct jail_record *rec,
               cordon_error_t *err)
{
  struct jail_record *recs;
  size_t n;
  if (registry_list (r, &recs, &n, err) < 0)
    return -1;
  int ret = -1;
  for (size_t i = 0; i < n; i++)
    if (strcmp (recs[i].id, key) == 0
        || (recs[i].name && strcmp (recs[i].name, key) == 0))
      {
        *rec = recs[i];
        memset (&recs[i], 0, sizeof recs[i]);
        ret = 0;
        break;
      }
  registry_list_free (recs, n);
  if (ret < 0)
    cordon_fail (err, 0, "%s: no such running jail", key);
  return ret;
}

char *
registry_profile_file (const struct registry *r,
                       const struct jail_record *rec)
{
  return xasprintf ("%s/%s.conf", r->path, rec->id);
}

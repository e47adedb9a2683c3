/* cgroup.c — a jail's cgroup on v1 or v2: create, limit, attach, account,
 * kill, remove; and the removal of stale cgroups of launchers that died.
 * See cgroup.h for the layout and the locking. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

#define CPU_PERIOD_US 100000
/* How long removal waits for a busy cgroup (exiting tasks still in it). */
#define BUSY_RETRIES 200
#define PARENT_RETRIES 5
#define BUSY_WAIT_NS 10000000L
/* Rounds of "kill everything listed" before giving up on leftovers. */
#define KILL_ROUNDS 100

static const struct
{
  unsigned bit;
  const char *name;
} controller_names[] = {
  { CGROUP_MEMORY, "memory" },
  { CGROUP_PIDS, "pids" },
  { CGROUP_CPU, "cpu" },
};
#define N_CONTROLLERS (sizeof controller_names / sizeof controller_names[0])
_Static_assert (N_CONTROLLERS <= CGROUP_MAX_DIRS, "a join file per directory");

/* One directory of the jail's cgroup (v2: the only one). */
struct cg_dir
{
  char *path;
  unsigned controllers;
  int lock_fd;
};

/* What differs between the versions: where the numbers are. */
struct cgroup_backend
{
  int version;
  int (*set_limits) (struct cgroup *cg, const struct cgroup_spec *l,
                     cordon_error_t *err);
  void (*read_stats) (const struct cgroup *cg, struct cgroup_stats *st);
  const char *kill_file;    /* writing "1" kills every process, or NULL */
  const char *join_file;    /* where the jail writes "0" to join */
};

struct cgroup
{
  const struct cgroup_backend *backend;
  const struct cgroup_host *host;
  struct cg_dir dirs[N_CONTROLLERS];
  size_t n_dirs;
};

/* ---- small file helpers ---- */

static char *
path_join (const char *a, const char *b)
{
  size_t la = strlen (a);
  while (la > 1 && a[la - 1] == '/')
    la--;
  while (*b == '/')
    b++;
  char *p = malloc (la + 1 + strlen (b) + 1);
  if (p == NULL)
    return NULL;
  if (*b == '\0')
    sprintf (p, "%.*s", (int) la, a);
  else
    sprintf (p, "%.*s%s%s", (int) la, a, (la == 1 && a[0] == '/') ? "" : "/",
             b);
  return p;
}

/* The files below take the directory as DFD, DIR: an open directory
 * (DIR names it in messages) spares the kernel a walk of the long path;
 * DFD is AT_FDCWD for directories cordon does not hold open. */
static int
open_in (int dfd, const char *dir, const char *name, int flags)
{
  if (dfd != AT_FDCWD)
    return openat (dfd, name, flags | O_CLOEXEC);
  char path[PATH_MAX];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  return open (path, flags | O_CLOEXEC);
}

static int
write_file (int dfd, const char *dir, const char *name, const char *value,
            cordon_error_t *err)
{
  int fd = open_in (dfd, dir, name, O_WRONLY | O_TRUNC);
  if (fd < 0)
    return fail_errno (err, "open %s/%s", dir, name);
  size_t len = strlen (value);
  ssize_t n = write (fd, value, len);
  int e = errno;
  close (fd);
  if (n != (ssize_t) len)
    return cordon_fail (err, n < 0 ? e : EIO, "write %s to %s/%s", value, dir,
                        name);
  return 0;
}

/* The first LEN-1 bytes of DIR/NAME, NUL-terminated; -1 on failure. */
static ssize_t
read_file (int dfd, const char *dir, const char *name, char *buf, size_t len)
{
  int fd = open_in (dfd, dir, name, O_RDONLY);
  if (fd < 0)
    return -1;
  size_t got = 0;
  ssize_t n;
  while (got < len - 1 && (n = read (fd, buf + got, len - 1 - got)) != 0)
    {
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          close (fd);
          return -1;
        }
      got += (size_t) n;
    }
  close (fd);
  buf[got] = '\0';
  return (ssize_t) got;
}

static bool
read_u64 (int dfd, const char *dir, const char *name, uint64_t *v)
{
  char buf[64];
  if (read_file (dfd, dir, name, buf, sizeof buf) <= 0)
    return false;
  char *end;
  errno = 0;
  unsigned long long x = strtoull (buf, &end, 10);
  if (errno || end == buf)
    return false;
  *v = x;
  return true;
}

/* "KEY N" in a flat-keyed file (memory.events, memory.oom_control). */
static bool
read_keyed (int dfd, const char *dir, const char *name, const char *key,
            uint64_t *v)
{
  char buf[4096];
  if (read_file (dfd, dir, name, buf, sizeof buf) < 0)
    return false;
  size_t klen = strlen (key);
  for (char *line = buf; line && *line; line = strchr (line, '\n'),
       line = line ? line + 1 : NULL)
    if (strncmp (line, key, klen) == 0 && line[klen] == ' ')
      {
        *v = strtoull (line + klen + 1, NULL, 10);
        return true;
      }
  return false;
}

/* ---- the host ---- */

static int
real_make_dir (const char *path, int version)
{
  (void) version;
  return mkdir (path, 0755);
}

static int
real_remove_dir (const char *path)
{
  return rmdir (path);
}

void
cgroup_host_add (struct cgroup_host *host, int version, const char *mount,
                 const char *own, unsigned controllers)
{
  struct cgroup_hierarchy *grown = realloc (host->h,
                                            (host->n + 1) * sizeof *grown);
  if (grown == NULL)
    return;
  host->h = grown;
  char *m = strdup (mount), *o = strdup (own);
  if (m == NULL || o == NULL)
    {
      free (m);
      free (o);
      return;
    }
  host->h[host->n++] = (struct cgroup_hierarchy) { version, m, o, controllers };
}

void
cgroup_host_free (struct cgroup_host *host)
{
  for (size_t i = 0; i < host->n; i++)
    {
      free (host->h[i].mount);
      free (host->h[i].own);
    }
  free (host->h);
  host->h = NULL;
  host->n = 0;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void
unescape (char *s)
{
  char *o = s;
  for (; *s; s++)
    if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0'
        && s[2] <= '7' && s[3] >= '0' && s[3] <= '7')
      {
        *o++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
        s += 3;
      }
    else
      *o++ = *s;
  *o = '\0';
}

static unsigned
controllers_in (const char *list)
{
  unsigned mask = 0;
  char buf[512];
  snprintf (buf, sizeof buf, "%s", list);
  char *save = NULL;
  for (char *t = strtok_r (buf, ", \n", &save); t;
       t = strtok_r (NULL, ", \n", &save))
    for (size_t i = 0; i < N_CONTROLLERS; i++)
      if (strcmp (t, controller_names[i].name) == 0)
        mask |= controller_names[i].bit;
  return mask;
}

/* The launcher's cgroup in the hierarchy with controller list LIST ("" for
 * v2) from /proc/self/cgroup, relative to the mount's ROOT. */
static bool
own_cgroup (const char *self_cgroup_text, const char *list, const char *root,
            char *out, size_t size)
{
  const char *line = self_cgroup_text;
  while (line && *line)
    {
      const char *c1 = strchr (line, ':');
      const char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      const char *nl = strchr (line, '\n');
      size_t end = nl ? (size_t) (nl - line) : strlen (line);
      if (c2 && c2 < line + end
          && (size_t) (c2 - c1 - 1) == strlen (list)
          && strncmp (c1 + 1, list, strlen (list)) == 0)
        {
          const char *path = c2 + 1;
          size_t plen = (size_t) (line + end - path);
          size_t rlen = strcmp (root, "/") == 0 ? 0 : strlen (root);
          if (rlen && plen >= rlen && strncmp (path, root, rlen) == 0
              && (path[rlen] == '/' || rlen == plen))
            {
              path += rlen;
              plen -= rlen;
            }
          snprintf (out, size, "%.*s", (int) plen, plen ? path : "/");
          return true;
        }
      line = nl ? nl + 1 : NULL;
    }
  return false;
}

/* One mountinfo line: a cgroup or cgroup2 mount is added to HOST. */
static void
probe_line (struct cgroup_host *host, char *line, const char *self)
{
  char *f[6] = { 0 };
  char *save = NULL, *t = strtok_r (line, " ", &save);
  for (int i = 0; t && i < 6; i++, t = strtok_r (NULL, " ", &save))
    f[i] = t;
  while (t && strcmp (t, "-") != 0)     /* optional fields */
    t = strtok_r (NULL, " ", &save);
  char *fstype = t ? strtok_r (NULL, " ", &save) : NULL;
  char *source = fstype ? strtok_r (NULL, " ", &save) : NULL;
  char *super = source ? strtok_r (NULL, " \n", &save) : NULL;
  if (f[4] == NULL || fstype == NULL || super == NULL)
    return;
  char *root = f[3], *mount = f[4];
  unescape (root);
  unescape (mount);
  char own[PATH_MAX];
  if (strcmp (fstype, "cgroup2") == 0)
    {
      for (size_t i = 0; i < host->n; i++)
        if (host->h[i].version == 2)
          return;                       /* the first mount of it wins */
      if (own_cgroup (self, "", root, own, sizeof own))
        cgroup_host_add (host, 2, mount, own, 0);
      return;
    }
  if (strcmp (fstype, "cgroup") != 0)
    return;
  unsigned mask = controllers_in (super);
  if (mask == 0)
    return;
  for (size_t i = 0; i < host->n; i++)
    if (host->h[i].version == 1 && (host->h[i].controllers & mask))
      return;
  /* /proc/self/cgroup names the hierarchy by its controllers as mounted,
   * in the kernel's order ("cpu,cpuacct"): take them from the options. */
  char list[256] = "";
  char *save2 = NULL;
  for (char *o = strtok_r (super, ",", &save2); o;
       o = strtok_r (NULL, ",", &save2))
    if (strcmp (o, "rw") && strcmp (o, "ro") && !strchr (o, '=')
        && strcmp (o, "noprefix") && strcmp (o, "clone_children")
        && strcmp (o, "xattr") && strcmp (o, "cpuset_v2_mode"))
      {
        if (*list)
          strncat (list, ",", sizeof list - strlen (list) - 1);
        strncat (list, o, sizeof list - strlen (list) - 1);
      }
  if (own_cgroup (self, list, root, own, sizeof own))
    cgroup_host_add (host, 1, mount, own, mask);
}

static char *
slurp (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  size_t cap = 8192, len = 0;
  char *buf = malloc (cap);
  ssize_t n;
  while (buf && (n = read (fd, buf + len, cap - len - 1)) > 0)
    {
      len += (size_t) n;
      if (cap - len < 2)
        {
          char *g = realloc (buf, cap *= 2);
          if (g == NULL)
            {
              free (buf);
              buf = NULL;
            }
          else
            buf = g;
        }
    }
  close (fd);
  if (buf)
    buf[len] = '\0';
  return buf;
}

int
cgroup_host_probe (struct cgroup_host *host, const char *mountinfo,
                   const char *self_cgroup, cordon_error_t *err)
{
  memset (host, 0, sizeof *host);
  host->make_dir = real_make_dir;
  host->remove_dir = real_remove_dir;
  mountinfo = mountinfo ? mountinfo : "/proc/self/mountinfo";
  self_cgroup = self_cgroup ? self_cgroup : "/proc/self/cgroup";
  char *mi = slurp (mountinfo);
  if (mi == NULL)
    return fail_errno (err, "read %s", mountinfo);
  char *self = slurp (self_cgroup);
  if (self == NULL)
    {
      free (mi);
      return fail_errno (err, "read %s", self_cgroup);
    }
  char *save = NULL;
  for (char *line = strtok_r (mi, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save))
    probe_line (host, line, self);
  free (mi);
  free (self);
  return 0;
}

/* ---- directories and locks ---- */

/* Where a relative cgroup_parent starts in H: the launcher's own cgroup on
 * v1.  On v2 its parent, so jails go next to the launcher: its own cgroup
 * holds it, and a v2 cgroup that holds processes cannot give its children
 * controllers (the root cgroup excepted).  In a delegated subtree (systemd's
 * Delegate=yes) the launcher runs in a leaf whose parent the user owns. */
static char *
relative_base (const struct cgroup_hierarchy *h)
{
  char *base = path_join (h->mount, h->own);
  if (base && h->version == 2 && strcmp (h->own, "/") != 0)
    {
      char *slash = strrchr (base, '/');        /* own is "/A[/B...]" */
      slash[slash == base] = '\0';             /* a mount at "/" stays */
    }
  return base;
}

/* HIERARCHY's base for PARENT: relative_base, or the hierarchy's root for an
 * absolute PARENT. */
static char *
parent_dir (const struct cgroup_hierarchy *h, const char *parent)
{
  if (parent[0] == '/')
    return path_join (h->mount, parent);
  char *base = relative_base (h);
  char *p = base ? path_join (base, parent) : NULL;
  free (base);
  return p;
}

static int
lock_dir (const char *path, int how, cordon_error_t *err)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return fail_errno (err, "open %s", path);
  int r;
  while ((r = flock (fd, how)) < 0 && errno == EINTR)
    ;
  if (r < 0)
    {
      int e = errno;
      close (fd);
      return cordon_fail (err, e, "lock %s", path);
    }
  return fd;
}

/* v2: let the children of DIR have CONTROLLERS.  Those already enabled are
 * not written again: above a delegated subtree, subtree_control belongs to
 * root (or systemd), and a rootless launcher may not write it. */
static int
enable_controllers (const char *dir, unsigned controllers, cordon_error_t *err)
{
  char have[512];
  if (read_file (AT_FDCWD, dir, "cgroup.subtree_control", have,
                 sizeof have) >= 0)
    controllers &= ~controllers_in (have);
  for (size_t i = 0; i < N_CONTROLLERS; i++)
    if (controllers & controller_names[i].bit)
      {
        char v[32];
        snprintf (v, sizeof v, "+%s", controller_names[i].name);
        if (write_file (AT_FDCWD, dir, "cgroup.subtree_control", v, err) < 0)
          {
            if (err && *err && (*err)->errno_value == EBUSY)
              cordon_error_wrap (err, "%s holds processes, so its children "
                                 "cannot have controllers (cgroup v2); set "
                                 "an absolute cgroup_parent in the settings",
                                 dir);
            return -1;
          }
      }
  return 0;
}

/* mkdir -p of PARENT below the hierarchy (v2: with the controllers
 * enabled all the way down). */
static int
make_parent (const struct cgroup_host *host, const struct cgroup_hierarchy *h,
             const char *parent, unsigned controllers, cordon_error_t *err)
{
  char *base = parent[0] == '/' ? strdup (h->mount) : relative_base (h);
  char *rest = strdup (parent);
  int r = base && rest ? 0 : cordon_fail (err, ENOMEM, "cgroup path");
  char *save = NULL;
  for (char *c = rest ? strtok_r (rest, "/", &save) : NULL; r == 0 && c;
       c = strtok_r (NULL, "/", &save))
    {
      if (h->version == 2 && enable_controllers (base, controllers, err) < 0)
        r = -1;
      char *next = r == 0 ? path_join (base, c) : NULL;
      if (r == 0 && next == NULL)
        r = cordon_fail (err, ENOMEM, "cgroup path");
      if (r == 0 && host->make_dir (next, h->version) < 0 && errno != EEXIST)
        r = fail_errno (err, "mkdir %s", next);
      free (base);
      base = next;
    }
  if (r == 0 && h->version == 2 && enable_controllers (base, controllers,
                                                       err) < 0)
    r = -1;
  free (base);
  free (rest);
  return r;
}

/* Create and lock NAME under PARENT_PATH, holding the parent's lock. */
static int
make_jail_dir (const struct cgroup_host *host, int version,
               const char *parent_path, const char *name, struct cg_dir *d,
               cordon_error_t *err)
{
  int pfd = lock_dir (parent_path, LOCK_EX, err);
  if (pfd < 0)
    return -1;
  d->path = path_join (parent_path, name);
  int r = 0;
  if (d->path == NULL)
    r = cordon_fail (err, ENOMEM, "cgroup path");
  else if (host->make_dir (d->path, version) < 0)
    r = fail_errno (err, "mkdir %s", d->path);
  else if ((d->lock_fd = lock_dir (d->path, LOCK_EX | LOCK_NB, err)) < 0)
    {
      host->remove_dir (d->path);
      r = -1;
    }
  close (pfd);
  if (r < 0)
    {
      free (d->path);
      d->path = NULL;
    }
  return r;
}

/* ---- the backends ---- */

static const struct cg_dir *
dir_for (const struct cgroup *cg, unsigned controller)
{
  for (size_t i = 0; i < cg->n_dirs; i++)
    if (cg->dirs[i].controllers & controller)
      return &cg->dirs[i];
  return NULL;
}

static int
set_in (const struct cg_dir *d, const char *name, const char *value,
        cordon_error_t *err)
{
  if (d == NULL)   /* choose() gives every limited controller a directory */
    return cordon_fail (err, 0, "cgroup: no directory for %s", name);
  return write_file (d->lock_fd, d->path, name, value, err);
}

static long long
cpu_quota_us (double cpu)
{
  return (long long) (cpu * CPU_PERIOD_US + 0.5);   /* cpu > 0 */
}

static int
v2_set_limits (struct cgroup *cg, const struct cgroup_spec *l,
               cordon_error_t *err)
{
  const struct cg_dir *d = &cg->dirs[0];
  char v[64];
  if (l->has_memory)
    {
      snprintf (v, sizeof v, "%" PRIu64, l->memory);
      if (set_in (d, "memory.max", v, err) < 0)
        return -1;
    }
  if (l->has_memory_swap)
    {
      snprintf (v, sizeof v, "%" PRIu64, l->memory_swap);
      if (set_in (d, "memory.swap.max", v, err) < 0)
        return -1;
    }
  if (l->pids)
    {
      snprintf (v, sizeof v, "%" PRIu32, l->pids);
      if (set_in (d, "pids.max", v, err) < 0)
        return -1;
    }
  if (l->cpu > 0)
    {
      snprintf (v, sizeof v, "%lld %d", cpu_quota_us (l->cpu), CPU_PERIOD_US);
      if (set_in (d, "cpu.max", v, err) < 0)
        return -1;
    }
  return 0;
}

static void
v2_read_stats (const struct cgroup *cg, struct cgroup_stats *st)
{
  const struct cg_dir *d = &cg->dirs[0];
  if (d->controllers & CGROUP_MEMORY)
    {
      st->has_oom_kills = read_keyed (d->lock_fd, d->path, "memory.events",
                                      "oom_kill", &st->oom_kills);
      st->has_peak_memory = read_u64 (d->lock_fd, d->path, "memory.peak",
                                      &st->peak_memory);
    }
  if (d->controllers & CGROUP_PIDS)
    {
      st->has_peak_pids = read_u64 (d->lock_fd, d->path, "pids.peak",
                                    &st->peak_pids);
      st->has_pids_max_events = read_keyed (d->lock_fd, d->path,
                                            "pids.events", "max",
                                            &st->pids_max_events);
    }
}

static int
v1_set_limits (struct cgroup *cg, const struct cgroup_spec *l,
               cordon_error_t *err)
{
  char v[64];
  const struct cg_dir *mem = dir_for (cg, CGROUP_MEMORY);
  if (l->has_memory)
    {
      snprintf (v, sizeof v, "%" PRIu64, l->memory);
      if (set_in (mem, "memory.limit_in_bytes", v, err) < 0)
        return -1;
    }
  if (l->has_memory_swap)
    {
      /* v1 limits memory and swap together; the memory limit goes first,
       * as memsw may never be below it. */
      uint64_t total = l->memory + l->memory_swap;
      snprintf (v, sizeof v, "%" PRIu64, total < l->memory ? UINT64_MAX
                                                           : total);
      if (set_in (mem, "memory.memsw.limit_in_bytes", v, err) < 0)
        {
          if (err && *err && (*err)->errno_value == ENOENT)
            cordon_error_wrap (err, "memory_swap needs swap accounting "
                               "(swapaccount=1) on cgroup v1");
          return -1;
        }
    }
  if (l->pids)
    {
      snprintf (v, sizeof v, "%" PRIu32, l->pids);
      if (set_in (dir_for (cg, CGROUP_PIDS), "pids.max", v, err) < 0)
        return -1;
    }
  if (l->cpu > 0)
    {
      const struct cg_dir *cpu = dir_for (cg, CGROUP_CPU);
      snprintf (v, sizeof v, "%d", CPU_PERIOD_US);
      if (set_in (cpu, "cpu.cfs_period_us", v, err) < 0)
        return -1;
      snprintf (v, sizeof v, "%lld", cpu_quota_us (l->cpu));
      if (set_in (cpu, "cpu.cfs_quota_us", v, err) < 0)
        return -1;
    }
  return 0;
}

static void
v1_read_stats (const struct cgroup *cg, struct cgroup_stats *st)
{
  const struct cg_dir *mem = dir_for (cg, CGROUP_MEMORY);
  if (mem)
    {
      st->has_oom_kills = read_keyed (mem->lock_fd, mem->path,
                                      "memory.oom_control", "oom_kill",
                                      &st->oom_kills);
      st->has_peak_memory = read_u64 (mem->lock_fd, mem->path,
                                      "memory.max_usage_in_bytes",
                                      &st->peak_memory);
    }
  const struct cg_dir *pids = dir_for (cg, CGROUP_PIDS);
  if (pids)
    {
      st->has_peak_pids = read_u64 (pids->lock_fd, pids->path, "pids.peak",
                                    &st->peak_pids);
      st->has_pids_max_events = read_keyed (pids->lock_fd, pids->path,
                                            "pids.events", "max",
                                            &st->pids_max_events);
    }
}

/* v1 joins through "tasks": the kernel moves a thread that moves itself
 * without taking the lock that stops every thread group, whose RCU grace
 * period cost ~0.6 ms a jail here (cgroup.procs takes it, even for "0").
 * pid 1 is single-threaded when it joins, so the thread is the process.
 * v2 has no such file for a whole process: cgroup.threads is only for
 * threaded subtrees. */
static const struct cgroup_backend backend_v1 = {
  1, v1_set_limits, v1_read_stats, NULL, "tasks",
};
static const struct cgroup_backend backend_v2 = {
  2, v2_set_limits, v2_read_stats, "cgroup.kill", "cgroup.procs",
};

/* ---- choosing ---- */

static unsigned
limited_controllers (const struct cgroup_spec *l)
{
  unsigned m = 0;
  if (l->has_memory || l->has_memory_swap)
    m |= CGROUP_MEMORY;
  if (l->pids)
    m |= CGROUP_PIDS;
  if (l->cpu > 0)
    m |= CGROUP_CPU;
  return m;
}

static const struct cgroup_hierarchy *
find_v2 (const struct cgroup_host *host)
{
  for (size_t i = 0; i < host->n; i++)
    if (host->h[i].version == 2)
      return &host->h[i];
  return NULL;
}

/* What v2 offers where the jails go (cgroup.controllers of
 * relative_base: it may enable them for its children). */
static unsigned
v2_available (const struct cgroup_hierarchy *h)
{
  char *base = relative_base (h);
  char buf[512];
  unsigned m = base && read_file (AT_FDCWD, base, "cgroup.controllers", buf,
                                  sizeof buf) >= 0 ? controllers_in (buf) : 0;
  free (base);
  return m;
}

static unsigned
v1_available (const struct cgroup_host *host)
{
  unsigned m = 0;
  for (size_t i = 0; i < host->n; i++)
    if (host->h[i].version == 1)
      m |= host->h[i].controllers;
  return m;
}

static void
missing_names (unsigned missing, char *buf, size_t size)
{
  buf[0] = '\0';
  for (size_t i = 0; i < N_CONTROLLERS; i++)
    if (missing & controller_names[i].bit)
      {
        if (*buf)
          strncat (buf, ", ", size - strlen (buf) - 1);
        strncat (buf, controller_names[i].name, size - strlen (buf) - 1);
      }
}

/* Pick the backend: *use gets the controllers it will have. */
static int
choose (const struct cgroup_host *host, const struct cgroup_request *req,
        unsigned need, unsigned want, const struct cgroup_backend **be,
        unsigned *use, cordon_error_t *err)
{
  const struct cgroup_hierarchy *v2 = find_v2 (host);
  unsigned on_v2 = v2 ? v2_available (v2) : 0;
  unsigned on_v1 = v1_available (host);
  char names[64];
  if (req->version == CGROUP_VERSION_2
      || (req->version == CGROUP_VERSION_AUTO && v2 && (on_v2 & need) == need
          && (need || (on_v2 & want))))
    {
      if (v2 == NULL)
        return cordon_fail (err, 0, "cgroup v2 is not mounted "
                            "(cgroup_version = 2 in the settings)");
      missing_names (need & ~on_v2, names, sizeof names);
      char *base = *names ? relative_base (v2) : NULL;
      if (*names)
        {
          cordon_fail (err, 0, "cgroup v2: controller %s not available in %s "
                       "(cgroup.controllers)", names, base ? base : v2->mount);
          free (base);
          return -1;
        }
      *be = &backend_v2;
      *use = (need | want) & on_v2;
      return 0;
    }
  missing_names (need & ~on_v1, names, sizeof names);
  if (*names)
    return cordon_fail (err, 0, "no cgroup hierarchy has %s (cgroup v1)%s",
                        names, req->version == CGROUP_VERSION_1 ? ""
                        : ", and v2 lacks it too");
  *be = &backend_v1;
  *use = (need | want) & on_v1;
  return 0;
}

/* ---- create, attach, stats, destroy ---- */

static void
free_cgroup (struct cgroup *cg)
{
  for (size_t i = 0; i < cg->n_dirs; i++)
    {
      close_fd (&cg->dirs[i].lock_fd);
      free (cg->dirs[i].path);
    }
  free (cg);
}

/* Make one directory in hierarchy H for CONTROLLERS. */
static int
add_dir (struct cgroup *cg, const struct cgroup_hierarchy *h,
         const struct cgroup_request *req, unsigned controllers,
         cordon_error_t *err)
{
  char *parent = parent_dir (h, req->parent);
  if (parent == NULL)
    return cordon_fail (err, ENOMEM, "cgroup path");
  struct cg_dir *d = &cg->dirs[cg->n_dirs];
  d->lock_fd = -1;
  d->controllers = controllers;
  /* The parent can vanish between its mkdir and our lock on it: the last
   * jail of another launcher removes it when it ends (remove_parent). */
  int r = -1;
  for (int attempt = 0; r < 0 && attempt < PARENT_RETRIES; attempt++)
    {
      if (attempt > 0)
        cordon_error_free (err);   /* the lost race's ENOENT */
      r = make_parent (cg->host, h, req->parent, controllers, err);
      if (r == 0)
        r = make_jail_dir (cg->host, h->version, parent, req->name, d, err);
      if (r < 0 && !(err && *err && (*err)->errno_value == ENOENT))
        break;
    }
  free (parent);
  if (r == 0)
    cg->n_dirs++;
  return r;
}

static int
make_dirs (struct cgroup *cg, const struct cgroup_request *req, unsigned use,
           cordon_error_t *err)
{
  const struct cgroup_host *host = cg->host;
  if (cg->backend->version == 2)
    return add_dir (cg, find_v2 (host), req, use, err);
  for (size_t i = 0; i < host->n; i++)
    if (host->h[i].version == 1 && (host->h[i].controllers & use))
      if (add_dir (cg, &host->h[i], req, host->h[i].controllers & use,
                   err) < 0)
        return -1;
  return 0;
}

int
cgroup_create (const struct cgroup_host *host,
               const struct cgroup_request *req,
               const struct jail_options *opts, struct cgroup **out,
               cordon_error_t *err)
{
  *out = NULL;
  unsigned need = limited_controllers (req->limits);
  unsigned want = req->accounting ? CGROUP_MEMORY | CGROUP_PIDS : 0;
  if (need == 0 && want == 0)
    return 0;
  const struct cgroup_backend *be;
  unsigned use;
  cordon_error_t local = NULL;
  cordon_error_t *e = need ? err : &local;
  if (choose (host, req, need, want, &be, &use, e) < 0 || use == 0)
    goto no_cgroup;
  struct cgroup *cg = calloc (1, sizeof *cg);
  if (cg == NULL)
    {
      cordon_fail (e, ENOMEM, "cgroup");
      goto no_cgroup;
    }
  cg->backend = be;
  cg->host = host;
  if (make_dirs (cg, req, use, e) < 0 || be->set_limits (cg, req->limits,
                                                         e) < 0)
    {
      cgroup_destroy (cg, NULL);
      goto no_cgroup;
    }
  for (size_t i = 0; i < cg->n_dirs; i++)
    say (opts, "cgroup v%d %s", be->version, cg->dirs[i].path);
  *out = cg;
  return 0;

no_cgroup:
  if (need == 0)
    {
      /* Accounting alone is best effort: the report says null. */
      if (local)
        say (opts, "no cgroup for the report: %s", local->message);
      cordon_error_free (&local);
      return 0;
    }
  if (err && *err && ((*err)->errno_value == EACCES
                      || (*err)->errno_value == EPERM
                      || (*err)->errno_value == EROFS))
    return cordon_error_wrap (err, "the profile sets cgroup limits, and "
                              "there is no writable cgroup to enforce them "
                              "(a jail never runs unlimited instead)");
  return err && *err ? cordon_error_wrap (err, "cgroup limits") : -1;
}

int
cgroup_version_of (const struct cgroup *cg)
{
  return cg->backend->version;
}

const char *
cgroup_path (const struct cgroup *cg, unsigned controller)
{
  const struct cg_dir *d = dir_for (cg, controller);
  return d ? d->path : NULL;
}

int
cgroup_open_join (const struct cgroup *cg, struct cgroup_join *join,
                  cordon_error_t *err)
{
  memset (join, 0, sizeof *join);
  if (cg == NULL)
    return 0;
  join->file = cg->backend->join_file;
  for (size_t i = 0; i < cg->n_dirs; i++)
    {
      const struct cg_dir *d = &cg->dirs[i];
      int fd = open_in (d->lock_fd, d->path, join->file, O_WRONLY);
      if (fd < 0)
        {
          fail_errno (err, "open %s/%s", d->path, join->file);
          cgroup_join_close (join);
          return cordon_error_wrap (err, "put the jail into its cgroup");
        }
      join->fds[join->n] = fd;
      join->dirs[join->n++] = d->path;
    }
  return 0;
}

int
cgroup_join (struct cgroup_join *join, cordon_error_t *err)
{
  int r = 0;
  for (size_t i = 0; i < join->n && r == 0; i++)
    if (write (join->fds[i], "0", 1) != 1)
      r = fail_errno (err, "write 0 to %s/%s", join->dirs[i], join->file);
  cgroup_join_close (join);
  return r < 0 ? cordon_error_wrap (err, "put the jail into its cgroup") : 0;
}

void
cgroup_join_close (struct cgroup_join *join)
{
  for (size_t i = 0; i < join->n; i++)
    close_fd (&join->fds[i]);
  join->n = 0;
}

void
cgroup_read_stats (const struct cgroup *cg, struct cgroup_stats *st)
{
  memset (st, 0, sizeof *st);
  if (cg)
    cg->backend->read_stats (cg, st);
}

/* SIGKILL everything in DFD, DIR until it is empty; true when it is. */
static bool
kill_all (int dfd, const char *dir, const char *kill_file)
{
  if (kill_file)
    write_file (dfd, dir, kill_file, "1", NULL);
  char buf[8192];
  for (int round = 0; round < KILL_ROUNDS; round++)
    {
      ssize_t n = read_file (dfd, dir, "cgroup.procs", buf, sizeof buf);
      if (n <= 0)
        return n == 0;
      for (char *p = buf; *p;)
        {
          char *end;
          long pid = strtol (p, &end, 10);
          if (end == p)
            break;
          if (pid > 0)
            kill ((pid_t) pid, SIGKILL);
          p = end + strspn (end, "\n");
        }
      struct timespec ts = { 0, 1000000 };
      nanosleep (&ts, NULL);
    }
  return false;
}

static int
remove_busy (const struct cgroup_host *host, const char *path)
{
  for (int i = 0; i < BUSY_RETRIES; i++)
    {
      if (host->remove_dir (path) == 0 || errno == ENOENT)
        return 0;
      if (errno != EBUSY)
        return -1;
      struct timespec ts = { 0, BUSY_WAIT_NS };
      nanosleep (&ts, NULL);
    }
  errno = EBUSY;
  return -1;
}

/* The parent directory cordon made for its jails goes with the last of
 * them, so that nothing of cordon stays in the hierarchy.  Under the
 * parent's lock, which creation takes too; while other jails live in it,
 * rmdir fails and the parent stays. */
static void
remove_parent (const struct cgroup_host *host, const char *jail_path)
{
  char *parent = strdup (jail_path);
  char *slash = parent ? strrchr (parent, '/') : NULL;
  if (slash && slash != parent)
    {
      *slash = '\0';
      int pfd = lock_dir (parent, LOCK_EX, NULL);
      if (pfd >= 0)
        {
          host->remove_dir (parent);
          close (pfd);
        }
    }
  free (parent);
}

int
cgroup_destroy (struct cgroup *cg, cordon_error_t *err)
{
  if (cg == NULL)
    return 0;
  int r = 0;
  for (size_t i = 0; i < cg->n_dirs; i++)
    {
      const char *path = cg->dirs[i].path;
      /* Usually empty: the jail's pid namespace died with its pid 1. */
      bool removed = cg->host->remove_dir (path) == 0 || errno == ENOENT;
      if (!removed)
        {
          kill_all (cg->dirs[i].lock_fd, path, cg->backend->kill_file);
          removed = remove_busy (cg->host, path) == 0;
        }
      if (removed)
        remove_parent (cg->host, path);
      else if (r == 0)
        r = fail_errno (err, "remove cgroup %s", path);
    }
  free_cgroup (cg);
  return r;
}

/* ---- stale cgroups ---- */

/* "cordon-PID-TOKEN" (see cgroup_jail_name), or "cordon-PID" as
 * versions before the token named them. */
static bool
is_jail_name (const char *name)
{
  if (strncmp (name, "cordon-", 7) != 0)
    return false;
  const char *p = name + 7;
  size_t digits = strspn (p, "0123456789");
  if (digits == 0)
    return false;
  p += digits;
  if (*p == '\0')
    return true;
  return p[0] == '-' && strspn (p + 1, "0123456789abcdef") == 16
         && p[17] == '\0';
}

static void
remove_stale_in (const struct cgroup_host *host, const char *parent,
                 const char *kill_file, const struct jail_options *opts)
{
  int pfd = lock_dir (parent, LOCK_EX, NULL);
  if (pfd < 0)
    return;
  int dfd = dup (pfd);
  DIR *d = dfd >= 0 ? fdopendir (dfd) : NULL;
  if (d == NULL)
    {
      if (dfd >= 0)
        close (dfd);
      close (pfd);
      return;
    }
  struct dirent *de;
  bool removed = false;
  while ((de = readdir (d)) != NULL)
    {
      if (!is_jail_name (de->d_name))
        continue;
      char *path = path_join (parent, de->d_name);
      int lfd = path ? lock_dir (path, LOCK_EX | LOCK_NB, NULL) : -1;
      if (lfd >= 0)
        {
          kill_all (lfd, path, kill_file);
          if (remove_busy (host, path) == 0)
            {
              say (opts, "removed stale cgroup %s", path);
              removed = true;
            }
          else
            say (opts, "cannot remove stale cgroup %s: %s", path,
                 strerror (errno));
          close (lfd);
        }
      free (path);
    }
  closedir (d);
  /* Its last jail gone, the parent goes too (see remove_parent); it fails
   * harmlessly while other jails live in it. */
  if (removed)
    host->remove_dir (parent);
  close (pfd);
}

void
cgroup_remove_stale (const struct cgroup_host *host, const char *parent,
                     const struct jail_options *opts)
{
  for (size_t i = 0; i < host->n; i++)
    {
      const struct cgroup_hierarchy *h = &host->h[i];
      if (h->version == 1 && h->controllers == 0)
        continue;
      char *dir = parent_dir (h, parent);
      if (dir == NULL)
        continue;
      struct stat st;
      if (stat (dir, &st) == 0)
        remove_stale_in (host, dir, h->version == 2 ? "cgroup.kill" : NULL,
                         opts);
      free (dir);
    }
}

/* ---- the jail's view ---- */

int
cgroup_jail_name (char *buf, size_t size, cordon_error_t *err)
{
  uint64_t token;
  ssize_t n;
  while ((n = getrandom (&token, sizeof token, 0)) < 0 && errno == EINTR)
    ;
  if (n != (ssize_t) sizeof token)
    return cordon_fail (err, n < 0 ? errno : EIO,
                        "getrandom: a name for the jail's cgroup");
  snprintf (buf, size, "cordon-%ld-%016" PRIx64, (long) getpid (), token);
  return 0;
}

struct cgroup_jail
{
  struct cgroup_host host;
  struct cgroup *cg;
};

int
cgroup_jail_begin (const struct jail_spec *spec,
                   const struct jail_options *opts, struct cgroup_jail **out,
                   cordon_error_t *err)
{
  *out = NULL;
  bool limited = limited_controllers (&spec->cgroup) != 0;
  bool accounting = opts->result != NULL;
  /* Without a cgroup of its own a jail does no cgroup work, housekeeping
   * included: reading the host's mount table alone is ~0.2 ms of a start.
   * Stale cgroups come from runs that make one, and the next of those
   * removes them. */
  if (!limited && !accounting)
    return 0;
  struct cgroup_jail *j = calloc (1, sizeof *j);
  if (j == NULL)
    return cordon_fail (err, ENOMEM, "cgroup");
  cordon_error_t probe_err = NULL;
  if (cgroup_host_probe (&j->host, NULL, NULL, &probe_err) < 0)
    {
      cgroup_host_free (&j->host);
      free (j);
      if (!limited)
        {
          cordon_error_free (&probe_err);
          return 0;
        }
      if (err == NULL)
        {
          cordon_error_free (&probe_err);
          return -1;
        }
      *err = probe_err;
      return cordon_error_wrap (err, "cgroup limits");
    }
  const char *parent = opts->cgroup_parent ? opts->cgroup_parent : "cordon";
  cgroup_remove_stale (&j->host, parent, opts);
  char name[CGROUP_JAIL_NAME_MAX];
  if (cgroup_jail_name (name, sizeof name, err) < 0)
    {
      cgroup_host_free (&j->host);
      free (j);
      return -1;
    }
  struct cgroup_request req = {
    .limits = &spec->cgroup,
    .accounting = accounting,
    .parent = parent,
    .version = (enum cgroup_version) opts->cgroup_version,
    .name = name,
  };
  if (cgroup_create (&j->host, &req, opts, &j->cg, err) < 0)
    {
      cgroup_host_free (&j->host);
      free (j);
      return -1;
    }
  *out = j;
  return 0;
}

int
cgroup_jail_open_join (const struct cgroup_jail *j, struct cgroup_join *join,
                       cordon_error_t *err)
{
  return cgroup_open_join (j ? j->cg : NULL, join, err);
}

bool
cgroup_jail_end (struct cgroup_jail *j, const struct jail_spec *spec,
                 bool sigkilled, const struct jail_options *opts,
                 struct cgroup_stats *st)
{
  memset (st, 0, sizeof *st);
  if (j == NULL)
    return false;
  /* The numbers serve the run report, and the OOM count a jail that ended
   * by SIGKILL: 6 system calls saved on every other run. */
  if (opts->result != NULL || sigkilled)
    cgroup_read_stats (j->cg, st);
  bool oom = st->oom_kills > 0 && sigkilled;
  if (oom)
    {
      /* Always said, even with -q: 137 alone does not tell why. */
      char limit[32];
      spec_format_size (spec->cgroup.memory, limit, sizeof limit);
      if (spec->cgroup.has_memory)
        dprintf (STDERR_FILENO, "cordon: killed: out of memory (limit %s)\n",
                 limit);
      else
        dprintf (STDERR_FILENO, "cordon: killed: out of memory\n");
    }
  cordon_error_t err = NULL;
  if (cgroup_destroy (j->cg, &err) < 0)
    {
      dprintf (STDERR_FILENO, "cordon: warning: %s\n", err->message);
      cordon_error_free (&err);
    }
  cgroup_host_free (&j->host);
  free (j);
  return oom;
}

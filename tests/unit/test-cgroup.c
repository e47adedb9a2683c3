/* test-cgroup.c — both cgroup backends against a fake cgroupfs: a directory
 * tree where make_dir creates the files the kernel would, and remove_dir
 * removes them (or says EBUSY, as a cgroup with exiting tasks does).  Also
 * the mountinfo reader, on fixtures. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "cgroup.h"
#include "tap.h"

static char root[64];               /* the fake cgroupfs */
static const char *fake_missing;    /* a file make_dir leaves out */
static int fake_busy;               /* remove_dir says EBUSY this often */

static const char *const v2_files[] = {
  "cgroup.controllers", "cgroup.subtree_control", "cgroup.procs",
  "memory.max", "memory.swap.max", "memory.events", "memory.peak",
  "pids.max", "pids.peak", "cpu.max", NULL,
};
static const char *const v1_files[] = {
  "cgroup.procs", "tasks", "memory.limit_in_bytes",
  "memory.memsw.limit_in_bytes", "memory.oom_control",
  "memory.max_usage_in_bytes", "pids.max", "pids.peak", "cpu.cfs_quota_us",
  "cpu.cfs_period_us", NULL,
};

static void
put (const char *dir, const char *name, const char *text)
{
  char path[512];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen (path, "w");
  if (f == NULL)
    {
      perror (path);
      exit (1);
    }
  fputs (text, f);
  fclose (f);
}

static char *
get (const char *dir, const char *name)
{
  static char buf[256];
  char path[512];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen (path, "r");
  if (f == NULL)
    return strcpy (buf, "<missing>");
  size_t n = fread (buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose (f);
  return buf;
}

static int
fake_make_dir (const char *path, int version)
{
  if (mkdir (path, 0755) < 0)
    return -1;
  for (const char *const *f = version == 2 ? v2_files : v1_files; *f; f++)
    if (fake_missing == NULL || strcmp (*f, fake_missing) != 0)
      put (path, *f, strcmp (*f, "cgroup.controllers") == 0
                     ? "cpu memory pids\n" : "");
  return 0;
}

static int
fake_remove_dir (const char *path)
{
  if (fake_busy > 0)
    {
      fake_busy--;
      errno = EBUSY;
      return -1;
    }
  DIR *d = opendir (path);
  if (d == NULL)
    return -1;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (de->d_type == DT_REG)
      {
        char p[512];
        snprintf (p, sizeof p, "%s/%s", path, de->d_name);
        unlink (p);
      }
  closedir (d);
  return rmdir (path);
}

static bool
exists (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0;
}

static char *
at (const char *rel)
{
  static char buf[4][512];
  static int i;
  i = (i + 1) % 4;
  snprintf (buf[i], sizeof buf[i], "%s/%s", root, rel);
  return buf[i];
}

/* A fake v2 mount at ROOT/unified, the launcher in /; CONTROLLERS offered. */
static void
fake_v2 (struct cgroup_host *host, const char *controllers)
{
  memset (host, 0, sizeof *host);
  host->make_dir = fake_make_dir;
  host->remove_dir = fake_remove_dir;
  mkdir (at ("unified"), 0755);
  put (at ("unified"), "cgroup.controllers", controllers);
  put (at ("unified"), "cgroup.subtree_control", "");
  cgroup_host_add (host, 2, at ("unified"), "/", 0);
}

/* Fake v1 mounts ROOT/memory, ROOT/pids, ROOT/cpu, the launcher in /own. */
static void
fake_v1 (struct cgroup_host *host, bool with_memory)
{
  memset (host, 0, sizeof *host);
  host->make_dir = fake_make_dir;
  host->remove_dir = fake_remove_dir;
  static const struct { const char *name; unsigned bit; } h[] = {
    { "memory", CGROUP_MEMORY }, { "pids", CGROUP_PIDS }, { "cpu", CGROUP_CPU },
  };
  for (size_t i = 0; i < 3; i++)
    {
      if (h[i].bit == CGROUP_MEMORY && !with_memory)
        continue;
      char rel[64];
      snprintf (rel, sizeof rel, "%s/own", h[i].name);
      mkdir (at (h[i].name), 0755);
      mkdir (at (rel), 0755);
      cgroup_host_add (host, 1, at (h[i].name), "/own", h[i].bit);
    }
}

static struct cgroup_spec
limits (void)
{
  return (struct cgroup_spec) {
    .has_memory = true, .memory = 512 << 20,
    .has_memory_swap = true, .memory_swap = 0,
    .pids = 128, .cpu = 1.5,
  };
}

static void
test_v2 (void)
{
  struct cgroup_host host;
  fake_v2 (&host, "cpu io memory pids\n");
  struct cgroup_spec l = limits ();
  struct cgroup_request req = { &l, false, "cordon", CGROUP_VERSION_AUTO,
                                "cordon-42" };
  struct cgroup *cg = NULL;
  cordon_error_t err = NULL;
  int r = cgroup_create (&host, &req, NULL, &cg, &err);
  tap_ok (r == 0 && cg != NULL, "v2: created (%s)", err ? err->message : "");
  if (cg == NULL)
    {
      cordon_error_free (&err);
      cgroup_host_free (&host);
      return;
    }
  const char *d = at ("unified/cordon/cordon-42");
  tap_ok (cgroup_version_of (cg) == 2, "v2: auto picks v2 when it has the "
          "controllers");
  tap_ok (strcmp (cgroup_path (cg, CGROUP_MEMORY), d) == 0
          && strcmp (cgroup_path (cg, CGROUP_CPU), d) == 0,
          "v2: one directory for every controller: %s",
          cgroup_path (cg, CGROUP_MEMORY));
  tap_ok (strcmp (get (d, "memory.max"), "536870912") == 0, "v2: memory.max");
  tap_ok (strcmp (get (d, "memory.swap.max"), "0") == 0, "v2: memory.swap.max");
  tap_ok (strcmp (get (d, "pids.max"), "128") == 0, "v2: pids.max");
  tap_ok (strcmp (get (d, "cpu.max"), "150000 100000") == 0,
          "v2: cpu.max is %s", get (d, "cpu.max"));
  /* The last write to each subtree_control: controllers go in one by one. */
  tap_ok (strcmp (get (at ("unified"), "cgroup.subtree_control"), "+cpu") == 0
          && strcmp (get (at ("unified/cordon"), "cgroup.subtree_control"),
                     "+cpu") == 0,
          "v2: controllers enabled in the launcher's cgroup and the parent");
  struct cgroup_join join;
  tap_ok (cgroup_open_join (cg, &join, &err) == 0 && join.n == 1
          && cgroup_join (&join, &err) == 0 && join.n == 0
          && strcmp (get (d, "cgroup.procs"), "0") == 0,
          "v2: the jail joins by writing 0 to cgroup.procs");
  put (d, "memory.events", "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n");
  put (d, "memory.peak", "536870912\n");
  put (d, "pids.peak", "17\n");
  struct cgroup_stats st;
  cgroup_read_stats (cg, &st);
  tap_ok (st.oom_kills == 1 && st.has_peak_memory
          && st.peak_memory == 536870912 && st.has_peak_pids
          && st.peak_pids == 17, "v2: memory.events oom_kill and the peaks");
  put (d, "cgroup.procs", "");
  tap_ok (cgroup_destroy (cg, &err) == 0 && !exists (d),
          "v2: destroy removes the directory");
  tap_ok (!exists (at ("unified/cordon")),
          "v2: the parent cordon made goes with its last jail");
  cordon_error_free (&err);
  cgroup_host_free (&host);
}

static void
test_v2_missing_controller (void)
{
  struct cgroup_host host;
  fake_v2 (&host, "cpu pids\n");
  struct cgroup_spec l = limits ();
  struct cgroup_request req = { &l, false, "cordon", CGROUP_VERSION_2,
                                "cordon-43" };
  struct cgroup *cg = NULL;
  cordon_error_t err = NULL;
  int r = cgroup_create (&host, &req, NULL, &cg, &err);
  char want[512];
  snprintf (want, sizeof want, "cgroup limits: cgroup v2: controller memory "
            "not available in %s (cgroup.controllers)", at ("unified"));
  tap_ok (r < 0 && cg == NULL && err && strcmp (err->message, want) == 0,
          "v2: a missing controller is an error: %s",
          err ? err->message : "(none)");
  cordon_error_free (&err);

  /* auto falls back to v1, and there is none either */
  req.version = CGROUP_VERSION_AUTO;
  r = cgroup_create (&host, &req, NULL, &cg, &err);
  tap_ok (r < 0 && err && strcmp (err->message, "cgroup limits: no cgroup "
                                  "hierarchy has memory, pids, cpu (cgroup "
                                  "v1), and v2 lacks it too") == 0,
          "auto: neither v2 nor v1 has memory: %s",
          err ? err->message : "(none)");
  cordon_error_free (&err);

  /* only accounting: no error, no cgroup */
  struct cgroup_spec none = { 0 };
  struct cgroup_request acct = { &none, true, "cordon", CGROUP_VERSION_AUTO,
                                 "cordon-44" };
  put (at ("unified"), "cgroup.controllers", "cpu\n");
  r = cgroup_create (&host, &acct, NULL, &cg, &err);
  tap_ok (r == 0 && cg == NULL && err == NULL,
          "accounting alone without the controllers: no cgroup, no error");

  /* the kernel lacks a file: the error names it, nothing is left */
  put (at ("unified"), "cgroup.controllers", "cpu memory pids\n");
  fake_missing = "memory.swap.max";
  req.version = CGROUP_VERSION_2;
  r = cgroup_create (&host, &req, NULL, &cg, &err);
  snprintf (want, sizeof want, "cgroup limits: open %s/memory.swap.max: No "
            "such file or directory (ENOENT)", at ("unified/cordon/cordon-43"));
  tap_ok (r < 0 && err && strcmp (err->message, want) == 0,
          "v2: a missing control file: %s", err ? err->message : "(none)");
  tap_ok (!exists (at ("unified/cordon/cordon-43")),
          "v2: the half-made cgroup is removed");
  fake_missing = NULL;
  cordon_error_free (&err);
  cgroup_host_free (&host);
}

static void
test_v1 (void)
{
  struct cgroup_host host;
  fake_v1 (&host, true);
  struct cgroup_spec l = limits ();
  l.memory_swap = 256 << 20;
  struct cgroup_request req = { &l, false, "cordon", CGROUP_VERSION_AUTO,
                                "cordon-7" };
  struct cgroup *cg = NULL;
  cordon_error_t err = NULL;
  int r = cgroup_create (&host, &req, NULL, &cg, &err);
  tap_ok (r == 0 && cg, "v1: created (%s)", err ? err->message : "");
  if (cg == NULL)
    {
      cordon_error_free (&err);
      cgroup_host_free (&host);
      return;
    }
  const char *mem = at ("memory/own/cordon/cordon-7");
  const char *pids = at ("pids/own/cordon/cordon-7");
  const char *cpu = at ("cpu/own/cordon/cordon-7");
  tap_ok (cgroup_version_of (cg) == 1
          && strcmp (cgroup_path (cg, CGROUP_MEMORY), mem) == 0
          && strcmp (cgroup_path (cg, CGROUP_PIDS), pids) == 0,
          "v1: a directory per hierarchy, under the launcher's cgroup");
  tap_ok (strcmp (get (mem, "memory.limit_in_bytes"), "536870912") == 0,
          "v1: memory.limit_in_bytes");
  tap_ok (strcmp (get (mem, "memory.memsw.limit_in_bytes"), "805306368") == 0,
          "v1: memsw is memory + swap");
  tap_ok (strcmp (get (pids, "pids.max"), "128") == 0, "v1: pids.max");
  tap_ok (strcmp (get (cpu, "cpu.cfs_quota_us"), "150000") == 0
          && strcmp (get (cpu, "cpu.cfs_period_us"), "100000") == 0,
          "v1: cfs quota and period");
  struct cgroup_join join;
  tap_ok (cgroup_open_join (cg, &join, &err) == 0 && join.n == 3
          && cgroup_join (&join, &err) == 0
          && strcmp (get (mem, "tasks"), "0") == 0
          && strcmp (get (pids, "tasks"), "0") == 0
          && strcmp (get (cpu, "tasks"), "0") == 0
          && strcmp (get (mem, "cgroup.procs"), "") == 0,
          "v1: the jail joins every hierarchy by writing 0 to tasks");
  /* a file it cannot open: the error names it, nothing stays open */
  char want[600];
  snprintf (want, sizeof want, "put the jail into its cgroup: open %s/tasks: "
            "No such file or directory (ENOENT)", pids);
  char gone[600];
  snprintf (gone, sizeof gone, "%s/tasks", pids);
  unlink (gone);
  int r2 = cgroup_open_join (cg, &join, &err);
  tap_ok (r2 < 0 && join.n == 0 && err && strcmp (err->message, want) == 0,
          "v1: a join file that cannot be opened: %s",
          err ? err->message : "(none)");
  cordon_error_free (&err);
  put (pids, "tasks", "");
  put (mem, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n"
       "oom_kill 3\n");
  put (mem, "memory.max_usage_in_bytes", "1234\n");
  struct cgroup_stats st;
  cgroup_read_stats (cg, &st);
  tap_ok (st.oom_kills == 3 && st.peak_memory == 1234,
          "v1: memory.oom_control oom_kill and max_usage_in_bytes");
  put (mem, "cgroup.procs", "");
  put (pids, "cgroup.procs", "");
  put (cpu, "cgroup.procs", "");
  fake_busy = 3;
  tap_ok (cgroup_destroy (cg, &err) == 0 && !exists (mem) && !exists (pids)
          && !exists (cpu), "v1: destroy retries EBUSY and removes all");
  cordon_error_free (&err);
  cgroup_host_free (&host);
}

static void
test_v1_missing_and_busy (void)
{
  struct cgroup_host host;
  fake_v1 (&host, false);
  struct cgroup_spec l = limits ();
  struct cgroup_request req = { &l, false, "cordon", CGROUP_VERSION_1,
                                "cordon-8" };
  struct cgroup *cg = NULL;
  cordon_error_t err = NULL;
  int r = cgroup_create (&host, &req, NULL, &cg, &err);
  tap_ok (r < 0 && err && strcmp (err->message, "cgroup limits: no cgroup "
                                  "hierarchy has memory (cgroup v1)") == 0,
          "v1: no memory hierarchy: %s", err ? err->message : "(none)");
  cordon_error_free (&err);

  l.has_memory = l.has_memory_swap = false;
  r = cgroup_create (&host, &req, NULL, &cg, &err);
  tap_ok (r == 0 && cg, "v1: pids and cpu alone need no memory hierarchy");
  const char *pids = at ("pids/own/cordon/cordon-8");
  fake_busy = 1000;
  r = cgroup_destroy (cg, &err);
  char want[512];
  snprintf (want, sizeof want, "remove cgroup %s: Device or resource busy "
            "(EBUSY)", pids);
  tap_ok (r < 0 && err && strcmp (err->message, want) == 0,
          "v1: a cgroup that stays busy is an error: %s",
          err ? err->message : "(none)");
  fake_busy = 0;
  cordon_error_free (&err);
  tap_ok (exists (pids), "v1: ... and is still there for the next run");

  /* The next run removes it: nobody holds its lock. */
  cgroup_remove_stale (&host, "cordon", NULL);
  tap_ok (!exists (pids), "stale: an unlocked jail cgroup is removed");
  tap_ok (!exists (at ("pids/own/cordon")), "stale: ... and the parent with it");

  /* A live one (locked) is kept, and so is its parent. */
  fake_make_dir (at ("pids/own/cordon"), 1);
  fake_make_dir (at ("pids/own/cordon/cordon-9"), 1);
  int fd = open (at ("pids/own/cordon/cordon-9"), O_RDONLY | O_DIRECTORY);
  flock (fd, LOCK_EX);
  fake_make_dir (at ("pids/own/cordon/other"), 1);
  cgroup_remove_stale (&host, "cordon", NULL);
  tap_ok (exists (at ("pids/own/cordon/cordon-9")),
          "stale: a locked (live) jail cgroup is kept");
  tap_ok (exists (at ("pids/own/cordon/other")),
          "stale: directories not named cordon-N are not touched");
  fake_make_dir (at ("pids/own/cordon/cordon-10"), 1);
  cgroup_remove_stale (&host, "cordon", NULL);
  tap_ok (!exists (at ("pids/own/cordon/cordon-10"))
          && exists (at ("pids/own/cordon/cordon-9")),
          "stale: the parent stays while a live jail is in it");
  close (fd);
  cgroup_remove_stale (&host, "cordon", NULL);
  tap_ok (!exists (at ("pids/own/cordon/cordon-9")),
          "stale: removed once its lock is gone");
  fake_remove_dir (at ("pids/own/cordon/other"));
  cgroup_host_free (&host);
}

/* The jail's name is unique across pid namespaces (a random token next to
 * the pid), and the sweep knows it, and only it, for a jail's. */
static void
test_names (void)
{
  char a[CGROUP_JAIL_NAME_MAX], b[CGROUP_JAIL_NAME_MAX], prefix[32];
  cordon_error_t err = NULL;
  int r = cgroup_jail_name (a, sizeof a, &err);
  r |= cgroup_jail_name (b, sizeof b, &err);
  snprintf (prefix, sizeof prefix, "cordon-%ld-", (long) getpid ());
  size_t lp = strlen (prefix);
  tap_ok (r == 0 && strncmp (a, prefix, lp) == 0 && strlen (a) == lp + 16
          && strspn (a + lp, "0123456789abcdef") == 16,
          "name: cordon-PID-TOKEN: %s", a);
  tap_ok (strcmp (a, b) != 0, "name: two names for one pid differ (%s, %s)",
          a, b);
  cordon_error_free (&err);

  struct cgroup_host host;
  fake_v1 (&host, false);
  fake_make_dir (at ("pids/own/cordon"), 1);
  char live[128], dead[128];
  snprintf (live, sizeof live, "pids/own/cordon/%s", a);
  snprintf (dead, sizeof dead, "pids/own/cordon/%s", b);
  fake_make_dir (at (live), 1);
  fake_make_dir (at (dead), 1);
  static const char *const others[] = {
    "cordon-12x", "cordon-12-0123", "cordon-12-0123456789abcdefg",
    "cordon-12-0123456789ABCDEF", "cordon--0123456789abcdef",
  };
  for (size_t i = 0; i < sizeof others / sizeof *others; i++)
    {
      char o[128];
      snprintf (o, sizeof o, "pids/own/cordon/%s", others[i]);
      fake_make_dir (at (o), 1);
    }
  int fd = open (at (live), O_RDONLY | O_DIRECTORY);
  flock (fd, LOCK_EX);
  cgroup_remove_stale (&host, "cordon", NULL);
  tap_ok (exists (at (live)) && !exists (at (dead)),
          "stale: a cordon-PID-TOKEN cgroup goes when unlocked, and only then");
  bool kept = true;
  for (size_t i = 0; i < sizeof others / sizeof *others; i++)
    {
      char o[128];
      snprintf (o, sizeof o, "pids/own/cordon/%s", others[i]);
      kept = kept && exists (at (o));
      fake_remove_dir (at (o));
    }
  tap_ok (kept, "stale: names only like a jail's are not touched");
  close (fd);
  cgroup_remove_stale (&host, "cordon", NULL);
  tap_ok (!exists (at ("pids/own/cordon")),
          "stale: the last one gone, and the parent with it");
  cgroup_host_free (&host);
}

/* In a child: make the fake hierarchy read-only with a bind mount. */
static void
test_read_only (void)
{
  pid_t pid = fork ();
  if (pid == 0)
    {
      int flags = CLONE_NEWNS | (geteuid () ? CLONE_NEWUSER : 0);
      if (unshare (flags) < 0
          || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
          || mount (root, root, NULL, MS_BIND | MS_REC, NULL) < 0
          || mount (NULL, root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY,
                    NULL) < 0)
        _exit (77);
      struct cgroup_host host;
      fake_v1 (&host, true);
      struct cgroup_spec l = limits ();
      struct cgroup_request req = { &l, false, "ro", CGROUP_VERSION_1,
                                    "cordon-1" };
      struct cgroup *cg = NULL;
      cordon_error_t err = NULL;
      int r = cgroup_create (&host, &req, NULL, &cg, &err);
      char want[512];
      snprintf (want, sizeof want, "the profile sets cgroup limits, and "
                "there is no writable cgroup to enforce them (a jail never "
                "runs unlimited instead): mkdir %s: Read-only file system "
                "(EROFS)", at ("memory/own/ro"));
      bool ok = r < 0 && cg == NULL && err && strcmp (err->message, want) == 0;
      if (!ok)
        printf ("# got: %s\n# want: %s\n", err ? err->message : "(none)", want);
      struct cgroup_spec none = { 0 };
      req.limits = &none;
      req.accounting = true;
      cordon_error_free (&err);
      ok = ok && cgroup_create (&host, &req, NULL, &cg, &err) == 0
           && cg == NULL;
      cgroup_host_free (&host);
      fflush (stdout);
      _exit (ok ? 0 : 1);
    }
  int status;
  waitpid (pid, &status, 0);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 77)
    printf ("ok %d - read-only hierarchy # SKIP cannot mount here\n",
            ++tap_count);
  else
    tap_ok (WIFEXITED (status) && WEXITSTATUS (status) == 0,
            "read-only hierarchy: limits refused with a clear error, "
            "accounting alone goes without");
}

static void
test_probe (void)
{
  const char *src = getenv ("SRCDIR");
  char mi[512], self[512];
  struct cgroup_host host;
  cordon_error_t err = NULL;

  snprintf (mi, sizeof mi, "%s/tests/fixtures/cgroup/mountinfo-hybrid", src);
  snprintf (self, sizeof self, "%s/tests/fixtures/cgroup/self-cgroup-hybrid",
            src);
  int r = cgroup_host_probe (&host, mi, self, &err);
  bool ok = r == 0 && host.n == 4;
  for (size_t i = 0; ok && i < host.n; i++)
    {
      const struct cgroup_hierarchy *h = &host.h[i];
      if (h->version == 2)
        ok = strcmp (h->mount, "/sys/fs/cgroup/unified") == 0
             && strcmp (h->own, "/user.slice/user-1000.slice/session-2.scope")
                == 0;
      else if (h->controllers == CGROUP_CPU)
        ok = strcmp (h->mount, "/sys/fs/cgroup/cpu,cpuacct") == 0
             && strcmp (h->own, "/user.slice") == 0;
      else if (h->controllers == CGROUP_MEMORY)
        ok = strcmp (h->mount, "/sys/fs/cgroup/memory") == 0
             && strcmp (h->own, "/process_api/abc") == 0;
      else if (h->controllers == CGROUP_PIDS)
        ok = strcmp (h->own, "/user.slice/user-1000.slice/session-2.scope")
             == 0;
      else
        ok = false;
    }
  tap_ok (ok, "probe: hybrid host: v1 memory, pids, cpu,cpuacct and v2 "
          "(first mount wins, cpuset and name=systemd ignored)");
  cgroup_host_free (&host);

  snprintf (mi, sizeof mi, "%s/tests/fixtures/cgroup/mountinfo-v2", src);
  snprintf (self, sizeof self, "%s/tests/fixtures/cgroup/self-cgroup-v2", src);
  r = cgroup_host_probe (&host, mi, self, &err);
  tap_ok (r == 0 && host.n == 1 && host.h[0].version == 2
          && strcmp (host.h[0].mount, "/sys/fs/cgroup") == 0
          && strcmp (host.h[0].own, "/user.slice/user-1000.slice/"
                     "user@1000.service/app.slice/term.scope") == 0,
          "probe: unified host");
  cgroup_host_free (&host);

  snprintf (mi, sizeof mi, "%s/tests/fixtures/cgroup/mountinfo-container",
            src);
  snprintf (self, sizeof self,
            "%s/tests/fixtures/cgroup/self-cgroup-container", src);
  r = cgroup_host_probe (&host, mi, self, &err);
  tap_ok (r == 0 && host.n == 1 && strcmp (host.h[0].own, "/init") == 0,
          "probe: a mount of a sub-tree: the own cgroup is relative to it");
  cgroup_host_free (&host);

  r = cgroup_host_probe (&host, "/nonexistent/mountinfo", self, &err);
  tap_ok (r < 0 && err && strcmp (err->message, "read /nonexistent/mountinfo: "
                                  "No such file or directory (ENOENT)") == 0,
          "probe: an unreadable mountinfo is an error");
  cordon_error_free (&err);
  cgroup_host_free (&host);
}

static void
test_format (void)
{
  char b[32];
  spec_format_size (512 << 20, b, sizeof b);
  bool ok = strcmp (b, "512M") == 0;
  spec_format_size (1536, b, sizeof b);
  ok = ok && strcmp (b, "1536") == 0;
  spec_format_size (1000, b, sizeof b);
  ok = ok && strcmp (b, "1000") == 0;
  spec_format_size (3ULL << 40, b, sizeof b);
  ok = ok && strcmp (b, "3T") == 0;
  tap_ok (ok, "sizes are said with the largest exact suffix");
}

int
main (void)
{
  snprintf (root, sizeof root, "/tmp/cordon-cgfake.XXXXXX");
  if (mkdtemp (root) == NULL)
    return 1;
  chmod (root, 0755);
  test_v2 ();
  test_v2_missing_controller ();
  test_v1 ();
  test_v1_missing_and_busy ();
  test_names ();
  test_read_only ();
  test_probe ();
  test_format ();
  char cmd[128];
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system (cmd) != 0)
    return 1;
  return tap_done ();
}

/* userns.c — writing the jail's uid and gid maps.
 *
 * Root writes /proc/PID/{uid,gid}_map itself.  An unprivileged caller can
 * write only one range mapping its own id, and must first deny setgroups;
 * anything else goes through the setuid helpers newuidmap/newgidmap (Debian
 * package uidmap), which check /etc/subuid and /etc/subgid. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "userns.h"
#include "util.h"

extern char **environ;

static bool
range_covers_outside (const struct id_map *map, uint32_t id)
{
  for (size_t i = 0; i < map->n_ranges; i++)
    {
      const struct id_range *r = &map->ranges[i];
      if (id >= r->outside && id - r->outside < r->count)
        return true;
    }
  return false;
}

/* The kernel lets an unprivileged process write one range that maps its
 * own id; anything else needs the setuid helper. */
static bool
needs_helper (const struct id_map *map, uint32_t own, bool root)
{
  if (root)
    return false;
  return !(map->n_ranges == 1 && map->ranges[0].outside == own
           && map->ranges[0].count == 1);
}

void
userns_plan (const struct jail_spec *spec, struct userns_plan *plan)
{
  memset (plan, 0, sizeof *plan);
  plan->enabled = (spec->namespaces & JAIL_NS_USER) != 0;
  uid_t euid = geteuid ();
  gid_t egid = getegid ();
  bool root = euid == 0;
  if (!plan->enabled)
    {
      plan->setgroups_allowed = root;
      return;
    }

  /* Default: the jail's id is the caller's, except that root becomes
   * nobody outside: a root-run jail must not own host files as root. */
  plan->default_uid = (struct id_range) {
    .inside = spec->uid, .outside = root ? USERNS_NOBODY : euid, .count = 1 };
  plan->default_gid = (struct id_range) {
    .inside = spec->gid, .outside = root ? USERNS_NOBODY : egid, .count = 1 };
  plan->uid = spec->uid_map;
  plan->gid = spec->gid_map;
  if (plan->uid.n_ranges == 0)
    plan->uid = (struct id_map) { .ranges = &plan->default_uid, .n_ranges = 1 };
  if (plan->gid.n_ranges == 0)
    plan->gid = (struct id_map) { .ranges = &plan->default_gid, .n_ranges = 1 };

  plan->uid_by_helper = needs_helper (&plan->uid, euid, root);
  plan->gid_by_helper = needs_helper (&plan->gid, egid, root);
  /* Writing our own gid map unprivileged requires setgroups to be denied
   * first (else dropping groups could widen access). */
  plan->setgroups_allowed = root || plan->gid_by_helper;
  plan->fsuid_unmapped = !range_covers_outside (&plan->uid, euid);
  plan->fsgid_unmapped = !range_covers_outside (&plan->gid, egid);
}

static int
write_proc_file (pid_t pid, const char *name, const char *text,
                 cordon_error_t *err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, name);
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return fail_errno (err, "open %s", path);
  size_t len = strlen (text);
  ssize_t n = write (fd, text, len);
  if (n < 0 || (size_t) n != len)
    {
      int e = n < 0 ? errno : EIO;
      close (fd);
      return cordon_fail (err, e, "write \"%.*s\" to %s",
                          (int) strcspn (text, "\n"), text, path);
    }
  if (close (fd) < 0)
    return fail_errno (err, "write %s", path);
  return 0;
}

static int
write_map_directly (pid_t pid, const char *file, const struct id_map *map,
                    cordon_error_t *err)
{
  /* At most 340 lines of "u32 u32 u32\n" (the kernel's limit). */
  char text[340 * 33 + 1];
  size_t off = 0;
  for (size_t i = 0; i < map->n_ranges && i < 340; i++)
    off += (size_t) snprintf (text + off, sizeof text - off, "%u %u %u\n",
                              map->ranges[i].inside, map->ranges[i].outside,
                              map->ranges[i].count);
  return write_proc_file (pid, file, text, err);
}

static int
run_helper (const char *helper, pid_t pid, const struct id_map *map,
            const struct jail_options *opts, cordon_error_t *err)
{
  size_t argc = 2 + 3 * map->n_ranges + 1;
  char **argv = calloc (argc, sizeof *argv);
  char *numbers = calloc (1 + 3 * map->n_ranges, 11);
  if (argv == NULL || numbers == NULL)
    {
      free (argv);
      free (numbers);
      return cordon_fail (err, ENOMEM, "%s", helper);
    }
  char *p = numbers;
  size_t k = 0;
  argv[k++] = (char *) helper;
  uint32_t values[3];
  for (size_t i = 0; i <= map->n_ranges * 3; i++)
    {
      if (i == 0)
        sprintf (p, "%d", (int) pid);
      else
        {
          const struct id_range *r = &map->ranges[(i - 1) / 3];
          values[0] = r->inside, values[1] = r->outside, values[2] = r->count;
          sprintf (p, "%u", values[(i - 1) % 3]);
        }
      argv[k++] = p;
      p += strlen (p) + 1;
    }
  argv[k] = NULL;
  say (opts, "run %s %s ...", helper, argv[1]);

  /* The launcher blocks the forwarded signals; the helper must not
   * inherit that. */
  posix_spawnattr_t attr;
  posix_spawnattr_init (&attr);
  sigset_t none;
  sigemptyset (&none);
  posix_spawnattr_setsigmask (&attr, &none);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t child;
  int r = posix_spawnp (&child, helper, NULL, &attr, argv, environ);
  posix_spawnattr_destroy (&attr);
  int ret = 0;
  if (r == ENOENT)
    ret = cordon_fail (err, 0, "%s not found: a map with several ranges or "
                       "other users' ids needs it (install the Debian package "
                       "uidmap)", helper);
  else if (r != 0)
    ret = cordon_fail (err, r, "run %s", helper);
  else
    {
      int status;
      while (waitpid (child, &status, 0) < 0)
        if (errno != EINTR)
          {
            ret = fail_errno (err, "wait for %s", helper);
            break;
          }
      if (ret == 0 && !(WIFEXITED (status) && WEXITSTATUS (status) == 0))
        ret = cordon_fail (err, 0, "%s %s ... failed (see its message above; "
                           "are the ids in /etc/sub%cid?)", helper, argv[1],
                           helper[3]);
    }
  free (numbers);
  free (argv);
  return ret;
}

int
userns_write_maps (const struct userns_plan *plan, pid_t pid,
                   const struct jail_options *opts, cordon_error_t *err)
{
  if (!plan->enabled)
    return 0;
  if (plan->uid_by_helper)
    {
      if (run_helper ("newuidmap", pid, &plan->uid, opts, err) < 0)
        return -1;
    }
  else if (write_map_directly (pid, "uid_map", &plan->uid, err) < 0)
    return -1;

  if (plan->gid_by_helper)
    return run_helper ("newgidmap", pid, &plan->gid, opts, err);
  if (!plan->setgroups_allowed
      && write_proc_file (pid, "setgroups", "deny", err) < 0)
    return -1;
  return write_map_directly (pid, "gid_map", &plan->gid, err);
}

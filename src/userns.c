/* userns.c — the jail's uid and gid maps, and the host ids of root's jails
 * (see userns.h).
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
#include <sys/file.h>
#include <sys/stat.h>
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

/* /run/cordon/ids, made if need be; refused unless it is root's own and no
 * one else's to write, since its lock files decide which jail gets which id. */
static int
open_ids_dir (cordon_error_t *err)
{
  int fd = open (USERNS_IDS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                 | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    {
      if (mkdir ("/run/cordon", 0755) < 0 && errno != EEXIST)
        return fail_errno (err, "mkdir /run/cordon");
      if (mkdir (USERNS_IDS_DIR, 0700) < 0 && errno != EEXIST)
        return fail_errno (err, "mkdir " USERNS_IDS_DIR);
      fd = open (USERNS_IDS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                 | O_CLOEXEC);
    }
  if (fd < 0)
    return fail_errno (err, "open " USERNS_IDS_DIR);
  struct stat st;
  if (fstat (fd, &st) < 0)
    {
      int e = errno;
      close (fd);
      return cordon_fail (err, e, "stat " USERNS_IDS_DIR);
    }
  if (st.st_uid != 0 || (st.st_mode & 077) != 0)
    {
      close (fd);
      return cordon_fail (err, 0, USERNS_IDS_DIR " must be root's, mode 0700 "
                          "(it is uid %u's, mode %04o): remove it and cordon "
                          "makes it again", (unsigned) st.st_uid,
                          (unsigned) (st.st_mode & 07777));
    }
  return fd;
}

/* Lock the file of ID under DIRFD: 1 when it is ours now, 0 when a live
 * jail holds it. */
static int
lock_id (int dirfd, uint32_t id, int *lock, cordon_error_t *err)
{
  char name[16];
  snprintf (name, sizeof name, "%u", id);
  int fd = openat (dirfd, name, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
                   0600);
  if (fd < 0)
    return fail_errno (err, "open " USERNS_IDS_DIR "/%s", name);
  if (flock (fd, LOCK_EX | LOCK_NB) == 0)
    {
      *lock = fd;
      return 1;
    }
  int e = errno;
  close (fd);
  if (e == EWOULDBLOCK)
    return 0;
  return cordon_fail (err, e, "lock " USERNS_IDS_DIR "/%s", name);
}

/* A host id of the range no live jail has.  The search starts at an offset
 * taken from our pid, within the first ID_SPREAD ids: successive launches
 * start at different places, so a free id is found at the first try while
 * few jails run, and there are lock files for at most ID_SPREAD ids more
 * than ever ran at once. */
#define ID_SPREAD 64
static int
take_root_id (const struct jail_options *opts, struct userns_plan *plan,
              cordon_error_t *err)
{
  uint32_t start = opts->root_id_count ? opts->root_id_start : ROOT_ID_START;
  uint32_t count = opts->root_id_count ? opts->root_id_count : ROOT_ID_COUNT;
  int dirfd = open_ids_dir (err);
  if (dirfd < 0)
    return -1;
  uint32_t spread = count < ID_SPREAD ? count : ID_SPREAD;
  uint32_t first = (uint32_t) getpid () % spread;
  int r = 0;
  for (uint32_t i = 0; i < count && r == 0; i++)
    {
      plan->root_id = start + (first + i) % count;
      r = lock_id (dirfd, plan->root_id, &plan->id_lock, err);
    }
  close (dirfd);
  if (r == 0)
    return cordon_fail (err, 0, "no free host id for root's jail: all %u ids "
                        "of root_id_range \"%u:%u\" belong to live jails "
                        "(a larger range in the settings file lets more run "
                        "at once)", count, start, count);
  if (r < 0)
    return -1;
  say (opts, "host uid and gid %u", plan->root_id);
  return 0;
}

/* map_owner: the host owner of the source of the bind mounted at
 * spec->map_owner, as the kernel resolves it now (the bind is made from
 * the same path moments later).  Root may map the jail to any owner, also
 * root itself (said in cordon.conf(5)), but not while /proc/sys and /sys
 * are writable: the host's root uid needs no capability to write the
 * kernel's settings there.  Rootless, the kernel lets the jail be only
 * the caller. */
static int
owner_ids (const struct jail_spec *spec, bool root, uid_t euid, gid_t egid,
           uint32_t *uid, uint32_t *gid, cordon_error_t *err)
{
  const struct fs_entry *bind = NULL;
  for (size_t i = 0; i < spec->n_entries && bind == NULL; i++)
    if (spec->entries[i].kind == FS_BIND
        && strcmp (spec->entries[i].dest, spec->map_owner) == 0)
      bind = &spec->entries[i];
  if (bind == NULL)
    return cordon_fail (err, 0, "map_owner \"%s\": no bind mount there",
                        spec->map_owner);
  struct stat st;
  if (stat (bind->source, &st) < 0)
    return fail_errno (err, "map_owner \"%s\": stat %s", spec->map_owner,
                       bind->source);
  if (!root && st.st_uid != euid)
    return cordon_fail (err, 0, "map_owner \"%s\": %s is uid %u's, and "
                        "without root the jail's user can only be you (uid "
                        "%u): run as its owner", spec->map_owner,
                        bind->source, (unsigned) st.st_uid, (unsigned) euid);
  if (st.st_uid == 0 && !spec->mask_paths)
    return cordon_fail (err, 0, "map_owner \"%s\": %s is root's, and with "
                        "mask_paths = false the jail's user, the host's root "
                        "uid, could write the kernel's settings in /proc/sys "
                        "and /sys: set mask_paths = true, or give the tree "
                        "another owner", spec->map_owner, bind->source);
  *uid = st.st_uid;
  /* Rootless, the kernel lets the jail have only the caller's group. */
  *gid = root ? st.st_gid : egid;
  return 0;
}

int
userns_plan (const struct jail_spec *spec, const struct jail_options *opts,
             struct userns_plan *plan, cordon_error_t *err)
{
  memset (plan, 0, sizeof *plan);
  plan->id_lock = -1;
  plan->enabled = (spec->namespaces & JAIL_NS_USER) != 0;
  uid_t euid = geteuid ();
  gid_t egid = getegid ();
  bool root = euid == 0;
  if (!plan->enabled)
    {
      plan->setgroups_allowed = root;
      return 0;
    }

  /* Default: the jail's id is the caller's, except that root's jail gets a
   * host id of its own: it must not own host files as root, nor share an
   * id that another process could signal it by. */
  plan->uid = spec->uid_map;
  plan->gid = spec->gid_map;
  uint32_t host_uid = root ? 0 : euid, host_gid = root ? 0 : egid;
  if (spec->map_owner && *spec->map_owner)
    {
      if (owner_ids (spec, root, euid, egid, &host_uid, &host_gid, err) < 0)
        return -1;
      say (opts, "map_owner: host uid %u and gid %u, the owner of %s's "
           "source", host_uid, host_gid, spec->map_owner);
    }
  else if (root && (plan->uid.n_ranges == 0 || plan->gid.n_ranges == 0))
    {
      if (take_root_id (opts, plan, err) < 0)
        return -1;
      host_uid = host_gid = plan->root_id;
    }
  plan->default_uid = (struct id_range) {
    .inside = spec->uid, .outside = host_uid, .count = 1 };
  plan->default_gid = (struct id_range) {
    .inside = spec->gid, .outside = host_gid, .count = 1 };
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
  return 0;
}

void
userns_plan_release (struct userns_plan *plan)
{
  close_fd (&plan->id_lock);
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

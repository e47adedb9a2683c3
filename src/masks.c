/* masks.c — masked and read-only kernel files in the jail's /proc and /sys.
 *
 * Applies to every proc mount of the spec, and to binds of the host's
 * /sys (whatever their source's spelling: what is mounted decides).
 * Hidden paths get an empty read-only directory or an empty mode-0 file,
 * cloned from the ones mounts.c cut from its staging tmpfs (or from a tiny
 * tmpfs of their own, on kernels before 6.15); read-only paths get a
 * read-only bind of themselves.  Paths this kernel does not have are
 * skipped. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "masks.h"
#include "mounts.h"
#include "util.h"

static const char *const proc_hidden[] = {
  "acpi", "asound", "kcore", "keys", "latency_stats", "sched_debug", "scsi",
  "timer_list", "timer_stats", NULL
};
static const char *const proc_readonly[] = {
  "bus", "fs", "irq", "sys", "sysrq-trigger", NULL
};
static const char *const sys_hidden[] = {
  "firmware", "devices/virtual/powercap", "kernel/security", NULL
};

#define READONLY_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID \
                        | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

/* DIR/NAME, where DIR "/" gives "/NAME". */
static void
path_under (char *buf, size_t size, const char *dir, const char *name)
{
  snprintf (buf, size, "%s/%s", strcmp (dir, "/") ? dir : "", name);
}

/* A tiny tmpfs, detached, with an empty directory "dir" and an empty file
 * "empty"; read-only once made.  Returns its mount fd. */
static int
make_empty (cordon_error_t *err)
{
  int fs = fsopen ("tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0)
    return fail_errno (err, "masked paths: fsopen tmpfs");
  int mnt = -1;
  if (fsconfig (fs, FSCONFIG_SET_STRING, "mode", "0555", 0) < 0
      || fsconfig (fs, FSCONFIG_SET_STRING, "size", "4k", 0) < 0
      || fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0
      || (mnt = fsmount (fs, FSMOUNT_CLOEXEC, 0)) < 0)
    {
      close_fd (&fs);
      return fail_errno (err, "masked paths: make a tmpfs");
    }
  close_fd (&fs);
  int f = -1;
  if (mkdirat (mnt, "dir", 0555) == 0)
    f = openat (mnt, "empty", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0);
  if (f < 0)
    {
      int e = errno;
      close_fd (&mnt);
      return cordon_fail (err, e, "masked paths: make an empty file");
    }
  /* closed first: an open writer keeps the mount from turning read-only */
  close_fd (&f);
  if (mounts_set_attrs (mnt, READONLY_ATTRS, true) < 0)
    {
      int e = errno;
      close_fd (&mnt);
      return cordon_fail (err, e, "masked paths: make the tmpfs read-only");
    }
  return mnt;
}

static int
attach_on (int *tree, const char *path, cordon_error_t *err, const char *how)
{
  int r = move_mount (*tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH);
  int e = errno;
  close_fd (tree);
  if (r < 0)
    return cordon_fail (err, e, "masked paths: %s %s", how, path);
  return 0;
}

/* A hidden path found under the mount being masked, and the empty
 * directory or file cloned to cover it.  By name, not path: sixteen paths
 * on pid 1's stack would be 64 KiB of it, a page fault each 4 KiB. */
struct hidden
{
  const char *name;
  bool is_dir;
  int tree;
};

#define MAX_HIDDEN 16

static void
close_hidden (struct hidden *h, size_t n)
{
  for (size_t i = 0; i < n; i++)
    close_fd (&h[i].tree);
}

/* Clone a cover for each of H from the tiny tmpfs EMPTY, for kernels
 * that clone no detached mount (before 6.15; Debian 12's 6.1): EMPTY is
 * stacked over DIR for a moment (*STACKED says so), the covers are cloned
 * from there, and hide_all takes it off again. */
static int
clone_covers_stacked (int *empty, const char *dir, struct hidden *h, size_t n,
                      bool *stacked, cordon_error_t *err)
{
  if (move_mount (*empty, "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return fail_errno (err, "masked paths: stack an empty tmpfs on %s", dir);
  *stacked = true;
  for (size_t i = 0; i < n; i++)
    {
      const char *name = h[i].is_dir ? "dir" : "empty";
      char cover[4096];
      path_under (cover, sizeof cover, dir, name);
      h[i].tree = open_tree (AT_FDCWD, cover, OPEN_TREE_CLONE
                                              | OPEN_TREE_CLOEXEC);
      if (h[i].tree < 0)
        return fail_errno (err, "masked paths: clone %s", cover);
    }
  return 0;
}

/* Clone a cover for each of H straight from SOURCE, a detached mount
 * (Linux 6.15 and later): no copy of it to drop, whose release would wait
 * for an RCU grace period.  0 when done; 1, with nothing cloned, where the
 * kernel clones no detached mount (EINVAL); -1 on another failure. */
static int
clone_covers_from (int source, struct hidden *h, size_t n,
                   cordon_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    {
      const char *name = h[i].is_dir ? "dir" : "empty";
      h[i].tree = open_tree (source, name, OPEN_TREE_CLONE
                                           | OPEN_TREE_CLOEXEC);
      if (h[i].tree >= 0)
        continue;
      if (errno == EINVAL && i == 0)
        return 1;
      return fail_errno (err, "masked paths: clone %s", name);
    }
  return 0;
}

/* Cover each of NAMES under DIR with an empty read-only directory or
 * file, cloned from SOURCE (or from one tiny tmpfs). */
static int
hide_all (const struct jail_options *opts, const char *dir,
          const char *const *names, int source, cordon_error_t *err)
{
  struct hidden h[MAX_HIDDEN];
  char path[4096];
  size_t n = 0;
  for (; *names && n < MAX_HIDDEN; names++)
    {
      struct stat st;
      path_under (path, sizeof path, dir, *names);
      if (lstat (path, &st) < 0)
        {
          if (errno == ENOENT)
            continue;
          return fail_errno (err, "masked paths: %s", path);
        }
      h[n].name = *names;
      h[n].is_dir = S_ISDIR (st.st_mode);
      h[n].tree = -1;
      n++;
    }
  if (n == 0)
    return 0;

  int r = source < 0 ? 1 : clone_covers_from (source, h, n, err);
  if (r == 1)
    {
      /* Linux before 6.15 clones no detached mount: a tiny tmpfs of its
       * own, stacked on DIR for the clones and taken off again. */
      int empty = make_empty (err);
      if (empty < 0)
        return -1;
      bool stacked = false;
      r = clone_covers_stacked (&empty, dir, h, n, &stacked, err);
      close_fd (&empty);
      if (stacked && umount2 (dir, MNT_DETACH) < 0 && r == 0)
        r = fail_errno (err, "masked paths: unstack the empty tmpfs from %s",
                        dir);
    }
  for (size_t i = 0; r == 0 && i < n; i++)
    {
      path_under (path, sizeof path, dir, h[i].name);
      say (opts, "mask %s", path);
      r = attach_on (&h[i].tree, path, err, "mask");
    }
  close_hidden (h, n);
  return r;
}

static int
make_readonly (const struct jail_options *opts, const char *path,
               cordon_error_t *err)
{
  int tree = mounts_clone_tree (AT_FDCWD, path, AT_RECURSIVE
                                | AT_SYMLINK_NOFOLLOW, READONLY_ATTRS);
  if (tree < 0)
    return errno == ENOENT ? 0 : fail_errno (err, "masked paths: make %s "
                                             "read-only", path);
  say (opts, "read-only %s", path);
  return attach_on (&tree, path, err, "make read-only");
}

static int
readonly_all (const struct jail_options *opts, const char *dir,
              const char *const *names, cordon_error_t *err)
{
  for (; *names; names++)
    {
      char path[4096];
      path_under (path, sizeof path, dir, *names);
      if (make_readonly (opts, path, err) < 0)
        return -1;
    }
  return 0;
}

/* A bind of the host's /sys, however its source was spelled ("/sys/.", a
 * symlink, /proc/self/root/sys): judged by what is mounted at its
 * destination now, a sysfs, whose root has the names masked (the jail has
 * no sysfs of its own: cordon mounts none). */
static bool
is_host_sys (const struct fs_entry *e)
{
  struct statfs sf;
  return e->kind == FS_BIND && statfs (e->dest, &sf) == 0
         && (unsigned long) sf.f_type == SYSFS_MAGIC;
}

int
masks_apply (const struct jail_spec *spec, const struct jail_options *opts,
             int empty, cordon_error_t *err)
{
  if (!spec->mask_paths)
    return 0;
  int r = 0;
  for (size_t i = 0; r == 0 && i < spec->n_entries; i++)
    {
      const struct fs_entry *e = &spec->entries[i];
      /* The masked paths are built in 4096 bytes: a longer one cut short
       * would leave its file unmasked, without a word. */
      if ((e->kind == FS_PROC || e->kind == FS_BIND)
          && strlen (e->dest) + sizeof "/devices/virtual/powercap" > 4096)
        {
          if (e->kind == FS_PROC || is_host_sys (e))
            r = cordon_fail (err, ENAMETOOLONG, "masked paths: under %.64s..."
                             " (%zu bytes)", e->dest, strlen (e->dest));
          continue;
        }
      if (e->kind == FS_PROC)
        r = hide_all (opts, e->dest, proc_hidden, empty, err) < 0
            || readonly_all (opts, e->dest, proc_readonly, err) < 0
              ? -1 : 0;
      else if (is_host_sys (e))
        r = hide_all (opts, e->dest, sys_hidden, empty, err);
    }
  return r;
}

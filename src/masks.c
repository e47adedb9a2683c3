/* masks.c — masked and read-only kernel files in the jail's /proc and /sys.
 *
 * Applies to every proc mount of the spec, and to binds of the host's
 * /sys (whatever their source's spelling: what is mounted decides).
 * Hidden paths get an empty read-only directory or an empty mode-0 file,
 * cloned from the ones mounts.c made in its staging tmpfs; read-only paths
 * get a read-only bind of themselves.  Paths this kernel does not have are
 * skipped.  Runs before the pivot, with every path resolved under the new
 * root (RESOLVE_IN_ROOT): the covers are in place before the host's tree
 * is dropped, and go with the jail, so nothing is left to drop on its own
 * (a detached mount's release waits for an RCU grace period). */
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

/* TREE moved onto TARGET (an O_PATH fd); both closed. */
static int
attach_on (int *tree, int *target, const char *path, cordon_error_t *err,
           const char *how)
{
  int r = move_mount (*tree, "", *target, "",
                      MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  int e = errno;
  close_fd (tree);
  close_fd (target);
  if (r < 0)
    return cordon_fail (err, e, "masked paths: %s %s", how, path);
  return 0;
}

/* Cover each of NAMES under DIR that exists: hidden behind a read-only
 * clone of COVERS' empty directory "dir" or empty mode-0 file "empty", or,
 * with COVERS -1, made read-only by a read-only clone of itself. */
static int
cover_all (const struct jail_options *opts, int root, int covers,
           const char *dir, const char *const *names, cordon_error_t *err)
{
  bool hide = covers >= 0;
  for (; *names; names++)
    {
      char path[4096];
      path_under (path, sizeof path, dir, *names);
      cleanup_fd int target = mounts_open_in_root (root, path, O_NOFOLLOW);
      struct stat st = { 0 };
      if (target < 0 && errno == ENOENT)
        continue;
      if (target < 0 || (hide && fstat (target, &st) < 0))
        return fail_errno (err, "masked paths: %s", path);
      bool is_dir = S_ISDIR (st.st_mode);
      cleanup_fd int tree = hide
        ? mounts_clone_tree (covers, is_dir ? "dir" : "empty", 0,
                             READONLY_ATTRS)
        : mounts_clone_tree (target, "", AT_EMPTY_PATH | AT_RECURSIVE,
                             READONLY_ATTRS);
      if (tree < 0 && hide)
        return fail_errno (err, "masked paths: clone the empty %s",
                           is_dir ? "directory" : "file");
      if (tree < 0)
        return fail_errno (err, "masked paths: make %s read-only", path);
      say (opts, "%s %s", hide ? "mask" : "read-only", path);
      if (attach_on (&tree, &target, path, err,
                     hide ? "mask" : "make read-only") < 0)
        return -1;
    }
  return 0;
}

/* A bind of the host's /sys, however its source was spelled ("/sys/.", a
 * symlink, /proc/self/root/sys): judged by what is mounted at its
 * destination now, a sysfs, whose root has the names masked (the jail has
 * no sysfs of its own: cordon mounts none). */
static bool
is_host_sys (int root, const struct fs_entry *e)
{
  if (e->kind != FS_BIND)
    return false;
  cleanup_fd int dest = mounts_open_in_root (root, e->dest, 0);
  struct statfs sf;
  return dest >= 0 && fstatfs (dest, &sf) == 0
         && (unsigned long) sf.f_type == SYSFS_MAGIC;
}

int
masks_apply (const struct jail_spec *spec, const struct jail_options *opts,
             int root, int covers, cordon_error_t *err)
{
  int r = 0;
  for (size_t i = 0; r == 0 && i < spec->n_entries; i++)
    {
      const struct fs_entry *e = &spec->entries[i];
      /* The masked paths are built in 4096 bytes: a longer one cut short
       * would leave its file unmasked, without a word. */
      if ((e->kind == FS_PROC || e->kind == FS_BIND)
          && strlen (e->dest) + sizeof "/devices/virtual/powercap" > 4096)
        {
          if (e->kind == FS_PROC || is_host_sys (root, e))
            r = cordon_fail (err, ENAMETOOLONG, "masked paths: under %.64s..."
                             " (%zu bytes)", e->dest, strlen (e->dest));
          continue;
        }
      if (e->kind == FS_PROC)
        r = cover_all (opts, root, covers, e->dest, proc_hidden, err) < 0
            || cover_all (opts, root, -1, e->dest, proc_readonly, err) < 0
              ? -1 : 0;
      else if (is_host_sys (root, e))
        r = cover_all (opts, root, covers, e->dest, sys_hidden, err);
    }
  return r;
}

/* mounts.c — the jail's root filesystem.
 *
 * In the child's private mount namespace: "/" is made private, a staging
 * tmpfs is mounted on /tmp and pivoted into, so that the host's tree stays
 * reachable, unshadowed, at /oldroot while the new root is assembled at
 * /newroot.  The build runs chrooted in /oldroot, so that sources, host
 * paths, resolve as the host would resolve them (absolute symlinks and ".."
 * included) with one system call; the staging tmpfs is reached through its
 * fd.  Destinations are resolved under /newroot with RESOLVE_IN_ROOT, so a
 * symlink planted in a writable source cannot send a mount (or a created
 * file) outside the jail.  The masks (masks.c) go on last, the same way.
 * A final pivot_root into /newroot and a lazy unmount drop the staging
 * tmpfs and the host together: afterwards only what the profile mounted
 * is reachable. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "masks.h"
#include "mounts.h"
#include "util.h"

/* In the staging tmpfs: where the host's tree and the new root sit. */
#define HOST_DIR "oldroot"
#define NEW_DIR "newroot"
#define STAGING_HOST_ROOT "/" HOST_DIR
#define STAGING_NEW_ROOT "/" NEW_DIR

struct build
{
  const struct jail_spec *spec;
  const struct jail_options *opts;
  bool in_userns;
  int staging;          /* O_PATH: the staging tmpfs (we are chrooted in
                           the host's tree at its /oldroot) */
  int root;             /* O_PATH: the topmost mount on the new "/" */
  bool root_is_ours;    /* the new "/" is still cordon's tmpfs */
  unsigned serial;      /* names scratch files in the staging tmpfs */
  /* The parent directory the last entry went into, kept open for the next
   * ones (a profile may bind hundreds of trees side by side): valid until
   * a mount lands on something that existed before, which might be it or
   * one of its ancestors; a mount on a directory just created covers
   * nothing else. */
  int parent;           /* O_PATH, or -1 */
  char parent_path[PATH_MAX];
};

/* One fsconfig() parameter: a string, a file descriptor or a flag. */
struct fs_param
{
  const char *key;
  const char *value;    /* NULL with fd < 0: a flag */
  int fd;
};

int
mounts_open_in_root (int root, const char *path, int flags)
{
  struct open_how how = { .flags = (uint64_t) (O_PATH | O_CLOEXEC | flags),
                          .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  return (int) syscall (SYS_openat2, root, path, &how, sizeof how);
}

/* A destination, inside the jail: "/" and ".." stop at the new root. */
static int
open_in_jail (struct build *b, const char *dest, int flags)
{
  return mounts_open_in_root (b->root, dest, flags);
}

/* A source: a host path (see the header: the build's root is the host's). */
static int
open_on_host (const char *source, int flags)
{
  return open (source, O_PATH | O_CLOEXEC | flags);
}

static int
fail_at (const struct fs_entry *e, cordon_error_t *err)
{
  if (e != NULL && e->origin.file != NULL && e->origin.line > 0)
    cordon_error_wrap (err, "%s:%d", e->origin.file, e->origin.line);
  return -1;
}

/* Split "/a/b/c" into "/a/b" and "c". */
static int
split_dest (const char *dest, char *parent, size_t size, const char **name,
            cordon_error_t *err)
{
  const char *slash = strrchr (dest, '/');
  if (slash == NULL || slash[1] == '\0' || strlen (dest) >= size)
    return cordon_fail (err, EINVAL, "%s", dest);
  size_t n = (size_t) (slash - dest);
  memcpy (parent, dest, n);
  parent[n] = '\0';
  if (n == 0)
    strcpy (parent, "/");
  *name = slash + 1;
  return 0;
}

/* NAME in PARENT, PATH in the jail, met where a directory or a mount point
 * must be: when it is a symlink whose target is not in the jail (an earlier
 * symlink entry, or one in a bound tree), say exactly that and return -1;
 * else return 0 and leave ERR alone. */
static int
fail_dangling_symlink (int parent, const char *name, const char *path,
                       cordon_error_t *err)
{
  char target[PATH_MAX];
  ssize_t n = readlinkat (parent, name, target, sizeof target - 1);
  if (n < 0)
    return 0;
  target[n] = '\0';
  return cordon_fail (err, 0, "destination %s is a symlink to %s, which is "
                      "not in the jail; refused", path, target);
}

/* mkdir -p inside the jail (0755); returns an O_PATH fd of PATH.  Each
 * prefix is resolved from the new root again, so a symlink met on the way
 * is followed inside the jail, never out of it. */
static int
make_dirs (struct build *b, const char *path, cordon_error_t *err)
{
  int fd = open_in_jail (b, path, O_DIRECTORY);
  if (fd >= 0 || errno != ENOENT)
    return fd >= 0 ? fd : fail_errno (err, "open %s", path);

  char buf[PATH_MAX];
  if (strlen (path) >= sizeof buf)
    return cordon_fail (err, ENAMETOOLONG, "%s", path);
  strcpy (buf, path);
  int parent = open_in_jail (b, "/", O_DIRECTORY);
  if (parent < 0)
    return fail_errno (err, "open /");
  char *p = buf;
  while (*p == '/')
    p++;
  while (*p != '\0')
    {
      char *end = strchrnul (p, '/');
      char saved = *end;
      *end = '\0';
      fd = open_in_jail (b, buf, O_DIRECTORY);
      if (fd < 0 && errno == ENOENT)
        {
          /* EEXIST here is a dangling symlink: say that, not ENOENT. */
          if (mkdirat (parent, p, 0755) < 0)
            {
              int e = errno;
              if (e != EEXIST
                  || fail_dangling_symlink (parent, p, buf, err) == 0)
                cordon_fail (err, e, "mkdir %s", buf);
              close_fd (&parent);
              return -1;
            }
          fd = open_in_jail (b, buf, O_DIRECTORY);
        }
      if (fd < 0)
        {
          close_fd (&parent);
          return fail_errno (err, "open %s", buf);
        }
      close_fd (&parent);
      parent = fd;
      *end = saved;
      p = end;
      while (*p == '/')
        p++;
    }
  return parent;
}

static void
forget_parent (struct build *b)
{
  close_fd (&b->parent);
  b->parent_path[0] = '\0';
}

/* The parent directory of DEST in the jail, made as needed: an O_PATH fd
 * (see make_dirs) that stays the build's (do not close it), with *NAME
 * pointing at DEST's last component. */
static int
open_parent (struct build *b, const char *dest, const char **name,
             cordon_error_t *err)
{
  char parent[PATH_MAX];
  if (split_dest (dest, parent, sizeof parent, name, err) < 0)
    return -1;
  if (b->parent >= 0 && strcmp (parent, b->parent_path) == 0)
    return b->parent;
  forget_parent (b);
  b->parent = make_dirs (b, parent, err);
  if (b->parent >= 0)
    strcpy (b->parent_path, parent);
  return b->parent;
}

int
mounts_set_attrs (int tree, uint64_t attrs, bool recursive)
{
  struct mount_attr attr = { .attr_set = attrs };
  return mount_setattr (tree, "", AT_EMPTY_PATH
                        | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr);
}

#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467    /* the same on every architecture */
#endif

int
mounts_clone_tree (int dirfd, const char *path, unsigned flags,
                   uint64_t attrs)
{
  static bool no_open_tree_attr;
  flags |= OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
  struct mount_attr attr = { .attr_set = attrs };
  if (!no_open_tree_attr && attrs != 0)
    {
      int tree = (int) syscall (SYS_open_tree_attr, dirfd, path, flags, &attr,
                                sizeof attr);
      if (tree >= 0 || (errno != ENOSYS && errno != EPERM))
        return tree;
      no_open_tree_attr = true;
    }
  int tree = open_tree (dirfd, path, flags);
  if (tree >= 0 && attrs != 0
      && mounts_set_attrs (tree, attrs, (flags & AT_RECURSIVE) != 0) < 0)
    {
      int e = errno;
      close_fd (&tree);
      errno = e;
    }
  return tree;
}

/* Move TREE onto DEST's existing file or directory (or whatever a symlink
 * there leads to, inside the jail). */
static int
move_onto_existing (struct build *b, int tree, const char *dest)
{
  int target = open_in_jail (b, dest, 0);
  if (target < 0)
    return -1;
  int r = move_mount (tree, "", target, "",
                      MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  int e = errno;
  close_fd (&target);
  errno = e;
  return r;
}

/* The mount point NAME, just made in PARENT as a directory (DIR) or a
 * file, did not take TREE: when TREE is of the other kind, make NAME so
 * instead.  Returns 1 when it did, 0 when the kinds agree, -1 on failure. */
static int
remake_mount_point (int tree, int parent, const char *name, bool dir)
{
  struct stat st;
  if (fstat (tree, &st) < 0 || S_ISDIR (st.st_mode) == dir)
    return 0;
  if (unlinkat (parent, name, dir ? AT_REMOVEDIR : 0) < 0)
    return -1;
  return (dir ? mknodat (parent, name, S_IFREG | 0644, 0)
              : mkdirat (parent, name, 0755)) < 0 ? -1 : 1;
}

/* Attach the detached mount TREE on the jail's DEST and close TREE.  The
 * mount point is made (a directory, or an empty file) in DEST's parent,
 * and its parents too, when DEST does not exist yet.  DIR may be a guess
 * (a bind's source): a mount point of the wrong kind is made again. */
static int
attach (struct build *b, int *tree, const char *what, const char *dest,
        bool dir, cordon_error_t *err)
{
  bool on_root = strcmp (dest, "/") == 0;
  int r;
  if (on_root)
    r = move_onto_existing (b, *tree, dest);
  else
    {
      const char *name;
      int parent = open_parent (b, dest, &name, err);
      if (parent < 0)
        {
          close_fd (tree);
          return -1;
        }
      r = dir ? mkdirat (parent, name, 0755)
              : mknodat (parent, name, S_IFREG | 0644, 0);
      if (r == 0)
        {
          /* ours, just made: no symlink to follow, nothing else under it */
          r = move_mount (*tree, "", parent, name, MOVE_MOUNT_F_EMPTY_PATH);
          if (r < 0 && errno == EINVAL)
            {
              int remade = remake_mount_point (*tree, parent, name, dir);
              if (remade > 0)
                r = move_mount (*tree, "", parent, name,
                                MOVE_MOUNT_F_EMPTY_PATH);
              else if (remade == 0)
                errno = EINVAL;
            }
        }
      else if (errno == EEXIST)
        {
          r = move_onto_existing (b, *tree, dest);
          if (r < 0 && errno == ENOENT
              && fail_dangling_symlink (parent, name, dest, err) < 0)
            {
              forget_parent (b);
              close_fd (tree);
              return -1;
            }
          int e = errno;
          forget_parent (b);      /* the mount may cover it */
          errno = e;
        }
      else
        {
          int e = errno;
          close_fd (tree);
          return cordon_fail (err, e, "create mount point %s", dest);
        }
    }
  int e = errno;
  close_fd (tree);
  if (r < 0)
    return cordon_fail (err, e, "mount %s on %s", what, dest);

  /* A mount on "/" covers the root we resolve from: use the new top. */
  if (on_root)
    {
      forget_parent (b);
      close_fd (&b->root);
      b->root_is_ours = false;
      b->root = openat (b->staging, NEW_DIR, O_PATH | O_DIRECTORY
                                             | O_CLOEXEC);
      if (b->root < 0)
        return fail_errno (err, "open %s", STAGING_NEW_ROOT);
    }
  return 0;
}

/* The kernel's own words about a failed fsconfig(), when it left some. */
static void
kernel_message (int fs, char *buf, size_t size)
{
  buf[0] = '\0';
  char msg[512];
  ssize_t n = read (fs, msg, sizeof msg - 1);
  if (n <= 2)
    return;
  msg[n] = '\0';
  msg[strcspn (msg, "\n")] = '\0';
  /* "e overlay: ..." — drop the severity letter. */
  snprintf (buf, size, " (%s)", msg + 2);
}

/* A new detached mount of FSTYPE configured with PARAMS. */
static int
make_fs (const char *fstype, const struct fs_param *params, size_t n,
         uint64_t attrs, const char *dest, cordon_error_t *err)
{
  int fs = fsopen (fstype, FSOPEN_CLOEXEC);
  if (fs < 0)
    return fail_errno (err, "mount %s on %s: fsopen", fstype, dest);
  int r = 0;
  for (size_t i = 0; i < n && r == 0; i++)
    {
      const struct fs_param *p = &params[i];
      if (p->fd >= 0)
        r = fsconfig (fs, FSCONFIG_SET_FD, p->key, NULL, p->fd);
      else if (p->value != NULL)
        r = fsconfig (fs, FSCONFIG_SET_STRING, p->key, p->value, 0);
      else
        r = fsconfig (fs, FSCONFIG_SET_FLAG, p->key, NULL, 0);
    }
  if (r == 0)
    r = fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
  int mnt = r == 0 ? fsmount (fs, FSMOUNT_CLOEXEC, (unsigned) attrs) : -1;
  if (mnt < 0)
    {
      int e = errno;
      char why[520];
      kernel_message (fs, why, sizeof why);
      close_fd (&fs);
      return cordon_fail (err, e, "mount %s on %s%s", fstype, dest, why);
    }
  close_fd (&fs);
  return mnt;
}

static int
make_tmpfs (uint64_t size, mode_t mode, uint64_t attrs, const char *dest,
            cordon_error_t *err)
{
  char size_s[32], mode_s[16];
  snprintf (size_s, sizeof size_s, "%llu", (unsigned long long) size);
  snprintf (mode_s, sizeof mode_s, "%04o", (unsigned) mode);
  struct fs_param params[] = {
    { "mode", mode_s, -1 },
    { "size", size_s, -1 },
  };
  return make_fs ("tmpfs", params, size > 0 ? 2 : 1, attrs, dest, err);
}

/* A mount meant writable that the kernel made read-only all the same: a
 * bind keeps its source mount's read-only flag, and an overlay whose upper
 * or work directory the mounter cannot write falls back to read-only
 * (every write would then fail with EROFS). */
static bool
came_out_readonly (int mnt)
{
  struct statvfs sv;
  return fstatvfs (mnt, &sv) == 0 && (sv.f_flag & ST_RDONLY) != 0;
}

/* The host uid that ID, a uid of our user namespace, is: what the host's
 * permission checks see of the jail's files (ID itself outside one). */
static unsigned long
host_uid (uid_t id)
{
  unsigned long inside, outside, count, host = id;
  FILE *f = fopen ("/proc/self/uid_map", "re");
  if (f == NULL)
    return host;
  while (fscanf (f, "%lu %lu %lu", &inside, &outside, &count) == 3)
    if (id >= inside && id - inside < count)
      {
        host = outside + (id - inside);
        break;
      }
  fclose (f);
  return host;
}

/* The overlay on E->dest came out read-only: say which of upper and work
 * the jail's host id cannot write (the usual cause), else both. */
static int
fail_readonly_overlay (const struct build *b, const struct fs_entry *e,
                       int upper, int work, cordon_error_t *err)
{
  bool up = faccessat (upper, "", W_OK | X_OK, AT_EACCESS | AT_EMPTY_PATH) < 0;
  bool wk = faccessat (work, "", W_OK | X_OK, AT_EACCESS | AT_EMPTY_PATH) < 0;
  char dirs[2 * PATH_MAX + 64];
  if (up == wk)
    snprintf (dirs, sizeof dirs, "upper %s and work %s", e->upper, e->work);
  else
    snprintf (dirs, sizeof dirs, "%s %s", up ? "upper" : "work",
              up ? e->upper : e->work);
  return cordon_fail (err, EROFS, "mount overlay on %s: the kernel made it "
                      "read-only: %s must be writable by host uid %lu (the "
                      "jail's uid %lu)", e->dest, dirs, host_uid (b->spec->uid),
                      (unsigned long) b->spec->uid);
}

/* One call clones the source by its host path; the mount point is made
 * as a directory first, as most sources are (see attach). */
static int
apply_bind (struct build *b, const struct fs_entry *e, cordon_error_t *err)
{
  const char *how = e->writable ? "rw" : "ro";
  uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
                   | (e->writable ? 0 : MOUNT_ATTR_RDONLY);
  int tree = mounts_clone_tree (AT_FDCWD, e->source, AT_RECURSIVE, attrs);
  if (tree < 0 && errno == ENOENT && e->optional)
    {
      say (b->opts, "skip bind %s on %s: the source does not exist",
           e->source, e->dest);
      return 0;
    }
  if (tree < 0)
    return fail_errno (err, "mount %s on %s (%s,nosuid,nodev)", e->source,
                       e->dest, how);
  if (e->writable && came_out_readonly (tree))
    {
      close_fd (&tree);
      return cordon_fail (err, EROFS, "mount %s on %s (rw): the source is on "
                          "a read-only mount of the host", e->source, e->dest);
    }
  say (b->opts, "mount bind %s on %s (%s)", e->source, e->dest, how);
  return attach (b, &tree, e->source, e->dest, true, err);
}

static int
apply_tmpfs (struct build *b, const struct fs_entry *e, cordon_error_t *err)
{
  mode_t mode = e->has_mode ? e->mode : 0755;
  char size_note[40] = "";
  if (e->size)
    snprintf (size_note, sizeof size_note, ", size %llu",
              (unsigned long long) e->size);
  say (b->opts, "mount tmpfs on %s (mode %04o%s)", e->dest, (unsigned) mode,
       size_note);
  /* Writes past the size fail with ENOSPC; size 0 is the kernel's default. */
  int mnt = make_tmpfs (e->size, mode, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                        e->dest, err);
  if (mnt < 0)
    return -1;
  return attach (b, &mnt, "tmpfs", e->dest, true, err);
}

static int
apply_proc (struct build *b, const struct fs_entry *e, cordon_error_t *err)
{
  say (b->opts, "mount proc on %s", e->dest);
  int mnt = make_fs ("proc", NULL, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
                     | MOUNT_ATTR_NOEXEC, e->dest, err);
  if (mnt < 0)
    return -1;
  return attach (b, &mnt, "proc", e->dest, true, err);
}

/* A scratch directory pair upper/work on a fresh tmpfs in the staging area,
 * for an overlay without an upper: its writes vanish with the jail. */
static int
scratch_upper (struct build *b, const struct fs_entry *e, int *upper,
               int *work, cordon_error_t *err)
{
  char dir[32];
  snprintf (dir, sizeof dir, "ovl.%u", b->serial++);
  if (mkdirat (b->staging, dir, 0700) < 0)
    return fail_errno (err, "mkdir /%s (staging)", dir);
  int mnt = make_tmpfs (e->size, 0755, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                        e->dest, err);
  if (mnt < 0)
    return -1;
  int r = move_mount (mnt, "", b->staging, dir, MOVE_MOUNT_F_EMPTY_PATH);
  close_fd (&mnt);
  if (r < 0)
    return fail_errno (err, "mount tmpfs on /%s (staging)", dir);
  char path[48];
  snprintf (path, sizeof path, "%s/upper", dir);
  if (mkdirat (b->staging, path, 0755) < 0
      || (*upper = openat (b->staging, path, O_PATH | O_CLOEXEC)) < 0)
    return fail_errno (err, "mkdir /%s (staging)", path);
  snprintf (path, sizeof path, "%s/work", dir);
  if (mkdirat (b->staging, path, 0755) < 0
      || (*work = openat (b->staging, path, O_PATH | O_CLOEXEC)) < 0)
    return fail_errno (err, "mkdir /%s (staging)", path);
  return 0;
}

static int
apply_overlay (struct build *b, const struct fs_entry *e, cordon_error_t *err)
{
  size_t n = 0, cap = e->n_lower + 3;
  struct fs_param *params = calloc (cap, sizeof *params);
  if (params == NULL)
    return cordon_fail (err, ENOMEM, "mount overlay on %s", e->dest);
  int upper = -1, work = -1, ret = -1;

  for (size_t i = 0; i < e->n_lower; i++)
    {
      int fd = open_on_host (e->lower[i], O_DIRECTORY);
      if (fd < 0)
        {
          if (errno == ENOENT && e->optional)
            {
              say (b->opts, "skip overlay on %s: %s does not exist", e->dest,
                   e->lower[i]);
              ret = 0;
            }
          else
            fail_errno (err, "mount overlay on %s: lower %s", e->dest,
                        e->lower[i]);
          goto out;
        }
      params[n++] = (struct fs_param) { "lowerdir+", NULL, fd };
    }
  if (e->upper != NULL)
    {
      upper = open_on_host (e->upper, O_DIRECTORY);
      if (upper < 0)
        {
          fail_errno (err, "mount overlay on %s: upper %s", e->dest, e->upper);
          goto out;
        }
      work = open_on_host (e->work, O_DIRECTORY);
      if (work < 0)
        {
          fail_errno (err, "mount overlay on %s: work %s", e->dest, e->work);
          goto out;
        }
    }
  else if (scratch_upper (b, e, &upper, &work, err) < 0)
    goto out;
  params[n++] = (struct fs_param) { "upperdir", NULL, upper };
  params[n++] = (struct fs_param) { "workdir", NULL, work };
  /* Inside a user namespace overlayfs cannot use trusted.* xattrs. */
  struct fs_param userxattr = { "userxattr", NULL, -1 };

  bool ro = e->upper == NULL && !e->writable;
  say (b->opts, "mount overlay on %s (%s)", e->dest, ro ? "ro" : "rw");
  struct fs_param *all = params;
  if (b->in_userns)
    {
      all = calloc (n + 1, sizeof *all);
      if (all == NULL)
        {
          cordon_fail (err, ENOMEM, "mount overlay on %s", e->dest);
          goto out;
        }
      memcpy (all, params, n * sizeof *all);
      all[n] = userxattr;
    }
  int mnt = make_fs ("overlay", all, n + (b->in_userns ? 1 : 0),
                     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
                     | (ro ? MOUNT_ATTR_RDONLY : 0), e->dest, err);
  if (all != params)
    free (all);
  if (mnt >= 0 && !ro && came_out_readonly (mnt))
    {
      close_fd (&mnt);
      fail_readonly_overlay (b, e, upper, work, err);
    }
  if (mnt >= 0)
    ret = attach (b, &mnt, "overlay", e->dest, true, err);

out:
  for (size_t i = 0; i < n; i++)
    if (params[i].fd != upper && params[i].fd != work)
      close_fd (&params[i].fd);
  close_fd (&upper);
  close_fd (&work);
  free (params);
  return ret;
}

/* Bind the host's device node /dev/NAME (HOST_DEV: the host's /dev) on
 * DEVFD/NAME (mknod is not possible in a user namespace).  A node, never a
 * symlink to follow; a node the host lacks is left out. */
static int
bind_device (int host_dev, int devfd, const char *name, const char *dest,
             cordon_error_t *err)
{
  int tree = mounts_clone_tree (host_dev, name, AT_SYMLINK_NOFOLLOW, 0);
  if (tree < 0)
    return errno == ENOENT ? 0 : cordon_fail (err, errno,
                                              "mount /dev/%s on %s/%s", name,
                                              dest, name);
  /* the fresh /dev tmpfs is ours: no symlink can be in the way */
  int r = mknodat (devfd, name, S_IFREG | 0666, 0);
  if (r == 0)
    r = move_mount (tree, "", devfd, name, MOVE_MOUNT_F_EMPTY_PATH);
  int e = errno;
  close_fd (&tree);
  return r < 0 ? cordon_fail (err, e, "mount /dev/%s on %s/%s", name, dest,
                              name)
               : 0;
}

static int
mount_in_dev (int devfd, const char *name, mode_t mode, int *mnt,
              const char *what, const char *dest, cordon_error_t *err)
{
  int r = mkdirat (devfd, name, mode);
  if (r == 0)
    r = move_mount (*mnt, "", devfd, name, MOVE_MOUNT_F_EMPTY_PATH);
  int e = errno;
  close_fd (mnt);
  return r < 0 ? cordon_fail (err, e, "mount %s on %s/%s", what, dest, name)
               : 0;
}

/* /dev/shm: a directory of the /dev tmpfs (bubblewrap's is one too),
 * bound on itself for flags of its own (nosuid, nodev, exec allowed as
 * before); not a tmpfs of its own, which the kernel would make now and
 * free after the jail. */
static int
make_shm (int devfd, const char *dest, cordon_error_t *err)
{
  if (mkdirat (devfd, "shm", 01777) < 0)
    return fail_errno (err, "mkdir %s/shm", dest);
  int tree = open_tree (devfd, "shm", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  struct mount_attr attr = {
    .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
    .attr_clr = MOUNT_ATTR_NOEXEC,
  };
  int r = tree < 0 ? -1 : mount_setattr (tree, "", AT_EMPTY_PATH, &attr,
                                          sizeof attr);
  if (r == 0)
    r = move_mount (tree, "", devfd, "shm", MOVE_MOUNT_F_EMPTY_PATH);
  int e = errno;
  close_fd (&tree);
  return r < 0 ? cordon_fail (err, e, "mount %s/shm (bind, exec)", dest) : 0;
}

static int
apply_dev (struct build *b, const struct fs_entry *e, cordon_error_t *err)
{
  static const char *const nodes[] = { "null", "zero", "full", "random",
                                       "urandom", "tty" };
  static const char *const links[][2] = {
    { "ptmx", "pts/ptmx" }, { "fd", "/proc/self/fd" },
    { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
    { "stderr", "/proc/self/fd/2" },
  };
  say (b->opts, "mount dev on %s", e->dest);
  int mnt = make_tmpfs (0, 0755, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
                        e->dest, err);
  if (mnt < 0 || attach (b, &mnt, "tmpfs", e->dest, true, err) < 0)
    return -1;
  int devfd = open_in_jail (b, e->dest, O_DIRECTORY);
  if (devfd < 0)
    return fail_errno (err, "open %s", e->dest);

  int host_dev = open_on_host ("/dev", O_DIRECTORY);
  int r = host_dev < 0 ? fail_errno (err, "open /dev") : 0;
  for (size_t i = 0; r == 0 && i < sizeof nodes / sizeof *nodes; i++)
    r = bind_device (host_dev, devfd, nodes[i], e->dest, err);
  close_fd (&host_dev);

  /* Every devpts mount is a new instance since Linux 4.7. */
  struct fs_param pts[] = {
    { "ptmxmode", "0666", -1 }, { "mode", "0620", -1 },
  };
  if (r == 0)
    {
      mnt = make_fs ("devpts", pts, 2, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
                     e->dest, err);
      r = mnt < 0 ? -1 : mount_in_dev (devfd, "pts", 0755, &mnt, "devpts",
                                        e->dest, err);
    }
  if (r == 0)
    r = make_shm (devfd, e->dest, err);
  for (size_t i = 0; r == 0 && i < sizeof links / sizeof *links; i++)
    if (symlinkat (links[i][1], devfd, links[i][0]) < 0)
      r = fail_errno (err, "symlink %s/%s -> %s", e->dest, links[i][0],
                      links[i][1]);
  close_fd (&devfd);
  return r;
}

static int
apply_symlink (struct build *b, const struct fs_entry *e, cordon_error_t *err)
{
  const char *name;
  say (b->opts, "symlink %s -> %s", e->dest, e->target);
  int pfd = open_parent (b, e->dest, &name, err);
  if (pfd < 0)
    return -1;
  int r = symlinkat (e->target, pfd, name);
  return r < 0 ? fail_errno (err, "symlink %s -> %s", e->dest, e->target) : 0;
}

static int
apply_dir (struct build *b, const struct fs_entry *e, cordon_error_t *err)
{
  mode_t mode = e->has_mode ? e->mode : 0755;
  say (b->opts, "dir %s (mode %04o)", e->dest, (unsigned) mode);
  if (strcmp (e->dest, "/") == 0)
    return 0;
  const char *name;
  int pfd = open_parent (b, e->dest, &name, err);
  if (pfd < 0)
    return -1;
  int r = mkdirat (pfd, name, mode);
  if (r < 0 && errno == EEXIST)
    {
      /* Already there (e.g. in a bound tree): fine if it is a directory. */
      int fd = openat (pfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
      r = fd < 0 ? -1 : 0;
      close_fd (&fd);
    }
  return r < 0 ? fail_errno (err, "mkdir %s", e->dest) : 0;
}

/* Create FILE's content as a new file NAME in directory DIRFD. */
static int
create_file (int dirfd, const char *name, const struct fs_entry *e,
             mode_t mode)
{
  int fd = openat (dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0)
    return -1;
  if (write_all (fd, e->content ? e->content : "", e->content_len) < 0
      || fchmod (fd, mode) < 0)
    {
      close_fd (&fd);
      return -1;
    }
  return close (fd);
}

/* A file that exists already (typically under a read-only bind, e.g. to
 * mask /etc/shadow) is covered by a read-only bind of a new file with the
 * content; a missing one is created. */
static int
apply_file (struct build *b, const struct fs_entry *e, cordon_error_t *err)
{
  mode_t mode = e->has_mode ? e->mode : 0644;
  int existing = open_in_jail (b, e->dest, 0);
  if (existing < 0 && errno != ENOENT)
    return fail_errno (err, "file %s", e->dest);
  if (existing < 0)
    {
      say (b->opts, "file %s (mode %04o)", e->dest, (unsigned) mode);
      const char *name;
      int pfd = open_parent (b, e->dest, &name, err);
      if (pfd < 0)
        return -1;
      int r = create_file (pfd, name, e, mode);
      return r < 0 ? fail_errno (err, "create %s", e->dest) : 0;
    }
  close_fd (&existing);

  say (b->opts, "file %s (mode %04o, bound read-only over the existing one)",
       e->dest, (unsigned) mode);
  char scratch[32];
  snprintf (scratch, sizeof scratch, "file.%u", b->serial++);
  if (create_file (b->staging, scratch, e, mode) < 0)
    return fail_errno (err, "create /%s (staging) for %s", scratch, e->dest);
  int tree = mounts_clone_tree (b->staging, scratch, 0, MOUNT_ATTR_RDONLY
                                | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  if (tree < 0)
    return fail_errno (err, "file %s: bind /%s (staging) read-only", e->dest,
                       scratch);
  return attach (b, &tree, scratch, e->dest, false, err);
}

static int
apply_entry (struct build *b, const struct fs_entry *e, cordon_error_t *err)
{
  switch (e->kind)
    {
    case FS_BIND: return apply_bind (b, e, err);
    case FS_TMPFS: return apply_tmpfs (b, e, err);
    case FS_OVERLAY: return apply_overlay (b, e, err);
    case FS_PROC: return apply_proc (b, e, err);
    case FS_DEV: return apply_dev (b, e, err);
    case FS_SYMLINK: return apply_symlink (b, e, err);
    case FS_DIR: return apply_dir (b, e, err);
    case FS_FILE: return apply_file (b, e, err);
    }
  return cordon_fail (err, EINVAL, "%s: unknown entry kind %d", e->dest,
                      (int) e->kind);
}

/* The first of the usual directories that exists: the staging tmpfs goes
 * on it, in our private mount namespace, so nothing shows on the host. */
static const char *
staging_dir (void)
{
  static const char *const candidates[] = { "/tmp", "/run", "/mnt", "/var/tmp",
                                            "/dev" };
  struct stat st;
  for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++)
    if (stat (candidates[i], &st) == 0 && S_ISDIR (st.st_mode))
      return candidates[i];
  return "/";
}

/* Staging: a tmpfs that becomes "/" with the host's tree at /oldroot. */
static int
enter_staging (cordon_error_t *err)
{
  if (mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
    return fail_errno (err, "make / private");
  const char *dir = staging_dir ();
  if (mount ("cordon", dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
    return fail_errno (err, "mount tmpfs on %s", dir);
  if (chdir (dir) < 0)
    return fail_errno (err, "chdir %s", dir);
  if (mkdir (HOST_DIR, 0700) < 0)
    return fail_errno (err, "mkdir %s/%s", dir, HOST_DIR);
  if (mkdir (NEW_DIR, 0755) < 0)
    return fail_errno (err, "mkdir %s/%s", dir, NEW_DIR);
  if (syscall (SYS_pivot_root, ".", HOST_DIR) < 0)
    return fail_errno (err, "pivot_root to %s", dir);
  if (chdir ("/") < 0)
    return fail_errno (err, "chdir /");
  return 0;
}

/* The new root: cordon's tmpfs, or the profile's root directory bound
 * read-only (cordon never writes into it, so its mount points must exist). */
static int
mount_new_root (struct build *b, cordon_error_t *err)
{
  const char *root = b->spec->root;
  int mnt;
  if (root == NULL)
    {
      /* The staging tmpfs's /newroot bound on itself, as bubblewrap's
       * root is a directory of its base tmpfs: no superblock of its own,
       * which the kernel would make now and free after the jail.  Its
       * siblings (the host's mount point, scratch files) are outside it. */
      say (b->opts, "mount tmpfs on / (ro once built)");
      mnt = mounts_clone_tree (b->staging, NEW_DIR, 0,
                               MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
      if (mnt < 0)
        return fail_errno (err, "mount tmpfs on / (bind %s)",
                           STAGING_NEW_ROOT);
    }
  else
    {
      say (b->opts, "mount bind %s on / (ro)", root);
      int src = open_on_host (root, O_DIRECTORY);
      if (src < 0)
        return fail_errno (err, "root %s", root);
      mnt = mounts_clone_tree (src, "", AT_EMPTY_PATH | AT_RECURSIVE,
                               MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID
                               | MOUNT_ATTR_NODEV);
      int e = errno;
      close_fd (&src);
      if (mnt < 0)
        return cordon_fail (err, e, "mount %s on / (ro,nosuid,nodev)", root);
    }
  int r = move_mount (mnt, "", b->staging, NEW_DIR, MOVE_MOUNT_F_EMPTY_PATH);
  close_fd (&mnt);
  if (r < 0)
    return fail_errno (err, "mount %s on /", root ? root : "tmpfs");
  b->root = openat (b->staging, NEW_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (b->root < 0)
    return fail_errno (err, "open %s", STAGING_NEW_ROOT);
  b->root_is_ours = root == NULL;
  return 0;
}

/* Into the new root; the staging tmpfs and the host's tree (stacked on top
 * by pivot_root(".", ".")) go away together with one lazy unmount. */
static int
enter_new_root (struct build *b, cordon_error_t *err)
{
  /* The jail's "/" is read-only: only its mounts make parts writable. */
  if (b->root_is_ours
      && mounts_set_attrs (b->root, MOUNT_ATTR_RDONLY, false) < 0)
    return fail_errno (err, "make / read-only");
  forget_parent (b);
  close_fd (&b->root);
  say (b->opts, "pivot_root");
  /* Out of the host's tree, back to the staging root, and into /newroot. */
  if (fchdir (b->staging) < 0 || chroot (".") < 0)
    return fail_errno (err, "chroot to the staging tmpfs");
  close_fd (&b->staging);
  if (chdir (NEW_DIR) < 0)
    return fail_errno (err, "chdir %s", STAGING_NEW_ROOT);
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return fail_errno (err, "pivot_root");
  if (umount2 (".", MNT_DETACH) < 0)
    return fail_errno (err, "detach the host's root");
  if (chdir ("/") < 0)
    return fail_errno (err, "chdir /");
  return 0;
}

/* The masks' covers: an empty directory and an empty mode-0 file in the
 * staging tmpfs, cloned read-only over the hidden paths (masks.c) while
 * the host's tree is still there; they go with the jail.  No tmpfs of
 * their own, which the kernel would make now and free after the jail. */
#define MASKS_DIR "masks"

static int
apply_masks (struct build *b, cordon_error_t *err)
{
  if (!b->spec->mask_paths)
    return 0;
  int f = -1;
  if (mkdirat (b->staging, MASKS_DIR, 0555) == 0
      && mkdirat (b->staging, MASKS_DIR "/dir", 0555) == 0)
    f = openat (b->staging, MASKS_DIR "/empty",
                O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0);
  if (f < 0)
    return fail_errno (err, "masked paths: make /%s (staging)", MASKS_DIR);
  close_fd (&f);
  cleanup_fd int covers = openat (b->staging, MASKS_DIR, O_PATH | O_DIRECTORY
                                                        | O_CLOEXEC);
  if (covers < 0)
    return fail_errno (err, "masked paths: open /%s (staging)", MASKS_DIR);
  /* the covers land on what existed: the cached parent may be under one */
  forget_parent (b);
  return masks_apply (b->spec, b->opts, b->root, covers, err);
}

int
mounts_build_root (const struct jail_spec *spec, bool in_userns,
                   const struct jail_options *opts, cordon_error_t *err)
{
  struct build b = { .spec = spec, .opts = opts, .in_userns = in_userns,
                     .staging = -1, .root = -1, .parent = -1 };
  int r = enter_staging (err);
  if (r == 0)
    {
      b.staging = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (b.staging < 0)
        r = fail_errno (err, "open the staging tmpfs");
    }
  if (r == 0 && (chdir (STAGING_HOST_ROOT) < 0 || chroot (".") < 0))
    r = fail_errno (err, "chroot to the host's tree at %s", STAGING_HOST_ROOT);
  if (r == 0)
    r = mount_new_root (&b, err);
  for (size_t i = 0; r == 0 && i < spec->n_entries; i++)
    if (apply_entry (&b, &spec->entries[i], err) < 0)
      r = fail_at (&spec->entries[i], err);
  if (r == 0)
    r = apply_masks (&b, err);
  if (r == 0)
    r = enter_new_root (&b, err);
  forget_parent (&b);
  close_fd (&b.root);
  close_fd (&b.staging);
  return r;
}

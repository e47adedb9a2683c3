/* cache.c — cordon's private on-disk caches (see cache.h): where they are,
 * who may write them, reading and writing their files whole. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "util.h"

void
cache_hash_init (struct cache_hash *h)
{
  h->h = 0xcbf29ce484222325ULL;
}

void
cache_hash_bytes (struct cache_hash *h, const void *p, size_t n)
{
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    h->h = (h->h ^ b[i]) * 0x100000001b3ULL;
}

void
cache_hash_str (struct cache_hash *h, const char *s)
{
  cache_hash_bytes (h, s, strlen (s) + 1);
}

/* Ours, and no one else may write it: a directory or a cache file. */
static bool
private_stat (const struct stat *st, mode_t type)
{
  return (st->st_mode & S_IFMT) == type && st->st_uid == geteuid ()
         && (st->st_mode & 022) == 0;
}

/* A directory only we can write, created if need be. */
static bool
private_dir (const char *path)
{
  if (mkdir (path, 0700) < 0 && errno != EEXIST)
    return false;
  struct stat st;
  return lstat (path, &st) == 0 && private_stat (&st, S_IFDIR);
}

bool
cache_dir_path (const char *sub, char *buf, size_t size, bool *own_parent)
{
  const char *env = getenv ("CORDON_CACHE_DIR");
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  const char *home = getenv ("HOME");
  int n;
  *own_parent = env != NULL;
  if (env != NULL)
    {
      if (*env != '/')
        return false;           /* "" (or a relative path): no cache */
      n = snprintf (buf, size, "%s/%s", env, sub);
    }
  else if (geteuid () == 0)
    n = snprintf (buf, size, "/run/cordon/%s", sub);
  else if (xdg != NULL && *xdg == '/')
    n = snprintf (buf, size, "%s/cordon/%s", xdg, sub);
  else if (home != NULL && *home == '/')
    n = snprintf (buf, size, "%s/.cache/cordon/%s", home, sub);
  else
    return false;
  return n > 0 && (size_t) n < size;
}

/* Make DIR and the directory above it, both private; the one above that
 * must exist, unless OWN_PARENT. */
static bool
make_dir (char *dir, bool own_parent)
{
  char *slash = strrchr (dir, '/');
  if (slash == NULL)
    return false;
  *slash = '\0';
  char *base_end = own_parent ? NULL : strrchr (dir, '/');
  struct stat st;
  bool ok = true;
  if (base_end != NULL)
    {
      *base_end = '\0';
      ok = stat (*dir ? dir : "/", &st) == 0 && S_ISDIR (st.st_mode);
      *base_end = '/';
    }
  ok = ok && private_dir (dir);
  *slash = '/';
  return ok && private_dir (dir);
}

int
cache_dir_open (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (fd >= 0 && (fstat (fd, &st) < 0 || !private_stat (&st, S_IFDIR)))
    close_fd (&fd);
  return fd;
}

bool
cache_file_read (int dirfd, const char *name, size_t max,
                 unsigned char **buf, size_t *len)
{
  *buf = NULL;
  *len = 0;
  int fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return false;
  struct stat st;
  unsigned char *b = NULL;
  bool ok = fstat (fd, &st) == 0 && private_stat (&st, S_IFREG)
            && st.st_size > 0 && (size_t) st.st_size <= max
            && (b = malloc ((size_t) st.st_size + 1)) != NULL
            /* one byte more than the file: a file that grew is refused */
            && read (fd, b, (size_t) st.st_size + 1) == st.st_size;
  close (fd);
  if (!ok)
    {
      free (b);
      return false;
    }
  *buf = b;
  *len = (size_t) st.st_size;
  return true;
}

#define CACHE_MAX_FILES 128

struct cache_file
{
  char name[64];
  struct timespec mtime;
};

static int
older_first (const void *a, const void *b)
{
  const struct timespec *x = &((const struct cache_file *) a)->mtime;
  const struct timespec *y = &((const struct cache_file *) b)->mtime;
  if (x->tv_sec != y->tv_sec)
    return x->tv_sec < y->tv_sec ? -1 : 1;
  return (x->tv_nsec > y->tv_nsec) - (x->tv_nsec < y->tv_nsec);
}

/* Keep the newest CACHE_MAX_FILES of DIR's files (the ones written last:
 * an entry still in use comes back at the cost of one compilation).  Run
 * after a write, never on the way to a jail that found its entry. */
static void
trim (const char *dir)
{
  DIR *d = opendir (dir);
  if (d == NULL)
    return;
  struct cache_file *files = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;
      if (de->d_name[0] == '.' || strlen (de->d_name) >= sizeof files->name
          || fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0
          || !S_ISREG (st.st_mode))
        continue;
      if (n == cap)
        {
          size_t grown = cap ? 2 * cap : 256;
          struct cache_file *more = realloc (files, grown * sizeof *files);
          if (more == NULL)
            break;
          files = more;
          cap = grown;
        }
      snprintf (files[n].name, sizeof files[n].name, "%s", de->d_name);
      files[n++].mtime = st.st_mtim;
    }
  if (n > CACHE_MAX_FILES)
    {
      qsort (files, n, sizeof *files, older_first);
      for (size_t i = 0; i < n - CACHE_MAX_FILES; i++)
        unlinkat (dirfd (d), files[i].name, 0);
    }
  free (files);
  closedir (d);
}

void
cache_file_write (char *dir, bool own_parent, const char *name,
                  const void *data, size_t len)
{
  char path[4300], tmp[4400], proc[64];
  if (!make_dir (dir, own_parent)
      || snprintf (path, sizeof path, "%s/%s", dir, name)
         >= (int) sizeof path
      || snprintf (tmp, sizeof tmp, "%s.%d", path, (int) getpid ())
         >= (int) sizeof tmp)
    return;
  int fd = open (dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  /* linkat of an O_TMPFILE: the file appears whole or not at all */
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (write_all (fd, data, len) == 0
      && linkat (AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0
      && rename (tmp, path) < 0)
    unlink (tmp);
  close (fd);
  trim (dir);
}

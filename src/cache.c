/* cache.c — cordon's private on-disk caches (see cache.h): where they are,
 * who may write them, what their entries depend on, reading and writing
 * their files whole. */
#include "config.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <seccomp.h>
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

/* ---- what entries depend on ---- */

/* The GNU build id of the loaded object (the program or a library) that
 * holds the address ADDR. */
struct build_id
{
  const void *addr;
  unsigned char bytes[64];
  size_t n;
};

static bool
object_holds (const struct dl_phdr_info *info, const void *addr)
{
  uintptr_t a = (uintptr_t) addr;
  for (int p = 0; p < info->dlpi_phnum; p++)
    {
      const ElfW (Phdr) *ph = &info->dlpi_phdr[p];
      uintptr_t start = info->dlpi_addr + ph->p_vaddr;
      if (ph->p_type == PT_LOAD && a >= start && a - start < ph->p_memsz)
        return true;
    }
  return false;
}

static int
note_build_id (struct dl_phdr_info *info, size_t size, void *data)
{
  (void) size;
  struct build_id *id = data;
  if (!object_holds (info, id->addr))
    return 0;
  for (int p = 0; p < info->dlpi_phnum; p++)
    {
      const ElfW (Phdr) *ph = &info->dlpi_phdr[p];
      if (ph->p_type != PT_NOTE)
        continue;
      const char *note = (const char *) (info->dlpi_addr + ph->p_vaddr);
      /* a note's descriptor and the next note start at the segment's
       * alignment: 4 bytes, or 8 (.note.gnu.property) */
      size_t pad = ph->p_align == 8 ? 7 : 3;
      size_t at = 0;
      while (at + sizeof (ElfW (Nhdr)) <= ph->p_memsz)
        {
          const ElfW (Nhdr) *nh = (const ElfW (Nhdr) *) (note + at);
          size_t desc_at = (at + sizeof *nh + nh->n_namesz + pad) & ~pad;
          size_t next = (desc_at + nh->n_descsz + pad) & ~pad;
          if (next > ph->p_memsz)
            break;
          if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4
              && memcmp (note + at + sizeof *nh, "GNU", 4) == 0
              && nh->n_descsz > 0 && nh->n_descsz <= sizeof id->bytes)
            {
              memcpy (id->bytes, note + desc_at, nh->n_descsz);
              id->n = nh->n_descsz;
              return 1;
            }
          at = next;
        }
    }
  return 1;   /* the object holding ADDR, without a build id */
}

static void
put_id (struct strbuf *out, const struct build_id *id)
{
  unsigned char n = (unsigned char) id->n;
  sb_putn (out, (const char *) &n, 1);
  sb_putn (out, (const char *) id->bytes, id->n);
}

bool
cache_put_build (struct strbuf *out)
{
  /* looked up once: a run asks for the settings', the profile's and the
   * filter's entries */
  static struct build_id cordon, libseccomp;
  static bool looked;
  const struct scmp_version *v = seccomp_version ();
  if (!looked)
    {
      cordon.addr = &looked;
      libseccomp.addr = v;
      dl_iterate_phdr (note_build_id, &cordon);
      if (v != NULL)
        dl_iterate_phdr (note_build_id, &libseccomp);
      looked = true;
    }
  uint32_t words[4] = { v ? v->major : 0, v ? v->minor : 0,
                        v ? v->micro : 0, seccomp_arch_native () };
  put_id (out, &cordon);
  sb_putn (out, (const char *) words, sizeof words);
  put_id (out, &libseccomp);
  return cordon.n > 0;
}

/* ---- the directory ---- */

/* Ours, and no one else may write it: a directory or a cache file. */
static bool
private_stat (const struct stat *st, mode_t type)
{
  return (st->st_mode & S_IFMT) == type && st->st_uid == geteuid ()
         && (st->st_mode & 022) == 0;
}

/* A level of the path above cordon's own: no one but root and the caller
 * can put something else in its place, or (sticky, as /tmp) in place of
 * what they own in it. */
static bool
trusted_stat (const struct stat *st)
{
  return S_ISDIR (st->st_mode)
         && (st->st_uid == 0 || st->st_uid == geteuid ())
         && ((st->st_mode & 022) == 0 || (st->st_mode & S_ISVTX));
}

#define CACHE_MAX_PLACES 3
#define CACHE_PATH_MAX 4096

/* Where cache SUB may be, best first, into PLACES; MADE[i]: how many of
 * the last levels of PLACES[i] cordon makes where missing (~/.cache too,
 * as the XDG base directory spec asks).  A user without a runtime
 * directory or a home (nobody: HOME=/nonexistent; su, cron, CI) still has
 * a private place in the temporary directory: $TMPDIR or /tmp, sticky, in
 * which cordon-UID is the user's own or no cache.  Returns the count. */
static size_t
cache_places (const char *sub, char places[][CACHE_PATH_MAX], size_t *made)
{
  const char *env = getenv ("CORDON_CACHE_DIR");
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  const char *home = getenv ("HOME");
  const char *tmp = getenv ("TMPDIR");
  size_t k = 0;
  int n;
  if (env != NULL)
    {
      if (*env != '/')
        return 0;               /* "" (or a relative path): no cache */
      n = snprintf (places[k], CACHE_PATH_MAX, "%s/%s", env, sub);
      made[k] = 2;
      return n > 0 && n < CACHE_PATH_MAX;
    }
  if (geteuid () == 0)
    {
      n = snprintf (places[k], CACHE_PATH_MAX, "/run/cordon/%s", sub);
      made[k] = 2;
      return n > 0 && n < CACHE_PATH_MAX;
    }
  if (xdg != NULL && *xdg == '/')
    {
      n = snprintf (places[k], CACHE_PATH_MAX, "%s/cordon/%s", xdg, sub);
      made[k] = 2;
      k += n > 0 && n < CACHE_PATH_MAX;
    }
  if (home != NULL && *home == '/')
    {
      n = snprintf (places[k], CACHE_PATH_MAX, "%s/.cache/cordon/%s", home,
                    sub);
      made[k] = 3;
      k += n > 0 && n < CACHE_PATH_MAX;
    }
  if (tmp == NULL || *tmp != '/')
    tmp = "/tmp";
  n = snprintf (places[k], CACHE_PATH_MAX, "%s/cordon-%lu/%s", tmp,
                (unsigned long) geteuid (), sub);
  made[k] = 2;
  k += n > 0 && n < CACHE_PATH_MAX;
  return k;
}

#define CACHE_MAX_LEVELS 64

/* PATH opened level by level from "/", each level checked on its fd
 * before the next is opened through it; its last MADE levels made (0700)
 * where missing when CREATE.  -1 when a level is missing or untrusted;
 * then *MISSING says whether only a level cordon makes was missing (the
 * place is good, its cache just not made yet). */
static int
cache_open_levels (char *path, size_t made, bool create, bool *missing)
{
  *missing = false;
  char *level[CACHE_MAX_LEVELS], *save = NULL;
  size_t n = 0;
  for (char *c = strtok_r (path, "/", &save); c != NULL;
       c = strtok_r (NULL, "/", &save))
    {
      /* "." and ".." would name a level other than the one checked */
      if (n == CACHE_MAX_LEVELS || strcmp (c, ".") == 0
          || strcmp (c, "..") == 0)
        return -1;
      level[n++] = c;
    }
  if (n < 2)
    return -1;
  struct stat st;
  int fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0 && (fstat (fd, &st) < 0 || !trusted_stat (&st)))
    close_fd (&fd);
  for (size_t i = 0; fd >= 0 && i < n; i++)
    {
      bool ours = i + 2 >= n;
      if (i + made >= n && create && mkdirat (fd, level[i], 0700) < 0
          && errno != EEXIST)
        {
          close_fd (&fd);
          break;
        }
      int next = openat (fd, level[i],
                         O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      /* missing where cordon could make it: a write would go here */
      *missing = next < 0 && errno == ENOENT && i + made >= n
                 && faccessat (fd, "", W_OK | X_OK,
                               AT_EMPTY_PATH | AT_EACCESS) == 0;
      close_fd (&fd);
      fd = next;
      if (fd >= 0 && (fstat (fd, &st) < 0
                      || !(ours ? private_stat (&st, S_IFDIR)
                                : trusted_stat (&st))))
        close_fd (&fd);
    }
  return fd;
}

int
cache_dir_open (const char *sub, bool create)
{
  char places[CACHE_MAX_PLACES][CACHE_PATH_MAX];
  size_t made[CACHE_MAX_PLACES];
  size_t n = cache_places (sub, places, made);
  /* The first good place, whether its cache exists yet or not: a lookup
   * goes where the write after a miss goes, never to a stale cache in a
   * later place. */
  for (size_t k = 0; k < n; k++)
    {
      bool missing;
      int fd = cache_open_levels (places[k], made[k], create, &missing);
      if (fd >= 0 || missing)
        return fd;
    }
  return -1;
}

/* ---- files ---- */

/* Against damage, not an adversary (who cannot write the directory): any
 * change within one 8-byte word changes it, as each step is a bijection. */
static uint64_t
checksum (const unsigned char *p, size_t n)
{
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
  size_t i = 0;
  for (; i + sizeof w <= n; i += sizeof w)
    {
      memcpy (&w, p + i, sizeof w);
      h = (h ^ w) * 0xff51afd7ed558ccdULL;
      h ^= h >> 32;
    }
  w = 0;
  memcpy (&w, p + i, n - i);
  h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

bool
cache_file_read (int dirfd, const char *name, size_t max,
                 unsigned char **buf, size_t *len)
{
  *buf = NULL;
  *len = 0;
  int fd = openat (dirfd, name,
                   O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return false;
  struct stat st;
  unsigned char *b = NULL;
  uint64_t sum;
  size_t size = 0;
  bool ok = fstat (fd, &st) == 0 && private_stat (&st, S_IFREG)
            && st.st_size > (off_t) sizeof sum
            && (size_t) st.st_size <= max + sizeof sum
            && (b = malloc ((size_t) st.st_size + 1)) != NULL
            /* one byte more than the file: a file that grew is refused */
            && read (fd, b, (size_t) st.st_size + 1) == st.st_size;
  close (fd);
  if (ok)
    {
      size = (size_t) st.st_size - sizeof sum;
      memcpy (&sum, b + size, sizeof sum);
      ok = sum == checksum (b, size);
    }
  if (!ok)
    {
      free (b);
      return false;
    }
  *buf = b;
  *len = size;
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

/* Keep the newest CACHE_MAX_FILES of DIRFD's files (the ones written last:
 * an entry still in use comes back at the cost of one compilation).  Run
 * after a write, never on the way to a jail that found its entry. */
static void
trim (int dirfd)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    {
      close_fd (&fd);
      return;
    }
  struct cache_file *files = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;
      if (de->d_name[0] == '.' || strlen (de->d_name) >= sizeof files->name
          || fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0
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
        unlinkat (dirfd, files[i].name, 0);
    }
  free (files);
  closedir (d);
}

void
cache_file_write (int dirfd, const char *name, const void *data, size_t len)
{
  char tmp[128], proc[64];
  if (snprintf (tmp, sizeof tmp, "%s.%d", name, (int) getpid ())
      >= (int) sizeof tmp)
    return;
  int fd = openat (dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  uint64_t sum = checksum (data, len);
  /* linkat of an O_TMPFILE: the file appears whole or not at all */
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (write_all (fd, data, len) == 0 && write_all (fd, &sum, sizeof sum) == 0
      && linkat (AT_FDCWD, proc, dirfd, tmp, AT_SYMLINK_FOLLOW) == 0
      && renameat (dirfd, tmp, dirfd, name) < 0)
    unlinkat (dirfd, tmp, 0);
  close (fd);
  trim (dirfd);
}

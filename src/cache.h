/* cache.h — cordon's private on-disk caches: compiled seccomp filters
 * (seccomp.c) and compiled profiles (profile-cache.c).
 *
 * A cache is a directory only the caller can write, holding files only the
 * caller can write; what is read from it was written by this user's cordon.
 * Where: $CORDON_CACHE_DIR/SUB ("" turns caching off), else root's
 * /run/cordon/SUB, else $XDG_RUNTIME_DIR/cordon/SUB, else
 * ~/.cache/cordon/SUB.  Everything here is best effort: a cache that cannot
 * be used is no cache, never an error. */
#ifndef CORDON_CACHE_H
#define CORDON_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* FNV-1a: file names for cache entries.  Not collision-resistant, so an
 * entry must hold (and be checked against) what it was made from. */
struct cache_hash
{
  uint64_t h;
};

void cache_hash_init (struct cache_hash *h);
void cache_hash_bytes (struct cache_hash *h, const void *p, size_t n);
/* S and its NUL, so that ("ab", "c") and ("a", "bc") differ. */
void cache_hash_str (struct cache_hash *h, const char *s);

/* The directory of cache SUB into BUF (*OWN_PARENT: cordon may make the
 * directory above it too).  False: no cache. */
bool cache_dir_path (const char *sub, char *buf, size_t size,
                     bool *own_parent);

/* Open DIR (cache_dir_path's) when it exists and is private; -1 if not. */
int cache_dir_open (const char *dir);

/* Read the private regular file NAME under DIRFD whole into a malloc'ed
 * *BUF (*LEN bytes); false when it is missing, not ours or over MAX. */
bool cache_file_read (int dirfd, const char *name, size_t max,
                      unsigned char **buf, size_t *len);

/* Make DIR (and the directory above it when it is cordon's) private if
 * need be, and put DATA there as NAME: whole or not at all.  Then keep the
 * newest 128 files of DIR.  Best effort. */
void cache_file_write (char *dir, bool own_parent, const char *name,
                       const void *data, size_t len);

#endif

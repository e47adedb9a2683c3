/* cache.h — cordon's private on-disk caches: compiled seccomp filters
 * (seccomp.c) and compiled profiles (profile-cache.c).
 *
 * A cache is a directory only the caller can write, holding files only the
 * caller can write; what is read from it was written by this user's cordon.
 * Where: $CORDON_CACHE_DIR/SUB ("" turns caching off), else root's
 * /run/cordon/SUB, else the first good place of $XDG_RUNTIME_DIR/cordon/SUB,
 * ~/.cache/cordon/SUB and ${TMPDIR:-/tmp}/cordon-UID/SUB (good: its levels
 * are there and trusted, or only the ones cordon makes are missing and it
 * may make them).  The directory is opened level by level from "/"
 * without following symbolic links, each level checked on the descriptor
 * that opens the next, and every file operation is relative to the last
 * one: no path is looked up twice.  Everything here is best effort: a cache
 * that cannot be used is no cache, never an error.
 *
 * Trust: a file's name is only an index (a hash); an entry holds the exact
 * input it was made from, which the reader compares byte for byte, and a
 * checksum of its content, so that a damaged file is a miss. */
#ifndef CORDON_CACHE_H
#define CORDON_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

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

/* Append to OUT what every entry depends on besides its own input: the GNU
 * build id of cordon, libseccomp's version and build id, and the CPU's
 * native ABI, each of a known length.  False when cordon has no build id:
 * its entries could not be told from another build's, so no cache. */
bool cache_put_build (struct strbuf *out);

/* The directory of cache SUB ("seccomp", "profiles"), opened (O_PATH)
 * level by level from "/" with O_NOFOLLOW.  The levels above cordon's two
 * (the cache directory and SUB) must be directories of root or the caller
 * that no one else may write, or sticky ones (as /tmp); cordon's two must
 * be the caller's and private.  CREATE: make cordon's levels (and
 * ~/.cache), 0700, where missing.  The first good place of those above
 * wins.  -1: no cache. */
int cache_dir_open (const char *sub, bool create);

/* Read the private regular file NAME under DIRFD whole into a malloc'ed
 * *BUF (*LEN bytes, without its checksum); false when it is missing, not
 * ours, over MAX bytes or does not match its checksum. */
bool cache_file_read (int dirfd, const char *name, size_t max,
                      unsigned char **buf, size_t *len);

/* Put DATA (and its checksum) as NAME under DIRFD: whole or not at all.
 * Then keep the newest 128 files of the directory.  Best effort. */
void cache_file_write (int dirfd, const char *name, const void *data,
                       size_t len);

#endif

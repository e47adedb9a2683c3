/* spec.h — the validated jail description.
 *
 * The profile module turns a file into a struct jail_spec; everything after it
 * (the jail core and the per-concern files) reads only this struct.  Nothing
 * here knows about libconfuse.  Every string is owned by the spec and freed by
 * jail_spec_free().  Validation has already run when the core sees a spec:
 * destinations are absolute and normalised, id maps are consistent, etc. */
#ifndef CORDON_SPEC_H
#define CORDON_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Where a value came from, for diagnostics. */
struct spec_origin
{
  char *file;   /* the profile file (or "<built-in default>") */
  int line;     /* 0 when unknown */
};

enum jail_namespace
{
  JAIL_NS_USER = 1u << 0,
  JAIL_NS_MOUNT = 1u << 1,
  JAIL_NS_PID = 1u << 2,
  JAIL_NS_IPC = 1u << 3,
  JAIL_NS_UTS = 1u << 4,
  JAIL_NS_NET = 1u << 5,
  JAIL_NS_CGROUP = 1u << 6,
  JAIL_NS_TIME = 1u << 7,
};

struct id_range
{
  uint32_t inside;
  uint32_t outside;
  uint32_t count;
  struct spec_origin origin;
};

struct id_map
{
  struct id_range *ranges;
  size_t n_ranges;      /* 0: the default map (see userns.h) */
};

/* One entry of the root filesystem.  Entries are applied in the order of
 * jail_spec.entries: that is the order in which they appear in the profile,
 * an included file's entries at the point of its include(). */
enum fs_entry_kind
{
  FS_BIND,
  FS_TMPFS,
  FS_OVERLAY,
  FS_PROC,
  FS_DEV,
  FS_SYMLINK,
  FS_DIR,
  FS_FILE,
};

struct fs_entry
{
  enum fs_entry_kind kind;
  char *dest;               /* absolute, normalised, no "..", inside the jail */
  struct spec_origin origin;

  /* FS_BIND */
  char *source;             /* absolute host path (after ${VAR} expansion) */
  bool writable;            /* bind, and overlay without upper: default false */
  bool optional;            /* bind/overlay: skip when the source is missing */

  /* FS_TMPFS (also the implicit tmpfs of an upper-less overlay) */
  uint64_t size;            /* bytes; 0 = the kernel's default */
  bool has_mode;
  mode_t mode;              /* tmpfs, dir, file */

  /* FS_OVERLAY */
  char **lower;             /* host paths, uppermost first, NULL-terminated */
  size_t n_lower;
  char *upper;              /* NULL: writes go to a throwaway tmpfs */
  char *work;               /* set exactly when upper is set */

  /* FS_SYMLINK */
  char *target;             /* the link's content, as written */

  /* FS_FILE */
  char *content;
  size_t content_len;
};

struct env_spec
{
  bool clear;               /* start from an empty environment (default true) */
  char **keep;              /* names taken from the caller's environment */
  size_t n_keep;
  char **set;               /* "NAME=value", applied last */
  size_t n_set;
};

struct jail_spec
{
  char *name;
  char *description;
  struct spec_origin origin;        /* the top-level profile file */

  char **argv;                      /* NULL-terminated; may be empty: the CLI
                                       then needs "-- CMD" */
  size_t n_argv;
  char *cwd;                        /* default "/" */
  char *hostname;                   /* NULL: leave as is (default "cordon" when uts is on) */
  uid_t uid;                        /* ids inside the jail */
  gid_t gid;
  unsigned time_limit;              /* seconds; 0 = none */

  unsigned namespaces;              /* mask of enum jail_namespace */

  struct id_map uid_map;
  struct id_map gid_map;

  char *root;                       /* NULL: "tmpfs"; else a host directory */

  struct fs_entry *entries;
  size_t n_entries;

  struct env_spec env;
};

void jail_spec_free (struct jail_spec *spec);

#endif

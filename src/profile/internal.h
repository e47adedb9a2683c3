/* internal.h — what the files of the profile module share: the loader
 * (one load's state), its records of keys and sections, and the functions
 * one file of src/profile/ calls in another.  Not for the rest of cordon,
 * which sees profile.h.
 *
 * Two things here are forced by libconfuse 3.3: the global current_loader
 * (its validate, error and function callbacks get no user pointer), and a
 * section's record index kept in its cfg_t's comment field (the only
 * per-section slot it offers; a cfg_t address can be freed and reused when
 * a titled section is declared again). */
#ifndef CORDON_PROFILE_INTERNAL_H
#define CORDON_PROFILE_INTERNAL_H

#include <arpa/inet.h>
#include <confuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "capabilities.h"
#include "profile.h"
#include "profile-cache.h"
#include "rlimits.h"
#include "seccomp-filter.h"
#include "util.h"
#include "profile/bind.h"
#include "profile/keys.h"
#include "profile/values.h"

struct frame;
struct held_diag;
struct key_line;
struct key_rec;
struct loader;
struct scan;
struct sec_rec;
struct stmt;

#define BUILTIN_NAME "<built-in default>"
#define OVERRIDE_FILE "-D"    /* diagnostics name a -D as "-D KEY=VALUE" */
#define MAX_FILE_SIZE (1024 * 1024)
#define MAX_INCLUDE_DEPTH 10
/* The bounds of one load, whatever its includes: a fan-out of includes
 * within the depth limit (8 a file, 9 levels: 8^9 files), a generated
 * profile with a problem on every line or 100,000 sections must end in
 * one clear error, not an hour of parsing and gigabytes of tree. */
#define MAX_LOAD_FILES 256
#define MAX_LOAD_BYTES (16 * 1024 * 1024)
#define MAX_LOAD_SECTIONS 4096    /* libconfuse keeps ~4 KiB a section */
#define MAX_LOAD_VALUES 4096      /* in lists; libconfuse grows a list by
                                     one element at a time */
#define MAX_LOAD_DIAGNOSTICS 100  /* errors; as many warnings are shown */
#define MAX_OVERLAP_REPORTS 10
#define MAX_ID_RANGES 340      /* the kernel's limit for uid_map/gid_map */
#define DROPPED_MARK '\x01'    /* settings: an entry used an unset variable */
#define N_NAMES(names) (sizeof (names) / sizeof *(names))


/* What a section turns into in the spec: its builder checks the rules
 * that involve more than one of its values; plain values are bound by the
 * key table (bind.c). */
typedef void section_build_fn (struct loader *ld, struct jail_spec *spec,
                               cfg_t *sec, const struct sec_rec *rec);

/* libconfuse calls no callback for an empty list ("argv = {}"), so such an
 * assignment would escape "set twice" and have no line.  The pre-scan
 * follows each with a call of this function (a name no profile can use:
 * find_opt hides it), which records the assignment.  Every level of the
 * schema has it. */
#define EMPTY_LIST_MARK "cordon-empty-list"

/* A problem the pre-scan found, held back until libconfuse's parse reaches
 * its line, so that a file's problems come out in line order. */
struct held_diag
{
  int line;
  char *message;
  bool unknown_key;         /* dropped when the text is not parsed at all */
};

struct key_line
{
  char *key;
  int line;
};

/* A file as a reader meets it: diagnostics come out in this order (and
 * by line within a file), whichever phase found them.  An included file
 * comes at its include() line; the profile, its .local files and the -D
 * snippets, read one after the other, have no parent. */
struct reading
{
  const char *file;         /* interned (loader.files) */
  int parent;               /* index in loader.readings; -1: none */
  int line;                 /* of the include() in the parent */
};

/* One file being read: the include stack. */
struct frame
{
  const char *path;         /* as shown in diagnostics (owned by loader) */
  char *dir;                /* for relative includes; NULL: none */
  dev_t dev;
  ino_t ino;
  int id;                   /* file instance: a file included twice is two */
  int reading;              /* its index in loader.readings */
  bool is_override;         /* a -D snippet: lines are not shown */
  bool is_top;              /* the profile itself (not an include) */
  int *opens;               /* lines of its top-level section openings */
  size_t n_opens, next_open;
  int *inner_opens;         /* lines of sections in sections (rule) */
  size_t n_inner_opens, next_inner_open;
  struct held_diag *held;   /* the pre-scan's errors, by line */
  size_t n_held, next_held;
  struct key_line *set;     /* keys assigned with '=' in it, last line */
  size_t n_set, cap_set;
};

/* An assignment, for "set twice in this file" and for the line of a key. */
struct key_rec
{
  int scope;                /* file instance */
  char *key;                /* "cwd", "environment.clear" */
  const char *file;
  int line;
  bool assigned;            /* "=" rather than "+=" */
  bool rejected;            /* a value of it failed its check (said) */
};

/* One declaration of a section. */
struct sec_rec
{
  int type;
  char *title;
  const char *file;
  int line;                 /* the line of the section's name */
  int instance;
  long seq;                 /* position in the profile, across files */
  bool dead;                /* replaced by a later declaration */
  struct key_line *keys;    /* keys set in its body, with their lines */
  size_t n_keys, cap_keys;
};

struct loader
{
  struct diagnostics *diags;
  const struct settings *settings;
  bool running_as_root;
  bool settings_mode;
  bool parse_failed;        /* libconfuse stopped: the tree is incomplete */
  bool unset_vars;          /* a value lost a part: skip host path checks */
  bool mount_checks_sources;  /* see struct profile_request */
  struct profile_inputs *inputs;  /* what the load reads, for the cache;
                                     NULL: not recorded */
  cfg_t *cfg;

  char **files;             /* every file name shown, freed at the end */
  size_t n_files, cap_files;

  struct frame *frames;
  size_t n_frames, cap_frames;
  struct reading *readings; /* every file pushed, in reading order */
  size_t n_readings, cap_readings;
  int include_line;         /* the include() being followed; 0: none */
  size_t limit_notes[2];    /* "more than N errors/warnings": come last */
  size_t n_limit_notes;
  int next_instance;

  struct key_rec *keys;
  size_t n_keys, cap_keys;

  struct sec_rec *secs;
  size_t n_secs, cap_secs;
  long seq;
  /* the live titled sections by type and title (open addressing; a slot
   * holds a secs index + 1, 0 is empty): a profile may hold thousands of
   * mounts, and a scan per declaration would make loading quadratic */
  size_t *titled;
  size_t cap_titled, n_titled;

  /* keys of the multi section being parsed, before it closes */
  cfg_t *pending_cfg;
  struct key_line *pending;
  size_t n_pending, cap_pending;

  /* the list option being filled, to tell a new assignment from the next
   * element of the same one (the validate callback runs per element) */
  cfg_opt_t *open_list;
  cfg_t *open_cfg;
  unsigned open_n;

  char *name, *description; /* as set by the profile itself or -D */

  /* against the MAX_LOAD_* bounds */
  size_t n_loaded, loaded_bytes, n_sections, n_values;
  size_t n_errors, n_warnings;
  bool stopped;             /* a bound was reached: nothing more is read */
  int ranges_from[N_SECTIONS]; /* instance + 1 of the last uid_map
                                       (gid_map) range */
};

enum stmt_state
{
  ST_KEY,                   /* wants a key (or '}' closing the section) */
  ST_NAME,                  /* after the key */
  ST_PLUS,                  /* after "KEY +" */
  ST_VALUE,                 /* after "KEY =" */
  ST_TITLE,                 /* after "KEY WORD": a title if '{' follows */
  ST_ARGS,                  /* in "KEY (...)" */
  ST_BLOCK,                 /* in its { } (a body, a list) */
};

/* The statement being read at one level of (known) sections. */
struct stmt
{
  cfg_opt_t *opts;          /* the keys allowed at this level */
  char *context;            /* "mount '/y': " for messages */
  enum stmt_state state;
  cfg_opt_t *opt;           /* the key's option; NULL: unknown or unchecked */
  bool unknown;             /* not in opts: it is blanked out */
  size_t start, end;        /* the statement in the output so far */
  int line;                 /* of its key */
  size_t title_start, title_end;
  int title_line;
  bool append;              /* "+=" */
  unsigned n_elems;         /* values in its { } */
};

struct scan
{
  struct loader *ld;
  const char *p, *end;
  int line;
  struct strbuf out;
  bool fatal;               /* the text cannot be handed to libconfuse */
  int depth, open_line;     /* braces, and the line of the outermost one */
  int call;                 /* in include(...): 1 wants a string, 2 a ',' */
  int call_line;
  struct stmt *levels;      /* [0]: top level; then each known section open */
  size_t n_levels, cap_levels;
  int skip;                 /* braces open in a list or an unknown block */
  bool lost;                /* libconfuse stops before here: keys unchecked */
  int *opens;
  size_t n_opens, cap_opens;
  int *inner_opens;         /* sections in sections: seccomp's rule */
  size_t n_inner_opens, cap_inner_opens;
  struct held_diag *held;
  size_t n_held, cap_held;
};

#define DEFAULT_BRIDGE "cordon0"
#define DEFAULT_GATEWAY "10.88.0.1/24"


void
free_strv (char **v, size_t n);

bool
has_suffix (const char *s, const char *suffix);

char *
join_path (const char *dir, const char *name);
char *
dir_of (const char *path);

__attribute__ ((format (printf, 5, 0))) void
diag_vadd (struct diagnostics *d, enum diag_severity severity,
           const char *file, int line, const char *fmt, va_list ap);

__attribute__ ((format (printf, 5, 6))) void
diag_add (struct diagnostics *d, enum diag_severity severity, const char *file,
          int line, const char *fmt, ...);
char *
read_text (const char *path, struct diagnostics *d, size_t *len,
           struct stat *st, int *open_errno);
extern section_build_fn *const section_builders[N_SECTIONS];
bool
is_top_section (int s);

bool
is_titled (int type);

bool
is_multi (int type);
extern struct loader *current_loader;

struct frame *
top_frame (struct loader *ld);

__attribute__ ((format (printf, 4, 5))) void
ld_diag (struct loader *ld, enum diag_severity sev, int line, const char *fmt,
         ...);
bool
is_override_file (const char *file);
__attribute__ ((format (printf, 5, 6))) void
ld_diag_at (struct loader *ld, enum diag_severity sev, const char *file,
            int line, const char *fmt, ...);

/* Put the diagnostics from index FIRST on in reading order. */
void
sort_load_diagnostics (struct loader *ld, size_t first);

void
clear_pending (struct loader *ld);

void
loader_free (struct loader *ld);

void
push_frame (struct loader *ld, const char *path, const char *dir,
            const struct stat *st, bool is_top, bool is_override);

void
pop_frame (struct loader *ld);
int
parse_top_frame (struct loader *ld, const char *text, size_t len);

bool
loader_init (struct loader *ld, struct diagnostics *diags, bool profile);
bool
is_word_end (char c);
void
put_quoted_chars (struct strbuf *b, const char *s, size_t n);
bool
prescan (struct loader *ld, const char *text, size_t len, struct strbuf *out,
         struct frame *f);
extern const char *const seccomp_cmp_names[];
/* For show --origin: where each effective key and section was set. */
char *describe_origins (const struct loader *ld);

struct key_rec *
find_key (struct loader *ld, int scope, const char *key, bool assigned);

int
on_empty_list (cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv);

struct sec_rec *
rec_of (struct loader *ld, cfg_t *sec);

__attribute__ ((format (printf, 2, 0))) void
on_confuse_error (cfg_t *cfg, const char *fmt, va_list ap);

void
set_callbacks (cfg_opt_t *opts);
cfg_opt_t *
find_opt (cfg_opt_t *opts, const char *name, size_t len);

void
apply_overrides (struct loader *ld, char *const *overrides, size_t n);

const struct key_rec *
key_origin (struct loader *ld, const char *key);
/* Whether the value KEY has failed its check: rules judge only values the
 * spec holds, and a rejected one is not bound. */
bool
key_rejected (struct loader *ld, const char *key);

struct fs_entry *
new_entry (struct jail_spec *spec, enum fs_entry_kind kind,
           const struct sec_rec *rec);
extern const char *const host_dirs[];
const char *
same_host_file (const struct stat *st, const char *const *candidates,
                size_t n);
char *
spelled (const char *path, const char *host_name);

void
build_mount (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
             const struct sec_rec *rec);

void
build_symlink (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
               const struct sec_rec *rec);

void
build_dir (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
           const struct sec_rec *rec);

void
build_file (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
            const struct sec_rec *rec);

void
build_uid_map (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
               const struct sec_rec *rec);

void
build_gid_map (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
               const struct sec_rec *rec);

void
build_environment (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
                   const struct sec_rec *rec);

void
build_seccomp (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
               const struct sec_rec *rec);

void
build_rlimit (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
              const struct sec_rec *rec);

void
build_cgroup (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
              const struct sec_rec *rec);

void
build_sections (struct loader *ld, struct jail_spec *spec);

void
build_top_level (struct loader *ld, struct jail_spec *spec, const char *path);
__attribute__ ((format (printf, 5, 6))) void
key_diag (struct loader *ld, enum diag_severity sev, const char *key,
          const struct spec_origin *fallback, const char *fmt, ...);

void
build_landlock (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
                const struct sec_rec *rec);
void
build_network (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
               const struct sec_rec *rec);
void
add_resolv_conf (struct loader *ld, struct jail_spec *spec);

const char *
kind_name (enum fs_entry_kind kind);
void
check_spec (struct loader *ld, const struct jail_spec *spec);

/* build.c and net.c: a diagnostic about a section, at LINE of its file */
__attribute__ ((format (printf, 5, 6))) void
sec_diag (struct loader *ld, enum diag_severity sev, const struct sec_rec *rec,
          int line, const char *fmt, ...);
int sec_key_line (const struct sec_rec *rec, const char *key);
__attribute__ ((format (printf, 5, 6))) void
net_diag (struct loader *ld, enum diag_severity sev, const struct sec_rec *rec,
          const char *key, const char *fmt, ...);

/* rules.c: the rules checked as a section is built */
void rule_mount_keys (struct loader *ld, const struct sec_rec *rec,
                      enum fs_entry_kind kind, bool has_upper);
void rule_overlay_needs_lower (struct loader *ld, const struct sec_rec *rec,
                               const struct fs_entry *e);
void rule_upper_with_work (struct loader *ld, const struct sec_rec *rec,
                           const struct fs_entry *e);
void rule_cgroup_memory (struct loader *ld, const struct cgroup_spec *c,
                         const struct sec_rec *rec);
void rule_swap_needs_memory (struct loader *ld, const struct cgroup_spec *c,
                             const struct sec_rec *rec);
void rule_network_mode (struct loader *ld, const struct jail_spec *spec,
                        const struct sec_rec *rec, bool mode_set);
bool rule_network_keys (struct loader *ld, cfg_t *sec,
                        const struct sec_rec *rec, enum network_mode mode);

#endif

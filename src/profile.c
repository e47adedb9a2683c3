/* profile.c — the profile language: reading, checking and printing profiles.
 *
 * This is the only file that knows about libconfuse.  It owns the schema of
 * profiles and of the settings file, reading a file (size, NUL and ${VAR}
 * checks happen before libconfuse sees the text), include(), -D overrides,
 * diagnostics with FILE:LINE, turning the parsed tree into a struct
 * jail_spec with every rule checked, printing a spec back in the same
 * language, and finding profiles on the search path.
 *
 * How a profile is read.  All files of one profile are parsed into ONE
 * libconfuse tree: include() parses the included file into the same cfg_t,
 * nested, at the point of the include, so "later keys override" and "+="
 * are libconfuse's own semantics.  libconfuse forgets where things came from,
 * so validate callbacks (which run in parse order, while cfg->line is the
 * lexer's position) record every assignment and every section with its file,
 * line and a global sequence number; the sequence orders the filesystem
 * entries across section kinds and files.  A section is tied to its record
 * by a marker stored in its (otherwise unused) comment field. */
#include "config.h"

#include <confuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "default-profile.h"
#include "profile.h"

#define BUILTIN_NAME "<built-in default>"
#define OVERRIDE_FILE "-D"
#define MAX_FILE_SIZE (1024 * 1024)
#define MAX_INCLUDE_DEPTH 10
#define MAX_ID_RANGES 340      /* the kernel's limit for uid_map/gid_map */
#define DROPPED_MARK '\x01'    /* settings: an entry used an unset variable */

/* ------------------------------------------------------------------ */
/* Memory and strings                                                  */
/* ------------------------------------------------------------------ */

/* Out of memory is not a condition cordon can report usefully. */
static void *
xrealloc (void *p, size_t n)
{
  p = realloc (p, n ? n : 1);
  if (p == NULL)
    {
      fputs ("cordon: out of memory\n", stderr);
      abort ();
    }
  return p;
}

static void *
xcalloc (size_t n, size_t size)
{
  void *p = calloc (n ? n : 1, size ? size : 1);
  if (p == NULL)
    {
      fputs ("cordon: out of memory\n", stderr);
      abort ();
    }
  return p;
}

static char *
xstrndup (const char *s, size_t n)
{
  char *d = xrealloc (NULL, n + 1);
  memcpy (d, s, n);
  d[n] = '\0';
  return d;
}

static char *
xstrdup (const char *s)
{
  return s ? xstrndup (s, strlen (s)) : NULL;
}

__attribute__ ((format (printf, 1, 0))) static char *
xvasprintf (const char *fmt, va_list ap)
{
  char *s = NULL;
  if (vasprintf (&s, fmt, ap) < 0)
    {
      fputs ("cordon: out of memory\n", stderr);
      abort ();
    }
  return s;
}

__attribute__ ((format (printf, 1, 2))) static char *
xasprintf (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *s = xvasprintf (fmt, ap);
  va_end (ap);
  return s;
}

/* Make room for one more element of a growable array. */
#define RESERVE_ONE(arr, n, cap)                                  \
  do                                                              \
    {                                                             \
      if ((n) >= (cap))                                           \
        {                                                         \
          (cap) = (cap) ? 2 * (cap) : 8;                          \
          (arr) = xrealloc ((arr), (cap) * sizeof *(arr));        \
        }                                                         \
    }                                                             \
  while (0)

struct strbuf
{
  char *s;
  size_t n, cap;
};

static void
sb_putn (struct strbuf *b, const char *s, size_t n)
{
  if (b->n + n + 1 > b->cap)
    {
      size_t cap = b->cap ? b->cap : 64;
      while (cap < b->n + n + 1)
        cap *= 2;
      b->s = xrealloc (b->s, cap);
      b->cap = cap;
    }
  memcpy (b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

static void
sb_putc (struct strbuf *b, char c)
{
  sb_putn (b, &c, 1);
}

static void
sb_puts (struct strbuf *b, const char *s)
{
  sb_putn (b, s, strlen (s));
}

static void
free_strv (char **v, size_t n)
{
  for (size_t i = 0; v != NULL && i < n; i++)
    free (v[i]);
  free (v);
}

static bool
has_suffix (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);
  return n >= m && strcmp (s + n - m, suffix) == 0;
}

static char *
join_path (const char *dir, const char *name)
{
  if (dir == NULL || *dir == '\0')
    return xstrdup (name);
  return xasprintf ("%s%s%s", dir, has_suffix (dir, "/") ? "" : "/", name);
}

/* The directory part of PATH ("" when it has none). */
static char *
dir_of (const char *path)
{
  const char *slash = strrchr (path, '/');
  if (slash == NULL)
    return xstrdup ("");
  if (slash == path)
    return xstrdup ("/");
  return xstrndup (path, (size_t) (slash - path));
}

/* ------------------------------------------------------------------ */
/* Diagnostics                                                         */
/* ------------------------------------------------------------------ */

__attribute__ ((format (printf, 5, 0))) static void
diag_vadd (struct diagnostics *d, enum diag_severity severity,
           const char *file, int line, const char *fmt, va_list ap)
{
  if (d == NULL)
    return;
  RESERVE_ONE (d->items, d->n, d->cap);
  struct diagnostic *item = &d->items[d->n++];
  item->severity = severity;
  item->file = xstrdup (file ? file : "?");
  item->line = line > 0 ? line : 0;
  item->message = xvasprintf (fmt, ap);
}

__attribute__ ((format (printf, 5, 6))) static void
diag_add (struct diagnostics *d, enum diag_severity severity, const char *file,
          int line, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  diag_vadd (d, severity, file, line, fmt, ap);
  va_end (ap);
}

void
diagnostics_print (const struct diagnostics *d, FILE *out)
{
  for (size_t i = 0; d != NULL && i < d->n; i++)
    {
      const struct diagnostic *item = &d->items[i];
      const char *sev = item->severity == DIAG_ERROR ? "error" : "warning";
      if (item->line > 0)
        fprintf (out, "%s:%d: %s: %s\n", item->file, item->line, sev,
                 item->message);
      else
        fprintf (out, "%s: %s: %s\n", item->file, sev, item->message);
    }
}

size_t
diagnostics_count (const struct diagnostics *d, enum diag_severity s)
{
  size_t n = 0;
  for (size_t i = 0; d != NULL && i < d->n; i++)
    n += d->items[i].severity == s;
  return n;
}

void
diagnostics_free (struct diagnostics *d)
{
  if (d == NULL)
    return;
  for (size_t i = 0; i < d->n; i++)
    {
      free (d->items[i].file);
      free (d->items[i].message);
    }
  free (d->items);
  d->items = NULL;
  d->n = d->cap = 0;
}

/* ------------------------------------------------------------------ */
/* Reading a file                                                      */
/* ------------------------------------------------------------------ */

static void
diag_errno (struct diagnostics *d, const char *file, const char *what, int e)
{
  const char *name = strerrorname_np (e);
  diag_add (d, DIAG_ERROR, file, 0, "%s: %s (%s)", what, strerror (e),
            name ? name : "?");
}

static bool
only_whitespace (const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
      return false;
  return true;
}

/* Read a whole profile or settings file.  O_NONBLOCK keeps a FIFO from
 * hanging us before fstat tells us it is not a regular file.  Returns the
 * NUL-terminated text, or NULL after one diagnostic. */
static char *
read_text (const char *path, struct diagnostics *d, size_t *len,
           struct stat *st, int *open_errno)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    {
      if (open_errno)
        *open_errno = errno;
      diag_errno (d, path, "cannot open", errno);
      return NULL;
    }
  if (fstat (fd, st) < 0 || !S_ISREG (st->st_mode))
    {
      diag_add (d, DIAG_ERROR, path, 0, "not a regular file");
      close (fd);
      return NULL;
    }
  if (st->st_size > MAX_FILE_SIZE)
    {
      diag_add (d, DIAG_ERROR, path, 0, "larger than 1 MiB");
      close (fd);
      return NULL;
    }

  char *buf = xrealloc (NULL, MAX_FILE_SIZE + 2);
  size_t n = 0;
  for (;;)
    {
      ssize_t r = read (fd, buf + n, MAX_FILE_SIZE + 1 - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          diag_errno (d, path, "cannot read", errno);
          goto fail;
        }
      if (r == 0 || (n += (size_t) r) > MAX_FILE_SIZE)
        break;
    }
  if (n > MAX_FILE_SIZE)
    {
      diag_add (d, DIAG_ERROR, path, 0, "larger than 1 MiB");
      goto fail;
    }
  if (memchr (buf, '\0', n) != NULL)
    {
      diag_add (d, DIAG_ERROR, path, 0, "not a text file (contains a NUL byte)");
      goto fail;
    }
  if (only_whitespace (buf, n))
    {
      diag_add (d, DIAG_ERROR, path, 0, "file is empty");
      goto fail;
    }
  close (fd);
  buf[n] = '\0';
  *len = n;
  return buf;

fail:
  close (fd);
  free (buf);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* The schema                                                          */
/* ------------------------------------------------------------------ */

struct loader;
struct sec_rec;

/* A section of the profile language.  Adding one (seccomp, rlimit, ...) is
 * one entry in section_types[] plus its build function, which checks the
 * section and puts it into the spec; value checks that need a line number go
 * into value_checks[]. */
struct section_type
{
  const char *name;
  cfg_opt_t *opts;
  int flags;                /* CFGF_MULTI, CFGF_TITLE */
  void (*build) (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
                 const struct sec_rec *rec);
};

static cfg_opt_t mount_opts[] = {
  CFG_STR ("type", NULL, CFGF_NODEFAULT),
  CFG_STR ("source", NULL, CFGF_NODEFAULT),
  CFG_BOOL ("writable", cfg_false, CFGF_NONE),
  CFG_BOOL ("optional", cfg_false, CFGF_NONE),
  CFG_STR ("size", NULL, CFGF_NODEFAULT),
  CFG_STR ("mode", NULL, CFGF_NODEFAULT),
  CFG_STR_LIST ("lower", NULL, CFGF_NODEFAULT),
  CFG_STR ("upper", NULL, CFGF_NODEFAULT),
  CFG_STR ("work", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

static cfg_opt_t symlink_opts[] = {
  CFG_STR ("target", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

static cfg_opt_t dir_opts[] = {
  CFG_STR ("mode", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

static cfg_opt_t file_opts[] = {
  CFG_STR ("content", NULL, CFGF_NODEFAULT),
  CFG_STR ("mode", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

static cfg_opt_t id_map_opts[] = {
  CFG_INT ("inside", 0, CFGF_NODEFAULT),
  CFG_INT ("outside", 0, CFGF_NODEFAULT),
  CFG_INT ("count", 1, CFGF_NONE),
  CFG_END ()
};

/* No list defaults inside sections: libconfuse parses them when a section
 * is created, which would run the validate callbacks as if the user had set
 * the key. */
static cfg_opt_t environment_opts[] = {
  CFG_BOOL ("clear", cfg_true, CFGF_NONE),
  CFG_STR_LIST ("keep", NULL, CFGF_NONE),
  CFG_STR_LIST ("set", NULL, CFGF_NONE),
  CFG_END ()
};

static void build_mount (struct loader *, struct jail_spec *, cfg_t *,
                         const struct sec_rec *);
static void build_symlink (struct loader *, struct jail_spec *, cfg_t *,
                           const struct sec_rec *);
static void build_dir (struct loader *, struct jail_spec *, cfg_t *,
                       const struct sec_rec *);
static void build_file (struct loader *, struct jail_spec *, cfg_t *,
                        const struct sec_rec *);
static void build_uid_map (struct loader *, struct jail_spec *, cfg_t *,
                           const struct sec_rec *);
static void build_gid_map (struct loader *, struct jail_spec *, cfg_t *,
                           const struct sec_rec *);
static void build_environment (struct loader *, struct jail_spec *, cfg_t *,
                               const struct sec_rec *);

#define TITLED (CFGF_MULTI | CFGF_TITLE)
static const struct section_type section_types[] = {
  { "mount", mount_opts, TITLED, build_mount },
  { "symlink", symlink_opts, TITLED, build_symlink },
  { "dir", dir_opts, TITLED, build_dir },
  { "file", file_opts, TITLED, build_file },
  { "uid_map", id_map_opts, CFGF_MULTI, build_uid_map },
  { "gid_map", id_map_opts, CFGF_MULTI, build_gid_map },
  { "environment", environment_opts, CFGF_NONE, build_environment },
};
#define N_SECTION_TYPES (sizeof section_types / sizeof section_types[0])

static int include_func (cfg_t *cfg, cfg_opt_t *opt, int argc,
                         const char **argv);

/* Top-level keys; the sections and include() are appended by make_schema. */
static const cfg_opt_t profile_keys[] = {
  CFG_STR ("name", NULL, CFGF_NODEFAULT),
  CFG_STR ("description", NULL, CFGF_NODEFAULT),
  CFG_STR_LIST ("argv", NULL, CFGF_NONE),
  CFG_STR ("cwd", "/", CFGF_NONE),
  CFG_STR ("hostname", NULL, CFGF_NODEFAULT),
  CFG_INT ("uid", 0, CFGF_NONE),
  CFG_INT ("gid", 0, CFGF_NONE),
  CFG_INT ("time_limit", 0, CFGF_NONE),
  CFG_STR_LIST ("namespaces", "{user, mount, pid, ipc, uts, net, cgroup}",
                CFGF_NONE),
  CFG_STR ("root", "tmpfs", CFGF_NONE),
};
#define N_PROFILE_KEYS (sizeof profile_keys / sizeof profile_keys[0])

static const cfg_opt_t settings_keys[] = {
  CFG_STR_LIST ("profile_path", NULL, CFGF_NODEFAULT),
};

/* The option table handed to cfg_init (which copies it). */
static cfg_opt_t *
make_schema (bool profile)
{
  size_t n = profile ? N_PROFILE_KEYS + N_SECTION_TYPES + 1 : 1;
  cfg_opt_t *opts = xcalloc (n + 1, sizeof *opts);
  if (!profile)
    {
      opts[0] = settings_keys[0];
      return opts;
    }
  size_t k = 0;
  for (size_t i = 0; i < N_PROFILE_KEYS; i++)
    opts[k++] = profile_keys[i];
  for (size_t i = 0; i < N_SECTION_TYPES; i++)
    {
      cfg_opt_t sec = CFG_SEC (section_types[i].name, section_types[i].opts,
                               section_types[i].flags);
      opts[k++] = sec;
    }
  cfg_opt_t inc = CFG_FUNC ("include", include_func);
  opts[k++] = inc;
  cfg_opt_t end = CFG_END ();
  opts[k] = end;
  return opts;
}

static int
find_section_type (const char *name, size_t len)
{
  for (size_t i = 0; i < N_SECTION_TYPES; i++)
    if (strlen (section_types[i].name) == len
        && memcmp (section_types[i].name, name, len) == 0)
      return (int) i;
  return -1;
}

static bool
is_titled (int type)
{
  return type >= 0 && (section_types[type].flags & CFGF_TITLE);
}

static bool
is_multi (int type)
{
  return type >= 0 && (section_types[type].flags & CFGF_MULTI);
}

static const struct
{
  const char *name;
  unsigned bit;
} namespace_names[] = {
  { "user", JAIL_NS_USER }, { "mount", JAIL_NS_MOUNT },
  { "pid", JAIL_NS_PID },   { "ipc", JAIL_NS_IPC },
  { "uts", JAIL_NS_UTS },   { "net", JAIL_NS_NET },
  { "cgroup", JAIL_NS_CGROUP }, { "time", JAIL_NS_TIME },
};
#define N_NAMESPACES (sizeof namespace_names / sizeof namespace_names[0])
#define KNOWN_NAMESPACES "user, mount, pid, ipc, uts, net, cgroup, time"

static const struct
{
  const char *name;
  enum fs_entry_kind kind;
  const char *keys;         /* the keys that mean something for the type */
} mount_types[] = {
  { "bind", FS_BIND, "source writable optional" },
  { "tmpfs", FS_TMPFS, "size mode" },
  { "overlay", FS_OVERLAY, "lower upper work writable optional size mode" },
  { "proc", FS_PROC, "" },
  { "dev", FS_DEV, "" },
};
#define N_MOUNT_TYPES (sizeof mount_types / sizeof mount_types[0])
#define KNOWN_MOUNT_TYPES "bind, tmpfs, overlay, proc, dev"

/* ------------------------------------------------------------------ */
/* The loader: state of one profile_load / settings_load               */
/* ------------------------------------------------------------------ */

/* A problem the pre-scan found, held back until libconfuse's parse reaches
 * its line, so that a file's problems come out in line order. */
struct held_diag
{
  int line;
  char *message;
};

/* One file being read: the include stack. */
struct frame
{
  const char *path;         /* as shown in diagnostics (owned by loader) */
  char *dir;                /* for relative includes; NULL: none */
  dev_t dev;
  ino_t ino;
  int id;                   /* file instance: a file included twice is two */
  bool is_override;         /* a -D snippet: lines are not shown */
  bool is_top;              /* the profile itself (not an include) */
  int *opens;               /* lines of its top-level section openings */
  size_t n_opens, next_open;
  struct held_diag *held;   /* the pre-scan's errors, by line */
  size_t n_held, next_held;
};

/* An assignment, for "set twice in this file" and for the line of a key. */
struct key_rec
{
  int scope;                /* file instance */
  char *key;                /* "cwd", "environment.clear" */
  const char *file;
  int line;
  bool assigned;            /* "=" rather than "+=" */
};

struct key_line
{
  char *key;
  int line;
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
  cfg_t *cfg;

  char **files;             /* every file name shown, freed at the end */
  size_t n_files, cap_files;

  struct frame *frames;
  size_t n_frames, cap_frames;
  int next_instance;

  struct key_rec *keys;
  size_t n_keys, cap_keys;

  struct sec_rec *secs;
  size_t n_secs, cap_secs;
  long seq;

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
};

/* libconfuse callbacks get no user pointer; it is not reentrant anyway. */
static struct loader *current_loader;

static const char *
intern_file (struct loader *ld, const char *path)
{
  for (size_t i = 0; i < ld->n_files; i++)
    if (strcmp (ld->files[i], path) == 0)
      return ld->files[i];
  RESERVE_ONE (ld->files, ld->n_files, ld->cap_files);
  ld->files[ld->n_files] = xstrdup (path);
  return ld->files[ld->n_files++];
}

static struct frame *
top_frame (struct loader *ld)
{
  return ld->n_frames ? &ld->frames[ld->n_frames - 1] : NULL;
}

/* The line to show: -D snippets have no useful line. */
static int
shown_line (struct loader *ld, int line)
{
  struct frame *f = top_frame (ld);
  return f && f->is_override ? 0 : line;
}

/* Report the held pre-scan errors of the file on top up to LINE. */
static void
release_held (struct loader *ld, int line)
{
  struct frame *f = top_frame (ld);
  while (f && f->next_held < f->n_held && f->held[f->next_held].line <= line)
    {
      struct held_diag *h = &f->held[f->next_held++];
      diag_add (ld->diags, DIAG_ERROR, f->path, shown_line (ld, h->line), "%s",
                h->message);
    }
}

static void
free_held (struct held_diag *held, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (held[i].message);
  free (held);
}

__attribute__ ((format (printf, 4, 5))) static void
ld_diag (struct loader *ld, enum diag_severity sev, int line, const char *fmt,
         ...)
{
  struct frame *f = top_frame (ld);
  release_held (ld, line);
  va_list ap;
  va_start (ap, fmt);
  diag_vadd (ld->diags, sev, f ? f->path : "?", shown_line (ld, line), fmt, ap);
  va_end (ap);
}

/* A diagnostic about something recorded earlier, at its own file:line. */
__attribute__ ((format (printf, 5, 6))) static void
ld_diag_at (struct loader *ld, enum diag_severity sev, const char *file,
            int line, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  bool override = file && strcmp (file, OVERRIDE_FILE) == 0;
  diag_vadd (ld->diags, sev, file ? file : "?", override ? 0 : line, fmt, ap);
  va_end (ap);
}

static void
free_sec_rec (struct sec_rec *r)
{
  free (r->title);
  for (size_t i = 0; i < r->n_keys; i++)
    free (r->keys[i].key);
  free (r->keys);
}

static void
clear_pending (struct loader *ld)
{
  for (size_t i = 0; i < ld->n_pending; i++)
    free (ld->pending[i].key);
  ld->n_pending = 0;
  ld->pending_cfg = NULL;
}

static void
loader_free (struct loader *ld)
{
  if (ld->cfg)
    cfg_free (ld->cfg);
  for (size_t i = 0; i < ld->n_frames; i++)
    {
      free (ld->frames[i].dir);
      free (ld->frames[i].opens);
      free_held (ld->frames[i].held, ld->frames[i].n_held);
    }
  free (ld->frames);
  for (size_t i = 0; i < ld->n_keys; i++)
    free (ld->keys[i].key);
  free (ld->keys);
  for (size_t i = 0; i < ld->n_secs; i++)
    free_sec_rec (&ld->secs[i]);
  free (ld->secs);
  clear_pending (ld);
  free (ld->pending);
  free_strv (ld->files, ld->n_files);
  free (ld->name);
  free (ld->description);
  if (current_loader == ld)
    current_loader = NULL;
}

/* ------------------------------------------------------------------ */
/* Pre-scan: ${VAR} expansion, unterminated strings, section lines     */
/* ------------------------------------------------------------------ */

/* libconfuse expands ${VAR} itself, but silently to "" when VAR is unset,
 * not at all for $VAR, and its lexer keeps state across parses after an
 * unterminated string.  So every file goes through this scanner first: it
 * follows libconfuse's lexer (comments, "..." and '...' strings, unquoted
 * words), expands variables itself (an unset one is an error with its line),
 * and hands libconfuse text in which every '$' is escaped.  It also notes the
 * line of each top-level section opening: libconfuse only knows where a
 * section ends.
 *
 * It also reads the statements (KEY = VALUE, KEY += {LIST}, KEY [TITLE]
 * { BODY }, KEY (ARGS)) against the schema: libconfuse stops at the first
 * unknown key, so an unknown one is reported here and its whole statement
 * blanked out (newlines kept), and libconfuse parses and checks the rest.
 * Its errors are held until libconfuse's parse reaches their line. */

enum tok_kind
{
  TOK_STRING,               /* a quoted string or an unquoted word */
  TOK_PUNCT,
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
  int *opens;
  size_t n_opens, cap_opens;
  struct held_diag *held;
  size_t n_held, cap_held;
};

/* Errors are held in line order (see release_held). */
__attribute__ ((format (printf, 3, 4))) static void
scan_error (struct scan *sc, int line, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = xvasprintf (fmt, ap);
  va_end (ap);
  RESERVE_ONE (sc->held, sc->n_held, sc->cap_held);
  size_t i = sc->n_held++;
  for (; i > 0 && sc->held[i - 1].line > line; i--)
    sc->held[i] = sc->held[i - 1];
  sc->held[i] = (struct held_diag) { line, msg };
}

static bool
is_name_start (int c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool
is_name_char (int c)
{
  return is_name_start (c) || (c >= '0' && c <= '9');
}

/* Characters that end an unquoted word in libconfuse's lexer. */
static bool
is_word_end (char c)
{
  return c == '\0' || strchr (" \t\n\r#\"'={}()+,*", c) != NULL;
}

/* Append S in the double-quoted syntax, without '$' expansion and without
 * real newlines (so line numbers stay right). */
static void
put_quoted_chars (struct strbuf *b, const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      unsigned char c = (unsigned char) s[i];
      char esc[8];
      switch (c)
        {
        case '\\': sb_puts (b, "\\\\"); break;
        case '"': sb_puts (b, "\\\""); break;
        case '$': sb_puts (b, "\\$"); break;
        case '\n': sb_puts (b, "\\n"); break;
        case '\t': sb_puts (b, "\\t"); break;
        case '\r': sb_puts (b, "\\r"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            {
              snprintf (esc, sizeof esc, "\\x%02x", c);
              sb_puts (b, esc);
            }
          else
            sb_putc (b, (char) c);
        }
    }
}

static void
lookup_var (struct scan *sc, const char *name, size_t nlen, const char *def,
            size_t dlen, bool has_def, struct strbuf *val)
{
  char *var = xstrndup (name, nlen);
  const char *v = getenv (var);
  char *fallback = NULL;
  /* XDG base directory spec: unset or empty means $HOME/.config. */
  if (sc->ld->settings_mode && strcmp (var, "XDG_CONFIG_HOME") == 0
      && (v == NULL || *v == '\0'))
    {
      const char *home = getenv ("HOME");
      v = home && *home ? (fallback = xasprintf ("%s/.config", home)) : NULL;
    }
  if (v != NULL)
    sb_puts (val, v);
  else if (has_def)
    sb_putn (val, def, dlen);
  else if (sc->ld->settings_mode)
    sb_putc (val, DROPPED_MARK);
  else
    {
      scan_error (sc, sc->line, "environment variable '%s' is not set", var);
      sc->ld->unset_vars = true;
    }
  free (fallback);
  free (var);
}

/* A variable reference at P (before END): ${NAME}, ${NAME:-default} or
 * $NAME.  Returns its length with the value in VAL, 0 for a plain '$', -1
 * for a malformed ${...}. */
static long
scan_var (struct scan *sc, const char *p, const char *end, struct strbuf *val)
{
  if (p + 1 < end && p[1] == '{')
    {
      const char *name = p + 2, *q = name;
      while (q < end && is_name_char (*q))
        q++;
      size_t nlen = (size_t) (q - name);
      const char *def = NULL;
      size_t dlen = 0;
      bool has_def = false;
      if (q + 1 < end && q[0] == ':' && q[1] == '-')
        {
          has_def = true;
          def = q + 2;
          for (q = def; q < end && *q != '}' && *q != '\n' && *q != '"'; q++)
            ;
          dlen = (size_t) (q - def);
        }
      if (nlen == 0 || !is_name_start (*name) || q >= end || *q != '}')
        return -1;
      lookup_var (sc, name, nlen, def, dlen, has_def, val);
      return q + 1 - p;
    }
  if (p + 1 < end && is_name_start (p[1]))
    {
      const char *q = p + 1;
      while (q < end && is_name_char (*q))
        q++;
      lookup_var (sc, p + 1, (size_t) (q - p - 1), NULL, 0, false, val);
      return q - p;
    }
  return 0;
}

/* Expand a '$' at sc->p into the (double-quoted) output. */
static void
put_var (struct scan *sc, const char *end)
{
  struct strbuf val = { 0 };
  long n = scan_var (sc, sc->p, end, &val);
  if (n < 0)
    {
      scan_error (sc, sc->line, "malformed variable reference (use ${NAME}, "
                  "${NAME:-default} or $NAME; write \\$ for a '$')");
      sc->fatal = true;
      n = 1;
    }
  else if (n == 0)
    {
      sb_puts (&sc->out, "\\$");
      n = 1;
    }
  else
    put_quoted_chars (&sc->out, val.s ? val.s : "", val.n);
  free (val.s);
  sc->p += n;
}

/* libconfuse leaks the arguments of a function call that has a syntax
 * error, so such calls never reach it. */
static bool
check_call_syntax (struct scan *sc, enum tok_kind kind, char c, int line)
{
  bool string = kind != TOK_PUNCT;
  if (sc->call == 0)
    {
      if (!string && c == '(')
        {
          sc->call = 1;
          sc->call_line = line;
        }
      return true;
    }
  if (!string && c == ')')
    sc->call = 0;
  else if (sc->call == 1 && string)
    sc->call = 2;
  else if (sc->call == 2 && !string && c == ',')
    sc->call = 1;
  else
    {
      scan_error (sc, line, "syntax error in the arguments of include()");
      sc->fatal = true;
      return false;
    }
  return true;
}

static void
note_token (struct scan *sc, enum tok_kind kind, char c, int line,
            int section)
{
  if (!check_call_syntax (sc, kind, c, line))
    return;
  if (kind == TOK_PUNCT && c == '{')
    {
      if (sc->depth == 0 && sc->tok[0].kind == TOK_WORD)
        {
          int open = -1;
          if (sc->tok[1].kind == TOK_WORD && is_titled (sc->tok[1].section))
            open = sc->tok[1].line;
          else if (sc->tok[0].section >= 0 && !is_titled (sc->tok[0].section))
            open = sc->tok[0].line;
          if (open > 0)
            {
              RESERVE_ONE (sc->opens, sc->n_opens, sc->cap_opens);
              sc->opens[sc->n_opens++] = open;
            }
        }
      if (sc->depth++ == 0)
        sc->open_line = line;
      return;
    }
  if (kind == TOK_PUNCT && c == '}' && sc->depth > 0)
    sc->depth--;
  if (sc->depth > 0)
    return;
  if (kind == TOK_WORD && sc->tok[0].kind == TOK_PUNCT
      && strchr ("=,(", sc->tok[0].c))
    kind = TOK_VALUE;
  sc->tok[1] = sc->tok[0];
  sc->tok[0] = (struct token) { kind, c, line, section };
}

static void
scan_line_comment (struct scan *sc)
{
  while (sc->p < sc->end && *sc->p != '\n')
    sc->p++;
}

/* A comment becomes a space (keeping its newlines). */
static void
scan_block_comment (struct scan *sc)
{
  int start = sc->line;
  sc->p += 2;
  while (sc->p < sc->end)
    {
      if (sc->p[0] == '*' && sc->p + 1 < sc->end && sc->p[1] == '/')
        {
          sc->p += 2;
          sb_putc (&sc->out, ' ');
          return;
        }
      if (*sc->p == '\n')
        {
          sb_putc (&sc->out, '\n');
          sc->line++;
        }
      sc->p++;
    }
  scan_error (sc, start, "unterminated comment");
  sc->fatal = true;
}

/* libconfuse reads "//" as a comment only when the slashes are not the
 * start of a longer unquoted word (its lexer takes the longest match). */
static bool
slashes_start_comment (struct scan *sc)
{
  const char *q = sc->p;
  while (q < sc->end && *q == '/')
    q++;
  size_t slashes = (size_t) (q - sc->p);
  while (q < sc->end && !is_word_end (*q))
    q++;
  return (size_t) (q - sc->p) == slashes;
}

/* A backslash-digit escape in "...": libconfuse's lexer fails on \8, \1234
 * and \400, and then keeps its string state; refuse them here. */
static bool
check_octal_escape (struct scan *sc)
{
  const char *q = sc->p + 1;
  size_t digits = 0, octal = 0;
  unsigned value = 0;
  while (q + digits < sc->end && q[digits] >= '0' && q[digits] <= '9')
    digits++;
  while (octal < digits && octal < 3 && q[octal] <= '7')
    value = value * 8 + (unsigned) (q[octal++] - '0');
  if (digits > octal || value > 0xff)
    {
      scan_error (sc, sc->line, "bad escape sequence '\\%.*s' (octal escapes "
                  "are \\0 to \\377)", (int) digits, q);
      sc->fatal = true;
      return false;
    }
  sb_putn (&sc->out, sc->p, 1 + digits);
  sc->p += 1 + digits;
  return true;
}

static void
scan_double_quoted (struct scan *sc)
{
  int start = sc->line;
  sb_putc (&sc->out, '"');
  sc->p++;
  while (sc->p < sc->end && !sc->fatal)
    {
      char c = *sc->p;
      if (c == '"')
        {
          sb_putc (&sc->out, '"');
          sc->p++;
          return;
        }
      if (c == '$')
        {
          put_var (sc, sc->end);
          continue;
        }
      if (c == '\\' && sc->p + 1 < sc->end && sc->p[1] >= '0' && sc->p[1] <= '9')
        {
          check_octal_escape (sc);
          continue;
        }
      if (c == '\\' && sc->p + 1 < sc->end)
        {
          if (sc->p[1] == '\n')
            sc->line++;
          sb_putn (&sc->out, sc->p, 2);
          sc->p += 2;
          continue;
        }
      if (c == '\n')
        sc->line++;
      sb_putc (&sc->out, c);
      sc->p++;
    }
  if (!sc->fatal)
    {
      scan_error (sc, start, "unterminated string");
      sc->fatal = true;
    }
}

/* '...' is literal: no variables, only \\ and \' escapes. */
static void
scan_single_quoted (struct scan *sc)
{
  int start = sc->line;
  const char *begin = sc->p++;
  while (sc->p < sc->end)
    {
      char c = *sc->p;
      if (c == '\'')
        {
          sc->p++;
          sb_putn (&sc->out, begin, (size_t) (sc->p - begin));
          return;
        }
      if (c == '\\' && sc->p + 1 < sc->end)
        {
          if (sc->p[1] == '\n')
            sc->line++;
          sc->p += 2;
          continue;
        }
      if (c == '\n')
        sc->line++;
      sc->p++;
    }
  scan_error (sc, start, "unterminated string");
  sc->fatal = true;
}

/* An unquoted word.  One with a '$' becomes a double-quoted string, so that
 * ${VAR} may sit inside a path (/home/${USER}/src) and values with spaces
 * stay one word. */
static int
scan_word (struct scan *sc)
{
  const char *start = sc->p, *q = start;
  bool has_var = false;
  while (q < sc->end)
    {
      if (*q == '$')
        {
          has_var = true;
          const char *close = q + 1 < sc->end && q[1] == '{'
                                ? memchr (q, '}', (size_t) (sc->end - q))
                                : NULL;
          if (close && !memchr (q, '\n', (size_t) (close - q)))
            {
              q = close + 1;
              continue;
            }
        }
      if (is_word_end (*q))
        break;
      q++;
    }
  int section = find_section_type (start, (size_t) (q - start));
  if (!has_var)
    {
      sb_putn (&sc->out, start, (size_t) (q - start));
      sc->p = q;
      return section;
    }
  sb_putc (&sc->out, '"');
  while (sc->p < q && !sc->fatal)
    {
      if (*sc->p == '$')
        put_var (sc, q);
      else
        put_quoted_chars (&sc->out, sc->p++, 1);
    }
  sb_putc (&sc->out, '"');
  sc->p = q;
  return -1;
}

/* One step of the scanner at sc->p. */
static void
scan_step (struct scan *sc)
{
  char c = *sc->p;
  char next = sc->p + 1 < sc->end ? sc->p[1] : '\0';
  int line = sc->line;

  if (c == '\n')
    sc->line++;
  if (c == '\n' || c == ' ' || c == '\t' || c == '\r')
    sb_putc (&sc->out, *sc->p++);
  else if (c == '#' || (c == '/' && next == '/' && slashes_start_comment (sc)))
    scan_line_comment (sc);
  else if (c == '/' && next == '*')
    scan_block_comment (sc);
  else if (c == '"')
    {
      scan_double_quoted (sc);
      note_token (sc, TOK_WORD, 0, line, -1);
    }
  else if (c == '\'')
    {
      scan_single_quoted (sc);
      note_token (sc, TOK_WORD, 0, line, -1);
    }
  else if (c != '\0' && strchr ("={}(),+*", c))
    {
      sb_putc (&sc->out, *sc->p++);
      note_token (sc, TOK_PUNCT, c, line, -1);
    }
  else
    {
      int section = scan_word (sc);
      note_token (sc, TOK_WORD, 0, line, section);
    }
}

/* Scan TEXT for the file on top of the frame stack.  Returns false when the
 * text must not be parsed (the error is reported). */
static bool
prescan (struct loader *ld, const char *text, size_t len, struct strbuf *out,
         int **opens, size_t *n_opens)
{
  struct scan sc = { .ld = ld, .p = text, .end = text + len, .line = 1 };
  sb_putn (&sc.out, "", 0);
  while (sc.p < sc.end && !sc.fatal)
    scan_step (&sc);
  if (!sc.fatal && sc.call)
    {
      scan_error (&sc, sc.call_line, "'(' is not closed before the end of "
                  "the file");
      sc.fatal = true;
    }
  /* libconfuse takes a missing '}' at the end for a closed section. */
  if (!sc.fatal && sc.depth > 0)
    {
      scan_error (&sc, sc.open_line, "'{' is not closed before the end of "
                  "the file");
      sc.fatal = true;
    }
  *out = sc.out;
  *opens = sc.opens;
  *n_opens = sc.n_opens;
  return !sc.fatal;
}

/* ------------------------------------------------------------------ */
/* Validate callbacks: recording and per-value checks                  */
/* ------------------------------------------------------------------ */

static int
section_type_of (cfg_t *sec)
{
  return sec && sec->name ? find_section_type (sec->name, strlen (sec->name))
                          : -1;
}

/* "mount '/x': " or "uid_map: " or "" for the top level. */
static char *
context_of (cfg_t *cfg)
{
  int type = section_type_of (cfg);
  if (type < 0)
    return xstrdup ("");
  if (cfg->title)
    return xasprintf ("%s '%s': ", cfg->name, cfg->title);
  return xasprintf ("%s: ", cfg->name);
}

__attribute__ ((format (printf, 4, 5))) static void
value_error (struct loader *ld, cfg_t *cfg, int line, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = xvasprintf (fmt, ap);
  va_end (ap);
  char *ctx = context_of (cfg);
  ld_diag (ld, DIAG_ERROR, line, "%s%s", ctx, msg);
  free (ctx);
  free (msg);
}

static bool
is_absolute (const char *s)
{
  return s != NULL && s[0] == '/';
}

/* "256M", "1048576": bytes, 1024-based suffixes.  False on garbage or
 * overflow. */
static bool
parse_size (const char *s, uint64_t *out, bool *overflow)
{
  *overflow = false;
  if (s == NULL || *s < '0' || *s > '9')
    return false;
  uint64_t v = 0;
  for (; *s >= '0' && *s <= '9'; s++)
    {
      if (v > (UINT64_MAX - (uint64_t) (*s - '0')) / 10)
        {
          *overflow = true;
          return false;
        }
      v = v * 10 + (uint64_t) (*s - '0');
    }
  unsigned shift = 0;
  if (*s != '\0')
    {
      const char *p = strchr ("KMGT", *s);
      if (p == NULL || s[1] != '\0')
        return false;
      shift = 10 * (unsigned) (p - "KMGT" + 1);
    }
  if (shift && v > (UINT64_MAX >> shift))
    {
      *overflow = true;
      return false;
    }
  *out = v << shift;
  return true;
}

/* "1777", "0755": octal, at most 07777. */
static bool
parse_mode (const char *s, mode_t *out)
{
  if (s == NULL || *s == '\0')
    return false;
  unsigned v = 0;
  for (; *s; s++)
    {
      if (*s < '0' || *s > '7')
        return false;
      v = v * 8 + (unsigned) (*s - '0');
      if (v > 07777)
        return false;
    }
  *out = (mode_t) v;
  return true;
}

static bool
valid_hostname (const char *s)
{
  size_t n = strlen (s);
  if (n < 1 || n > 64)
    return false;
  for (; *s; s++)
    if (!is_name_char (*s) || *s == '_')
      if (*s != '-' && *s != '.')
        return false;
  return true;
}

static bool
valid_env_name (const char *s, size_t n)
{
  if (n == 0 || !is_name_start (s[0]))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!is_name_char (s[i]))
      return false;
  return true;
}

typedef void value_check_fn (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt,
                             unsigned idx, int line);

static void
check_absolute (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
                int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  if (!is_absolute (v))
    value_error (ld, cfg, line, "'%s' must be an absolute path, not '%s'",
                 opt->name, v ? v : "");
}

static void
check_hostname (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
                int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  if (v && !valid_hostname (v))
    value_error (ld, cfg, line, "invalid hostname '%s' (1 to 64 letters, "
                 "digits, '-' and '.')", v);
}

static void
check_id (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
          int line)
{
  long v = cfg_opt_getnint (opt, idx);
  if (v < 0 || v > 4294967294L)
    value_error (ld, cfg, line, "'%s' must be between 0 and 4294967294, "
                 "not %ld", opt->name, v);
}

static void
check_time_limit (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
                  int line)
{
  long v = cfg_opt_getnint (opt, idx);
  if (v < 0 || v > (long) UINT_MAX)
    value_error (ld, cfg, line, "'time_limit' must be 0 (none) or a number "
                 "of seconds up to %u, not %ld", UINT_MAX, v);
}

static void
check_namespace (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
                 int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  for (size_t i = 0; v && i < N_NAMESPACES; i++)
    if (strcmp (v, namespace_names[i].name) == 0)
      return;
  value_error (ld, cfg, line, "unknown namespace '%s' (known: "
               KNOWN_NAMESPACES ")", v ? v : "");
}

static void
check_root (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
            int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  if (v && strcmp (v, "tmpfs") != 0 && !is_absolute (v))
    value_error (ld, cfg, line, "'root' must be \"tmpfs\" or an absolute "
                 "path, not '%s'", v);
}

/* name and description are the profile's own: an included file's do not
 * carry over (a profile including base.conf is not called "base"). */
static void
capture_identity (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
                  int line)
{
  struct frame *f = top_frame (ld);
  if (f == NULL || !(f->is_top || f->is_override))
    return;
  char **slot = strcmp (opt->name, "name") == 0 ? &ld->name : &ld->description;
  free (*slot);
  *slot = xstrdup (cfg_opt_getnstr (opt, idx));
}

static void
check_mount_type (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
                  int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  for (size_t i = 0; v && i < N_MOUNT_TYPES; i++)
    if (strcmp (v, mount_types[i].name) == 0)
      return;
  value_error (ld, cfg, line, "unknown type '%s' (known: " KNOWN_MOUNT_TYPES
               ")", v ? v : "");
}

static void
check_size (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
            int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  uint64_t size;
  bool overflow;
  if (parse_size (v, &size, &overflow))
    return;
  if (overflow)
    value_error (ld, cfg, line, "size '%s' is too large", v);
  else
    value_error (ld, cfg, line, "invalid size '%s' (a number of bytes with "
                 "an optional K, M, G or T suffix)", v ? v : "");
}

static void
check_mode (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
            int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  mode_t mode;
  if (!parse_mode (v, &mode))
    value_error (ld, cfg, line, "invalid mode '%s' (an octal number up to "
                 "07777, like \"0755\")", v ? v : "");
}

static void
check_u32 (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
           int line)
{
  long v = cfg_opt_getnint (opt, idx);
  long min = strcmp (opt->name, "count") == 0 ? 1 : 0;
  if (v < min || v > 4294967295L)
    value_error (ld, cfg, line, "'%s' must be between %ld and 4294967295, "
                 "not %ld", opt->name, min, v);
}

static void
check_env_set (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
               int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  const char *eq = v ? strchr (v, '=') : NULL;
  if (eq == NULL)
    value_error (ld, cfg, line, "'set' entry '%s' is not NAME=value",
                 v ? v : "");
  else if (!valid_env_name (v, (size_t) (eq - v)))
    value_error (ld, cfg, line, "'set' entry '%s': invalid variable name "
                 "'%.*s'", v, (int) (eq - v), v);
}

static void
check_env_keep (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
                int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  if (!v || !valid_env_name (v, strlen (v)))
    value_error (ld, cfg, line, "'keep': invalid variable name '%s'",
                 v ? v : "");
}

static void
check_profile_dir (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt,
                   unsigned idx, int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  if (v && !strchr (v, DROPPED_MARK) && !is_absolute (v))
    value_error (ld, cfg, line, "'profile_path' entry '%s' is not an "
                 "absolute path", v);
}

/* Checks of single values, run while parsing (when the line is known). */
static const struct
{
  const char *section;      /* NULL: top level */
  const char *key;
  value_check_fn *check;
} value_checks[] = {
  { NULL, "name", capture_identity },
  { NULL, "description", capture_identity },
  { NULL, "cwd", check_absolute },
  { NULL, "hostname", check_hostname },
  { NULL, "uid", check_id },
  { NULL, "gid", check_id },
  { NULL, "time_limit", check_time_limit },
  { NULL, "namespaces", check_namespace },
  { NULL, "root", check_root },
  { NULL, "profile_path", check_profile_dir },
  { "mount", "type", check_mount_type },
  { "mount", "size", check_size },
  { "mount", "mode", check_mode },
  { "dir", "mode", check_mode },
  { "file", "mode", check_mode },
  { "uid_map", "inside", check_u32 },
  { "uid_map", "outside", check_u32 },
  { "uid_map", "count", check_u32 },
  { "gid_map", "inside", check_u32 },
  { "gid_map", "outside", check_u32 },
  { "gid_map", "count", check_u32 },
  { "environment", "set", check_env_set },
  { "environment", "keep", check_env_keep },
};

static void
check_value (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
             int line)
{
  int type = section_type_of (cfg);
  const char *section = type >= 0 ? section_types[type].name : NULL;
  for (size_t i = 0; i < sizeof value_checks / sizeof value_checks[0]; i++)
    {
      bool same_section = section && value_checks[i].section
                            ? strcmp (section, value_checks[i].section) == 0
                            : section == value_checks[i].section;
      if (same_section && strcmp (opt->name, value_checks[i].key) == 0)
        value_checks[i].check (ld, cfg, opt, idx, line);
    }
}

/* The latest record of KEY (in SCOPE unless it is -1; only "=" ones when
 * ASSIGNED). */
static struct key_rec *
find_key (struct loader *ld, int scope, const char *key, bool assigned)
{
  for (size_t i = ld->n_keys; i-- > 0;)
    if ((scope < 0 || ld->keys[i].scope == scope)
        && (!assigned || ld->keys[i].assigned)
        && strcmp (ld->keys[i].key, key) == 0)
      return &ld->keys[i];
  return NULL;
}

/* An assignment in a section that may appear more than once: its keys
 * belong to that one declaration. */
static void
note_section_key (struct loader *ld, cfg_t *cfg, const char *key, int line,
                  bool assigned)
{
  if (ld->pending_cfg != cfg)
    {
      clear_pending (ld);
      ld->pending_cfg = cfg;
    }
  for (size_t i = 0; assigned && i < ld->n_pending; i++)
    if (strcmp (ld->pending[i].key, key) == 0)
      {
        char *ctx = context_of (cfg);
        ld_diag (ld, DIAG_ERROR, line, "%s'%s' is set twice (first at line %d)",
                 ctx, key, ld->pending[i].line);
        free (ctx);
        return;
      }
  RESERVE_ONE (ld->pending, ld->n_pending, ld->cap_pending);
  ld->pending[ld->n_pending++] = (struct key_line) { xstrdup (key), line };
}

/* An assignment at the top level or in a single section: set twice in one
 * file is an error; a later file overriding an earlier one is the point. */
static void
note_assignment (struct loader *ld, cfg_t *cfg, const char *name, int line,
                 bool assigned)
{
  struct frame *f = top_frame (ld);
  if (f == NULL)
    return;
  int type = section_type_of (cfg);
  if (is_multi (type))
    {
      note_section_key (ld, cfg, name, line, assigned);
      return;
    }
  char *key = type >= 0 ? xasprintf ("%s.%s", cfg->name, name) : xstrdup (name);
  struct key_rec *prev = find_key (ld, f->id, key, true);
  if (assigned && prev)
    ld_diag (ld, DIAG_ERROR, line, "'%s' is set twice in this file (first at "
             "line %d)", key, prev->line);
  RESERVE_ONE (ld->keys, ld->n_keys, ld->cap_keys);
  ld->keys[ld->n_keys++] = (struct key_rec) { f->id, key, f->path, line,
                                              assigned };
}

/* The validate callback of every option: runs for each value as it is
 * parsed (for a list: per element, then once more at its closing brace). */
static int
on_value (cfg_t *cfg, cfg_opt_t *opt)
{
  struct loader *ld = current_loader;
  if (ld == NULL)
    return 0;
  unsigned n = cfg_opt_size (opt);
  int line = cfg->line;
  if (opt->flags & CFGF_LIST)
    {
      bool same = ld->open_list == opt && ld->open_cfg == cfg;
      if (same && n == ld->open_n)
        {
          ld->open_list = NULL;     /* the closing brace */
          return 0;
        }
      if (!same || n != ld->open_n + 1)
        note_assignment (ld, cfg, opt->name, line, n <= 1);
      ld->open_list = opt;
      ld->open_cfg = cfg;
      ld->open_n = n;
    }
  else
    {
      ld->open_list = NULL;
      note_assignment (ld, cfg, opt->name, line, true);
    }
  if (n > 0)
    check_value (ld, cfg, opt, n - 1, line);
  return 0;
}

static struct sec_rec *
rec_of (struct loader *ld, cfg_t *sec)
{
  if (sec == NULL || sec->comment == NULL)
    return NULL;
  char *end;
  unsigned long i = strtoul (sec->comment, &end, 10);
  return *end == '\0' && i < ld->n_secs ? &ld->secs[i] : NULL;
}

static struct sec_rec *
find_live_titled (struct loader *ld, int type, const char *title,
                  const struct sec_rec *except)
{
  for (size_t i = 0; i < ld->n_secs; i++)
    {
      struct sec_rec *r = &ld->secs[i];
      if (r != except && !r->dead && r->type == type && r->title
          && strcmp (r->title, title) == 0)
        return r;
    }
  return NULL;
}

/* A titled section declared again: in the same file an error; in a later
 * file it replaces the earlier declaration entirely (libconfuse frees the
 * old one; keys are not merged) and takes its place in the entry order. */
static void
handle_redeclaration (struct loader *ld, struct sec_rec *rec)
{
  struct sec_rec *old = find_live_titled (ld, rec->type, rec->title, rec);
  if (old == NULL)
    return;
  if (old->instance == rec->instance)
    ld_diag (ld, DIAG_ERROR, rec->line, "%s '%s' is declared twice in this "
             "file (first at line %d)", section_types[rec->type].name,
             rec->title, old->line);
  rec->seq = old->seq;
  old->dead = true;
}

/* uid_map and gid_map ranges add up within a file; a file declaring any
 * replaces those that came from other files before it. */
static void
replace_other_files_ranges (struct loader *ld, cfg_opt_t *opt,
                            const struct sec_rec *rec)
{
  for (unsigned i = cfg_opt_size (opt); i-- > 0;)
    {
      struct sec_rec *r = rec_of (ld, cfg_opt_getnsec (opt, i));
      if (r && r != rec && r->instance != rec->instance)
        {
          r->dead = true;
          cfg_opt_rmnsec (opt, i);
        }
    }
}

static struct sec_rec *
new_sec_rec (struct loader *ld, int type, cfg_t *sec, int close_line)
{
  struct frame *f = top_frame (ld);
  int line = close_line;
  if (f && f->next_open < f->n_opens)
    line = f->opens[f->next_open++];
  RESERVE_ONE (ld->secs, ld->n_secs, ld->cap_secs);
  struct sec_rec *rec = &ld->secs[ld->n_secs];
  *rec = (struct sec_rec) { .type = type, .title = xstrdup (sec->title),
                            .file = f ? f->path : "?", .line = line,
                            .instance = f ? f->id : -1, .seq = ld->seq++ };
  if (ld->pending_cfg == sec)
    {
      rec->keys = ld->pending;
      rec->n_keys = ld->n_pending;
      rec->cap_keys = ld->cap_pending;
      ld->pending = NULL;
      ld->n_pending = ld->cap_pending = 0;
    }
  clear_pending (ld);
  sec->comment = xasprintf ("%zu", ld->n_secs++);
  return rec;
}

/* The validate callback of a section, at its closing brace. */
static int
on_section (cfg_t *cfg, cfg_opt_t *opt)
{
  struct loader *ld = current_loader;
  if (ld == NULL)
    return 0;
  ld->open_list = NULL;
  int type = find_section_type (opt->name, strlen (opt->name));
  cfg_t *sec = NULL;
  for (unsigned i = 0; i < cfg_opt_size (opt); i++)
    {
      cfg_t *s = cfg_opt_getnsec (opt, i);
      if (s && s->comment == NULL)
        sec = s;
    }
  if (sec == NULL || type < 0)
    {
      /* a single section seen before: its keys are already recorded */
      struct frame *f = top_frame (ld);
      if (f && f->next_open < f->n_opens)
        f->next_open++;
      clear_pending (ld);
      return 0;
    }
  struct sec_rec *rec = new_sec_rec (ld, type, sec, cfg->line);
  if (is_titled (type))
    handle_redeclaration (ld, rec);
  else if (is_multi (type))
    replace_other_files_ranges (ld, opt, rec);
  return 0;
}

__attribute__ ((format (printf, 2, 0))) static void
on_confuse_error (cfg_t *cfg, const char *fmt, va_list ap)
{
  struct loader *ld = current_loader;
  if (ld == NULL)
    return;
  char *msg = xvasprintf (fmt, ap);
  ld_diag (ld, DIAG_ERROR, cfg ? cfg->line : 0, "%s", msg);
  free (msg);
}

static void
set_callbacks (cfg_opt_t *opts)
{
  for (size_t i = 0; opts[i].name; i++)
    {
      if (opts[i].type == CFGT_SEC)
        {
          opts[i].validcb = on_section;
          set_callbacks (opts[i].subopts);
        }
      else if (opts[i].type != CFGT_FUNC)
        opts[i].validcb = on_value;
    }
}

/* ------------------------------------------------------------------ */
/* Parsing files into the one tree                                     */
/* ------------------------------------------------------------------ */

static void
push_frame (struct loader *ld, const char *path, const char *dir,
            const struct stat *st, bool is_top, bool is_override)
{
  RESERVE_ONE (ld->frames, ld->n_frames, ld->cap_frames);
  ld->frames[ld->n_frames++] = (struct frame) {
    .path = intern_file (ld, path), .dir = dir ? xstrdup (dir) : NULL,
    .dev = st ? st->st_dev : 0, .ino = st ? st->st_ino : 0,
    .id = ld->next_instance++, .is_top = is_top, .is_override = is_override,
  };
}

static void
pop_frame (struct loader *ld)
{
  struct frame *f = &ld->frames[--ld->n_frames];
  free (f->dir);
  free (f->opens);
  free_held (f->held, f->n_held);
}

/* Parse TEXT, the file on top of the frame stack, into ld->cfg.  Returns
 * -1 when libconfuse stopped on an error (the tree is then incomplete). */
static int
parse_top_frame (struct loader *ld, const char *text, size_t len)
{
  struct frame *f = top_frame (ld);
  struct strbuf out;
  if (!prescan (ld, text, len, &out, &f->opens, &f->n_opens))
    {
      free (out.s);
      return 0;        /* reported; libconfuse's state is untouched */
    }
  FILE *fp = fmemopen (out.s, out.n, "r");
  if (fp == NULL)
    {
      ld_diag (ld, DIAG_ERROR, 0, "cannot read: %s", strerror (errno));
      free (out.s);
      return -1;
    }
  cfg_t *cfg = ld->cfg;
  char *saved_file = cfg->filename;
  int saved_line = cfg->line;
  cfg->filename = xstrdup (f->path);
  ld->open_list = NULL;
  int rc = cfg_parse_fp (cfg, fp);
  ld->open_list = NULL;
  clear_pending (ld);
  fclose (fp);
  free (out.s);
  free (cfg->filename);
  cfg->filename = saved_file;
  cfg->line = saved_line;
  if (rc != CFG_SUCCESS)
    ld->parse_failed = true;
  return rc == CFG_SUCCESS ? 0 : -1;
}

static bool
file_exists (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0;
}

/* Where include(NAME) finds its file: absolute as is; else next to the
 * including file, then in each directory of the search path. */
static char *
resolve_include (struct loader *ld, const char *name, struct strbuf *searched)
{
  if (name[0] == '/')
    return xstrdup (name);
  struct frame *f = top_frame (ld);
  if (f && f->dir)
    {
      char *path = join_path (f->dir, name);
      if (file_exists (path))
        return path;
      sb_puts (searched, *f->dir ? f->dir : ".");
      free (path);
    }
  for (size_t i = 0; ld->settings && i < ld->settings->n_profile_path; i++)
    {
      char *path = join_path (ld->settings->profile_path[i], name);
      if (file_exists (path))
        return path;
      if (searched->n)
        sb_puts (searched, ", ");
      sb_puts (searched, ld->settings->profile_path[i]);
      free (path);
    }
  return NULL;
}

static bool
is_include_cycle (struct loader *ld, const struct stat *st, const char *path,
                  int line, const char *name)
{
  for (size_t i = 0; i < ld->n_frames; i++)
    if (ld->frames[i].ino == st->st_ino && ld->frames[i].dev == st->st_dev
        && ld->frames[i].ino != 0)
      {
        struct strbuf chain = { 0 };
        for (size_t j = i; j < ld->n_frames; j++)
          {
            sb_puts (&chain, ld->frames[j].path);
            sb_puts (&chain, " -> ");
          }
        sb_puts (&chain, path);
        ld_diag (ld, DIAG_ERROR, line, "include(\"%s\"): include cycle (%s)",
                 name, chain.s);
        free (chain.s);
        return true;
      }
  return false;
}

static int
include_file (struct loader *ld, const char *name, int line)
{
  if (ld->n_frames > MAX_INCLUDE_DEPTH)
    {
      ld_diag (ld, DIAG_ERROR, line, "include(\"%s\"): includes nested too "
               "deeply (more than %d levels)", name, MAX_INCLUDE_DEPTH);
      return 0;
    }
  struct strbuf searched = { 0 };
  char *path = resolve_include (ld, name, &searched);
  if (path == NULL)
    {
      ld_diag (ld, DIAG_ERROR, line, "include(\"%s\"): not found (searched: "
               "%s)", name, searched.n ? searched.s : "nowhere");
      free (searched.s);
      return 0;
    }
  free (searched.s);

  struct stat st;
  size_t len;
  int rc = 0;
  char *text = read_text (path, ld->diags, &len, &st, NULL);
  if (text && !is_include_cycle (ld, &st, path, line, name))
    {
      char *dir = dir_of (path);
      push_frame (ld, path, dir, &st, false, false);
      rc = parse_top_frame (ld, text, len);
      pop_frame (ld);
      free (dir);
    }
  free (text);
  free (path);
  return rc;
}

static int
include_func (cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv)
{
  struct loader *ld = current_loader;
  if (ld == NULL)
    return 1;
  ld->open_list = NULL;
  if (argc != 1)
    {
      ld_diag (ld, DIAG_ERROR, cfg->line, "include() takes one file name");
      return 0;
    }
  if (top_frame (ld) && top_frame (ld)->is_override)
    {
      ld_diag (ld, DIAG_ERROR, 0, "include() cannot be used in -D");
      return 0;
    }
  /* A failed nested parse stops this one too: libconfuse's lexer state is
   * only known to be clean between whole files. */
  return include_file (ld, argv[0], cfg->line) < 0 ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* -D overrides                                                        */
/* ------------------------------------------------------------------ */

static cfg_opt_t *
find_opt (cfg_opt_t *opts, const char *name, size_t len)
{
  for (size_t i = 0; opts && opts[i].name; i++)
    if (strlen (opts[i].name) == len && memcmp (opts[i].name, name, len) == 0)
      return &opts[i];
  return NULL;
}

/* The snippet "KEY = VALUE" (or "SECTION { KEY = VALUE }") for one -D, or
 * NULL after a diagnostic. */
static char *
override_snippet (struct loader *ld, const char *arg)
{
  const char *eq = strchr (arg, '=');
  if (eq == NULL || eq == arg)
    {
      ld_diag (ld, DIAG_ERROR, 0, "'%s' is not KEY=VALUE", arg);
      return NULL;
    }
  size_t klen = (size_t) (eq - arg);
  bool append = arg[klen - 1] == '+';
  if (append)
    klen--;
  char *key = xstrndup (arg, klen);
  const char *dot = strchr (key, '.');
  char *snippet = NULL;
  cfg_opt_t *opt = find_opt (ld->cfg->opts, key, dot ? (size_t) (dot - key)
                                                     : klen);
  const char *op = append ? "+=" : "=";
  if (opt && !dot && opt->type != CFGT_SEC && opt->type != CFGT_FUNC)
    snippet = xasprintf ("%s %s %s\n", key, op, eq + 1);
  else if (opt && dot && opt->type == CFGT_SEC && !(opt->flags & CFGF_MULTI)
           && find_opt (opt->subopts, dot + 1, strlen (dot + 1)))
    snippet = xasprintf ("%.*s {\n%s %s %s\n}\n", (int) (dot - key), key,
                         dot + 1, op, eq + 1);
  else if (opt && opt->type == CFGT_SEC && (opt->flags & CFGF_MULTI))
    ld_diag (ld, DIAG_ERROR, 0, "'%s' may appear more than once: it cannot "
             "be set with -D", opt->name);
  else if (opt && opt->type == CFGT_SEC && !dot)
    ld_diag (ld, DIAG_ERROR, 0, "'%s' is a section: use -D %s.KEY=VALUE",
             key, key);
  else
    ld_diag (ld, DIAG_ERROR, 0, "no such option '%s'", key);
  free (key);
  return snippet;
}

static void
apply_overrides (struct loader *ld, char *const *overrides, size_t n)
{
  for (size_t i = 0; i < n && !ld->parse_failed; i++)
    {
      push_frame (ld, OVERRIDE_FILE, NULL, NULL, false, true);
      char *snippet = override_snippet (ld, overrides[i]);
      if (snippet)
        parse_top_frame (ld, snippet, strlen (snippet));
      free (snippet);
      pop_frame (ld);
    }
}

/* ------------------------------------------------------------------ */
/* From the tree to the spec                                           */
/* ------------------------------------------------------------------ */

static const struct key_rec *
key_origin (struct loader *ld, const char *key)
{
  return find_key (ld, -1, key, false);
}

static int
sec_key_line (const struct sec_rec *rec, const char *key)
{
  for (size_t i = 0; rec && i < rec->n_keys; i++)
    if (strcmp (rec->keys[i].key, key) == 0)
      return rec->keys[i].line;
  return rec ? rec->line : 0;
}

__attribute__ ((format (printf, 5, 6))) static void
sec_diag (struct loader *ld, enum diag_severity sev, const struct sec_rec *rec,
          int line, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = xvasprintf (fmt, ap);
  va_end (ap);
  const char *name = section_types[rec->type].name;
  if (rec->title)
    ld_diag_at (ld, sev, rec->file, line, "%s '%s': %s", name, rec->title, msg);
  else
    ld_diag_at (ld, sev, rec->file, line, "%s: %s", name, msg);
  free (msg);
}

/* "/a//b/./c/" -> "/a/b/c".  False (with *why) for a relative path or "..". */
static bool
normalize_dest (const char *in, char **out, const char **why)
{
  if (!is_absolute (in))
    {
      *why = "the destination must be an absolute path";
      return false;
    }
  struct strbuf b = { 0 };
  const char *p = in;
  while (*p)
    {
      while (*p == '/')
        p++;
      const char *end = strchrnul (p, '/');
      size_t n = (size_t) (end - p);
      if (n == 2 && p[0] == '.' && p[1] == '.')
        {
          free (b.s);
          *why = "the destination must not contain '..'";
          return false;
        }
      if (n > 0 && !(n == 1 && p[0] == '.'))
        {
          sb_putc (&b, '/');
          sb_putn (&b, p, n);
        }
      p = end;
    }
  *out = b.n ? b.s : (free (b.s), xstrdup ("/"));
  return true;
}

static struct fs_entry *
new_entry (struct jail_spec *spec, enum fs_entry_kind kind,
           const struct sec_rec *rec)
{
  struct fs_entry *e;
  spec->entries = xrealloc (spec->entries,
                            (spec->n_entries + 1) * sizeof *spec->entries);
  e = &spec->entries[spec->n_entries++];
  memset (e, 0, sizeof *e);
  e->kind = kind;
  e->origin.file = xstrdup (rec->file);
  e->origin.line = rec->line;
  return e;
}

/* The destination of an entry, or NULL after a diagnostic. */
static char *
entry_dest (struct loader *ld, const struct sec_rec *rec, bool allow_root)
{
  char *dest = NULL;
  const char *why = NULL;
  if (!normalize_dest (rec->title ? rec->title : "", &dest, &why))
    {
      sec_diag (ld, DIAG_ERROR, rec, rec->line, "%s", why);
      return NULL;
    }
  if (!allow_root && strcmp (dest, "/") == 0)
    {
      sec_diag (ld, DIAG_ERROR, rec, rec->line, "the destination cannot be "
                "'/' (the jail's root; see 'root')");
      free (dest);
      return NULL;
    }
  return dest;
}

/* A host path a mount reads: absolute, and present unless optional. */
static void
check_host_path (struct loader *ld, const struct sec_rec *rec, const char *key,
                 const char *path, bool optional)
{
  int line = sec_key_line (rec, key);
  if (!is_absolute (path))
    {
      sec_diag (ld, DIAG_ERROR, rec, line, "%s must be an absolute path, not "
                "'%s'", key, path);
      return;
    }
  struct stat st;
  if (optional || ld->unset_vars || stat (path, &st) == 0)
    return;
  if (errno == ENOENT)
    sec_diag (ld, DIAG_ERROR, rec, line, "%s '%s' does not exist", key, path);
  else
    sec_diag (ld, DIAG_ERROR, rec, line, "%s '%s': %s", key, path,
              strerror (errno));
}

static int
mount_type_index (const char *type)
{
  for (size_t i = 0; type && i < N_MOUNT_TYPES; i++)
    if (strcmp (type, mount_types[i].name) == 0)
      return (int) i;
  return -1;
}

/* Keys that mean nothing for the mount's type are errors. */
static void
check_mount_keys (struct loader *ld, const struct sec_rec *rec, int t,
                  bool has_upper)
{
  for (size_t i = 0; i < rec->n_keys; i++)
    {
      const char *key = rec->keys[i].key;
      size_t n = strlen (key);
      const char *allowed = mount_types[t].keys;
      bool ok = strcmp (key, "type") == 0;
      for (const char *p = allowed; !ok && (p = strstr (p, key)); p += n)
        ok = (p == allowed || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0');
      if (ok && has_upper && (strcmp (key, "size") == 0
                              || strcmp (key, "mode") == 0
                              || strcmp (key, "writable") == 0))
        {
          sec_diag (ld, DIAG_ERROR, rec, rec->keys[i].line, "'%s' is only for "
                    "an overlay without 'upper'", key);
          continue;
        }
      if (!ok)
        sec_diag (ld, DIAG_ERROR, rec, rec->keys[i].line, "'%s' is not valid "
                  "for a %s mount", key, mount_types[t].name);
    }
}

static void
warn_dangerous_bind (struct loader *ld, const struct sec_rec *rec,
                     const char *source)
{
  static const char *const host_dirs[] = { "/", "/proc", "/sys", "/dev" };
  char *norm = NULL;
  const char *why;
  if (!normalize_dest (source, &norm, &why))
    return;
  for (size_t i = 0; i < sizeof host_dirs / sizeof host_dirs[0]; i++)
    if (strcmp (norm, host_dirs[i]) == 0)
      sec_diag (ld, DIAG_WARNING, rec, sec_key_line (rec, "writable"),
                "writable bind of the host's %s", host_dirs[i]);
  free (norm);
}

static void
build_bind (struct loader *ld, struct fs_entry *e, cfg_t *sec,
            const struct sec_rec *rec)
{
  const char *source = cfg_getstr (sec, "source");
  if (source == NULL)
    {
      sec_diag (ld, DIAG_ERROR, rec, rec->line, "a bind mount needs 'source'");
      return;
    }
  e->source = xstrdup (source);
  check_host_path (ld, rec, "source", source, e->optional);
  if (e->writable)
    warn_dangerous_bind (ld, rec, source);
}

static void
build_overlay (struct loader *ld, struct fs_entry *e, cfg_t *sec,
               const struct sec_rec *rec)
{
  e->n_lower = cfg_size (sec, "lower");
  if (e->n_lower == 0)
    sec_diag (ld, DIAG_ERROR, rec, rec->line, "an overlay needs 'lower' (at "
              "least one directory)");
  e->lower = xcalloc (e->n_lower + 1, sizeof *e->lower);
  for (size_t i = 0; i < e->n_lower; i++)
    {
      e->lower[i] = xstrdup (cfg_getnstr (sec, "lower", (unsigned) i));
      check_host_path (ld, rec, "lower", e->lower[i], e->optional);
    }
  e->upper = xstrdup (cfg_getstr (sec, "upper"));
  e->work = xstrdup (cfg_getstr (sec, "work"));
  if ((e->upper == NULL) != (e->work == NULL))
    sec_diag (ld, DIAG_ERROR, rec, sec_key_line (rec, e->upper ? "upper"
                                                               : "work"),
              "'upper' and 'work' go together");
  if (e->upper)
    check_host_path (ld, rec, "upper", e->upper, e->optional);
  if (e->work)
    check_host_path (ld, rec, "work", e->work, e->optional);
}

static void
build_mount (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
             const struct sec_rec *rec)
{
  const char *type = cfg_getstr (sec, "type");
  int t = mount_type_index (type);
  if (type == NULL)
    sec_diag (ld, DIAG_ERROR, rec, rec->line, "missing 'type' (one of: "
              KNOWN_MOUNT_TYPES ")");
  char *dest = entry_dest (ld, rec, true);
  if (t < 0 || dest == NULL)
    {
      free (dest);
      return;       /* an unknown type was reported while parsing */
    }
  struct fs_entry *e = new_entry (spec, mount_types[t].kind, rec);
  e->dest = dest;
  e->writable = cfg_getbool (sec, "writable");
  e->optional = cfg_getbool (sec, "optional");
  const char *size = cfg_getstr (sec, "size");
  bool overflow;
  if (size)
    parse_size (size, &e->size, &overflow);
  const char *mode = cfg_getstr (sec, "mode");
  e->has_mode = mode && parse_mode (mode, &e->mode);
  check_mount_keys (ld, rec, t, cfg_getstr (sec, "upper") != NULL);
  if (e->kind == FS_BIND)
    build_bind (ld, e, sec, rec);
  else if (e->kind == FS_OVERLAY)
    build_overlay (ld, e, sec, rec);
}

static void
build_symlink (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
               const struct sec_rec *rec)
{
  const char *target = cfg_getstr (sec, "target");
  char *dest = entry_dest (ld, rec, false);
  if (target == NULL || *target == '\0')
    sec_diag (ld, DIAG_ERROR, rec, rec->line, "missing 'target'");
  if (dest == NULL || target == NULL)
    {
      free (dest);
      return;
    }
  struct fs_entry *e = new_entry (spec, FS_SYMLINK, rec);
  e->dest = dest;
  e->target = xstrdup (target);
}

static void
build_dir (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
           const struct sec_rec *rec)
{
  char *dest = entry_dest (ld, rec, false);
  if (dest == NULL)
    return;
  struct fs_entry *e = new_entry (spec, FS_DIR, rec);
  e->dest = dest;
  e->has_mode = true;
  if (!parse_mode (cfg_getstr (sec, "mode"), &e->mode))
    e->mode = 0755;
}

static void
build_file (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
            const struct sec_rec *rec)
{
  char *dest = entry_dest (ld, rec, false);
  if (dest == NULL)
    return;
  struct fs_entry *e = new_entry (spec, FS_FILE, rec);
  e->dest = dest;
  const char *content = cfg_getstr (sec, "content");
  e->content = xstrdup (content ? content : "");
  e->content_len = strlen (e->content);
  e->has_mode = true;
  if (!parse_mode (cfg_getstr (sec, "mode"), &e->mode))
    e->mode = 0644;
}

static void
build_id_range (struct loader *ld, struct id_map *map, cfg_t *sec,
                const struct sec_rec *rec)
{
  bool ok = true;
  static const char *const required[] = { "inside", "outside" };
  for (size_t i = 0; i < 2; i++)
    if (cfg_size (sec, required[i]) == 0)
      {
        sec_diag (ld, DIAG_ERROR, rec, rec->line, "missing '%s'", required[i]);
        ok = false;
      }
  long inside = cfg_getint (sec, "inside"), outside = cfg_getint (sec, "outside");
  long count = cfg_getint (sec, "count");
  if (!ok || inside < 0 || outside < 0 || count < 1 || inside > 4294967295L
      || outside > 4294967295L || count > 4294967295L)
    return;         /* out-of-range values were reported while parsing */
  if (inside + count > 4294967295L || outside + count > 4294967295L)
    {
      sec_diag (ld, DIAG_ERROR, rec, sec_key_line (rec, "count"), "the range "
                "goes past 4294967295 (inside + count and outside + count "
                "must not)");
      return;
    }
  map->ranges = xrealloc (map->ranges,
                          (map->n_ranges + 1) * sizeof *map->ranges);
  map->ranges[map->n_ranges++] = (struct id_range) {
    (uint32_t) inside, (uint32_t) outside, (uint32_t) count,
    { xstrdup (rec->file), rec->line }
  };
}

static void
build_uid_map (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
               const struct sec_rec *rec)
{
  build_id_range (ld, &spec->uid_map, sec, rec);
}

static void
build_gid_map (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
               const struct sec_rec *rec)
{
  build_id_range (ld, &spec->gid_map, sec, rec);
}

static char **
copy_list (cfg_t *cfg, const char *key, size_t *n)
{
  *n = cfg_size (cfg, key);
  char **v = xcalloc (*n + 1, sizeof *v);
  for (size_t i = 0; i < *n; i++)
    v[i] = xstrdup (cfg_getnstr (cfg, key, (unsigned) i));
  return v;
}

static void
build_environment (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
                   const struct sec_rec *rec)
{
  spec->env.clear = cfg_getbool (sec, "clear");
  spec->env.keep = copy_list (sec, "keep", &spec->env.n_keep);
  spec->env.set = copy_list (sec, "set", &spec->env.n_set);
}

struct live_section
{
  cfg_t *sec;
  const struct sec_rec *rec;
  int type;
};

static int
compare_live (const void *a, const void *b)
{
  long x = ((const struct live_section *) a)->rec
             ? ((const struct live_section *) a)->rec->seq : -1;
  long y = ((const struct live_section *) b)->rec
             ? ((const struct live_section *) b)->rec->seq : -1;
  return (x > y) - (x < y);
}

/* Every section of the tree, in profile order. */
static struct live_section *
collect_sections (struct loader *ld, size_t *n)
{
  struct live_section *v = NULL;
  size_t cap = 0;
  *n = 0;
  for (size_t t = 0; t < N_SECTION_TYPES; t++)
    {
      cfg_opt_t *opt = cfg_getopt (ld->cfg, section_types[t].name);
      for (unsigned i = 0; i < cfg_opt_size (opt); i++)
        {
          RESERVE_ONE (v, *n, cap);
          cfg_t *sec = cfg_opt_getnsec (opt, i);
          v[(*n)++] = (struct live_section) { sec, rec_of (ld, sec), (int) t };
        }
    }
  if (*n)
    qsort (v, *n, sizeof *v, compare_live);
  return v;
}

static void
build_sections (struct loader *ld, struct jail_spec *spec)
{
  size_t n;
  struct live_section *v = collect_sections (ld, &n);
  for (size_t i = 0; i < n; i++)
    {
      struct sec_rec fallback = { .type = v[i].type, .file = spec->origin.file };
      const struct sec_rec *rec = v[i].rec ? v[i].rec : &fallback;
      section_types[v[i].type].build (ld, spec, v[i].sec, rec);
    }
  free (v);
}

static char *
default_name (const char *path)
{
  if (path == NULL)
    return xstrdup ("default");
  const char *base = strrchr (path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen (base);
  if (has_suffix (base, ".conf") && n > 5)
    n -= 5;
  return xstrndup (base, n);
}

static void
build_top_level (struct loader *ld, struct jail_spec *spec, const char *path)
{
  cfg_t *cfg = ld->cfg;
  spec->name = ld->name ? xstrdup (ld->name) : default_name (path);
  spec->description = xstrdup (ld->description ? ld->description : "");
  spec->argv = copy_list (cfg, "argv", &spec->n_argv);
  spec->cwd = xstrdup (cfg_getstr (cfg, "cwd"));
  spec->hostname = xstrdup (cfg_getstr (cfg, "hostname"));
  spec->uid = (uid_t) cfg_getint (cfg, "uid");
  spec->gid = (gid_t) cfg_getint (cfg, "gid");
  long limit = cfg_getint (cfg, "time_limit");
  spec->time_limit = limit > 0 && limit <= (long) UINT_MAX ? (unsigned) limit
                                                           : 0;
  for (unsigned i = 0; i < cfg_size (cfg, "namespaces"); i++)
    for (size_t j = 0; j < N_NAMESPACES; j++)
      if (strcmp (cfg_getnstr (cfg, "namespaces", i), namespace_names[j].name)
          == 0)
        spec->namespaces |= namespace_names[j].bit;
  const char *root = cfg_getstr (cfg, "root");
  spec->root = root && strcmp (root, "tmpfs") != 0 ? xstrdup (root) : NULL;
}

/* A diagnostic about a top-level key, at the line that set it last. */
__attribute__ ((format (printf, 5, 6))) static void
key_diag (struct loader *ld, enum diag_severity sev, const char *key,
          const struct spec_origin *fallback, const char *fmt, ...)
{
  const struct key_rec *k = key_origin (ld, key);
  va_list ap;
  va_start (ap, fmt);
  char *msg = xvasprintf (fmt, ap);
  va_end (ap);
  ld_diag_at (ld, sev, k ? k->file : fallback->file, k ? k->line : fallback->line,
              "%s", msg);
  free (msg);
}

static const char *
kind_name (enum fs_entry_kind kind)
{
  switch (kind)
    {
    case FS_SYMLINK: return "symlink";
    case FS_DIR: return "dir";
    case FS_FILE: return "file";
    default: return "mount";
    }
}

static void
check_destinations (struct loader *ld, const struct jail_spec *spec)
{
  for (size_t i = 0; i < spec->n_entries; i++)
    for (size_t j = 0; j < i; j++)
      if (strcmp (spec->entries[i].dest, spec->entries[j].dest) == 0)
        {
          const struct fs_entry *a = &spec->entries[j], *b = &spec->entries[i];
          ld_diag_at (ld, DIAG_ERROR, b->origin.file, b->origin.line,
                      "%s '%s': '%s' is already used by the %s at %s:%d",
                      kind_name (b->kind), b->dest, b->dest, kind_name (a->kind),
                      a->origin.file, a->origin.line);
          break;
        }
}

static bool
ranges_overlap (uint32_t a, uint32_t n, uint32_t b, uint32_t m)
{
  return (uint64_t) a < (uint64_t) b + m && (uint64_t) b < (uint64_t) a + n;
}

static void
check_id_map (struct loader *ld, const struct id_map *map, const char *name)
{
  if (map->n_ranges > MAX_ID_RANGES)
    ld_diag_at (ld, DIAG_ERROR, map->ranges[MAX_ID_RANGES].origin.file,
                map->ranges[MAX_ID_RANGES].origin.line, "%s: more than %d "
                "ranges", name, MAX_ID_RANGES);
  for (size_t i = 0; i < map->n_ranges; i++)
    for (size_t j = 0; j < i; j++)
      {
        const struct id_range *a = &map->ranges[j], *b = &map->ranges[i];
        bool in = ranges_overlap (a->inside, a->count, b->inside, b->count);
        bool out = ranges_overlap (a->outside, a->count, b->outside, b->count);
        if (in || out)
          ld_diag_at (ld, DIAG_ERROR, b->origin.file, b->origin.line,
                      "%s: the %s ids overlap the range at %s:%d", name,
                      in ? "inside" : "outside", a->origin.file,
                      a->origin.line);
      }
}

static bool
id_mapped (const struct id_map *map, uint32_t id)
{
  for (size_t i = 0; i < map->n_ranges; i++)
    if (id >= map->ranges[i].inside
        && (uint64_t) id < (uint64_t) map->ranges[i].inside + map->ranges[i].count)
      return true;
  return false;
}

static void
check_ids (struct loader *ld, const struct jail_spec *spec, const char *key,
           uint32_t id, const struct id_map *map, const char *map_name)
{
  if (map->n_ranges == 0)
    return;
  if (!(spec->namespaces & JAIL_NS_USER))
    ld_diag_at (ld, DIAG_ERROR, map->ranges[0].origin.file,
                map->ranges[0].origin.line, "%s needs the 'user' namespace",
                map_name);
  if (!id_mapped (map, id))
    key_diag (ld, DIAG_ERROR, key, &map->ranges[0].origin, "'%s' %u is not "
              "mapped by any %s range", key, id, map_name);
}

static void
check_root_dir (struct loader *ld, const struct jail_spec *spec)
{
  struct stat st;
  if (spec->root == NULL || !is_absolute (spec->root) || ld->unset_vars)
    return;
  if (stat (spec->root, &st) < 0)
    key_diag (ld, DIAG_ERROR, "root", &spec->origin, "root '%s': %s",
              spec->root, strerror (errno));
  else if (!S_ISDIR (st.st_mode))
    key_diag (ld, DIAG_ERROR, "root", &spec->origin, "root '%s' is not a "
              "directory", spec->root);
}

/* The rules that involve more than one value. */
static void
check_spec (struct loader *ld, const struct jail_spec *spec)
{
  check_destinations (ld, spec);
  check_id_map (ld, &spec->uid_map, "uid_map");
  check_id_map (ld, &spec->gid_map, "gid_map");
  check_ids (ld, spec, "uid", spec->uid, &spec->uid_map, "uid_map");
  check_ids (ld, spec, "gid", spec->gid, &spec->gid_map, "gid_map");
  check_root_dir (ld, spec);
  if (!(spec->namespaces & JAIL_NS_MOUNT))
    key_diag (ld, DIAG_ERROR, "namespaces", &spec->origin, "'namespaces' must "
              "include \"mount\" (cordon always pivots into a new root)");
  if (spec->hostname && !(spec->namespaces & JAIL_NS_UTS))
    key_diag (ld, DIAG_ERROR, "hostname", &spec->origin, "'hostname' needs "
              "the 'uts' namespace");
  if (ld->running_as_root && !(spec->namespaces & JAIL_NS_USER))
    key_diag (ld, DIAG_WARNING, "namespaces", &spec->origin, "no 'user' "
              "namespace while running as root: root in the jail is root on "
              "the host");
}

/* ------------------------------------------------------------------ */
/* profile_load                                                        */
/* ------------------------------------------------------------------ */

static bool
loader_init (struct loader *ld, struct diagnostics *diags, bool profile)
{
  memset (ld, 0, sizeof *ld);
  ld->diags = diags;
  ld->settings_mode = !profile;
  /* Before cfg_init: it creates the single sections (environment) at once,
   * copying their options with whatever callbacks they have then. */
  cfg_opt_t *schema = make_schema (profile);
  set_callbacks (schema);
  ld->cfg = cfg_init (schema, CFGF_NONE);
  free (schema);
  if (ld->cfg == NULL)
    return false;
  cfg_set_error_function (ld->cfg, on_confuse_error);
  current_loader = ld;
  return true;
}

/* Read the profile itself (a file or the built-in text). */
static void
load_top (struct loader *ld, const char *path)
{
  if (path == NULL)
    {
      push_frame (ld, BUILTIN_NAME, NULL, NULL, true, false);
      parse_top_frame (ld, default_profile_text, strlen (default_profile_text));
      pop_frame (ld);
      return;
    }
  struct stat st;
  size_t len;
  char *text = read_text (path, ld->diags, &len, &st, NULL);
  if (text == NULL)
    {
      ld->parse_failed = true;
      return;
    }
  char *dir = dir_of (path);
  push_frame (ld, path, dir, &st, true, false);
  parse_top_frame (ld, text, len);
  pop_frame (ld);
  free (dir);
  free (text);
}

int
profile_load (const struct profile_request *req, struct jail_spec **out,
              struct diagnostics *diags)
{
  struct loader ld;
  size_t errors_before = diagnostics_count (diags, DIAG_ERROR);
  if (!loader_init (&ld, diags, true))
    {
      diag_add (diags, DIAG_ERROR, req->path ? req->path : BUILTIN_NAME, 0,
                "cannot set up the parser");
      return -1;
    }
  ld.settings = req->settings;
  ld.running_as_root = req->running_as_root;

  load_top (&ld, req->path);
  apply_overrides (&ld, req->overrides, req->n_overrides);

  struct jail_spec *spec = NULL;
  if (!ld.parse_failed)
    {
      spec = xcalloc (1, sizeof *spec);
      spec->origin.file = xstrdup (req->path ? req->path : BUILTIN_NAME);
      build_top_level (&ld, spec, req->path);
      build_sections (&ld, spec);
      check_spec (&ld, spec);
    }
  loader_free (&ld);
  if (spec == NULL || diagnostics_count (diags, DIAG_ERROR) > errors_before)
    {
      jail_spec_free (spec);
      return -1;
    }
  *out = spec;
  return 0;
}

/* ------------------------------------------------------------------ */
/* profile_print                                                       */
/* ------------------------------------------------------------------ */

static void
print_string (FILE *out, const char *s)
{
  struct strbuf b = { 0 };
  put_quoted_chars (&b, s ? s : "", s ? strlen (s) : 0);
  fprintf (out, "\"%s\"", b.s ? b.s : "");
  free (b.s);
}

static void
print_list (FILE *out, char *const *v, size_t n)
{
  fputc ('{', out);
  for (size_t i = 0; i < n; i++)
    {
      if (i)
        fputs (", ", out);
      print_string (out, v[i]);
    }
  fputc ('}', out);
}

static void
print_size (FILE *out, uint64_t size)
{
  static const char units[] = "KMGT";
  int u = -1;
  while (u < 3 && size != 0 && size % 1024 == 0)
    {
      size /= 1024;
      u++;
    }
  if (u < 0)
    fprintf (out, "  size = %" PRIu64, size);
  else
    fprintf (out, "  size = \"%" PRIu64 "%c\"", size, units[u]);
}

static void
print_mount_body (FILE *out, const struct fs_entry *e)
{
  static const char *const types[] = { [FS_BIND] = "bind", [FS_TMPFS] = "tmpfs",
    [FS_OVERLAY] = "overlay", [FS_PROC] = "proc", [FS_DEV] = "dev" };
  fprintf (out, " type = \"%s\"", types[e->kind]);
  if (e->kind == FS_BIND)
    {
      fputs ("  source = ", out);
      print_string (out, e->source);
    }
  if (e->kind == FS_OVERLAY)
    {
      fputs ("  lower = ", out);
      print_list (out, e->lower, e->n_lower);
      if (e->upper)
        {
          fputs ("  upper = ", out);
          print_string (out, e->upper);
          fputs ("  work = ", out);
          print_string (out, e->work);
        }
    }
  if (e->kind == FS_BIND || (e->kind == FS_OVERLAY && !e->upper))
    fprintf (out, "  writable = %s", e->writable ? "true" : "false");
  if (e->kind == FS_BIND || e->kind == FS_OVERLAY)
    fprintf (out, "  optional = %s", e->optional ? "true" : "false");
  if (e->kind == FS_TMPFS || (e->kind == FS_OVERLAY && !e->upper && e->size))
    print_size (out, e->size);
  if ((e->kind == FS_TMPFS || (e->kind == FS_OVERLAY && !e->upper))
      && e->has_mode)
    fprintf (out, "  mode = \"%04o\"", (unsigned) e->mode);
}

static void
print_entry (FILE *out, const struct fs_entry *e)
{
  fprintf (out, "%s ", kind_name (e->kind));
  print_string (out, e->dest);
  fputs (" {", out);
  switch (e->kind)
    {
    case FS_SYMLINK:
      fputs (" target = ", out);
      print_string (out, e->target);
      break;
    case FS_DIR:
      fprintf (out, " mode = \"%04o\"", (unsigned) e->mode);
      break;
    case FS_FILE:
      fputs (" content = ", out);
      print_string (out, e->content);
      fprintf (out, "  mode = \"%04o\"", (unsigned) e->mode);
      break;
    default:
      print_mount_body (out, e);
    }
  fputs (" }\n", out);
}

static void
print_id_map (FILE *out, const char *name, const struct id_map *map)
{
  for (size_t i = 0; i < map->n_ranges; i++)
    fprintf (out, "%s { inside = %" PRIu32 "  outside = %" PRIu32
             "  count = %" PRIu32 " }\n", name, map->ranges[i].inside,
             map->ranges[i].outside, map->ranges[i].count);
}

static void
print_namespaces (FILE *out, unsigned mask)
{
  fputs ("namespaces  = {", out);
  bool first = true;
  for (size_t i = 0; i < N_NAMESPACES; i++)
    if (mask & namespace_names[i].bit)
      {
        fprintf (out, "%s\"%s\"", first ? "" : ", ", namespace_names[i].name);
        first = false;
      }
  fputs ("}\n", out);
}

int
profile_print (const struct jail_spec *spec, FILE *out)
{
  fputs ("name        = ", out);
  print_string (out, spec->name);
  fputs ("\ndescription = ", out);
  print_string (out, spec->description);
  fputs ("\n\nargv        = ", out);
  print_list (out, spec->argv, spec->n_argv);
  fputs ("\ncwd         = ", out);
  print_string (out, spec->cwd);
  if (spec->hostname)
    {
      fputs ("\nhostname    = ", out);
      print_string (out, spec->hostname);
    }
  fprintf (out, "\nuid         = %u\ngid         = %u\ntime_limit  = %u\n\n",
           (unsigned) spec->uid, (unsigned) spec->gid, spec->time_limit);
  print_namespaces (out, spec->namespaces);
  print_id_map (out, "uid_map", &spec->uid_map);
  print_id_map (out, "gid_map", &spec->gid_map);
  fputs ("\nroot = ", out);
  print_string (out, spec->root ? spec->root : "tmpfs");
  fputs ("\n\n", out);
  for (size_t i = 0; i < spec->n_entries; i++)
    print_entry (out, &spec->entries[i]);
  fprintf (out, "\nenvironment {\n    clear = %s\n    keep  = ",
           spec->env.clear ? "true" : "false");
  print_list (out, spec->env.keep, spec->env.n_keep);
  fputs ("\n    set   = ", out);
  print_list (out, spec->env.set, spec->env.n_set);
  fputs ("\n}\n", out);
  return ferror (out) ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* profile_resolve and profile_list                                    */
/* ------------------------------------------------------------------ */

static bool
is_regular_file (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISREG (st.st_mode);
}

int
profile_resolve (const char *arg, const struct settings *settings, char **path,
                 cordon_error_t *err)
{
  if (strchr (arg, '/'))
    {
      struct stat st;
      if (stat (arg, &st) < 0)
        return cordon_fail (err, errno, "profile %s", arg);
      *path = xstrdup (arg);
      return 0;
    }
  if (*arg == '\0' || strcmp (arg, ".") == 0 || strcmp (arg, "..") == 0)
    return cordon_fail (err, 0, "'%s' is not a profile name", arg);

  struct strbuf searched = { 0 };
  char *conf = xasprintf ("%s.conf", arg);
  for (size_t i = 0; settings && i < settings->n_profile_path; i++)
    {
      const char *names[] = { arg, conf };
      for (size_t j = 0; j < 2; j++)
        {
          char *candidate = join_path (settings->profile_path[i], names[j]);
          if (is_regular_file (candidate))
            {
              free (conf);
              free (searched.s);
              *path = candidate;
              return 0;
            }
          free (candidate);
        }
      if (searched.n)
        sb_puts (&searched, ", ");
      sb_puts (&searched, settings->profile_path[i]);
    }
  free (conf);
  int r = cordon_fail (err, 0, "profile '%s' not found (searched: %s)", arg,
                       searched.n ? searched.s : "no directories");
  free (searched.s);
  return r;
}

struct listed
{
  char *name;
  char *text;           /* the description, or a note */
};

static int
compare_listed (const void *a, const void *b)
{
  return strcmp (((const struct listed *) a)->name,
                 ((const struct listed *) b)->name);
}

static char *
describe_profile (const char *path, const struct settings *settings)
{
  struct diagnostics d = { 0 };
  struct jail_spec *spec = NULL;
  struct profile_request req = { .path = path, .settings = settings };
  char *text;
  if (profile_load (&req, &spec, &d) == 0)
    text = xstrdup (spec->description);
  else
    {
      const char *first = "it does not load";
      for (size_t i = 0; i < d.n; i++)
        if (d.items[i].severity == DIAG_ERROR)
          {
            first = d.items[i].message;
            break;
          }
      text = xasprintf ("(invalid profile: %s)", first);
    }
  jail_spec_free (spec);
  diagnostics_free (&d);
  return text;
}

static bool
already_listed (const struct listed *v, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (v[i].name, name) == 0)
      return true;
  return false;
}

static void
list_dir (const char *dir, const struct settings *settings,
          struct listed **v, size_t *n, size_t *cap)
{
  DIR *d = opendir (dir);     /* glibc opens it O_CLOEXEC */
  if (d == NULL)
    return;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      size_t len = strlen (de->d_name);
      if (len <= 5 || !has_suffix (de->d_name, ".conf") || de->d_name[0] == '.')
        continue;
      char *name = xstrndup (de->d_name, len - 5);
      char *path = join_path (dir, de->d_name);
      if (already_listed (*v, *n, name) || !is_regular_file (path))
        {
          free (name);
          free (path);
          continue;
        }
      RESERVE_ONE (*v, *n, *cap);
      (*v)[(*n)++] = (struct listed) { name, describe_profile (path, settings) };
      free (path);
    }
  closedir (d);
}

int
profile_list (const struct settings *settings, FILE *out, cordon_error_t *err)
{
  struct listed *v = NULL;
  size_t n = 0, cap = 0, width = 0;
  for (size_t i = 0; settings && i < settings->n_profile_path; i++)
    list_dir (settings->profile_path[i], settings, &v, &n, &cap);
  if (n)
    qsort (v, n, sizeof *v, compare_listed);
  for (size_t i = 0; i < n; i++)
    if (strlen (v[i].name) > width)
      width = strlen (v[i].name);
  for (size_t i = 0; i < n; i++)
    {
      fprintf (out, "%-*s  %s\n", (int) width, v[i].name, v[i].text);
      free (v[i].name);
      free (v[i].text);
    }
  free (v);
  if (ferror (out))
    return cordon_fail (err, EIO, "writing the list of profiles");
  return 0;
}

/* ------------------------------------------------------------------ */
/* settings_load                                                       */
/* ------------------------------------------------------------------ */

static void
add_dir (struct settings *s, const char *dir)
{
  s->profile_path = xrealloc (s->profile_path,
                              (s->n_profile_path + 1) * sizeof *s->profile_path);
  s->profile_path[s->n_profile_path++] = xstrdup (dir);
}

/* The search path without a settings file (or without profile_path in it). */
static void
default_profile_path (struct settings *s)
{
  const char *xdg = getenv ("XDG_CONFIG_HOME");
  const char *home = getenv ("HOME");
  char *user = NULL;
  if (xdg && *xdg)
    user = xasprintf ("%s/cordon/profiles", xdg);
  else if (home && *home)
    user = xasprintf ("%s/.config/cordon/profiles", home);
  if (user)
    add_dir (s, user);
  free (user);
  add_dir (s, SYSCONFDIR "/cordon/profiles");
  add_dir (s, DATADIR "/cordon/profiles");
}

int
settings_load (const char *path, struct settings *out,
               struct diagnostics *diags)
{
  memset (out, 0, sizeof *out);
  struct loader ld;
  size_t errors_before = diagnostics_count (diags, DIAG_ERROR);
  if (path == NULL || !loader_init (&ld, diags, false))
    {
      default_profile_path (out);
      return 0;
    }
  struct stat st;
  size_t len;
  int open_errno = 0;
  struct diagnostics scratch = { 0 };
  char *text = read_text (path, &scratch, &len, &st, &open_errno);
  if (text == NULL && open_errno == ENOENT)
    {
      /* no settings file: cordon works uninstalled */
      diagnostics_free (&scratch);
      loader_free (&ld);
      default_profile_path (out);
      return 0;
    }
  for (size_t i = 0; i < scratch.n; i++)
    diag_add (diags, scratch.items[i].severity, scratch.items[i].file,
              scratch.items[i].line, "%s", scratch.items[i].message);
  diagnostics_free (&scratch);
  if (text)
    {
      push_frame (&ld, path, NULL, &st, true, false);
      parse_top_frame (&ld, text, len);
      pop_frame (&ld);
      free (text);
    }
  bool failed = diagnostics_count (diags, DIAG_ERROR) > errors_before;
  cfg_opt_t *opt = cfg_getopt (ld.cfg, "profile_path");
  if (failed || !(opt->flags & CFGF_MODIFIED))
    default_profile_path (out);
  else
    for (unsigned i = 0; i < cfg_opt_size (opt); i++)
      {
        const char *dir = cfg_opt_getnstr (opt, i);
        if (!strchr (dir, DROPPED_MARK))
          add_dir (out, dir);
      }
  loader_free (&ld);
  return failed ? -1 : 0;
}

void
settings_free (struct settings *s)
{
  if (s == NULL)
    return;
  free_strv (s->profile_path, s->n_profile_path);
  s->profile_path = NULL;
  s->n_profile_path = 0;
}

/* profile.c — the profile language: reading, checking and printing profiles.
 *
 * This is the only file that knows about libconfuse.  It owns the schema of
 * profiles and of the settings file, reading a file (size, NUL, ${VAR} and
 * unknown-key checks happen before libconfuse sees the text), include(), -D
 * overrides,
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

#include <arpa/inet.h>
#include <confuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "capabilities.h"
#include "default-profile.h"
#include "profile.h"
#include "profile-cache.h"
#include "rlimits.h"
#include "seccomp-filter.h"
#include "util.h"

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

/* ------------------------------------------------------------------ */
/* Strings                                                             */
/* ------------------------------------------------------------------ */

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

void
diagnostics_append (struct diagnostics *to, struct diagnostics *from)
{
  for (size_t i = 0; i < from->n; i++)
    {
      RESERVE_ONE (to->items, to->n, to->cap);
      to->items[to->n++] = from->items[i];
    }
  free (from->items);
  from->items = NULL;
  from->n = from->cap = 0;
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

  /* Sized by fstat: a buffer for the largest file would be mapped and
   * unmapped at every load.  One that grows meanwhile gets the rest. */
  size_t cap = (size_t) st->st_size + 2;
  char *buf = xrealloc (NULL, cap);
  size_t n = 0;
  for (;;)
    {
      if (n + 1 >= cap && cap < MAX_FILE_SIZE + 2)
        {
          cap = MAX_FILE_SIZE + 2;
          buf = xrealloc (buf, cap);
        }
      ssize_t r = read (fd, buf + n, cap - 1 - n);
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

/* cgroup { memory = "512M" memory_swap = "0" pids = 128 cpu = 1.5 } */
static cfg_opt_t cgroup_opts[] = {
  CFG_STR ("memory", NULL, CFGF_NODEFAULT),
  CFG_STR ("memory_swap", NULL, CFGF_NODEFAULT),
  CFG_INT ("pids", 0, CFGF_NODEFAULT),
  CFG_FLOAT ("cpu", 0, CFGF_NODEFAULT),
  CFG_END ()
};
static void build_cgroup (struct loader *, struct jail_spec *, cfg_t *,
                          const struct sec_rec *);

/* network { mode bridge path address gateway nat dns publish } (network.c) */
static cfg_opt_t network_opts[] = {
  CFG_STR ("mode", NULL, CFGF_NODEFAULT),
  CFG_STR ("bridge", NULL, CFGF_NODEFAULT),
  CFG_STR ("path", NULL, CFGF_NODEFAULT),
  CFG_STR ("address", NULL, CFGF_NODEFAULT),
  CFG_STR ("gateway", NULL, CFGF_NODEFAULT),
  CFG_BOOL ("nat", cfg_false, CFGF_NODEFAULT),
  CFG_STR_LIST ("dns", NULL, CFGF_NONE),
  CFG_STR_LIST ("publish", NULL, CFGF_NONE),
  CFG_END ()
};
static void build_network (struct loader *, struct jail_spec *, cfg_t *,
                           const struct sec_rec *);

#define TITLED (CFGF_MULTI | CFGF_TITLE)

/* seccomp { preset action compat allow deny
 *           rule "NAME" { arg0..arg5 action } } */
static cfg_opt_t seccomp_rule_opts[] = {
  CFG_STR ("arg0", NULL, CFGF_NODEFAULT),
  CFG_STR ("arg1", NULL, CFGF_NODEFAULT),
  CFG_STR ("arg2", NULL, CFGF_NODEFAULT),
  CFG_STR ("arg3", NULL, CFGF_NODEFAULT),
  CFG_STR ("arg4", NULL, CFGF_NODEFAULT),
  CFG_STR ("arg5", NULL, CFGF_NODEFAULT),
  CFG_STR ("action", NULL, CFGF_NODEFAULT),
  CFG_END ()
};
static cfg_opt_t seccomp_opts[] = {
  CFG_STR ("preset", "default", CFGF_NONE),
  CFG_STR ("action", "errno", CFGF_NONE),
  CFG_BOOL ("compat", cfg_false, CFGF_NONE),
  CFG_STR_LIST ("allow", NULL, CFGF_NONE),
  CFG_STR_LIST ("deny", NULL, CFGF_NONE),
  CFG_SEC ("rule", seccomp_rule_opts, TITLED),
  CFG_END ()
};
static void build_seccomp (struct loader *, struct jail_spec *, cfg_t *,
                           const struct sec_rec *);

/* rlimit { nofile = 1024  fsize = "1G"  core = 0  stack = "unlimited" } */
static cfg_opt_t rlimit_opts[] = {
  CFG_STR ("as", NULL, CFGF_NODEFAULT),
  CFG_STR ("core", NULL, CFGF_NODEFAULT),
  CFG_STR ("cpu", NULL, CFGF_NODEFAULT),
  CFG_STR ("data", NULL, CFGF_NODEFAULT),
  CFG_STR ("fsize", NULL, CFGF_NODEFAULT),
  CFG_STR ("locks", NULL, CFGF_NODEFAULT),
  CFG_STR ("memlock", NULL, CFGF_NODEFAULT),
  CFG_STR ("msgqueue", NULL, CFGF_NODEFAULT),
  CFG_STR ("nice", NULL, CFGF_NODEFAULT),
  CFG_STR ("nofile", NULL, CFGF_NODEFAULT),
  CFG_STR ("nproc", NULL, CFGF_NODEFAULT),
  CFG_STR ("rss", NULL, CFGF_NODEFAULT),
  CFG_STR ("rtprio", NULL, CFGF_NODEFAULT),
  CFG_STR ("rttime", NULL, CFGF_NODEFAULT),
  CFG_STR ("sigpending", NULL, CFGF_NODEFAULT),
  CFG_STR ("stack", NULL, CFGF_NODEFAULT),
  CFG_END ()
};
static void build_rlimit (struct loader *, struct jail_spec *, cfg_t *,
                          const struct sec_rec *);

static const struct section_type section_types[] = {
  { "mount", mount_opts, TITLED, build_mount },
  { "symlink", symlink_opts, TITLED, build_symlink },
  { "dir", dir_opts, TITLED, build_dir },
  { "file", file_opts, TITLED, build_file },
  { "uid_map", id_map_opts, CFGF_MULTI, build_uid_map },
  { "gid_map", id_map_opts, CFGF_MULTI, build_gid_map },
  { "environment", environment_opts, CFGF_NONE, build_environment },
  { "cgroup", cgroup_opts, CFGF_NONE, build_cgroup },
  { "seccomp", seccomp_opts, CFGF_NONE, build_seccomp },
  { "rule", seccomp_rule_opts, TITLED, NULL },
  { "rlimit", rlimit_opts, CFGF_NONE, build_rlimit },
  { "network", network_opts, CFGF_NONE, build_network },
};
#define N_SECTION_TYPES (sizeof section_types / sizeof section_types[0])

/* Sections that only appear inside another one's body; the parent's build
 * function builds them. */
static const struct
{
  const char *name, *parent;
} inner_sections[] = {
  { "rule", "seccomp" },
};

static const char *
section_parent (size_t type)
{
  for (size_t i = 0; i < sizeof inner_sections / sizeof *inner_sections; i++)
    if (strcmp (inner_sections[i].name, section_types[type].name) == 0)
      return inner_sections[i].parent;
  return NULL;
}

static int include_func (cfg_t *cfg, cfg_opt_t *opt, int argc,
                         const char **argv);

/* libconfuse calls no callback for an empty list ("argv = {}"), so such an
 * assignment would escape "set twice" and have no line.  The pre-scan
 * follows each with a call of this function (a name no profile can use:
 * find_opt hides it), which records the assignment.  Every level of the
 * schema has it. */
#define EMPTY_LIST_MARK "cordon-empty-list"
static int on_empty_list (cfg_t *cfg, cfg_opt_t *opt, int argc,
                          const char **argv);

/* A section's options with the empty-list marker added. */
static cfg_opt_t *
with_empty_list_mark (const cfg_opt_t *opts)
{
  size_t n = 0;
  while (opts[n].name)
    n++;
  cfg_opt_t *copy = xcalloc (n + 2, sizeof *copy);     /* zeroes: CFG_END */
  memcpy (copy, opts, n * sizeof *copy);
  cfg_opt_t mark = CFG_FUNC (EMPTY_LIST_MARK, on_empty_list);
  copy[n] = mark;
  return copy;
}

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
  CFG_STR_LIST ("capabilities", NULL, CFGF_NONE),
  CFG_BOOL ("no_new_privs", cfg_true, CFGF_NONE),
  CFG_INT_LIST ("pass_fds", NULL, CFGF_NONE),
  CFG_BOOL ("new_session", cfg_true, CFGF_NONE),
  CFG_BOOL ("tty", cfg_false, CFGF_NONE),
  CFG_BOOL ("mask_paths", cfg_true, CFGF_NONE),
};
#define N_PROFILE_KEYS (sizeof profile_keys / sizeof profile_keys[0])

static const cfg_opt_t settings_keys[] = {
  CFG_STR_LIST ("profile_path", NULL, CFGF_NODEFAULT),
  CFG_STR ("cgroup_parent", NULL, CFGF_NODEFAULT),
  CFG_STR ("cgroup_version", NULL, CFGF_NODEFAULT),
  CFG_STR ("network_bridge", NULL, CFGF_NODEFAULT),
  CFG_STR ("network_gateway", NULL, CFGF_NODEFAULT),
  CFG_STR ("root_id_range", NULL, CFGF_NODEFAULT),
};
#define N_SETTINGS_KEYS (sizeof settings_keys / sizeof settings_keys[0])

/* The option table handed to cfg_init (which copies it). */
static cfg_opt_t *
make_schema (bool profile)
{
  size_t n = profile ? N_PROFILE_KEYS + N_SECTION_TYPES + 2
                     : N_SETTINGS_KEYS + 1;
  cfg_opt_t *opts = xcalloc (n + 1, sizeof *opts);
  cfg_opt_t mark = CFG_FUNC (EMPTY_LIST_MARK, on_empty_list);
  if (!profile)
    {
      for (size_t i = 0; i < N_SETTINGS_KEYS; i++)
        opts[i] = settings_keys[i];
      opts[N_SETTINGS_KEYS] = mark;
      return opts;
    }
  size_t k = 0;
  for (size_t i = 0; i < N_PROFILE_KEYS; i++)
    opts[k++] = profile_keys[i];
  for (size_t i = 0; i < N_SECTION_TYPES; i++)
    {
      if (section_parent (i))
        continue;
      cfg_opt_t sec = CFG_SEC (section_types[i].name,
                               with_empty_list_mark (section_types[i].opts),
                               section_types[i].flags);
      opts[k++] = sec;
    }
  cfg_opt_t inc = CFG_FUNC ("include", include_func);
  opts[k++] = inc;
  opts[k++] = mark;
  cfg_opt_t end = CFG_END ();
  opts[k] = end;
  return opts;
}

/* cfg_init copies the schema: make_schema's copy goes. */
static void
free_schema (cfg_opt_t *opts)
{
  for (size_t i = 0; opts[i].name; i++)
    if (opts[i].type == CFGT_SEC)
      free (opts[i].subopts);
  free (opts);
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
  bool unknown_key;         /* dropped when the text is not parsed at all */
};

struct key_line
{
  char *key;
  int line;
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
  int ranges_from[N_SECTION_TYPES]; /* instance + 1 of the last uid_map
                                       (gid_map) range */
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

/* Whether one more diagnostic of SEV may be added.  Past
 * MAX_LOAD_DIAGNOSTICS errors one more says so and the load stops; past as
 * many warnings, the rest are not shown. */
static bool
ld_room (struct loader *ld, enum diag_severity sev, const char *file)
{
  size_t *n = sev == DIAG_ERROR ? &ld->n_errors : &ld->n_warnings;
  if (ld->stopped && sev == DIAG_ERROR)
    return false;
  if ((*n)++ < MAX_LOAD_DIAGNOSTICS)
    return true;
  if (*n == MAX_LOAD_DIAGNOSTICS + 1 && sev == DIAG_ERROR)
    {
      diag_add (ld->diags, DIAG_ERROR, file, 0, "more than %d errors: "
                "stopping here", MAX_LOAD_DIAGNOSTICS);
      ld->stopped = true;
    }
  else if (*n == MAX_LOAD_DIAGNOSTICS + 1)
    diag_add (ld->diags, DIAG_WARNING, file, 0, "more than %d warnings: the "
              "rest are not shown", MAX_LOAD_DIAGNOSTICS);
  return false;
}

/* Report the held pre-scan errors of the file on top up to LINE. */
static void
release_held (struct loader *ld, int line)
{
  struct frame *f = top_frame (ld);
  while (f && f->next_held < f->n_held && f->held[f->next_held].line <= line)
    {
      struct held_diag *h = &f->held[f->next_held++];
      if (ld_room (ld, DIAG_ERROR, f->path))
        diag_add (ld->diags, DIAG_ERROR, f->path, shown_line (ld, h->line),
                  "%s", h->message);
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
  if (!ld_room (ld, sev, f ? f->path : "?"))
    return;
  va_list ap;
  va_start (ap, fmt);
  diag_vadd (ld->diags, sev, f ? f->path : "?", shown_line (ld, line), fmt, ap);
  va_end (ap);
}

/* Files read have a path with a '/' (or are the built-in text). */
static bool
is_override_file (const char *file)
{
  return strncmp (file, OVERRIDE_FILE " ", strlen (OVERRIDE_FILE " ")) == 0;
}

/* A diagnostic about something recorded earlier, at its own file:line. */
__attribute__ ((format (printf, 5, 6))) static void
ld_diag_at (struct loader *ld, enum diag_severity sev, const char *file,
            int line, const char *fmt, ...)
{
  if (!ld_room (ld, sev, file ? file : "?"))
    return;
  va_list ap;
  va_start (ap, fmt);
  bool override = file && is_override_file (file);
  diag_vadd (ld->diags, sev, file ? file : "?", override ? 0 : line, fmt, ap);
  va_end (ap);
}

static void
free_key_lines (struct key_line *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (v[i].key);
  free (v);
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
      free (ld->frames[i].inner_opens);
      free_held (ld->frames[i].held, ld->frames[i].n_held);
      free_key_lines (ld->frames[i].set, ld->frames[i].n_set);
    }
  free (ld->frames);
  for (size_t i = 0; i < ld->n_keys; i++)
    free (ld->keys[i].key);
  free (ld->keys);
  for (size_t i = 0; i < ld->n_secs; i++)
    free_sec_rec (&ld->secs[i]);
  free (ld->secs);
  free (ld->titled);
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

/* Errors are held in line order (see release_held). */
static void
hold_error (struct scan *sc, int line, char *msg, bool unknown_key)
{
  if (sc->n_held > MAX_LOAD_DIAGNOSTICS)  /* the load stops before these */
    {
      free (msg);
      return;
    }
  RESERVE_ONE (sc->held, sc->n_held, sc->cap_held);
  size_t i = sc->n_held++;
  for (; i > 0 && sc->held[i - 1].line > line; i--)
    sc->held[i] = sc->held[i - 1];
  sc->held[i] = (struct held_diag) { line, msg, unknown_key };
}

__attribute__ ((format (printf, 3, 4))) static void
scan_error (struct scan *sc, int line, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  hold_error (sc, line, xvasprintf (fmt, ap), false);
  va_end (ap);
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
  profile_inputs_env (sc->ld->inputs, var, v);
  char *fallback = NULL;
  /* XDG base directory spec: unset or empty means $HOME/.config. */
  if (sc->ld->settings_mode && strcmp (var, "XDG_CONFIG_HOME") == 0
      && (v == NULL || *v == '\0'))
    {
      const char *home = getenv ("HOME");
      profile_inputs_env (sc->ld->inputs, "HOME", home);
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

static cfg_opt_t *find_opt (cfg_opt_t *opts, const char *name, size_t len);

/* The text of the string token at [START, END) of the output, unquoted;
 * NULL when it has escapes (libconfuse then checks such a key itself). */
static char *
token_text (struct scan *sc, size_t start, size_t end)
{
  const char *s = sc->out.s + start;
  size_t n = end - start;
  if (n >= 2 && (*s == '"' || *s == '\''))
    {
      s++;
      n -= 2;
      if (memchr (s, '\\', n))
        return NULL;
    }
  return xstrndup (s, n);
}

static bool
is_key_here (struct scan *sc, const struct stmt *st, size_t start, size_t end)
{
  char *name = token_text (sc, start, end);
  bool known = name && find_opt (st->opts, name, strlen (name));
  free (name);
  return known;
}

/* A statement starts with the string at [START, END); CHECK: it is a key. */
static void
stmt_begin (struct scan *sc, struct stmt *st, int line, size_t start,
            size_t end, bool check)
{
  *st = (struct stmt) { .opts = st->opts, .context = st->context,
                        .state = ST_NAME, .start = start, .end = end,
                        .line = line };
  char *key = check && !sc->lost ? token_text (sc, start, end) : NULL;
  if (key == NULL)
    return;
  st->opt = find_opt (st->opts, key, strlen (key));
  st->unknown = st->opt == NULL;
  if (st->unknown)
    hold_error (sc, line, xasprintf ("%sno such option '%s'", st->context,
                                     key), true);
  free (key);
}

/* The statement is complete: an unknown one is blanked out. */
static void
stmt_end (struct scan *sc, struct stmt *st)
{
  for (size_t i = st->start; st->unknown && i < st->end; i++)
    if (sc->out.s[i] != '\n')
      sc->out.s[i] = ' ';
  st->state = ST_KEY;
  st->unknown = false;
  st->opt = NULL;
}

/* A '{' in a statement: a known section's body (BODY) is read against its
 * keys; anything else (a list, an unknown block) is skipped whole. */
static void
open_block (struct scan *sc, struct stmt *st, bool body)
{
  st->state = ST_BLOCK;
  cfg_opt_t *opt = st->opt;
  if (!body || opt == NULL || opt->type != CFGT_SEC)
    {
      sc->skip = 1;
      return;
    }
  if (sc->n_levels == 1)
    {
      RESERVE_ONE (sc->opens, sc->n_opens, sc->cap_opens);
      sc->opens[sc->n_opens++] = st->line;
    }
  else if (sc->n_levels == 2)
    {
      RESERVE_ONE (sc->inner_opens, sc->n_inner_opens, sc->cap_inner_opens);
      sc->inner_opens[sc->n_inner_opens++] = st->line;
    }
  char *context;
  if (st->title_end > st->title_start)
    {
      char *title = token_text (sc, st->title_start, st->title_end);
      if (title == NULL)
        title = xstrndup (sc->out.s + st->title_start,
                          st->title_end - st->title_start);
      context = xasprintf ("%s '%s': ", opt->name, title);
      free (title);
    }
  else
    context = xasprintf ("%s: ", opt->name);
  RESERVE_ONE (sc->levels, sc->n_levels, sc->cap_levels);
  sc->levels[sc->n_levels++] = (struct stmt) { .opts = opt->subopts,
                                               .context = context };
}

static bool
is_list_key (const cfg_opt_t *opt)
{
  return opt && opt->type != CFGT_SEC && (opt->flags & CFGF_LIST);
}

/* "KEY = VALUE" for a list key is "KEY = {VALUE}" to libconfuse: then
 * every list assignment ends with a call at its closing brace, which is
 * how on_value tells a new assignment from the next element. */
static void
brace_list_value (struct scan *sc, struct stmt *st, size_t start)
{
  sb_putc (&sc->out, ' ');
  memmove (sc->out.s + start + 1, sc->out.s + start, sc->out.n - start - 1);
  sc->out.s[start] = '{';
  sb_putc (&sc->out, '}');
  st->end = sc->out.n;
}

/* See on_empty_list. */
static void
mark_empty_list (struct scan *sc, struct stmt *st)
{
  char *call = xasprintf (" " EMPTY_LIST_MARK "(\"%s\", \"%d\")",
                          st->opt->name, st->line);
  sb_puts (&sc->out, call);
  free (call);
  st->end = sc->out.n;
}

/* Follow the statements with one more token (STRING, or the punctuation
 * C) at [START, END) of the output. */
static void
stmt_token (struct scan *sc, bool string, char c, int line, size_t start,
            size_t end)
{
  if (sc->skip > 0)
    {
      struct stmt *st = &sc->levels[sc->n_levels - 1];
      if (!string && c == '{')
        sc->skip++;
      else if (string && sc->skip == 1)
        st->n_elems++;
      else if (!string && c == '}' && --sc->skip == 0)
        {
          st->end = end;
          if (is_list_key (st->opt) && !st->append && st->n_elems == 0)
            mark_empty_list (sc, st);
          stmt_end (sc, st);
        }
      return;
    }
  struct stmt *st = &sc->levels[sc->n_levels - 1];
  for (;;)
    {
      switch (st->state)
        {
        case ST_KEY:
          if (string)
            stmt_begin (sc, st, line, start, end, true);
          else if (c == '}' && sc->n_levels > 1)
            {
              free (st->context);
              st = &sc->levels[--sc->n_levels - 1];
              st->end = end;
              stmt_end (sc, st);
            }
          else
            {
              sc->lost = true;  /* libconfuse stops on it, clearly */
              if (c == '{')     /* keep the braces matched */
                {
                  stmt_begin (sc, st, line, start, end, false);
                  open_block (sc, st, false);
                }
            }
          return;
        case ST_NAME:
          if (string)
            {
              st->state = ST_TITLE;
              st->title_start = start;
              st->title_end = end;
              st->title_line = line;
              return;
            }
          if (c == '=' || c == '+' || c == '(')
            {
              st->state = c == '=' ? ST_VALUE : c == '+' ? ST_PLUS : ST_ARGS;
              st->end = end;
              return;
            }
          if (c == '{')
            {
              open_block (sc, st, true);
              return;
            }
          break;
        case ST_PLUS:
          if (c == '=')
            {
              st->append = true;
              st->state = ST_VALUE;
              st->end = end;
              return;
            }
          break;
        case ST_VALUE:
          if (string)
            {
              st->end = end;
              if (is_list_key (st->opt))
                brace_list_value (sc, st, start);
              stmt_end (sc, st);
              return;
            }
          if (c == '{')
            {
              open_block (sc, st, false);
              return;
            }
          break;
        case ST_TITLE:
          if (!string && c == '{')
            {
              open_block (sc, st, true);
              return;
            }
          /* Not a title: a key of its own, or part of this statement. */
          if (is_key_here (sc, st, st->title_start, st->title_end))
            {
              size_t ts = st->title_start, te = st->title_end;
              sc->lost |= st->opt != NULL;
              stmt_end (sc, st);
              stmt_begin (sc, st, st->title_line, ts, te, true);
              continue;
            }
          st->end = st->title_end;
          break;
        case ST_ARGS:         /* check_call_syntax keeps it well-formed */
          st->end = end;
          if (!string && c == ')')
            stmt_end (sc, st);
          return;
        case ST_BLOCK:        /* its tokens are skipped or one level down */
          return;
        }
      /* The token starts something else: a known key's statement is
       * broken there, and libconfuse stops on it. */
      sc->lost |= st->opt != NULL;
      stmt_end (sc, st);
    }
}

static void
note_token (struct scan *sc, enum tok_kind kind, char c, int line,
            size_t start)
{
  if (!check_call_syntax (sc, kind, c, line))
    return;
  if (kind == TOK_PUNCT && c == '{' && sc->depth++ == 0)
    sc->open_line = line;
  else if (kind == TOK_PUNCT && c == '}' && sc->depth > 0)
    sc->depth--;
  stmt_token (sc, kind == TOK_STRING, kind == TOK_PUNCT ? c : 0, line, start,
              sc->out.n);
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

/* Strings are C strings all the way to the jail: an escape for a NUL byte
 * would cut the value short there ("/tmp\0/../etc" is "/tmp"). */
static void
nul_escape_error (struct scan *sc, size_t n)
{
  scan_error (sc, sc->line, "escape sequence '%.*s' is a NUL byte, which a "
              "string cannot hold", (int) n, sc->p);
  sc->fatal = true;
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
                  "are \\1 to \\377)", (int) digits, q);
      sc->fatal = true;
      return false;
    }
  if (value == 0)
    {
      nul_escape_error (sc, 1 + digits);
      return false;
    }
  sb_putn (&sc->out, sc->p, 1 + digits);
  sc->p += 1 + digits;
  return true;
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* \xH or \xHH.  libconfuse takes "\x" without a hex digit for a plain
 * 'x' (and "\q" for a 'q'): both are refused rather than guessed at. */
static bool
check_hex_escape (struct scan *sc)
{
  const char *q = sc->p + 2;
  size_t digits = 0;
  unsigned value = 0;
  while (digits < 2 && q + digits < sc->end && hex_digit (q[digits]) >= 0)
    value = value * 16 + (unsigned) hex_digit (q[digits++]);
  if (digits == 0)
    {
      scan_error (sc, sc->line, "bad escape sequence '\\x' (hexadecimal "
                  "escapes are \\x1 to \\xff)");
      sc->fatal = true;
      return false;
    }
  if (value == 0)
    {
      nul_escape_error (sc, 2 + digits);
      return false;
    }
  sb_putn (&sc->out, sc->p, 2 + digits);
  sc->p += 2 + digits;
  return true;
}

/* The escapes of "...": C's (\n \t \r \b \f \a \v, octal, \x), \e,
 * \\, \", \', \$ and a backslash-newline that continues the string. */
static bool
check_escape (struct scan *sc)
{
  char e = sc->p[1];
  if (e >= '0' && e <= '9')
    return check_octal_escape (sc);
  if (e == 'x')
    return check_hex_escape (sc);
  if (e == '\n')
    sc->line++;
  else if (e == '\0' || !strchr ("ntrbfaev\\\"'$", e))
    {
      unsigned char u = (unsigned char) e;
      if (u < 0x20 || u >= 0x7f)
        scan_error (sc, sc->line, "unknown escape sequence '\\' followed by "
                    "byte 0x%02x (write \\\\ for a backslash)", u);
      else
        scan_error (sc, sc->line, "unknown escape sequence '\\%c' (known: "
                    "\\n \\t \\r \\b \\f \\a \\e \\v \\\\ \\\" \\' "
                    "\\$, \\1 to \\377, \\x1 to \\xff)", e);
      sc->fatal = true;
      return false;
    }
  sb_putn (&sc->out, sc->p, 2);
  sc->p += 2;
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
      if (c == '\\' && sc->p + 1 < sc->end)
        {
          check_escape (sc);
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
static void
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
  if (!has_var)
    {
      sb_putn (&sc->out, start, (size_t) (q - start));
      sc->p = q;
      return;
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
}

/* One step of the scanner at sc->p. */
static void
scan_step (struct scan *sc)
{
  char c = *sc->p;
  char next = sc->p + 1 < sc->end ? sc->p[1] : '\0';
  int line = sc->line;
  size_t start = sc->out.n;

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
      note_token (sc, TOK_STRING, 0, line, start);
    }
  else if (c == '\'')
    {
      scan_single_quoted (sc);
      note_token (sc, TOK_STRING, 0, line, start);
    }
  else if (((c == '+' && next != '=') || c == '*') && sc->call == 0)
    {
      /* libconfuse's lexer drops a lone '+' or '*' without a word: "+5"
       * would be 5, "argv + = {...}" a plain assignment. */
      scan_error (sc, line, "unexpected '%c'%s", c, c == '+' ? " (to append, "
                  "write '+=' without a blank)" : "");
      sc->fatal = true;
    }
  else if (c != '\0' && strchr ("={}(),+*", c))
    {
      sb_putc (&sc->out, *sc->p++);
      note_token (sc, TOK_PUNCT, c, line, start);
    }
  else
    {
      scan_word (sc);
      note_token (sc, TOK_STRING, 0, line, start);
    }
}

/* Scan TEXT for the file F on top of the frame stack; its errors are held
 * in F.  Returns false when the text must not be parsed. */
static bool
prescan (struct loader *ld, const char *text, size_t len, struct strbuf *out,
         struct frame *f)
{
  struct scan sc = { .ld = ld, .p = text, .end = text + len, .line = 1 };
  sb_putn (&sc.out, "", 0);
  RESERVE_ONE (sc.levels, sc.n_levels, sc.cap_levels);
  sc.levels[sc.n_levels++] = (struct stmt) { .opts = ld->cfg->opts,
                                             .context = xstrdup ("") };
  while (sc.p < sc.end && !sc.fatal)
    scan_step (&sc);
  struct stmt *last = &sc.levels[0];
  if (!sc.fatal && sc.n_levels == 1 && sc.skip == 0)
    {
      if (last->state == ST_TITLE
          && !is_key_here (&sc, last, last->title_start, last->title_end))
        last->end = last->title_end;
      stmt_end (&sc, last);             /* the file ends the last one */
    }
  for (size_t i = 0; i < sc.n_levels; i++)
    free (sc.levels[i].context);
  free (sc.levels);
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
  /* Unparsed text has no keys worth reporting: past the error they are
   * likely pieces of a broken string or comment. */
  size_t n = 0;
  for (size_t i = 0; i < sc.n_held; i++)
    if (sc.fatal && sc.held[i].unknown_key)
      free (sc.held[i].message);
    else
      sc.held[n++] = sc.held[i];
  *out = sc.out;
  f->opens = sc.opens;
  f->inner_opens = sc.inner_opens;
  f->n_inner_opens = sc.n_inner_opens;
  f->n_opens = sc.n_opens;
  f->held = sc.held;
  f->n_held = n;
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

/* cgroup memory and memory_swap: a size, or "max" for no limit. */
static void
check_limit_size (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt,
                  unsigned idx, int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  uint64_t size;
  bool overflow;
  if ((v && strcmp (v, "max") == 0) || parse_size (v, &size, &overflow))
    return;
  if (overflow)
    value_error (ld, cfg, line, "'%s' size '%s' is too large", opt->name, v);
  else
    value_error (ld, cfg, line, "invalid '%s' '%s' (a number of bytes with "
                 "an optional K, M, G or T suffix, or \"max\")", opt->name,
                 v ? v : "");
}

#define CGROUP_PIDS_MAX 4194304L      /* the kernel's PID_MAX_LIMIT */
#define CGROUP_CPU_MIN 0.01           /* cfs quota: at least 1 ms a period */
#define CGROUP_CPU_MAX 4096.0

static void
check_cgroup_pids (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt,
                   unsigned idx, int line)
{
  long v = cfg_opt_getnint (opt, idx);
  if (v < 1 || v > CGROUP_PIDS_MAX)
    value_error (ld, cfg, line, "'pids' must be between 1 and %ld, not %ld",
                 CGROUP_PIDS_MAX, v);
}

static void
check_cgroup_cpu (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt,
                  unsigned idx, int line)
{
  double v = cfg_opt_getnfloat (opt, idx);
  if (!(v >= CGROUP_CPU_MIN && v <= CGROUP_CPU_MAX))
    value_error (ld, cfg, line, "'cpu' must be a number of CPUs between "
                 "%g and %g, not %g", CGROUP_CPU_MIN, CGROUP_CPU_MAX, v);
}

static void
check_cgroup_parent (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt,
                     unsigned idx, int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  bool ok = v && *v && strspn (v, "/") < strlen (v);
  for (const char *p = v; ok && *p; p += strcspn (p, "/"), p += strspn (p, "/"))
    {
      size_t n = strcspn (p, "/");
      if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
        ok = false;
    }
  if (!ok)
    value_error (ld, cfg, line, "'cgroup_parent' must name a directory below "
                 "a cgroup (no \".\" or \"..\"), not '%s'", v ? v : "");
}

static void
check_cgroup_version (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt,
                      unsigned idx, int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  if (!v || (strcmp (v, "auto") && strcmp (v, "1") && strcmp (v, "2")))
    value_error (ld, cfg, line, "'cgroup_version' must be \"auto\", \"1\" "
                 "or \"2\", not '%s'", v ? v : "");
}

/* ---- hardening: capabilities, seccomp, rlimit, pass_fds ---- */

static const char *const seccomp_preset_names[] = {
  [SECCOMP_PRESET_DEFAULT] = "default", [SECCOMP_PRESET_STRICT] = "strict",
  [SECCOMP_PRESET_NONE] = "none",
};
static const char *const seccomp_action_names[] = {
  [SECCOMP_ACTION_ERRNO] = "errno", [SECCOMP_ACTION_KILL] = "kill",
  [SECCOMP_ACTION_LOG] = "log",
};
static const char *const seccomp_cmp_names[] = {
  [SECCOMP_CMP_EQ] = "==", [SECCOMP_CMP_NE] = "!=", [SECCOMP_CMP_LT] = "<",
  [SECCOMP_CMP_LE] = "<=", [SECCOMP_CMP_GT] = ">", [SECCOMP_CMP_GE] = ">=",
  [SECCOMP_CMP_MASKED_EQ] = "==",
};

static int
name_index (const char *const *names, size_t n, const char *v)
{
  for (size_t i = 0; v && i < n; i++)
    if (strcmp (names[i], v) == 0)
      return (int) i;
  return -1;
}
#define N_NAMES(names) (sizeof (names) / sizeof *(names))
#define NAME_INDEX(names, v) name_index (names, N_NAMES (names), v)

/* The IDX-th value of OPT must be one of the N NAMES: else "unknown NOUN
 * 'VALUE' (known: NAME, NAME...)". */
static void
check_one_of (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
              int line, const char *noun, const char *const *names, size_t n)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  if (name_index (names, n, v) >= 0)
    return;
  struct strbuf known = { 0 };
  for (size_t i = 0; i < n; i++)
    {
      if (i > 0)
        sb_puts (&known, ", ");
      sb_puts (&known, names[i]);
    }
  value_error (ld, cfg, line, "unknown %s '%s' (known: %s)", noun, v ? v : "",
               known.s);
  free (known.s);
}

/* A number as C writes it (0x1f, 0755, 42) or negative (-1: all bits). */
static bool
parse_u64 (const char *s, uint64_t *out)
{
  while (*s == ' ')
    s++;
  bool neg = *s == '-';
  if (neg)
    s++;
  if (*s < '0' || *s > '9')
    return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull (s, &end, 0);
  while (*end == ' ')
    end++;
  if (errno || *end != '\0' || (neg && v > (unsigned long long) INT64_MAX + 1))
    return false;
  *out = neg ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;
  return true;
}

/* "OP VALUE" (== != < <= > >=) or "& MASK == VALUE". */
static bool
parse_seccomp_cmp (const char *s, struct seccomp_arg_cmp *out)
{
  memset (out, 0, sizeof *out);
  while (s && *s == ' ')
    s++;
  if (s == NULL || *s == '\0')
    return false;
  if (*s == '&')
    {
      const char *eq = strstr (s, "==");
      char *mask = eq ? xstrndup (s + 1, (size_t) (eq - s - 1)) : NULL;
      bool ok = mask && parse_u64 (mask, &out->mask)
                && parse_u64 (eq + 2, &out->value);
      free (mask);
      out->op = SECCOMP_CMP_MASKED_EQ;
      return out->set = ok;
    }
  static const struct { const char *op; enum seccomp_cmp cmp; } ops[] = {
    { "==", SECCOMP_CMP_EQ }, { "!=", SECCOMP_CMP_NE },
    { "<=", SECCOMP_CMP_LE }, { ">=", SECCOMP_CMP_GE },
    { "<", SECCOMP_CMP_LT }, { ">", SECCOMP_CMP_GT },
  };
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (strncmp (s, ops[i].op, strlen (ops[i].op)) == 0)
      {
        out->op = ops[i].cmp;
        return out->set = parse_u64 (s + strlen (ops[i].op), &out->value);
      }
  return false;
}

/* "unlimited", a number (with K/M/G/T for sizes), or "SOFT:HARD". */
static bool
parse_rlimit_part (int resource, const char *s, size_t n, uint64_t *out)
{
  char *v = xstrndup (s, n);
  bool overflow, ok;
  if (strcmp (v, "unlimited") == 0)
    {
      *out = UINT64_MAX;
      ok = true;
    }
  else if (cordon_rlimit_is_size (resource))
    ok = parse_size (v, out, &overflow) && *out != UINT64_MAX;
  else      /* a count, as integers are: decimal, "010" refused, never 8 */
    ok = v[strspn (v, "0123456789")] == '\0' && (v[0] != '0' || v[1] == '\0')
         && parse_size (v, out, &overflow) && *out != UINT64_MAX;
  free (v);
  return ok;
}

static bool
parse_rlimit (int resource, const char *s, uint64_t *soft, uint64_t *hard)
{
  if (s == NULL)
    return false;
  const char *colon = strchr (s, ':');
  if (colon == NULL)
    {
      bool ok = parse_rlimit_part (resource, s, strlen (s), soft);
      *hard = *soft;
      return ok;
    }
  return parse_rlimit_part (resource, s, (size_t) (colon - s), soft)
         && parse_rlimit_part (resource, colon + 1, strlen (colon + 1), hard);
}

static void
check_capability (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
                  int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  if (cordon_caps_from_name (v) < 0)
    value_error (ld, cfg, line, "unknown capability '%s' (names are like "
                 "\"CAP_NET_BIND_SERVICE\"; see capabilities(7))", v ? v : "");
}

static void
check_pass_fd (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
               int line)
{
  long v = cfg_opt_getnint (opt, idx);
  if (v < 3 || v > INT_MAX)
    value_error (ld, cfg, line, "'pass_fds': %ld is not a descriptor above "
                 "2 (0, 1 and 2 are always passed)", v);
}

static void
check_seccomp_preset (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt,
                      unsigned idx, int line)
{
  check_one_of (ld, cfg, opt, idx, line, "preset", seccomp_preset_names,
                N_NAMES (seccomp_preset_names));
}

static void
check_seccomp_action (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt,
                      unsigned idx, int line)
{
  check_one_of (ld, cfg, opt, idx, line, "action", seccomp_action_names,
                N_NAMES (seccomp_action_names));
}

static void
check_syscall_name (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt,
                    unsigned idx, int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  if (v && v[0] == '@')
    {
      if (!cordon_seccomp_known_group (v))
        value_error (ld, cfg, line, "'%s': unknown group '%s' (known: %s)",
                     opt->name, v, cordon_seccomp_group_names ());
    }
  else if (!cordon_seccomp_known_syscall (v))
    value_error (ld, cfg, line, "'%s': unknown system call '%s'", opt->name,
                 v ? v : "");
}

static void
check_seccomp_rule_key (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt,
                        unsigned idx, int line)
{
  if (strcmp (opt->name, "action") == 0)
    {
      check_seccomp_action (ld, cfg, opt, idx, line);
      return;
    }
  const char *v = cfg_opt_getnstr (opt, idx);
  struct seccomp_arg_cmp cmp;
  if (!parse_seccomp_cmp (v, &cmp))
    value_error (ld, cfg, line, "'%s': bad comparison '%s' (\"OP VALUE\" with "
                 "OP one of == != < <= > >=, or \"& MASK == VALUE\")",
                 opt->name, v ? v : "");
  else if (cmp.op == SECCOMP_CMP_MASKED_EQ && (cmp.value & ~cmp.mask) != 0)
    value_error (ld, cfg, line, "'%s': '%s' can never hold: VALUE has bits "
                 "that MASK clears", opt->name, v);
}

static void
check_rlimit (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
              int line)
{
  int resource = cordon_rlimit_from_name (opt->name);
  const char *v = cfg_opt_getnstr (opt, idx);
  uint64_t soft, hard;
  if (!parse_rlimit (resource, v, &soft, &hard))
    value_error (ld, cfg, line, "'%s': invalid limit '%s' (%s, \"unlimited\", "
                 "or \"SOFT:HARD\")", opt->name, v ? v : "",
                 cordon_rlimit_is_size (resource)
                   ? "a size with an optional K, M, G or T suffix"
                   : "a decimal number without leading zeros");
  else if (soft > hard)
    value_error (ld, cfg, line, "'%s': the soft limit '%s' is above the "
                 "hard one", opt->name, v);
}

/* ---- network values (the runtime is network.c) ---- */

#define DEFAULT_BRIDGE "cordon0"
#define DEFAULT_GATEWAY "10.88.0.1/24"

static const char *const network_modes[] = {
  [NETWORK_NONE] = "none", [NETWORK_HOST] = "host",
  [NETWORK_BRIDGE] = "bridge", [NETWORK_USER] = "user",
  [NETWORK_NETNS] = "netns",
};

/* "10.88.0.1" or "10.88.0.1/24"; *prefix is -1 without one.  Prefixes go
 * up to 30: a smaller subnet has no room for a gateway and a jail. */
static bool
parse_ipv4_prefix (const char *s, struct in_addr *addr, int *prefix)
{
  char buf[INET_ADDRSTRLEN];
  const char *slash = s ? strchr (s, '/') : NULL;
  size_t n = slash ? (size_t) (slash - s) : (s ? strlen (s) : 0);
  if (s == NULL || n == 0 || n >= sizeof buf)
    return false;
  memcpy (buf, s, n);
  buf[n] = '\0';
  if (inet_pton (AF_INET, buf, addr) != 1)
    return false;
  *prefix = -1;
  if (slash == NULL)
    return true;
  const char *p = slash + 1;
  if (*p < '0' || *p > '9' || strlen (p) > 2 || (p[1] && (p[1] < '0' || p[1] > '9')))
    return false;
  *prefix = atoi (p);
  return *prefix >= 1 && *prefix <= 30;
}

static bool
valid_ifname (const char *s)
{
  size_t n = s ? strlen (s) : 0;
  if (n < 1 || n > 15 || strcmp (s, ".") == 0 || strcmp (s, "..") == 0)
    return false;
  for (; *s; s++)
    if (*s == '/' || *s == ':' || *s <= ' ' || *s == 0x7f)
      return false;
  return true;
}

static bool
parse_port (const char *s, size_t n, unsigned long *port, bool *range)
{
  *range = false;
  if (n == 0 || n > 5)
    return false;
  unsigned long v = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return false;
      v = v * 10 + (unsigned long) (s[i] - '0');
    }
  *range = v >= 1 && v <= 65535;
  *port = v;
  return true;
}

/* "[HOST_ADDRESS:]HOST_PORT:JAIL_PORT[/tcp|udp]" into *P (host_address
 * allocated); NULL, or what is wrong (allocated). */
static char *
parse_publish (const char *s, struct port_publish *p)
{
  memset (p, 0, sizeof *p);
  p->protocol = IPPROTO_TCP;
  const char *end = strchrnul (s, '/');
  if (*end == '/')
    {
      if (strcmp (end + 1, "udp") == 0)
        p->protocol = IPPROTO_UDP;
      else if (strcmp (end + 1, "tcp") != 0)
        return xasprintf ("publish '%s': unknown protocol '%s' (tcp or udp)",
                          s, end + 1);
    }
  const char *colon2 = memrchr (s, ':', (size_t) (end - s));
  const char *colon1 = colon2 ? memrchr (s, ':', (size_t) (colon2 - s)) : NULL;
  if (colon2 == NULL)
    return xasprintf ("invalid publish '%s' ([HOST_ADDRESS:]HOST_PORT:"
                      "JAIL_PORT[/tcp|udp], like \"127.0.0.1:8080:80/tcp\")", s);
  const char *hp = colon1 ? colon1 + 1 : s;
  bool in_range_h, in_range_j;
  unsigned long host_port, jail_port;
  if (!parse_port (hp, (size_t) (colon2 - hp), &host_port, &in_range_h)
      || !parse_port (colon2 + 1, (size_t) (end - colon2 - 1), &jail_port,
                      &in_range_j))
    return xasprintf ("invalid publish '%s' ([HOST_ADDRESS:]HOST_PORT:"
                      "JAIL_PORT[/tcp|udp], like \"127.0.0.1:8080:80/tcp\")", s);
  if (!in_range_h || !in_range_j)
    return xasprintf ("publish '%s': port %lu is out of range (1 to 65535)", s,
                      !in_range_h ? host_port : jail_port);
  p->host_port = (uint16_t) host_port;
  p->jail_port = (uint16_t) jail_port;
  if (colon1)
    {
      char *addr = xstrndup (s, (size_t) (colon1 - s));
      struct in_addr a;
      if (inet_pton (AF_INET, addr, &a) != 1)
        {
          char *why = xasprintf ("publish '%s': invalid host address '%s' (an "
                                 "IPv4 address)", s, addr);
          free (addr);
          return why;
        }
      p->host_address = addr;
    }
  return NULL;
}

static void
check_net_mode (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
                int line)
{
  check_one_of (ld, cfg, opt, idx, line, "mode", network_modes,
                N_NAMES (network_modes));
}

static void
check_net_bridge (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
                  int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  if (!valid_ifname (v))
    value_error (ld, cfg, line, "invalid %s name '%s' (1 to 15 characters, no "
                 "'/', ':' or spaces)", strcmp (opt->name, "bridge") == 0
                 ? "bridge" : "network_bridge", v ? v : "");
}

static void
check_net_address (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
                   int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  struct in_addr a;
  int prefix;
  if (v && strcmp (v, "auto") != 0 && !parse_ipv4_prefix (v, &a, &prefix))
    value_error (ld, cfg, line, "invalid address '%s' (\"auto\" or an IPv4 "
                 "address with an optional /PREFIX up to 30, like "
                 "\"10.88.0.2/24\")", v);
}

static void
check_net_gateway (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
                   int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  struct in_addr a;
  int prefix;
  bool settings = strcmp (opt->name, "network_gateway") == 0;
  if (!parse_ipv4_prefix (v, &a, &prefix) || (settings && prefix < 0))
    value_error (ld, cfg, line, "invalid %s '%s' (an IPv4 address with %s "
                 "/PREFIX up to 30, like \"10.88.0.1/24\")", opt->name,
                 v ? v : "", settings ? "a" : "an optional");
}

static void
check_net_dns (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
               int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  unsigned char buf[sizeof (struct in6_addr)];
  if (v == NULL || (inet_pton (AF_INET, v, buf) != 1
                    && inet_pton (AF_INET6, v, buf) != 1))
    value_error (ld, cfg, line, "invalid dns server '%s' (an IPv4 or IPv6 "
                 "address)", v ? v : "");
}

static void
check_net_publish (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
                   int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  struct port_publish p;
  char *why = parse_publish (v ? v : "", &p);
  free (p.host_address);
  if (why)
    value_error (ld, cfg, line, "%s", why);
  free (why);
}

/* root_id_range = "START:COUNT": decimal, the whole range above the host's
 * own users and groups (0 to 65535: root, nobody, (uint16_t) -1 ...) and
 * below (uid_t) -1.  NULL when valid, else why not. */
static const char *
parse_id_range (const char *v, uint32_t *start, uint32_t *count)
{
  uint64_t n[2] = { 0, 0 };
  const char *p = v ? v : "";
  for (int i = 0; i < 2; i++)
    {
      if (*p < '0' || *p > '9')
        return "the form is \"START:COUNT\", two decimal numbers";
      for (; *p >= '0' && *p <= '9'; p++)
        if ((n[i] = n[i] * 10 + (uint64_t) (*p - '0')) > UINT32_MAX)
          return "a number past 4294967295 (ids are 32-bit)";
      if (*p != (i == 0 ? ':' : '\0'))
        return "the form is \"START:COUNT\", two decimal numbers";
      p++;
    }
  if (n[0] < 65536)
    return "ids below 65536 are the host's own users and groups (root is 0, "
           "nobody 65534): start at 65536 or above";
  if (n[1] == 0)
    return "COUNT must be at least 1";
  if (n[0] + n[1] - 1 > UINT32_MAX - 1)
    return "the range ends past 4294967294 ((uid_t) -1 is not an id)";
  *start = (uint32_t) n[0];
  *count = (uint32_t) n[1];
  return NULL;
}

static void
check_root_id_range (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt,
                     unsigned idx, int line)
{
  const char *v = cfg_opt_getnstr (opt, idx);
  uint32_t start, count;
  const char *why = parse_id_range (v, &start, &count);
  if (why)
    value_error (ld, cfg, line, "invalid root_id_range '%s': %s", v ? v : "",
                 why);
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
  { "cgroup", "memory", check_limit_size },
  { "cgroup", "memory_swap", check_limit_size },
  { "cgroup", "pids", check_cgroup_pids },
  { "cgroup", "cpu", check_cgroup_cpu },
  { NULL, "cgroup_parent", check_cgroup_parent },
  { NULL, "cgroup_version", check_cgroup_version },
  { NULL, "network_bridge", check_net_bridge },
  { NULL, "network_gateway", check_net_gateway },
  { NULL, "root_id_range", check_root_id_range },
  { "network", "mode", check_net_mode },
  { "network", "bridge", check_net_bridge },
  { "network", "address", check_net_address },
  { "network", "gateway", check_net_gateway },
  { "network", "dns", check_net_dns },
  { "network", "publish", check_net_publish },
  { NULL, "capabilities", check_capability },
  { NULL, "pass_fds", check_pass_fd },
  { "seccomp", "preset", check_seccomp_preset },
  { "seccomp", "action", check_seccomp_action },
  { "seccomp", "allow", check_syscall_name },
  { "seccomp", "deny", check_syscall_name },
  { "rule", "*", check_seccomp_rule_key },
  { "rlimit", "*", check_rlimit },
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
      if (same_section && (strcmp (opt->name, value_checks[i].key) == 0
                           || strcmp (value_checks[i].key, "*") == 0))
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

/* KEY is assigned at LINE of the file F: a second time is an error.  The
 * file's own list of keys is at most as long as the schema, where a search
 * of every assignment of the load would make loading quadratic. */
static void
note_set_in_file (struct loader *ld, struct frame *f, const char *key,
                  int line)
{
  for (size_t i = 0; i < f->n_set; i++)
    if (strcmp (f->set[i].key, key) == 0)
      {
        ld_diag (ld, DIAG_ERROR, line, "'%s' is set twice in this file "
                 "(first at line %d)", key, f->set[i].line);
        f->set[i].line = line;
        return;
      }
  RESERVE_ONE (f->set, f->n_set, f->cap_set);
  f->set[f->n_set++] = (struct key_line) { xstrdup (key), line };
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
  if (assigned)
    note_set_in_file (ld, f, key, line);
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
  if (ld->stopped)
    return 1;           /* libconfuse stops the parse */
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
      if (++ld->n_values > MAX_LOAD_VALUES)
        {
          ld_diag (ld, DIAG_ERROR, line, "more than %d values in the lists "
                   "of one profile (with its includes): stopping here",
                   MAX_LOAD_VALUES);
          ld->stopped = true;
          return 1;
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

static int
on_empty_list (cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv)
{
  struct loader *ld = current_loader;
  if (ld == NULL || argc != 2)
    return 0;
  ld->open_list = NULL;
  note_assignment (ld, cfg, argv[0], atoi (argv[1]), true);
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

static size_t
title_hash (int type, const char *title)
{
  size_t h = 0xcbf29ce484222325u ^ (size_t) type;   /* FNV-1a */
  for (const unsigned char *c = (const unsigned char *) title; *c; c++)
    h = (h ^ *c) * 0x100000001b3u;
  return h;
}

/* The slot of (TYPE, TITLE) in the index: its entry, or the empty slot
 * where it would go. */
static size_t *
title_slot (struct loader *ld, int type, const char *title)
{
  size_t mask = ld->cap_titled - 1;
  for (size_t i = title_hash (type, title) & mask;; i = (i + 1) & mask)
    {
      size_t *slot = &ld->titled[i];
      const struct sec_rec *r = *slot ? &ld->secs[*slot - 1] : NULL;
      if (r == NULL || (r->type == type && strcmp (r->title, title) == 0))
        return slot;
    }
}

static void
grow_title_index (struct loader *ld)
{
  size_t *old = ld->titled, old_cap = ld->cap_titled;
  ld->cap_titled = old_cap ? 2 * old_cap : 64;
  ld->titled = xcalloc (ld->cap_titled, sizeof *ld->titled);
  for (size_t i = 0; i < old_cap; i++)
    if (old[i])
      {
        const struct sec_rec *r = &ld->secs[old[i] - 1];
        *title_slot (ld, r->type, r->title) = old[i];
      }
  free (old);
}

/* Make REC the live declaration of its title; returns the one it
 * replaces, if any. */
static struct sec_rec *
index_titled (struct loader *ld, struct sec_rec *rec)
{
  if (2 * (ld->n_titled + 1) > ld->cap_titled)
    grow_title_index (ld);
  size_t *slot = title_slot (ld, rec->type, rec->title);
  struct sec_rec *old = *slot ? &ld->secs[*slot - 1] : NULL;
  if (old == NULL)
    ld->n_titled++;
  *slot = (size_t) (rec - ld->secs) + 1;
  return old;
}

/* A titled section declared again: in the same file an error; in a later
 * file it replaces the earlier declaration entirely (libconfuse frees the
 * old one; keys are not merged) and takes its place in the entry order. */
static void
handle_redeclaration (struct loader *ld, struct sec_rec *rec)
{
  struct sec_rec *old = index_titled (ld, rec);
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
  /* Once a file's range replaced the others, the next ones of the same
   * file find none: only the first range after another file's looks. */
  int *from = &ld->ranges_from[rec->type];
  if (*from == rec->instance + 1)
    return;
  *from = rec->instance + 1;
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
  if (f && type >= 0 && section_parent ((size_t) type))
    {
      if (f->next_inner_open < f->n_inner_opens)
        line = f->inner_opens[f->next_inner_open++];
    }
  else if (f && f->next_open < f->n_opens)
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
  if (ld->stopped)
    return 1;
  ld->open_list = NULL;
  int type = find_section_type (opt->name, strlen (opt->name));
  /* The section just closed is the one without a record yet: the last,
   * unless it replaced an earlier one of the same title in place. */
  cfg_t *sec = NULL;
  for (unsigned i = cfg_opt_size (opt); i-- > 0 && sec == NULL;)
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

/* libconfuse reads an integer with strtol (VALUE, NULL, 0): "01000" is
 * octal 512, "0x10" is 16, "+5" and " 5" are 5.  cordon.conf(5) promises
 * decimal, so only an optional '-' and digits without a leading zero are an
 * integer; anything else is an error, never a reinterpretation. */
static int
parse_decimal (cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
  struct loader *ld = current_loader;
  const char *s = value ? value : "";
  const char *digits = s + (*s == '-');
  size_t n = strspn (digits, "0123456789");
  bool decimal = n > 0 && digits[n] == '\0' && (digits[0] != '0' || n == 1);
  errno = 0;
  long v = decimal ? strtol (s, NULL, 10) : 0;
  if (decimal && errno == 0)
    {
      *(long *) result = v;
      return 0;
    }
  if (ld == NULL)
    return -1;
  if (decimal)
    value_error (ld, cfg, cfg->line, "integer value for option '%s' is out "
                 "of range", opt->name);
  else if (strpbrk (s, "0123456789") == NULL)
    value_error (ld, cfg, cfg->line, "invalid integer value for option '%s'",
                 opt->name);
  else
    value_error (ld, cfg, cfg->line, "'%s' must be a decimal integer, not "
                 "'%s' (no leading zeros, '+', 0x or blanks)", opt->name, s);
  return -1;
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
      if (opts[i].type == CFGT_INT)
        opts[i].parsecb = parse_decimal;
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
  free (f->inner_opens);
  free_held (f->held, f->n_held);
  free_key_lines (f->set, f->n_set);
}

/* The sections of F count against MAX_LOAD_SECTIONS before libconfuse
 * builds them; false when there are too many (reported). */
static bool
count_sections (struct loader *ld, struct frame *f)
{
  size_t n = f->n_opens + f->n_inner_opens;
  if (ld->n_sections + n <= MAX_LOAD_SECTIONS)
    {
      ld->n_sections += n;
      return true;
    }
  size_t first_over = MAX_LOAD_SECTIONS - ld->n_sections;
  ld_diag (ld, DIAG_ERROR, first_over < f->n_opens ? f->opens[first_over] : 0,
           "more than %d sections in one profile (with its includes): "
           "stopping here", MAX_LOAD_SECTIONS);
  ld->stopped = true;
  ld->parse_failed = true;
  return false;
}

/* A file read (LEN bytes) counts against MAX_LOAD_FILES and
 * MAX_LOAD_BYTES; false when it is one too many (reported at LINE). */
static bool
count_file (struct loader *ld, const char *name, size_t len, int line)
{
  ld->loaded_bytes += len;
  if (++ld->n_loaded <= MAX_LOAD_FILES && ld->loaded_bytes <= MAX_LOAD_BYTES)
    return true;
  if (ld->n_loaded > MAX_LOAD_FILES)
    ld_diag (ld, DIAG_ERROR, line, "include(\"%s\"): more than %d files in "
             "one profile (with its includes): stopping here", name,
             MAX_LOAD_FILES);
  else
    ld_diag (ld, DIAG_ERROR, line, "include(\"%s\"): more than %d MiB in the "
             "files of one profile (with its includes): stopping here", name,
             MAX_LOAD_BYTES / (1024 * 1024));
  ld->stopped = true;
  ld->parse_failed = true;
  return false;
}

/* Parse TEXT, the file on top of the frame stack, into ld->cfg.  Returns
 * -1 when libconfuse stopped on an error (the tree is then incomplete). */
static int
parse_top_frame (struct loader *ld, const char *text, size_t len)
{
  struct frame *f = top_frame (ld);
  struct strbuf out;
  if (ld->stopped)
    return -1;
  if (!prescan (ld, text, len, &out, f))
    {
      release_held (ld, INT_MAX);
      free (out.s);
      return 0;        /* reported; libconfuse's state is untouched */
    }
  if (!count_sections (ld, f))
    {
      free (out.s);
      return -1;
    }
  FILE *fp = fmemopen (out.s, out.n, "r");
  if (fp == NULL)
    {
      ld_diag (ld, DIAG_ERROR, 0, "cannot read: %s", strerror (errno));
      free (out.s);
      return -1;
    }
  /* libconfuse's tree takes ~4 KiB per section (a copy of its option
   * table, its defaults, the values) */
  heap_prefault ((f->n_opens + f->n_inner_opens) * 4096);
  cfg_t *cfg = ld->cfg;
  char *saved_file = cfg->filename;
  int saved_line = cfg->line;
  cfg->filename = xstrdup (f->path);
  ld->open_list = NULL;
  int rc = cfg_parse_fp (cfg, fp);
  release_held (ld, INT_MAX);
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
file_exists (struct loader *ld, const char *path)
{
  struct stat st;
  bool exists = stat (path, &st) == 0;
  profile_inputs_probe (ld->inputs, path, exists);
  return exists;
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
      if (file_exists (ld, path))
        return path;
      sb_puts (searched, *f->dir ? f->dir : ".");
      free (path);
    }
  for (size_t i = 0; ld->settings && i < ld->settings->n_profile_path; i++)
    {
      char *path = join_path (ld->settings->profile_path[i], name);
      if (file_exists (ld, path))
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
  struct diagnostics unreadable = { 0 };
  char *text = read_text (path, &unreadable, &len, &st, NULL);
  /* said at the include() line: which include, where */
  for (size_t i = 0; i < unreadable.n; i++)
    ld_diag (ld, DIAG_ERROR, line, "include(\"%s\"): %s: %s", name,
             unreadable.items[i].file, unreadable.items[i].message);
  diagnostics_free (&unreadable);
  if (text && !count_file (ld, name, len, line))
    rc = -1;
  else if (text)
    profile_inputs_file (ld->inputs, path, text, len, &st);
  if (text && rc == 0 && !is_include_cycle (ld, &st, path, line, name))
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
  release_held (ld, cfg->line);
  if (ld->stopped)
    return 1;
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

/* The option NAME of OPTS as a profile may name it. */
static cfg_opt_t *
find_opt (cfg_opt_t *opts, const char *name, size_t len)
{
  for (size_t i = 0; opts && opts[i].name; i++)
    if (strlen (opts[i].name) == len && memcmp (opts[i].name, name, len) == 0)
      return strcmp (opts[i].name, EMPTY_LIST_MARK) ? &opts[i] : NULL;
  return NULL;
}

/* A -D value is data, never profile text: it must be exactly one value of
 * its key's type (one string, number or boolean; for a list key, also one
 * {...} of them), and it reaches the parser re-quoted, so that nothing in it
 * (a quote, a brace, a comment, a newline, include(), ${VAR}) can become
 * syntax.  A '$' is taken literally: the shell expanded what the caller
 * meant to expand. */
/* S as shown in a message: control characters escaped, so that a value
 * cannot forge a line of its own; at most MAX bytes of it. */
static char *
shown_text (const char *s, size_t max)
{
  struct strbuf b = { 0 };
  sb_putn (&b, "", 0);
  size_t n = strlen (s);
  for (size_t i = 0; i < n && i < max; i++)
    {
      unsigned char c = (unsigned char) s[i];
      char esc[8];
      if (c == '\n' || c == '\t' || c == '\r')
        sb_puts (&b, c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\r");
      else if (c < 0x20 || c == 0x7f)
        {
          snprintf (esc, sizeof esc, "\\x%02x", c);
          sb_puts (&b, esc);
        }
      else
        sb_putc (&b, (char) c);
    }
  if (n > max)
    sb_puts (&b, "...");
  return b.s;
}

struct dvalue
{
  const char *p, *end;
  struct strbuf out;        /* the value, quoted for the parser */
  char *why;                /* what is wrong with it */
};

static bool
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

static void
skip_blanks (struct dvalue *v)
{
  while (v->p < v->end && is_blank (*v->p))
    v->p++;
}

/* A double-quoted string: its escapes are kept (the pre-scan checks them
 * as in a file), a '$' is escaped. */
static bool
put_double_quoted (struct dvalue *v)
{
  const char *q = v->p + 1;
  for (; q < v->end && *q != '"'; q++)
    if (*q == '\\' && q + 1 < v->end)
      q++;
  if (q >= v->end)
    {
      v->why = xstrdup ("unterminated string");
      return false;
    }
  sb_putc (&v->out, '"');
  for (const char *c = v->p + 1; c < q; c++)
    if (*c == '\\')
      sb_putn (&v->out, c++, 2);
    else if (*c == '$')
      sb_puts (&v->out, "\\$");
    else
      sb_putc (&v->out, *c);
  sb_putc (&v->out, '"');
  v->p = q + 1;
  return true;
}

/* A single-quoted string is literal: it is kept as it is. */
static bool
put_single_quoted (struct dvalue *v)
{
  const char *q = v->p + 1;
  for (; q < v->end && *q != '\''; q++)
    if (*q == '\\' && q + 1 < v->end && (q[1] == '\\' || q[1] == '\''))
      q++;
  if (q >= v->end)
    {
      v->why = xstrdup ("unterminated string");
      return false;
    }
  sb_putn (&v->out, v->p, (size_t) (q + 1 - v->p));
  v->p = q + 1;
  return true;
}

/* A bare word ends where it would in a profile (and at a control
 * character); it is handed on double-quoted. */
static bool
put_bare_word (struct dvalue *v, const char *key)
{
  const char *q = v->p;
  while (q < v->end && !is_word_end (*q) && (unsigned char) *q >= 0x20
         && *q != 0x7f)
    q++;
  if (q < v->end && *q == '{' && q > v->p && q[-1] == '$')
    {
      v->why = xasprintf ("'%s': a -D value is not expanded: let the shell "
                          "expand ${...}, or quote the value for a literal "
                          "'$'", key);
      return false;
    }
  if (q == v->p)
    {
      v->why = v->p < v->end
                 ? xasprintf ("'%s': expected a value, not '%c'", key, *v->p)
                 : xasprintf ("'%s' needs a value (\"\" for an empty "
                              "string)", key);
      return false;
    }
  if (q - v->p >= 2 && v->p[0] == '/' && v->p[1] == '/')
    {
      v->why = xasprintf ("'%s': a bare value starting with '//' is a "
                          "comment; quote it", key);
      return false;
    }
  sb_putc (&v->out, '"');
  put_quoted_chars (&v->out, v->p, (size_t) (q - v->p));
  sb_putc (&v->out, '"');
  v->p = q;
  return true;
}

static bool
put_one_value (struct dvalue *v, const char *key)
{
  if (v->p < v->end && *v->p == '"')
    return put_double_quoted (v);
  if (v->p < v->end && *v->p == '\'')
    return put_single_quoted (v);
  return put_bare_word (v, key);
}

/* {A, B, ...}: as in a profile, a ',' may end the list. */
static bool
put_list (struct dvalue *v, const char *key)
{
  sb_putc (&v->out, '{');
  v->p++;
  skip_blanks (v);
  while (v->p < v->end && *v->p != '}')
    {
      if (!put_one_value (v, key))
        return false;
      skip_blanks (v);
      if (v->p < v->end && *v->p == ',')
        {
          sb_puts (&v->out, ", ");
          v->p++;
          skip_blanks (v);
        }
      else if (v->p >= v->end || *v->p != '}')
        {
          char *rest = shown_text (v->p, 40);
          v->why = v->p < v->end
                     ? xasprintf ("'%s': expected ',' or '}' in the list, "
                                  "not '%s'", key, rest)
                     : xasprintf ("'%s': the list is not closed with '}'",
                                  key);
          free (rest);
          return false;
        }
    }
  if (v->p >= v->end)
    {
      v->why = xasprintf ("'%s': the list is not closed with '}'", key);
      return false;
    }
  sb_putc (&v->out, '}');
  v->p++;
  return true;
}

static const char *
type_noun (const cfg_opt_t *opt)
{
  switch (opt->type)
    {
    case CFGT_INT: return "integer";
    case CFGT_FLOAT: return "number";
    case CFGT_BOOL: return "boolean";
    default: return "string";
    }
}

/* The VALUE of -D KEY=VALUE for OPT, quoted for the parser; NULL with
 * *WHY when it is not exactly one value of OPT's type. */
static char *
override_value (const cfg_opt_t *opt, const char *key, const char *value,
                char **why)
{
  struct dvalue v = { .p = value, .end = value + strlen (value) };
  bool list = opt->flags & CFGF_LIST;
  skip_blanks (&v);
  bool ok;
  if (v.p < v.end && *v.p == '{' && list)
    ok = put_list (&v, key);
  else if (v.p < v.end && *v.p == '{')
    {
      v.why = xasprintf ("'%s' takes one %s, not a list", key,
                         type_noun (opt));
      ok = false;
    }
  else if (list)
    {
      sb_putc (&v.out, '{');
      ok = put_one_value (&v, key);
      sb_putc (&v.out, '}');
    }
  else
    ok = put_one_value (&v, key);
  skip_blanks (&v);
  if (ok && v.p < v.end)
    {
      char *rest = shown_text (v.p, 40);
      v.why = xasprintf ("'%s' takes one %s%s, and '%s' follows it (quote a "
                         "value that has spaces or any of # = { } ( ) + , * "
                         "' \")", key, type_noun (opt),
                         list ? " or one {...} list" : "", rest);
      free (rest);
      ok = false;
    }
  if (!ok)
    {
      free (v.out.s);
      *why = v.why;
      return NULL;
    }
  return v.out.s;
}

/* The option a -D KEY names: a top-level key, or SECTION.KEY of a section
 * that occurs once; NULL after a diagnostic. */
static cfg_opt_t *
override_opt (struct loader *ld, const char *key, const char **section)
{
  const char *dot = strchr (key, '.');
  size_t len = dot ? (size_t) (dot - key) : strlen (key);
  cfg_opt_t *opt = find_opt (ld->cfg->opts, key, len);
  *section = NULL;
  if (opt && opt->type == CFGT_SEC && (opt->flags & CFGF_MULTI))
    {
      ld_diag (ld, DIAG_ERROR, 0, "'%s' may appear more than once: it cannot "
               "be set with -D", opt->name);
      return NULL;
    }
  if (opt && opt->type == CFGT_SEC && dot)
    {
      *section = opt->name;
      opt = find_opt (opt->subopts, dot + 1, strlen (dot + 1));
      dot = strchr (dot + 1, '.');
    }
  if (opt && opt->type == CFGT_SEC && !dot && *section == NULL)
    ld_diag (ld, DIAG_ERROR, 0, "'%s' is a section: use -D %s.KEY=VALUE",
             key, key);
  else if (opt && opt->type == CFGT_SEC && !dot)
    ld_diag (ld, DIAG_ERROR, 0, "'%s' is a section: it cannot be set with -D",
             key);
  else if (opt == NULL || dot || opt->type == CFGT_FUNC)
    ld_diag (ld, DIAG_ERROR, 0, "no such option '%s'", key);
  else
    return opt;
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
      ld_diag (ld, DIAG_ERROR, 0, "expected KEY=VALUE");
      return NULL;
    }
  size_t klen = (size_t) (eq - arg);
  bool append = arg[klen - 1] == '+';
  if (append)
    klen--;
  char *key = xstrndup (arg, klen);
  const char *section;
  cfg_opt_t *opt = override_opt (ld, key, &section);
  char *value = NULL, *why = NULL, *snippet = NULL;
  if (opt && append && !(opt->flags & CFGF_LIST))
    ld_diag (ld, DIAG_ERROR, 0, "'%s' is not a list: += appends to lists "
             "only", key);
  else if (opt && (value = override_value (opt, key, eq + 1, &why)) == NULL)
    ld_diag (ld, DIAG_ERROR, 0, "%s", why);
  else if (opt)
    {
      const char *op = append ? "+=" : "=";
      snippet = section ? xasprintf ("%s {\n%s %s %s\n}\n", section, opt->name,
                                     op, value)
                        : xasprintf ("%s %s %s\n", opt->name, op, value);
    }
  free (why);
  free (value);
  free (key);
  return snippet;
}

static void
apply_overrides (struct loader *ld, char *const *overrides, size_t n)
{
  for (size_t i = 0; i < n && !ld->parse_failed; i++)
    {
      char *arg = shown_text (overrides[i], SIZE_MAX);
      char *label = xasprintf ("%s %s", OVERRIDE_FILE, arg);
      free (arg);
      push_frame (ld, label, NULL, NULL, false, true);
      free (label);
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

/* V (of N elements of SIZE) with room for one more.  The spec keeps no
 * capacity, so its arrays grow in powers of two: growing by one copies the
 * whole array each time where realloc cannot extend it in place. */
static void *
grow_for_one (void *v, size_t n, size_t size)
{
  if (n == 0 || (n >= 8 && (n & (n - 1)) == 0))
    return xrealloc (v, (n ? 2 * n : 8) * size);
  return v;
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
  spec->entries = grow_for_one (spec->entries, spec->n_entries,
                                sizeof *spec->entries);
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

/* A host path a mount reads: absolute, and present unless optional (or
 * left to the mount: a stat of every source was a fifth of the load time
 * of a profile of many binds). */
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
  if (optional || ld->unset_vars || ld->mount_checks_sources
      || stat (path, &st) == 0)
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

/* ---- host paths judged as the kernel resolves them ---- */

/* The host's directories a jail must not write to without a word: judged
 * by the file a path resolves to, so "/tmp/..", a symlink to "/" and
 * "/proc/self/root" are all the host's "/". */
static const char *const host_dirs[] = { "/", "/boot", "/dev", "/etc", "/proc",
                                         "/sys" };
/* Sockets whose every client controls the host's containers (root on the
 * host): dangerous even bound read-only, since connect(2) needs no write
 * access to the mount. */
static const char *const host_sockets[] = {
  "/run/docker.sock", "/run/containerd/containerd.sock",
  "/run/podman/podman.sock",
};

/* The host's pseudo filesystem PATH's file is on (a writable part of one
 * is a kernel knob, wherever it is mounted), or NULL. */
static const char *
kernel_fs_of (const char *path)
{
  struct statfs sf;
  if (statfs (path, &sf) < 0)
    return NULL;
  switch ((unsigned long) sf.f_type)
    {
    case PROC_SUPER_MAGIC:
      return "/proc";
    case SYSFS_MAGIC: case CGROUP_SUPER_MAGIC: case CGROUP2_SUPER_MAGIC:
    case SECURITYFS_MAGIC: case DEBUGFS_MAGIC: case TRACEFS_MAGIC:
    case BPF_FS_MAGIC: case EFIVARFS_MAGIC: case PSTOREFS_MAGIC:
      return "/sys";
    default:
      return NULL;
    }
}

/* The one of the N host paths CANDIDATES that ST is the same file as. */
static const char *
same_host_file (const struct stat *st, const char *const *candidates,
                size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      struct stat c;
      if (stat (candidates[i], &c) == 0 && c.st_dev == st->st_dev
          && c.st_ino == st->st_ino)
        return candidates[i];
    }
  return NULL;
}

/* PATH as written when that is how the host names it, else both. */
static char *
spelled (const char *path, const char *host_name)
{
  char *norm = NULL;
  const char *why;
  if (normalize_dest (path, &norm, &why) && strcmp (norm, host_name) == 0)
    {
      free (norm);
      return xstrdup (host_name);
    }
  free (norm);
  return xasprintf ("%s ('%s' resolves to it)", host_name, path);
}

/* Warn, at LINE, when the jail gets PATH to write to (WHAT: "writable
 * bind", "overlay upper"...) and PATH is one of the host's directories
 * above or part of its /proc or /sys; SOCKETS: also when it is one of the
 * container sockets, writable or not.  A path that does not resolve now
 * is judged as written. */
static void
judge_host_path (struct loader *ld, const struct sec_rec *rec, int line,
                 const char *what, const char *path, bool writable,
                 bool sockets)
{
  struct stat st;
  if (!is_absolute (path) || ld->unset_vars)
    return;
  int r = stat (path, &st);
  profile_inputs_host_path (ld->inputs, path, r == 0 ? &st : NULL, errno);
  const char *dir = NULL;
  if (r < 0)
    {
      char *norm = NULL;
      const char *why;
      if (!writable || !normalize_dest (path, &norm, &why))
        return;
      for (size_t i = 0; i < N_NAMES (host_dirs) && !dir; i++)
        if (strcmp (norm, host_dirs[i]) == 0)
          dir = host_dirs[i];
      free (norm);
      if (dir)
        sec_diag (ld, DIAG_WARNING, rec, line, "%s of the host's %s", what,
                  dir);
      return;
    }
  const char *sock = sockets && S_ISSOCK (st.st_mode)
                     ? same_host_file (&st, host_sockets,
                                       N_NAMES (host_sockets)) : NULL;
  if (sock)
    {
      char *name = spelled (path, sock);
      sec_diag (ld, DIAG_WARNING, rec, line, "bind of the host's %s: whoever "
                "connects to it controls the host's containers (root on the "
                "host)", name);
      free (name);
      return;
    }
  if (!writable)
    return;
  if ((dir = same_host_file (&st, host_dirs, N_NAMES (host_dirs))))
    {
      char *name = spelled (path, dir);
      sec_diag (ld, DIAG_WARNING, rec, line, "%s of the host's %s", what, name);
      free (name);
    }
  else if ((dir = kernel_fs_of (path)))
    sec_diag (ld, DIAG_WARNING, rec, line, "%s of '%s', part of the host's "
              "%s", what, path, dir);
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
  judge_host_path (ld, rec, sec_key_line (rec, e->writable ? "writable"
                                                           : "source"),
                   "writable bind", source, e->writable, true);
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
    {
      check_host_path (ld, rec, "upper", e->upper, e->optional);
      judge_host_path (ld, rec, sec_key_line (rec, "upper"), "overlay upper",
                       e->upper, true, false);
    }
  if (e->work)
    {
      check_host_path (ld, rec, "work", e->work, e->optional);
      judge_host_path (ld, rec, sec_key_line (rec, "work"), "overlay work "
                       "directory", e->work, true, false);
    }
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
  map->ranges = grow_for_one (map->ranges, map->n_ranges,
                              sizeof *map->ranges);
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

static void
build_seccomp_rule (struct loader *ld, struct seccomp_spec *s, cfg_t *sec)
{
  const struct sec_rec *rec = rec_of (ld, sec);
  struct sec_rec fallback = { .type = find_section_type ("rule", 4),
                              .title = sec->title, .file = s->origin.file,
                              .line = s->origin.line };
  if (rec == NULL)
    rec = &fallback;
  const char *name = sec->title ? sec->title : "";
  if (!cordon_seccomp_known_syscall (name))
    {
      sec_diag (ld, DIAG_ERROR, rec, rec->line, "unknown system call '%s'",
                name);
      return;
    }
  s->rules = xrealloc (s->rules, (s->n_rules + 1) * sizeof *s->rules);
  struct seccomp_rule *r = &s->rules[s->n_rules++];
  memset (r, 0, sizeof *r);
  r->syscall = xstrdup (name);
  r->origin.file = xstrdup (rec->file);
  r->origin.line = rec->line;
  for (unsigned a = 0; a < 6; a++)
    {
      char key[8];
      snprintf (key, sizeof key, "arg%u", a);
      if (cfg_size (sec, key) > 0)
        parse_seccomp_cmp (cfg_getstr (sec, key), &r->args[a]);
    }
  int action = NAME_INDEX (seccomp_action_names, cfg_getstr (sec, "action"));
  r->action = action >= 0 ? (enum seccomp_action) action : s->action;
}

static void
build_seccomp (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
               const struct sec_rec *rec)
{
  struct seccomp_spec *s = &spec->seccomp;
  int preset = NAME_INDEX (seccomp_preset_names, cfg_getstr (sec, "preset"));
  int action = NAME_INDEX (seccomp_action_names, cfg_getstr (sec, "action"));
  s->preset = preset >= 0 ? (enum seccomp_preset) preset
                          : SECCOMP_PRESET_DEFAULT;
  s->action = action >= 0 ? (enum seccomp_action) action
                          : SECCOMP_ACTION_ERRNO;
  s->compat = cfg_getbool (sec, "compat");
  s->allow = copy_list (sec, "allow", &s->n_allow);
  s->deny = copy_list (sec, "deny", &s->n_deny);
  free (s->origin.file);
  s->origin.file = xstrdup (rec->file);
  s->origin.line = rec->line;
  for (unsigned i = 0; i < cfg_size (sec, "rule"); i++)
    build_seccomp_rule (ld, s, cfg_getnsec (sec, "rule", i));
}

static void
build_rlimit (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
              const struct sec_rec *rec)
{
  for (int r = 0; r < JAIL_RLIMIT_COUNT; r++)
    {
      const char *name = cordon_rlimit_name (r);
      struct rlimit_setting *l = &spec->rlimits[r];
      if (name == NULL || cfg_size (sec, name) == 0
          || !parse_rlimit (r, cfg_getstr (sec, name), &l->soft, &l->hard))
        continue;
      l->set = true;
      char *key = xasprintf ("rlimit.%s", name);
      const struct key_rec *k = key_origin (ld, key);
      free (key);
      l->origin.file = xstrdup (k ? k->file : rec->file);
      l->origin.line = k ? k->line : rec->line;
    }
}

/* capabilities, no_new_privs, pass_fds, new_session, tty, mask_paths */
static void
build_hardening_keys (struct loader *ld, struct jail_spec *spec)
{
  cfg_t *cfg = ld->cfg;
  for (unsigned i = 0; i < cfg_size (cfg, "capabilities"); i++)
    {
      int cap = cordon_caps_from_name (cfg_getnstr (cfg, "capabilities", i));
      if (cap >= 0)
        spec->capabilities |= UINT64_C (1) << cap;
    }
  spec->no_new_privs = cfg_getbool (cfg, "no_new_privs");
  spec->new_session = cfg_getbool (cfg, "new_session");
  spec->tty = cfg_getbool (cfg, "tty");
  spec->mask_paths = cfg_getbool (cfg, "mask_paths");
  unsigned n = cfg_size (cfg, "pass_fds");
  spec->pass_fds = xcalloc (n, sizeof *spec->pass_fds);
  for (unsigned i = 0; i < n; i++)
    {
      long fd = cfg_getnint (cfg, "pass_fds", i);
      if (fd >= 3 && fd <= INT_MAX)
        spec->pass_fds[spec->n_pass_fds++] = (int) fd;
    }
}

/* A memory size key: *has is false when unset or "max". */
static void
cgroup_size (cfg_t *sec, const char *key, bool *has, uint64_t *v)
{
  const char *s = cfg_size (sec, key) ? cfg_getstr (sec, key) : NULL;
  bool overflow;
  *has = s && strcmp (s, "max") != 0 && parse_size (s, v, &overflow);
}

/* The smallest memory limit a jail starts under: the jail's pid 1 and an
 * exec of a small program take about 512K (measured), so below 1M the
 * limit kills most jails as they start. */
#define CGROUP_MEMORY_WARN ((uint64_t) 1 << 20)

/* A memory limit the kernel takes but no jail can run under: under a page
 * it rounds to none at all (the OOM killer at the first fault). */
static void
check_cgroup_memory (struct loader *ld, const struct cgroup_spec *c,
                     const struct sec_rec *rec)
{
  if (!c->has_memory)
    return;
  const struct key_rec *k = key_origin (ld, "cgroup.memory");
  const char *file = k ? k->file : rec->file;
  int line = k ? k->line : rec->line;
  uint64_t page = (uint64_t) sysconf (_SC_PAGESIZE);
  if (c->memory < page)
    ld_diag_at (ld, DIAG_ERROR, file, line, "cgroup: 'memory' %" PRIu64
                " is less than a page (%" PRIu64 " bytes): the jail is "
                "killed at its first step (\"max\" means no limit)",
                c->memory, page);
  else if (c->memory < CGROUP_MEMORY_WARN)
    ld_diag_at (ld, DIAG_WARNING, file, line, "cgroup: 'memory' %" PRIu64
                " is below 1M: the jail is likely killed as it starts",
                c->memory);
}

static void
build_cgroup (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
              const struct sec_rec *rec)
{
  struct cgroup_spec *c = &spec->cgroup;
  cgroup_size (sec, "memory", &c->has_memory, &c->memory);
  cgroup_size (sec, "memory_swap", &c->has_memory_swap, &c->memory_swap);
  long pids = cfg_size (sec, "pids") ? cfg_getint (sec, "pids") : 0;
  c->pids = pids >= 1 && pids <= CGROUP_PIDS_MAX ? (uint32_t) pids : 0;
  double cpu = cfg_size (sec, "cpu") ? cfg_getfloat (sec, "cpu") : 0;
  c->cpu = cpu >= CGROUP_CPU_MIN && cpu <= CGROUP_CPU_MAX ? cpu : 0;
  free (c->origin.file);
  c->origin = (struct spec_origin) { xstrdup (rec->file), rec->line };
  check_cgroup_memory (ld, c, rec);
  /* cgroup v1 can only limit memory and swap together. */
  const struct key_rec *k = key_origin (ld, "cgroup.memory_swap");
  if (c->has_memory_swap && !c->has_memory)
    ld_diag_at (ld, DIAG_ERROR, k ? k->file : rec->file, k ? k->line
                : rec->line, "cgroup: 'memory_swap' needs 'memory' (the "
                "swap allowed on top of it)");
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
      if (section_parent (t))
        continue;
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
  const struct key_rec *cwd_set = key_origin (ld, "cwd");
  spec->cwd_origin.file = xstrdup (cwd_set ? cwd_set->file : spec->origin.file);
  spec->cwd_origin.line = cwd_set && !is_override_file (cwd_set->file)
                            ? cwd_set->line : 0;
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
  build_hardening_keys (ld, spec);
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

/* ---- network ---- */

/* A diagnostic about network.KEY, at the line that set it last (KEY NULL:
 * at the section). */
__attribute__ ((format (printf, 5, 6))) static void
net_diag (struct loader *ld, enum diag_severity sev, const struct sec_rec *rec,
          const char *key, const char *fmt, ...)
{
  char *name = key ? xasprintf ("network.%s", key) : NULL;
  const struct key_rec *k = name ? key_origin (ld, name) : NULL;
  free (name);
  va_list ap;
  va_start (ap, fmt);
  char *msg = xvasprintf (fmt, ap);
  va_end (ap);
  ld_diag_at (ld, sev, k ? k->file : rec->file, k ? k->line : rec->line,
              "network: %s", msg);
  free (msg);
}

static int
net_key_line (struct loader *ld, const struct sec_rec *rec, const char *key)
{
  char *name = xasprintf ("network.%s", key);
  const struct key_rec *k = key_origin (ld, name);
  free (name);
  return k ? k->line : rec->line;
}

/* The bridge, gateway and prefix a bridge-mode jail gets when the profile
 * does not say: from the settings file, else built in. */
static void
network_defaults (struct loader *ld, const char **bridge, struct in_addr *gw,
                  int *prefix)
{
  const struct settings *s = ld->settings;
  *bridge = s && s->network_bridge ? s->network_bridge : DEFAULT_BRIDGE;
  const char *g = s && s->network_gateway ? s->network_gateway : DEFAULT_GATEWAY;
  if (!parse_ipv4_prefix (g, gw, prefix) || *prefix < 0)
    parse_ipv4_prefix (DEFAULT_GATEWAY, gw, prefix);
}

/* Keys that only mean something in some modes. */
static bool
check_network_keys (struct loader *ld, cfg_t *sec, const struct sec_rec *rec,
                    enum network_mode mode)
{
  static const char *const bridge_keys[] = { "bridge", "address", "gateway",
                                             "nat" };
  bool ok = true;
  for (size_t i = 0; i < sizeof bridge_keys / sizeof *bridge_keys; i++)
    if (cfg_size (sec, bridge_keys[i]) && mode != NETWORK_BRIDGE)
      {
        net_diag (ld, DIAG_ERROR, rec, bridge_keys[i],
                  "'%s' needs mode \"bridge\"", bridge_keys[i]);
        ok = false;
      }
  if (cfg_size (sec, "path") && mode != NETWORK_NETNS)
    {
      net_diag (ld, DIAG_ERROR, rec, "path", "'path' needs mode \"netns\"");
      ok = false;
    }
  static const char *const shared_keys[] = { "dns", "publish" };
  for (size_t i = 0; i < 2; i++)
    if (cfg_size (sec, shared_keys[i]) && mode != NETWORK_BRIDGE
        && mode != NETWORK_USER)
      {
        net_diag (ld, DIAG_ERROR, rec, shared_keys[i],
                  "'%s' needs mode \"bridge\" or \"user\"", shared_keys[i]);
        ok = false;
      }
  return ok;
}

static uint32_t
prefix_mask (int prefix)
{
  return prefix <= 0 ? 0 : 0xffffffffu << (32 - prefix);
}

/* bridge, address, gateway, prefix: complete, and the address usable. */
static void
build_bridge_addresses (struct loader *ld, struct network_spec *n, cfg_t *sec,
                        const struct sec_rec *rec)
{
  const char *bridge;
  struct in_addr gw, addr = { 0 };
  int prefix, gw_prefix = -1, addr_prefix = -1;
  network_defaults (ld, &bridge, &gw, &prefix);
  if (cfg_size (sec, "bridge"))
    bridge = cfg_getstr (sec, "bridge");
  if (cfg_size (sec, "gateway")
      && !parse_ipv4_prefix (cfg_getstr (sec, "gateway"), &gw, &gw_prefix))
    return;                 /* reported while parsing */
  const char *a = cfg_size (sec, "address") ? cfg_getstr (sec, "address")
                                            : "auto";
  n->address_auto = strcmp (a, "auto") == 0;
  if (!n->address_auto && !parse_ipv4_prefix (a, &addr, &addr_prefix))
    return;
  if (addr_prefix >= 0 && gw_prefix >= 0 && addr_prefix != gw_prefix)
    {
      net_diag (ld, DIAG_ERROR, rec, "address", "the "
                "prefix of 'address' (/%d) differs from the gateway's (/%d)",
                addr_prefix, gw_prefix);
      return;
    }
  if (addr_prefix >= 0)
    prefix = addr_prefix;
  else if (gw_prefix >= 0)
    prefix = gw_prefix;
  uint32_t mask = prefix_mask (prefix), g = ntohl (gw.s_addr);
  char net[INET_ADDRSTRLEN], gws[INET_ADDRSTRLEN];
  struct in_addr net_addr = { htonl (g & mask) };
  inet_ntop (AF_INET, &net_addr, net, sizeof net);
  inet_ntop (AF_INET, &gw, gws, sizeof gws);
  if ((g & ~mask) == 0 || (g & ~mask) == ~mask)
    net_diag (ld, DIAG_ERROR, rec, "gateway", "gateway %s "
              "is the network or broadcast address of %s/%d", gws, net, prefix);
  if (!n->address_auto)
    {
      uint32_t x = ntohl (addr.s_addr);
      char as[INET_ADDRSTRLEN];
      inet_ntop (AF_INET, &addr, as, sizeof as);
      if ((x & mask) != (g & mask))
        net_diag (ld, DIAG_ERROR, rec, "address", "address %s is not in the "
                  "gateway's subnet %s/%d", as, net, prefix);
      else if (x == g)
        net_diag (ld, DIAG_ERROR, rec, "address", "address %s is the gateway's own",
                  as);
      else if ((x & ~mask) == 0 || (x & ~mask) == ~mask)
        net_diag (ld, DIAG_ERROR, rec, "address", "address %s is the network or "
                  "broadcast address of %s/%d", as, net, prefix);
      n->address = xasprintf ("%s/%d", as, prefix);
    }
  n->bridge = xstrdup (bridge);
  n->gateway = xstrdup (gws);
  n->prefix = (unsigned) prefix;
  n->nat = cfg_size (sec, "nat") && cfg_getbool (sec, "nat");
}

static void
build_publish (struct loader *ld, struct network_spec *n, cfg_t *sec,
               const struct sec_rec *rec)
{
  size_t count = cfg_size (sec, "publish");
  n->publish = count ? xcalloc (count, sizeof *n->publish) : NULL;
  for (size_t i = 0; i < count; i++)
    {
      const char *v = cfg_getnstr (sec, "publish", (unsigned) i);
      struct port_publish p;
      char *why = parse_publish (v, &p);
      if (why)
        {
          free (why);       /* reported while parsing */
          free (p.host_address);
          continue;
        }
      for (size_t j = 0; j < n->n_publish; j++)
        if (n->publish[j].host_port == p.host_port
            && n->publish[j].protocol == p.protocol)
          net_diag (ld, DIAG_ERROR, rec, "publish",
                    "publish '%s': host port %u/%s is published twice", v,
                    p.host_port, p.protocol == IPPROTO_UDP ? "udp" : "tcp");
      p.origin.file = xstrdup (rec->file);
      p.origin.line = net_key_line (ld, rec, "publish");
      n->publish[n->n_publish++] = p;
    }
}

/* mode "netns": PATH must name a network namespace now (network.c
 * checks the one it opens again at run time). */
static void
build_netns (struct loader *ld, struct network_spec *n, cfg_t *sec,
             const struct sec_rec *rec)
{
  if (!cfg_size (sec, "path"))
    {
      net_diag (ld, DIAG_ERROR, rec, "mode", "mode \"netns\" needs 'path', "
                "the network namespace to join (\"/run/netns/NAME\")");
      return;
    }
  const char *path = cfg_getstr (sec, "path");
  if (path[0] != '/')
    {
      net_diag (ld, DIAG_ERROR, rec, "path", "path \"%s\": not an absolute "
                "path", path);
      return;
    }
  n->netns = xstrdup (path);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      net_diag (ld, DIAG_ERROR, rec, "path", "path \"%s\": %s", path,
                strerror (errno));
      return;
    }
  int type = ioctl (fd, NS_GET_NSTYPE);
  close (fd);
  if (type != CLONE_NEWNET)
    net_diag (ld, DIAG_ERROR, rec, "path", "path \"%s\" is not a network "
              "namespace (%s)", path, type < 0 ? "not a namespace file"
              : "a namespace of another type");
}

static void
build_network (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
               const struct sec_rec *rec)
{
  struct network_spec *n = &spec->network;
  bool has_net = spec->namespaces & JAIL_NS_NET;
  n->origin.file = xstrdup (rec->file);
  n->origin.line = rec->line;
  int mode = cfg_size (sec, "mode")
             ? NAME_INDEX (network_modes, cfg_getstr (sec, "mode"))
             : has_net ? NETWORK_NONE : NETWORK_HOST;
  if (mode < 0)
    return;                 /* reported while parsing */
  n->mode = (enum network_mode) mode;
  if (cfg_size (sec, "mode") && mode == NETWORK_HOST && has_net)
    net_diag (ld, DIAG_ERROR, rec, "mode", "mode \"host\" shares the host's "
              "network: remove \"net\" from namespaces");
  else if (mode != NETWORK_HOST && !has_net)
    net_diag (ld, DIAG_ERROR, rec, "mode", "mode \"%s\" needs \"net\" in "
              "namespaces", network_modes[mode]);
  else if (mode == NETWORK_HOST && cfg_size (sec, "mode"))
    net_diag (ld, DIAG_WARNING, rec, "mode", "mode \"host\": the jail "
              "shares the host's network (its interfaces, ports and abstract "
              "sockets)");
  else if (mode == NETWORK_HOST)
    key_diag (ld, DIAG_WARNING, "namespaces", &spec->origin, "no 'net' "
              "namespace: the jail shares the host's network (its interfaces, "
              "ports and abstract sockets)");
  if (!check_network_keys (ld, sec, rec, n->mode))
    return;
  if (n->mode == NETWORK_BRIDGE)
    build_bridge_addresses (ld, n, sec, rec);
  if (n->mode == NETWORK_NETNS)
    build_netns (ld, n, sec, rec);
  n->dns = copy_list (sec, "dns", &n->n_dns);
  build_publish (ld, n, sec, rec);
}

static const char *kind_name (enum fs_entry_kind kind);

/* network.dns becomes the jail's /etc/resolv.conf: a file entry after all
 * the others, so that it covers a bound /etc. */
static void
add_resolv_conf (struct loader *ld, struct jail_spec *spec)
{
  const struct network_spec *n = &spec->network;
  if (n->n_dns == 0)
    return;
  const struct key_rec *k = key_origin (ld, "network.dns");
  struct sec_rec rec = { .file = k ? k->file : n->origin.file,
                         .line = k ? k->line : n->origin.line };
  for (size_t i = 0; i < spec->n_entries; i++)
    if (strcmp (spec->entries[i].dest, "/etc/resolv.conf") == 0)
      {
        ld_diag_at (ld, DIAG_ERROR, rec.file, rec.line, "network: 'dns' "
                    "writes /etc/resolv.conf, which the %s at %s:%d sets "
                    "already", kind_name (spec->entries[i].kind),
                    spec->entries[i].origin.file, spec->entries[i].origin.line);
        return;
      }
  struct fs_entry *e = new_entry (spec, FS_FILE, &rec);
  e->dest = xstrdup ("/etc/resolv.conf");
  struct strbuf b = { 0 };
  sb_puts (&b, "# written by cordon from the profile's network.dns\n");
  for (size_t i = 0; i < n->n_dns; i++)
    {
      sb_puts (&b, "nameserver ");
      sb_puts (&b, n->dns[i]);
      sb_putc (&b, '\n');
    }
  e->content = b.s;
  e->content_len = b.n;
  e->has_mode = true;
  e->mode = 0644;
  e->generated = true;
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

static int
by_dest_then_position (const void *a, const void *b, void *arg)
{
  const struct fs_entry *entries = arg;
  size_t i = *(const size_t *) a, j = *(const size_t *) b;
  int c = strcmp (entries[i].dest, entries[j].dest);
  return c ? c : (i > j) - (i < j);
}

/* Every entry whose destination an earlier one took, named with the
 * first that took it; sorted, not compared pairwise: a profile may hold
 * thousands of mounts. */
static void
check_destinations (struct loader *ld, const struct jail_spec *spec)
{
  size_t n = spec->n_entries;
  if (n < 2)
    return;
  size_t *order = xcalloc (n, sizeof *order);
  size_t *first = xcalloc (n, sizeof *first);
  for (size_t i = 0; i < n; i++)
    order[i] = i;
  qsort_r (order, n, sizeof *order, by_dest_then_position, spec->entries);
  for (size_t k = 0; k < n; k++)
    {
      bool same = k > 0 && strcmp (spec->entries[order[k]].dest,
                                   spec->entries[order[k - 1]].dest) == 0;
      first[order[k]] = same ? first[order[k - 1]] : order[k];
    }
  for (size_t i = 0; i < n; i++)
    if (first[i] != i)
      {
        const struct fs_entry *a = &spec->entries[first[i]];
        const struct fs_entry *b = &spec->entries[i];
        ld_diag_at (ld, DIAG_ERROR, b->origin.file, b->origin.line,
                    "%s '%s': '%s' is already used by the %s at %s:%d",
                    kind_name (b->kind), b->dest, b->dest, kind_name (a->kind),
                    a->origin.file, a->origin.line);
      }
  free (order);
  free (first);
}

/* A pair of overlapping ranges of a map, by index: LATER is reported. */
struct overlap
{
  size_t later, earlier;
  bool inside;
};

struct range_order
{
  const struct id_map *map;
  bool inside;
};

static uint64_t
range_start (const struct id_range *r, bool inside)
{
  return inside ? r->inside : r->outside;
}

static int
by_range_start (const void *a, const void *b, void *arg)
{
  const struct range_order *o = arg;
  size_t i = *(const size_t *) a, j = *(const size_t *) b;
  uint64_t x = range_start (&o->map->ranges[i], o->inside);
  uint64_t y = range_start (&o->map->ranges[j], o->inside);
  return x < y ? -1 : x > y ? 1 : (i > j) - (i < j);
}

/* The ranges that overlap another one in their inside (or outside) ids, in
 * one sweep of the ranges sorted by start: a range overlaps one before it
 * exactly when it starts before the furthest end so far.  A pairwise check
 * would take 14 s and a report per pair for 3,000 ranges. */
static void
find_overlaps (const struct id_map *map, bool inside, struct overlap **v,
               size_t *n, size_t *cap)
{
  size_t *order = xcalloc (map->n_ranges, sizeof *order);
  for (size_t i = 0; i < map->n_ranges; i++)
    order[i] = i;
  struct range_order o = { map, inside };
  qsort_r (order, map->n_ranges, sizeof *order, by_range_start, &o);
  uint64_t furthest = 0;
  size_t holder = 0;
  for (size_t k = 0; k < map->n_ranges; k++)
    {
      const struct id_range *r = &map->ranges[order[k]];
      uint64_t start = range_start (r, inside), end = start + r->count;
      if (k > 0 && start < furthest)
        {
          RESERVE_ONE (*v, *n, *cap);
          (*v)[(*n)++] = (struct overlap) {
            order[k] > holder ? order[k] : holder,
            order[k] > holder ? holder : order[k], inside };
        }
      if (k == 0 || end > furthest)
        {
          furthest = end;
          holder = order[k];
        }
    }
  free (order);
}

/* In the order of the file: by the range reported, then the other one,
 * the inside ids first. */
static int
by_reported_range (const void *a, const void *b)
{
  const struct overlap *x = a, *y = b;
  if (x->later != y->later)
    return x->later < y->later ? -1 : 1;
  if (x->earlier != y->earlier)
    return x->earlier < y->earlier ? -1 : 1;
  return (int) y->inside - (int) x->inside;
}

static void
check_id_map (struct loader *ld, const struct id_map *map, const char *name)
{
  if (map->n_ranges > MAX_ID_RANGES)
    ld_diag_at (ld, DIAG_ERROR, map->ranges[MAX_ID_RANGES].origin.file,
                map->ranges[MAX_ID_RANGES].origin.line, "%s: more than %d "
                "ranges", name, MAX_ID_RANGES);
  struct overlap *v = NULL;
  size_t n = 0, cap = 0, shown = 0;
  find_overlaps (map, true, &v, &n, &cap);
  find_overlaps (map, false, &v, &n, &cap);
  if (n > 0)
    qsort (v, n, sizeof *v, by_reported_range);
  for (size_t i = 0; i < n; i++)
    {
      if (i > 0 && v[i].later == v[i - 1].later
          && v[i].earlier == v[i - 1].earlier)
        continue;       /* the same pair, inside and outside */
      const struct id_range *a = &map->ranges[v[i].earlier];
      const struct id_range *b = &map->ranges[v[i].later];
      if (shown++ == MAX_OVERLAP_REPORTS)
        {
          ld_diag_at (ld, DIAG_ERROR, b->origin.file, b->origin.line, "%s: "
                      "more ranges overlap (only the first %d are shown)",
                      name, MAX_OVERLAP_REPORTS);
          break;
        }
      ld_diag_at (ld, DIAG_ERROR, b->origin.file, b->origin.line,
                  "%s: the %s ids overlap the range at %s:%d", name,
                  v[i].inside ? "inside" : "outside", a->origin.file,
                  a->origin.line);
    }
  free (v);
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

/* The host id ID of the jail is, by MAP (ID itself when MAP is empty). */
static bool
map_to_host (const struct id_map *map, uint32_t id, uint32_t *host)
{
  for (size_t i = 0; i < map->n_ranges; i++)
    if (id >= map->ranges[i].inside
        && id - map->ranges[i].inside < map->ranges[i].count)
      {
        *host = map->ranges[i].outside + (id - map->ranges[i].inside);
        return true;
      }
  return false;
}

/* An overlay's upper and work must be writable by the host id the jail's
 * uid is, or the kernel mounts the overlay read-only (and the run fails).
 * Said where that id is known without running: the profile maps the uid
 * itself, or a rootless jail is the launcher's own id.  By the mode bits:
 * a guess (groups, ACLs), so a warning. */
static void
check_overlay_dirs (struct loader *ld, const struct jail_spec *spec)
{
  uint32_t uid = spec->uid, gid = spec->gid;
  if (ld->mount_checks_sources || ld->unset_vars)
    return;                 /* the mount says it precisely */
  if (spec->namespaces & JAIL_NS_USER)
    {
      if (spec->uid_map.n_ranges)
        {
          if (!map_to_host (&spec->uid_map, spec->uid, &uid)
              || !map_to_host (&spec->gid_map, spec->gid, &gid))
            return;
        }
      else if (ld->running_as_root)
        return;             /* the map is chosen at run time */
      else
        uid = (uint32_t) geteuid (), gid = (uint32_t) getegid ();
    }
  if (uid == 0)
    return;
  for (size_t i = 0; i < spec->n_entries; i++)
    {
      const struct fs_entry *e = &spec->entries[i];
      if (e->kind != FS_OVERLAY || e->upper == NULL || e->work == NULL)
        continue;
      const char *dirs[] = { e->upper, e->work }, *keys[] = { "upper", "work" };
      for (size_t k = 0; k < 2; k++)
        {
          struct stat st;
          if (stat (dirs[k], &st) < 0)
            continue;
          mode_t m = st.st_mode;
          bool w = st.st_uid == uid ? (m & 0300) == 0300
                   : st.st_gid == gid ? (m & 0030) == 0030
                   : (m & 0003) == 0003;
          if (!w)
            ld_diag_at (ld, DIAG_WARNING, e->origin.file, e->origin.line,
                        "mount '%s': %s '%s' is not writable by host uid %u "
                        "(the jail's uid %u): the kernel would mount the "
                        "overlay read-only, and the run fails", e->dest,
                        keys[k], dirs[k], uid, spec->uid);
        }
    }
}

static void
check_root_dir (struct loader *ld, const struct jail_spec *spec)
{
  if (spec->root == NULL || !is_absolute (spec->root) || ld->unset_vars)
    return;
  int state = profile_dir_state (spec->root);
  profile_inputs_dir (ld->inputs, spec->root, state);
  if (state < 0)
    key_diag (ld, DIAG_ERROR, "root", &spec->origin, "root '%s' is not a "
              "directory", spec->root);
  else if (state != 0)
    key_diag (ld, DIAG_ERROR, "root", &spec->origin, "root '%s': %s",
              spec->root, strerror (state));
  if (state != 0)
    return;
  /* Judged as it resolves: "/tmp/.." and a link to "/" are "/" too. */
  struct stat st;
  int r = stat (spec->root, &st);
  profile_inputs_host_path (ld->inputs, spec->root, r == 0 ? &st : NULL,
                            errno);
  if (r == 0 && same_host_file (&st, host_dirs, 1))
    {
      char *name = spelled (spec->root, "/");
      key_diag (ld, DIAG_WARNING, "root", &spec->origin, "root is the host's "
                "%s: the jail sees the host's whole tree, read-only, with the "
                "host's /proc and /sys unmasked where the profile mounts "
                "nothing over them", name);
      free (name);
    }
}

/* What weakens the jail on purpose is allowed, but said. */
static void
check_hardening (struct loader *ld, const struct jail_spec *spec)
{
  const int sys_admin = cordon_caps_from_name ("CAP_SYS_ADMIN");
  if (sys_admin >= 0 && (spec->capabilities & (UINT64_C (1) << sys_admin)))
    key_diag (ld, DIAG_WARNING, "capabilities", &spec->origin, "'capabilities'"
              " keeps CAP_SYS_ADMIN: the command can mount, unshare and undo "
              "the masks over /proc inside its namespaces");
  if (spec->seccomp.preset == SECCOMP_PRESET_NONE)
    key_diag (ld, DIAG_WARNING, "seccomp.preset", &spec->seccomp.origin,
              "seccomp: preset \"none\" leaves every system call open "
              "(keyctl, bpf, io_uring, TIOCSTI...)");
  if (spec->tty && !spec->new_session)
    key_diag (ld, DIAG_ERROR, "tty", &spec->origin, "'tty = true' needs "
              "'new_session = true': the new terminal is the controlling "
              "terminal of the command's own session");
}

/* What validates key by key but cannot run. */
static void
check_runnable (struct loader *ld, const struct jail_spec *spec)
{
  if (spec->n_argv > 0 && spec->argv[0][0] == '\0' && !ld->unset_vars)
    key_diag (ld, DIAG_ERROR, "argv", &spec->origin, "'argv': the program "
              "(its first entry) is an empty string");
  for (size_t i = 0; i < spec->n_entries; i++)
    {
      const struct fs_entry *e = &spec->entries[i];
      if (e->kind != FS_PROC || (spec->namespaces & JAIL_NS_PID))
        continue;
      if (spec->namespaces & JAIL_NS_USER)
        ld_diag_at (ld, DIAG_ERROR, e->origin.file, e->origin.line, "mount "
                    "'%s': a proc mount in a user namespace needs the 'pid' "
                    "namespace (the kernel refuses it without)", e->dest);
      else
        ld_diag_at (ld, DIAG_WARNING, e->origin.file, e->origin.line, "mount "
                    "'%s': without the 'pid' namespace, the proc mount shows "
                    "the host's processes", e->dest);
    }
}

/* The rules that involve more than one value. */
static void
check_spec (struct loader *ld, const struct jail_spec *spec)
{
  check_hardening (ld, spec);
  check_destinations (ld, spec);
  check_id_map (ld, &spec->uid_map, "uid_map");
  check_id_map (ld, &spec->gid_map, "gid_map");
  check_ids (ld, spec, "uid", spec->uid, &spec->uid_map, "uid_map");
  check_ids (ld, spec, "gid", spec->gid, &spec->gid_map, "gid_map");
  check_root_dir (ld, spec);
  check_overlay_dirs (ld, spec);
  check_runnable (ld, spec);
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
  free_schema (schema);
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
  profile_inputs_file (ld->inputs, path, text, len, &st);
  count_file (ld, path, len, 0);      /* the first: within the bounds */
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
  if (req->use_cache && profile_cache_lookup (req, out, diags))
    return 1;
  struct loader ld;
  size_t errors_before = diagnostics_count (diags, DIAG_ERROR);
  size_t first_diag = diags->n;
  struct profile_inputs inputs = { 0 };
  if (!loader_init (&ld, diags, true))
    {
      diag_add (diags, DIAG_ERROR, req->path ? req->path : BUILTIN_NAME, 0,
                "cannot set up the parser");
      return -1;
    }
  ld.settings = req->settings;
  ld.running_as_root = req->running_as_root;
  ld.mount_checks_sources = req->mount_checks_sources;
  ld.inputs = req->use_cache ? &inputs : NULL;

  load_top (&ld, req->path);
  apply_overrides (&ld, req->overrides, req->n_overrides);

  struct jail_spec *spec = NULL;
  if (!ld.parse_failed)
    {
      spec = xcalloc (1, sizeof *spec);
      spec->origin.file = xstrdup (req->path ? req->path : BUILTIN_NAME);
      build_top_level (&ld, spec, req->path);
      build_sections (&ld, spec);
      add_resolv_conf (&ld, spec);
      check_spec (&ld, spec);
    }
  loader_free (&ld);
  if (spec == NULL || diagnostics_count (diags, DIAG_ERROR) > errors_before)
    {
      profile_inputs_free (&inputs);
      jail_spec_free (spec);
      return -1;
    }
  if (req->use_cache)
    {
      struct diagnostics mine = { diags->n ? diags->items + first_diag
                                           : NULL, diags->n - first_diag, 0 };
      profile_cache_store (req, &inputs, spec, &mine);
    }
  profile_inputs_free (&inputs);
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
  char buf[32];
  if (spec_format_size (size, buf, sizeof buf))
    fprintf (out, "  size = \"%s\"", buf);
  else
    fprintf (out, "  size = %s", buf);
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

/* The shortest decimal that reads back as the same double. */
static void
print_double (FILE *out, double v)
{
  char buf[64];
  for (int prec = 1; prec <= 17; prec++)
    {
      snprintf (buf, sizeof buf, "%.*g", prec, v);
      if (strtod (buf, NULL) == v)
        break;
    }
  fputs (buf, out);
  if (!strpbrk (buf, ".eEn"))
    fputs (".0", out);
}

static void
print_cgroup (FILE *out, const struct cgroup_spec *c)
{
  if (!c->has_memory && !c->has_memory_swap && !c->pids && c->cpu <= 0)
    return;
  fputs ("\ncgroup {\n", out);
  const struct { bool has; uint64_t v; const char *key; } sizes[] = {
    { c->has_memory, c->memory, "memory" },
    { c->has_memory_swap, c->memory_swap, "memory_swap" },
  };
  for (size_t i = 0; i < 2; i++)
    if (sizes[i].has)
      {
        char buf[32];
        spec_format_size (sizes[i].v, buf, sizeof buf);
        fprintf (out, "    %-11s = \"%s\"\n", sizes[i].key, buf);
      }
  if (c->pids)
    fprintf (out, "    pids        = %" PRIu32 "\n", c->pids);
  if (c->cpu > 0)
    {
      fputs ("    cpu         = ", out);
      print_double (out, c->cpu);
      fputc ('\n', out);
    }
  fputs ("}\n", out);
}

static void
print_seccomp (FILE *out, const struct seccomp_spec *s)
{
  fprintf (out, "\nseccomp {\n    preset = \"%s\"\n    action = \"%s\"\n"
           "    compat = %s\n    allow  = ", seccomp_preset_names[s->preset],
           seccomp_action_names[s->action], s->compat ? "true" : "false");
  print_list (out, s->allow, s->n_allow);
  fputs ("\n    deny   = ", out);
  print_list (out, s->deny, s->n_deny);
  fputc ('\n', out);
  for (size_t i = 0; i < s->n_rules; i++)
    {
      const struct seccomp_rule *r = &s->rules[i];
      fputs ("    rule ", out);
      print_string (out, r->syscall);
      fputs (" {", out);
      for (unsigned a = 0; a < 6; a++)
        {
          const struct seccomp_arg_cmp *c = &r->args[a];
          if (!c->set)
            continue;
          if (c->op == SECCOMP_CMP_MASKED_EQ)
            fprintf (out, " arg%u = \"& %#" PRIx64 " == %#" PRIx64 "\"", a,
                     c->mask, c->value);
          else
            fprintf (out, " arg%u = \"%s %#" PRIx64 "\"", a,
                     seccomp_cmp_names[c->op], c->value);
        }
      fprintf (out, " action = \"%s\" }\n", seccomp_action_names[r->action]);
    }
  fputs ("}\n", out);
}

static void
print_rlimit_value (FILE *out, uint64_t v)
{
  if (v == UINT64_MAX)
    fputs ("unlimited", out);
  else
    fprintf (out, "%" PRIu64, v);
}

static void
print_hardening (FILE *out, const struct jail_spec *spec)
{
  fputs ("\ncapabilities = {", out);
  bool first = true;
  for (unsigned cap = 0; cap < 64; cap++)
    if (spec->capabilities & (UINT64_C (1) << cap))
      {
        char name[64];
        fprintf (out, "%s\"%s\"", first ? "" : ", ",
                 cordon_caps_name (cap, name, sizeof name));
        first = false;
      }
  fprintf (out, "}\nno_new_privs = %s\npass_fds     = {",
           spec->no_new_privs ? "true" : "false");
  for (size_t i = 0; i < spec->n_pass_fds; i++)
    fprintf (out, "%s%d", i ? ", " : "", spec->pass_fds[i]);
  fprintf (out, "}\nnew_session  = %s\ntty          = %s\n"
           "mask_paths   = %s\n", spec->new_session ? "true" : "false",
           spec->tty ? "true" : "false", spec->mask_paths ? "true" : "false");
  print_seccomp (out, &spec->seccomp);
  fputs ("\nrlimit {\n", out);
  for (int r = 0; r < JAIL_RLIMIT_COUNT; r++)
    if (spec->rlimits[r].set)
      {
        fprintf (out, "    %s = \"", cordon_rlimit_name (r));
        print_rlimit_value (out, spec->rlimits[r].soft);
        if (spec->rlimits[r].hard != spec->rlimits[r].soft)
          {
            fputc (':', out);
            print_rlimit_value (out, spec->rlimits[r].hard);
          }
        fputs ("\"\n", out);
      }
  fputs ("}\n", out);
}

static void
print_network (FILE *out, const struct network_spec *n)
{
  fprintf (out, "\nnetwork {\n    mode    = \"%s\"\n", network_modes[n->mode]);
  if (n->mode == NETWORK_BRIDGE)
    {
      fputs ("    bridge  = ", out);
      print_string (out, n->bridge);
      fputs ("\n    address = ", out);
      print_string (out, n->address_auto ? "auto" : n->address);
      fprintf (out, "\n    gateway = \"%s/%u\"\n    nat     = %s\n", n->gateway,
               n->prefix, n->nat ? "true" : "false");
    }
  if (n->mode == NETWORK_NETNS)
    {
      fputs ("    path    = ", out);
      print_string (out, n->netns);
      fputc ('\n', out);
    }
  if (n->mode == NETWORK_BRIDGE || n->mode == NETWORK_USER)
    {
      fputs ("    dns     = ", out);
      print_list (out, n->dns, n->n_dns);
      fputs ("\n    publish = {", out);
      for (size_t i = 0; i < n->n_publish; i++)
        {
          const struct port_publish *p = &n->publish[i];
          fprintf (out, "%s\"%s%s%u:%u/%s\"", i ? ", " : "",
                   p->host_address ? p->host_address : "",
                   p->host_address ? ":" : "", p->host_port, p->jail_port,
                   p->protocol == IPPROTO_UDP ? "udp" : "tcp");
        }
      fputs ("}\n", out);
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
    if (!spec->entries[i].generated)
      print_entry (out, &spec->entries[i]);
  fprintf (out, "\nenvironment {\n    clear = %s\n    keep  = ",
           spec->env.clear ? "true" : "false");
  print_list (out, spec->env.keep, spec->env.n_keep);
  fputs ("\n    set   = ", out);
  print_list (out, spec->env.set, spec->env.n_set);
  fputs ("\n}\n", out);
  print_cgroup (out, &spec->cgroup);
  print_hardening (out, spec);
  print_network (out, &spec->network);
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
default_profile_path (struct settings *s, struct profile_inputs *inputs)
{
  const char *xdg = getenv ("XDG_CONFIG_HOME");
  const char *home = getenv ("HOME");
  profile_inputs_env (inputs, "XDG_CONFIG_HOME", xdg);
  profile_inputs_env (inputs, "HOME", home);
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

/* cgroup_parent and cgroup_version; unset: NULL ("cordon") and auto. */
static void
settings_cgroup (cfg_t *cfg, struct settings *out)
{
  if (cfg_size (cfg, "cgroup_parent"))
    out->cgroup_parent = xstrdup (cfg_getstr (cfg, "cgroup_parent"));
  const char *v = cfg_size (cfg, "cgroup_version")
                  ? cfg_getstr (cfg, "cgroup_version") : "auto";
  out->cgroup_version = strcmp (v, "1") == 0 ? 1 : strcmp (v, "2") == 0 ? 2
                                                                         : 0;
}

/* network_bridge and network_gateway: the defaults of bridge-mode jails. */
static void
settings_network (cfg_t *cfg, struct settings *out)
{
  out->network_bridge = xstrdup (cfg && cfg_size (cfg, "network_bridge")
                                 ? cfg_getstr (cfg, "network_bridge")
                                 : DEFAULT_BRIDGE);
  out->network_gateway = xstrdup (cfg && cfg_size (cfg, "network_gateway")
                                  ? cfg_getstr (cfg, "network_gateway")
                                  : DEFAULT_GATEWAY);
}

/* root_id_range; unset: the built-in range (Makefile.am), which `make
 * install` reserves in /etc/subuid and /etc/subgid. */
static void
settings_ids (cfg_t *cfg, struct settings *out)
{
  out->root_id_start = ROOT_ID_START;
  out->root_id_count = ROOT_ID_COUNT;
  if (cfg && cfg_size (cfg, "root_id_range"))
    parse_id_range (cfg_getstr (cfg, "root_id_range"), &out->root_id_start,
                    &out->root_id_count);
}

static int
load_settings_file (const char *path, struct settings *out,
                    struct diagnostics *diags, struct profile_inputs *inputs)
{
  memset (out, 0, sizeof *out);
  size_t errors_before = diagnostics_count (diags, DIAG_ERROR);
  struct stat st;
  size_t len;
  int open_errno = 0;
  struct diagnostics scratch = { 0 };
  char *text = path ? read_text (path, &scratch, &len, &st, &open_errno) : NULL;
  /* No settings file (cordon works uninstalled): the defaults, without
   * building a parser first. */
  struct loader ld;
  if (path == NULL || (text == NULL && open_errno == ENOENT)
      || !loader_init (&ld, diags, false))
    {
      diagnostics_free (&scratch);
      free (text);
      default_profile_path (out, NULL);
      settings_network (NULL, out);
      settings_ids (NULL, out);
      return 0;
    }
  diagnostics_append (diags, &scratch);
  ld.inputs = inputs;
  if (text)
    {
      profile_inputs_file (inputs, path, text, len, &st);
      push_frame (&ld, path, NULL, &st, true, false);
      parse_top_frame (&ld, text, len);
      pop_frame (&ld);
      free (text);
    }
  bool failed = diagnostics_count (diags, DIAG_ERROR) > errors_before;
  cfg_opt_t *opt = cfg_getopt (ld.cfg, "profile_path");
  if (failed || !(opt->flags & CFGF_MODIFIED))
    default_profile_path (out, inputs);
  else
    for (unsigned i = 0; i < cfg_opt_size (opt); i++)
      {
        const char *dir = cfg_opt_getnstr (opt, i);
        if (!strchr (dir, DROPPED_MARK))
          add_dir (out, dir);
      }
  if (!failed)
    settings_cgroup (ld.cfg, out);
  settings_network (failed ? NULL : ld.cfg, out);
  settings_ids (failed ? NULL : ld.cfg, out);
  loader_free (&ld);
  return failed ? -1 : 0;
}

int
settings_load (const char *path, struct settings *out,
               struct diagnostics *diags)
{
  return load_settings_file (path, out, diags, NULL);
}

int
settings_load_cached (const char *path, struct settings *out,
                      struct diagnostics *diags)
{
  /* no file, no parse: nothing to keep */
  if (path == NULL || access (path, F_OK) < 0)
    return settings_load (path, out, diags);
  if (settings_cache_lookup (path, out, diags))
    return 1;
  size_t first_diag = diags->n;
  struct profile_inputs inputs = { 0 };
  int r = load_settings_file (path, out, diags, &inputs);
  if (r == 0 && inputs.n > 0)
    {
      struct diagnostics mine = { diags->n ? diags->items + first_diag
                                           : NULL, diags->n - first_diag, 0 };
      settings_cache_store (path, &inputs, out, &mine);
    }
  profile_inputs_free (&inputs);
  return r;
}

void
settings_free (struct settings *s)
{
  if (s == NULL)
    return;
  free_strv (s->profile_path, s->n_profile_path);
  free (s->cgroup_parent);
  s->cgroup_parent = NULL;
  free (s->network_bridge);
  free (s->network_gateway);
  s->network_bridge = s->network_gateway = NULL;
  s->profile_path = NULL;
  s->n_profile_path = 0;
}

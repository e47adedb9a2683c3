/* build.c — from libconfuse's tree to struct jail_spec: the section
 * builders, for what needs more than one value (plain values are bound by
 * the key table, bind.c). */
#include "config.h"

#include "profile/internal.h"

const struct key_rec *
key_origin (struct loader *ld, const char *key)
{
  return find_key (ld, -1, key, false);
}

bool
key_rejected (struct loader *ld, const char *key)
{
  const struct key_rec *k = key_origin (ld, key);
  return k && k->rejected;
}

int
sec_key_line (const struct sec_rec *rec, const char *key)
{
  for (size_t i = 0; rec && i < rec->n_keys; i++)
    if (strcmp (rec->keys[i].key, key) == 0)
      return rec->keys[i].line;
  return rec ? rec->line : 0;
}

__attribute__ ((format (printf, 5, 6))) void
sec_diag (struct loader *ld, enum diag_severity sev, const struct sec_rec *rec,
          int line, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = xvasprintf (fmt, ap);
  va_end (ap);
  const char *name = section_table[rec->type].name;
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

struct fs_entry *
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
  /* A value that lost an unset ${VAR} was reported as that: its remains
   * ("" for "${PWD}") would only repeat it. */
  if (!is_absolute (path) && !ld->unset_vars)
    {
      sec_diag (ld, DIAG_ERROR, rec, line, "%s must be an absolute path, not "
                "'%s'", key, path);
      return;
    }
  struct stat st;
  if (!is_absolute (path) || optional || ld->unset_vars
      || ld->mount_checks_sources
      || stat (path, &st) == 0)
    return;
  if (errno == ENOENT)
    sec_diag (ld, DIAG_ERROR, rec, line, "%s '%s' does not exist", key, path);
  else
    sec_diag (ld, DIAG_ERROR, rec, line, "%s '%s': %s", key, path,
              strerror (errno));
}

/* ---- host paths judged as the kernel resolves them ---- */

/* The host's directories a jail must not write to without a word: judged
 * by the file a path resolves to, so "/tmp/..", a symlink to "/" and
 * "/proc/self/root" are all the host's "/". */
const char *const host_dirs[] = { "/", "/boot", "/dev", "/etc", "/proc",
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
const char *
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
char *
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
  const char *source = e->source;
  if (source == NULL)
    {
      sec_diag (ld, DIAG_ERROR, rec, rec->line, "a bind mount needs 'source'");
      return;
    }
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
  rule_overlay_needs_lower (ld, rec, e);
  e->lower = xcalloc (e->n_lower + 1, sizeof *e->lower);
  for (size_t i = 0; i < e->n_lower; i++)
    {
      e->lower[i] = xstrdup (cfg_getnstr (sec, "lower", (unsigned) i));
      check_host_path (ld, rec, "lower", e->lower[i], e->optional);
    }
  rule_upper_with_work (ld, rec, e);
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

void
build_mount (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
             const struct sec_rec *rec)
{
  const union key_typed *type = typed_key (sec, SEC_MOUNT, "type", 0);
  int t = type ? type->index : -1;
  if (cfg_size (sec, "type") == 0)
    {
      char *known = names_joined (mount_type_names);
      sec_diag (ld, DIAG_ERROR, rec, rec->line, "missing 'type' (one of: %s)",
                known);
      free (known);
    }
  char *dest = entry_dest (ld, rec, true);
  if (t < 0 || dest == NULL)
    {
      free (dest);
      return;       /* an unknown type was reported while parsing */
    }
  struct fs_entry *e = new_entry (spec, (enum fs_entry_kind) t, rec);
  e->dest = dest;
  bind_section (SEC_MOUNT, sec, e, t);
  rule_mount_keys (ld, rec, e->kind, cfg_getstr (sec, "upper") != NULL);
  if (e->kind == FS_BIND)
    build_bind (ld, e, sec, rec);
  else if (e->kind == FS_OVERLAY)
    build_overlay (ld, e, sec, rec);
}

void
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

void
build_dir (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
           const struct sec_rec *rec)
{
  char *dest = entry_dest (ld, rec, false);
  if (dest == NULL)
    return;
  struct fs_entry *e = new_entry (spec, FS_DIR, rec);
  e->dest = dest;
  const union key_typed *mode = typed_key (sec, SEC_DIR, "mode", 0);
  e->has_mode = true;
  e->mode = mode ? mode->mode : 0755;
}

void
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
  const union key_typed *mode = typed_key (sec, SEC_FILE, "mode", 0);
  e->has_mode = true;
  e->mode = mode ? mode->mode : 0644;
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
  enum key_section s = (enum key_section) rec->type;
  const union key_typed *in = typed_key (sec, s, "inside", 0);
  const union key_typed *out = typed_key (sec, s, "outside", 0);
  const union key_typed *n = typed_key (sec, s, "count", 0);
  if (!ok || !in || !out || !n)
    return;         /* values out of range were said at their lines */
  long inside = in->i, outside = out->i, count = n->i;
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

void
build_uid_map (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
               const struct sec_rec *rec)
{
  build_id_range (ld, &spec->uid_map, sec, rec);
}

void
build_gid_map (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
               const struct sec_rec *rec)
{
  build_id_range (ld, &spec->gid_map, sec, rec);
}

void
build_environment (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
                   const struct sec_rec *rec)
{
  bind_section (SEC_ENVIRONMENT, sec, &spec->env, 0);
}

static void
build_seccomp_rule (struct loader *ld, struct seccomp_spec *s, cfg_t *sec)
{
  const struct sec_rec *rec = rec_of (ld, sec);
  struct sec_rec fallback = { .type = SEC_RULE,
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
      const union key_typed *cmp = typed_key (sec, SEC_RULE, key, 0);
      if (cmp)
        r->args[a] = cmp->cmp;
    }
  const union key_typed *action = typed_key (sec, SEC_RULE, "action", 0);
  r->action = action ? (enum seccomp_action) action->index : s->action;
}

void
build_seccomp (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
               const struct sec_rec *rec)
{
  struct seccomp_spec *s = &spec->seccomp;
  bind_section (SEC_SECCOMP, sec, s, 0);
  free (s->origin.file);
  s->origin.file = xstrdup (rec->file);
  s->origin.line = rec->line;
  for (unsigned i = 0; i < cfg_size (sec, "rule"); i++)
    build_seccomp_rule (ld, s, cfg_getnsec (sec, "rule", i));
}

void
build_rlimit (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
              const struct sec_rec *rec)
{
  for (int r = 0; r < JAIL_RLIMIT_COUNT; r++)
    {
      const char *name = cordon_rlimit_name (r);
      struct rlimit_setting *l = &spec->rlimits[r];
      const union key_typed *t = name ? typed_key (sec, SEC_RLIMIT, name, 0)
                                      : NULL;
      if (t == NULL)
        continue;
      l->soft = t->rlimit.soft;
      l->hard = t->rlimit.hard;
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
      const union key_typed *cap = typed_key (cfg, SEC_TOP, "capabilities",
                                              i);
      if (cap)
        spec->capabilities |= UINT64_C (1) << cap->capability;
    }
  unsigned n = cfg_size (cfg, "pass_fds");
  spec->pass_fds = xcalloc (n, sizeof *spec->pass_fds);
  for (unsigned i = 0; i < n; i++)
    {
      const union key_typed *fd = typed_key (cfg, SEC_TOP, "pass_fds", i);
      if (fd)
        spec->pass_fds[spec->n_pass_fds++] = (int) fd->i;
    }
}

void
build_cgroup (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
              const struct sec_rec *rec)
{
  struct cgroup_spec *c = &spec->cgroup;
  bind_section (SEC_CGROUP, sec, c, 0);
  free (c->origin.file);
  c->origin = (struct spec_origin) { xstrdup (rec->file), rec->line };
  rule_cgroup_memory (ld, c, rec);
  rule_swap_needs_memory (ld, c, rec);
}

static int *
copy_ports (cfg_t *sec, const char *key, size_t *n)
{
  unsigned size = cfg_size (sec, key);
  int *v = xcalloc (size + 1, sizeof *v);
  *n = 0;
  for (unsigned i = 0; i < size; i++)
    {
      const union key_typed *port = typed_key (sec, SEC_LANDLOCK, key, i);
      if (port)
        v[(*n)++] = (int) port->i;
    }
  return v;
}

void
build_landlock (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
                const struct sec_rec *rec)
{
  struct landlock_spec *l = &spec->landlock;
  bind_section (SEC_LANDLOCK, sec, l, 0);
  l->tcp_bind = copy_ports (sec, "tcp_bind", &l->n_tcp_bind);
  l->tcp_connect = copy_ports (sec, "tcp_connect", &l->n_tcp_connect);
  free (l->origin.file);
  l->origin = (struct spec_origin) { xstrdup (rec->file), rec->line };
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
  for (int t = 0; t < N_SECTIONS; t++)
    {
      if (!is_top_section (t))
        continue;
      cfg_opt_t *opt = cfg_getopt (ld->cfg, section_table[t].name);
      for (unsigned i = 0; i < cfg_opt_size (opt); i++)
        {
          RESERVE_ONE (v, *n, cap);
          cfg_t *sec = cfg_opt_getnsec (opt, i);
          v[(*n)++] = (struct live_section) { sec, rec_of (ld, sec), t };
        }
    }
  if (*n)
    qsort (v, *n, sizeof *v, compare_live);
  return v;
}

/* A listen section with an address gets its defaults, so that show
 * prints what serve does; one without stays all 0 (rules.c says so when a
 * key of it was set). */
static void
complete_listen (struct listen_spec *l)
{
  if (l->address == NULL)
    return;
  if (l->max_connections == 0)
    l->max_connections = 64;
  if (l->stderr_to == NULL)
    l->stderr_to = xstrdup ("log");
  if (l->grace == 0)
    l->grace = 10;
}

void
build_sections (struct loader *ld, struct jail_spec *spec)
{
  size_t n;
  struct live_section *v = collect_sections (ld, &n);
  for (size_t i = 0; i < n; i++)
    {
      struct sec_rec fallback = { .type = v[i].type, .file = spec->origin.file };
      const struct sec_rec *rec = v[i].rec ? v[i].rec : &fallback;
      if (section_builders[v[i].type])
        section_builders[v[i].type] (ld, spec, v[i].sec, rec);
      else if (section_table[v[i].type].plain)
        bind_section ((enum key_section) v[i].type, v[i].sec,
                      (char *) spec + section_table[v[i].type].spec_off, 0);
    }
  free (v);
  complete_listen (&spec->listen);
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

void
build_top_level (struct loader *ld, struct jail_spec *spec, const char *path)
{
  cfg_t *cfg = ld->cfg;
  spec->name = ld->name ? xstrdup (ld->name) : default_name (path);
  spec->description = xstrdup (ld->description ? ld->description : "");
  bind_section (SEC_TOP, cfg, spec, 0);
  const struct key_rec *cwd_set = key_origin (ld, "cwd");
  spec->cwd_origin.file = xstrdup (cwd_set ? cwd_set->file : spec->origin.file);
  spec->cwd_origin.line = cwd_set && !is_override_file (cwd_set->file)
                            ? cwd_set->line : 0;
  const char *root = cfg_getstr (cfg, "root");
  spec->root = root && strcmp (root, "tmpfs") != 0 ? xstrdup (root) : NULL;
  build_hardening_keys (ld, spec);
}

/* A diagnostic about a top-level key, at the line that set it last. */
__attribute__ ((format (printf, 5, 6))) void
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

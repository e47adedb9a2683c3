/* load.c — one load: libconfuse's option tables from the key table
 * (keys.c), the loader and its include stack, parsing each file into the
 * one tree, include(), and profile_load. */
#include "config.h"

#include "profile/internal.h"

#include "default-profile.h"

section_build_fn *const section_builders[N_SECTIONS] = {
  [SEC_MOUNT] = build_mount, [SEC_SYMLINK] = build_symlink,
  [SEC_DIR] = build_dir, [SEC_FILE] = build_file,
  [SEC_UID_MAP] = build_uid_map, [SEC_GID_MAP] = build_gid_map,
  [SEC_ENVIRONMENT] = build_environment, [SEC_CGROUP] = build_cgroup,
  [SEC_SECCOMP] = build_seccomp, [SEC_RLIMIT] = build_rlimit,
  [SEC_NETWORK] = build_network, [SEC_LANDLOCK] = build_landlock,
};

static int include_func (cfg_t *cfg, cfg_opt_t *opt, int argc,
                         const char **argv);

/* A section of the top level (not one inside another, like rule). */
bool
is_top_section (int s)
{
  return s != SEC_TOP && s != SEC_SETTINGS
         && section_table[s].parent == SEC_TOP;
}

bool
is_titled (int type)
{
  return type >= 0 && section_table[type].titled;
}

bool
is_multi (int type)
{
  return type >= 0 && section_table[type].multi;
}

/* libconfuse's option for a typed KEY: its values are what key_parse
 * makes of them (record.c sets the callbacks).  A list keeps its default in
 * libconfuse, so that "+=" adds to it (the table has list defaults only at
 * the top level, which cfg_init reads before any file); a single value gets
 * none there, as libconfuse would parse it with its lexer whenever a
 * section is created, in the middle of the file: bind.c takes
 * key_default instead. */
static cfg_opt_t
typed_option (const struct key_desc *k, int flags)
{
  bool list = k->type == KEY_STRING_LIST || k->type == KEY_INT_LIST;
  if (list)
    {
      cfg_opt_t o = CFG_PTR_LIST_CB (k->name, (char *) k->def, flags, NULL,
                                     NULL);
      return o;
    }
  cfg_opt_t o = CFG_PTR_CB (k->name, NULL, flags, NULL, NULL);
  return o;
}

/* libconfuse's option for KEY. */
static cfg_opt_t
key_option (const struct key_desc *k)
{
  int flags = k->flags & KEY_NODEFAULT ? CFGF_NODEFAULT : CFGF_NONE;
  cfg_bool_t b = k->def && strcmp (k->def, "true") == 0 ? cfg_true : cfg_false;
  if (key_is_typed (k))
    return typed_option (k, flags);
  switch (k->type)
    {
    case KEY_BOOL:
      {
        cfg_opt_t o = CFG_BOOL (k->name, b, flags);
        return o;
      }
    case KEY_FLOAT:
      {
        cfg_opt_t o = CFG_FLOAT (k->name, 0, flags);
        return o;
      }
    case KEY_STRING_LIST:
      {
        cfg_opt_t o = CFG_STR_LIST (k->name, (char *) k->def, flags);
        return o;
      }
    case KEY_STRING:
    default:
      {
        cfg_opt_t o = CFG_STR (k->name, (char *) k->def, flags);
        return o;
      }
    }
}

static void free_schema (cfg_opt_t *opts);

/* The option table of SECTION for cfg_init (which copies it): its keys,
 * then the sections inside it, then include() at the top level. */
static cfg_opt_t *
make_schema (enum key_section section)
{
  size_t n = 0, k = 0;
  for (size_t i = 0; i < n_key_table; i++)
    n += key_table[i].section == section;
  n += N_SECTIONS + 3;
  cfg_opt_t *opts = xcalloc (n, sizeof *opts);
  for (size_t i = 0; i < n_key_table; i++)
    if (key_table[i].section == section)
      opts[k++] = key_option (&key_table[i]);
  for (int s = 0; s < N_SECTIONS; s++)
    if (s != SEC_TOP && s != SEC_SETTINGS && section_table[s].parent == section
        && section != SEC_SETTINGS)
      {
        int flags = (section_table[s].multi ? CFGF_MULTI : 0)
                    | (section_table[s].titled ? CFGF_TITLE : 0);
        cfg_opt_t sec = CFG_SEC (section_table[s].name,
                                 make_schema ((enum key_section) s), flags);
        opts[k++] = sec;
      }
  if (section == SEC_TOP)
    {
      cfg_opt_t inc = CFG_FUNC ("include", include_func);
      opts[k++] = inc;
    }
  cfg_opt_t mark = CFG_FUNC (EMPTY_LIST_MARK, on_empty_list);
  opts[k++] = mark;
  cfg_opt_t end = CFG_END ();
  opts[k] = end;
  return opts;
}

static void
free_schema (cfg_opt_t *opts)
{
  for (size_t i = 0; opts[i].name; i++)
    if (opts[i].type == CFGT_SEC)
      free_schema (opts[i].subopts);
  free (opts);
}

/* The load libconfuse's callbacks report to.  Forced by libconfuse 3.3:
 * its validate (cfg_validate_callback_t), parse (cfg_callback_t), function
 * (cfg_func_t) and error (cfg_errfunc_t) callbacks get only the cfg_t and
 * the option, and cfg_t has no user-data field (neither has libconfuse's
 * master); its one free per-section slot, comment, holds the record index.
 * libconfuse's lexer is global state itself (cfg_yylval, the start
 * condition, the include stack), so one load at a time is its limit too.
 * Set by loader_init, cleared by loader_free. */
struct loader *current_loader;

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

struct frame *
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
  if (*n == MAX_LOAD_DIAGNOSTICS + 1 && ld->n_limit_notes < 2)
    ld->limit_notes[ld->n_limit_notes++] = ld->diags->n;
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

__attribute__ ((format (printf, 4, 5))) void
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
bool
is_override_file (const char *file)
{
  return strncmp (file, OVERRIDE_FILE " ", strlen (OVERRIDE_FILE " ")) == 0;
}

/* A diagnostic about something recorded earlier, at its own file:line. */
__attribute__ ((format (printf, 5, 6))) void
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

void
clear_pending (struct loader *ld)
{
  for (size_t i = 0; i < ld->n_pending; i++)
    free (ld->pending[i].key);
  ld->n_pending = 0;
  ld->pending_cfg = NULL;
}

void
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
  free (ld->readings);
  free_strv (ld->files, ld->n_files);
  free (ld->name);
  free (ld->description);
  if (current_loader == ld)
    current_loader = NULL;
}

void
push_frame (struct loader *ld, const char *path, const char *dir,
            const struct stat *st, bool is_top, bool is_override)
{
  struct frame *parent = top_frame (ld);
  RESERVE_ONE (ld->readings, ld->n_readings, ld->cap_readings);
  ld->readings[ld->n_readings] = (struct reading) {
    .file = intern_file (ld, path), .parent = parent ? parent->reading : -1,
    .line = parent ? ld->include_line : 0,
  };
  RESERVE_ONE (ld->frames, ld->n_frames, ld->cap_frames);
  ld->frames[ld->n_frames++] = (struct frame) {
    .path = intern_file (ld, path), .dir = dir ? xstrdup (dir) : NULL,
    .dev = st ? st->st_dev : 0, .ino = st ? st->st_ino : 0,
    .id = ld->next_instance++, .reading = (int) ld->n_readings++,
    .is_top = is_top, .is_override = is_override,
  };
}

void
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
int
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

/* Site overrides (firejail's convention): after NAME.conf, every
 * NAME.local on the search path, from its last directory to its first, so
 * that the first directory (the user's, then the site's) has the last
 * word.  A site adapts a shared profile there and keeps taking its
 * updates.  IS_TOP: the locals of the profile itself may set its name. */
static void
load_locals (struct loader *ld, const char *conf_path, bool is_top)
{
  const char *base = strrchr (conf_path, '/');
  base = base ? base + 1 : conf_path;
  if (!has_suffix (base, ".conf") || strlen (base) <= 5 || ld->settings == NULL)
    return;
  char *local = xasprintf ("%.*s.local", (int) (strlen (base) - 5), base);
  for (size_t i = ld->settings->n_profile_path; i-- > 0 && !ld->stopped;)
    {
      char *path = join_path (ld->settings->profile_path[i], local);
      struct stat st;
      size_t len = 0;
      char *text = NULL;
      if (file_exists (ld, path)
          && (text = read_text (path, ld->diags, &len, &st, NULL)) == NULL)
        ld->parse_failed = true;      /* unreadable: read_text said why */
      if (text && count_file (ld, path, len, 0)
          && !is_include_cycle (ld, &st, path, 0, local))
        {
          profile_inputs_file (ld->inputs, path, text, len, &st);
          char *dir = dir_of (path);
          push_frame (ld, path, dir, &st, is_top, false);
          parse_top_frame (ld, text, len);
          pop_frame (ld);
          free (dir);
        }
      free (text);
      free (path);
    }
  free (local);
}

static int
include_file_at (struct loader *ld, const char *name, int line)
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
      if (rc == 0)
        load_locals (ld, path, false);
    }
  free (text);
  free (path);
  return rc;
}

/* Follow include(NAME) at LINE: what it reads comes at that line. */
static int
include_file (struct loader *ld, const char *name, int line)
{
  int outer = ld->include_line;
  ld->include_line = line;
  int rc = include_file_at (ld, name, line);
  ld->include_line = outer;
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

bool
loader_init (struct loader *ld, struct diagnostics *diags, bool profile)
{
  memset (ld, 0, sizeof *ld);
  ld->diags = diags;
  ld->settings_mode = !profile;
  /* Before cfg_init: it creates the single sections (environment) at once,
   * copying their options with whatever callbacks they have then. */
  cfg_opt_t *schema = make_schema (profile ? SEC_TOP : SEC_SETTINGS);
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
      load_locals (ld, "default.conf", true);
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
  int rc = parse_top_frame (ld, text, len);
  pop_frame (ld);
  free (dir);
  free (text);
  if (rc == 0)
    load_locals (ld, path, true);
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
      if (req->origins)
        *req->origins = describe_origins (&ld);
    }
  sort_load_diagnostics (&ld, first_diag);
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

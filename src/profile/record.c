/* record.c — libconfuse's validate callbacks: every assignment and
 * every section recorded with its file and line (libconfuse forgets both),
 * "set twice", redeclared titles, and each value checked at its line by
 * its row of the key table. */
#include "config.h"

#include "profile/internal.h"

static int
section_type_of (cfg_t *sec)
{
  return sec && sec->name ? section_find (sec->name, strlen (sec->name))
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

/* name and description are the profile's own: an included file's do not
 * carry over (a profile including base.conf is not called "base"). */
static void
capture_identity (struct loader *ld, const struct key_desc *k, const char *v)
{
  struct frame *f = top_frame (ld);
  if (f == NULL || !(f->is_top || f->is_override))
    return;
  char **slot = strcmp (k->name, "name") == 0 ? &ld->name : &ld->description;
  free (*slot);
  *slot = xstrdup (v);
}

const char *const seccomp_cmp_names[] = {
  [SECCOMP_CMP_EQ] = "==", [SECCOMP_CMP_NE] = "!=", [SECCOMP_CMP_LT] = "<",
  [SECCOMP_CMP_LE] = "<=", [SECCOMP_CMP_GT] = ">", [SECCOMP_CMP_GE] = ">=",
  [SECCOMP_CMP_MASKED_EQ] = "==",
};

/* The row of the key table OPT of CFG is made from.  Without a load (the
 * defaults cfg_init reads), the top level is a profile's or the settings
 * file's: their keys' names differ. */
static const struct key_desc *
key_of (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt)
{
  int type = section_type_of (cfg);
  size_t len = strlen (opt->name);
  if (type >= 0)
    return key_find ((enum key_section) type, opt->name, len);
  if (ld)
    return key_find (ld->settings_mode ? SEC_SETTINGS : SEC_TOP, opt->name,
                     len);
  const struct key_desc *k = key_find (SEC_TOP, opt->name, len);
  return k ? k : key_find (SEC_SETTINGS, opt->name, len);
}

/* The value of OPT in CFG just said to be wrong: its key's record says so
 * too (key_rejected).  Keys of sections that may repeat have none. */
static void
mark_rejected (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt)
{
  int type = section_type_of (cfg);
  if (is_multi (type))
    return;
  char *key = type >= 0 ? xasprintf ("%s.%s", cfg->name, opt->name)
                        : xstrdup (opt->name);
  struct key_rec *k = find_key (ld, -1, key, false);
  if (k)
    k->rejected = true;
  free (key);
}

/* Check the IDX-th value of OPT by its row in the key table, while parsing
 * (when the line is known): a typed value says what its parse found. */
static void
check_value (struct loader *ld, cfg_t *cfg, cfg_opt_t *opt, unsigned idx,
             int line)
{
  if (opt->type == CFGT_PTR)       /* a typed key's: on_parse made it */
    {
      const struct key_parsed *p = cfg_opt_getnptr (opt, idx);
      if (p && p->why)
        {
          value_error (ld, cfg, line, "%s", p->why);
          mark_rejected (ld, cfg, opt);
        }
      return;
    }
  const struct key_desc *k = key_of (ld, cfg, opt);
  if (k == NULL)
    return;
  struct key_value v = { 0 };
  if (k->type == KEY_STRING || k->type == KEY_STRING_LIST)
    v.s = cfg_opt_getnstr (opt, idx);
  else if (k->type == KEY_FLOAT)
    v.f = cfg_opt_getnfloat (opt, idx);
  if (k->flags & KEY_OWN)
    {
      capture_identity (ld, k, v.s);
      return;
    }
  char *why = key_check (k, &v);
  if (why)
    {
      value_error (ld, cfg, line, "%s", why);
      mark_rejected (ld, cfg, opt);
    }
  free (why);
}

/* The latest record of KEY (in SCOPE unless it is -1; only "=" ones when
 * ASSIGNED). */
struct key_rec *
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
  ld->keys[ld->n_keys++] = (struct key_rec) { .scope = f->id, .key = key,
                                              .file = f->path, .line = line,
                                              .assigned = assigned };
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

int
on_empty_list (cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv)
{
  struct loader *ld = current_loader;
  if (ld == NULL || argc != 2)
    return 0;
  ld->open_list = NULL;
  note_assignment (ld, cfg, argv[0], atoi (argv[1]), true);
  return 0;
}

struct sec_rec *
rec_of (struct loader *ld, cfg_t *sec)
{
  if (sec == NULL || sec->comment == NULL)
    return NULL;
  char *end;
  unsigned long i = strtoul (sec->comment, &end, 10);
  return *end == '\0' && i < ld->n_secs ? &ld->secs[i] : NULL;
}

/* mount, symlink, dir and file share one name space, the destinations:
 * "/x" declared as a mount replaces a dir "/x" of an included file. */
static int
title_class (int type)
{
  return type >= SEC_MOUNT && type <= SEC_FILE ? SEC_MOUNT : type;
}

static size_t
title_hash (int type, const char *title)
{
  type = title_class (type);
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
      if (r == NULL || (title_class (r->type) == title_class (type)
                        && strcmp (r->title, title) == 0))
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

/* libconfuse replaces a section of the same kind and title itself; one of
 * another kind (a dir replaced by a mount) we take out of its option. */
static void
remove_section_of (struct loader *ld, const struct sec_rec *old)
{
  cfg_opt_t *opt = cfg_getopt (ld->cfg, section_table[old->type].name);
  for (unsigned i = opt ? cfg_opt_size (opt) : 0; i-- > 0;)
    if (rec_of (ld, cfg_opt_getnsec (opt, i)) == old)
      {
        cfg_opt_rmnsec (opt, i);
        return;
      }
}

/* A titled section declared again: in the same file an error; in a later
 * file it replaces the earlier declaration entirely (libconfuse frees the
 * old one; keys are not merged) and takes its place in the entry order. */
static struct sec_rec *
handle_redeclaration (struct loader *ld, struct sec_rec *rec)
{
  struct sec_rec *old = index_titled (ld, rec);
  if (old == NULL)
    return NULL;
  if (old->instance == rec->instance && old->type == rec->type)
    ld_diag (ld, DIAG_ERROR, rec->line, "%s '%s' is declared twice in this "
             "file (first at line %d)", section_table[rec->type].name,
             rec->title, old->line);
  else if (old->instance == rec->instance)
    ld_diag (ld, DIAG_ERROR, rec->line, "%s '%s': '%s' is already the %s at "
             "line %d of this file", section_table[rec->type].name,
             rec->title, rec->title, section_table[old->type].name,
             old->line);
  rec->seq = old->seq;
  old->dead = true;
  if (old->type != rec->type)
    remove_section_of (ld, old);
  return old;
}

/* drop = true: the entry, having replaced the one of its destination that
 * an included file declared, is taken out too. */
static void
handle_drop (struct loader *ld, cfg_t *sec, struct sec_rec *rec,
             const struct sec_rec *old)
{
  if (cfg_size (sec, "drop") == 0 || !cfg_getbool (sec, "drop"))
    return;
  if (rec->n_keys > 1)
    ld_diag (ld, DIAG_ERROR, rec->line, "%s '%s': 'drop = true' takes no "
             "other key", section_table[rec->type].name, rec->title);
  else if (old == NULL)
    ld_diag (ld, DIAG_WARNING, rec->line, "%s '%s': 'drop = true' drops "
             "nothing: no earlier file declares '%s'",
             section_table[rec->type].name, rec->title, rec->title);
  rec->dead = true;
  remove_section_of (ld, rec);
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
  if (f && type >= 0 && !is_top_section (type))
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
  int type = section_find (opt->name, strlen (opt->name));
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
  if (is_titled (type) && type != SEC_RULE)
    handle_drop (ld, sec, rec, handle_redeclaration (ld, rec));
  else if (is_titled (type))
    handle_redeclaration (ld, rec);
  else if (is_multi (type))
    replace_other_files_ranges (ld, opt, rec);
  return 0;
}

__attribute__ ((format (printf, 2, 0))) void
on_confuse_error (cfg_t *cfg, const char *fmt, va_list ap)
{
  struct loader *ld = current_loader;
  if (ld == NULL)
    return;
  char *msg = xvasprintf (fmt, ap);
  ld_diag (ld, DIAG_ERROR, cfg ? cfg->line : 0, "%s", msg);
  free (msg);
}

/* The parse callback of a typed key: the one place a value of it is
 * turned from text into its typed form and checked (key_parse).  What is
 * wrong is kept with the value, and said by on_value after the checks of
 * the assignment itself ("set twice"), as for an untyped key; only an
 * integer that is not one stops libconfuse, as it always did. */
static int
on_parse (cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
  struct loader *ld = current_loader;
  const struct key_desc *k = key_of (ld, cfg, opt);
  if (k == NULL)
    return -1;
  struct key_parsed *p = xcalloc (1, sizeof *p);
  bool fatal;
  p->key = k;
  p->text = xstrdup (value ? value : "");
  p->why = key_parse (k, value, &p->v, &fatal);
  if (fatal)
    {
      if (ld)
        value_error (ld, cfg, cfg->line, "%s", p->why);
      key_parsed_free (p);
      return -1;
    }
  *(struct key_parsed **) result = p;
  return 0;
}

void
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
      if (opts[i].type == CFGT_PTR)
        {
          opts[i].parsecb = on_parse;
          opts[i].freecb = key_parsed_free;
        }
    }
}

/* "FILE:LINE", or FILE alone for a -D (its "line" is the -D itself). */
static void
put_where (struct strbuf *sb, const char *file, int line)
{
  sb_puts (sb, file);
  if (line > 0 && strncmp (file, "-D ", 3) != 0)
    {
      char num[16];
      snprintf (num, sizeof num, ":%d", line);
      sb_puts (sb, num);
    }
  sb_puts (sb, "\n");
}

/* A key's effective value comes from its last '=' and each '+=' after it
 * (a line each); a section's from its live declaration.  In the order
 * read. */
char *
describe_origins (const struct loader *ld)
{
  struct strbuf sb = { 0 };
  for (size_t i = 0; i < ld->n_keys; i++)
    {
      const struct key_rec *k = &ld->keys[i];
      bool replaced = false;
      for (size_t j = i + 1; j < ld->n_keys && !replaced; j++)
        replaced = ld->keys[j].assigned && strcmp (ld->keys[j].key, k->key) == 0;
      if (replaced)
        continue;
      char *head = xasprintf ("%-24s ", k->key);
      sb_puts (&sb, head);
      put_where (&sb, k->file, k->line);
      free (head);
    }
  for (size_t i = 0; i < ld->n_secs; i++)
    {
      const struct sec_rec *r = &ld->secs[i];
      if (r->dead || !section_table[r->type].multi)
        continue;       /* a single section's keys have lines of their own */
      char *head = r->title
                   ? xasprintf ("%s \"%s\"", section_table[r->type].name,
                                r->title)
                   : xstrdup (section_table[r->type].name);
      char *pad = xasprintf ("%-24s ", head);
      sb_puts (&sb, pad);
      put_where (&sb, r->file, r->line);
      free (pad);
      free (head);
    }
  return sb.s ? sb.s : xstrdup ("");
}

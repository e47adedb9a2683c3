/* print.c — cordon show: a spec written back in the profile language.
 *
 * Part of the profile module.  Everything show prints comes from the key
 * table (keys.h): the order of keys and sections (print_rank), where names
 * are padded to (print_width), when a key or a section is printed
 * (print_when, mount_types, net_modes, KEY_NOT_WITH_UPPER), and the form
 * of each value, by its BIND_* kind or print_as.  What is here besides is
 * the formatters of the values no such form says (capabilities, rlimits,
 * a seccomp comparison, the network's addresses and ports, int lists) and
 * where the instances of the multi sections are in the spec; the table
 * names them in its rows. */
#include "config.h"

#include <math.h>

#include "profile/internal.h"

void
profile_print_string (FILE *out, const char *s)
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
      profile_print_string (out, v[i]);
    }
  fputc ('}', out);
}

/* The shortest decimal that reads back as the same double, without an
 * exponent: "1e+01" (what %g makes of 10) does not read back, the '+'
 * being the profile language's append. */
static void
print_double (FILE *out, double v)
{
  char buf[512];
  for (int prec = 1; prec <= 17; prec++)
    {
      snprintf (buf, sizeof buf, "%.*g", prec, v);
      if (strtod (buf, NULL) == v)
        break;
    }
  if (strpbrk (buf, "eE") && isfinite (v))
    for (int decimals = 0; decimals <= 340; decimals++)
      {
        snprintf (buf, sizeof buf, "%.*f", decimals, v);
        if (strtod (buf, NULL) == v)
          break;
      }
  fputs (buf, out);
  if (!strpbrk (buf, ".eEn"))
    fputs (".0", out);
}

static void
print_bool (FILE *out, bool v)
{
  fputs (v ? "true" : "false", out);
}

/* ---- one key's value, by its form ---- */

static enum key_bind
form_of (const struct key_desc *k)
{
  return k->bind != BIND_NONE ? k->bind : k->print_as;
}

/* Is KEY's value in BASE set: not 0, NULL, "" or empty? */
static bool
value_set (const struct key_desc *k, const char *base)
{
  if (k->print)
    return k->print (k, base, NULL);
  const void *at = base + k->off;
  switch (form_of (k))
    {
    case BIND_STRING:
      return *(char *const *) at && **(char *const *) at;
    case BIND_STRINGS:
      return *(const size_t *) (base + k->count_off) != 0;
    case BIND_BOOL:
      return *(const bool *) at;
    case BIND_U32:
      return *(const uint32_t *) at != 0;
    case BIND_DOUBLE:
      return *(const double *) at != 0;
    case BIND_DURATION:
      return *(const int64_t *) at != 0;
    case BIND_SIZE:
      return *(const uint64_t *) at != 0;
    case BIND_MODE:
    case BIND_LIMIT:
      return *(const bool *) (base + k->count_off);
    case BIND_FLAGS:
      return *(const unsigned *) at != 0;
    case BIND_NAME:
      return true;          /* every value of an enum is one of its names */
    case BIND_NONE:
      break;
    }
  return false;
}

/* Is KEY's value in BASE its default (a bool or a name the row gives), or
 * unset? */
static bool
value_default (const struct key_desc *k, const char *base)
{
  const void *at = base + k->off;
  if (k->def && !k->print && form_of (k) == BIND_BOOL)
    return *(const bool *) at == (strcmp (k->def, "true") == 0);
  if (k->def && !k->print && form_of (k) == BIND_NAME)
    return *(const int *) at == names_index (k->names, k->def);
  return !value_set (k, base);
}

static void
print_value (FILE *out, const struct key_desc *k, const char *base)
{
  if (k->print)
    {
      k->print (k, base, out);
      return;
    }
  const void *at = base + k->off;
  char buf[64];
  switch (form_of (k))
    {
    case BIND_STRING:
      profile_print_string (out, *(char *const *) at ? *(char *const *) at
                                                     : k->def);
      break;
    case BIND_STRINGS:
      print_list (out, *(char **const *) at,
                  *(const size_t *) (base + k->count_off));
      break;
    case BIND_BOOL:
      print_bool (out, *(const bool *) at);
      break;
    case BIND_U32:
      fprintf (out, "%" PRIu32, *(const uint32_t *) at);
      break;
    case BIND_DOUBLE:
      print_double (out, *(const double *) at);
      break;
    case BIND_DURATION:
      format_duration (*(const int64_t *) at, buf, sizeof buf);
      fprintf (out, "\"%s\"", buf);
      break;
    case BIND_SIZE:
      /* quoted only with a suffix: "64M", 1000 */
      if (spec_format_size (*(const uint64_t *) at, buf, sizeof buf))
        fprintf (out, "\"%s\"", buf);
      else
        fputs (buf, out);
      break;
    case BIND_MODE:
      fprintf (out, "\"%04o\"", (unsigned) *(const mode_t *) at);
      break;
    case BIND_LIMIT:
      spec_format_size (*(const uint64_t *) at, buf, sizeof buf);
      fprintf (out, "\"%s\"", buf);
      break;
    case BIND_FLAGS:
      fputc ('{', out);
      for (unsigned i = 0, n = 0; k->names[i]; i++)
        if (*(const unsigned *) at & (1u << i))
          fprintf (out, "%s\"%s\"", n++ ? ", " : "", k->names[i]);
      fputc ('}', out);
      break;
    case BIND_NAME:
      fprintf (out, "\"%s\"", k->names[*(const int *) at]);
      break;
    case BIND_NONE:
      break;
    }
}

/* ---- which keys, in which order ---- */

/* The keys of SECTION by print_rank, table order within a rank; *N of
 * them (allocated). */
static const struct key_desc **
section_rows (enum key_section section, size_t *n)
{
  const struct key_desc **rows = xcalloc (n_key_table, sizeof *rows);
  *n = 0;
  for (size_t i = 0; i < n_key_table; i++)
    if (key_table[i].section == section)
      {
        size_t j = (*n)++;
        for (; j > 0 && rows[j - 1]->print_rank > key_table[i].print_rank; j--)
          rows[j] = rows[j - 1];
        rows[j] = &key_table[i];
      }
  return rows;
}

/* The mount type or network mode of the instance at BASE, as a
 * MOUNT_TYPE () or NET_MODE () bit: the value of its section's
 * KEY_SELECTOR key; 0 when it has none. */
static unsigned
selected (enum key_section section, const char *base)
{
  for (size_t i = 0; i < n_key_table; i++)
    if (key_table[i].section == section
        && (key_table[i].flags & KEY_SELECTOR))
      return 1u << *(const int *) (base + key_table[i].off);
  return 0;
}

/* Is the instance at BASE an overlay with an upper layer (its section's
 * KEY_UPPER key set)? */
static bool
has_upper (enum key_section section, const char *base)
{
  for (size_t i = 0; i < n_key_table; i++)
    if (key_table[i].section == section && (key_table[i].flags & KEY_UPPER)
        && value_set (&key_table[i], base))
      return true;
  return false;
}

/* Could KEY be set in the instance at BASE: a key of its mount type or
 * network mode, and not KEY_NOT_WITH_UPPER with an upper layer? */
static bool
key_belongs (const struct key_desc *k, const char *base)
{
  unsigned only = k->mount_types | k->net_modes;
  if ((k->flags & KEY_DIRECTIVE) || (form_of (k) == BIND_NONE && !k->print))
    return false;           /* no form: test-keys fails on it */
  if (only && !(only & selected (k->section, base)))
    return false;
  return !(k->flags & KEY_NOT_WITH_UPPER) || !has_upper (k->section, base);
}

static bool
key_printed (const struct key_desc *k, const char *base)
{
  if (!key_belongs (k, base))
    return false;
  return k->print_when == PRINT_ALWAYS
         || (k->print_always_types & selected (k->section, base))
         || value_set (k, base);
}

/* ---- sections ---- */

/* Each instance of the multi section S found in PARENT, one a line:
 * NAME ["TITLE"] { KEY = VALUE ... }. */
static void
print_instances (FILE *out, enum key_section s, const void *parent,
                 const char *indent)
{
  enum key_section sec;
  const void *elem;
  const char *title;
  for (size_t i = 0;
       section_table[s].print_instances (parent, i, &sec, &elem, &title); i++)
    {
      if (sec == N_SECTIONS)
        continue;
      const struct section_desc *d = &section_table[sec];
      fprintf (out, "%s%s ", indent, d->name);
      if (title)
        {
          profile_print_string (out, title);
          fputc (' ', out);
        }
      fputc ('{', out);
      size_t n;
      const struct key_desc **rows = section_rows (sec, &n);
      bool first = true;
      for (size_t j = 0; j < n; j++)
        if (key_printed (rows[j], elem))
          {
            fprintf (out, "%*s%s = ", first ? 1 : d->print_gap, "",
                     rows[j]->name);
            print_value (out, rows[j], elem);
            first = false;
          }
      free (rows);
      fputs (" }\n", out);
    }
}

/* The single section S from its struct at BASE: "NAME {", its keys one a
 * line, the multi sections within it, "}"; false when its print_when
 * leaves it out. */
static bool
print_block (FILE *out, enum key_section s, const char *base)
{
  const struct section_desc *d = &section_table[s];
  size_t n;
  const struct key_desc **rows = section_rows (s, &n);
  int width = d->print_width;
  bool any_printed = false, any_changed = false;
  for (size_t i = 0; i < n; i++)
    {
      if (key_printed (rows[i], base))
        {
          any_printed = true;
          if (d->print_width == PRINT_WIDTH_AUTO
              && (int) strlen (rows[i]->name) > width)
            width = (int) strlen (rows[i]->name);
        }
      if (key_belongs (rows[i], base) && !value_default (rows[i], base))
        any_changed = true;
    }
  if ((d->print_when == PRINT_SET && !any_printed)
      || (d->print_when == PRINT_CHANGED && !any_changed))
    {
      free (rows);
      return false;
    }
  fprintf (out, "\n%s {\n", d->name);
  for (size_t i = 0; i < n; i++)
    if (key_printed (rows[i], base))
      {
        fprintf (out, "    %-*s = ", width, rows[i]->name);
        print_value (out, rows[i], base);
        fputc ('\n', out);
      }
  free (rows);
  for (int c = 0; c < N_SECTIONS; c++)
    if (c != (int) s && section_table[c].parent == s
        && section_table[c].print_instances)
      print_instances (out, (enum key_section) c, base, "    ");
  fputs ("}\n", out);
  return true;
}

/* One thing the top level prints: a key or a section. */
struct top_item
{
  int rank;
  const struct key_desc *key;   /* NULL: the section */
  enum key_section section;
};

/* The top level's keys and sections by print_rank (allocated, *N). */
static struct top_item *
top_items (size_t *n)
{
  struct top_item *items = xcalloc (n_key_table + N_SECTIONS, sizeof *items);
  *n = 0;
  for (size_t i = 0; i < n_key_table; i++)
    if (key_table[i].section == SEC_TOP)
      items[(*n)++] = (struct top_item) { key_table[i].print_rank,
                                          &key_table[i], SEC_TOP };
  for (int s = 0; s < N_SECTIONS; s++)
    {
      const struct section_desc *d = &section_table[s];
      /* a multi section without print_instances prints among another's */
      if (s != SEC_TOP && s != SEC_SETTINGS && d->parent == SEC_TOP
          && (!d->multi || d->print_instances))
        items[(*n)++] = (struct top_item) { d->print_rank, NULL,
                                            (enum key_section) s };
    }
  for (size_t i = 1; i < *n; i++)
    for (size_t j = i; j > 0 && items[j - 1].rank > items[j].rank; j--)
      {
        struct top_item t = items[j];
        items[j] = items[j - 1];
        items[j - 1] = t;
      }
  return items;
}

int
profile_print (const struct jail_spec *spec, FILE *out)
{
  const char *base = (const char *) spec;
  size_t n;
  struct top_item *items = top_items (&n);
  int paragraph = -1;       /* a block starts with a blank line of its own */
  for (size_t i = 0; i < n; i++)
    {
      const struct top_item *it = &items[i];
      const struct section_desc *d = &section_table[it->section];
      if (it->key == NULL && !d->multi)
        {
          if (print_block (out, it->section, base + d->spec_off))
            paragraph = it->rank / 10;
          continue;
        }
      if (it->key && !key_printed (it->key, base))
        continue;
      if (paragraph >= 0 && it->rank / 10 != paragraph)
        fputc ('\n', out);
      paragraph = it->rank / 10;
      if (it->key == NULL)
        {
          print_instances (out, it->section, spec, "");
          continue;
        }
      fprintf (out, "%-*s = ", it->key->print_width, it->key->name);
      print_value (out, it->key, base);
      fputc ('\n', out);
    }
  free (items);
  return ferror (out) ? -1 : 0;
}

/* ---- the multi sections' instances (section_instances_fn) ---- */

bool
show_entries (const void *parent, size_t i, enum key_section *sec,
              const void **elem, const char **title)
{
  const struct jail_spec *spec = parent;
  if (i >= spec->n_entries)
    return false;
  const struct fs_entry *e = &spec->entries[i];
  *elem = e;
  *title = e->dest;
  switch (e->kind)
    {
    case FS_SYMLINK:
      *sec = SEC_SYMLINK;
      break;
    case FS_DIR:
      *sec = SEC_DIR;
      break;
    case FS_FILE:
      *sec = SEC_FILE;
      break;
    default:
      *sec = SEC_MOUNT;
    }
  if (e->generated)
    *sec = N_SECTIONS;      /* the profile module's own (resolv.conf) */
  return true;
}

static bool
id_map_at (const struct id_map *map, enum key_section s, size_t i,
           enum key_section *sec, const void **elem, const char **title)
{
  if (i >= map->n_ranges)
    return false;
  *sec = s;
  *elem = &map->ranges[i];
  *title = NULL;
  return true;
}

bool
show_uid_map (const void *parent, size_t i, enum key_section *sec,
              const void **elem, const char **title)
{
  return id_map_at (&((const struct jail_spec *) parent)->uid_map,
                    SEC_UID_MAP, i, sec, elem, title);
}

bool
show_gid_map (const void *parent, size_t i, enum key_section *sec,
              const void **elem, const char **title)
{
  return id_map_at (&((const struct jail_spec *) parent)->gid_map,
                    SEC_GID_MAP, i, sec, elem, title);
}

bool
show_rules (const void *parent, size_t i, enum key_section *sec,
            const void **elem, const char **title)
{
  const struct seccomp_spec *s = parent;
  if (i >= s->n_rules)
    return false;
  *sec = SEC_RULE;
  *elem = &s->rules[i];
  *title = s->rules[i].syscall;
  return true;
}

/* ---- values no BIND_* form says (key_print_fn) ---- */

bool
show_ints (const struct key_desc *k, const void *base, FILE *out)
{
  const int *v = *(int *const *) ((const char *) base + k->off);
  size_t n = *(const size_t *) ((const char *) base + k->count_off);
  if (out)
    {
      fputc ('{', out);
      for (size_t i = 0; i < n; i++)
        fprintf (out, "%s%d", i ? ", " : "", v[i]);
      fputc ('}', out);
    }
  return n != 0;
}

bool
show_capabilities (const struct key_desc *k, const void *base, FILE *out)
{
  uint64_t caps = *(const uint64_t *) ((const char *) base + k->off);
  if (out)
    {
      fputc ('{', out);
      bool first = true;
      for (unsigned cap = 0; cap < 64; cap++)
        if (caps & (UINT64_C (1) << cap))
          {
            char name[64];
            fprintf (out, "%s\"%s\"", first ? "" : ", ",
                     cordon_caps_name (cap, name, sizeof name));
            first = false;
          }
      fputc ('}', out);
    }
  return caps != 0;
}

static void
print_rlimit_value (FILE *out, uint64_t v)
{
  if (v == UINT64_MAX)
    fputs ("unlimited", out);
  else
    fprintf (out, "%" PRIu64, v);
}

/* "SOFT", or "SOFT:HARD" when they differ */
bool
show_rlimit (const struct key_desc *k, const void *base, FILE *out)
{
  const struct rlimit_setting *r
    = (const struct rlimit_setting *) ((const char *) base + k->off);
  if (out)
    {
      fputc ('"', out);
      print_rlimit_value (out, r->soft);
      if (r->hard != r->soft)
        {
          fputc (':', out);
          print_rlimit_value (out, r->hard);
        }
      fputc ('"', out);
    }
  return r->set;
}

bool
show_seccomp_cmp (const struct key_desc *k, const void *base, FILE *out)
{
  const struct seccomp_arg_cmp *c
    = (const struct seccomp_arg_cmp *) ((const char *) base + k->off);
  if (out && c->op == SECCOMP_CMP_MASKED_EQ)
    fprintf (out, "\"& %#" PRIx64 " == %#" PRIx64 "\"", c->mask, c->value);
  else if (out)
    fprintf (out, "\"%s %#" PRIx64 "\"", seccomp_cmp_names[c->op], c->value);
  return c->set;
}

bool
show_net_address (const struct key_desc *k, const void *base, FILE *out)
{
  const struct network_spec *n = base;
  if (out)
    profile_print_string (out, n->address_auto ? "auto" : n->address);
  return n->address_auto || n->address;
}

bool
show_net_gateway (const struct key_desc *k, const void *base, FILE *out)
{
  const struct network_spec *n = base;
  if (out)
    fprintf (out, "\"%s/%u\"", n->gateway, n->prefix);
  return n->gateway != NULL;
}

bool
show_net_publish (const struct key_desc *k, const void *base, FILE *out)
{
  const struct network_spec *n = base;
  if (out)
    {
      fputc ('{', out);
      for (size_t i = 0; i < n->n_publish; i++)
        {
          const struct port_publish *p = &n->publish[i];
          fprintf (out, "%s\"%s%s%u:%u/%s\"", i ? ", " : "",
                   p->host_address ? p->host_address : "",
                   p->host_address ? ":" : "", p->host_port, p->jail_port,
                   p->protocol == IPPROTO_UDP ? "udp" : "tcp");
        }
      fputc ('}', out);
    }
  return n->n_publish != 0;
}

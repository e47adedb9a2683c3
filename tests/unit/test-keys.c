/* test-keys.c — the key table (src/profile/keys.c) and what follows it:
 * every key is documented in cordon.conf(5), set in the every-key
 * fixtures, printed by show (print.c, from the table) in its own section,
 * and show's output reads back to itself. */
#include "config.h"

#include <ctype.h>

#include "profile-test-helpers.h"
#include "profile/keys.h"

static char *
slurp (const char *path)
{
  FILE *f = fopen (path, "re");
  if (f == NULL)
    return NULL;
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&text, &len);
  int c;
  while ((c = getc (f)) != EOF)
    putc (c, out);
  fclose (f);
  fclose (out);
  return text;
}

static bool
is_word_char (char c)
{
  return isalnum ((unsigned char) c) || c == '_';
}

/* NAME as a whole word in a line of TEXT that starts with PREFIX (""
 * every line), and, when ASSIGNED, followed by '=' or "+=". */
static bool
has_word (const char *text, const char *name, const char *prefix,
          bool assigned)
{
  size_t n = strlen (name);
  for (const char *p = text; p && (p = strstr (p, name)); p += n)
    {
      if ((p > text && is_word_char (p[-1])) || is_word_char (p[n]))
        continue;
      const char *line = p;
      while (line > text && line[-1] != '\n')
        line--;
      if (strncmp (line, prefix, strlen (prefix)) != 0)
        continue;
      const char *q = p + n;
      while (*q == ' ' || *q == '\t')
        q++;
      if (!assigned || *q == '=' || (q[0] == '+' && q[1] == '='))
        return true;
    }
  return false;
}

/* TEXT with the inside of every quoted string blanked (allocated): a
 * value never passes for a key or a section. */
static char *
blank_quotes (const char *text)
{
  char *b = strdup (text);
  bool quoted = false;
  for (char *p = b; *p; p++)
    if (*p == '"')
      quoted = !quoted;
    else if (quoted && *p == '\\' && p[1])
      p[0] = p[1] = ' ', p++;
    else if (quoted && *p != '\n')
      *p = ' ';
  return b;
}

/* The instances of section S in the blanked TEXT: the lines that start,
 * after the indentation, with its name and a space, to the brace that
 * closes them; those of S's own sections within blanked too (allocated). */
static char *
section_text (const char *text, enum key_section s)
{
  const char *name = section_table[s].name;
  size_t n = strlen (name);
  char *out = strdup ("");
  for (const char *line = text; *line;
       line += strcspn (line, "\n"), line += *line == '\n')
    {
      const char *p = line + strspn (line, " ");
      if (strncmp (p, name, n) != 0 || p[n] != ' ' || !strchr (p, '{'))
        continue;
      const char *end = strchr (p, '{');
      for (int depth = 0; *end; end++)
        if (*end == '{')
          depth++;
        else if (*end == '}' && --depth == 0)
          break;
      char *joined;
      if (asprintf (&joined, "%s%.*s\n", out, (int) (end - p), p) < 0)
        abort ();
      free (out);
      out = joined;
    }
  for (int c = 0; c < N_SECTIONS; c++)
    if (c != (int) s && section_table[c].parent == s && c != SEC_SETTINGS)
      {
        char *inner = section_text (out, (enum key_section) c);
        for (char *at = inner, *line; *at; at += strlen (line) + 1)
          {
            line = at;
            at[strcspn (at, "\n")] = '\0';
            char *in = strstr (out, line);
            if (in)
              memset (in, ' ', strlen (line));
          }
        free (inner);
      }
  return out;
}

/* Does show's blanked output SHOWN print KEY in its section (a top-level
 * key at the start of a line), as NAME = VALUE? */
static bool
show_prints (const char *shown, const struct key_desc *k)
{
  if (k->section == SEC_TOP)
    return has_word (shown, k->name, k->name, true);
  char *text = section_text (shown, k->section);
  bool found = has_word (text, k->name, "", true);
  free (text);
  return found;
}

static const char *
where (const struct key_desc *k)
{
  return k->section == SEC_TOP || k->section == SEC_SETTINGS
           ? "" : section_table[k->section].name;
}

/* Keys that only mean something in one network mode cannot all stand in
 * one profile: each fixture holds what the others cannot. */
static const char *const every_key_fixtures[] = {
  "every-key.conf",         /* network mode bridge */
  "every-key-netns.conf",   /* network mode netns */
  "every-key-user.conf",    /* network mode user */
};
#define N_FIXTURES (sizeof every_key_fixtures / sizeof every_key_fixtures[0])

static void
append (char **all, const char *text)
{
  char *joined;
  if (asprintf (&joined, "%s%s\n", *all ? *all : "", text) < 0)
    abort ();
  free (*all);
  *all = joined;
}

/* Load one every-key fixture: valid, and show reads back to itself; its
 * text and show's output are added to EVERY and SHOWN. */
static bool
take_fixture (const char *src, const char *name, char **every, char **shown)
{
  char path[PATH_MAX];
  snprintf (path, sizeof path, "%s/tests/fixtures/valid/%s", src, name);
  char *text = slurp (path);
  if (text == NULL)
    return false;
  append (every, text);
  free (text);
  struct profile_request req = { .path = path };
  char *diags;
  struct jail_spec *spec = load_request (&req, &diags);
  tap_ok (spec != NULL, "the every-key fixture %s is valid: %s", name, diags);
  char *printed = spec ? print_spec (spec) : strdup ("");
  char *again_diags = NULL;
  struct jail_spec *again = spec ? load_printed (spec, &again_diags) : NULL;
  char *printed_again = again ? print_spec (again) : NULL;
  tap_ok (printed_again && strcmp (printed, printed_again) == 0,
          "show of %s reads back to itself", name);
  append (shown, printed);
  free (diags);
  free (again_diags);
  free (printed);
  free (printed_again);
  jail_spec_free (spec);
  jail_spec_free (again);
  return true;
}

int
main (void)
{
  const char *src = getenv ("SRCDIR");
  if (src == NULL || *src == '\0')
    src = ".";
  char path[PATH_MAX];
  snprintf (path, sizeof path, "%s/man/cordon.conf.5.in", src);
  char *man = slurp (path);
  char *every = NULL, *shown = NULL;
  bool fixtures = true;
  for (size_t i = 0; i < N_FIXTURES; i++)
    fixtures = take_fixture (src, every_key_fixtures[i], &every, &shown)
               && fixtures;
  snprintf (path, sizeof path, "%s/tests/fixtures/settings/every-key.conf",
            src);
  char *every_settings = slurp (path);
  if (!man || !fixtures || !every_settings)
    {
      printf ("Bail out! cannot read the man page or the fixtures\n");
      return 1;
    }

  struct settings st;
  struct diagnostics sd = { 0 };
  tap_ok (settings_load (path, &st, &sd) == 0 && sd.n == 0,
          "the settings every-key fixture is valid");
  settings_free (&st);
  diagnostics_free (&sd);

  char *blanked = blank_quotes (shown);
  for (size_t i = 0; i < n_key_table; i++)
    {
      const struct key_desc *k = &key_table[i];
      bool settings = k->section == SEC_SETTINGS;
      /* a typed single value's default is parsed from the table when the
       * key is unset (key_default aborts on one that does not parse) */
      if (k->def && key_is_typed (k) && k->type != KEY_STRING_LIST
          && k->type != KEY_INT_LIST)
        tap_ok (key_default (k) != NULL, "the default of %s%s%s parses",
                where (k), *where (k) ? "." : "", k->name);
      tap_ok (has_word (man, k->name, ".B", false)
              || has_word (man, k->name, ".TP", false)
              || has_word (man, k->name, ".IP", false),
              "%s%s%s is in cordon.conf(5)", where (k), *where (k) ? "." : "",
              k->name);
      tap_ok (has_word (settings ? every_settings : every, k->name, "", true),
              "%s%s%s is set in the every-key fixture", where (k),
              *where (k) ? "." : "", k->name);
      if (settings || (k->flags & KEY_DIRECTIVE))
        continue;
      tap_ok (k->bind != BIND_NONE || k->print_as != BIND_NONE || k->print,
              "the table says how show prints %s%s%s", where (k),
              *where (k) ? "." : "", k->name);
      tap_ok (show_prints (blanked, k), "show prints %s%s%s in its section",
              where (k), *where (k) ? "." : "", k->name);
    }
  free (blanked);
  free (man);
  free (every);
  free (every_settings);
  free (shown);
  return tap_done ();
}

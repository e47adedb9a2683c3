/* override.c — -D KEY=VALUE: each override as one value of its key. */
#include "config.h"

#include "profile/internal.h"

/* The option NAME of OPTS as a profile may name it. */
cfg_opt_t *
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

/* What one value of OPT is (a typed key's option is libconfuse's
 * CFGT_PTR: its row says). */
static const char *
type_noun (const cfg_opt_t *opt, const struct key_desc *k)
{
  if (k && (k->type == KEY_INT || k->type == KEY_INT_LIST))
    return "integer";
  switch (opt->type)
    {
    case CFGT_FLOAT: return "number";
    case CFGT_BOOL: return "boolean";
    default: return "string";
    }
}

/* The VALUE of -D KEY=VALUE for OPT (the row K), quoted for the parser;
 * NULL with *WHY when it is not exactly one value of OPT's type. */
static char *
override_value (const cfg_opt_t *opt, const struct key_desc *k,
                const char *key, const char *value, char **why)
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
                         type_noun (opt, k));
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
                         "' \")", key, type_noun (opt, k),
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

/* The row of the key table of OPT, in SECTION (NULL: the top level). */
static const struct key_desc *
override_key (struct loader *ld, const char *section, const cfg_opt_t *opt)
{
  int s = section ? section_find (section, strlen (section))
          : ld->settings_mode ? SEC_SETTINGS : SEC_TOP;
  return s < 0 ? NULL : key_find ((enum key_section) s, opt->name,
                                  strlen (opt->name));
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
  else if (opt && (value = override_value (opt, override_key (ld, section,
                                                              opt), key,
                                           eq + 1, &why)) == NULL)
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

void
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

/* scan.c — the pre-scan every profile file (and -D) goes through before
 * libconfuse parses it: the smallest lexer that gives what libconfuse 3.3
 * cannot.  It follows libconfuse's lexer (src/lexer.l: comments, "..." and
 * '...' strings, unquoted words) and the statements of its parser
 * (src/confuse.c, cfg_parse_internal), no more, and hands libconfuse text
 * with the same line numbers.  libconfuse stays the parser: it builds the
 * tree, and every value, section, duplicate and include goes through its
 * callbacks (record.c, load.c).  Each piece here, and the limitation of
 * libconfuse 3.3 that forces it:
 *
 * - Unknown keys (stmt_begin, stmt_end): cfg_parse_internal stops at the
 *   first (state 0: cfg_getopt fails, goto error); CFGF_IGNORE_UNKNOWN
 *   skips them (states 10-15) with no callback and no line.  They are
 *   reported here with their line and blanked (newlines kept), so that
 *   libconfuse checks the rest of the file in the same pass.
 * - Variables (scan_var, put_var): the lexer expands ${VAR} with getenv and
 *   makes an unset one "" in silence, knows no $VAR, and splits a word
 *   such as /home/${USER}/src at the brace.  They are expanded here (an
 *   unset one is an error at its line) and every '$' reaches libconfuse
 *   escaped.
 * - Strings, comments and escapes (scan_double_quoted, check_escape, ...):
 *   the lexer leaves an unterminated "..." or comment, and a failing
 *   escape such as \8, without resetting its start condition, and an
 *   include() is parsed inside the parse of the file that includes it, so
 *   the rest of that file would be read as the string; \q and \x are read
 *   as 'q' and 'x', \0 cuts the value short; a lone '+' or '*' is dropped
 *   by the lexer's catch-all rule.  All refused here, at their line.
 * - A '{' not closed at the end of the file: cfg_parse_internal takes the
 *   end of the file for the section's '}'.
 * - include() with a syntax error (check_call_syntax): states 8-9 leave by
 *   goto error without freeing the arguments read so far (a leak).
 * - Where a section opens (open_block): libconfuse calls nothing at a
 *   section's '{' (its validate callback runs at the '}').
 * - Lists (brace_list_value, mark_empty_list): "KEY = {}" calls no
 *   callback at all (state 2 frees the values), and "KEY = VALUE" calls
 *   the validate callback once where "KEY = {...}" also calls it at the
 *   '}': a single value is handed on as {VALUE}, and an empty list is
 *   followed by a call of EMPTY_LIST_MARK, so that record.c sees every
 *   assignment, with its line.
 * tests/unit/test-confuse-limits checks each limitation against the
 * linked libconfuse: when one fails, the piece it forces can go.
 * Its errors are held until libconfuse's parse reaches their line, so that
 * a file's problems come out in line order (load.c, release_held). */
#include "config.h"

#include "profile/internal.h"

enum tok_kind
{
  TOK_STRING,               /* a quoted string or an unquoted word */
  TOK_PUNCT,
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

/* Characters that end an unquoted word in libconfuse's lexer. */
bool
is_word_end (char c)
{
  return c == '\0' || strchr (" \t\n\r#\"'={}()+,*", c) != NULL;
}

/* Append S in the double-quoted syntax, without '$' expansion and without
 * real newlines (so line numbers stay right). */
void
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
bool
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

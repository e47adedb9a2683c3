/* test-confuse-limits.c — the limitations of libconfuse that the pre-scan
 * (src/profile/scan.c) exists for, checked against the linked library.
 * Each test states one limitation its header names; when one fails, the
 * libconfuse in use has lifted it, and the piece of scan.c it forces can
 * go (say so in its header, then delete it). */
#include "config.h"

#include <confuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int n_errors, n_validated, validated_line;
static const char *nested_text;

__attribute__ ((format (printf, 2, 0))) static void
count_error (cfg_t *cfg, const char *fmt, va_list ap)
{
  (void) cfg;
  (void) fmt;
  (void) ap;
  n_errors++;
}

static int
count_validate (cfg_t *cfg, cfg_opt_t *opt)
{
  (void) opt;
  n_validated++;
  validated_line = cfg->line;
  return 0;
}

/* include(): parse nested_text inside the parse of the includer, as
 * load.c's include_func does. */
static int
nested_parse (cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv)
{
  (void) opt;
  (void) argc;
  (void) argv;
  FILE *fp = fmemopen ((void *) nested_text, strlen (nested_text), "r");
  if (fp == NULL)
    return 1;
  int line = cfg->line;
  cfg_parse_fp (cfg, fp);
  cfg->line = line;
  fclose (fp);
  return 0;
}

/* Parse TEXT with a small schema; returns libconfuse's result, the tree in
 * *OUT (to be freed). */
static int
parse (const char *text, int flags, cfg_t **out)
{
  cfg_opt_t sub[] = { CFG_STR ("k", 0, CFGF_NONE), CFG_END () };
  cfg_opt_t opts[] = {
    CFG_STR_LIST ("l", 0, CFGF_NONE),
    CFG_STR ("s", 0, CFGF_NONE),
    CFG_STR ("t", 0, CFGF_NONE),
    CFG_SEC ("sec", sub, CFGF_NONE),
    CFG_FUNC ("include", nested_parse),
    CFG_END (),
  };
  cfg_t *cfg = cfg_init (opts, flags);
  cfg_set_error_function (cfg, count_error);
  cfg_set_validate_func (cfg, "l", count_validate);
  cfg_set_validate_func (cfg, "sec", count_validate);
  n_errors = n_validated = validated_line = 0;
  int rc = cfg_parse_buf (cfg, text);
  *out = cfg;
  return rc;
}

/* The value of s after parsing TEXT ("" when unset, NULL on a failed
 * parse), in a buffer of the caller. */
static const char *
value_of_s (const char *text, char *buf, size_t size)
{
  cfg_t *cfg;
  int rc = parse (text, CFGF_NONE, &cfg);
  const char *v = cfg_getstr (cfg, "s");
  snprintf (buf, size, "%s", v ? v : "");
  cfg_free (cfg);
  return rc == CFG_SUCCESS ? buf : NULL;
}

static void
unknown_keys (void)
{
  cfg_t *cfg;
  int rc = parse ("bogus = 1\ns = \"after\"\n", CFGF_NONE, &cfg);
  tap_ok (rc != CFG_SUCCESS && cfg_getstr (cfg, "s") == NULL,
          "an unknown key stops the parse: nothing after it is checked");
  cfg_free (cfg);
  rc = parse ("bogus = 1\ns = \"after\"\n", CFGF_IGNORE_UNKNOWN, &cfg);
  tap_ok (rc == CFG_SUCCESS && n_errors == 0,
          "CFGF_IGNORE_UNKNOWN skips an unknown key with no error to report "
          "it by");
  cfg_free (cfg);
}

static void
variables (void)
{
  char buf[64];
  unsetenv ("CORDON_TEST_UNSET_VARIABLE");
  const char *v = value_of_s ("s = \"<${CORDON_TEST_UNSET_VARIABLE}>\"",
                              buf, sizeof buf);
  tap_ok (v && strcmp (v, "<>") == 0, "${UNSET} is \"\", not an error");
  setenv ("CORDON_TEST_SET_VARIABLE", "x", 1);
  v = value_of_s ("s = \"$CORDON_TEST_SET_VARIABLE\"", buf, sizeof buf);
  tap_ok (v && strcmp (v, "$CORDON_TEST_SET_VARIABLE") == 0,
          "$NAME is not expanded");
  v = value_of_s ("s = /a/${CORDON_TEST_SET_VARIABLE}/b", buf, sizeof buf);
  tap_ok (v == NULL, "a word with ${NAME} inside is not one value");
}

static void
escapes (void)
{
  char buf[64];
  const char *v = value_of_s ("s = \"a\\qb\"", buf, sizeof buf);
  tap_ok (v && strcmp (v, "aqb") == 0, "an unknown escape \\q is read as q");
  v = value_of_s ("s = \"a\\xzb\"", buf, sizeof buf);
  tap_ok (v && strcmp (v, "axzb") == 0, "\\x without a hex digit is read "
          "as x");
  v = value_of_s ("s = \"a\\0b\"", buf, sizeof buf);
  tap_ok (v && strcmp (v, "a") == 0, "\\0 cuts the value short");
  v = value_of_s ("s = + \"x\"", buf, sizeof buf);
  tap_ok (v && strcmp (v, "x") == 0, "a lone '+' is dropped");
}

/* The lexer's state after a broken string in an included file. */
static void
lexer_state (void)
{
  static const char *const broken[] = {
    "s = \"unterminated", "s = /* unterminated", "s = \"bad \\8 escape\"",
  };
  for (size_t i = 0; i < sizeof broken / sizeof *broken; i++)
    {
      cfg_t *cfg;
      nested_text = broken[i];
      int rc = parse ("include(\"x\")\nt = \"after\"\n", CFGF_NONE, &cfg);
      const char *t = cfg_getstr (cfg, "t");
      tap_ok (rc != CFG_SUCCESS || t == NULL || strcmp (t, "after") != 0,
              "after [%s] in an include, the including file is not read as "
              "written", broken[i]);
      cfg_free (cfg);
    }
}

static void
sections_and_lists (void)
{
  cfg_t *cfg;
  int rc = parse ("sec {\n k = \"x\"\n", CFGF_NONE, &cfg);
  tap_ok (rc == CFG_SUCCESS, "a '{' left open at the end of the text is "
          "taken as closed");
  cfg_free (cfg);
  parse ("sec\n{\n\n k = \"x\"\n}\n", CFGF_NONE, &cfg);
  tap_ok (n_validated == 1 && validated_line == 5, "a section's callback "
          "runs at its '}' (line 5), none at its name or '{'");
  cfg_free (cfg);
  parse ("l = {}\n", CFGF_NONE, &cfg);
  tap_ok (n_validated == 0, "an empty list calls no callback");
  cfg_free (cfg);
  parse ("l = \"a\"\n", CFGF_NONE, &cfg);
  int unbraced = n_validated;
  cfg_free (cfg);
  parse ("l = {\"a\"}\n", CFGF_NONE, &cfg);
  tap_ok (unbraced == 1 && n_validated == 2, "KEY = VALUE calls the "
          "callback once, KEY = {VALUE} once more at its '}'");
  cfg_free (cfg);
}

int
main (void)
{
  unknown_keys ();
  variables ();
  escapes ();
  lexer_state ();
  sections_and_lists ();
  return tap_done ();
}

/* test-profile.c — unit tests of the profile language (src/profile.c).
 *
 * Valid fixtures are checked field by field; invalid ones by the exact
 * diagnostics text.  The fixtures are in tests/fixtures; the tests chdir
 * there so that file names in diagnostics are short and stable. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"
#include "tap.h"
#include "util.h"
#include "profile-test-helpers.h"
#include "util.h"

static char fixtures[PATH_MAX + 32];
static char srcdir[PATH_MAX];
static struct settings search_settings;   /* profile_path = {fixtures/search} */

/* SRCDIR is set by `make check`; run by hand, the source file's own path
 * says where the tree is. */
static void
find_srcdir (void)
{
  const char *env = getenv ("SRCDIR");
  if (env && *env)
    snprintf (srcdir, sizeof srcdir, "%s", env);
  else
    {
      const char *self = __FILE__;
      const char *tail = strstr (self, "tests/unit/test-profile.c");
      int n = tail ? (int) (tail - self) : 0;
      snprintf (srcdir, sizeof srcdir, "%.*s", n, self);
      if (srcdir[0] == '\0')
        snprintf (srcdir, sizeof srcdir, ".");
    }
  char *abs = realpath (srcdir, NULL);
  if (abs)
    {
      snprintf (srcdir, sizeof srcdir, "%s", abs);
      free (abs);
    }
  snprintf (fixtures, sizeof fixtures, "%s/tests/fixtures", srcdir);
}

/* Load PATH (NULL: the built-in default); the diagnostics' text goes to
 * *TEXT.  Returns the spec, or NULL when profile_load failed. */
static struct jail_spec *
load_with (const char *path, char *const *overrides, size_t n, bool root,
           char **text)
{
  struct profile_request req = { .path = path, .overrides = overrides,
                                 .n_overrides = n, .settings = &search_settings,
                                 .running_as_root = root };
  return load_request (&req, text);
}

static struct jail_spec *
load (const char *path)
{
  char *text;
  struct jail_spec *spec = load_with (path, NULL, 0, false, &text);
  if (spec == NULL || *text)
    printf ("# %s:\n# %s", path, text);
  free (text);
  return spec;
}

/* The profile must fail with exactly EXPECTED as diagnostics. */
static void
expect_errors (const char *path, char *const *overrides, size_t n,
               const char *expected, const char *what)
{
  char *text;
  struct jail_spec *spec = load_with (path, overrides, n, false, &text);
  expect_failure (spec, text, expected, "%s", what);
}

static char *
join_dests (const struct jail_spec *spec)
{
  char *s = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&s, &len);
  for (size_t i = 0; i < spec->n_entries; i++)
    fprintf (f, "%s%s", i ? " " : "", spec->entries[i].dest);
  fclose (f);
  return s;
}

static char *
join_strv (char *const *v, size_t n)
{
  char *s = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&s, &len);
  for (size_t i = 0; i < n; i++)
    fprintf (f, "%s%s", i ? "|" : "", v[i]);
  fclose (f);
  return s;
}

static bool
strv_is (char *const *v, size_t n, const char *expected)
{
  char *s = join_strv (v, n);
  bool ok = strcmp (s, expected) == 0 && v[n] == NULL;
  if (!ok)
    printf ("# expected %s, got %s\n", expected, s);
  free (s);
  return ok;
}

/* ------------------------------------------------------------------ */

static void
test_full (void)
{
  struct jail_spec *s = load ("valid/full.conf");
  tap_ok (s != NULL, "full.conf loads");
  if (s == NULL)
    return;
  tap_ok (strcmp (s->name, "full") == 0
          && strcmp (s->description, "Every key, with an include in the middle")
               == 0, "name and description");
  tap_ok (strv_is (s->argv, s->n_argv, "/bin/sh|-c|make -j2"),
          "argv, NULL-terminated");
  tap_ok (strcmp (s->cwd, "/work") == 0 && strcmp (s->hostname, "full-box") == 0
          && s->uid == 1000 && s->gid == 1000 && s->time_limit == 600,
          "cwd, hostname, uid, gid, time_limit");
  tap_ok (s->namespaces == 0xff, "all eight namespaces");
  char *dests = join_dests (s);
  tap_ok (strcmp (dests, "/first /home/build /usr /lib /etc /tmp /src /out "
                  "/proc /dev /data /bin /etc/passwd /big") == 0,
          "entries in profile order across kinds and includes (%s)", dests);
  free (dests);
  static const enum fs_entry_kind kinds[] = {
    FS_DIR, FS_DIR, FS_BIND, FS_SYMLINK, FS_BIND, FS_TMPFS, FS_OVERLAY,
    FS_OVERLAY, FS_PROC, FS_DEV, FS_BIND, FS_SYMLINK, FS_FILE, FS_TMPFS };
  bool kinds_ok = s->n_entries == 14;
  for (size_t i = 0; kinds_ok && i < 14; i++)
    kinds_ok = s->entries[i].kind == kinds[i];
  tap_ok (kinds_ok, "entry kinds");
  const struct fs_entry *e = s->entries;
  tap_ok (strcmp (e[1].origin.file, "valid/base/common.conf") == 0
          && e[1].origin.line == 1
          && strcmp (e[3].origin.file, "valid/base/host-ro.conf") == 0
          && e[3].origin.line == 4
          && strcmp (e[7].origin.file, "valid/full.conf") == 0
          && e[7].origin.line == 20, "entry origins: file and opening line");
  tap_ok (e[5].size == 256u << 20 && e[5].has_mode && e[5].mode == 01777
          && e[13].size == 1048576 && !e[13].has_mode,
          "tmpfs size (suffix and plain bytes) and mode");
  tap_ok (e[6].n_lower == 2 && strcmp (e[6].lower[0], "/usr/share") == 0
          && strcmp (e[6].lower[1], "/usr/lib") == 0 && e[6].lower[2] == NULL
          && e[6].upper == NULL && e[6].work == NULL
          && strcmp (e[7].upper, "/tmp") == 0
          && strcmp (e[7].work, "/var/tmp") == 0, "overlay lower/upper/work");
  tap_ok (e[10].optional && !e[10].writable && !e[2].writable && !e[2].optional
          && strcmp (e[2].source, "/usr") == 0, "bind source, optional, "
          "read-only by default");
  tap_ok (strcmp (e[12].content, "build:x:1000:1000::/work:/bin/sh\n") == 0
          && e[12].content_len == 33 && e[12].mode == 0644
          && e[0].mode == 0700 && e[1].mode == 0755
          && strcmp (e[11].target, "usr/bin") == 0,
          "file content, modes and defaults, symlink target");
  tap_ok (s->uid_map.n_ranges == 2 && s->uid_map.ranges[1].inside == 0
          && s->uid_map.ranges[1].outside == 100000
          && s->uid_map.ranges[1].count == 1000
          && s->uid_map.ranges[0].origin.line == 14
          && s->gid_map.n_ranges == 1 && s->gid_map.ranges[0].count == 1,
          "id maps (count defaults to 1)");
  tap_ok (!s->env.clear && strv_is (s->env.keep, s->env.n_keep, "TERM|LANG")
          && strv_is (s->env.set, s->env.n_set, "PATH=/usr/bin:/bin|HOME=/work"),
          "environment (keep replaces the included one)");
  tap_ok (s->root == NULL && strcmp (s->origin.file, "valid/full.conf") == 0,
          "root tmpfs is NULL; spec origin");
  jail_spec_free (s);
}

static void
test_defaults (void)
{
  struct jail_spec *s = load ("valid/minimal.conf");
  tap_ok (s && strcmp (s->name, "minimal") == 0 && strcmp (s->description, "")
          == 0 && strcmp (s->cwd, "/") == 0 && s->hostname == NULL
          && s->uid == 0 && s->gid == 0 && s->time_limit == 0 && s->root == NULL
          && s->n_entries == 0 && s->uid_map.n_ranges == 0 && s->env.clear
          && s->env.n_keep == 0 && s->env.n_set == 0,
          "defaults; name from the file name");
  tap_ok (s && s->namespaces == (JAIL_NS_USER | JAIL_NS_MOUNT | JAIL_NS_PID
                                 | JAIL_NS_IPC | JAIL_NS_UTS | JAIL_NS_NET
                                 | JAIL_NS_CGROUP), "default namespaces");
  jail_spec_free (s);

  s = load (NULL);
  tap_ok (s && strcmp (s->name, "default") == 0
          && strcmp (s->origin.file, "<built-in default>") == 0
          && s->n_entries > 0 && (s->namespaces & JAIL_NS_MOUNT),
          "the built-in default profile");
  jail_spec_free (s);
}

static void
test_includes (void)
{
  struct jail_spec *s = load ("valid/append.conf");
  tap_ok (s && strv_is (s->argv, s->n_argv, "/bin/echo|hello|world"),
          "+= appends within a file");
  tap_ok (s && s->namespaces == 0xff, "+= appends to the default list");
  tap_ok (s && strv_is (s->env.keep, s->env.n_keep, "USER|TERM"),
          "+= appends to an included file's list");
  jail_spec_free (s);

  s = load ("valid/override.conf");
  tap_ok (s && s->time_limit == 30, "an include after a key overrides it");
  tap_ok (s && strcmp (s->cwd, "/override") == 0,
          "a key after an include overrides the included one");
  char *dests = s ? join_dests (s) : NULL;
  tap_ok (s && strcmp (dests, "/before /data /after") == 0
          && s->entries[1].kind == FS_TMPFS && s->entries[1].source == NULL
          && !s->entries[1].writable
          && strcmp (s->entries[1].origin.file, "valid/override.conf") == 0,
          "a redeclared section replaces the included one entirely, in place");
  free (dests);
  tap_ok (s && strcmp (s->name, "override") == 0
          && strcmp (s->description, "") == 0,
          "name and description are not inherited from includes");
  tap_ok (s && s->uid_map.n_ranges == 1 && s->uid_map.ranges[0].outside == 2000,
          "uid_map in a later file replaces the included ranges");
  jail_spec_free (s);

  s = load ("valid/searchpath.conf");
  tap_ok (s && strcmp (s->cwd, "/shared") == 0, "include via the search path");
  tap_ok (s && strcmp (s->hostname, "local") == 0,
          "include: the including file's directory comes first");
  jail_spec_free (s);

  char path[sizeof fixtures + 32];
  snprintf (path, sizeof path, "%s/valid/full.conf", fixtures);
  if (chdir ("/") == 0)
    {
      s = load (path);
      tap_ok (s && s->n_entries == 14 && strcmp (s->entries[2].dest, "/usr") == 0,
              "relative includes resolve against the including file, not the "
              "cwd");
      jail_spec_free (s);
    }
  if (chdir (srcdir) == 0)
    {
      s = load ("tests/fixtures/valid/full.conf");
      tap_ok (s && strcmp (s->entries[1].origin.file,
                           "tests/fixtures/valid/base/common.conf") == 0,
              "nested relative includes from a relative path");
      jail_spec_free (s);
    }
  if (chdir (fixtures) != 0)
    tap_ok (0, "chdir %s", fixtures);

  expect_errors ("include/self.conf", NULL, 0,
                 "include/self.conf:2: error: include(\"self.conf\"): include "
                 "cycle (include/self.conf -> include/self.conf)\n",
                 "a file including itself");
  expect_errors ("include/cycle-a.conf", NULL, 0,
                 "include/cycle-b.conf:2: error: include(\"cycle-a.conf\"): "
                 "include cycle (include/cycle-a.conf -> include/cycle-b.conf "
                 "-> include/cycle-a.conf)\n", "an indirect include cycle");
  expect_errors ("include/deep-00.conf", NULL, 0,
                 "include/deep-10.conf:1: error: include(\"deep-11.conf\"): "
                 "includes nested too deeply (more than 10 levels)\n",
                 "includes nested more than 10 deep");
  s = load ("include/deep-01.conf");
  tap_ok (s && s->uid == 1, "includes nested exactly 10 deep");
  jail_spec_free (s);
}

static void
test_vars (void)
{
  struct jail_spec *s = load ("valid/vars.conf");
  tap_ok (s && strcmp (s->cwd, "/usr") == 0 && strcmp (s->hostname, "box") == 0,
          "${VAR} in a string, $VAR unquoted");
  tap_ok (s && strv_is (s->argv, s->n_argv, "fallback|${HOME}|cost: $5|box-x|"
                        "/home/box/src"),
          "${VAR:-default}, '...' and \\$ are literal, $VAR ends at a non-name "
          "character, ${VAR} inside an unquoted path");
  tap_ok (s && s->n_entries == 2 && strcmp (s->entries[0].source, "/usr") == 0
          && strcmp (s->entries[1].content, "a \"quoted\" line\tand a tab\n")
               == 0, "expanded bind source; escapes in strings");
  jail_spec_free (s);
}

static void
test_misc_valid (void)
{
  struct jail_spec *s = load ("valid/normalise.conf");
  char *dests = s ? join_dests (s) : NULL;
  tap_ok (s && strcmp (dests, "/data/x /a/b") == 0 && s->entries[0].size == 0,
          "destinations are normalised; size 0 is the kernel's default");
  free (dests);
  jail_spec_free (s);

  char *text;
  s = load_with ("valid/warn-proc.conf", NULL, 0, false, &text);
  tap_ok (s && strcmp (text, "valid/warn-proc.conf:5: warning: mount "
                       "'/hostproc': writable bind of the host's /proc\n") == 0,
          "a writable bind of /proc is a warning (on the writable line)");
  jail_spec_free (s);
  free (text);

  char *no_user[] = { "namespaces={\"mount\", \"pid\", \"net\"}" };
  s = load_with ("valid/minimal.conf", no_user, 1, true, &text);
  tap_ok (s && strcmp (text, "-D namespaces={\"mount\", \"pid\", \"net\"}: warning: "
                       "no 'user' namespace while running as root: root in "
                       "the jail is root on the host\n") == 0,
          "no user namespace as root is a warning");
  jail_spec_free (s);
  free (text);
  s = load_with ("valid/minimal.conf", no_user, 1, false, &text);
  tap_ok (s && *text == '\0', "... but not when not running as root");
  jail_spec_free (s);
  free (text);

  s = load ("valid/quoted-keys.conf");
  tap_ok (s && strcmp (s->cwd, "/tmp") == 0 && s->n_entries == 1
          && s->entries[0].kind == FS_TMPFS, "quoted keys are known keys");
  jail_spec_free (s);
}

static void
test_overrides (void)
{
  char *ov[] = { "time_limit=10", "argv={\"/bin/true\"}",
                 "namespaces={\"user\",\"mount\",\"pid\",\"uts\",\"net\"}", "environment.clear=false",
                 "cwd=/tmp" };
  char *text;
  struct jail_spec *s = load_with (NULL, ov, 5, false, &text);
  tap_ok (s && s->time_limit == 10, "-D time_limit=10");
  tap_ok (s && strv_is (s->argv, s->n_argv, "/bin/true"), "-D argv={...}");
  tap_ok (s && s->namespaces == (JAIL_NS_USER | JAIL_NS_MOUNT | JAIL_NS_PID
                                 | JAIL_NS_UTS | JAIL_NS_NET)
          && *text == '\0',
          "-D namespaces={...}");
  tap_ok (s && !s->env.clear && s->env.n_keep == 3,
          "-D environment.clear=false keeps the other environment keys");
  tap_ok (s && strcmp (s->cwd, "/tmp") == 0, "-D with an unquoted value");
  jail_spec_free (s);
  free (text);

  char *append[] = { "argv+={\"-c\", \"true\"}" };
  s = load_with (NULL, append, 1, false, &text);
  tap_ok (s && strv_is (s->argv, s->n_argv, "/bin/sh|-c|true"), "-D argv+=...");
  jail_spec_free (s);
  free (text);

  char *unknown[] = { "foo=1" };
  expect_errors (NULL, unknown, 1, "-D foo=1: error: no such option 'foo'\n",
                 "-D of an unknown key");
  char *bad[] = { "cwd=relative" };
  expect_errors (NULL, bad, 1, "-D cwd=relative: error: 'cwd' must be an "
                 "absolute path, not 'relative'\n", "-D values are validated");
  char *noeq[] = { "cwd" };
  expect_errors (NULL, noeq, 1, "-D cwd: error: expected KEY=VALUE\n",
                 "-D without =");
  char *multi[] = { "uid_map.inside=1" };
  expect_errors (NULL, multi, 1, "-D uid_map.inside=1: error: 'uid_map' may "
                 "appear more than once: it cannot be set with -D\n",
                 "-D on a repeatable section");
  char *subkey[] = { "environment.nope=1" };
  expect_errors (NULL, subkey, 1, "-D environment.nope=1: error: no such "
                 "option 'environment.nope'\n", "-D of an unknown section key");
  char *two[] = { "cwd=/tmp frob=1", "hostname=bad_host" };
  expect_errors (NULL, two, 2, "-D cwd=/tmp frob=1: error: 'cwd' takes one "
                 "string, and 'frob=1' follows it (quote a value that has "
                 "spaces or any of # = { } ( ) + , * ' \")\n"
                 "-D hostname=bad_host: error: invalid hostname "
                 "'bad_host' (1 to 64 letters, digits, '-' and '.')\n",
                 "each -D's problems are shown with that -D");
  /* integer keys are kept typed (CFGT_PTR): the noun is their row's */
  char *ints[] = { "uid={1}", "cgroup.pids=1 2" };
  expect_errors (NULL, ints, 2, "-D uid={1}: error: 'uid' takes one "
                 "integer, not a list\n"
                 "-D cgroup.pids=1 2: error: 'cgroup.pids' takes one "
                 "integer, and '2' follows it (quote a value that has "
                 "spaces or any of # = { } ( ) + , * ' \")\n",
                 "-D of an integer key says it takes an integer");
}

/* A -D value is one value of its key's type, never profile text: what
 * would be syntax in a file is an error, not more keys or sections. */
static void
test_override_injection (void)
{
  char *inject[] = {
    "hostname=x mount \"/\" { type = \"bind\" source = \"/\" writable = true }",
    "hostname=\"x\" mount \"/\" { type = \"bind\" source = \"/\" }",
    "hostname=x\ncwd = \"/etc\"",
    "hostname=\"x\"\ncwd=\"/etc\"",
    "hostname=x # comment",
    "hostname=x /* comment */",
    "hostname=x}",
    "hostname=x { }",
    "hostname={\"x\"}",
    "hostname=\"x\" \"y\"",
    "hostname=\"x",
    "hostname='x' cwd = '/etc'",
    "hostname=include(\"/etc/passwd\")",
    "hostname=//x",
    "hostname=",
    "description=${HOME}",
    "namespaces={\"user\", \"mount\"} cwd = \"/etc\"",
    "namespaces={\"user\" \"mount\"}",
    "namespaces={\"user\", {\"mount\"}}",
    "namespaces={\"user\", \"mount\"",
    "argv+={\"x\"} uid = 5",
    "time_limit=10 uid = 0",
    "environment.clear=false } mount \"/\" { type = \"tmpfs\"",
    "network.mode=none",  /* sets a section key: legitimate, see below */
    "seccomp.rule=x",
    "mount.type=bind",
    "environment.keep.x=1",
    "include=x",
    "cwd+=/tmp",
    "uid={5}",
  };
  for (size_t i = 0; i < sizeof inject / sizeof *inject; i++)
    {
      char *text;
      struct jail_spec *s = load_with (NULL, &inject[i], 1, false, &text);
      bool legit = strcmp (inject[i], "network.mode=none") == 0;
      if (legit)
        tap_ok (s != NULL && *text == '\0', "-D %s is one value", inject[i]);
      else
        tap_ok (s == NULL && strncmp (text, "-D ", 3) == 0
                && strstr (text, ": error: ") && !strchr (text, '\n')[1],
                "-D value %zu that is not one value is one error", i);
      if (!legit && (s != NULL || !strstr (text, ": error: ")))
        printf ("# -D %s\n# got: %s\n", inject[i], text);
      jail_spec_free (s);
      free (text);
    }

  char *nul[] = { "cwd=\"/tmp\\0/../etc\"" };
  expect_errors (NULL, nul, 1, "-D cwd=\"/tmp\\0/../etc\": error: escape "
                 "sequence '\\0' is a NUL byte, which a string cannot hold\n",
                 "a -D value's escapes are checked as in a file");

  char *octal[] = { "uid=0100" };
  expect_errors (NULL, octal, 1, "-D uid=0100: error: 'uid' must be a decimal "
                 "integer, not '0100' (no leading zeros, '+', 0x or blanks)\n",
                 "a -D integer is decimal too");

  char *nl[] = { "hostname=x\ncwd = \"/etc\"" };
  expect_errors (NULL, nl, 1, "-D hostname=x\\ncwd = \"/etc\": error: "
                 "'hostname' takes one string, and '\\ncwd = \"/etc\"' "
                 "follows it (quote a value that has spaces or any of # = { } "
                 "( ) + , * ' \")\n",
                 "a newline in -D is shown escaped, never as a line of its own");

  /* What is one value stays one, whatever it holds. */
  char *data[] = { "description=\"a } mount \\\"/\\\" { # /* ${HOME} $HOME\"",
                   "name='x\" include(\"y\")'",
                   "argv={\"/bin/echo\", \"a b\", 'c,d', e$f}" };
  char *text;
  struct jail_spec *s = load_with (NULL, data, 3, false, &text);
  tap_ok (s && *text == '\0'
          && strcmp (s->description, "a } mount \"/\" { # /* ${HOME} $HOME")
             == 0
          && strcmp (s->name, "x\" include(\"y\")") == 0
          && strv_is (s->argv, s->n_argv, "/bin/echo|a b|c,d|e$f"),
          "quoted -D values are data: no syntax, no expansion");
  jail_spec_free (s);
  free (text);
}

/* Invalid fixtures: the file and its exact diagnostics. */
static const struct
{
  const char *file;
  const char *expected;
} invalid[] = {
  { "unknown-key", "invalid/unknown-key.conf:2: error: no such option 'foo'\n" },
  { "unknown-section-key", "invalid/unknown-section-key.conf:3: error: mount "
    "'/tmp': no such option 'sise'\n" },
  { "unknown-section", "invalid/unknown-section.conf:1: error: no such option "
    "'frobnicator'\n" },
  { "nested", "invalid/nested.conf:1: error: environment: no such option "
    "'environment'\n" },
  /* An unknown key does not stop the parse: what follows is still read and
   * checked.  Whichever phase finds a problem (the pre-scan, the parse, the
   * checks of the whole profile), they come in line order. */
  { "unknown-then-invalid", "invalid/unknown-then-invalid.conf:1: error: 'cwd' "
    "must be an absolute path, not 'relative'\n"
    "invalid/unknown-then-invalid.conf:3: error: mount '/x': source "
    "'/nonexistent-cordon-source' does not exist\n"
    "invalid/unknown-then-invalid.conf:4: error: no such option 'frobnicate'\n"
    "invalid/unknown-then-invalid.conf:5: error: 'time_limit' must be 0 (none) "
    "or a number of seconds up to 4294967295, not -1\n" },
  { "unknown-in-sections", "invalid/unknown-in-sections.conf:1: error: mount "
    "'/y': no such option 'zork'\n"
    "invalid/unknown-in-sections.conf:4: error: mount '/z': no such option "
    "'blah'\n"
    "invalid/unknown-in-sections.conf:5: error: mount '/z': source "
    "'/nonexistent/cordon-test' does not exist\n"
    "invalid/unknown-in-sections.conf:7: error: environment: no such option "
    "'colour'\n" },
  { "unknown-list", "invalid/unknown-list.conf:1: error: no such option "
    "'frob'\n"
    "invalid/unknown-list.conf:3: error: no such option 'frob'\n"
    "invalid/unknown-list.conf:4: error: mount '/tmp': no such option 'opts'\n"
    "invalid/unknown-list.conf:4: error: mount '/tmp': invalid size 'lots' (a "
    "number of bytes with an optional K, M, G or T suffix)\n"
    "invalid/unknown-list.conf:5: error: invalid hostname 'bad host' (1 to 64 "
    "letters, digits, '-' and '.')\n" },
  { "unknown-block", "invalid/unknown-block.conf:1: error: no such option "
    "'foo'\n"
    "invalid/unknown-block.conf:2: error: no such option 'bar'\n"
    "invalid/unknown-block.conf:5: error: mount '/data': a bind mount needs "
    "'source'\n"
    "invalid/unknown-block.conf:7: error: mount '/data': no such option "
    "'extra'\n"
    "invalid/unknown-block.conf:9: error: no such option 'frob'\n"
    "invalid/unknown-block.conf:10: error: 'time_limit' must be 0 (none) or a "
    "number of seconds up to 4294967295, not -1\n" },
  { "unknown-include", "invalid/unknown-include.conf:1: error: no such option "
    "'frob'\n"
    "invalid/inc/unknown.conf:1: error: no such option 'zap'\n"
    "invalid/inc/unknown.conf:2: error: 'cwd' must be an absolute path, not "
    "'relative'\n"
    "invalid/unknown-include.conf:3: error: no such option 'blah'\n" },
  /* A cross-key rule early, an include's problems at its include() line,
   * a type error late: one order, the reader's. */
  { "order-phases", "invalid/order-phases.conf:5: error: 'hostname' needs the "
    "'uts' namespace\n"
    "invalid/inc/unknown.conf:1: error: no such option 'zap'\n"
    "invalid/inc/unknown.conf:2: error: 'cwd' must be an absolute path, not "
    "'relative'\n"
    "invalid/order-phases.conf:7: error: 'time_limit' must be 0 (none) or a "
    "number of seconds up to 4294967295, not -1\n"
    "invalid/order-phases.conf:8: error: no such option 'frob'\n" },
  /* A syntax error still ends the parse, with one error of its own. */
  { "unknown-then-syntax", "invalid/unknown-then-syntax.conf:1: error: no such "
    "option 'frob'\n"
    "invalid/unknown-then-syntax.conf:2: error: unexpected token '='\n" },
  { "set-twice", "invalid/set-twice.conf:3: error: 'cwd' is set twice in this "
    "file (first at line 1)\n" },
  { "list-set-twice", "invalid/list-set-twice.conf:3: error: 'argv' is set "
    "twice in this file (first at line 1)\n" },
  /* An empty list and a list written as one value are assignments like
   * any other (libconfuse calls back for neither the same way). */
  { "list-empty-twice", "invalid/list-empty-twice.conf:3: error: 'argv' is "
    "set twice in this file (first at line 1)\n" },
  { "list-scalar-twice", "invalid/list-scalar-twice.conf:2: error: 'argv' is "
    "set twice in this file (first at line 1)\n" },
  { "section-list-twice", "invalid/section-list-twice.conf:4: error: "
    "'environment.keep' is set twice in this file (first at line 2)\n"
    "invalid/section-list-twice.conf:9: error: mount '/src': 'lower' is set "
    "twice (first at line 8)\n" },
  { "section-twice", "invalid/section-twice.conf:3: error: mount '/tmp' is "
    "declared twice in this file (first at line 1)\n" },
  { "key-twice-in-section", "invalid/key-twice-in-section.conf:3: error: mount "
    "'/tmp': 'type' is set twice (first at line 2)\n" },
  { "env-key-twice", "invalid/env-key-twice.conf:3: error: 'environment.clear' "
    "is set twice in this file (first at line 1)\n" },
  { "include-error", "invalid/inc/bad-value.conf:2: error: 'time_limit' must be "
    "0 (none) or a number of seconds up to 4294967295, not -1\n" },
  { "include-syntax", "invalid/inc/syntax.conf:2: error: unexpected token '='\n" },
  { "include-bad-call", "invalid/include-bad-call.conf:1: error: syntax error "
    "in the arguments of include()\n" },
  { "include-unclosed", "invalid/include-unclosed.conf:2: error: '(' is not "
    "closed before the end of the file\n" },
  { "include-unreadable", "invalid/include-unreadable.conf:2: error: "
    "include(\"inc\"): invalid/inc: not a regular file\n" },
  { "include-args", "invalid/include-args.conf:1: error: include() takes one "
    "file name\n" },
  { "unset-var", "invalid/unset-var.conf:4: error: environment variable "
    "'CORDON_TEST_UNSET' is not set\ninvalid/unset-var.conf:6: error: "
    "environment variable 'CORDON_TEST_UNSET2' is not set\n" },
  { "bad-var", "invalid/bad-var.conf:1: error: malformed variable reference "
    "(use ${NAME}, ${NAME:-default} or $NAME; write \\$ for a '$')\n" },
  { "size-garbage", "invalid/size-garbage.conf:1: error: mount '/tmp': invalid "
    "size '12Q' (a number of bytes with an optional K, M, G or T suffix)\n" },
  { "size-overflow", "invalid/size-overflow.conf:1: error: mount '/tmp': size "
    "'99999999999T' is too large\n" },
  { "size-on-bind", "invalid/size-on-bind.conf:4: error: mount '/usr': 'size' "
    "is not valid for a bind mount\n" },
  { "bad-mode", "invalid/bad-mode.conf:1: error: mount '/tmp': invalid mode "
    "'17777' (an octal number up to 07777, like \"0755\")\n"
    "invalid/bad-mode.conf:2: error: dir '/d': invalid mode '0789' (an octal "
    "number up to 07777, like \"0755\")\n" },
  { "dest-relative", "invalid/dest-relative.conf:1: error: dir 'home': the "
    "destination must be an absolute path\n" },
  { "dest-dotdot", "invalid/dest-dotdot.conf:1: error: dir '/a/../etc': the "
    "destination must not contain '..'\n" },
  { "dest-duplicate", "invalid/dest-duplicate.conf:2: error: dir '/data': "
    "'/data' is already used by the mount at invalid/dest-duplicate.conf:1\n" },
  { "dir-root", "invalid/dir-root.conf:1: error: dir '/': the destination "
    "cannot be '/' (the jail's root; see 'root')\n" },
  { "source-missing", "invalid/source-missing.conf:1: error: mount '/data': "
    "source '/nonexistent/cordon-test' does not exist\n" },
  { "source-relative", "invalid/source-relative.conf:1: error: mount '/data': "
    "source must be an absolute path, not 'data'\n" },
  { "bind-no-source", "invalid/bind-no-source.conf:1: error: mount '/data': a "
    "bind mount needs 'source'\n" },
  { "overlay-no-lower", "invalid/overlay-no-lower.conf:1: error: mount '/src': "
    "an overlay needs 'lower' (at least one directory)\n" },
  { "overlay-upper-alone", "invalid/overlay-upper-alone.conf:4: error: mount "
    "'/src': 'upper' and 'work' go together\n" },
  { "unknown-type", "invalid/unknown-type.conf:1: error: mount '/x': unknown "
    "type 'nfs' (known: bind, tmpfs, overlay, proc, dev)\n" },
  { "missing-type", "invalid/missing-type.conf:1: error: mount '/x': missing "
    "'type' (one of: bind, tmpfs, overlay, proc, dev)\n" },
  { "symlink-no-target", "invalid/symlink-no-target.conf:1: error: symlink "
    "'/bin': missing 'target'\n" },
  { "map-count-zero", "invalid/map-count-zero.conf:1: error: uid_map: 'count' "
    "must be between 1 and 4294967295, not 0\n" },
  { "map-32bit", "invalid/map-32bit.conf:4: error: uid_map: the range goes past "
    "4294967295 (inside + count and outside + count must not)\n" },
  { "map-overlap", "invalid/map-overlap.conf:2: error: uid_map: the inside ids "
    "overlap the range at invalid/map-overlap.conf:1\n"
    "invalid/map-overlap.conf:4: error: gid_map: the outside ids overlap the "
    "range at invalid/map-overlap.conf:3\n" },
  { "map-uncovered", "invalid/map-uncovered.conf:1: error: 'uid' 1000 is not "
    "mapped by any uid_map range\n" },
  { "map-no-userns", "invalid/map-no-userns.conf:2: error: uid_map needs the "
    "'user' namespace\n" },
  { "map-missing-inside", "invalid/map-missing-inside.conf:1: error: gid_map: "
    "missing 'inside'\n" },
  { "unknown-namespace", "invalid/unknown-namespace.conf:1: error: unknown "
    "namespace 'network' (known: user, mount, pid, ipc, uts, net, cgroup, "
    "time)\n" },
  { "no-mount-ns", "invalid/no-mount-ns.conf:1: error: 'namespaces' must "
    "include \"mount\" (cordon always pivots into a new root), or be {} "
    "for a jail of Landlock and seccomp alone\n" },
  { "cwd-relative", "invalid/cwd-relative.conf:1: error: 'cwd' must be an "
    "absolute path, not 'work'\n" },
  { "env-bad", "invalid/env-bad.conf:2: error: environment: 'keep': invalid "
    "variable name 'BAD-NAME'\ninvalid/env-bad.conf:3: error: environment: "
    "'set' entry 'NOEQUALS' is not NAME=value\ninvalid/env-bad.conf:3: error: "
    "environment: 'set' entry '1X=2': invalid variable name '1X'\n" },
  { "time-negative", "invalid/time-negative.conf:1: error: 'time_limit' must be "
    "0 (none) or a number of seconds up to 4294967295, not -5\n" },
  { "root-relative", "invalid/root-relative.conf:1: error: 'root' must be "
    "\"tmpfs\" or an absolute path, not 'rootfs'\n" },
  { "root-missing", "invalid/root-missing.conf:1: error: root "
    "'/nonexistent/cordon-root': No such file or directory\n" },
  { "root-not-dir", "invalid/root-not-dir.conf:1: error: root '/etc/passwd' is "
    "not a directory\n" },
  { "hostname-bad", "invalid/hostname-bad.conf:1: error: invalid hostname "
    "'bad_host name' (1 to 64 letters, digits, '-' and '.')\n" },
  { "proc-no-pid", "invalid/proc-no-pid.conf:2: error: mount '/proc': a "
    "proc mount in a user namespace needs the 'pid' namespace (the kernel "
    "refuses it without)\n" },
  { "argv-empty", "invalid/argv-empty.conf:1: error: 'argv': the program (its "
    "first entry) is an empty string\n" },
  { "hostname-no-uts", "invalid/hostname-no-uts.conf:2: error: 'hostname' "
    "needs the 'uts' namespace\n" },
  { "uid-range", "invalid/uid-range.conf:1: error: 'uid' must be between 0 and "
    "4294967294, not -1\ninvalid/uid-range.conf:2: error: 'gid' must be "
    "between 0 and 4294967294, not 4294967295\n" },
  { "many-errors", "invalid/many-errors.conf:1: error: 'cwd' must be an "
    "absolute path, not 'relative'\ninvalid/many-errors.conf:2: error: "
    "'time_limit' must be 0 (none) or a number of seconds up to 4294967295, "
    "not -1\ninvalid/many-errors.conf:3: error: mount '/tmp': invalid size "
    "'lots' (a number of bytes with an optional K, M, G or T suffix)\n"
    "invalid/many-errors.conf:4: error: unknown namespace 'bogus' (known: "
    "user, mount, pid, ipc, uts, net, cgroup, time)\n" },
  { "truncated", "invalid/truncated.conf:2: error: '{' is not closed before "
    "the end of the file\n" },
  { "unterminated-string", "invalid/unterminated-string.conf:2: error: "
    "unterminated string\n" },
  { "unterminated-comment", "invalid/unterminated-comment.conf:2: error: "
    "unterminated comment\n" },
  { "bad-escape", "invalid/bad-escape.conf:1: error: bad escape sequence '\\9' "
    "(octal escapes are \\1 to \\377)\n" },
  /* An escape never changes a value silently: a NUL would cut it short, an
   * unknown escape would be a guess. */
  { "nul-escape", "invalid/nul-escape.conf:1: error: escape sequence '\\0' "
    "is a NUL byte, which a string cannot hold\n" },
  { "nul-env-set", "invalid/nul-env-set.conf:2: error: escape sequence "
    "'\\x00' is a NUL byte, which a string cannot hold\n" },
  { "nul-content", "invalid/nul-content.conf:2: error: escape sequence "
    "'\\000' is a NUL byte, which a string cannot hold\n" },
  { "nul-list", "invalid/nul-list.conf:2: error: escape sequence '\\x0' is a "
    "NUL byte, which a string cannot hold\n" },
  { "bad-hex-escape", "invalid/bad-hex-escape.conf:1: error: bad escape "
    "sequence '\\x' (hexadecimal escapes are \\x1 to \\xff)\n" },
  { "unknown-escape", "invalid/unknown-escape.conf:1: error: unknown escape "
    "sequence '\\q' (known: \\n \\t \\r \\b \\f \\a \\e \\v \\\\ \\\" "
    "\\' \\$, \\1 to \\377, \\x1 to \\xff)\n" },
  { "empty", "invalid/empty.conf: error: file is empty\n" },
  { "whitespace", "invalid/whitespace.conf: error: file is empty\n" },
  { "bad-bool", "invalid/bad-bool.conf:1: error: invalid boolean value for "
    "option 'writable'\n" },
  { "bad-int", "invalid/bad-int.conf:1: error: invalid integer value for "
    "option 'uid'\n" },
  /* Integers are decimal: libconfuse's strtol (.., 0) would read 01000 as
   * 512 and 0x10 as 16; its lexer would drop a lone '+'. */
  { "int-octal", "invalid/int-octal.conf:1: error: 'uid' must be a decimal "
    "integer, not '01000' (no leading zeros, '+', 0x or blanks)\n" },
  { "int-hex", "invalid/int-hex.conf:2: error: uid_map: 'outside' must be a "
    "decimal integer, not '0x10' (no leading zeros, '+', 0x or blanks)\n" },
  { "int-plus", "invalid/int-plus.conf:1: error: unexpected '+' (to append, "
    "write '+=' without a blank)\n" },
  { "int-list", "invalid/int-list.conf:2: error: 'pass_fds' must be a decimal "
    "integer, not '010' (no leading zeros, '+', 0x or blanks)\n" },
  { "int-section", "invalid/int-section.conf:2: error: cgroup: 'pids' must be "
    "a decimal integer, not '064' (no leading zeros, '+', 0x or blanks)\n" },
  { "int-blank", "invalid/int-blank.conf:1: error: 'gid' must be a decimal "
    "integer, not ' 7' (no leading zeros, '+', 0x or blanks)\n" },
  /* ... and so are the counts of rlimit, though written as strings. */
  { "rlimit-octal", "invalid/rlimit-octal.conf:2: error: rlimit: 'nofile': "
    "invalid limit '010' (a decimal number without leading zeros, "
    "\"unlimited\", or \"SOFT:HARD\")\n"
    "invalid/rlimit-octal.conf:3: error: rlimit: 'nproc': invalid limit "
    "'0x10:64' (a decimal number without leading zeros, \"unlimited\", or "
    "\"SOFT:HARD\")\n" },
  /* A masked comparison whose VALUE the MASK clears would never match. */
  { "seccomp-mask-never", "invalid/seccomp-mask-never.conf:2: error: "
    "rule 'ioctl': 'arg1': '& 0xff == 0x100' can never hold: VALUE "
    "has bits that MASK clears\n" },
  { "plus-blank", "invalid/plus-blank.conf:1: error: unexpected '+' (to "
    "append, write '+=' without a blank)\n" },
  { "append-scalar", "invalid/append-scalar.conf:1: error: attempt to append "
    "to non-list option 'cwd'\n" },
};

static void
test_invalid (void)
{
  for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
    {
      char path[256];
      snprintf (path, sizeof path, "invalid/%s.conf", invalid[i].file);
      expect_errors (path, NULL, 0, invalid[i].expected, path);
    }
  expect_errors ("invalid/include-missing.conf", NULL, 0,
                 "invalid/include-missing.conf:1: error: include(\"no-such-"
                 "file.conf\"): not found (searched: invalid, search)\n",
                 "include not found lists the directories searched");

  /* cordon run leaves a missing source to the mount, which names its line;
   * a relative one is still an error. */
  char *text;
  struct profile_request req = { .path = "invalid/source-missing.conf",
                                 .settings = &search_settings,
                                 .mount_checks_sources = true };
  struct jail_spec *spec = load_request (&req, &text);
  tap_ok (spec != NULL && strcmp (text, "") == 0 && spec->n_entries == 2
          && strcmp (spec->entries[0].source, "/nonexistent/cordon-test") == 0
          && spec->entries[0].origin.line == 1,
          "mount_checks_sources: a missing source loads, with its line");
  jail_spec_free (spec);
  free (text);
  req.path = "invalid/source-relative.conf";
  spec = load_request (&req, &text);
  tap_ok (spec == NULL && strstr (text, "source must be an absolute path"),
          "mount_checks_sources: a relative source is still an error");
  jail_spec_free (spec);
  free (text);
}

static void
write_file (const char *path, const char *data, size_t len)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write (fd, data, len) != (ssize_t) len)
    tap_ok (0, "write %s: %s", path, strerror (errno));
  if (fd >= 0)
    close (fd);
}

static void
test_bad_files (void)
{
  char dir[] = "/tmp/cordon-test-XXXXXX";
  if (mkdtemp (dir) == NULL || chdir (dir) != 0)
    {
      tap_ok (0, "temporary directory: %s", strerror (errno));
      return;
    }
  write_file ("nul.conf", "cwd = \"/\"\n\0\n", 12);
  expect_errors ("nul.conf", NULL, 0,
                 "nul.conf: error: not a text file (contains a NUL byte)\n",
                 "a file with a NUL byte");

  size_t big = 1024 * 1024;
  char *text = malloc (big + 1);
  memset (text, '\n', big + 1);
  memcpy (text, "argv = {\"/bin/true\"}", 20);
  write_file ("big.conf", text, big + 1);
  expect_errors ("big.conf", NULL, 0, "big.conf: error: larger than 1 MiB\n",
                 "a file larger than 1 MiB");
  write_file ("max.conf", text, big);
  struct jail_spec *s = load ("max.conf");
  tap_ok (s != NULL, "a file of exactly 1 MiB loads");
  jail_spec_free (s);
  free (text);

  expect_errors ("missing.conf", NULL, 0, "missing.conf: error: cannot open: "
                 "No such file or directory (ENOENT)\n", "a missing file");
  if (mkdir ("dir.conf", 0755) == 0)
    expect_errors ("dir.conf", NULL, 0, "dir.conf: error: not a regular file\n",
                   "a directory");
  unlink ("nul.conf");
  unlink ("big.conf");
  unlink ("max.conf");
  rmdir ("dir.conf");
  if (chdir (fixtures) != 0 || rmdir (dir) != 0)
    tap_ok (0, "cleanup %s", dir);
}

/* Write PATH from a format, for the generated profiles below. */
__attribute__ ((format (printf, 2, 3))) static void
write_text (const char *path, const char *fmt, ...)
{
  char *text = NULL;
  va_list ap;
  va_start (ap, fmt);
  int n = vasprintf (&text, fmt, ap);
  va_end (ap);
  if (n >= 0)
    write_file (path, text, (size_t) n);
  free (text);
}

static size_t
count_lines (const char *s)
{
  size_t n = 0;
  for (; s && *s; s++)
    n += *s == '\n';
  return n;
}

/* Expect PATH to fail with LINES diagnostics, the last one LAST. */
static void
expect_bounded (const char *path, size_t lines, const char *last,
                const char *what)
{
  char *text;
  struct jail_spec *s = load_with (path, NULL, 0, false, &text);
  size_t n = count_lines (text);
  const char *tail = text;
  for (size_t i = 0; n > 0 && i + 1 < n; i++)
    tail = strchr (tail, '\n') + 1;
  bool ok = s == NULL && n == lines && strncmp (tail, last, strlen (last)) == 0;
  tap_ok (ok, "%s", what);
  if (!ok)
    printf ("# %zu lines (expected %zu), last: %.200s\n", n, lines, tail);
  jail_spec_free (s);
  free (text);
}

/* One load has bounds, whatever its includes: each ends it with one error
 * at once, where the load used to take hours or gigabytes. */
static void
test_load_bounds (void)
{
  char dir[] = "/tmp/cordon-test-XXXXXX";
  if (mkdtemp (dir) == NULL || chdir (dir) != 0)
    {
      tap_ok (0, "temporary directory: %s", strerror (errno));
      return;
    }
  /* 4 includes a file over 5 levels: 1365 files, within the depth limit */
  for (int level = 0; level < 5; level++)
    {
      char name[32];
      snprintf (name, sizeof name, "fan%d.conf", level);
      write_text (name, "include(\"fan%d.conf\")\ninclude(\"fan%d.conf\")\n"
                  "include(\"fan%d.conf\")\ninclude(\"fan%d.conf\")\n",
                  level + 1, level + 1, level + 1, level + 1);
    }
  write_text ("fan5.conf", "time_limit = 1\n");
  expect_bounded ("fan0.conf", 1, "fan4.conf:4: error: include(\"fan5.conf\"): "
                  "more than 256 files in one profile (with its includes): "
                  "stopping here", "an include fan-out stops at 256 files");

  size_t mib = 1024 * 1024;
  char *big = malloc (mib);
  memset (big, '#', mib);
  for (size_t i = 80; i < mib; i += 80)
    big[i] = '\n';
  big[mib - 1] = '\n';
  write_file ("big.conf", big, mib);
  free (big);
  struct strbuf top = { 0 };
  for (int i = 0; i < 17; i++)
    sb_puts (&top, "include(\"big.conf\")\n");
  write_file ("bytes.conf", top.s, top.n);
  free (top.s);
  expect_bounded ("bytes.conf", 1, "bytes.conf:16: error: include(\"big.conf\"): "
                  "more than 16 MiB in the files of one profile (with its "
                  "includes): stopping here", "the files of a load stop at 16 "
                  "MiB");

  struct strbuf many = { 0 };
  for (int i = 0; i < 500; i++)
    {
      char line[64];
      snprintf (line, sizeof line, "frob%d = %d\n", i, i);
      sb_puts (&many, line);
    }
  write_file ("errors.conf", many.s, many.n);
  free (many.s);
  expect_bounded ("errors.conf", 101, "errors.conf: error: more than 100 "
                  "errors: stopping here", "the 101st error stops the load");

  struct strbuf secs = { 0 };
  for (int i = 0; i < 4097; i++)
    {
      char line[64];
      snprintf (line, sizeof line, "dir \"/d%d\" { }\n", i);
      sb_puts (&secs, line);
    }
  write_file ("sections.conf", secs.s, secs.n);
  free (secs.s);
  expect_bounded ("sections.conf", 1, "sections.conf:4097: error: more than "
                  "4096 sections in one profile (with its includes): stopping "
                  "here", "the 4097th section stops the load");

  struct strbuf values = { 0 };
  sb_puts (&values, "argv = {\"/bin/true\"}\n");
  for (int i = 0; i < 4096; i++)
    sb_puts (&values, "argv += \"x\"\n");
  write_file ("values.conf", values.s, values.n);
  free (values.s);
  expect_bounded ("values.conf", 1, "values.conf:4097: error: more than 4096 "
                  "values in the lists of one profile (with its includes): "
                  "stopping here", "the 4097th list value stops the load");

  /* 400 ranges that all overlap: once a pairwise report of 79,800 errors */
  struct strbuf maps = { 0 };
  sb_puts (&maps, "namespaces = {\"user\", \"mount\", \"net\"}\n");
  for (int i = 0; i < 400; i++)
    {
      char line[80];
      snprintf (line, sizeof line, "uid_map { inside = 0 outside = %d "
                "count = 1000 }\n", 100000 + i);
      sb_puts (&maps, line);
    }
  write_file ("ranges.conf", maps.s, maps.n);
  free (maps.s);
  expect_bounded ("ranges.conf", 12, "ranges.conf:342: error: uid_map: more "
                  "than 340 ranges", "overlapping id ranges: a bounded report");
  char *text;
  struct jail_spec *s = load_with ("ranges.conf", NULL, 0, false, &text);
  tap_ok (strncmp (text, "ranges.conf:3: error: uid_map: the inside ids "
                   "overlap the range at ranges.conf:2\n", 81) == 0
          && strstr (text, "ranges.conf:8: error: uid_map: more ranges overlap "
                     "(only the first 10 are shown)\nranges.conf:342: ")
             != NULL,
          "... in the order of the file");
  jail_spec_free (s);
  free (text);

  const char *files[] = { "fan0.conf", "fan1.conf", "fan2.conf", "fan3.conf",
                          "fan4.conf", "fan5.conf", "big.conf", "bytes.conf",
                          "errors.conf", "sections.conf", "values.conf",
                          "ranges.conf" };
  for (size_t i = 0; i < sizeof files / sizeof *files; i++)
    unlink (files[i]);
  if (chdir (fixtures) != 0 || rmdir (dir) != 0)
    tap_ok (0, "cleanup %s", dir);
}

/* ------------------------------------------------------------------ */

/* print -> parse -> print gives the same text. */
static void
check_roundtrip (const char *path)
{
  struct jail_spec *s = load (path);
  char *first = s ? print_spec (s) : NULL;
  char *text = NULL;
  struct jail_spec *again = s ? load_printed (s, &text) : NULL;
  char *second = again ? print_spec (again) : NULL;
  bool ok = first && second && strcmp (first, second) == 0;
  tap_ok (ok, "print round trip: %s", path);
  if (text && *text)
    printf ("# %s, printed and read back:\n# %s", path, text);
  if (!ok && first && second)
    printf ("# first:\n%s# second:\n%s", first, second);
  jail_spec_free (s);
  jail_spec_free (again);
  free (text);
  free (first);
  free (second);
}

static void
test_print (void)
{
  struct jail_spec *s = load ("valid/vars.conf");
  char *text = s ? print_spec (s) : NULL;
  bool escaped = text != NULL;
  for (const char *p = text; p && (p = strchr (p, '$')); p++)
    escaped = escaped && p > text && p[-1] == '\\';
  tap_ok (escaped && strstr (text, "\"cost: \\$5\""), "print escapes every '$'");
  free (text);
  jail_spec_free (s);

  char profiles[sizeof srcdir + 16];
  snprintf (profiles, sizeof profiles, "%s/profiles", srcdir);
  each_profile_in (profiles, check_roundtrip);
  each_profile_in ("valid", check_roundtrip);
}

/* ------------------------------------------------------------------ */

static void
expect_resolve (const char *arg, const struct settings *st,
                const char *expected_path, const char *expected_error)
{
  char *path = NULL;
  cordon_error_t err = NULL;
  int r = profile_resolve (arg, st, &path, &err);
  bool ok = expected_path ? r == 0 && path && strcmp (path, expected_path) == 0
                          : r < 0 && err && strcmp (err->message,
                                                    expected_error) == 0;
  tap_ok (ok, "resolve %s", arg);
  if (!ok)
    printf ("# got %s\n", path ? path : err ? err->message : "nothing");
  free (path);
  cordon_error_free (&err);
}

static void
test_resolve_and_list (void)
{
  char *dirs[] = { "search/first", "search/second" };
  struct settings two = { .profile_path = dirs, .n_profile_path = 2 };
  expect_resolve ("alpha", &two, "search/first/alpha.conf", NULL);
  expect_resolve ("gamma", &two, "search/second/gamma.conf", NULL);
  expect_resolve ("plain", &two, "search/first/plain", NULL);
  expect_resolve ("valid/minimal.conf", &two, "valid/minimal.conf", NULL);
  expect_resolve ("nope", &two, NULL, "profile 'nope' not found (searched: "
                  "search/first, search/second)");
  expect_resolve ("valid/nope.conf", &two, NULL, "profile valid/nope.conf: No "
                  "such file or directory (ENOENT)");
  if (chdir ("search/second") == 0)
    {
      char *first_only[] = { "../first" };
      struct settings one = { .profile_path = first_only,
                              .n_profile_path = 1 };
      /* not searched here, but named in a hint */
      expect_resolve ("gamma", &one, NULL, "profile 'gamma' not found "
                      "(searched: ../first); did you mean ./gamma.conf?");
      if (chdir (fixtures) != 0)
        tap_ok (0, "chdir back");
    }

  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&out, &len);
  cordon_error_t err = NULL;
  int r = profile_list (&two, f, &err);
  fclose (f);
  const char *expected =
    "alpha    first alpha  [search/first/alpha.conf]\n"
    "broken   (invalid profile: no such option 'foo')  [search/second/broken.conf]\n"
    "default  Run a host program: read-only /usr and /etc, private /proc /dev "
    "/tmp, no network  [built in]\n"
    "gamma    gamma  [search/second/gamma.conf]\n";
  tap_ok (r == 0 && strcmp (out, expected) == 0, "profile_list: sorted, first "
          "of a name wins, broken ones noted");
  if (r != 0 || strcmp (out, expected) != 0)
    printf ("# got:\n%s", out);
  free (out);
  cordon_error_free (&err);
}

static bool
path_is (const struct settings *s, const char *expected)
{
  char *got = join_strv (s->profile_path, s->n_profile_path);
  bool ok = strcmp (got, expected) == 0;
  if (!ok)
    printf ("# expected %s, got %s\n", expected, got);
  free (got);
  return ok;
}

/* root_id_range: the host ids of root's jails. */
static void
test_settings_root_ids (void)
{
  struct settings s;
  struct diagnostics d = { 0 };
  int r = settings_load ("settings/missing.conf", &s, &d);
  tap_ok (r == 0 && s.root_id_start == ROOT_ID_START
          && s.root_id_count == ROOT_ID_COUNT && ROOT_ID_START >= 65536,
          "root_id_range: the built-in range without a settings file");
  settings_free (&s);
  r = settings_load ("settings/cordon.conf", &s, &d);
  tap_ok (r == 0 && s.root_id_start == ROOT_ID_START
          && s.root_id_count == ROOT_ID_COUNT,
          "root_id_range: ... and when the file does not set it");
  settings_free (&s);
  r = settings_load ("settings/ids.conf", &s, &d);
  tap_ok (r == 0 && d.n == 0 && s.root_id_start == 3000000000u
          && s.root_id_count == 16, "root_id_range: START:COUNT");
  settings_free (&s);
  diagnostics_free (&d);

  const char *below = "ids below 65536 are the host's own users and groups "
                      "(root is 0, nobody 65534): start at 65536 or above\n";
  char *want = xasprintf ("settings/ids-root.conf:1: error: invalid "
                          "root_id_range '0:100000': %s", below);
  expect_settings_failure ("settings/ids-root.conf", want,
                           "root_id_range: a range holding root is refused");
  free (want);
  want = xasprintf ("settings/ids-nobody.conf:2: error: invalid "
                    "root_id_range '65000:1000': %s", below);
  expect_settings_failure ("settings/ids-nobody.conf", want,
                           "root_id_range: ... and one holding nobody");
  free (want);
  expect_settings_failure ("settings/ids-end.conf",
                           "settings/ids-end.conf:1: error: invalid "
                           "root_id_range '4294967280:16': the range ends "
                           "past 4294967294 ((uid_t) -1 is not an id)\n",
                           "root_id_range: ... and one holding (uid_t) -1");
  expect_settings_failure ("settings/ids-form.conf",
                           "settings/ids-form.conf:1: error: invalid "
                           "root_id_range '3000000000-16': the form is "
                           "\"START:COUNT\", two decimal numbers\n",
                           "root_id_range: a syntax error, with its line");
  expect_settings_failure ("settings/ids-empty.conf",
                           "settings/ids-empty.conf:1: error: invalid "
                           "root_id_range '100000:0': COUNT must be at least "
                           "1\n", "root_id_range: an empty range");
}

static void
test_settings (void)
{
  struct settings s;
  struct diagnostics d = { 0 };
  setenv ("XDG_CONFIG_HOME", "/xdg", 1);
  int r = settings_load ("settings/missing.conf", &s, &d);
  tap_ok (r == 0 && d.n == 0 && path_is (&s, "/xdg/cordon/profiles|" SYSCONFDIR
                                         "/cordon/profiles|" DATADIR
                                         "/cordon/profiles"),
          "no settings file: the built-in search path");
  settings_free (&s);

  unsetenv ("XDG_CONFIG_HOME");
  setenv ("HOME", "/home/u", 1);
  r = settings_load ("settings/missing.conf", &s, &d);
  tap_ok (r == 0 && path_is (&s, "/home/u/.config/cordon/profiles|" SYSCONFDIR
                             "/cordon/profiles|" DATADIR "/cordon/profiles"),
          "XDG_CONFIG_HOME unset: $HOME/.config");
  settings_free (&s);

  r = settings_load ("settings/cordon.conf", &s, &d);
  tap_ok (r == 0 && d.n == 0 && path_is (&s, "/home/u/.config/cordon/profiles|"
                                         "/opt/cordon/profiles"),
          "settings file: XDG fallback, an entry with an unset variable is "
          "dropped");
  settings_free (&s);

  r = settings_load ("settings/unknown.conf", &s, &d);
  char *text = diags_text (&d);
  tap_ok (r == -1 && strcmp (text, "settings/unknown.conf:2: error: no such "
                             "option 'no_such_setting'\n") == 0
          && s.n_profile_path == 3, "unknown settings key (defaults are used)");
  free (text);
  diagnostics_free (&d);
  settings_free (&s);

  expect_settings_failure ("settings/relative.conf",
                           "settings/relative.conf:1: error: 'profile_path' "
                           "entry 'profiles' is not an absolute path\n",
                           "relative profile_path entry");
  test_settings_root_ids ();
}

int
main (void)
{
  find_srcdir ();
  if (chdir (fixtures) != 0)
    {
      printf ("Bail out! cannot chdir to %s\n", fixtures);
      return 1;
    }
  setenv ("CORDON_TEST_DIR", "/usr", 1);
  setenv ("CORDON_TEST_HOST", "box", 1);
  setenv ("PWD", fixtures, 1);       /* profiles/build.conf uses ${PWD} */
  unsetenv ("CORDON_TEST_UNSET");
  unsetenv ("CORDON_TEST_UNSET2");
  char *dirs[] = { "search" };
  search_settings = (struct settings) { .profile_path = dirs,
                                       .n_profile_path = 1 };

  test_full ();
  test_defaults ();
  test_includes ();
  test_vars ();
  test_misc_valid ();
  test_overrides ();
  test_override_injection ();
  test_invalid ();
  test_bad_files ();
  test_load_bounds ();
  test_print ();
  test_resolve_and_list ();
  test_settings ();
  return tap_done ();
}

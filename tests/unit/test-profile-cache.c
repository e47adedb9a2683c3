/* test-profile-cache.c — compiled profiles (src/profile-cache.c): every
 * valid profile of the tree survives the entry format unchanged, damaged
 * entries are refused, and a cached load is taken only while everything it
 * read is unchanged. */
#include "config.h"

#include <netinet/in.h>
#include <stdint.h>
#include <sys/stat.h>

#include "cache.h"
#include "profile-cache.h"
#include "profile-test-helpers.h"
#include "spec-fields.h"

static char cache_dir[] = "/tmp/cordon-cache-test.XXXXXX";
static struct settings test_settings;
static char work_dir[] = "/tmp/cordon-cache-work.XXXXXX";

/* ---- the format ---- */

/* PATH's spec, encoded, decoded, shows the same and encodes the same. */
static void
round_trip (const char *path)
{
  struct profile_request req = { .path = path };
  char *text;
  struct jail_spec *spec = load_request (&req, &text);
  free (text);
  if (spec == NULL)
    return;                     /* an invalid fixture: nothing to keep */
  unsigned char *buf, *again_buf = NULL;
  size_t len, again_len = 0;
  struct jail_spec *again = NULL;
  bool ok = profile_cache_encode (spec, &buf, &len)
            && profile_cache_decode (buf, len, &again)
            && profile_cache_encode (again, &again_buf, &again_len);
  char *shown = print_spec (spec);
  char *shown_again = again ? print_spec (again) : NULL;
  tap_ok (ok && len == again_len && memcmp (buf, again_buf, len) == 0
          && shown_again && strcmp (shown, shown_again) == 0
          && strcmp (spec->origin.file, again->origin.file) == 0,
          "round trip: %s", path);
  /* every cut of the entry is refused, and leaves nothing allocated */
  bool refused = true;
  for (size_t cut = 0; ok && cut < len; cut++)
    {
      struct jail_spec *part = NULL;
      if (profile_cache_decode (buf, cut, &part))
        {
          refused = false;
          jail_spec_free (part);
        }
    }
  tap_ok (refused, "every truncation refused: %s", path);
  free (shown);
  free (shown_again);
  free (buf);
  free (again_buf);
  jail_spec_free (spec);
  jail_spec_free (again);
}

/* ---- every field is carried ---- */

static void
set_plain (void *at, size_t size, uint64_t v)
{
  switch (size)
    {
    case 1: *(uint8_t *) at = (uint8_t) v; break;
    case 2: *(uint16_t *) at = (uint16_t) v; break;
    case 4: *(uint32_t *) at = (uint32_t) v; break;
    default: *(uint64_t *) at = v;
    }
}

/* A spec with every byte set (0x01) and one element in every list: a field
 * that spec-fields.c does not name keeps its 0x01s in the original and is
 * 0 in the decoded copy. */
static void
fill_struct (const struct struct_desc *d, void *p)
{
  char *base = p;
  memset (p, 0x01, d->size);
  for (size_t i = 0; i < d->n_fields; i++)
    {
      const struct field_desc *f = &d->fields[i];
      void *at = base + f->off;
      size_t *count = (size_t *) (base + f->count_off);
      switch (f->kind)
        {
        case FIELD_BOOL:
          break;
        case FIELD_PLAIN:
          /* a bounded value (an enum...) 1, one with a rule the first small
           * number it takes: the decoder refuses others */
          for (uint64_t v = 1; (f->max || (f->valid && !f->valid (at)))
                               && v < 256; v++)
            {
              set_plain (at, f->size, v);
              if (!f->valid || f->valid (at))
                break;
            }
          break;
        case FIELD_STRING:
          *(char **) at = strdup (f->name);
          break;
        case FIELD_DATA:
          *(char **) at = strdup ("d");
          *count = 1;
          break;
        case FIELD_STRINGS:
          *(char ***) at = calloc (2, sizeof (char *));
          (*(char ***) at)[0] = strdup (f->name);
          *count = 1;
          break;
        case FIELD_STRUCT:
          fill_struct (f->elem, at);
          break;
        case FIELD_INLINE_ARRAY:
          for (size_t k = 0; k < f->n; k++)
            fill_struct (f->elem, (char *) at + k * f->elem->size);
          break;
        case FIELD_ARRAY:
          *(void **) at = calloc (2, f->elem->size);
          fill_struct (f->elem, *(void **) at);
          *count = 1;
          break;
        }
    }
}

/* Padding holds no field: zero it in both copies before comparing bytes.
 * __builtin_clear_padding needs the type, so the types are named here; a
 * struct added to the spec fails the test until it is. */
static bool
clear_type_padding (const struct struct_desc *d, void *p)
{
#if defined(__has_builtin) && __has_builtin (__builtin_clear_padding)
#define CLEAR(type)                                     \
  if (strcmp (d->name, #type) == 0)                     \
    {                                                   \
      __builtin_clear_padding ((type *) p);             \
      return true;                                      \
    }
  CLEAR (struct jail_spec) CLEAR (struct fs_entry) CLEAR (struct id_range)
  CLEAR (struct seccomp_rule) CLEAR (struct port_publish) CLEAR (int)
  CLEAR (struct spec_origin) CLEAR (struct id_map) CLEAR (struct env_spec)
  CLEAR (struct seccomp_arg_cmp) CLEAR (struct seccomp_spec)
  CLEAR (struct rlimit_setting) CLEAR (struct cgroup_spec)
  CLEAR (struct network_spec) CLEAR (struct time_offsets)
  CLEAR (struct landlock_spec) CLEAR (struct listen_spec)
#undef CLEAR
  tap_ok (0, "the test knows the padding of %s (add it to clear_padding)",
          d->name);
#endif
  return false;
}

static size_t
field_size (const struct field_desc *f)
{
  switch (f->kind)
    {
    case FIELD_BOOL: return sizeof (bool);
    case FIELD_PLAIN: return f->size;
    case FIELD_STRUCT: return f->elem->size;
    case FIELD_INLINE_ARRAY: return f->n * f->elem->size;
    default: return sizeof (void *);
    }
}

/* GCC 12's __builtin_clear_padding leaves the padding that follows an
 * array member (rlimits[] in jail_spec, args[] in seccomp_rule).  In a
 * struct with one, a gap between two named fields that is only the next
 * one's alignment is taken for padding as well; nested structs still get
 * the builtin's exact answer. */
static bool
clear_padding (const struct struct_desc *d, void *p)
{
  if (!clear_type_padding (d, p))
    return false;
  bool has_array = false;
  for (size_t i = 0; i < d->n_fields; i++)
    {
      const struct field_desc *f = &d->fields[i];
      if (f->kind == FIELD_STRUCT)
        clear_padding (f->elem, (char *) p + f->off);
      if (f->kind == FIELD_INLINE_ARRAY)
        {
          has_array = true;
          for (size_t k = 0; k < f->n; k++)
            clear_padding (f->elem, (char *) p + f->off + k * f->elem->size);
        }
    }
  if (!has_array)
    return true;
  unsigned char *covered = calloc (d->size, 1);
  for (size_t i = 0; i < d->n_fields; i++)
    {
      const struct field_desc *f = &d->fields[i];
      memset (covered + f->off, 1, field_size (f));
      if (f->count_off)
        memset (covered + f->count_off, 1, sizeof (size_t));
    }
  for (size_t at = 0; at < d->size;)
    {
      size_t end = at;
      while (end < d->size && !covered[end])
        end++;
      /* a gap smaller than 8 bytes up to an 8-aligned field or the end */
      if (end > at && end - at < 8 && end % 8 == 0)
        memset ((char *) p + at, 0, end - at);
      at = end + 1;
    }
  free (covered);
  return true;
}

static bool same_struct (const struct struct_desc *d, const void *a,
                         const void *b);

static bool
same_str (const char *a, const char *b)
{
  return (a == NULL && b == NULL) || (a && b && strcmp (a, b) == 0);
}

/* Compare what the pointers of the fields of D at X and Y hold, then
 * clear the pointers, so that the bytes of X and Y can be compared. */
static bool
same_pointees (const struct struct_desc *d, char *x, char *y)
{
  bool ok = true;
  for (size_t i = 0; i < d->n_fields; i++)
    {
      const struct field_desc *f = &d->fields[i];
      char **px = (char **) (x + f->off), **py = (char **) (y + f->off);
      size_t n = f->count_off ? *(size_t *) (x + f->count_off) : 0;
      bool same_n = !f->count_off || n == *(size_t *) (y + f->count_off);
      switch (f->kind)
        {
        case FIELD_BOOL:
        case FIELD_PLAIN:
          continue;
        case FIELD_STRING:
          ok &= same_str (*px, *py);
          break;
        case FIELD_DATA:
          ok &= same_n && (*px == NULL) == (*py == NULL)
                && (*px == NULL || memcmp (*px, *py, n) == 0);
          break;
        case FIELD_STRINGS:
          ok &= same_n && (*px == NULL) == (*py == NULL);
          for (size_t k = 0; ok && *px && k < n; k++)
            ok &= same_str (((char **) *px)[k], ((char **) *py)[k]);
          break;
        case FIELD_STRUCT:
          ok &= same_pointees (f->elem, (char *) px, (char *) py);
          continue;
        case FIELD_INLINE_ARRAY:
          for (size_t k = 0; k < f->n; k++)
            ok &= same_pointees (f->elem, (char *) px + k * f->elem->size,
                                 (char *) py + k * f->elem->size);
          continue;
        case FIELD_ARRAY:
          ok &= same_n && (*px == NULL) == (*py == NULL);
          for (size_t k = 0; ok && *px && k < n; k++)
            ok &= same_struct (f->elem, *px + k * f->elem->size,
                               *py + k * f->elem->size);
          break;
        }
      if (!ok)
        tap_ok (0, "field %s differs", f->name);
      *px = *py = NULL;
    }
  return ok;
}

static bool
same_struct (const struct struct_desc *d, const void *a, const void *b)
{
  char *x = malloc (d->size), *y = malloc (d->size);
  memcpy (x, a, d->size);
  memcpy (y, b, d->size);
  bool ok = same_pointees (d, x, y);
  if (clear_padding (d, x) && clear_padding (d, y))
    for (size_t at = 0; at < d->size; at++)
      if (x[at] != y[at])
        {
          tap_ok (0, "%s: byte %zu is not carried: a field spec-fields.c "
                  "does not name?", d->name, at);
          ok = false;
          break;
        }
  free (x);
  free (y);
  return ok;
}

static void
every_field_carried (void)
{
  struct jail_spec *spec = calloc (1, sizeof *spec);
  fill_struct (&jail_spec_desc, spec);
  unsigned char *buf = NULL;
  size_t len = 0;
  struct jail_spec *again = NULL;
  bool ok = profile_cache_encode (spec, &buf, &len)
            && profile_cache_decode (buf, len, &again);
  tap_ok (ok && same_struct (&jail_spec_desc, spec, again),
          "every field of the spec survives the cache (spec-fields.c)");
  free (buf);
  jail_spec_free (spec);
  jail_spec_free (again);
}

/* Every value of SPEC that names one of a kind is one of them. */
static bool
spec_in_range (const struct jail_spec *spec)
{
  bool ok = true;
  for (size_t i = 0; i < spec->n_entries; i++)
    ok = ok && (unsigned) spec->entries[i].kind <= FS_FILE
         && spec->entries[i].dest != NULL;
  const struct seccomp_spec *sc = &spec->seccomp;
  ok = ok && (unsigned) sc->preset <= SECCOMP_PRESET_NONE
       && (unsigned) sc->action <= SECCOMP_ACTION_LOG;
  for (size_t i = 0; i < sc->n_rules; i++)
    {
      ok = ok && sc->rules[i].syscall != NULL
           && (unsigned) sc->rules[i].action <= SECCOMP_ACTION_LOG;
      for (int a = 0; a < 6; a++)
        ok = ok && (!sc->rules[i].args[a].set
                    || (unsigned) sc->rules[i].args[a].op
                       <= SECCOMP_CMP_MASKED_EQ);
    }
  ok = ok && (unsigned) spec->network.mode <= NETWORK_USER;
  for (size_t i = 0; i < spec->network.n_publish; i++)
    ok = ok && (spec->network.publish[i].protocol == IPPROTO_TCP
                || spec->network.publish[i].protocol == IPPROTO_UDP);
  return ok;
}

/* Each byte of PATH's entry set to a flag's value and a wild one:
 * what still decodes has every value in range and encodes back to the
 * very same bytes (the format has no byte that does not matter). */
static void
mutations (const char *path)
{
  struct profile_request req = { .path = path };
  char *text;
  struct jail_spec *spec = load_request (&req, &text);
  free (text);
  if (spec == NULL)
    return;
  unsigned char *buf, *again;
  size_t len, again_len;
  profile_cache_encode (spec, &buf, &len);
  static const unsigned char values[] = { 0x02, 0xff };
  size_t out_of_range = 0, not_canonical = 0;
  for (size_t at = 0; at < len; at++)
    for (size_t v = 0; v < sizeof values; v++)
      {
        unsigned char was = buf[at];
        struct jail_spec *got = NULL;
        buf[at] = values[v];
        if (was != values[v] && profile_cache_decode (buf, len, &got))
          {
            out_of_range += !spec_in_range (got);
            profile_cache_encode (got, &again, &again_len);
            not_canonical += again_len != len
                             || memcmp (again, buf, len) != 0;
            free (again);
            jail_spec_free (got);
          }
        buf[at] = was;
      }
  tap_ok (out_of_range == 0 && not_canonical == 0,
          "each byte changed: what decodes is in range and canonical: %s",
          path);
  if (out_of_range || not_canonical)
    printf ("# %zu out of range, %zu not canonical\n", out_of_range,
            not_canonical);
  free (buf);
  jail_spec_free (spec);
}

/* ---- cached loads ---- */

static void
write_file (const char *path, const char *text)
{
  FILE *f = fopen (path, "w");
  if (f == NULL || fputs (text, f) < 0 || fclose (f) != 0)
    tap_ok (0, "write %s", path);
}

/* Load PATH for `cordon run` with -D OVERRIDE (or none): profile_load's
 * result (1: from the cache), with show's text in *SHOWN (to free). */
static int
run_load (const char *path, const char *override, char **shown,
          char **diags)
{
  char *const ov[] = { (char *) override };
  struct profile_request req = {
    .path = path, .overrides = ov, .n_overrides = override ? 1 : 0,
    .settings = &test_settings, .mount_checks_sources = true,
    .use_cache = true,
  };
  struct diagnostics d = { 0 };
  struct jail_spec *spec = NULL;
  int r = profile_load (&req, &spec, &d);
  *shown = spec ? print_spec (spec) : strdup ("");
  *diags = diags_text (&d);
  diagnostics_free (&d);
  jail_spec_free (spec);
  return r;
}

/* Does a load of PATH (r, as run_load) give r == WANT and show NEEDLE? */
static void
expect_load (const char *path, const char *override, int want,
             const char *needle, const char *name)
{
  char *shown, *diags;
  int r = run_load (path, override, &shown, &diags);
  bool ok = r == want && strstr (shown, needle) != NULL;
  tap_ok (ok, "%s", name);
  if (!ok)
    printf ("# got %d (want %d), diagnostics: %s# show:\n%s", r, want,
            diags, shown);
  free (shown);
  free (diags);
}

/* profile_load of REQ: the spec (to free) and the result in *R; its
 * diagnostics' text in *WARNINGS when that is not NULL (to free). */
static struct jail_spec *
load_req (const struct profile_request *req, int *r, char **warnings)
{
  struct diagnostics d = { 0 };
  struct jail_spec *spec = NULL;
  *r = profile_load (req, &spec, &d);
  if (warnings)
    *warnings = diags_text (&d);
  diagnostics_free (&d);
  return spec;
}

/* Flip byte AT of every entry under DIR ("profiles") whose build part
 * (after the magic: cordon's build id, libseccomp's version, build id and
 * the ABI, each of a known length) is longer than AT: false when there was
 * none.  Written back with a good checksum, under the same name. */
static bool
flip_build_byte (const char *dir, size_t at)
{
  static const size_t magic = sizeof "cordon-profile-1\n" - 1;
  int dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  DIR *d = opendir (dir);
  struct dirent *de;
  bool flipped = false;
  while (dirfd >= 0 && d && (de = readdir (d)) != NULL)
    {
      unsigned char *buf;
      size_t len;
      if (de->d_name[0] == '.'
          || !cache_file_read (dirfd, de->d_name, 1 << 26, &buf, &len))
        continue;
      size_t libseccomp = magic + 1 + buf[magic] + 16;
      size_t end = libseccomp < len ? libseccomp + 1 + buf[libseccomp] : 0;
      if (magic + at < end && end <= len)
        {
          buf[magic + at] ^= 0x01;
          cache_file_write (dirfd, de->d_name, buf, len);
          flipped = true;
        }
      free (buf);
    }
  if (d)
    closedir (d);
  if (dirfd >= 0)
    close (dirfd);
  return flipped;
}

/* PATH loaded: profile_load's result. */
static int
load_once (const char *path)
{
  char *shown, *diags;
  int r = run_load (path, NULL, &shown, &diags);
  free (shown);
  free (diags);
  return r;
}

/* An entry made by another build (of cordon or libseccomp) is not used:
 * with PATH's entry the only one in DIR, each byte of its build part
 * changed, PATH is parsed again, then cached again. */
static void
another_build (const char *dir, const char *path)
{
  char cmd[8192];
  snprintf (cmd, sizeof cmd, "rm -f '%s'/*", dir);
  if (system (cmd) != 0)
    tap_ok (0, "%s", cmd);
  size_t wrong = load_once (path) != 0;
  wrong += load_once (path) != 1;
  size_t bytes = 0;
  for (size_t at = 0; flip_build_byte (dir, at); at++, bytes++)
    {
      wrong += load_once (path) != 0;
      wrong += load_once (path) != 1;
    }
  tap_ok (bytes > 20 && wrong == 0, "an entry whose build (cordon's build "
          "id, libseccomp's) differs in any of its %zu bytes is parsed "
          "again, then cached again", bytes);
}

static void
cached_loads (void)
{
  char top[512], inc[512], near[512], sub[256];
  snprintf (sub, sizeof sub, "%s/sub", work_dir);
  snprintf (top, sizeof top, "%s/top.conf", work_dir);
  snprintf (inc, sizeof inc, "%s/inc.conf", sub);
  snprintf (near, sizeof near, "%s/inc.conf", work_dir);
  mkdir (sub, 0755);
  char *search[] = { sub };
  test_settings.profile_path = search;
  test_settings.n_profile_path = 1;

  write_file (top, "argv = {\"/bin/true\"}\nhostname = \"h1\"\n"
              "cwd = \"${CORDON_TEST_CWD:-/}\"\n"
              "seccomp { preset = \"none\" }\ninclude(\"inc.conf\")\n");
  write_file (inc, "time_limit = 10\n");
  unsetenv ("CORDON_TEST_CWD");

  struct profile_request req = {
    .path = top, .settings = &test_settings, .mount_checks_sources = true,
    .use_cache = true,
  };
  /* the settings' search path finds inc.conf in sub/ */
  char *shown, *diags, *warn;
  int r;
  struct jail_spec *spec = load_req (&req, &r, NULL);
  tap_ok (r == 0 && spec && spec->time_limit == 10,
          "first load: parsed (0), include found on the search path");
  jail_spec_free (spec);
  spec = load_req (&req, &r, &warn);
  tap_ok (r == 1 && spec && strcmp (spec->hostname, "h1") == 0,
          "second load: from the cache (1)");
  tap_ok (strstr (warn, "top.conf:4: warning: seccomp: preset \"none\"")
          != NULL, "a cached load gives the warnings again");
  free (warn);
  jail_spec_free (spec);

  /* the same size, other bytes */
  write_file (top, "argv = {\"/bin/true\"}\nhostname = \"h2\"\n"
              "cwd = \"${CORDON_TEST_CWD:-/}\"\n"
              "seccomp { preset = \"none\" }\ninclude(\"inc.conf\")\n");
  spec = load_req (&req, &r, NULL);
  tap_ok (r == 0 && spec && strcmp (spec->hostname, "h2") == 0,
          "an edited profile is parsed again");
  jail_spec_free (spec);

  write_file (inc, "time_limit = 20\n");
  spec = load_req (&req, &r, NULL);
  tap_ok (r == 0 && spec && spec->time_limit == 20,
          "an edited include is parsed again");
  jail_spec_free (spec);

  /* next to the including file comes before the search path */
  write_file (near, "time_limit = 30\n");
  spec = load_req (&req, &r, NULL);
  tap_ok (r == 0 && spec && spec->time_limit == 30,
          "an include that now resolves elsewhere is parsed again");
  jail_spec_free (spec);
  unlink (near);
  spec = load_req (&req, &r, NULL);
  tap_ok (r == 0 && spec && spec->time_limit == 20,
          "... and again when it goes away");
  jail_spec_free (spec);

  setenv ("CORDON_TEST_CWD", "/tmp", 1);
  spec = load_req (&req, &r, NULL);
  tap_ok (r == 0 && spec && strcmp (spec->cwd, "/tmp") == 0,
          "a variable that is set now is expanded again");
  jail_spec_free (spec);
  spec = load_req (&req, &r, NULL);
  tap_ok (r == 1 && spec && strcmp (spec->cwd, "/tmp") == 0,
          "... and cached with its value");
  jail_spec_free (spec);
  unsetenv ("CORDON_TEST_CWD");
  spec = load_req (&req, &r, NULL);
  tap_ok (r == 0 && spec && strcmp (spec->cwd, "/") == 0,
          "unset again: parsed again");
  jail_spec_free (spec);

  /* other settings, other -D: other entries */
  test_settings.network_bridge = (char *) "other0";
  spec = load_req (&req, &r, NULL);
  tap_ok (r == 0, "other settings: parsed");
  jail_spec_free (spec);
  test_settings.network_bridge = NULL;

  expect_load (top, "hostname=\"h3\"", 0, "= \"h3\"",
               "a -D override: parsed");
  expect_load (top, "hostname=\"h3\"", 1, "= \"h3\"",
               "the same -D: from the cache");
  expect_load (top, NULL, 1, "= \"h2\"",
               "without the -D: its own entry, still cached");

  /* root = DIR: checked again */
  char root[512], rooted[512];
  snprintf (root, sizeof root, "%s/root", work_dir);
  snprintf (rooted, sizeof rooted, "%s/rooted.conf", work_dir);
  mkdir (root, 0755);
  char *text;
  if (asprintf (&text, "argv = {\"/bin/true\"}\nroot = \"%s\"\n", root) < 0)
    abort ();
  write_file (rooted, text);
  free (text);
  expect_load (rooted, NULL, 0, "root = ", "root: parsed");
  expect_load (rooted, NULL, 1, "root = ", "root: cached");
  rmdir (root);
  r = run_load (rooted, NULL, &shown, &diags);
  tap_ok (r < 0 && strstr (diags, "No such file or directory") != NULL,
          "root gone: the load fails as without the cache");
  free (shown);
  free (diags);
  rmdir (root);

  /* a cache that others could write is not read */
  char dir[4096];
  snprintf (dir, sizeof dir, "%s/profiles", cache_dir);
  chmod (dir, 0775);
  expect_load (top, NULL, 0, "= \"h2\"",
               "a group-writable cache directory is not used");
  chmod (dir, 0700);
  expect_load (top, NULL, 1, "= \"h2\"", "... a private one is");
  another_build (dir, top);

  /* damaged entries: each file cut short is a miss, not an error */
  DIR *dd = opendir (dir);
  struct dirent *de;
  while (dd && (de = readdir (dd)) != NULL)
    if (de->d_name[0] != '.')
      {
        char path[8192];
        snprintf (path, sizeof path, "%s/%s", dir, de->d_name);
        if (truncate (path, 40) != 0)
          tap_ok (0, "truncate %s", path);
      }
  if (dd)
    closedir (dd);
  expect_load (top, NULL, 0, "= \"h2\"",
               "a damaged entry: parsed again");
  expect_load (top, NULL, 1, "= \"h2\"", "... and cached again");

  unlink (top);
  unlink (inc);
  unlink (rooted);
  rmdir (sub);
}

/* ---- the settings file ---- */

static int
settings_once (const char *path, struct settings *out)
{
  struct diagnostics d = { 0 };
  int r = settings_load_cached (path, out, &d);
  diagnostics_free (&d);
  return r;
}

static void
cached_settings (void)
{
  char path[512];
  snprintf (path, sizeof path, "%s/cordon.conf", work_dir);
  write_file (path, "profile_path = {\"${XDG_CONFIG_HOME}/p\"}\n"
              "network_bridge = \"br1\"\n"
              "root_id_range = \"3000000000:8\"\n");
  setenv ("XDG_CONFIG_HOME", "/x1", 1);
  struct settings s;
  int r = settings_once (path, &s);
  tap_ok (r == 0 && s.n_profile_path == 1
          && strcmp (s.profile_path[0], "/x1/p") == 0,
          "settings: first load parsed");
  settings_free (&s);
  r = settings_once (path, &s);
  tap_ok (r == 1 && s.n_profile_path == 1
          && strcmp (s.profile_path[0], "/x1/p") == 0
          && strcmp (s.network_bridge, "br1") == 0
          && s.root_id_start == 3000000000u && s.root_id_count == 8,
          "settings: then from the cache");
  settings_free (&s);
  setenv ("XDG_CONFIG_HOME", "/x2", 1);
  r = settings_once (path, &s);
  tap_ok (r == 0 && strcmp (s.profile_path[0], "/x2/p") == 0,
          "settings: a changed variable is expanded again");
  settings_free (&s);
  unsetenv ("XDG_CONFIG_HOME");
  setenv ("HOME", "/h1", 1);
  r = settings_once (path, &s);
  tap_ok (r == 0 && strcmp (s.profile_path[0], "/h1/.config/p") == 0,
          "settings: XDG_CONFIG_HOME unset: $HOME/.config");
  settings_free (&s);
  setenv ("HOME", "/h2", 1);
  r = settings_once (path, &s);
  tap_ok (r == 0 && strcmp (s.profile_path[0], "/h2/.config/p") == 0,
          "settings: ... and another HOME is seen");
  settings_free (&s);
  write_file (path, "network_bridge = \"br2\"\n");
  r = settings_once (path, &s);
  tap_ok (r == 0 && strcmp (s.network_bridge, "br2") == 0
          && strcmp (s.profile_path[0], "/h2/.config/cordon/profiles") == 0,
          "settings: an edited file is parsed again");
  settings_free (&s);
  setenv ("HOME", "/h3", 1);
  r = settings_once (path, &s);
  tap_ok (r == 0 && strcmp (s.profile_path[0], "/h3/.config/cordon/profiles")
          == 0, "settings: the default search path follows HOME");
  settings_free (&s);
  r = settings_once (path, &s);
  tap_ok (r == 1, "settings: ... and is cached with it");
  settings_free (&s);
  unlink (path);
  r = settings_once (path, &s);
  tap_ok (r == 0 && strcmp (s.network_bridge, "cordon0") == 0,
          "settings: no file: the defaults, not the cache");
  settings_free (&s);
}

int
main (void)
{
  const char *src = getenv ("SRCDIR");
  char dir[PATH_MAX];
  if (mkdtemp (cache_dir) == NULL || mkdtemp (work_dir) == NULL)
    {
      printf ("Bail out! mkdtemp: %s\n", strerror (errno));
      return 1;
    }
  setenv ("CORDON_CACHE_DIR", cache_dir, 1);
  static const char *const areas[] = {
    "valid", "hardening", "network", "cgroup", "include", "search", NULL
  };
  for (size_t i = 0; areas[i]; i++)
    {
      snprintf (dir, sizeof dir, "%s/tests/fixtures/%s",
                src && *src ? src : ".", areas[i]);
      each_profile_in (dir, round_trip);
    }
  snprintf (dir, sizeof dir, "%s/profiles", src && *src ? src : ".");
  each_profile_in (dir, round_trip);
  round_trip (NULL);            /* the built-in default */
  every_field_carried ();
  static const char *const rich[] = {
    "valid/full.conf", "hardening/valid.conf", "network/user.conf", NULL
  };
  for (size_t i = 0; rich[i]; i++)
    {
      snprintf (dir, sizeof dir, "%s/tests/fixtures/%s",
                src && *src ? src : ".", rich[i]);
      mutations (dir);
    }
  mutations (NULL);

  cached_loads ();
  const char *home = getenv ("HOME");
  char *saved_home = home ? strdup (home) : NULL;
  cached_settings ();
  if (saved_home)
    setenv ("HOME", saved_home, 1);
  free (saved_home);

  char cmd[512];
  snprintf (cmd, sizeof cmd, "rm -rf '%s' '%s'", cache_dir, work_dir);
  if (system (cmd) != 0)
    tap_ok (0, "clean up %s", cmd);
  return tap_done ();
}

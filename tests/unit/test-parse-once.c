/* test-parse-once.c — every profile value is parsed once (issue 15): the
 * parse that checks a value is the one the spec is built from, nothing
 * parses its text again, and a value that failed its check is neither
 * bound nor judged again by the rules.
 *
 * The syntaxes' parsers (src/profile/values.c) are wrapped at link time
 * (-Wl,--wrap, Makefile.am) to count their calls from the rest of cordon:
 * a builder that went back to the text would count twice. */
#include "config.h"

#include "profile-test-helpers.h"
#include "profile/values.h"

static struct
{
  unsigned size, mode, duration, cmp, rlimit, publish, ipv4, id_range;
} calls;

bool __real_parse_size (const char *s, uint64_t *out, bool *overflow);
bool __wrap_parse_size (const char *s, uint64_t *out, bool *overflow);
bool __real_parse_mode (const char *s, mode_t *out);
bool __wrap_parse_mode (const char *s, mode_t *out);
bool __real_parse_duration (const char *s, int64_t *out, bool *overflow);
bool __wrap_parse_duration (const char *s, int64_t *out, bool *overflow);
bool __real_parse_seccomp_cmp (const char *s, struct seccomp_arg_cmp *out);
bool __wrap_parse_seccomp_cmp (const char *s, struct seccomp_arg_cmp *out);
bool __real_parse_rlimit (int resource, const char *s, uint64_t *soft,
                          uint64_t *hard);
bool __wrap_parse_rlimit (int resource, const char *s, uint64_t *soft,
                          uint64_t *hard);
char *__real_parse_publish (const char *s, struct port_publish *p);
char *__wrap_parse_publish (const char *s, struct port_publish *p);
bool __real_parse_ipv4_prefix (const char *s, struct in_addr *addr,
                               int *prefix);
bool __wrap_parse_ipv4_prefix (const char *s, struct in_addr *addr,
                               int *prefix);
const char *__real_parse_id_range (const char *v, uint32_t *start,
                                   uint32_t *count);
const char *__wrap_parse_id_range (const char *v, uint32_t *start,
                                   uint32_t *count);

bool
__wrap_parse_size (const char *s, uint64_t *out, bool *overflow)
{
  calls.size++;
  return __real_parse_size (s, out, overflow);
}

bool
__wrap_parse_mode (const char *s, mode_t *out)
{
  calls.mode++;
  return __real_parse_mode (s, out);
}

bool
__wrap_parse_duration (const char *s, int64_t *out, bool *overflow)
{
  calls.duration++;
  return __real_parse_duration (s, out, overflow);
}

bool
__wrap_parse_seccomp_cmp (const char *s, struct seccomp_arg_cmp *out)
{
  calls.cmp++;
  return __real_parse_seccomp_cmp (s, out);
}

bool
__wrap_parse_rlimit (int resource, const char *s, uint64_t *soft,
                     uint64_t *hard)
{
  calls.rlimit++;
  return __real_parse_rlimit (resource, s, soft, hard);
}

char *
__wrap_parse_publish (const char *s, struct port_publish *p)
{
  calls.publish++;
  return __real_parse_publish (s, p);
}

bool
__wrap_parse_ipv4_prefix (const char *s, struct in_addr *addr, int *prefix)
{
  calls.ipv4++;
  return __real_parse_ipv4_prefix (s, addr, prefix);
}

const char *
__wrap_parse_id_range (const char *v, uint32_t *start, uint32_t *count)
{
  calls.id_range++;
  return __real_parse_id_range (v, start, count);
}

static char dir[] = "/tmp/cordon-test-XXXXXX";

static char *
write_profile (const char *name, const char *text)
{
  char *path;
  if (asprintf (&path, "%s/%s", dir, name) < 0)
    abort ();
  FILE *f = fopen (path, "we");
  if (f == NULL || fputs (text, f) < 0 || fclose (f) != 0)
    tap_ok (0, "write %s: %s", path, strerror (errno));
  return path;
}

static struct jail_spec *
load_path (const char *path, char **text)
{
  struct profile_request req = { .path = path };
  return load_request (&req, text);
}

/* One value of each syntax with a parser of its own, each counted. */
static const char every_syntax[] =
  "namespaces += { time }\n"
  "mount \"/t\" { type = \"tmpfs\"  size = \"1M\"  mode = \"0700\" }\n"
  "dir \"/d\" { mode = \"0750\" }\n"
  "file \"/f\" { content = \"x\"  mode = \"0640\" }\n"
  "cgroup { memory = \"64M\"  memory_swap = \"max\" }\n"
  "time_offsets { monotonic = \"-1d\"  boottime = \"10m\" }\n"
  "seccomp { rule \"read\" { arg0 = \"== 3\"  arg1 = \"& 1 == 1\" } }\n"
  "rlimit { nofile = \"64\"  as = \"1G\" }\n"
  "network {\n"
  "  mode = \"bridge\"  address = \"10.88.0.2/24\"  gateway = \"10.88.0.1/24\"\n"
  "  publish = { \"8080:80\", \"127.0.0.1:8081:81/udp\" }\n"
  "}\n";

static void
test_profile_values (void)
{
  char *path = write_profile ("every-syntax.conf", every_syntax);
  char *text;
  memset (&calls, 0, sizeof calls);
  struct jail_spec *s = load_path (path, &text);
  tap_ok (s != NULL, "the profile of every syntax loads: %s", text);
  tap_ok (calls.size == 2, "sizes: one parse each (%u for 2)", calls.size);
  tap_ok (calls.mode == 3, "modes: one parse each (%u for 3)", calls.mode);
  tap_ok (calls.duration == 2, "durations: one parse each (%u for 2)",
          calls.duration);
  tap_ok (calls.cmp == 2, "seccomp comparisons: one parse each (%u for 2)",
          calls.cmp);
  tap_ok (calls.rlimit == 2, "rlimits: one parse each (%u for 2)",
          calls.rlimit);
  tap_ok (calls.publish == 2, "publish: one parse each (%u for 2)",
          calls.publish);
  /* and the built-in default gateway, which the settings keep as text */
  tap_ok (calls.ipv4 == 3, "address and gateway: one parse each (%u for 2 "
          "and the settings' gateway)", calls.ipv4);
  /* what the parse made is what the spec holds */
  const struct fs_entry *t = s ? &s->entries[0] : NULL;
  tap_ok (t && t->size == 1048576 && t->has_mode && t->mode == 0700,
          "the tmpfs's size and mode");
  tap_ok (s && s->time_offsets.monotonic == -86400
          && s->time_offsets.boottime == 600, "the clock offsets");
  tap_ok (s && s->n_entries > 0 && s->seccomp.n_rules == 1
          && s->seccomp.rules[0].args[0].set
          && s->seccomp.rules[0].args[0].value == 3
          && s->seccomp.rules[0].args[1].op == SECCOMP_CMP_MASKED_EQ,
          "the rule's comparisons");
  tap_ok (s && s->network.n_publish == 2
          && s->network.publish[1].host_port == 8081
          && s->network.publish[1].jail_port == 81
          && s->network.publish[1].protocol == IPPROTO_UDP
          && s->network.publish[1].host_address
          && strcmp (s->network.publish[1].host_address, "127.0.0.1") == 0,
          "the published ports");
  tap_ok (s && s->cgroup.has_memory && s->cgroup.memory == 64 << 20
          && !s->cgroup.has_memory_swap, "memory, and swap \"max\"");
  jail_spec_free (s);
  free (text);
  unlink (path);
  free (path);
}

static void
test_settings_values (void)
{
  char *path = write_profile ("settings.conf",
                              "root_id_range = \"1000000:65536\"\n"
                              "network_gateway = \"172.30.0.1/16\"\n"
                              "cgroup_version = \"2\"\n");
  struct settings st;
  struct diagnostics d = { 0 };
  memset (&calls, 0, sizeof calls);
  int r = settings_load (path, &st, &d);
  tap_ok (r == 0 && d.n == 0, "the settings load");
  tap_ok (calls.id_range == 1 && calls.ipv4 == 1, "root_id_range and "
          "network_gateway: one parse each (%u, %u)", calls.id_range,
          calls.ipv4);
  tap_ok (st.root_id_start == 1000000 && st.root_id_count == 65536
          && st.cgroup_version == 2, "root_id_range and cgroup_version as "
          "parsed");
  settings_free (&st);
  diagnostics_free (&d);
  unlink (path);
  free (path);
}

/* A value that failed its check is not bound: the rules do not judge it
 * (or its field's zero) again, and what depends only on a key being set
 * still holds. */
static void
test_rejected_values (void)
{
  char *path = write_profile ("uid.conf",
    "uid_map { inside = 1000  outside = 100000 }\n"
    "gid_map { inside = 1000  outside = 100000 }\n"
    "uid = 4294967295\n"
    "gid = 1000\n");
  char *text, *want;
  struct jail_spec *s = load_path (path, &text);
  if (asprintf (&want, "%s:3: error: 'uid' must be between 0 and "
                "4294967294, not 4294967295\n", path) < 0)
    abort ();
  expect_failure (s, text, want, "a uid that failed its check is not "
                  "judged against uid_map");
  unlink (path);
  free (path);
  free (want);

  path = write_profile ("listen.conf", "listen {\n  grace = 99999\n}\n");
  s = load_path (path, &text);
  if (asprintf (&want, "%s:2: error: listen: 'grace' must be between 1 and "
                "3600, not 99999\n%s:2: error: 'listen' needs an 'address' "
                "to accept connections on (\"127.0.0.1:8022\", "
                "\"[::1]:8022\")\n", path, path) < 0)
    abort ();
  expect_failure (s, text, want, "listen without an address, its one key "
                  "rejected: both said");
  unlink (path);
  free (path);
  free (want);

  path = write_profile ("listen0.conf", "listen {\n  per_address = 0\n}\n");
  s = load_path (path, &text);
  if (asprintf (&want, "%s:2: error: 'listen' needs an 'address' to accept "
                "connections on (\"127.0.0.1:8022\", \"[::1]:8022\")\n",
                path) < 0)
    abort ();
  expect_failure (s, text, want, "listen without an address, its key set "
                  "to 0: said");
  unlink (path);
  free (path);
  free (want);

  path = write_profile ("ports.conf",
                        "landlock { tcp_bind = { 0, 80, 70000 } }\n");
  s = load_path (path, &text);
  if (asprintf (&want, "%s:1: error: landlock: 'tcp_bind' must be between 1 "
                "and 65535, not 0\n%s:1: error: landlock: 'tcp_bind' must be "
                "between 1 and 65535, not 70000\n", path, path) < 0)
    abort ();
  expect_failure (s, text, want, "ports out of range: each said once");
  unlink (path);
  free (path);
  free (want);
}

int
main (void)
{
  if (mkdtemp (dir) == NULL)
    {
      printf ("Bail out! mkdtemp: %s\n", strerror (errno));
      return 1;
    }
  test_profile_values ();
  test_settings_values ();
  test_rejected_values ();
  if (rmdir (dir) != 0)
    tap_ok (0, "rmdir %s: %s", dir, strerror (errno));
  return tap_done ();
}

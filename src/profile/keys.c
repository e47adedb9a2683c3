/* keys.c — the one table of profile and settings keys (keys.h), and the
 * checks of single values it names. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "capabilities.h"
#include "profile/keys.h"
#include "profile/values.h"
#include "rlimits.h"
#include "seccomp-filter.h"
#include "util.h"

#define DROPPED_MARK '\x01'    /* settings: an entry used an unset variable */

const struct section_desc section_table[N_SECTIONS] = {
  [SEC_TOP] = { .name = "", .multi = false, .titled = false,
                .parent = SEC_TOP },
  [SEC_MOUNT] = { .name = "mount", .multi = true, .titled = true,
                  .parent = SEC_TOP, .print_rank = 50, .print_gap = 2,
                  .print_instances = show_entries },
  [SEC_SYMLINK] = { .name = "symlink", .multi = true, .titled = true,
                    .parent = SEC_TOP, .print_gap = 2 },
  [SEC_DIR] = { .name = "dir", .multi = true, .titled = true,
                .parent = SEC_TOP, .print_gap = 2 },
  [SEC_FILE] = { .name = "file", .multi = true, .titled = true,
                 .parent = SEC_TOP, .print_gap = 2 },
  [SEC_UID_MAP] = { .name = "uid_map", .multi = true, .titled = false,
                    .parent = SEC_TOP, .print_rank = 31, .print_gap = 2,
                    .print_instances = show_uid_map },
  [SEC_GID_MAP] = { .name = "gid_map", .multi = true, .titled = false,
                    .parent = SEC_TOP, .print_rank = 32, .print_gap = 2,
                    .print_instances = show_gid_map },
  [SEC_ENVIRONMENT] = { .name = "environment", .multi = false, .titled = false,
                        .parent = SEC_TOP,
                        .spec_off = offsetof (struct jail_spec, env),
                        .print_rank = 60, .print_width = 5 },
  [SEC_CGROUP] = { .name = "cgroup", .multi = false, .titled = false,
                   .parent = SEC_TOP,
                   .spec_off = offsetof (struct jail_spec, cgroup),
                   .print_rank = 61, .print_width = 11,
                   .print_when = PRINT_SET },
  [SEC_SECCOMP] = { .name = "seccomp", .multi = false, .titled = false,
                    .parent = SEC_TOP,
                    .spec_off = offsetof (struct jail_spec, seccomp),
                    .print_rank = 80, .print_width = 6 },
  [SEC_RULE] = { .name = "rule", .multi = true, .titled = true,
                 .parent = SEC_SECCOMP, .print_gap = 1,
                 .print_instances = show_rules },
  [SEC_RLIMIT] = { .name = "rlimit", .multi = false, .titled = false,
                   .parent = SEC_TOP,
                   .spec_off = offsetof (struct jail_spec, rlimits),
                   .print_rank = 81 },
  /* host_loopback is longer than the width: it goes unaligned */
  [SEC_NETWORK] = { .name = "network", .multi = false, .titled = false,
                    .parent = SEC_TOP,
                    .spec_off = offsetof (struct jail_spec, network),
                    .print_rank = 83, .print_width = 7 },
  [SEC_TIME_OFFSETS] = { .name = "time_offsets", .parent = SEC_TOP,
                         .plain = true,
                         .spec_off = offsetof (struct jail_spec, time_offsets),
                         .needs_namespaces = JAIL_NS_TIME,
                         .print_rank = 62, .print_width = PRINT_WIDTH_AUTO,
                         .print_when = PRINT_SET },
  /* printed only when it is not the default (on, rules derived from the
   * mounts): every profile would print the same section otherwise */
  [SEC_LANDLOCK] = { .name = "landlock", .multi = false, .titled = false,
                     .parent = SEC_TOP,
                     .spec_off = offsetof (struct jail_spec, landlock),
                     .print_rank = 82, .print_width = 11,
                     .print_when = PRINT_CHANGED },
  [SEC_LISTEN] = { .name = "listen", .parent = SEC_TOP, .plain = true,
                   .spec_off = offsetof (struct jail_spec, listen),
                   .print_rank = 63, .print_width = PRINT_WIDTH_AUTO,
                   .print_when = PRINT_SET },
  [SEC_SETTINGS] = { .name = "", .multi = false, .titled = false,
                     .parent = SEC_SETTINGS },
};

const char *const namespace_names[] = {
  "user", "mount", "pid", "ipc", "uts", "net", "cgroup", "time", NULL
};
const char *const mount_type_names[] = {
  [FS_BIND] = "bind", [FS_TMPFS] = "tmpfs", [FS_OVERLAY] = "overlay",
  [FS_PROC] = "proc", [FS_DEV] = "dev", NULL
};
const char *const seccomp_preset_names[] = {
  [SECCOMP_PRESET_DEFAULT] = "default", [SECCOMP_PRESET_STRICT] = "strict",
  [SECCOMP_PRESET_NONE] = "none", NULL
};
const char *const seccomp_action_names[] = {
  [SECCOMP_ACTION_ERRNO] = "errno", [SECCOMP_ACTION_KILL] = "kill",
  [SECCOMP_ACTION_LOG] = "log", NULL
};
const char *const network_mode_names[] = {
  [NETWORK_NONE] = "none", [NETWORK_HOST] = "host",
  [NETWORK_BRIDGE] = "bridge", [NETWORK_USER] = "user",
  [NETWORK_NETNS] = "netns", NULL
};
const char *const landlock_scope_names[] = {
  "abstract_unix_socket", "signal", NULL
};
static const char *const cgroup_version_names[] = { "auto", "1", "2", NULL };
static const char *const listen_stderr_names[] = { "log", "socket", NULL };

/* ---- checks of single values ---- */

#define CGROUP_PIDS_MAX 4194304L      /* the kernel's PID_MAX_LIMIT */
#define CGROUP_CPU_MIN 0.01           /* cfs quota: at least 1 ms a period */
#define CGROUP_CPU_MAX 4096.0

static const char *
str (const struct key_value *v)
{
  return v->s ? v->s : "";
}

static char *
check_absolute (const struct key_desc *k, const struct key_value *v)
{
  if (is_absolute (v->s))
    return NULL;
  return xasprintf ("'%s' must be an absolute path, not '%s'", k->name,
                    str (v));
}

/* "" stands for no map_owner: -D map_owner="" undoes an included one. */
static char *
check_map_owner (const struct key_desc *k, const struct key_value *v)
{
  if (v->s && *v->s == '\0')
    return NULL;
  return check_absolute (k, v);
}

static char *
check_hostname (const struct key_desc *k, const struct key_value *v)
{
  if (v->s == NULL || valid_hostname (v->s))
    return NULL;
  return xasprintf ("invalid hostname '%s' (1 to 64 letters, digits, '-' "
                    "and '.')", v->s);
}

static char *
check_time_limit (const struct key_desc *k, const struct key_value *v)
{
  if (v->i >= 0 && v->i <= (long) UINT_MAX)
    return NULL;
  return xasprintf ("'time_limit' must be 0 (none) or a number of seconds up "
                    "to %u, not %ld", UINT_MAX, v->i);
}

static char *
check_root (const struct key_desc *k, const struct key_value *v)
{
  if (v->s == NULL || strcmp (v->s, "tmpfs") == 0 || is_absolute (v->s))
    return NULL;
  return xasprintf ("'root' must be \"tmpfs\" or an absolute path, not '%s'",
                    v->s);
}

static char *
parse_size_key (const struct key_desc *k, const char *s, union key_typed *out)
{
  bool overflow;
  if (parse_size (s, &out->size, &overflow))
    return NULL;
  if (overflow)
    return xasprintf ("size '%s' is too large", s);
  return xasprintf ("invalid size '%s' (a number of bytes with an optional "
                    "K, M, G or T suffix)", s);
}

static char *
parse_mode_key (const struct key_desc *k, const char *s, union key_typed *out)
{
  if (parse_mode (s, &out->mode))
    return NULL;
  return xasprintf ("invalid mode '%s' (an octal number up to 07777, like "
                    "\"0755\")", s);
}

static char *
check_env_set (const struct key_desc *k, const struct key_value *v)
{
  const char *eq = v->s ? strchr (v->s, '=') : NULL;
  if (eq == NULL)
    return xasprintf ("'set' entry '%s' is not NAME=value", str (v));
  if (!valid_env_name (v->s, (size_t) (eq - v->s)))
    return xasprintf ("'set' entry '%s': invalid variable name '%.*s'", v->s,
                      (int) (eq - v->s), v->s);
  return NULL;
}

static char *
check_env_keep (const struct key_desc *k, const struct key_value *v)
{
  if (v->s && valid_env_name (v->s, strlen (v->s)))
    return NULL;
  return xasprintf ("'keep': invalid variable name '%s'", str (v));
}

static char *
check_profile_dir (const struct key_desc *k, const struct key_value *v)
{
  if (v->s == NULL || strchr (v->s, DROPPED_MARK) || is_absolute (v->s))
    return NULL;
  return xasprintf ("'profile_path' entry '%s' is not an absolute path",
                    v->s);
}

static char *
check_listen_address (const struct key_desc *k, const struct key_value *v)
{
  struct sockaddr_storage sa;
  unsigned len;
  if (parse_inet_address (v->s, &sa, &len))
    return NULL;
  return xasprintf ("invalid address '%s' (an IPv4 address and a "
                    "port, \"127.0.0.1:8022\", or an IPv6 one in brackets, "
                    "\"[::1]:8022\"; the port 1 to 65535)", str (v));
}

/* cgroup memory and memory_swap: a size, or "max" for no limit. */
static char *
parse_limit_key (const struct key_desc *k, const char *s, union key_typed *out)
{
  bool overflow;
  if (strcmp (s, "max") == 0)
    return NULL;            /* out->limit.set stays false */
  if ((out->limit.set = parse_size (s, &out->limit.bytes, &overflow)))
    return NULL;
  if (overflow)
    return xasprintf ("'%s' size '%s' is too large", k->name, s);
  return xasprintf ("invalid '%s' '%s' (a number of bytes with an optional "
                    "K, M, G or T suffix, or \"max\")", k->name, s);
}

static char *
check_cgroup_cpu (const struct key_desc *k, const struct key_value *v)
{
  if (v->f >= CGROUP_CPU_MIN && v->f <= CGROUP_CPU_MAX)
    return NULL;
  return xasprintf ("'cpu' must be a number of CPUs between %g and %g, not "
                    "%g", CGROUP_CPU_MIN, CGROUP_CPU_MAX, v->f);
}

static char *
check_cgroup_parent (const struct key_desc *k, const struct key_value *v)
{
  const char *s = v->s;
  bool ok = s && *s && strspn (s, "/") < strlen (s);
  for (const char *p = s; ok && *p; p += strcspn (p, "/"), p += strspn (p, "/"))
    {
      size_t n = strcspn (p, "/");
      if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
        ok = false;
    }
  if (ok)
    return NULL;
  return xasprintf ("'cgroup_parent' must name a directory below a cgroup "
                    "(no \".\" or \"..\"), not '%s'", str (v));
}

/* A name the table does not know (cgroup_version's check words it). */
static char *
check_cgroup_version (const struct key_desc *k, const struct key_value *v)
{
  return xasprintf ("'cgroup_version' must be \"auto\", \"1\" or \"2\", not "
                    "'%s'", str (v));
}

/* A clock offset: whole seconds with an optional unit. */
static char *
parse_duration_key (const struct key_desc *k, const char *s,
                    union key_typed *out)
{
  bool overflow;
  if (parse_duration (s, &out->seconds, &overflow))
    return NULL;
  if (overflow)
    return xasprintf ("'%s': '%s' is too large (at most %" PRId64 " seconds "
                      "either way)", k->name, s, DURATION_MAX);
  return xasprintf ("'%s': invalid duration '%s' (whole seconds with an "
                    "optional s, m, h or d suffix, like \"-1d\" or \"10m\")",
                    k->name, s);
}

static char *
parse_root_id_range_key (const struct key_desc *k, const char *s,
                         union key_typed *out)
{
  const char *why = parse_id_range (s, &out->ids.start, &out->ids.count);
  if (why == NULL)
    return NULL;
  return xasprintf ("invalid root_id_range '%s': %s", s, why);
}

static char *
parse_capability_key (const struct key_desc *k, const char *s,
                      union key_typed *out)
{
  if ((out->capability = cordon_caps_from_name (s)) >= 0)
    return NULL;
  return xasprintf ("unknown capability '%s' (names are like "
                    "\"CAP_NET_BIND_SERVICE\"; see capabilities(7))", s);
}

static char *
check_pass_fd (const struct key_desc *k, const struct key_value *v)
{
  if (v->i >= 3 && v->i <= INT_MAX)
    return NULL;
  return xasprintf ("'pass_fds': %ld is not a descriptor above 2 (0, 1 and 2 "
                    "are always passed)", v->i);
}

static char *
check_syscall_name (const struct key_desc *k, const struct key_value *v)
{
  if (v->s && v->s[0] == '@')
    {
      if (cordon_seccomp_known_group (v->s))
        return NULL;
      return xasprintf ("'%s': unknown group '%s' (known: %s)", k->name, v->s,
                        cordon_seccomp_group_names ());
    }
  if (cordon_seccomp_known_syscall (v->s))
    return NULL;
  return xasprintf ("'%s': unknown system call '%s'", k->name, str (v));
}

static char *
parse_seccomp_cmp_key (const struct key_desc *k, const char *s,
                       union key_typed *out)
{
  struct seccomp_arg_cmp *cmp = &out->cmp;
  if (!parse_seccomp_cmp (s, cmp))
    return xasprintf ("'%s': bad comparison '%s' (\"OP VALUE\" with OP one "
                      "of == != < <= > >=, or \"& MASK == VALUE\")", k->name,
                      s);
  if (cmp->op == SECCOMP_CMP_MASKED_EQ && (cmp->value & ~cmp->mask) != 0)
    return xasprintf ("'%s': '%s' can never hold: VALUE has bits that MASK "
                      "clears", k->name, s);
  return NULL;
}

static char *
parse_rlimit_key (const struct key_desc *k, const char *s,
                  union key_typed *out)
{
  int resource = cordon_rlimit_from_name (k->name);
  if (!parse_rlimit (resource, s, &out->rlimit.soft, &out->rlimit.hard))
    return xasprintf ("'%s': invalid limit '%s' (%s, \"unlimited\", or "
                      "\"SOFT:HARD\")", k->name, s,
                      cordon_rlimit_is_size (resource)
                        ? "a size with an optional K, M, G or T suffix"
                        : "a decimal number without leading zeros");
  if (out->rlimit.soft > out->rlimit.hard)
    return xasprintf ("'%s': the soft limit '%s' is above the hard one",
                      k->name, s);
  return NULL;
}

static char *
check_net_bridge (const struct key_desc *k, const struct key_value *v)
{
  if (valid_ifname (v->s))
    return NULL;
  return xasprintf ("invalid %s name '%s' (1 to 15 characters, no '/', ':' "
                    "or spaces)", k->name, str (v));
}

static char *
parse_net_address_key (const struct key_desc *k, const char *s,
                       union key_typed *out)
{
  if ((out->ipv4.is_auto = strcmp (s, "auto") == 0)
      || parse_ipv4_prefix (s, &out->ipv4.addr, &out->ipv4.prefix))
    return NULL;
  return xasprintf ("invalid address '%s' (\"auto\" or an IPv4 address with "
                    "an optional /PREFIX up to 30, like \"10.88.0.2/24\")",
                    s);
}

/* The settings' default gateway needs its prefix; a profile's may omit it. */
static char *
parse_net_gateway_key (const struct key_desc *k, const char *s,
                       union key_typed *out)
{
  bool settings = k->section == SEC_SETTINGS;
  if (parse_ipv4_prefix (s, &out->ipv4.addr, &out->ipv4.prefix)
      && !(settings && out->ipv4.prefix < 0))
    return NULL;
  return xasprintf ("invalid %s '%s' (an IPv4 address with %s /PREFIX up to "
                    "30, like \"10.88.0.1/24\")", k->name, s,
                    settings ? "a" : "an optional");
}

static char *
check_net_dns (const struct key_desc *k, const struct key_value *v)
{
  unsigned char buf[sizeof (struct in6_addr)];
  if (v->s && (inet_pton (AF_INET, v->s, buf) == 1
               || inet_pton (AF_INET6, v->s, buf) == 1))
    return NULL;
  return xasprintf ("invalid dns server '%s' (an IPv4 or IPv6 address)",
                    str (v));
}

static char *
parse_net_publish_key (const struct key_desc *k, const char *s,
                       union key_typed *out)
{
  char *why = parse_publish (s, &out->publish);
  if (why)
    {
      free (out->publish.host_address);
      out->publish.host_address = NULL;
    }
  return why;
}

/* ---- the table ---- */

#define OFF(type, field) offsetof (type, field)
#define BIND_TOP(kind, field) .bind = kind, .off = OFF (struct jail_spec, field)
#define BINDN(kind, type, field, count) \
  .bind = kind, .off = OFF (type, field), .count_off = OFF (type, count)
#define ALL_MOUNTS 0u
#define OVERLAY MOUNT_TYPE (FS_OVERLAY)
#define BIND_M MOUNT_TYPE (FS_BIND)
#define TMPFS MOUNT_TYPE (FS_TMPFS)
#define ID_RANGE(sec, field, lo, deflt, flags_, what) \
  { sec, #field, KEY_INT, flags_, deflt, lo, 4294967295L, .doc = what, \
    .print_as = BIND_U32, .off = OFF (struct id_range, field) }
/* printed in the kernel's order, as setrlimit(2) numbers them */
#define RLIMIT(resource, key, what) \
  { SEC_RLIMIT, key, KEY_STRING, KEY_NODEFAULT, .parse = parse_rlimit_key, \
    .doc = what, .print_rank = resource, .print_when = PRINT_SET, \
    .print = show_rlimit, \
    .off = (resource) * sizeof (struct rlimit_setting) }
/* show's top level: keys and sections (section_table) by rank, a blank
 * line between paragraphs (rank / 10), each name padded to its row's
 * width */
#define PRINT_TOP(rank, width) .print_rank = rank, .print_width = width

const struct key_desc key_table[] = {
  /* the top level of a profile */
  { SEC_TOP, "name", KEY_STRING, KEY_OWN | KEY_NODEFAULT,
    .doc = "the profile's name (default: the file name without .conf)",
    PRINT_TOP (10, 11), .print_as = BIND_STRING,
    .off = OFF (struct jail_spec, name) },
  { SEC_TOP, "description", KEY_STRING, KEY_OWN | KEY_NODEFAULT,
    .doc = "one line for cordon list", PRINT_TOP (11, 11),
    .print_as = BIND_STRING, .off = OFF (struct jail_spec, description) },
  { SEC_TOP, "argv", KEY_STRING_LIST, 0,
    BINDN (BIND_STRINGS, struct jail_spec, argv, n_argv),
    .doc = "the command, when cordon run has none after --",
    PRINT_TOP (20, 11) },
  { SEC_TOP, "cwd", KEY_STRING, 0, "/", .check = check_absolute,
    BIND_TOP (BIND_STRING, cwd), .doc = "the working directory in the jail",
    PRINT_TOP (21, 11) },
  { SEC_TOP, "hostname", KEY_STRING, KEY_NODEFAULT, .check = check_hostname,
    .needs_namespaces = JAIL_NS_UTS, BIND_TOP (BIND_STRING, hostname),
    .doc = "the jail's host name (uts)", PRINT_TOP (22, 11),
    .print_when = PRINT_SET },
  { SEC_TOP, "uid", KEY_INT, 0, "0", 0, 4294967294L,
    BIND_TOP (BIND_U32, uid), .doc = "the user id the command runs as",
    PRINT_TOP (23, 11) },
  { SEC_TOP, "gid", KEY_INT, 0, "0", 0, 4294967294L,
    BIND_TOP (BIND_U32, gid), .doc = "the group id the command runs as",
    PRINT_TOP (24, 11) },
  { SEC_TOP, "map_owner", KEY_STRING, KEY_NODEFAULT, .check = check_map_owner,
    .needs_namespaces = JAIL_NS_USER, BIND_TOP (BIND_STRING, map_owner),
    .doc = "a bind mount's destination: uid and gid map to its source's "
    "owner; \"\": none", PRINT_TOP (33, 11), .print_when = PRINT_SET },
  { SEC_TOP, "time_limit", KEY_INT, 0, "0", .check = check_time_limit,
    BIND_TOP (BIND_U32, time_limit), .doc = "seconds before the jail is "
    "killed; 0: none", PRINT_TOP (25, 11) },
  { SEC_TOP, "namespaces", KEY_STRING_LIST, 0,
    "{user, mount, pid, ipc, uts, net, cgroup}", .names = namespace_names,
    .noun = "namespace", BIND_TOP (BIND_FLAGS, namespaces),
    .doc = "the namespaces the jail gets", PRINT_TOP (30, 11) },
  { SEC_TOP, "root", KEY_STRING, 0, "tmpfs", .check = check_root,
    .doc = "\"tmpfs\" or a host directory as the jail's root",
    PRINT_TOP (40, 0), .print_as = BIND_STRING,
    .off = OFF (struct jail_spec, root) },
  { SEC_TOP, "capabilities", KEY_STRING_LIST, 0, .parse = parse_capability_key,
    .doc = "capabilities kept in the jail", PRINT_TOP (70, 12),
    .print = show_capabilities, .off = OFF (struct jail_spec, capabilities) },
  { SEC_TOP, "no_new_privs", KEY_BOOL, 0, "true",
    BIND_TOP (BIND_BOOL, no_new_privs), .doc = "set PR_SET_NO_NEW_PRIVS",
    PRINT_TOP (71, 12) },
  { SEC_TOP, "pass_fds", KEY_INT_LIST, 0, .check = check_pass_fd,
    .doc = "descriptors above 2 the command keeps", PRINT_TOP (72, 12),
    .print = show_ints, .off = OFF (struct jail_spec, pass_fds),
    .count_off = OFF (struct jail_spec, n_pass_fds) },
  { SEC_TOP, "new_session", KEY_BOOL, 0, "true",
    BIND_TOP (BIND_BOOL, new_session), .doc = "run the command in a new "
    "session (setsid)", PRINT_TOP (73, 12) },
  { SEC_TOP, "tty", KEY_BOOL, 0, "false", BIND_TOP (BIND_BOOL, tty),
    .doc = "give the command a new pseudo-terminal", PRINT_TOP (74, 12) },
  { SEC_TOP, "mask_paths", KEY_BOOL, 0, "true",
    BIND_TOP (BIND_BOOL, mask_paths), .doc = "hide the kernel's files in "
    "/proc and /sys", PRINT_TOP (75, 12) },

  /* mount "DEST" { }: show prints the overlay's layers (rank 1) before
   * the other keys (rank 2) */
  { SEC_MOUNT, "type", KEY_STRING, KEY_NODEFAULT | KEY_SELECTOR,
    .names = mount_type_names, .noun = "type",
    .doc = "bind, tmpfs, overlay, proc or dev", .print_as = BIND_NAME,
    .off = OFF (struct fs_entry, kind) },
  { SEC_MOUNT, "source", KEY_STRING, KEY_NODEFAULT, .mount_types = BIND_M,
    .bind = BIND_STRING, .off = OFF (struct fs_entry, source),
    .doc = "the host path a bind mount shows" },
  { SEC_MOUNT, "writable", KEY_BOOL, KEY_NOT_WITH_UPPER, "false",
    .mount_types = BIND_M | OVERLAY, .bind = BIND_BOOL,
    .off = OFF (struct fs_entry, writable), .doc = "writes allowed",
    .print_rank = 2 },
  { SEC_MOUNT, "optional", KEY_BOOL, 0, "false",
    .mount_types = BIND_M | OVERLAY, .bind = BIND_BOOL,
    .off = OFF (struct fs_entry, optional),
    .doc = "skip the mount when its source is missing", .print_rank = 2 },
  { SEC_MOUNT, "size", KEY_STRING, KEY_NODEFAULT | KEY_NOT_WITH_UPPER,
    .parse = parse_size_key, .mount_types = TMPFS | OVERLAY,
    .bind = BIND_SIZE, .off = OFF (struct fs_entry, size),
    .doc = "the tmpfs's size in bytes (K, M, G, T)", .print_rank = 2,
    .print_when = PRINT_SET, .print_always_types = TMPFS },
  { SEC_MOUNT, "mode", KEY_STRING, KEY_NODEFAULT | KEY_NOT_WITH_UPPER,
    .parse = parse_mode_key, .mount_types = TMPFS | OVERLAY,
    BINDN (BIND_MODE, struct fs_entry, mode, has_mode),
    .doc = "the tmpfs's permissions, in octal", .print_rank = 2,
    .print_when = PRINT_SET },
  { SEC_MOUNT, "lower", KEY_STRING_LIST, KEY_NODEFAULT, .mount_types = OVERLAY,
    .doc = "an overlay's read-only layers, uppermost first",
    .print_rank = 1, .print_as = BIND_STRINGS,
    .off = OFF (struct fs_entry, lower),
    .count_off = OFF (struct fs_entry, n_lower) },
  { SEC_MOUNT, "upper", KEY_STRING, KEY_NODEFAULT | KEY_UPPER,
    .mount_types = OVERLAY, .bind = BIND_STRING,
    .off = OFF (struct fs_entry, upper),
    .doc = "an overlay's writable host directory", .print_rank = 1,
    .print_when = PRINT_SET },
  { SEC_MOUNT, "work", KEY_STRING, KEY_NODEFAULT, .mount_types = OVERLAY,
    .bind = BIND_STRING, .off = OFF (struct fs_entry, work),
    .doc = "the overlay's work directory, beside upper", .print_rank = 1,
    .print_when = PRINT_SET },

  /* every entry "DEST" { }: a load-time directive, no spec field */
#define DROP_ROW(sec)                                                   \
  { sec, "drop", KEY_BOOL, KEY_NODEFAULT | KEY_DIRECTIVE,               \
    .doc = "true: remove the entry an included file declared at DEST" }
  DROP_ROW (SEC_MOUNT),

  /* symlink, dir, file "DEST" { } */
  DROP_ROW (SEC_SYMLINK),
  DROP_ROW (SEC_DIR),
  DROP_ROW (SEC_FILE),
#undef DROP_ROW
  { SEC_SYMLINK, "target", KEY_STRING, KEY_NODEFAULT,
    .doc = "the symbolic link's content", .print_as = BIND_STRING,
    .off = OFF (struct fs_entry, target) },
  { SEC_DIR, "mode", KEY_STRING, KEY_NODEFAULT, .parse = parse_mode_key,
    .doc = "the directory's permissions (default 0755)",
    .print_as = BIND_MODE, .off = OFF (struct fs_entry, mode),
    .count_off = OFF (struct fs_entry, has_mode) },
  { SEC_FILE, "content", KEY_STRING, KEY_NODEFAULT,
    .doc = "the file's content", .print_as = BIND_STRING,
    .off = OFF (struct fs_entry, content) },
  { SEC_FILE, "mode", KEY_STRING, KEY_NODEFAULT, .parse = parse_mode_key,
    .doc = "the file's permissions (default 0644)", .print_as = BIND_MODE,
    .off = OFF (struct fs_entry, mode),
    .count_off = OFF (struct fs_entry, has_mode) },

  /* uid_map, gid_map { } */
  ID_RANGE (SEC_UID_MAP, inside, 0, NULL, KEY_NODEFAULT,
            "the first user id in the jail"),
  ID_RANGE (SEC_UID_MAP, outside, 0, NULL, KEY_NODEFAULT,
            "the host user id it is"),
  ID_RANGE (SEC_UID_MAP, count, 1, "1", 0, "how many ids"),
  ID_RANGE (SEC_GID_MAP, inside, 0, NULL, KEY_NODEFAULT,
            "the first group id in the jail"),
  ID_RANGE (SEC_GID_MAP, outside, 0, NULL, KEY_NODEFAULT,
            "the host group id it is"),
  ID_RANGE (SEC_GID_MAP, count, 1, "1", 0, "how many ids"),

  /* environment { } (no list defaults in sections: libconfuse would parse
   * them through the checks as if the profile had set them) */
  { SEC_ENVIRONMENT, "clear", KEY_BOOL, 0, "true", .bind = BIND_BOOL,
    .off = OFF (struct env_spec, clear),
    .doc = "start from an empty environment" },
  { SEC_ENVIRONMENT, "keep", KEY_STRING_LIST, 0, .check = check_env_keep,
    BINDN (BIND_STRINGS, struct env_spec, keep, n_keep),
    .doc = "variables taken from cordon's environment" },
  { SEC_ENVIRONMENT, "set", KEY_STRING_LIST, 0, .check = check_env_set,
    BINDN (BIND_STRINGS, struct env_spec, set, n_set),
    .doc = "NAME=value pairs set last" },

  /* cgroup { } */
  { SEC_CGROUP, "memory", KEY_STRING, KEY_NODEFAULT,
    .parse = parse_limit_key, BINDN (BIND_LIMIT, struct cgroup_spec, memory,
                                      has_memory),
    .doc = "the memory limit, or \"max\"", .print_when = PRINT_SET },
  { SEC_CGROUP, "memory_swap", KEY_STRING, KEY_NODEFAULT,
    .parse = parse_limit_key, BINDN (BIND_LIMIT, struct cgroup_spec,
                                      memory_swap, has_memory_swap),
    .doc = "swap allowed on top of memory, or \"max\"",
    .print_when = PRINT_SET },
  { SEC_CGROUP, "pids", KEY_INT, KEY_NODEFAULT, NULL, 1, CGROUP_PIDS_MAX,
    .bind = BIND_U32, .off = OFF (struct cgroup_spec, pids),
    .doc = "the most processes and threads at once", .print_when = PRINT_SET },
  { SEC_CGROUP, "cpu", KEY_FLOAT, KEY_NODEFAULT, .check = check_cgroup_cpu,
    .bind = BIND_DOUBLE, .off = OFF (struct cgroup_spec, cpu),
    .doc = "CPUs worth of time", .print_when = PRINT_SET },

  /* seccomp { rule "NAME" { } } */
  { SEC_SECCOMP, "preset", KEY_STRING, 0, "default",
    .names = seccomp_preset_names, .noun = "preset",
    .bind = BIND_NAME, .off = OFF (struct seccomp_spec, preset),
    .doc = "default, strict or none" },
  { SEC_SECCOMP, "action", KEY_STRING, 0, "errno",
    .names = seccomp_action_names, .noun = "action",
    .bind = BIND_NAME, .off = OFF (struct seccomp_spec, action),
    .doc = "what a refused call gets: errno, kill or log" },
  { SEC_SECCOMP, "compat", KEY_BOOL, 0, "false", .bind = BIND_BOOL,
    .off = OFF (struct seccomp_spec, compat),
    .doc = "filter the CPU's 32-bit system calls too" },
  { SEC_SECCOMP, "allow", KEY_STRING_LIST, 0, .check = check_syscall_name,
    BINDN (BIND_STRINGS, struct seccomp_spec, allow, n_allow),
    .doc = "calls or @groups added to the preset" },
  { SEC_SECCOMP, "deny", KEY_STRING_LIST, 0, .check = check_syscall_name,
    BINDN (BIND_STRINGS, struct seccomp_spec, deny, n_deny),
    .doc = "calls or @groups refused" },
  { SEC_RULE, "arg0", KEY_STRING, KEY_NODEFAULT, .parse = parse_seccomp_cmp_key,
    .doc = "a comparison of the first argument", .print_when = PRINT_SET,
    .print = show_seccomp_cmp, .off = OFF (struct seccomp_rule, args[0]) },
  { SEC_RULE, "arg1", KEY_STRING, KEY_NODEFAULT, .parse = parse_seccomp_cmp_key,
    .doc = "a comparison of the second argument", .print_when = PRINT_SET,
    .print = show_seccomp_cmp, .off = OFF (struct seccomp_rule, args[1]) },
  { SEC_RULE, "arg2", KEY_STRING, KEY_NODEFAULT, .parse = parse_seccomp_cmp_key,
    .doc = "a comparison of the third argument", .print_when = PRINT_SET,
    .print = show_seccomp_cmp, .off = OFF (struct seccomp_rule, args[2]) },
  { SEC_RULE, "arg3", KEY_STRING, KEY_NODEFAULT, .parse = parse_seccomp_cmp_key,
    .doc = "a comparison of the fourth argument", .print_when = PRINT_SET,
    .print = show_seccomp_cmp, .off = OFF (struct seccomp_rule, args[3]) },
  { SEC_RULE, "arg4", KEY_STRING, KEY_NODEFAULT, .parse = parse_seccomp_cmp_key,
    .doc = "a comparison of the fifth argument", .print_when = PRINT_SET,
    .print = show_seccomp_cmp, .off = OFF (struct seccomp_rule, args[4]) },
  { SEC_RULE, "arg5", KEY_STRING, KEY_NODEFAULT, .parse = parse_seccomp_cmp_key,
    .doc = "a comparison of the sixth argument", .print_when = PRINT_SET,
    .print = show_seccomp_cmp, .off = OFF (struct seccomp_rule, args[5]) },
  { SEC_RULE, "action", KEY_STRING, KEY_NODEFAULT,
    .names = seccomp_action_names, .noun = "action",
    .doc = "what the call gets when every comparison holds",
    .print_as = BIND_NAME, .off = OFF (struct seccomp_rule, action) },

  /* rlimit { } (setrlimit(2)) */
  RLIMIT (RLIMIT_AS, "as", "address space"),
  RLIMIT (RLIMIT_CORE, "core", "core file size"),
  RLIMIT (RLIMIT_CPU, "cpu", "CPU seconds"),
  RLIMIT (RLIMIT_DATA, "data", "data segment"),
  RLIMIT (RLIMIT_FSIZE, "fsize", "file size"),
  RLIMIT (RLIMIT_LOCKS, "locks", "file locks"),
  RLIMIT (RLIMIT_MEMLOCK, "memlock", "locked memory"),
  RLIMIT (RLIMIT_MSGQUEUE, "msgqueue", "POSIX message queue bytes"),
  RLIMIT (RLIMIT_NICE, "nice", "nice ceiling"),
  RLIMIT (RLIMIT_NOFILE, "nofile", "open files"),
  RLIMIT (RLIMIT_NPROC, "nproc", "processes of the user"),
  RLIMIT (RLIMIT_RSS, "rss", "resident set"),
  RLIMIT (RLIMIT_RTPRIO, "rtprio", "real-time priority"),
  RLIMIT (RLIMIT_RTTIME, "rttime", "real-time CPU microseconds"),
  RLIMIT (RLIMIT_SIGPENDING, "sigpending", "pending signals"),
  RLIMIT (RLIMIT_STACK, "stack", "stack size"),

  /* network { } */
  { SEC_NETWORK, "mode", KEY_STRING, KEY_NODEFAULT | KEY_SELECTOR,
    .names = network_mode_names, .noun = "mode",
    .doc = "none, host, bridge, user or netns", .print_as = BIND_NAME,
    .off = OFF (struct network_spec, mode) },
  { SEC_NETWORK, "bridge", KEY_STRING, KEY_NODEFAULT,
    .check = check_net_bridge, .net_modes = NET_MODE (NETWORK_BRIDGE),
    .doc = "the host bridge", .print_as = BIND_STRING,
    .off = OFF (struct network_spec, bridge) },
  { SEC_NETWORK, "path", KEY_STRING, KEY_NODEFAULT,
    .net_modes = NET_MODE (NETWORK_NETNS),
    .doc = "the network namespace file to join (\"/run/netns/NAME\")",
    .print_as = BIND_STRING, .off = OFF (struct network_spec, netns) },
  { SEC_NETWORK, "address", KEY_STRING, KEY_NODEFAULT,
    .parse = parse_net_address_key, .net_modes = NET_MODE (NETWORK_BRIDGE),
    .doc = "the jail's address, or \"auto\"",
    .print = show_net_address },
  { SEC_NETWORK, "gateway", KEY_STRING, KEY_NODEFAULT,
    .parse = parse_net_gateway_key, .net_modes = NET_MODE (NETWORK_BRIDGE),
    .doc = "the bridge's address and prefix", .print = show_net_gateway },
  { SEC_NETWORK, "nat", KEY_BOOL, KEY_NODEFAULT, "false",
    .net_modes = NET_MODE (NETWORK_BRIDGE),
    .doc = "masquerade the jail's traffic", .print_as = BIND_BOOL,
    .off = OFF (struct network_spec, nat) },
  { SEC_NETWORK, "dns", KEY_STRING_LIST, 0, .check = check_net_dns,
    .net_modes = NET_MODE (NETWORK_BRIDGE) | NET_MODE (NETWORK_USER),
    .doc = "name servers for the jail's /etc/resolv.conf",
    .print_as = BIND_STRINGS, .off = OFF (struct network_spec, dns),
    .count_off = OFF (struct network_spec, n_dns) },
  { SEC_NETWORK, "publish", KEY_STRING_LIST, 0, .parse = parse_net_publish_key,
    .net_modes = NET_MODE (NETWORK_BRIDGE) | NET_MODE (NETWORK_USER),
    .doc = "host ports forwarded into the jail",
    .print = show_net_publish },
  { SEC_NETWORK, "host_loopback", KEY_BOOL, KEY_NODEFAULT, "false",
    .net_modes = NET_MODE (NETWORK_USER),
    .doc = "the gateway's address reaches the host's loopback services",
    .print_as = BIND_BOOL, .off = OFF (struct network_spec, host_loopback) },

  /* time_offsets { } (the time namespace, timens.c) */
  { SEC_TIME_OFFSETS, "monotonic", KEY_STRING, KEY_NODEFAULT,
    .parse = parse_duration_key, .bind = BIND_DURATION,
    .off = OFF (struct time_offsets, monotonic),
    .doc = "added to the jail's CLOCK_MONOTONIC", .print_when = PRINT_SET },
  { SEC_TIME_OFFSETS, "boottime", KEY_STRING, KEY_NODEFAULT,
    .parse = parse_duration_key, .bind = BIND_DURATION,
    .off = OFF (struct time_offsets, boottime),
    .doc = "added to the jail's CLOCK_BOOTTIME (and /proc/uptime)",
    .print_when = PRINT_SET },

  /* landlock { } (landlock.c); lists have no default, as in environment */
  { SEC_LANDLOCK, "enabled", KEY_BOOL, 0, "true", .bind = BIND_BOOL,
    .off = OFF (struct landlock_spec, enabled),
    .doc = "restrict the command with Landlock when the kernel has it" },
  { SEC_LANDLOCK, "required", KEY_BOOL, 0, "false", .bind = BIND_BOOL,
    .off = OFF (struct landlock_spec, required),
    .doc = "fail (125) when the kernel lacks a right asked for" },
  { SEC_LANDLOCK, "derive", KEY_BOOL, 0, "true", .bind = BIND_BOOL,
    .off = OFF (struct landlock_spec, derive),
    .doc = "allow what the jail's mounts expose" },
  { SEC_LANDLOCK, "min_abi", KEY_INT, KEY_NODEFAULT, NULL, 1, 255,
    .bind = BIND_U32, .off = OFF (struct landlock_spec, min_abi),
    .doc = "the lowest Landlock ABI the profile needs",
    .print_when = PRINT_SET },
  { SEC_LANDLOCK, "read", KEY_STRING_LIST, 0, .check = check_absolute,
    BINDN (BIND_STRINGS, struct landlock_spec, read, n_read),
    .doc = "paths readable beneath (files and directories)",
    .print_when = PRINT_SET },
  { SEC_LANDLOCK, "write", KEY_STRING_LIST, 0, .check = check_absolute,
    BINDN (BIND_STRINGS, struct landlock_spec, write, n_write),
    .doc = "paths readable and writable beneath", .print_when = PRINT_SET },
  { SEC_LANDLOCK, "execute", KEY_STRING_LIST, 0, .check = check_absolute,
    BINDN (BIND_STRINGS, struct landlock_spec, execute, n_execute),
    .doc = "paths readable and executable beneath", .print_when = PRINT_SET },
  { SEC_LANDLOCK, "deny", KEY_STRING_LIST, 0, .check = check_absolute,
    BINDN (BIND_STRINGS, struct landlock_spec, deny, n_deny),
    .doc = "paths left out of the derived rules", .print_when = PRINT_SET },
  { SEC_LANDLOCK, "tcp_bind", KEY_INT_LIST, 0, NULL, 1, 65535,
    .doc = "the only TCP ports the command may bind (ABI 4)",
    .print_when = PRINT_SET, .print = show_ints,
    .off = OFF (struct landlock_spec, tcp_bind),
    .count_off = OFF (struct landlock_spec, n_tcp_bind) },
  { SEC_LANDLOCK, "tcp_connect", KEY_INT_LIST, 0, NULL, 1, 65535,
    .doc = "the only TCP ports the command may connect to (ABI 4)",
    .print_when = PRINT_SET, .print = show_ints,
    .off = OFF (struct landlock_spec, tcp_connect),
    .count_off = OFF (struct landlock_spec, n_tcp_connect) },
  { SEC_LANDLOCK, "scope", KEY_STRING_LIST, 0, .names = landlock_scope_names,
    .noun = "scope", .bind = BIND_FLAGS,
    .off = OFF (struct landlock_spec, scope),
    .doc = "abstract_unix_socket, signal: only within the jail (ABI 6)",
    .print_when = PRINT_SET },

  /* listen { } (listen.c, cordon serve); no table defaults: a profile
   * without listen has none of it, and build.c completes one that has an
   * address (max_connections 64, stderr "log", grace 10) */
  { SEC_LISTEN, "address", KEY_STRING, KEY_NODEFAULT,
    .check = check_listen_address, .bind = BIND_STRING,
    .off = OFF (struct listen_spec, address),
    .doc = "the TCP address to accept connections on",
    .print_when = PRINT_SET },
  { SEC_LISTEN, "max_connections", KEY_INT, KEY_NODEFAULT, NULL, 1, 65536,
    .bind = BIND_U32, .off = OFF (struct listen_spec, max_connections),
    .doc = "jails at once; a connection beyond is closed",
    .print_when = PRINT_SET },
  { SEC_LISTEN, "per_address", KEY_INT, KEY_NODEFAULT, NULL, 0, 65536,
    .bind = BIND_U32, .off = OFF (struct listen_spec, per_address),
    .doc = "jails at once for one peer address (0: no limit)",
    .print_when = PRINT_SET },
  { SEC_LISTEN, "stderr", KEY_STRING, KEY_NODEFAULT, .names = listen_stderr_names,
    .noun = "stderr", .bind = BIND_STRING,
    .off = OFF (struct listen_spec, stderr_to),
    .doc = "the command's stderr: log (the server's) or socket",
    .print_when = PRINT_SET },
  { SEC_LISTEN, "grace", KEY_INT, KEY_NODEFAULT, NULL, 1, 3600,
    .bind = BIND_U32, .off = OFF (struct listen_spec, grace),
    .doc = "seconds from SIGTERM to SIGKILL when the server stops",
    .print_when = PRINT_SET },

  /* the settings file */
  { SEC_SETTINGS, "profile_path", KEY_STRING_LIST, KEY_NODEFAULT,
    .check = check_profile_dir, .doc = "where profiles are looked up" },
  { SEC_SETTINGS, "cgroup_parent", KEY_STRING, KEY_NODEFAULT,
    .check = check_cgroup_parent, .doc = "where jails' cgroups go" },
  { SEC_SETTINGS, "cgroup_version", KEY_STRING, KEY_NODEFAULT,
    .names = cgroup_version_names, .check = check_cgroup_version,
    .doc = "auto, 1 or 2" },
  { SEC_SETTINGS, "network_bridge", KEY_STRING, KEY_NODEFAULT,
    .check = check_net_bridge, .doc = "bridge-mode jails' default bridge" },
  { SEC_SETTINGS, "network_gateway", KEY_STRING, KEY_NODEFAULT,
    .parse = parse_net_gateway_key, .doc = "their default gateway/prefix" },
  { SEC_SETTINGS, "root_id_range", KEY_STRING, KEY_NODEFAULT,
    .parse = parse_root_id_range_key,
    .doc = "host ids reserved for root's jails, \"START:COUNT\"" },
};
const size_t n_key_table = sizeof key_table / sizeof key_table[0];

const struct key_desc *
key_find (enum key_section section, const char *name, size_t len)
{
  for (size_t i = 0; i < n_key_table; i++)
    if (key_table[i].section == section
        && strlen (key_table[i].name) == len
        && memcmp (key_table[i].name, name, len) == 0)
      return &key_table[i];
  return NULL;
}

int
section_find (const char *name, size_t len)
{
  for (int i = 0; i < N_SECTIONS; i++)
    if (i != SEC_TOP && i != SEC_SETTINGS
        && strlen (section_table[i].name) == len
        && memcmp (section_table[i].name, name, len) == 0)
      return i;
  return -1;
}

char *
names_joined (const char *const *names)
{
  struct strbuf b = { 0 };
  for (size_t i = 0; names[i]; i++)
    {
      if (i > 0)
        sb_puts (&b, ", ");
      sb_puts (&b, names[i]);
    }
  return b.s ? b.s : xstrdup ("");
}

int
names_index (const char *const *names, const char *v)
{
  for (size_t i = 0; v && names[i]; i++)
    if (strcmp (names[i], v) == 0)
      return (int) i;
  return -1;
}

char *
key_check (const struct key_desc *k, const struct key_value *v)
{
  return k->check ? k->check (k, v) : NULL;
}

bool
key_is_typed (const struct key_desc *k)
{
  return k->parse || k->names || k->type == KEY_INT
         || k->type == KEY_INT_LIST;
}

/* libconfuse reads an integer with strtol (VALUE, NULL, 0): "01000" is
 * octal 512, "0x10" is 16, "+5" and " 5" are 5.  cordon.conf(5) promises
 * decimal, so only an optional '-' and digits without a leading zero are an
 * integer; anything else is an error, never a reinterpretation. */
static char *
parse_integer (const struct key_desc *k, const char *s, long *out,
               bool *fatal)
{
  const char *digits = s + (*s == '-');
  size_t n = strspn (digits, "0123456789");
  bool decimal = n > 0 && digits[n] == '\0' && (digits[0] != '0' || n == 1);
  errno = 0;
  *out = decimal ? strtol (s, NULL, 10) : 0;
  if (decimal && errno == 0)
    return NULL;
  *fatal = true;
  if (decimal)
    return xasprintf ("integer value for option '%s' is out of range",
                      k->name);
  if (strpbrk (s, "0123456789") == NULL)
    return xasprintf ("invalid integer value for option '%s'", k->name);
  return xasprintf ("'%s' must be a decimal integer, not '%s' (no leading "
                    "zeros, '+', 0x or blanks)", k->name, s);
}

char *
key_parse (const struct key_desc *k, const char *text, union key_typed *out,
           bool *fatal)
{
  const char *s = text ? text : "";
  memset (out, 0, sizeof *out);
  *fatal = false;
  if (k->parse)
    return k->parse (k, s, out);
  if (k->names)
    {
      if ((out->index = names_index (k->names, s)) >= 0)
        return NULL;
      struct key_value v = { .s = s };
      if (k->check)
        return k->check (k, &v);
      char *known = names_joined (k->names);
      char *why = xasprintf ("unknown %s '%s' (known: %s)", k->noun, s, known);
      free (known);
      return why;
    }
  char *why = parse_integer (k, s, &out->i, fatal);
  if (why)
    return why;
  struct key_value v = { .i = out->i };
  if (k->check)
    return k->check (k, &v);
  if (k->min < k->max && (out->i < k->min || out->i > k->max))
    return xasprintf ("'%s' must be between %ld and %ld, not %ld", k->name,
                      k->min, k->max, out->i);
  return NULL;
}

void
key_parsed_free (void *parsed)
{
  struct key_parsed *p = parsed;
  if (p == NULL)
    return;
  if (p->key->parse == parse_net_publish_key)
    free (p->v.publish.host_address);
  free (p->text);
  free (p->why);
  free (p);
}

/* The typed defaults, by row: a constant of the table, parsed at its first
 * use (a default that does not parse is the table's bug). */
static union key_typed typed_defaults[sizeof key_table / sizeof key_table[0]];
static bool typed_default_done[sizeof key_table / sizeof key_table[0]];

const union key_typed *
key_default (const struct key_desc *k)
{
  size_t i = (size_t) (k - key_table);
  if (k->def == NULL)
    return NULL;
  if (!typed_default_done[i])
    {
      bool fatal;
      char *why = key_parse (k, k->def, &typed_defaults[i], &fatal);
      if (why)
        {
          fprintf (stderr, "cordon: internal error: the default of '%s' "
                   "does not parse: %s\n", k->name, why);
          abort ();
        }
      typed_default_done[i] = true;
    }
  return &typed_defaults[i];
}

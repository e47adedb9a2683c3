/* spec.h — the validated jail description.
 *
 * The profile module turns a file into a struct jail_spec; everything after it
 * (the jail core and the per-concern files) reads only this struct.  Nothing
 * here knows about libconfuse.  Every string is owned by the spec and freed by
 * jail_spec_free().  Validation has already run when the core sees a spec:
 * destinations are absolute and normalised, id maps are consistent, etc. */
#ifndef CORDON_SPEC_H
#define CORDON_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Where a value came from, for diagnostics. */
struct spec_origin
{
  char *file;   /* the profile file (or "<built-in default>") */
  int line;     /* 0 when unknown */
};

enum jail_namespace
{
  JAIL_NS_USER = 1u << 0,
  JAIL_NS_MOUNT = 1u << 1,
  JAIL_NS_PID = 1u << 2,
  JAIL_NS_IPC = 1u << 3,
  JAIL_NS_UTS = 1u << 4,
  JAIL_NS_NET = 1u << 5,
  JAIL_NS_CGROUP = 1u << 6,
  JAIL_NS_TIME = 1u << 7,
};

struct id_range
{
  uint32_t inside;
  uint32_t outside;
  uint32_t count;
  struct spec_origin origin;
};

struct id_map
{
  struct id_range *ranges;
  size_t n_ranges;      /* 0: the default map (see userns.h) */
};

/* One entry of the root filesystem.  Entries are applied in the order of
 * jail_spec.entries: that is the order in which they appear in the profile,
 * an included file's entries at the point of its include(). */
enum fs_entry_kind
{
  FS_BIND,
  FS_TMPFS,
  FS_OVERLAY,
  FS_PROC,
  FS_DEV,
  FS_SYMLINK,
  FS_DIR,
  FS_FILE,
};

struct fs_entry
{
  enum fs_entry_kind kind;
  char *dest;               /* absolute, normalised, no "..", inside the jail */
  struct spec_origin origin;

  /* FS_BIND */
  char *source;             /* absolute host path (after ${VAR} expansion) */
  bool writable;            /* bind, and overlay without upper: default false */
  bool optional;            /* bind/overlay: skip when the source is missing */

  /* FS_TMPFS (also the implicit tmpfs of an upper-less overlay) */
  uint64_t size;            /* bytes; 0 = the kernel's default */
  bool has_mode;
  mode_t mode;              /* tmpfs, dir, file */

  /* FS_OVERLAY */
  char **lower;             /* host paths, uppermost first, NULL-terminated */
  size_t n_lower;
  char *upper;              /* NULL: writes go to a throwaway tmpfs */
  char *work;               /* set exactly when upper is set */

  /* FS_SYMLINK */
  char *target;             /* the link's content, as written */

  /* FS_FILE */
  char *content;
  size_t content_len;

  bool generated;           /* added by the profile module (network.dns
                               writes /etc/resolv.conf): not printed */
};

struct env_spec
{
  bool clear;               /* start from an empty environment (default true) */
  char **keep;              /* names taken from the caller's environment */
  size_t n_keep;
  char **set;               /* "NAME=value", applied last */
  size_t n_set;
};

/* Hardening (capabilities.c, seccomp.c, rlimits.c). */
enum seccomp_preset
{
  SECCOMP_PRESET_DEFAULT,   /* Docker-like allowlist, EPERM for the rest */
  SECCOMP_PRESET_STRICT,    /* computation over stdio and files */
  SECCOMP_PRESET_NONE,      /* no filter at all */
};

enum seccomp_action
{
  SECCOMP_ACTION_ERRNO,     /* the call fails with EPERM */
  SECCOMP_ACTION_KILL,      /* the process is killed (SIGSYS) */
  SECCOMP_ACTION_LOG,       /* allowed, and logged by the kernel */
};

enum seccomp_cmp
{
  SECCOMP_CMP_EQ,
  SECCOMP_CMP_NE,
  SECCOMP_CMP_LT,
  SECCOMP_CMP_LE,
  SECCOMP_CMP_GT,
  SECCOMP_CMP_GE,
  SECCOMP_CMP_MASKED_EQ,    /* (arg & mask) == value */
};

struct seccomp_arg_cmp
{
  bool set;
  enum seccomp_cmp op;
  uint64_t value;
  uint64_t mask;            /* SECCOMP_CMP_MASKED_EQ only */
};

/* rule "NAME" { arg0 = "== 1"  action = "errno" }: the call is refused
 * (with ACTION) when every set argument comparison holds. */
struct seccomp_rule
{
  char *syscall;
  struct seccomp_arg_cmp args[6];
  enum seccomp_action action;
  struct spec_origin origin;
};

struct seccomp_spec
{
  enum seccomp_preset preset;
  char **allow;             /* syscall names or @groups added to the preset */
  size_t n_allow;
  char **deny;              /* syscall names or @groups refused */
  size_t n_deny;
  enum seccomp_action action;   /* what a refused call gets */
  bool compat;              /* the CPU's 32-bit ABI too (i386 on x86_64) */
  struct seccomp_rule *rules;
  size_t n_rules;
  struct spec_origin origin;
};

#define JAIL_RLIMIT_COUNT 16    /* RLIM_NLIMITS on Linux */

struct rlimit_setting
{
  bool set;
  uint64_t soft;            /* UINT64_MAX: unlimited */
  uint64_t hard;
  struct spec_origin origin;
};

/* Resource limits (cgroup.c).  0 / false: not limited. */
struct cgroup_spec
{
  bool has_memory;
  uint64_t memory;          /* bytes */
  bool has_memory_swap;
  uint64_t memory_swap;     /* bytes of swap on top of memory */
  uint32_t pids;            /* 0: no limit */
  double cpu;               /* CPUs worth of time; 0: no limit */
  struct spec_origin origin;
};

/* Network (network.c). */
enum network_mode
{
  NETWORK_NONE,             /* own namespace, only lo */
  NETWORK_HOST,             /* the host's namespace */
  NETWORK_BRIDGE,           /* veth on a host bridge (root) */
  NETWORK_USER,             /* pasta user-mode networking (rootless too) */
  NETWORK_NETNS,            /* an existing namespace, as is (root) */
};

struct port_publish
{
  char *host_address;       /* NULL: all addresses */
  uint16_t host_port;
  uint16_t jail_port;
  int protocol;             /* IPPROTO_TCP or IPPROTO_UDP */
  struct spec_origin origin;
};

struct network_spec
{
  enum network_mode mode;
  char *bridge;             /* bridge mode: host bridge name */
  char *netns;              /* netns mode: the namespace file's path */
  bool address_auto;
  char *address;            /* "10.88.0.2/24" when not auto */
  char *gateway;            /* "10.88.0.1" */
  unsigned prefix;          /* the subnet's prefix length (24): from address,
                               gateway or the settings file */
  bool nat;
  bool host_loopback;       /* user mode: pasta maps the gateway to the
                               host's loopback (off: --no-map-gw) */
  char **dns;
  size_t n_dns;
  struct port_publish *publish;
  size_t n_publish;
  struct spec_origin origin;
};

/* The time namespace's clock offsets (timens.c), in seconds; 0: none. */
struct time_offsets
{
  int64_t monotonic;
  int64_t boottime;
};

/* listen { } (listen.c, `cordon serve`): a TCP address where every
 * accepted connection gets a jail of its own.  All 0 when the profile has
 * no listen section; with one, address is set (rules.c). */
struct listen_spec
{
  char *address;                    /* "127.0.0.1:8022", "[::1]:8022" */
  uint32_t max_connections;         /* jails at once (default 64) */
  uint32_t per_address;             /* of them from one peer address;
                                       0: no limit of its own */
  char *stderr_to;                  /* "log" (the server's) or "socket" */
  uint32_t grace;                   /* seconds between SIGTERM and SIGKILL
                                       when the server stops (default 10) */
};

/* Landlock (landlock.c): the rules the command process puts on itself
 * right before its exec.  Paths are inside the jail. */
enum landlock_scope
{
  LANDLOCK_SCOPE_ABSTRACT_UNIX = 1u << 0,   /* names: landlock_scope_names */
  LANDLOCK_SCOPE_SIGNALS = 1u << 1,
};

struct landlock_spec
{
  bool enabled;             /* default true: on when the kernel has it */
  bool required;            /* a right the kernel lacks fails the run */
  bool derive;              /* default true: rules from the jail's mounts */
  uint32_t min_abi;         /* the ABI the profile asks for; 0: any */
  char **read, **write, **execute, **deny;
  size_t n_read, n_write, n_execute, n_deny;
  int *tcp_bind, *tcp_connect;      /* ports */
  size_t n_tcp_bind, n_tcp_connect;
  unsigned scope;           /* enum landlock_scope bits */
  struct spec_origin origin;        /* line 0: the profile has no section */
};

struct jail_spec
{
  char *name;
  char *description;
  struct spec_origin origin;        /* the top-level profile file */

  char **argv;                      /* NULL-terminated; may be empty: the CLI
                                       then needs "-- CMD" */
  size_t n_argv;
  char *cwd;                        /* default "/" */
  struct spec_origin cwd_origin;    /* where cwd was set; line 0: nowhere
                                       (the default) or a -D */
  char *hostname;                   /* NULL: leave as is (default "cordon" when uts is on) */
  uid_t uid;                        /* ids inside the jail */
  gid_t gid;
  unsigned time_limit;              /* seconds; 0 = none */

  unsigned namespaces;              /* mask of enum jail_namespace */

  struct id_map uid_map;
  struct id_map gid_map;
  char *map_owner;                  /* NULL, or a bind's destination: uid
                                       and gid map to its source's host
                                       owner (userns.c) */

  char *root;                       /* NULL: "tmpfs"; else a host directory */

  struct fs_entry *entries;
  size_t n_entries;

  struct env_spec env;

  uint64_t capabilities;            /* bit N: capability N is kept */
  bool no_new_privs;                /* default true */
  struct seccomp_spec seccomp;
  struct rlimit_setting rlimits[JAIL_RLIMIT_COUNT];   /* by RLIMIT_* number */
  int *pass_fds;                    /* kept open besides 0, 1, 2 */
  size_t n_pass_fds;
  bool new_session;                 /* setsid(): default true */
  bool tty;                         /* a new pseudo-terminal, relayed */
  bool mask_paths;                  /* masks.c: hide or make read-only the
                                       kernel's files in proc and a bound
                                       /sys (default true) */

  struct cgroup_spec cgroup;
  struct network_spec network;
  struct time_offsets time_offsets;
  struct landlock_spec landlock;
  struct listen_spec listen;
};

void jail_spec_free (struct jail_spec *spec);

/* BYTES as a profile writes it, with the largest exact 1024-based suffix
 * ("512M", "3T", "1536") into BUF; returns whether a suffix was used. */
bool spec_format_size (uint64_t bytes, char *buf, size_t size);

#endif

/* audit.c — `cordon audit`: the checks, their weights, the exposure formula
 * and the report (audit.h).
 *
 * Every check is a row of audit_checks[]: a name, a weight, a judge and the
 * profile key that changes its verdict.  A judge looks at the spec and says
 * how much of its check fails, as a share from 0 (passes) to 1; a check's
 * exposure is that share times its weight, a number from 0 to 1 itself: the
 * part of the host's protection the finding gives away.  The findings add
 * up as independent losses:
 *
 *     exposure = 10 × (1 − ∏ (1 − exposure_i))
 *
 * so one finding that gives everything away (a writable "/" of the host,
 * weight 1) is 10.0 alone, and many small ones add up without one large
 * hole being diluted by the many checks that pass, as an average would.
 * Parts of one check (each kept capability, each secret store) combine the
 * same way within it.
 *
 * Host paths are judged as the kernel resolves them (realpath(3)), so
 * "/tmp/.." and a symlink to "/" are "/"; a path that does not resolve now
 * is judged as written.  What the host holds (a socket, a key store) is
 * judged whether the host has it now or not: the jail sees whatever is
 * there when it runs. */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "audit.h"
#include "capabilities.h"
#include "util.h"

#define N_OF(a) (sizeof (a) / sizeof *(a))

enum audit_status
{
  AUDIT_PASS,
  AUDIT_FAIL,
  AUDIT_NA,                 /* nothing to judge (no /proc for its masks) */
};

struct audit_ctx
{
  const struct jail_spec *spec;
  char *home;               /* the caller's home, resolved; NULL: none */
  const char *runtime_dir;  /* $XDG_RUNTIME_DIR */
  const char *ssh_agent;    /* $SSH_AUTH_SOCK */
};

/* A judge's verdict: the failing share (0..1) and why, in a few words. */
struct audit_verdict
{
  enum audit_status status;
  double share;
  struct strbuf reason;
};

typedef void audit_judge_fn (const struct audit_ctx *ctx,
                             struct audit_verdict *v);

struct audit_check
{
  const char *name;
  double weight;            /* 0..1: the exposure when it fails in full */
  audit_judge_fn *judge;
  const char *key;          /* what to change */
};

/* ---- verdicts ---- */

__attribute__ ((format (printf, 2, 3))) static void
say (struct audit_verdict *v, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *s = xvasprintf (fmt, ap);
  va_end (ap);
  if (v->reason.n > 0)
    sb_puts (&v->reason, "; ");
  sb_puts (&v->reason, s);
  free (s);
}

/* One more failing part of SEVERITY (0..1): parts add up as independent
 * losses, as checks do. */
static void
add_part (struct audit_verdict *v, double severity)
{
  v->status = AUDIT_FAIL;
  v->share = 1.0 - (1.0 - v->share) * (1.0 - severity);
}

/* ---- host paths ---- */

/* PATH without ".", ".." and repeated slashes, as written (no links). */
static char *
lexical (const char *path)
{
  struct strbuf b = { 0 };
  const char *p = path;
  while (*p)
    {
      while (*p == '/')
        p++;
      const char *end = strchrnul (p, '/');
      size_t n = (size_t) (end - p);
      if (n == 0 || (n == 1 && p[0] == '.'))
        ;
      else if (n == 2 && p[0] == '.' && p[1] == '.')
        {
          while (b.n > 0 && b.s[b.n - 1] != '/')
            b.n--;
          if (b.n > 0)
            b.n--;
          if (b.s)
            b.s[b.n] = '\0';
        }
      else
        {
          sb_putc (&b, '/');
          sb_putn (&b, p, n);
        }
      p = end;
    }
  if (b.n == 0)
    sb_putc (&b, '/');
  return b.s;
}

/* PATH as the kernel resolves it now, else as written. */
static char *
resolved (const char *path)
{
  char *r = realpath (path, NULL);
  return r ? r : lexical (path);
}

/* Whether PATH is DIR or below it (both resolved). */
static bool
within (const char *path, const char *dir)
{
  size_t n = strlen (dir);
  if (strcmp (dir, "/") == 0)
    return true;
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Whether entry kind K mounts over its destination (a dir or a symlink
 * does not; a file does when something is there already, which a covered
 * path is). */
static bool
covers (enum fs_entry_kind k)
{
  return k != FS_DIR && k != FS_SYMLINK;
}

/* Where in the jail the host file HOST (resolved) is visible through the
 * host tree SOURCE mounted at DEST by entry FROM (-1: the root), unless an
 * entry after FROM mounts over it; NULL when it is not visible there. */
static char *
seen_through (const struct jail_spec *spec, long from, const char *source,
              const char *dest, const char *host)
{
  char *src = resolved (source);
  char *where = NULL;
  if (within (host, src))
    {
      const char *rest = host + (strcmp (src, "/") == 0 ? 0 : strlen (src));
      char *joined = xasprintf ("%s/%s", dest, rest);
      where = lexical (joined);
      free (joined);
      for (size_t k = (size_t) (from + 1); k < spec->n_entries && where; k++)
        {
          const struct fs_entry *e = &spec->entries[k];
          if (covers (e->kind) && within (where, e->dest))
            {
              free (where);
              where = NULL;
            }
        }
    }
  free (src);
  return where;
}

/* Where the jail sees the host file HOST_PATH (any of the host trees it
 * mounts), with *WRITABLE whether through a writable mount; NULL: nowhere. */
static char *
visible_at (const struct jail_spec *spec, const char *host_path,
            bool *writable)
{
  char *host = resolved (host_path);
  char *where = NULL;
  *writable = false;
  if (spec->root)
    where = seen_through (spec, -1, spec->root, "/", host);
  for (size_t i = 0; i < spec->n_entries; i++)
    {
      const struct fs_entry *e = &spec->entries[i];
      char *w = NULL;
      if (e->kind == FS_BIND)
        w = seen_through (spec, (long) i, e->source, e->dest, host);
      for (size_t l = 0; e->kind == FS_OVERLAY && l < e->n_lower && !w; l++)
        w = seen_through (spec, (long) i, e->lower[l], e->dest, host);
      if (w)
        {
          free (where);
          where = w;
          *writable = e->kind == FS_BIND && e->writable;
        }
    }
  free (host);
  return where;
}

/* A host path the profile names relative to the caller's home. */
static char *
home_path (const struct audit_ctx *ctx, const char *rel)
{
  return ctx->home ? xasprintf ("%s/%s", ctx->home, rel) : NULL;
}

/* ---- the judges ---- */

static void
judge_userns (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  if (ctx->spec->namespaces & JAIL_NS_USER)
    say (v, "own user namespace: the jail's ids and capabilities are not the "
         "host's");
  else
    {
      add_part (v, 1.0);
      say (v, "no user namespace: the jail's ids and capabilities are the "
           "host's");
    }
}

/* The id inside MAP that is the host's root, or -1. */
static int64_t
inside_root (const struct id_map *map)
{
  for (size_t i = 0; i < map->n_ranges; i++)
    if (map->ranges[i].outside == 0 && map->ranges[i].count > 0)
      return map->ranges[i].inside;
  return -1;
}

/* map_owner, as root runs it: the jail's uid and gid are the owner of the
 * bind's source now; when that is root, the command is the host's root uid
 * (rootless, such a run is refused). */
static void
owner_root (const struct jail_spec *s, int64_t *u, int64_t *g,
            struct audit_verdict *v)
{
  for (size_t i = 0; s->map_owner && i < s->n_entries; i++)
    {
      const struct fs_entry *e = &s->entries[i];
      struct stat st;
      if (e->kind != FS_BIND || strcmp (e->dest, s->map_owner) != 0
          || geteuid () != 0 || stat (e->source, &st) < 0)
        continue;
      if (st.st_uid == 0 || st.st_gid == 0)
        say (v, "map_owner: %s is %s", e->source, st.st_uid == 0
             ? "root's" : "the root group's");
      if (st.st_uid == 0)
        *u = s->uid;
      if (st.st_gid == 0)
        *g = s->gid;
      return;
    }
}

static void
judge_root_mapped (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  const struct jail_spec *s = ctx->spec;
  if (!(s->namespaces & JAIL_NS_USER))
    {
      if (s->uid == 0)
        {
          add_part (v, 1.0);
          say (v, "uid 0 without a user namespace is the host's root");
        }
      else
        say (v, "uid %u, the host's own id (no user namespace)",
             (unsigned) s->uid);
      return;
    }
  int64_t u = inside_root (&s->uid_map), g = inside_root (&s->gid_map);
  owner_root (s, &u, &g, v);
  if (u >= 0)
    {
      add_part (v, u == s->uid ? 1.0 : 0.5);
      say (v, "uid %" PRId64 " inside is the host's root%s", u,
           u == s->uid ? " and runs the command" : "");
    }
  if (g >= 0)
    {
      add_part (v, g == s->gid ? 0.5 : 0.25);
      say (v, "gid %" PRId64 " inside is the host's root group", g);
    }
  if (u < 0 && g < 0)
    say (v, "no id inside maps to the host's root");
}

/* What a kept capability grants, by its severity. */
static const struct
{
  const char *name;
  double severity;
  const char *grants;
} cap_weights[] = {
  { "CAP_SYS_ADMIN", 1.0, "mount, unshare, undo the masks" },
  { "CAP_SYS_MODULE", 1.0, "load kernel modules" },
  { "CAP_SYS_RAWIO", 1.0, "raw I/O to devices and ports" },
  { "CAP_DAC_READ_SEARCH", 0.8, "read any file, open_by_handle_at" },
  { "CAP_SYS_PTRACE", 0.7, "trace any process" },
  { "CAP_BPF", 0.7, "load BPF programs" },
  { "CAP_MAC_ADMIN", 0.6, "change the LSM policy" },
  { "CAP_MAC_OVERRIDE", 0.6, "bypass the LSM" },
  { "CAP_NET_ADMIN", 0.6, "configure the network" },
  { "CAP_DAC_OVERRIDE", 0.6, "write any file" },
  { "CAP_SETUID", 0.5, "become any mapped uid" },
  { "CAP_SYS_BOOT", 0.5, "reboot, kexec" },
  { "CAP_SETGID", 0.4, "become any mapped gid" },
  { "CAP_SETPCAP", 0.4, "change capability sets" },
  { "CAP_FOWNER", 0.4, "act as any file's owner" },
  { "CAP_SYS_TIME", 0.4, "set the clock" },
  { "CAP_PERFMON", 0.4, "performance monitoring" },
  { "CAP_MKNOD", 0.3, "make device nodes" },
  { "CAP_CHOWN", 0.3, "change any file's owner" },
  { "CAP_SYS_CHROOT", 0.3, "chroot" },
  { "CAP_SYSLOG", 0.3, "read the kernel log" },
  { "CAP_NET_RAW", 0.3, "raw sockets" },
  { "CAP_LINUX_IMMUTABLE", 0.3, "change immutable files" },
  { "CAP_SYS_RESOURCE", 0.2, "exceed limits" },
  { "CAP_KILL", 0.2, "signal any process" },
  { "CAP_IPC_OWNER", 0.2, "any IPC object" },
  { "CAP_SYS_NICE", 0.1, "raise priorities" },
  { "CAP_NET_BIND_SERVICE", 0.05, "ports below 1024" },
};
#define OTHER_CAP_SEVERITY 0.2

static void
judge_capabilities (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  uint64_t caps = ctx->spec->capabilities;
  for (unsigned c = 0; c < 64; c++)
    {
      if (!(caps & (UINT64_C (1) << c)))
        continue;
      char buf[64];
      const char *name = cordon_caps_name (c, buf, sizeof buf);
      double severity = OTHER_CAP_SEVERITY;
      const char *grants = NULL;
      for (size_t i = 0; name && i < N_OF (cap_weights); i++)
        if (strcmp (name, cap_weights[i].name) == 0)
          {
            severity = cap_weights[i].severity;
            grants = cap_weights[i].grants;
          }
      add_part (v, severity);
      if (grants)
        say (v, "keeps %s (%s)", name, grants);
      else
        say (v, "keeps %s", name ? name : "an unknown capability");
    }
  if (caps == 0)
    say (v, "no capability kept");
}

static void
judge_no_new_privs (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  if (ctx->spec->no_new_privs)
    say (v, "setuid and file capabilities grant nothing");
  else
    {
      add_part (v, 1.0);
      say (v, "setuid programs and file capabilities can raise privileges");
    }
}

static void
judge_seccomp_preset (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  switch (ctx->spec->seccomp.preset)
    {
    case SECCOMP_PRESET_NONE:
      add_part (v, 1.0);
      say (v, "no system call filter: keyctl, bpf, io_uring... are open");
      break;
    case SECCOMP_PRESET_STRICT:
      say (v, "the strict allowlist");
      break;
    case SECCOMP_PRESET_DEFAULT:
      say (v, "the default allowlist");
      break;
    }
}

static void
judge_seccomp_compat (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  const struct seccomp_spec *s = &ctx->spec->seccomp;
  if (s->preset == SECCOMP_PRESET_NONE)
    {
      v->status = AUDIT_NA;
      say (v, "no filter (seccomp-preset)");
    }
  else if (s->compat)
    {
      add_part (v, 1.0);
      say (v, "the 32-bit ABI is allowed: a second entry to the kernel, "
           "historically less audited");
    }
  else
    say (v, "32-bit system calls are refused");
}

static void
judge_seccomp_action (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  const struct seccomp_spec *s = &ctx->spec->seccomp;
  if (s->preset == SECCOMP_PRESET_NONE)
    {
      v->status = AUDIT_NA;
      say (v, "no filter (seccomp-preset)");
    }
  else if (s->action == SECCOMP_ACTION_LOG)
    {
      add_part (v, 1.0);
      say (v, "action \"log\": refused calls are allowed, only logged");
    }
  else
    say (v, "refused calls %s", s->action == SECCOMP_ACTION_KILL
         ? "kill the process" : "fail with EPERM");
}

/* What a name added to the preset's allowlist (seccomp.allow) opens, by
 * severity; a name not listed counts OTHER_ALLOW_SEVERITY. */
static const struct
{
  const char *name;
  double severity;
} allow_weights[] = {
  { "@privileged", 1.0 }, { "@module", 1.0 }, { "@raw-io", 1.0 },
  { "bpf", 1.0 }, { "init_module", 1.0 }, { "finit_module", 1.0 },
  { "io_uring_setup", 0.8 }, { "open_by_handle_at", 0.8 },
  { "@debug", 0.7 }, { "ptrace", 0.7 }, { "process_vm_writev", 0.7 },
  { "@mount", 0.5 }, { "mount", 0.5 }, { "fsopen", 0.5 },
  { "move_mount", 0.5 }, { "open_tree", 0.5 }, { "unshare", 0.5 },
  { "@reboot", 0.5 }, { "kexec_load", 0.5 }, { "setns", 0.4 },
  { "@keyring", 0.4 }, { "keyctl", 0.4 }, { "add_key", 0.4 },
  { "userfaultfd", 0.4 }, { "perf_event_open", 0.4 },
  { "clone", 0.3 }, { "clone3", 0.3 }, { "pivot_root", 0.3 },
  { "umount2", 0.3 }, { "@clock", 0.3 }, { "@swap", 0.3 },
  { "@cpu-emulation", 0.2 }, { "sethostname", 0.05 },
  { "setdomainname", 0.05 },
};
#define OTHER_ALLOW_SEVERITY 0.1

static void
judge_seccomp_allow (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  const struct seccomp_spec *s = &ctx->spec->seccomp;
  if (s->preset == SECCOMP_PRESET_NONE)
    {
      v->status = AUDIT_NA;
      say (v, "no filter (seccomp-preset)");
      return;
    }
  struct strbuf names = { 0 };
  for (size_t i = 0; i < s->n_allow; i++)
    {
      double severity = OTHER_ALLOW_SEVERITY;
      for (size_t j = 0; j < N_OF (allow_weights); j++)
        if (strcmp (s->allow[i], allow_weights[j].name) == 0)
          severity = allow_weights[j].severity;
      add_part (v, severity);
      if (names.n)
        sb_puts (&names, ", ");
      sb_puts (&names, s->allow[i]);
    }
  if (s->n_allow)
    say (v, "the preset's allowlist also opens %s", names.s);
  else
    say (v, "the preset's allowlist as it is");
  free (names.s);
}

/* Host directories whose writing matters, and how much. */
struct host_target
{
  const char *path;         /* "~/" is the caller's home */
  double contains;          /* the mount holds it (or is it) */
  double part;              /* the mount is somewhere below it */
};

static const struct host_target host_dir_targets[] = {
  { "/", 1.0, 0.0 },
  { "/etc", 0.8, 0.4 },
  { "/usr", 0.7, 0.4 },
  { "/boot", 0.7, 0.4 },
  { "/home", 0.6, 0.0 },
  { "/root", 0.6, 0.0 },
  { "~/", 0.6, 0.0 },
  { "/var", 0.5, 0.0 },
  { "/run", 0.3, 0.0 },
};

/* The kernel's knobs: any writable part of /proc, /sys and their kin. */
static bool
on_kernel_fs (const char *path)
{
  struct statfs sf;
  if (statfs (path, &sf) < 0)
    return false;
  switch ((unsigned long) sf.f_type)
    {
    case PROC_SUPER_MAGIC: case SYSFS_MAGIC: case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC: case SECURITYFS_MAGIC: case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC: case BPF_FS_MAGIC: case EFIVARFS_MAGIC:
    case PSTOREFS_MAGIC:
      return true;
    default:
      return false;
    }
}

/* How much writing the host tree SOURCE gives away, said on V. */
static void
judge_writable_source (const struct audit_ctx *ctx, const char *what,
                       const char *source, struct audit_verdict *v)
{
  char *src = resolved (source);
  double worst = 0;
  const char *worst_name = NULL;
  bool contains = false;
  for (size_t i = 0; i < N_OF (host_dir_targets); i++)
    {
      const struct host_target *t = &host_dir_targets[i];
      char *target = t->path[0] == '~' ? (ctx->home ? xstrdup (ctx->home)
                                                    : NULL)
                                       : resolved (t->path);
      if (target == NULL)
        continue;
      double sev = within (target, src) ? t->contains
                   : within (src, target) ? t->part : 0.0;
      if (sev > worst)
        {
          worst = sev;
          worst_name = t->path[0] == '~' ? "your home" : t->path;
          contains = within (target, src);
        }
      free (target);
    }
  if (on_kernel_fs (src) && 0.8 > worst)
    {
      add_part (v, 0.8);
      say (v, "%s of %s, a kernel filesystem", what, src);
    }
  else if (worst > 0)
    {
      add_part (v, worst);
      if (strcmp (worst_name, src) == 0 || (contains && strcmp (src, "/") == 0))
        say (v, "%s of the host's %s", what, src);
      else
        say (v, "%s of %s (%s the host's %s)", what, src,
             contains ? "holds" : "part of", worst_name);
    }
  free (src);
}

static void
judge_writable_binds (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  const struct jail_spec *s = ctx->spec;
  size_t n = 0;
  for (size_t i = 0; i < s->n_entries; i++)
    {
      const struct fs_entry *e = &s->entries[i];
      if (e->kind == FS_BIND && e->writable)
        judge_writable_source (ctx, "writable bind", e->source, v), n++;
      else if (e->kind == FS_OVERLAY && e->upper)
        judge_writable_source (ctx, "overlay upper", e->upper, v), n++;
    }
  if (v->status != AUDIT_FAIL)
    say (v, n ? "%zu writable host tree%s, none of the host's system or "
         "home directories" : "no writable host tree", n, n == 1 ? "" : "s");
}

/* Host files the jail must not see, by the path the host gives them
 * ("~/": the caller's home, "$VAR/": an environment variable's). */
struct exposed_file
{
  const char *path;
  double severity;
};

static const struct exposed_file host_sockets[] = {
  { "/run/docker.sock", 1.0 },
  { "/run/containerd/containerd.sock", 1.0 },
  { "/run/podman/podman.sock", 1.0 },
  { "$XDG_RUNTIME_DIR/docker.sock", 0.9 },
  { "$XDG_RUNTIME_DIR/podman/podman.sock", 0.9 },
  { "/run/dbus/system_bus_socket", 0.4 },
  { "$XDG_RUNTIME_DIR/bus", 0.4 },
  { "/tmp/.X11-unix", 0.3 },
};

static const struct exposed_file secret_stores[] = {
  { "~/.ssh", 1.0 },
  { "~/.gnupg", 1.0 },
  { "$SSH_AUTH_SOCK", 1.0 },
  { "~/.aws", 0.8 },
  { "~/.config/gh", 0.8 },
  { "~/.netrc", 0.8 },
  { "~/.docker/config.json", 0.8 },
  { "~/.kube", 0.8 },
  { "~/.config/gcloud", 0.8 },
  { "~/.azure", 0.8 },
  { "~/.git-credentials", 0.8 },
  { "~/.npmrc", 0.4 },
  { "~/.pypirc", 0.4 },
  { "~/.cargo/credentials.toml", 0.4 },
  { "/etc/shadow", 0.5 },
  { "/etc/gshadow", 0.3 },
};

/* The host path of F, or NULL when its variable is unset. */
static char *
exposed_path (const struct audit_ctx *ctx, const char *path)
{
  if (strncmp (path, "~/", 2) == 0)
    return home_path (ctx, path + 2);
  if (strncmp (path, "$XDG_RUNTIME_DIR/", 17) == 0)
    return ctx->runtime_dir ? xasprintf ("%s/%s", ctx->runtime_dir, path + 17)
                            : NULL;
  if (strcmp (path, "$SSH_AUTH_SOCK") == 0)
    return ctx->ssh_agent ? xstrdup (ctx->ssh_agent) : NULL;
  return xstrdup (path);
}

static void
judge_exposed (const struct audit_ctx *ctx, const struct exposed_file *files,
               size_t n, struct audit_verdict *v, const char *none)
{
  struct strbuf seen = { 0 };
  for (size_t i = 0; i < n; i++)
    {
      char *host = exposed_path (ctx, files[i].path);
      if (host == NULL)
        continue;
      bool writable;
      char *where = visible_at (ctx->spec, host, &writable);
      if (where)
        {
          add_part (v, files[i].severity);
          char *item = strcmp (where, host) == 0
                       ? xasprintf ("%s%s", files[i].path,
                                    writable ? " (writable)" : "")
                       : xasprintf ("%s at %s%s", files[i].path, where,
                                    writable ? " (writable)" : "");
          if (seen.n)
            sb_puts (&seen, ", ");
          sb_puts (&seen, item);
          free (item);
        }
      free (where);
      free (host);
    }
  if (v->status == AUDIT_FAIL)
    say (v, "visible: %s", seen.s);
  else
    say (v, "%s", none);
  free (seen.s);
}

static void
judge_sockets (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  judge_exposed (ctx, host_sockets, N_OF (host_sockets), v,
                 "no container, D-Bus or X11 socket of the host is visible");
}

static void
judge_secrets (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  judge_exposed (ctx, secret_stores, N_OF (secret_stores), v,
                 "no secret store (~/.ssh, ~/.gnupg, ~/.aws, ~/.netrc...) is "
                 "visible");
}

static void
judge_host_network (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  if (ctx->spec->network.mode == NETWORK_HOST)
    {
      add_part (v, 1.0);
      say (v, "the host's network: its interfaces, loopback services and "
           "abstract sockets");
    }
  else
    say (v, "own network namespace");
}

static void
judge_egress (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  const struct network_spec *n = &ctx->spec->network;
  switch (n->mode)
    {
    case NETWORK_HOST:
      v->status = AUDIT_NA;
      say (v, "the host's network (host-network)");
      break;
    case NETWORK_NONE:
      say (v, "no network but loopback");
      break;
    case NETWORK_USER:
      add_part (v, 1.0);
      say (v, "user-mode network: reaches whatever the host reaches");
      break;
    case NETWORK_BRIDGE:
      add_part (v, n->nat ? 1.0 : 0.5);
      say (v, n->nat ? "bridge with NAT: reaches whatever the host reaches"
                     : "bridge %s without NAT: reaches the bridge's hosts",
           n->bridge ? n->bridge : "");
      break;
    case NETWORK_NETNS:
      /* an admin's namespace, as is: cordon cannot tell what it reaches */
      add_part (v, 0.5);
      say (v, "an existing network namespace (%s): reaches whatever it "
           "reaches", n->netns ? n->netns : "");
      break;
    }
}

/* pasta's gateway mapping: the gateway's address is the host's loopback,
 * where databases and admin APIs listen trusting whoever connects. */
static void
judge_host_loopback (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  const struct network_spec *n = &ctx->spec->network;
  if (n->mode == NETWORK_HOST)
    {
      v->status = AUDIT_NA;
      say (v, "the host's network (host-network)");
    }
  else if (n->mode == NETWORK_USER && n->host_loopback)
    {
      add_part (v, 1.0);
      say (v, "the gateway's address reaches the host's loopback services");
    }
  else
    say (v, "the host's loopback services are out of reach");
}

static void
judge_ports (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  const struct network_spec *n = &ctx->spec->network;
  for (size_t i = 0; i < n->n_publish; i++)
    {
      const struct port_publish *p = &n->publish[i];
      bool loopback = p->host_address
                      && strncmp (p->host_address, "127.", 4) == 0;
      add_part (v, p->host_address == NULL ? 0.5 : loopback ? 0.1 : 0.3);
      say (v, "port %u of %s", (unsigned) p->host_port,
           p->host_address ? p->host_address : "every host address");
    }
  if (n->n_publish == 0)
    say (v, "no port published");
}

static void
judge_time_limit (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  if (ctx->spec->time_limit)
    say (v, "%u s", ctx->spec->time_limit);
  else
    {
      add_part (v, 1.0);
      say (v, "no time limit: the jail may run forever");
    }
}

static void
judge_memory (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  if (ctx->spec->cgroup.has_memory)
    say (v, "%" PRIu64 " bytes", ctx->spec->cgroup.memory);
  else
    {
      add_part (v, 1.0);
      say (v, "no memory limit: the jail can take the host's memory");
    }
}

static void
judge_pids (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  if (ctx->spec->cgroup.pids)
    say (v, "%u processes", (unsigned) ctx->spec->cgroup.pids);
  else
    {
      add_part (v, 1.0);
      say (v, "no pids limit: a fork bomb takes the host's process table");
    }
}

static void
judge_core (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  const struct rlimit_setting *r = &ctx->spec->rlimits[RLIMIT_CORE];
  if (r->set && r->soft == 0 && r->hard == 0)
    say (v, "no core dumps");
  else
    {
      add_part (v, 1.0);
      say (v, r->set ? "core dumps allowed: a dump holds the process's "
           "memory (keys, tokens)" : "core dumps as the caller's limit "
           "allows: a dump holds the process's memory");
    }
}

/* Whether the jail mounts a proc filesystem. */
static bool
has_proc (const struct jail_spec *spec)
{
  for (size_t i = 0; i < spec->n_entries; i++)
    if (spec->entries[i].kind == FS_PROC)
      return true;
  return false;
}

static void
judge_mask_paths (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  bool writable;
  char *sys = visible_at (ctx->spec, "/sys", &writable);
  bool proc = has_proc (ctx->spec);
  if (!proc && !sys)
    {
      v->status = AUDIT_NA;
      say (v, "no /proc or /sys in the jail");
    }
  else if (ctx->spec->mask_paths)
    say (v, "the kernel's files in /proc%s are masked or read-only",
         sys ? " and /sys" : "");
  else
    {
      add_part (v, 1.0);
      say (v, "/proc/sys, /proc/sysrq-trigger, /proc/kcore... are open%s",
           sys ? " (and /sys)" : "");
    }
  free (sys);
}

static void
judge_pidns (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  if (ctx->spec->namespaces & JAIL_NS_PID)
    say (v, "own pid namespace");
  else
    {
      add_part (v, 1.0);
      say (v, "no pid namespace: the jail can signal and trace the host's "
           "processes of its uid");
    }
}

static void
judge_proc_pidns (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  bool writable;
  char *host_proc = visible_at (ctx->spec, "/proc", &writable);
  if (host_proc)
    {
      add_part (v, 1.0);
      say (v, "the host's /proc is bound at %s", host_proc);
    }
  else if (!has_proc (ctx->spec))
    {
      v->status = AUDIT_NA;
      say (v, "no proc mount");
    }
  else if (ctx->spec->namespaces & JAIL_NS_PID)
    say (v, "proc shows the jail's own processes");
  else
    {
      add_part (v, 1.0);
      say (v, "proc without a pid namespace lists the host's processes, "
           "their command lines and environments");
    }
  free (host_proc);
}

static void
judge_ipcns (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  if (ctx->spec->namespaces & JAIL_NS_IPC)
    say (v, "own IPC namespace");
  else
    {
      add_part (v, 1.0);
      say (v, "the host's System V IPC and POSIX message queues");
    }
}

static void
judge_host_dev (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  bool writable;
  char *dev = visible_at (ctx->spec, "/dev", &writable);
  if (dev)
    {
      add_part (v, writable ? 1.0 : 0.6);
      say (v, "the host's /dev is bound at %s%s: its /dev/shm, mqueue and "
           "device list (nodes unusable: binds are nodev)", dev,
           writable ? ", writable" : "");
    }
  else
    say (v, "no host /dev (the \"dev\" mount type gives a private one)");
  free (dev);
}

static void
judge_pass_fds (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  const struct jail_spec *s = ctx->spec;
  if (s->n_pass_fds == 0)
    {
      say (v, "only stdin, stdout and stderr");
      return;
    }
  add_part (v, 1.0);
  struct strbuf b = { 0 };
  for (size_t i = 0; i < s->n_pass_fds; i++)
    {
      char num[16];
      snprintf (num, sizeof num, "%s%d", i ? ", " : "", s->pass_fds[i]);
      sb_puts (&b, num);
    }
  say (v, "keeps the caller's descriptors %s open", b.s);
  free (b.s);
}

static void
judge_session (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  if (ctx->spec->new_session)
    say (v, ctx->spec->tty ? "a session and terminal of its own"
                           : "a session of its own");
  else
    {
      add_part (v, 1.0);
      say (v, "shares the caller's session and terminal: TIOCSTI can type "
           "into it");
    }
}

static void
judge_env_clear (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  if (ctx->spec->env.clear)
    say (v, "starts from an empty environment");
  else
    {
      add_part (v, 1.0);
      say (v, "the caller's whole environment passes (tokens, "
           "SSH_AUTH_SOCK...)");
    }
}

/* Whether the variable NAME looks like it holds a secret: one of its
 * words (split at '_') is one of these, in any case. */
static bool
looks_secret (const char *name)
{
  static const char *const words[] = {
    "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASS", "PW", "KEY", "APIKEY",
    "CREDENTIAL", "CREDENTIALS", "CREDS", "AUTH", "COOKIE", "PRIVATE",
    "SESSION", "PASSPHRASE",
  };
  const char *p = name;
  while (*p)
    {
      size_t n = strcspn (p, "_");
      for (size_t i = 0; i < N_OF (words); i++)
        if (strlen (words[i]) == n && strncasecmp (p, words[i], n) == 0)
          return true;
      p += n;
      p += strspn (p, "_");
    }
  return false;
}

static void
judge_env_secrets (const struct audit_ctx *ctx, struct audit_verdict *v)
{
  const struct env_spec *e = &ctx->spec->env;
  for (size_t i = 0; i < e->n_keep; i++)
    if (looks_secret (e->keep[i]))
      {
        add_part (v, 1.0);
        say (v, "keeps %s", e->keep[i]);
      }
  if (v->status != AUDIT_FAIL)
    say (v, e->n_keep ? "no kept variable looks like a secret"
                      : "keeps no variable");
}

/* The checks, in the order they are printed. */
static const struct audit_check audit_checks[] = {
  { "user-namespace", 0.5, judge_userns, "namespaces" },
  { "root-mapped", 0.7, judge_root_mapped, "uid_map, gid_map, map_owner" },
  { "capabilities", 0.9, judge_capabilities, "capabilities" },
  { "no-new-privs", 0.3, judge_no_new_privs, "no_new_privs" },
  { "seccomp-preset", 0.5, judge_seccomp_preset, "seccomp.preset" },
  { "seccomp-compat", 0.1, judge_seccomp_compat, "seccomp.compat" },
  { "seccomp-action", 0.4, judge_seccomp_action, "seccomp.action" },
  { "seccomp-allow", 0.3, judge_seccomp_allow, "seccomp.allow" },
  { "writable-host", 1.0, judge_writable_binds, "mount.writable" },
  { "host-sockets", 1.0, judge_sockets, "mount" },
  { "secret-stores", 0.8, judge_secrets, "mount (a tmpfs over it hides it)" },
  { "host-network", 0.6, judge_host_network, "network.mode" },
  { "network-egress", 0.3, judge_egress, "network.mode, network.nat" },
  { "host-loopback", 0.4, judge_host_loopback, "network.host_loopback" },
  { "published-ports", 0.2, judge_ports, "network.publish" },
  { "time-limit", 0.03, judge_time_limit, "time_limit" },
  { "memory-limit", 0.05, judge_memory, "cgroup.memory" },
  { "pids-limit", 0.05, judge_pids, "cgroup.pids" },
  { "core-dumps", 0.05, judge_core, "rlimit.core" },
  { "mask-paths", 0.3, judge_mask_paths, "mask_paths" },
  { "pid-namespace", 0.3, judge_pidns, "namespaces" },
  { "proc-pid-namespace", 0.2, judge_proc_pidns, "namespaces" },
  { "ipc-namespace", 0.1, judge_ipcns, "namespaces" },
  { "host-dev", 0.5, judge_host_dev, "mount \"/dev\" { type = \"dev\" }" },
  { "pass-fds", 0.1, judge_pass_fds, "pass_fds" },
  { "new-session", 0.3, judge_session, "new_session" },
  { "environment-clear", 0.4, judge_env_clear, "environment.clear" },
  { "environment-secrets", 0.4, judge_env_secrets, "environment.keep" },
};

/* ---- the score ---- */

static const struct
{
  double below;
  const char *label;
} audit_labels[] = {
  { 2.0, "OK" },
  { 5.0, "MEDIUM" },
  { 8.0, "EXPOSED" },
  { 11.0, "UNSAFE" },
};

const char *
audit_label (double score)
{
  for (size_t i = 0; i < N_OF (audit_labels); i++)
    if (score < audit_labels[i].below)
      return audit_labels[i].label;
  return "UNSAFE";
}

static char *
caller_home (void)
{
  const char *h = getenv ("HOME");
  if (h == NULL || *h != '/')
    {
      struct passwd *pw = getpwuid (geteuid ());
      h = pw ? pw->pw_dir : NULL;
    }
  return h && *h == '/' ? resolved (h) : NULL;
}

static const char *
absolute_env (const char *name)
{
  const char *v = getenv (name);
  return v && *v == '/' ? v : NULL;
}

/* json_string() refuses bytes that are not UTF-8 (a path may hold any):
 * those are written as '?'. */
static json_t *
json_text (const char *s)
{
  json_t *j = json_string (s);
  if (j)
    return j;
  char *copy = xstrdup (s);
  for (char *c = copy; *c; c++)
    if ((unsigned char) *c >= 0x80)
      *c = '?';
  j = json_string (copy);
  free (copy);
  return j;
}

static const char *const status_names[] = {
  [AUDIT_PASS] = "pass", [AUDIT_FAIL] = "fail", [AUDIT_NA] = "n/a",
};

static int
print_json (const struct jail_spec *spec, const struct audit_verdict *v,
            double score, FILE *out, cordon_error_t *err)
{
  json_t *checks = json_array ();
  for (size_t i = 0; i < N_OF (audit_checks); i++)
    {
      const struct audit_check *c = &audit_checks[i];
      json_array_append_new (checks, json_pack (
        "{s:s, s:f, s:s, s:f, s:o, s:s}", "name", c->name, "weight", c->weight,
        "status", status_names[v[i].status], "exposure",
        c->weight * v[i].share, "reason", json_text (v[i].reason.s), "key",
        c->key));
    }
  json_t *root = json_pack ("{s:o, s:o, s:f, s:s}", "profile",
                            spec->origin.file ? json_text (spec->origin.file)
                                              : json_null (),
                            "checks", checks, "score", score,
                            "label", audit_label (score));
  if (root == NULL)
    return cordon_fail (err, ENOMEM, "audit: building the JSON object");
  int r = json_dumpf (root, out, JSON_INDENT (2) | JSON_REAL_PRECISION (4));
  json_decref (root);
  if (r < 0 || fputc ('\n', out) == EOF)
    return cordon_fail (err, errno, "audit: writing the JSON object");
  return 0;
}

static void
print_text (const struct jail_spec *spec, const struct audit_verdict *v,
            double score, FILE *out)
{
  fprintf (out, "%s: %s\n", spec->origin.file ? spec->origin.file
                                               : "<built-in default>",
           spec->name ? spec->name : "");
  fprintf (out, "%-4s  %-6s  %-19s  %s\n", "", "WEIGHT", "CHECK", "REASON");
  for (size_t i = 0; i < N_OF (audit_checks); i++)
    {
      const struct audit_check *c = &audit_checks[i];
      const char *mark = v[i].status == AUDIT_FAIL ? "FAIL"
                         : v[i].status == AUDIT_PASS ? "pass" : "n/a";
      double w = v[i].status == AUDIT_FAIL ? c->weight * v[i].share
                                           : c->weight;
      fprintf (out, "%-4s  %6.3f  %-19s  %s", mark, w, c->name, v[i].reason.s);
      if (v[i].status == AUDIT_FAIL)
        fprintf (out, " [%s]", c->key);
      fputc ('\n', out);
    }
  fprintf (out, "exposure: %.1f %s\n", score, audit_label (score));
}

int
audit_print (const struct jail_spec *spec, bool json, FILE *out,
             double *score, cordon_error_t *err)
{
  struct audit_ctx ctx = {
    .spec = spec,
    .home = caller_home (),
    .runtime_dir = absolute_env ("XDG_RUNTIME_DIR"),
    .ssh_agent = absolute_env ("SSH_AUTH_SOCK"),
  };
  struct audit_verdict v[N_OF (audit_checks)];
  double kept = 1.0;
  for (size_t i = 0; i < N_OF (audit_checks); i++)
    {
      v[i] = (struct audit_verdict) { .status = AUDIT_PASS };
      audit_checks[i].judge (&ctx, &v[i]);
      if (v[i].reason.s == NULL)
        sb_puts (&v[i].reason, "");
      if (v[i].status == AUDIT_FAIL)
        kept *= 1.0 - audit_checks[i].weight * v[i].share;
    }
  /* rounded once, so that the label and --threshold judge what is printed */
  *score = (double) (long) (100.0 * (1.0 - kept) + 0.5) / 10.0;
  int r = 0;
  if (json)
    r = print_json (spec, v, *score, out, err);
  else
    print_text (spec, v, *score, out);
  for (size_t i = 0; i < N_OF (audit_checks); i++)
    free (v[i].reason.s);
  free (ctx.home);
  return r;
}

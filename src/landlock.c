/* landlock.c — the jail's second wall: Landlock rules on the command
 * (landlock.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"
#include "profile.h"
#include "profile/keys.h"
#include "util.h"

/* Debian 12's <linux/landlock.h> stops at ABI 2 (and the errata flag);
 * the rights and structures of later ABIs, as the kernel defines them. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)        /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)       /* ABI 5 */
#endif
#define CORDON_LANDLOCK_RULE_NET_PORT 2                 /* ABI 4 */
#define CORDON_LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#define CORDON_LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#define CORDON_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)  /* ABI 6 */
#define CORDON_LANDLOCK_SCOPE_SIGNAL (1ULL << 1)

/* struct landlock_ruleset_attr as of ABI 6: the kernel takes the size we
 * pass, and the fields it does not know must be 0. */
struct ruleset_attr
{
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

struct net_port_attr
{
  uint64_t allowed_access;
  uint64_t port;
} __attribute__ ((packed));

#define ABI_NET 4
#define ABI_SCOPE 6

#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_EXEC LANDLOCK_ACCESS_FS_EXECUTE
#define FS_READ_EXEC (FS_READ | FS_EXEC)
/* the rights that mean something on a file that is not a directory */
#define FS_FILE_RIGHTS \
  (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE \
   | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE \
   | LANDLOCK_ACCESS_FS_IOCTL_DEV)

int
landlock_abi (void)
{
  long abi = syscall (SYS_landlock_create_ruleset, NULL, 0,
                      LANDLOCK_CREATE_RULESET_VERSION);
  return abi < 0 ? 0 : (int) abi;
}

/* Every filesystem right ABI knows. */
static uint64_t
fs_rights (int abi)
{
  uint64_t r = 0;
  if (abi >= 1)
    r |= (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;        /* bits 0-12 */
  if (abi >= 2)
    r |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3)
    r |= LANDLOCK_ACCESS_FS_TRUNCATE;
  if (abi >= 5)
    r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
  return r;
}

int
landlock_abi_wanted (const struct landlock_spec *l)
{
  if (!l->enabled)
    return 0;
  int want = l->min_abi > 1 ? (int) l->min_abi : 1;
  if (l->n_tcp_bind + l->n_tcp_connect > 0 && want < ABI_NET)
    want = ABI_NET;
  if (l->scope && want < ABI_SCOPE)
    want = ABI_SCOPE;
  return want;
}

/* ---- what the kernel lacks ---- */

struct plan
{
  int abi;
  uint64_t fs;              /* handled: every right of the ABI */
  bool ports, scope;        /* asked for, and enforceable */
};

static void
have_str (int abi, char *buf, size_t size)
{
  if (abi == 0)
    snprintf (buf, size, "this kernel has no Landlock");
  else
    snprintf (buf, size, "this kernel has Landlock ABI %d", abi);
}

/* One right asked for that needs ABI NEED: kept when the kernel has it;
 * else a warning, or the failure when the profile says required. */
static int
need_abi (const struct landlock_spec *l, int abi, int need, const char *what,
          bool *keep, cordon_error_t *err)
{
  *keep = abi >= need;
  if (*keep)
    return 0;
  char have[64];
  have_str (abi, have, sizeof have);
  if (l->required)
    return cordon_fail (err, 0, "landlock: %s needs Landlock ABI %d; %s "
                        "(required = true)", what, need, have);
  dprintf (STDERR_FILENO, "cordon: warning: landlock: %s needs Landlock ABI "
           "%d; %s: not enforced\n", what, need, have);
  return 0;
}

static int
make_plan (const struct jail_spec *spec, struct plan *p, cordon_error_t *err)
{
  const struct landlock_spec *l = &spec->landlock;
  bool keep;
  *p = (struct plan) { .abi = landlock_abi () };
  if (l->min_abi > 0
      && need_abi (l, p->abi, (int) l->min_abi, "min_abi", &keep, err) < 0)
    return -1;
  if (p->abi == 0)
    {
      /* only a profile that asked for Landlock hears that it is missing */
      if (l->required)
        return cordon_fail (err, 0, "landlock: this kernel has no Landlock "
                            "(required = true)");
      if (spec->namespaces == 0)
        return cordon_fail (err, 0, "landlock: this kernel has no Landlock, "
                            "and a jail without namespaces has no other "
                            "wall");
      if (l->origin.line > 0 && l->min_abi == 0)
        dprintf (STDERR_FILENO, "cordon: warning: landlock: this kernel has "
                 "no Landlock: the command runs without it\n");
      return 0;
    }
  p->fs = fs_rights (p->abi);
  if (l->n_tcp_bind + l->n_tcp_connect > 0
      && need_abi (l, p->abi, ABI_NET, "tcp_bind/tcp_connect", &p->ports,
                   err) < 0)
    return -1;
  if (l->scope && need_abi (l, p->abi, ABI_SCOPE, "scope", &p->scope, err) < 0)
    return -1;
  return 0;
}

/* ---- the rules, from the spec ----
 *
 * One list, made by derive_rules from the spec alone: landlock_prepare
 * puts it into the ruleset, cordon show and check -v print it. */

enum rule_origin
{
  FROM_ROOT,                /* the jail's "/", read-only (mounts.c) */
  FROM_MOUNT,               /* a mount of the jail */
  FROM_READ,                /* the landlock section's lists */
  FROM_WRITE,
  FROM_EXECUTE,
  FROM_TCP_BIND,
  FROM_TCP_CONNECT,
};

struct rule
{
  enum rule_origin origin;
  const char *path;             /* the spec's; NULL for a port */
  const struct fs_entry *entry; /* FROM_MOUNT */
  uint64_t rights;              /* FS_* rights beneath path */
  int port;
};

struct rule_list
{
  struct rule *v;
  size_t n;
};

static void
push_rule (struct rule_list *rl, struct rule r)
{
  rl->v = xrealloc (rl->v, (rl->n + 1) * sizeof *rl->v);
  rl->v[rl->n++] = r;
}

/* PATH is DIR or beneath it. */
static bool
is_beneath (const char *path, const char *dir)
{
  size_t n = strlen (dir);
  if (strcmp (dir, "/") == 0)
    return true;
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool
strictly_beneath (const char *path, const char *dir)
{
  return strcmp (path, dir) != 0 && is_beneath (path, dir);
}

/* The deny entry strictly beneath PATH, or NULL. */
static const char *
deny_beneath (const struct landlock_spec *l, const char *path)
{
  for (size_t i = 0; i < l->n_deny; i++)
    if (strictly_beneath (l->deny[i], path))
      return l->deny[i];
  return NULL;
}

static bool
is_denied (const struct landlock_spec *l, const char *path)
{
  for (size_t i = 0; i < l->n_deny; i++)
    if (is_beneath (path, l->deny[i]))
      return true;
  return false;
}

/* What a mount lets through, as Landlock rights. */
static uint64_t
entry_rights (const struct fs_entry *e, bool *derive)
{
  *derive = true;
  switch (e->kind)
    {
    case FS_BIND:
      return e->writable ? ~0ULL : FS_READ_EXEC;
    case FS_OVERLAY:
      return e->writable || e->upper ? ~0ULL : FS_READ_EXEC;
    case FS_TMPFS:
    case FS_PROC:
    case FS_DEV:
      return ~0ULL;
    default:
      /* dir, file, symlink: in the read-only root, allowed with it */
      *derive = false;
      return 0;
    }
}

/* Entry I is hidden by a later mount on it or on a parent of it. */
static bool
is_covered (const struct jail_spec *spec, size_t i)
{
  for (size_t j = i + 1; j < spec->n_entries; j++)
    {
      bool derive;
      entry_rights (&spec->entries[j], &derive);
      if (derive && is_beneath (spec->entries[i].dest, spec->entries[j].dest))
        return true;
    }
  return false;
}

/* Rules are derived from the mounts only where the jail has a mount
 * namespace: without one, "/" would be the host's. */
static bool
derives (const struct jail_spec *spec)
{
  return spec->landlock.derive && (spec->namespaces & JAIL_NS_MOUNT);
}

static void
derive_mounts (const struct jail_spec *spec, struct rule_list *rl)
{
  const struct landlock_spec *l = &spec->landlock;
  if (!is_denied (l, "/"))
    push_rule (rl, (struct rule) { .origin = FROM_ROOT, .path = "/",
                                   .rights = FS_READ_EXEC });
  for (size_t i = 0; i < spec->n_entries; i++)
    {
      const struct fs_entry *e = &spec->entries[i];
      bool derive;
      uint64_t rights = entry_rights (e, &derive);
      if (derive && !is_covered (spec, i) && !is_denied (l, e->dest))
        push_rule (rl, (struct rule) { .origin = FROM_MOUNT, .path = e->dest,
                                       .entry = e, .rights = rights });
    }
}

static void
list_rules (struct rule_list *rl, enum rule_origin origin, char *const *paths,
            size_t n, uint64_t rights)
{
  for (size_t i = 0; i < n; i++)
    push_rule (rl, (struct rule) { .origin = origin, .path = paths[i],
                                   .rights = rights });
}

static void
port_rules (struct rule_list *rl, enum rule_origin origin, const int *ports,
            size_t n)
{
  for (size_t i = 0; i < n; i++)
    push_rule (rl, (struct rule) { .origin = origin, .port = ports[i] });
}

/* Every rule SPEC's Landlock ruleset holds, in the order they go in; none
 * when Landlock is off.  The deny list is no rule: the derived rules go
 * around it when they are put in (allow_derived). */
static void
derive_rules (const struct jail_spec *spec, struct rule_list *rl)
{
  const struct landlock_spec *l = &spec->landlock;
  *rl = (struct rule_list) { 0 };
  if (!l->enabled)
    return;
  if (derives (spec))
    derive_mounts (spec, rl);
  list_rules (rl, FROM_READ, l->read, l->n_read, FS_READ);
  list_rules (rl, FROM_WRITE, l->write, l->n_write, ~0ULL);
  list_rules (rl, FROM_EXECUTE, l->execute, l->n_execute, FS_READ_EXEC);
  port_rules (rl, FROM_TCP_BIND, l->tcp_bind, l->n_tcp_bind);
  port_rules (rl, FROM_TCP_CONNECT, l->tcp_connect, l->n_tcp_connect);
}

/* ---- the ruleset ---- */

struct rules
{
  int fd;                   /* the ruleset */
  const struct plan *plan;
  const struct landlock_spec *l;
};

/* Allow RIGHTS beneath the open file FD (PATH for errors). */
static int
allow_fd (const struct rules *r, int fd, const char *path, uint64_t rights,
          cordon_error_t *err)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    return fail_errno (err, "landlock: stat %s", path);
  if (!S_ISDIR (st.st_mode))
    rights &= FS_FILE_RIGHTS;
  rights &= r->plan->fs;
  if (rights == 0)
    return 0;
  struct landlock_path_beneath_attr a = { .allowed_access = rights,
                                          .parent_fd = fd };
  if (syscall (SYS_landlock_add_rule, r->fd, LANDLOCK_RULE_PATH_BENEATH, &a, 0)
      < 0)
    return fail_errno (err, "landlock: add a rule for %s", path);
  return 0;
}

static int
allow_path (const struct rules *r, const char *path, uint64_t rights,
            bool follow, cordon_error_t *err)
{
  cleanup_fd int fd = open (path, O_PATH | O_CLOEXEC
                                  | (follow ? 0 : O_NOFOLLOW));
  if (fd < 0)
    return fail_errno (err, "landlock: open %s", path);
  return allow_fd (r, fd, path, rights, err);
}

static char *
child_path (const char *dir, const char *name)
{
  return xasprintf ("%s%s%s", dir, strcmp (dir, "/") == 0 ? "" : "/", name);
}

static int allow_derived (const struct rules *r, const char *path,
                          uint64_t rights, cordon_error_t *err);

/* Landlock only allows: a tree with a denied path beneath it is allowed
 * entry by entry, every entry of each directory on the way to the denied
 * path but the one leading there (the directories on the way get no right
 * themselves: they cannot be listed). */
static int
allow_around (const struct rules *r, const char *dir, uint64_t rights,
              cordon_error_t *err)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return fail_errno (err, "landlock: open %s", dir);
  DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return fail_errno (err, "landlock: read %s", dir);
    }
  int ret = 0;
  struct dirent *de;
  while (ret == 0 && (errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      char *child = child_path (dir, de->d_name);
      if (is_denied (r->l, child))
        ;
      else if (deny_beneath (r->l, child))
        ret = allow_derived (r, child, rights, err);
      else
        ret = allow_path (r, child, rights, false, err);
      free (child);
    }
  if (ret == 0 && errno != 0)
    ret = fail_errno (err, "landlock: read %s", dir);
  closedir (d);
  return ret;
}

/* A derived rule (not itself denied: derive_mounts): around what is denied
 * beneath it. */
static int
allow_derived (const struct rules *r, const char *path, uint64_t rights,
               cordon_error_t *err)
{
  if (deny_beneath (r->l, path))
    return allow_around (r, path, rights, err);
  cleanup_fd int fd = open (path, O_PATH | O_CLOEXEC);
  /* an optional mount whose source was missing, or one a later mount hid
   * (through a symbolic link, is_covered cannot see it): nothing there to
   * allow; what is there now has its own mount's rule */
  if (fd < 0 && errno == ENOENT)
    return 0;
  if (fd < 0)
    return fail_errno (err, "landlock: open %s", path);
  return allow_fd (r, fd, path, rights, err);
}

static int
allow_port (const struct rules *r, int port, uint64_t access,
            cordon_error_t *err)
{
  struct net_port_attr a = { .allowed_access = access,
                             .port = (uint64_t) port };
  if (syscall (SYS_landlock_add_rule, r->fd, CORDON_LANDLOCK_RULE_NET_PORT,
               &a, 0) < 0)
    return fail_errno (err, "landlock: add a rule for TCP port %d", port);
  return 0;
}

static const char *const origin_keys[] = {
  [FROM_READ] = "read", [FROM_WRITE] = "write", [FROM_EXECUTE] = "execute",
  [FROM_TCP_BIND] = "tcp_bind", [FROM_TCP_CONNECT] = "tcp_connect",
};

static int
add_rule (const struct rules *r, const struct rule *rule, cordon_error_t *err)
{
  switch (rule->origin)
    {
    case FROM_ROOT:
    case FROM_MOUNT:
      return allow_derived (r, rule->path, rule->rights, err);
    case FROM_READ:
    case FROM_WRITE:
    case FROM_EXECUTE:
      if (allow_path (r, rule->path, rule->rights, true, err) < 0)
        return cordon_error_wrap (err, "landlock.%s",
                                  origin_keys[rule->origin]);
      return 0;
    case FROM_TCP_BIND:
      return r->plan->ports
             ? allow_port (r, rule->port, CORDON_LANDLOCK_ACCESS_NET_BIND_TCP,
                           err)
             : 0;
    case FROM_TCP_CONNECT:
      return r->plan->ports
             ? allow_port (r, rule->port,
                           CORDON_LANDLOCK_ACCESS_NET_CONNECT_TCP, err)
             : 0;
    }
  return 0;
}

static int
add_rules (const struct rules *r, const struct jail_spec *spec,
           cordon_error_t *err)
{
  struct rule_list rl;
  derive_rules (spec, &rl);
  int ret = 0;
  for (size_t i = 0; ret == 0 && i < rl.n; i++)
    ret = add_rule (r, &rl.v[i], err);
  free (rl.v);
  return ret;
}

int
landlock_prepare (const struct jail_spec *spec, int *fd, cordon_error_t *err)
{
  const struct landlock_spec *l = &spec->landlock;
  struct plan plan;
  *fd = -1;
  if (!l->enabled)
    return 0;
  if (make_plan (spec, &plan, err) < 0)
    return -1;
  if (plan.abi == 0)
    return 0;
  struct ruleset_attr attr = { .handled_access_fs = plan.fs };
  if (plan.ports)
    attr.handled_access_net
      = (l->n_tcp_bind ? CORDON_LANDLOCK_ACCESS_NET_BIND_TCP : 0)
        | (l->n_tcp_connect ? CORDON_LANDLOCK_ACCESS_NET_CONNECT_TCP : 0);
  if (plan.scope)
    attr.scoped
      = (l->scope & LANDLOCK_SCOPE_ABSTRACT_UNIX
           ? CORDON_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET : 0)
        | (l->scope & LANDLOCK_SCOPE_SIGNALS ? CORDON_LANDLOCK_SCOPE_SIGNAL : 0);
  /* the size of the struct as the kernel's ABI knows it */
  size_t size = plan.abi >= ABI_SCOPE ? sizeof attr
                : plan.abi >= ABI_NET ? 2 * sizeof (uint64_t)
                : sizeof (uint64_t);
  struct rules r = { .plan = &plan, .l = l };
  r.fd = (int) syscall (SYS_landlock_create_ruleset, &attr, size, 0);
  if (r.fd < 0)
    return fail_errno (err, "landlock: create a ruleset");
  if (add_rules (&r, spec, err) < 0)
    {
      close (r.fd);
      return -1;
    }
  *fd = r.fd;
  return 0;
}

int
landlock_restrict (int fd, cordon_error_t *err)
{
  if (fd < 0)
    return 0;
  if (syscall (SYS_landlock_restrict_self, fd, 0) < 0)
    return fail_errno (err, "landlock: restrict the command (it needs "
                       "no_new_privs or CAP_SYS_ADMIN)");
  return 0;
}

/* ---- what cordon show and check -v print ---- */

static const char *
rights_name (uint64_t rights)
{
  if (rights == FS_READ)
    return "read";
  if (rights == FS_READ_EXEC)
    return "read+execute";
  return "read+write+execute";      /* every file right */
}

static void
print_mount_origin (const struct rule *rule, FILE *out)
{
  const struct fs_entry *e = rule->entry;
  fprintf (out, "%s mount", mount_type_names[e->kind]);
  if (e->kind == FS_BIND || e->kind == FS_OVERLAY)
    fputs (rule->rights == FS_READ_EXEC ? ", read-only" : ", writable", out);
  if (e->optional)
    fputs (", optional", out);
  if (e->generated)
    fputs (", added by cordon", out);
}

static void
print_rule (const struct jail_spec *spec, const struct rule *rule,
            const char *prefix, FILE *out)
{
  const struct landlock_spec *l = &spec->landlock;
  fprintf (out, "%slandlock rule: ", prefix);
  switch (rule->origin)
    {
    case FROM_ROOT:
    case FROM_MOUNT:
      fprintf (out, "%s ", rights_name (rule->rights));
      profile_print_string (out, rule->path);
      fputs (" (", out);
      if (rule->origin == FROM_ROOT)
        fputs ("the jail's root, read-only", out);
      else
        print_mount_origin (rule, out);
      if (deny_beneath (l, rule->path))
        {
          fputs ("; entry by entry around", out);
          for (size_t i = 0; i < l->n_deny; i++)
            if (strictly_beneath (l->deny[i], rule->path))
              {
                fputc (' ', out);
                profile_print_string (out, l->deny[i]);
              }
        }
      fputs (")\n", out);
      break;
    case FROM_READ:
    case FROM_WRITE:
    case FROM_EXECUTE:
      fprintf (out, "%s ", rights_name (rule->rights));
      profile_print_string (out, rule->path);
      fprintf (out, " (landlock.%s)\n", origin_keys[rule->origin]);
      break;
    case FROM_TCP_BIND:
    case FROM_TCP_CONNECT:
      fprintf (out, "%s %d (landlock.%s, ABI %d)\n",
               origin_keys[rule->origin], rule->port,
               origin_keys[rule->origin], ABI_NET);
      break;
    }
}

static void
print_rules (const struct jail_spec *spec, const char *prefix, FILE *out)
{
  const struct landlock_spec *l = &spec->landlock;
  if (!l->enabled)
    return;
  struct rule_list rl;
  derive_rules (spec, &rl);
  size_t files = 0;
  for (size_t i = 0; i < rl.n; i++)
    {
      print_rule (spec, &rl.v[i], prefix, out);
      files += rl.v[i].path != NULL;
    }
  free (rl.v);
  if (files == 0)
    fprintf (out, "%slandlock rule: no file rule: every file access is "
             "refused\n", prefix);
  for (size_t i = 0; i < l->n_deny; i++)
    {
      fprintf (out, "%slandlock rule: deny ", prefix);
      profile_print_string (out, l->deny[i]);
      fputs (" (landlock.deny)\n", out);
    }
  if (l->scope)
    {
      fprintf (out, "%slandlock rule: scope ", prefix);
      for (int b = 0, k = 0; landlock_scope_names[b]; b++)
        if (l->scope & (1u << b))
          fprintf (out, "%s%s", k++ ? ", " : "", landlock_scope_names[b]);
      fprintf (out, " (landlock.scope, ABI %d)\n", ABI_SCOPE);
    }
}

/* The file rights the kernel's ABI lacks, and what that means. */
static void
describe_fs_rights (int abi, const char *prefix, FILE *out)
{
  if (abi < 2)
    fprintf (out, "%slandlock: refer: NOT available (needs ABI 2): moving "
             "or linking a file into another directory always fails\n",
             prefix);
  if (abi < 3)
    fprintf (out, "%slandlock: truncate: NOT enforced (needs ABI 3): "
             "truncating is allowed everywhere\n", prefix);
  if (abi < 5)
    fprintf (out, "%slandlock: ioctl_dev: NOT enforced (needs ABI 5): "
             "device ioctls are allowed everywhere\n", prefix);
}

/* What the running kernel will and will not enforce of SPEC's section. */
static void
describe_kernel (const struct jail_spec *spec, const char *prefix, FILE *out)
{
  const struct landlock_spec *l = &spec->landlock;
  int abi = landlock_abi ();
  if (!l->enabled)
    {
      fprintf (out, "%slandlock: off (enabled = false)\n", prefix);
      return;
    }
  if (abi == 0)
    {
      fprintf (out, "%slandlock: this kernel has no Landlock: nothing of the "
               "landlock section is enforced\n", prefix);
      return;
    }
  fprintf (out, "%slandlock: ABI %d; file rules: enforced (%s)\n", prefix,
           abi, derives (spec) ? "derived from the mounts, and the lists"
                : l->derive ? "the lists only: no mount namespace to derive "
                              "from"
                : "the lists only");
  describe_fs_rights (abi, prefix, out);
  if (l->n_tcp_bind + l->n_tcp_connect > 0)
    fprintf (out, "%slandlock: tcp_bind/tcp_connect: %s\n", prefix,
             abi >= ABI_NET ? "enforced" : "NOT enforced (needs ABI 4)");
  if (l->scope)
    fprintf (out, "%slandlock: scope: %s\n", prefix,
             abi >= ABI_SCOPE ? "enforced" : "NOT enforced (needs ABI 6)");
  if (l->min_abi > (uint32_t) abi)
    fprintf (out, "%slandlock: min_abi %u: NOT met (the kernel has ABI %d)\n",
             prefix, (unsigned) l->min_abi, abi);
}

void
landlock_describe (const struct jail_spec *spec, FILE *out)
{
  describe_kernel (spec, "", out);
  print_rules (spec, "", out);
}

void
landlock_show (const struct jail_spec *spec, FILE *out)
{
  if (!spec->landlock.enabled)
    return;
  fputs ("\n# Landlock: the rules cordon run puts on the command, derived "
         "from the\n# mounts and the lists, and what this kernel enforces "
         "(comments, not keys):\n", out);
  print_rules (spec, "# ", out);
  describe_kernel (spec, "# ", out);
}

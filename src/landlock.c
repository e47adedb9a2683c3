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

/* ---- rules ---- */

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

/* PATH is DIR or beneath it. */
static bool
is_beneath (const char *path, const char *dir)
{
  size_t n = strlen (dir);
  if (strcmp (dir, "/") == 0)
    return true;
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The deny entry strictly beneath PATH, or NULL. */
static const char *
deny_beneath (const struct landlock_spec *l, const char *path)
{
  for (size_t i = 0; i < l->n_deny; i++)
    if (strcmp (l->deny[i], path) != 0 && is_beneath (l->deny[i], path))
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

static int
allow_derived (const struct rules *r, const char *path, uint64_t rights,
               cordon_error_t *err)
{
  if (is_denied (r->l, path))
    return 0;
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

/* What a mount lets through, as Landlock rights. */
static uint64_t
entry_rights (const struct fs_entry *e, bool *derive)
{
  *derive = true;
  switch (e->kind)
    {
    case FS_BIND:
      return e->writable ? ~0ULL : FS_READ | FS_EXEC;
    case FS_OVERLAY:
      return e->writable || e->upper ? ~0ULL : FS_READ | FS_EXEC;
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

static int
add_derived (const struct rules *r, const struct jail_spec *spec,
             cordon_error_t *err)
{
  /* the jail's "/" is read-only (mounts.c) */
  if (allow_derived (r, "/", FS_READ | FS_EXEC, err) < 0)
    return -1;
  for (size_t i = 0; i < spec->n_entries; i++)
    {
      const struct fs_entry *e = &spec->entries[i];
      bool derive;
      uint64_t rights = entry_rights (e, &derive);
      if (derive && !is_covered (spec, i)
          && allow_derived (r, e->dest, rights, err) < 0)
        return -1;
    }
  return 0;
}

static int
add_listed (const struct rules *r, char *const *paths, size_t n,
            uint64_t rights, const char *key, cordon_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    if (allow_path (r, paths[i], rights, true, err) < 0)
      return cordon_error_wrap (err, "landlock.%s", key);
  return 0;
}

static int
add_ports (const struct rules *r, const int *ports, size_t n,
           uint64_t access, cordon_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    {
      struct net_port_attr a = { .allowed_access = access,
                                 .port = (uint64_t) ports[i] };
      if (syscall (SYS_landlock_add_rule, r->fd, CORDON_LANDLOCK_RULE_NET_PORT,
                   &a, 0) < 0)
        return fail_errno (err, "landlock: add a rule for TCP port %d",
                           ports[i]);
    }
  return 0;
}

static int
add_rules (const struct rules *r, const struct jail_spec *spec,
           cordon_error_t *err)
{
  const struct landlock_spec *l = &spec->landlock;
  /* without a mount namespace there is nothing to derive from: "/" would
   * be the host's */
  if (l->derive && (spec->namespaces & JAIL_NS_MOUNT)
      && add_derived (r, spec, err) < 0)
    return -1;
  if (add_listed (r, l->read, l->n_read, FS_READ, "read", err) < 0
      || add_listed (r, l->write, l->n_write, ~0ULL, "write", err) < 0
      || add_listed (r, l->execute, l->n_execute, FS_READ | FS_EXEC,
                     "execute", err) < 0)
    return -1;
  if (r->plan->ports
      && (add_ports (r, l->tcp_bind, l->n_tcp_bind,
                     CORDON_LANDLOCK_ACCESS_NET_BIND_TCP, err) < 0
          || add_ports (r, l->tcp_connect, l->n_tcp_connect,
                        CORDON_LANDLOCK_ACCESS_NET_CONNECT_TCP, err) < 0))
    return -1;
  return 0;
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

void
landlock_describe (const struct jail_spec *spec, FILE *out)
{
  const struct landlock_spec *l = &spec->landlock;
  int abi = landlock_abi ();
  if (!l->enabled)
    {
      fprintf (out, "landlock: off (enabled = false)\n");
      return;
    }
  if (abi == 0)
    {
      fprintf (out, "landlock: this kernel has no Landlock: nothing of the "
               "landlock section is enforced\n");
      return;
    }
  fprintf (out, "landlock: ABI %d; file rules: enforced (%s)\n", abi,
           l->derive ? "derived from the mounts, and the lists"
                     : "the lists only");
  if (l->n_tcp_bind + l->n_tcp_connect > 0)
    fprintf (out, "landlock: tcp_bind/tcp_connect: %s\n",
             abi >= ABI_NET ? "enforced" : "NOT enforced (needs ABI 4)");
  if (l->scope)
    fprintf (out, "landlock: scope: %s\n",
             abi >= ABI_SCOPE ? "enforced" : "NOT enforced (needs ABI 6)");
  if (l->min_abi > (uint32_t) abi)
    fprintf (out, "landlock: min_abi %u: NOT met (the kernel has ABI %d)\n",
             (unsigned) l->min_abi, abi);
}

/* rules.c — the rules that involve more than one value, each a named
 * function, in one place: destinations taken twice, id maps, root,
 * overlays, hardening, what can run, the namespaces a section needs (run
 * on the whole spec by check_spec); and those checked as a section is
 * built, called from build.c and net.c where the checks always were, so
 * that problems keep their order: a mount's keys against its type, an
 * overlay's lower layers and upper/work, cgroup memory and swap, the
 * network mode against the namespaces and the keys against the mode
 * (which keys belong to which modes is the key table's). */
#include "config.h"

#include "profile/internal.h"

const char *
kind_name (enum fs_entry_kind kind)
{
  switch (kind)
    {
    case FS_SYMLINK: return "symlink";
    case FS_DIR: return "dir";
    case FS_FILE: return "file";
    default: return "mount";
    }
}

static int
by_dest_then_position (const void *a, const void *b, void *arg)
{
  const struct fs_entry *entries = arg;
  size_t i = *(const size_t *) a, j = *(const size_t *) b;
  int c = strcmp (entries[i].dest, entries[j].dest);
  return c ? c : (i > j) - (i < j);
}

/* Every entry whose destination an earlier one took, named with the
 * first that took it; sorted, not compared pairwise: a profile may hold
 * thousands of mounts. */
static void
check_destinations (struct loader *ld, const struct jail_spec *spec)
{
  size_t n = spec->n_entries;
  if (n < 2)
    return;
  size_t *order = xcalloc (n, sizeof *order);
  size_t *first = xcalloc (n, sizeof *first);
  for (size_t i = 0; i < n; i++)
    order[i] = i;
  qsort_r (order, n, sizeof *order, by_dest_then_position, spec->entries);
  for (size_t k = 0; k < n; k++)
    {
      bool same = k > 0 && strcmp (spec->entries[order[k]].dest,
                                   spec->entries[order[k - 1]].dest) == 0;
      first[order[k]] = same ? first[order[k - 1]] : order[k];
    }
  for (size_t i = 0; i < n; i++)
    if (first[i] != i)
      {
        const struct fs_entry *a = &spec->entries[first[i]];
        const struct fs_entry *b = &spec->entries[i];
        ld_diag_at (ld, DIAG_ERROR, b->origin.file, b->origin.line,
                    "%s '%s': '%s' is already used by the %s at %s:%d",
                    kind_name (b->kind), b->dest, b->dest, kind_name (a->kind),
                    a->origin.file, a->origin.line);
      }
  free (order);
  free (first);
}

/* A pair of overlapping ranges of a map, by index: LATER is reported. */
struct overlap
{
  size_t later, earlier;
  bool inside;
};

struct range_order
{
  const struct id_map *map;
  bool inside;
};

static uint64_t
range_start (const struct id_range *r, bool inside)
{
  return inside ? r->inside : r->outside;
}

static int
by_range_start (const void *a, const void *b, void *arg)
{
  const struct range_order *o = arg;
  size_t i = *(const size_t *) a, j = *(const size_t *) b;
  uint64_t x = range_start (&o->map->ranges[i], o->inside);
  uint64_t y = range_start (&o->map->ranges[j], o->inside);
  return x < y ? -1 : x > y ? 1 : (i > j) - (i < j);
}

/* The ranges that overlap another one in their inside (or outside) ids, in
 * one sweep of the ranges sorted by start: a range overlaps one before it
 * exactly when it starts before the furthest end so far.  A pairwise check
 * would take 14 s and a report per pair for 3,000 ranges. */
static void
find_overlaps (const struct id_map *map, bool inside, struct overlap **v,
               size_t *n, size_t *cap)
{
  size_t *order = xcalloc (map->n_ranges, sizeof *order);
  for (size_t i = 0; i < map->n_ranges; i++)
    order[i] = i;
  struct range_order o = { map, inside };
  qsort_r (order, map->n_ranges, sizeof *order, by_range_start, &o);
  uint64_t furthest = 0;
  size_t holder = 0;
  for (size_t k = 0; k < map->n_ranges; k++)
    {
      const struct id_range *r = &map->ranges[order[k]];
      uint64_t start = range_start (r, inside), end = start + r->count;
      if (k > 0 && start < furthest)
        {
          RESERVE_ONE (*v, *n, *cap);
          (*v)[(*n)++] = (struct overlap) {
            order[k] > holder ? order[k] : holder,
            order[k] > holder ? holder : order[k], inside };
        }
      if (k == 0 || end > furthest)
        {
          furthest = end;
          holder = order[k];
        }
    }
  free (order);
}

/* In the order of the file: by the range reported, then the other one,
 * the inside ids first. */
static int
by_reported_range (const void *a, const void *b)
{
  const struct overlap *x = a, *y = b;
  if (x->later != y->later)
    return x->later < y->later ? -1 : 1;
  if (x->earlier != y->earlier)
    return x->earlier < y->earlier ? -1 : 1;
  return (int) y->inside - (int) x->inside;
}

static void
check_id_map (struct loader *ld, const struct id_map *map, const char *name)
{
  if (map->n_ranges > MAX_ID_RANGES)
    ld_diag_at (ld, DIAG_ERROR, map->ranges[MAX_ID_RANGES].origin.file,
                map->ranges[MAX_ID_RANGES].origin.line, "%s: more than %d "
                "ranges", name, MAX_ID_RANGES);
  struct overlap *v = NULL;
  size_t n = 0, cap = 0, shown = 0;
  find_overlaps (map, true, &v, &n, &cap);
  find_overlaps (map, false, &v, &n, &cap);
  if (n > 0)
    qsort (v, n, sizeof *v, by_reported_range);
  for (size_t i = 0; i < n; i++)
    {
      if (i > 0 && v[i].later == v[i - 1].later
          && v[i].earlier == v[i - 1].earlier)
        continue;       /* the same pair, inside and outside */
      const struct id_range *a = &map->ranges[v[i].earlier];
      const struct id_range *b = &map->ranges[v[i].later];
      if (shown++ == MAX_OVERLAP_REPORTS)
        {
          ld_diag_at (ld, DIAG_ERROR, b->origin.file, b->origin.line, "%s: "
                      "more ranges overlap (only the first %d are shown)",
                      name, MAX_OVERLAP_REPORTS);
          break;
        }
      ld_diag_at (ld, DIAG_ERROR, b->origin.file, b->origin.line,
                  "%s: the %s ids overlap the range at %s:%d", name,
                  v[i].inside ? "inside" : "outside", a->origin.file,
                  a->origin.line);
    }
  free (v);
}

static bool
id_mapped (const struct id_map *map, uint32_t id)
{
  for (size_t i = 0; i < map->n_ranges; i++)
    if (id >= map->ranges[i].inside
        && (uint64_t) id < (uint64_t) map->ranges[i].inside + map->ranges[i].count)
      return true;
  return false;
}

static void
check_ids (struct loader *ld, const struct jail_spec *spec, const char *key,
           uint32_t id, const struct id_map *map, const char *map_name)
{
  if (map->n_ranges == 0)
    return;
  if (!(spec->namespaces & JAIL_NS_USER))
    ld_diag_at (ld, DIAG_ERROR, map->ranges[0].origin.file,
                map->ranges[0].origin.line, "%s needs the 'user' namespace",
                map_name);
  /* a value that failed its check is not the spec's: nothing to map */
  if (!id_mapped (map, id) && !key_rejected (ld, key))
    key_diag (ld, DIAG_ERROR, key, &map->ranges[0].origin, "'%s' %u is not "
              "mapped by any %s range", key, id, map_name);
}

/* The host id ID of the jail is, by MAP (ID itself when MAP is empty). */
static bool
map_to_host (const struct id_map *map, uint32_t id, uint32_t *host)
{
  for (size_t i = 0; i < map->n_ranges; i++)
    if (id >= map->ranges[i].inside
        && id - map->ranges[i].inside < map->ranges[i].count)
      {
        *host = map->ranges[i].outside + (id - map->ranges[i].inside);
        return true;
      }
  return false;
}

/* map_owner names a bind mount of the profile (its source is the tree
 * whose owner the jail becomes), and stands instead of the id maps. */
static void
check_map_owner (struct loader *ld, const struct jail_spec *spec)
{
  if (spec->map_owner == NULL || !is_absolute (spec->map_owner))
    return;       /* none, or its own error said already */
  if (spec->uid_map.n_ranges || spec->gid_map.n_ranges)
    key_diag (ld, DIAG_ERROR, "map_owner", &spec->origin, "'map_owner' and "
              "%s both say what the jail's ids are on the host: keep one",
              spec->uid_map.n_ranges ? "uid_map" : "gid_map");
  for (size_t i = 0; i < spec->n_entries; i++)
    if (spec->entries[i].kind == FS_BIND
        && strcmp (spec->entries[i].dest, spec->map_owner) == 0)
      return;
  key_diag (ld, DIAG_ERROR, "map_owner", &spec->origin, "'map_owner' '%s' is "
            "not the destination of a bind mount of this profile (it names "
            "the mount whose source's owner the jail's user becomes)",
            spec->map_owner);
}

/* An overlay's upper and work must be writable by the host id the jail's
 * uid is, or the kernel mounts the overlay read-only (and the run fails).
 * Said where that id is known without running: the profile maps the uid
 * itself, or a rootless jail is the launcher's own id.  By the mode bits:
 * a guess (groups, ACLs), so a warning. */
static void
check_overlay_dirs (struct loader *ld, const struct jail_spec *spec)
{
  uint32_t uid = spec->uid, gid = spec->gid;
  if (ld->mount_checks_sources || ld->unset_vars || key_rejected (ld, "uid")
      || key_rejected (ld, "gid"))
    return;                 /* the mount says it precisely; a uid that
                               failed its check is not the spec's */
  if (spec->namespaces & JAIL_NS_USER)
    {
      if (spec->uid_map.n_ranges)
        {
          if (!map_to_host (&spec->uid_map, spec->uid, &uid)
              || !map_to_host (&spec->gid_map, spec->gid, &gid))
            return;
        }
      else if (ld->running_as_root)
        return;             /* the map is chosen at run time */
      else
        uid = (uint32_t) geteuid (), gid = (uint32_t) getegid ();
    }
  if (uid == 0)
    return;
  for (size_t i = 0; i < spec->n_entries; i++)
    {
      const struct fs_entry *e = &spec->entries[i];
      if (e->kind != FS_OVERLAY || e->upper == NULL || e->work == NULL)
        continue;
      const char *dirs[] = { e->upper, e->work }, *keys[] = { "upper", "work" };
      for (size_t k = 0; k < 2; k++)
        {
          struct stat st;
          if (stat (dirs[k], &st) < 0)
            continue;
          mode_t m = st.st_mode;
          bool w = st.st_uid == uid ? (m & 0300) == 0300
                   : st.st_gid == gid ? (m & 0030) == 0030
                   : (m & 0003) == 0003;
          if (!w)
            ld_diag_at (ld, DIAG_WARNING, e->origin.file, e->origin.line,
                        "mount '%s': %s '%s' is not writable by host uid %u "
                        "(the jail's uid %u): the kernel would mount the "
                        "overlay read-only, and the run fails", e->dest,
                        keys[k], dirs[k], uid, spec->uid);
        }
    }
}

static void
check_root_dir (struct loader *ld, const struct jail_spec *spec)
{
  if (spec->root == NULL || !is_absolute (spec->root) || ld->unset_vars)
    return;
  int state = profile_dir_state (spec->root);
  profile_inputs_dir (ld->inputs, spec->root, state);
  if (state < 0)
    key_diag (ld, DIAG_ERROR, "root", &spec->origin, "root '%s' is not a "
              "directory", spec->root);
  else if (state != 0)
    key_diag (ld, DIAG_ERROR, "root", &spec->origin, "root '%s': %s",
              spec->root, strerror (state));
  if (state != 0)
    return;
  /* Judged as it resolves: "/tmp/.." and a link to "/" are "/" too. */
  struct stat st;
  int r = stat (spec->root, &st);
  profile_inputs_host_path (ld->inputs, spec->root, r == 0 ? &st : NULL,
                            errno);
  if (r == 0 && same_host_file (&st, host_dirs, 1))
    {
      char *name = spelled (spec->root, "/");
      key_diag (ld, DIAG_WARNING, "root", &spec->origin, "root is the host's "
                "%s: the jail sees the host's whole tree, read-only, with the "
                "host's /proc and /sys unmasked where the profile mounts "
                "nothing over them", name);
      free (name);
    }
}

/* What weakens the jail on purpose is allowed, but said. */
static void
check_hardening (struct loader *ld, const struct jail_spec *spec)
{
  const int sys_admin = cordon_caps_from_name ("CAP_SYS_ADMIN");
  if (sys_admin >= 0 && (spec->capabilities & (UINT64_C (1) << sys_admin)))
    key_diag (ld, DIAG_WARNING, "capabilities", &spec->origin, "'capabilities'"
              " keeps CAP_SYS_ADMIN: the command can mount, unshare and undo "
              "the masks over /proc inside its namespaces");
  if (spec->seccomp.preset == SECCOMP_PRESET_NONE)
    key_diag (ld, DIAG_WARNING, "seccomp.preset", &spec->seccomp.origin,
              "seccomp: preset \"none\" leaves every system call open "
              "(keyctl, bpf, io_uring, TIOCSTI...)");
  if (spec->tty && !spec->new_session)
    key_diag (ld, DIAG_ERROR, "tty", &spec->origin, "'tty = true' needs "
              "'new_session = true': the new terminal is the controlling "
              "terminal of the command's own session");
}

/* What validates key by key but cannot run. */
static void
check_runnable (struct loader *ld, const struct jail_spec *spec)
{
  if (spec->n_argv > 0 && spec->argv[0][0] == '\0' && !ld->unset_vars)
    key_diag (ld, DIAG_ERROR, "argv", &spec->origin, "'argv': the program "
              "(its first entry) is an empty string");
  for (size_t i = 0; i < spec->n_entries; i++)
    {
      const struct fs_entry *e = &spec->entries[i];
      if (e->kind != FS_PROC || (spec->namespaces & JAIL_NS_PID))
        continue;
      if (spec->namespaces & JAIL_NS_USER)
        ld_diag_at (ld, DIAG_ERROR, e->origin.file, e->origin.line, "mount "
                    "'%s': a proc mount in a user namespace needs the 'pid' "
                    "namespace (the kernel refuses it without)", e->dest);
      else
        ld_diag_at (ld, DIAG_WARNING, e->origin.file, e->origin.line, "mount "
                    "'%s': without the 'pid' namespace, the proc mount shows "
                    "the host's processes", e->dest);
    }
}

/* A plain section's keys need namespaces (keys.h): said at the first key
 * set, when one of them is off. */
static void
check_section_namespaces (struct loader *ld, const struct jail_spec *spec)
{
  for (int s = 0; s < N_SECTIONS; s++)
    {
      const struct section_desc *d = &section_table[s];
      unsigned missing = d->needs_namespaces & ~spec->namespaces;
      if (!d->plain || missing == 0)
        continue;
      const struct key_rec *first = NULL;
      for (size_t i = 0; i < n_key_table; i++)
        if (key_table[i].section == (enum key_section) s)
          {
            char *name = xasprintf ("%s.%s", d->name, key_table[i].name);
            const struct key_rec *k = key_origin (ld, name);
            free (name);
            if (k && (first == NULL || k->line < first->line))
              first = k;
          }
      int bit = __builtin_ctz (missing);
      if (first)
        ld_diag_at (ld, DIAG_ERROR, first->file, first->line, "'%s' needs "
                    "the '%s' namespace", d->name, namespace_names[bit]);
    }
}

/* A key that needs namespaces (the table's needs_namespaces), set while
 * one of them is off: said at the line that set it. */
static void
check_key_namespaces (struct loader *ld, const struct jail_spec *spec)
{
  for (size_t i = 0; i < n_key_table; i++)
    {
      const struct key_desc *k = &key_table[i];
      unsigned missing = k->needs_namespaces & ~spec->namespaces;
      if (missing == 0)
        continue;
      char *name = k->section == SEC_TOP
                     ? xstrdup (k->name)
                     : xasprintf ("%s.%s", section_table[k->section].name,
                                  k->name);
      if (key_origin (ld, name))
        key_diag (ld, DIAG_ERROR, name, &spec->origin, "'%s' needs the '%s' "
                  "namespace", name, namespace_names[__builtin_ctz (missing)]);
      free (name);
    }
}

/* namespaces = {}: the jail where user namespaces are not allowed.  Its
 * walls are Landlock and seccomp alone, on the host's own files. */
static void
check_no_namespaces (struct loader *ld, const struct jail_spec *spec)
{
  if (!spec->landlock.enabled)
    key_diag (ld, DIAG_ERROR, "landlock.enabled", &spec->origin, "a jail "
              "without namespaces needs Landlock (landlock.enabled = true)");
  if (spec->seccomp.preset == SECCOMP_PRESET_NONE)
    key_diag (ld, DIAG_ERROR, "seccomp.preset", &spec->origin, "a jail "
              "without namespaces needs a seccomp filter (not preset "
              "\"none\")");
  /* Nothing is derived without mounts: with no list of its own, the
   * jail may not even execute its command. */
  const struct landlock_spec *l = &spec->landlock;
  if (l->enabled && l->n_read + l->n_write + l->n_execute == 0)
    key_diag (ld, DIAG_WARNING, "namespaces", &spec->origin, "a jail "
              "without namespaces and without landlock read, write or "
              "execute paths is refused every file access, its command's "
              "own executable too");
  if (spec->root)
    key_diag (ld, DIAG_ERROR, "root", &spec->origin, "'root' needs the "
              "'mount' namespace");
  for (size_t i = 0; i < spec->n_entries; i++)
    {
      const struct fs_entry *e = &spec->entries[i];
      if (!e->generated)
        ld_diag_at (ld, DIAG_ERROR, e->origin.file, e->origin.line, "%s '%s' "
                    "needs the 'mount' namespace (a jail without namespaces "
                    "sees the host's files; allow them with landlock read, "
                    "write, execute)", e->kind == FS_SYMLINK ? "symlink"
                    : e->kind == FS_DIR ? "dir" : e->kind == FS_FILE ? "file"
                    : "mount", e->dest);
    }
}

/* deny takes paths out of the rules derived from the mounts: where none
 * are derived it would take nothing out, and a profile that relies on it
 * would be told nothing. */
static void
check_landlock_deny (struct loader *ld, const struct jail_spec *spec)
{
  const struct landlock_spec *l = &spec->landlock;
  if (!l->enabled || l->n_deny == 0)
    return;
  if (!l->derive)
    key_diag (ld, DIAG_ERROR, "landlock.deny", &l->origin, "'landlock.deny' "
              "takes paths out of the rules derived from the mounts, and "
              "'landlock.derive' is false: there are none (what 'read', "
              "'write' and 'execute' do not name is denied already)");
  else if (spec->namespaces == 0)
    key_diag (ld, DIAG_ERROR, "landlock.deny", &l->origin, "'landlock.deny' "
              "takes paths out of the rules derived from the mounts, and a "
              "jail without namespaces derives none (what 'read', 'write' "
              "and 'execute' do not name is denied already)");
}

/* A listen section serves an address: without one there is nothing for
 * `cordon serve` to do, and the other keys would be set for nothing.
 * Whether they were is the records' to say: a value that failed its check
 * is not in the spec, and "per_address = 0" is set though it is 0. */
static void
check_listen (struct loader *ld, const struct jail_spec *spec)
{
  if (spec->listen.address != NULL)
    return;
  const struct key_rec *first = NULL;
  for (size_t i = 0; i < n_key_table; i++)
    if (key_table[i].section == SEC_LISTEN)
      {
        char *name = xasprintf ("listen.%s", key_table[i].name);
        const struct key_rec *k = key_origin (ld, name);
        free (name);
        if (k && (first == NULL || k->line < first->line))
          first = k;
      }
  if (first)
    ld_diag_at (ld, DIAG_ERROR, first->file, first->line, "'listen' needs "
                "an 'address' to accept connections on (\"127.0.0.1:8022\", "
                "\"[::1]:8022\")");
}

/* The rules that involve more than one value. */
void
check_spec (struct loader *ld, const struct jail_spec *spec)
{
  check_listen (ld, spec);
  check_hardening (ld, spec);
  check_destinations (ld, spec);
  check_id_map (ld, &spec->uid_map, "uid_map");
  check_id_map (ld, &spec->gid_map, "gid_map");
  check_ids (ld, spec, "uid", spec->uid, &spec->uid_map, "uid_map");
  check_ids (ld, spec, "gid", spec->gid, &spec->gid_map, "gid_map");
  check_map_owner (ld, spec);
  check_root_dir (ld, spec);
  check_overlay_dirs (ld, spec);
  check_runnable (ld, spec);
  check_section_namespaces (ld, spec);
  if (spec->namespaces == 0)
    check_no_namespaces (ld, spec);
  else if (!(spec->namespaces & JAIL_NS_MOUNT))
    key_diag (ld, DIAG_ERROR, "namespaces", &spec->origin, "'namespaces' must "
              "include \"mount\" (cordon always pivots into a new root), or "
              "be {} for a jail of Landlock and seccomp alone");
  check_key_namespaces (ld, spec);
  check_landlock_deny (ld, spec);
  if (ld->running_as_root && !(spec->namespaces & JAIL_NS_USER))
    key_diag (ld, DIAG_WARNING, "namespaces", &spec->origin, "no 'user' "
              "namespace while running as root: root in the jail is root on "
              "the host");
}

/* ---- rules checked as a section is built (build.c and net.c call them
 * where they were, so that problems keep their order) ---- */

/* Keys that mean nothing for the mount's type are errors (the table says
 * which types a key belongs to). */
void
rule_mount_keys (struct loader *ld, const struct sec_rec *rec,
                  enum fs_entry_kind kind, bool has_upper)
{
  for (size_t i = 0; i < rec->n_keys; i++)
    {
      const char *key = rec->keys[i].key;
      const struct key_desc *k = key_find (SEC_MOUNT, key, strlen (key));
      bool ok = k && (k->mount_types == 0
                      || (k->mount_types & MOUNT_TYPE (kind)));
      if (ok && has_upper && (k->flags & KEY_NOT_WITH_UPPER))
        {
          sec_diag (ld, DIAG_ERROR, rec, rec->keys[i].line, "'%s' is only for "
                    "an overlay without 'upper'", key);
          continue;
        }
      if (!ok)
        sec_diag (ld, DIAG_ERROR, rec, rec->keys[i].line, "'%s' is not valid "
                  "for a %s mount", key, mount_type_names[kind]);
    }
}

/* An overlay has at least one lower layer. */
void
rule_overlay_needs_lower (struct loader *ld, const struct sec_rec *rec,
                          const struct fs_entry *e)
{
  if (e->n_lower == 0)
    sec_diag (ld, DIAG_ERROR, rec, rec->line, "an overlay needs 'lower' (at "
              "least one directory)");
}

/* An overlay's upper directory needs its work directory, and back. */
void
rule_upper_with_work (struct loader *ld, const struct sec_rec *rec,
                      const struct fs_entry *e)
{
  if ((e->upper == NULL) != (e->work == NULL))
    sec_diag (ld, DIAG_ERROR, rec, sec_key_line (rec, e->upper ? "upper"
                                                               : "work"),
              "'upper' and 'work' go together");
}

/* The smallest memory limit a jail starts under: the jail's pid 1 and an
 * exec of a small program take about 512K (measured), so below 1M the
 * limit kills most jails as they start. */
#define CGROUP_MEMORY_WARN ((uint64_t) 1 << 20)

/* A memory limit the kernel takes but no jail can run under: under a page
 * it rounds to none at all (the OOM killer at the first fault). */
void
rule_cgroup_memory (struct loader *ld, const struct cgroup_spec *c,
                     const struct sec_rec *rec)
{
  if (!c->has_memory)
    return;
  const struct key_rec *k = key_origin (ld, "cgroup.memory");
  const char *file = k ? k->file : rec->file;
  int line = k ? k->line : rec->line;
  uint64_t page = (uint64_t) sysconf (_SC_PAGESIZE);
  if (c->memory < page)
    ld_diag_at (ld, DIAG_ERROR, file, line, "cgroup: 'memory' %" PRIu64
                " is less than a page (%" PRIu64 " bytes): the jail is "
                "killed at its first step (\"max\" means no limit)",
                c->memory, page);
  else if (c->memory < CGROUP_MEMORY_WARN)
    ld_diag_at (ld, DIAG_WARNING, file, line, "cgroup: 'memory' %" PRIu64
                " is below 1M: the jail is likely killed as it starts",
                c->memory);
}

/* cgroup v1 can only limit memory and swap together. */
void
rule_swap_needs_memory (struct loader *ld, const struct cgroup_spec *c,
                        const struct sec_rec *rec)
{
  const struct key_rec *k = key_origin (ld, "cgroup.memory_swap");
  if (c->has_memory_swap && !c->has_memory)
    ld_diag_at (ld, DIAG_ERROR, k ? k->file : rec->file, k ? k->line
                : rec->line, "cgroup: 'memory_swap' needs 'memory' (the "
                "swap allowed on top of it)");
}

/* The network mode against the 'net' namespace (MODE_SET: the profile
 * names the mode, else it follows the namespaces). */
void
rule_network_mode (struct loader *ld, const struct jail_spec *spec,
                   const struct sec_rec *rec, bool mode_set)
{
  enum network_mode mode = spec->network.mode;
  bool has_net = spec->namespaces & JAIL_NS_NET;
  if (mode_set && mode == NETWORK_HOST && has_net)
    net_diag (ld, DIAG_ERROR, rec, "mode", "mode \"host\" shares the host's "
              "network: remove \"net\" from namespaces");
  else if (mode != NETWORK_HOST && !has_net)
    net_diag (ld, DIAG_ERROR, rec, "mode", "mode \"%s\" needs \"net\" in "
              "namespaces", network_mode_names[mode]);
  else if (mode == NETWORK_HOST && mode_set)
    net_diag (ld, DIAG_WARNING, rec, "mode", "mode \"host\": the jail "
              "shares the host's network (its interfaces, ports and abstract "
              "sockets)");
  else if (mode == NETWORK_HOST)
    key_diag (ld, DIAG_WARNING, "namespaces", &spec->origin, "no 'net' "
              "namespace: the jail shares the host's network (its interfaces, "
              "ports and abstract sockets)");
}

/* Keys that only mean something in some modes (the table's net_modes). */
bool
rule_network_keys (struct loader *ld, cfg_t *sec, const struct sec_rec *rec,
                   enum network_mode mode)
{
  bool ok = true;
  for (size_t i = 0; i < n_key_table; i++)
    {
      const struct key_desc *k = &key_table[i];
      if (k->section != SEC_NETWORK || k->net_modes == 0
          || (k->net_modes & NET_MODE (mode)) || cfg_size (sec, k->name) == 0)
        continue;
      struct strbuf modes = { 0 };
      for (int m = 0; network_mode_names[m]; m++)
        if (k->net_modes & NET_MODE (m))
          {
            if (modes.n)
              sb_puts (&modes, " or ");
            sb_putc (&modes, '"');
            sb_puts (&modes, network_mode_names[m]);
            sb_putc (&modes, '"');
          }
      net_diag (ld, DIAG_ERROR, rec, k->name, "'%s' needs mode %s", k->name,
                modes.s);
      free (modes.s);
      ok = false;
    }
  return ok;
}

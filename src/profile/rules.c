/* rules.c — the rules that involve more than one value, each a named
 * function: destinations taken twice, id maps, root, hardening, and the
 * namespaces a section needs. */
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
  if (!id_mapped (map, id))
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

/* An overlay's upper and work must be writable by the host id the jail's
 * uid is, or the kernel mounts the overlay read-only (and the run fails).
 * Said where that id is known without running: the profile maps the uid
 * itself, or a rootless jail is the launcher's own id.  By the mode bits:
 * a guess (groups, ACLs), so a warning. */
static void
check_overlay_dirs (struct loader *ld, const struct jail_spec *spec)
{
  uint32_t uid = spec->uid, gid = spec->gid;
  if (ld->mount_checks_sources || ld->unset_vars)
    return;                 /* the mount says it precisely */
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

/* The rules that involve more than one value. */
void
check_spec (struct loader *ld, const struct jail_spec *spec)
{
  check_hardening (ld, spec);
  check_destinations (ld, spec);
  check_id_map (ld, &spec->uid_map, "uid_map");
  check_id_map (ld, &spec->gid_map, "gid_map");
  check_ids (ld, spec, "uid", spec->uid, &spec->uid_map, "uid_map");
  check_ids (ld, spec, "gid", spec->gid, &spec->gid_map, "gid_map");
  check_root_dir (ld, spec);
  check_overlay_dirs (ld, spec);
  check_runnable (ld, spec);
  check_section_namespaces (ld, spec);
  if (!(spec->namespaces & JAIL_NS_MOUNT))
    key_diag (ld, DIAG_ERROR, "namespaces", &spec->origin, "'namespaces' must "
              "include \"mount\" (cordon always pivots into a new root)");
  if (spec->hostname && !(spec->namespaces & JAIL_NS_UTS))
    key_diag (ld, DIAG_ERROR, "hostname", &spec->origin, "'hostname' needs "
              "the 'uts' namespace");
  if (ld->running_as_root && !(spec->namespaces & JAIL_NS_USER))
    key_diag (ld, DIAG_WARNING, "namespaces", &spec->origin, "no 'user' "
              "namespace while running as root: root in the jail is root on "
              "the host");
}

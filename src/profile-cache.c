/* profile-cache.c — compiled profiles, kept for the next `cordon run`
 * (see profile-cache.h).  Owns the entry format: the request, the inputs,
 * the warnings and the spec, each field written in the order of spec.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "profile-cache.h"
#include "util.h"

#define ENTRY_MAGIC "cordon-profile-1\n"
#define SETTINGS_MAGIC "cordon-settings-1\n"
#define ENTRY_MAX_SIZE (64u << 20)
/* every namespace flag of enum jail_namespace */
#define ALL_NAMESPACES ((JAIL_NS_TIME << 1) - 1)

/* A field added to spec.h needs its line in put_spec and get_spec, and a
 * new size here; these catch the first half being forgotten (x86_64). */
#if defined(__x86_64__) && defined(__LP64__)
_Static_assert (sizeof (struct jail_spec) == 1120, "spec.h changed: "
                "update put_spec and get_spec");
_Static_assert (sizeof (struct fs_entry) == 128, "spec.h changed: "
                "update put_entry and get_entry");
_Static_assert (sizeof (struct seccomp_spec) == 80, "spec.h changed: "
                "update put_seccomp and get_seccomp");
_Static_assert (sizeof (struct seccomp_rule) == 176, "spec.h changed: "
                "update put_seccomp and get_seccomp");
_Static_assert (sizeof (struct network_spec) == 104, "spec.h changed: "
                "update put_network and get_network");
_Static_assert (sizeof (struct port_publish) == 32, "spec.h changed: "
                "update put_network and get_network");
_Static_assert (sizeof (struct cgroup_spec) == 64, "spec.h changed: "
                "update put_cgroup and get_cgroup");
_Static_assert (sizeof (struct env_spec) == 40, "spec.h changed: "
                "update put_spec and get_spec");
_Static_assert (sizeof (struct id_range) == 32, "spec.h changed: "
                "update put_id_map and get_id_map");
_Static_assert (sizeof (struct rlimit_setting) == 40, "spec.h changed: "
                "update put_spec and get_spec");
#endif

/* ---- recording the inputs ---- */

static struct profile_input *
new_input (struct profile_inputs *in, enum profile_input_kind kind,
           const char *name)
{
  RESERVE_ONE (in->items, in->n, in->cap);
  struct profile_input *i = &in->items[in->n++];
  *i = (struct profile_input) { .kind = kind, .name = xstrdup (name) };
  return i;
}

void
profile_inputs_file (struct profile_inputs *in, const char *path,
                     const char *text, size_t len, const struct stat *st)
{
  if (in == NULL)
    return;
  struct profile_input *i = new_input (in, PROFILE_INPUT_FILE, path);
  i->data = xstrndup (text, len);
  i->len = len;
  i->dev = (uint64_t) st->st_dev;
  i->ino = (uint64_t) st->st_ino;
}

void
profile_inputs_probe (struct profile_inputs *in, const char *path,
                      bool exists)
{
  if (in != NULL)
    new_input (in, PROFILE_INPUT_PROBE, path)->state = exists;
}

void
profile_inputs_env (struct profile_inputs *in, const char *name,
                    const char *value)
{
  if (in == NULL)
    return;
  struct profile_input *i = new_input (in, PROFILE_INPUT_ENV, name);
  if (value != NULL)
    {
      i->len = strlen (value);
      i->data = xstrndup (value, i->len);
    }
}

void
profile_inputs_dir (struct profile_inputs *in, const char *path, int state)
{
  if (in != NULL)
    new_input (in, PROFILE_INPUT_DIR, path)->state = state;
}

void
profile_inputs_host_path (struct profile_inputs *in, const char *path,
                          const struct stat *st, int errno_)
{
  if (in == NULL)
    return;
  struct profile_input *i = new_input (in, PROFILE_INPUT_HOST_PATH, path);
  i->state = st ? 0 : errno_;
  i->dev = st ? (uint64_t) st->st_dev : 0;
  i->ino = st ? (uint64_t) st->st_ino : 0;
}

void
profile_inputs_free (struct profile_inputs *in)
{
  for (size_t i = 0; i < in->n; i++)
    {
      free (in->items[i].name);
      free (in->items[i].data);
    }
  free (in->items);
  memset (in, 0, sizeof *in);
}

int
profile_dir_state (const char *path)
{
  struct stat st;
  if (stat (path, &st) < 0)
    return errno;
  return S_ISDIR (st.st_mode) ? 0 : -1;
}

/* ---- writing ---- */

/* The entry is written into a struct strbuf (util.h). */

static void
put_bytes (struct strbuf *o, const void *p, size_t n)
{
  sb_putn (o, p, n);
}

static void
put_u8 (struct strbuf *o, unsigned v)
{
  unsigned char c = (unsigned char) v;
  put_bytes (o, &c, 1);
}

static void
put_u32 (struct strbuf *o, uint32_t v)
{
  put_bytes (o, &v, sizeof v);
}

static void
put_u64 (struct strbuf *o, uint64_t v)
{
  put_bytes (o, &v, sizeof v);
}

/* LEN bytes at P, or NULL (P NULL) */
static void
put_data (struct strbuf *o, const char *p, size_t len)
{
  put_u8 (o, p != NULL);
  if (p == NULL)
    return;
  put_u64 (o, len);
  put_bytes (o, p, len);
}

static void
put_str (struct strbuf *o, const char *s)
{
  put_data (o, s, s ? strlen (s) : 0);
}

static void
put_strv (struct strbuf *o, char *const *v, size_t n)
{
  put_u8 (o, v != NULL);
  put_u64 (o, n);
  for (size_t i = 0; i < n; i++)
    put_str (o, v[i]);
}

static void
put_origin (struct strbuf *o, const struct spec_origin *g)
{
  put_str (o, g->file);
  put_u32 (o, (uint32_t) g->line);
}

static void
put_id_map (struct strbuf *o, const struct id_map *m)
{
  put_u8 (o, m->ranges != NULL);
  put_u64 (o, m->n_ranges);
  for (size_t i = 0; i < m->n_ranges; i++)
    {
      const struct id_range *r = &m->ranges[i];
      put_u32 (o, r->inside);
      put_u32 (o, r->outside);
      put_u32 (o, r->count);
      put_origin (o, &r->origin);
    }
}

static void
put_entry (struct strbuf *o, const struct fs_entry *e)
{
  put_u32 (o, e->kind);
  put_str (o, e->dest);
  put_origin (o, &e->origin);
  put_str (o, e->source);
  put_u8 (o, e->writable);
  put_u8 (o, e->optional);
  put_u64 (o, e->size);
  put_u8 (o, e->has_mode);
  put_u32 (o, e->mode);
  put_strv (o, e->lower, e->n_lower);
  put_str (o, e->upper);
  put_str (o, e->work);
  put_str (o, e->target);
  put_data (o, e->content, e->content_len);
  put_u8 (o, e->generated);
}

static void
put_seccomp (struct strbuf *o, const struct seccomp_spec *s)
{
  put_u32 (o, s->preset);
  put_strv (o, s->allow, s->n_allow);
  put_strv (o, s->deny, s->n_deny);
  put_u32 (o, s->action);
  put_u8 (o, s->compat);
  put_u8 (o, s->rules != NULL);
  put_u64 (o, s->n_rules);
  for (size_t i = 0; i < s->n_rules; i++)
    {
      const struct seccomp_rule *r = &s->rules[i];
      put_str (o, r->syscall);
      for (int a = 0; a < 6; a++)
        {
          put_u8 (o, r->args[a].set);
          put_u32 (o, r->args[a].op);
          put_u64 (o, r->args[a].value);
          put_u64 (o, r->args[a].mask);
        }
      put_u32 (o, r->action);
      put_origin (o, &r->origin);
    }
  put_origin (o, &s->origin);
}

static void
put_cgroup (struct strbuf *o, const struct cgroup_spec *c)
{
  put_u8 (o, c->has_memory);
  put_u64 (o, c->memory);
  put_u8 (o, c->has_memory_swap);
  put_u64 (o, c->memory_swap);
  put_u32 (o, c->pids);
  put_bytes (o, &c->cpu, sizeof c->cpu);
  put_origin (o, &c->origin);
}

static void
put_network (struct strbuf *o, const struct network_spec *n)
{
  put_u32 (o, n->mode);
  put_str (o, n->bridge);
  put_str (o, n->netns);
  put_u8 (o, n->address_auto);
  put_str (o, n->address);
  put_str (o, n->gateway);
  put_u32 (o, n->prefix);
  put_u8 (o, n->nat);
  put_strv (o, n->dns, n->n_dns);
  put_u8 (o, n->publish != NULL);
  put_u64 (o, n->n_publish);
  for (size_t i = 0; i < n->n_publish; i++)
    {
      const struct port_publish *p = &n->publish[i];
      put_str (o, p->host_address);
      put_u32 (o, p->host_port);
      put_u32 (o, p->jail_port);
      put_u32 (o, (uint32_t) p->protocol);
      put_origin (o, &p->origin);
    }
  put_origin (o, &n->origin);
}

static void
put_spec (struct strbuf *o, const struct jail_spec *s)
{
  put_str (o, s->name);
  put_str (o, s->description);
  put_origin (o, &s->origin);
  put_strv (o, s->argv, s->n_argv);
  put_str (o, s->cwd);
  put_origin (o, &s->cwd_origin);
  put_str (o, s->hostname);
  put_u32 (o, s->uid);
  put_u32 (o, s->gid);
  put_u32 (o, s->time_limit);
  put_u32 (o, s->namespaces);
  put_id_map (o, &s->uid_map);
  put_id_map (o, &s->gid_map);
  put_str (o, s->root);
  put_u8 (o, s->entries != NULL);
  put_u64 (o, s->n_entries);
  for (size_t i = 0; i < s->n_entries; i++)
    put_entry (o, &s->entries[i]);
  put_u8 (o, s->env.clear);
  put_strv (o, s->env.keep, s->env.n_keep);
  put_strv (o, s->env.set, s->env.n_set);
  put_u64 (o, s->capabilities);
  put_u8 (o, s->no_new_privs);
  put_seccomp (o, &s->seccomp);
  for (int i = 0; i < JAIL_RLIMIT_COUNT; i++)
    {
      const struct rlimit_setting *r = &s->rlimits[i];
      put_u8 (o, r->set);
      put_u64 (o, r->soft);
      put_u64 (o, r->hard);
      put_origin (o, &r->origin);
    }
  put_u8 (o, s->pass_fds != NULL);
  put_u64 (o, s->n_pass_fds);
  for (size_t i = 0; i < s->n_pass_fds; i++)
    put_u32 (o, (uint32_t) s->pass_fds[i]);
  put_u8 (o, s->new_session);
  put_u8 (o, s->tty);
  put_u8 (o, s->mask_paths);
  put_cgroup (o, &s->cgroup);
  put_network (o, &s->network);
}

/* ---- reading: every get_ fails softly, and the entry is then a miss ---- */

struct in
{
  const unsigned char *b;
  size_t n, at;
  bool ok;
};

static bool
get_bytes (struct in *i, void *p, size_t n)
{
  if (!i->ok || i->n - i->at < n)
    {
      i->ok = false;
      if (p != NULL && n > 0)
        memset (p, 0, n);
      return false;
    }
  if (p != NULL && n > 0)
    memcpy (p, i->b + i->at, n);
  i->at += n;
  return true;
}

/* Every byte put_u8 writes is a flag: 0 or 1, nothing else. */
static bool
get_u8 (struct in *i)
{
  unsigned char c = 0;
  if (get_bytes (i, &c, 1) && c > 1)
    i->ok = false;
  return i->ok && c;
}

static uint32_t
get_u32 (struct in *i)
{
  uint32_t v = 0;
  get_bytes (i, &v, sizeof v);
  return v;
}

/* A number of at most MAX (an enum's last value, a port, an int): what is
 * beyond makes the entry a miss, never a value the spec cannot hold. */
static uint32_t
get_upto (struct in *i, uint32_t max)
{
  uint32_t v = get_u32 (i);
  if (v > max)
    i->ok = false;
  return i->ok ? v : 0;
}

static uint64_t
get_u64 (struct in *i)
{
  uint64_t v = 0;
  get_bytes (i, &v, sizeof v);
  return v;
}

/* A count of items that are each at least MIN bytes: no more than the
 * rest of the entry holds, so a damaged count cannot make us allocate. */
static size_t
get_count (struct in *i, size_t min)
{
  uint64_t n = get_u64 (i);
  if (i->ok && n > (i->n - i->at) / (min ? min : 1))
    i->ok = false;
  return i->ok ? (size_t) n : 0;
}

/* Allocated with one zero byte after it; *LEN its length.  NULL: none
 * (or a failed read: i->ok says). */
static char *
get_data (struct in *i, size_t *len)
{
  *len = 0;
  if (!get_u8 (i))
    return NULL;
  size_t n = get_count (i, 1);
  char *p = i->ok ? malloc (n + 1) : NULL;
  if (p == NULL || !get_bytes (i, p, n))
    {
      free (p);
      i->ok = false;
      return NULL;
    }
  p[n] = '\0';
  *len = n;
  return p;
}

static char *
get_str (struct in *i)
{
  size_t len;
  char *s = get_data (i, &len);
  if (s != NULL && strlen (s) != len)
    {
      free (s);
      i->ok = false;
      return NULL;
    }
  return s;
}

/* calloc of N + 1 items, when the entry said there was an array */
static void *
get_array (struct in *i, bool present, size_t n, size_t size)
{
  if (!present && n > 0)
    i->ok = false;
  if (!i->ok || !present)
    return NULL;
  void *p = calloc (n + 1, size);
  if (p == NULL)
    i->ok = false;
  return p;
}

/* NULL-terminated, as argv must be */
static char **
get_strv (struct in *i, size_t *n_out)
{
  bool present = get_u8 (i);
  size_t n = get_count (i, 1);
  char **v = get_array (i, present, n, sizeof *v);
  *n_out = v ? n : 0;
  for (size_t k = 0; v && k < n; k++)
    if ((v[k] = get_str (i)) == NULL)
      i->ok = false;            /* a NULL would end the vector early */
  return v;
}

static void
get_origin (struct in *i, struct spec_origin *g)
{
  g->file = get_str (i);
  g->line = (int) get_upto (i, INT_MAX);
}

static void
get_id_map (struct in *i, struct id_map *m)
{
  bool present = get_u8 (i);
  size_t n = get_count (i, 13);
  m->ranges = get_array (i, present, n, sizeof *m->ranges);
  m->n_ranges = m->ranges ? n : 0;
  for (size_t k = 0; k < m->n_ranges; k++)
    {
      struct id_range *r = &m->ranges[k];
      r->inside = get_u32 (i);
      r->outside = get_u32 (i);
      r->count = get_u32 (i);
      get_origin (i, &r->origin);
    }
}

static void
get_entry (struct in *i, struct fs_entry *e)
{
  e->kind = (enum fs_entry_kind) get_upto (i, FS_FILE);
  if ((e->dest = get_str (i)) == NULL)
    i->ok = false;
  get_origin (i, &e->origin);
  e->source = get_str (i);
  e->writable = get_u8 (i);
  e->optional = get_u8 (i);
  e->size = get_u64 (i);
  e->has_mode = get_u8 (i);
  e->mode = (mode_t) get_upto (i, 07777);
  e->lower = get_strv (i, &e->n_lower);
  e->upper = get_str (i);
  e->work = get_str (i);
  e->target = get_str (i);
  e->content = get_data (i, &e->content_len);
  e->generated = get_u8 (i);
}

static void
get_seccomp (struct in *i, struct seccomp_spec *s)
{
  s->preset = (enum seccomp_preset) get_upto (i, SECCOMP_PRESET_NONE);
  s->allow = get_strv (i, &s->n_allow);
  s->deny = get_strv (i, &s->n_deny);
  s->action = (enum seccomp_action) get_upto (i, SECCOMP_ACTION_LOG);
  s->compat = get_u8 (i);
  bool present = get_u8 (i);
  size_t n = get_count (i, 1);
  s->rules = get_array (i, present, n, sizeof *s->rules);
  s->n_rules = s->rules ? n : 0;
  for (size_t k = 0; k < s->n_rules; k++)
    {
      struct seccomp_rule *r = &s->rules[k];
      if ((r->syscall = get_str (i)) == NULL)
        i->ok = false;
      for (int a = 0; a < 6; a++)
        {
          r->args[a].set = get_u8 (i);
          r->args[a].op
            = (enum seccomp_cmp) get_upto (i, SECCOMP_CMP_MASKED_EQ);
          r->args[a].value = get_u64 (i);
          r->args[a].mask = get_u64 (i);
        }
      r->action = (enum seccomp_action) get_upto (i, SECCOMP_ACTION_LOG);
      get_origin (i, &r->origin);
    }
  get_origin (i, &s->origin);
}

static void
get_cgroup (struct in *i, struct cgroup_spec *c)
{
  c->has_memory = get_u8 (i);
  c->memory = get_u64 (i);
  c->has_memory_swap = get_u8 (i);
  c->memory_swap = get_u64 (i);
  c->pids = get_u32 (i);
  get_bytes (i, &c->cpu, sizeof c->cpu);
  if (!isfinite (c->cpu) || c->cpu < 0)
    i->ok = false;
  get_origin (i, &c->origin);
}

static int
get_protocol (struct in *i)
{
  uint32_t p = get_u32 (i);
  if (p != IPPROTO_TCP && p != IPPROTO_UDP)
    i->ok = false;
  return (int) p;
}

static void
get_network (struct in *i, struct network_spec *n)
{
  n->mode = (enum network_mode) get_upto (i, NETWORK_NETNS);
  n->bridge = get_str (i);
  n->netns = get_str (i);
  n->address_auto = get_u8 (i);
  n->address = get_str (i);
  n->gateway = get_str (i);
  n->prefix = get_upto (i, 128);
  n->nat = get_u8 (i);
  n->dns = get_strv (i, &n->n_dns);
  bool present = get_u8 (i);
  size_t count = get_count (i, 1);
  n->publish = get_array (i, present, count, sizeof *n->publish);
  n->n_publish = n->publish ? count : 0;
  for (size_t k = 0; k < n->n_publish; k++)
    {
      struct port_publish *p = &n->publish[k];
      p->host_address = get_str (i);
      p->host_port = (uint16_t) get_upto (i, UINT16_MAX);
      p->jail_port = (uint16_t) get_upto (i, UINT16_MAX);
      p->protocol = get_protocol (i);
      get_origin (i, &p->origin);
    }
  get_origin (i, &n->origin);
}

static struct jail_spec *
get_spec (struct in *i)
{
  struct jail_spec *s = calloc (1, sizeof *s);
  if (s == NULL)
    return NULL;
  s->name = get_str (i);
  s->description = get_str (i);
  get_origin (i, &s->origin);
  s->argv = get_strv (i, &s->n_argv);
  s->cwd = get_str (i);
  get_origin (i, &s->cwd_origin);
  s->hostname = get_str (i);
  s->uid = get_u32 (i);
  s->gid = get_u32 (i);
  s->time_limit = get_u32 (i);
  s->namespaces = get_upto (i, ALL_NAMESPACES);
  get_id_map (i, &s->uid_map);
  get_id_map (i, &s->gid_map);
  s->root = get_str (i);
  bool present = get_u8 (i);
  size_t n = get_count (i, 1);
  s->entries = get_array (i, present, n, sizeof *s->entries);
  s->n_entries = s->entries ? n : 0;
  for (size_t k = 0; k < s->n_entries; k++)
    get_entry (i, &s->entries[k]);
  s->env.clear = get_u8 (i);
  s->env.keep = get_strv (i, &s->env.n_keep);
  s->env.set = get_strv (i, &s->env.n_set);
  s->capabilities = get_u64 (i);
  s->no_new_privs = get_u8 (i);
  get_seccomp (i, &s->seccomp);
  for (int k = 0; k < JAIL_RLIMIT_COUNT; k++)
    {
      struct rlimit_setting *r = &s->rlimits[k];
      r->set = get_u8 (i);
      r->soft = get_u64 (i);
      r->hard = get_u64 (i);
      get_origin (i, &r->origin);
    }
  present = get_u8 (i);
  n = get_count (i, 4);
  s->pass_fds = get_array (i, present, n, sizeof *s->pass_fds);
  s->n_pass_fds = s->pass_fds ? n : 0;
  for (size_t k = 0; k < s->n_pass_fds; k++)
    s->pass_fds[k] = (int) get_upto (i, INT_MAX);
  s->new_session = get_u8 (i);
  s->tty = get_u8 (i);
  s->mask_paths = get_u8 (i);
  get_cgroup (i, &s->cgroup);
  get_network (i, &s->network);
  if (!i->ok)
    {
      jail_spec_free (s);
      return NULL;
    }
  return s;
}

bool
profile_cache_encode (const struct jail_spec *spec, unsigned char **buf,
                      size_t *len)
{
  struct strbuf o = { 0 };
  put_spec (&o, spec);
  *buf = (unsigned char *) o.s;
  *len = o.n;
  return true;
}

bool
profile_cache_decode (const unsigned char *buf, size_t len,
                      struct jail_spec **out)
{
  struct in i = { .b = buf, .n = len, .ok = true };
  *out = get_spec (&i);
  if (*out != NULL && i.at != len)
    {
      jail_spec_free (*out);
      *out = NULL;
    }
  return *out != NULL;
}

/* ---- the request: what the entry is for ---- */

static void put_settings (struct strbuf *o, const struct settings *s);

/* MAGIC, then what every entry depends on (cordon's build, libseccomp's:
 * cache.h).  False: cordon has no build id, so there is no way to tell its
 * entries from another build's. */
static bool
put_build (struct strbuf *o, const char *magic)
{
  put_bytes (o, magic, strlen (magic));
  return cache_put_build (o);
}

/* Everything but the inputs that the load depends on, from cordon's own
 * build (the built-in profile, the checks) to the -D overrides. */
static bool
put_request (struct strbuf *o, const struct profile_request *req)
{
  if (!put_build (o, ENTRY_MAGIC))
    return false;
  put_str (o, req->path);
  put_u64 (o, req->n_overrides);
  for (size_t i = 0; i < req->n_overrides; i++)
    put_str (o, req->overrides[i]);
  put_u8 (o, req->settings != NULL);
  if (req->settings != NULL)
    put_settings (o, req->settings);
  put_u8 (o, req->running_as_root);
  put_u8 (o, req->mount_checks_sources);
  return true;
}

/* ---- inputs, as written and as checked ---- */

static void
put_inputs (struct strbuf *o, const struct profile_inputs *in)
{
  put_u64 (o, in->n);
  for (size_t k = 0; k < in->n; k++)
    {
      const struct profile_input *i = &in->items[k];
      put_u32 (o, i->kind);
      put_str (o, i->name);
      put_data (o, i->data, i->len);
      put_u64 (o, i->dev);
      put_u64 (o, i->ino);
      put_u32 (o, (uint32_t) i->state);
    }
}

/* Is the file at PATH LEN bytes equal to DATA, the same file as before? */
static bool
same_file (const char *path, const char *data, size_t len, uint64_t dev,
           uint64_t ino)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return false;
  struct stat st;
  char *buf = NULL;
  bool same = fstat (fd, &st) == 0 && S_ISREG (st.st_mode)
              && (uint64_t) st.st_dev == dev && (uint64_t) st.st_ino == ino
              && (uint64_t) st.st_size == len
              && (buf = malloc (len + 1)) != NULL
              && read (fd, buf, len + 1) == (ssize_t) len
              && memcmp (buf, data, len) == 0;
  free (buf);
  close (fd);
  return same;
}

static bool
input_unchanged (struct in *i)
{
  enum profile_input_kind kind
    = (enum profile_input_kind) get_upto (i, PROFILE_INPUT_LAST);
  char *name = get_str (i);
  size_t len;
  char *data = get_data (i, &len);
  uint64_t dev = get_u64 (i), ino = get_u64 (i);
  int state = (int) get_u32 (i);
  bool same = false;
  if (i->ok && name != NULL)
    switch (kind)
      {
      case PROFILE_INPUT_FILE:
        same = data != NULL && same_file (name, data, len, dev, ino);
        break;
      case PROFILE_INPUT_PROBE:
        {
          struct stat st;
          same = (stat (name, &st) == 0) == (state != 0);
        }
        break;
      case PROFILE_INPUT_ENV:
        {
          const char *now = getenv (name);
          same = (now == NULL && data == NULL)
                 || (now != NULL && data != NULL && strcmp (now, data) == 0);
        }
        break;
      case PROFILE_INPUT_DIR:
        same = profile_dir_state (name) == state;
        break;
      case PROFILE_INPUT_HOST_PATH:
        {
          struct stat st;
          int r = stat (name, &st);
          same = r == 0 ? state == 0 && (uint64_t) st.st_dev == dev
                          && (uint64_t) st.st_ino == ino
                        : state == errno;
        }
        break;
      }
  free (name);
  free (data);
  return same;
}

static void
put_diagnostics (struct strbuf *o, const struct diagnostics *d)
{
  put_u64 (o, d->n);
  for (size_t k = 0; k < d->n; k++)
    {
      put_u32 (o, d->items[k].severity);
      put_str (o, d->items[k].file);
      put_u32 (o, (uint32_t) d->items[k].line);
      put_str (o, d->items[k].message);
    }
}

/* Appended to DIAGS only once the whole entry has been read. */
static bool
get_diagnostics (struct in *i, struct diagnostics *out)
{
  size_t n = get_count (i, 1);
  struct diagnostic *items = get_array (i, true, n, sizeof *items);
  for (size_t k = 0; items && k < n; k++)
    {
      items[k].severity = (enum diag_severity) get_upto (i, DIAG_WARNING);
      items[k].file = get_str (i);
      items[k].line = (int) get_upto (i, INT_MAX);
      items[k].message = get_str (i);
      if (items[k].file == NULL || items[k].message == NULL)
        i->ok = false;
    }
  out->items = items;
  out->n = out->cap = items ? n : 0;
  return i->ok;
}

/* ---- the entry ---- */

static bool
entry_name (const unsigned char *request, size_t len, char *name,
            size_t size)
{
  struct cache_hash h;
  cache_hash_init (&h);
  cache_hash_bytes (&h, request, len);
  return snprintf (name, size, "%016llx.profile",
                   (unsigned long long) h.h) < (int) size;
}

/* The entry for REQUEST (put_request's or put_settings_request's bytes),
 * when it holds that request and every input is unchanged: *BUF holds it
 * (to free), *I stands after its warnings, which are in *WARNINGS.  The
 * request is compared whole (the file name is only its hash); each of its
 * fields has a known length, so an entry that starts with it is for it. */
static bool
entry_open (const struct strbuf *request, unsigned char **buf, struct in *i,
            struct diagnostics *warnings)
{
  char name[64];
  size_t len = 0;
  bool hit = false;
  *buf = NULL;
  if (entry_name ((const unsigned char *) request->s, request->n, name,
                  sizeof name))
    {
      int dirfd = cache_dir_open ("profiles", false);
      hit = dirfd >= 0
            && cache_file_read (dirfd, name, ENTRY_MAX_SIZE, buf, &len)
            && len >= request->n
            && memcmp (*buf, request->s, request->n) == 0;
      close_fd (&dirfd);
    }
  *i = (struct in) { .b = *buf, .n = len, .at = request->n, .ok = hit };
  size_t n_inputs = hit ? get_count (i, 1) : 0;
  for (size_t k = 0; i->ok && k < n_inputs; k++)
    if (!input_unchanged (i))
      i->ok = false;
  return i->ok && get_diagnostics (i, warnings);
}

/* Keep ENTRY (request, inputs, warnings, payload), its first REQUEST_LEN
 * bytes the request that names it. */
static void
entry_write (const struct strbuf *entry, size_t request_len)
{
  char name[64];
  if (entry->n > ENTRY_MAX_SIZE
      || !entry_name ((const unsigned char *) entry->s, request_len, name,
                      sizeof name))
    return;
  int dirfd = cache_dir_open ("profiles", true);
  if (dirfd >= 0)
    cache_file_write (dirfd, name, entry->s, entry->n);
  close_fd (&dirfd);
}

bool
profile_cache_lookup (const struct profile_request *req,
                      struct jail_spec **out, struct diagnostics *diags)
{
  struct strbuf request = { 0 };
  unsigned char *buf = NULL;
  struct in i;
  struct diagnostics warnings = { 0 };
  struct jail_spec *spec = NULL;
  if (put_request (&request, req) && entry_open (&request, &buf, &i, &warnings))
    spec = get_spec (&i);
  if (spec != NULL && i.at == i.n)
    {
      diagnostics_append (diags, &warnings);
      *out = spec;
    }
  else
    {
      jail_spec_free (spec);
      spec = NULL;
    }
  diagnostics_free (&warnings);
  free (buf);
  free (request.s);
  return spec != NULL;
}

void
profile_cache_store (const struct profile_request *req,
                     const struct profile_inputs *in,
                     const struct jail_spec *spec,
                     const struct diagnostics *diags)
{
  struct strbuf o = { 0 };
  if (put_request (&o, req))
    {
      size_t request_len = o.n;
      put_inputs (&o, in);
      put_diagnostics (&o, diags);
      put_spec (&o, spec);
      entry_write (&o, request_len);
    }
  free (o.s);
}

/* ---- the settings file, the same way ---- */

static bool
put_settings_request (struct strbuf *o, const char *path)
{
  if (!put_build (o, SETTINGS_MAGIC))
    return false;
  put_str (o, path);
  return true;
}

static void
put_settings (struct strbuf *o, const struct settings *s)
{
  put_strv (o, s->profile_path, s->n_profile_path);
  put_str (o, s->cgroup_parent);
  put_u32 (o, (uint32_t) s->cgroup_version);
  put_str (o, s->network_bridge);
  put_str (o, s->network_gateway);
  put_u32 (o, s->root_id_start);
  put_u32 (o, s->root_id_count);
}

static void
get_settings (struct in *i, struct settings *s)
{
  s->profile_path = get_strv (i, &s->n_profile_path);
  s->cgroup_parent = get_str (i);
  s->cgroup_version = (int) get_upto (i, 2);
  s->network_bridge = get_str (i);
  s->network_gateway = get_str (i);
  s->root_id_start = get_u32 (i);
  s->root_id_count = get_u32 (i);
}

bool
settings_cache_lookup (const char *path, struct settings *out,
                       struct diagnostics *diags)
{
  struct strbuf request = { 0 };
  unsigned char *buf = NULL;
  struct in i;
  struct diagnostics warnings = { 0 };
  struct settings s = { 0 };
  bool hit = false;
  if (put_settings_request (&request, path)
      && entry_open (&request, &buf, &i, &warnings))
    {
      get_settings (&i, &s);
      hit = i.ok && i.at == i.n;
    }
  if (hit)
    {
      diagnostics_append (diags, &warnings);
      *out = s;
    }
  else
    settings_free (&s);
  diagnostics_free (&warnings);
  free (buf);
  free (request.s);
  return hit;
}

void
settings_cache_store (const char *path, const struct profile_inputs *in,
                      const struct settings *s,
                      const struct diagnostics *diags)
{
  struct strbuf o = { 0 };
  if (put_settings_request (&o, path))
    {
      size_t request_len = o.n;
      put_inputs (&o, in);
      put_diagnostics (&o, diags);
      put_settings (&o, s);
      entry_write (&o, request_len);
    }
  free (o.s);
}

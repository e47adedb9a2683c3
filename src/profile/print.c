/* print.c — cordon show: a spec written back in the profile language. */
#include "config.h"

#include "profile/internal.h"

void
profile_print_string (FILE *out, const char *s)
{
  struct strbuf b = { 0 };
  put_quoted_chars (&b, s ? s : "", s ? strlen (s) : 0);
  fprintf (out, "\"%s\"", b.s ? b.s : "");
  free (b.s);
}

static void
print_list (FILE *out, char *const *v, size_t n)
{
  fputc ('{', out);
  for (size_t i = 0; i < n; i++)
    {
      if (i)
        fputs (", ", out);
      profile_print_string (out, v[i]);
    }
  fputc ('}', out);
}

static void
print_size (FILE *out, uint64_t size)
{
  char buf[32];
  if (spec_format_size (size, buf, sizeof buf))
    fprintf (out, "  size = \"%s\"", buf);
  else
    fprintf (out, "  size = %s", buf);
}

static void
print_mount_body (FILE *out, const struct fs_entry *e)
{
  static const char *const types[] = { [FS_BIND] = "bind", [FS_TMPFS] = "tmpfs",
    [FS_OVERLAY] = "overlay", [FS_PROC] = "proc", [FS_DEV] = "dev" };
  fprintf (out, " type = \"%s\"", types[e->kind]);
  if (e->kind == FS_BIND)
    {
      fputs ("  source = ", out);
      profile_print_string (out, e->source);
    }
  if (e->kind == FS_OVERLAY)
    {
      fputs ("  lower = ", out);
      print_list (out, e->lower, e->n_lower);
      if (e->upper)
        {
          fputs ("  upper = ", out);
          profile_print_string (out, e->upper);
          fputs ("  work = ", out);
          profile_print_string (out, e->work);
        }
    }
  if (e->kind == FS_BIND || (e->kind == FS_OVERLAY && !e->upper))
    fprintf (out, "  writable = %s", e->writable ? "true" : "false");
  if (e->kind == FS_BIND || e->kind == FS_OVERLAY)
    fprintf (out, "  optional = %s", e->optional ? "true" : "false");
  if (e->kind == FS_TMPFS || (e->kind == FS_OVERLAY && !e->upper && e->size))
    print_size (out, e->size);
  if ((e->kind == FS_TMPFS || (e->kind == FS_OVERLAY && !e->upper))
      && e->has_mode)
    fprintf (out, "  mode = \"%04o\"", (unsigned) e->mode);
}

static void
print_entry (FILE *out, const struct fs_entry *e)
{
  fprintf (out, "%s ", kind_name (e->kind));
  profile_print_string (out, e->dest);
  fputs (" {", out);
  switch (e->kind)
    {
    case FS_SYMLINK:
      fputs (" target = ", out);
      profile_print_string (out, e->target);
      break;
    case FS_DIR:
      fprintf (out, " mode = \"%04o\"", (unsigned) e->mode);
      break;
    case FS_FILE:
      fputs (" content = ", out);
      profile_print_string (out, e->content);
      fprintf (out, "  mode = \"%04o\"", (unsigned) e->mode);
      break;
    default:
      print_mount_body (out, e);
    }
  fputs (" }\n", out);
}

static void
print_id_map (FILE *out, const char *name, const struct id_map *map)
{
  for (size_t i = 0; i < map->n_ranges; i++)
    fprintf (out, "%s { inside = %" PRIu32 "  outside = %" PRIu32
             "  count = %" PRIu32 " }\n", name, map->ranges[i].inside,
             map->ranges[i].outside, map->ranges[i].count);
}

static void
print_namespaces (FILE *out, unsigned mask)
{
  fputs ("namespaces  = {", out);
  bool first = true;
  for (size_t i = 0; namespace_names[i]; i++)
    if (mask & (1u << i))
      {
        fprintf (out, "%s\"%s\"", first ? "" : ", ", namespace_names[i]);
        first = false;
      }
  fputs ("}\n", out);
}

/* The shortest decimal that reads back as the same double. */
static void
print_double (FILE *out, double v)
{
  char buf[64];
  for (int prec = 1; prec <= 17; prec++)
    {
      snprintf (buf, sizeof buf, "%.*g", prec, v);
      if (strtod (buf, NULL) == v)
        break;
    }
  fputs (buf, out);
  if (!strpbrk (buf, ".eEn"))
    fputs (".0", out);
}

static void
print_cgroup (FILE *out, const struct cgroup_spec *c)
{
  if (!c->has_memory && !c->has_memory_swap && !c->pids && c->cpu <= 0)
    return;
  fputs ("\ncgroup {\n", out);
  const struct { bool has; uint64_t v; const char *key; } sizes[] = {
    { c->has_memory, c->memory, "memory" },
    { c->has_memory_swap, c->memory_swap, "memory_swap" },
  };
  for (size_t i = 0; i < 2; i++)
    if (sizes[i].has)
      {
        char buf[32];
        spec_format_size (sizes[i].v, buf, sizeof buf);
        fprintf (out, "    %-11s = \"%s\"\n", sizes[i].key, buf);
      }
  if (c->pids)
    fprintf (out, "    pids        = %" PRIu32 "\n", c->pids);
  if (c->cpu > 0)
    {
      fputs ("    cpu         = ", out);
      print_double (out, c->cpu);
      fputc ('\n', out);
    }
  fputs ("}\n", out);
}

/* KEY's value at BASE as a plain section prints it, into BUF; false when
 * it is 0 (not printed). */
static bool
plain_value (const struct key_desc *k, const char *base, char *buf,
             size_t size)
{
  const void *at = base + k->off;
  switch (k->bind)
    {
    case BIND_DURATION:
      if (*(const int64_t *) at == 0)
        return false;
      buf[0] = '"';
      format_duration (*(const int64_t *) at, buf + 1, size - 2);
      strcat (buf, "\"");
      return true;
    case BIND_BOOL:
      snprintf (buf, size, "true");
      return *(const bool *) at;
    case BIND_U32:
      snprintf (buf, size, "%" PRIu32, *(const uint32_t *) at);
      return *(const uint32_t *) at != 0;
    case BIND_STRING:
      /* checked values (addresses, names): nothing to escape */
      snprintf (buf, size, "\"%s\"", *(char *const *) at ? *(char *const *) at : "");
      return *(char *const *) at != NULL;
    default:
      return false;         /* not a kind plain sections hold */
    }
}

/* A plain section (keys.h), by its table: the keys that are not 0, and
 * nothing when none is. */
static void
print_plain_section (FILE *out, enum key_section s, const char *base)
{
  char buf[64];
  int width = 0;
  for (size_t i = 0; i < n_key_table; i++)
    if (key_table[i].section == s
        && plain_value (&key_table[i], base, buf, sizeof buf)
        && (int) strlen (key_table[i].name) > width)
      width = (int) strlen (key_table[i].name);
  if (width == 0)
    return;
  fprintf (out, "\n%s {\n", section_table[s].name);
  for (size_t i = 0; i < n_key_table; i++)
    if (key_table[i].section == s
        && plain_value (&key_table[i], base, buf, sizeof buf))
      fprintf (out, "    %-*s = %s\n", width, key_table[i].name, buf);
  fputs ("}\n", out);
}

static void
print_ports (FILE *out, const char *key, const int *v, size_t n)
{
  if (n == 0)
    return;
  fprintf (out, "    %-11s = {", key);
  for (size_t i = 0; i < n; i++)
    fprintf (out, "%s%d", i ? ", " : "", v[i]);
  fputs ("}\n", out);
}

static void
print_paths (FILE *out, const char *key, char *const *v, size_t n)
{
  if (n == 0)
    return;
  fprintf (out, "    %-11s = ", key);
  print_list (out, v, n);
  fputc ('\n', out);
}

/* Only what differs from the default (on, rules derived from the mounts):
 * every profile would print the same section otherwise. */
static void
print_landlock (FILE *out, const struct landlock_spec *l)
{
  if (l->enabled && !l->required && l->derive && l->min_abi == 0
      && l->n_read + l->n_write + l->n_execute + l->n_deny == 0
      && l->n_tcp_bind + l->n_tcp_connect == 0 && l->scope == 0)
    return;
  fputs ("\nlandlock {\n", out);
  fprintf (out, "    enabled     = %s\n", l->enabled ? "true" : "false");
  fprintf (out, "    required    = %s\n", l->required ? "true" : "false");
  fprintf (out, "    derive      = %s\n", l->derive ? "true" : "false");
  if (l->min_abi)
    fprintf (out, "    min_abi     = %" PRIu32 "\n", l->min_abi);
  print_paths (out, "read", l->read, l->n_read);
  print_paths (out, "write", l->write, l->n_write);
  print_paths (out, "execute", l->execute, l->n_execute);
  print_paths (out, "deny", l->deny, l->n_deny);
  print_ports (out, "tcp_bind", l->tcp_bind, l->n_tcp_bind);
  print_ports (out, "tcp_connect", l->tcp_connect, l->n_tcp_connect);
  if (l->scope)
    {
      fputs ("    scope       = {", out);
      for (int b = 0, k = 0; landlock_scope_names[b]; b++)
        if (l->scope & (1u << b))
          fprintf (out, "%s\"%s\"", k++ ? ", " : "", landlock_scope_names[b]);
      fputs ("}\n", out);
    }
  fputs ("}\n", out);
}

static void
print_seccomp (FILE *out, const struct seccomp_spec *s)
{
  fprintf (out, "\nseccomp {\n    preset = \"%s\"\n    action = \"%s\"\n"
           "    compat = %s\n    allow  = ", seccomp_preset_names[s->preset],
           seccomp_action_names[s->action], s->compat ? "true" : "false");
  print_list (out, s->allow, s->n_allow);
  fputs ("\n    deny   = ", out);
  print_list (out, s->deny, s->n_deny);
  fputc ('\n', out);
  for (size_t i = 0; i < s->n_rules; i++)
    {
      const struct seccomp_rule *r = &s->rules[i];
      fputs ("    rule ", out);
      profile_print_string (out, r->syscall);
      fputs (" {", out);
      for (unsigned a = 0; a < 6; a++)
        {
          const struct seccomp_arg_cmp *c = &r->args[a];
          if (!c->set)
            continue;
          if (c->op == SECCOMP_CMP_MASKED_EQ)
            fprintf (out, " arg%u = \"& %#" PRIx64 " == %#" PRIx64 "\"", a,
                     c->mask, c->value);
          else
            fprintf (out, " arg%u = \"%s %#" PRIx64 "\"", a,
                     seccomp_cmp_names[c->op], c->value);
        }
      fprintf (out, " action = \"%s\" }\n", seccomp_action_names[r->action]);
    }
  fputs ("}\n", out);
}

static void
print_rlimit_value (FILE *out, uint64_t v)
{
  if (v == UINT64_MAX)
    fputs ("unlimited", out);
  else
    fprintf (out, "%" PRIu64, v);
}

static void
print_hardening (FILE *out, const struct jail_spec *spec)
{
  fputs ("\ncapabilities = {", out);
  bool first = true;
  for (unsigned cap = 0; cap < 64; cap++)
    if (spec->capabilities & (UINT64_C (1) << cap))
      {
        char name[64];
        fprintf (out, "%s\"%s\"", first ? "" : ", ",
                 cordon_caps_name (cap, name, sizeof name));
        first = false;
      }
  fprintf (out, "}\nno_new_privs = %s\npass_fds     = {",
           spec->no_new_privs ? "true" : "false");
  for (size_t i = 0; i < spec->n_pass_fds; i++)
    fprintf (out, "%s%d", i ? ", " : "", spec->pass_fds[i]);
  fprintf (out, "}\nnew_session  = %s\ntty          = %s\n"
           "mask_paths   = %s\n", spec->new_session ? "true" : "false",
           spec->tty ? "true" : "false", spec->mask_paths ? "true" : "false");
  print_seccomp (out, &spec->seccomp);
  fputs ("\nrlimit {\n", out);
  for (int r = 0; r < JAIL_RLIMIT_COUNT; r++)
    if (spec->rlimits[r].set)
      {
        fprintf (out, "    %s = \"", cordon_rlimit_name (r));
        print_rlimit_value (out, spec->rlimits[r].soft);
        if (spec->rlimits[r].hard != spec->rlimits[r].soft)
          {
            fputc (':', out);
            print_rlimit_value (out, spec->rlimits[r].hard);
          }
        fputs ("\"\n", out);
      }
  fputs ("}\n", out);
}

static void
print_network (FILE *out, const struct network_spec *n)
{
  fprintf (out, "\nnetwork {\n    mode    = \"%s\"\n", network_mode_names[n->mode]);
  if (n->mode == NETWORK_BRIDGE)
    {
      fputs ("    bridge  = ", out);
      profile_print_string (out, n->bridge);
      fputs ("\n    address = ", out);
      profile_print_string (out, n->address_auto ? "auto" : n->address);
      fprintf (out, "\n    gateway = \"%s/%u\"\n    nat     = %s\n", n->gateway,
               n->prefix, n->nat ? "true" : "false");
    }
  if (n->mode == NETWORK_NETNS)
    {
      fputs ("    path    = ", out);
      profile_print_string (out, n->netns);
      fputc ('\n', out);
    }
  if (n->mode == NETWORK_BRIDGE || n->mode == NETWORK_USER)
    {
      fputs ("    dns     = ", out);
      print_list (out, n->dns, n->n_dns);
      fputs ("\n    publish = {", out);
      for (size_t i = 0; i < n->n_publish; i++)
        {
          const struct port_publish *p = &n->publish[i];
          fprintf (out, "%s\"%s%s%u:%u/%s\"", i ? ", " : "",
                   p->host_address ? p->host_address : "",
                   p->host_address ? ":" : "", p->host_port, p->jail_port,
                   p->protocol == IPPROTO_UDP ? "udp" : "tcp");
        }
      fputs ("}\n", out);
    }
  if (n->mode == NETWORK_USER)
    fprintf (out, "    host_loopback = %s\n",
             n->host_loopback ? "true" : "false");
  fputs ("}\n", out);
}

int
profile_print (const struct jail_spec *spec, FILE *out)
{
  fputs ("name        = ", out);
  profile_print_string (out, spec->name);
  fputs ("\ndescription = ", out);
  profile_print_string (out, spec->description);
  fputs ("\n\nargv        = ", out);
  print_list (out, spec->argv, spec->n_argv);
  fputs ("\ncwd         = ", out);
  profile_print_string (out, spec->cwd);
  if (spec->hostname)
    {
      fputs ("\nhostname    = ", out);
      profile_print_string (out, spec->hostname);
    }
  fprintf (out, "\nuid         = %u\ngid         = %u\ntime_limit  = %u\n\n",
           (unsigned) spec->uid, (unsigned) spec->gid, spec->time_limit);
  print_namespaces (out, spec->namespaces);
  print_id_map (out, "uid_map", &spec->uid_map);
  print_id_map (out, "gid_map", &spec->gid_map);
  if (spec->map_owner && *spec->map_owner)
    {
      fputs ("map_owner   = ", out);
      profile_print_string (out, spec->map_owner);
      fputc ('\n', out);
    }
  fputs ("\nroot = ", out);
  profile_print_string (out, spec->root ? spec->root : "tmpfs");
  fputs ("\n\n", out);
  for (size_t i = 0; i < spec->n_entries; i++)
    if (!spec->entries[i].generated)
      print_entry (out, &spec->entries[i]);
  fprintf (out, "\nenvironment {\n    clear = %s\n    keep  = ",
           spec->env.clear ? "true" : "false");
  print_list (out, spec->env.keep, spec->env.n_keep);
  fputs ("\n    set   = ", out);
  print_list (out, spec->env.set, spec->env.n_set);
  fputs ("\n}\n", out);
  print_cgroup (out, &spec->cgroup);
  for (int s = 0; s < N_SECTIONS; s++)
    if (section_table[s].plain)
      print_plain_section (out, (enum key_section) s,
                           (const char *) spec + section_table[s].spec_off);
  print_hardening (out, spec);
  print_landlock (out, &spec->landlock);
  print_network (out, &spec->network);
  return ferror (out) ? -1 : 0;
}

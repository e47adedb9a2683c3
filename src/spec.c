/* spec.c — freeing a struct jail_spec, and writing its sizes. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "spec.h"

static void
free_strv (char **v, size_t n)
{
  if (v == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    free (v[i]);
  free (v);
}

static void
free_id_map (struct id_map *m)
{
  for (size_t i = 0; i < m->n_ranges; i++)
    free (m->ranges[i].origin.file);
  free (m->ranges);
}

static void
free_entry (struct fs_entry *e)
{
  free (e->dest);
  free (e->origin.file);
  free (e->source);
  free_strv (e->lower, e->n_lower);
  free (e->upper);
  free (e->work);
  free (e->target);
  free (e->content);
}

static void
free_seccomp (struct seccomp_spec *s)
{
  free_strv (s->allow, s->n_allow);
  free_strv (s->deny, s->n_deny);
  for (size_t i = 0; i < s->n_rules; i++)
    {
      free (s->rules[i].syscall);
      free (s->rules[i].origin.file);
    }
  free (s->rules);
  free (s->origin.file);
}

static void
free_network (struct network_spec *n)
{
  free (n->bridge);
  free (n->netns);
  free (n->address);
  free (n->gateway);
  free_strv (n->dns, n->n_dns);
  for (size_t i = 0; i < n->n_publish; i++)
    {
      free (n->publish[i].host_address);
      free (n->publish[i].origin.file);
    }
  free (n->publish);
  free (n->origin.file);
}

void
jail_spec_free (struct jail_spec *spec)
{
  if (spec == NULL)
    return;
  free (spec->name);
  free (spec->description);
  free (spec->origin.file);
  free (spec->cwd_origin.file);
  free_strv (spec->argv, spec->n_argv);
  free (spec->cwd);
  free (spec->hostname);
  free_id_map (&spec->uid_map);
  free_id_map (&spec->gid_map);
  free (spec->root);
  for (size_t i = 0; i < spec->n_entries; i++)
    free_entry (&spec->entries[i]);
  free (spec->entries);
  free_strv (spec->env.keep, spec->env.n_keep);
  free_strv (spec->env.set, spec->env.n_set);
  free_seccomp (&spec->seccomp);
  for (size_t i = 0; i < JAIL_RLIMIT_COUNT; i++)
    free (spec->rlimits[i].origin.file);
  free (spec->pass_fds);
  free (spec->cgroup.origin.file);
  free_network (&spec->network);
  free (spec);
}

bool
spec_format_size (uint64_t bytes, char *buf, size_t size)
{
  static const char units[] = "KMGT";
  int u = -1;
  while (u < 3 && bytes != 0 && bytes % 1024 == 0)
    {
      bytes /= 1024;
      u++;
    }
  if (u < 0)
    snprintf (buf, size, "%" PRIu64, bytes);
  else
    snprintf (buf, size, "%" PRIu64 "%c", bytes, units[u]);
  return u >= 0;
}

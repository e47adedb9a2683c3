/* spec.c — freeing a struct jail_spec. */
#include "config.h"

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

void
jail_spec_free (struct jail_spec *spec)
{
  if (spec == NULL)
    return;
  free (spec->name);
  free (spec->description);
  free (spec->origin.file);
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
  free (spec);
}

/* bind.c — plain values from libconfuse's tree into the spec (bind.h). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/bind.h"
#include "util.h"

char **
copy_list (cfg_t *cfg, const char *key, size_t *n)
{
  *n = cfg_size (cfg, key);
  char **v = xcalloc (*n + 1, sizeof *v);
  for (size_t i = 0; i < *n; i++)
    v[i] = xstrdup (cfg_getnstr (cfg, key, (unsigned) i));
  return v;
}

const union key_typed *
typed_value (cfg_t *sec, const struct key_desc *k, unsigned i)
{
  if (!key_is_typed (k))
    {
      fprintf (stderr, "cordon: internal error: '%s' is not a typed key\n",
               k->name);
      abort ();
    }
  if (cfg_size (sec, k->name) == 0)
    return k->type == KEY_STRING_LIST || k->type == KEY_INT_LIST
             ? NULL : key_default (k);
  const struct key_parsed *p = cfg_getnptr (sec, k->name, i);
  return p && p->why == NULL ? &p->v : NULL;
}

const union key_typed *
typed_key (cfg_t *sec, enum key_section section, const char *key, unsigned i)
{
  const struct key_desc *k = key_find (section, key, strlen (key));
  if (k == NULL)
    {
      fprintf (stderr, "cordon: internal error: no key '%s'\n", key);
      abort ();
    }
  return typed_value (sec, k, i);
}

const char *
typed_text (cfg_t *sec, enum key_section section, const char *key, unsigned i)
{
  const struct key_desc *k = key_find (section, key, strlen (key));
  const struct key_parsed *p = k && key_is_typed (k)
                               ? cfg_getnptr (sec, key, i) : NULL;
  return p ? p->text : "";
}

/* One typed key: its values as their parse made them. */
static void
bind_typed (const struct key_desc *k, cfg_t *sec, char *base)
{
  void *field = base + k->off;
  if (k->bind == BIND_FLAGS)
    {
      for (unsigned i = 0; i < cfg_size (sec, k->name); i++)
        {
          const union key_typed *t = typed_value (sec, k, i);
          if (t)
            *(unsigned *) field |= 1u << t->index;
        }
      return;
    }
  const union key_typed *t = typed_value (sec, k, 0);
  if (t == NULL)
    return;
  switch (k->bind)
    {
    case BIND_STRING:           /* a key with names, kept by name */
      *(char **) field = xstrdup (k->names[t->index]);
      break;
    case BIND_U32:
      *(uint32_t *) field = (uint32_t) t->i;
      break;
    case BIND_DURATION:
      *(int64_t *) field = t->seconds;
      break;
    case BIND_SIZE:
      *(uint64_t *) field = t->size;
      break;
    case BIND_MODE:
      *(bool *) (base + k->count_off) = true;
      *(mode_t *) field = t->mode;
      break;
    case BIND_LIMIT:
      *(bool *) (base + k->count_off) = t->limit.set;
      *(uint64_t *) field = t->limit.bytes;
      break;
    case BIND_NAME:
      *(int *) field = t->index;
      break;
    default:
      fprintf (stderr, "cordon: internal error: '%s' cannot bind a typed "
               "value\n", k->name);
      abort ();
    }
}

/* One key.  A value that failed its check at its line is not bound (the
 * load fails anyway). */
static void
bind_key (const struct key_desc *k, cfg_t *sec, char *base)
{
  void *field = base + k->off;
  if (k->bind == BIND_NONE)
    return;
  if (key_is_typed (k))
    {
      bind_typed (k, sec, base);
      return;
    }
  if (k->bind == BIND_STRINGS)
    {
      *(char ***) field = copy_list (sec, k->name,
                                     (size_t *) (base + k->count_off));
      return;
    }
  if (cfg_size (sec, k->name) == 0)
    return;                 /* unset, no default: the zero of the field */
  switch (k->bind)
    {
    case BIND_STRING:
      *(char **) field = xstrdup (cfg_getstr (sec, k->name));
      break;
    case BIND_BOOL:
      *(bool *) field = cfg_getbool (sec, k->name);
      break;
    case BIND_DOUBLE:
      *(double *) field = cfg_getfloat (sec, k->name);
      break;
    default:
      fprintf (stderr, "cordon: internal error: '%s' binds a typed value "
               "but has none\n", k->name);
      abort ();
    }
}

void
bind_section (enum key_section section, cfg_t *sec, void *base, int kind)
{
  for (size_t i = 0; i < n_key_table; i++)
    {
      const struct key_desc *k = &key_table[i];
      if (k->section != section)
        continue;
      if (section == SEC_MOUNT && k->mount_types
          && !(k->mount_types & MOUNT_TYPE (kind)))
        continue;
      bind_key (k, sec, base);
    }
}

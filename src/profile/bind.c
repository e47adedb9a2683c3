/* bind.c — plain values from libconfuse's tree into the spec (bind.h). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "profile/bind.h"
#include "profile/values.h"
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

/* One key; its value was checked at its line already: a value that failed
 * there leaves the field as it was, and the load fails anyway. */
static void
bind_key (const struct key_desc *k, cfg_t *sec, char *base)
{
  void *field = base + k->off;
  switch (k->bind)
    {
    case BIND_NONE:
      return;
    case BIND_STRINGS:
      *(char ***) field = copy_list (sec, k->name,
                                     (size_t *) (base + k->count_off));
      return;
    default:
      break;
    }
  unsigned n = cfg_size (sec, k->name);
  if (n == 0)
    return;                 /* unset, no default: the zero of the field */
  switch (k->bind)
    {
    case BIND_STRING:
      *(char **) field = xstrdup (cfg_getstr (sec, k->name));
      break;
    case BIND_BOOL:
      *(bool *) field = cfg_getbool (sec, k->name);
      break;
    case BIND_U32:
      *(uint32_t *) field = (uint32_t) cfg_getint (sec, k->name);
      break;
    case BIND_DOUBLE:
      *(double *) field = cfg_getfloat (sec, k->name);
      break;
    case BIND_DURATION:
      {
        bool overflow;
        parse_duration (cfg_getstr (sec, k->name), (int64_t *) field,
                        &overflow);
        break;
      }
    case BIND_SIZE:
      {
        bool overflow;
        parse_size (cfg_getstr (sec, k->name), (uint64_t *) field, &overflow);
        break;
      }
    case BIND_MODE:
      *(bool *) (base + k->count_off)
        = parse_mode (cfg_getstr (sec, k->name), (mode_t *) field);
      break;
    case BIND_LIMIT:
      {
        const char *s = cfg_getstr (sec, k->name);
        bool overflow;
        *(bool *) (base + k->count_off)
          = strcmp (s, "max") != 0
            && parse_size (s, (uint64_t *) field, &overflow);
        break;
      }
    case BIND_FLAGS:
      for (unsigned i = 0; i < n; i++)
        {
          int bit = names_index (k->names, cfg_getnstr (sec, k->name, i));
          if (bit >= 0)
            *(unsigned *) field |= 1u << bit;
        }
      break;
    case BIND_NAME:
      {
        int v = names_index (k->names, cfg_getstr (sec, k->name));
        if (v >= 0)
          *(int *) field = v;
        break;
      }
    case BIND_NONE:
    case BIND_STRINGS:
      break;
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

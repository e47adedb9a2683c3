/* spec.c — freeing a struct jail_spec (by its table, spec-fields.c), and
 * writing its sizes. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "spec.h"
#include "spec-fields.h"

void
jail_spec_free (struct jail_spec *spec)
{
  if (spec == NULL)
    return;
  fields_free (&jail_spec_desc, spec);
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

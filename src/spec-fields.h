/* spec-fields.h — struct jail_spec described as data.
 *
 * Every field of the spec and of the structs it holds is one row of a
 * table in spec-fields.c: its kind (a plain value, a string, a list, a
 * nested struct, an array of them) and where it sits.  jail_spec_free()
 * and the profiles cache's codec (profile-cache.c) walk these tables, so
 * neither lists fields by hand; the cache's unit test fills every byte of a
 * spec and fails when a field the table does not name is not carried
 * (adding a field to spec.h without its row here is caught there). */
#ifndef CORDON_SPEC_FIELDS_H
#define CORDON_SPEC_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

enum field_kind
{
  FIELD_BOOL,           /* bool */
  FIELD_PLAIN,          /* any other value without pointers: its bytes */
  FIELD_STRING,         /* char *, owned, NULL allowed */
  FIELD_DATA,           /* char * of the size_t at count_off bytes (+ NUL) */
  FIELD_STRINGS,        /* char **, NULL-terminated, count at count_off */
  FIELD_STRUCT,         /* a struct of type elem, inline */
  FIELD_INLINE_ARRAY,   /* n structs of type elem, inline */
  FIELD_ARRAY,          /* a pointer to structs of type elem, count at
                           count_off (size_t) */
};

struct struct_desc;

enum
{
  FIELD_NONNULL = 1u << 0,        /* FIELD_STRING: never NULL */
};

struct field_desc
{
  const char *name;
  enum field_kind kind;
  size_t off;
  size_t size;                    /* FIELD_PLAIN */
  size_t count_off;               /* FIELD_DATA, FIELD_STRINGS, FIELD_ARRAY */
  const struct struct_desc *elem; /* FIELD_STRUCT, FIELD_*ARRAY */
  size_t n;                       /* FIELD_INLINE_ARRAY */
  /* What a value read back (the cache) must be, else the entry is a miss:
   * FIELD_PLAIN at most max (an enum's last value, a port...; 0: any), any
   * field as valid() says. */
  uint64_t max;
  unsigned flags;
  bool (*valid) (const void *field);
};

struct struct_desc
{
  const char *name;
  size_t size;
  const struct field_desc *fields;
  size_t n_fields;
};

extern const struct struct_desc jail_spec_desc;

/* Free what the fields of the struct at P (of type D) own. */
void fields_free (const struct struct_desc *d, void *p);

#endif

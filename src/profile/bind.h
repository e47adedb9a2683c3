/* bind.h — plain values from libconfuse's tree into the spec, by the key
 * table.
 *
 * Part of the profile module.  A key whose row in keys.c names a spec field
 * (BIND_*) is bound here and nowhere else; the section builders in
 * build.c and net.c take only what needs more than one value (a mount's
 * destination, an overlay's layers, an id range, the network's
 * addresses).  Both take a typed key's values as its parse made them
 * (typed_value): nothing here parses text again. */
#ifndef CORDON_PROFILE_BIND_H
#define CORDON_PROFILE_BIND_H

#include <confuse.h>

#include "profile/keys.h"

/* Bind the keys of SECTION set (or defaulted) in SEC into BASE, the struct
 * the section builds.  For a mount, only the keys of its type (KIND). */
void bind_section (enum key_section section, cfg_t *sec, void *base,
                   int kind);

/* The I-th value of the typed KEY in SEC as its parse made it (keys.h);
 * a single value unset: its default.  NULL when the value failed its check
 * (said at its line: the load fails) or is unset without a default. */
const union key_typed *typed_value (cfg_t *sec, const struct key_desc *k,
                                    unsigned i);
/* The same for the key KEY of SECTION. */
const union key_typed *typed_key (cfg_t *sec, enum key_section section,
                                  const char *key, unsigned i);

/* The I-th value of the typed KEY of SECTION in SEC as it was written. */
const char *typed_text (cfg_t *sec, enum key_section section, const char *key,
                        unsigned i);

/* The list KEY of CFG, copied and NULL-terminated (never NULL). */
char **copy_list (cfg_t *cfg, const char *key, size_t *n);

#endif

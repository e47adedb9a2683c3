/* keys.h — the one table of profile and settings keys.
 *
 * Part of the profile module.  Every key of the profile language and of the
 * settings file is one row of key_table[] (keys.c): where it goes, its
 * value type and default, how one value is checked (range, names, syntax),
 * which mount types or network modes it belongs to, the namespaces it needs
 * (rules.c says so when one is off), which field of the spec
 * it binds to, and one line of documentation.  From the table, and nowhere
 * else, come libconfuse's option tables (load.c), the per-value checks with
 * their "one of: ..." lists, the "not valid for a tmpfs mount" and "needs
 * mode bridge" rules, the binding of plain values into the spec (bind.c),
 * how cordon show prints every key (print.c: order, alignment, when, and
 * the value's form), and the documentation test (every key is in
 * cordon.conf(5)).
 *
 * A value is parsed once: a typed key's value (a number, a name, a size, a
 * mode, an address...) is turned into its union key_typed by key_parse as
 * libconfuse reads it, kept so in libconfuse's tree, and bound from there;
 * an untyped key's value is a string (or boolean, or float) that its check
 * only looks at.
 *
 * Adding a key: a row here, its field in spec.h with its row in
 * spec-fields.c, the kernel step that uses it, its paragraph in
 * man/cordon.conf.5.in, and tests (README.md, "Adding a profile key"). */
#ifndef CORDON_PROFILE_KEYS_H
#define CORDON_PROFILE_KEYS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec.h"

/* The sections of the language; SEC_TOP is the top level of a profile,
 * SEC_SETTINGS that of the settings file. */
enum key_section
{
  SEC_TOP,
  SEC_MOUNT,
  SEC_SYMLINK,
  SEC_DIR,
  SEC_FILE,
  SEC_UID_MAP,
  SEC_GID_MAP,
  SEC_ENVIRONMENT,
  SEC_CGROUP,
  SEC_SECCOMP,
  SEC_RULE,
  SEC_RLIMIT,
  SEC_NETWORK,
  SEC_TIME_OFFSETS,
  SEC_LANDLOCK,
  SEC_LISTEN,
  SEC_SETTINGS,
  N_SECTIONS
};

/* When show prints a key (key_desc.print_when), or a section
 * (section_desc.print_when); a key also only where mount_types, net_modes
 * and KEY_NOT_WITH_UPPER let it be set. */
enum key_print
{
  PRINT_ALWAYS,             /* even at 0, NULL or empty */
  PRINT_SET,                /* key: when not 0, NULL or empty; section:
                               when one of its keys is printed */
  PRINT_CHANGED,            /* section: when a key is not at its default */
};
#define PRINT_WIDTH_AUTO (-1)     /* the longest name printed */

/* The instances of a multi section in PARENT, the struct its parent
 * section builds (struct jail_spec at the top level): the I-th one's
 * section, struct and title (NULL: untitled) in *SEC, *ELEM and *TITLE,
 * *SEC N_SECTIONS when show leaves it out; false past the last. */
typedef bool section_instances_fn (const void *parent, size_t i,
                                   enum key_section *sec, const void **elem,
                                   const char **title);

struct section_desc
{
  const char *name;
  bool multi;               /* may appear more than once */
  bool titled;              /* mount "/x" { }: the title is the destination */
  enum key_section parent;  /* SEC_TOP, or the section it sits in (rule) */
  /* A plain section: every key binds (BIND_*) into the struct at spec_off
   * of struct jail_spec, and the table alone builds it and checks that the
   * namespaces it needs are on. */
  bool plain;
  size_t spec_off;
  unsigned needs_namespaces;    /* JAIL_NS_* */
  /* cordon show (print.c).  A single section prints as a block of its
   * own, "NAME {" and one key a line, from the struct at spec_off (of its
   * parent's struct for a section within one); a multi section prints each
   * instance on one line, found by print_instances. */
  int print_rank;           /* the top level's order, keys and sections
                               together (key_desc.print_rank) */
  int print_width;          /* names padded to it; PRINT_WIDTH_AUTO */
  enum key_print print_when;  /* PRINT_SET: when a key is printed;
                                 PRINT_CHANGED: when one is not at its
                                 default */
  int print_gap;            /* multi: spaces between its keys on a line */
  section_instances_fn *print_instances;  /* multi: its instances and
                                              those of the sections
                                              printed among them; NULL:
                                              it prints with another's */
};
extern const struct section_desc section_table[N_SECTIONS];

enum key_type
{
  KEY_STRING,
  KEY_BOOL,
  KEY_INT,
  KEY_FLOAT,
  KEY_STRING_LIST,
  KEY_INT_LIST,
};

/* One value of a key as libconfuse parsed it. */
struct key_value
{
  const char *s;            /* KEY_STRING, KEY_STRING_LIST */
  long i;                   /* KEY_INT, KEY_INT_LIST */
  double f;                 /* KEY_FLOAT */
};

/* The typed form of one value of a typed key (key_is_typed): made once,
 * by key_parse as libconfuse reads the value, kept in libconfuse's tree
 * (CFGT_PTR), and taken as it is by bind.c and the section builders. */
union key_typed
{
  long i;                   /* KEY_INT, KEY_INT_LIST: within the range */
  int index;                /* a key with names: the index in names */
  uint64_t size;            /* bytes */
  mode_t mode;
  int64_t seconds;          /* a duration */
  struct
  {
    bool set;               /* false: "max" */
    uint64_t bytes;
  } limit;
  struct seccomp_arg_cmp cmp;
  struct
  {
    uint64_t soft, hard;
  } rlimit;
  int capability;
  struct
  {
    bool is_auto;           /* "auto" (network.address) */
    struct in_addr addr;
    int prefix;             /* -1: none given */
  } ipv4;
  struct port_publish publish;  /* host_address owned by the value */
  struct
  {
    uint32_t start, count;
  } ids;
};

/* What libconfuse keeps of one value of a typed key. */
struct key_parsed
{
  const struct key_desc *key;
  char *text;               /* as written, for what is said about it */
  char *why;                /* NULL, or what is wrong: reported at the
                               value's line (the load fails), and the
                               value is never bound */
  union key_typed v;
};

struct key_desc;
/* Check one value: NULL when it is good, else what is wrong (allocated),
 * reported at the value's line after the section's context. */
typedef char *key_check_fn (const struct key_desc *key,
                            const struct key_value *v);
/* Turn the text of one value into *OUT and check it: NULL when it is
 * good, else what is wrong (allocated). */
typedef char *key_parse_fn (const struct key_desc *key, const char *text,
                            union key_typed *out);

/* How a checked value goes into the spec (bind.c); offsets are into the
 * struct the section builds (struct jail_spec for the top level, struct
 * env_spec for environment, and so on). */
enum key_bind
{
  BIND_NONE,                /* the section's builder takes it */
  BIND_STRING,              /* char * (NULL when unset and no default) */
  BIND_STRINGS,             /* char ** and its count at count_off */
  BIND_BOOL,                /* bool */
  BIND_U32,                 /* uint32_t (uid_t, gid_t, unsigned) */
  BIND_DOUBLE,              /* double */
  BIND_DURATION,            /* int64_t seconds, from "-1d", "10m", "30" */
  BIND_SIZE,                /* uint64_t bytes, from "256M" */
  BIND_MODE,                /* mode_t, from "0755"; bool at has_off */
  BIND_LIMIT,               /* a size or "max": bool at has_off, uint64_t */
  BIND_FLAGS,               /* names[i] sets bit 1 << i of an unsigned */
  BIND_NAME,                /* names[i] stores i in an enum (int) */
};

/* mount types (by fs_entry_kind) and network modes, as masks */
#define MOUNT_TYPE(kind) (1u << (kind))
#define NET_MODE(mode) (1u << (mode))

enum
{
  KEY_OWN = 1u << 0,        /* the profile's own: not taken from includes
                               (name, description) */
  KEY_NODEFAULT = 1u << 1,  /* unset unless the profile sets it */
  KEY_NOT_WITH_UPPER = 1u << 2,  /* mount: only an upper-less overlay */
  KEY_DIRECTIVE = 1u << 3,  /* acts while loading (drop): not part of the
                               effective profile, show does not print it */
  KEY_SELECTOR = 1u << 4,   /* its value, an index of names, selects the
                               section's keys by mount_types or net_modes
                               (mount's type, network's mode) */
  KEY_UPPER = 1u << 5,      /* mount: the key KEY_NOT_WITH_UPPER means */
};

/* Show's value of KEY in BASE (the struct its section builds), written to
 * OUT unless OUT is NULL, for a value no BIND_* form says; returns whether
 * it is set (not 0 or empty). */
typedef bool key_print_fn (const struct key_desc *key, const void *base,
                           FILE *out);

struct key_desc
{
  enum key_section section;
  const char *name;
  enum key_type type;
  unsigned flags;           /* KEY_* above */
  const char *def;          /* default, in the profile syntax; NULL none */
  long min, max;            /* KEY_INT, KEY_INT_LIST: the range (when
                               min < max) */
  const char *const *names; /* the values it takes, NULL-terminated */
  const char *noun;         /* "unknown NOUN 'x' (known: ...)" */
  key_check_fn *check;      /* NULL: names or range say it all */
  unsigned mount_types;     /* mount: MOUNT_TYPE()s it means something for */
  unsigned net_modes;       /* network: NET_MODE()s it needs */
  unsigned needs_namespaces;  /* JAIL_NS_* it needs when set */
  enum key_bind bind;
  size_t off, count_off;    /* BIND_*, print_as: where; count (BIND_STRINGS)
                               or the has flag (BIND_LIMIT, BIND_MODE) */
  const char *doc;          /* one line, for cordon.conf(5) */
  /* cordon show (print.c): the value's form is bind's, else print_as's
   * (a field the section's builder fills, at off and count_off), else
   * print's */
  int print_rank;           /* order in the section (ties: table order);
                               top level: rank / 10 is the paragraph,
                               a blank line between two */
  int print_width;          /* top level: the name padded to it */
  enum key_print print_when;
  unsigned print_always_types;  /* mount, PRINT_SET: types it is printed
                                   for even when unset (a tmpfs's size) */
  enum key_bind print_as;
  key_print_fn *print;
  /* A value with a typed form other than its text (sizes, modes, ...):
   * the one place it is parsed and checked.  Keys with names and integer
   * keys are typed without one (their index, their number). */
  key_parse_fn *parse;
};

extern const struct key_desc key_table[];
extern const size_t n_key_table;

/* The key NAME (LEN bytes) of SECTION, or NULL. */
const struct key_desc *key_find (enum key_section section, const char *name,
                                 size_t len);
/* The section called NAME (LEN bytes), or -1. */
int section_find (const char *name, size_t len);

/* Check V for KEY, an untyped key: NULL or what is wrong (allocated). */
char *key_check (const struct key_desc *key, const struct key_value *v);

/* Whether libconfuse keeps KEY's values in their typed form. */
bool key_is_typed (const struct key_desc *key);
/* The one parse of a value of the typed KEY: TEXT into *OUT, NULL when it
 * is good, else what is wrong (allocated).  *FATAL: an integer that is not
 * one at all (libconfuse stops the file there, as it always did). */
char *key_parse (const struct key_desc *key, const char *text,
                 union key_typed *out, bool *fatal);
/* Free what a parsed value owns, and the value (libconfuse's freecb). */
void key_parsed_free (void *parsed);
/* The typed form of KEY's default, parsed once (NULL: none). */
const union key_typed *key_default (const struct key_desc *key);

/* The index of V in the NULL-terminated NAMES, or -1 (V NULL too). */
int names_index (const char *const *names, const char *v);
/* "a, b, c" for a NULL-terminated list (allocated). */
char *names_joined (const char *const *names);

/* The names of enumerations the spec stores as numbers; indexed by the
 * enum, NULL-terminated. */
extern const char *const namespace_names[];
extern const char *const mount_type_names[];    /* by fs_entry_kind */
extern const char *const seccomp_preset_names[];
extern const char *const seccomp_action_names[];
extern const char *const network_mode_names[];
extern const char *const landlock_scope_names[];  /* by enum landlock_scope
                                                     bit */

/* print.c: show's values that no BIND_* form says, and the instances of
 * the multi sections (key_print_fn, section_instances_fn) */
key_print_fn show_ints;          /* int * at off, its count at count_off */
key_print_fn show_capabilities;  /* uint64_t at off, by capability number */
key_print_fn show_rlimit;        /* struct rlimit_setting at off */
key_print_fn show_seccomp_cmp;   /* struct seccomp_arg_cmp at off */
key_print_fn show_net_address;   /* struct network_spec: "auto" or one */
key_print_fn show_net_gateway;   /* struct network_spec: address/prefix */
key_print_fn show_net_publish;   /* struct network_spec: its ports */
section_instances_fn show_entries;   /* mount, symlink, dir, file */
section_instances_fn show_uid_map, show_gid_map, show_rules;

#endif

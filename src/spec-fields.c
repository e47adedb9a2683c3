/* spec-fields.c — struct jail_spec described as data (spec-fields.h). */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "spec-fields.h"

#define F(type, field, kind_) \
  { #field, kind_, offsetof (type, field), sizeof (((type *) 0)->field), \
    0, NULL, 0, 0, 0, NULL }
#define PLAIN(type, field) F (type, field, FIELD_PLAIN)
/* a plain value of at most MAX */
#define UPTO(type, field, max_) \
  { #field, FIELD_PLAIN, offsetof (type, field), \
    sizeof (((type *) 0)->field), 0, NULL, 0, max_, 0, NULL }
#define CHECKED(type, field, valid_) \
  { #field, FIELD_PLAIN, offsetof (type, field), \
    sizeof (((type *) 0)->field), 0, NULL, 0, 0, 0, valid_ }
#define REQUIRED_STRING(type, field) \
  { #field, FIELD_STRING, offsetof (type, field), \
    sizeof (((type *) 0)->field), 0, NULL, 0, 0, FIELD_NONNULL, NULL }
/* every namespace flag of enum jail_namespace */
#define ALL_NAMESPACES ((JAIL_NS_TIME << 1) - 1)

static bool
valid_cpu (const void *field)
{
  double v = *(const double *) field;
  return isfinite (v) && v >= 0;
}

static bool
valid_protocol (const void *field)
{
  int v = *(const int *) field;
  return v == IPPROTO_TCP || v == IPPROTO_UDP;
}
#define BOOL(type, field) F (type, field, FIELD_BOOL)
#define STRING(type, field) F (type, field, FIELD_STRING)
#define COUNTED(type, field, kind_, count, elem_) \
  { #field, kind_, offsetof (type, field), 0, offsetof (type, count), \
    elem_, 0, 0, 0, NULL }
#define STRUCT(type, field, elem_) \
  { #field, FIELD_STRUCT, offsetof (type, field), 0, 0, &elem_, 0, 0, 0, \
    NULL }
#define INLINE_ARRAY(type, field, elem_) \
  { #field, FIELD_INLINE_ARRAY, offsetof (type, field), 0, 0, &elem_, \
    sizeof (((type *) 0)->field) / sizeof (((type *) 0)->field[0]), 0, 0, \
    NULL }
#define DESC(type, rows) \
  { #type, sizeof (type), rows, sizeof rows / sizeof rows[0] }

static const struct field_desc origin_fields[] = {
  STRING (struct spec_origin, file),
  UPTO (struct spec_origin, line, INT_MAX),
};
static const struct struct_desc origin_desc
  = DESC (struct spec_origin, origin_fields);

static const struct field_desc int_fields[] = {
  { "int", FIELD_PLAIN, 0, sizeof (int), 0, NULL, 0, INT_MAX, 0, NULL },
};
static const struct struct_desc int_desc = DESC (int, int_fields);

static const struct field_desc id_range_fields[] = {
  PLAIN (struct id_range, inside),
  PLAIN (struct id_range, outside),
  PLAIN (struct id_range, count),
  STRUCT (struct id_range, origin, origin_desc),
};
static const struct struct_desc id_range_desc
  = DESC (struct id_range, id_range_fields);

static const struct field_desc id_map_fields[] = {
  COUNTED (struct id_map, ranges, FIELD_ARRAY, n_ranges, &id_range_desc),
};
static const struct struct_desc id_map_desc
  = DESC (struct id_map, id_map_fields);

static const struct field_desc fs_entry_fields[] = {
  UPTO (struct fs_entry, kind, FS_FILE),
  REQUIRED_STRING (struct fs_entry, dest),
  STRUCT (struct fs_entry, origin, origin_desc),
  STRING (struct fs_entry, source),
  BOOL (struct fs_entry, writable),
  BOOL (struct fs_entry, optional),
  PLAIN (struct fs_entry, size),
  BOOL (struct fs_entry, has_mode),
  UPTO (struct fs_entry, mode, 07777),
  COUNTED (struct fs_entry, lower, FIELD_STRINGS, n_lower, NULL),
  STRING (struct fs_entry, upper),
  STRING (struct fs_entry, work),
  STRING (struct fs_entry, target),
  COUNTED (struct fs_entry, content, FIELD_DATA, content_len, NULL),
  BOOL (struct fs_entry, generated),
};
static const struct struct_desc fs_entry_desc
  = DESC (struct fs_entry, fs_entry_fields);

static const struct field_desc env_fields[] = {
  BOOL (struct env_spec, clear),
  COUNTED (struct env_spec, keep, FIELD_STRINGS, n_keep, NULL),
  COUNTED (struct env_spec, set, FIELD_STRINGS, n_set, NULL),
};
static const struct struct_desc env_desc = DESC (struct env_spec, env_fields);

static const struct field_desc arg_cmp_fields[] = {
  BOOL (struct seccomp_arg_cmp, set),
  UPTO (struct seccomp_arg_cmp, op, SECCOMP_CMP_MASKED_EQ),
  PLAIN (struct seccomp_arg_cmp, value),
  PLAIN (struct seccomp_arg_cmp, mask),
};
static const struct struct_desc arg_cmp_desc
  = DESC (struct seccomp_arg_cmp, arg_cmp_fields);

static const struct field_desc rule_fields[] = {
  REQUIRED_STRING (struct seccomp_rule, syscall),
  INLINE_ARRAY (struct seccomp_rule, args, arg_cmp_desc),
  UPTO (struct seccomp_rule, action, SECCOMP_ACTION_LOG),
  STRUCT (struct seccomp_rule, origin, origin_desc),
};
static const struct struct_desc rule_desc
  = DESC (struct seccomp_rule, rule_fields);

static const struct field_desc seccomp_fields[] = {
  UPTO (struct seccomp_spec, preset, SECCOMP_PRESET_NONE),
  COUNTED (struct seccomp_spec, allow, FIELD_STRINGS, n_allow, NULL),
  COUNTED (struct seccomp_spec, deny, FIELD_STRINGS, n_deny, NULL),
  UPTO (struct seccomp_spec, action, SECCOMP_ACTION_LOG),
  BOOL (struct seccomp_spec, compat),
  COUNTED (struct seccomp_spec, rules, FIELD_ARRAY, n_rules, &rule_desc),
  STRUCT (struct seccomp_spec, origin, origin_desc),
};
static const struct struct_desc seccomp_desc
  = DESC (struct seccomp_spec, seccomp_fields);

static const struct field_desc rlimit_fields[] = {
  BOOL (struct rlimit_setting, set),
  PLAIN (struct rlimit_setting, soft),
  PLAIN (struct rlimit_setting, hard),
  STRUCT (struct rlimit_setting, origin, origin_desc),
};
static const struct struct_desc rlimit_desc
  = DESC (struct rlimit_setting, rlimit_fields);

static const struct field_desc cgroup_fields[] = {
  BOOL (struct cgroup_spec, has_memory),
  PLAIN (struct cgroup_spec, memory),
  BOOL (struct cgroup_spec, has_memory_swap),
  PLAIN (struct cgroup_spec, memory_swap),
  PLAIN (struct cgroup_spec, pids),
  CHECKED (struct cgroup_spec, cpu, valid_cpu),
  STRUCT (struct cgroup_spec, origin, origin_desc),
};
static const struct struct_desc cgroup_desc
  = DESC (struct cgroup_spec, cgroup_fields);

static const struct field_desc publish_fields[] = {
  STRING (struct port_publish, host_address),
  PLAIN (struct port_publish, host_port),
  PLAIN (struct port_publish, jail_port),
  CHECKED (struct port_publish, protocol, valid_protocol),
  STRUCT (struct port_publish, origin, origin_desc),
};
static const struct struct_desc publish_desc
  = DESC (struct port_publish, publish_fields);

static const struct field_desc network_fields[] = {
  UPTO (struct network_spec, mode, NETWORK_NETNS),
  STRING (struct network_spec, bridge),
  STRING (struct network_spec, netns),
  BOOL (struct network_spec, address_auto),
  STRING (struct network_spec, address),
  STRING (struct network_spec, gateway),
  UPTO (struct network_spec, prefix, 128),
  BOOL (struct network_spec, nat),
  BOOL (struct network_spec, host_loopback),
  COUNTED (struct network_spec, dns, FIELD_STRINGS, n_dns, NULL),
  COUNTED (struct network_spec, publish, FIELD_ARRAY, n_publish,
           &publish_desc),
  STRUCT (struct network_spec, origin, origin_desc),
};
static const struct struct_desc network_desc
  = DESC (struct network_spec, network_fields);

static const struct field_desc time_offsets_fields[] = {
  PLAIN (struct time_offsets, monotonic),
  PLAIN (struct time_offsets, boottime),
};
static const struct struct_desc time_offsets_desc
  = DESC (struct time_offsets, time_offsets_fields);

static const struct field_desc listen_fields[] = {
  STRING (struct listen_spec, address),
  PLAIN (struct listen_spec, max_connections),
  PLAIN (struct listen_spec, per_address),
  STRING (struct listen_spec, stderr_to),
  PLAIN (struct listen_spec, grace),
};
static const struct struct_desc listen_desc
  = DESC (struct listen_spec, listen_fields);

static const struct field_desc port_fields[] = {
  { "port", FIELD_PLAIN, 0, sizeof (int), 0, NULL, 0, 65535, 0, NULL },
};
static const struct struct_desc port_desc = DESC (int, port_fields);

static const struct field_desc landlock_fields[] = {
  BOOL (struct landlock_spec, enabled),
  BOOL (struct landlock_spec, required),
  BOOL (struct landlock_spec, derive),
  PLAIN (struct landlock_spec, min_abi),
  COUNTED (struct landlock_spec, read, FIELD_STRINGS, n_read, NULL),
  COUNTED (struct landlock_spec, write, FIELD_STRINGS, n_write, NULL),
  COUNTED (struct landlock_spec, execute, FIELD_STRINGS, n_execute, NULL),
  COUNTED (struct landlock_spec, deny, FIELD_STRINGS, n_deny, NULL),
  COUNTED (struct landlock_spec, tcp_bind, FIELD_ARRAY, n_tcp_bind,
           &port_desc),
  COUNTED (struct landlock_spec, tcp_connect, FIELD_ARRAY, n_tcp_connect,
           &port_desc),
  UPTO (struct landlock_spec, scope,
        LANDLOCK_SCOPE_ABSTRACT_UNIX | LANDLOCK_SCOPE_SIGNALS),
  STRUCT (struct landlock_spec, origin, origin_desc),
};
static const struct struct_desc landlock_desc
  = DESC (struct landlock_spec, landlock_fields);

static const struct field_desc jail_spec_fields[] = {
  STRING (struct jail_spec, name),
  STRING (struct jail_spec, description),
  STRUCT (struct jail_spec, origin, origin_desc),
  COUNTED (struct jail_spec, argv, FIELD_STRINGS, n_argv, NULL),
  STRING (struct jail_spec, cwd),
  STRUCT (struct jail_spec, cwd_origin, origin_desc),
  STRING (struct jail_spec, hostname),
  PLAIN (struct jail_spec, uid),
  PLAIN (struct jail_spec, gid),
  PLAIN (struct jail_spec, time_limit),
  UPTO (struct jail_spec, namespaces, ALL_NAMESPACES),
  STRUCT (struct jail_spec, uid_map, id_map_desc),
  STRUCT (struct jail_spec, gid_map, id_map_desc),
  STRING (struct jail_spec, map_owner),
  STRING (struct jail_spec, root),
  COUNTED (struct jail_spec, entries, FIELD_ARRAY, n_entries, &fs_entry_desc),
  STRUCT (struct jail_spec, env, env_desc),
  PLAIN (struct jail_spec, capabilities),
  BOOL (struct jail_spec, no_new_privs),
  STRUCT (struct jail_spec, seccomp, seccomp_desc),
  INLINE_ARRAY (struct jail_spec, rlimits, rlimit_desc),
  COUNTED (struct jail_spec, pass_fds, FIELD_ARRAY, n_pass_fds, &int_desc),
  BOOL (struct jail_spec, new_session),
  BOOL (struct jail_spec, tty),
  BOOL (struct jail_spec, mask_paths),
  STRUCT (struct jail_spec, cgroup, cgroup_desc),
  STRUCT (struct jail_spec, network, network_desc),
  STRUCT (struct jail_spec, time_offsets, time_offsets_desc),
  STRUCT (struct jail_spec, landlock, landlock_desc),
  STRUCT (struct jail_spec, listen, listen_desc),
};
const struct struct_desc jail_spec_desc
  = DESC (struct jail_spec, jail_spec_fields);

void
fields_free (const struct struct_desc *d, void *p)
{
  char *base = p;
  for (size_t i = 0; i < d->n_fields; i++)
    {
      const struct field_desc *f = &d->fields[i];
      void *at = base + f->off;
      switch (f->kind)
        {
        case FIELD_BOOL:
        case FIELD_PLAIN:
          break;
        case FIELD_STRING:
        case FIELD_DATA:
          free (*(char **) at);
          break;
        case FIELD_STRINGS:
          {
            char **v = *(char ***) at;
            size_t n = *(size_t *) (base + f->count_off);
            for (size_t k = 0; v && k < n; k++)
              free (v[k]);
            free (v);
            break;
          }
        case FIELD_STRUCT:
          fields_free (f->elem, at);
          break;
        case FIELD_INLINE_ARRAY:
          for (size_t k = 0; k < f->n; k++)
            fields_free (f->elem, (char *) at + k * f->elem->size);
          break;
        case FIELD_ARRAY:
          {
            char *v = *(char **) at;
            size_t n = *(size_t *) (base + f->count_off);
            for (size_t k = 0; v && k < n; k++)
              fields_free (f->elem, v + k * f->elem->size);
            free (v);
            break;
          }
        }
    }
}

/* values.h — the syntaxes of profile values, one parser each.
 *
 * Part of the profile module.  A value of a typed key is parsed once, by
 * its row's parse in keys.c, as libconfuse reads it; bind.c and the section
 * builders take that typed form from libconfuse's tree and never parse the
 * text again, so a value cannot be clamped or read differently after it was
 * accepted. */
#ifndef CORDON_PROFILE_VALUES_H
#define CORDON_PROFILE_VALUES_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec.h"

bool is_name_start (int c);
bool is_name_char (int c);
bool is_absolute (const char *s);

/* "256M", "1048576": bytes, 1024-based suffixes.  False on garbage or
 * overflow (*overflow then says which). */
bool parse_size (const char *s, uint64_t *out, bool *overflow);
/* "1777", "0755": octal, at most 07777. */
bool parse_mode (const char *s, mode_t *out);
bool valid_hostname (const char *s);
bool valid_env_name (const char *s, size_t n);

/* "[-]N[s|m|h|d]": whole seconds, at most DURATION_MAX either way (the
 * kernel's limit for time namespace offsets).  False on garbage or overflow
 * (*overflow then). */
#define DURATION_MAX INT64_C (9223372036)
bool parse_duration (const char *s, int64_t *out, bool *overflow);
/* SECONDS in the largest exact unit ("-1d", "10m", "90s") into BUF. */
void format_duration (int64_t seconds, char *buf, size_t size);

/* root_id_range = "START:COUNT": decimal, the whole range above the host's
 * own users and groups (0 to 65535: root, nobody, (uint16_t) -1 ...) and
 * below (uid_t) -1.  NULL when valid, else why not. */
const char *parse_id_range (const char *v, uint32_t *start, uint32_t *count);

/* A number as C writes it (0x1f, 0755, 42) or negative (-1: all bits). */
bool parse_u64 (const char *s, uint64_t *out);
/* "OP VALUE" (== != < <= > >=) or "& MASK == VALUE". */
bool parse_seccomp_cmp (const char *s, struct seccomp_arg_cmp *out);
/* "unlimited", a number (a size for the size limits), or "SOFT:HARD". */
bool parse_rlimit (int resource, const char *s, uint64_t *soft,
                   uint64_t *hard);
/* "10.88.0.1" or "10.88.0.1/24"; *prefix is -1 without one. */
bool parse_ipv4_prefix (const char *s, struct in_addr *addr, int *prefix);
bool valid_ifname (const char *s);
/* "[HOST_ADDRESS:]HOST_PORT:JAIL_PORT[/tcp|udp]" into *P (host_address
 * allocated); NULL, or what is wrong (allocated). */
char *parse_publish (const char *s, struct port_publish *p);

#endif

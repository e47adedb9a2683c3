/* values.c — the syntaxes of profile values (values.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile/values.h"
#include "rlimits.h"
#include "util.h"

bool
is_name_start (int c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool
is_name_char (int c)
{
  return is_name_start (c) || (c >= '0' && c <= '9');
}

bool
is_absolute (const char *s)
{
  return s != NULL && s[0] == '/';
}

/* "256M", "1048576": bytes, 1024-based suffixes.  False on garbage or
 * overflow. */
bool
parse_size (const char *s, uint64_t *out, bool *overflow)
{
  *overflow = false;
  if (s == NULL || *s < '0' || *s > '9')
    return false;
  uint64_t v = 0;
  for (; *s >= '0' && *s <= '9'; s++)
    {
      if (v > (UINT64_MAX - (uint64_t) (*s - '0')) / 10)
        {
          *overflow = true;
          return false;
        }
      v = v * 10 + (uint64_t) (*s - '0');
    }
  unsigned shift = 0;
  if (*s != '\0')
    {
      const char *p = strchr ("KMGT", *s);
      if (p == NULL || s[1] != '\0')
        return false;
      shift = 10 * (unsigned) (p - "KMGT" + 1);
    }
  if (shift && v > (UINT64_MAX >> shift))
    {
      *overflow = true;
      return false;
    }
  *out = v << shift;
  return true;
}

/* "1777", "0755": octal, at most 07777. */
bool
parse_mode (const char *s, mode_t *out)
{
  if (s == NULL || *s == '\0')
    return false;
  unsigned v = 0;
  for (; *s; s++)
    {
      if (*s < '0' || *s > '7')
        return false;
      v = v * 8 + (unsigned) (*s - '0');
      if (v > 07777)
        return false;
    }
  *out = (mode_t) v;
  return true;
}

bool
valid_hostname (const char *s)
{
  size_t n = strlen (s);
  if (n < 1 || n > 64)
    return false;
  for (; *s; s++)
    if (!is_name_char (*s) || *s == '_')
      if (*s != '-' && *s != '.')
        return false;
  return true;
}

bool
valid_env_name (const char *s, size_t n)
{
  if (n == 0 || !is_name_start (s[0]))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!is_name_char (s[i]))
      return false;
  return true;
}

/* A number as C writes it (0x1f, 0755, 42) or negative (-1: all bits). */
bool
parse_u64 (const char *s, uint64_t *out)
{
  while (*s == ' ')
    s++;
  bool neg = *s == '-';
  if (neg)
    s++;
  if (*s < '0' || *s > '9')
    return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull (s, &end, 0);
  while (*end == ' ')
    end++;
  if (errno || *end != '\0' || (neg && v > (unsigned long long) INT64_MAX + 1))
    return false;
  *out = neg ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;
  return true;
}

/* "OP VALUE" (== != < <= > >=) or "& MASK == VALUE". */
bool
parse_seccomp_cmp (const char *s, struct seccomp_arg_cmp *out)
{
  memset (out, 0, sizeof *out);
  while (s && *s == ' ')
    s++;
  if (s == NULL || *s == '\0')
    return false;
  if (*s == '&')
    {
      const char *eq = strstr (s, "==");
      char *mask = eq ? xstrndup (s + 1, (size_t) (eq - s - 1)) : NULL;
      bool ok = mask && parse_u64 (mask, &out->mask)
                && parse_u64 (eq + 2, &out->value);
      free (mask);
      out->op = SECCOMP_CMP_MASKED_EQ;
      return out->set = ok;
    }
  static const struct { const char *op; enum seccomp_cmp cmp; } ops[] = {
    { "==", SECCOMP_CMP_EQ }, { "!=", SECCOMP_CMP_NE },
    { "<=", SECCOMP_CMP_LE }, { ">=", SECCOMP_CMP_GE },
    { "<", SECCOMP_CMP_LT }, { ">", SECCOMP_CMP_GT },
  };
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (strncmp (s, ops[i].op, strlen (ops[i].op)) == 0)
      {
        out->op = ops[i].cmp;
        return out->set = parse_u64 (s + strlen (ops[i].op), &out->value);
      }
  return false;
}

/* "unlimited", a number (with K/M/G/T for sizes), or "SOFT:HARD". */
static bool
parse_rlimit_part (int resource, const char *s, size_t n, uint64_t *out)
{
  char *v = xstrndup (s, n);
  bool overflow, ok;
  if (strcmp (v, "unlimited") == 0)
    {
      *out = UINT64_MAX;
      ok = true;
    }
  else if (cordon_rlimit_is_size (resource))
    ok = parse_size (v, out, &overflow) && *out != UINT64_MAX;
  else      /* a count, as integers are: decimal, "010" refused, never 8 */
    ok = v[strspn (v, "0123456789")] == '\0' && (v[0] != '0' || v[1] == '\0')
         && parse_size (v, out, &overflow) && *out != UINT64_MAX;
  free (v);
  return ok;
}

bool
parse_rlimit (int resource, const char *s, uint64_t *soft, uint64_t *hard)
{
  if (s == NULL)
    return false;
  const char *colon = strchr (s, ':');
  if (colon == NULL)
    {
      bool ok = parse_rlimit_part (resource, s, strlen (s), soft);
      *hard = *soft;
      return ok;
    }
  return parse_rlimit_part (resource, s, (size_t) (colon - s), soft)
         && parse_rlimit_part (resource, colon + 1, strlen (colon + 1), hard);
}

/* "10.88.0.1" or "10.88.0.1/24"; *prefix is -1 without one.  Prefixes go
 * up to 30: a smaller subnet has no room for a gateway and a jail. */
bool
parse_ipv4_prefix (const char *s, struct in_addr *addr, int *prefix)
{
  char buf[INET_ADDRSTRLEN];
  const char *slash = s ? strchr (s, '/') : NULL;
  size_t n = slash ? (size_t) (slash - s) : (s ? strlen (s) : 0);
  if (s == NULL || n == 0 || n >= sizeof buf)
    return false;
  memcpy (buf, s, n);
  buf[n] = '\0';
  if (inet_pton (AF_INET, buf, addr) != 1)
    return false;
  *prefix = -1;
  if (slash == NULL)
    return true;
  const char *p = slash + 1;
  if (*p < '0' || *p > '9' || strlen (p) > 2 || (p[1] && (p[1] < '0' || p[1] > '9')))
    return false;
  *prefix = atoi (p);
  return *prefix >= 1 && *prefix <= 30;
}

bool
valid_ifname (const char *s)
{
  size_t n = s ? strlen (s) : 0;
  if (n < 1 || n > 15 || strcmp (s, ".") == 0 || strcmp (s, "..") == 0)
    return false;
  for (; *s; s++)
    if (*s == '/' || *s == ':' || *s <= ' ' || *s == 0x7f)
      return false;
  return true;
}

static bool
parse_port (const char *s, size_t n, unsigned long *port, bool *range)
{
  *range = false;
  if (n == 0 || n > 5)
    return false;
  unsigned long v = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return false;
      v = v * 10 + (unsigned long) (s[i] - '0');
    }
  *range = v >= 1 && v <= 65535;
  *port = v;
  return true;
}

/* "[HOST_ADDRESS:]HOST_PORT:JAIL_PORT[/tcp|udp]" into *P (host_address
 * allocated); NULL, or what is wrong (allocated). */
char *
parse_publish (const char *s, struct port_publish *p)
{
  memset (p, 0, sizeof *p);
  p->protocol = IPPROTO_TCP;
  const char *end = strchrnul (s, '/');
  if (*end == '/')
    {
      if (strcmp (end + 1, "udp") == 0)
        p->protocol = IPPROTO_UDP;
      else if (strcmp (end + 1, "tcp") != 0)
        return xasprintf ("publish '%s': unknown protocol '%s' (tcp or udp)",
                          s, end + 1);
    }
  const char *colon2 = memrchr (s, ':', (size_t) (end - s));
  const char *colon1 = colon2 ? memrchr (s, ':', (size_t) (colon2 - s)) : NULL;
  if (colon2 == NULL)
    return xasprintf ("invalid publish '%s' ([HOST_ADDRESS:]HOST_PORT:"
                      "JAIL_PORT[/tcp|udp], like \"127.0.0.1:8080:80/tcp\")", s);
  const char *hp = colon1 ? colon1 + 1 : s;
  bool in_range_h, in_range_j;
  unsigned long host_port, jail_port;
  if (!parse_port (hp, (size_t) (colon2 - hp), &host_port, &in_range_h)
      || !parse_port (colon2 + 1, (size_t) (end - colon2 - 1), &jail_port,
                      &in_range_j))
    return xasprintf ("invalid publish '%s' ([HOST_ADDRESS:]HOST_PORT:"
                      "JAIL_PORT[/tcp|udp], like \"127.0.0.1:8080:80/tcp\")", s);
  if (!in_range_h || !in_range_j)
    return xasprintf ("publish '%s': port %lu is out of range (1 to 65535)", s,
                      !in_range_h ? host_port : jail_port);
  p->host_port = (uint16_t) host_port;
  p->jail_port = (uint16_t) jail_port;
  if (colon1)
    {
      char *addr = xstrndup (s, (size_t) (colon1 - s));
      struct in_addr a;
      if (inet_pton (AF_INET, addr, &a) != 1)
        {
          char *why = xasprintf ("publish '%s': invalid host address '%s' (an "
                                 "IPv4 address)", s, addr);
          free (addr);
          return why;
        }
      p->host_address = addr;
    }
  return NULL;
}

bool
parse_duration (const char *s, int64_t *out, bool *overflow)
{
  *overflow = false;
  if (s == NULL)
    return false;
  bool neg = *s == '-';
  if (neg)
    s++;
  if (*s < '0' || *s > '9')
    return false;
  int64_t v = 0;
  for (; *s >= '0' && *s <= '9'; s++)
    {
      v = v * 10 + (*s - '0');
      if (v > DURATION_MAX)
        {
          *overflow = true;
          return false;
        }
    }
  int64_t unit = 1;
  if (*s != '\0')
    {
      static const struct { char c; int64_t secs; } units[] = {
        { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
      };
      unit = 0;
      for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (*s == units[i].c && s[1] == '\0')
          unit = units[i].secs;
      if (unit == 0)
        return false;
    }
  if (v > DURATION_MAX / unit)
    {
      *overflow = true;
      return false;
    }
  *out = neg ? -v * unit : v * unit;
  return true;
}

void
format_duration (int64_t seconds, char *buf, size_t size)
{
  static const struct { char c; int64_t secs; } units[] = {
    { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 },
  };
  for (size_t i = 0; i < sizeof units / sizeof *units; i++)
    if (seconds != 0 && seconds % units[i].secs == 0)
      {
        snprintf (buf, size, "%" PRId64 "%c", seconds / units[i].secs,
                  units[i].c);
        return;
      }
  snprintf (buf, size, "%" PRId64 "s", seconds);
}

const char *
parse_id_range (const char *v, uint32_t *start, uint32_t *count)
{
  uint64_t n[2] = { 0, 0 };
  const char *p = v ? v : "";
  for (int i = 0; i < 2; i++)
    {
      if (*p < '0' || *p > '9')
        return "the form is \"START:COUNT\", two decimal numbers";
      for (; *p >= '0' && *p <= '9'; p++)
        if ((n[i] = n[i] * 10 + (uint64_t) (*p - '0')) > UINT32_MAX)
          return "a number past 4294967295 (ids are 32-bit)";
      if (*p != (i == 0 ? ':' : '\0'))
        return "the form is \"START:COUNT\", two decimal numbers";
      p++;
    }
  if (n[0] < 65536)
    return "ids below 65536 are the host's own users and groups (root is 0, "
           "nobody 65534): start at 65536 or above";
  if (n[1] == 0)
    return "COUNT must be at least 1";
  if (n[0] + n[1] - 1 > UINT32_MAX - 1)
    return "the range ends past 4294967294 ((uid_t) -1 is not an id)";
  *start = (uint32_t) n[0];
  *count = (uint32_t) n[1];
  return NULL;
}

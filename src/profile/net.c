/* net.c — the network section: modes, addresses, ports. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "profile/internal.h"

/* A diagnostic about network.KEY, at the line that set it last (KEY NULL:
 * at the section). */
__attribute__ ((format (printf, 5, 6))) void
net_diag (struct loader *ld, enum diag_severity sev, const struct sec_rec *rec,
          const char *key, const char *fmt, ...)
{
  char *name = key ? xasprintf ("network.%s", key) : NULL;
  const struct key_rec *k = name ? key_origin (ld, name) : NULL;
  free (name);
  va_list ap;
  va_start (ap, fmt);
  char *msg = xvasprintf (fmt, ap);
  va_end (ap);
  ld_diag_at (ld, sev, k ? k->file : rec->file, k ? k->line : rec->line,
              "network: %s", msg);
  free (msg);
}

static int
net_key_line (struct loader *ld, const struct sec_rec *rec, const char *key)
{
  char *name = xasprintf ("network.%s", key);
  const struct key_rec *k = key_origin (ld, name);
  free (name);
  return k ? k->line : rec->line;
}

/* The bridge, gateway and prefix a bridge-mode jail gets when the profile
 * does not say: from the settings file, else built in.  The settings keep
 * the gateway as text (struct settings, and its cache); the settings load
 * checked it, or failed and cordon stopped: one that does not parse here
 * is cordon's bug, never a reason to take another. */
static void
network_defaults (struct loader *ld, const char **bridge, struct in_addr *gw,
                  int *prefix)
{
  const struct settings *s = ld->settings;
  *bridge = s && s->network_bridge ? s->network_bridge : DEFAULT_BRIDGE;
  const char *g = s && s->network_gateway ? s->network_gateway : DEFAULT_GATEWAY;
  if (!parse_ipv4_prefix (g, gw, prefix) || *prefix < 0)
    {
      fprintf (stderr, "cordon: internal error: the settings' gateway '%s' "
               "was not checked\n", g);
      abort ();
    }
}

static uint32_t
prefix_mask (int prefix)
{
  return prefix <= 0 ? 0 : 0xffffffffu << (32 - prefix);
}

/* bridge, address, gateway, prefix: complete, and the address usable. */
static void
build_bridge_addresses (struct loader *ld, struct network_spec *n, cfg_t *sec,
                        const struct sec_rec *rec)
{
  const char *bridge;
  struct in_addr gw, addr = { 0 };
  int prefix, gw_prefix = -1, addr_prefix = -1;
  network_defaults (ld, &bridge, &gw, &prefix);
  if (cfg_size (sec, "bridge"))
    bridge = cfg_getstr (sec, "bridge");
  const union key_typed *g_set = typed_key (sec, SEC_NETWORK, "gateway", 0);
  const union key_typed *a_set = typed_key (sec, SEC_NETWORK, "address", 0);
  if ((cfg_size (sec, "gateway") && g_set == NULL)
      || (cfg_size (sec, "address") && a_set == NULL))
    return;                 /* said at its line */
  if (g_set)
    {
      gw = g_set->ipv4.addr;
      gw_prefix = g_set->ipv4.prefix;
    }
  n->address_auto = a_set == NULL || a_set->ipv4.is_auto;
  if (!n->address_auto)
    {
      addr = a_set->ipv4.addr;
      addr_prefix = a_set->ipv4.prefix;
    }
  if (addr_prefix >= 0 && gw_prefix >= 0 && addr_prefix != gw_prefix)
    {
      net_diag (ld, DIAG_ERROR, rec, "address", "the "
                "prefix of 'address' (/%d) differs from the gateway's (/%d)",
                addr_prefix, gw_prefix);
      return;
    }
  if (addr_prefix >= 0)
    prefix = addr_prefix;
  else if (gw_prefix >= 0)
    prefix = gw_prefix;
  uint32_t mask = prefix_mask (prefix), g = ntohl (gw.s_addr);
  char net[INET_ADDRSTRLEN], gws[INET_ADDRSTRLEN];
  struct in_addr net_addr = { htonl (g & mask) };
  inet_ntop (AF_INET, &net_addr, net, sizeof net);
  inet_ntop (AF_INET, &gw, gws, sizeof gws);
  if ((g & ~mask) == 0 || (g & ~mask) == ~mask)
    net_diag (ld, DIAG_ERROR, rec, "gateway", "gateway %s "
              "is the network or broadcast address of %s/%d", gws, net, prefix);
  if (!n->address_auto)
    {
      uint32_t x = ntohl (addr.s_addr);
      char as[INET_ADDRSTRLEN];
      inet_ntop (AF_INET, &addr, as, sizeof as);
      if ((x & mask) != (g & mask))
        net_diag (ld, DIAG_ERROR, rec, "address", "address %s is not in the "
                  "gateway's subnet %s/%d", as, net, prefix);
      else if (x == g)
        net_diag (ld, DIAG_ERROR, rec, "address", "address %s is the gateway's own",
                  as);
      else if ((x & ~mask) == 0 || (x & ~mask) == ~mask)
        net_diag (ld, DIAG_ERROR, rec, "address", "address %s is the network or "
                  "broadcast address of %s/%d", as, net, prefix);
      n->address = xasprintf ("%s/%d", as, prefix);
    }
  n->bridge = xstrdup (bridge);
  n->gateway = xstrdup (gws);
  n->prefix = (unsigned) prefix;
  n->nat = cfg_size (sec, "nat") && cfg_getbool (sec, "nat");
}

static void
build_publish (struct loader *ld, struct network_spec *n, cfg_t *sec,
               const struct sec_rec *rec)
{
  size_t count = cfg_size (sec, "publish");
  n->publish = count ? xcalloc (count, sizeof *n->publish) : NULL;
  for (size_t i = 0; i < count; i++)
    {
      const union key_typed *t = typed_key (sec, SEC_NETWORK, "publish",
                                            (unsigned) i);
      if (t == NULL)
        continue;           /* said at its line */
      struct port_publish p = t->publish;
      p.host_address = p.host_address ? xstrdup (p.host_address) : NULL;
      for (size_t j = 0; j < n->n_publish; j++)
        if (n->publish[j].host_port == p.host_port
            && n->publish[j].protocol == p.protocol)
          net_diag (ld, DIAG_ERROR, rec, "publish",
                    "publish '%s': host port %u/%s is published twice",
                    typed_text (sec, SEC_NETWORK, "publish", (unsigned) i),
                    p.host_port, p.protocol == IPPROTO_UDP ? "udp" : "tcp");
      p.origin.file = xstrdup (rec->file);
      p.origin.line = net_key_line (ld, rec, "publish");
      n->publish[n->n_publish++] = p;
    }
}

/* mode "netns": PATH must name a network namespace now (network.c
 * checks the one it opens again at run time). */
static void
build_netns (struct loader *ld, struct network_spec *n, cfg_t *sec,
             const struct sec_rec *rec)
{
  if (!cfg_size (sec, "path"))
    {
      net_diag (ld, DIAG_ERROR, rec, "mode", "mode \"netns\" needs 'path', "
                "the network namespace to join (\"/run/netns/NAME\")");
      return;
    }
  const char *path = cfg_getstr (sec, "path");
  if (path[0] != '/')
    {
      net_diag (ld, DIAG_ERROR, rec, "path", "path \"%s\": not an absolute "
                "path", path);
      return;
    }
  n->netns = xstrdup (path);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      net_diag (ld, DIAG_ERROR, rec, "path", "path \"%s\": %s", path,
                strerror (errno));
      return;
    }
  int type = ioctl (fd, NS_GET_NSTYPE);
  close (fd);
  if (type != CLONE_NEWNET)
    net_diag (ld, DIAG_ERROR, rec, "path", "path \"%s\" is not a network "
              "namespace (%s)", path, type < 0 ? "not a namespace file"
              : "a namespace of another type");
}

void
build_network (struct loader *ld, struct jail_spec *spec, cfg_t *sec,
               const struct sec_rec *rec)
{
  struct network_spec *n = &spec->network;
  bool has_net = spec->namespaces & JAIL_NS_NET;
  n->origin.file = xstrdup (rec->file);
  n->origin.line = rec->line;
  const union key_typed *set = typed_key (sec, SEC_NETWORK, "mode", 0);
  int mode = set ? set->index : has_net ? NETWORK_NONE : NETWORK_HOST;
  if (cfg_size (sec, "mode") && set == NULL)
    return;                 /* said at its line */
  n->mode = (enum network_mode) mode;
  rule_network_mode (ld, spec, rec, cfg_size (sec, "mode") > 0);
  if (!rule_network_keys (ld, sec, rec, n->mode))
    return;
  if (n->mode == NETWORK_BRIDGE)
    build_bridge_addresses (ld, n, sec, rec);
  if (n->mode == NETWORK_NETNS)
    build_netns (ld, n, sec, rec);
  n->host_loopback = cfg_size (sec, "host_loopback")
                     && cfg_getbool (sec, "host_loopback");
  n->dns = copy_list (sec, "dns", &n->n_dns);
  build_publish (ld, n, sec, rec);
}

/* network.dns becomes the jail's /etc/resolv.conf: a file entry after all
 * the others, so that it covers a bound /etc. */
void
add_resolv_conf (struct loader *ld, struct jail_spec *spec)
{
  const struct network_spec *n = &spec->network;
  if (n->n_dns == 0)
    return;
  const struct key_rec *k = key_origin (ld, "network.dns");
  struct sec_rec rec = { .file = k ? k->file : n->origin.file,
                         .line = k ? k->line : n->origin.line };
  for (size_t i = 0; i < spec->n_entries; i++)
    if (strcmp (spec->entries[i].dest, "/etc/resolv.conf") == 0)
      {
        ld_diag_at (ld, DIAG_ERROR, rec.file, rec.line, "network: 'dns' "
                    "writes /etc/resolv.conf, which the %s at %s:%d sets "
                    "already", kind_name (spec->entries[i].kind),
                    spec->entries[i].origin.file, spec->entries[i].origin.line);
        return;
      }
  struct fs_entry *e = new_entry (spec, FS_FILE, &rec);
  e->dest = xstrdup ("/etc/resolv.conf");
  struct strbuf b = { 0 };
  sb_puts (&b, "# written by cordon from the profile's network.dns\n");
  for (size_t i = 0; i < n->n_dns; i++)
    {
      sb_puts (&b, "nameserver ");
      sb_puts (&b, n->dns[i]);
      sb_putc (&b, '\n');
    }
  e->content = b.s;
  e->content_len = b.n;
  e->has_mode = true;
  e->mode = 0644;
  e->generated = true;
}

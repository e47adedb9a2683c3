/* test-profile-network.c — the network section of profiles and the network
 * settings (src/profile.c), on the fixtures in tests/fixtures/network:
 * values field by field, errors by their exact text, and show's round trip. */
#include "config.h"

#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"
#include "tap.h"
#include "profile-test-helpers.h"

static struct settings no_settings;     /* built-in defaults */

static struct jail_spec *
load_with (const char *path, const struct settings *settings, char **text)
{
  struct profile_request req = { .path = path, .settings = settings };
  return load_request (&req, text);
}

static struct jail_spec *
load (const char *path, char **text)
{
  return load_with (path, &no_settings, text);
}

static void
check_error (const char *file, const char *want)
{
  char *text;
  struct jail_spec *spec = load (file, &text);
  expect_failure (spec, text, want, "%s: exact errors", file);
}

static bool
str_eq (const char *a, const char *b)
{
  return (a == NULL && b == NULL) || (a && b && strcmp (a, b) == 0);
}

static bool
same_network (const struct network_spec *a, const struct network_spec *b)
{
  if (a->mode != b->mode || !str_eq (a->bridge, b->bridge)
      || a->address_auto != b->address_auto || !str_eq (a->address, b->address)
      || !str_eq (a->gateway, b->gateway) || a->prefix != b->prefix
      || !str_eq (a->netns, b->netns)
      || a->nat != b->nat || a->n_dns != b->n_dns
      || a->n_publish != b->n_publish)
    return false;
  for (size_t i = 0; i < a->n_dns; i++)
    if (!str_eq (a->dns[i], b->dns[i]))
      return false;
  for (size_t i = 0; i < a->n_publish; i++)
    {
      const struct port_publish *p = &a->publish[i], *q = &b->publish[i];
      if (!str_eq (p->host_address, q->host_address)
          || p->host_port != q->host_port || p->jail_port != q->jail_port
          || p->protocol != q->protocol)
        return false;
    }
  return true;
}

/* show, then load what it printed: the same network spec, and the same
 * number of entries (the generated resolv.conf is not printed as a file). */
static void
check_roundtrip (const char *file, const struct jail_spec *spec)
{
  char *text;
  struct jail_spec *again = load_printed (spec, &text);
  tap_ok (again && same_network (&spec->network, &again->network)
          && again->n_entries == spec->n_entries,
          "%s: show prints the network section so that it reads back the same",
          file);
  if (again == NULL)
    printf ("# %s", text);
  jail_spec_free (again);
  free (text);
}

static const struct fs_entry *
find_entry (const struct jail_spec *spec, const char *dest)
{
  for (size_t i = 0; i < spec->n_entries; i++)
    if (strcmp (spec->entries[i].dest, dest) == 0)
      return &spec->entries[i];
  return NULL;
}

static void
test_bridge (void)
{
  char *text;
  struct jail_spec *s = load ("bridge.conf", &text);
  tap_ok (s != NULL && *text == '\0', "bridge.conf loads without a word");
  if (s == NULL)
    {
      printf ("# %s", text);
      free (text);
      return;
    }
  const struct network_spec *n = &s->network;
  tap_ok (n->mode == NETWORK_BRIDGE, "mode bridge");
  tap_ok (str_eq (n->bridge, "br-test"), "bridge");
  tap_ok (!n->address_auto && str_eq (n->address, "10.77.0.9/16"), "address");
  tap_ok (str_eq (n->gateway, "10.77.0.1") && n->prefix == 16,
          "gateway, and the prefix from the address");
  tap_ok (n->nat, "nat");
  tap_ok (n->n_dns == 2 && str_eq (n->dns[1], "2001:db8::53"), "dns");
  tap_ok (n->n_publish == 3
          && str_eq (n->publish[0].host_address, "127.0.0.1")
          && n->publish[0].host_port == 8080 && n->publish[0].jail_port == 80
          && n->publish[0].protocol == IPPROTO_TCP
          && n->publish[1].host_address == NULL
          && n->publish[1].protocol == IPPROTO_UDP
          && n->publish[2].protocol == IPPROTO_TCP
          && n->publish[2].origin.line == 9, "publish");
  const struct fs_entry *r = find_entry (s, "/etc/resolv.conf");
  tap_ok (r && r->kind == FS_FILE && r->generated && r->origin.line == 8
          && str_eq (r->content, "# written by cordon from the profile's "
                     "network.dns\nnameserver 10.77.0.1\nnameserver "
                     "2001:db8::53\n"), "dns writes /etc/resolv.conf");
  check_roundtrip ("bridge.conf", s);
  jail_spec_free (s);
  free (text);
}

static void
test_defaults (void)
{
  char *text;
  struct jail_spec *s = load ("defaults.conf", &text);
  tap_ok (s && s->network.mode == NETWORK_BRIDGE && s->network.address_auto
          && str_eq (s->network.bridge, "cordon0")
          && str_eq (s->network.gateway, "10.88.0.1")
          && s->network.prefix == 24 && !s->network.nat
          && find_entry (s, "/etc/resolv.conf") == NULL,
          "bridge mode alone: auto on cordon0, 10.88.0.1/24, no nat");
  if (s)
    check_roundtrip ("defaults.conf", s);
  jail_spec_free (s);
  free (text);

  struct settings set = { 0 };
  struct diagnostics d = { 0 };
  int r = settings_load ("settings.conf", &set, &d);
  tap_ok (r == 0 && d.n == 0 && str_eq (set.network_bridge, "br-set")
          && str_eq (set.network_gateway, "172.30.0.1/16"),
          "settings: network_bridge and network_gateway");
  s = load_with ("defaults.conf", &set, &text);
  tap_ok (s && str_eq (s->network.bridge, "br-set")
          && str_eq (s->network.gateway, "172.30.0.1")
          && s->network.prefix == 16,
          "the settings' bridge and gateway are the profile's defaults");
  jail_spec_free (s);
  free (text);
  s = load_with ("bridge.conf", &set, &text);
  tap_ok (s && str_eq (s->network.bridge, "br-test")
          && str_eq (s->network.gateway, "10.77.0.1"),
          "the profile's own values win over the settings");
  jail_spec_free (s);
  free (text);
  settings_free (&set);
  diagnostics_free (&d);

  r = settings_load ("/nonexistent/cordon.conf", &set, &d);
  tap_ok (r == 0 && str_eq (set.network_bridge, "cordon0")
          && str_eq (set.network_gateway, "10.88.0.1/24"),
          "settings without a file: cordon0 and 10.88.0.1/24");
  settings_free (&set);
  diagnostics_free (&d);

  expect_settings_failure ("settings-bad.conf",
    "settings-bad.conf:1: error: invalid network_bridge name 'no/slash' (1 to "
    "15 characters, no '/', ':' or spaces)\n"
    "settings-bad.conf:2: error: invalid network_gateway '172.30.0.1' (an IPv4 "
    "address with a /PREFIX up to 30, like \"10.88.0.1/24\")\n",
    "settings: bad network values");
}

static void
test_modes (void)
{
  char *text;
  struct jail_spec *s = load ("absent.conf", &text);
  tap_ok (s && s->network.mode == NETWORK_NONE && *text == '\0',
          "no network section, \"net\" namespace: mode none");
  jail_spec_free (s);
  free (text);
  s = load ("nonet.conf", &text);
  tap_ok (s && s->network.mode == NETWORK_HOST
          && strcmp (text, "nonet.conf:2: warning: no 'net' namespace: the "
                     "jail shares the host's network (its interfaces, ports "
                     "and abstract sockets)\n") == 0,
          "no \"net\" namespace: mode host, with a warning");
  if (s)
    check_roundtrip ("nonet.conf", s);
  jail_spec_free (s);
  free (text);
  s = load ("user.conf", &text);
  tap_ok (s && s->network.mode == NETWORK_USER && s->network.n_publish == 1
          && s->network.bridge == NULL && find_entry (s, "/etc/resolv.conf"),
          "mode user: publish and dns, no bridge");
  if (s)
    check_roundtrip ("user.conf", s);
  jail_spec_free (s);
  free (text);
}

static void
test_invalid (void)
{
  check_error ("bad-values.conf",
    "bad-values.conf:3: error: network: invalid bridge name "
    "'a-name-far-too-long' (1 to 15 characters, no '/', ':' or spaces)\n"
    "bad-values.conf:4: error: network: invalid address '10.88.0.300/24' "
    "(\"auto\" or an IPv4 address with an optional /PREFIX up to 30, like "
    "\"10.88.0.2/24\")\n"
    "bad-values.conf:5: error: network: invalid gateway '10.88.0.1/31' (an "
    "IPv4 address with an optional /PREFIX up to 30, like \"10.88.0.1/24\")\n"
    "bad-values.conf:6: error: network: invalid dns server 'resolver' (an "
    "IPv4 or IPv6 address)\n"
    "bad-values.conf:7: error: network: invalid publish '8080' ([HOST_ADDRESS:]"
    "HOST_PORT:JAIL_PORT[/tcp|udp], like \"127.0.0.1:8080:80/tcp\")\n"
    "bad-values.conf:7: error: network: publish '0:80': port 0 is out of "
    "range (1 to 65535)\n"
    "bad-values.conf:7: error: network: publish '80:70000': port 70000 is out "
    "of range (1 to 65535)\n"
    "bad-values.conf:7: error: network: publish '80:80/sctp': unknown "
    "protocol 'sctp' (tcp or udp)\n"
    "bad-values.conf:7: error: network: publish '1.2.3:80:80': invalid host "
    "address '1.2.3' (an IPv4 address)\n"
    "bad-values.conf:7: error: network: invalid publish 'x:80' ([HOST_ADDRESS:]"
    "HOST_PORT:JAIL_PORT[/tcp|udp], like \"127.0.0.1:8080:80/tcp\")\n");
  check_error ("bad-mode.conf", "bad-mode.conf:1: error: network: unknown "
               "mode 'slirp' (known: none, host, bridge, user, netns)\n");
  check_error ("netns-no-path.conf", "netns-no-path.conf:3: error: network: "
               "mode \"netns\" needs 'path', the network namespace to join "
               "(\"/run/netns/NAME\")\n");
  check_error ("netns-ipc.conf", "netns-ipc.conf:4: error: network: path "
               "\"/proc/self/ns/ipc\" is not a network namespace (a namespace "
               "of another type)\n");
  check_error ("netns-file.conf", "netns-file.conf:4: error: network: path "
               "\"/etc/passwd\" is not a network namespace (not a namespace "
               "file)\n");
  check_error ("netns-missing.conf", "netns-missing.conf:4: error: network: "
               "path \"/etc/hostname-nope-h7\": No such file or directory\n");
  check_error ("netns-relative.conf", "netns-relative.conf:4: error: network: "
               "path \"run/netns/ci\": not an absolute path\n");
  check_error ("netns-path-none.conf", "netns-path-none.conf:4: error: "
               "network: 'path' needs mode \"netns\"\n");
  check_error ("wrong-mode-keys.conf",
    "wrong-mode-keys.conf:3: error: network: 'bridge' needs mode \"bridge\"\n"
    "wrong-mode-keys.conf:4: error: network: 'address' needs mode \"bridge\"\n"
    "wrong-mode-keys.conf:5: error: network: 'gateway' needs mode \"bridge\"\n"
    "wrong-mode-keys.conf:6: error: network: 'nat' needs mode \"bridge\"\n");
  check_error ("none-keys.conf",
    "none-keys.conf:3: error: network: 'dns' needs mode \"bridge\" or "
    "\"user\"\n"
    "none-keys.conf:4: error: network: 'publish' needs mode \"bridge\" or "
    "\"user\"\n");
  check_error ("outside-subnet.conf", "outside-subnet.conf:3: error: network: "
               "address 10.89.0.2 is not in the gateway's subnet "
               "10.88.0.0/24\n");
  check_error ("gateway-own.conf", "gateway-own.conf:4: error: network: "
               "address 10.88.0.1 is the gateway's own\n");
  check_error ("broadcast.conf", "broadcast.conf:3: error: network: address "
               "10.88.0.255 is the network or broadcast address of "
               "10.88.0.0/24\n");
  check_error ("prefix-mismatch.conf", "prefix-mismatch.conf:4: error: "
               "network: the prefix of 'address' (/24) differs from the "
               "gateway's (/16)\n");
  check_error ("host-with-net.conf", "host-with-net.conf:1: error: network: "
               "mode \"host\" shares the host's network: remove \"net\" from "
               "namespaces\n");
  check_error ("needs-net.conf", "needs-net.conf:3: error: network: mode "
               "\"bridge\" needs \"net\" in namespaces\n");
  check_error ("publish-twice.conf", "publish-twice.conf:3: error: network: "
               "publish '127.0.0.1:8080:81/tcp': host port 8080/tcp is "
               "published twice\n");
  check_error ("resolv-clash.conf", "resolv-clash.conf:4: error: network: "
               "'dns' writes /etc/resolv.conf, which the file at "
               "resolv-clash.conf:1 sets already\n");
}

static void
test_netns (void)
{
  char *text;
  struct jail_spec *s = load ("netns.conf", &text);
  tap_ok (s != NULL && *text == '\0', "netns.conf loads without a word");
  if (s == NULL)
    {
      printf ("# %s", text);
      free (text);
      return;
    }
  tap_ok (s->network.mode == NETWORK_NETNS
          && str_eq (s->network.netns, "/proc/self/ns/net"),
          "mode netns and its path");
  check_roundtrip ("netns.conf", s);
  jail_spec_free (s);
  free (text);
}

int
main (void)
{
  if (enter_fixtures ("network") < 0)
    return 1;
  test_bridge ();
  test_defaults ();
  test_modes ();
  test_netns ();
  test_invalid ();
  return tap_done ();
}

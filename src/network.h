/* network.h — the jail's network, by mode (see network.c).
 *
 * The jail core calls these at fixed points of its one path; for a mode
 * that needs nothing there, they do nothing:
 *   network_prepare     launcher, before clone: checks, address lease
 *   network_clone_begin / network_clone_end
 *                       launcher, around the clone: netns mode joins the
 *                       namespace for the clone to inherit, then leaves it
 *   network_attach      launcher, once the jail's namespaces exist and its
 *                       id maps are written, before it is released
 *   network_configure_inside   the jail, before its root is built
 *   network_release     launcher, when the jail is gone (or never started)
 */
#ifndef CORDON_NETWORK_H
#define CORDON_NETWORK_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "jail.h"
#include "spec.h"

/* What the launcher holds for one jail; the jail gets a copy at clone. */
struct network_state
{
  /* bridge mode */
  char lease_dir[256];          /* /run/cordon/net/BRIDGE@NETNS_COOKIE */
  char lease_name[16];          /* the address, the lease file's name */
  int lease_fd;                 /* flock'd while the address is ours */
  uint32_t address;             /* the jail's address, network order */
  uint32_t gateway;
  char veth[IF_NAMESIZE];       /* host end; "" when none was made */
  bool forwards;                /* publish elements may be in nftables */
  /* user mode */
  pid_t pasta;                  /* 0 when not running */
  /* netns mode */
  int netns_fd;                 /* the namespace to join, until the clone */
  int host_netns_fd;            /* ours, while we are in that one */
};

void network_init (struct network_state *st);
int network_prepare (const struct jail_spec *spec, struct network_state *st,
                     const struct jail_options *opts, cordon_error_t *err);
int network_attach (const struct jail_spec *spec, struct network_state *st,
                    pid_t jail, const struct jail_options *opts,
                    cordon_error_t *err);
int network_configure_inside (const struct jail_spec *spec,
                              const struct network_state *st,
                              const struct jail_options *opts,
                              cordon_error_t *err);
/* netns mode: join the namespace to give the jail; _end returns to ours
 * (in the launcher; the jail only closes its copy of our handle). */
int network_clone_begin (const struct jail_spec *spec,
                         struct network_state *st, cordon_error_t *err);
int network_clone_end (struct network_state *st, bool in_jail,
                       cordon_error_t *err);
/* Without CLONE_NEWNET: netns mode gives the jail its namespace by the
 * clone's inheriting it. */
bool network_clone_joins (const struct jail_spec *spec);

/* Undo everything network_prepare and network_attach did; never fails
 * (what cannot be removed now the next bridge run on the bridge removes). */
void network_release (const struct jail_spec *spec, struct network_state *st,
                      const struct jail_options *opts);

#endif

/* network.c — the jail's network: lo, a veth on a bridge, pasta, nftables.
 *
 * Owns what each network mode puts in the jail and on the host:
 *   none    the jail's own namespace, with lo up (the jail does it);
 *   host    nothing (no net namespace);
 *   bridge  an address lease (a flock'd file under /run/cordon/net, in a
 *           directory of the bridge and the namespace's cookie), the
 *           bridge (created with the gateway address when missing), a veth
 *           pair whose jail end becomes eth0, and, for nat and publish, the
 *           nftables table "ip cordon";
 *   user    pasta(1) attached to the jail's namespace, as our child;
 *   netns   an existing namespace (ip netns add), which the launcher joins
 *           around the clone so that the jail inherits it, as is.
 * Netlink goes through libnl, nftables through the nft program; lo goes up
 * with the SIOCSIFFLAGS ioctl, so that a jail without a bridge opens no
 * netlink socket.  What the launcher adds it removes in network_release.  A
 * lease file names the veth and forwards of its jail, so what a killed
 * launcher left behind is removed by the next bridge-mode run on that
 * bridge, which finds the lease unlocked. */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/if_link.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "network.h"
#include "util.h"

extern char **environ;

#define RUN_DIR "/run/cordon"
#define NET_RUN_DIR RUN_DIR "/net"
#define NFT_TABLE "cordon"
#define PASTA_READY_TIMEOUT_MS 10000
/* ------------------------------------------------------------------ */
/* rtnetlink through libnl                                             */
/* ------------------------------------------------------------------ */

struct nl
{
  struct nl_sock *sock;
};

static int
netlink_open (struct nl *nl, cordon_error_t *err)
{
  nl->sock = nl_socket_alloc ();
  if (nl->sock == NULL)
    return cordon_fail (err, ENOMEM, "open a netlink socket");
  /* nl_connect opens the socket with SOCK_CLOEXEC and binds it */
  int r = nl_connect (nl->sock, NETLINK_ROUTE);
  if (r < 0)
    {
      int e = errno ? errno : EPROTO;
      nl_socket_free (nl->sock);
      nl->sock = NULL;
      return cordon_fail (err, e, "open a netlink socket: %s", nl_geterror (r));
    }
  return 0;
}

static void
netlink_close (struct nl *nl)
{
  if (nl->sock)
    nl_socket_free (nl->sock);
  nl->sock = NULL;
}

/* libnl maps the kernel's errno onto its own codes, which lose it
 * (EEXIST and EBUSY both become "object busy"): keep the kernel's. */
static int
keep_kernel_error (struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
  *(int *) arg = e->error;
  return NL_STOP;
}

static int
note_ack (struct nl_msg *msg, void *arg)
{
  *(int *) arg = 0;
  return NL_STOP;
}

#define NO_ANSWER_YET 1

/* The kernel's answer to the request just sent: 0 or -errno. */
static int
wait_for_ack (struct nl *nl)
{
  struct nl_cb *sock_cb = nl_socket_get_cb (nl->sock);   /* a reference */
  struct nl_cb *cb = sock_cb ? nl_cb_clone (sock_cb) : NULL;
  nl_cb_put (sock_cb);
  if (cb == NULL)
    return -ENOMEM;
  int result = NO_ANSWER_YET;
  nl_cb_err (cb, NL_CB_CUSTOM, keep_kernel_error, &result);
  nl_cb_set (cb, NL_CB_ACK, NL_CB_CUSTOM, note_ack, &result);
  while (result == NO_ANSWER_YET)
    if (nl_recvmsgs (nl->sock, cb) < 0 && result == NO_ANSWER_YET)
      result = errno ? -errno : -EIO;
  nl_cb_put (cb);
  return result;
}

/* Send one request (MSG, consumed; NULL when it could not be built) and
 * wait for its acknowledgement: 0 or -errno. */
static int
netlink_request (struct nl *nl, struct nl_msg *msg)
{
  if (msg == NULL)
    return -ENOMEM;
  errno = 0;
  int r = nl_send_auto (nl->sock, msg);
  int e = errno;
  nlmsg_free (msg);
  if (r < 0)
    return e ? -e : -EIO;
  return wait_for_ack (nl);
}

/* The message, or NULL (freeing it) when a part of it did not fit. */
static struct nl_msg *
complete (struct nl_msg *msg, bool ok)
{
  if (!ok)
    nlmsg_free (msg);
  return ok ? msg : NULL;
}

/* A message with its fixed header appended; NULL when out of memory. */
static struct nl_msg *
new_msg (int type, int flags, const void *header, size_t size)
{
  struct nl_msg *msg = nlmsg_alloc_simple (type, flags | NLM_F_ACK);
  return complete (msg, msg && nlmsg_append (msg, (void *) header, size,
                                             NLMSG_ALIGNTO) == 0);
}

static struct nl_msg *
link_msg (int type, int flags, unsigned change, const char *name)
{
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_change = change,
                           .ifi_flags = change };
  struct nl_msg *msg = new_msg (type, flags, &ifi, sizeof ifi);
  return complete (msg, msg && nla_put_string (msg, IFLA_IFNAME, name) == 0);
}

static int
link_up (struct nl *nl, const char *name, cordon_error_t *err)
{
  int r = netlink_request (nl, link_msg (RTM_NEWLINK, 0, IFF_UP, name));
  return r < 0 ? cordon_fail (err, -r, "set %s up", name) : 0;
}

/* lo goes up through SIOCSIFFLAGS (netdevice(7)), as nsjail does it: two
 * ioctls on a throwaway socket.  Through netlink it cost pid 1 a socket's
 * set-up, a round trip and libnl's allocations, ~0.15 ms of every start,
 * in a jail that needs nothing else from netlink. */
static int
loopback_up (cordon_error_t *err)
{
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return fail_errno (err, "a socket to set lo up");
  struct ifreq ifr = { .ifr_name = "lo" };
  int r = 0;
  if (ioctl (fd, SIOCGIFFLAGS, &ifr) < 0)
    r = fail_errno (err, "read lo's flags");
  else
    {
      ifr.ifr_flags |= IFF_UP;
      if (ioctl (fd, SIOCSIFFLAGS, &ifr) < 0)
        r = fail_errno (err, "set lo up");
    }
  close_fd (&fd);
  return r;
}

static int
link_delete (struct nl *nl, const char *name)
{
  return netlink_request (nl, link_msg (RTM_DELLINK, 0, 0, name));
}

static int
bridge_create (struct nl *nl, const char *name)
{
  struct nl_msg *msg = link_msg (RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0,
                                 name);
  struct nlattr *info = msg ? nla_nest_start (msg, IFLA_LINKINFO) : NULL;
  bool ok = info && nla_put_string (msg, IFLA_INFO_KIND, "bridge") == 0
            && nla_nest_end (msg, info) == 0;
  return netlink_request (nl, complete (msg, ok));
}

/* A veth pair: HOST on the bridge, its peer created right in the jail's
 * namespace (NETNS_FD) as eth0. */
static int
veth_create (struct nl *nl, const char *host, unsigned bridge_index,
             int netns_fd)
{
  struct nl_msg *msg = link_msg (RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0,
                                 host);
  struct ifinfomsg peer_ifi = { .ifi_family = AF_UNSPEC };
  struct nlattr *info = NULL, *data = NULL, *peer = NULL;
  bool ok = msg && nla_put_u32 (msg, IFLA_MASTER, bridge_index) == 0
            && (info = nla_nest_start (msg, IFLA_LINKINFO)) != NULL
            && nla_put_string (msg, IFLA_INFO_KIND, "veth") == 0
            && (data = nla_nest_start (msg, IFLA_INFO_DATA)) != NULL
            && (peer = nla_nest_start (msg, VETH_INFO_PEER)) != NULL
            && nlmsg_append (msg, &peer_ifi, sizeof peer_ifi,
                             NLMSG_ALIGNTO) == 0
            && nla_put_string (msg, IFLA_IFNAME, "eth0") == 0
            && nla_put_u32 (msg, IFLA_NET_NS_FD, (uint32_t) netns_fd) == 0
            && nla_nest_end (msg, peer) == 0 && nla_nest_end (msg, data) == 0
            && nla_nest_end (msg, info) == 0;
  return netlink_request (nl, complete (msg, ok));
}

static int
addr_add (struct nl *nl, unsigned index, uint32_t addr, unsigned prefix)
{
  struct ifaddrmsg ifa = { .ifa_family = AF_INET,
                           .ifa_prefixlen = (unsigned char) prefix,
                           .ifa_scope = RT_SCOPE_UNIVERSE,
                           .ifa_index = index };
  uint32_t mask = htonl (0xffffffffu << (32 - prefix));
  struct nl_msg *msg = new_msg (RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
                                &ifa, sizeof ifa);
  bool ok = msg && nla_put_u32 (msg, IFA_LOCAL, addr) == 0
            && nla_put_u32 (msg, IFA_ADDRESS, addr) == 0
            && nla_put_u32 (msg, IFA_BROADCAST, addr | ~mask) == 0;
  return netlink_request (nl, complete (msg, ok));
}

static int
default_route_add (struct nl *nl, unsigned index, uint32_t gateway)
{
  struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN,
                       .rtm_protocol = RTPROT_BOOT,
                       .rtm_scope = RT_SCOPE_UNIVERSE,
                       .rtm_type = RTN_UNICAST };
  struct nl_msg *msg = new_msg (RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
                                &rtm, sizeof rtm);
  bool ok = msg && nla_put_u32 (msg, RTA_GATEWAY, gateway) == 0
            && nla_put_u32 (msg, RTA_OIF, index) == 0;
  return netlink_request (nl, complete (msg, ok));
}

/* ------------------------------------------------------------------ */
/* nftables                                                            */
/* ------------------------------------------------------------------ */

/* The table every cordon jail shares.  The static rules only look things
 * up: nat subnets are elements of nat_subnets, published ports elements of
 * the publish maps, so jails add and remove elements, never rules.  The
 * chains are flushed and filled in one transaction, so this is idempotent. */
static const char nft_table[] =
  "add table ip " NFT_TABLE "\n"
  "add set ip " NFT_TABLE " nat_subnets { type ipv4_addr; flags interval; }\n"
  "add map ip " NFT_TABLE " publish_addr { type ipv4_addr . inet_proto . "
  "inet_service : ipv4_addr . inet_service; }\n"
  "add map ip " NFT_TABLE " publish_any { type inet_proto . inet_service : "
  "ipv4_addr . inet_service; }\n"
  "add chain ip " NFT_TABLE " prerouting { type nat hook prerouting "
  "priority -100; }\n"
  "add chain ip " NFT_TABLE " output { type nat hook output priority -100; }\n"
  "add chain ip " NFT_TABLE " postrouting { type nat hook postrouting "
  "priority 100; }\n"
  "flush chain ip " NFT_TABLE " prerouting\n"
  "flush chain ip " NFT_TABLE " output\n"
  "flush chain ip " NFT_TABLE " postrouting\n"
  "add rule ip " NFT_TABLE " prerouting fib daddr type local dnat ip to "
  "ip daddr . meta l4proto . th dport map @publish_addr\n"
  "add rule ip " NFT_TABLE " prerouting fib daddr type local dnat ip to "
  "meta l4proto . th dport map @publish_any\n"
  "add rule ip " NFT_TABLE " output fib daddr type local dnat ip to "
  "ip daddr . meta l4proto . th dport map @publish_addr\n"
  "add rule ip " NFT_TABLE " output fib daddr type local dnat ip to "
  "meta l4proto . th dport map @publish_any\n"
  /* a forward from 127.0.0.1 leaves with a loopback source: give it ours */
  "add rule ip " NFT_TABLE " postrouting ct status dnat ip saddr 127.0.0.0/8 "
  "masquerade\n"
  "add rule ip " NFT_TABLE " postrouting ip saddr @nat_subnets "
  "ip daddr != @nat_subnets masquerade\n";

/* Start nft -f - with its stdin on IN and its stdout and stderr on OUT. */
static int
nft_spawn (int in, int out, pid_t *pid)
{
  posix_spawn_file_actions_t fa;
  if (posix_spawn_file_actions_init (&fa) != 0)
    return ENOMEM;
  posix_spawn_file_actions_adddup2 (&fa, in, STDIN_FILENO);
  posix_spawn_file_actions_adddup2 (&fa, out, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2 (&fa, out, STDERR_FILENO);
  char *argv[] = { (char *) "nft", (char *) "-f", (char *) "-", NULL };
  int r = posix_spawn (pid, "/usr/sbin/nft", &fa, NULL, argv, environ);
  if (r == ENOENT)
    r = posix_spawnp (pid, "nft", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  return r;
}

/* nftables through the nft program, not libnftables: linking libnftables
 * (with libnftnl, libxtables and libgmp behind it) cost every start of
 * cordon about 4 ms, and only bridge mode with nat or publish needs it.
 * Its stdin is a socket so that a failed nft cannot SIGPIPE the launcher. */
static int
nft_run (const char *cmds, cordon_error_t *err)
{
  int in[2], out[2];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
    return fail_errno (err, "nftables: socketpair");
  if (pipe2 (out, O_CLOEXEC) < 0)
    {
      int e = errno;
      close (in[0]);
      close (in[1]);
      return cordon_fail (err, e, "nftables: pipe");
    }
  pid_t pid;
  int r = nft_spawn (in[0], out[1], &pid);
  close (in[0]);
  close (out[1]);
  if (r != 0)
    {
      close (in[1]);
      close (out[0]);
      return cordon_fail (err, r, "nftables: run nft (Debian package nftables)");
    }
  size_t len = strlen (cmds);
  for (size_t done = 0; done < len;)
    {
      ssize_t n = send (in[1], cmds + done, len - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;    /* nft went away: its status and message say why */
      done += (size_t) n;
    }
  close (in[1]);

  char msg[1024];
  size_t got = 0;
  for (;;)
    {
      ssize_t n = read (out[0], msg + got, sizeof msg - 1 - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      got += (size_t) n;
      if (got == sizeof msg - 1)
        {
          char sink[512];   /* keep the first part; drain the rest */
          while (read (out[0], sink, sizeof sink) > 0)
            ;
          break;
        }
    }
  msg[got] = '\0';
  close (out[0]);

  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return fail_errno (err, "nftables: wait for nft");
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  return cordon_fail (err, 0, "nftables: nft failed: %.*s",
                      (int) strcspn (msg, "\n"), msg);
}

static int
write_sysctl (const char *path, cordon_error_t *err)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return fail_errno (err, "open %s", path);
  ssize_t n = write (fd, "1\n", 2);
  int e = errno;
  close (fd);
  return n == 2 ? 0 : cordon_fail (err, n < 0 ? e : EIO, "write %s", path);
}

/* "publish_addr { 127.0.0.1 . tcp . 8080" or "publish_any { tcp . 8080":
 * the element's key, as delete wants it (the caller closes the brace). */
static void
publish_key (const struct port_publish *p, char *buf, size_t size)
{
  const char *proto = p->protocol == IPPROTO_UDP ? "udp" : "tcp";
  if (p->host_address)
    snprintf (buf, size, "publish_addr { %s . %s . %u", p->host_address, proto,
              p->host_port);
  else
    snprintf (buf, size, "publish_any { %s . %u", proto, p->host_port);
}

/* ------------------------------------------------------------------ */
/* Address leases                                                      */
/* ------------------------------------------------------------------ */

static int
make_dir (const char *path, mode_t mode, cordon_error_t *err)
{
  if (mkdir (path, mode) < 0 && errno != EEXIST)
    return fail_errno (err, "mkdir %s", path);
  return 0;
}

/* Open and lock this bridge's lease directory.  A directory emptied and
 * removed while we waited for the lock is made again. */
static int
lease_dir_lock (struct network_state *st, cordon_error_t *err)
{
  if (make_dir (RUN_DIR, 0755, err) < 0 || make_dir (NET_RUN_DIR, 0700, err) < 0)
    return -1;
  for (;;)
    {
      if (make_dir (st->lease_dir, 0700, err) < 0)
        return -1;
      int fd = open (st->lease_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT)
        continue;
      if (fd < 0)
        return fail_errno (err, "open %s", st->lease_dir);
      int r;
      while ((r = flock (fd, LOCK_EX)) < 0 && errno == EINTR)
        ;
      struct stat sb;
      if (r < 0 || fstat (fd, &sb) < 0)
        {
          int e = errno;
          close (fd);
          return cordon_fail (err, e, "lock %s", st->lease_dir);
        }
      if (sb.st_nlink > 0)
        return fd;
      close (fd);
    }
}

/* Remove what a dead launcher's jail left: its veth and forwards, as its
 * lease file lists them, and the file.  FD is the lease, locked by us. */
static void
remove_stale_lease (struct nl *nl, int dirfd, const char *name, int fd)
{
  /* All of it: a jail with many published ports has a long lease, and a
   * line cut short would name another jail's forward. */
  struct strbuf text = { 0 };
  char buf[4096];
  ssize_t n;
  off_t at = 0;
  while ((n = pread (fd, buf, sizeof buf, at)) > 0
         || (n < 0 && errno == EINTR))
    if (n > 0)
      {
        sb_putn (&text, buf, (size_t) n);
        at += n;
      }
  char *save = NULL;
  for (char *line = text.s ? strtok_r (text.s, "\n", &save) : NULL; line;
       line = strtok_r (NULL, "\n", &save))
    {
      if (strncmp (line, "veth ", 5) == 0)
        link_delete (nl, line + 5);
      else if (strncmp (line, "publish ", 8) == 0)
        {
          char cmd[512];
          snprintf (cmd, sizeof cmd, "delete element ip " NFT_TABLE " %s }\n",
                    line + 8);
          nft_run (cmd, NULL);
        }
    }
  free (text.s);
  unlinkat (dirfd, name, 0);
}

static void
sweep_stale_leases (struct nl *nl, int dirfd)
{
  int dup_fd = fcntl (dirfd, F_DUPFD_CLOEXEC, 0);
  DIR *d = dup_fd >= 0 ? fdopendir (dup_fd) : NULL;
  if (d == NULL)
    {
      close_fd (&dup_fd);
      return;
    }
  struct dirent *de;
  struct in_addr a;
  while ((de = readdir (d)) != NULL)
    {
      if (inet_pton (AF_INET, de->d_name, &a) != 1)
        continue;
      int fd = openat (dirfd, de->d_name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        continue;
      if (flock (fd, LOCK_EX | LOCK_NB) == 0)
        remove_stale_lease (nl, dirfd, de->d_name, fd);
      close (fd);
    }
  closedir (d);
}

/* Take the lease on ADDR (network order): true when it is ours now. */
static bool
try_lease (struct network_state *st, int dirfd, uint32_t addr)
{
  struct in_addr a = { addr };
  inet_ntop (AF_INET, &a, st->lease_name, sizeof st->lease_name);
  int fd = openat (dirfd, st->lease_name,
                   O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return false;
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      close (fd);
      return false;
    }
  char line[64];
  int n = snprintf (line, sizeof line, "pid %ld\n", (long) getpid ());
  if (ftruncate (fd, 0) < 0 || pwrite (fd, line, (size_t) n, 0) != n)
    {
      unlinkat (dirfd, st->lease_name, 0);
      close (fd);
      return false;
    }
  st->lease_fd = fd;
  st->address = addr;
  return true;
}

/* A free address of the subnet, or the profile's own if it is free. */
static int
take_lease (const struct network_spec *n, struct network_state *st, int dirfd,
            cordon_error_t *err)
{
  if (!n->address_auto)
    {
      char buf[INET_ADDRSTRLEN];
      snprintf (buf, sizeof buf, "%.*s", (int) strcspn (n->address, "/"),
                n->address);
      struct in_addr a;
      if (inet_pton (AF_INET, buf, &a) != 1)
        return cordon_fail (err, EINVAL, "network address %s", n->address);
      if (try_lease (st, dirfd, a.s_addr))
        return 0;
      return cordon_fail (err, 0, "network address %s is in use by another "
                          "jail on bridge %s", buf, n->bridge);
    }
  uint32_t gw = ntohl (st->gateway);
  uint32_t mask = 0xffffffffu << (32 - n->prefix);
  for (uint32_t host = 1; host < ~mask; host++)
    {
      uint32_t addr = (gw & mask) | host;
      if (addr != gw && try_lease (st, dirfd, htonl (addr)))
        return 0;
    }
  return cordon_fail (err, 0, "no free address left on bridge %s (%s/%u)",
                      n->bridge, n->gateway, n->prefix);
}

static int
lease_note (struct network_state *st, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

/* Append a line to our lease file: what to remove if we die. */
static int
lease_note (struct network_state *st, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char line[512];
  int n = vsnprintf (line, sizeof line, fmt, ap);
  va_end (ap);
  off_t end = lseek (st->lease_fd, 0, SEEK_END);
  if (end < 0 || n < 0 || (size_t) n >= sizeof line
      || pwrite (st->lease_fd, line, (size_t) n, end) != n)
    return -1;
  return 0;
}

static void
lease_release (struct network_state *st)
{
  if (st->lease_fd < 0)
    return;
  int dirfd = lease_dir_lock (st, NULL);
  if (dirfd >= 0)
    {
      unlinkat (dirfd, st->lease_name, 0);
      /* the last lease takes the directory along; ENOTEMPTY otherwise */
      rmdir (st->lease_dir);
      close (dirfd);
    }
  close_fd (&st->lease_fd);
}

/* ------------------------------------------------------------------ */
/* bridge mode                                                         */
/* ------------------------------------------------------------------ */

/* The bridge, with the gateway address and up, unless it exists. */
static int
ensure_bridge (struct nl *nl, const struct network_spec *n,
               const struct network_state *st, const struct jail_options *opts,
               cordon_error_t *err)
{
  if (if_nametoindex (n->bridge) != 0)
    return 0;
  say (opts, "network: create bridge %s (%s/%u)", n->bridge, n->gateway,
       n->prefix);
  int r = bridge_create (nl, n->bridge);
  if (r < 0 && r != -EEXIST)
    return cordon_fail (err, -r, "create bridge %s", n->bridge);
  unsigned index = if_nametoindex (n->bridge);
  if (index == 0)
    return fail_errno (err, "bridge %s", n->bridge);
  r = addr_add (nl, index, st->gateway, n->prefix);
  if (r < 0 && r != -EEXIST)
    return cordon_fail (err, -r, "add %s/%u to bridge %s", n->gateway,
                        n->prefix, n->bridge);
  return link_up (nl, n->bridge, err);
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* Our network namespace's cookie: unlike its inode number, which a new
 * namespace may get once the old one is gone, never reused while the
 * machine runs, so a dead namespace's leases are never taken for ours. */
static int
netns_cookie (uint64_t *cookie, cordon_error_t *err)
{
  int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return fail_errno (err, "socket for the network namespace's cookie");
  socklen_t len = sizeof *cookie;
  int r = getsockopt (fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len);
  int e = errno;
  close (fd);
  if (r < 0 || len != sizeof *cookie)
    return cordon_fail (err, r < 0 ? e : EPROTO, "the network namespace's "
                        "cookie (SO_NETNS_COOKIE, Linux 5.14)");
  return 0;
}

static bool
has_loopback_publish (const struct network_spec *n)
{
  for (size_t i = 0; i < n->n_publish; i++)
    if (n->publish[i].host_address
        && strncmp (n->publish[i].host_address, "127.", 4) == 0)
      return true;
  return false;
}

/* The nftables table, nat for the subnet, and what forwarding needs. */
static int
prepare_nftables (const struct network_spec *n, const struct network_state *st,
                  const struct jail_options *opts, cordon_error_t *err)
{
  if (!n->nat && n->n_publish == 0)
    return 0;
  if (nft_run (nft_table, err) < 0)
    return cordon_error_wrap (err, "set up nftables table ip " NFT_TABLE);
  if (n->nat)
    {
      uint32_t mask = 0xffffffffu << (32 - n->prefix);
      struct in_addr net = { htonl (ntohl (st->gateway) & mask) };
      char cmd[256], buf[INET_ADDRSTRLEN];
      inet_ntop (AF_INET, &net, buf, sizeof buf);
      say (opts, "network: masquerade %s/%u", buf, n->prefix);
      snprintf (cmd, sizeof cmd, "add element ip " NFT_TABLE " nat_subnets "
                "{ %s/%u }\n", buf, n->prefix);
      if (nft_run (cmd, err) < 0)
        return cordon_error_wrap (err, "masquerade %s/%u", buf, n->prefix);
    }
  /* Routed traffic (nat, forwards from other hosts) needs forwarding; a
   * forward from 127.0.0.1 needs loopback sources routed to the bridge. */
  if (write_sysctl ("/proc/sys/net/ipv4/ip_forward", err) < 0)
    return -1;
  if (has_loopback_publish (n))
    {
      char path[128];
      snprintf (path, sizeof path, "/proc/sys/net/ipv4/conf/%s/route_localnet",
                n->bridge);
      if (write_sysctl (path, err) < 0)
        return -1;
    }
  return 0;
}

static int
prepare_bridge (const struct network_spec *n, struct network_state *st,
                const struct jail_options *opts, cordon_error_t *err)
{
  if (geteuid () != 0)
    return cordon_fail (err, 0, "network mode \"bridge\" needs root (mode "
                        "\"user\" works without)");
  struct in_addr gw;
  if (inet_pton (AF_INET, n->gateway, &gw) != 1)
    return cordon_fail (err, EINVAL, "network gateway %s", n->gateway);
  st->gateway = gw.s_addr;
  uint64_t cookie = 0;
  if (netns_cookie (&cookie, err) < 0)
    return -1;
  int len = snprintf (st->lease_dir, sizeof st->lease_dir,
                      NET_RUN_DIR "/%s@%" PRIu64, n->bridge, cookie);
  if (len < 0 || (size_t) len >= sizeof st->lease_dir)
    return cordon_fail (err, ENAMETOOLONG, "lease directory for bridge %s",
                        n->bridge);
  struct nl nl = { 0 };
  if (netlink_open (&nl, err) < 0)
    return -1;
  int dirfd = lease_dir_lock (st, err);
  int r = -1;
  if (dirfd >= 0)
    {
      sweep_stale_leases (&nl, dirfd);
      r = ensure_bridge (&nl, n, st, opts, err);
      if (r == 0)
        r = take_lease (n, st, dirfd, err);
      if (r < 0)
        rmdir (st->lease_dir);
      close (dirfd);
    }
  netlink_close (&nl);
  if (r < 0)
    return -1;
  struct in_addr a = { st->address };
  char buf[INET_ADDRSTRLEN];
  say (opts, "network: address %s/%u on %s", inet_ntop (AF_INET, &a, buf,
       sizeof buf), n->prefix, n->bridge);
  return prepare_nftables (n, st, opts, err);
}

static int
add_forwards (const struct network_spec *n, struct network_state *st,
              const struct jail_options *opts, cordon_error_t *err)
{
  struct in_addr a = { st->address };
  char jail[INET_ADDRSTRLEN];
  inet_ntop (AF_INET, &a, jail, sizeof jail);
  for (size_t i = 0; i < n->n_publish; i++)
    {
      const struct port_publish *p = &n->publish[i];
      char key[128], cmd[512];
      publish_key (p, key, sizeof key);
      const char *proto = p->protocol == IPPROTO_UDP ? "udp" : "tcp";
      say (opts, "network: publish %s:%u/%s -> %s:%u",
           p->host_address ? p->host_address : "*", p->host_port, proto, jail,
           p->jail_port);
      if (lease_note (st, "publish %s\n", key) < 0)
        return fail_errno (err, "write the lease %s/%s", st->lease_dir,
                           st->lease_name);
      st->forwards = true;
      snprintf (cmd, sizeof cmd, "create element ip " NFT_TABLE " %s : %s . "
                "%u }\n", key, jail, p->jail_port);
      if (nft_run (cmd, err) < 0)
        return cordon_error_wrap (err, "publish %s%s%u:%u/%s (is the host "
                                  "port published by another jail?)",
                                  p->host_address ? p->host_address : "",
                                  p->host_address ? ":" : "", p->host_port,
                                  p->jail_port, proto);
    }
  return 0;
}

static int
attach_bridge (const struct network_spec *n, struct network_state *st,
               pid_t jail, const struct jail_options *opts,
               cordon_error_t *err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%ld/ns/net", (long) jail);
  int netns = open (path, O_RDONLY | O_CLOEXEC);
  if (netns < 0)
    return fail_errno (err, "open %s", path);
  struct nl nl = { 0 };
  if (netlink_open (&nl, err) < 0)
    {
      close (netns);
      return -1;
    }
  char veth[IF_NAMESIZE];
  snprintf (veth, sizeof veth, "cordon-v%u", (unsigned) getpid () % 10000000u);
  int r = -1;
  unsigned index = if_nametoindex (n->bridge);
  if (index == 0)
    fail_errno (err, "bridge %s", n->bridge);
  else if (lease_note (st, "veth %s\n", veth) < 0)
    fail_errno (err, "write the lease %s/%s", st->lease_dir, st->lease_name);
  else
    {
      say (opts, "network: veth %s on %s, eth0 in the jail", veth, n->bridge);
      r = veth_create (&nl, veth, index, netns);
      if (r < 0)
        cordon_fail (err, -r, "create veth %s on bridge %s", veth, n->bridge);
      else
        {
          snprintf (st->veth, sizeof st->veth, "%s", veth);
          r = link_up (&nl, veth, err);
        }
    }
  netlink_close (&nl);
  close (netns);
  if (r < 0)
    return -1;
  return add_forwards (n, st, opts, err);
}

static void
release_bridge (const struct network_spec *n, struct network_state *st)
{
  for (size_t i = 0; st->forwards && i < n->n_publish; i++)
    {
      char key[128], cmd[256];
      publish_key (&n->publish[i], key, sizeof key);
      snprintf (cmd, sizeof cmd, "delete element ip " NFT_TABLE " %s }\n", key);
      nft_run (cmd, NULL);
    }
  st->forwards = false;
  if (st->veth[0])
    {
      struct nl nl = { 0 };
      if (netlink_open (&nl, NULL) == 0)
        link_delete (&nl, st->veth);
      netlink_close (&nl);
      st->veth[0] = '\0';
    }
  lease_release (st);
}

/* ------------------------------------------------------------------ */
/* user mode: pasta                                                    */
/* ------------------------------------------------------------------ */

static char *
find_pasta (void)
{
  const char *env = getenv ("PATH");
  char *path = NULL;
  if (asprintf (&path, "%s:/usr/bin:/usr/sbin:/bin:/sbin",
                env && *env ? env : "/usr/local/bin") < 0)
    return NULL;
  char *found = NULL;
  for (char *dir = strtok (path, ":"); dir && !found; dir = strtok (NULL, ":"))
    {
      char *candidate = NULL;
      if (*dir == '/' && asprintf (&candidate, "%s/pasta", dir) >= 0)
        {
          if (access (candidate, X_OK) == 0)
            found = candidate;
          else
            free (candidate);
        }
    }
  free (path);
  return found;
}

/* An argument vector built to size: a profile may publish any number of
 * ports.  Every string is the builder's own (freed with it); v ends with
 * NULL. */
struct argv_builder
{
  char **v;
  size_t n, cap;
};

static void
arg_own (struct argv_builder *a, char *s)
{
  if (a->n + 2 > a->cap)
    {
      a->cap = a->cap ? 2 * a->cap : 32;
      a->v = xrealloc (a->v, a->cap * sizeof *a->v);
    }
  a->v[a->n++] = s;
  a->v[a->n] = NULL;
}

static void
arg (struct argv_builder *a, const char *s)
{
  arg_own (a, xstrdup (s));
}

__attribute__ ((format (printf, 2, 3))) static void
argf (struct argv_builder *a, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  arg_own (a, xvasprintf (fmt, ap));
  va_end (ap);
}

static void
argv_free (struct argv_builder *a)
{
  for (size_t i = 0; i < a->n; i++)
    free (a->v[i]);
  free (a->v);
  a->v = NULL;
  a->n = a->cap = 0;
}

/* pasta's command line: foreground (our child, so it dies with us),
 * configuring the jail's namespace, forwarding only the published ports. */
static void
pasta_argv (const struct jail_spec *spec, const char *pasta, pid_t jail,
            struct argv_builder *a)
{
  const struct network_spec *n = &spec->network;
  arg (a, pasta);
  if (geteuid () == 0)
    {
      /* pasta would switch to nobody, who cannot enter root's jail */
      arg (a, "--runas");
      arg (a, "0:0");
    }
  arg (a, "--foreground");
  arg (a, "--quiet");
  arg (a, "--config-net");
  arg (a, "--ns-ifname");
  arg (a, "eth0");
  arg (a, "--pid");
  arg (a, "/proc/self/fd/3");
  bool tcp = false, udp = false;
  for (size_t i = 0; i < n->n_publish; i++)
    {
      const struct port_publish *p = &n->publish[i];
      bool is_udp = p->protocol == IPPROTO_UDP;
      arg (a, is_udp ? "-u" : "-t");
      if (p->host_address)
        argf (a, "%s/%u:%u", p->host_address, p->host_port, p->jail_port);
      else
        argf (a, "%u:%u", p->host_port, p->jail_port);
      tcp |= !is_udp;
      udp |= is_udp;
    }
  if (!tcp)
    {
      arg (a, "-t");
      arg (a, "none");
    }
  if (!udp)
    {
      arg (a, "-u");
      arg (a, "none");
    }
  arg (a, "-T");
  arg (a, "none");
  arg (a, "-U");
  arg (a, "none");
  /* pasta's default turns connections to the gateway's address into
   * connections to the host's loopback: local databases and admin APIs
   * that trust 127.0.0.1.  Only a profile that asks for it gets that. */
  if (!n->host_loopback)
    arg (a, "--no-map-gw");
  if (spec->namespaces & JAIL_NS_USER)
    argf (a, "%ld", (long) jail);
  else
    {
      arg (a, "--netns");
      argf (a, "/proc/%ld/ns/net", (long) jail);
      arg (a, "--netns-only");
    }
}

static _Noreturn void
exec_pasta (char *const argv[], int ready, int log, pid_t launcher)
{
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGCHLD, SIG_DFL);
  if (prctl (PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid () != launcher)
    _exit (127);
  int null = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null < 0 || dup2 (null, 0) < 0 || dup2 (log, 1) < 0 || dup2 (log, 2) < 0
      || dup2 (ready, 3) < 0)
    _exit (127);
  execv (argv[0], argv);
  dprintf (2, "exec %s: %s\n", argv[0], strerror (errno));
  _exit (127);
}

/* The last line pasta wrote, for an error message. */
static void
last_line (int log, char *buf, size_t size)
{
  buf[0] = '\0';
  ssize_t n = pread (log, buf, size - 1, 0);
  if (n <= 0)
    return;
  buf[n] = '\0';
  while (n > 0 && buf[n - 1] == '\n')
    buf[--n] = '\0';
  char *nl = strrchr (buf, '\n');
  if (nl)
    memmove (buf, nl + 1, strlen (nl + 1) + 1);
}

/* Wait until pasta wrote its pid (it is then set up) or exited. */
static bool
pasta_ready (int ready)
{
  char buf[32];
  size_t got = 0;
  struct pollfd p = { .fd = ready, .events = POLLIN };
  while (got < sizeof buf - 1)
    {
      int r = poll (&p, 1, PASTA_READY_TIMEOUT_MS);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return false;
      ssize_t n = read (ready, buf + got, sizeof buf - 1 - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      got += (size_t) n;
      if (memchr (buf, '\n', got))
        return true;
    }
  return true;
}

static void
stop_pasta (struct network_state *st)
{
  if (st->pasta <= 0)
    return;
  kill (st->pasta, SIGTERM);
  while (waitpid (st->pasta, NULL, 0) < 0 && errno == EINTR)
    ;
  st->pasta = 0;
}

/* pasta opens /dev/net/tun as the launching user: where no udev made it
 * 0666, an unprivileged run fails with pasta's vague "Failed to open tun
 * socket".  "; pasta needs ..." when that is why, else "". */
static void
tun_access_hint (char *buf, size_t size)
{
  static const char tun[] = "/dev/net/tun";
  struct stat sb;
  buf[0] = '\0';
  if (stat (tun, &sb) < 0)
    {
      snprintf (buf, size, "; pasta needs %s, which is missing: %s", tun,
                strerror (errno));
      return;
    }
  if (faccessat (AT_FDCWD, tun, R_OK | W_OK, AT_EACCESS) == 0)
    return;
  struct passwd *pw = getpwuid (sb.st_uid);
  char owner[32];
  if (pw)
    snprintf (owner, sizeof owner, "%s", pw->pw_name);
  else
    snprintf (owner, sizeof owner, "uid %u", (unsigned) sb.st_uid);
  snprintf (buf, size, "; pasta needs read and write access to %s (mode "
            "%04o, owner %s); on systems without udev, chmod 0666 %s", tun,
            (unsigned) (sb.st_mode & 07777), owner, tun);
}

static int
attach_pasta (const struct jail_spec *spec, struct network_state *st,
              pid_t jail, const struct jail_options *opts, cordon_error_t *err)
{
  char *pasta = find_pasta ();
  if (pasta == NULL)
    return cordon_fail (err, 0, "network mode \"user\" needs pasta, which is "
                        "not installed (Debian package passt)");
  struct argv_builder a = { 0 };
  pasta_argv (spec, pasta, jail, &a);
  say (opts, "network: %s for the jail's namespace", pasta);
  int ready[2] = { -1, -1 };
  int log = open ("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (log < 0 || pipe2 (ready, O_CLOEXEC) < 0)
    {
      int e = errno;
      close_fd (&log);
      argv_free (&a);
      free (pasta);
      return cordon_fail (err, e, "start pasta");
    }
  pid_t launcher = getpid ();
  pid_t pid = fork ();
  if (pid == 0)
    exec_pasta (a.v, ready[1], log, launcher);
  int e = errno;
  close_fd (&ready[1]);
  int r = 0;
  if (pid < 0)
    r = cordon_fail (err, e, "fork for pasta");
  else
    {
      st->pasta = pid;
      if (!pasta_ready (ready[0]))
        {
          stop_pasta (st);
          char line[512], tun[160];
          last_line (log, line, sizeof line);
          tun_access_hint (tun, sizeof tun);
          r = cordon_fail (err, 0, "pasta failed to set up the jail's "
                           "network%s%s%s", line[0] ? ": " : "", line, tun);
        }
    }
  close_fd (&ready[0]);
  close_fd (&log);
  argv_free (&a);
  free (pasta);
  return r;
}

/* ------------------------------------------------------------------ */
/* The interface to the jail core                                      */
/* ------------------------------------------------------------------ */

void
network_init (struct network_state *st)
{
  memset (st, 0, sizeof *st);
  st->lease_fd = -1;
  st->netns_fd = -1;
  st->host_netns_fd = -1;
}

/* netns mode: open the namespace and check that it is one of network. */
static int
prepare_netns (const struct network_spec *n, struct network_state *st,
               const struct jail_options *opts, cordon_error_t *err)
{
  /* Joining it takes CAP_SYS_ADMIN over it and over our own user
   * namespace: nothing a user has for an administrator's namespace. */
  if (geteuid () != 0)
    return cordon_fail (err, 0, "network mode \"netns\" needs root");
  say (opts, "network: join %s", n->netns);
  st->netns_fd = open (n->netns, O_RDONLY | O_CLOEXEC);
  if (st->netns_fd < 0)
    return fail_errno (err, "open %s", n->netns);
  int type = ioctl (st->netns_fd, NS_GET_NSTYPE);
  if (type != CLONE_NEWNET)
    {
      close_fd (&st->netns_fd);
      return cordon_fail (err, type < 0 ? errno : 0, "%s is not a network "
                          "namespace", n->netns);
    }
  return 0;
}

bool
network_clone_joins (const struct jail_spec *spec)
{
  return spec->network.mode == NETWORK_NETNS;
}

int
network_clone_begin (const struct jail_spec *spec, struct network_state *st,
                     cordon_error_t *err)
{
  if (spec->network.mode != NETWORK_NETNS)
    return 0;
  st->host_netns_fd = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (st->host_netns_fd < 0)
    return fail_errno (err, "open /proc/self/ns/net");
  if (setns (st->netns_fd, CLONE_NEWNET) < 0)
    {
      fail_errno (err, "network: join %s", spec->network.netns);
      close_fd (&st->host_netns_fd);
      return -1;
    }
  /* The jail inherits the namespace, not this handle on it. */
  close_fd (&st->netns_fd);
  return 0;
}

int
network_clone_end (struct network_state *st, bool in_jail,
                   cordon_error_t *err)
{
  if (st->host_netns_fd < 0)
    return 0;
  int r = 0;
  if (!in_jail && setns (st->host_netns_fd, CLONE_NEWNET) < 0)
    r = fail_errno (err, "network: return to the launcher's namespace");
  close_fd (&st->host_netns_fd);
  return r;
}

int
network_prepare (const struct jail_spec *spec, struct network_state *st,
                 const struct jail_options *opts, cordon_error_t *err)
{
  if (spec->network.mode == NETWORK_NETNS)
    return prepare_netns (&spec->network, st, opts, err) < 0
           ? cordon_error_wrap (err, "network") : 0;
  if (spec->network.mode != NETWORK_BRIDGE)
    return 0;
  if (prepare_bridge (&spec->network, st, opts, err) < 0)
    {
      network_release (spec, st, opts);
      return cordon_error_wrap (err, "network");
    }
  return 0;
}

int
network_attach (const struct jail_spec *spec, struct network_state *st,
                pid_t jail, const struct jail_options *opts,
                cordon_error_t *err)
{
  int r = 0;
  if (spec->network.mode == NETWORK_BRIDGE)
    r = attach_bridge (&spec->network, st, jail, opts, err);
  else if (spec->network.mode == NETWORK_USER)
    r = attach_pasta (spec, st, jail, opts, err);
  return r < 0 ? cordon_error_wrap (err, "network") : 0;
}

int
network_configure_inside (const struct jail_spec *spec,
                          const struct network_state *st,
                          const struct jail_options *opts, cordon_error_t *err)
{
  const struct network_spec *n = &spec->network;
  if (n->mode == NETWORK_HOST || n->mode == NETWORK_NETNS
      || !(spec->namespaces & JAIL_NS_NET))
    return 0;
  say (opts, "network: lo up");
  if (loopback_up (err) < 0)
    return cordon_error_wrap (err, "network");
  if (n->mode != NETWORK_BRIDGE)
    return 0;
  struct nl nl = { 0 };
  if (netlink_open (&nl, err) < 0)
    return -1;
  int r = 0;
  unsigned index = if_nametoindex ("eth0");
  if (index == 0)
    r = fail_errno (err, "the jail's eth0");
  else if ((r = addr_add (&nl, index, st->address, n->prefix)) < 0)
    r = cordon_fail (err, -r, "add the jail's address to eth0");
  else if ((r = link_up (&nl, "eth0", err)) == 0
           && (r = default_route_add (&nl, index, st->gateway)) < 0)
    r = cordon_fail (err, -r, "default route via %s", n->gateway);
  netlink_close (&nl);
  return r < 0 ? cordon_error_wrap (err, "network") : 0;
}

void
network_release (const struct jail_spec *spec, struct network_state *st,
                 const struct jail_options *opts)
{
  stop_pasta (st);
  close_fd (&st->netns_fd);
  if (spec->network.mode == NETWORK_BRIDGE)
    {
      if (st->veth[0] || st->lease_fd >= 0)
        say (opts, "network: release %s", st->lease_name);
      release_bridge (&spec->network, st);
    }
}

/* cli-jails.c — the commands about running jails: ps, enter and stop.
 *
 * The records come from the registry (registry.h): ps lists them with
 * what their cgroups say they use, enter runs a command in one through
 * enter.h, stop signals one. */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "enter.h"
#include "error.h"
#include "jail.h"
#include "profile.h"
#include "registry.h"
#include "util.h"

/* The first of FILES under DIR that holds a number. */
static bool
read_cgroup_number (const struct jail_record *rec, const char *const *files,
                    unsigned long long *n)
{
  for (size_t i = 0; i < rec->n_cgroups; i++)
    for (size_t j = 0; files[j] != NULL; j++)
      {
        char path[4200];
        snprintf (path, sizeof path, "%s/%s", rec->cgroups[i], files[j]);
        FILE *f = fopen (path, "re");
        if (f == NULL)
          continue;
        int ok = fscanf (f, "%llu", n);
        fclose (f);
        if (ok == 1)
          return true;
      }
  return false;
}

struct jail_usage
{
  bool has_memory, has_peak, has_pids;
  unsigned long long memory, peak, pids;
};

static void
read_usage (const struct jail_record *rec, struct jail_usage *u)
{
  static const char *const memory[] = { "memory.current",
                                        "memory.usage_in_bytes", NULL };
  static const char *const peak[] = { "memory.peak",
                                      "memory.max_usage_in_bytes", NULL };
  static const char *const pids[] = { "pids.current", NULL };
  u->has_memory = read_cgroup_number (rec, memory, &u->memory);
  u->has_peak = read_cgroup_number (rec, peak, &u->peak);
  u->has_pids = read_cgroup_number (rec, pids, &u->pids);
}

static void
user_name (uid_t uid, char *buf, size_t size)
{
  struct passwd *pw = getpwuid (uid);
  if (pw != NULL)
    snprintf (buf, size, "%s", pw->pw_name);
  else
    snprintf (buf, size, "%u", (unsigned) uid);
}

static void
format_uptime (long long s, char *buf, size_t size)
{
  if (s < 0)
    s = 0;
  if (s < 60)
    snprintf (buf, size, "%llds", s);
  else if (s < 3600)
    snprintf (buf, size, "%lldm%02llds", s / 60, s % 60);
  else if (s < 86400)
    snprintf (buf, size, "%lldh%02lldm", s / 3600, s % 3600 / 60);
  else
    snprintf (buf, size, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}

static void
format_bytes (bool has, unsigned long long n, char *buf, size_t size)
{
  if (!has)
    snprintf (buf, size, "-");
  else if (n >= 10ULL << 30)
    snprintf (buf, size, "%lluG", n >> 30);
  else if (n >= 10ULL << 20)
    snprintf (buf, size, "%lluM", n >> 20);
  else
    snprintf (buf, size, "%lluK", n >> 10);
}

static json_t *
record_json (const struct jail_record *rec, const struct jail_usage *u,
             long long now)
{
  char user[64];
  user_name (rec->uid, user, sizeof user);
  json_t *argv = json_array ();
  for (size_t i = 0; i < rec->n_argv; i++)
    json_array_append_new (argv, json_string (rec->argv[i]));
  json_t *o = json_object ();
  json_object_set_new (o, "id", json_string (rec->id));
  json_object_set_new (o, "name", rec->name ? json_string (rec->name)
                                            : json_null ());
  json_object_set_new (o, "profile", rec->profile_name
                                     ? json_string (rec->profile_name)
                                     : json_null ());
  json_object_set_new (o, "profile_path", rec->profile_path
                                          ? json_string (rec->profile_path)
                                          : json_null ());
  json_object_set_new (o, "user", json_string (user));
  json_object_set_new (o, "uid", json_integer (rec->uid));
  json_object_set_new (o, "pid", json_integer (rec->pid));
  json_object_set_new (o, "launcher_pid", json_integer (rec->launcher));
  json_object_set_new (o, "started", json_integer (rec->started));
  json_object_set_new (o, "uptime_seconds", json_integer (now - rec->started));
  json_object_set_new (o, "command", argv);
  json_object_set_new (o, "memory_bytes", u->has_memory
                       ? json_integer ((json_int_t) u->memory) : json_null ());
  json_object_set_new (o, "memory_peak_bytes", u->has_peak
                       ? json_integer ((json_int_t) u->peak) : json_null ());
  json_object_set_new (o, "pids", u->has_pids
                       ? json_integer ((json_int_t) u->pids) : json_null ());
  json_object_set_new (o, "address", rec->address
                       ? json_string (rec->address) : json_null ());
  json_object_set_new (o, "peer", rec->peer
                       ? json_string (rec->peer) : json_null ());
  return o;
}

static void
print_record (const struct jail_record *rec, const struct jail_usage *u,
              long long now)
{
  char user[64], up[32], mem[16], peak[16], pids[16];
  user_name (rec->uid, user, sizeof user);
  format_uptime (now - rec->started, up, sizeof up);
  format_bytes (u->has_memory, u->memory, mem, sizeof mem);
  format_bytes (u->has_peak, u->peak, peak, sizeof peak);
  if (u->has_pids)
    snprintf (pids, sizeof pids, "%llu", u->pids);
  else
    snprintf (pids, sizeof pids, "-");
  printf ("%-12s %-16s %-12s %-8s %-7d %-8s %-6s %-6s %-5s %-15s %-21s ",
          rec->id, rec->name ? rec->name : "-",
          rec->profile_name && *rec->profile_name ? rec->profile_name : "-",
          user, (int) rec->pid, up, mem, peak, pids,
          rec->address ? rec->address : "-", rec->peer ? rec->peer : "-");
  for (size_t i = 0; i < rec->n_argv; i++)
    printf ("%s%s", i ? " " : "", rec->argv[i]);
  putchar ('\n');
}

/* The state directories the caller may read: its own; for root also
 * those of the users under /run/user (one that is not a user's alone is
 * skipped).  *N may be 0. */
static int
open_registries (struct registry ***out, size_t *n, cordon_error_t *err)
{
  *out = NULL;
  *n = 0;
  struct registry *own = NULL;
  if (registry_open (false, &own, err) < 0)
    return -1;
  size_t cap = 0;
  if (own != NULL)
    {
      RESERVE_ONE (*out, *n, cap);
      (*out)[(*n)++] = own;
    }
  uid_t *uids = NULL;
  size_t n_uids = 0;
  if (geteuid () == 0 && registry_users (&uids, &n_uids) == 0)
    for (size_t i = 0; i < n_uids; i++)
      {
        struct registry *r = NULL;
        cordon_error_t skip = NULL;
        if (registry_open_user (uids[i], &r, &skip) == 0 && r != NULL)
          {
            RESERVE_ONE (*out, *n, cap);
            (*out)[(*n)++] = r;
          }
        cordon_error_free (&skip);
      }
  free (uids);
  return 0;
}

static void
close_registries (struct registry **regs, size_t n)
{
  for (size_t i = 0; i < n; i++)
    registry_close (regs[i]);
  free (regs);
}

int
command_ps (const struct cli *cli)
{
  if (cli->n_operands != 1 || cli->n_command > 0)
    {
      fputs ("Usage: cordon ps [--json]\n", stderr);
      return EXIT_USAGE;
    }
  struct registry **regs = NULL;
  size_t n_regs = 0, n = 0;
  struct jail_record *recs = NULL;
  cordon_error_t err = NULL;
  int r = open_registries (&regs, &n_regs, &err);
  for (size_t i = 0; r == 0 && i < n_regs; i++)
    {
      struct jail_record *more = NULL;
      size_t n_more = 0;
      if ((r = registry_list (regs[i], &more, &n_more, &err)) < 0)
        break;
      recs = xrealloc (recs, (n + n_more + 1) * sizeof *recs);
      if (n_more > 0)
        memcpy (recs + n, more, n_more * sizeof *recs);
      n += n_more;
      free (more);
    }
  close_registries (regs, n_regs);
  if (r < 0)
    {
      say_error ("%s", err->message);
      cordon_error_free (&err);
      registry_list_free (recs, n);
      return EXIT_FAILURE;
    }
  long long now = (long long) time (NULL);
  json_t *all = cli->json ? json_array () : NULL;
  if (!cli->json)
    printf ("%-12s %-16s %-12s %-8s %-7s %-8s %-6s %-6s %-5s %-15s %-21s "
            "%s\n", "ID", "NAME", "PROFILE", "USER", "PID", "UPTIME", "MEM",
            "PEAK", "PIDS", "ADDRESS", "PEER", "COMMAND");
  for (size_t i = 0; i < n; i++)
    {
      struct jail_usage u;
      read_usage (&recs[i], &u);
      if (all)
        json_array_append_new (all, record_json (&recs[i], &u, now));
      else
        print_record (&recs[i], &u, now);
    }
  registry_list_free (recs, n);
  if (all)
    {
      json_dumpf (all, stdout, JSON_INDENT (2));
      putchar ('\n');
      json_decref (all);
    }
  if (fflush (stdout) != 0)
    {
      say_error ("writing the list: %s", strerror (errno));
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

/* The running jail KEY names, among those the caller may act on. */
static int
find_jail (const char *key, struct jail_record *rec, char **profile_file,
           cordon_error_t *err)
{
  struct registry **regs = NULL;
  size_t n_regs = 0;
  if (open_registries (&regs, &n_regs, err) < 0)
    return -1;
  int ret = -1;
  for (size_t i = 0; ret < 0 && i < n_regs; i++)
    {
      cordon_error_t miss = NULL;
      ret = registry_find (regs[i], key, rec, &miss);
      cordon_error_free (&miss);
      if (ret == 0 && profile_file != NULL)
        *profile_file = registry_profile_file (regs[i], rec);
    }
  close_registries (regs, n_regs);
  if (ret < 0)
    /* Another user's jails are not in our state directory: no word on
     * whether one exists. */
    return cordon_fail (err, 0, "%s: no running jail of yours has that id "
                        "or name (only root and the user who started a jail "
                        "may enter or stop it)", key);
  if (rec->uid != getuid () && getuid () != 0)
    {
      jail_record_free (rec);
      if (profile_file != NULL)
        {
          free (*profile_file);
          *profile_file = NULL;
        }
      return cordon_fail (err, 0, "%s: not your jail", key);
    }
  return 0;
}

int
command_enter (const struct cli *cli, const struct settings *settings)
{
  if (cli->n_operands != 2)
    {
      fputs ("Usage: cordon enter ID|NAME [-t] [-- CMD [ARG]...]\n", stderr);
      return EXIT_CORDON_FAILED;
    }
  struct jail_record rec = { 0 };
  char *file = NULL;
  cordon_error_t err = NULL;
  if (find_jail (cli->operands[1], &rec, &file, &err) < 0)
    {
      say_error ("%s", err->message);
      cordon_error_free (&err);
      return EXIT_CORDON_FAILED;
    }
  /* The jail's effective profile, read back as the profile module reads
   * any: the same spec the jail's command was confined by. */
  struct profile_request req = {
    .path = file,
    .settings = settings,
    .running_as_root = geteuid () == 0,
    .mount_checks_sources = true,
  };
  struct diagnostics diags = { 0 };
  struct jail_spec *spec = NULL;
  int r = profile_load (&req, &spec, &diags);
  if (r < 0)
    {
      diagnostics_print (&diags, stderr);
      say_error ("jail %s: its effective profile %s does not load", rec.id,
                 file);
    }
  diagnostics_free (&diags);
  free (file);
  int status = EXIT_CORDON_FAILED;
  if (r >= 0)
    {
      struct jail_options opts = { .verbose = cli->verbose,
                                   .quiet = cli->quiet };
      struct enter_request ereq = { .rec = &rec, .spec = spec,
                                    .command = cli->n_command ? cli->command
                                                              : NULL,
                                    .tty = cli->tty, .opts = &opts };
      status = jail_enter (&ereq, &err);
      if (status < 0)
        {
          say_error ("%s", err->message);
          status = err->exit_status;
          cordon_error_free (&err);
        }
    }
  jail_spec_free (spec);
  jail_record_free (&rec);
  return status;
}

static int
parse_signal (const char *s)
{
  static const struct { const char *name; int sig; } names[] = {
    { "INT", SIGINT }, { "TERM", SIGTERM }, { "HUP", SIGHUP },
    { "QUIT", SIGQUIT }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
    { "KILL", SIGKILL },
  };
  if (strncmp (s, "SIG", 3) == 0)
    s += 3;
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strcmp (s, names[i].name) == 0)
      return names[i].sig;
  char *end;
  long n = strtol (s, &end, 10);
  if (end != s && *end == '\0')
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
      if (n == names[i].sig)
        return names[i].sig;
  return -1;
}

int
command_stop (const struct cli *cli)
{
  if (cli->n_operands != 2 || cli->n_command > 0)
    {
      fputs ("Usage: cordon stop ID|NAME [--signal SIG] [--timeout S]\n",
             stderr);
      return EXIT_CORDON_FAILED;
    }
  int sig = cli->signal ? parse_signal (cli->signal) : SIGTERM;
  if (sig < 0)
    {
      say_error ("--signal %s: one of INT, TERM, HUP, QUIT, USR1, USR2, KILL",
                 cli->signal);
      return EXIT_CORDON_FAILED;
    }
  unsigned long timeout = 10;
  if (cli->timeout)
    {
      char *end;
      errno = 0;
      timeout = strtoul (cli->timeout, &end, 10);
      if (errno || end == cli->timeout || *end || cli->timeout[0] == '-'
          || timeout > 86400)
        {
          say_error ("--timeout %s: seconds, 0 to 86400", cli->timeout);
          return EXIT_CORDON_FAILED;
        }
    }
  struct jail_record rec = { 0 };
  cordon_error_t err = NULL;
  int status = EXIT_SUCCESS;
  if (find_jail (cli->operands[1], &rec, NULL, &err) < 0
      || jail_stop (&rec, sig, (unsigned) timeout, &err) < 0)
    {
      say_error ("%s", err->message);
      status = err->exit_status;
      cordon_error_free (&err);
    }
  jail_record_free (&rec);
  return status;
}

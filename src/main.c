/* main.c — the command line: run, serve, check, show, list, audit, seccomp
 * (ps, enter and stop are cli-jails.c's).
 *
 * Parses arguments, loads the settings and the profile through the profile
 * module, and hands a validated spec to the jail core.  It owns the exit
 * statuses of cordon itself and, with cli-jails.c, is the one place that
 * prints errors (say_error, cli.h). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "enter.h"
#include "error.h"
#include "jail.h"
#include "landlock.h"
#include "listen.h"
#include "profile.h"
#include "registry.h"
#include "report.h"
#include "seccomp-filter.h"
#include "util.h"

#define DEFAULT_SETTINGS_FILE SYSCONFDIR "/cordon/cordon.conf"

static const char usage_text[] =
  "Usage: cordon [OPTION]... COMMAND [ARG]...\n"
  "Run a command in a jail described by a profile.\n"
  "\n"
  "Commands:\n"
  "  run [PROFILE] [-D KEY=VALUE]... [-- CMD [ARG]...]\n"
  "                     run CMD (or the profile's argv) in the jail\n"
  "  serve PROFILE [-D KEY=VALUE]... [-- CMD [ARG]...]\n"
  "                     accept TCP connections on the profile's listen\n"
  "                     address, each in a new jail (fds 0 and 1 the socket)\n"
  "  check [--strict] PROFILE...\n"
  "                     validate profiles; print every problem as FILE:LINE\n"
  "  show [--origin] [PROFILE] [-D KEY=VALUE]...\n"
  "                     print the effective profile\n"
  "  list               list the profiles on the search path\n"
  "  audit [PROFILE] [--json] [--threshold N] [-D KEY=VALUE]...\n"
  "                     judge how exposed the jail is, from 0.0 to 10.0\n"
  "  ps [--json]        list the running jails\n"
  "  enter ID|NAME [-t] [-- CMD [ARG]...]\n"
  "                     run CMD (default /bin/sh) in a running jail, as\n"
  "                     confined as the jail's command\n"
  "  stop ID|NAME [--signal SIG] [--timeout S]\n"
  "                     signal a jail's command (TERM), SIGKILL after S (10)\n"
  "  seccomp groups     list the seccomp @groups and their system calls\n"
  "\n"
  "PROFILE is a path (anything with a '/') or a name looked up on the profile\n"
  "search path; without one, the built-in default profile is used.\n"
  "\n"
  "Options:\n"
  "  -D, --define KEY=VALUE   override a profile key (time_limit=10)\n"
  "      --strict             check: warnings make a profile invalid\n"
  "      --config FILE        settings file (default " DEFAULT_SETTINGS_FILE ")\n"
  "  -v, --verbose            say each setup step as it happens\n"
  "  -q, --quiet              say nothing but errors\n"
  "      --report FILE        run: write a JSON report of the run to FILE\n"
  "      --report-fd N        run: write it to file descriptor N\n"
  "      --name NAME          run: name the jail (unique among running ones)\n"
  "      --json               ps, audit: print JSON\n"
  "      --threshold N        audit: exit 1 when the exposure is above N\n"
  "  -t, --tty                enter: a new terminal for CMD, as tty = true\n"
  "      --signal SIG         stop: the signal to send first (TERM)\n"
  "      --timeout S          stop: seconds before SIGKILL (10)\n"
  "  -h, --help               show this help\n"
  "  -V, --version            show the version\n"
  "\n"
  "Exit status of run: the command's own; 128+N when it died of signal N;\n"
  "125 when cordon failed (a usage error, an invalid profile or -D, a setup\n"
  "step); 126 when the command cannot be executed; 127 when it was not found.\n"
  "check and show: 0 valid, 1 invalid (a bad -D too), 2 usage.\n"
  "audit: 0, 1 when the profile is invalid or the exposure above N, 2 usage.\n"
  "See cordon(1) and cordon.conf(5).\n";

__attribute__ ((format (printf, 2, 0))) static void
say_error_to (FILE *out, const char *fmt, va_list ap)
{
  fputs ("cordon: ", out);
  vfprintf (out, fmt, ap);
  fputc ('\n', out);
}

void
say_error (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  say_error_to (stderr, fmt, ap);
  va_end (ap);
}

/* The same, to OUT: serve's SIGHUP collects what a reload says. */
__attribute__ ((format (printf, 2, 3))) static void
say_to (FILE *out, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  say_error_to (out, fmt, ap);
  va_end (ap);
}

static int
append_arg (char ***v, size_t *n, char *arg)
{
  char **grown = realloc (*v, (*n + 2) * sizeof **v);
  if (grown == NULL)
    return -1;
  grown[(*n)++] = arg;
  grown[*n] = NULL;
  *v = grown;
  return 0;
}

static void
cli_free (struct cli *cli)
{
  free (cli->overrides);
  free (cli->operands);
  free (cli->command);
}

/* Options may stand anywhere before "--"; what follows "--" is the command
 * and is never read as options. */
static int
parse_args (int argc, char **argv, struct cli *cli)
{
  static const struct option long_options[] = {
    { "define", required_argument, NULL, 'D' },
    { "strict", no_argument, NULL, 'S' },
    { "origin", no_argument, NULL, 'O' },
    { "config", required_argument, NULL, 'c' },
    { "verbose", no_argument, NULL, 'v' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { "report", required_argument, NULL, 'R' },
    { "report-fd", required_argument, NULL, 'F' },
    { "name", required_argument, NULL, 'N' },
    { "json", no_argument, NULL, 'J' },
    { "tty", no_argument, NULL, 't' },
    { "signal", required_argument, NULL, 's' },
    { "timeout", required_argument, NULL, 'T' },
    { "threshold", required_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  int c;
  /* '-' returns operands in place so they keep their order with options. */
  while ((c = getopt_long (argc, argv, "-D:vqhVt", long_options, NULL)) != -1)
    {
      switch (c)
        {
        case 1:
          if (append_arg (&cli->operands, &cli->n_operands, optarg) < 0)
            return -1;
          break;
        case 'D':
          if (append_arg (&cli->overrides, &cli->n_overrides, optarg) < 0)
            return -1;
          break;
        case 'S':
          cli->strict = true;
          break;
        case 'O':
          cli->origin = true;
          break;
        case 'c':
          cli->config_file = optarg;
          break;
        case 'R':
          cli->report_file = optarg;
          break;
        case 'F':
          cli->report_fd = optarg;
          break;
        case 'N':
          cli->name = optarg;
          break;
        case 'J':
          cli->json = true;
          break;
        case 't':
          cli->tty = true;
          break;
        case 's':
          cli->signal = optarg;
          break;
        case 'T':
          cli->timeout = optarg;
          break;
        case 'H':
          cli->threshold = optarg;
          break;
        case 'v':
          cli->verbose++;
          break;
        case 'q':
          cli->quiet = true;
          break;
        case 'h':
          fputs (usage_text, stdout);
          exit (EXIT_SUCCESS);
        case 'V':
          printf ("cordon %s\n", PACKAGE_VERSION);
          exit (EXIT_SUCCESS);
        default:
          fputs ("Try 'cordon --help'.\n", stderr);
          return -1;
        }
    }
  for (int i = optind; i < argc; i++)
    if (append_arg (&cli->command, &cli->n_command, argv[i]) < 0)
      return -1;
  return 0;
}

static const char *
settings_file (const struct cli *cli)
{
  if (cli->config_file)
    return cli->config_file;
  const char *env = getenv ("CORDON_CONFIG");
  return env && *env ? env : DEFAULT_SETTINGS_FILE;
}

static int
load_settings (const struct cli *cli, struct settings *settings, bool for_run)
{
  struct diagnostics diags = { 0 };
  const char *path = settings_file (cli);
  int r = for_run ? settings_load_cached (path, settings, &diags)
                  : settings_load (path, settings, &diags);
  diagnostics_print (&diags, stderr);
  if (r == 1 && cli->verbose > 0)
    fprintf (stderr, "cordon: settings %s: from the cache\n", path);
  diagnostics_free (&diags);
  return r;
}

/* Load PROFILE_ARG (NULL: the built-in default), printing diagnostics on
 * OUT: all of them when it is invalid, else the warnings when
 * show_warnings is set.  Returns -1 on errors, 1 when only warnings were
 * found and strict is set, 0 otherwise. */
static int
load_profile_to (const struct cli *cli, const struct settings *settings,
                 const char *profile_arg, bool show_warnings, bool for_run,
                 struct jail_spec **spec, char **resolved, FILE *out)
{
  char *path = NULL;
  cordon_error_t err = NULL;
  if (profile_arg && profile_resolve (profile_arg, settings, &path, &err) < 0)
    {
      say_to (out, "%s", err->message);
      cordon_error_free (&err);
      return -1;
    }

  struct profile_request req = {
    .path = path,
    .overrides = cli->overrides,
    .n_overrides = cli->n_overrides,
    .settings = settings,
    .running_as_root = geteuid () == 0,
    .mount_checks_sources = for_run,
    .use_cache = for_run,
  };
  char *origins = NULL;
  if (cli->origin && !for_run)
    req.origins = &origins;
  struct diagnostics diags = { 0 };
  int r = profile_load (&req, spec, &diags);
  if (r >= 0 && origins)
    fputs (origins, stdout);
  free (origins);
  size_t warnings = diagnostics_count (&diags, DIAG_WARNING);
  if (r < 0 || show_warnings)
    diagnostics_print (&diags, out);
  if (r == 1 && show_warnings)
    fprintf (out, "cordon: profile %s: from the cache\n",
             path ? path : "<built-in default>");
  diagnostics_free (&diags);
  if (resolved != NULL && r >= 0)
    *resolved = path;
  else
    free (path);
  if (r < 0)
    return -1;
  return (cli->strict && warnings > 0) ? 1 : 0;
}

static int
load_profile (const struct cli *cli, const struct settings *settings,
              const char *profile_arg, bool show_warnings, bool for_run,
              struct jail_spec **spec, char **resolved)
{
  return load_profile_to (cli, settings, profile_arg, show_warnings, for_run,
                          spec, resolved, stderr);
}

static int
command_check (const struct cli *cli, const struct settings *settings)
{
  if (cli->n_operands < 2 || cli->n_command > 0)
    {
      fputs ("Usage: cordon check [--strict] PROFILE...\n", stderr);
      return EXIT_USAGE;
    }
  int status = EXIT_SUCCESS;
  for (size_t i = 1; i < cli->n_operands; i++)
    {
      struct jail_spec *spec = NULL;
      int r = load_profile (cli, settings, cli->operands[i], !cli->quiet,
                            false, &spec, NULL);
      if (r != 0)
        status = EXIT_CHECK_INVALID;
      else if (cli->verbose)
        {
          fprintf (stderr, "%s: ok\n", cli->operands[i]);
          landlock_describe (spec, stderr);
        }
      jail_spec_free (spec);
    }
  return status;
}

static int
command_show (const struct cli *cli, const struct settings *settings)
{
  if (cli->n_operands > 2 || cli->n_command > 0)
    {
      fputs ("Usage: cordon show [--origin] [PROFILE] [-D KEY=VALUE]...\n",
             stderr);
      return EXIT_USAGE;
    }
  struct jail_spec *spec = NULL;
  const char *profile = cli->n_operands == 2 ? cli->operands[1] : NULL;
  /* --origin: load_profile printed where each key was set instead */
  if (load_profile (cli, settings, profile, false, false, &spec, NULL) < 0)
    return EXIT_CHECK_INVALID;
  int r = 0;
  if (!cli->origin)
    {
      r = profile_print (spec, stdout);
      landlock_show (spec, stdout);
    }
  jail_spec_free (spec);
  if (r < 0 || fflush (stdout) != 0)
    {
      say_error ("writing the profile: %s", strerror (errno));
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

/* --threshold N: a number from 0 to 10. */
static bool
parse_threshold (const char *s, double *out)
{
  char *end;
  errno = 0;
  *out = strtod (s, &end);
  return errno == 0 && end != s && *end == '\0' && *out >= 0 && *out <= 10;
}

static int
command_audit (const struct cli *cli, const struct settings *settings)
{
  double threshold = 10;
  if (cli->n_operands > 2 || cli->n_command > 0)
    {
      fputs ("Usage: cordon audit [PROFILE] [--json] [--threshold N] "
             "[-D KEY=VALUE]...\n", stderr);
      return EXIT_USAGE;
    }
  if (cli->threshold && !parse_threshold (cli->threshold, &threshold))
    {
      say_error ("--threshold %s: not a number from 0 to 10", cli->threshold);
      return EXIT_USAGE;
    }
  struct jail_spec *spec = NULL;
  const char *profile = cli->n_operands == 2 ? cli->operands[1] : NULL;
  if (load_profile (cli, settings, profile, false, false, &spec, NULL) < 0)
    return EXIT_CHECK_INVALID;
  double score;
  cordon_error_t err = NULL;
  int r = audit_print (spec, cli->json, stdout, &score, &err);
  jail_spec_free (spec);
  if (r < 0 || fflush (stdout) != 0)
    {
      say_error ("%s", err ? err->message : strerror (errno));
      cordon_error_free (&err);
      return EXIT_FAILURE;
    }
  if (score > threshold)
    {
      if (!cli->quiet)
        say_error ("exposure %.1f is above the threshold %s", score,
                   cli->threshold);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

static int
command_list (const struct cli *cli, const struct settings *settings)
{
  if (cli->n_operands != 1 || cli->n_command > 0)
    {
      fputs ("Usage: cordon list\n", stderr);
      return EXIT_USAGE;
    }
  cordon_error_t err = NULL;
  if (profile_list (settings, stdout, &err) < 0)
    {
      say_error ("%s", err->message);
      cordon_error_free (&err);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

static int
command_seccomp (const struct cli *cli)
{
  if (cli->n_operands != 2 || strcmp (cli->operands[1], "groups") != 0
      || cli->n_command > 0)
    {
      fputs ("Usage: cordon seccomp groups\n", stderr);
      return EXIT_USAGE;
    }
  if (cordon_seccomp_print_groups (stdout) < 0 || fflush (stdout) != 0)
    {
      say_error ("writing the groups: %s", strerror (errno));
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

/* "-- CMD" replaces the profile's argv. */
static int
replace_argv (struct jail_spec *spec, char **command, size_t n)
{
  char **argv = calloc (n + 1, sizeof *argv);
  if (argv == NULL)
    return -1;
  for (size_t i = 0; i < n; i++)
    if ((argv[i] = strdup (command[i])) == NULL)
      {
        for (size_t j = 0; j < i; j++)
          free (argv[j]);
        free (argv);
        return -1;
      }
  for (size_t i = 0; i < spec->n_argv; i++)
    free (spec->argv[i]);
  free (spec->argv);
  spec->argv = argv;
  spec->n_argv = n;
  return 0;
}

/* The run report's destination: 0 when none was asked for (D->fd -1),
 * -1 with *err. */
static int
open_report (const struct cli *cli, struct report_dest *d, cordon_error_t *err)
{
  if (cli->report_file == NULL && cli->report_fd == NULL)
    return 0;
  if (cli->report_file != NULL && cli->report_fd != NULL)
    return cordon_fail (err, 0, "--report and --report-fd exclude each other");
  int fd = -1;
  if (cli->report_fd != NULL)
    {
      char *end;
      errno = 0;
      long n = strtol (cli->report_fd, &end, 10);
      if (errno || end == cli->report_fd || *end || n < 0 || n > INT_MAX)
        return cordon_fail (err, 0, "--report-fd %s: not a file descriptor",
                            cli->report_fd);
      fd = (int) n;
    }
  return report_open (d, cli->report_file, fd, err);
}

/* ---- the jail's record while it runs (registry.h) ---- */

struct registration
{
  struct jail_record rec;
  bool registered;
  /* no name asked for: the record is written once the jail's pid 1 is
   * released, while it builds the jail, not before (rec.id is picked) */
  bool deferred;
  const struct jail_spec *spec;
  int verbose;
  struct registry *r;   /* opened once pid 1 is out, kept to the end */
  struct listen_conn *conn;     /* serve: the connection's, else NULL */
};

/* The effective profile, as `cordon show` prints it, in a string. */
static char *
profile_text (const struct jail_spec *spec, size_t *len)
{
  char *text = NULL;
  FILE *f = open_memstream (&text, len);
  if (f == NULL)
    return NULL;
  int r = profile_print (spec, f);
  if (fclose (f) != 0 || r < 0)
    {
      free (text);
      return NULL;
    }
  return text;
}

static void
fill_record (struct jail_record *rec, const struct cli *cli,
             const struct jail_spec *spec)
{
  rec->name = xstrdup (cli->name);
  rec->profile_name = xstrdup (spec->name);
  rec->uid = getuid ();
  rec->launcher = getpid ();
  rec->started = (long long) time (NULL);
  rec->argv = xcalloc (spec->n_argv + 1, sizeof *rec->argv);
  for (size_t i = 0; i < spec->n_argv; i++)
    rec->argv[i] = xstrdup (spec->argv[i]);
  rec->n_argv = spec->n_argv;
}

/* Before anything starts.  A name is taken now, so that a clash is an
 * error before the jail exists; a jail without one only gets its id here,
 * and its record once pid 1 is released (jail_started), off the path from
 * the clone to the command's exec.  A user without a state directory (no
 * XDG_RUNTIME_DIR) runs unregistered, unless a name was asked for. */
static int
register_jail (const struct cli *cli, const struct jail_spec *spec,
               char *profile_path, struct registration *reg,
               cordon_error_t *err)
{
  struct jail_record *rec = &reg->rec;
  rec->profile_path = profile_path;     /* ours to free from now on */
  if (reg->conn)
    rec->peer = xstrdup (listen_conn_peer (reg->conn));
  reg->spec = spec;
  reg->verbose = cli->verbose;
  if (cli->name != NULL && !registry_name_valid (cli->name))
    return cordon_fail (err, 0, "--name %s: a name is 1 to 64 letters, "
                        "digits, '.', '_' or '-', not starting with '.' or "
                        "'-'", cli->name);
  if (reg->conn)
    snprintf (rec->id, sizeof rec->id, "%s", listen_conn_id (reg->conn));
  if (cli->name == NULL)
    {
      if (!registry_has_place ())
        {
          if (cli->verbose > 0)
            say_error ("not registered (no cordon ps, enter, stop): no "
                       "state directory for the jails: XDG_RUNTIME_DIR is "
                       "not set");
          return 0;
        }
      fill_record (rec, cli, spec);
      if (rec->id[0] == '\0')
        registry_pick_id (rec->id);
      reg->deferred = true;
      return 0;
    }
  struct registry *r = NULL;
  if (registry_open (true, &r, err) < 0)
    return -1;
  fill_record (rec, cli, spec);
  int ret = proc_start_time (rec->launcher, &rec->launcher_start);
  if (ret < 0)
    cordon_fail (err, errno, "read /proc/%d/stat", (int) rec->launcher);
  else
    ret = registry_add (r, rec, NULL, 0, err);
  /* not kept: the jail's pid 1 is a copy of the launcher, descriptors
   * and all */
  registry_close (r);
  reg->registered = ret == 0;
  return ret;
}

/* A deferred record, written whole now that pid 1 is known.  A user's
 * state directory that cannot be made leaves the jail unregistered, as
 * without XDG_RUNTIME_DIR; root's is an error. */
static int
register_late (struct registration *reg, const char *text, size_t len,
               cordon_error_t *err)
{
  struct jail_record *rec = &reg->rec;
  cordon_error_t open_err = NULL;
  if (registry_open (true, &reg->r, &open_err) < 0)
    {
      if (geteuid () == 0)
        {
          *err = open_err;
          return -1;
        }
      if (reg->verbose > 0)
        say_error ("not registered (no cordon ps, enter, stop): %s",
                   open_err->message);
      cordon_error_free (&open_err);
      return 0;
    }
  if (proc_start_time (rec->launcher, &rec->launcher_start) < 0)
    return cordon_fail (err, errno, "read /proc/%d/stat",
                        (int) rec->launcher);
  if (registry_add (reg->r, rec, text, len, err) < 0)
    return -1;
  reg->registered = true;
  return 0;
}

/* The jail runs: its pid 1, cgroup and address go into the record, with
 * the effective profile.  The launcher does this while pid 1 builds the
 * jail; `cordon enter` waits for the pid.  The state directory is opened
 * here, after the clone, and kept until the record is removed. */
static int
jail_started (const struct jail_started *s, void *arg, cordon_error_t *err)
{
  struct registration *reg = arg;
  if (reg->conn && listen_conn_started (reg->conn, s->pid, err) < 0)
    return -1;
  if (!reg->registered && !reg->deferred)
    return 0;
  struct jail_record *rec = &reg->rec;
  rec->pid = s->pid;
  if (proc_start_time (s->pid, &rec->pid_start) < 0)
    return cordon_fail (err, errno, "read /proc/%d/stat", (int) s->pid);
  rec->cgroups = xcalloc (s->n_cgroup_dirs, sizeof *rec->cgroups);
  for (size_t i = 0; i < s->n_cgroup_dirs; i++)
    rec->cgroups[i] = xstrdup (s->cgroup_dirs[i]);
  rec->n_cgroups = s->n_cgroup_dirs;
  rec->address = xstrdup (s->address);
  size_t len = 0;
  char *text = profile_text (reg->spec, &len);
  if (text == NULL)
    return cordon_fail (err, errno, "print the effective profile");
  int ret;
  if (reg->deferred)
    ret = register_late (reg, text, len, err);
  else if ((ret = registry_open (false, &reg->r, err)) == 0 && reg->r == NULL)
    ret = cordon_fail (err, ENOENT, "the state directory went away");
  else if (ret == 0)
    /* the profile first: a record with its pid has its profile */
    ret = registry_write_profile (reg->r, rec->id, text, len, err) < 0
          ? -1 : registry_update (reg->r, rec, err);
  free (text);
  return ret;
}

static void
unregister_jail (struct registration *reg)
{
  cordon_error_t err = NULL;
  if (reg->registered && reg->r == NULL)
    registry_open (false, &reg->r, &err);
  if (reg->registered && reg->r != NULL)
    registry_remove (reg->r, reg->rec.id);
  cordon_error_free (&err);
  registry_close (reg->r);
  reg->r = NULL;
  jail_record_free (&reg->rec);
}

/* One jail of SPEC, registered while it runs: `cordon run`'s, and each of
 * `cordon serve`'s connections (CONN, else NULL).  Fills *RESULT when not
 * NULL; PROFILE_PATH is ours.  Returns jail_run's status, or -1 with
 * *err. */
static int
run_registered (const struct cli *cli, const struct settings *settings,
                const struct jail_spec *spec, char *profile_path,
                struct listen_conn *conn, struct jail_result *result,
                cordon_error_t *err)
{
  struct registration reg = { .conn = conn };
  struct jail_options opts = { .verbose = cli->verbose, .quiet = cli->quiet,
                               .cgroup_parent = settings->cgroup_parent,
                               .cgroup_version = settings->cgroup_version,
                               .root_id_start = settings->root_id_start,
                               .root_id_count = settings->root_id_count,
                               .result = result,
                               .started = jail_started,
                               .started_arg = &reg,
                               .command_mask = conn ? listen_conn_mask (conn)
                                                    : NULL };
  if (register_jail (cli, spec, profile_path, &reg, err) < 0)
    {
      if (result)
        {
          memset (result, 0, sizeof *result);
          result->reason = JAIL_END_SETUP_ERROR;
          result->exit_status = EXIT_CORDON_FAILED;
        }
      unregister_jail (&reg);
      return -1;
    }
  /* a served jail has its id unregistered too: the server's log has it */
  opts.title = reg.rec.name ? reg.rec.name
               : reg.registered || reg.deferred || conn ? reg.rec.id : NULL;
  int status = jail_run (spec, &opts, err);
  unregister_jail (&reg);
  return status;
}

/* -- CMD for the profile's argv; a profile with no argv and no -- CMD is
 * an error, said on OUT. */
static int
command_argv (const struct cli *cli, struct jail_spec *spec, FILE *out)
{
  if (cli->n_command > 0
      && replace_argv (spec, cli->command, cli->n_command) < 0)
    {
      say_to (out, "out of memory");
      return -1;
    }
  if (spec->n_argv == 0)
    {
      say_to (out, "%s: no command: the profile sets no argv; give one after --",
                 spec->origin.file ? spec->origin.file : "profile");
      return -1;
    }
  return 0;
}

static int
command_run (const struct cli *cli, const struct settings *settings)
{
  if (cli->n_operands > 2)
    {
      fputs ("Usage: cordon run [PROFILE] [--name NAME] [-D KEY=VALUE]... "
             "[-- CMD [ARG]...]\n", stderr);
      return EXIT_CORDON_FAILED;
    }
  const char *profile = cli->n_operands == 2 ? cli->operands[1] : NULL;
  struct jail_spec *spec = NULL;
  char *profile_path = NULL;
  if (load_profile (cli, settings, profile, cli->verbose > 0, true, &spec,
                    &profile_path) < 0)
    return EXIT_CORDON_FAILED;
  if (command_argv (cli, spec, stderr) < 0)
    {
      free (profile_path);
      jail_spec_free (spec);
      return EXIT_CORDON_FAILED;
    }
  if (spec->listen.address != NULL)
    {
      say_error ("%s: the profile has a listen section: serve it with "
                 "'cordon serve'", spec->origin.file ? spec->origin.file
                                                     : "profile");
      free (profile_path);
      jail_spec_free (spec);
      return EXIT_CORDON_FAILED;
    }

  struct jail_result result;
  cordon_error_t err = NULL;
  struct report_dest report = REPORT_DEST_NONE;
  if (open_report (cli, &report, &err) < 0
      || (report.fd >= 0 && report_begin (&report, spec, &err) < 0))
    {
      say_error ("%s", err->message);
      cordon_error_free (&err);
      report_close (&report);
      free (profile_path);
      jail_spec_free (spec);
      return EXIT_CORDON_FAILED;
    }
  int status = run_registered (cli, settings, spec, profile_path, NULL,
                               report.fd >= 0 ? &result : NULL, &err);
  if (report.fd >= 0)
    {
      cordon_error_t rerr = NULL;
      if (report_write (&report, spec, &result, status < 0 && err
                        ? err->message : NULL, &rerr) < 0)
        {
          say_error ("%s", rerr->message);
          cordon_error_free (&rerr);
        }
      report_close (&report);
    }
  if (status < 0)
    {
      say_error ("%s", err ? err->message : "jail setup failed");
      status = err ? err->exit_status : EXIT_CORDON_FAILED;
      cordon_error_free (&err);
    }
  jail_spec_free (spec);
  return status;
}

/* ---- serve ---- */

struct serve
{
  const struct cli *cli;
  const struct settings *settings;
  const char *profile;          /* as given: SIGHUP resolves it again */
};

/* In a connection's process (listen.c): the jail, as run's. */
static int
serve_connection (const struct jail_spec *spec, struct listen_conn *conn,
                  void *arg, cordon_error_t *err)
{
  struct serve *sv = arg;
  char *path = spec->origin.file && strcmp (spec->origin.file,
                                            "<built-in default>") != 0
               ? xstrdup (spec->origin.file) : NULL;
  return run_registered (sv->cli, sv->settings, spec, path, conn,
                         listen_conn_result (conn), err);
}

/* SIGHUP: the profile, loaded as at the start (its -D and -- CMD too). */
static struct jail_spec *
serve_reload (void *arg, cordon_error_t *err)
{
  struct serve *sv = arg;
  struct jail_spec *spec = NULL;
  char *captured = NULL;
  size_t len = 0;
  /* what the loader says goes into the server's log line, not on its own */
  FILE *mem = open_memstream (&captured, &len);
  if (mem == NULL)
    {
      cordon_fail (err, errno, "open_memstream");
      return NULL;
    }
  int r = load_profile_to (sv->cli, sv->settings, sv->profile, false, true,
                           &spec, NULL, mem);
  if (r >= 0 && command_argv (sv->cli, spec, mem) < 0)
    r = -1;
  if (r >= 0 && spec->listen.address == NULL)
    {
      fprintf (mem, "%s: no listen section", spec->origin.file
               ? spec->origin.file : "profile");
      r = -1;
    }
  if (fclose (mem) != 0 && r >= 0)
    r = -1;
  if (r < 0)
    {
      jail_spec_free (spec);
      spec = NULL;
      /* one line: the diagnostics joined */
      for (char *c = captured; c && *c; c++)
        if (*c == '\n')
          *c = c[1] ? ';' : '\0';
      cordon_fail (err, 0, "%s", captured && *captured ? captured
                   : "invalid profile");
    }
  free (captured);
  return spec;
}

static int
command_serve (const struct cli *cli, const struct settings *settings)
{
  if (cli->n_operands != 2)
    {
      fputs ("Usage: cordon serve PROFILE [-D KEY=VALUE]... "
             "[-- CMD [ARG]...]\n", stderr);
      return EXIT_CORDON_FAILED;
    }
  if (cli->name != NULL)
    {
      say_error ("--name names one jail; serve's jails have ids");
      return EXIT_CORDON_FAILED;
    }
  struct serve sv = { .cli = cli, .settings = settings,
                      .profile = cli->operands[1] };
  struct jail_spec *spec = NULL;
  if (load_profile (cli, settings, sv.profile, cli->verbose > 0, true, &spec,
                    NULL) < 0)
    return EXIT_CORDON_FAILED;
  if (command_argv (cli, spec, stderr) < 0)
    {
      jail_spec_free (spec);
      return EXIT_CORDON_FAILED;
    }
  if (spec->listen.address == NULL)
    {
      say_error ("%s: no listen section: nothing to serve (see "
                 "cordon.conf(5), LISTEN)", spec->origin.file
                 ? spec->origin.file : "profile");
      jail_spec_free (spec);
      return EXIT_CORDON_FAILED;
    }
  cordon_error_t err = NULL;
  /* one JSON line a connection, appended: no "running" report, no
   * replacement file (report_begin and report_write are run's) */
  struct report_dest report = REPORT_DEST_NONE;
  if (open_report (cli, &report, &err) < 0)
    {
      say_error ("%s", err->message);
      cordon_error_free (&err);
      jail_spec_free (spec);
      return EXIT_CORDON_FAILED;
    }
  struct listen_hooks hooks = { .run = serve_connection,
                                .reload = serve_reload, .arg = &sv };
  int status = EXIT_SUCCESS;
  if (listen_serve (spec, report.fd, &hooks, cli->quiet, &err) < 0)
    {
      say_error ("%s", err->message);
      status = err->exit_status;
      cordon_error_free (&err);
    }
  report_close (&report);
  return status;
}

/* A -D without '=' is reported like the profile's own errors. */
static bool
overrides_well_formed (const struct cli *cli)
{
  bool ok = true;
  for (size_t i = 0; i < cli->n_overrides; i++)
    if (strchr (cli->overrides[i], '=') == NULL)
      {
        fputs ("-D ", stderr);
        for (const char *c = cli->overrides[i]; *c; c++)
          if ((unsigned char) *c < 0x20 || *c == 0x7f)
            fprintf (stderr, "\\x%02x", (unsigned char) *c);
          else
            fputc (*c, stderr);
        fputs (": error: expected KEY=VALUE\n", stderr);
        ok = false;
      }
  return ok;
}

/* run's own failures, usage errors included, are 125: any other status
 * could be the command's; the same for enter's and stop's. */
static bool
is_run_verb (const struct cli *cli)
{
  if (cli->n_operands == 0)
    return false;
  const char *verb = cli->operands[0];
  return strcmp (verb, "run") == 0 || strcmp (verb, "serve") == 0
         || strcmp (verb, "enter") == 0
         || strcmp (verb, "stop") == 0;
}

int
main (int argc, char **argv)
{
  struct cli cli = { 0 };
  if (parse_args (argc, argv, &cli) < 0)
    {
      int usage = is_run_verb (&cli) ? EXIT_CORDON_FAILED : EXIT_USAGE;
      cli_free (&cli);
      return usage;
    }
  if (cli.n_operands == 0)
    {
      fputs (usage_text, stderr);
      cli_free (&cli);
      return EXIT_USAGE;
    }

  const char *verb = cli.operands[0];
  bool is_run = strcmp (verb, "run") == 0 || strcmp (verb, "serve") == 0;
  /* enter and stop fail as run does */
  bool is_jail_verb = is_run_verb (&cli);
  if (!overrides_well_formed (&cli))
    {
      bool loads = is_run || strcmp (verb, "check") == 0
                   || strcmp (verb, "show") == 0
                   || strcmp (verb, "audit") == 0;
      cli_free (&cli);
      return is_jail_verb ? EXIT_CORDON_FAILED
                    : loads ? EXIT_CHECK_INVALID : EXIT_USAGE;
    }
  struct settings settings = { 0 };
  int status;
  if (load_settings (&cli, &settings, is_run) < 0)
    status = is_jail_verb ? EXIT_CORDON_FAILED : EXIT_FAILURE;
  else if (cli.origin && strcmp (verb, "show") != 0)
    {
      say_error ("--origin is an option of show");
      status = is_jail_verb ? EXIT_CORDON_FAILED : EXIT_USAGE;
    }
  else if (strcmp (verb, "serve") == 0)
    status = command_serve (&cli, &settings);
  else if (is_run)
    status = command_run (&cli, &settings);
  else if (strcmp (verb, "check") == 0)
    status = command_check (&cli, &settings);
  else if (strcmp (verb, "show") == 0)
    status = command_show (&cli, &settings);
  else if (strcmp (verb, "list") == 0)
    status = command_list (&cli, &settings);
  else if (strcmp (verb, "audit") == 0)
    status = command_audit (&cli, &settings);
  else if (strcmp (verb, "seccomp") == 0)
    status = command_seccomp (&cli);
  else if (strcmp (verb, "ps") == 0)
    status = command_ps (&cli);
  else if (strcmp (verb, "enter") == 0)
    status = command_enter (&cli, &settings);
  else if (strcmp (verb, "stop") == 0)
    status = command_stop (&cli);
  else
    {
      say_error ("unknown command '%s'; try 'cordon --help'", verb);
      status = EXIT_USAGE;
    }
  settings_free (&settings);
  cli_free (&cli);
  return status;
}

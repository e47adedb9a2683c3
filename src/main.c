/* main.c — the command line: run, check, show, list.
 *
 * Parses arguments, loads the settings and the profile through the profile
 * module, and hands a validated spec to the jail core.  It owns the exit
 * statuses of cordon itself and is the one place that prints errors. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "jail.h"
#include "profile.h"
#include "report.h"
#include "seccomp-filter.h"

#define DEFAULT_SETTINGS_FILE SYSCONFDIR "/cordon/cordon.conf"

enum
{
  EXIT_CHECK_INVALID = 1,
  EXIT_USAGE = 2,
};

struct cli
{
  int verbose;
  bool quiet;
  bool strict;
  bool origin;               /* show --origin */
  const char *config_file;
  char **overrides;          /* -D KEY=VALUE, in order */
  size_t n_overrides;
  char **operands;           /* what stands before "--" */
  size_t n_operands;
  char **command;            /* what stands after "--" (NULL-terminated) */
  size_t n_command;
  const char *report_file;   /* --report FILE */
  const char *report_fd;     /* --report-fd N */
};

static const char usage_text[] =
  "Usage: cordon [OPTION]... COMMAND [ARG]...\n"
  "Run a command in a jail described by a profile.\n"
  "\n"
  "Commands:\n"
  "  run [PROFILE] [-D KEY=VALUE]... [-- CMD [ARG]...]\n"
  "                     run CMD (or the profile's argv) in the jail\n"
  "  check [--strict] PROFILE...\n"
  "                     validate profiles; print every problem as FILE:LINE\n"
  "  show [--origin] [PROFILE] [-D KEY=VALUE]...\n"
  "                     print the effective profile\n"
  "  list               list the profiles on the search path\n"
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
  "  -h, --help               show this help\n"
  "  -V, --version            show the version\n"
  "\n"
  "Exit status of run: the command's own; 128+N when it died of signal N;\n"
  "125 when cordon failed (a usage error, an invalid profile or -D, a setup\n"
  "step); 126 when the command cannot be executed; 127 when it was not found.\n"
  "check and show: 0 valid, 1 invalid (a bad -D too), 2 usage.\n"
  "See cordon(1) and cordon.conf(5).\n";

__attribute__ ((format (printf, 1, 2))) static void
say_error (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("cordon: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
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
    { NULL, 0, NULL, 0 },
  };
  int c;
  /* '-' returns operands in place so they keep their order with options. */
  while ((c = getopt_long (argc, argv, "-D:vqhV", long_options, NULL)) != -1)
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

/* Load PROFILE_ARG (NULL: the built-in default), printing diagnostics: all
 * of them when it is invalid, else the warnings when show_warnings is set.  Returns -1 on errors, 1
 * when only warnings were found and strict is set, 0 otherwise. */
static int
load_profile (const struct cli *cli, const struct settings *settings,
              const char *profile_arg, bool show_warnings, bool for_run,
              struct jail_spec **spec)
{
  char *path = NULL;
  cordon_error_t err = NULL;
  if (profile_arg && profile_resolve (profile_arg, settings, &path, &err) < 0)
    {
      say_error ("%s", err->message);
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
    diagnostics_print (&diags, stderr);
  if (r == 1 && show_warnings)
    fprintf (stderr, "cordon: profile %s: from the cache\n",
             path ? path : "<built-in default>");
  diagnostics_free (&diags);
  free (path);
  if (r < 0)
    return -1;
  return (cli->strict && warnings > 0) ? 1 : 0;
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
                            false, &spec);
      if (r != 0)
        status = EXIT_CHECK_INVALID;
      else if (cli->verbose)
        fprintf (stderr, "%s: ok\n", cli->operands[i]);
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
  if (load_profile (cli, settings, profile, false, false, &spec) < 0)
    return EXIT_CHECK_INVALID;
  int r = cli->origin ? 0 : profile_print (spec, stdout);
  jail_spec_free (spec);
  if (r < 0 || fflush (stdout) != 0)
    {
      say_error ("writing the profile: %s", strerror (errno));
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

/* The run report's fd: -2 when none was asked for, -1 with *err. */
static int
open_report (const struct cli *cli, cordon_error_t *err)
{
  if (cli->report_file == NULL && cli->report_fd == NULL)
    return -2;
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
  return report_open (cli->report_file, fd, err);
}

static int
command_run (const struct cli *cli, const struct settings *settings)
{
  if (cli->n_operands > 2)
    {
      fputs ("Usage: cordon run [PROFILE] [-D KEY=VALUE]... [-- CMD [ARG]...]\n",
             stderr);
      return EXIT_CORDON_FAILED;
    }
  const char *profile = cli->n_operands == 2 ? cli->operands[1] : NULL;
  struct jail_spec *spec = NULL;
  if (load_profile (cli, settings, profile, cli->verbose > 0, true, &spec) < 0)
    return EXIT_CORDON_FAILED;

  if (cli->n_command > 0 && replace_argv (spec, cli->command, cli->n_command) < 0)
    {
      say_error ("out of memory");
      jail_spec_free (spec);
      return EXIT_CORDON_FAILED;
    }
  if (spec->n_argv == 0)
    {
      say_error ("%s: no command: the profile sets no argv; give one after --",
                 spec->origin.file ? spec->origin.file : "profile");
      jail_spec_free (spec);
      return EXIT_CORDON_FAILED;
    }

  struct jail_result result;
  struct jail_options opts = { .verbose = cli->verbose, .quiet = cli->quiet,
                               .cgroup_parent = settings->cgroup_parent,
                               .cgroup_version = settings->cgroup_version,
                               .root_id_start = settings->root_id_start,
                               .root_id_count = settings->root_id_count };
  cordon_error_t err = NULL;
  int report = open_report (cli, &err);
  if (report == -1)
    {
      say_error ("%s", err->message);
      cordon_error_free (&err);
      jail_spec_free (spec);
      return EXIT_CORDON_FAILED;
    }
  if (report >= 0)
    opts.result = &result;
  int status = jail_run (spec, &opts, &err);
  if (report >= 0)
    {
      cordon_error_t rerr = NULL;
      if (report_write (report, spec, &result, status < 0 && err
                        ? err->message : NULL, &rerr) < 0)
        {
          say_error ("%s", rerr->message);
          cordon_error_free (&rerr);
        }
      if (cli->report_file)
        close (report);
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
 * could be the command's. */
static bool
is_run_verb (const struct cli *cli)
{
  return cli->n_operands > 0 && strcmp (cli->operands[0], "run") == 0;
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
  bool is_run = strcmp (verb, "run") == 0;
  if (!overrides_well_formed (&cli))
    {
      bool loads = is_run || strcmp (verb, "check") == 0
                   || strcmp (verb, "show") == 0;
      cli_free (&cli);
      return is_run ? EXIT_CORDON_FAILED
                    : loads ? EXIT_CHECK_INVALID : EXIT_USAGE;
    }
  struct settings settings = { 0 };
  int status;
  if (load_settings (&cli, &settings, is_run) < 0)
    status = is_run ? EXIT_CORDON_FAILED : EXIT_FAILURE;
  else if (cli.origin && strcmp (verb, "show") != 0)
    {
      say_error ("--origin is an option of show");
      status = is_run ? EXIT_CORDON_FAILED : EXIT_USAGE;
    }
  else if (is_run)
    status = command_run (&cli, &settings);
  else if (strcmp (verb, "check") == 0)
    status = command_check (&cli, &settings);
  else if (strcmp (verb, "show") == 0)
    status = command_show (&cli, &settings);
  else if (strcmp (verb, "list") == 0)
    status = command_list (&cli, &settings);
  else if (strcmp (verb, "seccomp") == 0)
    status = command_seccomp (&cli);
  else
    {
      say_error ("unknown command '%s'; try 'cordon --help'", verb);
      status = EXIT_USAGE;
    }
  settings_free (&settings);
  cli_free (&cli);
  return status;
}

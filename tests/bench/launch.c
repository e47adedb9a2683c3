/* launch.c — the benchmark's stopwatch: starts commands with posix_spawn and
 * times each one from just before the spawn to just after waitpid, with
 * CLOCK_MONOTONIC.  Shell `time` would add a fork, an exec and its own
 * parsing to every sample.
 *
 *   launch [-w WARM] [-n RUNS] [-o DIR] -- NAME ARGV... [--- NAME ARGV...]...
 *     Interleaved start-up times: WARM untimed runs of each command, then
 *     RUNS rounds that each run every command once (ABAB..., in an order
 *     shuffled every round from a fixed seed, so that each command follows
 *     every other about as often: a jail's clean-up that the kernel
 *     finishes after its exit lands on whatever runs next).
 *     DIR/NAME gets one wall time per line, in microseconds.
 *   launch -b BLOCK [-w WARM] [-n ROUNDS] -o DIR -- NAME ARGV... [--- ...]
 *     Blocked back-to-back start-up times, as a user who starts jail after
 *     jail of one tool lives them: ROUNDS rounds, each one block per
 *     command in an order shuffled every round (fixed seed); a block is
 *     BLOCK runs of one command back to back.  The first run of a block
 *     follows another tool, and pays for what that one left the kernel to
 *     finish: it goes to DIR/NAME.first, the other BLOCK-1 to DIR/NAME, and
 *     DIR/transitions gets "PREVIOUS NAME MICROSECONDS" for each first run
 *     (who pays what after whom).
 *   launch -j PAR -n JAILS [-r ROUNDS] -- NAME ARGV... [--- ...]
 *     Throughput: JAILS runs of each command with PAR of them in flight;
 *     ROUNDS rounds, interleaved; prints "NAME jails/s" per round.
 *   launch -m -n RUNS -- NAME ARGV...
 *     Prints each run's peak RSS in KiB (wait4's ru_maxrss), one a line.
 *
 * Arguments "@FD=PATH" right after NAME open PATH on FD for every run (a
 * seccomp filter for bwrap --seccomp FD, which reads it to the end);
 * arguments "+VAR=VALUE" there put VAR=VALUE into that command's
 * environment (without an exec of env(1) in the time).
 * "%N" in an argument becomes a number unique to the run (container ids).
 * Commands run with stdout and stderr on /dev/null unless -v; a run that
 * does not exit 0 counts as a failure, and any failure fails the
 * benchmark (exit 1) unless -k (keep going: the leak test wants some). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct cmd
{
  const char *name;
  char **argv;          /* template, with %N */
  int argc;
  FILE *out;
  FILE *first;          /* -b: the first run of each block */
  long failures;
  posix_spawn_file_actions_t fa;   /* stdout/stderr, @FD=PATH files */
  char **envp;          /* environ, or a copy with the +VAR=VALUE ones */
};

/* environ with ASSIGNMENT (VAR=VALUE) in place of VAR's own entry */
static char **
env_with (char **envp, char *assignment)
{
  size_t len = strcspn (assignment, "=") + 1, n = 0;
  while (envp[n])
    n++;
  char **out = calloc (n + 2, sizeof *out);
  if (out == NULL)
    exit (2);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (strncmp (envp[i], assignment, len) != 0)
      out[k++] = envp[i];
  out[k++] = assignment;
  return out;
}

static unsigned long serial;
static int verbose, keep_going;

static double
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* ARGV with every %N replaced by this run's number (static storage). */
static char **
expand (const struct cmd *c)
{
  static char *out[4096];
  static char buf[65536];
  size_t off = 0;
  char num[24];
  snprintf (num, sizeof num, "%lu.%ld", serial++, (long) getpid ());
  int i;
  for (i = 0; i < c->argc && i < 4095; i++)
    {
      const char *a = c->argv[i];
      const char *p = strstr (a, "%N");
      if (p == NULL)
        {
          out[i] = (char *) a;
          continue;
        }
      int n = snprintf (buf + off, sizeof buf - off, "%.*s%s%s",
                        (int) (p - a), a, num, p + 2);
      if (n < 0 || (size_t) n >= sizeof buf - off)
        {
          fprintf (stderr, "launch: arguments too long\n");
          exit (2);
        }
      out[i] = buf + off;
      off += (size_t) n + 1;
    }
  out[i] = NULL;
  return out;
}

static pid_t
start (struct cmd *c)
{
  pid_t pid;
  int r = posix_spawn (&pid, c->argv[0], &c->fa, NULL, expand (c), c->envp);
  if (r != 0)
    {
      fprintf (stderr, "launch: %s: %s\n", c->argv[0], strerror (r));
      exit (2);
    }
  return pid;
}

static void
account (struct cmd *c, int status)
{
  if (!(WIFEXITED (status) && WEXITSTATUS (status) == 0))
    {
      c->failures++;
      if (!keep_going && c->failures == 1)
        fprintf (stderr, "launch: %s failed (status 0x%x); rerun with -v\n",
                 c->name, status);
    }
}

/* One timed run; the peak RSS (KiB) of it goes to *rss. */
static double
run_once (struct cmd *c, long *rss)
{
  double t0 = now_us ();
  pid_t pid = start (c);
  int status;
  struct rusage ru;
  while (wait4 (pid, &status, 0, &ru) < 0)
    if (errno != EINTR)
      {
        perror ("launch: wait4");
        exit (2);
      }
  double t = now_us () - t0;
  account (c, status);
  if (rss != NULL)
    *rss = ru.ru_maxrss;
  return t;
}

/* JAILS runs of C with PAR in flight: jails per second. */
static double
throughput (struct cmd *c, long jails, int par)
{
  double t0 = now_us ();
  long started = 0, done = 0, running = 0;
  while (done < jails)
    {
      while (running < par && started < jails)
        {
          start (c);
          started++;
          running++;
        }
      int status;
      pid_t p = wait (&status);
      if (p < 0)
        {
          if (errno == EINTR)
            continue;
          perror ("launch: wait");
          exit (2);
        }
      account (c, status);
      running--;
      done++;
    }
  return jails / ((now_us () - t0) / 1e6);
}

/* DIR/NAME SUFFIX, for writing; exits on failure. */
static FILE *
open_out (const char *dir, const char *name, const char *suffix)
{
  char path[4096];
  snprintf (path, sizeof path, "%s/%s%s", dir, name, suffix);
  FILE *f = fopen (path, "w");
  if (f == NULL)
    {
      perror (path);
      exit (2);
    }
  return f;
}

/* Fisher-Yates on ORDER[0..N-1], from rand () (seeded by the caller). */
static void
shuffle (int *order, int n)
{
  for (int k = n - 1; k > 0; k--)
    {
      int j = rand () % (k + 1), t = order[k];
      order[k] = order[j];
      order[j] = t;
    }
}

static void
usage (void)
{
  fprintf (stderr, "usage: launch [-w WARM] [-n RUNS] [-o DIR] [-b BLOCK] "
           "[-j PAR [-r ROUNDS]] [-m] [-k] [-v] -- NAME ARGV... [--- NAME ARGV...]...\n");
  exit (2);
}

int
main (int argc, char **argv)
{
  long warm = 10, runs = 100, rounds = 1;
  int par = 0, rss_mode = 0, block = 0, opt;
  const char *dir = NULL;
  while ((opt = getopt (argc, argv, "+w:n:o:b:j:r:mkv")) != -1)
    switch (opt)
      {
      case 'w': warm = atol (optarg); break;
      case 'n': runs = atol (optarg); break;
      case 'o': dir = optarg; break;
      case 'b': block = atoi (optarg); break;
      case 'j': par = atoi (optarg); break;
      case 'r': rounds = atol (optarg); break;
      case 'm': rss_mode = 1; break;
      case 'k': keep_going = 1; break;
      case 'v': verbose = 1; break;
      default: usage ();
      }
  if (optind >= argc)
    usage ();

  struct cmd cmds[32];
  int n = 0;
  for (int i = optind; i < argc && n < 32;)
    {
      if (i + 1 >= argc)
        usage ();
      cmds[n] = (struct cmd) { .name = argv[i], .envp = environ };
      posix_spawn_file_actions_t *fa = &cmds[n].fa;
      posix_spawn_file_actions_init (fa);
      if (!verbose)
        {
          posix_spawn_file_actions_addopen (fa, 1, "/dev/null", O_WRONLY, 0);
          posix_spawn_file_actions_addopen (fa, 2, "/dev/null", O_WRONLY, 0);
        }
      i++;
      while (i < argc && (argv[i][0] == '@' || argv[i][0] == '+')
             && strchr (argv[i], '=') != NULL)
        {
          if (argv[i][0] == '+')
            cmds[n].envp = env_with (cmds[n].envp, argv[i] + 1);
          else
            posix_spawn_file_actions_addopen (fa, atoi (argv[i] + 1),
                                              strchr (argv[i], '=') + 1,
                                              O_RDONLY, 0);
          i++;
        }
      cmds[n].argv = &argv[i];
      int j = i;
      while (j < argc && strcmp (argv[j], "---") != 0)
        j++;
      cmds[n].argc = j - i;
      if (cmds[n].argc == 0)
        usage ();
      argv[j < argc ? j : argc] = NULL;
      n++;
      i = j + 1;
    }

  for (int k = 0; k < n; k++)
    for (long w = 0; w < warm; w++)
      run_once (&cmds[k], NULL);

  if (par > 0)
    {
      for (long r = 0; r < rounds; r++)
        for (int k = 0; k < n; k++)
          {
            struct cmd *c = &cmds[(k + r) % n];
            printf ("%s %.1f\n", c->name, throughput (c, runs, par));
            fflush (stdout);
          }
    }
  else if (rss_mode)
    {
      for (long r = 0; r < runs; r++)
        {
          long rss;
          run_once (&cmds[0], &rss);
          printf ("%ld\n", rss);
        }
    }
  else
    {
      if (dir == NULL || block == 1 || block < 0)
        usage ();
      for (int k = 0; k < n; k++)
        {
          cmds[k].out = open_out (dir, cmds[k].name, "");
          if (block > 0)
            cmds[k].first = open_out (dir, cmds[k].name, ".first");
        }
      FILE *transitions = block > 0 ? open_out (dir, "transitions", "") : NULL;
      int order[32], prev = -1;
      for (int k = 0; k < n; k++)
        order[k] = k;
      srand (1);
      for (long r = 0; r < runs; r++)
        {
          shuffle (order, n);
          for (int k = 0; k < n; k++)
            {
              struct cmd *c = &cmds[order[k]];
              if (block == 0)
                {
                  fprintf (c->out, "%.1f\n", run_once (c, NULL));
                  continue;
                }
              double t = run_once (c, NULL);
              fprintf (c->first, "%.1f\n", t);
              fprintf (transitions, "%s %s %.1f\n",
                       prev < 0 ? "-" : cmds[prev].name, c->name, t);
              for (int b = 1; b < block; b++)
                fprintf (c->out, "%.1f\n", run_once (c, NULL));
              prev = order[k];
            }
        }
      for (int k = 0; k < n; k++)
        {
          fclose (cmds[k].out);
          if (cmds[k].first != NULL)
            fclose (cmds[k].first);
        }
      if (transitions != NULL)
        fclose (transitions);
    }

  int failed = 0;
  for (int k = 0; k < n; k++)
    if (cmds[k].failures > 0)
      {
        fprintf (stderr, "launch: %s: %ld of its runs failed\n", cmds[k].name,
                 cmds[k].failures);
        failed = 1;
      }
  return failed && !keep_going ? 1 : 0;
}

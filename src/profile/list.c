/* list.c — finding profiles: a name on the search path, and cordon list. */
#include "config.h"

#include "profile/internal.h"

static bool
is_regular_file (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISREG (st.st_mode);
}

int
profile_resolve (const char *arg, const struct settings *settings, char **path,
                 cordon_error_t *err)
{
  if (strchr (arg, '/'))
    {
      struct stat st;
      if (stat (arg, &st) < 0)
        return cordon_fail (err, errno, "profile %s", arg);
      *path = xstrdup (arg);
      return 0;
    }
  if (*arg == '\0' || strcmp (arg, ".") == 0 || strcmp (arg, "..") == 0)
    return cordon_fail (err, 0, "'%s' is not a profile name", arg);

  struct strbuf searched = { 0 };
  char *conf = xasprintf ("%s.conf", arg);
  for (size_t i = 0; settings && i < settings->n_profile_path; i++)
    {
      const char *names[] = { arg, conf };
      for (size_t j = 0; j < 2; j++)
        {
          char *candidate = join_path (settings->profile_path[i], names[j]);
          if (is_regular_file (candidate))
            {
              free (conf);
              free (searched.s);
              *path = candidate;
              return 0;
            }
          free (candidate);
        }
      if (searched.n)
        sb_puts (&searched, ", ");
      sb_puts (&searched, settings->profile_path[i]);
    }
  /* Not shadowed by a file of that name: the built-in default. */
  if (strcmp (arg, "default") == 0)
    {
      free (conf);
      free (searched.s);
      *path = NULL;
      return 0;
    }
  /* The current directory is never searched (a tree being built must not
   * choose its own jail), but a user who meant a file there is told. */
  const char *here = is_regular_file (conf) ? conf
                     : is_regular_file (arg) ? arg : NULL;
  char *hint = here ? xasprintf ("; did you mean ./%s?", here) : xstrdup ("");
  int r = cordon_fail (err, 0, "profile '%s' not found (searched: %s)%s", arg,
                       searched.n ? searched.s : "no directories", hint);
  free (hint);
  free (conf);
  free (searched.s);
  return r;
}

struct listed
{
  char *name;
  char *text;           /* the description, or a note */
  char *from;           /* where it comes from, and the .local files read */
};

/* "PATH", then " + D/NAME.local" for each site override load.c reads. */
static char *
origin_of (const char *name, const char *path, const struct settings *settings)
{
  struct strbuf sb = { 0 };
  sb_puts (&sb, path ? path : "built in");
  char *local = xasprintf ("%s.local", name);
  for (size_t i = settings->n_profile_path; i-- > 0;)
    {
      char *candidate = join_path (settings->profile_path[i], local);
      if (is_regular_file (candidate))
        {
          sb_puts (&sb, " + ");
          sb_puts (&sb, candidate);
        }
      free (candidate);
    }
  free (local);
  return sb.s;
}

static int
compare_listed (const void *a, const void *b)
{
  return strcmp (((const struct listed *) a)->name,
                 ((const struct listed *) b)->name);
}

static char *
describe_profile (const char *path, const struct settings *settings)
{
  struct diagnostics d = { 0 };
  struct jail_spec *spec = NULL;
  struct profile_request req = { .path = path, .settings = settings };
  char *text;
  if (profile_load (&req, &spec, &d) == 0)
    text = xstrdup (spec->description);
  else
    {
      const char *first = "it does not load";
      for (size_t i = 0; i < d.n; i++)
        if (d.items[i].severity == DIAG_ERROR)
          {
            first = d.items[i].message;
            break;
          }
      text = xasprintf ("(invalid profile: %s)", first);
    }
  jail_spec_free (spec);
  diagnostics_free (&d);
  return text;
}

static bool
already_listed (const struct listed *v, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (v[i].name, name) == 0)
      return true;
  return false;
}

static void
list_dir (const char *dir, const struct settings *settings,
          struct listed **v, size_t *n, size_t *cap)
{
  DIR *d = opendir (dir);     /* glibc opens it O_CLOEXEC */
  if (d == NULL)
    return;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      size_t len = strlen (de->d_name);
      if (len <= 5 || !has_suffix (de->d_name, ".conf") || de->d_name[0] == '.')
        continue;
      char *name = xstrndup (de->d_name, len - 5);
      char *path = join_path (dir, de->d_name);
      if (already_listed (*v, *n, name) || !is_regular_file (path))
        {
          free (name);
          free (path);
          continue;
        }
      RESERVE_ONE (*v, *n, *cap);
      (*v)[(*n)++] = (struct listed) { name, describe_profile (path, settings),
                                       origin_of (name, path, settings) };
      free (path);
    }
  closedir (d);
}

int
profile_list (const struct settings *settings, FILE *out, cordon_error_t *err)
{
  struct listed *v = NULL;
  size_t n = 0, cap = 0, width = 0;
  for (size_t i = 0; settings && i < settings->n_profile_path; i++)
    list_dir (settings->profile_path[i], settings, &v, &n, &cap);
  if (settings && !already_listed (v, n, "default"))
    {
      RESERVE_ONE (v, n, cap);
      v[n++] = (struct listed) { xstrdup ("default"),
                                 describe_profile (NULL, settings),
                                 origin_of ("default", NULL, settings) };
    }
  if (n)
    qsort (v, n, sizeof *v, compare_listed);
  for (size_t i = 0; i < n; i++)
    if (strlen (v[i].name) > width)
      width = strlen (v[i].name);
  for (size_t i = 0; i < n; i++)
    {
      fprintf (out, "%-*s  %s  [%s]\n", (int) width, v[i].name, v[i].text,
               v[i].from);
      free (v[i].name);
      free (v[i].text);
      free (v[i].from);
    }
  free (v);
  if (ferror (out))
    return cordon_fail (err, EIO, "writing the list of profiles");
  return 0;
}

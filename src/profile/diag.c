/* diag.c — diagnostics ("FILE:LINE: error: ..."), collected in one
 * pass, and reading a profile or settings file whole (size, NUL, empty). */
#include "config.h"

#include "profile/internal.h"

void
free_strv (char **v, size_t n)
{
  for (size_t i = 0; v != NULL && i < n; i++)
    free (v[i]);
  free (v);
}

bool
has_suffix (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);
  return n >= m && strcmp (s + n - m, suffix) == 0;
}

char *
join_path (const char *dir, const char *name)
{
  if (dir == NULL || *dir == '\0')
    return xstrdup (name);
  return xasprintf ("%s%s%s", dir, has_suffix (dir, "/") ? "" : "/", name);
}

/* The directory part of PATH ("" when it has none). */
char *
dir_of (const char *path)
{
  const char *slash = strrchr (path, '/');
  if (slash == NULL)
    return xstrdup ("");
  if (slash == path)
    return xstrdup ("/");
  return xstrndup (path, (size_t) (slash - path));
}

__attribute__ ((format (printf, 5, 0))) void
diag_vadd (struct diagnostics *d, enum diag_severity severity,
           const char *file, int line, const char *fmt, va_list ap)
{
  if (d == NULL)
    return;
  RESERVE_ONE (d->items, d->n, d->cap);
  struct diagnostic *item = &d->items[d->n++];
  item->severity = severity;
  item->file = xstrdup (file ? file : "?");
  item->line = line > 0 ? line : 0;
  item->message = xvasprintf (fmt, ap);
}

__attribute__ ((format (printf, 5, 6))) void
diag_add (struct diagnostics *d, enum diag_severity severity, const char *file,
          int line, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  diag_vadd (d, severity, file, line, fmt, ap);
  va_end (ap);
}

void
diagnostics_print (const struct diagnostics *d, FILE *out)
{
  for (size_t i = 0; d != NULL && i < d->n; i++)
    {
      const struct diagnostic *item = &d->items[i];
      const char *sev = item->severity == DIAG_ERROR ? "error" : "warning";
      if (item->line > 0)
        fprintf (out, "%s:%d: %s: %s\n", item->file, item->line, sev,
                 item->message);
      else
        fprintf (out, "%s: %s: %s\n", item->file, sev, item->message);
    }
}

void
diagnostics_append (struct diagnostics *to, struct diagnostics *from)
{
  for (size_t i = 0; i < from->n; i++)
    {
      RESERVE_ONE (to->items, to->n, to->cap);
      to->items[to->n++] = from->items[i];
    }
  free (from->items);
  from->items = NULL;
  from->n = from->cap = 0;
}

size_t
diagnostics_count (const struct diagnostics *d, enum diag_severity s)
{
  size_t n = 0;
  for (size_t i = 0; d != NULL && i < d->n; i++)
    n += d->items[i].severity == s;
  return n;
}

void
diagnostics_free (struct diagnostics *d)
{
  if (d == NULL)
    return;
  for (size_t i = 0; i < d->n; i++)
    {
      free (d->items[i].file);
      free (d->items[i].message);
    }
  free (d->items);
  d->items = NULL;
  d->n = d->cap = 0;
}

static void
diag_errno (struct diagnostics *d, const char *file, const char *what, int e)
{
  const char *name = strerrorname_np (e);
  diag_add (d, DIAG_ERROR, file, 0, "%s: %s (%s)", what, strerror (e),
            name ? name : "?");
}

static bool
only_whitespace (const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
      return false;
  return true;
}

/* Read a whole profile or settings file.  O_NONBLOCK keeps a FIFO from
 * hanging us before fstat tells us it is not a regular file.  Returns the
 * NUL-terminated text, or NULL after one diagnostic. */
char *
read_text (const char *path, struct diagnostics *d, size_t *len,
           struct stat *st, int *open_errno)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    {
      if (open_errno)
        *open_errno = errno;
      diag_errno (d, path, "cannot open", errno);
      return NULL;
    }
  if (fstat (fd, st) < 0 || !S_ISREG (st->st_mode))
    {
      diag_add (d, DIAG_ERROR, path, 0, "not a regular file");
      close (fd);
      return NULL;
    }
  if (st->st_size > MAX_FILE_SIZE)
    {
      diag_add (d, DIAG_ERROR, path, 0, "larger than 1 MiB");
      close (fd);
      return NULL;
    }

  /* Sized by fstat: a buffer for the largest file would be mapped and
   * unmapped at every load.  One that grows meanwhile gets the rest. */
  size_t cap = (size_t) st->st_size + 2;
  char *buf = xrealloc (NULL, cap);
  size_t n = 0;
  for (;;)
    {
      if (n + 1 >= cap && cap < MAX_FILE_SIZE + 2)
        {
          cap = MAX_FILE_SIZE + 2;
          buf = xrealloc (buf, cap);
        }
      ssize_t r = read (fd, buf + n, cap - 1 - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          diag_errno (d, path, "cannot read", errno);
          goto fail;
        }
      if (r == 0 || (n += (size_t) r) > MAX_FILE_SIZE)
        break;
    }
  if (n > MAX_FILE_SIZE)
    {
      diag_add (d, DIAG_ERROR, path, 0, "larger than 1 MiB");
      goto fail;
    }
  if (memchr (buf, '\0', n) != NULL)
    {
      diag_add (d, DIAG_ERROR, path, 0, "not a text file (contains a NUL byte)");
      goto fail;
    }
  if (only_whitespace (buf, n))
    {
      diag_add (d, DIAG_ERROR, path, 0, "file is empty");
      goto fail;
    }
  close (fd);
  buf[n] = '\0';
  *len = n;
  return buf;

fail:
  close (fd);
  free (buf);
  return NULL;
}

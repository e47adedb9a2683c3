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

/* Where a reader meets a diagnostic: for each file from the profile down
 * to the diagnostic's own, the line that pulled the next one in and that
 * file's place in reading order; last the diagnostic's line.  Two keys
 * compare step by step; at one line a file's own diagnostic (seq -1)
 * comes before what its include() read. */
#define MAX_READING_DEPTH (MAX_INCLUDE_DEPTH + 3)

struct reading_key
{
  size_t n;                 /* steps; 0: not a file read (comes last) */
  int line[MAX_READING_DEPTH];
  long seq[MAX_READING_DEPTH];
  size_t index;             /* the order it was found in: ties keep it */
};

/* A file included twice is met first where it is first included. */
static int
first_reading (const struct loader *ld, const char *file)
{
  for (size_t i = 0; i < ld->n_readings; i++)
    if (strcmp (ld->readings[i].file, file) == 0)
      return (int) i;
  return -1;
}

static bool
is_limit_note (const struct loader *ld, size_t index)
{
  for (size_t i = 0; i < ld->n_limit_notes; i++)
    if (ld->limit_notes[i] == index)
      return true;
  return false;
}

static void
reading_key (const struct loader *ld, const struct diagnostic *d,
             size_t index, struct reading_key *k)
{
  *k = (struct reading_key) { .index = index };
  int r = is_limit_note (ld, index) ? -1 : first_reading (ld, d->file);
  if (r < 0)
    return;
  size_t depth = 1;
  for (int p = r; p >= 0 && depth < MAX_READING_DEPTH; p = ld->readings[p].parent)
    depth++;
  k->n = depth;
  k->line[depth - 1] = d->line;
  k->seq[depth - 1] = -1;
  for (int p = r; p >= 0 && depth > 1; p = ld->readings[p].parent)
    {
      depth--;
      k->line[depth - 1] = ld->readings[p].line;
      k->seq[depth - 1] = p;
    }
}

static int
compare_reading_keys (const void *a, const void *b)
{
  const struct reading_key *x = a, *y = b;
  if ((x->n == 0) != (y->n == 0))
    return x->n == 0 ? 1 : -1;
  for (size_t i = 0; i < x->n && i < y->n; i++)
    {
      if (x->line[i] != y->line[i])
        return x->line[i] < y->line[i] ? -1 : 1;
      if (x->seq[i] != y->seq[i])
        return x->seq[i] < y->seq[i] ? -1 : 1;
    }
  if (x->n != y->n)
    return x->n < y->n ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* The phases of a load (pre-scan, libconfuse's parse, the builders, the
 * cross-key rules) each find problems in their own order; a reader wants
 * them as the files read: by file in reading order, by line within one.
 * The "more than N" notes stay last. */
void
sort_load_diagnostics (struct loader *ld, size_t first)
{
  struct diagnostics *d = ld->diags;
  if (d == NULL || d->n <= first + 1)
    return;
  size_t n = d->n - first;
  struct reading_key *keys = xcalloc (n, sizeof *keys);
  for (size_t i = 0; i < n; i++)
    reading_key (ld, &d->items[first + i], first + i, &keys[i]);
  qsort (keys, n, sizeof *keys, compare_reading_keys);
  struct diagnostic *sorted = xcalloc (n, sizeof *sorted);
  for (size_t i = 0; i < n; i++)
    sorted[i] = d->items[keys[i].index];
  memcpy (d->items + first, sorted, n * sizeof *sorted);
  free (sorted);
  free (keys);
}

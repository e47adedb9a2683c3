/* profile.h — reading profiles and the settings file.
 *
 * src/profile/ is the only code that includes <confuse.h>.  It reads a profile
 * (following include()s), expands ${VAR}, applies -D overrides, validates the
 * result and hands back a plain struct jail_spec.  Problems are collected, all
 * of them in one pass, as diagnostics with the file and line they come from. */
#ifndef CORDON_PROFILE_H
#define CORDON_PROFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "spec.h"

enum diag_severity
{
  DIAG_ERROR,
  DIAG_WARNING,
};

struct diagnostic
{
  enum diag_severity severity;
  char *file;          /* never NULL */
  int line;            /* 0 when no line is known: printed as FILE: error: ... */
  char *message;
};

struct diagnostics
{
  struct diagnostic *items;
  size_t n, cap;
};

/* Print each as "FILE:LINE: error: MESSAGE" (or warning) on one line. */
void diagnostics_print (const struct diagnostics *d, FILE *out);
size_t diagnostics_count (const struct diagnostics *d, enum diag_severity s);
/* Move FROM's diagnostics to the end of TO; FROM is left empty. */
void diagnostics_append (struct diagnostics *to, struct diagnostics *from);
void diagnostics_free (struct diagnostics *d);

/* The system-wide settings (etc/cordon.conf). */
struct settings
{
  char **profile_path;      /* directories searched for profile names, in order */
  size_t n_profile_path;
  char *cgroup_parent;      /* where jails' cgroups go (cgroup.h); NULL: "cordon" */
  int cgroup_version;       /* 0 auto, 1 or 2 */
  char *network_bridge;     /* default network.bridge ("cordon0") */
  char *network_gateway;    /* default gateway and prefix ("10.88.0.1/24") */
  uint32_t root_id_start;   /* root_id_range: the host ids root's jails get, */
  uint32_t root_id_count;   /* one per live jail (userns.h) */
};

/* Read the settings file at PATH.  A PATH that does not exist gives the
 * built-in defaults and is not an error (cordon works uninstalled).  Errors in
 * an existing file are diagnostics; returns -1 when there was one. */
int settings_load (const char *path, struct settings *out,
                   struct diagnostics *diags);
/* The same for cordon run: from the profiles cache (profile-cache.h) while
 * the file and the variables it expands are unchanged (returns 1 then). */
int settings_load_cached (const char *path, struct settings *out,
                          struct diagnostics *diags);
void settings_free (struct settings *s);

/* What to read and how. */
struct profile_request
{
  const char *path;             /* profile file; NULL = the built-in default */
  char *const *overrides;       /* "KEY=VALUE" from -D, applied after the file */
  size_t n_overrides;
  const struct settings *settings;   /* for include() and the search path */
  bool running_as_root;         /* enables the root-only warnings */
  /* cordon run: a missing mount source is found when it is mounted (with
   * its file and line), not stat()ed beforehand; check and show look. */
  bool mount_checks_sources;
  /* cordon run: take the spec from the profiles cache (profile-cache.h)
   * when nothing it was made from has changed, and keep it there if not */
  bool use_cache;
  /* cordon show --origin: when not NULL, gets (malloc'd) one line per
   * effective key or section, "KEY  FILE:LINE", in the order they were
   * read */
  char **origins;
};

/* Parse and validate.  Returns 0 and sets *out when there was no error
 * (warnings may still be in diags), 1 the same when the spec came from the
 * profiles cache (req->use_cache); returns -1 otherwise, *out untouched. */
int profile_load (const struct profile_request *req, struct jail_spec **out,
                  struct diagnostics *diags);

/* Turn a PROFILE argument into a file: anything with a '/' is a path; else
 * NAME (or NAME.conf) is looked up in settings->profile_path, in order. */
int profile_resolve (const char *arg, const struct settings *settings,
                     char **path, cordon_error_t *err);

/* Write SPEC in the profile syntax, so that it parses back to the same spec. */
int profile_print (const struct jail_spec *spec, FILE *out);

/* Write S as a double-quoted string of the profile syntax: no newline or
 * other control character in it is written as itself. */
void profile_print_string (FILE *out, const char *s);

/* One line per profile on the search path: "NAME  DESCRIPTION", first
 * occurrence of a name wins (as with lookups). */
int profile_list (const struct settings *settings, FILE *out,
                  cordon_error_t *err);

#endif

/* profile-cache.h — compiled profiles, kept for the next `cordon run`.
 *
 * Part of the profile module.  A load that `cordon run` asks for records
 * everything it read besides the request (struct profile_inputs): each
 * file's bytes and identity, each include() candidate it probed, each
 * environment variable it expanded, the root directory it checked, each
 * host path it judged by what it resolves to.  The
 * validated spec and its warnings are then kept in the "profiles" cache
 * (cache.h) with the request and those inputs.  The next load of the same
 * request re-reads the inputs; only when every one is as recorded does it
 * take the spec from the cache instead of parsing.  Nothing is trusted on a
 * hash alone: the entry holds the request and inputs themselves.  The
 * settings file is kept the same way, for `cordon run` too. */
#ifndef CORDON_PROFILE_CACHE_H
#define CORDON_PROFILE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "profile.h"

enum profile_input_kind
{
  PROFILE_INPUT_FILE,    /* a profile file: its bytes, device and inode */
  PROFILE_INPUT_PROBE,   /* an include() candidate: there or not */
  PROFILE_INPUT_ENV,     /* ${NAME}: its value, or unset */
  PROFILE_INPUT_DIR,     /* root = DIR: what stat says of it */
  PROFILE_INPUT_HOST_PATH,  /* a host path judged: the file it resolves to
                               (device and inode), or stat's errno */
  PROFILE_INPUT_LAST = PROFILE_INPUT_HOST_PATH  /* what a read accepts */
};

struct profile_input
{
  enum profile_input_kind kind;
  char *name;            /* path or variable name */
  char *data;            /* file bytes or variable value; NULL: unset */
  size_t len;
  uint64_t dev, ino;     /* files */
  int state;             /* probes: 1 there, 0 not; dirs: profile_dir_state */
};

struct profile_inputs
{
  struct profile_input *items;
  size_t n, cap;
};

/* Record an input; each does nothing when IN is NULL (not recording). */
void profile_inputs_file (struct profile_inputs *in, const char *path,
                          const char *text, size_t len, const struct stat *st);
void profile_inputs_probe (struct profile_inputs *in, const char *path,
                           bool exists);
void profile_inputs_env (struct profile_inputs *in, const char *name,
                         const char *value);
void profile_inputs_dir (struct profile_inputs *in, const char *path,
                         int state);
/* A host path whose warnings depend on what it resolves to: ST (stat(2)'s
 * answer), or ERRNO_ when stat failed. */
void profile_inputs_host_path (struct profile_inputs *in, const char *path,
                               const struct stat *st, int errno_);
void profile_inputs_free (struct profile_inputs *in);

/* What stat(2) says of PATH as a root directory: 0 a directory, -1
 * something else, else stat's errno. */
int profile_dir_state (const char *path);

/* The spec (and warnings, into DIAGS) of an earlier load of REQ whose
 * inputs are all unchanged.  False: not cached, load it. */
bool profile_cache_lookup (const struct profile_request *req,
                           struct jail_spec **out, struct diagnostics *diags);

/* Keep SPEC, made from REQ and IN with the warnings in DIAGS. */
void profile_cache_store (const struct profile_request *req,
                          const struct profile_inputs *in,
                          const struct jail_spec *spec,
                          const struct diagnostics *diags);

/* The same for the settings file at PATH (settings_load_cached). */
bool settings_cache_lookup (const char *path, struct settings *out,
                            struct diagnostics *diags);
void settings_cache_store (const char *path, const struct profile_inputs *in,
                           const struct settings *s,
                           const struct diagnostics *diags);

/* SPEC as the cache writes it, and back: for the round-trip test. */
bool profile_cache_encode (const struct jail_spec *spec, unsigned char **buf,
                           size_t *len);
bool profile_cache_decode (const unsigned char *buf, size_t len,
                           struct jail_spec **out);

#endif

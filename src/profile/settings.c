/* settings.c — the settings file (etc/cordon.conf). */
#include "config.h"

#include "profile/internal.h"

static void
add_dir (struct settings *s, const char *dir)
{
  s->profile_path = xrealloc (s->profile_path,
                              (s->n_profile_path + 1) * sizeof *s->profile_path);
  s->profile_path[s->n_profile_path++] = xstrdup (dir);
}

/* CORDON_PROFILE_PATH: directories searched before the settings' ones,
 * for profiles that are not installed (a build tree's profiles/).  An
 * empty element is skipped, not read as the current directory: a tree
 * being built must not choose its own jail. */
static void
env_profile_path (struct settings *s, struct profile_inputs *inputs)
{
  const char *env = getenv ("CORDON_PROFILE_PATH");
  profile_inputs_env (inputs, "CORDON_PROFILE_PATH", env);
  if (env == NULL)
    return;
  char *copy = xstrdup (env);
  char *save = NULL;
  for (char *dir = strtok_r (copy, ":", &save); dir;
       dir = strtok_r (NULL, ":", &save))
    add_dir (s, dir);
  free (copy);
}

/* The search path without a settings file (or without profile_path in it). */
static void
default_profile_path (struct settings *s, struct profile_inputs *inputs)
{
  const char *xdg = getenv ("XDG_CONFIG_HOME");
  const char *home = getenv ("HOME");
  profile_inputs_env (inputs, "XDG_CONFIG_HOME", xdg);
  profile_inputs_env (inputs, "HOME", home);
  char *user = NULL;
  if (xdg && *xdg)
    user = xasprintf ("%s/cordon/profiles", xdg);
  else if (home && *home)
    user = xasprintf ("%s/.config/cordon/profiles", home);
  if (user)
    add_dir (s, user);
  free (user);
  add_dir (s, SYSCONFDIR "/cordon/profiles");
  add_dir (s, DATADIR "/cordon/profiles");
}

/* cgroup_parent and cgroup_version; unset: NULL ("cordon") and auto. */
static void
settings_cgroup (cfg_t *cfg, struct settings *out)
{
  if (cfg_size (cfg, "cgroup_parent"))
    out->cgroup_parent = xstrdup (cfg_getstr (cfg, "cgroup_parent"));
  /* "auto", "1", "2": the index is the version (0 auto) */
  const union key_typed *v = typed_key (cfg, SEC_SETTINGS, "cgroup_version",
                                        0);
  out->cgroup_version = v ? v->index : 0;
}

/* network_bridge and network_gateway: the defaults of bridge-mode jails. */
static void
settings_network (cfg_t *cfg, struct settings *out)
{
  out->network_bridge = xstrdup (cfg && cfg_size (cfg, "network_bridge")
                                 ? cfg_getstr (cfg, "network_bridge")
                                 : DEFAULT_BRIDGE);
  out->network_gateway = xstrdup (cfg && cfg_size (cfg, "network_gateway")
                                  ? typed_text (cfg, SEC_SETTINGS,
                                                "network_gateway", 0)
                                  : DEFAULT_GATEWAY);
}

/* root_id_range; unset: the built-in range (Makefile.am), which `make
 * install` reserves in /etc/subuid and /etc/subgid. */
static void
settings_ids (cfg_t *cfg, struct settings *out)
{
  out->root_id_start = ROOT_ID_START;
  out->root_id_count = ROOT_ID_COUNT;
  const union key_typed *ids = cfg ? typed_key (cfg, SEC_SETTINGS,
                                                "root_id_range", 0) : NULL;
  if (ids)
    {
      out->root_id_start = ids->ids.start;
      out->root_id_count = ids->ids.count;
    }
}

static int
load_settings_file (const char *path, struct settings *out,
                    struct diagnostics *diags, struct profile_inputs *inputs)
{
  memset (out, 0, sizeof *out);
  env_profile_path (out, inputs);
  size_t errors_before = diagnostics_count (diags, DIAG_ERROR);
  size_t first_diag = diags->n;
  struct stat st;
  size_t len;
  int open_errno = 0;
  struct diagnostics scratch = { 0 };
  char *text = path ? read_text (path, &scratch, &len, &st, &open_errno) : NULL;
  /* No settings file (cordon works uninstalled): the defaults, without
   * building a parser first. */
  struct loader ld;
  if (path == NULL || (text == NULL && open_errno == ENOENT)
      || !loader_init (&ld, diags, false))
    {
      diagnostics_free (&scratch);
      free (text);
      default_profile_path (out, NULL);
      settings_network (NULL, out);
      settings_ids (NULL, out);
      return 0;
    }
  diagnostics_append (diags, &scratch);
  ld.inputs = inputs;
  if (text)
    {
      profile_inputs_file (inputs, path, text, len, &st);
      push_frame (&ld, path, NULL, &st, true, false);
      parse_top_frame (&ld, text, len);
      pop_frame (&ld);
      free (text);
    }
  bool failed = diagnostics_count (diags, DIAG_ERROR) > errors_before;
  cfg_opt_t *opt = cfg_getopt (ld.cfg, "profile_path");
  if (failed || !(opt->flags & CFGF_MODIFIED))
    default_profile_path (out, inputs);
  else
    for (unsigned i = 0; i < cfg_opt_size (opt); i++)
      {
        const char *dir = cfg_opt_getnstr (opt, i);
        if (!strchr (dir, DROPPED_MARK))
          add_dir (out, dir);
      }
  if (!failed)
    settings_cgroup (ld.cfg, out);
  settings_network (failed ? NULL : ld.cfg, out);
  settings_ids (failed ? NULL : ld.cfg, out);
  sort_load_diagnostics (&ld, first_diag);
  loader_free (&ld);
  return failed ? -1 : 0;
}

int
settings_load (const char *path, struct settings *out,
               struct diagnostics *diags)
{
  return load_settings_file (path, out, diags, NULL);
}

int
settings_load_cached (const char *path, struct settings *out,
                      struct diagnostics *diags)
{
  /* no file, no parse: nothing to keep */
  if (path == NULL || access (path, F_OK) < 0)
    return settings_load (path, out, diags);
  if (settings_cache_lookup (path, out, diags))
    return 1;
  size_t first_diag = diags->n;
  struct profile_inputs inputs = { 0 };
  int r = load_settings_file (path, out, diags, &inputs);
  if (r == 0 && inputs.n > 0)
    {
      struct diagnostics mine = { diags->n ? diags->items + first_diag
                                           : NULL, diags->n - first_diag, 0 };
      settings_cache_store (path, &inputs, out, &mine);
    }
  profile_inputs_free (&inputs);
  return r;
}

void
settings_free (struct settings *s)
{
  if (s == NULL)
    return;
  free_strv (s->profile_path, s->n_profile_path);
  free (s->cgroup_parent);
  s->cgroup_parent = NULL;
  free (s->network_bridge);
  free (s->network_gateway);
  s->network_bridge = s->network_gateway = NULL;
  s->profile_path = NULL;
  s->n_profile_path = 0;
}

/* capabilities.c — the capabilities the command keeps, through libcap-ng.
 *
 * See capabilities.h.  libcap-ng knows the names; the kernel (through
 * libcap-ng's capng_get_caps_process) knows which ones exist. */
#include "config.h"

#include <cap-ng.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "capabilities.h"
#include "util.h"

int
cordon_caps_from_name (const char *name)
{
  if (name == NULL || strncmp (name, "CAP_", 4) != 0 || name[4] == '\0')
    return -1;
  char lower[64];
  size_t n = strlen (name + 4);
  if (n >= sizeof lower)
    return -1;
  for (size_t i = 0; i <= n; i++)
    {
      char c = name[4 + i];
      if (c != '\0' && !(isupper ((unsigned char) c) || isdigit ((unsigned char) c)
                         || c == '_'))
        return -1;
      lower[i] = (char) tolower ((unsigned char) c);
    }
  int cap = capng_name_to_capability (lower);
  return cap >= 0 && cap < 64 ? cap : -1;
}

const char *
cordon_caps_name (unsigned cap, char *buf, size_t size)
{
  const char *name = capng_capability_to_name (cap);
  if (name == NULL)
    snprintf (buf, size, "CAP_%u", cap);
  else
    {
      int n = snprintf (buf, size, "CAP_%s", name);
      for (int i = 4; i < n && (size_t) i < size; i++)
        buf[i] = (char) toupper ((unsigned char) buf[i]);
    }
  return buf;
}

unsigned
cordon_caps_last (void)
{
  /* /proc/sys/kernel/cap_last_cap, as libcap-ng read it; read once */
  static unsigned last;
  if (last != 0)
    return last;
  last = CAP_LAST_CAP;
  FILE *f = fopen ("/proc/sys/kernel/cap_last_cap", "re");
  if (f)
    {
      if (fscanf (f, "%u", &last) != 1 || last == 0 || last > 63)
        last = CAP_LAST_CAP;
      fclose (f);
    }
  return last;
}

static void
add_kept (uint64_t keep, capng_type_t sets)
{
  unsigned last = cordon_caps_last ();
  for (unsigned cap = 0; cap <= last; cap++)
    if (keep & (UINT64_C (1) << cap))
      capng_update (CAPNG_ADD, sets, cap);
}

int
cordon_caps_before_id_change (uint64_t keep, cordon_error_t *err)
{
  /* The bounding set with prctl, not libcap-ng: its only way to lower it,
   * capng_apply (CAPNG_SELECT_BOUNDS), reads the process's capabilities
   * first, and /proc/PID/status with them (rendered by the kernel, at
   * every command's start), only to learn whether CAP_SETPCAP is
   * effective.  PR_CAPBSET_DROP asks for CAP_SETPCAP itself. */
  unsigned last = cordon_caps_last ();
  for (unsigned cap = 0; cap <= last; cap++)
    if (!(keep & (UINT64_C (1) << cap))
        && prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
      {
        /* Without CAP_SETPCAP (a user's jail without a user namespace)
         * the set cannot be lowered: capng_apply left it as it was and
         * said nothing, and so do we.  Asked of libcap-ng only here,
         * where a drop failed. */
        if (errno == EPERM && capng_get_caps_process () == 0
            && !capng_have_capability (CAPNG_EFFECTIVE, CAP_SETPCAP))
          break;
        char name[64];
        return fail_errno (err, "capabilities: lower the bounding set "
                           "(drop %s)", cordon_caps_name (cap, name,
                                                          sizeof name));
      }
  /* libcap-ng's state is pid 1's (the command is vforked): "0" makes its
   * later capset act on the calling process */
  capng_setpid (0);
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return fail_errno (err, "prctl PR_SET_KEEPCAPS");
  return 0;
}

int
cordon_caps_raise_effective (cordon_error_t *err)
{
  if (capng_get_caps_process () < 0)
    return cordon_fail (err, errno, "capabilities: read the process's");
  unsigned last = cordon_caps_last ();
  for (unsigned cap = 0; cap <= last; cap++)
    if (capng_have_capability (CAPNG_PERMITTED, cap))
      capng_update (CAPNG_ADD, CAPNG_EFFECTIVE, cap);
  if (capng_apply (CAPNG_SELECT_CAPS) < 0)
    return cordon_fail (err, errno ? errno : EPERM,
                        "capabilities: raise the effective set");
  return 0;
}

int
cordon_caps_apply (uint64_t keep, cordon_error_t *err)
{
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return fail_errno (err, "prctl PR_SET_KEEPCAPS");
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
    return fail_errno (err, "capabilities: clear the ambient set");
  capng_clear (CAPNG_SELECT_CAPS);
  add_kept (keep, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE);
  if (capng_apply (CAPNG_SELECT_CAPS) < 0)
    return cordon_fail (err, errno ? errno : EPERM,
                        "capabilities: set the kept ones");
  /* Ambient: what a non-root uid keeps across execve(). */
  unsigned last = cordon_caps_last ();
  for (unsigned cap = 0; cap <= last; cap++)
    if ((keep & (UINT64_C (1) << cap))
        && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
      {
        char name[64];
        return fail_errno (err, "capabilities: raise %s in the ambient set",
                           cordon_caps_name (cap, name, sizeof name));
      }
  return 0;
}

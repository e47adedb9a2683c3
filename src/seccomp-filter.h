/* seccomp-filter.h — the jail's system call filter, through libseccomp
 * (src/seccomp.c; not seccomp.h, which would hide libseccomp's <seccomp.h>).
 *
 * Presets and @groups are data tables in seccomp.c.  The profile module uses
 * the name checks; the jail core compiles the filter in the launcher and
 * loads it last, right before exec, in the command process. */
#ifndef CORDON_SECCOMP_FILTER_H
#define CORDON_SECCOMP_FILTER_H

#include <stdbool.h>
#include <linux/filter.h>
#include <stdio.h>

#include "error.h"
#include "spec.h"

/* Does libseccomp know the system call NAME (on any architecture)? */
bool cordon_seccomp_known_syscall (const char *name);

/* Is NAME ("@mount") one of cordon's groups? */
bool cordon_seccomp_known_group (const char *name);

/* The group names, comma-separated, for messages. */
const char *cordon_seccomp_group_names (void);

/* `cordon seccomp groups`: each group and its members, one per line. */
int cordon_seccomp_print_groups (FILE *out);

/* The compiled filters (classic BPF), at most two: built by the launcher
 * (or read from the cache) before the jail starts, loaded by the command
 * right before exec. */
struct cordon_seccomp_bpf
{
  struct sock_filter *prog[2];
  unsigned short len[2];
  int n;
};

/* Compile the filters of SPEC into *OUT (nothing for the preset "none"
 * with no deny and no rule); a value of SPEC out of range is an error.
 * libseccomp takes tens of milliseconds for the default allowlist, so the
 * result is cached in a directory only the caller can write (cache.h,
 * cordon(1)): an entry holds the exact input it was built from (the spec
 * in a canonical form, cordon's and libseccomp's builds) and is used only
 * when that input is equal byte for byte and its programs are ones the
 * kernel takes; else it is rebuilt and replaced.  The filters cover the
 * native ABI, and the CPU's 32-bit one (i386 on x86_64) with `compat`;
 * they refuse the calls of any other ABI whole. */
int cordon_seccomp_compile (const struct seccomp_spec *spec,
                            struct cordon_seccomp_bpf *out,
                            cordon_error_t *err);

/* Load the compiled filters into the calling thread. */
int cordon_seccomp_load (const struct cordon_seccomp_bpf *bpf,
                         cordon_error_t *err);

void cordon_seccomp_bpf_free (struct cordon_seccomp_bpf *bpf);

#endif

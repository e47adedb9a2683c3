/* test-seccomp-cache.c — the compiled seccomp filter cache (src/seccomp.c):
 * an entry is used only for the exact input it was made from (the spec,
 * cordon's build, libseccomp's) and only when it holds programs the kernel
 * takes; anything else is rebuilt and replaced.  Crafted entries are
 * written with cache_file_write, so they pass the file's checksum and
 * reach the entry's own checks.  Entry layout (seccomp.c): the magic, the
 * input's length (32 bits) and the input, the number of filters (8 bits),
 * then per filter its length (16 bits) and its instructions. */
#include "config.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cache.h"
#include "profile-test-helpers.h"
#include "seccomp-filter.h"

#define MAGIC_LEN (sizeof "cordon-seccomp-bpf-4\n" - 1)

static char cache_root[] = "/tmp/cordon-seccomp-test.XXXXXX";
static char seccomp_dir[PATH_MAX];

/* ---- helpers ---- */

static int
compile (const struct seccomp_spec *spec, struct cordon_seccomp_bpf *out)
{
  cordon_error_t err = NULL;
  int r = cordon_seccomp_compile (spec, out, &err);
  cordon_error_free (&err);
  return r;
}

/* SPEC's filters built without the cache. */
static void
uncached (const struct seccomp_spec *spec, struct cordon_seccomp_bpf *out)
{
  setenv ("CORDON_CACHE_DIR", "", 1);
  if (compile (spec, out) < 0)
    tap_ok (0, "compile without the cache");
  setenv ("CORDON_CACHE_DIR", cache_root, 1);
}

static bool
same_bpf (const struct cordon_seccomp_bpf *a,
          const struct cordon_seccomp_bpf *b)
{
  if (a->n != b->n)
    return false;
  for (int i = 0; i < a->n; i++)
    if (a->len[i] != b->len[i]
        || memcmp (a->prog[i], b->prog[i],
                   a->len[i] * sizeof *a->prog[i]) != 0)
      return false;
  return true;
}

/* Empty the cache directory. */
static void
clear_cache (void)
{
  DIR *d = opendir (seccomp_dir);
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    if (de->d_name[0] != '.')
      unlinkat (dirfd (d), de->d_name, 0);
  if (d)
    closedir (d);
}

static int
count_entries (void)
{
  int n = 0;
  DIR *d = opendir (seccomp_dir);
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    n += de->d_name[0] != '.';
  if (d)
    closedir (d);
  return n;
}

/* The only entry of the cache: its name and content (to free). */
static bool
the_entry (char *name, size_t size, unsigned char **buf, size_t *len)
{
  DIR *d = opendir (seccomp_dir);
  struct dirent *de;
  int n = 0;
  while (d && (de = readdir (d)) != NULL)
    if (de->d_name[0] != '.')
      {
        snprintf (name, size, "%s", de->d_name);
        n++;
      }
  if (d)
    closedir (d);
  int dirfd = cache_dir_open ("seccomp", false);
  bool ok = n == 1 && dirfd >= 0
            && cache_file_read (dirfd, name, 1 << 20, buf, len);
  close_fd (&dirfd);
  return ok;
}

static void
put_entry (const char *name, const void *buf, size_t len)
{
  int dirfd = cache_dir_open ("seccomp", true);
  if (dirfd < 0)
    tap_ok (0, "open the cache directory");
  cache_file_write (dirfd, name, buf, len);
  close_fd (&dirfd);
}

/* An entry made of the parts given: the magic, INPUT (LEN bytes), COUNT,
 * then the programs of BPF. */
static void
build_entry (struct strbuf *o, const unsigned char *input, uint32_t len,
             unsigned count, const struct cordon_seccomp_bpf *bpf)
{
  sb_putn (o, "cordon-seccomp-bpf-4\n", MAGIC_LEN);
  sb_putn (o, (const char *) &len, sizeof len);
  sb_putn (o, (const char *) input, len);
  sb_putc (o, (char) count);
  for (int i = 0; i < bpf->n; i++)
    {
      uint16_t n = bpf->len[i];
      sb_putn (o, (const char *) &n, sizeof n);
      sb_putn (o, (const char *) bpf->prog[i], n * sizeof *bpf->prog[i]);
    }
}

/* The kernel's verdict on PROG as a seccomp filter, in a child. */
static bool
kernel_takes (const struct sock_filter *prog, unsigned short len)
{
  pid_t pid = fork ();
  if (pid == 0)
    {
      struct sock_fprog fp = { len, (struct sock_filter *) prog };
      prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      long r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp);
      _exit (r == 0 ? 0 : errno == EINVAL ? 1 : 2);
    }
  int status = 0;
  waitpid (pid, &status, 0);
  /* a filter that refuses exit_group kills the child: it was taken */
  return !(WIFEXITED (status) && WEXITSTATUS (status) != 0);
}

/* ---- the test ---- */

static struct seccomp_spec *spec;        /* the built-in default's */
static struct cordon_seccomp_bpf good;   /* its filters, built uncached */
static char good_name[256];
static unsigned char *good_entry;
static size_t good_len, input_at;
static uint32_t input_len;

/* Put the entry BUF (LEN bytes) under the default's name; does a compile
 * of the default then give the right filters, and leave the right entry? */
static bool
rejected_and_replaced (const void *buf, size_t len)
{
  clear_cache ();
  put_entry (good_name, buf, len);
  struct cordon_seccomp_bpf got;
  char name[256];
  unsigned char *after = NULL;
  size_t after_len = 0;
  bool ok = compile (spec, &got) == 0 && same_bpf (&got, &good)
            && the_entry (name, sizeof name, &after, &after_len)
            && strcmp (name, good_name) == 0 && after_len == good_len
            && memcmp (after, good_entry, good_len) == 0;
  cordon_seccomp_bpf_free (&got);
  free (after);
  return ok;
}

/* The default's entry with its filters replaced by BPF: is it used? */
static bool
used_with (const struct cordon_seccomp_bpf *bpf)
{
  struct strbuf o = { 0 };
  build_entry (&o, good_entry + input_at, input_len, (unsigned) bpf->n, bpf);
  clear_cache ();
  put_entry (good_name, o.s, o.n);
  free (o.s);
  struct cordon_seccomp_bpf got;
  bool used = compile (spec, &got) == 0 && same_bpf (&got, bpf);
  cordon_seccomp_bpf_free (&got);
  return used;
}

static void
first_entry (void)
{
  struct cordon_seccomp_bpf got;
  clear_cache ();
  tap_ok (compile (spec, &got) == 0 && same_bpf (&got, &good),
          "a first compile gives the filters");
  cordon_seccomp_bpf_free (&got);
  tap_ok (the_entry (good_name, sizeof good_name, &good_entry, &good_len)
          && good_len > MAGIC_LEN + 4, "... and keeps them in one entry");
  memcpy (&input_len, good_entry + MAGIC_LEN, sizeof input_len);
  input_at = MAGIC_LEN + 4;
  tap_ok (input_at + input_len < good_len && good_entry[input_at] > 0,
          "... which holds its input, cordon's build id first");
  tap_ok (compile (spec, &got) == 0 && same_bpf (&got, &good),
          "the next compile gives the same filters");
  cordon_seccomp_bpf_free (&got);
}

static struct sock_filter ret_allow[] = {
  BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

/* The filters of another spec: the first one allows everything. */
static void
weak_bpf (struct cordon_seccomp_bpf *weak)
{
  *weak = good;
  weak->prog[0] = ret_allow;
  weak->len[0] = 1;
}

static void
forged_entries (void)
{
  struct cordon_seccomp_bpf weak;
  weak_bpf (&weak);
  tap_ok (used_with (&weak), "an entry with the input of the spec is "
          "used as it stands (the control for what follows)");
  /* every byte of the stored input: cordon's build id, libseccomp's
   * version and build id, the ABI, the spec */
  size_t used = 0;
  for (uint32_t at = 0; at < input_len; at++)
    {
      struct strbuf o = { 0 };
      unsigned char *input = malloc (input_len);
      memcpy (input, good_entry + input_at, input_len);
      input[at] ^= 0x80;
      build_entry (&o, input, input_len, (unsigned) weak.n, &weak);
      used += !rejected_and_replaced (o.s, o.n);
      free (input);
      free (o.s);
    }
  tap_ok (used == 0, "an entry whose stored input differs in any of its %u "
          "bytes is not used, and is replaced", (unsigned) input_len);
  struct strbuf o = { 0 };
  unsigned char *input = malloc (input_len + 1);
  memcpy (input, good_entry + input_at, input_len);
  input[input_len] = 0;
  build_entry (&o, input, input_len + 1, (unsigned) weak.n, &weak);
  tap_ok (rejected_and_replaced (o.s, o.n),
          "... nor one whose input is longer");
  free (o.s);
  o = (struct strbuf) { 0 };
  build_entry (&o, input, input_len - 1, (unsigned) weak.n, &weak);
  tap_ok (rejected_and_replaced (o.s, o.n),
          "... nor one whose input is shorter");
  free (o.s);
  o = (struct strbuf) { 0 };
  input[1] ^= 1;
  build_entry (&o, input, input_len, (unsigned) weak.n, &weak);
  tap_ok (rejected_and_replaced (o.s, o.n),
          "... an entry of another build of cordon is not used");
  free (o.s);
  free (input);
}

static void
damaged_entries (void)
{
  /* counts and lengths out of range */
  const unsigned counts[] = { 0, (unsigned) good.n + 1,
                              (unsigned) good.n + 2, 255 };
  for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
    {
      struct strbuf o = { 0 };
      build_entry (&o, good_entry + input_at, input_len, counts[i], &good);
      tap_ok (rejected_and_replaced (o.s, o.n),
              "an entry that says %u filters is not used, and is replaced",
              counts[i]);
      free (o.s);
    }
  size_t len_at = input_at + input_len + 1;
  static const uint16_t lens[] = { 0, BPF_MAXINSNS + 1, 0xffff };
  for (size_t i = 0; i < sizeof lens / sizeof *lens; i++)
    {
      unsigned char *e = malloc (good_len);
      memcpy (e, good_entry, good_len);
      memcpy (e + len_at, &lens[i], sizeof lens[i]);
      tap_ok (rejected_and_replaced (e, good_len),
              "a filter length of %u is not used, and is replaced",
              (unsigned) lens[i]);
      free (e);
    }
  /* cut anywhere, or with a byte more */
  size_t cuts[] = { 0, MAGIC_LEN / 2, input_at + 2, input_at + input_len / 2,
                    len_at - 1, len_at + 1, len_at + 2 + 3, good_len - 1 };
  size_t kept = 0;
  for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++)
    kept += !rejected_and_replaced (good_entry, cuts[i]);
  unsigned char *longer = malloc (good_len + 1);
  memcpy (longer, good_entry, good_len);
  longer[good_len] = 0;
  kept += !rejected_and_replaced (longer, good_len + 1);
  free (longer);
  tap_ok (kept == 0, "entries cut short (or with a byte more) are not "
          "used, and are replaced");
  /* the file's own checksum: a byte of the stored file changed */
  clear_cache ();
  put_entry (good_name, good_entry, good_len);
  char path[PATH_MAX + 300];
  snprintf (path, sizeof path, "%s/%s", seccomp_dir, good_name);
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  unsigned char junk = good_entry[good_len - 5] ^ 0x10;
  bool wrote = fd >= 0 && pwrite (fd, &junk, 1, (off_t) good_len - 5) == 1;
  if (fd >= 0)
    close (fd);
  struct cordon_seccomp_bpf got;
  tap_ok (wrote && compile (spec, &got) == 0 && same_bpf (&got, &good),
          "a bit flipped in an instruction of the file: rebuilt");
  cordon_seccomp_bpf_free (&got);
}

/* Programs the kernel takes or refuses; the cache must agree. */
struct program
{
  const char *what;
  struct sock_filter insns[6];
  unsigned short len;
};

#define RET_ALLOW BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
static const struct program programs[] = {
  { "return allow", { RET_ALLOW }, 1 },
  { "load the call number, compare, return",
    { BPF_STMT (BPF_LD | BPF_W | BPF_ABS, 0),
      BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1), RET_ALLOW, RET_ALLOW },
    4 },
  { "a scratch word stored, then loaded",
    { BPF_STMT (BPF_LD | BPF_IMM, SECCOMP_RET_ALLOW),
      BPF_STMT (BPF_ST, 3), BPF_STMT (BPF_LD | BPF_IMM, 0),
      BPF_STMT (BPF_LD | BPF_MEM, 3), BPF_STMT (BPF_RET | BPF_A, 0) }, 5 },
  { "a jump forward in range",
    { BPF_STMT (BPF_JMP | BPF_JA, 1), RET_ALLOW, RET_ALLOW }, 3 },
  { "a load beyond seccomp_data",
    { BPF_STMT (BPF_LD | BPF_W | BPF_ABS, 64), RET_ALLOW }, 2 },
  { "an unaligned load",
    { BPF_STMT (BPF_LD | BPF_W | BPF_ABS, 2), RET_ALLOW }, 2 },
  { "a byte load", { BPF_STMT (BPF_LD | BPF_B | BPF_ABS, 0), RET_ALLOW }, 2 },
  { "a conditional jump out of the program",
    { BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 0), RET_ALLOW }, 2 },
  { "a jump out of the program",
    { BPF_STMT (BPF_JMP | BPF_JA, 1), RET_ALLOW }, 2 },
  { "no return at the end", { BPF_STMT (BPF_LD | BPF_IMM, 0) }, 1 },
  { "an unknown instruction", { { 0xffff, 0, 0, 0 }, RET_ALLOW }, 2 },
  { "a division by zero",
    { BPF_STMT (BPF_ALU | BPF_DIV | BPF_K, 0), RET_ALLOW }, 2 },
  { "a shift by 32", { BPF_STMT (BPF_ALU | BPF_LSH | BPF_K, 32), RET_ALLOW },
    2 },
  { "a modulo (not for seccomp)",
    { BPF_STMT (BPF_ALU | BPF_MOD | BPF_K, 3), RET_ALLOW }, 2 },
  { "a scratch word loaded before it is stored",
    { BPF_STMT (BPF_LD | BPF_MEM, 3), RET_ALLOW }, 2 },
  { "a scratch word out of range", { BPF_STMT (BPF_ST, 16), RET_ALLOW }, 2 },
};

static void
programs_as_the_kernel (void)
{
  for (size_t i = 0; i < sizeof programs / sizeof *programs; i++)
    {
      const struct program *p = &programs[i];
      struct cordon_seccomp_bpf bpf = good;
      bpf.prog[0] = (struct sock_filter *) p->insns;
      bpf.len[0] = p->len;
      bool kernel = kernel_takes (p->insns, p->len);
      bool cache = used_with (&bpf);
      tap_ok (kernel == cache, "%s: the kernel %s it, the cache %s it",
              p->what, kernel ? "takes" : "refuses",
              cache ? "uses" : "rebuilds");
    }
  /* what libseccomp made: the kernel takes each */
  bool all = true;
  for (int i = 0; i < good.n; i++)
    all = all && kernel_takes (good.prog[i], good.len[i]);
  tap_ok (all, "the kernel takes the filters libseccomp made");
}

/* ---- the spec ---- */

static void
out_of_range_specs (void)
{
  struct seccomp_rule rule = { .syscall = (char *) "personality" };
  rule.args[0] = (struct seccomp_arg_cmp) { true, SECCOMP_CMP_EQ, 1, 0 };
  struct seccomp_spec s = *spec;
  struct cordon_seccomp_bpf got;
  s.preset = (enum seccomp_preset) 255;
  tap_ok (compile (&s, &got) < 0, "a preset out of range is an error");
  s = *spec;
  s.action = (enum seccomp_action) 255;
  tap_ok (compile (&s, &got) < 0, "an action out of range is an error");
  s = *spec;
  s.rules = &rule;
  s.n_rules = 1;
  rule.args[0].op = (enum seccomp_cmp) 255;
  tap_ok (compile (&s, &got) < 0,
          "a comparison out of range is an error");
  rule.args[0].op = SECCOMP_CMP_EQ;
  rule.action = (enum seccomp_action) 255;
  tap_ok (compile (&s, &got) < 0, "a rule's action out of range is an error");
}

/* Specs that differ only where the build does not read share an entry;
 * any difference the build reads makes another. */
static void
canonical_input (void)
{
  struct seccomp_rule rule = { .syscall = (char *) "personality" };
  struct seccomp_spec s = *spec;
  s.rules = &rule;
  s.n_rules = 1;
  struct cordon_seccomp_bpf a, b;
  clear_cache ();
  rule.args[0] = (struct seccomp_arg_cmp) { true, SECCOMP_CMP_EQ, 7, 0 };
  compile (&s, &a);
  rule.args[0].mask = 0x1234;     /* not read: EQ compares no mask */
  rule.args[1] = (struct seccomp_arg_cmp) { false, SECCOMP_CMP_MASKED_EQ,
                                            99, 0xff };   /* not set */
  compile (&s, &b);
  tap_ok (count_entries () == 1 && same_bpf (&a, &b),
          "a mask of == and an unset comparison are not part of the input");
  cordon_seccomp_bpf_free (&a);
  cordon_seccomp_bpf_free (&b);
  rule.args[0] = (struct seccomp_arg_cmp) { true, SECCOMP_CMP_MASKED_EQ, 0,
                                            0xff };
  compile (&s, &a);
  rule.args[0].mask = 0xf0;
  compile (&s, &b);
  tap_ok (count_entries () == 3 && !same_bpf (&a, &b),
          "the mask of a masked comparison is, and gives its own filters");
  cordon_seccomp_bpf_free (&a);
  cordon_seccomp_bpf_free (&b);
  char *allow[] = { (char *) "ab", (char *) "c" };
  char *allow2[] = { (char *) "a", (char *) "bc" };
  s = *spec;
  s.allow = allow;
  s.n_allow = 2;
  clear_cache ();
  compile (&s, &a);
  s.allow = allow2;
  compile (&s, &b);
  tap_ok (count_entries () == 2, "names are kept apart in the input");
  cordon_seccomp_bpf_free (&a);
  cordon_seccomp_bpf_free (&b);
}

int
main (void)
{
  if (mkdtemp (cache_root) == NULL)
    {
      printf ("Bail out! mkdtemp: %s\n", strerror (errno));
      return 1;
    }
  setenv ("CORDON_CACHE_DIR", cache_root, 1);
  snprintf (seccomp_dir, sizeof seccomp_dir, "%s/seccomp", cache_root);
  struct profile_request req = { .path = NULL };
  char *text;
  struct jail_spec *js = load_request (&req, &text);
  free (text);
  if (js == NULL)
    {
      printf ("Bail out! the built-in default does not load\n");
      return 1;
    }
  spec = &js->seccomp;
  uncached (spec, &good);

  first_entry ();
  if (good_entry != NULL)
    {
      forged_entries ();
      damaged_entries ();
      programs_as_the_kernel ();
    }
  out_of_range_specs ();
  canonical_input ();

  free (good_entry);
  cordon_seccomp_bpf_free (&good);
  jail_spec_free (js);
  char cmd[512];
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", cache_root);
  if (system (cmd) != 0)
    tap_ok (0, "clean up %s", cmd);
  return tap_done ();
}

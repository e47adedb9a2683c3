#!/usr/bin/env python3
"""stats.py — the benchmark's arithmetic and Markdown tables (bench.sh).

  stats.py startup DIR NAME...        median, mean, p95 and the ratio to bwrap
  stats.py blocked DIR NAME...        back-to-back blocks: median, p90, ratios
                                      to bwrap's; first runs by predecessor
  stats.py growth DIR K...            medians per bind count, per-bind cost fit
  stats.py throughput DIR P...        jails/s per tool and parallelism
  stats.py rss DIR NAME...            launcher peak RSS
  stats.py leaks DIR FDS JAILFDS MSG  before/after snapshot, RSS drift
  stats.py oci HOSTID yes|no ALLOWED [BINDS]  an OCI config.json for crun
"""
import json
import os
import statistics
import sys


def samples(path):
    try:
        with open(path) as f:
            return [float(x) for x in f if x.strip()]
    except FileNotFoundError:
        return None


def p95(xs):
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def p90(xs):
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(0.90 * (len(s) - 1))))]


# The targets of issue 20, judged on the blocked back-to-back design:
# (row, reference row, statistic, at most).
BLOCKED_TARGETS = (
    ("cordon", "bwrap", "median", 0.65),
    ("cordon", "bwrap", "p90", 0.75),
    ("cordon+sec", "bwrap", "median", 0.75),
    ("cordon+sec+cg", "bwrap", "median", 0.85),
    ("cordon", "unshare", "median", 1.30),
)


def blocked(d, names):
    """launch -b: DIR/NAME holds the runs after the first of each block,
    DIR/NAME.first the first ones, DIR/transitions 'PREV NAME US'."""
    stat = {"median": statistics.median, "p90": p90}
    runs = {n: samples(os.path.join(d, n)) for n in names}
    base = runs.get("bwrap")
    print("| tool | median ms | p90 ms | median × bwrap | p90 × bwrap's p90 "
          "| first of block, median ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for n in names:
        xs, first = runs[n], samples(os.path.join(d, n + ".first"))
        if not xs:
            print(f"| {n} | n/a | n/a | n/a | n/a | n/a |")
            continue
        med, tail = statistics.median(xs), p90(xs)
        rm = f"{med / statistics.median(base):.2f}" if base else "—"
        rt = f"{tail / p90(base):.2f}" if base else "—"
        fm = f"{statistics.median(first) / 1000:.2f}" if first else "n/a"
        print(f"| {n} | {med / 1000:.2f} | {tail / 1000:.2f} | {rm} | {rt} | {fm} |")
    verdicts = []
    for row, ref, what, target in BLOCKED_TARGETS:
        if row not in names or ref not in names:
            continue
        if not runs[row] or not runs[ref]:
            verdicts.append(f"- {row}: n/a (target {what} ≤ {target:.2f}× {ref}'s)")
            continue
        r = stat[what](runs[row]) / stat[what](runs[ref])
        verdicts.append(f"- {row}: {what} {r:.3f}× {ref}'s — target ≤ {target:.2f}×: "
                        + ("**met**" if r <= target else "**behind**"))
    if verdicts:
        print()
        print("\n".join(verdicts))
    transitions(d, names)


def transitions(d, names):
    """The first run of each block, by the tool that ran just before it:
    what one tool leaves the kernel to finish lands on the next."""
    after = {}
    try:
        with open(os.path.join(d, "transitions")) as f:
            for line in f:
                prev, name, us = line.split()
                after.setdefault(name, {}).setdefault(prev, []).append(float(us))
    except FileNotFoundError:
        return
    prevs = [p for p in names if any(p in after.get(n, {}) for n in names)]
    if not prevs:
        return
    print()
    print("First run of a block (ms, median; runs in brackets) by the tool "
          "that ran just before it; the diagonal is a block that followed "
          "one of its own tool's:")
    print()
    print("| tool \\ after | " + " | ".join(prevs) + " |")
    print("|---|" + "---:|" * len(prevs))
    for n in names:
        row = after.get(n)
        if not row:
            continue
        cells = [f"{statistics.median(row[p]) / 1000:.2f} ({len(row[p])})"
                 if p in row else "—" for p in prevs]
        print(f"| {n} | " + " | ".join(cells) + " |")


def startup(d, names):
    base = samples(os.path.join(d, "bwrap"))
    base_med = statistics.median(base) if base else None
    print("| tool | median ms | mean ms | p95 ms | median × bwrap |")
    print("|---|---:|---:|---:|---:|")
    for n in names:
        xs = samples(os.path.join(d, n))
        if not xs:
            print(f"| {n} | n/a | n/a | n/a | n/a |")
            continue
        med = statistics.median(xs)
        ratio = f"{med / base_med:.2f}" if base_med else "—"
        print(f"| {n} | {med / 1000:.2f} | {statistics.mean(xs) / 1000:.2f} "
              f"| {p95(xs) / 1000:.2f} | {ratio} |")
    if not base_med:
        return
    print()
    for n, target in (("cordon", 0.70), ("cordon+sec", 0.85), ("cordon+sec+cg", 0.85)):
        if n not in names:
            continue
        xs = samples(os.path.join(d, n))
        if not xs:
            print(f"- {n}: n/a (target ≤ {target:.2f}× bwrap)")
            continue
        r = statistics.median(xs) / base_med
        print(f"- {n}: {r:.3f}× bwrap's median — target ≤ {target:.2f}×: "
              + ("**met**" if r <= target else "**behind**"))
    xs = samples(os.path.join(d, "cordon-cold"))
    if "cordon-cold" in names and xs:
        print(f"- cordon-cold: {statistics.median(xs) / base_med:.3f}× "
              "bwrap's median: the bare jail without caches "
              "(CORDON_CACHE_DIR=), its profile parsed at every start")


def fit(ks, ys):
    """Least-squares slope and intercept."""
    mk, my = statistics.mean(ks), statistics.mean(ys)
    sxx = sum((k - mk) ** 2 for k in ks)
    slope = sum((k - mk) * (y - my) for k, y in zip(ks, ys)) / sxx
    return slope, my - slope * mk


def growth(d, ks):
    ks = [int(k) for k in ks]
    print("| tool | " + " | ".join(f"{k} binds ms" for k in ks)
          + " | µs/bind (fit 0–256) | µs/bind 256→1000 |")
    print("|---|" + "---:|" * (len(ks) + 2))
    slopes = {}
    for tool in ("cordon", "bwrap", "crun"):
        meds = {}
        for k in ks:
            xs = samples(os.path.join(d, f"{tool}-{k}"))
            if xs:
                meds[k] = statistics.median(xs)
        cells = [f"{meds[k] / 1000:.2f}" if k in meds else "n/a" for k in ks]
        small = [k for k in ks if k <= 256 and k in meds]
        slope = fit(small, [meds[k] for k in small])[0] if len(small) >= 2 else None
        tail = ((meds[1000] - meds[256]) / 744
                if 1000 in meds and 256 in meds else None)
        if not meds:
            continue
        print(f"| {tool} | " + " | ".join(cells)
              + (f" | {slope:.1f} |" if slope is not None else " | n/a |")
              + (f" {tail:.1f} |" if tail is not None else " n/a |"))
        slopes[tool] = (slope, tail)
    c, cr = slopes.get("cordon"), slopes.get("crun")
    if c and cr and c[0] and cr[0]:
        print()
        print(f"- cordon per bind: {c[0]:.1f} µs here, {c[0] / cr[0]:.2f}× crun's "
              f"(the target, ≤ 10 µs where crun takes 14 µs, is ≤ 0.71× crun): "
              + ("**met**" if c[0] / cr[0] <= 0.71 else "**behind**"))
        if c[1]:
            print(f"- linearity: 256→1000 costs {c[1] / c[0]:.2f}× the 0–256 slope "
                  "per bind (1.00 = linear)")


def throughput(d, ps):
    rates = {}
    for p in ps:
        try:
            with open(os.path.join(d, f"tp-{p}")) as f:
                for line in f:
                    name, rate = line.split()
                    rates.setdefault(name, {}).setdefault(p, []).append(float(rate))
        except FileNotFoundError:
            pass
    print("| tool | " + " | ".join(f"{p} in parallel" for p in ps) + " |")
    print("|---|" + "---:|" * len(ps))
    base = rates.get("bwrap", {})
    for name in ("unshare", "bwrap", "crun", "cordon"):
        cells = []
        for p in ps:
            xs = rates.get(name, {}).get(p)
            if not xs:
                cells.append("n/a")
                continue
            m = statistics.median(xs)
            b = statistics.median(base[p]) if base.get(p) else None
            cells.append(f"{m:.0f}/s" + (f" ({m / b:.2f}×)" if b else ""))
        print(f"| {name} | " + " | ".join(cells) + " |")


def rss(d, names):
    target = None
    print("| launcher | peak RSS MB (median) | min–max MB |")
    print("|---|---:|---:|")
    for n in names:
        xs = samples(os.path.join(d, f"rss-{n}"))
        if not xs:
            print(f"| {n} | n/a | n/a |")
            continue
        print(f"| {n} | {statistics.median(xs) / 1024:.2f} "
              f"| {min(xs) / 1024:.2f}–{max(xs) / 1024:.2f} |")
        if n == "cordon":
            m = statistics.median(xs) / 1024
            target = f"- cordon: {m:.2f} MB — target ≤ 1.9 MB: " + ("**met**" if m <= 1.9 else "**behind**")
    if target:
        print()
        print(target)


def snapshot(path):
    out = {}
    with open(path) as f:
        for line in f:
            key, *vals = line.split()
            out[key] = " ".join(vals)
    return out


def leaks(d, launcher_fds, jail_fds, fail_msg):
    before = snapshot(os.path.join(d, "leaks-before"))
    after = snapshot(os.path.join(d, "leaks-after"))
    print("| what (host side) | before | after | |")
    print("|---|---:|---:|---|")
    for key in before:
        verdict = "ok" if before[key] == after.get(key) else "**CHANGED**"
        print(f"| {key} | {before[key]} | {after.get(key)} | {verdict} |")
    xs = samples(os.path.join(d, "leak-rss-before")) or []
    ys = samples(os.path.join(d, "leak-rss-after")) or []
    if xs and ys:
        first = statistics.median(xs)
        last = statistics.median(ys)
        # Each run is a new process: what could grow is state kept between
        # runs.  The static binary's text counts in the RSS as far as the
        # kernel maps it around faults from the page cache, which moves the
        # median of identical runs by up to ~160 KiB from one minute to the
        # next; more than 256 KiB is growth.
        verdict = "ok" if last <= first + 256 else "**GREW**"
        print(f"| launcher peak RSS, {len(xs)} runs on their own before → "
              f"{len(ys)} after (median KiB) | {first:.0f} | {last:.0f} | {verdict} |")
    good = samples(os.path.join(d, "good-runs")) or []
    fails = samples(os.path.join(d, "setup-fails")) or []
    print()
    print(f"- good runs: {len(good)}; set-up failures ran: {len(fails)}; message: `{fail_msg}`")
    print(f"- launcher's fds while a jail runs: `{launcher_fds.strip()}`")
    print(f"- fds the jailed command starts with (`/proc/self/fd` of sh): `{jail_fds.strip()}`")


def oci(host_id, hardened, allowed_path, binds="0"):
    host_id = int(host_id)
    cfg = {
        "ociVersion": "1.0.0",
        "process": {
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": ["/bin/true"],
            "env": ["PATH=/usr/bin:/bin"],
            "cwd": "/",
        },
        "root": {"path": "rootfs", "readonly": True},
        "hostname": "bench",
        "mounts": [
            {"destination": "/usr", "type": "bind", "source": "/usr",
             "options": ["rbind", "ro", "nosuid", "nodev"]},
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "mode=755"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666",
                         "mode=0620"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777"]},
            {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "nodev", "mode=1777"]},
        ],
        "linux": {
            "uidMappings": [{"containerID": 0, "hostID": host_id, "size": 1}],
            "gidMappings": [{"containerID": 0, "hostID": host_id, "size": 1}],
            "namespaces": [{"type": t} for t in
                           ("user", "mount", "pid", "ipc", "uts", "network")],
        },
    }
    for i in range(int(binds)):
        cfg["mounts"].append({"destination": f"/b/{i}", "type": "bind",
                              "source": "/usr/share",
                              "options": ["rbind", "ro", "nosuid", "nodev"]})
    if hardened == "yes":
        with open(allowed_path) as f:
            names = [x.strip() for x in f if x.strip()]
        cfg["process"]["noNewPrivileges"] = True
        cfg["process"]["capabilities"] = {k: [] for k in (
            "bounding", "effective", "permitted", "inheritable", "ambient")}
        cfg["linux"]["seccomp"] = {
            "defaultAction": "SCMP_ACT_ERRNO",
            "syscalls": [{"names": names, "action": "SCMP_ACT_ALLOW"}],
        }
    json.dump(cfg, sys.stdout, indent=1)
    print()


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "startup":
        startup(args[0], args[1:])
    elif mode == "blocked":
        blocked(args[0], args[1:])
    elif mode == "growth":
        growth(args[0], args[1:])
    elif mode == "throughput":
        throughput(args[0], args[1:])
    elif mode == "rss":
        rss(args[0], args[1:])
    elif mode == "leaks":
        leaks(*args)
    elif mode == "oci":
        oci(*args)
    else:
        sys.exit(f"stats.py: unknown mode {mode}")


if __name__ == "__main__":
    main()

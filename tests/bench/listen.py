#!/usr/bin/python3
"""listen.py — the listen section of `make bench` (bench.sh runs it in a
network namespace of its own, as root).

Serves one jail per TCP connection three ways, one server at a time on the
same loopback port: cordon serve (the bench's bare jail with a listen
section), socat TCP-LISTEN,fork EXEC:'bwrap <the same jail> /bin/cat' (what
a user would assemble today), and socat ... EXEC:/bin/cat unjailed (the
floor).  Each connection sends one line and shuts down its side; the
command writes it back and exits.  Measured with 1, 8 and 32 connections
in flight: connections per second, and the time from connect() to the
first byte of the reply (p50, p99).  Rounds interleave the servers, so
load from other processes hits all alike; the table gives the medians of
the rounds and the ratios to socat+bwrap.

usage: listen.py CORDON PROFILE BWRAP-ARGS N ROUNDS
"""
import socket
import statistics
import subprocess
import sys
import threading
import time

PORT = 8099


def wait_port(proc):
    for _ in range(600):
        if proc.poll() is not None:
            sys.exit("bench listen: a server exited: %s" % proc.args)
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("bench listen: no server on the port: %s" % proc.args)


def one(lat, errors):
    t0 = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", PORT), timeout=60)
        s.sendall(b"x\n")
        s.shutdown(socket.SHUT_WR)
        first = s.recv(1)
        t1 = time.monotonic()
        rest = first
        while True:
            d = s.recv(4096)
            if not d:
                break
            rest += d
        s.close()
        if rest != b"x\n":
            errors.append(rest)
            return
        lat.append(t1 - t0)
    except OSError as e:
        errors.append(str(e))


def load(n, inflight):
    lat, errors, lock = [], [], threading.Lock()
    left = [n]

    def worker():
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            one(lat, errors)

    t0 = time.monotonic()
    ts = [threading.Thread(target=worker) for _ in range(inflight)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.monotonic() - t0
    return len(lat) / elapsed, lat, errors


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p / 100 * len(v)))]


def main():
    cordon, profile, bwrap, n, rounds = sys.argv[1:6]
    n, rounds = int(n), int(rounds)
    listen = "TCP-LISTEN:%d,bind=127.0.0.1,fork,reuseaddr,backlog=128" % PORT
    servers = [
        ("cordon serve", [cordon, "-q", "serve", profile, "--", "/bin/cat"]),
        # socat's default half-close timeout (0.5 s) cuts a jail slower
        # than that short: those connections are counted as lost
        ("socat+bwrap", ["socat", listen,
                         "EXEC:%s /bin/cat" % bwrap.replace(":", "\\:")]),
        ("socat+cat", ["socat", listen, "EXEC:/bin/cat"]),
    ]
    res = {}   # (name, inflight) -> list of (cps, p50, p99) per round
    errs = {}
    for r in range(rounds):
        for inflight in (1, 8, 32):
            order = servers[r % 3:] + servers[:r % 3]
            for name, argv in order:
                p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL)
                wait_port(p)
                load(max(2, inflight), inflight)     # warm-up
                cps, lat, e = load(n, inflight)
                p.terminate()
                p.wait()
                errs[name] = errs.get(name, 0) + len(e)
                if lat:
                    res.setdefault((name, inflight), []).append(
                        (cps, pct(lat, 50) * 1e3, pct(lat, 99) * 1e3))
    print("| server | in flight | conn/s | p50 ms | p99 ms | conn/s vs socat+bwrap | p99 vs socat+bwrap |")
    print("|---|---|---|---|---|---|---|")
    for inflight in (1, 8, 32):
        base = res.get(("socat+bwrap", inflight))
        bc = statistics.median(x[0] for x in base) if base else None
        b99 = statistics.median(x[2] for x in base) if base else None
        for name, _ in servers:
            v = res.get((name, inflight))
            if not v:
                print("| %s | %d | n/a | | | | |" % (name, inflight))
                continue
            c = statistics.median(x[0] for x in v)
            p50 = statistics.median(x[1] for x in v)
            p99 = statistics.median(x[2] for x in v)
            print("| %s | %d | %.1f | %.1f | %.1f | %s | %s |" % (
                name, inflight, c, p50, p99,
                "%.2f×" % (c / bc) if bc else "n/a",
                "%.2f×" % (p99 / b99) if b99 else "n/a"))
    bad = {k: v for k, v in errs.items() if v}
    if bad:
        print()
        print("Connections without the reply (not counted): %s" % ", ".join(
            "%s %d" % kv for kv in sorted(bad.items())))


main()

#!/usr/bin/python3
"""listen.py — the listen section of `make bench` (bench.sh runs it in a
network namespace of its own, as root).

Serves one jail per TCP connection three ways, one server at a time on the
same loopback port: cordon serve (the bench's bare jail with a listen
section), socat TCP-LISTEN,fork EXEC:'bwrap <the same jail> /bin/echo x'
(what a user would assemble today), and socat ... EXEC:'/bin/echo x'
unjailed (the floor).  Each jail's command writes one line and exits; the
client (tcpload, in C: one thread, epoll) only reads.  Measured with 1, 8
and 32 connections in flight: connections per second, and the time from
connect() to the first byte of the reply (p50, p99; the issue's measure)
and to its end (p99 to EOF: when the client is done).  Rounds interleave
the servers, so load from other processes hits all alike; the table gives
the medians of the rounds and the ratios to socat+bwrap.

usage: listen.py CORDON PROFILE BWRAP-ARGS N ROUNDS TCPLOAD
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


REPLY = "x\n"


def load(tcpload, n, inflight):
    out = subprocess.run([tcpload, str(PORT), str(n), str(inflight), REPLY],
                         check=True, capture_output=True, text=True).stdout
    lat, ends, elapsed, errors = [], [], None, 0
    for line in out.splitlines():
        if line.startswith("elapsed "):
            elapsed = float(line.split()[1])
        elif line.startswith("errors "):
            errors = int(line.split()[1])
        else:
            first, end = line.split()
            lat.append(int(first) / 1e6)
            ends.append(int(end) / 1e6)
    return len(lat) / elapsed, lat, ends, errors


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p / 100 * len(v)))]


def main():
    cordon, profile, bwrap, n, rounds, tcpload = sys.argv[1:7]
    n, rounds = int(n), int(rounds)
    listen = "TCP-LISTEN:%d,bind=127.0.0.1,fork,reuseaddr,backlog=128" % PORT
    # The command needs no input: socat's half-close timeout (-t, 0.5 s)
    # never cuts a jail slower than that short.
    servers = [
        ("cordon serve", [cordon, "-q", "serve", profile, "--",
                          "/bin/echo", "x"]),
        ("socat+bwrap", ["socat", listen,
                         "EXEC:%s /bin/echo x" % bwrap.replace(":", "\\:")]),
        ("socat+echo", ["socat", listen, "EXEC:/bin/echo x"]),
    ]
    res = {}   # (name, inflight) -> list of (cps, p50, p99, p99 to EOF) per round
    errs = {}
    for r in range(rounds):
        for inflight in (1, 8, 32):
            order = servers[r % 3:] + servers[:r % 3]
            for name, argv in order:
                p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL)
                wait_port(p)
                load(tcpload, max(2, inflight), inflight)     # warm-up
                cps, lat, ends, e = load(tcpload, n, inflight)
                p.terminate()
                p.wait()
                errs[name] = errs.get(name, 0) + e
                if lat:
                    res.setdefault((name, inflight), []).append(
                        (cps, pct(lat, 50) * 1e3, pct(lat, 99) * 1e3,
                         pct(ends, 99) * 1e3))
    print("| server | in flight | conn/s | p50 ms | p99 ms | conn/s vs socat+bwrap | p99 vs socat+bwrap | p99 to EOF ms | vs socat+bwrap |")
    print("|---|---|---|---|---|---|---|---|---|")
    for inflight in (1, 8, 32):
        base = res.get(("socat+bwrap", inflight))
        bc = statistics.median(x[0] for x in base) if base else None
        b99 = statistics.median(x[2] for x in base) if base else None
        bend = statistics.median(x[3] for x in base) if base else None
        for name, _ in servers:
            v = res.get((name, inflight))
            if not v:
                print("| %s | %d | n/a | | | | | | |" % (name, inflight))
                continue
            c = statistics.median(x[0] for x in v)
            p50 = statistics.median(x[1] for x in v)
            p99 = statistics.median(x[2] for x in v)
            end99 = statistics.median(x[3] for x in v)
            print("| %s | %d | %.1f | %.1f | %.1f | %s | %s | %.1f | %s |" % (
                name, inflight, c, p50, p99,
                "%.2f×" % (c / bc) if bc else "n/a",
                "%.2f×" % (p99 / b99) if b99 else "n/a",
                end99, "%.2f×" % (end99 / bend) if bend else "n/a"))
    bad = {k: v for k, v in errs.items() if v}
    if bad:
        print()
        print("Connections without the reply (not counted): %s" % ", ".join(
            "%s %d" % kv for kv in sorted(bad.items())))


main()

#!/usr/bin/env python3
"""Scores the full-port scans of tests/bench/scan_bench.sh against the lab's
known truth and prints one Markdown table.

usage: scan_bench.py OUT_DIR OPEN_PORTS

OUT_DIR holds one `RUN.time` ("WALL_S PEAK_KB" from /usr/bin/time) per run
and its output: `RUN.xml` (nmap -oX), `RUN.json` (tcphs --json
--all-ports) or `RUN.list` (masscan -oL); RUN is TOOL-FAMILY-RATE.
OPEN_PORTS is the comma-separated set of ports with a listener.
The truth per port, in tcphs's words (tests/lab/README.md): the listeners
are open; 7003 and 7008 are dropped (timeout); 7004 is admin-prohibited
(filtered); every other port is refused (RST, or ICMP port unreachable on
7005). masscan reports open ports only, so only those are scored for it.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab"))
from scan_compare import nmap_ports  # noqa: E402


def truth(open_ports):
    t = {p: "refused" for p in range(1, 65536)}
    for p in open_ports:
        t[p] = "open"
    t[7003] = t[7008] = "timeout"
    t[7004] = "filtered"
    return t


def states(out, run):
    base = os.path.join(out, run)
    if os.path.exists(base + ".xml"):
        return nmap_ports(base + ".xml")
    if os.path.exists(base + ".json"):
        with open(base + ".json") as f:
            recs = [json.loads(line) for line in f if line.strip()]
        return {r["port"]: r["outcome"] for r in recs if r.get("type") == "port"}
    found = {}
    if os.path.exists(base + ".list"):
        with open(base + ".list") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[0] == "open":
                    found[int(parts[2])] = "open"
    return found


def main():
    out, open_ports = sys.argv[1], {int(p) for p in sys.argv[2].split(",")}
    want = truth(open_ports)
    runs = sorted(f[:-5] for f in os.listdir(out) if f.endswith(".time"))
    print("| tool | family | rate (pps) | wall (s) | peak RSS (MB) | open found | missed | extra | wrong ports |")
    print("|---|---|---|---|---|---|---|---|---|")
    scored = {}
    for run in runs:
        tool, family, rate = run.split("-", 2)
        with open(os.path.join(out, run + ".time")) as f:
            lines = f.read().splitlines()  # "Command exited with ..." may come first
        fields = lines[-1].split() if lines else []
        wall, rss = (float(fields[0]), int(fields[1]) / 1024) if len(fields) >= 2 else (float("nan"), float("nan"))
        got = states(out, run)
        opened = {p for p, s in got.items() if s == "open"}
        missed = len(open_ports - opened)
        extra = len(opened - open_ports)
        if tool == "masscan":
            wrong = "n/a (open only)"
        else:
            wrong = str(sum(1 for p in range(1, 65536) if got.get(p) != want[p]))
        print(f"| {tool} | {family} | {rate} | {wall:.2f} | {rss:.1f} | {len(opened)} | {missed} | {extra} | {wrong} |")
        scored[run] = (wall, rss, wrong)
    goals(scored)


def goals(scored):
    """Issue #9's goals, per family: tcphs at its top rate takes at most half
    nmap -T5's wall time of the same run, with 0 wrong ports, and its peak
    RSS is at most 20 MB and below nmap's."""
    print("\n### Goals (tcphs scan)\n")
    for family in ("v4", "v6"):
        nmap = scored.get(f"nmap-{family}-T5")
        top = [r for r in scored if r.startswith(f"tcphs-{family}-")]
        if not nmap or not top:
            continue
        run = max(top, key=lambda r: int(r.split("-", 2)[2]))  # the top rate
        wall, rss, wrong = scored[run]
        ok = wall * 2 <= nmap[0] and wrong == "0"
        print(f"- {'met' if ok else '**missed**'}: IP{family} full scan at {run.split('-', 2)[2]} pps: {wall:.2f} s, "
              f"{nmap[0] / wall:.1f}× faster than nmap -T5 ({nmap[0]:.2f} s; goal ≥ 2×), {wrong} wrong ports (goal 0)")
        print(f"- {'met' if rss <= 20 and rss < nmap[1] else '**missed**'}: IP{family} peak RSS {rss:.1f} MB "
              f"(≤ 20 MB and below nmap's {nmap[1]:.1f} MB)")


if __name__ == "__main__":
    main()

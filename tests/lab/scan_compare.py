#!/usr/bin/env python3
"""Compares a tcphs scan (NDJSON from `scan --all-ports --json`) with nmap's
verdicts (`nmap -sS --reason -oX`), port by port, for `tests/lab/test_scan.sh`.

usage: scan_compare.py NMAP.xml TCPHS.ndjson [--open PORT,PORT...]

nmap's states map to tcphs outcomes through nmap's --reason:
  open (syn-ack)                                 -> open
  closed (reset)                                 -> refused
  filtered (port-unreach)                        -> refused
  filtered (admin-/host-/net-prohibited)         -> filtered
  filtered (no-response)                         -> timeout
  filtered (host-/net-/proto-unreach, time-exceeded) -> unreachable
Ports nmap folds into <extraports> are expanded from extrareasons' `ports`.
Prints one line per disagreement and a last line "N ports compared, M
differ, K open"; exits 1 when any port differs, is missing on either side,
or (with --open) the open set is not exactly the given one.
"""
import json
import sys
import xml.etree.ElementTree as ET

FILTERED_AS = {
    "port-unreach": "refused",
    "admin-prohibited": "filtered",
    "host-prohibited": "filtered",
    "net-prohibited": "filtered",
    "no-response": "timeout",
    "host-unreach": "unreachable",
    "net-unreach": "unreachable",
    "proto-unreach": "unreachable",
    "time-exceeded": "unreachable",
}


def expected(state, reason):
    if state == "open" and reason == "syn-ack":
        return "open"
    if state == "closed" and reason == "reset":
        return "refused"
    if state == "filtered" and reason in FILTERED_AS:
        return FILTERED_AS[reason]
    return "?%s/%s" % (state, reason)


def ranges(text):
    for item in text.split(","):
        lo, _, hi = item.partition("-")
        yield from range(int(lo), int(hi or lo) + 1)


def nmap_ports(path):
    ports = {}
    host = ET.parse(path).getroot().find("host")
    for extra in host.iter("extraports"):
        for why in extra.iter("extrareasons"):
            for p in ranges(why.get("ports")):
                ports[p] = expected(extra.get("state"), why.get("reason"))
    for port in host.iter("port"):
        st = port.find("state")
        ports[int(port.get("portid"))] = expected(st.get("state"), st.get("reason"))
    return ports


def tcphs_ports(path):
    with open(path) as f:
        recs = [json.loads(line) for line in f]
    return {r["port"]: r["outcome"] for r in recs if r.get("type") == "port"}


def main():
    nmap = nmap_ports(sys.argv[1])
    ours = tcphs_ports(sys.argv[2])
    want_open = None
    if len(sys.argv) > 4 and sys.argv[3] == "--open":
        want_open = {int(p) for p in sys.argv[4].split(",")}
    differ = 0
    for port in sorted(set(nmap) | set(ours)):
        a, b = nmap.get(port, "missing"), ours.get(port, "missing")
        if a != b:
            differ += 1
            if differ <= 20:
                print("port %d: nmap says %s, tcphs %s" % (port, a, b))
    opened = {p for p, o in ours.items() if o == "open"}
    print("%d ports compared, %d differ, %d open" % (len(set(nmap) | set(ours)), differ, len(opened)))
    if want_open is not None and opened != want_open:
        print("open ports: missing %s, extra %s" % (sorted(want_open - opened), sorted(opened - want_open)))
        return 1
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

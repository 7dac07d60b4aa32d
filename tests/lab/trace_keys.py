#!/usr/bin/env python3
"""Checks the SPEC §4 keys of `tcphs trace --json` output.

usage: trace_keys.py FILE...  -- prints "N files" when every file is one
trace's NDJSON (hop records with consecutive TTLs, then one summary) and every
record has its keys with the right types; else one line per problem.
Cross-checks: each hop has as many rtt_us entries as the first, `address`
is null exactly when no query was answered, and the summary's `sent` is
the number of queries of all hops.
"""
import json
import sys

HOP_KEYS = {"type", "schema", "hop", "address", "name", "rtt_us", "icmp", "rewrites"}
SUMMARY_KEYS = {"type", "schema", "target", "address", "sent", "counts", "loss", "rtt_us"}
OUTCOMES = {"open", "refused", "timeout", "filtered", "unreachable"}
STATS = {"min", "avg", "median", "p95", "max", "stddev"}


def num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def hop_problems(h, n, first, queries):
    missing = HOP_KEYS - h.keys()
    if missing:
        return [f"hop {n}: missing {sorted(missing)}"]
    out = []
    rtts, icmp = h["rtt_us"], h["icmp"]
    if h["hop"] != first + n - 1:
        out.append(f"hop {h['hop']} is record {n}, after hop {first}")
    if not isinstance(rtts, list) or len(rtts) != queries or not all(x is None or (num(x) and x > 0) for x in rtts):
        out.append(f"hop {n}: rtt_us {rtts}")
    elif (h["address"] is None) != all(x is None for x in rtts):
        out.append(f"hop {n}: address {h['address']} with rtt_us {rtts}")
    if not (h["address"] is None or isinstance(h["address"], str)):
        out.append(f"hop {n}: address {h['address']}")
    if not (h["name"] is None or isinstance(h["name"], str)):
        out.append(f"hop {n}: name {h['name']}")
    if not (icmp is None or (isinstance(icmp, dict) and set(icmp) == {"type", "code"}
                             and all(isinstance(v, int) for v in icmp.values()))):
        out.append(f"hop {n}: icmp {icmp}")
    if not (isinstance(h["rewrites"], list) and all(isinstance(w, str) for w in h["rewrites"])):
        out.append(f"hop {n}: rewrites {h['rewrites']}")
    return out


def summary_problems(s, hops):
    missing = SUMMARY_KEYS - s.keys()
    if missing:
        return [f"summary: missing {sorted(missing)}"]
    out = []
    if not isinstance(s["counts"], dict) or OUTCOMES - s["counts"].keys():
        out.append(f"summary: counts {s['counts']}")
    if s["sent"] != sum(len(h.get("rtt_us") or []) for h in hops):
        out.append(f"summary: sent {s['sent']} for {len(hops)} hops")
    if not (num(s["loss"]) and 0 <= s["loss"] <= 1):
        out.append(f"summary: loss {s['loss']}")
    if not (s["rtt_us"] is None or (isinstance(s["rtt_us"], dict) and STATS <= s["rtt_us"].keys())):
        out.append(f"summary: rtt_us {s['rtt_us']}")
    return out


def file_problems(path):
    recs = [json.loads(line) for line in open(path)]
    if not recs or recs[-1].get("type") != "summary" or sum(r.get("type") == "summary" for r in recs) != 1:
        return ["not exactly one summary, at the end"]
    out = [f"{r.get('type')}: schema {r.get('schema')}" for r in recs if r.get("schema") != 1]
    hops = [r for r in recs if r.get("type") == "hop"]
    if not hops:
        return out + ["no hop records"]
    queries = len(hops[0].get("rtt_us") or [])
    first = hops[0]["hop"] if isinstance(hops[0].get("hop"), int) else 1
    for n, h in enumerate(hops, 1):
        out += hop_problems(h, n, first, queries)
    return out + summary_problems(recs[-1], hops)


problems = [f"{p.rsplit('/', 1)[-1]}: {what}" for p in sys.argv[1:] for what in file_problems(p)]
print("; ".join(problems) if problems else f"{len(sys.argv) - 1} files")

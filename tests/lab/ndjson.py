#!/usr/bin/env python3
"""Evaluates a Python expression over an NDJSON file for lab assertions.

usage: ndjson.py FILE EXPR   -- EXPR sees `recs` (every record, in order),
`probes` (records of type probe) and `summary` (the last summary, or None);
prints the value (JSON for lists and dicts). Exits 2 if a line is not JSON.
"""
import json
import sys

path, expr = sys.argv[1], sys.argv[2]
recs = []
with open(path) as f:
    for n, line in enumerate(f, 1):
        try:
            recs.append(json.loads(line))
        except json.JSONDecodeError as e:
            print(f"{path}:{n}: not JSON: {e}", file=sys.stderr)
            sys.exit(2)
probes = [r for r in recs if r.get("type") == "probe"]
summaries = [r for r in recs if r.get("type") == "summary"]
summary = summaries[-1] if summaries else None
value = eval(expr)  # test helper: the expression is the test's own text
print(json.dumps(value) if isinstance(value, (list, dict)) else value)

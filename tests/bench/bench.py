"""The benchmark's measurement phases; scripts/bench brings the lab up and
calls them, then `report.py` prints the table. Every packet goes from the
lab's client namespace to its server namespace (tests/lab/lab.sh).

  bench.py rtt LABEL PORT OUT   RTT error of each tool against the capture
  bench.py cost OUT             wall time and peak RSS of one-probe runs
  bench.py rate OUT             the highest rate tcphs sustains accurately
  bench.py check OUT            1,000 `tcphs check`s against the drop port (check_bench.py)

Settings come from the environment: the lab's LAB_* variables, TCPHS (the
binary), BENCH_PROBES (probes per tool and delay, default 100), BENCH_RUNS
(one-probe runs per tool, default 15), BENCH_RATE_PROBES (probes per rate
step, default 3000), BENCH_TRUTH_IF and BENCH_TRUTH_IMMEDIATE (where and how
the truth captures: `any` and 0, see capture.py).
"""
import json
import os
import random
import re
import subprocess
import sys
import time

from capture import Capture
import check_bench
import pcap_truth
from stats import error_summary
import tools

HERE = os.path.dirname(os.path.abspath(__file__))
ENV = os.environ
NS, SERVER = ENV["LAB_CLIENT"], ENV["LAB_SERVER4"]
# The truth capture: see capture.py for why `any` and no immediate mode.
IFACE = ENV.get("BENCH_TRUTH_IF", "any")
IMMEDIATE = ENV.get("BENCH_TRUTH_IMMEDIATE", "0") == "1"
TCPHS = ENV["TCPHS"]
PROBES = int(ENV.get("BENCH_PROBES", "100"))
RUNS = int(ENV.get("BENCH_RUNS", "15"))
RATE_PROBES = int(ENV.get("BENCH_RATE_PROBES", "3000"))
INTERVAL_MS = 10
# Rate ladder for `tcphs probe -i`, slowest first.
RATE_INTERVALS = ["1ms", "200us", "100us", "50us", "20us", "10us", "5us", "1us"]


def in_client(argv, timeout=120):
    return subprocess.run(["ip", "netns", "exec", NS, *argv], capture_output=True, text=True, timeout=timeout)


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def compare(reported, truth):
    """Errors (reported - capture, µs) of the probes found in both."""
    errors, truths, unmatched, silent = [], [], 0, 0
    for r in reported:
        if r.rtt_us is None:
            silent += 1
            continue
        p = truth.get(r.key)
        if p is None or p.rtt_us is None:
            unmatched += 1
            continue
        errors.append(r.rtt_us - p.rtt_us)
        truths.append(p.rtt_us)
    return {"reported": len(reported), "no_reply": silent, "unmatched": unmatched,
            "errors_us": errors, "truth_us": truths, **error_summary(errors)}


def rtt_tcphs(port, pcap):
    with Capture(NS, IFACE, pcap, f"tcp port {port}", IMMEDIATE):
        run = in_client(tools.tcphs_probe_cmd(TCPHS, SERVER, port, PROBES, f"{INTERVAL_MS}ms"))
    return tools.parse_tcphs(run.stdout), pcap_truth.by_port(pcap_truth.probes(pcap, port))


def rtt_hping3(port, pcap):
    base = random.randrange(20000, 30000)
    with Capture(NS, IFACE, pcap, f"tcp port {port}", IMMEDIATE):
        run = in_client(tools.hping3_cmd(SERVER, port, PROBES, INTERVAL_MS * 1000, base))
    return tools.parse_hping3(run.stdout, base), pcap_truth.by_port(pcap_truth.probes(pcap, port))


def rtt_nping(port, pcap):
    reported = []
    with Capture(NS, IFACE, pcap, f"tcp port {port}", IMMEDIATE):
        for _ in range(PROBES):
            reported += tools.parse_nping(in_client(tools.nping_cmd(SERVER, port)).stdout)
            time.sleep(INTERVAL_MS / 1000)
    return reported, pcap_truth.probes(pcap, port)


def phase_rtt(label, port, out):
    result = {"label": label, "port": port, "probes": PROBES, "load_before": load(), "tools": {}}
    for name, fn in (("tcphs", rtt_tcphs), ("hping3", rtt_hping3), ("nping", rtt_nping)):
        pcap = os.path.join(out, f"rtt-{label}-{name}.pcap")
        reported, truth = fn(port, pcap)
        result["tools"][name] = compare(reported, truth)
        s = result["tools"][name]
        print(f"bench: rtt {label} {name}: {s['n']}/{PROBES} matched, |err| median {s['abs_median'] or 0:.3f} µs",
              file=sys.stderr)
    result["load_after"] = load()
    with open(os.path.join(out, f"rtt-{label}.json"), "w") as f:
        json.dump(result, f)


def phase_cost(out):
    port = int(ENV["LAB_PORT_OPEN"])
    commands = {t: tools.single_probe_cmd(t, TCPHS, SERVER, port) for t in ("tcphs", "hping3", "nping")}
    # Start-up alone (loading, library initialisation, no socket): `--version`.
    startup = {f"{t}_start": [TCPHS if t == "tcphs" else t, "--version"] for t in ("tcphs", "hping3", "nping")}
    before = load()
    run = in_client([sys.executable, os.path.join(HERE, "single_probe.py"), str(RUNS),
                     json.dumps({**commands, **startup})], timeout=600)
    if run.returncode != 0:
        raise RuntimeError(f"single_probe.py failed: {run.stderr.strip()}")
    floor = in_client([sys.executable, os.path.join(HERE, "packet_socket_cost.py"), str(RUNS)], timeout=120)
    if floor.returncode != 0:
        raise RuntimeError(f"packet_socket_cost.py failed: {floor.stderr.strip()}")
    result = {"runs": RUNS, "commands": commands, "samples": json.loads(run.stdout),
              "packet_socket": json.loads(floor.stdout), "notes": tools.SINGLE_PROBE_NOTES,
              "load_before": before, "load_after": load()}
    with open(os.path.join(out, "cost.json"), "w") as f:
        json.dump(result, f)
    print("bench: single-probe runs done", file=sys.stderr)


def rate_step(port, interval, out):
    pcap = os.path.join(out, f"rate-{interval}.pcap")
    cmd = tools.tcphs_probe_cmd(TCPHS, SERVER, port, RATE_PROBES, interval, ("--retries", "0", "--rto", "1s"))
    cpu_file = os.path.join(out, "rate.cpu")
    with Capture(NS, IFACE, pcap, f"tcp port {port}", IMMEDIATE) as cap:
        t0 = time.monotonic()
        run = in_client(["/usr/bin/time", "-f", "%U %S", "-o", cpu_file, *cmd], timeout=300)
        wall = time.monotonic() - t0
    with open(cpu_file) as f:
        user_s, sys_s = (float(x) for x in f.read().split()[-2:])
    table = pcap_truth.probes(pcap, port)
    syns = sorted(p.syn_ns for p in table.values())
    span_s = (syns[-1] - syns[0]) / 1e9 if len(syns) > 1 else 0
    reported = tools.parse_tcphs(run.stdout)
    m = re.search(r"capture dropped (\d+) packets", run.stderr)
    step = {"interval": interval, "probes": RATE_PROBES, "wall_s": wall, "user_s": user_s, "sys_s": sys_s,
            "achieved_pps": (len(syns) - 1) / span_s if span_s > 0 else None,
            "open": sum(1 for r in reported if r.rtt_us is not None),
            "tcphs_capture_dropped": int(m.group(1)) if m else 0, "truth_dropped": cap.dropped,
            **compare(reported, pcap_truth.by_port(table))}
    del step["errors_us"], step["truth_us"]
    os.remove(pcap)
    return step


def phase_rate(out):
    port = int(ENV["LAB_PORT_OPEN"])
    result = {"load_before": load(), "steps": []}
    for interval in RATE_INTERVALS:
        step = rate_step(port, interval, out)
        result["steps"].append(step)
        print(f"bench: rate -i {interval}: {step['achieved_pps'] or 0:.0f} pps, {step['open']}/{RATE_PROBES} open, "
              f"|err| p95 {step['abs_p95'] or 0:.3f} µs", file=sys.stderr)
    result["load_after"] = load()
    with open(os.path.join(out, "rate.json"), "w") as f:
        json.dump(result, f)


def main():
    phase = sys.argv[1]
    if phase == "rtt":
        phase_rtt(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif phase == "cost":
        phase_cost(sys.argv[2])
    elif phase == "rate":
        phase_rate(sys.argv[2])
    elif phase == "check":
        r = check_bench.phase_check(in_client, TCPHS, SERVER, int(ENV["LAB_PORT_DROP"]), sys.argv[2], load)
        for label, s in r["runs"].items():
            print(f"bench: check {label}: {s['wall_s']:.2f} s wall, exit {s['exit']}", file=sys.stderr)
    else:
        sys.exit(f"bench.py: unknown phase '{phase}'")


if __name__ == "__main__":
    main()

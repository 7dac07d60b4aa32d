"""`tcphs check` at scale (issue #8): N checks against the lab's drop port,
where every SYN is silently dropped, so each check waits out its whole
timeout. Run one after another they would take N timeouts; run through one
engine at once they take about one. Measured, not asserted: the lab test
(tests/lab/test_check.sh) only asserts that every check reports timeout.

Three runs, each timed from outside (wall time of the whole process, spawn
included), each with `timeout=T` on every line:
  single     one `tcphs probe -W T` to the drop port: the single-probe timeout
             as it is really spent (T plus start-up)
  parallel   N checks with --parallel N: the figure the issue's goal names,
             under 1.5 x T
  default    the same N checks with the default --parallel (256): about
             ceil(N / 256) windows, for comparison

Settings: BENCH_CHECKS (default 1000), BENCH_CHECK_TIMEOUT (seconds, 2).
"""
import json
import os
import time


def _timed(run, argv, timeout):
    t0 = time.monotonic()
    result = run(argv, timeout=timeout)
    return time.monotonic() - t0, result


def _check_records(stdout):
    return [r for r in map(json.loads, filter(str.strip, stdout.splitlines())) if r.get("type") == "check"]


def phase_check(run, tcphs, server, port, out, load):
    """`run(argv, timeout)` runs argv in the lab's client namespace."""
    n = int(os.environ.get("BENCH_CHECKS", "1000"))
    t_s = float(os.environ.get("BENCH_CHECK_TIMEOUT", "2"))
    t = f"{int(t_s * 1000)}ms"
    path = os.path.join(out, "check-drop.txt")
    with open(path, "w") as f:
        for i in range(1, n + 1):
            f.write(f"{server}:{port} timeout name=drop-{i} timeout={t}\n")
    result = {"checks": n, "timeout_s": t_s, "load_before": load(), "runs": {}}

    wall, probe = _timed(run, [tcphs, "probe", "-q", "-W", t, "--expect", "timeout", f"{server}:{port}"], 60)
    result["runs"]["single"] = {"wall_s": wall, "exit": probe.returncode}
    for label, extra in (("parallel", ["--parallel", str(n)]), ("default", [])):
        wall, check = _timed(run, [tcphs, "check", path, "--json", *extra], 60 + n * t_s / 256 * 2)
        recs = _check_records(check.stdout)
        result["runs"][label] = {
            "wall_s": wall, "exit": check.returncode, "records": len(recs),
            "timeouts": sum(r["outcome"] == "timeout" for r in recs),
            "source_ports": len({r["source_port"] for r in recs}),
            "parallel": n if extra else 256,
        }
    result["load_after"] = load()
    with open(os.path.join(out, "check.json"), "w") as f:
        json.dump(result, f)
    return result

"""Wall time and peak RSS of one-probe runs. Run it inside the client
namespace (so `ip netns exec` is not timed):

  single_probe.py RUNS JSON_COMMANDS   -> JSON {name: [[wall_ms, rss_kb, rc], ...]}

JSON_COMMANDS maps a name to an argv. The rounds interleave the commands,
so a burst of load from elsewhere on the machine hits every tool alike.

Each command runs under /usr/bin/time, whose `%M` is the child's peak RSS:
getrusage() on a child forked from this Python process would report
Python's own RSS, which the child inherits until exec. The wall time is
measured here around the whole spawn; `floor` (/bin/true under the same
wrapper) is measured too, so the spawn cost can be subtracted.
"""
import json
import os
import subprocess
import sys
import tempfile
import time


def measure(argv):
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        t0 = time.perf_counter_ns()
        rc = subprocess.call(["/usr/bin/time", "-f", "%M", "-o", out.name, *argv],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall_ms = (time.perf_counter_ns() - t0) / 1e6
        text = out.read().strip().splitlines()
    rss_kb = int(text[-1]) if text and text[-1].isdigit() else None
    return [wall_ms, rss_kb, rc]


def main():
    runs, commands = int(sys.argv[1]), json.loads(sys.argv[2])
    commands = {"floor": ["/bin/true"], **commands}
    results = {name: [] for name in commands}
    for name, argv in commands.items():  # warm the page cache; not counted
        measure(argv)
    for _ in range(runs):
        for name, argv in commands.items():
            results[name].append(measure(argv))
            time.sleep(0.05)  # lets the previous run's sockets and RSTs settle
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    os.environ.setdefault("LC_ALL", "C")
    main()

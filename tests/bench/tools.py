"""The three tools under test: how each is run and how its output is read.

Each parser returns a list of Reported(key, rtt_us): `key` finds the probe in
the capture (pcap_truth) and `rtt_us` is what the tool printed for it (None
when it reported no reply).

  tcphs   `probe --json`: one record per probe with `source_port` and
          `rtt_us` (ns decimals). Key: the source port.
  hping3  one line per reply, `seq=N ... rtt=X ms` with 0.1 ms resolution.
          hping3 sends probe N from base port + N (`-s BASE`, no `-k`).
          Key: that source port.
  nping   one probe per run (`-c 1`): every probe of a multi-probe run has
          the same source port and sequence number, and per probe it prints
          only the send and receive times at 0.1 ms resolution; its own RTT
          figure (`Avg rtt`, µs resolution) is exact for a single probe.
          Key: (source port, seq) from its SENT line.
"""
import json
import re
from dataclasses import dataclass


@dataclass
class Reported:
    key: object
    rtt_us: float | None


def tcphs_probe_cmd(tcphs, addr, port, count, interval, extra=()):
    return [tcphs, "probe", "--json", "-c", str(count), "-i", interval, *extra, f"{addr}:{port}"]


def hping3_cmd(addr, port, count, interval_us, base_port):
    return ["hping3", "-S", "-p", str(port), "-c", str(count), "-i", f"u{interval_us}",
            "-s", str(base_port), addr]


def nping_cmd(addr, port, delay="1ms"):
    return ["nping", "--tcp", "-p", str(port), "-c", "1", "--delay", delay, addr]


def parse_tcphs(text):
    """
    >>> parse_tcphs('{"type":"probe","source_port":61001,"rtt_us":41.818}\\n'
    ...             '{"type":"probe","source_port":61002,"rtt_us":null}\\n{"type":"summary"}')
    [Reported(key=61001, rtt_us=41.818), Reported(key=61002, rtt_us=None)]
    """
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        if rec.get("type") == "probe":
            out.append(Reported(rec["source_port"], rec["rtt_us"]))
    return out


_HPING_LINE = re.compile(r"flags=(\S+) seq=(\d+) .*rtt=([0-9.]+) ms")


def parse_hping3(text, base_port):
    """
    >>> parse_hping3("len=44 ip=10.77.3.2 ttl=62 DF id=0 sport=7001 flags=SA seq=3 win=64240 rtt=0.7 ms",
    ...              40000)
    [Reported(key=40003, rtt_us=700.0)]
    """
    out = []
    for line in text.splitlines():
        m = _HPING_LINE.search(line)
        if m and "DUP!" not in line:
            out.append(Reported((base_port + int(m.group(2))) % 65536, float(m.group(3)) * 1000.0))
    return out


_NPING_SENT = re.compile(r"^SENT \([0-9.]+s\) TCP \S+?:(\d+) > \S+ S .*?seq=(\d+)")
_NPING_RTT = re.compile(r"Avg rtt: ([0-9.]+)ms")


def parse_nping(text):
    """
    >>> parse_nping("SENT (0.0077s) TCP 10.77.1.2:45489 > 10.77.3.2:7001 S ttl=64 id=33466 iplen=40  seq=4121952457 win=1480\\n"
    ...             "Max rtt: 0.034ms | Min rtt: 0.034ms | Avg rtt: 0.034ms")
    [Reported(key=(45489, 4121952457), rtt_us=34.0)]
    >>> parse_nping("SENT (0.0077s) TCP 10.77.1.2:45489 > 10.77.3.2:7001 S ttl=64 id=1 iplen=40  seq=7 win=1480\\n"
    ...             "Max rtt: N/A | Min rtt: N/A | Avg rtt: N/A")
    [Reported(key=(45489, 7), rtt_us=None)]
    """
    key, rtt = None, None
    for line in text.splitlines():
        m = _NPING_SENT.search(line)
        if m and key is None:
            key = (int(m.group(1)), int(m.group(2)))
        m = _NPING_RTT.search(line)
        if m:
            rtt = float(m.group(1)) * 1000.0
    return [] if key is None else [Reported(key, rtt)]


# What `-c 1` costs each tool beyond its work, and what was turned off.
SINGLE_PROBE_NOTES = {
    "tcphs": "none: exits when the reply is classified",
    "hping3": "none: exits when the reply arrives (no option needed)",
    "nping": "waits one --delay after its last probe (default 1 s); run with --delay 1ms",
}


def single_probe_cmd(tool, tcphs, addr, port):
    if tool == "tcphs":
        return [tcphs, "probe", "-c", "1", f"{addr}:{port}"]
    if tool == "hping3":
        return ["hping3", "-S", "-p", str(port), "-c", "1", addr]
    return nping_cmd(addr, port, "1ms")

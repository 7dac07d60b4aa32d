#!/usr/bin/env python3
"""Reads a capture with tshark and prints, per client source port, the time
from the last SYN sent to the first SYN-ACK or RST that answers it, in µs
with ns precision: the ground truth for tcphs's RTTs.

usage: pcap_rtt.py FILE SERVER_PORT   -> lines "SRCPORT RTT_US"
"""
import subprocess
import sys

path, port = sys.argv[1], sys.argv[2]
out = subprocess.run(
    ["tshark", "-r", path, "-n", "-T", "fields", "-e", "frame.time_epoch", "-e", "tcp.srcport",
     "-e", "tcp.dstport", "-e", "tcp.flags", "-e", "tcp.seq_raw", "-e", "tcp.ack_raw",
     "-Y", f"tcp.port == {port}"],
    check=True, capture_output=True, text=True).stdout
syns = {}
done = set()
for line in out.splitlines():
    t, sport, dport, flags, seq, ack = line.split("\t")
    flags = int(flags, 16)
    # Times as integer ns, so no float rounding creeps into a 50 µs check.
    sec, _, frac = t.partition(".")
    ns = int(sec) * 10**9 + int((frac + "000000000")[:9])
    if dport == port and flags & 0x02 and not flags & 0x10:
        syns.setdefault(sport, {})[int(seq)] = ns
    elif sport == port and flags & 0x14 and dport in syns and dport not in done:
        sent = syns[dport].get((int(ack) - 1) % 2**32)
        if sent is not None:
            print(dport, f"{(ns - sent) / 1000:.3f}")
            done.add(dport)

#!/usr/bin/env python3
"""Kernel connect() probes for the tcphs lab, run inside the client namespace.

Usage: lab_connect.py [--timeout S] [--syncnt N] NAME=ADDR:PORT[,read]...

Connects to every target at the same time and prints one line per target, in
argument order:

    NAME RESULT MS [DATA]

RESULT is OK, the errno name that connect() failed with (ECONNREFUSED,
ETIMEDOUT, EHOSTUNREACH, ...), or TIMEOUT when --timeout (default 5 s) ran
out before the kernel gave up. MS is the time connect() took, in
milliseconds; with --kernel-rtt, for a successful connect(), MS is instead
the RTT the kernel measured for the handshake (TCP_INFO tcpi_rtt), which
does not include the wake-up of this process. With ",read" a successful
connection waits up to 1 s for one line from the server and prints it as
DATA.

--syncnt sets TCP_SYNCNT, the per-socket form of net.ipv4.tcp_syn_retries:
with 1 the kernel retransmits the SYN once (after 1 s) and reports ETIMEDOUT
3 s after the first SYN.
"""
import argparse
import concurrent.futures
import errno
import socket
import struct
import time

# struct tcp_info: 8 one-byte fields, then u32s; tcpi_rtt is the 16th u32.
TCPI_RTT_OFFSET = 8 + 15 * 4


def parse_target(text):
    name, _, rest = text.partition("=")
    read = rest.endswith(",read")
    if read:
        rest = rest[: -len(",read")]
    host, _, port = rest.rpartition(":")
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return name, family, host, int(port), read


def kernel_rtt_ms(sock):
    """The handshake RTT the kernel measured (SYN sent to SYN-ACK received)."""
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    return struct.unpack_from("I", info, TCPI_RTT_OFFSET)[0] / 1e3


def probe(target, timeout, syncnt, kernel_rtt):
    name, family, host, port, read = target
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if syncnt:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_SYNCNT, syncnt)
        sock.settimeout(timeout)
        start = time.perf_counter_ns()
        try:
            sock.connect((host, port))
            result = "OK"
        except OSError as e:
            # socket.timeout carries no errno: our own timeout, not the kernel's.
            result = errno.errorcode.get(e.errno, str(e.errno)) if e.errno else "TIMEOUT"
        elapsed_ms = (time.perf_counter_ns() - start) / 1e6
        if result == "OK" and kernel_rtt:
            elapsed_ms = kernel_rtt_ms(sock)
        data = ""
        if result == "OK" and read:
            sock.settimeout(1.0)
            try:
                data = sock.recv(256).decode(errors="replace").strip()
            except OSError:
                data = "<no data>"
        return f"{name} {result} {elapsed_ms:.3f} {data}".rstrip()
    finally:
        sock.close()


def main():
    parser = argparse.ArgumentParser(description="tcphs lab connect() probes")
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--syncnt", type=int, default=0)
    parser.add_argument("--kernel-rtt", action="store_true")
    parser.add_argument("targets", nargs="+", metavar="NAME=ADDR:PORT[,read]")
    args = parser.parse_args()
    targets = [parse_target(t) for t in args.targets]
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(targets)) as pool:
        lines = pool.map(lambda t: probe(t, args.timeout, args.syncnt, args.kernel_rtt), targets)
        for line in lines:
            print(line, flush=True)


if __name__ == "__main__":
    main()

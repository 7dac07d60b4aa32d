#!/usr/bin/env python3
"""Real TCP listeners for the server namespace of the tcphs lab.

Usage: lab_listener.py [--report-mss PORT]... [--idle SECONDS] ADDR:PORT...

ADDR is an IPv4 or IPv6 address ("[fd00::1]:80" or "fd00::1:80" both work).
Every connection is accepted at once, so no half-open (SYN_RECV) entry is left
in the kernel. It is then held: whatever the peer sends is read and discarded,
and the connection is closed when the peer closes, after --idle seconds of
silence (default 10), or at once if more than MAX_HELD are already held.
Holding (rather than closing at once) lets a client run the whole exchange
itself: data, then a close that it starts.

On a --report-mss port the server first sends "mss=N\\n", N being the MSS its
kernel uses for the connection (TCP_MAXSEG). The MSS option of the SYN bounds
it, so it shows whether a router on the path clamped that option.

Prints "ready" on stdout once every socket listens (the lab waits for it);
SIGTERM ends it with status 0.
"""
import argparse
import selectors
import signal
import socket
import sys
import time

MAX_HELD = 1024


def parse_spec(spec):
    host, _, port = spec.rpartition(":")
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return family, host, int(port)


def open_listener(family, host, port):
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.bind((host, port))
    sock.listen(4096)
    sock.setblocking(False)
    return sock


class Server:
    def __init__(self, listeners, report_mss, idle):
        self.selector = selectors.DefaultSelector()
        self.report_mss = report_mss
        self.idle = idle
        self.deadlines = {}
        for sock in listeners:
            self.selector.register(sock, selectors.EVENT_READ, self.accept)

    def accept(self, listener):
        try:
            conn, _ = listener.accept()
        except (BlockingIOError, ConnectionAbortedError):
            return
        if len(self.deadlines) >= MAX_HELD:
            conn.close()
            return
        conn.setblocking(False)
        if listener.getsockname()[1] in self.report_mss:
            mss = conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
            try:
                conn.send(b"mss=%d\n" % mss)
            except OSError:
                conn.close()
                return
        self.deadlines[conn] = time.monotonic() + self.idle
        self.selector.register(conn, selectors.EVENT_READ, self.drain)

    def drain(self, conn):
        try:
            data = conn.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            self.deadlines[conn] = time.monotonic() + self.idle
        else:
            self.close(conn)

    def close(self, conn):
        self.selector.unregister(conn)
        del self.deadlines[conn]
        conn.close()

    def run(self):
        while True:
            timeout = None
            if self.deadlines:
                timeout = max(0.0, min(self.deadlines.values()) - time.monotonic())
            for key, _ in self.selector.select(timeout):
                key.data(key.fileobj)
            now = time.monotonic()
            for conn in [c for c, due in self.deadlines.items() if due <= now]:
                self.close(conn)


def main():
    parser = argparse.ArgumentParser(description="tcphs lab TCP listeners")
    parser.add_argument("--report-mss", type=int, action="append", default=[])
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("specs", nargs="+", metavar="ADDR:PORT")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    listeners = [open_listener(*parse_spec(spec)) for spec in args.specs]
    server = Server(listeners, set(args.report_mss), args.idle)
    print("ready", flush=True)
    server.run()


if __name__ == "__main__":
    main()

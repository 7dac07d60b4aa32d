#!/usr/bin/env python3
"""A flood of forged replies for the lab. Runs in the server's namespace and
watches its interface for SYNs from the prober. The first STALE SYNs (an
earlier run) are only remembered; after each later SYN it sends ROUNDS
rounds of near-misses to the SYN's own source (a lab address):

  - SYN-ACKs whose ack is the ISN or ISN+2 (off by one);
  - SYN-ACKs and RSTs from or to the wrong port;
  - RSTs with ack = 0 (flags R only) and RST+ACKs with a wrong ack;
  - a stale SYN-ACK: the right reply to a SYN of the earlier run;
  - ICMP errors quoting our addresses and ports with another sequence
    number, and ICMP errors whose quote is cut short.

Bounded: at most MAX packets, and it stops SECONDS after it started, or
once no SYN has come for 2 s after the first flooded one.
usage: flood.py IFACE STALE ROUNDS MAX SECONDS
(prints 'ready', then: sent N stale S syns K first T0 last T1, epoch seconds)
"""
import random
import socket
import struct
import sys
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
from forge import icmp_error, ip_packet, tcp  # noqa: E402

ETH_P_ALL = 0x0003
M = 0xFFFFFFFF


def parse_syn(frame):
    eth_type = struct.unpack("!H", frame[12:14])[0]
    pkt = frame[14:]
    if eth_type == 0x0800 and len(pkt) >= 40 and pkt[9] == 6:
        ihl = (pkt[0] & 15) * 4
        src, dst, t, v6 = pkt[12:16], pkt[16:20], pkt[ihl:], False
    elif eth_type == 0x86DD and len(pkt) >= 60 and pkt[6] == 6:
        src, dst, t, v6 = pkt[8:24], pkt[24:40], pkt[40:], True
    else:
        return None
    if len(t) < 20 or not t[13] & 0x02 or t[13] & 0x10:
        return None
    sport, dport, seq = struct.unpack("!HHI", t[:8])
    return src, dst, sport, dport, seq, v6, pkt


def forged_for(syn, stale):
    client, server, cport, sport, seq, v6, original = syn
    out = [
        tcp(server, client, sport, cport, 1, seq & M, 0x12, v6),            # SYN-ACK, ack = ISN
        tcp(server, client, sport, cport, 1, (seq + 2) & M, 0x12, v6),      # SYN-ACK, ack = ISN+2
        tcp(server, client, sport + 1, cport, 1, (seq + 1) & M, 0x12, v6),  # wrong source port
        tcp(server, client, sport, cport ^ 1, 1, (seq + 1) & M, 0x12, v6),  # wrong destination port
        tcp(server, client, sport + 1, cport, 0, (seq + 1) & M, 0x14, v6),  # RST+ACK, wrong source port
        tcp(server, client, sport, cport, 0, 0, 0x04, v6),                  # RST, ack 0
        tcp(server, client, sport, cport, seq, 0, 0x04, v6),                # RST, ack 0, seq = our ISN
        tcp(server, client, sport, cport, 0, (seq + 7) & M, 0x14, v6),      # RST+ACK, wrong ack
    ]
    out = [ip_packet(server, client, 6, f, v6) for f in out]
    # A stale reply: right for a SYN of the earlier run, to that run's port.
    old = [s for s in stale if s[5] == v6]
    if old:
        o = random.choice(old)
        out.append(ip_packet(server, client, 6, tcp(server, client, o[3], o[2], 1, (o[4] + 1) & M, 0x12, v6), v6))
        out.append(ip_packet(server, client, 6, tcp(server, client, sport, cport, 1, (o[4] + 1) & M, 0x12, v6), v6))
    hl = 40 if v6 else (original[0] & 15) * 4
    other = bytearray(original[: hl + 20])
    other[hl + 4 : hl + 8] = struct.pack("!I", (seq + 1) & M)  # another sequence number
    out.append(icmp_error(server, client, bytes(other), v6))
    other[hl + 4 : hl + 8] = struct.pack("!I", (seq - 1) & M)
    out.append(icmp_error(server, client, bytes(other), v6))
    out.append(icmp_error(server, client, bytes(original[: hl + 6]), v6))  # quote cut inside the ports
    out.append(icmp_error(server, client, bytes(original[: hl]), v6))      # quote of the IP header only
    out.append(icmp_error(server, client, bytes(original[: hl - 4]), v6))  # quote cut inside the IP header
    return out


def main():
    iface, n_stale, rounds, budget, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    deadline = time.time() + seconds
    sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sniffer.bind((iface, 0))
    sniffer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    out = {False: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW),
           True: socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)}
    print("ready", flush=True)
    stale, sent, syns, first, last = [], 0, 0, 0.0, 0.0
    while sent < budget and time.time() < deadline:
        wait = deadline - time.time()
        if syns:
            wait = min(wait, 2.0)
        sniffer.settimeout(max(0.01, wait))
        try:
            frame, addr = sniffer.recvfrom(2048)
        except socket.timeout:
            break
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        syn = parse_syn(frame)
        if syn is None:
            continue
        if len(stale) < n_stale:
            stale.append(syn)
            continue
        syns += 1
        packets = forged_for(syn, stale)
        dst = (socket.inet_ntop(socket.AF_INET6 if syn[5] else socket.AF_INET, syn[0]), 0)
        sock = out[syn[5]]
        for _ in range(rounds):
            for p in packets:
                if sent >= budget:
                    break
                try:
                    sock.sendto(p, dst)
                    sent += 1
                    last = time.time()
                    first = first or last
                except (BlockingIOError, OSError):  # ENOBUFS under load: count only what left
                    pass
    print("sent %d stale %d syns %d first %.6f last %.6f" % (sent, len(stale), syns, first, last), flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Forged replies for the lab: waits for one SYN to PORT on the server's
interface, then answers it with near-misses that must change no outcome:
SYN-ACKs and RSTs whose ack is off, replies from the wrong ports, and ICMP
errors that quote another flow. Runs inside a lab namespace, sends only to
the SYN's own source (a lab address), and stops after COUNT rounds.

usage: forge.py IFACE PORT COUNT   (prints the number of packets sent)
"""
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def tcp(src, dst, sport, dport, seq, ack, flags, v6):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    if v6:
        pseudo = src + dst + struct.pack("!IxxxB", len(hdr), 6)
    else:
        pseudo = src + dst + struct.pack("!xBH", 6, len(hdr))
    c = csum(pseudo + hdr)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:]


def ip_packet(src, dst, proto, payload, v6):
    if v6:
        return struct.pack("!IHBB", 6 << 28, len(payload), proto, 64) + src + dst + payload
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def icmp_error(src, dst, quote, v6):
    if v6:
        body = struct.pack("!BBHI", 1, 1, 0, 0) + quote
        pseudo = src + dst + struct.pack("!IxxxB", len(body), 58)
        c = csum(pseudo + body)
        return ip_packet(src, dst, 58, body[:2] + struct.pack("!H", c) + body[4:], True)
    body = struct.pack("!BBHI", 3, 13, 0, 0) + quote
    c = csum(body)
    return ip_packet(src, dst, 1, body[:2] + struct.pack("!H", c) + body[4:], False)


def wait_syn(sniffer, port, deadline):
    while time.time() < deadline:
        sniffer.settimeout(max(0.01, deadline - time.time()))
        try:
            frame = sniffer.recv(2048)
        except socket.timeout:
            break
        eth_type = struct.unpack("!H", frame[12:14])[0]
        pkt = frame[14:]
        if eth_type == 0x0800 and pkt[9] == 6:
            ihl = (pkt[0] & 15) * 4
            src, dst, t, v6 = pkt[12:16], pkt[16:20], pkt[ihl:], False
        elif eth_type == 0x86DD and pkt[6] == 6:
            src, dst, t, v6 = pkt[8:24], pkt[24:40], pkt[40:], True
        else:
            continue
        sport, dport, seq = struct.unpack("!HHI", t[:8])
        if dport == port and t[13] & 0x02 and not t[13] & 0x10:
            return src, dst, sport, dport, seq, v6, pkt
    return None


def main():
    iface, port, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sniffer.bind((iface, 0))
    syn = wait_syn(sniffer, port, time.time() + 10)
    if syn is None:
        print("forge: no SYN seen", file=sys.stderr)
        sys.exit(1)
    client, server, cport, sport, seq, v6, original = syn
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    out = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_RAW)
    dst = socket.inet_ntop(fam, client)
    M = 0xFFFFFFFF
    forged = [
        tcp(server, client, sport, cport, 1, seq & M, 0x12, v6),            # SYN-ACK, ack = ISN
        tcp(server, client, sport, cport, 1, (seq + 2) & M, 0x12, v6),      # SYN-ACK, ack = ISN+2
        tcp(server, client, sport + 1, cport, 1, (seq + 1) & M, 0x12, v6),  # wrong source port
        tcp(server, client, sport, cport + 1, 1, (seq + 1) & M, 0x12, v6),  # wrong destination port
        tcp(server, client, sport, cport, 0, 0, 0x04, v6),                  # RST, ack 0
        tcp(server, client, sport, cport, 0, (seq + 7) & M, 0x14, v6),      # RST+ACK, wrong ack
    ]
    packets = [ip_packet(server, client, 6, f, v6) for f in forged]
    # ICMP errors quoting our addresses and ports but another sequence number.
    hl = 40 if v6 else (original[0] & 15) * 4
    other = bytearray(original[: hl + 20])
    other[hl + 4 : hl + 8] = struct.pack("!I", (seq + 1000) & M)
    packets.append(icmp_error(server, client, bytes(other), v6))
    # ... and quoting our sequence number from another source port.
    other_port = bytearray(original[: hl + 20])
    other_port[hl : hl + 2] = struct.pack("!H", (cport + 1) & 0xFFFF)
    packets.append(icmp_error(server, client, bytes(other_port), v6))
    packets.append(icmp_error(server, client, bytes(original[: hl + 6]), v6))  # truncated quote
    sent = 0
    for _ in range(rounds):
        for p in packets:
            out.sendto(p, (dst, 0))
            sent += 1
    print(sent)


if __name__ == "__main__":
    main()

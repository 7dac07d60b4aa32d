"""What a packet socket costs the kernel on this machine, with and without
the mapped ring that libpcap always sets up: the floor under the one-probe
wall time of every capture-based tool (tcphs, hping3 and nping alike).

Setting up a ring and releasing a packet socket each wait for an RCU grace
period (synchronize_net() in net/packet/af_packet.c: once in
packet_set_ring(), again in packet_release()), so a libpcap capture pays
three: one to open, two to close. Nothing is sent; run it as root inside a
namespace:  packet_socket_cost.py RUNS   -> JSON of medians in ms
"""
import json
import mmap
import socket
import struct
import sys
import time

from stats import median

SOL_PACKET, PACKET_RX_RING, PACKET_VERSION, TPACKET_V2 = 263, 5, 10, 1
ETH_P_ALL = 0x0003
RING = (65536, 1, 512, 128)  # tpacket_req: block size, blocks, frame size, frames


def once(ring):
    t0 = time.perf_counter()
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    m = None
    if ring:
        s.setsockopt(SOL_PACKET, PACKET_VERSION, TPACKET_V2)
        s.setsockopt(SOL_PACKET, PACKET_RX_RING, struct.pack("IIII", *RING))
        m = mmap.mmap(s.fileno(), RING[0] * RING[1])
    t1 = time.perf_counter()
    if m is not None:
        m.close()
    s.close()
    t2 = time.perf_counter()
    return (t1 - t0) * 1000, (t2 - t1) * 1000


def main():
    runs = int(sys.argv[1])
    out = {}
    for name, ring in (("plain", False), ("ring", True)):
        samples = [once(ring) for _ in range(runs)]
        out[name] = {"open_ms": median([s[0] for s in samples]), "close_ms": median([s[1] for s in samples])}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

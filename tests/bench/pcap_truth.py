"""Ground truth from a capture: the SYN -> SYN-ACK (or RST) time of every
probe, read from a pcap file that tcpdump wrote with nanosecond stamps.

A probe is identified by the client's source port and the SYN's sequence
number; its reply is the first SYN-ACK or RST from the server port whose
ack is that sequence number plus one (RFC 9293 §3.4). Parsing is done here
in plain Python (pcap, Ethernet/Linux cooked, IPv4/IPv6, TCP) so the truth
does not depend on any tool under test.
"""
import struct
from dataclasses import dataclass

MAGIC_US = 0xA1B2C3D4
MAGIC_NS = 0xA1B23C4D
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_LINUX_SLL2 = 276

SYN, RST, ACK = 0x02, 0x04, 0x10


@dataclass
class Segment:
    ns: int          # capture stamp, ns since the epoch
    src: str
    dst: str
    sport: int
    dport: int
    seq: int
    ack: int
    flags: int


@dataclass
class Probe:
    sport: int
    seq: int
    syn_ns: int                 # stamp of the (last) SYN with this seq
    reply_ns: int | None = None
    reply_flags: int = 0

    @property
    def rtt_us(self):
        return None if self.reply_ns is None else (self.reply_ns - self.syn_ns) / 1000.0


def read_pcap(path):
    """Yields (ns, link_type, frame bytes) for every record of a pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic_le = struct.unpack_from("<I", data, 0)[0]
    if magic_le in (MAGIC_US, MAGIC_NS):
        endian = "<"
    elif struct.unpack_from(">I", data, 0)[0] in (MAGIC_US, MAGIC_NS):
        endian = ">"
    else:
        raise ValueError(f"{path}: not a pcap file")
    magic = struct.unpack_from(endian + "I", data, 0)[0]
    scale = 1 if magic == MAGIC_NS else 1000
    link = struct.unpack_from(endian + "I", data, 20)[0] & 0xFFFF
    at = 24
    while at + 16 <= len(data):
        sec, sub, caplen, _ = struct.unpack_from(endian + "IIII", data, at)
        at += 16
        yield sec * 10**9 + sub * scale, link, data[at:at + caplen]
        at += caplen


def ip_offset(link, frame):
    """Where the IP header starts in a frame of this link type, or None."""
    if link == LINKTYPE_ETHERNET:
        if len(frame) < 14:
            return None
        ethertype, off = struct.unpack_from(">H", frame, 12)[0], 14
        if ethertype == 0x8100 and len(frame) >= 18:
            ethertype, off = struct.unpack_from(">H", frame, 16)[0], 18
        return off if ethertype in (0x0800, 0x86DD) else None
    if link == LINKTYPE_LINUX_SLL:
        return 16 if len(frame) >= 16 and struct.unpack_from(">H", frame, 14)[0] in (0x0800, 0x86DD) else None
    if link == LINKTYPE_LINUX_SLL2:
        return 20 if len(frame) >= 20 and struct.unpack_from(">H", frame, 0)[0] in (0x0800, 0x86DD) else None
    if link == LINKTYPE_RAW:
        return 0
    return None


def parse_tcp(ns, link, frame):
    """A Segment for an IPv4/IPv6 TCP frame (no IPv6 extension headers), else None."""
    off = ip_offset(link, frame)
    if off is None or len(frame) < off + 1:
        return None
    version = frame[off] >> 4
    if version == 4:
        ihl = (frame[off] & 0x0F) * 4
        if frame[off + 9] != 6 or len(frame) < off + ihl + 20:
            return None
        src = ".".join(str(b) for b in frame[off + 12:off + 16])
        dst = ".".join(str(b) for b in frame[off + 16:off + 20])
        tcp = off + ihl
    elif version == 6:
        if len(frame) < off + 60 or frame[off + 6] != 6:
            return None
        src, dst = frame[off + 8:off + 24].hex(), frame[off + 24:off + 40].hex()
        tcp = off + 40
    else:
        return None
    sport, dport, seq, ack = struct.unpack_from(">HHII", frame, tcp)
    flags = frame[tcp + 13]
    return Segment(ns, src, dst, sport, dport, seq, ack, flags)


def probes(path, server_port):
    """Every SYN sent to `server_port` in the capture, keyed (client port,
    seq), with the stamp of the first SYN-ACK or RST that answers it."""
    table = {}
    for ns, link, frame in read_pcap(path):
        s = parse_tcp(ns, link, frame)
        if s is None:
            continue
        if s.dport == server_port and s.flags & SYN and not s.flags & (ACK | RST):
            # A retransmission with the same seq restarts the clock, as in
            # every tool here the reported RTT is from the last SYN.
            table[(s.sport, s.seq)] = Probe(s.sport, s.seq, s.ns)
        elif s.sport == server_port and s.flags & ACK and s.flags & (SYN | RST):
            p = table.get((s.dport, (s.ack - 1) % 2**32))
            if p is not None and p.reply_ns is None:
                p.reply_ns, p.reply_flags = s.ns, s.flags
    return table


def by_port(table):
    """The answered probes keyed by client port alone, for tools that report
    only the port; a port used by more than one answered SYN is left out."""
    seen, out = set(), {}
    for (sport, _), p in table.items():
        if p.reply_ns is None:
            continue
        if sport in seen:
            out.pop(sport, None)
            continue
        seen.add(sport)
        out[sport] = p
    return out

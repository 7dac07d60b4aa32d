#!/usr/bin/env bash
# Regenerates the packet fixtures in this directory from real kernels.
# Needs root, iproute2, nft, tcpdump, tshark and python3. Every packet stays
# inside three namespaces created here and deleted on exit:
#   <p>-a (prober) a0 10.77.1.1 fd00:77:1::1 -- <p>-r (router) -- <p>-b (target) b0 10.77.2.1 fd00:77:2::1
# The router rejects TCP port 8082 with port-unreachable and 8083 with
# admin-prohibited (nft), and answers hop-limit-1 SYNs with time exceeded.
# Output: one <name>.hex per packet, starting at the IP header.
# Usage: tests/data/capture_fixtures.sh [OUTPUT_DIR]
set -euo pipefail
out=$(cd "${1:-$(dirname "$0")}" && pwd)
p="tcphs-fx-$$"
work=$(mktemp -d)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for n in a r b; do ip netns del "$p-$n" 2>/dev/null || true; done
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

in_ns() { local n=$1; shift; ip netns exec "$p-$n" "$@"; }

for n in a r b; do ip netns add "$p-$n"; ip -n "$p-$n" link set lo up; done
ip link add a0 netns "$p-a" type veth peer name r0 netns "$p-r"
ip link add b0 netns "$p-b" type veth peer name r1 netns "$p-r"
ip -n "$p-a" addr add 10.77.1.1/24 dev a0
ip -n "$p-a" addr add fd00:77:1::1/64 dev a0 nodad
ip -n "$p-r" addr add 10.77.1.254/24 dev r0
ip -n "$p-r" addr add fd00:77:1::fe/64 dev r0 nodad
ip -n "$p-r" addr add 10.77.2.254/24 dev r1
ip -n "$p-r" addr add fd00:77:2::fe/64 dev r1 nodad
ip -n "$p-b" addr add 10.77.2.1/24 dev b0
ip -n "$p-b" addr add fd00:77:2::1/64 dev b0 nodad
for l in "a a0" "r r0" "r r1" "b b0"; do set -- $l; ip -n "$p-$1" link set "$2" up; done
ip -n "$p-a" route add default via 10.77.1.254
ip -n "$p-a" -6 route add default via fd00:77:1::fe
ip -n "$p-b" route add default via 10.77.2.254
ip -n "$p-b" -6 route add default via fd00:77:2::fe
in_ns r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
  net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
in_ns b sysctl -qw net.ipv4.icmp_ratelimit=0
in_ns r nft -f - <<'NFT'
table inet tcphs_fx {
  chain reject_probes {
    type filter hook forward priority 0; policy accept;
    meta nfproto ipv4 tcp dport 8082 reject with icmp type port-unreachable
    meta nfproto ipv4 tcp dport 8083 reject with icmp type admin-prohibited
    meta nfproto ipv6 tcp dport 8082 reject with icmpv6 type port-unreachable
    meta nfproto ipv6 tcp dport 8083 reject with icmpv6 type admin-prohibited
  }
}
NFT

# Accept-and-close listener on b, port 8080, both families; exits by itself.
ip netns exec "$p-b" python3 - <<'PY' &
import select, socket, time
socks = []
for fam, addr in ((socket.AF_INET, "10.77.2.1"), (socket.AF_INET6, "fd00:77:2::1")):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 8080)); s.listen(16); socks.append(s)
end = time.time() + 60
while time.time() < end:
    for s in select.select(socks, [], [], 0.5)[0]:
        s.accept()[0].close()
PY
pids+=($!)
for _ in $(seq 50); do
  [ "$(in_ns b ss -Hltn 'sport = :8080' | wc -l)" -eq 2 ] && break
  sleep 0.1
done

# capture NS DEV PCAP CMD...: runs CMD in the prober while tcpdump records DEV.
capture() {
  local ns=$1 dev=$2 pcap=$3; shift 3
  ip netns exec "$p-$ns" tcpdump -i "$dev" -U --immediate-mode -w "$pcap" 2>"$pcap.log" &
  local tp=$!
  pids+=("$tp")
  for _ in $(seq 50); do grep -q listening "$pcap.log" && break; sleep 0.1; done
  in_ns a "$@" || true
  sleep 0.3
  kill "$tp"; wait "$tp" 2>/dev/null || true
}

# connect_py HOST PORT [TTL]: one connect() attempt, bounded to 1.5 s.
connect_py() {
  python3 - "$@" <<'PY'
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
ttl = int(sys.argv[3]) if len(sys.argv) > 3 else 0
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
if ttl:
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
s.settimeout(1.5)
s.connect_ex((host, port))
PY
}

# save PCAP FILTER NAME COMMENT: the first packet matching the tshark filter.
save() {
  local pcap=$1 filter=$2 name=$3 comment=$4
  tshark -r "$pcap" -Y "$filter" -F pcap -w "$work/sel.pcap" 2>/dev/null
  python3 - "$work/sel.pcap" "$out/$name.hex" "$comment" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
linktype = struct.unpack("<I", data[20:24])[0]
incl = struct.unpack("<I", data[24 + 8:24 + 12])[0]
pkt = data[40:40 + incl]
skip = {1: 14, 113: 16, 276: 20}[linktype]
pkt = pkt[skip:]
if not pkt:
    sys.exit("no packet matched for " + sys.argv[2])
with open(sys.argv[2], "w") as f:
    f.write("# " + sys.argv[3] + "\n")
    for i in range(0, len(pkt), 16):
        f.write(" ".join("%02x" % b for b in pkt[i:i + 16]) + "\n")
PY
  echo "wrote $name.hex"
}

declare -f connect_py >"$work/fn.sh"
how="tcpdump on a0 in the prober namespace of tests/data/capture_fixtures.sh"

# Listener replies: SYN-ACK with the kernel's default options, and the RST.
capture a a0 "$work/sa4.pcap" bash -c "source $work/fn.sh; connect_py 10.77.2.1 8080; connect_py 10.77.2.1 8081"
save "$work/sa4.pcap" "tcp.flags == 0x012" synack_v4 "Linux SYN-ACK, IPv4, python connect() to a listener; $how"
save "$work/sa4.pcap" "tcp.flags == 0x014" rst_v4 "Linux RST+ACK for a closed port, IPv4; $how"
save "$work/sa4.pcap" "tcp.flags == 0x002" syn_v4 "Linux SYN (default sysctls), IPv4; $how"
capture a a0 "$work/sa6.pcap" bash -c "source $work/fn.sh; connect_py fd00:77:2::1 8080; connect_py fd00:77:2::1 8081"
save "$work/sa6.pcap" "tcp.flags == 0x012" synack_v6 "Linux SYN-ACK, IPv6, python connect() to a listener; $how"
save "$work/sa6.pcap" "tcp.flags == 0x014" rst_v6 "Linux RST+ACK for a closed port, IPv6; $how"
save "$work/sa6.pcap" "tcp.flags == 0x002" syn_v6 "Linux SYN (default sysctls), IPv6; $how"

# ECN: the prober asks (tcp_ecn=1), the target agrees with SYN|ACK|ECE.
in_ns a sysctl -qw net.ipv4.tcp_ecn=1
capture a a0 "$work/ecn.pcap" bash -c "source $work/fn.sh; connect_py 10.77.2.1 8080"
in_ns a sysctl -qw net.ipv4.tcp_ecn=2
save "$work/ecn.pcap" "tcp.flags == 0x0c2" syn_ecn_v4 "Linux ECN-setup SYN (tcp_ecn=1), IPv4; $how"
save "$work/ecn.pcap" "tcp.flags == 0x052" synack_ecn_v4 "Linux ECN-setup SYN-ACK (SYN|ACK|ECE), IPv4; $how"

# ICMP errors from the router (nft reject) and from the target (UDP).
capture a a0 "$work/icmp4.pcap" bash -c "source $work/fn.sh; connect_py 10.77.2.1 8082; connect_py 10.77.2.1 8083; connect_py 10.77.2.1 8080 1; python3 -c \"import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'tcphs', ('10.77.2.1', 9))\""
save "$work/icmp4.pcap" "icmp.type == 3 && icmp.code == 3 && tcp" icmp4_port_unreach "ICMPv4 3/3 from an nft reject on the router, quoting a SYN; $how"
save "$work/icmp4.pcap" "icmp.type == 3 && icmp.code == 13" icmp4_admin_prohibited "ICMPv4 3/13 from an nft reject on the router, quoting a SYN; $how"
save "$work/icmp4.pcap" "icmp.type == 11" icmp4_time_exceeded "ICMPv4 11/0 from the router for a TTL-1 SYN, full quote; $how"
save "$work/icmp4.pcap" "icmp.type == 3 && udp" icmp4_port_unreach_udp "ICMPv4 3/3 from the target quoting a UDP datagram; $how"
capture a a0 "$work/icmp6.pcap" bash -c "source $work/fn.sh; connect_py fd00:77:2::1 8082; connect_py fd00:77:2::1 8083; connect_py fd00:77:2::1 8080 1"
save "$work/icmp6.pcap" "icmpv6.type == 1 && icmpv6.code == 4" icmp6_port_unreach "ICMPv6 1/4 from an nft reject on the router, quoting a SYN; $how"
save "$work/icmp6.pcap" "icmpv6.type == 1 && icmpv6.code == 1" icmp6_admin_prohibited "ICMPv6 1/1 from an nft reject on the router, quoting a SYN; $how"
save "$work/icmp6.pcap" "icmpv6.type == 3" icmp6_time_exceeded "ICMPv6 3/0 from the router for a hop-limit-1 SYN, full quote; $how"

# SYN option layouts as Linux writes them, sysctls switched off in turn
# (on lo inside the prober namespace, to a closed port).
variant() {
  local name=$1 comment=$2; shift 2
  in_ns a sysctl -qw net.ipv4.tcp_timestamps=1 net.ipv4.tcp_sack=1 net.ipv4.tcp_window_scaling=1
  [ $# -gt 0 ] && in_ns a sysctl -qw "$@"
  capture a lo "$work/$name.pcap" bash -c "source $work/fn.sh; connect_py 127.0.0.1 9"
  save "$work/$name.pcap" "tcp.flags == 0x002" "$name" "$comment; tcpdump on lo in the prober namespace of tests/data/capture_fixtures.sh"
}
variant syn_lo_no_ts "Linux SYN with net.ipv4.tcp_timestamps=0" net.ipv4.tcp_timestamps=0
variant syn_lo_no_sack "Linux SYN with net.ipv4.tcp_sack=0" net.ipv4.tcp_sack=0
variant syn_lo_no_ws "Linux SYN with net.ipv4.tcp_window_scaling=0" net.ipv4.tcp_window_scaling=0
variant syn_lo_mss_ws "Linux SYN with tcp_timestamps=0 and tcp_sack=0" net.ipv4.tcp_timestamps=0 net.ipv4.tcp_sack=0
variant syn_lo_mss_only "Linux SYN with tcp_timestamps, tcp_sack and tcp_window_scaling all 0" \
  net.ipv4.tcp_timestamps=0 net.ipv4.tcp_sack=0 net.ipv4.tcp_window_scaling=0
in_ns a sysctl -qw net.ipv4.tcp_timestamps=1 net.ipv4.tcp_sack=1 net.ipv4.tcp_window_scaling=1
capture a lo "$work/tfo.pcap" python3 -c "
import socket
s = socket.socket()
s.setblocking(False)
try:
    s.sendto(b'x', socket.MSG_FASTOPEN, ('127.0.0.1', 9))
except BlockingIOError:
    pass"
save "$work/tfo.pcap" "tcp.flags == 0x002" syn_lo_tfo "Linux SYN with a TFO cookie request (sendto MSG_FASTOPEN, no cookie cached); tcpdump on lo in the prober namespace of tests/data/capture_fixtures.sh"

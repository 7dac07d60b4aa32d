#!/usr/bin/env bash
# The io primitives (route lookup, raw sender, capture, connect prober)
# against real kernels: two namespaces joined by a veth pair, and the unit
# binary's "(lab)" test cases run inside the first. The topology is the one
# tests/unit/io/lab_support.hpp describes; keep the two in step.
# Usage (root): test_io_primitives.sh PATH/TO/tcphs   (tcphs_tests is in tests/ beside it)
set -euo pipefail

tests_bin=$(dirname "$1")/tests/tcphs_tests
if [ "$(id -u)" -ne 0 ]; then
  echo "test_io_primitives: needs root (network namespaces)" >&2
  exit 1
fi
[ -x "$tests_bin" ] || { echo "test_io_primitives: $tests_bin not built" >&2; exit 1; }

here="tcphs-io-$$-a"
peer="tcphs-io-$$-b"
cleanup() {
  ip netns del "$here" 2>/dev/null || true
  ip netns del "$peer" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

ip netns add "$here"
ip netns add "$peer"
ip -n "$here" link set lo up
ip -n "$peer" link set lo up
ip -n "$here" link add tio0 mtu 1400 type veth peer name tio1 netns "$peer"

ip -n "$here" addr add 10.78.1.1/24 dev tio0
ip -n "$here" addr add fd00:78:1::1/64 dev tio0 nodad
ip -n "$peer" addr add 10.78.1.2/24 dev tio1
ip -n "$peer" addr add fd00:78:1::2/64 dev tio1 nodad
ip -n "$peer" addr add 10.78.9.9/32 dev lo
ip -n "$peer" addr add fd00:78:9::9/128 dev lo
ip -n "$here" link set tio0 up
ip -n "$peer" link set tio1 up

# No default route: nothing the tests send can leave these two namespaces.
ip -n "$here" route add 10.78.9.0/24 via 10.78.1.2 mtu lock 1280
ip -n "$here" -6 route add fd00:78:9::/64 via fd00:78:1::2
ip -n "$here" route add unreachable 10.78.66.0/24
ip -n "$here" route add blackhole 10.78.67.0/24
ip -n "$here" route add prohibit 10.78.68.0/24

ip netns exec "$here" nft -f - <<'NFT'
table inet tcphs_io {
  chain out {
    type filter hook output priority 0; policy accept;
    ip daddr 10.78.1.3 drop
    ip6 daddr fd00:78:1::3 drop
  }
}
NFT
ip netns exec "$peer" nft -f - <<'NFT'
table inet tcphs_io {
  chain in {
    type filter hook input priority 0; policy accept;
    tcp dport 10 reject with icmpx type admin-prohibited
  }
}
NFT

ip netns exec "$here" timeout 120 "$tests_bin" --no-skip --test-case='io::*(lab)'

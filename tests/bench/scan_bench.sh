#!/usr/bin/env bash
# Full 65,535-port scans of the lab server (issue #9): tcphs scan against
# nmap -sS -T5 and masscan in the same run, at an equal rate and at each
# tool's top rate, IPv4 and IPv6; wall time, peak RSS, the open ports found
# and the accuracy against the lab's known truth (50 extra listeners on
# random high ports plus the scenario ports). Prints one Markdown table.
#
#   tests/bench/scan_bench.sh [--tcphs PATH] [--out DIR] [--rate R] [--max-rate R]   (root)
#
#   --tcphs PATH   the binary (default: build-bench/tcphs, built if missing)
#   --rate R       the equal rate for every tool (default 100000)
#   --max-rate R   the top rate for tcphs and masscan (default 1000000);
#                  nmap's top is -T5 without --min-rate
# Every tool sends only inside the lab's namespaces: nmap and tcphs from
# the client namespace (its only route leads to router1); masscan is given
# the client's interface, address and router1's MAC explicitly, and a
# source port outside the kernel's ephemeral range. zmap is not run: it
# scans one port across many hosts and cannot do every port of one host.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tcphs= out= rate=100000 max_rate=1000000
while [ $# -gt 0 ]; do
  case $1 in
    --tcphs) tcphs=$(realpath "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --max-rate) max_rate=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scan_bench: unknown argument '$1' (see --help)" >&2; exit 64 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "scan_bench: needs root (network namespaces)" >&2; exit 77; }
for t in nmap masscan python3 /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "scan_bench: $t is missing; run scripts/bootstrap" >&2; exit 69; }
done
if [ -z "$tcphs" ]; then
  tcphs=$root/build-bench/tcphs
  if [ ! -x "$tcphs" ]; then
    cmake -S "$root" -B "$root/build-bench" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$root/build-bench" -j 2 --target tcphs >/dev/null
  fi
fi
out=${out:-$(mktemp -d /tmp/tcphs-scan-bench.XXXXXX)}
mkdir -p "$out"
echo "scan_bench: results in $out" >&2

source "$root/tests/lab/lab.sh"
lab_up || exit 1
listener_pid=""
cleanup() {
  [ -n "$listener_pid" ] && { kill "$listener_pid" 2>/dev/null || true; wait "$listener_pid" 2>/dev/null || true; }
  lab_down
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

mapfile -t extra < <(python3 -c 'import random; print("\n".join(map(str, sorted(random.sample(range(10000, 61000), 50)))))')
specs=()
for p in "${extra[@]}"; do specs+=("$LAB_SERVER4:$p" "[$LAB_SERVER6]:$p"); done
ip netns exec "$LAB_SERVER" python3 "$root/tests/lab/lab_listener.py" "${specs[@]}" >"$out/listener.out" 2>&1 &
listener_pid=$!
for i in $(seq 100); do grep -q ready "$out/listener.out" 2>/dev/null && break; sleep 0.05; done
open_ports=$(printf '%s\n' "$LAB_PORT_OPEN" "$LAB_PORT_SYNLOST" "$LAB_PORT_CONTROL" "$LAB_PORT_MSS" \
  "$LAB_PORT_DELAY" "${extra[@]}" | sort -n | paste -sd,)

echo "$open_ports" >"$out/open_ports"
C() { ip netns exec "$LAB_CLIENT" "$@"; }
timed() { local run=$1; shift; C /usr/bin/time -f "%e %M" -o "$out/$run.time" "$@" >"$out/$run.log" 2>&1 || true; }
router_mac=$(ip -n "$LAB_R1" link show "$LAB_R1_CLIENT_IF" | awk '/link\/ether/ { print $2 }')
# nmap -g: a fixed source port keeps its retries in one flow, as tcphs's are
# (the lab's SYN-lost port drops the first SYN of each flow).
nmap_run() {  # RUN FAMILY [--min-rate R]
  local run=$1 f=$2; shift 2
  local server six=""
  server=$(eval echo "\$LAB_SERVER$f")
  [ "$f" = 6 ] && six=-6
  timed "$run" nmap -n -Pn $six -sS -T5 -p- --reason -g 62111 "$@" -oX "$out/$run.xml" "$server"
}
tcphs_run() {  # RUN FAMILY RATE
  local server
  server=$(eval echo "\$LAB_SERVER$2")
  timed "$1" sh -c "'$tcphs' scan -p- --rate $3 --all-ports --json '$server' >'$out/$1.json'"
}
masscan_run() {  # RUN FAMILY RATE
  local server src mac_option=--router-mac
  server=$(eval echo "\$LAB_SERVER$2")
  src=$(eval echo "\$LAB_CLIENT$2")
  [ "$2" = 6 ] && mac_option=--router-mac-ipv6
  timed "$1" masscan -p0-65535 --rate "$3" --wait 1 --adapter "$LAB_CLIENT_IF" --adapter-ip "$src" \
    --adapter-port 61999 "$mac_option" "$router_mac" -oL "$out/$1.list" --range "$server"
}

for f in 4 6; do
  nmap_run "nmap-v$f-$rate" $f --min-rate "$rate"
  nmap_run "nmap-v$f-T5" $f
  tcphs_run "tcphs-v$f-$rate" $f "$rate"
  tcphs_run "tcphs-v$f-$max_rate" $f "$max_rate"
  masscan_run "masscan-v$f-$rate" $f "$rate"
  masscan_run "masscan-v$f-$max_rate" $f "$max_rate"
done
cleanup
trap - EXIT INT TERM
echo "Full scans of the lab server (65,535 ports; masscan: 65,536 with --wait 1)"
python3 "$root/tests/bench/scan_bench.py" "$out" "$open_ports" | tee "$out/scan_table.md"

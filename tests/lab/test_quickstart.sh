#!/usr/bin/env bash
# scripts/quickstart, run as the README tells a newcomer to (here with the
# built binary, so it neither installs nor builds): it exits 0, prints one
# outcome per lab scenario, each the one SPEC §2 gives that row, and leaves
# no namespace behind, also when it is stopped half way.
# usage: bash test_quickstart.sh PATH/TO/tcphs   (root)
set -uo pipefail
TCPHS=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
source "$here/check.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
namespaces_of() { ip netns list | awk -v p="tcphs-lab-$1-" 'index($1, p) == 1 { print $1 }'; }

"$src/scripts/quickstart" --tcphs "$TCPHS" >"$W/out" 2>"$W/err" &
pid=$!
wait $pid
check_eq "quickstart exits 0" 0 "$?"
check_eq "quickstart leaves no namespace" "" "$(namespaces_of $pid)"
check "quickstart says so" grep -qx "no tcphs-lab-$pid-\* namespace is left, and no packet left the machine" "$W/out"

# One line per scenario: the row, the outcome and exit code SPEC §2 gives it.
while IFS='|' read -r row outcome code; do
  check "row '$row': $outcome, exit $code, ok" \
    grep -qE "^$(sed 's/[][().*+?^$\\|]/\\&/g' <<<"$row") +$outcome +$code +ok$" "$W/out"
done <<'EOF'
SYN+ACK acknowledging our ISN+1|open|0
RST from the target|refused|1
ICMP port unreachable (3/3)|refused|1
RST sent by a firewall|refused|1
no reply after every retransmission|timeout|2
ICMP administratively prohibited (3/13)|filtered|3
ICMP host unreachable (3/1)|unreachable|4
ICMP time exceeded (11/0)|unreachable|4
SYN lost, the retransmission answered|open|0
SYNs dropped on the path|timeout|2
SYN+ACK (IPv6)|open|0
ICMPv6 port unreachable (1/4)|refused|1
ICMPv6 administratively prohibited (1/1)|filtered|3
EOF
check_eq "exactly 13 scenario lines" 13 "$(grep -cE ' (open|refused|timeout|filtered|unreachable) +[0-9]+ +(ok|EXPECTED)' "$W/out")"
check "the summary line" grep -qx "13 of 13 scenarios ended in the outcome the failure table gives them." "$W/out"
check "the synlost row was answered on attempt 2" grep -q "seen: attempt 2, rtt" "$W/out"
check "it shows how to probe a real host" grep -qF "probe example.com:443" "$W/out"
check_eq "stderr holds only the lab's two lines" 2 "$(grep -c '^lab: ' "$W/err")"

# Stopped half way (SIGTERM while the probes wait for their timeouts): the
# lab still goes away. (A background job of a script ignores SIGINT.)
"$src/scripts/quickstart" --tcphs "$TCPHS" >"$W/out2" 2>"$W/err2" &
pid=$!
for _ in $(seq 100); do
  grep -q "== probing" "$W/out2" 2>/dev/null && break
  sleep 0.1
done
check "the second run got as far as the probes" grep -q "== probing" "$W/out2"
check_eq "its lab is up" 4 "$(namespaces_of $pid | wc -l)"
descendants() { local c; for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done; }
sleep 1
mapfile -t probes < <(for p in $(descendants $pid); do [ "$(cat /proc/$p/comm 2>/dev/null)" = tcphs ] && echo "$p"; done)
check "tcphs probes are still waiting for their timeouts (${#probes[@]})" test ${#probes[@]} -ge 1
kill -TERM $pid
wait $pid
check_eq "stopped by SIGTERM: exit 143" 143 "$?"
check_eq "stopped by SIGTERM: no namespace left" "" "$(namespaces_of $pid)"
check_eq "stopped by SIGTERM: none of its tcphs processes is left" "" \
  "$(for p in "${probes[@]}"; do kill -0 "$p" 2>/dev/null && echo "$p"; done)"
check_done

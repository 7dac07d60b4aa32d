#!/usr/bin/env bash
# Bad input: each case gets one line on stderr, its documented exit code and
# nothing on stdout. Runs in the lab's client namespace (and a bare one), so
# a name lookup can never leave the machine.
# usage: bash test_bad_input.sh PATH/TO/tcphs   (root)
set -uo pipefail
TCPHS=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lab.sh"
source "$here/check.sh"
lab_up || { echo "FAIL lab_up"; exit 1; }
W=$LAB_DIR
S=$LAB_SERVER4

# A namespace with only lo: nothing is routable from it. lab_down removes it
# with the rest, since it carries the lab's prefix.
BARE=${LAB_PREFIX}bare
ip netns add "$BARE" && ip -n "$BARE" link set lo up

# A local firewall in the client that refuses SYNs to one port on output.
ip netns exec "$LAB_CLIENT" nft -f - <<EOT
table inet tcphs_bad_input {
  chain out { type filter hook output priority 0; tcp dport 7999 drop; }
}
EOT

# namespace | exit | stderr must contain | arguments...
cases=$(cat <<EOT
cl|64|targets is required|probe
cl|64|invalid target ''|probe ''
cl|64|invalid target '   '|probe '   '
cl|64|invalid target 'host:'|probe host:
cl|64|invalid target ':80'|probe :80
cl|64|invalid target 'host:0'|probe host:0
cl|64|invalid target 'host:65536'|probe host:65536
cl|64|invalid target '[::1'|probe '[::1'
cl|64|need brackets|probe ::1:80
cl|64|unknown service 'nosuchservice'|probe host:nosuchservice
cl|68|could not resolve 'no-such-host.invalid'|probe no-such-host.invalid:80
cl|64|--count|probe -c -1 $S:7001
cl|64|--count|probe -c 0 $S:7001
cl|64|--interval|probe -i 0 $S:7001
cl|64|--rto|probe --rto 5x $S:7001
cl|64|--ttl|probe --ttl 0 $S:7001
cl|64|--ttl|probe --ttl 256 $S:7001
cl|64|unknown outcome 'bogus'|probe --expect bogus $S:7001
cl|64|-4|probe -4 -6 $S:7001
cl|64|--mode|probe --mode bogus $S:7001
cl|64|is an IPv6 address, but -4|probe -4 [::1]:7001
cl|64|unknown interface 'nosuchif0'|probe -I nosuchif0 $S:7001
cl|64|is not an address of this host|probe --source 10.77.3.99 $S:7001
cl|64|--no-options cannot be combined|probe --no-options --mss 1000 $S:7001
cl|64|was not expected: --bogus-flag|probe --bogus-flag $S:7001
cl|64|A subcommand is required|
cl|3|refused by a local firewall|probe $S:7999
cl|3|a local firewall dropped them|handshake --retries 1 $S:7999
cl|64|missing port|handshake $S
cl|64|--send excludes --http|handshake --send x --http $S:7001
cl|64|invalid duration 'abc'|handshake --hold abc $S:7001
cl|64|unknown interface 'nosuchif0'|handshake -I nosuchif0 $S:7001
bare|4|no route to 10.77.3.2|probe $S:7001
bare|4|no route to fd00:77:3::2|probe [$LAB_SERVER6]:7001
EOT
)
n=0
while IFS='|' read -r ns code message args; do
  n=$((n + 1))
  netns=$LAB_CLIENT
  [ "$ns" = bare ] && netns=$BARE
  eval "set -- $args"
  ip netns exec "$netns" "$TCPHS" "$@" >"$W/out" 2>"$W/err"
  rc=$?
  label="bad input $n (tcphs $args)"
  check_eq "$label: exit" "$code" "$rc"
  check "$label: stderr has '$message'" grep -qF -- "$message" "$W/err"
  check_eq "$label: one line on stderr" 1 "$(wc -l <"$W/err")"
  check_eq "$label: nothing on stdout" 0 "$(wc -c <"$W/out")"
done <<<"$cases"
echo "tried $n bad inputs"
check_done

#!/usr/bin/env bash
# Bad input: each case gets one line on stderr, its documented exit code and
# nothing on stdout. Runs in the lab's client namespace (and a bare one), so
# a name lookup can never leave the machine.
# usage: bash test_bad_input.sh PATH/TO/tcphs   (root)
source "$(dirname "$0")/lab_test.sh" "$@"

# A namespace with only lo: nothing is routable from it. lab_down removes it
# with the rest, since it carries the lab's prefix.
BARE=${LAB_PREFIX}bare
ip netns add "$BARE" && ip -n "$BARE" link set lo up

# Name lookups in the client never leave it: `ip netns exec` mounts these
# over /etc/hosts and /etc/resolv.conf, and the only name server is the
# client's own loopback, where nothing listens (the capture below checks it).
NETNS_ETC=/etc/netns/$LAB_CLIENT
mkdir -p "$NETNS_ETC"
printf '127.0.0.1 localhost\n' >"$NETNS_ETC/hosts"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$NETNS_ETC/resolv.conf"
trap 'rm -rf "$NETNS_ETC"; lab_down' EXIT
trap 'rm -rf "$NETNS_ETC"; lab_down; exit 130' INT
trap 'rm -rf "$NETNS_ETC"; lab_down; exit 143' TERM

# Files for check: binary garbage, no checks, one bad line, a directory.
head -c 4096 /dev/urandom >"$W/garbage.bin"
printf 'x\0\377' >>"$W/garbage.bin"  # a NUL byte for sure
printf '# only a comment\n\n' >"$W/empty.txt"
printf '%s:7001 open\n%s:7001 opne name=typo\n' "$S" "$S" >"$W/onebad.txt"
printf '%s:nosuchservice open\n' "$S" >"$W/badservice.txt"
mkdir -p "$W/adir"

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
cl|64|invalid target 'host:65536'|handshake host:65536
cl|64|--ttl|handshake --ttl 256 $S:7001
cl|64|target is required|trace
cl|64|invalid target ''|trace ''
cl|64|invalid target '[::1'|trace '[::1'
cl|64|need brackets|trace ::1:80
cl|64|--max-hops|trace --max-hops 0 $S:7001
cl|64|--queries|trace --queries 0 $S:7001
cl|64|--ttl|trace --ttl 0 $S:7001
cl|64|-4 excludes -6|trace -4 -6 $S:7001
cl|64|unknown interface 'nosuchif0'|trace -I nosuchif0 $S:7001
cl|64|is not an address of this host|trace --source 10.77.3.99 $S:7001
cl|68|could not resolve 'no-such-host.invalid'|trace no-such-host.invalid:80
cl|64|hosts is required|scan
cl|64|invalid host '': empty host|scan '' -p 80
cl|64|invalid host '   ': empty host|scan '   ' -p 80
cl|64|give the ports with -p|scan $S:7001
cl|64|port 0 is not allowed|scan $S -p 0
cl|64|port 70000 is out of range|scan $S -p 70000
cl|64|reversed range '5-1'|scan $S -p 5-1
cl|64|--rate 0|scan $S -p 7001 --rate 0
cl|64|--rate -5|scan $S -p 7001 --rate -5
cl|64|unknown interface 'nosuchif0'|scan $S -p 7001 -I nosuchif0
cl|68|could not resolve 'no-such-host.invalid'|scan no-such-host.invalid -p 80
cl|64|input is required|check
cl|64|$W/nonexistent.txt: No such file or directory|check $W/nonexistent.txt
cl|64|$W/adir: Is a directory|check $W/adir
cl|64|$W/garbage.bin: binary data (a NUL byte on line|check $W/garbage.bin
cl|64|<stdin>: binary data|check - <$W/garbage.bin
cl|64|$W/empty.txt: no checks|check $W/empty.txt
cl|64|$W/onebad.txt:2: unknown outcome 'opne'|check $W/onebad.txt
cl|64|$W/badservice.txt:1: unknown service 'nosuchservice'|check $W/badservice.txt
cl|64|unknown outcome 'bogus'|check --expect bogus $S:7001
cl|64|--parallel|check --parallel 0 $W/onebad.txt
cl|64|directory '/nonexistent/dir' does not exist|check --junit /nonexistent/dir/r.xml --expect open $S:7001
cl|64|is a directory, not a file name|check --openmetrics $W/adir --expect open $S:7001
cl|64|target is required|isn
cl|64|invalid target 'host:'|isn host:
cl|64|--count|isn --count 1 $S:7001
cl|64|--count|isn --count -3 $S:7001
cl|64|-4 excludes -6|isn -4 -6 $S:7001
cl|64|unknown service 'nosuchservice'|isn $S:nosuchservice
cl|68|could not resolve 'no-such-host.invalid'|isn no-such-host.invalid:80
cl|64|unknown outcome 'bogus'|explain bogus
cl|64|was not expected: extra|explain open extra
bare|4|no route to 10.77.3.2|probe $S:7001
bare|4|no route to fd00:77:3::2|probe [$LAB_SERVER6]:7001
EOT
)
# Nothing below may put a packet on the client's wire: usage errors send
# nothing, the firewalled SYNs die in the output hook, lookups stay on lo.
capture_start "$LAB_CLIENT" "$W/wire.pcap" "tcp or udp or icmp or icmp6" || echo "FAIL capture on the client"
n=0
while IFS='|' read -r ns code message args; do
  n=$((n + 1))
  netns=$LAB_CLIENT
  [ "$ns" = bare ] && netns=$BARE
  input=/dev/null
  case "$args" in *" <"*) input=${args##* <}; args=${args% <*} ;; esac
  eval "set -- $args"
  t0=${EPOCHREALTIME/./}
  ip netns exec "$netns" "$TCPHS" "$@" <"$input" >"$W/out" 2>"$W/err"
  rc=$?
  ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
  [ "$ms" -lt 1000 ] || echo "  (case $n took $ms ms)"
  label="bad input $n (tcphs $args)"
  check_eq "$label: exit" "$code" "$rc"
  check "$label: stderr has '$message'" grep -qF -- "$message" "$W/err"
  check_eq "$label: one line on stderr" 1 "$(wc -l <"$W/err")"
  check_eq "$label: nothing on stdout" 0 "$(wc -c <"$W/out")"
done <<<"$cases"
capture_stop
tcpdump -r "$W/wire.pcap" -n 2>/dev/null | grep -v 'ICMP6, \(router\|neighbor\) \|ICMP6, multicast' >"$W/wire.txt"
grep -v "^[0-9:.]* lo " "$W/wire.txt" | sed 's/^/  on the wire: /' | head -20
check_eq "no bad input put a packet on the client's wire (c0)" 0 "$(grep -vc "^[0-9:.]* lo " "$W/wire.txt")"
check "the .invalid lookups went to the client's own loopback (and the capture saw them)" \
  grep -q " lo .* 127.0.0.1.53: .* A? no-such-host.invalid" "$W/wire.txt"
commands=$(sed -n 's/^[a-z]*|[0-9]*|[^|]*|\([a-z]\+\).*/\1/p' <<<"$cases" | sort -u | tr '\n' ' ')
echo "tried $n bad inputs; commands: $commands"
check_eq "every command has bad inputs" "check explain handshake isn probe scan trace " "$commands"
check_done

#!/usr/bin/env bash
# Lab integration tests for `tcphs scan`: full -p- scans of the lab server,
# IPv4 and IPv6, equal to nmap -sS port by port (with 50 more listeners on
# random high ports); no half-open connection left on the server; the
# retransmission; peak RSS; --expect; the table; JSON; progress on a
# terminal only; and the public-address safety check (in an empty namespace).
# usage: bash test_scan.sh PATH/TO/tcphs   (root; needs nmap and script)
source "$(dirname "$0")/lab_test.sh" "$@"
iso="tcphs-scan-$$-iso"
listener_pid=""
cleanup() {
  [ -n "$listener_pid" ] && { kill "$listener_pid" 2>/dev/null; wait "$listener_pid" 2>/dev/null; }
  ip netns del "$iso" 2>/dev/null
  lab_down
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

# --- 50 more listeners on random high ports (both families) ----------------
mapfile -t extra < <(python3 -c 'import random; print("\n".join(map(str, sorted(random.sample(range(10000, 61000), 50)))))')
specs=()
for p in "${extra[@]}"; do specs+=("$LAB_SERVER4:$p" "[$LAB_SERVER6]:$p"); done
ip netns exec "$LAB_SERVER" python3 "$here/lab_listener.py" "${specs[@]}" >"$W/extra.out" 2>"$W/extra.log" &
listener_pid=$!
for i in $(seq 100); do grep -q ready "$W/extra.out" 2>/dev/null && break; sleep 0.05; done
check "50 extra listeners ready" grep -q ready "$W/extra.out"
open_ports=$(printf '%s\n' "$LAB_PORT_OPEN" "$LAB_PORT_SYNLOST" "$LAB_PORT_CONTROL" "$LAB_PORT_MSS" \
  "$LAB_PORT_DELAY" "${extra[@]}" | sort -n | paste -sd,)

# --- full scans against nmap, port by port -----------------------------------
# nmap changes its source port on a retry unless -g fixes it; the lab's
# SYN-lost port keys flows on (source address, source port), so without -g
# nmap's retry would meet the drop again while tcphs's (same flow) passes.
for f in 4 6; do
  server=$(eval echo "\$LAB_SERVER$f")
  six=$([ $f = 6 ] && echo -6)
  C nmap -n -Pn $six -sS -T5 -p- --reason -g 62111 -oX "$W/nmap$f.xml" "$server" >"$W/nmap$f.txt" 2>&1
  check_eq "nmap IPv$f ran" 0 "$?"
  start=$EPOCHREALTIME
  C /usr/bin/time -f %M -o "$W/rss$f" "$TCPHS" scan -p- --rate 50000 --all-ports --json "$server" \
    >"$W/scan$f.json" 2>"$W/scan$f.err"
  rc=$?
  ms=$(( (${EPOCHREALTIME/./} - ${start/./}) / 1000 ))
  half_open=$(ip netns exec "$LAB_SERVER" ss -Htn state syn-recv | wc -l)
  check_eq "scan IPv$f exit" 0 "$rc"
  check "scan IPv$f equals nmap on every port, open = the listeners" \
    python3 "$here/scan_compare.py" "$W/nmap$f.xml" "$W/scan$f.json" --open "$open_ports"
  check_eq "scan IPv$f: no SYN_RECV left on the server" 0 "$half_open"
  check_eq "scan IPv$f: 65535 ports decided" 65535 "$(J "$W/scan$f.json" "summary['counts']['open'] + summary['counts']['refused'] + summary['counts']['timeout'] + summary['counts']['filtered'] + summary['counts']['unreachable']")"
  check_eq "scan IPv$f: SYN-lost port open on the retransmission" 2 \
    "$(J "$W/scan$f.json" "[r['attempt'] for r in recs if r.get('port') == $LAB_PORT_SYNLOST][0]")"
  check_eq "scan IPv$f: no capture drops" 0 "$(J "$W/scan$f.json" "summary['capture_drops']")"
  rss=$(cat "$W/rss$f")
  check "scan IPv$f: peak RSS ${rss} kB <= 20 MB" [ "$rss" -le 20480 ]
  # 65,535 SYNs at 50,000 pps take 1.3 s; allow a loaded machine 4 s more.
  check "scan IPv$f: done in ${ms} ms" [ "$ms" -le 5500 ]
  check_eq "scan IPv$f: nothing on stderr" "" "$(cat "$W/scan$f.err")"
done

# --- the kernel's RST closes each half-open connection ---------------------
capture_start "$LAB_SERVER" "$W/rst.pcap" "tcp and src host $LAB_CLIENT4 and tcp[tcpflags] & tcp-rst != 0" ||
  echo "FAIL capture rst"
C "$TCPHS" scan -p "$LAB_PORT_OPEN,$LAB_PORT_CONTROL,$LAB_PORT_MSS" "$LAB_SERVER4" >/dev/null
capture_stop
check_eq "the client kernel reset each of the 3 SYN-ACKs" 3 \
  "$(tcpdump -r "$W/rst.pcap" -n 2>/dev/null | wc -l)"

# --- the table ---------------------------------------------------------------
C "$TCPHS" scan -p "$LAB_PORT_OPEN-$LAB_PORT_DELAY" --color never "$LAB_SERVER4" >"$W/table.txt"
check_eq "table exit" 0 "$?"
row() { awk -v p="$1/tcp" '$1 == p' "$W/table.txt"; }
check "table: open port with its SYN-ACK" bash -c "[[ '$(row $LAB_PORT_OPEN)' == *open*'SA ttl=62'* ]]"
check "table: admin-prohibited is filtered, from the server" \
  bash -c "[[ '$(row $LAB_PORT_ADMIN)' == *filtered*'icmp 3/13 from $LAB_SERVER4'* ]]"
check "table: port-unreachable is refused" bash -c "[[ '$(row $LAB_PORT_PORTUNREACH)' == *refused*'icmp 3/3'* ]]"
check "table: the drop is a timeout after 2 SYNs" bash -c "[[ '$(row $LAB_PORT_DROP)' == *timeout*'no reply (2 SYNs)'* ]]"
check "table: SYN lost, open on the 2nd SYN" bash -c "[[ '$(row $LAB_PORT_SYNLOST)' == *open*'(2nd SYN)' ]]"
check_eq "table: counts line" "5 open, 3 refused, 2 timeout, 1 filtered" "$(sed -n '/^[0-9]* open/p' "$W/table.txt")"
C "$TCPHS" scan -p 1-2000 --color never "[$LAB_SERVER6]" >"$W/table6.txt"
check_eq "table: many refused ports are counted, not listed" "0 open, 2,000 refused (not shown)" \
  "$(sed -n '/^[0-9]* open/p' "$W/table6.txt")"
# -v: the capture ring's PACKET_STATISTICS on stderr, rate and drops in the summary.
C "$TCPHS" scan -v -p "$LAB_PORT_OPEN,$LAB_PORT_CLOSED" --color never "$LAB_SERVER4" >"$W/verbose.out" 2>"$W/verbose.err"
check "verbose: capture counters (PACKET_STATISTICS) on stderr" \
  grep -qE '^tcphs: scan engine: .*capture [1-9][0-9]* received, 0 dropped' "$W/verbose.err"
check "verbose: the summary has the rate and the capture drops" \
  grep -qE '^rate 1000 pps requested, 1000 pps at the end; 0 duplicate replies; 0 capture drops' "$W/verbose.out"
check "verbose: no drops, so no warning" bash -c "! grep -q 'may be wrong' '$W/verbose.out'"

# --- exit codes ----------------------------------------------------------------
C "$TCPHS" scan -q -p "$LAB_PORT_OPEN,$LAB_PORT_CONTROL" --expect open "$LAB_SERVER4" >/dev/null
check_eq "--expect open, all open" 0 "$?"
C "$TCPHS" scan -q -p "$LAB_PORT_OPEN,$LAB_PORT_CLOSED" --expect open "$LAB_SERVER4" >/dev/null
check_eq "--expect open, one refused: exit 1" 1 "$?"
C "$TCPHS" scan -q -p "$LAB_PORT_ADMIN" --expect open,refused "[$LAB_SERVER6]" >/dev/null
check_eq "--expect open,refused, one filtered: exit 3" 3 "$?"
C "$TCPHS" scan -q -p "$LAB_PORT_CLOSED,$LAB_PORT_DROP" "$LAB_SERVER4" >/dev/null
check_eq "no --expect: exit 0 whatever the states" 0 "$?"
C "$TCPHS" scan -q --retries 0 --max-wait 200ms -p "$LAB_PORT_DROP" "$LAB_SERVER4" >/dev/null
check_eq "--retries 0" 0 "$?"
C "$TCPHS" scan -p "$LAB_PORT_OPEN" "$LAB_SERVER4:$LAB_PORT_OPEN" >/dev/null 2>"$W/hostport.err"
check_eq "HOST:PORT is a usage error" 64 "$?"

# --- progress on a terminal only ---------------------------------------------
C script -qec "$TCPHS scan -p 1-30000 --rate 20000 $LAB_SERVER4 >/dev/null" /dev/null </dev/null >"$W/pty.out"
check "progress line on a terminal" grep -aqE $'\r''scan +[0-9]+% [0-9,]+/30,000 +[0-9,]+ pps +ETA [0-9]+:[0-9]{2} +replies [0-9,]+' "$W/pty.out"
C "$TCPHS" scan -p 1-30000 --rate 20000 "$LAB_SERVER4" >/dev/null 2>"$W/nopty.err"
check_eq "no progress when stderr is not a terminal" "" "$(cat "$W/nopty.err")"

# --- safety: public destinations need --yes (nothing can leave: no routes) ---
ip netns add "$iso"
I() { ip netns exec "$iso" "$@"; }
I "$TCPHS" scan -p 1-2000 198.18.0.1 </dev/null >"$W/pub.out" 2>"$W/pub.err"
check_eq "2,000 ports of a public address without --yes: exit 64" 64 "$?"
check_eq "... with one line saying why" "tcphs: refusing to scan 2,000 ports of 198.18.0.1, which is not a loopback, private or documentation address without --yes (stdin is not a terminal)" "$(cat "$W/pub.err")"
check_eq "... and nothing on stdout" "" "$(cat "$W/pub.out")"
echo n | I script -qec "$TCPHS scan -p 1-2000 198.18.0.1" /dev/null >"$W/pub_tty.out"
check "on a terminal it asks, and 'n' refuses" grep -q "not confirmed" "$W/pub_tty.out"
I "$TCPHS" scan -p 1-1024 198.18.0.1 </dev/null >/dev/null 2>"$W/pub1024.err"
check "1,024 ports need no --yes (stops at the route)" bash -c "! grep -q refusing '$W/pub1024.err'"
I "$TCPHS" scan --yes -p- 198.18.0.1 </dev/null >/dev/null 2>"$W/pubyes.err"
check "--yes goes ahead (stops at the route)" bash -c "! grep -q refusing '$W/pubyes.err' && grep -qi route '$W/pubyes.err'"
I "$TCPHS" scan -p- 10.1.2.3 </dev/null >/dev/null 2>"$W/private.err"
check "a private address needs no --yes" bash -c "! grep -q refusing '$W/private.err'"

check_done

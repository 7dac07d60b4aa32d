#!/usr/bin/env bash
# Lab integration tests for `tcphs handshake`, IPv4 and IPv6: seq/ack in the
# JSON against an independent tcpdump capture (read by tshark), relative
# numbers, the client's TIME_WAIT (also seen by ss), refused / SYN lost /
# dropped / ICMP with their exit codes and backoff, a server-initiated close,
# the SVG (xmllint, rsvg-convert), the 80-column and ASCII text, and the
# kernel-facts-only mode without capture rights.
# usage: bash test_handshake.sh PATH/TO/tcphs   (root)
source "$(dirname "$0")/lab_test.sh" "$@"
SEGS="[r for r in recs if r['type'] == 'segment']"
SERVER_CLOSE_PORT=7100

# A listener that answers one line and closes first (for --close server).
ip netns exec "$LAB_SERVER" python3 -c '
import select, socket, sys
ls = []
for fam, a in ((socket.AF_INET, sys.argv[1]), (socket.AF_INET6, sys.argv[2])):
    s = socket.socket(fam); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((a, int(sys.argv[3]))); s.listen(8); ls.append(s)
print("ready", flush=True)
for _ in range(4):
    r, _, _ = select.select(ls, [], [], 60)
    if not r: break
    c, _ = r[0].accept(); c.settimeout(5); c.recv(100); c.sendall(b"bye\n"); c.close()
' "$LAB_SERVER4" "$LAB_SERVER6" "$SERVER_CLOSE_PORT" >"$W/closer.log" 2>&1 &
for _ in $(seq 1 100); do grep -q ready "$W/closer.log" 2>/dev/null && break; sleep 0.02; done
check "server-close listener ready" grep -q ready "$W/closer.log"

# The silent drop takes 7 s per family: in the background. Linux 6.5 and
# later resend the first SYNs at a fixed 1 s (net.ipv4.tcp_syn_linear_timeouts,
# default 4); 0 gives the doubling RTO of the seed's failure table.
C sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null || echo "note: no tcp_syn_linear_timeouts (older kernel)"
for f in 4 6; do
  server=$(eval echo "\$LAB_SERVER$f")
  ( C "$TCPHS" handshake --json "$(addr $f "$server"):$LAB_PORT_DROP" >"$W/drop$f.json"; echo $? >"$W/drop$f.rc" ) &
  eval "drop_pid$f=\$!"
done

for f in 4 6; do
  server=$(eval echo "\$LAB_SERVER$f")
  proto=$([ $f = 4 ] && echo ip || echo ip6)

  # --- open port with --send: JSON against tcpdump ------------------------
  capture_start "$LAB_CLIENT" "$W/open$f.pcap" "$proto and tcp port $LAB_PORT_OPEN" || echo "FAIL capture open$f"
  C "$TCPHS" handshake --json --send 'hello\n' "$(addr $f "$server"):$LAB_PORT_OPEN" >"$W/open$f.json"
  check_eq "open IPv$f: exit" 0 "$?"
  # Something the kernel sends after our capture ends cannot be compared.
  capture_stop
  theirs=$(tshark -r "$W/open$f.pcap" -T fields -e tcp.seq_raw -e tcp.ack_raw -e tcp.flags.ack -e tcp.len 2>/dev/null |
    awk '{ printf "%s %s %s\n", $1, ($3 == 1 ? $2 : "-"), $4 }')
  ours=$(J "$W/open$f.json" "'\n'.join('%d %s %d' % (s['seq'], '-' if s['ack'] is None else s['ack'], s['len']) for s in $SEGS)")
  check "open IPv$f: the capture has the whole exchange" [ "$(echo "$theirs" | wc -l)" -ge 8 ]
  check_eq "open IPv$f: seq/ack/len equal tcpdump's" "$theirs" "$ours"
  check_eq "open IPv$f: every segment record has the SPEC keys" True \
    "$(J "$W/open$f.json" "all(all(k in s for k in ('dir', 't_us', 'flags', 'seq', 'ack', 'rel_seq', 'rel_ack', 'len', 'window', 'options', 'client_state', 'server_state', 'inferred')) and s['schema'] == 1 for s in $SEGS)")"
  check_eq "open IPv$f: t_us from the first SYN, increasing" True \
    "$(J "$W/open$f.json" "$SEGS[0]['t_us'] == 0 and all(a['t_us'] <= b['t_us'] for a, b in zip($SEGS, $SEGS[1:]))")"
  check_eq "open IPv$f: relative numbers 0/1" "0 None|0 1|1 1|1 1" \
    "$(J "$W/open$f.json" "'|'.join('%s %s' % (s['rel_seq'], s['rel_ack']) for s in $SEGS[:4])")"
  check_eq "open IPv$f: flags" "S SA A PA" "$(J "$W/open$f.json" "' '.join(s['flags'] for s in $SEGS[:4])")"
  check_eq "open IPv$f: 6 bytes sent" 6 "$(J "$W/open$f.json" "$SEGS[3]['len']")"
  check_eq "open IPv$f: client TIME_WAIT after a client close" TIME_WAIT \
    "$(J "$W/open$f.json" "$SEGS[-1]['client_state']")"
  check_eq "open IPv$f: server states, inferred" "LISTEN SYN_RECEIVED ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED True" \
    "$(J "$W/open$f.json" "' '.join(dict.fromkeys(['LISTEN'] + [s['server_state'] for s in $SEGS])) + ' ' + str(all(s['inferred'] for s in $SEGS))")"
  check_eq "open IPv$f: sock_diag saw TIME_WAIT" TIME_WAIT "$(J "$W/open$f.json" "summary['after_close']['state']")"
  check "open IPv$f: TIME_WAIT timer 50..60 s" \
    python3 -c "import sys; sys.exit(not 50000 <= $(J "$W/open$f.json" "summary['after_close']['expires_ms']") <= 60000)"
  sport=$(J "$W/open$f.json" "summary['source'].rsplit(':', 1)[1]")
  check "open IPv$f: ss shows the 4-tuple in time-wait" \
    bash -c "ip netns exec $LAB_CLIENT ss -Htn state time-wait | grep -q ':$sport '"
  check_eq "open IPv$f: ack = ISN+1 passed" True "$(J "$W/open$f.json" "summary['ack_ok']")"
  check_eq "open IPv$f: client MSS as offered" "$(tshark -r "$W/open$f.pcap" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' -T fields -e tcp.options.mss_val 2>/dev/null | head -1)" \
    "$(J "$W/open$f.json" "summary['negotiated']['client_mss']")"

  # --- text, ASCII, SVG -----------------------------------------------------
  LANG=C.UTF-8 C "$TCPHS" handshake --svg "$W/ladder$f.svg" --http "$(addr $f "$server"):$LAB_PORT_OPEN" >"$W/text$f.txt"
  check_eq "text IPv$f: exit" 0 "$?"
  check "text IPv$f: box drawing in a UTF-8 locale" grep -q '│' "$W/text$f.txt"
  check_eq "text IPv$f: no line over 80 columns" "" \
    "$(python3 -c 'import sys; print("\n".join(l for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if len(l) > 80))' "$W/text$f.txt")"
  check "text IPv$f: the kernel's TIME_WAIT note" grep -q 'kernel (sock_diag): TIME_WAIT after close' "$W/text$f.txt"
  check "text IPv$f: 1 RTT note" grep -q '1 RTT before the client may send' "$W/text$f.txt"
  check "svg IPv$f: well-formed" xmllint --noout "$W/ladder$f.svg"
  check "svg IPv$f: renders to PNG" rsvg-convert -o "$W/ladder$f.png" "$W/ladder$f.svg"
  check "svg IPv$f: a PNG came out" bash -c "head -c 8 '$W/ladder$f.png' | od -An -c | grep -q 'P   N   G'"
  LANG=C C "$TCPHS" handshake "$(addr $f "$server"):$LAB_PORT_OPEN" >"$W/ascii$f.txt"
  check "ascii IPv$f: only ASCII in the C locale" bash -c "! LC_ALL=C grep -q '[^ -~]' '$W/ascii$f.txt'"
  check "ascii IPv$f: arrows drawn" grep -q -- '- SYN ---' "$W/ascii$f.txt"

  # --- --hold and --http -----------------------------------------------------
  C "$TCPHS" handshake --json --http --hold 300ms "$(addr $f "$server"):$LAB_PORT_OPEN" >"$W/hold$f.json"
  check_eq "hold IPv$f: exit" 0 "$?"
  host=$([ $f = 4 ] && echo "$server" || echo "[$server]")
  check_eq "http IPv$f: the HEAD request went out" \
    "$(printf 'HEAD / HTTP/1.1\r\nHost: %s\r\nUser-Agent: tcphs\r\nConnection: close\r\n\r\n' "$host" | wc -c)" \
    "$(J "$W/hold$f.json" "[s['len'] for s in $SEGS if s['dir'] == 'out' and s['len']][0]")"
  check "hold IPv$f: the FIN left after 300 ms" python3 -c "import sys; sys.exit(not $(J "$W/hold$f.json" \
    "[s['t_us'] for s in $SEGS if 'F' in s['flags'] and s['dir'] == 'out'][0]") >= 300000)"

  LANG=C.UTF-8 C "$TCPHS" handshake -q "$(addr $f "$server"):$LAB_PORT_OPEN" >"$W/quiet$f.txt"
  check "quiet IPv$f: the notes without the ladder" \
    bash -c "grep -q '^1 RTT before' '$W/quiet$f.txt' && ! grep -q '│' '$W/quiet$f.txt'"

  # --- failures -------------------------------------------------------------
  C "$TCPHS" handshake --json "$(addr $f "$server"):$LAB_PORT_CLOSED" >"$W/refused$f.json"
  check_eq "refused IPv$f: exit" 1 "$?"
  check_eq "refused IPv$f: SYN then RST" "S RA" "$(J "$W/refused$f.json" "' '.join(s['flags'] for s in $SEGS)")"
  check_eq "refused IPv$f: RST acks ISN+1" 1 "$(J "$W/refused$f.json" "$SEGS[1]['rel_ack']")"

  C "$TCPHS" handshake --json "$(addr $f "$server"):$LAB_PORT_SYNLOST" >"$W/synlost$f.json"
  check_eq "synlost IPv$f: exit" 0 "$?"
  check_eq "synlost IPv$f: second SYN marked a retransmission" "False True" \
    "$(J "$W/synlost$f.json" "' '.join(str(s['retransmission']) for s in $SEGS[:2])")"
  check "synlost IPv$f: retransmitted after about 1 s" \
    python3 -c "import sys; sys.exit(not 900000 < $(J "$W/synlost$f.json" "summary['syn_gaps_us'][0]") < 1500000)"

  C "$TCPHS" handshake --json "$(addr $f "$server"):$LAB_PORT_ADMIN" >"$W/admin$f.json"
  check_eq "admin IPv$f: exit (filtered)" 3 "$?"
  check_eq "admin IPv$f: the ICMP error in the ladder" "$([ $f = 4 ] && echo 3/13 || echo 1/1)" \
    "$(J "$W/admin$f.json" "[ '%d/%d' % (s['icmp']['type'], s['icmp']['code']) for s in $SEGS if s['icmp']][0]")"

  check_eq "admin IPv$f: the client ends CLOSED" CLOSED "$(J "$W/admin$f.json" "$SEGS[-1]['client_state']")"

  # --- a close started by the server ----------------------------------------
  C "$TCPHS" handshake --json --close server --send ping "$(addr $f "$server"):$SERVER_CLOSE_PORT" >"$W/sclose$f.json"
  check_eq "server close IPv$f: exit" 0 "$?"
  check_eq "server close IPv$f: client states" "SYN_SENT ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED" \
    "$(J "$W/sclose$f.json" "' '.join(dict.fromkeys(s['client_state'] for s in $SEGS))")"
  check_eq "server close IPv$f: the server holds TIME_WAIT" TIME_WAIT \
    "$(J "$W/sclose$f.json" "$SEGS[-1]['server_state']")"

  # --- without capture rights -------------------------------------------------
  C setpriv --inh-caps=-all --bounding-set=-all "$TCPHS" handshake "$(addr $f "$server"):$LAB_PORT_OPEN" \
    >"$W/nocap$f.txt" 2>"$W/nocap$f.err"
  check_eq "no capture IPv$f: exit" 0 "$?"
  check "no capture IPv$f: labelled" grep -q 'no capture: kernel facts only' "$W/nocap$f.txt"
  check "no capture IPv$f: TCP_INFO" grep -q '^TCP_INFO: rtt' "$W/nocap$f.txt"
  check "no capture IPv$f: the note" grep -q 'cap_net_raw+ep' "$W/nocap$f.txt"
  check_eq "no capture IPv$f: one notice line on stderr" 1 "$(wc -l <"$W/nocap$f.err")"
done

for f in 4 6; do
  eval "wait \$drop_pid$f"
  check_eq "drop IPv$f: exit (timeout)" 2 "$(cat "$W/drop$f.rc")"
  check_eq "drop IPv$f: three SYNs" 3 "$(J "$W/drop$f.json" "len($SEGS)")"
  check "drop IPv$f: backoff 1 s then 2 s" python3 -c "
import sys
g = $(J "$W/drop$f.json" "summary['syn_gaps_us']")
sys.exit(not (len(g) == 2 and 0.9e6 < g[0] < 1.5e6 and 1.8e6 < g[1] < 2.6e6))"
done

check_done

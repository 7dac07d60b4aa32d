#!/usr/bin/env bash
# Lab integration tests for `tcphs isn`: the server's ISNs, timestamps, IP IDs
# and SYN cookies, read from real SYN-ACKs of the lab server's kernel, in its
# default state and with the sysctls that change each finding (set in the
# server namespace only, and put back).
# usage: bash test_isn.sh PATH/TO/tcphs   (root)
source "$(dirname "$0")/lab_test.sh" "$@"
S() { ip netns exec "$LAB_SERVER" "$@"; }
target() { if [ "$1" = 4 ]; then echo "$LAB_SERVER4:$LAB_PORT_OPEN"; else echo "[$LAB_SERVER6]:$LAB_PORT_OPEN"; fi; }
# A = the value of a Python expression over the analysis record of FILE.
A() { python3 - "$1" "$2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
samples = [r for r in recs if r["type"] == "sample"]
a = [r for r in recs if r["type"] == "analysis"][-1]
v = eval(sys.argv[2])
print(json.dumps(v) if isinstance(v, (list, dict, bool)) or v is None else v)
PY
}
within() { python3 -c "import sys; sys.exit(not abs(float('$1') - float('$2')) <= float('$3'))"; }
sysctls() { S sysctl -n net.ipv4.tcp_syncookies net.ipv4.tcp_timestamps | tr '\n' ' '; }
set_server() { S sysctl -qw "$@"; }
restore_server() { S sysctl -qw net.ipv4.tcp_syncookies=1 net.ipv4.tcp_timestamps=1; }
host_sysctls() { sysctl -n net.ipv4.tcp_syncookies net.ipv4.tcp_timestamps | tr '\n' ' '; }
# The server kernel's own count of SYN cookies sent (TcpExt SyncookiesSent,
# v4 and v6 together): what it did, independent of what isn concludes.
cookies_sent() { S awk '/^TcpExt:/ { if (!h) { split($0, k); h = 1 } else { split($0, v); for (i in k) if (k[i] == "SyncookiesSent") print v[i] } }' /proc/net/netstat; }
host_before=$(host_sysctls)

check_eq "server starts with syncookies=1 timestamps=1" "1 1 " "$(sysctls)"

# --- default state: unpredictable ISNs, 1000 Hz, per-connection offsets ----
cookies0=$(cookies_sent)
for f in 4 6; do
  [ $f = 4 ] && capture_start "$LAB_CLIENT" "$W/default4.pcap" "tcp port $LAB_PORT_OPEN" || true
  C "$TCPHS" isn --json "$(target $f)" >"$W/default$f.json" 2>"$W/default$f.err"
  rc=$?
  [ $f = 4 ] && capture_stop
  check_eq "default IPv$f: exit" 0 "$rc"
  check_eq "default IPv$f: 20 samples, 20 SYN-ACKs analysed" "20 20" "$(A "$W/default$f.json" "'%d %d' % (len(samples), a['samples'])")"
  check_eq "default IPv$f: verdict" unpredictable "$(A "$W/default$f.json" "a['isn']['verdict']")"
  hz=$(A "$W/default$f.json" "a['timestamps']['clock_hz']")
  check "default IPv$f: clock $hz Hz is 1000 Hz ±1%" within "$hz" 1000 10
  check_eq "default IPv$f: offset" per_connection "$(A "$W/default$f.json" "a['timestamps']['offset']")"
  check_eq "default IPv$f: every other connection off the line" "10/10" \
    "$(A "$W/default$f.json" "'%d/%d' % (a['timestamps']['offset_off_line'], a['timestamps']['offset_compared'])")"
  check_eq "default IPv$f: no uptime claimed" null "$(A "$W/default$f.json" "a['timestamps']['uptime_s']")"
  check_eq "default IPv$f (syncookies=1, no flood): cookies" not_detected \
    "$(A "$W/default$f.json" "a['syn_cookies']['verdict']")"
  clock=$(A "$W/default$f.json" "a['isn']['connection_clock_hz']")
  check "default IPv$f: one 4-tuple's ISN clock $clock Hz is Linux's 15.625 MHz ±1%" within "$clock" 15625000 156250
  check_eq "default IPv$f: nothing on stderr" "" "$(cat "$W/default$f.err")"
done
check_eq "default (syncookies=1, no flood): the server kernel sent no cookie" 0 $(($(cookies_sent) - cookies0))
# Every half-open connection was reset, as probe does (RFC 9293: a RST to a
# segment with an ACK takes its seq from that ACK, on the same port), and the
# server holds none of them.
check_eq "default IPv4: a RST from the client for each of the 20 SYN-ACKs" "$(
  tshark -r "$W/default4.pcap" -n -T fields -E separator=' ' -Y "tcp.flags.syn == 1 && tcp.flags.ack == 1" \
    -e tcp.dstport -e tcp.ack_raw | sort | tr '\n' ' ')" "$(
  tshark -r "$W/default4.pcap" -n -T fields -E separator=' ' -Y "tcp.flags.reset == 1 && ip.src == $LAB_CLIENT4" \
    -e tcp.srcport -e tcp.seq_raw | sort | tr '\n' ' ')"
check_eq "default: server holds no SYN_RECV sockets" 0 "$(S ss -Htn state syn-recv | wc -l)"
check_eq "default IPv4: 20 SYNs on the wire (-c defaults to 20)" 20 \
  "$(tshark -r "$W/default4.pcap" -n -Y "tcp.flags.syn == 1 && tcp.flags.ack == 0" | wc -l)"
check_eq "default IPv4: IP ID of DF SYN-ACKs" zero "$(A "$W/default4.json" "a['ip_id']['behaviour']")"
check_eq "default IPv6: no IP ID" n/a "$(A "$W/default6.json" "a['ip_id']['behaviour']")"

# The samples are the SYN-ACKs on the wire: ISN, TSval and IP ID as tshark
# reads them, and receive times as the capture stamped them.
tshark -r "$W/default4.pcap" -n -T fields -E separator=' ' -Y "tcp.flags.syn == 1 && tcp.flags.ack == 1" \
  -e tcp.seq_raw -e tcp.options.timestamp.tsval -e ip.id -e frame.time_epoch |
  python3 -c "import sys; [print(f[0], f[1], int(f[2], 0), f[3]) for f in (l.split() for l in sys.stdin)]" \
    >"$W/default4.wire"
A "$W/default4.json" "'\n'.join('%d %d %d' % (s['isn'], s['tsval'], s['ip_id']) for s in samples)" >"$W/default4.got"
check_eq "default IPv4: samples = SYN-ACKs on the wire (ISN, TSval, IP ID)" \
  "$(cut -d' ' -f1-3 "$W/default4.wire" | sort)" "$(sort "$W/default4.got")"
check "default IPv4: sample times match the capture's within 50 µs" python3 - "$W/default4.wire" "$W/default4.json" <<'PY'
import json, sys
wire = [l.split() for l in open(sys.argv[1])]
t_wire = {int(w[0]): float(w[3]) for w in wire}
samples = [r for r in map(json.loads, open(sys.argv[2])) if r["type"] == "sample"]
first = t_wire[samples[0]["isn"]]
bad = [s for s in samples if abs((t_wire[s["isn"]] - first) * 1e6 - s["t_us"]) > 50]
for s in bad: print("  isn %d: t_us %.1f, capture %.1f" % (s["isn"], s["t_us"], (t_wire[s["isn"]] - first) * 1e6))
sys.exit(1 if bad or len(samples) != 20 else 0)
PY

C "$TCPHS" isn -v "$(target 4)" >"$W/text.out" 2>"$W/text.err"
check_eq "text: exit" 0 "$?"
check "text: the verdict in words, with its number" grep -Eq "^sequence numbers +unpredictable: about 2\^[0-9.]+ values" "$W/text.out"
check "text: the clock rate" grep -q "(nominal 1000 Hz)" "$W/text.out"
check "text: the offset" grep -q "offset random per connection: 10 of 10" "$W/text.out"
check "text: cookies not detected" grep -Eq "^SYN cookies +not detected" "$W/text.out"
check_eq "text -v: a table row per SYN-ACK" 20 "$(grep -cE '^ +[0-9]+ +[0-9]+\*? +[0-9]+ ' "$W/text.out")"

# -c and -i as given: SYNs on the wire, paced (mean spacing from the capture,
# at least the interval less 5 %, at most twice it).
syn_gaps() { tshark -r "$1" -n -T fields -Y "tcp.flags.syn == 1 && tcp.flags.ack == 0" -e frame.time_epoch |
  python3 -c "import sys; t = [float(l) for l in sys.stdin]; print(len(t), round((t[-1] - t[0]) / (len(t) - 1) * 1000, 1))"; }
paced() { python3 -c "import sys; n, g = '$1'.split(); sys.exit(not (int(n) == $2 and 0.95 * $3 <= float(g) <= 2 * $3))"; }
gaps=$(syn_gaps "$W/default4.pcap")
check "default: 20 SYNs, -i 110ms by default (SYNs, mean ms: $gaps)" paced "$gaps" 20 110
capture_start "$LAB_CLIENT" "$W/paced.pcap" "tcp dst port $LAB_PORT_OPEN" || true
C "$TCPHS" isn -q -c 5 -i 300ms "$(target 4)" >/dev/null 2>&1
capture_stop
gaps=$(syn_gaps "$W/paced.pcap")
check "-c 5 -i 300ms: 5 SYNs 300 ms apart (SYNs, mean ms: $gaps)" paced "$gaps" 5 300

# --- SYN cookies always (syncookies=2) --------------------------------------
set_server net.ipv4.tcp_syncookies=2
for f in 4 6; do
  sent0=$(cookies_sent)
  C "$TCPHS" isn --json "$(target $f)" >"$W/cookies$f.json" 2>/dev/null
  check_eq "syncookies=2 IPv$f: exit" 0 "$?"
  check_eq "syncookies=2 IPv$f: the server kernel sent 20 cookies" 20 $(($(cookies_sent) - sent0))
  check_eq "syncookies=2 IPv$f: cookies" detected "$(A "$W/cookies$f.json" "a['syn_cookies']['verdict']")"
  # 9 pairs on the reused 4-tuple; one may straddle a step of the minute counter.
  check_eq "syncookies=2 IPv$f: ISN - our ISN repeats on one 4-tuple" "yes 9 True" \
    "$(A "$W/cookies$f.json" "(lambda e: '%s %d %s' % (e['result'], e['repeats'] + e['counter_steps'], e['repeats'] >= 8))(a['syn_cookies']['evidence']['isn_follows_syn'])")"
  check_eq "syncookies=2 IPv$f: TSval low 6 bits fixed" yes \
    "$(A "$W/cookies$f.json" "a['syn_cookies']['evidence']['tsval_low_bits']['result']")"
  check_eq "syncookies=2 IPv$f: ISNs still unpredictable" unpredictable "$(A "$W/cookies$f.json" "a['isn']['verdict']")"
done
C "$TCPHS" isn "$(target 4)" >"$W/cookies.out" 2>/dev/null
check "syncookies=2 text: detected, with the evidence" grep -Eq "^SYN cookies +detected" "$W/cookies.out"
check "syncookies=2 text: the ISN evidence in numbers" grep -Eq "repeated on the reused connection \([89] of 9 pairs" "$W/cookies.out"

# With no timestamp offset (timestamps=2) the low bits are our SYN's options.
set_server net.ipv4.tcp_timestamps=2
C "$TCPHS" isn --json "$(target 4)" >"$W/cookies_ts2.json" 2>/dev/null
check_eq "syncookies=2 timestamps=2: TSval mod 64 = wscale 7 | SACK (0x17)" "23 true" \
  "$(A "$W/cookies_ts2.json" "'%s %s' % (a['syn_cookies']['evidence']['tsval_low_bits']['low_bits'], str(a['syn_cookies']['evidence']['tsval_low_bits']['matches_offer']).lower())")"
# Without timestamps a cookie has nowhere to keep window scale and SACK.
set_server net.ipv4.tcp_timestamps=0
C "$TCPHS" isn --json "$(target 6)" >"$W/cookies_ts0.json" 2>/dev/null
check_eq "syncookies=2 timestamps=0 IPv6: detected, options stripped on 20 of 20" "detected yes 20/20" \
  "$(A "$W/cookies_ts0.json" "'%s %s %d/%d' % (a['syn_cookies']['verdict'], a['syn_cookies']['evidence']['options_stripped']['result'], a['syn_cookies']['evidence']['options_stripped']['stripped'], a['syn_cookies']['evidence']['options_stripped']['of'])")"
restore_server
check_eq "server restored after the cookie runs" "1 1 " "$(sysctls)"

# --- no timestamps (timestamps=0): said so, no rate invented ----------------
set_server net.ipv4.tcp_timestamps=0
for f in 4 6; do
  C "$TCPHS" isn --json "$(target $f)" >"$W/nots$f.json" 2>"$W/nots$f.err"
  check_eq "timestamps=0 IPv$f: exit" 0 "$?"
  check_eq "timestamps=0 IPv$f: no clock, offset or uptime" "false null null unknown null" \
    "$(A "$W/nots$f.json" "' '.join(json.dumps(a['timestamps'][k]) if k != 'offset' else a['timestamps'][k] for k in ('offered', 'clock_hz', 'nominal_hz', 'offset', 'uptime_s'))")"
  check_eq "timestamps=0 IPv$f: cookies not detected" not_detected "$(A "$W/nots$f.json" "a['syn_cookies']['verdict']")"
  check_eq "timestamps=0 IPv$f: nothing on stderr" "" "$(cat "$W/nots$f.err")"
done
C "$TCPHS" isn "$(target 4)" >"$W/nots.out" 2>&1
check_eq "timestamps=0 text: exit" 0 "$?"
check "timestamps=0 text: says none were offered" grep -Eq "^timestamps +none offered: none of the 20 SYN-ACKs" "$W/nots.out"
check "timestamps=0 text: no clock rate" bash -c "! grep -Eq '^ *(timestamps)? +clock ' '$W/nots.out'"

# --- a global clock (timestamps=2): shared, and the uptime it gives ---------
set_server net.ipv4.tcp_timestamps=2
C "$TCPHS" isn --json "$(target 4)" >"$W/global.json" 2>/dev/null
mono=$(S python3 -c "import time; print(time.clock_gettime(time.CLOCK_MONOTONIC))")
check_eq "timestamps=2: offset" shared "$(A "$W/global.json" "a['timestamps']['offset']")"
up=$(A "$W/global.json" "a['timestamps']['uptime_s']")
check "timestamps=2: uptime $up s = the server's monotonic clock ($mono s) ±3 s" within "$up" "$mono" 3
restore_server
check_eq "server restored at the end" "1 1 " "$(sysctls)"
check_eq "host's own sysctls untouched" "$host_before" "$(host_sysctls)"

# --- errors ------------------------------------------------------------------
C "$TCPHS" isn "$LAB_SERVER4:$LAB_PORT_CLOSED" >"$W/closed.out" 2>&1
check_eq "closed port: exit of 'refused'" 1 "$?"
check "closed port: nothing to analyse, and why" grep -q "nothing to analyse: " "$W/closed.out"
C "$TCPHS" isn --mode connect "$(target 4)" >"$W/connect.out" 2>"$W/connect.err"
check_eq "--mode connect: usage error" 64 "$?"
check "--mode connect: says why" grep -q "isn needs raw sockets" "$W/connect.err"
cp "$TCPHS" "$W/tcphs-plain" && chmod 755 "$W/tcphs-plain" "$W"
C setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$W/tcphs-plain" isn "$(target 4)" \
  >"$W/nocap.out" 2>"$W/nocap.err"
check_eq "no CAP_NET_RAW: exit 77" 77 "$?"
check "no CAP_NET_RAW: one line naming raw sockets and the fix" \
  bash -c "[ \$(wc -l <'$W/nocap.err') -eq 1 ] && grep -q 'isn needs raw sockets.*setcap cap_net_raw+ep' '$W/nocap.err'"
check_eq "no CAP_NET_RAW: stdout empty" "" "$(cat "$W/nocap.out")"

check_done

#!/usr/bin/env bash
# Lab integration tests for `tcphs probe`: every row of the outcome table on
# IPv4 and IPv6, retransmission timing, SYN lost, options against tshark,
# RTT against the capture, forged replies, JSON, privileges, clean-up.
# usage: bash test_probe.sh PATH/TO/tcphs   (root)
source "$(dirname "$0")/lab_test.sh" "$@"

# --- the outcome table, both families -------------------------------------
# The silent drops take 7 s each: run them in the background under capture.
for f in 4 6; do
  server=$(eval echo "\$LAB_SERVER$f")
  proto=$([ $f = 4 ] && echo ip || echo ip6)
  capture_start "$LAB_CLIENT" "$W/drop$f.pcap" "$proto and tcp port $LAB_PORT_DROP" || echo "FAIL capture drop$f"
  eval "cap_drop$f=\$CAP_PID"
  ( start=$EPOCHREALTIME
    C "$TCPHS" probe --json "$(addr $f "$server"):$LAB_PORT_DROP" >"$W/drop$f.json"
    echo $? >"$W/drop$f.rc"
    echo $(( (${EPOCHREALTIME/./} - ${start/./}) / 1000 )) >"$W/drop$f.ms" ) &
  eval "drop_pid$f=\$!"
done

for f in 4 6; do
  server=$(eval echo "\$LAB_SERVER$f")
  unreach=$(eval echo "\$LAB_UNREACH_FW$f")
  while read -r name port want code; do
    target="$(addr $f "$server"):$port"
    [ "$name" = unreachable ] && target="$(addr $f "$unreach"):80"
    C "$TCPHS" probe --json "$target" >"$W/$name$f.json"
    rc=$?
    check_eq "probe $name IPv$f exit" "$code" "$rc"
    check_eq "probe $name IPv$f outcome" "$want" "$(J "$W/$name$f.json" "probes[0]['outcome']")"
  done <<EOT
open $LAB_PORT_OPEN open 0
closed $LAB_PORT_CLOSED refused 1
portunreach $LAB_PORT_PORTUNREACH refused 1
reset $LAB_PORT_RESET refused 1
admin $LAB_PORT_ADMIN filtered 3
unreachable 0 unreachable 4
EOT
  check_eq "closed IPv$f: RST from the server" '"RA"' "$(J "$W/closed$f.json" "json.dumps(probes[0]['reply']['flags'])")"
  check_eq "portunreach IPv$f: ICMP evidence" "$([ $f = 4 ] && echo 3/3 || echo 1/4)" \
    "$(J "$W/portunreach$f.json" "'%d/%d' % (probes[0]['icmp']['type'], probes[0]['icmp']['code'])")"
  check_eq "admin IPv$f: ICMP from the server" "$server" "$(J "$W/admin$f.json" "probes[0]['icmp']['from']")"
  check_eq "unreachable IPv$f: ICMP from router2" "$(eval echo "\$LAB_R2_$f")" \
    "$(J "$W/unreachable$f.json" "probes[0]['icmp']['from']")"
  # The route-based unreachable (rate limited on IPv4, so one probe only).
  C "$TCPHS" probe --json "$(addr $f "$(eval echo "\$LAB_UNREACH$f")"):80" >"$W/route_unreach$f.json"
  check_eq "route unreachable IPv$f exit" 4 "$?"
done

# --- SYN lost: open on attempt 2, timed from the retransmission -------------
for f in 4 6; do
  server=$(eval echo "\$LAB_SERVER$f")
  capture_start "$LAB_CLIENT" "$W/synlost$f.pcap" "tcp port $LAB_PORT_SYNLOST" || echo "FAIL capture"
  C "$TCPHS" probe --json "$(addr $f "$server"):$LAB_PORT_SYNLOST" >"$W/synlost$f.json"
  rc=$?
  capture_stop
  check_eq "synlost IPv$f exit" 0 "$rc"
  check_eq "synlost IPv$f attempt" 2 "$(J "$W/synlost$f.json" "probes[0]['attempt']")"
  truth=$(python3 "$here/pcap_rtt.py" "$W/synlost$f.pcap" "$LAB_PORT_SYNLOST" | awk '{print $2}')
  got=$(J "$W/synlost$f.json" "probes[0]['rtt_us']")
  check "synlost IPv$f RTT ($got µs) = capture from the 2nd SYN ($truth µs) ±50 µs" \
    python3 -c "import sys; sys.exit(abs($got - $truth) > 50)"
done

# --- options: what we send, and what we decode, against tshark -------------
# The capture takes every segment to the port (BPF's tcp[] offsets are
# IPv4-only); tshark picks our SYN.
syn_opts() {  # syn_opts FAMILY ARGS...: a probe under capture, tshark's view of our SYN
  local f=$1 file=$W/syn_$RANDOM.pcap
  shift
  capture_start "$LAB_CLIENT" "$file" "tcp dst port $LAB_PORT_OPEN" >/dev/null
  C "$TCPHS" probe "$(addr $f "$(eval echo "\$LAB_SERVER$f")"):$LAB_PORT_OPEN" "$@" >/dev/null
  capture_stop
  tshark -r "$file" -n -T fields -E separator=';' -e tcp.option_kind -e tcp.options.mss_val \
    -e tcp.options.wscale.shift -e tcp.flags.ece -e tcp.flags.cwr -e tcp.hdr_len \
    -Y "tcp.flags.syn == 1 && tcp.flags.ack == 0" | head -1 | tr ';' /
}
for f in 4 6; do
  # The default MSS is the route MTU (1500) less the IP and TCP headers.
  mss=$([ $f = 4 ] && echo 1460 || echo 1440)
  check_eq "SYN IPv$f default options" "2,4,8,1,3/$mss/7/0/0/40" "$(syn_opts $f)"
  check_eq "SYN IPv$f --no-options" "///0/0/20" "$(syn_opts $f --no-options)"
  check_eq "SYN IPv$f --mss 1000 --wscale 3 --no-sack" "2,1,1,8,1,3/1000/3/0/0/40" \
    "$(syn_opts $f --mss 1000 --wscale 3 --no-sack)"
  check_eq "SYN IPv$f --ecn" "2,4,8,1,3/$mss/7/1/1/40" "$(syn_opts $f --ecn)"
  # The TFO cookie request (kind 34, length 2) after the defaults, two NOPs to pad.
  check_eq "SYN IPv$f --tfo" "2,4,8,1,3,34,1,1/$mss/7/0/0/44" "$(syn_opts $f --tfo)"

  capture_start "$LAB_CLIENT" "$W/opts$f.pcap" "tcp src port $LAB_PORT_OPEN" || echo "FAIL capture"
  C "$TCPHS" probe --json "$(addr $f "$(eval echo "\$LAB_SERVER$f")"):$LAB_PORT_OPEN" >"$W/opts$f.json"
  capture_stop
  # tshark prints SACK-permitted as its raw bytes: any value means present.
  expect=$(tshark -r "$W/opts$f.pcap" -n -T fields -E separator=';' -e tcp.options.mss_val -e tcp.options.wscale.shift \
    -e tcp.options.sack_perm -e tcp.options.timestamp.tsval -e tcp.options.timestamp.tsecr \
    -Y "tcp.flags.syn == 1 && tcp.flags.ack == 1" | head -1 | awk -F';' '{ print $1 "/" $2 "/" ($3 != "" ? 1 : "") "/" $4 "/" $5 }')
  got=$(J "$W/opts$f.json" "'/'.join(str(x) for x in [probes[0]['reply']['options']['mss'], probes[0]['reply']['options']['wscale'], 1 if probes[0]['reply']['options']['sack_permitted'] else '', probes[0]['reply']['options']['timestamps']['val'], probes[0]['reply']['options']['timestamps']['ecr']])")
  check_eq "SYN-ACK IPv$f options decoded as tshark does" "$expect" "$got"
done

# --- RTT against the capture, with 20 ms added each way --------------------
# A reply that crossed the router keeps its sender's delivery time, so the
# kernel does not stamp it once for every tap: each capture socket reads the
# clock as its own turn comes. The turns are fixed: an `any` socket first,
# then the sockets bound to the interface, the newest first (dev_add_pack
# puts it at the head). tcphs opens its socket after both tcpdumps, so its
# reply stamp must lie between theirs: the gap is that of the taps, 5-40 µs
# on this VM after a 20 ms wait, more when the host steals the CPU. A
# user-space clock would read later than both; a wrong tx stamp moves the RTT
# out of the bracket either way. The SYN is stamped once for all taps.
lab_set_delay 20 || echo "FAIL lab_set_delay 20"
for f in 4 6; do
  capture_start "$LAB_CLIENT" "$W/delay$f.if.pcap" "tcp port $LAB_PORT_DELAY" "$LAB_CLIENT_IF" || echo "FAIL capture"
  cap_if=$CAP_PID
  capture_start "$LAB_CLIENT" "$W/delay$f.pcap" "tcp port $LAB_PORT_DELAY" || echo "FAIL capture"
  C "$TCPHS" probe --json -c 20 -i 50ms "$(addr $f "$(eval echo "\$LAB_SERVER$f")"):$LAB_PORT_DELAY" >"$W/delay$f.json"
  capture_stop
  CAP_PID=$cap_if
  capture_stop
  python3 "$here/pcap_rtt.py" "$W/delay$f.pcap" "$LAB_PORT_DELAY" | sort >"$W/delay$f.truth"
  python3 "$here/pcap_rtt.py" "$W/delay$f.if.pcap" "$LAB_PORT_DELAY" | sort >"$W/delay$f.if.truth"
  J "$W/delay$f.json" "'\n'.join('%d %.3f %s' % (p['source_port'], p['rtt_us'], p['rtt_clock']) for p in probes)" | sort >"$W/delay$f.got"
  check_eq "delay IPv$f: 20 probes timed in the capture" 20 "$(wc -l <"$W/delay$f.truth")"
  check_eq "delay IPv$f: 20 probes timed by the kernel clock" 20 "$(grep -c ' kernel$' "$W/delay$f.got")"
  check "delay IPv$f: every RTT between the capture before it and the one after it" \
    python3 - "$W/delay$f.truth" "$W/delay$f.if.truth" "$W/delay$f.got" <<'PY'
import sys
before = {p: float(r) for p, r in (l.split() for l in open(sys.argv[1]))}
after = {p: float(r) for p, r in (l.split() for l in open(sys.argv[2]))}
got = {p: float(r) for p, r, _ in (l.split() for l in open(sys.argv[3]))}
# 1 ns of slack: the stamps are ns, tcphs prints its RTT to the ns.
bad = [(p, before.get(p), r, after.get(p)) for p, r in got.items()
       if p not in before or p not in after or not before[p] - 0.001 <= r <= after[p] + 0.001]
for b in bad: print("  port %s: capture before %s, tcphs %s, capture after %s" % b)
ok = [p for p in got if p in before and p in after]
if ok:
    print("  largest distance from the first capture: %.3f µs; largest gap between the captures: %.3f µs"
          % (max(abs(got[p] - before[p]) for p in ok), max(after[p] - before[p] for p in ok)))
sys.exit(1 if bad or len(got) != 20 else 0)
PY
  check "delay IPv$f: RTTs are about 40 ms" python3 -c "
import sys; r=[float(l.split()[1]) for l in open('$W/delay$f.got')]; sys.exit(not all(38000 < x < 48000 for x in r))"
done
lab_set_delay 0

# --- the silent drops: SYNs at 0, 1, 3 s and the verdict at 7 s -----------
for f in 4 6; do
  wait "$(eval echo "\$drop_pid$f")"
  CAP_PID=$(eval echo "\$cap_drop$f")
  capture_stop
  check_eq "drop IPv$f exit" 2 "$(cat "$W/drop$f.rc")"
  check_eq "drop IPv$f outcome" timeout "$(J "$W/drop$f.json" "probes[0]['outcome']")"
  times=$(tshark -r "$W/drop$f.pcap" -n -T fields -e frame.time_relative -Y "tcp.flags == 0x002" 2>/dev/null | tr '\n' ' ')
  check "drop IPv$f: SYNs at 0, 1, 3 s (got $times)" python3 -c "
t=[float(x) for x in '$times'.split()]
import sys; sys.exit(not (len(t) == 3 and abs(t[1]-1) < 0.05 and abs(t[2]-3) < 0.05))"
  ms=$(cat "$W/drop$f.ms")
  check "drop IPv$f: verdict at about 7 s (${ms} ms)" [ "$ms" -ge 6950 -a "$ms" -le 7500 ]
done

# --- forged replies while a probe is outstanding ---------------------------
for f in 4 6; do
  server=$(eval echo "\$LAB_SERVER$f")
  ip netns exec "$LAB_SERVER" python3 "$here/forge.py" "$LAB_SERVER_IF" "$LAB_PORT_DROP" 50 >"$W/forge$f.count" &
  forge=$!
  C "$TCPHS" probe --json -W 2s --retries 1 "$(addr $f "$server"):$LAB_PORT_DROP" >"$W/forged$f.json"
  rc=$?
  wait $forge
  check "forged IPv$f: 450 near-miss replies injected" [ "$(cat "$W/forge$f.count")" = 450 ]
  check_eq "forged IPv$f: outcome unchanged" timeout "$(J "$W/forged$f.json" "probes[0]['outcome']")"
  check_eq "forged IPv$f: exit" 2 "$rc"
done

# --- JSON: every line parses and carries every SPEC key --------------------
check "JSON records of every scenario carry every SPEC §4 key, null when absent" python3 - \
  "$W"/{open,closed,portunreach,reset,admin,unreachable,route_unreach,drop,synlost,forged,opts}{4,6}.json <<'PY'
import json, sys
probe_keys = {"type", "schema", "target", "address", "port", "family", "seq", "attempt", "outcome",
              "rtt_us", "reply", "icmp", "mode"}
reply_keys = {"flags", "ttl", "window", "isn", "ecn", "options"}
opt_keys = {"mss", "wscale", "sack_permitted", "timestamps", "tfo_cookie", "unknown"}
summary_keys = {"type", "schema", "target", "address", "sent", "counts", "loss", "rtt_us"}
stat_keys = {"min", "avg", "median", "p95", "max", "stddev"}
ok = True
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)
        keys = probe_keys if r["type"] == "probe" else summary_keys
        bad = {"missing " + k for k in keys - r.keys()}
        if r["type"] == "probe":
            reply, icmp = r.get("reply"), r.get("icmp")
            if reply is not None:
                bad |= {"missing reply." + k for k in reply_keys - reply.keys()}
                opts = reply.get("options", {})
                bad |= {"missing options." + k for k in opt_keys - opts.keys()}
                if icmp is not None:
                    bad.add("icmp not null beside a TCP reply")
                if reply.get("flags") == "RA" and any(opts.get(k) is not None for k in ("mss", "wscale", "timestamps", "tfo_cookie")):
                    bad.add("options of a bare RST not null")
            if icmp is not None and set(icmp) != {"type", "code", "from"}:
                bad.add("icmp keys")
            if r.get("outcome") in ("filtered", "unreachable") and not (reply is None and icmp is not None):
                bad.add("ICMP outcome without icmp / with a reply")
            if r.get("outcome") == "timeout" and not (reply is None and icmp is None and r.get("rtt_us") is None):
                bad.add("reply/icmp/rtt_us not null on timeout")
        else:
            if set(r.get("counts", {})) != {"open", "refused", "timeout", "filtered", "unreachable"}:
                bad.add("counts")
            answered = sum(v for k, v in r.get("counts", {}).items() if k != "timeout")
            rtt = r.get("rtt_us")
            if (rtt is None) != (answered == 0) or (rtt is not None and (not isinstance(rtt, dict) or set(rtt) != stat_keys)):
                bad.add("summary rtt_us null iff nothing answered")
        if bad:
            ok = False
            print(" ", path, r["type"], sorted(bad))
sys.exit(0 if ok else 1)
PY
for f in 4 6; do
  C "$TCPHS" probe -q --expect filtered,timeout -W 1500ms "$(addr $f "$(eval echo "\$LAB_SERVER$f")"):$LAB_PORT_DROP" >/dev/null
  check_eq "--expect filtered,timeout on the IPv$f drop port" 0 "$?"
done

server4=$LAB_SERVER4
# --- privileges: cap_net_raw only, as nobody -------------------------------
bin=$W/tcphs-capped
cp "$TCPHS" "$bin" && chmod 755 "$bin" "$W" && setcap cap_net_raw+ep "$bin"
nobody() { C setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }
nobody "$bin" probe --json "$server4:$LAB_PORT_OPEN" >"$W/capped.json" 2>"$W/capped.err"
check_eq "capped binary as nobody: raw mode works" raw "$(J "$W/capped.json" "probes[0]['mode']")"
nobody "$bin" probe -W 3s "$server4:$LAB_PORT_DROP" >/dev/null 2>&1 &
long=$!
capeff=""
for i in $(seq 1 100); do  # bounded: wait until the probe is past start-up
  child=$(pgrep -P "$long" -f tcphs-capped | head -1)
  [ -n "$child" ] || child=$long
  status=$(cat /proc/"$child"/status 2>/dev/null | grep -E '^Cap(Eff|Prm|Inh)' | awk '{print $2}' | tr '\n' ' ')
  if [ "$(readlink /proc/"$child"/exe 2>/dev/null)" = "$bin" ] && [ -n "$status" ]; then
    # The engine drops capabilities before the first send; wait for the drop.
    [ "$status" = "0000000000000000 0000000000000000 0000000000000000 " ] && { capeff=$status; break; }
  fi
  sleep 0.02
done
wait $long
check_eq "CapEff, CapPrm, CapInh all 0 during a long probe" "0000000000000000 0000000000000000 0000000000000000 " "$capeff"
cp "$TCPHS" "$W/tcphs-plain" && chmod 755 "$W/tcphs-plain"
nobody "$W/tcphs-plain" probe "$server4:$LAB_PORT_OPEN" >"$W/fallback.out" 2>"$W/fallback.err"
check_eq "no capability, auto mode: connect() fallback exit" 0 "$?"
check "no capability, auto mode: says so on stderr" grep -q "connect() mode" "$W/fallback.err"
check "no capability, auto mode: output says connect mode" grep -q "connect mode" "$W/fallback.out"
nobody "$W/tcphs-plain" probe --mode raw "$server4:$LAB_PORT_OPEN" >"$W/raw.out" 2>"$W/raw.err"
check_eq "no capability, --mode raw: exit 77" 77 "$?"
check "no capability, --mode raw: the setcap hint" grep -q "setcap cap_net_raw+ep" "$W/raw.err"
check_eq "no capability, --mode raw: one line on stderr" 1 "$(wc -l <"$W/raw.err")"
check_eq "no capability, --mode raw: nothing on stdout" 0 "$(wc -c <"$W/raw.out")"

# --- connect mode against the same table -----------------------------------
while read -r port want; do
  C "$TCPHS" probe --mode connect --json -W 2s "$server4:$port" >"$W/connect$port.json"
  check_eq "connect mode port $port" "$want" "$(J "$W/connect$port.json" "probes[0]['outcome']")"
done <<EOT
$LAB_PORT_OPEN open
$LAB_PORT_CLOSED refused
$LAB_PORT_DROP timeout
EOT

# --- clean-up on the server: no half-open connections ----------------------
check_eq "server holds no SYN_RECV sockets" 0 "$(ip netns exec "$LAB_SERVER" ss -Htn state syn-recv | wc -l)"

check_done

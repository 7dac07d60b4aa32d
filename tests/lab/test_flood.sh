#!/usr/bin/env bash
# Forged and stale replies, flooded: an injector in the server's namespace
# (flood.py) answers every SYN of a 200-probe run against an open, a closed
# and a dropping port with near-misses (ack off by one, wrong ports, RSTs with
# ack 0, a stale reply of an earlier run, ICMP errors quoting another
# sequence number or a cut quote): at least 100,000 packets, and not one
# outcome may change. Prints what each forged packet costs tcphs (CPU time
# over the packets its capture saw, against a clean run); no timing assert.
# usage: bash test_flood.sh PATH/TO/tcphs   (root)
source "$(dirname "$0")/lab_test.sh" "$@"
TARGETS=("$S:$LAB_PORT_OPEN" "$S:$LAB_PORT_CLOSED" "$S:$LAB_PORT_DROP")
want="{'$S:$LAB_PORT_OPEN': (200, 0, 0), '$S:$LAB_PORT_CLOSED': (0, 200, 0), '$S:$LAB_PORT_DROP': (0, 0, 200)}"

# run NAME: the 200-probe run, its CPU time measured by perf stat's
# task-clock (-v adds the engine's packet counters on stderr).
run() {
  C perf stat -x, -e task-clock -o "$W/$1.time" "$TCPHS" probe --json -v -c 200 -i 20ms -W 1s \
    --expect open,refused,timeout "${TARGETS[@]}" >"$W/$1.json" 2>"$W/$1.err"
  echo $? >"$W/$1.rc"
  date +%s.%N >"$W/$1.end"
}
counts() { J "$W/$1.json" "dict((r['target'], (r['counts']['open'], r['counts']['refused'], r['counts']['timeout'])) for r in recs if r['type'] == 'summary') == $want and all(sum(r['counts'].values()) == 200 for r in recs if r['type'] == 'summary')"; }
seen() { sed -n 's/^tcphs: engine: \([0-9]*\) packets seen.*/\1/p' "$W/$1.err"; }
cpu_us() { awk -F, '$3 == "task-clock" { printf "%d", $1 * 1000 }' "$W/$1.time"; }

run clean
check_eq "clean run: exit 0" 0 "$(cat "$W/clean.rc")"
check_eq "clean run: 200 open, 200 refused, 200 timeout" True "$(counts clean)"

flood() {  # flood NAME ROUNDS: the injector, an earlier run (stale), then the run
  ip netns exec "$LAB_SERVER" python3 "$here/flood.py" "$LAB_SERVER_IF" 20 "$2" 200000 60 >"$W/$1.flood" 2>&1 &
  local pid=$! i
  for i in $(seq 1 200); do grep -q ready "$W/$1.flood" && break; sleep 0.05; done
  C "$TCPHS" probe -q -c 20 -i 1ms "$S:$LAB_PORT_OPEN" >/dev/null  # the earlier run
  date +%s.%N >"$W/$1.start"
  run "$1"
  wait $pid
  read -r _ SENT _ STALE _ SYNS _ FIRST _ LAST < <(grep '^sent' "$W/$1.flood")
}
for n in 4 12; do
  flood flood$n $n
  check_eq "flood x$n: exit 0" 0 "$(cat "$W/flood$n.rc")"
  check_eq "flood x$n: 200 open, 200 refused, 200 timeout, as without it" True "$(counts flood$n)"
  check_eq "flood x$n: the injector saw the earlier run's 20 SYNs and the run's 600" "20 600" "$STALE $SYNS"
  check "flood x$n: every forged packet left while the run was going" python3 -c "
import sys; sys.exit(not ($(cat "$W/flood$n.start") < $FIRST <= $LAST < $(cat "$W/flood$n.end")))"
  extra=$(( $(seen flood$n) - $(seen clean) ))
  echo "BENCH flood x$n: $SENT forged packets sent, tcphs' capture saw $extra more packets than the clean run" \
    "(forged ones and the client kernel's RSTs to them); CPU $(cpu_us flood$n) µs against $(cpu_us clean) µs:" \
    "$(( ($(cpu_us flood$n) - $(cpu_us clean)) * 1000 / (extra > 0 ? extra : 1) )) ns per extra packet"
done
check "the large flood: at least 100,000 forged packets" [ "$SENT" -ge 100000 ]

# The same flood into a 16 KiB capture ring: it overflows, and the run says
# so (a reply lost in the ring must never pass silently for a timeout).
export TCPHS_CAPTURE_BUFFER_BYTES=16384
flood tiny 12
unset TCPHS_CAPTURE_BUFFER_BYTES
drops=$(sed -n 's/^tcphs: warning: the capture dropped \([0-9]*\) packets; some results may be wrong$/\1/p' "$W/tiny.err")
check "tiny ring: the capture's drops are reported on stderr (${drops:-none})" [ "${drops:-0}" -gt 0 ]
echo "BENCH tiny ring (16 KiB) under a flood of $SENT: $drops packets dropped by the ring;" \
  "outcomes (open, refused, timeout) $(J "$W/tiny.json" "' '.join('%s=%s' % (r['target'], (r['counts']['open'], r['counts']['refused'], r['counts']['timeout'])) for r in recs if r['type'] == 'summary')")"
check_done

#!/usr/bin/env bash
# SIGINT and SIGTERM mid-run, for probe, trace, scan, isn, check and
# handshake: exit 130/143, the summary of what completed (trace: the
# diagnosis of the hops so far; handshake: the segments so far), every JSON
# line whole, and no file left behind (check's JUnit/OpenMetrics and
# handshake's SVG are written whole or not at all: an older report stays as
# it was, and no temporary file remains beside it).
# usage: bash test_signals.sh PATH/TO/tcphs   (root)
source "$(dirname "$0")/lab_test.sh" "$@"
# A background job of a script starts with SIGINT ignored, and an ignored
# signal never reaches a signalfd; this restores the default first, as an
# interactive shell's job would have it. (Python, then exec: the PID stays.)
DFL=(python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])')

# Waits (bounded, 10 s) until file $1 has at least $2 lines.
wait_lines() {
  local i
  for i in $(seq 1 200); do
    [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
    sleep 0.05
  done
  return 1
}
# Waits (bounded, 10 s) until the capture started last holds $1 packets matching filter $2.
wait_packets() {
  local i
  for i in $(seq 1 200); do
    [ "$(tcpdump -r "$CAP_FILE" -n "$2" 2>/dev/null | wc -l)" -ge "$1" ] && return 0
    sleep 0.05
  done
  return 1
}
cap() {  # cap FILE FILTER: a fresh capture in the client (no old file or log to mislead a waiter)
  rm -f "$1" "$1.log"
  capture_start "$LAB_CLIENT" "$1" "$2" || echo "FAIL capture $1"
  CAP_FILE=$1
}
start() {  # start NAME ARGS...: tcphs in the client, in the background, as PID
  local name=$1
  shift
  rm -f "$W/$name.out" "$W/$name.err"  # a waiter must not read the last run's
  "${DFL[@]}" ip netns exec "$LAB_CLIENT" "$TCPHS" "$@" >"$W/$name.out" 2>"$W/$name.err" &
  PID=$!
}
stop() {  # stop SIGNAL: sends it to PID, sets RC
  kill -"$1" "$PID"
  wait "$PID"
  RC=$?
}
json_whole() {  # every line one whole JSON object, the last one the summary
  python3 - "$1" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().split("\n")
if lines[-1] != "":
    sys.exit("no newline after the last line: " + lines[-1][:80])
recs = [json.loads(l) for l in lines[:-1]]
sys.exit(0 if recs and recs[-1]["type"] == "summary" else 1)
PY
}
code() { [ "$1" = INT ] && echo 130 || echo 143; }

for sig in INT TERM; do
  # probe, JSON and text: stopped after a few of 100 probes.
  start probe-json probe --json -c 100 -i 50ms "$S:$LAB_PORT_OPEN"
  wait_lines "$W/probe-json.out" 3 || echo "FAIL probe --json never got going"
  stop $sig
  check_eq "probe --json, SIG$sig: exit" "$(code $sig)" "$RC"
  check "probe --json, SIG$sig: every line whole, the summary last" json_whole "$W/probe-json.out"
  check "probe --json, SIG$sig: the summary counts what completed (some, not all 100)" python3 -c "
import json, sys
recs = [json.loads(l) for l in open('$W/probe-json.out')]
probes = [r for r in recs if r['type'] == 'probe']
s = recs[-1]
sys.exit(not (3 <= len(probes) < 100 and s['counts']['open'] == len(probes) and s['sent'] >= len(probes)))"
  start probe-text probe -c 100 -i 50ms "$S:$LAB_PORT_OPEN"
  wait_lines "$W/probe-text.out" 3 || echo "FAIL probe never got going"
  stop $sig
  check_eq "probe, SIG$sig: exit" "$(code $sig)" "$RC"
  check "probe, SIG$sig: the summary of what completed" \
    grep -qE '^[0-9]+ sent, [0-9]+ open, 0% loss$' "$W/probe-text.out"
  check "probe, SIG$sig: fewer than 100 sent" bash -c "! grep -q '^100 sent' '$W/probe-text.out'"
  # the same through the kernel's connect() (no raw socket, no event loop)
  start probe-connect probe --mode connect -c 100 -i 50ms "$S:$LAB_PORT_OPEN"
  wait_lines "$W/probe-connect.out" 3 || echo "FAIL probe --mode connect never got going"
  stop $sig
  check_eq "probe --mode connect, SIG$sig: exit" "$(code $sig)" "$RC"
  check "probe --mode connect, SIG$sig: the summary of what completed" \
    grep -qE '^[0-9]+ sent, [0-9]+ open, 0% loss \(connect mode\)$' "$W/probe-connect.out"

  # trace against the drop port: stopped after the first hops.
  start trace trace "$S:$LAB_PORT_DROP"
  wait_lines "$W/trace.out" 3 || echo "FAIL trace never got going"
  stop $sig
  check_eq "trace, SIG$sig: exit" "$(code $sig)" "$RC"
  check "trace, SIG$sig: the hops that completed" grep -q "^ 2  $LAB_R2_4 " "$W/trace.out"
  check "trace, SIG$sig: no outcome, the signal named" \
    grep -qx "$S:$LAB_PORT_DROP: no outcome: interrupted by SIG$sig" "$W/trace.out"
  check "trace, SIG$sig: the closing diagnosis of the hops so far, marked as partial" \
    grep -qE "^diagnosis: interrupted after hop [0-9]+: SYNs to port $LAB_PORT_DROP got as far as hop 2 \($LAB_R2_4\)" \
    "$W/trace.out"
  check_eq "trace, SIG$sig: the diagnosis is last" diagnosis "$(tail -1 "$W/trace.out" | cut -d: -f1)"
  start trace-json trace --json "$S:$LAB_PORT_DROP"
  wait_lines "$W/trace-json.out" 2 || echo "FAIL trace --json never got going"
  stop $sig
  check_eq "trace --json, SIG$sig: exit" "$(code $sig)" "$RC"
  check "trace --json, SIG$sig: every line whole, the summary last" json_whole "$W/trace-json.out"
  check_eq "trace --json, SIG$sig: the summary: interrupted during the hops, no outcome, a partial diagnosis" \
    "interrupted None SIG$sig hops True" \
    "$(python3 "$here/ndjson.py" "$W/trace-json.out" "' '.join(str(x) for x in (summary['end'], summary['outcome'],
      summary['interrupted']['signal'], summary['interrupted']['during'],
      summary['diagnosis'][0].startswith('interrupted after hop ')))")"
  check_eq "trace --json, SIG$sig: the summary counts the hops reported" True \
    "$(python3 "$here/ndjson.py" "$W/trace-json.out" "summary['sent'] == 3 * len([r for r in recs if r['type'] == 'hop'])")"

  # handshake: stopped during a 30 s --hold (JSON, --svg beside an older
  # picture), and while the SYN to the drop port waits for an answer (text).
  mkdir -p "$W/svg"
  rm -f "$W/svg"/*
  echo old-svg >"$W/svg/ladder.svg"
  cap "$W/hs.pcap" "tcp port $LAB_PORT_OPEN"
  start hs-json handshake --json --hold 30s --svg "$W/svg/ladder.svg" "$S:$LAB_PORT_OPEN"
  wait_packets 3 "tcp" || echo "FAIL handshake never connected"
  stop $sig
  capture_stop
  check_eq "handshake --json, SIG$sig: exit" "$(code $sig)" "$RC"
  check "handshake --json, SIG$sig: every line whole, the summary last" json_whole "$W/hs-json.out"
  check_eq "handshake --json, SIG$sig: the segments of what completed, from the SYN" "S SA A" \
    "$(python3 "$here/ndjson.py" "$W/hs-json.out" "' '.join(r['flags'] for r in recs if r['type'] == 'segment')[:6]")"
  check_eq "handshake --json, SIG$sig: the summary: open, interrupted in --hold" "open SIG$sig hold" \
    "$(python3 "$here/ndjson.py" "$W/hs-json.out" "' '.join((summary['outcome'], summary['interrupted']['signal'],
      summary['interrupted']['during']))")"
  check "handshake --json, SIG$sig: one line on stderr says where it stopped" \
    grep -qxE "tcphs: interrupted by SIG$sig during --hold: the [0-9]+ segments captured so far are shown; no --svg file written" \
    "$W/hs-json.err"
  check_eq "handshake --json, SIG$sig: one line on stderr" 1 "$(wc -l <"$W/hs-json.err")"
  check_eq "handshake --json, SIG$sig: the older SVG is untouched" old-svg "$(cat "$W/svg/ladder.svg")"
  check_eq "handshake --json, SIG$sig: no other file beside it" ladder.svg "$(ls -A "$W/svg")"

  rm -f "$W/svg"/*
  cap "$W/hs-drop.pcap" "tcp dst port $LAB_PORT_DROP"
  start hs-drop handshake --ascii --svg "$W/svg/drop.svg" "$S:$LAB_PORT_DROP"
  wait_packets 1 "tcp[tcpflags] == tcp-syn" || echo "FAIL handshake sent no SYN"
  stop $sig
  capture_stop
  check_eq "handshake, SIG$sig: exit" "$(code $sig)" "$RC"
  check "handshake, SIG$sig: the ladder's title" grep -q "^HANDSHAKE .* -> $S:$LAB_PORT_DROP$" "$W/hs-drop.out"
  check "handshake, SIG$sig: the SYN's arrow" grep -qE '^ +0\.0 +SYN_SENT \|- SYN -+>\|' "$W/hs-drop.out"
  check "handshake, SIG$sig: an unanswered SYN is no timeout yet" \
    grep -qE '^no answer to [0-9]+ SYNs? when the run was interrupted$' "$W/hs-drop.out"
  check "handshake, SIG$sig: no timeout verdict" bash -c "! grep -q 'timeout' '$W/hs-drop.out'"
  check "handshake, SIG$sig: one line on stderr says where it stopped" \
    grep -qxE "tcphs: interrupted by SIG$sig while waiting for an answer to the SYN: the (one segment|[0-9]+ segments) captured so far (is|are) shown; no --svg file written" \
    "$W/hs-drop.err"
  check_eq "handshake, SIG$sig: no SVG, no temporary file" "" "$(ls -A "$W/svg")"

  # scan at 50 SYNs/s: stopped after 10 SYNs of 101.
  cap "$W/scan.pcap" "tcp dst portrange 7000-7100"
  start scan scan --json --rate 50 "$S" -p 7000-7100
  wait_packets 10 "tcp[tcpflags] == tcp-syn" || echo "FAIL scan never got going"
  stop $sig
  capture_stop
  check_eq "scan, SIG$sig: exit" "$(code $sig)" "$RC"
  check "scan, SIG$sig: every line whole, the summary last" json_whole "$W/scan.out"
  check_eq "scan, SIG$sig: the summary says incomplete" False \
    "$(python3 "$here/ndjson.py" "$W/scan.out" "recs[-1]['complete']")"

  # isn: stopped after a few of 50 samples; the analysis of those is printed.
  cap "$W/isn.pcap" "tcp src port $LAB_PORT_OPEN"
  start isn isn -c 50 "$S:$LAB_PORT_OPEN"
  wait_packets 5 "tcp[tcpflags] & tcp-syn != 0" || echo "FAIL isn never got going"
  stop $sig
  capture_stop
  check_eq "isn, SIG$sig: exit" "$(code $sig)" "$RC"
  check "isn, SIG$sig: the analysis of the samples taken (fewer than 50)" \
    grep -qE "^--- $S:$LAB_PORT_OPEN: [0-9]+ SYN-ACKs to [0-9]+ SYNs" "$W/isn.out"
  check "isn, SIG$sig: not all 50" bash -c "! grep -q ': 50 SYN-ACKs' '$W/isn.out'"

  # check: the open check finishes at once, the two drop checks take 5 s.
  # An older report stays as it was; nothing else appears beside it.
  mkdir -p "$W/rep"
  rm -f "$W/rep"/*
  echo old-junit >"$W/rep/report.xml"
  printf '%s:%s open name=a\n%s:%s timeout name=b timeout=5s\n%s:%s timeout name=c timeout=5s\n' \
    "$S" "$LAB_PORT_OPEN" "$S" "$LAB_PORT_DROP" "$S" "$LAB_PORT_DROP" >"$W/checks.txt"
  for fmt in --json --color=never; do
    cap "$W/check.pcap" "tcp port $LAB_PORT_OPEN or tcp port $LAB_PORT_DROP"
    start check check $fmt "$W/checks.txt" --junit "$W/rep/report.xml" --openmetrics "$W/rep/tcphs.prom"
    wait_packets 1 "tcp src port $LAB_PORT_OPEN" || echo "FAIL check never got going"
    wait_packets 2 "tcp dst port $LAB_PORT_DROP" || echo "FAIL check never got going"
    stop $sig
    capture_stop
    check_eq "check $fmt, SIG$sig: exit" "$(code $sig)" "$RC"
    check_eq "check $fmt, SIG$sig: one line on stderr says how many finished" \
      "tcphs: interrupted by SIG$sig: 1 of 3 checks finished; no report file written" "$(cat "$W/check.err")"
    if [ "$fmt" = --json ]; then
      check "check --json, SIG$sig: every line whole, the summary last" json_whole "$W/check.out"
      check_eq "check --json, SIG$sig: the finished check is reported" "a" \
        "$(python3 "$here/ndjson.py" "$W/check.out" "' '.join(r['name'] for r in recs if r['type'] == 'check')")"
    else
      check_eq "check, SIG$sig: the table's summary" "1 check, 1 passed, 0 failed" "$(tail -1 "$W/check.out")"
    fi
    check_eq "check $fmt, SIG$sig: the older JUnit report is untouched" old-junit "$(cat "$W/rep/report.xml")"
    check_eq "check $fmt, SIG$sig: no other file in the report directory" report.xml "$(ls -A "$W/rep")"
  done

  # check with connect-mode lines, which run on a worker thread: beside raw
  # checks, and on their own. The signal must reach the run, not kill the
  # process in the worker, and the worker must stop inside its 5 s connect.
  for kind in mixed connect; do
    if [ $kind = mixed ]; then
      printf '%s:%s open name=a\n%s:%s timeout name=b timeout=5s mode=connect\n%s:%s timeout name=c timeout=5s\n' \
        "$S" "$LAB_PORT_OPEN" "$S" "$LAB_PORT_DROP" "$S" "$LAB_PORT_DROP" >"$W/checks-$kind.txt"
      total=3
    else
      printf '%s:%s open name=a mode=connect\n%s:%s timeout name=b timeout=5s mode=connect\n' \
        "$S" "$LAB_PORT_OPEN" "$S" "$LAB_PORT_DROP" >"$W/checks-$kind.txt"
      total=2
    fi
    cap "$W/check-$kind.pcap" "tcp port $LAB_PORT_OPEN or tcp port $LAB_PORT_DROP"
    t0=$EPOCHREALTIME
    start check-$kind check --json "$W/checks-$kind.txt"
    wait_packets 1 "tcp src port $LAB_PORT_OPEN" || echo "FAIL check ($kind) never got going"
    wait_packets $((total - 1)) "tcp dst port $LAB_PORT_DROP and tcp[tcpflags] == tcp-syn" ||
      echo "FAIL check ($kind) never got going"
    stop $sig
    ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
    capture_stop
    check_eq "check, $kind modes, SIG$sig: exit" "$(code $sig)" "$RC"
    check_eq "check, $kind modes, SIG$sig: one line on stderr says how many finished" \
      "tcphs: interrupted by SIG$sig: 1 of $total checks finished" "$(cat "$W/check-$kind.err")"
    check "check, $kind modes, SIG$sig: every line whole, the summary last" json_whole "$W/check-$kind.out"
    check "check, $kind modes, SIG$sig: it stops at once, not after the 5 s connect (${ms} ms)" [ "$ms" -lt 4500 ]
  done
done

check_done

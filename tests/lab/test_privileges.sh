#!/usr/bin/env bash
# Privileges of every command: a copy of the binary with only cap_net_raw+ep,
# run by nobody, works (or says in one line why not); while each long run is
# under way /proc/PID/status shows CapEff, CapPrm and CapInh all 0; and no
# command execs anything (strace: the one execve is our own start).
# usage: bash test_privileges.sh PATH/TO/tcphs   (root)
source "$(dirname "$0")/lab_test.sh" "$@"
S6=[$LAB_SERVER6]

bin=$W/tcphs-capped
cp "$TCPHS" "$bin" && chmod 755 "$bin" "$W" && setcap cap_net_raw+ep "$bin"
check_eq "the copy carries only cap_net_raw+ep" "$bin cap_net_raw=ep" "$(getcap "$bin")"
nobody() { ip netns exec "$LAB_CLIENT" setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }
printf '%s:%s open name=o\n%s:%s refused name=c\n' "$S" "$LAB_PORT_OPEN" "$S6" "$LAB_PORT_CLOSED" >"$W/checks.txt"
printf '%s:%s timeout name=d timeout=2s\n' "$S" "$LAB_PORT_DROP" >"$W/slow.txt"
chmod 644 "$W"/*.txt

# --- every command works as nobody with cap_net_raw only ------------------
# command | exit | JSON check (python over recs, or '-' for text output) | arguments
while IFS='|' read -r name code test args; do
  eval "set -- $args"
  nobody "$bin" "$@" >"$W/$name.out" 2>"$W/$name.err"
  rc=$?
  check_eq "nobody + cap_net_raw: $name exit" "$code" "$rc"
  check_eq "nobody + cap_net_raw: $name says nothing on stderr" "" "$(cat "$W/$name.err")"
  if [ "$test" = - ]; then
    check "nobody + cap_net_raw: $name prints its report" test -s "$W/$name.out"
  else
    check_eq "nobody + cap_net_raw: $name ($test)" True "$(J "$W/$name.out" "$test")"
  fi
done <<EOT
probe|0|all(r['mode'] == 'raw' for r in probes) and len(probes) == 2|probe --json $S:$LAB_PORT_OPEN $S6:$LAB_PORT_OPEN
trace|0|any(r['type'] == 'hop' and r['address'] == '$LAB_R2_4' for r in recs)|trace --json $S:$LAB_PORT_OPEN
scan|0|sorted((r['port'], r['outcome']) for r in recs if r['type'] == 'port') == [($LAB_PORT_OPEN, 'open'), ($LAB_PORT_CLOSED, 'refused')]|scan --json --all-ports $S -p $LAB_PORT_OPEN,$LAB_PORT_CLOSED
check|0|[r['mode'] for r in recs if r['type'] == 'check'] == ['raw', 'raw']|check --json $W/checks.txt
isn|0|sum(r['type'] == 'sample' for r in recs) == 4|isn --json -c 4 -i 20ms $S:$LAB_PORT_OPEN
handshake|0|[r['flags'] for r in recs if r['type'] == 'segment'][:3] == ['S', 'SA', 'A']|handshake --json $S:$LAB_PORT_OPEN
explain|0|-|explain timeout
EOT

# Without the capability: raw-only commands say why in one line (exit 77);
# the others fall back as documented.
cp "$TCPHS" "$W/tcphs-plain" && chmod 755 "$W/tcphs-plain"
for cmd in "trace $S:$LAB_PORT_OPEN" "scan $S -p $LAB_PORT_OPEN" "isn $S:$LAB_PORT_OPEN"; do
  eval "set -- $cmd"
  nobody "$W/tcphs-plain" "$@" >"$W/plain.out" 2>"$W/plain.err"
  rc=$?
  check_eq "nobody, no capability: $1 exit 77" 77 "$rc"
  check "nobody, no capability: $1 names setcap cap_net_raw+ep in one line" \
    bash -c "[ \$(wc -l <'$W/plain.err') -eq 1 ] && grep -q 'setcap cap_net_raw+ep' '$W/plain.err'"
  check_eq "nobody, no capability: $1 prints nothing on stdout" 0 "$(wc -c <"$W/plain.out")"
done
nobody "$W/tcphs-plain" handshake "$S:$LAB_PORT_OPEN" >"$W/plainhs.out" 2>"$W/plainhs.err"
check_eq "nobody, no capability: handshake still connects (timings and TCP_INFO)" 0 "$?"
check "nobody, no capability: handshake says in one line that it has no capture" \
  bash -c "[ \$(wc -l <'$W/plainhs.err') -eq 1 ] && grep -qi 'cap_net_raw' '$W/plainhs.err'"
nobody "$W/tcphs-plain" check "$W/checks.txt" >"$W/plaincheck.out" 2>"$W/plaincheck.err"
check_eq "nobody, no capability: check falls back to connect() and still passes" 0 "$?"
check "nobody, no capability: check says so in one line" \
  bash -c "[ \$(wc -l <'$W/plaincheck.err') -eq 1 ] && grep -q 'connect()' '$W/plaincheck.err'"

# The capability opens sockets, never files: what nobody cannot read or
# write stays out of reach.
printf '%s:%s open\n' "$S" "$LAB_PORT_OPEN" >"$W/secret.txt"
chmod 600 "$W/secret.txt"
mkdir -p "$W/rootonly" && chmod 700 "$W/rootonly"
nobody "$bin" check "$W/secret.txt" >"$W/secret.out" 2>"$W/secret.err"
check_eq "nobody + cap_net_raw: a check file only root may read: exit 64" 64 "$?"
check_eq "nobody + cap_net_raw: ... one line, permission denied" \
  "tcphs: cannot read $W/secret.txt: Permission denied" "$(cat "$W/secret.err")"
nobody "$bin" check --junit "$W/rootonly/r.xml" "$W/checks.txt" >"$W/junit.out" 2>"$W/junit.err"
check_eq "nobody + cap_net_raw: --junit into a directory only root may write: exit 64 before the run" 64 "$?"
check_eq "nobody + cap_net_raw: ... one line, nothing on stdout" \
  "tcphs: --junit $W/rootonly/r.xml: cannot create a file in '$W/rootonly': Permission denied|" \
  "$(cat "$W/junit.err")|$(cat "$W/junit.out")"

# --- capabilities during the run -----------------------------------------
# caps_during NAME ARGS...: runs the capped binary as nobody in the
# background and samples its status until it has none left (or it ends).
caps_during() {
  local name=$1 pid status seen="" i
  shift
  # Not through the function: ip netns exec and setpriv exec, so $! becomes tcphs.
  ip netns exec "$LAB_CLIENT" setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
    "$bin" "$@" >"$W/long-$name.out" 2>"$W/long-$name.err" &
  pid=$!
  for i in $(seq 1 250); do  # bounded: 5 s
    if [ "$(readlink /proc/$pid/exe 2>/dev/null)" = "$bin" ]; then
      status=$(grep -E '^Cap(Inh|Prm|Eff):' /proc/$pid/status 2>/dev/null | awk '{print $2}' | tr '\n' ' ')
      [ "$status" = "0000000000000000 0000000000000000 0000000000000000 " ] && { seen=$status; break; }
    fi
    kill -0 $pid 2>/dev/null || break
    sleep 0.02
  done
  # Still running: the sample was taken mid-run, not after the end.
  local alive=no
  kill -0 $pid 2>/dev/null && alive=yes
  wait $pid
  check_eq "$name: CapInh, CapPrm, CapEff all 0 while it runs" \
    "yes 0000000000000000 0000000000000000 0000000000000000 " "$alive $seen"
}
caps_during probe probe -W 2s "$S:$LAB_PORT_DROP"
caps_during trace trace --max-hops 4 "$S:$LAB_PORT_DROP"
caps_during scan scan "$S" -p "$LAB_PORT_DROP" --max-wait 1s
caps_during check check "$W/slow.txt"
caps_during isn isn -c 20 -i 100ms "$S:$LAB_PORT_OPEN"
caps_during handshake handshake --hold 2s "$S:$LAB_PORT_OPEN"

# --- no exec: the only execve of each run is its own start ----------------
for cmd in "probe $S:$LAB_PORT_OPEN" "trace $S:$LAB_PORT_OPEN" "scan $S -p $LAB_PORT_OPEN" \
  "check $W/checks.txt" "isn -c 3 -i 20ms $S:$LAB_PORT_OPEN" "handshake $S:$LAB_PORT_OPEN" \
  "explain" "probe --mode connect $S:$LAB_PORT_OPEN"; do
  eval "set -- $cmd"
  ip netns exec "$LAB_CLIENT" strace -f -qq -e trace=execve,execveat -o "$W/strace.log" "$TCPHS" "$@" >/dev/null 2>&1
  check_eq "$1: the only exec is tcphs' own start (strace -f)" "1 $TCPHS" \
    "$(grep -c 'execve' "$W/strace.log") $(grep -o 'execve("[^"]*"' "$W/strace.log" | head -1 | cut -d'"' -f2)"
done

check_done

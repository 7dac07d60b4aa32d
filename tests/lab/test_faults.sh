#!/usr/bin/env bash
# Faults under a run: the client's interface goes down, or its address is
# removed, while probes are being sent (a clear error, exit 4 as for a
# missing route, a bounded exit, the probes before it kept); a local nftables
# output rule refusing our SYNs (EPERM) gives every raw command one clear
# line and exit 3, except check, where it fails only the checks it refuses
# (`filtered`, as connect() reports EPERM, with the reason as their note).
# usage: bash test_faults.sh PATH/TO/tcphs   (root)
source "$(dirname "$0")/lab_test.sh" "$@"
restore() {
  ip -n "$LAB_CLIENT" link set "$LAB_CLIENT_IF" up
  ip -n "$LAB_CLIENT" addr replace "$LAB_CLIENT4/24" dev "$LAB_CLIENT_IF"
  ip -n "$LAB_CLIENT" route replace default via "$LAB_R1_4"
}

# --- the interface or the address goes away mid-run -----------------------
while IFS='|' read -r name change; do
  rm -f "$W/$name.out" "$W/$name.err"
  t0=$EPOCHREALTIME
  C "$TCPHS" probe -c 100 -i 50ms "$S:$LAB_PORT_OPEN" >"$W/$name.out" 2>"$W/$name.err" &
  pid=$!
  for i in $(seq 1 200); do  # bounded: until three probes are answered
    [ "$(grep -c ' open ' "$W/$name.out" 2>/dev/null)" -ge 3 ] && break
    sleep 0.025
  done
  eval "ip -n \"\$LAB_CLIENT\" $change"
  wait $pid
  rc=$?
  ms=$(ms_since "$t0")
  check_eq "$name mid-run: exit 4 (no route, as unreachable)" 4 "$rc"
  check_eq "$name mid-run: one clear line" "tcphs: sending to $S failed: Network is unreachable" "$(cat "$W/$name.err")"
  check "$name mid-run: the probes before it are kept (at least 3 of 100)" \
    bash -c "n=\$(grep -c ' open ' '$W/$name.out'); [ \$n -ge 3 ] && [ \$n -lt 100 ]"
  check "$name mid-run: it ends at once, not after the 5 s the run would take (${ms} ms)" [ "$ms" -lt 4000 ]
  restore
  C "$TCPHS" probe -q "$S:$LAB_PORT_OPEN" >/dev/null
  check_eq "$name: restored, the lab answers again" 0 "$?"
done <<EOT
interface down|link set $LAB_CLIENT_IF down
address removed|addr del $LAB_CLIENT4/24 dev $LAB_CLIENT_IF
EOT

# --- a local firewall refusing our SYNs on output ---------------------------
ip netns exec "$LAB_CLIENT" nft -f - <<EOT
table inet tcphs_faults {
  chain out { type filter hook output priority 0; tcp dport 7999 drop; }
}
EOT
for cmd in "probe $S:7999" "trace $S:7999" "scan $S -p 7999" "isn $S:7999"; do
  eval "set -- $cmd"
  t0=$EPOCHREALTIME
  C "$TCPHS" "$@" >"$W/fw.out" 2>"$W/fw.err"
  rc=$?
  ms=$(ms_since "$t0")
  check_eq "local firewall, $1: exit 3" 3 "$rc"
  check_eq "local firewall, $1: one clear line" \
    "tcphs: sending to $S was refused by a local firewall (EPERM)" "$(cat "$W/fw.err")"
  check "local firewall, $1: at once (${ms} ms)" [ "$ms" -lt 2000 ]
  check_eq "local firewall, $1: nothing on stdout (no header for a run that sent nothing)" "" "$(cat "$W/fw.out")"
done
printf '%s\n' "$S:7999 open name=refused" "$S:$LAB_PORT_OPEN open name=passes" "$S:7999 filtered name=expected" >"$W/fw.checks"
C "$TCPHS" check --json "$W/fw.checks" >"$W/fw.out" 2>"$W/fw.err"
check_eq "local firewall, check: exit 1 (an expectation failed), not an error" 1 "$?"
check_eq "local firewall, check: nothing on stderr" "" "$(cat "$W/fw.err")"
check_eq "local firewall, check: each row's outcome and verdict" \
  "refused filtered False|passes open True|expected filtered True" \
  "$(python3 -c "
import json, sys
rows = [json.loads(l) for l in open('$W/fw.out') if '\"check\"' in l]
print('|'.join('%s %s %s' % (r['name'], r['outcome'], r['passed']) for r in rows))")"
check "local firewall, check: the refused rows name the local firewall" \
  grep -q "refused by a local firewall (EPERM)" "$W/fw.out"
C "$TCPHS" check "$W/fw.checks" >"$W/fw.table" 2>&1
check "local firewall, check table: the note under the refused row" grep -q "refused by a local firewall (EPERM)" "$W/fw.table"

check_done

#!/usr/bin/env bash
# Lab smoke test: every scenario of lab.sh, checked with the kernel's own
# connect() from the client namespace, IPv4 and IPv6; then the delay line;
# then that lab_down leaves nothing behind. One PASS/FAIL line per check.
#
# Usage (root): bash test_lab_smoke.sh [PATH-TO-TCPHS]
#   tcphs itself is not used yet; its directory locates the delay line
#   (tests/tcphs_delay_line) when TCPHS_DELAY_LINE is not set.
#   LAB_FAIL_AT=NAME fails on purpose at a check (e.g. closed4, delay6) or at
#   a lab_up step (topology, firewall, listeners) and exits at once, leaving
#   the clean-up to the traps.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -z "${TCPHS_DELAY_LINE:-}" ] && [ -n "${1:-}" ]; then
  TCPHS_DELAY_LINE="$(dirname "$1")/tests/tcphs_delay_line"
  export TCPHS_DELAY_LINE
fi
# The configured delay applies to each direction: a handshake crosses the
# delay line twice (SYN, then SYN-ACK), so connect() takes 2 * LAB_DELAY_MS.
export LAB_DELAY_MS=20
source "$here/lab.sh"

started=$EPOCHREALTIME
passed=0
failed=0

# check NAME OK|FAIL TEXT
report() {
  if [ "${LAB_FAIL_AT:-}" = "$1" ]; then
    echo "FAIL $1: LAB_FAIL_AT=$1 (on purpose), aborting"
    exit 1
  fi
  echo "$2 $1: $3"
  if [ "$2" = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# verdict NAME EXPECTED MIN_MS MAX_MS LINE: LINE is "NAME RESULT MS [DATA]".
verdict() {
  local name=$1 expected=$2 min=$3 max=$4 result ms
  read -r _ result ms _ <<<"$5"
  if [ "$result" = "$expected" ] && awk -v t="${ms:-x}" -v a="$min" -v b="$max" \
    'BEGIN { exit !(t ~ /^[0-9.]+$/ && t >= a && t <= b) }'; then
    report "$name" PASS "$result in $ms ms"
  else
    report "$name" FAIL "got '${result:-nothing}' in ${ms:-?} ms, expected $expected in $min..$max ms"
  fi
}

# connect_from_client ARGS...: lab_connect.py inside the client namespace.
connect_from_client() {
  ip netns exec "$LAB_CLIENT" python3 "$here/lab_connect.py" "$@"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

lab_up || { echo "FAIL lab_up"; exit 1; }
echo "lab is up with prefix $LAB_PREFIX"

# Each scenario: name port v4-result v6-result min-ms max-ms [address-variable].
# TCP_SYNCNT=1 below: one retransmission after 1 s, ETIMEDOUT at 3 s.
# An ICMP error that reaches a connect() still holding its socket lock is
# dropped by the kernel (TcpExtLockDroppedIcmps): with no latency in the lab
# that is what happens to IPv6, so ICMP-driven errors may come only with the
# retransmission, after 1 s.
scenarios=(
  "open        $LAB_PORT_OPEN        OK           OK           0    500"
  "closed      $LAB_PORT_CLOSED      ECONNREFUSED ECONNREFUSED 0    500"
  "drop        $LAB_PORT_DROP        ETIMEDOUT    ETIMEDOUT    2500 4000"
  "admin       $LAB_PORT_ADMIN       EHOSTUNREACH EACCES       0    1500"
  "portunreach $LAB_PORT_PORTUNREACH ECONNREFUSED ECONNREFUSED 0    1500"
  "reset       $LAB_PORT_RESET       ECONNREFUSED ECONNREFUSED 0    500"
  "synlost     $LAB_PORT_SYNLOST     OK           OK           900  1500"
  "r2drop      $LAB_PORT_R2DROP      ETIMEDOUT    ETIMEDOUT    2500 4000"
  "control     $LAB_PORT_CONTROL     OK           OK           0    500"
  "mss         $LAB_PORT_MSS         OK           OK           0    500"
  "unreach     $LAB_PORT_OPEN        EHOSTUNREACH ENETUNREACH  0    1500 LAB_UNREACH"
  "unreachfw   $LAB_PORT_OPEN        EHOSTUNREACH EHOSTUNREACH 0    1500 LAB_UNREACH_FW"
)

# 1. The delay line, alone on the path so that nothing disturbs the timing:
# the median of 5 handshakes within 10% of 2 * LAB_DELAY_MS; then without it.
# The handshake time is the kernel's own RTT measurement (SYN out to SYN-ACK
# in), so that a late wake-up of the probing process on a busy machine does
# not count.
expected_ms=$((2 * LAB_DELAY_MS))
for fam in 4 6; do
  addr=$LAB_SERVER4
  [ $fam = 6 ] && addr="[$LAB_SERVER6]"
  times=$(for _ in 1 2 3 4 5; do connect_from_client --kernel-rtt "d=$addr:$LAB_PORT_DELAY"; done)
  echo "delay$fam: handshakes (ms): $(awk '{ printf "%s/%s ", $2, $3 }' <<<"$times")"
  line="delay$fam OK $(awk '{ print $3 }' <<<"$times" | median)"
  [ "$(grep -c ' OK ' <<<"$times")" -eq 5 ] || line="delay$fam $(grep -v ' OK ' <<<"$times" | head -n 1)"
  verdict "delay$fam" OK "$(awk -v e=$expected_ms 'BEGIN { print e * 0.9 }')" \
    "$(awk -v e=$expected_ms 'BEGIN { print e * 1.1 }')" "$line"
done
lab_set_delay 0 || report delay_off FAIL "lab_set_delay 0 failed"
verdict nodelay4 OK 0 10 "$(connect_from_client "d=$LAB_SERVER4:$LAB_PORT_DELAY")"
verdict nodelay6 OK 0 10 "$(connect_from_client "d=[$LAB_SERVER6]:$LAB_PORT_DELAY")"

# 2. Every scenario, both families, all at the same time.
targets=()
for s in "${scenarios[@]}"; do
  read -r name port _ _ _ _ var <<<"$s"
  a4=${var:-LAB_SERVER}4 a6=${var:-LAB_SERVER}6
  extra=""
  [ "$name" = mss ] && extra=",read"
  targets+=("${name}4=${!a4}:$port$extra" "${name}6=[${!a6}]:$port$extra")
done
out=$(connect_from_client --syncnt 1 --timeout 5 "${targets[@]}")
for s in "${scenarios[@]}"; do
  read -r name _ r4 r6 min max _ <<<"$s"
  verdict "${name}4" "$r4" "$min" "$max" "$(grep "^${name}4 " <<<"$out")"
  verdict "${name}6" "$r6" "$min" "$max" "$(grep "^${name}6 " <<<"$out")"
done
for fam in 4 6; do
  mss=$(grep "^mss$fam OK" <<<"$out" | sed -n 's/.* mss=\([0-9]*\)$/\1/p')
  if [ -n "$mss" ] && [ "$mss" -le "$LAB_MSS_CLAMP" ]; then
    report "mss_seen$fam" PASS "server uses MSS $mss (SYN clamped to $LAB_MSS_CLAMP)"
  else
    report "mss_seen$fam" FAIL "server uses MSS '${mss:-none}', expected <= $LAB_MSS_CLAMP"
  fi
done

# 3. Tear down and check that nothing is left.
listener=$(cat "$LAB_DIR/pid.listener")
prefix=$LAB_PREFIX dir=$LAB_DIR
lab_down
left=$(ip netns list | awk -v p="$prefix" 'index($1, p) == 1' | wc -l)
if [ "$left" -eq 0 ] && [ ! -e "$dir" ] && ! kill -0 "$listener" 2>/dev/null; then
  report teardown PASS "no ${prefix}* namespace, run dir or listener left"
else
  report teardown FAIL "$left namespaces left; run dir $( [ -e "$dir" ] && echo present || echo gone)"
fi

echo "smoke: $passed passed, $failed failed in $(_lab_ms_since "$started") ms"
[ "$failed" -eq 0 ]

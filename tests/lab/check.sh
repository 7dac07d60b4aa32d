# Assertions for lab tests: source it, call `check NAME CMD...` (passes when
# CMD succeeds) or `check_eq NAME EXPECTED ACTUAL`, end with `check_done`.
_checks_passed=0
_checks_failed=0

check() {
  local name=$1
  shift
  if "$@"; then
    _checks_passed=$((_checks_passed + 1))
    echo "PASS $name"
  else
    _checks_failed=$((_checks_failed + 1))
    echo "FAIL $name: $*"
  fi
}

check_eq() {
  if [ "$2" = "$3" ]; then
    _checks_passed=$((_checks_passed + 1))
    echo "PASS $1"
  else
    _checks_failed=$((_checks_failed + 1))
    echo "FAIL $1: expected '$2', got '$3'"
  fi
}

# Prints the closing line CTest logs and returns non-zero on any failure.
check_done() {
  echo "$_checks_passed passed, $_checks_failed failed"
  [ "$_checks_failed" -eq 0 ] && [ "$_checks_passed" -gt 0 ]
}

# Starts tcpdump in namespace $1 writing to $2 with filter $3 on interface $4
# (default any), nanosecond stamps, and waits (bounded) until it is really
# listening. Sets CAP_PID.
# In immediate mode libpcap's ring has one frame per snap length: at the
# default 262144 bytes a 2 MB buffer holds 8 packets, and a burst of SYNs
# overflows it. 512 bytes keeps every header, ICMP quote and small payload
# the tests read, and 32 MB then holds tens of thousands of packets.
capture_start() {
  local ns=$1 file=$2 filter=$3 iface=${4:-any}
  ip netns exec "$ns" tcpdump -i "$iface" -U --immediate-mode -n -s 512 -B 32768 --time-stamp-precision=nano \
    -w "$file" "$filter" \
    2>"$file.log" &
  CAP_PID=$!
  local i
  for i in $(seq 1 200); do
    grep -q "listening on" "$file.log" 2>/dev/null && return 0
    kill -0 "$CAP_PID" 2>/dev/null || return 1
    sleep 0.025
  done
  return 1
}

# Stops the capture started last, letting tcpdump flush its file.
capture_stop() {
  kill -INT "$CAP_PID" 2>/dev/null
  wait "$CAP_PID" 2>/dev/null
  return 0
}

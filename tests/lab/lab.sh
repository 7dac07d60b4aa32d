#!/usr/bin/env bash
# tcphs namespace lab: client -- router1 -- router2 -- server, IPv4 and IPv6.
#
# From a test (root):  source tests/lab/lab.sh; lab_up || exit 1; ...
#   lab_up installs EXIT/INT/TERM traps that call lab_down, so the lab goes
#   away however the test ends (short of SIGKILL: the next lab_up reaps that).
# By hand (root):      tests/lab/lab.sh up|down|status|env|delay MS
#
#   client  c0 ---- r1c  router1  r1s ---- r2c  router2  r2s ---- s0  server
#           10.77.1.0/24          10.77.2.0/24          10.77.3.0/24
#           fd00:77:1::/64        fd00:77:2::/64        fd00:77:3::/64
#   (client .2/::2, router1 .1/::1 and .1/::1, router2 .2/::2 and .1/::1,
#    server .2/::2; router2 routes 10.77.99.0/24 and fd00:77:99::/64 as
#    "unreachable", and rejects 10.77.98.0/24 and fd00:77:98::/64)
#
# Scenario ports on the server (both families; see README.md):
#   7001 open         listener                                  -> open
#   7002 closed       no listener: the server kernel's RST      -> refused
#   7003 drop         server input: drop                        -> timeout
#   7004 admin        server input: reject icmpx admin-prohib.  -> filtered
#   7005 portunreach  server input: reject icmpx port-unreach.  -> refused
#   7006 reset        server input: reject with tcp reset       -> refused
#   7007 synlost      router2: first SYN of each flow dropped   -> open, attempt 2
#   7008 r2drop       router2 forward: drop                     -> timeout
#   7009 control      listener, no rule (control for 7008)      -> open
#   7010 mss          router1 clamps the SYN's MSS to 1200      -> open
#   7011 delay        router1 NFQUEUE delay line, LAB_DELAY_MS  -> open
#   LAB_UNREACH4/6 (any port): router2's "unreachable" route    -> unreachable
#     (IPv4 host-unreachable is rate limited by the kernel's route-error
#     bucket: 5 at once, then 1/s per source; not settable per namespace)
#   LAB_UNREACH_FW4/6 (any port): router2 nftables reject with
#     host-unreachable / address-unreachable, no rate limit     -> unreachable
# Every port from 7001 to 7011 except 7002 has a listener behind its rule.

_lab_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

export LAB_PORT_OPEN=7001
export LAB_PORT_CLOSED=7002
export LAB_PORT_DROP=7003
export LAB_PORT_ADMIN=7004
export LAB_PORT_PORTUNREACH=7005
export LAB_PORT_RESET=7006
export LAB_PORT_SYNLOST=7007
export LAB_PORT_R2DROP=7008
export LAB_PORT_CONTROL=7009
export LAB_PORT_MSS=7010
export LAB_PORT_DELAY=7011
export LAB_MSS_CLAMP=1200
export LAB_SYNLOST_TIMEOUT_S=10   # the set timeout in nft/router2.nft
export LAB_DELAY_QUEUE=7

export LAB_CLIENT4=10.77.1.2 LAB_CLIENT6=fd00:77:1::2
export LAB_R1_4=10.77.1.1 LAB_R1_6=fd00:77:1::1
export LAB_R2_4=10.77.2.2 LAB_R2_6=fd00:77:2::2
export LAB_SERVER4=10.77.3.2 LAB_SERVER6=fd00:77:3::2
export LAB_UNREACH4=10.77.99.1 LAB_UNREACH6=fd00:77:99::1
export LAB_UNREACH_FW4=10.77.98.1 LAB_UNREACH_FW6=fd00:77:98::1
export LAB_CLIENT_IF=c0 LAB_R1_CLIENT_IF=r1c LAB_R1_SERVER_IF=r1s
export LAB_R2_CLIENT_IF=r2c LAB_R2_SERVER_IF=r2s LAB_SERVER_IF=s0

_lab_runtime=/run/tcphs-lab
_lab_ns_pattern='^tcphs-lab-([0-9]+|manual)-(cl|r1|r2|sv)$'

# Names derive from the owner: the PID of the shell that sourced this file
# (a crashed owner's leftovers are reaped), or "manual" for the command line.
_lab_set_owner() {
  LAB_OWNER=$1
  LAB_PREFIX="tcphs-lab-$1-"
  LAB_CLIENT=${LAB_PREFIX}cl LAB_R1=${LAB_PREFIX}r1 LAB_R2=${LAB_PREFIX}r2 LAB_SERVER=${LAB_PREFIX}sv
  LAB_DIR=$_lab_runtime/$1
  export LAB_OWNER LAB_PREFIX LAB_CLIENT LAB_R1 LAB_R2 LAB_SERVER LAB_DIR
}
_lab_set_owner $$

_lab_log() { echo "lab: $*" >&2; }
_lab_ms_since() { echo $(( (${EPOCHREALTIME/./} - ${1/./}) / 1000 )); }

# LAB_FAIL_AT=NAME makes the step NAME fail, to prove the clean-up.
_lab_fail_point() {
  [ "${LAB_FAIL_AT:-}" != "$1" ] && return 0
  _lab_log "LAB_FAIL_AT=$1: failing on purpose"
  return 1
}

lab_exec() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

_lab_own_namespaces() { ip netns list | awk -v p="$1" 'index($1, p) == 1 { print $1 }'; }

# Ends every process inside the owner's namespaces (our daemons, and whatever
# a test left running there), then deletes the namespaces and the run dir.
_lab_destroy() {
  local prefix="tcphs-lab-$1-" ns f pids try namespaces
  mapfile -t namespaces < <(_lab_own_namespaces "$prefix")
  for try in 1 2 3 4 5 6 7 8 9 10 11 12; do
    mapfile -t pids < <(for ns in "${namespaces[@]}"; do ip netns pids "$ns" 2>/dev/null; done)
    [ ${#pids[@]} -eq 0 ] && break
    [ "$try" -eq 1 ] && { kill -TERM "${pids[@]}" 2>/dev/null || true; }
    [ "$try" -eq 11 ] && { kill -KILL "${pids[@]}" 2>/dev/null || true; }
    sleep 0.05
  done
  # Reaps our own children (a no-op for daemons another shell started).
  for f in "$_lab_runtime/$1"/pid.*; do [ -f "$f" ] && { wait "$(cat "$f")" 2>/dev/null || true; }; done
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "${_lab_runtime:?}/$1"
  [ -z "$(_lab_own_namespaces "$prefix")" ] || { _lab_log "could not delete ${prefix}*"; return 1; }
}

# Removes what runs of dead owners left behind (a SIGKILLed test).
_lab_reap_stale() {
  local owner
  for owner in $( { ip netns list | sed -nE "s/ .*//; s/$_lab_ns_pattern/\1/p"
    ls "$_lab_runtime" 2>/dev/null; } | sort -u); do
    if ! [[ $owner =~ ^[0-9]+$ ]] || [ -d "/proc/$owner" ]; then continue; fi
    _lab_log "reaping leftovers of dead owner $owner"
    _lab_destroy "$owner" || true
  done
}

# Runs a daemon in a namespace and waits for the "ready" line it prints.
_lab_start() {
  local name=$1 ns=$2 fifo="$LAB_DIR/$1.ready" fd line pid
  shift 2
  mkfifo "$fifo" || return 1
  ip netns exec "$ns" "$@" >"$fifo" 2>"$LAB_DIR/$name.log" &
  pid=$!
  echo "$pid" >"$LAB_DIR/pid.$name"
  # Opened read-write, the FIFO never blocks us; a dead daemon costs the timeout.
  exec {fd}<>"$fifo"
  read -r -t 5 -u "$fd" line || line=""
  exec {fd}<&-
  rm -f "$fifo"
  [ "${line:-}" = ready ] && return 0
  _lab_log "$name did not start: $(tail -n 3 "$LAB_DIR/$name.log" 2>/dev/null)"
  return 1
}

_lab_stop() {
  local pid
  pid=$(cat "$LAB_DIR/pid.$1" 2>/dev/null) || return 0
  kill -TERM "$pid" 2>/dev/null && { wait "$pid" 2>/dev/null || true; }
  rm -f "$LAB_DIR/pid.$1"
}

_lab_topology() {
  local ns
  for ns in "$LAB_CLIENT" "$LAB_R1" "$LAB_R2" "$LAB_SERVER"; do
    ip netns add "$ns" || return 1
    # Before any interface exists, so that every one inherits it: addresses
    # are usable at once instead of after duplicate address detection.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 || return 1
  done
  for ns in "$LAB_R1" "$LAB_R2" "$LAB_SERVER"; do
    # No ICMP rate limit (per destination or global): tests count every error.
    ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_ratemask=0 \
      net.ipv6.icmp.ratelimit=0 || return 1
  done
  for ns in "$LAB_R1" "$LAB_R2"; do
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 || return 1
  done
  ip link add c0 netns "$LAB_CLIENT" type veth peer name r1c netns "$LAB_R1" &&
    ip link add r1s netns "$LAB_R1" type veth peer name r2c netns "$LAB_R2" &&
    ip link add r2s netns "$LAB_R2" type veth peer name s0 netns "$LAB_SERVER" || return 1
  ip -n "$LAB_CLIENT" -b - <<EOF || return 1
link set lo up
link set c0 up
addr add $LAB_CLIENT4/24 dev c0
addr add $LAB_CLIENT6/64 dev c0 nodad
route add default via $LAB_R1_4
route add default via $LAB_R1_6
EOF
  ip -n "$LAB_R1" -b - <<EOF || return 1
link set lo up
link set r1c up
link set r1s up
addr add $LAB_R1_4/24 dev r1c
addr add $LAB_R1_6/64 dev r1c nodad
addr add 10.77.2.1/24 dev r1s
addr add fd00:77:2::1/64 dev r1s nodad
route add default via $LAB_R2_4
route add default via $LAB_R2_6
EOF
  ip -n "$LAB_R2" -b - <<EOF || return 1
link set lo up
link set r2c up
link set r2s up
addr add $LAB_R2_4/24 dev r2c
addr add $LAB_R2_6/64 dev r2c nodad
addr add 10.77.3.1/24 dev r2s
addr add fd00:77:3::1/64 dev r2s nodad
route add 10.77.1.0/24 via 10.77.2.1
route add fd00:77:1::/64 via fd00:77:2::1
route add unreachable 10.77.99.0/24
route add unreachable fd00:77:99::/64
route add 10.77.98.0/24 via 10.77.3.2
route add fd00:77:98::/64 via fd00:77:3::2
EOF
  ip -n "$LAB_SERVER" -b - <<EOF || return 1
link set lo up
link set s0 up
addr add $LAB_SERVER4/24 dev s0
addr add $LAB_SERVER6/64 dev s0 nodad
route add default via 10.77.3.1
route add default via fd00:77:3::1
EOF
}

# Waits (bounded) until every veth has carrier and no address is tentative.
_lab_wait_links() {
  local try ns pending
  for try in $(seq 200); do
    pending=0
    for ns in "$LAB_CLIENT" "$LAB_R1" "$LAB_R2" "$LAB_SERVER"; do
      grep -qv LOWER_UP <<<"$(ip -n "$ns" -o link show type veth)" && pending=1
      [ -n "$(ip -n "$ns" -6 addr show tentative)" ] && pending=1
    done
    [ $pending -eq 0 ] && return 0
    sleep 0.01
  done
  _lab_log "links not up after 2 s"
  return 1
}

_lab_firewall() {
  local n=$_lab_here/nft
  ip netns exec "$LAB_SERVER" nft -f "$n/server.nft" -D port_drop=$LAB_PORT_DROP -D port_admin=$LAB_PORT_ADMIN \
    -D port_portunreach=$LAB_PORT_PORTUNREACH -D port_reset=$LAB_PORT_RESET &&
    ip netns exec "$LAB_R1" nft -f "$n/router1.nft" -D port_mss=$LAB_PORT_MSS -D mss_clamp=$LAB_MSS_CLAMP &&
    ip netns exec "$LAB_R2" nft -f "$n/router2.nft" -D port_r2drop=$LAB_PORT_R2DROP -D port_synlost=$LAB_PORT_SYNLOST \
      -D unreach_fw4=10.77.98.0/24 -D unreach_fw6=fd00:77:98::/64
}

_lab_listeners() {
  local specs=() port
  for port in $(seq "$LAB_PORT_OPEN" "$LAB_PORT_DELAY"); do
    [ "$port" -eq "$LAB_PORT_CLOSED" ] && continue
    specs+=("$LAB_SERVER4:$port" "[$LAB_SERVER6]:$port")
  done
  _lab_start listener "$LAB_SERVER" python3 "$_lab_here/lab_listener.py" \
    --report-mss "$LAB_PORT_MSS" "${specs[@]}"
}

_lab_delay_line_path() {
  local p
  for p in "${TCPHS_DELAY_LINE:-}" "$_lab_here/../../build/tests/tcphs_delay_line"; do
    [ -n "$p" ] && [ -x "$p" ] && { echo "$p"; return 0; }
  done
  _lab_log "tcphs_delay_line not found: build it and set TCPHS_DELAY_LINE"
  return 1
}

# lab_set_delay MS: adds MS milliseconds in each direction to every packet of
# the delay port crossing router1 (a handshake then takes 2*MS longer);
# 0 removes the delay line. The nftables `queue` expression is missing from
# this kernel, so the packets reach NFQUEUE through iptables-nft's target.
lab_set_delay() {
  local ms=$1 bin t spec rt=()
  if ! [[ $ms =~ ^[0-9]+$ ]] || [ "$ms" -gt 10000 ]; then
    _lab_log "bad delay '$ms' (0..10000 ms)"
    return 1
  fi
  [ -d "$LAB_DIR" ] || { _lab_log "no lab ${LAB_PREFIX}* is up"; return 1; }
  for t in iptables-nft ip6tables-nft; do
    ip netns exec "$LAB_R1" "$t" -t mangle -F FORWARD 2>/dev/null || true
  done
  _lab_stop delay
  LAB_DELAY_MS=$ms
  export LAB_DELAY_MS
  [ "$ms" -eq 0 ] && return 0
  bin=$(_lab_delay_line_path) || return 1
  # Real-time priority: on a busy machine a normal process wakes up
  # milliseconds late, and every late wake-up would add to the delay.
  chrt --fifo 10 true 2>/dev/null && rt=(chrt --fifo 10)
  _lab_start delay "$LAB_R1" "${rt[@]}" "$bin" --queue "$LAB_DELAY_QUEUE" --delay-us $((ms * 1000)) || return 1
  for t in iptables-nft ip6tables-nft; do
    for spec in --dport --sport; do
      ip netns exec "$LAB_R1" "$t" -t mangle -A FORWARD -p tcp "$spec" "$LAB_PORT_DELAY" \
        -j NFQUEUE --queue-num "$LAB_DELAY_QUEUE" || return 1
    done
  done
}

# The last check: a real handshake from the client to the server, both families.
_lab_wait_ready() {
  local out
  out=$(ip netns exec "$LAB_CLIENT" python3 "$_lab_here/lab_connect.py" --timeout 2 \
    "v4=$LAB_SERVER4:$LAB_PORT_OPEN" "v6=[$LAB_SERVER6]:$LAB_PORT_OPEN")
  [ "$(awk '$2 == "OK"' <<<"$out" | wc -l)" -eq 2 ] && return 0
  _lab_log "client cannot reach the server: $out"
  return 1
}

_lab_write_env() {
  local v
  for v in LAB_OWNER LAB_PREFIX LAB_CLIENT LAB_R1 LAB_R2 LAB_SERVER LAB_DIR LAB_DELAY_MS \
    "${!LAB_PORT_@}" LAB_MSS_CLAMP LAB_SYNLOST_TIMEOUT_S LAB_DELAY_QUEUE LAB_CLIENT4 LAB_CLIENT6 \
    LAB_R1_4 LAB_R1_6 LAB_R2_4 LAB_R2_6 LAB_SERVER4 LAB_SERVER6 LAB_UNREACH4 LAB_UNREACH6 \
    "${!LAB_UNREACH_FW@}" "${!LAB_CLIENT_IF@}" "${!LAB_R1_@}" "${!LAB_R2_@}" LAB_SERVER_IF; do
    printf 'export %s=%q\n' "$v" "${!v}"
  done | sort -u >"$LAB_DIR/env"
}

# lab_up: builds the lab (LAB_DELAY_MS, default 0, sets the delay line).
# Safe under the caller's `set -euo pipefail`, like every function here.
lab_up() {
  local t0=$EPOCHREALTIME
  [ "$(id -u)" -eq 0 ] || { _lab_log "needs root (network namespaces, nftables)"; return 1; }
  _lab_reap_stale
  if [ -n "$(_lab_own_namespaces "$LAB_PREFIX")" ] || [ -d "$LAB_DIR" ]; then
    if [ "$LAB_OWNER" = manual ] || [ -n "${_lab_active:-}" ]; then
      _lab_log "a lab ${LAB_PREFIX}* is already up (lab_down first)"
      return 1
    fi
    _lab_destroy "$LAB_OWNER" || return 1   # left by a dead process with our PID
  fi
  _lab_active=1
  if [ "$LAB_OWNER" != manual ]; then
    trap lab_down EXIT
    trap 'lab_down; exit 130' INT
    trap 'lab_down; exit 143' TERM
  fi
  mkdir -p "$_lab_runtime" && mkdir -m 0700 "$LAB_DIR" || return 1
  _lab_topology && _lab_fail_point topology && _lab_wait_links && _lab_firewall &&
    _lab_fail_point firewall && _lab_listeners && _lab_fail_point listeners &&
    lab_set_delay "${LAB_DELAY_MS:-0}" && _lab_wait_ready && _lab_write_env || return 1
  _lab_log "up: ${LAB_PREFIX}{cl,r1,r2,sv}, delay ${LAB_DELAY_MS} ms, in $(_lab_ms_since "$t0") ms"
}

# lab_down: removes everything this owner's run made; safe to call twice.
lab_down() {
  local t0=$EPOCHREALTIME
  [ -n "${_lab_active:-}" ] || [ -n "$(_lab_own_namespaces "$LAB_PREFIX")" ] || [ -d "$LAB_DIR" ] || return 0
  _lab_destroy "$LAB_OWNER" || return 1
  unset _lab_active
  _lab_log "down: ${LAB_PREFIX}* removed in $(_lab_ms_since "$t0") ms"
}

lab_status() {
  local ns owner state
  for ns in $(ip netns list | awk '{ print $1 }'); do
    [[ $ns =~ $_lab_ns_pattern ]] || continue
    owner=${BASH_REMATCH[1]}
    state=alive
    [ "$owner" = manual ] || [ -d "/proc/$owner" ] || state="stale (owner gone)"
    echo "$ns owner=$owner $state pids: $(ip netns pids "$ns" | tr '\n' ' ')"
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  _lab_set_owner manual
  case "${1:-}" in
    up) if lab_up; then cat "$LAB_DIR/env"; else lab_down; exit 1; fi ;;
    down) lab_down ;;
    status) lab_status ;;
    env) cat "$LAB_DIR/env" ;;
    delay) _lab_active=1 && lab_set_delay "${2:-}" && _lab_write_env ;;
    *) echo "usage: $0 up|down|status|env|delay MS" >&2; exit 64 ;;
  esac
fi

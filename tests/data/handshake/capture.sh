#!/usr/bin/env bash
# Regenerates the handshake ladder fixtures (pcap, nanosecond stamps) in this
# directory from the namespace lab (tests/lab/lab.sh). Needs root, tcpdump
# and python3; every packet stays inside the lab, which is removed on exit.
#   open_send.pcap     7001: connect, send "hello\n", client closes (FIN first)
#   refused.pcap       7002: no listener, the server's RST
#   synlost.pcap       7007: the first SYN is dropped, the 1 s retransmission passes
#   server_close.pcap  7100: a listener started here sends "bye\n" and closes first
# Usage: tests/data/handshake/capture.sh [OUTPUT_DIR]
set -euo pipefail
out=$(cd "${1:-$(dirname "$0")}" && pwd)
here=$(cd "$(dirname "$0")/../../lab" && pwd)
source "$here/lab.sh"
source "$here/check.sh"
lab_up || exit 1

ip netns exec "$LAB_SERVER" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("'"$LAB_SERVER4"'", 7100)); s.listen(4); print("ready", flush=True)
c, _ = s.accept(); c.recv(100); c.sendall(b"bye\n"); c.close()
' >"$LAB_DIR/sc.log" &
for i in $(seq 1 100); do grep -q ready "$LAB_DIR/sc.log" 2>/dev/null && break; sleep 0.02; done

client() {  # PORT SEND CLOSE(client|server)
  ip netns exec "$LAB_CLIENT" python3 - "$LAB_SERVER4" "$@" <<'PY' || true
import socket, sys, time
host, port, data, close = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = socket.socket()
try:
    s.connect((host, port))
except OSError as e:
    print("connect:", e); sys.exit(0)
if data:
    s.sendall(data.encode())
time.sleep(0.05)
if close == "server":
    while s.recv(100):
        pass
s.close()
time.sleep(0.2)
PY
}

run() {  # NAME PORT SEND CLOSE
  capture_start "$LAB_CLIENT" "$LAB_DIR/$1.pcap" "tcp port $2" || exit 1
  ip netns exec "$LAB_CLIENT" true
  client "$2" "$3" "$4"
  capture_stop
  cp "$LAB_DIR/$1.pcap" "$out/$1.pcap"
}

run open_send "$LAB_PORT_OPEN" $'hello\n' client
run refused "$LAB_PORT_CLOSED" "" client
run synlost "$LAB_PORT_SYNLOST" "" client
run server_close 7100 "ping" server

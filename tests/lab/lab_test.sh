# The opening every lab test shares: sourced as
#   source "$(dirname "$0")/lab_test.sh" "$@"
# with the tcphs binary as $1. Brings a lab up (lab.sh, whose traps take it
# down however the test ends) and the checks (check.sh), then sets:
#   TCPHS  the binary, absolute    here  this directory    W  the lab's scratch dir
#   S      the server's IPv4 address
# and the helpers the tests use to drive the lab.
set -uo pipefail
TCPHS=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lab.sh"
source "$here/check.sh"
lab_up || { echo "FAIL lab_up"; exit 1; }
W=$LAB_DIR
S=$LAB_SERVER4

# C CMD...: runs CMD in the client's namespace.
C() { ip netns exec "$LAB_CLIENT" "$@"; }
# J FILE EXPR: evaluates EXPR over FILE's NDJSON records (ndjson.py).
J() { python3 "$here/ndjson.py" "$@"; }
# addr FAMILY ADDRESS: the address as a target takes it ([v6] in brackets).
addr() { if [ "$1" = 4 ]; then echo "$2"; else echo "[$2]"; fi; }
# ms_since T0: milliseconds since $EPOCHREALTIME was T0.
ms_since() { echo $(( (${EPOCHREALTIME/./} - ${1/./}) / 1000 )); }
# tshark without its "running as root" note on stderr.
tshark() { command tshark "$@" 2>/dev/null; }

#!/usr/bin/env bash
# Enforces the layer rules of src/ARCHITECTURE.md on the sources:
#  - core includes no io/app header and no system-call header;
#  - only src/core/packet_codec.cpp includes libtins;
#  - io includes no app header;
#  - no file in src/ or include/ is over 400 lines.
set -uo pipefail
cd "$(dirname "$0")/.."
bad=0
fail() { echo "layer rule broken: $*"; bad=1; }

core_files=$(ls src/core/*.cpp include/tcphs/core/*.hpp)
grep -nE '#include *[<"](tcphs/(io|app)/|sys/|unistd\.h|linux/|netinet/|net/|poll\.h|fcntl\.h|pcap|signal\.h|pthread)' \
  $core_files && fail "core includes an io/app or system-call header (above)"
grep -lE '#include *<tins/' src/*/*.cpp include/tcphs/*/*.hpp | grep -vx src/core/packet_codec.cpp &&
  fail "libtins included outside src/core/packet_codec.cpp (above)"
grep -nE '#include *"tcphs/app/' src/io/*.cpp include/tcphs/io/*.hpp && fail "io includes an app header (above)"
for f in src/*/*.cpp src/*.cpp include/tcphs/*/*.hpp; do
  n=$(wc -l <"$f")
  [ "$n" -gt 400 ] && fail "$f has $n lines (over 400)"
done
[ $bad -eq 0 ] && echo "layer rules hold"
exit $bad

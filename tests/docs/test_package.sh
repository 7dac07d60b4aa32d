#!/usr/bin/env bash
# Install rules and the .deb (no root needed, no network): `cmake --install`
# puts each file where its consumer looks; `cpack -G DEB` builds a package
# whose contents and control fields are checked with dpkg-deb; the package
# installs into a scratch root with dpkg (maintainer scripts run, chrootless)
# and is removed again; the postinst sets CAP_NET_RAW, stays quiet without
# setcap and says one line when setcap fails.
# usage: bash test_package.sh PATH/TO/tcphs BUILD_DIR
set -uo pipefail
TCPHS=$(realpath "$1")
BUILD=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
source "$here/../lab/check.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
version=$("$TCPHS" --version | awk '{print $2}')
[ "$(id -u)" -eq 0 ] && root=1 || root=0

# --- cmake --install: a local prefix, and a packager's /usr under DESTDIR ---
cmake --install "$BUILD" --prefix "$W/local/usr/local" >"$W/install.log" 2>&1
check_eq "cmake --install --prefix: exit" 0 "$?"
L=$W/local/usr/local
check "installed binary is executable" test -x "$L/bin/tcphs"
check_eq "installed binary runs" "tcphs $version" "$("$L/bin/tcphs" --version)"
check "man page in share/man/man1, gzipped, the same text" cmp -s <(gzip -dc "$L/share/man/man1/tcphs.1.gz") "$src/man/tcphs.1"
check "bash completion in bash-completion's completions dir, named tcphs" \
  cmp -s "$L/share/bash-completion/completions/tcphs" "$src/completions/tcphs.bash"
check "zsh completion in site-functions (not /usr)" cmp -s "$L/share/zsh/site-functions/_tcphs" "$src/completions/_tcphs"
check "fish completion in vendor_completions.d" \
  cmp -s "$L/share/fish/vendor_completions.d/tcphs.fish" "$src/completions/tcphs.fish"
check "README and LICENSE in share/doc/tcphs" test -f "$L/share/doc/tcphs/README.md" -a -f "$L/share/doc/tcphs/LICENSE"
check "man finds the installed page by name" \
  bash -c "MANWIDTH=80 man -M '$L/share/man' tcphs 2>/dev/null | grep -q '^EXIT STATUS'"
DESTDIR=$W/dest cmake --install "$BUILD" --prefix /usr >>"$W/install.log" 2>&1
check_eq "DESTDIR=... cmake --install --prefix /usr: exit" 0 "$?"
check "prefix /usr: zsh completion in vendor-completions" test -f "$W/dest/usr/share/zsh/vendor-completions/_tcphs"
check "prefix /usr: bash completion in /usr/share/bash-completion/completions" \
  test -f "$W/dest/usr/share/bash-completion/completions/tcphs"

# --- cpack -G DEB ---------------------------------------------------------
cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$W/pkg" >"$W/cpack.log" 2>&1
check_eq "cpack -G DEB: exit" 0 "$?"
arch=$(dpkg --print-architecture)
deb=$W/pkg/tcphs_${version}_$arch.deb
check "the package is tcphs_${version}_$arch.deb" test -f "$deb"

dpkg-deb -c "$deb" >"$W/contents" || echo "FAIL dpkg-deb -c"
check_eq "dpkg-deb -c: exactly these files" "$(printf '%s\n' \
  ./usr/bin/tcphs \
  ./usr/share/bash-completion/completions/tcphs \
  ./usr/share/doc/tcphs/LICENSE \
  ./usr/share/doc/tcphs/README.md \
  ./usr/share/fish/vendor_completions.d/tcphs.fish \
  ./usr/share/man/man1/tcphs.1.gz \
  ./usr/share/zsh/vendor-completions/_tcphs)" "$(awk '$1 !~ /^d/ {print $6}' "$W/contents" | sort)"
check_eq "dpkg-deb -c: everything owned by root" "" "$(awk '$2 != "root/root"' "$W/contents")"
check_eq "dpkg-deb -c: the binary is -rwxr-xr-x" "-rwxr-xr-x" "$(awk '$6 == "./usr/bin/tcphs" {print $1}' "$W/contents")"
dpkg-deb -x "$deb" "$W/x"
check "dpkg-deb -x: the binary is an ELF file with sections" bash -c "readelf -S '$W/x/usr/bin/tcphs' | grep -q '\.text'"
check_eq "dpkg-deb -x: the binary is stripped" "" "$(readelf -S "$W/x/usr/bin/tcphs" | grep -oE '\.(debug_info|symtab)')"

field() { dpkg-deb -f "$deb" "$1"; }
check_eq "control: Package" tcphs "$(field Package)"
check_eq "control: Version is the binary's" "$version" "$(field Version)"
check_eq "control: Architecture" "$arch" "$(field Architecture)"
check_eq "control: Section" net "$(field Section)"
check_eq "control: Recommends libcap2-bin (setcap)" libcap2-bin "$(field Recommends)"
depends=$(field Depends)
for lib in libpcap0.8 libtins4.0 libcap2 libsodium23 libc6; do
  check "control: Depends names $lib" grep -qw -- "$lib" <<<"$depends"
done
for p in $(tr ',' '\n' <<<"$depends" | awk '{print $1}'); do
  check "dependency $p is a real, installed package here" \
    bash -c "dpkg-query -W -f='\${Status}' '$p' | grep -q 'install ok installed'"
done

dpkg-deb -e "$deb" "$W/control"
check_eq "postinst is mode 755" 755 "$(stat -c %a "$W/control/postinst")"
check "postinst: sh -n" sh -n "$W/control/postinst"
check "postinst: names the packaged binary" grep -qF 'bin="${DPKG_ROOT:-}/usr/bin/tcphs"' "$W/control/postinst"

# --- install into a scratch root, the way dpkg does ------------------------
R=$W/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers"
touch "$R/var/lib/dpkg/status" "$R/var/lib/dpkg/available"
scratch_dpkg() {
  local force=(--force-script-chrootless --force-depends)
  [ $root -eq 1 ] || force+=(--force-not-root)
  dpkg --root="$R" "${force[@]}" --log=/dev/null "$@"
}
scratch_dpkg -i "$deb" >"$W/dpkg.out" 2>"$W/dpkg.err"
check_eq "dpkg --root -i: exit" 0 "$?"
check_eq "dpkg --root: installed" "install ok installed" "$(dpkg-query --root="$R" -W -f='${Status}' tcphs)"
check_eq "installed tcphs runs" "tcphs $version" "$("$R/usr/bin/tcphs" --version)"
if [ $root -eq 1 ]; then
  check_eq "postinst gave the binary cap_net_raw=ep" "cap_net_raw=ep" "$(getcap "$R/usr/bin/tcphs" | awk '{print $2}')"
else
  check "postinst (not root): one line, setcap could not" grep -q "could not give .* cap_net_raw" "$W/dpkg.err"
fi
check "installed man page renders" bash -c "MANWIDTH=80 man -l '$R/usr/share/man/man1/tcphs.1.gz' | grep -q '^EXIT STATUS'"
python3 "$here/bash_tab.py" "$R/usr/share" "tcphs pr" "tcphs probe --expect " >"$W/tab.json"
check_eq "installed bash completion loads on demand: tcphs pr<TAB>" "tcphs probe |filtered open refused timeout unreachable" \
  "$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r[0]['line'] + '|' + ' '.join(r[1]['listed']))" "$W/tab.json")"
check "installed zsh completion: zsh -n" zsh -n "$R/usr/share/zsh/vendor-completions/_tcphs"
check "installed fish completion: fish -n" fish -n "$R/usr/share/fish/vendor_completions.d/tcphs.fish"

# --- the postinst on its own: with a recording setcap, a failing one, none --
mkdir -p "$W/fake" "$W/failing" "$W/none"
printf '#!/bin/sh\necho "$@" >"%s/setcap.args"\n' "$W" >"$W/fake/setcap"
printf '#!/bin/sh\nexit 1\n' >"$W/failing/setcap"
chmod +x "$W/fake/setcap" "$W/failing/setcap"
postinst() { env -i PATH="$1" DPKG_ROOT="$R" /bin/sh "$W/control/postinst" "$2" >"$W/pi.out" 2>&1; }
postinst "$W/fake" configure
check_eq "postinst configure: exit" 0 "$?"
check_eq "postinst configure: setcap cap_net_raw+ep on the binary" "cap_net_raw+ep $R/usr/bin/tcphs" \
  "$(cat "$W/setcap.args" 2>/dev/null)"
rm -f "$W/setcap.args"
postinst "$W/fake" abort-upgrade
check "postinst abort-upgrade: leaves capabilities alone" test ! -e "$W/setcap.args"
postinst "$W/none" configure
check_eq "postinst without setcap: exit 0" 0 "$?"
check_eq "postinst without setcap: quiet" "" "$(cat "$W/pi.out")"
postinst "$W/failing" configure
check_eq "postinst with a failing setcap: exit 0" 0 "$?"
check_eq "postinst with a failing setcap: one line" 1 "$(wc -l <"$W/pi.out")"

scratch_dpkg -r tcphs >"$W/dpkg.out" 2>&1
check_eq "dpkg --root -r: exit" 0 "$?"
check_eq "removed: no file left under usr/" "" "$(find "$R/usr" -type f 2>/dev/null)"
check_done

#!/usr/bin/env bash
# The man page (no root, no network): groff -ww has nothing to warn about,
# man -l renders it, and it documents every command and every option (with
# its default) that the binary's --help lists, and nothing else.
# usage: bash test_man.sh PATH/TO/tcphs
set -uo pipefail
TCPHS=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
source "$here/../lab/check.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
MAN=$src/man/tcphs.1

groff -ww -z -man "$MAN" 2>"$W/groff.err"
check_eq "groff -ww -z -man: exit" 0 "$?"
check_eq "groff -ww -z -man: no warnings" "" "$(cat "$W/groff.err")"

MANWIDTH=80 man -l "$MAN" >"$W/man.txt" 2>"$W/man.err"
check_eq "man -l: exit" 0 "$?"
check_eq "man -l: nothing on stderr" "" "$(cat "$W/man.err")"
for section in NAME SYNOPSIS DESCRIPTION TARGETS COMMANDS "COMMON OPTIONS" OPTIONS OUTCOMES "EXIT STATUS" \
  "CHECK FILES" "JSON OUTPUT" PRIVILEGES ENVIRONMENT EXAMPLES "SEE ALSO"; do
  check "man -l: section $section" grep -qx "$section" "$W/man.txt"
done
for word in NO_COLOR "hping3(8)" "nmap(1)" "traceroute(8)" "setcap cap_net_raw+ep" "--cap-add NET_RAW"; do
  check "man -l: mentions $word" grep -qF -- "$word" "$W/man.txt"
done
check_eq "man -l: no line over 80 columns" "" \
  "$(python3 -c 'import sys; print("\n".join(l for l in open(sys.argv[1]).read().splitlines() if len(l) > 80))' \
    "$W/man.txt")"
check_eq ".TH names the version the binary reports" "$("$TCPHS" --version)" \
  "$(sed -n 's/^\.TH TCPHS 1 [^ ]* "\([^"]*\)".*/\1/p' "$MAN")"

python3 "$here/docs_check.py" man "$TCPHS" "$MAN" >"$W/sync.out"
check_eq "every command and option of --help is documented, with its default" "" "$(cat "$W/sync.out")"

# The sync check catches drift: an option left out, a wrong default, an
# option that does not exist, a command without its section.
sed -e '/^\\fB\\-\\-rto\\fR/,+2d' -e 's/^Default: 30\.$/Default: 31./' \
  -e 's/^\\fB\\-\\-tfo\\fR$/\\fB\\-\\-tfo\\fR, \\fB\\-\\-bogus\\fR/' \
  -e 's/^\.SS "tcphs explain/.SS "explaining/' "$MAN" >"$W/mutant.1"
python3 "$here/docs_check.py" man "$TCPHS" "$W/mutant.1" >"$W/mutant.out"
for problem in "tcphs probe: --rto is not documented" \
  "tcphs trace: --max-hops defaults to 30, the man page does not say 'Default: 30.'" \
  "tcphs probe: the man page documents --bogus, which 'tcphs probe --help' does not list" \
  "command 'explain' has no .SS \"tcphs explain ...\" under COMMANDS"; do
  check "sync check catches: $problem" grep -qxF -- "$problem" "$W/mutant.out"
done

# Every man page section a command's --help points at exists.
for c in $("$TCPHS" --help | awk '/^  [a-z]+ / { print $1 }'); do
  while read -r section; do
    check "tcphs $c --help points at section $section" grep -qx "$section" "$W/man.txt"
  done < <("$TCPHS" "$c" --help 2>/dev/null | grep -oE "man tcphs', [A-Z][A-Z ]*[A-Z]" | sed "s/^man tcphs', //")
done
check_done

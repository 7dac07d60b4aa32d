#!/usr/bin/env bash
# What every command shares (no root, no network: nothing here gets as far as
# sending): --help with examples of that command, --version, one-line errors
# with nothing on stdout, and colour only on a terminal without NO_COLOR.
# usage: bash test_help.sh PATH/TO/tcphs
set -uo pipefail
TCPHS=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lab/check.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

python3 "$here/docs_check.py" cli "$TCPHS" >"$W/cli.json" || { echo "FAIL reading tcphs --help"; exit 1; }
mapfile -t commands < <(python3 -c "import json,sys; print('\n'.join(c for c in json.load(open(sys.argv[1])) if c))" \
  "$W/cli.json")

for c in "${commands[@]}"; do
  "$TCPHS" "$c" --help >"$W/help" 2>"$W/help.err"
  check_eq "tcphs $c --help: exit 0, nothing on stderr" "0:" "$?:$(cat "$W/help.err")"
  check "tcphs $c --help: has examples of 'tcphs $c'" \
    bash -c "sed -n '/^Examples:\$/,\$p' '$W/help' | grep -qE '^  tcphs $c( |\$)'"
done
"$TCPHS" --help >"$W/help"
check "tcphs --help lists every command" bash -c "for c in ${commands[*]}; do grep -qE \"^  \$c \" '$W/help' || exit 1; done"
check "tcphs --help points at per-command help and the man page" grep -q "tcphs COMMAND --help.*man tcphs" "$W/help"
check "tcphs --version: 'tcphs X.Y.Z'" bash -c "'$TCPHS' --version | grep -qxE 'tcphs [0-9]+\.[0-9]+\.[0-9]+'"

# Usage errors: exit 64, one line on stderr starting "tcphs: ", no stdout.
n=0
while IFS='|' read -r message args; do
  n=$((n + 1))
  eval "set -- $args"
  "$TCPHS" "$@" >"$W/out" 2>"$W/err"
  rc=$?
  label="error $n (tcphs $args)"
  check_eq "$label: exit 64" 64 "$rc"
  check_eq "$label: one line on stderr" 1 "$(wc -l <"$W/err")"
  check "$label: it says '$message'" grep -qE "^tcphs: .*$message" "$W/err"
  check_eq "$label: nothing on stdout" 0 "$(wc -c <"$W/out")"
done <<'EOF'
subcommand is required|
unknown command 'bogus' \(the commands are probe, |bogus
unknown outcome 'bogus'|explain bogus
--color|explain --color sometimes
targets is required|probe
--count|probe --count x 127.0.0.1:1
unknown outcome 'maybe'|probe --expect maybe 127.0.0.1:1
EOF

# Colour: explain paints the outcome words; "auto" only on a terminal and
# only without NO_COLOR. A pty stands in for the terminal.
on_pty() {  # env... -- command...: prints what the command wrote to a pty
  python3 - "$@" <<'PY'
import os, pty, sys
args = sys.argv[1:]
cut = args.index("--")
env = dict(os.environ)
env.pop("NO_COLOR", None)
env.update(a.split("=", 1) for a in args[:cut])
pid, fd = pty.fork()
if pid == 0:
    os.execvpe(args[cut + 1], args[cut + 1:], env)
out = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
PY
}
esc=$'\e['
on_pty -- "$TCPHS" explain open >"$W/tty"
on_pty NO_COLOR=1 -- "$TCPHS" explain open >"$W/tty_no_color"
on_pty -- "$TCPHS" explain --color never open >"$W/tty_never"
"$TCPHS" explain open >"$W/pipe"
"$TCPHS" explain --color always open >"$W/pipe_always"
check "the pty run printed the explanation" grep -q "open (exit 0)" "$W/tty_no_color"
check "a terminal, no NO_COLOR: colour" grep -qF "$esc" "$W/tty"
check "a terminal, NO_COLOR=1: none" bash -c "! grep -qF '$esc' '$W/tty_no_color'"
check "a terminal, --color never: none" bash -c "! grep -qF '$esc' '$W/tty_never'"
check "a pipe: none" bash -c "! grep -qF '$esc' '$W/pipe'"
check "a pipe, --color always: colour" grep -qF "$esc" "$W/pipe_always"
check_done

#!/usr/bin/env bash
# scripts/steps.sh, the quiet steps of scripts/quickstart: a step that works
# prints one line and keeps its output in the log; a step that fails says so
# and shows the log's tail; the exit status is the command's.
# usage: bash test_steps.sh TCPHS BUILD_DIR   (neither is used; no root)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lab/check.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
STEPS_LOG=$W/log STEPS_TAIL=3
source "$here/../../scripts/steps.sh"

noisy() { for i in $(seq 1 "$1"); do echo "noise line $i"; done; echo "to stderr" >&2; return "$2"; }

step "a good step" noisy 50 0 >"$W/out"
check_eq "a good step returns 0" 0 "$?"
check_eq "a good step prints one line" 1 "$(wc -l <"$W/out")"
check "that line names the step and says done" grep -qE '^== a good step \.\.\. done \([0-9]+ s\)$' "$W/out"
check "its output is in the log" grep -qx "noise line 50" "$W/log"
check "its stderr is in the log" grep -qx "to stderr" "$W/log"
check "the log names the step's command" grep -qx "== a good step: noisy 50 0" "$W/log"

step "a bad step" noisy 10 7 >"$W/out2"
check_eq "a bad step returns the command's status" 7 "$?"
check "it says FAILED with the status" grep -qx "== a bad step ... FAILED (exit 7)" "$W/out2"
check "it names the log" grep -qx "the last 3 lines of $W/log:" "$W/out2"
check_eq "it shows the log's last 3 lines" "  | noise line 9|  | noise line 10|  | to stderr" \
  "$(tail -n 3 "$W/out2" | paste -sd'|')"
check_eq "and nothing more" 5 "$(wc -l <"$W/out2")"

check "scripts/quickstart runs bootstrap and the build as steps" \
  grep -qE '^ *step "installing dependencies' "$here/../../scripts/quickstart"
check_done

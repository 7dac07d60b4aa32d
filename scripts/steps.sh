# Quiet steps for scripts that a person watches (scripts/quickstart): each
# step's own output (apt, cmake, the compiler) goes to one log file, and the
# screen gets one line per step. When a step fails, the line says so and the
# last lines of the log follow, so the error is on screen without scrolling.
#
#   source scripts/steps.sh
#   STEPS_LOG=/path/to/log    (default: a new file under ${TMPDIR:-/tmp})
#   step "building tcphs" cmake --build build --target tcphs
#
# step returns the command's exit status; STEPS_TAIL lines are shown on a
# failure (default 20).

: "${STEPS_LOG:=$(mktemp "${TMPDIR:-/tmp}/tcphs-steps.XXXXXX.log")}"
: "${STEPS_TAIL:=20}"

step() {
  local label=$1 rc=0 started
  shift
  started=$(date +%s)
  printf '== %s ... ' "$label"
  printf '\n== %s: %s\n' "$label" "$*" >>"$STEPS_LOG"
  "$@" >>"$STEPS_LOG" 2>&1 </dev/null || rc=$?
  if [ $rc -eq 0 ]; then
    echo "done ($(($(date +%s) - started)) s)"
    return 0
  fi
  echo "FAILED (exit $rc)"
  echo "the last $STEPS_TAIL lines of $STEPS_LOG:"
  tail -n "$STEPS_TAIL" "$STEPS_LOG" | sed 's/^/  | /'
  return $rc
}

#!/usr/bin/env bash
# Shell completions (no root, no network): bash as a user meets it (a real
# interactive bash with bash-completion, <TAB> on a pty); `zsh -n` and
# `fish -n`; and for every shell, the commands and options it offers against
# those `tcphs CMD --help` lists, so the two cannot drift apart.
# usage: bash test_completions.sh PATH/TO/tcphs
set -uo pipefail
TCPHS=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
source "$here/../lab/check.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
D() { python3 "$here/docs_check.py" "$@"; }
field() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($1)" "$2"; }  # EXPR FILE

D cli "$TCPHS" >"$W/cli.json" || { echo "FAIL reading tcphs --help"; exit 1; }
mapfile -t commands < <(field "'\n'.join(c for c in r if c)" "$W/cli.json")
check "the binary has commands (${commands[*]})" test ${#commands[@]} -ge 2

# --- bash: behaviour under bash-completion, loaded the way an installed one is
bash_dir() {  # $1: completion file -> a directory for BASH_COMPLETION_USER_DIR
  mkdir -p "$W/$2/bash-completion/completions"
  cp "$1" "$W/$2/bash-completion/completions/tcphs"
  echo "$W/$2"
}
B=$(bash_dir "$src/completions/tcphs.bash" bash)
python3 "$here/bash_tab.py" "$B" "tcphs pr" "tcphs probe --ex" "tcphs probe --expect " \
  "tcphs probe --expect open,re" "tcphs probe --expect=ti" "tcphs explain " "tcphs explain fil" \
  "tcphs probe -I " "tcphs probe --color " "tcphs trace --mode " "tcphs probe --count " >"$W/tab.json"
check "bash: the pty session ran" test -s "$W/tab.json"
tab() { field "$1" "$W/tab.json"; }
outcomes="filtered open refused timeout unreachable"
listed() { tab "' '.join(r[$1]['listed'])"; }
check_eq "bash: tcphs pr<TAB> -> probe" "tcphs probe " "$(tab "r[0]['line']")"
check_eq "bash: tcphs probe --ex<TAB> -> --expect" "tcphs probe --expect " "$(tab "r[1]['line']")"
check_eq "bash: --expect <TAB> lists the outcomes" "$outcomes" "$(listed 2)"
check_eq "bash: --expect open,re<TAB> completes the list" "tcphs probe --expect open,refused " "$(tab "r[3]['line']")"
check_eq "bash: --expect=ti<TAB>" "tcphs probe --expect=timeout " "$(tab "r[4]['line']")"
check_eq "bash: explain <TAB> lists the outcomes" "$outcomes" "$(listed 5)"
check_eq "bash: explain fil<TAB>" "tcphs explain filtered " "$(tab "r[6]['line']")"
check "bash: -I <TAB> lists interfaces (lo)" grep -qx True <(tab "'lo' in r[7]['listed']")
check_eq "bash: --color <TAB>" "always auto never" "$(listed 8)"
check_eq "bash: trace --mode <TAB>" "auto connect raw" "$(listed 9)"
check_eq "bash: --count <TAB> offers nothing" "tcphs probe --count |" "$(tab "r[10]['line'] + '|' + ' '.join(r[10]['listed'])")"

# Option sync: what <TAB> lists after "tcphs -", "tcphs " and "tcphs CMD -".
bash_offered() {  # $1: directory from bash_dir -> JSON on stdout
  local lines=("tcphs -" "tcphs ") c
  for c in "${commands[@]}"; do lines+=("tcphs $c -"); done
  python3 "$here/bash_tab.py" "$1" "${lines[@]}" >"$W/sync.json" || return 1
  python3 - "$W/sync.json" "${commands[@]}" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
offered = {"commands": r[1]["listed"], "options": {"": r[0]["listed"]}}
for i, c in enumerate(sys.argv[2:]):
    offered["options"][c] = r[2 + i]["listed"]
print(json.dumps(offered))
EOF
}
bash_offered "$B" >"$W/bash.json"
check "bash: offers every command and option --help lists, and no other" D offered "$TCPHS" bash "$W/bash.json"

# --- zsh --------------------------------------------------------------------
check "zsh -n completions/_tcphs" zsh -n "$src/completions/_tcphs"
# The specs each function hands to _arguments, with the completion system
# stubbed out: one line "CMD<TAB>SPEC" per spec.
zsh_offered() {  # $1: completion file
  zsh -f -c '
    CMD=""
    _arguments() {
      local a start=1
      for a in "$@"; do
        if (( start )) && [[ $a == (-s|-S|-C|:) ]]; then continue; fi
        start=0
        print -r -- "$CMD	$a"
      done
    }
    _describe() { local e; for e in "${(@P)${@[-1]}}"; do print -r -- "commands	$e"; done }
    _values() { :; }
    _message() { :; }
    source "$1" >"$2"
    _tcphs_commands >>"$2"
    for c in ${(s: :)3}; do
      CMD=$c
      if (( $+functions[_tcphs_cmd_$c] )); then _tcphs_cmd_$c >>"$2"; fi
    done' zsh "$1" "$W/zsh.specs" "${commands[*]}" &&
    D zsh-offered "$W/zsh.specs"
}
zsh_offered "$src/completions/_tcphs" >"$W/zsh.json"
check "zsh: offers every command and option --help lists, and no other" D offered "$TCPHS" zsh "$W/zsh.json"

# --- fish -------------------------------------------------------------------
check "fish -n completions/tcphs.fish" fish -n "$src/completions/tcphs.fish"
fish_complete() {  # $1: completion file, $2: command line
  fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$1" "$2" | cut -f1
}
fish_offered() {  # $1: completion file
  local c
  { echo "commands"; fish_complete "$1" "tcphs "
    echo "options "; fish_complete "$1" "tcphs -"
    for c in "${commands[@]}"; do echo "options $c"; fish_complete "$1" "tcphs $c -"; done
  } | python3 -c '
import json, sys
offered, key = {"commands": [], "options": {}}, None
for line in sys.stdin.read().splitlines():
    if line == "commands":
        key = None
    elif line.startswith("options "):
        key = line[len("options "):]
        offered["options"][key] = []
    elif key is None:
        offered["commands"].append(line)
    else:
        offered["options"][key].append(line)
print(json.dumps(offered))'
}
fish_offered "$src/completions/tcphs.fish" >"$W/fish.json"
check "fish: offers every command and option --help lists, and no other" D offered "$TCPHS" fish "$W/fish.json"
check_eq "fish: --expect <TAB> lists the outcomes" "filtered open refused timeout unreachable" \
  "$(fish_complete "$src/completions/tcphs.fish" "tcphs probe --expect " | sort | xargs)"
check_eq "fish: --expect open,r<TAB>" "open,refused" \
  "$(fish_complete "$src/completions/tcphs.fish" "tcphs probe --expect open,r")"

# --- the sync checks catch a missing option (each shell, one mutation) -------
sed 's/ --rto / /' "$src/completions/tcphs.bash" >"$W/no_rto.bash"
bash_offered "$(bash_dir "$W/no_rto.bash" bash_mutant)" >"$W/bash_mutant.json"
check "sync check fails: bash without --rto" \
  grep -q "tcphs probe: --rto is not offered" <(D offered "$TCPHS" bash "$W/bash_mutant.json")
grep -v -- "'--rto=" "$src/completions/_tcphs" >"$W/_no_rto"
zsh_offered "$W/_no_rto" >"$W/zsh_mutant.json"
check "sync check fails: zsh without --rto" \
  grep -q "tcphs probe: --rto is not offered" <(D offered "$TCPHS" zsh "$W/zsh_mutant.json")
grep -v -- "-l rto " "$src/completions/tcphs.fish" >"$W/no_rto.fish"
fish_offered "$W/no_rto.fish" >"$W/fish_mutant.json"
check "sync check fails: fish without --rto" \
  grep -q "tcphs probe: --rto is not offered" <(D offered "$TCPHS" fish "$W/fish_mutant.json")
check_done

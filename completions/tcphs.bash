# bash completion for tcphs                               -*- shell-script -*-
# Installed as bash-completion's completions/tcphs (loaded on first use);
# needs bash-completion for _init_completion and its helpers.
# tests/docs/test_completions.sh checks it against `tcphs CMD --help`.

_tcphs_list() {
  case $1 in
    commands) echo "probe trace scan isn handshake check explain" ;;
    top) echo "-h --help --version" ;;
    common) echo "-h --help -4 -6 -I --interface --source --source-port --ttl --tos --json -q --quiet
                 -v --verbose --color --mode" ;;
    probe) echo "-c --count -i --interval --rto --retries -W --timeout --expect --all --mss --wscale
                --window --no-sack --no-timestamps --no-options --ecn --tfo" ;;
    trace) echo "-f --first-hop -m --max-hops --queries -w --wait -z --send-wait --max-silent
                --control-port -n --numeric --mss --ecn" ;;
    scan) echo "-p --ports --top --rate --retries --min-wait --max-wait --expect --all-ports --all -y --yes" ;;
    isn) echo "-c --count -i --interval" ;;
    handshake) echo "--send --http --hold --close -W --timeout --retries --ascii --wide --svg" ;;
    check) echo "--expect -c --count -i --interval --rto --retries -W --timeout --max-rtt --parallel --junit
                --openmetrics" ;;
    explain) echo "-h --help --color" ;;
  esac
}

# Completes a comma-separated list of outcomes (--expect, explain): the words
# already typed stay, the last one is completed, none is offered twice.
_tcphs_outcomes() {
  local cur=$1 head="" word outcomes=()
  [[ $cur == *,* ]] && head=${cur%,*},
  for word in open refused timeout filtered unreachable; do
    [[ ,$head == *,$word,* ]] || outcomes+=("$head$word")
  done
  COMPREPLY=($(compgen -W "${outcomes[*]}" -- "$cur"))
}

_tcphs() {
  local cur prev words cword split
  _init_completion -s -n : || return

  local cmd="" i
  for ((i = 1; i < cword; i++)); do
    if [[ ${words[i]} != -* ]]; then
      cmd=${words[i]}
      break
    fi
  done

  if [[ -z $cmd ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "$(_tcphs_list top)" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$(_tcphs_list commands)" -- "$cur"))
    fi
    return
  fi

  case $prev in
    -I | --interface)
      _available_interfaces
      return ;;
    --source)
      _ip_addresses
      return ;;
    --color)
      COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
      return ;;
    --mode)
      COMPREPLY=($(compgen -W "auto raw connect" -- "$cur"))
      return ;;
    --expect)
      _tcphs_outcomes "$cur"
      return ;;
    --junit | --openmetrics | --svg)
      _filedir
      return ;;
    --close)
      COMPREPLY=($(compgen -W "client server" -- "$cur"))
      return ;;
    --source-port | --ttl | --tos | -c | --count | -i | --interval | --rto | --retries | -W | --timeout | \
      --mss | --wscale | --window | -f | --first-hop | -m | --max-hops | --queries | -w | --wait | \
      -z | --send-wait | --max-silent | --control-port | -p | --ports | --top | --rate | --min-wait | --max-wait | \
      --max-rtt | --parallel | --send | --hold)
      return ;;
  esac
  $split && return

  if [[ $cur == -* ]]; then
    local opts
    case $cmd in
      probe | trace | scan | isn | handshake | check) opts="$(_tcphs_list common) $(_tcphs_list "$cmd")" ;;
      *) opts=$(_tcphs_list "$cmd") ;;
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi

  case $cmd in
    explain)
      _tcphs_outcomes "$cur" ;;
    probe | trace | isn | handshake)
      # HOST:PORT: offer known host names with the colon, then let the user
      # type the port.
      if [[ $cur != *:* ]]; then
        _known_hosts_real -- "$cur"
        COMPREPLY=("${COMPREPLY[@]/%/:}")
        compopt -o nospace
      fi ;;
    scan)
      _known_hosts_real -- "$cur" ;;
    check)
      _filedir ;;  # a check file; '-' reads stdin
  esac
}
complete -F _tcphs tcphs

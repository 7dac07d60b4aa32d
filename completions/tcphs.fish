# fish completion for tcphs; installed in fish's vendor_completions.d.
# tests/docs/test_completions.sh checks it against `tcphs CMD --help`.

set -l commands probe trace explain

function __tcphs_outcomes
    printf '%s\t%s\n' \
        open 'SYN+ACK: something listens' \
        refused 'reset or ICMP port unreachable' \
        timeout 'no reply after every retransmission' \
        filtered 'ICMP administratively prohibited' \
        unreachable 'ICMP unreachable or time exceeded'
end

complete -c tcphs -f

# tcphs [--help|--version] COMMAND
complete -c tcphs -n "not __fish_seen_subcommand_from $commands" -a probe -d 'Send SYN probes and classify the replies'
complete -c tcphs -n "not __fish_seen_subcommand_from $commands" -a trace -d 'TCP SYN traceroute: where SYNs to a port stop'
complete -c tcphs -n "not __fish_seen_subcommand_from $commands" -a explain -d 'What each outcome means, what to check next'
complete -c tcphs -n "not __fish_seen_subcommand_from $commands" -l version -d 'Show the version'
complete -c tcphs -s h -l help -d 'Show help with examples'

# Options of every command that sends packets.
set -l net "__fish_seen_subcommand_from probe trace"
complete -c tcphs -n $net -s 4 -d 'Use IPv4 only'
complete -c tcphs -n $net -s 6 -d 'Use IPv6 only'
complete -c tcphs -n $net -s I -l interface -x -a '(__fish_print_interfaces)' -d 'Send and capture on this interface'
complete -c tcphs -n $net -l source -x -d 'Source address (one of this host\'s)'
complete -c tcphs -n $net -l source-port -x -d 'Source port'
complete -c tcphs -n $net -l ttl -x -d 'IP TTL or hop limit of the SYN'
complete -c tcphs -n $net -l tos -x -d 'IP TOS or traffic class byte'
complete -c tcphs -n $net -l json -d 'NDJSON on stdout'
complete -c tcphs -n $net -s q -l quiet -d 'Print only the summary'
complete -c tcphs -n $net -s v -l verbose -d 'More detail'
complete -c tcphs -n $net -l mode -x -a 'auto raw connect' -d 'Raw SYNs or the kernel\'s connect()'
complete -c tcphs -n "__fish_seen_subcommand_from probe trace explain" -l color -x -a 'auto always never' -d 'When to colour the output'

# probe
set -l probe "__fish_seen_subcommand_from probe"
complete -c tcphs -n $probe -s c -l count -x -d 'Probes per target'
complete -c tcphs -n $probe -s i -l interval -x -d 'Time between probes to a target'
complete -c tcphs -n $probe -l rto -x -d 'First retransmission timeout'
complete -c tcphs -n $probe -l retries -x -d 'SYN retransmissions before timeout'
complete -c tcphs -n $probe -s W -l timeout -x -d 'Total time a probe may take'
complete -c tcphs -n $probe -l expect -x -a '(__fish_complete_list , __tcphs_outcomes)' -d 'Outcomes that count as success'
complete -c tcphs -n $probe -l all -d 'Probe every address a name resolves to'
complete -c tcphs -n $probe -l wscale -x -d 'Window scale shift'
complete -c tcphs -n $probe -l window -x -d 'TCP window of the SYN'
complete -c tcphs -n $probe -l no-sack -d 'Do not offer SACK-permitted'
complete -c tcphs -n $probe -l no-timestamps -d 'Do not send the timestamps option'
complete -c tcphs -n $probe -l no-options -d 'Send a SYN without any option'
complete -c tcphs -n $probe -l tfo -d 'Ask for a TCP Fast Open cookie'
complete -c tcphs -n "$net" -l mss -x -d 'MSS option value'
complete -c tcphs -n "$net" -l ecn -d 'Ask for ECN (ECE and CWR on the SYN)'

# trace
set -l trace "__fish_seen_subcommand_from trace"
complete -c tcphs -n $trace -s f -l first-hop -x -d 'First TTL to probe'
complete -c tcphs -n $trace -s m -l max-hops -x -d 'Last TTL to probe'
complete -c tcphs -n $trace -l queries -x -d 'SYNs per hop'
complete -c tcphs -n $trace -s w -l wait -x -d 'How long each SYN waits for an answer'
complete -c tcphs -n $trace -s z -l send-wait -x -d 'Least time between two SYNs'
complete -c tcphs -n $trace -l max-silent -x -d 'Stop after this many silent hops'
complete -c tcphs -n $trace -l control-port -x -d 'Also probe this port when SYNs are dropped'
complete -c tcphs -n $trace -s n -l numeric -d 'Do not look up hop names'

# explain [OUTCOME[,OUTCOME...]]
complete -c tcphs -n "__fish_seen_subcommand_from explain" -a '(__fish_complete_list , __tcphs_outcomes)'

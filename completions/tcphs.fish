# fish completion for tcphs; installed in fish's vendor_completions.d.
# tests/docs/test_completions.sh checks it against `tcphs CMD --help`.

set -l commands probe trace scan isn handshake check explain

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
complete -c tcphs -n "not __fish_seen_subcommand_from $commands" -a scan -d 'Scan many ports of hosts at a controlled rate'
complete -c tcphs -n "not __fish_seen_subcommand_from $commands" -a isn -d 'ISN predictability, timestamps, SYN cookies'
complete -c tcphs -n "not __fish_seen_subcommand_from $commands" -a handshake -d 'One real connection drawn as a ladder'
complete -c tcphs -n "not __fish_seen_subcommand_from $commands" -a check -d 'Assert reachability for CI (JUnit, Prometheus)'
complete -c tcphs -n "not __fish_seen_subcommand_from $commands" -a explain -d 'What each outcome means, what to check next'
complete -c tcphs -n "not __fish_seen_subcommand_from $commands" -l version -d 'Show the version'
complete -c tcphs -s h -l help -d 'Show help with examples'

# Options of every command that sends packets.
set -l net "__fish_seen_subcommand_from probe trace scan isn handshake check"
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
complete -c tcphs -n "__fish_seen_subcommand_from $commands" -l color -x -a 'auto always never' -d 'When to colour the output'

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
complete -c tcphs -n "__fish_seen_subcommand_from probe trace" -l mss -x -d 'MSS option value'
complete -c tcphs -n "__fish_seen_subcommand_from probe trace" -l ecn -d 'Ask for ECN (ECE and CWR on the SYN)'

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

# scan
set -l scan "__fish_seen_subcommand_from scan"
complete -c tcphs -n $scan -s p -l ports -x -d 'Ports: lists and ranges, - for all'
complete -c tcphs -n $scan -l top -x -d 'The N most common ports'
complete -c tcphs -n $scan -l rate -x -d 'SYNs per second, every host together'
complete -c tcphs -n $scan -l retries -x -a '0 1' -d 'Retransmissions to unanswered ports'
complete -c tcphs -n $scan -l min-wait -x -d 'Shortest wait for an answer'
complete -c tcphs -n $scan -l max-wait -x -d 'Longest wait for an answer'
complete -c tcphs -n $scan -l expect -x -a '(__fish_complete_list , __tcphs_outcomes)' -d 'Outcomes every port must have'
complete -c tcphs -n $scan -l all-ports -d 'List every port'
complete -c tcphs -n $scan -l all -d 'Scan every address a name resolves to'
complete -c tcphs -n $scan -s y -l yes -d 'Scan many ports of a public address without asking'
complete -c tcphs -n $scan -a '(__fish_print_hostnames)'

# explain [OUTCOME[,OUTCOME...]]
complete -c tcphs -n "__fish_seen_subcommand_from explain" -a '(__fish_complete_list , __tcphs_outcomes)'

# isn
set -l isn "__fish_seen_subcommand_from isn"
complete -c tcphs -n $isn -s c -l count -x -d 'SYNs to send'
complete -c tcphs -n $isn -s i -l interval -x -d 'Time between SYNs'

# handshake TARGET
set -l hs "__fish_seen_subcommand_from handshake"
complete -c tcphs -n $hs -l send -x -d 'Send DATA once connected'
complete -c tcphs -n $hs -l http -d 'Send a minimal HEAD / HTTP/1.1 request'
complete -c tcphs -n $hs -l hold -x -d 'Keep the connection open this long'
complete -c tcphs -n $hs -l close -x -a 'client server' -d 'Who sends the first FIN'
complete -c tcphs -n $hs -s W -l timeout -x -d 'Time allowed for connect() and the server FIN'
complete -c tcphs -n $hs -l retries -x -d 'SYN retransmissions before giving up'
complete -c tcphs -n $hs -l ascii -d 'Draw with ASCII'
complete -c tcphs -n $hs -l wide -d 'A wider ladder with more detail'
complete -c tcphs -n $hs -l svg -r -F -d 'Also write the ladder as SVG'

# check FILE|- , or --expect OUTCOME TARGET...
set -l check "__fish_seen_subcommand_from check"
complete -c tcphs -n $check -F
complete -c tcphs -n $check -l expect -x -a '(__fish_complete_list , __tcphs_outcomes)' -d 'Check the targets given as arguments for this'
complete -c tcphs -n $check -s c -l count -x -d 'Probes per check'
complete -c tcphs -n $check -s i -l interval -x -d 'Time between the probes of one check'
complete -c tcphs -n $check -l rto -x -d 'First retransmission timeout'
complete -c tcphs -n $check -l retries -x -d 'SYN retransmissions before timeout'
complete -c tcphs -n $check -s W -l timeout -x -d 'Total time a probe may take'
complete -c tcphs -n $check -l max-rtt -x -d 'Fail a check whose median RTT is above this'
complete -c tcphs -n $check -l parallel -x -d 'Checks in flight at once'
complete -c tcphs -n $check -l junit -r -F -d 'Write a JUnit XML report'
complete -c tcphs -n $check -l openmetrics -r -F -d 'Write Prometheus metrics'

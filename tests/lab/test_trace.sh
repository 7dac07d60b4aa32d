#!/usr/bin/env bash
# Lab integration tests for `tcphs trace`, IPv4 and IPv6: hop addresses and
# count against `traceroute -T`, the drop in router2's forward chain with a
# control port, the admin-prohibited port, the MSS clamp named at router1,
# options stripped and ECN cleared at router1 (rules this test adds), a
# silent router1, unreachable destinations, the Paris 5-tuple, pacing and
# RTTs against a capture, `*` and --max-silent, the SPEC §4 keys of every
# record, bounded reverse lookups, exit codes and privileges.
# usage: bash test_trace.sh PATH/TO/tcphs   (root)
source "$(dirname "$0")/lab_test.sh" "$@"
# `ip netns exec` bind-mounts /etc/netns/NS/* over /etc: the name tests give
# the client its own hosts and resolv.conf there. Removed with the lab.
netns_etc=/etc/netns/$LAB_CLIENT
cleanup() { rm -rf "$netns_etc"; lab_down; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
v() { eval echo "\$$1"; }
# Hop addresses from traceroute's output, one per hop ('*' when silent).
traceroute_hops() { awk 'NR > 1 { a = "*"; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9a-f.:]+$/ && $i ~ /[.:]/) { a = $i; break } printf "%s ", a }'; }
# The same from our hop records.
trace_hops() { J "$1" "' '.join(r['address'] or '*' for r in recs if r['type'] == 'hop') + ' '"; }
# From a capture of one trace: the SYNs (count, source ports, TTLs, distinct
# sequence numbers, least gap) and, per TTL, the RTT of the first time
# exceeded matched through the quoted sequence number.
pcap_syns() {
  python3 - "$1" "$2" <<'PY'
import subprocess, sys
path, port = sys.argv[1], sys.argv[2]
# Absolute sequence numbers: tshark leaves tcp.seq_raw empty inside ICMPv4 quotes.
out = subprocess.run(["tshark", "-r", path, "-n", "-o", "tcp.relative_sequence_numbers:FALSE", "-T", "fields",
                      "-E", "separator=|", "-e", "frame.time_epoch", "-e", "ip.ttl", "-e", "ipv6.hlim",
                      "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags", "-e", "tcp.seq",
                      "-e", "icmp.type", "-e", "icmpv6.type", "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src",
                      "-e", "ipv6.dst", "-e", "ipv6.flow"],
                     check=True, capture_output=True, text=True).stdout
def ns(t):
    sec, _, frac = t.partition(".")
    return int(sec) * 10**9 + int((frac + "000000000")[:9])
syns, rtts = [], {}
for line in out.splitlines():
    t, ttl4, ttl6, sport, dport, flags, seq, icmp4, icmp6, src4, dst4, src6, dst6, flow = line.split("|")
    if not icmp4 and not icmp6 and dport == port and flags and int(flags, 16) & 0x012 == 0x002:
        # The whole 5-tuple, and the IPv6 flow label, which ECMP may hash too.
        syns.append((ns(t), int(ttl4 or ttl6), sport, int(seq), (src4 or src6, dst4 or dst6, sport, dport, flow)))
    elif (icmp4 == "11" or icmp6 == "3") and seq:
        quoted = int(seq.split(",")[-1])
        for st, ttl, _, s, _ in syns:
            if s == quoted:
                rtts.setdefault(ttl, (ns(t) - st) / 1000)
gaps = [b[0] - a[0] for a, b in zip(syns, syns[1:])]
print("syns", len(syns))
print("sports", len({s[2] for s in syns}))
print("tuples", len({s[4] for s in syns}))
print("ttls", ",".join(str(s[1]) for s in syns))
print("seqs", len({s[3] for s in syns}))
print("min_gap_us", min(gaps) // 1000 if gaps else 0)
for ttl in sorted(rtts):
    print("rtt", ttl, f"{rtts[ttl]:.3f}")
PY
}
# "HOP !X" for each traceroute marker on a hop line, of ours or of traceroute's.
markers() { awk '$1 ~ /^[0-9]+$/ { for (i = 2; i <= NF; i++) if ($i ~ /^![A-Z0-9]+$/) print $1, $i }' | sort -u; }
# "BY_HOP BY_ADDRESS SEEN_AT_HOP change|change..." of the summary's first rewrite.
rewrite_of() {
  J "$1" "(lambda w: '%s %s %s %s' % (w['by']['hop'], w['by']['address'], w['seen_at']['hop'], '|'.join(w['changes'])))(summary['rewrites'][0]) if summary['rewrites'] else 'none'"
}

# Router1's rules of this test, beside the lab's: on the delay port (a plain
# open port, as the lab has no delay here) it strips SACK-permitted and
# timestamps from plain SYNs, clears ECE and CWR from ECN-setup SYNs and the
# ECN field of ECT(0) packets. Its output chain is filled to silence router1.
check_eq "lab without delay: port $LAB_PORT_DELAY is a plain port" 0 "${LAB_DELAY_MS:-0}"
cat >"$W/router1_test.nft" <<NFT
table inet tcphs_trace_test {
  chain forward {
    type filter hook forward priority filter + 10; policy accept;
    tcp dport $LAB_PORT_DELAY tcp flags == syn reset tcp option sack-perm reset tcp option timestamp
    tcp dport $LAB_PORT_DELAY tcp flags == (syn | ecn | cwr) tcp flags set syn
    ip ecn ect0 tcp dport $LAB_PORT_DELAY ip ecn set not-ect
    ip6 ecn ect0 tcp dport $LAB_PORT_DELAY ip6 ecn set not-ect
  }
  chain output {
    type filter hook output priority filter; policy accept;
  }
}
NFT
check "router1: the test's rules load" ip netns exec "$LAB_R1" nft -f "$W/router1_test.nft"

near() { python3 -c "import sys; sys.exit(abs($1 - $2) > $3)"; }
# "HOP ADDRESS TYPE/CODE" of the summary's rejecting hop.
rejected_by() { J "$1" "'%s %s %s/%s' % ((lambda r: (r['hop'], r['address'], r['icmp']['type'], r['icmp']['code']))(summary['rejected_by']))"; }

for f in 4 6; do
  server=$(v LAB_SERVER$f) r1=$(v LAB_R1_$f) r2=$(v LAB_R2_$f)
  S=$(addr $f "$server")
  mss_sent=$([ $f = 4 ] && echo 1460 || echo 1440)

  # --- open port: hop count and router addresses, against traceroute -------
  capture_start "$LAB_CLIENT" "$W/open$f.pcap" "tcp port $LAB_PORT_OPEN or icmp or icmp6" || echo "FAIL capture"
  C "$TCPHS" trace -n --json "$S:$LAB_PORT_OPEN" >"$W/open$f.json"
  rc=$?
  capture_stop
  check_eq "open IPv$f: exit 0" 0 "$rc"
  check_eq "open IPv$f: hop addresses" "$r1 $r2 $server " "$(trace_hops "$W/open$f.json")"
  check_eq "open IPv$f: reached in 3 hops" "True 3 open" \
    "$(J "$W/open$f.json" "'%s %s %s' % (summary['reached'], summary['hops'], summary['outcome'])")"
  check_eq "open IPv$f: SYN-ACKs at hop 3" '["tcp", "tcp", "tcp"]' "$(J "$W/open$f.json" "recs[2]['reply']")"
  C traceroute -T -n -$f -p "$LAB_PORT_OPEN" -w 1 "$server" >"$W/tr_open$f.txt" 2>/dev/null
  check_eq "open IPv$f: same hops as traceroute -T" "$(traceroute_hops <"$W/tr_open$f.txt")" \
    "$(trace_hops "$W/open$f.json")"
  pcap_syns "$W/open$f.pcap" "$LAB_PORT_OPEN" >"$W/open$f.syns"
  check_eq "open IPv$f: 9 SYNs, TTL 1,1,1,2,2,2,3,3,3" "syns 9|ttls 1,1,1,2,2,2,3,3,3" \
    "$(grep -E '^(syns|ttls)' "$W/open$f.syns" | paste -sd'|')"
  check_eq "open IPv$f: one source port (Paris: one 5-tuple)" "sports 1" "$(grep ^sports "$W/open$f.syns")"
  check_eq "open IPv$f: one 5-tuple and flow label for every SYN" "tuples 1" "$(grep ^tuples "$W/open$f.syns")"
  check_eq "open IPv$f: summary counts the SYNs the capture saw" "$(awk '/^syns/ {print $2}' "$W/open$f.syns")" \
    "$(J "$W/open$f.json" "summary['sent']")"
  check "open IPv$f: diagnosis: reached in 3 hops" grep -qF \
    "reached $server in 3 hops: port $LAB_PORT_OPEN open, with SYN-ACK" "$W/open$f.json"
  check_eq "open IPv$f: a sequence number per SYN" "seqs 9" "$(grep ^seqs "$W/open$f.syns")"
  gap=$(awk '/^min_gap_us/ {print $2}' "$W/open$f.syns")
  check "open IPv$f: SYNs at least 50 ms apart (least gap $gap µs)" test "${gap:-0}" -ge 50000
  for ttl in 1 2; do
    truth=$(awk -v t=$ttl '$1 == "rtt" && $2 == t {print $3}' "$W/open$f.syns")
    got=$(J "$W/open$f.json" "recs[$((ttl - 1))]['rtt_us'][0]")
    check "open IPv$f: hop $ttl RTT ($got µs) = capture ($truth µs) ±50 µs" near "${got:-1e9}" "${truth:-0}" 50
  done

  # --first-hop and --max-hops bound the TTLs; out of TTL, time exceeded is unreachable (SPEC §2).
  C "$TCPHS" trace -n --json -f 2 "$S:$LAB_PORT_OPEN" >"$W/first2_$f.json"
  check_eq "-f 2 IPv$f: hops 2 and 3, reached at 3" "2 3|$r2 $server |True 3" \
    "$(J "$W/first2_$f.json" "' '.join(str(r['hop']) for r in recs if r['type'] == 'hop')")|$(trace_hops \
      "$W/first2_$f.json")|$(J "$W/first2_$f.json" "'%s %s' % (summary['reached'], summary['hops'])")"
  C "$TCPHS" trace -n --json -m 2 "$S:$LAB_PORT_OPEN" >"$W/max2_$f.json"
  check_eq "-m 2 IPv$f: exit 4 (unreachable)" 4 "$?"
  check_eq "-m 2 IPv$f: hops 1 and 2, out of TTL" "$r1 $r2 |max_hops unreachable False" \
    "$(trace_hops "$W/max2_$f.json")|$(J "$W/max2_$f.json" "'%s %s %s' % (summary['end'], summary['outcome'], summary['reached'])")"

  # --send-wait paces every SYN, across hops too.
  capture_start "$LAB_CLIENT" "$W/pace$f.pcap" "tcp port $LAB_PORT_OPEN or icmp or icmp6" || echo "FAIL capture"
  C "$TCPHS" trace -n --json -z 150ms --queries 2 "$S:$LAB_PORT_OPEN" >"$W/pace$f.json"
  capture_stop
  pcap_syns "$W/pace$f.pcap" "$LAB_PORT_OPEN" >"$W/pace$f.syns"
  gap=$(awk '/^min_gap_us/ {print $2}' "$W/pace$f.syns")
  check_eq "-z 150ms --queries 2 IPv$f: 6 SYNs, TTL 1,1,2,2,3,3" "syns 6|ttls 1,1,2,2,3,3" \
    "$(grep -E '^(syns|ttls)' "$W/pace$f.syns" | paste -sd'|')"
  check "-z 150ms IPv$f: SYNs at least 150 ms apart (least gap $gap µs)" test "${gap:-0}" -ge 150000

  # --- router1 sends no time exceeded: a silent hop does not end the trace --
  ip netns exec "$LAB_R1" nft add rule inet tcphs_trace_test output icmp type time-exceeded drop
  ip netns exec "$LAB_R1" nft add rule inet tcphs_trace_test output icmpv6 type time-exceeded drop
  C "$TCPHS" trace -n --json -w 300ms "$S:$LAB_PORT_OPEN" >"$W/silent1_$f.json"
  check_eq "silent router1 IPv$f: exit 0" 0 "$?"
  check_eq "silent router1 IPv$f: hop 1 silent, then router2 and the server" "* $r2 $server " \
    "$(trace_hops "$W/silent1_$f.json")"
  check "silent router1 IPv$f: diagnosis: hop 1 is not the drop" grep -qF \
    "hop 1 sent no ICMP time exceeded; later hops answered" "$W/silent1_$f.json"
  C traceroute -T -n -$f -p "$LAB_PORT_OPEN" -w 0.3 "$server" >"$W/tr_silent1_$f.txt" 2>/dev/null
  check_eq "silent router1 IPv$f: same hops as traceroute -T" "$(traceroute_hops <"$W/tr_silent1_$f.txt")" \
    "$(trace_hops "$W/silent1_$f.json")"
  ip netns exec "$LAB_R1" nft flush chain inet tcphs_trace_test output

  # --- router2 drops the port in forwarding; the control port passes -------
  C "$TCPHS" trace -n --json -w 500ms --max-silent 2 --control-port "$LAB_PORT_CONTROL" \
    "$S:$LAB_PORT_R2DROP" >"$W/drop$f.json"
  check_eq "r2drop IPv$f: exit 2 (timeout)" 2 "$?"
  check_eq "r2drop IPv$f: router2 answers TTL 2, then silence" "$r1 $r2 * * " "$(trace_hops "$W/drop$f.json")"
  check_eq "r2drop IPv$f: last hop that answered" "2 $r2" \
    "$(J "$W/drop$f.json" "'%s %s' % (summary['last_hop']['hop'], summary['last_hop']['address'])")"
  check_eq "r2drop IPv$f: control port open" "open" "$(J "$W/drop$f.json" "summary['control']['outcome']")"
  check_eq "r2drop IPv$f: control probes as probe records" 3 "$(J "$W/drop$f.json" "len(probes)")"
  check "r2drop IPv$f: diagnosis names router2" grep -qF \
    "SYNs to port $LAB_PORT_R2DROP are dropped at or after hop 2 ($r2)" "$W/drop$f.json"
  check "r2drop IPv$f: diagnosis: only this port" grep -qF \
    "SYNs to control port $LAB_PORT_CONTROL reach the target, which answers SYN-ACK: $LAB_PORT_CONTROL is open, so only port $LAB_PORT_R2DROP is affected" \
    "$W/drop$f.json"
  C traceroute -T -n -$f -p "$LAB_PORT_R2DROP" -w 0.5 -m 4 "$server" >"$W/tr_drop$f.txt" 2>/dev/null
  check_eq "r2drop IPv$f: same hops as traceroute -T" "$(traceroute_hops <"$W/tr_drop$f.txt")" \
    "$(trace_hops "$W/drop$f.json")"

  # --- the server's firewall rejects with admin-prohibited ----------------
  C "$TCPHS" trace -n --json "$S:$LAB_PORT_ADMIN" >"$W/admin$f.json"
  check_eq "admin IPv$f: exit 3 (filtered)" 3 "$?"
  check_eq "admin IPv$f: rejected by the server at hop 3" \
    "3 $server $([ $f = 4 ] && echo 3/13 || echo 1/1)" \
    "$(rejected_by "$W/admin$f.json")"
  check "admin IPv$f: diagnosis names the rejecting host" grep -qF \
    "the target $server (hop 3) rejected SYNs to port $LAB_PORT_ADMIN with ICMP$([ $f = 6 ] && echo v6) administratively prohibited" \
    "$W/admin$f.json"
  C traceroute -T -n -$f -p "$LAB_PORT_ADMIN" -w 1 "$server" >"$W/tr_admin$f.txt" 2>/dev/null
  check_eq "admin IPv$f: same hops as traceroute -T" "$(traceroute_hops <"$W/tr_admin$f.txt")" \
    "$(trace_hops "$W/admin$f.json")"
  check "admin IPv$f: traceroute -T also says !X" grep -q '!X' "$W/tr_admin$f.txt"
  C "$TCPHS" trace -n "$S:$LAB_PORT_ADMIN" >"$W/admin$f.txt"
  check "admin IPv$f: outcome line in SPEC words" grep -qxF "$S:$LAB_PORT_ADMIN filtered: a firewall rejected the SYN" \
    "$W/admin$f.txt"
  check_eq "admin IPv$f: the same markers as traceroute -T" "$(markers <"$W/tr_admin$f.txt")" \
    "$(markers <"$W/admin$f.txt")"

  # --- router1 clamps the MSS: named as the rewriter -----------------------
  C "$TCPHS" trace -n --json "$S:$LAB_PORT_MSS" >"$W/mss$f.json"
  check_eq "mss IPv$f: exit 0" 0 "$?"
  check_eq "mss IPv$f: rewritten by router1 (hop 1), seen at hop 2" \
    "1 $r1 2 mss $mss_sent->$LAB_MSS_CLAMP" \
    "$(J "$W/mss$f.json" "(lambda w: ' '.join(map(str, [w['by']['hop'], w['by']['address'], w['seen_at']['hop']] + w['changes'])))(summary['rewrites'][0])")"
  check_eq "mss IPv$f: hop records: only hop 2 shows it" "[] ['mss $mss_sent->$LAB_MSS_CLAMP'] []" \
    "$(J "$W/mss$f.json" "' '.join(str(r['rewrites']) for r in recs if r['type'] == 'hop')")"
  check "mss IPv$f: diagnosis" grep -qF \
    "hop 1 ($r1) rewrote the SYN as it passed it on: mss $mss_sent->$LAB_MSS_CLAMP" "$W/mss$f.json"
  C "$TCPHS" trace -n --json --mss 1100 "$S:$LAB_PORT_MSS" >"$W/mss_small$f.json"
  check_eq "mss IPv$f: an MSS below the clamp is left alone" "[]" "$(J "$W/mss_small$f.json" "summary['rewrites']")"
  C "$TCPHS" trace -n --json "$S:$LAB_PORT_OPEN" >"$W/noclamp$f.json"
  check_eq "mss IPv$f: the open port is not clamped" "[]" "$(J "$W/noclamp$f.json" "summary['rewrites']")"

  # --- router1 strips options and clears ECN: named as the rewriter --------
  C "$TCPHS" trace -n --json "$S:$LAB_PORT_DELAY" >"$W/strip$f.json"
  check_eq "stripped IPv$f: exit 0" 0 "$?"
  check_eq "stripped IPv$f: router1 (hop 1) stripped SACK-permitted and timestamps, seen at hop 2" \
    "1 $r1 2 sack_permitted stripped|timestamps stripped" "$(rewrite_of "$W/strip$f.json")"
  check "stripped IPv$f: diagnosis" grep -qF \
    "hop 1 ($r1) rewrote the SYN as it passed it on: sack_permitted stripped, timestamps stripped" "$W/strip$f.json"
  C "$TCPHS" trace -n --json --ecn --tos 2 "$S:$LAB_PORT_DELAY" >"$W/ecn$f.json"
  check_eq "ecn IPv$f: exit 0" 0 "$?"
  check_eq "ecn IPv$f: router1 (hop 1) cleared ECT(0), ECE and CWR, seen at hop 2" \
    "1 $r1 2 ecn 2->0|ece cleared|cwr cleared" "$(rewrite_of "$W/ecn$f.json")"
  check "ecn IPv$f: diagnosis" grep -qF \
    "hop 1 ($r1) rewrote the SYN as it passed it on: ecn 2->0, ece cleared, cwr cleared" "$W/ecn$f.json"
  C "$TCPHS" trace -n --json --ecn --tos 2 "$S:$LAB_PORT_OPEN" >"$W/ecn_open$f.json"
  check_eq "ecn IPv$f: ECN on the open port is left alone" "none" "$(rewrite_of "$W/ecn_open$f.json")"

  # --- the closed port: the server's RST, exit 1 -----------------------------
  C "$TCPHS" trace -n --json "$S:$LAB_PORT_CLOSED" >"$W/closed$f.json"
  check_eq "closed IPv$f: exit 1 (refused)" 1 "$?"
  check_eq "closed IPv$f: the server's RST at hop 3" "$r1 $r2 $server |True 3 refused" \
    "$(trace_hops "$W/closed$f.json")|$(J "$W/closed$f.json" "'%s %s %s' % (summary['reached'], summary['hops'], summary['outcome'])")"

  # --- unreachable destinations: router2's ICMP, exit 4 --------------------
  # The route's errors are rate limited on IPv4 (5 at once): 3 SYNs reach it.
  C "$TCPHS" trace -n --json "$(addr $f "$(v LAB_UNREACH$f)"):80" >"$W/unreach$f.json"
  check_eq "unreachable IPv$f: exit 4" 4 "$?"
  check_eq "unreachable IPv$f: router2 at hop 2 says so" "2 $r2 $([ $f = 4 ] && echo 3/1 || echo 1/0)" \
    "$(rejected_by "$W/unreach$f.json")"
  C "$TCPHS" trace -n "$(addr $f "$(v LAB_UNREACH$f)"):80" >"$W/unreach$f.txt"
  check "unreachable IPv$f: text shows the router's ICMP" grep -qE \
    "^ 2  $r2  .* !$([ $f = 4 ] && echo H || echo N)" "$W/unreach$f.txt"
  check "unreachable IPv$f: outcome line" grep -q "unreachable: " "$W/unreach$f.txt"
  if [ $f = 6 ]; then  # IPv4's route errors are rate limited: more SYNs would lose some
    C traceroute -T -n -6 -p 80 -w 1 "$(v LAB_UNREACH6)" >"$W/tr_unreach6.txt" 2>/dev/null
    check_eq "unreachable IPv6: hops and !N as traceroute -T finds them" \
      "$(traceroute_hops <"$W/tr_unreach6.txt")|$(markers <"$W/tr_unreach6.txt")" \
      "$(trace_hops "$W/unreach6.json")|$(markers <"$W/unreach6.txt")"
  fi
  fw=$(v LAB_UNREACH_FW$f)
  C "$TCPHS" trace -n --json "$(addr $f "$fw"):80" >"$W/unreach_fw$f.json"
  check_eq "unreachable (firewall) IPv$f: exit 4" 4 "$?"
  C traceroute -T -n -$f -p 80 -w 1 "$fw" >"$W/tr_fw$f.txt" 2>/dev/null
  check_eq "unreachable (firewall) IPv$f: same hops as traceroute -T" "$(traceroute_hops <"$W/tr_fw$f.txt")" \
    "$(trace_hops "$W/unreach_fw$f.json")"
  C "$TCPHS" trace -n "$(addr $f "$fw"):80" >"$W/unreach_fw$f.txt"
  # Router2 checks the TTL before its forward filter: TTL 2 expires there, TTL 3 is rejected there.
  check_eq "unreachable (firewall) IPv$f: router2 rejects at hop 3" "$r1 $r2 $r2 |3 $r2 $([ $f = 4 ] && echo 3/1 || echo 1/3)" \
    "$(trace_hops "$W/unreach_fw$f.json")|$(rejected_by "$W/unreach_fw$f.json")"
  check "unreachable (firewall) IPv$f: diagnosis names router2 as the rejecting hop" grep -qF \
    "hop 3 ($r2) rejected SYNs to port 80 with ICMP$([ $f = 6 ] && echo v6) $([ $f = 4 ] && echo 'host unreachable (3/1)' || echo 'address unreachable (1/3)')" \
    "$W/unreach_fw$f.json"
  check_eq "unreachable (firewall) IPv$f: !H at hop 3, as traceroute -T shows it" "3 !H|$(markers <"$W/tr_fw$f.txt")" \
    "$(markers <"$W/unreach_fw$f.txt")|$(markers <"$W/unreach_fw$f.txt")"
done

# --- SPEC §4: the keys of every hop and summary record of the runs above ------
trace_json=("$W"/*.json)
check_eq "SPEC §4 keys of the hop and summary records" "${#trace_json[@]} files" \
  "$(python3 "$here/trace_keys.py" "${trace_json[@]}")"
check "SPEC §4: all the runs above were checked (${#trace_json[@]} files)" test "${#trace_json[@]}" -eq 32

# --max-silent 0 never stops for silence: the default --max-hops of 30 ends it.
# Silent up to there, it is still the drop at router2, and the control port runs.
C "$TCPHS" trace -n --json -w 100ms -z 0 --max-silent 0 --control-port "$LAB_PORT_CONTROL" \
  "$LAB_SERVER4:$LAB_PORT_R2DROP" >"$W/maxhops.out"
check_eq "--max-silent 0: exit 2 (timeout)" 2 "$?"
check_eq "--max-silent 0: hops 1 to 30, silent from 3, ended by --max-hops" "1-30 2 max_hops timeout" \
  "$(J "$W/maxhops.out" "'%d-%d %d %s %s' % (recs[0]['hop'], [r for r in recs if r['type'] == 'hop'][-1]['hop'], summary['last_hop']['hop'], summary['end'], summary['outcome'])")"
check "--max-silent 0: diagnosis names router2" grep -qF \
  "SYNs to port $LAB_PORT_R2DROP are dropped at or after hop 2 ($LAB_R2_4): no answer from hop 3 to hop 30" "$W/maxhops.out"
check_eq "--max-silent 0: the control port is open" "open" "$(J "$W/maxhops.out" "summary['control']['outcome']")"

# --- text output -------------------------------------------------------------
C "$TCPHS" trace -n -w 300ms "$LAB_SERVER4:$LAB_PORT_R2DROP" >"$W/drop_text.out"
check_eq "r2drop text: exit 2" 2 "$?"
check "r2drop text: outcome line in SPEC words" grep -qxF \
  "$LAB_SERVER4:$LAB_PORT_R2DROP timeout: no reply: a firewall silently dropping SYNs, or the host is down" \
  "$W/drop_text.out"
check "r2drop text: hop 2 is router2" grep -qE "^ 2  $LAB_R2_4  [0-9.]+ ms  [0-9.]+ ms  [0-9.]+ ms$" "$W/drop_text.out"
check_eq "r2drop text: silent hops are '*', until --max-silent's default of 5" "1 2 3* 4* 5* 6* 7*" \
  "$(awk '$1 ~ /^[0-9]+$/ { print $1 ($0 ~ /^ ?[0-9]+  \*  \*  \*$/ ? "*" : "") }' "$W/drop_text.out" | paste -sd' ')"
C "$TCPHS" trace -n --color never "$LAB_SERVER4:$LAB_PORT_MSS" >"$W/text.out" 2>"$W/text.err"
check_eq "text: header, 3 hop lines, outcome, 2 diagnosis lines" 7 "$(wc -l <"$W/text.out")"
check "text: hop 2 carries the rewrite" grep -qE "^ 2  $LAB_R2_4  [0-9.]+ ms  [0-9.]+ ms  [0-9.]+ ms  \[mss 1460->1200\]$" \
  "$W/text.out"
check "text: hop 3 is the SYN-ACK" grep -qE "^ 3  $LAB_SERVER4  [0-9.]+ ms <syn,ack>" "$W/text.out"
check "text: outcome line" grep -qx "$LAB_SERVER4:$LAB_PORT_MSS open: .*" "$W/text.out"
check_eq "text: nothing on stderr" 0 "$(wc -c <"$W/text.err")"
C "$TCPHS" trace -n -q "$LAB_SERVER4:$LAB_PORT_OPEN" >"$W/quiet.out"
check_eq "-q: outcome and diagnosis only" "$LAB_SERVER4:$LAB_PORT_OPEN diagnosis: diagnosis: " "$(awk '{print $1}' "$W/quiet.out" | tr '\n' ' ')"

# --- reverse names: from the client's own hosts file, bounded in time ------
# Every lookup stays in the lab: the resolver is an address on the client's
# link that nobody holds, so a DNS query waits for ARP and gets nothing.
mkdir -p "$netns_etc"
printf '%s router1.lab\n%s router1.lab\n' "$LAB_R1_4" "$LAB_R1_6" >"$netns_etc/hosts"
echo "nameserver 10.77.1.99" >"$netns_etc/resolv.conf"
start=$EPOCHREALTIME
C "$TCPHS" trace --json "$LAB_SERVER4:$LAB_PORT_OPEN" >"$W/names.json"
ms=$(( (${EPOCHREALTIME/./} - ${start/./}) / 1000 ))
check_eq "names: router1 from the hosts file, none for the others" "router1.lab None None" \
  "$(J "$W/names.json" "' '.join(str(r['name']) for r in recs if r['type'] == 'hop')")"
check "names: each hop waits at most 1 s for its names ($ms ms for 3 hops)" test "$ms" -lt 4500
C "$TCPHS" trace "[$LAB_SERVER6]:$LAB_PORT_OPEN" >"$W/names6.txt"
check "names: text shows 'name (address)'" grep -qE "^ 1  router1.lab \($LAB_R1_6\)  " "$W/names6.txt"
start=$EPOCHREALTIME
C "$TCPHS" trace -n "$LAB_SERVER4:$LAB_PORT_OPEN" >/dev/null
ms=$(( (${EPOCHREALTIME/./} - ${start/./}) / 1000 ))
check "names: -n looks nothing up ($ms ms)" test "$ms" -lt 1000
rm -rf "$netns_etc"

# --- bad input and privileges ----------------------------------------------
for args in "--mode connect $LAB_SERVER4:$LAB_PORT_OPEN" "-f 5 -m 3 $LAB_SERVER4:$LAB_PORT_OPEN" \
  "--ttl 3 $LAB_SERVER4:$LAB_PORT_OPEN" "--queries 0 $LAB_SERVER4:$LAB_PORT_OPEN" "$LAB_SERVER4" \
  "--control-port $LAB_PORT_OPEN $LAB_SERVER4:$LAB_PORT_OPEN"; do
  # shellcheck disable=SC2086
  C "$TCPHS" trace $args >"$W/bad.out" 2>"$W/bad.err"
  check_eq "trace $args: exit 64" 64 "$?"
  check_eq "trace $args: one line on stderr, nothing on stdout" "1 0" \
    "$(wc -l <"$W/bad.err") $(wc -c <"$W/bad.out")"
done
bin=$W/tcphs-capped
cp "$TCPHS" "$bin" && chmod 755 "$bin" "$W" && setcap cap_net_raw+ep "$bin"
nobody() { C setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }
nobody "$bin" trace -n --json "$LAB_SERVER4:$LAB_PORT_OPEN" >"$W/capped.json" 2>"$W/capped.err"
check_eq "cap_net_raw only, as nobody: trace works" "0 3" "$? $(J "$W/capped.json" "summary['hops']")"
cp "$TCPHS" "$W/tcphs-plain" && chmod 755 "$W/tcphs-plain"
nobody "$W/tcphs-plain" trace -n "$LAB_SERVER4:$LAB_PORT_OPEN" >"$W/noraw.out" 2>"$W/noraw.err"
check_eq "no capability: exit 77" 77 "$?"
check "no capability: the setcap hint, one line" test "$(grep -c 'setcap cap_net_raw+ep' "$W/noraw.err")" = 1 -a \
  "$(wc -l <"$W/noraw.err")" = 1

check_done

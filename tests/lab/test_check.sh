#!/usr/bin/env bash
# Lab integration tests for `tcphs check`: every scenario in one file (table,
# JSON and JUnit agree), three wrong expectations, ten malformed lines that
# send nothing, 1,000 drop-port checks at once, the --parallel bound, the
# OpenMetrics file and its atomic replacement, names that do not resolve,
# connect mode and privileges.
# usage: bash test_check.sh PATH/TO/tcphs   (root)
source "$(dirname "$0")/lab_test.sh" "$@"
# "EARLY ALL" for a capture on the client: ALL flows sent a SYN (no ACK),
# and EARLY of them sent their first within 0.5 s of the very first SYN.
# Checks that run at once all start then; a check that waits for a slot
# starts only when a one-second (or longer) timeout has freed it.
# Fails on any packet the capture lost.
first_syns() {
  grep -q "^0 packets dropped by kernel" "$1.log" || { echo "capture dropped packets: $(grep dropped "$1.log")"; return; }
  tcpdump -r "$1" -n -tt 2>/dev/null | python3 -c '
import re, sys
first = {}
for line in sys.stdin:
    m = re.search(r"^(\d+\.\d+) .*?IP6? (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[S[EW]*\]", line)
    if m:
        first.setdefault(m.groups()[1:], float(m.group(1)))
t = sorted(first.values())
print(sum(x - t[0] < 0.5 for x in t), len(t))'
}
XSD=$here/../data/junit.xsd

# Name resolution in the client namespace never leaves it: `ip netns exec`
# mounts these over /etc/hosts and /etc/resolv.conf, and the only name
# server is the client's own loopback, where nothing listens.
NETNS_ETC=/etc/netns/$LAB_CLIENT
mkdir -p "$NETNS_ETC"
printf '127.0.0.1 localhost\n%s server4.lab\n%s server6.lab\n' "$LAB_SERVER4" "$LAB_SERVER6" >"$NETNS_ETC/hosts"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$NETNS_ETC/resolv.conf"
trap 'rm -rf "$NETNS_ETC"; lab_down' EXIT
trap 'rm -rf "$NETNS_ETC"; lab_down; exit 130' INT
trap 'rm -rf "$NETNS_ETC"; lab_down; exit 143' TERM

# --- every scenario, each with its right expectation ------------------------
# The silent drops get timeout=2s, so the whole file takes about 2 s.
{
  echo "# every lab scenario, IPv4 and IPv6"
  for f in 4 6; do
    s=$(eval echo "\$LAB_SERVER$f")
    [ $f = 6 ] && s="[$s]"
    u=$(eval echo "\$LAB_UNREACH_FW$f")
    [ $f = 6 ] && u="[$u]"
    cat <<EOT
$s:$LAB_PORT_OPEN         open         name=open$f
$s:$LAB_PORT_CLOSED       refused      name=closed$f
$s:$LAB_PORT_DROP         timeout      name=drop$f timeout=2s
$s:$LAB_PORT_ADMIN        filtered     name=admin$f
$s:$LAB_PORT_PORTUNREACH  refused      name=portunreach$f
$s:$LAB_PORT_RESET        refused      name=reset$f
$s:$LAB_PORT_SYNLOST      open         name=synlost$f   # answered on attempt 2
$s:$LAB_PORT_R2DROP       timeout      name=r2drop$f timeout=2s
$s:$LAB_PORT_CONTROL      open         name=control$f
$s:$LAB_PORT_MSS          open         name=mss$f
$s:$LAB_PORT_DELAY        open         name=delay$f max_rtt=100ms
$u:80                     unreachable  name=unreach$f

EOT
  done
} >"$W/all.txt"
n_all=$(grep -c name= "$W/all.txt")

capture_start "$LAB_CLIENT" "$W/all.pcap" "tcp" || echo "FAIL capture all"
t0=$EPOCHREALTIME
C "$TCPHS" check "$W/all.txt" --junit "$W/all.xml" --openmetrics "$W/all.prom" >"$W/all.table" 2>"$W/all.err"
rc=$?
all_ms=$(ms_since "$t0")
capture_stop
check_eq "all scenarios: exit" 0 "$rc"
check_eq "all scenarios: summary line" "$n_all checks, $n_all passed, 0 failed" "$(tail -1 "$W/all.table")"
check_eq "all scenarios: no FAIL row" 0 "$(grep -c '^FAIL' "$W/all.table")"
check_eq "all scenarios run at once: every check's first SYN in the first 0.5 s (run: ${all_ms} ms, 2 s drops)" \
  "$n_all $n_all" "$(first_syns "$W/all.pcap")"
check_eq "all scenarios: nothing on stderr" "" "$(cat "$W/all.err")"
C "$TCPHS" check "$W/all.txt" --json --junit "$W/all2.xml" >"$W/all.json"
check_eq "all scenarios --json: exit" 0 "$?"

# name -> outcome from each report; they must agree with each other and the file.
python3 - "$W/all.txt" "$W/all.table" "$W/all.json" "$W/all.xml" >"$W/agree.out" 2>&1 <<'PY'
import json, re, sys, xml.etree.ElementTree as ET
spec = {}
for line in open(sys.argv[1]):
    words = line.split("#")[0].split()
    if words:
        spec[re.search(r"name=(\S+)", line).group(1)] = words[1]
lines = open(sys.argv[2]).read().splitlines()
header = lines[0]
starts = [header.index(h) for h in ("RESULT", "CHECK", "ADDRESS", "EXPECT", "GOT", "ATTEMPT")]
got_table = {}
for line in lines[1:-1]:
    cell = lambda k: line[starts[k]:starts[k + 1]].strip()
    got_table[cell(1).split()[0]] = (cell(0) == "ok", cell(4))
recs = [json.loads(l) for l in open(sys.argv[3])]
got_json = {r["name"]: (r["passed"], r["outcome"]) for r in recs if r["type"] == "check"}
root = ET.parse(sys.argv[4]).getroot()
cases = root.findall("./testsuite/testcase")
got_junit = {}
for c in cases:
    text = c.findtext("system-out") or c.findtext("failure") or ""
    got = re.search(r"^got: (\S+)$", text, re.M)
    got_junit[c.get("name")] = (c.find("failure") is None, got.group(1) if got else None)
ok = True
for name, want in spec.items():
    t, j = got_table.get(name), got_json.get(name)
    if t != (True, want) or j != (True, want) or got_junit.get(name) != (True, want):
        ok = False
        print("disagree", name, "file", want, "table", t, "json", j, "junit", got_junit.get(name))
if len(got_table) != len(spec) or len(got_json) != len(spec) or len(cases) != len(spec):
    ok = False
    print("counts", len(spec), len(got_table), len(got_json), len(cases))
print("agree" if ok else "DISAGREE")
PY
check_eq "table, JSON and JUnit agree with the file on all $n_all checks" agree "$(tail -1 "$W/agree.out")"
[ "$(tail -1 "$W/agree.out")" = agree ] || cat "$W/agree.out"
check_eq "synlost IPv4 answered on attempt 2" 2 \
  "$(python3 "$here/ndjson.py" "$W/all.json" "[r['attempt'] for r in recs if r.get('name') == 'synlost4'][0]")"
check_eq "summary record counts the run" "$n_all/$n_all/0" \
  "$(python3 "$here/ndjson.py" "$W/all.json" "'%d/%d/%d' % (summary['checks'], summary['passed'], summary['failed'])")"
check "JUnit validates against the XSD" xmllint --noout --schema "$XSD" "$W/all.xml"

# --- three wrong expectations: exactly those rows fail ----------------------
sed -e 's/^\(.*\) open \( *name=open4\)/\1 refused\2/' \
  -e 's/^\(.*\) filtered \( *name=admin6\)/\1 open\2/' \
  -e 's/^\(.*\) timeout \( *name=drop4\)/\1 open,refused\2/' "$W/all.txt" >"$W/wrong.txt"
C "$TCPHS" check "$W/wrong.txt" --junit "$W/wrong.xml" >"$W/wrong.table" 2>/dev/null
check_eq "three wrong: exit 1" 1 "$?"
check_eq "three wrong: the failed rows come first, and only they" "admin6 drop4 open4" \
  "$(head -4 "$W/wrong.table" | awk '$1 == "FAIL" { print $2 }' | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "three wrong: FAIL rows in all" 3 "$(grep -c '^FAIL' "$W/wrong.table")"
check_eq "three wrong: summary line" "$n_all checks, $((n_all - 3)) passed, 3 failed" "$(tail -1 "$W/wrong.table")"
check "three wrong: JUnit validates against the XSD" xmllint --noout --schema "$XSD" "$W/wrong.xml"
check_eq "three wrong: JUnit has 3 failures" 3 "$(xmllint --xpath 'count(//testcase/failure)' "$W/wrong.xml")"
check_eq "three wrong: testsuite failures=3" 3 "$(xmllint --xpath 'string(//testsuite/@failures)' "$W/wrong.xml")"
check_eq "three wrong: the failure message says what was expected and seen" "expected refused, got open" \
  "$(xmllint --xpath 'string(//testcase[@name="open4"]/failure/@message)' "$W/wrong.xml")"

# --- ten malformed lines: ten messages, exit 64, not one packet -------------
{
  echo "$LAB_SERVER4:$LAB_PORT_OPEN open name=good1"
  echo "$LAB_SERVER4 open"                                   # 2: no port
  echo "$LAB_SERVER4:$LAB_PORT_OPEN"                         # 3: no expectation
  echo "$LAB_SERVER4:$LAB_PORT_OPEN opne name=b4"            # 4: unknown outcome
  echo "$LAB_SERVER4:$LAB_PORT_OPEN open cnt=2 name=b5"      # 5: unknown key
  echo "$LAB_SERVER4:$LAB_PORT_OPEN open count=0 name=b6"    # 6: count out of range
  echo "$LAB_SERVER4:$LAB_PORT_OPEN open timeout=5y name=b7" # 7: bad duration
  echo "# a comment between them"
  echo "$LAB_SERVER4:$LAB_PORT_OPEN open mode=fast name=b9"  # 9: bad mode
  printf '%s:%s open name=b10\001\n' "$LAB_SERVER4" "$LAB_PORT_OPEN"  # 10: control byte
  echo "$LAB_SERVER4:$LAB_PORT_OPEN open name=good1"         # 11: name already used
  echo "$LAB_SERVER4:$LAB_PORT_OPEN open name=$(head -c 5000 /dev/zero | tr '\0' x)"  # 12: too long
  echo "[$LAB_SERVER6]:$LAB_PORT_CLOSED refused name=good2"
} >"$W/bad.txt"
capture_start "$LAB_CLIENT" "$W/bad.pcap" "tcp or icmp or icmp6" || echo "FAIL capture bad"
C "$TCPHS" check "$W/bad.txt" --junit "$W/bad.xml" >"$W/bad.out" 2>"$W/bad.err"
rc=$?
sleep 0.3  # anything sent would be in the capture well within this
capture_stop
check_eq "malformed: exit 64" 64 "$rc"
check_eq "malformed: ten FILE:LINE: messages" "2 3 4 5 6 7 9 10 11 12" \
  "$(grep -oE "^$W/bad.txt:[0-9]+: " "$W/bad.err" | sed -E 's/.*:([0-9]+): /\1/' | tr '\n' ' ' | sed 's/ $//')"
check_eq "malformed: then one line saying nothing was sent" "tcphs: $W/bad.txt: 10 bad lines; nothing was sent" \
  "$(tail -1 "$W/bad.err")"
check_eq "malformed: nothing on stdout" "" "$(cat "$W/bad.out")"
check "malformed: no JUnit file written" [ ! -e "$W/bad.xml" ]
check_eq "malformed: the capture on the client saw no packet" 0 \
  "$(tcpdump -r "$W/bad.pcap" -n 2>/dev/null | wc -l)"

# --- 1,000 checks against the drop port at once ------------------------------
for i in $(seq 1 1000); do echo "$LAB_SERVER4:$LAB_PORT_DROP timeout name=drop-$i timeout=2s"; done >"$W/many.txt"
t0=$EPOCHREALTIME
C "$TCPHS" check "$W/many.txt" --parallel 1000 --json >"$W/many.json"
rc=$?
many_ms=$(ms_since "$t0")
echo "BENCH check: 1000 checks against the drop port, timeout=2s, --parallel 1000: ${many_ms} ms wall (1.5 x timeout = 3000 ms)"
check_eq "1000 drops: exit 0" 0 "$rc"
check_eq "1000 drops: 1000 timeouts from 1000 source ports" "1000 1000" \
  "$(python3 "$here/ndjson.py" "$W/many.json" \
    "'%d %d' % (sum(r['outcome'] == 'timeout' for r in recs if r['type'] == 'check'), len({r['source_port'] for r in recs if r['type'] == 'check'}))")"

# --- --parallel bounds the checks in flight ----------------------------------
for i in $(seq 1 12); do echo "$LAB_SERVER4:$LAB_PORT_DROP timeout name=p$i timeout=1s retries=0"; done >"$W/par.txt"
capture_start "$LAB_CLIENT" "$W/par4.pcap" "tcp port $LAB_PORT_DROP" || echo "FAIL capture par4"
t0=$EPOCHREALTIME
C "$TCPHS" check -q "$W/par.txt" --parallel 4 >/dev/null
rc=$?
par_ms=$(ms_since "$t0")
capture_stop
check_eq "--parallel 4: exit" 0 "$rc"
check "--parallel 4: 12 one-second checks take three windows (${par_ms} ms)" [ "$par_ms" -ge 3000 ]
check_eq "--parallel 4: 4 checks start at once, of 12" "4 12" "$(first_syns "$W/par4.pcap")"
capture_start "$LAB_CLIENT" "$W/par12.pcap" "tcp port $LAB_PORT_DROP" || echo "FAIL capture par12"
C "$TCPHS" check -q "$W/par.txt" --parallel 12 >/dev/null
check_eq "--parallel 12: exit" 0 "$?"
capture_stop
check_eq "--parallel 12: all 12 start at once" "12 12" "$(first_syns "$W/par12.pcap")"

# --- OpenMetrics: valid, and replaced atomically ------------------------------
check "OpenMetrics passes promtool check metrics" bash -c "promtool check metrics <'$W/all.prom'"
check_eq "OpenMetrics: one tcphs_check_up per check, all 1" "$n_all" \
  "$(grep -c '^tcphs_check_up{.*} 1$' "$W/all.prom")"
check_eq "OpenMetrics: outcome of the drop check" 1 \
  "$(grep -F 'tcphs_check_outcome{target="'"$LAB_SERVER4:$LAB_PORT_DROP"'",name="drop4",outcome="timeout"}' "$W/all.prom" | awk '{print $2}')"
mkdir -p "$W/prom"
C "$TCPHS" check "$W/wrong.txt" -q --openmetrics "$W/prom/tcphs.prom" >/dev/null
inode1=$(stat -c %i "$W/prom/tcphs.prom")
check_eq "OpenMetrics: wrong expectations give three 0s" 3 "$(grep -c '^tcphs_check_up{.*} 0$' "$W/prom/tcphs.prom")"
C "$TCPHS" check "$W/all.txt" -q --openmetrics "$W/prom/tcphs.prom" >/dev/null
inode2=$(stat -c %i "$W/prom/tcphs.prom")
check "OpenMetrics: the second run replaced the file (inode $inode1 -> $inode2)" [ "$inode1" != "$inode2" ]
check_eq "OpenMetrics: the new content is there" 0 "$(grep -c '^tcphs_check_up{.*} 0$' "$W/prom/tcphs.prom")"
check_eq "OpenMetrics: no temporary file left" "tcphs.prom" "$(ls -A "$W/prom" | tr '\n' ' ' | sed 's/ $//')"
check_eq "OpenMetrics: readable by others (0644 under umask 022)" 644 "$(stat -c %a "$W/prom/tcphs.prom")"

# --- names: one that resolves, one that does not ------------------------------
cat >"$W/names.txt" <<EOT
server4.lab:$LAB_PORT_OPEN open name=by-name
nothing-here.invalid:$LAB_PORT_OPEN open name=ghost
$LAB_SERVER4:$LAB_PORT_CLOSED refused name=closed
server6.lab:$LAB_PORT_CLOSED refused name=by-name6
EOT
C "$TCPHS" check "$W/names.txt" -6 --json >"$W/names.json" 2>"$W/names.err"
check_eq "-6 with an IPv4 literal line: exit 64" 64 "$?"
C "$TCPHS" check "$W/names.txt" --json --junit "$W/names.xml" >"$W/names.json" 2>"$W/names.err"
check_eq "unresolved name: exit 1" 1 "$?"
check_eq "unresolved name: only its row failed, the others ran" \
  '{"by-name": [true, "open"], "by-name6": [true, "refused"], "closed": [true, "refused"], "ghost": [false, null]}' \
  "$(python3 "$here/ndjson.py" "$W/names.json" "dict(sorted((r['name'], [r['passed'], r['outcome']]) for r in recs if r['type'] == 'check'))")"
check "unresolved name: its record says why" \
  grep -q '"error":"could not resolve '"'"'nothing-here.invalid'"'"': ' "$W/names.json"
check_eq "unresolved name: JUnit failure type" unresolved \
  "$(xmllint --xpath 'string(//testcase[@name="ghost"]/failure/@type)' "$W/names.xml")"
echo "nothing-here.invalid:80 open" >"$W/ghost.txt"
C "$TCPHS" check "$W/ghost.txt" >"$W/ghost.table" 2>/dev/null
check_eq "only unresolved names: exit 68" 68 "$?"
check "only unresolved names: the row is still reported" grep -qE '^FAIL +nothing-here.invalid:80 .*unresolved' "$W/ghost.table"

# --- stdin; check records carry every probe key ------------------------------
printf '%s:%s open name=in-open\n[%s]:%s refused name=in-closed6\n' \
  "$LAB_SERVER4" "$LAB_PORT_OPEN" "$LAB_SERVER6" "$LAB_PORT_CLOSED" >"$W/in.txt"
C "$TCPHS" check - --json <"$W/in.txt" >"$W/in.json"
check_eq "stdin (-): exit 0" 0 "$?"
check_eq "stdin (-): both checks ran and held" "in-closed6 refused True, in-open open True" \
  "$(python3 "$here/ndjson.py" "$W/in.json" "', '.join(sorted('%s %s %s' % (r['name'], r['outcome'], r['passed']) for r in recs if r['type'] == 'check'))")"
C "$TCPHS" probe --json "$LAB_SERVER4:$LAB_PORT_OPEN" >"$W/probe.json"
check_eq "a check record has every key of a probe record, and expect, passed, name" "" \
  "$(python3 - "$W/probe.json" "$W/in.json" <<'PY'
import json, sys
probe = next(r for r in map(json.loads, open(sys.argv[1])) if r["type"] == "probe")
check = next(r for r in map(json.loads, open(sys.argv[2])) if r["type"] == "check")
print(" ".join(sorted((set(probe) | {"expect", "passed", "name"}) - set(check))))
PY
)"
C "$TCPHS" check - <"$W/bad.txt" >/dev/null 2>"$W/bad-stdin.err"
check_eq "malformed on stdin: exit 64" 64 "$?"
check_eq "malformed on stdin: ten <stdin>:LINE: messages" "2 3 4 5 6 7 9 10 11 12" \
  "$(grep -oE '^<stdin>:[0-9]+: ' "$W/bad-stdin.err" | sed -E 's/.*:([0-9]+): /\1/' | tr '\n' ' ' | sed 's/ $//')"

# --- targets as arguments; connect mode; privileges --------------------------
C "$TCPHS" check --expect open "$LAB_SERVER4:$LAB_PORT_OPEN" "[$LAB_SERVER6]:$LAB_PORT_OPEN" >"$W/args.table"
check_eq "--expect with targets: exit 0" 0 "$?"
check_eq "--expect with targets: summary" "2 checks, 2 passed, 0 failed" "$(tail -1 "$W/args.table")"
cat >"$W/mixed.txt" <<EOT
$LAB_SERVER4:$LAB_PORT_OPEN open name=raw-open
$LAB_SERVER4:$LAB_PORT_OPEN open name=connect-open mode=connect count=2 interval=1s
$LAB_SERVER4:$LAB_PORT_CLOSED refused name=connect-closed mode=connect
[$LAB_SERVER6]:$LAB_PORT_ADMIN filtered name=connect-admin6 mode=connect
EOT
C "$TCPHS" check "$W/mixed.txt" >/dev/null 2>"$W/mixed.err"
check_eq "an unknown key (interval) is a bad line" 64 "$?"
sed -i 's/ interval=1s//' "$W/mixed.txt"
C "$TCPHS" check "$W/mixed.txt" --json >"$W/mixed.json"
check_eq "raw and connect checks in one run: exit 0" 0 "$?"
check_eq "raw and connect checks: modes" "connect connect connect connect raw" \
  "$(python3 "$here/ndjson.py" "$W/mixed.json" "' '.join(sorted(r['mode'] for r in recs if r['type'] == 'check'))")"

bin=$W/tcphs-plain
cp "$TCPHS" "$bin" && chmod 755 "$bin" "$W"
nobody() { C setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }
nobody "$bin" check --json "$W/all.txt" >"$W/nobody.json" 2>"$W/nobody.err" </dev/null
nobody_rc=$?
check "no CAP_NET_RAW: one notice on stderr" grep -q "^tcphs: no CAP_NET_RAW: $n_all checks use connect() mode" "$W/nobody.err"
check_eq "no CAP_NET_RAW: every check in connect mode" "$n_all" \
  "$(python3 "$here/ndjson.py" "$W/nobody.json" "sum(r['mode'] == 'connect' for r in recs if r['type'] == 'check')")"
# connect() reports ICMPv4 admin-prohibited as EHOSTUNREACH: admin4 reads unreachable there.
check_eq "no CAP_NET_RAW: only admin4 differs from raw mode" "1 admin4" \
  "$nobody_rc $(python3 "$here/ndjson.py" "$W/nobody.json" "' '.join(r['name'] for r in recs if r['type'] == 'check' and not r['passed'])")"
echo "$LAB_SERVER4:$LAB_PORT_OPEN open mode=raw" >"$W/raw.txt"
capture_start "$LAB_CLIENT" "$W/raw.pcap" "tcp port $LAB_PORT_OPEN" || echo "FAIL capture raw"
nobody "$bin" check "$W/raw.txt" >"$W/raw.out" 2>"$W/raw.err"
rc=$?
capture_stop
check_eq "mode=raw without CAP_NET_RAW: exit 77" 77 "$rc"
check_eq "mode=raw without CAP_NET_RAW: nothing sent" 0 "$(tcpdump -r "$W/raw.pcap" -n 2>/dev/null | wc -l)"

check_done

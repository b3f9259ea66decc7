#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Forwarding the firewall log to the log server (LOG-9, LOG-24, OPS-1):
# gatewayd runs in the lab's gateway namespace with log.forward pointing at
# the lab's log host (server zone, 10.1.0.60), where socat stands in for the
# log server and writes what it receives to a file per connection.
#
#   1. TCP: every record of the day file arrives as an RFC 5424 message in an
#      RFC 6587 octet-counted frame, MSG equal to the line, in order.
#   2. Outage: the receiver's kernel drops what gatewayd sends (records
#      written, never acknowledged: the cursor must not move over them);
#      the receiver stops; more traffic; gatewayd is stopped and
#      started again while the receiver is down; more traffic; the receiver
#      comes back: every record arrives (duplicates allowed, counted).
#   2b. A burst of denials: the incident it raises and the C-10 summary of
#      what the rate limit held back arrive too, each kind on its own
#      connection with its own cursor, MSGID its kind.
#   3. TLS: frames arrive over TLS to a server whose certificate chains to
#      the configured CA and names 10.1.0.60; a server with a certificate
#      from another CA gets nothing, and gatewayd says why.
#
# Topology: scripts/lab. Traffic stays between the lab's namespaces; every
# wait is bounded.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
[[ $build == /* ]] || build=$top/$build
gatewayd=$build/gatewayd
netctl=${NETCTL:-$build/netctl}

. "$top/scripts/lab"
. "$top/tests/e2e/lib.sh"

tmp=$(mktemp -d) || exit 1
chmod 755 "$tmp"
sock=$tmp/control
cp -r "$top/conf" "$top/zones" "$tmp/"
e2e_people "$tmp/conf/gatewayd.conf"
logs=$tmp/log
state=$tmp/state
gw_pid=
rx_pid=
lab_init "gwfwd$$" || exit 1
cleanup() {
	lab_down
	[ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# conf_forward TEXT: the config copy with log.forward = { TEXT }.
conf_forward() {
	sed -i '/^\tforward = {/d' "$tmp/conf/gatewayd.conf"
	sed -i "s|^\tdeny_burst = \([0-9]*\);|\tdeny_burst = \1;\n\tforward = { $1 };|" "$tmp/conf/gatewayd.conf"
}

start_gw() {
	lab_spawn gw "$gatewayd" -c "$tmp/conf/gatewayd.conf" -f -S "$sock" --state-dir "$state" \
		--log-dir "$logs" --log-check 2 2>>"$tmp/gatewayd.log"
	gw_pid=$LAB_PID
	for _ in $(seq 50); do [ -S "$sock" ] && return 0; sleep 0.1; done
	return 1
}

# SIGTERM and a bounded wait for the exit (the cursor is saved then).
stop_gw() {
	[ -n "$gw_pid" ] || return 0
	kill -TERM "$gw_pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$gw_pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$gw_pid" 2>/dev/null && { kill -KILL "$gw_pid"; fail "gatewayd did not stop on SIGTERM"; }
	gw_pid=
}

# start_rx FILE [OPENSSL-OPTIONS]: the log server, plain TCP 514 or TLS 6514.
# Each connection (gatewayd opens one per kind of day file) is written to its
# own FILE.PID, so frames of different connections never interleave.
start_rx() {
	if [ -n "${2:-}" ]; then
		lab_spawn server socat -u "OPENSSL-LISTEN:6514,bind=10.1.0.60,reuseaddr,fork,verify=0,$2" \
			"SYSTEM:cat >>$1.\$\$" 2>>"$tmp/rx.log"
	else
		lab_spawn server socat -u TCP-LISTEN:514,bind=10.1.0.60,reuseaddr,fork "SYSTEM:cat >>$1.\$\$" \
			2>>"$tmp/rx.log"
	fi
	rx_pid=$LAB_PID
	sleep 0.3
}

# The receiver and its forked children: the session lab_spawn started.
stop_rx() {
	[ -n "$rx_pid" ] || return 0
	kill -TERM -- "-$rx_pid" 2>/dev/null
	for _ in $(seq 30); do kill -0 "$rx_pid" 2>/dev/null || break; sleep 0.1; done
	rx_pid=
}

conn() { ip netns exec "$(lab_ns "$1")" timeout 4 socat -T 2 - "TCP:$2:$3,connect-timeout=2" </dev/null >/dev/null 2>&1; }
# traffic N: N permitted and N denied connections, each a record.
traffic() {
	local i
	for i in $(seq "$1"); do
		conn floor1 10.1.0.10 443
		conn floor1 203.0.113.100 443
	done
}

today=$(date -u +%Y-%m-%d)
file=$logs/fw-$today.jsonl
lines() { [ -f "$file" ] && wc -l <"$file" || echo 0; }
# wait_lines N: until the day file has N lines (NFLOG batches come late).
wait_lines() {
	for _ in $(seq 50); do [ "$(lines)" -ge "$1" ] && return 0; sleep 0.1; done
	return 1
}

# check.py MODE DAYFILE FIRST RECEIVED...: the frames of the RECEIVED files
# (each the prefix of one file per connection) against the day file's lines
# from line FIRST on. MODE exact: the same, in order; superset: every line
# there, duplicates counted. The day file's kind (fw, incident, summary) is
# the MSGID its frames must carry; frames of other kinds are left out.
cat >"$tmp/check.py" <<'PY'
import glob, os, re, sys
mode, dayfile, first, prefixes = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
kind = os.path.basename(dayfile).split("-")[0].encode()
want = [l for l in open(dayfile, "rb").read().split(b"\n") if l][first - 1:]
head = re.compile(rb"<(\d+)>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) (\S+) gatewayd (\d+) (fw|incident|summary) - ")
files = sorted(f for p in prefixes for f in glob.glob(glob.escape(p) + ".*"))
got, bad = [], []
for f in files:
    data = open(f, "rb").read()
    i = 0
    while i < len(data):
        m = re.match(rb"([1-9]\d*) ", data[i:i + 12])
        if not m:
            bad.append(f"{f}@{i}: no octet count: {data[i:i + 40]!r}")
            break
        n = int(m.group(1))
        msg = data[i + len(m.group(0)):i + len(m.group(0)) + n]
        i += len(m.group(0)) + n
        if len(msg) != n:
            bad.append(f"{f}: a frame cut short")
            break
        h = head.match(msg)
        if not h:
            bad.append(f"not RFC 5424 as sent: {msg[:80]!r}")
            continue
        body = msg[h.end():]
        if h.group(5) != kind:
            continue
        pri = int(h.group(1))
        sev = 1 if kind == b"incident" else 6 if b'"event.action":"permitted"' in body else 5
        if pri != 16 * 8 + sev or h.group(2) not in body[:50]:
            bad.append(f"PRI {pri} or TIMESTAMP {h.group(2)!r} wrong for {body[:80]!r}")
        got.append(body)
if bad:
    print("FAIL: " + "; ".join(bad[:3]))
if mode == "exact":
    if got == want:
        print(f"PASS: {len(got)} RFC 5424 octet-counted frames, MSG equal to the day file's lines, in order")
    else:
        print(f"FAIL: received {len(got)} frames, want {len(want)} lines in order")
else:
    gs = set(got)
    missing = [w for w in want if w not in gs]
    dups = len(got) - len(gs)
    if missing:
        print(f"FAIL: {len(missing)} of {len(want)} records missing, e.g. {missing[0][:100]!r}")
    else:
        print(f"PASS: all {len(want)} records arrived ({len(got)} frames, {dups} duplicates)")
PY
run_check() {
	local l
	while IFS= read -r l; do
		case $l in
		PASS:*) pass "${l#PASS: }" ;;
		*) fail "${l#FAIL: }" ;;
		esac
	done < <(python3 "$tmp/check.py" "$@")
}
# arrived MODE DAYFILE FIRST FILES...: whether check.py passes.
arrived() {
	local out
	out=$(python3 "$tmp/check.py" "$@" 2>/dev/null)
	[[ $out == PASS:* ]]
}
wait_arrived() {
	local t=$1
	shift
	for _ in $(seq "$t"); do arrived "$@" && return 0; sleep 0.2; done
	return 1
}
fwd_json() {
	"$netctl" status -S "$sock" --json 2>/dev/null |
		python3 -c 'import json,sys; f=json.load(sys.stdin)["logging"]["forward"]; print(f["state"], f["backlog_bytes"], f["failures"], f["unacked_records"], f["cursor"], f.get("last_error") or "-")'
}

lab_up >/dev/null || { fail "lab did not come up"; e2e_summary; exit 1; }
lab_spawn server socat -T 3 TCP-LISTEN:443,bind=10.1.0.10,reuseaddr,fork EXEC:/bin/true

# ---- 1. plain TCP ---------------------------------------------------------
conf_forward 'server = "10.1.0.60"; port = 514; hostname = "gw-lab";'
start_rx "$tmp/rx1"
start_gw || { fail "gatewayd did not start: $(cat "$tmp/gatewayd.log")"; e2e_summary; exit 1; }
e2e_register "$netctl" "$sock" floor1 "$(lab_mac floor1)" >/dev/null || fail "registering pc1"
traffic 3
wait_lines 6 || fail "the day file has $(lines) lines, want 6 or more"
wait_arrived 50 exact "$file" 1 "$tmp/rx1" || true
sleep 0.5 # no duplicate may follow; a background record may, and is waited for
wait_arrived 10 exact "$file" 1 "$tmp/rx1" || true
run_check exact "$file" 1 "$tmp/rx1"
cat "$tmp"/rx1.* 2>/dev/null | grep -q ' gw-lab gatewayd ' && pass "HOSTNAME is the configured one" ||
	fail "no 'gw-lab' HOSTNAME"
read -r st backlog fails unacked cursor err < <(fwd_json)
[ "$st" = connected ] && [ "$backlog" = 0 ] &&
	pass "netctl status: forward connected, backlog 0 (LOG-24)" ||
	fail "netctl status: forward $st, backlog $backlog, error $err"
"$netctl" status -S "$sock" | grep -F 'forward:  10.1.0.60:514 connected' >/dev/null &&
	pass "netctl status prints the forwarding line" || fail "no forwarding line in netctl status"

# ---- 2. outage and restart -------------------------------------------------
srv=$(lab_ns server)
ip netns exec "$srv" nft -f - <<'NFT' || fail "blackholing the receiver"
table inet fwdtest { chain in { type filter hook input priority 0; tcp dport 514 drop; }; }
NFT
# What was sent before is acknowledged within a round trip and the next
# check (200 ms); from here on nothing is: the lab's background records
# (IPv6 autoconfiguration denied in other zones) can come at any time.
sleep 0.5
n0=$(lines)
read -r st backlog fails unacked cursor0 err < <(fwd_json)
traffic 2
wait_lines $((n0 + 4)) || fail "no records during the blackhole"
for _ in $(seq 50); do
	read -r st backlog fails unacked cursor err < <(fwd_json)
	[ "$unacked" -ge 4 ] && break
	sleep 0.1
done
[ "$st" = connected ] && [ "$unacked" -ge 4 ] && [ "$cursor" = "$cursor0" ] &&
	pass "$unacked records written and not acknowledged: the cursor stays at $cursor" ||
	fail "blackhole: forward $st, $unacked unacknowledged, cursor $cursor (was $cursor0)"
stop_rx
ip netns exec "$srv" nft delete table inet fwdtest || fail "removing the blackhole"
traffic 3
wait_lines $((n0 + 6)) || fail "no records during the outage"
for _ in $(seq 50); do read -r st backlog fails unacked cursor err < <(fwd_json); [ "$st" != connected ] && break; sleep 0.1; done
[ "$st" != connected ] && [ "$backlog" -gt 0 ] && [ "$fails" -ge 1 ] &&
	pass "receiver down: forward $st, $backlog bytes waiting, $fails failures ($err)" ||
	fail "receiver down: forward $st, backlog $backlog, failures $fails"
"$netctl" status -S "$sock" >/dev/null && fail "netctl status exits 0 while the log server is unreachable" ||
	pass "netctl status exits 1 while the log server is unreachable (LOG-24, OPS-1)"
stop_gw
[ -s "$state/forward.cursor" ] && pass "the cursor is saved at stop: $(cat "$state/forward.cursor")" ||
	fail "no cursor file"
start_gw || fail "gatewayd did not start again"
n1=$(lines)
traffic 3
wait_lines $((n1 + 6)) || fail "no records after the restart"
start_rx "$tmp/rx2"
# The backoff after a restart starts at 1 s and doubles: within 20 s.
wait_arrived 100 superset "$file" 1 "$tmp/rx1" "$tmp/rx2" || true
run_check superset "$file" 1 "$tmp/rx1" "$tmp/rx2"
# What the blackhole swallowed and what came during the outage: in the new run.
run_check superset "$file" "$((n0 + 1))" "$tmp/rx2"
grep -F 'forward: connected to 10.1.0.60:514' "$tmp/gatewayd.log" >/dev/null &&
	pass "gatewayd logged the reconnection" || fail "no reconnection logged"

# ---- 2b. incidents and C-10 summaries go too (LOG-21, INC-4, C-10) ----------
# A burst of 300 denied datagrams from dns-int: repeated denials (an
# incident at once) and, at the next health check, a summary of what the
# rate limit kept out of the log. Each kind on its own connection, MSGID
# its kind, an incident at severity alert.
ip netns exec "$(lab_ns server)" timeout 10 python3 - <<'PYB' || fail "the burst could not be sent"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.1.0.53", 0))
for i in range(300):
    s.sendto(b"burst\n", ("203.0.113.100", 53))
PYB
inc=$logs/incident-$today.jsonl summ=$logs/summary-$today.jsonl
for _ in $(seq 100); do [ -s "$inc" ] && [ -s "$summ" ] && break; sleep 0.1; done
if [ -s "$inc" ] && [ -s "$summ" ]; then
	wait_arrived 100 superset "$inc" 1 "$tmp/rx2" || true
	run_check superset "$inc" 1 "$tmp/rx2"
	wait_arrived 100 superset "$summ" 1 "$tmp/rx2" || true
	run_check superset "$summ" 1 "$tmp/rx2"
	[ -s "$state/forward-incident.cursor" ] && [ -s "$state/forward-summary.cursor" ] &&
		pass "each kind keeps its own cursor" || fail "no cursor of the incidents or summaries"
else
	fail "no incident or summary day file after the burst: $(ls "$logs")"
fi

# ---- 3. TLS ----------------------------------------------------------------
pki=$tmp/pki
mkdir -p "$pki"
(
	cd "$pki" || exit 1
	for ca in ca other; do
		openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca.key -out $ca.pem -days 2 \
			-subj "/CN=gatewayd test $ca" 2>/dev/null || exit 1
		openssl req -newkey rsa:2048 -nodes -keyout srv-$ca.key -out srv-$ca.csr \
			-subj "/CN=log" 2>/dev/null || exit 1
		printf 'subjectAltName=IP:10.1.0.60\n' >ext
		openssl x509 -req -in srv-$ca.csr -CA $ca.pem -CAkey $ca.key -CAcreateserial \
			-out srv-$ca.pem -days 2 -extfile ext 2>/dev/null || exit 1
	done
) || fail "making the test CAs"
stop_gw
stop_rx
conf_forward "server = \"10.1.0.60\"; tls = true; ca = \"$pki/ca.pem\"; hostname = \"gw-lab\";"
n2=$(lines)
start_rx "$tmp/rx3" "cert=$pki/srv-ca.pem,key=$pki/srv-ca.key"
start_gw || fail "gatewayd did not start with TLS"
traffic 2
wait_lines $((n2 + 4)) || fail "no records in the TLS run"
wait_arrived 100 superset "$file" "$((n2 + 1))" "$tmp/rx3" || true
run_check superset "$file" "$((n2 + 1))" "$tmp/rx3"
grep -F 'TLS, server certificate verified' "$tmp/gatewayd.log" >/dev/null &&
	pass "gatewayd logged a verified TLS connection" || fail "no verified TLS connection logged"

stop_gw
stop_rx
start_rx "$tmp/rx4" "cert=$pki/srv-other.pem,key=$pki/srv-other.key"
start_gw || fail "gatewayd did not start (other CA)"
traffic 2
for _ in $(seq 50); do grep -F "certificate was refused" "$tmp/gatewayd.log" >/dev/null && break; sleep 0.1; done
msg=$(grep -F "certificate was refused" "$tmp/gatewayd.log" | tail -n1)
[ -n "$msg" ] && pass "a server with another CA's certificate is refused: ${msg#*forward: }" ||
	fail "no verification failure logged"
sleep 1
got=$(cat "$tmp"/rx4.* 2>/dev/null | wc -c)
[ "$got" -eq 0 ] && pass "the server with another CA's certificate got nothing" ||
	fail "the untrusted server got $got bytes"
stop_gw
# Under GW_SANITIZE, a memory or UB error in the forwarder shows up here.
grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/gatewayd.log" >/dev/null &&
	fail "sanitizer: $(grep -E -m1 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/gatewayd.log")" ||
	pass "no sanitizer report in gatewayd's log"

e2e_summary

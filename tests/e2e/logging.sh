#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Firewall log records (LOG-1..7, LOG-10, LOG-11): gatewayd runs as a daemon
# in the lab's gateway namespace and writes a JSON line for every new
# connection a deciding rule permits or denies. Real traffic between the
# lab's namespaces must produce records with exactly the right fields.
#
#   floor1 pc1 10.11.0.100 -> app 10.1.0.10:443      permitted  floor1>server:intranet@app
#   floor1 pc1 10.11.0.100 -> 203.0.113.100:443      denied     floor1>internet:https!direct
#   internet 203.0.113.100 -> 203.0.113.10:80 (DNAT) permitted  internet>dmz:http@www (NAT-5)
#   floor1 pc1 -> app, ping                         permitted  floor1>server:ping/icmp
#
# Topology: scripts/lab. Traffic stays between the lab's namespaces.
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
lab_init "gwlog$$" || exit 1
cleanup() {
	lab_down
	[ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lab_up >/dev/null || { fail "lab did not come up"; e2e_summary; exit 1; }
gw=$(lab_ns gw)
# C-8: a day file older than the retention goes at start; a recent one stays.
mkdir -p "$logs"
echo '{}' >"$logs/fw-2020-01-01.jsonl"
# ... and so do the other kinds of day file and the seals (LOG-27, C-10, LOG-21).
for old in summary-2020-01-01.jsonl incident-2020-01-01.jsonl fw-2020-01-01.jsonl.seal; do
	echo '{}' >"$logs/$old"
done
recent=$(date -u -d '-10 days' +%Y-%m-%d)
echo '{}' >"$logs/fw-$recent.jsonl"

lab_spawn gw "$gatewayd" -c "$tmp/conf/gatewayd.conf" -f -S "$sock" --state-dir "$tmp/state" \
	--log-dir "$logs" 2>"$tmp/gatewayd.log"
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { fail "gatewayd did not start: $(cat "$tmp/gatewayd.log")"; e2e_summary; exit 1; }
[ ! -e "$logs/fw-2020-01-01.jsonl" ] && pass "a day file past the 365-day retention was removed (LOG-10, C-8)" ||
	fail "the 2020 day file is still there"
left=$(cd "$logs" && ls ./*2020-01-01* 2>/dev/null)
[ -z "$left" ] && pass "its seal and the 2020 summary and incident day files went too" ||
	fail "left after the retention: $left"
[ -e "$logs/fw-$recent.jsonl" ] && pass "a day file within the retention was kept" || fail "recent day file removed"

# Setup: pc1 is admitted through the registry (LANREQ-43).
e2e_register "$netctl" "$sock" floor1 "$(lab_mac floor1)" >/dev/null || fail "registering pc1"
lab_spawn server socat -T 3 TCP-LISTEN:443,bind=10.1.0.10,reuseaddr,fork EXEC:/bin/true
lab_spawn dmz socat -T 3 TCP-LISTEN:80,bind=172.20.0.10,reuseaddr,fork EXEC:/bin/true
sleep 0.3
conn() { ip netns exec "$(lab_ns "$1")" timeout 4 socat -T 2 - "TCP:$2:$3,connect-timeout=2" </dev/null >/dev/null 2>&1; }
conn floor1 10.1.0.10 443 || fail "floor1 -> app:443 did not connect"
conn floor1 203.0.113.100 443 && fail "direct web from floor1 got through"
conn internet 203.0.113.10 80 || fail "internet -> published www did not connect"
ip netns exec "$(lab_ns floor1)" ping -c 1 -W 2 10.1.0.10 >/dev/null || fail "ping floor1 -> app"

today=$(date -u +%Y-%m-%d)
file=$logs/fw-$today.jsonl
# The kernel hands NFLOG records over in batches (up to a second late).
for _ in $(seq 50); do
	grep -F 'internet>dmz:http@www' "$file" >/dev/null 2>&1 &&
		grep -F 'floor1>server:ping/icmp' "$file" >/dev/null 2>&1 && break
	sleep 0.1
done
[ -s "$file" ] && pass "records are written to $(basename "$file") ($(wc -l <"$file") lines)" ||
	fail "no records in $file: $(tail -n3 "$tmp/gatewayd.log")"
[ "$(stat -c %a "$file")" = 640 ] && pass "the day file is mode 0640 (LOG-27)" || fail "mode $(stat -c %a "$file")"

# Every field the regulation names, with its value (python3 reads the JSON).
python3 - "$file" >"$tmp/check" <<'PY'
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in recs:
    by.setdefault(r.get("rule.id"), r)
def check(rid, want):
    r = by.get(rid)
    if r is None:
        print(f"FAIL: no record of rule {rid}")
        return
    bad = {k: (v, r.get(k)) for k, v in want.items() if r.get(k) != v}
    ts = r.get("@timestamp", "")
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", ts):
        bad["@timestamp"] = ("RFC 3339 UTC with microseconds", ts)
    if "clock.synchronized" not in r or r.get("time_source") not in ("kernel", "receive"):
        bad["time"] = ("clock.synchronized and time_source", (r.get("clock.synchronized"), r.get("time_source")))
    if bad:
        print(f"FAIL: {rid}: " + "; ".join(f"{k}: want {v[0]!r}, got {v[1]!r}" for k, v in bad.items()))
    else:
        print(f"PASS: {rid}: " + ", ".join(f"{k}={r[k]}" for k in want))
check("floor1>server:intranet@app", {"event.action": "permitted", "network.iana_number": "6",
      "source.ip": "10.11.0.100", "destination.ip": "10.1.0.10", "destination.port": 443,
      "zone.from": "floor1", "zone.to": "server", "source.mac": "02-00-00-00-0B-01",
      "observer.ingress.interface.name": "flr1", "observer.egress.interface.name": "srv0"})
check("floor1>internet:https!direct", {"event.action": "denied", "network.iana_number": "6",
      "source.ip": "10.11.0.100", "destination.ip": "203.0.113.100", "destination.port": 443,
      "zone.from": "floor1", "zone.to": "internet"})
# NAT-5, ECS: destination.ip is the public address, destination.nat.ip the server.
check("internet>dmz:http@www", {"event.action": "permitted", "source.ip": "203.0.113.100",
      "destination.ip": "203.0.113.10", "destination.port": 80, "destination.nat.ip": "172.20.0.10",
      "destination.nat.port": 80, "zone.from": "internet", "zone.to": "dmz"})
check("floor1>server:ping/icmp", {"event.action": "permitted", "network.iana_number": "1",
      "icmp.type": 8, "source.ip": "10.11.0.100", "destination.ip": "10.1.0.10"})
if any("source.port" not in r for r in recs if r.get("network.iana_number") in ("6", "17")):
    print("FAIL: a TCP or UDP record lacks its source port (LOG-4)")
else:
    print(f"PASS: every TCP/UDP record has its ports (LOG-4, LOG-6), {len(recs)} records")
PY
while IFS= read -r l; do
	case $l in
	PASS:*) pass "${l#PASS: }" ;;
	*) fail "${l#FAIL: }" ;;
	esac
done <"$tmp/check"
# LOG-25, LOG-26: search by time, verdict, host, port, rule.
out=$("$netctl" log --dir "$logs" --since 5m --verdict denied --src 10.11.0.100)
grep -F 'floor1>internet:https!direct' >/dev/null <<<"$out" && ! grep -F ' permitted ' >/dev/null <<<"$out" &&
	pass "netctl log --verdict denied --src: the direct web attempts, nothing permitted" ||
	fail "netctl log --verdict denied: $out"
n=$("$netctl" log --dir "$logs" --since 5m --src 10.11.0.100 --port 443 --json | grep -c '"rule.id"')
[ "$n" -ge 2 ] && pass "netctl log --src --port --json: $n records of pc1 on port 443" || fail "got $n records"
out=$("$netctl" log --dir "$logs" --since 5m --rule 'internet>dmz:http@www' --zone dmz)
grep -F '203.0.113.100' >/dev/null <<<"$out" && pass "netctl log --rule --zone finds the published web access" ||
	fail "netctl log --rule: $out"
if "$netctl" log --dir "$logs" --since 5m --dst 192.0.2.1 >/dev/null; then
	fail "a search without matches exited 0"
else
	pass "a search without matches exits 1"
fi
n=$("$netctl" status -S "$sock" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["logging"]["records"])')
[ "$n" -ge 4 ] && pass "netctl status counts $n records written (LOG-24)" || fail "status counts $n records"

e2e_summary

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The periodic log analysis and the incident trace (LOG-13..18, LOG-26,
# INC-5..7): real traffic in the lab makes gatewayd write firewall records,
# and 'netctl log report --json' must find in them exactly what happened,
# 'netctl log host' must list the host's records and peers.
#
#   floor1 pc1 10.11.0.100 (before registration) -> app 10.1.0.10:443
#                                 denied  floor1:admission       unregistered device (LOG-17)
#   pc1 -> app 10.1.0.10:443, 3 times
#                                 permitted floor1>server:intranet@app   db_hosts = app (LOG-16)
#   pc1 -> 203.0.113.100:443      denied  floor1>internet:https!direct  proxy bypass (LOG-17)
#   pc1 -> 203.0.113.100:6667     denied  floor1>internet:default       outbound (INC-7)
#   pc1 -> app ports 2001..2020 at once
#                                 denied  floor1>server:default         scan (INC-5, LOG-14)
#
# log.report in the test's config: denied = 10, db_hosts = [ "app" ],
# db_connections = 3 (so a few real connections cross each threshold).
# The same signs are raised by gatewayd at once as incidents (LOG-21, INC-4):
# in syslog, in incident-YYYY-MM-DD.jsonl and counted in the status.
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
conf=$tmp/conf/gatewayd.conf
sed -i 's|^log = {$|log = {\n\treport = { denied = 10; db_hosts = [ "app" ]; db_connections = 3; };|' "$conf"
logs=$tmp/log
lab_init "gwrep$$" || exit 1
cleanup() {
	lab_down
	[ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$netctl" check -c "$conf" >/dev/null && pass "the config with log.report is valid" ||
	fail "config: $("$netctl" check -c "$conf" 2>&1)"
lab_up >/dev/null || { fail "lab did not come up"; e2e_summary; exit 1; }
lab_spawn gw "$gatewayd" -c "$conf" -f -S "$sock" --state-dir "$tmp/state" \
	--log-dir "$logs" 2>"$tmp/gatewayd.log"
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { fail "gatewayd did not start: $(cat "$tmp/gatewayd.log")"; e2e_summary; exit 1; }

lab_spawn server socat -T 3 TCP-LISTEN:443,bind=10.1.0.10,reuseaddr,fork EXEC:/bin/true
sleep 0.3
conn() {
	ip netns exec "$(lab_ns "$1")" timeout 4 socat -T 2 - "TCP:$2:$3,connect-timeout=${4:-2}" \
		</dev/null >/dev/null 2>&1
}
# LOG-17: pc1 is not registered yet: its first attempt is an admission denial.
conn floor1 10.1.0.10 443 1 && fail "an unregistered pc1 reached app"
e2e_register "$netctl" "$sock" floor1 "$(lab_mac floor1)" >/dev/null || fail "registering pc1"
for i in 1 2 3; do
	conn floor1 10.1.0.10 443 || fail "floor1 -> app:443 ($i) did not connect"
done
conn floor1 203.0.113.100 443 1 && fail "direct web from floor1 got through"
conn floor1 203.0.113.100 6667 1 && fail "floor1 -> internet:6667 got through"
# INC-5: 20 probes at once, each bounded to 0.5 s (before the SYN's first retransmission).
pids=()
for p in $(seq 2001 2020); do
	conn floor1 10.1.0.10 "$p" 0.5 &
	pids+=($!)
done
wait "${pids[@]}"

file=$logs/fw-$(date -u +%Y-%m-%d).jsonl
probes() { grep -c '"rule.id":"floor1>server:default"' "$file" 2>/dev/null || true; }
# The kernel hands NFLOG records over in batches (up to a second late).
for _ in $(seq 50); do
	[ "$(probes)" -ge 20 ] && grep -F 'internet:default' "$file" >/dev/null 2>&1 && break
	sleep 0.1
done
[ "$(probes)" -ge 15 ] && pass "$(probes) probe records written" || fail "$(probes) probe records"

# ---- netctl log report --json (LOG-13) ------------------------------------
"$netctl" log report -c "$conf" --dir "$logs" --since 10m --json >"$tmp/report.json" 2>"$tmp/report.err" &&
	pass "netctl log report exits 0" || fail "netctl log report: $(cat "$tmp/report.err")"
python3 - "$tmp/report.json" >"$tmp/check" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
out = []
def ok(cond, msg):
    out.append(("PASS: " if cond else "FAIL: ") + msg)
kinds = {k["kind"]: k for k in rep["findings"]}
def src(kind, addr):
    for s in kinds[kind]["sources"]:
        if s["address"] == addr:
            return s
    return None
pc1 = "10.11.0.100"
ok(rep["requirement"] == "LOG-13" and rep["period"]["until"] is None, "report names LOG-13 and its period")
ok(rep["records"]["total"] >= 21 and rep["records"]["denied"] >= 17 and rep["records"]["not_records"] == 0,
   f"record counts: {rep['records']}")
t = rep["thresholds"]
ok(t["denied"] == 10 and t["db_hosts"] == ["app"] and t["db_connections_per_day"] == 3 and
   t["scan_ports"] == 15 and t["window_seconds"] == 60 and t["origin"].endswith("gatewayd.conf:" + t["origin"].split(":")[-1]),
   f"thresholds from log.report: {t}")
s = src("scan", pc1)
ok(s is not None and s["max_ports_in_burst"] == 15 and s["count"] >= 15 and s["bursts"] == 1 and
   "floor1>server:default" in s["rules"] and kinds["scan"]["requirements"].startswith("INC-5") and kinds["scan"]["incident"],
   f"scan of pc1 (INC-5): {s}")
s = src("repeated-denials", pc1)
ok(s is not None and s["max_denied_in_burst"] >= 10, f"repeated denials of pc1 (LOG-14): {s}")
s = src("proxy-bypass", pc1)
ok(s is not None and s["count"] >= 1 and s["rules"] == ["floor1>internet:https!direct"] and
   kinds["proxy-bypass"]["requirements"] == "LOG-17", f"proxy bypass of pc1 (LOG-17): {s}")
s = src("outbound-denied", pc1)
ok(s is not None and s["count"] >= 1 and s["rules"] == ["floor1>internet:default"] and kinds["outbound-denied"]["incident"],
   f"outbound denial of pc1 (INC-7): {s}")
s = src("unregistered-device", pc1)
ok(s is not None and s["count"] >= 1 and s["rules"] == ["floor1:admission"], f"unregistered pc1 (LOG-17): {s}")
ok(kinds["beyond-authority"]["sources"] == [], "no remote-access denials (LOG-18)")
s = src("database-connections", "10.1.0.10")
ok(s is not None and s["host"] == "app" and s["count"] >= 3 and s["days_over_threshold"] == 1 and
   "bytes" in kinds["database-connections"]["description"], f"app's connections (LOG-16): {s}")
gaps = {g["requirement"] for g in rep["not_observable"]}
ok({"LOG-15", "LOG-16", "LOG-19", "LOG-20"} <= gaps and
   all(g["reason"] for g in rep["not_observable"]), f"unobservable events named: {sorted(gaps)}")
print("\n".join(out))
PY
while IFS= read -r l; do
	case $l in
	PASS:*) pass "${l#PASS: }" ;;
	*) fail "${l#FAIL: }" ;;
	esac
done <"$tmp/check"
out=$("$netctl" log report -c "$conf" --dir "$logs" --since 10m 2>&1)
grep -F '[INC-5, LOG-14, LOG-21] scan: INCIDENT SIGN (LOG-21)' >/dev/null <<<"$out" &&
	grep -F 'Not observable in the firewall records:' >/dev/null <<<"$out" &&
	pass "the text report flags the scan and lists what it cannot see" || fail "text report: $out"

# ---- netctl log host (LOG-26, INC-6) --------------------------------------
"$netctl" log host 10.11.0.100 --dir "$logs" --since 10m --json >"$tmp/host.json" 2>"$tmp/host.err" &&
	pass "netctl log host exits 0" || fail "netctl log host: $(cat "$tmp/host.err")"
python3 - "$tmp/host.json" "$file" >"$tmp/check" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
recs = [json.loads(l) for l in open(sys.argv[2])]
mine = [r for r in recs if "10.11.0.100" in (r["source.ip"], r["destination.ip"])]
out = []
def ok(cond, msg):
    out.append(("PASS: " if cond else "FAIL: ") + msg)
s = h["summary"]
ok(h["host"] == "10.11.0.100" and len(h["records"]) == len(mine) == s["records"],
   f"all {len(mine)} records of pc1, as stored")
ok(s["permitted"] == sum(r["event.action"] == "permitted" for r in mine) and
   s["denied"] == sum(r["event.action"] == "denied" for r in mine), f"verdict counts {s['permitted']}/{s['denied']}")
ok(s["first_seen"] <= s["last_seen"] and s["first_seen"] == min(r["@timestamp"] for r in mine)[:19] + "Z",
   f"first/last seen {s['first_seen']} .. {s['last_seen']}")
peers = {(p["address"], p["port"]): p for p in s["peers"]}
app = peers.get(("10.1.0.10", 443))
ok(app is not None and app["direction"] == "outbound" and app["protocol_name"] == "tcp" and
   app["permitted"] == 3 and app["denied"] >= 1, f"peer app:443: {app}")
web = peers.get(("203.0.113.100", 443))
ok(web is not None and web["denied"] >= 1 and web["permitted"] == 0, f"peer 203.0.113.100:443: {web}")
counts = [p["count"] for p in s["peers"]]
ok(counts == sorted(counts, reverse=True) and len(s["peers"]) >= 20, f"{len(counts)} peers, biggest first")
print("\n".join(out))
PY
while IFS= read -r l; do
	case $l in
	PASS:*) pass "${l#PASS: }" ;;
	*) fail "${l#FAIL: }" ;;
	esac
done <"$tmp/check"
out=$("$netctl" log host 10.11.0.100 --dir "$logs" --since 10m)
grep -E '^10\.1\.0\.10 +out +tcp +443 ' >/dev/null <<<"$out" && grep -F 'first seen' >/dev/null <<<"$out" &&
	pass "netctl log host prints the records and the peer table" || fail "log host: $out"
if "$netctl" log host 192.0.2.77 --dir "$logs" --since 10m >/dev/null; then
	fail "a host without records exited 0"
else
	pass "a host without records exits 1"
fi

# ---- LOG-21, INC-4: the same signs raised at once by gatewayd ----------------
inc=$logs/incident-$(date -u +%Y-%m-%d).jsonl
for kind in 'outbound-denied from 10.11.0.100 to 203.0.113.100' 'a scan from 10.11.0.100' \
	'repeated denials from 10.11.0.100'; do
	grep -F "firewall log: INCIDENT: $kind" "$tmp/gatewayd.log" >/dev/null &&
		pass "INC-4: gatewayd raised '$kind' at once (syslog)" ||
		fail "INC-4: no incident '$kind' in gatewayd's log: $(grep INCIDENT "$tmp/gatewayd.log")"
done
python3 - "$inc" >"$tmp/check" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
acts = sorted(r["event.action"] for r in recs)
ok = (all(r["event.kind"] == "alert" and r["event.dataset"] == "gatewayd.incident"
          and r["source.ip"] == "10.11.0.100" and r["message"] for r in recs)
      and acts == ["outbound-denied", "repeated-denials", "scan"])
out = [r for r in recs if r["event.action"] == "outbound-denied"]
ok = ok and out and out[0]["destination.ip"] == "203.0.113.100" and out[0]["destination.port"] == 6667
print(("PASS: " if ok else "FAIL: ") + "; ".join(f'{r["event.action"]} {r["rule.id"]}' for r in recs))
PY
l=$(cat "$tmp/check")
[[ $l == PASS:* ]] && pass "INC-4: incident records, one per sign: ${l#PASS: }" ||
	fail "INC-4: incident records: ${l#FAIL: } ($(cat "$inc" 2>&1))"
n=$("$netctl" status -S "$sock" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["logging"]["incidents"]["count"])')
[[ $n == 3 ]] && pass "netctl status counts the 3 incidents" || fail "status counts '$n' incidents"

e2e_summary

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# NAT-5: records of translated traffic carry both sides of the translation,
# with ECS's names, taken from the conntrack entry (lib/natjoin.h):
#
#   dmz proxy 172.20.0.80:PORT -> 203.0.113.100:80   SNAT to nat.address 203.0.113.2
#       source.ip/.port internal, source.nat.ip/.port as in the gateway's conntrack table
#   internet 203.0.113.100 -> 203.0.113.10:80        DNAT to www 172.20.0.10:80
#       destination.ip/.port public, destination.nat.ip/.port the server
#   floor1 pc1 -> app 10.1.0.10:443                  not translated: no nat fields
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

e2e_lab_start gwnat socat conntrack
sock=$tmp/control
cp -r "$top/conf" "$top/zones" "$tmp/"
e2e_people "$tmp/conf/gatewayd.conf"
logs=$tmp/log

lab_up >/dev/null || { fail "lab did not come up"; e2e_summary; exit 1; }
gw=$(lab_ns gw)
lab_spawn gw "$gatewayd" -c "$tmp/conf/gatewayd.conf" -f -S "$sock" --state-dir "$tmp/state" \
	--log-dir "$logs" 2>"$tmp/gatewayd.log"
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { fail "gatewayd did not start: $(cat "$tmp/gatewayd.log")"; e2e_summary; exit 1; }

e2e_register "$netctl" "$sock" floor1 "$(lab_mac floor1)" >/dev/null || fail "registering pc1"
lab_spawn internet socat -T 3 TCP-LISTEN:80,bind=203.0.113.100,reuseaddr,fork EXEC:/bin/true
lab_spawn dmz socat -T 3 TCP-LISTEN:80,bind=172.20.0.10,reuseaddr,fork EXEC:/bin/true
lab_spawn server socat -T 3 TCP-LISTEN:443,bind=10.1.0.10,reuseaddr,fork EXEC:/bin/true
sleep 0.3
conn() { ip netns exec "$(lab_ns "$1")" timeout 4 socat -T 2 - "TCP:$2:$3,connect-timeout=2$4" </dev/null >/dev/null 2>&1; }
sport=$((40000 + $$ % 20000))
conn dmz 203.0.113.100 80 ",bind=172.20.0.80:$sport" || fail "proxy -> internet:80 did not connect"
# The translation as the gateway's conntrack table has it (the entry lives 2 min).
ct=$(ip netns exec "$gw" conntrack -L -p tcp --orig-src 172.20.0.80 --orig-port-src "$sport" 2>/dev/null)
conn internet 203.0.113.10 80 "" || fail "internet -> published www did not connect"
cport=$(ip netns exec "$gw" conntrack -L -p tcp --orig-dst 203.0.113.10 2>/dev/null |
	sed -n 's/.* sport=\([0-9]*\) dport=80 .*/\1/p' | head -n1)
conn floor1 10.1.0.10 443 "" || fail "floor1 -> app:443 did not connect"

file=$logs/fw-$(date -u +%Y-%m-%d).jsonl
have_all() {
	grep -F '"source.nat.ip"' "$file" >/dev/null 2>&1 &&
		grep -F '"destination.nat.ip"' "$file" >/dev/null 2>&1 &&
		grep -F 'floor1>server:intranet@app' "$file" >/dev/null 2>&1
}
for _ in $(seq 50); do have_all && break; sleep 0.1; done
have_all && pass "records with source.nat and destination.nat fields were written" ||
	fail "no NAT records in $file: $(cat "$file" 2>/dev/null) $(tail -n3 "$tmp/gatewayd.log")"

# The conntrack reply tuple: "src=203.0.113.100 dst=203.0.113.2 sport=80 dport=N".
snat=$(sed -n 's/.*src=203\.0\.113\.100 dst=\([0-9.]*\) sport=80 dport=\([0-9]*\).*/\1 \2/p' <<<"$ct" | head -n1)
[ -n "$snat" ] && pass "the gateway's conntrack table shows the SNAT: $snat" || fail "conntrack: $ct"
python3 - "$file" "$sport" "$snat" "${cport:-0}" >"$tmp/check" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
sport, (nip, nport), cport = int(sys.argv[2]), (sys.argv[3].split() + ["", "0"])[:2], int(sys.argv[4])
def one(pred, what):
    m = [r for r in recs if pred(r)]
    if len(m) != 1:
        print(f"FAIL: {len(m)} records of {what}")
        return None
    return m[0]
def check(r, what, want, absent):
    bad = [f"{k}: want {v!r}, got {r.get(k)!r}" for k, v in want.items() if r.get(k) != v]
    bad += [f"{k} should be absent, is {r[k]!r}" for k in absent if k in r]
    print(("FAIL: " + what + ": " + "; ".join(bad)) if bad else
          f"PASS: {what}: " + ", ".join(f"{k}={r[k]}" for k in want))
r = one(lambda r: r.get("source.port") == sport and r.get("source.ip") == "172.20.0.80", "the proxy's connection")
if r:
    check(r, "SNAT record (NAT-5)", {"event.action": "permitted", "zone.from": "dmz", "zone.to": "internet",
          "source.ip": "172.20.0.80", "source.port": sport, "source.nat.ip": nip,
          "source.nat.port": int(nport), "destination.ip": "203.0.113.100", "destination.port": 80},
          ["destination.nat.ip", "destination.nat.port"])
    if nip != "203.0.113.2":
        print(f"FAIL: the SNAT address is {nip!r}, not nat.address 203.0.113.2")
    else:
        print("PASS: the SNAT address is nat.address 203.0.113.2 (NAT-1)")
r = one(lambda r: r.get("rule.id") == "internet>dmz:http@www", "the published web access")
if r:
    check(r, "DNAT record (NAT-5, ECS)", {"source.ip": "203.0.113.100", "source.port": cport,
          "destination.ip": "203.0.113.10", "destination.port": 80,
          "destination.nat.ip": "172.20.0.10", "destination.nat.port": 80},
          ["source.nat.ip", "source.nat.port"])
r = one(lambda r: r.get("rule.id") == "floor1>server:intranet@app", "floor1 -> app")
if r:
    check(r, "un-NAT'd record", {"source.ip": "10.11.0.100", "destination.ip": "10.1.0.10"},
          ["source.nat.ip", "source.nat.port", "destination.nat.ip", "destination.nat.port"])
PY
while IFS= read -r l; do
	case $l in
	PASS:*) pass "${l#PASS: }" ;;
	*) fail "${l#FAIL: }" ;;
	esac
done <"$tmp/check"

# netctl log host and --dst find a published server by its internal and its public address.
out=$("$netctl" log host 172.20.0.10 --dir "$logs" --since 5m)
grep -F 'internet>dmz:http@www' >/dev/null <<<"$out" &&
	pass "netctl log host <internal server> finds the DNAT record" || fail "log host 172.20.0.10: $out"
out=$("$netctl" log --dir "$logs" --since 5m --dst 203.0.113.10)
grep -F 'dnat from 203.0.113.10:80' >/dev/null <<<"$out" &&
	pass "netctl log --dst <public address> finds it too, shown with its translation" ||
	fail "log --dst 203.0.113.10: $out"
out=$("$netctl" log --dir "$logs" --since 5m --src "${snat% *}" --port 80)
grep -F "snat ${snat% *}:${snat#* }" >/dev/null <<<"$out" &&
	pass "netctl log --src <global address> finds the SNAT record" || fail "log --src ${snat% *}: $out"

st=$("$netctl" status -S "$sock" --json | python3 -c '
import json,sys; n=json.load(sys.stdin)["logging"]["nat"]
print(n["events"], n["joined"] >= 2, n["held"], n["expired"], n["overflow"])')
case $st in "True True "*) true ;; *) false ;; esac && pass "netctl status --json logging.nat: events, joined, held, expired, overflow = $st" ||
	fail "logging.nat: $st: $("$netctl" status -S "$sock" --json | python3 -c "import json,sys; print(json.load(sys.stdin)[\"logging\"][\"nat\"])")"
# The kernel filters the events: of every connection above, only the two
# translated ones' events were read (floor1 -> app, untranslated, was not).
st=$("$netctl" status -S "$sock" --json | python3 -c '
import json,sys; n=json.load(sys.stdin)["logging"]["nat"]
print(n["event_filter"], n["events_read"], n["translations"])')
read -r filt nread ntrans <<<"$st"
if [[ $filt == True ]] && ((ntrans >= 2 && nread == ntrans)); then
	pass "NAT-5: the event filter passed only translated connections ($nread events read, $ntrans translations)"
else
	fail "event filter $filt: $nread events read, $ntrans translations"
fi

e2e_summary

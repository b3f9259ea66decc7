#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The LAN registry's watch duties end to end, on the lab of scripts/lab with
# gatewayd running the example config:
#
# - LANREQ-47: an LLDP announcement and an STP BPDU sent from the floor1
#   namespace (a switch nobody registered) are sightings of kind
#   'equipment', listed by 'device unknown' and logged once a minute; the
#   equipment of registry.known_equipment is listed by 'seen' only.
# - LANREQ-33: a registered device in floor1 talks to fs:445; when its
#   period is moved to end soon (gatewayd stopped, SQLite edited), its expiry
#   notice and 'device show' list fs and smb from the firewall log.
# - C-8: once ended, its end moved six years back, the next start anonymises
#   it: no name, no history but one 'retention purge' event, no notices; old
#   sightings go; a second start purges nothing more.
#
# Usage: BUILD=build tests/e2e/registry_watch.sh   (root; python3, sqlite3)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
[[ $build == /* ]] || build=$top/$build
gatewayd=$build/gatewayd
netctl=${NETCTL:-$build/netctl}

# shellcheck source-path=SCRIPTDIR source=../../scripts/lab
. "$top/scripts/lab"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$top/tests/e2e/lib.sh"
e2e_lab_start gwrw socat setpriv sqlite3 python3

sock=$tmp/control
state=$tmp/state
mail=$tmp/mail
cp -r "$top/conf" "$top/zones" "$tmp/"
conf=$tmp/conf/gatewayd.conf
reg_mta || exit 1
e2e_people "$conf"
known=02:00:00:ee:00:02
rogue=02:00:00:ee:00:01
sed -i "s|notify_command = .*|notify_command = \"$tmp/mta\";\n\tknown_equipment = [ \"$known\" ];|" "$conf"
grep -q "known_equipment" "$conf" || { echo "FAIL: could not adapt the config"; exit 1; }

gw=$(lab_ns gw)

if ! lab_up; then
	fail "scripts/lab could not build the topology"
	exit 1
fi
e2e_init "$tmp"
e2e_listen server tcp 445 && e2e_wait_listening 10 ||
	{ fail "listener did not start: $(tail -n3 "$tmp/listen.err")"; exit 1; }
start_gatewayd || { fail "gatewayd did not start: $(tail -n5 "$tmp/gatewayd.log")"; exit 1; }
wait_for 10 grep -q "watching ARP, DHCP and network equipment on" "$tmp/gatewayd.log" ||
	fail "the observer did not start: $(grep observer "$tmp/gatewayd.log")"

# ---- LANREQ-47: network equipment on floor1 -----------------------------------
# send_frame MAC KIND [NAME]: writes one frame of KIND (lldp NAME, stp) whole to
# floor1's eth0 with a packet socket; the bytes are built here (frame.h).
send_frame()
{
	ip netns exec "$(lab_ns floor1)" timeout 10 python3 - "$@" <<-'EOF'
	import socket, struct, sys
	mac = bytes.fromhex(sys.argv[1].replace(":", ""))
	kind = sys.argv[2]
	def tlv(t, v): return struct.pack(">H", t << 9 | len(v)) + v
	if kind == "lldp":
	    body = (tlv(1, b"\x04" + mac) + tlv(2, b"\x05ge-0/0/3") + tlv(3, b"\x00\x78") +
	            tlv(5, sys.argv[3].encode()) + tlv(8, bytes([5, 1, 10, 11, 0, 250, 2, 0, 0, 0, 1, 0])) +
	            tlv(0, b""))
	    frame = bytes.fromhex("0180c200000e") + mac + b"\x88\xcc" + body
	else:
	    bpdu = (b"\x42\x42\x03" + bytes([0, 0, 2, 2, 0x3c]) + bytes([0x80, 0]) + mac + bytes(4) +
	            bytes([0x80, 0]) + mac + bytes([0x80, 1, 0, 0, 20, 0, 2, 0, 15, 0, 0]))
	    frame = bytes.fromhex("0180c2000000") + mac + struct.pack(">H", len(bpdu)) + bpdu
	frame += bytes(max(0, 60 - len(frame)))
	s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
	s.bind(("eth0", 0))
	s.send(frame)
	EOF
}
send_frame "$rogue" lldp rogue-sw-3f || fail "could not send the LLDP frame"
send_frame "$rogue" lldp rogue-sw-3f
send_frame "$known" lldp known-sw || fail "could not send the known LLDP frame"
send_frame 02:00:00:ee:00:03 stp || fail "could not send the BPDU"
unknown_has() { dev unknown >"$tmp/unknown" && grep -q "mac=$1 .*kind=equipment" "$tmp/unknown"; }
if wait_for 10 unknown_has "$rogue" && wait_for 5 unknown_has 02:00:00:ee:00:03; then
	row=$(grep "mac=$rogue " "$tmp/unknown")
	grep -q "ip=10.11.0.250  iface=flr1  kind=equipment .*detail=lldp $rogue ip 10.11.0.250 id '$rogue' name 'rogue-sw-3f'  zone=floor1  verdict=unknown network equipment" <<<"$row" &&
		pass "LANREQ-47: the LLDP switch is listed by 'device unknown': $row" ||
		fail "LLDP row: $row"
	row=$(grep "mac=02:00:00:ee:00:03 " "$tmp/unknown")
	grep -q "detail=stp 02:00:00:ee:00:03 bpdu rst id '8000.02:00:00:ee:00:03'.*verdict=unknown network equipment" <<<"$row" &&
		pass "LANREQ-47: the STP bridge is listed: $row" || fail "STP row: $row"
else
	fail "no equipment in 'device unknown': $(cat "$tmp/unknown")"
fi
grep -q "mac=$known " "$tmp/unknown" && fail "known equipment listed as unknown" ||
	pass "LANREQ-47: registry.known_equipment is not in 'device unknown'"
dev seen >"$tmp/seen"
grep -q "mac=$known .*name 'known-sw'.*verdict=known equipment" "$tmp/seen" &&
	pass "'device seen' lists it as known equipment" || fail "seen: $(cat "$tmp/seen")"
n=$(grep -c "registry: unknown network equipment on flr1: $rogue (lldp .*name 'rogue-sw-3f'; LANREQ-47)" "$tmp/gatewayd.log")
[[ $n == 1 ]] && pass "LANREQ-47: the LLDP switch is logged once for two frames" ||
	fail "log lines for the LLDP switch: $n: $(grep equipment "$tmp/gatewayd.log")"
grep -q "unknown network equipment on flr1: $known" "$tmp/gatewayd.log" &&
	fail "the known equipment was logged" || pass "the known equipment is not logged"
grep -q "unknown network equipment on flr1: 02:00:00:ee:00:03 (stp" "$tmp/gatewayd.log" &&
	pass "the STP bridge is logged" || fail "no log line for the BPDU"

# ---- LANREQ-33: the peers of an expiring device ----------------------------------
pc1=$(lab_addr pc1) fs=$(lab_addr fs)
out=$(e2e_register "$netctl" "$sock" floor1 "$(lab_mac floor1)" 2>&1) && grep -q "approved: .* $pc1" <<<"$out" &&
	pass "a device of floor1 is registered at $pc1" || fail "registration: $out"
ok=0
for i in 1 2 3; do
	e2e_send "$(lab_ns floor1)" "$pc1" "$fs" tcp 445 "rw$$-$i" "$tmp/p$i" >/dev/null 2>&1 && ok=$((ok + 1))
done
[[ $ok == 3 ]] && pass "it made 3 connections to fs:445" || fail "only $ok of 3 connections passed"
logged() { (($(cat "$tmp"/log/fw-*.jsonl 2>/dev/null | grep -c "\"$pc1\".*\"$fs\"\|\"$fs\".*\"$pc1\"") >= 3)); }
wait_for 10 logged || fail "the firewall log has no records of $pc1 -> $fs"
stop_gatewayd
sqlite3 "$state/registry.db" "UPDATE devices SET doc = json_set(doc, '\$.\"usage.valid_until\"', '$(date -u -d '+3 days' +%F)') WHERE id = 1;" ||
	fail "editing the registry"
start_gatewayd || fail "restart: $(tail -n5 "$tmp/gatewayd.log")"
expiry_mail() { grep -lq "Subject: LAN connection 1 ends on" "$mail"/*.msg; }
if wait_for 10 expiry_mail; then
	m=$(grep -l "Subject: LAN connection 1 ends on" "$mail"/*.msg | head -n1)
	if grep -q "^Hosts and services it talked to (LANREQ-33), from the firewall log of the last 30 days:" "$m" &&
		grep -qE "^  to   $fs \(fs\) +tcp/445 \(smb\) +[3-9] connections, 0 denied" "$m" &&
		sed -n '/^Hosts and services/,$p' "$m" | grep -q "^-- $"; then
		pass "LANREQ-33: the expiry notice lists fs and smb: $(grep "tcp/445" "$m")"
	else
		fail "expiry notice: $(cat "$m")"
	fi
else
	fail "no expiry notice: $(dev notices)"
fi
dev show 1 >"$tmp/show"
grep -qE "^  to   $fs \(fs\) +tcp/445 \(smb\)" "$tmp/show" &&
	pass "LANREQ-33: 'device show' lists the peers too" || fail "show: $(tail -n8 "$tmp/show")"

# ---- C-8: retention ----------------------------------------------------------------
out=$(dev end 1 --reason "desk removed" 2>&1) || fail "end: $out"
stop_gatewayd
six=$(date -u -d '-6 years' +%FT%TZ)
sqlite3 "$state/registry.db" "UPDATE devices SET doc = json_set(doc, '\$.ended_at', '$six') WHERE id = 1;
	UPDATE sightings SET last_seen = last_seen - 6 * 366 * 86400 WHERE mac = '$rogue';" ||
	fail "editing the registry"
start_gatewayd || fail "restart: $(tail -n5 "$tmp/gatewayd.log")"
dev show 1 >"$tmp/show"
q() { sqlite3 "$state/registry.db" "$1"; }
if ! grep -q "Test User\|test@example\|$(lab_mac floor1)\|$pc1" "$tmp/show" && grep -q "purged_at" "$tmp/show" &&
	[[ $(q "SELECT group_concat(action) FROM events WHERE subject = 'device:1'") == "retention purge" ]] &&
	[[ $(q "SELECT count(*) FROM notices WHERE device_id = 1") == 0 ]] &&
	[[ $(q "SELECT count(*) FROM devices WHERE id = 1 AND user_name IS NULL AND mac IS NULL") == 1 ]]; then
	pass "C-8: registration 1 is anonymised, its history and notices gone, one purge event kept"
else
	fail "after the retention: $(cat "$tmp/show"); events: $(q "SELECT action FROM events WHERE subject = 'device:1'")"
fi
grep -q "registry: retention (1827d): 1 registrations anonymised, 1 sightings removed (C-8)" "$tmp/gatewayd.log" &&
	pass "C-8: the purge is logged" || fail "no purge log line: $(grep retention "$tmp/gatewayd.log")"
[[ $(q "SELECT count(*) FROM sightings WHERE mac = '$rogue'") == 0 ]] &&
	[[ $(q "SELECT reason FROM events WHERE subject = 'sightings'") == "1 sightings last seen before registry.retention (1827d) removed (C-8)" ]] &&
	pass "C-8: the old sighting is removed and the removal recorded" || fail "sightings: $(q "SELECT * FROM sightings")"
stop_gatewayd
start_gatewayd || fail "second restart"
[[ $(q "SELECT count(*) FROM events WHERE action = 'retention purge'") == 2 ]] &&
	pass "C-8: a second start purges nothing more; the purge events survive" ||
	fail "purge events: $(q "SELECT subject, action FROM events WHERE action = 'retention purge'")"

stop_gatewayd
grep -q "AddressSanitizer\|LeakSanitizer\|runtime error" "$tmp/gatewayd.log" &&
	fail "sanitizer reports in the log: $(grep -m3 "Sanitizer\|runtime error" "$tmp/gatewayd.log")"
e2e_summary

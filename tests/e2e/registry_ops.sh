#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The LAN registry's other duties end to end, on the lab of scripts/lab with
# gatewayd running the example config:
#
# - INC-1, INC-2, C-32: a host without a registration (osaka-pc, in the
#   branch zone, which is not in registered mode and may reach fs:445) is
#   quarantined by its address: its live TCP stream stops, no conntrack
#   entry is left, new connections are dropped; the quarantine is listed,
#   kept by a reload, and lifted only by a netadmin who records who
#   instructed it; then traffic passes again.
# - LANREQ-31: the half-yearly department check is listed with its next due
#   date and recorded; an overdue check (the database moved a year back
#   while gatewayd is stopped) is notified once.
# - LANREQ-23, C-2: 'export --format kea' gives Kea DHCPv4 reservations of
#   the approved registrations, valid JSON that kea-dhcp4 -t accepts.
#
# Usage: BUILD=build tests/e2e/registry_ops.sh   (root)
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
streampid=
e2e_cleanup_extra() { [[ -n $streampid ]] && kill "$streampid" 2>/dev/null; }
e2e_lab_start gwro socat nc conntrack setpriv jq sqlite3 kea-dhcp4

sock=$tmp/control
state=$tmp/state
mail=$tmp/mail
cp -r "$top/conf" "$top/zones" "$tmp/"
conf=$tmp/conf/gatewayd.conf
reg_mta || exit 1
sed -i 's|^daemon = {|daemon = {\n\tsocket_group = "nogroup";|' "$conf"
sed -i -e 's|user = "sato"; |user = "daemon";|' -e 's|user = "kimura"; |user = "bin";|' \
	-e 's|{ user = "audit";   name = "Internal audit";         roles = \[ "auditor" \]; }|{ user = "nobody"; name = "Internal audit"; roles = [ "auditor" ]; },\n\t{ user = "sys"; name = "Night operator"; roles = [ "operator" ]; }|' \
	-e "s|notify_command = .*|notify_command = \"$tmp/mta\";\n\tdepartment_check_to = \"netadmins@example.co.jp\";|" "$conf"
grep -q 'user = "sys"' "$conf" && grep -q "department_check_to" "$conf" ||
	{ echo "FAIL: could not adapt the config"; exit 1; }


gw=$(lab_ns gw)

if ! lab_up; then
	fail "scripts/lab could not build the topology"
	exit 1
fi
e2e_init "$tmp"
e2e_listen server tcp 445 && e2e_wait_listening 10 ||
	{ fail "listener did not start: $(tail -n3 "$tmp/listen.err")"; exit 1; }
start_gatewayd || { fail "gatewayd did not start: $(tail -n5 "$tmp/gatewayd.log")"; exit 1; }

osaka=$(lab_addr osaka-pc) fs=$(lab_addr fs)
n=0
probe()	# probe ZONE SRC: did a TCP connection to fs:445 get its answer?
{
	n=$((n + 1))
	e2e_send "$(lab_ns "$1")" "$2" "$fs" tcp 445 "ro$$-$n" "$tmp/p$n" >/dev/null 2>&1
}

# ---- INC-1: a host without a registration, by its address ---------------------
probe branch-osaka "$osaka" && pass "osaka-pc (branch zone, no registration) reaches fs:445" ||
	fail "osaka-pc -> fs:445 does not pass before any quarantine"
ip netns exec "$(lab_ns branch-osaka)" timeout 60 sh -c "i=0; while [ \$i -lt 250 ]; do echo live$$-\$i; i=\$((i+1)); sleep 0.2; done" |
	ip netns exec "$(lab_ns branch-osaka)" timeout 60 nc -n -s "$osaka" "$fs" 445 >/dev/null 2>&1 &
streampid=$!
live() { grep -c " live$$-" "$e2e_rx"; }
live_ge() { (($(live) >= $1)); }
wait_for 10 live_ge 5 && pass "a live TCP stream osaka-pc -> fs:445 is flowing ($(live) lines)" ||
	fail "the live stream did not start"
refused "INC-1: the help desk quarantining" "needs the role netadmin or operator" dev_as daemon quarantine "$osaka" --reason x
refused "LANREQ-42: a quarantine without a reason" "records why" dev_as sys quarantine "$osaka"
out=$(dev_as sys quarantine "$osaka" --reason "suspected malware: scanning" 2>&1) &&
	grep -q "address $osaka (no registration): quarantined" <<<"$out" &&
	pass "INC-1: the operator quarantined $osaka, which has no registration: $out" || fail "quarantine: $out"
sleep 1
l1=$(live)
sleep 2
l2=$(live)
[[ $l1 == "$l2" ]] && pass "INC-1: the live stream stopped at once ($l1 lines, none after)" ||
	fail "the stream went on after the quarantine: $l1 -> $l2"
ip netns exec "$gw" conntrack -L -s "$osaka" >"$tmp/ct" 2>/dev/null
ip netns exec "$gw" conntrack -L -d "$osaka" >>"$tmp/ct" 2>/dev/null
[[ ! -s $tmp/ct ]] && pass "INC-1: no conntrack entry of $osaka is left" || fail "conntrack entries left: $(cat "$tmp/ct")"
probe branch-osaka "$osaka" && fail "osaka-pc reached fs while quarantined" ||
	pass "INC-1: new connections from osaka-pc are dropped"
refused "a second quarantine of the same address" "quarantined already" dev quarantine "$osaka" --reason again
dev_as nobody quarantined >"$tmp/q" 2>&1
grep -q "kind=ip  value=$osaka  reason=suspected malware: scanning  quarantined_by=Night operator" "$tmp/q" &&
	pass "INC-1: the auditor lists it: $(head -n1 "$tmp/q")" || fail "quarantined: $(cat "$tmp/q")"
"$netctl" reload -S "$sock" >/dev/null || fail "reload"
ip netns exec "$gw" nft list set inet gatewayd quarantine4 | grep -q "$osaka" &&
	pass "INC-1: a reload keeps $osaka in quarantine4 (filled from the registry)" ||
	fail "quarantine4 after reload: $(ip netns exec "$gw" nft list set inet gatewayd quarantine4)"
probe branch-osaka "$osaka" && fail "osaka-pc reached fs after the reload" || pass "still cut off after the reload"
refused "C-32: the operator releasing" "needs the role netadmin" dev_as sys release "$osaka" --instructed-by x
refused "INC-2: a release without who instructed it" "INC-2" dev release "$osaka"
refused "a release of an address in no quarantine" "neither a live registration nor a quarantine" dev release 10.30.0.99 --instructed-by x
out=$(dev release "$osaka" --instructed-by "ISMS manager Ito" 2>&1) && grep -q "released" <<<"$out" &&
	probe branch-osaka "$osaka" && pass "INC-2: released on the ISMS manager's instruction; osaka-pc reaches fs again" ||
	fail "release: $out"
dev quarantined --all >"$tmp/q"
grep -q "value=$osaka .*released_by=Gateway console (root)  instructed_by=ISMS manager Ito" "$tmp/q" &&
	[[ $(dev quarantined) == "nothing to list" ]] &&
	pass "LANREQ-21: the released quarantine stays listed with --all, with who instructed it" ||
	fail "quarantined --all: $(cat "$tmp/q")"

# ---- LANREQ-31: the half-yearly department check -------------------------------
today=$(date -u +%F)
request() # request MAC ZONE NAME MODE
{
	cat >"$tmp/req" <<-EOF
	user.name = Ichiro Tanaka
	user.department = Sales
	user.contact = tanaka@example.co.jp
	purpose = sales reporting
	usage.location_requested = HQ desk
	usage.services = smb, intranet
	usage.valid_from = $today
	usage.valid_until = $(date -u -d '+100 days' +%F)
	device.custodian = Ichiro Tanaka
	device.custodian_contact = tanaka@example.co.jp
	device.mac = $1
	device.name = $3
	device.addr_mode = $4
	device.dns = yes
	device.directory = none
	device.os = Windows 11 23H2
	device.software = Office 2021
	device.security = Defender
	device.class = pc
	owner = company
	owner.asset_id = A-$3
	zone = $2
	EOF
	dev_as daemon request --file "$tmp/req" >/dev/null
}
request "$(lab_mac floor1)" floor1 PC-1 static && dev_as bin endorse 1 >/dev/null &&
	dev approve 1 --device.connection-point "SW-1F port 1" >/dev/null &&
	request 02:00:00:aa:bb:01 floor2 NB-2 dhcp && dev_as bin endorse 2 >/dev/null &&
	dev approve 2 --device.connection-point "SW-2F port 2" >/dev/null &&
	pass "two registrations of Sales approved (static floor1, DHCP floor2)" || fail "registrations: $(dev list)"
dev_as nobody check >"$tmp/check"
due=$(awk '$1 == "Sales" { print $5 }' "$tmp/check")
if grep -q "^Sales  *2  *-  *-  *20..-..-..T..:..:..Z  *ok$" "$tmp/check" &&
	(($(date -d "$due" +%s) - $(date +%s) > 90 * 86400)); then
	pass "LANREQ-31: 'check' lists Sales, never checked, next due $due (the end of the next full half-year)"
else
	fail "check: $(cat "$tmp/check")"
fi
refused "the operator recording a department check" "needs the role netadmin" dev_as sys check Sales --done --note x
refused "a department check without a note" "LANREQ-31" dev check Sales --done
refused "a check of a department without registrations" "no approved registration has user.department 'Finance'" dev check Finance --done --note x
out=$(dev check Sales --done --by "Jiro Kimura (head, sales)" --note "2 devices as registered" 2>&1) &&
	grep -q "^Sales  *2  *$today.*Jiro Kimura (head, sales)" <<<"$out" &&
	pass "LANREQ-31: the check of Sales recorded: $(tail -n1 <<<"$out")" || fail "check --done: $out"
# A year passes while gatewayd is stopped: the check and the approvals move back.
stop_gatewayd
sqlite3 "$state/registry.db" "UPDATE dept_checks SET at = at - 400 * 86400;
	UPDATE devices SET doc = json_set(doc, '$.approved_at', '2025-01-01T00:00:00Z');" ||
	fail "editing the registry"
start_gatewayd || fail "restart: $(tail -n5 "$tmp/gatewayd.log")"
overdue_mail() { grep -lq "Subject: LAN department check overdue: Sales" "$mail"/*.msg; }
if wait_for 10 overdue_mail; then
	m=$(grep -l "Subject: LAN department check overdue: Sales" "$mail"/*.msg | head -n1)
	grep -q "^To: netadmins@example.co.jp" "$m" && grep -q "registrations              2" "$m" &&
		pass "LANREQ-31: the overdue check was notified to registry.department_check_to" ||
		fail "overdue notice: $(cat "$m")"
else
	fail "no overdue notice: $(dev notices)"
fi
dev check >"$tmp/check"
grep -q "^Sales .*OVERDUE (notified)$" "$tmp/check" && pass "check shows: $(grep Sales "$tmp/check")" ||
	fail "check after a year: $(cat "$tmp/check")"
stop_gatewayd
start_gatewayd || fail "second restart"
sleep 2
[[ $(dev notices | grep -c "department-check") == 1 ]] &&
	pass "LANREQ-31: the overdue check is notified once, not at every start" ||
	fail "department notices: $(dev notices)"
out=$(dev check Sales --done --note "reviewed late" 2>&1) && grep -q "^Sales .* ok$" <<<"$out" &&
	pass "recording the check ends the overdue state" || fail "late check: $out"

# ---- LANREQ-23, C-2: the Kea DHCPv4 export --------------------------------------
dev export --format kea >"$tmp/kea.json" 2>&1
if jq -e --arg m1 "$(lab_mac floor1)" '
	length == 2 and
	(.[] | select(.subnet == "10.11.0.0/24") | .reservations ==
		[ { "hw-address": $m1, "ip-address": "10.11.0.100", "hostname": "f1-pc100" } ]) and
	(.[] | select(.subnet == "10.12.0.0/24") | .reservations ==
		[ { "hw-address": "02:00:00:aa:bb:01", "hostname": "NB-2" } ])' "$tmp/kea.json" >/dev/null; then
	pass "LANREQ-23: export --format kea gives one subnet per zone with its reservations"
else
	fail "kea export: $(cat "$tmp/kea.json")"
fi
dev export --format kea --zone floor2 >"$tmp/kea2.json"
jq -e 'length == 1 and .[0]["hw-address"] == "02:00:00:aa:bb:01"' "$tmp/kea2.json" >/dev/null &&
	pass "with --zone: the zone's reservations array" || fail "kea --zone: $(cat "$tmp/kea2.json")"
jq --slurpfile s "$tmp/kea.json" -n '{ Dhcp4: {
	"interfaces-config": { interfaces: [] },
	"lease-database": { type: "memfile", persist: false },
	subnet4: [ $s[0] | to_entries[] | .key as $k | .value as $v | ($v.subnet | sub("0/24$"; "")) as $p |
		$v + { id: ($k + 1), pools: [ { pool: ($p + "150 - " + $p + "199"), "client-class": "KNOWN" } ] } ] } }' \
	>"$tmp/kea-dhcp4.conf"
if out=$(kea-dhcp4 -t "$tmp/kea-dhcp4.conf" 2>&1); then
	pass "C-2: kea-dhcp4 -t accepts the export as subnets whose pools serve only known clients"
else
	fail "kea-dhcp4 -t: $(tail -n3 <<<"$out"); config: $(cat "$tmp/kea-dhcp4.conf")"
fi
dev quarantine 1 --reason test >/dev/null
[[ $(dev export --format kea | jq '[.[].reservations[]] | length') == 1 ]] &&
	pass "C-2: a quarantined device has no reservation" || fail "kea after quarantine: $(dev export --format kea)"

stop_gatewayd
grep -q "AddressSanitizer\|LeakSanitizer\|runtime error" "$tmp/gatewayd.log" &&
	fail "sanitizer reports in the log: $(grep -m3 "Sanitizer\|runtime error" "$tmp/gatewayd.log")"
e2e_summary

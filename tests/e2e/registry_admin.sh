#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The registry's administration records end to end, with gatewayd running
# the example config in the lab (scripts/lab; no traffic is sent) and these
# people:
#
#   root   -> network administrator (appointment approved)
#   mail   -> network administrator Yuko Mori (appointment approved)
#   daemon -> help desk       lp  -> head of Sales       sys -> operator (no approval)
#   games  -> ISMS manager    nobody -> auditor
#
# - ADM-7: 'device inventory' reports every management ID with its person,
#   roles, rights, since when and who approved it, and findings (an
#   operator appointed without approval, ADM-5; a person recorded as
#   departed who still holds an ID, ADM-6, C-15), with the SHA-256 of the
#   report; only the ISMS manager records an inventory, naming the report
#   in force (a report read before a change is refused); the record keeps
#   that report (its stored text hashes to the SHA-256) and is listed.
#   An overdue inventory (the record moved 400 days back while gatewayd is
#   stopped) is notified once to registry.inventory_to.
# - C-15: 'device persons' lists the statuses with who recorded them and
#   when; --history every status recorded, with what it did.
# - C-1: a config whose registry.second_approval names a role nobody holds
#   is refused at its line; the second approval refuses a person without
#   the role, naming it.
#
# Usage: BUILD=build tests/e2e/registry_admin.sh   (root)
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
e2e_lab_start gwra setpriv jq sqlite3 sha256sum

sock=$tmp/control
state=$tmp/state
mail=$tmp/mail
cp -r "$top/conf" "$top/zones" "$tmp/"
conf=$tmp/conf/gatewayd.conf
reg_mta || exit 1
cat >"$tmp/people" <<'EOF'
people = (
	{ user = "root"; name = "Gateway console (root)"; roles = [ "netadmin" ]; approved_by = "K. Ito (security manager)"; },
	{ user = "mail"; name = "Yuko Mori (IS dept)"; roles = [ "netadmin" ]; approved_by = "K. Ito (security manager)"; },
	{ user = "daemon"; name = "Hanako Sato (help desk)"; roles = [ "helpdesk" ]; },
	{ user = "lp"; name = "Jiro Kimura (head, sales)"; roles = [ "dept-head" ]; department = "Sales"; },
	{ user = "games"; name = "Emi Ito (ISMS manager)"; roles = [ "isms-manager" ]; },
	{ user = "sys"; name = "Night operator"; roles = [ "operator" ]; },
	{ user = "nobody"; name = "Internal audit"; roles = [ "auditor" ]; }
);
EOF
sed -i -e '/^people = (/,/^);/d' -e "/^registry = {/e cat $tmp/people" \
	-e 's|^daemon = {|daemon = {\n\tsocket_group = "nogroup";|' \
	-e "s|notify_command = .*|notify_command = \"$tmp/mta\";\n\tsecond_approval = \"isms-manager\";\n\tinventory_to = \"isms@example.co.jp\";|" "$conf"
grep -q 'user = "games"' "$conf" && grep -q 'inventory_to' "$conf" && ! grep -q 'tsuzuki' "$conf" ||
	{ echo "FAIL: could not adapt the config"; exit 1; }


gw=$(lab_ns gw)

if ! lab_up; then
	fail "scripts/lab could not build the topology"
	exit 1
fi
start_gatewayd || { fail "gatewayd did not start: $(tail -n5 "$tmp/gatewayd.log")"; exit 1; }
now=$(date +%s)

# ---- ADM-7: the report -----------------------------------------------------------
dev_as nobody inventory --json >"$tmp/inv0.json" 2>&1
sha0=$(jq -r .report_sha256 "$tmp/inv0.json")
if jq -e --argjson now "$now" '
	(.report.ids | length) == 7 and (.report.ids | map(.user)) ==
		["daemon", "games", "lp", "mail", "nobody", "root", "sys"] and
	(.report.ids[] | select(.user == "root") |
		.person == "Gateway console (root)" and .roles == ["netadmin"] and
		.approved_by == "K. Ito (security manager)" and (.since - $now | fabs) < 60 and
		(.rights | index("reload")) != null and (.rights | index("device approve")) != null and
		.findings == []) and
	(.report.ids[] | select(.user == "sys") | .rights | index("reload") == null) and
	(.report.ids[] | select(.user == "sys") | .findings[0] | test("ADM-5")) and
	(.report.ids[] | select(.user == "games") | .rights | index("device inventory --done (ADM-7)") != null) and
	.report.second_approval == "isms-manager" and .last == null and .overdue == false and
	(.due - $now - 365 * 86400 | fabs) < 120 and (.report_sha256 | test("^[0-9a-f]{64}$"))' \
	"$tmp/inv0.json" >/dev/null; then
	pass "ADM-7: the report lists the 7 IDs with person, roles, rights, since, approval and findings; due in a year"
else
	fail "inventory --json: $(cat "$tmp/inv0.json")"
fi
dev_as nobody inventory >"$tmp/inv0.txt" 2>&1
grep -q "^report sha256: $sha0$" "$tmp/inv0.txt" && grep -q "^last inventory: none recorded$" "$tmp/inv0.txt" &&
	grep -q "^sys  *Night operator  *operator  *20..-..-..T..:..:..Z -$" "$tmp/inv0.txt" &&
	grep -q "FINDING: the appointment records no approval" "$tmp/inv0.txt" &&
	pass "ADM-7: the text report: $(grep -c FINDING "$tmp/inv0.txt") finding(s), the operator's unapproved appointment among them" ||
	fail "inventory text: $(cat "$tmp/inv0.txt")"

# ---- C-15: the person statuses -----------------------------------------------------
ok "C-15: no status recorded yet" "no person status is recorded" dev_as nobody persons
dev person --name "Yuko Mori (IS dept)" --status transferred >/dev/null &&
	dev_as mail person --name "Yuko Mori (IS dept)" --status departed >/dev/null ||
	fail "recording the statuses"
ok "C-15: 'persons' lists the status now, with who recorded it" \
	"^Yuko Mori (IS dept)  *departed  *20..-..-..T..:..:..Z Yuko Mori (IS dept)$" dev_as nobody persons
dev_as sys persons --history >"$tmp/hist" 2>&1
if [[ $(grep -c "Yuko Mori" "$tmp/hist") == 2 ]] &&
	grep -q "^Yuko Mori (IS dept)  *transferred .*Gateway console (root)  (registrations ended: none; flagged: none)$" "$tmp/hist" &&
	[[ $(grep "Yuko Mori" "$tmp/hist" | tail -n1 | awk '{print $5}') == departed ]]; then
	pass "C-15: 'persons --history' lists both statuses in order, with who recorded each"
else
	fail "persons --history: $(cat "$tmp/hist")"
fi
dev persons --json --name "Yuko Mori (IS dept)" >"$tmp/p.json"
jq -e 'length == 1 and .[0].status == "departed" and .[0].recorded_by == "Yuko Mori (IS dept)" and (.[0].since | type) == "number"' \
	"$tmp/p.json" >/dev/null && pass "C-15: 'persons --json --name' gives the one row" || fail "persons --json: $(cat "$tmp/p.json")"
[[ $(dev persons --name "Nobody Known") == "no person status is recorded" ]] &&
	pass "C-15: --name filters" || fail "persons --name: $(dev persons --name "Nobody Known")"

# ---- ADM-7: recording an inventory ----------------------------------------------------
dev_as nobody inventory --json >"$tmp/inv1.json"
sha1=$(jq -r .report_sha256 "$tmp/inv1.json")
[[ $sha1 != "$sha0" ]] &&
	jq -e '.report.ids[] | select(.user == "mail") | .findings[0] | test("recorded as departed since .* remove it \\(ADM-6, C-15\\)")' \
		"$tmp/inv1.json" >/dev/null &&
	pass "ADM-6, C-15: the departed administrator's ID is a finding; the report's hash changed" ||
	fail "report after the departure: $sha0 -> $sha1: $(jq -c '.report.ids[] | select(.user == "mail")' "$tmp/inv1.json")"
refused "ADM-7: a netadmin recording the inventory of the netadmins' IDs" "needs the role isms-manager; Gateway console (root) does not hold it" \
	dev inventory --done --report "$sha1" --note x
refused "ADM-7: an inventory without findings" "records what was found" dev_as games inventory --done --report "$sha1"
refused "ADM-7: an inventory naming no report" "name the report the inventory covered" dev_as games inventory --done --note x
refused "ADM-7: an inventory of a report read before the departure" "the report's SHA-256 is now $sha1" \
	dev_as games inventory --done --report "$sha0" --note x
ok "ADM-7: the ISMS manager records the inventory" "inventory 1 recorded by Emi Ito (ISMS manager): 7 management IDs, report $sha1" \
	dev_as games inventory --done --report "${sha1:0:16}" --note "7 IDs reviewed; Mori's ID to be removed"
ok "ADM-7: 'inventory --history' lists it" "^1  *20..-..-..T.*Emi Ito (ISMS manager)  *7  *${sha1:0:12} 7 IDs reviewed; Mori's ID to be removed$" \
	dev_as nobody inventory --history
stored=$(sqlite3 "$state/registry.db" "SELECT report FROM inventories WHERE id = 1" | tr -d '\n' | sha256sum | cut -d' ' -f1)
[[ $stored == "$sha1" ]] && pass "ADM-7: the stored report is the one its SHA-256 names" ||
	fail "stored report hashes to $stored, recorded $sha1"
dev inventory --json >"$tmp/inv2.json"
jq -e --argjson now "$now" '.last.done_by == "Emi Ito (ISMS manager)" and .last.id == 1 and
	(.due - $now - 365 * 86400 | fabs) < 120 and .overdue == false' "$tmp/inv2.json" >/dev/null &&
	pass "ADM-7: the next inventory is due a year after this one" || fail "after the inventory: $(jq -c 'del(.report)' "$tmp/inv2.json")"

# ---- C-1: a second approver must exist, and must hold the role --------------------------
cp "$conf" "$tmp/conf.ok"
sed -i '/user = "games"/d' "$conf"
out=$("$netctl" reload -S "$sock" 2>&1)
rc=$?
line=$(grep -n 'second_approval' "$conf" | cut -d: -f1)
if [[ $rc -ne 0 ]] && grep -q "gatewayd.conf:$line: registry: second_approval 'isms-manager': no person in people holds the role isms-manager" <<<"$out"; then
	pass "C-1: a config without anyone holding the second approver's role is refused at line $line"
else
	fail "reload without an ISMS manager: exit $rc: $out"
fi
cp "$tmp/conf.ok" "$conf"
today=$(date -u +%F)
cat >"$tmp/req" <<EOF
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
device.mac = 02:00:00:ad:00:01
device.name = PC-1
device.addr_mode = static
device.dns = yes
device.directory = none
device.os = Windows 11 23H2
device.software = Office 2021
device.security = Defender
device.class = pc
owner = company
owner.asset_id = A-1
zone = floor1
EOF
dev_as daemon request --file "$tmp/req" >/dev/null && dev_as lp endorse 1 >/dev/null &&
	dev approve 1 --device.connection-point "SW-1F port 1" >/dev/null || fail "request 1: $(dev list)"
refused "C-1: the head of Sales as second approver" \
	"the second approval (C-1) needs the role isms-manager; Jiro Kimura (head, sales) does not hold it" dev_as lp approve 1
refused "C-1: the other netadmin as second approver" \
	"needs the role isms-manager; Yuko Mori (IS dept) does not hold it" dev_as mail approve 1
ok "C-1: the ISMS manager's second approval" "registration 1 approved" dev_as games approve 1

# ---- ADM-7: the overdue inventory ---------------------------------------------------------
# A year passes while gatewayd is stopped: the inventory moves back.
stop_gatewayd
sqlite3 "$state/registry.db" "UPDATE inventories SET at = at - 400 * 86400" || fail "editing the registry"
start_gatewayd || fail "restart: $(tail -n5 "$tmp/gatewayd.log")"
overdue_mail() { grep -lq "Subject: Inventory of management IDs overdue (ADM-7)" "$mail"/*.msg 2>/dev/null; }
if wait_for 10 overdue_mail; then
	m=$(grep -l "Subject: Inventory of management IDs overdue (ADM-7)" "$mail"/*.msg | head -n1)
	grep -q "^To: isms@example.co.jp" "$m" && grep -q "management IDs             7" "$m" &&
		grep -q "last inventory             $(date -u -d "@$(($(date +%s) - 400 * 86400))" +%Y-%m-)" "$m" &&
		pass "ADM-7: the overdue inventory was notified to registry.inventory_to" ||
		fail "overdue notice: $(cat "$m")"
else
	fail "no overdue notice: $(dev notices)"
fi
ok "ADM-7: the report shows the inventory overdue" "^next due: .*  OVERDUE (notified)$" dev inventory
stop_gatewayd
start_gatewayd || fail "second restart"
sleep 1
[[ $(dev notices | grep -c " inventory ") == 1 ]] &&
	pass "ADM-7: the overdue inventory is notified once, not at every start" ||
	fail "inventory notices: $(dev notices)"
sha2=$(dev inventory --json | jq -r .report_sha256)
ok "ADM-7: a new inventory ends the overdue state" "inventory 2 recorded" \
	dev_as games inventory --done --report "$sha2" --note "late, all IDs as approved"
out=$(dev inventory 2>&1)
grep -q "^next due: [^ ]*$" <<<"$out" && pass "ADM-7: no longer overdue: $(grep "^next due" <<<"$out")" ||
	fail "after the late inventory: $(head -n4 <<<"$out")"

stop_gatewayd
grep -q "AddressSanitizer\|LeakSanitizer\|runtime error" "$tmp/gatewayd.log" &&
	fail "sanitizer reports in the log: $(grep -m3 "Sanitizer\|runtime error" "$tmp/gatewayd.log")"
e2e_summary

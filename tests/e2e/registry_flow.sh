#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The LAN registry's approval flows end to end, with real packets in the lab
# (scripts/lab) and gatewayd running the example config with a second
# approver (registry.second_approval = "isms-manager") and departments:
#
#   daemon -> help desk              bin  -> head of Sales     lp   -> head of Engineering
#   games  -> ISMS manager           man  -> security officer, Sales
#   mail   -> security officer, Engineering                    sys  -> operator
#   root   -> network administrator
#
# - C-1: only the head of the user's department endorses; a netadmin's
#   approval leaves the request "second-approval" (address held, pc1 not
#   admitted, no notice) until the ISMS manager approves; the notice names
#   both approvers.
# - LANREQ-48: the operator holds pc1 (cut at once), the hold outlasts a
#   restart, only the Sales security officer clears it, recording who
#   checked and what was found; pc1 passes again.
# - LANREQ-34..36: the help desk files a change (new address, a field
#   removed); the registration and the kernel stay as approved until the
#   head endorses and both approvers approve; then pc1's old address is cut
#   and the new one admitted, and the change notice goes. A refused change
#   leaves the registration as it was and notifies the refusal.
# - A database of schema 5 (this one, its user_version set back) migrates to
#   the current schema (7) at start and keeps every registration.
#
# Usage: BUILD=build tests/e2e/registry_flow.sh   (root)
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
e2e_lab_start gwrf socat nc conntrack setpriv jq sqlite3

sock=$tmp/control
state=$tmp/state
mail=$tmp/mail
cp -r "$top/conf" "$top/zones" "$tmp/"
conf=$tmp/conf/gatewayd.conf
reg_mta || exit 1
sed -i 's|^daemon = {|daemon = {\n\tsocket_group = "nogroup";|' "$conf"
sed -i -e 's|user = "sato"; |user = "daemon";|' \
	-e 's|{ user = "kimura";  name = "Jiro Kimura (head, sales)"; roles = \[ "dept-head" \]; }|{ user = "bin"; name = "Jiro Kimura (head, sales)"; roles = [ "dept-head" ]; department = "Sales"; },\n\t{ user = "lp"; name = "Ken Ono (head, engineering)"; roles = [ "dept-head" ]; department = "Engineering"; },\n\t{ user = "games"; name = "Emi Ito (ISMS manager)"; roles = [ "isms-manager" ]; },\n\t{ user = "man"; name = "Aya Endo (security, sales)"; roles = [ "security-officer" ]; department = "Sales"; },\n\t{ user = "mail"; name = "Goro Abe (security, engineering)"; roles = [ "security-officer" ]; department = "Engineering"; },\n\t{ user = "sys"; name = "Night operator"; roles = [ "operator" ]; }|' \
	-e "s|notify_command = .*|notify_command = \"$tmp/mta\";\n\tsecond_approval = \"isms-manager\";|" "$conf"
grep -q 'user = "games"' "$conf" && grep -q 'second_approval' "$conf" && grep -q 'user = "daemon"' "$conf" ||
	{ echo "FAIL: could not adapt the config"; exit 1; }

mail_with() { grep -lq -- "$1" "$mail"/*.msg 2>/dev/null; }
jq_doc() { dev show 1 --json | jq -r "$1"; }

gw=$(lab_ns gw)

if ! lab_up; then
	fail "scripts/lab could not build the topology"
	exit 1
fi
e2e_init "$tmp"
e2e_listen server tcp 445 && e2e_wait_listening 10 ||
	{ fail "listener did not start: $(tail -n3 "$tmp/listen.err")"; exit 1; }
start_gatewayd || { fail "gatewayd did not start: $(tail -n5 "$tmp/gatewayd.log")"; exit 1; }

pc1=$(lab_addr pc1) fs=$(lab_addr fs)
n=0
probe()	# probe SRC: did a TCP connection from floor1's pc1 to fs:445 get its answer?
{
	n=$((n + 1))
	e2e_send "$(lab_ns floor1)" "$1" "$fs" tcp 445 "rf$$-$n" "$tmp/p$n" >/dev/null 2>&1
	e2e_answered tcp "$tmp/p$n" "rf$$-$n"
}
elements() { ip netns exec "$gw" nft list set inet gatewayd registered_devices; }

today=$(date -u +%F)
cat >"$tmp/req1" <<EOF
user.name = Ichiro Tanaka
user.department = Sales
user.contact = tanaka@example.co.jp
purpose = sales reporting
usage.location_requested = HQ 1F desk 12
usage.services = smb, intranet
usage.valid_from = $today
usage.valid_until = $(date -u -d '+100 days' +%F)
device.custodian = Ichiro Tanaka
device.custodian_contact = tanaka@example.co.jp
device.mac = $(lab_mac floor1)
device.name = SALES-PC-12
device.hw = ThinkPad T14 (docking station)
device.addr_mode = static
device.dns = yes
device.directory = "AD: CORP\\SALES-PC-12"
device.os = Windows 11 23H2
device.software = Office 2021
device.security = Defender, BitLocker
device.class = pc
owner = company
owner.asset_id = A-2026-0012
zone = floor1
EOF

# ---- C-1: the department's head, then two approvers ------------------------------
ok "the help desk filed request 1" "registration 1 filed" dev_as daemon request --file "$tmp/req1"
refused "C-1: the head of Engineering endorsing a Sales request" \
	"endorses for the department 'Engineering'; registration 1 is for 'Sales' (C-1)" dev_as lp endorse 1
ok "C-1: the head of Sales endorsed it" "endorsed by Jiro Kimura" dev_as bin endorse 1
ok "C-1: the netadmin's approval waits for the second approver" "not admitted until the second approval" \
	dev approve 1 --device.connection-point "SW-1F-3 port 12"
[[ $(jq_doc .registration.state) == second-approval && $(jq_doc '.registration."device.ip"') == "$pc1" ]] &&
	pass "C-1: registration 1 is second-approval and holds $pc1" ||
	fail "state after the first approval: $(dev show 1 | head -n3)"
probe "$pc1" && fail "C-1: pc1 passed before the second approval" ||
	pass "C-1: pc1 -> fs:445 dropped while the second approval is pending"
ok "C-1: 'list --pending second-approval' shows it" "^1 .*second-approval" dev list --pending second-approval
refused "C-1: the same netadmin approving twice" "needs the role isms-manager" dev approve 1
refused "C-1: the head of Sales as second approver" "needs the role isms-manager" dev_as bin approve 1
mail_with "Subject: LAN connection 1 approved" && fail "C-1: an approval notice went before the second approval" ||
	pass "C-1: no approval notice before the second approval"
ok "C-1: the ISMS manager's approval admits pc1" "registration 1 approved" dev_as games approve 1
[[ $(jq_doc .registration.approved_by) == "Gateway console (root)" &&
	$(jq_doc .registration.second_approved_by) == "Emi Ito (ISMS manager)" ]] &&
	pass "C-1: both approvers are recorded" || fail "approvers: $(dev show 1 | grep approved)"
probe "$pc1" && pass "LANREQ-43: pc1 admitted at the second approval" ||
	fail "pc1 not admitted after the second approval: $(elements)"
wait_for 5 mail_with "approved by Gateway console (root) and Emi Ito (ISMS manager)" &&
	pass "C-24: the approval notice names both approvers" || fail "no approval notice naming both approvers"
ok "ADM-1: 'device people' lists the new roles" "Emi Ito (ISMS manager) .*isms-manager" dev people
ok "C-1: 'device people' lists a head's department" "Jiro Kimura (head, sales) .*department: Sales" dev people

# ---- LANREQ-48: held until the security officer clears it ---------------------
refused "LANREQ-48: the help desk holding" "needs the role netadmin or operator" \
	dev_as daemon hold 1 --reason "back from home"
refused "LANREQ-48: a hold without its reason" "LANREQ-48" dev_as sys hold 1
ok "LANREQ-48: the operator holds pc1 (back from a month at home)" "registration 1: held" \
	dev_as sys hold "$pc1" --reason "back from a month at home"
probe "$pc1" && fail "LANREQ-48: pc1 passed while held: $(elements)" ||
	pass "LANREQ-48: pc1 -> fs:445 dropped while held"
stop_gatewayd
start_gatewayd || { fail "gatewayd did not restart: $(tail -n5 "$tmp/gatewayd.log")"; exit 1; }
probe "$pc1" && fail "LANREQ-48: pc1 passed after a restart while held" ||
	pass "LANREQ-48: the hold outlasts a restart (the sets are rebuilt from the registry)"
refused "LANREQ-48: the netadmin clearing" "needs the role security-officer" \
	dev clear 1 --checked-by x --note x
refused "LANREQ-48: the Engineering security officer clearing a Sales device" "LANREQ-48" \
	dev_as mail clear 1 --checked-by "Goro Abe" --note clean
refused "LANREQ-48: a clearance without who checked" "--checked-by" dev_as man clear 1 --note clean
ok "LANREQ-48: the Sales security officer clears it" "registration 1: approved" \
	dev_as man clear 1 --checked-by "IT support Mori" --note "full scan, Defender 1.405: nothing found"
[[ $(jq_doc .registration.hold_checked_by) == "IT support Mori" &&
	$(jq_doc .registration.hold_cleared_by) == "Aya Endo (security, sales)" ]] &&
	pass "LANREQ-48: the clearance records who checked and who cleared" ||
	fail "clearance record: $(dev show 1 | grep hold_)"
dev show 1 | grep -q "clear .*by Aya Endo (security, sales): full scan" &&
	pass "LANREQ-21: the hold and its clearance are in the history" || fail "history: $(dev show 1 | tail -n 20)"
probe "$pc1" && pass "LANREQ-48: pc1 passes again once cleared" || fail "pc1 not admitted after the clearance: $(elements)"

# ---- LANREQ-34..36: a change is a request ---------------------------------------
chg=(--change.location "HQ 1F desk 12" --change.purpose "same" --change.reason "a fixed address for the label printer driver")
refused "LANREQ-34: a change without its reason" "LANREQ-34" \
	dev_as daemon change 1 --change.location x --change.purpose y --device.ip 10.11.0.150
refused "LANREQ-36: a change removing a required field" "not remove it" \
	dev_as daemon change 1 "${chg[@]}" --unset device.os
ok "LANREQ-36: the help desk filed a change (new address, hardware removed)" "change request filed" \
	dev_as daemon change 1 "${chg[@]}" --device.ip 10.11.0.150 --unset device.hw
dev show 1 >"$tmp/show1"
grep -q "^pending change (LANREQ-36):" "$tmp/show1" && grep -q "device.ip .*$pc1 -> 10.11.0.150" "$tmp/show1" &&
	grep -q "device.hw .*-> (removed)" "$tmp/show1" &&
	pass "LANREQ-36: 'device show' lists the pending change, value by value" ||
	fail "show with a pending change: $(cat "$tmp/show1")"
ok "LANREQ-36: 'list --pending change' shows it, waiting for the endorsement" \
	"change pending: endorsement" dev list --pending change
probe "$pc1" && pass "LANREQ-36: pc1 still admitted at its approved address while the change is pending" ||
	fail "pc1 cut by a change that is only filed"
refused "LANREQ-36: a second change while one is pending" "has a change pending" \
	dev_as daemon change 1 "${chg[@]}" --device.os "Windows 11 24H2"
refused "C-1: approving a change before the endorsement" "not endorsed" dev approve 1
refused "C-1: the head of Engineering endorsing the change" "C-1" dev_as lp endorse 1
ok "C-1: the head of Sales endorsed the change" "change of registration 1 endorsed" dev_as bin endorse 1
ok "C-1: the netadmin approved the change; it waits for the second approval" \
	"takes effect at the second approval" dev approve 1
probe "$pc1" && pass "C-1: still the approved address until the second approval" ||
	fail "pc1 cut before the change's second approval"
ok "LANREQ-36: the ISMS manager's approval puts the change in effect" "change approved, now in effect" \
	dev_as games approve 1
[[ $(jq_doc .registration.state) == changed && $(jq_doc '.registration."device.ip"') == 10.11.0.150 &&
	$(jq_doc '.registration."device.hw"') == null &&
	$(jq_doc '.registration.last_change.requested_by') == "Hanako Sato (help desk)" &&
	$(jq_doc '.registration.last_change.endorsed_by') == "Jiro Kimura (head, sales)" ]] &&
	pass "LANREQ-36: the values apply (address 10.11.0.150, hardware removed); filer, endorser, approvers recorded" ||
	fail "after the change: $(dev show 1 --json | jq -c '.registration | {state, "device.ip", "device.hw", last_change}')"
probe "$pc1" && fail "LANREQ-43: pc1 still passes from its old address after the change: $(elements)" ||
	pass "LANREQ-43: the kernel followed the change: pc1's old address is dropped"
elements | grep -q "10.11.0.150" && pass "LANREQ-36: the new pair is in registered_devices" ||
	fail "new address not admitted: $(elements)"
wait_for 5 mail_with "Subject: LAN connection 1 changed" &&
	pass "LANREQ-36: the change notice went like an approval's" || fail "no change notice"

# A refused change: the registration stays as it was; the applicant is told.
ok "the netadmin filed a change (registry.direct_change is off)" "change request filed" \
	dev change 1 "${chg[@]}" --device.os "Windows 11 24H2"
[[ $(jq_doc '.registration."device.os"') == "Windows 11 23H2" ]] &&
	pass "LANREQ-36: a netadmin's change is a request too when direct_change is off" ||
	fail "a netadmin's change applied at once"
refused "LANREQ-4: a refusal without its reason" "LANREQ-4" dev refuse 1
ok "LANREQ-36: the netadmin refused the change" "registration 1: changed" \
	dev refuse 1 --reason "24H2 is not yet approved for the sales image"
[[ $(jq_doc '.registration.pending_change') == null &&
	$(jq_doc '.registration.change_refused.refusal_reason') == "24H2 is not yet approved for the sales image" ]] &&
	pass "LANREQ-36: the refused change is kept as change_refused; nothing else changed" ||
	fail "after the refusal: $(dev show 1 --json | jq -c .registration.change_refused)"
wait_for 5 mail_with "Subject: LAN connection change request 1 refused" &&
	pass "C-24: the refusal of the change is notified" || fail "no notice of the refused change"

# ---- schema 5 -> 7 ---------------------------------------------------------------
stop_gatewayd
sqlite3 "$state/registry.db" "PRAGMA user_version = 5"
start_gatewayd || { fail "gatewayd did not start on a schema-5 database: $(tail -n5 "$tmp/gatewayd.log")"; exit 1; }
[[ $("$netctl" status --json -S "$sock" | jq .registry.schema) == 7 &&
	$(sqlite3 "$state/registry.db" "PRAGMA user_version") == 7 &&
	$(jq_doc .registration.state) == changed && $(jq_doc '.registration."device.ip"') == 10.11.0.150 ]] &&
	pass "a schema-5 database migrates to schema 7 at start and keeps its registrations" ||
	fail "migration: schema $("$netctl" status --json -S "$sock" | jq .registry.schema), $(dev show 1 | head -n1)"

stop_gatewayd
grep -q "AddressSanitizer\|LeakSanitizer\|runtime error" "$tmp/gatewayd.log" &&
	fail "sanitizer reports in the log: $(grep -m3 "Sanitizer\|runtime error" "$tmp/gatewayd.log")"
e2e_summary

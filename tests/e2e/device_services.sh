#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# LANREQ-44 end to end: a registration's approved services restrict the
# device (registry.enforce_services = true), in the lab (scripts/lab) with
# gatewayd running the example config:
#
#   floor1 (pc1 10.11.0.100) --flr1-- gateway --srv0-- server (app .10, fs .20, dns-int .53)
#
# floor1's policy permits intranet and erp to app, smb to fs, dns to dns-int.
# - pc1 approved with usage.services = intranet reaches app:443 (intranet),
#   is refused fs:445 (smb) and app:8443 (erp), which the zone permits; the
#   denial is counted by floor1:device-services and is in the firewall log
#   with that rule id (netctl log --rule); dns to dns-int (infrastructure,
#   SVC-2) and ping pass; the gateway's own DHCP relay is not restricted.
# - A change request adding smb: smb passes once the change is approved.
# - With enforce_services = false (a reload) pc1 reaches erp too: the zone
#   policy alone, as before LANREQ-44.
# - The end of the registration removes its elements.
#
# Usage: BUILD=build tests/e2e/device_services.sh   (root)
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
e2e_lab_start gwds socat nc conntrack setpriv

sock=$tmp/control
state=$tmp/state
cp -r "$top/conf" "$top/zones" "$tmp/"
conf=$tmp/conf/gatewayd.conf
e2e_people "$conf"
sed -i 's|^\(\tnotify_command = .*\)$|\1\n\tenforce_services = true;|' "$conf"
grep -q 'enforce_services = true' "$conf" && grep -q 'user = "daemon"' "$conf" ||
	{ echo "FAIL: could not adapt the config"; exit 1; }
gw=$(lab_ns gw)

# tcp_try HOST DST PORT TOKEN: one short connection from HOST; true when answered.
tcp_try()
{
	local out

	out=$(printf '%s\n' "$4" | timeout 8 ip netns exec "$(lab_ns "$1")" \
		nc -n -N -w 3 -s "$(lab_addr "$1")" "$2" "$3" 2>/dev/null)
	[[ $out == "ACK $4 "* ]]
}
# udp_try HOST DST PORT TOKEN: one datagram; true when the listener logged it.
udp_try()
{
	printf '%s\n' "$4" | timeout 4 ip netns exec "$(lab_ns "$1")" \
		nc -n -u -w 1 -s "$(lab_addr "$1")" "$2" "$3" >/dev/null 2>&1
	wait_for 3 grep -q -- " $4\$" "$e2e_rx"
}
ping_try() { timeout 5 ip netns exec "$(lab_ns "$1")" ping -n -c 1 -W 2 -I "$(lab_addr "$1")" "$2" >/dev/null 2>&1; }
# elems SET: the elements of SET, one a line.
elems()
{
	ip netns exec "$gw" nft list set inet gatewayd "$1" |
		sed -n '/elements = {/,/}/p' | tr -d '{}\t' | tr ',' '\n' | sed -e 's/elements = //' -e '/^ *$/d' |
		sed -e 's/^ *//' -e 's/ *$//'
}
# has_elem SET TEXT: SET holds an element TEXT (as nft prints it).
has_elem() { elems "$1" | grep -qxF -- "$2"; }
logged_denial() { "$netctl" log --dir "$tmp/log" --since 10m --rule floor1:device-services --json >"$tmp/log.json" 2>/dev/null; }

if ! lab_up >/dev/null; then
	fail "scripts/lab could not build the topology"
	exit 1
fi
pc1=$(lab_addr pc1) app=$(lab_addr app) fs=$(lab_addr fs) dns=$(lab_addr dns-int)
e2e_init "$tmp"
e2e_listen server tcp 443 445 8443 && e2e_listen server udp 53 && e2e_wait_listening 10 ||
	{ fail "listeners did not start: $(tail -n3 "$tmp/listen.err")"; exit 1; }
start_gatewayd || { fail "gatewayd did not start: $(tail -n5 "$tmp/gatewayd.log")"; exit 1; }

# ---- 1. restricted to intranet -----------------------------------------------
out=$(e2e_register "$netctl" "$sock" floor1 "$(lab_mac floor1)" 2>&1)
if grep -q "approved: .* $pc1" <<<"$out"; then
	pass "pc1 registered with usage.services = intranet: $(head -n1 <<<"$out")"
else
	fail "registration of pc1: $out"
	exit 1
fi
id=$(sed -n "s/^registration \([0-9]*\) approved.*/\1/p" <<<"$out")
[[ $id =~ ^[0-9]+$ ]] || { fail "no registration number in: $out"; exit 1; }
if has_elem restricted_devices4 "$pc1" && has_elem device_services4 "$pc1 . tcp . 443" &&
	has_elem device_services4 "$pc1 . tcp . 80" && [[ $(elems device_services4 | wc -l) -eq 2 ]]; then
	pass "LANREQ-44: the approval put pc1 in restricted_devices4 and intranet's ports in device_services4"
else
	fail "elements after approval: restricted=[$(elems restricted_devices4 | paste -sd,)] services=[$(elems device_services4 | paste -sd,)]"
fi
# A second restricted device (floor2's PC), whose elements must stay put
# while pc1's are changed and removed around them.
pc2=$(lab_addr pc2)
out2=$(e2e_register "$netctl" "$sock" floor2 "$(lab_mac floor2)" 2>&1)
if grep -q "approved: .* $pc2" <<<"$out2" && has_elem restricted_devices4 "$pc2" &&
	has_elem device_services4 "$pc2 . tcp . 443" && [[ $(elems device_services4 | wc -l) -eq 4 ]]; then
	pass "a second device, pc2 ($pc2), restricted to intranet too"
else
	fail "registration of pc2: $out2; services=[$(elems device_services4 | paste -sd,)]"
fi
tcp_try pc1 "$app" 443 ds-intranet && pass "pc1 reaches app:443 (intranet, approved)" ||
	fail "pc1 did not reach app:443 (intranet)"
before=$(rule_packets "$gw" forward floor1:device-services)
if ! tcp_try pc1 "$fs" 445 ds-smb-1 && [[ -z $(e2e_rx ds-smb-1) ]]; then
	pass "pc1 is refused fs:445 (smb: the zone permits it, the registration does not)"
else
	fail "pc1 reached fs:445 without smb in its services"
fi
! tcp_try pc1 "$app" 8443 ds-erp-1 && [[ -z $(e2e_rx ds-erp-1) ]] &&
	pass "pc1 is refused app:8443 (erp, not approved)" || fail "pc1 reached app:8443 (erp)"
after=$(rule_packets "$gw" forward floor1:device-services)
((after > before)) && pass "floor1:device-services counted the denials ($before -> $after packets)" ||
	fail "floor1:device-services counter $before -> $after"
if wait_for 10 logged_denial && grep -q "\"$fs\"" "$tmp/log.json" &&
	"$netctl" log --dir "$tmp/log" --since 10m --rule floor1:device-services >"$tmp/log.txt" 2>&1; then
	pass "the denial is in the firewall log with its rule id: $(grep -m1 "$fs" "$tmp/log.txt")"
else
	fail "no firewall log record of floor1:device-services for $fs: $(head -c 400 "$tmp/log.json" 2>/dev/null)"
fi
udp_try pc1 "$dns" 53 ds-dns && pass "SVC-2: pc1 reaches dns-int:53/udp (infrastructure, not in its services)" ||
	fail "pc1's DNS to dns-int was refused"
ping_try pc1 "$app" && pass "SVC-2: pc1 pings app (ping is infrastructure)" || fail "pc1 cannot ping app"

# ---- 2. a change adding smb ----------------------------------------------------
chg=(--change.location "lab floor1" --change.purpose "end-to-end test" --change.reason "needs the file server"
	--change.security-review "smb to fs only, as the zone permits")
if dev_as daemon change "$id" "${chg[@]}" --usage.services "intranet, smb" >"$tmp/chg" 2>&1 &&
	dev_as bin endorse "$id" >/dev/null 2>&1 && dev approve "$id" >"$tmp/chg.approve" 2>&1; then
	pass "a change adding smb was filed, endorsed and approved: $(head -n1 "$tmp/chg.approve")"
else
	fail "change adding smb: $(cat "$tmp/chg" "$tmp/chg.approve" 2>/dev/null)"
fi
has_elem device_services4 "$pc1 . tcp . 445" && pass "the change put $pc1 . tcp . 445 in device_services4" ||
	fail "device_services4 after the change: $(elems device_services4 | paste -sd,)"
tcp_try pc1 "$fs" 445 ds-smb-2 && pass "after the change pc1 reaches fs:445 (smb)" ||
	fail "pc1 still refused fs:445 after the change"
! tcp_try pc1 "$app" 8443 ds-erp-2 && pass "erp is still refused" || fail "pc1 reached erp after the change"
if has_elem device_services4 "$pc2 . tcp . 443" && has_elem device_services4 "$pc2 . tcp . 80" &&
	! has_elem device_services4 "$pc2 . tcp . 445" && [[ $(elems device_services4 | wc -l) -eq 5 ]]; then
	pass "pc1's change left pc2's elements as they were"
else
	fail "after pc1's change: services=[$(elems device_services4 | paste -sd,)]"
fi

# ---- 3. the switch off: the zone policy alone ----------------------------------
sed -i 's|enforce_services = true;|enforce_services = false;|' "$conf"
if "$netctl" reload -S "$sock" >"$tmp/reload" 2>&1 && [[ -z $(elems restricted_devices4) ]] &&
	[[ -z $(elems device_services4) ]]; then
	pass "enforce_services = false + reload: the per-device sets are empty"
else
	fail "reload without enforcement: $(cat "$tmp/reload"); restricted=[$(elems restricted_devices4 | paste -sd,)]"
fi
tcp_try pc1 "$app" 8443 ds-erp-3 && tcp_try pc1 "$fs" 445 ds-smb-3 &&
	pass "without enforcement pc1 reaches erp and smb (zone policy only)" ||
	fail "without enforcement pc1 did not reach erp and smb"
sed -i 's|enforce_services = false;|enforce_services = true;|' "$conf"
"$netctl" reload -S "$sock" >"$tmp/reload" 2>&1 && has_elem device_services4 "$pc1 . tcp . 445" &&
	! tcp_try pc1 "$app" 8443 ds-erp-4 &&
	pass "enforce_services = true + reload: the sets are rebuilt with the rules, erp refused again" ||
	fail "reload with enforcement: $(cat "$tmp/reload"); services=[$(elems device_services4 | paste -sd,)]"

# ---- 4. the end removes the elements -------------------------------------------
if dev end "$id" --reason "end-to-end test over" >"$tmp/end" 2>&1 &&
	[[ $(elems restricted_devices4) == "$pc2" ]] &&
	[[ $(elems device_services4 | sort | paste -sd,) == "$pc2 . tcp . 443,$pc2 . tcp . 80" ]] &&
	! elems registered_devices | grep -qF "$pc1"; then
	pass "the end removed pc1's admission and its per-device elements, pc2's stay"
else
	fail "after the end: $(cat "$tmp/end"); restricted=[$(elems restricted_devices4 | paste -sd,)] services=[$(elems device_services4 | paste -sd,)]"
fi
grep -q "registry: .*set elements changed" "$tmp/gatewayd.log" ||
	fail "gatewayd logged no small batch"

e2e_summary

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Admitting and cutting one device at once, without a reload (LANREQ-42,
# LANREQ-43, INC-1): gatewayd's edges setop (set elements in one small
# nftables transaction) and ctkill (one host's conntrack entries over
# ctnetlink), driven by setop_check, on the lab of scripts/lab with the
# example policy applied by gatewayd --oneshot.
#
#                              +--------------- gwac$$-gw ----------------+
#   gwac$$-floor1  pc1   eth0  |- flr1   table inet gatewayd              |
#   gwac$$-floor2  pc2   eth0  |- flr2     registered_devices,            |
#   gwac$$-floor3  pc3   eth0  |- flr3     quarantine4: setop_check       |
#   gwac$$-server  fs    eth0  |- srv0   conntrack: setop_check ctkill    |
#   gwac$$-dmz     ns    eth0  |- dmz0                                    |
#   gwac$$-internet      eth0  |- ext0   203.0.113.2 (SNAT), .53 -> ns    |
#                              +------------------------------------------+
#
#   pc1 10.11.0.100 --tcp/445, one line every 0.1 s--> fs 10.1.0.20   admitted, then cut
#   pc2 10.12.0.100 --tcp/445, one line every 0.1 s--> fs 10.1.0.20   admitted, never cut
#   pc3 10.13.0.100 --udp/123 x 10000--> ntp-int 10.1.0.123           fills conntrack (timing)
#   ext-host --udp/53--> 203.0.113.53 = ns 172.20.0.53 (DNAT); ntp 172.20.0.123
#   --udp/123--> ext-host (SNAT 203.0.113.2): entries found by their reply side only
#
# The cut is what gatewayd does: delete the admission element and add the
# quarantine element in one batch FIRST, then delete the conntrack entries
# (else TCP loose pickup re-creates them). The times setop and ctkill take
# are printed as TIME: lines, not asserted.
#
# Usage: BUILD=build-ct admit_cut.sh   (root)
# Ends with "N passed, N failed"; exit 0 when all passed.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
[[ $build == /* ]] || build=$top/$build
gatewayd=$build/gatewayd
check=$build/setop_check
conf=$top/conf/gatewayd.conf

if [[ $(id -u) -ne 0 ]]; then
	echo "SKIP: $0 needs root (network namespaces, nft, conntrack)" >&2
	exit 2
fi
for t in "$gatewayd" "$check" socat nc nft conntrack ss; do
	command -v "$t" >/dev/null ||
		{ echo "FAIL: $t not found (scripts/deps, scripts/build)" >&2; exit 1; }
done

# shellcheck source-path=SCRIPTDIR source=../../scripts/lab
. "$top/scripts/lab"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$top/tests/e2e/lib.sh"

tmp=$(mktemp -d) || exit 1
lab_init "gwac$$" || exit 1
cleanup()
{
	lab_down
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

gw=$(lab_ns gw)
in_gw() { timeout 20 ip netns exec "$gw" "$@"; }
# setop OP...: one batch on the compiled example config's sets; output in $tmp/setop.*
setop() { in_gw "$check" -c "$conf" "$@" >"$tmp/setop.out" 2>"$tmp/setop.err"; }
# tcp_try HOST DST PORT TOKEN: one short connection from HOST; true when answered.
tcp_try()
{
	local out

	out=$(printf '%s\n' "$4" | timeout 8 ip netns exec "$(lab_ns "$1")" \
		nc -n -N -w 3 -s "$(lab_addr "$1")" "$2" "$3" 2>/dev/null)
	[[ $out == "ACK $4 "* ]]
}
# ct_entries ADDR: conntrack entries of the gateway naming ADDR anywhere.
ct_entries() { in_gw conntrack -L 2>/dev/null | grep -cFw -- "$1"; }
# rx_lines PREFIX: lines fs received whose token starts with PREFIX.
rx_lines() { grep -c -- " $1" "$e2e_rx"; }
# pairs: the elements of registered_devices, one a line.
pairs()
{
	in_gw nft list set inet gatewayd registered_devices |
		grep -oE '([0-9a-f]{2}:){5}[0-9a-f]{2} \. [0-9.]+'
}
show_time() { echo "TIME: $1: $(cat "$tmp/setop.out")"; }
# wait_for SECONDS CMD...: poll CMD until it succeeds, with a deadline.
wait_for()
{
	local deadline=$((SECONDS + $1))

	shift
	until "$@"; do
		((SECONDS >= deadline)) && return 1
		sleep 0.1
	done
}

lab_up >/dev/null || { fail "lab did not come up"; e2e_summary; exit 1; }
pc1=$(lab_addr pc1) pc2=$(lab_addr pc2) pc3=$(lab_addr pc3) fs=$(lab_addr fs)
mac1=$(lab_mac floor1) mac2=$(lab_mac floor2) mac3=$(lab_mac floor3)
if in_gw "$gatewayd" -c "$conf" --oneshot 2>"$tmp/apply.err"; then
	pass "gatewayd --oneshot applied the example policy in the gateway namespace"
else
	fail "gatewayd --oneshot: $(cat "$tmp/apply.err")"
	e2e_summary
	exit 1
fi
e2e_init "$tmp"
e2e_listen server tcp 445
e2e_wait_listening 10 || { fail "fs:445 is not listening"; e2e_summary; exit 1; }

# 1. Unregistered: dropped by the admission rule (LANREQ-43).
before=$(rule_packets "$gw" prerouting floor1:admission)
if ! tcp_try pc1 "$fs" 445 pc1-unregistered && [[ -z $(e2e_rx pc1-unregistered) ]] &&
	(($(rule_packets "$gw" prerouting floor1:admission) > before)); then
	pass "pc1 unregistered: fs:445 not reached, floor1:admission counted the drop"
else
	fail "pc1 unregistered reached fs:445 or floor1:admission did not count"
fi

# 2. Admitted at once: three devices in one batch, no reload.
if setop add registered_devices "$mac1 . $pc1" add registered_devices "$mac2 . $pc2" \
	add registered_devices "$mac3 . $pc3"; then
	show_time "setop admits 3 devices (1 batch)"
	if [[ $(pairs | wc -l) -eq 3 ]]; then
		pass "3 devices admitted in one batch: $(pairs | paste -sd,)"
	else
		fail "registered_devices holds '$(pairs | paste -sd,)'"
	fi
else
	fail "setop add: $(cat "$tmp/setop.err")"
fi
tcp_try pc1 "$fs" 445 pc1-admitted && pass "pc1 registered: fs:445 answers" ||
	fail "pc1 registered: fs:445 does not answer"
tcp_try pc2 "$fs" 445 pc2-admitted && pass "pc2 registered: fs:445 answers" ||
	fail "pc2 registered: fs:445 does not answer"

# 3. Adding a present element and deleting an absent one are no errors.
if setop add registered_devices "$mac1 . $pc1" add registered_devices "$mac1 . $pc1" &&
	[[ $(pairs | wc -l) -eq 3 ]]; then
	pass "adding a present element (twice in one batch) succeeds, the set is unchanged"
else
	fail "add of a present element: '$(cat "$tmp/setop.err")', set '$(pairs | paste -sd,)'"
fi
if setop del registered_devices "02:00:00:00:0b:99 . 10.11.0.99" del quarantine4 10.11.0.99 &&
	[[ $(pairs | wc -l) -eq 3 ]] &&
	! in_gw nft list set inet gatewayd quarantine4 | grep -q elements; then
	pass "deleting absent elements succeeds, nothing changes"
else
	fail "delete of absent elements: '$(cat "$tmp/setop.err")'"
fi

# 4. A refused batch changes nothing and names the element (tiny table beside ours).
in_gw "$check" --tiny apply 2>"$tmp/tiny.err" && in_gw nft delete set inet gwsetop pairs
in_gw "$check" --tiny add hosts 10.11.0.7 add pairs "$mac1 . $pc1" >/dev/null 2>"$tmp/tiny.err"
rc=$?
want="adding $mac1 . $pc1 to set 'pairs': No such file or directory; nothing was changed"
if [[ $rc -eq 1 ]] && grep -qF "$want" "$tmp/tiny.err" &&
	! in_gw nft list set inet gwsetop hosts | grep -q elements; then
	pass "a batch with one refused operation: nothing applied; '$(cat "$tmp/tiny.err")'"
else
	fail "refused batch: exit $rc, '$(cat "$tmp/tiny.err")'"
	in_gw nft list table inet gwsetop
fi
in_gw nft delete table inet gwsetop

# 5. Long-lived connections, and conntrack filled for a realistic timing.
for h in pc1 pc2; do
	lab_spawn "$(lab_zone_of "$h")" bash -c "for i in \$(seq 900); do echo $h-long-\$i;
		sleep 0.1; done | timeout 100 nc -n -s $(lab_addr "$h") $fs 445 >/dev/null 2>&1"
done
if wait_for 10 eval '(($(rx_lines pc1-long-) >= 5 && $(rx_lines pc2-long-) >= 5))'; then
	pass "long-lived connections pc1 and pc2 -> fs:445 carry data"
else
	fail "long-lived connections: pc1 $(rx_lines pc1-long-), pc2 $(rx_lines pc2-long-) lines"
fi
timeout 60 ip netns exec "$(lab_ns floor3)" bash -c \
	'for ((i = 0; i < 10000; i++)); do echo >/dev/udp/10.1.0.123/123; done' 2>/dev/null
entries=$(in_gw conntrack -C)
echo "INFO: conntrack table of the gateway: $entries entries"
n=$(ct_entries "$pc1")
((n >= 1)) && pass "conntrack holds $n entries of pc1 before the cut" ||
	fail "no conntrack entry of pc1 before the cut"

# 6. The cut: admission element out and quarantine in (one batch), THEN conntrack.
pre=$(rx_lines pc1-long-)
before=$(rule_packets "$gw" prerouting quarantine:src)
setop del registered_devices "$mac1 . $pc1" add quarantine4 "$pc1" ||
	fail "setop cut: $(cat "$tmp/setop.err")"
show_time "setop cuts pc1 (del admission + add quarantine, 1 batch)"
out=$(in_gw "$check" ctkill "$pc1" 2>&1)
echo "TIME: $out (table of $entries entries)"
at_cut=$(rx_lines pc1-long-)
[[ $out =~ :\ ([0-9]+)\ entries\ deleted ]] && ((BASH_REMATCH[1] >= 1)) &&
	pass "ctkill deleted pc1's entries: $out" || fail "ctkill: '$out'"
n=$(ct_entries "$pc1")
[[ $n -eq 0 ]] && pass "conntrack -L right after the cut: no entry of $pc1" ||
	fail "conntrack -L right after the cut: $n entries of $pc1"
p2=$(rx_lines pc2-long-)
sleep 0.3
base=$(rx_lines pc1-long-)
sleep 3
after=$(rx_lines pc1-long-)
if [[ $after -eq $base ]]; then
	pass "pc1's established connection carries nothing after the cut ($pre lines before," \
		"$((at_cut - pre)) during, $((base - at_cut)) in flight, 0 in the 3 s after)"
else
	fail "pc1's established connection still carries data: $base -> $after lines in 3 s"
fi
p2_after=$(rx_lines pc2-long-)
((p2_after - p2 >= 15)) &&
	pass "pc2's established connection keeps working (+$((p2_after - p2)) lines in 3.3 s)" ||
	fail "pc2's established connection stalled: $p2 -> $p2_after lines"
n=$(ct_entries "$pc1")
[[ $n -eq 0 ]] && pass "conntrack -L 3 s later: still no entry of $pc1 (no pickup)" ||
	fail "conntrack -L 3 s later: $n entries of $pc1 came back"
n=$(ct_entries "$pc2")
((n >= 1)) && pass "conntrack still holds pc2's entries ($n)" || fail "pc2's entries are gone"
if ! tcp_try pc1 "$fs" 445 pc1-after-cut && [[ -z $(e2e_rx pc1-after-cut) ]] &&
	(($(rule_packets "$gw" prerouting quarantine:src) > before)); then
	pass "pc1's new connection is dropped (quarantine:src counted it)"
else
	fail "pc1's new connection after the cut was not dropped by quarantine:src"
fi
tcp_try pc2 "$fs" 445 pc2-after-cut && pass "pc2's new connection works after pc1's cut" ||
	fail "pc2's new connection fails after pc1's cut"

# 7. NAT'd entries are found by their reply side: a DNAT target, an SNAT address.
echo x | timeout 5 ip netns exec "$(lab_ns internet)" \
	nc -n -u -w 1 -s "$(lab_addr ext-host)" "$(lab_addr ns-pub)" 53 >/dev/null 2>&1
echo x | timeout 5 ip netns exec "$(lab_ns dmz)" \
	nc -n -u -w 1 -s "$(lab_addr ntp)" "$(lab_addr ext-host)" 123 >/dev/null 2>&1
nat=("$(lab_addr ns)" "DNAT target, found by the reply source"
	"$(lab_addr gw-ext)" "SNAT address, found by the reply destination")
for ((i = 0; i < ${#nat[@]}; i += 2)); do
	addr=${nat[i]} what=${nat[i + 1]}
	n=$(ct_entries "$addr")
	out=$(in_gw "$check" ctkill "$addr" 2>&1)
	if ((n >= 1)) && [[ $out =~ :\ ([0-9]+)\ entries\ deleted ]] && ((BASH_REMATCH[1] >= 1)) &&
		[[ $(ct_entries "$addr") -eq 0 ]]; then
		pass "ctkill $addr ($what): $n entries before, none after"
	else
		fail "ctkill $addr ($what): $n before, '$out', $(ct_entries "$addr") after"
	fi
done

e2e_summary

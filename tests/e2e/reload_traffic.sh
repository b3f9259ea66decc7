#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CHG-12: applying a change does not lower availability. gatewayd runs as a
# daemon in the lab's gateway namespace; while allowed traffic flows, the
# config is reloaded again and again (each reload replaces the table in one
# transaction). Not one packet of the allowed flows may be lost:
#
#   floor1 pc1 10.11.0.100 --ping, 250/s--> server app 10.1.0.10    (floor1>server:ping)
#   branch osaka-pc 10.30.0.100 --new TCP connections--> app:8443     (WAN osaka: erp)
#
# Topology: scripts/lab (see there); traffic stays between the lab's namespaces.
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
lab_init "gwrl$$" || exit 1
cleanup() {
	lab_down
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lab_up >/dev/null || { fail "lab did not come up"; e2e_summary; exit 1; }
gw=$(lab_ns gw)
lab_spawn gw "$gatewayd" -c "$tmp/conf/gatewayd.conf" -f -S "$sock" --state-dir "$tmp/state" \
	2>"$tmp/gatewayd.log"
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] && pass "gatewayd runs in the lab's gateway namespace" ||
	{ fail "gatewayd did not start: $(cat "$tmp/gatewayd.log")"; e2e_summary; exit 1; }
# pc1 is admitted through the registry, so every reload rebuilds its element
# from the registry in the same batch as the rules (LANREQ-43).
out=$(e2e_register "$netctl" "$sock" floor1 "$(lab_mac floor1)" 2>&1) && [[ $out == *" 10.11.0.100,"* ]] &&
	pass "pc1 admitted through the registry: $out" || fail "registering pc1: $out"

# A listener on app:8443 that answers every connection.
lab_spawn server socat -T 5 TCP-LISTEN:8443,bind=10.1.0.10,reuseaddr,fork EXEC:'/bin/echo ok'
sleep 0.3

# The flows: 1500 pings at 4 ms (6 s), and 60 new TCP connections, each
# with its own timeout, in the same window.
ip netns exec "$(lab_ns floor1)" ping -q -i 0.004 -c 1500 -W 2 10.1.0.10 >"$tmp/ping" 2>&1 &
ping_pid=$!
(
	ok=0
	for i in $(seq 60); do
		out=$(ip netns exec "$(lab_ns branch-osaka)" timeout 3 \
			socat -T 2 - TCP:10.1.0.10:8443,connect-timeout=2 </dev/null 2>/dev/null)
		[ "$out" = ok ] && ok=$((ok + 1))
		sleep 0.08
	done
	echo "$ok" >"$tmp/tcp"
) &
tcp_pid=$!

# Meanwhile: ten reloads, each a full atomic replacement of the table.
reloads=0
for i in $(seq 10); do
	sleep 0.45
	"$netctl" reload -S "$sock" >>"$tmp/reloads" 2>&1 && reloads=$((reloads + 1))
done
wait "$ping_pid"
wait "$tcp_pid"
[ "$reloads" = 10 ] && pass "10 reloads applied while the traffic flowed" ||
	fail "only $reloads of 10 reloads applied: $(cat "$tmp/reloads")"
sent=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1/p' "$tmp/ping")
got=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\2/p' "$tmp/ping")
[ -n "$sent" ] && [ "$sent" = "$got" ] && [ "$sent" -eq 1500 ] &&
	pass "ping floor1 -> app: $got of $sent replies across the reloads (no loss)" ||
	fail "ping floor1 -> app lost packets: $(tail -n2 "$tmp/ping")"
[ "$(cat "$tmp/tcp")" = 60 ] &&
	pass "60 of 60 new TCP connections branch -> app:8443 during the reloads" ||
	fail "only $(cat "$tmp/tcp") of 60 TCP connections succeeded"
v=$("$netctl" history -S "$sock" | tail -n1 | awk '{print $1}')
[ "$v" = 11 ] && pass "11 versions recorded (start and 10 reloads)" || fail "history ends at version $v"

e2e_summary

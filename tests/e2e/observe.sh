#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The passive ARP/DHCP observer (gatewayd/observe.c, lib/frame.c) on a real
# LAN segment: the gateway's bridge lan0 is the segment's switch, a host
# sends ARP (ping), a VLAN-tagged ARP request and a gratuitous ARP, and gets
# a lease from a DHCP server the gateway does not know (LANREQ-47). Every
# sighting observe_check prints must be there with the right MAC, address,
# kind, server identifier and VLAN (LANREQ-23, LANREQ-46).
#
#   host ($hn)              gw ($gn): observe_check lan0          rogue ($rn)
#   h0 10.250.0.2 -------- hp0 [bridge lan0 10.250.0.1] rp0 ------ r0 10.250.0.3
#   02:00:00:fa:00:02           02:00:00:fa:00:01                   02:00:00:fa:00:03
#   ping, udhcpc                                                    udhcpd, pool .150-.160
#
# Usage: observe.sh   (BUILD=build dir, default $top/build; runs as root;
# needs busybox and socat). Traffic stays inside the three namespaces.
# Exit 0 when every check passed.

set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${BUILD:-$top/build}" 2>/dev/null && pwd)
check=$build/observe_check
hn=obshost$$
gn=obsgw$$
rn=obsrogue$$
tmp=
obs_pid=
udhcpd_pid=
passes=0
fails=0

if [[ $(id -u) -ne 0 ]]; then
	echo "SKIP: $0 needs root (network namespaces, packet capture)" >&2
	exit 2
fi
if [[ ! -x $check ]]; then
	echo "$0: $check not built (cmake --build $build --target observe_check)" >&2
	exit 2
fi
if ! command -v busybox >/dev/null || ! command -v socat >/dev/null; then
	echo "$0: busybox and socat are needed (scripts/deps installs them)" >&2
	exit 2
fi

cleanup() {
	[[ -n $obs_pid ]] && kill "$obs_pid" 2>/dev/null
	[[ -n $udhcpd_pid ]] && kill "$udhcpd_pid" 2>/dev/null
	ip netns del "$hn" 2>/dev/null
	ip netns del "$gn" 2>/dev/null
	ip netns del "$rn" 2>/dev/null
	[[ -n $tmp ]] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
H() { timeout 20 ip netns exec "$hn" "$@"; }
G() { timeout 20 ip netns exec "$gn" "$@"; }

# wait_for PATTERN SECONDS: poll observe_check's output for a line matching
# the extended regex PATTERN, with a deadline.
wait_for() {
	local deadline=$((SECONDS + $2))

	until grep -qE -- "$1" "$tmp/out"; do
		((SECONDS >= deadline)) && return 1
		sleep 0.1
	done
}

# expect WHAT PATTERN: a sighting line matches PATTERN (waits up to 5 s).
expect() {
	if wait_for "$2" 5; then
		pass "$1: $(grep -E -- "$2" "$tmp/out" | head -n1)"
	else
		fail "$1: no line matching '$2'; observe_check printed:"
		sed 's/^/	/' "$tmp/out" "$tmp/err" | head -30
	fi
}

tmp=$(mktemp -d) || exit 1
ip netns add "$hn" && ip netns add "$gn" && ip netns add "$rn" || exit 1
ip -n "$gn" link add lan0 address 02:00:00:fa:00:01 type bridge
ip -n "$gn" link add hp0 type veth peer name h0 address 02:00:00:fa:00:02 netns "$hn"
ip -n "$gn" link add rp0 type veth peer name r0 address 02:00:00:fa:00:03 netns "$rn"
ip -n "$gn" link set hp0 master lan0
ip -n "$gn" link set rp0 master lan0
ip -n "$gn" addr add 10.250.0.1/24 dev lan0
ip -n "$hn" addr add 10.250.0.2/24 dev h0
ip -n "$rn" addr add 10.250.0.3/24 dev r0
for ns in "$hn" "$gn" "$rn"; do
	# No IPv6: nothing on the segment but what the test sends.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set lo up
done
for l in lan0 hp0 rp0; do ip -n "$gn" link set "$l" up; done
ip -n "$hn" link set h0 up
ip -n "$rn" link set r0 up

# 1. Refusals: no such interface; not Ethernet (libpcap's "any" is Linux cooked).
G "$check" -t 1 nosuch0 >/dev/null 2>"$tmp/err.open"
rc=$?
if [[ $rc -eq 2 ]] && grep -q "'nosuch0'" "$tmp/err.open"; then
	pass "a missing interface is refused: $(cat "$tmp/err.open")"
else
	fail "missing interface: exit $rc, '$(cat "$tmp/err.open")'"
fi
G "$check" -t 1 lan0 any >/dev/null 2>"$tmp/err.open"
rc=$?
if [[ $rc -eq 2 ]] && grep -q "'any': not an Ethernet interface" "$tmp/err.open"; then
	pass "a non-Ethernet interface is refused: $(cat "$tmp/err.open")"
else
	fail "non-Ethernet interface: exit $rc, '$(cat "$tmp/err.open")'"
fi

# 2. The observer on the gateway's LAN interface, bounded by its own deadline.
ip netns exec "$gn" "$check" -t 60 lan0 >"$tmp/out" 2>"$tmp/err" &
obs_pid=$!
for _ in $(seq 50); do
	grep -q listening "$tmp/err" && break
	sleep 0.1
done
grep -q listening "$tmp/err" || { fail "observe_check did not start: $(cat "$tmp/err")"; obs_pid=; }
if [[ -n $obs_pid ]]; then
	# Non-promiscuous: what it needs comes to the gateway anyway (observe.c).
	if ip -n "$gn" -d link show lan0 | grep -q 'promiscuity 0 '; then
		pass "lan0 is not put in promiscuous mode"
	else
		fail "lan0 is promiscuous:" \
			"$(ip -n "$gn" -d link show lan0 | grep -o 'promiscuity [0-9]*')"
	fi
fi

# 3. ARP (LANREQ-46): the host asks for the gateway, then answers it.
H ping -n -c 1 -W 1 10.250.0.1 >/dev/null || fail "host cannot ping the gateway"
expect "the host's ARP request" '^lan0 arp-request 02:00:00:fa:00:02 ip 10.250.0.2$'
expect "the gateway's own reply is a sighting too" \
	'^lan0 arp-reply 02:00:00:fa:00:01 ip 10.250.0.1$'
ip -n "$gn" neigh flush dev lan0
G ping -n -c 1 -W 1 10.250.0.2 >/dev/null || fail "gateway cannot ping the host"
expect "the host's ARP reply" '^lan0 arp-reply 02:00:00:fa:00:02 ip 10.250.0.2$'

# 4. A tagged ARP request (VLAN 10, priority 5) written whole to a packet
# socket: the test kernel need not have 802.1Q devices (CONFIG_VLAN_8021Q).
# Receive moves the tag out of the frame before the filter runs; libpcap
# puts it back. who-has 10.250.10.1 tell 10.250.10.2, in one write.
printf '%b' '\xff\xff\xff\xff\xff\xff\x02\x00\x00\xfa\x00\x02' '\x81\x00\xa0\x0a\x08\x06' \
	'\x00\x01\x08\x00\x06\x04\x00\x01\x02\x00\x00\xfa\x00\x02\x0a\xfa\x0a\x02' \
	'\x00\x00\x00\x00\x00\x00\x0a\xfa\x0a\x01' | H socat -u STDIN INTERFACE:h0 ||
	fail "could not send the tagged frame"
expect "a VLAN-tagged ARP request" '^lan0 arp-request 02:00:00:fa:00:02 vlan 10 ip 10.250.10.2$'

# 5. DHCP (LANREQ-23, LANREQ-47): a server nobody registered answers the host.
cat >"$tmp/udhcpd.conf" <<-EOF
start 10.250.0.150
end 10.250.0.160
interface r0
lease_file $tmp/udhcpd.leases
pidfile $tmp/udhcpd.pid
option subnet 255.255.255.0
option lease 600
EOF
: >"$tmp/udhcpd.leases"
ip netns exec "$rn" busybox udhcpd -f -a 100 "$tmp/udhcpd.conf" >"$tmp/udhcpd.log" 2>&1 &
udhcpd_pid=$!
for _ in $(seq 50); do
	ip netns exec "$rn" ss -Hlun | grep -q ':67 ' && break
	sleep 0.1
done
H busybox udhcpc -i h0 -f -n -q -t 3 -T 2 -x hostname:e2e-host -s /bin/true \
	>"$tmp/udhcpc.log" 2>&1
lease=$(sed -n 's/.*lease of \([0-9.]*\) obtained from 10.250.0.3.*/\1/p' "$tmp/udhcpc.log")
if [[ $lease =~ ^10\.250\.0\.1(5[0-9]|60)$ ]]; then
	pass "the host got $lease from the unknown server"
else
	fail "no lease from the unknown server: $(tr '\n' ' ' <"$tmp/udhcpc.log")"
fi
# The lines, field by field (frame.h, frame_sighting_format()).
host=02:00:00:fa:00:02
rogue=02:00:00:fa:00:03
ip=${lease//./\\.}
srv='server-id 10\.250\.0\.3'
named="hostname 'e2e-host'"
expect "the host's DISCOVER with its name" \
	"^lan0 dhcp-discover $host chaddr $host from 0\.0\.0\.0 xid 0x[0-9a-f]{8} $named\$"
xid=$(sed -n 's/^lan0 dhcp-discover .* xid \(0x[0-9a-f]*\) .*/\1/p' "$tmp/out" | head -n1)
by_rogue="from 10\.250\.0\.3 xid $xid lease 600 by-server"
expect "the unknown server's OFFER: its MAC, its identifier, the host's MAC" \
	"^lan0 dhcp-offer $rogue ip $ip chaddr $host $srv $by_rogue\$"
expect "the host's REQUEST for it" \
	"^lan0 dhcp-request $host ip $ip chaddr $host $srv from 0\.0\.0\.0 xid $xid $named\$"
expect "the unknown server's ACK: the lease" \
	"^lan0 dhcp-ack $rogue ip $ip chaddr $host $srv $by_rogue\$"
expect "the server's own ARP check of the address it offers" \
	"^lan0 arp-request 02:00:00:fa:00:03 ip 10\.250\.0\.3\$"
# What gatewayd will do with it: a reply from a server that is not the gateway.
unknown=$(awk '/ by-server$/ { for (i = 1; i < NF; i++) if ($i == "server-id") print $(i + 1) }' \
	"$tmp/out" | grep -vx 10.250.0.1 | sort -u | paste -sd' ')
[[ $unknown == 10.250.0.3 ]] && pass "exactly one unknown DHCP server seen: $unknown" ||
	fail "unknown DHCP servers seen: '$unknown'"

# 6. A gratuitous ARP: the kernel announces the address under the host's new MAC.
H sysctl -qw net.ipv4.conf.h0.arp_notify=1
ip -n "$hn" link set h0 address 02:00:00:fa:00:12
expect "a gratuitous ARP after a MAC change" '^lan0 arp-announce 02:00:00:fa:00:12 ip 10.250.0.2$'

# 7. Ended by a signal: clean exit, nothing malformed, nothing dropped.
if [[ -n $obs_pid ]]; then
	kill -TERM "$obs_pid"
	wait "$obs_pid"
	rc=$?
	obs_pid=
	if [[ $rc -eq 0 ]] &&
		grep -qE '^decoded [0-9]+, not ours [0-9]+, malformed 0, dropped 0$' "$tmp/err"; then
		pass "observe_check ended cleanly: $(tail -n1 "$tmp/err")"
	else
		fail "observe_check: exit $rc, $(tr '\n' ' ' <"$tmp/err")"
	fi
	n=$(wc -l <"$tmp/out")
	d=$(sed -n 's/^decoded \([0-9]*\),.*/\1/p' "$tmp/err")
	[[ $n -eq $d ]] && pass "one line per decoded frame ($n)" || fail "$n lines, $d decoded"
fi

echo "$passes passed, $fails failed"
[[ $fails -eq 0 ]]

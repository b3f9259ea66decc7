#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Records the Ethernet frames of tests/unit/test_frame.c (lib/frame.c): real
# ARP and DHCP traffic between two throwaway namespaces, read by tcpdump on
# the "gateway" side (DLT_EN10MB, as gatewayd/observe.c reads it), one
# frame's bytes per *.bin file (the pcap file header and the per-record
# headers stripped). Run as root; needs busybox (udhcpc, udhcpd) and python3.
#
#   gw ($gw): udhcpd, tcpdump -i g0               cl ($cl): udhcpc, ping
#   g0 10.250.0.1/24 02:00:00:fa:00:01 ---------- c0 10.250.0.2/24 02:00:00:fa:00:02
#
# One frame is sent by hand: an ARP request tagged for VLAN 10, from a packet
# socket in cl (the recording kernel need not have 802.1Q devices). On
# receive the kernel moves the tag out of the frame and libpcap puts it
# back, as it does on a trunk port of the gateway.
#
#   tests/data/frames/capture.sh [OUTDIR]      default: this directory
#   KEEP=1 tests/data/frames/capture.sh ...    keep the pcap and the logs
#
# The frames differ between runs in DHCP transaction ids, IP ids and
# checksums; after re-recording, update the expected values in the unit
# test and tests/data/frames/README.
set -euo pipefail

out=${1:-$(cd "$(dirname "$0")" && pwd)}
gw=framecap$$
cl=framecl$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/framecap.XXXXXX")
tcpdump_pid=
udhcpd_pid=
udhcpc_pid=

cleanup()
{
	[ -n "$tcpdump_pid" ] && kill "$tcpdump_pid" 2>/dev/null || true
	[ -n "$udhcpd_pid" ] && kill "$udhcpd_pid" 2>/dev/null || true
	[ -n "$udhcpc_pid" ] && kill "$udhcpc_pid" 2>/dev/null || true
	ip netns del "$gw" 2>/dev/null || true
	ip netns del "$cl" 2>/dev/null || true
	[ -n "${KEEP:-}" ] && echo "kept $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add "$gw"
ip netns add "$cl"
G=(ip netns exec "$gw")
C=(ip netns exec "$cl")

ip -n "$gw" link add g0 address 02:00:00:fa:00:01 type veth \
	peer name c0 address 02:00:00:fa:00:02 netns "$cl"
ip -n "$gw" addr add 10.250.0.1/24 dev g0
ip -n "$cl" addr add 10.250.0.2/24 dev c0
# No IPv6 on the link: no router or neighbour solicitations in the capture.
"${G[@]}" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
"${C[@]}" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
for ns in "$gw" "$cl"; do
	ip -n "$ns" link set lo up
done
ip -n "$gw" link set g0 up
ip -n "$cl" link set c0 up

cat >"$tmp/udhcpd.conf" <<-EOF
start 10.250.0.100
end 10.250.0.110
interface g0
lease_file $tmp/udhcpd.leases
pidfile $tmp/udhcpd.pid
option subnet 255.255.255.0
option router 10.250.0.1
option lease 3600
EOF
: >"$tmp/udhcpd.leases"
"${G[@]}" busybox udhcpd -f -a 200 "$tmp/udhcpd.conf" >"$tmp/udhcpd.log" 2>&1 &
udhcpd_pid=$!
for _ in $(seq 50); do
	"${G[@]}" ss -Hlun | grep -q ':67 ' && break
	sleep 0.1
done

"${G[@]}" timeout 60 tcpdump -n -U --immediate-mode -i g0 -w "$tmp/all.pcap" 2>"$tmp/tcpdump.err" &
tcpdump_pid=$!
for _ in $(seq 100); do
	grep -q listening "$tmp/tcpdump.err" && break
	sleep 0.1
done
grep -q listening "$tmp/tcpdump.err" || { cat "$tmp/tcpdump.err" >&2; exit 1; }

# The traffic; every command is bounded.
step() { "$@" >/dev/null 2>&1 || true; sleep 0.3; }
# ARP request and reply, then the ICMP echo itself (neither ARP nor DHCP).
step "${C[@]}" ping -n -c 1 -W 1 10.250.0.1
# Who has 10.250.10.1, tell 10.250.10.2, on VLAN 10 (priority 5): by hand.
step "${C[@]}" python3 -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("c0", 0))
mac = bytes.fromhex("020000fa0002")
s.send(b"\xff" * 6 + mac + bytes.fromhex("8100a00a0806") +
       bytes.fromhex("0001080006040001") + mac + bytes([10, 250, 10, 2]) +
       b"\0" * 6 + bytes([10, 250, 10, 1]))
'
# A whole DHCP exchange with the client's ARP probe (-a); once bound, the
# client is stopped and releases its lease (-R), by unicast from the leased
# address, which its script puts on c0.
printf '#!/bin/sh\n[ "$1" = bound ] && ip addr add "$ip/24" dev "$interface"\nexit 0\n' \
	>"$tmp/udhcpc.script"
chmod +x "$tmp/udhcpc.script"
"${C[@]}" busybox udhcpc -i c0 -f -n -R -t 3 -T 2 -a200 -x hostname:obs-host \
	-s "$tmp/udhcpc.script" >"$tmp/udhcpc.log" 2>&1 &
udhcpc_pid=$!
for _ in $(seq 100); do
	ip -n "$cl" -4 addr show c0 | grep -q "10\.250\.0\.1[0-9][0-9]/" && break
	sleep 0.1
done
kill "$udhcpc_pid"
wait "$udhcpc_pid" || true
udhcpc_pid=
grep -q obtained "$tmp/udhcpc.log" || { cat "$tmp/udhcpc.log" >&2; exit 1; }
sleep 0.3
# A gratuitous ARP: the kernel announces the address when the MAC changes.
"${C[@]}" sysctl -qw net.ipv4.conf.c0.arp_notify=1
step ip -n "$cl" link set c0 address 02:00:00:fa:00:12
sleep 0.5
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" || true
tcpdump_pid=

# Split the capture: each frame named by what it is, the first of its kind.
python3 - "$tmp/all.pcap" "$out" <<-'EOF'
import struct, sys

data = open(sys.argv[1], "rb").read()
magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", data[:24])
assert magic == 0xA1B2C3D4 and linktype == 1, (hex(magic), linktype)
off, frames = 24, []
while off < len(data):
    _, _, incl, orig = struct.unpack("<IIII", data[off:off + 16])
    assert incl == orig, "frame cut by the snaplen"
    frames.append(data[off + 16:off + 16 + incl])
    off += 16 + incl

def what(f):
    vlan, et, p = None, struct.unpack("!H", f[12:14])[0], 14
    if et == 0x8100:
        vlan, et, p = struct.unpack("!H", f[14:16])[0] & 0xfff, struct.unpack("!H", f[16:18])[0], 18
    pre = "vlan_" if vlan else ""
    if et == 0x0806:
        op = struct.unpack("!H", f[p + 6:p + 8])[0]
        spa, tpa = f[p + 14:p + 18], f[p + 24:p + 28]
        if spa == b"\0\0\0\0":
            return pre + "arp_probe"
        if spa == tpa:
            return pre + "arp_announce"
        return pre + ("arp_request" if op == 1 else "arp_reply")
    if et == 0x0800 and f[p + 9] == 1:
        return pre + "icmp_echo" if f[p + (f[p] & 15) * 4] == 8 else None
    if et == 0x0800 and f[p + 9] == 17:
        u = p + (f[p] & 15) * 4
        o = u + 8 + 240
        while o < len(f) and f[o] != 255:
            if f[o] == 0:
                o += 1
                continue
            if f[o] == 53:
                t = f[o + 2]
                return pre + "dhcp_" + ["", "discover", "offer", "request", "decline",
                                        "ack", "nak", "release", "inform"][t]
            o += 2 + f[o + 1]
    return None

want = ["arp_request", "arp_reply", "icmp_echo", "vlan_arp_request",
        "dhcp_discover", "dhcp_offer", "dhcp_request", "dhcp_ack", "dhcp_release",
        "arp_probe", "arp_announce"]
got = {}
for f in frames:
    name = what(f)
    if name and name not in got:
        got[name] = f
# udhcpd's own check of the address it offers: an ARP request from the server.
for f in frames:
    if what(f) == "arp_request" and f[6:12] == bytes.fromhex("020000fa0001"):
        got["arp_request_server"] = f
        break
want.append("arp_request_server")
missing = [n for n in want if n not in got]
assert not missing, ("missing", missing, [what(f) for f in frames])
for name in want:
    open(f"{sys.argv[2]}/{name}.bin", "wb").write(got[name])
    print(f"{name}.bin: {len(got[name])} bytes")
EOF

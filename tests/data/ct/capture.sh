#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Records the conntrack test data of tests/unit/test_natjoin.c (NAT-5): real
# ctnetlink NEW event messages (struct nlmsghdr, nfgenmsg, CTA_* attributes,
# host byte order lengths: little-endian here), one message per *.bin, read
# from NFNLGRP_CONNTRACK_NEW in a throwaway gateway namespace, as
# gatewayd/ctevents.c reads them. Run as root; namespaces deleted on exit.
#
#   cl 10.0.1.2 ---- gw0 10.0.1.1 [gw] gw1 10.0.2.1 ---- sv 10.0.2.2
#   gw: DNAT 10.0.1.1:8080 -> 10.0.2.2:80, masquerade out of gw1
#
#   tests/data/ct/capture.sh [OUTDIR]      default: this directory
#
# Also reports whether this kernel attaches the conntrack entry to NFLOG
# records (NFULNL_CFG_F_CONNTRACK needs NETFILTER_NETLINK_GLUE_CT).
set -euo pipefail

out=${1:-$(cd "$(dirname "$0")" && pwd)}
gw=ctcap$$
cl=ctcl$$
sv=ctsv$$
py_pid=

cleanup()
{
	[ -n "$py_pid" ] && kill "$py_pid" 2>/dev/null || true
	ip netns del "$gw" 2>/dev/null || true
	ip netns del "$cl" 2>/dev/null || true
	ip netns del "$sv" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$gw"
ip netns add "$cl"
ip netns add "$sv"
ip -n "$gw" link add gw0 type veth peer name cl0 netns "$cl"
ip -n "$gw" link add gw1 type veth peer name sv0 netns "$sv"
for ns in "$gw" "$cl" "$sv"; do ip -n "$ns" link set lo up; done
ip -n "$gw" addr add 10.0.1.1/24 dev gw0
ip -n "$gw" addr add 10.0.2.1/24 dev gw1
ip -n "$cl" addr add 10.0.1.2/24 dev cl0
ip -n "$sv" addr add 10.0.2.2/24 dev sv0
ip -n "$gw" link set gw0 up
ip -n "$gw" link set gw1 up
ip -n "$cl" link set cl0 up
ip -n "$sv" link set sv0 up
ip -n "$cl" route add default via 10.0.1.1
ip -n "$sv" route add default via 10.0.2.1
ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$gw" nft -f - <<-'EOF2'
table ip t {
	chain pre {
		type nat hook prerouting priority -100;
		iifname gw0 ip daddr 10.0.1.1 tcp dport 8080 dnat to 10.0.2.2:80
	}
	chain post {
		type nat hook postrouting priority 100;
		oifname gw1 tcp dport 81 masquerade to :40000
		oifname gw1 ip protocol icmp masquerade
	}
}
EOF2

ip netns exec "$gw" python3 - "$out" <<-'EOF2' &
import os, socket, struct, sys
out = sys.argv[1]
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
s.bind((0, 1))  # NF_NETLINK_CONNTRACK_NEW
s.settimeout(10)
# NFULNL_MSG_CONFIG with NFULA_CFG_FLAGS = NFULNL_CFG_F_CONNTRACK on group 9:
# bind first (NFULNL_CFG_CMD_BIND), then the flags; print the kernel's answer.
n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)
def cfg(attr):
    body = struct.pack("BBH", 0, 0, socket.htons(9)) + attr
    msg = struct.pack("=IHHII", 16 + len(body), (4 << 8) | 1, 1 | 4, 1, 0) + body
    n.send(msg)
    r = n.recv(4096)
    return struct.unpack("=i", r[16:20])[0]
print("nflog bind:", cfg(struct.pack("=HHB3x", 5, 1, 1)), flush=True)
print("nflog CONNTRACK flag:", cfg(struct.pack("=HH", 6, 6) + struct.pack(">H", 4) + b"\0\0"), flush=True)
open(f"{out}/.ready", "w").close()
names = ["new_tcp_dnat", "new_tcp_snat", "new_icmp_snat"]
got = 0
while got < len(names):
    m = s.recv(65536)
    ln, ty = struct.unpack("=IH", m[:6])
    if ty != (1 << 8):
        continue
    open(f"{out}/{names[got]}.bin", "wb").write(m[:ln])
    print(f"{names[got]}.bin: {ln} bytes", flush=True)
    got += 1
EOF2
py_pid=$!
for _ in $(seq 50); do [ -e "$out/.ready" ] && break; sleep 0.1; done
rm -f "$out/.ready"
ip netns exec "$sv" timeout 5 nc -l -p 80 </dev/null >/dev/null 2>&1 &
ip netns exec "$sv" timeout 5 nc -l -p 81 </dev/null >/dev/null 2>&1 &
sleep 0.3
ip netns exec "$cl" timeout 3 nc -n -w 1 -p 33333 10.0.1.1 8080 </dev/null >/dev/null 2>&1 || true
sleep 0.3
ip netns exec "$cl" timeout 3 nc -n -w 1 -p 33334 10.0.2.2 81 </dev/null >/dev/null 2>&1 || true
sleep 0.3
ip netns exec "$cl" ping -n -c 1 -W 1 10.0.2.2 >/dev/null || true
wait "$py_pid"
py_pid=

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Records the NFLOG test data of tests/unit/test_nflog.c and test_logrec.c:
# real kernel records, read by tcpdump from libpcap's "nflog:5" device
# (DLT_NFLOG), one record's bytes per *.bin file (the pcap file header and
# the per-record headers stripped). Run as root; everything happens in three
# throwaway namespaces, deleted on exit.
#
#   cl ($cl)                    gw ($gw): table inet t, tcpdump       sv ($sv)
#   cl0 10.0.1.2 fd00:1::2 ---- gw0 10.0.1.1    gw1 10.0.2.1 ---- sv0 10.0.2.2 fd00:2::2
#   02:00:00:00:01:02           02:00:00:00:01:01 02:00:00:00:02:01   02:00:00:00:02:02
#                               lo: 127.0.0.1, ::1 (output hook)
#
#   tests/data/nflog/capture.sh [OUTDIR]      default: this directory
#
# The records differ between runs only in timestamps, ports chosen by the
# kernel, IP ids and checksums; after re-recording, update the expected
# values in the unit tests (they print what they decoded on failure).
set -euo pipefail

out=${1:-$(cd "$(dirname "$0")" && pwd)}
gw=nflogcap$$
cl=nflogcl$$
sv=nflogsv$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nflogcap.XXXXXX")
tcpdump_pid=

cleanup()
{
	[ -n "$tcpdump_pid" ] && kill "$tcpdump_pid" 2>/dev/null || true
	ip netns del "$gw" 2>/dev/null || true
	ip netns del "$cl" 2>/dev/null || true
	ip netns del "$sv" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add "$gw"
ip netns add "$cl"
ip netns add "$sv"
G=(ip netns exec "$gw")
C=(ip netns exec "$cl")
S=(ip netns exec "$sv")

ip -n "$gw" link add gw0 address 02:00:00:00:01:01 type veth \
	peer name cl0 address 02:00:00:00:01:02 netns "$cl"
ip -n "$gw" link add gw1 address 02:00:00:00:02:01 type veth \
	peer name sv0 address 02:00:00:00:02:02 netns "$sv"
for ns in "$gw" "$cl" "$sv"; do
	ip -n "$ns" link set lo up
done
ip -n "$gw" addr add 10.0.1.1/24 dev gw0
ip -n "$gw" addr add fd00:1::1/64 dev gw0 nodad
ip -n "$gw" addr add 10.0.2.1/24 dev gw1
ip -n "$gw" addr add fd00:2::1/64 dev gw1 nodad
ip -n "$cl" addr add 10.0.1.2/24 dev cl0
ip -n "$cl" addr add fd00:1::2/64 dev cl0 nodad
ip -n "$sv" addr add 10.0.2.2/24 dev sv0
ip -n "$sv" addr add fd00:2::2/64 dev sv0 nodad
ip -n "$gw" link set gw0 up
ip -n "$gw" link set gw1 up
ip -n "$cl" link set cl0 up
ip -n "$sv" link set sv0 up
ip -n "$cl" route add default via 10.0.1.1
ip -n "$cl" -6 route add default via fd00:1::1
ip -n "$sv" route add default via 10.0.2.1
ip -n "$sv" -6 route add default via fd00:2::1
"${G[@]}" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# One rule per record; the prefixes follow lib/ruleset.h (gw:A:/gw:D:<id>),
# but one, which is somebody else's.
"${G[@]}" nft -f - <<-'EOF'
table inet t {
	chain c_out {
		type filter hook output priority 0;
		oif lo icmp type echo-request log prefix "gw:A:test>x:ping" group 5
		oif lo tcp dport 8080 tcp flags & (syn | ack) == syn log prefix "gw:A:test>x:tcp" group 5
		oif lo udp dport 5353 log prefix "gw:A:test>x:udp" group 5
		oif lo icmpv6 type echo-request log prefix "gw:A:test>x:ping6" group 5
		oif lo meta nfproto ipv6 tcp dport 9 log prefix "gw:D:test>x:deny6" group 5 drop
		oif lo udp dport 7 log prefix "ct:new " group 5
	}
	chain c_in {
		type filter hook input priority 0;
		iifname gw0 icmp type echo-request log prefix "gw:A:lan>gateway:ping" group 5
	}
	chain c_fwd {
		type filter hook forward priority 0;
		iifname gw0 oifname gw1 ct status dnat tcp dport 80 log prefix "gw:A:nat:publish:web:http" group 5 accept
		iifname gw0 oifname gw1 tcp dport 80 tcp flags & (syn | ack) == syn log prefix "gw:A:lan>srv:http" group 5 accept
		iifname gw0 oifname gw1 icmpv6 type echo-request log prefix "gw:A:lan>srv:ping6" group 5 accept
		iifname gw0 oifname gw1 udp dport 514 meta mark set 0x2a
		iifname gw0 oifname gw1 udp dport 514 log group 5 snaplen 28 prefix "gw:A:lan>srv:syslog" accept
		iifname gw0 oifname gw1 udp dport 53 log prefix "gw:D:lan>srv:default" group 5 drop
	}
	chain c_pre {
		type nat hook prerouting priority -100;
		iifname gw0 ip daddr 10.0.1.1 tcp dport 8080 dnat ip to 10.0.2.2:80
	}
	chain c_post {
		type nat hook postrouting priority 100;
		oifname gw1 masquerade
	}
}
EOF

# Warm the neighbour caches, so no record waits on resolution.
"${C[@]}" ping -n -c 1 -W 1 10.0.2.2 >/dev/null
"${C[@]}" ping -6 -n -c 1 -W 1 fd00:2::2 >/dev/null || true

n=12
"${G[@]}" timeout 30 tcpdump -n -U -i nflog:5 -w "$tmp/all.pcap" -c $n 2>"$tmp/tcpdump.err" &
tcpdump_pid=$!
for _ in $(seq 100); do
	grep -q listening "$tmp/tcpdump.err" && break
	sleep 0.1
done
grep -q listening "$tmp/tcpdump.err" || { cat "$tmp/tcpdump.err" >&2; exit 1; }

# The traffic, in the order of the names below; every command is bounded.
step() { "$@" >/dev/null 2>&1 || true; sleep 0.3; }
step "${G[@]}" ping -n -c 1 -W 1 127.0.0.1
step "${G[@]}" timeout 3 nc -n -w 1 127.0.0.1 8080 </dev/null
step "${G[@]}" sh -c 'echo x | timeout 3 nc -n -u -w 1 127.0.0.1 5353'
step "${G[@]}" ping -6 -n -c 1 -W 1 ::1
step "${G[@]}" timeout 3 nc -n -w 1 ::1 9 </dev/null
step "${G[@]}" sh -c 'echo x | timeout 3 nc -n -u -w 1 127.0.0.1 7'
step "${C[@]}" ping -n -c 1 -W 1 10.0.1.1
step "${C[@]}" timeout 3 nc -n -w 1 10.0.1.1 8080 </dev/null
step "${C[@]}" timeout 3 nc -n -w 1 10.0.2.2 80 </dev/null
step "${C[@]}" ping -6 -n -c 1 -W 1 fd00:2::2
step "${C[@]}" sh -c 'echo "a syslog line longer than the snaplen" | timeout 3 nc -n -u -w 1 10.0.2.2 514'
step "${C[@]}" sh -c 'echo x | timeout 3 nc -n -u -w 1 10.0.2.2 53'
wait "$tcpdump_pid" || { cat "$tmp/tcpdump.err" >&2; exit 1; }
tcpdump_pid=

# Split the capture: each record's bytes, checked against its expected prefix.
python3 - "$tmp/all.pcap" "$out" <<-'EOF'
import struct, sys

names = [
    ("lo_icmp_ping", b"gw:A:test>x:ping"),
    ("lo_tcp_syn", b"gw:A:test>x:tcp"),
    ("lo_udp", b"gw:A:test>x:udp"),
    ("lo_icmpv6_ping", b"gw:A:test>x:ping6"),
    ("lo_tcp6_denied", b"gw:D:test>x:deny6"),
    ("lo_foreign_prefix", b"ct:new "),
    ("in_icmp_ping", b"gw:A:lan>gateway:ping"),
    ("fwd_tcp_dnat", b"gw:A:nat:publish:web:http"),
    ("fwd_tcp_snat", b"gw:A:lan>srv:http"),
    ("fwd_icmpv6_ping", b"gw:A:lan>srv:ping6"),
    ("fwd_udp_snaplen", b"gw:A:lan>srv:syslog"),
    ("fwd_udp_denied", b"gw:D:lan>srv:default"),
]
data = open(sys.argv[1], "rb").read()
magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", data[:24])
assert magic == 0xA1B2C3D4 and linktype == 239, (hex(magic), linktype)
off, recs = 24, []
while off < len(data):
    _, _, incl, orig = struct.unpack("<IIII", data[off:off + 16])
    assert incl == orig, "record cut by the snaplen"
    recs.append(data[off + 16:off + 16 + incl])
    off += 16 + incl
assert len(recs) == len(names), len(recs)

def prefix(rec):
    p = 4
    while p + 4 <= len(rec):
        ln, ty = struct.unpack("<HH", rec[p:p + 4])
        if ty == 10:
            return rec[p + 4:p + ln].rstrip(b"\0")
        p += (ln + 3) & ~3
    return None

for (name, want), rec in zip(names, recs):
    assert prefix(rec) == want, (name, prefix(rec))
    open(f"{sys.argv[2]}/{name}.bin", "wb").write(rec)
    print(f"{name}.bin: {len(rec)} bytes")
EOF

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# gatewayd's own netlink encoder applies the example policy atomically, and
# what the kernel then holds is what was reviewed (CHG-1, CHG-12, ZONE-7).
#
#   namespace gwapplyA$$: gatewayd --oneshot (our encoder, one transaction)
#   namespace gwapplyB$$: nft -f of 'netctl render' (nft's own encoder)
#   both listed with 'nft list table inet gatewayd' must be identical.
#
# Then: a config that does not validate is refused and the running table is
# untouched; a table of another owner in the namespace is never touched.
# No packets are sent.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
gatewayd=$build/gatewayd
netctl=${NETCTL:-$build/netctl}
nsA=gwapplyA$$
nsB=gwapplyB$$
tmp=$(mktemp -d)
fails=0
cleanup() {
	ip netns del "$nsA" 2>/dev/null
	ip netns del "$nsB" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
passes=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
listing() { ip netns exec "$1" nft list table inet gatewayd | sed 's/counter packets [0-9]* bytes [0-9]*/counter/'; }

ip netns add "$nsA" && ip netns add "$nsB" || exit 1
# Another owner's table: gatewayd must leave it alone.
ip netns exec "$nsA" nft add table ip other
ip netns exec "$nsA" nft add chain ip other c
ip netns exec "$nsA" nft add rule ip other c counter comment '"not ours"'

conf=$top/conf/gatewayd.conf
if ip netns exec "$nsA" "$gatewayd" -c "$conf" --oneshot 2>"$tmp/apply.err"; then
	pass "gatewayd --oneshot applied the example policy: $(tail -n1 "$tmp/apply.err")"
else
	fail "gatewayd --oneshot failed: $(cat "$tmp/apply.err")"
fi
"$netctl" render -c "$conf" >"$tmp/render.nft"
ip netns exec "$nsB" nft -f "$tmp/render.nft" || fail "nft -f rejected the rendering"
listing "$nsA" >"$tmp/ours.txt"
listing "$nsB" >"$tmp/nft.txt"
if [ -s "$tmp/ours.txt" ] && diff -u "$tmp/nft.txt" "$tmp/ours.txt" >"$tmp/d1"; then
	pass "kernel table from our encoder equals nft's own ($(grep -c 'comment "' "$tmp/ours.txt") rules)"
else
	fail "kernel table differs from nft -f of the rendering:"; head -40 "$tmp/d1"
fi
rules=$(grep -c 'comment "' "$tmp/ours.txt")
want=$(grep -c 'comment "' "$tmp/render.nft")
[ "$rules" -eq "$want" ] && pass "all $want rules are in the kernel" || fail "kernel has $rules rules, rendering $want"

# Applying again replaces the table in one transaction (no duplicates).
ip netns exec "$nsA" "$gatewayd" -c "$conf" --oneshot 2>/dev/null
listing "$nsA" >"$tmp/ours2.txt"
cmp -s "$tmp/ours.txt" "$tmp/ours2.txt" && pass "a second apply gives the identical table" ||
	fail "a second apply changed the table"

# A broken config: refused with file:line, the running table unchanged.
cp -r "$top/conf" "$top/zones" "$tmp/"
sed -i 's|"10.11.0.0/24"|"10.11.0.0/33"|' "$tmp/zones/floor1.conf"
if ip netns exec "$nsA" "$gatewayd" -c "$tmp/conf/gatewayd.conf" --oneshot 2>"$tmp/bad.err"; then
	fail "a broken config was applied"
else
	grep -q 'zones/floor1.conf:[0-9]*: .*10.11.0.0/33' "$tmp/bad.err" &&
		pass "broken config refused: $(head -n1 "$tmp/bad.err")" ||
		fail "refusal does not name file:line: $(cat "$tmp/bad.err")"
fi
listing "$nsA" >"$tmp/ours3.txt"
cmp -s "$tmp/ours.txt" "$tmp/ours3.txt" && pass "running table intact after the refusal" ||
	fail "running table changed after a refused config"
ip netns exec "$nsA" nft list table ip other | grep 'not ours' >/dev/null &&
	pass "the other table is untouched" || fail "the other table was touched"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]

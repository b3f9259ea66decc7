#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What is reviewed is what runs (CHG-1, CHG-12): gatewayd reads table inet
# gatewayd back over netlink (gatewayd/readback.c) and compares it with the
# compiled config. After an apply the two are equal; every hand edit an
# admin could make with nft is reported against the right id. Then every
# accept golden case is applied and read back equal: readback and encoder
# agree on every construct the compiler emits. No traffic is sent.
#
#   +------------------------------------+
#   | netns gwdrift$$                    |   drift_check --apply: our encoder
#   |   table inet gatewayd              |   nft ...:             the admin
#   |   table ip gatewayd, inet other    |   drift_check:         readback
#   +------------------------------------+   (not ours: never reported)
#   netns gwdriftg$$: one golden case at a time, recreated for each
#
# Usage: drift.sh   (BUILD=build dir, default $top/build; runs as root)
# Exit 0 when every check passed.

set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${BUILD:-$top/build}" 2>/dev/null && pwd)
check=$build/drift_check
conf=$top/conf/gatewayd.conf
ns=gwdrift$$
nsg=gwdriftg$$
tmp=
passes=0
fails=0

if [[ $(id -u) -ne 0 ]]; then
	echo "SKIP: $0 needs root (network namespaces, nft)" >&2
	exit 2
fi
if [[ ! -x $check ]]; then
	echo "$0: $check not built (cmake --build $build --target drift_check)" >&2
	exit 2
fi

cleanup() {
	ip netns del "$ns" 2>/dev/null
	ip netns del "$nsg" 2>/dev/null
	[[ -n $tmp ]] && rm -rf "$tmp"
}
trap cleanup EXIT

pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
in_ns() { timeout 20 ip netns exec "$ns" "$@"; }
nft_ns() { in_ns nft "$@"; }

# drift [OPTS...]: readback of the config in $ns; output in $tmp/out, status in $rc.
drift() {
	in_ns "$check" -c "$conf" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# restore: apply the config again; the table must read back equal.
restore() {
	drift --apply
	if [[ $rc -ne 0 ]] || ! grep -qx equal "$tmp/out"; then
		fail "re-apply before '$1' does not read back equal (exit $rc)"
		sed 's/^/	/' "$tmp/out" "$tmp/err" | head -20
		return 1
	fi
}

# expect WHAT N PATTERN...: the report has exactly N entries, and a line
# matching each extended regex PATTERN.
expect() {
	local what=$1 n=$2 p ok=1
	shift 2
	[[ $rc -eq 1 ]] || ok=0
	grep -qx "$n differences" "$tmp/out" || ok=0
	for p in "$@"; do
		grep -qE -- "$p" "$tmp/out" || ok=0
	done
	if [[ $ok -eq 1 ]]; then
		pass "$what: $(grep -E -- "$1" "$tmp/out" | head -n1)"
	else
		fail "$what: want $n entries matching $*; got (exit $rc):"
		sed 's/^/	/' "$tmp/out" "$tmp/err" | head -20
	fi
}

# handle CHAIN ID: kernel handle of the rule with comment ID.
handle() {
	nft_ns -a list chain inet gatewayd "$1" |
		sed -n "s/.* comment \"$2\" # handle \([0-9]*\)\$/\1/p"
}

tmp=$(mktemp -d) || exit 1
ip netns add "$ns" || exit 1
# Tables of the same name in another family, and of another owner: not ours.
nft_ns add table ip gatewayd
nft_ns add chain ip gatewayd input
nft_ns add rule ip gatewayd input counter comment '"not ours"'
nft_ns add table inet other
nft_ns add chain inet other c
nft_ns add rule inet other c counter accept comment '"input:loopback"'

# 1. Applied with our encoder, the table reads back equal.
drift --apply --counters
if [[ $rc -eq 0 ]] && grep -qx equal "$tmp/out"; then
	pass "the example config reads back equal after apply"
else
	fail "the example config does not read back equal (exit $rc):"
	sed 's/^/	/' "$tmp/out" "$tmp/err" | head -40
fi
nrules=$(nft_ns list table inet gatewayd | grep -c ' comment "')

# 2. Counters read back per rule id, as numbers, and agree with the kernel's listing.
line=$(grep -E '^counter input input:established ' "$tmp/out")
if [[ $line =~ ^counter\ input\ input:established\ ([0-9]+)\ ([0-9]+)$ ]]; then
	want=$(nft_ns list chain inet gatewayd input |
		sed -n 's/.*counter packets \([0-9]*\) bytes \([0-9]*\) .*comment "input:established".*/\1 \2/p')
	if [[ "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}" == "$want" ]]; then
		pass "counter of 'input:established' read back: $want"
	else
		fail "counter of 'input:established': readback '${BASH_REMATCH[1]} ${BASH_REMATCH[2]}', nft '$want'"
	fi
else
	fail "no counter line for 'input:established': '$line'"
fi
grep -q "not ours" "$tmp/out" && fail "a rule of table ip gatewayd was read back"

# 3. One rule deleted by handle.
h=$(handle input input:loopback)
nft_ns delete rule inet gatewayd input handle "$h"
drift
expect "rule deleted by handle" 1 "^missing rule 'input:loopback' chain input: "

# 4. A rule added, with a comment and without one.
restore "rule added" &&
	nft_ns add rule inet gatewayd input tcp dport 22 accept comment '"admin:ssh"' &&
	nft_ns insert rule inet gatewayd input tcp dport 2222 accept
drift
expect "rules added" 2 "^extra rule 'admin:ssh' chain input handle [0-9]+: not in the config" \
	"^extra rule 'handle [0-9]+' chain input handle [0-9]+: not in the config \(position 1 "

# 5. A rule's verdict changed: deleted and inserted again at the same position.
restore "verdict changed"
h=$(handle input input:established)
next=$(handle input input:invalid#src4)
nft_ns delete rule inet gatewayd input handle "$h"
nft_ns insert rule inet gatewayd input position "$next" \
	ct state established,related counter drop comment '"input:established"'
drift
expect "verdict changed" 1 \
	"^changed rule 'input:established' chain input handle [0-9]+: kernel '\[ immediate reg 0 drop \]', config '\[ immediate reg 0 accept \]'"

# 6. A rule moved: deleted and added again, same text, at the chain's end.
restore "rule moved"
h=$(handle input input:loopback)
nft_ns delete rule inet gatewayd input handle "$h"
nft_ns add rule inet gatewayd input iifname lo counter accept comment '"input:loopback"'
drift
expect "rule moved" 1 "^changed rule 'input:loopback' chain input handle [0-9]+: out of order"

# 7. An element of a compiled set deleted.
restore "element deleted" && nft_ns delete element inet gatewayd svc_dns '{ udp . 53 }'
drift
expect "set element deleted" 1 "^changed set 'svc_dns': elements: 1 missing \(.*\), 0 extra"

# 8. Elements of run-time sets are not the config's: no drift.
restore "run-time element" &&
	nft_ns add element inet gatewayd quarantine4 '{ 192.0.2.7 }' &&
	nft_ns add element inet gatewayd registered_devices '{ 02:00:00:00:00:01 . 10.11.0.5 }'
drift
if [[ $rc -eq 0 ]] && grep -qx equal "$tmp/out"; then
	pass "elements of run-time sets (quarantine4, registered_devices) are not drift"
else
	fail "elements of run-time sets reported as drift (exit $rc):"
	sed 's/^/	/' "$tmp/out" | head
fi

# 9. A chain added; a base chain's policy changed.
restore "chain added" && nft_ns add chain inet gatewayd admin_extra &&
	nft_ns add rule inet gatewayd admin_extra counter
drift
expect "chain added" 1 "^extra chain 'admin_extra': not in the config \(1 rules\)"
restore "policy changed" && nft_ns chain inet gatewayd input '{ policy accept; }'
drift
expect "policy changed" 1 "^changed chain 'input': kernel 'policy accept', config 'policy drop'"

# 10. The table made dormant.
restore "dormant" && nft_ns add table inet gatewayd '{ flags dormant; }'
drift
expect "table dormant" 1 "^changed table 'gatewayd': flags: kernel 0x1 \(dormant\)"

# 11. The table flushed: every rule is missing, chains and sets stay.
restore "flush" && nft_ns flush table inet gatewayd
drift
missing=$(grep -c "^missing rule " "$tmp/out")
expect "table flushed" "$nrules" "^missing rule '[^']*' chain "
[[ $missing -eq $nrules ]] && pass "all $nrules rules reported missing after the flush" ||
	fail "$missing of $nrules rules reported missing after the flush"

# 12. The table deleted.
nft_ns delete table inet gatewayd
drift
expect "table deleted" 1 "^missing table 'gatewayd': "

# 13. Every accept golden case (and the stable case's variants) reads back equal.
for dir in "$top"/tests/golden/*/ "$top"/tests/golden/*/variant*/; do
	[[ -f $dir/gatewayd.conf || -f $dir/config-path ]] || continue
	case=${dir#"$top"/tests/golden/}
	case=${case%/}
	# Accept cases only: a variant's parent has the expected.nft.
	[[ -f $dir/expected.nft || -f $dir/../expected.nft ]] || continue
	if [[ -f $dir/config-path ]]; then
		c=$(cd "$dir" && realpath "$(cat config-path)")
	else
		c=$dir/gatewayd.conf
	fi
	ip netns del "$nsg" 2>/dev/null
	ip netns add "$nsg" || { fail "golden $case: no namespace"; continue; }
	if (cd "$dir" && timeout 20 ip netns exec "$nsg" "$check" -c "$c" --at 2026-11-23 --apply \
		>"$tmp/g.out" 2>"$tmp/g.err"); then
		pass "golden $case: applied and read back equal"
	else
		fail "golden $case: not equal after apply:"
		sed 's/^/	/' "$tmp/g.out" "$tmp/g.err" | head -20
	fi
done

echo "$passes passed, $fails failed"
[[ $fails -eq 0 ]]

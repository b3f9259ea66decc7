#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What is reviewed is what runs (CHG-1, CHG-10): the rendering of the example
# config, loaded into a kernel with "nft -f" and read back with "nft list
# table", compares equal under "netctl diff"; deleting one rule in the kernel
# makes the diff name that rule. No traffic is sent.
#
#   +--------------------------------+
#   | netns gwstable$$               |
#   |   table inet gatewayd          |  <- nft -f rendering.nft
#   |   (no interfaces but lo)       |  -> nft list table inet gatewayd
#   +--------------------------------+
#
# Usage: render_kernel_stable.sh [NETCTL]   (or NETCTL=... in the environment)
# Runs as root. Exit 0 when every check passed.

set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
netctl=${1:-${NETCTL:-}}
ns=gwstable$$
tmp=
failed=0

if [[ -z $netctl || ! -x $netctl ]]; then
	echo "usage: $0 NETCTL (or set NETCTL to the netctl binary)" >&2
	exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
	echo "SKIP: $0 needs root (network namespaces, nft)" >&2
	exit 2
fi

cleanup() {
	ip netns del "$ns" 2>/dev/null
	[[ -n $tmp ]] && rm -rf "$tmp"
}
trap cleanup EXIT

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failed=1; }
in_ns() { timeout 20 ip netns exec "$ns" "$@"; }

tmp=$(mktemp -d) || exit 1
conf=$top/conf/gatewayd.conf

if ! "$netctl" render -c "$conf" >"$tmp/rendering.nft"; then
	fail "netctl render -c $conf"
	exit 1
fi
ip netns add "$ns" || exit 1
if ! in_ns nft -f "$tmp/rendering.nft"; then
	fail "the kernel refused the rendering (nft -f)"
	exit 1
fi
in_ns nft list table inet gatewayd >"$tmp/kernel.nft" || { fail "nft list table"; exit 1; }

# 1. The table as the kernel lists it equals the reviewed rendering.
"$netctl" diff "$tmp/rendering.nft" "$tmp/kernel.nft" >"$tmp/diff1.out" 2>&1
rc=$?
if [[ $rc -eq 0 ]] && grep -qx "no differences" "$tmp/diff1.out"; then
	pass "rendering and kernel listing are equal"
else
	fail "rendering and kernel listing differ (exit $rc):"
	sed 's/^/	/' "$tmp/diff1.out"
fi

# 2. So does the config itself, compiled in memory, against the kernel.
"$netctl" diff -c "$conf" "$tmp/kernel.nft" >"$tmp/diff2.out" 2>&1
rc=$?
if [[ $rc -eq 0 ]]; then
	pass "config and kernel listing are equal"
else
	fail "config and kernel listing differ (exit $rc):"
	sed 's/^/	/' "$tmp/diff2.out"
fi

# 3. Delete one accept rule by handle: the diff must name its id.
read -r chain handle id < <(in_ns nft -a list table inet gatewayd | awk '
	$1 == "chain" { chain = $2 }
	/ accept comment "[^"]*" # handle [0-9]+$/ {
		id = $0
		sub(/.* comment "/, "", id)
		sub(/" # handle [0-9]+$/, "", id)
		print chain, $NF, id
		exit
	}')
if [[ -z ${handle:-} || -z ${id:-} ]]; then
	fail "no accept rule with a handle found in the kernel listing"
	exit 1
fi
if ! in_ns nft delete rule inet gatewayd "$chain" handle "$handle"; then
	fail "nft delete rule inet gatewayd $chain handle $handle"
	exit 1
fi
in_ns nft list table inet gatewayd >"$tmp/kernel2.nft" || { fail "nft list table"; exit 1; }
"$netctl" diff "$tmp/rendering.nft" "$tmp/kernel2.nft" >"$tmp/diff3.out" 2>&1
rc=$?
if [[ $rc -eq 1 ]] && grep -qF -- "- rule $id" "$tmp/diff3.out" &&
   grep -qF -- "~ chain $chain" "$tmp/diff3.out" &&
   grep -qx "0 added, 1 removed, 1 changed" "$tmp/diff3.out"; then
	pass "deleting rule '$id' (chain $chain, handle $handle) is reported"
else
	fail "deleting rule '$id' (chain $chain, handle $handle) not reported as expected (exit $rc):"
	sed 's/^/	/' "$tmp/diff3.out"
fi

exit $failed

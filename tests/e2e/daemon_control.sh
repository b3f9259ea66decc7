#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# gatewayd as a daemon in a network namespace of its own (gwdaemon$$):
# start, status, reload of a broken config (refused, file:line, ruleset
# unchanged: CHG-11, CHG-12), reload of a real change (new version with its
# digests: CHG-10, CHG-13), rollback (CHG-11), SIGHUP, who may do what
# (ADM-4, ADM-9), malformed requests, and SIGTERM leaving the ruleset in
# place (fail closed). No traffic is sent.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
gatewayd=$build/gatewayd
netctl=${NETCTL:-$build/netctl}
ns=gwdaemon$$
tmp=$(mktemp -d)
chmod 755 "$tmp"	# nobody must reach the socket in it
sock=$tmp/control
state=$tmp/state
pid=
passes=0
fails=0
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
rules() { ip netns exec "$ns" nft list table inet gatewayd | grep -c 'comment "'; }
has_rule() {	# not "nft | grep -q": with pipefail, grep's early exit fails nft
	ip netns exec "$ns" nft list table inet gatewayd >"$tmp/listing" &&
		grep -q "comment \"$1\"" "$tmp/listing"
}
version() { "$netctl" status -S "$sock" --json | sed -n 's/.*"version": \([0-9]*\).*/\1/p' | sed -n 1p; }
wait_for() {	# wait_for SECONDS CMD...: poll until CMD succeeds
	local end=$((SECONDS + $1))
	shift
	until "$@" 2>/dev/null; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

cp -r "$top/conf" "$top/zones" "$tmp/"
conf=$tmp/conf/gatewayd.conf
# This run's people: root as netadmin, nobody (group nogroup) as auditor.
sed -i 's|^daemon = {|daemon = {\n\tsocket_group = "nogroup";|' "$conf"
sed -i 's|{ user = "audit";   name = "Internal audit";         roles = \[ "auditor" \]; }|{ user = "nobody"; name = "Test auditor"; roles = [ "auditor" ]; }|' "$conf"

ip netns add "$ns" || exit 1
ip netns exec "$ns" "$gatewayd" -c "$conf" -f -S "$sock" --state-dir "$state" 2>"$tmp/log" &
pid=$!
if wait_for 10 test -S "$sock"; then pass "gatewayd started, control socket $(stat -c '%a %G' "$sock")"
else fail "gatewayd did not start: $(cat "$tmp/log")"; exit 1; fi
[ "$(stat -c %a "$sock")" = 660 ] && pass "socket mode 0660 (ADM-9)" || fail "socket mode $(stat -c %a "$sock")"

out=$("$netctl" status -S "$sock") && echo "$out" | grep '^applied:  version 1 ' >/dev/null &&
	pass "status: version 1, $(echo "$out" | sed -n 's/^table: *//p')" || fail "status: $out"
echo "$out" | grep -Eq 'config sha256 [0-9a-f]{64}' && pass "status shows the config digest (CHG-10)" ||
	fail "no config digest in status"
n1=$(rules)

# A broken config: refused with file:line, the running ruleset stays.
cp "$tmp/zones/floor1.conf" "$tmp/floor1.good"
sed -i 's|services = \[ "smb" \]; to_hosts = \[ "fs" \]|services = [ "smbb" ]; to_hosts = [ "fs" ]|' "$tmp/zones/floor1.conf"
if out=$("$netctl" reload -S "$sock" 2>&1); then fail "broken config was applied"
else
	echo "$out" | grep "zones/floor1.conf:[0-9]*: .*service 'smbb' is not defined (did you mean 'smb'?)" >/dev/null &&
		pass "reload of a broken config refused: $(echo "$out" | grep smbb)" || fail "refusal: $out"
fi
[ "$(rules)" = "$n1" ] && has_rule 'floor1>server:smb@fs' && [ "$(version)" = 1 ] &&
	pass "running ruleset unchanged after the refusal (still version 1)" || fail "ruleset changed"
kill -HUP "$pid"
wait_for 5 grep -q 'reload refused' "$tmp/log" && pass "SIGHUP with a broken config: refused, logged" ||
	fail "SIGHUP refusal not logged: $(tail -n3 "$tmp/log")"
grep -q "floor1.conf:[0-9]*: .*smbb" "$tmp/log" && pass "the log names file:line" || fail "log lacks file:line"

# A real change: a new version, the new rule in the kernel.
cp "$tmp/floor1.good" "$tmp/zones/floor1.conf"
sed -i 's|services = \[ "ipp" \]; to_hosts = \[ "print" \]|services = [ "ipp", "smb" ]; to_hosts = [ "print" ]|' "$tmp/zones/floor1.conf"
out=$("$netctl" reload -S "$sock") && echo "$out" | grep 'applied version 2 (reload by Gateway console (root))' >/dev/null &&
	pass "reload applied: $out" || fail "reload: $out"
has_rule 'floor1>server:smb@print' && pass "the new rule is in the kernel" || fail "new rule missing"
hist=$("$netctl" history -S "$sock")
[ "$(echo "$hist" | tail -n +2 | wc -l)" = 2 ] && pass "history lists 2 versions (CHG-13)" || fail "history: $hist"
ls "$state"/history/000002/config.bundle "$state"/history/000002/ruleset.nft >/dev/null &&
	pass "version 2 kept: config bundle and rendering" || fail "version 2 files missing"

# Rollback re-applies version 1 as version 3.
out=$("$netctl" rollback -S "$sock") && echo "$out" | grep 'applied version 3 (rollback to 1 by' >/dev/null &&
	pass "rollback: $out" || fail "rollback: $out"
has_rule 'floor1>server:smb@print' && fail "rolled-back rule still present" || pass "the rule is gone again (CHG-11)"
c1=$("$netctl" history -S "$sock" --json | grep -A0 config_sha256 | sed -n '1p')
c3=$("$netctl" history -S "$sock" --json | grep config_sha256 | sed -n '3p')
[ "$c1" = "$c3" ] && pass "version 3 has version 1's config digest" || fail "digests differ: $c1 / $c3"

# Who may do what: nobody is an auditor here.
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$netctl" status -S "$sock" 2>&1) &&
	pass "an auditor may read the status (ADM-4)" || fail "auditor status: $out"
if out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$netctl" reload -S "$sock" 2>&1); then
	fail "an auditor could reload"
else
	echo "$out" | grep "needs the role netadmin" >/dev/null && pass "an auditor may not reload: $out" ||
		fail "auditor reload refusal: $out"
fi
sed -i 's|{ user = "nobody"; name = "Test auditor"; roles = \[ "auditor" \]; }|{ user = "audit"; name = "Internal audit"; roles = [ "auditor" ]; }|' "$conf"
"$netctl" reload -S "$sock" >/dev/null || fail "reload without nobody"
if out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$netctl" status -S "$sock" 2>&1); then
	fail "an unknown user got the status"
else
	echo "$out" | grep "not in the config's 'people'" >/dev/null && pass "an unknown user is refused (ADM-9): $out" ||
		fail "unknown user: $out"
fi

# ADM-6: rolling back to version 1, where nobody was an auditor, restores the
# network policy but not nobody's access.
"$netctl" rollback -S "$sock" 1 >/dev/null || fail "rollback to version 1"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$netctl" status -S "$sock" 2>&1)
if grep "not in the config's 'people'" >/dev/null <<<"$out"; then
	pass "a rollback keeps today's people: the removed auditor stays out (ADM-6)"
else
	fail "after a rollback the removed person got: $out"
fi

# Malformed and oversized requests get an error; gatewayd keeps serving.
python3 - "$sock" <<'PY' >"$tmp/bad" 2>&1
import socket, sys
for payload in [b"{", b"[]", b'{"verb":"status","x":1}', b'{"verb":"format c:"}', b"\x00" * 10, b"{" * 70000]:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1]); s.send(payload); print(s.recv(65536).decode()); s.close()
PY
[ "$(grep -c '"ok":false' "$tmp/bad")" = 6 ] && pass "6 malformed requests answered with errors" ||
	fail "malformed: $(cat "$tmp/bad")"
grep -q 'request too large' "$tmp/bad" && pass "an oversized request is refused as too large" || fail "no size refusal"
"$netctl" status -S "$sock" >/dev/null && pass "gatewayd still serves after them" || fail "gatewayd died"

# CHG-1: a hand edit of the kernel's table shows as drift, and reload restores it.
out=$("$netctl" status -S "$sock") && echo "$out" | grep 'table matches the applied version' >/dev/null &&
	pass "status reads the table back: it matches the applied version" || fail "status drift: $out"
h=$(ip netns exec "$ns" nft -a list chain inet gatewayd fwd_floor1_server |
	sed -n 's/.*comment "floor1>server:smb@fs" # handle \([0-9]*\)$/\1/p')
ip netns exec "$ns" nft delete rule inet gatewayd fwd_floor1_server handle "$h"
out=$("$netctl" status -S "$sock")
echo "$out" | grep "DRIFT: 1 differences" >/dev/null && echo "$out" | grep "missing rule 'floor1>server:smb@fs'" >/dev/null &&
	pass "a rule deleted by hand is reported as drift: $(echo "$out" | grep "missing rule")" ||
	fail "drift not reported: $out"
grep -q "drift: missing rule 'floor1>server:smb@fs'" "$tmp/log" && pass "drift is logged" ||
	fail "drift not logged"
"$netctl" reload -S "$sock" >/dev/null && "$netctl" status -S "$sock" | grep 'table matches' >/dev/null &&
	pass "reload restores the reviewed ruleset" || fail "drift after reload"
"$netctl" status -S "$sock" | grep '^fwd_floor1_server' >/dev/null && pass "status lists per-zone-pair counters" ||
	fail "no zone-pair counters"

# C-22: an exception stops working by itself at its expiry, without a reload.
exp=$(date -u -d '+4 seconds' +%Y-%m-%dT%H:%M:%SZ)
sed -i "s|expires = \"2027-10-31\";|expires = \"$exp\";|" "$conf"
"$netctl" reload -S "$sock" >/dev/null 2>&1 || fail "reload with a short exception"
has_rule 'floor2>internet:sftp' && pass "the exception's rule is in force until $exp" ||
	fail "exception rule missing before expiry"
v=$(version)
if wait_for 15 sh -c "! ip netns exec $ns nft list table inet gatewayd | grep 'floor2>internet:sftp\"' >/dev/null"; then
	pass "at expiry the rule left the kernel by itself (C-22, OPS-8)"
else
	fail "the expired exception's rule is still in force"
fi
[ "$(version)" -gt "$v" ] && "$netctl" history -S "$sock" | tail -n1 | grep 'exception start or expiry' >/dev/null &&
	pass "the expiry is a recorded version: $("$netctl" history -S "$sock" | tail -n1 | cut -c1-60)" ||
	fail "expiry not recorded"
grep -q "exception 'EXC-2026-007' expired on .*: the policy is left out" "$tmp/log" &&
	pass "the log says which exception lapsed" || fail "no lapse warning in the log"

# SIGTERM: fail closed, the ruleset stays.
n=$(rules)
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
[ $rc = 0 ] && [ "$(rules)" = "$n" ] && pass "SIGTERM: exit 0, ruleset left in force ($n rules)" ||
	fail "after SIGTERM rc=$rc rules=$(rules)"
[ ! -e "$sock" ] && pass "control socket removed on exit" || fail "socket left behind"

# on_stop = "remove": the table goes with the daemon.
sed -i 's|on_stop = "keep";|on_stop = "remove";|' "$conf"
ip netns exec "$ns" "$gatewayd" -c "$conf" -f -S "$sock" --state-dir "$state" 2>>"$tmp/log" &
pid=$!
wait_for 10 test -S "$sock" || fail "restart"
kill -TERM "$pid"; wait "$pid"; pid=
ip netns exec "$ns" nft list table inet gatewayd >/dev/null 2>&1 && fail "table still there" ||
	pass "on_stop = \"remove\": the table is removed on SIGTERM"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]

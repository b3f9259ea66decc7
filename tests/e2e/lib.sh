# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers of the e2e traffic tests, sourced after scripts/lab (which
# gives the topology: lab_init, lab_up, lab_spawn, lab_addr, lab_ns, lab_down).
#
# Listeners run in the lab's namespaces and append one line per request
# received to $e2e_rx:
#     ZONE PROTO PORT PEER PEERPORT LOCAL TOKEN
# PEER and LOCAL are the addresses the receiving socket saw, so a test reads
# what NAT did from the listener, not from the ruleset. TCP listeners answer
# each line with "ACK TOKEN peer=PEER:PORT local=LOCAL:PORT", so a TCP probe
# passes only when the answer came all the way back.

e2e_passed=0
e2e_failed=0
e2e_tmp=
e2e_rx=
e2e_listeners=()	# "zone proto port" of each listener, for e2e_wait_listening
e2e_probe_pids=()	# probes in flight, for the caller's cleanup
declare -gA e2e_rxmap=()	# token -> listener line, filled by e2e_rx_load

pass() { echo "PASS: $*"; e2e_passed=$((e2e_passed + 1)); }
fail() { echo "FAIL: $*"; e2e_failed=$((e2e_failed + 1)); }
e2e_summary() { echo "$e2e_passed passed, $e2e_failed failed"; [[ $e2e_failed -eq 0 ]]; }

# e2e_init TMPDIR: write the listeners' and probes' scripts there.
e2e_init()
{
	e2e_tmp=$1
	e2e_rx=$1/rx.log
	: >"$e2e_rx"
	# One TCP connection (a socat child): log each line, answer it.
	cat >"$e2e_tmp/tcp-responder" <<-'EOF'
	#!/bin/sh
	zone=$1 port=$2 log=$3
	while IFS= read -r l; do
		echo "$zone tcp $port $SOCAT_PEERADDR $SOCAT_PEERPORT $SOCAT_SOCKADDR $l" >>"$log"
		echo "ACK $l peer=$SOCAT_PEERADDR:$SOCAT_PEERPORT local=$SOCAT_SOCKADDR:$port"
	done
	EOF
	# One UDP datagram (a socat child; ip-pktinfo gives its destination).
	cat >"$e2e_tmp/udp-recorder" <<-'EOF'
	#!/bin/sh
	zone=$1 port=$2 log=$3
	IFS= read -r l
	echo "$zone udp $port $SOCAT_PEERADDR $SOCAT_PEERPORT $SOCAT_IP_DSTADDR $l" >>"$log"
	EOF
	# One probe, bounded (run inside the source namespace):
	#   tcp: send TOKEN, read the answer (nc -N half-closes after the line)
	#   udp: send TOKEN as one datagram; icmp: one echo request
	cat >"$e2e_tmp/probe" <<-'EOF'
	#!/bin/sh
	proto=$1 src=$2 dst=$3 port=$4 token=$5 out=$6
	t0=$(date +%s%N)
	case $proto in
	tcp) printf '%s\n' "$token" | timeout 14 nc -n -N -w 8 -s "$src" "$dst" "$port" >"$out" 2>&1 ;;
	udp) printf '%s\n' "$token" | timeout 4 nc -n -u -w 1 -s "$src" "$dst" "$port" >"$out" 2>&1 ;;
	icmp) timeout 4 ping -n -c 1 -W 1 -I "$src" "$dst" >"$out" 2>&1 ;;
	esac
	# How the probe ended, for a failure's message: exit code, duration.
	rc=$?
	echo "exit $rc after $((($(date +%s%N) - t0) / 1000000)) ms" >"$out.end"
	exit $rc
	EOF
	# The probes of a job file (one "PROTO SRC DST PORT TOKEN OUT" a line)
	# in one namespace, at most 8 at a time: with every namespace's probes
	# at once, two cores were once so loaded that an allowed connection's
	# SYN retransmissions ran out before it was answered (a false failure).
	# Every probe is bounded, so is the wait.
	cat >"$e2e_tmp/probes" <<-'EOF'
	#!/bin/sh
	xargs -P 8 -L 1 "$(dirname "$0")/probe" <"$1"
	EOF
	chmod +x "$e2e_tmp/tcp-responder" "$e2e_tmp/udp-recorder" "$e2e_tmp/probe" "$e2e_tmp/probes"
}

# e2e_listen ZONE PROTO PORT...: wildcard listeners in ZONE's namespace, so
# a packet the gateway wrongly forwards to any address there is recorded.
# Each socat is bounded: -T closes an idle connection.
e2e_listen()
{
	local zone=$1 proto=$2 port

	shift 2
	for port in "$@"; do
		case $proto in
		tcp)
			lab_spawn "$zone" socat -T 20 "TCP-LISTEN:$port,fork,reuseaddr,backlog=128" \
				"EXEC:$e2e_tmp/tcp-responder $zone $port $e2e_rx" \
				>>"$e2e_tmp/listen.err" 2>&1 || return 1
			;;
		udp)
			lab_spawn "$zone" socat -T 1 -u "UDP-RECVFROM:$port,fork,reuseaddr,ip-pktinfo" \
				"EXEC:$e2e_tmp/udp-recorder $zone $port $e2e_rx" \
				>>"$e2e_tmp/listen.err" 2>&1 || return 1
			;;
		esac
		e2e_listeners+=("$zone $proto $port")
	done
}

# e2e_relay ZONE PORT TARGET TPORT BIND: a forwarding TCP listener (the web
# proxy): each connection to PORT is relayed to TARGET:TPORT from BIND.
e2e_relay()
{
	lab_spawn "$1" socat -T 10 -t 2 "TCP-LISTEN:$2,fork,reuseaddr,backlog=128" \
		"TCP:$3:$4,bind=$5,connect-timeout=3" >>"$e2e_tmp/listen.err" 2>&1 || return 1
	e2e_listeners+=("$1 tcp $2")
}

# e2e_wait_listening SECONDS: poll until every listener's socket exists.
e2e_wait_listening()
{
	local deadline=$((SECONDS + $1)) l zone proto port missing
	local -A sockets=()

	while :; do
		missing= sockets=()
		for l in "${e2e_listeners[@]}"; do
			zone=${l%% *}
			[[ -n ${sockets[$zone]:-} ]] && continue
			sockets[$zone]=$(ip netns exec "$(lab_ns "$zone")" ss -Hln -A tcp,udp |
				awk '{ print $1, $5 }')
		done
		for l in "${e2e_listeners[@]}"; do
			read -r zone proto port <<<"$l"
			grep -Eq "^$proto .*:$port\$" <<<"${sockets[$zone]}" || missing="$missing $l;"
		done
		[[ -z $missing ]] && return 0
		if ((SECONDS >= deadline)); then
			echo "not listening:$missing" >&2
			return 1
		fi
		sleep 0.1
	done
}

# e2e_send NS SRC DST PROTO PORT TOKEN OUT: one probe from SRC (an address
# in namespace NS) to DST; its output goes to OUT.
e2e_send()
{
	timeout 16 ip netns exec "$1" "$e2e_tmp/probe" "$4" "$2" "$3" "$5" "$6" "$7"
}

# e2e_send_bg ...: e2e_send in the background; e2e_wait_probes waits for all.
e2e_send_bg() { e2e_send "$@" & e2e_probe_pids+=($!); }
e2e_wait_probes() { wait "${e2e_probe_pids[@]}"; e2e_probe_pids=(); }

# e2e_batch JOBS: run the probes of JOBS (one "NS PROTO SRC DST PORT TOKEN
# OUT" a line) all at once, one 'ip netns exec' per namespace.
e2e_batch()
{
	local ns rest dir=$e2e_tmp/jobs

	rm -rf "$dir" && mkdir -p "$dir" || return 1
	while read -r ns rest; do
		echo "$rest" >>"$dir/$ns"
	done <"$1"
	for ns in "$dir"/*; do
		timeout 120 ip netns exec "${ns##*/}" "$e2e_tmp/probes" "$ns" &
		e2e_probe_pids+=($!)
	done
	e2e_wait_probes
}

# e2e_rx TOKEN: the listener's line for TOKEN (empty if none arrived).
e2e_rx() { awk -v t="$1" '$NF == t { print; exit }' "$e2e_rx"; }

# e2e_rx_load: read the listeners' log into e2e_rxmap (token -> line).
e2e_rx_load()
{
	local l

	e2e_rxmap=()
	while IFS= read -r l; do
		# shellcheck disable=SC2034 # read by the sourcing test
		e2e_rxmap[${l##* }]=$l
	done <"$e2e_rx"
}

# e2e_wait_rx TOKEN SECONDS: poll for TOKEN at a listener, with a deadline.
e2e_wait_rx()
{
	local deadline=$((SECONDS + $2))

	until [[ -n $(e2e_rx "$1") ]]; do
		((SECONDS >= deadline)) && return 1
		sleep 0.1
	done
}

# e2e_answered PROTO OUT TOKEN: did the probe get its answer back?
e2e_answered()
{
	local out=

	IFS= read -r -d '' out <"$2"
	case $1 in
	tcp) [[ $'\n'$out == *$'\n'"ACK $3 "* ]] ;;
	icmp) [[ $out == *" 1 received"* ]] ;;
	udp) [[ -n $(e2e_rx "$3") ]] ;;
	esac
}

# rule_counters NS ARRAY: every rule's packet counter of table inet
# gatewayd, by rule id (its comment), into the associative ARRAY.
rule_counters()
{
	local -n _cnt=$2
	local id n

	_cnt=()
	while read -r id n; do
		# shellcheck disable=SC2004 # an associative array: the key is a string
		_cnt[$id]=$n
	done < <(ip netns exec "$1" nft list table inet gatewayd |
		awk '/counter packets [0-9]+ .* comment "[^"]*"$/ {
			for (i = 1; i < NF; i++) if ($i == "packets") n = $(i + 1)
			id = $0; sub(/.* comment "/, "", id); sub(/"$/, "", id)
			print id, n }')
}

# rule_packets NS CHAIN ID: the packet counter of the rule commented ID in
# table inet gatewayd, as 'nft list chain' shows it.
rule_packets()
{
	ip netns exec "$1" nft list chain inet gatewayd "$2" |
		awk -v s="comment \"$3\"" 'substr($0, length($0) - length(s) + 1) == s {
			for (i = 1; i < NF - 1; i++)
				if ($i == "counter" && $(i + 1) == "packets") { print $(i + 2); exit } }'
}

# e2e_people CONF: in a copy of the example config, the help desk and the
# department head become the system accounts daemon and bin, group nogroup
# may use the control socket (its directory must be 0755), and notices go
# nowhere. For tests that admit devices through the registry.
e2e_people()
{
	sed -i -e 's|^daemon = {|daemon = {\n\tsocket_group = "nogroup";|' \
		-e 's|user = "sato"; |user = "daemon";|' -e 's|user = "kimura"; |user = "bin";|' \
		-e 's|notify_command = .*|notify_command = "cat >/dev/null";|' "$1"
}

# e2e_register NETCTL SOCKET ZONE MAC: a company PC in ZONE filed by the
# help desk, endorsed by the department head and approved by root (LANREQ,
# C-1): admitted with the next address of the zone's pool. Prints the
# approval line; fails when any step is refused.
e2e_register()
{
	local netctl=$1 sock=$2 zone=$3 mac=$4 req id

	req=$(mktemp) || return 1
	cat >"$req" <<-EOF2
	user.name = Test User $mac
	user.department = Test
	user.contact = test@example.co.jp
	purpose = end-to-end test
	usage.location_requested = lab
	usage.services = intranet
	usage.valid_from = $(date -u +%F)
	usage.valid_until = $(date -u -d '+30 days' +%F)
	device.custodian = Test User
	device.custodian_contact = test@example.co.jp
	device.mac = $mac
	device.name = TEST-$zone
	device.addr_mode = static
	device.dns = no
	device.directory = none
	device.os = Linux
	device.software = none
	device.security = lab
	device.class = pc
	owner = company
	owner.asset_id = LAB-1
	zone = $zone
	EOF2
	chmod 644 "$req"
	id=$(setpriv --reuid=daemon --regid=nogroup --clear-groups "$netctl" device request \
		--file "$req" -S "$sock" | sed -n 's/^registration \([0-9]*\) filed.*/\1/p')
	rm -f "$req"
	[[ -n $id ]] &&
		setpriv --reuid=bin --regid=nogroup --clear-groups "$netctl" device endorse "$id" \
			-S "$sock" >/dev/null &&
		"$netctl" device approve "$id" --device.connection-point "lab $zone" -S "$sock"
}

# ---- the LAN registry's tests ------------------------------------------------
# Shared by registry.sh, registry_ops.sh, registry_flow.sh and
# registry_watch.sh. They use the sourcing script's variables: gatewayd,
# netctl, conf, sock, state, tmp, mail, and gw (the gateway's namespace);
# start_gatewayd sets gwpid. A script may define its own after sourcing.

# as USER CMD...: CMD as USER, group nogroup (which may use the socket).
as() { local u=$1; shift; setpriv --reuid="$u" --regid=nogroup --clear-groups "$@"; }
dev() { "$netctl" device "$@" -S "$sock"; }
dev_as() { local u=$1; shift; as "$u" "$netctl" device "$@" -S "$sock"; }

# wait_for SECONDS CMD...: poll CMD until it succeeds, with a deadline.
wait_for()
{
	local end=$((SECONDS + $1))

	shift
	until "$@" 2>/dev/null; do
		((SECONDS >= end)) && return 1
		sleep 0.2
	done
}

# ok WHAT PATTERN CMD...: CMD must succeed with PATTERN in its output.
ok()
{
	local what=$1 pat=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [[ $rc -eq 0 ]] && grep -q -- "$pat" <<<"$out"; then
		pass "$what: $(head -n1 <<<"$out")"
	else
		fail "$what: exit $rc, expected '$pat': $out"
	fi
}

# refused WHAT PATTERN CMD...: CMD must exit 1 with PATTERN in its reason.
refused()
{
	local what=$1 pat=$2 out rc

	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [[ $rc -eq 1 ]] && grep -q -- "$pat" <<<"$out"; then
		pass "$what refused: $(head -n1 <<<"$out")"
	else
		fail "$what: exit $rc, expected a refusal with '$pat': $out"
	fi
}

# start_gatewayd: gatewayd in the gateway namespace, until it answers.
start_gatewayd()
{
	ip netns exec "$gw" "$gatewayd" -c "$conf" -f -S "$sock" --state-dir "$state" \
		--log-dir "$tmp/log" 2>>"$tmp/gatewayd.log" &
	gwpid=$!
	wait_for 15 test -S "$sock" && wait_for 10 "$netctl" status -S "$sock" >/dev/null
}
stop_gatewayd() { kill "$gwpid" && wait "$gwpid" 2>/dev/null; gwpid=; rm -f "$sock"; }

# reg_mta: $tmp/mta, a notify command that keeps each notice as a file in $mail.
reg_mta()
{
	mkdir -p "$mail" && chmod 777 "$mail" || return 1
	printf '#!/bin/sh\ncat >"%s/$(date +%%s%%N).msg"\n' "$mail" >"$tmp/mta" &&
		chmod 755 "$tmp/mta"
}

# e2e_lab_start NAME TOOL...: the common start of a lab test run as root:
# gatewayd, netctl and each TOOL must be there; $tmp is a new directory
# (mode 755, for the accounts the tests act as), the lab is NAME$$, and on
# exit gatewayd ($gwpid) is stopped, e2e_cleanup_extra runs if the test
# defines it, the lab is torn down and $tmp removed (kept with KEEP=1).
# Needs scripts/lab sourced, and $gatewayd and $netctl set.
e2e_lab_start()
{
	local name=$1 t

	shift
	if [[ $(id -u) -ne 0 ]]; then
		echo "SKIP: $0 needs root (network namespaces, nft)" >&2
		exit 2
	fi
	for t in "$gatewayd" "$netctl" "$@"; do
		command -v "$t" >/dev/null || { echo "FAIL: $t not found (scripts/deps)" >&2; exit 1; }
	done
	tmp=$(mktemp -d) || exit 1
	chmod 755 "$tmp"
	gwpid=
	lab_init "$name$$" || exit 1
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM
}

e2e_cleanup()
{
	declare -F e2e_cleanup_extra >/dev/null && e2e_cleanup_extra
	[[ -n $gwpid ]] && kill "$gwpid" 2>/dev/null && wait "$gwpid" 2>/dev/null
	lab_down
	[[ -n ${KEEP:-} ]] && echo "kept $tmp" || rm -rf "$tmp"
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of lib/lanpeers (LANREQ-33): a trace summary of an expiring
 * device's address, as the text its expiry notice and 'device show' carry.
 */
#include "helpers.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "lanpeers.h"
#include "util.h"

#define US(t) ((int64_t)(t) * 1000000)

static struct logtrace_peer peer4(const char *a, uint8_t proto, int port, bool out, uint64_t n,
				  uint64_t denied)
{
	struct logtrace_peer p;

	memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, a, p.addr), 1);
	p.protocol = proto;
	p.has_port = port >= 0;
	p.port = port >= 0 ? (uint16_t)port : 0;
	p.outbound = out;
	p.count = n;
	p.denied = denied;
	p.permitted = n - denied;
	p.first_us = US(T_NOW - 5 * T_DAY);
	p.last_us = US(T_NOW - T_DAY);
	return p;
}

static void peers_are_listed_with_names(void **state)
{
	struct logtrace_peer v[2];
	struct logtrace_summary s = { 0 };
	struct host fs = { 0 };
	struct host *hosts[1] = { &fs };
	struct svc_port smbp = { IPPROTO_TCP, 445, 445, -1 };
	struct service smb = { 0 };
	struct service *svcs[1] = { &smb };
	struct policy p;
	char *t;

	(void)state;
	memset(&p, 0, sizeof(p));
	fs.name = "fs";
	assert_int_equal(prefix_parse("10.30.0.10/32", &fs.addr4), 0);
	smb.name = "smb";
	smb.ports = &smbp;
	smb.n_ports = 1;
	p.hosts = hosts;
	p.n_hosts = 1;
	p.services = svcs;
	p.n_services = 1;
	v[0] = peer4("10.30.0.10", IPPROTO_TCP, 445, true, 8, 0);
	v[1] = peer4("10.11.0.5", IPPROTO_TCP, 22, false, 2, 2);
	s.records = 10;
	s.permitted = 8;
	s.denied = 2;
	s.first_us = US(T_NOW - 5 * T_DAY);
	s.last_us = US(T_NOW - T_DAY);
	s.peers = v;
	s.n_peers = 2;
	t = lanpeers_text(&s, "10.11.0.100", 30, LANPEERS_TOP, &p);
	assert_non_null(t);
	assert_string_equal(
		t, "Hosts and services it talked to (LANREQ-33), from the firewall log of the last "
		   "30 days:\n"
		   "  10.11.0.100: 10 connections (8 permitted, 2 denied) from "
		   "2026-12-27T00:00:00Z to 2026-12-31T00:00:00Z\n"
		   "  to   10.30.0.10 (fs)                    tcp/445 (smb)               8 "
		   "connections, 0 denied, last 2026-12-31T00:00:00Z\n"
		   "  from 10.11.0.5                          tcp/22                      2 "
		   "connections, 2 denied, last 2026-12-31T00:00:00Z\n");
	free(t);
	/* Without a policy: no names. */
	t = lanpeers_text(&s, "10.11.0.100", 30, LANPEERS_TOP, NULL);
	assert_non_null(strstr(t, "  to   10.30.0.10                         tcp/445    "));
	free(t);
}

static void no_records_is_said(void **state)
{
	struct logtrace_summary s = { 0 };
	char *t;

	(void)state;
	t = lanpeers_text(&s, "10.11.0.100", 7, LANPEERS_TOP, NULL);
	assert_string_equal(t, "Hosts and services it talked to (LANREQ-33), from the firewall log "
			       "of the last 7 days:\n"
			       "  the log has no record of 10.11.0.100 in that time.\n");
	free(t);
}

/* At most LANPEERS_TOP peers, whatever @top asks; the rest summed, with the trace's others. */
static void peers_are_bounded(void **state)
{
	struct logtrace_peer v[30];
	struct logtrace_summary s = { 0 };
	char a[16], *t, *l;
	size_t i, lines = 0;

	(void)state;
	for (i = 0; i < 30; i++) {
		snprintf(a, sizeof(a), "10.30.0.%zu", i + 1);
		v[i] = peer4(a, IPPROTO_UDP, 53, true, 30 - i, 0);
		s.records += 30 - i;
	}
	s.others = 7;
	s.records += 7;
	s.peers = v;
	s.n_peers = 30;
	s.first_us = s.last_us = US(T_NOW);
	t = lanpeers_text(&s, "10.11.0.100", 30, 1000, NULL);
	for (l = t; (l = strstr(l, " connections, ")); l++)
		lines++;
	assert_int_equal(lines, LANPEERS_TOP);
	assert_non_null(strstr(t, "10.30.0.20 "));
	assert_null(strstr(t, "10.30.0.21 "));
	/* Peers 21..30 hold 10 + 9 + ... + 1 = 55 connections, and 7 beyond the trace. */
	assert_non_null(strstr(t, "  and 10 more peers: 62 connections\n"));
	free(t);
	t = lanpeers_text(&s, "10.11.0.100", 30, 3, NULL);
	assert_non_null(strstr(t, "  and 27 more peers: "));
	free(t);
}

static void block_goes_before_the_signature(void **state)
{
	char *m;

	(void)state;
	m = lanpeers_notice("To: a@b\nSubject: x\n\nBody.\n\n-- \ngatewayd LAN registry\n",
			    "Peers:\n  none\n");
	assert_string_equal(m, "To: a@b\nSubject: x\n\nBody.\n\nPeers:\n  none\n\n-- \n"
			       "gatewayd LAN registry\n");
	free(m);
	m = lanpeers_notice("Body.\n", "Peers.\n");
	assert_string_equal(m, "Body.\n\nPeers.\n");
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(peers_are_listed_with_names),
		cmocka_unit_test(no_records_is_said),
		cmocka_unit_test(peers_are_bounded),
		cmocka_unit_test(block_goes_before_the_signature),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

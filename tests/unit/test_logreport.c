/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of lib/logreport: the periodic analysis' findings from
 * constructed firewall records, each threshold at its boundary, the memory
 * bounds, and the trace of one host.
 */
#include "helpers.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include "logreport.h"

#define T0 ((int64_t)T_NOW * 1000000) /* µs */
#define SEC 1000000LL

static const char *const inet_zones[] = { "internet" };
static const char *const vpn_zones[] = { "vpn" };

static struct logrec rec(int64_t t, bool permitted, const char *rule, const char *from,
			 const char *to, const char *src, const char *dst, uint16_t dport)
{
	struct logrec r;

	memset(&r, 0, sizeof(r));
	r.time_us = t;
	r.permitted = permitted;
	snprintf(r.rule_id, sizeof(r.rule_id), "%s", rule);
	snprintf(r.zone_from, sizeof(r.zone_from), "%s", from);
	snprintf(r.zone_to, sizeof(r.zone_to), "%s", to);
	r.family = strchr(src, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(r.family, src, r.saddr), 1);
	assert_int_equal(inet_pton(r.family, dst, r.daddr), 1);
	r.protocol = 6;
	r.has_ports = true;
	r.sport = 40000;
	r.dport = dport;
	return r;
}

static struct logreport *new_lr(const struct logreport_limits *l, const struct logreport_db *db,
				size_t n_db)
{
	struct logreport_ctx ctx = {
		.internet_zones = inet_zones, .n_internet_zones = 1,
		.vpn_zones = vpn_zones, .n_vpn_zones = 1,
		.db = db, .n_db = n_db,
	};
	struct logreport *lr = NULL;

	assert_int_equal(logreport_new(l, &ctx, &lr), 0);
	return lr;
}

static void add(struct logreport *lr, struct logrec r)
{
	assert_int_equal(logreport_add(lr, &r), 0);
}

static void assert_addr(const struct logreport_finding *f, const char *a)
{
	char s[INET6_ADDRSTRLEN];

	assert_non_null(inet_ntop(f->family, f->addr, s, sizeof(s)));
	assert_string_equal(s, a);
}

/* @n denied records from @src to one host and port, one a second from @t. */
static void denials(struct logreport *lr, int64_t t, unsigned n, const char *src)
{
	unsigned i;

	for (i = 0; i < n; i++)
		add(lr, rec(t + i * SEC, false, "internet>dmz:default", "internet", "dmz", src,
			    "172.20.0.10", 22));
}

/* LOG-14, INC-5 */
static void denials_reaching_the_threshold_in_a_window_are_reported(void **state)
{
	struct logreport_limits l = LOGREPORT_LIMITS_DEFAULT;
	struct logreport_summary s;
	struct logreport *lr;

	(void)state;
	l.denied = 5;
	l.window = 10;
	lr = new_lr(&l, NULL, 0);
	denials(lr, T0, 4, "198.51.100.1");  /* one below the threshold */
	denials(lr, T0, 5, "198.51.100.2");  /* at the threshold, within 10 s */
	assert_int_equal(logreport_result(lr, &s), 0);
	assert_int_equal(s.records, 9);
	assert_int_equal(s.denied, 9);
	assert_int_equal(s.kinds[LR_DENIALS].n, 1);
	assert_addr(&s.kinds[LR_DENIALS].v[0], "198.51.100.2");
	assert_int_equal(s.kinds[LR_DENIALS].v[0].count, 5);
	assert_int_equal(s.kinds[LR_DENIALS].v[0].bursts, 1);
	assert_int_equal(s.kinds[LR_DENIALS].v[0].max_denied, 5);
	assert_true(s.kinds[LR_DENIALS].v[0].first_us == T0);
	assert_true(s.kinds[LR_DENIALS].v[0].last_us == T0 + 4 * SEC);
	assert_string_equal(s.kinds[LR_DENIALS].v[0].samples[0], "internet>dmz:default");
	assert_string_equal(s.kinds[LR_DENIALS].v[0].samples[1], "");
	assert_int_equal(s.kinds[LR_SCAN].n, 0); /* one port, one host */
	logreport_free(lr);
}

/* LOG-14: the window is anchored at a burst's first denial; at anchor + window a new one starts. */
static void denials_spread_past_the_window_are_not_a_burst(void **state)
{
	struct logreport_limits l = LOGREPORT_LIMITS_DEFAULT;
	struct logreport_summary s;
	struct logreport *lr;

	(void)state;
	l.denied = 3;
	l.window = 10;
	lr = new_lr(&l, NULL, 0);
	/* .1: at 0, 5, 10 s: the third is at anchor + window, so a new burst. */
	add(lr, rec(T0, false, "r", "internet", "dmz", "198.51.100.1", "172.20.0.10", 22));
	add(lr, rec(T0 + 5 * SEC, false, "r", "internet", "dmz", "198.51.100.1", "172.20.0.10", 22));
	add(lr, rec(T0 + 10 * SEC, false, "r", "internet", "dmz", "198.51.100.1", "172.20.0.10", 22));
	/* .2: at 0, 5, 9.999999 s: all within the window. */
	add(lr, rec(T0, false, "r", "internet", "dmz", "198.51.100.2", "172.20.0.10", 22));
	add(lr, rec(T0 + 5 * SEC, false, "r", "internet", "dmz", "198.51.100.2", "172.20.0.10", 22));
	add(lr, rec(T0 + 10 * SEC - 1, false, "r", "internet", "dmz", "198.51.100.2", "172.20.0.10",
		    22));
	/* Permitted records never count as failures. */
	add(lr, rec(T0 + 11 * SEC, true, "p", "internet", "dmz", "198.51.100.3", "172.20.0.10", 22));
	assert_int_equal(logreport_result(lr, &s), 0);
	assert_int_equal(s.kinds[LR_DENIALS].n, 1);
	assert_addr(&s.kinds[LR_DENIALS].v[0], "198.51.100.2");
	assert_int_equal(s.permitted, 1);
	logreport_free(lr);
}

/* INC-5: distinct destination ports at and below the threshold. */
static void many_ports_in_a_window_are_a_scan(void **state)
{
	struct logreport_limits l = LOGREPORT_LIMITS_DEFAULT;
	struct logreport_summary s;
	struct logreport *lr;
	unsigned i;

	(void)state;
	l.scan_ports = 10;
	l.denied = 1000;
	lr = new_lr(&l, NULL, 0);
	for (i = 0; i < 9; i++) /* 9 ports, each twice: below the threshold */
		add(lr, rec(T0 + i, false, "r", "internet", "dmz", "198.51.100.1", "172.20.0.10",
			    (uint16_t)(1000 + i % 9)));
	for (i = 0; i < 9; i++)
		add(lr, rec(T0 + 10 + i, false, "r", "internet", "dmz", "198.51.100.1",
			    "172.20.0.10", (uint16_t)(1000 + i % 9)));
	for (i = 0; i < 12; i++) /* 12 ports: a scan from the 10th */
		add(lr, rec(T0 + 100 + i, false, "r2", "internet", "dmz", "198.51.100.2",
			    "172.20.0.10", (uint16_t)(2000 + i)));
	assert_int_equal(logreport_result(lr, &s), 0);
	assert_int_equal(s.kinds[LR_SCAN].n, 1);
	assert_addr(&s.kinds[LR_SCAN].v[0], "198.51.100.2");
	assert_int_equal(s.kinds[LR_SCAN].v[0].count, 12);
	assert_int_equal(s.kinds[LR_SCAN].v[0].max_ports, 10); /* the set stops at the threshold */
	assert_int_equal(s.kinds[LR_SCAN].v[0].max_hosts, 1);
	assert_int_equal(s.kinds[LR_SCAN].v[0].bursts, 1);
	assert_string_equal(s.kinds[LR_SCAN].v[0].samples[0], "r2");
	assert_int_equal(s.kinds[LR_DENIALS].n, 0);
	logreport_free(lr);
}

/* INC-5: distinct destination hosts (a sweep) at the threshold. */
static void many_hosts_in_a_window_are_a_scan(void **state)
{
	struct logreport_limits l = LOGREPORT_LIMITS_DEFAULT;
	struct logreport_summary s;
	struct logreport *lr;
	char dst[32];
	unsigned i;

	(void)state;
	l.scan_hosts = 4;
	lr = new_lr(&l, NULL, 0);
	for (i = 0; i < 3; i++) {
		snprintf(dst, sizeof(dst), "172.20.0.%u", 10 + i);
		add(lr, rec(T0 + i, false, "r", "internet", "dmz", "198.51.100.1", dst, 22));
		add(lr, rec(T0 + i, false, "r", "internet", "dmz", "2001:db8::1", "2001:db8:1::1",
			    22));
	}
	assert_int_equal(logreport_result(lr, &s), 0);
	assert_int_equal(s.kinds[LR_SCAN].n, 0); /* 3 hosts: below */
	add(lr, rec(T0 + 3, false, "r", "internet", "dmz", "198.51.100.1", "172.20.0.99", 22));
	assert_int_equal(logreport_result(lr, &s), 0);
	assert_int_equal(s.kinds[LR_SCAN].n, 1);
	assert_int_equal(s.kinds[LR_SCAN].v[0].max_hosts, 4);
	assert_int_equal(s.kinds[LR_SCAN].v[0].count, 4);
	logreport_free(lr);
}

/* INC-7: denied from an internal zone toward an internet zone; not inbound, not permitted. */
static void denied_outbound_to_the_internet_is_reported(void **state)
{
	struct logreport_limits l = LOGREPORT_LIMITS_DEFAULT;
	struct logreport_summary s;
	struct logreport *lr;

	(void)state;
	lr = new_lr(&l, NULL, 0);
	add(lr, rec(T0, false, "floor1>internet:default", "floor1", "internet", "10.11.0.5",
		    "203.0.113.9", 6667));
	add(lr, rec(T0 + SEC, false, "floor1>internet:default", "floor1", "internet", "10.11.0.5",
		    "203.0.113.9", 6667));
	add(lr, rec(T0, true, "floor1>internet:ssh", "floor1", "internet", "10.11.0.6",
		    "203.0.113.9", 22));
	add(lr, rec(T0, false, "internet>floor1:default", "internet", "floor1", "203.0.113.9",
		    "10.11.0.5", 22));
	add(lr, rec(T0, false, "floor1>server:default", "floor1", "server", "10.11.0.7",
		    "10.20.0.5", 22));
	assert_int_equal(logreport_result(lr, &s), 0);
	assert_int_equal(s.kinds[LR_OUTBOUND].n, 1);
	assert_addr(&s.kinds[LR_OUTBOUND].v[0], "10.11.0.5");
	assert_int_equal(s.kinds[LR_OUTBOUND].v[0].count, 2);
	assert_true(s.kinds[LR_OUTBOUND].v[0].last_us == T0 + SEC);
	assert_string_equal(s.kinds[LR_OUTBOUND].v[0].samples[0], "floor1>internet:default");
	logreport_free(lr);
}

/* LOG-17, PROXY-1: "!direct" denials are bypass attempts (and not also INC-7). */
static void direct_web_denials_are_proxy_bypass(void **state)
{
	struct logreport_limits l = LOGREPORT_LIMITS_DEFAULT;
	struct logreport_summary s;
	struct logreport *lr;

	(void)state;
	lr = new_lr(&l, NULL, 0);
	add(lr, rec(T0, false, "floor1>internet:https!direct", "floor1", "internet", "10.11.0.5",
		    "203.0.113.9", 443));
	add(lr, rec(T0 + 1, false, "floor1>internet:http!direct", "floor1", "internet",
		    "10.11.0.5", "203.0.113.9", 80));
	add(lr, rec(T0 + 2, false, "floor1>internet:direct", "floor1", "internet", "10.11.0.6",
		    "203.0.113.9", 80)); /* no '!': not a bypass rule */
	assert_int_equal(logreport_result(lr, &s), 0);
	assert_int_equal(s.kinds[LR_BYPASS].n, 1);
	assert_addr(&s.kinds[LR_BYPASS].v[0], "10.11.0.5");
	assert_int_equal(s.kinds[LR_BYPASS].v[0].count, 2);
	assert_string_equal(s.kinds[LR_BYPASS].v[0].samples[0], "floor1>internet:https!direct");
	assert_string_equal(s.kinds[LR_BYPASS].v[0].samples[1], "floor1>internet:http!direct");
	assert_int_equal(s.kinds[LR_OUTBOUND].n, 1);
	assert_addr(&s.kinds[LR_OUTBOUND].v[0], "10.11.0.6");
	logreport_free(lr);
}

/* LOG-17, LANREQ-43: admission denials are unregistered devices. */
static void admission_denials_are_unregistered_devices(void **state)
{
	struct logreport_limits l = LOGREPORT_LIMITS_DEFAULT;
	struct logreport_summary s;
	struct logreport *lr;

	(void)state;
	lr = new_lr(&l, NULL, 0);
	add(lr, rec(T0, false, "floor1:admission", "floor1", "", "10.11.0.66", "10.20.0.5", 445));
	add(lr, rec(T0 + 1, false, "floor1:admission6", "floor1", "", "2001:db8:11::66",
		    "2001:db8:20::5", 445));
	add(lr, rec(T0 + 2, false, "floor1>admission:x", "floor1", "x", "10.11.0.67", "10.20.0.5",
		    445)); /* a pair rule, not admission */
	assert_int_equal(logreport_result(lr, &s), 0);
	assert_int_equal(s.kinds[LR_UNREGISTERED].n, 2);
	assert_int_equal(s.kinds[LR_UNREGISTERED].v[0].count, 1);
	assert_string_equal(s.kinds[LR_UNREGISTERED].v[0].samples[0], "floor1:admission");
	assert_string_equal(s.kinds[LR_UNREGISTERED].v[1].samples[0], "floor1:admission6");
	logreport_free(lr);
}

/* LOG-18: denials from a remote-access zone. */
static void denials_from_vpn_zones_are_beyond_authority(void **state)
{
	struct logreport_limits l = LOGREPORT_LIMITS_DEFAULT;
	struct logreport_summary s;
	struct logreport *lr;

	(void)state;
	lr = new_lr(&l, NULL, 0);
	add(lr, rec(T0, false, "vpn>server:default", "vpn", "server", "10.99.0.2", "10.20.0.5",
		    3306));
	add(lr, rec(T0, true, "vpn>server:https", "vpn", "server", "10.99.0.3", "10.20.0.5", 443));
	assert_int_equal(logreport_result(lr, &s), 0);
	assert_int_equal(s.kinds[LR_AUTHORITY].n, 1);
	assert_addr(&s.kinds[LR_AUTHORITY].v[0], "10.99.0.2");
	logreport_free(lr);
}

/* LOG-16: connections of a DB host per UTC day, at and below the threshold. */
static void database_connections_over_the_daily_threshold_are_reported(void **state)
{
	struct logreport_limits l = LOGREPORT_LIMITS_DEFAULT;
	struct logreport_db db[2] = { { .name = "db1", .family = AF_INET },
				      { .name = "db2", .family = AF_INET } };
	struct logreport_summary s;
	struct logreport *lr;
	int64_t day0 = (T0 / (86400 * SEC)) * 86400 * SEC;
	unsigned i;

	(void)state;
	inet_pton(AF_INET, "10.20.0.5", db[0].addr);
	inet_pton(AF_INET, "10.20.0.6", db[1].addr);
	l.db_connections = 3;
	lr = new_lr(&l, db, 2);
	/* db1: 2 on day 0, 1 on day 1 (3 in all, never 3 in one day). */
	add(lr, rec(day0 + 1, true, "a", "floor1", "server", "10.11.0.5", "10.20.0.5", 5432));
	add(lr, rec(day0 + 2, true, "a", "floor1", "server", "10.11.0.5", "10.20.0.5", 5432));
	add(lr, rec(day0 + 86400 * SEC, true, "a", "floor1", "server", "10.11.0.5", "10.20.0.5",
		    5432));
	/* db2: 3 on day 1, as destination and as source; a denial does not count. */
	for (i = 0; i < 2; i++)
		add(lr, rec(day0 + 86400 * SEC + 10 + i, true, "b", "floor1", "server", "10.11.0.5",
			    "10.20.0.6", 5432));
	add(lr, rec(day0 + 86400 * SEC + 20, false, "d", "floor1", "server", "10.11.0.5",
		    "10.20.0.6", 5432));
	assert_int_equal(logreport_result(lr, &s), 0);
	assert_int_equal(s.kinds[LR_DB_VOLUME].n, 0);
	add(lr, rec(day0 + 86400 * SEC + 30, true, "c", "server", "internet", "10.20.0.6",
		    "203.0.113.9", 443));
	assert_int_equal(logreport_result(lr, &s), 0);
	assert_int_equal(s.kinds[LR_DB_VOLUME].n, 1);
	assert_string_equal(s.kinds[LR_DB_VOLUME].v[0].db_name, "db2");
	assert_int_equal(s.kinds[LR_DB_VOLUME].v[0].count, 3);
	assert_int_equal(s.kinds[LR_DB_VOLUME].v[0].bursts, 1);
	assert_int_equal(s.kinds[LR_DB_VOLUME].v[0].max_day, 3);
	assert_string_equal(s.kinds[LR_DB_VOLUME].v[0].samples[0], "b");
	assert_string_equal(s.kinds[LR_DB_VOLUME].v[0].samples[1], "c");
	logreport_free(lr);
}

/* Memory bound: sources beyond limits.sources are counted, not tracked. */
static void sources_beyond_the_bound_are_counted_as_untracked(void **state)
{
	struct logreport_limits l = LOGREPORT_LIMITS_DEFAULT;
	struct logreport_summary s;
	struct logreport *lr;
	char src[32];
	unsigned i;

	(void)state;
	l.sources = 16;
	lr = new_lr(&l, NULL, 0);
	for (i = 0; i < 20; i++) {
		snprintf(src, sizeof(src), "10.11.0.%u", i + 1);
		add(lr, rec(T0 + i, false, "floor1:admission", "floor1", "", src, "10.20.0.5", 445));
	}
	add(lr, rec(T0 + 30, false, "floor1:admission", "floor1", "", "10.11.0.1", "10.20.0.5",
		    445)); /* tracked: counts */
	assert_int_equal(logreport_result(lr, &s), 0);
	assert_int_equal(s.untracked_records, 4);
	assert_int_equal(s.kinds[LR_UNREGISTERED].n, 16);
	assert_addr(&s.kinds[LR_UNREGISTERED].v[0], "10.11.0.1");
	assert_int_equal(s.kinds[LR_UNREGISTERED].v[0].count, 2);
	logreport_free(lr);
}

/* The top-N list: the rest is summed into "others". */
static void findings_beyond_top_are_summed_as_others(void **state)
{
	struct logreport_limits l = LOGREPORT_LIMITS_DEFAULT;
	struct logreport_summary s;
	struct logreport *lr;
	char src[32];
	unsigned i, k;

	(void)state;
	l.top = 2;
	lr = new_lr(&l, NULL, 0);
	for (i = 0; i < 4; i++) /* .1 once, .2 twice, .3 three, .4 four times */
		for (k = 0; k <= i; k++) {
			snprintf(src, sizeof(src), "10.11.0.%u", i + 1);
			add(lr, rec(T0 + i * 10 + k, false, "floor1:admission", "floor1", "", src,
				    "10.20.0.5", 445));
		}
	add(lr, rec(T0 - SEC, true, "x", "a", "b", "10.0.0.1", "10.0.0.2", 1));
	assert_int_equal(logreport_result(lr, &s), 0);
	assert_int_equal(s.kinds[LR_UNREGISTERED].n, 2);
	assert_addr(&s.kinds[LR_UNREGISTERED].v[0], "10.11.0.4");
	assert_addr(&s.kinds[LR_UNREGISTERED].v[1], "10.11.0.3");
	assert_int_equal(s.kinds[LR_UNREGISTERED].others, 2);
	assert_int_equal(s.kinds[LR_UNREGISTERED].others_count, 3);
	assert_int_equal(s.out_of_order, 1);
	assert_true(s.first_us == T0 - SEC);
	logreport_free(lr);
}

static void limits_out_of_range_are_refused(void **state)
{
	struct logreport_limits l = LOGREPORT_LIMITS_DEFAULT;
	struct logreport_ctx ctx = { 0 };
	struct logreport *lr = NULL;

	(void)state;
	assert_int_equal(logreport_new(&l, &ctx, &lr), 0);
	logreport_free(lr);
	l.scan_ports = 257;
	assert_int_equal(logreport_new(&l, &ctx, &lr), -EINVAL);
	l.scan_ports = 256;
	l.sources = 15;
	assert_int_equal(logreport_new(&l, &ctx, &lr), -EINVAL);
	l.sources = 16;
	l.window = 0;
	assert_int_equal(logreport_new(&l, &ctx, &lr), -EINVAL);
	l.window = 86400;
	ctx.n_db = LOGREPORT_DB_HOSTS + 1;
	assert_int_equal(logreport_new(&l, &ctx, &lr), -EINVAL);
}

/* Every event the records cannot show is named, with a reason. */
static void unobservable_events_are_named(void **state)
{
	const struct logreport_gap *g;
	size_t n, i;
	bool seen15 = false, seen19 = false;

	(void)state;
	g = logreport_unobservable(&n);
	for (i = 0; i < n; i++) {
		assert_true(strlen(g[i].reason) > 20);
		seen15 |= !strcmp(g[i].reqs, "LOG-15");
		seen19 |= !strcmp(g[i].reqs, "LOG-19");
	}
	assert_true(seen15 && seen19);
	assert_string_equal(logreport_kind_reqs(LR_OUTBOUND), "INC-7, LOG-21");
}

/* LOG-26, INC-6: a host's peers, in both directions, biggest first. */
static void trace_lists_the_peers_of_one_host(void **state)
{
	struct logtrace_summary s;
	struct logtrace *t = NULL;
	uint8_t a[16] = { 0 };
	struct logrec r;

	(void)state;
	inet_pton(AF_INET, "10.11.0.5", a);
	assert_int_equal(logtrace_new(AF_INET, a, &t), 0);
	r = rec(T0, true, "p", "floor1", "dmz", "10.11.0.5", "172.20.0.80", 3128);
	assert_int_equal(logtrace_add(t, &r), 0);
	r.time_us = T0 + 2 * SEC;
	assert_int_equal(logtrace_add(t, &r), 0);
	r = rec(T0 + SEC, false, "d", "floor1", "internet", "10.11.0.5", "203.0.113.9", 443);
	assert_int_equal(logtrace_add(t, &r), 0);
	r = rec(T0 + 3 * SEC, false, "d", "internet", "floor1", "203.0.113.9", "10.11.0.5", 22);
	assert_int_equal(logtrace_add(t, &r), 0);
	r = rec(T0, true, "x", "floor1", "dmz", "10.11.0.55", "172.20.0.80", 3128); /* not ours */
	assert_false(logtrace_matches(t, &r));
	assert_int_equal(logtrace_add(t, &r), 0);
	logtrace_result(t, &s);
	assert_int_equal(s.records, 4);
	assert_int_equal(s.permitted, 2);
	assert_int_equal(s.denied, 2);
	assert_true(s.first_us == T0 && s.last_us == T0 + 3 * SEC);
	assert_int_equal(s.n_peers, 3);
	assert_int_equal(s.peers[0].count, 2);
	assert_int_equal(s.peers[0].port, 3128);
	assert_true(s.peers[0].outbound);
	assert_true(s.peers[0].last_us == T0 + 2 * SEC);
	assert_int_equal(s.peers[1].port, 443);
	assert_int_equal(s.peers[1].denied, 1);
	assert_false(s.peers[2].outbound);
	assert_int_equal(s.peers[2].port, 22);
	/* Feeding after a result still finds the moved peers. */
	r = rec(T0 + 4 * SEC, false, "d", "floor1", "internet", "10.11.0.5", "203.0.113.9", 443);
	assert_int_equal(logtrace_add(t, &r), 0);
	logtrace_result(t, &s);
	assert_int_equal(s.n_peers, 3);
	assert_int_equal(s.peers[0].count + s.peers[1].count, 4);
	logtrace_free(t);
}

/* Memory bound of the trace: peers beyond LOGTRACE_PEERS go to "others". */
static void trace_peers_beyond_the_bound_are_others(void **state)
{
	struct logtrace_summary s;
	struct logtrace *t = NULL;
	uint8_t a[16] = { 0 };
	struct logrec r;
	unsigned i;

	(void)state;
	inet_pton(AF_INET, "10.11.0.5", a);
	assert_int_equal(logtrace_new(AF_INET, a, &t), 0);
	r = rec(T0, false, "d", "floor1", "internet", "10.11.0.5", "203.0.113.9", 1);
	for (i = 0; i < LOGTRACE_PEERS + 10; i++) {
		r.dport = (uint16_t)(i + 1);
		assert_int_equal(logtrace_add(t, &r), 0);
	}
	logtrace_result(t, &s);
	assert_int_equal(s.n_peers, LOGTRACE_PEERS);
	assert_int_equal(s.others, 10);
	assert_int_equal(s.records, LOGTRACE_PEERS + 10);
	logtrace_free(t);
}

/* A trace of a host without records (found by fuzz_logreport: qsort of nothing). */
static void empty_trace_has_no_peers(void **state)
{
	struct logtrace_summary s;
	struct logtrace *t = NULL;
	uint8_t a[16] = { 0 };

	(void)state;
	assert_int_equal(logtrace_new(AF_INET6, a, &t), 0);
	logtrace_result(t, &s);
	assert_int_equal(s.records, 0);
	assert_int_equal(s.n_peers, 0);
	assert_int_equal(s.others, 0);
	logtrace_free(t);
	assert_int_equal(logtrace_new(AF_UNSPEC, a, &t), -EINVAL);
}

/* LOG-21, INC-4: the record that starts a finding is an event, once per burst. */
static void events_mark_the_record_that_crosses_a_threshold(void **state)
{
	struct logreport_limits l = LOGREPORT_LIMITS_DEFAULT;
	struct logreport *lr;
	unsigned i, ev, fired = 0, at = 0;
	struct logrec r;

	(void)state;
	l.denied = 5;
	l.window = 60;
	lr = new_lr(&l, NULL, 0);
	for (i = 0; i < 12; i++) {
		r = rec(T0 + i * SEC, false, "internet>dmz:default", "internet", "dmz",
			"198.51.100.7", "172.20.0.10", 22);
		assert_int_equal(logreport_add_events(lr, &r, &ev), 0);
		if (ev & (1u << LR_DENIALS)) {
			fired++;
			at = i;
		}
		assert_false(ev & (1u << LR_SCAN)); /* one port, one host */
	}
	/* The fifth denial of the burst, and no other. */
	assert_int_equal(fired, 1);
	assert_int_equal(at, 4);
	/* A new burst after the window: the event again at its fifth. */
	for (i = 0; i < 5; i++) {
		r = rec(T0 + (100 + i) * SEC, false, "internet>dmz:default", "internet", "dmz",
			"198.51.100.7", "172.20.0.10", 22);
		assert_int_equal(logreport_add_events(lr, &r, &ev), 0);
		assert_int_equal(!!(ev & (1u << LR_DENIALS)), i == 4);
	}
	/* INC-7: a source's first outbound denial is an event, the second is not. */
	r = rec(T0 + 200 * SEC, false, "floor1>internet:default", "floor1", "internet",
		"10.11.0.100", "203.0.113.100", 6667);
	assert_int_equal(logreport_add_events(lr, &r, &ev), 0);
	assert_int_equal(ev, 1u << LR_OUTBOUND);
	r.time_us += SEC;
	assert_int_equal(logreport_add_events(lr, &r, &ev), 0);
	assert_int_equal(ev, 0);
	/* A permitted record is never an event. */
	r.permitted = true;
	assert_int_equal(logreport_add_events(lr, &r, &ev), 0);
	assert_int_equal(ev, 0);
	logreport_free(lr);
}

/*
 * Segment chatter (mDNS, SSDP, IPv6 router solicitations, MLD) denied on a
 * registered zone is counted, never a finding or an incident, however much
 * of it there is; the same denials to a unicast address are.
 */
static void segment_chatter_is_counted_not_analysed(void **state)
{
	static const char *const chatter[] = { "224.0.0.251", "239.255.255.250",
					       "255.255.255.255" };
	static const char *const chatter6[] = { "ff02::2", "ff02::16", "fe80::1" };
	struct logreport_limits l = LOGREPORT_LIMITS_DEFAULT;
	struct logreport_summary s;
	struct logreport *lr;
	unsigned i, ev, any = 0;
	struct logrec r;

	(void)state;
	l.denied = 5;
	lr = new_lr(&l, NULL, 0);
	for (i = 0; i < 30; i++) {
		r = rec(T0 + i, false, "floor1:admission6", "floor1", "", "fe80::1234",
			chatter6[i % 3], 5353);
		assert_int_equal(logreport_add_events(lr, &r, &ev), 0);
		any |= ev;
		r = rec(T0 + i, false, "input:default", "", "", "10.11.0.100", chatter[i % 3], 5353);
		assert_int_equal(logreport_add_events(lr, &r, &ev), 0);
		any |= ev;
	}
	assert_int_equal(any, 0);
	assert_int_equal(logreport_result(lr, &s), 0);
	assert_int_equal(s.local_chatter, 60);
	assert_int_equal(s.denied, 60);
	for (i = 0; i < LR__COUNT; i++)
		assert_int_equal(s.kinds[i].n, 0);
	/* Boundary: 223.255.255.255 and fec0::1 are not chatter (a unicast burst). */
	for (i = 0; i < 5; i++) {
		r = rec(T0 + 40 + i, false, "input:default", "", "", "10.11.0.100",
			"223.255.255.255", 22);
		assert_int_equal(logreport_add_events(lr, &r, &ev), 0);
	}
	assert_int_equal(ev, 1u << LR_DENIALS);
	r = rec(T0 + 50, false, "floor1:admission6", "floor1", "", "fe80::99", "fec0::1", 22);
	assert_int_equal(logreport_add_events(lr, &r, &ev), 0);
	assert_int_equal(logreport_result(lr, &s), 0);
	assert_int_equal(s.local_chatter, 60);
	assert_int_equal(s.kinds[LR_UNREGISTERED].n, 1);
	logreport_free(lr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(denials_reaching_the_threshold_in_a_window_are_reported),
		cmocka_unit_test(denials_spread_past_the_window_are_not_a_burst),
		cmocka_unit_test(many_ports_in_a_window_are_a_scan),
		cmocka_unit_test(many_hosts_in_a_window_are_a_scan),
		cmocka_unit_test(denied_outbound_to_the_internet_is_reported),
		cmocka_unit_test(direct_web_denials_are_proxy_bypass),
		cmocka_unit_test(admission_denials_are_unregistered_devices),
		cmocka_unit_test(denials_from_vpn_zones_are_beyond_authority),
		cmocka_unit_test(database_connections_over_the_daily_threshold_are_reported),
		cmocka_unit_test(sources_beyond_the_bound_are_counted_as_untracked),
		cmocka_unit_test(findings_beyond_top_are_summed_as_others),
		cmocka_unit_test(limits_out_of_range_are_refused),
		cmocka_unit_test(unobservable_events_are_named),
		cmocka_unit_test(trace_lists_the_peers_of_one_host),
		cmocka_unit_test(trace_peers_beyond_the_bound_are_others),
		cmocka_unit_test(empty_trace_has_no_peers),
		cmocka_unit_test(events_mark_the_record_that_crosses_a_threshold),
		cmocka_unit_test(segment_chatter_is_counted_not_analysed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

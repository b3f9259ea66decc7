/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Firewall log accounting (LOG-24, C-10): lib/logacct.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compile.h"
#include "logacct.h"
#include "ruleset.h"

/* 2026-11-23T10:00:00Z and a minute later, in µs. */
#define T0 ((int64_t)1795428000 * 1000000)
#define T1 (T0 + 60 * 1000000)

/*
 * What lib/compile.c makes of one zone pair: an accept that logs, and a
 * deny with its rate-limited "#log" companion; plus a rule that does not
 * log (a dispatch) and a deny with someone else's prefix.
 */
static struct ruleset *small_ruleset(void)
{
	struct ruleset *rs = ruleset_new();
	struct chain *c;
	struct rule *r;

	assert_non_null(rs);
	c = ruleset_add_chain(rs, "fwd_floor1_server");
	assert_non_null(c);
	r = chain_add_rule(rs, c);
	*r = (struct rule){ .id = "floor1>server:smb@fs", .role = ROLE_DECIDE, .from = "floor1",
			    .to = "server", .counter = true,
			    .log_prefix = "gw:A:floor1>server:smb@fs", .verdict = VERDICT_ACCEPT };
	/* C-10: the per-source limit of the deny, IPv4 and IPv6. */
	r = chain_add_rule(rs, c);
	*r = (struct rule){ .id = "floor1>server:default#src4", .role = ROLE_SRCLIMIT,
			    .from = "floor1", .to = "server", .counter = true, .limit_rate = 10,
			    .limit_burst = 20, .src_set = SET_DENY_SRC4, .src_family = AF_INET,
			    .mark = 0x2a, .verdict = VERDICT_DROP };
	r = chain_add_rule(rs, c);
	*r = (struct rule){ .id = "floor1>server:default#src6", .role = ROLE_SRCLIMIT,
			    .from = "floor1", .to = "server", .counter = true, .limit_rate = 10,
			    .limit_burst = 20, .src_set = SET_DENY_SRC6, .src_family = AF_INET6,
			    .mark = 0x2a, .verdict = VERDICT_DROP };
	r = chain_add_rule(rs, c);
	*r = (struct rule){ .id = "floor1>server:default#log", .role = ROLE_LOG, .mark = 0x2a,
			    .from = "floor1", .to = "server", .counter = true, .limit_rate = 10,
			    .limit_burst = 20, .log_prefix = "gw:D:floor1>server:default" };
	r = chain_add_rule(rs, c);
	*r = (struct rule){ .id = "floor1>server:default", .role = ROLE_DECIDE, .from = "floor1",
			    .to = "server", .counter = true, .verdict = VERDICT_DROP };
	c = ruleset_add_chain(rs, "forward");
	assert_non_null(c);
	r = chain_add_rule(rs, c);
	*r = (struct rule){ .id = "forward:dispatch", .role = ROLE_DISPATCH };
	r = chain_add_rule(rs, c);
	*r = (struct rule){ .id = "forward:other", .role = ROLE_DECIDE, .counter = true,
			    .log_prefix = "other:", .verdict = VERDICT_DROP };
	return rs;
}

#define ACC "floor1>server:smb@fs"
#define DENY "floor1>server:default"

/* Sets one rule's reading. */
static void put(struct logacct *a, const char *id, uint64_t decided, uint64_t logged,
		uint64_t written)
{
	struct logacct_rule *r = logacct_find(a, id);

	assert_non_null(r);
	r->known = true;
	r->decided = decided;
	r->logged = logged;
	r->written = written;
}

static void test_lists_the_logging_rules(void **state)
{
	struct ruleset *rs = small_ruleset();
	struct logacct a;
	struct logacct_rule *r;

	(void)state;
	assert_int_equal(logacct_init(rs, 7, &a), 0);
	/* Only the rules with our prefix; a deny by the id its records carry. */
	assert_int_equal(a.n, 2);
	assert_int_equal(a.version, 7);
	r = logacct_find(&a, ACC);
	assert_non_null(r);
	assert_string_equal(r->log_id, ACC);
	assert_false(r->limited);
	r = logacct_find(&a, DENY);
	assert_non_null(r);
	assert_string_equal(r->log_id, DENY "#log");
	assert_true(r->limited);
	assert_string_equal(r->from, "floor1");
	assert_false(r->known);
	assert_null(logacct_find(&a, DENY "#log"));
	assert_null(logacct_find(&a, DENY "#src4"));
	/* C-10: the deny knows its per-source rules and its mark; accepts have none. */
	assert_string_equal(r->src_ids[0], DENY "#src4");
	assert_string_equal(r->src_ids[1], DENY "#src6");
	assert_int_equal(r->mark, 0x2a);
	assert_ptr_equal(logacct_find_mark(&a, 0x2a), r);
	assert_null(logacct_find_mark(&a, 0x2b));
	assert_null(logacct_find_mark(&a, 0));
	assert_null(logacct_find(&a, ACC)->src_ids[0]);
	assert_null(logacct_find(&a, "forward:other"));
	assert_null(logacct_find(&a, "forward:dispatch"));
	logacct_fini(&a);
	ruleset_free(rs);
}

/* Two readings of the same version, the first at T0 and the second at T1. */
struct pair {
	struct ruleset *rs;
	struct logacct prev, cur;
	struct logacct_report rep;
};

static void pair_init(struct pair *p)
{
	p->rs = small_ruleset();
	assert_int_equal(logacct_init(p->rs, 3, &p->prev), 0);
	p->prev.at_us = T0;
	assert_int_equal(logacct_copy(&p->prev, &p->cur), 0);
	p->cur.at_us = T1;
	memset(&p->rep, 0, sizeof(p->rep));
}

static void pair_fini(struct pair *p)
{
	logacct_report_fini(&p->rep);
	logacct_fini(&p->prev);
	logacct_fini(&p->cur);
	ruleset_free(p->rs);
}

static void test_nothing_lost_nothing_suppressed(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p);
	put(&p.prev, ACC, 5, 5, 5);
	put(&p.prev, DENY, 8, 8, 8);
	put(&p.cur, ACC, 9, 9, 9);
	put(&p.cur, DENY, 10, 10, 10);
	assert_int_equal(logacct_compare(&p.prev, &p.cur, &p.rep), 0);
	assert_int_equal(p.rep.logged, 4 + 2);
	assert_int_equal(p.rep.written, 4 + 2);
	assert_int_equal(p.rep.denied, 2);
	assert_int_equal(p.rep.suppressed, 0);
	assert_int_equal(p.rep.lost, 0);
	assert_int_equal(p.rep.n, 0);
	assert_int_equal(p.rep.n_skipped, 0);
	assert_true(p.rep.from_us == T0 && p.rep.to_us == T1);
	pair_fini(&p);
}

/* C-10: a burst over the rate limit; the suppressed denials are counted. */
static void test_suppressed_denials_are_counted(void **state)
{
	struct pair p;
	char *line = NULL;

	(void)state;
	pair_init(&p);
	put(&p.prev, ACC, 0, 0, 0);
	put(&p.prev, DENY, 100, 40, 40);
	put(&p.cur, ACC, 0, 0, 0);
	put(&p.cur, DENY, 1100, 70, 70); /* 1000 dropped, 30 logged */
	assert_int_equal(logacct_compare(&p.prev, &p.cur, &p.rep), 0);
	assert_int_equal(p.rep.denied, 1000);
	assert_int_equal(p.rep.suppressed, 970);
	assert_int_equal(p.rep.lost, 0);
	assert_int_equal(p.rep.n, 1);
	assert_string_equal(p.rep.v[0].rule->id, DENY);
	assert_int_equal(p.rep.v[0].denied, 1000);
	assert_int_equal(p.rep.v[0].logged, 30);
	assert_int_equal(p.rep.v[0].suppressed, 970);
	assert_int_equal(logacct_summary_line(&p.rep, &p.rep.v[0], &line), 0);
	assert_string_equal(line,
			    "{\"@timestamp\":\"2026-11-23T10:01:00.000000Z\",\"event.kind\":\"metric\","
			    "\"event.dataset\":\"gatewayd.summary\",\"event.action\":\"denied\","
			    "\"rule.id\":\"floor1>server:default\",\"zone.from\":\"floor1\","
			    "\"zone.to\":\"server\",\"event.start\":\"2026-11-23T10:00:00.000000Z\","
			    "\"event.end\":\"2026-11-23T10:01:00.000000Z\",\"gatewayd.denied\":1000,"
			    "\"gatewayd.logged\":30,\"gatewayd.suppressed\":970}");
	free(line);
	pair_fini(&p);
}

/* An accept never suppresses: each counted packet is a record. */
static void test_accepts_are_not_rate_limited(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p);
	put(&p.prev, ACC, 0, 0, 0);
	put(&p.prev, DENY, 0, 0, 0);
	put(&p.cur, ACC, 500, 500, 500);
	put(&p.cur, DENY, 0, 0, 0);
	assert_int_equal(logacct_compare(&p.prev, &p.cur, &p.rep), 0);
	assert_int_equal(p.rep.suppressed, 0);
	assert_int_equal(p.rep.denied, 0);
	assert_int_equal(p.rep.n, 0);
	pair_fini(&p);
}

/*
 * LOG-24: records logged by the previous reading that have not arrived by
 * this one are lost; records of packets logged since may still be on the
 * way and are not.
 */
static void test_lost_records_are_a_lower_bound(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p);
	put(&p.prev, ACC, 10, 10, 10);
	put(&p.prev, DENY, 20, 20, 17); /* 3 on the way at T0 */
	put(&p.cur, ACC, 12, 12, 10);   /* 2 on the way at T1: not lost */
	put(&p.cur, DENY, 20, 20, 18);  /* 2 of the 3 never came */
	assert_int_equal(logacct_compare(&p.prev, &p.cur, &p.rep), 0);
	assert_int_equal(p.rep.lost, 2);
	assert_int_equal(p.rep.logged, 2);
	assert_int_equal(p.rep.written, 1);
	logacct_report_fini(&p.rep);
	/* Boundary: every record of the previous reading arrived. */
	put(&p.cur, DENY, 20, 20, 20);
	assert_int_equal(logacct_compare(&p.prev, &p.cur, &p.rep), 0);
	assert_int_equal(p.rep.lost, 0);
	pair_fini(&p);
}

/* A reload replaced the table: counters restarted, nothing to compare. */
static void test_other_version_is_not_compared(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p);
	p.cur.version = 4;
	assert_int_equal(logacct_compare(&p.prev, &p.cur, &p.rep), -ESTALE);
	p.cur.version = 3;
	p.cur.at_us = T0 - 1;
	assert_int_equal(logacct_compare(&p.prev, &p.cur, &p.rep), -EINVAL);
	pair_fini(&p);
}

/* Counters that went down (reset by hand) or were not read are skipped. */
static void test_reset_and_unread_rules_are_skipped(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p);
	put(&p.prev, ACC, 50, 50, 50);
	put(&p.prev, DENY, 100, 60, 60);
	put(&p.cur, ACC, 3, 3, 3); /* nft reset counters */
	assert_int_equal(logacct_compare(&p.prev, &p.cur, &p.rep), 0);
	assert_int_equal(p.rep.n_skipped, 2); /* ACC reset, DENY unread */
	assert_int_equal(p.rep.lost, 0);
	assert_int_equal(p.rep.suppressed, 0);
	pair_fini(&p);
}

/*
 * C-10 per source: one element of a source set becomes a summary record
 * naming the rule, its zones and the source, with the count it held back.
 */
static void test_source_line(void **state)
{
	struct ruleset *rs = small_ruleset();
	uint8_t a4[4], a6[16];
	struct logacct a;
	char *line = NULL;

	(void)state;
	assert_int_equal(logacct_init(rs, 1, &a), 0);
	inet_pton(AF_INET, "10.1.0.53", a4);
	inet_pton(AF_INET6, "2001:db8::5", a6);
	assert_int_equal(logacct_source_line(logacct_find(&a, DENY), AF_INET, a4, 280, T0, T1, &line),
			 0);
	assert_string_equal(line,
			    "{\"@timestamp\":\"2026-11-23T10:01:00.000000Z\",\"event.kind\":\"metric\","
			    "\"event.dataset\":\"gatewayd.summary\",\"event.action\":\"denied\","
			    "\"rule.id\":\"floor1>server:default\",\"zone.from\":\"floor1\","
			    "\"zone.to\":\"server\",\"source.ip\":\"10.1.0.53\","
			    "\"event.start\":\"2026-11-23T10:00:00.000000Z\","
			    "\"event.end\":\"2026-11-23T10:01:00.000000Z\",\"gatewayd.suppressed\":280}");
	free(line);
	line = NULL;
	assert_int_equal(logacct_source_line(logacct_find(&a, DENY), AF_INET6, a6, 1, T0, T1, &line),
			 0);
	assert_non_null(strstr(line, "\"source.ip\":\"2001:db8::5\""));
	free(line);
	line = NULL;
	/* Bad family, or an interval that ends before it starts. */
	assert_int_equal(logacct_source_line(logacct_find(&a, DENY), 99, a4, 1, T0, T1, &line),
			 -EINVAL);
	assert_int_equal(logacct_source_line(logacct_find(&a, DENY), AF_INET, a4, 1, T1, T0, &line),
			 -EINVAL);
	assert_null(line);
	logacct_fini(&a);
	ruleset_free(rs);
}

static void test_summary_without_zones(void **state)
{
	struct logacct_rule x = { .id = "forward:default", .limited = true, .known = true };
	struct logacct_report r = { .from_us = T0, .to_us = T1 };
	struct logacct_sum s = { &x, 5, 1, 4 };
	char *line = NULL;

	(void)state;
	assert_int_equal(logacct_summary_line(&r, &s, &line), 0);
	assert_non_null(strstr(line, "\"rule.id\":\"forward:default\",\"event.start\""));
	assert_null(strstr(line, "zone."));
	free(line);
	/* An id that would need escaping is refused, not written broken. */
	x.id = "bad\"id";
	assert_int_equal(logacct_summary_line(&r, &s, &line), -EINVAL);
	x.id = "forward:default";
	r.to_us = T0 - 1;
	assert_int_equal(logacct_summary_line(&r, &s, &line), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists_the_logging_rules),
		cmocka_unit_test(test_nothing_lost_nothing_suppressed),
		cmocka_unit_test(test_suppressed_denials_are_counted),
		cmocka_unit_test(test_accepts_are_not_rate_limited),
		cmocka_unit_test(test_lost_records_are_a_lower_bound),
		cmocka_unit_test(test_other_version_is_not_compared),
		cmocka_unit_test(test_reset_and_unread_rules_are_skipped),
		cmocka_unit_test(test_summary_without_zones),
		cmocka_unit_test(test_source_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

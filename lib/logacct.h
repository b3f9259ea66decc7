/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Firewall log accounting (LOG-24, C-10): is every record the kernel sends
 * really received, and how many denials did the rate limit keep out of the
 * log? Pure: the caller reads the rule counters (gatewayd/readback.c) and
 * counts the records it wrote per rule id; this compares two such readings.
 *
 * Every logging rule of the ruleset has a counter (lib/compile.c):
 *
 *   accept  "<id>"      counter log prefix "gw:A:<id>" accept
 *                       -> decided == logged: each packet it counts is a record
 *   deny    "<id>#src4" update @deny_src4 { saddr . mark limit rate over S counter } counter drop
 *           "<id>#src6" the same for IPv6 (either may be missing)
 *           "<id>#log"  limit rate R burst B counter log prefix "gw:D:<id>"
 *           "<id>"      counter drop
 *                       -> logged = the #log rule's counter, decided = the
 *                          drop rule's + the #src rules'; decided - logged
 *                          were not logged (C-10). Per source, the #src
 *                          rules' set elements count what they dropped
 *                          (logacct_source_line()).
 *
 * Records carry "<id>" (rule.id), so written[id] counts what arrived.
 *
 * Lost records: a record is sent when its packet is counted, and arrives a
 * moment later (netlink batching: well under a second). So the records
 * logged up to the previous reading must all have arrived by the current
 * one: lost >= logged(prev) - written(cur). This bound is exact when
 * nothing was logged between the two readings and never counts a delay as
 * a loss as long as a record takes less than one check interval to arrive.
 * Counters restart at zero when a reload replaces the table, so readings
 * of different applied versions are not compared.
 */
#ifndef GW_LOGACCT_H
#define GW_LOGACCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

/* One logging rule at one reading. */
struct logacct_rule {
	const char *id;      /* the id its records carry; borrowed from the ruleset */
	const char *log_id;  /* the rule that logs: id (accept) or "<id>#log" (deny) */
	const char *from, *to; /* its zone pair; may be NULL */
	bool limited;        /* a deny: its logging is rate-limited (C-10) */
	bool known;          /* the counters were read (both rules are in the kernel) */
	const char *src_ids[2]; /* its "#src4"/"#src6" rules, NULL when absent */
	uint32_t mark;       /* its log mark, the key's second half in the source sets */
	uint64_t decided;    /* packets the deciding rule and its #src rules matched */
	uint64_t logged;     /* packets the logging rule sent to NFLOG */
	uint64_t written;    /* records written with this id since the version was applied */
};

/* One reading: every logging rule of one applied version, sorted by id. */
struct logacct {
	int64_t version;     /* the applied version the counters belong to */
	int64_t at_us;       /* when the counters were read (UTC µs) */
	size_t n;
	struct logacct_rule *v;
};

/*
 * Lists the logging rules of @rs (counters zero, known false) for applied
 * version @version. *@ret is written only on success. 0 or -ENOMEM.
 */
int logacct_init(const struct ruleset *rs, int64_t version, struct logacct *ret);
void logacct_fini(struct logacct *a);
/* A copy of @a with its own array (the strings stay borrowed from the ruleset). */
int logacct_copy(const struct logacct *a, struct logacct *ret);
/* The rule whose records carry @id, or NULL. O(log n). */
struct logacct_rule *logacct_find(const struct logacct *a, const char *id);
/* The rate-limited deny with log mark @mark, or NULL. O(n). */
const struct logacct_rule *logacct_find_mark(const struct logacct *a, uint32_t mark);

/* One rate-limited rule's interval (C-10). */
struct logacct_sum {
	const struct logacct_rule *rule; /* in the current reading */
	uint64_t denied;     /* packets dropped in the interval */
	uint64_t logged;     /* of them, sent to the log */
	uint64_t suppressed; /* of them, kept out of the log by the rate limit */
};

/* What changed between two readings of the same version. */
struct logacct_report {
	int64_t from_us, to_us;
	uint64_t logged;     /* records sent by the kernel in the interval */
	uint64_t written;    /* records written in the interval */
	uint64_t denied;     /* packets dropped by the rate-limited rules */
	uint64_t suppressed; /* of them, not logged (C-10) */
	uint64_t lost;       /* at least this many records of the version never arrived */
	size_t n_skipped;    /* rules not compared: unread, or counters went down (reset by hand) */
	size_t n;            /* rules with suppressed denials, by id */
	struct logacct_sum *v;
};

/*
 * Compares reading @cur with the earlier reading @prev of the same version.
 * *@ret is written only on success (free with logacct_report_fini()).
 * Returns 0; -ESTALE when the versions differ (no comparison is possible:
 * the counters restarted); -EINVAL when @cur is earlier than @prev;
 * -ENOMEM.
 */
int logacct_compare(const struct logacct *prev, const struct logacct *cur,
		    struct logacct_report *ret);
void logacct_report_fini(struct logacct_report *r);

/*
 * The C-10 summary record of @s over @r's interval as one JSON line (no
 * newline), in the firewall log's naming (lib/logrec.h):
 *
 *   {"@timestamp":END,"event.kind":"metric","event.dataset":"gatewayd.summary",
 *    "event.action":"denied","rule.id":ID,"zone.from":F,"zone.to":T,
 *    "event.start":START,"event.end":END,"gatewayd.denied":N,
 *    "gatewayd.logged":N,"gatewayd.suppressed":N}
 *
 * zone.from and zone.to are left out when the rule has none. The caller
 * frees *@ret_line with free(). 0, -EINVAL (times out of range) or -ENOMEM.
 */
int logacct_summary_line(const struct logacct_report *r, const struct logacct_sum *s,
			 char **ret_line);

/*
 * C-10, per source: one element of a source set, its counter read (and
 * reset) at the end of an interval: @suppressed denials of rule @x from
 * address @addr (@family AF_INET or AF_INET6, network order) were dropped
 * unlogged between @from_us and @to_us. As one JSON line (no newline):
 *
 *   {"@timestamp":END,"event.kind":"metric","event.dataset":"gatewayd.summary",
 *    "event.action":"denied","rule.id":ID,"zone.from":F,"zone.to":T,
 *    "source.ip":ADDR,"event.start":START,"event.end":END,
 *    "gatewayd.suppressed":N}
 *
 * The caller frees *@ret_line. 0, -EINVAL or -ENOMEM.
 */
int logacct_source_line(const struct logacct_rule *x, int family, const uint8_t *addr,
			uint64_t suppressed, int64_t from_us, int64_t to_us, char **ret_line);

#endif

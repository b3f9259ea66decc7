/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: reads table inet gatewayd back from the kernel over netlink and
 * compares it with a ruleset, so that what was reviewed is what runs
 * (CHG-1, CHG-12). One dump serves both the drift report and the per-rule
 * counters; "nft list ruleset" is never used (too slow at scale).
 *
 * The comparison is symmetric: the ruleset is encoded with the encoder
 * gatewayd applies with (lib/encode.h), and the batch's messages and the
 * kernel's dump replies go through the same parsers. Chains, sets and set
 * elements compare as libnftnl prints them. A rule compares as libnftnl's
 * printing of its expressions, counter values left out: equal text means
 * equal rule. (Rules are first compared attribute by attribute, which
 * implies equal text; only rules that differ there are printed.)
 */
#ifndef GW_READBACK_H
#define GW_READBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

/* One consistent dump of the ruleset's table (same generation throughout). */
struct readback;

/*
 * Dumps table inet @rs->table: the table, its chains and its sets (one
 * NLM_F_DUMP each, filtered to the table), its rules (one NLM_F_DUMP per
 * chain: the kernel's whole-table rule dump is quadratic, see
 * nl_dump_rules()), and the elements of every set whose contents @rs
 * defines (not the run-time sets, which later stages fill:
 * registered_devices, quarantine_mac, quarantine4, vpn_grants,
 * proxy_bypass). A table that does not exist is not an error: the dump is
 * then empty. The ruleset generation is read before and after; when it
 * changed (or a dump was interrupted), the dump is taken again.
 *
 * Blocks for 4 + chains + sets round trips on one socket, no per-rule
 * ones: about 25 ms at 10k rules. Keeps a copy of every rule message
 * (about 600 bytes a rule). Returns 0 and *@ret_rb (free with
 * readback_free()); -EAGAIN when the ruleset kept changing; -ENOMEM;
 * another negative errno from the socket or the kernel.
 */
int readback_dump(const struct ruleset *rs, struct readback **ret_rb);
void readback_free(struct readback *rb);

/* The kernel's counter of one rule, as dumped. */
struct rule_counter {
	const char *chain;
	const char *id;     /* the rule's comment; NULL for a rule without one */
	uint64_t handle;
	bool has_counter;   /* false: the rule has no counter expression */
	uint64_t packets, bytes;
};

/*
 * Every rule of the dump in kernel order (chain by chain, then position),
 * with its counter. Borrowed: valid until readback_free(). Never fails.
 */
const struct rule_counter *readback_counters(const struct readback *rb, size_t *ret_n);
/*
 * The counter of the rule with comment @id (the first one if the kernel
 * holds the id twice). Returns 0 and *@ret, or -ENOENT. O(log n).
 */
int readback_counter(const struct readback *rb, const char *id, struct rule_counter *ret);

/* ---- drift ------------------------------------------------------------- */

enum drift_kind {
	DRIFT_MISSING, /* in the ruleset, not in the kernel */
	DRIFT_EXTRA,   /* in the kernel, not in the ruleset */
	DRIFT_CHANGED, /* in both, different */
};

enum drift_object {
	DRIFT_TABLE,
	DRIFT_CHAIN,
	DRIFT_SET,
	DRIFT_RULE,
};

struct drift_entry {
	enum drift_kind kind;
	enum drift_object object;
	const char *name;   /* table, chain or set name; rule id ("handle N" without one) */
	const char *chain;  /* DRIFT_RULE: the rule's chain; otherwise NULL */
	uint64_t handle;    /* kernel handle of an extra or changed rule; else 0 */
	const char *reason; /* short, e.g. "policy: kernel accept, config drop" */
};

/* A drift report: the entries, in order table, chains, sets, rules. */
struct drift;

/*
 * Compares the dump @rb with @rs (the ruleset the dump was taken for).
 * Encodes @rs with encode_ruleset() to get the messages gatewayd would
 * send. Rules are matched by id within their chain; their order is checked
 * over the rules found on both sides. Missing or extra chains are reported
 * once, not rule by rule; a missing table is the only entry. No I/O.
 * Returns 0 and *@ret_d (free with drift_free(); independent of @rb and
 * @rs; no entries when equal), -ENOMEM, or the encoder's error.
 */
int readback_diff(const struct readback *rb, const struct ruleset *rs, struct drift **ret_d);

/*
 * readback_dump() then readback_diff(): 0 and *@ret_d, or a negative errno
 * (system failure; no report then). Blocking, one netlink socket.
 */
int readback_compare(const struct ruleset *rs, struct drift **ret_d);

void drift_free(struct drift *d);
/* Number of entries; 0 means the kernel holds exactly the ruleset. */
size_t drift_count(const struct drift *d);
/* Entry @i < drift_count(); borrowed, valid until drift_free(). */
const struct drift_entry *drift_entry(const struct drift *d, size_t i);
/* "missing", "extra", "changed"; "table", "chain", "set", "rule". */
const char *drift_kind_name(enum drift_kind k);
const char *drift_object_name(enum drift_object o);

#endif

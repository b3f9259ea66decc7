/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The translated side of firewall log records (NAT-5): joins a record with
 * its connection's conntrack entry (lib/ctattr.h). Pure: the daemon hands in
 * records, entries and the time; nothing here reads a clock or the kernel.
 *
 * Why a join: a record is built in the filter chains, after DNAT and before
 * SNAT. The source NAT of the connection is made in postrouting, after the
 * rule logged; the conntrack NEW event sent when the entry is confirmed
 * (the packet's last step) has it in its reply tuple. So a record whose
 * connection is translated is held until that event arrives, at most
 * @hold_us; then it is written without the nat fields and counted
 * (natjoin_stats.expired). The event usually arrives first: the kernel
 * batches NFLOG messages (up to its flush timeout, 1 s) but sends
 * conntrack events at once. So events showing a translation are kept for
 * @early_us (at most NATJOIN_EARLY of them) for a record still on its way.
 *
 * Matching: the record's view is the filter's (source = orig.src, the
 * destination = reply.src, after DNAT and before SNAT); the entry of a
 * record is the one with the same family, protocol, source address and
 * port (orig) and destination address and port (reply source), within the
 * hold time. Protocols without ports (ICMP) match on addresses only; the
 * oldest waiting record takes the event. The conntrack id is not needed
 * (NFLOG carries it only on kernels with NETFILTER_NETLINK_GLUE_CT).
 *
 * Order: held records leave in the order they came (one that found its
 * event waits for the older ones, which wait at most @hold_us); records
 * that are not held are written at once. So a record of translated traffic
 * may be written up to @hold_us after later records of other traffic, and
 * never otherwise out of order.
 */
#ifndef GW_NATJOIN_H
#define GW_NATJOIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctattr.h"
#include "logrec.h"

/* Events kept for records still on their way. */
#define NATJOIN_EARLY 1024

struct natjoin;

struct natjoin_stats {
	uint64_t held;      /* records held for their translation */
	uint64_t joined;    /* ... that got it (from an event, early or late) */
	uint64_t expired;   /* ... written without it: the event did not come in time */
	uint64_t overflow;  /* records not held because max_held were waiting (no nat fields) */
	uint64_t events;    /* translated entries seen */
};

/*
 * A join holding at most @max_held records for at most @hold_us each, and
 * events for at most @early_us. 0 or -ENOMEM.
 */
int natjoin_new(size_t max_held, int64_t hold_us, int64_t early_us, struct natjoin **ret);
void natjoin_free(struct natjoin *j);

/*
 * Fills the nat fields of @r from @ct when @ct is @r's connection (see
 * above) and shows a translation: source.nat.* from the reply destination
 * (SNAT), destination.ip/.port from the original destination (DNAT).
 * Returns whether @ct is @r's connection.
 */
bool natjoin_apply(struct logrec *r, const struct ct_entry *ct);

/*
 * A record of translated traffic, built at @now_us. Returns 0: write *@r
 * now (completed from an early event, or not held because the join is
 * full, which is counted); 1: held, it comes out of natjoin_pop().
 */
int natjoin_record(struct natjoin *j, struct logrec *r, int64_t now_us);

/* A conntrack NEW entry; entries without a translation are ignored. */
void natjoin_event(struct natjoin *j, const struct ct_entry *ct, int64_t now_us);

/*
 * The next held record due at @now_us (its event came, or the hold time
 * is over), oldest first: 1 and *@ret, or 0 when none is due.
 */
int natjoin_pop(struct natjoin *j, int64_t now_us, struct logrec *ret);
/* When the oldest held record is due at the latest, or -1 when none is held. */
int64_t natjoin_deadline(const struct natjoin *j);
/* Whether records are held (another record of translated traffic queues behind them). */
size_t natjoin_held(const struct natjoin *j);
/* Releases every held record at once (stop, reload): as natjoin_pop without waiting. */
int natjoin_flush(struct natjoin *j, struct logrec *ret);

void natjoin_get_stats(const struct natjoin *j, struct natjoin_stats *ret);

#endif

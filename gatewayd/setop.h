/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: a few elements added to or deleted from the run-time sets of the
 * applied table (registered devices, quarantine, grants) in one nftables
 * transaction, without a reload: admitting or cutting one device takes
 * effect at once (LANREQ-42, LANREQ-43, INC-1). The table and its sets
 * must exist; nothing else of the table changes.
 */
#ifndef GW_SETOP_H
#define GW_SETOP_H

#include <stddef.h>

#include "ruleset.h"

/* Most operations in one call: the whole batch is built in memory and sent at once. */
#define SETOP_MAX 1024

enum setop_kind {
	SETOP_ADD, /* present afterwards; already present is no error */
	SETOP_DEL, /* absent afterwards; already absent is no error */
};

struct setop {
	enum setop_kind op;
	const struct set *set;   /* name and key types; its own elements are not read */
	const struct elem *elem; /* key[0 .. set->n_key) */
};

/*
 * Applies @ops, in their order, to the sets of table @family_name @table
 * ("inet", "gatewayd") in ONE netlink batch: the kernel commits all of
 * them or none. Sets of plain keys only: an interval set or a map is
 * refused (-EOPNOTSUPP) before anything is sent. Borrows everything.
 *
 * Returns 0 when committed (n == 0: nothing sent). Otherwise a negative
 * errno and, in @err (may be NULL), one line naming what failed:
 *   -EINVAL        unknown family, name too long, or n > SETOP_MAX
 *   -EOPNOTSUPP    an interval set or a map
 *   kernel errno   of the first refused operation (-ENOENT: no such table
 *                  or set), e.g. "adding 02:00:00:00:0b:01 . 10.11.0.100
 *                  to set 'registered_devices': No such file or directory";
 *                  nothing was changed
 *   -EPROTO        the kernel did not answer every message: outcome unknown
 *   other          socket failure, -ENOMEM
 * Blocks for one netlink round trip: well under a millisecond, opening the
 * socket included.
 */
int setop_apply(const char *family_name, const char *table, const struct setop *ops, size_t n,
		char *err, size_t errlen);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: sends an encoded batch to the kernel over one netlink socket and
 * reads the acknowledgements. The kernel commits the whole batch or none of
 * it; a rejection is reported against the rule id and config origin.
 */
#ifndef GW_APPLY_H
#define GW_APPLY_H

#include "diag.h"
#include "encode.h"
#include "ruleset.h"

/*
 * Compiles nothing: encodes @rs, sends it in one transaction and waits for
 * the kernel's answer. Returns 0 when committed; -EINVAL when the kernel
 * refused (reasons queued in @d, nothing changed); other negative errno on
 * system failure. Blocks for the duration of one netlink round trip.
 */
int apply_ruleset(const struct ruleset *rs, struct diag_list *d);
/*
 * Removes table inet @table if it exists (on_stop = "remove"). Returns 0 or
 * negative errno.
 */
int apply_remove_table(const char *table);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: carries the run-time sets' elements (registered devices, quarantine,
 * VPN grants, proxy bypasses) across a re-apply. The apply replaces the
 * table in one transaction; without this, every reload would empty those
 * sets: admitted devices cut off, quarantined hosts released, grants gone
 * (CHG-12, INC-2). The elements are read from the kernel's current table
 * and added to the new ruleset, so they are part of the same atomic batch.
 * When gatewayd runs with the LAN registry, the registry is the source of
 * the registered-devices and quarantine sets (CARRY_NOT_REGISTRY); the
 * kernel's elements are carried only for the sets nothing else fills yet.
 */
#ifndef GW_CARRY_H
#define GW_CARRY_H

#include <stddef.h>

#include "ruleset.h"

/*
 * Adds to each run-time set of @rs the elements the kernel's table holds in
 * the set of the same name and key type. No table or no such set: nothing
 * to carry, 0. Returns 0 (*@ret_n: elements carried) or negative errno.
 * Blocking: one netlink dump per run-time set.
 */
enum carry_flags {
	CARRY_NOT_REGISTRY = 1 << 0, /* leave registered_devices, quarantine* and the
				      * per-device service sets (LANREQ-44) alone */
};
int carry_runtime_elements(struct ruleset *rs, unsigned flags, size_t *ret_n);

#endif

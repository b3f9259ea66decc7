/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Config loading: libconfig text (named buffers; the edge reads the files)
 * to the policy model, then validation against the regulation. Loading
 * never resolves names, opens files or applies anything.
 */
#ifndef GW_CONF_H
#define GW_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "model.h"

/* A config text and the name to report it under ("zones/floor1.conf"). */
struct conf_source {
	const char *name;
	const char *text; /* NUL-terminated */
	size_t len;
};

/* Largest config file accepted, in bytes (documented in docs/config.md). */
#define CONF_MAX_FILE_SIZE (4u << 20)
/* Most zone files in the zone directory. */
#define CONF_MAX_FILES 4096

/*
 * Parses the main file (services, hosts of no zone, NAT, proxy, WAN links,
 * exceptions, limits, settings) into @p. Queues every problem in @d.
 * Returns 0, -EINVAL when diagnostics were queued, -ENOMEM.
 */
int conf_parse_main(struct policy *p, const struct conf_source *src, struct diag_list *d);
/* Parses one zone file (one zone, its hosts and its policies) into @p. */
int conf_parse_zone(struct policy *p, const struct conf_source *src, struct diag_list *d);

/*
 * Resolves references and checks the model against the regulation at time
 * @now (UTC seconds; exceptions expire). Queues every problem in @d.
 * Returns 0, -EINVAL, or -ENOMEM.
 */
int conf_validate(struct policy *p, int64_t now, struct diag_list *d);

enum conf_load_flags {
	/*
	 * The running daemon's choice: a policy whose exception has lapsed
	 * (expired, or not yet in force) is left out with a warning instead of
	 * refusing the whole config, so that an expired exception stops working
	 * by itself while everything else stays (C-22, CHG-12). netctl check
	 * sets it only with --as-daemon: otherwise a lapsed exception is an
	 * error to fix.
	 */
	CONF_DROP_LAPSED = 1,
};

/* conf_load() with enum conf_load_flags. */
int conf_load_flags(const struct conf_source *srcs, size_t n, int64_t now, unsigned flags,
		    struct policy **ret_p, struct diag_list *d);

/*
 * All three in one: @srcs[0] is the main file, the rest zone files in any
 * order. On success *@ret_p is the validated model (caller frees).
 * Warnings do not fail. Returns 0, -EINVAL or -ENOMEM.
 */
int conf_load(const struct conf_source *srcs, size_t n, int64_t now, struct policy **ret_p,
	      struct diag_list *d);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LANREQ-33: which hosts and services an expiring device talked to, as
 * text for its expiry notice and 'netctl device show'. Pure: the trace of
 * its address over the last days (lib/logreport.h, logtrace_*) comes from
 * the caller, who reads the firewall log's day files; the policy names the
 * peers (its hosts) and the services (its catalogue).
 */
#ifndef GW_LANPEERS_H
#define GW_LANPEERS_H

#include <stddef.h>
#include <stdint.h>

#include "logreport.h"

struct policy;

/* At most this many peers are listed; the rest are summed in one line. */
#define LANPEERS_TOP 20

/*
 * The block of text (lines ending in '\n') on @addr's trace @s over the
 * last @days days: totals, then at most @top peers (LANPEERS_TOP at most),
 * the busiest first, each with its direction, address (and the policy's
 * host name), protocol/port (and the catalogue's service), connections,
 * permitted, denied and last seen; then the peers left out. With no record:
 * a sentence saying the log holds none. @p may be NULL (no names).
 * Malloc'd, or NULL (ENOMEM).
 */
char *lanpeers_text(const struct logtrace_summary *s, const char *addr, unsigned days,
		    size_t top, const struct policy *p);

/*
 * The notice @msg (headers, a blank line, the body, the signature "\n-- \n")
 * with @block inserted before the signature, after a blank line; at the end
 * when it has none. Malloc'd, or NULL (ENOMEM).
 */
char *lanpeers_notice(const char *msg, const char *block);

#endif

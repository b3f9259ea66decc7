/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: LANREQ-33, the hosts and services an expiring device talked to,
 * read from the firewall log's day files (DIR/fw-YYYY-MM-DD.jsonl,
 * lib/logrec.h) through the trace of lib/logreport.h and put in words by
 * lib/lanpeers.h.
 */
#ifndef GW_PEERLOG_H
#define GW_PEERLOG_H

#include <stdint.h>

struct policy;

/*
 * The text of lanpeers_text() for the IPv4 or IPv6 address @addr over the
 * @days days before @now, from the day files in @dir; a sentence saying
 * why when the address is not one or the directory cannot be read.
 * Malloc'd, or NULL (ENOMEM).
 */
char *peerlog_text(const char *dir, const char *addr, unsigned days, int64_t now,
		   const struct policy *p);

#endif

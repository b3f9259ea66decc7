/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: is the firewall log really produced (LOG-24), and what did the
 * rate limit keep out of it (C-10)? Once a check interval gatewayd reads
 * the rule counters back from the kernel and compares them with the
 * records it wrote (lib/logacct.h):
 *
 *   - the denials each rate-limited rule dropped without logging them are
 *     written as summary records (DIR/summary-YYYY-MM-DD.jsonl, beside the
 *     records, same retention) and counted in the status;
 *   - records the kernel sent that never arrived, records the kernel
 *     dropped because the socket's buffer was full, records that could not
 *     be written, an NFLOG group that is not read, and a day file whose
 *     seals do not hold (LOG-27) raise an alarm: an error in syslog
 *     ("firewall log: ALARM: ...") when first found, an alarm record among
 *     the incidents (gatewayd/incident.h, so it is forwarded at once), and
 *     in `netctl status`, which exits 1 while it stands.
 */
#ifndef GW_LOGHEALTH_H
#define GW_LOGHEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "logfile.h"
#include "ruleset.h"

struct loghealth;

/* What the daemon knows of its log path at a check. */
struct loghealth_input {
	bool reading;          /* the NFLOG group is open */
	uint64_t kernel_drops; /* records the kernel dropped (socket buffer full) */
	uint64_t write_errors; /* records that could not be written */
	const char *altered;   /* a day file's seals did not hold (LOG-27), or NULL */
};

int loghealth_new(struct loghealth **ret);
/* Called with each problem when it is first found (not again while it stands). */
typedef void (*loghealth_alarm_fn)(void *data, const char *reason, int64_t now_us);
void loghealth_on_alarm(struct loghealth *h, loghealth_alarm_fn fn, void *data);
void loghealth_free(struct loghealth *h);
/* Version @version of @rs was applied: counting starts again (the counters did). */
void loghealth_applied(struct loghealth *h, const struct ruleset *rs, int64_t version);
/* A record of rule @id was written. */
void loghealth_written(struct loghealth *h, const char *id);
/*
 * The periodic check at @now_us: reads @rs's counters back, writes the
 * summary records to @summary (may be NULL), raises or clears the alarm.
 */
void loghealth_check(struct loghealth *h, const struct ruleset *rs, struct logfile *summary,
		     const struct loghealth_input *in, int64_t now_us);
/* True while an alarm stands (the last check found a problem). */
bool loghealth_alarm(const struct loghealth *h);
/* The status object, see docs/logging.md. */
json_t *loghealth_json(const struct loghealth *h);

#endif

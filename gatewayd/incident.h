/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: incidents raised at once from the firewall records (LOG-21, INC-4).
 * Every record gatewayd writes also goes through the analysis of
 * lib/logreport.h with the config's log.report thresholds; the record that
 * makes a source's burst of denials reach the threshold (LOG-14), a scan
 * (INC-5), or a source's first denied attempt toward the internet (INC-7,
 * possible malware calling out) raises an incident:
 *
 *   - an error in syslog: "firewall log: INCIDENT: ..." (the host's syslog
 *     forwarding takes it to the log server at once);
 *   - an incident record in DIR/incident-YYYY-MM-DD.jsonl, sealed and
 *     retained like the firewall records;
 *   - a count and the last ones in 'netctl status'.
 *
 * The analysis starts again at every UTC day and every applied version, so
 * a source still calling out the next day raises a new incident.
 */
#ifndef GW_INCIDENT_H
#define GW_INCIDENT_H

#include <jansson.h>

#include "logrec.h"
#include "model.h"

struct incidents;

/* 0 and *@ret, or a negative errno. @dir is the firewall log's directory. */
int incidents_new(const char *dir, struct incidents **ret);
void incidents_free(struct incidents *in);
/* A version of @p was applied: its thresholds and zones from now on. */
void incidents_policy(struct incidents *in, const struct policy *p);
/* One record written to the firewall log. */
void incidents_record(struct incidents *in, const struct logrec *r);
/*
 * LOG-24: an alarm of the log's health check as a record among the
 * incidents ("event.dataset":"gatewayd.alarm"), so it is forwarded with
 * them at once.
 */
void incidents_alarm(struct incidents *in, const char *reason, int64_t now_us);
/* Seals the incident day file (LOG-27). */
void incidents_seal(struct incidents *in, int64_t now_us);
/* The status object: count, and the last few. */
json_t *incidents_json(const struct incidents *in);

#endif

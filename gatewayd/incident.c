/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: incidents raised at once from the firewall records; see incident.h. */
#include "incident.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "logfile.h"
#include "logreport.h"

#define LAST_MAX 5
#define DAY_US (86400LL * 1000000)

struct incidents {
	struct logfile *lf;       /* incident-YYYY-MM-DD.jsonl */
	const struct policy *p;   /* the applied version's: borrowed */
	struct logreport *lr;     /* NULL: no analysis (no policy yet, or out of memory) */
	int64_t day;              /* the UTC day the analysis began */
	uint64_t count;
	char last[LAST_MAX][400]; /* the last incidents, "TIME MESSAGE", newest first */
	size_t n_last;
};

int incidents_new(const char *dir, struct incidents **ret)
{
	struct incidents *in = calloc(1, sizeof(*in));
	int r;

	if (!in)
		return -ENOMEM;
	r = logfile_open_kind(dir, "incident", &in->lf);
	if (r) {
		free(in);
		return r;
	}
	*ret = in;
	return 0;
}

void incidents_free(struct incidents *in)
{
	if (!in)
		return;
	logreport_free(in->lr);
	logfile_close(in->lf);
	free(in);
}

static void restart(struct incidents *in, int64_t day)
{
	int r;

	logreport_free(in->lr);
	in->lr = NULL;
	in->day = day;
	if (!in->p)
		return;
	r = logreport_new_policy(in->p, &in->lr);
	if (r)
		log_error("firewall log: the incident analysis could not start: %s; no incidents "
			  "are raised (LOG-21)",
			  strerror(-r));
}

void incidents_policy(struct incidents *in, const struct policy *p)
{
	in->p = p;
	restart(in, in->day);
}

static void addr_text(int family, const uint8_t *a, char *buf, size_t size)
{
	if (!inet_ntop(family, a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

/* Raises one incident of @kind started by record @r. */
static void raise_one(struct incidents *in, enum logreport_kind kind, const struct logrec *r)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], t[64], msg[320];
	const struct log_report_settings *rs = &in->p->settings.report;
	json_t *o;
	char *line;
	int e;

	addr_text(r->family, r->saddr, src, sizeof(src));
	addr_text(r->family, r->daddr, dst, sizeof(dst));
	logrec_time_format(r->time_us, t, sizeof(t));
	switch (kind) {
	case LR_DENIALS:
		snprintf(msg, sizeof(msg), "repeated denials from %s: %u within %llds (%s)", src,
			 rs->denied, (long long)rs->window, logreport_kind_reqs(kind));
		break;
	case LR_SCAN:
		snprintf(msg, sizeof(msg),
			 "a scan from %s: %u ports or %u hosts within %llds (%s)", src,
			 rs->scan_ports, rs->scan_hosts, (long long)rs->window,
			 logreport_kind_reqs(kind));
		break;
	default:
		snprintf(msg, sizeof(msg), "%s from %s to %s (%s; possible malware calling out)",
			 logreport_kind_name(kind), src, dst, logreport_kind_reqs(kind));
		break;
	}
	log_error("firewall log: INCIDENT: %s, rule %s (LOG-21, INC-4)", msg, r->rule_id);
	in->count++;
	memmove(in->last[1], in->last[0], (LAST_MAX - 1) * sizeof(in->last[0]));
	snprintf(in->last[0], sizeof(in->last[0]), "%s %s", t, msg);
	if (in->n_last < LAST_MAX)
		in->n_last++;
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "@timestamp", t, "event.kind",
		      "alert", "event.dataset", "gatewayd.incident", "event.action",
		      logreport_kind_name(kind), "rule.id", r->rule_id, "source.ip", src,
		      "destination.ip", dst, "gatewayd.requirements", logreport_kind_reqs(kind),
		      "message", msg);
	if (o && r->has_ports)
		json_object_set_new(o, "destination.port", json_integer(r->dport));
	line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	e = line ? logfile_write(in->lf, line, r->time_us) : -ENOMEM;
	free(line);
	if (e)
		log_error("firewall log: the incident record could not be written: %s",
			  strerror(-e));
}

void incidents_record(struct incidents *in, const struct logrec *r)
{
	int64_t day = r->time_us / DAY_US;
	unsigned ev = 0, k;

	if (!in->p)
		return;
	if (day > in->day || !in->lr)
		restart(in, day > in->day ? day : in->day);
	if (!in->lr || r->permitted || logreport_add_events(in->lr, r, &ev) || !ev)
		return;
	for (k = 0; k < LR__COUNT; k++)
		if (ev & (1u << k))
			raise_one(in, (enum logreport_kind)k, r);
}

void incidents_seal(struct incidents *in, int64_t now_us)
{
	logfile_seal(in->lf, now_us);
}

json_t *incidents_json(const struct incidents *in)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < in->n_last; i++)
		json_array_append_new(a, json_string(in->last[i]));
	return json_pack("{s:I, s:o}", "count", (json_int_t)in->count, "last", a);
}

void incidents_alarm(struct incidents *in, const char *reason, int64_t now_us)
{
	char t[64], *line;
	json_t *o;
	int e;

	logrec_time_format(now_us, t, sizeof(t));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "@timestamp", t, "event.kind", "alert",
		      "event.dataset", "gatewayd.alarm", "event.action", "log-alarm",
		      "gatewayd.requirements", "LOG-24", "message", reason);
	line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	e = line ? logfile_write(in->lf, line, now_us) : -ENOMEM;
	free(line);
	if (e)
		log_error("firewall log: the alarm record could not be written: %s", strerror(-e));
}

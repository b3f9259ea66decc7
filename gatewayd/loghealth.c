/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: the firewall log's health check (LOG-24) and C-10 summaries; see loghealth.h. */
#include "loghealth.h"

#include <errno.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "log.h"
#include "logacct.h"
#include "logfile.h"
#include "logrec.h"
#include "readback.h"
#include "srcread.h"

#define PROBLEMS_MAX 4

struct loghealth {
	struct logacct cur;     /* the running version's rules; written counts as records come */
	bool have_prev;
	struct logacct prev;    /* the reading of the previous check */
	int64_t checked_us;     /* last check; 0: none yet */
	uint64_t drops_seen, errors_seen; /* the inputs at the previous check */
	uint64_t lost_version;  /* lost records reported for the running version */
	/* Totals since gatewayd started. */
	uint64_t lost, suppressed, summaries, checks;
	/* C-10 per source: totals, and the start of the current source interval. */
	uint64_t source_records, source_suppressed, source_unknown;
	int64_t sources_since_us;
	int source_error;         /* the last reading's error, logged once; 0: fine */
	/* The last check's problems; an alarm stands while there are any. */
	char problems[PROBLEMS_MAX][256];
	size_t n_problems;
	/* The check before's: a problem found again is not raised again. */
	char prev_problems[PROBLEMS_MAX][256];
	size_t n_prev_problems;
	loghealth_alarm_fn alarm_fn;
	void *alarm_data;
	/* The last alarm raised, kept after it cleared. */
	int64_t last_alarm_us;
	char last_alarm[256];
};

int loghealth_new(struct loghealth **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

void loghealth_free(struct loghealth *h)
{
	if (!h)
		return;
	logacct_fini(&h->cur);
	logacct_fini(&h->prev);
	free(h);
}

void loghealth_applied(struct loghealth *h, const struct ruleset *rs, int64_t version)
{
	struct logacct a;

	if (logacct_init(rs, version, &a)) {
		log_error("firewall log: out of memory: records are not accounted for");
		return;
	}
	logacct_fini(&h->cur);
	logacct_fini(&h->prev);
	h->have_prev = false;
	h->lost_version = 0;
	h->cur = a;
}

void loghealth_written(struct loghealth *h, const char *id)
{
	struct logacct_rule *r = logacct_find(&h->cur, id);

	if (r)
		r->written++;
}

static void problem(struct loghealth *h, int64_t now_us, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem(struct loghealth *h, int64_t now_us, const char *fmt, ...)
{
	va_list ap;
	size_t i;
	char *p;

	if (h->n_problems == PROBLEMS_MAX)
		return;
	p = h->problems[h->n_problems++];
	va_start(ap, fmt);
	vsnprintf(p, sizeof(h->problems[0]), fmt, ap);
	va_end(ap);
	/* Raised once: a problem the check before found too still stands. */
	for (i = 0; i < h->n_prev_problems; i++)
		if (!strcmp(h->prev_problems[i], p))
			return;
	log_error("firewall log: ALARM: %s (LOG-24)", p);
	snprintf(h->last_alarm, sizeof(h->last_alarm), "%s", p);
	h->last_alarm_us = now_us;
	if (h->alarm_fn)
		h->alarm_fn(h->alarm_data, p, now_us);
}

void loghealth_on_alarm(struct loghealth *h, loghealth_alarm_fn fn, void *data)
{
	h->alarm_fn = fn;
	h->alarm_data = data;
}

/* Fills @a's counters from the kernel. */
static void read_counters(struct logacct *a, const struct readback *rb)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		struct logacct_rule *r = &a->v[i];
		struct rule_counter dec, lg;

		uint64_t src = 0;
		size_t k;

		r->known = !readback_counter(rb, r->id, &dec) && dec.has_counter &&
			   !readback_counter(rb, r->log_id, &lg) && lg.has_counter;
		/* C-10: what the per-source limit dropped before the deny saw it. */
		for (k = 0; r->known && k < 2; k++) {
			struct rule_counter sc;

			if (!r->src_ids[k])
				continue;
			r->known = !readback_counter(rb, r->src_ids[k], &sc) && sc.has_counter;
			src += r->known ? sc.packets : 0;
		}
		r->decided = r->known ? dec.packets + src : 0;
		r->logged = r->known ? lg.packets : 0;
	}
}

/* One element of a source set: a summary record per source and deny (C-10). */
struct source_ctx {
	struct loghealth *h;
	const struct logacct *a;
	struct logfile *summary;
	int64_t from_us, to_us;
};

static void source_elem(void *data, int family, const uint8_t *addr, uint32_t mark,
			uint64_t packets)
{
	struct source_ctx *sc = data;
	const struct logacct_rule *x = logacct_find_mark(sc->a, mark);
	char *line = NULL;
	int r;

	sc->h->source_suppressed += packets;
	if (!x) {
		/* A deny of a version no longer applied (the reading came late). */
		sc->h->source_unknown += packets;
		return;
	}
	r = logacct_source_line(x, family, addr, packets, sc->from_us, sc->to_us, &line);
	if (r == 0 && sc->summary)
		r = logfile_write(sc->summary, line, sc->to_us);
	free(line);
	if (r)
		log_error("firewall log: a per-source summary record of '%s' could not be written: %s",
			  x->id, strerror(-r));
	else
		sc->h->source_records++;
}

/*
 * C-10: reads and resets the per-source sets; every source the limit held
 * back since the last reading becomes a summary record. A kernel that
 * cannot reset set elements (before 6.5) leaves only the per-rule counts.
 */
static void read_sources(struct loghealth *h, const struct ruleset *rs, const struct logacct *a,
			 struct logfile *summary, int64_t now_us)
{
	struct source_ctx sc = { h, a, summary, h->sources_since_us ? h->sources_since_us : now_us,
				 now_us };
	uint64_t before = h->source_suppressed;
	size_t i;
	int r = 0;

	for (i = 0; i < 2 && !r; i++) {
		const char *name = i ? SET_DENY_SRC6 : SET_DENY_SRC4;

		if (!ruleset_set(rs, name))
			continue;
		r = srcread_reset(rs->table, name, i ? AF_INET6 : AF_INET, source_elem, &sc);
		if (r == -ENOENT)
			r = 0;
	}
	h->sources_since_us = now_us;
	if (r && r != h->source_error)
		log_error("firewall log: the per-source counts could not be read: %s; denials are "
			  "still counted per rule (C-10)",
			  strerror(-r));
	h->source_error = r;
	if (h->source_suppressed > before)
		log_info("firewall log: %llu denials were held back by the per-source limit in the "
			 "last %llds; counted per source in summary records (C-10)",
			 (unsigned long long)(h->source_suppressed - before),
			 (long long)((sc.to_us - sc.from_us) / 1000000));
}

/* C-10: one summary record per rule that dropped denials unlogged. */
static void write_summaries(struct loghealth *h, const struct logacct_report *rep,
			    struct logfile *summary)
{
	size_t i;

	for (i = 0; i < rep->n; i++) {
		char *line = NULL;
		int r = logacct_summary_line(rep, &rep->v[i], &line);

		if (r == 0 && summary)
			r = logfile_write(summary, line, rep->to_us);
		free(line);
		if (r)
			log_error("firewall log: a summary record of '%s' could not be written: %s",
				  rep->v[i].rule->id, strerror(-r));
		else
			h->summaries++;
	}
	if (rep->suppressed)
		log_info("firewall log: %llu denials of %zu rules were not logged in the last %llds "
			 "(rate limit); counted in summary records (C-10)",
			 (unsigned long long)rep->suppressed, rep->n,
			 (long long)((rep->to_us - rep->from_us) / 1000000));
}

void loghealth_check(struct loghealth *h, const struct ruleset *rs, struct logfile *summary,
		     const struct loghealth_input *in, int64_t now_us)
{
	struct readback *rb = NULL;
	struct logacct reading;
	int r;

	memcpy(h->prev_problems, h->problems, sizeof(h->problems));
	h->n_prev_problems = h->n_problems;
	h->n_problems = 0;
	h->checked_us = now_us;
	h->checks++;
	if (!in->reading)
		problem(h, now_us, "the NFLOG group is not read: no firewall records are kept");
	if (in->kernel_drops > h->drops_seen)
		problem(h, now_us, "the kernel dropped %llu records (receive buffer full)",
			(unsigned long long)(in->kernel_drops - h->drops_seen));
	if (in->write_errors > h->errors_seen)
		problem(h, now_us, "%llu records could not be written",
			(unsigned long long)(in->write_errors - h->errors_seen));
	if (in->altered)
		problem(h, now_us, "%s", in->altered);
	h->drops_seen = in->kernel_drops;
	h->errors_seen = in->write_errors;

	r = readback_dump(rs, &rb);
	if (r) {
		problem(h, now_us, "the rule counters could not be read: %s", strerror(-r));
		goto out;
	}
	r = logacct_copy(&h->cur, &reading);
	if (r) {
		readback_free(rb);
		goto out;
	}
	read_counters(&reading, rb);
	readback_free(rb);
	reading.at_us = now_us;
	read_sources(h, rs, &reading, summary, now_us);
	if (h->have_prev) {
		struct logacct_report rep;

		r = logacct_compare(&h->prev, &reading, &rep);
		if (r == 0) {
			if (rep.lost > h->lost_version) {
				problem(h, now_us,
					"%llu records the kernel sent never arrived",
					(unsigned long long)(rep.lost - h->lost_version));
				h->lost += rep.lost - h->lost_version;
				h->lost_version = rep.lost;
			}
			h->suppressed += rep.suppressed;
			write_summaries(h, &rep, summary);
			logacct_report_fini(&rep);
		}
	}
	logacct_fini(&h->prev);
	h->prev = reading;
	h->have_prev = true;
out:
	if (h->n_prev_problems && !h->n_problems)
		log_info("firewall log: the alarm cleared: no problem found (LOG-24)");
}

bool loghealth_alarm(const struct loghealth *h)
{
	return h->n_problems > 0;
}

json_t *loghealth_json(const struct loghealth *h)
{
	json_t *o, *a = json_array();
	char at[40] = "", last[40] = "";
	size_t i;

	for (i = 0; a && i < h->n_problems; i++)
		json_array_append_new(a, json_string(h->problems[i]));
	if (h->checked_us)
		logrec_time_format(h->checked_us, at, sizeof(at));
	if (h->last_alarm_us)
		logrec_time_format(h->last_alarm_us, last, sizeof(last));
	o = json_pack("{s:s, s:s?, s:I, s:o, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:s?}}", "state",
		      !h->checked_us ? "unchecked" : h->n_problems ? "alarm" : "ok", "checked_at",
		      h->checked_us ? at : NULL, "checks", (json_int_t)h->checks, "alarms", a,
		      "lost", (json_int_t)h->lost, "suppressed", (json_int_t)h->suppressed,
		      "summary_records", (json_int_t)h->summaries, "per_source", "suppressed",
		      (json_int_t)h->source_suppressed, "summary_records",
		      (json_int_t)h->source_records, "unattributed", (json_int_t)h->source_unknown,
		      "error", h->source_error ? strerror(-h->source_error) : NULL);
	if (o && h->last_alarm_us)
		json_object_set_new(o, "last_alarm",
				    json_pack("{s:s, s:s}", "at", last, "reason", h->last_alarm));
	return o;
}

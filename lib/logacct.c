/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Firewall log accounting (LOG-24, C-10); see logacct.h. */
#include "logacct.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logrec.h"

static int rule_cmp(const void *a, const void *b)
{
	return strcmp(((const struct logacct_rule *)a)->id, ((const struct logacct_rule *)b)->id);
}

/* The id a rule's records carry: its log prefix without "gw:A:" / "gw:D:". */
static const char *record_id(const struct rule *r)
{
	if (!r->log_prefix)
		return NULL;
	if (!strncmp(r->log_prefix, LOG_PREFIX_ACCEPT, strlen(LOG_PREFIX_ACCEPT)))
		return r->log_prefix + strlen(LOG_PREFIX_ACCEPT);
	if (!strncmp(r->log_prefix, LOG_PREFIX_DROP, strlen(LOG_PREFIX_DROP)))
		return r->log_prefix + strlen(LOG_PREFIX_DROP);
	return NULL;
}

int logacct_init(const struct ruleset *rs, int64_t version, struct logacct *ret)
{
	struct logacct a = { .version = version };
	size_t i, k, n = 0;

	for (i = 0; i < rs->n_chains; i++)
		for (k = 0; k < rs->chains[i]->n_rules; k++)
			n += record_id(&rs->chains[i]->rules[k]) != NULL;
	a.v = calloc(n + 1, sizeof(*a.v));
	if (!a.v)
		return -ENOMEM;
	for (i = 0; i < rs->n_chains; i++)
		for (k = 0; k < rs->chains[i]->n_rules; k++) {
			const struct rule *r = &rs->chains[i]->rules[k];
			const char *id = record_id(r);

			if (!id || !r->id)
				continue;
			/*
			 * A rate-limited deny logs from "<id>#log" and drops in
			 * "<id>"; an accept logs and decides in one rule.
			 */
			a.v[a.n++] = (struct logacct_rule){ .id = id, .log_id = r->id,
							    .from = r->from, .to = r->to,
							    .limited = r->role == ROLE_LOG };
		}
	qsort(a.v, a.n, sizeof(*a.v), rule_cmp);
	/* C-10: a deny's per-source rules "<id>#src4", "<id>#src6", and its mark. */
	for (i = 0; i < rs->n_chains; i++)
		for (k = 0; k < rs->chains[i]->n_rules; k++) {
			const struct rule *r = &rs->chains[i]->rules[k];
			size_t blen, j;
			char base[RULE_ID_MAX + 1];
			struct logacct_rule *x;

			if (r->role != ROLE_SRCLIMIT || !r->id)
				continue;
			blen = strcspn(r->id, "#");
			if (blen > RULE_ID_MAX)
				continue;
			memcpy(base, r->id, blen);
			base[blen] = '\0';
			x = logacct_find(&a, base);
			if (!x || !x->limited)
				continue;
			x->mark = r->mark;
			j = r->src_family == AF_INET6;
			x->src_ids[j] = r->id;
		}
	*ret = a;
	return 0;
}

const struct logacct_rule *logacct_find_mark(const struct logacct *a, uint32_t mark)
{
	size_t i;

	for (i = 0; mark && i < a->n; i++)
		if (a->v[i].limited && a->v[i].mark == mark)
			return &a->v[i];
	return NULL;
}

void logacct_fini(struct logacct *a)
{
	if (!a)
		return;
	free(a->v);
	memset(a, 0, sizeof(*a));
}

int logacct_copy(const struct logacct *a, struct logacct *ret)
{
	struct logacct c = *a;

	c.v = malloc((a->n + 1) * sizeof(*c.v));
	if (!c.v)
		return -ENOMEM;
	memcpy(c.v, a->v, a->n * sizeof(*c.v));
	*ret = c;
	return 0;
}

struct logacct_rule *logacct_find(const struct logacct *a, const char *id)
{
	struct logacct_rule key = { .id = id };

	if (!a->n)
		return NULL;
	return bsearch(&key, a->v, a->n, sizeof(*a->v), rule_cmp);
}

int logacct_compare(const struct logacct *prev, const struct logacct *cur,
		    struct logacct_report *ret)
{
	struct logacct_report r = { .from_us = prev->at_us, .to_us = cur->at_us };
	size_t i;

	if (prev->version != cur->version)
		return -ESTALE;
	if (cur->at_us < prev->at_us)
		return -EINVAL;
	r.v = calloc(cur->n + 1, sizeof(*r.v));
	if (!r.v)
		return -ENOMEM;
	for (i = 0; i < cur->n; i++) {
		const struct logacct_rule *c = &cur->v[i];
		const struct logacct_rule *p = logacct_find(prev, c->id);
		uint64_t denied, logged;

		if (!p || !p->known || !c->known || c->decided < p->decided ||
		    c->logged < p->logged || c->written < p->written) {
			r.n_skipped++;
			continue;
		}
		logged = c->logged - p->logged;
		r.logged += logged;
		r.written += c->written - p->written;
		/* Every record logged by the previous reading has arrived by now. */
		if (p->logged > c->written)
			r.lost += p->logged - c->written;
		if (!c->limited)
			continue;
		denied = c->decided - p->decided;
		r.denied += denied;
		/*
		 * #src and #log run first: what #log counts, the drop rule counts
		 * too; decided already holds the #src rules' drops.
		 */
		if (denied > logged) {
			r.v[r.n++] = (struct logacct_sum){ c, denied, logged, denied - logged };
			r.suppressed += denied - logged;
		}
	}
	*ret = r;
	return 0;
}

void logacct_report_fini(struct logacct_report *r)
{
	if (!r)
		return;
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* Names and ids go into the line unquoted: they must need no JSON escape. */
static bool plain(const char *s)
{
	for (; s && *s; s++)
		if (*s < '!' || *s > '~' || *s == '"' || *s == '\\')
			return false;
	return true;
}

int logacct_summary_line(const struct logacct_report *r, const struct logacct_sum *s,
			 char **ret_line)
{
	const struct logacct_rule *x = s->rule;
	char start[40], end[40], zones[128] = "";
	int n;

	if (r->from_us < 0 || r->to_us > LOGREC_TIME_MAX || r->from_us > r->to_us ||
	    !plain(x->id) || !plain(x->from) || !plain(x->to))
		return -EINVAL;
	logrec_time_format(r->from_us, start, sizeof(start));
	logrec_time_format(r->to_us, end, sizeof(end));
	if (x->from && x->to)
		snprintf(zones, sizeof(zones), "\"zone.from\":\"%s\",\"zone.to\":\"%s\",", x->from,
			 x->to);
	n = asprintf(ret_line,
		     "{\"@timestamp\":\"%s\",\"event.kind\":\"metric\","
		     "\"event.dataset\":\"gatewayd.summary\",\"event.action\":\"denied\","
		     "\"rule.id\":\"%s\",%s\"event.start\":\"%s\",\"event.end\":\"%s\","
		     "\"gatewayd.denied\":%llu,\"gatewayd.logged\":%llu,"
		     "\"gatewayd.suppressed\":%llu}",
		     end, x->id, zones, start, end, (unsigned long long)s->denied,
		     (unsigned long long)s->logged, (unsigned long long)s->suppressed);
	return n < 0 ? -ENOMEM : 0;
}

int logacct_source_line(const struct logacct_rule *x, int family, const uint8_t *addr,
			uint64_t suppressed, int64_t from_us, int64_t to_us, char **ret_line)
{
	char start[40], end[40], zones[128] = "", ip[INET6_ADDRSTRLEN];
	int n;

	if (from_us < 0 || to_us > LOGREC_TIME_MAX || from_us > to_us || !plain(x->id) ||
	    !plain(x->from) || !plain(x->to) || (family != AF_INET && family != AF_INET6) ||
	    !inet_ntop(family, addr, ip, sizeof(ip)))
		return -EINVAL;
	logrec_time_format(from_us, start, sizeof(start));
	logrec_time_format(to_us, end, sizeof(end));
	if (x->from && x->to)
		snprintf(zones, sizeof(zones), "\"zone.from\":\"%s\",\"zone.to\":\"%s\",", x->from,
			 x->to);
	n = asprintf(ret_line,
		     "{\"@timestamp\":\"%s\",\"event.kind\":\"metric\","
		     "\"event.dataset\":\"gatewayd.summary\",\"event.action\":\"denied\","
		     "\"rule.id\":\"%s\",%s\"source.ip\":\"%s\",\"event.start\":\"%s\","
		     "\"event.end\":\"%s\",\"gatewayd.suppressed\":%llu}",
		     end, x->id, zones, ip, start, end, (unsigned long long)suppressed);
	return n < 0 ? -ENOMEM : 0;
}

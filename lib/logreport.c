/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The periodic log analysis and the incident trace of one host: streaming
 * accumulators over firewall records with bounded state (lib/logreport.h).
 */
#include "logreport.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define US 1000000LL
#define DAY_US (86400LL * US)
#define INTERN_MAX 65536 /* distinct rule ids kept as samples; further ids are not sampled */
#define NO_SAMPLE UINT32_MAX

/* One kind's evidence of one source, compact (samples are interned ids). */
struct kstat {
	uint64_t count, bursts;
	int64_t first_us, last_us;
	unsigned max_denied, max_ports, max_hosts;
	uint32_t samples[LOGREPORT_SAMPLES];
};

/*
 * A source's state. The burst: the denied records from this source that lie
 * within limits.window of the first one (the anchor); a denied record at or
 * past anchor + window starts the next burst. Anchored, not sliding: a run
 * spread across two anchors counts in two bursts (documented in
 * docs/config.md), and the state is a count and two capped sets.
 */
struct src {
	int family;
	uint8_t addr[16];
	int64_t burst_start;
	unsigned burst_denied, n_ports, n_hosts;
	bool in_burst, hit_denied, hit_scan;
	uint16_t *ports;       /* scan_ports entries, allocated at the first denial */
	uint8_t (*hosts)[16];  /* scan_hosts entries */
	struct kstat k[LR__COUNT];
};

struct db {
	char *name;
	int family;
	uint8_t addr[16];
	int64_t day, day_first_us, day_last_us; /* the current UTC day and its records */
	uint64_t day_count;
	uint32_t day_samples[LOGREPORT_SAMPLES];
	struct kstat k;                         /* the days over the threshold */
	uint64_t max_day;
};

struct logreport {
	struct logreport_limits lim;
	char **inet, **vpn;
	size_t n_inet, n_vpn;
	struct db db[LOGREPORT_DB_HOSTS];
	size_t n_db;
	struct src *srcs;      /* in order of first appearance */
	size_t n_srcs, cap_srcs;
	uint32_t *index;       /* open addressing: 1 + position in srcs, 0 empty */
	size_t index_cap;      /* a power of two >= 2 * limits.sources */
	char **ids;            /* interned rule ids */
	uint32_t *ids_index;
	size_t n_ids;
	struct logreport_summary sum;
	int64_t prev_us;
	bool have_prev;
	struct logreport_finding *out[LR__COUNT]; /* the last result's lists */
};

static uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;

	/* FNV-1a: addresses and rule ids come from log files, not from a peer in real time. */
	while (n--)
		h = (h ^ *b++) * 1099511628211ULL;
	return h;
}

static size_t alen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	return d ? memcpy(d, s, n) : NULL;
}

static int copy_names(const char *const *in, size_t n, char ***ret)
{
	char **v = calloc(n ? n : 1, sizeof(*v));
	size_t i;

	if (!v)
		return -ENOMEM;
	*ret = v;
	for (i = 0; i < n; i++)
		if (!(v[i] = xstrdup(in[i])))
			return -ENOMEM;
	return 0;
}

static bool limits_ok(const struct logreport_limits *l)
{
	return l->window >= 1 && l->window <= 86400 && l->denied >= 1 && l->denied <= 100000 &&
	       l->scan_ports >= 2 && l->scan_ports <= 256 && l->scan_hosts >= 2 &&
	       l->scan_hosts <= 256 && l->db_connections >= 1 && l->db_connections <= 10000000 &&
	       l->sources >= 16 && l->sources <= 100000 && l->top >= 1 && l->top <= 1000;
}

int logreport_new(const struct logreport_limits *limits, const struct logreport_ctx *ctx,
		  struct logreport **ret)
{
	struct logreport *lr;
	size_t i;

	if (!limits_ok(limits) || ctx->n_db > LOGREPORT_DB_HOSTS)
		return -EINVAL;
	for (i = 0; i < ctx->n_db; i++)
		if (ctx->db[i].family != AF_INET && ctx->db[i].family != AF_INET6)
			return -EINVAL;
	lr = calloc(1, sizeof(*lr));
	if (!lr)
		return -ENOMEM;
	lr->lim = *limits;
	lr->index_cap = 32;
	while (lr->index_cap < 2 * (size_t)limits->sources)
		lr->index_cap *= 2;
	lr->index = calloc(lr->index_cap, sizeof(*lr->index));
	lr->ids_index = calloc(2 * INTERN_MAX, sizeof(*lr->ids_index));
	if (!lr->index || !lr->ids_index || copy_names(ctx->internet_zones, ctx->n_internet_zones,
						       &lr->inet) ||
	    copy_names(ctx->vpn_zones, ctx->n_vpn_zones, &lr->vpn))
		goto oom;
	lr->n_inet = ctx->n_internet_zones;
	lr->n_vpn = ctx->n_vpn_zones;
	for (i = 0; i < ctx->n_db; i++) {
		struct db *d = &lr->db[lr->n_db++];

		if (!(d->name = xstrdup(ctx->db[i].name)))
			goto oom;
		d->family = ctx->db[i].family;
		memcpy(d->addr, ctx->db[i].addr, alen(d->family));
		d->day = INT64_MIN;
		memset(d->day_samples, 0xff, sizeof(d->day_samples));
		memset(d->k.samples, 0xff, sizeof(d->k.samples));
	}
	*ret = lr;
	return 0;
oom:
	logreport_free(lr);
	return -ENOMEM;
}

void logreport_free(struct logreport *lr)
{
	size_t i;

	if (!lr)
		return;
	for (i = 0; lr->inet && i < lr->n_inet; i++)
		free(lr->inet[i]);
	for (i = 0; lr->vpn && i < lr->n_vpn; i++)
		free(lr->vpn[i]);
	free(lr->inet);
	free(lr->vpn);
	for (i = 0; i < lr->n_db; i++)
		free(lr->db[i].name);
	for (i = 0; i < lr->n_srcs; i++) {
		free(lr->srcs[i].ports);
		free(lr->srcs[i].hosts);
	}
	free(lr->srcs);
	free(lr->index);
	for (i = 0; i < lr->n_ids; i++)
		free(lr->ids[i]);
	free(lr->ids);
	free(lr->ids_index);
	for (i = 0; i < LR__COUNT; i++)
		free(lr->out[i]);
	free(lr);
}

/* The interned number of @id; NO_SAMPLE when the table is full (or no memory). */
static uint32_t intern(struct logreport *lr, const char *id)
{
	size_t n = strlen(id), mask = 2 * INTERN_MAX - 1;
	size_t h = (size_t)hash_bytes(id, n, 14695981039346656037ULL) & mask;
	char **v;

	for (; lr->ids_index[h]; h = (h + 1) & mask)
		if (!strcmp(lr->ids[lr->ids_index[h] - 1], id))
			return lr->ids_index[h] - 1;
	if (lr->n_ids == INTERN_MAX)
		return NO_SAMPLE;
	if (!(lr->n_ids & (lr->n_ids + 1)) || !lr->ids) {
		v = realloc(lr->ids, 2 * (lr->n_ids + 1) * sizeof(*v));
		if (!v)
			return NO_SAMPLE;
		lr->ids = v;
	}
	if (!(lr->ids[lr->n_ids] = xstrdup(id)))
		return NO_SAMPLE;
	lr->ids_index[h] = (uint32_t)++lr->n_ids;
	return (uint32_t)(lr->n_ids - 1);
}

static void sample(uint32_t *s, uint32_t id)
{
	size_t i;

	for (i = 0; i < LOGREPORT_SAMPLES && id != NO_SAMPLE; i++) {
		if (s[i] == id)
			return;
		if (s[i] == NO_SAMPLE) {
			s[i] = id;
			return;
		}
	}
}

static void count(struct kstat *k, int64_t t, uint64_t n, uint32_t id)
{
	if (!k->count || t < k->first_us)
		k->first_us = t;
	if (!k->count || t > k->last_us)
		k->last_us = t;
	k->count += n;
	sample(k->samples, id);
}

/* The source's state, a new one, or NULL when the table is full (or no memory). */
static struct src *source(struct logreport *lr, int family, const uint8_t *addr)
{
	size_t mask = lr->index_cap - 1, n = alen(family);
	size_t h = (size_t)hash_bytes(addr, n, 14695981039346656037ULL ^ (uint64_t)family) & mask;
	struct src *s;
	size_t i;

	for (; lr->index[h]; h = (h + 1) & mask) {
		s = &lr->srcs[lr->index[h] - 1];
		if (s->family == family && !memcmp(s->addr, addr, n))
			return s;
	}
	if (lr->n_srcs == lr->lim.sources)
		return NULL;
	if (lr->n_srcs == lr->cap_srcs) {
		size_t cap = lr->cap_srcs ? 2 * lr->cap_srcs : 64;

		s = realloc(lr->srcs, cap * sizeof(*s));
		if (!s)
			return NULL;
		lr->srcs = s;
		lr->cap_srcs = cap;
	}
	s = &lr->srcs[lr->n_srcs];
	memset(s, 0, sizeof(*s));
	s->family = family;
	memcpy(s->addr, addr, n);
	for (i = 0; i < LR__COUNT; i++)
		memset(s->k[i].samples, 0xff, sizeof(s->k[i].samples));
	lr->index[h] = (uint32_t)++lr->n_srcs;
	return s;
}

static bool in_list(char *const *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name[0] && i < n; i++)
		if (!strcmp(v[i], name))
			return true;
	return false;
}

/* Multicast, the IPv4 broadcast, or IPv6 link-local: a destination on the sender's segment. */
static bool local_chatter(const struct logrec *r)
{
	const uint8_t *d = r->daddr;

	if (r->family == AF_INET)
		return (d[0] & 0xf0) == 224 || (d[0] == 255 && d[1] == 255 && d[2] == 255 &&
						d[3] == 255);
	return d[0] == 0xff || (d[0] == 0xfe && (d[1] & 0xc0) == 0x80);
}

/* lib/compile.c names the PROXY-1 denials "FROM>TO:SERVICE[VARIANT]!direct". */
static bool is_bypass(const char *id)
{
	size_t n = strlen(id);

	return n > 7 && !strcmp(id + n - 7, "!direct");
}

/* LANREQ-43 denials are "ZONE:admission[SUFFIX]" and "ZONE:admission6[SUFFIX]". */
static bool is_admission(const char *id)
{
	const char *c = strchr(id, ':');

	return c && c != id && !strncmp(c + 1, "admission", 9) && !strchr(id, '>');
}

static bool set_add16(uint8_t (*v)[16], unsigned *n, unsigned cap, const uint8_t *a)
{
	unsigned i;

	for (i = 0; i < *n; i++)
		if (!memcmp(v[i], a, 16))
			return false;
	if (*n < cap)
		memcpy(v[(*n)++], a, 16);
	return true;
}

static void set_add_port(uint16_t *v, unsigned *n, unsigned cap, uint16_t p)
{
	unsigned i;

	for (i = 0; i < *n; i++)
		if (v[i] == p)
			return;
	if (*n < cap)
		v[(*n)++] = p;
}

/* LOG-14, INC-5: one denied record of @s in its burst. */
static int burst_add(struct logreport *lr, struct src *s, const struct logrec *r, uint32_t id,
		     unsigned *events)
{
	const struct logreport_limits *l = &lr->lim;
	struct kstat *kd = &s->k[LR_DENIALS], *ks = &s->k[LR_SCAN];
	uint8_t a[16] = { 0 };

	if (!s->ports) {
		s->ports = calloc(l->scan_ports, sizeof(*s->ports));
		s->hosts = calloc(l->scan_hosts, sizeof(*s->hosts));
		if (!s->ports || !s->hosts) {
			free(s->ports);
			free(s->hosts);
			s->ports = NULL;
			s->hosts = NULL;
			return -ENOMEM;
		}
	}
	if (!s->in_burst || r->time_us - s->burst_start >= l->window * US) {
		s->in_burst = true;
		s->burst_start = r->time_us;
		s->burst_denied = s->n_ports = s->n_hosts = 0;
		s->hit_denied = s->hit_scan = false;
	}
	s->burst_denied++;
	if (r->has_ports)
		set_add_port(s->ports, &s->n_ports, l->scan_ports, r->dport);
	memcpy(a, r->daddr, alen(r->family));
	set_add16(s->hosts, &s->n_hosts, l->scan_hosts, a);
	if (!s->hit_denied && s->burst_denied >= l->denied) {
		/* The burst counts from its anchor: all its records so far are the evidence. */
		s->hit_denied = true;
		*events |= 1u << LR_DENIALS;
		kd->bursts++;
		count(kd, s->burst_start, s->burst_denied - 1, NO_SAMPLE);
	}
	if (s->hit_denied) {
		count(kd, r->time_us, 1, id);
		if (s->burst_denied > kd->max_denied)
			kd->max_denied = s->burst_denied;
	}
	if (!s->hit_scan && (s->n_ports >= l->scan_ports || s->n_hosts >= l->scan_hosts)) {
		s->hit_scan = true;
		*events |= 1u << LR_SCAN;
		ks->bursts++;
		count(ks, s->burst_start, s->burst_denied - 1, NO_SAMPLE);
	}
	if (s->hit_scan) {
		count(ks, r->time_us, 1, id);
		if (s->n_ports > ks->max_ports)
			ks->max_ports = s->n_ports;
		if (s->n_hosts > ks->max_hosts)
			ks->max_hosts = s->n_hosts;
		if (s->burst_denied > ks->max_denied)
			ks->max_denied = s->burst_denied;
	}
	return 0;
}

/* Closes a DB host's current day: counted when over the threshold (LOG-16). */
static void db_close_day(const struct logreport *lr, const struct db *d, struct kstat *k,
			 uint64_t *max_day)
{
	size_t i;

	if (d->day == INT64_MIN || d->day_count < lr->lim.db_connections)
		return;
	if (!k->count || d->day_first_us < k->first_us)
		k->first_us = d->day_first_us;
	if (!k->count || d->day_last_us > k->last_us)
		k->last_us = d->day_last_us;
	k->count += d->day_count;
	k->bursts++;
	if (d->day_count > *max_day)
		*max_day = d->day_count;
	for (i = 0; i < LOGREPORT_SAMPLES; i++)
		sample(k->samples, d->day_samples[i]);
}

static bool same_addr(int family, const uint8_t *a, const struct db *d)
{
	return d->family == family && !memcmp(a, d->addr, alen(family));
}

/* LOG-16: the connections (permitted records) of DB hosts, per UTC day. */
static void db_add(struct logreport *lr, const struct logrec *r, uint32_t id)
{
	int64_t day = r->time_us / DAY_US;
	size_t i;

	if (!r->permitted)
		return;
	for (i = 0; i < lr->n_db; i++) {
		struct db *d = &lr->db[i];

		if (!same_addr(r->family, r->saddr, d) && !same_addr(r->family, r->daddr, d))
			continue;
		if (day != d->day) {
			db_close_day(lr, d, &d->k, &d->max_day);
			d->day = day;
			d->day_count = 0;
			d->day_first_us = r->time_us;
			memset(d->day_samples, 0xff, sizeof(d->day_samples));
		}
		d->day_count++;
		d->day_last_us = r->time_us;
		sample(d->day_samples, id);
	}
}

int logreport_add(struct logreport *lr, const struct logrec *r)
{
	unsigned events;

	return logreport_add_events(lr, r, &events);
}

int logreport_add_events(struct logreport *lr, const struct logrec *r, unsigned *ret_events)
{
	struct logreport_summary *sum = &lr->sum;
	uint32_t id = NO_SAMPLE;
	struct src *s = NULL;
	int ret = 0;

	*ret_events = 0;
	if (lr->have_prev && r->time_us < lr->prev_us)
		sum->out_of_order++;
	lr->prev_us = r->time_us;
	lr->have_prev = true;
	if (!sum->records || r->time_us < sum->first_us)
		sum->first_us = r->time_us;
	if (!sum->records || r->time_us > sum->last_us)
		sum->last_us = r->time_us;
	sum->records++;
	if (r->permitted)
		sum->permitted++;
	else
		sum->denied++;
	if (lr->n_db || !r->permitted)
		id = intern(lr, r->rule_id);
	db_add(lr, r, id);
	if (r->permitted)
		return 0;
	if (local_chatter(r)) {
		sum->local_chatter++;
		return 0;
	}
	s = source(lr, r->family, r->saddr);
	if (!s) {
		sum->untracked_records++;
		return 0;
	}
	ret = burst_add(lr, s, r, id, ret_events);
	if (is_bypass(r->rule_id))
		count(&s->k[LR_BYPASS], r->time_us, 1, id);
	else if (is_admission(r->rule_id))
		count(&s->k[LR_UNREGISTERED], r->time_us, 1, id);
	else if (r->zone_from[0] && !in_list(lr->inet, lr->n_inet, r->zone_from) &&
		 in_list(lr->inet, lr->n_inet, r->zone_to)) {
		/* The first of a source is an event (possible malware calling out). */
		if (!s->k[LR_OUTBOUND].count)
			*ret_events |= 1u << LR_OUTBOUND;
		count(&s->k[LR_OUTBOUND], r->time_us, 1, id); /* INC-7 */
	}
	if (in_list(lr->vpn, lr->n_vpn, r->zone_from))
		count(&s->k[LR_AUTHORITY], r->time_us, 1, id); /* LOG-18 */
	return ret;
}

static void fill(const struct logreport *lr, struct logreport_finding *f, int family,
		 const uint8_t *addr, const struct kstat *k)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	f->family = family;
	memcpy(f->addr, addr, alen(family));
	f->count = k->count;
	f->bursts = k->bursts;
	f->max_denied = k->max_denied;
	f->max_ports = k->max_ports;
	f->max_hosts = k->max_hosts;
	f->first_us = k->first_us;
	f->last_us = k->last_us;
	for (i = 0; i < LOGREPORT_SAMPLES; i++)
		if (k->samples[i] != NO_SAMPLE)
			memcpy(f->samples[i], lr->ids[k->samples[i]],
			       strlen(lr->ids[k->samples[i]]) + 1);
}

static int finding_cmp(const void *a, const void *b)
{
	const struct logreport_finding *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

int logreport_result(struct logreport *lr, struct logreport_summary *ret)
{
	size_t k, i;

	for (k = 0; k < LR__COUNT; k++) {
		struct logreport_list *l = &lr->sum.kinds[k];
		size_t max = k == LR_DB_VOLUME ? lr->n_db : lr->n_srcs;
		struct logreport_finding *v = calloc(max ? max : 1, sizeof(*v));

		if (!v)
			return -ENOMEM;
		free(lr->out[k]);
		lr->out[k] = v;
		memset(l, 0, sizeof(*l));
		l->v = v;
		for (i = 0; i < max; i++) {
			if (k == LR_DB_VOLUME) {
				const struct db *d = &lr->db[i];
				struct kstat ks = d->k;
				uint64_t max_day = d->max_day;

				/* The current day is closed on a copy: more records may follow. */
				db_close_day(lr, d, &ks, &max_day);
				if (!ks.count)
					continue;
				fill(lr, &v[l->n], d->family, d->addr, &ks);
				v[l->n].db_name = d->name;
				v[l->n++].max_day = max_day;
			} else if (lr->srcs[i].k[k].count) {
				fill(lr, &v[l->n++], lr->srcs[i].family, lr->srcs[i].addr,
				     &lr->srcs[i].k[k]);
			}
		}
		qsort(v, l->n, sizeof(*v), finding_cmp);
		for (i = lr->lim.top; i < l->n; i++) {
			l->others++;
			l->others_count += v[i].count;
		}
		if (l->n > lr->lim.top)
			l->n = lr->lim.top;
	}
	*ret = lr->sum;
	return 0;
}

static const struct {
	const char *name, *reqs;
} kinds[LR__COUNT] = {
	[LR_DENIALS] = { "repeated-denials", "LOG-14, INC-5, LOG-21" },
	[LR_SCAN] = { "scan", "INC-5, LOG-14, LOG-21" },
	[LR_OUTBOUND] = { "outbound-denied", "INC-7, LOG-21" },
	[LR_BYPASS] = { "proxy-bypass", "LOG-17" },
	[LR_UNREGISTERED] = { "unregistered-device", "LOG-17" },
	[LR_AUTHORITY] = { "beyond-authority", "LOG-18" },
	[LR_DB_VOLUME] = { "database-connections", "LOG-16" },
};

const char *logreport_kind_name(enum logreport_kind k)
{
	return k < LR__COUNT ? kinds[k].name : "?";
}

const char *logreport_kind_reqs(enum logreport_kind k)
{
	return k < LR__COUNT ? kinds[k].reqs : "?";
}

static const struct logreport_gap gaps[] = {
	{ "LOG-15", "consecutive authentication failures (VPN/OTP, administrators)",
	  "not observable by gatewayd: authentication happens in the VPN endpoint and the "
	  "gateway's login, whose logs are not firewall records" },
	{ "LOG-16", "large data transfers to or from database servers (volume)",
	  "not observable by gatewayd: firewall records hold the first packet of a connection, "
	  "no byte counts; volumes need conntrack accounting (nf_conntrack_acct) and "
	  "connection-end records. Reported instead: the number of connections per day of "
	  "the hosts named in log.report.db_hosts" },
	{ "LOG-17", "blocked URL category, P2P, mail policy rejection",
	  "not observable by gatewayd: these are decided by the proxy and the mail filter, "
	  "whose own logs hold them (URL-*, MAIL-*)" },
	{ "LOG-18", "VPN user toward an ungranted destination (per user)",
	  "partly observable: denials from remote-access zones are reported by address; "
	  "the user behind an address is not in the firewall records" },
	{ "LOG-19", "user account changes (VPN users, WLAN IDs, administrators)",
	  "not observable by gatewayd's firewall records: account changes are kept by the "
	  "systems that own the accounts" },
	{ "LOG-20", "access-right changes (grants, exceptions, rulesets)",
	  "not in the firewall records: ruleset changes are in 'netctl history' (CHG-10), "
	  "registration changes in the registry's history (LANREQ-21)" },
	{ "LOG-21", "forwarding signs of danger at once",
	  "this report is periodic: its incident findings are flagged here; forwarding at "
	  "once is the log server's alerting on the forwarded records (LOG-9)" },
};

const struct logreport_gap *logreport_unobservable(size_t *ret_n)
{
	*ret_n = sizeof(gaps) / sizeof(gaps[0]);
	return gaps;
}

/* ---- the trace of one host ------------------------------------------------ */

struct logtrace {
	int family;
	uint8_t addr[16];
	struct logtrace_peer *peers;
	size_t n_peers, cap_peers;
	uint32_t index[2 * LOGTRACE_PEERS];
	struct logtrace_summary sum;
};

int logtrace_new(int family, const uint8_t *addr, struct logtrace **ret)
{
	struct logtrace *t;

	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->family = family;
	memcpy(t->addr, addr, alen(family));
	*ret = t;
	return 0;
}

void logtrace_free(struct logtrace *t)
{
	if (!t)
		return;
	free(t->peers);
	free(t);
}

/* The host as the record's source: its own or, SNAT'd, its global address (NAT-5). */
static bool is_source(const struct logtrace *t, const struct logrec *r)
{
	size_t n = alen(t->family);

	return !memcmp(r->saddr, t->addr, n) || (r->has_nat_src && !memcmp(r->nat_saddr, t->addr, n));
}

bool logtrace_matches(const struct logtrace *t, const struct logrec *r)
{
	size_t n = alen(t->family);

	/* NAT-5: either side of a translation, so the public address finds its server too. */
	return r->family == t->family &&
	       (is_source(t, r) || !memcmp(r->daddr, t->addr, n) ||
		(r->has_orig_dst && !memcmp(r->orig_daddr, t->addr, n)));
}

static bool same_peer(const struct logtrace_peer *p, const struct logtrace_peer *k)
{
	return p->family == k->family && !memcmp(p->addr, k->addr, 16) &&
	       p->protocol == k->protocol && p->has_port == k->has_port && p->port == k->port &&
	       p->outbound == k->outbound;
}

#define PEER_MASK (2 * LOGTRACE_PEERS - 1)

static size_t peer_hash(const struct logtrace_peer *k)
{
	uint64_t x = hash_bytes(k->addr, 16, 14695981039346656037ULL);

	x = hash_bytes(&k->port, sizeof(k->port), x ^ k->protocol);
	return (size_t)(x ^ k->outbound) & PEER_MASK;
}

static struct logtrace_peer *peer(struct logtrace *t, const struct logtrace_peer *key)
{
	size_t mask = PEER_MASK, h = peer_hash(key);
	struct logtrace_peer *p;

	for (; t->index[h]; h = (h + 1) & mask)
		if (same_peer(&t->peers[t->index[h] - 1], key))
			return &t->peers[t->index[h] - 1];
	if (t->n_peers == LOGTRACE_PEERS)
		return NULL;
	if (t->n_peers == t->cap_peers) {
		size_t cap = t->cap_peers ? 2 * t->cap_peers : 64;

		p = realloc(t->peers, cap * sizeof(*p));
		if (!p)
			return NULL;
		t->peers = p;
		t->cap_peers = cap;
	}
	p = &t->peers[t->n_peers];
	*p = *key;
	t->index[h] = (uint32_t)++t->n_peers;
	return p;
}

int logtrace_add(struct logtrace *t, const struct logrec *r)
{
	struct logtrace_summary *s = &t->sum;
	struct logtrace_peer key, *p;
	size_t n = alen(t->family);

	if (!logtrace_matches(t, r))
		return 0;
	if (!s->records || r->time_us < s->first_us)
		s->first_us = r->time_us;
	if (!s->records || r->time_us > s->last_us)
		s->last_us = r->time_us;
	s->records++;
	*(r->permitted ? &s->permitted : &s->denied) += 1;
	memset(&key, 0, sizeof(key));
	key.family = r->family;
	key.outbound = is_source(t, r);
	/* The peer as the filter saw it: the internal server of a DNAT'd record. */
	memcpy(key.addr, key.outbound ? r->daddr : r->saddr, n);
	key.protocol = r->protocol;
	key.has_port = r->has_ports;
	key.port = r->has_ports ? r->dport : 0;
	p = peer(t, &key);
	if (!p) {
		s->others++;
		return t->n_peers == LOGTRACE_PEERS ? 0 : -ENOMEM;
	}
	if (!p->count || r->time_us < p->first_us)
		p->first_us = r->time_us;
	if (!p->count || r->time_us > p->last_us)
		p->last_us = r->time_us;
	p->count++;
	*(r->permitted ? &p->permitted : &p->denied) += 1;
	return 0;
}

static int peer_cmp(const void *a, const void *b)
{
	const struct logtrace_peer *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

void logtrace_result(struct logtrace *t, struct logtrace_summary *ret)
{
	size_t i;

	/* Sorting moves the peers: the index is rebuilt, so feeding may go on. */
	if (t->n_peers)	/* qsort() wants a valid pointer even for nothing */
		qsort(t->peers, t->n_peers, sizeof(*t->peers), peer_cmp);
	memset(t->index, 0, sizeof(t->index));
	for (i = 0; i < t->n_peers; i++) {
		size_t h;

		for (h = peer_hash(&t->peers[i]); t->index[h]; h = (h + 1) & PEER_MASK)
			;
		t->index[h] = (uint32_t)(i + 1);
	}
	*ret = t->sum;
	ret->peers = t->peers;
	ret->n_peers = t->n_peers;
}

int logreport_new_policy(const struct policy *p, struct logreport **ret)
{
	const struct log_report_settings *rs = &p->settings.report;
	struct logreport_limits lim = {
		.window = rs->window,
		.denied = rs->denied,
		.scan_ports = rs->scan_ports,
		.scan_hosts = rs->scan_hosts,
		.db_connections = rs->db_connections,
		.sources = rs->sources,
		.top = rs->top,
	};
	struct logreport_db db[LOGREPORT_DB_HOSTS];
	struct logreport_ctx ctx = { .db = db };
	const char **inet = calloc(p->n_zones + 1, sizeof(*inet));
	const char **vpn = calloc(p->n_zones + 1, sizeof(*vpn));
	size_t i, k;
	int r = 0;

	if (!inet || !vpn) {
		r = -ENOMEM;
		goto out;
	}
	ctx.internet_zones = inet;
	ctx.vpn_zones = vpn;
	for (i = 0; i < p->n_zones; i++) {
		const struct zone *z = p->zones[i];

		/* INC-7: "the internet" is every zone of kind global. */
		if (z->kind == ZK_GLOBAL)
			inet[ctx.n_internet_zones++] = z->name;
		if (z->kind == ZK_VPN)
			vpn[ctx.n_vpn_zones++] = z->name;
	}
	for (i = 0; i < rs->n_db_hosts && !r; i++) {
		const struct host *h = rs->db ? rs->db[i] : NULL;
		const struct prefix *a[2] = { h ? &h->addr4 : NULL, h ? &h->addr6 : NULL };

		for (k = 0; k < 2 && !r; k++) {
			if (!a[k] || !a[k]->family)
				continue;
			if (ctx.n_db == LOGREPORT_DB_HOSTS) {
				r = -E2BIG;
				break;
			}
			db[ctx.n_db].name = h->name;
			db[ctx.n_db].family = a[k]->family;
			memcpy(db[ctx.n_db++].addr, a[k]->a, 16);
		}
	}
	if (!r)
		r = logreport_new(&lim, &ctx, ret); /* copies the names */
out:
	free(inet);
	free(vpn);
	return r;
}

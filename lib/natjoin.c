/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The translated side of log records from conntrack entries (NAT-5): see natjoin.h. */
#include "natjoin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct held {
	struct logrec r;
	int64_t at;     /* when it was built */
	uint64_t key;
	bool done;      /* its translation came */
};

struct early {
	struct ct_entry ct;
	int64_t at;     /* when the event came; 0: slot empty or taken */
	uint64_t key;
};

struct natjoin {
	struct held *held;      /* FIFO ring of max_held */
	size_t max_held, head, n;
	int64_t hold_us, early_us;
	struct early early[NATJOIN_EARLY]; /* ring, oldest overwritten */
	size_t early_next;
	struct natjoin_stats st;
};

static size_t alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* FNV-1a. */
static uint64_t hash_bytes(const uint8_t *p, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/*
 * The connection key: the filter's view of a record, which is the entry's
 * original source and reply source. A hash, compared before the fields.
 */
static uint64_t key_of(int family, uint8_t proto, const uint8_t *src, uint16_t sport,
		       const uint8_t *dst, uint16_t dport)
{
	uint64_t x = 14695981039346656037ULL ^ (uint64_t)family << 8 ^ proto;

	x = hash_bytes(src, alen(family), x);
	x = hash_bytes(dst, alen(family), x);
	return x ^ ((uint64_t)sport << 16 | dport) * 0x9e3779b97f4a7c15ULL;
}

static uint64_t record_key(const struct logrec *r)
{
	return key_of(r->family, r->protocol, r->saddr, r->has_ports ? r->sport : 0, r->daddr,
		      r->has_ports ? r->dport : 0);
}

static uint64_t entry_key(const struct ct_entry *ct)
{
	bool ports = ct->orig.has_ports && ct->reply.has_ports;

	return key_of(ct->orig.family, ct->orig.proto, ct->orig.src, ports ? ct->orig.sport : 0,
		      ct->reply.src, ports ? ct->reply.sport : 0);
}

int natjoin_new(size_t max_held, int64_t hold_us, int64_t early_us, struct natjoin **ret)
{
	struct natjoin *j = calloc(1, sizeof(*j));

	if (!j || max_held == 0 || !(j->held = calloc(max_held, sizeof(*j->held)))) {
		free(j);
		return -ENOMEM;
	}
	j->max_held = max_held;
	j->hold_us = hold_us;
	j->early_us = early_us;
	*ret = j;
	return 0;
}

void natjoin_free(struct natjoin *j)
{
	if (!j)
		return;
	free(j->held);
	free(j);
}

bool natjoin_apply(struct logrec *r, const struct ct_entry *ct)
{
	const struct ct_tuple *o = &ct->orig, *y = &ct->reply;
	size_t n = alen(r->family);

	if (!ct->has_orig || !ct->has_reply || o->family != r->family ||
	    y->family != r->family || !o->has_proto || o->proto != r->protocol)
		return false;
	if (memcmp(o->src, r->saddr, n) || memcmp(y->src, r->daddr, n))
		return false;
	if (r->has_ports && (!o->has_ports || !y->has_ports || o->sport != r->sport ||
			     y->sport != r->dport))
		return false;
	if (ct_has_snat(ct)) {
		r->has_nat_src = true;
		memcpy(r->nat_saddr, y->dst, n);
		r->nat_sport = r->has_ports ? y->dport : 0;
	}
	if (ct_has_dnat(ct)) {
		r->has_orig_dst = true;
		memcpy(r->orig_daddr, o->dst, n);
		r->orig_dport = r->has_ports ? o->dport : 0;
	}
	return true;
}

static bool early_fresh(const struct natjoin *j, const struct early *e, int64_t now_us)
{
	return e->at && now_us - e->at <= j->early_us;
}

int natjoin_record(struct natjoin *j, struct logrec *r, int64_t now_us)
{
	uint64_t key = record_key(r);
	bool done = false;
	size_t i;

	j->st.held++;
	/* The event came first: oldest first, so that portless records take them in turn. */
	for (i = 0; i < NATJOIN_EARLY && !done; i++) {
		struct early *e = &j->early[(j->early_next + i) % NATJOIN_EARLY];

		if (e->key == key && early_fresh(j, e, now_us) && natjoin_apply(r, &e->ct)) {
			e->at = 0;
			done = true;
		}
	}
	if (done)
		j->st.joined++;
	if (done && j->n == 0)
		return 0;
	if (j->n == j->max_held) {
		if (!done)
			j->st.overflow++;
		return 0;
	}
	j->held[(j->head + j->n++) % j->max_held] = (struct held){ *r, now_us, key, done };
	return 1;
}

void natjoin_event(struct natjoin *j, const struct ct_entry *ct, int64_t now_us)
{
	uint64_t key;
	size_t i;

	if (!ct_has_snat(ct) && !ct_has_dnat(ct))
		return;
	j->st.events++;
	key = entry_key(ct);
	for (i = 0; i < j->n; i++) {
		struct held *h = &j->held[(j->head + i) % j->max_held];

		if (!h->done && h->key == key && natjoin_apply(&h->r, ct)) {
			h->done = true;
			j->st.joined++;
			return;
		}
	}
	j->early[j->early_next] = (struct early){ *ct, now_us, key };
	j->early_next = (j->early_next + 1) % NATJOIN_EARLY;
}

static void take_head(struct natjoin *j, struct logrec *ret)
{
	struct held *h = &j->held[j->head];

	if (!h->done)
		j->st.expired++;
	*ret = h->r;
	j->head = (j->head + 1) % j->max_held;
	j->n--;
}

int natjoin_pop(struct natjoin *j, int64_t now_us, struct logrec *ret)
{
	const struct held *h = &j->held[j->head];

	if (j->n == 0 || (!h->done && now_us - h->at < j->hold_us))
		return 0;
	take_head(j, ret);
	return 1;
}

int natjoin_flush(struct natjoin *j, struct logrec *ret)
{
	if (j->n == 0)
		return 0;
	take_head(j, ret);
	return 1;
}

int64_t natjoin_deadline(const struct natjoin *j)
{
	const struct held *h = &j->held[j->head];

	if (j->n == 0)
		return -1;
	return h->done ? h->at : h->at + j->hold_us;
}

size_t natjoin_held(const struct natjoin *j)
{
	return j->n;
}

void natjoin_get_stats(const struct natjoin *j, struct natjoin_stats *ret)
{
	*ret = j->st;
}

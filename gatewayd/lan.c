/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: the LAN registry at work in gatewayd (see lan.h). */
#include "lan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compile.h"
#include "ctkill.h"
#include "duration.h"
#include "history.h"
#include "inventory.h"
#include "lanpeers.h"
#include "log.h"
#include "peerlog.h"
#include "registry.h"
#include "setop.h"
#include "util.h"

/* One element of the kernel's registered-devices or quarantine sets. */
struct kel {
	char mac[18];
	char ip[INET_ADDRSTRLEN]; /* "" when unknown (quarantine of a DHCP device) */
};

struct kset {
	struct kel *v;
	size_t n, cap;
};

/*
 * LANREQ-44: one element of a restricted device, keyed by its admitted
 * address: restricted_devices4 (KD_RESTRICTED), device_protos4 (KD_PROTO)
 * or device_services4 (KD_PORT).
 */
enum kdev_kind { KD_RESTRICTED, KD_PROTO, KD_PORT };

struct kdev {
	char ip[INET_ADDRSTRLEN];
	uint8_t kind, proto;
	uint16_t port;
};

struct kdevs {
	struct kdev *v;
	size_t n, cap;
};

/*
 * C-24: notices are sent by a command that reads one message, in the
 * background; a hung MTA must not hang us, nor a burst of notices fork
 * without limit.
 */
#define NOTIFY_TIMEOUT_MS 15000
#define NOTIFY_MAX (LAN_NOTIFY_FDS / 2)
#define NOTIFY_OUTPUT 1024
#define NOTIFY_POLL_MS 100
#define NOTIFY_STOP_MS 3000

struct sender {
	pid_t pid; /* 0: free */
	int pidfd; /* -1: none (polled) */
	int out;   /* the command's stdout and stderr; -1 after EOF */
	int64_t id, device, deadline;
	char kind[16], cmd[256];
	char buf[NOTIFY_OUTPUT];
	size_t len;
	bool cut;
};

#define SEEN_SLOTS 4096
#define SEEN_REFRESH 60

struct lan {
	struct registry *reg;
	const struct policy *p;    /* the running policy (borrowed) */
	const struct ruleset *rs;  /* the running ruleset: its set declarations */
	struct lr_settings set;
	struct kset admit, quar;   /* what the kernel holds */
	struct kdevs svc;          /* LANREQ-44: the restricted devices' elements it holds */
	bool synced;               /* the kernel holds what the registry says */
	char sync_err[256];
	int64_t retry_at;
	uint64_t notices_sent, notices_failed;
	struct sender send[NOTIFY_MAX];
	/*
	 * A verb stored its notice: the command is started after the answer
	 * (lan_notify_timeout, lan_notify_poll), not inside the verb, whose
	 * person waits for nothing the notice does (C-24: sent in the background).
	 */
	bool notify_due;
	/*
	 * Sightings already stored: ARP repeats every few seconds per host, and
	 * each stored sighting is a synchronous commit, so a (MAC, IP, iface)
	 * is stored again only after SEEN_REFRESH seconds (LANREQ-46).
	 */
	struct seen_slot {
		char key[64];
		int64_t at;
	} seen[SEEN_SLOTS];
	uint64_t sightings, sightings_stored, unregistered_seen;
	uint64_t equipment_seen;   /* LANREQ-47: unknown equipment reported */
	/*
	 * Every registration as stored, parsed once: gatewayd is the registry's
	 * only writer, so the copy is exact until it writes; each write path
	 * calls invalidate() after its commit or rollback. Read-only users only.
	 */
	json_t *cache;
	/*
	 * The earliest time-driven event of any registration (lr_next_event),
	 * computed over all of them only when the cache is reloaded or the
	 * clock fires; a written registration can only make it earlier. Waking
	 * early is harmless: the tick recomputes.
	 */
	bool next_valid;
	int64_t next_at;
	/*
	 * With the cache: "device.mac=02:..", "device.ip=10..", "device.hostname=.."
	 * of every live registration -> its id, so the uniqueness checks of a
	 * verb do not scan the registry (LANREQ-43: no address is shared).
	 */
	json_t *idx;
	/* INC-1: the address quarantines in force (registry_aqs), NULL: read again. */
	json_t *aq;
	char *log_dir; /* LANREQ-33: the firewall log's directory; NULL: not kept */
};


static void notify_start(struct lan *l, int64_t now);
static void notify_stop(struct lan *l);

static void settings_from(struct lan *l, const struct policy *p)
{
	l->set.expiry_notice = p->registry.expiry_notice;
	l->set.conformance_check = p->registry.conformance_check;
	l->set.max_period = p->registry.max_period;
	l->set.utc_offset = p->registry.utc_offset;
	l->set.four_eyes = p->registry.four_eyes;
	l->set.second_approval = p->registry.second_approval;
	l->set.direct_change = p->registry.direct_change;
	memcpy(l->set.dept_check, p->registry.dept_check, sizeof(l->set.dept_check));
	l->set.n_dept_check = p->registry.n_dept_check;
}

struct lan *lan_open(const char *path, char *err, size_t errlen)
{
	struct lan *l = calloc(1, sizeof(*l));
	struct lr_settings def = LR_SETTINGS_DEFAULT;

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->set = def;
	for (size_t i = 0; i < NOTIFY_MAX; i++)
		l->send[i].pidfd = l->send[i].out = -1;
	l->reg = registry_open(path, err, errlen);
	if (!l->reg) {
		free(l);
		return NULL;
	}
	return l;
}

void lan_close(struct lan *l)
{
	if (!l)
		return;
	notify_stop(l);
	registry_close(l->reg);
	json_decref(l->cache);
	json_decref(l->idx);
	json_decref(l->aq);
	free(l->log_dir);
	free(l->admit.v);
	free(l->quar.v);
	free(l->svc.v);
	free(l);
}

static void invalidate(struct lan *l)
{
	json_decref(l->cache);
	l->cache = NULL;
	json_decref(l->idx);
	l->idx = NULL;
	l->next_valid = false;
}

static bool is_live(const json_t *doc)
{
	enum lr_state s = lr_state(doc);

	return s == LRS_REQUESTED || s == LRS_APPROVED || s == LRS_CHANGED ||
	       s == LRS_QUARANTINED || s == LRS_SECOND || s == LRS_HELD;
}

/* Adds (@add) or removes @doc's unique values in the index. */
static void index_doc(struct lan *l, const json_t *doc, bool add)
{
	static const char *const keys[][2] = { { "device.mac", "device.mac" },
					       { "device.ip", "device.ip" },
					       { "lease_ip", "device.ip" },
					       { "device.hostname", "device.hostname" } };
	json_int_t id = json_integer_value(json_object_get(doc, "id"));
	char k[600];
	size_t i;

	if (!l->idx || (add && !is_live(doc)))
		return;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = json_string_value(json_object_get(doc, keys[i][0]));

		if (!v)
			continue;
		snprintf(k, sizeof(k), "%s=%s", keys[i][1], v);
		if (add)
			json_object_set_new(l->idx, k, json_integer(id));
		else if (json_integer_value(json_object_get(l->idx, k)) == id)
			json_object_del(l->idx, k);
	}
}

/* The cache ordered by id (registry_all's order; inserts come last): bsearch. */
static size_t cache_find(const struct lan *l, json_int_t id, bool *found)
{
	size_t lo = 0, hi = json_array_size(l->cache);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		json_int_t v = json_integer_value(json_object_get(json_array_get(l->cache, mid), "id"));

		if (v == id) {
			*found = true;
			return mid;
		}
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* When @doc next needs the clock: its next event, or now + 1 when one is due. */
static int64_t doc_next(const struct lan *l, const json_t *doc, int64_t now)
{
	if (lr_expiry_due(doc, now) || lr_expiry_notice_due(doc, &l->set, now))
		return now + 1;
	return lr_next_event(doc, &l->set, now);
}

/*
 * After a committed write of @doc: the cache takes a copy in place of
 * re-reading every registration (a parse of the whole registry per verb).
 */
static void cache_put(struct lan *l, const json_t *doc, int64_t now)
{
	json_int_t id = json_integer_value(json_object_get(doc, "id"));
	int64_t t = doc_next(l, doc, now);
	json_t *copy, *d;
	size_t i;

	bool found;

	if (l->next_valid && t && (!l->next_at || t < l->next_at))
		l->next_at = t;
	if (!l->cache)
		return;
	copy = json_deep_copy(doc);
	if (!copy) {
		invalidate(l);
		return;
	}
	i = cache_find(l, id, &found);
	if (found) {
		d = json_array_get(l->cache, i);
		index_doc(l, d, false);
		json_array_set_new(l->cache, i, copy);
	} else if (json_array_insert_new(l->cache, i, copy)) {
		invalidate(l);
		return;
	}
	index_doc(l, copy, true);
}

/* All registrations, read-only (a new reference to the cache). */
static int cached(struct lan *l, json_t **ret)
{
	int r;

	if (!l->cache) {
		json_t *d;
		size_t i;

		if ((r = registry_all(l->reg, &l->cache)))
			return r;
		l->idx = json_object();
		json_array_foreach(l->cache, i, d)
			index_doc(l, d, true);
	}
	*ret = json_incref(l->cache);
	return 0;
}

/* ---- what the kernel must hold ---------------------------------------------- */

static int kset_add(struct kset *k, const char *mac, const char *ip)
{
	struct kel *e;

	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		struct kel *v = realloc(k->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		k->v = v;
		k->cap = cap;
	}
	e = &k->v[k->n++];
	snprintf(e->mac, sizeof(e->mac), "%s", mac);
	snprintf(e->ip, sizeof(e->ip), "%s", ip ? ip : "");
	return 0;
}

static int kel_cmp(const void *a, const void *b)
{
	const struct kel *x = a, *y = b;
	int c = strcmp(x->mac, y->mac);

	return c ? c : strcmp(x->ip, y->ip);
}

static bool kset_has(const struct kset *k, const struct kel *e)
{
	return k->n && bsearch(e, k->v, k->n, sizeof(*e), kel_cmp);
}

static int kdevs_add(struct kdevs *k, const char *ip, uint8_t kind, uint8_t proto, uint16_t port)
{
	struct kdev *e;

	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		struct kdev *v = realloc(k->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		k->v = v;
		k->cap = cap;
	}
	e = &k->v[k->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->ip, sizeof(e->ip), "%s", ip);
	e->kind = kind;
	e->proto = proto;
	e->port = port;
	return 0;
}

static int kdev_cmp(const void *a, const void *b)
{
	const struct kdev *x = a, *y = b;
	int c = strcmp(x->ip, y->ip);

	if (c)
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

static bool kdevs_has(const struct kdevs *k, const struct kdev *e)
{
	return k->n && bsearch(e, k->v, k->n, sizeof(*e), kdev_cmp);
}

/* The run [*lo, *hi) of @k's elements of address @ip (sorted by address first). O(log n). */
static void kdevs_run(const struct kdevs *k, const char *ip, size_t *lo, size_t *hi)
{
	size_t a = 0, b = k->n;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (strcmp(k->v[m].ip, ip) < 0)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	while (a < k->n && !strcmp(k->v[a].ip, ip))
		a++;
	*hi = a;
}

/* The distinct addresses of @only (three, NULL-padded) into @out; returns how many. */
static size_t only_distinct(const char *const *only, const char *out[3])
{
	size_t n = 0, i, j;

	for (i = 0; i < 3; i++) {
		if (!only[i])
			continue;
		for (j = 0; j < n && strcmp(out[j], only[i]); j++)
			;
		if (j == n)
			out[n++] = only[i];
	}
	return n;
}

/*
 * LANREQ-44: appends the elements of @doc, admitted with @ip, under @p
 * (NULL: none). @warn: log a restriction that does not fit.
 */
static int doc_kdevs(const struct policy *p, const json_t *doc, const char *ip,
		     struct kdevs *out, bool warn)
{
	struct lr_device_services ds;
	size_t i;
	int r;

	if (!p)
		return 0;
	lr_device_services(doc, p, &ds);
	if (!ds.restricted)
		return 0;
	if (ds.truncated && warn)
		log_warning("registry: registration %lld: its services name more than %d ports or "
			    "%d protocols; the rest is refused (LANREQ-44)",
			    (long long)json_integer_value(json_object_get(doc, "id")),
			    LR_DEVICE_PORTS_MAX, LR_DEVICE_PROTOS_MAX);
	if ((r = kdevs_add(out, ip, KD_RESTRICTED, 0, 0)))
		return r;
	for (i = 0; i < ds.n_protos; i++)
		if ((r = kdevs_add(out, ip, KD_PROTO, ds.protos[i], 0)))
			return r;
	for (i = 0; i < ds.n_ports; i++)
		if ((r = kdevs_add(out, ip, KD_PORT, ds.ports[i].proto, ds.ports[i].port)))
			return r;
	return 0;
}

/* What the registry says the kernel must hold at @now under @p, sorted. */
static int desired(struct lan *l, const struct policy *p, int64_t now, struct kset *admit,
		   struct kset *quar, struct kdevs *svc, bool warn)
{
	json_t *all, *doc;
	size_t i;
	int r;

	memset(admit, 0, sizeof(*admit));
	memset(quar, 0, sizeof(*quar));
	memset(svc, 0, sizeof(*svc));
	r = cached(l, &all);
	if (r)
		return r;
	json_array_foreach(all, i, doc) {
		const char *mac, *ip;
		bool a, q;

		lr_kernel(doc, &l->set, now, &a, &q, &mac, &ip);
		if (a && !(r = kset_add(admit, mac, ip)))
			r = doc_kdevs(p, doc, ip, svc, warn);
		else if (q)
			r = kset_add(quar, mac, ip);
		if (r)
			break;
	}
	json_decref(all);
	/* INC-1: hosts without a registration, by address (quarantine4) or MAC (quarantine_mac). */
	if (!r && !l->aq && registry_aqs(l->reg, false, &l->aq))
		r = -EIO;
	if (!r) {
		json_t *q;

		json_array_foreach(l->aq, i, q) {
			const char *v = json_string_value(json_object_get(q, "value"));
			bool is_mac = !strcmp(json_string_value(json_object_get(q, "kind")), "mac");

			if ((r = kset_add(quar, is_mac ? v : "", is_mac ? NULL : v)))
				break;
		}
	}
	if (r) {
		free(admit->v);
		free(quar->v);
		free(svc->v);
		return r;
	}
	if (admit->n)
		qsort(admit->v, admit->n, sizeof(*admit->v), kel_cmp);
	if (quar->n)
		qsort(quar->v, quar->n, sizeof(*quar->v), kel_cmp);
	if (svc->n)
		qsort(svc->v, svc->n, sizeof(*svc->v), kdev_cmp);
	return 0;
}

/* The set of a restricted device's element, or NULL (the ruleset has no such set). */
static struct set *kdev_set(const struct ruleset *rs, const struct kdev *k)
{
	return ruleset_set(rs, k->kind == KD_RESTRICTED ? SET_RESTRICTED4
			       : k->kind == KD_PROTO    ? SET_DEVICE_PROTOS4
							: SET_DEVICE_SERVICES4);
}

static bool kdev_elem(const struct kdev *k, struct elem *e)
{
	struct in_addr a;

	memset(e, 0, sizeof(*e));
	if (inet_pton(AF_INET, k->ip, &a) != 1)
		return false;
	e->key[0].addr.family = AF_INET;
	memcpy(e->key[0].addr.lo, &a, 4);
	memcpy(e->key[0].addr.hi, &a, 4);
	e->key[1].num = k->proto;
	e->key[2].lo = e->key[2].hi = k->port;
	return true;
}

static bool to_elem(const struct set *s, const struct kel *k, struct elem *e)
{
	struct in_addr a;
	char mac[18];

	memset(e, 0, sizeof(*e));
	if (!strcmp(s->name, SET_QUARANTINE4) || !strcmp(s->name, SET_REGISTERED)) {
		if (!*k->ip || inet_pton(AF_INET, k->ip, &a) != 1)
			return false;
	}
	if (!strcmp(s->name, SET_QUARANTINE4)) {
		e->key[0].addr.family = AF_INET;
		memcpy(e->key[0].addr.lo, &a, 4);
		memcpy(e->key[0].addr.hi, &a, 4);
		return true;
	}
	if (!lr_mac_normal(k->mac, mac) || mac_parse(mac, e->key[0].mac))
		return false;
	if (!strcmp(s->name, SET_REGISTERED)) {
		e->key[1].addr.family = AF_INET;
		memcpy(e->key[1].addr.lo, &a, 4);
		memcpy(e->key[1].addr.hi, &a, 4);
	}
	return true;
}

int lan_fill(struct lan *l, const struct policy *p, struct ruleset *rs, int64_t now,
	     size_t *ret_n)
{
	struct set *reg = ruleset_set(rs, SET_REGISTERED), *qm = ruleset_set(rs, SET_QUARANTINE_MAC),
		   *q4 = ruleset_set(rs, SET_QUARANTINE4);
	struct kset admit, quar;
	struct kdevs svc;
	size_t i, n = 0;
	int r;

	settings_from(l, p);
	r = desired(l, p, now, &admit, &quar, &svc, true);
	if (r)
		return r;
	/* LANREQ-44: the restricted devices' elements, in the same batch as the rules. */
	for (i = 0; i < svc.n; i++) {
		struct set *ks = kdev_set(rs, &svc.v[i]);
		struct elem e, *slot;

		if (!ks || !kdev_elem(&svc.v[i], &e))
			continue;
		if (!(slot = set_add_elem(rs, ks)))
			goto oom;
		*slot = e;
		n++;
	}
	for (i = 0; reg && i < admit.n; i++) {
		struct elem e, *slot;

		if (!to_elem(reg, &admit.v[i], &e))
			continue;
		if (!(slot = set_add_elem(rs, reg)))
			goto oom;
		*slot = e;
		n++;
	}
	for (i = 0; i < quar.n; i++) {
		struct elem e, *slot;

		if (qm && to_elem(qm, &quar.v[i], &e)) {
			if (!(slot = set_add_elem(rs, qm)))
				goto oom;
			*slot = e;
			n++;
		}
		if (q4 && to_elem(q4, &quar.v[i], &e)) {
			if (!(slot = set_add_elem(rs, q4)))
				goto oom;
			*slot = e;
			n++;
		}
	}
	/* Taken as the kernel's state only when the apply succeeds (lan_applied). */
	free(l->admit.v);
	free(l->quar.v);
	free(l->svc.v);
	l->admit = admit;
	l->quar = quar;
	l->svc = svc;
	l->synced = false;
	*ret_n = n;
	return 0;
oom:
	free(admit.v);
	free(quar.v);
	free(svc.v);
	return -ENOMEM;
}

void lan_applied(struct lan *l, const struct policy *p, const struct ruleset *rs)
{
	l->p = p;
	l->rs = rs;
	settings_from(l, p);
	l->synced = true;
	l->sync_err[0] = 0;
	l->retry_at = 0;
	/* C-24: notices left pending by a stop or a crash go out now. */
	notify_start(l, time(NULL));
}

/* Ends the tracked connections of addresses that lost admission (ctkill.h: after the set). */
static void cut(const struct kset *gone)
{
	size_t i;

	for (i = 0; i < gone->n; i++) {
		struct in_addr a;
		unsigned n = 0;
		char err[256] = "";

		if (!*gone->v[i].ip || inet_pton(AF_INET, gone->v[i].ip, &a) != 1)
			continue;
		if (ctkill_host(AF_INET, &a, &n, err, sizeof(err)))
			log_error("registry: ending the connections of %s failed: %s",
				  gone->v[i].ip, err);
		else if (n)
			log_info("registry: %u tracked connections of %s ended (LANREQ-42)", n,
				 gone->v[i].ip);
	}
}

/*
 * Sends @ops in one batch; then the tracked connections of the cut
 * addresses @gone end (ctkill.h: after the set). A refused batch changes
 * nothing: the reason is kept for 'netctl status' and a retry scheduled.
 */
static int send_ops(struct lan *l, const struct setop *ops, size_t n, const struct kset *gone,
		    int64_t now)
{
	char err[256] = "";
	int r;

	if (n > SETOP_MAX) {
		r = -E2BIG;
		snprintf(err, sizeof(err), "%zu changes at once; they wait for the next reload", n);
	} else {
		r = setop_apply("inet", RULESET_TABLE, ops, n, err, sizeof(err));
	}
	if (r) {
		snprintf(l->sync_err, sizeof(l->sync_err), "%s", err[0] ? err : strerror(-r));
		log_error("registry: the kernel's sets could not be updated: %s; retrying",
			  l->sync_err);
		l->synced = false;
		l->retry_at = now + 10;
		return r;
	}
	if (n)
		log_info("registry: %zu set elements changed in one batch", n);
	cut(gone);
	return 0;
}

/*
 * LANREQ-44: the operations that take the kernel's restricted-device
 * elements from @have to @want. With @only (NULL: every address), only the
 * elements of those addresses in @have are looked at (one registration's).
 * A device that stays restricted and loses an element, or becomes
 * restricted, joins @gone: its tracked connections end, as after a cut,
 * so a narrowed service does not live on in conntrack.
 */
/* One element @e of @have that @want lacks: its removal, and a cut if it stays restricted. */
static int svc_drop(const struct lan *l, const struct kdev *e, const struct kdevs *want,
		    struct setop *ops, struct elem *el, size_t *n, size_t max, struct kset *gone)
{
	struct kdev mark = { .kind = KD_RESTRICTED };
	const struct set *ks = kdev_set(l->rs, e);

	if (kdevs_has(want, e))
		return 0;
	if (ks && *n < max && kdev_elem(e, &el[*n])) {
		ops[*n] = (struct setop){ SETOP_DEL, ks, &el[*n] };
		(*n)++;
	}
	snprintf(mark.ip, sizeof(mark.ip), "%s", e->ip);
	if (e->kind != KD_RESTRICTED && kdevs_has(want, &mark))
		return kset_add(gone, "", e->ip);
	return 0;
}

/*
 * The operations that make @have hold @want, for every address (@only
 * NULL) or only the addresses @only (three, NULL-padded; a verb: found by
 * binary search, not by a walk through every restricted device's elements).
 */
static int svc_ops(const struct lan *l, const struct kdevs *have, const struct kdevs *want,
		   const char *const *only, struct setop *ops, struct elem *el, size_t *n,
		   size_t max, struct kset *gone)
{
	const char *ips[3];
	size_t i, j, lo, hi, n_ips;
	int r;

	if (!only) {
		for (i = 0; i < have->n; i++)
			if ((r = svc_drop(l, &have->v[i], want, ops, el, n, max, gone)))
				return r;
	} else {
		n_ips = only_distinct(only, ips);
		for (j = 0; j < n_ips; j++) {
			kdevs_run(have, ips[j], &lo, &hi);
			for (i = lo; i < hi; i++)
				if ((r = svc_drop(l, &have->v[i], want, ops, el, n, max, gone)))
					return r;
		}
	}
	for (i = 0; i < want->n; i++) {
		const struct kdev *e = &want->v[i];
		const struct set *ks = kdev_set(l->rs, e);

		if (kdevs_has(have, e))
			continue;
		if (ks && *n < max && kdev_elem(e, &el[*n])) {
			ops[*n] = (struct setop){ SETOP_ADD, ks, &el[*n] };
			(*n)++;
		}
		if (e->kind == KD_RESTRICTED && (r = kset_add(gone, "", e->ip)))
			return r;
	}
	return 0;
}

/*
 * Makes the kernel hold what the registry says: one small batch of the
 * differences (removals and quarantines first), then the cut addresses'
 * conntrack entries go. On failure the kernel keeps its old elements and
 * a retry is scheduled.
 */
static int sync_kernel(struct lan *l, int64_t now)
{
	const struct set *reg, *qm, *q4;
	struct kset admit, quar, gone = { 0 };
	struct kdevs svc;
	struct setop *ops = NULL;
	struct elem *el = NULL;
	size_t n = 0, max, i;
	int r;

	if (!l->rs)
		return 0;
	reg = ruleset_set(l->rs, SET_REGISTERED);
	qm = ruleset_set(l->rs, SET_QUARANTINE_MAC);
	q4 = ruleset_set(l->rs, SET_QUARANTINE4);
	r = desired(l, l->p, now, &admit, &quar, &svc, false);
	if (r)
		return r;
	max = 2 * (admit.n + quar.n + l->admit.n + l->quar.n) + svc.n + l->svc.n + 1;
	ops = calloc(max, sizeof(*ops));
	el = calloc(max, sizeof(*el));
	if (!ops || !el) {
		r = -ENOMEM;
		goto out;
	}
#define OP(kind, s, k)                                                       \
	do {                                                                 \
		if ((s) && to_elem((s), (k), &el[n])) {                      \
			ops[n] = (struct setop){ (kind), (s), &el[n] };      \
			n++;                                                 \
		}                                                            \
	} while (0)
	/* Cut first: what leaves the admitted set, what enters quarantine. */
	for (i = 0; i < l->admit.n; i++)
		if (!kset_has(&admit, &l->admit.v[i])) {
			OP(SETOP_DEL, reg, &l->admit.v[i]);
			if ((r = kset_add(&gone, l->admit.v[i].mac, l->admit.v[i].ip)))
				goto out;
		}
	for (i = 0; i < quar.n; i++)
		if (!kset_has(&l->quar, &quar.v[i])) {
			OP(SETOP_ADD, qm, &quar.v[i]);
			OP(SETOP_ADD, q4, &quar.v[i]);
			if ((r = kset_add(&gone, quar.v[i].mac, quar.v[i].ip)))
				goto out;
		}
	for (i = 0; i < l->quar.n; i++)
		if (!kset_has(&quar, &l->quar.v[i])) {
			OP(SETOP_DEL, qm, &l->quar.v[i]);
			OP(SETOP_DEL, q4, &l->quar.v[i]);
		}
	for (i = 0; i < admit.n; i++)
		if (!kset_has(&l->admit, &admit.v[i]))
			OP(SETOP_ADD, reg, &admit.v[i]);
#undef OP
	if ((r = svc_ops(l, &l->svc, &svc, NULL, ops, el, &n, max, &gone)))
		goto out;
	if ((r = send_ops(l, ops, n, &gone, now)))
		goto out;
	free(l->admit.v);
	free(l->quar.v);
	free(l->svc.v);
	l->admit = admit;
	l->quar = quar;
	l->svc = svc;
	admit.v = quar.v = NULL;
	svc.v = NULL;
	l->synced = true;
	l->sync_err[0] = 0;
	l->retry_at = 0;
out:
	free(admit.v);
	free(quar.v);
	free(svc.v);
	free(gone.v);
	free(ops);
	free(el);
	return r;
}

/* The first element of the sorted @k whose MAC is not below @mac. */
static size_t kset_lower(const struct kset *k, const char *mac)
{
	size_t lo = 0, hi = k->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(k->v[mid].mac, mac) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Adds one element to the sorted @k, in its place. */
static int kset_insert(struct kset *k, const char *mac, const char *ip)
{
	size_t lo = 0, hi, n;
	struct kel e;
	int r = kset_add(k, mac, ip);

	if (r)
		return r;
	e = k->v[k->n - 1];
	hi = k->n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (kel_cmp(&k->v[mid], &e) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	n = k->n - 1 - lo;
	memmove(&k->v[lo + 1], &k->v[lo], n * sizeof(e));
	k->v[lo] = e;
	return 0;
}

/* Removes the elements @at[0 .. n) (ascending indices) of @k, keeping the order. */
static void kset_remove(struct kset *k, const size_t *at, size_t n)
{
	while (n--) {
		memmove(&k->v[at[n]], &k->v[at[n] + 1], (k->n - at[n] - 1) * sizeof(*k->v));
		k->n--;
	}
}

/* A registration's elements of one set: few (one MAC, one address), more is unexpected. */
#define DOC_ELEMS 4

/*
 * The indices in the sorted @k of the elements of MAC @macs[0] or
 * @macs[1], ascending, in @at (at most DOC_ELEMS): found by their MAC in
 * O(log n), not by a walk through every admitted device (LANREQ-42: flat
 * from 1k to 100k devices). -E2BIG when there are more.
 */
static int kset_of(const struct kset *k, const char *const macs[2], size_t *at, size_t *ret_n)
{
	size_t n = 0, m, i, j, t;

	for (m = 0; m < 2; m++) {
		if (!macs[m] || (m && macs[0] && !strcmp(macs[0], macs[1])))
			continue;
		for (i = kset_lower(k, macs[m]); i < k->n && !strcmp(k->v[i].mac, macs[m]); i++) {
			if (n == DOC_ELEMS)
				return -E2BIG;
			at[n++] = i;
		}
	}
	/* Two MACs: two runs, in either order. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && at[j - 1] > at[j]; j--) {
			t = at[j];
			at[j] = at[j - 1];
			at[j - 1] = t;
		}
	*ret_n = n;
	return 0;
}

/*
 * @k without the elements of the addresses @only (three, NULL-padded), and
 * with @add (sorted, all of one address): the runs are found by binary
 * search and moved with memmove, so a verb does not rebuild the copy.
 */
static int kdevs_replace(struct kdevs *k, const char *const *only, const struct kdevs *add)
{
	const char *ips[3];
	size_t n_ips = only_distinct(only, ips), j, lo, hi;

	for (j = 0; j < n_ips; j++) {
		kdevs_run(k, ips[j], &lo, &hi);
		if (hi == lo)
			continue; /* none (k->v may be NULL: no restricted device yet) */
		memmove(&k->v[lo], &k->v[hi], (k->n - hi) * sizeof(*k->v));
		k->n -= hi - lo;
	}
	if (!add->n)
		return 0;
	for (j = 1; j < add->n; j++)
		if (strcmp(add->v[j].ip, add->v[0].ip))
			return -EINVAL; /* one device's elements have one address */
	if (k->n + add->n > k->cap) {
		size_t cap = k->cap ? k->cap : 64;
		struct kdev *v;

		while (cap < k->n + add->n)
			cap *= 2;
		v = realloc(k->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		k->v = v;
		k->cap = cap;
	}
	/* The address's run is empty now: its place is where it would start. */
	kdevs_run(k, add->v[0].ip, &lo, &hi);
	memmove(&k->v[lo + add->n], &k->v[lo], (k->n - lo) * sizeof(*k->v));
	memcpy(&k->v[lo], add->v, add->n * sizeof(*k->v));
	k->n += add->n;
	return 0;
}

/*
 * The kernel after one registration went from @before (NULL: new) to
 * @after: only its own elements move, in one small batch (cuts first), and
 * the conntrack entries of a cut address go. The whole comparison
 * (sync_kernel) runs instead when the kernel is not known to be in sync.
 */
static int sync_doc(struct lan *l, const json_t *before, const json_t *after, int64_t now)
{
	const struct set *reg, *qm, *q4;
	const char *macs[2] = { NULL, NULL }, *mac, *ip;
	const char *only[3] = { NULL, NULL, NULL };
	struct setop *ops = NULL;
	struct elem *el = NULL;
	struct kel wa, wq;
	struct kset gone = { 0 };
	struct kdevs want = { 0 };
	size_t in_a[DOC_ELEMS], in_q[DOC_ELEMS], drop_a[DOC_ELEMS], drop_q[DOC_ELEMS];
	size_t n_a, n_q, nd_a = 0, nd_q = 0, n = 0, i, k = 0, cap = 3 * DOC_ELEMS + 3;
	bool a, q, have_a = false, have_q = false;
	int r = 0;

	if (!l->synced || !l->rs)
		return sync_kernel(l, now);
	reg = ruleset_set(l->rs, SET_REGISTERED);
	qm = ruleset_set(l->rs, SET_QUARANTINE_MAC);
	q4 = ruleset_set(l->rs, SET_QUARANTINE4);
	lr_kernel(after, &l->set, now, &a, &q, &mac, &ip);
	memset(&wa, 0, sizeof(wa));
	if (mac) {
		snprintf(wa.mac, sizeof(wa.mac), "%s", mac);
		snprintf(wa.ip, sizeof(wa.ip), "%s", ip ? ip : "");
	}
	wq = wa;
	macs[0] = json_string_value(json_object_get(after, "device.mac"));
	macs[1] = before ? json_string_value(json_object_get(before, "device.mac")) : NULL;
	if (kset_of(&l->admit, macs, in_a, &n_a) || kset_of(&l->quar, macs, in_q, &n_q))
		return sync_kernel(l, now);
	/* LANREQ-44: its restricted-device elements, by the addresses it had and has. */
	if (a && (r = doc_kdevs(l->p, after, wa.ip, &want, true)))
		goto out;
	for (i = 0; i < n_a && k < 2; i++)
		only[k++] = l->admit.v[in_a[i]].ip;
	if (a)
		only[2] = wa.ip;
	{
		const char *ips[3];
		size_t j, lo, hi, n_ips = only_distinct(only, ips);

		for (j = 0; j < n_ips; j++) {
			kdevs_run(&l->svc, ips[j], &lo, &hi);
			cap += hi - lo;
		}
	}
	cap += want.n;
	ops = calloc(cap, sizeof(*ops));
	el = calloc(cap, sizeof(*el));
	if (!ops || !el) {
		r = -ENOMEM;
		goto out;
	}
#define OP(kind, s, k)                                                       \
	do {                                                                 \
		if ((s) && n < cap && to_elem((s), (k), &el[n])) {           \
			ops[n] = (struct setop){ (kind), (s), &el[n] };      \
			n++;                                                 \
		}                                                            \
	} while (0)
	for (i = 0; i < n_a; i++) {
		struct kel *e = &l->admit.v[in_a[i]];

		if (a && !kel_cmp(e, &wa)) {
			have_a = true;
			continue;
		}
		OP(SETOP_DEL, reg, e);
		drop_a[nd_a++] = in_a[i];
		if ((r = kset_add(&gone, e->mac, e->ip)))
			goto out;
	}
	for (i = 0; i < n_q; i++) {
		struct kel *e = &l->quar.v[in_q[i]];

		if (q && !kel_cmp(e, &wq)) {
			have_q = true;
			continue;
		}
		OP(SETOP_DEL, qm, e);
		OP(SETOP_DEL, q4, e);
		drop_q[nd_q++] = in_q[i];
	}
	if (q && !have_q) {
		OP(SETOP_ADD, qm, &wq);
		OP(SETOP_ADD, q4, &wq);
		if ((r = kset_add(&gone, wq.mac, wq.ip)))
			goto out;
	}
	if (a && !have_a)
		OP(SETOP_ADD, reg, &wa);
#undef OP
	if ((r = svc_ops(l, &l->svc, &want, only, ops, el, &n, cap, &gone)))
		goto out;
	if ((r = send_ops(l, ops, n, &gone, now)))
		goto out;
	if ((r = kdevs_replace(&l->svc, only, &want))) {
		l->synced = false; /* our copy is short; the next sync compares all */
		l->retry_at = now + 1;
		goto out;
	}
	kset_remove(&l->admit, drop_a, nd_a);
	kset_remove(&l->quar, drop_q, nd_q);
	if ((a && !have_a && (r = kset_insert(&l->admit, wa.mac, wa.ip))) ||
	    (q && !have_q && (r = kset_insert(&l->quar, wq.mac, wq.ip)))) {
		l->synced = false; /* our copy is short; the next sync compares all */
		l->retry_at = now + 1;
		goto out;
	}
out:
	free(gone.v);
	free(want.v);
	free(ops);
	free(el);
	return r;
}

/* ---- notices ----------------------------------------------------------------- */

/*
 * C-24: the notify command runs in the background, never inside a verb or
 * a tick: a verb stores its notice as pending and answers; notify_start()
 * forks the command for up to NOTIFY_MAX pending notices, and the main
 * loop (lan_notify_fds, lan_notify_poll) reaps each child, reads what it
 * printed and records "sent" or "failed" with that output.
 */
static void sender_free(struct sender *s)
{
	if (s->pidfd >= 0)
		close(s->pidfd);
	if (s->out >= 0)
		close(s->out);
	memset(s, 0, sizeof(*s));
	s->pidfd = s->out = -1;
}

static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reads what the child printed; beyond NOTIFY_OUTPUT it is counted, not kept. */
static void sender_read(struct sender *s)
{
	char buf[512];

	for (;;) {
		ssize_t n = s->out >= 0 ? read(s->out, buf, sizeof(buf)) : 0;
		size_t room = sizeof(s->buf) - 1 - s->len, k;

		if (n <= 0) {
			if (n == 0 && s->out >= 0) {
				close(s->out);
				s->out = -1;
			}
			return;
		}
		k = (size_t)n < room ? (size_t)n : room;
		memcpy(s->buf + s->len, buf, k);
		s->len += k;
		s->buf[s->len] = 0;
		if (k < (size_t)n)
			s->cut = true;
	}
}

/*
 * Starts @cmd with @msg on stdin (a memfd: no pipe to feed) and its output
 * on a pipe. posix_spawn, not fork: glibc runs it as a vfork-like clone
 * that shares our memory until the exec, so its cost does not grow with
 * the registry held in memory. A fork() copied the page tables of the
 * whole heap (19 ms with 100k registrations) and left every page
 * copy-on-write for the next verbs to fault on (every verb waited: an
 * approval, a cut of LANREQ-42; docs/registry.md 11).
 */
static int sender_spawn(struct sender *s, const char *cmd, const char *msg, char *err,
			size_t errlen)
{
	char *const argv[] = { "sh", "-c", (char *)cmd, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	int in, out[2], r;
	size_t len = strlen(msg), off = 0;
	pid_t pid;

	in = memfd_create("gatewayd-notice", MFD_CLOEXEC);
	if (in < 0) {
		snprintf(err, errlen, "memfd_create: %s", strerror(errno));
		return -errno;
	}
	while (off < len) {
		ssize_t w = write(in, msg + off, len - off);

		if (w <= 0) {
			snprintf(err, errlen, "writing the message: %s", strerror(errno));
			close(in);
			return -EIO;
		}
		off += (size_t)w;
	}
	if (lseek(in, 0, SEEK_SET) < 0 || pipe2(out, O_CLOEXEC | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		close(in);
		return -EIO;
	}
	/*
	 * gatewayd blocks SIGHUP/SIGTERM for its signalfd; the command must
	 * not. A timeout kills the whole group: sh and its children. dup2 of
	 * the file actions clears O_CLOEXEC on 0, 1 and 2 only.
	 */
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	r = posix_spawnattr_init(&at);
	if (!r) {
		r = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
							  POSIX_SPAWN_SETPGROUP) ?:
		    posix_spawnattr_setsigmask(&at, &none) ?:
		    posix_spawnattr_setsigdefault(&at, &dfl) ?:
		    posix_spawnattr_setpgroup(&at, 0);
		if (!r && !(r = posix_spawn_file_actions_init(&fa))) {
			r = posix_spawn_file_actions_adddup2(&fa, in, 0) ?:
			    posix_spawn_file_actions_adddup2(&fa, out[1], 1) ?:
			    posix_spawn_file_actions_adddup2(&fa, out[1], 2) ?:
			    posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
			posix_spawn_file_actions_destroy(&fa);
		}
		posix_spawnattr_destroy(&at);
	}
	close(in);
	close(out[1]);
	if (r) {
		snprintf(err, errlen, "starting '%s': %s", cmd, strerror(r));
		close(out[0]);
		return r == ENOMEM ? -ENOMEM : -EAGAIN;
	}
	s->pid = pid;
	s->out = out[0];
	/* Without a pidfd (Linux < 5.3) the loop looks again every NOTIFY_POLL_MS. */
	s->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	s->deadline = mono_ms() + NOTIFY_TIMEOUT_MS;
	return 0;
}

static bool sending(const struct lan *l, int64_t id)
{
	size_t i;

	for (i = 0; i < NOTIFY_MAX; i++)
		if (l->send[i].pid && l->send[i].id == id)
			return true;
	return false;
}

static void notice_done(struct lan *l, int64_t id, const char *kind, int64_t device,
			const char *err, const char *output, int64_t now)
{
	if (registry_notice_result(l->reg, id, !err, err, output, now))
		log_error("registry: the result of notice %lld could not be stored: %s",
			  (long long)id, registry_errmsg(l->reg));
	if (err) {
		l->notices_failed++;
		log_error("registry: notice %lld (%s, registration %lld) not sent: %s; it stays "
			  "listed as failed ('netctl device resend %lld'; C-24)",
			  (long long)id, kind, (long long)device, err, (long long)id);
	} else {
		l->notices_sent++;
	}
}

/* Starts the command for pending notices while fewer than NOTIFY_MAX run. */
static void notify_start(struct lan *l, int64_t now)
{
	const char *cmd = l->p && l->p->registry.notify_command ? l->p->registry.notify_command
								 : "/usr/sbin/sendmail -t -i";
	json_t *pending, *n;
	size_t i, k, busy = 0;

	for (k = 0; k < NOTIFY_MAX; k++)
		busy += l->send[k].pid != 0;
	if (!l->p || busy == NOTIFY_MAX || registry_notices(l->reg, "pending", 0, &pending))
		return;
	json_array_foreach(pending, i, n) {
		int64_t id = json_integer_value(json_object_get(n, "id"));
		struct sender *s = NULL;
		char err[256] = "";

		if (busy == NOTIFY_MAX)
			break;
		if (sending(l, id))
			continue;
		for (k = 0; k < NOTIFY_MAX && !s; k++)
			if (!l->send[k].pid)
				s = &l->send[k];
		if (sender_spawn(s, cmd, json_string_value(json_object_get(n, "message")), err,
				 sizeof(err))) {
			notice_done(l, id, json_string_value(json_object_get(n, "kind")),
				    json_integer_value(json_object_get(n, "device")), err, NULL, now);
			continue;
		}
		s->id = id;
		s->device = json_integer_value(json_object_get(n, "device"));
		snprintf(s->kind, sizeof(s->kind), "%s", json_string_value(json_object_get(n, "kind")));
		snprintf(s->cmd, sizeof(s->cmd), "%s", cmd);
		busy++;
	}
	json_decref(pending);
}

int lan_notify_fds(struct lan *l, struct pollfd *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; l && i < NOTIFY_MAX; i++) {
		if (!l->send[i].pid)
			continue;
		if (l->send[i].pidfd >= 0 && n < max)
			out[n++] = (struct pollfd){ .fd = l->send[i].pidfd, .events = POLLIN };
		if (l->send[i].out >= 0 && n < max)
			out[n++] = (struct pollfd){ .fd = l->send[i].out, .events = POLLIN };
	}
	return (int)n;
}

int lan_notify_timeout(struct lan *l)
{
	int64_t now = mono_ms(), best = -1;
	size_t i;

	if (l && l->notify_due)
		return 0;
	for (i = 0; l && i < NOTIFY_MAX; i++) {
		const struct sender *s = &l->send[i];
		int64_t t;

		if (!s->pid)
			continue;
		t = s->deadline > now ? s->deadline - now : 0;
		if (s->pidfd < 0 && t > NOTIFY_POLL_MS)
			t = NOTIFY_POLL_MS;
		if (best < 0 || t < best)
			best = t;
	}
	return (int)best;
}

void lan_notify_poll(struct lan *l, int64_t now)
{
	bool ended = false;
	size_t i;

	for (i = 0; l && i < NOTIFY_MAX; i++) {
		struct sender *s = &l->send[i];
		char err[512] = "";
		int status = 0;
		pid_t w;

		if (!s->pid)
			continue;
		sender_read(s);
		w = waitpid(s->pid, &status, WNOHANG);
		if (w == 0 && mono_ms() < s->deadline)
			continue;
		if (w == 0) {
			kill(-s->pid, SIGKILL);
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			snprintf(err, sizeof(err), "'%s' did not finish within %d s; killed", s->cmd,
				 NOTIFY_TIMEOUT_MS / 1000);
		} else if (w < 0) {
			snprintf(err, sizeof(err), "waitpid: %s", strerror(errno));
		} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			snprintf(err, sizeof(err), "'%s' %s %d", s->cmd,
				 WIFEXITED(status) ? "exited with" : "killed by signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		}
		sender_read(s);
		if (s->cut && s->len + 16 < sizeof(s->buf))
			strcat(s->buf, " [...]");
		notice_done(l, s->id, s->kind, s->device, err[0] ? err : NULL, s->buf, now);
		sender_free(s);
		ended = true;
	}
	if (l && (ended || l->notify_due)) {
		l->notify_due = false;
		notify_start(l, now);
	}
	/* After the answer too: the WAL's checkpoint (registry.h). */
	if (l && registry_wal_pages(l->reg) >= REGISTRY_WAL_PAGES && registry_checkpoint(l->reg))
		log_warning("registry: checkpoint of the WAL failed: %s; trying again later",
			    registry_errmsg(l->reg));
}

/* At stop: the running commands get a moment to finish; the rest stay pending. */
static void notify_stop(struct lan *l)
{
	int64_t end = mono_ms() + NOTIFY_STOP_MS;
	size_t i;

	for (;;) {
		struct pollfd pfd[2 * NOTIFY_MAX];
		int n = lan_notify_fds(l, pfd, 2 * NOTIFY_MAX), left = 0;
		int64_t t = end - mono_ms();

		for (i = 0; i < NOTIFY_MAX; i++)
			left += l->send[i].pid != 0;
		if (!left || t <= 0)
			break;
		poll(pfd, (nfds_t)n, (int)(t < NOTIFY_POLL_MS ? t : NOTIFY_POLL_MS));
		for (i = 0; i < NOTIFY_MAX; i++) {
			struct sender *s = &l->send[i];
			int status;

			if (!s->pid)
				continue;
			sender_read(s);
			if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
				notice_done(l, s->id, s->kind, s->device,
					    WIFEXITED(status) && !WEXITSTATUS(status)
						    ? NULL
						    : "the notify command failed while gatewayd stopped",
					    s->buf, time(NULL));
				sender_free(s);
			}
		}
	}
	for (i = 0; i < NOTIFY_MAX; i++)
		if (l->send[i].pid) {
			log_warning("registry: notice %lld still sending at stop; it stays pending "
				    "and is sent again at the next start (C-24)",
				    (long long)l->send[i].id);
			kill(-l->send[i].pid, SIGKILL);
			kill(l->send[i].pid, SIGKILL);
			waitpid(l->send[i].pid, NULL, 0);
			sender_free(&l->send[i]);
		}
}

void lan_set_log_dir(struct lan *l, const char *dir)
{
	free(l->log_dir);
	l->log_dir = dir ? strdup(dir) : NULL;
}

/*
 * LANREQ-33: the hosts and services @doc's address talked to over the last
 * registry.peer_days days, as text; NULL when not asked for or no address
 * is known.
 */
static char *peers_of(struct lan *l, const json_t *doc, int64_t now)
{
	const char *ip = json_string_value(json_object_get(doc, "device.ip"))
				 ?: json_string_value(json_object_get(doc, "lease_ip"))
				 ?: json_string_value(json_object_get(doc, "released_ip"));

	if (!l->p || !l->p->registry.peer_days || !ip)
		return NULL;
	return peerlog_text(l->log_dir, ip, l->p->registry.peer_days, now, l->p);
}

/* LANREQ-33: the expiry notice carries the device's peers, to judge the effect of its end. */
static char *with_peers(struct lan *l, const json_t *doc, char *msg, int64_t now)
{
	char *block = peers_of(l, doc, now), *out;

	if (!block)
		return msg;
	out = lanpeers_notice(msg, block);
	free(block);
	if (!out)
		return msg;
	free(msg);
	return out;
}

static int add_notice(struct lan *l, const json_t *doc, enum lr_notice k, int64_t now)
{
	const char *from = l->p ? l->p->registry.notify_from : NULL;
	char *msg = lr_notice_text(doc, k, from);
	int r;

	if (msg && k == LRN_EXPIRY)
		msg = with_peers(l, doc, msg, now);
	if (!msg)
		return -ENOMEM;
	r = registry_notice_add(l->reg, json_integer_value(json_object_get(doc, "id")),
				lr_notice_name(k), now, msg, NULL);
	free(msg);
	return r;
}

/* ---- verbs ------------------------------------------------------------------- */

/* Held by a live registration other than @self? (the index of the cache) */
static bool taken_by(void *data, const char *key, const char *val, int64_t self)
{
	struct lan *l = data;
	json_t *id;
	char k[600];

	snprintf(k, sizeof(k), "%s=%s", key, val);
	id = l->idx ? json_object_get(l->idx, k) : NULL;
	return id && json_integer_value(id) != self;
}

static bool ip_taken(void *data, const char *ip, int64_t self)
{
	return taken_by(data, "device.ip", ip, self);
}

static bool mac_taken(void *data, const char *mac, int64_t self)
{
	return taken_by(data, "device.mac", mac, self);
}

static bool host_taken(void *data, const char *h, int64_t self)
{
	return taken_by(data, "device.hostname", h, self);
}

static const char *arg_str(const json_t *args, const char *key)
{
	return json_string_value(json_object_get(args, key));
}

/* A registration named by "id", or the live one of "mac" or "ip". */
static int find(struct lan *l, const json_t *args, json_t **ret, char *err, size_t errlen)
{
	const json_t *id = json_object_get(args, "id");
	const char *mac = arg_str(args, "mac"), *ip = arg_str(args, "ip");
	json_t *all, *doc;
	char m[18];
	size_t i;
	int r;

	*ret = NULL;
	if (json_is_integer(id)) {
		r = registry_get(l->reg, json_integer_value(id), ret);
		if (r == -ENOENT)
			snprintf(err, errlen, "no registration %lld",
				 (long long)json_integer_value(id));
		else if (r)
			snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		return r;
	}
	if (!mac && !ip) {
		snprintf(err, errlen, "name the registration: ID, MAC or IP address");
		return -EINVAL;
	}
	if (mac && !lr_mac_normal(mac, m)) {
		snprintf(err, errlen, "'%s' is not a MAC address", mac);
		return -EINVAL;
	}
	r = cached(l, &all);
	if (r) {
		snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		return r;
	}
	json_array_foreach(all, i, doc) {
		enum lr_state s = lr_state(doc);
		const char *dm = json_string_value(json_object_get(doc, "device.mac"));
		const char *di = json_string_value(json_object_get(doc, "device.ip"));
		const char *dl = json_string_value(json_object_get(doc, "lease_ip"));

		if (s == LRS_REFUSED || s == LRS_ENDED || s == LRS_EXPIRED)
			continue;
		if ((mac && dm && !strcmp(dm, m)) ||
		    (ip && ((di && !strcmp(di, ip)) || (dl && !strcmp(dl, ip))))) {
			*ret = json_deep_copy(doc); /* the caller may change it */
			break;
		}
	}
	json_decref(all);
	if (!*ret) {
		snprintf(err, errlen, "no live registration has %s %s", mac ? "MAC" : "address",
			 mac ? mac : ip);
		return -ENOENT;
	}
	return 0;
}

static json_t *summary(const json_t *doc)
{
	static const char *const keys[] = { "id",	   "state",	  "zone",
					    "device.name", "device.hostname", "device.mac",
					    "device.ip",   "lease_ip",	  "user.name",
					    "user.department", "usage.valid_until", "change_required",
					    "check_due",   "check_confirmed_by", "pending_change" };
	json_t *s = json_object();
	size_t i;

	for (i = 0; s && i < ARRAY_SIZE(keys); i++) {
		json_t *v = json_object_get(doc, keys[i]);

		if (v)
			json_object_set(s, keys[i], v);
	}
	return s;
}

/* The args of 'request' without the protocol's own "op". */
static json_t *fields_of(const json_t *args)
{
	json_t *f = json_deep_copy(args);

	if (f)
		json_object_del(f, "op");
	return f;
}

static json_t *observed(struct lan *l)
{
	json_t *s = NULL;

	registry_sightings(l->reg, &s);
	return s ? s : json_array();
}

/*
 * LANREQ-30, LANREQ-31, LANREQ-46: each registration against what the
 * gateway saw of its MAC and address on the LAN.
 */
static json_t *compare(const json_t *doc, const json_t *seen)
{
	const char *mac = json_string_value(json_object_get(doc, "device.mac"));
	const char *ip = json_string_value(json_object_get(doc, "device.ip"))
				 ?: json_string_value(json_object_get(doc, "lease_ip"));
	json_t *r = summary(doc), *other = json_array(), *e;
	int64_t last = 0;
	size_t i;

	json_array_foreach(seen, i, e) {
		const char *sm = json_string_value(json_object_get(e, "mac"));
		const char *si = json_string_value(json_object_get(e, "ip"));
		int64_t t = json_integer_value(json_object_get(e, "last_seen"));

		if (sm && mac && !strcmp(sm, mac)) {
			if (ip && si && !strcmp(si, ip)) {
				if (t > last)
					last = t;
			} else if (si && strcmp(si, "0.0.0.0")) {
				json_array_append_new(other, json_sprintf("%s used %s", sm, si));
			}
		} else if (si && ip && !strcmp(si, ip) && sm) {
			json_array_append_new(other, json_sprintf("%s used by %s", si, sm));
		}
	}
	json_object_set_new(r, "last_seen", last ? json_integer(last) : json_null());
	json_object_set_new(r, "observed", json_string(last ? "as registered" : "not yet seen"));
	json_object_set_new(r, "anomalies", other);
	return r;
}

static json_t *report(struct lan *l, const json_t *args, int64_t now, char *err, size_t errlen)
{
	const char *kind = arg_str(args, "kind") ?: "conformance";
	json_t *all, *doc, *seen, *out = json_array();
	size_t i;

	if (cached(l, &all)) {
		json_decref(out);
		snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		return NULL;
	}
	seen = observed(l);
	json_array_foreach(all, i, doc) {
		enum lr_state s = lr_state(doc);
		json_t *row;

		if (s != LRS_APPROVED && s != LRS_CHANGED && s != LRS_QUARANTINED && s != LRS_HELD)
			continue;
		if (!strcmp(kind, "conformance")) {
			/* LANREQ-30: the checks still open, due or overdue. */
			if (json_object_get(doc, "check_confirmed_by"))
				continue;
			row = compare(doc, seen);
			json_object_set_new(row, "overdue", json_boolean(lr_check_overdue(doc, now)));
		} else if (!strcmp(kind, "department")) {
			/* LANREQ-31: every live registration, per department. */
			const char *dep = arg_str(args, "department");
			const char *d = json_string_value(json_object_get(doc, "user.department"));

			if (dep && (!d || strcmp(d, dep)))
				continue;
			row = compare(doc, seen);
		} else {
			json_decref(all);
			json_decref(seen);
			json_decref(out);
			snprintf(err, errlen, "report kind '%s' is not conformance or department", kind);
			return NULL;
		}
		json_array_append_new(out, row);
	}
	json_decref(all);
	json_decref(seen);
	return out;
}

/* LANREQ-26..28, WLAN-8: the lists, derived from the register at every call. */
/* The zone's IPv4 network holding @doc's address (a DHCP device: the zone's first). */
static void dhcp_subnet(const struct lan *l, const json_t *doc, json_t *row)
{
	const char *z = json_string_value(json_object_get(doc, "zone")),
		   *ip = json_string_value(json_object_get(doc, "device.ip"));
	const struct zone *zz = l->p && z ? policy_zone(l->p, z) : NULL;
	const struct prefix *best = NULL;
	struct prefix host;
	char buf[PREFIX_STRLEN];
	size_t i;

	if (!zz)
		return;
	if (!ip || prefix_parse(ip, &host))
		host.family = 0;
	for (i = 0; i < zz->n_nets; i++) {
		const struct prefix *n = &zz->nets[i];

		if (n->family != AF_INET)
			continue;
		if (host.family ? prefix_contains(n, &host) : !best) {
			best = n;
			if (host.family)
				break;
		}
	}
	if (!best)
		return;
	prefix_format(best, buf, sizeof(buf));
	json_object_set_new(row, "subnet", json_string(buf));
}

static json_t *export_list(struct lan *l, const json_t *args, char *err, size_t errlen)
{
	const char *list = arg_str(args, "list") ?: "ip";
	static const char *const cols_ip[] = { "device.ip", "lease_ip", "device.hostname",
					       "device.class", "device.server_approval", "zone",
					       "device.mac", "id" };
	static const char *const cols_dns[] = { "device.hostname", "device.ip", "device.dns",
						"device.directory", "id" };
	static const char *const cols_ports[] = { "device.connection_point", "zone",
						  "usage.location", "device.hostname", "device.mac",
						  "id" };
	static const char *const cols_macs[] = { "device.mac", "user.id", "zone",
						 "device.hostname", "id" };
	/* LANREQ-23, C-2: what a DHCP server needs to serve exactly the registered devices. */
	static const char *const cols_dhcp[] = { "device.mac", "device.ip", "device.hostname",
						 "device.addr_mode", "zone", "id" };
	const char *const *cols;
	size_t n_cols, i, k;
	json_t *all, *doc, *out;

	if (!strcmp(list, "ip"))
		cols = cols_ip, n_cols = ARRAY_SIZE(cols_ip);
	else if (!strcmp(list, "dns"))
		cols = cols_dns, n_cols = ARRAY_SIZE(cols_dns);
	else if (!strcmp(list, "ports"))
		cols = cols_ports, n_cols = ARRAY_SIZE(cols_ports);
	else if (!strcmp(list, "macs"))
		cols = cols_macs, n_cols = ARRAY_SIZE(cols_macs);
	else if (!strcmp(list, "dhcp"))
		cols = cols_dhcp, n_cols = ARRAY_SIZE(cols_dhcp);
	else {
		snprintf(err, errlen, "list '%s' is not ip, dns, ports, macs or dhcp", list);
		return NULL;
	}
	if (cached(l, &all)) {
		snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		return NULL;
	}
	out = json_array();
	json_array_foreach(all, i, doc) {
		enum lr_state s = lr_state(doc);
		json_t *row;

		if (s != LRS_APPROVED && s != LRS_CHANGED && s != LRS_QUARANTINED && s != LRS_HELD)
			continue;
		/* A quarantined or held device gets no lease; the zone filter applies as for macs. */
		if (!strcmp(list, "dhcp") &&
		    (s == LRS_QUARANTINED || s == LRS_HELD ||
		     (arg_str(args, "zone") &&
		      strcmp(arg_str(args, "zone"),
			     json_string_value(json_object_get(doc, "zone")) ?: ""))))
			continue;
		if (!strcmp(list, "macs")) {
			const char *z = json_string_value(json_object_get(doc, "zone"));
			const struct zone *zz = l->p && z ? policy_zone(l->p, z) : NULL;
			const char *want = arg_str(args, "zone");

			if (want ? (!z || strcmp(z, want)) : (!zz || zz->kind != ZK_WLAN))
				continue;
		}
		row = json_object();
		for (k = 0; k < n_cols; k++) {
			json_t *v = json_object_get(doc, cols[k]);

			if (v)
				json_object_set(row, cols[k], v);
		}
		if (!strcmp(list, "dhcp"))
			dhcp_subnet(l, doc, row);
		json_array_append_new(out, row);
	}
	json_decref(all);
	return out;
}

/* The zone whose interfaces include @iface, or NULL. */
static const struct zone *zone_of_iface(const struct policy *p, const char *iface)
{
	size_t i, k;

	for (i = 0; p && iface && i < p->n_zones; i++)
		for (k = 0; k < p->zones[i]->n_ifaces; k++)
			if (!strcmp(p->zones[i]->ifaces[k], iface))
				return p->zones[i];
	return NULL;
}

/*
 * LANREQ-43, LANREQ-46: what the register says of MAC and IP seen on
 * @iface: "registered", "quarantined", or an anomaly ("unregistered", "a
 * registered MAC with another address", "a registered address with another
 * MAC", "a registered device in another zone"). *@id: the registration.
 */
static const char *verdict_of(const struct lan *l, json_t *all, const char *mac, const char *ip,
			      const char *iface, json_int_t *id)
{
	const struct zone *seen_in = zone_of_iface(l->p, iface);
	const char *v = "unregistered";
	json_t *doc;
	size_t i;

	*id = 0;
	json_array_foreach(all, i, doc) {
		enum lr_state s = lr_state(doc);
		const char *dm = json_string_value(json_object_get(doc, "device.mac"));
		const char *di = json_string_value(json_object_get(doc, "device.ip"))
					 ?: json_string_value(json_object_get(doc, "lease_ip"));
		const char *dz = json_string_value(json_object_get(doc, "zone"));

		if (s != LRS_APPROVED && s != LRS_CHANGED && s != LRS_QUARANTINED && s != LRS_HELD)
			continue;
		if (dm && mac && !strcmp(dm, mac)) {
			*id = json_integer_value(json_object_get(doc, "id"));
			if (seen_in && dz && strcmp(seen_in->name, dz))
				return "a registered device in another zone";
			if (strcmp(ip, "0.0.0.0") && (!di || strcmp(di, ip)))
				return "a registered MAC with another address";
			/* LANREQ-48: held devices are registered but not admitted. */
			return s == LRS_QUARANTINED ? "quarantined" : s == LRS_HELD ? "held" : "registered";
		}
		if (di && ip && !strcmp(di, ip)) {
			*id = json_integer_value(json_object_get(doc, "id"));
			v = "a registered address with another MAC";
		}
	}
	return v;
}

/* LANREQ-47: registry.known_equipment holds @mac. */
static bool known_equipment(const struct lan *l, const char *mac)
{
	size_t i;

	for (i = 0; l->p && mac && i < l->p->registry.n_known_equipment; i++)
		if (!strcmp(l->p->registry.known_equipment[i], mac))
			return true;
	return false;
}

/* LANREQ-47: the verdict on a sighting of equipment; NULL for other sightings. */
static const char *equipment_verdict(const struct lan *l, const json_t *e)
{
	const char *kind = json_string_value(json_object_get(e, "kind"));

	if (!kind || strcmp(kind, "equipment"))
		return NULL;
	return known_equipment(l, json_string_value(json_object_get(e, "mac")))
		       ? "known equipment"
		       : "unknown network equipment";
}

/* LANREQ-46: each observed MAC/IP with what the register says of it. */
static json_t *seen_list(struct lan *l, char *err, size_t errlen)
{
	json_t *all, *seen = observed(l), *e, *out = json_array();
	size_t i;

	if (cached(l, &all)) {
		json_decref(seen);
		json_decref(out);
		snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		return NULL;
	}
	json_array_foreach(seen, i, e) {
		json_int_t id = 0;
		const char *v = equipment_verdict(l, e)
					?: verdict_of(l, all, json_string_value(json_object_get(e, "mac")),
						      json_string_value(json_object_get(e, "ip")),
						      json_string_value(json_object_get(e, "iface")), &id);
		json_t *row = json_deep_copy(e);
		const struct zone *z = zone_of_iface(l->p, json_string_value(json_object_get(e, "iface")));

		if (z)
			json_object_set_new(row, "zone", json_string(z->name));
		if (id)
			json_object_set_new(row, "registration", json_integer(id));
		json_object_set_new(row, "verdict", json_string(v));
		json_array_append_new(out, row);
	}
	json_decref(all);
	json_decref(seen);
	return out;
}

static json_t *person_op(struct lan *l, const struct lr_ctx *cx, const json_t *args, char *err,
			 size_t errlen)
{
	const char *name = arg_str(args, "name"), *status = arg_str(args, "status");
	json_t *all, *doc, *ended = json_array(), *flagged = json_array();
	size_t i;
	int r;

	if (!(cx->roles & lr_op_roles(LRO_PERSON))) {
		snprintf(err, errlen, "'device person' needs the role netadmin; %s does not hold it",
			 cx->actor);
		goto fail;
	}
	if (!name || !*name || strlen(name) > 128 || !lr_person_status_valid(status)) {
		snprintf(err, errlen, "give --name PERSON and --status active, departed, "
				      "contract-ended, on-leave or transferred (C-15)");
		goto fail;
	}
	if (registry_begin(l->reg)) {
		snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		goto fail;
	}
	r = registry_person_set(l->reg, name, status, cx->now, cx->actor);
	r = r ?: registry_all(l->reg, &all);
	if (r)
		goto dbfail;
	json_array_foreach(all, i, doc) {
		enum lr_person_effect e = lr_person_effect(doc, name, status);
		json_t *before;
		char why[256];

		if (e == LRP_NONE)
			continue;
		before = json_deep_copy(doc);
		r = lr_person_apply(cx, doc, e, name, status, why, sizeof(why));
		r = r ?: registry_update(l->reg, doc, cx->now);
		char subject[64];

		snprintf(subject, sizeof(subject), "device:%lld",
			 (long long)json_integer_value(json_object_get(doc, "id")));
		r = r ?: registry_event(l->reg, cx->now, cx->actor, subject,
					e == LRP_END ? "end (person)" : "flag (transfer)", status, before,
					doc);
		json_decref(before);
		if (r)
			break;
		json_array_append_new(e == LRP_END ? ended : flagged,
				      json_integer(json_integer_value(json_object_get(doc, "id"))));
		if (e == LRP_END)
			r = add_notice(l, doc, LRN_ENDED, cx->now);
		if (r)
			break;
	}
	json_decref(all);
	if (!r) {
		/* C-15: what the status did, for 'netctl device persons --history'. */
		json_t *after = json_pack("{s:s, s:s, s:O, s:O}", "name", name, "status", status,
					  "ended", ended, "flagged", flagged);

		r = after ? registry_event(l->reg, cx->now, cx->actor, "people", "person status",
					   status, NULL, after)
			  : -ENOMEM;
		json_decref(after);
	}
	if (r || registry_commit(l->reg))
		goto dbfail;
	invalidate(l);
	log_info("registry: %s is %s (recorded by %s): %zu registrations ended, %zu flagged", name,
		 status, cx->actor, json_array_size(ended), json_array_size(flagged));
	return json_pack("{s:s, s:s, s:o, s:o}", "name", name, "status", status, "ended", ended,
			 "flagged", flagged);
dbfail:
	snprintf(err, errlen, "registry: %s; nothing was changed", registry_errmsg(l->reg));
	registry_rollback(l->reg);
	invalidate(l);
fail:
	json_decref(ended);
	json_decref(flagged);
	return NULL;
}

static json_t *people_snapshot(const struct policy *p)
{
	static const enum role roles[] = { ROLE_NETADMIN,	  ROLE_OPERATOR,     ROLE_HELPDESK,
					   ROLE_AUDITOR,	  ROLE_DEPT_HEAD,    ROLE_ISMS_MANAGER,
					   ROLE_SECURITY_OFFICER };
	json_t *a = json_array();
	size_t i, k;

	for (i = 0; a && i < p->n_people; i++) {
		const struct person *pe = p->people[i];
		json_t *r = json_array();

		for (k = 0; k < ARRAY_SIZE(roles); k++)
			if (pe->roles & roles[k])
				json_array_append_new(r, json_string(role_name(roles[k])));
		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:s?, s:s?}", "user", pe->user,
						   "name", pe->name, "roles", r, "approved_by",
						   pe->approved_by, "department", pe->department));
	}
	return a;
}

static json_t *by_user(const json_t *snap, const char *user)
{
	json_t *e;
	size_t i;

	json_array_foreach(snap, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "user")) ?: "", user))
			return e;
	return NULL;
}

/* "appointed tsuzuki (netadmin); removed audit; roles of sato changed" */
static void people_diff(const json_t *before, const json_t *after, char *out, size_t len)
{
	size_t i, o = 0;
	json_t *e;

	out[0] = 0;
#define ADD(...)                                                               \
	do {                                                                   \
		int w = snprintf(out + o, len - o, __VA_ARGS__);               \
		if (w > 0 && (size_t)w < len - o)                              \
			o += (size_t)w;                                        \
	} while (0)
	json_array_foreach(after, i, e) {
		const char *u = json_string_value(json_object_get(e, "user"));
		json_t *b = by_user(before, u);

		if (!b)
			ADD("%sappointed %s", o ? "; " : "", u);
		else if (!json_equal(b, e))
			ADD("%schanged %s", o ? "; " : "", u);
	}
	json_array_foreach(before, i, e) {
		const char *u = json_string_value(json_object_get(e, "user"));

		if (!by_user(after, u))
			ADD("%sremoved %s", o ? "; " : "", u);
	}
#undef ADD
}

void lan_people(struct lan *l, const struct policy *p, const char *actor, int64_t now)
{
	json_t *snap = people_snapshot(p), *ev = NULL, *last = NULL;
	char what[512];

	if (!snap || registry_events(l->reg, "people:config", &ev)) {
		json_decref(snap);
		return;
	}
	if (json_array_size(ev))
		last = json_object_get(json_array_get(ev, json_array_size(ev) - 1), "after");
	if (!last || !json_equal(last, snap)) {
		json_t *none = json_array();

		people_diff(last ? last : none, snap, what, sizeof(what));
		json_decref(none);
		if (registry_event(l->reg, now, actor, "people:config", "people", what, last,
				   snap) == 0)
			log_info("registry: people changed by %s: %s (ADM-5, ADM-6)", actor, what);
	}
	json_decref(ev);
	json_decref(snap);
}

/* ADM-7: who holds which management ID with which roles now, and every change. */
static json_t *people_view(struct lan *l)
{
	json_t *ev = NULL, *st = NULL;

	registry_events(l->reg, "people:config", &ev);
	registry_persons(l->reg, &st);
	return json_pack("{s:o, s:o, s:o}", "current", l->p ? people_snapshot(l->p) : json_array(),
			 "changes", ev ? ev : json_array(), "statuses", st ? st : json_array());
}

/*
 * C-24: a failed notice is queued again (its text unchanged); the resend
 * is an event of the notice's registration (LANREQ-21, ADM-2).
 */
static json_t *resend(struct lan *l, const struct lr_ctx *cx, const json_t *args, char *err,
		      size_t errlen)
{
	json_int_t id = json_integer_value(json_object_get(args, "id"));
	json_t *n = NULL, *before, *after, *res = NULL;
	char subject[64];
	int r;

	if (lr_need_role(cx, LRO_RESEND, err, errlen))
		return NULL;
	if (id <= 0) {
		snprintf(err, errlen, "name the notice by its number ('netctl device notices "
				      "--failed')");
		return NULL;
	}
	r = registry_notice_get(l->reg, id, &n);
	if (r == -ENOENT) {
		snprintf(err, errlen, "there is no notice %lld", (long long)id);
		return NULL;
	}
	if (r) {
		snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		return NULL;
	}
	if (strcmp(json_string_value(json_object_get(n, "status")), "failed")) {
		snprintf(err, errlen, "notice %lld is %s; only a failed notice is sent again",
			 (long long)id, json_string_value(json_object_get(n, "status")));
		json_decref(n);
		return NULL;
	}
	if (json_integer_value(json_object_get(n, "device")))
		snprintf(subject, sizeof(subject), "device:%lld",
			 (long long)json_integer_value(json_object_get(n, "device")));
	else
		snprintf(subject, sizeof(subject), "notice:%lld", (long long)id);
	before = json_pack("{s:I, s:O, s:s, s:O}", "notice", id, "kind", json_object_get(n, "kind"),
			   "status", "failed", "error", json_object_get(n, "error"));
	after = json_pack("{s:I, s:O, s:s}", "notice", id, "kind", json_object_get(n, "kind"),
			  "status", "pending");
	if (!before || !after || registry_begin(l->reg)) {
		snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		goto out;
	}
	if (registry_notice_requeue(l->reg, id) ||
	    registry_event(l->reg, cx->now, cx->actor, subject, "resend", NULL, before, after) ||
	    registry_commit(l->reg)) {
		snprintf(err, errlen, "registry: %s; nothing was changed", registry_errmsg(l->reg));
		registry_rollback(l->reg);
		goto out;
	}
	log_info("registry: notice %lld (%s, %s) queued again by %s (C-24)", (long long)id,
		 json_string_value(json_object_get(n, "kind")), subject, cx->actor);
	notify_start(l, cx->now);
	json_object_set_new(n, "status", json_string("pending"));
	res = json_pack("{s:O}", "notice", n);
out:
	json_decref(n);
	json_decref(before);
	json_decref(after);
	return res;
}

/* ---- LANREQ-31: the half-yearly department check ------------------------------- */

static int cmp_dept(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "department")),
		      json_string_value(json_object_get(*(json_t *const *)b, "department")));
}

/*
 * Each department of an approved, changed or quarantined registration: how
 * many, its last check (or, never checked, its first approval), when the
 * next is due and whether that is overdue and already notified. Sorted.
 */
static json_t *dept_rows(struct lan *l, int64_t now)
{
	json_t *all = NULL, *checks = NULL, *by = json_object(), *doc, *c, *res = NULL, *v;
	const char *key;
	json_t **rows = NULL;
	size_t i, n = 0;

	if (!by || cached(l, &all) || registry_dept_checks(l->reg, &checks))
		goto out;
	json_array_foreach(all, i, doc) {
		enum lr_state s = lr_state(doc);
		const char *d = json_string_value(json_object_get(doc, "user.department"));
		int64_t at = 0;
		json_t *row;

		if ((s != LRS_APPROVED && s != LRS_CHANGED && s != LRS_QUARANTINED &&
		     s != LRS_HELD) ||
		    !d)
			continue;
		time_parse(json_string_value(json_object_get(doc, "approved_at")) ?: "", &at);
		row = json_object_get(by, d);
		if (!row) {
			row = json_pack("{s:s, s:I, s:I}", "department", d, "registrations",
					(json_int_t)0, "since", (json_int_t)at);
			if (!row || json_object_set_new(by, d, row))
				goto out;
		}
		json_object_set_new(row, "registrations",
				    json_integer(json_integer_value(json_object_get(row, "registrations")) + 1));
		if (at && at < json_integer_value(json_object_get(row, "since")))
			json_object_set_new(row, "since", json_integer(at));
	}
	json_array_foreach(checks, i, c) {
		json_t *row = json_object_get(by, json_string_value(json_object_get(c, "department")));

		if (!row)
			continue; /* a department with nothing registered now has nothing to check */
		json_object_set(row, "last_check", json_object_get(c, "at"));
		json_object_set(row, "last_check_by", json_object_get(c, "done_by"));
		json_object_set(row, "note", json_object_get(c, "note"));
	}
	rows = calloc(json_object_size(by) + 1, sizeof(*rows));
	res = json_array();
	if (!rows || !res)
		goto out;
	json_object_foreach(by, key, v) {
		json_t *lc = json_object_get(v, "last_check");
		int64_t due = lr_dept_check_due(&l->set, lc ? json_integer_value(lc)
							   : json_integer_value(json_object_get(v, "since")));
		bool told = false;

		if (due && now >= due)
			registry_dept_overdue(l->reg, key, due, &told);
		json_object_set_new(v, "due", due ? json_integer(due) : json_null());
		json_object_set_new(v, "overdue", json_boolean(due && now >= due));
		json_object_set_new(v, "notified", json_boolean(told));
		rows[n++] = v;
	}
	qsort(rows, n, sizeof(*rows), cmp_dept);
	for (i = 0; i < n; i++)
		json_array_append(res, rows[i]);
out:
	free(rows);
	json_decref(all);
	json_decref(checks);
	json_decref(by);
	return res;
}

/* 'netctl device check [DEPT]' lists; with --done a netadmin records a department's check. */
static json_t *dept_check(struct lan *l, const struct lr_ctx *cx, const json_t *args, char *err,
			  size_t errlen)
{
	const char *dept = arg_str(args, "department"), *note = arg_str(args, "note"),
		   *by = arg_str(args, "by");
	json_t *rows = dept_rows(l, cx->now), *row = NULL, *res, *after, *r;
	char subject[600];
	size_t i;

	if (!rows) {
		snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		return NULL;
	}
	json_array_foreach(rows, i, r)
		if (dept && !strcmp(json_string_value(json_object_get(r, "department")), dept))
			row = r;
	if (!json_object_get(args, "done")) {
		if (!dept)
			return rows;
		res = json_array();
		if (row)
			json_array_append(res, row);
		json_decref(rows);
		return res;
	}
	/* Recording changes the registry: the network administrators check (LANREQ-31). */
	if (!(cx->roles & LR_CHECK_DONE_ROLES)) {
		snprintf(err, errlen, "'device check --done' needs the role netadmin; %s does not "
				      "hold it",
			 cx->actor);
		goto refused;
	}
	if (!dept || !row) {
		snprintf(err, errlen, dept ? "no approved registration has user.department '%s' "
					     "('netctl device check' lists the departments)"
					   : "name the department: 'netctl device check DEPARTMENT "
					     "--done --note TEXT'",
			 dept);
		goto refused;
	}
	if (!note || !*note) {
		snprintf(err, errlen, "a department check records what was found (LANREQ-31): "
				      "--note TEXT");
		goto refused;
	}
	if (strpbrk(note, "\r\n") || (by && strpbrk(by, "\r\n"))) {
		snprintf(err, errlen, "--note and --by are one line each");
		goto refused;
	}
	snprintf(subject, sizeof(subject), "department:%s", dept);
	after = json_pack("{s:s, s:s, s:I}", "done_by", by ? by : cx->actor, "note", note,
			  "registrations", json_integer_value(json_object_get(row, "registrations")));
	if (!after || registry_begin(l->reg)) {
		json_decref(after);
		snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		goto refused;
	}
	if (registry_dept_check_add(l->reg, dept, cx->now, by ? by : cx->actor, cx->actor, note) ||
	    registry_event(l->reg, cx->now, cx->actor, subject, "department check", note, NULL,
			   after) ||
	    registry_commit(l->reg)) {
		snprintf(err, errlen, "registry: %s; nothing was changed", registry_errmsg(l->reg));
		registry_rollback(l->reg);
		json_decref(after);
		goto refused;
	}
	json_decref(after);
	json_decref(rows);
	log_info("registry: department check of %s recorded by %s (LANREQ-31)", dept, cx->actor);
	l->next_valid = false; /* the next due date moved */
	rows = dept_rows(l, cx->now);
	res = json_array();
	json_array_foreach(rows, i, r)
		if (!strcmp(json_string_value(json_object_get(r, "department")), dept))
			json_array_append(res, r);
	json_decref(rows);
	return res;
refused:
	json_decref(rows);
	return NULL;
}

/*
 * LANREQ-31: an overdue department check is notified once per due date, to
 * registry.department_check_to (else notify_from): the config's people have
 * no mail addresses, so the network administrators involve the head.
 */
static int dept_overdue_notices(struct lan *l, int64_t now)
{
	const char *to = l->p->registry.dept_check_to ?: l->p->registry.notify_from;
	json_t *rows = dept_rows(l, now), *r;
	size_t i;
	int rc = 0;

	if (!rows)
		return -EIO;
	json_array_foreach(rows, i, r) {
		const char *dept = json_string_value(json_object_get(r, "department"));
		int64_t due = json_integer_value(json_object_get(r, "due")), nid = 0;
		json_t *lc = json_object_get(r, "last_check");
		char subject[600], last[32], reason[64], *msg;

		if (!json_is_true(json_object_get(r, "overdue")) ||
		    json_is_true(json_object_get(r, "notified")))
			continue;
		if (lc)
			time_format(json_integer_value(lc), last, sizeof(last));
		time_format(due, reason, sizeof(reason));
		msg = lr_dept_notice_text(dept, due,
					  (size_t)json_integer_value(json_object_get(r, "registrations")),
					  lc ? last : NULL, to, l->p->registry.notify_from);
		snprintf(subject, sizeof(subject), "department:%s", dept);
		rc = !msg ? -ENOMEM
			  : registry_notice_add(l->reg, 0, "department-check", now, msg, &nid) ?:
				    registry_dept_overdue_add(l->reg, dept, due, nid) ?:
				    registry_event(l->reg, now, "gatewayd", subject,
						   "department check overdue", reason, NULL, NULL);
		free(msg);
		if (rc)
			break;
		log_warning("registry: the half-yearly check of %s was due at %s (LANREQ-31); "
			    "notice %lld",
			    dept, reason, (long long)nid);
	}
	json_decref(rows);
	return rc;
}

/* When a department check falls due next (now + 1: one is overdue and not notified). */
static int64_t dept_next(struct lan *l, int64_t now)
{
	json_t *rows, *r;
	int64_t best = 0;
	size_t i;

	if (!l->p || !l->set.n_dept_check || !(rows = dept_rows(l, now)))
		return 0;
	json_array_foreach(rows, i, r) {
		int64_t due = json_integer_value(json_object_get(r, "due"));
		int64_t t = json_is_true(json_object_get(r, "notified")) ? 0 : due > now ? due : now + 1;

		if (t && (!best || t < best))
			best = t;
	}
	json_decref(rows);
	return best;
}

/* ---- ADM-7: the inventory of management IDs ------------------------------------ */

/*
 * When the next inventory is due: registry.inventory after the last one or,
 * none yet, after the registry first recorded the people (ADM-5); and
 * whether that due date's overdue notice is recorded. 0 when nothing is
 * due (no people recorded yet).
 */
static int inventory_due(struct lan *l, json_t **ret_last, int64_t *ret_due, bool *ret_told)
{
	json_t *inv = NULL, *ev = NULL, *last;
	int64_t first = 0;
	int r;

	*ret_due = 0;
	*ret_told = false;
	r = registry_inventories(l->reg, &inv) ?: registry_events(l->reg, "people:config", &ev);
	if (r)
		goto out;
	last = json_array_get(inv, json_array_size(inv) - 1);
	if (json_array_size(ev))
		first = json_integer_value(json_object_get(json_array_get(ev, 0), "at"));
	*ret_due = inv_due(l->p->registry.inventory,
			   last ? json_integer_value(json_object_get(last, "at")) : 0, first);
	if (*ret_due)
		r = registry_inventory_overdue(l->reg, *ret_due, ret_told);
	if (ret_last)
		*ret_last = last ? json_incref(last) : NULL;
out:
	json_decref(inv);
	json_decref(ev);
	return r;
}

/* The report on the people in force, its canonical text and that text's SHA-256. */
static json_t *inventory_report(struct lan *l, char **ret_text, char sha[SHA256_HEX])
{
	json_t *ev = NULL, *st = NULL, *rep = NULL;

	*ret_text = NULL;
	if (registry_events(l->reg, "people:config", &ev) || registry_persons(l->reg, &st))
		goto out;
	rep = inv_report(l->p, ev, st);
	*ret_text = rep ? inv_report_text(rep) : NULL;
	if (!*ret_text || history_sha256(*ret_text, strlen(*ret_text), sha)) {
		json_decref(rep);
		rep = NULL;
		free(*ret_text);
		*ret_text = NULL;
	}
out:
	json_decref(ev);
	json_decref(st);
	return rep;
}

/*
 * 'netctl device inventory': the report with its SHA-256, the last
 * inventory and the next due date; --history: every recorded inventory;
 * --done --report SHA256 --note TEXT: the ISMS manager records one that
 * covered exactly the report now in force (ADM-7).
 */
static json_t *inventory_op(struct lan *l, const struct lr_ctx *cx, const json_t *args,
			    char *err, size_t errlen)
{
	const char *note = arg_str(args, "note"), *ref = arg_str(args, "report");
	json_t *rep = NULL, *last = NULL, *res = NULL, *after = NULL;
	char sha[SHA256_HEX], *text = NULL, t[32];
	int64_t due = 0, id = 0;
	bool told = false;

	if (json_object_get(args, "history")) {
		if (registry_inventories(l->reg, &res))
			snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		return res;
	}
	rep = inventory_report(l, &text, sha);
	if (!rep || inventory_due(l, &last, &due, &told)) {
		snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		goto out;
	}
	if (!json_object_get(args, "done")) {
		res = json_pack("{s:O, s:s, s:O, s:o, s:b, s:b, s:I}", "report", rep,
				"report_sha256", sha, "last", last ? last : json_null(), "due",
				due ? json_integer(due) : json_null(), "overdue",
				due && cx->now >= due, "notified", told, "period",
				(json_int_t)l->p->registry.inventory);
		goto out;
	}
	/*
	 * The inventory reviews the network administrators' own IDs: it is
	 * the ISMS manager's (the system security manager approves their
	 * appointments, ADM-5), not theirs.
	 */
	if (!(cx->roles & LR_INVENTORY_DONE_ROLES)) {
		snprintf(err, errlen, "'device inventory --done' needs the role isms-manager; %s "
				      "does not hold it (ADM-7)",
			 cx->actor);
		goto out;
	}
	if (!note || !*note || strlen(note) > 1000 || strpbrk(note, "\r\n")) {
		snprintf(err, errlen, "an inventory records what was found (ADM-7): --note TEXT "
				      "(one line, at most 1000 characters)");
		goto out;
	}
	/* The record names the report it covered; a report read before a change is not it. */
	if (!ref || strlen(ref) < 12 || strncasecmp(ref, sha, strlen(ref)) || strlen(ref) > 64) {
		snprintf(err, errlen, ref ? "the report's SHA-256 is now %s, not '%s': the people "
					    "or their statuses changed since it was read; read it "
					    "again ('netctl device inventory', ADM-7)"
					  : "name the report the inventory covered: --report SHA256 "
					    "(at least 12 digits; 'netctl device inventory' prints "
					    "it, %s, ADM-7)",
			 sha, ref);
		goto out;
	}
	after = json_pack("{s:s, s:s, s:I}", "note", note, "report_sha256", sha, "ids",
			  (json_int_t)json_array_size(json_object_get(rep, "ids")));
	if (!after || registry_begin(l->reg)) {
		snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		goto out;
	}
	if (registry_inventory_add(l->reg, cx->now, cx->actor, note, sha, text, &id) ||
	    json_object_set_new(after, "inventory", json_integer(id)) ||
	    registry_event(l->reg, cx->now, cx->actor, "people:inventory", "inventory", note, NULL,
			   after) ||
	    registry_commit(l->reg)) {
		snprintf(err, errlen, "registry: %s; nothing was changed", registry_errmsg(l->reg));
		registry_rollback(l->reg);
		goto out;
	}
	time_format(cx->now, t, sizeof(t));
	log_info("registry: inventory %lld of %zu management IDs recorded by %s (report %.12s, "
		 "ADM-7)",
		 (long long)id, json_array_size(json_object_get(rep, "ids")), cx->actor, sha);
	l->next_valid = false; /* the next due date moved */
	res = json_pack("{s:I, s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)id, "at",
			(json_int_t)cx->now, "done_by", cx->actor, "note", note, "report_sha256",
			sha, "ids", (json_int_t)json_array_size(json_object_get(rep, "ids")));
	if (res && (due = inv_due(l->p->registry.inventory, cx->now, 0)))
		json_object_set_new(res, "due", json_integer(due));
out:
	json_decref(rep);
	json_decref(last);
	json_decref(after);
	free(text);
	return res;
}

/* ADM-7: an overdue inventory is notified once per due date, to registry.inventory_to. */
static int inventory_overdue_notice(struct lan *l, int64_t now)
{
	const char *to = l->p->registry.inventory_to ?: l->p->registry.notify_from;
	json_t *last = NULL;
	char when[32], reason[64], *msg;
	int64_t due, nid = 0;
	bool told;
	int rc;

	if ((rc = inventory_due(l, &last, &due, &told)) || !due || now < due || told)
		goto out;
	if (last)
		time_format(json_integer_value(json_object_get(last, "at")), when, sizeof(when));
	time_format(due, reason, sizeof(reason));
	msg = inv_notice_text(due, last ? when : NULL, l->p->n_people, to,
			      l->p->registry.notify_from);
	rc = !msg ? -ENOMEM
		  : registry_notice_add(l->reg, 0, "inventory", now, msg, &nid) ?:
			    registry_inventory_overdue_add(l->reg, due, nid) ?:
			    registry_event(l->reg, now, "gatewayd", "people:inventory",
					   "inventory overdue", reason, NULL, NULL);
	free(msg);
	if (!rc)
		log_warning("registry: the inventory of management IDs was due at %s (ADM-7); "
			    "notice %lld",
			    reason, (long long)nid);
out:
	json_decref(last);
	return rc;
}

/* When the inventory falls due next (now + 1: overdue and not notified); 0: never. */
static int64_t inventory_next(struct lan *l, int64_t now)
{
	int64_t due;
	bool told;

	if (!l->p || inventory_due(l, NULL, &due, &told) || !due || told)
		return 0;
	return due > now ? due : now + 1;
}

/* ---- C-15: the recorded person statuses ------------------------------------------ */

/*
 * 'netctl device persons [--name NAME]': each person's status now, who
 * recorded it and when; --history: every status recorded, oldest first,
 * with the registrations it ended or flagged (from the events).
 */
static json_t *persons_view(struct lan *l, const json_t *args, char *err, size_t errlen)
{
	const char *name = arg_str(args, "name");
	json_t *rows = NULL, *res = json_array(), *e;
	size_t i;

	if (!res)
		return NULL;
	if (json_object_get(args, "history") ? registry_events(l->reg, "people", &rows)
					     : registry_persons(l->reg, &rows)) {
		snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		json_decref(res);
		return NULL;
	}
	json_array_foreach(rows, i, e) {
		json_t *a = json_object_get(e, "after"), *row;

		if (json_object_get(args, "history")) {
			if (strcmp(json_string_value(json_object_get(e, "action")) ?: "",
				   "person status"))
				continue;
			row = json_pack("{s:O, s:O, s:O, s:O}", "name", json_object_get(a, "name"),
					"status", json_object_get(a, "status"), "since",
					json_object_get(e, "at"), "recorded_by",
					json_object_get(e, "actor"));
			if (row && json_object_get(a, "ended"))
				json_object_set(row, "ended", json_object_get(a, "ended"));
			if (row && json_object_get(a, "flagged"))
				json_object_set(row, "flagged", json_object_get(a, "flagged"));
		} else {
			row = json_incref(e);
		}
		if (!row || (name && strcmp(json_string_value(json_object_get(row, "name")) ?: "",
					    name))) {
			json_decref(row);
			continue;
		}
		json_array_append_new(res, row);
	}
	json_decref(rows);
	return res;
}

/* ---- INC-1: quarantine of a host without a registration ------------------------- */

/* The address quarantine in force for MAC @mac or address @ip, or NULL (borrowed). */
static json_t *aq_find(struct lan *l, const char *mac, const char *ip)
{
	json_t *q;
	size_t i;

	if (!l->aq && registry_aqs(l->reg, false, &l->aq))
		return NULL;
	json_array_foreach(l->aq, i, q)
		if (!strcmp(json_string_value(json_object_get(q, "value")), mac ? mac : ip))
			return q;
	return NULL;
}

/*
 * INC-1, LANREQ-42: 'quarantine MAC|IP' of a host no live registration
 * holds (a server, a printer of the config, an unknown device): the MAC
 * goes into quarantine_mac or the address into quarantine4 at once, with
 * an event "address:VALUE". INC-2, C-32: only a netadmin releases it,
 * recording who instructed the release.
 */
static json_t *aq_op(struct lan *l, const struct lr_ctx *cx, enum lr_op op, const char *mac,
		     const char *ip, const json_t *args, char *err, size_t errlen)
{
	const char *reason = arg_str(args, "reason"), *instr = arg_str(args, "instructed_by");
	const char *v = mac ? mac : ip;
	json_t *q = aq_find(l, mac, ip), *before = NULL, *after = NULL, *res = NULL;
	char subject[64];
	int64_t id = 0;
	int r;

	if (lr_need_role(cx, op, err, errlen))
		return NULL;
	snprintf(subject, sizeof(subject), "address:%s", v);
	if (op == LRO_QUARANTINE) {
		struct in_addr a;

		if (q) {
			snprintf(err, errlen, "%s is quarantined already (since %lld, by %s)", v,
				 (long long)json_integer_value(json_object_get(q, "at")),
				 json_string_value(json_object_get(q, "quarantined_by")));
			return NULL;
		}
		if (!reason || !*reason || strpbrk(reason, "\r\n")) {
			snprintf(err, errlen, "a quarantine records why (LANREQ-42): --reason TEXT");
			return NULL;
		}
		if (ip && inet_pton(AF_INET, ip, &a) != 1) {
			snprintf(err, errlen, "'%s' is not an IPv4 address", ip);
			return NULL;
		}
		after = json_pack("{s:s, s:s, s:s}", "kind", mac ? "mac" : "ip", "value", v, "state",
				  "quarantined");
	} else {
		if (!q) {
			snprintf(err, errlen, "neither a live registration nor a quarantine has %s %s",
				 mac ? "MAC" : "address", v);
			return NULL;
		}
		if (!instr || !*instr || strpbrk(instr, "\r\n")) {
			snprintf(err, errlen, "a release records who instructed it (INC-2, C-32): "
					      "--instructed-by NAME");
			return NULL;
		}
		id = json_integer_value(json_object_get(q, "id"));
		before = json_pack("{s:O, s:s, s:s}", "kind", json_object_get(q, "kind"), "value", v,
				   "state", "quarantined");
		after = json_pack("{s:O, s:s, s:s, s:s}", "kind", json_object_get(q, "kind"), "value",
				  v, "state", "released", "release_instructed_by", instr);
		reason = instr;
	}
	if (!after || registry_begin(l->reg)) {
		snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		goto out;
	}
	r = op == LRO_QUARANTINE
		    ? registry_aq_add(l->reg, mac ? "mac" : "ip", v, reason, cx->actor, cx->now, &id)
		    : registry_aq_release(l->reg, id, cx->now, cx->actor, instr);
	if (r || registry_event(l->reg, cx->now, cx->actor, subject, lr_op_name(op), reason, before,
				after) ||
	    registry_commit(l->reg)) {
		snprintf(err, errlen, "registry: %s; nothing was changed", registry_errmsg(l->reg));
		registry_rollback(l->reg);
		goto out;
	}
	json_decref(l->aq);
	l->aq = NULL;
	log_info("registry: %s %s by %s: %s (INC-1)", lr_op_name(op), subject, cx->actor, reason);
	/* The kernel follows; the cut ends the address's tracked connections (ctkill). */
	sync_kernel(l, cx->now);
	res = json_pack("{s:{s:I, s:s, s:s, s:s}, s:b}", "quarantine", "id", (json_int_t)id, "kind",
			mac ? "mac" : "ip", "value", v, "state",
			op == LRO_QUARANTINE ? "quarantined" : "released", "kernel_synced",
			l->synced);
	if (res && !l->synced)
		json_object_set_new(res, "kernel_error", json_string(l->sync_err));
out:
	json_decref(before);
	json_decref(after);
	return res;
}

/* Fixes event subjects for registrations: "device:ID". */
static void subject_of(const json_t *doc, char *buf, size_t len)
{
	snprintf(buf, len, "device:%lld", (long long)json_integer_value(json_object_get(doc, "id")));
}

json_t *lan_handle(struct lan *l, const char *actor, unsigned roles, const char *department,
		   int op_, const json_t *args, int64_t now, char *err, size_t errlen)
{
	enum lr_op op = (enum lr_op)op_;
	struct lr_ctx cx = { .p = l->p, .set = &l->set, .actor = actor, .roles = roles,
			     .department = department, .now = now, .ip_taken = ip_taken,
			     .mac_taken = mac_taken, .hostname_taken = host_taken };
	const char *action = NULL;
	json_t *all = NULL, *doc = NULL, *before = NULL, *res = NULL;
	const char *reason = NULL;
	char subject[64];
	enum lr_notice notice = LRN__COUNT;
	int r = 0;

	err[0] = 0;
	if (!l->p) {
		snprintf(err, errlen, "the registry is not ready");
		return NULL;
	}
	if (!(roles & lr_op_roles(op)) && op != LRO_PERSON) {
		/* The ops refuse for themselves with the role's name; views are for everyone. */
		if (!lr_op_writes(op)) {
			snprintf(err, errlen, "'device %s' needs a role of the config's people",
				 lr_op_name(op));
			return NULL;
		}
	}
	switch (op) {
	case LRO_LIST: {
		json_t *filter = fields_of(args), *d;
		size_t i;

		if (lr_filter_check(filter, err, errlen) || cached(l, &all)) {
			if (!err[0])
				snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
			json_decref(filter);
			return NULL;
		}
		res = json_array();
		json_array_foreach(all, i, d)
			if (lr_filter_match(d, filter, now))
				json_array_append_new(res, summary(d));
		json_decref(filter);
		json_decref(all);
		return res;
	}
	case LRO_SHOW: {
		json_t *ev = NULL, *no = NULL;
		char *peers;

		if (find(l, args, &doc, err, errlen))
			return NULL;
		subject_of(doc, subject, sizeof(subject));
		registry_events(l->reg, subject, &ev);
		registry_notices(l->reg, NULL, json_integer_value(json_object_get(doc, "id")), &no);
		peers = peers_of(l, doc, now);
		res = json_pack("{s:o, s:o, s:o, s:s?}", "registration", doc, "history",
				ev ? ev : json_array(), "notices", no ? no : json_array(), "peers",
				peers);
		free(peers);
		return res;
	}
	case LRO_NOTICES: {
		const char *st = arg_str(args, "status");

		if (st && strcmp(st, "pending") && strcmp(st, "sent") && strcmp(st, "failed")) {
			snprintf(err, errlen, "status '%s' is not pending, sent or failed", st);
			return NULL;
		}
		if (registry_notices(l->reg, st, json_integer_value(json_object_get(args, "id")),
				     &res)) {
			snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
			return NULL;
		}
		return res;
	}
	case LRO_REPORT:
		return report(l, args, now, err, errlen);
	case LRO_EXPORT:
		return export_list(l, args, err, errlen);
	case LRO_SEEN:
		return seen_list(l, err, errlen);
	case LRO_PEOPLE:
		return people_view(l);
	case LRO_RESEND:
		return resend(l, &cx, args, err, errlen);
	case LRO_CHECK:
		return dept_check(l, &cx, args, err, errlen);
	case LRO_INVENTORY:
		return inventory_op(l, &cx, args, err, errlen);
	case LRO_PERSONS:
		return persons_view(l, args, err, errlen);
	case LRO_QUARANTINED:
		if (registry_aqs(l->reg, json_object_get(args, "all") != NULL, &res)) {
			snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
			return NULL;
		}
		return res;
	case LRO_QUARANTINE:
	case LRO_RELEASE:
		if (!json_object_get(args, "id")) {
			const char *mac = arg_str(args, "mac"), *ip = arg_str(args, "ip");
			char m[18];

			if (mac && !lr_mac_normal(mac, m)) {
				snprintf(err, errlen, "'%s' is not a MAC address", mac);
				return NULL;
			}
			if (find(l, args, &doc, err, errlen) == -ENOENT) {
				err[0] = 0;
				return aq_op(l, &cx, op, mac ? m : NULL, mac ? NULL : ip, args, err,
					     errlen);
			}
			json_decref(doc);
			doc = NULL;
			err[0] = 0;
		}
		break;
	case LRO_PERSON:
		res = person_op(l, &cx, args, err, errlen);
		if (res) {
			sync_kernel(l, now);
			notify_start(l, now);
		}
		return res;
	default:
		break;
	}

	/* The writing verbs: one transaction each, then the kernel, then the mail. */
	if (registry_begin(l->reg)) {
		snprintf(err, errlen, "registry: %s", registry_errmsg(l->reg));
		return NULL;
	}
	r = cached(l, &all);
	if (r)
		goto dbfail;
	cx.data = l;
	if (op == LRO_REQUEST) {
		json_t *fields = fields_of(args);

		r = fields ? lr_request(&cx, fields, &doc, err, errlen) : -ENOMEM;
		json_decref(fields);
		if (r)
			goto refused;
		r = registry_insert(l->reg, doc, now);
		if (r)
			goto dbfail;
	} else {
		if ((r = find(l, args, &doc, err, errlen)))
			goto refused;
		before = json_deep_copy(doc);
		reason = arg_str(args, "reason");
		switch (op) {
		case LRO_APPROVE: {
			json_t *a = fields_of(args);

			json_object_del(a, "id");
			json_object_del(a, "mac");
			json_object_del(a, "ip");
			r = lr_approve(&cx, doc, a, err, errlen);
			json_decref(a);
			/* C-1, LANREQ-36: notified once the approval is complete. */
			if (json_object_get(before, "pending_change")) {
				action = json_object_get(doc, "pending_change") ? "approve change "
										  "(first of two)"
										: "approve change";
				if (!json_object_get(doc, "pending_change"))
					notice = LRN_CHANGED;
			} else if (lr_state(doc) == LRS_SECOND) {
				action = "approve (first of two)";
			} else {
				action = lr_state(before) == LRS_SECOND ? "second approval" : NULL;
				notice = LRN_APPROVED;
			}
			break;
		}
		case LRO_REFUSE:
			if (json_object_get(before, "pending_change"))
				action = "refuse change";
			r = lr_refuse(&cx, doc, reason, err, errlen);
			notice = LRN_REFUSED;
			break;
		case LRO_HOLD:
			r = lr_hold(&cx, doc, reason, err, errlen);
			break;
		case LRO_CLEAR:
			r = lr_clear(&cx, doc, arg_str(args, "checked_by"), arg_str(args, "note"),
				     err, errlen);
			reason = arg_str(args, "note");
			break;
		case LRO_CHANGE: {
			json_t *a = fields_of(args);

			json_object_del(a, "id");
			json_object_del(a, "mac");
			json_object_del(a, "ip");
			r = lr_change(&cx, doc, a, err, errlen);
			reason = arg_str(args, "change.reason");
			json_decref(a);
			/* LANREQ-36: filed, or (registry.direct_change) filed and approved. */
			if (json_object_get(doc, "pending_change")) {
				action = "change request";
			} else {
				action = "change (direct)";
				notice = LRN_CHANGED;
			}
			break;
		}
		case LRO_ENDORSE: {
			if (json_object_get(before, "pending_change"))
				action = "endorse change";
			r = lr_endorse(&cx, doc, err, errlen);
			break;
		}
		case LRO_END:
			r = lr_end(&cx, doc, reason, err, errlen);
			notice = LRN_ENDED;
			break;
		case LRO_QUARANTINE:
			r = lr_quarantine(&cx, doc, reason, err, errlen);
			break;
		case LRO_RELEASE:
			reason = arg_str(args, "instructed_by");
			r = lr_release(&cx, doc, reason, err, errlen);
			break;
		case LRO_CONFIRM:
			reason = arg_str(args, "comment");
			r = lr_confirm(&cx, doc, reason, err, errlen);
			break;
		default:
			snprintf(err, errlen, "unknown operation");
			r = -EINVAL;
			break;
		}
		if (r)
			goto refused;
		r = registry_update(l->reg, doc, now);
		if (r)
			goto dbfail;
	}
	subject_of(doc, subject, sizeof(subject));
	r = registry_event(l->reg, now, actor, subject, action ? action : lr_op_name(op), reason,
			   before, doc);
	if (!r && notice != LRN__COUNT)
		r = add_notice(l, doc, notice, now);
	if (r || (r = registry_commit(l->reg)))
		goto dbfail;
	/* json_array_set in the array a caller may still hold: @all is ours, drop it first. */
	json_decref(all);
	all = NULL;
	cache_put(l, doc, now);
	/* Stored: from here on the verb is done; the kernel follows (LANREQ-42..44). */
	log_info("registry: %s %s by %s%s%s", lr_op_name(op), subject, actor, reason ? ": " : "",
		 reason ? reason : "");
	sync_doc(l, before, doc, now);
	l->notify_due = true;
	res = json_pack("{s:O, s:b, s:s}", "registration", doc, "kernel_synced", l->synced,
			"action", action ? action : lr_op_name(op));
	if (res && !l->synced)
		json_object_set_new(res, "kernel_error", json_string(l->sync_err));
	json_decref(all);
	json_decref(doc);
	json_decref(before);
	return res;

dbfail:
	if (r == -ENOMEM)
		snprintf(err, errlen, "out of memory; nothing was changed");
	else
		snprintf(err, errlen, "registry: %s; nothing was changed", registry_errmsg(l->reg));
	/* fall through */
refused:
	if (!err[0])
		snprintf(err, errlen, "%s", r == -ENOMEM ? "out of memory" : "refused");
	registry_rollback(l->reg);
	invalidate(l);
	json_decref(all);
	json_decref(doc);
	json_decref(before);
	return NULL;
}

/* ---- the clock ----------------------------------------------------------------- */

void lan_tick(struct lan *l, int64_t now)
{
	struct lr_ctx cx = { .p = l->p, .set = &l->set, .actor = "gatewayd", .roles = ~0u,
			     .now = now };
	json_t *all, *doc, *changed;
	size_t i;
	int r = 0;

	if (!l->p)
		return;
	if (registry_begin(l->reg))
		return;
	/*
	 * The cache, not a parse of every registration: the changed ones are
	 * copies, put in the cache after the loop (cache_put), so that a tick
	 * with 100k registrations costs a walk, not seconds of parsing.
	 */
	changed = json_array();
	if (!changed || cached(l, &all)) {
		json_decref(changed);
		registry_rollback(l->reg);
		return;
	}
	json_array_foreach(all, i, doc) {
		char subject[64];
		json_t *after = NULL;

		subject_of(doc, subject, sizeof(subject));
		if (lr_expiry_due(doc, now)) {
			/* LANREQ-37: the period is over; admission goes with it. */
			after = json_deep_copy(doc);
			r = !after ? -ENOMEM : lr_expire(&cx, after) ?:
				registry_update(l->reg, after, now) ?:
				registry_event(l->reg, now, "gatewayd", subject, "expire",
					       "the planned period ended (LANREQ-37)", doc, after) ?:
				add_notice(l, after, LRN_ENDED, now);
			if (!r)
				log_info("registry: %s expired (LANREQ-37)", subject);
		} else if (lr_expiry_notice_due(doc, &l->set, now)) {
			/* LANREQ-32, C-23: the notice is recorded, then sent. */
			char t[32];

			after = json_deep_copy(doc);
			time_format(now, t, sizeof(t));
			r = !after ? -ENOMEM
				   : json_object_set_new(after, "expiry_notice_at", json_string(t)) ?:
				registry_update(l->reg, after, now) ?:
				registry_event(l->reg, now, "gatewayd", subject, "expiry notice",
					       "the planned period ends soon (LANREQ-32)", doc, after) ?:
				add_notice(l, after, LRN_EXPIRY, now);
		}
		if (!r && after)
			r = json_array_append(changed, after);
		json_decref(after);
		if (r)
			break;
	}
	/* cache_put changes the array @all is: our reference goes first. */
	json_decref(all);
	json_array_foreach(changed, i, doc)
		if (!r)
			cache_put(l, doc, now);
	json_decref(changed);
	/* The view reads the registrations as changed above (in the cache, not yet committed). */
	if (!r && l->set.n_dept_check)
		r = dept_overdue_notices(l, now);
	if (!r)
		r = inventory_overdue_notice(l, now);
	if (r || registry_commit(l->reg)) {
		log_error("registry: the timer's changes could not be stored: %s; retrying",
			  registry_errmsg(l->reg));
		registry_rollback(l->reg);
		invalidate(l);
		l->retry_at = now + 10;
		return;
	}
	/* Usage hours and periods move elements in and out without a state change. */
	sync_kernel(l, now);
	notify_start(l, now);
}

int64_t lan_next(struct lan *l, int64_t now)
{
	json_t *all, *doc;
	int64_t best = l->retry_at > now ? l->retry_at : (l->retry_at ? now + 1 : 0);
	size_t i;

	if (!l->next_valid || (l->next_at && l->next_at <= now)) {
		if (cached(l, &all))
			return now + 60;
		l->next_at = 0;
		json_array_foreach(all, i, doc) {
			int64_t t = doc_next(l, doc, now);

			if (t && (!l->next_at || t < l->next_at))
				l->next_at = t;
		}
		json_decref(all);
		{
			int64_t d = dept_next(l, now), v = inventory_next(l, now);

			if (d && (!l->next_at || d < l->next_at))
				l->next_at = d;
			if (v && (!l->next_at || v < l->next_at))
				l->next_at = v;
		}
		l->next_valid = true;
	}
	if (l->next_at && (!best || l->next_at < best))
		best = l->next_at;
	return best;
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* True when (MAC, IP, iface) was stored within SEEN_REFRESH; else claims the slot. */
static bool seen_recently(struct lan *l, const char *mac, const char *ip, const char *iface,
			  int64_t now)
{
	char key[64];
	struct seen_slot *s;

	snprintf(key, sizeof(key), "%s %s %s", mac, ip, iface);
	s = &l->seen[hash(key) % SEEN_SLOTS];
	if (!strcmp(s->key, key) && now - s->at < SEEN_REFRESH)
		return true;
	snprintf(s->key, sizeof(s->key), "%s", key);
	s->at = now;
	return false;
}

void lan_seen(struct lan *l, const char *mac, const char *ip, const char *iface,
	      const char *kind, bool dhcp_ack, int64_t now)
{
	json_t *all, *doc;
	size_t i;

	l->sightings++;
	if (!dhcp_ack && seen_recently(l, mac, ip, iface, now))
		return;
	l->sightings_stored++;
	if (registry_sighting(l->reg, mac, ip, iface, kind, now))
		log_error("registry: recording a sighting failed: %s", registry_errmsg(l->reg));
	if (!dhcp_ack) {
		if (cached(l, &all))
			return;
		json_int_t id;
		const char *v = verdict_of(l, all, mac, ip, iface, &id);

		/* Logged once per SEEN_REFRESH per pair; 'netctl device seen' lists them. */
		if (strcmp(v, "registered") && strcmp(v, "quarantined")) {
			l->unregistered_seen++;
			log_warning("registry: %s on %s: %s %s (%s; LANREQ-46)", v, iface, mac, ip,
				    kind);
		}
		json_decref(all);
		return;
	}
	if (registry_all(l->reg, &all))
		return;
	/* LANREQ-23: a DHCP device is admitted with the address its lease gives it. */
	json_array_foreach(all, i, doc) {
		enum lr_state s = lr_state(doc);
		const char *dm = json_string_value(json_object_get(doc, "device.mac"));
		const char *mode = json_string_value(json_object_get(doc, "device.addr_mode"));
		const char *cur = json_string_value(json_object_get(doc, "lease_ip"));
		char subject[64];
		json_t *before;

		if ((s != LRS_APPROVED && s != LRS_CHANGED) || !dm || strcmp(dm, mac) || !mode ||
		    strcmp(mode, "dhcp") || (cur && !strcmp(cur, ip)))
			continue;
		before = json_deep_copy(doc);
		json_object_set_new(doc, "lease_ip", json_string(ip));
		subject_of(doc, subject, sizeof(subject));
		if (registry_begin(l->reg) == 0) {
			if (registry_update(l->reg, doc, now) ||
			    registry_event(l->reg, now, "gatewayd", subject, "lease", ip, before,
					   doc) ||
			    registry_commit(l->reg))
				registry_rollback(l->reg);
			else
				log_info("registry: %s leased %s (LANREQ-23)", subject, ip);
		}
		json_decref(before);
	}
	json_decref(all);
	invalidate(l);
	sync_kernel(l, now);
}

void lan_seen_equipment(struct lan *l, const char *mac, const char *ip, const char *iface,
			const char *detail, int64_t now)
{
	l->sightings++;
	/* Equipment repeats every few seconds (BPDUs every 2 s): once a minute per MAC. */
	if (seen_recently(l, mac, "equipment", iface, now))
		return;
	l->sightings_stored++;
	if (registry_sighting_detail(l->reg, mac, ip, iface, "equipment", detail, now))
		log_error("registry: recording a sighting failed: %s", registry_errmsg(l->reg));
	if (known_equipment(l, mac))
		return;
	l->equipment_seen++;
	log_warning("registry: unknown network equipment on %s: %s (%s; LANREQ-47)", iface, mac,
		    detail);
}

/* ---- C-8: retention ------------------------------------------------------------ */

int lan_purge(struct lan *l, int64_t now)
{
	int64_t ret = l->p ? l->p->registry.retention : 0;
	json_t *all, *doc;
	int n = 0, gone = 0, r = 0;
	size_t i;
	char why[160], days[32];

	if (!ret || registry_begin(l->reg))
		return 0;
	/* The cache: read only; a purge that changes nothing keeps it (start with 100k). */
	if (cached(l, &all)) {
		registry_rollback(l->reg);
		return -EIO;
	}
	snprintf(days, sizeof(days), "%lldd", (long long)(ret / DAY_SECONDS));
	json_array_foreach(all, i, doc) {
		json_int_t id = json_integer_value(json_object_get(doc, "id"));
		char subject[64];
		json_t *anon;

		if (!lr_retention_due(doc, ret, now))
			continue;
		anon = lr_anonymise(doc, now);
		if (!anon) {
			r = -ENOMEM;
			break;
		}
		/*
		 * Its history and notices hold its personal data: they go; the
		 * registration stays, anonymised, so that its number is never
		 * given again, with one event that records the purge.
		 */
		subject_of(doc, subject, sizeof(subject));
		snprintf(why, sizeof(why),
			 "registry.retention (%s) passed since its end: personal data and history "
			 "removed (C-8)",
			 days);
		r = registry_purge_history(l->reg, id) ?: registry_update(l->reg, anon, now) ?:
			registry_event(l->reg, now, "gatewayd", subject, "retention purge", why,
				       NULL, anon);
		json_decref(anon);
		if (r)
			break;
		n++;
	}
	json_decref(all);
	if (!r) {
		/* Sightings hold MACs and addresses of people's devices too. */
		gone = registry_purge_sightings(l->reg, now - ret);
		r = gone < 0 ? gone : 0;
		if (!r && gone) {
			snprintf(why, sizeof(why), "%d sightings last seen before registry.retention "
						   "(%s) removed (C-8)",
				 gone, days);
			r = registry_event(l->reg, now, "gatewayd", "sightings", "retention purge",
					   why, NULL, NULL);
		}
	}
	if (r || registry_commit(l->reg)) {
		log_error("registry: the retention purge failed: %s (C-8)", registry_errmsg(l->reg));
		registry_rollback(l->reg);
		invalidate(l);
		return r ? r : -EIO;
	}
	if (n)
		invalidate(l);
	if (n || gone)
		log_info("registry: retention (%s): %d registrations anonymised, %d sightings "
			 "removed (C-8)",
			 days, n, gone);
	return n;
}

json_t *lan_status(struct lan *l, int64_t now)
{
	json_t *all, *doc, *by = json_object(), *pending = NULL, *failed = NULL, *res;
	size_t i;

	if (!cached(l, &all)) {
		json_array_foreach(all, i, doc) {
			const char *s = lr_state_name(lr_state(doc));

			json_object_set_new(by, s,
					    json_integer(json_integer_value(json_object_get(by, s)) + 1));
		}
		json_decref(all);
	}
	registry_notices(l->reg, "pending", 0, &pending);
	registry_notices(l->reg, "failed", 0, &failed);
	res = json_pack("{s:o, s:I, s:I, s:I, s:I, s:b, s:s, s:I, s:I}", "registrations", by,
			 "admitted", (json_int_t)l->admit.n, "quarantined", (json_int_t)l->quar.n,
			 "notices_pending", (json_int_t)json_array_size(pending), "notices_failed",
			 (json_int_t)json_array_size(failed), "kernel_synced", l->synced,
			 "kernel_error", l->sync_err, "next_event", (json_int_t)lan_next(l, now),
			 "schema", (json_int_t)registry_schema(l->reg));
	if (res)
		json_object_set_new(res, "observed",
				    json_pack("{s:I, s:I, s:I, s:I}", "sightings",
					      (json_int_t)l->sightings, "stored",
					      (json_int_t)l->sightings_stored, "not_admitted",
					      (json_int_t)l->unregistered_seen, "equipment",
					      (json_int_t)l->equipment_seen));
	json_decref(pending);
	json_decref(failed);
	return res;
}

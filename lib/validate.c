/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Validation: resolves every reference of the model and checks it against
 * the regulation (ZONE, SVC, NAT, PROXY, WAN, OPS-8). Every problem is queued
 * with its file:line; a policy that breaks the regulation is refused unless it
 * names an approved, unexpired exception.
 */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "util.h"

struct vctx {
	struct policy *p;
	struct diag_list *d;
	int64_t now;
	int oom;
};

/* ---- sorting and duplicates ------------------------------------------- */

static int origin_cmp(const struct origin *a, const struct origin *b)
{
	int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");

	if (c)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

#define DEFINE_SORT(fn, type, key)                                                          \
	static int fn##_cmp(const void *pa, const void *pb)                                 \
	{                                                                                   \
		const type *a = *(const type *const *)pa, *b = *(const type *const *)pb;    \
		int c = strcmp(a->key, b->key);                                             \
		return c ? c : origin_cmp(&a->origin, &b->origin);                          \
	}                                                                                   \
	static void fn(struct vctx *v, type **arr, size_t *n, const char *what)             \
	{                                                                                   \
		size_t i, k = 0;                                                            \
		if (*n > 1)                                                                 \
			qsort(arr, *n, sizeof(*arr), fn##_cmp);                             \
		for (i = 0; i < *n; i++) {                                                  \
			if (k && !strcmp(arr[k - 1]->key, arr[i]->key)) {                   \
				diag_error(v->d, &arr[i]->origin,                           \
					   "%s '%s' is defined twice (first at %s:%d)", what,   \
					   arr[i]->key, arr[k - 1]->origin.file,            \
					   arr[k - 1]->origin.line);                        \
				continue;                                                   \
			}                                                                   \
			arr[k++] = arr[i];                                                  \
		}                                                                           \
		*n = k;                                                                     \
	}

DEFINE_SORT(sort_zones, struct zone, name)
DEFINE_SORT(sort_services, struct service, name)
DEFINE_SORT(sort_hosts, struct host, name)
DEFINE_SORT(sort_exceptions, struct exception, id)
DEFINE_SORT(sort_wans, struct wan_link, name)
DEFINE_SORT(sort_people, struct person, user)

/*
 * Policies in the order of their files and lines, whatever order the files
 * were read in: the compiler then meets them in a canonical order.
 */
static int policy_origin_cmp(const void *pa, const void *pb)
{
	const struct policy_rule *a = *(const struct policy_rule *const *)pa;
	const struct policy_rule *b = *(const struct policy_rule *const *)pb;
	int c = origin_cmp(&a->origin, &b->origin);

	if (c)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Hint for an unknown name among the names of an array of named objects. */
#define HINT(v, arr, n, key, word, ret)                                                     \
	do {                                                                                \
		const char **c_ = calloc((n) + 1, sizeof(char *));                          \
		size_t i_;                                                                  \
		(ret) = NULL;                                                               \
		if (!c_) {                                                                  \
			(v)->oom = 1;                                                       \
			break;                                                              \
		}                                                                           \
		for (i_ = 0; i_ < (n); i_++)                                                \
			c_[i_] = (arr)[i_]->key;                                            \
		(ret) = str_closest((word), c_, (n));                                       \
		free(c_);                                                                   \
	} while (0)

static void unknown(struct vctx *v, const struct origin *o, const char *ctx, const char *what,
		    const char *name, const char *hint)
{
	if (hint)
		diag_error(v->d, o, "%s: %s '%s' is not defined (did you mean '%s'?)", ctx, what,
			   name, hint);
	else
		diag_error(v->d, o, "%s: %s '%s' is not defined", ctx, what, name);
}

static struct service *find_service(struct vctx *v, const struct origin *o, const char *ctx,
				    const char *name)
{
	struct service *s = policy_service(v->p, name);
	const char *hint;

	if (!s) {
		HINT(v, v->p->services, v->p->n_services, name, name, hint);
		unknown(v, o, ctx, "service", name, hint);
	}
	return s;
}

static struct host *find_host(struct vctx *v, const struct origin *o, const char *ctx,
			      const char *name)
{
	struct host *h = policy_host(v->p, name);
	const char *hint;

	if (!h) {
		HINT(v, v->p->hosts, v->p->n_hosts, name, name, hint);
		unknown(v, o, ctx, "host", name, hint);
	}
	return h;
}

static struct zone *find_zone(struct vctx *v, const struct origin *o, const char *ctx,
			      const char *name)
{
	struct zone *z = policy_zone(v->p, name);
	const char *hint;

	if (!z) {
		HINT(v, v->p->zones, v->p->n_zones, name, name, hint);
		unknown(v, o, ctx, "zone", name, hint);
	}
	return z;
}

static void pfx(const struct prefix *p, char *buf)
{
	prefix_format(p, buf, PREFIX_STRLEN);
}

/* ---- zones ------------------------------------------------------------- */

static bool env_allowed_for_kind(enum zone_kind k, enum env e)
{
	switch (k) {
	case ZK_GLOBAL:
	case ZK_DMZ:
		return e == ENV_INTERNET;
	case ZK_SERVER:
	case ZK_FLOOR:
	case ZK_WLAN:
		return e == ENV_LAN;
	case ZK_BRANCH:
	case ZK_SUBSIDIARY:
	case ZK_AFFILIATE:
		return e == ENV_LAN || e == ENV_WAN;
	case ZK_VPN:
		return e == ENV_REMOTE;
	default:
		return false;
	}
}

static void check_zone(struct vctx *v, struct zone *z)
{
	char a[PREFIX_STRLEN];
	size_t i;

	if (!env_allowed_for_kind(z->kind, z->env))
		diag_error(v->d, &z->origin,
			   "zone '%s': a %s zone cannot be in the %s environment (ZONE-1..5: "
			   "global and dmz are internet; server, floor and wlan are lan; branch, "
			   "subsidiary and affiliate are lan or wan; vpn is remote)",
			   z->name, zone_kind_name(z->kind), env_name(z->env));
	for (i = 0; i < z->n_nets; i++) {
		const struct prefix *n = &z->nets[i];
		bool want_global = z->kind == ZK_GLOBAL || (z->kind == ZK_DMZ && z->dmz_mode == DMZ_ROUTED);

		pfx(n, a);
		if (prefix_is_special(n))
			diag_error(v->d, &z->nets_origin,
				   "zone '%s': network %s is a special-purpose range (loopback, "
				   "link-local, multicast or reserved)",
				   z->name, a);
		else if (want_global && !prefix_is_global(n))
			diag_error(v->d, &z->nets_origin,
				   "zone '%s': network %s is or contains a private range, but a %s "
				   "zone uses global addresses (ZONE-15, NAT-2%s)",
				   z->name, a, z->kind == ZK_GLOBAL ? "global" : "routed DMZ",
				   z->kind == ZK_DMZ ? ", NAT-3; or set dmz = \"nat\"" : "");
		else if (!want_global && !prefix_is_private(n))
			diag_error(v->d, &z->nets_origin,
				   "zone '%s': network %s is not wholly a private range, but a %s "
				   "zone uses private addresses (ZONE-15%s)",
				   z->name, a, zone_kind_name(z->kind),
				   z->kind == ZK_DMZ ? ", NAT-3; or set dmz = \"routed\"" : "");
	}
	if (z->admission == ADMIT_REGISTERED && z->kind != ZK_SERVER && z->kind != ZK_FLOOR &&
	    z->kind != ZK_WLAN)
		diag_error(v->d, &z->origin,
			   "zone '%s': admission \"registered\" needs the devices' MAC addresses, "
			   "which the gateway sees only on server, floor and wlan zones",
			   z->name);
	if ((z->pool.family || z->hostname_pattern) && z->admission != ADMIT_REGISTERED)
		diag_error(v->d, z->pool.family ? &z->pool_origin : &z->origin,
			   "zone '%s': 'pool' and 'hostname' serve the LAN registry; they need "
			   "admission = \"registered\" (LANREQ-22)",
			   z->name);
	if (z->pool.family) {
		struct prefix lo = { .family = AF_INET, .len = 32 }, hi = lo;
		bool in_lo = false, in_hi = false;

		memcpy(lo.a, z->pool.lo, 4);
		memcpy(hi.a, z->pool.hi, 4);
		for (i = 0; i < z->n_nets; i++) {
			in_lo |= prefix_contains(&z->nets[i], &lo);
			in_hi |= prefix_contains(&z->nets[i], &hi);
		}
		if (!in_lo || !in_hi)
			diag_error(v->d, &z->pool_origin,
				   "zone '%s': the pool is not inside the zone's networks", z->name);
	}
	if (z->hostname_pattern) {
		const char *h = z->hostname_pattern, *o = strstr(h, "{octet");
		size_t k, n = strlen(h);
		bool ok = n > 0 && n <= 48 && o && (!strncmp(o, "{octet}", 7) ||
						   (o[6] == ':' && o[7] >= '1' && o[7] <= '3' &&
						    o[8] == '}'));

		for (k = 0; ok && k < n; k++)
			ok = isalnum((unsigned char)h[k]) || h[k] == '-' || h[k] == '{' ||
			     h[k] == '}' || h[k] == ':';
		if (!ok)
			diag_error(v->d, &z->origin,
				   "zone '%s': hostname '%s' must be letters, digits and '-' with "
				   "one {octet} or {octet:3} (the address's last octet; LANREQ-22)",
				   z->name, h);
	}
	if (z->admission == ADMIT_REGISTERED)
		for (i = 0; i < z->n_nets; i++)
			if (z->nets[i].family == AF_INET6) {
				diag_warning(v->d, &z->nets_origin,
					     "zone '%s': devices are registered by IPv4 address; its "
					     "IPv6 traffic is not admitted (C-28)",
					     z->name);
				break;
			}
	if (z->kind == ZK_WLAN) {
		const char *s = z->wlan_security;

		if (!s)
			diag_warning(v->d, &z->origin,
				     "zone '%s': 'wlan_security' is not set; declare the access "
				     "points' security (WLAN-7)",
				     z->name);
		else if (!strcmp(s, "wpa2-personal") || !strcmp(s, "wpa3-personal")) {
			if (z->admission != ADMIT_REGISTERED)
				diag_error(v->d, &z->origin,
					   "zone '%s': a shared-key WLAN (%s) needs admission = "
					   "\"registered\" (C-14, WLAN-2)",
					   z->name, s);
		} else if (strcmp(s, "wpa2-enterprise") && strcmp(s, "wpa3-enterprise"))
			diag_warning(v->d, &z->origin,
				     "zone '%s': wlan_security '%s' is below WPA2 or unknown; use "
				     "wpa2-enterprise or wpa3-enterprise (WLAN-7, C-14)",
				     z->name, s);
	} else if (z->wlan_security) {
		diag_error(v->d, &z->origin, "zone '%s': 'wlan_security' applies only to wlan zones",
			   z->name);
	}
}

struct iface_ref {
	const char *name;
	const struct zone *z;
	const struct origin *o;
};

static int iface_ref_cmp(const void *pa, const void *pb)
{
	const struct iface_ref *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	return c ? c : origin_cmp(a->o, b->o);
}

static void check_interfaces(struct vctx *v)
{
	struct iface_ref *refs;
	size_t n = 0, i, k;

	for (i = 0; i < v->p->n_zones; i++)
		n += v->p->zones[i]->n_ifaces;
	refs = calloc(n + 1, sizeof(*refs));
	if (!refs) {
		v->oom = 1;
		return;
	}
	n = 0;
	for (i = 0; i < v->p->n_zones; i++) {
		const struct zone *z = v->p->zones[i];

		for (k = 0; k < z->n_ifaces; k++)
			refs[n++] = (struct iface_ref){ z->ifaces[k], z, &z->iface_origin[k] };
	}
	qsort(refs, n, sizeof(*refs), iface_ref_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(refs[i].name, refs[i - 1].name))
			continue;
		if (refs[i].z == refs[i - 1].z)
			diag_error(v->d, refs[i].o, "zone '%s': interface '%s' is listed twice",
				   refs[i].z->name, refs[i].name);
		else
			diag_error(v->d, refs[i].o,
				   "zone '%s': interface '%s' is already in zone '%s' (%s:%d)",
				   refs[i].z->name, refs[i].name, refs[i - 1].z->name,
				   refs[i - 1].o->file, refs[i - 1].o->line);
	}
	free(refs);
}

struct net_ref {
	const struct prefix *n;
	const struct zone *z;
};

static int net_ref_cmp(const void *pa, const void *pb)
{
	const struct net_ref *a = pa, *b = pb;
	int c = prefix_cmp(a->n, b->n);

	return c ? c : strcmp(a->z->name, b->z->name);
}

/*
 * Overlapping networks in one sweep: sorted by start address (a covering
 * prefix first), a network overlaps an earlier one exactly when it starts
 * before the largest end seen so far in its family.
 */
static void check_networks(struct vctx *v)
{
	struct net_ref *refs, *widest = NULL;
	struct addr_range cur, wide;
	size_t n = 0, i, k;
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];

	for (i = 0; i < v->p->n_zones; i++)
		n += v->p->zones[i]->n_nets;
	refs = calloc(n + 1, sizeof(*refs));
	if (!refs) {
		v->oom = 1;
		return;
	}
	n = 0;
	for (i = 0; i < v->p->n_zones; i++)
		for (k = 0; k < v->p->zones[i]->n_nets; k++)
			refs[n++] = (struct net_ref){ &v->p->zones[i]->nets[k], v->p->zones[i] };
	qsort(refs, n, sizeof(*refs), net_ref_cmp);
	for (i = 0; i < n; i++) {
		range_from_prefix(refs[i].n, &cur);
		if (widest && widest->n->family == refs[i].n->family) {
			range_from_prefix(widest->n, &wide);
			if (memcmp(cur.lo, wide.hi, 16) <= 0) {
				pfx(refs[i].n, a);
				pfx(widest->n, b);
				if (widest->z == refs[i].z)
					diag_error(v->d, &refs[i].z->nets_origin,
						   "zone '%s': networks %s and %s overlap",
						   refs[i].z->name, b, a);
				else
					diag_error(v->d, &refs[i].z->nets_origin,
						   "zone '%s': network %s overlaps %s of zone '%s' (%s:%d)",
						   refs[i].z->name, a, b, widest->z->name,
						   widest->z->nets_origin.file,
						   widest->z->nets_origin.line);
			}
			if (memcmp(cur.hi, wide.hi, 16) <= 0)
				continue;
		}
		widest = &refs[i];
	}
	free(refs);
}

static bool zone_has_addr(const struct zone *z, const struct prefix *a)
{
	size_t i;

	for (i = 0; i < z->n_nets; i++)
		if (prefix_contains(&z->nets[i], a))
			return true;
	return false;
}

static void check_host(struct vctx *v, struct host *h)
{
	char a[PREFIX_STRLEN];

	if (h->addr4.family && !zone_has_addr(h->zone, &h->addr4)) {
		pfx(&h->addr4, a);
		diag_error(v->d, &h->origin, "host '%s': address %s is outside the networks of zone '%s'",
			   h->name, a, h->zone->name);
	}
	if (h->addr6.family && !zone_has_addr(h->zone, &h->addr6)) {
		pfx(&h->addr6, a);
		diag_error(v->d, &h->origin, "host '%s': address %s is outside the networks of zone '%s'",
			   h->name, a, h->zone->name);
	}
	if (h->zone->env == ENV_INTERNET && h->class == HC_CLIENT)
		diag_error(v->d, &h->origin,
			   "host '%s': only internet servers may be attached to the internet "
			   "environment, not client hosts (ZONE-12)",
			   h->name);
	if (policy_zone(v->p, h->name))
		diag_error(v->d, &h->origin,
			   "host '%s': a zone has the same name; hosts and zones share one name space",
			   h->name);
}

static void check_service(struct vctx *v, struct service *s)
{
	bool ports = false, bare = false, icmp = false;
	size_t i;

	for (i = 0; i < s->n_ports; i++) {
		const struct svc_port *sp = &s->ports[i];

		if (sp->proto == IPPROTO_ICMP || sp->proto == IPPROTO_ICMPV6)
			icmp = true;
		else if (sp->lo)
			ports = true;
		else
			bare = true;
	}
	if (ports + bare + icmp > 1)
		diag_error(v->d, &s->origin,
			   "service '%s': mixes ports, ICMP types and whole protocols; define one "
			   "service for each",
			   s->name);
	if (!s->envs && !s->infrastructure && !s->exception_only)
		diag_warning(v->d, &s->origin,
			     "service '%s': allowed in no environment ('envs'); every policy using "
			     "it needs an exception (SVC-1)",
			     s->name);
}

/* ---- exceptions -------------------------------------------------------- */

/* The same moment one calendar year later (29 February: 28 February). */
static int64_t one_year_after(int64_t t)
{
	char buf[32];
	int64_t r;
	int y;

	time_format(t, buf, sizeof(buf));
	y = atoi(buf);
	if (y >= 9999)
		return INT64_MAX;
	{
		char yy[16];

		snprintf(yy, sizeof(yy), "%04d", y + 1);
		memcpy(buf, yy, 4);
	}
	if (time_parse(buf, &r) == 0)
		return r;
	buf[9] = '8'; /* 02-29 -> 02-28 */
	return time_parse(buf, &r) == 0 ? r : t + 365 * DAY_SECONDS;
}

static void check_exception(struct vctx *v, struct exception *e)
{
	if (e->expires <= e->approved)
		diag_error(v->d, &e->origin, "exception '%s': expires before it was approved", e->id);
	else if (e->expires > one_year_after(e->approved))
		diag_error(v->d, &e->origin,
			   "exception '%s': lasts more than one year from its approval (C-22); "
			   "renew it with a new approval instead",
			   e->id);
}

/*
 * A policy broke a rule of the regulation: refused unless it names an
 * approved exception that is valid at v->now (OPS-8).
 */
static void breach(struct vctx *v, struct policy_rule *pr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void breach(struct vctx *v, struct policy_rule *pr, const char *fmt, ...)
{
	struct exception *e = pr->exception;
	char *msg = NULL, date[16];
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg) {
		v->oom = 1;
		return;
	}
	if (!e) {
		diag_error(v->d, &pr->origin, "%s; refused without an approved exception (OPS-8)",
			   msg);
	} else if ((e->expires <= v->now || e->approved > v->now) &&
		   (v->p->load_flags & CONF_DROP_LAPSED)) {
		if (!pr->dropped) {
			date_format(e->expires <= v->now ? e->expires : e->approved, date,
				    sizeof(date));
			diag_warning(v->d, &pr->origin,
				     "exception '%s' %s %s: the policy is left out (OPS-8, C-22)",
				     e->id, e->expires <= v->now ? "expired on" : "takes effect on",
				     date);
		}
		pr->dropped = true;
	} else if (e->expires <= v->now) {
		date_format(e->expires, date, sizeof(date));
		diag_error(v->d, &pr->origin, "%s; exception '%s' expired on %s (OPS-8, C-22)", msg,
			   e->id, date);
	} else if (e->approved > v->now) {
		date_format(e->approved, date, sizeof(date));
		diag_error(v->d, &pr->origin, "%s; exception '%s' takes effect only on %s (OPS-8)",
			   msg, e->id, date);
	} else {
		e->used = true;
		if (e->expires - v->now <= 14 * DAY_SECONDS && !pr->warned) {
			pr->warned = true;
			date_format(e->expires, date, sizeof(date));
			diag_warning(v->d, &pr->origin,
				     "exception '%s' expires on %s; renew it or remove the policy",
				     e->id, date);
		}
	}
	free(msg);
}

/* ---- policies ---------------------------------------------------------- */

/* A web service: TCP covering port 80 or 443 (PROXY-1, PROXY-2). */
static bool is_web(const struct service *s)
{
	size_t i;

	for (i = 0; i < s->n_ports; i++) {
		const struct svc_port *sp = &s->ports[i];

		if (sp->proto == IPPROTO_TCP && sp->lo &&
		    ((sp->lo <= 80 && sp->hi >= 80) || (sp->lo <= 443 && sp->hi >= 443)))
			return true;
	}
	return false;
}

static bool svc_allowed(const struct service *s, const struct zone *from, const struct zone *to,
			bool to_gw, enum env *ret_env)
{
	enum env e = from->env == ENV_INTERNET ? ENV_INTERNET : zone_service_env(from);

	*ret_env = e;
	if (s->envs & (1u << e))
		return true;
	/* SVC-2: infrastructure toward the server zone (or the gateway) from inside. */
	return s->infrastructure && e != ENV_INTERNET && (to_gw || (to && to->kind == ZK_SERVER));
}

static void resolve_hosts(struct vctx *v, struct policy_rule *pr, const char *ctx, char **names,
			  size_t n, struct host ***ret, const struct zone *z, const char *side)
{
	size_t i;

	*ret = arena_zalloc(v->p->arena, (n + 1) * sizeof(**ret));
	if (!*ret) {
		v->oom = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		struct host *h = find_host(v, &pr->origin, ctx, names[i]);

		(*ret)[i] = h;
		if (h && z && h->zone != z)
			diag_error(v->d, &pr->origin,
				   "%s: %s host '%s' is in zone '%s', not in '%s'", ctx, side,
				   names[i], h->zone->name, z->name);
	}
}

static void check_policy(struct vctx *v, struct policy_rule *pr)
{
	const struct settings *st = &v->p->settings;
	struct zone *from = pr->from;
	char ctx[128];
	size_t i;

	snprintf(ctx, sizeof(ctx), "zone '%s': policy to '%s'", from->name, pr->to_name);
	if (!strcmp(pr->to_name, GATEWAY_ZONE)) {
		pr->to_gateway = true;
	} else {
		pr->to = find_zone(v, &pr->origin, ctx, pr->to_name);
		if (!pr->to)
			return;
	}
	if (pr->to == from) {
		diag_error(v->d, &pr->origin, "%s: a zone needs no policy to itself", ctx);
		return;
	}
	if (from->wan || (pr->to && pr->to->wan)) {
		const struct zone *wz = from->wan ? from : pr->to;

		diag_error(v->d, &pr->origin,
			   "%s: zone '%s' is served by WAN link '%s'; its services are compiled "
			   "from that WAN record (WAN-11)",
			   ctx, wz->name, wz->wan->name);
		return;
	}
	if (pr->exception_id) {
		pr->exception = policy_exception(v->p, pr->exception_id);
		if (!pr->exception) {
			const char *hint;

			HINT(v, v->p->exceptions, v->p->n_exceptions, id, pr->exception_id, hint);
			unknown(v, &pr->origin, ctx, "exception", pr->exception_id, hint);
		}
	}
	pr->svc = arena_zalloc(v->p->arena, (pr->n_services + 1) * sizeof(*pr->svc));
	if (!pr->svc) {
		v->oom = 1;
		return;
	}
	for (i = 0; i < pr->n_services; i++)
		pr->svc[i] = find_service(v, &pr->origin, ctx, pr->services[i]);
	resolve_hosts(v, pr, ctx, pr->dests, pr->n_dests, &pr->dst, pr->to, "destination");
	resolve_hosts(v, pr, ctx, pr->sources, pr->n_sources, &pr->src, from, "source");
	if (v->oom)
		return;
	if (pr->to_gateway && pr->n_dests)
		diag_error(v->d, &pr->origin, "%s: 'to_hosts' does not apply to the gateway", ctx);

	if (pr->grants && from->kind != ZK_VPN)
		diag_error(v->d, &pr->origin,
			   "%s: 'grants' applies only to remote-access (vpn) zones (RA-4)", ctx);
	if (pr->grants && pr->via_proxy)
		diag_error(v->d, &pr->origin,
			   "%s: 'grants' and via \"proxy\" cannot be combined; grant the proxy "
			   "with a policy to the proxy's zone instead (RA-5)",
			   ctx);
	if (pr->via_proxy && st->proxy_host && st->proxy_host->zone == from)
		diag_error(v->d, &pr->origin,
			   "%s: zone '%s' holds the proxy itself; allow its hosts with from_hosts "
			   "instead of via \"proxy\" (PROXY-2)",
			   ctx, from->name);
	if (pr->via_proxy) {
		if (!pr->to || pr->to->kind != ZK_GLOBAL)
			diag_error(v->d, &pr->origin, "%s: via \"proxy\" applies only to policies "
						      "toward a global zone", ctx);
		else if (!st->proxy_host_name)
			diag_error(v->d, &pr->origin,
				   "%s: via \"proxy\" needs the 'proxy' section of the main config",
				   ctx);
		if (pr->n_dests)
			diag_error(v->d, &pr->origin,
				   "%s: 'to_hosts' cannot be combined with via \"proxy\"", ctx);
		for (i = 0; i < pr->n_services; i++)
			if (pr->svc[i] && !is_web(pr->svc[i]))
				diag_error(v->d, &pr->origin,
					   "%s: service '%s' is not a web service; only web "
					   "traffic goes via the proxy (PROXY-1, PROXY-3)",
					   ctx, pr->services[i]);
		return;
	}

	/* The regulation's rules; each is refused unless under an exception (OPS-8). */
	if (from->env != ENV_INTERNET && pr->to && pr->to->kind == ZK_GLOBAL)
		breach(v, pr,
		       "%s: internal zones reach the internet only through the proxy and the "
		       "internet servers in the DMZ (PROXY-1, PROXY-3); use via = \"proxy\" for web",
		       ctx);
	if (from->kind == ZK_GLOBAL && pr->to && pr->to->kind != ZK_DMZ)
		breach(v, pr,
		       "%s: connections from the internet may reach only DMZ services and the "
		       "remote-access endpoint (ZONE-11)",
		       ctx);
	if (pr->to && (pr->to->kind == ZK_FLOOR || pr->to->kind == ZK_WLAN)) {
		bool ok = pr->n_dests > 0;

		for (i = 0; i < pr->n_dests; i++)
			if (pr->dst[i] && (pr->dst[i]->class == HC_CLIENT ||
					   pr->dst[i]->class == HC_NETWORK ||
					   (pr->dst[i]->class == HC_SERVER &&
					    (!pr->dst[i]->approval || !*pr->dst[i]->approval))))
				ok = false;
		if (!ok)
			breach(v, pr,
			       "%s: hosts in user zones offer no services; only approved servers "
			       "(class \"server\" with an 'approval') and printers may be "
			       "destinations (ZONE-16, LANREQ-50)",
			       ctx);
	}
	for (i = 0; i < pr->n_services; i++) {
		const struct service *s = pr->svc[i];
		enum env e;

		if (!s)
			continue;
		if (pr->to_gateway && from->kind == ZK_GLOBAL) {
			if (!s->endpoint)
				breach(v, pr,
				       "%s: service '%s': from the internet the gateway offers only "
				       "its remote-access endpoint, services marked 'endpoint' "
				       "(ZONE-11, OPS-4)",
				       ctx, s->name);
		} else if (s->exception_only)
			breach(v, pr, "%s: service '%s' is allowed only under an exception (C-6)",
			       ctx, s->name);
		else if (!svc_allowed(s, from, pr->to, pr->to_gateway, &e))
			breach(v, pr,
			       "%s: service '%s' is not among the services the regulation allows in "
			       "the %s environment (SVC-1)",
			       ctx, s->name, env_name(e));
		/* PROXY-2: the proxy is the only web client toward the internet. */
		if (from->kind == ZK_DMZ && pr->to && pr->to->kind == ZK_GLOBAL && is_web(s) &&
		    (st->proxy_host || !st->proxy_host_name)) {
			bool only_proxy = pr->n_sources > 0;
			size_t k;

			for (k = 0; k < pr->n_sources; k++)
				if (pr->src[k] != st->proxy_host)
					only_proxy = false;
			if (!only_proxy)
				breach(v, pr,
				       "%s: service '%s': only the proxy host may be a web client "
				       "toward the internet (PROXY-2); set from_hosts = [\"%s\"]",
				       ctx, s->name,
				       st->proxy_host_name ? st->proxy_host_name : "proxy");
		}
	}
}

/* ---- settings, NAT, WAN ------------------------------------------------ */

static void check_settings(struct vctx *v)
{
	struct settings *st = &v->p->settings;
	bool need_snat = false;
	size_t i;

	if (st->proxy_host_name) {
		st->proxy_host = find_host(v, &st->proxy_host_origin, "proxy", st->proxy_host_name);
		if (st->proxy_host && st->proxy_host->zone->kind != ZK_DMZ)
			diag_error(v->d, &st->proxy_host_origin,
				   "proxy: host '%s' is in zone '%s'; the proxy is an internet "
				   "server in the DMZ (PROXY-2)",
				   st->proxy_host_name, st->proxy_host->zone->name);
		if (st->proxy_host && !st->proxy_host->addr4.family)
			diag_error(v->d, &st->proxy_host_origin, "proxy: host '%s' has no IPv4 address",
				   st->proxy_host_name);
	}
	/* LOG-16: the hosts the analysis treats as databases exist and have an address. */
	if (st->report.n_db_hosts) {
		st->report.db = arena_zalloc(v->p->arena,
					     st->report.n_db_hosts * sizeof(*st->report.db));
		if (!st->report.db)
			v->oom = 1;
		for (i = 0; st->report.db && i < st->report.n_db_hosts; i++)
			st->report.db[i] = find_host(v, &st->report.db_hosts_origin,
						     "log.report: db_hosts", st->report.db_hosts[i]);
	}
	if (st->proxy_service_name)
		st->proxy_service =
			find_service(v, &st->proxy_service_origin, "proxy", st->proxy_service_name);

	for (i = 0; i < v->p->n_zones; i++)
		if (v->p->zones[i]->kind == ZK_DMZ && v->p->zones[i]->dmz_mode == DMZ_NAT)
			need_snat = true;
	if (need_snat && !st->nat_address_text)
		diag_error(v->d, NULL,
			   "%s: a DMZ with dmz = \"nat\" needs nat.address, the gateway's global "
			   "address (NAT-1)",
			   v->p->main_file);
	if (st->nat_address_text && !prefix_is_global(&st->nat_address))
		diag_error(v->d, &st->nat_address_origin,
			   "nat: address %s is not a global address (NAT-1, NAT-2)",
			   st->nat_address_text);

	for (i = 0; i < v->p->n_publish; i++) {
		struct nat_publish *np = v->p->publish[i];
		char a[PREFIX_STRLEN];
		size_t k, j;

		np->host = find_host(v, &np->origin, "nat.publish", np->host_name);
		pfx(&np->global, a);
		if (np->host && (np->host->zone->kind != ZK_DMZ || np->host->zone->dmz_mode != DMZ_NAT))
			diag_error(v->d, &np->origin,
				   "nat.publish: host '%s' is not in a DMZ with dmz = \"nat\"; a "
				   "routed DMZ is published on its own addresses (NAT-3)",
				   np->host_name);
		if (np->host && !np->host->addr4.family)
			diag_error(v->d, &np->origin, "nat.publish: host '%s' has no IPv4 address",
				   np->host_name);
		if (!prefix_is_global(&np->global))
			diag_error(v->d, &np->origin,
				   "nat.publish: %s is not a global address (NAT-3)", a);
		np->svc = arena_zalloc(v->p->arena, (np->n_services + 1) * sizeof(*np->svc));
		if (!np->svc) {
			v->oom = 1;
			return;
		}
		for (k = 0; k < np->n_services; k++) {
			struct service *s = find_service(v, &np->origin, "nat.publish",
							 np->services[k]);

			np->svc[k] = s;
			if (s && !(s->envs & (1u << ENV_INTERNET)))
				diag_error(v->d, &np->origin,
					   "nat.publish: service '%s' is not among the internet "
					   "services the regulation allows (SVC-INET-*, ZONE-11)",
					   s->name);
			for (j = 0; s && j < s->n_ports; j++)
				if (!s->ports[j].lo)
					diag_error(v->d, &np->origin,
						   "nat.publish: service '%s' has no ports to publish",
						   s->name);
		}
	}
	/* Two publications of one global address and port would shadow each other. */
	for (i = 0; i < v->p->n_publish; i++) {
		size_t j, a, b, x, y;

		for (j = 0; j < i; j++) {
			const struct nat_publish *p1 = v->p->publish[i], *p2 = v->p->publish[j];

			if (prefix_cmp(&p1->global, &p2->global))
				continue;
			for (a = 0; a < p1->n_services; a++)
				for (b = 0; b < p2->n_services; b++) {
					const struct service *s1 = p1->svc[a], *s2 = p2->svc[b];

					for (x = 0; s1 && s2 && x < s1->n_ports; x++)
						for (y = 0; y < s2->n_ports; y++)
							if (s1->ports[x].proto == s2->ports[y].proto &&
							    s1->ports[x].lo <= s2->ports[y].hi &&
							    s2->ports[y].lo <= s1->ports[x].hi)
								diag_error(
									v->d, &p1->origin,
									"nat.publish: '%s' and '%s' "
									"publish the same port of the "
									"same address",
									p1->host_name, p2->host_name);
				}
		}
	}
}

/* A local scope name: a zone, or a host (then its zone). */
static bool wan_local_known(struct vctx *v, const struct wan_link *w, const char *name,
			    const struct origin *o, const char *ctx)
{
	struct zone *z = policy_zone(v->p, name);
	struct host *h = z ? NULL : policy_host(v->p, name);

	if (!z && !h) {
		const char *hz, *hh;

		HINT(v, v->p->zones, v->p->n_zones, name, name, hz);
		HINT(v, v->p->hosts, v->p->n_hosts, name, name, hh);
		if (hz || hh)
			diag_error(v->d, o, "%s: local '%s' is neither a zone nor a host (did you mean '%s'?)",
				   ctx, name, hh ? hh : hz);
		else
			diag_error(v->d, o, "%s: local '%s' is neither a zone nor a host", ctx, name);
		return false;
	}
	if (h) {
		/* ZONE-16: in a user zone only approved servers and printers serve others. */
		z = h->zone;
		if ((z->kind == ZK_FLOOR || z->kind == ZK_WLAN) &&
		    (h->class == HC_CLIENT || h->class == HC_NETWORK ||
		     (h->class == HC_SERVER && (!h->approval || !*h->approval)))) {
			diag_error(v->d, o,
				   "%s: local host '%s' in user zone '%s' is not an approved server "
				   "or a printer (ZONE-16, LANREQ-50)",
				   ctx, name, z->name);
			return false;
		}
	} else if (z->kind == ZK_FLOOR || z->kind == ZK_WLAN) {
		diag_error(v->d, o,
			   "%s: local '%s' is a whole user zone; only approved servers in it may "
			   "serve other sites (ZONE-16)",
			   ctx, name);
		return false;
	}
	if (z == w->zone || z->kind == ZK_GLOBAL || z->kind == ZK_VPN) {
		diag_error(v->d, o,
			   "%s: local '%s' must be a zone or host of this site, not %s (WAN-7, C-20)",
			   ctx, name, z == w->zone ? "the WAN zone itself" : "a global or vpn zone");
		return false;
	}
	return true;
}

static bool in_scope(struct vctx *v, const struct wan_link *w, const char *name)
{
	struct host *h = policy_host(v->p, name);
	size_t i;

	for (i = 0; i < w->n_scope_local; i++) {
		if (!strcmp(w->scope_local[i], name))
			return true;
		if (h && !strcmp(w->scope_local[i], h->zone->name))
			return true;
	}
	return false;
}

static void check_wan(struct vctx *v, struct wan_link *w)
{
	char ctx[96], a[PREFIX_STRLEN];
	size_t i, k;

	snprintf(ctx, sizeof(ctx), "WAN link '%s'", w->name);
	/*
	 * A link whose required fields failed to parse is kept (one run reports
	 * every mistake), so what it lacks was already reported: skip it here.
	 */
	if (w->zone_name)
		w->zone = find_zone(v, &w->zone_origin, ctx, w->zone_name);
	if (w->zone) {
		if (w->zone->kind != ZK_BRANCH && w->zone->kind != ZK_SUBSIDIARY &&
		    w->zone->kind != ZK_AFFILIATE)
			diag_error(v->d, &w->origin,
				   "%s: zone '%s' is a %s zone; WAN links reach branch, subsidiary "
				   "or affiliate zones (WAN-1)",
				   ctx, w->zone->name, zone_kind_name(w->zone->kind));
		else if (w->zone->wan)
			diag_error(v->d, &w->origin, "%s: zone '%s' is already served by WAN link '%s'",
				   ctx, w->zone->name, w->zone->wan->name);
		else
			w->zone->wan = w;
	}
	if (w->type == WAN_VPN && (!w->approval || !*w->approval))
		diag_error(v->d, &w->origin,
			   "%s: an internet VPN needs the committee's approval reference in "
			   "'approval' (WAN-2)",
			   ctx);
	if (w->type == WAN_LEASED && w->approval)
		diag_warning(v->d, &w->origin, "%s: 'approval' is only needed for type \"vpn\"", ctx);
	for (i = 0; i < w->n_scope_remote; i++) {
		pfx(&w->scope_remote[i], a);
		if (!prefix_is_private(&w->scope_remote[i]))
			diag_error(v->d, &w->origin,
				   "%s: scope.remote %s is not a private range (ZONE-4, ZONE-15)", ctx,
				   a);
		else if (w->scope_remote[i].family != AF_INET)
			diag_error(v->d, &w->origin,
				   "%s: scope.remote %s: WAN links carry IPv4 only for now (C-28)", ctx,
				   a);
		else if (w->zone && !zone_has_addr(w->zone, &w->scope_remote[i]))
			diag_error(v->d, &w->origin,
				   "%s: scope.remote %s is outside the networks of zone '%s'", ctx, a,
				   w->zone->name);
	}
	for (i = 0; i < w->n_scope_local; i++)
		wan_local_known(v, w, w->scope_local[i], &w->origin, ctx);
	for (i = 0; i < w->n_services; i++) {
		struct wan_service *ws = &w->services[i];

		if (!ws->service)
			continue; /* its missing name was reported by the parser */
		ws->svc = find_service(v, &ws->origin, ctx, ws->service);
		if (ws->svc && !(ws->svc->envs & (1u << ENV_WAN)) && !ws->svc->infrastructure)
			diag_error(v->d, &ws->origin,
				   "%s: service '%s' is not among the services the regulation allows "
				   "in the wan environment (SVC-1, SVC-WAN-*)",
				   ctx, ws->service);
		if (!ws->n_local)
			diag_error(v->d, &ws->origin, "%s: service '%s' has no 'local' targets", ctx,
				   ws->service);
		for (k = 0; k < ws->n_local; k++) {
			if (!wan_local_known(v, w, ws->local[k], &ws->origin, ctx))
				continue;
			/* A missing scope.local is reported once, not once per service. */
			if (w->n_scope_local && !in_scope(v, w, ws->local[k]))
				diag_error(v->d, &ws->origin,
					   "%s: service '%s' reaches '%s', which is outside "
					   "scope.local (WAN-7, WAN-11)",
					   ctx, ws->service, ws->local[k]);
		}
	}
}

static int prefix_qcmp(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

static int str_qcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int publish_cmp(const void *pa, const void *pb)
{
	const struct nat_publish *a = *(const struct nat_publish *const *)pa;
	const struct nat_publish *b = *(const struct nat_publish *const *)pb;
	int c = strcmp(a->host_name, b->host_name);

	return c ? c : prefix_cmp(&a->global, &b->global);
}

/*
 * Lists whose order carries no meaning are put in one order, so that the
 * base chains, which are not sorted by rule id, render the same bytes
 * whatever order the config wrote them in.
 */
static void canonical_order(struct policy *p)
{
	size_t i, k;

	for (i = 0; i < p->n_zones; i++) {
		struct zone *z = p->zones[i];

		/* interfaces and their origins travel together: sort by insertion */
		for (k = 1; k < z->n_ifaces; k++) {
			size_t j = k;

			while (j > 0 && strcmp(z->ifaces[j - 1], z->ifaces[j]) > 0) {
				char *t = z->ifaces[j];
				struct origin to = z->iface_origin[j];

				z->ifaces[j] = z->ifaces[j - 1];
				z->iface_origin[j] = z->iface_origin[j - 1];
				z->ifaces[j - 1] = t;
				z->iface_origin[j - 1] = to;
				j--;
			}
		}
		if (z->n_nets > 1)
			qsort(z->nets, z->n_nets, sizeof(*z->nets), prefix_qcmp);
	}
	if (p->n_publish > 1)
		qsort(p->publish, p->n_publish, sizeof(*p->publish), publish_cmp);
	for (i = 0; i < p->n_publish; i++)
		if (p->publish[i]->n_services > 1)
			qsort(p->publish[i]->services, p->publish[i]->n_services, sizeof(char *),
			      str_qcmp);
}

int conf_validate(struct policy *p, int64_t now, struct diag_list *d)
{
	struct vctx v = { .p = p, .d = d, .now = now };
	size_t before = d->errors, i;

	sort_zones(&v, p->zones, &p->n_zones, "zone");
	sort_services(&v, p->services, &p->n_services, "service");
	sort_hosts(&v, p->hosts, &p->n_hosts, "host");
	sort_exceptions(&v, p->exceptions, &p->n_exceptions, "exception");
	sort_wans(&v, p->wans, &p->n_wans, "WAN link");
	sort_people(&v, p->people, &p->n_people, "person");
	canonical_order(p);

	for (i = 0; i < p->n_zones; i++)
		check_zone(&v, p->zones[i]);
	check_interfaces(&v);
	check_networks(&v);
	for (i = 0; i < p->n_hosts; i++)
		check_host(&v, p->hosts[i]);
	for (i = 0; i < p->n_services; i++)
		check_service(&v, p->services[i]);
	for (i = 0; i < p->n_exceptions; i++)
		check_exception(&v, p->exceptions[i]);
	check_settings(&v);
	for (i = 0; i < p->n_wans; i++)
		check_wan(&v, p->wans[i]);
	if (p->n_rules > 1)
		qsort(p->rules, p->n_rules, sizeof(*p->rules), policy_origin_cmp);
	for (i = 0; i < p->n_rules && !v.oom; i++)
		check_policy(&v, p->rules[i]);
	{
		size_t n_global = 0;

		for (i = 0; i < p->n_zones; i++)
			n_global += p->zones[i]->kind == ZK_GLOBAL;
		if (n_global == 0 && p->n_zones)
			diag_warning(d, NULL,
				     "%s: no global zone: nothing connects to the internet",
				     p->main_file);
	}
	for (i = 0; i < p->n_exceptions; i++)
		if (!p->exceptions[i]->used && p->exceptions[i]->expires > now)
			diag_warning(d, &p->exceptions[i]->origin,
				     "exception '%s' is not used by any policy; remove it",
				     p->exceptions[i]->id);
	if (v.oom || d->oom)
		return -ENOMEM;
	return d->errors > before ? -EINVAL : 0;
}

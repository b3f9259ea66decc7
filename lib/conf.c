/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Config loader: libconfig syntax tree to the policy model. Every key is
 * checked against the keys its group allows (typos get a hint), every value
 * against its type; all problems are queued with file:line and parsing goes
 * on, skipping only the object that is wrong.
 */
#include "conf.h"

#include <errno.h>
#include <libconfig.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "syslog5424.h"
#include "util.h"

/* Parsing context of one file. */
struct ctx {
	struct policy *p;
	struct diag_list *d;
	const char *file; /* interned in p */
	int oom;
};

static struct origin at(const struct ctx *c, const config_setting_t *s)
{
	struct origin o = { .file = c->file, .line = s ? config_setting_source_line(s) : 0 };

	return o;
}

static int perr(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int perr(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	struct origin o = at(c, s);
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg) {
		c->oom = 1;
		return -ENOMEM;
	}
	diag_error(c->d, &o, "%s", msg);
	free(msg);
	return -EINVAL;
}

static char *cdup(struct ctx *c, const char *s)
{
	char *r = arena_strdup(c->p->arena, s);

	if (!r)
		c->oom = 1;
	return r;
}

/*
 * Refuses members of @g not in @keys, with a hint for near misses. Keys are
 * matched exactly (STYLE §4).
 */
static void check_keys(struct ctx *c, const config_setting_t *g, const char *what,
		       const char *const *keys, size_t n)
{
	int i, len = config_setting_length(g);
	size_t k;

	for (i = 0; i < len; i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(m);
		const char *hint;

		if (!name)
			continue;
		for (k = 0; k < n; k++)
			if (!strcmp(name, keys[k]))
				break;
		if (k < n)
			continue;
		hint = str_closest(name, keys, n);
		if (hint)
			perr(c, m, "%s: unknown key '%s' (did you mean '%s'?)", what, name, hint);
		else
			perr(c, m, "%s: unknown key '%s'", what, name);
	}
}

/* A string member; *@ret stays NULL when absent. Returns 0, or -EINVAL (queued). */
static int get_str(struct ctx *c, const config_setting_t *g, const char *what, const char *key,
		   bool required, char **ret)
{
	const config_setting_t *m = config_setting_get_member(g, key);

	*ret = NULL;
	if (!m) {
		if (required)
			return perr(c, g, "%s: '%s' is required", what, key);
		return 0;
	}
	if (config_setting_type(m) != CONFIG_TYPE_STRING)
		return perr(c, m, "%s: '%s' must be a string", what, key);
	if (required && !config_setting_get_string(m)[0])
		return perr(c, m, "%s: '%s' must not be empty", what, key);
	*ret = cdup(c, config_setting_get_string(m));
	return *ret ? 0 : -ENOMEM;
}

static int get_uint(struct ctx *c, const config_setting_t *g, const char *what, const char *key,
		    unsigned lo, unsigned hi, unsigned *ret)
{
	const config_setting_t *m = config_setting_get_member(g, key);
	long long v;

	if (!m)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_INT && config_setting_type(m) != CONFIG_TYPE_INT64)
		return perr(c, m, "%s: '%s' must be an integer", what, key);
	v = config_setting_get_int64(m);
	if (config_setting_type(m) == CONFIG_TYPE_INT)
		v = config_setting_get_int(m);
	if (v < lo || v > hi)
		return perr(c, m, "%s: '%s' is %lld, must be from %u to %u", what, key, v, lo, hi);
	*ret = (unsigned)v;
	return 0;
}

static int get_bool(struct ctx *c, const config_setting_t *g, const char *what, const char *key,
		    bool *ret)
{
	const config_setting_t *m = config_setting_get_member(g, key);

	if (!m)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_BOOL)
		return perr(c, m, "%s: '%s' must be true or false", what, key);
	*ret = config_setting_get_bool(m);
	return 0;
}

/*
 * A list of strings: [ "a", "b" ] or ( "a", "b" ), or one string. Elements
 * are appended to *@arr; @max limits the count. @m_out returns the setting.
 */
static int get_strs(struct ctx *c, const config_setting_t *g, const char *what, const char *key,
		    unsigned max, const char *limit, char ***arr, size_t *n, size_t *cap,
		    const config_setting_t **m_out)
{
	const config_setting_t *m = config_setting_get_member(g, key);
	int i, len;

	if (m_out)
		*m_out = m;
	if (!m)
		return 0;
	if (config_setting_type(m) == CONFIG_TYPE_STRING) {
		char **slot = ARENA_PUSH(c->p->arena, *arr, *n, *cap);

		if (!slot || !(*slot = cdup(c, config_setting_get_string(m))))
			return c->oom = 1, -ENOMEM;
		return 0;
	}
	if (!config_setting_is_aggregate(m) || config_setting_is_group(m))
		return perr(c, m, "%s: '%s' must be a string or a list of strings", what, key);
	len = config_setting_length(m);
	if ((unsigned)len > max) {
		perr(c, m, "%s: '%s' has %d entries, at most %u allowed%s%s%s", what, key, len, max,
		     limit ? " (" : "", limit ? limit : "", limit ? ")" : "");
		return -E2BIG;
	}
	for (i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(m, (unsigned)i);
		char **slot;

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			perr(c, e, "%s: every entry of '%s' must be a string", what, key);
			continue;
		}
		slot = ARENA_PUSH(c->p->arena, *arr, *n, *cap);
		if (!slot || !(*slot = cdup(c, config_setting_get_string(e))))
			return c->oom = 1, -ENOMEM;
	}
	return 0;
}

/* Parses a name and checks its form; @kind is "zone", "host", ... */
static int get_name(struct ctx *c, const config_setting_t *g, const char *what, char **ret)
{
	int r = get_str(c, g, what, "name", true, ret);

	if (r)
		return r;
	if (!str_is_name(*ret, 4096))
		return perr(c, config_setting_get_member(g, "name"),
			    "%s: name '%s' must be lower-case letters, digits and '-', and start "
			    "with a letter",
			    what, *ret);
	if (strlen(*ret) > c->p->limits.max_name)
		return perr(c, config_setting_get_member(g, "name"),
			    "%s: name '%s' is longer than %u characters (limits.max_name)", what,
			    *ret, c->p->limits.max_name);
	return 0;
}

static int parse_enum(struct ctx *c, const config_setting_t *g, const char *what, const char *key,
		      const char *const *names, size_t n, int *ret)
{
	const config_setting_t *m = config_setting_get_member(g, key);
	const char *v, *hint;
	size_t i;

	if (!m)
		return 1; /* absent: caller keeps its default */
	if (config_setting_type(m) != CONFIG_TYPE_STRING)
		return perr(c, m, "%s: '%s' must be a string", what, key);
	v = config_setting_get_string(m);
	for (i = 0; i < n; i++) {
		if (!strcmp(v, names[i])) {
			*ret = (int)i;
			return 0;
		}
	}
	hint = str_closest(v, names, n);
	if (hint)
		return perr(c, m, "%s: %s '%s' is not known (did you mean '%s'?)", what, key, v,
			    hint);
	return perr(c, m, "%s: %s '%s' is not known", what, key, v);
}

/* ---- services ---------------------------------------------------------- */

static int proto_number(const char *s, uint8_t *ret)
{
	static const struct {
		const char *name;
		uint8_t num;
	} protos[] = {
		{ "tcp", IPPROTO_TCP },   { "udp", IPPROTO_UDP },   { "sctp", IPPROTO_SCTP },
		{ "icmp", IPPROTO_ICMP }, { "icmpv6", IPPROTO_ICMPV6 }, { "gre", IPPROTO_GRE },
		{ "esp", IPPROTO_ESP },   { "ah", IPPROTO_AH },
	};
	char *end;
	long v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		if (!strcmp(s, protos[i].name)) {
			*ret = protos[i].num;
			return 0;
		}
	}
	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	v = strtol(s, &end, 10);
	if (*end || v < 1 || v > 255)
		return -EINVAL;
	*ret = (uint8_t)v;
	return 0;
}

static const struct {
	const char *name;
	int v4, v6;
} icmp_types[] = {
	{ "echo-request", 8, 128 },
	{ "echo-reply", 0, 129 },
	{ "destination-unreachable", 3, 1 },
	{ "time-exceeded", 11, 3 },
	{ "parameter-problem", 12, 4 },
	{ "packet-too-big", -1, 2 },
	{ "nd-neighbor-solicit", -1, 135 },
	{ "nd-neighbor-advert", -1, 136 },
	{ "nd-router-solicit", -1, 133 },
	{ "nd-router-advert", -1, 134 },
};

static int parse_port_num(const char *s, uint16_t *ret)
{
	char *end;
	long v;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	v = strtol(s, &end, 10);
	if (*end || v < 1 || v > 65535)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

/*
 * "tcp/443", "udp/6000-6010", "icmp/echo-request", "gre", "47". Returns 0 or
 * -EINVAL with *@why set to the reason.
 */
static int parse_port_spec(const char *spec, struct svc_port *ret, const char **why)
{
	char buf[64], *slash, *dash;
	struct svc_port sp = { .icmp_type = -1 };
	size_t i;

	if (strlen(spec) >= sizeof(buf))
		return *why = "too long", -EINVAL;
	strcpy(buf, spec);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (proto_number(buf, &sp.proto))
		return *why = "unknown protocol (use tcp, udp, sctp, icmp, icmpv6, gre, esp, ah "
			      "or a number 1-255)",
		       -EINVAL;
	if (!slash) {
		*ret = sp;
		return 0;
	}
	if (sp.proto == IPPROTO_ICMP || sp.proto == IPPROTO_ICMPV6) {
		for (i = 0; i < ARRAY_SIZE(icmp_types); i++) {
			int t = sp.proto == IPPROTO_ICMP ? icmp_types[i].v4 : icmp_types[i].v6;

			if (!strcmp(slash, icmp_types[i].name) && t >= 0) {
				sp.icmp_type = t;
				*ret = sp;
				return 0;
			}
		}
		return *why = "unknown ICMP type", -EINVAL;
	}
	if (sp.proto != IPPROTO_TCP && sp.proto != IPPROTO_UDP && sp.proto != IPPROTO_SCTP)
		return *why = "only tcp, udp and sctp have ports", -EINVAL;
	dash = strchr(slash, '-');
	if (dash)
		*dash++ = '\0';
	if (parse_port_num(slash, &sp.lo) || (dash && parse_port_num(dash, &sp.hi)))
		return *why = "a port is a number from 1 to 65535", -EINVAL;
	if (!dash)
		sp.hi = sp.lo;
	if (sp.hi < sp.lo)
		return *why = "port range is reversed", -EINVAL;
	*ret = sp;
	return 0;
}

static const char *const env_names[] = { "internet", "lan", "wan", "remote" };

static int parse_service(struct ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = { "name",	    "description",    "ports",
					    "envs",	    "infrastructure", "plaintext",
					    "exception_only", "endpoint",      "requirements" };
	struct service *s, **slot;
	const config_setting_t *m;
	char **tmp = NULL, *what;
	size_t n = 0, cap = 0, i, k;
	int r = 0, rr;

	if (!config_setting_is_group(g))
		return perr(c, g, "services: each entry must be a group { name = ...; ports = ...; }");
	s = arena_zalloc(c->p->arena, sizeof(*s));
	if (!s)
		return c->oom = 1, -ENOMEM;
	s->origin = at(c, g);
	if (get_name(c, g, "service", &s->name))
		return -EINVAL;
	what = arena_printf(c->p->arena, "service '%s'", s->name);
	if (!what)
		return c->oom = 1, -ENOMEM;
	check_keys(c, g, what, keys, ARRAY_SIZE(keys));
	r |= get_str(c, g, what, "description", false, &s->description);
	rr = get_strs(c, g, what, "ports", c->p->limits.max_ports, "limits.max_ports", &tmp, &n,
		      &cap, &m);
	r |= rr;
	if (!m)
		r |= perr(c, g, "%s: 'ports' is required", what);
	else if (n == 0 && !rr)
		r |= perr(c, m, "%s: 'ports' must not be empty", what);
	for (i = 0; i < n; i++) {
		struct svc_port sp, *ps;
		const char *why = NULL;

		if (parse_port_spec(tmp[i], &sp, &why)) {
			r |= perr(c, m, "%s: port '%s': %s", what, tmp[i], why);
			continue;
		}
		ps = ARENA_PUSH(c->p->arena, s->ports, s->n_ports, s->cap_ports);
		if (!ps)
			return c->oom = 1, -ENOMEM;
		*ps = sp;
	}
	tmp = NULL;
	n = cap = 0;
	r |= get_strs(c, g, what, "envs", ENV__COUNT, NULL, &tmp, &n, &cap, &m);
	for (i = 0; i < n; i++) {
		for (k = 0; k < ENV__COUNT; k++)
			if (!strcmp(tmp[i], env_names[k]))
				break;
		if (k == ENV__COUNT)
			r |= perr(c, m, "%s: environment '%s' is not one of internet, lan, wan, "
					"remote (ZONE-1)",
				  what, tmp[i]);
		else
			s->envs |= 1u << k;
	}
	r |= get_bool(c, g, what, "infrastructure", &s->infrastructure);
	r |= get_bool(c, g, what, "plaintext", &s->plaintext);
	r |= get_bool(c, g, what, "exception_only", &s->exception_only);
	r |= get_bool(c, g, what, "endpoint", &s->endpoint);
	r |= get_strs(c, g, what, "requirements", 32, NULL, &s->reqs, &s->n_reqs, &s->cap_reqs,
		      NULL);
	if (c->oom)
		return -ENOMEM;
	if (c->p->n_services >= c->p->limits.max_services)
		return perr(c, g, "%s: more than %u services (limits.max_services)", what,
			    c->p->limits.max_services);
	slot = ARENA_PUSH(c->p->arena, c->p->services, c->p->n_services, c->p->cap_services);
	if (!slot)
		return c->oom = 1, -ENOMEM;
	*slot = s;
	return r ? -EINVAL : 0;
}

/* ---- hosts and zones --------------------------------------------------- */

static int parse_host(struct ctx *c, struct zone *z, const config_setting_t *g)
{
	static const char *const keys[] = { "name",  "description", "address", "address6",
					    "class", "approval" };
	static const char *const classes[] = { "server", "printer", "network", "client" };
	struct host *h, **slot;
	char *what, *a4 = NULL, *a6 = NULL;
	int r = 0, cls = HC_SERVER;

	if (!config_setting_is_group(g))
		return perr(c, g, "hosts: each entry must be a group { name = ...; address = ...; }");
	h = arena_zalloc(c->p->arena, sizeof(*h));
	if (!h)
		return c->oom = 1, -ENOMEM;
	h->origin = at(c, g);
	h->zone = z;
	if (get_name(c, g, "host", &h->name))
		return -EINVAL;
	what = arena_printf(c->p->arena, "host '%s'", h->name);
	if (!what)
		return c->oom = 1, -ENOMEM;
	check_keys(c, g, what, keys, ARRAY_SIZE(keys));
	r |= get_str(c, g, what, "description", false, &h->description);
	r |= get_str(c, g, what, "approval", false, &h->approval);
	r |= get_str(c, g, what, "address", false, &a4);
	r |= get_str(c, g, what, "address6", false, &a6);
	if (parse_enum(c, g, what, "class", classes, ARRAY_SIZE(classes), &cls) < 0)
		r = -EINVAL;
	h->class = (enum host_class)cls;
	if (a4 && (prefix_parse(a4, &h->addr4) || h->addr4.family != AF_INET))
		r |= perr(c, config_setting_get_member(g, "address"),
			  "%s: '%s' is not an IPv4 address or prefix", what, a4);
	if (a6 && (prefix_parse(a6, &h->addr6) || h->addr6.family != AF_INET6))
		r |= perr(c, config_setting_get_member(g, "address6"),
			  "%s: '%s' is not an IPv6 address or prefix", what, a6);
	if (!a4 && !a6)
		r |= perr(c, g, "%s: 'address' or 'address6' is required", what);
	if (c->oom)
		return -ENOMEM;
	if (c->p->n_hosts >= c->p->limits.max_hosts)
		return perr(c, g, "%s: more than %u hosts (limits.max_hosts)", what,
			    c->p->limits.max_hosts);
	slot = ARENA_PUSH(c->p->arena, c->p->hosts, c->p->n_hosts, c->p->cap_hosts);
	if (!slot)
		return c->oom = 1, -ENOMEM;
	*slot = h;
	return r ? -EINVAL : 0;
}

static int parse_policy(struct ctx *c, struct zone *z, const config_setting_t *g, unsigned idx)
{
	static const char *const keys[] = { "to",	 "services", "to_hosts",  "from_hosts",
					    "via",	 "grants",   "exception", "description" };
	const struct limits *L = &c->p->limits;
	struct policy_rule *pr, **slot;
	char *what, *via = NULL;
	int r = 0, rr;

	if (!config_setting_is_group(g))
		return perr(c, g, "zone '%s': each policy must be a group { to = ...; services = ...; }",
			    z->name);
	pr = arena_zalloc(c->p->arena, sizeof(*pr));
	if (!pr)
		return c->oom = 1, -ENOMEM;
	pr->origin = at(c, g);
	pr->from = z;
	what = arena_printf(c->p->arena, "zone '%s': policy %u", z->name, idx + 1);
	if (!what)
		return c->oom = 1, -ENOMEM;
	check_keys(c, g, what, keys, ARRAY_SIZE(keys));
	r |= get_str(c, g, what, "to", true, &pr->to_name);
	rr = get_strs(c, g, what, "services", L->max_rule_services, "limits.max_rule_services",
		      &pr->services, &pr->n_services, &pr->cap_services, NULL);
	r |= rr;
	if (!config_setting_get_member(g, "services"))
		r |= perr(c, g, "%s: 'services' is required", what);
	else if (pr->n_services == 0 && !rr)
		r |= perr(c, config_setting_get_member(g, "services"),
			  "%s: 'services' must not be empty", what);
	r |= get_strs(c, g, what, "to_hosts", L->max_rule_hosts, "limits.max_rule_hosts",
		      &pr->dests, &pr->n_dests,
		      &pr->cap_dests, NULL);
	r |= get_strs(c, g, what, "from_hosts", L->max_rule_hosts, "limits.max_rule_hosts",
		      &pr->sources, &pr->n_sources,
		      &pr->cap_sources, NULL);
	r |= get_str(c, g, what, "via", false, &via);
	if (via && strcmp(via, "proxy"))
		r |= perr(c, config_setting_get_member(g, "via"),
			  "%s: via '%s' is not known (the only value is 'proxy')", what, via);
	pr->via_proxy = via != NULL;
	r |= get_bool(c, g, what, "grants", &pr->grants);
	r |= get_str(c, g, what, "exception", false, &pr->exception_id);
	r |= get_str(c, g, what, "description", false, &pr->description);
	if (c->oom)
		return -ENOMEM;
	if (r)
		return -EINVAL;
	if (c->p->n_rules >= L->max_policies)
		return perr(c, g, "%s: more than %u policies (limits.max_policies)", what,
			    L->max_policies);
	pr->seq = c->p->n_rules;
	slot = ARENA_PUSH(c->p->arena, c->p->rules, c->p->n_rules, c->p->cap_rules);
	if (!slot)
		return c->oom = 1, -ENOMEM;
	*slot = pr;
	return 0;
}

/* "10.11.0.100-10.11.0.199": an inclusive IPv4 range, low <= high. */
static int parse_pool(const char *s, struct addr_range *ret)
{
	struct prefix lo, hi;
	char buf[64];
	const char *dash = strchr(s, '-');

	if (!dash || (size_t)(dash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, (size_t)(dash - s));
	buf[dash - s] = 0;
	if (prefix_parse(buf, &lo) || prefix_parse(dash + 1, &hi) || lo.family != AF_INET ||
	    hi.family != AF_INET || lo.len != 32 || hi.len != 32 || memcmp(lo.a, hi.a, 4) > 0)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	ret->family = AF_INET;
	memcpy(ret->lo, lo.a, 4);
	memcpy(ret->hi, hi.a, 4);
	return 0;
}

static int parse_zone(struct ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = { "name",	     "kind",	 "env",		"description",
					    "interfaces",    "networks", "admission",	"dmz",
					    "wlan_security", "location", "equipment",	"administrator",
					    "hosts",	     "policies", "pool",	"hostname" };
	static const char *const kinds[] = { "global", "dmz",	     "server",	  "floor", "wlan",
					     "branch", "subsidiary", "affiliate", "vpn" };
	static const char *const admissions[] = { "open", "registered" };
	static const char *const dmz_modes[] = { "nat", "routed" };
	const struct limits *L = &c->p->limits;
	const config_setting_t *m, *list;
	char **nets = NULL, *what;
	size_t n_nets = 0, cap_nets = 0, i;
	struct zone *z, **slot;
	int r = 0, v, rr;

	if (!config_setting_is_group(g))
		return perr(c, g, "'zone' must be a group { name = ...; kind = ...; }");
	z = arena_zalloc(c->p->arena, sizeof(*z));
	if (!z)
		return c->oom = 1, -ENOMEM;
	z->origin = at(c, g);
	if (get_name(c, g, "zone", &z->name))
		return -EINVAL;
	if (!strcmp(z->name, GATEWAY_ZONE))
		return perr(c, config_setting_get_member(g, "name"),
			    "zone name '%s' is reserved for the gateway itself", GATEWAY_ZONE);
	what = arena_printf(c->p->arena, "zone '%s'", z->name);
	if (!what)
		return c->oom = 1, -ENOMEM;
	check_keys(c, g, what, keys, ARRAY_SIZE(keys));

	v = -1;
	if (parse_enum(c, g, what, "kind", kinds, ARRAY_SIZE(kinds), &v) > 0)
		r |= perr(c, g, "%s: 'kind' is required (one of global, dmz, server, floor, wlan, "
				"branch, subsidiary, affiliate, vpn)",
			  what);
	else if (v < 0)
		r = -EINVAL;
	z->kind = v < 0 ? ZK_FLOOR : (enum zone_kind)v;
	z->env = zone_kind_env(z->kind);
	v = (int)z->env;
	if (parse_enum(c, g, what, "env", env_names, ARRAY_SIZE(env_names), &v) < 0)
		r = -EINVAL;
	z->env = (enum env)v;
	v = ADMIT_OPEN;
	if (parse_enum(c, g, what, "admission", admissions, ARRAY_SIZE(admissions), &v) < 0)
		r = -EINVAL;
	z->admission = (enum admission)v;
	v = DMZ_NAT;
	if (parse_enum(c, g, what, "dmz", dmz_modes, ARRAY_SIZE(dmz_modes), &v) < 0)
		r = -EINVAL;
	z->dmz_mode = (enum dmz_mode)v;
	if (config_setting_get_member(g, "dmz") && z->kind != ZK_DMZ)
		r |= perr(c, config_setting_get_member(g, "dmz"),
			  "%s: 'dmz' applies only to zones of kind dmz", what);
	r |= get_str(c, g, what, "description", false, &z->description);
	r |= get_str(c, g, what, "wlan_security", false, &z->wlan_security);
	r |= get_str(c, g, what, "location", false, &z->location);
	r |= get_str(c, g, what, "equipment", false, &z->equipment);
	r |= get_str(c, g, what, "administrator", false, &z->administrator);
	r |= get_str(c, g, what, "hostname", false, &z->hostname_pattern);
	if ((m = config_setting_get_member(g, "pool"))) {
		const char *pool = config_setting_get_string(m);

		z->pool_origin = at(c, m);
		if (!pool || parse_pool(pool, &z->pool))
			r |= perr(c, m, "%s: pool must be an IPv4 range like "
					"\"10.11.0.100-10.11.0.199\" (LANREQ-22)",
				  what);
	}

	rr = get_strs(c, g, what, "interfaces", L->max_interfaces, "limits.max_interfaces",
		      &z->ifaces, &z->n_ifaces, &z->cap_ifaces, &m);
	r |= rr;
	if (!m)
		r |= perr(c, g, "%s: 'interfaces' is required", what);
	else if (z->n_ifaces == 0 && !rr)
		r |= perr(c, m, "%s: 'interfaces' must not be empty", what);
	z->iface_origin = arena_zalloc(c->p->arena, (z->n_ifaces + 1) * sizeof(struct origin));
	if (!z->iface_origin)
		return c->oom = 1, -ENOMEM;
	for (i = 0; i < z->n_ifaces; i++) {
		const char *ifn = z->ifaces[i];
		size_t k, len = strlen(ifn);

		z->iface_origin[i] = at(c, m);
		for (k = 0; k < len; k++)
			if (ifn[k] == '/' || ifn[k] == '"' || ifn[k] == '*' || ifn[k] <= ' ' ||
			    ifn[k] == '\\' || (unsigned char)ifn[k] >= 127)
				break;
		if (len == 0 || len > IFNAME_MAX || k < len || !strcmp(ifn, ".") ||
		    !strcmp(ifn, ".."))
			r |= perr(c, m, "%s: '%s' is not a valid interface name (1-%d characters, "
					"no '/', blanks, quotes or '*')",
				  what, ifn, IFNAME_MAX);
	}

	rr = get_strs(c, g, what, "networks", L->max_networks, "limits.max_networks", &nets,
		      &n_nets, &cap_nets, &m);
	r |= rr;
	z->nets_origin = m ? at(c, m) : z->origin;
	if (!m)
		r |= perr(c, g, "%s: 'networks' is required", what);
	else if (n_nets == 0 && !rr && config_setting_is_aggregate(m))
		r |= perr(c, m, "%s: 'networks' must not be empty", what);
	for (i = 0; i < n_nets; i++) {
		struct prefix pf, *slotp;

		if (prefix_parse(nets[i], &pf)) {
			r |= perr(c, m, "%s: '%s' is not a valid network (CIDR like 10.1.0.0/24; "
					"host bits must be zero)",
				  what, nets[i]);
			continue;
		}
		slotp = ARENA_PUSH(c->p->arena, z->nets, z->n_nets, z->cap_nets);
		if (!slotp)
			return c->oom = 1, -ENOMEM;
		*slotp = pf;
	}
	if (c->oom)
		return -ENOMEM;
	if (c->p->n_zones >= L->max_zones)
		return perr(c, g, "%s: more than %u zones (limits.max_zones)", what, L->max_zones);
	slot = ARENA_PUSH(c->p->arena, c->p->zones, c->p->n_zones, c->p->cap_zones);
	if (!slot)
		return c->oom = 1, -ENOMEM;
	*slot = z;

	list = config_setting_get_member(g, "hosts");
	if (list && (!config_setting_is_list(list) && !config_setting_is_array(list)))
		r |= perr(c, list, "%s: 'hosts' must be a list ( { ... }, ... )", what);
	else if (list)
		for (i = 0; i < (size_t)config_setting_length(list); i++)
			if (parse_host(c, z, config_setting_get_elem(list, (unsigned)i)) == -ENOMEM)
				return -ENOMEM;

	list = config_setting_get_member(g, "policies");
	if (list && (!config_setting_is_list(list) && !config_setting_is_array(list)))
		r |= perr(c, list, "%s: 'policies' must be a list ( { ... }, ... )", what);
	else if (list)
		for (i = 0; i < (size_t)config_setting_length(list); i++)
			if (parse_policy(c, z, config_setting_get_elem(list, (unsigned)i),
					 (unsigned)i) == -ENOMEM)
				return -ENOMEM;
	return r ? -EINVAL : 0;
}

/* ---- main file sections ------------------------------------------------ */

static int parse_limits(struct ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = { "max_zones",	 "max_interfaces",    "max_networks",
					    "max_hosts",	 "max_services",      "max_ports",
					    "max_policies",	 "max_rules",	      "max_rule_services",
					    "max_rule_hosts",	 "max_name",	      "max_exceptions",
					    "max_wan" };
	struct limits *L = &c->p->limits;
	int r = 0;

	if (!config_setting_is_group(g))
		return perr(c, g, "'limits' must be a group");
	check_keys(c, g, "limits", keys, ARRAY_SIZE(keys));
	r |= get_uint(c, g, "limits", "max_zones", 1, 4096, &L->max_zones);
	r |= get_uint(c, g, "limits", "max_interfaces", 1, 1024, &L->max_interfaces);
	r |= get_uint(c, g, "limits", "max_networks", 1, 4096, &L->max_networks);
	r |= get_uint(c, g, "limits", "max_hosts", 1, 1000000, &L->max_hosts);
	r |= get_uint(c, g, "limits", "max_services", 1, 65536, &L->max_services);
	r |= get_uint(c, g, "limits", "max_ports", 1, 1024, &L->max_ports);
	r |= get_uint(c, g, "limits", "max_policies", 1, 1000000, &L->max_policies);
	r |= get_uint(c, g, "limits", "max_rules", 1, 1000000, &L->max_rules);
	r |= get_uint(c, g, "limits", "max_rule_services", 1, 1024, &L->max_rule_services);
	r |= get_uint(c, g, "limits", "max_rule_hosts", 1, 65536, &L->max_rule_hosts);
	r |= get_uint(c, g, "limits", "max_name", 1, NAME_MAX_CEILING, &L->max_name);
	r |= get_uint(c, g, "limits", "max_exceptions", 1, 65536, &L->max_exceptions);
	r |= get_uint(c, g, "limits", "max_wan", 1, 4096, &L->max_wan);
	return r ? -EINVAL : 0;
}

static int parse_exception(struct ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = { "id",     "approved_by", "reference", "reason",
					    "approved", "expires" };
	struct exception *e, **slot;
	char *approved = NULL, *expires = NULL, *what;
	int r = 0;

	if (!config_setting_is_group(g))
		return perr(c, g, "exceptions: each entry must be a group { id = ...; ... }");
	e = arena_zalloc(c->p->arena, sizeof(*e));
	if (!e)
		return c->oom = 1, -ENOMEM;
	e->origin = at(c, g);
	if (get_str(c, g, "exception", "id", true, &e->id))
		return -EINVAL;
	what = arena_printf(c->p->arena, "exception '%s'", e->id);
	if (!what)
		return c->oom = 1, -ENOMEM;
	check_keys(c, g, what, keys, ARRAY_SIZE(keys));
	r |= get_str(c, g, what, "approved_by", true, &e->approved_by);
	r |= get_str(c, g, what, "reference", true, &e->reference);
	r |= get_str(c, g, what, "reason", true, &e->reason);
	r |= get_str(c, g, what, "approved", true, &approved);
	r |= get_str(c, g, what, "expires", true, &expires);
	if (approved && time_parse(approved, &e->approved))
		r |= perr(c, config_setting_get_member(g, "approved"),
			  "%s: '%s' is not a date (YYYY-MM-DD or RFC 3339)", what, approved);
	if (expires && time_parse(expires, &e->expires))
		r |= perr(c, config_setting_get_member(g, "expires"),
			  "%s: '%s' is not a date (YYYY-MM-DD or RFC 3339)", what, expires);
	if (c->oom)
		return -ENOMEM;
	if (r)
		return -EINVAL;
	if (c->p->n_exceptions >= c->p->limits.max_exceptions)
		return perr(c, g, "%s: more than %u exceptions (limits.max_exceptions)", what,
			    c->p->limits.max_exceptions);
	slot = ARENA_PUSH(c->p->arena, c->p->exceptions, c->p->n_exceptions, c->p->cap_exceptions);
	if (!slot)
		return c->oom = 1, -ENOMEM;
	*slot = e;
	return 0;
}

static int parse_publish(struct ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = { "host", "address", "services" };
	struct nat_publish *np, **slot;
	char *addr = NULL;
	int r = 0;

	if (!config_setting_is_group(g))
		return perr(c, g, "nat.publish: each entry must be a group { host = ...; ... }");
	np = arena_zalloc(c->p->arena, sizeof(*np));
	if (!np)
		return c->oom = 1, -ENOMEM;
	np->origin = at(c, g);
	check_keys(c, g, "nat.publish", keys, ARRAY_SIZE(keys));
	r |= get_str(c, g, "nat.publish", "host", true, &np->host_name);
	r |= get_str(c, g, "nat.publish", "address", true, &addr);
	if (addr && (prefix_parse(addr, &np->global) || np->global.family != AF_INET ||
		     np->global.len != 32))
		r |= perr(c, config_setting_get_member(g, "address"),
			  "nat.publish: '%s' is not an IPv4 address", addr);
	r |= get_strs(c, g, "nat.publish", "services", c->p->limits.max_rule_services,
		      "limits.max_rule_services",
		      &np->services, &np->n_services, &np->cap_services, NULL);
	if (!np->n_services && !r)
		r |= perr(c, g, "nat.publish: 'services' is required");
	if (c->oom)
		return -ENOMEM;
	if (r)
		return -EINVAL;
	slot = ARENA_PUSH(c->p->arena, c->p->publish, c->p->n_publish, c->p->cap_publish);
	if (!slot)
		return c->oom = 1, -ENOMEM;
	*slot = np;
	return 0;
}

static int parse_nat(struct ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = { "address", "publish" };
	struct settings *st = &c->p->settings;
	const config_setting_t *list;
	int r = 0, i;

	if (!config_setting_is_group(g))
		return perr(c, g, "'nat' must be a group");
	check_keys(c, g, "nat", keys, ARRAY_SIZE(keys));
	st->nat_origin = at(c, g);
	r |= get_str(c, g, "nat", "address", false, &st->nat_address_text);
	st->nat_address_origin = at(c, config_setting_get_member(g, "address"));
	if (st->nat_address_text &&
	    (prefix_parse(st->nat_address_text, &st->nat_address) ||
	     st->nat_address.family != AF_INET || st->nat_address.len != 32))
		r |= perr(c, config_setting_get_member(g, "address"),
			  "nat: '%s' is not an IPv4 address", st->nat_address_text);
	list = config_setting_get_member(g, "publish");
	if (list && !config_setting_is_list(list))
		return perr(c, list, "nat: 'publish' must be a list ( { ... }, ... )");
	for (i = 0; list && i < config_setting_length(list); i++)
		if (parse_publish(c, config_setting_get_elem(list, (unsigned)i)) == -ENOMEM)
			return -ENOMEM;
	return r ? -EINVAL : 0;
}

static int parse_proxy(struct ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = { "host", "service" };
	struct settings *st = &c->p->settings;
	int r = 0;

	if (!config_setting_is_group(g))
		return perr(c, g, "'proxy' must be a group { host = ...; service = ...; }");
	check_keys(c, g, "proxy", keys, ARRAY_SIZE(keys));
	st->proxy_origin = at(c, g);
	r |= get_str(c, g, "proxy", "host", true, &st->proxy_host_name);
	r |= get_str(c, g, "proxy", "service", true, &st->proxy_service_name);
	st->proxy_host_origin = config_setting_get_member(g, "host")
					? at(c, config_setting_get_member(g, "host"))
					: st->proxy_origin;
	st->proxy_service_origin = config_setting_get_member(g, "service")
					   ? at(c, config_setting_get_member(g, "service"))
					   : st->proxy_origin;
	return r ? -EINVAL : 0;
}

/* An optional string member that must not be empty when given. */
static int get_str_opt(struct ctx *c, const config_setting_t *g, const char *what,
		       const char *key, char **ret)
{
	int r = get_str(c, g, what, key, false, ret);

	if (r == 0 && *ret && !(*ret)[0])
		return perr(c, config_setting_get_member(g, key), "%s: '%s' must not be empty",
			    what, key);
	return r;
}

/* log.forward (LOG-9): where and how the firewall log goes to the log server. */
static int parse_log_forward(struct ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = { "server", "port", "tls", "ca", "cert",
					    "key", "hostname", "facility" };
	static const char *const what = "log.forward";
	struct log_forward *f = &c->p->settings.log_forward;
	const config_setting_t *m;
	char *fac = NULL;
	int r = 0;

	if (!config_setting_is_group(g))
		return perr(c, g, "'log.forward' must be a group { server = \"HOST\"; ... }");
	check_keys(c, g, what, keys, ARRAY_SIZE(keys));
	f->origin = at(c, g);
	r |= get_str(c, g, what, "server", true, &f->server);
	if (f->server && strpbrk(f->server, " \t/"))
		r |= perr(c, config_setting_get_member(g, "server"),
			  "%s: server '%s' is not a host name or address", what, f->server);
	r |= get_uint(c, g, what, "port", 1, 65535, &f->port);
	r |= get_bool(c, g, what, "tls", &f->tls);
	r |= get_str_opt(c, g, what, "ca", &f->ca);
	r |= get_str_opt(c, g, what, "cert", &f->cert);
	r |= get_str_opt(c, g, what, "key", &f->key);
	r |= get_str_opt(c, g, what, "hostname", &f->hostname);
	r |= get_str_opt(c, g, what, "facility", &fac);
	if (!f->tls && (f->ca || f->cert || f->key))
		r |= perr(c, config_setting_get_member(g, f->ca ? "ca" : f->cert ? "cert" : "key"),
			  "%s: 'ca', 'cert' and 'key' need 'tls = true'", what);
	if (f->tls && !f->ca)
		r |= perr(c, g, "%s: 'ca' is required with TLS (the CA file the log server's "
				"certificate is verified against)",
			  what);
	if (!f->cert != !f->key)
		r |= perr(c, config_setting_get_member(g, f->cert ? "cert" : "key"),
			  "%s: 'cert' and 'key' go together (the client certificate and its key)",
			  what);
	if (f->hostname && !syslog5424_hostname_ok(f->hostname))
		r |= perr(c, config_setting_get_member(g, "hostname"),
			  "%s: hostname '%s' must be 1 to 255 printable ASCII characters without "
			  "spaces (RFC 5424 HOSTNAME)",
			  what, f->hostname);
	if (fac) {
		int v = syslog5424_facility(fac);

		m = config_setting_get_member(g, "facility");
		if (v < 0)
			r |= perr(c, m, "%s: facility '%s' is not known (kern, user, mail, daemon, "
					"auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp, "
					"audit, alert, clock, local0 .. local7)",
				  what, fac);
		else
			f->facility = (unsigned)v;
	}
	return r ? -EINVAL : 0;
}

/* LOG-13: the periodic analysis' thresholds (lib/logreport.h holds the same limits). */
static int parse_log_report(struct ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = { "window",	      "denied",	  "scan_ports",
					    "scan_hosts",     "db_hosts", "db_connections",
					    "sources",	      "top" };
	struct log_report_settings *rs = &c->p->settings.report;
	const config_setting_t *m;
	char *win = NULL;
	int r = 0;

	if (!config_setting_is_group(g))
		return perr(c, g, "log: 'report' must be a group");
	check_keys(c, g, "log.report", keys, ARRAY_SIZE(keys));
	rs->origin = at(c, g);
	r |= get_str(c, g, "log.report", "window", false, &win);
	if (win && (duration_parse(win, &rs->window) || rs->window < 1 ||
		    rs->window > DAY_SECONDS))
		r |= perr(c, config_setting_get_member(g, "window"),
			  "log.report: window '%s' must be a duration from 1s to 1d", win);
	r |= get_uint(c, g, "log.report", "denied", 1, 100000, &rs->denied);
	r |= get_uint(c, g, "log.report", "scan_ports", 2, 256, &rs->scan_ports);
	r |= get_uint(c, g, "log.report", "scan_hosts", 2, 256, &rs->scan_hosts);
	r |= get_uint(c, g, "log.report", "db_connections", 1, 10000000, &rs->db_connections);
	r |= get_uint(c, g, "log.report", "sources", 16, 100000, &rs->sources);
	r |= get_uint(c, g, "log.report", "top", 1, 1000, &rs->top);
	/* 32 hosts of up to two addresses: LOGREPORT_DB_HOSTS (64) addresses in the analysis. */
	r |= get_strs(c, g, "log.report", "db_hosts", 32, NULL, &rs->db_hosts, &rs->n_db_hosts,
		      &rs->cap_db_hosts, &m);
	rs->db_hosts_origin = m ? at(c, m) : rs->origin;
	return r ? -EINVAL : 0;
}

static int parse_log(struct ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = { "group",	    "deny_rate", "deny_burst",
					    "sources",	    "source_rate", "source_burst",
					    "dir",	    "retention", "forward",
					    "report" };
	const config_setting_t *fw, *m;
	struct settings *st = &c->p->settings;
	char *ret = NULL;
	int r = 0;

	if (!config_setting_is_group(g))
		return perr(c, g, "'log' must be a group");
	check_keys(c, g, "log", keys, ARRAY_SIZE(keys));
	st->log_origin = at(c, g);
	r |= get_uint(c, g, "log", "group", 0, 65535, &st->log_group);
	r |= get_uint(c, g, "log", "deny_rate", 1, 100000, &st->deny_rate);
	r |= get_uint(c, g, "log", "deny_burst", 1, 100000, &st->deny_burst);
	/* C-10: the per-source budget; 0 sources turns it off (per rule only). */
	r |= get_uint(c, g, "log", "sources", 0, 1048576, &st->log_sources);
	r |= get_uint(c, g, "log", "source_rate", 1, 100000, &st->source_rate);
	r |= get_uint(c, g, "log", "source_burst", 1, 100000, &st->source_burst);
	if (config_setting_get_member(g, "sources") && st->log_sources && st->log_sources < 1024)
		r |= perr(c, config_setting_get_member(g, "sources"),
			  "log: sources %u is below 1024; 0 turns the per-source limit off (C-10)",
			  st->log_sources);
	r |= get_str(c, g, "log", "dir", false, &st->log_dir);
	r |= get_str(c, g, "log", "retention", false, &ret);
	if (ret && duration_parse(ret, &st->log_retention))
		r |= perr(c, config_setting_get_member(g, "retention"),
			  "log: retention '%s' is not a duration (\"365d\")", ret);
	else if (ret && st->log_retention < 365 * DAY_SECONDS)
		r |= perr(c, config_setting_get_member(g, "retention"),
			  "log: retention '%s' is shorter than a year; logs are kept at least "
			  "365 days (LOG-10, C-8)",
			  ret);
	fw = config_setting_get_member(g, "forward");
	if (fw) {
		int rf = parse_log_forward(c, fw);

		if (rf == -ENOMEM)
			return rf;
		r |= rf;
	}
	if ((m = config_setting_get_member(g, "report")))
		r |= parse_log_report(c, m);
	return r ? -EINVAL : 0;
}

/* Reads a two-string group { local = "..."; remote = "..."; } */
static int get_pair(struct ctx *c, const config_setting_t *g, const char *what, const char *key,
		    const char *req, const char *k1, const char *k2, char **r1, char **r2)
{
	const config_setting_t *m = config_setting_get_member(g, key);
	char *w;
	int r = 0;

	if (!m)
		return perr(c, g, "%s: '%s' is required (%s)", what, key, req);
	if (!config_setting_is_group(m))
		return perr(c, m, "%s: '%s' must be a group { %s = ...; %s = ...; }", what, key, k1,
			    k2);
	w = arena_printf(c->p->arena, "%s: %s (%s)", what, key, req);
	if (!w)
		return c->oom = 1, -ENOMEM;
	{
		const char *const keys[] = { k1, k2 };

		check_keys(c, m, w, keys, 2);
	}
	r |= get_str(c, m, w, k1, true, r1);
	r |= get_str(c, m, w, k2, true, r2);
	return r ? -EINVAL : 0;
}

static int parse_wan_service(struct ctx *c, struct wan_link *w, const char *what,
			     const config_setting_t *g)
{
	static const char *const keys[] = { "service", "direction", "local" };
	static const char *const dirs[] = { "in", "out", "both" };
	struct wan_service *ws;
	const config_setting_t *m;
	int r = 0, v = -1;

	if (!config_setting_is_group(g))
		return perr(c, g, "%s: each service must be a group { service = ...; direction = "
				  "...; local = ...; }",
			    what);
	ws = ARENA_PUSH(c->p->arena, w->services, w->n_services, w->cap_services);
	if (!ws)
		return c->oom = 1, -ENOMEM;
	ws->origin = at(c, g);
	check_keys(c, g, what, keys, ARRAY_SIZE(keys));
	r |= get_str(c, g, what, "service", true, &ws->service);
	if (parse_enum(c, g, what, "direction", dirs, ARRAY_SIZE(dirs), &v) > 0)
		r |= perr(c, g, "%s: 'direction' is required (in, out or both; WAN-8)", what);
	ws->dir = v < 0 ? WAN_IN : (enum wan_dir)v;
	if (v < 0)
		r = -EINVAL;
	r |= get_strs(c, g, what, "local", c->p->limits.max_rule_hosts, "limits.max_rule_hosts",
		      &ws->local, &ws->n_local,
		      &ws->cap_local, &m);
	if (!m)
		r |= perr(c, g, "%s: 'local' is required (the local hosts or zones of the "
				"service)",
			  what);
	return r ? -EINVAL : 0;
}

static int parse_wan(struct ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = { "name",  "zone",	 "type",     "approval", "peer",
					    "purpose", "systems", "scope",   "services", "contacts",
					    "anomaly" };
	static const char *const types[] = { "leased", "vpn" };
	struct wan_link *w, **slot;
	const config_setting_t *m, *list;
	char **nets = NULL, *what;
	size_t n_nets = 0, cap_nets = 0, i;
	int r = 0, v = -1;

	if (!config_setting_is_group(g))
		return perr(c, g, "wan: each entry must be a group { name = ...; ... }");
	w = arena_zalloc(c->p->arena, sizeof(*w));
	if (!w)
		return c->oom = 1, -ENOMEM;
	w->origin = at(c, g);
	if (get_name(c, g, "WAN link", &w->name))
		return -EINVAL;
	what = arena_printf(c->p->arena, "WAN link '%s'", w->name);
	if (!what)
		return c->oom = 1, -ENOMEM;
	check_keys(c, g, what, keys, ARRAY_SIZE(keys));
	r |= get_str(c, g, what, "zone", true, &w->zone_name);
	w->zone_origin = config_setting_get_member(g, "zone")
				 ? at(c, config_setting_get_member(g, "zone"))
				 : w->origin;
	if (parse_enum(c, g, what, "type", types, ARRAY_SIZE(types), &v) > 0)
		r |= perr(c, g, "%s: 'type' is required: leased or vpn (WAN-5)", what);
	else if (v < 0)
		r = -EINVAL;
	w->type = v < 0 ? WAN_LEASED : (enum wan_type)v;
	r |= get_str(c, g, what, "approval", false, &w->approval);
	r |= get_pair(c, g, what, "peer", "WAN-3", "organisation", "address", &w->peer_org,
		      &w->peer_address);
	if (!config_setting_get_member(g, "purpose"))
		r |= perr(c, g, "%s: 'purpose' is required (WAN-4)", what);
	else
		r |= get_str(c, g, what, "purpose", true, &w->purpose);
	r |= get_pair(c, g, what, "systems", "WAN-6", "local", "remote", &w->systems_local,
		      &w->systems_remote);

	m = config_setting_get_member(g, "scope");
	if (!m) {
		r |= perr(c, g, "%s: 'scope' is required (WAN-7)", what);
	} else if (!config_setting_is_group(m)) {
		r |= perr(c, m, "%s: 'scope' must be a group { local = ...; remote = ...; }", what);
	} else {
		static const char *const skeys[] = { "local", "remote" };
		const config_setting_t *mm;

		check_keys(c, m, what, skeys, 2);
		r |= get_strs(c, m, what, "local", c->p->limits.max_rule_hosts,
			      "limits.max_rule_hosts", &w->scope_local,
			      &w->n_scope_local, &w->cap_scope_local, &mm);
		if (!w->n_scope_local)
			r |= perr(c, m, "%s: 'scope.local' is required (WAN-7)", what);
		r |= get_strs(c, m, what, "remote", c->p->limits.max_networks,
			      "limits.max_networks", &nets, &n_nets,
			      &cap_nets, &mm);
		if (!n_nets)
			r |= perr(c, m, "%s: 'scope.remote' is required (WAN-7, WAN-13)", what);
		for (i = 0; i < n_nets; i++) {
			struct prefix pf, *ps;

			if (prefix_parse(nets[i], &pf)) {
				r |= perr(c, mm, "%s: scope.remote '%s' is not a valid network", what,
					  nets[i]);
				continue;
			}
			ps = ARENA_PUSH(c->p->arena, w->scope_remote, w->n_scope_remote,
					w->cap_scope_remote);
			if (!ps)
				return c->oom = 1, -ENOMEM;
			*ps = pf;
		}
	}

	list = config_setting_get_member(g, "services");
	if (!list)
		r |= perr(c, g, "%s: 'services' is required (WAN-8)", what);
	else if (!config_setting_is_list(list))
		r |= perr(c, list, "%s: 'services' must be a list ( { ... }, ... )", what);
	else if (config_setting_length(list) == 0)
		r |= perr(c, list, "%s: 'services' must not be empty (WAN-8)", what);
	else
		for (i = 0; i < (size_t)config_setting_length(list); i++) {
			int rr = parse_wan_service(c, w, what,
						   config_setting_get_elem(list, (unsigned)i));

			if (rr == -ENOMEM)
				return rr;
			r |= rr;
		}

	m = config_setting_get_member(g, "contacts");
	if (!m) {
		r |= perr(c, g, "%s: 'contacts' is required (WAN-9)", what);
	} else if (!config_setting_is_group(m)) {
		r |= perr(c, m, "%s: 'contacts' must be a group { local = {...}; remote = {...}; }",
			  what);
	} else {
		static const char *const ckeys[] = { "local", "remote" };
		char *w2;

		check_keys(c, m, what, ckeys, 2);
		w2 = arena_printf(c->p->arena, "%s: contacts", what);
		if (!w2)
			return c->oom = 1, -ENOMEM;
		r |= get_pair(c, m, w2, "local", "WAN-9", "administrator", "security_manager",
			      &w->admin_local, &w->secmgr_local);
		r |= get_pair(c, m, w2, "remote", "WAN-9", "administrator", "security_manager",
			      &w->admin_remote, &w->secmgr_remote);
	}
	m = config_setting_get_member(g, "anomaly");
	if (!m) {
		r |= perr(c, g, "%s: 'anomaly' is required (WAN-10)", what);
	} else if (!config_setting_is_group(m)) {
		r |= perr(c, m, "%s: 'anomaly' must be a group", what);
	} else {
		static const char *const akeys[] = { "definition", "escalation_local",
						     "escalation_remote" };
		char *w2 = arena_printf(c->p->arena, "%s: anomaly (WAN-10)", what);

		if (!w2)
			return c->oom = 1, -ENOMEM;
		check_keys(c, m, w2, akeys, 3);
		r |= get_str(c, m, w2, "definition", true, &w->anomaly);
		r |= get_str(c, m, w2, "escalation_local", true, &w->escalation_local);
		r |= get_str(c, m, w2, "escalation_remote", true, &w->escalation_remote);
	}
	if (c->oom)
		return -ENOMEM;
	if (c->p->n_wans >= c->p->limits.max_wan)
		return perr(c, g, "%s: more than %u WAN links (limits.max_wan)", what,
			    c->p->limits.max_wan);
	slot = ARENA_PUSH(c->p->arena, c->p->wans, c->p->n_wans, c->p->cap_wans);
	if (!slot)
		return c->oom = 1, -ENOMEM;
	*slot = w;
	return r ? -EINVAL : 0;
}

/* ADM-1, C-1, LANREQ-48: the role names, in the order of enum role's bits. */
static const char *const roles[] = { "netadmin",  "operator",     "helpdesk",	     "auditor",
				     "dept-head", "isms-manager", "security-officer" };

static int parse_person(struct ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = { "user", "name", "roles", "approved_by", "department" };
	struct person *pe, **slot;
	char **names = NULL, *what;
	size_t n = 0, cap = 0, i, k;
	const config_setting_t *m;
	int r = 0;

	if (!config_setting_is_group(g))
		return perr(c, g, "people: each entry must be a group { user = ...; name = ...; }");
	pe = arena_zalloc(c->p->arena, sizeof(*pe));
	if (!pe)
		return c->oom = 1, -ENOMEM;
	pe->origin = at(c, g);
	if (get_str(c, g, "person", "user", true, &pe->user))
		return -EINVAL;
	what = arena_printf(c->p->arena, "person '%s'", pe->user);
	if (!what)
		return c->oom = 1, -ENOMEM;
	check_keys(c, g, what, keys, ARRAY_SIZE(keys));
	r |= get_str(c, g, what, "name", true, &pe->name);
	r |= get_str(c, g, what, "approved_by", false, &pe->approved_by);
	/* C-1, LANREQ-48: a dept-head endorses, a security officer clears, for this department. */
	r |= get_str(c, g, what, "department", false, &pe->department);
	r |= get_strs(c, g, what, "roles", ARRAY_SIZE(roles), NULL, &names, &n, &cap, &m);
	if (!n && !r)
		r |= perr(c, g, "%s: 'roles' is required (netadmin, operator, helpdesk, auditor, "
				"dept-head, isms-manager, security-officer; ADM-1)",
			  what);
	for (i = 0; i < n; i++) {
		for (k = 0; k < ARRAY_SIZE(roles); k++)
			if (!strcmp(names[i], roles[k]))
				break;
		if (k == ARRAY_SIZE(roles)) {
			const char *hint = str_closest(names[i], roles, ARRAY_SIZE(roles));

			r |= perr(c, m, "%s: role '%s' is not known%s%s%s", what, names[i],
				  hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
		} else {
			pe->roles |= 1u << k;
		}
	}
	if (c->oom)
		return -ENOMEM;
	if (r)
		return -EINVAL;
	slot = ARENA_PUSH(c->p->arena, c->p->people, c->p->n_people, c->p->cap_people);
	if (!slot)
		return c->oom = 1, -ENOMEM;
	*slot = pe;
	return 0;
}

static int parse_daemon(struct ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = { "state_dir", "socket", "socket_group", "on_stop",
					    "drift_check", "history" };
	static const char *const stops[] = { "keep", "remove" };
	struct daemon_settings *ds = &c->p->daemon;
	char *drift = NULL;
	int r = 0, v = 0;

	if (!config_setting_is_group(g))
		return perr(c, g, "'daemon' must be a group");
	check_keys(c, g, "daemon", keys, ARRAY_SIZE(keys));
	ds->origin = at(c, g);
	r |= get_str(c, g, "daemon", "state_dir", false, &ds->state_dir);
	r |= get_str(c, g, "daemon", "socket", false, &ds->socket);
	r |= get_str(c, g, "daemon", "socket_group", false, &ds->socket_group);
	if (parse_enum(c, g, "daemon", "on_stop", stops, ARRAY_SIZE(stops), &v) < 0)
		r = -EINVAL;
	ds->remove_on_stop = v == 1;
	r |= get_str(c, g, "daemon", "drift_check", false, &drift);
	if (drift && duration_parse(drift, &ds->drift_check))
		r |= perr(c, config_setting_get_member(g, "drift_check"),
			  "daemon: drift_check '%s' is not a duration (\"5m\", \"1h\"; \"0\" "
			  "checks only on status)",
			  drift);
	r |= get_uint(c, g, "daemon", "history", 1, 100000, &ds->history);
	return r ? -EINVAL : 0;
}

/* "+09:00" -> seconds east of UTC. */
static int parse_offset(const char *s, int *ret)
{
	unsigned h, m;
	int n = 0;

	if ((s[0] != '+' && s[0] != '-') || sscanf(s + 1, "%2u:%2u%n", &h, &m, &n) != 2 || n != 5 ||
	    s[6] || h > 14 || m > 59)
		return -EINVAL;
	*ret = (int)(h * 3600 + m * 60) * (s[0] == '-' ? -1 : 1);
	return 0;
}

/* LANREQ-31, C-21: department_check = [ "04-01", "10-01" ]: the half-years' ends. */
static int parse_dept_check(struct ctx *c, const config_setting_t *g, struct registry_settings *rs)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const config_setting_t *m = config_setting_get_member(g, "department_check");
	int i, len, r = 0;

	if (!m)
		return 0;
	if (!config_setting_is_array(m) && !config_setting_is_list(m))
		return perr(c, m, "registry: department_check must be a list of \"MM-DD\" dates "
				  "([ \"04-01\", \"10-01\" ]; LANREQ-31)");
	len = config_setting_length(m);
	if (len > (int)ARRAY_SIZE(rs->dept_check))
		return perr(c, m, "registry: department_check has %d dates, at most %zu allowed", len,
			    ARRAY_SIZE(rs->dept_check));
	rs->n_dept_check = 0;
	for (i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(m, (unsigned)i);
		const char *v = config_setting_type(e) == CONFIG_TYPE_STRING
					? config_setting_get_string(e)
					: NULL;
		unsigned mo = 0, d = 0;
		char tail;
		size_t k;

		if (!v || sscanf(v, "%2u-%2u%c", &mo, &d, &tail) != 2 || strlen(v) != 5 || mo < 1 ||
		    mo > 12 || d < 1 || (int)d > mdays[mo - 1]) {
			r |= perr(c, e, "registry: department_check '%s' is not a date \"MM-DD\" "
					"(29 February excluded; LANREQ-31)",
				  v ? v : "?");
			continue;
		}
		for (k = 0; k < rs->n_dept_check; k++)
			if (rs->dept_check[k] == mo * 100 + d)
				break;
		if (k < rs->n_dept_check) {
			r |= perr(c, e, "registry: department_check '%s' given twice", v);
			continue;
		}
		rs->dept_check[rs->n_dept_check++] = (uint16_t)(mo * 100 + d);
	}
	return r ? -EINVAL : 0;
}

/*
 * LANREQ-47: known_equipment = [ "MAC", ... ], the switches, access points
 * and routers that are not reported; LANREQ-33: peer_days, the days of log
 * an expiry notice reads; C-8: retention, how long an ended registration's
 * personal data is kept.
 */
static int parse_registry_watch(struct ctx *c, const config_setting_t *g,
				struct registry_settings *rs)
{
	const config_setting_t *m = config_setting_get_member(g, "known_equipment");
	char *v = NULL;
	int i, len, r = 0;

	r |= get_uint(c, g, "registry", "peer_days", 0, 366, &rs->peer_days);
	r |= get_str(c, g, "registry", "retention", false, &v);
	if (v && duration_parse(v, &rs->retention))
		r |= perr(c, config_setting_get_member(g, "retention"),
			  "registry: retention '%s' is not a duration (\"1827d\"; C-8)", v);
	else if (v && rs->retention < 365 * DAY_SECONDS)
		r |= perr(c, config_setting_get_member(g, "retention"),
			  "registry: retention '%s' is shorter than a year; the registry is kept "
			  "at least 365 days (C-8)",
			  v);
	if (!m)
		return r;
	if (!config_setting_is_array(m) && !config_setting_is_list(m))
		return perr(c, m, "registry: known_equipment must be a list of MAC addresses "
				  "([ \"02:00:00:00:0b:fe\" ]; LANREQ-47)");
	len = config_setting_length(m);
	if (len > REGISTRY_KNOWN_EQUIPMENT_MAX)
		return perr(c, m, "registry: known_equipment has %d addresses, at most %d allowed",
			    len, REGISTRY_KNOWN_EQUIPMENT_MAX);
	rs->n_known_equipment = 0;
	for (i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(m, (unsigned)i);
		const char *s = config_setting_type(e) == CONFIG_TYPE_STRING
					? config_setting_get_string(e)
					: NULL;
		unsigned b[6];
		char sep[5], tail, mac[18];
		size_t k;

		if (!s || strlen(s) != 17 ||
		    sscanf(s, "%2x%c%2x%c%2x%c%2x%c%2x%c%2x%c", &b[0], &sep[0], &b[1], &sep[1],
			   &b[2], &sep[2], &b[3], &sep[3], &b[4], &sep[4], &b[5], &tail) != 11 ||
		    (sep[0] != ':' && sep[0] != '-') || memcmp(sep, sep + 1, 4) ||
		    sep[0] != sep[4] || strspn(s, "0123456789abcdefABCDEF:-") != 17 || b[0] & 1) {
			r |= perr(c, e, "registry: known_equipment '%s' is not a MAC address "
					"(\"02:00:00:00:0b:fe\"; LANREQ-47)",
				  s ? s : "?");
			continue;
		}
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", (unsigned char)b[0],
			 (unsigned char)b[1], (unsigned char)b[2], (unsigned char)b[3],
			 (unsigned char)b[4], (unsigned char)b[5]);
		for (k = 0; k < rs->n_known_equipment; k++)
			if (!strcmp(rs->known_equipment[k], mac))
				break;
		if (k < rs->n_known_equipment) {
			r |= perr(c, e, "registry: known_equipment '%s' given twice", s);
			continue;
		}
		memcpy(rs->known_equipment[rs->n_known_equipment++], mac, sizeof(mac));
	}
	return r ? -EINVAL : 0;
}

/* ADM-7: inventory = "365d", how often; inventory_to, who is told it is overdue. */
static int parse_inventory(struct ctx *c, const config_setting_t *g, struct registry_settings *rs)
{
	char *v = NULL;
	int r = 0;

	r |= get_str(c, g, "registry", "inventory_to", false, &rs->inventory_to);
	r |= get_str(c, g, "registry", "inventory", false, &v);
	if (v && (duration_parse(v, &rs->inventory) || rs->inventory < DAY_SECONDS ||
		  rs->inventory > 366 * DAY_SECONDS))
		r |= perr(c, config_setting_get_member(g, "inventory"),
			  "registry: inventory '%s' is not a duration from 1 day to 366 days "
			  "(\"365d\"; the management IDs are inventoried at least yearly, ADM-7)",
			  v);
	return r ? -EINVAL : 0;
}

static int parse_registry(struct ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = { "db",	    "notify_command", "notify_from",
					    "expiry_notice", "conformance_check", "max_period",
					    "utc_offset",    "four_eyes",	      "department_check",
					    "department_check_to", "second_approval", "direct_change",
					    "known_equipment", "peer_days", "retention",
					    "inventory",	     "inventory_to", "enforce_services" };
	static const struct {
		const char *key, *reqs;
		size_t off;
	} durs[] = {
		{ "expiry_notice", "LANREQ-32", offsetof(struct registry_settings, expiry_notice) },
		{ "conformance_check", "LANREQ-30",
		  offsetof(struct registry_settings, conformance_check) },
		{ "max_period", "C-16", offsetof(struct registry_settings, max_period) },
	};
	struct registry_settings *rs = &c->p->registry;
	char *v = NULL;
	size_t i;
	int r = 0;

	if (!config_setting_is_group(g))
		return perr(c, g, "'registry' must be a group");
	check_keys(c, g, "registry", keys, ARRAY_SIZE(keys));
	rs->origin = at(c, g);
	r |= get_str(c, g, "registry", "db", false, &rs->db);
	r |= get_str(c, g, "registry", "notify_command", false, &rs->notify_command);
	r |= get_str(c, g, "registry", "notify_from", false, &rs->notify_from);
	for (i = 0; i < ARRAY_SIZE(durs); i++) {
		int64_t *dst = (int64_t *)((char *)rs + durs[i].off);

		v = NULL;
		r |= get_str(c, g, "registry", durs[i].key, false, &v);
		if (v && (duration_parse(v, dst) || *dst <= 0))
			r |= perr(c, config_setting_get_member(g, durs[i].key),
				  "registry: %s '%s' is not a positive duration (\"14d\"; %s)",
				  durs[i].key, v, durs[i].reqs);
	}
	v = NULL;
	r |= get_str(c, g, "registry", "utc_offset", false, &v);
	if (v && parse_offset(v, &rs->utc_offset))
		r |= perr(c, config_setting_get_member(g, "utc_offset"),
			  "registry: utc_offset '%s' is not like \"+09:00\"", v);
	r |= get_bool(c, g, "registry", "four_eyes", &rs->four_eyes);
	r |= get_bool(c, g, "registry", "direct_change", &rs->direct_change);
	r |= get_bool(c, g, "registry", "enforce_services", &rs->enforce_services);
	/* C-1: the optional second approver, named by a role of the people. */
	v = NULL;
	r |= get_str(c, g, "registry", "second_approval", false, &v);
	if (v) {
		for (i = 0; i < ARRAY_SIZE(roles); i++)
			if (!strcmp(v, roles[i]))
				break;
		/* Not the first approver's role, nor one that does not decide. */
		if (i == ARRAY_SIZE(roles) ||
		    !((1u << i) & (ROLE_ISMS_MANAGER | ROLE_DEPT_HEAD | ROLE_SECURITY_OFFICER))) {
			const char *hint = str_closest(v, roles, ARRAY_SIZE(roles));

			r |= perr(c, config_setting_get_member(g, "second_approval"),
				  "registry: second_approval '%s' is not a role that can approve a "
				  "second time (isms-manager, dept-head or security-officer; C-1)%s%s%s",
				  v, hint && i == ARRAY_SIZE(roles) ? " (did you mean '" : "",
				  hint && i == ARRAY_SIZE(roles) ? hint : "",
				  hint && i == ARRAY_SIZE(roles) ? "'?)" : "");
		} else {
			rs->second_approval = 1u << i;
		}
	}
	r |= get_str(c, g, "registry", "department_check_to", false, &rs->dept_check_to);
	r |= parse_dept_check(c, g, rs);
	r |= parse_registry_watch(c, g, rs);
	r |= parse_inventory(c, g, rs);
	return r ? -EINVAL : 0;
}

/*
 * C-1: the second approver's role must be held by someone, or every
 * approval would wait forever; by someone other than the only network
 * administrator, since nobody gives both approvals. Checked once the whole
 * file is read (people may follow registry).
 */
static void check_second_approver(struct ctx *c, const config_setting_t *root)
{
	const struct registry_settings *rs = &c->p->registry;
	const config_setting_t *g = config_setting_get_member(root, "registry");
	const struct person *only_admin = NULL;
	size_t i, holders = 0, admins = 0;

	if (!rs->second_approval || !g)
		return;
	for (i = 0; i < c->p->n_people; i++) {
		const struct person *pe = c->p->people[i];

		if (pe->roles & ROLE_NETADMIN) {
			admins++;
			only_admin = pe;
		}
	}
	for (i = 0; i < c->p->n_people; i++) {
		const struct person *pe = c->p->people[i];

		if ((pe->roles & rs->second_approval) && !(admins == 1 && pe == only_admin))
			holders++;
	}
	if (!holders)
		perr(c, config_setting_get_member(g, "second_approval"),
		     "registry: second_approval '%s': no person in people holds the role %s%s, so "
		     "no approval could be completed (C-1)",
		     role_name((enum role)rs->second_approval),
		     role_name((enum role)rs->second_approval),
		     admins == 1 && (only_admin->roles & rs->second_approval)
			     ? " other than the only netadmin, who cannot approve twice"
			     : "");
}

/* ---- files ------------------------------------------------------------- */

static const char *intern_file(struct policy *p, const char *name)
{
	char **slot;
	size_t i;

	for (i = 0; i < p->n_files; i++)
		if (!strcmp(p->files[i], name))
			return p->files[i];
	slot = ARENA_PUSH(p->arena, p->files, p->n_files, p->cap_files);
	if (!slot || !(*slot = arena_strdup(p->arena, name)))
		return NULL;
	return *slot;
}

/*
 * libconfig's @include would open files while parsing; the edge hands us
 * every file, so the directive is refused (STYLE §1).
 */
static int refuse_include(struct ctx *c, const struct conf_source *src)
{
	const char *s = src->text;
	int line = 1, r = 0;

	while (*s) {
		const char *t = s;

		while (*t == ' ' || *t == '\t')
			t++;
		if (!strncmp(t, "@include", 8)) {
			struct origin o = { c->file, line };

			r = diag_error(c->d, &o,
				       "@include is not supported: put each zone in its own file in "
				       "the zone directory");
		}
		s = strchr(s, '\n');
		if (!s)
			break;
		s++;
		line++;
	}
	return r;
}

static int read_tree(struct ctx *c, const struct conf_source *src, config_t *cfg)
{
	struct origin o = { c->file, 0 };

	if (src->len > CONF_MAX_FILE_SIZE)
		return diag_error(c->d, &o, "file is %zu bytes, larger than the %u allowed",
				  src->len, CONF_MAX_FILE_SIZE);
	if (strlen(src->text) != src->len)
		return diag_error(c->d, &o, "file contains a NUL byte");
	if (refuse_include(c, src))
		return -EINVAL;
	config_init(cfg);
	if (config_read_string(cfg, src->text) != CONFIG_TRUE) {
		o.line = config_error_line(cfg);
		/* libconfig's text already says "syntax error" where that is what it is. */
		diag_error(c->d, &o, "%s", config_error_text(cfg));
		c->p->syntax_errors++;
		config_destroy(cfg);
		return -EINVAL;
	}
	return 0;
}

static int ctx_init(struct ctx *c, struct policy *p, const struct conf_source *src,
		    struct diag_list *d)
{
	memset(c, 0, sizeof(*c));
	c->p = p;
	c->d = d;
	c->file = intern_file(p, src->name);
	return c->file ? 0 : -ENOMEM;
}

static int parse_list(struct ctx *c, const config_setting_t *root, const char *key,
		      int (*fn)(struct ctx *, const config_setting_t *))
{
	const config_setting_t *list = config_setting_get_member(root, key);
	int i, r = 0;

	if (!list)
		return 0;
	if (!config_setting_is_list(list))
		return perr(c, list, "'%s' must be a list ( { ... }, ... )", key);
	for (i = 0; i < config_setting_length(list); i++) {
		int rr = fn(c, config_setting_get_elem(list, (unsigned)i));

		if (rr == -ENOMEM)
			return rr;
		r |= rr;
	}
	return r ? -EINVAL : 0;
}

int conf_parse_main(struct policy *p, const struct conf_source *src, struct diag_list *d)
{
	static const char *const keys[] = { "zone_dir", "log",	      "limits", "nat",
					    "proxy",	"services",   "exceptions", "wan",
					    "daemon",	"people",     "registry" };
	const config_setting_t *root, *m;
	struct ctx c;
	config_t cfg;
	size_t before = d->errors;

	if (ctx_init(&c, p, src, d))
		return -ENOMEM;
	p->main_file = (char *)c.file;
	if (read_tree(&c, src, &cfg))
		return -EINVAL;
	root = config_root_setting(&cfg);
	check_keys(&c, root, "main config", keys, ARRAY_SIZE(keys));
	/* Limits first: they bound everything parsed after them. */
	if ((m = config_setting_get_member(root, "limits")))
		parse_limits(&c, m);
	if (get_str(&c, root, "main config", "zone_dir", false, &p->settings.zone_dir) == 0 &&
	    !p->settings.zone_dir)
		p->settings.zone_dir = cdup(&c, "zones");
	if ((m = config_setting_get_member(root, "log")))
		parse_log(&c, m);
	if ((m = config_setting_get_member(root, "nat")))
		parse_nat(&c, m);
	if ((m = config_setting_get_member(root, "proxy")))
		parse_proxy(&c, m);
	parse_list(&c, root, "services", parse_service);
	parse_list(&c, root, "exceptions", parse_exception);
	parse_list(&c, root, "wan", parse_wan);
	parse_list(&c, root, "people", parse_person);
	if ((m = config_setting_get_member(root, "daemon")))
		parse_daemon(&c, m);
	if ((m = config_setting_get_member(root, "registry")))
		parse_registry(&c, m);
	check_second_approver(&c, root);
	config_destroy(&cfg);
	if (c.oom)
		return -ENOMEM;
	return d->errors > before ? -EINVAL : 0;
}

int conf_parse_zone(struct policy *p, const struct conf_source *src, struct diag_list *d)
{
	static const char *const keys[] = { "zone" };
	const config_setting_t *root, *z;
	struct ctx c;
	config_t cfg;
	size_t before = d->errors;

	if (ctx_init(&c, p, src, d))
		return -ENOMEM;
	if (read_tree(&c, src, &cfg))
		return -EINVAL;
	root = config_root_setting(&cfg);
	check_keys(&c, root, "zone file", keys, ARRAY_SIZE(keys));
	z = config_setting_get_member(root, "zone");
	if (!z)
		perr(&c, NULL, "zone file has no 'zone = { ... };' group");
	else
		parse_zone(&c, z);
	config_destroy(&cfg);
	if (c.oom)
		return -ENOMEM;
	return d->errors > before ? -EINVAL : 0;
}

int conf_load(const struct conf_source *srcs, size_t n, int64_t now, struct policy **ret_p,
	      struct diag_list *d)
{
	return conf_load_flags(srcs, n, now, 0, ret_p, d);
}

int conf_load_flags(const struct conf_source *srcs, size_t n, int64_t now, unsigned flags,
		    struct policy **ret_p, struct diag_list *d)
{
	struct policy *p;
	size_t i;
	int r;

	if (n == 0)
		return -EINVAL;
	p = policy_new();
	if (!p)
		return -ENOMEM;
	p->load_flags = flags;
	r = conf_parse_main(p, &srcs[0], d);
	for (i = 1; i < n && r != -ENOMEM; i++) {
		int rr = conf_parse_zone(p, &srcs[i], d);

		if (rr)
			r = rr;
	}
	/*
	 * Validate even after parse errors, so one run reports every mistake;
	 * but not after a syntax error, where every reference into the lost
	 * file would be reported as undefined.
	 */
	if (r != -ENOMEM && !p->syntax_errors) {
		int rr = conf_validate(p, now, d);

		if (rr == -ENOMEM || !r)
			r = rr;
	}
	if (r) {
		policy_free(p);
		return r;
	}
	*ret_p = p;
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The policy model's lifecycle, names and sorted look-ups. */
#include "model.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "util.h"

struct policy *policy_new(void)
{
	struct arena *a = arena_new();
	struct policy *p;

	if (!a)
		return NULL;
	p = arena_zalloc(a, sizeof(*p));
	if (!p) {
		arena_free(a);
		return NULL;
	}
	p->arena = a;
	p->limits = (struct limits)LIMITS_DEFAULT;
	p->settings.log_group = 1;
	p->settings.deny_rate = 100;
	p->settings.deny_burst = 200;
	p->settings.log_sources = 65536;
	p->settings.source_rate = 10;
	p->settings.source_burst = 20;
	p->settings.log_retention = 365 * DAY_SECONDS;
	p->settings.log_forward.facility = 16; /* local0 */
	/* The defaults of LOGREPORT_LIMITS_DEFAULT (lib/logreport.h), docs/config.md. */
	p->settings.report.window = 60;
	p->settings.report.denied = 20;
	p->settings.report.scan_ports = 15;
	p->settings.report.scan_hosts = 15;
	p->settings.report.db_connections = 1000;
	p->settings.report.sources = 4096;
	p->settings.report.top = 20;
	p->daemon.history = 50;
	p->daemon.drift_check = 300;
	p->registry.expiry_notice = 14 * 86400;
	p->registry.conformance_check = 14 * 86400;
	/* C-21: the Japanese fiscal halves, April 1 and October 1. */
	p->registry.dept_check[0] = 401;
	p->registry.dept_check[1] = 1001;
	p->registry.n_dept_check = 2;
	p->registry.max_period = 365 * 86400;
	p->registry.peer_days = 30;                 /* LANREQ-33 */
	p->registry.retention = 1827 * 86400;       /* C-8: 5 years, leap days included */
	p->registry.inventory = 365 * 86400;        /* ADM-7: yearly (REQUIREMENTS §4) */
	return p;
}

void policy_free(struct policy *p)
{
	if (p)
		arena_free(p->arena);
}

/*
 * The arrays are sorted by name by conf_validate() before any look-up, so a
 * binary search serves; "name" is the first member of each struct.
 */
#define DEFINE_LOOKUP(fn, type, arr, cnt, key)                                 \
	type *fn(const struct policy *p, const char *name)                     \
	{                                                                      \
		size_t lo = 0, hi = p->cnt;                                    \
		while (lo < hi) {                                              \
			size_t mid = (lo + hi) / 2;                            \
			int c = strcmp(name, p->arr[mid]->key);                \
			if (c == 0)                                            \
				return p->arr[mid];                            \
			if (c < 0)                                             \
				hi = mid;                                      \
			else                                                   \
				lo = mid + 1;                                  \
		}                                                              \
		return NULL;                                                   \
	}

DEFINE_LOOKUP(policy_zone, struct zone, zones, n_zones, name)
DEFINE_LOOKUP(policy_service, struct service, services, n_services, name)
DEFINE_LOOKUP(policy_host, struct host, hosts, n_hosts, name)
DEFINE_LOOKUP(policy_exception, struct exception, exceptions, n_exceptions, id)
DEFINE_LOOKUP(policy_person, struct person, people, n_people, user)

const char *role_name(enum role r)
{
	switch (r) {
	case ROLE_NETADMIN:
		return "netadmin";
	case ROLE_OPERATOR:
		return "operator";
	case ROLE_HELPDESK:
		return "helpdesk";
	case ROLE_AUDITOR:
		return "auditor";
	case ROLE_DEPT_HEAD:
		return "dept-head";
	case ROLE_ISMS_MANAGER:
		return "isms-manager";
	case ROLE_SECURITY_OFFICER:
		return "security-officer";
	}
	return "?";
}

const char *env_name(enum env e)
{
	static const char *const names[] = { "internet", "lan", "wan", "remote" };

	return e < ENV__COUNT ? names[e] : "?";
}

const char *zone_kind_name(enum zone_kind k)
{
	static const char *const names[] = { "global", "dmz", "server", "floor", "wlan",
					     "branch", "subsidiary", "affiliate", "vpn" };

	return k < ZK__COUNT ? names[k] : "?";
}

const char *host_class_name(enum host_class c)
{
	static const char *const names[] = { "server", "printer", "network", "client" };

	return c < HC__COUNT ? names[c] : "?";
}

const char *wan_dir_name(enum wan_dir d)
{
	return d == WAN_IN ? "in" : d == WAN_OUT ? "out" : "both";
}

enum env zone_kind_env(enum zone_kind k)
{
	switch (k) {
	case ZK_GLOBAL:
	case ZK_DMZ:
		return ENV_INTERNET;
	case ZK_VPN:
		return ENV_REMOTE;
	default:
		return ENV_LAN;
	}
}

enum env zone_service_env(const struct zone *z)
{
	return z->wan ? ENV_WAN : z->env;
}

const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	case IPPROTO_GRE:
		return "gre";
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	default:
		return NULL;
	}
}

int64_t policy_next_exception_change(const struct policy *p, int64_t now)
{
	int64_t next = 0;
	size_t i;

	for (i = 0; i < p->n_rules; i++) {
		const struct exception *e = p->rules[i]->exception;
		int64_t t;

		if (!e)
			continue;
		t = e->approved > now ? e->approved : e->expires > now ? e->expires : 0;
		if (t && (!next || t < next))
			next = t;
	}
	return next;
}

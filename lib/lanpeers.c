/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LANREQ-33: the peers of an expiring device as text (see lanpeers.h). */
#include "lanpeers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "duration.h"
#include "model.h"
#include "util.h"

/* The config's host at exactly @family/@a, or NULL. */
static const char *host_name(const struct policy *p, int family, const uint8_t *a)
{
	size_t i, n = family == AF_INET ? 4 : 16;

	for (i = 0; p && i < p->n_hosts; i++) {
		const struct host *h = p->hosts[i];
		const struct prefix *x = family == AF_INET ? &h->addr4 : &h->addr6;

		if (x->family == family && x->len == n * 8 && !memcmp(x->a, a, n))
			return h->name;
	}
	return NULL;
}

/* The first catalogue service whose ports hold @proto/@port, or NULL. */
static const char *service_name(const struct policy *p, uint8_t proto, uint16_t port)
{
	size_t i, k;

	for (i = 0; p && i < p->n_services; i++) {
		const struct service *sv = p->services[i];

		for (k = 0; k < sv->n_ports; k++) {
			const struct svc_port *sp = &sv->ports[k];

			if (sp->proto == proto && sp->lo && sp->lo <= port && port <= sp->hi)
				return sv->name;
		}
	}
	return NULL;
}

static void us_format(int64_t us, char *buf, size_t len)
{
	time_format(us / 1000000, buf, len);
}

char *lanpeers_text(const struct logtrace_summary *s, const char *addr, unsigned days,
		    size_t top, const struct policy *p)
{
	struct strbuf sb = { 0 };
	char first[32], last[32];
	uint64_t rest_n = 0, rest_count = 0;
	size_t i;

	if (top > LANPEERS_TOP)
		top = LANPEERS_TOP;
	sb_addf(&sb, "Hosts and services it talked to (LANREQ-33), from the firewall log of the "
		     "last %u days:\n",
		days);
	if (!s->records) {
		sb_addf(&sb, "  the log has no record of %s in that time.\n", addr);
		goto out;
	}
	us_format(s->first_us, first, sizeof(first));
	us_format(s->last_us, last, sizeof(last));
	sb_addf(&sb,
		"  %s: %llu connections (%llu permitted, %llu denied) from %s to %s\n", addr,
		(unsigned long long)s->records, (unsigned long long)s->permitted,
		(unsigned long long)s->denied, first, last);
	for (i = 0; i < s->n_peers; i++) {
		const struct logtrace_peer *pe = &s->peers[i];
		const char *hn = host_name(p, pe->family, pe->addr);
		const char *pn = proto_name(pe->protocol), *sn;
		char a[INET6_ADDRSTRLEN] = "?", peer[INET6_ADDRSTRLEN + 80], svc[120];

		if (i >= top) {
			rest_n++;
			rest_count += pe->count;
			continue;
		}
		inet_ntop(pe->family, pe->addr, a, sizeof(a));
		snprintf(peer, sizeof(peer), "%s%s%s%s", a, hn ? " (" : "", hn ? hn : "",
			 hn ? ")" : "");
		if (pn)
			snprintf(svc, sizeof(svc), "%s", pn);
		else
			snprintf(svc, sizeof(svc), "proto %u", pe->protocol);
		if (pe->has_port) {
			sn = service_name(p, pe->protocol, pe->port);
			snprintf(svc + strlen(svc), sizeof(svc) - strlen(svc), "/%u%s%s%s", pe->port,
				 sn ? " (" : "", sn ? sn : "", sn ? ")" : "");
		}
		us_format(pe->last_us, last, sizeof(last));
		sb_addf(&sb, "  %-4s %-34s %-22s %6llu connections, %llu denied, last %s\n",
			pe->outbound ? "to" : "from", peer, svc, (unsigned long long)pe->count,
			(unsigned long long)pe->denied, last);
	}
	if (rest_n || s->others)
		sb_addf(&sb, "  and %llu more peers: %llu connections\n",
			(unsigned long long)rest_n, (unsigned long long)(rest_count + s->others));
out:
	if (sb.oom) {
		sb_fini(&sb);
		return NULL;
	}
	return sb.buf;
}

char *lanpeers_notice(const char *msg, const char *block)
{
	const char *sig = strstr(msg, "\n-- \n");
	size_t head = sig ? (size_t)(sig - msg) + 1 : strlen(msg);
	struct strbuf sb = { 0 };

	/* Before the signature the body ends with a blank line already. */
	sb_addf(&sb, "%.*s%s%s%s", (int)head, msg, sig ? "" : "\n", block, sig ? sig : "");
	if (sb.oom) {
		sb_fini(&sb);
		return NULL;
	}
	return sb.buf;
}

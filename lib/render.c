/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Canonical nft text of a ruleset, in the syntax "nft list" prints. */
#include "render.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "duration.h"
#include "model.h"
#include "util.h"

static const char *const sel_names[SEL__COUNT] = {
	[SEL_IIFNAME] = "iifname",	    [SEL_OIFNAME] = "oifname",
	[SEL_ETHER_SADDR] = "ether saddr",  [SEL_IP_SADDR] = "ip saddr",
	[SEL_IP_DADDR] = "ip daddr",	    [SEL_IP6_SADDR] = "ip6 saddr",
	[SEL_IP6_DADDR] = "ip6 daddr",	    [SEL_L4PROTO] = "meta l4proto",
	[SEL_TH_DPORT] = "th dport",	    [SEL_TCP_DPORT] = "tcp dport",
	[SEL_UDP_DPORT] = "udp dport",	    [SEL_SCTP_DPORT] = "sctp dport",
	[SEL_UDP_SPORT] = "udp sport",	    [SEL_ICMP_TYPE] = "icmp type",
	[SEL_ICMPV6_TYPE] = "icmpv6 type",  [SEL_CT_STATE] = "ct state",
	[SEL_NFPROTO] = "meta nfproto",
};

const char *render_sel_name(enum sel s)
{
	return s < SEL__COUNT ? sel_names[s] : "?";
}

static const char *icmp_name(bool v6, uint32_t t)
{
	static const struct {
		uint32_t t;
		const char *name;
	} v4[] = { { 0, "echo-reply" },	       { 3, "destination-unreachable" },
		   { 8, "echo-request" },      { 11, "time-exceeded" },
		   { 12, "parameter-problem" } },
	  v6n[] = { { 1, "destination-unreachable" }, { 2, "packet-too-big" },
		    { 3, "time-exceeded" },	      { 4, "parameter-problem" },
		    { 128, "echo-request" },	      { 129, "echo-reply" },
		    { 133, "nd-router-solicit" },     { 134, "nd-router-advert" },
		    { 135, "nd-neighbor-solicit" },   { 136, "nd-neighbor-advert" } };
	size_t i;

	if (!v6) {
		for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
			if (v4[i].t == t)
				return v4[i].name;
	} else {
		for (i = 0; i < sizeof(v6n) / sizeof(v6n[0]); i++)
			if (v6n[i].t == t)
				return v6n[i].name;
	}
	return NULL;
}

static void print_proto(FILE *f, uint32_t p)
{
	/* nft prints protocol numbers by /etc/protocols' names: 58 is "ipv6-icmp". */
	const char *n = p == IPPROTO_ICMPV6 ? "ipv6-icmp" : proto_name((uint8_t)p);

	if (n)
		fputs(n, f);
	else
		fprintf(f, "%u", p);
}

static void print_ports(FILE *f, uint16_t lo, uint16_t hi)
{
	if (lo == hi)
		fprintf(f, "%u", lo);
	else
		fprintf(f, "%u-%u", lo, hi);
}

static void print_addr(FILE *f, const struct addr_range *a)
{
	char buf[2 * PREFIX_STRLEN];

	range_format(a, buf, sizeof(buf));
	fputs(buf, f);
}

static void print_ct(FILE *f, uint32_t bits)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = { { CT_INVALID, "invalid" },
		      { CT_ESTABLISHED, "established" },
		      { CT_RELATED, "related" },
		      { CT_NEW, "new" } };
	const char *sep = "";
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (bits & names[i].bit) {
			fprintf(f, "%s%s", sep, names[i].name);
			sep = ",";
		}
}

static void print_value(FILE *f, enum sel s, const struct value *v)
{
	const char *n;

	switch (s) {
	case SEL_IIFNAME:
	case SEL_OIFNAME:
		fprintf(f, "\"%s\"", v->str);
		break;
	case SEL_ETHER_SADDR:
		fprintf(f, "%02x:%02x:%02x:%02x:%02x:%02x", v->mac[0], v->mac[1], v->mac[2],
			v->mac[3], v->mac[4], v->mac[5]);
		break;
	case SEL_IP_SADDR:
	case SEL_IP_DADDR:
	case SEL_IP6_SADDR:
	case SEL_IP6_DADDR:
		print_addr(f, &v->addr);
		break;
	case SEL_L4PROTO:
		print_proto(f, v->num);
		break;
	case SEL_TH_DPORT:
	case SEL_TCP_DPORT:
	case SEL_UDP_DPORT:
	case SEL_SCTP_DPORT:
	case SEL_UDP_SPORT:
		print_ports(f, v->lo, v->hi);
		break;
	case SEL_ICMP_TYPE:
	case SEL_ICMPV6_TYPE:
		n = icmp_name(s == SEL_ICMPV6_TYPE, v->num);
		if (n)
			fputs(n, f);
		else
			fprintf(f, "%u", v->num);
		break;
	case SEL_CT_STATE:
		print_ct(f, v->num);
		break;
	case SEL_NFPROTO:
		fputs(v->num == 10 ? "ipv6" : "ipv4", f);
		break;
	default:
		fputs("?", f);
	}
}

static void print_match(FILE *f, const struct match *m)
{
	size_t i;

	for (i = 0; i < m->n_sel; i++)
		fprintf(f, "%s%s", i ? " . " : "", sel_names[m->sel[i]]);
	switch (m->op) {
	case MOP_EQ:
		fputc(' ', f);
		print_value(f, m->sel[0], &m->v);
		break;
	case MOP_NE:
		fputs(" != ", f);
		print_value(f, m->sel[0], &m->v);
		break;
	case MOP_IN_SET:
		fprintf(f, " @%s", m->set);
		break;
	case MOP_NOT_IN_SET:
		fprintf(f, " != @%s", m->set);
		break;
	}
}

void render_rule(FILE *f, const struct rule *r)
{
	const char *sep = "";
	char a[PREFIX_STRLEN];
	size_t i;

	for (i = 0; i < r->n_match; i++) {
		fputs(sep, f);
		print_match(f, &r->m[i]);
		sep = " ";
	}
	if (r->verdict == VERDICT_VMAP) {
		fputs(sep, f);
		for (i = 0; i < r->n_vmap_sel; i++)
			fprintf(f, "%s%s", i ? " . " : "", sel_names[r->vmap_sel[i]]);
		fprintf(f, " vmap @%s", r->target);
		sep = " ";
	}
	if (r->role == ROLE_SRCLIMIT) {
		/* C-10: nft prints the mark as eight hex digits. */
		fprintf(f,
			"%smeta mark set 0x%08x update @%s { %s saddr . meta mark limit rate over "
			"%u/second burst %u packets counter }",
			sep, r->mark, r->src_set, r->src_family == AF_INET6 ? "ip6" : "ip",
			r->limit_rate, r->limit_burst);
		sep = " ";
	} else if (r->limit_rate) {
		fprintf(f, "%slimit rate %u/second burst %u packets", sep, r->limit_rate,
			r->limit_burst);
		sep = " ";
	}
	if (r->counter) {
		fprintf(f, "%scounter", sep);
		sep = " ";
	}
	if (r->log_prefix) {
		fprintf(f, "%slog prefix \"%s\" group %u", sep, r->log_prefix, r->log_group);
		sep = " ";
	}
	switch (r->verdict) {
	case VERDICT_ACCEPT:
		fprintf(f, "%saccept", sep);
		break;
	case VERDICT_DROP:
		fprintf(f, "%sdrop", sep);
		break;
	case VERDICT_JUMP:
		fprintf(f, "%sjump %s", sep, r->target);
		break;
	case VERDICT_DNAT:
	case VERDICT_SNAT:
		prefix_format(&r->nat_to, a, sizeof(a));
		fprintf(f, "%s%s ip to %s", sep, r->verdict == VERDICT_DNAT ? "dnat" : "snat", a);
		break;
	default:
		break;
	}
	if (r->id)
		fprintf(f, " comment \"%s\"", r->id);
}

static const char *key_type_name(enum key_type k)
{
	switch (k) {
	case KT_IFNAME:
		return "ifname";
	case KT_ETHER:
		return "ether_addr";
	case KT_IPV4:
		return "ipv4_addr";
	case KT_IPV6:
		return "ipv6_addr";
	case KT_PROTO:
		return "inet_proto";
	case KT_SERVICE:
		return "inet_service";
	case KT_MARK:
		return "mark";
	}
	return "?";
}

static void print_key(FILE *f, enum key_type k, const struct value *v)
{
	switch (k) {
	case KT_IFNAME:
		fprintf(f, "\"%s\"", v->str);
		break;
	case KT_ETHER:
		print_value(f, SEL_ETHER_SADDR, v);
		break;
	case KT_IPV4:
	case KT_IPV6:
		print_addr(f, &v->addr);
		break;
	case KT_PROTO:
		print_proto(f, v->num);
		break;
	case KT_SERVICE:
		print_ports(f, v->lo, v->hi);
		break;
	case KT_MARK:
		fprintf(f, "0x%08x", v->num);
		break;
	}
}

/* A duration as nft prints it: "1h", "1h30m", "90s". */
static const char *render_duration(unsigned sec, char *buf, size_t n)
{
	static const struct {
		unsigned s;
		char u;
	} units[] = { { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(units) && o < n; i++)
		if (sec >= units[i].s) {
			o += (size_t)snprintf(buf + o, n - o, "%u%c", sec / units[i].s, units[i].u);
			sec %= units[i].s;
		}
	return buf;
}

static void render_set(FILE *f, const struct set *s)
{
	char tbuf[32];
	size_t i, k;

	fprintf(f, "\t%s %s {\n\t\ttype ", s->is_map ? "map" : "set", s->name);
	for (k = 0; k < s->n_key; k++)
		fprintf(f, "%s%s", k ? " . " : "", key_type_name(s->key[k]));
	fputs(s->is_map ? " : verdict\n" : "\n", f);
	/* In the order "nft list" prints them. */
	if (s->dynamic)
		fprintf(f, "\t\tsize %u\n\t\tflags dynamic,timeout\n\t\ttimeout %s\n", s->size,
			render_duration(s->timeout_s, tbuf, sizeof(tbuf)));
	if (s->interval)
		fputs("\t\tflags interval\n", f);
	if (s->comment)
		fprintf(f, "\t\tcomment \"%s\"\n", s->comment);
	for (i = 0; i < s->n_elems; i++) {
		fputs(i ? ",\n\t\t\t     " : "\t\telements = { ", f);
		for (k = 0; k < s->n_key; k++) {
			if (k)
				fputs(" . ", f);
			print_key(f, s->key[k], &s->elems[i].key[k]);
		}
		if (s->is_map)
			fprintf(f, " : jump %s", s->elems[i].jump);
	}
	if (s->n_elems)
		fputs(" }\n", f);
	fputs("\t}\n", f);
}

static const char *hook_name(enum chain_hook h)
{
	switch (h) {
	case HOOK_PREROUTING:
		return "prerouting";
	case HOOK_INPUT:
		return "input";
	case HOOK_FORWARD:
		return "forward";
	case HOOK_OUTPUT:
		return "output";
	case HOOK_POSTROUTING:
		return "postrouting";
	default:
		return "?";
	}
}

static void print_priority(FILE *f, const struct chain *c)
{
	static const struct {
		int prio;
		const char *name;
		bool nat;
	} names[] = { { -300, "raw", false },	 { -150, "mangle", false }, { 0, "filter", false },
		      { -100, "dstnat", true }, { 100, "srcnat", true } };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].prio == c->priority && names[i].nat == !strcmp(c->type, "nat")) {
			fputs(names[i].name, f);
			return;
		}
	fprintf(f, "%d", c->priority);
}

static void render_chain(FILE *f, const struct chain *c, unsigned flags)
{
	size_t i;

	fprintf(f, "\tchain %s {\n", c->name);
	if (c->hook != HOOK_NONE) {
		fprintf(f, "\t\ttype %s hook %s priority ", c->type, hook_name(c->hook));
		print_priority(f, c);
		fprintf(f, "; policy %s;\n", c->policy == VERDICT_DROP ? "drop" : "accept");
	}
	for (i = 0; i < c->n_rules; i++) {
		const struct rule *r = &c->rules[i];

		/* A deny's origin goes above its first companion. */
		if ((flags & RENDER_ORIGINS) && r->origin.file &&
		    !(i > 0 && (c->rules[i - 1].role == ROLE_LOG ||
				c->rules[i - 1].role == ROLE_SRCLIMIT)))
			fprintf(f, "\t\t# %s:%d\n", r->origin.file, r->origin.line);
		fputs("\t\t", f);
		render_rule(f, r);
		fputc('\n', f);
	}
	fputs("\t}\n", f);
}

int render_ruleset(FILE *f, const struct ruleset *rs, unsigned flags)
{
	size_t i;

	fprintf(f, "# gatewayd ruleset: generated from the config; review changes with "
		   "'netctl diff'.\n");
	fprintf(f, "table inet %s {\n", rs->table);
	for (i = 0; i < rs->n_sets; i++) {
		if (i)
			fputc('\n', f);
		render_set(f, rs->sets[i]);
	}
	for (i = 0; i < rs->n_chains; i++) {
		fputc('\n', f);
		render_chain(f, rs->chains[i], flags);
	}
	fputs("}\n", f);
	return ferror(f) ? -EIO : 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Netlink encoder: ruleset data to libnftnl objects to one batch buffer.
 * Each match becomes the expressions nft itself generates for the same text
 * (with its dependencies: meta nfproto before an IP field, meta l4proto
 * before a port), so "nft list" of the applied table prints the canonical
 * rendering back; tests/e2e/apply_readback.sh holds us to that.
 */
#include "encode.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* nftables' datatype ids, as "nft list" decodes a set's key type. */
enum {
	NFT_TYPE_VERDICT = 1,
	NFT_TYPE_IPADDR = 7,
	NFT_TYPE_IP6ADDR = 8,
	NFT_TYPE_ETHERADDR = 9,
	NFT_TYPE_INET_PROTOCOL = 12,
	NFT_TYPE_INET_SERVICE = 13,
	NFT_TYPE_MARK = 19,
	NFT_TYPE_IFNAME = 41,
	NFT_TYPE_BITS = 6,
};

/* Elements per NEWSETELEM message: keeps each message well below 64 KiB. */
#define ELEMS_PER_MSG 512

struct seq_note {
	const char *what;            /* owned */
	const struct origin *origin; /* borrowed from the ruleset */
};

struct nl_batch {
	char *buf;
	size_t len, cap;
	uint32_t seq_first, seq;
	struct seq_note *notes; /* index: seq - seq_first */
	size_t n_notes, cap_notes;
	uint32_t set_id;
	size_t last_off; /* offset of the last message committed */
	size_t zeroed;   /* buf[0, zeroed) has been cleared before use */
};

void nl_batch_free(struct nl_batch *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n_notes; i++)
		free((char *)b->notes[i].what);
	free(b->notes);
	free(b->buf);
	free(b);
}

const void *nl_batch_data(const struct nl_batch *b)
{
	return b->buf;
}

size_t nl_batch_len(const struct nl_batch *b)
{
	return b->len;
}

uint32_t nl_batch_seq_first(const struct nl_batch *b)
{
	return b->seq_first;
}

uint32_t nl_batch_seq_last(const struct nl_batch *b)
{
	return b->seq - 1;
}

const char *nl_batch_describe(const struct nl_batch *b, uint32_t seq,
			      const struct origin **ret_origin)
{
	size_t i = seq - b->seq_first;

	if (seq < b->seq_first || i >= b->n_notes || !b->notes[i].what)
		return NULL;
	if (ret_origin)
		*ret_origin = b->notes[i].origin;
	return b->notes[i].what;
}

/*
 * Room for one more message of at most @need bytes; returns its start,
 * cleared (libmnl 1.0.4 leaves attribute padding unwritten). Only
 * what a message may use is cleared, once: clearing the whole new capacity
 * at each doubling cost a page fault for every page never used, up to half
 * the buffer.
 */
static char *room(struct nl_batch *b, size_t need)
{
	if (b->cap - b->len < need) {
		size_t ncap = b->cap ? b->cap : 65536;
		char *n;

		while (ncap - b->len < need)
			ncap *= 2;
		n = realloc(b->buf, ncap);
		if (!n)
			return NULL;
		b->buf = n;
		b->cap = ncap;
	}
	if (b->zeroed < b->len + need) {
		memset(b->buf + b->zeroed, 0, b->len + need - b->zeroed);
		b->zeroed = b->len + need;
	}
	return b->buf + b->len;
}

/* Records what the next message is and returns its sequence number. */
static int note(struct nl_batch *b, const char *what, const struct origin *o, uint32_t *ret_seq)
{
	struct seq_note *n;

	if (b->n_notes == b->cap_notes) {
		size_t ncap = b->cap_notes ? b->cap_notes * 2 : 256;

		n = realloc(b->notes, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		b->notes = n;
		b->cap_notes = ncap;
	}
	n = &b->notes[b->n_notes++];
	n->what = what ? strdup(what) : NULL;
	n->origin = o;
	if (what && !n->what)
		return -ENOMEM;
	*ret_seq = b->seq++;
	return 0;
}

static void commit_msg(struct nl_batch *b, struct nlmsghdr *nlh)
{
	b->last_off = b->len;
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* ---- expressions ------------------------------------------------------- */

/* Register holding byte offset @off of a concatenation (nft's numbering). */
static uint32_t reg_at(unsigned off)
{
	unsigned words = off / 4;

	return words % 4 == 0 ? NFT_REG_1 + words / 4 : NFT_REG32_00 + words;
}

static int add(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

static struct nftnl_expr *expr(const char *name)
{
	return nftnl_expr_alloc(name);
}

static int meta_load(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = expr("meta");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	return add(r, e);
}

static int payload_load(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len,
			uint32_t dreg)
{
	struct nftnl_expr *e = expr("payload");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	return add(r, e);
}

static int cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = expr("cmp");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	return add(r, e);
}

static int bitwise(struct nftnl_rule *r, const void *mask, uint32_t len)
{
	struct nftnl_expr *e = expr("bitwise");
	uint8_t zero[16] = { 0 };

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	return add(r, e);
}

static int range_eq(struct nftnl_rule *r, const void *lo, const void *hi, uint32_t len)
{
	struct nftnl_expr *e = expr("range");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, NFT_RANGE_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, lo, len);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, hi, len);
	return add(r, e);
}

/* Dependencies already established in the rule being encoded. */
struct deps {
	uint8_t nfproto;
	uint8_t l4proto;
	bool ether;
};

/* meta KEY == @v, unless the rule already established it (*@have == @v). */
static int dep_meta(struct nftnl_rule *r, uint32_t key, uint8_t *have, uint8_t v)
{
	int ret;

	if (*have == v)
		return 0;
	*have = v;
	if ((ret = meta_load(r, key, NFT_REG_1)))
		return ret;
	return cmp(r, NFT_CMP_EQ, &v, 1);
}

static int dep_nfproto(struct nftnl_rule *r, struct deps *d, uint8_t fam)
{
	return dep_meta(r, NFT_META_NFPROTO, &d->nfproto, fam);
}

static int dep_l4proto(struct nftnl_rule *r, struct deps *d, uint8_t proto)
{
	return dep_meta(r, NFT_META_L4PROTO, &d->l4proto, proto);
}

/* meta iiftype ether: the link header is an Ethernet one. */
static int dep_ether(struct nftnl_rule *r, struct deps *d)
{
	uint16_t t = ARPHRD_ETHER;
	int ret;

	if (d->ether)
		return 0;
	d->ether = true;
	if ((ret = meta_load(r, NFT_META_IIFTYPE, NFT_REG_1)))
		return ret;
	return cmp(r, NFT_CMP_EQ, &t, 2);
}

struct field {
	uint32_t base, off, len; /* payload; base 0 with meta_key for meta */
	uint32_t meta_key;
	bool is_meta, is_ct;
};

/* Where a selector's bits are, and the dependency it needs. */
static int sel_field(struct nftnl_rule *r, struct deps *d, enum sel s, bool in_concat,
		     struct field *f)
{
	int ret = 0;

	memset(f, 0, sizeof(*f));
	switch (s) {
	case SEL_IIFNAME:
	case SEL_OIFNAME:
		*f = (struct field){ .is_meta = true, .len = IFNAMSIZ,
				     .meta_key = s == SEL_IIFNAME ? NFT_META_IIFNAME : NFT_META_OIFNAME };
		return 0;
	case SEL_L4PROTO:
		*f = (struct field){ .is_meta = true, .len = 1, .meta_key = NFT_META_L4PROTO };
		return 0;
	case SEL_NFPROTO:
		*f = (struct field){ .is_meta = true, .len = 1, .meta_key = NFT_META_NFPROTO };
		return 0;
	case SEL_CT_STATE:
		*f = (struct field){ .is_ct = true, .len = 4 };
		return 0;
	case SEL_ETHER_SADDR:
		ret = dep_ether(r, d);
		*f = (struct field){ .base = NFT_PAYLOAD_LL_HEADER, .off = 6, .len = ETH_ALEN };
		return ret;
	case SEL_IP_SADDR:
	case SEL_IP_DADDR:
		ret = dep_nfproto(r, d, NFPROTO_IPV4);
		*f = (struct field){ .base = NFT_PAYLOAD_NETWORK_HEADER,
				     .off = s == SEL_IP_SADDR ? 12 : 16, .len = 4 };
		return ret;
	case SEL_IP6_SADDR:
	case SEL_IP6_DADDR:
		ret = dep_nfproto(r, d, NFPROTO_IPV6);
		*f = (struct field){ .base = NFT_PAYLOAD_NETWORK_HEADER,
				     .off = s == SEL_IP6_SADDR ? 8 : 24, .len = 16 };
		return ret;
	case SEL_TH_DPORT:
		*f = (struct field){ .base = NFT_PAYLOAD_TRANSPORT_HEADER, .off = 2, .len = 2 };
		return 0;
	case SEL_TCP_DPORT:
	case SEL_UDP_DPORT:
	case SEL_SCTP_DPORT:
	case SEL_UDP_SPORT:
		if (!in_concat)
			ret = dep_l4proto(r, d, s == SEL_TCP_DPORT    ? IPPROTO_TCP
						: s == SEL_SCTP_DPORT ? IPPROTO_SCTP
								      : IPPROTO_UDP);
		*f = (struct field){ .base = NFT_PAYLOAD_TRANSPORT_HEADER,
				     .off = s == SEL_UDP_SPORT ? 0 : 2, .len = 2 };
		return ret;
	case SEL_ICMP_TYPE:
	case SEL_ICMPV6_TYPE:
		ret = dep_nfproto(r, d, s == SEL_ICMP_TYPE ? NFPROTO_IPV4 : NFPROTO_IPV6);
		if (!ret)
			ret = dep_l4proto(r, d, s == SEL_ICMP_TYPE ? IPPROTO_ICMP : IPPROTO_ICMPV6);
		*f = (struct field){ .base = NFT_PAYLOAD_TRANSPORT_HEADER, .off = 0, .len = 1 };
		return ret;
	default:
		return -EOPNOTSUPP;
	}
}

static int load_field(struct nftnl_rule *r, const struct field *f, uint32_t dreg)
{
	struct nftnl_expr *e;

	if (f->is_meta)
		return meta_load(r, f->meta_key, dreg);
	if (f->is_ct) {
		e = expr("ct");
		if (!e)
			return -ENOMEM;
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, dreg);
		return add(r, e);
	}
	return payload_load(r, f->base, f->off, f->len, dreg);
}

/* The register size of a key type, padded to 4 bytes (concatenations). */
static unsigned padded(unsigned len)
{
	return (len + 3) & ~3u;
}

static int encode_set_match(struct nftnl_rule *r, struct deps *d, const struct match *m,
			    const struct ruleset *rs, uint32_t set_id_of(const struct ruleset *, const char *))
{
	struct nftnl_expr *e;
	unsigned off = 0;
	size_t i;
	int ret;

	/* Dependencies of the fields first, as nft orders them. */
	if (m->n_sel == 2 && m->sel[0] == SEL_ETHER_SADDR && m->sel[1] == SEL_IP_SADDR) {
		/* ether saddr . ip saddr: Ethernet, carrying IPv4 (nft's dependency). */
		uint16_t et = htons(ETH_P_IP);

		if ((ret = dep_ether(r, d)) ||
		    (ret = payload_load(r, NFT_PAYLOAD_LL_HEADER, 12, 2, NFT_REG_1)) ||
		    (ret = cmp(r, NFT_CMP_EQ, &et, 2)))
			return ret;
		d->nfproto = NFPROTO_IPV4;
	}
	for (i = 0; i < m->n_sel; i++) {
		struct field f;

		if ((ret = sel_field(r, d, m->sel[i], m->n_sel > 1, &f)))
			return ret;
		if ((ret = load_field(r, &f, reg_at(off))))
			return ret;
		off += padded(f.len);
	}
	e = expr("lookup");
	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, m->set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id_of(rs, m->set));
	if (m->op == MOP_NOT_IN_SET)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
	return add(r, e);
}

static int encode_addr_match(struct nftnl_rule *r, const struct field *f, const struct addr_range *a)
{
	unsigned bits = f->len * 8, plen;
	uint8_t mask[16] = { 0 };
	int ret;

	for (plen = 0; plen < bits; plen++) {
		uint8_t m = (uint8_t)(0x80 >> (plen % 8));

		if ((a->lo[plen / 8] & m) != (a->hi[plen / 8] & m))
			break;
	}
	if (plen % 8 == 0) {
		/* Whole bytes: load only the prefix's bytes (as nft does). */
		if ((ret = payload_load(r, f->base, f->off, plen ? plen / 8 : f->len, NFT_REG_1)))
			return ret;
		if (plen == 0) {
			/* 0.0.0.0/0 never occurs in a compiled rule. */
			return -EOPNOTSUPP;
		}
		return cmp(r, NFT_CMP_EQ, a->lo, plen / 8);
	}
	if ((ret = payload_load(r, f->base, f->off, f->len, NFT_REG_1)))
		return ret;
	for (unsigned i = 0; i < plen; i++)
		mask[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	if ((ret = bitwise(r, mask, f->len)))
		return ret;
	return cmp(r, NFT_CMP_EQ, a->lo, f->len);
}

static int encode_value_match(struct nftnl_rule *r, struct deps *d, const struct match *m)
{
	enum sel s = m->sel[0];
	uint32_t op = m->op == MOP_NE ? NFT_CMP_NEQ : NFT_CMP_EQ;
	struct field f;
	int ret;

	if ((ret = sel_field(r, d, s, false, &f)))
		return ret;
	switch (s) {
	case SEL_IP_SADDR:
	case SEL_IP_DADDR:
	case SEL_IP6_SADDR:
	case SEL_IP6_DADDR:
		return encode_addr_match(r, &f, &m->v.addr);
	case SEL_CT_STATE: {
		uint32_t bits = m->v.num, zero = 0;

		if ((ret = load_field(r, &f, NFT_REG_1)) || (ret = bitwise(r, &bits, 4)))
			return ret;
		return cmp(r, NFT_CMP_NEQ, &zero, 4);
	}
	default:
		break;
	}
	if ((ret = load_field(r, &f, NFT_REG_1)))
		return ret;
	switch (s) {
	case SEL_IIFNAME:
	case SEL_OIFNAME: {
		char name[IFNAMSIZ] = { 0 };

		memcpy(name, m->v.str, strnlen(m->v.str, IFNAMSIZ - 1));
		return cmp(r, op, name, IFNAMSIZ);
	}
	case SEL_ETHER_SADDR:
		return cmp(r, op, m->v.mac, ETH_ALEN);
	case SEL_L4PROTO:
	case SEL_NFPROTO:
	case SEL_ICMP_TYPE:
	case SEL_ICMPV6_TYPE: {
		uint8_t v = (uint8_t)m->v.num;

		if (s == SEL_NFPROTO)
			d->nfproto = v;
		if (s == SEL_L4PROTO)
			d->l4proto = v;
		return cmp(r, op, &v, 1);
	}
	case SEL_TCP_DPORT:
	case SEL_UDP_DPORT:
	case SEL_SCTP_DPORT:
	case SEL_UDP_SPORT:
	case SEL_TH_DPORT: {
		uint16_t lo = htons(m->v.lo), hi = htons(m->v.hi);

		if (m->v.lo != m->v.hi)
			return range_eq(r, &lo, &hi, 2);
		return cmp(r, op, &lo, 2);
	}
	default:
		return -EOPNOTSUPP;
	}
}

static uint32_t set_id_of(const struct ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->n_sets; i++)
		if (!strcmp(rs->sets[i]->name, name))
			return (uint32_t)i + 1;
	return 0;
}

static int encode_verdict(struct nftnl_rule *r, const struct rule *ru, const struct ruleset *rs)
{
	struct nftnl_expr *e;
	size_t i;
	int ret;

	switch (ru->verdict) {
	case VERDICT_ACCEPT:
	case VERDICT_DROP:
	case VERDICT_JUMP:
		e = expr("immediate");
		if (!e)
			return -ENOMEM;
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT,
				   ru->verdict == VERDICT_ACCEPT ? NF_ACCEPT
				   : ru->verdict == VERDICT_DROP ? NF_DROP
								 : (uint32_t)NFT_JUMP);
		if (ru->verdict == VERDICT_JUMP)
			nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, ru->target);
		return add(r, e);
	case VERDICT_VMAP: {
		unsigned off = 0;

		for (i = 0; i < ru->n_vmap_sel; i++) {
			struct field f;
			struct deps d = { 0 };

			if ((ret = sel_field(r, &d, ru->vmap_sel[i], true, &f)) ||
			    (ret = load_field(r, &f, reg_at(off))))
				return ret;
			off += padded(f.len);
		}
		e = expr("lookup");
		if (!e)
			return -ENOMEM;
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, ru->target);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id_of(rs, ru->target));
		return add(r, e);
	}
	case VERDICT_DNAT:
	case VERDICT_SNAT:
		e = expr("immediate");
		if (!e)
			return -ENOMEM;
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, ru->nat_to.a, 4);
		if ((ret = add(r, e)))
			return ret;
		e = expr("nat");
		if (!e)
			return -ENOMEM;
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE,
				   ru->verdict == VERDICT_DNAT ? NFT_NAT_DNAT : NFT_NAT_SNAT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
		return add(r, e);
	case VERDICT_NONE:
		return 0;
	}
	return -EOPNOTSUPP;
}

/*
 * C-10: "meta mark set M update @set { ip[6] saddr . meta mark limit rate
 * over R/second burst B packets counter }", expression for expression as
 * nft 1.0 builds it (the address family's dependency after the mark).
 */
static int encode_srclimit(struct nftnl_rule *r, struct deps *d, const struct rule *ru,
			   const struct ruleset *rs)
{
	struct nftnl_expr *e, *lim, *cnt;
	struct field f;
	int ret;

	e = expr("immediate");
	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &ru->mark, sizeof(ru->mark));
	if ((ret = add(r, e)))
		return ret;
	e = expr("meta");
	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_MARK);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
	if ((ret = add(r, e)))
		return ret;
	if ((ret = sel_field(r, d, ru->src_family == AF_INET6 ? SEL_IP6_SADDR : SEL_IP_SADDR,
			     true, &f)) ||
	    (ret = load_field(r, &f, NFT_REG_1)) ||
	    (ret = meta_load(r, NFT_META_MARK, reg_at(padded(f.len)))))
		return ret;
	e = expr("dynset");
	lim = expr("limit");
	cnt = expr("counter");
	if (!e || !lim || !cnt) {
		nftnl_expr_free(e);
		nftnl_expr_free(lim);
		nftnl_expr_free(cnt);
		return -ENOMEM;
	}
	nftnl_expr_set_u64(lim, NFTNL_EXPR_LIMIT_RATE, ru->limit_rate);
	nftnl_expr_set_u64(lim, NFTNL_EXPR_LIMIT_UNIT, 1);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_BURST, ru->limit_burst);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_FLAGS, NFT_LIMIT_F_INV);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_UPDATE);
	nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, ru->src_set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SET_ID, set_id_of(rs, ru->src_set));
	nftnl_expr_set_u64(e, NFTNL_EXPR_DYNSET_TIMEOUT, 0);
	/* Two element expressions: the kernel wants them announced. */
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_FLAGS, NFT_DYNSET_F_EXPR);
	nftnl_expr_add_expr(e, NFTNL_EXPR_DYNSET_EXPRESSIONS, lim);
	nftnl_expr_add_expr(e, NFTNL_EXPR_DYNSET_EXPRESSIONS, cnt);
	return add(r, e);
}

static int encode_rule_exprs(struct nftnl_rule *r, const struct rule *ru, const struct ruleset *rs)
{
	struct deps d = { 0 };
	struct nftnl_expr *e;
	size_t i;
	int ret;

	for (i = 0; i < ru->n_match; i++) {
		const struct match *m = &ru->m[i];

		if (m->op == MOP_IN_SET || m->op == MOP_NOT_IN_SET)
			ret = encode_set_match(r, &d, m, rs, set_id_of);
		else
			ret = encode_value_match(r, &d, m);
		if (ret)
			return ret;
	}
	if (ru->role == ROLE_SRCLIMIT) {
		if ((ret = encode_srclimit(r, &d, ru, rs)))
			return ret;
	} else if (ru->limit_rate) {
		e = expr("limit");
		if (!e)
			return -ENOMEM;
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, ru->limit_rate);
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, ru->limit_burst);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
		if ((ret = add(r, e)))
			return ret;
	}
	if (ru->counter && (ret = add(r, expr("counter"))))
		return ret;
	if (ru->log_prefix) {
		e = expr("log");
		if (!e)
			return -ENOMEM;
		nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, ru->log_prefix);
		nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_GROUP, (uint16_t)ru->log_group);
		if ((ret = add(r, e)))
			return ret;
	}
	return encode_verdict(r, ru, rs);
}

/* ---- objects ----------------------------------------------------------- */

static int put_table(struct nl_batch *b, const struct ruleset *rs, uint16_t type)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	uint32_t seq;
	char *p;

	if (!t || !(p = room(b, 4096)) || note(b, NULL, NULL, &seq)) {
		nftnl_table_free(t);
		return -ENOMEM;
	}
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, rs->table);
	nlh = nftnl_nlmsg_build_hdr(p, type, NFPROTO_INET,
				    type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0, seq);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	commit_msg(b, nlh);
	return 0;
}

static uint32_t hook_num(enum chain_hook h)
{
	switch (h) {
	case HOOK_PREROUTING:
		return NF_INET_PRE_ROUTING;
	case HOOK_INPUT:
		return NF_INET_LOCAL_IN;
	case HOOK_FORWARD:
		return NF_INET_FORWARD;
	case HOOK_OUTPUT:
		return NF_INET_LOCAL_OUT;
	default:
		return NF_INET_POST_ROUTING;
	}
}

static int put_chain(struct nl_batch *b, const struct ruleset *rs, const struct chain *c)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();
	struct nlmsghdr *nlh;
	char what[96];
	uint32_t seq;
	char *p;

	snprintf(what, sizeof(what), "chain '%s'", c->name);
	if (!ch || !(p = room(b, 4096)) || note(b, what, NULL, &seq)) {
		nftnl_chain_free(ch);
		return -ENOMEM;
	}
	nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, rs->table);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, c->name);
	if (c->hook != HOOK_NONE) {
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM, hook_num(c->hook));
		nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO, c->priority);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, c->type);
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY,
				    c->policy == VERDICT_DROP ? NF_DROP : NF_ACCEPT);
	}
	nlh = nftnl_nlmsg_build_hdr(p, NFT_MSG_NEWCHAIN, NFPROTO_INET, NLM_F_CREATE,
				    seq);
	nftnl_chain_nlmsg_build_payload(nlh, ch);
	nftnl_chain_free(ch);
	commit_msg(b, nlh);
	return 0;
}

static void key_info(enum key_type k, uint32_t *type, uint32_t *len)
{
	switch (k) {
	case KT_IFNAME:
		*type = NFT_TYPE_IFNAME, *len = IFNAMSIZ;
		break;
	case KT_ETHER:
		*type = NFT_TYPE_ETHERADDR, *len = ETH_ALEN;
		break;
	case KT_IPV4:
		*type = NFT_TYPE_IPADDR, *len = 4;
		break;
	case KT_IPV6:
		*type = NFT_TYPE_IP6ADDR, *len = 16;
		break;
	case KT_PROTO:
		*type = NFT_TYPE_INET_PROTOCOL, *len = 1;
		break;
	case KT_SERVICE:
		*type = NFT_TYPE_INET_SERVICE, *len = 2;
		break;
	case KT_MARK:
		*type = NFT_TYPE_MARK, *len = 4;
		break;
	}
}

/* Writes one key component into @out; returns its unpadded length. */
static uint32_t key_bytes(enum key_type k, const struct value *v, bool hi, uint8_t *out)
{
	uint16_t port;

	switch (k) {
	case KT_IFNAME:
		memcpy(out, v->str, strnlen(v->str, IFNAMSIZ - 1));
		return IFNAMSIZ;
	case KT_ETHER:
		memcpy(out, v->mac, ETH_ALEN);
		return ETH_ALEN;
	case KT_IPV4:
		memcpy(out, hi ? v->addr.hi : v->addr.lo, 4);
		return 4;
	case KT_IPV6:
		memcpy(out, hi ? v->addr.hi : v->addr.lo, 16);
		return 16;
	case KT_PROTO:
		out[0] = (uint8_t)v->num;
		return 1;
	case KT_SERVICE:
		port = htons(hi ? v->hi : v->lo);
		memcpy(out, &port, 2);
		return 2;
	case KT_MARK:
		memcpy(out, &v->num, 4);
		return 4;
	}
	return 0;
}

static struct nftnl_set *set_obj(const struct ruleset *rs, const struct set *s, uint32_t id)
{
	struct nftnl_set *ns = nftnl_set_alloc();

	if (!ns)
		return NULL;
	nftnl_set_set_u32(ns, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(ns, NFTNL_SET_TABLE, rs->table);
	nftnl_set_set_str(ns, NFTNL_SET_NAME, s->name);
	nftnl_set_set_u32(ns, NFTNL_SET_ID, id);
	return ns;
}

static int put_set(struct nl_batch *b, const struct ruleset *rs, const struct set *s, uint32_t id)
{
	struct nftnl_set *ns = set_obj(rs, s, id);
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(512);
	uint32_t type = 0, len = 0, flags = 0, seq;
	struct nlmsghdr *nlh;
	char what[96];
	size_t i;
	char *p;
	int ret = -ENOMEM;

	if (!ns || !ud)
		goto out;
	if (s->n_key > 1 && s->interval) {
		ret = -EOPNOTSUPP; /* compile.c never builds these (see svc_variants) */
		goto out;
	}
	for (i = 0; i < s->n_key; i++) {
		uint32_t t = 0, l = 0;

		key_info(s->key[i], &t, &l);
		type = type << NFT_TYPE_BITS | t;
		len += s->n_key > 1 ? padded(l) : l;
	}
	/* NFT_SET_CONCAT is for concatenated intervals only, which we never build. */
	if (s->interval)
		flags |= NFT_SET_INTERVAL;
	if (s->is_map) {
		flags |= NFT_SET_MAP;
		nftnl_set_set_u32(ns, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
	}
	if (s->dynamic) {
		/* Filled by "update" from the rules (C-10), as nft declares it. */
		flags |= NFT_SET_EVAL | NFT_SET_TIMEOUT;
		nftnl_set_set_u64(ns, NFTNL_SET_TIMEOUT, (uint64_t)s->timeout_s * 1000);
		nftnl_set_set_u32(ns, NFTNL_SET_DESC_SIZE, s->size);
	}
	nftnl_set_set_u32(ns, NFTNL_SET_FLAGS, flags);
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_TYPE, type);
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_LEN, len);
	/*
	 * nft decodes a single key by its byte order, which only the set's
	 * user data carries: strings and protocol numbers are host order.
	 */
	if (s->n_key == 1 &&
	    !nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
				 s->key[0] == KT_IFNAME || s->key[0] == KT_PROTO ? 1 : 2))
		goto out;
	if (s->comment && !nftnl_udata_put_strz(ud, NFTNL_UDATA_SET_COMMENT, s->comment))
		goto out;
	nftnl_set_set_data(ns, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
			   nftnl_udata_buf_len(ud));
	snprintf(what, sizeof(what), "%s '%s'", s->is_map ? "map" : "set", s->name);
	if (!(p = room(b, 8192)) || note(b, what, NULL, &seq))
		goto out;
	nlh = nftnl_nlmsg_build_hdr(p, NFT_MSG_NEWSET, NFPROTO_INET, NLM_F_CREATE, seq);
	nftnl_set_nlmsg_build_payload(nlh, ns);
	commit_msg(b, nlh);
	ret = 0;
out:
	nftnl_udata_buf_free(ud);
	nftnl_set_free(ns);
	return ret;
}

static bool all_ones(const uint8_t *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != 0xff)
			return false;
	return true;
}

static int add_elem(struct nftnl_set *ns, const void *key, uint32_t len, uint32_t flags,
		    const char *jump)
{
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();

	if (!e)
		return -ENOMEM;
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, len);
	if (flags)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, flags);
	if (jump) {
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, (uint32_t)NFT_JUMP);
		nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, jump);
	}
	nftnl_set_elem_add(ns, e);
	return 0;
}

int encode_elem_key(const struct set *s, const struct elem *el, uint8_t key[ENCODE_KEY_MAX])
{
	uint32_t len = 0, l;
	size_t k;

	if (s->interval)
		return -EOPNOTSUPP;
	memset(key, 0, ENCODE_KEY_MAX);
	for (k = 0; k < s->n_key; k++) {
		l = key_bytes(s->key[k], &el->key[k], false, key + len);
		len += s->n_key > 1 ? padded(l) : l;
	}
	return (int)len;
}

/* One element, or for an interval set its start and (exclusive) end. */
static int elem_to(struct nftnl_set *ns, const struct set *s, const struct elem *el, size_t idx,
		   uint8_t *prev_end_zero)
{
	uint8_t key[ENCODE_KEY_MAX] = { 0 }, end[16];
	uint32_t l;
	size_t k;
	int ret;

	if (!s->interval)
		return add_elem(ns, key, (uint32_t)encode_elem_key(s, el, key), 0,
				s->is_map ? el->jump : NULL);
	/* Interval sets of one address key: [lo, hi] as start and end+1 (nft's encoding). */
	l = key_bytes(s->key[0], &el->key[0], false, key);
	if (idx == 0 && !*prev_end_zero) {
		uint8_t zero[16] = { 0 };

		if (memcmp(key, zero, l)) {
			if ((ret = add_elem(ns, zero, l, NFT_SET_ELEM_INTERVAL_END, NULL)))
				return ret;
		}
		*prev_end_zero = 1;
	}
	if ((ret = add_elem(ns, key, l, 0, NULL)))
		return ret;
	key_bytes(s->key[0], &el->key[0], true, end);
	if (all_ones(end, l))
		return 0;
	for (k = l; k-- > 0;)
		if (++end[k] != 0)
			break;
	return add_elem(ns, end, l, NFT_SET_ELEM_INTERVAL_END, NULL);
}

static int put_elems(struct nl_batch *b, const struct ruleset *rs, const struct set *s, uint32_t id)
{
	uint8_t zero_done = 0;
	size_t i = 0;
	char what[96];

	snprintf(what, sizeof(what), "elements of %s '%s'", s->is_map ? "map" : "set", s->name);
	while (i < s->n_elems) {
		struct nftnl_set *ns = set_obj(rs, s, id);
		size_t n = 0, bytes = 0;
		struct nlmsghdr *nlh;
		uint32_t seq;
		char *p;

		if (!ns)
			return -ENOMEM;
		for (; i < s->n_elems && n < ELEMS_PER_MSG; i++, n++) {
			if (elem_to(ns, s, &s->elems[i], i, &zero_done)) {
				nftnl_set_free(ns);
				return -ENOMEM;
			}
			bytes += 160;
		}
		if (!(p = room(b, bytes + 8192)) || note(b, what, NULL, &seq)) {
			nftnl_set_free(ns);
			return -ENOMEM;
		}
		nlh = nftnl_nlmsg_build_hdr(p, NFT_MSG_NEWSETELEM, NFPROTO_INET,
					    NLM_F_CREATE, seq);
		nftnl_set_elems_nlmsg_build_payload(nlh, ns);
		nftnl_set_free(ns);
		commit_msg(b, nlh);
	}
	return 0;
}

static int put_rule(struct nl_batch *b, const struct ruleset *rs, const struct chain *c,
		    const struct rule *ru)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(512);
	struct nlmsghdr *nlh;
	char what[160];
	uint32_t seq;
	char *p;
	int ret = -ENOMEM;

	if (!r || !ud)
		goto out;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, rs->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, c->name);
	if ((ret = encode_rule_exprs(r, ru, rs)))
		goto out;
	ret = -ENOMEM;
	if (ru->id) {
		if (!nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, ru->id))
			goto out;
		nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
				    nftnl_udata_buf_len(ud));
	}
	snprintf(what, sizeof(what), "rule '%s'", ru->id ? ru->id : "?");
	if (!(p = room(b, 16384)) || note(b, what, &ru->origin, &seq))
		goto out;
	nlh = nftnl_nlmsg_build_hdr(p, NFT_MSG_NEWRULE, NFPROTO_INET,
				    NLM_F_CREATE | NLM_F_APPEND, seq);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	commit_msg(b, nlh);
	ret = 0;
out:
	nftnl_udata_buf_free(ud);
	nftnl_rule_free(r);
	return ret;
}

int encode_ruleset(const struct ruleset *rs, uint32_t seq, struct nl_batch **ret_b)
{
	struct nl_batch *b = calloc(1, sizeof(*b));
	struct nlmsghdr *nlh;
	size_t i, k;
	uint32_t s;
	char *p;
	int ret = -ENOMEM;

	if (!b)
		return -ENOMEM;
	b->seq_first = b->seq = seq;
	if (!(p = room(b, 4096)) || note(b, NULL, NULL, &s))
		goto fail;
	nlh = nftnl_batch_begin(p, s);
	commit_msg(b, nlh);
	/* Create-if-missing, delete, create: replaces the table in one transaction. */
	if ((ret = put_table(b, rs, NFT_MSG_NEWTABLE)) || (ret = put_table(b, rs, NFT_MSG_DELTABLE)) ||
	    (ret = put_table(b, rs, NFT_MSG_NEWTABLE)))
		goto fail;
	for (i = 0; i < rs->n_chains; i++)
		if ((ret = put_chain(b, rs, rs->chains[i])))
			goto fail;
	for (i = 0; i < rs->n_sets; i++)
		if ((ret = put_set(b, rs, rs->sets[i], (uint32_t)i + 1)) ||
		    (ret = put_elems(b, rs, rs->sets[i], (uint32_t)i + 1)))
			goto fail;
	for (i = 0; i < rs->n_chains; i++)
		for (k = 0; k < rs->chains[i]->n_rules; k++)
			if ((ret = put_rule(b, rs, rs->chains[i], &rs->chains[i]->rules[k])))
				goto fail;
	/*
	 * The kernel reports every failing message whatever its flags; an ack
	 * is asked of the last message only, and comes after every error (one
	 * ack per message would be one skb and one recv() per rule).
	 */
	((struct nlmsghdr *)(b->buf + b->last_off))->nlmsg_flags |= NLM_F_ACK;
	ret = -ENOMEM;
	if (!(p = room(b, 4096)) || note(b, NULL, NULL, &s))
		goto fail;
	nlh = nftnl_batch_end(p, s);
	commit_msg(b, nlh);
	*ret_b = b;
	return 0;
fail:
	nl_batch_free(b);
	return ret;
}

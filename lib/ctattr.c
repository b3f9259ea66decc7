/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Conntrack entries from ctnetlink attributes (NAT-5): see ctattr.h. */
#include "ctattr.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/* <linux/netfilter/nfnetlink_conntrack.h> */
enum {
	CTA_TUPLE_ORIG = 1,
	CTA_TUPLE_REPLY = 2,
	CTA_STATUS = 3,
	CTA_ID = 12,
};
enum { CTA_TUPLE_IP = 1, CTA_TUPLE_PROTO = 2 };
enum { CTA_IP_V4_SRC = 1, CTA_IP_V4_DST = 2, CTA_IP_V6_SRC = 3, CTA_IP_V6_DST = 4 };
enum { CTA_PROTO_NUM = 1, CTA_PROTO_SRC_PORT = 2, CTA_PROTO_DST_PORT = 3 };

#define NLA_HDR_LEN 4
#define NLA_TYPE_MASK 0x3fff
#define NLMSG_HDR_LEN 16
#define NFGEN_HDR_LEN 4
#define NFNL_SUBSYS_CTNETLINK 1
#define IPCTNL_MSG_CT_NEW 0

static uint16_t get_h16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get_h32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Called for each attribute of a run; a negative return stops the walk. */
typedef int (*attr_fn)(void *data, unsigned type, const uint8_t *v, size_t len);

/*
 * Walks the attributes of @len bytes at @data. Types below 32 that @fn
 * decodes (@decoded, a bit mask) may occur once.
 */
static int walk(const uint8_t *data, size_t len, uint32_t decoded, attr_fn fn, void *arg)
{
	uint32_t seen = 0;
	size_t off = 0;

	while (off < len) {
		size_t rem = len - off, alen, step;
		unsigned type;
		int r;

		if (rem < NLA_HDR_LEN)
			return -EINVAL;
		alen = get_h16(data + off);
		type = get_h16(data + off + 2) & NLA_TYPE_MASK;
		if (alen < NLA_HDR_LEN || alen > rem)
			return -EINVAL;
		if (type < 32 && (decoded & (1u << type))) {
			if (seen & (1u << type))
				return -EINVAL;
			seen |= 1u << type;
			r = fn(arg, type, data + off + NLA_HDR_LEN, alen - NLA_HDR_LEN);
			if (r < 0)
				return r;
		}
		step = (alen + 3) & ~(size_t)3;
		off += step < rem ? step : rem;
	}
	return 0;
}

static bool proto_has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 33 || proto == 132 || proto == 136;
}

/* A tuple as it is being decoded: which addresses were seen. */
struct tuple_dec {
	struct ct_tuple *t;
	unsigned addrs;       /* bit 0: v4 src, 1: v4 dst, 2: v6 src, 3: v6 dst */
	bool has_sport, has_dport;
	uint16_t sport, dport;
};

static int ip_attr(void *data, unsigned type, const uint8_t *v, size_t len)
{
	struct tuple_dec *d = data;
	size_t want = type <= CTA_IP_V4_DST ? 4 : 16;

	if (len != want)
		return -EINVAL;
	memcpy(type == CTA_IP_V4_SRC || type == CTA_IP_V6_SRC ? d->t->src : d->t->dst, v, len);
	d->addrs |= 1u << (type - 1);
	return 0;
}

static int proto_attr(void *data, unsigned type, const uint8_t *v, size_t len)
{
	struct tuple_dec *d = data;

	switch (type) {
	case CTA_PROTO_NUM:
		if (len != 1)
			return -EINVAL;
		d->t->has_proto = true;
		d->t->proto = v[0];
		return 0;
	case CTA_PROTO_SRC_PORT:
	case CTA_PROTO_DST_PORT:
		if (len != 2)
			return -EINVAL;
		if (type == CTA_PROTO_SRC_PORT) {
			d->has_sport = true;
			d->sport = get_be16(v);
		} else {
			d->has_dport = true;
			d->dport = get_be16(v);
		}
		return 0;
	default:
		return 0;
	}
}

static int tuple_attr(void *data, unsigned type, const uint8_t *v, size_t len)
{
	if (type == CTA_TUPLE_IP)
		return walk(v, len, 1u << CTA_IP_V4_SRC | 1u << CTA_IP_V4_DST | 1u << CTA_IP_V6_SRC |
				    1u << CTA_IP_V6_DST, ip_attr, data);
	return walk(v, len, 1u << CTA_PROTO_NUM | 1u << CTA_PROTO_SRC_PORT |
			    1u << CTA_PROTO_DST_PORT, proto_attr, data);
}

static int decode_tuple(struct ct_tuple *t, const uint8_t *v, size_t len)
{
	struct tuple_dec d = { .t = t };
	int r;

	memset(t, 0, sizeof(*t));
	r = walk(v, len, 1u << CTA_TUPLE_IP | 1u << CTA_TUPLE_PROTO, tuple_attr, &d);
	if (r < 0)
		return r;
	if (d.addrs == 0x3)
		t->family = AF_INET;
	else if (d.addrs == 0xc)
		t->family = AF_INET6;
	else if (d.addrs)
		return -EINVAL; /* one address only, or both families */
	if (t->has_proto && proto_has_ports(t->proto) && d.has_sport && d.has_dport) {
		t->has_ports = true;
		t->sport = d.sport;
		t->dport = d.dport;
	}
	return 0;
}

static int entry_attr(void *data, unsigned type, const uint8_t *v, size_t len)
{
	struct ct_entry *e = data;

	switch (type) {
	case CTA_TUPLE_ORIG:
		e->has_orig = true;
		return decode_tuple(&e->orig, v, len);
	case CTA_TUPLE_REPLY:
		e->has_reply = true;
		return decode_tuple(&e->reply, v, len);
	case CTA_STATUS:
		if (len != 4)
			return -EINVAL;
		e->has_status = true;
		e->status = get_be32(v);
		return 0;
	case CTA_ID:
		if (len != 4)
			return -EINVAL;
		e->has_id = true;
		e->id = get_be32(v);
		return 0;
	default:
		return 0;
	}
}

int ct_decode_attrs(const uint8_t *data, size_t len, struct ct_entry *ret)
{
	struct ct_entry e;
	int r;

	memset(&e, 0, sizeof(e));
	r = walk(data, len, 1u << CTA_TUPLE_ORIG | 1u << CTA_TUPLE_REPLY | 1u << CTA_STATUS |
			    1u << CTA_ID, entry_attr, &e);
	if (r < 0)
		return r;
	/* The two directions of one connection are of one family. */
	if (e.has_orig && e.has_reply && e.orig.family && e.reply.family &&
	    e.orig.family != e.reply.family)
		return -EINVAL;
	*ret = e;
	return 0;
}

int ct_decode_event(const uint8_t *msg, size_t len, struct ct_entry *ret, size_t *ret_len)
{
	struct ct_entry e;
	size_t mlen, step;
	uint16_t type;
	int r;

	if (len < NLMSG_HDR_LEN)
		return -EINVAL;
	mlen = get_h32(msg);
	type = get_h16(msg + 4);
	if (mlen < NLMSG_HDR_LEN || mlen > len)
		return -EINVAL;
	step = (mlen + 3) & ~(size_t)3;
	*ret_len = step < len ? step : len;
	if (type != (NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW))
		return -ENOENT;
	if (mlen < NLMSG_HDR_LEN + NFGEN_HDR_LEN)
		return -EINVAL;
	r = ct_decode_attrs(msg + NLMSG_HDR_LEN + NFGEN_HDR_LEN,
			    mlen - NLMSG_HDR_LEN - NFGEN_HDR_LEN, &e);
	if (r < 0)
		return r;
	if (!e.has_orig || !e.has_reply || !e.orig.family || !e.reply.family)
		return -EINVAL;
	*ret = e;
	return 0;
}

static size_t alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

bool ct_has_snat(const struct ct_entry *ct)
{
	if (!ct->has_orig || !ct->has_reply || !ct->orig.family ||
	    ct->orig.family != ct->reply.family)
		return false;
	return memcmp(ct->reply.dst, ct->orig.src, alen(ct->orig.family)) ||
	       (ct->orig.has_ports && ct->reply.has_ports && ct->reply.dport != ct->orig.sport);
}

bool ct_has_dnat(const struct ct_entry *ct)
{
	if (!ct->has_orig || !ct->has_reply || !ct->orig.family ||
	    ct->orig.family != ct->reply.family)
		return false;
	return memcmp(ct->reply.src, ct->orig.dst, alen(ct->orig.family)) ||
	       (ct->orig.has_ports && ct->reply.has_ports && ct->reply.sport != ct->orig.dport);
}

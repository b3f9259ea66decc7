/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: one host's conntrack entries deleted over ctnetlink, with libmnl.
 * Not libnetfilter_conntrack: Debian 12's 1.0.9 cannot have the kernel
 * filter a dump by address (NFCT_FILTER_DUMP_TUPLE came with 1.1.0), so
 * CTA_FILTER would be built by hand anyway, and a delete needs only three
 * attributes copied from the dumped entry.
 */
#include "ctkill.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* CTA_FILTER field flags: nf_conntrack_netlink.c's, not in the uapi headers (Linux 5.8). */
#define CT_FILTER_IP_SRC (1u << 0)
#define CT_FILTER_IP_DST (1u << 1)

/* Deletes sent at once: their acks (one skb each) fit the default receive buffer. */
#define DEL_CHUNK 64

/* Which addresses of an entry are the host's. */
enum {
	HIT_ORIG_SRC = 1,
	HIT_ORIG_DST = 2,
	HIT_REPLY_SRC = 4,
	HIT_REPLY_DST = 8,
};

/*
 * One filtered dump per address of an entry: the kernel ANDs the fields of
 * a filter (and the two directions), it never ORs them. Without NAT the
 * reply passes find nothing new; with it, they find a DNAT target by its
 * reply source and an SNAT address by its reply destination.
 */
static const struct pass {
	uint16_t tuple; /* CTA_TUPLE_ORIG or CTA_TUPLE_REPLY */
	uint16_t flags; /* CTA_FILTER_ORIG_FLAGS or CTA_FILTER_REPLY_FLAGS */
	uint32_t field; /* CT_FILTER_IP_SRC or CT_FILTER_IP_DST */
	unsigned hit;
} passes[] = {
	{ CTA_TUPLE_ORIG, CTA_FILTER_ORIG_FLAGS, CT_FILTER_IP_SRC, HIT_ORIG_SRC },
	{ CTA_TUPLE_ORIG, CTA_FILTER_ORIG_FLAGS, CT_FILTER_IP_DST, HIT_ORIG_DST },
	{ CTA_TUPLE_REPLY, CTA_FILTER_REPLY_FLAGS, CT_FILTER_IP_SRC, HIT_REPLY_SRC },
	{ CTA_TUPLE_REPLY, CTA_FILTER_REPLY_FLAGS, CT_FILTER_IP_DST, HIT_REPLY_DST },
};

struct kill {
	int family;
	const uint8_t *addr;
	size_t alen;
	unsigned hit;    /* the running pass's HIT_*; 0 for a dump without filter */
	bool unfiltered; /* the kernel ignored CTA_FILTER: that dump was the whole table */
	char *buf;       /* the delete messages, back to back */
	size_t len, cap, n;
	int err;
};

static int __attribute__((format(printf, 4, 5)))
fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

static struct nlmsghdr *ct_msg(char *buf, uint8_t type, uint16_t flags, int family, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)family;
	nfg->version = NFNETLINK_V0;
	return nlh;
}

/* Every level is parsed into a table of CTA_MAX + 1 (the largest of them). */
static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= CTA_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static bool is_host(const struct kill *k, const struct nlattr *a)
{
	return a && mnl_attr_get_payload_len(a) == k->alen &&
	       !memcmp(mnl_attr_get_payload(a), k->addr, k->alen);
}

/* The HIT_* bits of tuple @t (a CTA_TUPLE_ORIG or CTA_TUPLE_REPLY nest). */
static unsigned tuple_hits(const struct kill *k, const struct nlattr *t, unsigned src_hit,
			   unsigned dst_hit)
{
	const struct nlattr *tb[CTA_MAX + 1] = { NULL }, *ip[CTA_MAX + 1] = { NULL };
	bool v4 = k->family == AF_INET;
	unsigned hits = 0;

	if (!t || mnl_attr_parse_nested(t, attr_cb, tb) < 0 || !tb[CTA_TUPLE_IP] ||
	    mnl_attr_parse_nested(tb[CTA_TUPLE_IP], attr_cb, ip) < 0)
		return 0;
	if (is_host(k, ip[v4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC]))
		hits |= src_hit;
	if (is_host(k, ip[v4 ? CTA_IP_V4_DST : CTA_IP_V6_DST]))
		hits |= dst_hit;
	return hits;
}

/*
 * Queues "delete the entry of this original tuple, zone and id" (the id:
 * not a new entry that took the same tuple meanwhile). Never without
 * CTA_TUPLE_ORIG: ctnetlink takes a delete without a tuple as a flush of
 * the whole table.
 */
static int queue_delete(struct kill *k, const struct nlmsghdr *entry, const struct nlattr **tb)
{
	static const uint16_t copy[] = { CTA_TUPLE_ORIG, CTA_ZONE, CTA_ID };
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(entry);
	size_t need = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*nfg)), i;
	struct nlmsghdr *nlh;

	if (!tb[CTA_TUPLE_ORIG])
		return 0;
	for (i = 0; i < sizeof(copy) / sizeof(copy[0]); i++)
		if (tb[copy[i]])
			need += MNL_ALIGN(tb[copy[i]]->nla_len);
	if (k->cap - k->len < need) {
		size_t ncap = k->cap ? k->cap * 2 : 16384;
		char *nb;

		while (ncap - k->len < need)
			ncap *= 2;
		nb = realloc(k->buf, ncap);
		if (!nb)
			return k->err = -ENOMEM;
		k->buf = nb;
		k->cap = ncap;
	}
	memset(k->buf + k->len, 0, need); /* attribute padding */
	nlh = ct_msg(k->buf + k->len, IPCTNL_MSG_CT_DELETE, NLM_F_ACK, nfg->nfgen_family, 0);
	for (i = 0; i < sizeof(copy) / sizeof(copy[0]); i++)
		if (tb[copy[i]]) {
			memcpy((char *)nlh + nlh->nlmsg_len, tb[copy[i]], tb[copy[i]]->nla_len);
			nlh->nlmsg_len += MNL_ALIGN(tb[copy[i]]->nla_len);
		}
	k->len += nlh->nlmsg_len;
	k->n++;
	return 0;
}

static int entry_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTA_MAX + 1] = { NULL };
	struct kill *k = data;
	unsigned hits;

	if (NFNL_MSG_TYPE(nlh->nlmsg_type) != IPCTNL_MSG_CT_NEW ||
	    mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, tb) < 0 ||
	    !tb[CTA_TUPLE_ORIG] || !tb[CTA_TUPLE_REPLY])
		return MNL_CB_OK; /* not an entry to judge (nor a sign of an unfiltered dump) */
	hits = tuple_hits(k, tb[CTA_TUPLE_ORIG], HIT_ORIG_SRC, HIT_ORIG_DST) |
	       tuple_hits(k, tb[CTA_TUPLE_REPLY], HIT_REPLY_SRC, HIT_REPLY_DST);
	/* Before Linux 5.8 CTA_FILTER is an unknown attribute, silently ignored. */
	if (k->hit && !(hits & k->hit))
		k->unfiltered = true;
	/* An entry that several passes find is deleted by the first (its lowest bit). */
	if (!hits || (!k->unfiltered && (hits & -hits) != k->hit))
		return MNL_CB_OK;
	return queue_delete(k, nlh, tb) ? MNL_CB_ERROR : MNL_CB_OK;
}

/* One dump of the family's entries, filtered by @p's address field unless @p is NULL. */
static int dump(struct mnl_socket *nl, struct kill *k, const struct pass *p, uint32_t seq)
{
	static const uint16_t ipattr[2][2] = { { CTA_IP_V4_SRC, CTA_IP_V4_DST },
					       { CTA_IP_V6_SRC, CTA_IP_V6_DST } };
	char buf[32768];
	struct nlmsghdr *nlh;
	struct nlattr *tuple, *ip, *filter;
	uint32_t portid = mnl_socket_get_portid(nl);
	int r;

	memset(buf, 0, 512);
	nlh = ct_msg(buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP, k->family, seq);
	if (p) {
		/* ct original|reply ip saddr|daddr == addr (conntrack -L -s ADDR, and so on) */
		tuple = mnl_attr_nest_start(nlh, p->tuple);
		ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
		mnl_attr_put(nlh, ipattr[k->family == AF_INET6][p->field == CT_FILTER_IP_DST],
			     k->alen, k->addr);
		mnl_attr_nest_end(nlh, ip);
		mnl_attr_nest_end(nlh, tuple);
		filter = mnl_attr_nest_start(nlh, CTA_FILTER);
		mnl_attr_put_u32(nlh, p->flags, p->field);
		mnl_attr_nest_end(nlh, filter);
	}
	k->hit = p ? p->hit : 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t)n, seq, portid, entry_cb, k);
		if (r == MNL_CB_STOP)
			return 0;
		if (r < 0)
			return k->err ? k->err : -errno;
	}
}

/*
 * Reads the answers to messages [@seq, @seq + @n): counts the deleted,
 * skips -ENOENT (expired meanwhile, or found twice), keeps the first other
 * error in k->err.
 */
static int read_acks(struct mnl_socket *nl, struct kill *k, uint32_t seq, size_t n,
		     unsigned *deleted)
{
	int fd = mnl_socket_get_fd(nl);
	size_t answered = 0;
	char buf[16384];

	while (answered < n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct nlmsghdr *nlh;
		int len;

		if (poll(&pfd, 1, 1000) <= 0)
			return -EPROTO;
		len = (int)recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_seq - seq >= n ||
			    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
				continue;
			answered++;
			if (!e->error)
				(*deleted)++;
			else if (e->error != -ENOENT && !k->err)
				k->err = e->error;
		}
	}
	return 0;
}

/* Sends the queued deletes DEL_CHUNK at a time, numbered from @seq. */
static int delete_all(struct mnl_socket *nl, struct kill *k, uint32_t seq, unsigned *deleted)
{
	size_t off = 0, done = 0;
	int r;

	while (done < k->n) {
		size_t start = off, n = 0;

		for (; n < DEL_CHUNK && done + n < k->n; n++) {
			struct nlmsghdr *nlh = (struct nlmsghdr *)(k->buf + off);

			nlh->nlmsg_seq = seq + (uint32_t)n;
			off += nlh->nlmsg_len;
		}
		if (mnl_socket_sendto(nl, k->buf + start, off - start) < 0)
			return -errno;
		if ((r = read_acks(nl, k, seq, n, deleted)))
			return r;
		seq += (uint32_t)n;
		done += n;
	}
	return 0;
}

int ctkill_host(int family, const void *addr, unsigned *ret_deleted, char *err, size_t errlen)
{
	struct kill k = { .family = family, .addr = addr };
	uint32_t seq = (uint32_t)time(NULL);
	struct mnl_socket *nl = NULL;
	unsigned deleted = 0;
	size_t i;
	int r;

	if (family != AF_INET && family != AF_INET6)
		return fail(err, errlen, -EAFNOSUPPORT, "address family %d is not IPv4 or IPv6",
			    family);
	k.alen = family == AF_INET ? 4 : 16;
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = fail(err, errlen, -errno, "netlink: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < sizeof(passes) / sizeof(passes[0]) && !k.unfiltered; i++) {
		r = dump(nl, &k, &passes[i], seq++);
		if (r == -EAGAIN) /* nf_conntrack_netlink was loaded for this request */
			r = dump(nl, &k, &passes[i], seq++);
		if (r == -EOPNOTSUPP || r == -EINVAL) {
			/* A kernel that knows CTA_FILTER but refuses this one: filter here. */
			k.unfiltered = true;
			r = dump(nl, &k, NULL, seq++);
		}
		if (r) {
			r = fail(err, errlen, r, "conntrack dump: %s", strerror(-r));
			goto out;
		}
	}
	r = delete_all(nl, &k, seq, &deleted);
	if (!r)
		r = k.err;
	if (r) {
		r = fail(err, errlen, r, "deleting conntrack entries: %s (%u of %zu deleted)",
			 strerror(-r), deleted, k.n);
		goto out;
	}
	*ret_deleted = deleted;
out:
	if (nl)
		mnl_socket_close(nl);
	free(k.buf);
	return r;
}

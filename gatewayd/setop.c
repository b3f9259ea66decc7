/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: set elements added and deleted in one small nftables transaction. */
#include "setop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "encode.h"

/* One message at most: header, two names of NFT_NAME_MAXLEN, one key, nesting. */
#define MSG_ROOM 1024

struct batch {
	char *buf;
	size_t len;
	uint32_t seq0;  /* the begin message; message i is seq0 + 1 + i */
	size_t *op_of;  /* message i -> index in the caller's ops */
	size_t n_msgs;
};

struct acks {
	const struct batch *b;
	size_t answered;
	int first;       /* first kernel error, 0 if none */
	size_t first_op; /* its op, or SIZE_MAX for the batch as a whole */
	size_t errors;
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

static int family_num(const char *name)
{
	static const struct {
		const char *name;
		int nfproto;
	} fams[] = {
		{ "inet", NFPROTO_INET },     { "ip", NFPROTO_IPV4 },	  { "ip6", NFPROTO_IPV6 },
		{ "bridge", NFPROTO_BRIDGE }, { "netdev", NFPROTO_NETDEV }, { "arp", NFPROTO_ARP },
	};
	size_t i;

	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++)
		if (!strcmp(fams[i].name, name))
			return fams[i].nfproto;
	return -1;
}

/* The element as nft writes it: "02:00:00:00:0b:01 . 10.11.0.100". */
static void elem_format(const struct set *s, const struct elem *e, char *buf, size_t len)
{
	size_t k, off = 0;

	buf[0] = 0;
	for (k = 0; k < s->n_key && off < len; k++) {
		const struct value *v = &e->key[k];
		char part[INET6_ADDRSTRLEN + 8] = "?";

		switch (s->key[k]) {
		case KT_IFNAME:
			snprintf(part, sizeof(part), "\"%.15s\"", v->str);
			break;
		case KT_ETHER:
			snprintf(part, sizeof(part), "%02x:%02x:%02x:%02x:%02x:%02x", v->mac[0],
				 v->mac[1], v->mac[2], v->mac[3], v->mac[4], v->mac[5]);
			break;
		case KT_IPV4:
		case KT_IPV6:
			inet_ntop(s->key[k] == KT_IPV4 ? AF_INET : AF_INET6, v->addr.lo, part,
				  sizeof(part));
			break;
		case KT_PROTO:
			snprintf(part, sizeof(part), "%u", v->num);
			break;
		case KT_SERVICE:
			snprintf(part, sizeof(part), "%u", v->lo);
			break;
		case KT_MARK:
			snprintf(part, sizeof(part), "0x%08x", v->num);
			break;
		}
		off += (size_t)snprintf(buf + off, len - off, "%s%s", k ? " . " : "", part);
	}
}

/* One NEWSETELEM or DELSETELEM message of one element, asking for its ack. */
static int put_msg(struct batch *b, uint16_t type, int family, const char *table,
		   const struct set *s, const uint8_t *key, uint32_t keylen, size_t op)
{
	struct nftnl_set *ns = nftnl_set_alloc();
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	struct nlmsghdr *nlh;
	uint32_t seq = b->seq0 + 1 + (uint32_t)b->n_msgs;
	uint16_t flags;

	if (!ns || !e) {
		nftnl_set_free(ns);
		nftnl_set_elem_free(e);
		return -ENOMEM;
	}
	nftnl_set_set_str(ns, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(ns, NFTNL_SET_NAME, s->name);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, keylen);
	nftnl_set_elem_add(ns, e);
	/*
	 * No NLM_F_EXCL: adding an element that is there already is no error
	 * (nft_add_set_elem() turns the set's -EEXIST into 0 when the two
	 * carry no data or object that differ, as in a plain set).
	 */
	flags = type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE | NLM_F_ACK : NLM_F_ACK;
	nlh = nftnl_nlmsg_build_hdr(b->buf + b->len, type, (uint16_t)family, flags, seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, ns);
	nftnl_set_free(ns);
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	b->op_of[b->n_msgs++] = op;
	return 0;
}

static int build(struct batch *b, int family, const char *table, const struct setop *ops, size_t n,
		 char *err, size_t errlen)
{
	uint8_t key[ENCODE_KEY_MAX];
	size_t i;
	int r, len;

	/* begin, at most two messages per operation, end */
	b->buf = calloc(2 * n + 2, MSG_ROOM);
	b->op_of = calloc(2 * n, sizeof(*b->op_of));
	if (!b->buf || !b->op_of)
		return fail(err, errlen, -ENOMEM, "out of memory");
	b->len = NLMSG_ALIGN(nftnl_batch_begin(b->buf, b->seq0)->nlmsg_len);
	for (i = 0; i < n; i++) {
		const struct set *s = ops[i].set;

		if (strlen(s->name) >= NFT_NAME_MAXLEN)
			return fail(err, errlen, -EINVAL, "set name '%.32s...' is too long",
				    s->name);
		if (s->is_map || s->interval)
			return fail(err, errlen, -EOPNOTSUPP,
				    "%s '%s': only plain sets are supported",
				    s->is_map ? "map" : "interval set", s->name);
		len = encode_elem_key(s, ops[i].elem, key);
		if (len < 0)
			return fail(err, errlen, len, "set '%s': %s", s->name, strerror(-len));
		/*
		 * Delete = create if missing, then delete, in the same transaction:
		 * deleting an absent element is then no error either, on every
		 * kernel (DESTROYSETELEM, which says that, needs Linux 6.3), in one
		 * round trip and without a look-up that could race.
		 */
		r = put_msg(b, NFT_MSG_NEWSETELEM, family, table, s, key, (uint32_t)len, i);
		if (!r && ops[i].op == SETOP_DEL)
			r = put_msg(b, NFT_MSG_DELSETELEM, family, table, s, key, (uint32_t)len, i);
		if (r)
			return fail(err, errlen, r, "out of memory");
	}
	b->len += NLMSG_ALIGN(
		nftnl_batch_end(b->buf + b->len, b->seq0 + 1 + (uint32_t)b->n_msgs)->nlmsg_len);
	return 0;
}

static void ack_one(struct acks *a, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	uint32_t i = nlh->nlmsg_seq - a->b->seq0 - 1;
	bool ours = i < a->b->n_msgs;

	if (ours)
		a->answered++;
	if (!e->error)
		return;
	if (!a->errors++) {
		a->first = e->error;
		a->first_op = ours ? a->b->op_of[i] : SIZE_MAX;
	}
	/* An error on the begin message is about the batch (-EPERM, -ENOMEM): nothing follows. */
	if (!ours)
		a->answered = a->b->n_msgs;
}

/* nfnetlink runs the batch inside sendmsg(): every answer is queued when it returns. */
static int read_acks(int fd, struct acks *a)
{
	char buf[16384];
	struct nlmsghdr *nlh;
	int n;

	while (a->answered < a->b->n_msgs) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 1000) <= 0)
			return -EPROTO;
		n = (int)recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nlmsgerr)))
				return -EPROTO;
			ack_one(a, nlh);
		}
	}
	return 0;
}

static int send_batch(const struct batch *b, struct acks *a)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int fd, sz, one = 1, r = 0;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	fd = mnl_socket_get_fd(nl);
	/* An error ack need not carry our message back: only its header is read. */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* The kernel takes the batch from one skb; each ack is one skb (~1 KiB truesize). */
	sz = (int)(b->len + 65536);
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)) < 0) {
		r = -errno;
		goto out;
	}
	sz = (int)(b->n_msgs * 2048 + 65536);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	if (mnl_socket_sendto(nl, b->buf, b->len) < 0) {
		r = -errno;
		goto out;
	}
	r = read_acks(fd, a);
out:
	if (nl)
		mnl_socket_close(nl);
	return r;
}

int setop_apply(const char *family_name, const char *table, const struct setop *ops, size_t n,
		char *err, size_t errlen)
{
	struct batch b = { .seq0 = (uint32_t)time(NULL) };
	struct acks a = { .b = &b, .first_op = SIZE_MAX };
	int family = family_num(family_name);
	const struct setop *o;
	char el[256], more[48];
	int r;

	if (family < 0)
		return fail(err, errlen, -EINVAL, "unknown table family '%s'", family_name);
	if (strlen(table) >= NFT_NAME_MAXLEN)
		return fail(err, errlen, -EINVAL, "table name '%.32s...' is too long", table);
	if (n > SETOP_MAX)
		return fail(err, errlen, -EINVAL, "%zu set operations in one batch (at most %d)", n,
			    SETOP_MAX);
	if (n == 0)
		return 0;
	r = build(&b, family, table, ops, n, err, errlen);
	if (r)
		goto out;
	r = send_batch(&b, &a);
	if (r == -EPROTO) {
		r = fail(err, errlen, r, "the kernel did not answer %zu of %zu messages; the "
			 "outcome is unknown", b.n_msgs - a.answered, b.n_msgs);
		goto out;
	}
	if (r) {
		r = fail(err, errlen, r, "netlink: %s", strerror(-r));
		goto out;
	}
	if (!a.errors)
		goto out;
	r = a.first;
	if (a.first_op == SIZE_MAX) {
		fail(err, errlen, r, "kernel refused the batch: %s; nothing was changed",
		     strerror(-r));
		goto out;
	}
	o = &ops[a.first_op];
	elem_format(o->set, o->elem, el, sizeof(el));
	snprintf(more, sizeof(more), " (and %zu more error%s)", a.errors - 1,
		 a.errors > 2 ? "s" : "");
	fail(err, errlen, r, "%s %s %s set '%s': %s%s; nothing was changed",
	     o->op == SETOP_ADD ? "adding" : "deleting", el, o->op == SETOP_ADD ? "to" : "from",
	     o->set->name, strerror(-r), a.errors > 1 ? more : "");
out:
	free(b.buf);
	free(b.op_of);
	return r;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: reads and resets the per-source log limit's sets (C-10); see srcread.h. */
#include "srcread.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Linux 6.5's message type; the build's headers may predate it. */
#define GW_NFT_MSG_GETSETELEM_RESET 33

struct reading {
	int family;
	srcread_fn fn;
	void *data;
	uint64_t packets; /* the current element's counter */
};

static int expr_cb(struct nftnl_expr *e, void *data)
{
	struct reading *rd = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (name && !strcmp(name, "counter"))
		rd->packets += nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
	return 0;
}

static int elem_cb(struct nftnl_set_elem *ne, void *data)
{
	struct reading *rd = data;
	uint32_t len = 0, alen = rd->family == AF_INET6 ? 16 : 4, mark;
	const uint8_t *key = nftnl_set_elem_get(ne, NFTNL_SET_ELEM_KEY, &len);

	/* The address, then the mark in the next 32-bit register. */
	if (!key || len != alen + 4)
		return 0;
	rd->packets = 0;
	nftnl_set_elem_expr_foreach(ne, expr_cb, rd);
	memcpy(&mark, key + alen, 4);
	if (rd->packets)
		rd->fn(rd->data, rd->family, key, mark, rd->packets);
	return 0;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return MNL_CB_ERROR;
	if (nftnl_set_elems_nlmsg_parse(nlh, s) == 0)
		nftnl_set_elem_foreach(s, elem_cb, data);
	nftnl_set_free(s);
	return MNL_CB_OK;
}

int srcread_reset(const char *table, const char *set, int family, srcread_fn fn, void *data)
{
	static char buf[64 * 1024]; /* a dump reply is at most one 32 KiB skb */
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct reading rd = { .family = family, .fn = fn, .data = data };
	struct nftnl_set *s = nftnl_set_alloc();
	uint32_t seq = (uint32_t)time(NULL), portid;
	struct nlmsghdr *nlh;
	int r = 0;

	if (!nl || !s) {
		r = nl ? -ENOMEM : -errno;
		goto out;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, set);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nlh = nftnl_nlmsg_build_hdr(buf, GW_NFT_MSG_GETSETELEM_RESET, NFPROTO_INET,
				    NLM_F_DUMP | NLM_F_ACK, seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0) {
			r = -errno;
			break;
		}
		r = mnl_cb_run(buf, (size_t)n, seq, portid, msg_cb, &rd);
		if (r == MNL_CB_STOP) {
			r = 0;
			break;
		}
		if (r < 0) {
			r = errno ? -errno : -EIO;
			break;
		}
	}
out:
	nftnl_set_free(s);
	if (nl)
		mnl_socket_close(nl);
	return r;
}

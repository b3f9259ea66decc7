/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: one netlink transaction per apply. */
#include "apply.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct ack_state {
	const struct nl_batch *b;
	struct diag_list *d;
	size_t acks, errors;
	uint32_t last; /* the message that asks for an ack */
	bool done;     /* its answer came: nothing more will */
};

static int ack_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ack_state *st = data;
	const struct nlmsgerr *err;
	const struct origin *o = NULL;
	const char *what;

	if (nlh->nlmsg_type != NLMSG_ERROR)
		return MNL_CB_OK;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return MNL_CB_ERROR;
	err = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_seq == st->last)
		st->done = true;
	if (err->error == 0) {
		st->acks++;
		return MNL_CB_OK;
	}
	st->errors++;
	what = nl_batch_describe(st->b, nlh->nlmsg_seq, &o);
	if (o && o->file)
		diag_error(st->d, o, "kernel rejected %s: %s", what ? what : "the batch",
			   strerror(-err->error));
	else
		diag_error(st->d, NULL, "kernel rejected %s: %s", what ? what : "the batch",
			   strerror(-err->error));
	return MNL_CB_OK;
}

int apply_ruleset(const struct ruleset *rs, struct diag_list *d)
{
	struct mnl_socket *nl = NULL;
	struct nl_batch *b = NULL;
	struct ack_state st = { .d = d };
	char *buf = NULL;
	size_t bufsz = 1 << 20, expected;
	struct nlmsghdr *nlh;
	int fd, sz, r, n;

	r = encode_ruleset(rs, (uint32_t)time(NULL), &b);
	if (r)
		goto out;
	st.b = b;
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	fd = mnl_socket_get_fd(nl);
	/* The kernel takes the batch from one skb: the send buffer must hold it all. */
	sz = (int)(nl_batch_len(b) + 65536);
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)) < 0) {
		r = -errno;
		goto out;
	}
	/*
	 * Only the last message is acknowledged, after the errors of any
	 * other (lib/encode.h); make room for an error on every message.
	 */
	expected = nl_batch_seq_last(b) - nl_batch_seq_first(b) - 1;
	st.last = nl_batch_seq_last(b) - 1;
	sz = (int)(expected * 2048 + (1 << 20)); /* an ack is one skb: ~1 KiB of truesize */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	if (mnl_socket_sendto(nl, nl_batch_data(b), nl_batch_len(b)) < 0) {
		r = -errno;
		goto out;
	}
	buf = malloc(bufsz);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	/*
	 * nfnetlink processes the batch inside sendmsg(): every answer is
	 * queued when it returns, so read without waiting until the last
	 * message's answer (a short poll guards against a slow kernel).
	 */
	while (!st.done) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 1000) <= 0)
			break;
		n = (int)recv(fd, buf, bufsz, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			r = -errno;
			goto out;
		}
		/* Our own walk: mnl_cb_run() keeps NLMSG_ERROR to itself. */
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, (int)n);
		     nlh = mnl_nlmsg_next(nlh, (int *)&n))
			if (ack_cb(nlh, &st) == MNL_CB_ERROR) {
				r = -EPROTO;
				goto out;
			}
	}
	if (!st.errors && !st.done) {
		diag_error(d, NULL, "the kernel did not answer the batch of %zu messages; "
			   "the outcome is unknown", expected);
		r = -EPROTO;
		goto out;
	}
	r = st.errors ? -EINVAL : 0;
out:
	free(buf);
	if (nl)
		mnl_socket_close(nl);
	nl_batch_free(b);
	return r;
}

int apply_remove_table(const char *table)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct mnl_socket *nl = NULL;
	char buf[8192];
	struct mnl_nlmsg_batch *batch;
	uint32_t seq = (uint32_t)time(NULL);
	int i, r = 0;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	batch = mnl_nlmsg_batch_start(buf, sizeof(buf));
	nftnl_batch_begin(mnl_nlmsg_batch_current(batch), seq++);
	mnl_nlmsg_batch_next(batch);
	/* add (no-op if present) then delete: no error when it is already gone. */
	for (i = 0; i < 2; i++) {
		struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(
			mnl_nlmsg_batch_current(batch), i ? NFT_MSG_DELTABLE : NFT_MSG_NEWTABLE,
			NFPROTO_INET, i ? 0 : NLM_F_CREATE, seq++);

		nftnl_table_nlmsg_build_payload(nlh, t);
		mnl_nlmsg_batch_next(batch);
	}
	nftnl_batch_end(mnl_nlmsg_batch_current(batch), seq);
	mnl_nlmsg_batch_next(batch);
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, mnl_nlmsg_batch_head(batch), mnl_nlmsg_batch_size(batch)) < 0)
		r = -errno;
	if (nl)
		mnl_socket_close(nl);
	mnl_nlmsg_batch_stop(batch);
	nftnl_table_free(t);
	return r;
}

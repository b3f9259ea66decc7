/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: conntrack NEW events through libmnl (NAT-5); see ctevents.h. */
#include "ctevents.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/filter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>

struct ctevents {
	struct mnl_socket *nl;
	uint64_t lost;
	uint64_t read;     /* entries decoded and handed on */
	bool filtered;     /* the kernel passes only translated connections' events */
	uint8_t buf[65536];
};

/*
 * Only translated connections concern the join (lib/natjoin.h): the kernel
 * drops the events of the others before they are queued, so a gateway
 * opening thousands of untranslated connections a second pays nothing here.
 * The filter finds CTA_STATUS with the nlattr extension and passes the
 * event when IPS_SRC_NAT or IPS_DST_NAT is set; an event it cannot read
 * (no status attribute, a non-linear buffer) is passed, and the decoder
 * decides.
 */
static int attach_nat_filter(int fd)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_IMM, sizeof(struct nlmsghdr) + sizeof(struct nfgenmsg)),
		BPF_STMT(BPF_LDX | BPF_IMM, CTA_STATUS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_NLATTR)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 4, 0),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_IND, sizeof(struct nlattr)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, IPS_SRC_NAT | IPS_DST_NAT, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ? -errno : 0;
}

int ctevents_open(size_t bufsize, struct ctevents **ret)
{
	struct ctevents *c = calloc(1, sizeof(*c));
	int fd, size = (int)bufsize, one = 1;

	if (!c)
		return -ENOMEM;
	c->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!c->nl || mnl_socket_bind(c->nl, 1u << (NFNLGRP_CONNTRACK_NEW - 1), MNL_SOCKET_AUTOPID) < 0) {
		int e = errno ? -errno : -EIO;

		if (c->nl)
			mnl_socket_close(c->nl);
		free(c);
		return e;
	}
	fd = mnl_socket_get_fd(c->nl);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	/* As root, the whole buffer regardless of rmem_max: a burst of connections. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	/* An overrun is reported (ENOBUFS) and counted; reading goes on. */
	setsockopt(fd, SOL_NETLINK, NETLINK_BROADCAST_ERROR, &one, sizeof(one));
	/* Without the filter every event is read and decoded: slower, not wrong. */
	c->filtered = attach_nat_filter(fd) == 0;
	*ret = c;
	return 0;
}

int ctevents_fd(const struct ctevents *c)
{
	return mnl_socket_get_fd(c->nl);
}

int ctevents_read(struct ctevents *c, ctevents_fn fn, void *user)
{
	int n = 0, rounds;

	/* Bounded: a flood of events must not starve the rest of the loop. */
	for (rounds = 0; rounds < 64; rounds++) {
		ssize_t len = mnl_socket_recvfrom(c->nl, c->buf, sizeof(c->buf));
		size_t off = 0;

		if (len < 0) {
			if (errno == ENOBUFS) {
				c->lost++;
				continue;
			}
			return errno == EAGAIN || errno == EWOULDBLOCK ? n : -errno;
		}
		while (off < (size_t)len) {
			struct ct_entry ct;
			size_t step = 0;
			int r = ct_decode_event(c->buf + off, (size_t)len - off, &ct, &step);

			if (r == 0) {
				fn(&ct, user);
				c->read++;
				n++;
			} else if (r == -EINVAL) {
				c->lost++;
				break; /* the rest of the datagram cannot be framed */
			}
			off += step;
		}
	}
	return n;
}

uint64_t ctevents_lost(const struct ctevents *c)
{
	return c->lost;
}

uint64_t ctevents_read_total(const struct ctevents *c)
{
	return c->read;
}

bool ctevents_filtered(const struct ctevents *c)
{
	return c->filtered;
}

void ctevents_close(struct ctevents *c)
{
	if (!c)
		return;
	mnl_socket_close(c->nl);
	free(c);
}

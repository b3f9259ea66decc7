/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: run-time set elements from the kernel's table into a new ruleset. */
#include "carry.h"

#include <errno.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>
#include <time.h>

#include "compile.h"

static const char *const runtime_sets[] = {
	SET_REGISTERED, SET_QUARANTINE_MAC, SET_QUARANTINE4, SET_VPN_GRANTS, SET_PROXY_BYPASS,
	SET_RESTRICTED4, SET_DEVICE_SERVICES4, SET_DEVICE_PROTOS4,
};

struct carry {
	struct ruleset *rs;
	struct set *set;
	size_t n;
	int err;
};

static unsigned key_len(enum key_type k)
{
	switch (k) {
	case KT_IFNAME:
		return 16;
	case KT_ETHER:
		return 6;
	case KT_IPV4:
		return 4;
	case KT_IPV6:
		return 16;
	case KT_PROTO:
		return 1;
	case KT_SERVICE:
		return 2;
	case KT_MARK:
		return 4;
	}
	return 0;
}

/* Decodes one element's key bytes by the set's key types; false if they do not fit. */
static bool decode_key(const struct set *s, const uint8_t *key, uint32_t len, struct elem *e)
{
	uint32_t off = 0;
	size_t i;

	for (i = 0; i < s->n_key; i++) {
		unsigned l = key_len(s->key[i]);
		struct value *v = &e->key[i];

		if (off + l > len)
			return false;
		switch (s->key[i]) {
		case KT_IFNAME:
			memcpy(v->str, key + off, sizeof(v->str) - 1);
			break;
		case KT_ETHER:
			memcpy(v->mac, key + off, 6);
			break;
		case KT_IPV4:
		case KT_IPV6:
			v->addr.family = s->key[i] == KT_IPV4 ? AF_INET : AF_INET6;
			memcpy(v->addr.lo, key + off, l);
			memcpy(v->addr.hi, key + off, l);
			break;
		case KT_PROTO:
			v->num = key[off];
			break;
		case KT_SERVICE:
			v->lo = v->hi = (uint16_t)(key[off] << 8 | key[off + 1]);
			break;
		case KT_MARK:
			memcpy(&v->num, key + off, 4);
			break;
		}
		/* In a concatenation every field takes whole 32-bit registers. */
		off += s->n_key > 1 ? (l + 3) & ~3u : l;
	}
	return off == len;
}

static int elem_cb(struct nftnl_set_elem *ne, void *data)
{
	struct carry *c = data;
	const uint8_t *key;
	uint32_t len = 0;
	struct elem *e, tmp;

	key = nftnl_set_elem_get(ne, NFTNL_SET_ELEM_KEY, &len);
	memset(&tmp, 0, sizeof(tmp));
	if (!key || !decode_key(c->set, key, len, &tmp))
		return 0; /* a key of another shape: not ours to carry */
	e = set_add_elem(c->rs, c->set);
	if (!e) {
		c->err = -ENOMEM;
		return -1;
	}
	*e = tmp;
	c->n++;
	return 0;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct carry *c = data;
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s) {
		c->err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	if (nftnl_set_elems_nlmsg_parse(nlh, s) == 0)
		nftnl_set_elem_foreach(s, elem_cb, c);
	nftnl_set_free(s);
	return c->err ? MNL_CB_ERROR : MNL_CB_OK;
}

/* Dumps the elements of one set; -ENOENT when table or set does not exist. */
static int dump_set(struct mnl_socket *nl, struct carry *c, uint32_t seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	uint32_t portid = mnl_socket_get_portid(nl);
	int r;

	if (!s)
		return -ENOMEM;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, c->rs->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, c->set->name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP | NLM_F_ACK,
				    seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t)n, seq, portid, msg_cb, c);
		if (r == MNL_CB_STOP)
			return 0;
		if (r < 0)
			return c->err ? c->err : -errno;
	}
}

int carry_runtime_elements(struct ruleset *rs, unsigned flags, size_t *ret_n)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct carry c = { .rs = rs };
	uint32_t seq = (uint32_t)time(NULL);
	size_t i;
	int r = 0;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	for (i = 0; i < sizeof(runtime_sets) / sizeof(runtime_sets[0]); i++) {
		c.set = ruleset_set(rs, runtime_sets[i]);
		if (!c.set)
			continue;
		if ((flags & CARRY_NOT_REGISTRY) &&
		    (!strcmp(c.set->name, SET_REGISTERED) || !strcmp(c.set->name, SET_QUARANTINE_MAC) ||
		     !strcmp(c.set->name, SET_QUARANTINE4) || !strcmp(c.set->name, SET_RESTRICTED4) ||
		     !strcmp(c.set->name, SET_DEVICE_SERVICES4) ||
		     !strcmp(c.set->name, SET_DEVICE_PROTOS4)))
			continue;
		r = dump_set(nl, &c, seq++);
		if (r == -ENOENT) /* first start, or the set is new */
			r = 0;
		if (r)
			break;
	}
	if (r == 0)
		*ret_n = c.n;
out:
	if (nl)
		mnl_socket_close(nl);
	return r;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Conntrack entries as ctnetlink writes them (NAT-5): the CTA_* attributes
 * of <linux/netfilter/nfnetlink_conntrack.h>, found nested in an NFLOG
 * record's NFULA_CT (lib/nflog.h) and at the top of a conntrack event
 * message (NFNLGRP_CONNTRACK_NEW). Pure: bytes in, a struct out; nothing is
 * read past the length given.
 *
 * Attributes are netlink attributes: a length u16 (header included, padding
 * not) and a type u16 in host byte order, the value padded to 4 bytes; the
 * NLA_F_NESTED and NLA_F_NET_BYTEORDER bits of the type are masked off.
 * Values are big-endian. Decoded:
 *
 *   CTA_TUPLE_ORIG, CTA_TUPLE_REPLY   nested:
 *     CTA_TUPLE_IP      nested: CTA_IP_V4_SRC, _DST (4 bytes), CTA_IP_V6_SRC, _DST (16)
 *     CTA_TUPLE_PROTO   nested: CTA_PROTO_NUM (1), CTA_PROTO_SRC_PORT, _DST_PORT (2)
 *   CTA_STATUS   be32 (IPS_*)       CTA_ID   be32 (stable for the entry's life)
 *
 * Everything else is skipped. A decoded attribute occurring twice, a
 * length that does not fit, a value of the wrong size, a tuple with one
 * address but not the other or addresses of both families are refused.
 * Ports are taken for TCP, UDP, UDP-Lite, SCTP and DCCP (for ICMP the
 * "ports" are the echo id, not kept).
 */
#ifndef GW_CTATTR_H
#define GW_CTATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* IPS_SRC_NAT, IPS_DST_NAT of <linux/netfilter/nf_conntrack_common.h>. */
#define CT_STATUS_SRC_NAT 0x10
#define CT_STATUS_DST_NAT 0x20

/* One direction of a connection. Addresses in network order, IPv4 in [0..3]. */
struct ct_tuple {
	int family;             /* AF_INET or AF_INET6; 0: no CTA_TUPLE_IP */
	uint8_t src[16], dst[16];
	bool has_proto;         /* CTA_PROTO_NUM was present: */
	uint8_t proto;
	bool has_ports;         /* a protocol with ports, both present: */
	uint16_t sport, dport;
};

struct ct_entry {
	bool has_orig, has_reply;
	struct ct_tuple orig;   /* as the first packet came: the client's view */
	struct ct_tuple reply;  /* as the answers come back: the translated view */
	bool has_id;
	uint32_t id;
	bool has_status;
	uint32_t status;
};

/*
 * Decodes the CTA_* attributes of @len bytes at @data into *@ret (written
 * only on success). Returns 0 or -EINVAL.
 */
int ct_decode_attrs(const uint8_t *data, size_t len, struct ct_entry *ret);

/*
 * Decodes one conntrack message (struct nlmsghdr, struct nfgenmsg, CTA_*
 * attributes) of at most @len bytes: IPCTNL_MSG_CT_NEW of
 * NFNL_SUBSYS_CTNETLINK, nlmsg_len within @len, both tuples present and of
 * one family. *@ret_len gets nlmsg_len padded to 4 (capped at @len), the
 * step to the next message. Returns 0; -ENOENT for another, well-formed
 * message (not a new entry; *@ret_len set); -EINVAL.
 */
int ct_decode_event(const uint8_t *msg, size_t len, struct ct_entry *ret, size_t *ret_len);

/* Whether the entry's reply tuple shows source NAT: the source left as reply.dst. */
bool ct_has_snat(const struct ct_entry *ct);
/* Whether it shows destination NAT: orig.dst was translated to reply.src. */
bool ct_has_dnat(const struct ct_entry *ct);

#endif

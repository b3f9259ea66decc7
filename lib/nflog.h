/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NFLOG record decoding: one packet record as libpcap hands it over on the
 * "nflog:N" device (link type DLT_NFLOG, 239) to the fields a firewall log
 * record needs (lib/logrec.h). Pure: bytes in, a struct out; the record is
 * only read, never past @len. The daemon's edge is gatewayd/nflogread.c.
 *
 * Layout (pcap-linktype(7), <pcap/nflog.h>):
 *
 *   family u8 | version u8 | resource_id u16 big-endian     the nflog header
 *   tlv_length u16 | tlv_type u16 | value | padding to 4    repeated TLVs
 *
 * tlv_length and tlv_type are in HOST byte order (libpcap delivers the
 * kernel's netlink attributes as they are); tlv_length counts the 4-byte TLV
 * header and the value, not the padding. Values are big-endian numbers or
 * byte strings. The attributes decoded are those of nfnetlink_log:
 *
 *   NFULA_PACKET_HDR     hw_protocol be16, hook u8, pad u8       exactly 4 bytes
 *   NFULA_MARK           be32                                     exactly 4
 *   NFULA_TIMESTAMP      sec be64, usec be64                      exactly 16
 *   NFULA_IFINDEX_INDEV  be32, not 0                              exactly 4
 *   NFULA_IFINDEX_OUTDEV be32, not 0                              exactly 4
 *   NFULA_HWADDR         addrlen be16 (<= 8), pad, addr[8]        exactly 12
 *   NFULA_HWTYPE         be16 (ARPHRD_*)                          exactly 2
 *   NFULA_HWHEADER       the MAC header bytes                     1 byte or more
 *   NFULA_PAYLOAD        the packet from its network header       1 byte or more
 *   NFULA_PREFIX         text, NUL-terminated, NUL counted        1..128 bytes
 *   NFULA_CT             nested ctnetlink attributes (lib/ctattr.h), present
 *                        when the group has NFULNL_CFG_F_CONNTRACK and the
 *                        kernel NETFILTER_NETLINK_GLUE_CT (NAT-5); one that
 *                        does not decode is ignored (has_ct false,
 *                        ct_invalid true): the record matters more
 *
 * Other TLV types (UID, GID, sequence numbers, physical devices, HWLEN,
 * CT_INFO) are skipped. A decoded type occurring twice is refused. The netlink flag
 * bits of tlv_type (NLA_F_NESTED, NLA_F_NET_BYTEORDER) are masked off.
 *
 * Limits: a prefix holds at most NFLOG_PREFIX_MAX characters (nft's log
 * prefix, NF_LOG_PREFIXLEN - 1); a hardware address at most
 * NFLOG_HWADDR_MAX bytes; a timestamp must fit int64_t microseconds. The
 * record's total length is the caller's (libpcap's snapshot, at most 262144).
 *
 * The payload is IPv4 or IPv6, matching the header's family; a total (IPv4)
 * or payload (IPv6) length of 0, as BIG TCP and jumbograms have, means "as
 * long as captured". IPv6 extension
 * headers are not followed: the first next-header is the protocol (a
 * fragment header gives protocol 44 and no ports). A transport header that
 * is shorter than the fields read (a short packet from the wire, or a rule's
 * "log snaplen" that cut it) leaves has_ports and has_icmp false and sets
 * l4_truncated; the record is still valid. Keep any snaplen at 64 bytes or
 * more (IPv4 with options + 4) so that ports are always there.
 */
#ifndef GW_NFLOG_H
#define GW_NFLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctattr.h"

#define NFLOG_PREFIX_MAX 127
#define NFLOG_HWADDR_MAX 8

/* The nflog header's family (NFPROTO_*, equal to AF_INET and AF_INET6). */
#define NFLOG_FAMILY_IPV4 2
#define NFLOG_FAMILY_IPV6 10

/* One decoded record. Numbers are in host order, addresses in network order. */
struct nflog_pkt {
	uint8_t family;                 /* NFLOG_FAMILY_IPV4 or NFLOG_FAMILY_IPV6 */
	uint16_t resource_id;           /* the NFLOG group */

	bool has_packet_hdr;            /* NFULA_PACKET_HDR was present: */
	uint16_t hw_protocol;           /*   the link layer's protocol (ETH_P_IP, ...) */
	uint8_t hook;                   /*   netfilter hook (NF_INET_FORWARD = 2, ...) */

	bool has_prefix;                /* NFULA_PREFIX was present: */
	char prefix[NFLOG_PREFIX_MAX + 1]; /* the rule's log prefix; "" when absent */

	bool has_timestamp;             /* a non-zero NFULA_TIMESTAMP was present: */
	int64_t ts_us;                  /*   the packet's time, UTC µs since the epoch */

	uint32_t indev, outdev;         /* interface indexes; 0: absent (never valid) */
	uint32_t mark;                  /* packet mark; 0 when absent (the kernel omits 0) */

	uint16_t hwaddr_len;            /* NFULA_HWADDR: length of hwaddr (0: absent) */
	uint8_t hwaddr[NFLOG_HWADDR_MAX]; /*  the link-layer source address */
	bool has_hwtype;                /* NFULA_HWTYPE was present: */
	uint16_t hwtype;                /*   ARPHRD_* of the device (1: Ethernet) */
	const uint8_t *hwheader;        /* NFULA_HWHEADER, borrowed from the record; NULL: absent */
	size_t hwheader_len;

	bool has_src_mac;               /* an Ethernet source MAC was found: */
	uint8_t src_mac[6];             /*   from NFULA_HWADDR (6 bytes) or the Ethernet header */

	const uint8_t *payload;         /* NFULA_PAYLOAD, borrowed from the record */
	size_t payload_len;             /* captured length (a snaplen may cut the packet) */

	bool has_ct;                    /* NFULA_CT decoded: the connection (NAT-5) */
	bool ct_invalid;                /* NFULA_CT was there but did not decode */
	struct ct_entry ct;

	/* The IP packet. */
	uint8_t ip_version;             /* 4 or 6 */
	uint8_t protocol;               /* IPv4 protocol or IPv6 next header (IPPROTO_*) */
	uint8_t saddr[16], daddr[16];   /* IPv4 uses [0..3], the rest is zero */
	bool is_fragment;               /* IPv4, not the first fragment: no transport header */
	bool l4_truncated;              /* the transport header is shorter than the fields read */
	bool has_ports;                 /* TCP, UDP, UDP-Lite, SCTP or DCCP: */
	uint16_t sport, dport;
	bool has_icmp;                  /* ICMP in IPv4, ICMPv6 in IPv6: */
	uint8_t icmp_type, icmp_code;
};

/*
 * Decodes the record of @len bytes at @data into *@ret (written only on
 * success). ret->payload and ret->hwheader point into @data and live as long
 * as it does (with libpcap: until the callback returns); everything else is
 * copied. Does not block or allocate.
 *
 * Returns 0; -EINVAL when the record is truncated or malformed (a length
 * that does not fit, a short or oversized fixed-size value, an unterminated
 * prefix, a repeated attribute, no payload, an IP header that is short or
 * contradicts the family) or its header version is not 0; -EAFNOSUPPORT
 * when its family is neither IPv4 nor IPv6 (bridge, ARP: not ours).
 */
int nflog_decode(const uint8_t *data, size_t len, struct nflog_pkt *ret);

#endif

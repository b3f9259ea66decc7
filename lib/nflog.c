/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NFLOG record decoding (DLT_NFLOG as libpcap delivers it): see nflog.h. */
#include "nflog.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

/* The attribute types of <linux/netfilter/nfnetlink_log.h> and <pcap/nflog.h>. */
enum {
	NFULA_PACKET_HDR = 1,
	NFULA_MARK = 2,
	NFULA_TIMESTAMP = 3,
	NFULA_IFINDEX_INDEV = 4,
	NFULA_IFINDEX_OUTDEV = 5,
	NFULA_HWADDR = 8,
	NFULA_PAYLOAD = 9,
	NFULA_PREFIX = 10,
	NFULA_HWTYPE = 15,
	NFULA_HWHEADER = 16,
	NFULA_CT = 18,
};

#define NFLOG_HDR_LEN 4
#define TLV_HDR_LEN 4
#define TLV_TYPE_MASK 0x3fff /* NLA_TYPE_MASK: without NLA_F_NESTED, NLA_F_NET_BYTEORDER */
#define ARPHRD_ETHER 1
#define ETH_HDR_LEN 14

#define IPV4_HDR_MIN 20
#define IPV6_HDR_LEN 40
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_DCCP 33
#define PROTO_ICMPV6 58
#define PROTO_SCTP 132
#define PROTO_UDPLITE 136

/* Seconds that still fit int64_t microseconds, with the microseconds added. */
#define TS_SEC_MAX (INT64_MAX / 1000000 - 1)

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* TLV lengths and types are in host byte order (pcap-linktype(7)). */
static uint16_t get_h16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int decode_timestamp(struct nflog_pkt *p, const uint8_t *v)
{
	uint64_t sec = get_be64(v), usec = get_be64(v + 8);

	if (usec >= 1000000 || sec > TS_SEC_MAX)
		return -EINVAL;
	/* An skb never stamped reads as 0: no time rather than 1970. */
	if (sec == 0 && usec == 0)
		return 0;
	p->has_timestamp = true;
	p->ts_us = (int64_t)sec * 1000000 + (int64_t)usec;
	return 0;
}

static int decode_prefix(struct nflog_pkt *p, const uint8_t *v, size_t len)
{
	/* The kernel sends strlen + 1 bytes: one NUL, at the end. */
	if (len == 0 || len > NFLOG_PREFIX_MAX + 1 || v[len - 1] != '\0' ||
	    memchr(v, '\0', len - 1))
		return -EINVAL;
	memcpy(p->prefix, v, len);
	p->has_prefix = true;
	return 0;
}

static int decode_ifindex(uint32_t *ret, const uint8_t *v, size_t len)
{
	if (len != 4 || get_be32(v) == 0)
		return -EINVAL;
	*ret = get_be32(v);
	return 0;
}

/* One attribute of a type decoded here (the caller skips all others). */
static int decode_tlv(struct nflog_pkt *p, unsigned type, const uint8_t *v, size_t len)
{
	switch (type) {
	case NFULA_PACKET_HDR:
		if (len != 4)
			return -EINVAL;
		p->has_packet_hdr = true;
		p->hw_protocol = get_be16(v);
		p->hook = v[2];
		return 0;
	case NFULA_MARK:
		if (len != 4)
			return -EINVAL;
		p->mark = get_be32(v);
		return 0;
	case NFULA_TIMESTAMP:
		return len == 16 ? decode_timestamp(p, v) : -EINVAL;
	case NFULA_IFINDEX_INDEV:
		return decode_ifindex(&p->indev, v, len);
	case NFULA_IFINDEX_OUTDEV:
		return decode_ifindex(&p->outdev, v, len);
	case NFULA_HWADDR:
		/* struct nfulnl_msg_packet_hw: hw_addrlen be16, pad u16, hw_addr[8] */
		if (len != 12 || get_be16(v) > NFLOG_HWADDR_MAX)
			return -EINVAL;
		p->hwaddr_len = get_be16(v);
		memcpy(p->hwaddr, v + 4, p->hwaddr_len);
		return 0;
	case NFULA_HWTYPE:
		if (len != 2)
			return -EINVAL;
		p->has_hwtype = true;
		p->hwtype = get_be16(v);
		return 0;
	case NFULA_HWHEADER:
		if (len == 0)
			return -EINVAL;
		p->hwheader = v;
		p->hwheader_len = len;
		return 0;
	case NFULA_PAYLOAD:
		if (len == 0)
			return -EINVAL;
		p->payload = v;
		p->payload_len = len;
		return 0;
	case NFULA_PREFIX:
		return decode_prefix(p, v, len);
	case NFULA_CT:
		/* NAT-5: a connection that does not decode costs its nat fields only. */
		if (ct_decode_attrs(v, len, &p->ct) == 0)
			p->has_ct = true;
		else
			p->ct_invalid = true;
		return 0;
	default:
		return 0;
	}
}

static bool is_decoded_type(unsigned type)
{
	switch (type) {
	case NFULA_PACKET_HDR:
	case NFULA_MARK:
	case NFULA_TIMESTAMP:
	case NFULA_IFINDEX_INDEV:
	case NFULA_IFINDEX_OUTDEV:
	case NFULA_HWADDR:
	case NFULA_HWTYPE:
	case NFULA_HWHEADER:
	case NFULA_PAYLOAD:
	case NFULA_PREFIX:
	case NFULA_CT:
		return true;
	default:
		return false;
	}
}

/* Walks the TLVs after the nflog header. */
static int decode_tlvs(struct nflog_pkt *p, const uint8_t *data, size_t len)
{
	uint32_t seen = 0;
	size_t off = NFLOG_HDR_LEN;

	while (off < len) {
		size_t rem = len - off, tlen, step;
		unsigned type;
		int r;

		if (rem < TLV_HDR_LEN)
			return -EINVAL;
		tlen = get_h16(data + off);
		type = get_h16(data + off + 2) & TLV_TYPE_MASK;
		if (tlen < TLV_HDR_LEN || tlen > rem)
			return -EINVAL;
		if (is_decoded_type(type)) {
			if (seen & (1u << type))
				return -EINVAL;
			seen |= 1u << type;
			r = decode_tlv(p, type, data + off + TLV_HDR_LEN, tlen - TLV_HDR_LEN);
			if (r < 0)
				return r;
		}
		/* Values are padded to 4 bytes; the last one's padding may be cut. */
		step = (tlen + 3) & ~(size_t)3;
		off += step < rem ? step : rem;
	}
	return 0;
}

/* Ports or ICMP type and code from the transport header at @l4 (@len bytes). */
static void decode_l4(struct nflog_pkt *p, const uint8_t *l4, size_t len)
{
	bool icmp = (p->ip_version == 4 && p->protocol == PROTO_ICMP) ||
		    (p->ip_version == 6 && p->protocol == PROTO_ICMPV6);

	switch (p->protocol) {
	case PROTO_TCP:
	case PROTO_UDP:
	case PROTO_DCCP:
	case PROTO_SCTP:
	case PROTO_UDPLITE:
		/* All five start with source and destination port. */
		if (len < 4) {
			p->l4_truncated = true;
			return;
		}
		p->has_ports = true;
		p->sport = get_be16(l4);
		p->dport = get_be16(l4 + 2);
		return;
	default:
		if (!icmp)
			return;
		if (len < 2) {
			p->l4_truncated = true;
			return;
		}
		p->has_icmp = true;
		p->icmp_type = l4[0];
		p->icmp_code = l4[1];
		return;
	}
}

static int decode_ipv4(struct nflog_pkt *p, const uint8_t *ip, size_t caplen)
{
	size_t hlen, tot, end;

	if (caplen < IPV4_HDR_MIN)
		return -EINVAL;
	hlen = (size_t)(ip[0] & 0x0f) * 4;
	tot = get_be16(ip + 2);
	/* A total length of 0 is the kernel's mark of a BIG TCP packet (skb_ip_totlen). */
	if (tot == 0)
		tot = caplen;
	if (hlen < IPV4_HDR_MIN || hlen > caplen || tot < hlen)
		return -EINVAL;
	p->protocol = ip[9];
	memcpy(p->saddr, ip + 12, 4);
	memcpy(p->daddr, ip + 16, 4);
	/* Only the first fragment carries the transport header. */
	if (get_be16(ip + 6) & 0x1fff) {
		p->is_fragment = true;
		return 0;
	}
	/* The packet ends at its total length or where the capture was cut. */
	end = tot < caplen ? tot : caplen;
	decode_l4(p, ip + hlen, end - hlen);
	return 0;
}

static int decode_ipv6(struct nflog_pkt *p, const uint8_t *ip, size_t caplen)
{
	size_t tot, end;

	if (caplen < IPV6_HDR_LEN)
		return -EINVAL;
	/* Extension headers are out of scope: the next header is the protocol. */
	p->protocol = ip[6];
	memcpy(p->saddr, ip + 8, 16);
	memcpy(p->daddr, ip + 24, 16);
	tot = IPV6_HDR_LEN + (size_t)get_be16(ip + 4);
	/* A payload length of 0: a jumbogram or BIG TCP; the capture's length counts. */
	if (tot == IPV6_HDR_LEN)
		tot = caplen;
	end = tot < caplen ? tot : caplen;
	decode_l4(p, ip + IPV6_HDR_LEN, end - IPV6_HDR_LEN);
	return 0;
}

static int decode_payload(struct nflog_pkt *p)
{
	if (!p->payload)
		return -EINVAL;
	p->ip_version = p->payload[0] >> 4;
	if (p->family == NFLOG_FAMILY_IPV4 && p->ip_version == 4)
		return decode_ipv4(p, p->payload, p->payload_len);
	if (p->family == NFLOG_FAMILY_IPV6 && p->ip_version == 6)
		return decode_ipv6(p, p->payload, p->payload_len);
	return -EINVAL;
}

/* The Ethernet source: NFULA_HWADDR when it is 6 bytes, else the MAC header's. */
static void find_src_mac(struct nflog_pkt *p)
{
	if (p->hwaddr_len == 6) {
		memcpy(p->src_mac, p->hwaddr, 6);
		p->has_src_mac = true;
	} else if (p->hwheader && p->has_hwtype && p->hwtype == ARPHRD_ETHER &&
		   p->hwheader_len >= ETH_HDR_LEN) {
		memcpy(p->src_mac, p->hwheader + 6, 6);
		p->has_src_mac = true;
	}
}

int nflog_decode(const uint8_t *data, size_t len, struct nflog_pkt *ret)
{
	struct nflog_pkt p;
	int r;

	if (len < NFLOG_HDR_LEN)
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	p.family = data[0];
	p.resource_id = get_be16(data + 2);
	if (data[1] != 0)
		return -EINVAL;
	if (p.family != NFLOG_FAMILY_IPV4 && p.family != NFLOG_FAMILY_IPV6)
		return -EAFNOSUPPORT;
	r = decode_tlvs(&p, data, len);
	if (r < 0)
		return r;
	r = decode_payload(&p);
	if (r < 0)
		return r;
	find_src_mac(&p);
	*ret = p;
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ethernet frame decoding for the LAN observer (ARP, DHCP, equipment): see frame.h. */
#include "frame.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ETH_HDR_LEN 14
#define VLAN_TAG_LEN 4
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_LLDP 0x88cc
#define ETH_MAX_LENGTH 1500 /* type/length values up to this are 802.3 lengths */

#define ARP_LEN 28 /* for IPv4 over Ethernet */
#define ARP_HTYPE_ETHER 1
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

#define IPV4_HDR_MIN 20
#define IP_PROTO_UDP 17
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff
#define UDP_HDR_LEN 8

#define PORT_SERVER 67
#define PORT_CLIENT 68
#define BOOTP_FIXED_LEN 236
#define BOOTP_OPTIONS 240 /* the fixed part and the magic cookie */
#define BOOTREQUEST 1
#define BOOTREPLY 2

enum {
	OPT_PAD = 0,
	OPT_HOSTNAME = 12,
	OPT_REQUESTED_IP = 50,
	OPT_LEASE_TIME = 51,
	OPT_MESSAGE_TYPE = 53,
	OPT_SERVER_ID = 54,
	OPT_END = 255,
};

/* DHCP message types (RFC 2132 §9.6), in the order of enum sighting_kind. */
enum {
	DHCP_DISCOVER = 1,
	DHCP_OFFER = 2,
	DHCP_ACK = 5,
	DHCP_NAK = 6,
	DHCP_INFORM = 8,
};

static const uint8_t dhcp_cookie[4] = { 99, 130, 83, 99 };
static const uint8_t zero_ip[4];

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool is_zero_ip(const uint8_t *ip)
{
	return memcmp(ip, zero_ip, 4) == 0;
}

static int decode_arp(struct sighting *s, const uint8_t *arp, size_t len)
{
	const uint8_t *sha = arp + 8, *spa = arp + 14, *tpa = arp + 24;
	uint16_t op;

	if (len < 8)
		return -EINVAL;
	/* ARP for other hardware or protocols (IPv6 has none) is not ours... */
	if (get_be16(arp) != ARP_HTYPE_ETHER || get_be16(arp + 2) != ETHERTYPE_IPV4)
		return -ENOENT;
	/* ...but Ethernet and IPv4 with other address lengths is broken. */
	if (arp[4] != 6 || arp[5] != 4 || len < ARP_LEN)
		return -EINVAL;
	op = get_be16(arp + 6);
	if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)
		return -ENOENT; /* InARP and the like */
	memcpy(s->hw_mac, sha, 6);
	if (is_zero_ip(spa)) {
		/* RFC 5227: only a request may probe, and it probes for an address. */
		if (op != ARP_OP_REQUEST || is_zero_ip(tpa))
			return -EINVAL;
		s->kind = SIGHTING_ARP_PROBE;
		memcpy(s->addr, tpa, 4);
	} else {
		if (!memcmp(spa, tpa, 4))
			s->kind = SIGHTING_ARP_ANNOUNCE; /* gratuitous, either opcode */
		else
			s->kind = op == ARP_OP_REQUEST ? SIGHTING_ARP_REQUEST : SIGHTING_ARP_REPLY;
		memcpy(s->addr, spa, 4);
	}
	s->has_addr = true;
	return 0;
}

/* The DHCP options we read, each at most once. */
struct dhcp_opts {
	uint64_t seen;          /* bit @code of each decoded option (all below 64) */
	uint8_t type;           /* option 53, 0: absent */
	bool has_requested;
	uint8_t requested[4];
};

/* The name is the peer's: nothing in it may forge or break a log line. */
static bool is_safe_char(uint8_t c)
{
	return c >= 0x20 && c < 0x7f && c != '\'' && c != '\\';
}

static void copy_hostname(struct sighting *s, const uint8_t *v, size_t len)
{
	size_t i, n;

	/* Some clients count a terminating NUL; it is not part of the name. */
	while (len > 0 && v[len - 1] == '\0')
		len--;
	n = len < SIGHTING_HOSTNAME_MAX ? len : SIGHTING_HOSTNAME_MAX;
	for (i = 0; i < n; i++)
		s->hostname[i] = is_safe_char(v[i]) ? (char)v[i] : '?';
	s->hostname[n] = '\0';
	s->has_hostname = true;
}

/* One option of a code decoded here, value @v of @len bytes. */
static int decode_option(struct sighting *s, struct dhcp_opts *o, uint8_t code, const uint8_t *v,
			 size_t len)
{
	/* RFC 3396 would concatenate repeats; none of these is long enough to need it. */
	if (o->seen & (UINT64_C(1) << code))
		return -EINVAL;
	o->seen |= UINT64_C(1) << code;
	switch (code) {
	case OPT_MESSAGE_TYPE:
		if (len != 1 || v[0] == 0)
			return -EINVAL;
		o->type = v[0];
		return 0;
	case OPT_REQUESTED_IP:
		if (len != 4)
			return -EINVAL;
		o->has_requested = true;
		memcpy(o->requested, v, 4);
		return 0;
	case OPT_SERVER_ID:
		if (len != 4)
			return -EINVAL;
		s->has_server_id = true;
		memcpy(s->server_id, v, 4);
		return 0;
	case OPT_LEASE_TIME:
		if (len != 4)
			return -EINVAL;
		s->has_lease = true;
		s->lease_s = get_be32(v);
		return 0;
	case OPT_HOSTNAME:
		if (len == 0)
			return -EINVAL;
		copy_hostname(s, v, len);
		return 0;
	default:
		return 0;
	}
}

static bool is_decoded_option(uint8_t code)
{
	return code == OPT_MESSAGE_TYPE || code == OPT_REQUESTED_IP || code == OPT_SERVER_ID ||
	       code == OPT_LEASE_TIME || code == OPT_HOSTNAME;
}

/*
 * Walks the options at @p (@len bytes). In a first fragment (@partial) the
 * rest of the options is in the next fragment: an option cut at the end
 * ends the walk instead of being malformed.
 */
static int decode_options(struct sighting *s, struct dhcp_opts *o, const uint8_t *p, size_t len,
			  bool partial)
{
	size_t off = 0;

	while (off < len) {
		uint8_t code = p[off];
		size_t olen;
		int r;

		if (code == OPT_PAD) {
			off++;
			continue;
		}
		if (code == OPT_END)
			return 0;
		if (len - off < 2 || (size_t)p[off + 1] > len - off - 2)
			return partial ? 0 : -EINVAL;
		olen = p[off + 1];
		if (is_decoded_option(code)) {
			r = decode_option(s, o, code, p + off + 2, olen);
			if (r < 0)
				return r;
		}
		off += 2 + olen;
	}
	return 0;
}

/* The message type must match the BOOTP opcode and the direction of the ports. */
static int check_dhcp_direction(uint8_t type, uint8_t op, uint16_t sport, uint16_t dport)
{
	bool reply = type == DHCP_OFFER || type == DHCP_ACK || type == DHCP_NAK;

	if (op != (reply ? BOOTREPLY : BOOTREQUEST))
		return -EINVAL;
	/* Replies come from a server's port, requests go to one. */
	if (reply ? sport != PORT_SERVER : dport != PORT_SERVER)
		return -EINVAL;
	return 0;
}

/* The BOOTP message at @b (@len bytes, at least BOOTP_OPTIONS). */
static int decode_bootp(struct sighting *s, const uint8_t *b, size_t len, bool partial,
			uint16_t sport, uint16_t dport)
{
	const uint8_t *ciaddr = b + 12, *yiaddr = b + 16;
	struct dhcp_opts o;
	int r;

	if (memcmp(b + BOOTP_FIXED_LEN, dhcp_cookie, 4))
		return -EINVAL;
	memset(&o, 0, sizeof(o));
	r = decode_options(s, &o, b + BOOTP_OPTIONS, len - BOOTP_OPTIONS, partial);
	if (r < 0)
		return r;
	/* Plain BOOTP, or a message type we do not report (RFC 3203, 4388, ...). */
	if (o.type < DHCP_DISCOVER || o.type > DHCP_INFORM)
		return -ENOENT;
	r = check_dhcp_direction(o.type, b[0], sport, dport);
	if (r < 0)
		return r;
	/* chaddr is a MAC only for htype 1, hlen 6: the only clients on Ethernet. */
	if (b[1] != ARP_HTYPE_ETHER || b[2] != 6)
		return -EINVAL;
	s->kind = (enum sighting_kind)(SIGHTING_DHCP_DISCOVER + o.type - DHCP_DISCOVER);
	s->from_server = b[0] == BOOTREPLY;
	s->xid = get_be32(b + 4);
	memcpy(s->hw_mac, b + 28, 6);
	/*
	 * The address at stake: a reply's yiaddr (an INFORM's ACK has none, the
	 * client's ciaddr stands), a bound client's ciaddr (RENEWING, RELEASE,
	 * INFORM), else the address it asks for (SELECTING, INIT-REBOOT, DECLINE).
	 */
	if (s->from_server && !is_zero_ip(yiaddr)) {
		memcpy(s->addr, yiaddr, 4);
		s->has_addr = true;
	} else if (!is_zero_ip(ciaddr)) {
		memcpy(s->addr, ciaddr, 4);
		s->has_addr = true;
	} else if (o.has_requested && !is_zero_ip(o.requested)) {
		memcpy(s->addr, o.requested, 4);
		s->has_addr = true;
	}
	return 0;
}

/* The UDP datagram at @udp: @len bytes of it are here (all, unless @partial). */
static int decode_udp(struct sighting *s, const uint8_t *udp, size_t len, bool partial)
{
	uint16_t sport, dport;
	size_t ulen;

	if (len < UDP_HDR_LEN)
		return -EINVAL;
	sport = get_be16(udp);
	dport = get_be16(udp + 2);
	if (!((sport == PORT_CLIENT && dport == PORT_SERVER) ||
	      (sport == PORT_SERVER && (dport == PORT_CLIENT || dport == PORT_SERVER))))
		return -ENOENT;
	ulen = get_be16(udp + 4);
	/* A first fragment holds a part of the datagram, a whole one all of it. */
	if (ulen < UDP_HDR_LEN || (partial ? ulen < len : ulen > len))
		return -EINVAL;
	if (!partial)
		len = ulen; /* bytes after the datagram in the IP packet are not DHCP */
	if (len - UDP_HDR_LEN < BOOTP_OPTIONS)
		return -EINVAL;
	return decode_bootp(s, udp + UDP_HDR_LEN, len - UDP_HDR_LEN, partial, sport, dport);
}

static int decode_ipv4(struct sighting *s, const uint8_t *ip, size_t caplen)
{
	size_t hlen, tot;
	uint16_t frag;

	if (caplen < IPV4_HDR_MIN || ip[0] >> 4 != 4)
		return -EINVAL;
	hlen = (size_t)(ip[0] & 0x0f) * 4;
	tot = get_be16(ip + 2);
	/* IP options (IHL > 5) are skipped; the packet must be there up to its total length. */
	if (hlen < IPV4_HDR_MIN || tot < hlen || tot > caplen)
		return -EINVAL;
	if (ip[9] != IP_PROTO_UDP)
		return -ENOENT;
	frag = get_be16(ip + 6);
	/* A later fragment has no UDP header: nothing to tell what it is. */
	if (frag & IP_OFFSET)
		return -ENOENT;
	memcpy(s->ip_src, ip + 12, 4);
	return decode_udp(s, ip + hlen, tot - hlen, frag & IP_MF);
}

/* Ethernet header with at most one 802.1Q tag; *@ret_off: where its payload starts. */
static int decode_ether(struct sighting *s, const uint8_t *data, size_t len, uint16_t *ret_type,
			size_t *ret_off)
{
	uint16_t type;
	size_t off = ETH_HDR_LEN;

	if (len < ETH_HDR_LEN)
		return -EINVAL;
	/* A group address is never a source: a forged or broken frame. */
	if (data[6] & 0x01)
		return -EINVAL;
	memcpy(s->src_mac, data + 6, 6);
	type = get_be16(data + 12);
	if (type == ETHERTYPE_VLAN) {
		if (len < ETH_HDR_LEN + VLAN_TAG_LEN)
			return -EINVAL;
		s->has_vlan = true;
		s->vlan = get_be16(data + 14) & 0x0fff;
		type = get_be16(data + 16);
		off += VLAN_TAG_LEN;
	}
	*ret_type = type;
	*ret_off = off;
	return 0;
}


/* ---- network equipment (LANREQ-47) ------------------------------------------- */

static const uint8_t dst_stp[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };
static const uint8_t dst_cdp[6] = { 0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc };
static const uint8_t llc_stp[3] = { 0x42, 0x42, 0x03 };
static const uint8_t snap_cdp[8] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00 };

#define BPDU_CONFIG 0x00
#define BPDU_TCN 0x80
#define BPDU_RST 0x02
#define BPDU_CONFIG_LEN 35
#define BPDU_TCN_LEN 4
#define BPDU_RST_LEN 36

enum {
	LLDP_END = 0,
	LLDP_CHASSIS = 1,
	LLDP_PORT = 2,
	LLDP_TTL = 3,
	LLDP_SYSNAME = 5,
	LLDP_MGMT = 8,
};

enum {
	CDP_DEVICE_ID = 1,
	CDP_ADDRESSES = 2,
	CDP_PLATFORM = 6,
};

/* A string of the peer's, kept as copy_hostname() keeps a DHCP host name. */
static void copy_safe(char *out, const uint8_t *v, size_t len)
{
	size_t i, n = len < SIGHTING_EQUIP_MAX ? len : SIGHTING_EQUIP_MAX;

	for (i = 0; i < n; i++)
		out[i] = is_safe_char(v[i]) ? (char)v[i] : '?';
	out[n] = '\0';
}

static void format_mac(char *out, size_t len, const uint8_t *m)
{
	snprintf(out, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* 802.1D: a BPDU after the LLC header, @len bytes as the 802.3 length allows. */
static int decode_bpdu(struct sighting *s, const uint8_t *b, size_t len)
{
	const uint8_t *bid = b + 17;

	if (len < BPDU_TCN_LEN)
		return -EINVAL;
	if (get_be16(b) != 0)
		return -ENOENT; /* not the spanning tree protocol */
	s->kind = SIGHTING_STP;
	s->bpdu_version = b[2];
	s->bpdu_type = b[3];
	switch (b[3]) {
	case BPDU_TCN:
		return 0; /* a topology change: no bridge id, still a bridge */
	case BPDU_CONFIG:
		if (len < BPDU_CONFIG_LEN)
			return -EINVAL;
		break;
	case BPDU_RST:
		if ((b[2] != 2 && b[2] != 3) || len < BPDU_RST_LEN)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	/* The bridge id: priority (4 bits) and system id extension, then the bridge's MAC. */
	snprintf(s->equip_id, sizeof(s->equip_id), "%04x.%02x:%02x:%02x:%02x:%02x:%02x",
		 get_be16(bid), bid[2], bid[3], bid[4], bid[5], bid[6], bid[7]);
	return 0;
}

/* The chassis id, by its subtype (802.1AB 8.5.2): a MAC, an address, else text. */
static void lldp_chassis(struct sighting *s, const uint8_t *v, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (v[0] == 4 && len == 7) {
		format_mac(s->equip_id, sizeof(s->equip_id), v + 1);
	} else if (v[0] == 5 && len == 6 && v[1] == 1) {
		snprintf(s->equip_id, sizeof(s->equip_id), "%u.%u.%u.%u", v[2], v[3], v[4], v[5]);
	} else if (v[0] == 5 && len == 18 && v[1] == 2 && inet_ntop(AF_INET6, v + 2, a, sizeof(a))) {
		snprintf(s->equip_id, sizeof(s->equip_id), "%s", a);
	} else {
		copy_safe(s->equip_id, v + 1, len - 1);
	}
}

/* An LLDPDU of @len bytes (padding included). */
static int decode_lldp(struct sighting *s, const uint8_t *p, size_t len)
{
	size_t off = 0;
	unsigned n = 0, seen = 0;

	while (off < len) {
		unsigned type, tl;
		const uint8_t *v;

		if (len - off < 2)
			return -EINVAL;
		type = p[off] >> 1;
		tl = (unsigned)(p[off] & 1) << 8 | p[off + 1];
		if (tl > len - off - 2)
			return -EINVAL;
		v = p + off + 2;
		off += 2 + tl;
		/* The mandatory three come first, in order (802.1AB 8.2). */
		if (n < 3 && type != n + 1)
			return -EINVAL;
		n++;
		if (type == LLDP_END) {
			if (tl != 0)
				return -EINVAL;
			break;
		}
		if (type == LLDP_CHASSIS || type == LLDP_PORT || type == LLDP_TTL ||
		    type == LLDP_SYSNAME) {
			if (seen & (1u << type))
				return -EINVAL;
			seen |= 1u << type;
		}
		switch (type) {
		case LLDP_CHASSIS:
		case LLDP_PORT:
			if (tl < 2 || tl > 256)
				return -EINVAL;
			if (type == LLDP_CHASSIS)
				lldp_chassis(s, v, tl);
			break;
		case LLDP_TTL:
			if (tl != 2)
				return -EINVAL;
			break;
		case LLDP_SYSNAME:
			copy_safe(s->equip_name, v, tl);
			break;
		case LLDP_MGMT:
			/*
			 * String length (subtype and address), subtype, address, interface
			 * subtype, interface number (4), OID length, OID: the first IPv4.
			 */
			if (tl < 1 || v[0] < 2 || v[0] > 32 || (size_t)v[0] + 7 > tl)
				return -EINVAL;
			if (!s->has_addr && v[0] == 5 && v[1] == 1 && !is_zero_ip(v + 2)) {
				memcpy(s->addr, v + 2, 4);
				s->has_addr = true;
			}
			break;
		default:
			break;
		}
	}
	if (n < 3)
		return -EINVAL;
	s->kind = SIGHTING_LLDP;
	return 0;
}

/* CDP's addresses TLV: the first IPv4 address (protocol type 1, NLPID 0xcc). */
static int cdp_addresses(struct sighting *s, const uint8_t *v, size_t len)
{
	size_t off = 4;
	uint32_t i, n;

	if (len < 4)
		return -EINVAL;
	n = get_be32(v);
	for (i = 0; i < n; i++) {
		size_t pl, al;

		if (len - off < 2 || (pl = v[off + 1]) > len - off - 2 || len - off - 2 - pl < 2)
			return -EINVAL;
		al = get_be16(v + off + 2 + pl);
		if (al > len - off - 4 - pl)
			return -EINVAL;
		if (!s->has_addr && v[off] == 1 && pl == 1 && v[off + 2] == 0xcc && al == 4 &&
		    !is_zero_ip(v + off + 4 + pl)) {
			memcpy(s->addr, v + off + 4 + pl, 4);
			s->has_addr = true;
		}
		off += 4 + pl + al;
	}
	return 0;
}

/* A CDP packet after the SNAP header. */
static int decode_cdp(struct sighting *s, const uint8_t *p, size_t len)
{
	size_t off = 4;
	unsigned seen = 0;

	if (len < 4)
		return -EINVAL;
	if (p[0] != 1 && p[0] != 2)
		return -EINVAL;
	while (off < len) {
		unsigned type, tl;
		const uint8_t *v;
		int r;

		if (len - off < 4)
			return -EINVAL;
		type = get_be16(p + off);
		tl = get_be16(p + off + 2);
		if (tl < 4 || tl > len - off)
			return -EINVAL;
		v = p + off + 4;
		off += tl;
		tl -= 4;
		if (type == CDP_DEVICE_ID || type == CDP_ADDRESSES || type == CDP_PLATFORM) {
			if (seen & (1u << type))
				return -EINVAL;
			seen |= 1u << type;
		}
		switch (type) {
		case CDP_DEVICE_ID:
			copy_safe(s->equip_id, v, tl);
			break;
		case CDP_PLATFORM:
			copy_safe(s->equip_name, v, tl);
			break;
		case CDP_ADDRESSES:
			r = cdp_addresses(s, v, tl);
			if (r < 0)
				return r;
			break;
		default:
			break;
		}
	}
	s->kind = SIGHTING_CDP;
	return 0;
}

/* An 802.3 frame: @type is its length; @dst the destination it was sent to. */
static int decode_8023(struct sighting *s, const uint8_t *dst, const uint8_t *p, size_t len,
		       uint16_t type)
{
	/* The length counts the LLC header and what follows; padding may follow it. */
	if (type > len)
		return -EINVAL;
	len = type;
	if (!memcmp(dst, dst_stp, 6)) {
		if (len < 3 || memcmp(p, llc_stp, 3))
			return -ENOENT;
		return decode_bpdu(s, p + 3, len - 3);
	}
	if (!memcmp(dst, dst_cdp, 6)) {
		if (len < 8 || memcmp(p, snap_cdp, 8))
			return -ENOENT; /* VTP, DTP, UDLD share the address */
		return decode_cdp(s, p + 8, len - 8);
	}
	return -ENOENT;
}

/* LLDP to the nearest bridge, the nearest non-TPMR bridge, the nearest customer bridge. */
static bool is_lldp_dst(const uint8_t *dst)
{
	return !memcmp(dst, dst_stp, 5) && (dst[5] == 0x0e || dst[5] == 0x03 || dst[5] == 0x00);
}

#define IPV6_HDR_LEN 40
#define IP_PROTO_ICMPV6 58
#define ICMPV6_RA 134
#define RA_MIN_LEN 16

static int decode_ipv6(struct sighting *s, const uint8_t *ip, size_t caplen)
{
	const uint8_t *icmp = ip + IPV6_HDR_LEN;
	size_t plen;

	if (caplen < IPV6_HDR_LEN || ip[0] >> 4 != 6)
		return -EINVAL;
	plen = get_be16(ip + 4);
	if (plen > caplen - IPV6_HDR_LEN)
		return -EINVAL;
	/* Extension headers and every other protocol: not ours. */
	if (ip[6] != IP_PROTO_ICMPV6 || plen < 1 || icmp[0] != ICMPV6_RA)
		return -ENOENT;
	/* RFC 4861 6.1.2: hop limit 255 (not routed), a link-local source, code 0. */
	if (plen < RA_MIN_LEN || icmp[1] != 0 || ip[7] != 255 || ip[8] != 0xfe ||
	    (ip[9] & 0xc0) != 0x80)
		return -EINVAL;
	if (!inet_ntop(AF_INET6, ip + 8, s->equip_id, sizeof(s->equip_id)))
		return -EINVAL;
	s->kind = SIGHTING_ROUTER_ADVERT;
	return 0;
}

int frame_decode(const uint8_t *data, size_t len, struct sighting *ret)
{
	struct sighting s;
	uint16_t type;
	size_t off;
	int r;

	memset(&s, 0, sizeof(s));
	r = decode_ether(&s, data, len, &type, &off);
	if (r < 0)
		return r;
	/* A second tag (QinQ), other 802.3 frames and the rest are not ours. */
	if (type == ETHERTYPE_ARP)
		r = decode_arp(&s, data + off, len - off);
	else if (type == ETHERTYPE_IPV4)
		r = decode_ipv4(&s, data + off, len - off);
	else if (type <= ETH_MAX_LENGTH)
		r = decode_8023(&s, data, data + off, len - off, type);
	else if (type == ETHERTYPE_LLDP)
		r = is_lldp_dst(data) ? decode_lldp(&s, data + off, len - off) : -ENOENT;
	else if (type == ETHERTYPE_IPV6)
		r = decode_ipv6(&s, data + off, len - off);
	else
		r = -ENOENT;
	if (r < 0)
		return r;
	*ret = s;
	return 0;
}

const char *frame_kind_name(enum sighting_kind kind)
{
	static const char *const names[] = {
		[SIGHTING_ARP_REQUEST] = "arp-request",
		[SIGHTING_ARP_REPLY] = "arp-reply",
		[SIGHTING_ARP_ANNOUNCE] = "arp-announce",
		[SIGHTING_ARP_PROBE] = "arp-probe",
		[SIGHTING_DHCP_DISCOVER] = "dhcp-discover",
		[SIGHTING_DHCP_OFFER] = "dhcp-offer",
		[SIGHTING_DHCP_REQUEST] = "dhcp-request",
		[SIGHTING_DHCP_DECLINE] = "dhcp-decline",
		[SIGHTING_DHCP_ACK] = "dhcp-ack",
		[SIGHTING_DHCP_NAK] = "dhcp-nak",
		[SIGHTING_DHCP_RELEASE] = "dhcp-release",
		[SIGHTING_DHCP_INFORM] = "dhcp-inform",
		[SIGHTING_STP] = "stp",
		[SIGHTING_LLDP] = "lldp",
		[SIGHTING_CDP] = "cdp",
		[SIGHTING_ROUTER_ADVERT] = "router-advert",
	};

	if ((unsigned)kind >= sizeof(names) / sizeof(names[0]) || !names[kind])
		return "?";
	return names[kind];
}

static bool is_dhcp(enum sighting_kind kind)
{
	return kind >= SIGHTING_DHCP_DISCOVER && kind <= SIGHTING_DHCP_INFORM;
}

bool frame_kind_is_equipment(enum sighting_kind kind)
{
	return kind >= SIGHTING_STP && kind <= SIGHTING_ROUTER_ADVERT;
}

static const char *bpdu_name(const struct sighting *s)
{
	if (s->bpdu_type == BPDU_TCN)
		return "tcn";
	if (s->bpdu_type == BPDU_CONFIG)
		return "config";
	return s->bpdu_version == 3 ? "mst" : "rst";
}

/* A line being written: @off counts every byte asked for, also past @len. */
struct line {
	char *buf;
	size_t len, off;
};

static void line_addf(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line_addf(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(l->off < l->len ? l->buf + l->off : NULL,
		      l->off < l->len ? l->len - l->off : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->off += (size_t)n;
}

static void line_mac(struct line *l, const char *key, const uint8_t *m)
{
	line_addf(l, "%s%02x:%02x:%02x:%02x:%02x:%02x", key, m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void line_ip(struct line *l, const char *key, const uint8_t *a)
{
	line_addf(l, "%s%u.%u.%u.%u", key, a[0], a[1], a[2], a[3]);
}

int frame_sighting_format(const struct sighting *s, char *buf, size_t len)
{
	struct line l = { buf, len, 0 };

	if (len > 0)
		buf[0] = '\0';
	line_addf(&l, "%s", frame_kind_name(s->kind));
	line_mac(&l, " ", s->src_mac);
	if (s->has_vlan)
		line_addf(&l, " vlan %u", s->vlan);
	if (s->has_addr)
		line_ip(&l, " ip ", s->addr);
	if (frame_kind_is_equipment(s->kind)) {
		if (s->kind == SIGHTING_STP)
			line_addf(&l, " bpdu %s", bpdu_name(s));
		if (s->equip_id[0])
			line_addf(&l, " id '%s'", s->equip_id);
		if (s->equip_name[0])
			line_addf(&l, " name '%s'", s->equip_name);
		return l.off < len ? (int)l.off : -ENOSPC;
	}
	if (!is_dhcp(s->kind)) {
		/* ARP: a sender address unlike the frame's source is worth seeing. */
		if (memcmp(s->hw_mac, s->src_mac, 6))
			line_mac(&l, " sha ", s->hw_mac);
		return l.off < len ? (int)l.off : -ENOSPC;
	}
	line_mac(&l, " chaddr ", s->hw_mac);
	if (s->has_server_id)
		line_ip(&l, " server-id ", s->server_id);
	line_ip(&l, " from ", s->ip_src);
	line_addf(&l, " xid 0x%08" PRIx32, s->xid);
	if (s->has_lease && s->lease_s == UINT32_MAX)
		line_addf(&l, " lease infinite");
	else if (s->has_lease)
		line_addf(&l, " lease %" PRId64, s->lease_s);
	if (s->has_hostname)
		line_addf(&l, " hostname '%s'", s->hostname);
	if (s->from_server)
		line_addf(&l, " by-server");
	return l.off < len ? (int)l.off : -ENOSPC;
}

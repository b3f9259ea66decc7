/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ethernet frame decoding for the LAN observer (ARP, DHCP): see frame.h. */
#include "frame.h"

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
	/* A second tag (QinQ), 802.3 lengths, IPv6 and the rest are not ours. */
	if (type == ETHERTYPE_ARP)
		r = decode_arp(&s, data + off, len - off);
	else if (type == ETHERTYPE_IPV4)
		r = decode_ipv4(&s, data + off, len - off);
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
	};

	if ((unsigned)kind >= sizeof(names) / sizeof(names[0]) || !names[kind])
		return "?";
	return names[kind];
}

static bool is_dhcp(enum sighting_kind kind)
{
	return kind >= SIGHTING_DHCP_DISCOVER && kind <= SIGHTING_DHCP_INFORM;
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

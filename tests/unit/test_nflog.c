/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of lib/nflog: real kernel records recorded from libpcap's
 * "nflog:5" device (tests/data/nflog/capture.sh tells how and which rules),
 * then variants built or cut from them that must be refused.
 */
#include "helpers.h"

#include <arpa/inet.h>
#include <inttypes.h>

#include "nflog.h"
#include "util.h"

/* ---- recorded records --------------------------------------------------- */

struct capture {
	uint8_t *b;
	size_t len;
};

/*
 * The files hold TLV headers in the byte order of the host that recorded
 * them (little-endian, as libpcap delivers them); turn them into this host's.
 */
static void tlv_headers_to_host(uint8_t *b, size_t len)
{
	size_t off = 4;

	while (off + 4 <= len) {
		uint16_t tlen = (uint16_t)(b[off] | b[off + 1] << 8);
		uint16_t type = (uint16_t)(b[off + 2] | b[off + 3] << 8);

		memcpy(b + off, &tlen, 2);
		memcpy(b + off + 2, &type, 2);
		if (tlen < 4)
			break;
		off += (tlen + 3u) & ~3u;
	}
}

/* tests/data/nflog/@name.bin, in a buffer of exactly its size (ASan sees overreads). */
static struct capture load(const char *name)
{
	char path[4096];
	uint8_t tmp[65536];
	struct capture c;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/nflog/%s.bin", source_dir(), name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	c.len = fread(tmp, 1, sizeof(tmp), f);
	fclose(f);
	assert_true(c.len > 4 && c.len < sizeof(tmp));
	c.b = malloc(c.len);
	assert_non_null(c.b);
	memcpy(c.b, tmp, c.len);
	tlv_headers_to_host(c.b, c.len);
	return c;
}

static struct nflog_pkt decode_ok(const struct capture *c)
{
	struct nflog_pkt p;

	assert_int_equal(nflog_decode(c->b, c->len, &p), 0);
	return p;
}

static void assert_addr(int family, const uint8_t *a, const char *want)
{
	char buf[INET6_ADDRSTRLEN];

	assert_non_null(inet_ntop(family, a, buf, sizeof(buf)));
	assert_string_equal(buf, want);
}

static const char *const capture_names[] = {
	"lo_icmp_ping", "lo_tcp_syn",   "lo_udp",          "lo_icmpv6_ping",
	"lo_tcp6_denied", "lo_foreign_prefix", "in_icmp_ping", "fwd_tcp_dnat",
	"fwd_tcp_snat",  "fwd_icmpv6_ping", "fwd_udp_snaplen", "fwd_udp_denied",
};

/* ---- records built here -------------------------------------------------- */

struct rec {
	uint8_t b[1024];
	size_t len;
};

enum {
	T_PACKET_HDR = 1,
	T_MARK = 2,
	T_TIMESTAMP = 3,
	T_INDEV = 4,
	T_OUTDEV = 5,
	T_HWADDR = 8,
	T_PAYLOAD = 9,
	T_PREFIX = 10,
	T_UID = 11,
	T_HWTYPE = 15,
	T_HWHEADER = 16,
};

static void rec_init(struct rec *r, uint8_t family)
{
	memset(r, 0, sizeof(*r));
	r->b[0] = family;
	r->b[3] = 5; /* group 5, big-endian */
	r->len = 4;
}

/* Appends a TLV (header in host order) and pads it to 4 bytes. */
static void rec_tlv(struct rec *r, uint16_t type, const void *v, size_t len)
{
	uint16_t tlen = (uint16_t)(4 + len);

	assert_true(r->len + 4 + len + 3 < sizeof(r->b));
	memcpy(r->b + r->len, &tlen, 2);
	memcpy(r->b + r->len + 2, &type, 2);
	memcpy(r->b + r->len + 4, v, len);
	r->len += (4 + len + 3) & ~(size_t)3;
}

static void rec_str(struct rec *r, uint16_t type, const char *s)
{
	rec_tlv(r, type, s, strlen(s) + 1);
}

static void rec_be32(struct rec *r, uint16_t type, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	rec_tlv(r, type, b, sizeof(b));
}

/* 10.0.1.2:50000 -> 10.0.2.2:53, UDP, 2 bytes of data. */
static const uint8_t ip4_udp[30] = {
	0x45, 0, 0, 30, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 1, 2, 10, 0, 2, 2,
	0xc3, 0x50, 0, 53, 0, 10, 0, 0, 'x', '\n',
};

/* [fd00:1::2]:50000 -> [fd00:2::2]:443, TCP SYN. */
static const uint8_t ip6_tcp[60] = {
	0x60, 0, 0, 0, 0, 20, 6, 64,
	0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	0xfd, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	0xc3, 0x50, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
};

/* A valid IPv4 record: a prefix and @payload. */
static void rec_ip4(struct rec *r, const uint8_t *payload, size_t len)
{
	rec_init(r, NFLOG_FAMILY_IPV4);
	rec_str(r, T_PREFIX, "gw:D:lan>srv:default");
	rec_tlv(r, T_PAYLOAD, payload, len);
}

static int decode_rec(const struct rec *r, struct nflog_pkt *p)
{
	/* An exact-size copy, so that ASan catches a read past the end. */
	uint8_t *b = malloc(r->len);
	int e;

	assert_non_null(b);
	memcpy(b, r->b, r->len);
	e = nflog_decode(b, r->len, p);
	free(b);
	return e;
}

/* The IPv4 UDP record with payload byte @at set to @v. */
static int decode_ip4_with(size_t at, uint8_t v, struct nflog_pkt *p)
{
	uint8_t ip[sizeof(ip4_udp)];
	struct rec r;

	memcpy(ip, ip4_udp, sizeof(ip));
	ip[at] = v;
	rec_ip4(&r, ip, sizeof(ip));
	return decode_rec(&r, p);
}

/* ---- decoding recorded records ------------------------------------------- */

/* LOG-1..6, NAT-5: a forwarded TCP SYN, masqueraded on the way out. */
static void forward_tcp_record_gives_every_field(void **state)
{
	static const uint8_t hwheader[14] = { 2, 0, 0, 0, 1, 1, 2, 0, 0, 0, 1, 2, 0x08, 0x00 };
	static const uint8_t mac[6] = { 2, 0, 0, 0, 1, 2 };
	struct capture c = load("fwd_tcp_snat");
	struct nflog_pkt p = decode_ok(&c);

	(void)state;
	assert_int_equal(p.family, NFLOG_FAMILY_IPV4);
	assert_int_equal(p.resource_id, 5);
	assert_true(p.has_packet_hdr);
	assert_int_equal(p.hw_protocol, 0x0800);
	assert_int_equal(p.hook, 2); /* NF_INET_FORWARD */
	assert_true(p.has_prefix);
	assert_string_equal(p.prefix, "gw:A:lan>srv:http");
	assert_true(p.has_timestamp);
	assert_int_equal(p.ts_us, 1795429838102841); /* 2026-11-23T10:30:38.102841Z */
	assert_int_equal(p.indev, 2);
	assert_int_equal(p.outdev, 3);
	assert_int_equal(p.mark, 0);
	assert_int_equal(p.hwaddr_len, 6);
	assert_memory_equal(p.hwaddr, mac, 6);
	assert_true(p.has_hwtype);
	assert_int_equal(p.hwtype, 1);
	assert_int_equal(p.hwheader_len, 14);
	assert_memory_equal(p.hwheader, hwheader, 14);
	assert_true(p.has_src_mac);
	assert_memory_equal(p.src_mac, mac, 6);
	assert_int_equal(p.payload_len, 60);
	assert_true(p.payload > c.b && p.payload + p.payload_len <= c.b + c.len);
	assert_int_equal(p.payload[0], 0x45);
	assert_int_equal(p.ip_version, 4);
	assert_int_equal(p.protocol, 6);
	/* NAT-5: the forward chain sees the internal source, not the masquerade address. */
	assert_addr(AF_INET, p.saddr, "10.0.1.2");
	assert_addr(AF_INET, p.daddr, "10.0.2.2");
	assert_false(p.is_fragment);
	assert_false(p.l4_truncated);
	assert_true(p.has_ports);
	assert_int_equal(p.sport, 50094);
	assert_int_equal(p.dport, 80);
	assert_false(p.has_icmp);
	free(c.b);
}

/* NAT-5: a published service: the forward chain sees the DNAT'd destination. */
static void forward_record_of_dnat_carries_the_internal_server(void **state)
{
	struct capture c = load("fwd_tcp_dnat");
	struct nflog_pkt p = decode_ok(&c);

	(void)state;
	assert_string_equal(p.prefix, "gw:A:nat:publish:web:http");
	assert_addr(AF_INET, p.saddr, "10.0.1.2");
	assert_addr(AF_INET, p.daddr, "10.0.2.2"); /* the client asked for 10.0.1.1:8080 */
	assert_int_equal(p.sport, 46906);
	assert_int_equal(p.dport, 80);
	assert_int_equal(p.ts_us, 1795429837769744);
	free(c.b);
}

/* LOG-7 */
static void forward_denied_udp_record_decodes(void **state)
{
	struct capture c = load("fwd_udp_denied");
	struct nflog_pkt p = decode_ok(&c);

	(void)state;
	assert_string_equal(p.prefix, "gw:D:lan>srv:default");
	assert_int_equal(p.protocol, 17);
	assert_true(p.has_ports);
	assert_int_equal(p.sport, 50778);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.payload_len, 30);
	assert_int_equal(p.ts_us, 1795429839170338);
	free(c.b);
}

/* LOG-4, LOG-6: a rule's snaplen cuts the packet, the ports stay; the mark is read. */
static void record_cut_by_snaplen_still_has_ports(void **state)
{
	struct capture c = load("fwd_udp_snaplen");
	struct nflog_pkt p = decode_ok(&c);

	(void)state;
	assert_int_equal(p.payload_len, 28);
	assert_int_equal(p.payload[2] << 8 | p.payload[3], 66); /* the packet's length */
	assert_true(p.has_ports);
	assert_false(p.l4_truncated);
	assert_int_equal(p.sport, 55682);
	assert_int_equal(p.dport, 514);
	assert_int_equal(p.mark, 42);
	free(c.b);
}

static void forward_icmpv6_record_decodes(void **state)
{
	struct capture c = load("fwd_icmpv6_ping");
	struct nflog_pkt p = decode_ok(&c);

	(void)state;
	assert_int_equal(p.family, NFLOG_FAMILY_IPV6);
	assert_int_equal(p.hw_protocol, 0x86dd);
	assert_int_equal(p.ip_version, 6);
	assert_int_equal(p.protocol, 58);
	assert_addr(AF_INET6, p.saddr, "fd00:1::2");
	assert_addr(AF_INET6, p.daddr, "fd00:2::2");
	assert_true(p.has_icmp);
	assert_int_equal(p.icmp_type, 128);
	assert_int_equal(p.icmp_code, 0);
	assert_false(p.has_ports);
	assert_true(p.has_src_mac);
	assert_int_equal(p.indev, 2);
	assert_int_equal(p.outdev, 3);
	free(c.b);
}

/* Input hook: an incoming interface, none outgoing. */
static void input_record_has_only_the_ingress_interface(void **state)
{
	struct capture c = load("in_icmp_ping");
	struct nflog_pkt p = decode_ok(&c);

	(void)state;
	assert_int_equal(p.hook, 1); /* NF_INET_LOCAL_IN */
	assert_int_equal(p.indev, 2);
	assert_int_equal(p.outdev, 0);
	assert_true(p.has_timestamp);
	assert_int_equal(p.ts_us, 1795429837429096);
	assert_true(p.has_icmp);
	assert_int_equal(p.icmp_type, 8);
	assert_addr(AF_INET, p.daddr, "10.0.1.1");
	free(c.b);
}

/* LOG-1: the output hook stamps no time; there is no MAC header either. */
static void output_record_has_no_timestamp_and_no_mac(void **state)
{
	struct capture c = load("lo_tcp_syn");
	struct nflog_pkt p = decode_ok(&c);

	(void)state;
	assert_int_equal(p.hook, 3); /* NF_INET_LOCAL_OUT */
	assert_false(p.has_timestamp);
	assert_int_equal(p.indev, 0);
	assert_int_equal(p.outdev, 1);
	assert_int_equal(p.hwaddr_len, 0);
	assert_null(p.hwheader);
	assert_false(p.has_src_mac);
	assert_string_equal(p.prefix, "gw:A:test>x:tcp");
	assert_addr(AF_INET, p.saddr, "127.0.0.1");
	assert_int_equal(p.sport, 41454);
	assert_int_equal(p.dport, 8080);
	free(c.b);
}

/* LOG-2..6 on the loopback records: UDP, ICMP, ICMPv6, TCP over IPv6. */
static void loopback_records_decode(void **state)
{
	struct capture c;
	struct nflog_pkt p;

	(void)state;
	c = load("lo_udp");
	p = decode_ok(&c);
	assert_int_equal(p.protocol, 17);
	assert_int_equal(p.sport, 40273);
	assert_int_equal(p.dport, 5353);
	free(c.b);

	c = load("lo_icmp_ping");
	p = decode_ok(&c);
	assert_int_equal(p.protocol, 1);
	assert_true(p.has_icmp);
	assert_int_equal(p.icmp_type, 8);
	assert_false(p.has_ports);
	free(c.b);

	c = load("lo_icmpv6_ping");
	p = decode_ok(&c);
	assert_int_equal(p.ip_version, 6);
	assert_addr(AF_INET6, p.saddr, "::1");
	assert_int_equal(p.icmp_type, 128);
	free(c.b);

	c = load("lo_tcp6_denied");
	p = decode_ok(&c);
	assert_string_equal(p.prefix, "gw:D:test>x:deny6");
	assert_int_equal(p.protocol, 6);
	assert_int_equal(p.sport, 41732);
	assert_int_equal(p.dport, 9);
	free(c.b);

	/* Somebody else's prefix decodes all the same; logrec skips it. */
	c = load("lo_foreign_prefix");
	p = decode_ok(&c);
	assert_string_equal(p.prefix, "ct:new ");
	free(c.b);
}

/* ---- truncated and corrupted records ------------------------------------- */

/* Where the last TLV's value ends: only its padding may be cut. */
static size_t last_value_end(const struct capture *c)
{
	size_t off = 4, end = 4;

	while (off + 4 <= c->len) {
		uint16_t tlen;

		memcpy(&tlen, c->b + off, 2);
		end = off + tlen;
		off += (tlen + 3u) & ~3u;
	}
	return end;
}

/* Every record cut anywhere before its end is refused, never read past. */
static void every_cut_of_every_record_is_refused(void **state)
{
	size_t i, len;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(capture_names); i++) {
		struct capture c = load(capture_names[i]);
		struct nflog_pkt whole = decode_ok(&c), p;
		size_t end = last_value_end(&c);

		for (len = 0; len < end; len++) {
			uint8_t *b = malloc(len ? len : 1);

			assert_non_null(b);
			memcpy(b, c.b, len);
			if (nflog_decode(b, len, &p) != -EINVAL)
				fail_msg("%s cut to %zu of %zu bytes was not refused",
					 capture_names[i], len, c.len);
			free(b);
		}
		/* The final padding is optional. */
		for (len = end; len <= c.len; len++) {
			assert_int_equal(nflog_decode(c.b, len, &p), 0);
			assert_int_equal(p.payload_len, whole.payload_len);
		}
		free(c.b);
	}
}

static void output_untouched_on_refusal(void **state)
{
	struct nflog_pkt p;
	struct rec r;

	(void)state;
	memset(&p, 0xa5, sizeof(p));
	rec_init(&r, NFLOG_FAMILY_IPV4);
	rec_str(&r, T_PREFIX, "gw:A:x");
	assert_int_equal(decode_rec(&r, &p), -EINVAL); /* no payload */
	assert_int_equal(p.family, 0xa5);
}

static void tlv_length_out_of_bounds_is_refused(void **state)
{
	struct nflog_pkt p;
	uint16_t v;
	struct rec r;

	(void)state;
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	assert_int_equal(decode_rec(&r, &p), 0);
	/* Below the TLV header's own size. */
	for (v = 0; v < 4; v++) {
		memcpy(r.b + 4, &v, 2);
		assert_int_equal(decode_rec(&r, &p), -EINVAL);
	}
	/* Past the record. */
	v = (uint16_t)(r.len - 4 + 1);
	memcpy(r.b + 4, &v, 2);
	assert_int_equal(decode_rec(&r, &p), -EINVAL);
	v = 0xffff;
	memcpy(r.b + 4, &v, 2);
	assert_int_equal(decode_rec(&r, &p), -EINVAL);
	/* Trailing bytes too few for a TLV header. */
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	r.len += 2;
	assert_int_equal(decode_rec(&r, &p), -EINVAL);
}

static void unknown_tlvs_are_skipped(void **state)
{
	static const uint8_t junk[7] = { 1, 2, 3, 4, 5, 6, 7 };
	struct nflog_pkt a, b;
	struct rec r;

	(void)state;
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	assert_int_equal(decode_rec(&r, &a), 0);
	rec_init(&r, NFLOG_FAMILY_IPV4);
	rec_tlv(&r, 99, junk, sizeof(junk));
	rec_str(&r, T_PREFIX, "gw:D:lan>srv:default");
	rec_tlv(&r, T_UID, junk, 4);
	rec_tlv(&r, T_UID, junk, 4); /* skipped types may repeat */
	rec_tlv(&r, 0x3fff, junk, 0);
	rec_tlv(&r, T_PAYLOAD, ip4_udp, sizeof(ip4_udp));
	rec_tlv(&r, 0, junk, 3);
	assert_int_equal(decode_rec(&r, &b), 0);
	assert_string_equal(b.prefix, a.prefix);
	assert_int_equal(b.sport, 50000);
	assert_int_equal(b.dport, 53);
	assert_addr(AF_INET, b.saddr, "10.0.1.2");
}

/* The netlink flag bits of a type (NLA_F_NET_BYTEORDER, NLA_F_NESTED) are not the type. */
static void netlink_type_flags_are_masked(void **state)
{
	struct nflog_pkt p;
	struct rec r;

	(void)state;
	rec_init(&r, NFLOG_FAMILY_IPV4);
	rec_str(&r, T_PREFIX | 0x4000, "gw:A:lan>srv:dns");
	rec_tlv(&r, T_PAYLOAD | 0x8000, ip4_udp, sizeof(ip4_udp));
	assert_int_equal(decode_rec(&r, &p), 0);
	assert_string_equal(p.prefix, "gw:A:lan>srv:dns");
}

static void repeated_attribute_is_refused(void **state)
{
	struct nflog_pkt p;
	struct rec r;

	(void)state;
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	rec_str(&r, T_PREFIX, "gw:A:lan>srv:dns");
	assert_int_equal(decode_rec(&r, &p), -EINVAL);
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	rec_tlv(&r, T_PAYLOAD, ip4_udp, sizeof(ip4_udp));
	assert_int_equal(decode_rec(&r, &p), -EINVAL);
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	rec_be32(&r, T_INDEV, 2);
	rec_be32(&r, T_INDEV, 2);
	assert_int_equal(decode_rec(&r, &p), -EINVAL);
}

static int decode_prefix_value(const void *v, size_t len)
{
	struct nflog_pkt p;
	struct rec r;

	rec_init(&r, NFLOG_FAMILY_IPV4);
	rec_tlv(&r, T_PREFIX, v, len);
	rec_tlv(&r, T_PAYLOAD, ip4_udp, sizeof(ip4_udp));
	return decode_rec(&r, &p);
}

/* Exactly one NUL, at the end, after at most NFLOG_PREFIX_MAX characters. */
static void prefix_must_be_one_terminated_string(void **state)
{
	char s[NFLOG_PREFIX_MAX + 2];

	(void)state;
	assert_int_equal(decode_prefix_value("gw:A:x", 7), 0);
	assert_int_equal(decode_prefix_value("", 1), 0);
	assert_int_equal(decode_prefix_value("gw:A:x", 6), -EINVAL);      /* no NUL */
	assert_int_equal(decode_prefix_value("gw:A:x\0y", 9), -EINVAL);   /* two strings */
	assert_int_equal(decode_prefix_value("gw:A:x\0\0", 8), -EINVAL);  /* NUL padding */
	assert_int_equal(decode_prefix_value("", 0), -EINVAL);
	memset(s, 'a', sizeof(s));
	s[NFLOG_PREFIX_MAX] = '\0';
	assert_int_equal(decode_prefix_value(s, NFLOG_PREFIX_MAX + 1), 0);
	s[NFLOG_PREFIX_MAX] = 'a';
	s[NFLOG_PREFIX_MAX + 1] = '\0';
	assert_int_equal(decode_prefix_value(s, NFLOG_PREFIX_MAX + 2), -EINVAL);
}

/* A fixed-size attribute of another size is refused. */
static void fixed_size_attributes_have_their_size(void **state)
{
	static const uint8_t zeros[20];
	static const struct {
		uint16_t type;
		size_t size;
	} fixed[] = {
		{ T_PACKET_HDR, 4 }, { T_MARK, 4 }, { T_TIMESTAMP, 16 }, { T_INDEV, 4 },
		{ T_OUTDEV, 4 },     { T_HWADDR, 12 }, { T_HWTYPE, 2 },
	};
	struct nflog_pkt p;
	struct rec r;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(fixed); i++) {
		size_t sizes[2] = { fixed[i].size - 1, fixed[i].size + 1 };
		size_t k;

		for (k = 0; k < 2; k++) {
			rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
			rec_tlv(&r, fixed[i].type, zeros, sizes[k]);
			if (decode_rec(&r, &p) != -EINVAL)
				fail_msg("type %u with %zu bytes was not refused", fixed[i].type,
					 sizes[k]);
		}
	}
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	rec_tlv(&r, T_HWHEADER, zeros, 0);
	assert_int_equal(decode_rec(&r, &p), -EINVAL);
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	rec_tlv(&r, T_PAYLOAD, zeros, 0);
	assert_int_equal(decode_rec(&r, &p), -EINVAL);
}

static int decode_timestamp(uint64_t sec, uint64_t usec, struct nflog_pkt *p)
{
	uint8_t v[16];
	struct rec r;
	int i;

	for (i = 0; i < 8; i++) {
		v[i] = (uint8_t)(sec >> (56 - 8 * i));
		v[8 + i] = (uint8_t)(usec >> (56 - 8 * i));
	}
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	rec_tlv(&r, T_TIMESTAMP, v, sizeof(v));
	return decode_rec(&r, p);
}

/* LOG-1 */
static void timestamp_is_checked_and_zero_means_none(void **state)
{
	struct nflog_pkt p;

	(void)state;
	assert_int_equal(decode_timestamp(1798761600, 999999, &p), 0);
	assert_true(p.has_timestamp);
	assert_int_equal(p.ts_us, 1798761600999999);
	assert_int_equal(decode_timestamp(0, 0, &p), 0);
	assert_false(p.has_timestamp);
	assert_int_equal(decode_timestamp(0, 1, &p), 0);
	assert_true(p.has_timestamp);
	assert_int_equal(p.ts_us, 1);
	assert_int_equal(decode_timestamp(1, 1000000, &p), -EINVAL);
	assert_int_equal(decode_timestamp(INT64_MAX / 1000000 - 1, 999999, &p), 0);
	assert_int_equal(decode_timestamp(INT64_MAX / 1000000, 0, &p), -EINVAL);
	assert_int_equal(decode_timestamp(UINT64_MAX, 0, &p), -EINVAL);
}

static void interface_index_zero_is_refused(void **state)
{
	struct nflog_pkt p;
	struct rec r;

	(void)state;
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	rec_be32(&r, T_INDEV, 0);
	assert_int_equal(decode_rec(&r, &p), -EINVAL);
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	rec_be32(&r, T_OUTDEV, 0);
	assert_int_equal(decode_rec(&r, &p), -EINVAL);
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	rec_be32(&r, T_INDEV, 0x01020304);
	rec_be32(&r, T_OUTDEV, 7);
	assert_int_equal(decode_rec(&r, &p), 0);
	assert_int_equal(p.indev, 0x01020304);
	assert_int_equal(p.outdev, 7);
}

static void hardware_address_and_header(void **state)
{
	static const uint8_t eth[14] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 9, 0x08, 0 };
	static const uint8_t ether[2] = { 0, 1 }, other[2] = { 0, 2 };
	uint8_t hw[12] = { 0, 6, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0, 0 };
	struct nflog_pkt p;
	struct rec r;

	(void)state;
	/* HWADDR gives the source MAC. */
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	rec_tlv(&r, T_HWADDR, hw, sizeof(hw));
	assert_int_equal(decode_rec(&r, &p), 0);
	assert_true(p.has_src_mac);
	assert_memory_equal(p.src_mac, hw + 4, 6);
	/* An 8-byte address is kept but is not a MAC. */
	hw[1] = 8;
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	rec_tlv(&r, T_HWADDR, hw, sizeof(hw));
	assert_int_equal(decode_rec(&r, &p), 0);
	assert_int_equal(p.hwaddr_len, 8);
	assert_false(p.has_src_mac);
	hw[1] = 9;
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	rec_tlv(&r, T_HWADDR, hw, sizeof(hw));
	assert_int_equal(decode_rec(&r, &p), -EINVAL);
	/* Without HWADDR, an Ethernet header's source. */
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	rec_tlv(&r, T_HWTYPE, ether, 2);
	rec_tlv(&r, T_HWHEADER, eth, sizeof(eth));
	assert_int_equal(decode_rec(&r, &p), 0);
	assert_true(p.has_src_mac);
	assert_memory_equal(p.src_mac, eth + 6, 6);
	/* Not an Ethernet device, or a short header: no MAC. */
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	rec_tlv(&r, T_HWTYPE, other, 2);
	rec_tlv(&r, T_HWHEADER, eth, sizeof(eth));
	assert_int_equal(decode_rec(&r, &p), 0);
	assert_false(p.has_src_mac);
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	rec_tlv(&r, T_HWTYPE, ether, 2);
	rec_tlv(&r, T_HWHEADER, eth, 13);
	assert_int_equal(decode_rec(&r, &p), 0);
	assert_false(p.has_src_mac);
}

static void header_family_and_version_are_checked(void **state)
{
	struct nflog_pkt p;
	struct rec r;

	(void)state;
	rec_ip4(&r, ip4_udp, sizeof(ip4_udp));
	r.b[0] = NFLOG_FAMILY_IPV6; /* says IPv6, carries IPv4 */
	assert_int_equal(decode_rec(&r, &p), -EINVAL);
	r.b[0] = 7; /* NFPROTO_BRIDGE */
	assert_int_equal(decode_rec(&r, &p), -EAFNOSUPPORT);
	r.b[0] = 3; /* NFPROTO_ARP */
	assert_int_equal(decode_rec(&r, &p), -EAFNOSUPPORT);
	r.b[0] = NFLOG_FAMILY_IPV4;
	r.b[1] = 1;
	assert_int_equal(decode_rec(&r, &p), -EINVAL);
	r.b[1] = 0;
	r.b[2] = 0x12;
	r.b[3] = 0x34;
	assert_int_equal(decode_rec(&r, &p), 0);
	assert_int_equal(p.resource_id, 0x1234);
	assert_int_equal(nflog_decode(r.b, 3, &p), -EINVAL);
	assert_int_equal(nflog_decode(r.b, 0, &p), -EINVAL);
	/* A header alone has no payload. */
	assert_int_equal(nflog_decode(r.b, 4, &p), -EINVAL);
}

static void ipv4_header_is_checked(void **state)
{
	struct nflog_pkt p;
	struct rec r;

	(void)state;
	assert_int_equal(decode_ip4_with(0, 0x44, &p), -EINVAL); /* IHL 4 */
	assert_int_equal(decode_ip4_with(0, 0x4f, &p), -EINVAL); /* IHL 15: past the capture */
	assert_int_equal(decode_ip4_with(0, 0x65, &p), -EINVAL); /* version 6 in an IPv4 record */
	assert_int_equal(decode_ip4_with(3, 19, &p), -EINVAL);   /* total length < header */
	/* Total length 0 (BIG TCP): as long as captured. */
	assert_int_equal(decode_ip4_with(3, 0, &p), 0);
	assert_true(p.has_ports);
	assert_int_equal(p.dport, 53);
	rec_ip4(&r, ip4_udp, 19);
	assert_int_equal(decode_rec(&r, &p), -EINVAL);
	/* 20 bytes: a header with nothing after it. */
	rec_ip4(&r, ip4_udp, 20);
	assert_int_equal(decode_rec(&r, &p), 0);
	assert_true(p.l4_truncated);
	assert_false(p.has_ports);
}

/* LOG-4, LOG-6: ports where the protocol has them, and only where they were sent. */
static void transport_header_short_or_missing_gives_no_ports(void **state)
{
	struct nflog_pkt p;

	(void)state;
	/* The packet says 23 bytes: three of the UDP header. */
	assert_int_equal(decode_ip4_with(3, 23, &p), 0);
	assert_true(p.l4_truncated);
	assert_false(p.has_ports);
	assert_int_equal(decode_ip4_with(3, 24, &p), 0);
	assert_false(p.l4_truncated);
	assert_true(p.has_ports);
	/* A later fragment has no transport header at all. */
	assert_int_equal(decode_ip4_with(7, 1, &p), 0);
	assert_true(p.is_fragment);
	assert_false(p.has_ports);
	assert_false(p.l4_truncated);
	assert_int_equal(p.protocol, 17);
	/* The first fragment (more-fragments flag only) has it. */
	assert_int_equal(decode_ip4_with(6, 0x20, &p), 0);
	assert_false(p.is_fragment);
	assert_true(p.has_ports);
}

/* LOG-2: the protocol number always; ports for the five that have them. */
static void ports_for_tcp_udp_udplite_sctp_dccp_only(void **state)
{
	static const uint8_t with_ports[] = { 6, 17, 33, 132, 136 };
	struct nflog_pkt p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(with_ports); i++) {
		assert_int_equal(decode_ip4_with(9, with_ports[i], &p), 0);
		assert_int_equal(p.protocol, with_ports[i]);
		assert_true(p.has_ports);
		assert_int_equal(p.sport, 50000);
		assert_int_equal(p.dport, 53);
	}
	assert_int_equal(decode_ip4_with(9, 47, &p), 0); /* GRE */
	assert_int_equal(p.protocol, 47);
	assert_false(p.has_ports);
	assert_false(p.has_icmp);
	assert_false(p.l4_truncated);
	assert_int_equal(decode_ip4_with(9, 58, &p), 0); /* ICMPv6 in IPv4: not ICMP */
	assert_false(p.has_icmp);
	assert_int_equal(decode_ip4_with(9, 1, &p), 0);
	assert_true(p.has_icmp);
	assert_int_equal(p.icmp_type, 0xc3);
	assert_int_equal(p.icmp_code, 0x50);
}

static void ipv6_header_is_checked(void **state)
{
	uint8_t ip[sizeof(ip6_tcp)];
	struct nflog_pkt p;
	struct rec r;

	(void)state;
	rec_init(&r, NFLOG_FAMILY_IPV6);
	rec_str(&r, T_PREFIX, "gw:A:lan>srv:https");
	rec_tlv(&r, T_PAYLOAD, ip6_tcp, sizeof(ip6_tcp));
	assert_int_equal(decode_rec(&r, &p), 0);
	assert_int_equal(p.ip_version, 6);
	assert_int_equal(p.protocol, 6);
	assert_addr(AF_INET6, p.saddr, "fd00:1::2");
	assert_addr(AF_INET6, p.daddr, "fd00:2::2");
	assert_int_equal(p.sport, 50000);
	assert_int_equal(p.dport, 443);

	rec_init(&r, NFLOG_FAMILY_IPV6);
	rec_tlv(&r, T_PAYLOAD, ip6_tcp, 39);
	assert_int_equal(decode_rec(&r, &p), -EINVAL);
	rec_init(&r, NFLOG_FAMILY_IPV4);
	rec_tlv(&r, T_PAYLOAD, ip6_tcp, sizeof(ip6_tcp));
	assert_int_equal(decode_rec(&r, &p), -EINVAL);

	/* An extension header is the protocol; its contents are not ports. */
	memcpy(ip, ip6_tcp, sizeof(ip));
	ip[6] = 44; /* fragment header */
	rec_init(&r, NFLOG_FAMILY_IPV6);
	rec_tlv(&r, T_PAYLOAD, ip, sizeof(ip));
	assert_int_equal(decode_rec(&r, &p), 0);
	assert_int_equal(p.protocol, 44);
	assert_false(p.has_ports);
	/* A payload length of 0 (jumbogram, BIG TCP): as long as captured. */
	memcpy(ip, ip6_tcp, sizeof(ip));
	ip[5] = 0;
	rec_init(&r, NFLOG_FAMILY_IPV6);
	rec_tlv(&r, T_PAYLOAD, ip, sizeof(ip));
	assert_int_equal(decode_rec(&r, &p), 0);
	assert_int_equal(p.dport, 443);
	/* A payload length of 2 leaves the ports out. */
	memcpy(ip, ip6_tcp, sizeof(ip));
	ip[5] = 2;
	rec_init(&r, NFLOG_FAMILY_IPV6);
	rec_tlv(&r, T_PAYLOAD, ip, sizeof(ip));
	assert_int_equal(decode_rec(&r, &p), 0);
	assert_true(p.l4_truncated);
	assert_false(p.has_ports);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(forward_tcp_record_gives_every_field),
		cmocka_unit_test(forward_record_of_dnat_carries_the_internal_server),
		cmocka_unit_test(forward_denied_udp_record_decodes),
		cmocka_unit_test(record_cut_by_snaplen_still_has_ports),
		cmocka_unit_test(forward_icmpv6_record_decodes),
		cmocka_unit_test(input_record_has_only_the_ingress_interface),
		cmocka_unit_test(output_record_has_no_timestamp_and_no_mac),
		cmocka_unit_test(loopback_records_decode),
		cmocka_unit_test(every_cut_of_every_record_is_refused),
		cmocka_unit_test(output_untouched_on_refusal),
		cmocka_unit_test(tlv_length_out_of_bounds_is_refused),
		cmocka_unit_test(unknown_tlvs_are_skipped),
		cmocka_unit_test(netlink_type_flags_are_masked),
		cmocka_unit_test(repeated_attribute_is_refused),
		cmocka_unit_test(prefix_must_be_one_terminated_string),
		cmocka_unit_test(fixed_size_attributes_have_their_size),
		cmocka_unit_test(timestamp_is_checked_and_zero_means_none),
		cmocka_unit_test(interface_index_zero_is_refused),
		cmocka_unit_test(hardware_address_and_header),
		cmocka_unit_test(header_family_and_version_are_checked),
		cmocka_unit_test(ipv4_header_is_checked),
		cmocka_unit_test(transport_header_short_or_missing_gives_no_ports),
		cmocka_unit_test(ports_for_tcp_udp_udplite_sctp_dccp_only),
		cmocka_unit_test(ipv6_header_is_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

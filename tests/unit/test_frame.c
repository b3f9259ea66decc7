/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of lib/frame: real ARP and DHCP frames recorded with tcpdump
 * between two namespaces (tests/data/frames/capture.sh tells how), then
 * variants built or cut from them: VLAN tags, IP options, fragments, every
 * message type, broken headers and options.
 */
#include "helpers.h"

#include <arpa/inet.h>

#include "frame.h"
#include "util.h"

/* The addresses of the recording (capture.sh). */
static const uint8_t mac_gw[6] = { 0x02, 0, 0, 0xfa, 0, 0x01 };
static const uint8_t mac_cl[6] = { 0x02, 0, 0, 0xfa, 0, 0x02 };
static const uint8_t mac_cl_new[6] = { 0x02, 0, 0, 0xfa, 0, 0x12 };
#define XID_EXCHANGE 0x57b4481cu /* DISCOVER, OFFER, REQUEST, ACK */
#define XID_RELEASE 0x0261957du

/* Offsets in an untagged frame with a 20-byte IP header. */
#define OFF_IP 14
#define OFF_UDP 34
#define OFF_BOOTP 42
#define OFF_OPTIONS 282 /* after the BOOTP fixed part and the cookie */
#define OFF_TYPE 284    /* the value of option 53, first in every recorded message */

/* ---- recorded frames ---------------------------------------------------- */

struct frame {
	uint8_t b[2048];
	size_t len;
};

/* tests/data/frames/@name.bin. */
static struct frame load(const char *name)
{
	char path[4096];
	struct frame f;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/tests/data/frames/%s.bin", source_dir(), name);
	fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	f.len = fread(f.b, 1, sizeof(f.b), fp);
	fclose(fp);
	assert_true(f.len >= 42 && f.len < sizeof(f.b));
	return f;
}

/* Decodes @len bytes of @b from an exact-size copy, so that ASan sees any overread. */
static int decode_bytes(const uint8_t *b, size_t len, struct sighting *s)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, b, len);
	r = frame_decode(copy, len, s);
	free(copy);
	return r;
}

static int decode(const struct frame *f, struct sighting *s)
{
	return decode_bytes(f->b, f->len, s);
}

static struct sighting decode_ok(const struct frame *f)
{
	struct sighting s;
	int r = decode(f, &s);

	if (r != 0)
		fail_msg("decode: %s", strerror(-r));
	return s;
}

static struct sighting decode_name(const char *name)
{
	struct frame f = load(name);

	return decode_ok(&f);
}

static void assert_ip(const uint8_t *a, const char *want)
{
	char buf[INET_ADDRSTRLEN];

	assert_non_null(inet_ntop(AF_INET, a, buf, sizeof(buf)));
	assert_string_equal(buf, want);
}

/* Field by field: a struct copy need not copy its padding. */
static void assert_same_sighting(const struct sighting *a, const struct sighting *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_memory_equal(a->src_mac, b->src_mac, 6);
	assert_int_equal(a->has_vlan, b->has_vlan);
	assert_int_equal(a->vlan, b->vlan);
	assert_int_equal(a->has_addr, b->has_addr);
	assert_memory_equal(a->addr, b->addr, 4);
	assert_memory_equal(a->hw_mac, b->hw_mac, 6);
	assert_int_equal(a->from_server, b->from_server);
	assert_memory_equal(a->ip_src, b->ip_src, 4);
	assert_int_equal(a->xid, b->xid);
	assert_int_equal(a->has_server_id, b->has_server_id);
	assert_memory_equal(a->server_id, b->server_id, 4);
	assert_int_equal(a->has_lease, b->has_lease);
	assert_int_equal(a->lease_s, b->lease_s);
	assert_int_equal(a->has_hostname, b->has_hostname);
	assert_string_equal(a->hostname, b->hostname);
}

static void assert_line(const struct sighting *s, const char *want)
{
	char buf[SIGHTING_LINE_MAX];

	assert_int_equal(frame_sighting_format(s, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
}

static const char *const frame_names[] = {
	"arp_request",  "arp_reply",     "arp_request_server", "arp_probe",
	"arp_announce", "vlan_arp_request", "dhcp_discover",  "dhcp_offer",
	"dhcp_request", "dhcp_ack",      "dhcp_release",       "icmp_echo",
};

/* ---- frames built here --------------------------------------------------- */

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * The recorded DHCP frame @name with its options replaced by @opts: the IP
 * total length and the UDP length follow.
 */
static struct frame dhcp_with(const char *name, const void *opts, size_t len)
{
	struct frame f = load(name);

	assert_true(OFF_OPTIONS + len <= sizeof(f.b));
	memcpy(f.b + OFF_OPTIONS, opts, len);
	f.len = OFF_OPTIONS + len;
	put_be16(f.b + OFF_IP + 2, (uint16_t)(f.len - OFF_IP));
	put_be16(f.b + OFF_UDP + 4, (uint16_t)(f.len - OFF_UDP));
	return f;
}

/* Inserts @n bytes at @off, moving the rest up. */
static void insert(struct frame *f, size_t off, const void *bytes, size_t n)
{
	assert_true(f->len + n <= sizeof(f->b) && off <= f->len);
	memmove(f->b + off + n, f->b + off, f->len - off);
	memcpy(f->b + off, bytes, n);
	f->len += n;
}

/* The recorded frame @name with one 802.1Q tag (@tci) after the MAC addresses. */
static struct frame tagged(const char *name, uint16_t tci)
{
	struct frame f = load(name);
	uint8_t tag[4] = { 0x81, 0x00, (uint8_t)(tci >> 8), (uint8_t)tci };

	insert(&f, 12, tag, sizeof(tag));
	return f;
}

/* The recorded frame @name with byte @at set to @v. */
static int decode_with(const char *name, size_t at, uint8_t v, struct sighting *s)
{
	struct frame f = load(name);

	assert_true(at < f.len);
	f.b[at] = v;
	return decode(&f, s);
}

/* ---- decoding recorded frames -------------------------------------------- */

/* LANREQ-46: a device asking for the gateway says who it is. */
static void arp_request_gives_sender_mac_and_address(void **state)
{
	struct sighting s = decode_name("arp_request");

	(void)state;
	assert_int_equal(s.kind, SIGHTING_ARP_REQUEST);
	assert_memory_equal(s.src_mac, mac_cl, 6);
	assert_memory_equal(s.hw_mac, mac_cl, 6);
	assert_true(s.has_addr);
	assert_ip(s.addr, "10.250.0.2");
	assert_false(s.has_vlan);
	assert_false(s.from_server);
	assert_false(s.has_server_id);
	assert_false(s.has_lease);
	assert_false(s.has_hostname);
	assert_string_equal(s.hostname, "");
	assert_int_equal(s.xid, 0);
	assert_line(&s, "arp-request 02:00:00:fa:00:02 ip 10.250.0.2");
}

static void arp_reply_gives_the_answering_station(void **state)
{
	struct sighting s = decode_name("arp_reply");

	(void)state;
	assert_int_equal(s.kind, SIGHTING_ARP_REPLY);
	assert_memory_equal(s.src_mac, mac_gw, 6);
	assert_ip(s.addr, "10.250.0.1");
	assert_line(&s, "arp-reply 02:00:00:fa:00:01 ip 10.250.0.1");
}

/* busybox pads its ARP to 46 bytes, Ethernet to 60: padding is not ARP. */
static void padded_arp_request_decodes(void **state)
{
	struct frame f = load("arp_request_server");
	struct sighting s = decode_ok(&f);

	(void)state;
	assert_int_equal(f.len, 60);
	assert_int_equal(s.kind, SIGHTING_ARP_REQUEST);
	assert_memory_equal(s.src_mac, mac_gw, 6);
	assert_ip(s.addr, "10.250.0.1");
}

/* RFC 5227: a probe claims nothing yet; it names the address it wants. */
static void arp_probe_names_the_address_asked_for(void **state)
{
	struct sighting s = decode_name("arp_probe");

	(void)state;
	assert_int_equal(s.kind, SIGHTING_ARP_PROBE);
	assert_memory_equal(s.src_mac, mac_cl, 6);
	assert_true(s.has_addr);
	assert_ip(s.addr, "10.250.0.101");
	assert_line(&s, "arp-probe 02:00:00:fa:00:02 ip 10.250.0.101");
}

/* The kernel's gratuitous ARP after a MAC change: the new MAC, the old address. */
static void gratuitous_arp_is_an_announcement(void **state)
{
	struct sighting s = decode_name("arp_announce");

	(void)state;
	assert_int_equal(s.kind, SIGHTING_ARP_ANNOUNCE);
	assert_memory_equal(s.src_mac, mac_cl_new, 6);
	assert_ip(s.addr, "10.250.0.2");
	assert_line(&s, "arp-announce 02:00:00:fa:00:12 ip 10.250.0.2");
}

/* The tag libpcap put back on a received frame; the priority (5) is not the VLAN. */
static void vlan_tagged_arp_gives_the_vlan(void **state)
{
	struct sighting s = decode_name("vlan_arp_request");

	(void)state;
	assert_int_equal(s.kind, SIGHTING_ARP_REQUEST);
	assert_true(s.has_vlan);
	assert_int_equal(s.vlan, 10);
	assert_memory_equal(s.src_mac, mac_cl, 6);
	assert_ip(s.addr, "10.250.10.2");
	assert_line(&s, "arp-request 02:00:00:fa:00:02 vlan 10 ip 10.250.10.2");
}

/* LANREQ-23: a new client, no address yet, with its host name. */
static void dhcp_discover_gives_client_and_hostname(void **state)
{
	struct sighting s = decode_name("dhcp_discover");

	(void)state;
	assert_int_equal(s.kind, SIGHTING_DHCP_DISCOVER);
	assert_memory_equal(s.src_mac, mac_cl, 6);
	assert_memory_equal(s.hw_mac, mac_cl, 6);
	assert_false(s.has_addr);
	assert_ip(s.ip_src, "0.0.0.0");
	assert_int_equal(s.xid, XID_EXCHANGE);
	assert_false(s.from_server);
	assert_false(s.has_server_id);
	assert_false(s.has_lease);
	assert_true(s.has_hostname);
	assert_string_equal(s.hostname, "obs-host");
	assert_line(&s, "dhcp-discover 02:00:00:fa:00:02 chaddr 02:00:00:fa:00:02 from 0.0.0.0"
			" xid 0x57b4481c hostname 'obs-host'");
}

/* LANREQ-47: what tells a DHCP server: a BOOTREPLY from port 67, its identifier. */
static void dhcp_offer_comes_from_a_server(void **state)
{
	struct sighting s = decode_name("dhcp_offer");

	(void)state;
	assert_int_equal(s.kind, SIGHTING_DHCP_OFFER);
	assert_true(s.from_server);
	assert_memory_equal(s.src_mac, mac_gw, 6);
	assert_memory_equal(s.hw_mac, mac_cl, 6);
	assert_true(s.has_addr);
	assert_ip(s.addr, "10.250.0.101");
	assert_true(s.has_server_id);
	assert_ip(s.server_id, "10.250.0.1");
	assert_ip(s.ip_src, "10.250.0.1");
	assert_true(s.has_lease);
	assert_int_equal(s.lease_s, 3600);
	assert_int_equal(s.xid, XID_EXCHANGE);
	assert_false(s.has_hostname);
	assert_line(&s, "dhcp-offer 02:00:00:fa:00:01 ip 10.250.0.101 chaddr 02:00:00:fa:00:02"
			" server-id 10.250.0.1 from 10.250.0.1 xid 0x57b4481c lease 3600"
			" by-server");
}

/* SELECTING: the address is in option 50, the chosen server in option 54. */
static void dhcp_request_gives_the_requested_address(void **state)
{
	struct sighting s = decode_name("dhcp_request");

	(void)state;
	assert_int_equal(s.kind, SIGHTING_DHCP_REQUEST);
	assert_false(s.from_server);
	assert_memory_equal(s.src_mac, mac_cl, 6);
	assert_ip(s.addr, "10.250.0.101");
	assert_ip(s.server_id, "10.250.0.1");
	assert_string_equal(s.hostname, "obs-host");
	assert_int_equal(s.xid, XID_EXCHANGE);
}

/* LANREQ-23: the lease: client MAC, address, duration. */
static void dhcp_ack_gives_the_lease(void **state)
{
	struct sighting s = decode_name("dhcp_ack");

	(void)state;
	assert_int_equal(s.kind, SIGHTING_DHCP_ACK);
	assert_true(s.from_server);
	assert_memory_equal(s.hw_mac, mac_cl, 6);
	assert_ip(s.addr, "10.250.0.101");
	assert_int_equal(s.lease_s, 3600);
	assert_ip(s.server_id, "10.250.0.1");
}

/* A bound client's release: unicast, from and about its address (ciaddr). */
static void dhcp_release_gives_the_address_given_back(void **state)
{
	struct sighting s = decode_name("dhcp_release");

	(void)state;
	assert_int_equal(s.kind, SIGHTING_DHCP_RELEASE);
	assert_false(s.from_server);
	assert_memory_equal(s.src_mac, mac_cl, 6);
	assert_ip(s.addr, "10.250.0.101");
	assert_ip(s.ip_src, "10.250.0.101");
	assert_ip(s.server_id, "10.250.0.1");
	assert_int_equal(s.xid, XID_RELEASE);
	assert_line(&s, "dhcp-release 02:00:00:fa:00:02 ip 10.250.0.101 chaddr 02:00:00:fa:00:02"
			" server-id 10.250.0.1 from 10.250.0.101 xid 0x0261957d");
}

static void other_traffic_is_not_ours(void **state)
{
	struct frame f = load("icmp_echo");
	struct sighting s;

	(void)state;
	assert_int_equal(decode(&f, &s), -ENOENT);
	/* The same packet as UDP to port 53. */
	f.b[OFF_IP + 9] = 17;
	put_be16(f.b + OFF_UDP, 40000);
	put_be16(f.b + OFF_UDP + 2, 53);
	assert_int_equal(decode(&f, &s), -ENOENT);
	/* IPv6 other than a router advertisement (UDP), an 802.3 length (LLC), RARP. */
	f = load("icmp_echo");
	put_be16(f.b + 12, 0x86dd);
	f.b[OFF_IP] = 0x60;
	put_be16(f.b + OFF_IP + 4, 0);
	f.b[OFF_IP + 6] = 17;
	assert_int_equal(decode(&f, &s), -ENOENT);
	put_be16(f.b + 12, 0x0026);
	assert_int_equal(decode(&f, &s), -ENOENT);
	f = load("arp_request");
	put_be16(f.b + 12, 0x8035);
	assert_int_equal(decode(&f, &s), -ENOENT);
}

/* ---- truncated and corrupted frames -------------------------------------- */

/* Where a frame's meaning ends: after the ARP body or the IP total length. */
static size_t meaningful_end(const struct frame *f)
{
	size_t off = get_be16(f->b + 12) == 0x8100 ? 18 : 14;

	if (get_be16(f->b + off - 2) == 0x0806)
		return off + 28;
	return off + get_be16(f->b + off + 2);
}

/* Every frame cut anywhere before its end is refused, never read past. */
static void every_cut_of_every_frame_is_refused(void **state)
{
	size_t i, len;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(frame_names); i++) {
		struct frame f = load(frame_names[i]);
		size_t end = meaningful_end(&f);
		struct sighting whole, s;
		int want = decode(&f, &whole);

		assert_true(end <= f.len);
		for (len = 0; len < end; len++) {
			if (decode_bytes(f.b, len, &s) != -EINVAL)
				fail_msg("%s cut to %zu of %zu bytes was not refused",
					 frame_names[i], len, f.len);
		}
		/* Ethernet padding is optional. */
		for (len = end; len <= f.len; len++) {
			assert_int_equal(decode_bytes(f.b, len, &s), want);
			if (want == 0)
				assert_same_sighting(&s, &whole);
		}
	}
}

static void output_untouched_on_refusal(void **state)
{
	struct frame f = load("dhcp_offer");
	struct sighting s;

	(void)state;
	memset(&s, 0xa5, sizeof(s));
	assert_int_equal(decode_bytes(f.b, 100, &s), -EINVAL);
	assert_int_equal(s.src_mac[0], 0xa5);
	assert_int_equal(decode_with("icmp_echo", 0, 0, &s), -ENOENT);
	assert_int_equal(s.src_mac[0], 0xa5);
}

/* A group address is never a frame's source. */
static void multicast_source_mac_is_refused(void **state)
{
	struct sighting s;

	(void)state;
	assert_int_equal(decode_with("arp_request", 6, 0x03, &s), -EINVAL);
	assert_int_equal(decode_with("dhcp_offer", 6, 0x01, &s), -EINVAL);
	assert_int_equal(decode_with("arp_request", 6, 0x06, &s), 0); /* locally administered */
}

/* ---- 802.1Q -------------------------------------------------------------- */

static void vlan_tag_on_dhcp_is_read(void **state)
{
	struct frame f = tagged("dhcp_offer", 0xe123); /* priority 7, VLAN 0x123 */
	struct sighting plain = decode_name("dhcp_offer"), s = decode_ok(&f);

	(void)state;
	assert_true(s.has_vlan);
	assert_int_equal(s.vlan, 0x123);
	s.has_vlan = false;
	s.vlan = 0;
	assert_same_sighting(&s, &plain);
	/* Priority-tagged: VLAN 0. */
	f = tagged("arp_probe", 0xa000);
	s = decode_ok(&f);
	assert_true(s.has_vlan);
	assert_int_equal(s.vlan, 0);
	assert_int_equal(s.kind, SIGHTING_ARP_PROBE);
}

/* One tag only: QinQ and 802.1ad are not ours; a cut tag is refused. */
static void second_tag_or_other_tpid_is_not_ours(void **state)
{
	struct frame f = tagged("arp_request", 0x0064);
	uint8_t tag[4] = { 0x81, 0x00, 0x00, 0x0a };
	struct sighting s;

	(void)state;
	insert(&f, 16, tag, sizeof(tag));
	assert_int_equal(decode(&f, &s), -ENOENT);
	f = tagged("arp_request", 0x0064);
	put_be16(f.b + 12, 0x88a8);
	assert_int_equal(decode(&f, &s), -ENOENT);
	f = tagged("arp_request", 0x0064);
	assert_int_equal(decode_bytes(f.b, 15, &s), -EINVAL);
	assert_int_equal(decode_bytes(f.b, 17, &s), -EINVAL);
	assert_int_equal(decode_bytes(f.b, 18, &s), -EINVAL); /* the tag, no ARP */
}

/* ---- ARP ----------------------------------------------------------------- */

static void arp_header_is_checked(void **state)
{
	struct sighting s;

	(void)state;
	/* Not IPv4 over Ethernet: not ours. */
	assert_int_equal(decode_with("arp_request", 15, 6, &s), -ENOENT);    /* htype 6 */
	assert_int_equal(decode_with("arp_request", 16, 0x86, &s), -ENOENT); /* ptype */
	/* IPv4 over Ethernet with other lengths: broken. */
	assert_int_equal(decode_with("arp_request", 18, 8, &s), -EINVAL);
	assert_int_equal(decode_with("arp_request", 19, 16, &s), -EINVAL);
	/* Opcodes other than request and reply (RARP 3, InARP 8). */
	assert_int_equal(decode_with("arp_request", 21, 3, &s), -ENOENT);
	assert_int_equal(decode_with("arp_request", 21, 8, &s), -ENOENT);
	assert_int_equal(decode_with("arp_request", 20, 1, &s), -ENOENT);
}

static void arp_sender_and_target_give_the_kind(void **state)
{
	struct frame f;
	struct sighting s;

	(void)state;
	/* A gratuitous reply (arping -A) is an announcement too. */
	f = load("arp_announce");
	f.b[21] = 2;
	s = decode_ok(&f);
	assert_int_equal(s.kind, SIGHTING_ARP_ANNOUNCE);
	assert_ip(s.addr, "10.250.0.2");
	/* A reply from 0.0.0.0, a probe for 0.0.0.0: broken. */
	f = load("arp_probe");
	f.b[21] = 2;
	assert_int_equal(decode(&f, &s), -EINVAL);
	f = load("arp_probe");
	memset(f.b + 38, 0, 4);
	assert_int_equal(decode(&f, &s), -EINVAL);
	/* A sender hardware address unlike the frame's source shows in the line. */
	f = load("arp_reply");
	f.b[27] = 0x99;
	s = decode_ok(&f);
	assert_memory_equal(s.src_mac, mac_gw, 6);
	assert_int_equal(s.hw_mac[5], 0x99);
	assert_line(&s, "arp-reply 02:00:00:fa:00:01 ip 10.250.0.1 sha 02:00:00:fa:00:99");
}

/* ---- IPv4 and UDP -------------------------------------------------------- */

/* Router alert (RFC 2113): the DHCP message moves 4 bytes on. */
static void ip_options_are_skipped(void **state)
{
	static const uint8_t ra[4] = { 0x94, 0x04, 0x00, 0x00 };
	struct sighting plain = decode_name("dhcp_discover"), s;
	struct frame f = load("dhcp_discover");
	int i;

	(void)state;
	insert(&f, OFF_UDP, ra, sizeof(ra));
	f.b[OFF_IP] = 0x46;
	put_be16(f.b + OFF_IP + 2, (uint16_t)(get_be16(f.b + OFF_IP + 2) + 4));
	s = decode_ok(&f);
	assert_same_sighting(&s, &plain);
	/* The longest header: 40 bytes of no-operation options. */
	f = load("dhcp_offer");
	for (i = 0; i < 10; i++)
		insert(&f, OFF_UDP, (const uint8_t[4]){ 1, 1, 1, 1 }, 4);
	f.b[OFF_IP] = 0x4f;
	put_be16(f.b + OFF_IP + 2, (uint16_t)(get_be16(f.b + OFF_IP + 2) + 40));
	s = decode_ok(&f);
	assert_int_equal(s.kind, SIGHTING_DHCP_OFFER);
	assert_ip(s.server_id, "10.250.0.1");
}

static void ipv4_header_is_checked(void **state)
{
	struct frame f;
	struct sighting s;

	(void)state;
	assert_int_equal(decode_with("dhcp_offer", OFF_IP, 0x44, &s), -EINVAL); /* IHL 4 */
	assert_int_equal(decode_with("dhcp_offer", OFF_IP, 0x65, &s), -EINVAL); /* version 6 */
	/* Options past the total length, a total length short of the header. */
	f = dhcp_with("dhcp_offer", "", 0);
	put_be16(f.b + OFF_IP + 2, 40);
	f.b[OFF_IP] = 0x4f;
	assert_int_equal(decode(&f, &s), -EINVAL);
	f = load("dhcp_offer");
	put_be16(f.b + OFF_IP + 2, 19);
	assert_int_equal(decode(&f, &s), -EINVAL);
	put_be16(f.b + OFF_IP + 2, 0);
	assert_int_equal(decode(&f, &s), -EINVAL);
	/* A total length past the frame: cut. */
	f = load("dhcp_offer");
	put_be16(f.b + OFF_IP + 2, (uint16_t)(f.len - OFF_IP + 1));
	assert_int_equal(decode(&f, &s), -EINVAL);
	/* Shorter than the frame: the rest is Ethernet padding. */
	f = load("dhcp_offer");
	memset(f.b + f.len, 0xee, 20);
	f.len += 20;
	assert_int_equal(decode(&f, &s), 0);
	assert_int_equal(s.kind, SIGHTING_DHCP_OFFER);
	/* Not UDP. */
	assert_int_equal(decode_with("dhcp_offer", OFF_IP + 9, 6, &s), -ENOENT);
}

static void udp_length_is_checked(void **state)
{
	struct frame f = load("dhcp_offer");
	uint16_t ulen = get_be16(f.b + OFF_UDP + 4);
	struct sighting s;

	(void)state;
	put_be16(f.b + OFF_UDP + 4, (uint16_t)(ulen + 1)); /* past the IP packet */
	assert_int_equal(decode(&f, &s), -EINVAL);
	put_be16(f.b + OFF_UDP + 4, 7);
	assert_int_equal(decode(&f, &s), -EINVAL);
	put_be16(f.b + OFF_UDP + 4, 8 + 239); /* one short of the cookie's end */
	assert_int_equal(decode(&f, &s), -EINVAL);
	/* Shorter than the IP packet: the options end with the datagram. */
	put_be16(f.b + OFF_UDP + 4, 8 + 240 + 3);
	s = decode_ok(&f);
	assert_int_equal(s.kind, SIGHTING_DHCP_OFFER);
	assert_false(s.has_server_id);
	/* A cut option inside the datagram is refused. */
	put_be16(f.b + OFF_UDP + 4, 8 + 240 + 5);
	assert_int_equal(decode(&f, &s), -EINVAL);
	/* No UDP header at all. */
	f = load("dhcp_offer");
	put_be16(f.b + OFF_IP + 2, 20 + 7);
	assert_int_equal(decode(&f, &s), -EINVAL);
}

/* A later fragment is nothing we can tell; a first one gives what it carries. */
static void fragments(void **state)
{
	struct frame f;
	struct sighting s;

	(void)state;
	assert_int_equal(decode_with("dhcp_discover", OFF_IP + 7, 0x01, &s), -ENOENT);
	assert_int_equal(decode_with("dhcp_discover", OFF_IP + 6, 0x3f, &s), -ENOENT);
	/* The first fragment ends inside option 55: message type, xid and MAC are there. */
	f = load("dhcp_discover");
	f.b[OFF_IP + 6] = 0x20;
	put_be16(f.b + OFF_IP + 2, (uint16_t)(OFF_OPTIONS + 9 - OFF_IP));
	s = decode_ok(&f);
	assert_int_equal(s.kind, SIGHTING_DHCP_DISCOVER);
	assert_int_equal(s.xid, XID_EXCHANGE);
	assert_memory_equal(s.hw_mac, mac_cl, 6);
	assert_false(s.has_hostname); /* in the next fragment */
	/* ... or inside an option's length byte. */
	put_be16(f.b + OFF_IP + 2, (uint16_t)(OFF_OPTIONS + 4 - OFF_IP));
	assert_int_equal(decode_ok(&f).kind, SIGHTING_DHCP_DISCOVER);
	/* The same cut without the more-fragments flag: the UDP length is a lie. */
	f.b[OFF_IP + 6] = 0;
	assert_int_equal(decode(&f, &s), -EINVAL);
	/* A first fragment longer than its UDP length says is broken. */
	f = load("dhcp_discover");
	f.b[OFF_IP + 6] = 0x20;
	put_be16(f.b + OFF_UDP + 4, (uint16_t)(get_be16(f.b + OFF_UDP + 4) - 1));
	assert_int_equal(decode(&f, &s), -EINVAL);
	/* A first fragment without option 53 is not known to be DHCP. */
	f = load("dhcp_discover");
	f.b[OFF_IP + 6] = 0x20;
	put_be16(f.b + OFF_IP + 2, (uint16_t)(OFF_OPTIONS + 1 - OFF_IP));
	assert_int_equal(decode(&f, &s), -ENOENT);
}

/* ---- DHCP ---------------------------------------------------------------- */

static void bad_magic_cookie_is_refused(void **state)
{
	struct sighting s;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(decode_with("dhcp_ack", OFF_OPTIONS - 4 + i, 0, &s), -EINVAL);
}

/* The three message types no recorded client or server sent. */
static void decline_nak_inform_decode(void **state)
{
	struct frame f;
	struct sighting s;

	(void)state;
	/* DECLINE: the client refuses the address it was offered (option 50). */
	f = load("dhcp_request");
	f.b[OFF_TYPE] = 4;
	s = decode_ok(&f);
	assert_int_equal(s.kind, SIGHTING_DHCP_DECLINE);
	assert_ip(s.addr, "10.250.0.101");
	assert_false(s.from_server);
	/* NAK: from the server, no address. */
	f = load("dhcp_ack");
	f.b[OFF_TYPE] = 6;
	memset(f.b + OFF_BOOTP + 16, 0, 4);
	s = decode_ok(&f);
	assert_int_equal(s.kind, SIGHTING_DHCP_NAK);
	assert_true(s.from_server);
	assert_false(s.has_addr);
	assert_ip(s.server_id, "10.250.0.1");
	/* INFORM: a client with its own address (ciaddr). */
	f = load("dhcp_release");
	f.b[OFF_TYPE] = 8;
	s = decode_ok(&f);
	assert_int_equal(s.kind, SIGHTING_DHCP_INFORM);
	assert_ip(s.addr, "10.250.0.101");
	/* The ACK to an INFORM has no yiaddr: the client's ciaddr stands. */
	f = load("dhcp_ack");
	memset(f.b + OFF_BOOTP + 16, 0, 4);
	memcpy(f.b + OFF_BOOTP + 12, (const uint8_t[4]){ 10, 250, 0, 7 }, 4);
	s = decode_ok(&f);
	assert_ip(s.addr, "10.250.0.7");
	/* A RENEWING request: ciaddr before option 50. */
	f = load("dhcp_request");
	memcpy(f.b + OFF_BOOTP + 12, (const uint8_t[4]){ 10, 250, 0, 8 }, 4);
	assert_ip(decode_ok(&f).addr, "10.250.0.8");
	/* A client's yiaddr means nothing (RFC 2131: 0); option 50 stands. */
	f = load("dhcp_request");
	memcpy(f.b + OFF_BOOTP + 16, (const uint8_t[4]){ 10, 250, 0, 9 }, 4);
	assert_ip(decode_ok(&f).addr, "10.250.0.101");
}

static void message_type_decides_what_is_ours(void **state)
{
	struct sighting s;
	int t;

	(void)state;
	/* Plain BOOTP: no option 53. */
	{
		static const uint8_t opts[] = { 12, 2, 'p', 'c', 255 };
		struct frame f = dhcp_with("dhcp_discover", opts, sizeof(opts));

		assert_int_equal(decode(&f, &s), -ENOENT);
	}
	/* Types past INFORM (FORCERENEW, LEASEQUERY, ...) are not reported. */
	for (t = 9; t < 256; t++)
		assert_int_equal(decode_with("dhcp_ack", OFF_TYPE, (uint8_t)t, &s), -ENOENT);
	assert_int_equal(decode_with("dhcp_ack", OFF_TYPE, 0, &s), -EINVAL);
	/* Each type its kind, when opcode and ports agree. */
	for (t = 1; t <= 8; t++) {
		bool reply = t == 2 || t == 5 || t == 6;
		struct frame f = load(reply ? "dhcp_offer" : "dhcp_discover");

		f.b[OFF_TYPE] = (uint8_t)t;
		s = decode_ok(&f);
		assert_int_equal(s.kind, SIGHTING_DHCP_DISCOVER + t - 1);
		assert_int_equal(s.from_server, reply);
	}
}

/* LANREQ-47: a reply must look like one, or it could hide a server. */
static void opcode_and_ports_must_agree_with_the_type(void **state)
{
	struct frame f;
	struct sighting s;

	(void)state;
	/* A BOOTREQUEST's OFFER, a BOOTREPLY's DISCOVER; an OFFER's opcode with DISCOVER, ... */
	assert_int_equal(decode_with("dhcp_offer", OFF_BOOTP, 1, &s), -EINVAL);
	assert_int_equal(decode_with("dhcp_discover", OFF_BOOTP, 2, &s), -EINVAL);
	assert_int_equal(decode_with("dhcp_offer", OFF_TYPE, 1, &s), -EINVAL);
	assert_int_equal(decode_with("dhcp_discover", OFF_TYPE, 5, &s), -EINVAL);
	/* An OFFER from the client port, a DISCOVER to it. */
	f = load("dhcp_offer");
	put_be16(f.b + OFF_UDP, 68);
	put_be16(f.b + OFF_UDP + 2, 67);
	assert_int_equal(decode(&f, &s), -EINVAL);
	f = load("dhcp_discover");
	put_be16(f.b + OFF_UDP, 67);
	put_be16(f.b + OFF_UDP + 2, 68);
	assert_int_equal(decode(&f, &s), -EINVAL);
	/* Between relay agent and server, 67 to 67, both ways. */
	f = load("dhcp_discover");
	put_be16(f.b + OFF_UDP, 67);
	s = decode_ok(&f);
	assert_int_equal(s.kind, SIGHTING_DHCP_DISCOVER);
	assert_false(s.from_server);
	f = load("dhcp_offer");
	put_be16(f.b + OFF_UDP + 2, 67);
	s = decode_ok(&f);
	assert_true(s.from_server);
	/* Other port pairs are somebody else's. */
	f = load("dhcp_discover");
	put_be16(f.b + OFF_UDP + 2, 68);
	assert_int_equal(decode(&f, &s), -ENOENT);
	f = load("dhcp_offer");
	put_be16(f.b + OFF_UDP, 5067);
	assert_int_equal(decode(&f, &s), -ENOENT);
	/* chaddr is a MAC only for Ethernet. */
	assert_int_equal(decode_with("dhcp_discover", OFF_BOOTP + 1, 6, &s), -EINVAL);
	assert_int_equal(decode_with("dhcp_discover", OFF_BOOTP + 2, 16, &s), -EINVAL);
}

static void options_walk(void **state)
{
	struct sighting s;
	struct frame f;

	(void)state;
	/* Pad anywhere, no end option, the lease at its maximum (infinite). */
	{
		static const uint8_t opts[] = { 0, 0, 53, 1, 5, 0, 51, 4, 0xff, 0xff, 0xff, 0xff,
						0, 54, 4, 192, 0, 2, 1 };

		f = dhcp_with("dhcp_ack", opts, sizeof(opts));
		s = decode_ok(&f);
		assert_int_equal(s.kind, SIGHTING_DHCP_ACK);
		assert_int_equal(s.lease_s, 4294967295);
		assert_ip(s.server_id, "192.0.2.1");
		assert_line(&s, "dhcp-ack 02:00:00:fa:00:01 ip 10.250.0.101"
				" chaddr 02:00:00:fa:00:02 server-id 192.0.2.1 from 10.250.0.1"
				" xid 0x57b4481c lease infinite by-server");
	}
	/* After the end option, anything. */
	{
		static const uint8_t opts[] = { 53, 1, 2, 255, 54, 200, 1 };

		f = dhcp_with("dhcp_offer", opts, sizeof(opts));
		s = decode_ok(&f);
		assert_false(s.has_server_id);
		assert_false(s.has_lease);
	}
	/* Unknown options are skipped, even of length 0. */
	{
		static const uint8_t opts[] = { 224, 0, 53, 1, 1, 250, 3, 1, 2, 3, 255 };

		f = dhcp_with("dhcp_discover", opts, sizeof(opts));
		assert_int_equal(decode_ok(&f).kind, SIGHTING_DHCP_DISCOVER);
	}
	/* An option running past the payload, or its length byte missing. */
	{
		static const uint8_t run[] = { 53, 1, 1, 60, 10, 'a', 'b' };
		static const uint8_t nolen[] = { 53, 1, 1, 60 };

		f = dhcp_with("dhcp_discover", run, sizeof(run));
		assert_int_equal(decode(&f, &s), -EINVAL);
		f = dhcp_with("dhcp_discover", nolen, sizeof(nolen));
		assert_int_equal(decode(&f, &s), -EINVAL);
	}
	/* One byte short, decoded or skipped: the value would end past the payload. */
	{
		static const uint8_t id[] = { 53, 1, 1, 54, 4, 10, 0, 0 };
		static const uint8_t other[] = { 53, 1, 1, 60, 4, 'u', 'd', 'h' };

		f = dhcp_with("dhcp_discover", id, sizeof(id));
		assert_int_equal(decode(&f, &s), -EINVAL);
		f = dhcp_with("dhcp_discover", other, sizeof(other));
		assert_int_equal(decode(&f, &s), -EINVAL);
		f = dhcp_with("dhcp_discover", other, sizeof(other) - 3);
		assert_int_equal(decode(&f, &s), -EINVAL);
	}
	/* No options at all: plain BOOTP. */
	f = dhcp_with("dhcp_discover", "", 0);
	assert_int_equal(decode(&f, &s), -ENOENT);
}

static void decoded_options_have_their_size_and_occur_once(void **state)
{
	static const struct {
		uint8_t opts[16];
		size_t len;
	} bad[] = {
		{ { 53, 2, 1, 1 }, 4 },
		{ { 53, 0, 255 }, 3 },
		{ { 53, 1, 1, 53, 1, 1 }, 6 },
		{ { 53, 1, 1, 50, 3, 10, 0, 0 }, 8 },
		{ { 53, 1, 1, 50, 5, 10, 0, 0, 1, 0 }, 10 },
		{ { 53, 1, 1, 54, 4, 10, 0, 0, 1, 54, 4, 10, 0, 0, 1 }, 15 },
		{ { 53, 1, 2, 51, 2, 0, 1 }, 7 },
		{ { 53, 1, 1, 12, 0 }, 5 },
		{ { 53, 1, 1, 12, 1, 'a', 12, 1, 'b' }, 9 },
	};
	struct sighting s;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		bool reply = bad[i].opts[2] == 2;
		struct frame f = dhcp_with(reply ? "dhcp_offer" : "dhcp_discover", bad[i].opts,
					   bad[i].len);

		if (decode(&f, &s) != -EINVAL)
			fail_msg("options #%zu were not refused", i);
	}
}

/* The name is the peer's: bounded, and nothing in it can forge a log line. */
static void hostname_is_bounded_and_printable(void **state)
{
	uint8_t opts[300] = { 53, 1, 1, 12 };
	struct frame f;
	struct sighting s;
	size_t i;

	(void)state;
	{
		static const uint8_t name[] = "a\x01" "b'c\\d\n\xc3\xa9 e\x7f";

		opts[4] = sizeof(name) - 1;
		memcpy(opts + 5, name, sizeof(name) - 1);
		f = dhcp_with("dhcp_discover", opts, 5 + sizeof(name) - 1);
		s = decode_ok(&f);
		assert_string_equal(s.hostname, "a?b?c?d??? e?");
	}
	/* A terminating NUL some clients count is not part of the name. */
	memcpy(opts + 4, "\x03pc\0", 4);
	f = dhcp_with("dhcp_discover", opts, 8);
	assert_string_equal(decode_ok(&f).hostname, "pc");
	/* The longest option: 255 bytes, cut to the maximum. */
	opts[4] = 255;
	for (i = 0; i < 255; i++)
		opts[5 + i] = (uint8_t)('a' + i % 26);
	f = dhcp_with("dhcp_discover", opts, 5 + 255);
	s = decode_ok(&f);
	assert_true(s.has_hostname);
	assert_int_equal(strlen(s.hostname), SIGHTING_HOSTNAME_MAX);
	assert_memory_equal(s.hostname, opts + 5, SIGHTING_HOSTNAME_MAX);
}

/* ---- names and lines ----------------------------------------------------- */

static void kind_names(void **state)
{
	static const char *const want[] = {
		"?",           "arp-request", "arp-reply",     "arp-announce", "arp-probe",
		"dhcp-discover", "dhcp-offer", "dhcp-request", "dhcp-decline", "dhcp-ack",
		"dhcp-nak",    "dhcp-release", "dhcp-inform", "stp",       "lldp",
		"cdp",         "router-advert",
	};
	int k;

	(void)state;
	for (k = 0; k < (int)ARRAY_SIZE(want); k++)
		assert_string_equal(frame_kind_name((enum sighting_kind)k), want[k]);
	assert_string_equal(frame_kind_name((enum sighting_kind)17), "?");
	assert_false(frame_kind_is_equipment(SIGHTING_DHCP_INFORM));
	assert_false(frame_kind_is_equipment(SIGHTING_ARP_REQUEST));
	assert_true(frame_kind_is_equipment(SIGHTING_STP));
	assert_true(frame_kind_is_equipment(SIGHTING_ROUTER_ADVERT));
	assert_false(frame_kind_is_equipment((enum sighting_kind)17));
	assert_string_equal(frame_kind_name((enum sighting_kind)-1), "?");
}


/* ---- network equipment (LANREQ-47): frames built byte by byte ------------------ */

static const uint8_t mac_sw[6] = { 0x02, 0, 0, 0xfa, 0, 0x05 };

/* A frame being built: put() appends bytes, put16() a big-endian number. */
struct build {
	uint8_t b[1600];
	size_t len;
};

static void put(struct build *f, const void *p, size_t n)
{
	assert_true(f->len + n <= sizeof(f->b));
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void put8(struct build *f, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(f, &b, 1);
}

static void put16(struct build *f, unsigned v)
{
	put8(f, v >> 8);
	put8(f, v & 0xff);
}

static void put_eth(struct build *f, const uint8_t *dst, unsigned type)
{
	f->len = 0;
	put(f, dst, 6);
	put(f, mac_sw, 6);
	put16(f, type);
}

/* Sets the 802.3 length of a frame begun by put_eth(f, dst, 0), then pads it to 60. */
static void end_8023(struct build *f)
{
	f->b[12] = (uint8_t)((f->len - 14) >> 8);
	f->b[13] = (uint8_t)((f->len - 14) & 0xff);
	while (f->len < 60)
		put8(f, 0);
}

static const uint8_t d_stp[6] = { 0x01, 0x80, 0xc2, 0, 0, 0 };
static const uint8_t d_lldp[6] = { 0x01, 0x80, 0xc2, 0, 0, 0x0e };
static const uint8_t d_cdp[6] = { 0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc };
static const uint8_t d_allnodes[6] = { 0x33, 0x33, 0, 0, 0, 0x01 };

/* A BPDU: @type 0x00 config, 0x80 TCN, 0x02 RST (version @version). */
static void build_bpdu(struct build *f, unsigned version, unsigned type)
{
	static const uint8_t llc[3] = { 0x42, 0x42, 0x03 };
	static const uint8_t root[8] = { 0x80, 0x00, 0x02, 0, 0, 0xfa, 0, 0x99 };
	static const uint8_t bridge[8] = { 0x80, 0x01, 0x02, 0, 0, 0xfa, 0, 0x05 };

	put_eth(f, d_stp, 0);
	put(f, llc, 3);
	put16(f, 0);       /* protocol id */
	put8(f, version);
	put8(f, type);
	if (type != 0x80) {
		put8(f, 0);        /* flags */
		put(f, root, 8);
		put(f, "\0\0\0\x04", 4); /* root path cost */
		put(f, bridge, 8);
		put16(f, 0x8001);  /* port id */
		put16(f, 0);       /* message age */
		put16(f, 20 << 8); /* max age */
		put16(f, 2 << 8);  /* hello */
		put16(f, 15 << 8); /* forward delay */
		if (type == 0x02)
			put8(f, 0); /* version 1 length */
	}
	end_8023(f);
}

static struct sighting decode_built(const struct build *f)
{
	struct sighting s;
	int r = decode_bytes(f->b, f->len, &s);

	if (r != 0)
		fail_msg("decode: %s", strerror(-r));
	return s;
}

static void line_is(const struct sighting *s, const char *want)
{
	char line[SIGHTING_LINE_MAX];

	assert_true(frame_sighting_format(s, line, sizeof(line)) > 0);
	assert_string_equal(line, want);
}

static void stp_bpdus_name_the_bridge(void **state)
{
	struct build f;
	struct sighting s;

	(void)state;
	build_bpdu(&f, 0, 0x00);
	s = decode_built(&f);
	assert_int_equal(s.kind, SIGHTING_STP);
	assert_true(frame_kind_is_equipment(s.kind));
	assert_memory_equal(s.src_mac, mac_sw, 6);
	assert_false(s.has_addr);
	assert_string_equal(s.equip_id, "8001.02:00:00:fa:00:05");
	line_is(&s, "stp 02:00:00:fa:00:05 bpdu config id '8001.02:00:00:fa:00:05'");

	build_bpdu(&f, 2, 0x02);
	s = decode_built(&f);
	line_is(&s, "stp 02:00:00:fa:00:05 bpdu rst id '8001.02:00:00:fa:00:05'");
	build_bpdu(&f, 3, 0x02);
	s = decode_built(&f);
	line_is(&s, "stp 02:00:00:fa:00:05 bpdu mst id '8001.02:00:00:fa:00:05'");
	build_bpdu(&f, 0, 0x80);
	s = decode_built(&f);
	line_is(&s, "stp 02:00:00:fa:00:05 bpdu tcn");
}

static void stp_bpdus_are_checked(void **state)
{
	struct build f;
	struct sighting s;

	(void)state;
	build_bpdu(&f, 0, 0x42); /* an unknown BPDU type */
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	build_bpdu(&f, 1, 0x02); /* RST with version 1 */
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	build_bpdu(&f, 0, 0x00);
	f.b[13] = 20; /* the 802.3 length cuts the config BPDU */
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	f.b[12] = 0x05; /* a length beyond the frame (1300) */
	f.b[13] = 0x14;
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	build_bpdu(&f, 0, 0x00);
	f.b[14] = 0xaa; /* another LLC to the same address */
	assert_int_equal(decode_bytes(f.b, f.len, &s), -ENOENT);
	build_bpdu(&f, 0, 0x00);
	f.b[18] = 1; /* protocol id 1 */
	assert_int_equal(decode_bytes(f.b, f.len, &s), -ENOENT);
	build_bpdu(&f, 0, 0x00);
	f.b[5] = 0x01; /* to another address: an 802.3 frame we do not read */
	assert_int_equal(decode_bytes(f.b, f.len, &s), -ENOENT);
}

static void put_tlv(struct build *f, unsigned type, const void *v, size_t len)
{
	put16(f, type << 9 | (unsigned)len);
	put(f, v, len);
}

/* An LLDPDU: chassis id (a MAC), port id, TTL, system name, IPv4 management address, end. */
static void build_lldp(struct build *f, const char *name, bool end)
{
	static const uint8_t chassis[7] = { 4, 0x02, 0, 0, 0xfa, 0, 0x05 };
	static const uint8_t mgmt[12] = { 5, 1, 10, 250, 0, 5, 2, 0, 0, 0, 1, 0 };

	put_eth(f, d_lldp, 0x88cc);
	put_tlv(f, 1, chassis, sizeof(chassis));
	put_tlv(f, 2, "\x05" "ge-0/0/3", 9);
	put_tlv(f, 3, "\x00\x78", 2);
	if (name)
		put_tlv(f, 5, name, strlen(name));
	put_tlv(f, 8, mgmt, sizeof(mgmt));
	if (end)
		put_tlv(f, 0, "", 0);
}

static void lldp_gives_chassis_name_and_address(void **state)
{
	struct build f;
	struct sighting s;
	char longname[100];

	(void)state;
	build_lldp(&f, "sw-3f", true);
	s = decode_built(&f);
	assert_int_equal(s.kind, SIGHTING_LLDP);
	assert_string_equal(s.equip_id, "02:00:00:fa:00:05");
	assert_string_equal(s.equip_name, "sw-3f");
	assert_true(s.has_addr);
	line_is(&s, "lldp 02:00:00:fa:00:05 ip 10.250.0.5 id '02:00:00:fa:00:05' name 'sw-3f'");
	/* No end TLV: the end of the frame ends the walk; no name: none printed. */
	build_lldp(&f, NULL, false);
	s = decode_built(&f);
	line_is(&s, "lldp 02:00:00:fa:00:05 ip 10.250.0.5 id '02:00:00:fa:00:05'");
	/* A name is the peer's: cut, and nothing in it forges a line. */
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	longname[0] = '\'';
	longname[1] = '\n';
	build_lldp(&f, longname, true);
	s = decode_built(&f);
	assert_int_equal(strlen(s.equip_name), SIGHTING_EQUIP_MAX);
	assert_int_equal(strncmp(s.equip_name, "??nnn", 5), 0);
	/* Tagged (VLAN 7) and to the nearest non-TPMR bridge. */
	build_lldp(&f, "sw-3f", true);
	memmove(f.b + 16, f.b + 12, f.len - 12);
	f.b[12] = 0x81;
	f.b[13] = 0x00;
	f.b[14] = 0x00;
	f.b[15] = 0x07;
	f.b[5] = 0x03;
	f.len += 4;
	s = decode_built(&f);
	assert_true(s.has_vlan);
	assert_int_equal(s.vlan, 7);
	assert_string_equal(s.equip_name, "sw-3f");
}

static void lldp_chassis_subtypes(void **state)
{
	struct build f;
	struct sighting s;

	(void)state;
	put_eth(&f, d_lldp, 0x88cc);
	put_tlv(&f, 1, "\x05\x01\x0a\xfa\x00\x05", 6); /* a network address: IPv4 */
	put_tlv(&f, 2, "\x07" "1", 2);
	put_tlv(&f, 3, "\x00\x78", 2);
	s = decode_built(&f);
	assert_string_equal(s.equip_id, "10.250.0.5");
	assert_false(s.has_addr);
	put_eth(&f, d_lldp, 0x88cc);
	put_tlv(&f, 1, "\x07" "ap-\x01" "2F", 7); /* locally assigned text */
	put_tlv(&f, 2, "\x07" "1", 2);
	put_tlv(&f, 3, "\x00\x78", 2);
	s = decode_built(&f);
	assert_string_equal(s.equip_id, "ap-?2F");
}

static void lldp_is_checked(void **state)
{
	struct build f;
	struct sighting s;

	(void)state;
	/* The mandatory TLVs out of order. */
	put_eth(&f, d_lldp, 0x88cc);
	put_tlv(&f, 2, "\x07" "1", 2);
	put_tlv(&f, 1, "\x07" "sw", 3);
	put_tlv(&f, 3, "\x00\x78", 2);
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	/* Only the chassis id. */
	put_eth(&f, d_lldp, 0x88cc);
	put_tlv(&f, 1, "\x07" "sw", 3);
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	/* A TTL of 3 bytes; a repeated system name; a TLV past the frame. */
	put_eth(&f, d_lldp, 0x88cc);
	put_tlv(&f, 1, "\x07" "sw", 3);
	put_tlv(&f, 2, "\x07" "1", 2);
	put_tlv(&f, 3, "\x00\x78\x00", 3);
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	build_lldp(&f, "a", false);
	put_tlv(&f, 5, "b", 1);
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	build_lldp(&f, "sw-3f", true);
	f.b[f.len - 2] = 0x00;
	f.b[f.len - 1] = 0x10; /* end with a length */
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	build_lldp(&f, "sw-3f", true);
	assert_int_equal(decode_bytes(f.b, f.len - 3, &s), -EINVAL); /* the management TLV cut */
	/* A management address too short for its own string length. */
	put_eth(&f, d_lldp, 0x88cc);
	put_tlv(&f, 1, "\x07" "sw", 3);
	put_tlv(&f, 2, "\x07" "1", 2);
	put_tlv(&f, 3, "\x00\x78", 2);
	put_tlv(&f, 8, "\x05\x01\x0a\xfa\x00\x05\x02", 7);
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	/* An empty management address TLV (found by fuzz_frame). */
	put_eth(&f, d_lldp, 0x88cc);
	put_tlv(&f, 1, "\x07" "sw", 3);
	put_tlv(&f, 2, "\x07" "1", 2);
	put_tlv(&f, 3, "\x00\x78", 2);
	put_tlv(&f, 8, "", 0);
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	/* LLDP ethertype to another destination: not ours. */
	build_lldp(&f, "sw-3f", true);
	f.b[0] = 0xff;
	assert_int_equal(decode_bytes(f.b, f.len, &s), -ENOENT);
}

/* A CDP packet: device id, addresses (one IPv4), platform. */
static void build_cdp(struct build *f, unsigned pid)
{
	static const uint8_t addrs[13] = { 0, 0, 0, 1, 1, 1, 0xcc, 0, 4, 10, 250, 0, 6 };

	put_eth(f, d_cdp, 0);
	put(f, "\xaa\xaa\x03\x00\x00\x0c", 6);
	put16(f, pid);
	put8(f, 2);   /* version */
	put8(f, 180); /* ttl */
	put16(f, 0);  /* checksum, not verified */
	put16(f, 1);
	put16(f, 4 + 8);
	put(f, "sw-cisco", 8);
	put16(f, 2);
	put16(f, 4 + sizeof(addrs));
	put(f, addrs, sizeof(addrs));
	put16(f, 6);
	put16(f, 4 + 14);
	put(f, "cisco WS-C2960", 14);
	end_8023(f);
}

static void cdp_gives_device_platform_and_address(void **state)
{
	struct build f;
	struct sighting s;

	(void)state;
	build_cdp(&f, 0x2000);
	s = decode_built(&f);
	assert_int_equal(s.kind, SIGHTING_CDP);
	line_is(&s, "cdp 02:00:00:fa:00:05 ip 10.250.0.6 id 'sw-cisco' name 'cisco WS-C2960'");
	build_cdp(&f, 0x2004); /* DTP to the same address */
	assert_int_equal(decode_bytes(f.b, f.len, &s), -ENOENT);
	build_cdp(&f, 0x2000);
	f.b[26 + 3] = 3; /* a TLV length below its header (the first TLV at 26) */
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	build_cdp(&f, 0x2000);
	f.b[38 + 4 + 3] = 9; /* nine addresses announced, one there (the TLV at 38) */
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	build_cdp(&f, 0x2000);
	f.b[38 + 2] = 0x00; /* the addresses TLV's length past the frame */
	f.b[38 + 3] = 0xff;
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	build_cdp(&f, 0x2000);
	f.b[22] = 3; /* CDP version 3 */
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
}

/* An IPv6 router advertisement from fe80::1 to all nodes, hop limit @hops. */
static void build_ra(struct build *f, unsigned hops, unsigned type)
{
	static const uint8_t src[16] = { 0xfe, 0x80, [15] = 1 };
	static const uint8_t dst[16] = { 0xff, 0x02, [15] = 1 };

	put_eth(f, d_allnodes, 0x86dd);
	put(f, "\x60\0\0\0", 4);
	put16(f, 16); /* payload length */
	put8(f, 58);
	put8(f, hops);
	put(f, src, 16);
	put(f, dst, 16);
	put8(f, type);
	put8(f, 0);
	put16(f, 0); /* checksum */
	put8(f, 64);  /* cur hop limit */
	put8(f, 0);   /* flags */
	put16(f, 1800); /* router lifetime */
	put(f, "\0\0\0\0\0\0\0\0", 8);
}

static void router_advertisement_names_the_router(void **state)
{
	struct build f;
	struct sighting s;

	(void)state;
	build_ra(&f, 255, 134);
	s = decode_built(&f);
	assert_int_equal(s.kind, SIGHTING_ROUTER_ADVERT);
	line_is(&s, "router-advert 02:00:00:fa:00:05 id 'fe80::1'");
	build_ra(&f, 64, 134); /* routed: RFC 4861 discards it */
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	build_ra(&f, 255, 128); /* an echo request */
	assert_int_equal(decode_bytes(f.b, f.len, &s), -ENOENT);
	build_ra(&f, 255, 134);
	f.b[22] = 0x20; /* a global source */
	f.b[23] = 0x01;
	assert_int_equal(decode_bytes(f.b, f.len, &s), -EINVAL);
	build_ra(&f, 255, 134);
	assert_int_equal(decode_bytes(f.b, f.len - 1, &s), -EINVAL); /* cut */
	build_ra(&f, 255, 134);
	f.b[20] = 0; /* hop-by-hop options first: not read */
	assert_int_equal(decode_bytes(f.b, f.len, &s), -ENOENT);
}

/* Every cut of every equipment frame is decoded without reading past it. */
static void every_cut_of_equipment_frames(void **state)
{
	struct build f[6];
	struct sighting s;
	size_t i, len;

	(void)state;
	build_bpdu(&f[0], 0, 0x00);
	build_bpdu(&f[1], 2, 0x02);
	build_lldp(&f[2], "sw-3f", true);
	build_cdp(&f[3], 0x2000);
	build_ra(&f[4], 255, 134);
	build_bpdu(&f[5], 0, 0x80);
	for (i = 0; i < ARRAY_SIZE(f); i++)
		for (len = 0; len < f[i].len; len++) {
			int r = decode_bytes(f[i].b, len, &s);

			assert_true(r == 0 || r == -EINVAL || r == -ENOENT);
			/* Cut within the shortest BPDU (a TCN): refused. */
			if (len < 14 + 3 + 4)
				assert_int_not_equal(r, 0);
		}
}

/* Every field at its widest fits SIGHTING_LINE_MAX; a short buffer is -ENOSPC, terminated. */
static void line_fits_its_buffer_or_is_refused(void **state)
{
	struct sighting s;
	char buf[SIGHTING_LINE_MAX + 8];
	int n;
	size_t len;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.kind = SIGHTING_DHCP_DISCOVER;
	memset(s.src_mac, 0xff, 6);
	memset(s.hw_mac, 0xff, 6);
	s.has_vlan = true;
	s.vlan = 4095;
	s.has_addr = s.has_server_id = s.has_lease = s.has_hostname = s.from_server = true;
	memset(s.addr, 255, 4);
	memset(s.server_id, 255, 4);
	memset(s.ip_src, 255, 4);
	s.xid = UINT32_MAX;
	s.lease_s = UINT32_MAX - 1;
	memset(s.hostname, 'x', SIGHTING_HOSTNAME_MAX);
	s.hostname[SIGHTING_HOSTNAME_MAX] = '\0';
	n = frame_sighting_format(&s, buf, SIGHTING_LINE_MAX);
	assert_true(n > 0 && n < SIGHTING_LINE_MAX);
	assert_int_equal(strlen(buf), (size_t)n);
	for (len = 0; len <= (size_t)n; len++) {
		memset(buf, '#', sizeof(buf));
		assert_int_equal(frame_sighting_format(&s, buf, len), -ENOSPC);
		if (len > 0)
			assert_int_equal(strlen(buf), len - 1);
		assert_int_equal(buf[len], '#');
	}
	assert_int_equal(frame_sighting_format(&s, buf, (size_t)n + 1), n);
}

/* The widest equipment line fits too. */
static void equipment_line_fits(void **state)
{
	struct sighting s;
	char buf[SIGHTING_LINE_MAX];
	int n;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.kind = SIGHTING_ROUTER_ADVERT;
	memset(s.src_mac, 0xff, 6);
	s.has_vlan = s.has_addr = true;
	s.vlan = 4095;
	memset(s.addr, 255, 4);
	memset(s.equip_id, 'i', SIGHTING_EQUIP_MAX);
	memset(s.equip_name, 'n', SIGHTING_EQUIP_MAX);
	n = frame_sighting_format(&s, buf, sizeof(buf));
	assert_true(n > 0 && n < SIGHTING_LINE_MAX);
	s.kind = SIGHTING_STP;
	n = frame_sighting_format(&s, buf, sizeof(buf));
	assert_true(n > 0 && n < SIGHTING_LINE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arp_request_gives_sender_mac_and_address),
		cmocka_unit_test(arp_reply_gives_the_answering_station),
		cmocka_unit_test(padded_arp_request_decodes),
		cmocka_unit_test(arp_probe_names_the_address_asked_for),
		cmocka_unit_test(gratuitous_arp_is_an_announcement),
		cmocka_unit_test(vlan_tagged_arp_gives_the_vlan),
		cmocka_unit_test(dhcp_discover_gives_client_and_hostname),
		cmocka_unit_test(dhcp_offer_comes_from_a_server),
		cmocka_unit_test(dhcp_request_gives_the_requested_address),
		cmocka_unit_test(dhcp_ack_gives_the_lease),
		cmocka_unit_test(dhcp_release_gives_the_address_given_back),
		cmocka_unit_test(other_traffic_is_not_ours),
		cmocka_unit_test(every_cut_of_every_frame_is_refused),
		cmocka_unit_test(output_untouched_on_refusal),
		cmocka_unit_test(multicast_source_mac_is_refused),
		cmocka_unit_test(vlan_tag_on_dhcp_is_read),
		cmocka_unit_test(second_tag_or_other_tpid_is_not_ours),
		cmocka_unit_test(arp_header_is_checked),
		cmocka_unit_test(arp_sender_and_target_give_the_kind),
		cmocka_unit_test(ip_options_are_skipped),
		cmocka_unit_test(ipv4_header_is_checked),
		cmocka_unit_test(udp_length_is_checked),
		cmocka_unit_test(fragments),
		cmocka_unit_test(bad_magic_cookie_is_refused),
		cmocka_unit_test(decline_nak_inform_decode),
		cmocka_unit_test(message_type_decides_what_is_ours),
		cmocka_unit_test(opcode_and_ports_must_agree_with_the_type),
		cmocka_unit_test(options_walk),
		cmocka_unit_test(decoded_options_have_their_size_and_occur_once),
		cmocka_unit_test(hostname_is_bounded_and_printable),
		cmocka_unit_test(kind_names),
		cmocka_unit_test(line_fits_its_buffer_or_is_refused),
		cmocka_unit_test(equipment_line_fits),
		cmocka_unit_test(stp_bpdus_name_the_bridge),
		cmocka_unit_test(stp_bpdus_are_checked),
		cmocka_unit_test(lldp_gives_chassis_name_and_address),
		cmocka_unit_test(lldp_chassis_subtypes),
		cmocka_unit_test(lldp_is_checked),
		cmocka_unit_test(cdp_gives_device_platform_and_address),
		cmocka_unit_test(router_advertisement_names_the_router),
		cmocka_unit_test(every_cut_of_equipment_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

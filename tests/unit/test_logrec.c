/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of lib/logrec: firewall log records from the recorded NFLOG
 * records of tests/data/nflog/ (capture.sh) to exact JSON lines, and strict
 * reading of such lines.
 */
#include "helpers.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <sys/socket.h>

#include "logrec.h"
#include "nflog.h"
#include "util.h"

/* 2027-01-01T00:00:00.123456Z: when the daemon read the record. */
#define RECV_US ((int64_t)T_NOW * 1000000 + 123456)

/* ---- the daemon's side, faked ------------------------------------------- */

struct fake {
	const char *ifnames[8]; /* by index */
};

static const char *fake_ifname(void *data, uint32_t ifindex)
{
	const struct fake *f = data;

	return ifindex < ARRAY_SIZE(f->ifnames) ? f->ifnames[ifindex] : NULL;
}

static const struct {
	const char *id, *from, *to;
} fake_rules[] = {
	{ "lan>srv:http", "lan", "srv" },
	{ "lan>srv:default", "lan", "srv" },
	{ "lan>gateway:ping", "lan", "gateway" },
	{ "nat:publish:web:http", NULL, "srv" },
	{ "test>x:ping6", "test", "x" },
	{ "bad>zones", "LAN", "a-zone-name-that-is-far-too-long-x" },
};

static bool fake_rule(void *data, const char *id, const char **ret_from, const char **ret_to)
{
	size_t i;

	(void)data;
	for (i = 0; i < ARRAY_SIZE(fake_rules); i++)
		if (!strcmp(fake_rules[i].id, id)) {
			*ret_from = fake_rules[i].from;
			*ret_to = fake_rules[i].to;
			return true;
		}
	return false;
}

static struct fake fake = { .ifnames = { NULL, "lo", "gw0", "gw1" } };
static const struct logrec_ctx ctx = { fake_ifname, fake_rule, &fake, true };

/* ---- recorded records ------------------------------------------------------ */

/* The bytes of tests/data/nflog/@name.bin with TLV headers in host order (see test_nflog.c). */
static size_t load(const char *name, uint8_t *b, size_t size)
{
	char path[4096];
	size_t len, off = 4;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/nflog/%s.bin", source_dir(), name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	len = fread(b, 1, size, f);
	fclose(f);
	assert_true(len > 4 && len < size);
	while (off + 4 <= len) {
		uint16_t tlen = (uint16_t)(b[off] | b[off + 1] << 8);
		uint16_t type = (uint16_t)(b[off + 2] | b[off + 3] << 8);

		memcpy(b + off, &tlen, 2);
		memcpy(b + off + 2, &type, 2);
		off += (tlen + 3u) & ~3u;
	}
	return len;
}

static struct nflog_pkt decode(const char *name)
{
	uint8_t b[65536];
	struct nflog_pkt p;
	size_t len = load(name, b, sizeof(b));

	assert_int_equal(nflog_decode(b, len, &p), 0);
	/* Borrowed pointers die with @b; the tests here never use them. */
	p.payload = NULL;
	p.hwheader = NULL;
	return p;
}

static struct logrec build_with(const char *name, const struct logrec_ctx *c)
{
	struct nflog_pkt p = decode(name);
	struct logrec r;

	assert_int_equal(logrec_build(&p, RECV_US, c, &r), 0);
	return r;
}

static char *format(const struct logrec *r)
{
	char *line = NULL;

	assert_int_equal(logrec_format(r, &line), 0);
	assert_non_null(line);
	return line;
}

/* The line of capture @name, checked to read back to the same record and line. */
static void assert_line_with(const char *name, const struct logrec_ctx *c, const char *want)
{
	struct logrec r = build_with(name, c), back;
	char *line = format(&r), *again;

	assert_string_equal(line, want);
	assert_int_equal(logrec_parse(line, strlen(line), &back), 0);
	assert_memory_equal(&back, &r, sizeof(r));
	again = format(&back);
	assert_string_equal(again, line);
	free(again);
	free(line);
}

static void assert_line(const char *name, const char *want)
{
	assert_line_with(name, &ctx, want);
}

/* ---- building and formatting ---------------------------------------------- */

/* LOG-1..7, LOG-11, NAT-5: a permitted forwarded connection, every field. */
static void permitted_forward_record_is_one_exact_line(void **state)
{
	(void)state;
	assert_line("fwd_tcp_snat",
		    "{\"@timestamp\":\"2026-11-23T10:30:38.102841Z\","
		    "\"event.action\":\"permitted\","
		    "\"rule.id\":\"lan>srv:http\","
		    "\"zone.from\":\"lan\",\"zone.to\":\"srv\","
		    "\"network.type\":\"ipv4\",\"network.iana_number\":\"6\","
		    "\"source.ip\":\"10.0.1.2\",\"source.port\":50094,"
		    "\"destination.ip\":\"10.0.2.2\",\"destination.port\":80,"
		    "\"source.mac\":\"02-00-00-00-01-02\","
		    "\"observer.ingress.interface.name\":\"gw0\","
		    "\"observer.ingress.interface.id\":\"2\","
		    "\"observer.egress.interface.name\":\"gw1\","
		    "\"observer.egress.interface.id\":\"3\","
		    "\"time_source\":\"kernel\",\"clock.synchronized\":true}");
}

/* LOG-7: denied accesses are recorded with their verdict. */
static void denied_record_says_denied(void **state)
{
	(void)state;
	assert_line("fwd_udp_denied",
		    "{\"@timestamp\":\"2026-11-23T10:30:39.170338Z\","
		    "\"event.action\":\"denied\","
		    "\"rule.id\":\"lan>srv:default\","
		    "\"zone.from\":\"lan\",\"zone.to\":\"srv\","
		    "\"network.type\":\"ipv4\",\"network.iana_number\":\"17\","
		    "\"source.ip\":\"10.0.1.2\",\"source.port\":50778,"
		    "\"destination.ip\":\"10.0.2.2\",\"destination.port\":53,"
		    "\"source.mac\":\"02-00-00-00-01-02\","
		    "\"observer.ingress.interface.name\":\"gw0\","
		    "\"observer.ingress.interface.id\":\"2\","
		    "\"observer.egress.interface.name\":\"gw1\","
		    "\"observer.egress.interface.id\":\"3\","
		    "\"time_source\":\"kernel\",\"clock.synchronized\":true}");
}

/* NAT-5: a published service's record names the internal server and the client. */
static void dnat_record_names_the_internal_server(void **state)
{
	(void)state;
	assert_line("fwd_tcp_dnat",
		    "{\"@timestamp\":\"2026-11-23T10:30:37.769744Z\","
		    "\"event.action\":\"permitted\","
		    "\"rule.id\":\"nat:publish:web:http\","
		    "\"zone.to\":\"srv\","
		    "\"network.type\":\"ipv4\",\"network.iana_number\":\"6\","
		    "\"source.ip\":\"10.0.1.2\",\"source.port\":46906,"
		    "\"destination.ip\":\"10.0.2.2\",\"destination.port\":80,"
		    "\"source.mac\":\"02-00-00-00-01-02\","
		    "\"observer.ingress.interface.name\":\"gw0\","
		    "\"observer.ingress.interface.id\":\"2\","
		    "\"observer.egress.interface.name\":\"gw1\","
		    "\"observer.egress.interface.id\":\"3\","
		    "\"time_source\":\"kernel\",\"clock.synchronized\":true}");
}

/* LOG-1: without a kernel time stamp (output hook) the receive time, marked so. */
static void output_record_uses_the_receive_time(void **state)
{
	(void)state;
	assert_line("lo_tcp_syn",
		    "{\"@timestamp\":\"2027-01-01T00:00:00.123456Z\","
		    "\"event.action\":\"permitted\","
		    "\"rule.id\":\"test>x:tcp\","
		    "\"network.type\":\"ipv4\",\"network.iana_number\":\"6\","
		    "\"source.ip\":\"127.0.0.1\",\"source.port\":41454,"
		    "\"destination.ip\":\"127.0.0.1\",\"destination.port\":8080,"
		    "\"observer.egress.interface.name\":\"lo\","
		    "\"observer.egress.interface.id\":\"1\","
		    "\"time_source\":\"receive\",\"clock.synchronized\":true}");
	assert_line("lo_udp",
		    "{\"@timestamp\":\"2027-01-01T00:00:00.123456Z\","
		    "\"event.action\":\"permitted\","
		    "\"rule.id\":\"test>x:udp\","
		    "\"network.type\":\"ipv4\",\"network.iana_number\":\"17\","
		    "\"source.ip\":\"127.0.0.1\",\"source.port\":40273,"
		    "\"destination.ip\":\"127.0.0.1\",\"destination.port\":5353,"
		    "\"observer.egress.interface.name\":\"lo\","
		    "\"observer.egress.interface.id\":\"1\","
		    "\"time_source\":\"receive\",\"clock.synchronized\":true}");
}

/* LOG-4, LOG-6: ICMP has no ports; its type and code stand in. */
static void icmp_records_have_type_and_code_instead_of_ports(void **state)
{
	(void)state;
	assert_line("in_icmp_ping",
		    "{\"@timestamp\":\"2026-11-23T10:30:37.429096Z\","
		    "\"event.action\":\"permitted\","
		    "\"rule.id\":\"lan>gateway:ping\","
		    "\"zone.from\":\"lan\",\"zone.to\":\"gateway\","
		    "\"network.type\":\"ipv4\",\"network.iana_number\":\"1\","
		    "\"source.ip\":\"10.0.1.2\",\"destination.ip\":\"10.0.1.1\","
		    "\"icmp.type\":8,\"icmp.code\":0,"
		    "\"source.mac\":\"02-00-00-00-01-02\","
		    "\"observer.ingress.interface.name\":\"gw0\","
		    "\"observer.ingress.interface.id\":\"2\","
		    "\"time_source\":\"kernel\",\"clock.synchronized\":true}");
	assert_line("lo_icmpv6_ping",
		    "{\"@timestamp\":\"2027-01-01T00:00:00.123456Z\","
		    "\"event.action\":\"permitted\","
		    "\"rule.id\":\"test>x:ping6\","
		    "\"zone.from\":\"test\",\"zone.to\":\"x\","
		    "\"network.type\":\"ipv6\",\"network.iana_number\":\"58\","
		    "\"source.ip\":\"::1\",\"destination.ip\":\"::1\","
		    "\"icmp.type\":128,\"icmp.code\":0,"
		    "\"observer.egress.interface.name\":\"lo\","
		    "\"observer.egress.interface.id\":\"1\","
		    "\"time_source\":\"receive\",\"clock.synchronized\":true}");
	assert_line("fwd_icmpv6_ping",
		    "{\"@timestamp\":\"2026-11-23T10:30:38.435169Z\","
		    "\"event.action\":\"permitted\","
		    "\"rule.id\":\"lan>srv:ping6\","
		    "\"network.type\":\"ipv6\",\"network.iana_number\":\"58\","
		    "\"source.ip\":\"fd00:1::2\",\"destination.ip\":\"fd00:2::2\","
		    "\"icmp.type\":128,\"icmp.code\":0,"
		    "\"source.mac\":\"02-00-00-00-01-02\","
		    "\"observer.ingress.interface.name\":\"gw0\","
		    "\"observer.ingress.interface.id\":\"2\","
		    "\"observer.egress.interface.name\":\"gw1\","
		    "\"observer.egress.interface.id\":\"3\","
		    "\"time_source\":\"kernel\",\"clock.synchronized\":true}");
}

/* LOG-3..6 over IPv6. */
static void ipv6_denied_record(void **state)
{
	(void)state;
	assert_line("lo_tcp6_denied",
		    "{\"@timestamp\":\"2027-01-01T00:00:00.123456Z\","
		    "\"event.action\":\"denied\","
		    "\"rule.id\":\"test>x:deny6\","
		    "\"network.type\":\"ipv6\",\"network.iana_number\":\"6\","
		    "\"source.ip\":\"::1\",\"source.port\":41732,"
		    "\"destination.ip\":\"::1\",\"destination.port\":9,"
		    "\"observer.egress.interface.name\":\"lo\","
		    "\"observer.egress.interface.id\":\"1\","
		    "\"time_source\":\"receive\",\"clock.synchronized\":true}");
}

/* LOG-11: a record written while the clock is not synchronised says so. */
static void unsynchronised_clock_marks_the_record(void **state)
{
	struct logrec_ctx c = ctx;

	(void)state;
	c.ntp_synced = false;
	assert_line_with("lo_icmp_ping", &c,
			 "{\"@timestamp\":\"2027-01-01T00:00:00.123456Z\","
			 "\"event.action\":\"permitted\","
			 "\"rule.id\":\"test>x:ping\","
			 "\"network.type\":\"ipv4\",\"network.iana_number\":\"1\","
			 "\"source.ip\":\"127.0.0.1\",\"destination.ip\":\"127.0.0.1\","
			 "\"icmp.type\":8,\"icmp.code\":0,"
			 "\"observer.egress.interface.name\":\"lo\","
			 "\"observer.egress.interface.id\":\"1\","
			 "\"time_source\":\"receive\",\"clock.synchronized\":false}");
}

/* Unknown names: the interface's index alone; no callbacks at all likewise. */
static void unknown_names_leave_the_index_only(void **state)
{
	struct logrec_ctx c = { NULL, NULL, NULL, true };

	(void)state;
	assert_line_with("fwd_tcp_snat", &c,
			 "{\"@timestamp\":\"2026-11-23T10:30:38.102841Z\","
			 "\"event.action\":\"permitted\","
			 "\"rule.id\":\"lan>srv:http\","
			 "\"network.type\":\"ipv4\",\"network.iana_number\":\"6\","
			 "\"source.ip\":\"10.0.1.2\",\"source.port\":50094,"
			 "\"destination.ip\":\"10.0.2.2\",\"destination.port\":80,"
			 "\"source.mac\":\"02-00-00-00-01-02\","
			 "\"observer.ingress.interface.id\":\"2\","
			 "\"observer.egress.interface.id\":\"3\","
			 "\"time_source\":\"kernel\",\"clock.synchronized\":true}");
}

/* Names the callbacks give that are not interface or zone names are left out. */
static void invalid_names_from_callbacks_are_left_out(void **state)
{
	static const char *const bad_ifnames[] = {
		"", ".", "..", "a/b", "a:b", "a b", "sixteen-chars-ab", "tab\t", "\xc3\xa9",
	};
	struct fake f = { .ifnames = { NULL, NULL, NULL, NULL } };
	struct logrec_ctx c = { fake_ifname, fake_rule, &f, true };
	struct nflog_pkt p = decode("fwd_tcp_snat");
	struct logrec r;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad_ifnames); i++) {
		f.ifnames[2] = bad_ifnames[i];
		assert_int_equal(logrec_build(&p, RECV_US, &c, &r), 0);
		assert_int_equal(r.in_ifindex, 2);
		assert_string_equal(r.in_ifname, "");
	}
	f.ifnames[2] = "fifteen-chars-a";
	assert_int_equal(logrec_build(&p, RECV_US, &c, &r), 0);
	assert_string_equal(r.in_ifname, "fifteen-chars-a");
	/* A zone name outside [a-z][a-z0-9-]{0,31}. */
	strcpy(p.prefix, "gw:A:bad>zones");
	assert_int_equal(logrec_build(&p, RECV_US, &c, &r), 0);
	assert_string_equal(r.zone_from, "");
	assert_string_equal(r.zone_to, "");
}

/* The prefix decides: ours ("gw:A:"/"gw:D:") or skipped. */
static void prefix_is_parsed_strictly(void **state)
{
	char id[RULE_ID_MAX + 8];
	const char *got;
	bool permitted;

	(void)state;
	assert_int_equal(logrec_parse_prefix("gw:A:lan>srv:http", &permitted, &got), 0);
	assert_true(permitted);
	assert_string_equal(got, "lan>srv:http");
	assert_int_equal(logrec_parse_prefix("gw:D:nat:snat:lan:10.0.1.0/24@eth0", &permitted, &got),
			 0);
	assert_false(permitted);
	assert_string_equal(got, "nat:snat:lan:10.0.1.0/24@eth0");
	/* Not ours. */
	assert_int_equal(logrec_parse_prefix("", &permitted, &got), -ENOENT);
	assert_int_equal(logrec_parse_prefix("ct:new ", &permitted, &got), -ENOENT);
	assert_int_equal(logrec_parse_prefix("gw:X:lan>srv:http", &permitted, &got), -ENOENT);
	assert_int_equal(logrec_parse_prefix("gw:a:lan>srv:http", &permitted, &got), -ENOENT);
	assert_int_equal(logrec_parse_prefix("gw:A", &permitted, &got), -ENOENT);
	assert_int_equal(logrec_parse_prefix(" gw:A:x", &permitted, &got), -ENOENT);
	/* Ours, malformed. */
	assert_int_equal(logrec_parse_prefix("gw:A:", &permitted, &got), -EINVAL);
	assert_int_equal(logrec_parse_prefix("gw:A:lan srv", &permitted, &got), -EINVAL);
	assert_int_equal(logrec_parse_prefix("gw:A:lan\"srv", &permitted, &got), -EINVAL);
	assert_int_equal(logrec_parse_prefix("gw:A:lan\\srv", &permitted, &got), -EINVAL);
	assert_int_equal(logrec_parse_prefix("gw:D:x\x7f", &permitted, &got), -EINVAL);
	assert_int_equal(logrec_parse_prefix("gw:D:x\xc3\xa9", &permitted, &got), -EINVAL);
	/* RULE_ID_MAX characters and one more. */
	snprintf(id, sizeof(id), "gw:A:");
	memset(id + 5, 'r', RULE_ID_MAX);
	id[5 + RULE_ID_MAX] = '\0';
	assert_int_equal(logrec_parse_prefix(id, &permitted, &got), 0);
	assert_int_equal(strlen(got), RULE_ID_MAX);
	id[5 + RULE_ID_MAX] = 'r';
	id[6 + RULE_ID_MAX] = '\0';
	assert_int_equal(logrec_parse_prefix(id, &permitted, &got), -EINVAL);
}

/* A record of somebody else's rule, or of none, is skipped. */
static void foreign_or_missing_prefix_is_skipped(void **state)
{
	struct nflog_pkt p = decode("lo_foreign_prefix");
	struct logrec r;

	(void)state;
	memset(&r, 0x5a, sizeof(r));
	assert_int_equal(logrec_build(&p, RECV_US, &ctx, &r), -ENOENT);
	assert_int_equal(r.family, 0x5a5a5a5a);
	p.has_prefix = false;
	p.prefix[0] = '\0';
	assert_int_equal(logrec_build(&p, RECV_US, &ctx, &r), -ENOENT);
	strcpy(p.prefix, "gw:D:");
	p.has_prefix = true;
	assert_int_equal(logrec_build(&p, RECV_US, &ctx, &r), -EINVAL);
}

/* LOG-1: the time is always one RFC 3339 can carry. */
static void build_time_falls_back_and_is_bounded(void **state)
{
	struct nflog_pkt p = decode("fwd_tcp_snat");
	struct logrec r;

	(void)state;
	/* A kernel time past year 9999: the receive time, said so. */
	p.ts_us = LOGREC_TIME_MAX + 1;
	assert_int_equal(logrec_build(&p, RECV_US, &ctx, &r), 0);
	assert_false(r.kernel_time);
	assert_int_equal(r.time_us, RECV_US);
	p.ts_us = LOGREC_TIME_MAX;
	assert_int_equal(logrec_build(&p, RECV_US, &ctx, &r), 0);
	assert_true(r.kernel_time);
	assert_int_equal(r.time_us, LOGREC_TIME_MAX);
	/* No kernel time and a receive time out of range: refused. */
	p.has_timestamp = false;
	assert_int_equal(logrec_build(&p, -1, &ctx, &r), -EINVAL);
	assert_int_equal(logrec_build(&p, LOGREC_TIME_MAX + 1, &ctx, &r), -EINVAL);
	assert_int_equal(logrec_build(&p, 0, &ctx, &r), 0);
	assert_int_equal(r.time_us, 0);
}

static void time_boundaries_format_and_read_back(void **state)
{
	static const struct {
		int64_t us;
		const char *text;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00.000000Z" },
		{ 1, "1970-01-01T00:00:00.000001Z" },
		{ (int64_t)951868800 * 1000000 - 1, "2000-02-29T23:59:59.999999Z" },
		{ (int64_t)1835395200 * 1000000, "2028-02-29T00:00:00.000000Z" },
		{ (int64_t)T_NOW * 1000000, "2027-01-01T00:00:00.000000Z" },
		{ LOGREC_TIME_MAX, "9999-12-31T23:59:59.999999Z" },
	};
	struct logrec r = build_with("lo_udp", &ctx), back;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *line, *at;

		r.time_us = cases[i].us;
		line = format(&r);
		at = strstr(line, cases[i].text);
		if (!at || at != line + strlen("{\"@timestamp\":\""))
			fail_msg("%" PRId64 " gave %s, not %s", cases[i].us, line, cases[i].text);
		assert_int_equal(logrec_parse(line, strlen(line), &back), 0);
		assert_int_equal(back.time_us, cases[i].us);
		free(line);
	}
}

/* Format checks the record as parse would: it never writes an unreadable line. */
static void format_refuses_a_record_parse_would_refuse(void **state)
{
	struct logrec good = build_with("fwd_tcp_snat", &ctx), icmp = build_with("in_icmp_ping", &ctx);
	struct logrec r;
	char *line = NULL;

	(void)state;
#define REFUSED(...)                                                                       \
	do {                                                                               \
		r = good;                                                                  \
		__VA_ARGS__;                                                               \
		if (logrec_format(&r, &line) != -EINVAL)                                   \
			fail_msg("format took a record with %s", #__VA_ARGS__);            \
	} while (0)
	REFUSED(r.time_us = -1);
	REFUSED(r.time_us = LOGREC_TIME_MAX + 1);
	REFUSED(r.rule_id[0] = '\0');
	REFUSED(r.rule_id[3] = ' ');
	REFUSED(memset(r.rule_id, 'a', sizeof(r.rule_id)));
	REFUSED(r.rule_id[sizeof(r.rule_id) - 1] = 'x');
	REFUSED(strcpy(r.zone_from, "Lan"));
	REFUSED(strcpy(r.zone_to, "9x"));
	REFUSED(r.family = 0);
	REFUSED(r.saddr[4] = 1);
	REFUSED(r.daddr[15] = 1);
	REFUSED(r.protocol = 1);     /* ports on ICMP */
	REFUSED(r.protocol = 47);    /* ports on GRE */
	REFUSED(r.has_icmp = true);  /* ports and ICMP */
	REFUSED(r.has_ports = false);/* ports kept without has_ports */
	REFUSED(r.src_mac[0] = 0, r.has_src_mac = false);
	REFUSED(r.in_ifindex = 0);   /* a name without an index */
	REFUSED(strcpy(r.out_ifname, "a/b"));
	REFUSED(memset(r.out_ifname, 'e', sizeof(r.out_ifname)));
#undef REFUSED
	r = icmp;
	r.family = AF_INET6; /* ICMP in IPv6 */
	memset(r.saddr, 0, 16);
	memset(r.daddr, 0, 16);
	assert_int_equal(logrec_format(&r, &line), -EINVAL);
	r = icmp;
	r.has_icmp = false;
	assert_int_equal(logrec_format(&r, &line), -EINVAL); /* type 8 left behind */
	assert_null(line);
}

/* ---- reading lines back ---------------------------------------------------- */

#define LINE_HEAD "{\"@timestamp\":\"2026-11-23T10:30:38.102841Z\",\"event.action\":\"permitted\","
#define LINE_RULE "\"rule.id\":\"lan>srv:http\","
#define LINE_NET "\"network.type\":\"ipv4\",\"network.iana_number\":\"6\","
#define LINE_ADDRS "\"source.ip\":\"10.0.1.2\",\"destination.ip\":\"10.0.2.2\","
#define LINE_TAIL "\"time_source\":\"kernel\",\"clock.synchronized\":true}"
#define LINE_MIN LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL

static int parse_str(const char *line, struct logrec *r)
{
	return logrec_parse(line, strlen(line), r);
}

/* LOG-25: the least a record has; in any key order; one final newline allowed. */
static void minimal_line_reads_back(void **state)
{
	struct logrec r;

	(void)state;
	assert_int_equal(parse_str(LINE_MIN, &r), 0);
	assert_int_equal(r.time_us, 1795429838102841);
	assert_true(r.permitted);
	assert_string_equal(r.rule_id, "lan>srv:http");
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.protocol, 6);
	assert_false(r.has_ports);
	assert_true(r.kernel_time);
	assert_true(r.clock_synced);
	assert_int_equal(r.in_ifindex, 0);
	assert_int_equal(parse_str(LINE_MIN "\n", &r), 0);
	assert_int_equal(parse_str("{\"clock.synchronized\":false,\"time_source\":\"receive\","
				   "\"destination.ip\":\"::\",\"source.ip\":\"fd00::1\","
				   "\"network.iana_number\":\"255\",\"network.type\":\"ipv6\","
				   "\"rule.id\":\"x\",\"event.action\":\"denied\","
				   "\"@timestamp\":\"1970-01-01T00:00:00.000000Z\"}",
				   &r),
			 0);
	assert_int_equal(r.family, AF_INET6);
	assert_int_equal(r.protocol, 255);
	assert_false(r.permitted);
	assert_false(r.kernel_time);
	assert_false(r.clock_synced);
	/* Not NUL-terminated: only @len bytes are read. */
	assert_int_equal(logrec_parse(LINE_MIN "garbage", strlen(LINE_MIN), &r), 0);
}

/* LOG-25: strict reading; every line here is refused, the output untouched. */
static void malformed_lines_are_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"{}",
		"[]",
		"\"x\"",
		" " LINE_MIN,
		LINE_MIN " ",
		LINE_MIN "\n\n",
		LINE_MIN "{}",
		"{" LINE_MIN "}",
		/* Missing required keys. */
		LINE_HEAD LINE_NET LINE_ADDRS LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_ADDRS LINE_TAIL,
		LINE_HEAD LINE_RULE "\"network.type\":\"ipv4\"," LINE_ADDRS LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET "\"source.ip\":\"10.0.1.2\"," LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"time_source\":\"kernel\"}",
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"clock.synchronized\":true}",
		"{\"event.action\":\"permitted\"," LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL,
		/* Unknown and repeated keys. */
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"extra\":1," LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"source.IP\":\"10.0.1.2\"," LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"source.ip\\u0000x\":\"1.2.3.4\"," LINE_TAIL,
		/* Time. */
		"{\"@timestamp\":\"2026-11-23T10:30:38Z\",\"event.action\":\"permitted\"," LINE_RULE
			LINE_NET LINE_ADDRS LINE_TAIL,
		"{\"@timestamp\":\"2026-11-23t10:30:38.102841Z\",\"event.action\":\"permitted\","
			LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL,
		"{\"@timestamp\":\"2026-11-23T10:30:38.102841+00:00\",\"event.action\":\"permitted\","
			LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL,
		"{\"@timestamp\":\"2027-02-29T00:00:00.000000Z\",\"event.action\":\"permitted\","
			LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL,
		"{\"@timestamp\":\"2100-02-29T00:00:00.000000Z\",\"event.action\":\"permitted\","
			LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL,
		"{\"@timestamp\":\"2026-13-01T00:00:00.000000Z\",\"event.action\":\"permitted\","
			LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL,
		"{\"@timestamp\":\"2026-04-31T00:00:00.000000Z\",\"event.action\":\"permitted\","
			LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL,
		"{\"@timestamp\":\"2026-01-01T24:00:00.000000Z\",\"event.action\":\"permitted\","
			LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL,
		"{\"@timestamp\":\"2026-01-01T00:00:60.000000Z\",\"event.action\":\"permitted\","
			LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL,
		"{\"@timestamp\":\"1969-12-31T23:59:59.999999Z\",\"event.action\":\"permitted\","
			LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL,
		"{\"@timestamp\":\"+026-01-01T00:00:00.000000Z\",\"event.action\":\"permitted\","
			LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL,
		"{\"@timestamp\":1795429838,\"event.action\":\"permitted\"," LINE_RULE LINE_NET
			LINE_ADDRS LINE_TAIL,
		/* Verdict, rule, zones. */
		"{\"@timestamp\":\"2026-11-23T10:30:38.102841Z\",\"event.action\":\"accepted\","
			LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL,
		"{\"@timestamp\":\"2026-11-23T10:30:38.102841Z\",\"event.action\":true,"
			LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL,
		LINE_HEAD "\"rule.id\":\"\"," LINE_NET LINE_ADDRS LINE_TAIL,
		LINE_HEAD "\"rule.id\":\"a b\"," LINE_NET LINE_ADDRS LINE_TAIL,
		LINE_HEAD "\"rule.id\":\"\\u00e9\"," LINE_NET LINE_ADDRS LINE_TAIL,
		LINE_HEAD "\"rule.id\":\"x\\u0000y\"," LINE_NET LINE_ADDRS LINE_TAIL,
		LINE_HEAD LINE_RULE "\"zone.from\":\"Lan\"," LINE_NET LINE_ADDRS LINE_TAIL,
		LINE_HEAD LINE_RULE "\"zone.to\":\"\"," LINE_NET LINE_ADDRS LINE_TAIL,
		LINE_HEAD LINE_RULE "\"zone.to\":null," LINE_NET LINE_ADDRS LINE_TAIL,
		/* Network type, protocol, addresses. */
		LINE_HEAD LINE_RULE "\"network.type\":\"IPv4\",\"network.iana_number\":\"6\","
			LINE_ADDRS LINE_TAIL,
		LINE_HEAD LINE_RULE "\"network.type\":\"ipv6\",\"network.iana_number\":\"6\","
			LINE_ADDRS LINE_TAIL,
		LINE_HEAD LINE_RULE "\"network.type\":\"ipv4\",\"network.iana_number\":6,"
			LINE_ADDRS LINE_TAIL,
		LINE_HEAD LINE_RULE "\"network.type\":\"ipv4\",\"network.iana_number\":\"06\","
			LINE_ADDRS LINE_TAIL,
		LINE_HEAD LINE_RULE "\"network.type\":\"ipv4\",\"network.iana_number\":\"256\","
			LINE_ADDRS LINE_TAIL,
		LINE_HEAD LINE_RULE "\"network.type\":\"ipv4\",\"network.iana_number\":\"-1\","
			LINE_ADDRS LINE_TAIL,
		LINE_HEAD LINE_RULE "\"network.type\":\"ipv4\",\"network.iana_number\":\"\","
			LINE_ADDRS LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET "\"source.ip\":\"010.0.1.2\",\"destination.ip\":\"10.0.2.2\","
			LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET "\"source.ip\":\"10.0.1.2 \",\"destination.ip\":\"10.0.2.2\","
			LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET "\"source.ip\":\"10.0.1.2\",\"destination.ip\":\"10.0.2\","
			LINE_TAIL,
		LINE_HEAD LINE_RULE "\"network.type\":\"ipv6\",\"network.iana_number\":\"6\","
			"\"source.ip\":\"FD00::1\",\"destination.ip\":\"::1\"," LINE_TAIL,
		LINE_HEAD LINE_RULE "\"network.type\":\"ipv6\",\"network.iana_number\":\"6\","
			"\"source.ip\":\"fd00:0::1\",\"destination.ip\":\"::1\"," LINE_TAIL,
		/* Ports and ICMP. */
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"source.port\":1," LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"destination.port\":1," LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"source.port\":1,\"destination.port\":65536,"
			LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"source.port\":-1,\"destination.port\":1,"
			LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"source.port\":1.0,\"destination.port\":1,"
			LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"source.port\":\"1\",\"destination.port\":1,"
			LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"icmp.type\":8,\"icmp.code\":0," LINE_TAIL,
		LINE_HEAD LINE_RULE "\"network.type\":\"ipv4\",\"network.iana_number\":\"1\","
			LINE_ADDRS "\"icmp.type\":8," LINE_TAIL,
		LINE_HEAD LINE_RULE "\"network.type\":\"ipv4\",\"network.iana_number\":\"1\","
			LINE_ADDRS "\"icmp.type\":256,\"icmp.code\":0," LINE_TAIL,
		LINE_HEAD LINE_RULE "\"network.type\":\"ipv4\",\"network.iana_number\":\"58\","
			LINE_ADDRS "\"icmp.type\":128,\"icmp.code\":0," LINE_TAIL,
		LINE_HEAD LINE_RULE "\"network.type\":\"ipv4\",\"network.iana_number\":\"1\","
			LINE_ADDRS "\"source.port\":1,\"destination.port\":1," LINE_TAIL,
		/* MAC. */
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"source.mac\":\"02-00-00-00-01-0g\"," LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"source.mac\":\"02-00-00-00-01-0a\"," LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"source.mac\":\"02:00:00:00:01:02\"," LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"source.mac\":\"02-00-00-00-01-020\"," LINE_TAIL,
		/* Interfaces. */
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"observer.ingress.interface.name\":\"gw0\","
			LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"observer.egress.interface.id\":\"0\"," LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"observer.egress.interface.id\":\"01\","
			LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"observer.egress.interface.id\":\"4294967296\","
			LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"observer.egress.interface.id\":3," LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"observer.egress.interface.id\":\"3\","
			"\"observer.egress.interface.name\":\"a/b\"," LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"observer.egress.interface.id\":\"3\","
			"\"observer.egress.interface.name\":\"sixteen-chars-ab\"," LINE_TAIL,
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"observer.egress.interface.id\":\"3\","
			"\"observer.egress.interface.name\":\"\"," LINE_TAIL,
		/* Time source and sync state. */
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"time_source\":\"ntp\",\"clock.synchronized\":true}",
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS "\"time_source\":\"kernel\",\"clock.synchronized\":1}",
		LINE_HEAD LINE_RULE LINE_NET LINE_ADDRS
			"\"time_source\":\"kernel\",\"clock.synchronized\":\"true\"}",
	};
	struct logrec r;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&r, 0x5a, sizeof(r));
		if (parse_str(bad[i], &r) != -EINVAL)
			fail_msg("line %zu was not refused: %s", i, bad[i]);
		assert_int_equal(r.family, 0x5a5a5a5a);
	}
}

/* Lines longer than LOGREC_LINE_MAX are refused before parsing. */
static void overlong_line_is_refused(void **state)
{
	struct text t;
	struct logrec r;
	char *line;

	(void)state;
	text_init(&t);
	text_addf(&t, "%s", LINE_MIN);
	line = text_done(&t);
	assert_int_equal(parse_str(line, &r), 0);
	free(line);
	/* JSON whitespace pads a valid line to the limit, then one byte past it. */
	text_init(&t);
	text_addf(&t, "{%*s%s", (int)(LOGREC_LINE_MAX - strlen(LINE_MIN)), "", &LINE_MIN[1]);
	line = text_done(&t);
	assert_int_equal(strlen(line), LOGREC_LINE_MAX);
	assert_int_equal(parse_str(line, &r), 0);
	free(line);
	text_init(&t);
	text_addf(&t, "{%*s%s", (int)(LOGREC_LINE_MAX + 1 - strlen(LINE_MIN)), "", &LINE_MIN[1]);
	line = text_done(&t);
	assert_int_equal(parse_str(line, &r), -EINVAL);
	free(line);
}

/* Every recorded capture: build, format, parse, format again: the same bytes. */
static void every_capture_round_trips(void **state)
{
	static const char *const names[] = {
		"lo_icmp_ping", "lo_tcp_syn",   "lo_udp",       "lo_icmpv6_ping", "lo_tcp6_denied",
		"in_icmp_ping", "fwd_tcp_dnat", "fwd_tcp_snat", "fwd_icmpv6_ping", "fwd_udp_snaplen",
		"fwd_udp_denied",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		struct logrec r = build_with(names[i], &ctx), back;
		char *line = format(&r), *again;

		assert_non_null(strchr(line, '}'));
		assert_null(strchr(line, '\n'));
		assert_int_equal(logrec_parse(line, strlen(line), &back), 0);
		assert_memory_equal(&back, &r, sizeof(r));
		again = format(&back);
		assert_string_equal(again, line);
		free(again);
		free(line);
	}
}

/*
 * logrec_parse() reads the canonical form itself and gives the rest to
 * jansson: a line written by logrec_format(), the same with white space, in
 * another key order or with an escape, all read to the same record, and a
 * broken one is refused either way (fuzz_logrec compares the two readers on
 * any bytes).
 */
static void both_readers_agree(void **state)
{
	static const char *const same[] = {
		LINE_MIN,
		/* white space */
		"{ \"@timestamp\": \"2026-11-23T10:30:38.102841Z\",\"event.action\":\"permitted\","
		LINE_RULE LINE_NET LINE_ADDRS LINE_TAIL,
		/* another key order */
		"{" LINE_RULE "\"@timestamp\":\"2026-11-23T10:30:38.102841Z\",\"event.action\":"
		"\"permitted\"," LINE_NET LINE_ADDRS LINE_TAIL,
		/* an escape */
		LINE_HEAD "\"rule.id\":\"lan\\u003esrv:http\"," LINE_NET LINE_ADDRS LINE_TAIL,
	};
	struct logrec want, a, b;
	size_t i;

	(void)state;
	assert_int_equal(logrec_parse_json(LINE_MIN, strlen(LINE_MIN), &want), 0);
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		if (logrec_parse(same[i], strlen(same[i]), &a) ||
		    logrec_parse_json(same[i], strlen(same[i]), &b))
			fail_msg("not read: %s", same[i]);
		assert_memory_equal(&a, &want, sizeof(a));
		assert_memory_equal(&b, &want, sizeof(b));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(permitted_forward_record_is_one_exact_line),
		cmocka_unit_test(denied_record_says_denied),
		cmocka_unit_test(dnat_record_names_the_internal_server),
		cmocka_unit_test(output_record_uses_the_receive_time),
		cmocka_unit_test(icmp_records_have_type_and_code_instead_of_ports),
		cmocka_unit_test(ipv6_denied_record),
		cmocka_unit_test(unsynchronised_clock_marks_the_record),
		cmocka_unit_test(unknown_names_leave_the_index_only),
		cmocka_unit_test(invalid_names_from_callbacks_are_left_out),
		cmocka_unit_test(prefix_is_parsed_strictly),
		cmocka_unit_test(foreign_or_missing_prefix_is_skipped),
		cmocka_unit_test(build_time_falls_back_and_is_bounded),
		cmocka_unit_test(time_boundaries_format_and_read_back),
		cmocka_unit_test(format_refuses_a_record_parse_would_refuse),
		cmocka_unit_test(minimal_line_reads_back),
		cmocka_unit_test(both_readers_agree),
		cmocka_unit_test(malformed_lines_are_refused),
		cmocka_unit_test(overlong_line_is_refused),
		cmocka_unit_test(every_capture_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

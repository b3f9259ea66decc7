/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of lib/ctattr (conntrack entries) and lib/natjoin (the
 * translated side of log records, NAT-5): real ctnetlink NEW events
 * recorded by tests/data/ct/capture.sh, the NFLOG records of
 * tests/data/nflog joined with them, and the hold's time and bounds.
 */
#include "helpers.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include "ctattr.h"
#include "logrec.h"
#include "natjoin.h"
#include "nflog.h"

#define HOLD 250000
#define EARLY 2000000

/* Netlink attribute headers, recorded little-endian, to this host's order. */
static void nla_to_host(uint8_t *b, size_t len)
{
	size_t off = 0;

	while (off + 4 <= len) {
		uint16_t alen = (uint16_t)(b[off] | b[off + 1] << 8);
		uint16_t type = (uint16_t)(b[off + 2] | b[off + 3] << 8);

		memcpy(b + off, &alen, 2);
		memcpy(b + off + 2, &type, 2);
		if (alen < 4 || alen > len - off)
			return;
		if (type & 0x8000) /* NLA_F_NESTED */
			nla_to_host(b + off + 4, alen - 4u);
		off += (alen + 3u) & ~3u;
	}
}

/* tests/data/ct/@name.bin in a buffer of exactly its size, headers in host order. */
static uint8_t *load_event(const char *name, size_t *ret_len)
{
	char path[4096];
	uint8_t tmp[4096], *b;
	uint32_t mlen;
	uint16_t mtype;
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/ct/%s.bin", source_dir(), name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	len = fread(tmp, 1, sizeof(tmp), f);
	fclose(f);
	assert_true(len > 20 && len < sizeof(tmp));
	mlen = (uint32_t)(tmp[0] | tmp[1] << 8 | tmp[2] << 16 | (uint32_t)tmp[3] << 24);
	mtype = (uint16_t)(tmp[4] | tmp[5] << 8);
	memcpy(tmp, &mlen, 4);
	memcpy(tmp + 4, &mtype, 2);
	nla_to_host(tmp + 20, len - 20);
	b = malloc(len);
	assert_non_null(b);
	memcpy(b, tmp, len);
	*ret_len = len;
	return b;
}

static struct ct_entry event(const char *name)
{
	struct ct_entry ct;
	size_t len, step = 0;
	uint8_t *b = load_event(name, &len);

	assert_int_equal(ct_decode_event(b, len, &ct, &step), 0);
	assert_int_equal(step, len);
	free(b);
	return ct;
}

static void assert_addr(const uint8_t *a, const char *want)
{
	char buf[INET6_ADDRSTRLEN];

	assert_non_null(inet_ntop(AF_INET, a, buf, sizeof(buf)));
	assert_string_equal(buf, want);
}

/* A record as the forward rule saw the packet (after DNAT, before SNAT). */
static struct logrec rec(uint8_t proto, const char *src, unsigned sport, const char *dst,
			 unsigned dport)
{
	struct logrec r;

	memset(&r, 0, sizeof(r));
	r.time_us = 1795429838102841;
	r.permitted = true;
	strcpy(r.rule_id, "lan>inet:web");
	r.family = AF_INET;
	r.protocol = proto;
	inet_pton(AF_INET, src, r.saddr);
	inet_pton(AF_INET, dst, r.daddr);
	if (proto == 6 || proto == 17) {
		r.has_ports = true;
		r.sport = (uint16_t)sport;
		r.dport = (uint16_t)dport;
	} else {
		r.has_icmp = true;
		r.icmp_type = 8;
	}
	return r;
}

static char *nat_line(const struct logrec *r)
{
	char *line = NULL;

	assert_int_equal(logrec_format(r, &line), 0);
	return line;
}

/* ---- lib/ctattr ---------------------------------------------------------- */

/* The recorded DNAT (10.0.1.1:8080 -> 10.0.2.2:80) and masquerade (to :40000). */
static void recorded_events_decode(void **state)
{
	struct ct_entry d = event("new_tcp_dnat"), s = event("new_tcp_snat"),
			i = event("new_icmp_snat");

	(void)state;
	assert_true(d.has_orig && d.has_reply && d.has_id && d.has_status);
	assert_int_equal(d.orig.family, AF_INET);
	assert_int_equal(d.orig.proto, 6);
	assert_addr(d.orig.src, "10.0.1.2");
	assert_addr(d.orig.dst, "10.0.1.1");
	assert_int_equal(d.orig.sport, 33333);
	assert_int_equal(d.orig.dport, 8080);
	assert_addr(d.reply.src, "10.0.2.2");
	assert_addr(d.reply.dst, "10.0.1.2");
	assert_int_equal(d.reply.sport, 80);
	assert_int_equal(d.reply.dport, 33333);
	assert_int_equal(d.id, 0x17152efd);
	assert_true(d.status & CT_STATUS_DST_NAT);
	assert_true(ct_has_dnat(&d));
	assert_false(ct_has_snat(&d));

	assert_addr(s.orig.src, "10.0.1.2");
	assert_int_equal(s.orig.sport, 33334);
	assert_addr(s.reply.dst, "10.0.2.1");
	assert_int_equal(s.reply.dport, 40000);
	assert_true(s.status & CT_STATUS_SRC_NAT);
	assert_true(ct_has_snat(&s));
	assert_false(ct_has_dnat(&s));

	/* ICMP: no ports (the echo id is not one), the address translated. */
	assert_int_equal(i.orig.proto, 1);
	assert_false(i.orig.has_ports);
	assert_addr(i.reply.dst, "10.0.2.1");
	assert_true(ct_has_snat(&i));
}

/* Every cut of a recorded message is refused or, cut between attributes, decodes less. */
static void truncated_and_malformed_events_are_refused(void **state)
{
	struct ct_entry ct;
	size_t len, step, cut;
	uint8_t *b = load_event("new_tcp_snat", &len), *c;
	uint32_t mlen;
	uint16_t type;

	(void)state;
	for (cut = 0; cut < len; cut++) {
		c = malloc(cut ? cut : 1);
		assert_non_null(c);
		memcpy(c, b, cut);
		/* The message's own length still says @len: never read past @cut. */
		assert_int_equal(ct_decode_event(c, cut, &ct, &step), -EINVAL);
		free(c);
	}
	/* Another message type of the subsystem: not ours, stepped over. */
	c = malloc(len);
	assert_non_null(c);
	memcpy(c, b, len);
	type = 1 << 8 | 2; /* IPCTNL_MSG_CT_DELETE */
	memcpy(c + 4, &type, 2);
	assert_int_equal(ct_decode_event(c, len, &ct, &step), -ENOENT);
	assert_int_equal(step, len);
	/* An attribute longer than the message. */
	memcpy(c, b, len);
	mlen = 0xffff;
	memcpy(c + 20, &mlen, 2);
	assert_int_equal(ct_decode_event(c, len, &ct, &step), -EINVAL);
	/* A repeated CTA_TUPLE_ORIG: the second tuple (the reply) renamed. */
	memcpy(c, b, len);
	type = 0x8001;
	memcpy(c + 20 + 52 + 2, &type, 2);
	assert_int_equal(ct_decode_event(c, len, &ct, &step), -EINVAL);
	/* A tuple with a source address only. */
	memcpy(c, b, len);
	type = 9; /* CTA_IP_V4_DST -> unknown, skipped */
	memcpy(c + 20 + 4 + 4 + 8 + 2, &type, 2);
	assert_int_equal(ct_decode_event(c, len, &ct, &step), -EINVAL);
	/* An IPv4 address of the wrong size. */
	memcpy(c, b, len);
	type = 3; /* CTA_IP_V6_SRC, 4 bytes long */
	memcpy(c + 20 + 4 + 4 + 2, &type, 2);
	assert_int_equal(ct_decode_event(c, len, &ct, &step), -EINVAL);
	free(c);
	free(b);
}

/* ---- lib/natjoin --------------------------------------------------------- */

/* NAT-5: SNAT's global address and port, from the event, in ECS's names. */
static void snat_record_gets_the_global_source(void **state)
{
	struct ct_entry s = event("new_tcp_snat");
	struct logrec r = rec(6, "10.0.1.2", 33334, "10.0.2.2", 81), back;
	char *line;

	(void)state;
	assert_true(natjoin_apply(&r, &s));
	assert_true(r.has_nat_src);
	assert_false(r.has_orig_dst);
	assert_addr(r.nat_saddr, "10.0.2.1");
	assert_int_equal(r.nat_sport, 40000);
	line = nat_line(&r);
	assert_non_null(strstr(line, "\"source.ip\":\"10.0.1.2\",\"source.port\":33334,"
				     "\"source.nat.ip\":\"10.0.2.1\",\"source.nat.port\":40000,"
				     "\"destination.ip\":\"10.0.2.2\",\"destination.port\":81,"
				     "\"time_source\""));
	assert_null(strstr(line, "destination.nat"));
	assert_int_equal(logrec_parse(line, strlen(line), &back), 0);
	assert_memory_equal(&back, &r, sizeof(r));
	assert_int_equal(logrec_parse_json(line, strlen(line), &back), 0);
	assert_memory_equal(&back, &r, sizeof(r));
	free(line);
}

/* NAT-5, ECS: destination.ip is the public address, destination.nat.ip the server. */
static void dnat_record_gets_the_public_destination(void **state)
{
	struct ct_entry d = event("new_tcp_dnat");
	struct logrec r = rec(6, "10.0.1.2", 33333, "10.0.2.2", 80), back;
	char *line;

	(void)state;
	assert_true(natjoin_apply(&r, &d));
	assert_true(r.has_orig_dst);
	assert_false(r.has_nat_src);
	assert_addr(r.daddr, "10.0.2.2"); /* the filter's view stays */
	assert_int_equal(r.dport, 80);
	assert_addr(r.orig_daddr, "10.0.1.1");
	assert_int_equal(r.orig_dport, 8080);
	line = nat_line(&r);
	assert_non_null(strstr(line, "\"source.ip\":\"10.0.1.2\",\"source.port\":33333,"
				     "\"destination.ip\":\"10.0.1.1\",\"destination.port\":8080,"
				     "\"destination.nat.ip\":\"10.0.2.2\","
				     "\"destination.nat.port\":80,\"time_source\""));
	assert_int_equal(logrec_parse(line, strlen(line), &back), 0);
	assert_memory_equal(&back, &r, sizeof(r));
	free(line);
}

/* Another connection's entry leaves the record as it is. */
static void other_connections_do_not_match(void **state)
{
	struct ct_entry s = event("new_tcp_snat"), d = event("new_tcp_dnat");
	struct logrec r = rec(6, "10.0.1.2", 33335, "10.0.2.2", 81), want = r;
	struct logrec u = rec(17, "10.0.1.2", 33334, "10.0.2.2", 81), uwant = u;
	struct logrec pub = rec(6, "10.0.1.2", 33333, "10.0.1.1", 8080), pwant = pub;

	(void)state;
	assert_false(natjoin_apply(&r, &s)); /* another source port */
	assert_memory_equal(&r, &want, sizeof(r));
	assert_false(natjoin_apply(&u, &s)); /* UDP, not TCP */
	assert_memory_equal(&u, &uwant, sizeof(u));
	/* The pre-DNAT view is not the filter's: it does not match. */
	assert_false(natjoin_apply(&pub, &d));
	assert_memory_equal(&pub, &pwant, sizeof(pub));
}

/* ICMP matches on addresses; the record gets the address, no port. */
static void icmp_record_gets_the_address_only(void **state)
{
	struct ct_entry i = event("new_icmp_snat");
	struct logrec r = rec(1, "10.0.1.2", 0, "10.0.2.2", 0);
	char *line;

	(void)state;
	assert_true(natjoin_apply(&r, &i));
	assert_true(r.has_nat_src);
	assert_int_equal(r.nat_sport, 0);
	line = nat_line(&r);
	assert_non_null(strstr(line, "\"source.nat.ip\":\"10.0.2.1\",\"destination.ip\""));
	assert_null(strstr(line, "source.nat.port"));
	free(line);
}

/* The event after the record: held, released with the nat fields when it comes. */
static void held_record_is_released_by_its_event(void **state)
{
	struct ct_entry s = event("new_tcp_snat");
	struct logrec r = rec(6, "10.0.1.2", 33334, "10.0.2.2", 81), out;
	struct natjoin_stats st;
	struct natjoin *j;

	(void)state;
	assert_int_equal(natjoin_new(4, HOLD, EARLY, &j), 0);
	assert_int_equal(natjoin_deadline(j), -1);
	assert_int_equal(natjoin_record(j, &r, 1000), 1);
	assert_int_equal(natjoin_deadline(j), 1000 + HOLD);
	assert_int_equal(natjoin_pop(j, 2000, &out), 0); /* not due yet */
	natjoin_event(j, &s, 3000);
	assert_int_equal(natjoin_deadline(j), 1000);
	assert_int_equal(natjoin_pop(j, 3000, &out), 1);
	assert_true(out.has_nat_src);
	assert_int_equal(out.nat_sport, 40000);
	assert_int_equal(natjoin_pop(j, 3000, &out), 0);
	natjoin_get_stats(j, &st);
	assert_int_equal(st.held, 1);
	assert_int_equal(st.joined, 1);
	assert_int_equal(st.expired, 0);
	assert_int_equal(st.events, 1);
	natjoin_free(j);
}

/* The event before the record: kept for the hold time, the record written at once. */
static void early_event_completes_the_record_at_once(void **state)
{
	struct ct_entry s = event("new_tcp_snat"), d = event("new_tcp_dnat");
	struct logrec r = rec(6, "10.0.1.2", 33334, "10.0.2.2", 81);
	struct logrec late = rec(6, "10.0.1.2", 33333, "10.0.2.2", 80);
	struct natjoin *j;

	(void)state;
	assert_int_equal(natjoin_new(4, HOLD, EARLY, &j), 0);
	natjoin_event(j, &s, 1000);
	natjoin_event(j, &d, 1000);
	assert_int_equal(natjoin_record(j, &r, 1000 + EARLY), 0);
	assert_true(r.has_nat_src);
	assert_int_equal(r.nat_sport, 40000);
	/* Taken once: the same connection again finds nothing and waits. */
	r = rec(6, "10.0.1.2", 33334, "10.0.2.2", 81);
	assert_int_equal(natjoin_record(j, &r, 1000 + EARLY), 1);
	/* Too old: the DNAT event is past its time. */
	assert_int_equal(natjoin_record(j, &late, 1001 + EARLY), 1);
	assert_false(late.has_orig_dst);
	natjoin_free(j);
}

/* Held records leave in order; the time up, without nat fields, counted. */
static void order_is_kept_and_expiry_is_counted(void **state)
{
	struct ct_entry s = event("new_tcp_snat");
	struct logrec a = rec(6, "10.0.1.9", 1111, "10.0.2.2", 81);
	struct logrec b = rec(6, "10.0.1.2", 33334, "10.0.2.2", 81), out;
	struct natjoin_stats st;
	struct natjoin *j;

	(void)state;
	assert_int_equal(natjoin_new(4, HOLD, EARLY, &j), 0);
	assert_int_equal(natjoin_record(j, &a, 1000), 1);
	assert_int_equal(natjoin_record(j, &b, 2000), 1);
	natjoin_event(j, &s, 3000); /* b's: b waits for a */
	assert_int_equal(natjoin_pop(j, 3000, &out), 0);
	assert_int_equal(natjoin_deadline(j), 1000 + HOLD);
	assert_int_equal(natjoin_pop(j, 1000 + HOLD, &out), 1);
	assert_int_equal(out.sport, 1111);
	assert_false(out.has_nat_src);
	assert_int_equal(natjoin_pop(j, 1000 + HOLD, &out), 1);
	assert_int_equal(out.sport, 33334);
	assert_true(out.has_nat_src);
	natjoin_get_stats(j, &st);
	assert_int_equal(st.held, 2);
	assert_int_equal(st.joined, 1);
	assert_int_equal(st.expired, 1);
	/* A record behind a held one waits even when its event came first. */
	natjoin_event(j, &s, 5000);
	a = rec(6, "10.0.1.9", 1111, "10.0.2.2", 81);
	b = rec(6, "10.0.1.2", 33334, "10.0.2.2", 81);
	assert_int_equal(natjoin_record(j, &a, 5000), 1);
	assert_int_equal(natjoin_record(j, &b, 5001), 1);
	assert_int_equal(natjoin_held(j), 2);
	/* Stopping: everything out at once, in order. */
	assert_int_equal(natjoin_flush(j, &out), 1);
	assert_int_equal(out.sport, 1111);
	assert_int_equal(natjoin_flush(j, &out), 1);
	assert_true(out.has_nat_src);
	assert_int_equal(natjoin_flush(j, &out), 0);
	natjoin_free(j);
}

/* Bounded: a full join writes the record at once, without nat fields, counted. */
static void full_join_does_not_hold(void **state)
{
	struct logrec r = rec(6, "10.0.1.2", 1, "10.0.2.2", 81);
	struct natjoin_stats st;
	struct natjoin *j;

	(void)state;
	assert_int_equal(natjoin_new(2, HOLD, EARLY, &j), 0);
	assert_int_equal(natjoin_record(j, &r, 1), 1);
	assert_int_equal(natjoin_record(j, &r, 2), 1);
	assert_int_equal(natjoin_record(j, &r, 3), 0);
	natjoin_get_stats(j, &st);
	assert_int_equal(st.overflow, 1);
	assert_int_equal(st.held, 3);
	natjoin_free(j);
}

/* Entries without a translation are not kept (every new connection sends one). */
static void untranslated_entries_are_ignored(void **state)
{
	struct ct_entry s = event("new_tcp_snat");
	struct logrec r = rec(6, "10.0.1.2", 33334, "10.0.2.2", 81);
	struct natjoin_stats st;
	struct natjoin *j;

	(void)state;
	memcpy(s.reply.dst, s.orig.src, 4);
	s.reply.dport = s.orig.sport;
	assert_false(ct_has_snat(&s));
	assert_int_equal(natjoin_new(2, HOLD, EARLY, &j), 0);
	natjoin_event(j, &s, 1);
	assert_int_equal(natjoin_record(j, &r, 2), 1);
	natjoin_get_stats(j, &st);
	assert_int_equal(st.events, 0);
	natjoin_free(j);
}

/* NFULA_CT (kernels with NETFILTER_NETLINK_GLUE_CT): the recorded entry, nested in a record. */
static void nflog_record_with_ct_decodes(void **state)
{
	char path[4096];
	uint8_t rec_b[4096], *b, *ev;
	size_t rlen, elen, off = 4, n;
	struct nflog_pkt p;
	struct logrec r;
	uint16_t alen, atype = 0x8000 | 18; /* NFULA_CT, nested */
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/data/nflog/fwd_tcp_dnat.bin", source_dir());
	f = fopen(path, "rb");
	assert_non_null(f);
	rlen = fread(rec_b, 1, sizeof(rec_b), f);
	fclose(f);
	/* TLV headers of the record to this host's order (recorded little-endian). */
	while (off + 4 <= rlen) {
		uint16_t l = (uint16_t)(rec_b[off] | rec_b[off + 1] << 8);
		uint16_t t = (uint16_t)(rec_b[off + 2] | rec_b[off + 3] << 8);

		memcpy(rec_b + off, &l, 2);
		memcpy(rec_b + off + 2, &t, 2);
		off += (l + 3u) & ~3u;
	}
	ev = load_event("new_tcp_dnat", &elen);
	/* The record (padded), then NFULA_CT holding the event's attributes. */
	n = (rlen + 3) & ~(size_t)3;
	b = calloc(1, n + 4 + elen - 20);
	assert_non_null(b);
	memcpy(b, rec_b, rlen);
	alen = (uint16_t)(4 + elen - 20);
	memcpy(b + n, &alen, 2);
	memcpy(b + n + 2, &atype, 2);
	memcpy(b + n + 4, ev + 20, elen - 20);
	assert_int_equal(nflog_decode(b, n + alen, &p), 0);
	assert_true(p.has_ct);
	assert_int_equal(p.ct.id, 0x17152efd);
	/* The entry completes a record of that connection. */
	r = rec(6, "10.0.1.2", 33333, "10.0.2.2", 80);
	assert_true(natjoin_apply(&r, &p.ct));
	assert_true(r.has_orig_dst);
	/* A broken entry costs the entry, not the record. */
	b[n + 4] = 2; /* the first nested attribute's length below its header */
	b[n + 5] = 0;
	assert_int_equal(nflog_decode(b, n + alen, &p), 0);
	assert_false(p.has_ct);
	assert_true(p.ct_invalid);
	free(b);
	free(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(recorded_events_decode),
		cmocka_unit_test(truncated_and_malformed_events_are_refused),
		cmocka_unit_test(snat_record_gets_the_global_source),
		cmocka_unit_test(dnat_record_gets_the_public_destination),
		cmocka_unit_test(other_connections_do_not_match),
		cmocka_unit_test(icmp_record_gets_the_address_only),
		cmocka_unit_test(held_record_is_released_by_its_event),
		cmocka_unit_test(early_event_completes_the_record_at_once),
		cmocka_unit_test(order_is_kept_and_expiry_is_counted),
		cmocka_unit_test(full_join_does_not_hold),
		cmocka_unit_test(untranslated_entries_are_ignored),
		cmocka_unit_test(nflog_record_with_ct_decodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

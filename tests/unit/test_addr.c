/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of lib/addr.c: prefixes, address classes, ranges, MAC addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "addr.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static struct prefix P(const char *s)
{
	struct prefix p;

	if (prefix_parse(s, &p))
		fail_msg("test prefix '%s' does not parse", s);
	return p;
}

static void assert_prefix_text(const struct prefix *p, const char *want)
{
	char buf[PREFIX_STRLEN];

	prefix_format(p, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void assert_range_text(const struct addr_range *r, const char *want)
{
	char buf[2 * PREFIX_STRLEN];

	range_format(r, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/* ---- parsing ---------------------------------------------------------- */

/* ZONE-15 */
static void ipv4_prefix_is_parsed(void **state)
{
	static const uint8_t want[4] = { 10, 1, 0, 0 };
	struct prefix p;

	(void)state;
	assert_int_equal(prefix_parse("10.1.0.0/16", &p), 0);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.len, 16);
	assert_memory_equal(p.a, want, 4);
	assert_prefix_text(&p, "10.1.0.0/16");
}

/* ZONE-15 */
static void ipv4_address_without_length_is_a_host_prefix(void **state)
{
	struct prefix p;

	(void)state;
	assert_int_equal(prefix_parse("192.0.2.7", &p), 0);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.len, 32);
	assert_prefix_text(&p, "192.0.2.7"); /* "/32" omitted */
	assert_int_equal(prefix_parse("0.0.0.0/0", &p), 0);
	assert_int_equal(p.len, 0);
	assert_prefix_text(&p, "0.0.0.0/0");
}

/* ZONE-15, C-28 */
static void ipv6_prefix_is_parsed(void **state)
{
	struct prefix p;

	(void)state;
	assert_int_equal(prefix_parse("2001:db8::/32", &p), 0);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.len, 32);
	assert_int_equal(p.a[0], 0x20);
	assert_int_equal(p.a[1], 0x01);
	assert_int_equal(p.a[2], 0x0d);
	assert_int_equal(p.a[3], 0xb8);
	assert_prefix_text(&p, "2001:db8::/32");
	assert_int_equal(prefix_parse("fd00:0:0:0::1", &p), 0);
	assert_int_equal(p.len, 128);
	assert_prefix_text(&p, "fd00::1"); /* canonical, "/128" omitted */
}

/* ZONE-15: host bits set are a typo more often than intended. */
static void prefix_with_host_bits_set_is_refused(void **state)
{
	struct prefix p;

	(void)state;
	memset(&p, 0xa5, sizeof(p));
	assert_int_equal(prefix_parse("10.1.0.1/16", &p), -EINVAL);
	assert_int_equal(p.len, 0xa5a5a5a5u); /* untouched on failure */
	assert_int_equal(prefix_parse("10.1.128.0/17", &p), 0);
	assert_int_equal(prefix_parse("10.1.128.0/16", &p), -EINVAL);
	assert_int_equal(prefix_parse("10.0.0.1/31", &p), -EINVAL);
	assert_int_equal(prefix_parse("2001:db8::1/64", &p), -EINVAL);
	assert_int_equal(prefix_parse("2001:db8:0:0:8000::/65", &p), 0);
	assert_int_equal(prefix_parse("2001:db8:0:0:8000::/64", &p), -EINVAL);
}

/* ZONE-15 */
static void prefix_with_bad_length_is_refused(void **state)
{
	static const char *const bad[] = {
		"10.0.0.0/33", "10.0.0.0/",   "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/ 8",
		"10.0.0.0/8x", "10.0.0.0/8/8", "::/129",     "::/1000",     "10.0.0.0/99999999999999999999",
	};
	struct prefix p;
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(bad); i++)
		if (prefix_parse(bad[i], &p) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	assert_int_equal(prefix_parse("10.0.0.0/8", &p), 0);
	assert_int_equal(prefix_parse("::/128", &p), 0);
	assert_int_equal(prefix_parse("::/0", &p), 0);
}

/* ZONE-15 */
static void malformed_address_is_refused(void **state)
{
	static const char *const bad[] = {
		"",	     "10.1.0",	    "256.1.1.1",	"10.1.0.0.0", "10.1.0.0 ",
		" 10.1.0.0", "10.1.0.x/16", "2001:db8:::1", "fe80::1%eth0", "gateway",
		"10.1.0.0/16 ",
	};
	struct prefix p;
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(bad); i++)
		if (prefix_parse(bad[i], &p) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
}

/* ---- overlap, containment, order ---------------------------------------- */

/* ZONE-6 */
static void prefixes_overlap_when_one_holds_part_of_the_other(void **state)
{
	struct prefix a = P("10.0.0.0/8"), b = P("10.1.0.0/16"), c = P("11.0.0.0/8"),
		      d = P("10.1.2.3"), six = P("::a01:0/120");

	(void)state;
	assert_true(prefix_overlaps(&a, &b));
	assert_true(prefix_overlaps(&b, &a));
	assert_true(prefix_overlaps(&a, &a));
	assert_true(prefix_overlaps(&b, &d));
	assert_false(prefix_overlaps(&a, &c));
	assert_false(prefix_overlaps(&c, &d));
	/* Families never overlap, even with equal bits. */
	assert_false(prefix_overlaps(&a, &six));
}

/* ZONE-6 */
static void prefix_contains_only_what_it_covers_whole(void **state)
{
	struct prefix a = P("10.0.0.0/8"), b = P("10.1.0.0/16"), d = P("10.1.2.3"),
		      all = P("0.0.0.0/0"), six = P("::/0");

	(void)state;
	assert_true(prefix_contains(&a, &b));
	assert_false(prefix_contains(&b, &a));
	assert_true(prefix_contains(&a, &a));
	assert_true(prefix_contains(&b, &d));
	assert_true(prefix_contains(&all, &d));
	assert_false(prefix_contains(&six, &d));
	assert_true(prefix_contains(&six, &six));
}

/* CHG-1: a canonical order (family, address, length) keeps renderings stable. */
static void prefixes_order_by_family_address_and_length(void **state)
{
	struct prefix a = P("10.0.0.0/8"), b = P("10.0.0.0/16"), c = P("10.1.0.0/16"),
		      d = P("9.255.0.0/16"), v6 = P("::/0");

	(void)state;
	assert_true(prefix_cmp(&a, &b) < 0);
	assert_true(prefix_cmp(&b, &a) > 0);
	assert_true(prefix_cmp(&b, &c) < 0);
	assert_true(prefix_cmp(&d, &a) < 0);
	assert_int_equal(prefix_cmp(&c, &c), 0);
	assert_true(prefix_cmp(&a, &v6) < 0); /* AF_INET before AF_INET6 */
}

/* ---- classes ------------------------------------------------------------ */

/* ZONE-15, C-28 */
static void private_ranges_are_private(void **state)
{
	static const char *const priv[] = {
		"10.0.0.0/8",	  "10.255.255.255", "172.16.0.0/12", "172.31.255.0/24",
		"192.168.0.0/16", "192.168.1.1",    "fc00::/7",	     "fd12:3456::/48",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(priv); i++) {
		struct prefix p = P(priv[i]);

		if (!prefix_is_private(&p) || prefix_is_global(&p) || prefix_is_special(&p))
			fail_msg("'%s' is not classified private", priv[i]);
	}
}

/* ZONE-15, NAT-2 */
static void global_addresses_are_global(void **state)
{
	static const char *const glob[] = {
		"8.8.8.8", "203.0.113.0/24", "172.32.0.0/16", "172.15.255.255", "192.169.0.0/16",
		"11.0.0.0/8", "1.0.0.0/8", "2a00:1450::/32",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(glob); i++) {
		struct prefix p = P(glob[i]);

		if (!prefix_is_global(&p) || prefix_is_private(&p) || prefix_is_special(&p))
			fail_msg("'%s' is not classified global", glob[i]);
	}
}

/* NAT-4 */
static void special_ranges_are_never_sources_from_the_internet(void **state)
{
	static const char *const spec[] = {
		"0.0.0.0/8",	  "127.0.0.1",	 "169.254.10.0/24", "100.64.0.0/10", "100.127.0.1",
		"192.0.0.0/24",	  "224.0.0.1",	 "239.255.255.250", "240.0.0.0/4",   "255.255.255.255",
		"::",		  "::1",	 "fe80::/10",	    "ff02::1",	     "::ffff:10.0.0.1",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(spec); i++) {
		struct prefix p = P(spec[i]);

		if (!prefix_is_special(&p) || prefix_is_global(&p))
			fail_msg("'%s' is not classified special", spec[i]);
	}
}

/*
 * ZONE-15: a prefix that only partly lies in private space (192.160.0.0/11
 * holds 192.168.0.0/16 and a lot of global space) is neither private (a LAN
 * zone may not use it) nor global (the global zone may not either).
 */
static void prefix_mixing_private_and_global_space_is_neither(void **state)
{
	static const char *const mixed[] = { "192.160.0.0/11", "8.0.0.0/6", "172.0.0.0/8",
					     "fc00::/6" };
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(mixed); i++) {
		struct prefix p = P(mixed[i]);

		if (prefix_is_private(&p))
			fail_msg("'%s' is classified private, but holds global addresses", mixed[i]);
		if (prefix_is_global(&p))
			fail_msg("'%s' is classified global, but holds private addresses", mixed[i]);
	}
}

/* NAT-4 */
static void bogon_list_holds_private_and_special_ranges(void **state)
{
	struct prefix out[PREFIX_BOGONS_MAX];
	static const char *const want4[] = { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
					     "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4",
					     "100.64.0.0/10", "0.0.0.0/8" };
	/* Link-local and "::" are on-link traffic (neighbour discovery), not spoofing. */
	static const char *const want6[] = { "fc00::/7", "ff00::/8", "::1" };
	size_t n, i, k;

	(void)state;
	n = prefix_bogons(AF_INET, out);
	assert_true(n > 0 && n <= PREFIX_BOGONS_MAX);
	for (k = 0; k < n; k++)
		assert_int_equal(out[k].family, AF_INET);
	for (i = 0; i < N_OF(want4); i++) {
		struct prefix w = P(want4[i]);
		bool found = false;

		for (k = 0; k < n; k++)
			found |= prefix_contains(&out[k], &w);
		if (!found)
			fail_msg("IPv4 bogons miss %s", want4[i]);
	}
	n = prefix_bogons(AF_INET6, out);
	assert_true(n > 0 && n <= PREFIX_BOGONS_MAX);
	for (i = 0; i < N_OF(want6); i++) {
		struct prefix w = P(want6[i]);
		bool found = false;

		for (k = 0; k < n; k++)
			found |= out[k].family == AF_INET6 && prefix_contains(&out[k], &w);
		if (!found)
			fail_msg("IPv6 bogons miss %s", want6[i]);
	}
}

/* ---- ranges ------------------------------------------------------------- */

/* NAT-4, WAN-13: interval sets need sorted, disjoint ranges. */
static void merge_joins_overlapping_prefixes(void **state)
{
	struct prefix in[] = { P("10.1.0.0/16"), P("10.0.0.0/8"), P("10.200.3.0/24") };
	struct addr_range out[N_OF(in)];

	(void)state;
	assert_int_equal(prefix_merge(in, N_OF(in), AF_INET, out), 1);
	assert_range_text(&out[0], "10.0.0.0/8");
}

/* NAT-4, WAN-13 */
static void merge_joins_adjacent_prefixes(void **state)
{
	struct prefix in[] = { P("10.0.0.128/25"), P("10.0.0.0/25"), P("10.0.1.0/24") };
	struct addr_range out[N_OF(in)];

	(void)state;
	assert_int_equal(prefix_merge(in, 2, AF_INET, out), 1);
	assert_range_text(&out[0], "10.0.0.0/24");
	assert_int_equal(prefix_merge(in, 3, AF_INET, out), 1);
	assert_range_text(&out[0], "10.0.0.0/23");
}

/* NAT-4, WAN-13 */
static void merge_keeps_disjoint_prefixes_apart_and_sorted(void **state)
{
	struct prefix in[] = { P("192.168.0.0/16"), P("10.0.0.0/8"), P("10.40.1.25"),
			       P("172.16.0.0/12"), P("10.0.0.0/8") };
	struct addr_range out[N_OF(in)];

	(void)state;
	assert_int_equal(prefix_merge(in, N_OF(in), AF_INET, out), 3);
	assert_range_text(&out[0], "10.0.0.0/8");
	assert_range_text(&out[1], "172.16.0.0/12");
	assert_range_text(&out[2], "192.168.0.0/16");
}

/* NAT-4 */
static void merge_takes_only_the_requested_family(void **state)
{
	struct prefix in[] = { P("10.0.0.0/8"), P("fd00::/8"), P("fe80::/10"),
			       P("fc00::/8") };
	struct addr_range out[N_OF(in)];

	(void)state;
	assert_int_equal(prefix_merge(in, N_OF(in), AF_INET, out), 1);
	assert_int_equal(out[0].family, AF_INET);
	assert_int_equal(prefix_merge(in, N_OF(in), AF_INET6, out), 2);
	assert_range_text(&out[0], "fc00::/7");
	assert_range_text(&out[1], "fe80::/10");
	assert_int_equal(prefix_merge(in, 0, AF_INET, out), 0);
}

/* NAT-4: the top of the address space does not wrap around to zero. */
static void merge_does_not_wrap_at_the_end_of_the_address_space(void **state)
{
	struct prefix in[] = { P("255.255.255.0/24"), P("0.0.0.0/8") };
	struct prefix in6[] = { P("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120"), P("::/8") };
	struct addr_range out[2];

	(void)state;
	assert_int_equal(prefix_merge(in, 2, AF_INET, out), 2);
	assert_range_text(&out[0], "0.0.0.0/8");
	assert_range_text(&out[1], "255.255.255.0/24");
	assert_int_equal(prefix_merge(in6, 2, AF_INET6, out), 2);
}

/* WAN-13 */
static void range_is_written_as_prefix_when_it_is_one(void **state)
{
	struct prefix in[] = { P("10.0.0.0/24"), P("10.0.1.0/25"), P("10.40.1.25"),
			       P("2001:db8::/33"), P("2001:db8:8000::/33") };
	struct addr_range r, two[2];

	(void)state;
	range_from_prefix(&in[0], &r);
	assert_range_text(&r, "10.0.0.0/24");
	range_from_prefix(&in[2], &r);
	assert_range_text(&r, "10.40.1.25");
	assert_int_equal(prefix_merge(in, 2, AF_INET, two), 1);
	assert_range_text(&two[0], "10.0.0.0-10.0.1.127");
	{
		struct addr_range out[5];

		assert_int_equal(prefix_merge(in, 5, AF_INET6, out), 1);
		assert_range_text(&out[0], "2001:db8::/32");
	}
}

/* WAN-13 */
static void range_that_is_no_prefix_is_written_lo_hi(void **state)
{
	struct addr_range r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	inet_pton(AF_INET, "10.0.0.1", r.lo);
	inet_pton(AF_INET, "10.0.0.9", r.hi);
	assert_range_text(&r, "10.0.0.1-10.0.0.9");
	inet_pton(AF_INET, "10.0.0.0", r.lo);
	inet_pton(AF_INET, "10.0.0.255", r.hi);
	assert_range_text(&r, "10.0.0.0/24");
	inet_pton(AF_INET, "10.0.0.1", r.lo);
	inet_pton(AF_INET, "10.0.0.2", r.hi);
	assert_range_text(&r, "10.0.0.1-10.0.0.2");
	memset(r.lo, 0, 4);
	memset(r.hi, 0xff, 4);
	assert_range_text(&r, "0.0.0.0/0");
}

/* ---- MAC addresses -------------------------------------------------------- */

/* LANREQ-43 */
static void mac_address_is_parsed_in_either_case(void **state)
{
	static const uint8_t want1[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t want2[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	uint8_t mac[6];

	(void)state;
	assert_int_equal(mac_parse("02:00:00:00:00:01", mac), 0);
	assert_memory_equal(mac, want1, 6);
	assert_int_equal(mac_parse("AA:bb:CC:dd:EE:ff", mac), 0);
	assert_memory_equal(mac, want2, 6);
}

/* LANREQ-43 */
static void malformed_mac_address_is_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"02:00:00:00:00",
		"02:00:00:00:00:01:",
		"02:00:00:00:00:01:02",
		"02-00-00-00-00-01",
		"0200.0000.0001",
		"02:00:00:00:00:0g",
		"2:00:00:00:00:001",
		"02:00:00:00:0:001",
		"02:00:00:00:00:1 ",
	};
	uint8_t mac[6];
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(bad); i++)
		if (mac_parse(bad[i], mac) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
}

/* LANREQ-43: every octet is exactly two hex digits; no signs, no blanks. */
static void mac_address_with_signs_or_blanks_is_refused(void **state)
{
	static const char *const bad[] = {
		"+2:00:00:00:00:01",
		" 2:00:00:00:00:01",
		"-1:00:00:00:00:01",
		"02:+0:00:00:00:01",
	};
	uint8_t mac[6];
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(bad); i++)
		if (mac_parse(bad[i], mac) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4_prefix_is_parsed),
		cmocka_unit_test(ipv4_address_without_length_is_a_host_prefix),
		cmocka_unit_test(ipv6_prefix_is_parsed),
		cmocka_unit_test(prefix_with_host_bits_set_is_refused),
		cmocka_unit_test(prefix_with_bad_length_is_refused),
		cmocka_unit_test(malformed_address_is_refused),
		cmocka_unit_test(prefixes_overlap_when_one_holds_part_of_the_other),
		cmocka_unit_test(prefix_contains_only_what_it_covers_whole),
		cmocka_unit_test(prefixes_order_by_family_address_and_length),
		cmocka_unit_test(private_ranges_are_private),
		cmocka_unit_test(global_addresses_are_global),
		cmocka_unit_test(special_ranges_are_never_sources_from_the_internet),
		cmocka_unit_test(prefix_mixing_private_and_global_space_is_neither),
		cmocka_unit_test(bogon_list_holds_private_and_special_ranges),
		cmocka_unit_test(merge_joins_overlapping_prefixes),
		cmocka_unit_test(merge_joins_adjacent_prefixes),
		cmocka_unit_test(merge_keeps_disjoint_prefixes_apart_and_sorted),
		cmocka_unit_test(merge_takes_only_the_requested_family),
		cmocka_unit_test(merge_does_not_wrap_at_the_end_of_the_address_space),
		cmocka_unit_test(range_is_written_as_prefix_when_it_is_one),
		cmocka_unit_test(range_that_is_no_prefix_is_written_lo_hi),
		cmocka_unit_test(mac_address_is_parsed_in_either_case),
		cmocka_unit_test(malformed_mac_address_is_refused),
		cmocka_unit_test(mac_address_with_signs_or_blanks_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

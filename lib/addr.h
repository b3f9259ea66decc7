/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4/IPv6 prefixes and MAC addresses: parsing, classes (ZONE-15, NAT-4), ranges. */
#ifndef GW_ADDR_H
#define GW_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prefix {
	int family;     /* AF_INET or AF_INET6 */
	uint8_t a[16];  /* network byte order; v4 uses a[0..3] */
	unsigned len;   /* prefix length */
};

#define PREFIX_STRLEN 64

/*
 * Parses "a.b.c.d[/n]" or "x::y[/n]". A prefix whose host bits are set is
 * refused (a typo more often than intended). Returns 0 or -EINVAL.
 */
int prefix_parse(const char *s, struct prefix *ret);
/* Writes the canonical text form ("10.1.0.0/16"; "/32" and "/128" omitted). */
void prefix_format(const struct prefix *p, char *buf, size_t len);
bool prefix_overlaps(const struct prefix *a, const struct prefix *b);
/* True when @outer contains all of @inner. */
bool prefix_contains(const struct prefix *outer, const struct prefix *inner);
/* Orders by family, address, then length. */
int prefix_cmp(const struct prefix *a, const struct prefix *b);

/* Wholly inside RFC 1918 (v4) or ULA fc00::/7 (v6): the "private" of ZONE-15, C-28. */
bool prefix_is_private(const struct prefix *p);
/*
 * Never a valid source from the internet (NAT-4): "this network", loopback,
 * link-local, shared CGN space, multicast, reserved; v6 likewise.
 */
bool prefix_is_special(const struct prefix *p);
/* Touches no private and no special range: global (ZONE-15, NAT-2). */
bool prefix_is_global(const struct prefix *p);

/*
 * Writes the fixed list of special and private ranges of @family for
 * anti-spoofing (NAT-4) to @out (room for PREFIX_BOGONS_MAX); returns the count.
 */
#define PREFIX_BOGONS_MAX 16
size_t prefix_bogons(int family, struct prefix *out);

/*
 * An inclusive address range of one family, for interval sets. Merging a
 * list of prefixes into sorted, disjoint ranges is what the kernel requires.
 */
struct addr_range {
	int family;
	uint8_t lo[16], hi[16];
};
/* The range a prefix covers. */
void range_from_prefix(const struct prefix *p, struct addr_range *ret);
/* Merges @n prefixes of @family into ranges written to @out (capacity n). */
size_t prefix_merge(const struct prefix *in, size_t n, int family, struct addr_range *out);
/* "10.0.0.0/8" when the range is one prefix, "10.0.0.1-10.0.0.9" otherwise. */
void range_format(const struct addr_range *r, char *buf, size_t len);

/* MAC address "02:00:00:00:00:01" (case-insensitive). 0 or -EINVAL. */
int mac_parse(const char *s, uint8_t ret[6]);

#endif

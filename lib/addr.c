/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Address parsing and classification. Uses inet_pton/ntop only: no I/O. */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_N(a) (sizeof(a) / sizeof((a)[0]))

static unsigned family_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

int prefix_parse(const char *s, struct prefix *ret)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	struct prefix p;
	unsigned i, bits;
	long len;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	memset(&p, 0, sizeof(p));
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, p.a) == 1)
		p.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, p.a) == 1)
		p.family = AF_INET6;
	else
		return -EINVAL;
	bits = family_bits(p.family);
	if (slash) {
		if (!*slash || *slash == '-' || *slash == '+' || *slash == ' ')
			return -EINVAL;
		errno = 0;
		len = strtol(slash, &end, 10);
		if (errno || *end || len < 0 || (unsigned long)len > bits)
			return -EINVAL;
		p.len = (unsigned)len;
	} else {
		p.len = bits;
	}
	for (i = p.len; i < bits; i++)
		if (p.a[i / 8] & (0x80 >> (i % 8)))
			return -EINVAL;
	*ret = p;
	return 0;
}

void prefix_format(const struct prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->a, a, sizeof(a));
	if (p->len == family_bits(p->family))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, p->len);
}

static bool bits_equal(const uint8_t *a, const uint8_t *b, unsigned n)
{
	unsigned full = n / 8, rest = n % 8;

	if (memcmp(a, b, full))
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));

		return (a[full] & m) == (b[full] & m);
	}
	return true;
}

bool prefix_overlaps(const struct prefix *a, const struct prefix *b)
{
	if (a->family != b->family)
		return false;
	return bits_equal(a->a, b->a, a->len < b->len ? a->len : b->len);
}

bool prefix_contains(const struct prefix *outer, const struct prefix *inner)
{
	return outer->family == inner->family && outer->len <= inner->len &&
	       bits_equal(outer->a, inner->a, outer->len);
}

int prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->a, b->a, 16);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

struct named_prefix {
	const char *text;
	struct prefix p;
};

static const char *const private4[] = { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16" };
static const char *const private6[] = { "fc00::/7" };
static const char *const special4[] = {
	"0.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
	"192.0.0.0/24", "224.0.0.0/4", "240.0.0.0/4",
};
/*
 * "::" and link-local sources are on-link traffic, legitimate on every
 * interface (duplicate address detection, neighbour discovery) and never
 * forwarded: they are not "special" for zone networks' sake nor spoofed.
 */
static const char *const special6[] = {
	"::1/128", "::ffff:0:0/96", "64:ff9b:1::/48", "100::/64", "ff00::/8",
};
/* Never a zone network (but on-link traffic uses them, see above). */
static const char *const link6[] = { "::/128", "fe80::/10" };

/*
 * Parsed once per call; the lists are tiny and the core keeps no state.
 * @inside: true when @p must lie wholly inside a listed range, false when
 * touching one is enough.
 */
static bool in_list(const struct prefix *p, const char *const *list, size_t n, bool inside)
{
	struct prefix q;
	size_t i;

	for (i = 0; i < n; i++) {
		if (prefix_parse(list[i], &q) || q.family != p->family)
			continue;
		if (inside ? prefix_contains(&q, p) : prefix_overlaps(&q, p))
			return true;
	}
	return false;
}

bool prefix_is_private(const struct prefix *p)
{
	if (p->family == AF_INET)
		return in_list(p, private4, ARRAY_N(private4), true);
	return in_list(p, private6, ARRAY_N(private6), true);
}

bool prefix_is_special(const struct prefix *p)
{
	if (p->family == AF_INET)
		return in_list(p, special4, ARRAY_N(special4), false);
	return in_list(p, special6, ARRAY_N(special6), false) ||
	       in_list(p, link6, ARRAY_N(link6), false);
}

bool prefix_is_global(const struct prefix *p)
{
	if (p->family == AF_INET)
		return !in_list(p, private4, ARRAY_N(private4), false) && !prefix_is_special(p);
	return !in_list(p, private6, ARRAY_N(private6), false) && !prefix_is_special(p);
}

size_t prefix_bogons(int family, struct prefix *out)
{
	const char *const *a = family == AF_INET ? private4 : private6;
	const char *const *b = family == AF_INET ? special4 : special6;
	size_t na = family == AF_INET ? ARRAY_N(private4) : ARRAY_N(private6);
	size_t nb = family == AF_INET ? ARRAY_N(special4) : ARRAY_N(special6);
	size_t i;

	for (i = 0; i < na; i++)
		prefix_parse(a[i], &out[i]);
	for (i = 0; i < nb; i++)
		prefix_parse(b[i], &out[na + i]);
	return na + nb;
}

static void prefix_bounds(const struct prefix *p, uint8_t lo[16], uint8_t hi[16])
{
	unsigned i, bits = family_bits(p->family);

	memcpy(lo, p->a, 16);
	memcpy(hi, p->a, 16);
	for (i = p->len; i < bits; i++)
		hi[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

void range_from_prefix(const struct prefix *p, struct addr_range *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->family = p->family;
	prefix_bounds(p, ret->lo, ret->hi);
}

static int range_cmp(const void *pa, const void *pb)
{
	const struct addr_range *a = pa, *b = pb;

	return memcmp(a->lo, b->lo, 16);
}

/* True if b == a + 1 (adjacent ranges merge). */
static bool is_next(const uint8_t *a, const uint8_t *b, unsigned nbytes)
{
	uint8_t t[16];
	int i;

	memcpy(t, a, 16);
	for (i = (int)nbytes - 1; i >= 0; i--) {
		if (++t[i] != 0)
			break;
		if (i == 0)
			return false; /* overflow */
	}
	return memcmp(t, b, nbytes) == 0;
}

size_t prefix_merge(const struct prefix *in, size_t n, int family, struct addr_range *out)
{
	unsigned nbytes = family == AF_INET ? 4 : 16;
	size_t i, m = 0, k = 0;

	for (i = 0; i < n; i++) {
		if (in[i].family != family)
			continue;
		memset(&out[m], 0, sizeof(out[m]));
		out[m].family = family;
		prefix_bounds(&in[i], out[m].lo, out[m].hi);
		m++;
	}
	if (m == 0)
		return 0;
	qsort(out, m, sizeof(*out), range_cmp);
	for (i = 1; i < m; i++) {
		if (memcmp(out[i].lo, out[k].hi, nbytes) <= 0 ||
		    is_next(out[k].hi, out[i].lo, nbytes)) {
			if (memcmp(out[i].hi, out[k].hi, nbytes) > 0)
				memcpy(out[k].hi, out[i].hi, 16);
		} else {
			out[++k] = out[i];
		}
	}
	return k + 1;
}

void range_format(const struct addr_range *r, char *buf, size_t len)
{
	unsigned bits = family_bits(r->family), plen;
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	struct prefix p;

	/* Is [lo, hi] exactly one prefix? Find the longest common prefix. */
	for (plen = 0; plen < bits; plen++) {
		uint8_t m = (uint8_t)(0x80 >> (plen % 8));

		if ((r->lo[plen / 8] & m) != (r->hi[plen / 8] & m))
			break;
	}
	memset(&p, 0, sizeof(p));
	p.family = r->family;
	p.len = plen;
	memcpy(p.a, r->lo, 16);
	{
		uint8_t lo2[16], hi2[16];

		prefix_bounds(&p, lo2, hi2);
		if (!memcmp(lo2, r->lo, 16) && !memcmp(hi2, r->hi, 16)) {
			prefix_format(&p, buf, len);
			return;
		}
	}
	inet_ntop(r->family, r->lo, lo, sizeof(lo));
	inet_ntop(r->family, r->hi, hi, sizeof(hi));
	snprintf(buf, len, "%s-%s", lo, hi);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mac_parse(const char *s, uint8_t ret[6])
{
	uint8_t v[6];
	int i;

	/* Exactly "xx:xx:xx:xx:xx:xx": no signs, blanks or short octets. */
	if (strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		int hi = hexval(s[i * 3]), lo = hexval(s[i * 3 + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
			return -EINVAL;
		v[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(ret, v, 6);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Firewall log records: built from NFLOG, written and read as JSON lines (logrec.h). */
#include "logrec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

#define US_PER_SEC 1000000
#define SEC_PER_DAY 86400
/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" */
#define TIME_LEN 27
#define TIME_BUF 64

/* The keys, in the order logrec_format() writes them. */
enum key {
	K_TIMESTAMP,
	K_ACTION,
	K_RULE,
	K_ZONE_FROM,
	K_ZONE_TO,
	K_NET_TYPE,
	K_PROTO,
	K_SIP,
	K_SPORT,
	K_SNAT_IP,
	K_SNAT_PORT,
	K_DIP,
	K_DPORT,
	K_DNAT_IP,
	K_DNAT_PORT,
	K_ICMP_TYPE,
	K_ICMP_CODE,
	K_SMAC,
	K_IN_NAME,
	K_IN_ID,
	K_OUT_NAME,
	K_OUT_ID,
	K_TIME_SOURCE,
	K_SYNCED,
	K__COUNT
};

static const char *const key_names[K__COUNT] = {
	[K_TIMESTAMP] = "@timestamp",
	[K_ACTION] = "event.action",
	[K_RULE] = "rule.id",
	[K_ZONE_FROM] = "zone.from",
	[K_ZONE_TO] = "zone.to",
	[K_NET_TYPE] = "network.type",
	[K_PROTO] = "network.iana_number",
	[K_SIP] = "source.ip",
	[K_SPORT] = "source.port",
	[K_SNAT_IP] = "source.nat.ip",
	[K_SNAT_PORT] = "source.nat.port",
	[K_DIP] = "destination.ip",
	[K_DPORT] = "destination.port",
	[K_DNAT_IP] = "destination.nat.ip",
	[K_DNAT_PORT] = "destination.nat.port",
	[K_ICMP_TYPE] = "icmp.type",
	[K_ICMP_CODE] = "icmp.code",
	[K_SMAC] = "source.mac",
	[K_IN_NAME] = "observer.ingress.interface.name",
	[K_IN_ID] = "observer.ingress.interface.id",
	[K_OUT_NAME] = "observer.egress.interface.name",
	[K_OUT_ID] = "observer.egress.interface.id",
	[K_TIME_SOURCE] = "time_source",
	[K_SYNCED] = "clock.synchronized",
};

/* ---- field rules, shared by build, format and parse ---------------------- */

static bool is_rule_id(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > RULE_ID_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\\')
			return false;
	return true;
}

/* What the kernel accepts (dev_valid_name), limited to printable ASCII. */
static bool is_ifname(const char *s)
{
	size_t i, len = strnlen(s, LOGREC_IFNAME_MAX + 1);

	if (len == 0 || len > LOGREC_IFNAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '/' || s[i] == ':')
			return false;
	return true;
}

static bool is_zone(const char *s)
{
	return strnlen(s, LOGREC_ZONE_MAX + 1) <= LOGREC_ZONE_MAX && str_is_name(s, LOGREC_ZONE_MAX);
}

static bool proto_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_DCCP ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_UDPLITE;
}

static bool proto_is_icmp(int family, uint8_t proto)
{
	return (family == AF_INET && proto == IPPROTO_ICMP) ||
	       (family == AF_INET6 && proto == IPPROTO_ICMPV6);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* A string field of a struct logrec: terminated in its array, zero after the end. */
static bool is_clean_str(const char *s, size_t size)
{
	size_t len = strnlen(s, size);

	return len < size && all_zero((const uint8_t *)s + len, size - len);
}

static bool is_clean_iface(uint32_t ifindex, const char *name, size_t size)
{
	if (!is_clean_str(name, size))
		return false;
	if (ifindex == 0)
		return name[0] == '\0';
	return name[0] == '\0' || is_ifname(name);
}

/*
 * Every rule a record obeys, so that format writes only what parse reads and
 * the record read back is the same struct, byte for byte.
 */
static int logrec_check(const struct logrec *r)
{
	size_t alen = r->family == AF_INET ? 4 : 16;

	if (r->time_us < 0 || r->time_us > LOGREC_TIME_MAX)
		return -EINVAL;
	if (!is_clean_str(r->rule_id, sizeof(r->rule_id)) ||
	    !is_rule_id(r->rule_id, strlen(r->rule_id)))
		return -EINVAL;
	if (!is_clean_str(r->zone_from, sizeof(r->zone_from)) ||
	    !is_clean_str(r->zone_to, sizeof(r->zone_to)) ||
	    (r->zone_from[0] && !is_zone(r->zone_from)) || (r->zone_to[0] && !is_zone(r->zone_to)))
		return -EINVAL;
	if (r->family != AF_INET && r->family != AF_INET6)
		return -EINVAL;
	if (!all_zero(r->saddr + alen, 16 - alen) || !all_zero(r->daddr + alen, 16 - alen) ||
	    !all_zero(r->nat_saddr + alen, 16 - alen) || !all_zero(r->orig_daddr + alen, 16 - alen))
		return -EINVAL;
	/* Ports only where the protocol has them, ICMP fields only for ICMP, never both. */
	if (r->has_ports && (!proto_has_ports(r->protocol) || r->has_icmp))
		return -EINVAL;
	if (r->has_icmp && !proto_is_icmp(r->family, r->protocol))
		return -EINVAL;
	/* Absent fields are zero, so that a record read back is the same bytes. */
	if ((!r->has_ports && (r->sport || r->dport)) ||
	    (!r->has_icmp && (r->icmp_type || r->icmp_code)) ||
	    (!r->has_src_mac && !all_zero(r->src_mac, sizeof(r->src_mac))))
		return -EINVAL;
	/* NAT-5: the translated side, its ports only with the record's ports. */
	if ((!r->has_nat_src && (!all_zero(r->nat_saddr, 16) || r->nat_sport)) ||
	    (!r->has_orig_dst && (!all_zero(r->orig_daddr, 16) || r->orig_dport)) ||
	    (!r->has_ports && (r->nat_sport || r->orig_dport)))
		return -EINVAL;
	if (!is_clean_iface(r->in_ifindex, r->in_ifname, sizeof(r->in_ifname)) ||
	    !is_clean_iface(r->out_ifindex, r->out_ifname, sizeof(r->out_ifname)))
		return -EINVAL;
	return 0;
}

/* ---- time: RFC 3339 UTC, without the C library's time zone machinery ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The date of day @z since 1970-01-01 (z >= 0). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = z / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/*
 * @us in 0..LOGREC_TIME_MAX to "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" in @buf, which
 * has room for TIME_BUF bytes (more than TIME_LEN + 1: gcc cannot see that
 * the year has four digits).
 */
void logrec_time_format(int64_t us, char *buf, size_t size)
{
	int64_t secs = us / US_PER_SEC, days = secs / SEC_PER_DAY, y;
	unsigned sod = (unsigned)(secs % SEC_PER_DAY), m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%06uZ", y, m, d, sod / 3600,
		 sod / 60 % 60, sod % 60, (unsigned)(us % US_PER_SEC));
}

/* @n decimal digits at @s, or -1. */
static int64_t digits(const char *s, size_t n)
{
	int64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int logrec_time_parse(const char *s, size_t len, int64_t *ret)
{
	static const unsigned mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t y, mo, d, h, mi, sec, us;

	if (len != TIME_LEN || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != '.' || s[26] != 'Z')
		return -EINVAL;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	us = digits(s + 20, 6);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 59 || us < 0)
		return -EINVAL;
	if (d > mdays[mo - 1] + (mo == 2 && is_leap(y)))
		return -EINVAL;
	*ret = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * SEC_PER_DAY) + h * 3600 +
		mi * 60 + sec) * US_PER_SEC + us;
	return 0;
}

/* ---- build ------------------------------------------------------------- */

int logrec_parse_prefix(const char *prefix, bool *ret_permitted, const char **ret_id)
{
	static const size_t plen = sizeof(LOG_PREFIX_ACCEPT) - 1;
	bool permitted;
	const char *id = prefix + plen;

	_Static_assert(sizeof(LOG_PREFIX_ACCEPT) == sizeof(LOG_PREFIX_DROP), "prefix lengths");
	if (!strncmp(prefix, LOG_PREFIX_ACCEPT, plen))
		permitted = true;
	else if (!strncmp(prefix, LOG_PREFIX_DROP, plen))
		permitted = false;
	else
		return -ENOENT;
	if (!is_rule_id(id, strlen(id)))
		return -EINVAL;
	*ret_permitted = permitted;
	*ret_id = id;
	return 0;
}

/* Copies @s into @buf (@size bytes) if it fits and @valid says yes. */
static void copy_if(char *buf, size_t size, const char *s, bool (*valid)(const char *))
{
	if (s && strnlen(s, size) < size && valid(s))
		memcpy(buf, s, strlen(s) + 1);
}

static void build_iface(const struct logrec_ctx *ctx, uint32_t ifindex, uint32_t *ret_index,
			char *name, size_t size)
{
	if (ifindex == 0)
		return;
	*ret_index = ifindex;
	if (ctx->ifname)
		copy_if(name, size, ctx->ifname(ctx->data, ifindex), is_ifname);
}

/* LOG-1: the packet's own time where the hook stamped it, else the receive time. */
static int build_time(struct logrec *r, const struct nflog_pkt *p, int64_t recv_us)
{
	if (p->has_timestamp && p->ts_us >= 0 && p->ts_us <= LOGREC_TIME_MAX) {
		r->time_us = p->ts_us;
		r->kernel_time = true;
		return 0;
	}
	if (recv_us < 0 || recv_us > LOGREC_TIME_MAX)
		return -EINVAL;
	r->time_us = recv_us;
	return 0;
}

/* LOG-2..6: protocol, addresses, ports or ICMP type and code; the source MAC. */
static void build_packet(struct logrec *r, const struct nflog_pkt *p)
{
	size_t alen = p->ip_version == 4 ? 4 : 16;

	r->family = p->ip_version == 4 ? AF_INET : AF_INET6;
	r->protocol = p->protocol;
	memcpy(r->saddr, p->saddr, alen);
	memcpy(r->daddr, p->daddr, alen);
	if (p->has_ports && proto_has_ports(p->protocol)) {
		r->has_ports = true;
		r->sport = p->sport;
		r->dport = p->dport;
	} else if (p->has_icmp && proto_is_icmp(r->family, p->protocol)) {
		r->has_icmp = true;
		r->icmp_type = p->icmp_type;
		r->icmp_code = p->icmp_code;
	}
	if (p->has_src_mac) {
		r->has_src_mac = true;
		memcpy(r->src_mac, p->src_mac, sizeof(r->src_mac));
	}
}

int logrec_build(const struct nflog_pkt *p, int64_t recv_us, const struct logrec_ctx *ctx,
		 struct logrec *ret)
{
	const char *id, *from = NULL, *to = NULL;
	struct logrec r;
	bool permitted;
	int e;

	if (!p->has_prefix)
		return -ENOENT;
	e = logrec_parse_prefix(p->prefix, &permitted, &id);
	if (e < 0)
		return e;
	if (p->ip_version != 4 && p->ip_version != 6)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	r.permitted = permitted; /* LOG-7 */
	memcpy(r.rule_id, id, strlen(id) + 1);
	e = build_time(&r, p, recv_us);
	if (e < 0)
		return e;
	r.clock_synced = ctx->ntp_synced; /* LOG-11 */
	if (ctx->rule && ctx->rule(ctx->data, r.rule_id, &from, &to)) {
		copy_if(r.zone_from, sizeof(r.zone_from), from, is_zone);
		copy_if(r.zone_to, sizeof(r.zone_to), to, is_zone);
	}
	build_packet(&r, p);
	build_iface(ctx, p->indev, &r.in_ifindex, r.in_ifname, sizeof(r.in_ifname));
	build_iface(ctx, p->outdev, &r.out_ifindex, r.out_ifname, sizeof(r.out_ifname));
	e = logrec_check(&r);
	if (e < 0)
		return e;
	*ret = r;
	return 0;
}

/* ---- format ------------------------------------------------------------ */

/* A JSON object being written; the first failure sticks. */
struct writer {
	json_t *o;
	int err;
};

/* Sets @key to @v (taken, also on failure; NULL: allocation failed). */
static void put(struct writer *w, enum key key, json_t *v)
{
	if (!v || json_object_set_new(w->o, key_names[key], v))
		w->err = -ENOMEM;
}

static void put_str(struct writer *w, enum key key, const char *s)
{
	put(w, key, json_string(s));
}

static void put_uint(struct writer *w, enum key key, unsigned v)
{
	put(w, key, json_integer(v));
}

/* @a is valid for @family: logrec_check() said so. */
static void put_addr(struct writer *w, enum key key, int family, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	put_str(w, key, inet_ntop(family, a, buf, sizeof(buf)) ? buf : "");
}

static void put_iface(struct writer *w, enum key kname, enum key kid, uint32_t ifindex,
		      const char *name)
{
	char buf[16];

	if (ifindex == 0)
		return;
	if (name[0])
		put_str(w, kname, name);
	snprintf(buf, sizeof(buf), "%" PRIu32, ifindex);
	put_str(w, kid, buf);
}

static void format_object(struct writer *w, const struct logrec *r)
{
	char buf[TIME_BUF];

	logrec_time_format(r->time_us, buf, sizeof(buf));
	put_str(w, K_TIMESTAMP, buf);
	put_str(w, K_ACTION, r->permitted ? "permitted" : "denied");
	put_str(w, K_RULE, r->rule_id);
	if (r->zone_from[0])
		put_str(w, K_ZONE_FROM, r->zone_from);
	if (r->zone_to[0])
		put_str(w, K_ZONE_TO, r->zone_to);
	put_str(w, K_NET_TYPE, r->family == AF_INET ? "ipv4" : "ipv6");
	snprintf(buf, sizeof(buf), "%u", r->protocol);
	put_str(w, K_PROTO, buf);
	put_addr(w, K_SIP, r->family, r->saddr);
	if (r->has_ports)
		put_uint(w, K_SPORT, r->sport);
	if (r->has_nat_src) {
		put_addr(w, K_SNAT_IP, r->family, r->nat_saddr);
		if (r->has_ports)
			put_uint(w, K_SNAT_PORT, r->nat_sport);
	}
	/*
	 * NAT-5, ECS: destination.ip is what the client addressed; with DNAT
	 * that is the public address, and destination.nat.ip the server the
	 * rule saw (r->daddr).
	 */
	put_addr(w, K_DIP, r->family, r->has_orig_dst ? r->orig_daddr : r->daddr);
	if (r->has_ports)
		put_uint(w, K_DPORT, r->has_orig_dst ? r->orig_dport : r->dport);
	if (r->has_orig_dst) {
		put_addr(w, K_DNAT_IP, r->family, r->daddr);
		if (r->has_ports)
			put_uint(w, K_DNAT_PORT, r->dport);
	}
	if (r->has_icmp) {
		put_uint(w, K_ICMP_TYPE, r->icmp_type);
		put_uint(w, K_ICMP_CODE, r->icmp_code);
	}
	if (r->has_src_mac) {
		const uint8_t *m = r->src_mac;

		snprintf(buf, sizeof(buf), "%02X-%02X-%02X-%02X-%02X-%02X", m[0], m[1], m[2], m[3],
			 m[4], m[5]);
		put_str(w, K_SMAC, buf);
	}
	put_iface(w, K_IN_NAME, K_IN_ID, r->in_ifindex, r->in_ifname);
	put_iface(w, K_OUT_NAME, K_OUT_ID, r->out_ifindex, r->out_ifname);
	put_str(w, K_TIME_SOURCE, r->kernel_time ? "kernel" : "receive");
	put(w, K_SYNCED, json_boolean(r->clock_synced));
}

int logrec_format(const struct logrec *r, char **ret_line)
{
	struct writer w = { NULL, 0 };
	char *line = NULL;
	int e;

	e = logrec_check(r);
	if (e < 0)
		return e;
	w.o = json_object();
	if (!w.o)
		return -ENOMEM;
	format_object(&w, r);
	/* Compact, in insertion order (jansson >= 2.8 keeps it; the flag says so). */
	if (!w.err)
		line = json_dumps(w.o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(w.o);
	if (!line)
		return -ENOMEM;
	*ret_line = line;
	return 0;
}

/* ---- parse ------------------------------------------------------------- */

/*
 * One value of a record line, as either reader found it: the fast reader of
 * the canonical form (read_canonical) and jansson (read_json) both fill
 * these, and the same field rules below judge them.
 */
enum vtype { V_NONE, V_STR, V_INT, V_BOOL, V_OTHER };
struct val {
	enum vtype t;
	const char *s;  /* V_STR: the text, not NUL-terminated, no escapes */
	size_t len;
	int64_t i;      /* V_INT */
	bool b;         /* V_BOOL */
};

/* The string value of @v with its length, or NULL when @v is not a string. */
static const char *str_of(const struct val *v, size_t *ret_len)
{
	if (v->t != V_STR)
		return NULL;
	*ret_len = v->len;
	return v->s;
}

/* A string from a fixed set: its index, or -EINVAL. */
static int parse_choice(const struct val *v, const char *a, const char *b)
{
	size_t len;
	const char *s = str_of(v, &len);

	if (s && len == strlen(a) && !memcmp(s, a, len))
		return 0;
	if (s && len == strlen(b) && !memcmp(s, b, len))
		return 1;
	return -EINVAL;
}

/* Copies a string value into @buf (@size bytes) if it fits and passes @valid. */
static int parse_str(const struct val *v, char *buf, size_t size, bool (*valid)(const char *))
{
	size_t len;
	const char *s = str_of(v, &len);

	if (!s || len >= size || memchr(s, '\0', len))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return valid(buf) ? 0 : -EINVAL;
}

/* A decimal string without sign or leading zeros, at most @max. */
static int parse_decimal(const struct val *v, uint32_t max, uint32_t *ret)
{
	size_t len;
	const char *s = str_of(v, &len);
	int64_t n;

	if (!s || len == 0 || len > 10 || (len > 1 && s[0] == '0'))
		return -EINVAL;
	n = digits(s, len);
	if (n < 0 || n > max)
		return -EINVAL;
	*ret = (uint32_t)n;
	return 0;
}

static int parse_uint(const struct val *v, unsigned max, unsigned *ret)
{
	if (v->t != V_INT || v->i < 0 || v->i > (int64_t)max)
		return -EINVAL;
	*ret = (unsigned)v->i;
	return 0;
}

/* An address of @family in its canonical text form only. */
static int parse_addr(const struct val *v, int family, uint8_t *ret)
{
	char buf[INET6_ADDRSTRLEN], in[INET6_ADDRSTRLEN];
	uint8_t a[16];
	size_t len;
	const char *s = str_of(v, &len);

	if (!s || len >= sizeof(in) || memchr(s, '\0', len))
		return -EINVAL;
	memcpy(in, s, len);
	in[len] = '\0';
	if (inet_pton(family, in, a) != 1 || !inet_ntop(family, a, buf, sizeof(buf)) ||
	    strcmp(buf, in))
		return -EINVAL;
	memcpy(ret, a, family == AF_INET ? 4 : 16);
	return 0;
}

static int parse_hex2(const char *s)
{
	int v = 0, i;

	for (i = 0; i < 2; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (c - 'A' + 10);
		else
			return -1;
	}
	return v;
}

static int parse_timestamp(const struct val *v, int64_t *ret)
{
	size_t len;
	const char *s = str_of(v, &len);

	return s ? logrec_time_parse(s, len, ret) : -EINVAL;
}

/* "02-00-00-00-01-02": upper case, hyphens, as logrec_format() writes it. */
static int parse_mac(const struct val *v, uint8_t ret[6])
{
	size_t len, i;
	const char *s = str_of(v, &len);

	if (!s || len != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		int b = parse_hex2(s + 3 * i);

		if (b < 0 || (i < 5 && s[3 * i + 2] != '-'))
			return -EINVAL;
		ret[i] = (uint8_t)b;
	}
	return 0;
}

static bool valid_rule_id(const char *s)
{
	return is_rule_id(s, strlen(s));
}

/* Both or neither of a pair of keys. */
static bool paired(const struct val *v, enum key a, enum key b)
{
	return !v[a].t == !v[b].t;
}

static int parse_iface(const struct val *v, enum key kname, enum key kid, uint32_t *ret_index,
		       char *name, size_t size)
{
	if (v[kname].t && !v[kid].t)
		return -EINVAL;
	if (v[kid].t && parse_decimal(&v[kid], UINT32_MAX, ret_index) < 0)
		return -EINVAL;
	if (v[kid].t && *ret_index == 0)
		return -EINVAL;
	if (v[kname].t && parse_str(&v[kname], name, size, is_ifname) < 0)
		return -EINVAL;
	return 0;
}

/* The fields every record has (LOG-1..3, LOG-5, LOG-7, LOG-11, LOG-25). */
static int parse_required(const struct val *v, struct logrec *r)
{
	uint32_t proto;
	int c;

	if (!v[K_TIMESTAMP].t || !v[K_ACTION].t || !v[K_RULE].t || !v[K_NET_TYPE].t ||
	    !v[K_PROTO].t || !v[K_SIP].t || !v[K_DIP].t || !v[K_TIME_SOURCE].t || !v[K_SYNCED].t)
		return -EINVAL;
	c = parse_choice(&v[K_NET_TYPE], "ipv4", "ipv6");
	if (c < 0)
		return c;
	r->family = c ? AF_INET6 : AF_INET;
	if (parse_timestamp(&v[K_TIMESTAMP], &r->time_us) < 0)
		return -EINVAL;
	c = parse_choice(&v[K_ACTION], "denied", "permitted");
	if (c < 0)
		return c;
	r->permitted = c;
	if (parse_str(&v[K_RULE], r->rule_id, sizeof(r->rule_id), valid_rule_id) < 0)
		return -EINVAL;
	if (parse_decimal(&v[K_PROTO], 255, &proto) < 0)
		return -EINVAL;
	r->protocol = (uint8_t)proto;
	if (parse_addr(&v[K_SIP], r->family, r->saddr) < 0 ||
	    parse_addr(&v[K_DIP], r->family, r->daddr) < 0)
		return -EINVAL;
	c = parse_choice(&v[K_TIME_SOURCE], "receive", "kernel");
	if (c < 0)
		return c;
	r->kernel_time = c;
	if (v[K_SYNCED].t != V_BOOL)
		return -EINVAL;
	r->clock_synced = v[K_SYNCED].b;
	return 0;
}

/*
 * NAT-5: source.nat.* and destination.nat.*. An address's port is there
 * exactly when the record has ports. With destination.nat.ip, the record's
 * daddr (the address the rule saw) is that one, and destination.ip the
 * public address the client used (orig_daddr). Ports are read with the others.
 */
static int parse_nat(const struct val *v, struct logrec *r)
{
	bool ports = v[K_SPORT].t;

	if ((v[K_SNAT_PORT].t && (!v[K_SNAT_IP].t || !ports)) ||
	    (v[K_SNAT_IP].t && ports && !v[K_SNAT_PORT].t) ||
	    (v[K_DNAT_PORT].t && (!v[K_DNAT_IP].t || !ports)) ||
	    (v[K_DNAT_IP].t && ports && !v[K_DNAT_PORT].t))
		return -EINVAL;
	if (v[K_SNAT_IP].t) {
		if (parse_addr(&v[K_SNAT_IP], r->family, r->nat_saddr) < 0)
			return -EINVAL;
		r->has_nat_src = true;
	}
	if (v[K_DNAT_IP].t) {
		memcpy(r->orig_daddr, r->daddr, sizeof(r->daddr));
		memset(r->daddr, 0, sizeof(r->daddr));
		if (parse_addr(&v[K_DNAT_IP], r->family, r->daddr) < 0)
			return -EINVAL;
		r->has_orig_dst = true;
	}
	return 0;
}

/* The fields a record may have: zones, ports (LOG-4, LOG-6) or ICMP, MAC, interfaces. */
static int parse_optional(const struct val *v, struct logrec *r)
{
	unsigned a, b;

	if (!paired(v, K_SPORT, K_DPORT) || !paired(v, K_ICMP_TYPE, K_ICMP_CODE))
		return -EINVAL;
	if (parse_nat(v, r) < 0)
		return -EINVAL;
	if (v[K_ZONE_FROM].t &&
	    parse_str(&v[K_ZONE_FROM], r->zone_from, sizeof(r->zone_from), is_zone))
		return -EINVAL;
	if (v[K_ZONE_TO].t && parse_str(&v[K_ZONE_TO], r->zone_to, sizeof(r->zone_to), is_zone))
		return -EINVAL;
	if (v[K_SPORT].t) {
		if (parse_uint(&v[K_SPORT], 65535, &a) < 0 ||
		    parse_uint(&v[K_DPORT], 65535, &b) < 0)
			return -EINVAL;
		r->has_ports = true;
		r->sport = (uint16_t)a;
		r->dport = (uint16_t)b;
	}
	if (r->has_ports && r->has_orig_dst) {
		/* destination.port was the public port; destination.nat.port the server's. */
		r->orig_dport = r->dport;
		if (parse_uint(&v[K_DNAT_PORT], 65535, &a) < 0)
			return -EINVAL;
		r->dport = (uint16_t)a;
	}
	if (r->has_ports && r->has_nat_src) {
		if (parse_uint(&v[K_SNAT_PORT], 65535, &a) < 0)
			return -EINVAL;
		r->nat_sport = (uint16_t)a;
	}
	if (v[K_ICMP_TYPE].t) {
		if (parse_uint(&v[K_ICMP_TYPE], 255, &a) < 0 ||
		    parse_uint(&v[K_ICMP_CODE], 255, &b) < 0)
			return -EINVAL;
		r->has_icmp = true;
		r->icmp_type = (uint8_t)a;
		r->icmp_code = (uint8_t)b;
	}
	if (v[K_SMAC].t) {
		if (parse_mac(&v[K_SMAC], r->src_mac) < 0)
			return -EINVAL;
		r->has_src_mac = true;
	}
	if (parse_iface(v, K_IN_NAME, K_IN_ID, &r->in_ifindex, r->in_ifname,
			sizeof(r->in_ifname)) < 0 ||
	    parse_iface(v, K_OUT_NAME, K_OUT_ID, &r->out_ifindex, r->out_ifname,
			sizeof(r->out_ifname)) < 0)
		return -EINVAL;
	return 0;
}

/* The record of the values @v, every rule applied; *@ret written only on success. */
static int judge(const struct val *v, struct logrec *ret)
{
	struct logrec r;
	int e;

	memset(&r, 0, sizeof(r));
	e = parse_required(v, &r);
	if (e == 0)
		e = parse_optional(v, &r);
	/* Then the rules across fields: ports only with their protocols, ... */
	if (e == 0)
		e = logrec_check(&r);
	if (e == 0)
		*ret = r;
	return e;
}

/* The index of key @s (@len bytes), or K__COUNT. */
static enum key key_of(const char *s, size_t len)
{
	size_t k;

	for (k = 0; k < K__COUNT; k++)
		if (strlen(key_names[k]) == len && !memcmp(s, key_names[k], len))
			return (enum key)k;
	return K__COUNT;
}

/*
 * The canonical form only, as logrec_format() writes it: no white space,
 * the keys in their order, strings without escapes, control characters or
 * bytes above 0x7e, integers without sign, exponent or leading zeros (at
 * most 15 digits), true or false. Anything else is -EAGAIN: not for this
 * reader (read_json decides). Values go to @v; no allocation.
 */
static int read_canonical(const char *p, const char *end, struct val *v)
{
	int prev = -1;

	if (p == end || *p++ != '{')
		return -EAGAIN;
	for (;;) {
		const char *ks;
		enum key k;
		struct val x = { .t = V_NONE };

		if (p == end || *p++ != '"')
			return -EAGAIN;
		ks = p;
		while (p < end && *p != '"' && *p != '\\')
			p++;
		if (p == end || *p != '"')
			return -EAGAIN;
		k = key_of(ks, (size_t)(p - ks));
		p++;
		if (k == K__COUNT || (int)k <= prev || p == end || *p++ != ':' || p == end)
			return -EAGAIN;
		prev = (int)k;
		if (*p == '"') {
			x.t = V_STR;
			x.s = ++p;
			while (p < end && *p != '"') {
				if (*p < ' ' || *p > '~' || *p == '\\')
					return -EAGAIN;
				p++;
			}
			if (p == end)
				return -EAGAIN;
			x.len = (size_t)(p - x.s);
			p++;
		} else if (*p >= '0' && *p <= '9') {
			const char *d = p;

			x.t = V_INT;
			while (p < end && *p >= '0' && *p <= '9' && p - d < 16)
				x.i = x.i * 10 + (*p++ - '0');
			if (p - d > 15 || (*d == '0' && p - d > 1) ||
			    (p < end && (*p == '.' || *p == 'e' || *p == 'E' || (*p >= '0' && *p <= '9'))))
				return -EAGAIN;
		} else if (end - p >= 4 && !memcmp(p, "true", 4)) {
			x.t = V_BOOL;
			x.b = true;
			p += 4;
		} else if (end - p >= 5 && !memcmp(p, "false", 5)) {
			x.t = V_BOOL;
			p += 5;
		} else {
			return -EAGAIN;
		}
		v[k] = x;
		if (p == end)
			return -EAGAIN;
		if (*p == '}')
			return p + 1 == end ? 0 : -EAGAIN;
		if (*p++ != ',')
			return -EAGAIN;
	}
}

/* The values of the known keys of a jansson object into @v; -EINVAL on any other key. */
static int collect_keys(json_t *o, struct val *v)
{
	const char *key;
	json_t *val;

	json_object_foreach(o, key, val) {
		size_t k;

		for (k = 0; k < K__COUNT; k++)
			if (!strcmp(key, key_names[k]))
				break;
		/* Keys are compared up to a NUL: two may only look alike. */
		if (k == K__COUNT || v[k].t)
			return -EINVAL;
		if (json_is_string(val))
			v[k] = (struct val){ .t = V_STR, .s = json_string_value(val),
					     .len = json_string_length(val) };
		else if (json_is_integer(val))
			v[k] = (struct val){ .t = V_INT, .i = json_integer_value(val) };
		else if (json_is_boolean(val))
			v[k] = (struct val){ .t = V_BOOL, .b = json_is_true(val) };
		else
			v[k] = (struct val){ .t = V_OTHER };
	}
	return 0;
}

/* @line's bytes are checked as for logrec_parse: one object, nothing around it. */
static bool framed(const char *line, size_t *len)
{
	if (*len > 0 && line[*len - 1] == '\n')
		(*len)--;
	return *len >= 2 && *len <= LOGREC_LINE_MAX && line[0] == '{' && line[*len - 1] == '}';
}

int logrec_parse_json(const char *line, size_t len, struct logrec *ret)
{
	struct val v[K__COUNT] = { { .t = V_NONE } };
	json_error_t err;
	json_t *o;
	int e;

	if (!framed(line, &len))
		return -EINVAL;
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
	if (!o)
		return json_error_code(&err) == json_error_out_of_memory ? -ENOMEM : -EINVAL;
	e = json_is_object(o) ? collect_keys(o, v) : -EINVAL;
	if (e == 0)
		e = judge(v, ret);
	json_decref(o);
	return e;
}

int logrec_parse(const char *line, size_t len, struct logrec *ret)
{
	struct val v[K__COUNT] = { { .t = V_NONE } };
	size_t n = len;

	/*
	 * Lines are almost always the canonical form gatewayd writes: read it
	 * directly (about ten times faster than through jansson). Whatever the
	 * fast reader does not take, jansson reads with the same rules.
	 */
	if (framed(line, &n) && read_canonical(line, line + n, v) == 0 && judge(v, ret) == 0)
		return 0;
	return logrec_parse_json(line, len, ret);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Firewall log records (LOG-1..7, LOG-11, LOG-25, NAT-5): built from one
 * decoded NFLOG record (lib/nflog.h) of a deciding rule, written as one JSON
 * line, and read back from one (for searching the log files). Pure: the
 * receive time, interface names and the rules' zone pairs come in through
 * the caller; nothing here reads a clock or the kernel.
 *
 * The JSON line, one object, keys always in this order, ECS names where ECS
 * has one, so a SIEM maps it without a custom parser:
 *
 *   "@timestamp"        LOG-1  RFC 3339 UTC with microseconds (C-29):
 *                              "2026-11-23T10:22:33.123456Z"; years 1970..9999
 *   "event.action"      LOG-7  "permitted" (a gw:A: rule) or "denied" (gw:D:)
 *   "rule.id"           LOG-25 the deciding rule's stable id (lib/ruleset.h)
 *   "zone.from"                the rule's zone pair, when the ruleset knows the
 *   "zone.to"                  rule (each left out otherwise)
 *   "network.type"             "ipv4" or "ipv6"
 *   "network.iana_number" LOG-2 the protocol number as a decimal string ("6"),
 *                              as ECS types it (keyword); the IPv6 next header
 *   "source.ip"         LOG-3  canonical text (inet_ntop)
 *   "source.port"       LOG-4  integer; TCP, UDP, UDP-Lite, SCTP, DCCP only
 *   "source.nat.ip"     NAT-5  SNAT/masquerade: the global address (and port,
 *   "source.nat.port"          with the ports) the connection left with
 *   "destination.ip"    LOG-5  the address the client addressed: with DNAT
 *   "destination.port"  LOG-6  the public one (ECS); ports with source.port
 *   "destination.nat.ip" NAT-5 DNAT: the internal server it was translated to
 *   "destination.nat.port"     (what the filter rule saw)
 *   "icmp.type"                integers, for ICMP (IPv4) and ICMPv6 (IPv6)
 *   "icmp.code"                instead of ports
 *   "source.mac"               the Ethernet source where the hook has one
 *                              (not on output), RFC 7042 form as ECS suggests:
 *                              "02-00-00-00-01-02"
 *   "observer.ingress.interface.name"   the interfaces the packet came in and
 *   "observer.ingress.interface.id"     goes out on, where the hook has them:
 *   "observer.egress.interface.name"    the index as a decimal string (ECS's
 *   "observer.egress.interface.id"      interface.id), and the name unless it
 *                              is unknown (the interface is gone)
 *   "time_source"       LOG-1  "kernel": @timestamp is the packet's kernel
 *                              time stamp; "receive": the time the daemon read
 *                              the record (hooks without a time stamp: output)
 *   "clock.synchronized" LOG-11 whether the clock was NTP-synchronised when
 *                              the record was built (false marks the record)
 *
 * NAT-5: records come from the filter chains (the zone-pair chains hang off
 * forward and input), which run after destination NAT (prerouting) and
 * before source NAT (postrouting): the packet a rule logs has the internal
 * server as destination (DNAT) and the internal host's own source (SNAT).
 * The other side comes from the connection's conntrack entry
 * (lib/ctattr.h, joined in lib/natjoin.h) and is written with ECS's names:
 *
 *   SNAT  source.ip/.port           the internal host        (saddr, sport)
 *         source.nat.ip/.port       the global address/port  (nat_saddr, nat_sport)
 *   DNAT  destination.ip/.port      the public address/port  (orig_daddr, orig_dport)
 *         destination.nat.ip/.port  the internal server      (daddr, dport)
 *
 * So struct logrec keeps the filter's view in saddr/daddr (what the rule
 * matched, what the analyses and the LAN peers want: the internal hosts),
 * and the JSON follows ECS: with has_orig_dst, "destination.ip" is
 * orig_daddr and "destination.nat.ip" is daddr. Whoever looks a host up
 * must look at both sides (netctl log --src/--dst/host, logtrace).
 * A record whose translation did not arrive in time has no nat fields.
 *
 * The ports are those of the packet that opened the connection: the rules
 * log new connections only ("access" in LOG-1..7 is a connection attempt).
 */
#ifndef GW_LOGREC_H
#define GW_LOGREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nflog.h"
#include "ruleset.h"

#define LOGREC_ZONE_MAX 32   /* NAME_MAX_CEILING of the model */
#define LOGREC_IFNAME_MAX 15 /* IFNAMSIZ - 1 */
/* Longest line logrec_parse() accepts; logrec_format() writes far less (< 1 KiB). */
#define LOGREC_LINE_MAX 4096
/* 9999-12-31T23:59:59.999999Z: the last time RFC 3339's four-digit year holds. */
#define LOGREC_TIME_MAX ((int64_t)253402300800 * 1000000 - 1)

/* One firewall log record; every string is NUL-terminated, "" when absent. */
struct logrec {
	int64_t time_us;                     /* @timestamp: UTC µs, 0..LOGREC_TIME_MAX */
	bool kernel_time;                    /* time_source: "kernel" (true) or "receive" */
	bool clock_synced;                   /* clock.synchronized (LOG-11) */
	bool permitted;                      /* event.action (LOG-7) */
	char rule_id[RULE_ID_MAX + 1];       /* rule.id: 1..RULE_ID_MAX of [!-~] but '"', '\' */
	char zone_from[LOGREC_ZONE_MAX + 1]; /* zone.from: a zone name ([a-z][a-z0-9-]*) or "" */
	char zone_to[LOGREC_ZONE_MAX + 1];   /* zone.to */
	int family;                          /* AF_INET or AF_INET6 (network.type) */
	uint8_t protocol;                    /* network.iana_number (LOG-2) */
	uint8_t saddr[16], daddr[16];        /* network order; IPv4 in [0..3], rest zero */
	bool has_ports;                      /* source.port, destination.port (LOG-4, LOG-6) */
	uint16_t sport, dport;
	bool has_icmp;                       /* icmp.type, icmp.code */
	uint8_t icmp_type, icmp_code;
	/* NAT-5: the translated side (see above); absent: all zero. */
	bool has_nat_src;                    /* source.nat.ip, .port (with has_ports) */
	uint8_t nat_saddr[16];
	uint16_t nat_sport;
	bool has_orig_dst;                   /* DNAT: destination.ip/.port = orig_daddr/dport, */
	uint8_t orig_daddr[16];              /*   destination.nat.ip/.port = daddr/dport */
	uint16_t orig_dport;
	bool has_src_mac;                    /* source.mac */
	uint8_t src_mac[6];
	/* observer.{ingress,egress}.interface.id and .name */
	uint32_t in_ifindex, out_ifindex;    /* 0: none (and the name is "") */
	char in_ifname[LOGREC_IFNAME_MAX + 1];  /* "" when unknown */
	char out_ifname[LOGREC_IFNAME_MAX + 1];
};

/*
 * Returns the name of interface @ifindex, borrowed until the callback is
 * called again, or NULL when unknown. A name that is not a valid interface
 * name (1..15 bytes of [!-~] but '/' and ':', not "." or "..") counts as
 * unknown.
 */
typedef const char *(*logrec_ifname_fn)(void *data, uint32_t ifindex);
/*
 * Looks up rule @id in the running ruleset: true and its zone pair (each
 * borrowed, NULL when the rule has none), or false when unknown. A name that
 * is not a zone name counts as none.
 */
typedef bool (*logrec_rule_fn)(void *data, const char *id, const char **ret_from,
			       const char **ret_to);

/* What logrec_build() needs from the daemon; either callback may be NULL. */
struct logrec_ctx {
	logrec_ifname_fn ifname;
	logrec_rule_fn rule;
	void *data;       /* passed to both callbacks */
	bool ntp_synced;  /* the clock's sync state at build time (LOG-11) */
};

/*
 * Splits a log prefix "gw:A:<id>" (permitted) or "gw:D:<id>" (denied), as
 * lib/compile.c writes them (LOG_PREFIX_ACCEPT, LOG_PREFIX_DROP). On success
 * *@ret_permitted and *@ret_id (pointing into @prefix) are set. Returns 0;
 * -ENOENT when @prefix does not start with either (not ours); -EINVAL when
 * it does but the id is empty, longer than RULE_ID_MAX or has a character
 * outside [!-~] or a '"' or '\'.
 */
int logrec_parse_prefix(const char *prefix, bool *ret_permitted, const char **ret_id);

/*
 * Builds the record of the decoded packet @p, received at @recv_us (UTC µs;
 * used when the packet has no kernel time stamp, or one outside
 * 0..LOGREC_TIME_MAX). @ctx is required; its callbacks (either may be NULL)
 * are called at most once per interface and once for the rule, and what they
 * return is copied.
 * *@ret is written only on success. Returns 0; -ENOENT when the prefix is
 * absent or not ours (the caller skips the record); -EINVAL when the prefix
 * is ours but malformed, or the time is outside 0..LOGREC_TIME_MAX.
 */
int logrec_build(const struct nflog_pkt *p, int64_t recv_us, const struct logrec_ctx *ctx,
		 struct logrec *ret);

/*
 * Writes @r as one JSON line (no newline at the end) into a new string that
 * the caller frees with free(). The record is checked against the rules
 * logrec_parse() applies, so every line written reads back to the same
 * record. Returns 0, -EINVAL (@r breaks a rule) or -ENOMEM.
 */
int logrec_format(const struct logrec *r, char **ret_line);

/*
 * Reads one line written by logrec_format() (@len bytes, no NUL needed; a
 * final "\n" is allowed) into *@ret, written only on success. Strict: a JSON
 * object of the keys above only, each at most once, the required ones
 * (@timestamp, event.action, rule.id, network.type, network.iana_number,
 * source.ip, destination.ip, time_source, clock.synchronized) present, every
 * value of its type and form (canonical addresses, the exact time format,
 * ports and ICMP fields in pairs and only with their protocols, a nat
 * address's port exactly when the record has ports, an
 * interface's .name only with its .id). Returns 0, -EINVAL or -ENOMEM.
 */
int logrec_parse(const char *line, size_t len, struct logrec *ret);
/*
 * The same through jansson alone. logrec_parse() reads the canonical form
 * itself and hands anything else to this; for every input both give the
 * same result (fuzz_logrec checks it).
 */
int logrec_parse_json(const char *line, size_t len, struct logrec *ret);

/*
 * @us (0..LOGREC_TIME_MAX) as "@timestamp" writes it,
 * "YYYY-MM-DDTHH:MM:SS.uuuuuuZ", into @buf of at least 40 bytes.
 */
void logrec_time_format(int64_t us, char *buf, size_t size);
/* Reads exactly that form (@len bytes) back: 0 and *@ret (UTC µs), or -EINVAL. */
int logrec_time_parse(const char *s, size_t len, int64_t *ret);

#endif

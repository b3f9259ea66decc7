/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The periodic log analysis (LOG-13..21, INC-5, INC-7) and the incident trace
 * of one host (LOG-26, INC-6): streaming accumulators fed firewall records
 * (lib/logrec.h) one at a time, in time order, that keep bounded state and
 * produce findings. Pure: the records, the thresholds and the zone lists
 * come from the caller (netctl reads the day files and the config).
 *
 * What the analysis can see is what a firewall record holds: time, verdict,
 * rule id, zone pair, addresses, protocol and ports of the first packet of a
 * connection. It cannot see byte volumes, authentication, users, URL
 * categories, mail verdicts or configuration changes; logreport_unobservable()
 * names each such event so a report says so instead of leaving it out.
 *
 * Memory bounds (each documented in docs/config.md, log.report):
 *  - at most limits.sources source addresses are tracked; records of further
 *    sources are counted (untracked_records) but not analysed per source;
 *  - a source's burst state holds at most scan_ports ports and scan_hosts
 *    addresses (the sets stop growing when a threshold is reached);
 *  - at most LOGREPORT_DB_HOSTS database addresses;
 *  - the trace of one host keeps at most LOGTRACE_PEERS peers; records with
 *    further peers are counted in "others".
 * The findings list at most limits.top sources per kind, the biggest first;
 * the rest are summed into the kind's "others" counts.
 */
#ifndef GW_LOGREPORT_H
#define GW_LOGREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "logrec.h"

#define LOGREPORT_DB_HOSTS 64
#define LOGREPORT_SAMPLES 3      /* sample rule ids kept per finding */
#define LOGTRACE_PEERS 4096

/* Thresholds and bounds (conf: log.report; defaults LOGREPORT_LIMITS_DEFAULT). */
struct logreport_limits {
	int64_t window;          /* seconds: the span of one burst (1..86400) */
	unsigned denied;         /* LOG-14: denials from one source in one burst (1..100000) */
	unsigned scan_ports;     /* INC-5: distinct destination ports in one burst (2..256) */
	unsigned scan_hosts;     /* INC-5: distinct destination addresses in one burst (2..256) */
	unsigned db_connections; /* LOG-16: connections of one DB host in one UTC day (1..10^7) */
	unsigned sources;        /* source addresses tracked (16..1000000) */
	unsigned top;            /* sources listed per finding kind (1..1000) */
};

#define LOGREPORT_LIMITS_DEFAULT                                                            \
	{                                                                                   \
		.window = 60, .denied = 20, .scan_ports = 15, .scan_hosts = 15,             \
		.db_connections = 1000, .sources = 4096, .top = 20                          \
	}

/* What the caller knows about the zones and hosts (from the config). */
struct logreport_ctx {
	const char *const *internet_zones; /* zones of kind global */
	size_t n_internet_zones;
	const char *const *vpn_zones;      /* zones of kind vpn (LOG-18) */
	size_t n_vpn_zones;
	const struct logreport_db *db;     /* LOG-16: hosts tagged as databases */
	size_t n_db;                       /* at most LOGREPORT_DB_HOSTS */
};

struct logreport_db {
	const char *name;    /* the config's host name, copied */
	int family;          /* AF_INET or AF_INET6 */
	uint8_t addr[16];
};

enum logreport_kind {
	LR_DENIALS,      /* LOG-14, INC-5: repeated denials from one source in a burst */
	LR_SCAN,         /* INC-5, LOG-14: many ports or hosts from one source in a burst */
	LR_OUTBOUND,     /* INC-7: denied, internal zone toward an internet zone */
	LR_BYPASS,       /* LOG-17: a proxy-bypass attempt ("...!direct" rules) */
	LR_UNREGISTERED, /* LOG-17: an unregistered device ("ZONE:admission..." rules) */
	LR_AUTHORITY,    /* LOG-18: denied from a remote-access (VPN) zone */
	LR_DB_VOLUME,    /* LOG-16: connections of a DB host over the daily threshold */
	LR__COUNT
};

/* One finding: a source (or DB host) and its evidence. */
struct logreport_finding {
	int family;
	uint8_t addr[16];
	const char *db_name;      /* LR_DB_VOLUME: the host's name; else NULL */
	uint64_t count;           /* records of this kind (LR_DB_VOLUME: connections) */
	uint64_t bursts;          /* LR_DENIALS, LR_SCAN: bursts over a threshold;
				     LR_DB_VOLUME: days over the threshold */
	unsigned max_denied;      /* LR_DENIALS, LR_SCAN: the largest burst's figures */
	unsigned max_ports, max_hosts;
	uint64_t max_day;         /* LR_DB_VOLUME: the busiest day's connections */
	int64_t first_us, last_us;
	char samples[LOGREPORT_SAMPLES][RULE_ID_MAX + 1]; /* distinct rule ids, "" unused */
};

/* The findings of one kind: at most limits.top, biggest count first. */
struct logreport_list {
	struct logreport_finding *v;
	size_t n;
	uint64_t others;          /* sources beyond top */
	uint64_t others_count;    /* their records */
};

struct logreport_summary {
	uint64_t records, permitted, denied;
	uint64_t out_of_order;      /* records earlier than the one before (still counted) */
	uint64_t untracked_records; /* records of sources beyond limits.sources */
	uint64_t local_chatter;     /* denials to link-local or multicast destinations:
				       counted, not analysed per source (see logreport_add) */
	int64_t first_us, last_us;  /* 0 when no records */
	struct logreport_list kinds[LR__COUNT];
};

struct logreport;

/*
 * A new accumulator. @limits and @ctx are copied (names included). Returns
 * 0 (*@ret set; free with logreport_free()), -EINVAL (a limit out of range,
 * more than LOGREPORT_DB_HOSTS DB hosts) or -ENOMEM.
 */
int logreport_new(const struct logreport_limits *limits, const struct logreport_ctx *ctx,
		  struct logreport **ret);
void logreport_free(struct logreport *lr);
struct policy;
/*
 * A new accumulator with the thresholds of @p's log.report and its zones:
 * every zone of kind global is "the internet" (INC-7), every zone of kind
 * vpn remote access (LOG-18), log.report.db_hosts the databases (LOG-16).
 * 0 (*@ret set), -E2BIG (more than LOGREPORT_DB_HOSTS addresses), -EINVAL
 * or -ENOMEM.
 */
int logreport_new_policy(const struct policy *p, struct logreport **ret);

/*
 * Feeds one record; 0 or -ENOMEM (the accumulator stays usable). A denial
 * whose destination is multicast, the IPv4 broadcast or an IPv6 link-local
 * address is a host's chatter on its own segment (mDNS, SSDP, IPv6 router
 * solicitations and MLD, which every PC sends), not an access attempt
 * through the gateway: it is counted (local_chatter) and not analysed per
 * source, so it makes no burst, scan or unregistered-device finding.
 */
int logreport_add(struct logreport *lr, const struct logrec *r);
/*
 * The same, and *@ret_events says what this record started (LOG-21, INC-4),
 * a bit (1u << kind) each: LR_DENIALS or LR_SCAN when its source's burst
 * just reached the threshold (once per burst), LR_OUTBOUND for the
 * source's first outbound denial. For the daemon, which raises an incident
 * at once.
 */
int logreport_add_events(struct logreport *lr, const struct logrec *r, unsigned *ret_events);

/*
 * The findings so far. *@ret is filled; its lists belong to @lr and stay
 * valid until the next logreport_add() or logreport_free(). 0 or -ENOMEM.
 */
int logreport_result(struct logreport *lr, struct logreport_summary *ret);

/* "LOG-14", ... the requirement IDs of a kind; "repeated-denials", ... its name. */
const char *logreport_kind_reqs(enum logreport_kind k);
const char *logreport_kind_name(enum logreport_kind k);

/* An event of LOG-13..21 the firewall records cannot show, and why. */
struct logreport_gap {
	const char *reqs;   /* "LOG-15" */
	const char *event;  /* "consecutive authentication failures (VPN/OTP, administrators)" */
	const char *reason; /* "not observable by gatewayd: ..." */
};
/* The gaps, a static table of *@ret_n entries. */
const struct logreport_gap *logreport_unobservable(size_t *ret_n);

/* ---- the trace of one host (LOG-26, INC-6) ------------------------------- */

/* One peer of the traced host: address, protocol, service port and direction. */
struct logtrace_peer {
	int family;
	uint8_t addr[16];
	uint8_t protocol;
	bool has_port;
	uint16_t port;          /* the destination port of the records (the service) */
	bool outbound;          /* the traced host was the source */
	uint64_t count, permitted, denied;
	int64_t first_us, last_us;
};

struct logtrace_summary {
	uint64_t records, permitted, denied;
	int64_t first_us, last_us;   /* 0 when no records */
	struct logtrace_peer *peers; /* biggest count first; belongs to the trace */
	size_t n_peers;
	uint64_t others;             /* records with peers beyond LOGTRACE_PEERS */
};

struct logtrace;

/* A trace of @family/@addr. 0 (*@ret set), -EINVAL or -ENOMEM. */
int logtrace_new(int family, const uint8_t *addr, struct logtrace **ret);
void logtrace_free(struct logtrace *t);
/* True when @r has the traced host as source or destination. */
bool logtrace_matches(const struct logtrace *t, const struct logrec *r);
/* Feeds one record (others are ignored); 0 or -ENOMEM. */
int logtrace_add(struct logtrace *t, const struct logrec *r);
/* The summary; peers valid until the next logtrace_add() or logtrace_free(). */
void logtrace_result(struct logtrace *t, struct logtrace_summary *ret);

#endif

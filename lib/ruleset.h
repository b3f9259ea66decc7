/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ruleset as plain data: one nftables table of sets, maps and chains,
 * every rule with a stable id and the config location it came from. Both
 * renderings walk it: render.c (canonical nft text) and, in the daemon, the
 * netlink encoder. Built by compile_policy(); immutable once built.
 */
#ifndef GW_RULESET_H
#define GW_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "diag.h"

#define RULESET_TABLE "gatewayd"
/* Prefix of every NFLOG record of ours: "gw:A:<id>" or "gw:D:<id>". */
#define LOG_PREFIX_ACCEPT "gw:A:"
#define LOG_PREFIX_DROP "gw:D:"
/* nft's log prefix holds 127 bytes; the id gets what the prefix leaves. */
#define RULE_ID_MAX 120

/* What a match or a set key looks at. */
enum sel {
	SEL_IIFNAME,
	SEL_OIFNAME,
	SEL_ETHER_SADDR,
	SEL_IP_SADDR,
	SEL_IP_DADDR,
	SEL_IP6_SADDR,
	SEL_IP6_DADDR,
	SEL_L4PROTO,     /* meta l4proto */
	SEL_TH_DPORT,    /* th dport, inside a concatenation after l4proto */
	SEL_TCP_DPORT,
	SEL_UDP_DPORT,
	SEL_SCTP_DPORT,
	SEL_UDP_SPORT,
	SEL_ICMP_TYPE,
	SEL_ICMPV6_TYPE,
	SEL_CT_STATE,
	SEL_NFPROTO,
	SEL__COUNT
};

/* Set key types (nft's names in render.c). */
enum key_type {
	KT_IFNAME,
	KT_ETHER,
	KT_IPV4,
	KT_IPV6,
	KT_PROTO,
	KT_SERVICE,
	KT_MARK,    /* meta mark, host order (the per-source log limit's key, C-10) */
};

enum ct_bits {
	CT_INVALID = 1,
	CT_ESTABLISHED = 2,
	CT_RELATED = 4,
	CT_NEW = 8,
};

/* One value of one key type. */
struct value {
	char str[16];           /* KT_IFNAME */
	uint8_t mac[6];         /* KT_ETHER */
	struct addr_range addr; /* KT_IPV4/KT_IPV6: lo == hi for one address */
	uint32_t num;           /* KT_PROTO, ct bits, nfproto, icmp type */
	uint16_t lo, hi;        /* KT_SERVICE and ports: lo == hi for one port */
};

enum match_op {
	MOP_EQ,
	MOP_NE,
	MOP_IN_SET,
	MOP_NOT_IN_SET,
};

#define MATCH_MAX_SEL 4
struct match {
	enum sel sel[MATCH_MAX_SEL]; /* more than one: a concatenation */
	size_t n_sel;
	enum match_op op;
	struct value v;              /* MOP_EQ/NE on a single selector */
	const char *set;             /* MOP_IN_SET/NOT_IN_SET */
};

enum verdict {
	VERDICT_NONE, /* the rule only logs or counts */
	VERDICT_ACCEPT,
	VERDICT_DROP,
	VERDICT_JUMP,
	VERDICT_VMAP, /* dispatch through a verdict map */
	VERDICT_DNAT,
	VERDICT_SNAT,
};

/* Why a rule is there: listing and diff treat the kinds alike, counters differ. */
enum rule_role {
	ROLE_DECIDE,  /* decides a packet's fate: listed in the settings list (CHG-2) */
	ROLE_SRCLIMIT,/* per-source log limit of a deny (C-10): "<id>#src4", "<id>#src6" */
	ROLE_LOG,     /* rate-limited log companion of a deny (C-10): "<id>#log" */
	ROLE_DISPATCH,
};

/*
 * A deny's companions (C-10) carry its id and one of these suffixes, and
 * stand above it in this order; the review diff folds them into the deny.
 */
#define RULE_SUFFIX_SRC4 "#src4"
#define RULE_SUFFIX_SRC6 "#src6"
#define RULE_SUFFIX_LOG "#log"

#define RULE_MAX_MATCH 8
struct rule {
	const char *id;        /* stable, from config names; unique in the table */
	struct origin origin;  /* file 0 for built-in rules */
	enum rule_role role;
	const char *from, *to; /* zone pair, for the settings list; may be NULL */
	const char *services;  /* comma-separated names, for the settings list */
	const char *exception; /* OPS-8 exception id, or NULL */
	struct match m[RULE_MAX_MATCH];
	size_t n_match;
	bool counter;
	unsigned limit_rate, limit_burst; /* per second; 0: no limit */
	const char *log_prefix;           /* NULL: no log */
	unsigned log_group;
	enum verdict verdict;
	const char *target;               /* jump chain, vmap name */
	enum sel vmap_sel[2];
	size_t n_vmap_sel;
	struct prefix nat_to;             /* DNAT/SNAT address */
	/*
	 * ROLE_SRCLIMIT (C-10): "meta mark set <mark> update @<src_set> { ip[6]
	 * saddr . meta mark limit rate over <limit_rate>/second burst
	 * <limit_burst> packets counter }" before the counter and the drop: a
	 * source over its budget for this deny is dropped unlogged and counted
	 * per source in the set element. The mark names the deny in the key;
	 * the packet is dropped either way, so setting it changes nothing else.
	 */
	const char *src_set;
	int src_family;                   /* AF_INET or AF_INET6 */
	uint32_t mark;                    /* the deny's log mark, also on its other companions */
	unsigned rank;                    /* regular chains: sort class (compile.c) */
};

enum chain_hook {
	HOOK_NONE, /* a regular chain, reached by jump */
	HOOK_PREROUTING,
	HOOK_INPUT,
	HOOK_FORWARD,
	HOOK_OUTPUT,
	HOOK_POSTROUTING,
};

struct chain {
	const char *name;
	enum chain_hook hook;
	const char *type;   /* "filter" or "nat" for base chains */
	int priority;
	enum verdict policy;/* base chains: VERDICT_ACCEPT or VERDICT_DROP */
	struct rule *rules;
	size_t n_rules, cap_rules;
	unsigned order;     /* base chains first, in hook order */
};

struct elem {
	struct value key[MATCH_MAX_SEL];
	const char *jump;   /* maps: the chain of the "jump" verdict */
};

struct set {
	const char *name;
	const char *comment;
	enum key_type key[MATCH_MAX_SEL];
	size_t n_key;
	bool interval;
	bool is_map;        /* data type verdict */
	/* Filled by the kernel (update from a rule): flags dynamic,timeout. */
	bool dynamic;
	unsigned size;      /* dynamic: most elements */
	unsigned timeout_s; /* dynamic: an element is forgotten this long after its last update */
	struct elem *elems;
	size_t n_elems, cap_elems;
};

/* Name look-up for sets and chains: open addressing, in the ruleset's arena. */
struct name_index {
	void **slots; /* struct set * or struct chain *; name is their first member */
	size_t n, cap;
};

struct ruleset {
	struct arena *arena;
	const char *table;
	struct set **sets;
	size_t n_sets, cap_sets;
	struct chain **chains;
	size_t n_chains, cap_chains;
	struct name_index set_index, chain_index;
};

struct ruleset *ruleset_new(void);
void ruleset_free(struct ruleset *rs);
/* Adds an empty set or chain; NULL when out of memory. Names are copied. */
struct set *ruleset_add_set(struct ruleset *rs, const char *name);
struct chain *ruleset_add_chain(struct ruleset *rs, const char *name);
struct set *ruleset_set(const struct ruleset *rs, const char *name);
struct chain *ruleset_chain(const struct ruleset *rs, const char *name);
/*
 * Appends a zeroed rule to @c (an element to @s); NULL when out of memory.
 * The returned pointer is valid until the next add to the same chain (set).
 */
struct rule *chain_add_rule(struct ruleset *rs, struct chain *c);
struct elem *set_add_elem(struct ruleset *rs, struct set *s);
/*
 * Puts sets, chains, set elements and the rules of regular chains in their
 * canonical order. Regular chains hold accepts before drops, so sorting by
 * verdict class and then id keeps their meaning (see compile.c).
 */
void ruleset_sort(struct ruleset *rs);
/* Number of rules with ROLE_DECIDE. */
size_t ruleset_count_deciding(const struct ruleset *rs);

#endif

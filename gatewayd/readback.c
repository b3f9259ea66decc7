/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: table inet gatewayd read back over netlink and compared with the
 * ruleset (readback.h). Both sides become a "snapshot" through the same
 * code: the kernel's dump replies, and the messages of the batch the
 * encoder builds for the ruleset, go through the same parsers. Chains,
 * sets and set elements are compared as libnftnl prints them; rules by
 * their expression attributes, and when those differ, as libnftnl prints
 * them (so a rule is equal exactly when its printing is).
 */
#include "readback.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "encode.h"
#include "util.h"

/* Attempts when the ruleset changes while we dump it. */
#define DUMP_ATTEMPTS 5
/* A dump reply is at most one 32 KiB skb; room for two. */
#define DUMP_BUF_SIZE (64 * 1024)

/* Sets that later stages fill at run time: existence and type only. */
static const char *const runtime_sets[] = {
	SET_REGISTERED, SET_QUARANTINE_MAC, SET_QUARANTINE4, SET_VPN_GRANTS, SET_PROXY_BYPASS,
	SET_DENY_SRC4,	SET_DENY_SRC6,
	SET_RESTRICTED4, SET_DEVICE_SERVICES4, SET_DEVICE_PROTOS4,
};

/* ---- snapshots: a table from the kernel or from the encoder ---------------- */

struct tchain {
	const char *name;
	const char *desc;  /* "regular" or "type filter; hook input; priority 0; policy drop" */
	size_t n_rules;
};

struct tset {
	const char *name;
	const char *desc;  /* "flags 0x4; key type 0x7; key length 4; ..." */
	bool runtime;      /* elements not compared */
	bool anonymous;    /* belongs to a rule (never ours) */
	const char **elems;
	size_t n_elems, cap_elems;
};

struct trule {
	struct rule_counter c;
	const struct nlmsghdr *msg;  /* kernel: a copy in the arena; ruleset: in the batch */
	const struct nlattr *exprs;  /* msg's NFTA_RULE_EXPRESSIONS, or NULL */
	size_t pos;                  /* 0-based position in its chain */
};

struct name_idx {
	const char *name;
	size_t i;
};

struct snap {
	struct arena *a;
	const char *table;   /* the table we keep; others are skipped */
	bool copy_msgs;      /* rule messages are copied (dump replies are not kept) */
	bool has_table;
	uint32_t table_flags;
	struct tchain *chains;
	size_t n_chains, cap_chains;
	struct tset *sets;
	size_t n_sets, cap_sets;
	struct trule *rules;
	size_t n_rules, cap_rules;
	uint32_t gen;        /* NFT_MSG_NEWGEN reply */
	size_t last_set;     /* elements come set by set: the last one found */
	struct name_idx *chain_idx; /* chains sorted by name (snap_finish()) */
	struct nl_batch *b;  /* ruleset side: the batch the rules point into */
	int err;             /* first error inside a callback */
};

struct readback {
	struct snap s;
	struct rule_counter *counters;   /* s.n_rules, kernel order */
	const struct rule_counter **by_id; /* rules with an id, sorted by id */
	size_t n_by_id;
};

static int snap_init(struct snap *s, const char *table)
{
	memset(s, 0, sizeof(*s));
	s->a = arena_new();
	if (!s->a)
		return -ENOMEM;
	s->table = arena_strdup(s->a, table);
	return s->table ? 0 : -ENOMEM;
}

static void snap_fini(struct snap *s)
{
	nl_batch_free(s->b);
	s->b = NULL;
	arena_free(s->a);
	s->a = NULL;
}

static bool is_runtime_set(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(runtime_sets); i++)
		if (!strcmp(name, runtime_sets[i]))
			return true;
	return false;
}

static const char *hook_name(uint32_t h)
{
	static const char *const names[] = {
		[NF_INET_PRE_ROUTING] = "prerouting", [NF_INET_LOCAL_IN] = "input",
		[NF_INET_FORWARD] = "forward",         [NF_INET_LOCAL_OUT] = "output",
		[NF_INET_POST_ROUTING] = "postrouting",
	};

	return h < ARRAY_SIZE(names) ? names[h] : "?";
}

/* True when @s belongs to the snapshot's table (dumps are filtered, batches not). */
static bool ours(const struct snap *s, const char *table, uint32_t family)
{
	return family == NFPROTO_INET && table && !strcmp(table, s->table);
}

static int snap_table(struct snap *s, const struct nlmsghdr *nlh)
{
	struct nftnl_table *t = nftnl_table_alloc();
	int ret = 0;

	if (!t)
		return -ENOMEM;
	if (nftnl_table_nlmsg_parse(nlh, t) < 0)
		ret = -EPROTO;
	else if (ours(s, nftnl_table_get_str(t, NFTNL_TABLE_NAME),
		      nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY))) {
		s->has_table = true;
		s->table_flags = nftnl_table_is_set(t, NFTNL_TABLE_FLAGS)
					 ? nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS) : 0;
	}
	nftnl_table_free(t);
	return ret;
}

static int snap_chain(struct snap *s, const struct nlmsghdr *nlh)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct tchain *tc;
	int ret = -ENOMEM;

	if (!c)
		return -ENOMEM;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0) {
		ret = -EPROTO;
		goto out;
	}
	if (!ours(s, nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE),
		  nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY))) {
		ret = 0;
		goto out;
	}
	tc = ARENA_PUSH(s->a, s->chains, s->n_chains, s->cap_chains);
	if (!tc || !(tc->name = arena_strdup(s->a, nftnl_chain_get_str(c, NFTNL_CHAIN_NAME))))
		goto out;
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM)) {
		const char *policy = "none";

		if (nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY))
			policy = nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP ? "drop"
										       : "accept";
		tc->desc = arena_printf(s->a, "type %s; hook %s; priority %d; policy %s",
					nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE) ?: "?",
					hook_name(nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM)),
					nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO), policy);
	} else {
		tc->desc = "regular";
	}
	ret = tc->desc ? 0 : -ENOMEM;
out:
	nftnl_chain_free(c);
	return ret;
}

struct set_udata {
	const char *comment;
	uint32_t key_byteorder;
	unsigned other; /* attributes we do not set */
};

/* A NUL-terminated string attribute of user data, or NULL. */
static const char *udata_str(const struct nftnl_udata *attr)
{
	const char *p = nftnl_udata_get(attr);
	uint8_t len = nftnl_udata_len(attr);

	return len && p[len - 1] == '\0' ? p : NULL;
}

static int set_udata_cb(const struct nftnl_udata *attr, void *data)
{
	struct set_udata *u = data;

	switch (nftnl_udata_type(attr)) {
	case NFTNL_UDATA_SET_COMMENT:
		u->comment = udata_str(attr) ?: "(unterminated)";
		break;
	case NFTNL_UDATA_SET_KEYBYTEORDER:
		if (nftnl_udata_len(attr) == sizeof(uint32_t))
			u->key_byteorder = nftnl_udata_get_u32(attr);
		break;
	default:
		u->other++;
	}
	return 0;
}

/* What we define of a set, as "; "-separated fields. */
static const char *set_desc(struct snap *s, const struct nftnl_set *ns)
{
	struct set_udata u = { 0 };
	const void *ud;
	uint32_t len = 0;

	ud = nftnl_set_get_data(ns, NFTNL_SET_USERDATA, &len);
	if (ud && len)
		nftnl_udata_parse(ud, len, set_udata_cb, &u);
	return arena_printf(s->a, "flags 0x%x; key type 0x%x; key length %u; data type 0x%x; "
				  "key byte order %u; comment '%s'%s",
			    nftnl_set_get_u32(ns, NFTNL_SET_FLAGS),
			    nftnl_set_get_u32(ns, NFTNL_SET_KEY_TYPE),
			    nftnl_set_get_u32(ns, NFTNL_SET_KEY_LEN),
			    nftnl_set_get_u32(ns, NFTNL_SET_DATA_TYPE), u.key_byteorder,
			    u.comment ? u.comment : "", u.other ? "; other user data" : "");
}

static int snap_set(struct snap *s, const struct nlmsghdr *nlh)
{
	struct nftnl_set *ns = nftnl_set_alloc();
	struct tset *ts;
	int ret = -ENOMEM;

	if (!ns)
		return -ENOMEM;
	if (nftnl_set_nlmsg_parse(nlh, ns) < 0) {
		ret = -EPROTO;
		goto out;
	}
	if (!ours(s, nftnl_set_get_str(ns, NFTNL_SET_TABLE),
		  nftnl_set_get_u32(ns, NFTNL_SET_FAMILY))) {
		ret = 0;
		goto out;
	}
	ts = ARENA_PUSH(s->a, s->sets, s->n_sets, s->cap_sets);
	if (!ts || !(ts->name = arena_strdup(s->a, nftnl_set_get_str(ns, NFTNL_SET_NAME))) ||
	    !(ts->desc = set_desc(s, ns)))
		goto out;
	ts->runtime = is_runtime_set(ts->name);
	ts->anonymous = nftnl_set_get_u32(ns, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS;
	ret = 0;
out:
	nftnl_set_free(ns);
	return ret;
}

/* Elements follow their set (batch) or are asked for set by set (dump). */
static struct tset *snap_find_set(struct snap *s, const char *name)
{
	size_t i;

	if (s->last_set < s->n_sets && !strcmp(s->sets[s->last_set].name, name))
		return &s->sets[s->last_set];
	if (s->n_sets && !strcmp(s->sets[s->n_sets - 1].name, name))
		return &s->sets[s->last_set = s->n_sets - 1];
	for (i = 0; i < s->n_sets; i++)
		if (!strcmp(s->sets[i].name, name)) {
			s->last_set = i;
			return &s->sets[i];
		}
	return NULL;
}

struct elem_walk {
	struct snap *s;
	struct tset *ts;
};

/* One element as libnftnl prints it: key words, value or verdict, flags. */
static int elem_text(struct nftnl_set_elem *e, void *data)
{
	struct elem_walk *w = data;
	const char **slot = ARENA_PUSH(w->s->a, w->ts->elems, w->ts->n_elems, w->ts->cap_elems);
	char buf[1024];

	if (!slot)
		return -1;
	nftnl_set_elem_snprintf(buf, sizeof(buf), e, NFTNL_OUTPUT_DEFAULT, 0);
	*slot = arena_strdup(w->s->a, buf);
	return *slot ? 0 : -1;
}

static int snap_elems(struct snap *s, const struct nlmsghdr *nlh)
{
	struct nftnl_set *ns = nftnl_set_alloc();
	struct elem_walk w = { .s = s };
	int ret = 0;

	if (!ns)
		return -ENOMEM;
	if (nftnl_set_elems_nlmsg_parse(nlh, ns) < 0)
		ret = -EPROTO;
	else if (ours(s, nftnl_set_get_str(ns, NFTNL_SET_TABLE),
		      nftnl_set_get_u32(ns, NFTNL_SET_FAMILY)) &&
		 (w.ts = snap_find_set(s, nftnl_set_get_str(ns, NFTNL_SET_NAME))) &&
		 !w.ts->runtime && nftnl_set_elem_foreach(ns, elem_text, &w) < 0)
		ret = -ENOMEM;
	nftnl_set_free(ns);
	return ret;
}

/* The rule's comment: the stable id (NFTNL_UDATA_RULE_COMMENT). */
static int rule_udata_cb(const struct nftnl_udata *attr, void *data)
{
	const char **id = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT)
		*id = udata_str(attr);
	return 0;
}

/* Attributes of one level by type; types past @max are ignored. */
struct attrs {
	const struct nlattr *tb[33];
	unsigned max;
	bool unknown; /* a type past max was seen */
};

static int attrs_cb(const struct nlattr *attr, void *data)
{
	struct attrs *t = data;
	unsigned type = mnl_attr_get_type(attr);

	if (type <= t->max)
		t->tb[type] = attr;
	else
		t->unknown = true;
	return MNL_CB_OK;
}

static int attrs_nested(const struct nlattr *nest, unsigned max, struct attrs *t)
{
	memset(t, 0, sizeof(*t));
	t->max = max < ARRAY_SIZE(t->tb) ? max : ARRAY_SIZE(t->tb) - 1;
	if (!nest)
		return 0;
	return mnl_attr_parse_nested(nest, attrs_cb, t) < 0 ? -EPROTO : 0;
}

static const char *attr_str(const struct nlattr *a)
{
	size_t len = a ? mnl_attr_get_payload_len(a) : 0;
	const char *p = a ? mnl_attr_get_payload(a) : NULL;

	return len && p[len - 1] == '\0' ? p : NULL;
}

/* The first attribute of type @type in a nest, or NULL. */
static const struct nlattr *nest_find(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

/* Walks the expressions nest: counter of the rule (the first counter expression). */
static int rule_counter_of(const struct nlattr *exprs, struct rule_counter *c)
{
	const struct nlattr *e;

	if (!exprs)
		return 0;
	mnl_attr_for_each_nested(e, exprs) {
		const char *name = attr_str(nest_find(e, NFTA_EXPR_NAME));
		struct attrs d;

		if (!name || strcmp(name, "counter"))
			continue;
		if (attrs_nested(nest_find(e, NFTA_EXPR_DATA), NFTA_COUNTER_MAX, &d))
			return -EPROTO;
		c->has_counter = true;
		if (d.tb[NFTA_COUNTER_PACKETS] &&
		    mnl_attr_get_payload_len(d.tb[NFTA_COUNTER_PACKETS]) == sizeof(uint64_t))
			c->packets = be64toh(mnl_attr_get_u64(d.tb[NFTA_COUNTER_PACKETS]));
		if (d.tb[NFTA_COUNTER_BYTES] &&
		    mnl_attr_get_payload_len(d.tb[NFTA_COUNTER_BYTES]) == sizeof(uint64_t))
			c->bytes = be64toh(mnl_attr_get_u64(d.tb[NFTA_COUNTER_BYTES]));
		return 0;
	}
	return 0;
}

/*
 * A rule from a NEWRULE message: chain, handle, comment id, counter and
 * where its expressions are. Read with libmnl only: libnftnl objects (and
 * their printing) are made only for rules that do not compare equal.
 */
static int snap_rule(struct snap *s, const struct nlmsghdr *nlh)
{
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	const char *table, *chain, *id = NULL;
	struct attrs t = { .max = NFTA_RULE_MAX };
	struct trule *tr;
	int ret;

	if (mnl_attr_parse(nlh, sizeof(*nfg), attrs_cb, &t) < 0)
		return -EPROTO;
	table = attr_str(t.tb[NFTA_RULE_TABLE]);
	chain = attr_str(t.tb[NFTA_RULE_CHAIN]);
	if (!ours(s, table, nfg->nfgen_family))
		return 0;
	if (!chain)
		return -EPROTO;
	tr = ARENA_PUSH(s->a, s->rules, s->n_rules, s->cap_rules);
	if (!tr)
		return -ENOMEM;
	/* Rules come chain by chain: share the chain's name with the previous rule. */
	if (s->n_rules > 1 && !strcmp(tr[-1].c.chain, chain)) {
		tr->c.chain = tr[-1].c.chain;
		tr->pos = tr[-1].pos + 1;
	} else if (!(tr->c.chain = arena_strdup(s->a, chain))) {
		return -ENOMEM;
	}
	if (t.tb[NFTA_RULE_HANDLE] && mnl_attr_get_payload_len(t.tb[NFTA_RULE_HANDLE]) == 8)
		tr->c.handle = be64toh(mnl_attr_get_u64(t.tb[NFTA_RULE_HANDLE]));
	if (t.tb[NFTA_RULE_USERDATA])
		nftnl_udata_parse(mnl_attr_get_payload(t.tb[NFTA_RULE_USERDATA]),
				  mnl_attr_get_payload_len(t.tb[NFTA_RULE_USERDATA]), rule_udata_cb,
				  &id);
	if (id && !(tr->c.id = arena_strdup(s->a, id)))
		return -ENOMEM;
	if ((ret = rule_counter_of(t.tb[NFTA_RULE_EXPRESSIONS], &tr->c)))
		return ret;
	tr->msg = nlh;
	tr->exprs = t.tb[NFTA_RULE_EXPRESSIONS];
	if (s->copy_msgs) {
		char *copy = arena_zalloc(s->a, nlh->nlmsg_len);

		if (!copy)
			return -ENOMEM;
		memcpy(copy, nlh, nlh->nlmsg_len);
		tr->msg = (const struct nlmsghdr *)copy;
		if (tr->exprs)
			tr->exprs = (const struct nlattr *)(copy + ((const char *)tr->exprs -
								     (const char *)nlh));
	}
	return 0;
}

/* ---- rule comparison: structure first, libnftnl's text when it differs --- */

/*
 * Fills in what the kernel makes explicit when it stores an expression, so
 * that the encoder's object prints as the kernel's dump of it does:
 * - lookup: NFTA_LOOKUP_FLAGS is always dumped, 0 when not inverted;
 * - bitwise: NFTA_BITWISE_OP is always dumped, NFT_BITWISE_BOOL by default;
 * - nat with an address register: nft_nat_init() sets addr_max to addr_min
 *   when only addr_min is given, and the flag NF_NAT_RANGE_MAP_IPS.
 * Idempotent: a dumped expression already has these and passes unchanged.
 * expr_equal() applies the same defaults; keep the two in step.
 */
static void expr_as_kernel(struct nftnl_expr *e, const char *name)
{
	if (!strcmp(name, "lookup")) {
		if (!nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS))
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, 0);
	} else if (!strcmp(name, "bitwise")) {
		if (!nftnl_expr_is_set(e, NFTNL_EXPR_BITWISE_OP))
			nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_OP, NFT_BITWISE_BOOL);
	} else if (!strcmp(name, "nat") && nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_ADDR_MIN)) {
		if (!nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_ADDR_MAX))
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX,
					   nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN));
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS,
				   (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_FLAGS)
					    ? nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FLAGS) : 0) |
				   NF_NAT_RANGE_MAP_IPS);
	}
}

/* One expression as libnftnl prints it; a counter without its values. */
static int expr_text(struct nftnl_expr *e, void *data)
{
	struct strbuf *sb = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	char buf[1024];

	if (!strcmp(name, "counter")) {
		sb_addf(sb, "[ counter ]\n");
		return 0;
	}
	expr_as_kernel(e, name);
	nftnl_expr_snprintf(buf, sizeof(buf), e, NFTNL_OUTPUT_DEFAULT, 0);
	sb_addf(sb, "[ %s %s]\n", name, buf);
	return 0;
}

/* The rule's expressions as libnftnl prints them, one per line, in @a. */
static int rule_text(struct arena *a, const struct trule *tr, const char **ret)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct strbuf sb = { 0 };
	int err = -ENOMEM;

	if (!r)
		return -ENOMEM;
	if (nftnl_rule_nlmsg_parse(tr->msg, r) < 0) {
		err = -EPROTO;
		goto out;
	}
	nftnl_expr_foreach(r, expr_text, &sb);
	if (!sb.oom && (*ret = arena_strdup(a, sb.buf ?: "")))
		err = 0;
out:
	sb_fini(&sb);
	nftnl_rule_free(r);
	return err;
}

static uint32_t attr_u32_or(const struct nlattr *a, uint32_t def)
{
	if (!a || mnl_attr_get_payload_len(a) != sizeof(uint32_t))
		return def;
	return ntohl(mnl_attr_get_u32(a));
}

static uint64_t attr_u64_or(const struct nlattr *a, uint64_t def)
{
	if (!a || mnl_attr_get_payload_len(a) != sizeof(uint64_t))
		return def;
	return be64toh(mnl_attr_get_u64(a));
}

static bool attr_equal(const struct nlattr *x, const struct nlattr *y);
static bool exprs_equal(const struct nlattr *x, const struct nlattr *y);

/* Two nests with equal attributes in the same order. */
static bool nest_equal(const struct nlattr *x, const struct nlattr *y)
{
	const char *endx = (const char *)x + mnl_attr_get_len(x);
	const char *endy = (const char *)y + mnl_attr_get_len(y);

	x = mnl_attr_get_payload(x);
	y = mnl_attr_get_payload(y);
	while (mnl_attr_ok(x, (int)(endx - (const char *)x)) &&
	       mnl_attr_ok(y, (int)(endy - (const char *)y))) {
		if (!attr_equal(x, y))
			return false;
		x = mnl_attr_next(x);
		y = mnl_attr_next(y);
	}
	return !mnl_attr_ok(x, (int)(endx - (const char *)x)) &&
	       !mnl_attr_ok(y, (int)(endy - (const char *)y));
}

/*
 * Equal type and payload. libmnl marks the nests it builds NLA_F_NESTED,
 * the kernel dumps nests of data and verdicts without the flag: a nest
 * on either side is compared attribute by attribute.
 */
static bool attr_equal(const struct nlattr *x, const struct nlattr *y)
{
	if (!x || !y)
		return x == y;
	if (mnl_attr_get_type(x) != mnl_attr_get_type(y))
		return false;
	if ((x->nla_type | y->nla_type) & NLA_F_NESTED)
		return nest_equal(x, y);
	return mnl_attr_get_payload_len(x) == mnl_attr_get_payload_len(y) &&
	       !memcmp(mnl_attr_get_payload(x), mnl_attr_get_payload(y),
		       mnl_attr_get_payload_len(x));
}

/*
 * Two expressions with the same attributes, order aside, under the
 * defaults expr_as_kernel() fills in; a counter's values and a lookup's
 * set id (a reference inside one transaction, never dumped) left out.
 * True implies that libnftnl prints both alike. False may still print
 * alike (an attribute libnftnl does not print): the caller then compares
 * the text.
 */
static bool expr_equal(const struct nlattr *ex, const struct nlattr *ey)
{
	struct attrs x, y, dx, dy;
	const char *name;
	unsigned i;

	/* Most expressions come back attribute for attribute as they were sent. */
	if (nest_equal(ex, ey))
		return true;
	if (attrs_nested(ex, NFTA_EXPR_MAX, &x) || attrs_nested(ey, NFTA_EXPR_MAX, &y) ||
	    x.unknown || y.unknown)
		return false;
	name = attr_str(x.tb[NFTA_EXPR_NAME]);
	if (!name || !attr_equal(x.tb[NFTA_EXPR_NAME], y.tb[NFTA_EXPR_NAME]))
		return false;
	if (!strcmp(name, "counter"))
		return true;
	if (attrs_nested(x.tb[NFTA_EXPR_DATA], 32, &dx) ||
	    attrs_nested(y.tb[NFTA_EXPR_DATA], 32, &dy) || dx.unknown || dy.unknown)
		return false;
	if (!strcmp(name, "dynset")) {
		/*
		 * C-10's per-source limit: the set id is a reference inside one
		 * transaction; a zero timeout and zero flags are the defaults
		 * the kernel dumps; the element expressions compare like rule
		 * expressions (a counter's values left out).
		 */
		const struct nlattr *lx = dx.tb[NFTA_DYNSET_EXPRESSIONS];
		const struct nlattr *ly = dy.tb[NFTA_DYNSET_EXPRESSIONS];

		dx.tb[NFTA_DYNSET_SET_ID] = dy.tb[NFTA_DYNSET_SET_ID] = NULL;
		if (attr_u64_or(dx.tb[NFTA_DYNSET_TIMEOUT], 0) !=
			    attr_u64_or(dy.tb[NFTA_DYNSET_TIMEOUT], 0) ||
		    attr_u32_or(dx.tb[NFTA_DYNSET_FLAGS], 0) != attr_u32_or(dy.tb[NFTA_DYNSET_FLAGS], 0) ||
		    !exprs_equal(lx, ly))
			return false;
		dx.tb[NFTA_DYNSET_TIMEOUT] = dy.tb[NFTA_DYNSET_TIMEOUT] = NULL;
		dx.tb[NFTA_DYNSET_FLAGS] = dy.tb[NFTA_DYNSET_FLAGS] = NULL;
		dx.tb[NFTA_DYNSET_EXPRESSIONS] = dy.tb[NFTA_DYNSET_EXPRESSIONS] = NULL;
	} else if (!strcmp(name, "lookup")) {
		dx.tb[NFTA_LOOKUP_SET_ID] = dy.tb[NFTA_LOOKUP_SET_ID] = NULL;
		if (attr_u32_or(dx.tb[NFTA_LOOKUP_FLAGS], 0) !=
		    attr_u32_or(dy.tb[NFTA_LOOKUP_FLAGS], 0))
			return false;
		dx.tb[NFTA_LOOKUP_FLAGS] = dy.tb[NFTA_LOOKUP_FLAGS] = NULL;
	} else if (!strcmp(name, "bitwise")) {
		if (attr_u32_or(dx.tb[NFTA_BITWISE_OP], NFT_BITWISE_BOOL) !=
		    attr_u32_or(dy.tb[NFTA_BITWISE_OP], NFT_BITWISE_BOOL))
			return false;
		dx.tb[NFTA_BITWISE_OP] = dy.tb[NFTA_BITWISE_OP] = NULL;
	} else if (!strcmp(name, "nat") && dx.tb[NFTA_NAT_REG_ADDR_MIN] &&
		   dy.tb[NFTA_NAT_REG_ADDR_MIN]) {
		uint32_t minx = attr_u32_or(dx.tb[NFTA_NAT_REG_ADDR_MIN], 0);
		uint32_t miny = attr_u32_or(dy.tb[NFTA_NAT_REG_ADDR_MIN], 0);

		if (attr_u32_or(dx.tb[NFTA_NAT_REG_ADDR_MAX], minx) !=
			    attr_u32_or(dy.tb[NFTA_NAT_REG_ADDR_MAX], miny) ||
		    (attr_u32_or(dx.tb[NFTA_NAT_FLAGS], 0) | NF_NAT_RANGE_MAP_IPS) !=
			    (attr_u32_or(dy.tb[NFTA_NAT_FLAGS], 0) | NF_NAT_RANGE_MAP_IPS))
			return false;
		dx.tb[NFTA_NAT_REG_ADDR_MAX] = dy.tb[NFTA_NAT_REG_ADDR_MAX] = NULL;
		dx.tb[NFTA_NAT_FLAGS] = dy.tb[NFTA_NAT_FLAGS] = NULL;
	}
	for (i = 1; i <= 32; i++)
		if (!attr_equal(dx.tb[i], dy.tb[i]))
			return false;
	return true;
}

/* The expression lists of two rules, pairwise equal by expr_equal(). */
static bool exprs_equal(const struct nlattr *x, const struct nlattr *y)
{
	const char *endx, *endy;

	if (!x || !y)
		return x == y;
	endx = (const char *)x + mnl_attr_get_len(x);
	endy = (const char *)y + mnl_attr_get_len(y);
	x = mnl_attr_get_payload(x);
	y = mnl_attr_get_payload(y);
	while (mnl_attr_ok(x, (int)(endx - (const char *)x)) &&
	       mnl_attr_ok(y, (int)(endy - (const char *)y))) {
		if (!expr_equal(x, y))
			return false;
		x = mnl_attr_next(x);
		y = mnl_attr_next(y);
	}
	return !mnl_attr_ok(x, (int)(endx - (const char *)x)) &&
	       !mnl_attr_ok(y, (int)(endy - (const char *)y));
}

/* Any message of table inet gatewayd, from a dump reply or from a batch. */
static int snap_msg(const struct nlmsghdr *nlh, void *data)
{
	struct snap *s = data;
	struct nftnl_gen *g;
	int ret = 0;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return MNL_CB_OK;
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWTABLE:
		ret = snap_table(s, nlh);
		break;
	case NFT_MSG_NEWCHAIN:
		ret = snap_chain(s, nlh);
		break;
	case NFT_MSG_NEWSET:
		ret = snap_set(s, nlh);
		break;
	case NFT_MSG_NEWSETELEM:
		ret = snap_elems(s, nlh);
		break;
	case NFT_MSG_NEWRULE:
		ret = snap_rule(s, nlh);
		break;
	case NFT_MSG_NEWGEN:
		g = nftnl_gen_alloc();
		if (!g || nftnl_gen_nlmsg_parse(nlh, g) < 0)
			ret = g ? -EPROTO : -ENOMEM;
		else
			s->gen = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
		nftnl_gen_free(g);
		break;
	default:
		break;
	}
	if (ret) {
		s->err = ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_name_idx(const void *a, const void *b)
{
	return strcmp(((const struct name_idx *)a)->name, ((const struct name_idx *)b)->name);
}

/* Indexes of @n objects of size @sz (a name first), sorted by name. */
static size_t *sorted_by_name(struct arena *a, const void *base, size_t n, size_t sz)
{
	struct name_idx *v = arena_zalloc(a, (n + 1) * sizeof(*v));
	size_t *idx = arena_zalloc(a, (n + 1) * sizeof(*idx));
	size_t i;

	if (!v || !idx)
		return NULL;
	for (i = 0; i < n; i++)
		v[i] = (struct name_idx){ *(const char *const *)((const char *)base + i * sz), i };
	qsort(v, n, sizeof(*v), cmp_name_idx);
	for (i = 0; i < n; i++)
		idx[i] = v[i].i;
	return idx;
}

/* Index of chain @name in @s, or SIZE_MAX; O(log n) once snap_finish() ran. */
static size_t snap_chain_find(const struct snap *s, const char *name)
{
	const struct name_idx key = { .name = name }, *hit;

	hit = bsearch(&key, s->chain_idx, s->n_chains, sizeof(*s->chain_idx), cmp_name_idx);
	return hit ? hit->i : SIZE_MAX;
}

/* Once complete: chains indexed by name, rules counted, set elements sorted. */
static int snap_finish(struct snap *s)
{
	size_t i, c = SIZE_MAX;

	s->chain_idx = arena_zalloc(s->a, (s->n_chains + 1) * sizeof(*s->chain_idx));
	if (!s->chain_idx)
		return -ENOMEM;
	for (i = 0; i < s->n_chains; i++)
		s->chain_idx[i] = (struct name_idx){ s->chains[i].name, i };
	qsort(s->chain_idx, s->n_chains, sizeof(*s->chain_idx), cmp_name_idx);
	/* Rules come chain by chain: look the chain up when it changes. */
	for (i = 0; i < s->n_rules; i++) {
		if (!i || s->rules[i].c.chain != s->rules[i - 1].c.chain)
			c = snap_chain_find(s, s->rules[i].c.chain);
		if (c != SIZE_MAX)
			s->chains[c].n_rules++;
	}
	for (i = 0; i < s->n_sets; i++)
		if (s->sets[i].n_elems)
			qsort(s->sets[i].elems, s->sets[i].n_elems, sizeof(*s->sets[i].elems),
			      cmp_str);
	return 0;
}

/* ---- netlink ------------------------------------------------------------ */

struct nl {
	struct mnl_socket *sock;
	uint32_t portid, seq;
	char *buf;
};

/*
 * Sends one request and feeds every reply to snap_msg() until the dump's
 * NLMSG_DONE or the request's ack. Returns 0 or a negative errno: the
 * kernel's (-ENOENT: no such table), -EINTR when the ruleset changed during
 * the dump (NLM_F_DUMP_INTR), or the parser's.
 */
static int nl_request(struct nl *nl, struct nlmsghdr *req, struct snap *s)
{
	ssize_t n;
	int r;

	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, nl->buf, DUMP_BUF_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		s->err = 0;
		r = mnl_cb_run(nl->buf, (size_t)n, req->nlmsg_seq, nl->portid, snap_msg, s);
		if (r < 0)
			return s->err ? s->err : -errno;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

/* A GET of @type in family inet: a dump when @flags has NLM_F_DUMP, else acked. */
static struct nlmsghdr *nl_hdr(struct nl *nl, char *buf, uint16_t type, uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET,
				     flags & NLM_F_DUMP ? flags : flags | NLM_F_ACK, ++nl->seq);
}

static int nl_get_gen(struct nl *nl, struct snap *s, uint32_t *ret_gen)
{
	char req[256];
	int r;

	r = nl_request(nl, nftnl_nlmsg_build_hdr(req, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK,
						 ++nl->seq), s);
	if (!r)
		*ret_gen = s->gen;
	return r;
}

static int nl_get_table(struct nl *nl, struct snap *s)
{
	struct nftnl_table *t = nftnl_table_alloc();
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int r;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, s->table);
	nlh = nl_hdr(nl, req, NFT_MSG_GETTABLE, 0);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	r = nl_request(nl, nlh, s);
	return r == -ENOENT ? 0 : r;
}

/* Chains and sets of the table: one dump each. */
static int nl_dump_objects(struct nl *nl, struct snap *s)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nftnl_set *ns = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	int ret = -ENOMEM;

	if (!c || !ns)
		goto out;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, s->table);
	nlh = nl_hdr(nl, req, NFT_MSG_GETCHAIN, NLM_F_DUMP);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	if ((ret = nl_request(nl, nlh, s)))
		goto out;
	nftnl_set_set_u32(ns, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(ns, NFTNL_SET_TABLE, s->table);
	nlh = nl_hdr(nl, req, NFT_MSG_GETSET, NLM_F_DUMP);
	nftnl_set_nlmsg_build_payload(nlh, ns);
	ret = nl_request(nl, nlh, s);
out:
	nftnl_set_free(ns);
	nftnl_chain_free(c);
	return ret;
}

/*
 * The rules of the table, one dump per chain, in chain order. One dump of
 * the whole table would be quadratic: the kernel fills one skb of at most
 * 32 KiB per recvmsg() (about 50 of our rules) and resumes each time by
 * walking the table's rules from the first (__nf_tables_dump_rules()),
 * 35 ms at 10k rules against 25 ms chain by chain, where the walk is
 * bounded by the chain (100 rules at most by design) and the chain is
 * found by its hash.
 */
static int nl_dump_rules(struct nl *nl, struct snap *s)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	size_t i;
	int ret = 0;

	for (i = 0; i < s->n_chains && !ret; i++) {
		struct nftnl_rule *r = nftnl_rule_alloc();

		if (!r)
			return -ENOMEM;
		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, s->table);
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, s->chains[i].name);
		nlh = nl_hdr(nl, req, NFT_MSG_GETRULE, NLM_F_DUMP);
		nftnl_rule_nlmsg_build_payload(nlh, r);
		nftnl_rule_free(r);
		ret = nl_request(nl, nlh, s);
	}
	return ret;
}

/* The elements of every set in the kernel whose contents @rs defines. */
static int nl_dump_elems(struct nl *nl, struct snap *s, const struct ruleset *rs)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	size_t i;
	int ret = 0;

	for (i = 0; i < s->n_sets && !ret; i++) {
		struct nftnl_set *ns;

		if (s->sets[i].runtime || s->sets[i].anonymous || !rs ||
		    !ruleset_set(rs, s->sets[i].name))
			continue;
		ns = nftnl_set_alloc();
		if (!ns)
			return -ENOMEM;
		nftnl_set_set_u32(ns, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_str(ns, NFTNL_SET_TABLE, s->table);
		nftnl_set_set_str(ns, NFTNL_SET_NAME, s->sets[i].name);
		nlh = nl_hdr(nl, req, NFT_MSG_GETSETELEM, NLM_F_DUMP);
		nftnl_set_elems_nlmsg_build_payload(nlh, ns);
		nftnl_set_free(ns);
		s->last_set = i;
		ret = nl_request(nl, nlh, s);
	}
	return ret;
}

/* One attempt: generation, table, objects, elements, generation again. */
static int dump_once(struct snap *s, const struct ruleset *rs)
{
	struct nl nl = { 0 };
	uint32_t gen0 = 0, gen1 = 0;
	int ret;

	nl.buf = malloc(DUMP_BUF_SIZE);
	nl.sock = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl.buf || !nl.sock) {
		ret = nl.buf ? -errno : -ENOMEM;
		goto out;
	}
	if (mnl_socket_bind(nl.sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	nl.portid = mnl_socket_get_portid(nl.sock);
	if ((ret = nl_get_gen(&nl, s, &gen0)) || (ret = nl_get_table(&nl, s)))
		goto out;
	if (s->has_table &&
	    ((ret = nl_dump_objects(&nl, s)) || (ret = nl_dump_rules(&nl, s)) ||
	     (ret = nl_dump_elems(&nl, s, rs))))
		goto out;
	if ((ret = nl_get_gen(&nl, s, &gen1)))
		goto out;
	if (gen0 != gen1)
		ret = -EINTR;
out:
	if (nl.sock)
		mnl_socket_close(nl.sock);
	free(nl.buf);
	return ret;
}

static int cmp_counter_id(const void *a, const void *b)
{
	const struct rule_counter *x = *(const struct rule_counter *const *)a;
	const struct rule_counter *y = *(const struct rule_counter *const *)b;
	int c = strcmp(x->id, y->id);

	/* Same id twice: kernel order (the array is in kernel order). */
	return c ? c : (x < y ? -1 : x > y);
}

static int readback_index(struct readback *rb)
{
	size_t i;

	rb->counters = arena_zalloc(rb->s.a, (rb->s.n_rules + 1) * sizeof(*rb->counters));
	rb->by_id = arena_zalloc(rb->s.a, (rb->s.n_rules + 1) * sizeof(*rb->by_id));
	if (!rb->counters || !rb->by_id)
		return -ENOMEM;
	for (i = 0; i < rb->s.n_rules; i++) {
		rb->counters[i] = rb->s.rules[i].c;
		if (rb->counters[i].id)
			rb->by_id[rb->n_by_id++] = &rb->counters[i];
	}
	qsort(rb->by_id, rb->n_by_id, sizeof(*rb->by_id), cmp_counter_id);
	return 0;
}

int readback_dump(const struct ruleset *rs, struct readback **ret_rb)
{
	struct readback *rb = calloc(1, sizeof(*rb));
	int attempt, ret = -ENOMEM;

	if (!rb)
		return -ENOMEM;
	for (attempt = 0; attempt < DUMP_ATTEMPTS; attempt++) {
		snap_fini(&rb->s);
		if ((ret = snap_init(&rb->s, rs->table)))
			goto fail;
		rb->s.copy_msgs = true;
		ret = dump_once(&rb->s, rs);
		if (ret != -EINTR)
			break;
	}
	if (ret == -EINTR)
		ret = -EAGAIN;
	if (ret || (ret = readback_index(rb)) || (ret = snap_finish(&rb->s)))
		goto fail;
	*ret_rb = rb;
	return 0;
fail:
	readback_free(rb);
	return ret;
}

void readback_free(struct readback *rb)
{
	if (!rb)
		return;
	snap_fini(&rb->s);
	free(rb);
}

const struct rule_counter *readback_counters(const struct readback *rb, size_t *ret_n)
{
	*ret_n = rb->s.n_rules;
	return rb->counters;
}

int readback_counter(const struct readback *rb, const char *id, struct rule_counter *ret)
{
	size_t lo = 0, hi = rb->n_by_id;

	/* The first entry not less than @id: the first of equal ids. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(rb->by_id[mid]->id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == rb->n_by_id || strcmp(rb->by_id[lo]->id, id))
		return -ENOENT;
	*ret = *rb->by_id[lo];
	return 0;
}

/* ---- the ruleset's side: the batch gatewayd would send, parsed back ----- */

/*
 * libnftnl numbers the elements of a NEWSETELEM message it builds 1, 2, 3...
 * (the kernel ignores the nest type) but its parser accepts only
 * NFTA_LIST_ELEM, which is what the kernel's dump uses: give a copy of the
 * message the kernel's numbering before parsing it.
 */
static int snap_batch_elems(struct snap *s, const struct nlmsghdr *nlh)
{
	struct nlmsghdr *copy = malloc(nlh->nlmsg_len);
	struct nlattr *attr, *el;
	int ret;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, nlh, nlh->nlmsg_len);
	mnl_attr_for_each(attr, copy, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(attr) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(el, attr)
			el->nla_type = (uint16_t)((el->nla_type & ~NLA_TYPE_MASK) | NFTA_LIST_ELEM);
	}
	ret = snap_msg(copy, s) == MNL_CB_OK ? 0 : s->err;
	free(copy);
	return ret;
}

static int snap_from_ruleset(struct snap *s, const struct ruleset *rs)
{
	struct nl_batch *b = NULL;
	const struct nlmsghdr *nlh;
	int len, ret;

	if ((ret = snap_init(s, rs->table)) || (ret = encode_ruleset(rs, 1, &b)))
		return ret;
	s->b = b; /* the rules point into it */
	len = (int)nl_batch_len(b);
	for (nlh = nl_batch_data(b); mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		/* The batch deletes and re-creates the table: what stays is the last state. */
		if (NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_DELTABLE)
			continue;
		if (NFNL_SUBSYS_ID(nlh->nlmsg_type) == NFNL_SUBSYS_NFTABLES &&
		    NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWSETELEM)
			ret = snap_batch_elems(s, nlh);
		else
			ret = snap_msg(nlh, s) == MNL_CB_OK ? 0 : s->err;
		if (ret)
			break;
	}
	return ret ? ret : snap_finish(s);
}

/* ---- drift -------------------------------------------------------------- */

struct drift {
	struct arena *a;
	struct drift_entry *e;
	size_t n, cap;
};

static int drift_add(struct drift *d, enum drift_kind kind, enum drift_object obj,
		     const char *name, const char *chain, uint64_t handle, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static int drift_add(struct drift *d, enum drift_kind kind, enum drift_object obj,
		     const char *name, const char *chain, uint64_t handle, const char *fmt, ...)
{
	struct drift_entry *e = ARENA_PUSH(d->a, d->e, d->n, d->cap);
	struct strbuf sb = { 0 };
	va_list ap;

	if (!e)
		return -ENOMEM;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	/* Copies: the report outlives both snapshots. */
	*e = (struct drift_entry){ .kind = kind, .object = obj, .handle = handle,
				   .name = arena_strdup(d->a, name),
				   .chain = chain ? arena_strdup(d->a, chain) : NULL };
	e->reason = sb.oom ? NULL : arena_strdup(d->a, sb.buf ?: "");
	sb_fini(&sb);
	return e->reason && e->name && (e->chain || !chain) ? 0 : -ENOMEM;
}

/*
 * Where two "@sep"-separated descriptions first differ: sets *@ra, *@rb to
 * the differing fields (NUL-terminated copies in @d's arena).
 */
static int first_diff(struct drift *d, const char *x, const char *y, char sep, const char **ra,
		      const char **rb)
{
	for (;;) {
		const char *ex, *ey;
		size_t lx, ly;

		x += strspn(x, " ");
		y += strspn(y, " ");
		ex = strchr(x, sep);
		ey = strchr(y, sep);
		lx = ex ? (size_t)(ex - x) : strlen(x);
		ly = ey ? (size_t)(ey - y) : strlen(y);
		if (lx != ly || memcmp(x, y, lx) || !ex || !ey) {
			*ra = lx ? arena_strndup(d->a, x, lx) : "(nothing)";
			*rb = ly ? arena_strndup(d->a, y, ly) : "(nothing)";
			return *ra && *rb ? 0 : -ENOMEM;
		}
		x = ex + 1;
		y = ey + 1;
	}
}

static int diff_chains(struct drift *d, const struct snap *m, const struct snap *k)
{
	size_t *im = sorted_by_name(d->a, m->chains, m->n_chains, sizeof(*m->chains));
	size_t *ik = sorted_by_name(d->a, k->chains, k->n_chains, sizeof(*k->chains));
	size_t i = 0, j = 0;
	int ret = 0;

	if (!im || !ik)
		return -ENOMEM;
	while (!ret && (i < m->n_chains || j < k->n_chains)) {
		const struct tchain *cm = i < m->n_chains ? &m->chains[im[i]] : NULL;
		const struct tchain *ck = j < k->n_chains ? &k->chains[ik[j]] : NULL;
		int c = !cm ? 1 : !ck ? -1 : strcmp(cm->name, ck->name);
		const char *fa, *fb;

		if (c < 0) {
			ret = drift_add(d, DRIFT_MISSING, DRIFT_CHAIN, cm->name, NULL, 0,
					"not in the kernel (%zu rules)", cm->n_rules);
			i++;
		} else if (c > 0) {
			ret = drift_add(d, DRIFT_EXTRA, DRIFT_CHAIN, ck->name, NULL, 0,
					"not in the config (%zu rules)", ck->n_rules);
			j++;
		} else {
			if (strcmp(cm->desc, ck->desc) &&
			    !(ret = first_diff(d, ck->desc, cm->desc, ';', &fa, &fb)))
				ret = drift_add(d, DRIFT_CHANGED, DRIFT_CHAIN, cm->name, NULL, 0,
						"kernel '%s', config '%s'", fa, fb);
			i++;
			j++;
		}
	}
	return ret;
}

/* Elements of a set in both: as sorted lists of libnftnl's printing. */
static int diff_elems(struct drift *d, const struct tset *sm, const struct tset *sk)
{
	const char *first_missing = NULL, *first_extra = NULL;
	size_t i = 0, j = 0, missing = 0, extra = 0;

	while (i < sm->n_elems || j < sk->n_elems) {
		int c = i == sm->n_elems   ? 1
			: j == sk->n_elems ? -1
					   : strcmp(sm->elems[i], sk->elems[j]);

		if (c < 0) {
			if (!missing++)
				first_missing = sm->elems[i];
			i++;
		} else if (c > 0) {
			if (!extra++)
				first_extra = sk->elems[j];
			j++;
		} else {
			i++;
			j++;
		}
	}
	if (!missing && !extra)
		return 0;
	return drift_add(d, DRIFT_CHANGED, DRIFT_SET, sm->name, NULL, 0,
			 "elements: %zu missing%s%s%s, %zu extra%s%s%s", missing,
			 missing ? " ('" : "", missing ? first_missing : "", missing ? "')" : "",
			 extra, extra ? " ('" : "", extra ? first_extra : "", extra ? "')" : "");
}

static int diff_sets(struct drift *d, const struct snap *m, const struct snap *k)
{
	size_t *im = sorted_by_name(d->a, m->sets, m->n_sets, sizeof(*m->sets));
	size_t *ik = sorted_by_name(d->a, k->sets, k->n_sets, sizeof(*k->sets));
	size_t i = 0, j = 0;
	int ret = 0;

	if (!im || !ik)
		return -ENOMEM;
	while (!ret && (i < m->n_sets || j < k->n_sets)) {
		const struct tset *sm = i < m->n_sets ? &m->sets[im[i]] : NULL;
		const struct tset *sk = j < k->n_sets ? &k->sets[ik[j]] : NULL;
		int c = !sm ? 1 : !sk ? -1 : strcmp(sm->name, sk->name);
		const char *fa, *fb;

		if (sk && sk->anonymous && c >= 0) {
			j++; /* part of a rule: the rule's text shows it */
			continue;
		}
		if (c < 0) {
			ret = drift_add(d, DRIFT_MISSING, DRIFT_SET, sm->name, NULL, 0,
					"not in the kernel");
			i++;
		} else if (c > 0) {
			ret = drift_add(d, DRIFT_EXTRA, DRIFT_SET, sk->name, NULL, 0,
					"not in the config");
			j++;
		} else {
			if (strcmp(sm->desc, sk->desc)) {
				if (!(ret = first_diff(d, sk->desc, sm->desc, ';', &fa, &fb)))
					ret = drift_add(d, DRIFT_CHANGED, DRIFT_SET, sm->name, NULL,
							0, "kernel '%s', config '%s'", fa, fb);
			} else if (!sm->runtime) {
				ret = diff_elems(d, sm, sk);
			}
			i++;
			j++;
		}
	}
	return ret;
}

static int cmp_rule(const void *a, const void *b)
{
	const struct trule *x = *(const struct trule *const *)a;
	const struct trule *y = *(const struct trule *const *)b;
	int c = strcmp(x->c.chain, y->c.chain);

	if (c)
		return c;
	/* Rules without an id last: they match nothing. */
	if (!x->c.id || !y->c.id)
		c = !x->c.id - !y->c.id;
	else
		c = strcmp(x->c.id, y->c.id);
	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* The rules of @s in chains that exist on both sides, sorted by chain and id. */
static const struct trule **rules_to_match(struct arena *a, const struct snap *s,
					   const struct snap *other, size_t *ret_n)
{
	const struct trule **v = arena_zalloc(a, (s->n_rules + 1) * sizeof(*v));
	bool in_other = false;
	size_t i, n = 0;

	if (!v)
		return NULL;
	for (i = 0; i < s->n_rules; i++) {
		if (!i || s->rules[i].c.chain != s->rules[i - 1].c.chain)
			in_other = snap_chain_find(other, s->rules[i].c.chain) != SIZE_MAX;
		if (in_other)
			v[n++] = &s->rules[i];
	}
	qsort(v, n, sizeof(*v), cmp_rule);
	*ret_n = n;
	return v;
}

struct pair {
	const struct trule *m, *k;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->m->c.chain, y->m->c.chain);

	return c ? c : (x->m->pos > y->m->pos) - (x->m->pos < y->m->pos);
}

/*
 * Matched rules of one chain, in config order: those outside the longest
 * run already in kernel order are reported as moved (patience LIS).
 */
static int diff_order(struct drift *d, struct pair *p, size_t n)
{
	size_t *tail = arena_zalloc(d->a, (n + 1) * sizeof(*tail));
	size_t *prev = arena_zalloc(d->a, (n + 1) * sizeof(*prev));
	bool *keep = arena_zalloc(d->a, (n + 1) * sizeof(*keep));
	size_t len = 0, i, t;
	int ret = 0;

	if (!tail || !prev || !keep)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		size_t lo = 0, hi = len;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (p[tail[mid]].k->pos < p[i].k->pos)
				lo = mid + 1;
			else
				hi = mid;
		}
		prev[i] = lo ? tail[lo - 1] : SIZE_MAX;
		tail[lo] = i;
		if (lo == len)
			len++;
	}
	for (t = len ? tail[len - 1] : SIZE_MAX; t != SIZE_MAX; t = prev[t])
		keep[t] = true;
	for (i = 0; i < n && !ret; i++) {
		const struct trule *m = p[i].m, *k = p[i].k;

		if (!keep[i])
			ret = drift_add(d, DRIFT_CHANGED, DRIFT_RULE, m->c.id, m->c.chain,
					k->c.handle, "out of order: position %zu in the kernel, "
					"%zu in the config", k->pos + 1, m->pos + 1);
	}
	return ret;
}

/*
 * A rule in both: equal when libnftnl prints both alike. The structural
 * comparison settles almost every rule without printing anything.
 */
static int diff_rule_text(struct drift *d, const struct trule *rm, const struct trule *rk)
{
	const char *tm, *tk, *fa, *fb;
	int ret;

	if (exprs_equal(rm->exprs, rk->exprs))
		return 0;
	if ((ret = rule_text(d->a, rm, &tm)) || (ret = rule_text(d->a, rk, &tk)))
		return ret;
	if (!strcmp(tm, tk))
		return 0;
	if ((ret = first_diff(d, tk, tm, '\n', &fa, &fb)))
		return ret;
	return drift_add(d, DRIFT_CHANGED, DRIFT_RULE, rm->c.id, rm->c.chain, rk->c.handle,
			 "kernel '%s', config '%s'", fa, fb);
}

static int diff_rules(struct drift *d, const struct snap *m, const struct snap *k)
{
	size_t nm = 0, nk = 0, i = 0, j = 0, np = 0, s, e;
	const struct trule **vm = rules_to_match(d->a, m, k, &nm);
	const struct trule **vk = rules_to_match(d->a, k, m, &nk);
	struct pair *p = arena_zalloc(d->a, (nm + 1) * sizeof(*p));
	int ret = 0;

	if (!vm || !vk || !p)
		return -ENOMEM;
	while (!ret && (i < nm || j < nk)) {
		const struct trule *rm = i < nm ? vm[i] : NULL, *rk = j < nk ? vk[j] : NULL;
		int c = !rm ? 1 : !rk ? -1 : strcmp(rm->c.chain, rk->c.chain);

		/* A rule without an id (sorted last) matches nothing. */
		if (!c)
			c = rm->c.id && rk->c.id ? strcmp(rm->c.id, rk->c.id) : rm->c.id ? -1
						: rk->c.id ? 1 : -1;
		if (c < 0) {
			ret = drift_add(d, DRIFT_MISSING, DRIFT_RULE, rm->c.id ?: "(no id)",
					rm->c.chain, 0, "not in the kernel (position %zu in the "
					"config)", rm->pos + 1);
			i++;
		} else if (c > 0) {
			const char *name = rk->c.id ? rk->c.id
					   : arena_printf(d->a, "handle %" PRIu64, rk->c.handle);
			bool dup = rk->c.id && j > 0 && vk[j - 1]->c.id &&
				   !strcmp(vk[j - 1]->c.id, rk->c.id) &&
				   !strcmp(vk[j - 1]->c.chain, rk->c.chain);

			ret = name ? drift_add(d, DRIFT_EXTRA, DRIFT_RULE, name, rk->c.chain,
					       rk->c.handle, "%s (position %zu in the kernel)",
					       dup ? "a second rule with this id"
						   : "not in the config", rk->pos + 1)
				   : -ENOMEM;
			j++;
		} else {
			ret = diff_rule_text(d, rm, rk);
			p[np++] = (struct pair){ rm, rk };
			i++;
			j++;
		}
	}
	/* Order within each chain, over the rules found on both sides. */
	qsort(p, np, sizeof(*p), cmp_pair);
	for (s = 0; s < np && !ret; s = e) {
		for (e = s + 1; e < np && !strcmp(p[e].m->c.chain, p[s].m->c.chain); e++)
			;
		ret = diff_order(d, p + s, e - s);
	}
	return ret;
}

static int diff_snaps(struct drift *d, const struct snap *m, const struct snap *k)
{
	int ret;

	if (!k->has_table)
		return drift_add(d, DRIFT_MISSING, DRIFT_TABLE, m->table, NULL, 0,
				 "table inet %s is not in the kernel", m->table);
	if (k->table_flags != m->table_flags &&
	    (ret = drift_add(d, DRIFT_CHANGED, DRIFT_TABLE, m->table, NULL, 0,
			     "flags: kernel 0x%x%s, config 0x%x", k->table_flags,
			     k->table_flags & NFT_TABLE_F_DORMANT ? " (dormant)" : "",
			     m->table_flags)))
		return ret;
	if ((ret = diff_chains(d, m, k)) || (ret = diff_sets(d, m, k)))
		return ret;
	return diff_rules(d, m, k);
}

int readback_diff(const struct readback *rb, const struct ruleset *rs, struct drift **ret_d)
{
	struct drift *d = calloc(1, sizeof(*d));
	struct snap m = { 0 };
	int ret = -ENOMEM;

	if (!d || !(d->a = arena_new()))
		goto out;
	if ((ret = snap_from_ruleset(&m, rs)) || (ret = diff_snaps(d, &m, &rb->s)))
		goto out;
	*ret_d = d;
	d = NULL;
out:
	snap_fini(&m);
	drift_free(d);
	return ret;
}

int readback_compare(const struct ruleset *rs, struct drift **ret_d)
{
	struct readback *rb = NULL;
	int ret;

	ret = readback_dump(rs, &rb);
	if (!ret)
		ret = readback_diff(rb, rs, ret_d);
	readback_free(rb);
	return ret;
}

void drift_free(struct drift *d)
{
	if (!d)
		return;
	arena_free(d->a);
	free(d);
}

size_t drift_count(const struct drift *d)
{
	return d->n;
}

const struct drift_entry *drift_entry(const struct drift *d, size_t i)
{
	return i < d->n ? &d->e[i] : NULL;
}

const char *drift_kind_name(enum drift_kind k)
{
	switch (k) {
	case DRIFT_MISSING:
		return "missing";
	case DRIFT_EXTRA:
		return "extra";
	case DRIFT_CHANGED:
		return "changed";
	}
	return "?";
}

const char *drift_object_name(enum drift_object o)
{
	switch (o) {
	case DRIFT_TABLE:
		return "table";
	case DRIFT_CHAIN:
		return "chain";
	case DRIFT_SET:
		return "set";
	case DRIFT_RULE:
		return "rule";
	}
	return "?";
}

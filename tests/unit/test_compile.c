/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of lib/compile.c and lib/render.c: the example config
 * (conf/gatewayd.conf and zones/, read from GW_SOURCE_DIR) compiles to a
 * ruleset with the promised shape, rendered the same way every time; small
 * configs show the compiler's own refusals.
 */
#include "helpers.h"

#include <dirent.h>
#include <netinet/in.h>

#include "util.h"

/* 2027-01-01: the example's exception EXC-2026-007 is valid then. */
#define EXAMPLE_NOW T_NOW

/* ---- the example config, loaded once ------------------------------------ */

struct example {
	char **names, **texts; /* [0] is the main file */
	size_t n;
	struct loaded l;
	struct ruleset *rs;
	struct diag_list cd; /* compile diagnostics */
	int cr;              /* compile_policy's return */
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads conf/gatewayd.conf and every zones/ *.conf, zone files sorted by name. */
static void example_read(struct example *ex)
{
	const char *dir = source_dir();
	char path[4096];
	struct dirent *e;
	DIR *d;
	size_t cap = 64, i;

	ex->names = calloc(cap, sizeof(char *));
	ex->texts = calloc(cap, sizeof(char *));
	assert_non_null(ex->names);
	assert_non_null(ex->texts);
	snprintf(path, sizeof(path), "%s/conf/gatewayd.conf", dir);
	ex->names[0] = xstrdup("conf/gatewayd.conf");
	ex->texts[0] = slurp(path);
	ex->n = 1;
	snprintf(path, sizeof(path), "%s/zones", dir);
	d = opendir(path);
	if (!d)
		fail_msg("cannot open %s", path);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".conf"))
			continue;
		assert_true(ex->n < cap);
		ex->names[ex->n] = malloc(len + 8);
		assert_non_null(ex->names[ex->n]);
		snprintf(ex->names[ex->n], len + 8, "zones/%s", e->d_name);
		ex->n++;
	}
	closedir(d);
	qsort(ex->names + 1, ex->n - 1, sizeof(char *), name_cmp);
	for (i = 1; i < ex->n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ex->names[i]);
		ex->texts[i] = slurp(path);
	}
	assert_true(ex->n >= 4);
}

/* Loads the files in the order @order (indexes into ex->names; [0] is main). */
static int example_load(const struct example *ex, const size_t *order, struct loaded *l)
{
	struct conf_source *srcs = calloc(ex->n, sizeof(*srcs));
	size_t i;

	assert_non_null(srcs);
	for (i = 0; i < ex->n; i++) {
		size_t k = order ? order[i] : i;

		srcs[i] = src_of(ex->names[k], ex->texts[k]);
	}
	load_sources(l, srcs, ex->n, EXAMPLE_NOW);
	free(srcs);
	return l->r;
}

static int group_setup(void **state)
{
	struct example *ex = calloc(1, sizeof(*ex));

	assert_non_null(ex);
	example_read(ex);
	example_load(ex, NULL, &ex->l);
	diag_init(&ex->cd);
	ex->cr = ex->l.p ? compile_policy(ex->l.p, &ex->rs, &ex->cd) : -EINVAL;
	*state = ex;
	return 0;
}

static int group_teardown(void **state)
{
	struct example *ex = *state;
	size_t i;

	ruleset_free(ex->rs);
	diag_fini(&ex->cd);
	loaded_fini(&ex->l);
	for (i = 0; i < ex->n; i++) {
		free(ex->names[i]);
		free(ex->texts[i]);
	}
	free(ex->names);
	free(ex->texts);
	free(ex);
	return 0;
}

/* The example's ruleset, or a failure when it did not compile. */
static const struct ruleset *example_rs(void **state)
{
	struct example *ex = *state;

	if (ex->l.r || ex->cr || !ex->rs) {
		diag_dump(&ex->l.d);
		diag_dump(&ex->cd);
		fail_msg("the example config did not compile (load %d, compile %d)", ex->l.r,
			 ex->cr);
	}
	return ex->rs;
}

/* ---- ruleset look-ups ---------------------------------------------------- */

static const struct chain *chain_of(const struct ruleset *rs, const char *name)
{
	const struct chain *c = ruleset_chain(rs, name);

	if (!c)
		fail_msg("no chain '%s'", name);
	return c;
}

static const struct rule *rule_in(const struct chain *c, const char *id, size_t *ret_idx)
{
	size_t i;

	for (i = 0; i < c->n_rules; i++)
		if (c->rules[i].id && !strcmp(c->rules[i].id, id)) {
			if (ret_idx)
				*ret_idx = i;
			return &c->rules[i];
		}
	return NULL;
}

static const struct rule *rule_of(const struct ruleset *rs, const char *chain, const char *id)
{
	const struct rule *r = rule_in(chain_of(rs, chain), id, NULL);

	if (!r)
		fail_msg("no rule '%s' in chain '%s'", id, chain);
	return r;
}

/* The rendered rule contains @text. */
static void assert_rule_text(const struct rule *r, const char *text)
{
	char *s = rule_to_string(r);

	if (!strstr(s, text)) {
		fprintf(stderr, "rule: %s\n", s);
		free(s);
		fail_msg("rule '%s' does not contain \"%s\"", r->id, text);
	}
	free(s);
}

static const struct set *set_of(const struct ruleset *rs, const char *name)
{
	const struct set *s = ruleset_set(rs, name);

	if (!s)
		fail_msg("no set '%s'", name);
	return s;
}

static bool is_established_accept(const struct rule *r)
{
	return r->verdict == VERDICT_ACCEPT && r->n_match == 1 && r->m[0].sel[0] == SEL_CT_STATE &&
	       r->m[0].op == MOP_EQ && r->m[0].v.num == (CT_ESTABLISHED | CT_RELATED);
}

static bool is_loopback_accept(const struct rule *r)
{
	return r->verdict == VERDICT_ACCEPT && r->n_match == 1 && r->m[0].sel[0] == SEL_IIFNAME &&
	       !strcmp(r->m[0].v.str, "lo");
}

/* IPv6 neighbour discovery with the gateway itself (C-28): link plumbing, no access. */
static bool is_nd_accept(const struct rule *r)
{
	return r->verdict == VERDICT_ACCEPT && r->n_match == 1 &&
	       r->m[0].sel[0] == SEL_ICMPV6_TYPE && (r->m[0].v.num == 135 || r->m[0].v.num == 136);
}

/* A zone-pair chain: "fwd_FROM_TO" or "in_FROM". */
static bool is_pair_chain(const struct chain *c)
{
	return c->hook == HOOK_NONE &&
	       (!strncmp(c->name, "fwd_", 4) || !strncmp(c->name, "in_", 3));
}

/* ---- the example config --------------------------------------------------- */

/* CHG-6, CHG-1 */
static void example_config_loads_and_compiles(void **state)
{
	struct example *ex = *state;
	const struct ruleset *rs = example_rs(state);

	assert_int_equal(ex->l.d.errors, 0);
	assert_int_equal(ex->cd.errors, 0);
	assert_int_equal(ex->l.p->n_zones, ex->n - 1);
	assert_string_equal(rs->table, RULESET_TABLE);
	assert_non_null(ruleset_chain(rs, "prerouting"));
	assert_non_null(ruleset_chain(rs, "input"));
	assert_non_null(ruleset_chain(rs, "forward"));
	assert_non_null(ruleset_chain(rs, "nat_prerouting"));
	assert_non_null(ruleset_chain(rs, "nat_postrouting"));
	assert_true(ruleset_count_deciding(rs) > 50);
}

/* CHG-1, CHG-10: the rendering is the reviewed record; it must not wobble. */
static void rendering_is_byte_identical_across_runs(void **state)
{
	struct example *ex = *state;
	const struct ruleset *rs = example_rs(state);
	char *a = render_to_string(rs, RENDER_ORIGINS), *b = render_to_string(rs, RENDER_ORIGINS);
	struct ruleset *rs2 = NULL;
	struct diag_list d;
	struct loaded l;
	char *c, *e;

	assert_string_equal(a, b);
	/* Compiling the same model again. */
	diag_init(&d);
	assert_int_equal(compile_policy(ex->l.p, &rs2, &d), 0);
	c = render_to_string(rs2, RENDER_ORIGINS);
	assert_string_equal(a, c);
	ruleset_free(rs2);
	rs2 = NULL;
	diag_fini(&d);
	/* Loading and compiling from scratch. */
	assert_int_equal(example_load(ex, NULL, &l), 0);
	diag_init(&d);
	assert_int_equal(compile_policy(l.p, &rs2, &d), 0);
	e = render_to_string(rs2, RENDER_ORIGINS);
	assert_string_equal(a, e);
	ruleset_free(rs2);
	diag_fini(&d);
	loaded_fini(&l);
	free(a);
	free(b);
	free(c);
	free(e);
}

/* Renders the example loaded with its zone files in @order. */
static char *render_in_order(const struct example *ex, const size_t *order, unsigned flags)
{
	struct ruleset *rs = NULL;
	struct diag_list d;
	struct loaded l;
	char *s;

	if (example_load(ex, order, &l)) {
		diag_dump(&l.d);
		fail_msg("the example did not load in another file order");
	}
	diag_init(&d);
	assert_int_equal(compile_policy(l.p, &rs, &d), 0);
	s = render_to_string(rs, flags);
	ruleset_free(rs);
	diag_fini(&d);
	loaded_fini(&l);
	return s;
}

/* CHG-1, CHG-10: independent of the order of the zone files (STYLE: stable). */
static void rendering_does_not_depend_on_zone_file_order(void **state)
{
	struct example *ex = *state;
	size_t *order = calloc(ex->n, sizeof(*order));
	char *want, *want_plain;
	size_t i, rot;

	assert_non_null(order);
	example_rs(state);
	want = render_to_string(ex->rs, RENDER_ORIGINS);
	want_plain = render_to_string(ex->rs, 0);
	/* Reversed. */
	order[0] = 0;
	for (i = 1; i < ex->n; i++)
		order[i] = ex->n - i;
	{
		char *got = render_in_order(ex, order, RENDER_ORIGINS);
		char *plain = render_in_order(ex, order, 0);

		assert_string_equal(got, want);
		assert_string_equal(plain, want_plain);
		free(got);
		free(plain);
	}
	/* Every rotation. */
	for (rot = 1; rot < ex->n - 1; rot++) {
		char *got;

		for (i = 1; i < ex->n; i++)
			order[i] = 1 + (i - 1 + rot) % (ex->n - 1);
		got = render_in_order(ex, order, RENDER_ORIGINS);
		if (strcmp(got, want))
			fail_msg("rendering differs with the zone files rotated by %zu", rot);
		free(got);
	}
	free(order);
	free(want);
	free(want_plain);
}

/* CHG-2: every rule has a stable id, and no two share one. */
static void rule_ids_are_unique(void **state)
{
	const struct ruleset *rs = example_rs(state);
	const char **ids = NULL;
	size_t n = 0, i, k;

	for (i = 0; i < rs->n_chains; i++)
		n += rs->chains[i]->n_rules;
	ids = calloc(n, sizeof(*ids));
	assert_non_null(ids);
	n = 0;
	for (i = 0; i < rs->n_chains; i++)
		for (k = 0; k < rs->chains[i]->n_rules; k++) {
			const struct rule *r = &rs->chains[i]->rules[k];

			assert_non_null(r->id);
			assert_true(r->id[0] != '\0');
			assert_true(strlen(r->id) <= RULE_ID_MAX);
			ids[n++] = r->id;
		}
	qsort(ids, n, sizeof(*ids), name_cmp);
	for (i = 1; i < n; i++)
		if (!strcmp(ids[i], ids[i - 1]))
			fail_msg("rule id '%s' is used twice", ids[i]);
	free(ids);
}

/*
 * LOG-7, C-10: every deciding rule counts; an accept logs "gw:A:<id>" (except
 * the established/related, loopback and neighbour-discovery accepts, which
 * see no new access); a drop follows its rate-limited "<id>#log" rule that
 * logs "gw:D:<id>" for the same packets.
 */
static void every_deciding_rule_has_an_id_a_counter_and_a_log_prefix(void **state)
{
	struct example *ex = *state;
	const struct ruleset *rs = example_rs(state);
	size_t i, k, accepts = 0, drops = 0, src_rules = 0, n_marks = 0;
	uint32_t marks[512];
	char want[256];

	for (i = 0; i < rs->n_chains; i++) {
		const struct chain *c = rs->chains[i];

		for (k = 0; k < c->n_rules; k++) {
			const struct rule *r = &c->rules[k], *l;
			char *rt, *lt, *rm, *lm;

			if (r->role != ROLE_DECIDE)
				continue;
			if (!r->counter)
				fail_msg("deciding rule '%s' has no counter", r->id);
			if (r->verdict == VERDICT_ACCEPT) {
				if (is_established_accept(r) || is_loopback_accept(r) || is_nd_accept(r))
					continue;
				snprintf(want, sizeof(want), "%s%s", LOG_PREFIX_ACCEPT, r->id);
				if (!r->log_prefix || strcmp(r->log_prefix, want))
					fail_msg("accept '%s' logs \"%s\", not \"%s\"", r->id,
						 r->log_prefix ? r->log_prefix : "(nothing)", want);
				assert_int_equal(r->log_group, ex->l.p->settings.log_group);
				accepts++;
				continue;
			}
			if (r->verdict != VERDICT_DROP)
				continue; /* DNAT/SNAT: id and counter suffice */
			drops++;
			if (k == 0)
				fail_msg("drop '%s' has no log rule before it", r->id);
			l = &c->rules[k - 1];
			snprintf(want, sizeof(want), "%s#log", r->id);
			if (l->role != ROLE_LOG || strcmp(l->id, want))
				fail_msg("drop '%s' is preceded by '%s', not its log rule", r->id,
					 l->id);
			snprintf(want, sizeof(want), "%s%s", LOG_PREFIX_DROP, r->id);
			if (!l->log_prefix || strcmp(l->log_prefix, want))
				fail_msg("log rule '%s' logs \"%s\", not \"%s\"", l->id,
					 l->log_prefix ? l->log_prefix : "(nothing)", want);
			assert_true(l->counter);
			assert_true(l->limit_rate > 0);
			assert_int_equal(l->verdict, VERDICT_NONE);
			/* The log rule matches what the drop matches. */
			lt = rule_to_string(l);
			rt = rule_to_string(r);
			lm = strstr(lt, "limit rate");
			rm = strstr(rt, "counter");
			assert_non_null(lm);
			assert_non_null(rm);
			if (lm - lt != rm - rt || strncmp(lt, rt, (size_t)(lm - lt)))
				fail_msg("log rule and drop differ: '%s' vs '%s'", lt, rt);
			free(lt);
			free(rt);
			/*
			 * C-10: above the log rule, the per-source limit of each
			 * family the deny admits, dropping with the deny's mark.
			 */
			assert_int_not_equal(r->mark, 0);
			assert_int_equal(l->mark, r->mark);
			{
				size_t j = k - 1, fams = 0;

				while (j-- > 0 && c->rules[j].role == ROLE_SRCLIMIT) {
					const struct rule *s = &c->rules[j];

					snprintf(want, sizeof(want), "%s#src%c", r->id,
						 s->src_family == AF_INET6 ? '6' : '4');
					if (strcmp(s->id, want))
						fail_msg("'%s' above '%s', not '%s'", s->id, r->id, want);
					assert_int_equal(s->mark, r->mark);
					assert_int_equal(s->verdict, VERDICT_DROP);
					assert_true(s->counter);
					assert_int_equal(s->limit_rate, ex->l.p->settings.source_rate);
					assert_string_equal(s->src_set, s->src_family == AF_INET6
										? SET_DENY_SRC6
										: SET_DENY_SRC4);
					fams++;
				}
				if (fams == 0)
					fail_msg("deny '%s' has no per-source limit", r->id);
				src_rules += fams;
			}
			for (size_t m = 0; m < n_marks; m++)
				if (marks[m] == r->mark)
					fail_msg("deny '%s' shares its log mark 0x%08x", r->id, r->mark);
			if (n_marks < sizeof(marks) / sizeof(marks[0]))
				marks[n_marks++] = r->mark;
		}
	}
	assert_true(accepts > 50);
	assert_true(drops > 20);
	assert_true(src_rules > drops);
}

/* LOG-7: the rendering carries the same: every rule line ends with its id. */
static void every_rendered_rule_carries_its_id_as_comment(void **state)
{
	const struct ruleset *rs = example_rs(state);
	char *text = render_to_string(rs, 0), *line, *save = NULL;
	size_t rules = 0, i;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "\t\t", 2) || line[2] == '\t' || !strncmp(line, "\t\ttype ", 7) ||
		    !strncmp(line, "\t\tflags ", 8) || !strncmp(line, "\t\tcomment ", 10) ||
		    !strncmp(line, "\t\tsize ", 7) || !strncmp(line, "\t\ttimeout ", 10) ||
		    !strncmp(line, "\t\telements ", 11))
			continue;
		rules++;
		if (!strstr(line, " comment \""))
			fail_msg("rendered rule without id: %s", line);
	}
	for (i = 0; i < rs->n_chains; i++)
		rules -= rs->chains[i]->n_rules;
	assert_int_equal(rules, 0);
	free(text);
}

/* ZONE-6, ZONE-7 */
static void forward_chain_starts_with_established_and_dispatches_zone_pairs(void **state)
{
	const struct ruleset *rs = example_rs(state);
	const struct chain *fwd = chain_of(rs, "forward"), *in = chain_of(rs, "input");
	const struct set *map = set_of(rs, MAP_FORWARD);
	const struct rule *disp = NULL;
	size_t i, k, disp_idx = 0;
	bool seen_pair = false;

	assert_int_equal(fwd->hook, HOOK_FORWARD);
	assert_int_equal(fwd->policy, VERDICT_DROP);
	assert_true(fwd->n_rules > 2);
	assert_true(is_established_accept(&fwd->rules[0]));
	assert_true(is_established_accept(&in->rules[0]));
	for (i = 0; i < fwd->n_rules; i++)
		if (fwd->rules[i].verdict == VERDICT_VMAP) {
			disp = &fwd->rules[i];
			disp_idx = i;
		}
	assert_non_null(disp);
	assert_int_equal(disp->role, ROLE_DISPATCH);
	assert_string_equal(disp->target, MAP_FORWARD);
	assert_int_equal(disp->n_vmap_sel, 2);
	assert_int_equal(disp->vmap_sel[0], SEL_IIFNAME);
	assert_int_equal(disp->vmap_sel[1], SEL_OIFNAME);
	assert_rule_text(disp, "iifname . oifname vmap @fwd_dispatch");
	/* ZONE-7: after the dispatch, the default drop ends the chain. */
	assert_int_equal(fwd->rules[fwd->n_rules - 1].verdict, VERDICT_DROP);
	assert_string_equal(fwd->rules[fwd->n_rules - 1].id, "forward:default");
	assert_true(disp_idx < fwd->n_rules - 2);
	/* The map sends each interface pair to its zone-pair chain. */
	assert_true(map->is_map);
	assert_int_equal(map->n_key, 2);
	for (i = 0; i < map->n_elems; i++) {
		const struct elem *e = &map->elems[i];

		if (!ruleset_chain(rs, e->jump))
			fail_msg("map element jumps to missing chain '%s'", e->jump);
		if (!strcmp(e->key[0].str, "flr1") && !strcmp(e->key[1].str, "ext0")) {
			assert_string_equal(e->jump, "fwd_floor1_internet");
			seen_pair = true;
		}
	}
	assert_true(seen_pair);
	/* Every forward zone-pair chain is reached from the map. */
	for (i = 0; i < rs->n_chains; i++) {
		const struct chain *c = rs->chains[i];
		bool reached = false;

		if (c->hook != HOOK_NONE || strncmp(c->name, "fwd_", 4))
			continue;
		for (k = 0; k < map->n_elems; k++)
			reached |= !strcmp(map->elems[k].jump, c->name);
		if (!reached)
			fail_msg("chain '%s' is not reached from %s", c->name, MAP_FORWARD);
	}
}

/* ZONE-7: a zone pair's chain holds its accepts first and ends with its default drop. */
static void zone_pair_chain_ends_with_its_default_drop(void **state)
{
	const struct ruleset *rs = example_rs(state);
	size_t i, k, pairs = 0;

	for (i = 0; i < rs->n_chains; i++) {
		const struct chain *c = rs->chains[i];
		const struct rule *last, *log;
		size_t last_accept = 0, first_drop = c->n_rules;
		const char *suffix;

		if (!is_pair_chain(c))
			continue;
		pairs++;
		assert_true(c->n_rules >= 2);
		last = &c->rules[c->n_rules - 1];
		log = &c->rules[c->n_rules - 2];
		suffix = strstr(last->id, ":default");
		if (last->verdict != VERDICT_DROP || !suffix || suffix[8] != '\0')
			fail_msg("chain '%s' ends with '%s', not its default drop", c->name, last->id);
		assert_int_equal(last->n_match, 0);
		assert_int_equal(log->role, ROLE_LOG);
		for (k = 0; k < c->n_rules; k++) {
			if (c->rules[k].verdict == VERDICT_ACCEPT)
				last_accept = k;
			else if (first_drop == c->n_rules)
				first_drop = k;
		}
		if (last_accept > first_drop)
			fail_msg("chain '%s' has an accept after a drop", c->name);
	}
	assert_true(pairs > 10);
	/* The id names the pair. */
	assert_non_null(rule_of(rs, "fwd_floor1_server", "floor1>server:default"));
	assert_non_null(rule_of(rs, "in_internet", "internet>gateway:default"));
}

/* PROXY-1: via = "proxy" allows the proxy and drops direct web, logged. */
static void via_proxy_accepts_the_proxy_and_drops_direct_web(void **state)
{
	const struct ruleset *rs = example_rs(state);
	const struct chain *direct = chain_of(rs, "fwd_floor1_internet");
	const struct rule *r;
	size_t i, idx_http, idx_https;

	r = rule_of(rs, "fwd_floor1_dmz", "floor1>dmz:http-proxy@proxy");
	assert_int_equal(r->verdict, VERDICT_ACCEPT);
	assert_rule_text(r, "ip daddr 172.20.0.80 tcp dport 8080");
	r = rule_in(direct, "floor1>internet:http!direct", &idx_http);
	assert_non_null(r);
	assert_int_equal(r->verdict, VERDICT_DROP);
	assert_rule_text(r, "tcp dport 80 counter drop");
	r = rule_in(direct, "floor1>internet:https!direct", &idx_https);
	assert_non_null(r);
	assert_int_equal(r->verdict, VERDICT_DROP);
	assert_rule_text(r, "tcp dport 443 counter drop");
	/* Logged as a violation (PROXY-1, LOG-17). */
	r = rule_of(rs, "fwd_floor1_internet", "floor1>internet:http!direct#log");
	assert_string_equal(r->log_prefix, "gw:D:floor1>internet:http!direct");
	/* No accept of web ports straight to the internet, except approved bypasses. */
	for (i = 0; i < direct->n_rules; i++) {
		r = &direct->rules[i];
		if (r->verdict != VERDICT_ACCEPT)
			continue;
		assert_string_equal(r->id, "floor1>internet:bypass");
		assert_rule_text(r, "@" SET_PROXY_BYPASS);
	}
	/* The same for the wireless zone and the servers' updates. */
	assert_non_null(rule_of(rs, "fwd_wlan_internet", "wlan>internet:https!direct"));
	assert_non_null(rule_of(rs, "fwd_server_internet", "server>internet:http!direct"));
	assert_non_null(rule_of(rs, "fwd_wlan_dmz", "wlan>dmz:http-proxy@proxy"));
}

/* OPS-8: a rule allowed by an exception carries the exception's id. */
static void exception_rule_carries_its_exception(void **state)
{
	struct example *ex = *state;
	const struct ruleset *rs = example_rs(state);
	size_t i, k, n = 0, seen = 0;

	/* Every policy of the example under an exception. */
	for (i = 0; i < ex->l.p->n_rules; i++) {
		const struct policy_rule *pr = ex->l.p->rules[i];
		const struct chain *c;
		char name[128];

		if (!pr->exception)
			continue;
		n++;
		snprintf(name, sizeof(name), "fwd_%s_%s", pr->from->name, pr->to->name);
		c = chain_of(rs, name);
		for (k = 0; k < c->n_rules; k++) {
			const struct rule *r = &c->rules[k];

			if (!r->exception || strcmp(r->exception, pr->exception->id))
				continue;
			assert_int_equal(r->verdict, VERDICT_ACCEPT);
			assert_int_equal(r->origin.line, pr->origin.line);
			seen++;
		}
	}
	assert_true(n > 0);
	assert_true(seen >= n);
	/* Rules of policies without an exception name none. */
	{
		const struct rule *r = rule_of(rs, "fwd_floor1_server", "floor1>server:smb@fs");

		assert_null(r->exception);
	}
}

/* NAT-3: each published service of a DMZ host has its DNAT rule. */
static void published_hosts_have_dnat_rules(void **state)
{
	struct example *ex = *state;
	const struct ruleset *rs = example_rs(state);
	const struct rule *r;
	size_t i, k;

	r = rule_of(rs, "nat_prerouting", "nat:publish:www:https");
	assert_int_equal(r->verdict, VERDICT_DNAT);
	assert_rule_text(r, "ip daddr 203.0.113.10 tcp dport 443 counter dnat ip to 172.20.0.10");
	r = rule_of(rs, "nat_prerouting", "nat:publish:ns:dns");
	assert_rule_text(r, "ip daddr 203.0.113.53");
	assert_rule_text(r, "dnat ip to 172.20.0.53");
	/* Every publication of the config is there. */
	for (i = 0; i < ex->l.p->n_publish; i++) {
		const struct nat_publish *np = ex->l.p->publish[i];

		for (k = 0; k < np->n_services; k++) {
			char id[128];
			const struct rule *d;

			snprintf(id, sizeof(id), "nat:publish:%s:%s", np->host_name, np->services[k]);
			d = rule_of(rs, "nat_prerouting", id);
			assert_int_equal(d->verdict, VERDICT_DNAT);
			assert_int_equal(prefix_cmp(&d->nat_to, &np->host->addr4), 0);
		}
	}
}

/* NAT-1: private zones with a path to the internet leave with the gateway's address. */
static void private_zones_reaching_the_internet_have_snat(void **state)
{
	const struct ruleset *rs = example_rs(state);
	const struct chain *post = chain_of(rs, "nat_postrouting");
	const struct rule *r;
	size_t i;

	r = rule_of(rs, "nat_postrouting", "nat:snat:floor1:10.11.0.0/24@ext0");
	assert_int_equal(r->verdict, VERDICT_SNAT);
	assert_rule_text(r, "oifname \"ext0\" ip saddr 10.11.0.0/24 counter snat ip to 203.0.113.2");
	assert_non_null(rule_of(rs, "nat_postrouting", "nat:snat:dmz:172.20.0.0/24@ext0"));
	assert_non_null(rule_of(rs, "nat_postrouting", "nat:snat:server:10.1.0.0/24@ext0"));
	assert_non_null(rule_of(rs, "nat_postrouting", "nat:snat:wlan:10.20.0.0/24@ext0"));
	for (i = 0; i < post->n_rules; i++) {
		assert_int_equal(post->rules[i].verdict, VERDICT_SNAT);
		/* The global zone itself is never translated. */
		assert_null(strstr(post->rules[i].id, ":internet:"));
	}
}

static bool range_holds(const struct addr_range *r, const struct prefix *p)
{
	struct addr_range q;
	size_t n = p->family == AF_INET ? 4 : 16;

	range_from_prefix(p, &q);
	return r->family == p->family && memcmp(r->lo, q.lo, n) <= 0 && memcmp(q.hi, r->hi, n) <= 0;
}

static bool set_holds(const struct set *s, const char *addr)
{
	struct prefix p;
	size_t i;

	if (prefix_parse(addr, &p))
		fail_msg("bad test address %s", addr);
	for (i = 0; i < s->n_elems; i++)
		if (range_holds(&s->elems[i].key[0].addr, &p))
			return true;
	return false;
}

/* NAT-4: the anti-spoofing set holds every internal network and the bogons. */
static void antispoof_set_holds_the_internal_networks(void **state)
{
	struct example *ex = *state;
	const struct ruleset *rs = example_rs(state);
	const struct set *s4 = set_of(rs, SET_ANTISPOOF4), *s6 = set_of(rs, SET_ANTISPOOF6);
	const struct rule *r;
	size_t i, k;

	assert_true(s4->interval);
	for (i = 0; i < ex->l.p->n_zones; i++) {
		const struct zone *z = ex->l.p->zones[i];

		if (z->kind == ZK_GLOBAL)
			continue;
		for (k = 0; k < z->n_nets; k++) {
			char a[PREFIX_STRLEN];

			prefix_format(&z->nets[k], a, sizeof(a));
			if (!set_holds(z->nets[k].family == AF_INET ? s4 : s6, a))
				fail_msg("antispoof set misses %s of zone '%s'", a, z->name);
		}
	}
	assert_true(set_holds(s4, "127.0.0.1"));
	assert_true(set_holds(s4, "224.0.0.1"));
	assert_true(set_holds(s4, "192.168.7.0/24"));
	/* Neighbour discovery from the ISP's router uses link-local sources. */
	assert_false(set_holds(s6, "fe80::1"));
	assert_true(set_holds(s6, "fd00::/8"));
	/* The internet itself is not spoofed. */
	assert_false(set_holds(s4, "203.0.113.1"));
	assert_false(set_holds(s4, "8.8.8.8"));
	/* Elements are disjoint and sorted, as interval sets need. */
	for (i = 1; i < s4->n_elems; i++)
		assert_true(memcmp(s4->elems[i - 1].key[0].addr.hi, s4->elems[i].key[0].addr.lo, 4) < 0);
	/* Dropped on the global zone's interface. */
	r = rule_of(rs, "prerouting", "internet:antispoof");
	assert_int_equal(r->verdict, VERDICT_DROP);
	assert_rule_text(r, "iifname \"ext0\" ip saddr @" SET_ANTISPOOF4);
	r = rule_of(rs, "prerouting", "internet:antispoof6");
	assert_rule_text(r, "iifname \"ext0\" ip6 saddr @" SET_ANTISPOOF6);
}

/* WAN-11, WAN-13: WAN rules are restricted by the remote scope and the local host. */
static void wan_rules_match_the_remote_scope_set(void **state)
{
	const struct ruleset *rs = example_rs(state);
	const struct set *osaka = set_of(rs, "wan_osaka_remote");
	const struct set *kyushu = set_of(rs, "wan_sub_kyushu_remote");
	const struct chain *c;
	const struct rule *r;
	size_t i, k, n = 0;

	assert_int_equal(osaka->n_elems, 1);
	assert_true(set_holds(osaka, "10.30.0.0/16"));
	assert_false(set_holds(osaka, "10.31.0.1"));
	assert_int_equal(kyushu->n_elems, 2);
	assert_true(set_holds(kyushu, "10.40.0.0/24"));
	assert_true(set_holds(kyushu, "10.40.1.25"));
	assert_false(set_holds(kyushu, "10.40.1.26"));
	/* Inbound: the source is in the remote scope. */
	c = chain_of(rs, "fwd_branch-osaka_server");
	for (i = 0; i < c->n_rules; i++) {
		bool scoped = false;

		r = &c->rules[i];
		if (r->verdict != VERDICT_ACCEPT)
			continue;
		n++;
		for (k = 0; k < r->n_match; k++)
			scoped |= r->m[k].op == MOP_IN_SET && r->m[k].sel[0] == SEL_IP_SADDR &&
				  !strcmp(r->m[k].set, "wan_osaka_remote");
		if (!scoped)
			fail_msg("WAN rule '%s' is not restricted to the remote scope", r->id);
	}
	assert_int_equal(n, 7);
	r = rule_of(rs, "fwd_sub-kyushu_server", "sub-kyushu>server:erp@app");
	assert_rule_text(r, "ip saddr @wan_sub_kyushu_remote ip daddr 10.1.0.10 tcp dport 8443");
	/* Outbound (direction both): the destination is in the remote scope. */
	r = rule_of(rs, "fwd_server_sub-kyushu", "mail-int@server>sub-kyushu:smtp");
	assert_rule_text(r, "ip saddr 10.1.0.25 ip daddr @wan_sub_kyushu_remote tcp dport 25");
	/* Direction "in" only: nothing from the server zone to Osaka. */
	assert_null(ruleset_chain(rs, "fwd_server_branch-osaka"));
}

/* RA-4, ZONE-11 */
static void remote_access_uses_grants_and_the_endpoint_on_the_gateway(void **state)
{
	const struct ruleset *rs = example_rs(state);
	const struct rule *r;

	r = rule_of(rs, "fwd_remote_server", "remote>server:grants");
	assert_rule_text(r, "ip saddr . ip daddr . meta l4proto . th dport @" SET_VPN_GRANTS);
	r = rule_of(rs, "in_internet", "internet>gateway:wireguard");
	assert_rule_text(r, "udp dport 51820");
	assert_int_equal(r->verdict, VERDICT_ACCEPT);
}

/* Collects every string the policy owns that a ruleset might point at. */
static size_t policy_strings(const struct policy *p, const char ***ret)
{
	const char **v = calloc(p->n_zones + p->n_services + p->n_hosts + p->n_exceptions +
					p->n_wans + p->n_files + 1,
				sizeof(*v));
	size_t n = 0, i;

	assert_non_null(v);
	for (i = 0; i < p->n_zones; i++)
		v[n++] = p->zones[i]->name;
	for (i = 0; i < p->n_services; i++)
		v[n++] = p->services[i]->name;
	for (i = 0; i < p->n_hosts; i++)
		v[n++] = p->hosts[i]->name;
	for (i = 0; i < p->n_exceptions; i++)
		v[n++] = p->exceptions[i]->id;
	for (i = 0; i < p->n_wans; i++)
		v[n++] = p->wans[i]->name;
	for (i = 0; i < p->n_files; i++)
		v[n++] = p->files[i];
	*ret = v;
	return n;
}

static bool borrowed(const char *s, const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (s == v[i])
			return true;
	return false;
}

/*
 * STYLE §6, compile.h ("independent of @p"): the daemon swaps policies and
 * keeps the ruleset; the settings list (CHG-2) reads from, to, services and
 * exception after the policy is gone.
 */
static void ruleset_does_not_borrow_strings_from_the_policy(void **state)
{
	static const char *const fields[] = { "id", "origin.file", "from", "to", "services",
					      "exception" };
	struct example *ex = *state;
	const struct ruleset *rs = example_rs(state);
	size_t count[ARRAY_SIZE(fields)] = { 0 }, total = 0;
	const char *first[ARRAY_SIZE(fields)] = { NULL };
	const char **v;
	size_t n = policy_strings(ex->l.p, &v), i, k, f;

	for (i = 0; i < rs->n_chains; i++)
		for (k = 0; k < rs->chains[i]->n_rules; k++) {
			const struct rule *r = &rs->chains[i]->rules[k];
			const char *val[ARRAY_SIZE(fields)] = { r->id,	 r->origin.file, r->from,
								r->to,	 r->services,	 r->exception };

			for (f = 0; f < ARRAY_SIZE(fields); f++)
				if (borrowed(val[f], v, n)) {
					if (!count[f]++)
						first[f] = r->id;
					total++;
				}
		}
	free(v);
	if (total) {
		for (f = 0; f < ARRAY_SIZE(fields); f++)
			if (count[f])
				fprintf(stderr, "rule.%s points into the policy in %zu rules (first: '%s')\n",
					fields[f], count[f], first[f]);
		fail_msg("%zu rule fields point into the policy's arena", total);
	}
}

/* CHG-2: the settings list names the zone pair and services of each rule. */
static void rules_record_zone_pair_services_and_origin(void **state)
{
	struct example *ex = *state;
	const struct ruleset *rs = example_rs(state);
	const struct rule *r = rule_of(rs, "fwd_floor1_server", "floor1>server:smb@fs");
	bool seen = false;
	size_t i;

	assert_string_equal(r->from, "floor1");
	assert_string_equal(r->to, "server");
	assert_string_equal(r->services, "smb");
	assert_string_equal(r->origin.file, "zones/floor1.conf");
	for (i = 1; i < ex->n; i++)
		if (!strcmp(ex->names[i], "zones/floor1.conf")) {
			assert_int_equal(r->origin.line,
					 line_of(ex->texts[i], "services = [ \"smb\" ]"));
			seen = true;
		}
	assert_true(seen);
}

/* ---- small configs --------------------------------------------------------- */

/* The base config of helpers.h with floor1 replaced by @floor and @main_extra appended. */
static int load_base(struct loaded *l, const char *main_extra, const char *floor, char **ret_main)
{
	struct conf_source srcs[5];
	struct text t;

	text_init(&t);
	text_addf(&t, "%s%s", BASE_MAIN, main_extra ? main_extra : "");
	*ret_main = text_done(&t);
	srcs[0] = src_of(BASE_MAIN_NAME, *ret_main);
	srcs[1] = src_of(BASE_INTERNET_NAME, BASE_INTERNET);
	srcs[2] = src_of(BASE_DMZ_NAME, BASE_DMZ);
	srcs[3] = src_of(BASE_SERVER_NAME, BASE_SERVER);
	srcs[4] = src_of(BASE_FLOOR_NAME, floor ? floor : BASE_FLOOR);
	return load_sources(l, srcs, 5, T_NOW);
}

/* CHG-2: the same policy twice would make one rule id twice; refused. */
static void duplicate_policy_is_refused_by_the_compiler(void **state)
{
	static const char floor[] =
		"zone = {\n"
		"\tname = \"floor1\";\n"
		"\tkind = \"floor\";\n"
		"\tinterfaces = [ \"flr1\" ];\n"
		"\tnetworks = [ \"10.11.0.0/24\" ];\n"
		"\tpolicies = (\n"
		"\t\t{ to = \"server\"; services = [ \"intranet\" ]; to_hosts = [ \"app\" ]; },\n"
		"\t\t{ to = \"server\"; services = [ \"dns\" ]; to_hosts = [ \"dns-int\" ]; },\n"
		"\t\t{ to = \"server\"; services = [ \"intranet\" ]; to_hosts = [ \"app\" ]; }\n"
		"\t);\n"
		"};\n";
	struct ruleset *rs = (struct ruleset *)&rs; /* must stay untouched */
	struct diag_list d;
	struct loaded l;
	char *main, want[160];

	(void)state;
	if (load_base(&l, NULL, floor, &main)) {
		diag_dump(&l.d);
		fail_msg("base config with a repeated policy does not load");
	}
	diag_init(&d);
	assert_int_equal(compile_policy(l.p, &rs, &d), -EINVAL);
	assert_ptr_equal(rs, (struct ruleset *)&rs);
	snprintf(want, sizeof(want),
		 "rule 'floor1>server:intranet@app' is produced twice (also by %s:%d)",
		 BASE_FLOOR_NAME, line_of(floor, "intranet"));
	assert_diag(&d, BASE_FLOOR_NAME, line_of_nth(floor, "intranet", 2), want);
	assert_errors(&d, 1);
	diag_fini(&d);
	loaded_fini(&l);
	free(main);
}

/* Deciding rules counted independently of ruleset_count_deciding(). */
static size_t count_deciding(const struct ruleset *rs)
{
	size_t i, k, n = 0;

	for (i = 0; i < rs->n_chains; i++)
		for (k = 0; k < rs->chains[i]->n_rules; k++)
			n += rs->chains[i]->rules[k].role == ROLE_DECIDE;
	return n;
}

/* STYLE §6, ZONE-7: limits.max_rules bounds the compiled deciding rules. */
static void max_rules_is_enforced_on_the_compiled_count(void **state)
{
	struct ruleset *rs = NULL;
	struct diag_list d;
	struct loaded l;
	char *main, extra[64], want[160];
	size_t n;

	(void)state;
	/* How many rules the base config compiles to. */
	assert_int_equal(load_base(&l, NULL, NULL, &main), 0);
	diag_init(&d);
	assert_int_equal(compile_policy(l.p, &rs, &d), 0);
	n = count_deciding(rs);
	assert_int_equal(ruleset_count_deciding(rs), n);
	assert_true(n > 10);
	ruleset_free(rs);
	rs = NULL;
	diag_fini(&d);
	loaded_fini(&l);
	free(main);

	/* Exactly at the limit. */
	snprintf(extra, sizeof(extra), "limits = { max_rules = %zu; };\n", n);
	assert_int_equal(load_base(&l, extra, NULL, &main), 0);
	diag_init(&d);
	assert_int_equal(compile_policy(l.p, &rs, &d), 0);
	assert_int_equal(d.errors, 0);
	ruleset_free(rs);
	rs = NULL;
	diag_fini(&d);
	loaded_fini(&l);
	free(main);

	/* One fewer allowed than needed. */
	snprintf(extra, sizeof(extra), "limits = { max_rules = %zu; };\n", n - 1);
	assert_int_equal(load_base(&l, extra, NULL, &main), 0);
	diag_init(&d);
	assert_int_equal(compile_policy(l.p, &rs, &d), -EINVAL);
	assert_null(rs);
	snprintf(want, sizeof(want), "the policy compiles to %zu rules, more than limits.max_rules (%zu)",
		 n, n - 1);
	assert_diag(&d, NULL, 0, want);
	assert_diag(&d, NULL, 0, BASE_MAIN_NAME);
	assert_errors(&d, 1);
	diag_fini(&d);
	loaded_fini(&l);
	free(main);
}

/* C-28: zones with IPv6 networks get IPv6 forwarding, the others not. */
static void ipv6_is_forwarded_only_for_zones_that_declare_it(void **state)
{
	static const char floor[] =
		"zone = {\n"
		"\tname = \"floor1\";\n"
		"\tkind = \"floor\";\n"
		"\tinterfaces = [ \"flr1\" ];\n"
		"\tnetworks = [ \"10.11.0.0/24\", \"fd00:11::/64\" ];\n"
		"\tpolicies = (\n"
		"\t\t{ to = \"server\"; services = [ \"intranet\" ]; to_hosts = [ \"app\" ]; }\n"
		"\t);\n"
		"};\n";
	struct ruleset *rs = NULL;
	const struct set *s;
	struct diag_list d;
	struct loaded l;
	char *main;

	(void)state;
	if (load_base(&l, NULL, floor, &main)) {
		diag_dump(&l.d);
		fail_msg("base config with an IPv6 floor does not load");
	}
	diag_init(&d);
	assert_int_equal(compile_policy(l.p, &rs, &d), 0);
	s = set_of(rs, SET_IPV6_IFACES);
	assert_int_equal(s->n_elems, 1);
	assert_string_equal(s->elems[0].key[0].str, "flr1");
	assert_rule_text(rule_of(rs, "forward", "forward:ipv6-in"), "!= @" SET_IPV6_IFACES);
	/* The ULA network is internal: never a source from the internet (NAT-4). */
	assert_true(set_holds(set_of(rs, SET_ANTISPOOF6), "fd00:11::/64"));
	ruleset_free(rs);
	diag_fini(&d);
	loaded_fini(&l);
	free(main);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(example_config_loads_and_compiles),
		cmocka_unit_test(rendering_is_byte_identical_across_runs),
		cmocka_unit_test(rendering_does_not_depend_on_zone_file_order),
		cmocka_unit_test(rule_ids_are_unique),
		cmocka_unit_test(every_deciding_rule_has_an_id_a_counter_and_a_log_prefix),
		cmocka_unit_test(every_rendered_rule_carries_its_id_as_comment),
		cmocka_unit_test(forward_chain_starts_with_established_and_dispatches_zone_pairs),
		cmocka_unit_test(zone_pair_chain_ends_with_its_default_drop),
		cmocka_unit_test(via_proxy_accepts_the_proxy_and_drops_direct_web),
		cmocka_unit_test(exception_rule_carries_its_exception),
		cmocka_unit_test(published_hosts_have_dnat_rules),
		cmocka_unit_test(private_zones_reaching_the_internet_have_snat),
		cmocka_unit_test(antispoof_set_holds_the_internal_networks),
		cmocka_unit_test(wan_rules_match_the_remote_scope_set),
		cmocka_unit_test(remote_access_uses_grants_and_the_endpoint_on_the_gateway),
		cmocka_unit_test(ruleset_does_not_borrow_strings_from_the_policy),
		cmocka_unit_test(rules_record_zone_pair_services_and_origin),
		cmocka_unit_test(duplicate_policy_is_refused_by_the_compiler),
		cmocka_unit_test(max_rules_is_enforced_on_the_compiled_count),
		cmocka_unit_test(ipv6_is_forwarded_only_for_zones_that_declare_it),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of lib/rdiff: renderings parsed and compared by rule id. */
#include "helpers.h"

#include "rdiff.h"

/* A rendering as render.c writes it, with origins. */
#define OLD_RENDERING                                                                      \
	"# gatewayd ruleset: generated from the config; review changes with 'netctl diff'.\n" \
	"table inet gatewayd {\n"                                                          \
	"\tset svc_dns {\n"                                                                \
	"\t\ttype inet_proto . inet_service\n"                                             \
	"\t\tcomment \"service dns\"\n"                                                    \
	"\t\telements = { tcp . 53,\n"                                                     \
	"\t\t\t     udp . 53,\n"                                                           \
	"\t\t\t     udp . 5353 }\n"                                                        \
	"\t}\n"                                                                            \
	"\n"                                                                               \
	"\tchain forward {\n"                                                              \
	"\t\ttype filter hook forward priority filter; policy drop;\n"                     \
	"\t\tct state established,related counter accept comment \"forward:established\"\n" \
	"\t\tiifname . oifname vmap @fwd_dispatch comment \"forward:dispatch\"\n"          \
	"\t}\n"                                                                            \
	"\n"                                                                               \
	"\tchain fwd_floor1_server {\n"                                                    \
	"\t\t# zones/floor1.conf:15\n"                                                     \
	"\t\tip daddr 10.1.0.10 tcp dport 8443 counter"                                    \
	" log prefix \"gw:A:floor1>server:erp@app\" group 1 accept"                        \
	" comment \"floor1>server:erp@app\"\n"                                             \
	"\t\t# zones/floor1.conf:17\n"                                                     \
	"\t\tip daddr 10.1.0.30 tcp dport 631 counter"                                     \
	" log prefix \"gw:A:floor1>server:ipp@print\" group 1 accept"                      \
	" comment \"floor1>server:ipp@print\"\n"                                           \
	"\t\t# zones/floor1.conf:2\n"                                                      \
	"\t\tlimit rate 10/second burst 20 packets counter"                                \
	" log prefix \"gw:D:floor1>server:default\" group 1"                               \
	" comment \"floor1>server:default#log\"\n"                                         \
	"\t\tcounter drop comment \"floor1>server:default\"\n"                             \
	"\t}\n"                                                                            \
	"}\n"

/* The same table as "nft list table inet gatewayd" prints it after a while. */
#define KERNEL_LISTING                                                                     \
	"table inet gatewayd {\n"                                                          \
	"\tset svc_dns {\n"                                                                \
	"\t\ttype inet_proto . inet_service\n"                                             \
	"\t\tcomment \"service dns\"\n"                                                    \
	"\t\telements = { udp . 5353, udp . 53,\n"                                         \
	"\t\t\t     tcp . 53 }\n"                                                          \
	"\t}\n"                                                                            \
	"\n"                                                                               \
	"\tchain forward {\n"                                                              \
	"\t\ttype filter hook forward priority filter; policy drop;\n"                     \
	"\t\tct state established,related counter packets 1234 bytes 567890 accept"        \
	" comment \"forward:established\"\n"                                               \
	"\t\tiifname . oifname vmap @fwd_dispatch comment \"forward:dispatch\"\n"          \
	"\t}\n"                                                                            \
	"\n"                                                                               \
	"\tchain fwd_floor1_server {\n"                                                    \
	"\t\tip daddr 10.1.0.10 tcp dport 8443 counter packets 3 bytes 180"                \
	" log prefix \"gw:A:floor1>server:erp@app\" group 1 accept"                        \
	" comment \"floor1>server:erp@app\"\n"                                             \
	"\t\tip daddr 10.1.0.30 tcp dport 631 counter packets 0 bytes 0"                   \
	" log prefix \"gw:A:floor1>server:ipp@print\" group 1 accept"                      \
	" comment \"floor1>server:ipp@print\" # handle 12\n"                               \
	"\t\tlimit rate 10/second burst 20 packets counter packets 9 bytes 540"            \
	" log prefix \"gw:D:floor1>server:default\" group 1"                               \
	" comment \"floor1>server:default#log\"\n"                                         \
	"\t\tcounter packets 9 bytes 540 drop comment \"floor1>server:default\"\n"         \
	"\t}\n"                                                                            \
	"}\n"

struct pair {
	struct rdiff_doc *old_doc, *new_doc;
	struct rdiff *df;
	struct diag_list d;
};

/* Parses both texts (both must be valid) and compares them. */
static void compare(struct pair *p, const char *old_text, const char *new_text)
{
	memset(p, 0, sizeof(*p));
	diag_init(&p->d);
	if (rdiff_parse("old.nft", old_text, strlen(old_text), &p->old_doc, &p->d) ||
	    rdiff_parse("new.nft", new_text, strlen(new_text), &p->new_doc, &p->d)) {
		diag_dump(&p->d);
		fail_msg("a rendering was refused");
	}
	assert_int_equal(rdiff_compare(p->old_doc, p->new_doc, &p->df), 0);
}

static void pair_fini(struct pair *p)
{
	rdiff_free(p->df);
	rdiff_doc_free(p->new_doc);
	rdiff_doc_free(p->old_doc);
	diag_fini(&p->d);
}

static const struct rdiff_entry *entry(const struct rdiff *df, const char *key)
{
	size_t i;

	for (i = 0; i < df->n; i++)
		if (!strcmp(df->v[i].key, key))
			return &df->v[i];
	fail_msg("no entry for '%s'", key);
	return NULL;
}

/* @text with the first occurrence of @from replaced by @to (malloc'd). */
static char *replaced(const char *text, const char *from, const char *to)
{
	const char *hit = strstr(text, from);
	struct text t;

	assert_non_null(hit);
	text_init(&t);
	text_addf(&t, "%.*s%s%s", (int)(hit - text), text, to, hit + strlen(from));
	return text_done(&t);
}

/* CHG-10 */
static void equal_renderings_have_no_differences(void **state)
{
	struct pair p;

	(void)state;
	compare(&p, OLD_RENDERING, OLD_RENDERING);
	assert_int_equal(p.df->n, 0);
	assert_int_equal(p.df->added + p.df->removed + p.df->changed, 0);
	pair_fini(&p);
}

/* CHG-1, CHG-10: what runs (nft list) compares equal to what was reviewed. */
static void counters_and_element_order_do_not_matter(void **state)
{
	struct pair p;

	(void)state;
	compare(&p, OLD_RENDERING, KERNEL_LISTING);
	assert_int_equal(p.df->n, 0);
	pair_fini(&p);
}

/* CHG-10 */
static void rule_body_drops_comment_and_counter_values(void **state)
{
	struct rdiff_doc *doc = NULL;
	struct diag_list d;
	size_t i;
	bool found = false;

	(void)state;
	diag_init(&d);
	assert_int_equal(rdiff_parse("k.nft", KERNEL_LISTING, strlen(KERNEL_LISTING), &doc, &d), 0);
	for (i = 0; i < doc->n_objs; i++) {
		if (strcmp(doc->objs[i].key, "rule forward:established"))
			continue;
		assert_string_equal(doc->objs[i].body,
				    "ct state established,related counter accept");
		assert_null(doc->objs[i].origin);
		found = true;
	}
	assert_true(found);
	rdiff_doc_free(doc);
	diag_fini(&d);
}

/* CHG-2, CHG-10 */
static void added_rule_is_reported_with_its_origin(void **state)
{
	char *new_text = replaced(OLD_RENDERING, "\t\t# zones/floor1.conf:17\n",
				  "\t\t# zones/floor1.conf:16\n"
				  "\t\tip daddr 10.1.0.20 tcp dport 445 counter accept"
				  " comment \"floor1>server:smb@fs\"\n"
				  "\t\t# zones/floor1.conf:17\n");
	const struct rdiff_entry *e;
	struct pair p;

	(void)state;
	compare(&p, OLD_RENDERING, new_text);
	assert_int_equal(p.df->added, 1);
	assert_int_equal(p.df->removed, 0);
	e = entry(p.df, "rule floor1>server:smb@fs");
	assert_int_equal(e->change, RDIFF_ADDED);
	assert_null(e->old_body);
	assert_string_equal(e->new_body, "ip daddr 10.1.0.20 tcp dport 445 counter accept");
	assert_string_equal(e->origin, "zones/floor1.conf:16");
	/* The chain's rule list changed too; nothing else did. */
	assert_int_equal(entry(p.df, "chain fwd_floor1_server")->change, RDIFF_CHANGED);
	assert_int_equal(p.df->n, 2);
	pair_fini(&p);
	free(new_text);
}

/* CHG-2, CHG-10: a removed rule keeps the origin it had. */
static void removed_rule_is_reported_with_its_old_origin(void **state)
{
	char *new_text = replaced(OLD_RENDERING,
				  "\t\t# zones/floor1.conf:17\n"
				  "\t\tip daddr 10.1.0.30 tcp dport 631 counter"
				  " log prefix \"gw:A:floor1>server:ipp@print\" group 1 accept"
				  " comment \"floor1>server:ipp@print\"\n",
				  "");
	const struct rdiff_entry *e;
	struct pair p;

	(void)state;
	compare(&p, OLD_RENDERING, new_text);
	e = entry(p.df, "rule floor1>server:ipp@print");
	assert_int_equal(e->change, RDIFF_REMOVED);
	assert_null(e->new_body);
	assert_non_null(strstr(e->old_body, "tcp dport 631"));
	assert_string_equal(e->origin, "zones/floor1.conf:17");
	assert_int_equal(p.df->removed, 1);
	assert_int_equal(p.df->added, 0);
	pair_fini(&p);
	free(new_text);
}

/* CHG-2, CHG-10: a changed rule shows both bodies and the new origin. */
static void changed_rule_is_reported_with_both_bodies(void **state)
{
	char *tmp = replaced(OLD_RENDERING, "tcp dport 8443", "tcp dport 8444");
	char *new_text = replaced(tmp, "# zones/floor1.conf:15", "# zones/floor1.conf:19");
	const struct rdiff_entry *e;
	struct pair p;

	(void)state;
	compare(&p, OLD_RENDERING, new_text);
	assert_int_equal(p.df->n, 1);
	e = entry(p.df, "rule floor1>server:erp@app");
	assert_int_equal(e->change, RDIFF_CHANGED);
	assert_non_null(strstr(e->old_body, "tcp dport 8443"));
	assert_non_null(strstr(e->new_body, "tcp dport 8444"));
	assert_string_equal(e->origin, "zones/floor1.conf:19");
	pair_fini(&p);
	free(new_text);
	free(tmp);
}

/* CHG-10: a rule that only moved in the config is not a ruleset change. */
static void moved_origin_alone_is_no_difference(void **state)
{
	char *new_text =
		replaced(OLD_RENDERING, "# zones/floor1.conf:15", "# zones/floor1.conf:40");
	struct pair p;

	(void)state;
	compare(&p, OLD_RENDERING, new_text);
	assert_int_equal(p.df->n, 0);
	pair_fini(&p);
	free(new_text);
}

/* CHG-16: rule order decides; a reordered chain is a changed chain. */
static void reordered_chain_is_a_changed_chain(void **state)
{
	static const char erp[] =
		"\t\t# zones/floor1.conf:15\n"
		"\t\tip daddr 10.1.0.10 tcp dport 8443 counter"
		" log prefix \"gw:A:floor1>server:erp@app\" group 1 accept"
		" comment \"floor1>server:erp@app\"\n";
	char *tmp = replaced(OLD_RENDERING, erp, "");
	char *new_text = replaced(tmp, "\t\t# zones/floor1.conf:2\n", erp);
	const struct rdiff_entry *e;
	struct rdiff_line *v = NULL;
	size_t n = 0;
	struct pair p;

	(void)state;
	compare(&p, OLD_RENDERING, new_text);
	assert_int_equal(p.df->n, 1);
	e = entry(p.df, "chain fwd_floor1_server");
	assert_int_equal(e->change, RDIFF_CHANGED);
	assert_null(e->origin);
	assert_string_equal(e->old_body, "floor1>server:erp@app\n"
					 "floor1>server:ipp@print\n"
					 "floor1>server:default");
	assert_string_equal(e->new_body, "floor1>server:ipp@print\n"
					 "floor1>server:erp@app\n"
					 "floor1>server:default");
	/* Shown as one line moved. */
	assert_int_equal(rdiff_lines(e->old_body, e->new_body, &v, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(v[0].op, RDIFF_LINE_OLD);
	assert_int_equal(v[1].op, RDIFF_LINE_SAME);
	assert_int_equal(v[2].op, RDIFF_LINE_NEW);
	assert_int_equal(v[3].op, RDIFF_LINE_SAME);
	free(v);
	pair_fini(&p);
	free(new_text);
	free(tmp);
}

/* CHG-2: a deny and its log companion are one rule, with the origin above both. */
static void deny_and_log_companion_are_one_rule(void **state)
{
	struct rdiff_doc *doc = NULL;
	struct diag_list d;
	size_t i;
	bool found = false;

	(void)state;
	diag_init(&d);
	assert_int_equal(rdiff_parse("r.nft", OLD_RENDERING, strlen(OLD_RENDERING), &doc, &d), 0);
	for (i = 0; i < doc->n_objs; i++) {
		assert_null(strstr(doc->objs[i].key, "#log"));
		if (strcmp(doc->objs[i].key, "rule floor1>server:default"))
			continue;
		assert_string_equal(doc->objs[i].body,
				    "limit rate 10/second burst 20 packets counter log prefix "
				    "\"gw:D:floor1>server:default\" group 1\n"
				    "counter drop");
		assert_string_equal(doc->objs[i].origin, "zones/floor1.conf:2");
		assert_int_equal(doc->objs[i].line, line_of(OLD_RENDERING, "limit rate"));
		found = true;
	}
	assert_true(found);
	rdiff_doc_free(doc);
	diag_fini(&d);
}

/*
 * C-10: a deny's per-source companions fold into it too, in order; a
 * companion of another deny, or one without its deny, stays a rule.
 */
static void per_source_companions_fold_into_the_deny(void **state)
{
	static const char text[] =
		"table inet gatewayd {\n"
		"\tchain c {\n"
		"\t\t# z.conf:3\n"
		"\t\tip saddr 10.0.0.1 meta mark set 0x0000002a update @deny_src4 { ip saddr . meta mark"
		" limit rate over 10/second burst 20 packets counter } counter drop comment \"x#src4\"\n"
		"\t\tip saddr 10.0.0.1 limit rate 100/second burst 200 packets counter log prefix"
		" \"gw:D:x\" group 1 comment \"x#log\"\n"
		"\t\tip saddr 10.0.0.1 counter drop comment \"x\"\n"
		"\t\tcounter drop comment \"y#src6\"\n"
		"\t\tcounter drop comment \"z\"\n"
		"\t}\n"
		"}\n";
	struct rdiff_doc *doc = NULL;
	struct diag_list d;
	size_t i, seen = 0;

	(void)state;
	diag_init(&d);
	assert_int_equal(rdiff_parse("r.nft", text, strlen(text), &doc, &d), 0);
	for (i = 0; i < doc->n_objs; i++) {
		const struct rdiff_obj *o = &doc->objs[i];

		assert_null(strstr(o->key, "x#"));
		if (!strcmp(o->key, "rule x")) {
			assert_non_null(strstr(o->body, "update @deny_src4"));
			assert_non_null(strstr(o->body, "counter drop\nip saddr 10.0.0.1 limit rate"));
			assert_non_null(strstr(o->body, "group 1\nip saddr 10.0.0.1 counter drop"));
			assert_string_equal(o->origin, "z.conf:3");
			seen++;
		}
		if (!strcmp(o->key, "rule y#src6") || !strcmp(o->key, "rule z"))
			seen++;
		if (!strcmp(o->key, "chain c"))
			assert_string_equal(o->body, "x\ny#src6\nz");
	}
	assert_int_equal(seen, 3);
	rdiff_doc_free(doc);
	diag_fini(&d);
}

/* CHG-10: a set whose elements changed is a changed set, element by element. */
static void changed_set_element_is_one_changed_line(void **state)
{
	char *new_text = replaced(OLD_RENDERING, "udp . 5353", "udp . 5354");
	const struct rdiff_entry *e;
	struct rdiff_line *v = NULL;
	size_t n = 0, i, old_lines = 0, new_lines = 0;
	struct pair p;

	(void)state;
	compare(&p, OLD_RENDERING, new_text);
	assert_int_equal(p.df->n, 1);
	e = entry(p.df, "set svc_dns");
	assert_int_equal(e->change, RDIFF_CHANGED);
	assert_string_equal(e->new_body, "type inet_proto . inet_service\n"
					 "comment \"service dns\"\n"
					 "tcp . 53\n"
					 "udp . 53\n"
					 "udp . 5354");
	assert_int_equal(rdiff_lines(e->old_body, e->new_body, &v, &n), 0);
	for (i = 0; i < n; i++) {
		old_lines += v[i].op == RDIFF_LINE_OLD;
		new_lines += v[i].op == RDIFF_LINE_NEW;
	}
	assert_int_equal(old_lines, 1);
	assert_int_equal(new_lines, 1);
	free(v);
	pair_fini(&p);
	free(new_text);
}

/* Parses @text expecting -EINVAL, and an error at @line containing @msg. */
static void assert_malformed(const char *text, int line, const char *msg)
{
	struct rdiff_doc *doc = NULL;
	struct diag_list d;

	diag_init(&d);
	assert_int_equal(rdiff_parse("bad.nft", text, strlen(text), &doc, &d), -EINVAL);
	assert_null(doc);
	assert_diag(&d, "bad.nft", line, msg);
	diag_fini(&d);
}

/* CHG-10: a review never silently ignores a rule it cannot key. */
static void rule_without_id_is_refused_at_its_line(void **state)
{
	char *text = replaced(OLD_RENDERING, " comment \"floor1>server:ipp@print\"", "");

	(void)state;
	assert_malformed(text, line_of(text, "tcp dport 631"), "has no comment");
	free(text);
}

/* CHG-10 */
static void unterminated_chain_is_refused_at_its_line(void **state)
{
	static const char text[] = "table inet gatewayd {\n"
				   "\tchain input {\n"
				   "\t\tcounter drop comment \"input:default\"\n";

	(void)state;
	assert_malformed(text, 2, "chain 'input' has no closing '}'");
	assert_malformed(text, 1, "table inet gatewayd has no closing '}'");
}

/* CHG-10: a truncated file is refused where the cut block opened. */
static void truncated_element_list_is_refused_at_its_line(void **state)
{
	const char *cut = strstr(OLD_RENDERING, "udp . 5353");
	char *text = strndup(OLD_RENDERING, (size_t)(cut - OLD_RENDERING));
	char *unclosed = replaced(OLD_RENDERING, "udp . 5353 }", "udp . 5353");

	(void)state;
	assert_non_null(text);
	assert_malformed(text, line_of(text, "elements ="),
			 "element list of set 'svc_dns' has no closing '}'");
	/* The set's own brace closes the list; then the set is the one left open. */
	assert_malformed(unclosed, line_of(unclosed, "set svc_dns"),
			 "set 'svc_dns' has no closing '}'");
	free(unclosed);
	free(text);
}

/* CHG-10: ids are unique, or keying by id would hide a rule. */
static void duplicate_rule_id_is_refused_at_its_second_line(void **state)
{
	char *text = replaced(OLD_RENDERING, "comment \"floor1>server:ipp@print\"",
			      "comment \"floor1>server:erp@app\"");

	(void)state;
	assert_malformed(text, line_of(text, "tcp dport 631"),
			 "'rule floor1>server:erp@app' appears twice");
	free(text);
}

/* CHG-10 */
static void text_without_table_is_refused(void **state)
{
	(void)state;
	assert_malformed("chain input {\n}\n", 1, "expected 'table FAMILY NAME {'");
	assert_malformed("", 0, "no 'table FAMILY NAME {' found");
}

/* CHG-10: a chain added on one side is an added chain and added rules. */
static void added_chain_and_its_rules_are_reported(void **state)
{
	char *new_text = replaced(OLD_RENDERING, "\n\tchain forward {",
				  "\n\tchain in_wlan {\n"
				  "\t\t# zones/wlan.conf:19\n"
				  "\t\tudp dport 67 counter accept comment \"wlan>gateway:dhcp\"\n"
				  "\t}\n\n\tchain forward {");
	struct pair p;

	(void)state;
	compare(&p, OLD_RENDERING, new_text);
	assert_int_equal(p.df->n, 2);
	assert_int_equal(p.df->added, 2);
	assert_string_equal(entry(p.df, "chain in_wlan")->new_body, "wlan>gateway:dhcp");
	assert_string_equal(entry(p.df, "rule wlan>gateway:dhcp")->origin, "zones/wlan.conf:19");
	/* Sorted by key. */
	assert_string_equal(p.df->v[0].key, "chain in_wlan");
	assert_string_equal(p.df->v[1].key, "rule wlan>gateway:dhcp");
	pair_fini(&p);
	free(new_text);
}

/* CHG-10: the input size has a limit, tested at the boundary (STYLE 6). */
static void input_past_the_limit_is_refused(void **state)
{
	char *big = malloc(RDIFF_INPUT_MAX + 1);
	struct rdiff_doc *doc = NULL;
	struct diag_list d;

	(void)state;
	assert_non_null(big);
	memset(big, ' ', RDIFF_INPUT_MAX + 1);
	diag_init(&d);
	assert_int_equal(rdiff_parse("big.nft", big, RDIFF_INPUT_MAX + 1, &doc, &d), -EINVAL);
	assert_diag(&d, "big.nft", 0, "larger than 64 MiB");
	diag_fini(&d);
	/* At the limit the text is read: one blank line, so no table. */
	diag_init(&d);
	assert_int_equal(rdiff_parse("big.nft", big, RDIFF_INPUT_MAX, &doc, &d), -EINVAL);
	assert_no_diag(&d, "larger than");
	assert_diag(&d, "big.nft", 0, "no 'table FAMILY NAME {' found");
	diag_fini(&d);
	assert_null(doc);
	free(big);
}

/* CHG-10: huge changed bodies are shown as all old then all new lines. */
static void huge_body_diff_falls_back_to_old_then_new(void **state)
{
	struct text a, b;
	struct rdiff_line *v = NULL;
	char *old_body, *new_body;
	size_t n = 0, i;

	(void)state;
	text_init(&a);
	text_init(&b);
	for (i = 0; i < 2100; i++) {
		text_addf(&a, "%sold %zu", i ? "\n" : "", i);
		text_addf(&b, "%snew %zu", i ? "\n" : "", i);
	}
	old_body = text_done(&a);
	new_body = text_done(&b);
	assert_true((size_t)2101 * 2101 > RDIFF_LINES_MAX_CELLS);
	assert_int_equal(rdiff_lines(old_body, new_body, &v, &n), 0);
	assert_int_equal(n, 4200);
	for (i = 0; i < n; i++)
		assert_int_equal(v[i].op, i < 2100 ? RDIFF_LINE_OLD : RDIFF_LINE_NEW);
	free(v);
	free(new_body);
	free(old_body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equal_renderings_have_no_differences),
		cmocka_unit_test(counters_and_element_order_do_not_matter),
		cmocka_unit_test(rule_body_drops_comment_and_counter_values),
		cmocka_unit_test(added_rule_is_reported_with_its_origin),
		cmocka_unit_test(removed_rule_is_reported_with_its_old_origin),
		cmocka_unit_test(changed_rule_is_reported_with_both_bodies),
		cmocka_unit_test(moved_origin_alone_is_no_difference),
		cmocka_unit_test(reordered_chain_is_a_changed_chain),
		cmocka_unit_test(deny_and_log_companion_are_one_rule),
		cmocka_unit_test(per_source_companions_fold_into_the_deny),
		cmocka_unit_test(changed_set_element_is_one_changed_line),
		cmocka_unit_test(rule_without_id_is_refused_at_its_line),
		cmocka_unit_test(unterminated_chain_is_refused_at_its_line),
		cmocka_unit_test(truncated_element_list_is_refused_at_its_line),
		cmocka_unit_test(duplicate_rule_id_is_refused_at_its_second_line),
		cmocka_unit_test(text_without_table_is_refused),
		cmocka_unit_test(added_chain_and_its_rules_are_reported),
		cmocka_unit_test(input_past_the_limit_is_refused),
		cmocka_unit_test(huge_body_diff_falls_back_to_old_then_new),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

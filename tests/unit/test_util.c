/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of lib/util.c: hints, names, lexical paths, the arena and its arrays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util.h"

/* ---- hints -------------------------------------------------------------- */

/* CHG-6: a typo gets a "did you mean" hint (STYLE §5). */
static void closest_candidate_is_offered_for_a_typo(void **state)
{
	static const char *const svcs[] = { "http", "https", "ftp", "smtp", "intranet" };
	static const char *const keys[] = { "networks", "interfaces", "description" };

	(void)state;
	assert_string_equal(str_closest("htps", svcs, ARRAY_SIZE(svcs)), "https");
	assert_string_equal(str_closest("intranat", svcs, ARRAY_SIZE(svcs)), "intranet");
	assert_string_equal(str_closest("ftpp", svcs, ARRAY_SIZE(svcs)), "ftp");
	assert_string_equal(str_closest("netwroks", keys, ARRAY_SIZE(keys)), "networks");
	assert_string_equal(str_closest("interface", keys, ARRAY_SIZE(keys)), "interfaces");
}

/* CHG-6: an exact name is its own closest candidate. */
static void exact_name_is_closest(void **state)
{
	static const char *const svcs[] = { "http", "https" };

	(void)state;
	assert_string_equal(str_closest("http", svcs, ARRAY_SIZE(svcs)), "http");
	assert_string_equal(str_closest("https", svcs, ARRAY_SIZE(svcs)), "https");
}

/* CHG-6: no hint when nothing is plausibly meant. */
static void no_hint_for_an_unrelated_word(void **state)
{
	static const char *const svcs[] = { "http", "https", "ftp", "smtp" };

	(void)state;
	assert_null(str_closest("telnet", svcs, ARRAY_SIZE(svcs)));
	assert_null(str_closest("xyz", svcs, ARRAY_SIZE(svcs)));
	assert_null(str_closest("https", svcs, 0));
	/* A third of the length: "abcdef" tolerates 2 edits, not 3. */
	{
		static const char *const c[] = { "abcxyz" };
		static const char *const c2[] = { "abcdxy" };

		assert_null(str_closest("abcdef", c, 1));
		assert_string_equal(str_closest("abcdef", c2, 1), "abcdxy");
	}
}

/* CHG-6 */
static void edit_distance_counts_insertions_deletions_and_substitutions(void **state)
{
	(void)state;
	assert_int_equal(str_distance("", ""), 0);
	assert_int_equal(str_distance("abc", "abc"), 0);
	assert_int_equal(str_distance("", "abc"), 3);
	assert_int_equal(str_distance("abc", ""), 3);
	assert_int_equal(str_distance("kitten", "sitting"), 3);
	assert_int_equal(str_distance("htps", "https"), 1);
	assert_int_equal(str_distance("flaw", "lawn"), 2);
	assert_int_equal(str_distance("intranat", "intranet"), 1);
}

/* CHG-6: swapping two neighbouring letters is the commonest typo: one edit. */
static void swapped_neighbours_count_as_one_edit(void **state)
{
	static const char *const keys[] = { "group", "deny_rate", "deny_burst" };
	static const char *const svcs[] = { "http", "https", "smtp" };

	(void)state;
	assert_int_equal(str_distance("gruop", "group"), 1);
	assert_int_equal(str_distance("smpt", "smtp"), 1);
	assert_string_equal(str_closest("gruop", keys, ARRAY_SIZE(keys)), "group");
	assert_string_equal(str_closest("smpt", svcs, ARRAY_SIZE(svcs)), "smtp");
}

/* ---- names -------------------------------------------------------------- */

/* STYLE §4: names are [a-z][a-z0-9-]*, within a limit. */
static void names_are_lower_case_letters_digits_and_dashes(void **state)
{
	(void)state;
	assert_true(str_is_name("floor1", 24));
	assert_true(str_is_name("a", 24));
	assert_true(str_is_name("branch-osaka", 24));
	assert_true(str_is_name("mail-int", 24));
	assert_false(str_is_name("", 24));
	assert_false(str_is_name("1floor", 24));
	assert_false(str_is_name("-floor", 24));
	assert_false(str_is_name("Floor1", 24));
	assert_false(str_is_name("floor_1", 24));
	assert_false(str_is_name("floor 1", 24));
	assert_false(str_is_name("floor.1", 24));
	assert_false(str_is_name("flöor", 24));
	assert_false(str_is_name("gw;drop", 24));
}

/* STYLE §6: limits.max_name */
static void name_length_is_limited(void **state)
{
	(void)state;
	assert_true(str_is_name("abcdefghijklmnopqrstuvwx", 24)); /* 24 */
	assert_false(str_is_name("abcdefghijklmnopqrstuvwxy", 24)); /* 25 */
	assert_true(str_is_name("ab", 2));
	assert_false(str_is_name("abc", 2));
}

/* ---- paths -------------------------------------------------------------- */

static void assert_join(const char *dir, const char *rel, const char *want)
{
	struct arena *a = arena_new();
	char *got;

	assert_non_null(a);
	got = path_join_normal(a, dir, rel);
	assert_non_null(got);
	if (strcmp(got, want))
		fail_msg("path_join_normal(\"%s\", \"%s\") = \"%s\", want \"%s\"", dir, rel, got,
			 want);
	arena_free(a);
}

/* CHG-1: zone_dir is relative to the main file's directory. */
static void relative_path_is_joined_and_normalised(void **state)
{
	(void)state;
	assert_join("conf", "../zones", "zones");
	assert_join("conf", "zones", "conf/zones");
	assert_join("/etc/gatewayd", "../zones", "/etc/zones");
	assert_join("/etc/gatewayd/conf", "./zones/./x", "/etc/gatewayd/conf/zones/x");
	assert_join("a/b/c", "../../d", "a/d");
	assert_join("conf//", "zones/", "conf/zones");
}

/* CHG-1 */
static void absolute_path_ignores_the_directory(void **state)
{
	(void)state;
	assert_join("conf", "/var/lib/gatewayd/zones", "/var/lib/gatewayd/zones");
	assert_join("conf", "/var/lib/../zones", "/var/zones");
	assert_join("/", "..", "/");
	assert_join("/etc", "../../..", "/");
}

/* CHG-1 */
static void dot_paths_reduce_to_dot_or_keep_leading_dotdot(void **state)
{
	(void)state;
	assert_join(".", ".", ".");
	assert_join("", "zones", "zones");
	assert_join(".", "zones", "zones");
	assert_join("conf", ".", "conf");
	assert_join("conf", "..", ".");
	assert_join(".", "../zones", "../zones");
	assert_join("..", "../zones", "../../zones");
	assert_join("conf", "../../zones", "../zones");
}

/* CHG-1 */
static void dirname_of_a_path(void **state)
{
	struct arena *a = arena_new();

	(void)state;
	assert_string_equal(path_dirname(a, "conf/gatewayd.conf"), "conf");
	assert_string_equal(path_dirname(a, "/etc/gatewayd/gatewayd.conf"), "/etc/gatewayd");
	assert_string_equal(path_dirname(a, "gatewayd.conf"), ".");
	assert_string_equal(path_dirname(a, "/gatewayd.conf"), "/");
	arena_free(a);
}

/* ---- arena ---------------------------------------------------------------- */

/* STYLE §6: one owner frees everything in one call. */
static void arena_memory_is_zeroed_and_aligned(void **state)
{
	struct arena *a = arena_new();
	size_t i, k;

	(void)state;
	assert_non_null(a);
	for (i = 1; i < 200; i += 7) {
		unsigned char *p = arena_zalloc(a, i);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
		for (k = 0; k < i; k++)
			assert_int_equal(p[k], 0);
		memset(p, 0xff, i);
	}
	/* Larger than a block. */
	{
		unsigned char *big = arena_zalloc(a, 100000);

		assert_non_null(big);
		assert_int_equal(big[0], 0);
		assert_int_equal(big[99999], 0);
	}
	arena_free(a);
	arena_free(NULL);
}

/* STYLE §6 */
static void arena_strings_are_copies(void **state)
{
	struct arena *a = arena_new();
	char src[] = "floor1";
	char *d, *n, *f;

	(void)state;
	d = arena_strdup(a, src);
	n = arena_strndup(a, "floor12345", 5);
	f = arena_printf(a, "fwd_%s_%s:%d", "floor1", "server", 42);
	src[0] = 'X';
	assert_string_equal(d, "floor1");
	assert_string_equal(n, "floor");
	assert_string_equal(f, "fwd_floor1_server:42");
	arena_free(a);
}

/* STYLE §6: growable arrays keep their elements when they grow. */
static void arena_push_grows_and_keeps_elements(void **state)
{
	struct arena *a = arena_new();
	unsigned *v = NULL;
	size_t n = 0, cap = 0, i, grows = 0, last_cap = 0;

	(void)state;
	for (i = 0; i < 10000; i++) {
		unsigned *e = ARENA_PUSH(a, v, n, cap);

		assert_non_null(e);
		assert_int_equal(*e, 0); /* zeroed */
		*e = (unsigned)i * 3u;
		assert_ptr_equal(e, &v[i]);
		if (cap != last_cap) {
			grows++;
			last_cap = cap;
		}
		assert_true(n <= cap);
	}
	assert_int_equal(n, 10000);
	assert_true(grows > 5); /* it grew geometrically, not once */
	assert_true(grows < 20);
	for (i = 0; i < n; i++)
		if (v[i] != (unsigned)i * 3u)
			fail_msg("element %zu is %u after growth", i, v[i]);
	arena_free(a);
}

/* STYLE §6 */
static void arena_push_of_structs(void **state)
{
	struct item {
		char name[12];
		double x;
		int k;
	};
	struct arena *a = arena_new();
	struct item *v = NULL;
	size_t n = 0, cap = 0, i;

	(void)state;
	for (i = 0; i < 100; i++) {
		struct item *e = ARENA_PUSH(a, v, n, cap);

		assert_non_null(e);
		snprintf(e->name, sizeof(e->name), "i%u", (unsigned)(i % 1000));
		e->x = (double)i / 2;
		e->k = (int)i;
	}
	for (i = 0; i < n; i++) {
		char want[12];

		snprintf(want, sizeof(want), "i%u", (unsigned)(i % 1000));
		assert_string_equal(v[i].name, want);
		assert_int_equal(v[i].k, (int)i);
	}
	arena_free(a);
}

/* ---- strbuf --------------------------------------------------------------- */

/* STYLE §6: renderers build text in a caller's buffer. */
static void strbuf_appends_formatted_text(void **state)
{
	struct strbuf sb = { 0 };
	size_t i;

	(void)state;
	sb_addf(&sb, "table inet %s {", "gatewayd");
	for (i = 0; i < 1000; i++)
		sb_addf(&sb, "%c", 'a' + (char)(i % 26));
	sb_addf(&sb, "}");
	assert_false(sb.oom);
	assert_int_equal(sb.len, strlen("table inet gatewayd {") + 1000 + 1);
	assert_int_equal(strlen(sb.buf), sb.len);
	assert_memory_equal(sb.buf, "table inet gatewayd {abc", 24);
	assert_int_equal(sb.buf[sb.len - 1], '}');
	sb_fini(&sb);
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(closest_candidate_is_offered_for_a_typo),
		cmocka_unit_test(exact_name_is_closest),
		cmocka_unit_test(no_hint_for_an_unrelated_word),
		cmocka_unit_test(edit_distance_counts_insertions_deletions_and_substitutions),
		cmocka_unit_test(swapped_neighbours_count_as_one_edit),
		cmocka_unit_test(names_are_lower_case_letters_digits_and_dashes),
		cmocka_unit_test(name_length_is_limited),
		cmocka_unit_test(relative_path_is_joined_and_normalised),
		cmocka_unit_test(absolute_path_ignores_the_directory),
		cmocka_unit_test(dot_paths_reduce_to_dot_or_keep_leading_dotdot),
		cmocka_unit_test(dirname_of_a_path),
		cmocka_unit_test(arena_memory_is_zeroed_and_aligned),
		cmocka_unit_test(arena_strings_are_copies),
		cmocka_unit_test(arena_push_grows_and_keeps_elements),
		cmocka_unit_test(arena_push_of_structs),
		cmocka_unit_test(strbuf_appends_formatted_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

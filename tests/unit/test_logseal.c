/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The seal line of the firewall log's day files (LOG-27): lib/logseal.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "logseal.h"

#define HEX "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define LINE "1234 7 " HEX " 2026-11-23T10:01:00.000042Z"

static int parse(const char *s, struct logseal *ret)
{
	return logseal_parse(s, strlen(s), ret);
}

static void test_round_trip(void **state)
{
	struct logseal s;
	char buf[LOGSEAL_LINE_MAX];

	(void)state;
	assert_int_equal(parse(LINE, &s), 0);
	assert_int_equal(s.bytes, 1234);
	assert_int_equal(s.lines, 7);
	assert_string_equal(s.sha256, HEX);
	assert_true(s.time_us == (int64_t)1795428060 * 1000000 + 42);
	assert_int_equal(logseal_format(&s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, LINE "\n");
	/* Too small a buffer is refused, not cut. */
	assert_int_equal(logseal_format(&s, buf, 20), -ENOSPC);
}

static void test_malformed_lines_are_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"1234 7 " HEX,                                         /* no time */
		"01234 7 " HEX " 2026-11-23T10:01:00.000042Z",         /* leading zero */
		"1234 0 " HEX " 2026-11-23T10:01:00.000042Z",          /* no line */
		"7 1234 " HEX " 2026-11-23T10:01:00.000042Z",          /* more lines than bytes */
		"1234  7 " HEX " 2026-11-23T10:01:00.000042Z",         /* two spaces */
		"1234 7 " HEX "0 2026-11-23T10:01:00.000042Z",         /* 65 digits */
		"1234 7 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08 "
		"2026-11-23T10:01:00.000042Z",                         /* upper case */
		"1234 7 " HEX " 2026-11-23T10:01:00Z",                 /* no microseconds */
		"1234 7 " HEX " 2026-11-23T10:01:00.000042Z ",         /* trailing space */
		"9007199254740993 7 " HEX " 2026-11-23T10:01:00.000042Z", /* 2^53 + 1 */
		"-1 7 " HEX " 2026-11-23T10:01:00.000042Z",
	};
	struct logseal s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &s) != -EINVAL)
			fail_msg("accepted: '%s'", bad[i]);
	}
	/* Boundary: 2^53 itself is accepted. */
	assert_int_equal(parse("9007199254740992 7 " HEX " 2026-11-23T10:01:00.000042Z", &s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed_lines_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

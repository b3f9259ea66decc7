/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of lib/duration.c: durations and UTC dates. Expected values
 * come from `date -u -d DATE +%s`, not from the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "duration.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int64_t D(const char *s)
{
	int64_t v = -1;

	if (duration_parse(s, &v))
		fail_msg("duration '%s' refused", s);
	return v;
}

static int64_t T(const char *s)
{
	int64_t v = -1;

	if (time_parse(s, &v))
		fail_msg("time '%s' refused", s);
	return v;
}

/* ---- durations ---------------------------------------------------------- */

/* C-22, C-23, C-29: deadlines are exact durations. */
static void duration_units_are_seconds_minutes_hours_days_weeks(void **state)
{
	(void)state;
	assert_int_equal(D("30s"), 30);
	assert_int_equal(D("15m"), 15 * 60);
	assert_int_equal(D("12h"), 12 * 3600);
	assert_int_equal(D("14d"), 14 * 86400);
	assert_int_equal(D("2w"), 14 * 86400);
	assert_int_equal(D("0s"), 0);
	assert_int_equal(D("365d"), 365 * DAY_SECONDS);
}

/* C-29 */
static void bare_number_is_seconds(void **state)
{
	(void)state;
	assert_int_equal(D("45"), 45);
	assert_int_equal(D("0"), 0);
	assert_int_equal(D("86400"), DAY_SECONDS);
}

/* C-29 */
static void malformed_duration_is_refused(void **state)
{
	static const char *const bad[] = {
		"",   "h",     "-5m",  "+5m", "5x",   "5mm", "1.5h", " 5m",
		"5 m", "5m ",  "5M",   "5H",  "d14",  "0x10", "1e3",
		"99999999999999999999", "99999999999999999999d", "9223372036854775807w",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(bad); i++) {
		int64_t v = 1234;

		if (duration_parse(bad[i], &v) != -EINVAL)
			fail_msg("duration '%s' was accepted", bad[i]);
		if (v != 1234)
			fail_msg("duration '%s' changed the output on failure", bad[i]);
	}
}

/* ---- dates -------------------------------------------------------------- */

/* OPS-8, C-29: a date is midnight UTC at the start of that day. */
static void date_is_midnight_utc(void **state)
{
	(void)state;
	assert_int_equal(T("1970-01-01"), 0);
	assert_int_equal(T("2027-01-01"), 1798761600);
	assert_int_equal(T("2027-03-31"), 1806451200);
	assert_int_equal(T("2026-11-02"), 1793577600);
	assert_int_equal(T("9999-12-31"), 253402214400);
}

/* C-29 */
static void rfc3339_time_with_zulu_or_offset_is_utc(void **state)
{
	(void)state;
	assert_int_equal(T("2027-03-31T12:00:00Z"), 1806494400);
	assert_int_equal(T("2027-03-31T12:00:00+09:00"), 1806462000);  /* 03:00Z */
	assert_int_equal(T("2027-03-31T12:00:00-05:30"), 1806514200);  /* 17:30Z */
	assert_int_equal(T("2027-03-31T12:00:00+00:00"), 1806494400);
	assert_int_equal(T("2027-03-31T12:00:00-00:30"), 1806496200);  /* 12:30Z */
	assert_int_equal(T("2027-01-01T05:00:00+09:00"), 1798761600 - 4 * 3600); /* day before */
	assert_int_equal(T("2038-01-19T03:14:08Z"), 2147483648);       /* past 32 bits */
	assert_int_equal(T("2027-03-31 12:00:00Z"), 1806494400);       /* RFC 3339 5.6 note */
}

/* C-29: leap years by the Gregorian rule. */
static void leap_days_exist_only_in_leap_years(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(T("2028-02-29"), 1835395200);
	assert_int_equal(T("2000-02-29"), 951782400);
	assert_int_equal(T("2028-03-01") - T("2028-02-28"), 2 * DAY_SECONDS);
	assert_int_equal(T("2027-03-01") - T("2027-02-28"), DAY_SECONDS);
	assert_int_equal(time_parse("2027-02-29", &v), -EINVAL);
	assert_int_equal(time_parse("2100-02-29", &v), -EINVAL); /* divisible by 100 */
	assert_int_equal(time_parse("1900-02-29", &v), -EINVAL);
}

/* OPS-8 */
static void invalid_date_is_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"2027",
		"2027-03",
		"2027-13-01",
		"2027-00-10",
		"2027-04-31",
		"2027-06-31",
		"2027-03-00",
		"2027-03-32",
		"2027-3-31",
		"27-03-31",
		"2027/03/31",
		"2027-03-31x",
		"2027-03-31T",
		"2027-03-31T12:00",
		"2027-03-31T12:00:00",
		"2027-03-31T12:00Z",
		"2027-03-31T24:00:00Z",
		"2027-03-31T12:60:00Z",
		"2027-03-31T12:00:61Z",
		"2027-03-31T12:00:00+0900",
		"2027-03-31T12:00:00+24:00",
		"2027-03-31T12:00:00+09:60",
		"2027-03-31T12:00:00Zjunk",
		"2027-03-31Z",
		"31.03.2027",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(bad); i++) {
		int64_t v = 1234;

		if (time_parse(bad[i], &v) != -EINVAL)
			fail_msg("time '%s' was accepted", bad[i]);
		if (v != 1234)
			fail_msg("time '%s' changed the output on failure", bad[i]);
	}
}

/* OPS-8: every field is digits only; a sign is no digit. */
static void date_fields_with_signs_are_refused(void **state)
{
	static const char *const bad[] = {
		"2027-03-+1",
		"2027-+3-31",
		"+027-03-31",
		"2027-03-31T+1:00:00Z",
		"2027-03-31T12:00:00+-1:00",
		"2027-03-31T12:00:00+00:-5",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(bad); i++) {
		int64_t v;

		if (time_parse(bad[i], &v) != -EINVAL)
			fail_msg("time '%s' was accepted", bad[i]);
	}
}

/* ---- formatting ------------------------------------------------------------ */

/* C-29: stored UTC, printed RFC 3339. */
static void time_is_formatted_as_rfc3339_utc(void **state)
{
	char buf[32];

	(void)state;
	time_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	time_format(1806462000, buf, sizeof(buf));
	assert_string_equal(buf, "2027-03-31T03:00:00Z");
	time_format(1835395200 + 86399, buf, sizeof(buf));
	assert_string_equal(buf, "2028-02-29T23:59:59Z");
	time_format(2147483648, buf, sizeof(buf));
	assert_string_equal(buf, "2038-01-19T03:14:08Z");
	date_format(1835395200 + 86399, buf, sizeof(buf));
	assert_string_equal(buf, "2028-02-29");
	date_format(1798761600, buf, sizeof(buf));
	assert_string_equal(buf, "2027-01-01");
}

/* C-29 */
static void time_before_the_epoch_is_formatted_by_calendar(void **state)
{
	char buf[32];

	(void)state;
	time_format(-1, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	date_format(-DAY_SECONDS, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31");
	date_format(-DAY_SECONDS - 1, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-30");
}

/* C-29: what is printed reads back as the same instant. */
static void formatted_times_parse_back_to_the_same_instant(void **state)
{
	static const int64_t times[] = {
		0, 1, 59, 86399, 86400, 951782400, 951868799, 1798761600, 1806494400 + 3661,
		1835395200, 2147483647, 2147483648, 4102444800, 253402300799,
	};
	char buf[32], day[16];
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(times); i++) {
		int64_t back = -1;

		time_format(times[i], buf, sizeof(buf));
		assert_int_equal(time_parse(buf, &back), 0);
		if (back != times[i])
			fail_msg("%lld -> %s -> %lld", (long long)times[i], buf, (long long)back);
		date_format(times[i], day, sizeof(day));
		assert_int_equal(time_parse(day, &back), 0);
		assert_int_equal(back, times[i] - times[i] % DAY_SECONDS);
		assert_memory_equal(day, buf, 10);
	}
}

/* C-29: every day of a leap and a common year round-trips. */
static void every_date_of_two_years_round_trips(void **state)
{
	int64_t t, back, first = 1798761600 /* 2027-01-01 */;
	char day[16];
	int n = 0;

	(void)state;
	for (t = first; t < first + (365 + 366) * DAY_SECONDS; t += DAY_SECONDS, n++) {
		date_format(t, day, sizeof(day));
		assert_int_equal(time_parse(day, &back), 0);
		if (back != t)
			fail_msg("%s parsed to %lld, not %lld", day, (long long)back, (long long)t);
	}
	assert_int_equal(n, 731);
	date_format(t - DAY_SECONDS, day, sizeof(day));
	assert_string_equal(day, "2028-12-31");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(duration_units_are_seconds_minutes_hours_days_weeks),
		cmocka_unit_test(bare_number_is_seconds),
		cmocka_unit_test(malformed_duration_is_refused),
		cmocka_unit_test(date_is_midnight_utc),
		cmocka_unit_test(rfc3339_time_with_zulu_or_offset_is_utc),
		cmocka_unit_test(leap_days_exist_only_in_leap_years),
		cmocka_unit_test(invalid_date_is_refused),
		cmocka_unit_test(date_fields_with_signs_are_refused),
		cmocka_unit_test(time_is_formatted_as_rfc3339_utc),
		cmocka_unit_test(time_before_the_epoch_is_formatted_by_calendar),
		cmocka_unit_test(formatted_times_parse_back_to_the_same_instant),
		cmocka_unit_test(every_date_of_two_years_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

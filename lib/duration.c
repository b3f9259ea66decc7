/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Durations and dates, computed without the C library's time zone state. */
#include "duration.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int duration_parse(const char *s, int64_t *ret)
{
	static const struct {
		char unit;
		int64_t mult;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 } };
	long long v;
	char *end;
	size_t i;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || v < 0 || v > 100LL * 365 * 86400)
		return -EINVAL;
	if (!*end) {
		*ret = v;
		return 0;
	}
	if (end[1])
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (*end == units[i].unit) {
			if (v > 100LL * 365 * 86400 / units[i].mult)
				return -EINVAL;
			*ret = v * units[i].mult;
			return 0;
		}
	}
	return -EINVAL;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *ry, unsigned *rm, unsigned *rd)
{
	int64_t era, y;
	unsigned doe, yoe, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	*ry = (int)(y + (m <= 2));
	*rm = m;
	*rd = d;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int time_parse(const char *s, int64_t *ret)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, n = 0, oh = 0, om = 0;
	unsigned mo, d, h = 0, mi = 0, se = 0;
	int64_t t;
	const char *p;
	char sign;

	/* Fixed-width fields: every digit position must hold a digit (sscanf takes signs). */
	static const char pattern[] = "dddd-dd-dd";
	static const char tpattern[] = "Tdd:dd:dd";
	size_t i, len = strlen(s);

	if (len < 10)
		return -EINVAL;
	for (i = 0; i < 10; i++)
		if (pattern[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pattern[i])
			return -EINVAL;
	if (len > 10) {
		if (len < 19)
			return -EINVAL;
		for (i = 1; i < 9; i++)
			if (tpattern[i] == 'd' ? !isdigit((unsigned char)s[10 + i])
					       : s[10 + i] != tpattern[i])
				return -EINVAL;
		if (len == 25 && (!isdigit((unsigned char)s[20]) || !isdigit((unsigned char)s[21]) ||
				  !isdigit((unsigned char)s[23]) || !isdigit((unsigned char)s[24])))
			return -EINVAL;
	}
	if (sscanf(s, "%4d-%2u-%2u%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -EINVAL;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return -EINVAL;
	p = s + 10;
	if (*p) {
		if ((*p != 'T' && *p != ' ') || sscanf(p + 1, "%2u:%2u:%2u%n", &h, &mi, &se, &n) != 3 ||
		    n != 8)
			return -EINVAL;
		if (h > 23 || mi > 59 || se > 60)
			return -EINVAL;
		p += 9;
		sign = *p;
		if (sign == 'Z' && p[1] == '\0') {
			/* UTC */
		} else if ((sign == '+' || sign == '-') && strlen(p) == 6 && p[3] == ':' &&
			   sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 && oh <= 23 && om <= 59) {
			if (sign == '-') {
				oh = -oh;
				om = -om;
			}
		} else {
			return -EINVAL;
		}
	}
	t = days_from_civil(y, mo, d) * DAY_SECONDS + h * 3600 + mi * 60 + se;
	*ret = t - (oh * 3600 + om * 60);
	return 0;
}

void time_format(int64_t t, char *buf, size_t len)
{
	int64_t days = t >= 0 ? t / DAY_SECONDS : (t - DAY_SECONDS + 1) / DAY_SECONDS;
	int64_t rem = t - days * DAY_SECONDS;
	unsigned m, d;
	int y;

	civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04d-%02u-%02uT%02u:%02u:%02uZ", y, m, d, (unsigned)(rem / 3600),
		 (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
}

void date_format(int64_t t, char *buf, size_t len)
{
	int64_t days = t >= 0 ? t / DAY_SECONDS : (t - DAY_SECONDS + 1) / DAY_SECONDS;
	unsigned m, d;
	int y;

	civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04d-%02u-%02u", y, m, d);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The seal line of a firewall log day file (LOG-27); see logseal.h. */
#include "logseal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "logrec.h"

#define NUM_MAX ((uint64_t)1 << 53) /* exact in a JSON number and a double */

/* A decimal number without a leading zero at @s (up to @end); advances @s. */
static int number(const char **s, const char *end, uint64_t *ret)
{
	const char *p = *s;
	uint64_t v = 0;

	if (p == end || *p < '1' || *p > '9')
		return -EINVAL;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > NUM_MAX)
			return -EINVAL;
	}
	*s = p;
	*ret = v;
	return 0;
}

int logseal_parse(const char *line, size_t len, struct logseal *ret)
{
	const char *s = line, *end = line + len;
	struct logseal x;
	size_t i;

	if (number(&s, end, &x.bytes) || s == end || *s++ != ' ' ||
	    number(&s, end, &x.lines) || s == end || *s++ != ' ')
		return -EINVAL;
	if (x.lines > x.bytes || end - s < 64 + 1)
		return -EINVAL;
	for (i = 0; i < 64; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -EINVAL;
		x.sha256[i] = c;
	}
	x.sha256[64] = '\0';
	s += 64;
	if (*s++ != ' ' || logrec_time_parse(s, (size_t)(end - s), &x.time_us))
		return -EINVAL;
	*ret = x;
	return 0;
}

int logseal_format(const struct logseal *s, char *buf, size_t size)
{
	char t[64];
	int n;

	if (s->time_us < 0 || s->time_us > LOGREC_TIME_MAX || strlen(s->sha256) != 64)
		return -EINVAL;
	logrec_time_format(s->time_us, t, sizeof(t));
	n = snprintf(buf, size, "%" PRIu64 " %" PRIu64 " %s %s\n", s->bytes, s->lines, s->sha256, t);
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

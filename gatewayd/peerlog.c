/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: the peers of a device from the firewall log's day files (see peerlog.h). */
#include "peerlog.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "lanpeers.h"
#include "logreport.h"
#include "logrec.h"
#include "util.h"

static char *sentence(const char *fmt, const char *a, const char *b)
{
	struct strbuf sb = { 0 };

	sb_addf(&sb, "Hosts and services it talked to (LANREQ-33): ");
	sb_addf(&sb, fmt, a, b);
	sb_addf(&sb, "\n");
	if (sb.oom) {
		sb_fini(&sb);
		return NULL;
	}
	return sb.buf;
}

/* Feeds @t the records of one day file that name the address (@needle: "\"ADDR\""). */
static int read_day(struct logtrace *t, const char *path, const char *needle, int64_t since_us)
{
	char line[LOGREC_LINE_MAX + 2];
	FILE *f = fopen(path, "re");

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		struct logrec rec;

		/* Most records are of other hosts: a substring test before the parse. */
		if (!strstr(line, needle) || logrec_parse(line, strlen(line), &rec) ||
		    rec.time_us < since_us)
			continue;
		if (logtrace_add(t, &rec)) {
			fclose(f);
			return -ENOMEM;
		}
	}
	fclose(f);
	return 0;
}

char *peerlog_text(const char *dir, const char *addr, unsigned days, int64_t now,
		   const struct policy *p)
{
	struct logtrace_summary sum;
	struct logtrace *t;
	uint8_t a[16];
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	char needle[64], *text;
	unsigned d;
	int r = 0;

	if (inet_pton(family, addr, a) != 1)
		return sentence("'%s' is not an address%s.", addr, "");
	if (!dir)
		return sentence("the firewall log is not kept%s%s.", "", "");
	if (logtrace_new(family, a, &t))
		return NULL;
	snprintf(needle, sizeof(needle), "\"%s\"", addr);
	/* The day files from the first day of the window to today, in time order. */
	for (d = days + 1; !r && d-- > 0;) {
		char day[16], path[4096];

		time_format(now - (int64_t)d * DAY_SECONDS, day, sizeof(day));
		snprintf(path, sizeof(path), "%s/fw-%.10s.jsonl", dir, day);
		r = read_day(t, path, needle, (now - (int64_t)days * DAY_SECONDS) * 1000000);
	}
	if (r) {
		logtrace_free(t);
		return r == -ENOMEM ? NULL
				    : sentence("the firewall log in %s cannot be read: %s.", dir,
					       strerror(-r));
	}
	logtrace_result(t, &sum);
	text = lanpeers_text(&sum, addr, days, LANPEERS_TOP, p);
	logtrace_free(t);
	return text;
}

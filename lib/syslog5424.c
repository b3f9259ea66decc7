/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Record lines as RFC 5424 messages in RFC 6587 octet-counted frames (LOG-9). */
#include "syslog5424.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SEV_NOTICE 5
#define SEV_INFO 6

static const char *const facilities[24] = {
	"kern",	  "user",   "mail",   "daemon", "auth",	  "syslog", "lpr",    "news",
	"uucp",	  "cron",   "authpriv", "ftp",  "ntp",	  "audit",  "alert",  "clock",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
};

int syslog5424_facility(const char *name)
{
	int i;

	for (i = 0; i < 24; i++)
		if (name && !strcmp(name, facilities[i]))
			return i;
	return -1;
}

static bool is_printusascii(unsigned char c)
{
	return c >= 33 && c <= 126;
}

char *syslog5424_hostname(const char *name, char *buf, size_t size)
{
	size_t i;

	if (!name || !name[0] || size < 2) {
		snprintf(buf, size, "-");
		return buf;
	}
	for (i = 0; name[i] && i < SYSLOG5424_HOSTNAME_MAX && i + 1 < size; i++)
		buf[i] = is_printusascii((unsigned char)name[i]) ? name[i] : '_';
	buf[i] = '\0';
	return buf;
}

bool syslog5424_hostname_ok(const char *name)
{
	size_t i;

	if (!name || !name[0])
		return false;
	for (i = 0; name[i]; i++)
		if (i >= SYSLOG5424_HOSTNAME_MAX || !is_printusascii((unsigned char)name[i]))
			return false;
	return true;
}

/* "DD" at @s, each a digit. */
static bool digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * The length of the RFC 5424 FULL-DATE "T" PARTIAL-TIME "Z" at @s (at most
 * @len bytes): "YYYY-MM-DDTHH:MM:SS" [ "." 1*6DIGIT ] "Z"; 0 when it is not one.
 */
static size_t timestamp_len(const char *s, size_t len)
{
	size_t n = 19;

	if (len < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2) || s[10] != 'T' || !digits(s + 11, 2) || s[13] != ':' ||
	    !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
		return 0;
	if (s[n] == '.') {
		size_t k = 0;

		for (n++; n < len && k < 7 && s[n] >= '0' && s[n] <= '9'; n++)
			k++;
		if (k < 1 || k > 6)
			return 0;
	}
	return n < len && s[n] == 'Z' ? n + 1 : 0;
}

/*
 * The record's time and verdict, read from the fixed start logrec_format()
 * writes: {"@timestamp":"...","event.action":"permitted"|"denied", ...
 */
static void record_head(const char *line, size_t len, const char **ret_ts, size_t *ret_ts_len,
			unsigned *ret_sev)
{
	static const char head[] = "{\"@timestamp\":\"", act[] = "\",\"event.action\":\"";
	size_t n, h = sizeof(head) - 1, a = sizeof(act) - 1;
	const char *p;

	*ret_ts = "-";
	*ret_ts_len = 1;
	*ret_sev = SEV_NOTICE;
	if (len < h || memcmp(line, head, h))
		return;
	n = timestamp_len(line + h, len - h);
	if (!n)
		return;
	*ret_ts = line + h;
	*ret_ts_len = n;
	p = line + h + n;
	len -= h + n;
	if (len >= a + 10 && !memcmp(p, act, a) && !memcmp(p + a, "permitted\"", 10))
		*ret_sev = SEV_INFO;
}

int syslog5424_frame(const struct syslog5424_header *h, const char *line, size_t len,
		     struct strbuf *sb)
{
	char hdr[512];
	const char *ts, *bom = "";
	size_t ts_len, i;
	unsigned sev;
	int n;

	if (memchr(line, '\0', len) || h->facility > 23)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] >= 0x80) {
			bom = "\xef\xbb\xbf"; /* RFC 5424 §6.4: MSG-UTF8 starts with the BOM */
			break;
		}
	if (h->msgid) {
		size_t k, m = strlen(h->msgid);

		if (m < 1 || m > 32)
			return -EINVAL;
		for (k = 0; k < m; k++)
			if (h->msgid[k] < '!' || h->msgid[k] > '~')
				return -EINVAL;
	}
	if (h->fixed && h->severity > 7)
		return -EINVAL;
	record_head(line, len, &ts, &ts_len, &sev);
	if (h->fixed)
		sev = h->severity;
	n = snprintf(hdr, sizeof(hdr), "<%u>1 %.*s %s gatewayd %lu %s - %s", h->facility * 8 + sev,
		     (int)ts_len, ts, h->hostname && h->hostname[0] ? h->hostname : "-",
		     h->procid, h->msgid ? h->msgid : "fw", bom);
	if (n < 0 || (size_t)n >= sizeof(hdr) || len > (size_t)INT32_MAX)
		return -EINVAL;
	sb_addf(sb, "%zu %s%.*s", (size_t)n + len, hdr, (int)len, line);
	return sb->oom ? -ENOMEM : 0;
}

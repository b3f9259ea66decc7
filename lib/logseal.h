/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seals of the firewall log's day files (LOG-27): alteration of a record
 * already sealed is detectable. Pure: the format of one seal line.
 *
 * Beside DIR/fw-YYYY-MM-DD.jsonl, DIR/fw-YYYY-MM-DD.jsonl.seal holds one
 * line per seal, appended after each health check that saw new records and
 * when the day's file is closed:
 *
 *   BYTES LINES SHA256 TIME
 *
 * SHA256 (64 lowercase hex digits) is the digest of the day file's first
 * BYTES bytes, which are its first LINES lines; TIME is when it was sealed
 * (RFC 3339 UTC with microseconds, as "@timestamp"). Each seal covers all
 * that came before it, so the seals form a chain: a changed, removed or
 * inserted byte anywhere before a seal's BYTES makes that seal and every
 * later one fail. Records after the last seal are not covered yet. gatewayd
 * also logs every seal to syslog, so a copy leaves the gateway (LOG-9):
 * whoever can rewrite both files cannot rewrite the log server's copy.
 */
#ifndef GW_LOGSEAL_H
#define GW_LOGSEAL_H

#include <stddef.h>
#include <stdint.h>

#define LOGSEAL_HEX 65   /* 64 hex digits and a NUL */
#define LOGSEAL_LINE_MAX 160

struct logseal {
	uint64_t bytes;
	uint64_t lines;
	char sha256[LOGSEAL_HEX];
	int64_t time_us;
};

/*
 * Reads one seal line (@len bytes, without its newline). Strict: decimal
 * BYTES and LINES without leading zeros (1 <= LINES <= BYTES <= 2^53),
 * 64 lowercase hex digits, a time as "@timestamp" writes it, single spaces.
 * Returns 0 and *@ret, or -EINVAL.
 */
int logseal_parse(const char *line, size_t len, struct logseal *ret);
/* Writes @s as one line with its newline into @buf (LOGSEAL_LINE_MAX bytes). */
int logseal_format(const struct logseal *s, char *buf, size_t size);

#endif

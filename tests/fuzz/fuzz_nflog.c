/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the firewall log path: NFLOG record decoding
 * (lib/nflog.c), then the log record built from it, written as a JSON line
 * and read back (lib/logrec.c). The same bytes are also read as a JSON line,
 * as the log search will read files. Any bytes must give a result or a
 * refusal, never a crash, a leak or undefined behaviour; and whatever is
 * accepted must survive the round trip unchanged: format(parse(line)) is
 * the line, parse(format(record)) the record.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logrec.h"
#include "nflog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Interface names of every kind the daemon might hand over, valid or not. */
static const char *fuzz_ifname(void *unused, uint32_t ifindex)
{
	static const char *const names[] = { NULL, "eth0", "a/b", "fifteen-chars-a", "",
					     "sixteen-chars-ab", ".." };

	(void)unused;
	return names[ifindex % (sizeof(names) / sizeof(names[0]))];
}

/* Zone pairs likewise: known, partly known, invalid, unknown. */
static bool fuzz_rule(void *unused, const char *id, const char **ret_from, const char **ret_to)
{
	(void)unused;
	switch (strlen(id) % 4) {
	case 0:
		*ret_from = "lan";
		*ret_to = "gateway";
		return true;
	case 1:
		*ret_from = NULL;
		*ret_to = "dmz";
		return true;
	case 2:
		*ret_from = "NotAZone";
		*ret_to = "a-zone-name-that-is-too-long-for-us";
		return true;
	default:
		return false;
	}
}

/* @line must read back to @r, and @r must write @line again. */
static void check_round_trip(const struct logrec *r, const char *line)
{
	struct logrec back;
	char *again = NULL;
	int e = logrec_parse(line, strlen(line), &back);

	if (e == -ENOMEM)
		return;
	if (e != 0 || memcmp(&back, r, sizeof(back)))
		abort();
	e = logrec_format(&back, &again);
	if (e == -ENOMEM)
		return;
	if (e != 0 || strcmp(again, line))
		abort();
	free(again);
}

static void fuzz_record(const uint8_t *data, size_t size)
{
	static const struct logrec_ctx ctx = { fuzz_ifname, fuzz_rule, NULL, true };
	struct nflog_pkt p;
	struct logrec r;
	char *line = NULL;
	int e = nflog_decode(data, size, &p);

	if (e == -EINVAL || e == -EAFNOSUPPORT)
		return;
	if (e != 0)
		abort();
	/* Borrowed pointers stay inside the record. */
	if (!p.payload || p.payload < data || p.payload_len > size ||
	    p.payload - data > (ptrdiff_t)(size - p.payload_len))
		abort();
	if (p.hwheader && (p.hwheader < data || p.hwheader_len > size ||
			   p.hwheader - data > (ptrdiff_t)(size - p.hwheader_len)))
		abort();
	if (p.has_ports && p.has_icmp)
		abort();
	/* 2027-01-01T00:00:00.123456Z */
	e = logrec_build(&p, INT64_C(1798761600123456), &ctx, &r);
	if (e == -ENOENT || e == -EINVAL)
		return;
	if (e != 0)
		abort();
	e = logrec_format(&r, &line);
	if (e == -ENOMEM)
		return;
	if (e != 0)
		abort();
	check_round_trip(&r, line);
	free(line);
}

static void fuzz_line(const uint8_t *data, size_t size)
{
	struct logrec r;
	char *line = NULL;
	int e = logrec_parse((const char *)data, size, &r);

	if (e == -EINVAL || e == -ENOMEM)
		return;
	if (e != 0)
		abort();
	/* A record read must write a line that reads back to it. */
	e = logrec_format(&r, &line);
	if (e == -ENOMEM)
		return;
	if (e != 0)
		abort();
	check_round_trip(&r, line);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_record(data, size);
	fuzz_line(data, size);
	return 0;
}

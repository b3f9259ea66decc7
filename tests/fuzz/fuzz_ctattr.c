/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for conntrack entries (lib/ctattr.c, NAT-5): the bytes
 * as a run of conntrack event messages (as gatewayd/ctevents.c walks a
 * datagram) and as the CTA_* attributes of an NFLOG NFULA_CT; every entry
 * decoded is then joined with a record built from its own tuples
 * (lib/natjoin.c) and that record written and read back unchanged. Any
 * bytes give an entry or a refusal, never a crash, a leak or UB.
 * Seeds: tests/fuzz/corpus/ctattr (the events of tests/data/ct).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ctattr.h"
#include "logrec.h"
#include "natjoin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The record of the connection as the filter saw it; joined, it must round-trip. */
static void join(const struct ct_entry *ct)
{
	struct logrec r, back;
	char *line = NULL;

	if (!ct->has_orig || !ct->has_reply || ct->orig.family != ct->reply.family ||
	    !ct->orig.family || !ct->orig.has_proto)
		return;
	memset(&r, 0, sizeof(r));
	r.time_us = 1;
	strcpy(r.rule_id, "a>b:c");
	r.family = ct->orig.family;
	r.protocol = ct->orig.proto;
	memcpy(r.saddr, ct->orig.src, r.family == AF_INET ? 4 : 16);
	memcpy(r.daddr, ct->reply.src, r.family == AF_INET ? 4 : 16);
	if (ct->orig.has_ports && ct->reply.has_ports) {
		r.has_ports = true;
		r.sport = ct->orig.sport;
		r.dport = ct->reply.sport;
	}
	if (!natjoin_apply(&r, ct))
		abort(); /* a record built from the entry is its connection */
	if (logrec_format(&r, &line) == -ENOMEM)
		return;
	if (!line)
		abort(); /* every joined record is writable */
	if (logrec_parse(line, strlen(line), &back) == 0 && memcmp(&back, &r, sizeof(r)))
		abort();
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_entry ct;
	size_t off = 0, step;
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	/* Exactly @size bytes on the heap: ASan sees any overread. */
	memcpy(copy, data, size);
	while (off < size) {
		int r = ct_decode_event(copy + off, size - off, &ct, &step);

		if (r == -EINVAL)
			break;
		if (step == 0 || step > size - off)
			abort();
		if (r == 0)
			join(&ct);
		off += step;
	}
	if (ct_decode_attrs(copy, size, &ct) == 0)
		join(&ct);
	free(copy);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for what 'netctl log report' and 'netctl log host' do
 * with a day file's lines (lib/logrec.c, lib/logreport.c): any bytes, split
 * into lines, are read strictly; the records that parse feed the analysis
 * (with small bounds, so they are reached) and a trace. Nothing may crash
 * or overread, and the results must keep the header's promises: counts add
 * up, lists stay within their bounds, sorted biggest first.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logrec.h"
#include "logreport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(struct logreport *lr, struct logtrace *t, uint64_t n, uint64_t n_traced)
{
	struct logreport_summary s;
	struct logtrace_summary ts;
	size_t k, i;

	if (logreport_result(lr, &s))
		return;
	if (s.records != n || s.permitted + s.denied != n || s.untracked_records > s.denied)
		abort();
	for (k = 0; k < LR__COUNT; k++) {
		const struct logreport_list *l = &s.kinds[k];

		if (l->n > 2)
			abort();
		for (i = 0; i < l->n; i++) {
			if (!l->v[i].count || l->v[i].first_us > l->v[i].last_us)
				abort();
			if (i && l->v[i].count > l->v[i - 1].count)
				abort();
		}
	}
	logtrace_result(t, &ts);
	if (ts.records != n_traced || ts.permitted + ts.denied != n_traced ||
	    ts.n_peers > LOGTRACE_PEERS)
		abort();
	for (i = 1; i < ts.n_peers; i++)
		if (ts.peers[i].count > ts.peers[i - 1].count)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logreport_limits lim = LOGREPORT_LIMITS_DEFAULT;
	static const char *const inet[] = { "internet" }, *const vpn[] = { "remote" };
	struct logreport_db db = { .name = "db", .family = AF_INET, .addr = { 10, 1, 0, 10 } };
	struct logreport_ctx ctx = { inet, 1, vpn, 1, &db, 1 };
	static const uint8_t host[16] = { 10, 11, 0, 100 };
	struct logreport *lr = NULL;
	struct logtrace *t = NULL;
	uint64_t n = 0, n_traced = 0;
	size_t at = 0;

	lim.window = 2;
	lim.denied = 3;
	lim.scan_ports = 2;
	lim.scan_hosts = 2;
	lim.db_connections = 2;
	lim.sources = 16;
	lim.top = 2;
	if (logreport_new(&lim, &ctx, &lr) || logtrace_new(AF_INET, host, &t))
		goto out;
	while (at < size) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - data - at) : size - at;
		struct logrec r;

		if (!logrec_parse((const char *)data + at, len, &r)) {
			if (logreport_add(lr, &r) || logtrace_add(t, &r))
				goto out;
			n++;
			n_traced += logtrace_matches(t, &r);
		}
		at += len + 1;
	}
	check(lr, t, n, n_traced);
out:
	logreport_free(lr);
	logtrace_free(t);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * drift_check: the readback edge on its own, for tests/e2e/drift.sh and the
 * benchmark. Loads and compiles a config, optionally applies it with
 * gatewayd's encoder, reads table inet gatewayd back over netlink and
 * prints the drift report (and the per-rule counters).
 *
 *   drift_check -c CONF [--at TIME] [--apply] [--counters] [--time]
 *
 * Output, one line each:
 *   <kind> <object> '<name>' [chain C] [handle N]: <reason>
 *   counter <chain> <id> <packets> <bytes>        (--counters)
 *   equal | N differences
 * Exit status: 0 equal, 1 drift, 2 usage, config or system failure.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "apply.h"
#include "compile.h"
#include "confread.h"
#include "duration.h"
#include "readback.h"

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void print_drift(const struct drift *d)
{
	size_t i;

	for (i = 0; i < drift_count(d); i++) {
		const struct drift_entry *e = drift_entry(d, i);

		printf("%s %s '%s'", drift_kind_name(e->kind), drift_object_name(e->object),
		       e->name);
		if (e->chain)
			printf(" chain %s", e->chain);
		if (e->handle)
			printf(" handle %" PRIu64, e->handle);
		printf(": %s\n", e->reason);
	}
	if (drift_count(d))
		printf("%zu differences\n", drift_count(d));
	else
		printf("equal\n");
}

static void print_counters(const struct readback *rb)
{
	const struct rule_counter *c;
	size_t i, n;

	c = readback_counters(rb, &n);
	for (i = 0; i < n; i++)
		if (c[i].has_counter)
			printf("counter %s %s %" PRIu64 " %" PRIu64 "\n", c[i].chain,
			       c[i].id ? c[i].id : "-", c[i].packets, c[i].bytes);
}

static int usage(void)
{
	fprintf(stderr, "usage: drift_check -c CONF [--at TIME] [--apply] [--counters] [--time]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "at", required_argument, NULL, 't' },
		{ "apply", no_argument, NULL, 'a' },
		{ "counters", no_argument, NULL, 'n' },
		{ "time", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL;
	bool do_apply = false, counters = false, timing = false;
	int64_t now = (int64_t)time(NULL);
	struct readback *rb = NULL;
	struct drift *dr = NULL;
	struct policy *p = NULL;
	struct ruleset *rs = NULL;
	struct timespec t0;
	struct diag_list d;
	double t_dump, t_diff;
	int o, r, status = 2;

	while ((o = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			conf = optarg;
			break;
		case 't':
			if (time_parse(optarg, &now))
				return usage();
			break;
		case 'a':
			do_apply = true;
			break;
		case 'n':
			counters = true;
			break;
		case 'T':
			timing = true;
			break;
		default:
			return usage();
		}
	}
	if (!conf || optind != argc)
		return usage();
	diag_init(&d);
	r = confread_load(conf, now, 0, &p, &d);
	if (!r)
		r = compile_policy(p, &rs, &d);
	if (!r && do_apply)
		r = apply_ruleset(rs, &d);
	diag_sort(&d);
	diag_print(stderr, &d);
	if (r) {
		fprintf(stderr, "drift_check: %s: %s\n",
			do_apply ? "load, compile or apply" : "load or compile", strerror(-r));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = readback_dump(rs, &rb);
	t_dump = ms_since(&t0);
	if (r) {
		fprintf(stderr, "drift_check: readback: %s\n", strerror(-r));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = readback_diff(rb, rs, &dr);
	t_diff = ms_since(&t0);
	if (r) {
		fprintf(stderr, "drift_check: diff: %s\n", strerror(-r));
		goto out;
	}
	print_drift(dr);
	if (counters)
		print_counters(rb);
	if (timing) {
		size_t n;

		readback_counters(rb, &n);
		fprintf(stderr, "drift_check: %zu rules: dump %.1f ms, diff %.1f ms\n", n, t_dump,
			t_diff);
	}
	status = drift_count(dr) ? 1 : 0;
out:
	drift_free(dr);
	readback_free(rb);
	diag_fini(&d);
	ruleset_free(rs);
	policy_free(p);
	return status;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatewayd: loads the config, compiles it and applies the ruleset to the
 * kernel in one netlink transaction.
 *
 * This is the first step of the daemon: "--oneshot" applies once and exits
 * (boot-time apply, CI, the lab). The long-running daemon (reload on SIGHUP,
 * control socket, drift checks) builds on the same load-compile-apply path.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply.h"
#include "compile.h"
#include "confread.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: gatewayd -c CONF --oneshot\n"
		   "  -c, --config CONF   main config file (default /etc/gatewayd/gatewayd.conf)\n"
		   "      --oneshot       validate, compile, apply atomically, exit\n"
		   "Exit status: 0 applied; 1 refused (config or kernel), nothing changed; 2 usage.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "oneshot", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = "/etc/gatewayd/gatewayd.conf";
	struct policy *p = NULL;
	struct ruleset *rs = NULL;
	struct diag_list d;
	bool oneshot = false;
	int o, r;

	while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			conf = optarg;
			break;
		case 'o':
			oneshot = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!oneshot || optind != argc) {
		usage(stderr);
		return 2;
	}
	diag_init(&d);
	r = confread_load(conf, (int64_t)time(NULL), 0, &p, &d);
	if (r == 0)
		r = compile_policy(p, &rs, &d);
	if (r == 0)
		r = apply_ruleset(rs, &d);
	diag_sort(&d);
	diag_print(stderr, &d);
	if (r == 0)
		fprintf(stderr, "gatewayd: applied table inet %s from %s (%zu rules)\n", rs->table,
			conf, ruleset_count_deciding(rs));
	else if (r != -EINVAL)
		fprintf(stderr, "gatewayd: apply failed: %s\n", strerror(-r));
	diag_fini(&d);
	ruleset_free(rs);
	policy_free(p);
	return r ? 1 : 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Offline verbs: no daemon, no root. They load the config through the core
 * (lib/) exactly as gatewayd does, so what they print is what would run.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compile.h"
#include "conf.h"
#include "confread.h"
#include "duration.h"
#include "netctl.h"
#include "print.h"
#include "render.h"

struct common {
	const char *conf;
	int64_t now;
	bool json;
	bool no_origins;
};

enum { OPT_AT = 256, OPT_JSON, OPT_NO_ORIGINS };

/*
 * Parses the options every offline verb shares. Returns -1 to go on, or an
 * exit status.
 */
static int parse_common(int argc, char **argv, struct common *c, const char *usage,
			bool allow_json, bool allow_origins)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "at", required_argument, NULL, OPT_AT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "no-origins", no_argument, NULL, OPT_NO_ORIGINS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	c->conf = getenv("GATEWAYD_CONF") ? getenv("GATEWAYD_CONF") : NETCTL_DEFAULT_CONF;
	c->now = (int64_t)time(NULL);
	optind = 1;
	while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			c->conf = optarg;
			break;
		case OPT_AT:
			if (time_parse(optarg, &c->now)) {
				die_msg("--at: '%s' is not a date (YYYY-MM-DD or RFC 3339)", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_JSON:
			if (!allow_json)
				goto bad;
			c->json = true;
			break;
		case OPT_NO_ORIGINS:
			if (!allow_origins)
				goto bad;
			c->no_origins = true;
			break;
		case 'h':
			printf("%s", usage);
			return EXIT_OK;
		default:
			goto bad;
		}
	}
	return -1;
bad:
	fprintf(stderr, "%s", usage);
	return EXIT_USAGE;
}

/* Loads, validates and (if @ret_rs) compiles; prints diagnostics on stderr. */
static int load(const struct common *c, struct policy **ret_p, struct ruleset **ret_rs)
{
	struct diag_list d;
	struct policy *p = NULL;
	struct ruleset *rs = NULL;
	int r;

	diag_init(&d);
	r = confread_load(c->conf, c->now, &p, &d);
	if (r == 0 && ret_rs)
		r = compile_policy(p, &rs, &d);
	diag_sort(&d);
	diag_print(stderr, &d);
	diag_fini(&d);
	if (r == -ENOMEM)
		die_msg("out of memory");
	if (r) {
		policy_free(p);
		return EXIT_REFUSED;
	}
	if (ret_rs)
		*ret_rs = rs;
	if (ret_p)
		*ret_p = p;
	else
		policy_free(p);
	return EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
	static const char usage[] =
		"Usage: netctl check [-c CONF] [--at TIME]\n"
		"Validates CONF and its zone files against the regulation at TIME (default now).\n"
		"Prints every problem as FILE:LINE: message; exit 0 when valid, 1 when not.\n";
	struct common c = { 0 };
	struct policy *p = NULL;
	struct ruleset *rs = NULL;
	int r = parse_common(argc, argv, &c, usage, false, false);

	if (r >= 0)
		return r;
	if (optind != argc) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	r = load(&c, &p, &rs);
	if (r)
		return r;
	printf("%s: valid: %zu zones, %zu services, %zu hosts, %zu rules\n", c.conf, p->n_zones,
	       p->n_services, p->n_hosts, ruleset_count_deciding(rs));
	ruleset_free(rs);
	policy_free(p);
	return EXIT_OK;
}

int cmd_render(int argc, char **argv)
{
	static const char usage[] =
		"Usage: netctl render [-c CONF] [--at TIME] [--no-origins]\n"
		"Prints the canonical nftables ruleset CONF compiles to.\n";
	struct common c = { 0 };
	struct ruleset *rs = NULL;
	int r = parse_common(argc, argv, &c, usage, false, true);

	if (r >= 0)
		return r;
	if (optind != argc) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	r = load(&c, NULL, &rs);
	if (r)
		return r;
	r = render_ruleset(stdout, rs, c.no_origins ? 0 : RENDER_ORIGINS);
	ruleset_free(rs);
	if (r || fflush(stdout)) {
		die_msg("writing the rendering failed");
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

int cmd_rules(int argc, char **argv)
{
	static const char usage[] =
		"Usage: netctl rules [-c CONF] [--at TIME] [--json]\n"
		"Prints the settings list (CHG-2): every rule with its id, zone pair, services,\n"
		"verdict, config location and exception.\n";
	struct common c = { 0 };
	struct ruleset *rs = NULL;
	int r = parse_common(argc, argv, &c, usage, true, false);

	if (r >= 0)
		return r;
	if (optind != argc) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	r = load(&c, NULL, &rs);
	if (r)
		return r;
	r = print_rules(stdout, rs, c.json);
	ruleset_free(rs);
	return r ? EXIT_REFUSED : EXIT_OK;
}

int cmd_diff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	die_msg("diff: not built yet");
	return EXIT_USAGE;
}

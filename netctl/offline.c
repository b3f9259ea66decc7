/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Offline verbs: no daemon, no root. They load the config through the core
 * (lib/) exactly as gatewayd does, so what they print is what would run.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
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
#include "rdiff.h"
#include "render.h"

struct common {
	const char *conf;
	int64_t now;
	bool json;
	bool no_origins;
	bool relative; /* origins relative to the config's directory (renderings) */
	bool as_daemon; /* --as-daemon: lapsed exceptions left out, as gatewayd does */
};

enum { OPT_AT = 256, OPT_JSON, OPT_NO_ORIGINS, OPT_AS_DAEMON };

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
		{ "as-daemon", no_argument, NULL, OPT_AS_DAEMON },
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
		case OPT_AS_DAEMON:
			c->as_daemon = true;
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
	r = confread_load(c->conf, c->now,
			  (c->relative ? CONFREAD_RELATIVE_NAMES : 0) |
				  (c->as_daemon ? CONFREAD_DROP_LAPSED : 0),
			  &p, &d);
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
		"Usage: netctl check [-c CONF] [--at TIME] [--as-daemon]\n"
		"Validates CONF and its zone files against the regulation at TIME (default now).\n"
		"Prints every problem as FILE:LINE: message; exit 0 when valid, 1 when not.\n"
		"--as-daemon: a policy whose exception lapsed is left out with a warning, as\n"
		"gatewayd itself does, instead of refusing the config (for ExecStartPre).\n";
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
	c.relative = true;
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

	c.relative = true;
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

/* Reads @path ("-": stdin) whole. Returns 0 or a negative errno. */
static int diff_read(const char *path, char **ret_buf, size_t *ret_len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *nb;
	int r = 0;

	if (!f)
		return -errno;
	do {
		if (len == cap) {
			/* One byte past the limit, so that rdiff_parse() refuses it. */
			cap = cap ? cap * 2 : 65536;
			if (cap > RDIFF_INPUT_MAX + 1)
				cap = RDIFF_INPUT_MAX + 1;
			if (len == cap)
				break;
			nb = realloc(buf, cap);
			if (!nb) {
				r = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		errno = 0;
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f))
		r = errno ? -errno : -EIO;
out:
	if (f != stdin)
		fclose(f);
	if (r) {
		free(buf);
		return r;
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

/* Parses a rendering; prints diagnostics. Returns an exit status. */
static int diff_parse(const char *name, const char *buf, size_t len, struct rdiff_doc **ret_doc)
{
	struct diag_list d;
	int r;

	diag_init(&d);
	r = rdiff_parse(name, buf, len, ret_doc, &d);
	diag_sort(&d);
	diag_print(stderr, &d);
	diag_fini(&d);
	if (r == -ENOMEM)
		die_msg("out of memory");
	else if (r)
		die_msg("'%s' is not a rendering of a table", name);
	return r ? EXIT_REFUSED : EXIT_OK;
}

static int diff_load_file(const char *path, struct rdiff_doc **ret_doc)
{
	char *buf = NULL;
	size_t len = 0;
	int r = diff_read(path, &buf, &len);

	if (r) {
		die_msg("cannot read '%s': %s", path, strerror(-r));
		return EXIT_REFUSED;
	}
	r = diff_parse(path, buf, len, ret_doc);
	free(buf);
	return r;
}

/* The NEW side from the config: rendered in memory with origins. */
static int diff_load_config(const struct common *c, struct rdiff_doc **ret_doc)
{
	struct ruleset *rs = NULL;
	char *buf = NULL, *name = NULL;
	size_t len = 0;
	FILE *f;
	int r = load(c, NULL, &rs);

	if (r)
		return r;
	f = open_memstream(&buf, &len);
	if (!f) {
		ruleset_free(rs);
		die_msg("out of memory");
		return EXIT_REFUSED;
	}
	r = render_ruleset(f, rs, RENDER_ORIGINS);
	if (fclose(f) || r || asprintf(&name, "(rendering of %s)", c->conf) < 0) {
		die_msg("rendering '%s' failed", c->conf);
		name = NULL;
		r = EXIT_REFUSED;
	} else {
		r = diff_parse(name, buf, len, ret_doc);
	}
	free(name);
	free(buf);
	ruleset_free(rs);
	return r;
}

static json_t *diff_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The diff as an array of {change, key, origin, old, new}; NULL: out of memory. */
static json_t *diff_json(const struct rdiff *df)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < df->n; i++) {
		const struct rdiff_entry *e = &df->v[i];
		json_t *o = json_object();

		if (!o || json_object_set_new(o, "change", json_string(rdiff_change_name(e->change))) ||
		    json_object_set_new(o, "key", json_string(e->key)) ||
		    json_object_set_new(o, "origin", diff_str_or_null(e->origin)) ||
		    json_object_set_new(o, "old", diff_str_or_null(e->old_body)) ||
		    json_object_set_new(o, "new", diff_str_or_null(e->new_body))) {
			json_decref(o);
			json_decref(arr);
			return NULL;
		}
		/* json_array_append_new() drops @o itself when it fails. */
		if (json_array_append_new(arr, o)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static char diff_mark(const char *change)
{
	if (!strcmp(change, "added"))
		return '+';
	if (!strcmp(change, "removed"))
		return '-';
	return '~';
}

/* Unchanged lines of a changed object shown around each change. */
#define DIFF_CONTEXT 3

static bool diff_near_change(const struct rdiff_line *v, size_t n, size_t i)
{
	size_t k, lo = i > DIFF_CONTEXT ? i - DIFF_CONTEXT : 0;

	for (k = lo; k < n && k <= i + DIFF_CONTEXT; k++)
		if (v[k].op != RDIFF_LINE_SAME)
			return true;
	return false;
}

static int diff_print_body(FILE *f, const char *old_body, const char *new_body)
{
	static const char *const marks[] = { [RDIFF_LINE_SAME] = "  ",
					     [RDIFF_LINE_OLD] = "- ",
					     [RDIFF_LINE_NEW] = "+ " };
	/* Added and removed objects are shown whole, without marks. */
	bool whole = !old_body || !new_body, elided = false;
	struct rdiff_line *v = NULL;
	size_t n = 0, i;
	int r = rdiff_lines(old_body, new_body, &v, &n);

	if (r)
		return r;
	for (i = 0; i < n; i++) {
		if (!whole && !diff_near_change(v, n, i)) {
			if (!elided)
				fputs("\t  ...\n", f);
			elided = true;
			continue;
		}
		elided = false;
		fprintf(f, "\t%s%.*s\n", whole ? "" : marks[v[i].op], (int)v[i].len, v[i].text);
	}
	free(v);
	return 0;
}

/* The diff as a table or as JSON, both from one JSON value (print.c's rule). */
static int diff_print(FILE *f, const struct rdiff *df, bool json)
{
	json_t *arr = diff_json(df);
	size_t i;
	int r = 0;

	if (!arr)
		return -ENOMEM;
	if (json) {
		if (json_dumpf(arr, f, JSON_INDENT(2)) || fputc('\n', f) == EOF)
			r = -EIO;
	} else if (json_array_size(arr) == 0) {
		fputs("no differences\n", f);
	} else {
		for (i = 0; r == 0 && i < json_array_size(arr); i++) {
			json_t *o = json_array_get(arr, i);
			const char *change = json_string_value(json_object_get(o, "change"));
			const char *origin = json_string_value(json_object_get(o, "origin"));

			fprintf(f, "%c %s%s%s\n", diff_mark(change),
				json_string_value(json_object_get(o, "key")), origin ? "    " : "",
				origin ? origin : "");
			r = diff_print_body(f, json_string_value(json_object_get(o, "old")),
					    json_string_value(json_object_get(o, "new")));
		}
		fprintf(f, "%zu added, %zu removed, %zu changed\n", df->added, df->removed,
			df->changed);
	}
	json_decref(arr);
	if (fflush(f) || ferror(f))
		r = r ? r : -EIO;
	return r;
}

int cmd_diff(int argc, char **argv)
{
	static const char usage[] =
		"Usage: netctl diff [-c CONF] [--at TIME] [--json] OLD.nft [NEW.nft]\n"
		"Compares two renderings by rule id, set, map and chain (CHG-2, CHG-10); either\n"
		"may be the output of 'nft list table inet gatewayd', '-' reads stdin. With OLD\n"
		"only, the new side is the ruleset CONF compiles to at TIME.\n"
		"Exit 0 when equal, 1 when different or unreadable, 2 on usage error.\n";
	struct rdiff_doc *old_doc = NULL, *new_doc = NULL;
	struct rdiff *df = NULL;
	struct common c = { 0 };
	int r = parse_common(argc, argv, &c, usage, true, false);

	if (r >= 0)
		return r;
	c.relative = true;
	if (argc - optind < 1 || argc - optind > 2) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	r = diff_load_file(argv[optind], &old_doc);
	if (r == 0)
		r = argc - optind == 2 ? diff_load_file(argv[optind + 1], &new_doc)
				       : diff_load_config(&c, &new_doc);
	if (r)
		goto out;
	if (rdiff_compare(old_doc, new_doc, &df)) {
		die_msg("out of memory");
		r = EXIT_REFUSED;
		goto out;
	}
	if (diff_print(stdout, df, c.json)) {
		die_msg("writing the diff failed");
		r = EXIT_REFUSED;
		goto out;
	}
	/* CHG-10: a difference is a result, reported like a refusal (exit 1). */
	r = df->n ? EXIT_REFUSED : EXIT_OK;
out:
	rdiff_free(df);
	rdiff_doc_free(new_doc);
	rdiff_doc_free(old_doc);
	return r;
}

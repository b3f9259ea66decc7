/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netctl log: searches the firewall log's day files (LOG-25, LOG-26,
 * INC-6). Reads DIR/fw-YYYY-MM-DD.jsonl of the days in the time range,
 * parses each line strictly (lib/logrec.c) and hands the records in the
 * range to a consumer: the search prints those that match every filter,
 * 'log host' traces one host (LOG-26, INC-6), 'log report' runs the
 * periodic analysis (LOG-13..21, lib/logreport.h).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "confread.h"
#include "duration.h"
#include "logrec.h"
#include "logreport.h"
#include "netctl.h"
#include "print.h"

struct filter {
	int64_t since_us, until_us;
	bool has_src, has_dst;
	struct prefix src, dst;
	int port;      /* -1: any; matches source or destination port */
	int proto;     /* -1: any */
	int verdict;   /* -1: any; 1 permitted, 0 denied */
	const char *rule;
	const char *zone;
};

/* "5m", "30d" before now, or a date / RFC 3339 time. */
static int parse_when(const char *s, int64_t now, int64_t *ret_us)
{
	int64_t t;

	if (duration_parse(s, &t) == 0) {
		*ret_us = (now - t) * 1000000;
		return 0;
	}
	if (time_parse(s, &t) == 0) {
		*ret_us = t * 1000000;
		return 0;
	}
	return -EINVAL;
}

static bool addr_in(const struct prefix *p, int family, const uint8_t *a)
{
	struct prefix q = { .family = family, .len = family == AF_INET ? 32 : 128 };

	memcpy(q.a, a, family == AF_INET ? 4 : 16);
	return prefix_contains(p, &q);
}

static bool matches(const struct filter *f, const struct logrec *r)
{
	if (r->time_us < f->since_us || r->time_us > f->until_us)
		return false;
	/* NAT-5: either side of a translation (lib/logrec.h). */
	if (f->has_src && !addr_in(&f->src, r->family, r->saddr) &&
	    !(r->has_nat_src && addr_in(&f->src, r->family, r->nat_saddr)))
		return false;
	if (f->has_dst && !addr_in(&f->dst, r->family, r->daddr) &&
	    !(r->has_orig_dst && addr_in(&f->dst, r->family, r->orig_daddr)))
		return false;
	if (f->port >= 0 && !(r->has_ports && (r->sport == f->port || r->dport == f->port)))
		return false;
	if (f->proto >= 0 && r->protocol != f->proto)
		return false;
	if (f->verdict >= 0 && r->permitted != (f->verdict == 1))
		return false;
	if (f->rule && strcmp(f->rule, r->rule_id))
		return false;
	if (f->zone && strcmp(f->zone, r->zone_from) && strcmp(f->zone, r->zone_to))
		return false;
	return true;
}

static void print_row(const struct logrec *r)
{
	char t[32], s[INET6_ADDRSTRLEN + 16], d[INET6_ADDRSTRLEN + 32], a[INET6_ADDRSTRLEN];
	int64_t sec = r->time_us / 1000000;

	time_format(sec, t, sizeof(t));
	inet_ntop(r->family, r->saddr, a, sizeof(a));
	if (r->has_ports)
		snprintf(s, sizeof(s), r->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, r->sport);
	else
		snprintf(s, sizeof(s), "%s", a);
	inet_ntop(r->family, r->daddr, a, sizeof(a));
	if (r->has_ports)
		snprintf(d, sizeof(d), r->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, r->dport);
	else if (r->has_icmp)
		snprintf(d, sizeof(d), "%s icmp %u/%u", a, r->icmp_type, r->icmp_code);
	else
		snprintf(d, sizeof(d), "%s", a);
	printf("%-20s %-9s %5u %-24s %-32s %s", t, r->permitted ? "permitted" : "denied",
	       r->protocol, s, d, r->rule_id);
	/* NAT-5: the translated side, after the columns. */
	if (r->has_nat_src) {
		inet_ntop(r->family, r->nat_saddr, a, sizeof(a));
		if (r->has_ports)
			printf(" snat %s:%u", a, r->nat_sport);
		else
			printf(" snat %s", a);
	}
	if (r->has_orig_dst) {
		inet_ntop(r->family, r->orig_daddr, a, sizeof(a));
		if (r->has_ports)
			printf(" dnat from %s:%u", a, r->orig_dport);
		else
			printf(" dnat from %s", a);
	}
	putchar('\n');
}

static int file_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One pass over the day files of a time range. */
struct scan {
	const char *dir;
	int64_t since_us, until_us;
	/*
	 * Lines without this text are skipped unparsed: a pre-filter only (the
	 * consumer still matches the parsed record), so it may be NULL.
	 */
	const char *needle;
	int (*fn)(void *data, const struct logrec *r, const char *line);
	void *data;
	size_t files, bad;
};

/* The names of the range's day files, sorted; *@ret_n of them. */
static int day_files(const char *dir, int64_t since_us, int64_t until_us, char ***ret,
		     size_t *ret_n)
{
	char **names = NULL, lo[16], hi[16];
	struct dirent *de;
	size_t n = 0;
	DIR *dh = opendir(dir);

	if (!dh) {
		int e = errno;

		die_msg("log directory '%s': %s", dir, strerror(e));
		return -e;
	}
	date_format(since_us / 1000000, lo, sizeof(lo));
	date_format(until_us / 1000000, hi, sizeof(hi));
	while ((de = readdir(dh))) {
		char **nn;

		/* Only the day files of the range: "fw-YYYY-MM-DD.jsonl". */
		if (strlen(de->d_name) != 19 || strncmp(de->d_name, "fw-", 3) ||
		    strcmp(de->d_name + 13, ".jsonl") || strncmp(de->d_name + 3, lo, 10) < 0 ||
		    strncmp(de->d_name + 3, hi, 10) > 0)
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			die_msg("log directory '%s': out of memory", dir);
			closedir(dh);
			*ret = names;
			*ret_n = n;
			return -ENOMEM;
		}
		names = nn;
		n++;
	}
	closedir(dh);
	if (n)
		qsort(names, n, sizeof(*names), file_cmp);
	*ret = names;
	*ret_n = n;
	return 0;
}

/*
 * Feeds s->fn every record of the range, day file by day file (in time
 * order as the daemon wrote them). Lines that are not records are counted
 * in s->bad and skipped. Returns 0, the first nonzero s->fn result, or a
 * negative errno when the directory cannot be read.
 */
static int log_scan(struct scan *s)
{
	char **names = NULL, line[LOGREC_LINE_MAX + 2];
	size_t n = 0, i;
	int r;

	r = day_files(s->dir, s->since_us, s->until_us, &names, &n);
	for (i = 0; !r && i < n; i++) {
		char path[4096];
		FILE *fh;

		snprintf(path, sizeof(path), "%s/%s", s->dir, names[i]);
		fh = fopen(path, "re");
		if (!fh) {
			die_msg("%s: %s, skipped", path, strerror(errno));
			continue;
		}
		s->files++;
		while (!r && fgets(line, sizeof(line), fh)) {
			struct logrec rec;

			if (s->needle && !strstr(line, s->needle))
				continue;
			if (logrec_parse(line, strlen(line), &rec)) {
				s->bad++;
				continue;
			}
			if (rec.time_us < s->since_us || rec.time_us > s->until_us)
				continue;
			r = s->fn(s->data, &rec, line);
		}
		fclose(fh);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (s->bad)
		die_msg("%zu lines that are not records were skipped", s->bad);
	return r;
}

struct search {
	const struct filter *f;
	bool json;
	size_t n;
};

static int search_one(void *data, const struct logrec *r, const char *line)
{
	struct search *se = data;

	if (!matches(se->f, r))
		return 0;
	se->n++;
	if (se->json)
		fputs(line, stdout);
	else
		print_row(r);
	return 0;
}

/* "\"ADDR\"" when @p is one address: every record with it holds that text. */
static void addr_needle(const struct prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	buf[0] = 0;
	if (p->len != (p->family == AF_INET ? 32 : 128) ||
	    !inet_ntop(p->family, p->a, a, sizeof(a)))
		return;
	snprintf(buf, len, "\"%s\"", a);
}

static void print_header(void)
{
	printf("%-20s %-9s %5s %-24s %-32s %s\n", "TIME", "ACTION", "PROTO", "SOURCE",
	       "DESTINATION", "RULE");
}

/* The options 'log', 'log host' and 'log report' share. */
struct common {
	const char *conf, *dir, *since, *until;
	bool json;
	int64_t now;
	struct policy *p;  /* the loaded config, when loaded */
};

int log_dir_load(const char *conf, int64_t now, bool need, const char *what, const char **dir,
		 struct policy **ret_p)
{
	struct diag_list d;
	int r;

	if (*dir && !need)
		return 0;
	diag_init(&d);
	r = confread_load(conf, now, CONFREAD_DROP_LAPSED, ret_p, &d);
	diag_print(stderr, &d);
	diag_fini(&d);
	if (r) {
		die_msg("%s: the config %s, and it did not load", what,
			need ? "holds the analysis' thresholds and zones"
			     : "names the log directory (or give --dir)");
		return -EINVAL;
	}
	if (!*dir)
		*dir = (*ret_p)->settings.log_dir ? (*ret_p)->settings.log_dir : "/var/log/gatewayd";
	return 0;
}

/* Loads the config when @need or no --dir was given; sets c->dir. */
static int common_load(struct common *c, bool need, const char *what)
{
	return log_dir_load(c->conf, c->now, need, what, &c->dir, &c->p);
}

static int common_times(struct common *c, int64_t *since_us, int64_t *until_us)
{
	if (parse_when(c->since, c->now, since_us) ||
	    (c->until && parse_when(c->until, c->now, until_us)))
		return -EINVAL;
	if (!c->until)
		*until_us = INT64_MAX;
	return 0;
}

/* Parses the options 'log host' and 'log report' share; -1 to go on, else an exit status. */
static int common_opts(int argc, char **argv, const char *usage, struct common *c)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "dir", required_argument, NULL, 'd' },
		{ "since", required_argument, NULL, 's' },  { "until", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' },	    { "help", no_argument, NULL, 'h' },
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
		case 'd':
			c->dir = optarg;
			break;
		case 's':
			c->since = optarg;
			break;
		case 'u':
			c->until = optarg;
			break;
		case 'j':
			c->json = true;
			break;
		case 'h':
			printf("%s", usage);
			return EXIT_OK;
		default:
			fprintf(stderr, "%s", usage);
			return EXIT_USAGE;
		}
	}
	return -1;
}

static json_t *time_json(int64_t us)
{
	char t[32];

	time_format(us / 1000000, t, sizeof(t));
	return json_string(t);
}

static json_t *addr_json(int family, const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];

	return json_string(inet_ntop(family, a, s, sizeof(s)) ? s : "?");
}

/* The period as asked: since and until (null: up to now). */
static json_t *period_json(int64_t since_us, int64_t until_us)
{
	return json_pack("{s:o, s:o}", "since", time_json(since_us), "until",
			 until_us == INT64_MAX ? json_null() : time_json(until_us));
}

/* ---- log host (LOG-26, INC-6) -------------------------------------------- */

struct hostrun {
	struct logtrace *t;
	json_t *records; /* --json: every record, as stored */
};

static int host_one(void *data, const struct logrec *r, const char *line)
{
	struct hostrun *h = data;
	json_t *v;

	if (!logtrace_matches(h->t, r))
		return 0;
	if (logtrace_add(h->t, r))
		return -ENOMEM;
	if (!h->records) {
		print_row(r);
		return 0;
	}
	v = json_loads(line, 0, NULL);
	return v && !json_array_append_new(h->records, v) ? 0 : -ENOMEM;
}

static json_t *trace_json(const struct logtrace_summary *s)
{
	json_t *peers = json_array(), *o;
	size_t i;

	for (i = 0; peers && i < s->n_peers; i++) {
		const struct logtrace_peer *p = &s->peers[i];
		const char *pn = proto_name(p->protocol);

		o = json_pack("{s:o, s:s, s:i, s:s?, s:o, s:I, s:I, s:I, s:o, s:o}", "address",
			      addr_json(p->family, p->addr), "direction",
			      p->outbound ? "outbound" : "inbound", "protocol", p->protocol,
			      "protocol_name", pn, "port",
			      p->has_port ? json_integer(p->port) : json_null(), "count",
			      (json_int_t)p->count, "permitted", (json_int_t)p->permitted, "denied",
			      (json_int_t)p->denied, "first_seen", time_json(p->first_us),
			      "last_seen", time_json(p->last_us));
		if (!o || json_array_append_new(peers, o)) {
			json_decref(peers);
			return NULL;
		}
	}
	if (!peers)
		return NULL;
	return json_pack("{s:I, s:I, s:I, s:o, s:o, s:o, s:I}", "records", (json_int_t)s->records,
			 "permitted", (json_int_t)s->permitted, "denied", (json_int_t)s->denied,
			 "first_seen", s->records ? time_json(s->first_us) : json_null(),
			 "last_seen", s->records ? time_json(s->last_us) : json_null(), "peers",
			 peers, "other_peer_records", (json_int_t)s->others);
}

static int cmd_log_host(int argc, char **argv)
{
	static const char usage[] =
		"Usage: netctl log host ADDR [-c CONF | --dir DIR] [--since WHEN] [--until WHEN] [--json]\n"
		"Traces one host for an incident (LOG-26, INC-6): every record where ADDR is the\n"
		"source or the destination, then a summary: first and last seen, permitted and\n"
		"denied, and the peers it talked to (address, direction, protocol/port, count,\n"
		"verdicts, first/last), the busiest first. --since defaults to 7d. --json prints\n"
		"{host, period, records: [the records as stored], summary}.\n"
		"Exit 0 when records were found, 1 when none were or the log cannot be read.\n";
	struct common c = { .since = "7d" };
	struct hostrun h = { 0 };
	struct logtrace_summary sum;
	struct scan scan = { 0 };
	struct prefix a;
	char needle[INET6_ADDRSTRLEN + 4];
	json_t *out = NULL;
	int r = common_opts(argc, argv, usage, &c);

	if (r >= 0)
		return r;
	if (optind + 1 != argc || prefix_parse(argv[optind], &a) ||
	    a.len != (a.family == AF_INET ? 32u : 128u) ||
	    common_times(&c, &scan.since_us, &scan.until_us)) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	if (common_load(&c, false, "log host"))
		return EXIT_REFUSED;
	if (logtrace_new(a.family, a.a, &h.t) || (c.json && !(h.records = json_array()))) {
		die_msg("log host: out of memory");
		r = EXIT_REFUSED;
		goto out;
	}
	addr_needle(&a, needle, sizeof(needle));
	scan.dir = c.dir;
	scan.needle = needle;
	scan.fn = host_one;
	scan.data = &h;
	if (!c.json)
		print_header();
	if (log_scan(&scan)) {
		r = EXIT_REFUSED;
		goto out;
	}
	logtrace_result(h.t, &sum);
	out = json_pack("{s:o, s:o, s:s, s:o*, s:o}", "host", addr_json(a.family, a.a), "period",
			period_json(scan.since_us, scan.until_us), "dir", c.dir, "records",
			h.records, "summary", trace_json(&sum));
	h.records = NULL;
	if (!out || print_log_host(stdout, out, c.json)) {
		die_msg("log host: cannot print the trace");
		r = EXIT_REFUSED;
		goto out;
	}
	r = sum.records ? EXIT_OK : EXIT_REFUSED;
out:
	json_decref(out);
	json_decref(h.records);
	logtrace_free(h.t);
	policy_free(c.p);
	return r;
}

/* ---- log report (LOG-13..21, INC-5, INC-7) ------------------------------- */

static int report_one(void *data, const struct logrec *r, const char *line)
{
	(void)line;
	return logreport_add(data, r);
}

static json_t *finding_json(enum logreport_kind k, const struct logreport_finding *f)
{
	json_t *rules = json_array(), *o;
	size_t i;

	for (i = 0; rules && i < LOGREPORT_SAMPLES && f->samples[i][0]; i++)
		json_array_append_new(rules, json_string(f->samples[i]));
	o = json_pack("{s:o, s:I, s:o, s:o, s:o}", "address", addr_json(f->family, f->addr),
		      "count", (json_int_t)f->count, "first_seen", time_json(f->first_us),
		      "last_seen", time_json(f->last_us), "rules", rules ? rules : json_array());
	if (!o)
		return NULL;
	if (k == LR_DENIALS || k == LR_SCAN) {
		json_object_set_new(o, "bursts", json_integer((json_int_t)f->bursts));
		json_object_set_new(o, "max_denied_in_burst", json_integer(f->max_denied));
	}
	if (k == LR_SCAN) {
		json_object_set_new(o, "max_ports_in_burst", json_integer(f->max_ports));
		json_object_set_new(o, "max_hosts_in_burst", json_integer(f->max_hosts));
	}
	if (k == LR_DB_VOLUME) {
		json_object_set_new(o, "host", json_string(f->db_name));
		json_object_set_new(o, "days_over_threshold", json_integer((json_int_t)f->bursts));
		json_object_set_new(o, "busiest_day_connections",
				    json_integer((json_int_t)f->max_day));
	}
	return o;
}

static json_t *findings_json(const struct logreport_summary *s)
{
	/* LOG-21: these kinds are signs of an attack or an infection, flagged as incidents. */
	static const bool incident[LR__COUNT] = { [LR_DENIALS] = true, [LR_SCAN] = true,
						  [LR_OUTBOUND] = true };
	static const char *const what[LR__COUNT] = {
		[LR_DENIALS] = "repeated denials from one source within the window",
		[LR_SCAN] = "many destination ports or hosts from one source within the window",
		[LR_OUTBOUND] = "denied attempts from an internal zone toward the internet "
				"(possible malware calling out)",
		[LR_BYPASS] = "attempts to reach the web directly, bypassing the proxy",
		[LR_UNREGISTERED] = "traffic of devices not in the LAN registry",
		[LR_AUTHORITY] = "denied attempts from remote-access (VPN) zones",
		[LR_DB_VOLUME] = "connections of database hosts over the daily threshold; "
				 "a count of connections, not of bytes (the records hold no "
				 "byte counts)",
	};
	json_t *arr = json_array();
	size_t k, i;

	for (k = 0; arr && k < LR__COUNT; k++) {
		const struct logreport_list *l = &s->kinds[k];
		json_t *srcs = json_array(), *o;

		for (i = 0; srcs && i < l->n; i++)
			if (json_array_append_new(srcs, finding_json(k, &l->v[i])))
				break;
		o = json_pack("{s:s, s:s, s:s, s:b, s:o, s:{s:I, s:I}}", "kind",
			      logreport_kind_name(k), "requirements", logreport_kind_reqs(k),
			      "description", what[k], "incident", incident[k] && l->n > 0,
			      "sources", srcs ? srcs : json_array(), "others", "sources",
			      (json_int_t)l->others, "records", (json_int_t)l->others_count);
		if (!o || json_array_append_new(arr, o)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *thresholds_json(const struct policy *p)
{
	const struct log_report_settings *rs = &p->settings.report;
	json_t *db = json_array();
	char origin[4096] = "defaults (no log.report group)";
	size_t i;

	for (i = 0; db && i < rs->n_db_hosts; i++)
		json_array_append_new(db, json_string(rs->db_hosts[i]));
	if (rs->origin.file)
		snprintf(origin, sizeof(origin), "%s:%d", rs->origin.file, rs->origin.line);
	return json_pack("{s:s, s:I, s:i, s:i, s:i, s:i, s:o, s:i, s:i}", "origin", origin,
			 "window_seconds", (json_int_t)rs->window, "denied", rs->denied,
			 "scan_ports", rs->scan_ports, "scan_hosts", rs->scan_hosts,
			 "db_connections_per_day", rs->db_connections, "db_hosts",
			 db ? db : json_array(), "sources", rs->sources, "top", rs->top);
}

static json_t *gaps_json(void)
{
	const struct logreport_gap *g;
	json_t *arr = json_array();
	size_t n, i;

	g = logreport_unobservable(&n);
	for (i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "requirement", g[i].reqs,
						     "event", g[i].event, "reason", g[i].reason));
	return arr;
}

static int cmd_log_report(int argc, char **argv)
{
	static const char usage[] =
		"Usage: netctl log report [-c CONF] [--dir DIR] [--since WHEN] [--until WHEN] [--json]\n"
		"The periodic log analysis (LOG-13): reads the firewall records of the period\n"
		"(--since defaults to 30d) and reports, each with its requirement IDs and evidence,\n"
		"repeated denials and scans (LOG-14, INC-5), denied outbound attempts toward the\n"
		"internet (INC-7), proxy bypass and unregistered devices (LOG-17), denials from\n"
		"remote-access zones (LOG-18), connections of database hosts (LOG-16), and the\n"
		"events the records cannot show. Thresholds: log.report of CONF.\n"
		"Exit 0 when the report was made (with or without findings), 1 when it was not.\n";
	struct common c = { .since = "30d" };
	struct logreport_summary sum;
	struct logreport *lr = NULL;
	struct scan scan = { 0 };
	json_t *out = NULL;
	int r = common_opts(argc, argv, usage, &c);

	if (r >= 0)
		return r;
	if (optind != argc || common_times(&c, &scan.since_us, &scan.until_us)) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	if (common_load(&c, true, "log report"))
		return EXIT_REFUSED;
	r = EXIT_REFUSED;
	if (logreport_new_policy(c.p, &lr)) {
		die_msg("log report: the analysis could not start (out of memory, or more "
			"than %d database addresses)", LOGREPORT_DB_HOSTS);
		goto out;
	}
	scan.dir = c.dir;
	scan.fn = report_one;
	scan.data = lr;
	if (log_scan(&scan) || logreport_result(lr, &sum)) {
		die_msg("log report: the analysis failed");
		goto out;
	}
	out = json_pack("{s:s, s:s, s:o, s:s, s:I, s:{s:I, s:I, s:I, s:o, s:o, s:I, s:I, s:I, s:I}, "
			"s:o, s:o, s:o}",
			"report", "firewall log analysis", "requirement", "LOG-13", "period",
			period_json(scan.since_us, scan.until_us), "dir", c.dir, "day_files",
			(json_int_t)scan.files, "records", "total", (json_int_t)sum.records,
			"permitted", (json_int_t)sum.permitted, "denied",
			(json_int_t)sum.denied, "first", sum.records ? time_json(sum.first_us)
								    : json_null(),
			"last", sum.records ? time_json(sum.last_us) : json_null(),
			"not_records", (json_int_t)scan.bad, "untracked_sources_records",
			(json_int_t)sum.untracked_records, "out_of_order",
			(json_int_t)sum.out_of_order, "local_chatter", (json_int_t)sum.local_chatter,
			"thresholds", thresholds_json(c.p),
			"findings", findings_json(&sum), "not_observable", gaps_json());
	if (!out || print_log_report(stdout, out, c.json)) {
		die_msg("log report: cannot print the report");
		goto out;
	}
	r = EXIT_OK;
out:
	json_decref(out);
	logreport_free(lr);
	policy_free(c.p);
	return r;
}

int cmd_log(int argc, char **argv)
{
	static const char usage[] =
		"Usage: netctl log [-c CONF | --dir DIR] [--since WHEN] [--until WHEN] [--src ADDR[/LEN]]\n"
		"                  [--dst ADDR[/LEN]] [--port N] [--proto N] [--verdict permitted|denied]\n"
		"                  [--rule ID] [--zone NAME] [--json]\n"
		"       netctl log host ADDR [...]    (netctl log host --help)\n"
		"       netctl log report [...]       (netctl log report --help)\n"
		"       netctl log verify [...]       (netctl log verify --help)\n"
		"Searches the firewall log (LOG-25): WHEN is a duration before now (\"5m\", \"30d\")\n"
		"or a date / RFC 3339 time; --since defaults to 1d. The directory is log.dir of\n"
		"CONF unless --dir names one. --json prints the matching records as they are stored.\n"
		"Exit 0 when records matched, 1 when none did or the log cannot be read.\n";
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "dir", required_argument, NULL, 'd' },
		{ "since", required_argument, NULL, 's' },  { "until", required_argument, NULL, 'u' },
		{ "src", required_argument, NULL, 'S' },    { "dst", required_argument, NULL, 'D' },
		{ "port", required_argument, NULL, 'p' },   { "proto", required_argument, NULL, 'P' },
		{ "verdict", required_argument, NULL, 'v' }, { "rule", required_argument, NULL, 'r' },
		{ "zone", required_argument, NULL, 'z' },   { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
	};
	struct filter f = { .port = -1, .proto = -1, .verdict = -1 };
	const char *conf = getenv("GATEWAYD_CONF") ? getenv("GATEWAYD_CONF") : NETCTL_DEFAULT_CONF;
	const char *dir = NULL, *since = "1d", *until = NULL;
	int64_t now = (int64_t)time(NULL);
	struct search se = { .f = &f };
	struct common c = { 0 };
	struct scan scan = { 0 };
	char needle[RULE_ID_MAX + 16] = "";
	bool json = false;
	char *end;
	int o, r;

	if (argc > 1 && !strcmp(argv[1], "host"))
		return cmd_log_host(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "report"))
		return cmd_log_report(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "verify"))
		return cmd_log_verify(argc - 1, argv + 1);
	optind = 1;
	while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			conf = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 's':
			since = optarg;
			break;
		case 'u':
			until = optarg;
			break;
		case 'S':
		case 'D':
			if (prefix_parse(optarg, o == 'S' ? &f.src : &f.dst)) {
				die_msg("log: '%s' is not an address or prefix", optarg);
				return EXIT_USAGE;
			}
			*(o == 'S' ? &f.has_src : &f.has_dst) = true;
			break;
		case 'p':
		case 'P':
			r = (int)strtol(optarg, &end, 10);
			if (o == 'P' && (!strcmp(optarg, "tcp") || !strcmp(optarg, "udp") ||
					 !strcmp(optarg, "icmp"))) {
				r = !strcmp(optarg, "tcp") ? 6 : !strcmp(optarg, "udp") ? 17 : 1;
				end = optarg + strlen(optarg);
			}
			if (*end || r < 0 || r > (o == 'p' ? 65535 : 255)) {
				die_msg("log: '%s' is not a %s", optarg, o == 'p' ? "port" : "protocol");
				return EXIT_USAGE;
			}
			*(o == 'p' ? &f.port : &f.proto) = r;
			break;
		case 'v':
			if (strcmp(optarg, "permitted") && strcmp(optarg, "denied")) {
				die_msg("log: --verdict is permitted or denied");
				return EXIT_USAGE;
			}
			f.verdict = !strcmp(optarg, "permitted");
			break;
		case 'r':
			f.rule = optarg;
			break;
		case 'z':
			f.zone = optarg;
			break;
		case 'j':
			json = se.json = true;
			break;
		case 'h':
			printf("%s", usage);
			return EXIT_OK;
		default:
			fprintf(stderr, "%s", usage);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || parse_when(since, now, &f.since_us) ||
	    (until && parse_when(until, now, &f.until_us))) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	if (!until)
		f.until_us = INT64_MAX;
	c.dir = dir;
	c.conf = conf;
	c.now = now;
	if (common_load(&c, false, "log"))
		return EXIT_REFUSED;
	scan.dir = c.dir;
	scan.since_us = f.since_us;
	scan.until_us = f.until_us;
	/*
	 * Parsing a line costs far more than looking for a text in it: when a
	 * filter implies a text every matching line holds (one address, the
	 * rule id, a zone name, the verdict), lines without it are skipped
	 * unparsed. The most selective one is used.
	 */
	if (f.has_src)
		addr_needle(&f.src, needle, sizeof(needle));
	if (!needle[0] && f.has_dst)
		addr_needle(&f.dst, needle, sizeof(needle));
	if (!needle[0] && f.rule && strlen(f.rule) <= RULE_ID_MAX && !strpbrk(f.rule, "\\\""))
		snprintf(needle, sizeof(needle), "\"rule.id\":\"%s\"", f.rule);
	if (!needle[0] && f.zone && strlen(f.zone) <= LOGREC_ZONE_MAX && !strpbrk(f.zone, "\\\""))
		snprintf(needle, sizeof(needle), "\"%s\"", f.zone);
	if (!needle[0] && f.verdict >= 0)
		snprintf(needle, sizeof(needle), "\"event.action\":\"%s\"",
			 f.verdict ? "permitted" : "denied");
	scan.needle = needle[0] ? needle : NULL;
	scan.fn = search_one;
	scan.data = &se;
	if (!json)
		print_header();
	r = log_scan(&scan);
	policy_free(c.p);
	if (r)
		return EXIT_REFUSED;
	if (!json)
		printf("%zu records\n", se.n);
	return se.n ? EXIT_OK : EXIT_REFUSED;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netctl log: searches the firewall log's day files (LOG-25, LOG-26,
 * INC-6). Reads DIR/fw-YYYY-MM-DD.jsonl of the days in the time range,
 * parses each line strictly (lib/logrec.c) and prints the records that
 * match every filter given.
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
#include "netctl.h"

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
	if (f->has_src && !addr_in(&f->src, r->family, r->saddr))
		return false;
	if (f->has_dst && !addr_in(&f->dst, r->family, r->daddr))
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
	printf("%-20s %-9s %5u %-24s %-32s %s\n", t, r->permitted ? "permitted" : "denied",
	       r->protocol, s, d, r->rule_id);
}

static int file_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int search_dir(const char *dir, const struct filter *f, bool json, size_t *ret_n)
{
	char **names = NULL, line[LOGREC_LINE_MAX + 2];
	size_t n = 0, i, bad = 0;
	char lo[16], hi[16];
	struct dirent *de;
	DIR *dh = opendir(dir);

	if (!dh) {
		die_msg("log directory '%s': %s", dir, strerror(errno));
		return -errno;
	}
	date_format(f->since_us / 1000000, lo, sizeof(lo));
	date_format(f->until_us / 1000000, hi, sizeof(hi));
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
			break;
		}
		names = nn;
		n++;
	}
	closedir(dh);
	qsort(names, n, sizeof(*names), file_cmp);
	if (!json)
		printf("%-20s %-9s %5s %-24s %-32s %s\n", "TIME", "ACTION", "PROTO", "SOURCE",
		       "DESTINATION", "RULE");
	*ret_n = 0;
	for (i = 0; i < n; i++) {
		char path[4096];
		FILE *fh;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		fh = fopen(path, "re");
		if (!fh) {
			die_msg("%s: %s, skipped", path, strerror(errno));
			continue;
		}
		while (fgets(line, sizeof(line), fh)) {
			struct logrec r;

			if (logrec_parse(line, strlen(line), &r)) {
				bad++;
				continue;
			}
			if (!matches(f, &r))
				continue;
			(*ret_n)++;
			if (json)
				fputs(line, stdout);
			else
				print_row(&r);
		}
		fclose(fh);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (bad)
		die_msg("%zu lines that are not records were skipped", bad);
	return 0;
}

int cmd_log(int argc, char **argv)
{
	static const char usage[] =
		"Usage: netctl log [-c CONF | --dir DIR] [--since WHEN] [--until WHEN] [--src ADDR[/LEN]]\n"
		"                  [--dst ADDR[/LEN]] [--port N] [--proto N] [--verdict permitted|denied]\n"
		"                  [--rule ID] [--zone NAME] [--json]\n"
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
	struct policy *p = NULL;
	bool json = false;
	size_t n = 0;
	char *end;
	int o, r;

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
			json = true;
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
	if (!dir) {
		struct diag_list d;

		diag_init(&d);
		r = confread_load(conf, now, CONFREAD_DROP_LAPSED, &p, &d);
		diag_print(stderr, &d);
		diag_fini(&d);
		if (r) {
			die_msg("log: the config names the log directory, and it did not load "
				"(or give --dir)");
			return EXIT_REFUSED;
		}
		dir = p->settings.log_dir ? p->settings.log_dir : "/var/log/gatewayd";
	}
	r = search_dir(dir, &f, json, &n);
	policy_free(p);
	if (r)
		return EXIT_REFUSED;
	if (!json)
		printf("%zu records\n", n);
	return n ? EXIT_OK : EXIT_REFUSED;
}

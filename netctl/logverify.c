/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netctl log verify: checks the seals of the firewall log's day files
 * (LOG-27, gatewayd/sealfile.h): every seal must still match the bytes it
 * covers. Reports per file how much is sealed and what is not yet.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "netctl.h"
#include "sealfile.h"

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* fw-, summary- or incident-YYYY-MM-DD.jsonl */
static bool day_file(const char *name)
{
	const char *dash = strchr(name, '-');

	return dash &&
	       (!strncmp(name, "fw-", 3) || !strncmp(name, "summary-", 8) ||
		!strncmp(name, "incident-", 9)) &&
	       strlen(dash + 1) == 16 && !strcmp(dash + 11, ".jsonl");
}

/* One file: prints its line, returns 1 when its seals do not hold. */
static int verify_file(const char *dir, const char *name, bool all, size_t *ret_unsealed)
{
	char path[PATH_MAX];
	struct seal_check chk;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	r = sealfile_scan(path, NULL, &chk);
	if (r) {
		printf("%-28s UNREADABLE: %s\n", name, strerror(-r));
		return 1;
	}
	if (chk.problem[0]) {
		printf("%-28s ALTERED: %s (%zu of %zu seals hold)\n", name, chk.problem, chk.good,
		       chk.seals);
		return 1;
	}
	if (!chk.seals) {
		(*ret_unsealed)++;
		printf("%-28s not sealed: %" PRIu64 " lines cannot be checked\n", name, chk.lines);
		return 0;
	}
	if (all || chk.covered < chk.bytes)
		printf("%-28s ok: %zu seals hold, %" PRIu64 " of %" PRIu64 " bytes sealed%s\n", name,
		       chk.seals, chk.covered, chk.bytes,
		       chk.covered < chk.bytes ? " (the rest is sealed at the next check)" : "");
	else
		printf("%-28s ok: %zu seals hold, all %" PRIu64 " lines sealed\n", name, chk.seals,
		       chk.lines);
	return 0;
}

int cmd_log_verify(int argc, char **argv)
{
	static const char usage[] =
		"Usage: netctl log verify [-c CONF | --dir DIR] [FILE...]\n"
		"Checks the seals of the firewall log's day files (LOG-27): each seal in\n"
		"FILE.seal must match the bytes of FILE it covers. FILE is a day file's name\n"
		"(fw-, summary- or incident-YYYY-MM-DD.jsonl); without one, every day file\n"
		"of the directory (log.dir of CONF unless --dir names one).\n"
		"Exit 0 when every seal holds, 1 when one does not or a file cannot be read.\n";
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = getenv("GATEWAYD_CONF") ? getenv("GATEWAYD_CONF") : NETCTL_DEFAULT_CONF;
	const char *dir = NULL;
	struct policy *p = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0, i, unsealed = 0;
	int o, bad = 0;

	optind = 1;
	while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			conf = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			printf("%s", usage);
			return EXIT_OK;
		default:
			fprintf(stderr, "%s", usage);
			return EXIT_USAGE;
		}
	}
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if (!day_file(argv[i])) {
			die_msg("log verify: '%s' is not a day file's name", argv[i]);
			return EXIT_USAGE;
		}
	if (log_dir_load(conf, (int64_t)time(NULL), false, "log verify", &dir, &p))
		return EXIT_REFUSED;
	if (optind < argc) {
		for (i = (size_t)optind; i < (size_t)argc; i++)
			bad |= verify_file(dir, argv[i], true, &unsealed);
	} else {
		DIR *dh = opendir(dir);
		struct dirent *de;

		if (!dh) {
			die_msg("log verify: '%s': %s", dir, strerror(errno));
			policy_free(p);
			return EXIT_REFUSED;
		}
		while ((de = readdir(dh))) {
			if (!day_file(de->d_name))
				continue;
			if (n == cap) {
				char **w = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*names));

				if (!w)
					break;
				names = w;
			}
			if (!(names[n] = strdup(de->d_name)))
				break;
			n++;
		}
		closedir(dh);
		qsort(names, n, sizeof(*names), name_cmp);
		for (i = 0; i < n; i++) {
			bad |= verify_file(dir, names[i], false, &unsealed);
			free(names[i]);
		}
		free(names);
		printf("%zu day files, %s%s\n", n, bad ? "SEALS BROKEN" : "every seal holds",
		       unsealed ? "; some are not sealed" : "");
	}
	policy_free(p);
	return bad ? EXIT_REFUSED : EXIT_OK;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl: the administrator's command line. Dispatches verbs from a table. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "netctl.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} verbs[] = {
	{ "check", cmd_check, "validate the config; print every problem as FILE:LINE" },
	{ "render", cmd_render, "print the canonical ruleset the config compiles to" },
	{ "diff", cmd_diff, "compare two renderings, or a rendering with the config, by rule id" },
	{ "rules", cmd_rules, "print the settings list: every rule with id, zones, services, origin" },
	{ "status", cmd_status, "the running gatewayd: versions, applied version and digests" },
	{ "reload", cmd_reload, "have gatewayd load, validate and apply its config again" },
	{ "rollback", cmd_rollback, "re-apply an earlier recorded version" },
	{ "history", cmd_history, "the applied versions gatewayd keeps" },
	{ "device", cmd_device, "LAN connection requests: request, approve, end, quarantine, list, ..." },
	{ "log", cmd_log, "search the firewall log; log host: trace one host; log report: the analysis" },
};

void die_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("netctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: netctl VERB [OPTIONS]\n\nVerbs:\n");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-8s %s\n", verbs[i].name, verbs[i].help);
	fprintf(f, "\nRun 'netctl VERB --help' for a verb's options.\n"
		   "Exit status: 0 ok, 1 refused or different, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("netctl %s\n", GW_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	die_msg("unknown verb '%s' (see 'netctl --help')", argv[1]);
	return EXIT_USAGE;
}

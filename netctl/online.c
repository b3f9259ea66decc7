/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Online verbs: talk to gatewayd over its control socket (one JSON request,
 * one JSON response; lib/ctlproto.h). gatewayd decides who may do what from
 * the peer's credentials; netctl only carries the request and prints.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlproto.h"
#include "netctl.h"
#include "print.h"


/* Sends @req, returns the parsed response or NULL (reason printed). */
json_t *netctl_call(const char *path, json_t *req)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *text = json_dumps(req, JSON_COMPACT), *buf = NULL;
	json_t *resp = NULL;
	json_error_t jerr;
	ssize_t n;
	int fd = -1;

	if (!text)
		goto out;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		die_msg("socket path '%s' is too long", path);
		goto out;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		die_msg("cannot reach gatewayd at '%s': %s (is it running? see -S)", path,
			strerror(errno));
		goto out;
	}
	if (send(fd, text, strlen(text), MSG_NOSIGNAL) < 0) {
		die_msg("sending to gatewayd: %s", strerror(errno));
		goto out;
	}
	buf = malloc(CTL_MAX_RESPONSE);
	if (!buf)
		goto out;
	n = recv(fd, buf, CTL_MAX_RESPONSE, 0);
	if (n <= 0) {
		die_msg("no answer from gatewayd%s%s", n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
		goto out;
	}
	resp = json_loadb(buf, (size_t)n, 0, &jerr);
	if (!resp || !json_is_object(resp)) {
		die_msg("gatewayd's answer is not JSON: %s", jerr.text);
		json_decref(resp);
		resp = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(text);
	return resp;
}

int netctl_refusal(json_t *resp)
{
	json_t *diags = json_object_get(resp, "diagnostics");
	size_t i;

	die_msg("%s", json_string_value(json_object_get(resp, "error")) ?: "refused");
	for (i = 0; i < json_array_size(diags); i++)
		fprintf(stderr, "%s\n", json_string_value(json_array_get(diags, i)));
	return EXIT_REFUSED;
}

struct online_opts {
	const char *socket;
	bool json;
};

static int parse_online(int argc, char **argv, struct online_opts *o, const char *usage)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->socket = getenv("GATEWAYD_SOCKET") ? getenv("GATEWAYD_SOCKET") : NETCTL_DEFAULT_SOCKET;
	o->json = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "S:h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			o->socket = optarg;
			break;
		case 'j':
			o->json = true;
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

/* Runs one verb: request, response, print. */
static int run(const struct online_opts *o, json_t *req, int (*printer)(FILE *, json_t *, bool))
{
	json_t *resp = netctl_call(o->socket, req);
	int r;

	json_decref(req);
	if (!resp)
		return EXIT_REFUSED;
	if (!json_is_true(json_object_get(resp, "ok")))
		r = netctl_refusal(resp);
	else
		r = printer(stdout, json_object_get(resp, "result"), o->json) ? EXIT_REFUSED
									       : EXIT_OK;
	json_decref(resp);
	return r;
}

/* A verb without arguments: options, one request, the printer's output. */
static int simple_verb(int argc, char **argv, const char *usage, const char *verb,
		       int (*printer)(FILE *, json_t *, bool))
{
	struct online_opts o;
	int r = parse_online(argc, argv, &o, usage);

	if (r >= 0)
		return r;
	if (optind != argc) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	return run(&o, json_pack("{s:i, s:s}", "version", CTL_PROTO_VERSION, "verb", verb),
		   printer);
}

int cmd_status(int argc, char **argv)
{
	return simple_verb(argc, argv,
			   "Usage: netctl status [-S SOCKET] [--json]\n"
			   "Versions (CHG-3), the applied version with its digests (CHG-10), whether\n"
			   "the kernel's table still matches it (CHG-1), counters per zone pair.\n"
			   "Exit 1 when the table drifted or could not be read back, the registry is not\n"
			   "in the kernel yet, or the firewall log has an alarm (OPS-1, LOG-24).\n",
			   "status", print_status);
}

int cmd_history(int argc, char **argv)
{
	return simple_verb(argc, argv,
			   "Usage: netctl history [-S SOCKET] [--json]\n"
			   "The applied versions kept (CHG-13): number, time, person, action,\n"
			   "config and ruleset digests.\n",
			   "history", print_history);
}

int cmd_reload(int argc, char **argv)
{
	return simple_verb(
		argc, argv,
		"Usage: netctl reload [-S SOCKET] [--json]\n"
		"gatewayd loads its config again, validates, compiles and applies it atomically.\n"
		"A config that does not validate is refused with every reason; the running\n"
		"ruleset stays. Needs the netadmin role.\n",
		"reload", print_applied);
}

int cmd_rollback(int argc, char **argv)
{
	static const char usage[] =
		"Usage: netctl rollback [-S SOCKET] [--json] [VERSION]\n"
		"Re-applies a recorded version (CHG-11): VERSION, or by default the latest one\n"
		"whose config differs from the running one. Needs the netadmin role.\n";
	struct online_opts o;
	long long to = 0;
	char *end;
	int r = parse_online(argc, argv, &o, usage);

	if (r >= 0)
		return r;
	if (argc - optind > 1) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	if (argc - optind == 1) {
		to = strtoll(argv[optind], &end, 10);
		if (*end || to <= 0) {
			die_msg("rollback: '%s' is not a version number", argv[optind]);
			return EXIT_USAGE;
		}
	}
	return run(&o,
		   to ? json_pack("{s:i, s:s, s:{s:I}}", "version", CTL_PROTO_VERSION, "verb",
				  "rollback", "args", "to", (json_int_t)to)
		      : json_pack("{s:i, s:s}", "version", CTL_PROTO_VERSION, "verb", "rollback"),
		   print_applied);
}

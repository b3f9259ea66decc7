/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * observe_check: the ARP/DHCP observer edge on its own, for
 * tests/e2e/observe.sh. Opens gatewayd/observe.c on the interfaces given
 * and prints one line per sighting until it has COUNT of them or SECONDS
 * have passed.
 *
 *   observe_check [-n COUNT] [-t SECONDS] IFACE...     defaults: no count, 10 s
 *
 * Output, one line each, flushed at once:
 *   <iface> <frame_sighting_format() line>
 * On stderr "listening" once every capture is open, and the counters at the end.
 * SIGTERM and SIGINT end the run as the deadline does. Exit status: 0 with
 * COUNT sightings (or at the end when no COUNT was given), 1 when the end
 * came first, 2 usage, open or capture failure.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "observe.h"

struct run {
	unsigned long seen, want;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void print_sighting(const struct sighting *s, const char *ifname, int64_t ts_us, void *user)
{
	struct run *run = user;
	char line[SIGHTING_LINE_MAX];

	(void)ts_us;
	if (run->want && run->seen >= run->want)
		return; /* the rest of a batch read after the last one wanted */
	if (frame_sighting_format(s, line, sizeof(line)) < 0)
		return;
	printf("%s %s\n", ifname, line);
	fflush(stdout);
	run->seen++;
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int usage(void)
{
	fprintf(stderr, "usage: observe_check [-n COUNT] [-t SECONDS] IFACE...\n");
	return 2;
}

static bool parse_ulong(const char *s, unsigned long *ret)
{
	char *end;

	errno = 0;
	*ret = strtoul(s, &end, 10);
	return !errno && *s && !*end && *s != '-';
}

int main(int argc, char **argv)
{
	struct pollfd fds[OBSERVE_IFACES_MAX];
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, unblocked;
	struct observer_stats st;
	struct run run = { 0, 0 };
	unsigned long secs = 10;
	struct observer *o;
	char err[512];
	int64_t deadline;
	int c, nfds, i, rc;

	while ((c = getopt(argc, argv, "n:t:")) != -1) {
		switch (c) {
		case 'n':
			if (!parse_ulong(optarg, &run.want))
				return usage();
			break;
		case 't':
			if (!parse_ulong(optarg, &secs) || secs > 86400)
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();
	o = observer_open((const char *const *)argv + optind, (size_t)(argc - optind), err,
			  sizeof(err));
	if (!o) {
		fprintf(stderr, "observe_check: %s\n", err);
		return 2;
	}
	nfds = observer_fds(o, fds, OBSERVE_IFACES_MAX);
	/* Blocked but while in ppoll(): a signal cannot slip in between the check and the wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &unblocked);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fprintf(stderr, "listening\n");
	deadline = now_ms() + (int64_t)secs * 1000;
	rc = run.want ? 1 : 0;
	while (!run.want || run.seen < run.want) {
		int64_t left = deadline - now_ms();
		struct timespec ts = { left / 1000, (left % 1000) * 1000000 };

		if (left <= 0 || stop)
			break;
		if (ppoll(fds, (nfds_t)nfds, &ts, &unblocked) < 0) {
			if (errno == EINTR)
				continue;
			perror("observe_check: ppoll");
			rc = 2;
			break;
		}
		for (i = 0; i < nfds; i++) {
			if (!fds[i].revents)
				continue;
			if (observer_dispatch(o, fds[i].fd, print_sighting, &run) < 0) {
				fprintf(stderr, "observe_check: capture failed\n");
				rc = 2;
				goto out;
			}
		}
	}
	if (run.want && run.seen >= run.want)
		rc = 0;
out:
	observer_stats(o, &st);
	fprintf(stderr,
		"decoded %" PRIu64 ", not ours %" PRIu64 ", malformed %" PRIu64
		", dropped %" PRIu64 "\n",
		st.decoded, st.not_ours, st.malformed, st.dropped);
	observer_close(o);
	return rc;
}

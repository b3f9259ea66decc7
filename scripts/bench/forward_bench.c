/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * forward_bench: the forwarding edge (gatewayd/forward.c) on its own, for
 * scripts/bench/forward. Sends the day files of LOGDIR to 127.0.0.1:PORT
 * (TLS when a CA file is given) until the cursor is at their end, and
 * prints the records acknowledged, the time and the rate.
 *
 *   forward_bench LOGDIR STATEDIR PORT [CA]
 *
 * Exit status: 0 all sent, 1 not within 300 s, 2 usage or setup error.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "forward.h"
#include "log.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct log_forward cfg = { .server = "127.0.0.1", .hostname = "bench", .facility = 16 };
	struct forward *fw;
	double t0, last = 0;
	json_int_t acked = 0;
	int r;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: forward_bench LOGDIR STATEDIR PORT [CA]\n");
		return 2;
	}
	cfg.port = (unsigned)atoi(argv[3]);
	cfg.tls = argc == 5;
	cfg.ca = argc == 5 ? argv[4] : NULL;
	log_open(true);
	t0 = now_s();
	r = forward_open(&cfg, argv[1], argv[2], &fw);
	if (r) {
		fprintf(stderr, "forward_bench: %s\n", strerror(-r));
		return 2;
	}
	while (now_s() - t0 < 300) {
		struct pollfd p = { .fd = -1 };
		int to = forward_timeout(fw);

		p.fd = forward_fd(fw, &p.events);
		if (poll(&p, 1, to < 0 || to > 50 ? 50 : to) < 0)
			break;
		forward_run(fw, p.fd >= 0 ? p.revents : 0);
		if (now_s() - last > 0.05) {
			json_t *st = forward_status(fw);

			last = now_s();
			acked = json_integer_value(json_object_get(st, "acked_records"));
			r = json_integer_value(json_object_get(st, "backlog_bytes")) == 0 &&
			    json_integer_value(json_object_get(st, "unacked_records")) == 0 && acked;
			json_decref(st);
			if (r)
				break;
		}
	}
	printf("%lld records in %.3f s: %.0f records/s\n", (long long)acked, now_s() - t0,
	       (double)acked / (now_s() - t0));
	forward_close(fw);
	return r ? 0 : 1;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Paced flood of new UDP connections for scripts/bench/logging.
 *
 *   flood SRC DST DPORT COUNT RATE
 *
 * Sends COUNT one-byte UDP datagrams from SRC to DST:DPORT at RATE per
 * second, datagram i from source port 1 + i % 65535, so that every one of
 * them is a new conntrack entry at the gateway as long as COUNT stays
 * within 65535 and the gateway's conntrack table was flushed before. One
 * raw socket (IPPROTO_RAW, the headers built here) and sendmmsg() in small
 * batches: a socket per datagram costs the sender four system calls and a
 * socket each, which on a 2-core machine steals the CPU the log readers
 * under test need, and python cannot go past some 30k/s at all.
 *
 * Pacing: batch k leaves at t0 + k * BATCH / RATE (clock_nanosleep,
 * TIMER_ABSTIME, CLOCK_MONOTONIC, timer slack 1 ns: the default 50 us
 * slack alone held a sleep-per-datagram sender below 12k/s); BATCH is
 * chosen so a batch is about 100 us of traffic (1 at 10k/s and below, at
 * most 64). A sender that falls behind does not sleep and so goes as fast
 * as it can: the rate it achieved is what it reports, on one line of
 * "key value" pairs:
 *
 *   sent N seconds S rate R errors E
 *
 * S is the time from the first batch to the return of the last, R = N / S,
 * E the datagrams the kernel refused (ENOBUFS and the like; not retried,
 * not counted in N). Exit status 0, 1 on a system error, 2 on bad usage.
 * Needs CAP_NET_RAW in the sending namespace.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH_MAX 64
#define PKT_LEN (sizeof(struct iphdr) + sizeof(struct udphdr) + 1)

static int parse_num(const char *s, long lo, long hi, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*ret = v;
	return 0;
}

static uint32_t csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* One datagram: IPv4 header (the kernel fills in id and checksum when 0:
 * raw(7), IP_HDRINCL) and a UDP header with a real checksum, so that
 * nothing on the way drops it. */
static void build(uint8_t *pkt, struct in_addr src, struct in_addr dst, uint16_t sport,
		  uint16_t dport)
{
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *udp = (struct udphdr *)(pkt + sizeof(*ip));
	uint8_t pseudo[12];
	uint32_t sum;

	memset(pkt, 0, PKT_LEN);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(PKT_LEN);
	ip->saddr = src.s_addr;
	ip->daddr = dst.s_addr;
	udp->source = htons(sport);
	udp->dest = htons(dport);
	udp->len = htons(sizeof(*udp) + 1);
	pkt[PKT_LEN - 1] = 'x';

	memcpy(pseudo, &ip->saddr, 4);
	memcpy(pseudo + 4, &ip->daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_UDP;
	memcpy(pseudo + 10, &udp->len, 2);
	sum = csum_add(0, pseudo, sizeof(pseudo));
	sum = csum_add(sum, udp, sizeof(*udp) + 1);
	udp->check = htons(csum_fold(sum));
	if (!udp->check)
		udp->check = 0xffff;
}

static double elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	static uint8_t pkts[BATCH_MAX][PKT_LEN];
	struct iovec iov[BATCH_MAX];
	struct mmsghdr msgs[BATCH_MAX];
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct in_addr src;
	struct timespec t0, due, now, end;
	long dport, count, rate, batch, sent = 0, errors = 0, i = 0, k;
	double secs;
	int fd;

	if (argc != 6 || inet_pton(AF_INET, argv[1], &src) != 1 ||
	    inet_pton(AF_INET, argv[2], &to.sin_addr) != 1 ||
	    parse_num(argv[3], 1, 65535, &dport) || parse_num(argv[4], 1, 10000000, &count) ||
	    parse_num(argv[5], 1, 10000000, &rate)) {
		fprintf(stderr, "usage: flood SRC DST DPORT COUNT RATE\n");
		return 2;
	}
	batch = (rate + 9999) / 10000;
	if (batch > BATCH_MAX)
		batch = BATCH_MAX;

	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("flood: socket");
		return 1;
	}
	for (k = 0; k < BATCH_MAX; k++) {
		iov[k] = (struct iovec){ .iov_base = pkts[k], .iov_len = PKT_LEN };
		msgs[k] = (struct mmsghdr){ .msg_hdr = { .msg_name = &to, .msg_namelen = sizeof(to),
							 .msg_iov = &iov[k], .msg_iovlen = 1 } };
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (i < count) {
		long n = count - i < batch ? count - i : batch;
		long off = 0;
		/* Batch number i / batch is due at t0 + i / rate. */
		long long ns = (long long)((double)i * 1e9 / (double)rate);

		due.tv_sec = t0.tv_sec + (time_t)(ns / 1000000000);
		due.tv_nsec = t0.tv_nsec + (long)(ns % 1000000000);
		if (due.tv_nsec >= 1000000000) {
			due.tv_sec++;
			due.tv_nsec -= 1000000000;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (elapsed(&now, &due) > 0)
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
				;
		for (k = 0; k < n; k++)
			build(pkts[k], src, to.sin_addr, (uint16_t)(1 + (i + k) % 65535),
			      (uint16_t)dport);
		while (off < n) {
			int r = sendmmsg(fd, msgs + off, (unsigned int)(n - off), 0);

			if (r > 0) {
				sent += r;
				off += r;
			} else if (r < 0 && errno == EINTR) {
				continue;
			} else if (r < 0 && (errno == ENOBUFS || errno == EAGAIN ||
					     errno == ECONNREFUSED)) {
				/* The first of the rest was refused: count it, go on. */
				errors++;
				off++;
			} else {
				perror("flood: sendmmsg");
				close(fd);
				return 1;
			}
		}
		i += n;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	close(fd);
	secs = elapsed(&t0, &end);
	printf("sent %ld seconds %.6f rate %.0f errors %ld\n", sent, secs,
	       secs > 0 ? (double)sent / secs : 0.0, errors);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Benchmark driver for scripts/bench/apply: gatewayd's own path, load +
 * compile + apply, timed phase by phase in one process.
 *
 *   apply_bench -c CONF [-n N] [-r FILE] [--no-apply] [--encode-runs K]
 *   apply_bench --count
 *   apply_bench --exec RESULT_FILE COMMAND [ARG...]
 *
 * Loads CONF (confread_load), compiles it (compile_policy), adds N
 * generated elements to the set registered_devices (ether_addr . ipv4_addr:
 * element i is 02:00:XX:XX:XX:XX . 10.x.y.z, the 32-bit numbers 1 + i and
 * 10.0.0.1 + i, both ascending, so the set stays in canonical order), then
 * applies the ruleset with apply_ruleset() (encode + send + acks, one
 * transaction) and prints, one "key value" a line:
 *
 *   rules      deciding rules (what netctl check counts)
 *   rules_all  all rules (log companions and dispatch rules too)
 *   elements   elements of registered_devices
 *   load_ms compile_ms elems_ms apply_ms total_ms   (CLOCK_MONOTONIC)
 *   rss_kb     peak RSS right after the apply (getrusage ru_maxrss)
 *
 * total_ms is load + compile + elements + apply. Afterwards, outside every
 * timing: -r writes the rendering (render_ruleset: what netctl render
 * prints, less its "# file:line" lines, elements included) to FILE, and
 * --encode-runs K encodes the ruleset K more times alone and prints
 * encode_ms (best), batch_bytes and batch_msgs. --no-apply skips the apply
 * (for profiling the encoder without root).
 *
 * --count dumps table inet gatewayd over netlink and prints kernel_rules
 * (rules), kernel_commented (rules carrying a comment, i.e. an id) and
 * kernel_elements (elements of registered_devices): a check that takes a
 * fraction of a second where "nft list" of 100k elements takes seconds.
 *
 * --exec runs COMMAND (stdin, stdout and stderr inherited) and writes to
 * RESULT_FILE its wall time from fork to reap (wall_ms, CLOCK_MONOTONIC),
 * its peak RSS (rss_kb, from wait4) and its exit status (status): the one
 * clock and the one RSS measure for gatewayd's path and for nft -f alike.
 *
 * Exit status: 0, 1 on a refused config or apply (--exec: COMMAND's own
 * status, 128 + signal), 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <libmnl/libmnl.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "compile.h"
#include "confread.h"
#include "encode.h"
#include "render.h"
#include "ruleset.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long maxrss_kb(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? -1 : ru.ru_maxrss;
}

static size_t count_all_rules(const struct ruleset *rs)
{
	size_t i, n = 0;

	for (i = 0; i < rs->n_chains; i++)
		n += rs->chains[i]->n_rules;
	return n;
}

/* Element @i: locally administered unicast MAC 02:00 + (1 + i), IPv4 10.0.0.1 + i. */
static int add_devices(struct ruleset *rs, unsigned long n)
{
	struct set *s = ruleset_set(rs, SET_REGISTERED);
	unsigned long i;

	if (!s) {
		fprintf(stderr, "apply_bench: the ruleset has no set %s\n", SET_REGISTERED);
		return -1;
	}
	if (n > 0xffffffUL) {
		fprintf(stderr, "apply_bench: at most %lu elements (10.0.0.0/8)\n", 0xffffffUL);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct elem *e = set_add_elem(rs, s);
		uint32_t m = (uint32_t)(i + 1), a = (10u << 24) + (uint32_t)(i + 1);

		if (!e) {
			fprintf(stderr, "apply_bench: out of memory at element %lu\n", i);
			return -1;
		}
		e->key[0].mac[0] = 0x02;
		e->key[0].mac[1] = 0x00;
		e->key[0].mac[2] = (uint8_t)(m >> 24);
		e->key[0].mac[3] = (uint8_t)(m >> 16);
		e->key[0].mac[4] = (uint8_t)(m >> 8);
		e->key[0].mac[5] = (uint8_t)m;
		e->key[1].addr.family = AF_INET;
		e->key[1].addr.lo[0] = (uint8_t)(a >> 24);
		e->key[1].addr.lo[1] = (uint8_t)(a >> 16);
		e->key[1].addr.lo[2] = (uint8_t)(a >> 8);
		e->key[1].addr.lo[3] = (uint8_t)a;
		memcpy(e->key[1].addr.hi, e->key[1].addr.lo, 4);
	}
	return 0;
}

/* ---- --exec: wall time and peak RSS of a command ---------------------------- */

static int run_exec(const char *result, char **cmd)
{
	struct rusage ru;
	double t0, t1;
	FILE *f;
	pid_t pid;
	int st, rc;

	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		perror("apply_bench: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(cmd[0], cmd);
		fprintf(stderr, "apply_bench: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("apply_bench: wait4");
			return 2;
		}
	t1 = now_ms();
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	f = fopen(result, "we");
	if (!f || fprintf(f, "wall_ms %.2f\nrss_kb %ld\nstatus %d\n", t1 - t0, ru.ru_maxrss, rc) < 0 ||
	    fclose(f)) {
		fprintf(stderr, "apply_bench: cannot write %s\n", result);
		return 2;
	}
	return rc;
}

/* ---- --count: what the kernel holds ------------------------------------------ */

struct counts {
	size_t rules, commented, elements;
};

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct counts *c = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	const struct nftnl_udata *attr;
	const void *ud;
	uint32_t len;

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nftnl_rule_free(r);
		return MNL_CB_ERROR;
	}
	c->rules++;
	if (nftnl_rule_is_set(r, NFTNL_RULE_USERDATA)) {
		ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
		nftnl_udata_for_each_data(ud, len, attr)
			if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT) {
				c->commented++;
				break;
			}
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static int elem_one(struct nftnl_set_elem *e, void *data)
{
	(void)e;
	((struct counts *)data)->elements++;
	return 0;
}

static int elem_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *s = nftnl_set_alloc();
	int r;

	if (!s || nftnl_set_elems_nlmsg_parse(nlh, s) < 0) {
		nftnl_set_free(s);
		return MNL_CB_ERROR;
	}
	r = nftnl_set_elem_foreach(s, elem_one, data);
	nftnl_set_free(s);
	return r < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/* Sends the dump request in @req and runs @cb on every answer until done. */
static int dump(struct mnl_socket *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	static char buf[1 << 16];
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int r;

	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t)n, req->nlmsg_seq, portid, cb, data);
	} while (r > MNL_CB_STOP);
	return r < 0 ? -errno : 0;
}

static int run_count(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	static char req[4096];
	struct counts c = { 0 };
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	int ret = 2;

	if (!nl || !r || !s || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("apply_bench: netlink");
		goto out;
	}
	nlh = nftnl_nlmsg_build_hdr(req, NFT_MSG_GETRULE, NFPROTO_INET, NLM_F_DUMP, 1);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, RULESET_TABLE);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	if ((ret = dump(nl, nlh, rule_cb, &c))) {
		fprintf(stderr, "apply_bench: dumping the rules: %s\n", strerror(-ret));
		ret = 1;
		goto out;
	}
	nlh = nftnl_nlmsg_build_hdr(req, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP, 2);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, RULESET_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, SET_REGISTERED);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	if ((ret = dump(nl, nlh, elem_cb, &c))) {
		fprintf(stderr, "apply_bench: dumping %s: %s\n", SET_REGISTERED, strerror(-ret));
		ret = 1;
		goto out;
	}
	printf("kernel_rules %zu\nkernel_commented %zu\nkernel_elements %zu\n", c.rules,
	       c.commented, c.elements);
	ret = 0;
out:
	nftnl_set_free(s);
	nftnl_rule_free(r);
	if (nl)
		mnl_socket_close(nl);
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: apply_bench -c CONF [-n ELEMENTS] [-r RENDER_FILE] [--no-apply]\n"
		   "                   [--encode-runs K]\n"
		   "       apply_bench --count\n"
		   "       apply_bench --exec RESULT_FILE COMMAND [ARG...]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "elements", required_argument, NULL, 'n' },
		{ "render", required_argument, NULL, 'r' },
		{ "no-apply", no_argument, NULL, 'A' },
		{ "encode-runs", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL, *render = NULL;
	unsigned long n_elems = 0, encode_runs = 0;
	bool do_apply = true;
	struct policy *p = NULL;
	struct ruleset *rs = NULL;
	struct diag_list d;
	double t0, t1, t2, t3, t4;
	long rss;
	char *end;
	int o, r, status = 0;

	if (argc >= 2 && !strcmp(argv[1], "--count"))
		return argc == 2 ? run_count() : (usage(stderr), 2);
	if (argc >= 2 && !strcmp(argv[1], "--exec")) {
		if (argc < 4) {
			usage(stderr);
			return 2;
		}
		return run_exec(argv[2], argv + 3);
	}
	while ((o = getopt_long(argc, argv, "c:n:r:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			conf = optarg;
			break;
		case 'n':
			errno = 0;
			n_elems = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg) {
				usage(stderr);
				return 2;
			}
			break;
		case 'r':
			render = optarg;
			break;
		case 'A':
			do_apply = false;
			break;
		case 'E':
			encode_runs = strtoul(optarg, &end, 10);
			if (*end || end == optarg) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!conf || optind != argc) {
		usage(stderr);
		return 2;
	}

	diag_init(&d);
	t0 = now_ms();
	r = confread_load(conf, (int64_t)time(NULL), 0, &p, &d);
	t1 = now_ms();
	if (r == 0)
		r = compile_policy(p, &rs, &d);
	t2 = now_ms();
	if (r) {
		diag_sort(&d);
		diag_print(stderr, &d);
		fprintf(stderr, "apply_bench: %s: load or compile failed (%s)\n", conf, strerror(-r));
		status = 1;
		goto out;
	}
	if (add_devices(rs, n_elems)) {
		status = 1;
		goto out;
	}
	t3 = now_ms();
	if (do_apply) {
		r = apply_ruleset(rs, &d);
		if (r) {
			diag_sort(&d);
			diag_print(stderr, &d);
			if (r != -EINVAL)
				fprintf(stderr, "apply_bench: apply failed: %s\n", strerror(-r));
			status = 1;
		}
	}
	t4 = now_ms();
	rss = maxrss_kb();

	printf("rules %zu\n", ruleset_count_deciding(rs));
	printf("rules_all %zu\n", count_all_rules(rs));
	printf("elements %zu\n", ruleset_set(rs, SET_REGISTERED)->n_elems);
	printf("load_ms %.2f\ncompile_ms %.2f\nelems_ms %.2f\n", t1 - t0, t2 - t1, t3 - t2);
	if (do_apply)
		printf("apply_ms %.2f\n", t4 - t3);
	printf("total_ms %.2f\n", t4 - t0);
	printf("rss_kb %ld\n", rss);
	fflush(stdout);

	if (render) {
		FILE *f = fopen(render, "we");

		if (!f || render_ruleset(f, rs, 0) || fclose(f)) {
			fprintf(stderr, "apply_bench: cannot write %s: %s\n", render, strerror(errno));
			status = 1;
		}
	}
	if (encode_runs) {
		double best = -1;
		size_t bytes = 0, msgs = 0;
		unsigned long k;

		for (k = 0; k < encode_runs; k++) {
			struct nl_batch *b = NULL;
			double a = now_ms(), e;

			r = encode_ruleset(rs, 1, &b);
			e = now_ms() - a;
			if (r) {
				fprintf(stderr, "apply_bench: encode failed: %s\n", strerror(-r));
				status = 1;
				break;
			}
			bytes = nl_batch_len(b);
			msgs = nl_batch_seq_last(b) - nl_batch_seq_first(b) + 1;
			nl_batch_free(b);
			if (best < 0 || e < best)
				best = e;
		}
		if (best >= 0)
			printf("encode_ms %.2f\nbatch_bytes %zu\nbatch_msgs %zu\n", best, bytes, msgs);
	}
out:
	diag_fini(&d);
	ruleset_free(rs);
	policy_free(p);
	return status;
}

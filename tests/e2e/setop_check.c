/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * setop_check: the set-element and conntrack edges on their own, for
 * tests/e2e/admit_cut.sh (LANREQ-42, LANREQ-43, INC-1).
 *
 *   setop_check -c CONF OP...     OPs on the sets of CONF's compiled table, in one batch
 *   setop_check --tiny apply      applies table inet gwsetop: set pairs
 *                                 (ether_addr . ipv4_addr), set hosts (ipv4_addr)
 *   setop_check --tiny OP...      OPs on the sets of that table, in one batch
 *   setop_check ctkill ADDR       deletes ADDR's conntrack entries
 *
 *   OP: add SET ELEM | del SET ELEM, ELEM as nft writes it, one argument:
 *       "02:00:00:00:0b:01 . 10.11.0.100"
 *
 * Output: "setop: N operations committed in T us" or "ctkill ADDR: N
 * entries deleted in T us"; errors on stderr. Exit status: 0 done, 1 the
 * kernel refused or a system failure, 2 usage or config error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply.h"
#include "compile.h"
#include "confread.h"
#include "ctkill.h"
#include "setop.h"

static double us_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e6 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e3;
}

static int usage(void)
{
	fprintf(stderr, "usage: setop_check -c CONF|--tiny {add|del} SET ELEM...\n"
			"       setop_check --tiny apply\n"
			"       setop_check ctkill ADDR\n");
	return 2;
}

/* The tiny table: two sets of the run-time sets' shapes, no chains. */
static struct ruleset *tiny_ruleset(void)
{
	struct ruleset *rs = ruleset_new();
	struct set *s;

	if (!rs)
		return NULL;
	rs->table = "gwsetop";
	if (!(s = ruleset_add_set(rs, "pairs")))
		goto fail;
	s->n_key = 2;
	s->key[0] = KT_ETHER;
	s->key[1] = KT_IPV4;
	if (!(s = ruleset_add_set(rs, "hosts")))
		goto fail;
	s->n_key = 1;
	s->key[0] = KT_IPV4;
	return rs;
fail:
	ruleset_free(rs);
	return NULL;
}

static int parse_part(enum key_type k, const char *s, struct value *v)
{
	struct prefix p;
	char *end;
	unsigned long n;

	switch (k) {
	case KT_IFNAME:
		if (strlen(s) >= sizeof(v->str))
			return -EINVAL;
		strcpy(v->str, s);
		return 0;
	case KT_ETHER:
		return mac_parse(s, v->mac);
	case KT_IPV4:
	case KT_IPV6:
		if (prefix_parse(s, &p) || p.family != (k == KT_IPV4 ? AF_INET : AF_INET6) ||
		    p.len != (k == KT_IPV4 ? 32u : 128u))
			return -EINVAL;
		v->addr.family = p.family;
		memcpy(v->addr.lo, p.a, 16);
		memcpy(v->addr.hi, p.a, 16);
		return 0;
	case KT_MARK:
		return -EINVAL; /* only in the kernel-filled source sets (C-10) */
	case KT_PROTO:
	case KT_SERVICE:
		if (k == KT_PROTO && (!strcmp(s, "tcp") || !strcmp(s, "udp"))) {
			v->num = s[0] == 't' ? 6 : 17;
			return 0;
		}
		errno = 0;
		n = strtoul(s, &end, 10);
		if (errno || end == s || *end || n > (k == KT_PROTO ? 255u : 65535u))
			return -EINVAL;
		v->num = (uint32_t)n;
		v->lo = v->hi = (uint16_t)n;
		return 0;
	}
	return -EINVAL;
}

/* "02:00:00:00:0b:01 . 10.11.0.100": the parts of @s's key, separated by " . ". */
static int parse_elem(const struct set *s, const char *text, struct elem *e)
{
	char *copy = strdup(text), *tok, *save = NULL;
	size_t k = 0;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	memset(e, 0, sizeof(*e));
	for (tok = strtok_r(copy, " \t", &save); tok && !r; tok = strtok_r(NULL, " \t", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (k == s->n_key || parse_part(s->key[k], tok, &e->key[k]))
			r = -EINVAL;
		k++;
	}
	free(copy);
	return r || k != s->n_key ? -EINVAL : 0;
}

static int run_setops(const struct ruleset *rs, int argc, char **argv)
{
	struct setop *ops = calloc((size_t)argc / 3 + 1, sizeof(*ops));
	struct elem *elems = calloc((size_t)argc / 3 + 1, sizeof(*elems));
	struct timespec t0;
	char err[512];
	size_t n = 0;
	int i, r, status = 2;

	if (!ops || !elems) {
		fprintf(stderr, "setop_check: out of memory\n");
		goto out;
	}
	if (argc % 3) {
		status = usage();
		goto out;
	}
	for (i = 0; i < argc; i += 3, n++) {
		const struct set *s = ruleset_set(rs, argv[i + 1]);

		if (strcmp(argv[i], "add") && strcmp(argv[i], "del")) {
			status = usage();
			goto out;
		}
		if (!s) {
			fprintf(stderr, "setop_check: no set '%s' in table %s\n", argv[i + 1],
				rs->table);
			goto out;
		}
		if (parse_elem(s, argv[i + 2], &elems[n])) {
			fprintf(stderr, "setop_check: '%s' is not an element of set '%s'\n",
				argv[i + 2], s->name);
			goto out;
		}
		ops[n] = (struct setop){ .op = argv[i][0] == 'a' ? SETOP_ADD : SETOP_DEL,
					 .set = s, .elem = &elems[n] };
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = setop_apply("inet", rs->table, ops, n, err, sizeof(err));
	if (r) {
		fprintf(stderr, "setop_check: %s\n", err);
		status = 1;
		goto out;
	}
	printf("setop: %zu operations committed in %.0f us\n", n, us_since(&t0));
	status = 0;
out:
	free(ops);
	free(elems);
	return status;
}

static int run_ctkill(const char *text)
{
	unsigned char addr[16];
	unsigned deleted = 0;
	struct timespec t0;
	char err[512];
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(family, text, addr) != 1) {
		fprintf(stderr, "setop_check: '%s' is not an IPv4 or IPv6 address\n", text);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (ctkill_host(family, addr, &deleted, err, sizeof(err))) {
		fprintf(stderr, "setop_check: ctkill %s: %s\n", text, err);
		return 1;
	}
	printf("ctkill %s: %u entries deleted in %.0f us\n", text, deleted, us_since(&t0));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "tiny", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL;
	struct policy *p = NULL;
	struct ruleset *rs = NULL;
	struct diag_list d;
	bool tiny = false;
	int o, r, status = 2;

	while ((o = getopt_long(argc, argv, "+c:", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			conf = optarg;
			break;
		case 't':
			tiny = true;
			break;
		default:
			return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 2 && !strcmp(argv[0], "ctkill") && !conf && !tiny)
		return run_ctkill(argv[1]);
	if (argc < 1 || !conf == !tiny)
		return usage();
	diag_init(&d);
	if (tiny) {
		rs = tiny_ruleset();
		r = rs ? 0 : -ENOMEM;
	} else {
		r = confread_load(conf, (int64_t)time(NULL), 0, &p, &d);
		if (!r)
			r = compile_policy(p, &rs, &d);
	}
	if (!r && argc == 1 && !strcmp(argv[0], "apply")) {
		r = apply_ruleset(rs, &d);
		status = r ? 1 : 0;
	} else if (!r) {
		status = run_setops(rs, argc, argv);
	}
	diag_sort(&d);
	diag_print(stderr, &d);
	if (r)
		fprintf(stderr, "setop_check: %s\n", strerror(-r));
	diag_fini(&d);
	ruleset_free(rs);
	policy_free(p);
	return status;
}

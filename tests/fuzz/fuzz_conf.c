/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the config loader: one input is a main file and up to
 * FUZZ_MAX_ZONES zone files, separated by a line "%%":
 *
 *	log = { group = 1; };
 *	%%
 *	zone = { name = "a"; kind = "floor"; interfaces = [ "a0" ]; };
 *
 * Each part goes to conf_load as a NUL-terminated copy (a NUL inside a part
 * stays and must be refused); what loads is compiled and rendered to memory.
 * Checks, besides the sanitizers: a loaded policy compiles or queues a
 * diagnostic, and the rendering without origins does not depend on the order
 * of the zone files (render.h), so the load is repeated with the zone files
 * reversed. Everything is freed on every path (LeakSanitizer is on).
 *
 * Running it on one file prints the diagnostics and the rendering when
 * FUZZ_CONF_VERBOSE is set:  FUZZ_CONF_VERBOSE=1 ./fuzz_conf case
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "conf.h"
#include "diag.h"
#include "model.h"
#include "render.h"
#include "ruleset.h"

#define FUZZ_SEP "\n%%\n"
#define FUZZ_MAX_ZONES 12
/* 2027-01-15T00:00:00Z: the example config's exception is valid then. */
#define FUZZ_NOW INT64_C(1800057600)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool verbose;

/* Result of one load, compile and render. */
struct outcome {
	int load, compile, render; /* 0 or a negative errno; 1: stage not reached */
	char *text;		   /* rendering without origins, or NULL */
	size_t len;
};

static void outcome_fini(struct outcome *o)
{
	free(o->text);
	o->text = NULL;
}

/* The split point of the next part of @data: its length, or @size when none. */
static size_t part_len(const uint8_t *data, size_t size)
{
	const size_t seplen = sizeof(FUZZ_SEP) - 1;
	size_t i;

	for (i = 0; i + seplen <= size; i++)
		if (!memcmp(data + i, FUZZ_SEP, seplen))
			return i;
	return size;
}

/* Renders @rs to memory with @flags; *@ret_text is malloc'd (NULL on ENOMEM). */
static int render_mem(const struct ruleset *rs, unsigned flags, char **ret_text, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	*ret_text = NULL;
	*ret_len = 0;
	if (!f)
		return -ENOMEM;
	r = render_ruleset(f, rs, flags);
	if (fclose(f) && !r)
		r = -EIO;
	*ret_text = buf;
	*ret_len = len;
	return r;
}

static void run(const struct conf_source *srcs, size_t n, struct outcome *o)
{
	struct policy *p = NULL;
	struct ruleset *rs = NULL;
	struct diag_list d;
	size_t errors;

	o->load = o->compile = o->render = 1;
	o->text = NULL;
	o->len = 0;
	diag_init(&d);
	o->load = conf_load(srcs, n, FUZZ_NOW, &p, &d);
	if (!o->load) {
		errors = d.errors;
		o->compile = compile_policy(p, &rs, &d);
		/* A refusal always says why. */
		if (o->compile == -EINVAL && d.errors == errors && !d.oom)
			__builtin_trap();
	}
	if (!o->compile) {
		char *t;
		size_t len;

		o->render = render_mem(rs, RENDER_ORIGINS, &t, &len);
		free(t);
		if (!o->render)
			o->render = render_mem(rs, 0, &o->text, &o->len);
		if (verbose && o->text)
			fwrite(o->text, 1, o->len, stdout);
	}
	/* The printer runs on every outcome; its output goes nowhere. */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		diag_sort(&d);
		if (f) {
			diag_print(f, &d);
			fclose(f);
		}
		free(buf);
	}
	if (verbose) {
		diag_print(stderr, &d);
		fprintf(stderr, "load %d compile %d render %d\n", o->load, o->compile, o->render);
	}
	ruleset_free(rs);
	policy_free(p);
	diag_fini(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_source srcs[1 + FUZZ_MAX_ZONES], rev[1 + FUZZ_MAX_ZONES];
	char names[1 + FUZZ_MAX_ZONES][32];
	struct outcome a, b;
	size_t n = 0, i;

	verbose = getenv("FUZZ_CONF_VERBOSE") != NULL;
	memset(srcs, 0, sizeof(srcs));
	for (;;) {
		/* The last part takes the rest, separators and all. */
		size_t len = n == FUZZ_MAX_ZONES ? size : part_len(data, size);
		char *text = malloc(len + 1);

		if (!text)
			goto out;
		memcpy(text, data, len);
		text[len] = '\0';
		if (n)
			snprintf(names[n], sizeof(names[n]), "zones/%c.conf", (int)('a' + n - 1));
		else
			snprintf(names[n], sizeof(names[n]), "gatewayd.conf");
		srcs[n].name = names[n];
		srcs[n].text = text;
		srcs[n].len = len;
		n++;
		if (len == size)
			break;
		data += len + sizeof(FUZZ_SEP) - 1;
		size -= len + sizeof(FUZZ_SEP) - 1;
	}

	run(srcs, n, &a);
	if (n > 2 && !a.load) {
		/* The same files in the reverse order render the same (render.h). */
		rev[0] = srcs[0];
		for (i = 1; i < n; i++)
			rev[i] = srcs[n - i];
		run(rev, n, &b);
		if (b.load != a.load || b.compile != a.compile || b.render != a.render ||
		    (a.text && b.text && (a.len != b.len || memcmp(a.text, b.text, a.len)))) {
			fprintf(stderr,
				"fuzz_conf: outcome depends on the order of the zone files: "
				"load %d/%d compile %d/%d render %d/%d\n",
				a.load, b.load, a.compile, b.compile, a.render, b.render);
			__builtin_trap();
		}
		outcome_fini(&b);
	}
	outcome_fini(&a);
out:
	for (i = 0; i < n; i++)
		free((char *)srcs[i].text);
	return 0;
}

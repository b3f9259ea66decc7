/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared helpers of the unit tests: configs loaded from string literals at a
 * fixed "now", diagnostics looked up by file:line, rulesets rendered into a
 * string. Everything here is static inline so that each test binary takes
 * only what it uses.
 */
#ifndef GW_TEST_HELPERS_H
#define GW_TEST_HELPERS_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compile.h"
#include "conf.h"
#include "diag.h"
#include "model.h"
#include "render.h"
#include "ruleset.h"

/* 2027-01-01T00:00:00Z (date -u -d 2027-01-01 +%s): the "now" of config tests. */
#define T_NOW ((int64_t)1798761600)
#define T_DAY ((int64_t)86400)

/* ---- text ------------------------------------------------------------- */

/* A growing string built with open_memstream (independent of lib/util.c). */
struct text {
	char *buf;
	size_t len;
	FILE *f;
};

static inline void text_init(struct text *t)
{
	t->buf = NULL;
	t->len = 0;
	t->f = open_memstream(&t->buf, &t->len);
	assert_non_null(t->f);
}

static inline void text_addf(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void text_addf(struct text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(t->f, fmt, ap);
	va_end(ap);
}

/* Ends building and hands over the malloc'd string. */
static inline char *text_done(struct text *t)
{
	fclose(t->f);
	t->f = NULL;
	return t->buf;
}

static inline char *xstrdup(const char *s)
{
	char *r = strdup(s);

	assert_non_null(r);
	return r;
}

/* 1-based number of the line holding the @nth (1-based) occurrence of @needle. */
static inline int line_of_nth(const char *text, const char *needle, int nth)
{
	const char *p = text, *hit = NULL, *s;
	int line = 1;

	while (nth-- > 0) {
		hit = strstr(p, needle);
		if (!hit)
			fail_msg("'%s' does not occur in the config text", needle);
		p = hit + 1;
	}
	for (s = text; s < hit; s++)
		line += *s == '\n';
	return line;
}

static inline int line_of(const char *text, const char *needle)
{
	return line_of_nth(text, needle, 1);
}

/* ---- loading configs -------------------------------------------------- */

static inline struct conf_source src_of(const char *name, const char *text)
{
	struct conf_source s = { name, text, strlen(text) };

	return s;
}

struct loaded {
	struct policy *p;  /* NULL when refused */
	struct diag_list d;
	int r;             /* conf_load's return */
};

static inline int load_sources(struct loaded *l, const struct conf_source *srcs, size_t n,
			       int64_t now)
{
	memset(l, 0, sizeof(*l));
	diag_init(&l->d);
	l->r = conf_load(srcs, n, now, &l->p, &l->d);
	return l->r;
}

static inline void loaded_fini(struct loaded *l)
{
	policy_free(l->p);
	diag_fini(&l->d);
	memset(l, 0, sizeof(*l));
}

/* ---- diagnostics ------------------------------------------------------ */

static inline void diag_dump(const struct diag_list *d)
{
	fprintf(stderr, "---- %zu error(s), %zu warning(s):\n", d->errors, d->warnings);
	diag_print(stderr, d);
	fprintf(stderr, "----\n");
}

/* The first error at @file:@line (line 0: any line) whose message contains @substr. */
static inline const struct diag *diag_find(const struct diag_list *d, const char *file, int line,
					   const char *substr)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diag *x = &d->v[i];

		if (x->level != DIAG_ERROR)
			continue;
		if (file && (!x->file || strcmp(x->file, file)))
			continue;
		if (line && x->line != line)
			continue;
		if (strstr(x->msg, substr))
			return x;
	}
	return NULL;
}

/* The first error at @file:@line (line 0: any) containing every string of NULL-terminated @subs. */
static inline const struct diag *diag_find_all(const struct diag_list *d, const char *file,
					       int line, const char *const *subs)
{
	size_t i, k;

	for (i = 0; i < d->n; i++) {
		const struct diag *x = &d->v[i];

		if (x->level != DIAG_ERROR || (file && (!x->file || strcmp(x->file, file))) ||
		    (line && x->line != line))
			continue;
		for (k = 0; subs[k]; k++)
			if (!strstr(x->msg, subs[k]))
				break;
		if (!subs[k])
			return x;
	}
	return NULL;
}

static inline size_t diag_count_matching(const struct diag_list *d, const char *substr)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		n += d->v[i].level == DIAG_ERROR && strstr(d->v[i].msg, substr) != NULL;
	return n;
}

/* An error at FILE:LINE whose message contains SUBSTR; dumps all on failure. */
#define assert_diag(d, file, line, substr)                                                 \
	do {                                                                               \
		if (!diag_find((d), (file), (line), (substr))) {                           \
			diag_dump(d);                                                      \
			fail_msg("expected an error at %s:%d containing \"%s\"",          \
				 (const char *)(file), (int)(line), (substr));             \
		}                                                                          \
	} while (0)

/* One error at FILE:LINE whose message contains all the strings given. */
#define assert_diag_has(d, file, line, ...)                                                \
	do {                                                                               \
		const char *const subs_[] = { __VA_ARGS__, NULL };                         \
		if (!diag_find_all((d), (file), (line), subs_)) {                          \
			diag_dump(d);                                                      \
			fail_msg("expected an error at %s:%d containing \"%s\" ...",      \
				 (const char *)(file), (int)(line), subs_[0]);             \
		}                                                                          \
	} while (0)

#define assert_no_diag(d, substr)                                                          \
	do {                                                                               \
		if (diag_find((d), NULL, 0, (substr))) {                                   \
			diag_dump(d);                                                      \
			fail_msg("unexpected error containing \"%s\"", (substr));          \
		}                                                                          \
	} while (0)

#define assert_errors(d, n)                                                                \
	do {                                                                               \
		if ((d)->errors != (size_t)(n)) {                                          \
			diag_dump(d);                                                      \
			fail_msg("expected %zu error(s), got %zu", (size_t)(n), (d)->errors); \
		}                                                                          \
	} while (0)

/* Loaded without any error (warnings allowed). */
#define assert_loaded(l)                                                                   \
	do {                                                                               \
		if ((l)->r != 0 || !(l)->p || (l)->d.errors) {                             \
			diag_dump(&(l)->d);                                                \
			fail_msg("config refused (r=%d)", (l)->r);                         \
		}                                                                          \
	} while (0)

/* Refused with -EINVAL, no model handed out. */
#define assert_refused(l)                                                                  \
	do {                                                                               \
		if ((l)->r != -EINVAL || (l)->p) {                                         \
			diag_dump(&(l)->d);                                                \
			fail_msg("config not refused (r=%d)", (l)->r);                     \
		}                                                                          \
	} while (0)

/* ---- files and renderings --------------------------------------------- */

/* The whole file, NUL-terminated, or a test failure. */
static inline char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];
	FILE *out;

	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, out);
	fclose(f);
	fclose(out);
	return buf;
}

/* The source tree, from GW_SOURCE_DIR (CTest sets it). */
static inline const char *source_dir(void)
{
	const char *s = getenv("GW_SOURCE_DIR");

	if (!s || !*s)
		fail_msg("GW_SOURCE_DIR is not set; run the unit tests through ctest");
	return s;
}

static inline char *render_to_string(const struct ruleset *rs, unsigned flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(render_ruleset(f, rs, flags), 0);
	fclose(f);
	return buf;
}

/* noinline: gcc 12 -O2 takes the returned buffer for a dangling local (-Wdangling-pointer). */
static __attribute__((noinline, unused)) char *rule_to_string(const struct rule *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	render_rule(f, r);
	fclose(f);
	return buf;
}

/* ---- a small valid config ---------------------------------------------- */

/*
 * The main file and four zones (global, NAT DMZ with the proxy, server,
 * floor) that load without errors or warnings. Tests add to or replace
 * parts of it. Every object sits on its own line, so needles find lines.
 */
#define BASE_MAIN_NAME "gatewayd.conf"
#define BASE_MAIN_HEAD                                                                     \
	"# base config of the unit tests\n"                                                \
	"zone_dir = \"zones\";\n"                                                          \
	"log = { group = 1; deny_rate = 10; deny_burst = 20; };\n"                         \
	"nat = {\n"                                                                        \
	"\taddress = \"203.0.113.2\";\n"                                                   \
	"\tpublish = (\n"                                                                  \
	"\t\t{ host = \"www\"; address = \"203.0.113.10\"; services = [ \"https\" ]; }\n"  \
	"\t);\n"                                                                           \
	"};\n"                                                                             \
	"proxy = { host = \"proxy\"; service = \"http-proxy\"; };\n"

/* The entries of the services list; the last one has no trailing comma. */
#define BASE_SERVICES                                                                      \
	"\t{ name = \"http\"; ports = [ \"tcp/80\" ]; envs = [ \"internet\" ]; },\n"       \
	"\t{ name = \"https\"; ports = [ \"tcp/443\" ]; envs = [ \"internet\" ]; },\n"     \
	"\t{ name = \"http-proxy\"; ports = [ \"tcp/8080\" ]; envs = [ \"lan\", \"wan\", \"remote\" ]; },\n" \
	"\t{ name = \"intranet\"; ports = [ \"tcp/443\", \"tcp/80\" ]; envs = [ \"lan\", \"wan\", \"remote\" ]; },\n" \
	"\t{ name = \"dns\"; ports = [ \"udp/53\", \"tcp/53\" ]; envs = [ \"internet\", \"lan\" ]; infrastructure = true; },\n" \
	"\t{ name = \"smb\"; ports = [ \"tcp/445\" ]; envs = [ \"lan\", \"wan\", \"remote\" ]; },\n" \
	"\t{ name = \"ipp\"; ports = [ \"tcp/631\" ]; envs = [ \"lan\" ]; },\n"            \
	"\t{ name = \"ftp\"; ports = [ \"tcp/21\" ]; exception_only = true; }\n"

#define BASE_MAIN BASE_MAIN_HEAD "services = (\n" BASE_SERVICES ");\n"

#define BASE_N_SERVICES 8

#define BASE_INTERNET_NAME "zones/internet.conf"
#define BASE_INTERNET                                                                      \
	"zone = {\n"                                                                       \
	"\tname = \"internet\";\n"                                                         \
	"\tkind = \"global\";\n"                                                           \
	"\tinterfaces = [ \"ext0\" ];\n"                                                   \
	"\tnetworks = [ \"203.0.113.0/24\" ];\n"                                           \
	"\tpolicies = (\n"                                                                 \
	"\t\t{ to = \"dmz\"; services = [ \"https\" ]; to_hosts = [ \"www\" ]; }\n"        \
	"\t);\n"                                                                           \
	"};\n"

#define BASE_DMZ_NAME "zones/dmz.conf"
#define BASE_DMZ                                                                           \
	"zone = {\n"                                                                       \
	"\tname = \"dmz\";\n"                                                              \
	"\tkind = \"dmz\";\n"                                                              \
	"\tdmz = \"nat\";\n"                                                               \
	"\tinterfaces = [ \"dmz0\" ];\n"                                                   \
	"\tnetworks = [ \"172.20.0.0/24\" ];\n"                                            \
	"\thosts = (\n"                                                                    \
	"\t\t{ name = \"www\"; address = \"172.20.0.10\"; approval = \"SRV-1\"; },\n"      \
	"\t\t{ name = \"proxy\"; address = \"172.20.0.80\"; approval = \"SRV-2\"; }\n"     \
	"\t);\n"                                                                           \
	"\tpolicies = (\n"                                                                 \
	"\t\t{ to = \"internet\"; services = [ \"http\", \"https\" ]; from_hosts = [ \"proxy\" ]; }\n" \
	"\t);\n"                                                                           \
	"};\n"

#define BASE_SERVER_NAME "zones/server.conf"
#define BASE_SERVER                                                                        \
	"zone = {\n"                                                                       \
	"\tname = \"server\";\n"                                                           \
	"\tkind = \"server\";\n"                                                           \
	"\tinterfaces = [ \"srv0\" ];\n"                                                   \
	"\tnetworks = [ \"10.1.0.0/24\" ];\n"                                              \
	"\thosts = (\n"                                                                    \
	"\t\t{ name = \"app\"; address = \"10.1.0.10\"; approval = \"SRV-3\"; },\n"        \
	"\t\t{ name = \"dns-int\"; address = \"10.1.0.53\"; approval = \"SRV-4\"; }\n"     \
	"\t);\n"                                                                           \
	"};\n"

#define BASE_FLOOR_NAME "zones/floor1.conf"
#define BASE_FLOOR                                                                         \
	"zone = {\n"                                                                       \
	"\tname = \"floor1\";\n"                                                           \
	"\tkind = \"floor\";\n"                                                            \
	"\tinterfaces = [ \"flr1\" ];\n"                                                   \
	"\tnetworks = [ \"10.11.0.0/24\" ];\n"                                             \
	"\tpolicies = (\n"                                                                 \
	"\t\t{ to = \"internet\"; services = [ \"http\", \"https\" ]; via = \"proxy\"; },\n" \
	"\t\t{ to = \"server\"; services = [ \"intranet\" ]; to_hosts = [ \"app\" ]; },\n" \
	"\t\t{ to = \"server\"; services = [ \"dns\" ]; to_hosts = [ \"dns-int\" ]; }\n"   \
	"\t);\n"                                                                           \
	"};\n"

/* Hosts and policies of the base config, for limit tests. */
#define BASE_N_HOSTS 4
#define BASE_N_POLICIES 5
#define BASE_N_ZONES 4

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The review diff (CHG-2, CHG-10): a rendering, ours or "nft list table"
 * output, parsed line by line into keyed objects with normalised bodies;
 * two documents compared key by key.
 */
#include "rdiff.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ruleset.h"
#include "util.h"

enum pstate {
	P_TOP,   /* outside any table */
	P_TABLE, /* inside "table F N {" */
	P_SET,   /* inside "set N {" or "map N {" */
	P_CHAIN, /* inside "chain N {" */
	P_SKIP,  /* inside a block we do not compare (reported once) */
};

/* A growing list of strings owned by the arena. */
struct lines {
	char **v;
	size_t n, cap;
};

struct parser {
	struct rdiff_doc *doc;
	struct arena *a;
	struct diag_list *d;
	const char *name;
	int line;
	enum pstate state;
	bool seen_table;
	/* The open table. */
	char *table_key;
	int table_line;
	struct lines table_attrs;
	/* The open set, map or chain. */
	char *block_key;
	const char *block_kind; /* "set", "map", "chain" */
	char *block_name;
	int block_line;
	int skip_depth;
	struct lines attrs; /* set attributes, chain hook line */
	struct lines items; /* set element parts, chain rule ids */
	bool in_elems;      /* inside a set's "elements = { ... }" */
	int elems_line;
	/* Origin from the last "# FILE:LINE" line, for the next rule. */
	const char *origin;
	/*
	 * A deny's companions ("<id>#src4", "<id>#src6", "<id>#log") waiting
	 * for the deny (n_comp == 0: none); comp_base is the deny's id.
	 */
	struct rdiff_obj comp[3];
	char *comp_id[3];
	size_t n_comp;
	char *comp_base;
};

static int parse_error(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int parse_error(struct parser *p, int line, const char *fmt, ...)
{
	struct origin o = { .file = p->name, .line = line };
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		/* Still counted as an error; rdiff_parse() then returns -ENOMEM. */
		p->d->oom = true;
		return diag_error(p->d, &o, "out of memory");
	}
	diag_error(p->d, &o, "%s", msg);
	free(msg);
	return -EINVAL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static char *trim(char *s)
{
	size_t n;

	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n && is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* The first @c in @s outside double quotes, or NULL. */
static char *find_unquoted(char *s, char c)
{
	bool quoted = false;

	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == c && !quoted)
			return s;
	}
	return NULL;
}

/* Collapses whitespace outside quotes to one space; @s is trimmed already. */
static void squeeze(char *s)
{
	char *w = s, *start = s;
	bool quoted = false;

	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;
		if (!quoted && is_space(*s)) {
			if (w != start && w[-1] != ' ')
				*w++ = ' ';
			continue;
		}
		*w++ = *s;
	}
	*w = '\0';
}

/* Length of a run of digits at @s. */
static size_t digits(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/*
 * "counter packets N bytes M" -> "counter": nft list prints the values, the
 * rendering does not, and they are state, not configuration.
 */
static void drop_counter_values(char *s)
{
	static const char cp[] = "counter packets ", by[] = " bytes ";
	bool quoted = false;
	size_t i, j, n;

	for (i = 0; s[i]; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		if (quoted || (i && s[i - 1] != ' ') || strncmp(s + i, cp, sizeof(cp) - 1))
			continue;
		j = i + sizeof(cp) - 1;
		if (!(n = digits(s + j)))
			continue;
		j += n;
		if (strncmp(s + j, by, sizeof(by) - 1))
			continue;
		j += sizeof(by) - 1;
		if (!(n = digits(s + j)))
			continue;
		j += n;
		if (s[j] && s[j] != ' ')
			continue;
		memmove(s + i + 7, s + j, strlen(s + j) + 1);
	}
}

static void normalise(char *s)
{
	squeeze(s);
	drop_counter_values(s);
}

static int lines_add(struct parser *p, struct lines *l, char *s)
{
	char **slot = ARENA_PUSH(p->a, l->v, l->n, l->cap);

	if (!slot)
		return -ENOMEM;
	*slot = s;
	return 0;
}

static int lines_add_copy(struct parser *p, struct lines *l, const char *s)
{
	char *c = arena_strdup(p->a, s);

	return c ? lines_add(p, l, c) : -ENOMEM;
}

/* The lines of @x then of @y, joined by '\n'; NULL when out of memory. */
static char *lines_join(struct arena *a, const struct lines *x, const struct lines *y)
{
	const struct lines *part[2] = { x, y };
	size_t len = 0, i, k;
	char *out, *w;

	for (k = 0; k < 2; k++)
		for (i = 0; part[k] && i < part[k]->n; i++)
			len += strlen(part[k]->v[i]) + 1;
	out = w = arena_zalloc(a, len + 1);
	if (!out)
		return NULL;
	for (k = 0; k < 2; k++)
		for (i = 0; part[k] && i < part[k]->n; i++) {
			size_t n = strlen(part[k]->v[i]);

			if (w != out)
				*w++ = '\n';
			memcpy(w, part[k]->v[i], n);
			w += n;
		}
	*w = '\0';
	return out;
}

static int add_obj(struct parser *p, const char *key, const char *body, const char *origin,
		   int line)
{
	struct rdiff_obj *o;

	if (!key || !body)
		return -ENOMEM;
	o = ARENA_PUSH(p->a, p->doc->objs, p->doc->n_objs, p->doc->cap_objs);
	if (!o)
		return -ENOMEM;
	o->key = key;
	o->body = body;
	o->origin = origin;
	o->line = line;
	return 0;
}

/*
 * If @s is "KW NAME {", returns NAME (in @s, whitespace collapsed); else
 * NULL. NAME may be several words ("inet gatewayd" for a table).
 */
static char *block_name(char *s, const char *kw)
{
	size_t kl = strlen(kw), n = strlen(s);
	char *name;

	if (strncmp(s, kw, kl) || !is_space(s[kl]) || s[n - 1] != '{')
		return NULL;
	s[n - 1] = '\0';
	name = trim(s + kl);
	if (!*name) {
		s[n - 1] = '{'; /* trim() changed nothing else: all blanks */
		return NULL;
	}
	squeeze(name);
	return name;
}

/* True if @s opens a set, map or chain (used to find unclosed blocks). */
static bool is_block_start(const char *s)
{
	static const char *const kws[] = { "set", "map", "chain" };
	size_t i, n = strlen(s);

	for (i = 0; i < ARRAY_SIZE(kws); i++) {
		size_t kl = strlen(kws[i]);

		if (!strncmp(s, kws[i], kl) && is_space(s[kl]) && n > kl && s[n - 1] == '{')
			return true;
	}
	return false;
}

/* Pending companions not followed by their deny become rules of their own. */
static int flush_log(struct parser *p)
{
	size_t i;
	int r = 0;

	for (i = 0; i < p->n_comp && !r; i++) {
		r = add_obj(p, p->comp[i].key, p->comp[i].body, p->comp[i].origin, p->comp[i].line);
		if (r == 0)
			r = lines_add(p, &p->items, p->comp_id[i]);
	}
	p->n_comp = 0;
	return r;
}

static void block_reset(struct parser *p)
{
	p->state = P_TABLE;
	p->attrs.n = 0;
	p->items.n = 0;
	p->in_elems = false;
	p->origin = NULL;
	p->n_comp = 0;
}

static int open_block(struct parser *p, const char *kind, char *name, enum pstate st)
{
	p->block_kind = kind;
	p->block_name = arena_strdup(p->a, name);
	p->block_key = arena_printf(p->a, "%s %s", kind, name);
	if (!p->block_name || !p->block_key)
		return -ENOMEM;
	p->block_line = p->line;
	p->state = st;
	return 0;
}

static int elem_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Splits the joined element list on commas outside quotes, normalised and sorted. */
static int close_set(struct parser *p)
{
	struct lines elems = { 0 };
	char *all, *s, *comma;
	int r = 0;

	all = lines_join(p->a, &p->items, NULL);
	if (!all)
		return -ENOMEM;
	for (s = all; s; s = comma) {
		comma = find_unquoted(s, ',');
		if (comma)
			*comma++ = '\0';
		s = trim(s);
		normalise(s);
		if (*s && (r = lines_add(p, &elems, s)))
			return r;
	}
	if (elems.n > 1)
		qsort(elems.v, elems.n, sizeof(*elems.v), elem_cmp);
	r = add_obj(p, p->block_key, lines_join(p->a, &p->attrs, &elems), NULL, p->block_line);
	block_reset(p);
	return r;
}

static int close_chain(struct parser *p)
{
	int r = flush_log(p);

	if (r == 0)
		r = add_obj(p, p->block_key, lines_join(p->a, &p->attrs, &p->items), NULL,
			    p->block_line);
	block_reset(p);
	return r;
}

/*
 * Splits a normalised rule line at its trailing comment "<id>": *@ret_id
 * gets the id (in @s) and @s keeps the statements. False when there is no
 * such comment.
 */
static bool split_rule(char *s, char **ret_id)
{
	bool quoted = false;
	char *last = NULL, *id, *end;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		if (quoted || (i && s[i - 1] != ' ') || strncmp(s + i, "comment ", 8))
			continue;
		if (s[i + 8] == '"')
			last = s + i;
	}
	if (!last)
		return false;
	id = last + 9;
	end = strchr(id, '"');
	if (!end || end == id || *trim(end + 1))
		return false;
	*end = '\0';
	*last = '\0';
	*ret_id = id;
	return true;
}

/* C-10: the suffixes of a deny's companions, in the order they stand. */
static const char *const comp_suffixes[] = { RULE_SUFFIX_SRC4, RULE_SUFFIX_SRC6,
					       RULE_SUFFIX_LOG };

/* The length of the deny id @id is a companion of, or 0 when it is none. */
static size_t companion_base(const char *id)
{
	size_t n = strlen(id), i, l;

	for (i = 0; i < sizeof(comp_suffixes) / sizeof(comp_suffixes[0]); i++) {
		l = strlen(comp_suffixes[i]);
		if (n > l && !strcmp(id + n - l, comp_suffixes[i]))
			return n - l;
	}
	return 0;
}

static int rule_line(struct parser *p, char *s)
{
	const char *origin = p->origin;
	char *id, *body, *key;
	int line = p->line, r;
	size_t blen;

	p->origin = NULL;
	normalise(s);
	if (!split_rule(s, &id))
		return parse_error(p, p->line, "rule in chain '%s' has no comment \"<id>\"",
				   p->block_name);
	s = trim(s);
	blen = companion_base(id);
	if (blen) {
		/* C-10: a deny's companions come first; keep them for the deny. */
		if (p->n_comp && (p->n_comp == 3 || strlen(p->comp_base) != blen ||
				  strncmp(p->comp_base, id, blen)) &&
		    (r = flush_log(p)))
			return r;
		if (!p->n_comp && !(p->comp_base = arena_printf(p->a, "%.*s", (int)blen, id)))
			return -ENOMEM;
		p->comp[p->n_comp] = (struct rdiff_obj){ .key = arena_printf(p->a, "rule %s", id),
							 .body = arena_strdup(p->a, s),
							 .origin = origin,
							 .line = line };
		p->comp_id[p->n_comp] = arena_strdup(p->a, id);
		if (!p->comp[p->n_comp].key || !p->comp[p->n_comp].body || !p->comp_id[p->n_comp])
			return -ENOMEM;
		p->n_comp++;
		return 0;
	}
	if (p->n_comp && !strcmp(p->comp_base, id)) {
		size_t i;

		/* The origin line stands above the first companion (render.c). */
		body = arena_strdup(p->a, "");
		for (i = 0; body && i < p->n_comp; i++)
			body = arena_printf(p->a, "%s%s\n", body, p->comp[i].body);
		body = body ? arena_printf(p->a, "%s%s", body, s) : NULL;
		if (!body)
			return -ENOMEM;
		origin = origin ? origin : p->comp[0].origin;
		line = p->comp[0].line;
		p->n_comp = 0;
	} else {
		if ((r = flush_log(p)))
			return r;
		body = arena_strdup(p->a, s);
	}
	key = arena_printf(p->a, "rule %s", id);
	if ((r = add_obj(p, key, body, origin, line)))
		return r;
	return lines_add_copy(p, &p->items, id);
}

/* "# FILE:LINE" gives the origin of the next rule; other comments are ignored. */
static int comment_line(struct parser *p, char *s)
{
	char *colon;

	if (p->state != P_CHAIN)
		return 0;
	s = trim(s + 1);
	colon = strrchr(s, ':');
	if (!colon || colon == s || !colon[1] || colon[1 + digits(colon + 1)] != '\0' ||
	    strchr(s, ' '))
		return 0;
	p->origin = arena_strdup(p->a, s);
	return p->origin ? 0 : -ENOMEM;
}

/* Inside "elements = { ... }": collects text up to the closing brace. */
static int elems_line(struct parser *p, char *s)
{
	char *close = find_unquoted(s, '}');

	if (!close && is_block_start(s)) {
		parse_error(p, p->elems_line, "element list of %s '%s' has no closing '}'",
			    p->block_kind, p->block_name);
		block_reset(p);
		return 1; /* parse @s again as a table line */
	}
	if (close) {
		*close = '\0';
		p->in_elems = false;
		if (*trim(close + 1))
			parse_error(p, p->line, "unexpected text after the element list of %s '%s'",
				    p->block_kind, p->block_name);
	}
	return lines_add_copy(p, &p->items, s);
}

static int set_line(struct parser *p, char *s)
{
	char *t;

	if (!strcmp(s, "}"))
		return close_set(p);
	if (is_block_start(s)) {
		parse_error(p, p->block_line, "%s '%s' has no closing '}'", p->block_kind,
			    p->block_name);
		block_reset(p);
		return 1;
	}
	if (!strncmp(s, "elements", 8)) {
		t = trim(s + 8);
		if (*t == '=') {
			t = trim(t + 1);
			if (*t == '{') {
				p->in_elems = true;
				p->elems_line = p->line;
				return elems_line(p, t + 1);
			}
		}
	}
	normalise(s);
	return lines_add_copy(p, &p->attrs, s);
}

static bool is_chain_attr(const char *s)
{
	return !strncmp(s, "type ", 5) || !strncmp(s, "policy ", 7) || !strncmp(s, "comment ", 8) ||
	       !strncmp(s, "devices ", 8);
}

static int chain_line(struct parser *p, char *s)
{
	if (!strcmp(s, "}"))
		return close_chain(p);
	if (is_block_start(s)) {
		parse_error(p, p->block_line, "chain '%s' has no closing '}'", p->block_name);
		block_reset(p);
		return 1;
	}
	if (p->items.n == 0 && !p->n_comp && is_chain_attr(s)) {
		normalise(s);
		return lines_add_copy(p, &p->attrs, s);
	}
	return rule_line(p, s);
}

static int table_line(struct parser *p, char *s)
{
	char *name;
	int r;

	if (!strcmp(s, "}")) {
		p->state = P_TOP;
		return add_obj(p, p->table_key, lines_join(p->a, &p->table_attrs, NULL), NULL,
			       p->table_line);
	}
	if ((name = block_name(s, "set")))
		return open_block(p, "set", name, P_SET);
	if ((name = block_name(s, "map")))
		return open_block(p, "map", name, P_SET);
	if ((name = block_name(s, "chain")))
		return open_block(p, "chain", name, P_CHAIN);
	if (s[strlen(s) - 1] == '{') {
		/* Flowtables, named counters...: never in a rendering of ours. */
		r = parse_error(p, p->line, "unsupported block '%s'", s);
		p->state = P_SKIP;
		p->skip_depth = 1;
		return r;
	}
	if (strncmp(s, "flags ", 6) && strncmp(s, "comment ", 8))
		return parse_error(p, p->line, "unexpected line outside a set, map or chain");
	normalise(s);
	return lines_add_copy(p, &p->table_attrs, s);
}

static int top_line(struct parser *p, char *s)
{
	char *name = block_name(s, "table");

	if (!name)
		return parse_error(p, p->line, "expected 'table FAMILY NAME {'");
	p->table_key = arena_printf(p->a, "table %s", name);
	if (!p->table_key)
		return -ENOMEM;
	p->table_line = p->line;
	p->table_attrs.n = 0;
	p->seen_table = true;
	p->state = P_TABLE;
	return 0;
}

static int skip_line(struct parser *p, const char *s)
{
	bool quoted = false;

	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (!quoted && *s == '{')
			p->skip_depth++;
		else if (!quoted && *s == '}')
			p->skip_depth--;
	}
	if (p->skip_depth <= 0)
		p->state = P_TABLE;
	return 0;
}

/* One line; -ENOMEM stops the parse, -EINVAL (already queued) does not. */
static int parse_line(struct parser *p, char *s)
{
	char *hash;
	int r;

	s = trim(s);
	if (*s == '#' && !p->in_elems)
		return comment_line(p, s);
	/* nft -a appends "# handle N"; any trailing comment is dropped. */
	hash = find_unquoted(s, '#');
	if (hash) {
		*hash = '\0';
		s = trim(s);
	}
	if (!*s)
		return 0;
	do {
		if (p->in_elems)
			r = elems_line(p, s);
		else if (p->state == P_SET)
			r = set_line(p, s);
		else if (p->state == P_CHAIN)
			r = chain_line(p, s);
		else if (p->state == P_TABLE)
			r = table_line(p, s);
		else if (p->state == P_SKIP)
			r = skip_line(p, s);
		else
			r = top_line(p, s);
	} while (r == 1);
	return r;
}

static void parse_end(struct parser *p)
{
	if (p->in_elems)
		parse_error(p, p->elems_line, "element list of %s '%s' has no closing '}'",
			    p->block_kind, p->block_name);
	else if (p->state == P_SET || p->state == P_CHAIN)
		parse_error(p, p->block_line, "%s '%s' has no closing '}'", p->block_kind,
			    p->block_name);
	if (p->state != P_TOP)
		parse_error(p, p->table_line, "%s has no closing '}'", p->table_key);
	else if (!p->seen_table)
		parse_error(p, 0, "no 'table FAMILY NAME {' found");
}

static int obj_cmp(const void *pa, const void *pb)
{
	const struct rdiff_obj *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);

	if (c)
		return c;
	return (a->line > b->line) - (a->line < b->line);
}

static void check_unique(struct parser *p)
{
	const struct rdiff_doc *doc = p->doc;
	size_t i;

	for (i = 1; i < doc->n_objs; i++)
		if (!strcmp(doc->objs[i].key, doc->objs[i - 1].key))
			parse_error(p, doc->objs[i].line, "'%s' appears twice (first at line %d)",
				    doc->objs[i].key, doc->objs[i - 1].line);
}

static int parse_text(struct parser *p, char *text)
{
	char *s, *next;
	int r;

	for (s = text; s; s = next) {
		next = strchr(s, '\n');
		if (next)
			*next++ = '\0';
		p->line++;
		r = parse_line(p, s);
		if (r == -ENOMEM)
			return r;
	}
	parse_end(p);
	if (p->doc->n_objs > 1)
		qsort(p->doc->objs, p->doc->n_objs, sizeof(*p->doc->objs), obj_cmp);
	check_unique(p);
	return 0;
}

int rdiff_parse(const char *name, const char *buf, size_t len, struct rdiff_doc **ret_doc,
		struct diag_list *d)
{
	struct parser p = { .name = name, .d = d };
	size_t errors = d->errors;
	bool oom = d->oom;
	const char *nul;
	char *text;
	int r;

	if (len > RDIFF_INPUT_MAX)
		return parse_error(&p, 0, "larger than %zu MiB", RDIFF_INPUT_MAX >> 20);
	nul = memchr(buf, '\0', len);
	if (nul) {
		int line = 1;
		const char *c;

		for (c = buf; c < nul; c++)
			line += *c == '\n';
		return parse_error(&p, line, "contains a NUL byte: not a text rendering");
	}
	p.doc = calloc(1, sizeof(*p.doc));
	if (!p.doc)
		return -ENOMEM;
	p.a = p.doc->arena = arena_new();
	text = p.a ? arena_strndup(p.a, buf, len) : NULL;
	r = text ? parse_text(&p, text) : -ENOMEM;
	if (r == 0 && d->oom && !oom)
		r = -ENOMEM; /* a diagnostic may be missing: not a verdict on the text */
	if (r == 0 && d->errors != errors)
		r = -EINVAL;
	if (r == 0) {
		*ret_doc = p.doc;
		p.doc = NULL;
	}
	rdiff_doc_free(p.doc);
	return r;
}

void rdiff_doc_free(struct rdiff_doc *doc)
{
	if (!doc)
		return;
	arena_free(doc->arena);
	free(doc);
}

const char *rdiff_change_name(enum rdiff_change c)
{
	switch (c) {
	case RDIFF_ADDED:
		return "added";
	case RDIFF_REMOVED:
		return "removed";
	case RDIFF_CHANGED:
		return "changed";
	}
	return "?";
}

static void add_entry(struct rdiff *df, enum rdiff_change c, const struct rdiff_obj *o,
		      const struct rdiff_obj *n)
{
	struct rdiff_entry *e = &df->v[df->n++];

	e->change = c;
	e->key = n ? n->key : o->key;
	e->old_body = o ? o->body : NULL;
	e->new_body = n ? n->body : NULL;
	e->origin = n && n->origin ? n->origin : o ? o->origin : NULL;
	if (c == RDIFF_ADDED)
		df->added++;
	else if (c == RDIFF_REMOVED)
		df->removed++;
	else
		df->changed++;
}

int rdiff_compare(const struct rdiff_doc *old_doc, const struct rdiff_doc *new_doc,
		  struct rdiff **ret_diff)
{
	const struct rdiff_obj *o = old_doc->objs, *n = new_doc->objs;
	size_t i = 0, k = 0, no = old_doc->n_objs, nn = new_doc->n_objs;
	struct rdiff *df = calloc(1, sizeof(*df));

	if (!df)
		return -ENOMEM;
	if (no + nn && !(df->v = calloc(no + nn, sizeof(*df->v)))) {
		free(df);
		return -ENOMEM;
	}
	/* Both sides are sorted by unique key: one merge pass. */
	while (i < no || k < nn) {
		int c = i == no ? 1 : k == nn ? -1 : strcmp(o[i].key, n[k].key);

		if (c < 0) {
			add_entry(df, RDIFF_REMOVED, &o[i++], NULL);
		} else if (c > 0) {
			add_entry(df, RDIFF_ADDED, NULL, &n[k++]);
		} else {
			if (strcmp(o[i].body, n[k].body))
				add_entry(df, RDIFF_CHANGED, &o[i], &n[k]);
			i++;
			k++;
		}
	}
	*ret_diff = df;
	return 0;
}

void rdiff_free(struct rdiff *df)
{
	if (!df)
		return;
	free(df->v);
	free(df);
}

struct span {
	const char *s;
	size_t len;
};

/* The lines of @body (none when NULL or empty); malloc'd array in *@ret_v. */
static int split_lines(const char *body, struct span **ret_v, size_t *ret_n)
{
	struct span *v;
	size_t n = 1, i = 0;
	const char *s, *nl;

	*ret_v = NULL;
	*ret_n = 0;
	if (!body || !*body)
		return 0;
	for (s = body; (nl = strchr(s, '\n')); s = nl + 1)
		n++;
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (s = body; s; s = nl ? nl + 1 : NULL, i++) {
		nl = strchr(s, '\n');
		v[i].s = s;
		v[i].len = nl ? (size_t)(nl - s) : strlen(s);
	}
	*ret_v = v;
	*ret_n = n;
	return 0;
}

static bool span_eq(const struct span *a, const struct span *b)
{
	return a->len == b->len && !memcmp(a->s, b->s, a->len);
}

static void emit(struct rdiff_line *out, size_t *n, enum rdiff_line_op op, const struct span *s)
{
	out[*n].op = op;
	out[*n].text = s->s;
	out[*n].len = s->len;
	(*n)++;
}

/*
 * The middle of two bodies (common head and tail already taken): LCS table
 * from the end, then one forward walk preferring old lines before new ones.
 */
static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static int lcs_middle(const struct span *a, size_t na, const struct span *b, size_t nb,
		      struct rdiff_line *out, size_t *n)
{
	size_t i, j, w = nb + 1;
	uint32_t *t;

	if (na + 1 > RDIFF_LINES_MAX_CELLS / w) {
		for (i = 0; i < na; i++)
			emit(out, n, RDIFF_LINE_OLD, &a[i]);
		for (j = 0; j < nb; j++)
			emit(out, n, RDIFF_LINE_NEW, &b[j]);
		return 0;
	}
	t = calloc((na + 1) * w, sizeof(*t));
	if (!t)
		return -ENOMEM;
	/* t[i][j]: length of the LCS of a[i..] and b[j..]. */
	for (i = na; i-- > 0;)
		for (j = nb; j-- > 0;)
			t[i * w + j] = span_eq(&a[i], &b[j])
					       ? t[(i + 1) * w + j + 1] + 1
					       : max_u32(t[(i + 1) * w + j], t[i * w + j + 1]);
	for (i = 0, j = 0; i < na || j < nb;) {
		if (i < na && j < nb && span_eq(&a[i], &b[j])) {
			emit(out, n, RDIFF_LINE_SAME, &a[i]);
			i++, j++;
		} else if (i < na && (j == nb || t[(i + 1) * w + j] >= t[i * w + j + 1])) {
			emit(out, n, RDIFF_LINE_OLD, &a[i++]);
		} else {
			emit(out, n, RDIFF_LINE_NEW, &b[j++]);
		}
	}
	free(t);
	return 0;
}

int rdiff_lines(const char *old_body, const char *new_body, struct rdiff_line **ret_v,
		size_t *ret_n)
{
	struct span *a = NULL, *b = NULL;
	struct rdiff_line *out = NULL;
	size_t na, nb, head = 0, tail = 0, n = 0, i;
	int r;

	r = split_lines(old_body, &a, &na);
	if (r == 0)
		r = split_lines(new_body, &b, &nb);
	if (r < 0)
		goto out;
	if (na + nb && !(out = calloc(na + nb, sizeof(*out)))) {
		r = -ENOMEM;
		goto out;
	}
	while (head < na && head < nb && span_eq(&a[head], &b[head]))
		head++;
	while (tail < na - head && tail < nb - head &&
	       span_eq(&a[na - 1 - tail], &b[nb - 1 - tail]))
		tail++;
	for (i = 0; i < head; i++)
		emit(out, &n, RDIFF_LINE_SAME, &a[i]);
	r = lcs_middle(a + head, na - head - tail, b + head, nb - head - tail, out, &n);
	if (r < 0)
		goto out;
	for (i = na - tail; i < na; i++)
		emit(out, &n, RDIFF_LINE_SAME, &a[i]);
	*ret_v = out;
	*ret_n = n;
	out = NULL;
out:
	free(out);
	free(a);
	free(b);
	return r;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ruleset data: construction and canonical order. */
#include "ruleset.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct ruleset *ruleset_new(void)
{
	struct arena *a = arena_new();
	struct ruleset *rs;

	if (!a)
		return NULL;
	rs = arena_zalloc(a, sizeof(*rs));
	if (!rs) {
		arena_free(a);
		return NULL;
	}
	rs->arena = a;
	rs->table = RULESET_TABLE;
	return rs;
}

void ruleset_free(struct ruleset *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->n_chains; i++)
		free(rs->chains[i]->rules);
	for (i = 0; i < rs->n_sets; i++)
		free(rs->sets[i]->elems);
	arena_free(rs->arena);
}

static size_t name_hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* Both struct set and struct chain begin with their name. */
static const char *slot_name(void *obj)
{
	return *(const char **)obj;
}

static void *index_find(const struct name_index *ix, const char *name)
{
	size_t k;

	if (!ix->cap)
		return NULL;
	for (k = name_hash(name) & (ix->cap - 1); ix->slots[k]; k = (k + 1) & (ix->cap - 1))
		if (!strcmp(slot_name(ix->slots[k]), name))
			return ix->slots[k];
	return NULL;
}

static int index_add(struct arena *a, struct name_index *ix, void *obj)
{
	size_t k;

	if ((ix->n + 1) * 2 > ix->cap) {
		size_t ncap = ix->cap ? ix->cap * 2 : 64, i;
		void **n = arena_zalloc(a, ncap * sizeof(*n));

		if (!n)
			return -1;
		for (i = 0; i < ix->cap; i++) {
			if (!ix->slots[i])
				continue;
			for (k = name_hash(slot_name(ix->slots[i])) & (ncap - 1); n[k];
			     k = (k + 1) & (ncap - 1))
				;
			n[k] = ix->slots[i];
		}
		ix->slots = n;
		ix->cap = ncap;
	}
	for (k = name_hash(slot_name(obj)) & (ix->cap - 1); ix->slots[k]; k = (k + 1) & (ix->cap - 1))
		;
	ix->slots[k] = obj;
	ix->n++;
	return 0;
}

struct set *ruleset_add_set(struct ruleset *rs, const char *name)
{
	struct set **slot, *s = arena_zalloc(rs->arena, sizeof(*s));

	if (!s || !(s->name = arena_strdup(rs->arena, name)))
		return NULL;
	slot = ARENA_PUSH(rs->arena, rs->sets, rs->n_sets, rs->cap_sets);
	if (!slot || index_add(rs->arena, &rs->set_index, s))
		return NULL;
	*slot = s;
	return s;
}

struct chain *ruleset_add_chain(struct ruleset *rs, const char *name)
{
	struct chain **slot, *c = arena_zalloc(rs->arena, sizeof(*c));

	if (!c || !(c->name = arena_strdup(rs->arena, name)))
		return NULL;
	c->order = 100;
	slot = ARENA_PUSH(rs->arena, rs->chains, rs->n_chains, rs->cap_chains);
	if (!slot || index_add(rs->arena, &rs->chain_index, c))
		return NULL;
	*slot = c;
	return c;
}

struct set *ruleset_set(const struct ruleset *rs, const char *name)
{
	return index_find(&rs->set_index, name);
}

struct chain *ruleset_chain(const struct ruleset *rs, const char *name)
{
	return index_find(&rs->chain_index, name);
}

/*
 * Rules and elements, the ruleset's bulk, grow on the heap with realloc()
 * rather than in the arena: growing there would keep every outgrown copy
 * (twice the memory, and page faults that dominated compile time at 10k
 * rules). A pointer returned earlier is invalid after the next add.
 */
static void *grow(void *arr, size_t *n, size_t *cap, size_t elsz)
{
	char *a = arr;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;

		a = realloc(arr, ncap * elsz);
		if (!a)
			return NULL;
		*cap = ncap;
	}
	return a;
}

struct rule *chain_add_rule(struct ruleset *rs, struct chain *c)
{
	struct rule *n = grow(c->rules, &c->n_rules, &c->cap_rules, sizeof(*n));

	(void)rs;
	if (!n)
		return NULL;
	c->rules = n;
	memset(&n[c->n_rules], 0, sizeof(*n));
	return &n[c->n_rules++];
}

struct elem *set_add_elem(struct ruleset *rs, struct set *s)
{
	struct elem *n = grow(s->elems, &s->n_elems, &s->cap_elems, sizeof(*n));

	(void)rs;
	if (!n)
		return NULL;
	s->elems = n;
	memset(&n[s->n_elems], 0, sizeof(*n));
	return &n[s->n_elems++];
}

static int set_cmp(const void *pa, const void *pb)
{
	const struct set *a = *(const struct set *const *)pa, *b = *(const struct set *const *)pb;

	return strcmp(a->name, b->name);
}

static int chain_cmp(const void *pa, const void *pb)
{
	const struct chain *a = *(const struct chain *const *)pa;
	const struct chain *b = *(const struct chain *const *)pb;

	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* A deny's companions stand above it: "#src4", "#src6", then "#log" (C-10). */
static int companion_rank(enum rule_role role)
{
	return role == ROLE_SRCLIMIT ? 0 : role == ROLE_LOG ? 1 : 2;
}

/* Compares ids with a deny's companions sorted just before the deny rule. */
static int rule_cmp(const void *pa, const void *pb)
{
	const struct rule *a = pa, *b = pb;
	size_t la = strcspn(a->id, "#"), lb = strcspn(b->id, "#");
	int c;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	c = strncmp(a->id, b->id, la < lb ? la : lb);
	if (c)
		return c;
	if (la != lb)
		return la < lb ? -1 : 1;
	c = companion_rank(a->role) - companion_rank(b->role);
	return c ? c : strcmp(a->id, b->id);
}

static int value_cmp(const struct value *a, const struct value *b)
{
	int c = strcmp(a->str, b->str);

	if (c)
		return c;
	if ((c = memcmp(a->mac, b->mac, 6)))
		return c;
	if (a->addr.family != b->addr.family)
		return a->addr.family < b->addr.family ? -1 : 1;
	if ((c = memcmp(a->addr.lo, b->addr.lo, 16)))
		return c;
	if ((c = memcmp(a->addr.hi, b->addr.hi, 16)))
		return c;
	if (a->num != b->num)
		return a->num < b->num ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return a->hi < b->hi ? -1 : a->hi > b->hi;
}

static int elem_cmp(const void *pa, const void *pb)
{
	const struct elem *a = pa, *b = pb;
	size_t i;
	int c;

	for (i = 0; i < MATCH_MAX_SEL; i++)
		if ((c = value_cmp(&a->key[i], &b->key[i])))
			return c;
	return 0;
}

void ruleset_sort(struct ruleset *rs)
{
	size_t i;

	qsort(rs->sets, rs->n_sets, sizeof(*rs->sets), set_cmp);
	qsort(rs->chains, rs->n_chains, sizeof(*rs->chains), chain_cmp);
	for (i = 0; i < rs->n_sets; i++)
		if (rs->sets[i]->n_elems > 1)
			qsort(rs->sets[i]->elems, rs->sets[i]->n_elems, sizeof(struct elem),
			      elem_cmp);
	for (i = 0; i < rs->n_chains; i++)
		if (rs->chains[i]->hook == HOOK_NONE && rs->chains[i]->n_rules > 1)
			qsort(rs->chains[i]->rules, rs->chains[i]->n_rules, sizeof(struct rule),
			      rule_cmp);
}

size_t ruleset_count_deciding(const struct ruleset *rs)
{
	size_t i, k, n = 0;

	for (i = 0; i < rs->n_chains; i++)
		for (k = 0; k < rs->chains[i]->n_rules; k++)
			n += rs->chains[i]->rules[k].role == ROLE_DECIDE;
	return n;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Arena, arrays and string helpers for the pure core. */
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	max_align_t data[];
};

struct arena {
	struct arena_block *head;
};

struct arena *arena_new(void)
{
	return calloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	if (!a)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void *arena_zalloc(struct arena *a, size_t size)
{
	struct arena_block *b = a->head;
	size_t need = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	void *p;

	if (need == 0)
		need = sizeof(max_align_t);
	if (!b || b->size - b->used < need) {
		size_t bsz = need > 16384 ? need : 16384;

		b = malloc(sizeof(*b) + bsz);
		if (!b)
			return NULL;
		b->used = 0;
		b->size = bsz;
		b->next = a->head;
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += need;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_zalloc(a, n + 1);

	if (p)
		memcpy(p, s, n);
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = arena_zalloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void *arena_push(struct arena *a, void *v, size_t *n, size_t *cap, size_t elsz)
{
	void **pv = v;
	char *arr = *pv;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		char *narr = arena_zalloc(a, ncap * elsz);

		if (!narr)
			return NULL;
		if (*n)
			memcpy(narr, arr, *n * elsz);
		*pv = arr = narr;
		*cap = ncap;
	}
	memset(arr + *n * elsz, 0, elsz);
	return arr + (*n)++ * elsz;
}

unsigned str_distance(const char *a, const char *b)
{
	/* Optimal string alignment: a swap of two neighbours is one edit ("gruop"). */
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned d[65][65];

	if (la > 64 || lb > 64)
		return 64;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			unsigned best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

const char *str_closest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	unsigned bestd = 65, limit = (unsigned)strlen(word) / 3;
	size_t i;

	if (limit < 1)
		limit = 1;
	for (i = 0; i < n; i++) {
		unsigned d = str_distance(word, cands[i]);

		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	return bestd <= limit ? best : NULL;
}

bool str_is_name(const char *s, size_t max)
{
	size_t i;

	if (!s[0] || strlen(s) > max || s[0] < 'a' || s[0] > 'z')
		return false;
	for (i = 1; s[i]; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

char *path_dirname(struct arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return arena_strdup(a, ".");
	if (slash == path)
		return arena_strdup(a, "/");
	return arena_strndup(a, path, (size_t)(slash - path));
}

char *path_join_normal(struct arena *a, const char *dir, const char *rel)
{
	char *joined, *out, *tok, *save = NULL;
	const char *parts[256];
	size_t np = 0, i, len;
	bool abs;

	if (rel[0] == '/' || !dir[0] || !strcmp(dir, "."))
		joined = arena_strdup(a, rel);
	else
		joined = arena_printf(a, "%s/%s", dir, rel);
	if (!joined)
		return NULL;
	abs = joined[0] == '/';
	for (tok = strtok_r(joined, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..") && np > 0 && strcmp(parts[np - 1], "..")) {
			np--;
			continue;
		}
		if (!strcmp(tok, "..") && abs)
			continue;
		if (np == ARRAY_SIZE(parts))
			return NULL;
		parts[np++] = tok;
	}
	len = 2;
	for (i = 0; i < np; i++)
		len += strlen(parts[i]) + 1;
	out = arena_zalloc(a, len);
	if (!out)
		return NULL;
	if (abs)
		strcat(out, "/");
	for (i = 0; i < np; i++) {
		if (i)
			strcat(out, "/");
		strcat(out, parts[i]);
	}
	if (!out[0])
		strcpy(out, ".");
	return out;
}

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	if (sb->oom)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		sb->oom = true;
		return;
	}
	if (sb->len + (size_t)n + 1 > sb->cap) {
		size_t ncap = sb->cap ? sb->cap : 256;
		char *nb;

		while (ncap < sb->len + (size_t)n + 1)
			ncap *= 2;
		nb = realloc(sb->buf, ncap);
		if (!nb) {
			sb->oom = true;
			return;
		}
		sb->buf = nb;
		sb->cap = ncap;
	}
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sb_fini(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->oom = false;
}

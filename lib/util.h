/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small pure helpers shared by the core: an arena that owns everything a
 * model or ruleset allocates (so either goes in one call), growable arrays
 * in that arena, and string helpers (hints by edit distance, lexical paths).
 */
#ifndef GW_UTIL_H
#define GW_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct arena;

/* A new empty arena, or NULL when out of memory. */
struct arena *arena_new(void);
/* Frees the arena and every block allocated from it; NULL is a no-op. */
void arena_free(struct arena *a);
/* Zeroed memory owned by the arena, or NULL when out of memory. */
void *arena_zalloc(struct arena *a, size_t size);
/* Copies of strings owned by the arena; NULL when out of memory. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Appends one zeroed element of size @elsz to the array *@v of *@n elements
 * (capacity *@cap), growing it in the arena. Returns the new element or NULL
 * when out of memory (the array is unchanged then).
 */
void *arena_push(struct arena *a, void *v, size_t *n, size_t *cap, size_t elsz);
#define ARENA_PUSH(a, arr, n, cap) \
	((__typeof__(arr))arena_push((a), &(arr), &(n), &(cap), sizeof(*(arr))))

/* Levenshtein distance of two short strings, capped at 64. */
unsigned str_distance(const char *a, const char *b);
/*
 * The candidate closest to @word when it is a plausible typo (distance at
 * most a third of the word's length, at least 1), else NULL. Borrowed.
 */
const char *str_closest(const char *word, const char *const *cands, size_t n);

/* True if @s matches [a-z][a-z0-9-]* and is at most @max bytes long. */
bool str_is_name(const char *s, size_t max);

/*
 * Joins @dir and @rel and removes "." and "dir/.." components lexically
 * (no file system access). Returns a string owned by @a, or NULL (ENOMEM).
 */
char *path_join_normal(struct arena *a, const char *dir, const char *rel);
/* The directory part of @path ("." when none), owned by @a. */
char *path_dirname(struct arena *a, const char *path);

/*
 * A growing string in plain malloc'd memory, for renderers that build text
 * in memory. sb->oom is set once an allocation failed; text is then partial.
 */
struct strbuf {
	char *buf;
	size_t len, cap;
	bool oom;
};
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_fini(struct strbuf *sb);

#endif

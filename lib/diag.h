/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Diagnostics: the user's input is wrong. Every stage queues messages with
 * the config location they concern and goes on, so one run reports every
 * mistake; printed as "FILE:LINE: message" like nft and pfctl.
 */
#ifndef GW_DIAG_H
#define GW_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Where an object came from. @file is borrowed from the model (interned). */
struct origin {
	const char *file;
	int line; /* 1-based; 0 when unknown */
};

enum diag_level {
	DIAG_ERROR,
	DIAG_WARNING,
};

struct diag {
	enum diag_level level;
	char *file; /* owned; NULL when the message concerns no file */
	int line;
	size_t seq; /* insertion order, breaks ties when sorting */
	char *msg;  /* owned */
};

struct diag_list {
	struct diag *v;
	size_t n, cap;
	size_t errors, warnings;
	bool oom; /* a message could not be queued */
};

void diag_init(struct diag_list *d);
void diag_fini(struct diag_list *d);

/*
 * Queue an error at @o (NULL: no location). Returns -EINVAL so that callers
 * can "return diag_error(...)".
 */
int diag_error(struct diag_list *d, const struct origin *o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Queue a warning; returns 0. */
int diag_warning(struct diag_list *d, const struct origin *o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sort by file, then line, then insertion order: stable, reproducible output. */
void diag_sort(struct diag_list *d);
/* Print "FILE:LINE: [warning: ]message" lines to @f. */
void diag_print(FILE *f, const struct diag_list *d);

#endif

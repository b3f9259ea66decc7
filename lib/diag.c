/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Diagnostics queue with file:line locations. */
#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_init(struct diag_list *d)
{
	memset(d, 0, sizeof(*d));
}

void diag_fini(struct diag_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static void diag_vadd(struct diag_list *d, enum diag_level lvl, const struct origin *o,
		      const char *fmt, va_list ap)
{
	struct diag *x;
	char *msg = NULL;

	if (lvl == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;
		struct diag *nv = realloc(d->v, ncap * sizeof(*nv));

		if (!nv) {
			d->oom = true;
			return;
		}
		d->v = nv;
		d->cap = ncap;
	}
	if (vasprintf(&msg, fmt, ap) < 0) {
		d->oom = true;
		return;
	}
	x = &d->v[d->n];
	x->level = lvl;
	x->line = o ? o->line : 0;
	x->file = o && o->file ? strdup(o->file) : NULL;
	if (o && o->file && !x->file) {
		free(msg);
		d->oom = true;
		return;
	}
	x->msg = msg;
	x->seq = d->n++;
}

int diag_error(struct diag_list *d, const struct origin *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, DIAG_ERROR, o, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int diag_warning(struct diag_list *d, const struct origin *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, DIAG_WARNING, o, fmt, ap);
	va_end(ap);
	return 0;
}

static int diag_cmp(const void *pa, const void *pb)
{
	const struct diag *a = pa, *b = pb;
	int c;

	if (!a->file != !b->file)
		return a->file ? 1 : -1;
	if (a->file && (c = strcmp(a->file, b->file)))
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diag_sort(struct diag_list *d)
{
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), diag_cmp);
}

void diag_print(FILE *f, const struct diag_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diag *x = &d->v[i];
		const char *lvl = x->level == DIAG_WARNING ? "warning: " : "";

		if (x->file && x->line)
			fprintf(f, "%s:%d: %s%s\n", x->file, x->line, lvl, x->msg);
		else if (x->file)
			fprintf(f, "%s: %s%s\n", x->file, lvl, x->msg);
		else
			fprintf(f, "%s%s\n", lvl, x->msg);
	}
	if (d->oom)
		fprintf(f, "(further messages were lost: out of memory)\n");
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The review diff (CHG-2, CHG-10): two renderings compared by rule id, not by
 * line. A rendering is our canonical nft text (render.c) or what "nft list
 * table" prints for the running table; both parse into the same objects, so
 * "what is reviewed is what runs" (CHG-1) is a diff with no entries. Pure:
 * buffers in, structs out; no I/O, no printing.
 */
#ifndef GW_RDIFF_H
#define GW_RDIFF_H

#include <stddef.h>

#include "diag.h"

/* Largest text rdiff_parse() accepts; a real rendering is a few hundred KiB. */
#define RDIFF_INPUT_MAX ((size_t)64 << 20)

/*
 * One object of a rendering, compared by @key and @body.
 *
 * Keys: "rule <id>" (the id of the rule's comment), "set <name>",
 * "map <name>", "chain <name>" and "table <family> <name>".
 *
 * Bodies are normalised text, lines separated by '\n', no trailing newline:
 * - rule: the rule line without its trailing comment "<id>", whitespace
 *   collapsed, "counter packets N bytes M" written as "counter". A deny's
 *   companions directly above it ("<id>#src4", "<id>#src6", "<id>#log",
 *   C-10) are folded in: one line each, the companions first. A companion
 *   without its deny is a rule of its own ("rule <id>#log").
 * - set, map: the attribute lines (type, flags, comment, ...) in document
 *   order, then one line per element, sorted bytewise, so neither element
 *   order nor line wrapping matters.
 * - chain: the "type ... hook ... policy ...;" line if any, then one line per
 *   rule id in chain order, so a reordered chain is a changed chain.
 * - table: the table's own attribute lines (usually none: empty body).
 */
struct rdiff_obj {
	const char *key;
	const char *body;
	const char *origin; /* "FILE:LINE" from a "# FILE:LINE" line above, or NULL */
	int line;           /* line of the document where the object starts */
};

/* A parsed rendering. Immutable once returned; everything owned by @arena. */
struct rdiff_doc {
	struct arena *arena;
	struct rdiff_obj *objs; /* sorted by key, keys unique */
	size_t n_objs, cap_objs;
};

/*
 * Parses the rendering @buf of @len bytes (need not be NUL-terminated).
 * @name is the document's name in diagnostics ("NAME:LINE: message").
 *
 * Returns 0 and a new document in *@ret_doc (free with rdiff_doc_free()),
 * -EINVAL when the text is not a rendering (every problem queued on @d: a
 * rule line without comment id, an unterminated block, a duplicate key, text
 * outside a table, more than RDIFF_INPUT_MAX bytes), or -ENOMEM. *@ret_doc
 * is written only on success.
 */
int rdiff_parse(const char *name, const char *buf, size_t len, struct rdiff_doc **ret_doc,
		struct diag_list *d);
/* Frees @doc and everything in it; NULL is a no-op. */
void rdiff_doc_free(struct rdiff_doc *doc);

enum rdiff_change {
	RDIFF_ADDED,   /* only in the new document */
	RDIFF_REMOVED, /* only in the old document */
	RDIFF_CHANGED, /* in both, bodies differ */
};

/* One difference. Strings are borrowed from the two documents. */
struct rdiff_entry {
	enum rdiff_change change;
	const char *key;
	const char *old_body; /* NULL when RDIFF_ADDED */
	const char *new_body; /* NULL when RDIFF_REMOVED */
	const char *origin;   /* the new side's, else the old side's; NULL if neither */
};

struct rdiff {
	struct rdiff_entry *v; /* sorted by key */
	size_t n;
	size_t added, removed, changed;
};

/*
 * Compares two documents. Objects with equal keys and bodies are equal,
 * whatever their origins. Returns 0 and a new diff in *@ret_diff (no
 * entries when the documents are equal; free with rdiff_free()), or
 * -ENOMEM. The diff borrows from both documents: free it first.
 */
int rdiff_compare(const struct rdiff_doc *old_doc, const struct rdiff_doc *new_doc,
		  struct rdiff **ret_diff);
/* Frees @df (not the documents); NULL is a no-op. */
void rdiff_free(struct rdiff *df);
/* "added", "removed" or "changed". */
const char *rdiff_change_name(enum rdiff_change c);

enum rdiff_line_op {
	RDIFF_LINE_SAME, /* in both bodies */
	RDIFF_LINE_OLD,  /* only in the old body */
	RDIFF_LINE_NEW,  /* only in the new body */
};

/* One line of a body diff; @text is borrowed and not NUL-terminated. */
struct rdiff_line {
	enum rdiff_line_op op;
	const char *text;
	size_t len;
};

/*
 * Line diff of two bodies for display (a longest common subsequence; past
 * RDIFF_LINES_MAX_CELLS the middle part is shown as all old then all new).
 * Either body may be NULL (no lines). Returns 0 with a malloc'd array of
 * *@ret_n lines in *@ret_v (free() it; NULL when empty), or -ENOMEM.
 */
#define RDIFF_LINES_MAX_CELLS ((size_t)1 << 22)
int rdiff_lines(const char *old_body, const char *new_body, struct rdiff_line **ret_v,
		size_t *ret_n);

#endif

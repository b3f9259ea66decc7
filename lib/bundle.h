/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A config bundle: the main file and every zone file, as named texts. It is
 * what was loaded, what is digested (CHG-10), what the history keeps
 * (CHG-13) and what a rollback loads again (CHG-11). Serialised as text:
 *
 *   gatewayd-bundle 1\n
 *   file NAME\n LENGTH\n BYTES \n      (one per file, the main file first)
 */
#ifndef GW_BUNDLE_H
#define GW_BUNDLE_H

#include <stddef.h>

#include "conf.h"
#include "util.h"

struct conf_bundle {
	struct conf_source *srcs; /* srcs[0] is the main file; names and texts owned */
	size_t n;
};

#define BUNDLE_MAX_SIZE (64u << 20)

struct conf_bundle *bundle_new(void);
/* Frees the bundle with its names and texts; NULL is a no-op. */
void bundle_free(struct conf_bundle *b);
/* Appends a copy of @name and @text (@len bytes). 0 or -ENOMEM. */
int bundle_add(struct conf_bundle *b, const char *name, const char *text, size_t len);
/* Serialises @b into @sb (sb->oom on failure). */
void bundle_write(const struct conf_bundle *b, struct strbuf *sb);
/*
 * Parses a serialised bundle. Returns 0 (*@ret_b set), -EINVAL for input
 * that is not a well-formed bundle (limits included), -ENOMEM.
 */
int bundle_parse(const char *buf, size_t len, struct conf_bundle **ret_b);

#endif

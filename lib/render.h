/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The review rendering: canonical nft text of a ruleset. Byte-identical for
 * the same ruleset, independent of the order of config files and entries;
 * sorted; no timestamps; each rule's comment carries its id; accepted by
 * "nft -f". Writes to a caller's stream (STYLE §6).
 */
#ifndef GW_RENDER_H
#define GW_RENDER_H

#include <stdio.h>

#include "ruleset.h"

enum render_flags {
	RENDER_ORIGINS = 1, /* a "# file:line" line above each rule with an origin */
};

/* Writes the whole table. Returns 0 or -EIO when the stream failed. */
int render_ruleset(FILE *f, const struct ruleset *rs, unsigned flags);
/* Writes one rule without indentation or newline (used by listings). */
void render_rule(FILE *f, const struct rule *r);
/* nft's name of a selector ("ip saddr"), for listings. */
const char *render_sel_name(enum sel s);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: sealing and checking the firewall log's day files (LOG-27). The
 * seal line is lib/logseal.h's; this reads the files and digests them
 * (OpenSSL's SHA-256). Shared by gatewayd (seals as it writes, checks a day
 * file it reopens) and netctl (log verify).
 */
#ifndef GW_SEALFILE_H
#define GW_SEALFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "logseal.h"

/* The running digest of one day file, continued as records are appended. */
struct seal_state {
	void *ctx;             /* EVP_MD_CTX */
	uint64_t bytes, lines; /* digested so far */
	uint64_t sealed;       /* bytes covered by the last seal written or read */
};

/* What a check of one day file found. */
struct seal_check {
	size_t seals;          /* seal lines read */
	size_t good;           /* of them, holding */
	uint64_t bytes, lines; /* the day file's */
	uint64_t covered;      /* bytes covered by the last holding seal */
	char problem[256];     /* the first problem; "" when every seal holds */
};

/*
 * Digests the day file @path from its start and checks every seal of
 * "@path.seal" at its offset. A seal that does not hold, a malformed seal
 * line, seals out of order or a file shorter than a seal are reported in
 * @chk->problem (not an error). With @st (may be NULL), the digest is left
 * at the end of the file for sealfile_update(); free it with
 * sealfile_free(). Returns 0, or a negative errno when the day file cannot
 * be read (-ENOENT: it does not exist; @st then starts empty).
 */
int sealfile_scan(const char *path, struct seal_state *st, struct seal_check *chk);
/* @len bytes holding @lines lines were appended to the file. 0 or -ENOMEM. */
int sealfile_update(struct seal_state *st, const void *data, size_t len, uint64_t lines);
/*
 * Appends a seal of everything digested to "@path.seal" (mode 0640) when
 * there is something new since the last seal. Returns 1 and *@ret when it
 * sealed, 0 when there was nothing new, or a negative errno.
 */
int sealfile_seal(const char *path, struct seal_state *st, int64_t now_us, struct logseal *ret);
void sealfile_free(struct seal_state *st);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: the record of applied versions in the state directory (CHG-10,
 * CHG-11, CHG-13). Each version is a directory NNNNNN/ holding
 * config.bundle (every config file as applied), ruleset.nft (the rendering)
 * and meta.json (version, time, person, action, SHA-256 digests). Files are
 * written to a temporary name, synced and renamed: a crash leaves either the
 * whole version or none.
 */
#ifndef GW_HISTORY_H
#define GW_HISTORY_H

#include <stdint.h>

#include "bundle.h"

#define SHA256_HEX 65

struct version_meta {
	int64_t version;
	int64_t applied_at;
	char actor[128];      /* the person (ADM-2) or "gatewayd" */
	char action[64];      /* "start", "reload", "rollback to 3" */
	char config_sha256[SHA256_HEX];
	char ruleset_sha256[SHA256_HEX];
};

/* SHA-256 of @len bytes as 64 lower-case hex digits. 0 or -EIO (libcrypto). */
int history_sha256(const void *data, size_t len, char out[SHA256_HEX]);
/*
 * Records a new version: @meta->version is assigned (last + 1). Keeps at most
 * @keep versions, removing the oldest. Returns 0 or negative errno.
 */
int history_record(const char *state_dir, const struct conf_bundle *b, const char *rendering,
		   struct version_meta *meta, unsigned keep);
/* The recorded versions, oldest first (caller frees *ret). 0 or negative errno. */
int history_list(const char *state_dir, struct version_meta **ret, size_t *ret_n);
/* The bundle of version @version. 0, -ENOENT, -EINVAL (damaged) or negative errno. */
int history_bundle(const char *state_dir, int64_t version, struct conf_bundle **ret_b);

#endif

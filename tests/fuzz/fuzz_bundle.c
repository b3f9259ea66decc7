/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the config-bundle parser (lib/bundle.c), which reads
 * the history a rollback loads from disk: a damaged file must be refused,
 * and what parses must serialise back to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_bundle *b = NULL;
	struct strbuf sb = { 0 };

	if (bundle_parse((const char *)data, size, &b))
		return 0;
	bundle_write(b, &sb);
	/* Round trip: the serialisation is canonical. */
	if (!sb.oom && (sb.len != size || memcmp(sb.buf, data, size)))
		abort();
	sb_fini(&sb);
	bundle_free(b);
	return 0;
}

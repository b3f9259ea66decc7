/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the rendering parser behind 'netctl diff'
 * (lib/rdiff.c), which reads files an admin hands it: any text gives a
 * document or diagnostics, and a document compared with itself is equal.
 */
#include <stdint.h>
#include <stdlib.h>

#include "diag.h"
#include "rdiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rdiff_doc *doc = NULL;
	struct rdiff *df = NULL;
	struct diag_list d;

	diag_init(&d);
	if (rdiff_parse("fuzz.nft", (const char *)data, size, &doc, &d) == 0) {
		if (rdiff_compare(doc, doc, &df) == 0 && df->n != 0)
			abort();
		rdiff_free(df);
	}
	rdiff_doc_free(doc);
	diag_fini(&d);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Differential libFuzzer target for the firewall record reader
 * (lib/logrec.c): logrec_parse() reads the canonical form itself and
 * anything else through jansson; logrec_parse_json() reads everything
 * through jansson. For any bytes both must give the same answer and, on
 * success, the same record; a record read formats back to a line that
 * reads back to it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logrec a, b, c;
	char *line = NULL;
	int ea, eb;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ea = logrec_parse((const char *)data, size, &a);
	eb = logrec_parse_json((const char *)data, size, &b);
	if (ea == -ENOMEM || eb == -ENOMEM)
		return 0;
	if ((ea == 0) != (eb == 0) || (ea == 0 && memcmp(&a, &b, sizeof(a))))
		abort();
	if (ea)
		return 0;
	if (logrec_format(&a, &line))
		abort();
	memset(&c, 0, sizeof(c));
	if (logrec_parse(line, strlen(line), &c) || memcmp(&a, &c, sizeof(a)))
		abort();
	free(line);
	return 0;
}

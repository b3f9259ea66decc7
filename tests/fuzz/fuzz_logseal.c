/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the seal line of the firewall log's day files
 * (lib/logseal.c): a .seal file is read back by gatewayd and netctl, and
 * whoever alters a day file may alter its seals too. Any bytes give a seal
 * or a refusal; a seal read keeps the header's promises and formats back to
 * exactly the bytes it was read from.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logseal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[LOGSEAL_LINE_MAX];
	struct logseal s;

	if (logseal_parse((const char *)data, size, &s))
		return 0;
	if (s.lines < 1 || s.lines > s.bytes || strlen(s.sha256) != 64)
		abort();
	/* Strict: the one form it accepts is the one it writes. */
	if (logseal_format(&s, buf, sizeof(buf)) || strlen(buf) != size + 1 ||
	    memcmp(buf, data, size) || buf[size] != '\n')
		abort();
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the control protocol's request parser
 * (lib/ctlproto.c): any bytes a local client sends must give a parsed
 * request or a reason, never a crash, a leak or undefined behaviour.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request req;
	const char *err = NULL;
	int r = ctl_parse_request((const char *)data, size, &req, &err);

	/* A refusal always has a reason; a request always a known verb. */
	if (r == 0 && (req.verb >= CTL__COUNT || req.to < 0))
		abort();
	if (r != 0 && !err && r != -12 /* -ENOMEM */)
		abort();
	if (r == 0 && req.verb == CTL_DEVICE && !json_is_object(req.args))
		abort();
	if (r == 0)
		ctl_request_fini(&req);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: reads the main config file and the zone files from disk and hands
 * them, as named buffers, to the core's loader (lib/conf.h).
 */
#ifndef GW_CONFREAD_H
#define GW_CONFREAD_H

#include <stdint.h>

#include "diag.h"
#include "model.h"

/*
 * Loads and validates @path and every "*.conf" in its zone directory, at
 * time @now. File errors (missing, unreadable, too large) are diagnostics
 * too. Returns 0 (*@ret_p set), -EINVAL or -ENOMEM.
 */
int confread_load(const char *path, int64_t now, struct policy **ret_p, struct diag_list *d);

#endif

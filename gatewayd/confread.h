/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: reads the main config file and the zone files from disk and hands
 * them, as named buffers, to the core's loader (lib/conf.h).
 */
#ifndef GW_CONFREAD_H
#define GW_CONFREAD_H

#include <stdint.h>

#include "bundle.h"
#include "diag.h"
#include "model.h"

enum confread_flags {
	/*
	 * Name files relative to the main file's directory ("gatewayd.conf",
	 * "zones/floor1.conf"), not as reached from the working directory, so a
	 * rendering's origins do not depend on how -c was spelled (CHG-1).
	 */
	CONFREAD_RELATIVE_NAMES = 1,
	/* Load with CONF_DROP_LAPSED, as the running daemon does (lib/conf.h). */
	CONFREAD_DROP_LAPSED = 2,
};

/*
 * Reads @path and every "*.conf" in its zone directory into a bundle, the
 * main file first, zone files in name order. File errors (missing,
 * unreadable, too large) are diagnostics. Returns 0 (*@ret_b set, caller
 * frees), -EINVAL or -ENOMEM.
 */
int confread_bundle(const char *path, unsigned flags, struct conf_bundle **ret_b,
		    struct diag_list *d);

/*
 * Loads and validates @path and every "*.conf" in its zone directory, at
 * time @now. File errors (missing, unreadable, too large) are diagnostics
 * too. Returns 0 (*@ret_p set), -EINVAL or -ENOMEM.
 */
int confread_load(const char *path, int64_t now, unsigned flags, struct policy **ret_p,
		  struct diag_list *d);

#endif

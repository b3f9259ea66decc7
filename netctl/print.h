/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's only printer: one function per object, table and --json alike. */
#ifndef NETCTL_PRINT_H
#define NETCTL_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "ruleset.h"

/* The settings list (CHG-2). Returns 0 or -EIO/-ENOMEM. */
int print_rules(FILE *f, const struct ruleset *rs, bool json);

struct json_t;
/*
 * Responses of the running gatewayd (a "result" object); 0, or -EIO.
 * print_status() returns 1 when the kernel's table drifted or could not be
 * read back (netctl status then exits 1, for monitoring: OPS-1).
 */
int print_status(FILE *f, struct json_t *result, bool json);
int print_history(FILE *f, struct json_t *result, bool json);
int print_applied(FILE *f, struct json_t *result, bool json);
/* netctl log host (LOG-26, INC-6) and netctl log report (LOG-13); 0 or -EIO. */
int print_log_host(FILE *f, struct json_t *trace, bool json);
int print_log_report(FILE *f, struct json_t *report, bool json);

#endif

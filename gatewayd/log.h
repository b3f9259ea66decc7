/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's one logging module: syslog, and stderr in the foreground. */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdbool.h>

#include "diag.h"

void log_open(bool foreground);
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs every diagnostic of @d, errors as errors, prefixed by @what. */
void log_diags(const char *what, const struct diag_list *d);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging to syslog (LOG_DAEMON) and, in the foreground, to stderr. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

static bool to_stderr;

void log_open(bool foreground)
{
	/* Under systemd stderr is the journal already, which has syslog too. */
	to_stderr = foreground && !getenv("JOURNAL_STREAM");
	openlog("gatewayd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void vlog(int prio, const char *fmt, va_list ap)
{
	va_list ap2;

	va_copy(ap2, ap);
	vsyslog(prio, fmt, ap);
	if (to_stderr) {
		fputs("gatewayd: ", stderr);
		vfprintf(stderr, fmt, ap2);
		fputc('\n', stderr);
	}
	va_end(ap2);
}

#define DEFINE_LOG(fn, prio)                  \
	void fn(const char *fmt, ...)         \
	{                                     \
		va_list ap;                   \
		va_start(ap, fmt);            \
		vlog(prio, fmt, ap);          \
		va_end(ap);                   \
	}

DEFINE_LOG(log_error, LOG_ERR)
DEFINE_LOG(log_warning, LOG_WARNING)
DEFINE_LOG(log_info, LOG_INFO)
DEFINE_LOG(log_debug, LOG_DEBUG)

void log_diags(const char *what, const struct diag_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diag *x = &d->v[i];
		void (*fn)(const char *, ...) = x->level == DIAG_ERROR ? log_error : log_warning;

		if (x->file && x->line)
			fn("%s: %s:%d: %s", what, x->file, x->line, x->msg);
		else if (x->file)
			fn("%s: %s: %s", what, x->file, x->msg);
		else
			fn("%s: %s", what, x->msg);
	}
}

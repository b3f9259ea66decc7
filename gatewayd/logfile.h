/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: the firewall log as JSON lines, one file per UTC day
 * (DIR/fw-YYYY-MM-DD.jsonl), appended to, mode 0640 (LOG-10, LOG-27), and
 * removed once older than the retention period (C-8: 365 days by default).
 * Each day file is sealed (DIR/KIND-YYYY-MM-DD.jsonl.seal, gatewayd/sealfile.h).
 */
#ifndef GW_LOGFILE_H
#define GW_LOGFILE_H

#include <stdint.h>

struct logfile;

/* Creates @dir if needed (mode 0750). 0 and *@ret, or negative errno. */
int logfile_open(const char *dir, struct logfile **ret);
/* The same for DIR/KIND-YYYY-MM-DD.jsonl (KIND "summary": C-10's records). */
int logfile_open_kind(const char *dir, const char *kind, struct logfile **ret);
/* Appends @line and a newline to the file of @t_us's UTC day. 0 or negative errno. */
int logfile_write(struct logfile *lf, const char *line, int64_t t_us);
/*
 * Removes the day files (fw-*, summary-*, incident-*, and their .seal) of
 * @dir whose day ended more than @retention seconds before @now. Returns the
 * number removed or a negative errno.
 */
int logfile_expire(const char *dir, int64_t now, int64_t retention);
/*
 * LOG-27: appends a seal of the open day file (lib/logseal.h) when records
 * were written since the last one, and logs it. Also done when the day
 * changes and at close.
 */
void logfile_seal(struct logfile *lf, int64_t now_us);
/*
 * What the seals of the open day file showed when gatewayd opened it (they
 * did not hold: records were altered or removed), or NULL.
 */
const char *logfile_problem(const struct logfile *lf);
/* Seals and closes. */
void logfile_close(struct logfile *lf);

#endif

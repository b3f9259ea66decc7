/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Firewall log records as RFC 5424 syslog messages in RFC 6587 §3.4.1
 * octet-counted frames, for forwarding to the log server (LOG-9). Pure: the
 * host name and process id come in; nothing here reads a clock or a socket.
 *
 * One record line (lib/logrec.h) becomes one frame:
 *
 *   LEN SP <PRI>1 TIMESTAMP HOSTNAME gatewayd PROCID MSGID - MSG
 *
 *   MSGID      "fw" for the firewall records; the other day files' kind
 *              ("incident", "summary") for theirs.
 *
 *   PRI        facility * 8 + severity. Severity 6 (informational) for a
 *              permitted connection, 5 (notice) for a denied one: denials are
 *              routine at a boundary (scans) yet worth a look; warning and
 *              above stay free for gatewayd's own trouble. A line that is not
 *              a record gets 5.
 *   TIMESTAMP  the record's "@timestamp" as it is (RFC 3339 UTC with
 *              microseconds, which RFC 5424 §6.2.3 allows), "-" when the line
 *              has none.
 *   HOSTNAME   PRINTUSASCII, 1..255 (§6.2.4); syslog5424_hostname() makes one.
 *   STRUCTURED-DATA  "-": every field is in the JSON MSG.
 *   MSG        the record line, byte for byte, so the server stores what the
 *              day file holds. An ASCII line is MSG-ANY; a line with any byte
 *              >= 0x80 is UTF-8 (JSON, RFC 8259) and gets the BOM that §6.4
 *              requires of MSG-UTF8.
 *
 * No trailing LF: the octet count delimits the frame (RFC 6587 §3.4.1).
 */
#ifndef GW_SYSLOG5424_H
#define GW_SYSLOG5424_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define SYSLOG5424_HOSTNAME_MAX 255
#define SYSLOG5424_FACILITY_DEFAULT 16 /* local0 */

struct syslog5424_header {
	unsigned facility;    /* 0..23 */
	const char *hostname; /* from syslog5424_hostname() */
	unsigned long procid;
	const char *msgid;    /* NULL: "fw"; else 1..32 of [!-~] (RFC 5424 §6.2.7) */
	bool fixed;           /* severity is @severity, not the record's verdict */
	unsigned severity;    /* 0..7 */
};

/*
 * The facility of @name ("kern", "user", ..., "local7", RFC 5424 table 1),
 * or -1 when it is not one.
 */
int syslog5424_facility(const char *name);
/*
 * Writes into @buf (@size >= SYSLOG5424_HOSTNAME_MAX + 1) a valid HOSTNAME
 * for @name: bytes outside PRINTUSASCII (33..126) become '_', longer names
 * are cut at 255, an empty or NULL name is the NILVALUE "-". Returns @buf.
 */
char *syslog5424_hostname(const char *name, char *buf, size_t size);
/* Whether @name is a HOSTNAME as it is: 1..255 bytes of PRINTUSASCII. */
bool syslog5424_hostname_ok(const char *name);
/*
 * Appends the octet-counted frame of the record line @line (@len bytes, no
 * newline) to @sb. Returns 0, or -ENOMEM (sb->oom set).
 */
int syslog5424_frame(const struct syslog5424_header *h, const char *line, size_t len,
		     struct strbuf *sb);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: forwards the firewall log to the log server (LOG-9) as RFC 5424
 * messages in octet-counted frames (lib/syslog5424.h) over TCP, optionally
 * TLS (OpenSSL), without losing records across server outages and restarts.
 *
 * The day files (gatewayd/logfile.h) are the spool: the forwarder reads
 * records from them after a cursor (day, byte offset) kept in
 * STATE/forward.cursor (written to a temporary file, fsync'd, renamed), so a
 * record written while the server is down or gatewayd is stopped is sent
 * later, and the log retention (LOG-10) bounds the spool. The cursor moves
 * only over records whose bytes the server's TCP has acknowledged (bytes
 * written minus the socket's unacknowledged queue, SIOCOUTQ); after a broken
 * connection, sending resumes at the first unacknowledged record. Delivery is
 * at least once: a record may arrive twice, none is lost between gatewayd and
 * the server's kernel. (Without an application-level acknowledgement, as in
 * RELP, a server that dies after its TCP acknowledged can still lose what it
 * had not written.)
 *
 * Driven by gatewayd's poll loop; nothing here blocks (names are resolved
 * with getaddrinfo_a, connects and TLS handshakes are non-blocking) except
 * the cursor's fsync, once a second at most.
 */
#ifndef GW_FORWARD_H
#define GW_FORWARD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct forward;

/*
 * Starts forwarding the day files of kind @kind ("fw": the records,
 * "incident", "summary"; lib/logfile.h) of @log_dir as @cfg says, each kind
 * on its own connection with its own cursor in @state_dir
 * (forward.cursor for "fw", forward-KIND.cursor for the others). Connects later, in forward_run(). 0 and *@ret, or negative
 * errno.
 */
int forward_open(const struct log_forward *cfg, const char *kind, const char *log_dir,
		 const char *state_dir, struct forward **ret);
/* Whether @fw forwards as @cfg says (a reload with other settings re-opens). */
bool forward_same(const struct forward *fw, const struct log_forward *cfg, const char *log_dir);
/* The descriptor to poll and its events (*@ret_events); -1 when none. */
int forward_fd(const struct forward *fw, short *ret_events);
/* Milliseconds until forward_run() has something to do by itself; -1: never. */
int forward_timeout(const struct forward *fw);
/* Records were appended to the day files: read and send them. */
void forward_kick(struct forward *fw);
/* Does what is due: connect, send, check acknowledgements, save the cursor. */
void forward_run(struct forward *fw, short revents);
/*
 * LOG-24, OPS-1: {"server", "tls", "state", "connected", "ok", "cursor",
 * "backlog_bytes", "unacked_records", "acked_records", "last_acked_at",
 * "failures", "last_error"}.
 */
json_t *forward_status(const struct forward *fw);
/* Saves the cursor and closes the connection. forward_close(NULL) is a no-op. */
void forward_close(struct forward *fw);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: the control socket (ADM-9). A unix SOCK_SEQPACKET socket, mode 0660,
 * group from the config; one request message and one response message per
 * connection. The peer is identified by its credentials (SO_PEERCRED).
 */
#ifndef GW_CTL_H
#define GW_CTL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Creates, binds and listens; the socket gets our group, or @group (NULL:
 * ours). Returns the listening fd or negative errno.
 */
int ctl_open(const char *path, const char *group);
/*
 * Accepts one connection and reads its request into @buf (@cap bytes).
 * Returns 0 with *@ret_conn, *@ret_uid and *@ret_len set; -EMSGSIZE when the
 * request is larger than @cap (the connection is still returned, to answer);
 * -EAGAIN when no client was waiting; other negative errno. Waits at most a
 * second for a connected client to send.
 */
int ctl_accept(int lfd, int *ret_conn, uid_t *ret_uid, char *buf, size_t cap, size_t *ret_len);
/* Sends @json as one message and closes @conn. */
void ctl_reply(int conn, const char *json);
void ctl_close(int lfd, const char *path);

#endif

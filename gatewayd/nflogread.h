/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: reads the deciding rules' NFLOG records through libpcap's
 * "nflog:N" device (ARCHITECTURE: a large receive buffer, never a small
 * snaplen: the kernel batches messages and a short capture loses them).
 * Each record goes, as raw bytes, to a callback; decoding is lib/nflog.c.
 */
#ifndef GW_NFLOGREAD_H
#define GW_NFLOGREAD_H

#include <stddef.h>
#include <stdint.h>

struct nflogread;

/* Called for each record with its bytes and the receive time (UTC µs). */
typedef void (*nflogread_fn)(const uint8_t *data, size_t len, int64_t recv_us, void *user);

/*
 * Opens NFLOG group @group with a kernel receive buffer of @bufsize bytes.
 * Returns 0 and *@ret, or a negative errno (pcap's reason in @err, which
 * holds at least 256 bytes).
 */
int nflogread_open(unsigned group, size_t bufsize, struct nflogread **ret, char *err);
/* The descriptor to poll for input. */
int nflogread_fd(const struct nflogread *r);
/*
 * Hands every record waiting (at most @max) to @fn; does not block. Returns
 * the number handled or a negative errno.
 */
int nflogread_dispatch(struct nflogread *r, int max, nflogread_fn fn, void *user);
/* Records the kernel dropped because our buffer was full (LOG-24). */
uint64_t nflogread_drops(struct nflogread *r);
void nflogread_close(struct nflogread *r);

#endif

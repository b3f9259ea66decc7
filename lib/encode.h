/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The netlink rendering of a ruleset: one nfnetlink batch (libnftnl objects
 * serialised into a buffer) that replaces table inet gatewayd atomically,
 * set contents included. Pure buffer work: sending it is gatewayd/apply.c.
 */
#ifndef GW_ENCODE_H
#define GW_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "ruleset.h"

struct nl_batch;

/*
 * Encodes @rs as: begin, add table, delete table, add table, chains, sets,
 * set elements, rules, end. Messages are numbered from @seq; only the last
 * one before the end asks for an ack (NLM_F_ACK): the kernel answers every
 * failing message anyway, and that ack, after them, says the batch is
 * done (nl_batch_seq_last() - 1). Returns 0 and
 * *@ret_b (caller frees), -ENOMEM, or -EOPNOTSUPP for a construct the
 * encoder does not handle (a programming error in the compiler).
 */
int encode_ruleset(const struct ruleset *rs, uint32_t seq, struct nl_batch **ret_b);
void nl_batch_free(struct nl_batch *b);
const void *nl_batch_data(const struct nl_batch *b);
size_t nl_batch_len(const struct nl_batch *b);
/* Sequence numbers used: [first, last]. */
uint32_t nl_batch_seq_first(const struct nl_batch *b);
uint32_t nl_batch_seq_last(const struct nl_batch *b);
/*
 * What the message with sequence number @seq creates, e.g. "rule
 * 'floor1>server:smb@fs'", and its config origin (may be NULL): used to
 * report a kernel rejection against the config (STYLE §5). NULL if unknown.
 */
const char *nl_batch_describe(const struct nl_batch *b, uint32_t seq,
			      const struct origin **ret_origin);

/*
 * The key of element @el of set @s as the kernel stores it: each part in
 * network byte order, and in a concatenation ("ether_addr . ipv4_addr")
 * each part padded to 4 bytes, as nft does. Writes ENCODE_KEY_MAX bytes
 * (zeroed past the key) to @key; returns the key's length, or -EOPNOTSUPP
 * for an interval set, whose elements are ranges (two keys each).
 */
#define ENCODE_KEY_MAX 64 /* MATCH_MAX_SEL parts of at most 16 bytes */
int encode_elem_key(const struct set *s, const struct elem *el, uint8_t key[ENCODE_KEY_MAX]);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: reads and resets the per-source log limit's sets (C-10,
 * lib/compile.h SET_DENY_SRC4/6). Each element is "source . deny mark" with
 * a counter of the denials the limit dropped unlogged; the dump resets
 * those counters in the same kernel operation (NFT_MSG_GETSETELEM_RESET,
 * Linux 6.5 and later), so each reading is exactly what was dropped since
 * the previous one, with no window in between. Elements whose counter is 0
 * are not reported.
 */
#ifndef GW_SRCREAD_H
#define GW_SRCREAD_H

#include <stdint.h>

/* One element: @addr is network order, 4 or 16 bytes by @family. */
typedef void (*srcread_fn)(void *data, int family, const uint8_t *addr, uint32_t mark,
			   uint64_t packets);

/*
 * Dumps and resets set @set of table inet @table (@family AF_INET: key
 * ipv4_addr . mark; AF_INET6: ipv6_addr . mark), calling @fn for each
 * element with a non-zero counter. Returns 0, -ENOENT (no such set), or
 * another negative errno (-EINVAL or -EOPNOTSUPP: a kernel before 6.5,
 * which cannot reset elements).
 */
int srcread_reset(const char *table, const char *set, int family, srcread_fn fn, void *data);

#endif

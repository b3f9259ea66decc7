/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: ends one host's tracked connections at once (LANREQ-42, INC-1).
 * Removing a device's admission element stops its new connections; its
 * established ones are accepted by "ct state established" until their
 * conntrack entries go, which this does, in-process over ctnetlink.
 *
 * ORDER: remove the admission element (or add the quarantine element)
 * FIRST, then call ctkill_host(). The other way round, the next packet of
 * a still-admitted TCP connection re-creates its entry (loose pickup,
 * net.netfilter.nf_conntrack_tcp_loose = 1, the default) and the
 * connection lives on as if nothing had happened.
 */
#ifndef GW_CTKILL_H
#define GW_CTKILL_H

#include <stddef.h>

/*
 * Deletes every conntrack entry of the caller's network namespace whose
 * original source, original destination, reply source or reply
 * destination is @addr: @family AF_INET (@addr: 4 bytes) or AF_INET6 (16
 * bytes), network byte order. NAT'd entries are found by either side.
 *
 * Returns 0 and *@ret_deleted, the entries this call deleted (one that
 * expired or was deleted meanwhile is not counted, and is no error); or a
 * negative errno with one line in @err (may be NULL): -EAFNOSUPPORT for
 * another family, -EPERM without CAP_NET_ADMIN, other socket errors.
 * Blocking: four dumps that the kernel filters by address (Linux 5.8 and
 * later; an older kernel sends the whole table once and it is filtered
 * here, about 1 us per tracked entry), then one delete per match. Each
 * dump walks the whole hash table, which all namespaces share: measured
 * on a 2-core VM, about 10 ms in all for an empty table, 12 ms at 10k and
 * 30-40 ms at 50k entries.
 */
int ctkill_host(int family, const void *addr, unsigned *ret_deleted, char *err, size_t errlen);

#endif

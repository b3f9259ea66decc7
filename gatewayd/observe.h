/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: the passive ARP/DHCP observer of the LAN zones (LANREQ-23,
 * LANREQ-46, LANREQ-47). One libpcap live capture per interface, filtered
 * in the kernel to ARP and DHCP; each frame is decoded by lib/frame.c and
 * handed over as a sighting. What a sighting means (unregistered, moved,
 * mismatched, an unknown DHCP server) is for the caller to decide.
 *
 * What a passive observer sees on a switched LAN: broadcasts (ARP requests,
 * probes and announcements, DHCP DISCOVER and REQUEST, and OFFER and ACK
 * when the client asked for broadcast replies or has no address yet, as
 * most clients do) and what is sent to or by the gateway itself: the ARP
 * replies to it, its own ARP, and the OFFER and ACK its DHCP relay sends to
 * clients (the gateway's own frames are sightings too; their source is the
 * interface's MAC). A DHCP server's unicast replies and a client's unicast
 * renewals to a server other than the gateway never reach it.
 */
#ifndef GW_OBSERVE_H
#define GW_OBSERVE_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

/* Interfaces one observer watches at most. */
#define OBSERVE_IFACES_MAX 64

struct observer;

/*
 * Called for each decoded frame: the sighting, the interface it was seen
 * on (as given to observer_open()) and the capture time (UTC µs). Both
 * pointers are valid only during the call.
 */
typedef void (*observer_fn)(const struct sighting *s, const char *ifname, int64_t ts_us,
			    void *user);

/* Frames counted since observer_open(), over all interfaces. */
struct observer_stats {
	uint64_t decoded;       /* handed to the callback */
	uint64_t not_ours;      /* passed the filter but neither ARP nor DHCP (-ENOENT) */
	uint64_t malformed;     /* truncated or malformed (-EINVAL): worth a look */
	uint64_t dropped;       /* dropped by the kernel, our buffer being full */
};

/*
 * Opens a non-blocking capture on each of the @n interfaces @ifaces (1 to
 * OBSERVE_IFACES_MAX, Ethernet only). All or nothing: on failure nothing
 * stays open and @err (@errlen bytes) says which interface and why.
 * Needs CAP_NET_RAW. Does not block.
 *
 * Returns the observer, or NULL (errno set: ENOMEM, EINVAL for a bad
 * argument or a non-Ethernet interface, ENODEV when an interface does not
 * exist, EPERM without the capability, EIO otherwise).
 */
struct observer *observer_open(const char *const *ifaces, size_t n, char *err, size_t errlen);

/*
 * Fills @out with one pollfd (POLLIN) per interface, in the order given to
 * observer_open(). Returns their number, or -ENOSPC when @max is smaller
 * (@out untouched).
 */
int observer_fds(struct observer *o, struct pollfd *out, size_t max);

/*
 * Reads the frames waiting on @fd (one of observer_fds()), at most 64 at a
 * time so that one busy interface cannot starve the main loop, and calls
 * @cb for each one decoded. Does not block.
 *
 * Returns the number of frames read (0: none waiting); -EBADF when @fd is
 * not one of ours; -EIO when the capture failed (the interface went away):
 * the caller decides whether to close and reopen.
 */
int observer_dispatch(struct observer *o, int fd, observer_fn cb, void *user);

/* Counters since observer_open(); reads the kernel's drop counts. */
void observer_stats(struct observer *o, struct observer_stats *ret);

/* Closes every capture; NULL is a no-op. */
void observer_close(struct observer *o);

#endif

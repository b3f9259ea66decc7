/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: the LAN registry at work in gatewayd. Runs the 'netctl device'
 * verbs (lib/lanreq.c decides, gatewayd/registry.c stores), keeps the
 * kernel's registered-devices and quarantine sets equal to what the
 * registry says (whole sets in the atomic apply; one-element batches plus
 * conntrack deletion between applies), drives the registry's clock
 * (expiry, notices, usage hours) and sends the notices in the background.
 */
#ifndef GW_LAN_H
#define GW_LAN_H

#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "lanreq.h"
#include "model.h"
#include "ruleset.h"

struct lan;

/* Opens (creating or migrating) the registry at @path. NULL with @err set. */
struct lan *lan_open(const char *path, char *err, size_t errlen);
void lan_close(struct lan *l);

/*
 * Fills @rs's registered-devices and quarantine sets from the registry at
 * @now (for the apply's one batch). 0 or negative errno.
 */
int lan_fill(struct lan *l, const struct policy *p, struct ruleset *rs, int64_t now,
	     size_t *ret_n);
/* The apply of @rs (filled by lan_fill) succeeded: it is what the kernel holds. */
void lan_applied(struct lan *l, const struct policy *p, const struct ruleset *rs);

/*
 * One 'netctl device' request by @actor (a person with @roles, answering
 * for @department or, NULL, any; C-1, LANREQ-48). Returns the result (a
 * JSON value) or NULL with *@err set to the refusal reason.
 */
json_t *lan_handle(struct lan *l, const char *actor, unsigned roles, const char *department,
		   int op, const json_t *args, int64_t now, char *err, size_t errlen);

/* The registry's clock: expiries, notices, usage hours. Call at lan_next(). */
void lan_tick(struct lan *l, int64_t now);
/*
 * C-24: the notices being sent in the background. lan_notify_fds gives the
 * fds to poll (at most 2 * 3), lan_notify_timeout the poll timeout in ms
 * (-1: none running; 0: a verb's notice waits to be started, after its
 * answer); call lan_notify_poll after every poll.
 */
#define LAN_NOTIFY_FDS 6
int lan_notify_fds(struct lan *l, struct pollfd *out, size_t max);
int lan_notify_timeout(struct lan *l);
void lan_notify_poll(struct lan *l, int64_t now);

/* When lan_tick must run next (0: nothing scheduled). */
int64_t lan_next(struct lan *l, int64_t now);

/* LANREQ-46: one ARP/DHCP observation on a zone's interface. */
void lan_seen(struct lan *l, const char *mac, const char *ip, const char *iface,
	      const char *kind, bool dhcp_ack, int64_t now);

/*
 * C-8: registrations refused, ended or expired more than registry.retention
 * ago are anonymised (lr_anonymise), their events and notices deleted, and
 * one event "retention purge" records it; sightings last seen before then
 * are deleted. Returns the registrations purged or a negative errno.
 */
int lan_purge(struct lan *l, int64_t now);

/*
 * LANREQ-33: the firewall log's directory (the daemon's), read for the
 * peers an expiry notice and 'device show' report; NULL: not kept.
 */
void lan_set_log_dir(struct lan *l, const char *dir);

/*
 * LANREQ-47: a frame of network equipment (STP, LLDP, CDP, an IPv6 router
 * advertisement) from @mac on @iface; @detail is frame_sighting_format()'s
 * line, @ip its management address or "0.0.0.0". Stored as a sighting of
 * kind "equipment" and, unless registry.known_equipment lists the MAC,
 * logged, each at most once a minute per MAC and interface.
 */
void lan_seen_equipment(struct lan *l, const char *mac, const char *ip, const char *iface,
			const char *detail, int64_t now);

/*
 * ADM-1, ADM-5..7: records the config's people (management IDs, persons,
 * roles, who approved the appointment) when they differ from the last
 * record: appointments, removals and changes of roles, attributed to @actor.
 */
void lan_people(struct lan *l, const struct policy *p, const char *actor, int64_t now);

/* For 'netctl status': counts by state, pending notices, kernel sync. */
json_t *lan_status(struct lan *l, int64_t now);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: the LAN registry in SQLite (WAL, synchronous=FULL). gatewayd is its
 * only writer. Registrations are stored as the documents lib/lanreq.c
 * defines, with a few columns copied out for look-ups; every change is also
 * an event row (who, when, what, before, after: LANREQ-21, ADM-2). Notices
 * (C-24), person statuses (C-15) and observed devices (LANREQ-46) live here
 * too. The schema is versioned (PRAGMA user_version) and migrated on open;
 * a database newer than this gatewayd is refused, never touched.
 *
 * Every function returns 0 or a negative errno (-EIO for an SQLite error,
 * whose text registry_errmsg() gives).
 */
#ifndef GW_REGISTRY_H
#define GW_REGISTRY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct registry;

/* The schema version this gatewayd writes. */
#define REGISTRY_SCHEMA 7

struct registry *registry_open(const char *path, char *err, size_t errlen);
void registry_close(struct registry *r);
const char *registry_errmsg(struct registry *r);
int registry_schema(struct registry *r);

/* One transaction around each verb: all of it is stored, or none. */
int registry_begin(struct registry *r);
int registry_commit(struct registry *r);
void registry_rollback(struct registry *r);

/*
 * The WAL is copied into the database file (a checkpoint) only when
 * registry_checkpoint() is called, never inside a commit: a verb's commit
 * does not pay for the checkpoint the 1000th page of WAL would trigger
 * (about 8 ms every hundred or so verbs). registry_wal_pages() says how
 * many pages the WAL holds after the last commit. A checkpoint moves only
 * what is committed, and synced already: it changes nothing for
 * durability.
 */
#define REGISTRY_WAL_PAGES 1000
int registry_wal_pages(struct registry *r);
int registry_checkpoint(struct registry *r);

/* Registrations. */
int registry_get(struct registry *r, int64_t id, json_t **ret);          /* -ENOENT */
int registry_insert(struct registry *r, json_t *doc, int64_t now);       /* sets doc "id" */
int registry_update(struct registry *r, const json_t *doc, int64_t now);
int registry_all(struct registry *r, json_t **ret);                       /* array, by id */

/* LANREQ-21: SUBJECT is "device:12", "person:NAME", "people". */
int registry_event(struct registry *r, int64_t at, const char *actor, const char *subject,
		   const char *action, const char *reason, const json_t *before,
		   const json_t *after);
int registry_events(struct registry *r, const char *subject, json_t **ret);

/* C-24: notices are recorded first, then sent; the result is recorded too. */
int registry_notice_add(struct registry *r, int64_t device_id, const char *kind, int64_t at,
			const char *message, int64_t *ret_id);
/* Notices with @status ("pending", "sent", "failed"; NULL: all) of @device (0: all). */
int registry_notices(struct registry *r, const char *status, int64_t device, json_t **ret);
/* The outcome of one attempt; @output is what the command printed (may be NULL). */
int registry_notice_result(struct registry *r, int64_t id, bool sent, const char *error,
			   const char *output, int64_t at);
int registry_notice_get(struct registry *r, int64_t id, json_t **ret); /* -ENOENT */
/* C-24: a failed notice becomes pending again (-ENOENT when it is not failed). */
int registry_notice_requeue(struct registry *r, int64_t id);

/* C-15: a person's status, as recorded. */
int registry_person_set(struct registry *r, const char *name, const char *status, int64_t at,
			const char *by);
int registry_persons(struct registry *r, json_t **ret);

/* LANREQ-46: one observation of MAC/IP on an interface (upserted). */
int registry_sighting(struct registry *r, const char *mac, const char *ip, const char *iface,
		      const char *kind, int64_t at);
int registry_sightings(struct registry *r, json_t **ret);

/* LANREQ-31: a department's half-yearly check, done by @done_by, recorded by @recorded_by. */
int registry_dept_check_add(struct registry *r, const char *department, int64_t at,
			    const char *done_by, const char *recorded_by, const char *note);
int registry_dept_checks(struct registry *r, json_t **ret); /* every check, oldest first */
/* The overdue notice for (@department, @due) was recorded already? */
int registry_dept_overdue(struct registry *r, const char *department, int64_t due, bool *ret);
int registry_dept_overdue_add(struct registry *r, const char *department, int64_t due,
			      int64_t notice_id);

/*
 * ADM-7: an inventory of the management IDs, done by @done_by, with the
 * text of the report it covered and that text's SHA-256 (hex).
 * registry_inventories: every one, oldest first, without the report's
 * text ("ids": how many it listed); registry_inventory_report: the report
 * of inventory @id (-ENOENT). The overdue notice for @due was recorded?
 */
int registry_inventory_add(struct registry *r, int64_t at, const char *done_by, const char *note,
			   const char *sha256, const char *report, int64_t *ret_id);
int registry_inventories(struct registry *r, json_t **ret);
int registry_inventory_report(struct registry *r, int64_t id, json_t **ret);
int registry_inventory_overdue(struct registry *r, int64_t due, bool *ret);
int registry_inventory_overdue_add(struct registry *r, int64_t due, int64_t notice_id);

/* INC-1: a quarantine of an address or MAC (@kind "ip" or "mac") with no registration. */
int registry_aq_add(struct registry *r, const char *kind, const char *value, const char *reason,
		    const char *by, int64_t at, int64_t *ret_id);
int registry_aqs(struct registry *r, bool all, json_t **ret); /* !@all: the ones in force */
int registry_aq_release(struct registry *r, int64_t id, int64_t at, const char *by,
			const char *instructed_by); /* -ENOENT: not in force */

/* LANREQ-47: a sighting with what the frame said (equipment: "lldp id '..' name '..'"). */
int registry_sighting_detail(struct registry *r, const char *mac, const char *ip,
			     const char *iface, const char *kind, const char *detail, int64_t at);
/*
 * C-8: deletes registration @id's events and notices (its history, which
 * holds its personal data); the caller then stores the anonymised
 * registration and the event that records the purge.
 */
int registry_purge_history(struct registry *r, int64_t id);
/* C-8: deletes the sightings last seen before @before; the number deleted or -EIO. */
int registry_purge_sightings(struct registry *r, int64_t before);

#endif

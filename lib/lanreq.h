/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LAN connection requests (§3.5 LANREQ, §3.6 WLAN): the registration's
 * fields, its states and the rules of every step, as pure functions of a
 * registration document, the policy, the acting person and "now".
 *
 * A registration is one flat JSON object (jansson) whose keys are the
 * regulation's glossary names ("user.name", "usage.valid_until",
 * "device.mac", ...; see lr_fields[]) plus bookkeeping keys set only here
 * ("id", "state", "approved_by", ...). The registry (gatewayd/registry.c)
 * stores the document as it is; the daemon asks this module what a verb
 * does to it, what the kernel must admit, and when something happens next.
 *
 * Every step either changes the document and returns 0, or leaves it as it
 * was and returns -EINVAL with a reason for the person who asked (citing
 * the requirement), or -ENOMEM.
 */
#ifndef GW_LANREQ_H
#define GW_LANREQ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

enum lr_state {
	LRS_REQUESTED,   /* filed, waiting for endorsement and review */
	LRS_APPROVED,    /* admitted while its period and hours hold */
	LRS_REFUSED,     /* review said no (LANREQ-4); kept */
	LRS_CHANGED,     /* approved, then changed by a change request (LANREQ-36) */
	LRS_QUARANTINED, /* cut off at once (LANREQ-42, INC-1) until released */
	LRS_EXPIRED,     /* the planned period ended (LANREQ-37); kept */
	LRS_ENDED,       /* ended by a person or by a departure (LANREQ-38..41); kept */
	LRS_SECOND,      /* approved by a netadmin, awaiting the second approver (C-1) */
	LRS_HELD,        /* admission suspended until a malware check is confirmed (LANREQ-48) */
	LRS__COUNT
};

const char *lr_state_name(enum lr_state s);
int lr_state_parse(const char *s, enum lr_state *ret);
/* The state of @doc (LRS_REQUESTED when missing or unknown). */
enum lr_state lr_state(const json_t *doc);

enum lr_type {
	LRT_TEXT,
	LRT_BOOL,  /* JSON true/false; "yes"/"no" accepted on input */
	LRT_TIME,  /* "2027-03-31" or RFC 3339 */
	LRT_MAC,   /* stored as 02:00:00:00:0b:01 */
	LRT_IPV4,
	LRT_CHOICE, /* one of lr_field.choices, '|'-separated */
	LRT_LIST,  /* array of short texts; "a,b" accepted on input */
};

enum lr_field_flags {
	LRF_REQUEST = 1 << 0,  /* required in a request */
	LRF_APPROVAL = 1 << 1, /* required before approval (the approver may supply it) */
	LRF_CHANGE = 1 << 2,   /* a change request may update it */
};

struct lr_field {
	const char *key;
	enum lr_type type;
	unsigned flags;
	const char *choices; /* LRT_CHOICE: "static|dhcp" */
	const char *reqs;    /* requirement IDs */
	const char *label;   /* for tables and notices */
};

extern const struct lr_field lr_fields[];
extern const size_t lr_n_fields;
const struct lr_field *lr_field(const char *key);

/* The daemon's settings for the registry (the config's 'registry' group). */
struct lr_settings {
	int64_t expiry_notice;     /* LANREQ-32: notice this long before the end (14 days) */
	int64_t conformance_check; /* LANREQ-30: check within this long of approval (14 days) */
	int64_t max_period;        /* C-16: longest planned period (365 days) */
	int utc_offset;            /* seconds east of UTC for usage hours (LANREQ-45) */
	bool four_eyes;            /* ADM-11: the approver is not the requester */
	unsigned second_approval;  /* C-1: the second approver's role (bit); 0: none */
	bool direct_change;        /* LANREQ-36: a netadmin's change is filed and approved at once */
	/* LANREQ-31, C-21: the half-years end on these dates (month * 100 + day, local). */
	uint16_t dept_check[12];
	size_t n_dept_check;       /* 0: the department check is not scheduled */
};

#define LR_SETTINGS_DEFAULT                                                           \
	{                                                                             \
		.expiry_notice = 14 * 86400, .conformance_check = 14 * 86400,         \
		.max_period = 365 * 86400, .utc_offset = 0, .four_eyes = false,       \
		.dept_check = { 401, 1001 }, .n_dept_check = 2                        \
	}

/* Who acts, when, under which policy. */
struct lr_ctx {
	const struct policy *p;
	const struct lr_settings *set;
	const char *actor;   /* the person's name (ADM-2) */
	unsigned roles;      /* the person's enum role bits */
	const char *department; /* C-1, LANREQ-48: the department they answer for; NULL: any */
	int64_t now;
	/* Address and hostname use by other live registrations (LANREQ-22, LANREQ-41). */
	bool (*ip_taken)(void *data, const char *ip, int64_t self_id);
	bool (*hostname_taken)(void *data, const char *hostname, int64_t self_id);
	bool (*mac_taken)(void *data, const char *mac, int64_t self_id);
	void *data;
};

/* The verbs of 'netctl device' and the roles any one of which permits each. */
enum lr_op {
	LRO_REQUEST,
	LRO_ENDORSE,
	LRO_APPROVE,
	LRO_REFUSE,
	LRO_CHANGE,
	LRO_END,
	LRO_QUARANTINE,
	LRO_RELEASE,
	LRO_CONFIRM,   /* LANREQ-30: the post-approval check is confirmed */
	LRO_LIST,
	LRO_SHOW,
	LRO_NOTICES,
	LRO_REPORT,
	LRO_EXPORT,
	LRO_SEEN,      /* LANREQ-46: devices observed on the LAN */
	LRO_PERSON,    /* C-15: a person's departure, leave or transfer */
	LRO_PEOPLE,    /* ADM-1, ADM-5..7: the management IDs, their roles and changes */
	LRO_RESEND,    /* C-24: a failed notice is queued again */
	LRO_CHECK,     /* LANREQ-31: the half-yearly department checks; --done records one */
	LRO_QUARANTINED, /* INC-1: the quarantines of addresses without a registration */
	LRO_HOLD,      /* LANREQ-48: admission suspended until a malware check */
	LRO_CLEAR,     /* LANREQ-48: the security officer confirms the check */
	LRO_PERSONS,   /* C-15: the recorded person statuses, with who recorded them */
	LRO_INVENTORY, /* ADM-7: the report of management IDs; --done records an inventory */
	LRO__COUNT
};

/*
 * Steps inside verbs every role may call (the view), which change the
 * registry: LANREQ-31, a department check is recorded by a network
 * administrator; ADM-7, an inventory of the management IDs by the ISMS
 * manager, who is not among the network administrators it reviews.
 */
#define LR_CHECK_DONE_ROLES ROLE_NETADMIN
#define LR_INVENTORY_DONE_ROLES ROLE_ISMS_MANAGER

const char *lr_op_name(enum lr_op op);
int lr_op_parse(const char *s, enum lr_op *ret);
unsigned lr_op_roles(enum lr_op op);
/* True when the op changes the registry. */
bool lr_op_writes(enum lr_op op);
/* 0 when @cx's roles permit @op, else -EINVAL with the role it needs in @why. */
int lr_need_role(const struct lr_ctx *cx, enum lr_op op, char *why, size_t len);

/*
 * LANREQ-1..20, C-16, C-17, WLAN-2: a new registration from the request's
 * @args (field key -> value). On success *@ret is the new document in state
 * "requested" (no id yet: the registry assigns it).
 */
int lr_request(const struct lr_ctx *cx, const json_t *args, json_t **ret, char *why, size_t len);
/*
 * C-1: the department head's endorsement (the actor holds dept-head and,
 * if cx->department is set, heads the user's department), of a request or
 * of the pending change of an approved registration.
 */
int lr_endorse(const struct lr_ctx *cx, json_t *doc, char *why, size_t len);
/*
 * LANREQ-3, LANREQ-4, LANREQ-22..24, ADM-11: approval. @args may give
 * device.hostname, device.ip, usage.location, device.connection_point and
 * configured_by; a static device without an address gets the next free one
 * of the zone's pool, and a hostname by the zone's pattern. With
 * set->second_approval (C-1) a netadmin's approval leaves the registration
 * "second-approval" until a person of that role approves it too. On an
 * approved registration with a pending change, approves the change
 * (LANREQ-36) the same way.
 */
int lr_approve(const struct lr_ctx *cx, json_t *doc, const json_t *args, char *why, size_t len);
/* LANREQ-4: refuses a request, or the pending change of an approved registration. */
int lr_refuse(const struct lr_ctx *cx, json_t *doc, const char *reason, char *why, size_t len);
/*
 * LANREQ-34..36: a change request. @args must carry change.location,
 * change.purpose and change.reason, the fields to update and, as
 * "change.unset", a comma-separated list of optional fields to remove; a
 * change that lowers security (measures removed, owner company ->
 * brought-in, more services or hours without change.security_review) is
 * refused. The change is kept as "pending_change" until endorsed and
 * approved; with set->direct_change a netadmin's change is approved at once.
 */
int lr_change(const struct lr_ctx *cx, json_t *doc, const json_t *args, char *why, size_t len);
/* LANREQ-48: admission suspended until the security officer confirms a malware check. */
int lr_hold(const struct lr_ctx *cx, json_t *doc, const char *reason, char *why, size_t len);
int lr_clear(const struct lr_ctx *cx, json_t *doc, const char *checked_by, const char *note,
	     char *why, size_t len);
/* LANREQ-38..41: ends a registration (kept, marked ended, address released). */
int lr_end(const struct lr_ctx *cx, json_t *doc, const char *reason, char *why, size_t len);
/* LANREQ-42, INC-1: cut off at once. */
int lr_quarantine(const struct lr_ctx *cx, json_t *doc, const char *reason, char *why,
		  size_t len);
/* INC-2, C-32: lifted by a netadmin, recording who instructed it. */
int lr_release(const struct lr_ctx *cx, json_t *doc, const char *instructed_by, char *why,
	       size_t len);
/* LANREQ-30, C-25: a person confirms the post-approval check. */
int lr_confirm(const struct lr_ctx *cx, json_t *doc, const char *comment, char *why, size_t len);

/* C-15: what a person's new status does to one of their registrations. */
enum lr_person_effect {
	LRP_NONE,
	LRP_END,  /* departed, contract-ended, on-leave: ended at once (LANREQ-40) */
	LRP_FLAG, /* transferred: flagged for a change request (LANREQ-51) */
};
/* Valid person statuses: "active", "departed", "contract-ended", "on-leave", "transferred". */
bool lr_person_status_valid(const char *status);
enum lr_person_effect lr_person_effect(const json_t *doc, const char *person, const char *status);
/* Applies @effect (from lr_person_effect) for a person's @status. */
int lr_person_apply(const struct lr_ctx *cx, json_t *doc, enum lr_person_effect effect,
		    const char *person, const char *status, char *why, size_t len);

/* ---- time ------------------------------------------------------------------ */

/* The planned period in UTC seconds, [from, until); false when unset or bad. */
bool lr_period(const json_t *doc, int64_t *from, int64_t *until);

/*
 * LANREQ-45: usage hours "Mon-Fri 08:00-19:00", "08:00-19:00", "Sat,Sun
 * 09:00-12:00", "any". Parsed into a weekly bitmap of minutes.
 */
struct lr_hours {
	bool any;
	uint8_t days;          /* bit 0 = Monday */
	int from_min, to_min;  /* minutes of the day; to < from spans midnight */
};
int lr_hours_parse(const char *s, struct lr_hours *ret);
bool lr_hours_contain(const struct lr_hours *h, int64_t t, int utc_offset);
/* The first minute boundary after @t at which lr_hours_contain changes; 0 if never. */
int64_t lr_hours_next(const struct lr_hours *h, int64_t t, int utc_offset);

/*
 * What the kernel must hold for @doc at @now: *@admit is true when its
 * MAC . IPv4 pair belongs in the registered-devices set (approved or
 * changed, within its period and hours, an address known), *@quarantine
 * when its MAC and address belong in the quarantine sets. *@mac and *@ip
 * are borrowed from @doc.
 */
void lr_kernel(const json_t *doc, const struct lr_settings *set, int64_t now, bool *admit,
	       bool *quarantine, const char **mac, const char **ip);
/*
 * LANREQ-44: the per-device restriction. With registry.enforce_services a
 * registration whose usage.services is not empty is "restricted": its new
 * forwarded IPv4 connections pass only if the zone policy allows them AND
 * they use one of its approved services or an infrastructure service of
 * the catalogue (SVC-2: DNS, NTP, directory, ... keep working; those are
 * in compile.c's fixed sets, not here). The kernel holds the device's
 * address in restricted_devices4 and, per address, the pairs below in
 * device_services4 (address . protocol . port) and the protocols of port-
 * less entries (ICMP types, "gre") in device_protos4 (address . protocol):
 * ICMP is checked per protocol here and per type by the zone's rules.
 */
#define LR_DEVICE_PORTS_MAX 256 /* (protocol, port) pairs of one device; ranges expanded */
#define LR_DEVICE_PROTOS_MAX 16

struct lr_port {
	uint8_t proto;
	uint16_t port;
};

struct lr_device_services {
	bool restricted;      /* the device's address belongs in restricted_devices4 */
	struct lr_port ports[LR_DEVICE_PORTS_MAX]; /* sorted by protocol, port; unique */
	size_t n_ports;
	uint8_t protos[LR_DEVICE_PROTOS_MAX];      /* sorted, unique */
	size_t n_protos;
	bool truncated;       /* more than fits: the rest is left out (fails closed) */
};

/*
 * Fills @ret for @doc under @p's catalogue and registry.enforce_services.
 * Names the catalogue does not know (any more) and infrastructure services
 * add nothing. Meaningful only for a device lr_kernel admits.
 */
void lr_device_services(const json_t *doc, const struct policy *p,
			struct lr_device_services *ret);
/* The number of (protocol, port) pairs @s adds to a device (ranges count each port). */
size_t lr_service_ports(const struct service *s);

/* LANREQ-37: true when @doc's period is over and the state must become "expired". */
bool lr_expiry_due(const json_t *doc, int64_t now);
int lr_expire(const struct lr_ctx *cx, json_t *doc);
/* LANREQ-32, C-23: true when the expiry notice is due and not yet recorded. */
bool lr_expiry_notice_due(const json_t *doc, const struct lr_settings *set, int64_t now);
/* LANREQ-30: the post-approval check is open and its due time has passed. */
bool lr_check_overdue(const json_t *doc, int64_t now);
/*
 * The next time after @now at which lr_kernel, lr_expiry_due,
 * lr_expiry_notice_due or lr_check_overdue can change for @doc; 0 if never.
 */
int64_t lr_next_event(const json_t *doc, const struct lr_settings *set, int64_t now);

/*
 * LANREQ-31, C-21: the half-yearly department check. The year is cut into
 * periods at the dates of set->dept_check (00:00 local time, utc_offset);
 * each period must contain a check of every department, due at its end.
 * lr_anchor_next: the first such date strictly after @t (0: none set).
 * lr_dept_check_due: when the next check is due after one done at @last
 * (or, never checked, since the department's first approval at @last): the
 * end of the period after the one holding @last, so a check done in March
 * answers for the half-year ending April 1 and the next is due October 1.
 */
int64_t lr_anchor_next(const struct lr_settings *set, int64_t t);
int64_t lr_dept_check_due(const struct lr_settings *set, int64_t last);

/* ---- output ---------------------------------------------------------------- */

/* The kinds of notice the registry sends (C-24). */
enum lr_notice {
	LRN_APPROVED,  /* LANREQ-25 */
	LRN_REFUSED,   /* LANREQ-4 */
	LRN_CHANGED,   /* LANREQ-36 */
	LRN_EXPIRY,    /* LANREQ-32 */
	LRN_ENDED,     /* LANREQ-38 */
	LRN__COUNT
};
const char *lr_notice_name(enum lr_notice k);
/*
 * The notice as a mail message (headers "To:", "Subject:", a blank line,
 * the body) for the user's and the custodian's contacts. Malloc'd, or
 * NULL (ENOMEM). @from may be NULL.
 */
char *lr_notice_text(const json_t *doc, enum lr_notice k, const char *from);
/*
 * LANREQ-31: the notice that @department's half-yearly check, due at @due,
 * is overdue, to @to (the network administrators, who involve the
 * department head). Malloc'd, or NULL (ENOMEM). @from may be NULL.
 */
char *lr_dept_notice_text(const char *department, int64_t due, size_t registrations,
			  const char *last_check, const char *to, const char *from);

/*
 * LIST filters: "state", "zone", "department", "user", "expiring"
 * (duration: ends within it), "mac", "ip", "pending" (endorsement,
 * approval, second-approval, change: what the registration waits for).
 * Returns true when @doc matches.
 */
int lr_filter_check(const json_t *filter, char *why, size_t len);
bool lr_filter_match(const json_t *doc, const json_t *filter, int64_t now);

/* Normalises a MAC ("02-00-00-00-0B-01" -> "02:00:00:00:0b:01"); false if bad. */
bool lr_mac_normal(const char *in, char out[18]);

/*
 * C-8: registry.retention. lr_retention_due: @doc was refused, ended or
 * expired at least @retention seconds before @now and is not purged yet.
 * lr_anonymise: a new registration holding only what is not personal (id,
 * state, zone, class, address mode, ownership kind, the period, the dates
 * of the steps) and "purged_at" = @now; NULL on ENOMEM.
 */
bool lr_retention_due(const json_t *doc, int64_t retention, int64_t now);
json_t *lr_anonymise(const json_t *doc, int64_t now);

#endif

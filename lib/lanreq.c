/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LAN connection requests: fields, states and the rules of every step (§3.5). */
#include "lanreq.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "duration.h"
#include "util.h"

/* ---- names ----------------------------------------------------------------- */

static const char *const state_names[LRS__COUNT] = {
	[LRS_REQUESTED] = "requested", [LRS_APPROVED] = "approved",
	[LRS_REFUSED] = "refused",     [LRS_CHANGED] = "changed",
	[LRS_QUARANTINED] = "quarantined", [LRS_EXPIRED] = "expired",
	[LRS_ENDED] = "ended",	       [LRS_SECOND] = "second-approval",
	[LRS_HELD] = "held",
};

const char *lr_state_name(enum lr_state s)
{
	return s < LRS__COUNT ? state_names[s] : "?";
}

int lr_state_parse(const char *s, enum lr_state *ret)
{
	unsigned i;

	for (i = 0; s && i < LRS__COUNT; i++)
		if (!strcmp(s, state_names[i])) {
			*ret = (enum lr_state)i;
			return 0;
		}
	return -EINVAL;
}

enum lr_state lr_state(const json_t *doc)
{
	enum lr_state s = LRS_REQUESTED;

	lr_state_parse(json_string_value(json_object_get(doc, "state")), &s);
	return s;
}

static bool live(enum lr_state s)
{
	return s == LRS_REQUESTED || s == LRS_APPROVED || s == LRS_CHANGED ||
	       s == LRS_QUARANTINED || s == LRS_SECOND || s == LRS_HELD;
}

static const char *const op_names[LRO__COUNT] = {
	[LRO_REQUEST] = "request",	 [LRO_ENDORSE] = "endorse", [LRO_APPROVE] = "approve",
	[LRO_REFUSE] = "refuse",	 [LRO_CHANGE] = "change",   [LRO_END] = "end",
	[LRO_QUARANTINE] = "quarantine", [LRO_RELEASE] = "release", [LRO_CONFIRM] = "confirm",
	[LRO_LIST] = "list",		 [LRO_SHOW] = "show",	    [LRO_NOTICES] = "notices",
	[LRO_REPORT] = "report",	 [LRO_EXPORT] = "export",   [LRO_SEEN] = "seen",
	[LRO_PERSON] = "person",	 [LRO_PEOPLE] = "people",   [LRO_RESEND] = "resend",
	[LRO_CHECK] = "check",		 [LRO_QUARANTINED] = "quarantined",
	[LRO_HOLD] = "hold",		 [LRO_CLEAR] = "clear",	    [LRO_PERSONS] = "persons",
	[LRO_INVENTORY] = "inventory",
};

const char *lr_op_name(enum lr_op op)
{
	return op < LRO__COUNT ? op_names[op] : "?";
}

int lr_op_parse(const char *s, enum lr_op *ret)
{
	unsigned i;

	for (i = 0; s && i < LRO__COUNT; i++)
		if (!strcmp(s, op_names[i])) {
			*ret = (enum lr_op)i;
			return 0;
		}
	return -EINVAL;
}

unsigned lr_op_roles(enum lr_op op)
{
	const unsigned everyone = ROLE__ALL;

	switch (op) {
	case LRO_REQUEST:
		/* C-1: the help desk files requests; admins and heads may too. */
		return ROLE_HELPDESK | ROLE_NETADMIN | ROLE_DEPT_HEAD;
	case LRO_ENDORSE:
		return ROLE_DEPT_HEAD;
	case LRO_CHANGE:
		/*
		 * LANREQ-34..36: a change is requested like a registration (the
		 * help desk files it, the head endorses it, a netadmin approves).
		 */
		return ROLE_HELPDESK | ROLE_NETADMIN | ROLE_DEPT_HEAD;
	case LRO_HOLD:
		/* LANREQ-48: suspending admission is a predefined operator action (ADM-4). */
		return ROLE_NETADMIN | ROLE_OPERATOR;
	case LRO_CLEAR:
		/* LANREQ-48: only the security officer confirms the malware check. */
		return ROLE_SECURITY_OFFICER;
	case LRO_QUARANTINE:
		/* ADM-4: an emergency cut-off is a predefined operator action; lifting it is not. */
		return ROLE_NETADMIN | ROLE_OPERATOR;
	case LRO_RESEND:
		/*
		 * ADM-4: sending a failed notice again changes no rule and no
		 * registration; it is a predefined action of the operator's
		 * procedure (after the mail relay is repaired).
		 */
		return ROLE_NETADMIN | ROLE_OPERATOR;
	case LRO_APPROVE: /* and the second approver's role (C-1; lr_approve) */
	case LRO_REFUSE:
	case LRO_END:
	case LRO_RELEASE:
	case LRO_CONFIRM:
	case LRO_PERSON:
		return ROLE_NETADMIN;
	case LRO_LIST:
	case LRO_SHOW:
	case LRO_NOTICES:
	case LRO_REPORT:
	case LRO_EXPORT:
	case LRO_SEEN:
	case LRO_PEOPLE:
	case LRO_CHECK: /* the view; recording a check needs netadmin (lan.c) */
	case LRO_QUARANTINED:
	case LRO_PERSONS:
	case LRO_INVENTORY: /* the report; recording an inventory needs isms-manager (lan.c) */
		return everyone;
	default:
		return 0;
	}
}

bool lr_op_writes(enum lr_op op)
{
	return op <= LRO_CONFIRM || op == LRO_PERSON || op == LRO_RESEND || op == LRO_HOLD ||
	       op == LRO_CLEAR;
}

static const char *const notice_names[LRN__COUNT] = {
	[LRN_APPROVED] = "approved", [LRN_REFUSED] = "refused", [LRN_CHANGED] = "changed",
	[LRN_EXPIRY] = "expiry",     [LRN_ENDED] = "ended",
};

const char *lr_notice_name(enum lr_notice k)
{
	return k < LRN__COUNT ? notice_names[k] : "?";
}

/* ---- fields ---------------------------------------------------------------- */

#define RQ (LRF_REQUEST | LRF_CHANGE)
const struct lr_field lr_fields[] = {
	{ "user.name", LRT_TEXT, RQ, NULL, "LANREQ-6", "user" },
	{ "user.department", LRT_TEXT, RQ, NULL, "LANREQ-6", "department" },
	{ "user.contact", LRT_TEXT, RQ, NULL, "LANREQ-6", "user's contact" },
	{ "user.id", LRT_TEXT, LRF_CHANGE, NULL, "WLAN-2, WLAN-4", "user ID (wireless)" },
	{ "purpose", LRT_TEXT, RQ, NULL, "LANREQ-7", "purpose" },
	{ "usage.location_requested", LRT_TEXT, LRF_REQUEST, NULL, "LANREQ-8",
	  "location requested" },
	{ "usage.location", LRT_TEXT, LRF_APPROVAL | LRF_CHANGE, NULL, "LANREQ-8", "location" },
	{ "usage.hours", LRT_TEXT, LRF_CHANGE, NULL, "LANREQ-9, LANREQ-45", "usage hours" },
	{ "usage.services", LRT_LIST, RQ, NULL, "LANREQ-10, LANREQ-44", "services" },
	{ "usage.valid_from", LRT_TIME, RQ, NULL, "LANREQ-11", "valid from" },
	{ "usage.valid_until", LRT_TIME, RQ, NULL, "LANREQ-11, C-16", "valid until" },
	{ "device.custodian", LRT_TEXT, RQ, NULL, "LANREQ-12", "custodian" },
	{ "device.custodian_contact", LRT_TEXT, RQ, NULL, "LANREQ-12", "custodian's contact" },
	{ "device.mac", LRT_MAC, RQ, NULL, "LANREQ-13", "MAC address" },
	{ "device.hw", LRT_TEXT, LRF_CHANGE, NULL, "LANREQ-13", "hardware" },
	{ "device.name", LRT_TEXT, RQ, NULL, "LANREQ-14", "device name" },
	{ "device.hostname", LRT_TEXT, LRF_APPROVAL | LRF_CHANGE, NULL, "LANREQ-14, LANREQ-22",
	  "hostname" },
	{ "device.ip", LRT_IPV4, LRF_CHANGE, NULL, "LANREQ-15, LANREQ-22", "IP address" },
	{ "device.addr_mode", LRT_CHOICE, RQ, "static|dhcp", "LANREQ-16, LANREQ-23",
	  "address mode" },
	{ "device.connection_point", LRT_TEXT, LRF_APPROVAL | LRF_CHANGE, NULL,
	  "LANREQ-17, LANREQ-24", "connection point" },
	{ "device.dns", LRT_BOOL, RQ, NULL, "LANREQ-18", "registered in DNS" },
	{ "device.directory", LRT_TEXT, RQ, NULL, "LANREQ-19", "directory registration" },
	{ "device.os", LRT_TEXT, RQ, NULL, "LANREQ-20", "OS and version" },
	{ "device.software", LRT_TEXT, RQ, NULL, "LANREQ-20", "software and versions" },
	{ "device.security", LRT_TEXT, RQ, NULL, "LANREQ-5", "security measures" },
	{ "device.class", LRT_CHOICE, RQ, "pc|printer|server|smartdevice|network", "C-17",
	  "device class" },
	{ "device.permission", LRT_TEXT, LRF_CHANGE, NULL, "LANREQ-49, C-17",
	  "permission reference" },
	{ "device.server_approval", LRT_TEXT, LRF_CHANGE, NULL, "LANREQ-50",
	  "server installation approval" },
	{ "owner", LRT_CHOICE, RQ, "company|brought-in|personal", "LANREQ-1, LANREQ-2",
	  "ownership" },
	{ "owner.asset_id", LRT_TEXT, RQ, NULL, "LANREQ-2", "asset ID" },
	{ "owner.permit", LRT_TEXT, LRF_CHANGE, NULL, "LANREQ-2", "bring-in permit" },
	{ "owner.permit_until", LRT_TIME, LRF_CHANGE, NULL, "LANREQ-2, C-16",
	  "bring-in permit until" },
	{ "zone", LRT_TEXT, RQ, NULL, "LANREQ-24", "zone" },
};
#undef RQ
const size_t lr_n_fields = ARRAY_SIZE(lr_fields);

const struct lr_field *lr_field(const char *key)
{
	size_t i;

	for (i = 0; key && i < lr_n_fields; i++)
		if (!strcmp(lr_fields[i].key, key))
			return &lr_fields[i];
	return NULL;
}

/* Longest value of a text field we keep (a form field, not a document). */
#define TEXT_MAX 512
#define LIST_MAX 64

static int fail(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *str(const json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

static bool has(const json_t *doc, const char *key)
{
	const json_t *v = json_object_get(doc, key);

	if (!v || json_is_null(v))
		return false;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	return true;
}

static int set_str(json_t *doc, const char *key, const char *val)
{
	return json_object_set_new(doc, key, json_string(val)) ? -ENOMEM : 0;
}

static int set_time(json_t *doc, const char *key, int64_t t)
{
	char buf[32];

	time_format(t, buf, sizeof(buf));
	return set_str(doc, key, buf);
}

/* Printable text without control characters (these end up in mail and tables). */
static bool text_ok(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

bool lr_mac_normal(const char *in, char out[18])
{
	uint8_t m[6];
	char tmp[18];
	size_t i;

	if (!in || strlen(in) != 17)
		return false;
	for (i = 0; i < 17; i++)
		tmp[i] = in[i] == '-' ? ':' : in[i];
	tmp[17] = 0;
	if (mac_parse(tmp, m))
		return false;
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return true;
}

/* A value from the request (a string from the command line, or JSON) as stored. */
static int normalise(const struct lr_field *f, const json_t *in, json_t **ret, char *why,
		     size_t len)
{
	const char *s = json_string_value(in);
	int64_t t;

	*ret = NULL;
	switch (f->type) {
	case LRT_BOOL:
		if (json_is_boolean(in)) {
			*ret = json_boolean(json_is_true(in));
		} else if (s && (!strcmp(s, "yes") || !strcmp(s, "true"))) {
			*ret = json_true();
		} else if (s && (!strcmp(s, "no") || !strcmp(s, "false"))) {
			*ret = json_false();
		} else {
			return fail(why, len, "%s: say yes or no (%s)", f->key, f->reqs);
		}
		return *ret ? 0 : -ENOMEM;
	case LRT_LIST: {
		json_t *a = json_array();
		size_t i;

		if (!a)
			return -ENOMEM;
		if (s) {
			char *copy = strdup(s), *tok, *save = NULL;

			if (!copy)
				return json_decref(a), -ENOMEM;
			for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
				json_array_append_new(a, json_string(tok));
			free(copy);
		} else if (json_is_array(in)) {
			json_t *v;

			json_array_foreach(in, i, v) {
				if (!json_is_string(v)) {
					json_decref(a);
					return fail(why, len, "%s: a list of names", f->key);
				}
				json_array_append(a, v);
			}
		} else {
			json_decref(a);
			return fail(why, len, "%s: a list of names (\"a,b\")", f->key);
		}
		if (json_array_size(a) > LIST_MAX) {
			json_decref(a);
			return fail(why, len, "%s: more than %d entries", f->key, LIST_MAX);
		}
		json_array_foreach(a, i, in) {
			const char *e = json_string_value(in);

			if (!e || !*e || strlen(e) > 64 || !text_ok(e)) {
				json_decref(a);
				return fail(why, len, "%s: entry %zu is empty, too long or not text",
					    f->key, i + 1);
			}
		}
		*ret = a;
		return 0;
	}
	default:
		break;
	}
	if (!s)
		return fail(why, len, "%s: expected text", f->key);
	if (strlen(s) > TEXT_MAX || !text_ok(s))
		return fail(why, len, "%s: longer than %d bytes or not printable text", f->key,
			    TEXT_MAX);
	switch (f->type) {
	case LRT_TIME:
		if (time_parse(s, &t))
			return fail(why, len, "%s: '%s' is not a date (YYYY-MM-DD or RFC 3339)",
				    f->key, s);
		break;
	case LRT_MAC: {
		char m[18];

		if (!lr_mac_normal(s, m))
			return fail(why, len, "%s: '%s' is not a MAC address (02:00:5e:10:00:01)",
				    f->key, s);
		if (strtoul(m, NULL, 16) & 1)
			return fail(why, len, "%s: '%s' is a multicast address, not a device",
				    f->key, s);
		*ret = json_string(m);
		return *ret ? 0 : -ENOMEM;
	}
	case LRT_IPV4: {
		struct in_addr a;

		if (inet_pton(AF_INET, s, &a) != 1)
			return fail(why, len, "%s: '%s' is not an IPv4 address", f->key, s);
		break;
	}
	case LRT_CHOICE: {
		size_t n = strlen(s);
		const char *c = f->choices;

		while (c) {
			const char *bar = strchr(c, '|');
			size_t cl = bar ? (size_t)(bar - c) : strlen(c);

			if (cl == n && !strncmp(c, s, n))
				break;
			c = bar ? bar + 1 : NULL;
		}
		if (!c)
			return fail(why, len, "%s: '%s' is not one of %s", f->key, s, f->choices);
		break;
	}
	default:
		if (!*s)
			return fail(why, len, "%s: empty", f->key);
		break;
	}
	*ret = json_string(s);
	return *ret ? 0 : -ENOMEM;
}

static const char *field_hint(const char *key)
{
	const char *names[ARRAY_SIZE(lr_fields)];
	size_t i;

	for (i = 0; i < lr_n_fields; i++)
		names[i] = lr_fields[i].key;
	return str_closest(key, names, lr_n_fields);
}

/* Copies @args' fields of @mask into @doc, normalised. */
static int take_fields(json_t *doc, const json_t *args, unsigned mask, const char *const *extra,
		       size_t n_extra, char *why, size_t len)
{
	const char *key;
	json_t *v, *nv;
	size_t i;
	int r;

	json_object_foreach((json_t *)args, key, v) {
		const struct lr_field *f = lr_field(key);

		for (i = 0; i < n_extra; i++)
			if (!strcmp(key, extra[i]))
				break;
		if (i < n_extra)
			continue;
		if (!f) {
			const char *hint = field_hint(key);

			return fail(why, len, "unknown field '%s'%s%s%s (netctl device fields)", key,
				    hint ? "; did you mean '" : "", hint ? hint : "",
				    hint ? "'?" : "");
		}
		if (!(f->flags & mask))
			return fail(why, len, "field '%s' cannot be given here", key);
		r = normalise(f, v, &nv, why, len);
		if (r)
			return r;
		if (json_object_set_new(doc, key, nv))
			return -ENOMEM;
	}
	return 0;
}

static bool time_of(const json_t *doc, const char *key, int64_t *t)
{
	const char *s = str(doc, key);

	return s && !time_parse(s, t);
}

/* A date-only end means "until the end of that day" (exclusive next midnight). */
static bool until_of(const json_t *doc, const char *key, int64_t *t)
{
	const char *s = str(doc, key);

	if (!s || time_parse(s, t))
		return false;
	if (strlen(s) == 10)
		*t += DAY_SECONDS;
	return true;
}

bool lr_period(const json_t *doc, int64_t *from, int64_t *until)
{
	return time_of(doc, "usage.valid_from", from) && until_of(doc, "usage.valid_until", until);
}

static bool zone_has_ip(const struct zone *z, const char *ip)
{
	struct prefix p;
	size_t i;

	if (prefix_parse(ip, &p))
		return false;
	for (i = 0; i < z->n_nets; i++)
		if (prefix_contains(&z->nets[i], &p))
			return true;
	return false;
}

static const char *const person_statuses[] = { "active", "departed", "contract-ended",
					      "on-leave", "transferred" };

bool lr_person_status_valid(const char *status)
{
	size_t i;

	for (i = 0; status && i < ARRAY_SIZE(person_statuses); i++)
		if (!strcmp(status, person_statuses[i]))
			return true;
	return false;
}

/*
 * The rules every registration obeys, whichever step produced it: required
 * fields, ownership, class, zone, period, services, addresses.
 */
static int check_doc(const struct lr_ctx *cx, const json_t *doc, int64_t self_id, bool approval,
		     char *why, size_t len)
{
	const char *owner = str(doc, "owner"), *cls = str(doc, "device.class");
	const char *zname = str(doc, "zone"), *mode = str(doc, "device.addr_mode");
	const char *ip = str(doc, "device.ip"), *mac = str(doc, "device.mac");
	const struct zone *z;
	int64_t from, until, permit;
	size_t i;
	json_t *v;

	for (i = 0; i < lr_n_fields; i++) {
		const struct lr_field *f = &lr_fields[i];

		if (((f->flags & LRF_REQUEST) || (approval && (f->flags & LRF_APPROVAL))) &&
		    !has(doc, f->key))
			return fail(why, len, "'%s' (%s) is required (%s)", f->key, f->label,
				    f->reqs);
	}
	/* LANREQ-1: never a personally owned device, wired or wireless. */
	if (owner && !strcmp(owner, "personal"))
		return fail(why, len, "a personally owned device is never connected to the LAN "
				      "(LANREQ-1)");
	if (owner && !strcmp(owner, "brought-in")) {
		if (!has(doc, "owner.permit") || !time_of(doc, "owner.permit_until", &permit))
			return fail(why, len, "brought-in equipment needs its bring-in permit: "
					      "owner.permit and owner.permit_until (LANREQ-2)");
	}
	/* C-17: classes that need a permission on record. */
	if (cls && (!strcmp(cls, "smartdevice") || !strcmp(cls, "network")) &&
	    !has(doc, "device.permission"))
		return fail(why, len, "a %s needs device.permission: the %s (%s)", cls,
			    !strcmp(cls, "network") ? "IS dept change reference"
						    : "department security officer's permission",
			    !strcmp(cls, "network") ? "C-17" : "LANREQ-49, C-17");
	if (cls && !strcmp(cls, "server") && !has(doc, "device.server_approval"))
		return fail(why, len, "a server needs device.server_approval, the reference of its "
				      "installation approval (LANREQ-50)");

	z = zname ? policy_zone(cx->p, zname) : NULL;
	if (!z)
		return fail(why, len, "zone '%s' is not in the config", zname ? zname : "");
	if (z->env != ENV_LAN || z->admission != ADMIT_REGISTERED)
		return fail(why, len, "zone '%s' does not admit registered devices (admission = "
				      "\"registered\" in a LAN zone)",
			    z->name);
	if (z->kind == ZK_WLAN && !has(doc, "user.id"))
		return fail(why, len, "zone '%s' is wireless: user.id, the user's authorised ID, "
				      "is required (WLAN-2, WLAN-4)",
			    z->name);

	/* LANREQ-11, C-16: a bounded period, never past a bring-in permit. */
	if (!lr_period(doc, &from, &until))
		return fail(why, len, "usage.valid_from and usage.valid_until are required "
				      "(LANREQ-11)");
	if (until <= from)
		return fail(why, len, "usage.valid_until is not after usage.valid_from");
	/* A date-only end adds its own day, and a year may hold 29 February: two days' slack. */
	if (until - from > cx->set->max_period + 2 * DAY_SECONDS)
		return fail(why, len, "the planned period is longer than %lld days (C-16); renew "
				      "it by a change request",
			    (long long)(cx->set->max_period / DAY_SECONDS));
	if (owner && !strcmp(owner, "brought-in") && until_of(doc, "owner.permit_until", &permit) &&
	    until > permit)
		return fail(why, len, "usage.valid_until is after the bring-in permit ends (C-16)");

	/* LANREQ-10, LANREQ-44: services the catalogue knows. */
	json_array_foreach(json_object_get(doc, "usage.services"), i, v) {
		const char *s = json_string_value(v);

		if (!policy_service(cx->p, s)) {
			const char *names[64];
			size_t k, n = 0;

			for (k = 0; k < cx->p->n_services && n < ARRAY_SIZE(names); k++)
				names[n++] = cx->p->services[k]->name;
			{
				const char *hint = str_closest(s, names, n);

				return fail(why, len, "usage.services: '%s' is not a service of the "
						      "catalogue%s%s%s",
					    s, hint ? " (did you mean '" : "", hint ? hint : "",
					    hint ? "'?)" : "");
			}
		}
	}
	/* LANREQ-44: what restricts the device must fit the kernel's per-device elements. */
	if (cx->p->registry.enforce_services) {
		size_t ports = 0;

		json_array_foreach(json_object_get(doc, "usage.services"), i, v) {
			const struct service *sv = policy_service(cx->p, json_string_value(v));

			if (!sv->infrastructure)
				ports += lr_service_ports(sv);
		}
		if (ports > LR_DEVICE_PORTS_MAX)
			return fail(why, len, "usage.services: these services name %zu ports; a "
					      "device is restricted to at most %d (LANREQ-44)",
				    ports, LR_DEVICE_PORTS_MAX);
	}
	if (has(doc, "usage.hours")) {
		struct lr_hours h;

		if (lr_hours_parse(str(doc, "usage.hours"), &h))
			return fail(why, len, "usage.hours: '%s' is not like \"Mon-Fri 08:00-19:00\" "
					      "or \"any\" (LANREQ-9)",
				    str(doc, "usage.hours"));
	}

	/* LANREQ-15, LANREQ-23, LANREQ-43: addresses. */
	if (mode && !strcmp(mode, "dhcp") && ip)
		return fail(why, len, "a DHCP device's address comes from its lease: leave "
				      "device.ip out (LANREQ-23)");
	if (ip && !zone_has_ip(z, ip))
		return fail(why, len, "device.ip %s is not in zone '%s''s networks", ip, z->name);
	if (ip && cx->ip_taken && cx->ip_taken(cx->data, ip, self_id))
		return fail(why, len, "device.ip %s is registered to another device "
				      "(LANREQ-43: no address is shared)",
			    ip);
	if (mac && cx->mac_taken && cx->mac_taken(cx->data, mac, self_id))
		return fail(why, len, "device.mac %s has a live registration already; change that "
				      "one instead",
			    mac);
	if (approval && mode && !strcmp(mode, "static") && !ip)
		return fail(why, len, "a static device needs device.ip (LANREQ-15)");
	if (has(doc, "device.hostname") && cx->hostname_taken &&
	    cx->hostname_taken(cx->data, str(doc, "device.hostname"), self_id))
		return fail(why, len, "hostname '%s' is registered to another device",
			    str(doc, "device.hostname"));
	return 0;
}

/* "netadmin", "netadmin or operator", "netadmin, helpdesk or dept-head" */
static void roles_text(unsigned roles, char *buf, size_t len)
{
	unsigned bit, n = 0, total = (unsigned)__builtin_popcount(roles & ROLE__ALL);
	size_t o = 0;

	buf[0] = 0;
	for (bit = 1; bit & ROLE__ALL; bit <<= 1) {
		int w;

		if (!(roles & bit))
			continue;
		n++;
		w = snprintf(buf + o, len - o, "%s%s", n == 1 ? "" : n == total ? " or " : ", ",
			     role_name((enum role)bit));
		if (w < 0 || (size_t)w >= len - o)
			return;
		o += (size_t)w;
	}
}

/* @what: "'device approve'", "the second approval (C-1)". */
static int need_roles(const struct lr_ctx *cx, const char *what, unsigned roles, char *why,
		      size_t len)
{
	char names[160];

	if (cx->roles & roles)
		return 0;
	roles_text(roles, names, sizeof(names));
	return fail(why, len, "%s needs the role %s; %s does not hold it", what, names, cx->actor);
}

int lr_need_role(const struct lr_ctx *cx, enum lr_op op, char *why, size_t len)
{
	char what[40];

	snprintf(what, sizeof(what), "'device %s'", lr_op_name(op));
	return need_roles(cx, what, lr_op_roles(op), why, len);
}

static int need_state(const json_t *doc, unsigned states, const char *verb, char *why,
		      size_t len)
{
	enum lr_state s = lr_state(doc);

	if (states & (1u << s))
		return 0;
	return fail(why, len, "registration %lld is %s; it cannot be %s",
		    (long long)json_integer_value(json_object_get(doc, "id")), lr_state_name(s),
		    verb);
}
#define ST(s) (1u << (s))

/*
 * C-1, LANREQ-48: a department head (security officer) with a department in
 * the config answers for that department only; the registration's
 * user.department decides, or the one a pending change @pc moves it to.
 */
static bool dept_ok(const struct lr_ctx *cx, const json_t *doc, const json_t *pc)
{
	const char *d = str(doc, "user.department");
	const char *nd = pc ? str(json_object_get(pc, "fields"), "user.department") : NULL;

	if (!cx->department || !*cx->department)
		return true;
	return (d && !strcmp(d, cx->department)) || (nd && !strcmp(nd, cx->department));
}

static int dept_refusal(const struct lr_ctx *cx, const json_t *doc, const char *what,
			const char *reqs, char *why, size_t len)
{
	return fail(why, len, "%s %s for the department '%s'; registration %lld is for '%s' (%s)",
		    cx->actor, what, cx->department,
		    (long long)json_integer_value(json_object_get(doc, "id")),
		    str(doc, "user.department") ?: "", reqs);
}

int lr_request(const struct lr_ctx *cx, const json_t *args, json_t **ret, char *why, size_t len)
{
	json_t *doc;
	int r;

	*ret = NULL;
	if ((r = lr_need_role(cx, LRO_REQUEST, why, len)))
		return r;
	if (!json_is_object(args))
		return fail(why, len, "a request is a set of fields");
	doc = json_object();
	if (!doc)
		return -ENOMEM;
	r = take_fields(doc, args, LRF_REQUEST | LRF_CHANGE, NULL, 0, why, len);
	if (!r) {
		int64_t until;

		r = check_doc(cx, doc, 0, false, why, len);
		if (!r && until_of(doc, "usage.valid_until", &until) && until <= cx->now)
			r = fail(why, len, "usage.valid_until is in the past");
	}
	if (!r)
		r = set_str(doc, "state", "requested") ?: set_str(doc, "requested_by", cx->actor) ?:
			set_time(doc, "requested_at", cx->now);
	/*
	 * C-1: a request filed by the department head carries the endorsement,
	 * if it is for their department.
	 */
	if (!r && (cx->roles & ROLE_DEPT_HEAD) && dept_ok(cx, doc, NULL))
		r = set_str(doc, "endorsed_by", cx->actor) ?: set_time(doc, "endorsed_at", cx->now);
	if (r) {
		json_decref(doc);
		return r;
	}
	*ret = doc;
	return 0;
}

int lr_endorse(const struct lr_ctx *cx, json_t *doc, char *why, size_t len)
{
	json_t *pc = json_object_get(doc, "pending_change");
	int r;

	if ((r = lr_need_role(cx, LRO_ENDORSE, why, len)))
		return r;
	/* LANREQ-36: a change request is endorsed like a request. */
	if (pc) {
		if (has(pc, "endorsed_by"))
			return fail(why, len, "the pending change is endorsed by %s already",
				    str(pc, "endorsed_by"));
		if (has(pc, "approved_by"))
			return fail(why, len, "the pending change is approved by %s already",
				    str(pc, "approved_by"));
		if (!dept_ok(cx, doc, pc))
			return dept_refusal(cx, doc, "endorses", "C-1", why, len);
		return set_str(pc, "endorsed_by", cx->actor) ?: set_time(pc, "endorsed_at", cx->now);
	}
	if ((r = need_state(doc, ST(LRS_REQUESTED), "endorsed", why, len)))
		return r;
	if (has(doc, "endorsed_by"))
		return fail(why, len, "already endorsed by %s", str(doc, "endorsed_by"));
	if (!dept_ok(cx, doc, NULL))
		return dept_refusal(cx, doc, "endorses", "C-1", why, len);
	return set_str(doc, "endorsed_by", cx->actor) ?: set_time(doc, "endorsed_at", cx->now);
}

/* LANREQ-22: the zone's pattern, "{octet}" / "{octet:3}" the address's last octet. */
static int hostname_from(const char *pat, const char *ip, char *out, size_t len)
{
	struct in_addr a;
	unsigned octet;
	size_t o = 0;
	const char *p;

	if (!pat || !ip || inet_pton(AF_INET, ip, &a) != 1)
		return -EINVAL;
	octet = ntohl(a.s_addr) & 0xff;
	for (p = pat; *p; p++) {
		int w = 0, n;

		if (!strncmp(p, "{octet}", 7) || (!strncmp(p, "{octet:", 7) && isdigit((unsigned char)p[7]) && p[8] == '}')) {
			w = p[6] == ':' ? p[7] - '0' : 0;
			n = snprintf(out + o, len - o, "%0*u", w, octet);
			if (n < 0 || (size_t)n >= len - o)
				return -EINVAL;
			o += (size_t)n;
			p += w ? 8 : 6;
			continue;
		}
		if (o + 1 >= len)
			return -EINVAL;
		out[o++] = *p;
	}
	out[o] = 0;
	return 0;
}

/* The next free address of the zone's pool (LANREQ-22, LANREQ-41). */
static int pool_next(const struct lr_ctx *cx, const struct zone *z, int64_t self_id, char *out,
		     size_t len)
{
	uint32_t lo, hi, a;
	struct in_addr ia;

	if (!z->pool.family)
		return -ENOENT;
	memcpy(&lo, z->pool.lo, 4);
	memcpy(&hi, z->pool.hi, 4);
	for (a = ntohl(lo); a <= ntohl(hi) && a != 0; a++) {
		ia.s_addr = htonl(a);
		inet_ntop(AF_INET, &ia, out, (socklen_t)len);
		if (!cx->ip_taken || !cx->ip_taken(cx->data, out, self_id))
			return 0;
		if (a == 0xffffffffu)
			break;
	}
	return -ENOSPC;
}

static int64_t doc_id(const json_t *doc)
{
	return json_integer_value(json_object_get(doc, "id"));
}

static int approve_change(const struct lr_ctx *cx, json_t *doc, const json_t *args, char *why,
			  size_t len);

/* C-1: the second approver's consent; the registration is admitted from here on. */
static int approve_second(const struct lr_ctx *cx, json_t *doc, const json_t *args, char *why,
			  size_t len)
{
	int r;

	if ((r = need_roles(cx, "the second approval (C-1)", cx->set->second_approval, why,
			    len)))
		return r;
	if (!strcmp(str(doc, "approved_by") ?: "", cx->actor))
		return fail(why, len, "%s approved registration %lld already; the second approval "
				      "is another person's (C-1)",
			    cx->actor, (long long)doc_id(doc));
	if (json_object_size(args))
		return fail(why, len, "a second approval sets no field (C-1)");
	if ((r = check_doc(cx, doc, doc_id(doc), true, why, len)))
		return r;
	return set_str(doc, "state", "approved") ?: set_str(doc, "second_approved_by", cx->actor) ?:
		set_time(doc, "second_approved_at", cx->now) ?:
		set_time(doc, "check_due", cx->now + cx->set->conformance_check);
}

int lr_approve(const struct lr_ctx *cx, json_t *doc, const json_t *args, char *why, size_t len)
{
	static const char *const allowed[] = { "device.hostname", "device.ip", "usage.location",
					       "device.connection_point", "configured_by" };
	static const char *const extra[] = { "configured_by" };
	const struct zone *z;
	const char *key, *ip;
	json_t *v, *work;
	size_t i;
	int r;

	if (json_object_get(doc, "pending_change") &&
	    (lr_state(doc) == LRS_APPROVED || lr_state(doc) == LRS_CHANGED))
		return approve_change(cx, doc, args, why, len);
	if (lr_state(doc) == LRS_SECOND && cx->set->second_approval)
		return approve_second(cx, doc, args, why, len);
	if ((r = lr_need_role(cx, LRO_APPROVE, why, len)) ||
	    (r = need_state(doc, ST(LRS_REQUESTED), "approved", why, len)))
		return r;
	/* C-1: the department head's endorsement comes first. */
	if (!has(doc, "endorsed_by"))
		return fail(why, len, "registration %lld is not endorsed by a department head yet "
				      "(C-1, LANREQ-3): 'netctl device endorse %lld'",
			    (long long)doc_id(doc), (long long)doc_id(doc));
	/* ADM-11: four eyes. */
	if (cx->set->four_eyes && str(doc, "requested_by") &&
	    !strcmp(str(doc, "requested_by"), cx->actor))
		return fail(why, len, "%s filed this request and cannot approve it too (four eyes, "
				      "ADM-11)",
			    cx->actor);
	json_object_foreach((json_t *)args, key, v) {
		for (i = 0; i < ARRAY_SIZE(allowed); i++)
			if (!strcmp(key, allowed[i]))
				break;
		if (i == ARRAY_SIZE(allowed))
			return fail(why, len, "'%s' cannot be set on approval (only hostname, ip, "
					      "location, connection point, configured_by)",
				    key);
	}
	work = json_deep_copy(doc);
	if (!work)
		return -ENOMEM;
	r = take_fields(work, args, LRF_APPROVAL | LRF_CHANGE, extra, 1, why, len);
	if (r)
		goto out;
	z = policy_zone(cx->p, str(work, "zone"));
	if (!has(work, "usage.location") && has(work, "usage.location_requested"))
		json_object_set(work, "usage.location",
				json_object_get(work, "usage.location_requested"));
	ip = str(work, "device.ip");
	if (z && !ip && !strcmp(str(work, "device.addr_mode") ?: "", "static")) {
		char a[INET_ADDRSTRLEN];

		r = pool_next(cx, z, doc_id(work), a, sizeof(a));
		if (r == -ENOENT) {
			r = fail(why, len, "zone '%s' has no address pool: give device.ip "
					   "(LANREQ-22)",
				 z->name);
			goto out;
		}
		if (r) {
			r = fail(why, len, "zone '%s''s address pool is exhausted", z->name);
			goto out;
		}
		if ((r = set_str(work, "device.ip", a)))
			goto out;
		ip = str(work, "device.ip");
	}
	if (z && !has(work, "device.hostname") && z->hostname_pattern) {
		char h[128];

		if (ip && !hostname_from(z->hostname_pattern, ip, h, sizeof(h)) &&
		    (r = set_str(work, "device.hostname", h)))
			goto out;
		if (!ip && (r = set_str(work, "device.hostname", str(work, "device.name"))))
			goto out;
	}
	r = check_doc(cx, work, doc_id(work), true, why, len);
	if (r)
		goto out;
	/* C-1: with a second approver, not admitted until that approval too. */
	r = set_str(work, "state", cx->set->second_approval ? "second-approval" : "approved") ?:
		set_str(work, "approved_by", cx->actor) ?: set_time(work, "approved_at", cx->now);
	if (!r && !has(work, "configured_by"))
		r = set_str(work, "configured_by", cx->actor);
	if (!r && !cx->set->second_approval)
		r = set_time(work, "check_due", cx->now + cx->set->conformance_check);
	if (!r) {
		json_object_update(doc, work);
	}
out:
	json_decref(work);
	return r;
}

int lr_refuse(const struct lr_ctx *cx, json_t *doc, const char *reason, char *why, size_t len)
{
	json_t *pc = json_object_get(doc, "pending_change");
	enum lr_state s = lr_state(doc);
	unsigned roles = ROLE_NETADMIN;
	int r;

	/* C-1: the second approver may refuse what waits for them. */
	if (s == LRS_SECOND || (pc && has(pc, "approved_by")))
		roles |= cx->set->second_approval;
	if ((r = need_roles(cx, "'device refuse'", roles, why, len)))
		return r;
	if (!pc && (r = need_state(doc, ST(LRS_REQUESTED) | ST(LRS_SECOND), "refused", why, len)))
		return r;
	if (!reason || !*reason || !text_ok(reason) || strlen(reason) > TEXT_MAX)
		return fail(why, len, "a refusal carries its reason for the applicant (LANREQ-4): "
				      "--reason TEXT");
	if (pc) {
		/* LANREQ-36: the registration stays as approved; the change is kept as refused. */
		json_t *done = json_deep_copy(pc);

		if (!done || json_object_set_new(done, "refused_by", json_string(cx->actor)) ||
		    set_time(done, "refused_at", cx->now) ||
		    json_object_set_new(done, "refusal_reason", json_string(reason)) ||
		    json_object_set_new(doc, "change_refused", done))
			return -ENOMEM;
		json_object_del(doc, "pending_change");
		return 0;
	}
	return set_str(doc, "state", "refused") ?: set_str(doc, "refused_by", cx->actor) ?:
		set_time(doc, "refused_at", cx->now) ?: set_str(doc, "refusal_reason", reason);
}

static bool wider_list(const json_t *before, const json_t *after)
{
	size_t i, k;
	json_t *a, *b;

	json_array_foreach(after, i, a) {
		bool found = false;

		json_array_foreach(before, k, b)
			found |= json_equal(a, b);
		if (!found)
			return true;
	}
	return false;
}

static const char *const change_keys[] = { "change.location", "change.purpose", "change.reason",
					   "change.security_review", "change.unset" };

/*
 * The registration as the change @pc would make it (*@ret, a new
 * document): its fields set and removed, refused if less secure than
 * @doc (LANREQ-35) or against any rule (check_doc).
 */
static int change_result(const struct lr_ctx *cx, const json_t *doc, const json_t *pc,
			 json_t **ret, char *why, size_t len)
{
	const char *review = str(pc, "security_review"), *sec;
	json_t *work, *v;
	size_t i;
	int r;

	*ret = NULL;
	work = json_deep_copy(doc);
	if (!work)
		return -ENOMEM;
	json_object_update(work, json_object_get(pc, "fields"));
	json_array_foreach(json_object_get(pc, "unset"), i, v)
		json_object_del(work, json_string_value(v));
	/* LANREQ-35: never less secure than before. */
	sec = str(work, "device.security");
	if (!sec || !*sec || !strcasecmp(sec, "none"))
		r = fail(why, len, "the change removes the device's security measures "
				   "(LANREQ-5, LANREQ-35)");
	else if (!strcmp(str(doc, "owner") ?: "", "company") &&
		 strcmp(str(work, "owner") ?: "", "company"))
		r = fail(why, len, "a company device cannot become %s by a change; file a new "
				   "request (LANREQ-35)",
			 str(work, "owner"));
	else if (!review && (wider_list(json_object_get(doc, "usage.services"),
					json_object_get(work, "usage.services")) ||
			     strcmp(str(doc, "zone") ?: "", str(work, "zone") ?: "") ||
			     strcmp(str(doc, "usage.hours") ?: "", str(work, "usage.hours") ?: "") ||
			     strcmp(str(doc, "device.class") ?: "", str(work, "device.class") ?: "")))
		r = fail(why, len, "the change widens services, hours, zone or class: record the "
				   "security comparison with --change.security_review TEXT "
				   "(LANREQ-35)");
	else
		r = check_doc(cx, work, doc_id(work), true, why, len);
	if (r) {
		json_decref(work);
		return r;
	}
	*ret = work;
	return 0;
}

/* LANREQ-36: the approved change takes effect; the check and the notices start again. */
static int change_apply(const struct lr_ctx *cx, json_t *doc, json_t *pc, char *why, size_t len)
{
	static const char *const keep[] = { "location",	    "purpose",	   "reason",
					    "security_review", "unset",	   "requested_by",
					    "requested_at",    "endorsed_by", "endorsed_at",
					    "approved_by",     "approved_at", "direct" };
	json_t *work, *change;
	size_t i;
	int r;

	if ((r = change_result(cx, doc, pc, &work, why, len)))
		return r;
	change = json_object();
	for (i = 0; change && i < ARRAY_SIZE(keep); i++)
		if (json_object_get(pc, keep[i]))
			json_object_set(change, keep[i], json_object_get(pc, keep[i]));
	if (!change || (has(pc, "approved_by") && set_str(change, "second_approved_by", cx->actor)) ||
	    set_str(change, "by", cx->actor) || set_time(change, "at", cx->now) ||
	    json_object_set_new(work, "last_change", change)) {
		json_decref(work);
		return -ENOMEM;
	}
	json_object_del(work, "pending_change");
	json_object_del(work, "change_required");
	json_object_del(work, "check_confirmed_by");
	json_object_del(work, "check_confirmed_at");
	json_object_del(work, "check_comment");
	if (!json_equal(json_object_get(doc, "usage.valid_until"),
			json_object_get(work, "usage.valid_until")))
		json_object_del(work, "expiry_notice_at");
	r = set_str(work, "state", "changed") ?:
		/* LANREQ-36: the 2-week check and the notices start again. */
		set_time(work, "check_due", cx->now + cx->set->conformance_check);
	if (!r) {
		/* Replaced whole: a removed field (change.unset) goes too. */
		json_object_clear(doc);
		r = json_object_update(doc, work) ? -ENOMEM : 0;
	}
	json_decref(work);
	return r;
}

/*
 * LANREQ-36, C-1: a netadmin approves the pending change (endorsed by the
 * head unless it was filed directly), or, with a second approver, the
 * second approver completes it.
 */
static int approve_change(const struct lr_ctx *cx, json_t *doc, const json_t *args, char *why,
			  size_t len)
{
	static const char *const allowed[] = { "device.hostname", "device.ip", "usage.location",
					       "device.connection_point" };
	json_t *pc = json_object_get(doc, "pending_change"), *fields, *work;
	const char *key;
	json_t *v;
	size_t i;
	int r;

	if (has(pc, "approved_by")) {
		if ((r = need_roles(cx, "the second approval (C-1)", cx->set->second_approval,
				    why, len)))
			return r;
		if (!strcmp(str(pc, "approved_by"), cx->actor))
			return fail(why, len, "%s approved this change already; the second "
					      "approval is another person's (C-1)",
				    cx->actor);
		if (json_object_size(args))
			return fail(why, len, "a second approval sets no field (C-1)");
		return change_apply(cx, doc, pc, why, len);
	}
	if ((r = lr_need_role(cx, LRO_APPROVE, why, len)))
		return r;
	if (!has(pc, "endorsed_by") && !json_is_true(json_object_get(pc, "direct")))
		return fail(why, len, "the change of registration %lld is not endorsed by a "
				      "department head yet (C-1, LANREQ-36): 'netctl device endorse "
				      "%lld'",
			    (long long)doc_id(doc), (long long)doc_id(doc));
	if (cx->set->four_eyes && !strcmp(str(pc, "requested_by") ?: "", cx->actor) &&
	    !json_is_true(json_object_get(pc, "direct")))
		return fail(why, len, "%s filed this change and cannot approve it too (four eyes, "
				      "ADM-11)",
			    cx->actor);
	json_object_foreach((json_t *)args, key, v) {
		for (i = 0; i < ARRAY_SIZE(allowed); i++)
			if (!strcmp(key, allowed[i]))
				break;
		if (i == ARRAY_SIZE(allowed))
			return fail(why, len, "'%s' cannot be set on the approval of a change (only "
					      "hostname, ip, location, connection point)",
				    key);
	}
	/* What the approver adds (an address, a connection point) is part of the change. */
	fields = json_deep_copy(json_object_get(pc, "fields"));
	if (!fields)
		return -ENOMEM;
	r = take_fields(fields, args, LRF_CHANGE, NULL, 0, why, len);
	if (r) {
		json_decref(fields);
		return r;
	}
	json_object_set_new(pc, "fields", fields);
	if (!cx->set->second_approval)
		return change_apply(cx, doc, pc, why, len);
	/* C-1: checked now, applied at the second approval. */
	if ((r = change_result(cx, doc, pc, &work, why, len)))
		return r;
	json_decref(work);
	return set_str(pc, "approved_by", cx->actor) ?: set_time(pc, "approved_at", cx->now);
}

/* "device.hw, usage.hours" -> ["device.hw", "usage.hours"]: optional fields a change removes. */
static int unset_list(const char *s, const json_t *fields, json_t **ret, char *why, size_t len)
{
	json_t *a = json_array();
	char *copy, *tok, *save = NULL;
	int r = 0;

	*ret = NULL;
	if (!a || !(copy = strdup(s)))
		return json_decref(a), -ENOMEM;
	for (tok = strtok_r(copy, ", ", &save); tok && !r; tok = strtok_r(NULL, ", ", &save)) {
		const struct lr_field *f;
		char *c;

		for (c = tok; *c; c++)
			if (*c == '-')
				*c = '_';
		f = lr_field(tok);
		if (!f) {
			const char *hint = field_hint(tok);

			r = fail(why, len, "change.unset: unknown field '%s'%s%s%s", tok,
				 hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
		} else if (!(f->flags & LRF_CHANGE) || (f->flags & (LRF_REQUEST | LRF_APPROVAL))) {
			r = fail(why, len, "change.unset: '%s' is required (%s); a change can set it, "
					   "not remove it",
				 tok, f->reqs);
		} else if (json_object_get(fields, tok)) {
			r = fail(why, len, "change.unset: '%s' is also given a value", tok);
		} else if (json_array_append_new(a, json_string(tok))) {
			r = -ENOMEM;
		}
	}
	free(copy);
	if (!r && !json_array_size(a))
		r = fail(why, len, "change.unset: name the fields to remove");
	if (r) {
		json_decref(a);
		return r;
	}
	*ret = a;
	return 0;
}

int lr_change(const struct lr_ctx *cx, json_t *doc, const json_t *args, char *why, size_t len)
{
	json_t *pc, *fields = NULL, *unset = NULL, *work;
	const char *review, *u;
	int r;
	size_t i;

	if ((r = lr_need_role(cx, LRO_CHANGE, why, len)) ||
	    (r = need_state(doc, ST(LRS_APPROVED) | ST(LRS_CHANGED), "changed", why, len)))
		return r;
	if (json_object_get(doc, "pending_change"))
		return fail(why, len, "registration %lld has a change pending, filed by %s; it is "
				      "approved or refused first (LANREQ-36)",
			    (long long)doc_id(doc),
			    str(json_object_get(doc, "pending_change"), "requested_by") ?: "-");
	/* LANREQ-34: where, what for and why, or no change. */
	for (i = 0; i < 3; i++) {
		const char *v = json_string_value(json_object_get(args, change_keys[i]));

		if (!v || !*v || !text_ok(v) || strlen(v) > TEXT_MAX)
			return fail(why, len, "a change request states its location, purpose and "
					      "reason (LANREQ-34): --%s is missing",
				    change_keys[i]);
	}
	review = json_string_value(json_object_get(args, "change.security_review"));
	if (review && (!text_ok(review) || strlen(review) > TEXT_MAX))
		return fail(why, len, "change.security_review is not printable text");
	fields = json_object();
	if (!fields)
		return -ENOMEM;
	r = take_fields(fields, args, LRF_CHANGE, change_keys, ARRAY_SIZE(change_keys), why, len);
	if (!r && (u = json_string_value(json_object_get(args, "change.unset"))))
		r = unset_list(u, fields, &unset, why, len);
	if (!r && !json_object_size(fields) && !unset)
		r = fail(why, len, "the change request changes no field (LANREQ-36)");
	pc = r ? NULL
	       : json_pack("{s:o, s:s, s:s, s:s, s:s*, s:s}", "fields", fields, "location",
			   json_string_value(json_object_get(args, "change.location")), "purpose",
			   json_string_value(json_object_get(args, "change.purpose")), "reason",
			   json_string_value(json_object_get(args, "change.reason")),
			   "security_review", review, "requested_by", cx->actor);
	if (r) {
		json_decref(fields);
		json_decref(unset);
		return r;
	}
	if (!pc) {
		json_decref(unset);
		return -ENOMEM;
	}
	if ((unset && json_object_set_new(pc, "unset", unset)) ||
	    set_time(pc, "requested_at", cx->now)) {
		json_decref(pc);
		return -ENOMEM;
	}
	/* Refused at filing what would be refused at approval (LANREQ-34, LANREQ-35). */
	r = change_result(cx, doc, pc, &work, why, len);
	if (r) {
		json_decref(pc);
		return r;
	}
	json_decref(work);
	/* C-1: a change filed by the head of the department carries the endorsement. */
	if ((cx->roles & ROLE_DEPT_HEAD) && dept_ok(cx, doc, pc) &&
	    (set_str(pc, "endorsed_by", cx->actor) || set_time(pc, "endorsed_at", cx->now))) {
		json_decref(pc);
		return -ENOMEM;
	}
	if (json_object_set_new(doc, "pending_change", pc))
		return -ENOMEM;
	/*
	 * registry.direct_change: a netadmin's change is filed and approved in
	 * one step (recorded as "direct": no endorsement).
	 */
	if ((cx->roles & ROLE_NETADMIN) && cx->set->direct_change) {
		json_t *none = json_object();

		json_object_set_new(pc, "direct", json_true());
		r = none ? approve_change(cx, doc, none, why, len) : -ENOMEM;
		json_decref(none);
		if (r)
			json_object_del(doc, "pending_change");
	}
	return r;
}

static int end_as(const struct lr_ctx *cx, json_t *doc, const char *state, const char *reason)
{
	int r = set_str(doc, "state", state) ?: set_str(doc, "ended_by", cx->actor) ?:
		set_time(doc, "ended_at", cx->now) ?: set_str(doc, "end_reason", reason);

	/* LANREQ-41: the address goes back to the pool; the record keeps what it was. */
	if (!r && has(doc, "device.ip")) {
		json_object_set(doc, "released_ip", json_object_get(doc, "device.ip"));
		json_object_del(doc, "device.ip");
	}
	json_object_del(doc, "lease_ip");
	/* A change or a check that waited for this registration has nothing left to act on. */
	json_object_del(doc, "pending_change");
	json_object_del(doc, "state_before_hold");
	return r;
}

int lr_end(const struct lr_ctx *cx, json_t *doc, const char *reason, char *why, size_t len)
{
	int r;

	if ((r = lr_need_role(cx, LRO_END, why, len)) ||
	    (r = need_state(doc,
			    ST(LRS_REQUESTED) | ST(LRS_APPROVED) | ST(LRS_CHANGED) |
				    ST(LRS_QUARANTINED) | ST(LRS_SECOND) | ST(LRS_HELD),
			    "ended", why, len)))
		return r;
	if (!reason || !*reason || !text_ok(reason) || strlen(reason) > TEXT_MAX)
		return fail(why, len, "an end records why (LANREQ-38): --reason TEXT");
	return end_as(cx, doc, "ended", reason);
}

int lr_quarantine(const struct lr_ctx *cx, json_t *doc, const char *reason, char *why,
		  size_t len)
{
	int r;

	if ((r = lr_need_role(cx, LRO_QUARANTINE, why, len)) ||
	    (r = need_state(doc, ST(LRS_APPROVED) | ST(LRS_CHANGED) | ST(LRS_HELD), "quarantined",
			    why, len)))
		return r;
	if (!reason || !*reason || !text_ok(reason) || strlen(reason) > TEXT_MAX)
		return fail(why, len, "a quarantine records why (LANREQ-42): --reason TEXT");
	/*
	 * C-32: the cut lasts until a release, whatever happens to the
	 * registration meanwhile (an end, an expiry, a departure).
	 */
	return set_str(doc, "state_before_quarantine", lr_state_name(lr_state(doc))) ?:
		set_str(doc, "state", "quarantined") ?: set_str(doc, "quarantined_by", cx->actor) ?:
		set_time(doc, "quarantined_at", cx->now) ?:
		set_str(doc, "quarantine_reason", reason) ?:
		(json_object_set_new(doc, "quarantine_open", json_true()) ? -ENOMEM : 0);
}

int lr_release(const struct lr_ctx *cx, json_t *doc, const char *instructed_by, char *why,
	       size_t len)
{
	const char *back;
	int r;

	if ((r = lr_need_role(cx, LRO_RELEASE, why, len)))
		return r;
	if (!json_is_true(json_object_get(doc, "quarantine_open")) &&
	    (r = need_state(doc, ST(LRS_QUARANTINED), "released", why, len)))
		return r;
	if (!instructed_by || !*instructed_by || !text_ok(instructed_by) ||
	    strlen(instructed_by) > TEXT_MAX)
		return fail(why, len, "a release records who instructed it (INC-2, C-32): "
				      "--instructed-by NAME");
	back = str(doc, "state_before_quarantine");
	/* Ended or expired meanwhile: it stays so; only the cut is lifted. */
	if (lr_state(doc) == LRS_QUARANTINED)
		r = set_str(doc, "state",
			    back && (!strcmp(back, "changed") || !strcmp(back, "held")) ? back
											 : "approved");
	r = r ?: set_str(doc, "released_by", cx->actor) ?: set_time(doc, "released_at", cx->now) ?:
		set_str(doc, "release_instructed_by", instructed_by);
	json_object_del(doc, "state_before_quarantine");
	json_object_del(doc, "quarantine_open");
	return r;
}

int lr_hold(const struct lr_ctx *cx, json_t *doc, const char *reason, char *why, size_t len)
{
	int r;

	if ((r = lr_need_role(cx, LRO_HOLD, why, len)) ||
	    (r = need_state(doc, ST(LRS_APPROVED) | ST(LRS_CHANGED), "held", why, len)))
		return r;
	if (!reason || !*reason || !text_ok(reason) || strlen(reason) > TEXT_MAX)
		return fail(why, len, "a hold records why (LANREQ-48): --reason TEXT");
	/* The last clearance belongs to the last hold; the history keeps it. */
	json_object_del(doc, "hold_cleared_by");
	json_object_del(doc, "hold_cleared_at");
	json_object_del(doc, "hold_checked_by");
	json_object_del(doc, "hold_check_note");
	return set_str(doc, "state_before_hold", lr_state_name(lr_state(doc))) ?:
		set_str(doc, "state", "held") ?: set_str(doc, "held_by", cx->actor) ?:
		set_time(doc, "held_at", cx->now) ?: set_str(doc, "hold_reason", reason);
}

int lr_clear(const struct lr_ctx *cx, json_t *doc, const char *checked_by, const char *note,
	     char *why, size_t len)
{
	const char *back = str(doc, "state_before_hold");
	int r;

	if ((r = lr_need_role(cx, LRO_CLEAR, why, len)) ||
	    (r = need_state(doc, ST(LRS_HELD), "cleared", why, len)))
		return r;
	/* LANREQ-48: the security officer of the user's department. */
	if (!dept_ok(cx, doc, NULL))
		return dept_refusal(cx, doc, "is the security officer", "LANREQ-48", why, len);
	if (!checked_by || !*checked_by || !text_ok(checked_by) || strlen(checked_by) > TEXT_MAX)
		return fail(why, len, "a clearance records who checked the device for malware "
				      "(LANREQ-48): --checked-by NAME");
	if (!note || !*note || !text_ok(note) || strlen(note) > TEXT_MAX)
		return fail(why, len, "a clearance records what the check found (LANREQ-48): "
				      "--note TEXT");
	r = set_str(doc, "state", back && !strcmp(back, "changed") ? "changed" : "approved") ?:
		set_str(doc, "hold_cleared_by", cx->actor) ?:
		set_time(doc, "hold_cleared_at", cx->now) ?:
		set_str(doc, "hold_checked_by", checked_by) ?: set_str(doc, "hold_check_note", note);
	json_object_del(doc, "state_before_hold");
	return r;
}

int lr_confirm(const struct lr_ctx *cx, json_t *doc, const char *comment, char *why, size_t len)
{
	int r;

	if ((r = lr_need_role(cx, LRO_CONFIRM, why, len)) ||
	    (r = need_state(doc,
			    ST(LRS_APPROVED) | ST(LRS_CHANGED) | ST(LRS_QUARANTINED) | ST(LRS_HELD),
			    "checked", why, len)))
		return r;
	if (!has(doc, "check_due"))
		return fail(why, len, "registration %lld has no open check", (long long)doc_id(doc));
	if (has(doc, "check_confirmed_by"))
		return fail(why, len, "the check was confirmed by %s already",
			    str(doc, "check_confirmed_by"));
	/* C-25: only a person confirms, with what they found. */
	if (!comment || !*comment || !text_ok(comment) || strlen(comment) > TEXT_MAX)
		return fail(why, len, "a confirmation records what was found (LANREQ-30, C-25): "
				      "--comment TEXT");
	return set_str(doc, "check_confirmed_by", cx->actor) ?:
		set_time(doc, "check_confirmed_at", cx->now) ?: set_str(doc, "check_comment", comment);
}

enum lr_person_effect lr_person_effect(const json_t *doc, const char *person, const char *status)
{
	const char *u = str(doc, "user.name"), *c = str(doc, "device.custodian");
	enum lr_state s = lr_state(doc);

	if (!live(s) || !person || !((u && !strcmp(u, person)) || (c && !strcmp(c, person))))
		return LRP_NONE;
	if (!strcmp(status, "departed") || !strcmp(status, "contract-ended") ||
	    !strcmp(status, "on-leave"))
		return LRP_END;
	if (!strcmp(status, "transferred") && !has(doc, "change_required"))
		return LRP_FLAG;
	return LRP_NONE;
}

int lr_person_apply(const struct lr_ctx *cx, json_t *doc, enum lr_person_effect effect,
		    const char *person, const char *status, char *why, size_t len)
{
	char reason[256];
	int r;

	if ((r = lr_need_role(cx, LRO_PERSON, why, len)))
		return r;
	snprintf(reason, sizeof(reason), "%s: %s (LANREQ-40, C-15)", person, status);
	if (effect == LRP_END)
		return end_as(cx, doc, "ended", reason);
	if (effect == LRP_FLAG) {
		snprintf(reason, sizeof(reason), "%s transferred: a change request is needed "
						 "(LANREQ-51)",
			 person);
		return set_str(doc, "change_required", reason);
	}
	return 0;
}

/* ---- usage hours ----------------------------------------------------------- */

static const char *const day_names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

static int day_index(const char *s, size_t n)
{
	int i;

	if (n != 3)
		return -1;
	for (i = 0; i < 7; i++)
		if (!strncasecmp(s, day_names[i], 3))
			return i;
	return -1;
}

static int parse_hm(const char *s, int *ret)
{
	unsigned h, m;
	int n = 0;

	if (sscanf(s, "%2u:%2u%n", &h, &m, &n) != 2 || n != 5 || h > 24 || m > 59 ||
	    (h == 24 && m))
		return -EINVAL;
	*ret = (int)(h * 60 + m);
	return 0;
}

int lr_hours_parse(const char *s, struct lr_hours *ret)
{
	const char *sp, *p;
	int a, b;

	memset(ret, 0, sizeof(*ret));
	if (!s)
		return -EINVAL;
	if (!strcasecmp(s, "any")) {
		ret->any = true;
		return 0;
	}
	sp = strchr(s, ' ');
	if (sp) {
		/* Days: "Mon-Fri", "Sat,Sun", "Mon". */
		for (p = s; p < sp;) {
			const char *e = p;

			while (e < sp && *e != ',')
				e++;
			if (e - p == 7 && p[3] == '-') {
				a = day_index(p, 3);
				b = day_index(p + 4, 3);
				if (a < 0 || b < 0)
					return -EINVAL;
				for (; a != b; a = (a + 1) % 7)
					ret->days |= (uint8_t)(1u << a);
				ret->days |= (uint8_t)(1u << b);
			} else {
				a = day_index(p, (size_t)(e - p));
				if (a < 0)
					return -EINVAL;
				ret->days |= (uint8_t)(1u << a);
			}
			p = e < sp ? e + 1 : e;
		}
		s = sp + 1;
	} else {
		ret->days = 0x7f;
	}
	if (strlen(s) != 11 || s[5] != '-' || parse_hm(s, &ret->from_min) ||
	    parse_hm(s + 6, &ret->to_min) || ret->from_min == ret->to_min)
		return -EINVAL;
	return 0;
}

bool lr_hours_contain(const struct lr_hours *h, int64_t t, int utc_offset)
{
	int64_t local = t + utc_offset, days, sec;
	int wday, min;

	if (h->any)
		return true;
	days = local >= 0 ? local / DAY_SECONDS : -((-local + DAY_SECONDS - 1) / DAY_SECONDS);
	sec = local - days * DAY_SECONDS;
	/* 1970-01-01 was a Thursday (index 3). */
	wday = (int)(((days % 7) + 7 + 3) % 7);
	min = (int)(sec / 60);
	if (h->from_min < h->to_min)
		return (h->days & (1u << wday)) && min >= h->from_min && min < h->to_min;
	/* Across midnight: the evening belongs to the day it starts on. */
	if (min >= h->from_min)
		return h->days & (1u << wday);
	return min < h->to_min && (h->days & (1u << ((wday + 6) % 7)));
}

int64_t lr_hours_next(const struct lr_hours *h, int64_t t, int utc_offset)
{
	bool now = lr_hours_contain(h, t, utc_offset);
	int64_t m = (t / 60 + 1) * 60, end = t + 8 * DAY_SECONDS;

	if (h->any)
		return 0;
	/* Minute steps are cheap enough for a timer that runs a few times a day. */
	for (; m <= end; m += 60)
		if (lr_hours_contain(h, m, utc_offset) != now)
			return m;
	return 0;
}

/* ---- time-driven state ----------------------------------------------------- */

void lr_kernel(const json_t *doc, const struct lr_settings *set, int64_t now, bool *admit,
	       bool *quarantine, const char **mac, const char **ip)
{
	enum lr_state s = lr_state(doc);
	int64_t from, until;
	struct lr_hours h;

	*admit = *quarantine = false;
	*mac = str(doc, "device.mac");
	*ip = str(doc, "device.ip") ?: str(doc, "lease_ip");
	if (!*mac)
		return;
	if (s == LRS_QUARANTINED || json_is_true(json_object_get(doc, "quarantine_open"))) {
		*quarantine = true;
		if (!*ip)
			*ip = str(doc, "released_ip");
		return;
	}
	if (s != LRS_APPROVED && s != LRS_CHANGED)
		return;
	if (!*ip || !lr_period(doc, &from, &until) || now < from || now >= until)
		return;
	if (has(doc, "usage.hours") && !lr_hours_parse(str(doc, "usage.hours"), &h) &&
	    !lr_hours_contain(&h, now, set->utc_offset))
		return;
	*admit = true;
}

size_t lr_service_ports(const struct service *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->n_ports; i++)
		if (s->ports[i].lo)
			n += (size_t)(s->ports[i].hi - s->ports[i].lo) + 1;
	return n;
}

static int port_cmp(const void *a, const void *b)
{
	const struct lr_port *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

static int proto_cmp(const void *a, const void *b)
{
	return (int)*(const uint8_t *)a - (int)*(const uint8_t *)b;
}

/* Sorts @n items of @size and drops duplicates; returns the new count. */
static size_t sort_unique(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *b = v;
	size_t i, o = 0;

	if (!n)
		return 0;
	qsort(v, n, size, cmp);
	for (i = 1; i < n; i++)
		if (cmp(b + o * size, b + i * size))
			memmove(b + ++o * size, b + i * size, size);
	return o + 1;
}

void lr_device_services(const json_t *doc, const struct policy *p,
			struct lr_device_services *ret)
{
	const json_t *list = json_object_get(doc, "usage.services"), *v;
	size_t i, k;

	memset(ret, 0, sizeof(*ret));
	/* LANREQ-44: without the switch, or without services, the zone policy alone. */
	if (!p->registry.enforce_services || !json_array_size(list))
		return;
	ret->restricted = true;
	json_array_foreach(list, i, v) {
		const struct service *s = policy_service(p, json_string_value(v));

		/* SVC-2: infrastructure services pass for every device (compile.c). */
		if (!s || s->infrastructure)
			continue;
		for (k = 0; k < s->n_ports; k++) {
			const struct svc_port *sp = &s->ports[k];
			uint32_t port;

			if (!sp->lo) {
				/* ICMP types and whole protocols: by protocol; the zone checks the type. */
				if (ret->n_protos == LR_DEVICE_PROTOS_MAX) {
					ret->truncated = true;
					continue;
				}
				ret->protos[ret->n_protos++] = sp->proto;
				ret->n_protos = sort_unique(ret->protos, ret->n_protos, 1, proto_cmp);
				continue;
			}
			for (port = sp->lo; port <= sp->hi; port++) {
				if (ret->n_ports == LR_DEVICE_PORTS_MAX) {
					/* Duplicates may have filled it: squeeze them out first. */
					ret->n_ports = sort_unique(ret->ports, ret->n_ports,
								   sizeof(ret->ports[0]), port_cmp);
					if (ret->n_ports == LR_DEVICE_PORTS_MAX) {
						ret->truncated = true;
						break;
					}
				}
				ret->ports[ret->n_ports].proto = sp->proto;
				ret->ports[ret->n_ports++].port = (uint16_t)port;
			}
		}
	}
	ret->n_ports = sort_unique(ret->ports, ret->n_ports, sizeof(ret->ports[0]), port_cmp);
}

bool lr_expiry_due(const json_t *doc, int64_t now)
{
	enum lr_state s = lr_state(doc);
	int64_t from, until;

	if (!live(s))
		return false;
	return lr_period(doc, &from, &until) && now >= until;
}

int lr_expire(const struct lr_ctx *cx, json_t *doc)
{
	int r = end_as(cx, doc, "expired", "the planned period ended (LANREQ-37)");

	return r ?: set_time(doc, "expired_at", cx->now);
}

static int64_t notice_time(const json_t *doc, const struct lr_settings *set)
{
	int64_t from, until, at, approved;

	if (!lr_period(doc, &from, &until))
		return 0;
	at = until - set->expiry_notice;
	/* C-23: a period shorter than the notice gets it at approval (the second one, C-1). */
	if ((time_of(doc, "second_approved_at", &approved) ||
	     time_of(doc, "approved_at", &approved)) &&
	    at < approved)
		at = approved;
	return at;
}

bool lr_expiry_notice_due(const json_t *doc, const struct lr_settings *set, int64_t now)
{
	enum lr_state s = lr_state(doc);
	int64_t at = notice_time(doc, set);

	if ((s != LRS_APPROVED && s != LRS_CHANGED && s != LRS_QUARANTINED && s != LRS_HELD) ||
	    has(doc, "expiry_notice_at") || !at)
		return false;
	return now >= at;
}

bool lr_check_overdue(const json_t *doc, int64_t now)
{
	enum lr_state s = lr_state(doc);
	int64_t due;

	return (s == LRS_APPROVED || s == LRS_CHANGED) && !has(doc, "check_confirmed_by") &&
	       time_of(doc, "check_due", &due) && now >= due;
}

static void earliest(int64_t *best, int64_t t, int64_t now)
{
	if (t > now && (!*best || t < *best))
		*best = t;
}

int64_t lr_next_event(const json_t *doc, const struct lr_settings *set, int64_t now)
{
	enum lr_state s = lr_state(doc);
	int64_t best = 0, from, until, due;
	struct lr_hours h;

	if (!live(s) || !lr_period(doc, &from, &until))
		return 0;
	earliest(&best, from, now);
	earliest(&best, until, now);
	if (!has(doc, "expiry_notice_at") && s != LRS_REQUESTED && s != LRS_SECOND)
		earliest(&best, notice_time(doc, set), now);
	if (!has(doc, "check_confirmed_by") && time_of(doc, "check_due", &due))
		earliest(&best, due, now);
	if ((s == LRS_APPROVED || s == LRS_CHANGED) && has(doc, "usage.hours") &&
	    !lr_hours_parse(str(doc, "usage.hours"), &h))
		earliest(&best, lr_hours_next(&h, now, set->utc_offset), now);
	return best;
}

/* ---- notices ---------------------------------------------------------------- */

static void line(struct strbuf *sb, const json_t *doc, const char *key)
{
	const struct lr_field *f = lr_field(key);
	const json_t *v = json_object_get(doc, key);
	size_t i;
	json_t *e;

	sb_addf(sb, "  %-26s ", f ? f->label : key);
	if (json_is_string(v))
		sb_addf(sb, "%s", json_string_value(v));
	else if (json_is_boolean(v))
		sb_addf(sb, "%s", json_is_true(v) ? "yes" : "no");
	else if (json_is_array(v))
		json_array_foreach(v, i, e) sb_addf(sb, "%s%s", i ? ", " : "", json_string_value(e));
	else
		sb_addf(sb, "-");
	sb_addf(sb, "\n");
}

/* Header values come from the registry: keep them on one line. */
static void header(struct strbuf *sb, const char *name, const char *v)
{
	const char *p;

	sb_addf(sb, "%s: ", name);
	for (p = v; p && *p; p++)
		sb_addf(sb, "%c", *p == '\r' || *p == '\n' ? ' ' : *p);
	sb_addf(sb, "\n");
}

char *lr_notice_text(const json_t *doc, enum lr_notice k, const char *from)
{
	static const char *const usage[] = { "purpose", "usage.location", "usage.hours",
					     "usage.services", "usage.valid_from",
					     "usage.valid_until" };
	static const char *const device[] = { "device.name", "device.hostname", "device.ip",
					      "device.mac", "device.addr_mode",
					      "device.connection_point", "device.dns",
					      "device.directory", "zone" };
	struct strbuf sb = { 0 };
	char to[1200], subj[300];
	long long id = (long long)doc_id(doc);
	size_t i;

	snprintf(to, sizeof(to), "%s%s%s", str(doc, "user.contact") ?: "",
		 has(doc, "device.custodian_contact") &&
				 strcmp(str(doc, "device.custodian_contact"),
					str(doc, "user.contact") ?: "")
			 ? ", "
			 : "",
		 has(doc, "device.custodian_contact") &&
				 strcmp(str(doc, "device.custodian_contact"),
					str(doc, "user.contact") ?: "")
			 ? str(doc, "device.custodian_contact")
			 : "");
	switch (k) {
	case LRN_APPROVED:
		snprintf(subj, sizeof(subj), "LAN connection %lld approved: %s", id,
			 str(doc, "device.name") ?: "");
		break;
	case LRN_REFUSED:
		snprintf(subj, sizeof(subj), "LAN connection %s %lld refused",
			 lr_state(doc) == LRS_REFUSED ? "request" : "change request", id);
		break;
	case LRN_CHANGED:
		snprintf(subj, sizeof(subj), "LAN connection %lld changed: %s", id,
			 str(doc, "device.name") ?: "");
		break;
	case LRN_EXPIRY:
		snprintf(subj, sizeof(subj), "LAN connection %lld ends on %s", id,
			 str(doc, "usage.valid_until") ?: "");
		break;
	case LRN_ENDED:
		snprintf(subj, sizeof(subj), "LAN connection %lld ended", id);
		break;
	default:
		return NULL;
	}
	if (from)
		header(&sb, "From", from);
	header(&sb, "To", to);
	header(&sb, "Subject", subj);
	sb_addf(&sb, "Content-Type: text/plain; charset=UTF-8\n\n");
	sb_addf(&sb, "To %s,\n\n", str(doc, "user.name") ?: "the applicant");
	switch (k) {
	case LRN_APPROVED:
	case LRN_CHANGED:
		/* LANREQ-25: what was permitted, in full. */
		sb_addf(&sb, "Your LAN connection request %lld was %s by %s%s%s.\n\n", id,
			k == LRN_APPROVED ? "approved" : "changed",
			k == LRN_APPROVED ? str(doc, "approved_by") ?: "-"
					  : json_string_value(json_object_get(
						    json_object_get(doc, "last_change"), "by")) ?: "-",
			/* C-1: both approvers are named. */
			k == LRN_APPROVED && has(doc, "second_approved_by") ? " and " : "",
			k == LRN_APPROVED && has(doc, "second_approved_by")
				? str(doc, "second_approved_by")
				: "");
		sb_addf(&sb, "Permitted purpose and usage:\n");
		for (i = 0; i < ARRAY_SIZE(usage); i++)
			line(&sb, doc, usage[i]);
		sb_addf(&sb, "\nDevice:\n");
		for (i = 0; i < ARRAY_SIZE(device); i++)
			line(&sb, doc, device[i]);
		sb_addf(&sb, "\nUse only the address above; connect only at the connection point "
			     "above. The network administrators check within two weeks that the "
			     "connection is as approved.\n");
		break;
	case LRN_REFUSED:
		if (lr_state(doc) != LRS_REFUSED) {
			/* LANREQ-36: a refused change; the connection stays as it was. */
			const json_t *cr = json_object_get(doc, "change_refused");

			sb_addf(&sb, "Your change request for LAN connection %lld (%s) was refused "
				     "by %s.\n\nReason: %s\n\nThe connection stays as approved "
				     "before.\n",
				id, str(doc, "device.name") ?: "-", str(cr, "refused_by") ?: "-",
				str(cr, "refusal_reason") ?: "-");
			break;
		}
		sb_addf(&sb, "Your LAN connection request %lld (%s) was refused by %s.\n\n"
			     "Reason: %s\n",
			id, str(doc, "device.name") ?: "-", str(doc, "refused_by") ?: "-",
			str(doc, "refusal_reason") ?: "-");
		break;
	case LRN_EXPIRY:
		sb_addf(&sb, "The planned period of LAN connection %lld (%s, %s) ends on %s.\n"
			     "Its admission to the network ends then. To keep it, file a change "
			     "request before that day; otherwise please return or disconnect the "
			     "device.\n",
			id, str(doc, "device.name") ?: "-", str(doc, "device.ip") ?: "-",
			str(doc, "usage.valid_until") ?: "-");
		break;
	case LRN_ENDED:
		sb_addf(&sb, "LAN connection %lld (%s) ended: %s\n", id,
			str(doc, "device.name") ?: "-", str(doc, "end_reason") ?: "-");
		break;
	default:
		break;
	}
	sb_addf(&sb, "\n-- \ngatewayd LAN registry\n");
	if (sb.oom) {
		sb_fini(&sb);
		return NULL;
	}
	return sb.buf;
}

char *lr_dept_notice_text(const char *department, int64_t due, size_t registrations,
			  const char *last_check, const char *to, const char *from)
{
	struct strbuf sb = { 0 };
	char subj[600], t[32];

	time_format(due, t, sizeof(t));
	snprintf(subj, sizeof(subj), "LAN department check overdue: %s", department);
	if (from)
		header(&sb, "From", from);
	header(&sb, "To", to ? to : "");
	header(&sb, "Subject", subj);
	sb_addf(&sb, "Content-Type: text/plain; charset=UTF-8\n\n");
	sb_addf(&sb, "The half-yearly check of the LAN connections of %s (LANREQ-31) was due at "
		     "%s and is not recorded.\n\n",
		department, t);
	sb_addf(&sb, "  %-26s %zu\n  %-26s %s\n\n", "registrations", registrations, "last check",
		last_check ? last_check : "never");
	sb_addf(&sb, "Review them with the department head ('netctl device report --kind department "
		     "--department \"%s\"') and record the check ('netctl device check \"%s\" "
		     "--done --note TEXT').\n",
		department, department);
	sb_addf(&sb, "\n-- \ngatewayd LAN registry\n");
	if (sb.oom) {
		sb_fini(&sb);
		return NULL;
	}
	return sb.buf;
}

/* ---- the half-yearly department check ------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t year_of_days(int64_t z)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return yoe + era * 400 + (mp >= 10);
}

int64_t lr_anchor_next(const struct lr_settings *set, int64_t t)
{
	int64_t local = t + set->utc_offset, days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	int64_t y = year_of_days(days), best = 0, yy;
	size_t i;

	for (yy = y; yy <= y + 1; yy++)
		for (i = 0; i < set->n_dept_check; i++) {
			int64_t a = days_from_civil(yy, set->dept_check[i] / 100,
						    set->dept_check[i] % 100) * 86400 -
				    set->utc_offset;

			if (a > t && (!best || a < best))
				best = a;
		}
	return best;
}

int64_t lr_dept_check_due(const struct lr_settings *set, int64_t last)
{
	int64_t end = lr_anchor_next(set, last);

	return end ? lr_anchor_next(set, end) : 0;
}

/* ---- filters ---------------------------------------------------------------- */

int lr_filter_check(const json_t *filter, char *why, size_t len)
{
	static const char *const keys[] = { "state", "zone", "department", "user", "expiring",
					    "mac", "ip", "pending" };
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)filter, key, v) {
		int64_t d;
		enum lr_state s;

		for (i = 0; i < ARRAY_SIZE(keys); i++)
			if (!strcmp(key, keys[i]))
				break;
		if (i == ARRAY_SIZE(keys) || !json_is_string(v))
			return fail(why, len, "unknown filter '%s' (state, zone, department, user, "
					      "expiring, mac, ip, pending)",
				    key);
		if (!strcmp(key, "state") && lr_state_parse(json_string_value(v), &s)) {
			char names[200];
			size_t o = 0;
			unsigned k;

			names[0] = 0;
			for (k = 0; k < LRS__COUNT && o < sizeof(names); k++)
				o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s",
						      k ? ", " : "", state_names[k]);
			return fail(why, len, "state '%s' is not one of %s", json_string_value(v),
				    names);
		}
		if (!strcmp(key, "pending") && strcmp(json_string_value(v), "endorsement") &&
		    strcmp(json_string_value(v), "approval") &&
		    strcmp(json_string_value(v), "second-approval") &&
		    strcmp(json_string_value(v), "change"))
			return fail(why, len, "pending '%s' is not one of endorsement, approval, "
					      "second-approval, change",
				    json_string_value(v));
		if (!strcmp(key, "expiring") && duration_parse(json_string_value(v), &d))
			return fail(why, len, "expiring '%s' is not a duration (14d)",
				    json_string_value(v));
	}
	return 0;
}

/* What @doc waits for: endorsement, approval, second-approval (C-1), or change. */
static bool pending_is(const json_t *doc, const char *what)
{
	const json_t *pc = json_object_get(doc, "pending_change");
	enum lr_state s = lr_state(doc);

	if (!strcmp(what, "change"))
		return pc != NULL;
	if (!strcmp(what, "second-approval"))
		return s == LRS_SECOND || (pc && has(pc, "approved_by"));
	if (!strcmp(what, "endorsement"))
		return (s == LRS_REQUESTED && !has(doc, "endorsed_by")) ||
		       (pc && !has(pc, "endorsed_by") && !has(pc, "approved_by"));
	if (!strcmp(what, "approval"))
		return (s == LRS_REQUESTED && has(doc, "endorsed_by")) ||
		       (pc && has(pc, "endorsed_by") && !has(pc, "approved_by"));
	return false;
}

bool lr_filter_match(const json_t *doc, const json_t *filter, int64_t now)
{
	const char *v;
	char mac[18];
	int64_t d, from, until;

	if ((v = str(filter, "state")) && strcmp(v, lr_state_name(lr_state(doc))))
		return false;
	if ((v = str(filter, "zone")) && strcmp(v, str(doc, "zone") ?: ""))
		return false;
	if ((v = str(filter, "department")) && strcmp(v, str(doc, "user.department") ?: ""))
		return false;
	if ((v = str(filter, "user")) && strcmp(v, str(doc, "user.name") ?: "") &&
	    strcmp(v, str(doc, "device.custodian") ?: ""))
		return false;
	if ((v = str(filter, "mac")) &&
	    (!lr_mac_normal(v, mac) || strcmp(mac, str(doc, "device.mac") ?: "")))
		return false;
	if ((v = str(filter, "ip")) && strcmp(v, str(doc, "device.ip") ?: "") &&
	    strcmp(v, str(doc, "lease_ip") ?: ""))
		return false;
	if ((v = str(filter, "pending")) && !pending_is(doc, v))
		return false;
	if ((v = str(filter, "expiring"))) {
		enum lr_state s = lr_state(doc);

		if (duration_parse(v, &d) || !lr_period(doc, &from, &until) ||
		    (s != LRS_APPROVED && s != LRS_CHANGED && s != LRS_QUARANTINED &&
		     s != LRS_HELD) ||
		    until > now + d)
			return false;
	}
	return true;
}

/* ---- C-8: retention ----------------------------------------------------------- */

/* The moment @doc stopped being live: its refusal, end or expiry; 0 if live or unknown. */
static int64_t ended_at(const json_t *doc)
{
	static const char *const keys[] = { "refused_at", "ended_at", "expired_at" };
	enum lr_state s = lr_state(doc);
	int64_t best = 0, t;
	size_t i;

	if (s != LRS_REFUSED && s != LRS_ENDED && s != LRS_EXPIRED)
		return 0;
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (time_of(doc, keys[i], &t) && t > best)
			best = t;
	return best;
}

bool lr_retention_due(const json_t *doc, int64_t retention, int64_t now)
{
	int64_t end = ended_at(doc);

	return end && !has(doc, "purged_at") && retention > 0 && now - end >= retention;
}

json_t *lr_anonymise(const json_t *doc, int64_t now)
{
	/*
	 * What is not personal and keeps the number meaningful in statistics and
	 * in other records that cite it: the state, zone, class, ownership kind,
	 * the period and the dates of each step. Names, contacts, MAC, addresses,
	 * hostnames, purposes, locations and reasons go.
	 */
	static const char *const keep[] = { "id",
					    "state",
					    "zone",
					    "device.class",
					    "device.addr_mode",
					    "owner",
					    "usage.valid_from",
					    "usage.valid_until",
					    "requested_at",
					    "endorsed_at",
					    "approved_at",
					    "refused_at",
					    "ended_at",
					    "expired_at" };
	json_t *out = json_object();
	char t[32];
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(keep); i++) {
		json_t *v = json_object_get(doc, keep[i]);

		if (v && json_object_set(out, keep[i], v)) {
			json_decref(out);
			return NULL;
		}
	}
	time_format(now, t, sizeof(t));
	if (json_object_set_new(out, "purged_at", json_string(t))) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Core: the inventory of management IDs (ADM-1, ADM-5..7); see inventory.h. */
#include "inventory.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"
#include "duration.h"
#include "lanreq.h"
#include "util.h"

static const enum role all_roles[] = { ROLE_NETADMIN,  ROLE_OPERATOR,	  ROLE_HELPDESK,
				       ROLE_AUDITOR,   ROLE_DEPT_HEAD,	  ROLE_ISMS_MANAGER,
				       ROLE_SECURITY_OFFICER };

static int add(json_t *a, const char *s)
{
	return json_array_append_new(a, json_string(s)) ? -ENOMEM : 0;
}

json_t *inv_rights(unsigned roles, unsigned second_approval)
{
	json_t *a = json_array();
	char buf[64];
	unsigned v, op;
	int r = a ? 0 : -ENOMEM;

	/* ADM-3, ADM-4: the control verbs, as gatewayd's socket checks them. */
	for (v = 0; !r && v < CTL__COUNT; v++)
		if (v != CTL_DEVICE && (roles & ctl_verb_roles((enum ctl_verb)v)))
			r = add(a, ctl_verb_name((enum ctl_verb)v));
	/* The registry's operations that change something (lr_op_roles). */
	for (op = 0; !r && op < LRO__COUNT; op++)
		if (lr_op_writes((enum lr_op)op) && (roles & lr_op_roles((enum lr_op)op))) {
			snprintf(buf, sizeof(buf), "device %s", lr_op_name((enum lr_op)op));
			r = add(a, buf);
		}
	/* The steps that a role takes inside a verb everyone may call. */
	if (!r && (roles & second_approval))
		r = add(a, "device approve, refuse (the second approval, C-1)");
	if (!r && (roles & LR_CHECK_DONE_ROLES))
		r = add(a, "device check --done (LANREQ-31)");
	if (!r && (roles & LR_INVENTORY_DONE_ROLES))
		r = add(a, "device inventory --done (ADM-7)");
	if (!r && roles)
		r = add(a, "device views");
	if (r) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *by_user(const json_t *snap, const char *user)
{
	json_t *e;
	size_t i;

	json_array_foreach(snap, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "user")) ?: "", user))
			return e;
	return NULL;
}

/* When @user's entry took its present form, and who applied it; 0: not recorded. */
static int64_t since_of(const json_t *changes, const char *user, const char **ret_by)
{
	int64_t since = 0;
	const json_t *ev;
	size_t i;

	*ret_by = NULL;
	json_array_foreach(changes, i, ev) {
		const json_t *now = by_user(json_object_get(ev, "after"), user),
			     *was = by_user(json_object_get(ev, "before"), user);

		if (!now) {
			since = 0; /* removed: a later appointment starts afresh */
			*ret_by = NULL;
		} else if (!was || !json_equal(was, now)) {
			since = json_integer_value(json_object_get(ev, "at"));
			*ret_by = json_string_value(json_object_get(ev, "actor"));
		}
	}
	return since;
}

static const json_t *status_of(const json_t *statuses, const char *name)
{
	const json_t *s;
	size_t i;

	json_array_foreach(statuses, i, s)
		if (!strcmp(json_string_value(json_object_get(s, "name")) ?: "", name))
			return s;
	return NULL;
}

/* What an inventory should look at for @pe (each a sentence citing the requirement). */
static json_t *findings(const struct person *pe, const json_t *statuses)
{
	json_t *f = json_array();
	const json_t *st = status_of(statuses, pe->name);
	char buf[512], t[32];
	int r = f ? 0 : -ENOMEM;

	if (!r && !pe->approved_by && (pe->roles & (ROLE_NETADMIN | ROLE_OPERATOR)))
		r = add(f, "the appointment records no approval by the system security manager "
			   "(approved_by, ADM-5)");
	if (!r && st && strcmp(json_string_value(json_object_get(st, "status")) ?: "", "active")) {
		time_format(json_integer_value(json_object_get(st, "since")), t, sizeof(t));
		snprintf(buf, sizeof(buf),
			 "the person is recorded as %s since %s (by %s), yet the ID is in people: "
			 "remove it (ADM-6, C-15)",
			 json_string_value(json_object_get(st, "status")), t,
			 json_string_value(json_object_get(st, "recorded_by")) ?: "?");
		r = add(f, buf);
	}
	if (!r && !pe->department && (pe->roles & ROLE_DEPT_HEAD))
		r = add(f, "a dept-head without department endorses for every department (C-1)");
	if (!r && !pe->department && (pe->roles & ROLE_SECURITY_OFFICER))
		r = add(f, "a security-officer without department clears holds of every "
			   "department (LANREQ-48)");
	if (r) {
		json_decref(f);
		return NULL;
	}
	return f;
}

static int cmp_user(const void *a, const void *b)
{
	return strcmp((*(const struct person *const *)a)->user,
		      (*(const struct person *const *)b)->user);
}

static json_t *entry(const struct policy *p, const struct person *pe, const json_t *changes,
		     const json_t *statuses)
{
	json_t *roles = json_array(), *e = NULL;
	const char *by;
	int64_t since = since_of(changes, pe->user, &by);
	size_t k;

	for (k = 0; roles && k < ARRAY_SIZE(all_roles); k++)
		if ((pe->roles & all_roles[k]) &&
		    json_array_append_new(roles, json_string(role_name(all_roles[k]))))
			goto out;
	if (!roles)
		return NULL;
	e = json_pack("{s:s, s:s, s:O, s:o, s:o}", "user", pe->user, "person", pe->name, "roles",
		      roles, "rights", inv_rights(pe->roles, p->registry.second_approval),
		      "findings", findings(pe, statuses));
	if (!e)
		goto out;
	if ((pe->department && json_object_set_new(e, "department", json_string(pe->department))) ||
	    (pe->approved_by &&
	     json_object_set_new(e, "approved_by", json_string(pe->approved_by))) ||
	    (since && json_object_set_new(e, "since", json_integer(since))) ||
	    (since && by && json_object_set_new(e, "since_by", json_string(by)))) {
		json_decref(e);
		e = NULL;
	}
out:
	json_decref(roles);
	return e;
}

json_t *inv_report(const struct policy *p, const json_t *changes, const json_t *statuses)
{
	const struct person **sorted = NULL;
	json_t *ids = json_array(), *rep = NULL;
	size_t i;

	if (!ids || (p->n_people && !(sorted = calloc(p->n_people, sizeof(*sorted)))))
		goto out;
	for (i = 0; i < p->n_people; i++)
		sorted[i] = p->people[i];
	if (p->n_people)
		qsort(sorted, p->n_people, sizeof(*sorted), cmp_user);
	for (i = 0; i < p->n_people; i++) {
		json_t *e = entry(p, sorted[i], changes, statuses);

		if (!e || json_array_append_new(ids, e))
			goto out;
	}
	rep = json_pack("{s:O}", "ids", ids);
	if (rep && p->registry.second_approval &&
	    json_object_set_new(rep, "second_approval",
				json_string(role_name((enum role)p->registry.second_approval)))) {
		json_decref(rep);
		rep = NULL;
	}
out:
	free(sorted);
	json_decref(ids);
	return rep;
}

char *inv_report_text(const json_t *report)
{
	return json_dumps(report, JSON_COMPACT | JSON_SORT_KEYS);
}

int64_t inv_due(int64_t period, int64_t last, int64_t first)
{
	if (period <= 0)
		return 0;
	if (last)
		return last + period;
	return first ? first + period : 0;
}

static void header(struct strbuf *sb, const char *name, const char *v)
{
	const char *p;

	sb_addf(sb, "%s: ", name);
	for (p = v; p && *p; p++)
		sb_addf(sb, "%c", *p == '\r' || *p == '\n' ? ' ' : *p);
	sb_addf(sb, "\n");
}

char *inv_notice_text(int64_t due, const char *last, size_t ids, const char *to,
		      const char *from)
{
	struct strbuf sb = { 0 };
	char t[32];

	time_format(due, t, sizeof(t));
	if (from)
		header(&sb, "From", from);
	header(&sb, "To", to ? to : "");
	header(&sb, "Subject", "Inventory of management IDs overdue (ADM-7)");
	sb_addf(&sb, "Content-Type: text/plain; charset=UTF-8\n\n");
	sb_addf(&sb, "The periodic inventory of the gateway's management IDs, their access rights "
		     "and the persons holding them (ADM-7) was due at %s and is not recorded.\n\n",
		t);
	sb_addf(&sb, "  %-26s %zu\n  %-26s %s\n\n", "management IDs", ids, "last inventory",
		last ? last : "never");
	sb_addf(&sb, "Review the report ('netctl device inventory') and record the inventory "
		     "('netctl device inventory --done --report HASH --note TEXT', role "
		     "isms-manager).\n");
	sb_addf(&sb, "\n-- \ngatewayd LAN registry\n");
	if (sb.oom) {
		sb_fini(&sb);
		return NULL;
	}
	return sb.buf;
}

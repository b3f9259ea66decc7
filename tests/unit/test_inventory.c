/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of lib/inventory.c: the inventory of management IDs (ADM-1, ADM-5..7, C-15). */
#include "helpers.h"

#include "inventory.h"
#include "lanreq.h"

struct fx {
	struct policy *p;
	struct person people[4];
	struct person *ptrs[4];
};

/*
 * Four people in the config's order (not sorted by user): a network
 * administrator appointed with approval, an operator without approval, an
 * ISMS manager, a department head without a department.
 */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	size_t i;

	assert_non_null(f);
	f->p = policy_new();
	assert_non_null(f->p);
	f->people[0] = (struct person){ .user = "tsuzuki", .name = "Taro Suzuki (IS dept)",
					.roles = ROLE_NETADMIN,
					.approved_by = "K. Ito (security manager)" };
	f->people[1] = (struct person){ .user = "night", .name = "Night operator",
					.roles = ROLE_OPERATOR };
	f->people[2] = (struct person){ .user = "ito", .name = "Emi Ito (ISMS manager)",
					.roles = ROLE_ISMS_MANAGER };
	f->people[3] = (struct person){ .user = "kimura", .name = "Jiro Kimura",
					.roles = ROLE_DEPT_HEAD | ROLE_AUDITOR };
	for (i = 0; i < 4; i++)
		f->ptrs[i] = &f->people[i];
	f->p->people = f->ptrs;
	f->p->n_people = 4;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	policy_free(f->p); /* the people are the fixture's, not the arena's */
	free(f);
	return 0;
}

static json_t *id_of(const json_t *rep, const char *user)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(rep, "ids"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "user")), user))
			return e;
	fail_msg("no entry for %s", user);
	return NULL;
}

static bool has_str(const json_t *a, const char *needle)
{
	json_t *e;
	size_t i;

	json_array_foreach(a, i, e)
		if (strstr(json_string_value(e), needle))
			return true;
	return false;
}

/* ADM-1, ADM-3, ADM-4: the rights follow the roles, as the socket and the registry check them. */
static void rights_follow_the_roles(void **state)
{
	json_t *a = inv_rights(ROLE_NETADMIN, 0), *o = inv_rights(ROLE_OPERATOR, 0),
	       *i = inv_rights(ROLE_ISMS_MANAGER, ROLE_ISMS_MANAGER),
	       *h = inv_rights(ROLE_HELPDESK, ROLE_ISMS_MANAGER);

	(void)state;
	assert_true(has_str(a, "reload"));
	assert_true(has_str(a, "rollback"));
	assert_true(has_str(a, "device approve"));
	assert_true(has_str(a, "device person"));
	assert_true(has_str(a, "device check --done"));
	assert_false(has_str(a, "device inventory --done"));
	assert_false(has_str(a, "device endorse"));
	/* ADM-4: the operator views and runs predefined actions, never reload. */
	assert_true(has_str(o, "status"));
	assert_true(has_str(o, "device quarantine"));
	assert_true(has_str(o, "device hold"));
	assert_false(has_str(o, "reload"));
	assert_false(has_str(o, "device approve"));
	/* C-1, ADM-7: the ISMS manager's two steps. */
	assert_true(has_str(i, "the second approval, C-1"));
	assert_true(has_str(i, "device inventory --done (ADM-7)"));
	assert_false(has_str(i, "status"));
	assert_string_equal(json_string_value(json_array_get(i, json_array_size(i) - 1)),
			    "device views");
	assert_false(has_str(h, "second approval"));
	assert_true(has_str(h, "device request"));
	json_decref(a);
	json_decref(o);
	json_decref(i);
	json_decref(h);
}

/* ADM-7: every ID, sorted by user, with its person, roles, approval and since when. */
static void report_lists_ids_since_and_findings(void **state)
{
	struct fx *f = *state;
	/* Two applies recorded (ADM-5): all appointed; then the operator's roles changed. */
	json_t *v1 = json_pack(
		"[{s:s, s:s, s:[s], s:s}, {s:s, s:s, s:[s]}, {s:s, s:s, s:[s]}, {s:s, s:s, s:[s]}]",
		"user", "tsuzuki", "name", "Taro Suzuki (IS dept)", "roles", "netadmin",
		"approved_by", "K. Ito (security manager)", "user", "night", "name",
		"Night operator", "roles", "auditor", "user", "ito", "name",
		"Emi Ito (ISMS manager)", "roles", "isms-manager", "user", "gone", "name", "Old",
		"roles", "netadmin");
	json_t *v2 = json_deep_copy(v1), *changes, *statuses, *rep, *e;

	json_object_set_new(json_array_get(v2, 1), "roles", json_pack("[s]", "operator"));
	json_array_remove(v2, 3);
	changes = json_pack("[{s:I, s:s, s:n, s:O}, {s:I, s:s, s:O, s:O}]", "at",
			    (json_int_t)T_NOW, "actor", "Gateway console (root)", "before",
			    "after", v1, "at", (json_int_t)(T_NOW + 10 * T_DAY), "actor",
			    "Taro Suzuki (IS dept)", "before", v1, "after", v2);
	/* C-15: the head left; the ID is still in people. */
	statuses = json_pack("[{s:s, s:s, s:I, s:s}, {s:s, s:s, s:I, s:s}]", "name", "Jiro Kimura",
			     "status", "departed", "since", (json_int_t)(T_NOW + 20 * T_DAY),
			     "recorded_by", "Taro Suzuki (IS dept)", "name", "Emi Ito (ISMS manager)",
			     "status", "active", "since", (json_int_t)T_NOW, "recorded_by", "x");
	f->p->registry.second_approval = ROLE_ISMS_MANAGER;
	rep = inv_report(f->p, changes, statuses);
	assert_non_null(rep);
	assert_int_equal(json_array_size(json_object_get(rep, "ids")), 4);
	assert_string_equal(json_string_value(json_object_get(rep, "second_approval")),
			    "isms-manager");
	/* Sorted by user, whatever the config's order. */
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(rep, "ids"), 0), "user")),
			    "ito");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(rep, "ids"), 3), "user")),
			    "tsuzuki");

	e = id_of(rep, "tsuzuki");
	assert_string_equal(json_string_value(json_object_get(e, "person")), "Taro Suzuki (IS dept)");
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "roles"), 0)),
			    "netadmin");
	assert_string_equal(json_string_value(json_object_get(e, "approved_by")),
			    "K. Ito (security manager)");
	assert_int_equal(json_integer_value(json_object_get(e, "since")), T_NOW);
	assert_string_equal(json_string_value(json_object_get(e, "since_by")),
			    "Gateway console (root)");
	assert_int_equal(json_array_size(json_object_get(e, "findings")), 0);

	/* The operator's entry changed at the second apply; no approval recorded (ADM-5). */
	e = id_of(rep, "night");
	assert_int_equal(json_integer_value(json_object_get(e, "since")), T_NOW + 10 * T_DAY);
	assert_string_equal(json_string_value(json_object_get(e, "since_by")),
			    "Taro Suzuki (IS dept)");
	assert_true(has_str(json_object_get(e, "findings"), "no approval by the system security "
							    "manager (approved_by, ADM-5)"));

	/* An active status is no finding; the ISMS manager is not an admin (no ADM-5 finding). */
	e = id_of(rep, "ito");
	assert_int_equal(json_array_size(json_object_get(e, "findings")), 0);
	assert_true(has_str(json_object_get(e, "rights"), "device inventory --done"));

	/* Not in any recorded apply: no "since"; departed yet still in people (ADM-6, C-15). */
	e = id_of(rep, "kimura");
	assert_null(json_object_get(e, "since"));
	assert_true(has_str(json_object_get(e, "findings"),
			    "recorded as departed since 2027-01-21T00:00:00Z (by Taro Suzuki (IS "
			    "dept)), yet the ID is in people: remove it (ADM-6, C-15)"));
	assert_true(has_str(json_object_get(e, "findings"), "without department endorses for "
							    "every department (C-1)"));
	json_decref(rep);
	json_decref(changes);
	json_decref(statuses);
	json_decref(v1);
	json_decref(v2);
}

/* ADM-7: a removal and a later appointment start the "since" afresh. */
static void reappointment_starts_since_again(void **state)
{
	struct fx *f = *state;
	json_t *with = json_pack("[{s:s, s:s, s:[s]}]", "user", "ito", "name",
				 "Emi Ito (ISMS manager)", "roles", "isms-manager");
	json_t *without = json_array(), *changes, *rep;

	changes = json_pack("[{s:I, s:s, s:n, s:O}, {s:I, s:s, s:O, s:O}, {s:I, s:s, s:O, s:O}]",
			    "at", (json_int_t)T_NOW, "actor", "a", "before", "after", with, "at",
			    (json_int_t)(T_NOW + T_DAY), "actor", "b", "before", with, "after",
			    without, "at", (json_int_t)(T_NOW + 5 * T_DAY), "actor", "c", "before",
			    without, "after", with);
	rep = inv_report(f->p, changes, NULL);
	assert_int_equal(json_integer_value(json_object_get(id_of(rep, "ito"), "since")),
			 T_NOW + 5 * T_DAY);
	assert_string_equal(json_string_value(json_object_get(id_of(rep, "ito"), "since_by")), "c");
	json_decref(rep);
	json_decref(changes);
	json_decref(with);
	json_decref(without);
}

/* ADM-7: the same people give the same text (and hash); any change gives another. */
static void report_text_is_stable(void **state)
{
	struct fx *f = *state;
	json_t *r1 = inv_report(f->p, NULL, NULL), *r2 = inv_report(f->p, NULL, NULL), *r3;
	char *t1 = inv_report_text(r1), *t2 = inv_report_text(r2), *t3;

	assert_string_equal(t1, t2);
	assert_non_null(strstr(t1, "\"user\":\"kimura\""));
	f->people[3].department = "Sales";
	r3 = inv_report(f->p, NULL, NULL);
	t3 = inv_report_text(r3);
	assert_string_not_equal(t1, t3);
	assert_non_null(strstr(t3, "\"department\":\"Sales\""));
	free(t1);
	free(t2);
	free(t3);
	json_decref(r1);
	json_decref(r2);
	json_decref(r3);
}

/* ADM-7, REQUIREMENTS §4: yearly after the last inventory, or after the first record. */
static void due_and_notice(void **state)
{
	int64_t year = 365 * T_DAY;
	char *msg;

	(void)state;
	assert_int_equal(inv_due(year, T_NOW, T_NOW - 900 * T_DAY), T_NOW + year);
	assert_int_equal(inv_due(year, 0, T_NOW), T_NOW + year);
	assert_int_equal(inv_due(year, 0, 0), 0); /* nothing recorded yet */
	assert_int_equal(inv_due(0, T_NOW, T_NOW), 0);
	msg = inv_notice_text(T_NOW, "2026-01-01T00:00:00Z", 4, "isms@example.co.jp",
			      "gatewayd@example.co.jp");
	assert_non_null(msg);
	assert_non_null(strstr(msg, "From: gatewayd@example.co.jp\nTo: isms@example.co.jp\n"
				    "Subject: Inventory of management IDs overdue (ADM-7)\n"));
	assert_non_null(strstr(msg, "was due at 2027-01-01T00:00:00Z and is not recorded"));
	assert_non_null(strstr(msg, "management IDs             4\n"));
	assert_non_null(strstr(msg, "last inventory             2026-01-01T00:00:00Z\n"));
	free(msg);
	/* A header cannot be split by a newline in the configured address. */
	msg = inv_notice_text(T_NOW, NULL, 0, "a@b\nBcc: x@y", NULL);
	assert_non_null(strstr(msg, "To: a@b Bcc: x@y\n"));
	assert_non_null(strstr(msg, "last inventory             never\n"));
	assert_null(strstr(msg, "From:"));
	free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rights_follow_the_roles),
		cmocka_unit_test_setup_teardown(report_lists_ids_since_and_findings, setup,
						teardown),
		cmocka_unit_test_setup_teardown(reappointment_starts_since_again, setup, teardown),
		cmocka_unit_test_setup_teardown(report_text_is_stable, setup, teardown),
		cmocka_unit_test(due_and_notice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

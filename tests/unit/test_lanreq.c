/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of lib/lanreq.c: the LAN registry's rules (§3.5 LANREQ, C-1, C-15..17, C-23). */
#include "helpers.h"

#include <netinet/in.h>

#include "lanreq.h"
#include "util.h"

#define FLOOR_REGISTERED                                                                   \
	"zone = {\n"                                                                       \
	"\tname = \"floor1\";\n"                                                           \
	"\tkind = \"floor\";\n"                                                            \
	"\tadmission = \"registered\";\n"                                                  \
	"\tpool = \"10.11.0.100-10.11.0.102\";\n"                                          \
	"\thostname = \"f1-pc{octet:3}\";\n"                                               \
	"\tinterfaces = [ \"flr1\" ];\n"                                                   \
	"\tnetworks = [ \"10.11.0.0/24\" ];\n"                                             \
	"\tpolicies = (\n"                                                                 \
	"\t\t{ to = \"server\"; services = [ \"intranet\" ]; to_hosts = [ \"app\" ]; }\n"  \
	"\t);\n"                                                                           \
	"};\n"

struct fx {
	struct loaded l;
	struct lr_settings set;
	const char *taken_ip; /* an address another registration holds */
};

static bool ip_taken(void *data, const char *ip, int64_t self)
{
	struct fx *f = data;

	(void)self;
	return f->taken_ip && !strcmp(ip, f->taken_ip);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct conf_source srcs[5];
	struct lr_settings def = LR_SETTINGS_DEFAULT;

	assert_non_null(f);
	srcs[0] = src_of(BASE_MAIN_NAME, BASE_MAIN);
	srcs[1] = src_of(BASE_INTERNET_NAME, BASE_INTERNET);
	srcs[2] = src_of(BASE_DMZ_NAME, BASE_DMZ);
	srcs[3] = src_of(BASE_SERVER_NAME, BASE_SERVER);
	srcs[4] = src_of(BASE_FLOOR_NAME, FLOOR_REGISTERED);
	if (load_sources(&f->l, srcs, 5, T_NOW))
		diag_dump(&f->l.d);
	assert_int_equal(f->l.r, 0);
	f->set = def;
	f->set.utc_offset = 9 * 3600;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	loaded_fini(&f->l);
	free(f);
	return 0;
}

static struct lr_ctx ctx(struct fx *f, const char *actor, unsigned roles)
{
	struct lr_ctx cx = { .p = f->l.p, .set = &f->set, .actor = actor, .roles = roles,
			     .now = T_NOW, .ip_taken = ip_taken, .data = f };

	return cx;
}

/* Every field a request needs (LANREQ-2..20), for a company PC on floor1. */
static json_t *good_request(void)
{
	json_t *a = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
		"s:s, s:s, s:s, s:s, s:s}",
		"user.name", "Ichiro Tanaka", "user.department", "Sales", "user.contact",
		"tanaka@example.co.jp", "purpose", "sales reporting", "usage.location_requested",
		"HQ 1F desk 12", "usage.services", "intranet", "usage.valid_from", "2027-01-01",
		"usage.valid_until", "2027-06-30", "device.custodian", "Ichiro Tanaka",
		"device.custodian_contact", "tanaka@example.co.jp", "device.mac", "02-00-00-00-0B-01",
		"device.name", "SALES-PC-12", "device.addr_mode", "static", "device.dns", "yes",
		"device.directory", "AD: CORP\\SALES-PC-12", "device.os", "Windows 11 23H2",
		"device.software", "Office 2021", "device.security", "Defender, BitLocker",
		"device.class", "pc", "owner", "company", "owner.asset_id", "A-2027-0012");

	assert_non_null(a);
	json_object_set_new(a, "zone", json_string("floor1"));
	return a;
}

static json_t *requested(struct fx *f)
{
	struct lr_ctx cx = ctx(f, "Sato (help desk)", ROLE_HELPDESK);
	json_t *a = good_request(), *doc = NULL;
	char why[256] = "";

	if (lr_request(&cx, a, &doc, why, sizeof(why)))
		fail_msg("refused: %s", why);
	json_decref(a);
	json_object_set_new(doc, "id", json_integer(1));
	return doc;
}

static const char *s(const json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

/* Asserts that @r refused and its reason holds @needle. */
#define assert_refusal(r, why, needle)                                        \
	do {                                                                  \
		assert_int_equal((r), -EINVAL);                               \
		if (!strstr((why), (needle)))                                 \
			fail_msg("reason '%s' lacks '%s'", (why), (needle));  \
	} while (0)

/* LANREQ-6..20: a complete request is recorded, normalised, in state requested. */
static void request_records_every_field(void **state)
{
	json_t *doc = requested(*state);
	size_t i;

	assert_string_equal(s(doc, "state"), "requested");
	assert_string_equal(s(doc, "requested_by"), "Sato (help desk)");
	assert_string_equal(s(doc, "device.mac"), "02:00:00:00:0b:01");
	assert_true(json_is_true(json_object_get(doc, "device.dns")));
	assert_true(json_is_array(json_object_get(doc, "usage.services")));
	for (i = 0; i < lr_n_fields; i++)
		if (lr_fields[i].flags & LRF_REQUEST)
			assert_non_null(json_object_get(doc, lr_fields[i].key));
	assert_null(json_object_get(doc, "endorsed_by"));
	json_decref(doc);
}

static int try_request(struct fx *f, const char *key, const char *val, char *why, size_t len)
{
	struct lr_ctx cx = ctx(f, "Sato", ROLE_HELPDESK);
	json_t *a = good_request(), *doc = NULL;
	int r;

	if (val)
		json_object_set_new(a, key, json_string(val));
	else
		json_object_del(a, key);
	r = lr_request(&cx, a, &doc, why, len);
	json_decref(a);
	json_decref(doc);
	return r;
}

/* LANREQ-1, LANREQ-11, C-16, C-17, and every required field by name. */
static void request_refusals_name_their_reason(void **state)
{
	struct fx *f = *state;
	char why[256];
	size_t i;

	assert_refusal(try_request(f, "owner", "personal", why, sizeof(why)), why, "LANREQ-1");
	assert_refusal(try_request(f, "usage.valid_until", "2028-06-30", why, sizeof(why)), why,
		       "C-16");
	assert_refusal(try_request(f, "usage.valid_until", "2026-12-31", why, sizeof(why)), why,
		       "not after");
	assert_refusal(try_request(f, "owner", "brought-in", why, sizeof(why)), why, "LANREQ-2");
	assert_refusal(try_request(f, "device.class", "smartdevice", why, sizeof(why)), why,
		       "LANREQ-49");
	assert_refusal(try_request(f, "device.class", "server", why, sizeof(why)), why,
		       "LANREQ-50");
	assert_refusal(try_request(f, "zone", "server", why, sizeof(why)), why, "registered");
	assert_refusal(try_request(f, "device.mac", "01:00:5e:00:00:01", why, sizeof(why)), why,
		       "multicast");
	assert_refusal(try_request(f, "device.ip", "10.99.0.5", why, sizeof(why)), why,
		       "not in zone");
	assert_refusal(try_request(f, "usage.services", "intarnet", why, sizeof(why)), why,
		       "did you mean 'intranet'");
	assert_refusal(try_request(f, "usage.hours", "mornings", why, sizeof(why)), why,
		       "LANREQ-9");
	assert_refusal(try_request(f, "device.nmae", "x", why, sizeof(why)), why,
		       "did you mean 'device.name'");
	assert_refusal(try_request(f, "purpose", "two\nlines", why, sizeof(why)), why,
		       "printable");
	for (i = 0; i < lr_n_fields; i++) {
		if (!(lr_fields[i].flags & LRF_REQUEST))
			continue;
		assert_refusal(try_request(f, lr_fields[i].key, NULL, why, sizeof(why)), why,
			       lr_fields[i].key);
	}
	/* One year across 29 February is one year (C-16). */
	{
		struct lr_ctx cx = ctx(f, "Sato", ROLE_HELPDESK);
		json_t *a = good_request(), *doc = NULL;

		json_object_set_new(a, "usage.valid_from", json_string("2027-03-01"));
		json_object_set_new(a, "usage.valid_until", json_string("2028-03-01"));
		assert_int_equal(lr_request(&cx, a, &doc, why, sizeof(why)), 0);
		json_decref(doc);
		json_decref(a);
	}
	/* Brought-in equipment within its permit is fine; past it, not (C-16). */
	{
		struct lr_ctx cx = ctx(f, "Sato", ROLE_HELPDESK);
		json_t *a = good_request(), *doc = NULL;

		json_object_set_new(a, "owner", json_string("brought-in"));
		json_object_set_new(a, "owner.permit", json_string("BI-77"));
		json_object_set_new(a, "owner.permit_until", json_string("2027-12-31"));
		assert_int_equal(lr_request(&cx, a, &doc, why, sizeof(why)), 0);
		json_decref(doc);
		json_object_set_new(a, "owner.permit_until", json_string("2027-03-31"));
		assert_refusal(lr_request(&cx, a, &doc, why, sizeof(why)), why, "permit");
		json_decref(a);
	}
	/* Filing needs the help desk, a netadmin or a department head. */
	{
		struct lr_ctx cx = ctx(f, "Audit", ROLE_AUDITOR);
		json_t *a = good_request(), *doc = NULL;

		assert_refusal(lr_request(&cx, a, &doc, why, sizeof(why)), why, "helpdesk");
		json_decref(a);
	}
}

/* C-1, ADM-11, LANREQ-22, LANREQ-24: endorsement, four eyes, pool and naming rule. */
static void approval_needs_endorsement_and_assigns_address(void **state)
{
	struct fx *f = *state;
	struct lr_ctx admin = ctx(f, "Suzuki", ROLE_NETADMIN), head = ctx(f, "Kimura", ROLE_DEPT_HEAD);
	json_t *doc = requested(f), *args = json_object();
	char why[256];

	assert_refusal(lr_approve(&admin, doc, args, why, sizeof(why)), why, "C-1");
	assert_refusal(lr_endorse(&admin, doc, why, sizeof(why)), why, "dept-head");
	assert_int_equal(lr_endorse(&head, doc, why, sizeof(why)), 0);
	assert_string_equal(s(doc, "endorsed_by"), "Kimura");
	/* LANREQ-24: the connection point is decided on approval. */
	assert_refusal(lr_approve(&admin, doc, args, why, sizeof(why)), why, "connection_point");
	assert_string_equal(s(doc, "state"), "requested");
	json_object_set_new(args, "device.connection_point", json_string("SW1F-3 port 12"));
	/* Four eyes: whoever filed it cannot approve it. */
	f->set.four_eyes = true;
	{
		struct lr_ctx same = ctx(f, "Sato (help desk)", ROLE_NETADMIN);

		assert_refusal(lr_approve(&same, doc, args, why, sizeof(why)), why, "ADM-11");
	}
	/* The pool's first free address (.100 is taken) and the naming rule. */
	f->taken_ip = "10.11.0.100";
	assert_int_equal(lr_approve(&admin, doc, args, why, sizeof(why)), 0);
	assert_string_equal(s(doc, "state"), "approved");
	assert_string_equal(s(doc, "device.ip"), "10.11.0.101");
	assert_string_equal(s(doc, "device.hostname"), "f1-pc101");
	assert_string_equal(s(doc, "approved_by"), "Suzuki");
	assert_string_equal(s(doc, "configured_by"), "Suzuki");
	assert_string_equal(s(doc, "usage.location"), "HQ 1F desk 12");
	assert_string_equal(s(doc, "check_due"), "2027-01-15T00:00:00Z");
	assert_refusal(lr_approve(&admin, doc, args, why, sizeof(why)), why, "is approved");
	json_decref(args);
	json_decref(doc);
}

static json_t *approved(struct fx *f)
{
	struct lr_ctx admin = ctx(f, "Suzuki", ROLE_NETADMIN), head = ctx(f, "Kimura", ROLE_DEPT_HEAD);
	json_t *doc = requested(f), *args = json_pack("{s:s}", "device.connection_point", "SW1F-3/12");
	char why[256] = "";

	assert_int_equal(lr_endorse(&head, doc, why, sizeof(why)), 0);
	if (lr_approve(&admin, doc, args, why, sizeof(why)))
		fail_msg("approve refused: %s", why);
	json_decref(args);
	return doc;
}

/* LANREQ-43, LANREQ-37, INC-1: what the kernel holds, over time. */
static void kernel_elements_follow_state_and_period(void **state)
{
	struct fx *f = *state;
	struct lr_ctx op = ctx(f, "Operator", ROLE_OPERATOR), admin = ctx(f, "Suzuki", ROLE_NETADMIN);
	json_t *doc = approved(f);
	const char *mac, *ip;
	bool a, q;
	char why[256];

	lr_kernel(doc, &f->set, T_NOW, &a, &q, &mac, &ip);
	assert_true(a);
	assert_false(q);
	assert_string_equal(mac, "02:00:00:00:0b:01");
	assert_string_equal(ip, "10.11.0.100");
	/* Before the period and from the day after valid_until: not admitted. */
	lr_kernel(doc, &f->set, T_NOW - 1, &a, &q, &mac, &ip);
	assert_false(a);
	lr_kernel(doc, &f->set, 1814400000 /* 2027-07-01T00:00Z */, &a, &q, &mac, &ip);
	assert_false(a);
	lr_kernel(doc, &f->set, 1814400000 - 1, &a, &q, &mac, &ip);
	assert_true(a);
	assert_true(lr_expiry_due(doc, 1814400000));
	assert_false(lr_expiry_due(doc, 1814400000 - 1));
	/* An operator can cut off (ADM-4), not release (C-32). */
	assert_refusal(lr_quarantine(&op, doc, "", why, sizeof(why)), why, "LANREQ-42");
	assert_int_equal(lr_quarantine(&op, doc, "beaconing to a C2 address", why, sizeof(why)), 0);
	lr_kernel(doc, &f->set, T_NOW, &a, &q, &mac, &ip);
	assert_false(a);
	assert_true(q);
	assert_refusal(lr_release(&op, doc, "Kimura", why, sizeof(why)), why, "netadmin");
	assert_refusal(lr_release(&admin, doc, "", why, sizeof(why)), why, "INC-2");
	assert_int_equal(lr_release(&admin, doc, "Kimura (head, sales)", why, sizeof(why)), 0);
	assert_string_equal(s(doc, "state"), "approved");
	assert_string_equal(s(doc, "release_instructed_by"), "Kimura (head, sales)");
	lr_kernel(doc, &f->set, T_NOW, &a, &q, &mac, &ip);
	assert_true(a);
	/* LANREQ-38, LANREQ-39, LANREQ-41: ended, kept, the address released. */
	assert_refusal(lr_end(&admin, doc, NULL, why, sizeof(why)), why, "LANREQ-38");
	assert_int_equal(lr_end(&admin, doc, "desk removed", why, sizeof(why)), 0);
	assert_string_equal(s(doc, "state"), "ended");
	assert_null(json_object_get(doc, "device.ip"));
	assert_string_equal(s(doc, "released_ip"), "10.11.0.100");
	lr_kernel(doc, &f->set, T_NOW, &a, &q, &mac, &ip);
	assert_false(a);
	assert_false(q);
	json_decref(doc);
}

/* C-32, INC-2: an end or an expiry does not lift a quarantine; only a release does. */
static void quarantine_outlasts_the_registration(void **state)
{
	struct fx *f = *state;
	struct lr_ctx admin = ctx(f, "Suzuki", ROLE_NETADMIN);
	json_t *doc = approved(f);
	const char *mac, *ip;
	bool a, q;
	char why[256];

	assert_int_equal(lr_quarantine(&admin, doc, "worm", why, sizeof(why)), 0);
	assert_int_equal(lr_end(&admin, doc, "user left", why, sizeof(why)), 0);
	assert_string_equal(s(doc, "state"), "ended");
	lr_kernel(doc, &f->set, T_NOW, &a, &q, &mac, &ip);
	assert_false(a);
	assert_true(q);
	assert_string_equal(ip, "10.11.0.100");
	assert_int_equal(lr_release(&admin, doc, "ISMS dept head", why, sizeof(why)), 0);
	assert_string_equal(s(doc, "state"), "ended");
	lr_kernel(doc, &f->set, T_NOW, &a, &q, &mac, &ip);
	assert_false(a);
	assert_false(q);
	assert_refusal(lr_release(&admin, doc, "again", why, sizeof(why)), why, "cannot be released");
	json_decref(doc);
}

/* LANREQ-34..36: a change states where, what for and why, and is never less secure. */
static void change_rules(void **state)
{
	struct fx *f = *state;
	struct lr_ctx admin = ctx(f, "Suzuki", ROLE_NETADMIN);
	json_t *doc = approved(f), *a;
	char why[256];

	a = json_pack("{s:s, s:s}", "change.location", "HQ 1F desk 14", "change.purpose", "same");
	assert_refusal(lr_change(&admin, doc, a, why, sizeof(why)), why, "change.reason");
	json_object_set_new(a, "change.reason", json_string("desk move"));
	json_object_set_new(a, "device.security", json_string("none"));
	assert_refusal(lr_change(&admin, doc, a, why, sizeof(why)), why, "LANREQ-35");
	json_object_del(a, "device.security");
	json_object_set_new(a, "usage.services", json_string("intranet,dns"));
	assert_refusal(lr_change(&admin, doc, a, why, sizeof(why)), why, "security_review");
	assert_string_equal(s(doc, "state"), "approved");
	json_object_set_new(a, "change.security_review",
			    json_string("DNS to the internal resolver only; same exposure"));
	json_object_set_new(a, "usage.location", json_string("HQ 1F desk 14"));
	admin.now = T_NOW + 3 * T_DAY;
	/* registry.direct_change: a netadmin files and approves in one step. */
	f->set.direct_change = true;
	assert_int_equal(lr_change(&admin, doc, a, why, sizeof(why)), 0);
	assert_null(json_object_get(doc, "pending_change"));
	assert_true(json_is_true(json_object_get(json_object_get(doc, "last_change"), "direct")));
	assert_string_equal(s(doc, "state"), "changed");
	assert_string_equal(s(doc, "usage.location"), "HQ 1F desk 14");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "last_change"),
							      "reason")),
			    "desk move");
	/* LANREQ-36: the 2-week check starts again. */
	assert_string_equal(s(doc, "check_due"), "2027-01-18T00:00:00Z");
	/* A field a change may not touch. */
	json_object_set_new(a, "usage.location_requested", json_string("x"));
	assert_refusal(lr_change(&admin, doc, a, why, sizeof(why)), why, "cannot be given");
	json_decref(a);
	json_decref(doc);
}

static const char *sub(const json_t *doc, const char *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(doc, obj), key));
}

static bool admitted(struct fx *f, const json_t *doc, int64_t now)
{
	const char *mac, *ip;
	bool a, q;

	lr_kernel(doc, &f->set, now, &a, &q, &mac, &ip);
	return a;
}

/* LANREQ-34..36, C-1: a change is filed by the help desk, endorsed by the head, approved by a netadmin. */
static void change_is_a_request(void **state)
{
	struct fx *f = *state;
	struct lr_ctx hd = ctx(f, "Sato (help desk)", ROLE_HELPDESK),
		      head = ctx(f, "Kimura", ROLE_DEPT_HEAD),
		      admin = ctx(f, "Suzuki", ROLE_NETADMIN), au = ctx(f, "Audit", ROLE_AUDITOR);
	json_t *doc = approved(f), *flt = json_object(), *none = json_object(), *a;
	char why[256], *msg;

	a = json_pack("{s:s, s:s, s:s, s:s, s:s}", "change.location", "HQ 1F desk 14",
		      "change.purpose", "same", "change.reason", "desk move", "usage.location",
		      "HQ 1F desk 14", "device.hw", "ThinkPad T14");
	assert_refusal(lr_change(&au, doc, a, why, sizeof(why)), why,
		       "needs the role netadmin, helpdesk or dept-head");
	/* LANREQ-34 still refuses at filing. */
	json_object_del(a, "change.purpose");
	assert_refusal(lr_change(&hd, doc, a, why, sizeof(why)), why, "LANREQ-34");
	json_object_set_new(a, "change.purpose", json_string("same"));
	assert_int_equal(lr_change(&hd, doc, a, why, sizeof(why)), 0);
	/* Filed, not in effect: the registration and the kernel are as approved. */
	assert_string_equal(s(doc, "state"), "approved");
	assert_string_equal(s(doc, "usage.location"), "HQ 1F desk 12");
	assert_string_equal(sub(doc, "pending_change", "requested_by"), "Sato (help desk)");
	assert_true(admitted(f, doc, T_NOW));
	json_object_set_new(flt, "pending", json_string("endorsement"));
	assert_int_equal(lr_filter_check(flt, why, sizeof(why)), 0);
	assert_true(lr_filter_match(doc, flt, T_NOW));
	json_object_set_new(flt, "pending", json_string("changes"));
	assert_int_equal(lr_filter_check(flt, why, sizeof(why)), -EINVAL);
	/* One pending change at a time. */
	assert_refusal(lr_change(&hd, doc, a, why, sizeof(why)), why, "has a change pending");
	/* C-1: endorsed before approval. */
	assert_refusal(lr_approve(&admin, doc, none, why, sizeof(why)), why, "not endorsed");
	assert_int_equal(lr_endorse(&head, doc, why, sizeof(why)), 0);
	assert_string_equal(sub(doc, "pending_change", "endorsed_by"), "Kimura");
	assert_refusal(lr_endorse(&head, doc, why, sizeof(why)), why, "endorsed by Kimura already");
	json_object_set_new(flt, "pending", json_string("approval"));
	assert_true(lr_filter_match(doc, flt, T_NOW));
	admin.now = T_NOW + T_DAY;
	assert_int_equal(lr_approve(&admin, doc, none, why, sizeof(why)), 0);
	assert_string_equal(s(doc, "state"), "changed");
	assert_string_equal(s(doc, "usage.location"), "HQ 1F desk 14");
	assert_string_equal(s(doc, "device.hw"), "ThinkPad T14");
	assert_null(json_object_get(doc, "pending_change"));
	assert_string_equal(sub(doc, "last_change", "requested_by"), "Sato (help desk)");
	assert_string_equal(sub(doc, "last_change", "endorsed_by"), "Kimura");
	assert_string_equal(sub(doc, "last_change", "by"), "Suzuki");
	assert_string_equal(s(doc, "check_due"), "2027-01-16T00:00:00Z");
	assert_false(lr_filter_match(doc, flt, T_NOW));
	assert_true(admitted(f, doc, T_NOW + T_DAY));

	/* A change may remove an optional field, never a required one. */
	json_object_del(a, "usage.location");
	json_object_del(a, "device.hw");
	json_object_set_new(a, "change.unset", json_string("device.os"));
	assert_refusal(lr_change(&hd, doc, a, why, sizeof(why)), why, "not remove it");
	json_object_set_new(a, "change.unset", json_string("device.hww"));
	assert_refusal(lr_change(&hd, doc, a, why, sizeof(why)), why, "device.hw");
	json_object_set_new(a, "change.unset", json_string("device.hw"));
	json_object_set_new(a, "device.hw", json_string("x"));
	assert_refusal(lr_change(&hd, doc, a, why, sizeof(why)), why, "also given a value");
	json_object_del(a, "device.hw");
	assert_int_equal(lr_change(&hd, doc, a, why, sizeof(why)), 0);
	assert_string_equal(s(doc, "device.hw"), "ThinkPad T14");
	/* A netadmin without registry.direct_change files like the help desk; refusal keeps it. */
	assert_refusal(lr_refuse(&admin, doc, "", why, sizeof(why)), why, "LANREQ-4");
	assert_int_equal(lr_refuse(&admin, doc, "the hardware is still there", why, sizeof(why)), 0);
	assert_string_equal(s(doc, "state"), "changed");
	assert_null(json_object_get(doc, "pending_change"));
	assert_string_equal(sub(doc, "change_refused", "refusal_reason"),
			    "the hardware is still there");
	msg = lr_notice_text(doc, LRN_REFUSED, NULL);
	assert_non_null(strstr(msg, "Subject: LAN connection change request 1 refused"));
	assert_non_null(strstr(msg, "stays as approved"));
	free(msg);
	/* Removing the usage hours widens them: the comparison is recorded (LANREQ-35). */
	json_object_set_new(doc, "usage.hours", json_string("Mon-Fri 08:00-19:00"));
	json_object_set_new(a, "change.unset", json_string("device.hw, usage.hours"));
	assert_refusal(lr_change(&admin, doc, a, why, sizeof(why)), why, "LANREQ-35");
	json_object_set_new(a, "change.security_review", json_string("24h service desk"));
	assert_int_equal(lr_change(&admin, doc, a, why, sizeof(why)), 0);
	assert_int_equal(lr_endorse(&head, doc, why, sizeof(why)), 0);
	/* Four eyes applies to a change as to a request (ADM-11). */
	f->set.four_eyes = true;
	assert_refusal(lr_approve(&admin, doc, none, why, sizeof(why)), why, "ADM-11");
	admin.actor = "Tanabe";
	assert_int_equal(lr_approve(&admin, doc, none, why, sizeof(why)), 0);
	assert_null(json_object_get(doc, "device.hw"));
	assert_null(json_object_get(doc, "usage.hours"));
	json_decref(a);
	json_decref(none);
	json_decref(flt);
	json_decref(doc);
}

/* C-1: the optional second approver; the endorsement tied to the department. */
static void second_approval_and_department(void **state)
{
	struct fx *f = *state;
	struct lr_ctx admin = ctx(f, "Suzuki", ROLE_NETADMIN),
		      both = ctx(f, "Suzuki", ROLE_NETADMIN | ROLE_ISMS_MANAGER),
		      isms = ctx(f, "Ito (ISMS)", ROLE_ISMS_MANAGER),
		      eng = ctx(f, "Ono (head, eng)", ROLE_DEPT_HEAD),
		      sales = ctx(f, "Kimura", ROLE_DEPT_HEAD);
	json_t *doc = requested(f), *args = json_pack("{s:s}", "device.connection_point", "SW/1"),
	       *none = json_object(), *flt = json_object(), *a, *d2 = NULL;
	char why[256], *msg;

	eng.department = "Engineering";
	sales.department = "Sales";
	assert_refusal(lr_endorse(&eng, doc, why, sizeof(why)), why,
		       "Ono (head, eng) endorses for the department 'Engineering'; registration 1 "
		       "is for 'Sales' (C-1)");
	assert_int_equal(lr_endorse(&sales, doc, why, sizeof(why)), 0);
	/* A head filing for another department files without endorsing. */
	a = good_request();
	json_object_set_new(a, "device.mac", json_string("02:00:00:00:0b:02"));
	assert_int_equal(lr_request(&eng, a, &d2, why, sizeof(why)), 0);
	assert_null(json_object_get(d2, "endorsed_by"));
	json_decref(d2);
	assert_int_equal(lr_request(&sales, a, &d2, why, sizeof(why)), 0);
	assert_string_equal(s(d2, "endorsed_by"), "Kimura");
	json_decref(d2);
	json_decref(a);

	f->set.second_approval = ROLE_ISMS_MANAGER;
	assert_int_equal(lr_approve(&admin, doc, args, why, sizeof(why)), 0);
	assert_string_equal(s(doc, "state"), "second-approval");
	assert_string_equal(s(doc, "device.ip"), "10.11.0.100");
	assert_null(json_object_get(doc, "check_due"));
	assert_false(admitted(f, doc, T_NOW));
	assert_false(lr_expiry_notice_due(doc, &f->set, T_NOW + 200 * T_DAY));
	json_object_set_new(flt, "pending", json_string("second-approval"));
	assert_true(lr_filter_match(doc, flt, T_NOW));
	assert_refusal(lr_approve(&admin, doc, none, why, sizeof(why)), why,
		       "needs the role isms-manager");
	assert_refusal(lr_approve(&both, doc, none, why, sizeof(why)), why, "another person's");
	assert_refusal(lr_approve(&isms, doc, args, why, sizeof(why)), why, "sets no field");
	isms.now = T_NOW + T_DAY;
	assert_int_equal(lr_approve(&isms, doc, none, why, sizeof(why)), 0);
	assert_string_equal(s(doc, "state"), "approved");
	assert_string_equal(s(doc, "approved_by"), "Suzuki");
	assert_string_equal(s(doc, "second_approved_by"), "Ito (ISMS)");
	assert_string_equal(s(doc, "check_due"), "2027-01-16T00:00:00Z");
	assert_true(admitted(f, doc, T_NOW + T_DAY));
	msg = lr_notice_text(doc, LRN_APPROVED, NULL);
	assert_non_null(strstr(msg, "approved by Suzuki and Ito (ISMS)."));
	free(msg);

	/* A change waits for the second approver too. */
	a = json_pack("{s:s, s:s, s:s, s:s}", "change.location", "HQ 1F", "change.purpose", "same",
		      "change.reason", "new OS", "device.os", "Windows 11 24H2");
	assert_int_equal(lr_change(&sales, doc, a, why, sizeof(why)), 0);
	assert_string_equal(sub(doc, "pending_change", "endorsed_by"), "Kimura");
	assert_int_equal(lr_approve(&admin, doc, none, why, sizeof(why)), 0);
	assert_string_equal(s(doc, "device.os"), "Windows 11 23H2");
	assert_string_equal(sub(doc, "pending_change", "approved_by"), "Suzuki");
	assert_true(lr_filter_match(doc, flt, T_NOW));
	assert_refusal(lr_endorse(&sales, doc, why, sizeof(why)), why, "endorsed by Kimura");
	assert_int_equal(lr_approve(&isms, doc, none, why, sizeof(why)), 0);
	assert_string_equal(s(doc, "device.os"), "Windows 11 24H2");
	assert_string_equal(sub(doc, "last_change", "approved_by"), "Suzuki");
	assert_string_equal(sub(doc, "last_change", "second_approved_by"), "Ito (ISMS)");

	/* The second approver may refuse what waits for them. */
	d2 = requested(f);
	assert_int_equal(lr_endorse(&sales, d2, why, sizeof(why)), 0);
	assert_int_equal(lr_approve(&admin, d2, args, why, sizeof(why)), 0);
	assert_refusal(lr_refuse(&sales, d2, "no", why, sizeof(why)), why, "isms-manager");
	assert_int_equal(lr_refuse(&isms, d2, "not needed on this floor", why, sizeof(why)), 0);
	assert_string_equal(s(d2, "state"), "refused");
	json_decref(d2);
	json_decref(a);
	json_decref(args);
	json_decref(none);
	json_decref(flt);
	json_decref(doc);
}

/* LANREQ-48: held until the department security officer confirms a malware check. */
static void hold_until_checked(void **state)
{
	struct fx *f = *state;
	struct lr_ctx op = ctx(f, "Night operator", ROLE_OPERATOR),
		      admin = ctx(f, "Suzuki", ROLE_NETADMIN),
		      hd = ctx(f, "Sato (help desk)", ROLE_HELPDESK),
		      so_eng = ctx(f, "Abe (security, eng)", ROLE_SECURITY_OFFICER),
		      so = ctx(f, "Endo (security, sales)", ROLE_SECURITY_OFFICER);
	json_t *doc = approved(f), *flt = json_pack("{s:s}", "state", "held");
	char why[256];

	so_eng.department = "Engineering";
	so.department = "Sales";
	assert_refusal(lr_hold(&hd, doc, "back from home", why, sizeof(why)), why,
		       "netadmin or operator");
	assert_refusal(lr_hold(&op, doc, "", why, sizeof(why)), why, "LANREQ-48");
	assert_int_equal(lr_hold(&op, doc, "back from a month at home", why, sizeof(why)), 0);
	assert_string_equal(s(doc, "state"), "held");
	assert_string_equal(s(doc, "held_by"), "Night operator");
	assert_false(admitted(f, doc, T_NOW));
	assert_true(lr_filter_match(doc, flt, T_NOW));
	assert_refusal(lr_hold(&op, doc, "again", why, sizeof(why)), why, "cannot be held");
	/* Still live: its address stays its own, and it can be quarantined on the way. */
	assert_int_equal(lr_quarantine(&op, doc, "the check found a worm", why, sizeof(why)), 0);
	assert_refusal(lr_clear(&so, doc, "Endo", "clean", why, sizeof(why)), why,
		       "cannot be cleared");
	assert_int_equal(lr_release(&admin, doc, "Kimura", why, sizeof(why)), 0);
	assert_string_equal(s(doc, "state"), "held");
	/* Only the security officer of the user's department clears it. */
	assert_refusal(lr_clear(&admin, doc, "Suzuki", "clean", why, sizeof(why)), why,
		       "security-officer");
	assert_refusal(lr_clear(&so_eng, doc, "Abe", "clean", why, sizeof(why)), why,
		       "LANREQ-48");
	assert_refusal(lr_clear(&so, doc, NULL, "clean", why, sizeof(why)), why, "--checked-by");
	assert_refusal(lr_clear(&so, doc, "Endo", "", why, sizeof(why)), why, "--note");
	assert_int_equal(lr_clear(&so, doc, "IT support Mori",
				  "full scan with Defender 1.405, nothing found", why, sizeof(why)),
			 0);
	assert_string_equal(s(doc, "state"), "approved");
	assert_string_equal(s(doc, "hold_cleared_by"), "Endo (security, sales)");
	assert_string_equal(s(doc, "hold_checked_by"), "IT support Mori");
	assert_null(json_object_get(doc, "state_before_hold"));
	assert_true(admitted(f, doc, T_NOW));
	/* A held registration ends like any other (LANREQ-37). */
	assert_int_equal(lr_hold(&admin, doc, "returning", why, sizeof(why)), 0);
	assert_true(lr_expiry_due(doc, 1814400000));
	assert_int_equal(lr_end(&admin, doc, "user left", why, sizeof(why)), 0);
	assert_null(json_object_get(doc, "state_before_hold"));
	json_decref(flt);
	json_decref(doc);
}

/* LANREQ-32, C-23: the notice 14 days before the end, or at approval if shorter. */
static void expiry_notice_timing(void **state)
{
	struct fx *f = *state;
	json_t *doc = approved(f);
	int64_t until = 1814400000; /* 2027-07-01T00:00Z: the end of 2027-06-30 */

	assert_false(lr_expiry_notice_due(doc, &f->set, until - 14 * T_DAY - 1));
	assert_true(lr_expiry_notice_due(doc, &f->set, until - 14 * T_DAY));
	assert_int_equal(lr_next_event(doc, &f->set, until - 20 * T_DAY), until - 14 * T_DAY);
	json_object_set_new(doc, "expiry_notice_at", json_string("2027-06-16T00:00:00Z"));
	assert_false(lr_expiry_notice_due(doc, &f->set, until - T_DAY));
	assert_int_equal(lr_next_event(doc, &f->set, until - T_DAY), until);
	/* A ten-day period: the notice is due at approval. */
	json_object_del(doc, "expiry_notice_at");
	json_object_set_new(doc, "usage.valid_until", json_string("2027-01-10"));
	assert_true(lr_expiry_notice_due(doc, &f->set, T_NOW));
	/* LANREQ-30: overdue after 14 days unless confirmed by a person (C-25). */
	assert_false(lr_check_overdue(doc, T_NOW + 14 * T_DAY - 1));
	assert_true(lr_check_overdue(doc, T_NOW + 14 * T_DAY));
	json_decref(doc);
}

/* LANREQ-45: usage hours in the configured zone (+09:00). */
static void usage_hours(void **state)
{
	struct fx *f = *state;
	struct lr_hours h;
	/* 2027-01-04 is a Monday; 08:00 JST is 2027-01-03T23:00Z. */
	int64_t mon0800 = 1799017200, sat1000;

	assert_int_equal(lr_hours_parse("Mon-Fri 08:00-19:00", &h), 0);
	assert_int_equal(h.days, 0x1f);
	assert_false(lr_hours_contain(&h, mon0800 - 60, f->set.utc_offset));
	assert_true(lr_hours_contain(&h, mon0800, f->set.utc_offset));
	assert_true(lr_hours_contain(&h, mon0800 + 11 * 3600 - 60, f->set.utc_offset));
	assert_false(lr_hours_contain(&h, mon0800 + 11 * 3600, f->set.utc_offset));
	sat1000 = mon0800 + 5 * T_DAY + 2 * 3600;
	assert_false(lr_hours_contain(&h, sat1000, f->set.utc_offset));
	assert_int_equal(lr_hours_next(&h, mon0800 - 3600, f->set.utc_offset), mon0800);
	assert_int_equal(lr_hours_next(&h, mon0800, f->set.utc_offset), mon0800 + 11 * 3600);
	/* Across midnight, and the weekend days list. */
	assert_int_equal(lr_hours_parse("Sat,Sun 22:00-02:00", &h), 0);
	assert_int_equal(h.days, 0x60);
	assert_true(lr_hours_contain(&h, sat1000 + 12 * 3600, f->set.utc_offset)); /* Sat 22:00 */
	assert_true(lr_hours_contain(&h, sat1000 + 15 * 3600, f->set.utc_offset)); /* Sun 01:00 */
	assert_false(lr_hours_contain(&h, sat1000 - 12 * 3600, f->set.utc_offset)); /* Fri 22:00 */
	assert_int_equal(lr_hours_parse("any", &h), 0);
	assert_true(h.any);
	assert_int_equal(lr_hours_parse("Mon-Fro 08:00-19:00", &h), -EINVAL);
	assert_int_equal(lr_hours_parse("08:00-08:00", &h), -EINVAL);
	assert_int_equal(lr_hours_parse("25:00-26:00", &h), -EINVAL);
	/* A registration with hours is admitted only within them. */
	{
		json_t *doc = approved(f);
		const char *mac, *ip;
		bool a, q;

		json_object_set_new(doc, "usage.hours", json_string("Mon-Fri 08:00-19:00"));
		lr_kernel(doc, &f->set, mon0800, &a, &q, &mac, &ip);
		assert_true(a);
		lr_kernel(doc, &f->set, sat1000, &a, &q, &mac, &ip);
		assert_false(a);
		assert_int_equal(lr_next_event(doc, &f->set, mon0800), mon0800 + 11 * 3600);
		json_decref(doc);
	}
}

/* C-15, LANREQ-40, LANREQ-51: departure ends, transfer flags. */
static void person_status_effects(void **state)
{
	struct fx *f = *state;
	struct lr_ctx admin = ctx(f, "Suzuki", ROLE_NETADMIN);
	json_t *doc = approved(f);
	char why[256];

	assert_true(lr_person_status_valid("departed"));
	assert_false(lr_person_status_valid("retired"));
	assert_int_equal(lr_person_effect(doc, "Someone Else", "departed"), LRP_NONE);
	assert_int_equal(lr_person_effect(doc, "Ichiro Tanaka", "transferred"), LRP_FLAG);
	assert_int_equal(lr_person_apply(&admin, doc, LRP_FLAG, "Ichiro Tanaka", "transferred", why,
					 sizeof(why)),
			 0);
	assert_non_null(strstr(s(doc, "change_required"), "LANREQ-51"));
	assert_int_equal(lr_person_effect(doc, "Ichiro Tanaka", "transferred"), LRP_NONE);
	assert_int_equal(lr_person_effect(doc, "Ichiro Tanaka", "on-leave"), LRP_END);
	assert_int_equal(lr_person_apply(&admin, doc, LRP_END, "Ichiro Tanaka", "departed", why,
					 sizeof(why)),
			 0);
	assert_string_equal(s(doc, "state"), "ended");
	assert_non_null(strstr(s(doc, "end_reason"), "LANREQ-40"));
	json_decref(doc);
}

/* LANREQ-25, C-24: the approval notice lists what was permitted, headers on one line. */
static void approval_notice_lists_the_permission(void **state)
{
	json_t *doc = approved(*state);
	char *m = lr_notice_text(doc, LRN_APPROVED, "netadmin@example.co.jp");
	static const char *const want[] = {
		"From: netadmin@example.co.jp\n", "To: tanaka@example.co.jp\n",
		"Subject: LAN connection 1 approved: SALES-PC-12\n", "sales reporting",
		"HQ 1F desk 12", "intranet", "2027-06-30", "f1-pc100", "10.11.0.100",
		"02:00:00:00:0b:01", "SW1F-3/12", "static", "AD: CORP\\SALES-PC-12",
	};
	size_t i;

	assert_non_null(m);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		if (!strstr(m, want[i]))
			fail_msg("notice lacks '%s':\n%s", want[i], m);
	free(m);
	json_decref(doc);
}

/* 'netctl device list' filters. */
static void filters(void **state)
{
	json_t *doc = approved(*state), *flt = json_object();
	char why[128];

	assert_true(lr_filter_match(doc, flt, T_NOW));
	json_object_set_new(flt, "expiring", json_string("14d"));
	assert_int_equal(lr_filter_check(flt, why, sizeof(why)), 0);
	assert_false(lr_filter_match(doc, flt, T_NOW));
	assert_true(lr_filter_match(doc, flt, 1814400000 - 14 * T_DAY));
	json_object_set_new(flt, "state", json_string("aproved"));
	assert_int_equal(lr_filter_check(flt, why, sizeof(why)), -EINVAL);
	json_object_set_new(flt, "state", json_string("approved"));
	json_object_set_new(flt, "mac", json_string("02-00-00-00-0b-01"));
	assert_true(lr_filter_match(doc, flt, 1814400000 - T_DAY));
	json_object_set_new(flt, "department", json_string("Finance"));
	assert_false(lr_filter_match(doc, flt, 1814400000 - T_DAY));
	json_object_set_new(flt, "colour", json_string("red"));
	assert_int_equal(lr_filter_check(flt, why, sizeof(why)), -EINVAL);
	json_decref(flt);
	json_decref(doc);
}

/* C-24, ADM-4: resending a failed notice is an operator's predefined action, not the help desk's. */
static void resend_roles(void **state)
{
	struct lr_ctx op = ctx(*state, "Night operator", ROLE_OPERATOR),
		      hd = ctx(*state, "Sato (help desk)", ROLE_HELPDESK),
		      au = ctx(*state, "Audit", ROLE_AUDITOR);
	enum lr_op o;
	char why[160];

	assert_int_equal(lr_op_parse("resend", &o), 0);
	assert_int_equal(o, LRO_RESEND);
	assert_true(lr_op_writes(LRO_RESEND));
	assert_int_equal(lr_need_role(&op, LRO_RESEND, why, sizeof(why)), 0);
	assert_int_equal(lr_need_role(&hd, LRO_RESEND, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "'device resend' needs the role netadmin or operator; Sato (help "
				 "desk) does not hold it");
	assert_int_equal(lr_need_role(&au, LRO_RESEND, why, sizeof(why)), -EINVAL);
	/* The operator may quarantine and resend, never release (C-32). */
	assert_int_equal(lr_need_role(&op, LRO_RELEASE, why, sizeof(why)), -EINVAL);
}

/* LANREQ-31, C-21: the half-years end April 1 and October 1, Japan time. */
static void department_check_schedule(void **state)
{
	struct lr_settings set = LR_SETTINGS_DEFAULT;
	char *msg;

	(void)state;
	set.utc_offset = 9 * 3600;
	/* 2027-04-01T00:00+09:00 is 2027-03-31T15:00Z. */
	assert_int_equal(lr_anchor_next(&set, 1805068800 /* 2027-03-15Z */), 1806505200);
	assert_int_equal(lr_anchor_next(&set, 1806505200), 1822316400); /* strictly after */
	assert_int_equal(lr_anchor_next(&set, 1806505199), 1806505200);
	/* Across the year's end: 2026-12-31T20:00Z is already 2027-01-01 in Japan. */
	assert_int_equal(lr_anchor_next(&set, 1798747200), 1806505200);
	/* A check in March answers for the half-year ending April 1: the next is due October 1. */
	assert_int_equal(lr_dept_check_due(&set, 1805068800), 1822316400);
	/* One on April 1 (local) answers for April..September: due the next April 1. */
	assert_int_equal(lr_dept_check_due(&set, 1806505200), 1838127600);
	/* In UTC the same dates fall 9 hours later. */
	set.utc_offset = 0;
	assert_int_equal(lr_anchor_next(&set, 1805068800), 1806537600);
	assert_int_equal(lr_dept_check_due(&set, 1805068800), 1822348800);
	/* Not scheduled: never due. */
	set.n_dept_check = 0;
	assert_int_equal(lr_dept_check_due(&set, 1805068800), 0);
	/* One date a year: yearly. */
	set.dept_check[0] = 1001;
	set.n_dept_check = 1;
	assert_int_equal(lr_dept_check_due(&set, 1805068800), 1822348800 + 366 * 86400);

	msg = lr_dept_notice_text("Sales", 1806505200, 3, NULL, "netadmin@example.co.jp",
				  "gw@example.co.jp");
	assert_non_null(msg);
	assert_non_null(strstr(msg, "From: gw@example.co.jp\nTo: netadmin@example.co.jp\n"
				    "Subject: LAN department check overdue: Sales\n"));
	assert_non_null(strstr(msg, "was due at 2027-03-31T15:00:00Z"));
	assert_non_null(strstr(msg, "last check                 never"));
	free(msg);
}

/* C-8: a refused, ended or expired registration is purged after the retention, once. */
static void retention_purges_personal_data(void **state)
{
	const int64_t ret = 1827 * T_DAY;
	json_t *doc = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
				(json_int_t)4, "state", "ended", "zone", "floor1", "user.name",
				"Ichiro Tanaka", "user.contact", "tanaka@example.co.jp",
				"device.mac", "02:00:00:00:0b:01", "device.class", "pc",
				"usage.valid_until", "2027-03-31", "ended_at", "2027-01-01T00:00:00Z",
				"end_reason", "desk removed by Ichiro Tanaka", "approved_at",
				"2026-11-23T10:15:02Z", "purpose", "sales");
	json_t *anon, *live;
	const char *key;
	json_t *v;
	char *text;

	(void)state;
	assert_false(lr_retention_due(doc, ret, T_NOW + ret - 1));
	assert_true(lr_retention_due(doc, ret, T_NOW + ret));
	assert_false(lr_retention_due(doc, 0, T_NOW + ret)); /* no retention: never */
	anon = lr_anonymise(doc, T_NOW + ret);
	assert_non_null(anon);
	json_object_foreach(anon, key, v)
		assert_true(!strcmp(key, "id") || !strcmp(key, "state") || !strcmp(key, "zone") ||
			    !strcmp(key, "device.class") || !strcmp(key, "usage.valid_until") ||
			    !strcmp(key, "ended_at") || !strcmp(key, "approved_at") ||
			    !strcmp(key, "purged_at"));
	assert_int_equal(json_object_size(anon), 8);
	assert_string_equal(json_string_value(json_object_get(anon, "purged_at")),
			    "2032-01-02T00:00:00Z");
	text = json_dumps(anon, 0);
	assert_null(strstr(text, "Tanaka"));
	free(text);
	/* Purged once: the anonymised registration is not due again. */
	assert_false(lr_retention_due(anon, ret, T_NOW + 2 * ret));
	/* Live registrations are never due, refusals are from their refusal. */
	live = json_pack("{s:s, s:s}", "state", "approved", "approved_at", "2020-01-01T00:00:00Z");
	assert_false(lr_retention_due(live, ret, T_NOW + 2 * ret));
	json_object_set_new(live, "state", json_string("refused"));
	json_object_set_new(live, "refused_at", json_string("2027-01-01T00:00:00Z"));
	assert_true(lr_retention_due(live, ret, T_NOW + ret));
	assert_false(lr_retention_due(live, ret, T_NOW + ret - 1));
	json_decref(live);
	json_decref(anon);
	json_decref(doc);
}

/* ---- LANREQ-44: the per-device restriction's elements ---------------------- */

#define SVC_MAIN                                                                            \
	BASE_MAIN_HEAD "services = (\n" BASE_SERVICES ",\n"                                 \
	"\t{ name = \"ping\"; ports = [ \"icmp/echo-request\" ]; envs = [ \"lan\" ]; },\n"  \
	"\t{ name = \"x11\"; ports = [ \"tcp/6000-6003\", \"tcp/6001\" ]; envs = [ \"lan\" ]; },\n" \
	"\t{ name = \"bulk\"; ports = [ \"udp/1000-1300\" ]; envs = [ \"lan\" ]; }\n"        \
	");\n"

static int setup_svc(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct conf_source srcs[5];
	struct lr_settings def = LR_SETTINGS_DEFAULT;

	assert_non_null(f);
	srcs[0] = src_of(BASE_MAIN_NAME, SVC_MAIN);
	srcs[1] = src_of(BASE_INTERNET_NAME, BASE_INTERNET);
	srcs[2] = src_of(BASE_DMZ_NAME, BASE_DMZ);
	srcs[3] = src_of(BASE_SERVER_NAME, BASE_SERVER);
	srcs[4] = src_of(BASE_FLOOR_NAME, FLOOR_REGISTERED);
	if (load_sources(&f->l, srcs, 5, T_NOW))
		diag_dump(&f->l.d);
	assert_int_equal(f->l.r, 0);
	f->set = def;
	*state = f;
	return 0;
}

static void set_services(json_t *doc, const char *a, const char *b, const char *c)
{
	json_t *v = json_array();

	json_array_append_new(v, json_string(a));
	if (b)
		json_array_append_new(v, json_string(b));
	if (c)
		json_array_append_new(v, json_string(c));
	json_object_set_new(doc, "usage.services", v);
}

/* LANREQ-44: without registry.enforce_services the zone policy alone decides. */
static void services_restrict_only_when_enforced(void **state)
{
	struct fx *f = *state;
	json_t *doc = approved(f);
	struct lr_device_services ds;

	memset(&ds, 0xff, sizeof(ds));
	lr_device_services(doc, f->l.p, &ds);
	assert_false(ds.restricted);
	assert_int_equal(ds.n_ports, 0);
	assert_int_equal(ds.n_protos, 0);
	f->l.p->registry.enforce_services = true;
	json_object_set_new(doc, "usage.services", json_array());
	lr_device_services(doc, f->l.p, &ds);
	assert_false(ds.restricted); /* no services recorded: nothing to restrict to */
	json_decref(doc);
}

/* LANREQ-44, SVC-2: approved ports sorted and unique; infrastructure and unknown names add none. */
static void services_become_sorted_unique_ports(void **state)
{
	struct fx *f = *state;
	json_t *doc = approved(f);
	struct lr_device_services ds;

	f->l.p->registry.enforce_services = true;
	set_services(doc, "smb", "dns", "intranet");
	json_array_append_new(json_object_get(doc, "usage.services"), json_string("smb"));
	json_array_append_new(json_object_get(doc, "usage.services"), json_string("gone"));
	lr_device_services(doc, f->l.p, &ds);
	assert_true(ds.restricted);
	assert_false(ds.truncated);
	assert_int_equal(ds.n_protos, 0);
	assert_int_equal(ds.n_ports, 3);
	assert_int_equal(ds.ports[0].proto, IPPROTO_TCP);
	assert_int_equal(ds.ports[0].port, 80);
	assert_int_equal(ds.ports[1].port, 443);
	assert_int_equal(ds.ports[2].port, 445);
	/* Only infrastructure: restricted to what every device may use. */
	set_services(doc, "dns", NULL, NULL);
	lr_device_services(doc, f->l.p, &ds);
	assert_true(ds.restricted);
	assert_int_equal(ds.n_ports, 0);
	json_decref(doc);
}

/* LANREQ-44: ICMP by protocol, ranges port by port, and a bound that fails closed. */
static void services_icmp_ranges_and_the_bound(void **state)
{
	struct fx *f = *state;
	json_t *doc = approved(f);
	struct lr_device_services ds;
	struct lr_ctx cx = ctx(f, "Sato (help desk)", ROLE_HELPDESK);
	json_t *req, *out = NULL;
	char why[256] = "";

	f->l.p->registry.enforce_services = true;
	set_services(doc, "ping", "x11", NULL);
	lr_device_services(doc, f->l.p, &ds);
	assert_true(ds.restricted);
	assert_int_equal(ds.n_protos, 1);
	assert_int_equal(ds.protos[0], IPPROTO_ICMP);
	assert_int_equal(ds.n_ports, 4); /* 6000..6003; 6001 twice is one element */
	assert_int_equal(ds.ports[0].port, 6000);
	assert_int_equal(ds.ports[3].port, 6003);
	assert_int_equal(lr_service_ports(policy_service(f->l.p, "x11")), 5);
	/* 301 ports: more than a device holds; the first 256 only, flagged. */
	set_services(doc, "bulk", NULL, NULL);
	lr_device_services(doc, f->l.p, &ds);
	assert_true(ds.truncated);
	assert_int_equal(ds.n_ports, LR_DEVICE_PORTS_MAX);
	assert_int_equal(ds.ports[LR_DEVICE_PORTS_MAX - 1].port, 1000 + LR_DEVICE_PORTS_MAX - 1);
	json_decref(doc);
	/* ...and a request for it is refused while the restriction is enforced. */
	req = good_request();
	json_object_set_new(req, "usage.services", json_string("intranet, bulk"));
	assert_refusal(lr_request(&cx, req, &out, why, sizeof(why)), why, "at most 256 (LANREQ-44)");
	assert_null(out);
	f->l.p->registry.enforce_services = false;
	assert_int_equal(lr_request(&cx, req, &out, why, sizeof(why)), 0);
	json_decref(out);
	json_decref(req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(retention_purges_personal_data),
		cmocka_unit_test_setup_teardown(request_records_every_field, setup, teardown),
		cmocka_unit_test_setup_teardown(request_refusals_name_their_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(approval_needs_endorsement_and_assigns_address, setup,
						teardown),
		cmocka_unit_test_setup_teardown(kernel_elements_follow_state_and_period, setup,
						teardown),
		cmocka_unit_test_setup_teardown(quarantine_outlasts_the_registration, setup, teardown),
		cmocka_unit_test_setup_teardown(change_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(change_is_a_request, setup, teardown),
		cmocka_unit_test_setup_teardown(second_approval_and_department, setup, teardown),
		cmocka_unit_test_setup_teardown(hold_until_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(expiry_notice_timing, setup, teardown),
		cmocka_unit_test_setup_teardown(usage_hours, setup, teardown),
		cmocka_unit_test_setup_teardown(person_status_effects, setup, teardown),
		cmocka_unit_test_setup_teardown(approval_notice_lists_the_permission, setup, teardown),
		cmocka_unit_test_setup_teardown(filters, setup, teardown),
		cmocka_unit_test_setup_teardown(resend_roles, setup, teardown),
		cmocka_unit_test(department_check_schedule),
		cmocka_unit_test_setup_teardown(services_restrict_only_when_enforced, setup, teardown),
		cmocka_unit_test_setup_teardown(services_become_sorted_unique_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(services_icmp_ranges_and_the_bound, setup_svc, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

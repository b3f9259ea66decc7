/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the LAN registry's rules (lib/lanreq.c): any JSON a
 * control-socket client sends as device args (fields, filters, change
 * requests) must be refused with a reason or give a well-formed
 * registration, never a crash, a leak or undefined behaviour. The input is
 * a JSON object; it is used as a request, then as approval, change (filed,
 * endorsed, approved once or twice, refused) and filter arguments on the
 * registration it made, which is then held, cleared and quarantined.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "diag.h"
#include "lanreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char main_conf[] =
	"zone_dir = \"zones\";\n"
	"services = (\n"
	"\t{ name = \"intranet\"; ports = [ \"tcp/443\" ]; envs = [ \"lan\" ]; },\n"
	"\t{ name = \"smb\"; ports = [ \"tcp/445\" ]; envs = [ \"lan\" ]; }\n"
	");\n";
static const char server_conf[] =
	"zone = { name = \"server\"; kind = \"server\"; interfaces = [ \"srv0\" ];\n"
	"\tnetworks = [ \"10.1.0.0/24\" ];\n"
	"\thosts = ( { name = \"app\"; address = \"10.1.0.10\"; approval = \"S-1\"; } ); };\n";
static const char floor_conf[] =
	"zone = { name = \"floor1\"; kind = \"floor\"; admission = \"registered\";\n"
	"\tpool = \"10.11.0.100-10.11.0.101\"; hostname = \"f1-{octet:3}\";\n"
	"\tinterfaces = [ \"flr1\" ]; networks = [ \"10.11.0.0/24\" ];\n"
	"\tpolicies = ( { to = \"server\"; services = [ \"intranet\" ]; to_hosts = [ \"app\" ]; } ); };\n";

static struct policy *policy(void)
{
	static struct policy *p;
	struct conf_source srcs[] = {
		{ "gatewayd.conf", main_conf, sizeof(main_conf) - 1 },
		{ "zones/server.conf", server_conf, sizeof(server_conf) - 1 },
		{ "zones/floor1.conf", floor_conf, sizeof(floor_conf) - 1 },
	};
	struct diag_list d;

	if (p)
		return p;
	diag_init(&d);
	if (conf_load(srcs, 3, 1798761600, &p, &d)) {
		diag_print(stderr, &d);
		abort();
	}
	diag_fini(&d);
	return p;
}

static bool taken(void *data, const char *v, int64_t self)
{
	(void)data;
	(void)self;
	return v && !strcmp(v, "10.11.0.100");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lr_settings set = LR_SETTINGS_DEFAULT;
	struct lr_ctx cx = { .p = policy(), .set = &set, .actor = "fuzz", .roles = ~0u,
			     .now = 1798761600, .ip_taken = taken, .mac_taken = taken,
			     .hostname_taken = taken };
	json_t *args = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	json_t *doc = NULL, *req = NULL, *appr = NULL, *chg = NULL, *none = json_object(), *v;
	const char *key, *unset;
	char why[256];
	const char *mac, *ip;
	bool a, q;
	int r;

	if (!json_is_object(args))
		goto out;
	why[0] = 0;
	if (!lr_filter_check(args, why, sizeof(why)))
		(void)lr_filter_match(args, args, cx.now);
	/* The input carries the keys of every step; each step gets its own. */
	req = json_object();
	appr = json_object();
	chg = json_object();
	if (!req || !appr || !chg)
		goto out;
	unset = json_string_value(json_object_get(args, "change.unset"));
	json_object_foreach(args, key, v) {
		const struct lr_field *f = lr_field(key);

		if (strncmp(key, "change.", 7) && strcmp(key, "checked_by"))
			json_object_set(req, key, v);
		if (!strcmp(key, "configured_by") ||
		    (f && (f->flags & LRF_APPROVAL || !strcmp(key, "device.ip"))))
			json_object_set(appr, key, v);
		/* A field the change removes is not also given (change.unset). */
		if (!strncmp(key, "change.", 7) ||
		    (f && (f->flags & LRF_CHANGE) && (!unset || !strstr(unset, key))))
			json_object_set(chg, key, v);
	}
	r = lr_request(&cx, req, &doc, why, sizeof(why));
	if (r == -EINVAL && !why[0])
		abort(); /* a refusal always has a reason */
	if (r)
		goto out;
	json_object_set_new(doc, "id", json_integer(1));
	lr_endorse(&cx, doc, why, sizeof(why));
	if (lr_approve(&cx, doc, appr, why, sizeof(why)) == 0) {
		char *m = lr_notice_text(doc, LRN_APPROVED, "from@example");

		free(m);
		lr_kernel(doc, &set, cx.now, &a, &q, &mac, &ip);
		(void)lr_next_event(doc, &set, cx.now);
		/*
		 * LANREQ-36, C-1: the change as a request (and, by the input's
		 * length, direct or with a second approver), endorsed, approved
		 * with the same args, refused.
		 */
		set.direct_change = size & 1;
		set.second_approval = size & 2 ? ROLE_ISMS_MANAGER : 0;
		cx.department = json_string_value(json_object_get(args, "user.department"));
		if (lr_change(&cx, doc, chg, why, sizeof(why)) == -EINVAL && !why[0])
			abort();
		lr_endorse(&cx, doc, why, sizeof(why));
		lr_approve(&cx, doc, appr, why, sizeof(why));
		lr_approve(&cx, doc, none, why, sizeof(why));
		m = lr_notice_text(doc, LRN_CHANGED, NULL);
		free(m);
		lr_change(&cx, doc, chg, why, sizeof(why));
		lr_refuse(&cx, doc, "no", why, sizeof(why));
		m = lr_notice_text(doc, LRN_REFUSED, NULL);
		free(m);
		(void)lr_filter_match(doc, args, cx.now);
		/* FUZZ_LANREQ_VERBOSE=1 fuzz_lanreq FILE: how far a seed gets. */
		if (getenv("FUZZ_LANREQ_VERBOSE")) {
			char *d = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);

			fprintf(stderr, "after the change steps: %s\nlast reason: %s\n", d, why);
			free(d);
		}
		/* LANREQ-48 */
		lr_hold(&cx, doc, "back from home", why, sizeof(why));
		lr_kernel(doc, &set, cx.now, &a, &q, &mac, &ip);
		lr_clear(&cx, doc, json_string_value(json_object_get(args, "checked_by")), "n", why,
			 sizeof(why));
		lr_hold(&cx, doc, "again", why, sizeof(why));
		lr_quarantine(&cx, doc, "x", why, sizeof(why));
		lr_release(&cx, doc, "y", why, sizeof(why));
		lr_end(&cx, doc, "z", why, sizeof(why));
	}
out:
	json_decref(doc);
	json_decref(req);
	json_decref(appr);
	json_decref(chg);
	json_decref(none);
	json_decref(args);
	return 0;
}

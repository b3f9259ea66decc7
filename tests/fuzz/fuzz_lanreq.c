/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the LAN registry's rules (lib/lanreq.c): any JSON a
 * control-socket client sends as device args (fields, filters, change
 * requests) must be refused with a reason or give a well-formed
 * registration, never a crash, a leak or undefined behaviour. The input is
 * a JSON object; it is used as a request, then as approval, change and
 * filter arguments on the registration it made.
 */
#include <errno.h>
#include <stdint.h>
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
	json_t *doc = NULL;
	char why[256];
	const char *mac, *ip;
	bool a, q;
	int r;

	if (!json_is_object(args))
		goto out;
	why[0] = 0;
	if (!lr_filter_check(args, why, sizeof(why)))
		(void)lr_filter_match(args, args, cx.now);
	r = lr_request(&cx, args, &doc, why, sizeof(why));
	if (r == -EINVAL && !why[0])
		abort(); /* a refusal always has a reason */
	if (r)
		goto out;
	json_object_set_new(doc, "id", json_integer(1));
	lr_endorse(&cx, doc, why, sizeof(why));
	if (lr_approve(&cx, doc, args, why, sizeof(why)) == 0) {
		char *m = lr_notice_text(doc, LRN_APPROVED, "from@example");

		free(m);
		lr_kernel(doc, &set, cx.now, &a, &q, &mac, &ip);
		(void)lr_next_event(doc, &set, cx.now);
		lr_change(&cx, doc, args, why, sizeof(why));
		lr_quarantine(&cx, doc, "x", why, sizeof(why));
		lr_release(&cx, doc, "y", why, sizeof(why));
		lr_end(&cx, doc, "z", why, sizeof(why));
	}
out:
	json_decref(doc);
	json_decref(args);
	return 0;
}

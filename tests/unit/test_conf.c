/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of lib/conf.c and lib/validate.c: config text to a validated
 * model. Each check is shown by the smallest change to a valid base config
 * (helpers.h) and must produce its "FILE:LINE: message", and nothing else.
 */
#include "helpers.h"

#include <netinet/in.h>

#include "duration.h"
#include "util.h"

/* ---- loading the base config with changes ------------------------------ */

struct zfile {
	const char *name;
	const char *text; /* NULL: leave the base zone of that name out */
};

/* A list of zone files replacing or adding to the base zones: two arguments. */
#define ZF(...)                                                                            \
	((const struct zfile[]){ __VA_ARGS__ }),                                           \
		(sizeof((const struct zfile[]){ __VA_ARGS__ }) / sizeof(struct zfile))
#define NO_ZONES NULL, 0

static const struct zfile base_zones[] = {
	{ BASE_INTERNET_NAME, BASE_INTERNET },
	{ BASE_DMZ_NAME, BASE_DMZ },
	{ BASE_SERVER_NAME, BASE_SERVER },
	{ BASE_FLOOR_NAME, BASE_FLOOR },
};

struct cfg {
	struct loaded l;
	char *main; /* the main file's text, for line_of() */
};

/*
 * Loads the base config at @now with @svc_extra appended to the services
 * list, @main_extra appended to the main file, and @over replacing base
 * zones of the same name or adding zone files after them.
 */
static int load_cfg_at(struct cfg *c, int64_t now, const char *svc_extra, const char *main_extra,
		       const struct zfile *over, size_t n_over)
{
	struct conf_source *srcs = calloc(ARRAY_SIZE(base_zones) + n_over + 1, sizeof(*srcs));
	size_t n = 0, i, k;
	struct text t;

	assert_non_null(srcs);
	text_init(&t);
	text_addf(&t, "%sservices = (\n%s%s%s);\n%s", BASE_MAIN_HEAD, BASE_SERVICES,
		  svc_extra ? ",\n" : "", svc_extra ? svc_extra : "", main_extra ? main_extra : "");
	c->main = text_done(&t);
	srcs[n++] = src_of(BASE_MAIN_NAME, c->main);
	for (i = 0; i < ARRAY_SIZE(base_zones); i++) {
		const char *text = base_zones[i].text;

		for (k = 0; k < n_over; k++)
			if (!strcmp(over[k].name, base_zones[i].name))
				text = over[k].text;
		if (text)
			srcs[n++] = src_of(base_zones[i].name, text);
	}
	for (k = 0; k < n_over; k++) {
		for (i = 0; i < ARRAY_SIZE(base_zones); i++)
			if (!strcmp(over[k].name, base_zones[i].name))
				break;
		if (i == ARRAY_SIZE(base_zones) && over[k].text)
			srcs[n++] = src_of(over[k].name, over[k].text);
	}
	load_sources(&c->l, srcs, n, now);
	free(srcs);
	return c->l.r;
}

#define load_cfg(c, svc_extra, main_extra, zones)                                          \
	load_cfg_at((c), T_NOW, (svc_extra), (main_extra), zones)

static void cfg_fini(struct cfg *c)
{
	loaded_fini(&c->l);
	free(c->main);
	c->main = NULL;
}

/* The first lines of zone files; tests add keys, hosts and policies. */
#define FLOOR1_HEAD                                                                        \
	"zone = {\n"                                                                       \
	"\tname = \"floor1\";\n"                                                           \
	"\tkind = \"floor\";\n"                                                            \
	"\tinterfaces = [ \"flr1\" ];\n"                                                   \
	"\tnetworks = [ \"10.11.0.0/24\" ];\n"
#define FLOOR2_HEAD                                                                        \
	"zone = {\n"                                                                       \
	"\tname = \"floor2\";\n"                                                           \
	"\tkind = \"floor\";\n"                                                            \
	"\tinterfaces = [ \"flr2\" ];\n"                                                   \
	"\tnetworks = [ \"10.12.0.0/24\" ];\n"
#define INTERNET_HEAD                                                                      \
	"zone = {\n"                                                                       \
	"\tname = \"internet\";\n"                                                         \
	"\tkind = \"global\";\n"                                                           \
	"\tinterfaces = [ \"ext0\" ];\n"                                                   \
	"\tnetworks = [ \"203.0.113.0/24\" ];\n"
#define DMZ_HEAD                                                                           \
	"zone = {\n"                                                                       \
	"\tname = \"dmz\";\n"                                                              \
	"\tkind = \"dmz\";\n"                                                              \
	"\tdmz = \"nat\";\n"                                                               \
	"\tinterfaces = [ \"dmz0\" ];\n"                                                   \
	"\tnetworks = [ \"172.20.0.0/24\" ];\n"
#define DMZ_HOSTS                                                                          \
	"\t\t{ name = \"www\"; address = \"172.20.0.10\"; approval = \"SRV-1\"; },\n"      \
	"\t\t{ name = \"proxy\"; address = \"172.20.0.80\"; approval = \"SRV-2\"; }"
#define SERVER_HEAD                                                                        \
	"zone = {\n"                                                                       \
	"\tname = \"server\";\n"                                                           \
	"\tkind = \"server\";\n"                                                           \
	"\tinterfaces = [ \"srv0\" ];\n"                                                   \
	"\tnetworks = [ \"10.1.0.0/24\" ];\n"
#define SERVER_HOSTS                                                                       \
	"\t\t{ name = \"app\"; address = \"10.1.0.10\"; approval = \"SRV-3\"; },\n"        \
	"\t\t{ name = \"dns-int\"; address = \"10.1.0.53\"; approval = \"SRV-4\"; }"
#define POLICIES(list) "\tpolicies = (\n" list "\n\t);\n"
#define HOSTS(list) "\thosts = (\n" list "\n\t);\n"
#define END "};\n"

/* ---- the base config --------------------------------------------------- */

/* ZONE-1, CHG-6 */
static void base_config_loads_without_diagnostics(void **state)
{
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, NO_ZONES);
	assert_loaded(&c.l);
	assert_int_equal(c.l.d.n, 0); /* not even a warning */
	assert_int_equal(c.l.p->n_zones, BASE_N_ZONES);
	assert_int_equal(c.l.p->n_services, BASE_N_SERVICES);
	assert_int_equal(c.l.p->n_hosts, BASE_N_HOSTS);
	assert_int_equal(c.l.p->n_rules, BASE_N_POLICIES);
	cfg_fini(&c);
}

/* ZONE-1, ZONE-2, ZONE-3 */
static void zone_kinds_belong_to_their_environments(void **state)
{
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, NO_ZONES);
	assert_loaded(&c.l);
	assert_int_equal(policy_zone(c.l.p, "internet")->kind, ZK_GLOBAL);
	assert_int_equal(policy_zone(c.l.p, "internet")->env, ENV_INTERNET);
	assert_int_equal(policy_zone(c.l.p, "dmz")->env, ENV_INTERNET);
	assert_int_equal(policy_zone(c.l.p, "server")->env, ENV_LAN);
	assert_int_equal(policy_zone(c.l.p, "floor1")->kind, ZK_FLOOR);
	assert_int_equal(policy_zone(c.l.p, "floor1")->env, ENV_LAN);
	assert_null(policy_zone(c.l.p, "floor2"));
	cfg_fini(&c);
}

/* ZONE-8, ZONE-18, NAT-3 */
static void references_resolve_and_objects_keep_their_origin(void **state)
{
	const struct zone *floor, *server;
	const struct host *app;
	struct cfg c;
	size_t i;
	bool seen = false;

	(void)state;
	load_cfg(&c, NULL, NULL, NO_ZONES);
	assert_loaded(&c.l);
	floor = policy_zone(c.l.p, "floor1");
	server = policy_zone(c.l.p, "server");
	app = policy_host(c.l.p, "app");
	assert_non_null(app);
	assert_ptr_equal(app->zone, server);
	assert_string_equal(app->origin.file, BASE_SERVER_NAME);
	assert_int_equal(app->origin.line, line_of(BASE_SERVER, "\"app\""));
	assert_string_equal(floor->origin.file, BASE_FLOOR_NAME);
	assert_int_equal(floor->origin.line, 1);
	for (i = 0; i < c.l.p->n_rules; i++) {
		const struct policy_rule *pr = c.l.p->rules[i];

		if (pr->from != floor || pr->n_dests != 1 || strcmp(pr->dests[0], "app"))
			continue;
		seen = true;
		assert_ptr_equal(pr->to, server);
		assert_ptr_equal(pr->dst[0], app);
		assert_ptr_equal(pr->svc[0], policy_service(c.l.p, "intranet"));
		assert_int_equal(pr->origin.line, line_of(BASE_FLOOR, "\"app\""));
	}
	assert_true(seen);
	assert_ptr_equal(c.l.p->settings.proxy_host, policy_host(c.l.p, "proxy"));
	assert_ptr_equal(c.l.p->publish[0]->host, policy_host(c.l.p, "www"));
	cfg_fini(&c);
}

/* SVC-1, ZONE-8 */
static void port_specs_are_parsed(void **state)
{
	static const char svcs[] =
		"\t{ name = \"range\"; ports = [ \"udp/6000-6010\" ]; envs = [ \"lan\" ]; },\n"
		"\t{ name = \"sc\"; ports = [ \"sctp/9\" ]; envs = [ \"lan\" ]; },\n"
		"\t{ name = \"ping6\"; ports = [ \"icmpv6/echo-request\" ]; envs = [ \"lan\" ]; },\n"
		"\t{ name = \"tunnel\"; ports = [ \"gre\" ]; envs = [ \"lan\" ]; },\n"
		"\t{ name = \"proto-num\"; ports = [ \"47\" ]; envs = [ \"lan\" ]; }\n";
	const struct service *s;
	struct cfg c;

	(void)state;
	load_cfg(&c, svcs, NULL, NO_ZONES);
	assert_loaded(&c.l);
	s = policy_service(c.l.p, "range");
	assert_int_equal(s->n_ports, 1);
	assert_int_equal(s->ports[0].proto, IPPROTO_UDP);
	assert_int_equal(s->ports[0].lo, 6000);
	assert_int_equal(s->ports[0].hi, 6010);
	s = policy_service(c.l.p, "sc");
	assert_int_equal(s->ports[0].proto, IPPROTO_SCTP);
	assert_int_equal(s->ports[0].lo, 9);
	assert_int_equal(s->ports[0].hi, 9);
	s = policy_service(c.l.p, "ping6");
	assert_int_equal(s->ports[0].proto, IPPROTO_ICMPV6);
	assert_int_equal(s->ports[0].icmp_type, 128);
	s = policy_service(c.l.p, "tunnel");
	assert_int_equal(s->ports[0].proto, IPPROTO_GRE);
	assert_int_equal(s->ports[0].lo, 0);
	s = policy_service(c.l.p, "proto-num");
	assert_int_equal(s->ports[0].proto, 47);
	assert_int_equal(policy_service(c.l.p, "dns")->envs,
			 (1u << ENV_INTERNET) | (1u << ENV_LAN));
	assert_true(policy_service(c.l.p, "dns")->infrastructure);
	cfg_fini(&c);
}

/* ---- unknown keys and references --------------------------------------- */

/* CHG-6 */
static void unknown_key_is_refused_with_a_hint(void **state)
{
	static const char floor[] = FLOOR1_HEAD "\tdescripton = \"user PCs\";\n" END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "descripton"),
		    "zone 'floor1': unknown key 'descripton' (did you mean 'description'?)");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* CHG-6 */
static void unknown_key_in_main_file_is_refused_with_a_hint(void **state)
{
	static const char extra[] = "log_level = 3;\nproxy_host = \"x\";\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, extra, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "log_level"),
		    "main config: unknown key 'log_level'");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "proxy_host"),
		    "unknown key 'proxy_host'");
	assert_errors(&c.l.d, 2);
	cfg_fini(&c);
}

/* LANREQ-31, C-21: the half-yearly check's dates, with FILE:LINE errors. */
static void department_check_dates(void **state)
{
	static const char good[] = "registry = {\n department_check = [ \"03-31\", \"09-30\" ];\n"
				   " department_check_to = \"netadmin@example.co.jp\";\n};\n";
	static const char bad[] = "registry = {\n department_check = [ \"04-01\",\n"
				  " \"02-29\",\n \"4-1\",\n \"04-01\" ];\n};\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, NO_ZONES);
	assert_int_equal(c.l.p->registry.n_dept_check, 2); /* the default: April 1, October 1 */
	assert_int_equal(c.l.p->registry.dept_check[0], 401);
	assert_int_equal(c.l.p->registry.dept_check[1], 1001);
	cfg_fini(&c);
	load_cfg(&c, NULL, good, NO_ZONES);
	assert_errors(&c.l.d, 0);
	assert_int_equal(c.l.p->registry.n_dept_check, 2);
	assert_int_equal(c.l.p->registry.dept_check[1], 930);
	assert_string_equal(c.l.p->registry.dept_check_to, "netadmin@example.co.jp");
	cfg_fini(&c);
	load_cfg(&c, NULL, bad, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "\"02-29\""),
		    "department_check '02-29' is not a date");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "\"4-1\""),
		    "department_check '4-1' is not a date");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "\"04-01\" ]"),
		    "department_check '04-01' given twice");
	assert_errors(&c.l.d, 3);
	cfg_fini(&c);
}

/* LANREQ-44: the per-device restriction is a switch, off by default; a non-boolean is refused. */
static void enforce_services_switch(void **state)
{
	static const char good[] = "registry = {\n enforce_services = true;\n};\n";
	static const char bad[] = "registry = {\n enforce_services = \"yes\";\n};\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, NO_ZONES);
	assert_false(c.l.p->registry.enforce_services);
	cfg_fini(&c);
	load_cfg(&c, NULL, good, NO_ZONES);
	assert_errors(&c.l.d, 0);
	assert_true(c.l.p->registry.enforce_services);
	cfg_fini(&c);
	load_cfg(&c, NULL, bad, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "enforce_services"),
		    "registry: 'enforce_services' must be true or false");
	cfg_fini(&c);
}

/* C-1, LANREQ-48: the second approver's role, a person's department, the new roles. */
static void second_approval_and_departments(void **state)
{
	static const char good[] =
		"registry = {\n second_approval = \"isms-manager\";\n direct_change = true;\n};\n"
		"people = (\n"
		" { user = \"ito\"; name = \"Ito (ISMS)\"; roles = [ \"isms-manager\" ]; },\n"
		" { user = \"endo\"; name = \"Endo\"; roles = [ \"security-officer\" ];\n"
		"   department = \"Sales\"; },\n"
		" { user = \"kimura\"; name = \"Kimura\"; roles = [ \"dept-head\" ]; department = "
		"\"Sales\"; }\n);\n";
	static const char bad[] = "registry = {\n second_approval = \"isms-manager\";\n};\n"
				  "people = (\n"
				  " { user = \"ito\"; name = \"Ito\"; roles = [ \"isms-manger\" ]; }\n"
				  ");\n";
	static const char bad2[] = "registry = {\n second_approval = \"isms\";\n};\n";
	static const char bad3[] = "registry = {\n second_approval = \"netadmin\";\n};\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, NO_ZONES);
	assert_int_equal(c.l.p->registry.second_approval, 0); /* the default: none */
	assert_false(c.l.p->registry.direct_change);
	cfg_fini(&c);
	load_cfg(&c, NULL, good, NO_ZONES);
	assert_errors(&c.l.d, 0);
	assert_int_equal(c.l.p->registry.second_approval, ROLE_ISMS_MANAGER);
	assert_true(c.l.p->registry.direct_change);
	assert_int_equal(policy_person(c.l.p, "ito")->roles, ROLE_ISMS_MANAGER);
	assert_null(policy_person(c.l.p, "ito")->department);
	assert_int_equal(policy_person(c.l.p, "endo")->roles, ROLE_SECURITY_OFFICER);
	assert_string_equal(policy_person(c.l.p, "endo")->department, "Sales");
	assert_string_equal(policy_person(c.l.p, "kimura")->department, "Sales");
	cfg_fini(&c);
	load_cfg(&c, NULL, bad, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "isms-manger"),
		    "role 'isms-manger' is not known (did you mean 'isms-manager'?)");
	/* C-1: with that person refused, nobody holds the second approver's role. */
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "second_approval"),
		    "no person in people holds the role isms-manager");
	assert_errors(&c.l.d, 2);
	cfg_fini(&c);
	load_cfg(&c, NULL, bad2, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "second_approval"),
		    "second_approval 'isms' is not a role that can approve a second time");
	cfg_fini(&c);
	load_cfg(&c, NULL, bad3, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "second_approval"),
		    "second_approval 'netadmin' is not a role");
	cfg_fini(&c);
}

/*
 * C-1: registry.second_approval names a role someone holds, and not only
 * the sole netadmin (who cannot give both approvals); else no approval
 * could ever be completed.
 */
static void second_approver_must_exist(void **state)
{
	static const char nobody[] =
		"people = (\n"
		" { user = \"root\"; name = \"Root\"; roles = [ \"netadmin\" ]; },\n"
		" { user = \"ono\"; name = \"Ono\"; roles = [ \"dept-head\" ]; }\n);\n"
		"registry = {\n four_eyes = true;\n second_approval = \"isms-manager\";\n};\n";
	static const char only_admin[] =
		"people = (\n"
		" { user = \"root\"; name = \"Root\"; roles = [ \"netadmin\", \"isms-manager\" ]; }\n"
		");\nregistry = {\n second_approval = \"isms-manager\";\n};\n";
	static const char two_admins[] =
		"people = (\n"
		" { user = \"root\"; name = \"Root\"; roles = [ \"netadmin\", \"isms-manager\" ]; },\n"
		" { user = \"suzuki\"; name = \"Suzuki\"; roles = [ \"netadmin\" ]; }\n"
		");\nregistry = {\n second_approval = \"isms-manager\";\n};\n";
	static const char head[] =
		"people = (\n { user = \"ono\"; name = \"Ono\"; roles = [ \"dept-head\" ]; }\n);\n"
		"registry = {\n second_approval = \"dept-head\";\n};\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, nobody, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "second_approval"),
		    "registry: second_approval 'isms-manager': no person in people holds the role "
		    "isms-manager, so no approval could be completed (C-1)");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
	load_cfg(&c, NULL, only_admin, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "second_approval"),
		    "holds the role isms-manager other than the only netadmin, who cannot approve "
		    "twice");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
	load_cfg(&c, NULL, two_admins, NO_ZONES);
	assert_errors(&c.l.d, 0);
	assert_int_equal(c.l.p->registry.second_approval, ROLE_ISMS_MANAGER);
	cfg_fini(&c);
	load_cfg(&c, NULL, head, NO_ZONES);
	assert_errors(&c.l.d, 0);
	assert_int_equal(c.l.p->registry.second_approval, ROLE_DEPT_HEAD);
	cfg_fini(&c);
}

/* ADM-7: how often the management IDs are inventoried, and who is told when it is overdue. */
static void inventory_keys(void **state)
{
	static const char good[] = "registry = {\n inventory = \"180d\";\n"
				   " inventory_to = \"isms@example.co.jp\";\n};\n";
	static const char bad[] = "registry = {\n inventory = \"400d\";\n};\n";
	static const char bad2[] = "registry = {\n inventory = \"0\";\n};\n";
	static const char bad3[] = "registry = {\n inventory = \"yearly\";\n};\n";
	static const char bad4[] = "registry = {\n inventory_to = 3;\n};\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, NO_ZONES);
	assert_int_equal(c.l.p->registry.inventory, 365 * T_DAY); /* the §4 calendar: yearly */
	assert_null(c.l.p->registry.inventory_to);
	cfg_fini(&c);
	load_cfg(&c, NULL, good, NO_ZONES);
	assert_errors(&c.l.d, 0);
	assert_int_equal(c.l.p->registry.inventory, 180 * T_DAY);
	assert_string_equal(c.l.p->registry.inventory_to, "isms@example.co.jp");
	cfg_fini(&c);
	load_cfg(&c, NULL, bad, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "inventory"),
		    "registry: inventory '400d' is not a duration from 1 day to 366 days (\"365d\"; "
		    "the management IDs are inventoried at least yearly, ADM-7)");
	cfg_fini(&c);
	load_cfg(&c, NULL, bad2, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "inventory"),
		    "inventory '0' is not a duration from 1 day");
	cfg_fini(&c);
	load_cfg(&c, NULL, bad3, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "inventory"),
		    "inventory 'yearly' is not a duration");
	cfg_fini(&c);
	load_cfg(&c, NULL, bad4, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "inventory_to"), "inventory_to");
	cfg_fini(&c);
}

/* LANREQ-47, LANREQ-33, C-8: known equipment, the peers' days, the retention. */
static void registry_watch_keys(void **state)
{
	static const char good[] =
		"registry = {\n known_equipment = [ \"02:00:00:00:0B:FE\", \"02-00-00-00-0b-fd\" ];\n"
		" peer_days = 7;\n retention = \"730d\";\n};\n";
	static const char bad[] = "registry = {\n known_equipment = [ \"02:00:00:00:0b:fe\",\n"
				  " \"02:00:00:00:0b\",\n \"01:00:0c:cc:cc:cc\",\n"
				  " \"02:00:00:00:0b:FE\",\n \"02:00-00:00:0b:01\" ];\n"
				  " peer_days = 400;\n retention = \"300d\";\n};\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, NO_ZONES);
	assert_int_equal(c.l.p->registry.n_known_equipment, 0);
	assert_int_equal(c.l.p->registry.peer_days, 30);
	assert_int_equal(c.l.p->registry.retention, 1827 * T_DAY); /* C-8: 5 years */
	cfg_fini(&c);
	load_cfg(&c, NULL, good, NO_ZONES);
	assert_errors(&c.l.d, 0);
	assert_int_equal(c.l.p->registry.n_known_equipment, 2);
	assert_string_equal(c.l.p->registry.known_equipment[0], "02:00:00:00:0b:fe");
	assert_string_equal(c.l.p->registry.known_equipment[1], "02:00:00:00:0b:fd");
	assert_int_equal(c.l.p->registry.peer_days, 7);
	assert_int_equal(c.l.p->registry.retention, 730 * T_DAY);
	cfg_fini(&c);
	load_cfg(&c, NULL, bad, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "\"02:00:00:00:0b\""),
		    "known_equipment '02:00:00:00:0b' is not a MAC address");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "\"01:00:0c"),
		    "known_equipment '01:00:0c:cc:cc:cc' is not a MAC address");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "0b:FE"),
		    "known_equipment '02:00:00:00:0b:FE' given twice");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "02:00-00"),
		    "is not a MAC address");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "peer_days"), "peer_days");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "retention"),
		    "retention '300d' is shorter than a year");
	assert_errors(&c.l.d, 6);
	cfg_fini(&c);
}

/* CHG-6 */
static void unknown_key_without_a_near_match_gets_no_hint(void **state)
{
	static const char floor[] = FLOOR1_HEAD "\tcolour = \"blue\";\n" END;
	const struct diag *x;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	x = diag_find(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "colour"), "unknown key 'colour'");
	assert_non_null(x);
	assert_null(strstr(x->msg, "did you mean"));
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* SVC-1 */
static void unknown_service_is_refused_with_a_hint(void **state)
{
	static const char floor[] = FLOOR1_HEAD POLICIES(
		"\t\t{ to = \"server\"; services = [ \"intranat\" ]; to_hosts = [ \"app\" ]; }") END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "intranat"),
		    "zone 'floor1': policy to 'server': service 'intranat' is not defined "
		    "(did you mean 'intranet'?)");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* ZONE-8, ZONE-16 */
static void unknown_host_is_refused_with_a_hint(void **state)
{
	static const char floor[] = FLOOR1_HEAD POLICIES(
		"\t\t{ to = \"server\"; services = [ \"intranet\" ]; to_hosts = [ \"ap\" ]; }") END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "\"ap\""),
		    "host 'ap' is not defined (did you mean 'app'?)");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* ZONE-6 */
static void unknown_zone_is_refused_with_a_hint(void **state)
{
	static const char floor[] = FLOOR1_HEAD POLICIES(
		"\t\t{ to = \"servr\"; services = [ \"intranet\" ]; to_hosts = [ \"app\" ]; }") END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "servr"),
		    "zone 'servr' is not defined (did you mean 'server'?)");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* SVC-1, PROXY-1 */
static void unknown_proxy_host_and_service_are_refused(void **state)
{
	static const char dmz[] = DMZ_HEAD HOSTS(DMZ_HOSTS) END;
	struct cfg c;
	struct conf_source srcs[5];
	char *main;

	(void)state;
	/* The base main file with the proxy section naming a typo'd host. */
	main = xstrdup(BASE_MAIN);
	memcpy(strstr(main, "host = \"proxy\""), "host = \"prixy\"", 14);
	memcpy(strstr(main, "service = \"http-proxy\""), "service = \"http-prixy\"", 22);
	srcs[0] = src_of(BASE_MAIN_NAME, main);
	srcs[1] = src_of(BASE_INTERNET_NAME, BASE_INTERNET);
	srcs[2] = src_of(BASE_DMZ_NAME, dmz);
	srcs[3] = src_of(BASE_SERVER_NAME, BASE_SERVER);
	srcs[4] = src_of(BASE_FLOOR_NAME, FLOOR1_HEAD END);
	c.main = NULL;
	load_sources(&c.l, srcs, 5, T_NOW);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(main, "proxy ="),
		    "proxy: host 'prixy' is not defined (did you mean 'proxy'?)");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(main, "proxy ="),
		    "proxy: service 'http-prixy' is not defined (did you mean 'http-proxy'?)");
	assert_errors(&c.l.d, 2);
	cfg_fini(&c);
	free(main);
}

/* ---- duplicates -------------------------------------------------------- */

/* ZONE-6, ZONE-18 */
static void duplicate_zone_name_is_refused_independent_of_file_order(void **state)
{
	static const char twin[] = "zone = {\n"
				   "\tname = \"floor1\";\n"
				   "\tkind = \"floor\";\n"
				   "\tinterfaces = [ \"flr9\" ];\n"
				   "\tnetworks = [ \"10.19.0.0/24\" ];\n"
				   "};\n";
	struct conf_source srcs[6];
	struct loaded l;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ "zones/floor9.conf", twin }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, "zones/floor9.conf", 1,
		    "zone 'floor1' is defined twice (first at zones/floor1.conf:1)");
	assert_errors(&c.l.d, 1);

	/* The same files, the twin given first: the same message. */
	srcs[0] = src_of(BASE_MAIN_NAME, c.main);
	srcs[1] = src_of("zones/floor9.conf", twin);
	srcs[2] = src_of(BASE_FLOOR_NAME, BASE_FLOOR);
	srcs[3] = src_of(BASE_SERVER_NAME, BASE_SERVER);
	srcs[4] = src_of(BASE_DMZ_NAME, BASE_DMZ);
	srcs[5] = src_of(BASE_INTERNET_NAME, BASE_INTERNET);
	load_sources(&l, srcs, 6, T_NOW);
	assert_refused(&l);
	assert_diag(&l.d, "zones/floor9.conf", 1,
		    "zone 'floor1' is defined twice (first at zones/floor1.conf:1)");
	assert_errors(&l.d, 1);
	loaded_fini(&l);
	cfg_fini(&c);
}

/* ZONE-17 */
static void duplicate_host_name_is_refused(void **state)
{
	static const char server[] = SERVER_HEAD HOSTS(
		SERVER_HOSTS ",\n"
		"\t\t{ name = \"app\"; address = \"10.1.0.11\"; approval = \"SRV-5\"; }") END;
	struct cfg c;
	char want[128];

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_SERVER_NAME, server }));
	assert_refused(&c.l);
	snprintf(want, sizeof(want), "host 'app' is defined twice (first at %s:%d)",
		 BASE_SERVER_NAME, line_of(server, "\"app\""));
	assert_diag(&c.l.d, BASE_SERVER_NAME, line_of(server, "10.1.0.11"), want);
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* SVC-1 */
static void duplicate_service_name_is_refused(void **state)
{
	static const char svc[] =
		"\t{ name = \"http\"; ports = [ \"tcp/8000\" ]; envs = [ \"internet\" ]; }\n";
	struct cfg c;
	char want[128];

	(void)state;
	load_cfg(&c, svc, NULL, NO_ZONES);
	assert_refused(&c.l);
	snprintf(want, sizeof(want), "service 'http' is defined twice (first at %s:%d)",
		 BASE_MAIN_NAME, line_of(c.main, "name = \"http\";"));
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "tcp/8000"), want);
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* ---- addresses, ports, protocols ---------------------------------------- */

/* ZONE-15 */
static void network_with_host_bits_or_bad_length_is_refused(void **state)
{
	static const char floor[] =
		"zone = {\n"
		"\tname = \"floor1\";\n"
		"\tkind = \"floor\";\n"
		"\tinterfaces = [ \"flr1\" ];\n"
		"\tnetworks = [ \"10.11.0.0/24\", \"10.11.1.1/24\", \"10.11.2.0/33\", "
		"\"fd00:11::1/64\" ];\n"
		"};\n";
	const int line = line_of(floor, "networks");
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line, "'10.11.1.1/24' is not a valid network");
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line, "'10.11.2.0/33' is not a valid network");
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line, "'fd00:11::1/64' is not a valid network");
	assert_errors(&c.l.d, 3);
	cfg_fini(&c);
}

/* SVC-1, ZONE-8 */
static void bad_port_specs_are_refused(void **state)
{
	static const char svcs[] =
		"\t{ name = \"p-zero\"; ports = [ \"tcp/0\" ]; envs = [ \"lan\" ]; },\n"
		"\t{ name = \"p-big\"; ports = [ \"udp/65536\" ]; envs = [ \"lan\" ]; },\n"
		"\t{ name = \"p-rev\"; ports = [ \"tcp/90-80\" ]; envs = [ \"lan\" ]; },\n"
		"\t{ name = \"p-word\"; ports = [ \"tcp/http\" ]; envs = [ \"lan\" ]; },\n"
		"\t{ name = \"p-gre\"; ports = [ \"gre/5\" ]; envs = [ \"lan\" ]; },\n"
		"\t{ name = \"p-icmp\"; ports = [ \"icmp/echo\" ]; envs = [ \"lan\" ]; }\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, svcs, NULL, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "p-zero"),
		    "service 'p-zero': port 'tcp/0': a port is a number from 1 to 65535");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "p-big"),
		    "port 'udp/65536': a port is a number from 1 to 65535");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "p-rev"),
		    "port 'tcp/90-80': port range is reversed");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "p-word"),
		    "port 'tcp/http': a port is a number");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "p-gre"),
		    "port 'gre/5': only tcp, udp and sctp have ports");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "p-icmp"),
		    "port 'icmp/echo': unknown ICMP type");
	assert_errors(&c.l.d, 6);
	cfg_fini(&c);
}

/* SVC-1, ZONE-8 */
static void bad_protocol_is_refused(void **state)
{
	static const char svcs[] =
		"\t{ name = \"typo\"; ports = [ \"tpc/80\" ]; envs = [ \"lan\" ]; },\n"
		"\t{ name = \"toobig\"; ports = [ \"256\" ]; envs = [ \"lan\" ]; },\n"
		"\t{ name = \"zero\"; ports = [ \"0\" ]; envs = [ \"lan\" ]; }\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, svcs, NULL, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "tpc/80"),
		    "service 'typo': port 'tpc/80': unknown protocol");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "\"256\""),
		    "port '256': unknown protocol");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "\"0\""), "port '0': unknown protocol");
	assert_errors(&c.l.d, 3);
	cfg_fini(&c);
}

/* ZONE-18 */
static void host_outside_its_zone_networks_is_refused(void **state)
{
	static const char server[] = SERVER_HEAD HOSTS(
		SERVER_HOSTS ",\n"
		"\t\t{ name = \"stray\"; address = \"10.2.0.10\"; approval = \"SRV-5\"; }") END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_SERVER_NAME, server }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_SERVER_NAME, line_of(server, "stray"),
		    "host 'stray': address 10.2.0.10 is outside the networks of zone 'server'");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* ---- zones: networks, interfaces, address classes ------------------------ */

/* ZONE-6 */
static void overlapping_zone_networks_are_refused(void **state)
{
	static const char floor2[] = "zone = {\n"
				     "\tname = \"floor2\";\n"
				     "\tkind = \"floor\";\n"
				     "\tinterfaces = [ \"flr2\" ];\n"
				     "\tnetworks = [ \"10.11.0.128/25\" ];\n"
				     "};\n";
	struct cfg c;
	char want[160];

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ "zones/floor2.conf", floor2 }));
	assert_refused(&c.l);
	snprintf(want, sizeof(want),
		 "zone 'floor2': network 10.11.0.128/25 overlaps 10.11.0.0/24 of zone 'floor1' "
		 "(%s:%d)",
		 BASE_FLOOR_NAME, line_of(BASE_FLOOR, "networks"));
	assert_diag(&c.l.d, "zones/floor2.conf", line_of(floor2, "networks"), want);
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* ZONE-6 */
static void wide_network_overlapping_several_zones_is_reported_for_each(void **state)
{
	static const char wide[] = "zone = {\n"
				   "\tname = \"wide\";\n"
				   "\tkind = \"floor\";\n"
				   "\tinterfaces = [ \"wide0\" ];\n"
				   "\tnetworks = [ \"10.0.0.0/8\" ];\n"
				   "};\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ "zones/wide.conf", wide }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, NULL, 0, "network 10.1.0.0/24 overlaps 10.0.0.0/8 of zone 'wide'");
	assert_diag(&c.l.d, NULL, 0, "network 10.11.0.0/24 overlaps 10.0.0.0/8 of zone 'wide'");
	assert_errors(&c.l.d, 2);
	cfg_fini(&c);
}

/* ZONE-6 */
static void interface_in_two_zones_is_refused(void **state)
{
	static const char floor2[] = "zone = {\n"
				     "\tname = \"floor2\";\n"
				     "\tkind = \"floor\";\n"
				     "\tinterfaces = [ \"flr1\" ];\n"
				     "\tnetworks = [ \"10.12.0.0/24\" ];\n"
				     "};\n";
	struct cfg c;
	char want[128];

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ "zones/floor2.conf", floor2 }));
	assert_refused(&c.l);
	snprintf(want, sizeof(want),
		 "zone 'floor2': interface 'flr1' is already in zone 'floor1' (%s:%d)",
		 BASE_FLOOR_NAME, line_of(BASE_FLOOR, "interfaces"));
	assert_diag(&c.l.d, "zones/floor2.conf", line_of(floor2, "interfaces"), want);
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* ZONE-6 */
static void interface_listed_twice_in_one_zone_is_refused(void **state)
{
	static const char floor[] = "zone = {\n"
				    "\tname = \"floor1\";\n"
				    "\tkind = \"floor\";\n"
				    "\tinterfaces = [ \"flr1\", \"flr1\" ];\n"
				    "\tnetworks = [ \"10.11.0.0/24\" ];\n"
				    "};\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, 4, "interface 'flr1' is listed twice");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* ZONE-15, NAT-2 */
static void private_network_in_global_zone_is_refused(void **state)
{
	static const char internet[] = "zone = {\n"
				       "\tname = \"internet\";\n"
				       "\tkind = \"global\";\n"
				       "\tinterfaces = [ \"ext0\" ];\n"
				       "\tnetworks = [ \"203.0.113.0/24\", \"10.99.0.0/24\" ];\n"
				       "};\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_INTERNET_NAME, internet }));
	assert_refused(&c.l);
	assert_diag_has(&c.l.d, BASE_INTERNET_NAME, line_of(internet, "networks"),
			"zone 'internet': network 10.99.0.0/24", "private", "global zone",
			"(ZONE-15");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* ZONE-15 */
static void global_network_in_lan_zone_is_refused(void **state)
{
	static const char floor[] = "zone = {\n"
				    "\tname = \"floor1\";\n"
				    "\tkind = \"floor\";\n"
				    "\tinterfaces = [ \"flr1\" ];\n"
				    "\tnetworks = [ \"10.11.0.0/24\", \"198.51.100.0/24\" ];\n"
				    "};\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag_has(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "networks"),
			"zone 'floor1': network 198.51.100.0/24", "private", "floor zone",
			"(ZONE-15");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* ZONE-15, C-28 */
static void global_ipv6_network_in_lan_zone_is_refused(void **state)
{
	static const char floor[] = "zone = {\n"
				    "\tname = \"floor1\";\n"
				    "\tkind = \"floor\";\n"
				    "\tinterfaces = [ \"flr1\" ];\n"
				    "\tnetworks = [ \"10.11.0.0/24\", \"fd00:11::/64\", \"2a00:1450::/32\" ];\n"
				    "};\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag_has(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "networks"),
			"network 2a00:1450::/32", "(ZONE-15");
	assert_errors(&c.l.d, 1); /* the ULA network is private (C-28) */
	cfg_fini(&c);
}

/*
 * ZONE-15: 192.160.0.0/11 holds 192.168.0.0/16 but is mostly global space;
 * a LAN zone may not use it.
 */
static void lan_network_mixing_private_and_global_space_is_refused(void **state)
{
	static const char floor[] = "zone = {\n"
				    "\tname = \"floor1\";\n"
				    "\tkind = \"floor\";\n"
				    "\tinterfaces = [ \"flr1\" ];\n"
				    "\tnetworks = [ \"192.160.0.0/11\" ];\n"
				    "};\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag_has(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "networks"),
			"network 192.160.0.0/11", "(ZONE-15");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* ZONE-12 */
static void client_host_in_dmz_is_refused(void **state)
{
	static const char dmz[] = DMZ_HEAD HOSTS(
		DMZ_HOSTS ",\n"
		"\t\t{ name = \"pc1\"; address = \"172.20.0.50\"; class = \"client\"; }") END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_DMZ_NAME, dmz }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_DMZ_NAME, line_of(dmz, "pc1"),
		    "host 'pc1': only internet servers may be attached to the internet "
		    "environment, not client hosts (ZONE-12)");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* ---- policies against the regulation ------------------------------------- */

/* PROXY-1, PROXY-3, SVC-1 */
static void floor_policy_straight_to_the_internet_is_refused(void **state)
{
	static const char floor[] = FLOOR1_HEAD POLICIES(
		"\t\t{ to = \"internet\"; services = [ \"https\" ]; }") END;
	const int line = line_of(floor, "\"internet\"");
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line,
		    "zone 'floor1': policy to 'internet': internal zones reach the internet only "
		    "through the proxy");
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line,
		    "refused without an approved exception (OPS-8)");
	/* https is not a lan service either (SVC-1): two rules broken, two messages. */
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line,
		    "service 'https' is not among the services the regulation allows in the lan "
		    "environment (SVC-1)");
	assert_errors(&c.l.d, 2);
	cfg_fini(&c);
}

/* PROXY-3 */
static void floor_dns_straight_to_the_internet_is_refused(void **state)
{
	static const char floor[] = FLOOR1_HEAD POLICIES(
		"\t\t{ to = \"internet\"; services = [ \"dns\" ]; }") END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "\"dns\""), "(PROXY-1, PROXY-3)");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

#define EXC_LINE(id, approved, expires)                                                    \
	"\t{ id = \"" id "\"; approved_by = \"ISC chair\"; reference = \"ISC minutes\"; "  \
	"reason = \"vendor upload\"; approved = \"" approved "\"; expires = \"" expires "\"; }"
#define EXCEPTIONS(list) "exceptions = (\n" list "\n);\n"

static const char floor_direct_under_exception[] = FLOOR1_HEAD POLICIES(
	"\t\t{ to = \"internet\"; services = [ \"https\" ]; exception = \"EXC-1\"; }") END;

/* OPS-8, PROXY-1 */
static void direct_internet_policy_is_accepted_under_an_unexpired_exception(void **state)
{
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, EXCEPTIONS(EXC_LINE("EXC-1", "2026-12-01", "2027-06-01")),
		 ZF({ BASE_FLOOR_NAME, floor_direct_under_exception }));
	assert_loaded(&c.l);
	assert_int_equal(c.l.d.warnings, 0);
	assert_true(policy_exception(c.l.p, "EXC-1")->used);
	cfg_fini(&c);
}

/* OPS-8, C-22 */
static void direct_internet_policy_is_refused_once_its_exception_expired(void **state)
{
	const int64_t expires = 1811808000; /* 2027-06-01 */
	struct cfg c;

	(void)state;
	/* One second before the expiry: still valid (with a renewal warning). */
	load_cfg_at(&c, expires - 1, NULL,
		    EXCEPTIONS(EXC_LINE("EXC-1", "2026-12-01", "2027-06-01")),
		    ZF({ BASE_FLOOR_NAME, floor_direct_under_exception }));
	assert_loaded(&c.l);
	assert_true(c.l.d.warnings > 0);
	cfg_fini(&c);

	load_cfg_at(&c, expires + T_DAY, NULL,
		    EXCEPTIONS(EXC_LINE("EXC-1", "2026-12-01", "2027-06-01")),
		    ZF({ BASE_FLOOR_NAME, floor_direct_under_exception }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor_direct_under_exception, "EXC-1"),
		    "exception 'EXC-1' expired on 2027-06-01 (OPS-8, C-22)");
	assert_int_equal(diag_count_matching(&c.l.d, "expired on 2027-06-01"), 2);
	assert_errors(&c.l.d, 2);
	cfg_fini(&c);
}

/* OPS-8 */
static void policy_naming_an_undefined_exception_is_refused(void **state)
{
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor_direct_under_exception }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor_direct_under_exception, "EXC-1"),
		    "exception 'EXC-1' is not defined");
	cfg_fini(&c);
}

/* OPS-8 */
static void misspelt_exception_gets_a_hint(void **state)
{
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, EXCEPTIONS(EXC_LINE("EXC-2", "2026-12-01", "2027-06-01")),
		 ZF({ BASE_FLOOR_NAME, floor_direct_under_exception }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor_direct_under_exception, "EXC-1"),
		    "exception 'EXC-1' is not defined (did you mean 'EXC-2'?)");
	cfg_fini(&c);
}

/* OPS-8, C-22 */
static void exception_longer_than_a_year_is_refused(void **state)
{
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, EXCEPTIONS(EXC_LINE("EXC-1", "2026-12-01", "2028-01-01")),
		 ZF({ BASE_FLOOR_NAME, floor_direct_under_exception }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "\"EXC-1\""),
		    "exception 'EXC-1': lasts more than one year from its approval (C-22)");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/*
 * Loads floor1's direct policy under one exception approved @approved and
 * expiring @expires, at the moment of its approval.
 */
static void load_exception(struct cfg *c, const char *approved, const char *expires)
{
	struct text t;
	char *extra;
	int64_t now;

	if (time_parse(approved, &now))
		fail_msg("bad test date %s", approved);
	text_init(&t);
	text_addf(&t,
		  "exceptions = (\n\t{ id = \"EXC-1\"; approved_by = \"ISC chair\"; reference = "
		  "\"ISC minutes\"; reason = \"vendor upload\"; approved = \"%s\"; expires = "
		  "\"%s\"; }\n);\n",
		  approved, expires);
	extra = text_done(&t);
	load_cfg_at(c, now, NULL, extra, ZF({ BASE_FLOOR_NAME, floor_direct_under_exception }));
	free(extra);
}

/* C-22: "maximum 1 year", counted in calendar years, leap days included. */
static void exception_of_exactly_one_year_is_accepted(void **state)
{
	static const char *const ok[][2] = {
		{ "2027-01-01", "2028-01-01" },	/* 365 days */
		{ "2027-06-01", "2028-06-01" },	/* 366 days: across 2028-02-29 */
		{ "2027-01-01T12:00:00Z", "2028-01-01T12:00:00Z" },
		{ "2027-01-01T12:00:00+09:00", "2028-01-01T03:00:00Z" },
		{ "2028-02-29", "2029-02-28" },	/* approved on a leap day */
	};
	struct cfg c;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		load_exception(&c, ok[i][0], ok[i][1]);
		if (c.l.r) {
			diag_dump(&c.l.d);
			fail_msg("exception from %s to %s refused", ok[i][0], ok[i][1]);
		}
		cfg_fini(&c);
	}
}

/* C-22 */
static void exception_of_one_year_and_one_day_is_refused(void **state)
{
	static const char *const bad[][2] = {
		{ "2027-06-01", "2028-06-02" },	/* 367 days, across a leap day */
		{ "2027-01-01", "2028-01-02" },	/* 366 days, no leap day: a year and a day */
		{ "2027-01-01T12:00:00Z", "2028-01-01T12:00:01Z" }, /* one second too long */
		{ "2028-02-29", "2029-03-01" },	/* approved on a leap day */
	};
	struct cfg c;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		load_exception(&c, bad[i][0], bad[i][1]);
		if (!diag_find(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "\"EXC-1\""),
			       "exception 'EXC-1': lasts more than one year from its approval (C-22)")) {
			diag_dump(&c.l.d);
			fail_msg("exception from %s to %s not refused", bad[i][0], bad[i][1]);
		}
		assert_int_equal(c.l.r, -EINVAL);
		cfg_fini(&c);
	}
}

/* OPS-8: an exception is no approval before the day it was approved. */
static void exception_not_yet_approved_does_not_cover_a_policy(void **state)
{
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, EXCEPTIONS(EXC_LINE("EXC-1", "2027-02-01", "2027-06-01")),
		 ZF({ BASE_FLOOR_NAME, floor_direct_under_exception }));
	assert_refused(&c.l);
	assert_diag_has(&c.l.d, BASE_FLOOR_NAME, line_of(floor_direct_under_exception, "EXC-1"),
			"internal zones reach the internet only through the proxy", "EXC-1",
			"2027-02-01", "(OPS-8)");
	cfg_fini(&c);
}

/* OPS-8 */
static void exception_expiring_before_its_approval_is_refused(void **state)
{
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, EXCEPTIONS(EXC_LINE("EXC-1", "2026-12-01", "2026-11-01")),
		 ZF({ BASE_FLOOR_NAME, floor_direct_under_exception }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "\"EXC-1\""),
		    "exception 'EXC-1': expires before it was approved");
	cfg_fini(&c);
}

/* OPS-8 */
static void exception_with_a_bad_date_is_refused(void **state)
{
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, EXCEPTIONS(EXC_LINE("EXC-1", "2026-12-01", "2027-02-30")),
		 ZF({ BASE_FLOOR_NAME, floor_direct_under_exception }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "\"EXC-1\""),
		    "exception 'EXC-1': '2027-02-30' is not a date");
	cfg_fini(&c);
}

/* ZONE-11 */
static void inbound_from_the_internet_to_the_server_zone_is_refused(void **state)
{
	static const char internet[] = INTERNET_HEAD POLICIES(
		"\t\t{ to = \"dmz\"; services = [ \"https\" ]; to_hosts = [ \"www\" ]; },\n"
		"\t\t{ to = \"server\"; services = [ \"dns\" ]; to_hosts = [ \"dns-int\" ]; }") END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_INTERNET_NAME, internet }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_INTERNET_NAME, line_of(internet, "dns-int"),
		    "zone 'internet': policy to 'server': connections from the internet may reach "
		    "only DMZ services and the remote-access endpoint (ZONE-11)");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* ZONE-11, OPS-4 */
static void internet_to_the_gateway_is_refused_except_remote_access(void **state)
{
	static const char internet[] = INTERNET_HEAD POLICIES(
		"\t\t{ to = \"gateway\"; services = [ \"https\" ]; }") END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_INTERNET_NAME, internet }));
	assert_refused(&c.l);
	assert_diag_has(&c.l.d, BASE_INTERNET_NAME, line_of(internet, "gateway"),
			"zone 'internet': policy to 'gateway': service 'https'",
			"from the internet the gateway offers only", "(ZONE-11, OPS-4)");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* SVC-1 */
static void service_not_enumerated_for_the_environment_is_refused(void **state)
{
	static const char floor[] = FLOOR1_HEAD POLICIES(
		"\t\t{ to = \"server\"; services = [ \"http\" ]; to_hosts = [ \"app\" ]; }") END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "\"http\""),
		    "zone 'floor1': policy to 'server': service 'http' is not among the services "
		    "the regulation allows in the lan environment (SVC-1)");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* C-6, SVC-3 */
static void exception_only_service_without_an_exception_is_refused(void **state)
{
	static const char floor[] = FLOOR1_HEAD POLICIES(
		"\t\t{ to = \"server\"; services = [ \"ftp\" ]; to_hosts = [ \"app\" ]; }") END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "\"ftp\""),
		    "service 'ftp' is allowed only under an exception (C-6)");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* SVC-2, C-19 */
static void infrastructure_service_is_allowed_only_toward_the_server_zone(void **state)
{
	/* dns (infrastructure, envs internet and lan) is fine; ntp-like infra is not to a floor. */
	static const char svc[] =
		"\t{ name = \"ntp\"; ports = [ \"udp/123\" ]; infrastructure = true; }\n";
	static const char floor[] = FLOOR1_HEAD POLICIES(
		"\t\t{ to = \"server\"; services = [ \"ntp\" ]; to_hosts = [ \"app\" ]; },\n"
		"\t\t{ to = \"gateway\"; services = [ \"ntp\" ]; }") END;
	static const char server[] = SERVER_HEAD HOSTS(SERVER_HOSTS) POLICIES(
		"\t\t{ to = \"dmz\"; services = [ \"ntp\" ]; to_hosts = [ \"www\" ]; }") END;
	struct cfg c;

	(void)state;
	load_cfg(&c, svc, NULL, ZF({ BASE_FLOOR_NAME, floor }, { BASE_SERVER_NAME, server }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_SERVER_NAME, line_of(server, "\"ntp\""),
		    "service 'ntp' is not among the services the regulation allows in the lan "
		    "environment (SVC-1)");
	assert_errors(&c.l.d, 1); /* floor1 -> server and floor1 -> gateway are fine */
	cfg_fini(&c);
}

/* ZONE-16, LANREQ-50 */
static void floor_zone_as_destination_without_an_approved_server_is_refused(void **state)
{
	static const char server[] = SERVER_HEAD HOSTS(SERVER_HOSTS) POLICIES(
		"\t\t{ to = \"floor1\"; services = [ \"smb\" ]; }") END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_SERVER_NAME, server }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_SERVER_NAME, line_of(server, "\"floor1\""),
		    "zone 'server': policy to 'floor1': hosts in user zones offer no services; "
		    "only approved servers");
	assert_diag(&c.l.d, BASE_SERVER_NAME, line_of(server, "\"floor1\""), "(ZONE-16, LANREQ-50)");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* ZONE-16, LANREQ-50 */
static void floor_host_is_a_destination_only_as_approved_server_or_printer(void **state)
{
	static const char floor[] =
		FLOOR1_HEAD HOSTS(
			"\t\t{ name = \"fsrv\"; address = \"10.11.0.5\"; class = \"server\"; approval = \"SRV-9\"; },\n"
			"\t\t{ name = \"prn\"; address = \"10.11.0.6\"; class = \"printer\"; },\n"
			"\t\t{ name = \"rogue\"; address = \"10.11.0.7\"; class = \"server\"; },\n"
			"\t\t{ name = \"pc\"; address = \"10.11.0.8\"; class = \"client\"; }") END;
	static const char server[] = SERVER_HEAD HOSTS(SERVER_HOSTS) POLICIES(
		"\t\t{ to = \"floor1\"; services = [ \"smb\" ]; to_hosts = [ \"fsrv\" ]; },\n"
		"\t\t{ to = \"floor1\"; services = [ \"ipp\" ]; to_hosts = [ \"prn\" ]; },\n"
		"\t\t{ to = \"floor1\"; services = [ \"smb\" ]; to_hosts = [ \"rogue\" ]; },\n"
		"\t\t{ to = \"floor1\"; services = [ \"intranet\" ]; to_hosts = [ \"pc\" ]; }") END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }, { BASE_SERVER_NAME, server }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_SERVER_NAME, line_of(server, "\"rogue\""), "(ZONE-16, LANREQ-50)");
	assert_diag(&c.l.d, BASE_SERVER_NAME, line_of(server, "\"pc\""), "(ZONE-16, LANREQ-50)");
	assert_errors(&c.l.d, 2);
	cfg_fini(&c);
}

/* PROXY-2 */
static void dmz_web_to_the_internet_not_from_the_proxy_is_refused(void **state)
{
	static const char dmz[] = DMZ_HEAD HOSTS(DMZ_HOSTS) POLICIES(
		"\t\t{ to = \"internet\"; services = [ \"https\" ]; from_hosts = [ \"www\" ]; },\n"
		"\t\t{ to = \"internet\"; services = [ \"http\" ]; }") END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_DMZ_NAME, dmz }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_DMZ_NAME, line_of(dmz, "\"www\" ]"),
		    "zone 'dmz': policy to 'internet': service 'https': only the proxy host may be "
		    "a web client toward the internet (PROXY-2); set from_hosts = [\"proxy\"]");
	assert_diag(&c.l.d, BASE_DMZ_NAME, line_of(dmz, "\"http\" ]"), "(PROXY-2)");
	assert_errors(&c.l.d, 2);
	cfg_fini(&c);
}

/* PROXY-1 */
static void via_proxy_takes_only_web_services_toward_a_global_zone(void **state)
{
	static const char floor[] = FLOOR1_HEAD POLICIES(
		"\t\t{ to = \"internet\"; services = [ \"smb\" ]; via = \"proxy\"; },\n"
		"\t\t{ to = \"server\"; services = [ \"intranet\" ]; via = \"proxy\"; },\n"
		"\t\t{ to = \"internet\"; services = [ \"https\" ]; via = \"squid\"; }") END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "\"smb\""),
		    "service 'smb' is not a web service; only web traffic goes via the proxy");
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "\"server\""),
		    "via \"proxy\" applies only to policies toward a global zone");
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "squid"),
		    "via 'squid' is not known (the only value is 'proxy')");
	assert_errors(&c.l.d, 3);
	cfg_fini(&c);
}

/* ---- WAN links --------------------------------------------------------- */

enum wan_field {
	W_ZONE,
	W_TYPE,
	W_PEER,
	W_PURPOSE,
	W_SYSTEMS,
	W_SCOPE,
	W_SERVICES,
	W_CONTACTS,
	W_ANOMALY,
	W__COUNT
};

static const char *const wan_fields[W__COUNT] = {
	[W_ZONE] = "\t  zone = \"%s\";\n",
	[W_TYPE] = "\t  type = \"leased\";\n",
	[W_PEER] = "\t  peer = { organisation = \"Branch office\"; address = \"1-1 Umeda\"; };\n",
	[W_PURPOSE] = "\t  purpose = \"intranet for branch staff\";\n",
	[W_SYSTEMS] = "\t  systems = { local = \"HQ gateway\"; remote = \"branch router\"; };\n",
	[W_SCOPE] = "\t  scope = { local = [ \"server\" ]; remote = [ \"%s\" ]; };\n",
	[W_SERVICES] = "\t  services = ( { service = \"intranet\"; direction = \"in\"; "
		       "local = [ \"app\" ]; } );\n",
	[W_CONTACTS] = "\t  contacts = { local = { administrator = \"A. Admin\"; security_manager = "
		       "\"B. Sec\"; }; remote = { administrator = \"C. Admin\"; security_manager = "
		       "\"D. Sec\"; }; };\n",
	[W_ANOMALY] = "\t  anomaly = { definition = \"link down > 5 min\"; escalation_local = "
		      "\"IS on-call\"; escalation_remote = \"branch manager\"; };\n",
};

/*
 * One WAN link entry "{ name = NAME; ... }" to the zone @zone whose remote
 * scope is @net; field @skip is left out (W__COUNT: none), field @repl is
 * replaced by @with.
 */
static void wan_link(struct text *t, const char *name, const char *zone, const char *net,
		     enum wan_field skip, enum wan_field repl, const char *with)
{
	int i;

	text_addf(t, "\t{ name = \"%s\";\n", name);
	for (i = 0; i < W__COUNT; i++) {
		if ((enum wan_field)i == skip)
			continue;
		if ((enum wan_field)i == repl) {
			text_addf(t, "%s", with);
			continue;
		}
		if (i == W_ZONE)
			text_addf(t, wan_fields[i], zone);
		else if (i == W_SCOPE)
			text_addf(t, wan_fields[i], net);
		else
			text_addf(t, "%s", wan_fields[i]);
	}
	text_addf(t, "\t}");
}

static char *wan_section(enum wan_field skip, enum wan_field repl, const char *with)
{
	struct text t;

	text_init(&t);
	text_addf(&t, "wan = (\n");
	wan_link(&t, "br", "branch", "10.30.0.0/16", skip, repl, with);
	text_addf(&t, "\n);\n");
	return text_done(&t);
}

static char *branch_zone(const char *name, const char *iface, const char *net)
{
	struct text t;

	text_init(&t);
	text_addf(&t,
		  "zone = {\n\tname = \"%s\";\n\tkind = \"branch\";\n\tinterfaces = [ \"%s\" ];\n"
		  "\tnetworks = [ \"%s\" ];\n};\n",
		  name, iface, net);
	return text_done(&t);
}

/* Loads the base config with one WAN link to zones/branch.conf. */
static void load_wan(struct cfg *c, enum wan_field skip, enum wan_field repl, const char *with)
{
	char *wan = wan_section(skip, repl, with), *branch = branch_zone("branch", "wan-br",
									   "10.30.0.0/16");

	load_cfg(c, NULL, wan, ZF({ "zones/branch.conf", branch }));
	free(wan);
	free(branch);
}

/* WAN-1..WAN-10 */
static void complete_wan_link_loads(void **state)
{
	const struct wan_link *w;
	struct cfg c;

	(void)state;
	load_wan(&c, W__COUNT, W__COUNT, NULL);
	assert_loaded(&c.l);
	assert_int_equal(c.l.d.warnings, 0);
	assert_int_equal(c.l.p->n_wans, 1);
	w = c.l.p->wans[0];
	assert_ptr_equal(w->zone, policy_zone(c.l.p, "branch"));
	assert_ptr_equal(w->zone->wan, w);
	assert_int_equal(w->type, WAN_LEASED);
	assert_string_equal(w->peer_org, "Branch office");
	assert_string_equal(w->peer_address, "1-1 Umeda");
	assert_string_equal(w->secmgr_remote, "D. Sec");
	assert_string_equal(w->escalation_remote, "branch manager");
	assert_int_equal(w->n_scope_remote, 1);
	assert_int_equal(w->n_services, 1);
	assert_int_equal(w->services[0].dir, WAN_IN);
	assert_ptr_equal(w->services[0].svc, policy_service(c.l.p, "intranet"));
	/* WAN-11: the branch zone's services come from the WAN record. */
	assert_int_equal(zone_service_env(w->zone), ENV_WAN);
	cfg_fini(&c);
}

/* A WAN link without field @f is refused at the link's line with @msg. */
static void check_wan_missing(enum wan_field f, const char *msg)
{
	struct cfg c;

	load_wan(&c, f, W__COUNT, NULL);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "{ name = \"br\""), msg);
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* WAN-3 */
static void wan_link_without_peer_is_refused(void **state)
{
	(void)state;
	check_wan_missing(W_PEER, "WAN link 'br': 'peer' is required (WAN-3)");
}

/* WAN-4 */
static void wan_link_without_purpose_is_refused(void **state)
{
	(void)state;
	check_wan_missing(W_PURPOSE, "WAN link 'br': 'purpose' is required (WAN-4)");
}

/* WAN-5 */
static void wan_link_without_type_is_refused(void **state)
{
	(void)state;
	check_wan_missing(W_TYPE, "WAN link 'br': 'type' is required: leased or vpn (WAN-5)");
}

/* WAN-6 */
static void wan_link_without_systems_is_refused(void **state)
{
	(void)state;
	check_wan_missing(W_SYSTEMS, "WAN link 'br': 'systems' is required (WAN-6)");
}

/* WAN-7 */
static void wan_link_without_scope_is_refused(void **state)
{
	(void)state;
	check_wan_missing(W_SCOPE, "WAN link 'br': 'scope' is required (WAN-7)");
}

/* WAN-8 */
static void wan_link_without_services_is_refused(void **state)
{
	(void)state;
	check_wan_missing(W_SERVICES, "WAN link 'br': 'services' is required (WAN-8)");
}

/* WAN-9 */
static void wan_link_without_contacts_is_refused(void **state)
{
	(void)state;
	check_wan_missing(W_CONTACTS, "WAN link 'br': 'contacts' is required (WAN-9)");
}

/* WAN-10 */
static void wan_link_without_anomaly_is_refused(void **state)
{
	(void)state;
	check_wan_missing(W_ANOMALY, "WAN link 'br': 'anomaly' is required (WAN-10)");
}

/* A WAN link whose field @f is replaced by @with is refused at @needle's line. */
static void check_wan_partial(enum wan_field f, const char *with, const char *needle,
			      const char *msg)
{
	struct cfg c;

	load_wan(&c, W__COUNT, f, with);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, needle), msg);
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* WAN-3 */
static void wan_peer_without_address_is_refused(void **state)
{
	(void)state;
	check_wan_partial(W_PEER, "\t  peer = { organisation = \"Branch office\"; };\n", "peer =",
			  "WAN link 'br': peer (WAN-3): 'address' is required");
}

/* WAN-6 */
static void wan_systems_without_remote_end_is_refused(void **state)
{
	(void)state;
	check_wan_partial(W_SYSTEMS, "\t  systems = { local = \"HQ gateway\"; remote = \"\"; };\n",
			  "systems =", "WAN link 'br': systems (WAN-6): 'remote' must not be empty");
}

/* WAN-7, WAN-13 */
static void wan_scope_without_remote_networks_is_refused(void **state)
{
	(void)state;
	check_wan_partial(W_SCOPE, "\t  scope = { local = [ \"server\" ]; };\n", "scope =",
			  "WAN link 'br': 'scope.remote' is required (WAN-7, WAN-13)");
}

/* WAN-8 */
static void wan_service_without_direction_is_refused(void **state)
{
	(void)state;
	check_wan_partial(W_SERVICES,
			  "\t  services = ( { service = \"intranet\"; local = [ \"app\" ]; } );\n",
			  "services = ( {", "'direction' is required (in, out or both; WAN-8)");
}

/* WAN-9 */
static void wan_contacts_without_remote_security_manager_is_refused(void **state)
{
	(void)state;
	check_wan_partial(W_CONTACTS,
			  "\t  contacts = { local = { administrator = \"A\"; security_manager = "
			  "\"B\"; };\n\t    remote = { administrator = \"C\"; }; };\n",
			  "remote = { administrator",
			  "WAN link 'br': contacts: remote (WAN-9): 'security_manager' is required");
}

/* WAN-10 */
static void wan_anomaly_without_remote_escalation_is_refused(void **state)
{
	(void)state;
	check_wan_partial(W_ANOMALY,
			  "\t  anomaly = { definition = \"link down\"; escalation_local = \"x\"; };\n",
			  "anomaly =",
			  "WAN link 'br': anomaly (WAN-10): 'escalation_remote' is required");
}

/* WAN-2 */
static void vpn_wan_link_without_approval_is_refused(void **state)
{
	(void)state;
	check_wan_partial(W_TYPE, "\t  type = \"vpn\";\n", "{ name = \"br\"",
			  "WAN link 'br': an internet VPN needs the committee's approval reference "
			  "in 'approval' (WAN-2)");
}

/* WAN-2 */
static void vpn_wan_link_with_approval_loads(void **state)
{
	struct cfg c;

	(void)state;
	load_wan(&c, W__COUNT, W_TYPE, "\t  type = \"vpn\"; approval = \"ISC-2025-014\";\n");
	assert_loaded(&c.l);
	assert_int_equal(c.l.p->wans[0]->type, WAN_VPN);
	assert_string_equal(c.l.p->wans[0]->approval, "ISC-2025-014");
	cfg_fini(&c);
}

/* WAN-7, WAN-11 */
static void wan_service_reaching_outside_scope_local_is_refused(void **state)
{
	(void)state;
	check_wan_partial(W_SERVICES,
			  "\t  services = ( { service = \"intranet\"; direction = \"in\"; local = [ "
			  "\"www\" ]; } );\n",
			  "services = ( {",
			  "WAN link 'br': service 'intranet' reaches 'www', which is outside scope.local "
			  "(WAN-7, WAN-11)");
}

/* ZONE-4, ZONE-15 */
static void wan_remote_scope_outside_the_wan_zone_is_refused(void **state)
{
	(void)state;
	check_wan_partial(W_SCOPE,
			  "\t  scope = { local = [ \"server\" ]; remote = [ \"10.31.0.0/16\" ]; };\n",
			  "{ name = \"br\"",
			  "scope.remote 10.31.0.0/16 is outside the networks of zone 'branch'");
}

/* SVC-1, SVC-WAN-1..4 */
static void wan_service_not_allowed_in_the_wan_environment_is_refused(void **state)
{
	(void)state;
	check_wan_partial(W_SERVICES,
			  "\t  services = ( { service = \"ipp\"; direction = \"in\"; local = [ "
			  "\"app\" ]; } );\n",
			  "services = ( {",
			  "service 'ipp' is not among the services the regulation allows in the wan "
			  "environment");
}

/* WAN-11 */
static void policy_from_a_wan_zone_is_refused(void **state)
{
	char *wan = wan_section(W__COUNT, W__COUNT, NULL);
	static const char branch[] = "zone = {\n"
				     "\tname = \"branch\";\n"
				     "\tkind = \"branch\";\n"
				     "\tinterfaces = [ \"wan-br\" ];\n"
				     "\tnetworks = [ \"10.30.0.0/16\" ];\n"
				     "\tpolicies = (\n"
				     "\t\t{ to = \"server\"; services = [ \"smb\" ]; }\n"
				     "\t);\n"
				     "};\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, wan, ZF({ "zones/branch.conf", branch }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, "zones/branch.conf", line_of(branch, "\"smb\""),
		    "zone 'branch' is served by WAN link 'br'; its services are compiled from that "
		    "WAN record (WAN-11)");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
	free(wan);
}

/* ---- parsing ------------------------------------------------------------ */

/* CHG-6 */
static void syntax_error_reports_its_line(void **state)
{
	static const char floor[] = "zone = {\n"
				    "\tname = \"floor1\";\n"
				    "\tkind = \"floor\";\n"
				    "\tinterfaces = [ \"flr1\" ];\n"
				    "\tnetworks = [ \"10.11.0.0/24\" ];\n"
				    "\tlocation = ;\n"
				    "};\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, 6, "syntax error");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* CHG-6: one file with a syntax error does not hide the mistakes of the others. */
static void syntax_error_in_one_file_does_not_hide_mistakes_in_others(void **state)
{
	static const char floor[] = "zone = {\n\tname = \"floor1\"\n\tkind = ;\n};\n";
	static const char internet[] = INTERNET_HEAD "\tlocaton = \"rack A1\";\n" END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }, { BASE_INTERNET_NAME, internet }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, 3, "syntax error");
	assert_diag(&c.l.d, BASE_INTERNET_NAME, line_of(internet, "locaton"),
		    "unknown key 'locaton' (did you mean 'location'?)");
	cfg_fini(&c);
}

/* CHG-6, STYLE §1: the edge hands over every file; the core opens none. */
static void include_directive_is_refused(void **state)
{
	static const char floor[] = FLOOR1_HEAD
		"\t@include \"more.conf\"\n" END;
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, NULL, ZF({ BASE_FLOOR_NAME, floor }));
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "@include"),
		    "@include is not supported");
	assert_errors(&c.l.d, 1);
	cfg_fini(&c);
}

/* CHG-6 */
static void file_with_a_nul_byte_is_refused(void **state)
{
	struct conf_source srcs[2];
	struct loaded l;
	static const char floor[] = FLOOR1_HEAD END "\0zone = {};\n";

	(void)state;
	srcs[0] = src_of(BASE_MAIN_NAME, BASE_MAIN);
	srcs[1] = src_of(BASE_FLOOR_NAME, floor);
	srcs[1].len = sizeof(floor) - 1;
	load_sources(&l, srcs, 2, T_NOW);
	assert_int_equal(l.r, -EINVAL);
	assert_diag(&l.d, BASE_FLOOR_NAME, 0, "NUL byte");
	loaded_fini(&l);
}

/* CHG-6: every mistake in one run, each at its own FILE:LINE. */
static void many_mistakes_are_all_reported_in_one_run(void **state)
{
	static const char svcs[] =
		"\t{ name = \"p-big\"; ports = [ \"tcp/99999\" ]; envs = [ \"lan\" ]; },\n"
		"\t{ name = \"typo\"; ports = [ \"tpc/80\" ]; envs = [ \"lan\" ]; },\n"
		"\t{ name = \"http\"; ports = [ \"tcp/8000\" ]; envs = [ \"internet\" ]; }\n";
	static const char floor[] = FLOOR1_HEAD POLICIES(
		"\t\t{ to = \"server\"; services = [ \"intranat\" ]; to_hosts = [ \"app\" ]; },\n"
		"\t\t{ to = \"server\"; services = [ \"smb\" ]; to_hosts = [ \"ap\" ]; },\n"
		"\t\t{ to = \"servr\"; services = [ \"smb\" ]; },\n"
		"\t\t{ to = \"internet\"; services = [ \"dns\" ]; }") END;
	static const char dmz[] = DMZ_HEAD HOSTS(
		DMZ_HOSTS ",\n"
		"\t\t{ name = \"pc1\"; address = \"172.20.0.50\"; class = \"client\"; }") END;
	static const char internet[] = INTERNET_HEAD POLICIES(
		"\t\t{ to = \"server\"; services = [ \"dns\" ]; to_hosts = [ \"dns-int\" ]; }") END;
	static const char floor2[] = "zone = {\n"
				     "\tname = \"floor2\";\n"
				     "\tkind = \"floor\";\n"
				     "\tinterfaces = [ \"flr1\" ];\n"
				     "\tnetworks = [ \"198.51.100.0/24\" ];\n"
				     "};\n";
	char *wan = wan_section(W__COUNT, W_TYPE, "\t  type = \"vpn\";\n");
	char *branch = branch_zone("branch", "wan-br", "10.30.0.0/16");
	struct cfg c;
	struct text t;
	char *extra;

	(void)state;
	text_init(&t);
	text_addf(&t, "colour = \"blue\";\n%s%s", EXCEPTIONS(EXC_LINE("EXC-LONG", "2026-12-01",
								       "2028-06-01")),
		  wan);
	extra = text_done(&t);
	load_cfg(&c, svcs, extra,
		 ZF({ BASE_FLOOR_NAME, floor }, { BASE_DMZ_NAME, dmz },
		    { BASE_INTERNET_NAME, internet }, { "zones/floor2.conf", floor2 },
		    { "zones/branch.conf", branch }));
	assert_refused(&c.l);
	/* main file */
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "colour"), "unknown key 'colour'");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "p-big"), "port 'tcp/99999'");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "tpc/80"), "unknown protocol");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "tcp/8000"),
		    "service 'http' is defined twice");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "EXC-LONG"), "(C-22)");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "{ name = \"br\""), "(WAN-2)");
	/* zone files */
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "intranat"),
		    "service 'intranat' is not defined");
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "\"ap\""), "host 'ap' is not defined");
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "servr"), "zone 'servr' is not defined");
	assert_diag(&c.l.d, BASE_FLOOR_NAME, line_of(floor, "\"dns\""), "(PROXY-1, PROXY-3)");
	assert_diag(&c.l.d, BASE_DMZ_NAME, line_of(dmz, "pc1"), "(ZONE-12)");
	assert_diag(&c.l.d, BASE_INTERNET_NAME, line_of(internet, "dns-int"), "(ZONE-11)");
	assert_diag_has(&c.l.d, "zones/floor2.conf", line_of(floor2, "networks"),
			"198.51.100.0/24", "(ZONE-15");
	assert_diag(&c.l.d, "zones/floor2.conf", line_of(floor2, "interfaces"),
		    "interface 'flr1' is already in zone 'floor1'");
	assert_errors(&c.l.d, 14);
	cfg_fini(&c);
	free(extra);
	free(wan);
	free(branch);
}

/* ---- limits ------------------------------------------------------------ */

/*
 * For each limit: exactly at the limit loads, one more is refused with one
 * error that names the limit. Small limits keep the generated configs small.
 */

/* A floor zone "flN" on "flN" with network 10.N.0.0/24 and extra text. */
static char *floor_zone(unsigned n, const char *extra)
{
	struct text t;

	text_init(&t);
	text_addf(&t,
		  "zone = {\n\tname = \"fl%u\";\n\tkind = \"floor\";\n\tinterfaces = [ \"fl%u\" ];\n"
		  "\tnetworks = [ \"10.%u.0.0/24\" ];\n%s};\n",
		  n, n, n, extra ? extra : "");
	return text_done(&t);
}

struct zones {
	struct zfile *v;
	char **names, **texts;
	size_t n;
};

static void zones_add(struct zones *z, char *name, char *text)
{
	z->v = realloc(z->v, (z->n + 1) * sizeof(*z->v));
	z->names = realloc(z->names, (z->n + 1) * sizeof(char *));
	z->texts = realloc(z->texts, (z->n + 1) * sizeof(char *));
	assert_non_null(z->v);
	assert_non_null(z->names);
	assert_non_null(z->texts);
	z->names[z->n] = name;
	z->texts[z->n] = text;
	z->v[z->n].name = name;
	z->v[z->n].text = text;
	z->n++;
}

static void zones_fini(struct zones *z)
{
	size_t i;

	for (i = 0; i < z->n; i++) {
		free(z->names[i]);
		free(z->texts[i]);
	}
	free(z->v);
	free(z->names);
	free(z->texts);
	memset(z, 0, sizeof(*z));
}

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	assert_non_null(s);
	return s;
}

/* Exactly at the limit: loads without errors. */
#define assert_at_limit(c) assert_loaded(&(c)->l)

/* One over: refused with exactly one error, at FILE:LINE, naming the limit. */
#define assert_over_limit(c, file, line, limit)                                            \
	do {                                                                               \
		assert_refused(&(c)->l);                                                   \
		assert_diag(&(c)->l.d, (file), (line), "limits." limit);                   \
		assert_errors(&(c)->l.d, 1);                                               \
	} while (0)

/* Base config plus @extra floor zones fl100, fl101, ... */
static void load_extra_zones(struct cfg *c, const char *limits, unsigned extra)
{
	struct zones z = { 0 };
	unsigned i;

	for (i = 0; i < extra; i++)
		zones_add(&z, xprintf("zones/fl%u.conf", 100 + i), floor_zone(100 + i, NULL));
	load_cfg_at(c, T_NOW, NULL, limits, z.v, z.n);
	zones_fini(&z);
}

/* STYLE §6, ZONE-6 */
static void max_zones_is_enforced_at_its_boundary(void **state)
{
	static const char limits[] = "limits = { max_zones = 6; };\n";
	struct cfg c;

	(void)state;
	load_extra_zones(&c, limits, 6 - BASE_N_ZONES);
	assert_at_limit(&c);
	assert_int_equal(c.l.p->n_zones, 6);
	cfg_fini(&c);
	load_extra_zones(&c, limits, 7 - BASE_N_ZONES);
	assert_over_limit(&c, "zones/fl102.conf", 1, "max_zones");
	cfg_fini(&c);
}

/* A floor zone with @n entries of @key ("interfaces" or "networks"). */
static void load_zone_list(struct cfg *c, const char *limits, const char *key, unsigned n,
			   int *line)
{
	struct text t;
	char *zone;
	unsigned i;

	text_init(&t);
	text_addf(&t, "zone = {\n\tname = \"fl100\";\n\tkind = \"floor\";\n");
	if (strcmp(key, "interfaces"))
		text_addf(&t, "\tinterfaces = [ \"fl100\" ];\n");
	else
		text_addf(&t, "\tnetworks = [ \"10.100.0.0/24\" ];\n");
	text_addf(&t, "\t%s = [ ", key);
	for (i = 0; i < n; i++) {
		if (!strcmp(key, "interfaces"))
			text_addf(&t, "%s\"if%u\"", i ? ", " : "", i);
		else
			text_addf(&t, "%s\"10.100.%u.0/24\"", i ? ", " : "", i);
	}
	text_addf(&t, " ];\n};\n");
	zone = text_done(&t);
	*line = line_of(zone, key);
	load_cfg(c, NULL, limits, ZF({ "zones/fl100.conf", zone }));
	free(zone);
}

/* STYLE §6, ZONE-6 */
static void max_interfaces_is_enforced_at_its_boundary(void **state)
{
	static const char limits[] = "limits = { max_interfaces = 3; };\n";
	struct cfg c;
	int line;

	(void)state;
	load_zone_list(&c, limits, "interfaces", 3, &line);
	assert_at_limit(&c);
	assert_int_equal(policy_zone(c.l.p, "fl100")->n_ifaces, 3);
	cfg_fini(&c);
	load_zone_list(&c, limits, "interfaces", 4, &line);
	assert_over_limit(&c, "zones/fl100.conf", line, "max_interfaces");
	cfg_fini(&c);
}

/* STYLE §6, ZONE-6 */
static void max_networks_is_enforced_at_its_boundary(void **state)
{
	static const char limits[] = "limits = { max_networks = 3; };\n";
	struct cfg c;
	int line;

	(void)state;
	load_zone_list(&c, limits, "networks", 3, &line);
	assert_at_limit(&c);
	assert_int_equal(policy_zone(c.l.p, "fl100")->n_nets, 3);
	cfg_fini(&c);
	load_zone_list(&c, limits, "networks", 4, &line);
	assert_over_limit(&c, "zones/fl100.conf", line, "max_networks");
	cfg_fini(&c);
}

/* Base config plus a floor zone with @n printers prn0, prn1, ... */
static void load_hosts(struct cfg *c, const char *limits, unsigned n, char **ret_zone)
{
	struct text t;
	char *zone;
	unsigned i;

	text_init(&t);
	text_addf(&t, "\thosts = (\n");
	for (i = 0; i < n; i++)
		text_addf(&t, "%s\t\t{ name = \"prn%u\"; address = \"10.100.0.%u\"; class = \"printer\"; }",
			  i ? ",\n" : "", i, 10 + i);
	text_addf(&t, "\n\t);\n");
	{
		char *hosts = text_done(&t);

		zone = floor_zone(100, hosts);
		free(hosts);
	}
	load_cfg(c, NULL, limits, ZF({ "zones/fl100.conf", zone }));
	*ret_zone = zone;
}

/* STYLE §6, ZONE-17 */
static void max_hosts_is_enforced_at_its_boundary(void **state)
{
	static const char limits[] = "limits = { max_hosts = 6; };\n";
	struct cfg c;
	char *zone;

	(void)state;
	load_hosts(&c, limits, 6 - BASE_N_HOSTS, &zone);
	assert_at_limit(&c);
	assert_int_equal(c.l.p->n_hosts, 6);
	cfg_fini(&c);
	free(zone);
	load_hosts(&c, limits, 7 - BASE_N_HOSTS, &zone);
	assert_over_limit(&c, "zones/fl100.conf", line_of(zone, "prn2"), "max_hosts");
	cfg_fini(&c);
	free(zone);
}

/* Base config plus @n services extra0, extra1, ... */
static void load_services(struct cfg *c, const char *limits, unsigned n)
{
	struct text t;
	char *svcs;
	unsigned i;

	text_init(&t);
	for (i = 0; i < n; i++)
		text_addf(&t, "%s\t{ name = \"extra%u\"; ports = [ \"tcp/%u\" ]; envs = [ \"lan\" ]; }",
			  i ? ",\n" : "", i, 7000 + i);
	text_addf(&t, "\n");
	svcs = text_done(&t);
	load_cfg(c, svcs, limits, NO_ZONES);
	free(svcs);
}

/* STYLE §6, SVC-1 */
static void max_services_is_enforced_at_its_boundary(void **state)
{
	static const char limits[] = "limits = { max_services = 10; };\n";
	struct cfg c;

	(void)state;
	load_services(&c, limits, 10 - BASE_N_SERVICES);
	assert_at_limit(&c);
	assert_int_equal(c.l.p->n_services, 10);
	cfg_fini(&c);
	load_services(&c, limits, 11 - BASE_N_SERVICES);
	assert_over_limit(&c, BASE_MAIN_NAME, line_of(c.main, "extra2"), "max_services");
	cfg_fini(&c);
}

/* Base config plus a service "many" with @n ports. */
static void load_ports(struct cfg *c, const char *limits, unsigned n)
{
	struct text t;
	char *svcs;
	unsigned i;

	text_init(&t);
	text_addf(&t, "\t{ name = \"many\"; envs = [ \"lan\" ];\n\t  ports = [ ");
	for (i = 0; i < n; i++)
		text_addf(&t, "%s\"tcp/%u\"", i ? ", " : "", 7000 + i);
	text_addf(&t, " ]; }\n");
	svcs = text_done(&t);
	load_cfg(c, svcs, limits, NO_ZONES);
	free(svcs);
}

/* STYLE §6, SVC-1 */
static void max_ports_is_enforced_at_its_boundary(void **state)
{
	static const char limits[] = "limits = { max_ports = 3; };\n";
	struct cfg c;

	(void)state;
	load_ports(&c, limits, 3);
	assert_at_limit(&c);
	assert_int_equal(policy_service(c.l.p, "many")->n_ports, 3);
	cfg_fini(&c);
	load_ports(&c, limits, 4);
	assert_over_limit(&c, BASE_MAIN_NAME, line_of(c.main, "tcp/7000"), "max_ports");
	cfg_fini(&c);
}

/* Base config plus a floor zone with @n distinct policies to the server zone. */
static void load_policies(struct cfg *c, const char *limits, unsigned n, char **ret_zone)
{
	static const char *const pol[] = {
		"{ to = \"server\"; services = [ \"intranet\" ]; to_hosts = [ \"app\" ]; }",
		"{ to = \"server\"; services = [ \"dns\" ]; to_hosts = [ \"dns-int\" ]; }",
		"{ to = \"server\"; services = [ \"smb\" ]; to_hosts = [ \"app\" ]; }",
		"{ to = \"server\"; services = [ \"ipp\" ]; to_hosts = [ \"app\" ]; }",
	};
	struct text t;
	char *pols;
	unsigned i;

	assert_true(n <= ARRAY_SIZE(pol));
	text_init(&t);
	text_addf(&t, "\tpolicies = (\n");
	for (i = 0; i < n; i++)
		text_addf(&t, "%s\t\t%s", i ? ",\n" : "", pol[i]);
	text_addf(&t, "\n\t);\n");
	pols = text_done(&t);
	*ret_zone = floor_zone(100, pols);
	free(pols);
	load_cfg(c, NULL, limits, ZF({ "zones/fl100.conf", *ret_zone }));
}

/* STYLE §6, ZONE-8 */
static void max_policies_is_enforced_at_its_boundary(void **state)
{
	static const char limits[] = "limits = { max_policies = 7; };\n";
	struct cfg c;
	char *zone;

	(void)state;
	load_policies(&c, limits, 7 - BASE_N_POLICIES, &zone);
	assert_at_limit(&c);
	assert_int_equal(c.l.p->n_rules, 7);
	cfg_fini(&c);
	free(zone);
	load_policies(&c, limits, 8 - BASE_N_POLICIES, &zone);
	assert_over_limit(&c, "zones/fl100.conf", line_of(zone, "\"smb\""), "max_policies");
	cfg_fini(&c);
	free(zone);
}

/* Base config with a floor1 policy naming the first @n services. */
static void load_rule_services(struct cfg *c, const char *limits, unsigned n, char **ret_zone)
{
	static const char *const svc[] = { "intranet", "smb", "ipp", "dns" };
	struct text t;
	unsigned i;

	assert_true(n <= ARRAY_SIZE(svc));
	text_init(&t);
	text_addf(&t, FLOOR1_HEAD "\tpolicies = (\n\t\t{ to = \"server\"; to_hosts = [ \"app\" ]; services = [ ");
	for (i = 0; i < n; i++)
		text_addf(&t, "%s\"%s\"", i ? ", " : "", svc[i]);
	text_addf(&t, " ]; }\n\t);\n};\n");
	*ret_zone = text_done(&t);
	load_cfg(c, NULL, limits, ZF({ BASE_FLOOR_NAME, *ret_zone }));
}

/* STYLE §6, SVC-1 */
static void max_rule_services_is_enforced_at_its_boundary(void **state)
{
	static const char limits[] = "limits = { max_rule_services = 3; };\n";
	struct cfg c;
	char *zone;

	(void)state;
	load_rule_services(&c, limits, 3, &zone);
	assert_at_limit(&c);
	cfg_fini(&c);
	free(zone);
	load_rule_services(&c, limits, 4, &zone);
	assert_over_limit(&c, BASE_FLOOR_NAME, line_of(zone, "services"), "max_rule_services");
	cfg_fini(&c);
	free(zone);
}

/* Base config, three servers, and a floor1 policy to the first @n of them. */
static void load_rule_hosts(struct cfg *c, const char *limits, unsigned n, char **ret_zone)
{
	static const char server[] = SERVER_HEAD HOSTS(
		SERVER_HOSTS ",\n"
		"\t\t{ name = \"fs\"; address = \"10.1.0.20\"; approval = \"SRV-5\"; }") END;
	static const char *const hosts[] = { "app", "dns-int", "fs" };
	struct text t;
	unsigned i;

	assert_true(n <= ARRAY_SIZE(hosts));
	text_init(&t);
	text_addf(&t, FLOOR1_HEAD "\tpolicies = (\n\t\t{ to = \"server\"; services = [ \"smb\" ]; to_hosts = [ ");
	for (i = 0; i < n; i++)
		text_addf(&t, "%s\"%s\"", i ? ", " : "", hosts[i]);
	text_addf(&t, " ]; }\n\t);\n};\n");
	*ret_zone = text_done(&t);
	load_cfg(c, NULL, limits, ZF({ BASE_FLOOR_NAME, *ret_zone }, { BASE_SERVER_NAME, server }));
}

/* STYLE §6, ZONE-8 */
static void max_rule_hosts_is_enforced_at_its_boundary(void **state)
{
	static const char limits[] = "limits = { max_rule_hosts = 2; };\n";
	struct cfg c;
	char *zone;

	(void)state;
	load_rule_hosts(&c, limits, 2, &zone);
	assert_at_limit(&c);
	cfg_fini(&c);
	free(zone);
	load_rule_hosts(&c, limits, 3, &zone);
	assert_over_limit(&c, BASE_FLOOR_NAME, line_of(zone, "to_hosts"), "max_rule_hosts");
	cfg_fini(&c);
	free(zone);
}

/* Base config plus a floor zone whose name has @len characters. */
static void load_name(struct cfg *c, const char *limits, unsigned len, char **ret_zone)
{
	char name[64];
	struct text t;

	assert_true(len < sizeof(name));
	memset(name, 'n', len);
	name[0] = 'z';
	name[len] = '\0';
	text_init(&t);
	text_addf(&t,
		  "zone = {\n\tname = \"%s\";\n\tkind = \"floor\";\n\tinterfaces = [ \"fl100\" ];\n"
		  "\tnetworks = [ \"10.100.0.0/24\" ];\n};\n",
		  name);
	*ret_zone = text_done(&t);
	load_cfg(c, NULL, limits, ZF({ "zones/long.conf", *ret_zone }));
}

/* STYLE §6, CHG-6 */
static void max_name_is_enforced_at_its_boundary(void **state)
{
	/* Room for the base config's longest name, "http-proxy". */
	static const char limits[] = "limits = { max_name = 10; };\n";
	struct cfg c;
	char *zone;

	(void)state;
	load_name(&c, limits, 10, &zone);
	assert_at_limit(&c);
	cfg_fini(&c);
	free(zone);
	load_name(&c, limits, 11, &zone);
	assert_over_limit(&c, "zones/long.conf", 2, "max_name");
	cfg_fini(&c);
	free(zone);
}

/* STYLE §6, CHG-6: the default max_name is 24 (docs/config.md). */
static void max_name_default_is_24(void **state)
{
	struct cfg c;
	char *zone;

	(void)state;
	load_name(&c, NULL, 24, &zone);
	assert_at_limit(&c);
	assert_int_equal(c.l.p->limits.max_name, 24);
	cfg_fini(&c);
	free(zone);
	load_name(&c, NULL, 25, &zone);
	assert_over_limit(&c, "zones/long.conf", 2, "max_name");
	assert_diag(&c.l.d, "zones/long.conf", 2, "24");
	cfg_fini(&c);
	free(zone);
}

/* Base config plus @n exceptions EXC-0, EXC-1, ... */
static void load_exceptions(struct cfg *c, const char *limits, unsigned n)
{
	struct text t;
	char *extra;
	unsigned i;

	text_init(&t);
	text_addf(&t, "%sexceptions = (\n", limits);
	for (i = 0; i < n; i++)
		text_addf(&t,
			  "%s\t{ id = \"EXC-%u\"; approved_by = \"ISC\"; reference = \"ref\"; reason = "
			  "\"r\"; approved = \"2026-12-01\"; expires = \"2027-06-01\"; }",
			  i ? ",\n" : "", i);
	text_addf(&t, "\n);\n");
	extra = text_done(&t);
	load_cfg(c, NULL, extra, NO_ZONES);
	free(extra);
}

/* STYLE §6, OPS-8 */
static void max_exceptions_is_enforced_at_its_boundary(void **state)
{
	static const char limits[] = "limits = { max_exceptions = 2; };\n";
	struct cfg c;

	(void)state;
	load_exceptions(&c, limits, 2);
	assert_at_limit(&c); /* unused exceptions are only warned about */
	assert_int_equal(c.l.p->n_exceptions, 2);
	cfg_fini(&c);
	load_exceptions(&c, limits, 3);
	assert_over_limit(&c, BASE_MAIN_NAME, line_of(c.main, "EXC-2"), "max_exceptions");
	cfg_fini(&c);
}

/* Base config plus @n branch zones and one WAN link to each. */
static void load_wans(struct cfg *c, const char *limits, unsigned n)
{
	struct zones z = { 0 };
	struct text t;
	char *extra;
	unsigned i;

	text_init(&t);
	text_addf(&t, "%swan = (\n", limits);
	for (i = 0; i < n; i++) {
		char name[16], net[32];

		snprintf(name, sizeof(name), "br%u", i);
		snprintf(net, sizeof(net), "10.%u.0.0/16", 30 + i);
		zones_add(&z, xprintf("zones/%s.conf", name), branch_zone(name, name, net));
		if (i)
			text_addf(&t, ",\n");
		wan_link(&t, name, name, net, W__COUNT, W__COUNT, NULL);
	}
	text_addf(&t, "\n);\n");
	extra = text_done(&t);
	load_cfg_at(c, T_NOW, NULL, extra, z.v, z.n);
	free(extra);
	zones_fini(&z);
}

/* STYLE §6, WAN-1 */
static void max_wan_is_enforced_at_its_boundary(void **state)
{
	static const char limits[] = "limits = { max_wan = 2; };\n";
	struct cfg c;

	(void)state;
	load_wans(&c, limits, 2);
	assert_at_limit(&c);
	assert_int_equal(c.l.p->n_wans, 2);
	cfg_fini(&c);
	load_wans(&c, limits, 3);
	assert_over_limit(&c, BASE_MAIN_NAME, line_of(c.main, "{ name = \"br2\""), "max_wan");
	cfg_fini(&c);
}

/* STYLE §6, CHG-6 */
static void limits_above_their_ceiling_are_refused(void **state)
{
	static const char limits[] = "limits = {\n\tmax_name = 33;\n\tmax_zones = 0;\n\tmax_wans = 3;\n};\n";
	struct cfg c;

	(void)state;
	load_cfg(&c, NULL, limits, NO_ZONES);
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "max_name"),
		    "limits: 'max_name' is 33, must be from 1 to 32");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "max_zones"),
		    "limits: 'max_zones' is 0, must be from 1");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "max_wans"),
		    "unknown key 'max_wans' (did you mean 'max_wan'?)");
	assert_errors(&c.l.d, 3);
	cfg_fini(&c);
}

/* ---- log.report (LOG-13..18, INC-5, INC-7) ------------------------------- */

#define BASE_LOG_LINE "log = { group = 1; deny_rate = 10; deny_burst = 20; };\n"

/* Loads the base config with @report as the body of its log.report group. */
static int load_report(struct cfg *c, const char *report)
{
	const char *base = BASE_MAIN, *at = strstr(base, BASE_LOG_LINE);
	struct conf_source srcs[ARRAY_SIZE(base_zones) + 1];
	struct text t;
	size_t i;

	assert_non_null(at);
	text_init(&t);
	text_addf(&t, "%.*slog = {\n\tgroup = 1;\n\treport = {\n%s\t};\n};\n%s", (int)(at - base),
		  base, report, at + strlen(BASE_LOG_LINE));
	c->main = text_done(&t);
	srcs[0] = src_of(BASE_MAIN_NAME, c->main);
	for (i = 0; i < ARRAY_SIZE(base_zones); i++)
		srcs[i + 1] = src_of(base_zones[i].name, base_zones[i].text);
	load_sources(&c->l, srcs, ARRAY_SIZE(srcs), T_NOW);
	return c->l.r;
}

/* LOG-13 */
static void log_report_defaults_hold_without_the_group(void **state)
{
	const struct log_report_settings *rs;
	struct cfg c;

	(void)state;
	assert_int_equal(load_cfg(&c, NULL, NULL, NO_ZONES), 0);
	rs = &c.l.p->settings.report;
	assert_true(rs->window == 60);
	assert_int_equal(rs->denied, 20);
	assert_int_equal(rs->scan_ports, 15);
	assert_int_equal(rs->scan_hosts, 15);
	assert_int_equal(rs->db_connections, 1000);
	assert_int_equal(rs->sources, 4096);
	assert_int_equal(rs->top, 20);
	assert_int_equal(rs->n_db_hosts, 0);
	cfg_fini(&c);
}

/* LOG-13, LOG-16: every key at its limits is taken; DB hosts resolve to hosts. */
static void log_report_keys_at_their_limits_are_accepted(void **state)
{
	const struct log_report_settings *rs;
	struct cfg c;

	(void)state;
	assert_int_equal(load_report(&c, "\t\twindow = \"1d\";\n\t\tdenied = 100000;\n"
					 "\t\tscan_ports = 2;\n\t\tscan_hosts = 256;\n"
					 "\t\tdb_connections = 1;\n\t\tsources = 16;\n"
					 "\t\ttop = 1000;\n\t\tdb_hosts = [ \"app\" ];\n"),
			 0);
	rs = &c.l.p->settings.report;
	assert_true(rs->window == DAY_SECONDS);
	assert_int_equal(rs->denied, 100000);
	assert_int_equal(rs->scan_ports, 2);
	assert_int_equal(rs->scan_hosts, 256);
	assert_int_equal(rs->db_connections, 1);
	assert_int_equal(rs->sources, 16);
	assert_int_equal(rs->top, 1000);
	assert_int_equal(rs->n_db_hosts, 1);
	assert_non_null(rs->db[0]);
	assert_string_equal(rs->db[0]->name, "app");
	cfg_fini(&c);
}

/* LOG-13: each key past its limit is refused at its line. */
static void log_report_values_out_of_range_are_refused_at_their_line(void **state)
{
	struct cfg c;

	(void)state;
	load_report(&c, "\t\twindow = \"25h\";\n\t\tdenied = 0;\n\t\tscan_ports = 257;\n"
			"\t\tscan_hosts = 1;\n\t\tdb_connections = 0;\n\t\tsources = 15;\n"
			"\t\ttop = 1001;\n\t\tthreshold = 3;\n");
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "window"),
		    "log.report: window '25h' must be a duration from 1s to 1d");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "denied"),
		    "log.report: 'denied' is 0, must be from 1 to 100000");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "scan_ports"),
		    "'scan_ports' is 257, must be from 2 to 256");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "scan_hosts"),
		    "'scan_hosts' is 1, must be from 2 to 256");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "db_connections"),
		    "'db_connections' is 0, must be from 1 to 10000000");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "sources"),
		    "'sources' is 15, must be from 16 to 100000");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "top"),
		    "'top' is 1001, must be from 1 to 1000");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "threshold"),
		    "log.report: unknown key 'threshold'");
	assert_errors(&c.l.d, 8);
	cfg_fini(&c);
}

/* LOG-16: a DB host that is not defined, or a window that is no duration. */
static void log_report_unknown_db_host_and_bad_window_are_refused(void **state)
{
	struct cfg c;

	(void)state;
	load_report(&c, "\t\twindow = \"soon\";\n\t\tdb_hosts = [ \"ap\" ];\n");
	assert_refused(&c.l);
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "window"),
		    "log.report: window 'soon' must be a duration from 1s to 1d");
	assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, "db_hosts"),
		    "log.report: db_hosts: host 'ap' is not defined");
	assert_errors(&c.l.d, 2);
	cfg_fini(&c);
}

/* ---- log.forward (LOG-9) ------------------------------------------------ */

#define BASE_LOG "log = { group = 1; deny_rate = 10; deny_burst = 20; };\n"

/* Loads the base config with its log group's body followed by @forward. */
static int load_forward(struct cfg *c, const char *forward)
{
	const char *head = BASE_MAIN_HEAD, *at_log = strstr(head, BASE_LOG);
	struct conf_source srcs[5];
	struct text t;
	size_t i;

	assert_non_null(at_log);
	text_init(&t);
	text_addf(&t, "%.*slog = {\n\tgroup = 1;\n\tforward = {\n%s\t};\n};\n%sservices = (\n%s);\n",
		  (int)(at_log - head), head, forward, at_log + strlen(BASE_LOG), BASE_SERVICES);
	c->main = text_done(&t);
	srcs[0] = src_of(BASE_MAIN_NAME, c->main);
	for (i = 0; i < ARRAY_SIZE(base_zones); i++)
		srcs[i + 1] = src_of(base_zones[i].name, base_zones[i].text);
	load_sources(&c->l, srcs, 5, T_NOW);
	return c->l.r;
}

static void forward_settings_load_with_their_defaults(void **state)
{
	const struct log_forward *f;
	struct cfg c;

	(void)state;
	assert_int_equal(load_forward(&c, "\t\tserver = \"logs.example\";\n"), 0);
	f = &c.l.p->settings.log_forward;
	assert_string_equal(f->server, "logs.example");
	assert_int_equal(f->port, 0); /* 514, or 6514 with TLS: the edge decides */
	assert_false(f->tls);
	assert_null(f->ca);
	assert_null(f->hostname);
	assert_int_equal(f->facility, 16);
	assert_int_equal(f->origin.line, line_of(c.main, "forward ="));
	cfg_fini(&c);
	assert_int_equal(load_forward(&c, "\t\tserver = \"10.1.0.5\";\n\t\tport = 6515;\n"
					  "\t\ttls = true;\n\t\tca = \"/etc/gatewayd/ca.pem\";\n"
					  "\t\tcert = \"c.pem\";\n\t\tkey = \"k.pem\";\n"
					  "\t\thostname = \"gw1.example\";\n"
					  "\t\tfacility = \"local7\";\n"),
			 0);
	f = &c.l.p->settings.log_forward;
	assert_int_equal(f->port, 6515);
	assert_true(f->tls);
	assert_string_equal(f->ca, "/etc/gatewayd/ca.pem");
	assert_string_equal(f->cert, "c.pem");
	assert_string_equal(f->key, "k.pem");
	assert_string_equal(f->hostname, "gw1.example");
	assert_int_equal(f->facility, 23);
	cfg_fini(&c);
}

static void no_forward_group_means_no_forwarding(void **state)
{
	struct cfg c;

	(void)state;
	assert_int_equal(load_cfg(&c, NULL, NULL, NO_ZONES), 0);
	assert_null(c.l.p->settings.log_forward.server);
	cfg_fini(&c);
}

static void bad_forward_settings_are_refused_at_their_line(void **state)
{
	static const struct {
		const char *text, *needle, *msg;
	} cases[] = {
		{ "\t\tport = 514;\n", "forward =", "log.forward: 'server' is required" },
		{ "\t\tserver = \"\";\n", "server =", "'server' must not be empty" },
		{ "\t\tserver = \"a b\";\n", "server =", "server 'a b' is not a host name" },
		{ "\t\tserver = \"l\";\n\t\tport = 0;\n", "port =", "'port' is 0, must be from 1 to 65535" },
		{ "\t\tserver = \"l\";\n\t\tport = 70000;\n", "port =", "must be from 1 to 65535" },
		{ "\t\tserver = \"l\";\n\t\tport = \"514\";\n", "port =", "'port' must be an integer" },
		{ "\t\tserver = \"l\";\n\t\ttls = 1;\n", "tls =", "'tls' must be true or false" },
		{ "\t\tserver = \"l\";\n\t\ttls = true;\n", "forward =", "'ca' is required with TLS" },
		{ "\t\tserver = \"l\";\n\t\tca = \"ca.pem\";\n", "ca =", "need 'tls = true'" },
		{ "\t\tserver = \"l\";\n\t\ttls = true;\n\t\tca = \"ca.pem\";\n\t\tcert = \"c.pem\";\n",
		  "cert =", "'cert' and 'key' go together" },
		{ "\t\tserver = \"l\";\n\t\thostname = \"gw one\";\n", "hostname =",
		  "hostname 'gw one' must be 1 to 255 printable ASCII" },
		{ "\t\tserver = \"l\";\n\t\tfacility = \"local8\";\n", "facility =",
		  "facility 'local8' is not known" },
		{ "\t\tserver = \"l\";\n\t\tprot = 514;\n", "prot =",
		  "log.forward: unknown key 'prot' (did you mean 'port'?)" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct cfg c;

		load_forward(&c, cases[i].text);
		assert_refused(&c.l);
		assert_diag(&c.l.d, BASE_MAIN_NAME, line_of(c.main, cases[i].needle), cases[i].msg);
		assert_errors(&c.l.d, 1);
		cfg_fini(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base_config_loads_without_diagnostics),
		cmocka_unit_test(zone_kinds_belong_to_their_environments),
		cmocka_unit_test(references_resolve_and_objects_keep_their_origin),
		cmocka_unit_test(port_specs_are_parsed),
		cmocka_unit_test(unknown_key_is_refused_with_a_hint),
		cmocka_unit_test(unknown_key_in_main_file_is_refused_with_a_hint),
		cmocka_unit_test(forward_settings_load_with_their_defaults),
		cmocka_unit_test(no_forward_group_means_no_forwarding),
		cmocka_unit_test(bad_forward_settings_are_refused_at_their_line),
		cmocka_unit_test(log_report_defaults_hold_without_the_group),
		cmocka_unit_test(log_report_keys_at_their_limits_are_accepted),
		cmocka_unit_test(log_report_values_out_of_range_are_refused_at_their_line),
		cmocka_unit_test(log_report_unknown_db_host_and_bad_window_are_refused),
		cmocka_unit_test(unknown_key_without_a_near_match_gets_no_hint),
		cmocka_unit_test(department_check_dates),
		cmocka_unit_test(registry_watch_keys),
		cmocka_unit_test(second_approval_and_departments),
		cmocka_unit_test(second_approver_must_exist),
		cmocka_unit_test(inventory_keys),
		cmocka_unit_test(enforce_services_switch),
		cmocka_unit_test(unknown_service_is_refused_with_a_hint),
		cmocka_unit_test(unknown_host_is_refused_with_a_hint),
		cmocka_unit_test(unknown_zone_is_refused_with_a_hint),
		cmocka_unit_test(unknown_proxy_host_and_service_are_refused),
		cmocka_unit_test(duplicate_zone_name_is_refused_independent_of_file_order),
		cmocka_unit_test(duplicate_host_name_is_refused),
		cmocka_unit_test(duplicate_service_name_is_refused),
		cmocka_unit_test(network_with_host_bits_or_bad_length_is_refused),
		cmocka_unit_test(bad_port_specs_are_refused),
		cmocka_unit_test(bad_protocol_is_refused),
		cmocka_unit_test(host_outside_its_zone_networks_is_refused),
		cmocka_unit_test(overlapping_zone_networks_are_refused),
		cmocka_unit_test(wide_network_overlapping_several_zones_is_reported_for_each),
		cmocka_unit_test(interface_in_two_zones_is_refused),
		cmocka_unit_test(interface_listed_twice_in_one_zone_is_refused),
		cmocka_unit_test(private_network_in_global_zone_is_refused),
		cmocka_unit_test(global_network_in_lan_zone_is_refused),
		cmocka_unit_test(global_ipv6_network_in_lan_zone_is_refused),
		cmocka_unit_test(lan_network_mixing_private_and_global_space_is_refused),
		cmocka_unit_test(client_host_in_dmz_is_refused),
		cmocka_unit_test(floor_policy_straight_to_the_internet_is_refused),
		cmocka_unit_test(floor_dns_straight_to_the_internet_is_refused),
		cmocka_unit_test(direct_internet_policy_is_accepted_under_an_unexpired_exception),
		cmocka_unit_test(direct_internet_policy_is_refused_once_its_exception_expired),
		cmocka_unit_test(policy_naming_an_undefined_exception_is_refused),
		cmocka_unit_test(misspelt_exception_gets_a_hint),
		cmocka_unit_test(exception_longer_than_a_year_is_refused),
		cmocka_unit_test(exception_of_exactly_one_year_is_accepted),
		cmocka_unit_test(exception_of_one_year_and_one_day_is_refused),
		cmocka_unit_test(exception_not_yet_approved_does_not_cover_a_policy),
		cmocka_unit_test(exception_expiring_before_its_approval_is_refused),
		cmocka_unit_test(exception_with_a_bad_date_is_refused),
		cmocka_unit_test(inbound_from_the_internet_to_the_server_zone_is_refused),
		cmocka_unit_test(internet_to_the_gateway_is_refused_except_remote_access),
		cmocka_unit_test(service_not_enumerated_for_the_environment_is_refused),
		cmocka_unit_test(exception_only_service_without_an_exception_is_refused),
		cmocka_unit_test(infrastructure_service_is_allowed_only_toward_the_server_zone),
		cmocka_unit_test(floor_zone_as_destination_without_an_approved_server_is_refused),
		cmocka_unit_test(floor_host_is_a_destination_only_as_approved_server_or_printer),
		cmocka_unit_test(dmz_web_to_the_internet_not_from_the_proxy_is_refused),
		cmocka_unit_test(via_proxy_takes_only_web_services_toward_a_global_zone),
		cmocka_unit_test(complete_wan_link_loads),
		cmocka_unit_test(wan_link_without_peer_is_refused),
		cmocka_unit_test(wan_link_without_purpose_is_refused),
		cmocka_unit_test(wan_link_without_type_is_refused),
		cmocka_unit_test(wan_link_without_systems_is_refused),
		cmocka_unit_test(wan_link_without_scope_is_refused),
		cmocka_unit_test(wan_link_without_services_is_refused),
		cmocka_unit_test(wan_link_without_contacts_is_refused),
		cmocka_unit_test(wan_link_without_anomaly_is_refused),
		cmocka_unit_test(wan_peer_without_address_is_refused),
		cmocka_unit_test(wan_systems_without_remote_end_is_refused),
		cmocka_unit_test(wan_scope_without_remote_networks_is_refused),
		cmocka_unit_test(wan_service_without_direction_is_refused),
		cmocka_unit_test(wan_contacts_without_remote_security_manager_is_refused),
		cmocka_unit_test(wan_anomaly_without_remote_escalation_is_refused),
		cmocka_unit_test(vpn_wan_link_without_approval_is_refused),
		cmocka_unit_test(vpn_wan_link_with_approval_loads),
		cmocka_unit_test(wan_service_reaching_outside_scope_local_is_refused),
		cmocka_unit_test(wan_remote_scope_outside_the_wan_zone_is_refused),
		cmocka_unit_test(wan_service_not_allowed_in_the_wan_environment_is_refused),
		cmocka_unit_test(policy_from_a_wan_zone_is_refused),
		cmocka_unit_test(syntax_error_reports_its_line),
		cmocka_unit_test(syntax_error_in_one_file_does_not_hide_mistakes_in_others),
		cmocka_unit_test(include_directive_is_refused),
		cmocka_unit_test(file_with_a_nul_byte_is_refused),
		cmocka_unit_test(many_mistakes_are_all_reported_in_one_run),
		cmocka_unit_test(max_zones_is_enforced_at_its_boundary),
		cmocka_unit_test(max_interfaces_is_enforced_at_its_boundary),
		cmocka_unit_test(max_networks_is_enforced_at_its_boundary),
		cmocka_unit_test(max_hosts_is_enforced_at_its_boundary),
		cmocka_unit_test(max_services_is_enforced_at_its_boundary),
		cmocka_unit_test(max_ports_is_enforced_at_its_boundary),
		cmocka_unit_test(max_policies_is_enforced_at_its_boundary),
		cmocka_unit_test(max_rule_services_is_enforced_at_its_boundary),
		cmocka_unit_test(max_rule_hosts_is_enforced_at_its_boundary),
		cmocka_unit_test(max_name_is_enforced_at_its_boundary),
		cmocka_unit_test(max_name_default_is_24),
		cmocka_unit_test(max_exceptions_is_enforced_at_its_boundary),
		cmocka_unit_test(max_wan_is_enforced_at_its_boundary),
		cmocka_unit_test(limits_above_their_ceiling_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

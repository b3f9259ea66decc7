/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netctl device: the LAN registry's verbs (§3.5 LANREQ). netctl carries the
 * request to gatewayd, which checks who asks (SO_PEERCRED, ADM-2), decides
 * (lib/lanreq.c), stores (SQLite), changes the kernel's sets and sends the
 * notices; netctl prints the result or the refusal's reason.
 *
 *   netctl device OP [TARGET] [--FIELD VALUE]... [--file FILE] [--json] [-S SOCKET]
 *
 * Field options are the registry's field names ("--user.name", "--device.mac";
 * '-' and '_' are the same), so the command line, the request file and the
 * JSON output use one vocabulary (docs/registry.md).
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctlproto.h"
#include "duration.h"
#include "lanreq.h"
#include "netctl.h"

static const char usage_text[] =
	"Usage: netctl device OP [TARGET] [--FIELD VALUE]... [--file FILE] [--json] [-S SOCKET]\n"
	"\n"
	"Requests and their life (LANREQ; TARGET is a registration ID, a MAC or an IP):\n"
	"  request --FIELD VALUE... | --file FILE   file a LAN connection request (helpdesk)\n"
	"  endorse ID                      the department head's endorsement of a request or\n"
	"                                  of a pending change (C-1)\n"
	"  approve ID [--device.ip A] [--device.hostname H] [--device.connection_point P]\n"
	"             [--usage.location L] [--configured-by NAME]\n"
	"                                  approve a request or a pending change; address and\n"
	"                                  hostname from the zone's pool; with a second\n"
	"                                  approver (registry.second_approval), its approval too\n"
	"  refuse ID --reason TEXT         refuse a request or a pending change, with the reason\n"
	"                                  sent to the applicant\n"
	"  change ID --change.location L --change.purpose P --change.reason R [--FIELD V]...\n"
	"             [--unset FIELD[,FIELD]] [--change.security-review TEXT]\n"
	"                                  file a change request (LANREQ-34..36); endorsed and\n"
	"                                  approved like a request\n"
	"  hold ID|MAC|IP --reason TEXT    suspend admission until a malware check (LANREQ-48)\n"
	"  clear ID --checked-by NAME --note TEXT   the security officer confirms the check\n"
	"  end ID --reason TEXT            end the connection; the record is kept\n"
	"  quarantine ID|MAC|IP --reason TEXT   cut off at once (LANREQ-42, INC-1)\n"
	"  release ID|MAC|IP --instructed-by NAME   lift a quarantine (INC-2)\n"
	"  (a MAC or IP no live registration holds is quarantined and released as an address)\n"
	"  confirm ID --comment TEXT       confirm the post-approval check (LANREQ-30)\n"
	"  person --name NAME --status departed|contract-ended|on-leave|transferred|active\n"
	"                                  a person's status; ends or flags their devices (C-15)\n"
	"Views:\n"
	"  list [--state S] [--zone Z] [--department D] [--user U] [--expiring 14d]\n"
	"       [--pending endorsement|approval|second-approval|change]\n"
	"  show ID|MAC|IP                  every field, the change history, the notices\n"
	"  notices [--status pending|sent|failed] [--failed]   the notices and their results (C-24)\n"
	"  resend NOTICE-ID                send a failed notice again (netadmin, operator)\n"
	"  check [DEPARTMENT]              the half-yearly department checks: last, next due\n"
	"  check DEPARTMENT --done --note TEXT [--by NAME]   record one (netadmin; LANREQ-31)\n"
	"  report [--kind conformance|department] [--department D]   (LANREQ-30, LANREQ-31)\n"
	"  export --list ip|dns|ports|macs|dhcp [--format json|csv|zone|dnsmasq|kea] [--zone Z]\n"
	"                                  the lists (LANREQ-26..28, WLAN-8); zone: DNS A records\n"
	"                                  (dns), dnsmasq: DHCP reservations (ip), kea: Kea DHCPv4\n"
	"                                  reservations (dhcp; LANREQ-23)\n"
	"  seen                            devices observed on the LAN, with the verdict (LANREQ-46)\n"
	"  quarantined [--all]             quarantines of hosts without a registration (INC-1)\n"
	"  unknown                         the observed devices the register does not admit\n"
	"  people                          management IDs and roles, their appointments and\n"
	"                                  removals, person statuses (ADM-1, ADM-5..7, C-15)\n"
	"  persons [--name NAME] [--history]   the recorded person statuses, who recorded them\n"
	"                                  and when; --history: every one, with what it did (C-15)\n"
	"  inventory                       the report of management IDs, their rights and holders,\n"
	"                                  its SHA-256, the last inventory, the next due (ADM-7)\n"
	"  inventory --done --report SHA256 --note TEXT   record an inventory (isms-manager)\n"
	"  inventory --history             every recorded inventory\n"
	"\n"
	"Fields of a request: netctl device fields. Exit: 0 done, 1 refused, 2 usage.\n";

static bool has_target(enum lr_op op)
{
	switch (op) {
	case LRO_ENDORSE:
	case LRO_APPROVE:
	case LRO_REFUSE:
	case LRO_CHANGE:
	case LRO_END:
	case LRO_QUARANTINE:
	case LRO_RELEASE:
	case LRO_CONFIRM:
	case LRO_SHOW:
	case LRO_RESEND:
	case LRO_HOLD:
	case LRO_CLEAR:
		return true;
	default:
		return false;
	}
}

/* "--device.custodian-contact" -> "device.custodian_contact" */
static void key_of(const char *opt, char *out, size_t len)
{
	size_t i;

	for (i = 0; opt[i] && i + 1 < len; i++)
		out[i] = opt[i] == '-' ? '_' : opt[i];
	out[i] = 0;
}

static int set_target(json_t *args, const char *t)
{
	char *end;
	long long id = strtoll(t, &end, 10);

	if (*t && !*end && id > 0)
		return json_object_set_new(args, "id", json_integer(id));
	if (strchr(t, ':') || (strlen(t) == 17 && strchr(t, '-')))
		return json_object_set_new(args, "mac", json_string(t));
	if (strchr(t, '.'))
		return json_object_set_new(args, "ip", json_string(t));
	return -1;
}

/* A request file: JSON, or "key = value" lines with # comments. */
static int read_file(const char *path, json_t *args)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	unsigned n = 0;
	int c;

	if (!f) {
		die_msg("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((c = fgetc(f)) != EOF && isspace(c))
		;
	if (c == '{') {
		json_error_t jerr;
		json_t *j;

		rewind(f);
		j = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
		fclose(f);
		if (!json_is_object(j)) {
			die_msg("%s:%d: %s", path, jerr.line, j ? "not a JSON object" : jerr.text);
			json_decref(j);
			return -1;
		}
		if (json_object_get(j, "op") || json_object_get(j, "id")) {
			die_msg("%s: 'op' and 'id' are not fields; name the operation and the "
				"registration on the command line",
				path);
			json_decref(j);
			return -1;
		}
		json_object_update(args, j);
		json_decref(j);
		return 0;
	}
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		char *k = line, *eq, *v, *e;
		char key[128];

		n++;
		while (isspace((unsigned char)*k))
			k++;
		if (!*k || *k == '#')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			die_msg("%s:%u: expected 'field = value'", path, n);
			fclose(f);
			return -1;
		}
		for (e = eq; e > k && isspace((unsigned char)e[-1]); e--)
			;
		*e = 0;
		for (v = eq + 1; isspace((unsigned char)*v); v++)
			;
		for (e = v + strlen(v); e > v && isspace((unsigned char)e[-1]); e--)
			;
		*e = 0;
		if (*v == '"' && e > v + 1 && e[-1] == '"') {
			v++;
			e[-1] = 0;
		}
		key_of(k, key, sizeof(key));
		if (!strcmp(key, "op") || !strcmp(key, "id")) {
			die_msg("%s:%u: '%s' is not a field", path, n, key);
			fclose(f);
			return -1;
		}
		if (json_object_get(args, key)) {
			die_msg("%s:%u: '%s' given twice", path, n, key);
			fclose(f);
			return -1;
		}
		json_object_set_new(args, key, json_string(v));
	}
	fclose(f);
	return 0;
}

static const char *s_of(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_true(v))
		return "yes";
	if (json_is_false(v))
		return "no";
	return "-";
}

static void value_text(const json_t *v, char *buf, size_t len)
{
	size_t i, o = 0;
	json_t *e;

	buf[0] = 0;
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
	else if (json_is_array(v))
		json_array_foreach(v, i, e) {
			char one[64];
			int w;

			if (json_is_integer(e))
				snprintf(one, sizeof(one), "%lld", (long long)json_integer_value(e));
			else
				snprintf(one, sizeof(one), "%s",
					 json_is_string(e) ? json_string_value(e) : "?");
			w = snprintf(buf + o, len - o, "%s%s", i ? ", " : "", one);
			if (w < 0 || (size_t)w >= len - o)
				break;
			o += (size_t)w;
		}
	else if (json_is_null(v) || !v)
		snprintf(buf, len, "-");
	else {
		char *t = json_dumps(v, JSON_COMPACT);

		snprintf(buf, len, "%s", t ? t : "?");
		free(t);
	}
}

static void when(json_int_t t, char *buf, size_t len)
{
	if (t)
		time_format(t, buf, len);
	else
		snprintf(buf, len, "-");
}

static void print_list(const json_t *rows)
{
	size_t i;
	json_t *r;

	if (!json_array_size(rows)) {
		printf("no registrations match\n");
		return;
	}
	printf("%-5s %-11s %-9s %-16s %-17s %-15s %-18s %-14s %s\n", "ID", "STATE", "ZONE",
	       "HOSTNAME", "MAC", "IP", "USER", "DEPARTMENT", "UNTIL");
	json_array_foreach(rows, i, r) {
		const char *ip = s_of(r, "device.ip");

		if (!strcmp(ip, "-"))
			ip = s_of(r, "lease_ip");
		const json_t *pc = json_object_get(r, "pending_change");

		printf("%-5lld %-11s %-9s %-16s %-17s %-15s %-18s %-14s %s%s%s\n",
		       (long long)json_integer_value(json_object_get(r, "id")), s_of(r, "state"),
		       s_of(r, "zone"), s_of(r, "device.hostname"), s_of(r, "device.mac"), ip,
		       s_of(r, "user.name"), s_of(r, "user.department"),
		       s_of(r, "usage.valid_until"),
		       json_object_get(r, "change_required") ? "  (change required)" : "",
		       /* LANREQ-36: what the pending change waits for. */
		       !pc					   ? ""
		       : json_object_get(pc, "approved_by")	   ? "  (change pending: second approval)"
		       : json_object_get(pc, "endorsed_by")	   ? "  (change pending: approval)"
							   : "  (change pending: endorsement)");
	}
}

static void print_show(const json_t *res)
{
	const json_t *doc = json_object_get(res, "registration"), *ev, *v;
	const char *key;
	char buf[1024], t[32];
	size_t i;

	printf("registration %lld: %s\n", (long long)json_integer_value(json_object_get(doc, "id")),
	       s_of(doc, "state"));
	for (i = 0; i < lr_n_fields; i++) {
		value_text(json_object_get(doc, lr_fields[i].key), buf, sizeof(buf));
		printf("  %-26s %-26s %s\n", lr_fields[i].key, buf, lr_fields[i].reqs);
	}
	v = json_object_get(doc, "pending_change");
	if (v) {
		const json_t *x;
		const char *k;

		/* LANREQ-34..36: the change waiting for endorsement and approval. */
		printf("pending change (LANREQ-36):\n");
		json_object_foreach((json_t *)json_object_get(v, "fields"), k, x) {
			char cur[256];

			value_text(json_object_get(doc, k), cur, sizeof(cur));
			value_text(x, buf, sizeof(buf));
			printf("  %-26s %s -> %s\n", k, cur, buf);
		}
		json_array_foreach(json_object_get(v, "unset"), i, x) {
			value_text(json_object_get(doc, json_string_value(x)), buf, sizeof(buf));
			printf("  %-26s %s -> (removed)\n", json_string_value(x), buf);
		}
		json_object_foreach((json_t *)v, k, x) {
			if (!strcmp(k, "fields") || !strcmp(k, "unset"))
				continue;
			value_text(x, buf, sizeof(buf));
			printf("  %-26s %s\n", k, buf);
		}
	}
	printf("record:\n");
	json_object_foreach((json_t *)doc, key, v) {
		if (lr_field(key) || !strcmp(key, "id") || !strcmp(key, "state") ||
		    !strcmp(key, "pending_change"))
			continue;
		value_text(v, buf, sizeof(buf));
		printf("  %-26s %s\n", key, buf);
	}
	printf("history (LANREQ-21):\n");
	json_array_foreach(json_object_get(res, "history"), i, ev) {
		const json_t *b = json_object_get(ev, "before"), *a = json_object_get(ev, "after");
		const char *k;
		json_t *x;

		when(json_integer_value(json_object_get(ev, "at")), t, sizeof(t));
		printf("  %s  %-14s by %s%s%s\n", t, s_of(ev, "action"), s_of(ev, "actor"),
		       json_is_string(json_object_get(ev, "reason")) ? ": " : "",
		       json_is_string(json_object_get(ev, "reason")) ? s_of(ev, "reason") : "");
		if (!json_is_object(b))
			continue;
		json_object_foreach((json_t *)a, k, x) {
			char bb[256];

			if (json_equal(x, json_object_get(b, k)))
				continue;
			value_text(json_object_get(b, k), bb, sizeof(bb));
			value_text(x, buf, sizeof(buf));
			printf("      %s: %s -> %s\n", k, bb, buf);
		}
		json_object_foreach((json_t *)b, k, x)
			if (!json_object_get(a, k)) {
				value_text(x, buf, sizeof(buf));
				printf("      %s: %s -> (removed)\n", k, buf);
			}
	}
	printf("notices (C-24):\n");
	json_array_foreach(json_object_get(res, "notices"), i, ev) {
		when(json_integer_value(json_object_get(ev, "created")), t, sizeof(t));
		printf("  %s  %-9s %-8s%s%s\n", t, s_of(ev, "kind"), s_of(ev, "status"),
		       json_is_string(json_object_get(ev, "error")) ? "  " : "",
		       json_is_string(json_object_get(ev, "error")) ? s_of(ev, "error") : "");
	}
	/* LANREQ-33: lines from gatewayd, printed as they are. */
	if (json_is_string(json_object_get(res, "peers")))
		printf("%s", s_of(res, "peers"));
}

static void print_notices(const json_t *rows)
{
	char t[32];
	size_t i;
	json_t *r;

	if (!json_array_size(rows)) {
		printf("no notices\n");
		return;
	}
	printf("%-5s %-7s %-9s %-8s %-20s %s\n", "ID", "DEVICE", "KIND", "STATUS", "CREATED",
	       "ERROR");
	json_array_foreach(rows, i, r) {
		when(json_integer_value(json_object_get(r, "created")), t, sizeof(t));
		const char *out = json_string_value(json_object_get(r, "output"));

		printf("%-5lld %-7lld %-9s %-8s %-20s %s", (long long)json_integer_value(json_object_get(r, "id")),
		       (long long)json_integer_value(json_object_get(r, "device")), s_of(r, "kind"),
		       s_of(r, "status"), t, s_of(r, "error"));
		/* What the command printed, on one line (C-24: the reason a relay gave). */
		if (out) {
			fputs(": ", stdout);
			for (; *out; out++)
				putchar(*out == '\n' || *out == '\r' || *out == '\t' ? ' ' : *out);
		}
		putchar('\n');
	}
}

static const char *row_ip(const json_t *r)
{
	const char *ip = s_of(r, "device.ip");

	return strcmp(ip, "-") ? ip : s_of(r, "lease_ip");
}

/* A CSV field: quoted when it holds a comma, a quote or a blank. */
static void csv_field(const char *v, bool last)
{
	if (!strcmp(v, "-"))
		v = "";
	if (strpbrk(v, ",\" \t")) {
		putchar('"');
		for (; *v; v++) {
			if (*v == '"')
				putchar('"');
			putchar(*v);
		}
		putchar('"');
	} else {
		fputs(v, stdout);
	}
	putchar(last ? '\n' : ',');
}

/*
 * LANREQ-26..28, WLAN-8: an export in another format: csv (fixed columns
 * per list), zone (DNS A records of devices registered in DNS), dnsmasq
 * (DHCP reservations: the registered address for the registered MAC).
 */
/*
 * LANREQ-23, C-2: Kea DHCPv4 host reservations of the approved and changed
 * registrations (not quarantined ones): hw-address and hostname, and the
 * address of a static device. With --zone, the zone's "reservations" array;
 * without, a "subnet4" array with one subnet per zone network. Kea serves
 * only them when the subnet's pool carries "client-class": "KNOWN".
 */
static int print_kea(const json_t *rows, const char *zone)
{
	json_t *subnets = json_array(), *by = json_object(), *r, *out;
	char *t;
	size_t i;

	if (!subnets || !by)
		return EXIT_REFUSED;
	json_array_foreach(rows, i, r) {
		const char *sn = json_string_value(json_object_get(r, "subnet"));
		json_t *res = json_pack("{s:O}", "hw-address", json_object_get(r, "device.mac")), *s;

		if (!res || !sn)
			continue;
		if (!strcmp(s_of(r, "device.addr_mode"), "static") && json_object_get(r, "device.ip"))
			json_object_set(res, "ip-address", json_object_get(r, "device.ip"));
		if (json_object_get(r, "device.hostname"))
			json_object_set(res, "hostname", json_object_get(r, "device.hostname"));
		s = json_object_get(by, sn);
		if (!s) {
			s = json_pack("{s:s, s:[]}", "subnet", sn, "reservations");
			json_object_set(by, sn, s);
			json_array_append_new(subnets, s);
		}
		json_array_append_new(json_object_get(s, "reservations"), res);
	}
	if (zone) {
		out = json_array();
		json_array_foreach(subnets, i, r)
			json_array_extend(out, json_object_get(r, "reservations"));
	} else {
		out = json_incref(subnets);
	}
	t = json_dumps(out, JSON_INDENT(2));
	printf("%s\n", t ? t : "[]");
	free(t);
	json_decref(out);
	json_decref(subnets);
	json_decref(by);
	return EXIT_OK;
}

static int print_export(const json_t *rows, const char *list, const char *format,
			const char *zone)
{
	static const char *const ip_cols[] = { "ip", "device.hostname", "device.class",
					       "device.server_approval", "zone", "device.mac",
					       "id" };
	static const char *const dns_cols[] = { "device.hostname", "ip", "device.dns",
						"device.directory", "id" };
	static const char *const port_cols[] = { "device.connection_point", "zone",
						 "usage.location", "device.hostname", "device.mac",
						 "id" };
	static const char *const mac_cols[] = { "device.mac", "user.id", "zone", "device.hostname",
						"id" };
	static const char *const dhcp_cols[] = { "device.mac", "device.ip", "device.hostname",
						 "device.addr_mode", "zone", "subnet", "id" };
	const char *const *cols = ip_cols;
	size_t n = 7, i, k;
	json_t *r;

	if (!strcmp(list, "dns"))
		cols = dns_cols, n = 5;
	else if (!strcmp(list, "ports"))
		cols = port_cols, n = 6;
	else if (!strcmp(list, "macs"))
		cols = mac_cols, n = 5;
	else if (!strcmp(list, "dhcp"))
		cols = dhcp_cols, n = 7;
	if (!strcmp(format, "csv")) {
		for (k = 0; k < n; k++)
			csv_field(!strcmp(cols[k], "id") ? "registration" : cols[k], k + 1 == n);
		json_array_foreach(rows, i, r)
			for (k = 0; k < n; k++) {
				char buf[64];

				if (!strcmp(cols[k], "id"))
					snprintf(buf, sizeof(buf), "%lld",
						 (long long)json_integer_value(json_object_get(r, "id")));
				csv_field(!strcmp(cols[k], "id") ? buf
					  : !strcmp(cols[k], "ip") ? row_ip(r)
								   : s_of(r, cols[k]),
					  k + 1 == n);
			}
		return EXIT_OK;
	}
	if (!strcmp(format, "zone") && !strcmp(list, "dns")) {
		printf("; hostname/DNS registration list (LANREQ-27), from the gatewayd registry\n");
		json_array_foreach(rows, i, r)
			if (json_is_true(json_object_get(r, "device.dns")) &&
			    strcmp(row_ip(r), "-") && strcmp(s_of(r, "device.hostname"), "-"))
				printf("%-24s IN A %s\n", s_of(r, "device.hostname"), row_ip(r));
		return EXIT_OK;
	}
	if (!strcmp(format, "dnsmasq") && !strcmp(list, "ip")) {
		json_array_foreach(rows, i, r)
			if (strcmp(s_of(r, "device.ip"), "-"))
				printf("dhcp-host=%s,%s,%s\n", s_of(r, "device.mac"),
				       s_of(r, "device.ip"), s_of(r, "device.hostname"));
		return EXIT_OK;
	}
	if (!strcmp(format, "kea") && !strcmp(list, "dhcp"))
		return print_kea(rows, zone);
	die_msg("device export: format '%s' does not apply to list '%s' (csv: every list; zone: "
		"dns; dnsmasq: ip; kea: dhcp)",
		format, list);
	return EXIT_USAGE;
}

/* Rows of one shape: one column per key of the first row. */
static void print_rows(const json_t *rows)
{
	const char *key;
	json_t *r, *v;
	char buf[512];
	size_t i;

	if (!json_array_size(rows)) {
		printf("nothing to list\n");
		return;
	}
	json_array_foreach(rows, i, r) {
		bool first = true;

		json_object_foreach(r, key, v) {
			value_text(v, buf, sizeof(buf));
			if ((!strcmp(key, "last_seen") || !strcmp(key, "first_seen") ||
			     !strcmp(key, "at") || !strcmp(key, "released_at")) &&
			    json_is_integer(v))
				when(json_integer_value(v), buf, sizeof(buf));
			printf("%s%s=%s", first ? "" : "  ", key, buf);
			first = false;
		}
		printf("\n");
	}
}

/* LANREQ-31: each department's last check and when the next is due. */
static void print_checks(const json_t *rows, bool done)
{
	char last[32], due[32];
	size_t i;
	json_t *r;

	if (!json_array_size(rows)) {
		printf("no department has an approved registration\n");
		return;
	}
	if (done)
		printf("department check recorded (LANREQ-31)\n");
	printf("%-20s %-5s %-20s %-24s %-20s %s\n", "DEPARTMENT", "REGS", "LAST CHECK", "BY",
	       "NEXT DUE", "STATUS");
	json_array_foreach(rows, i, r) {
		when(json_integer_value(json_object_get(r, "last_check")), last, sizeof(last));
		when(json_integer_value(json_object_get(r, "due")), due, sizeof(due));
		printf("%-20s %-5lld %-20s %-24s %-20s %s\n", s_of(r, "department"),
		       (long long)json_integer_value(json_object_get(r, "registrations")), last,
		       s_of(r, "last_check_by"), due,
		       json_is_true(json_object_get(r, "overdue"))
			       ? json_is_true(json_object_get(r, "notified")) ? "OVERDUE (notified)"
									      : "OVERDUE"
			       : "ok");
	}
}

/* ADM-1, ADM-5..7: the management IDs now, their changes, person statuses. */
static void print_people(const json_t *res)
{
	char roles[256], t[32];
	size_t i;
	json_t *e;

	printf("management IDs (ADM-1):\n  %-12s %-30s %-24s %s\n", "USER", "PERSON", "ROLES",
	       "APPOINTMENT APPROVED BY");
	json_array_foreach(json_object_get(res, "current"), i, e) {
		value_text(json_object_get(e, "roles"), roles, sizeof(roles));
		printf("  %-12s %-30s %-24s %s%s%s\n", s_of(e, "user"), s_of(e, "name"), roles,
		       s_of(e, "approved_by"),
		       /* C-1, LANREQ-48: the department a head or officer answers for. */
		       json_object_get(e, "department") ? "  department: " : "",
		       json_object_get(e, "department") ? s_of(e, "department") : "");
	}
	printf("changes of the config's people (ADM-5, ADM-6):\n");
	json_array_foreach(json_object_get(res, "changes"), i, e) {
		when(json_integer_value(json_object_get(e, "at")), t, sizeof(t));
		printf("  %s  by %s: %s\n", t, s_of(e, "actor"), s_of(e, "reason"));
	}
	printf("person statuses (C-15):\n");
	json_array_foreach(json_object_get(res, "statuses"), i, e) {
		when(json_integer_value(json_object_get(e, "since")), t, sizeof(t));
		printf("  %-30s %-15s since %s, recorded by %s\n", s_of(e, "name"), s_of(e, "status"),
		       t, s_of(e, "recorded_by"));
	}
}

/* C-15: the person statuses now, or every one recorded (--history). */
static void print_persons(const json_t *rows, bool history)
{
	char t[32], e[256], f[256];
	size_t i;
	json_t *r;

	if (!json_array_size(rows)) {
		printf("no person status is recorded\n");
		return;
	}
	printf("%-30s %-15s %-20s %s\n", "PERSON", "STATUS", history ? "RECORDED" : "SINCE",
	       "RECORDED BY");
	json_array_foreach(rows, i, r) {
		when(json_integer_value(json_object_get(r, "since")), t, sizeof(t));
		printf("%-30s %-15s %-20s %s", s_of(r, "name"), s_of(r, "status"), t,
		       s_of(r, "recorded_by"));
		if (history && (json_object_get(r, "ended") || json_object_get(r, "flagged"))) {
			value_text(json_object_get(r, "ended"), e, sizeof(e));
			value_text(json_object_get(r, "flagged"), f, sizeof(f));
			printf("  (registrations ended: %s; flagged: %s)", *e ? e : "none",
			       *f ? f : "none");
		}
		putchar('\n');
	}
}

/* ADM-7: the report of management IDs, or the inventory just recorded, or all of them. */
static void print_inventory(const json_t *res, bool done, bool history)
{
	const json_t *last = json_object_get(res, "last"), *e, *x;
	char t[32], roles[256];
	size_t i, k;

	if (history) {
		if (!json_array_size(res)) {
			printf("no inventory is recorded\n");
			return;
		}
		printf("%-4s %-20s %-30s %-4s %-12s %s\n", "ID", "AT", "BY", "IDS", "REPORT",
		       "NOTE");
		json_array_foreach(res, i, e) {
			when(json_integer_value(json_object_get(e, "at")), t, sizeof(t));
			printf("%-4lld %-20s %-30s %-4lld %-12.12s %s\n",
			       (long long)json_integer_value(json_object_get(e, "id")), t,
			       s_of(e, "done_by"), (long long)json_integer_value(json_object_get(e, "ids")),
			       s_of(e, "report_sha256"), s_of(e, "note"));
		}
		return;
	}
	if (done) {
		when(json_integer_value(json_object_get(res, "due")), t, sizeof(t));
		printf("inventory %lld recorded by %s: %lld management IDs, report %s; next due %s "
		       "(ADM-7)\n",
		       (long long)json_integer_value(json_object_get(res, "id")), s_of(res, "done_by"),
		       (long long)json_integer_value(json_object_get(res, "ids")),
		       s_of(res, "report_sha256"), t);
		return;
	}
	printf("inventory of management IDs (ADM-7)\nreport sha256: %s\n", s_of(res, "report_sha256"));
	if (json_is_object(last)) {
		when(json_integer_value(json_object_get(last, "at")), t, sizeof(t));
		printf("last inventory: %s by %s (report %.12s): %s\n", t, s_of(last, "done_by"),
		       s_of(last, "report_sha256"), s_of(last, "note"));
	} else {
		printf("last inventory: none recorded\n");
	}
	when(json_integer_value(json_object_get(res, "due")), t, sizeof(t));
	printf("next due: %s%s\n", t,
	       !json_is_true(json_object_get(res, "overdue"))	 ? ""
	       : json_is_true(json_object_get(res, "notified")) ? "  OVERDUE (notified)"
								 : "  OVERDUE");
	if (json_object_get(json_object_get(res, "report"), "second_approval"))
		printf("second approval (C-1): role %s\n",
		       s_of(json_object_get(res, "report"), "second_approval"));
	printf("%-12s %-30s %-28s %-20s %s\n", "USER", "PERSON", "ROLES", "SINCE",
	       "APPOINTMENT APPROVED BY");
	json_array_foreach(json_object_get(json_object_get(res, "report"), "ids"), i, e) {
		value_text(json_object_get(e, "roles"), roles, sizeof(roles));
		when(json_integer_value(json_object_get(e, "since")), t, sizeof(t));
		printf("%-12s %-30s %-28s %-20s %s\n", s_of(e, "user"), s_of(e, "person"), roles, t,
		       s_of(e, "approved_by"));
		if (json_object_get(e, "department"))
			printf("  department: %s\n", s_of(e, "department"));
		printf("  rights:");
		json_array_foreach(json_object_get(e, "rights"), k, x)
			printf("%s %s", k ? "," : "", json_string_value(x));
		putchar('\n');
		json_array_foreach(json_object_get(e, "findings"), k, x)
			printf("  FINDING: %s\n", json_string_value(x));
	}
}

static void print_done(enum lr_op op, const json_t *res)
{
	const json_t *doc = json_object_get(res, "registration");
	long long id = (long long)json_integer_value(json_object_get(doc, "id"));

	/* INC-1: a host without a registration, quarantined or released by its address. */
	if (json_object_get(res, "quarantine")) {
		const json_t *q = json_object_get(res, "quarantine");

		printf("%s %s (no registration): %s\n",
		       strcmp(s_of(q, "kind"), "mac") ? "address" : "MAC", s_of(q, "value"),
		       s_of(q, "state"));
		doc = NULL;
		op = LRO__COUNT;
	}
	switch (op) {
	case LRO__COUNT:
		break;
	case LRO_REQUEST:
		printf("registration %lld filed (state requested)%s\n", id,
		       json_object_get(doc, "endorsed_by") ? ", endorsed" : "");
		if (!json_object_get(doc, "endorsed_by"))
			printf("next: the department head endorses it ('netctl device endorse %lld'), "
			       "then a network administrator approves or refuses it\n",
			       id);
		break;
	case LRO_CHANGE:
		if (json_object_get(doc, "pending_change")) {
			const json_t *pc = json_object_get(doc, "pending_change");

			printf("registration %lld: change request filed (LANREQ-36)%s%s; the "
			       "registration stays %s until the change is approved\n",
			       id, json_object_get(pc, "endorsed_by") ? ", endorsed" : "",
			       json_object_get(pc, "approved_by") ? ", approved by a netadmin, awaiting "
								    "the second approval (C-1)"
								  : "",
			       s_of(doc, "state"));
			if (!json_object_get(pc, "endorsed_by") && !json_object_get(pc, "approved_by"))
				printf("next: the department head endorses it ('netctl device endorse "
				       "%lld'), then a network administrator approves or refuses it\n",
				       id);
		} else {
			printf("registration %lld: changed; change notice queued\n", id);
		}
		break;
	case LRO_APPROVE:
		/* gatewayd names the step it recorded (C-1, LANREQ-36). */
		if (!strcmp(s_of(res, "action"), "approve change (first of two)")) {
			printf("registration %lld: change approved by %s; it takes effect at the second "
			       "approval (C-1)\n",
			       id, s_of(json_object_get(doc, "pending_change"), "approved_by"));
			break;
		}
		if (!strcmp(s_of(res, "action"), "approve (first of two)")) {
			printf("registration %lld approved by %s: %s %s %s; not admitted until the "
			       "second approval (C-1)\n",
			       id, s_of(doc, "approved_by"), s_of(doc, "device.hostname"),
			       s_of(doc, "device.mac"), s_of(doc, "device.ip"));
			break;
		}
		if (!strcmp(s_of(res, "action"), "approve change")) {
			printf("registration %lld: change approved, now in effect; check due %s "
			       "(LANREQ-30, LANREQ-36); change notice queued\n",
			       id, s_of(doc, "check_due"));
			break;
		}
		printf("registration %lld approved: %s %s %s, connection point %s; check due %s "
		       "(LANREQ-30); approval notice queued\n",
		       id, s_of(doc, "device.hostname"), s_of(doc, "device.mac"),
		       strcmp(s_of(doc, "device.ip"), "-") ? s_of(doc, "device.ip")
							   : "(address from its DHCP lease)",
		       s_of(doc, "device.connection_point"), s_of(doc, "check_due"));
		break;
	case LRO_ENDORSE:
		if (json_object_get(doc, "pending_change")) {
			printf("the change of registration %lld endorsed by %s (C-1); a network "
			       "administrator approves or refuses it next\n",
			       id, s_of(json_object_get(doc, "pending_change"), "endorsed_by"));
			break;
		}
		printf("registration %lld endorsed by %s (C-1); a network administrator approves or "
		       "refuses it next\n",
		       id, s_of(doc, "endorsed_by"));
		break;
	case LRO_RESEND: {
		const json_t *n = json_object_get(res, "notice");

		printf("notice %lld (%s, registration %lld) queued again; 'netctl device notices' "
		       "shows its result\n",
		       (long long)json_integer_value(json_object_get(n, "id")), s_of(n, "kind"),
		       (long long)json_integer_value(json_object_get(n, "device")));
		return;
	}
	case LRO_PERSON: {
		char e[512], f[512];

		value_text(json_object_get(res, "ended"), e, sizeof(e));
		value_text(json_object_get(res, "flagged"), f, sizeof(f));
		printf("%s is %s: registrations ended: %s; flagged for a change request: %s\n",
		       s_of(res, "name"), s_of(res, "status"), *e ? e : "none", *f ? f : "none");
		return;
	}
	default:
		printf("registration %lld: %s\n", id, s_of(doc, "state"));
		break;
	}
	if (json_is_false(json_object_get(res, "kernel_synced")))
		printf("warning: stored, but the kernel's sets are not updated yet: %s (gatewayd "
		       "retries)\n",
		       s_of(res, "kernel_error"));
}

static void print_fields(void)
{
	size_t i;

	printf("%-26s %-7s %-9s %s\n", "FIELD", "TYPE", "REQUIRED", "REQUIREMENTS");
	for (i = 0; i < lr_n_fields; i++) {
		const struct lr_field *f = &lr_fields[i];
		static const char *const types[] = { "text", "yes/no", "date", "MAC",
						     "IPv4", "choice", "list" };

		printf("%-26s %-7s %-9s %s%s%s\n", f->key, types[f->type],
		       (f->flags & LRF_REQUEST)    ? "request"
		       : (f->flags & LRF_APPROVAL) ? "approval"
						   : "-",
		       f->reqs, f->choices ? "  " : "", f->choices ? f->choices : "");
	}
}

int cmd_device(int argc, char **argv)
{
	const char *sock = getenv("GATEWAYD_SOCKET") ? getenv("GATEWAYD_SOCKET")
						      : NETCTL_DEFAULT_SOCKET;
	json_t *args, *req, *resp, *res;
	bool json = false, unknown = false, done = false, history = false;
	const char *format = NULL;
	char list[16] = "ip", zone_buf[128] = "";
	enum lr_op op;
	int i, r;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(argc < 2 ? stderr : stdout, "%s", usage_text);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "fields")) {
		print_fields();
		return EXIT_OK;
	}
	/* LANREQ-46: 'unknown' is 'seen' without the devices the register admits (or knows). */
	unknown = !strcmp(argv[1], "unknown");
	if (unknown)
		op = LRO_SEEN;
	else if (lr_op_parse(argv[1], &op)) {
		die_msg("device: unknown operation '%s' (see 'netctl device --help')", argv[1]);
		return EXIT_USAGE;
	}
	args = json_pack("{s:s}", "op", lr_op_name(op));
	if (!args)
		return EXIT_REFUSED;
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		char key[128];

		if (!strcmp(a, "--json")) {
			json = true;
		} else if (op == LRO_QUARANTINED && !strcmp(a, "--all")) {
			json_object_set_new(args, "all", json_true());
		} else if ((op == LRO_INVENTORY || op == LRO_PERSONS) && !strcmp(a, "--history")) {
			json_object_set_new(args, "history", json_true());
		} else if ((op == LRO_CHECK || op == LRO_INVENTORY) && !strcmp(a, "--done")) {
			json_object_set_new(args, "done", json_true());
		} else if (op == LRO_CHECK && a[0] != '-' &&
			   !json_object_get(args, "department")) {
			json_object_set_new(args, "department", json_string(a));
		} else if (op == LRO_NOTICES && !strcmp(a, "--failed")) {
			json_object_set_new(args, "status", json_string("failed"));
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			printf("%s", usage_text);
			json_decref(args);
			return EXIT_OK;
		} else if (!strcmp(a, "-S") || !strcmp(a, "--socket")) {
			if (++i >= argc)
				goto missing;
			sock = argv[i];
		} else if (!strcmp(a, "--format")) {
			if (++i >= argc)
				goto missing;
			format = argv[i];
		} else if (!strcmp(a, "--file")) {
			if (++i >= argc)
				goto missing;
			if (read_file(argv[i], args)) {
				json_decref(args);
				return EXIT_USAGE;
			}
		} else if (!strncmp(a, "--", 2) && a[2]) {
			const char *eq = strchr(a, '='), *v;

			if (eq) {
				char k[128];

				snprintf(k, sizeof(k), "%.*s", (int)(eq - a - 2), a + 2);
				key_of(k, key, sizeof(key));
				v = eq + 1;
			} else {
				key_of(a + 2, key, sizeof(key));
				if (++i >= argc)
					goto missing;
				v = argv[i];
			}
			/* LANREQ-36: --unset FIELD, repeated or "a,b", removes optional fields. */
			if (op == LRO_CHANGE && !strcmp(key, "unset")) {
				const char *old = json_string_value(json_object_get(args, "change.unset"));
				char *both = NULL;

				if (old && asprintf(&both, "%s,%s", old, v) < 0)
					both = NULL;
				json_object_set_new(args, "change.unset", json_string(both ? both : v));
				free(both);
				continue;
			}
			/* A later option wins, so a request file's value can be overridden. */
			if (!strcmp(key, "op") || !strcmp(key, "id")) {
				die_msg("device: --%s is reserved; name the registration as TARGET", key);
				json_decref(args);
				return EXIT_USAGE;
			}
			json_object_set_new(args, key, json_string(v));
		} else if (has_target(op) && !json_object_get(args, "id") &&
			   !json_object_get(args, "mac") && !json_object_get(args, "ip")) {
			if (set_target(args, a)) {
				die_msg("device: '%s' is not a registration ID, MAC or IP address", a);
				json_decref(args);
				return EXIT_USAGE;
			}
		} else {
			die_msg("device: unexpected argument '%s'", a);
			json_decref(args);
			return EXIT_USAGE;
		}
	}
	if (has_target(op) && !json_object_get(args, "id") && !json_object_get(args, "mac") &&
	    !json_object_get(args, "ip")) {
		die_msg("device %s: name the registration (ID, MAC or IP)", argv[1]);
		json_decref(args);
		return EXIT_USAGE;
	}
	/* LANREQ-23: --format kea is the dhcp list's. */
	if (format && !strcmp(format, "kea") && !json_object_get(args, "list"))
		json_object_set_new(args, "list", json_string("dhcp"));
	if (json_object_get(args, "list"))
		snprintf(list, sizeof(list), "%s", json_string_value(json_object_get(args, "list")));
	if (json_object_get(args, "zone"))
		snprintf(zone_buf, sizeof(zone_buf), "%s", json_string_value(json_object_get(args, "zone")));
	if (format && (op != LRO_EXPORT || !strcmp(format, "json"))) {
		if (op != LRO_EXPORT) {
			die_msg("device: --format applies to export only");
			json_decref(args);
			return EXIT_USAGE;
		}
		json = true;
		format = NULL;
	}
	done = json_object_get(args, "done") != NULL;
	history = json_object_get(args, "history") != NULL;
	req = json_pack("{s:i, s:s, s:o}", "version", CTL_PROTO_VERSION, "verb", "device", "args",
			args);
	resp = req ? netctl_call(sock, req) : NULL;
	json_decref(req);
	if (!resp)
		return EXIT_REFUSED;
	if (!json_is_true(json_object_get(resp, "ok"))) {
		r = netctl_refusal(resp);
		json_decref(resp);
		return r;
	}
	res = json_object_get(resp, "result");
	if (unknown) {
		json_t *keep = json_array(), *row;
		size_t k;

		json_array_foreach(res, k, row) {
			const char *v = s_of(row, "verdict");

			/* LANREQ-47: nor the equipment of registry.known_equipment. */
			if (strcmp(v, "registered") && strcmp(v, "quarantined") &&
			    strcmp(v, "known equipment"))
				json_array_append(keep, row);
		}
		json_object_set_new(resp, "result", keep);
		res = keep;
	}
	if (format) {
		r = print_export(res, list, format, zone_buf[0] ? zone_buf : NULL);
		json_decref(resp);
		return r;
	}
	if (json) {
		char *t = json_dumps(res, JSON_INDENT(2) | JSON_SORT_KEYS);

		printf("%s\n", t ? t : "null");
		free(t);
	} else {
		switch (op) {
		case LRO_LIST:
			print_list(res);
			break;
		case LRO_SHOW:
			print_show(res);
			break;
		case LRO_NOTICES:
			print_notices(res);
			break;
		case LRO_PEOPLE:
			print_people(res);
			break;
		case LRO_CHECK:
			print_checks(res, done);
			break;
		case LRO_PERSONS:
			print_persons(res, history);
			break;
		case LRO_INVENTORY:
			print_inventory(res, done, history);
			break;
		case LRO_REPORT:
		case LRO_EXPORT:
		case LRO_SEEN:
		case LRO_QUARANTINED:
			print_rows(res);
			break;
		default:
			print_done(op, res);
			break;
		}
	}
	json_decref(resp);
	return EXIT_OK;
missing:
	die_msg("device: %s needs a value", argv[i - 1]);
	json_decref(args);
	return EXIT_USAGE;
}

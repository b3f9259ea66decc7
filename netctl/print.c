/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netctl's printer. Each object has one printer that fills a JSON value and
 * prints either that value (--json) or a table from it, so the two cannot
 * drift apart (iproute2's PRINT_ANY idea).
 */
#include "print.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

static const char *verdict_name(const struct rule *r)
{
	switch (r->verdict) {
	case VERDICT_ACCEPT:
		return "accept";
	case VERDICT_DROP:
		return "drop";
	case VERDICT_JUMP:
		return "jump";
	case VERDICT_VMAP:
		return "dispatch";
	case VERDICT_DNAT:
		return "dnat";
	case VERDICT_SNAT:
		return "snat";
	default:
		return "-";
	}
}

static json_t *rule_json(const struct chain *c, const struct rule *r)
{
	json_t *o = json_object();
	char *origin = NULL;

	if (!o)
		return NULL;
	if (r->origin.file && asprintf(&origin, "%s:%d", r->origin.file, r->origin.line) < 0)
		origin = NULL;
	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "chain", json_string(c->name));
	json_object_set_new(o, "from", r->from ? json_string(r->from) : json_null());
	json_object_set_new(o, "to", r->to ? json_string(r->to) : json_null());
	json_object_set_new(o, "services", r->services ? json_string(r->services) : json_null());
	json_object_set_new(o, "verdict", json_string(verdict_name(r)));
	json_object_set_new(o, "origin", origin ? json_string(origin) : json_string("built-in"));
	json_object_set_new(o, "exception", r->exception ? json_string(r->exception) : json_null());
	free(origin);
	return o;
}

static const char *str_or_dash(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

int print_rules(FILE *f, const struct ruleset *rs, bool json)
{
	json_t *arr = json_array();
	size_t i, k;
	int r = 0;

	if (!arr)
		return -ENOMEM;
	for (i = 0; i < rs->n_chains; i++)
		for (k = 0; k < rs->chains[i]->n_rules; k++) {
			const struct rule *ru = &rs->chains[i]->rules[k];
			json_t *o;

			if (ru->role == ROLE_LOG)
				continue;
			o = rule_json(rs->chains[i], ru);
			if (!o || json_array_append_new(arr, o)) {
				json_decref(arr);
				return -ENOMEM;
			}
		}
	if (json) {
		if (json_dumpf(arr, f, JSON_INDENT(2)) || fputc('\n', f) == EOF)
			r = -EIO;
	} else {
		fprintf(f, "%-44s %-14s %-14s %-24s %-8s %-28s %s\n", "ID", "FROM", "TO", "SERVICES",
			"VERDICT", "ORIGIN", "EXCEPTION");
		for (i = 0; i < json_array_size(arr); i++) {
			json_t *o = json_array_get(arr, i);

			fprintf(f, "%-44s %-14s %-14s %-24s %-8s %-28s %s\n", str_or_dash(o, "id"),
				str_or_dash(o, "from"), str_or_dash(o, "to"),
				str_or_dash(o, "services"), str_or_dash(o, "verdict"),
				str_or_dash(o, "origin"), str_or_dash(o, "exception"));
		}
	}
	json_decref(arr);
	if (fflush(f) || ferror(f))
		r = -EIO;
	return r;
}

static int dump_json(FILE *f, json_t *v)
{
	if (json_dumpf(v, f, JSON_INDENT(2)) || fputc('\n', f) == EOF || fflush(f))
		return -EIO;
	return 0;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static void print_drift(FILE *f, json_t *dr)
{
	json_int_t n = json_integer_value(json_object_get(dr, "differences"));
	json_t *e = json_object_get(dr, "entries");
	size_t i;

	if (!dr)
		return;
	if (json_is_true(json_object_get(dr, "equal"))) {
		fprintf(f, "kernel:   table matches the applied version (read back %s)\n",
			jstr(dr, "checked_at"));
		return;
	}
	if (n < 0) {
		fprintf(f, "kernel:   could not be read back: %s\n", jstr(dr, "error"));
		return;
	}
	fprintf(f, "kernel:   DRIFT: %lld differences from the applied version (read back %s);\n"
		   "          'netctl reload' restores the reviewed ruleset\n",
		(long long)n, jstr(dr, "checked_at"));
	for (i = 0; i < json_array_size(e); i++) {
		json_t *x = json_array_get(e, i);

		bool chain = json_is_string(json_object_get(x, "chain"));

		fprintf(f, "          %s %s '%s'%s%s: %s\n", jstr(x, "kind"), jstr(x, "object"),
			jstr(x, "name"), chain ? " in chain " : "", chain ? jstr(x, "chain") : "",
			jstr(x, "reason"));
	}
}

static void print_pairs(FILE *f, json_t *pairs)
{
	size_t i;

	if (!json_array_size(pairs))
		return;
	fprintf(f, "\n%-32s %-16s %-16s %12s %12s\n", "ZONE PAIR CHAIN", "FROM", "TO", "ACCEPTED",
		"DENIED");
	for (i = 0; i < json_array_size(pairs); i++) {
		json_t *x = json_array_get(pairs, i);

		fprintf(f, "%-32s %-16s %-16s %12lld %12lld\n", jstr(x, "chain"), jstr(x, "from"),
			jstr(x, "to"), (long long)json_integer_value(json_object_get(x, "accepted")),
			(long long)json_integer_value(json_object_get(x, "denied")));
	}
}

/* The LAN registry's line: registrations by state, admitted, notices, kernel sync. */
static void print_registry(FILE *f, json_t *reg)
{
	json_t *by = json_object_get(reg, "registrations"), *v;
	const char *key;
	bool first = true;

	if (!reg)
		return;
	fprintf(f, "registry: ");
	json_object_foreach(by, key, v) {
		fprintf(f, "%s%lld %s", first ? "" : ", ", (long long)json_integer_value(v), key);
		first = false;
	}
	fprintf(f, "%s; %lld admitted, %lld quarantined; notices %lld pending, %lld failed%s%s\n",
		first ? "no registrations" : "",
		(long long)json_integer_value(json_object_get(reg, "admitted")),
		(long long)json_integer_value(json_object_get(reg, "quarantined")),
		(long long)json_integer_value(json_object_get(reg, "notices_pending")),
		(long long)json_integer_value(json_object_get(reg, "notices_failed")),
		json_is_false(json_object_get(reg, "kernel_synced")) ? "; KERNEL NOT IN SYNC: " : "",
		json_is_false(json_object_get(reg, "kernel_synced")) ? jstr(reg, "kernel_error") : "");
}

/* LOG-9, LOG-24: where the firewall log goes and what the server has not got yet. */
static void print_forward(FILE *f, json_t *fw)
{
	if (!fw)
		return;
	fprintf(f, "forward:  %s %s%s, %lld bytes not yet acknowledged (cursor %s), %lld records "
		   "acknowledged%s%s, %lld failures%s%s\n",
		jstr(fw, "server"), json_is_true(json_object_get(fw, "tls")) ? "TLS " : "",
		jstr(fw, "state"), (long long)json_integer_value(json_object_get(fw, "backlog_bytes")),
		jstr(fw, "cursor"),
		(long long)json_integer_value(json_object_get(fw, "acked_records")),
		json_is_string(json_object_get(fw, "last_acked_at")) ? ", last at " : "",
		json_is_string(json_object_get(fw, "last_acked_at")) ? jstr(fw, "last_acked_at") : "",
		(long long)json_integer_value(json_object_get(fw, "failures")),
		json_is_string(json_object_get(fw, "last_error")) ? "; LAST ERROR: " : "",
		json_is_string(json_object_get(fw, "last_error")) ? jstr(fw, "last_error") : "");
}

/* The firewall log's line: records, last one, and the health check (LOG-24, C-10). */
static void print_logging(FILE *f, json_t *lg)
{
	json_t *h = json_object_get(lg, "health"), *al = json_object_get(h, "alarms");
	size_t i;

	if (!lg)
		return;
	fprintf(f, "log:      %lld records in %s, last at %s; %lld kernel drops, %lld write errors\n",
		(long long)json_integer_value(json_object_get(lg, "records")), jstr(lg, "dir"),
		jstr(lg, "last_record_at"),
		(long long)json_integer_value(json_object_get(lg, "kernel_drops")),
		(long long)json_integer_value(json_object_get(lg, "errors")));
	if (!h)
		return;
	fprintf(f, "          check %s at %s: %lld records lost, %lld denials suppressed by the "
		   "rate limit (C-10)\n",
		jstr(h, "state"), jstr(h, "checked_at"),
		(long long)json_integer_value(json_object_get(h, "lost")),
		(long long)json_integer_value(json_object_get(h, "suppressed")));
	for (i = 0; i < json_array_size(al); i++)
		fprintf(f, "          ALARM: %s (LOG-24)\n",
			json_string_value(json_array_get(al, i)));
	if (json_object_get(lg, "incidents")) {
		json_t *inc = json_object_get(lg, "incidents"), *last = json_object_get(inc, "last");

		fprintf(f, "          %lld incidents raised (LOG-21, INC-4)%s%s\n",
			(long long)json_integer_value(json_object_get(inc, "count")),
			json_array_size(last) ? "; last: " : "",
			json_array_size(last) ? json_string_value(json_array_get(last, 0)) : "");
	}
	if (!json_array_size(al) && json_object_get(h, "last_alarm"))
		fprintf(f, "          last alarm at %s: %s\n",
			jstr(json_object_get(h, "last_alarm"), "at"),
			jstr(json_object_get(h, "last_alarm"), "reason"));
}

/*
 * OPS-1, LOG-24: a monitor sees drift, a table it could not read, registry
 * decisions the kernel does not hold yet, a firewall log alarm, or a log
 * server that cannot be reached (LOG-9) as exit 1.
 */
static int status_code(json_t *r)
{
	json_t *lg = json_object_get(r, "logging"), *h = json_object_get(lg, "health"), *fw;
	const char *kind;

	/* The incidents' and summaries' forwarders count as the records' does. */
	json_object_foreach(json_object_get(lg, "forward_other"), kind, fw)
		if (json_is_false(json_object_get(fw, "ok")))
			return 1;
	return json_is_true(json_object_get(json_object_get(r, "drift"), "equal")) &&
			       !json_is_false(json_object_get(json_object_get(r, "registry"),
							      "kernel_synced")) &&
			       strcmp(jstr(h, "state"), "alarm") &&
			       !json_is_false(json_object_get(json_object_get(lg, "forward"), "ok"))
		       ? 0
		       : 1;
}

int print_status(FILE *f, json_t *r, bool json)
{
	json_t *v = json_object_get(r, "versions"), *a = json_object_get(r, "applied");

	if (json)
		return dump_json(f, r) ? -EIO : status_code(r);
	fprintf(f, "gatewayd %s   kernel %s   libnftnl %s   libmnl %s   nft %s\n",
		jstr(v, "gatewayd"), jstr(v, "kernel"), jstr(v, "libnftnl"), jstr(v, "libmnl"),
		jstr(v, "nft"));
	fprintf(f, "config:   %s\n", jstr(r, "config"));
	fprintf(f, "table:    %s, %lld rules\n", jstr(r, "table"),
		(long long)json_integer_value(json_object_get(r, "rules")));
	fprintf(f, "applied:  version %lld at %s by %s (%s)\n",
		(long long)json_integer_value(json_object_get(a, "version")), jstr(a, "applied_at"),
		jstr(a, "by"), jstr(a, "action"));
	fprintf(f, "digests:  config sha256 %s\n          ruleset sha256 %s\n",
		jstr(a, "config_sha256"), jstr(a, "ruleset_sha256"));
	fprintf(f, "started:  %s (up %llds)\n", jstr(r, "started_at"),
		(long long)json_integer_value(json_object_get(r, "uptime_seconds")));
	print_drift(f, json_object_get(r, "drift"));
	print_registry(f, json_object_get(r, "registry"));
	print_logging(f, json_object_get(r, "logging"));
	print_forward(f, json_object_get(json_object_get(r, "logging"), "forward"));
	print_pairs(f, json_object_get(r, "zone_pairs"));
	if (fflush(f))
		return -EIO;
	return status_code(r);
}

int print_history(FILE *f, json_t *r, bool json)
{
	size_t i;

	if (json)
		return dump_json(f, r);
	fprintf(f, "%-8s %-20s %-28s %-20s %-16s %s\n", "VERSION", "APPLIED", "BY", "ACTION",
		"CONFIG", "RULESET");
	for (i = 0; i < json_array_size(r); i++) {
		json_t *m = json_array_get(r, i);

		fprintf(f, "%-8lld %-20s %-28s %-20s %.16s %.16s\n",
			(long long)json_integer_value(json_object_get(m, "version")),
			jstr(m, "applied_at"), jstr(m, "by"), jstr(m, "action"),
			jstr(m, "config_sha256"), jstr(m, "ruleset_sha256"));
	}
	return fflush(f) ? -EIO : 0;
}

int print_applied(FILE *f, json_t *r, bool json)
{
	json_t *diags = json_object_get(r, "diagnostics");
	size_t i;

	if (json)
		return dump_json(f, r);
	fprintf(f, "applied version %lld (%s by %s): config sha256 %.16s, ruleset sha256 %.16s\n",
		(long long)json_integer_value(json_object_get(r, "version")), jstr(r, "action"),
		jstr(r, "by"), jstr(r, "config_sha256"), jstr(r, "ruleset_sha256"));
	for (i = 0; i < json_array_size(diags); i++)
		fprintf(f, "%s\n", json_string_value(json_array_get(diags, i)));
	return fflush(f) ? -EIO : 0;
}

static long long jint(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* LOG-26, INC-6: the summary of 'netctl log host' (the records are printed as read). */
int print_log_host(FILE *f, json_t *r, bool json)
{
	json_t *s = json_object_get(r, "summary"), *peers = json_object_get(s, "peers");
	json_t *per = json_object_get(r, "period");
	size_t i;

	if (json)
		return dump_json(f, r);
	fprintf(f, "\nhost %s, %s .. %s: %lld records (%lld permitted, %lld denied)\n",
		jstr(r, "host"), jstr(per, "since"),
		json_is_null(json_object_get(per, "until")) ? "now" : jstr(per, "until"),
		jint(s, "records"), jint(s, "permitted"), jint(s, "denied"));
	fprintf(f, "first seen %s, last seen %s\n", jstr(s, "first_seen"), jstr(s, "last_seen"));
	if (!json_array_size(peers))
		return fflush(f) ? -EIO : 0;
	fprintf(f, "\n%-39s %-8s %-8s %5s %8s %9s %8s %-20s %s\n", "PEER", "DIR", "PROTO", "PORT",
		"COUNT", "PERMITTED", "DENIED", "FIRST", "LAST");
	for (i = 0; i < json_array_size(peers); i++) {
		json_t *p = json_array_get(peers, i);
		char proto[16], port[8] = "-";

		if (json_is_integer(json_object_get(p, "port")))
			snprintf(port, sizeof(port), "%lld", jint(p, "port"));
		if (json_is_string(json_object_get(p, "protocol_name")))
			snprintf(proto, sizeof(proto), "%s", jstr(p, "protocol_name"));
		else
			snprintf(proto, sizeof(proto), "%lld", jint(p, "protocol"));
		fprintf(f, "%-39s %-8s %-8s %5s %8lld %9lld %8lld %-20s %s\n", jstr(p, "address"),
			!strcmp(jstr(p, "direction"), "outbound") ? "out" : "in", proto, port,
			jint(p, "count"), jint(p, "permitted"), jint(p, "denied"),
			jstr(p, "first_seen"), jstr(p, "last_seen"));
	}
	if (jint(s, "other_peer_records"))
		fprintf(f, "(%lld more records with further peers, beyond the %zu listed)\n",
			jint(s, "other_peer_records"), json_array_size(peers));
	return fflush(f) ? -EIO : 0;
}

static void print_finding(FILE *f, json_t *k)
{
	json_t *srcs = json_object_get(k, "sources"), *others = json_object_get(k, "others");
	size_t i, j;

	fprintf(f, "\n[%s] %s: %s\n", jstr(k, "requirements"), jstr(k, "kind"),
		!json_array_size(srcs)				  ? "none found"
		: json_is_true(json_object_get(k, "incident")) ? "INCIDENT SIGN (LOG-21)"
								  : "found");
	fprintf(f, "  %s\n", jstr(k, "description"));
	for (i = 0; i < json_array_size(srcs); i++) {
		json_t *s = json_array_get(srcs, i), *rules = json_object_get(s, "rules");

		fprintf(f, "  %s%s%s: %lld records, %s .. %s", jstr(s, "address"),
			json_object_get(s, "host") ? " " : "",
			json_object_get(s, "host") ? jstr(s, "host") : "", jint(s, "count"),
			jstr(s, "first_seen"), jstr(s, "last_seen"));
		if (json_object_get(s, "bursts"))
			fprintf(f, ", %lld bursts (largest: %lld denials", jint(s, "bursts"),
				jint(s, "max_denied_in_burst"));
		if (json_object_get(s, "max_ports_in_burst"))
			fprintf(f, ", %lld ports, %lld hosts", jint(s, "max_ports_in_burst"),
				jint(s, "max_hosts_in_burst"));
		if (json_object_get(s, "bursts"))
			fprintf(f, ")");
		if (json_object_get(s, "days_over_threshold"))
			fprintf(f, ", %lld days over the threshold (busiest: %lld connections)",
				jint(s, "days_over_threshold"), jint(s, "busiest_day_connections"));
		fprintf(f, "\n    rules:");
		for (j = 0; j < json_array_size(rules); j++)
			fprintf(f, " %s", json_string_value(json_array_get(rules, j)));
		fprintf(f, "\n");
	}
	if (jint(others, "sources"))
		fprintf(f, "  and %lld more sources with %lld records\n", jint(others, "sources"),
			jint(others, "records"));
}

/* LOG-13: the periodic analysis, as an auditor files it. */
int print_log_report(FILE *f, json_t *r, bool json)
{
	json_t *per = json_object_get(r, "period"), *rec = json_object_get(r, "records");
	json_t *th = json_object_get(r, "thresholds"), *v;
	size_t i;

	if (json)
		return dump_json(f, r);
	fprintf(f, "Firewall log analysis (%s)\n", jstr(r, "requirement"));
	fprintf(f, "period:      %s .. %s\n", jstr(per, "since"),
		json_is_null(json_object_get(per, "until")) ? "now" : jstr(per, "until"));
	fprintf(f, "log:         %s, %lld day files\n", jstr(r, "dir"), jint(r, "day_files"));
	fprintf(f, "records:     %lld (%lld permitted, %lld denied), first %s, last %s\n",
		jint(rec, "total"), jint(rec, "permitted"), jint(rec, "denied"), jstr(rec, "first"),
		jstr(rec, "last"));
	fprintf(f, "not analysed: %lld lines that are not records; %lld records of sources "
		   "beyond log.report.sources; %lld records out of time order (analysed);\n"
		   "             %lld denials to multicast or link-local destinations (segment "
		   "chatter)\n",
		jint(rec, "not_records"), jint(rec, "untracked_sources_records"),
		jint(rec, "out_of_order"), jint(rec, "local_chatter"));
	fprintf(f, "thresholds:  %s: window %llds, denied %lld, scan_ports %lld, scan_hosts %lld,\n"
		   "             db_connections %lld a day, sources %lld, top %lld, db_hosts:",
		jstr(th, "origin"), jint(th, "window_seconds"), jint(th, "denied"),
		jint(th, "scan_ports"), jint(th, "scan_hosts"), jint(th, "db_connections_per_day"),
		jint(th, "sources"), jint(th, "top"));
	v = json_object_get(th, "db_hosts");
	for (i = 0; i < json_array_size(v); i++)
		fprintf(f, " %s", json_string_value(json_array_get(v, i)));
	fprintf(f, "%s\n", json_array_size(v) ? "" : " (none)");
	v = json_object_get(r, "findings");
	for (i = 0; i < json_array_size(v); i++)
		print_finding(f, json_array_get(v, i));
	fprintf(f, "\nNot observable in the firewall records:\n");
	v = json_object_get(r, "not_observable");
	for (i = 0; i < json_array_size(v); i++) {
		json_t *g = json_array_get(v, i);

		fprintf(f, "  [%s] %s: %s\n", jstr(g, "requirement"), jstr(g, "event"),
			jstr(g, "reason"));
	}
	return fflush(f) ? -EIO : 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatewayd: loads the config, compiles it, applies the ruleset to the kernel
 * in one netlink transaction, and keeps it there: SIGHUP and 'netctl reload'
 * load again (a config that does not validate is refused and the running
 * ruleset stays), 'netctl rollback' re-applies an earlier version, and every
 * applied version is recorded with its digests (CHG-10, CHG-11, CHG-13).
 * SIGTERM leaves the ruleset in place (fail closed) unless on_stop = "remove".
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "carry.h"
#include "compile.h"
#include "confread.h"
#include "ctevents.h"
#include "ctl.h"
#include "ctlproto.h"
#include "duration.h"
#include "forward.h"
#include "history.h"
#include "lan.h"
#include "log.h"
#include "logfile.h"
#include "incident.h"
#include "loghealth.h"
#include "logrec.h"
#include "natjoin.h"
#include "nflogread.h"
#include "observe.h"
#include "readback.h"
#include "render.h"
#include "util.h"

#define DEFAULT_CONF "/etc/gatewayd/gatewayd.conf"
#define DEFAULT_SOCKET "/run/gatewayd/control"
#define DEFAULT_STATE_DIR "/var/lib/gatewayd"
/* The day files forwarded: the records, the incidents (LOG-21), the C-10 summaries. */
#define FW_KINDS 3
static const char *const fw_kinds[FW_KINDS] = { "fw", "incident", "summary" };
/* poll(): 9 fixed descriptors, then the forwarders', then observers' and notices'. */
#define POLL_FIXED (9 + FW_KINDS)
/*
 * NAT-5: how long a record of translated traffic waits for its conntrack
 * event, and how many may wait (lib/natjoin.h). The event follows the
 * packet's NFLOG message within microseconds; 250 ms covers a busy loop.
 */
#define NAT_HOLD_US 250000
#define NAT_HOLD_MAX 4096
/* Events come at once, NFLOG records up to the kernel's flush timeout (1 s) later. */
#define NAT_EARLY_US 2000000

struct gwd {
	const char *conf;
	const char *socket_arg;    /* -S overrides the config */
	const char *state_arg;     /* --state-dir overrides the config */
	char *socket;              /* in use */
	char *state_dir;
	bool foreground;
	struct policy *p;          /* current: what runs */
	struct ruleset *rs;
	struct conf_bundle *bundle; /* the config it was compiled from */
	int tfd;                   /* timerfd: next exception start or expiry (C-22) */
	int dfd;                   /* timerfd: periodic drift check */
	int64_t drift_at;          /* last drift check; 0: none yet */
	long drift_n;              /* its differences; -1: the check failed */
	struct version_meta cur;
	int64_t started;
	char nft_version[64];      /* the nft command's, for CHG-3; gatewayd does not use it */
	/* Firewall log (LOG-1..11): NFLOG records -> JSON lines in day files. */
	const char *log_dir_arg;   /* --log-dir overrides the config */
	char *log_dir;
	struct nflogread *nfl;
	struct ctevents *cte;      /* conntrack NEW events: the translations (NAT-5) */
	struct natjoin *nj;        /* records held for them */
	struct logfile *lf;
	int rfd;                   /* timerfd: log retention (C-8), hourly */
	/* To the log server (LOG-9), one per kind of day file; NULL: not configured. */
	struct forward *fw[FW_KINDS];
	struct rule_zone {         /* rule id -> zone pair, for the records */
		const char *id, *from, *to;
		bool nat;          /* its zone pair's traffic is translated (NAT-5) */
	} *rz;
	size_t n_rz;
	uint64_t log_records, log_errors;
	int64_t log_last_us;
	bool ntp_synced;
	struct loghealth *lh;      /* LOG-24 check and C-10 summaries */
	struct logfile *sf;        /* the summary records' day files */
	struct incidents *inc;     /* incidents raised at once (LOG-21, INC-4) */
	int hfd;                   /* timerfd: the log health check */
	unsigned log_check;        /* its interval, seconds (--log-check) */
	/* The LAN registry (§3.5): its verbs, sets, clock and notices. */
	struct lan *lan;
	int lfd_reg;               /* timerfd: the registry's next event (CLOCK_REALTIME) */
	struct observer *obs;      /* ARP/DHCP on the registered zones (LANREQ-23, -46, -47) */
	char obs_ifaces[1024];     /* the interfaces it watches, "a b c" */
	uint8_t own_macs[OBSERVE_IFACES_MAX][6]; /* the gateway's own, not sightings */
	size_t n_own_macs;
	struct {
		uint32_t index;
		char name[IF_NAMESIZE];
	} ifcache[64];
};

/* The wall clock, precisely: glibc's time() may read a coarse clock a tick behind. */
static int64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

/* ---- firewall log records (LOG-1..11) ------------------------------------ */

static int rz_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rule_zone *)a)->id, ((const struct rule_zone *)b)->id);
}

static bool is_global_zone(const struct gwd *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->p->n_zones; i++)
		if (!strcmp(g->p->zones[i]->name, name))
			return g->p->zones[i]->kind == ZK_GLOBAL;
	return false;
}

/*
 * NAT-5: whether a rule's records are of translated traffic, so wait for
 * the translation: its zone pair is source-NAT'd (a VERDICT_SNAT rule of
 * the pair, lib/compile.c NAT-1), or it lets a global zone into a zone
 * that services are published in by DNAT (NAT-3).
 */
static bool rule_translated(const struct gwd *g, const struct rule *r)
{
	size_t i, k;

	if (!r->from || !r->to || r->verdict != VERDICT_ACCEPT)
		return false;
	for (i = 0; i < g->rs->n_chains; i++)
		for (k = 0; k < g->rs->chains[i]->n_rules; k++) {
			const struct rule *n = &g->rs->chains[i]->rules[k];

			if (n->verdict == VERDICT_SNAT && n->from && n->to &&
			    !strcmp(n->from, r->from) && !strcmp(n->to, r->to))
				return true;
			if (n->verdict == VERDICT_DNAT && n->to && !strcmp(n->to, r->to) &&
			    is_global_zone(g, r->from))
				return true;
		}
	return false;
}

/* The zone pair of every rule id of the running ruleset, for the records. */
static void index_rules(struct gwd *g)
{
	size_t i, k, n = 0;

	free(g->rz);
	g->rz = NULL;
	g->n_rz = 0;
	for (i = 0; i < g->rs->n_chains; i++)
		n += g->rs->chains[i]->n_rules;
	g->rz = calloc(n + 1, sizeof(*g->rz));
	if (!g->rz)
		return;
	for (i = 0; i < g->rs->n_chains; i++)
		for (k = 0; k < g->rs->chains[i]->n_rules; k++) {
			const struct rule *r = &g->rs->chains[i]->rules[k];

			if (r->id)
				g->rz[g->n_rz++] = (struct rule_zone){ r->id, r->from, r->to,
								       rule_translated(g, r) };
		}
	qsort(g->rz, g->n_rz, sizeof(*g->rz), rz_cmp);
}

static const struct rule_zone *rule_find(const struct gwd *g, const char *id)
{
	struct rule_zone key = { .id = id };

	return g->n_rz ? bsearch(&key, g->rz, g->n_rz, sizeof(*g->rz), rz_cmp) : NULL;
}

static bool rule_zones(void *data, const char *id, const char **ret_from, const char **ret_to)
{
	const struct rule_zone *r = rule_find(data, id);

	if (!r)
		return false;
	*ret_from = r->from;
	*ret_to = r->to;
	return true;
}

/* The monotonic clock in µs: the NAT hold's time (NAT-5), immune to clock steps. */
static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const char *if_name(void *data, uint32_t index)
{
	struct gwd *g = data;
	size_t slot = index % (sizeof(g->ifcache) / sizeof(g->ifcache[0]));

	if (g->ifcache[slot].index != index || !g->ifcache[slot].name[0]) {
		if (!if_indextoname(index, g->ifcache[slot].name))
			return NULL;
		g->ifcache[slot].index = index;
	}
	return g->ifcache[slot].name;
}

static void write_record(struct gwd *g, const struct logrec *rec, int r);
static void kick_forward(struct gwd *g);

static void on_nflog(const uint8_t *data, size_t len, int64_t recv_us, void *user)
{
	struct gwd *g = user;
	struct logrec_ctx ctx = { if_name, rule_zones, g, g->ntp_synced };
	const struct rule_zone *rz;
	struct nflog_pkt pkt;
	struct logrec rec;
	int r;

	r = nflog_decode(data, len, &pkt);
	if (r == 0)
		r = logrec_build(&pkt, recv_us, &ctx, &rec);
	if (r == -ENOENT || r == -EAFNOSUPPORT)
		return; /* another program's NFLOG prefix, or not IP (bridge, ARP) */
	if (r) {
		write_record(g, &rec, r);
		return;
	}
	/* NAT-5: the entry in the record (kernels with NETFILTER_NETLINK_GLUE_CT) has the DNAT. */
	if (pkt.has_ct)
		natjoin_apply(&rec, &pkt.ct);
	/*
	 * A permitted connection of translated traffic waits for its
	 * conntrack event (SNAT is made after the log rule), and so does every
	 * later one while one waits, so they keep their order (natjoin.h).
	 */
	rz = rec.permitted && g->nj && g->cte ? rule_find(g, rec.rule_id) : NULL;
	if (rz && rz->nat && natjoin_record(g->nj, &rec, mono_us()) == 1)
		return;
	write_record(g, &rec, 0);
}

/* NAT-5: the held records that are due (their translation came, or the time is up). */
static void release_held(struct gwd *g, bool all)
{
	int64_t now = mono_us();
	struct logrec rec;

	if (!g->nj)
		return;
	while (all ? natjoin_flush(g->nj, &rec) : natjoin_pop(g->nj, now, &rec))
		write_record(g, &rec, 0);
}

static void on_ct_event(const struct ct_entry *ct, void *user)
{
	struct gwd *g = user;

	natjoin_event(g->nj, ct, mono_us());
}

static void read_ct_events(struct gwd *g)
{
	uint64_t before = g->log_records;

	if (g->cte && g->nj)
		ctevents_read(g->cte, on_ct_event, g);
	release_held(g, false);
	if (g->log_records != before)
		kick_forward(g);
}

/* @r: the record could not be built (write nothing, count it), or 0. */
static void write_record(struct gwd *g, const struct logrec *rec, int r)
{
	char *line = NULL;

	if (r == 0)
		r = logrec_format(rec, &line);
	if (r == 0 && g->lf)
		r = logfile_write(g->lf, line, rec->time_us);
	free(line);
	if (r) {
		if (!g->log_errors++)
			log_error("firewall log: a record could not be written: %s, continuing",
				  strerror(-r));
		return;
	}
	g->log_records++;
	g->log_last_us = rec->time_us;
	if (g->lh)
		loghealth_written(g->lh, rec->rule_id);
	if (g->inc)
		incidents_record(g->inc, rec);
}

/* Records (and maybe incidents) were appended: every forwarder looks. */
static void kick_forward(struct gwd *g)
{
	size_t k;

	for (k = 0; k < FW_KINDS; k++)
		if (g->fw[k])
			forward_kick(g->fw[k]);
}

static void read_nflog(struct gwd *g)
{
	struct timex tx = { 0 };
	uint64_t before = g->log_records;

	/* LOG-11: whether the clock is synchronised, once per batch of records. */
	g->ntp_synced = adjtimex(&tx) >= 0 && !(tx.status & STA_UNSYNC);
	nflogread_dispatch(g->nfl, 4096, on_nflog, g);
	/* NAT-5: events that came before this batch's records; then what is due. */
	if (g->cte && g->nj)
		ctevents_read(g->cte, on_ct_event, g);
	release_held(g, false);
	if (g->log_records != before)
		kick_forward(g);
}

/* LOG-24: an alarm goes among the incidents too, and to the log server with them. */
static void on_log_alarm(void *data, const char *reason, int64_t now_us)
{
	struct gwd *g = data;

	incidents_alarm(g->inc, reason, now_us);
	kick_forward(g);
}

static void open_logging(struct gwd *g, const struct policy *p)
{
	char err[512];
	int r;

	g->log_dir = strdup(g->log_dir_arg ? g->log_dir_arg
			    : p->settings.log_dir ? p->settings.log_dir : "/var/log/gatewayd");
	if (!g->log_dir)
		return;
	r = logfile_open(g->log_dir, &g->lf);
	if (r == 0)
		r = logfile_open_kind(g->log_dir, "summary", &g->sf);
	if (r)
		log_error("firewall log: directory '%s': %s; records are not kept", g->log_dir,
			  strerror(-r));
	if (loghealth_new(&g->lh))
		log_error("firewall log: out of memory: the log is not checked (LOG-24)");
	r = incidents_new(g->log_dir, &g->inc);
	if (r)
		log_error("firewall log: incidents are not raised: %s (LOG-21)", strerror(-r));
	if (g->lh && g->inc)
		loghealth_on_alarm(g->lh, on_log_alarm, g);
	/* A receive buffer large enough for bursts (ARCHITECTURE: 4 MiB and more). */
	r = nflogread_open(p->settings.log_group, 8u << 20, &g->nfl, err);
	if (r)
		log_error("firewall log: NFLOG group %u: %s; records are not read", p->settings.log_group,
			  err);
	/* NAT-5: the translations, from conntrack NEW events (lib/natjoin.h). */
	r = natjoin_new(NAT_HOLD_MAX, NAT_HOLD_US, NAT_EARLY_US, &g->nj);
	if (r == 0)
		r = ctevents_open(4u << 20, &g->cte);
	if (r)
		log_error("firewall log: conntrack events: %s; records of translated traffic "
			  "have no nat fields (NAT-5; is nf_conntrack_netlink loaded?)",
			  strerror(-r));
	r = logfile_expire(g->log_dir, now_s(), p->settings.log_retention);
	if (r > 0)
		log_info("firewall log: %d day files older than the retention removed (C-8)", r);
}

/*
 * ---- forwarding to the log server (LOG-9) ----
 * Opened at start and at each apply whose log.forward (or log directory)
 * differs from the running one; the day files stay the spool in between.
 */
static void configure_forward(struct gwd *g)
{
	const struct log_forward *cfg = &g->p->settings.log_forward;
	size_t k;
	int r;

	if (g->fw[0] && cfg->server && forward_same(g->fw[0], cfg, g->log_dir))
		return;
	if (g->fw[0])
		log_info("forward: settings changed; reconnecting");
	for (k = 0; k < FW_KINDS; k++) {
		forward_close(g->fw[k]);
		g->fw[k] = NULL;
	}
	if (!cfg->server || !g->log_dir)
		return;
	for (k = 0; k < FW_KINDS; k++) {
		r = forward_open(cfg, fw_kinds[k], g->log_dir, g->state_dir, &g->fw[k]);
		if (r)
			log_error("forward: %s; the %s day files are not forwarded", strerror(-r),
				  fw_kinds[k]);
	}
}

static json_t *logging_json(const struct gwd *g)
{
	char last[40] = "";
	json_t *o;

	if (g->log_last_us)
		time_format(g->log_last_us / 1000000, last, sizeof(last));
	o = json_pack("{s:s, s:b, s:I, s:I, s:I, s:s?}", "dir", g->log_dir ? g->log_dir : "",
		      "reading", g->nfl != NULL, "records", (json_int_t)g->log_records, "errors",
		      (json_int_t)g->log_errors, "kernel_drops",
		      (json_int_t)(g->nfl ? nflogread_drops(g->nfl) : 0), "last_record_at",
		      g->log_last_us ? last : NULL);
	if (o && g->lh)
		json_object_set_new(o, "health", loghealth_json(g->lh));
	if (o && g->fw[0])
		json_object_set_new(o, "forward", forward_status(g->fw[0]));
	if (o && (g->fw[1] || g->fw[2])) {
		json_t *other = json_object();
		size_t k;

		for (k = 1; other && k < FW_KINDS; k++)
			if (g->fw[k])
				json_object_set_new(other, fw_kinds[k], forward_status(g->fw[k]));
		json_object_set_new(o, "forward_other", other);
	}
	if (o && g->inc)
		json_object_set_new(o, "incidents", incidents_json(g->inc));
	if (o && g->nj) {
		struct natjoin_stats st;

		/* NAT-5: "expired" and "overflow" records lack their translated side. */
		natjoin_get_stats(g->nj, &st);
		json_object_set_new(o, "nat",
				    json_pack("{s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
					      "events", g->cte != NULL, "event_filter",
					      g->cte && ctevents_filtered(g->cte), "events_read",
					      (json_int_t)(g->cte ? ctevents_read_total(g->cte) : 0),
					      "held", (json_int_t)st.held, "joined",
					      (json_int_t)st.joined, "expired",
					      (json_int_t)st.expired, "overflow",
					      (json_int_t)st.overflow, "translations",
					      (json_int_t)st.events, "waiting",
					      (json_int_t)natjoin_held(g->nj), "events_lost",
					      (json_int_t)(g->cte ? ctevents_lost(g->cte) : 0)));
	}
	return o;
}

/* LOG-24, C-10: the periodic check of the log path against the rule counters. */
static void check_logging(struct gwd *g)
{
	struct loghealth_input in = { g->nfl != NULL, g->nfl ? nflogread_drops(g->nfl) : 0,
				      g->log_errors, NULL };
	struct timespec ts;
	int64_t now_us;

	if (!g->lh)
		return;
	if (!g->nfl) {
		char err[512];

		/* Another program held the group, or the socket failed: try again. */
		if (nflogread_open(g->p->settings.log_group, 8u << 20, &g->nfl, err) == 0) {
			log_info("firewall log: NFLOG group %u is read again",
				 g->p->settings.log_group);
			in.reading = true;
		}
	}
	if (g->nfl)
		read_nflog(g); /* the records already sent count as arrived */
	in.write_errors = g->log_errors;
	in.altered = g->lf ? logfile_problem(g->lf) : NULL;
	if (!in.altered && g->sf)
		in.altered = logfile_problem(g->sf);
	clock_gettime(CLOCK_REALTIME, &ts);
	now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	loghealth_check(g->lh, g->rs, g->sf, &in, now_us);
	/* LOG-27: what was written until now is sealed, summaries included. */
	if (g->lf)
		logfile_seal(g->lf, now_us);
	if (g->sf)
		logfile_seal(g->sf, now_us);
	if (g->inc)
		incidents_seal(g->inc, now_us);
}

/* ---- load, compile, apply, record ------------------------------------- */


/*
 * C-22: an exception stops working by itself. The timer fires when the
 * next one named by a policy starts or ends; the same config is then
 * compiled again, leaving out what lapsed.
 */
static void arm_exception_timer(struct gwd *g)
{
	int64_t next = g->p ? policy_next_exception_change(g->p, now_s()) : 0;
	struct itimerspec its = { 0 };
	char at[32];

	if (g->tfd < 0)
		return;
	its.it_value.tv_sec = next; /* 0 disarms */
	if (timerfd_settime(g->tfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL) < 0)
		log_error("exception timer: %s, continuing", strerror(errno));
	else if (next) {
		time_format(next, at, sizeof(at));
		log_info("next exception change at %s: the ruleset will be compiled again then", at);
	}
}

static void arm_drift_timer(struct gwd *g)
{
	struct itimerspec its = { 0 };

	if (g->dfd < 0 || !g->p)
		return;
	its.it_value.tv_sec = g->p->daemon.drift_check;
	its.it_interval.tv_sec = g->p->daemon.drift_check; /* 0 disarms */
	timerfd_settime(g->dfd, 0, &its, NULL);
}

/* LANREQ-47: a frame of a switch, an access point or a router on a registered zone. */
static void on_equipment(struct gwd *g, const struct sighting *s, const char *ifname,
			 int64_t ts_us)
{
	const uint8_t *m = s->src_mac;
	char mac[18], ip[16] = "0.0.0.0", line[SIGHTING_LINE_MAX];

	if (frame_sighting_format(s, line, sizeof(line)) < 0)
		return;
	if (s->has_addr)
		snprintf(ip, sizeof(ip), "%u.%u.%u.%u", s->addr[0], s->addr[1], s->addr[2],
			 s->addr[3]);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	lan_seen_equipment(g->lan, mac, ip, ifname, line, ts_us / 1000000);
}

/* One ARP or DHCP frame seen on a registered zone's interface. */
static void on_sighting(const struct sighting *s, const char *ifname, int64_t ts_us, void *user)
{
	struct gwd *g = user;
	const uint8_t *m = s->hw_mac;
	char mac[18], ip[16] = "0.0.0.0", kind[40];
	bool ack = s->kind == SIGHTING_DHCP_ACK && s->has_addr;
	size_t i;

	bool own = false;

	for (i = 0; i < g->n_own_macs; i++)
		own |= !memcmp(s->src_mac, g->own_macs[i], 6);
	/*
	 * The gateway's own frames: its ARP is no sighting; its relay's ACK is
	 * the lease a DHCP device is admitted with (LANREQ-23). Another
	 * station's DHCP reply is a server the gateway does not know: logged,
	 * and never believed as a lease (LANREQ-47).
	 */
	if (own && !ack)
		return;
	if (frame_kind_is_equipment(s->kind)) {
		on_equipment(g, s, ifname, ts_us);
		return;
	}
	if (!own && s->from_server) {
		ack = false;
		/* LANREQ-47: a DHCP server the gateway does not know answered on a LAN. */
		log_warning("registry: a DHCP server answered on %s: %02x:%02x:%02x:%02x:%02x:%02x "
			    "%u.%u.%u.%u (%s; LANREQ-47)",
			    ifname, s->src_mac[0], s->src_mac[1], s->src_mac[2], s->src_mac[3],
			    s->src_mac[4], s->src_mac[5], s->ip_src[0], s->ip_src[1], s->ip_src[2],
			    s->ip_src[3], frame_kind_name(s->kind));
		m = s->src_mac;
		snprintf(ip, sizeof(ip), "%u.%u.%u.%u", s->ip_src[0], s->ip_src[1], s->ip_src[2],
			 s->ip_src[3]);
		snprintf(kind, sizeof(kind), "dhcp-server");
	} else {
		if (s->has_addr)
			snprintf(ip, sizeof(ip), "%u.%u.%u.%u", s->addr[0], s->addr[1], s->addr[2],
				 s->addr[3]);
		snprintf(kind, sizeof(kind), "%s", frame_kind_name(s->kind));
	}
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	lan_seen(g->lan, mac, ip, ifname, kind, ack, ts_us / 1000000);
}

/* The own MAC of each watched interface, so the gateway's frames are not sightings. */
static void read_own_macs(struct gwd *g, const char *const *ifs, size_t n)
{
	size_t i;

	g->n_own_macs = 0;
	for (i = 0; i < n && i < OBSERVE_IFACES_MAX; i++) {
		char path[128], buf[32];
		unsigned v[6];
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifs[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) &&
		    sscanf(buf, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) == 6) {
			size_t k;

			for (k = 0; k < 6; k++)
				g->own_macs[g->n_own_macs][k] = (uint8_t)v[k];
			g->n_own_macs++;
		}
		fclose(f);
	}
}

/*
 * Watches the interfaces of the zones that admit registered devices only.
 * Reopened when an apply changes that list; a failure is logged and the
 * gateway works on without sightings.
 */
static void observe_zones(struct gwd *g)
{
	const char *ifs[OBSERVE_IFACES_MAX];
	char list[sizeof(g->obs_ifaces)] = "", err[256];
	size_t n = 0, i, k, o = 0;

	for (i = 0; g->lan && i < g->p->n_zones; i++) {
		const struct zone *z = g->p->zones[i];

		if (z->admission != ADMIT_REGISTERED)
			continue;
		for (k = 0; k < z->n_ifaces && n < OBSERVE_IFACES_MAX; k++) {
			if (o + IF_NAMESIZE + 2 >= sizeof(list))
				break;
			ifs[n++] = z->ifaces[k];
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s ", z->ifaces[k]);
		}
	}
	if (g->obs && !strcmp(list, g->obs_ifaces))
		return;
	observer_close(g->obs);
	g->obs = NULL;
	snprintf(g->obs_ifaces, sizeof(g->obs_ifaces), "%s", list);
	if (!n)
		return;
	g->obs = observer_open(ifs, n, err, sizeof(err));
	if (!g->obs) {
		log_error("registry: the ARP/DHCP observer could not start: %s; unregistered devices "
			  "are still dropped and logged, but not listed by 'netctl device seen'",
			  err);
		g->obs_ifaces[0] = 0;
		return;
	}
	read_own_macs(g, ifs, n);
	log_info("registry: watching ARP, DHCP and network equipment on %s(LANREQ-46, LANREQ-47)",
		 list);
}

/* The registry's next event (expiry, notice, usage hours), on the wall clock. */
static void arm_registry_timer(struct gwd *g)
{
	int64_t now = now_s(), next = g->lan ? lan_next(g->lan, now) : 0;
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (g->lfd_reg < 0)
		return;
	if (next)
		its.it_value.tv_sec = (time_t)(next > now ? next : now + 1);
	timerfd_settime(g->lfd_reg, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL);
}

static struct conf_bundle *bundle_copy(const struct conf_bundle *b)
{
	struct conf_bundle *c = bundle_new();
	size_t i;

	for (i = 0; c && i < b->n; i++)
		if (bundle_add(c, b->srcs[i].name, b->srcs[i].text, b->srcs[i].len)) {
			bundle_free(c);
			return NULL;
		}
	return c;
}

static char *render_text(const struct ruleset *rs, unsigned flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (render_ruleset(f, rs, flags) || fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Loads @b (taken), compiles, applies, records. On any refusal the running
 * ruleset and the current policy stay as they are. Returns 0, -EINVAL
 * (reasons in @d) or negative errno.
 */
/*
 * ADM-6: a rollback restores the network policy, not who may administer it:
 * the people of the running config replace those of the old one, so that a
 * person removed since cannot come back through a rollback.
 */
static int keep_people(struct policy *p, const struct policy *cur)
{
	struct person **v = arena_zalloc(p->arena, (cur->n_people + 1) * sizeof(*v));
	size_t i;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < cur->n_people; i++) {
		v[i] = arena_zalloc(p->arena, sizeof(**v));
		if (!v[i] || !(v[i]->user = arena_strdup(p->arena, cur->people[i]->user)) ||
		    !(v[i]->name = arena_strdup(p->arena, cur->people[i]->name)))
			return -ENOMEM;
		v[i]->roles = cur->people[i]->roles;
		if (cur->people[i]->approved_by &&
		    !(v[i]->approved_by = arena_strdup(p->arena, cur->people[i]->approved_by)))
			return -ENOMEM;
		v[i]->origin = (struct origin){ NULL, 0 };
	}
	p->people = v;
	p->n_people = p->cap_people = cur->n_people;
	return 0;
}

/*
 * Loads @b (taken) unless @loaded (taken) is its policy already, compiles,
 * applies, records.
 */
static int load_apply_policy(struct gwd *g, struct conf_bundle *b, struct policy *loaded,
			     const char *actor, const char *action, struct diag_list *d)
{
	struct policy *p = loaded;
	struct ruleset *rs = NULL;
	struct version_meta m;
	struct strbuf sb = { 0 };
	char *plain = NULL, *full = NULL;
	size_t carried = 0;
	int r;

	r = p ? 0 : conf_load_flags(b->srcs, b->n, now_s(), CONF_DROP_LAPSED, &p, d);
	/*
	 * Only a config read from the files brings its own people: a rollback,
	 * and a re-apply of a rolled-back config, keep today's (ADM-6).
	 */
	if (r == 0 && g->p && strcmp(action, "start") && strncmp(action, "reload", 6))
		r = keep_people(p, g->p);
	if (r == 0)
		r = compile_policy(p, &rs, d);
	if (r)
		goto out;
	/* The record is of the config's ruleset, without the run-time elements. */
	plain = render_text(rs, 0);
	full = render_text(rs, RENDER_ORIGINS);
	r = carry_runtime_elements(rs, g->lan ? CARRY_NOT_REGISTRY : 0, &carried);
	if (r) {
		diag_error(d, NULL, "reading the run-time sets before the apply failed: %s; "
				    "nothing was changed",
			   strerror(-r));
		goto out;
	}
	/* LANREQ-43: admitted and quarantined devices come from the registry, in this batch. */
	if (g->lan) {
		size_t filled = 0;

		r = lan_fill(g->lan, p, rs, now_s(), &filled);
		if (r) {
			diag_error(d, NULL, "reading the LAN registry failed: %s; nothing was changed",
				   strerror(-r));
			goto out;
		}
		carried += filled;
	}
	/*
	 * C-10, LOG-24: the running version's last reading (its counters and
	 * its per-source sets go with its table), so a reload leaves no
	 * interval unaccounted for.
	 */
	if (g->rs && g->lh)
		check_logging(g);
	r = apply_ruleset(rs, d);
	if (r)
		goto out;
	/* Applied: from here on, what runs is @rs. Record it (CHG-10, CHG-13). */
	memset(&m, 0, sizeof(m));
	m.applied_at = now_s();
	snprintf(m.actor, sizeof(m.actor), "%s", actor);
	snprintf(m.action, sizeof(m.action), "%s", action);
	bundle_write(b, &sb);
	if (sb.oom || !plain || !full || history_sha256(sb.buf, sb.len, m.config_sha256) ||
	    history_sha256(plain, strlen(plain), m.ruleset_sha256)) {
		log_error("apply: ruleset applied, but its digests could not be computed");
	} else {
		const char *dir = g->state_dir;
		unsigned keep = p->daemon.history;

		r = history_record(dir, b, full, &m, keep);
		if (r)
			log_error("history: recording the applied version in '%s' failed: %s, "
				  "continuing",
				  dir, strerror(-r));
		r = 0;
	}
	log_info("applied version %lld (%s by %s): %zu rules, %zu run-time set elements kept, "
		 "config sha256 %.16s, ruleset sha256 %.16s",
		 (long long)m.version, action, actor, ruleset_count_deciding(rs), carried,
		 m.config_sha256, m.ruleset_sha256);
	policy_free(g->p);
	ruleset_free(g->rs);
	bundle_free(g->bundle);
	g->p = p;
	g->rs = rs;
	g->bundle = b;
	g->cur = m;
	p = NULL;
	rs = NULL;
	b = NULL;
	arm_exception_timer(g);
	arm_drift_timer(g);
	index_rules(g);
	if (g->lh)
		loghealth_applied(g->lh, g->rs, g->cur.version);
	configure_forward(g);
	if (g->inc)
		incidents_policy(g->inc, g->p);
	if (g->lan) {
		lan_applied(g->lan, g->p, g->rs);
		lan_people(g->lan, g->p, g->cur.actor, now_s()); /* @actor was the old policy's */
		lan_purge(g->lan, now_s());                       /* C-8, with this config's retention */
		arm_registry_timer(g);
		observe_zones(g);
	}
	g->drift_n = 0;
out:
	free(plain);
	free(full);
	sb_fini(&sb);
	ruleset_free(rs);
	policy_free(p);
	bundle_free(b);
	return r;
}

static int load_apply(struct gwd *g, struct conf_bundle *b, const char *actor, const char *action,
		      struct diag_list *d)
{
	return load_apply_policy(g, b, NULL, actor, action, d);
}

static int reload(struct gwd *g, const char *actor, const char *action, struct diag_list *d)
{
	struct conf_bundle *b = NULL;
	int r = confread_bundle(g->conf, CONFREAD_RELATIVE_NAMES, &b, d);

	if (r)
		return r;
	return load_apply(g, b, actor, action, d);
}

/* CHG-11: the most recent version whose config differs from the current one. */
static int rollback(struct gwd *g, const char *actor, int64_t to, struct diag_list *d)
{
	struct version_meta *all = NULL;
	struct conf_bundle *b = NULL;
	char action[64];
	size_t n = 0, i;
	int r = history_list(g->state_dir, &all, &n);

	if (r)
		return r;
	if (!to) {
		for (i = n; i-- > 0;)
			if (all[i].version < g->cur.version &&
			    strcmp(all[i].config_sha256, g->cur.config_sha256)) {
				to = all[i].version;
				break;
			}
	}
	free(all);
	if (!to) {
		diag_error(d, NULL, "no earlier version with a different config is recorded");
		return -EINVAL;
	}
	r = history_bundle(g->state_dir, to, &b);
	if (r) {
		diag_error(d, NULL, "version %lld cannot be read from the history: %s",
			   (long long)to, strerror(-r));
		return -EINVAL;
	}
	snprintf(action, sizeof(action), "rollback to %lld", (long long)to);
	return load_apply(g, b, actor, action, d);
}

/* ---- drift: is what runs what was applied? ------------------------------ */

/*
 * Reads the table back and compares it with the applied ruleset; logs a
 * change of state (drift appears, changes, clears). Returns the report
 * (caller frees) or NULL when the check itself failed.
 */
static struct drift *drift_check(struct gwd *g, struct readback **ret_rb)
{
	struct readback *rb = NULL;
	struct drift *dr = NULL;
	long before = g->drift_n;
	size_t i, n;
	int r;

	g->drift_at = now_s();
	r = readback_dump(g->rs, &rb);
	if (r == 0)
		r = readback_diff(rb, g->rs, &dr);
	if (r) {
		g->drift_n = -1;
		log_error("drift check: reading the table back failed: %s, continuing",
			  strerror(-r));
		readback_free(rb);
		return NULL;
	}
	n = drift_count(dr);
	g->drift_n = (long)n;
	if (n && (long)n != before) {
		log_warning("drift: the kernel's table inet %s differs from applied version %lld "
			    "in %zu places (someone changed it by hand?); 'netctl reload' restores it",
			    RULESET_TABLE, (long long)g->cur.version, n);
		for (i = 0; i < n && i < 10; i++) {
			const struct drift_entry *e = drift_entry(dr, i);

			log_warning("drift: %s %s '%s'%s%s: %s", drift_kind_name(e->kind),
				    drift_object_name(e->object), e->name ? e->name : "?",
				    e->chain ? " in chain " : "", e->chain ? e->chain : "",
				    e->reason ? e->reason : "");
		}
	} else if (!n && before > 0) {
		log_info("drift: the kernel's table matches applied version %lld again",
			 (long long)g->cur.version);
	}
	if (ret_rb)
		*ret_rb = rb;
	else
		readback_free(rb);
	return dr;
}

static json_t *drift_json(const struct gwd *g, const struct drift *dr)
{
	json_t *o, *a = json_array();
	char at[32];
	size_t i, n = dr ? drift_count(dr) : 0;

	time_format(g->drift_at, at, sizeof(at));
	for (i = 0; a && i < n && i < 100; i++) {
		const struct drift_entry *e = drift_entry(dr, i);

		json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "kind",
						   drift_kind_name(e->kind), "object",
						   drift_object_name(e->object), "name", e->name,
						   "chain", e->chain, "reason", e->reason));
	}
	o = json_pack("{s:s, s:b, s:I, s:o}", "checked_at", at, "equal", dr && n == 0,
		      "differences", (json_int_t)(dr ? (long long)n : -1), "entries", a);
	if (o && !dr)
		json_object_set_new(o, "error", json_string("the table could not be read back"));
	return o;
}

/* Per zone pair: new connections accepted and attempts denied (rule counters). */
static json_t *pairs_json(const struct gwd *g, const struct readback *rb)
{
	json_t *a = json_array();
	size_t i, k;

	for (i = 0; a && rb && i < g->rs->n_chains; i++) {
		const struct chain *c = g->rs->chains[i];
		uint64_t acc = 0, drop = 0;
		const char *from = NULL, *to = NULL;

		if (c->hook != HOOK_NONE)
			continue;
		for (k = 0; k < c->n_rules; k++) {
			const struct rule *r = &c->rules[k];
			struct rule_counter rc;

			if (!from) {
				from = r->from;
				to = r->to;
			}
			if (r->role != ROLE_DECIDE || readback_counter(rb, r->id, &rc))
				continue;
			if (r->verdict == VERDICT_ACCEPT)
				acc += rc.packets;
			else if (r->verdict == VERDICT_DROP)
				drop += rc.packets;
		}
		json_array_append_new(a, json_pack("{s:s, s:s?, s:s?, s:I, s:I}", "chain", c->name,
						   "from", from, "to", to, "accepted",
						   (json_int_t)acc, "denied", (json_int_t)drop));
	}
	return a;
}

/* ---- control requests -------------------------------------------------- */

static json_t *diags_json(const struct diag_list *d)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < d->n; i++) {
		const struct diag *x = &d->v[i];
		const char *w = x->level == DIAG_WARNING ? "warning: " : "";
		char *s = NULL;
		int n;

		if (x->file && x->line)
			n = asprintf(&s, "%s:%d: %s%s", x->file, x->line, w, x->msg);
		else if (x->file)
			n = asprintf(&s, "%s: %s%s", x->file, w, x->msg);
		else
			n = asprintf(&s, "%s%s", w, x->msg);
		if (n >= 0)
			json_array_append_new(a, json_string(s));
		free(s);
	}
	return a;
}

static json_t *meta_json(const struct version_meta *m)
{
	char at[32];

	time_format(m->applied_at, at, sizeof(at));
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "version", (json_int_t)m->version,
			 "applied_at", at, "by", m->actor, "action", m->action, "config_sha256",
			 m->config_sha256, "ruleset_sha256", m->ruleset_sha256);
}

/* The installed nft command's version, or "not installed" (CHG-3). */
static void read_nft_version(struct gwd *g)
{
	FILE *f = popen("nft --version 2>/dev/null", "r");
	char line[128] = "", *v;

	snprintf(g->nft_version, sizeof(g->nft_version), "not installed");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f) && (v = strstr(line, " v"))) {
		v += 2;
		v[strcspn(v, " \n")] = '\0';
		snprintf(g->nft_version, sizeof(g->nft_version), "%s", v);
	}
	pclose(f);
}

static json_t *status_json(struct gwd *g)
{
	struct readback *rb = NULL;
	struct drift *dr;
	struct utsname u;
	char started[32];
	int64_t now = now_s();
	json_t *j;

	uname(&u);
	time_format(g->started, started, sizeof(started));
	/* CHG-1: 'netctl status' checks that what runs is what was applied. */
	dr = drift_check(g, &rb);
	/* CHG-3: our version and those of the components we drive. */
	j = json_pack("{s:{s:s, s:s, s:s, s:s, s:s}, s:s, s:s, s:I, s:s, s:I, s:o}", "versions",
			 "gatewayd", GW_VERSION, "kernel", u.release, "libnftnl", GW_LIBNFTNL_VERSION,
			 "libmnl", GW_LIBMNL_VERSION, "nft", g->nft_version, "config", g->conf, "table",
			 "inet " RULESET_TABLE, "rules", (json_int_t)ruleset_count_deciding(g->rs),
			 "started_at", started, "uptime_seconds", (json_int_t)(now - g->started),
			 "applied", meta_json(&g->cur));
	if (j) {
		json_object_set_new(j, "drift", drift_json(g, dr));
		json_object_set_new(j, "zone_pairs", pairs_json(g, rb));
		json_object_set_new(j, "logging", logging_json(g));
		if (g->lan)
			json_object_set_new(j, "registry", lan_status(g->lan, now));
	}
	drift_free(dr);
	readback_free(rb);
	return j;
}

static json_t *history_json(const struct gwd *g, int *ret)
{
	struct version_meta *all = NULL;
	json_t *a;
	size_t n = 0, i;

	*ret = history_list(g->state_dir, &all, &n);
	if (*ret)
		return NULL;
	a = json_array();
	for (i = 0; a && i < n; i++)
		json_array_append_new(a, meta_json(&all[i]));
	free(all);
	return a;
}

/* The person behind a uid, or NULL when the config names nobody for it (ADM-9). */
static const struct person *who(const struct gwd *g, uid_t uid, char *user, size_t len)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) || !res) {
		snprintf(user, len, "uid %u", (unsigned)uid);
		return NULL;
	}
	snprintf(user, len, "%s", pw.pw_name);
	return policy_person(g->p, pw.pw_name);
}

static char *reply_error(const char *reason, const struct diag_list *d)
{
	json_t *j = json_pack("{s:b, s:s}", "ok", 0, "error", reason);
	char *s;

	if (j && d && d->n)
		json_object_set_new(j, "diagnostics", diags_json(d));
	s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return s;
}

static char *reply_ok(json_t *result)
{
	json_t *j = json_pack("{s:b, s:o}", "ok", 1, "result", result ? result : json_null());
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	return s;
}

static char *handle(struct gwd *g, uid_t uid, const char *buf, size_t len)
{
	const struct person *pe;
	struct ctl_request req;
	struct diag_list d;
	const char *err;
	char user[64], reason[256], *out;
	int r;

	if (ctl_parse_request(buf, len, &req, &err))
		return reply_error(err ? err : "out of memory", NULL);
	pe = who(g, uid, user, sizeof(user));
	if (!pe) {
		log_warning("control: %s refused for '%s': not a person in the config (ADM-9)",
			    ctl_verb_name(req.verb), user);
		snprintf(reason, sizeof(reason),
			 "user '%s' is not in the config's 'people'; ask a network administrator "
			 "(ADM-9)",
			 user);
		return reply_error(reason, NULL);
	}
	if (!(pe->roles & ctl_verb_roles(req.verb))) {
		log_warning("control: %s refused for %s (%s): role missing", ctl_verb_name(req.verb),
			    pe->name, user);
		snprintf(reason, sizeof(reason), "'%s' needs the role %s; %s does not hold it",
			 ctl_verb_name(req.verb),
			 ctl_verb_roles(req.verb) & ROLE_OPERATOR ? "netadmin, operator or auditor"
								  : "netadmin",
			 pe->name);
		return reply_error(reason, NULL);
	}
	switch (req.verb) {
	case CTL_STATUS:
		return reply_ok(status_json(g));
	case CTL_DEVICE: {
		json_t *res;
		char why[512];

		if (!g->lan) {
			ctl_request_fini(&req);
			return reply_error("the LAN registry is not open (see the log)", NULL);
		}
		res = lan_handle(g->lan, pe->name, pe->roles, pe->department, req.op, req.args,
				 now_s(), why, sizeof(why));
		if (!res && lr_op_writes((enum lr_op)req.op))
			log_warning("control: device %s by %s (%s) refused: %s",
				    lr_op_name((enum lr_op)req.op), pe->name, user, why);
		ctl_request_fini(&req);
		arm_registry_timer(g);
		return res ? reply_ok(res) : reply_error(why, NULL);
	}
	case CTL_HISTORY: {
		json_t *h = history_json(g, &r);

		if (!h)
			return reply_error(strerror(-r), NULL);
		return reply_ok(h);
	}
	case CTL_RELOAD:
	case CTL_ROLLBACK:
		diag_init(&d);
		log_info("control: %s by %s (%s)", ctl_verb_name(req.verb), pe->name, user);
		r = req.verb == CTL_RELOAD ? reload(g, pe->name, "reload", &d)
					   : rollback(g, pe->name, req.to, &d);
		diag_sort(&d);
		if (r) {
			log_diags(ctl_verb_name(req.verb), &d);
			log_error("%s refused; the running ruleset (version %lld) stays",
				  ctl_verb_name(req.verb), (long long)g->cur.version);
			snprintf(reason, sizeof(reason),
				 "%s refused; the running ruleset (version %lld) stays in force",
				 ctl_verb_name(req.verb), (long long)g->cur.version);
			out = reply_error(r == -EINVAL ? reason : strerror(-r), &d);
		} else {
			json_t *res = meta_json(&g->cur);

			if (d.n)
				json_object_set_new(res, "diagnostics", diags_json(&d));
			out = reply_ok(res);
		}
		diag_fini(&d);
		return out;
	default:
		return reply_error("unknown verb", NULL);
	}
}

/* ---- main loop --------------------------------------------------------- */

/*
 * The LAN registry: registry.db (or registry.db) in the state directory. A
 * registry that cannot be opened is an error in the log and in status, and
 * gatewayd runs on with the config's ruleset and empty admission sets: the
 * registered zones stay closed (fail closed), everything else works.
 */
static void open_registry(struct gwd *g, const struct policy *p)
{
	char path[4096], err[512];

	if (p->registry.db)
		snprintf(path, sizeof(path), "%s", p->registry.db);
	else
		snprintf(path, sizeof(path), "%s/registry.db", g->state_dir);
	if (!p->registry.db && mkdir(g->state_dir, 0750) < 0 && errno != EEXIST)
		log_error("registry: state directory '%s': %s", g->state_dir, strerror(errno));
	g->lan = lan_open(path, err, sizeof(err));
	if (!g->lan) {
		log_error("registry: %s; registered zones admit nobody until it opens", err);
		return;
	}
	lan_set_log_dir(g->lan, g->log_dir); /* LANREQ-33 */
	g->lfd_reg = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	if (g->lfd_reg < 0)
		log_error("registry: timerfd: %s; expiries happen only at reloads", strerror(errno));
	log_info("registry: %s", path);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: gatewayd [-c CONF] [-f] [-S SOCKET] [--state-dir DIR]\n"
		   "       gatewayd [-c CONF] --oneshot\n"
		   "  -c, --config CONF   main config file (default " DEFAULT_CONF ")\n"
		   "  -f, --foreground    stay in the foreground and log to stderr too\n"
		   "  -S, --socket PATH   control socket (default: daemon.socket, " DEFAULT_SOCKET ")\n"
		   "      --state-dir DIR applied-version history (default: daemon.state_dir, "
		   DEFAULT_STATE_DIR ")\n"
		   "      --log-dir DIR   firewall log day files (default: log.dir, /var/log/gatewayd)\n"
		   "      --log-check SEC check the firewall log against the rule counters every SEC\n"
		   "                      seconds, at most 1800 (LOG-24, C-10; default 60)\n"
		   "      --oneshot       validate, compile, apply atomically, exit (no history)\n");
}

static int oneshot(const char *conf)
{
	size_t carried = 0;
	struct policy *p = NULL;
	struct ruleset *rs = NULL;
	struct diag_list d;
	int r;

	diag_init(&d);
	r = confread_load(conf, now_s(), 0, &p, &d);
	if (r == 0)
		r = compile_policy(p, &rs, &d);
	if (r == 0 && (r = carry_runtime_elements(rs, 0, &carried)))
		diag_error(&d, NULL, "reading the run-time sets failed: %s; nothing was changed",
			   strerror(-r));
	if (r == 0)
		r = apply_ruleset(rs, &d);
	diag_sort(&d);
	diag_print(stderr, &d);
	if (r == 0)
		fprintf(stderr, "gatewayd: applied table inet %s from %s (%zu rules)\n", rs->table,
			conf, ruleset_count_deciding(rs));
	else if (r != -EINVAL)
		fprintf(stderr, "gatewayd: apply failed: %s\n", strerror(-r));
	diag_fini(&d);
	ruleset_free(rs);
	policy_free(p);
	return r ? 1 : 0;
}

static int serve(struct gwd *g, int lfd, int sfd)
{
	static char buf[CTL_MAX_REQUEST];

	for (;;) {
		struct pollfd pfd[POLL_FIXED + OBSERVE_IFACES_MAX + LAN_NOTIFY_FDS] = {
					 { .fd = sfd, .events = POLLIN },
					 { .fd = lfd, .events = POLLIN },
					 { .fd = g->tfd, .events = POLLIN },
					 { .fd = g->dfd, .events = POLLIN },
					 { .fd = g->nfl ? nflogread_fd(g->nfl) : -1, .events = POLLIN },
					 { .fd = g->rfd, .events = POLLIN },
					 { .fd = g->lfd_reg, .events = POLLIN },
					 { .fd = g->hfd, .events = POLLIN },
					 { .fd = g->cte ? ctevents_fd(g->cte) : -1, .events = POLLIN },
					 { .fd = -1 }, { .fd = -1 }, { .fd = -1 } };
		struct signalfd_siginfo si;
		uint64_t ticks;

		int n_obs = g->obs ? observer_fds(g->obs, pfd + POLL_FIXED, OBSERVE_IFACES_MAX) : 0;
		int n_mail, k, to;

		if (n_obs < 0)
			n_obs = 0;
		/* C-24: the notify commands run in the background; their ends wake us. */
		n_mail = lan_notify_fds(g->lan, pfd + POLL_FIXED + n_obs, LAN_NOTIFY_FDS);
		/* LOG-9: the forwarder's socket and its next timer. */
		to = lan_notify_timeout(g->lan);
		for (k = 0; k < FW_KINDS; k++) {
			int tf;

			if (!g->fw[k])
				continue;
			tf = forward_timeout(g->fw[k]);
			pfd[9 + k].fd = forward_fd(g->fw[k], &pfd[9 + k].events);
			if (tf >= 0 && (to < 0 || tf < to))
				to = tf;
		}
		/* NAT-5: wake when the oldest held record is due. */
		if (g->nj && natjoin_deadline(g->nj) >= 0) {
			int64_t ms = (natjoin_deadline(g->nj) - mono_us() + 999) / 1000;
			int tn = ms < 0 ? 0 : (int)ms;

			if (to < 0 || tn < to)
				to = tn;
		}
		if (poll(pfd, (nfds_t)(POLL_FIXED + n_obs + n_mail), to) < 0) {
			if (errno == EINTR)
				continue;
			log_error("poll: %s", strerror(errno));
			return 1;
		}
		if (g->lan)
			lan_notify_poll(g->lan, now_s());
		if (pfd[0].revents & POLLIN && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGHUP) {
				struct diag_list d;

				diag_init(&d);
				log_info("SIGHUP: reloading %s", g->conf);
				if (reload(g, "gatewayd", "reload (SIGHUP)", &d)) {
					diag_sort(&d);
					log_diags("reload", &d);
					log_error("reload refused; the running ruleset (version %lld) "
						  "stays",
						  (long long)g->cur.version);
				}
				diag_fini(&d);
			} else {
				log_info("signal %u: stopping", si.ssi_signo);
				return 0;
			}
		}
		if (pfd[3].revents & POLLIN && read(g->dfd, &ticks, sizeof(ticks)) > 0)
			drift_free(drift_check(g, NULL));
		if (pfd[4].revents & POLLIN)
			read_nflog(g);
		if (pfd[8].revents & POLLIN || (g->nj && natjoin_held(g->nj)))
			read_ct_events(g);
		if (pfd[7].revents & POLLIN && read(g->hfd, &ticks, sizeof(ticks)) > 0)
			check_logging(g);
		for (k = 0; k < FW_KINDS; k++)
			if (g->fw[k])
				forward_run(g->fw[k], pfd[9 + k].fd >= 0 ? pfd[9 + k].revents : 0);
		for (k = 0; k < n_obs; k++)
			if (pfd[POLL_FIXED + k].revents & (POLLIN | POLLERR) &&
			    observer_dispatch(g->obs, pfd[POLL_FIXED + k].fd, on_sighting, g) == -EIO) {
				log_error("registry: the observer lost an interface; restarting it");
				observer_close(g->obs);
				g->obs = NULL;
				g->obs_ifaces[0] = 0;
				observe_zones(g);
				break;
			}
		if (pfd[6].revents & POLLIN) {
			/* ECANCELED: the clock was set; the registry's times are wall-clock times. */
			if (read(g->lfd_reg, &ticks, sizeof(ticks)) >= 0 || errno == ECANCELED)
				lan_tick(g->lan, now_s());
			arm_registry_timer(g);
		}
		if (pfd[5].revents & POLLIN && read(g->rfd, &ticks, sizeof(ticks)) > 0 && g->log_dir) {
			int n = logfile_expire(g->log_dir, now_s(), g->p->settings.log_retention);

			if (n > 0)
				log_info("firewall log: %d day files past the retention removed (C-8)", n);
		}
		if (pfd[5].revents & POLLIN && g->lan)
			lan_purge(g->lan, now_s()); /* C-8: the registry's retention, hourly */
		if (pfd[2].revents & POLLIN) {
			struct conf_bundle *b = bundle_copy(g->bundle);
			struct diag_list d;

			/* ECANCELED: the clock was set; re-arm from the new time either way. */
			if (read(g->tfd, &ticks, sizeof(ticks)) < 0 && errno != ECANCELED)
				continue;
			diag_init(&d);
			log_info("an exception started or ended: compiling the config again (C-22)");
			if (!b || load_apply(g, b, "gatewayd", "exception start or expiry", &d)) {
				diag_sort(&d);
				log_diags("exception change", &d);
				log_error("re-applying after an exception change failed; version %lld "
					  "stays",
					  (long long)g->cur.version);
				arm_exception_timer(g);
			} else {
				diag_sort(&d);
				log_diags("exception change", &d);
			}
			diag_fini(&d);
		}
		if (pfd[1].revents & POLLIN) {
			size_t len = 0;
			uid_t uid = 0;
			int conn = -1, r;
			char *out;

			r = ctl_accept(lfd, &conn, &uid, buf, sizeof(buf), &len);
			if (r == -EAGAIN)
				continue;
			if (r == -EMSGSIZE) {
				out = reply_error("request too large", NULL);
			} else if (r) {
				log_warning("control: %s, continuing", strerror(-r));
				continue;
			} else {
				out = handle(g, uid, buf, len);
			}
			ctl_reply(conn, out ? out : "{\"ok\":false,\"error\":\"out of memory\"}");
			free(out);
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 'S' },
		{ "state-dir", required_argument, NULL, 'D' },
		{ "oneshot", no_argument, NULL, 'o' },
		{ "log-dir", required_argument, NULL, 'L' },
		{ "log-check", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gwd g = { .conf = DEFAULT_CONF, .tfd = -1, .dfd = -1, .rfd = -1, .lfd_reg = -1,
			 .hfd = -1, .log_check = 60 };
	struct conf_bundle *b = NULL;
	struct policy *start_policy = NULL;
	struct diag_list d;
	bool one = false;
	sigset_t mask;
	int o, r, lfd = -1, sfd;

	while ((o = getopt_long(argc, argv, "c:fS:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			g.conf = optarg;
			break;
		case 'f':
			g.foreground = true;
			break;
		case 'S':
			g.socket_arg = optarg;
			break;
		case 'D':
			g.state_arg = optarg;
			break;
		case 'o':
			one = true;
			break;
		case 'L':
			g.log_dir_arg = optarg;
			break;
		case 'K': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			/*
			 * C-10: at most half the time the kernel keeps a source's
			 * element (DENY_SRC_TIMEOUT_S), so each is read before it
			 * is forgotten.
			 */
			if (*optarg < '1' || *optarg > '9' || *end || v > DENY_SRC_TIMEOUT_S / 2) {
				fprintf(stderr, "gatewayd: --log-check: '%s' is not 1..%d seconds\n",
					optarg, DENY_SRC_TIMEOUT_S / 2);
				return 2;
			}
			g.log_check = (unsigned)v;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (one)
		return oneshot(g.conf);

	log_open(g.foreground);
	g.started = now_s();
	read_nft_version(&g);
	diag_init(&d);
	/* The first load decides where the state and the socket are. */
	r = confread_bundle(g.conf, CONFREAD_RELATIVE_NAMES, &b, &d);
	if (r == 0) {
		struct policy *probe = NULL;

		/* The first load also decides where the state, socket and log are. */
		r = conf_load_flags(b->srcs, b->n, g.started, CONF_DROP_LAPSED, &probe, &d);
		if (r == 0) {
			const char *sd = g.state_arg ? g.state_arg
				       : probe->daemon.state_dir ? probe->daemon.state_dir
								 : DEFAULT_STATE_DIR;
			const char *so = g.socket_arg ? g.socket_arg
				       : probe->daemon.socket ? probe->daemon.socket
							      : DEFAULT_SOCKET;

			g.state_dir = strdup(sd);
			g.socket = strdup(so);
			open_logging(&g, probe);
			open_registry(&g, probe);
			lfd = ctl_open(g.socket, probe->daemon.socket_group);
			if (lfd < 0) {
				log_error("control socket '%s': %s", g.socket, strerror(-lfd));
				r = lfd;
			}
		}
		if (r)
			policy_free(probe);
		else
			start_policy = probe; /* loaded once: applied as it is */
	}
	if (r == 0) {
		g.tfd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
		if (g.tfd < 0)
			log_error("timerfd: %s; exceptions will lapse only at reloads", strerror(errno));
		g.dfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		g.rfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (g.rfd >= 0) {
			struct itimerspec hourly = { { 3600, 0 }, { 3600, 0 } };

			timerfd_settime(g.rfd, 0, &hourly, NULL);
		}
		g.hfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (g.hfd >= 0) {
			struct itimerspec every = { { g.log_check, 0 }, { g.log_check, 0 } };

			timerfd_settime(g.hfd, 0, &every, NULL);
		} else {
			log_error("timerfd: %s; the firewall log is not checked (LOG-24)",
				  strerror(errno));
		}
		r = load_apply_policy(&g, b, start_policy, "gatewayd", "start", &d);
		start_policy = NULL;
		b = NULL;
	}
	bundle_free(b);
	policy_free(start_policy);
	diag_sort(&d);
	log_diags("start", &d);
	diag_fini(&d);
	if (r) {
		log_error("not started: %s", r == -EINVAL ? "the config was refused" : strerror(-r));
		if (g.socket)
			ctl_close(lfd >= 0 ? lfd : -1, g.socket);
		return 1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (!g.foreground && daemon(0, 0) < 0)
		log_error("daemon: %s, staying in the foreground", strerror(errno));
	log_info("running: control socket %s, state %s", g.socket, g.state_dir);
	r = serve(&g, lfd, sfd);
	if (g.p && g.p->daemon.remove_on_stop) {
		int rr = apply_remove_table(RULESET_TABLE);

		log_info("on_stop = \"remove\": table inet %s %s", RULESET_TABLE,
			 rr ? "could not be removed" : "removed");
	} else {
		log_info("stopped; the ruleset stays in force (fail closed)");
	}
	ctl_close(lfd, g.socket);
	observer_close(g.obs);
	lan_close(g.lan);
	release_held(&g, true); /* NAT-5: held records are written, without what did not come */
	nflogread_close(g.nfl);
	ctevents_close(g.cte);
	natjoin_free(g.nj);
	for (size_t k = 0; k < FW_KINDS; k++)
		forward_close(g.fw[k]); /* saves the cursor */
	logfile_close(g.lf);
	logfile_close(g.sf);
	loghealth_free(g.lh);
	incidents_free(g.inc);
	free(g.rz);
	free(g.log_dir);
	ruleset_free(g.rs);
	policy_free(g.p);
	bundle_free(g.bundle);
	free(g.socket);
	free(g.state_dir);
	return r;
}

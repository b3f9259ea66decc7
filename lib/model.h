/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy model: what conf/gatewayd.conf and zones/NAME.conf say, recorded
 * as plain data with the origin of every object. Built by conf_parse_*(),
 * checked by conf_validate(), read by compile_policy(). One arena owns it.
 */
#ifndef GW_MODEL_H
#define GW_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "diag.h"

/* ZONE-1: the four environments. */
enum env {
	ENV_INTERNET,
	ENV_LAN,
	ENV_WAN,
	ENV_REMOTE,
	ENV__COUNT
};

/* Zone kinds of the regulation's glossary (§2.1). */
enum zone_kind {
	ZK_GLOBAL,
	ZK_DMZ,
	ZK_SERVER,
	ZK_FLOOR,
	ZK_WLAN,
	ZK_BRANCH,
	ZK_SUBSIDIARY,
	ZK_AFFILIATE,
	ZK_VPN,
	ZK__COUNT
};

enum admission {
	ADMIT_OPEN,       /* any host on the zone's networks */
	ADMIT_REGISTERED, /* only approved MAC/IP pairs (LANREQ-43) */
};

/* NAT-3: how a DMZ's services are published. */
enum dmz_mode {
	DMZ_NAT,    /* private addresses, published by DNAT, SNAT outbound */
	DMZ_ROUTED, /* global addresses, routed and filtered */
};

enum host_class {
	HC_SERVER,
	HC_PRINTER,
	HC_NETWORK,
	HC_CLIENT,
	HC__COUNT
};

/* WAN-8: direction of a WAN service, seen from this site. */
enum wan_dir {
	WAN_IN,   /* peer -> local */
	WAN_OUT,  /* local -> peer */
	WAN_BOTH,
};

enum wan_type {
	WAN_LEASED,
	WAN_VPN,
};

/* The gateway itself as the destination of a policy (input chain). */
#define GATEWAY_ZONE "gateway"

/* Limits on what a config may make us allocate; defaults in docs/config.md. */
struct limits {
	unsigned max_zones;
	unsigned max_interfaces;    /* per zone */
	unsigned max_networks;      /* per zone */
	unsigned max_hosts;
	unsigned max_services;      /* catalogue entries */
	unsigned max_ports;         /* entries per service */
	unsigned max_policies;      /* policy entries, all zones */
	unsigned max_rules;         /* compiled deciding rules */
	unsigned max_rule_services; /* services named by one policy */
	unsigned max_rule_hosts;    /* sources or destinations named by one policy */
	unsigned max_name;          /* bytes in a zone, host, service or WAN name */
	unsigned max_exceptions;
	unsigned max_wan;
};

#define LIMITS_DEFAULT                                                                      \
	{                                                                                   \
		.max_zones = 256, .max_interfaces = 32, .max_networks = 64,                 \
		.max_hosts = 16384, .max_services = 1024, .max_ports = 64,                  \
		.max_policies = 20000, .max_rules = 50000, .max_rule_services = 64,         \
		.max_rule_hosts = 256, .max_name = 24, .max_exceptions = 1024, .max_wan = 256 \
	}

/* Hard ceilings the limits block may not exceed (the kernel's and ours). */
#define NAME_MAX_CEILING 32
#define IFNAME_MAX 15

struct svc_port {
	uint8_t proto;       /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMP, ... */
	uint16_t lo, hi;     /* port range; 0/0 for "whole protocol" */
	int icmp_type;       /* -1: any; ICMP/ICMPv6 only */
};

struct service {
	char *name;
	char *description;
	struct svc_port *ports;
	size_t n_ports, cap_ports;
	unsigned envs;       /* bitmask of 1 << enum env where the regulation allows it (SVC-1) */
	bool infrastructure; /* SVC-2: allowed toward the server zone from lan/wan/remote */
	bool plaintext;      /* SVC-3: reported as a plain-text protocol */
	bool exception_only; /* C-6: usable only under an exception (e.g. plain FTP) */
	bool endpoint;       /* ZONE-11: the gateway's own remote-access endpoint */
	char **reqs;         /* requirement IDs it serves, documentation only */
	size_t n_reqs, cap_reqs;
	struct origin origin;
};

struct zone;

struct host {
	char *name;
	char *description;
	struct zone *zone;   /* the zone whose file declares it */
	struct prefix addr4; /* family 0 when absent */
	struct prefix addr6;
	enum host_class class;
	char *approval;      /* ZONE-16, LANREQ-50: server installation approval */
	struct origin origin;
};

/* OPS-8: an approved deviation from the regulation. */
struct exception {
	char *id;
	char *approved_by;
	char *reference;     /* committee approval reference */
	char *reason;
	int64_t approved;    /* UTC seconds */
	int64_t expires;
	bool used;           /* set by validation */
	struct origin origin;
};

/* A zone-pair permission, as written in a zone file ("from" is that zone). */
struct policy_rule {
	struct zone *from;
	char *to_name;
	struct zone *to;         /* NULL when to_name is GATEWAY_ZONE */
	bool to_gateway;
	char **services;
	struct service **svc;    /* resolved, parallel to services */
	size_t n_services, cap_services;
	char **dests;            /* destination hosts; none: the whole zone */
	struct host **dst;
	size_t n_dests, cap_dests;
	char **sources;          /* source hosts; none: the whole zone */
	struct host **src;
	size_t n_sources, cap_sources;
	bool via_proxy;          /* PROXY-1: compiled to the proxy, direct web dropped */
	bool grants;             /* RA-4: allowed only by per-user grants (vpn_grants set) */
	char *exception_id;
	struct exception *exception;
	char *description;
	struct origin origin;
	size_t seq;              /* parse order; orders policies of one file on one line */
	bool warned;             /* the exception's expiry warning was given */
	bool dropped;            /* left out: its exception lapsed (CONF_DROP_LAPSED) */
};

struct wan_service {
	char *service;
	struct service *svc;
	enum wan_dir dir;
	char **local;            /* local hosts or zones this service reaches/comes from */
	size_t n_local, cap_local;
	struct origin origin;
};

/* WAN-3..10: one WAN connection with every field (ア)–(ク). */
struct wan_link {
	char *name;
	char *zone_name;
	struct zone *zone;       /* the LAN-environment zone at the far end (C-12) */
	struct origin zone_origin;
	enum wan_type type;
	char *approval;          /* WAN-2: committee approval for a VPN */
	char *peer_org, *peer_address;                  /* (ア) */
	char *purpose;                                  /* (イ) */
	char *systems_local, *systems_remote;           /* (エ) */
	char **scope_local;                             /* (オ) local zones/hosts */
	size_t n_scope_local, cap_scope_local;
	struct prefix *scope_remote;                    /* (オ) remote networks */
	size_t n_scope_remote, cap_scope_remote;
	struct wan_service *services;                   /* (カ) */
	size_t n_services, cap_services;
	char *admin_local, *admin_remote;               /* (キ) */
	char *secmgr_local, *secmgr_remote;
	char *anomaly;                                  /* (ク) */
	char *escalation_local, *escalation_remote;
	struct origin origin;
};

struct zone {
	char *name;
	char *description;
	enum zone_kind kind;
	enum env env;
	char **ifaces;
	size_t n_ifaces, cap_ifaces;
	struct origin *iface_origin;    /* parallel to ifaces */
	size_t cap_iface_origin;
	struct prefix *nets;
	size_t n_nets, cap_nets;
	struct origin nets_origin;      /* the 'networks' key */
	enum admission admission;
	enum dmz_mode dmz_mode;
	char *wlan_security;            /* WLAN-7 */
	char *location, *equipment, *administrator; /* ZONE-18 */
	struct wan_link *wan;           /* set by validation when a WAN link serves it */
	struct addr_range pool;         /* LANREQ-22: static addresses handed out; family 0: none */
	char *hostname_pattern;         /* LANREQ-22: "f1-pc{octet:3}" */
	struct origin pool_origin;
	struct origin origin;
};

struct nat_publish {
	char *host_name;
	struct host *host;
	struct prefix global;           /* the published global address */
	char **services;
	struct service **svc;
	size_t n_services, cap_services;
	struct origin origin;
};

/* ADM-1..4: the roles a person can hold. */
enum role {
	ROLE_NETADMIN = 1 << 0,
	ROLE_OPERATOR = 1 << 1,
	ROLE_HELPDESK = 1 << 2,
	ROLE_AUDITOR = 1 << 3,
	ROLE_DEPT_HEAD = 1 << 4,
	ROLE_ISMS_MANAGER = 1 << 5,    /* C-1: the optional second approver of a LAN connection */
	ROLE_SECURITY_OFFICER = 1 << 6, /* LANREQ-48: the department security officer */
};
#define ROLE__ALL ((1u << 7) - 1)

/* ADM-2, ADM-9: an OS account mapped to a named person and roles. */
struct person {
	char *user;          /* OS user name, matched with the peer's uid */
	char *name;          /* the person, as recorded in change records */
	unsigned roles;      /* enum role bits */
	/* C-1, LANREQ-48: the department a dept-head or security officer answers for; NULL: any */
	char *department;
	char *approved_by;   /* ADM-5: who approved the appointment (optional) */
	struct origin origin;
};

/* The daemon's own settings (the 'daemon' group). */
struct daemon_settings {
	char *state_dir;     /* applied-version history (CHG-10, CHG-13) */
	char *socket;        /* control socket path (ADM-9) */
	char *socket_group;  /* group that may connect (mode 0660); NULL: gatewayd's own */
	bool remove_on_stop; /* on_stop = "remove": delete the table on SIGTERM */
	int64_t drift_check; /* seconds between kernel read-backs; 0: only on status */
	unsigned history;    /* applied versions kept */
	struct origin origin;
};

#define REGISTRY_KNOWN_EQUIPMENT_MAX 256

/* The LAN registry's settings (the 'registry' group; §3.5). */
struct registry_settings {
	char *db;                 /* SQLite file; NULL: state_dir/registry.db */
	char *notify_command;     /* C-24: reads one message on stdin ("sendmail -t") */
	char *notify_from;
	int64_t expiry_notice;    /* LANREQ-32 */
	int64_t conformance_check; /* LANREQ-30 */
	int64_t max_period;       /* C-16 */
	int utc_offset;           /* seconds east of UTC for usage hours (LANREQ-45) */
	bool four_eyes;           /* ADM-11 */
	unsigned second_approval; /* C-1: the role (bit) of the second approver; 0: none */
	bool direct_change;       /* LANREQ-36: a netadmin files and approves a change at once */
	bool enforce_services;    /* LANREQ-44: approved services restrict each device */
	/* LANREQ-31, C-21: the half-yearly department check's anchors, month * 100 + day */
	uint16_t dept_check[12];
	size_t n_dept_check;      /* 0: not scheduled */
	char *dept_check_to;      /* who is told of an overdue check; NULL: notify_from */
	/* LANREQ-47: switches, access points and routers the IS dept knows ("02:00:..") */
	char known_equipment[REGISTRY_KNOWN_EQUIPMENT_MAX][18];
	size_t n_known_equipment;
	unsigned peer_days;       /* LANREQ-33: the days of log the expiry notice reads; 0: none */
	int64_t retention;        /* C-8: seconds after its end a registration is purged */
	int64_t inventory;        /* ADM-7: the management IDs' inventory is due this often */
	char *inventory_to;       /* who is told of an overdue inventory; NULL: notify_from */
	struct origin origin;
};

/*
 * Forwarding the firewall log to the log server (the 'log.forward' group;
 * LOG-9): RFC 5424 over TCP, octet-counted, optionally TLS.
 */
struct log_forward {
	char *server;             /* host name or address; NULL: no forwarding */
	unsigned port;            /* 0: 6514 with TLS, 514 without */
	bool tls;
	char *ca;                 /* PEM CA file the server's certificate must chain to */
	char *cert, *key;         /* PEM client certificate and key; both or neither */
	char *hostname;           /* RFC 5424 HOSTNAME; NULL: the system's host name */
	unsigned facility;        /* 0..23; default 16 (local0) */
	struct origin origin;
};

/*
 * The periodic log analysis (the 'log.report' group; LOG-13..18, INC-5,
 * INC-7): thresholds and memory bounds, read by 'netctl log report' and
 * copied into lib/logreport.h's struct logreport_limits.
 */
struct log_report_settings {
	int64_t window;            /* seconds: the span of one burst of denials */
	unsigned denied;           /* LOG-14: denials of one source in one burst */
	unsigned scan_ports;       /* INC-5: distinct destination ports in one burst */
	unsigned scan_hosts;       /* INC-5: distinct destination addresses in one burst */
	unsigned db_connections;   /* LOG-16: connections of one DB host in one UTC day */
	char **db_hosts;           /* LOG-16: host names tagged as databases */
	size_t n_db_hosts, cap_db_hosts;
	struct host **db;          /* resolved by validation, parallel to db_hosts */
	unsigned sources;          /* source addresses tracked */
	unsigned top;              /* findings listed per kind */
	struct origin origin, db_hosts_origin;
};

struct settings {
	unsigned log_group;       /* NFLOG group of every deciding rule */
	unsigned deny_rate;       /* logged denials per second per rule (C-10) */
	unsigned deny_burst;
	unsigned log_sources;     /* C-10: sources tracked per family for the per-source limit; 0: none */
	unsigned source_rate;     /* logged denials per second per source and deny rule */
	unsigned source_burst;
	char *log_dir;            /* firewall log day files (LOG-10) */
	int64_t log_retention;    /* seconds they are kept (C-8: at least 365 days) */
	struct origin log_origin;
	struct log_forward log_forward;
	struct log_report_settings report;
	char *nat_address_text;   /* the gateway's global address for SNAT (NAT-1) */
	struct prefix nat_address;
	char *proxy_host_name;    /* PROXY-1, PROXY-2 */
	struct host *proxy_host;
	char *proxy_service_name;
	struct service *proxy_service;
	char *zone_dir;           /* relative to the main file's directory */
	struct origin nat_origin, proxy_origin;
	struct origin nat_address_origin, proxy_host_origin, proxy_service_origin;
};

struct policy {
	struct arena *arena;
	struct limits limits;
	struct settings settings;
	char *main_file;          /* as given by the edge */
	char **files;             /* interned file names referenced by origins */
	size_t n_files, cap_files;
	struct zone **zones;
	size_t n_zones, cap_zones;
	struct service **services;
	size_t n_services, cap_services;
	struct host **hosts;
	size_t n_hosts, cap_hosts;
	struct policy_rule **rules;
	size_t n_rules, cap_rules;
	struct wan_link **wans;
	size_t n_wans, cap_wans;
	struct nat_publish **publish;
	size_t n_publish, cap_publish;
	struct exception **exceptions;
	size_t n_exceptions, cap_exceptions;
	struct person **people;
	size_t n_people, cap_people;
	struct daemon_settings daemon;
	struct registry_settings registry;
	unsigned load_flags;      /* enum conf_load_flags of the load that built it */
	unsigned syntax_errors;   /* files that did not parse: references are not checked */
};

/* A new empty policy with default limits and settings, or NULL (ENOMEM). */
struct policy *policy_new(void);
void policy_free(struct policy *p);

/* Look-ups by exact name; NULL when absent. */
struct zone *policy_zone(const struct policy *p, const char *name);
struct service *policy_service(const struct policy *p, const char *name);
struct host *policy_host(const struct policy *p, const char *name);
struct exception *policy_exception(const struct policy *p, const char *id);
struct person *policy_person(const struct policy *p, const char *user);
/*
 * The next time after @now at which an exception named by a policy starts
 * or ends, so the ruleset must be compiled again (C-22); 0 when none.
 */
int64_t policy_next_exception_change(const struct policy *p, int64_t now);
/* "netadmin", ... for one role bit. */
const char *role_name(enum role r);

const char *env_name(enum env e);
const char *zone_kind_name(enum zone_kind k);
const char *host_class_name(enum host_class c);
const char *wan_dir_name(enum wan_dir d);
/* The environment a kind belongs to by default (ZONE-1 notes). */
enum env zone_kind_env(enum zone_kind k);
/* The environment whose service list governs traffic from @z (WAN zones: "wan"). */
enum env zone_service_env(const struct zone *z);
/* Protocol name ("tcp") or NULL for numbers without a name here. */
const char *proto_name(uint8_t proto);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The compiler: a validated policy model to ruleset data (see docs/architecture.md). */
#ifndef GW_COMPILE_H
#define GW_COMPILE_H

#include "diag.h"
#include "model.h"
#include "ruleset.h"

/* Names of the sets that later stages fill at run time. */
#define SET_REGISTERED "registered_devices" /* ether_addr . ipv4_addr (LANREQ-43) */
#define SET_QUARANTINE_MAC "quarantine_mac" /* INC-1 */
#define SET_QUARANTINE4 "quarantine4"
#define SET_VPN_GRANTS "vpn_grants"         /* RA-4 */
#define SET_PROXY_BYPASS "proxy_bypass"     /* PROXY-4 */
#define SET_ANTISPOOF4 "antispoof4"         /* NAT-4 */
#define SET_ANTISPOOF6 "antispoof6"
#define SET_IPV6_IFACES "ipv6_ifaces"       /* C-28 */
#define SET_DENY_SRC4 "deny_src4"         /* C-10: per-source log limit, filled by the kernel */
#define SET_DENY_SRC6 "deny_src6"
/* C-10: the kernel forgets a source this long after its last denial. */
#define DENY_SRC_TIMEOUT_S 3600
/* LANREQ-44: devices limited to their approved services (lanreq.h: lr_device_services). */
#define SET_RESTRICTED4 "restricted_devices4"   /* ipv4_addr */
#define SET_DEVICE_SERVICES4 "device_services4" /* ipv4_addr . inet_proto . inet_service */
#define SET_DEVICE_PROTOS4 "device_protos4"     /* ipv4_addr . inet_proto */
#define SET_INFRA_SERVICES "infra_services"     /* SVC-2, filled here: inet_proto . inet_service */
#define SET_INFRA_PROTOS "infra_protos"         /* SVC-2, filled here: inet_proto */
#define SET_PORT_PROTOS "port_protos"           /* tcp, udp, sctp: th dport is a port */
#define MAP_FORWARD "fwd_dispatch"
#define MAP_INPUT "in_dispatch"

/*
 * Compiles @p (validated by conf_validate) into a new ruleset. Problems that
 * only show after expansion (a duplicate rule id, too many rules) are queued
 * in @d. On success *@ret_rs is the ruleset (caller frees, independent of @p).
 * Returns 0, -EINVAL or -ENOMEM.
 */
/*
 * The log mark of deny @id (C-10): FNV-1a of the id, never 0. The compiler
 * gives a colliding deny the next free value, so the mark a rule carries
 * (struct rule.mark) is authoritative; this is only the first choice.
 */
uint32_t compile_log_mark(const char *id);

int compile_policy(const struct policy *p, struct ruleset **ret_rs, struct diag_list *d);

#endif

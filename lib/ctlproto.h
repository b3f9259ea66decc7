/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol between netctl and gatewayd: one JSON object per
 * SOCK_SEQPACKET message each way. A request:
 *
 *   {"version": 1, "verb": "status" | "reload" | "rollback" | "history",
 *    "args": {"to": 3}}                       (args optional, per verb)
 *   {"version": 1, "verb": "device", "args": {"op": "approve", "id": 12, ...}}
 *
 * "device" carries the LAN registry's verbs (lib/lanreq.h, enum lr_op): the
 * op is checked here, the fields by lib/lanreq.c; args values are strings,
 * integers, booleans or arrays of strings, nested no deeper.
 *
 * A response: {"ok": true, "result": {...}} or
 *             {"ok": false, "error": "reason", "diagnostics": ["file:line: ..."]}.
 * The parser is pure and fuzzed (tests/fuzz/fuzz_ctl.c): every malformed
 * request gets a reason, never a crash.
 */
#ifndef GW_CTLPROTO_H
#define GW_CTLPROTO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_PROTO_VERSION 1
/* Largest request accepted, in bytes (docs/operations.md). */
#define CTL_MAX_REQUEST 65536
/* Largest response netctl reads. */
#define CTL_MAX_RESPONSE (4u << 20)

enum ctl_verb {
	CTL_STATUS,
	CTL_RELOAD,
	CTL_ROLLBACK,
	CTL_HISTORY,
	CTL_DEVICE,
	CTL__COUNT
};

struct ctl_request {
	enum ctl_verb verb;
	int64_t to;    /* rollback: target version; 0: the previous one */
	int op;        /* device: enum lr_op */
	json_t *args;  /* device: the args object (owned; ctl_request_fini) */
};

void ctl_request_fini(struct ctl_request *req);

/*
 * Parses one request; a parsed request is released with ctl_request_fini().
 * Returns 0, or -EINVAL with *@ret_err pointing at a
 * constant reason (for the error response), or -ENOMEM.
 */
int ctl_parse_request(const char *buf, size_t len, struct ctl_request *ret, const char **ret_err);
const char *ctl_verb_name(enum ctl_verb v);
/* The roles (enum role bits) any one of which permits @v (ADM-4, ADM-9). */
unsigned ctl_verb_roles(enum ctl_verb v);

#endif

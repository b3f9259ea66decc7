/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Control protocol requests: parsing and the roles each verb needs. */
#include "ctlproto.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "lanreq.h"
#include "model.h"

void ctl_request_fini(struct ctl_request *req)
{
	json_decref(req->args);
	req->args = NULL;
}

/* Device args: flat, of scalar values or arrays of strings. */
static bool device_args_ok(json_t *args)
{
	const char *key;
	json_t *v, *e;
	size_t i;

	json_object_foreach(args, key, v) {
		if (!*key || strlen(key) > 64)
			return false;
		if (json_is_string(v) || json_is_integer(v) || json_is_boolean(v))
			continue;
		if (!json_is_array(v) || json_array_size(v) > 256)
			return false;
		json_array_foreach(v, i, e)
			if (!json_is_string(e))
				return false;
	}
	return true;
}

static const char *const verb_names[CTL__COUNT] = {
	[CTL_STATUS] = "status",
	[CTL_RELOAD] = "reload",
	[CTL_ROLLBACK] = "rollback",
	[CTL_HISTORY] = "history",
	[CTL_DEVICE] = "device",
};

const char *ctl_verb_name(enum ctl_verb v)
{
	return v < CTL__COUNT ? verb_names[v] : "?";
}

unsigned ctl_verb_roles(enum ctl_verb v)
{
	switch (v) {
	case CTL_STATUS:
	case CTL_HISTORY:
		/* ADM-4, OPS-9: read-only views for operators and auditors too. */
		return ROLE_NETADMIN | ROLE_OPERATOR | ROLE_AUDITOR;
	case CTL_RELOAD:
	case CTL_ROLLBACK:
		/* ADM-3, ADM-4: changing the ruleset needs the network-administrator role. */
		return ROLE_NETADMIN;
	case CTL_DEVICE:
		/* Any role may reach the registry; each op then needs its own (lr_op_roles). */
		return ROLE__ALL;
	default:
		return 0;
	}
}

int ctl_parse_request(const char *buf, size_t len, struct ctl_request *ret, const char **ret_err)
{
	json_t *root, *v, *args = NULL;
	const char *key, *verb;
	json_error_t jerr;
	size_t i;
	int r = -EINVAL;

	*ret_err = NULL;
	if (len > CTL_MAX_REQUEST) {
		*ret_err = "request too large";
		return -EINVAL;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		*ret_err = "request is not valid JSON";
		return -EINVAL;
	}
	memset(ret, 0, sizeof(*ret));
	if (!json_is_object(root)) {
		*ret_err = "request is not a JSON object";
		goto out;
	}
	json_object_foreach(root, key, v) {
		if (strcmp(key, "version") && strcmp(key, "verb") && strcmp(key, "args")) {
			*ret_err = "request has an unknown key";
			goto out;
		}
	}
	v = json_object_get(root, "version");
	if (v && (!json_is_integer(v) || json_integer_value(v) != CTL_PROTO_VERSION)) {
		*ret_err = "unsupported protocol version";
		goto out;
	}
	verb = json_string_value(json_object_get(root, "verb"));
	if (!verb) {
		*ret_err = "request has no verb";
		goto out;
	}
	for (i = 0; i < CTL__COUNT; i++)
		if (!strcmp(verb, verb_names[i]))
			break;
	if (i == CTL__COUNT) {
		*ret_err = "unknown verb";
		goto out;
	}
	ret->verb = (enum ctl_verb)i;
	args = json_object_get(root, "args");
	if (args && !json_is_object(args)) {
		*ret_err = "args is not an object";
		goto out;
	}
	if (ret->verb == CTL_DEVICE) {
		enum lr_op op;

		if (!args || lr_op_parse(json_string_value(json_object_get(args, "op")), &op)) {
			*ret_err = "device: args.op is missing or not a known operation";
			goto out;
		}
		if (!device_args_ok(args)) {
			*ret_err = "device: args must be flat: strings, integers, booleans, lists of "
				   "strings";
			goto out;
		}
		ret->op = (int)op;
		ret->args = json_incref(args);
	} else if (args) {
		json_object_foreach(args, key, v) {
			if (ret->verb == CTL_ROLLBACK && !strcmp(key, "to") && json_is_integer(v) &&
			    json_integer_value(v) > 0) {
				ret->to = json_integer_value(v);
				continue;
			}
			*ret_err = "bad or unknown argument for this verb";
			goto out;
		}
	}
	r = 0;
out:
	json_decref(root);
	return r;
}

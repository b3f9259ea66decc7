/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl: verb table entries and shared options. */
#ifndef NETCTL_H
#define NETCTL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#define NETCTL_DEFAULT_CONF "/etc/gatewayd/gatewayd.conf"
#define NETCTL_DEFAULT_SOCKET "/run/gatewayd/control"

/* Exit statuses (docs/architecture.md): ok, refused, usage. */
enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

int cmd_check(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_log_verify(int argc, char **argv);
struct policy;
/*
 * The firewall log's directory: *@dir when given and the config is not
 * @need'ed; else the config @conf is loaded (*@ret_p, the caller frees it)
 * and its log.dir (default /var/log/gatewayd) used. 0, or -EINVAL after
 * saying why (@what names the verb).
 */
int log_dir_load(const char *conf, int64_t now, bool need, const char *what, const char **dir,
		 struct policy **ret_p);
int cmd_reload(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_device(int argc, char **argv);

/* One request to gatewayd's control socket; the response, or NULL (reason printed). */
json_t *netctl_call(const char *path, json_t *req);
/* Prints a refusal response's reason and diagnostics; returns EXIT_REFUSED. */
int netctl_refusal(json_t *resp);

/* Prints "netctl: <msg>" on stderr. */
void die_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

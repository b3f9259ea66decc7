/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl: verb table entries and shared options. */
#ifndef NETCTL_H
#define NETCTL_H

#include <stdbool.h>
#include <stdint.h>

#define NETCTL_DEFAULT_CONF "/etc/gatewayd/gatewayd.conf"

/* Exit statuses (docs/architecture.md): ok, refused, usage. */
enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

int cmd_check(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_rollback(int argc, char **argv);

/* Prints "netctl: <msg>" on stderr. */
void die_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

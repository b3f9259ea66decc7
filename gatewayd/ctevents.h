/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edge: conntrack NEW events (NFNLGRP_CONNTRACK_NEW) over ctnetlink with
 * libmnl, for the translated side of log records (NAT-5, lib/natjoin.h).
 * Each new entry, once confirmed (its NAT done), goes to a callback;
 * decoding is lib/ctattr.c. Needs ctnetlink in the kernel
 * (nf_conntrack_netlink, modprobe'd by scripts/deps where it is a module).
 */
#ifndef GW_CTEVENTS_H
#define GW_CTEVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctattr.h"

struct ctevents;

typedef void (*ctevents_fn)(const struct ct_entry *ct, void *user);

/* Opens the event group with a receive buffer of @bufsize bytes. 0 or a negative errno. */
int ctevents_open(size_t bufsize, struct ctevents **ret);
int ctevents_fd(const struct ctevents *c);
/* Hands every waiting new entry to @fn; does not block. Returns the count or -errno. */
int ctevents_read(struct ctevents *c, ctevents_fn fn, void *user);
/* Events the kernel could not queue (ENOBUFS) and messages that did not decode. */
uint64_t ctevents_lost(const struct ctevents *c);
/* Entries read and handed on since the open. */
uint64_t ctevents_read_total(const struct ctevents *c);
/*
 * Whether the kernel filters the events (only translated connections'
 * reach gatewayd); false: every new connection's event is read and
 * decoded, and the join ignores the untranslated ones.
 */
bool ctevents_filtered(const struct ctevents *c);
void ctevents_close(struct ctevents *c);

#endif

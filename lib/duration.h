/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Durations ("14d", "12h") and UTC dates; one representation: int64_t seconds. */
#ifndef GW_DURATION_H
#define GW_DURATION_H

#include <stddef.h>
#include <stdint.h>

#define DAY_SECONDS ((int64_t)86400)

/* "30s", "15m", "12h", "14d", "2w"; a bare number is seconds. 0 or -EINVAL. */
int duration_parse(const char *s, int64_t *ret);
/*
 * "2027-03-31" (midnight UTC at the start of that day) or RFC 3339
 * "2027-03-31T12:00:00Z" / "+09:00". Returns 0 or -EINVAL.
 */
int time_parse(const char *s, int64_t *ret);
/* "2027-03-31T00:00:00Z" */
void time_format(int64_t t, char *buf, size_t len);
/* "2027-03-31" */
void date_format(int64_t t, char *buf, size_t len);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ADM-1, ADM-5..7: the inventory of management IDs. A report of who holds
 * which OS account mapped to a person of the config's 'people', with which
 * roles and therefore which rights, since when and approved by whom, with
 * what an inventory should look at (findings); and when the next periodic
 * inventory is due. Pure: the daemon hands in the policy in force, the
 * recorded changes of 'people' and the recorded person statuses, and
 * stores what comes out (gatewayd/lan.c).
 */
#ifndef GW_INVENTORY_H
#define GW_INVENTORY_H

#include <jansson.h>
#include <stdint.h>

#include "model.h"

/*
 * The rights @roles give, as an array of strings in a fixed order: the
 * control verbs ("status", "reload", ...), then "device OP" for each
 * registry operation that changes something, then "device views" (every
 * role may read the registry). @second_approval is the role bit of
 * registry.second_approval (0: none). NULL on ENOMEM.
 */
json_t *inv_rights(unsigned roles, unsigned second_approval);

/*
 * ADM-7: the report. @changes: the events of the config's people, oldest
 * first, each { "at", "actor", "before", "after" } with before and after
 * arrays of { "user", "name", "roles", "approved_by", "department" } (as
 * gatewayd records them, ADM-5); @statuses: the recorded person statuses,
 * each { "name", "status", "since", "recorded_by" } (C-15). Either may be
 * NULL. The report holds no time of its own, so the same people, history
 * and statuses give the same report and the same inv_report_text:
 *   { "ids": [ { "user", "person", "roles", "rights", "department"?,
 *                "approved_by"?, "since"?, "since_by"?, "findings" }, ... ],
 *     "second_approval"? }
 * sorted by user; "since" is when the entry took its present form (its
 * appointment or last change), "since_by" who applied that config. NULL on
 * ENOMEM.
 */
json_t *inv_report(const struct policy *p, const json_t *changes, const json_t *statuses);

/*
 * The canonical text of @report (compact JSON, sorted keys), which the
 * daemon hashes to name the report an inventory covered. Malloc'd, or NULL.
 */
char *inv_report_text(const json_t *report);

/*
 * When the next inventory is due: @period after the last one (@last), or,
 * none recorded yet, after @first, the first record of the people (0: none
 * yet). 0 when @period is 0 or there is nothing to count from.
 */
int64_t inv_due(int64_t period, int64_t last, int64_t first);

/*
 * ADM-7: the notice that the inventory due at @due is not recorded, to @to.
 * @last: the time of the last inventory as text, or NULL (never). @ids: how
 * many management IDs the config holds. Malloc'd, or NULL (ENOMEM).
 */
char *inv_notice_text(int64_t due, const char *last, size_t ids, const char *to,
		      const char *from);

#endif

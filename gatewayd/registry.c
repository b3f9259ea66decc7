/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: the LAN registry's SQLite storage (see registry.h). */
#include "registry.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct registry {
	sqlite3 *db;
	int wal_pages; /* after the last commit (wal_hook) */
};

/*
 * Schema migrations: entry N brings a database from version N to N + 1.
 * Never edit a released entry; append a new one. An entry MIGRATE_IN_CODE
 * is done by migrate_in_code(), which checks what exists first.
 */
#define MIGRATE_IN_CODE ""
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE devices ("
	"  id INTEGER PRIMARY KEY,"
	"  state TEXT NOT NULL,"
	"  zone TEXT, mac TEXT, ip TEXT, hostname TEXT, user_name TEXT, department TEXT,"
	"  doc TEXT NOT NULL,"
	"  created INTEGER NOT NULL, updated INTEGER NOT NULL);"
	"CREATE INDEX devices_state ON devices(state);"
	"CREATE INDEX devices_mac ON devices(mac);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL, actor TEXT NOT NULL, subject TEXT NOT NULL,"
	"  action TEXT NOT NULL, reason TEXT, before TEXT, after TEXT);"
	"CREATE INDEX events_subject ON events(subject);"
	"CREATE TABLE notices ("
	"  id INTEGER PRIMARY KEY,"
	"  device_id INTEGER, kind TEXT NOT NULL, created INTEGER NOT NULL,"
	"  message TEXT NOT NULL, status TEXT NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, sent_at INTEGER);"
	"CREATE TABLE persons ("
	"  name TEXT PRIMARY KEY, status TEXT NOT NULL, since INTEGER NOT NULL,"
	"  recorded_by TEXT NOT NULL);"
	"CREATE TABLE sightings ("
	"  mac TEXT NOT NULL, ip TEXT NOT NULL, iface TEXT NOT NULL, kind TEXT,"
	"  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, count INTEGER NOT NULL,"
	"  PRIMARY KEY (mac, ip, iface));",
	/* 1 -> 2: C-24: what the notify command printed, kept with the notice. */
	"ALTER TABLE notices ADD COLUMN output TEXT;",
	/* 2 -> 3: LANREQ-31: the half-yearly department checks and their overdue notices. */
	"CREATE TABLE dept_checks ("
	"  id INTEGER PRIMARY KEY, department TEXT NOT NULL, at INTEGER NOT NULL,"
	"  done_by TEXT NOT NULL, recorded_by TEXT NOT NULL, note TEXT NOT NULL);"
	"CREATE INDEX dept_checks_department ON dept_checks(department);"
	"CREATE TABLE dept_overdue ("
	"  department TEXT NOT NULL, due INTEGER NOT NULL, notice_id INTEGER,"
	"  PRIMARY KEY (department, due));",
	/* 3 -> 4: INC-1: quarantines of addresses and MACs that have no registration. */
	"CREATE TABLE addr_quarantines ("
	"  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, value TEXT NOT NULL,"
	"  reason TEXT NOT NULL, quarantined_by TEXT NOT NULL, at INTEGER NOT NULL,"
	"  released_at INTEGER, released_by TEXT, instructed_by TEXT);"
	"CREATE INDEX addr_quarantines_value ON addr_quarantines(value);",
	/*
	 * 4 -> 5: LANREQ-47: what an equipment sighting said, sightings.detail.
	 * Done in code (migrate_in_code), and only when the column is missing.
	 */
	MIGRATE_IN_CODE,
	/*
	 * 5 -> 6: C-1, LANREQ-36, LANREQ-48: documents may hold the states
	 * "second-approval" and "held" and a "pending_change". The tables do
	 * not change, but an older gatewayd would read an unknown state as
	 * "requested" (and could approve a held device again): the version
	 * makes it refuse this database instead.
	 */
	"SELECT 1;",
	/*
	 * 6 -> 7: ADM-7: each recorded inventory of the management IDs, with
	 * the report it covered (its text and SHA-256), and the overdue
	 * inventories already notified. Self-contained: it touches no other
	 * table and may find its tables made already (a step renumbered at a
	 * merge, a database whose version was set back), so it can move.
	 */
	"CREATE TABLE IF NOT EXISTS inventories ("
	"  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, done_by TEXT NOT NULL,"
	"  note TEXT NOT NULL, report_sha256 TEXT NOT NULL, report TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS inventory_overdue ("
	"  due INTEGER PRIMARY KEY, notice_id INTEGER);",
};

const char *registry_errmsg(struct registry *r)
{
	return r && r->db ? sqlite3_errmsg(r->db) : "no registry";
}

static int exec(struct registry *r, const char *sql)
{
	return sqlite3_exec(r->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

int registry_schema(struct registry *r)
{
	sqlite3_stmt *st;
	int v = -EIO;

	if (sqlite3_prepare_v2(r->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static bool has_column(struct registry *r, const char *table, const char *column)
{
	sqlite3_stmt *st;
	bool found = false;

	if (sqlite3_prepare_v2(r->db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1,
			       &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* The steps that check what exists: each may already have been done. */
static int migrate_in_code(struct registry *r)
{
	/* lan3: LANREQ-47, what an equipment sighting said. */
	if (!has_column(r, "sightings", "detail") &&
	    exec(r, "ALTER TABLE sightings ADD COLUMN detail TEXT"))
		return -EIO;
	return 0;
}

static int migrate(struct registry *r, char *err, size_t errlen)
{
	int v = registry_schema(r);
	char sql[64];

	if (v < 0) {
		snprintf(err, errlen, "cannot read the schema version: %s", registry_errmsg(r));
		return -EIO;
	}
	if (v > (int)(sizeof(migrations) / sizeof(migrations[0]))) {
		snprintf(err, errlen, "the registry has schema version %d, newer than this gatewayd "
				      "(%d); refusing to touch it",
			 v, REGISTRY_SCHEMA);
		return -EPROTO;
	}
	for (; v < REGISTRY_SCHEMA; v++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (exec(r, "BEGIN IMMEDIATE") ||
		    (*migrations[v] ? exec(r, migrations[v]) : migrate_in_code(r)) || exec(r, sql) ||
		    exec(r, "COMMIT")) {
			snprintf(err, errlen, "migrating the registry to schema %d failed: %s", v + 1,
				 registry_errmsg(r));
			exec(r, "ROLLBACK");
			return -EIO;
		}
	}
	return 0;
}

/*
 * Indexes that change no meaning, made at every open and not a step of the
 * schema: a gatewayd without them reads and writes the same database (SQLite
 * keeps them up to date for it), so they neither refuse an older gatewayd
 * nor take a version number another branch may need. Without them every
 * verb read the whole notices table to find the pending ones (100 ms with
 * 100k sent notices; LANREQ-42, docs/registry.md 11).
 */
static int indexes(struct registry *r, char *err, size_t errlen)
{
	if (exec(r, "CREATE INDEX IF NOT EXISTS notices_status ON notices(status);"
		    "CREATE INDEX IF NOT EXISTS notices_device ON notices(device_id);")) {
		snprintf(err, errlen, "creating the registry's indexes failed: %s",
			 registry_errmsg(r));
		return -EIO;
	}
	return 0;
}

static int wal_hook(void *data, sqlite3 *db, const char *name, int pages)
{
	struct registry *r = data;

	(void)db;
	(void)name;
	r->wal_pages = pages;
	return SQLITE_OK;
}

struct registry *registry_open(const char *path, char *err, size_t errlen)
{
	struct registry *r = calloc(1, sizeof(*r));
	int fd;

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* The registry holds personal data (names, contacts): owner and group only. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(r);
		return NULL;
	}
	close(fd);
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, registry_errmsg(r));
		registry_close(r);
		return NULL;
	}
	sqlite3_busy_timeout(r->db, 5000);
	/*
	 * WAL with synchronous=FULL: a commit is on disk before netctl is told
	 * "done", so a crash right after loses nothing reported (ARCHITECTURE).
	 */
	if (exec(r, "PRAGMA journal_mode = WAL") || exec(r, "PRAGMA synchronous = FULL") ||
	    exec(r, "PRAGMA foreign_keys = ON")) {
		snprintf(err, errlen, "%s: %s", path, registry_errmsg(r));
		registry_close(r);
		return NULL;
	}
	if (migrate(r, err, errlen) || indexes(r, err, errlen)) {
		registry_close(r);
		return NULL;
	}
	/* Replaces SQLite's own hook, the automatic checkpoint in the commit. */
	sqlite3_wal_hook(r->db, wal_hook, r);
	return r;
}

int registry_wal_pages(struct registry *r)
{
	return r->wal_pages;
}

int registry_checkpoint(struct registry *r)
{
	/* Tried once per commit at most: the next commit's size asks again. */
	r->wal_pages = 0;
	/* Copied whole, the WAL is written from its start again by the next commit. */
	if (sqlite3_wal_checkpoint_v2(r->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL))
		return -EIO;
	return 0;
}

void registry_close(struct registry *r)
{
	if (!r)
		return;
	sqlite3_close(r->db);
	free(r);
}

int registry_begin(struct registry *r)
{
	return exec(r, "BEGIN IMMEDIATE");
}

int registry_commit(struct registry *r)
{
	return exec(r, "COMMIT");
}

void registry_rollback(struct registry *r)
{
	exec(r, "ROLLBACK");
}

/* ---- statements ------------------------------------------------------------ */

static int prep(struct registry *r, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v2(r->db, sql, -1, st, NULL) == SQLITE_OK ? 0 : -EIO;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static const char *dstr(const json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

static char *dump(const json_t *doc)
{
	return json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
}

static void bind_doc(sqlite3_stmt *st, const json_t *doc, const char *text)
{
	bind_text(st, 1, dstr(doc, "state"));
	bind_text(st, 2, dstr(doc, "zone"));
	bind_text(st, 3, dstr(doc, "device.mac"));
	bind_text(st, 4, dstr(doc, "device.ip") ? dstr(doc, "device.ip") : dstr(doc, "lease_ip"));
	bind_text(st, 5, dstr(doc, "device.hostname"));
	bind_text(st, 6, dstr(doc, "user.name"));
	bind_text(st, 7, dstr(doc, "user.department"));
	bind_text(st, 8, text);
}

int registry_insert(struct registry *r, json_t *doc, int64_t now)
{
	sqlite3_stmt *st;
	char *text;
	int64_t id;
	int rc;

	if (prep(r, "SELECT coalesce(max(id), 0) + 1 FROM devices", &st))
		return -EIO;
	rc = sqlite3_step(st);
	id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (!id)
		return -EIO;
	if (json_object_set_new(doc, "id", json_integer(id)))
		return -ENOMEM;
	text = dump(doc);
	if (!text)
		return -ENOMEM;
	if (prep(r,
		 "INSERT INTO devices (state, zone, mac, ip, hostname, user_name, department, doc, "
		 "id, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
		 &st)) {
		free(text);
		return -EIO;
	}
	bind_doc(st, doc, text);
	sqlite3_bind_int64(st, 9, id);
	sqlite3_bind_int64(st, 10, now);
	rc = done(st);
	free(text);
	return rc;
}

int registry_update(struct registry *r, const json_t *doc, int64_t now)
{
	sqlite3_stmt *st;
	char *text = dump(doc);
	int rc;

	if (!text)
		return -ENOMEM;
	if (prep(r,
		 "UPDATE devices SET state = ?1, zone = ?2, mac = ?3, ip = ?4, hostname = ?5, "
		 "user_name = ?6, department = ?7, doc = ?8, updated = ?10 WHERE id = ?9",
		 &st)) {
		free(text);
		return -EIO;
	}
	bind_doc(st, doc, text);
	sqlite3_bind_int64(st, 9, json_integer_value(json_object_get(doc, "id")));
	sqlite3_bind_int64(st, 10, now);
	rc = done(st);
	free(text);
	return rc == 0 && sqlite3_changes(r->db) != 1 ? -ENOENT : rc;
}

static json_t *load_doc(sqlite3_stmt *st, int col)
{
	const char *text = (const char *)sqlite3_column_text(st, col);
	json_t *doc = text ? json_loads(text, 0, NULL) : NULL;

	return json_is_object(doc) ? doc : (json_decref(doc), NULL);
}

int registry_get(struct registry *r, int64_t id, json_t **ret)
{
	sqlite3_stmt *st;
	int rc;

	*ret = NULL;
	if (prep(r, "SELECT doc FROM devices WHERE id = ?1", &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = load_doc(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return -ENOENT;
	return *ret ? 0 : -EIO;
}

/* Runs @st (prepared and bound) to its end: one array element per row, made by @row. */
static int collect(sqlite3_stmt *st, json_t *(*row)(sqlite3_stmt *st), json_t **ret)
{
	json_t *a = json_array(), *e;
	int rc;

	*ret = NULL;
	if (!a) {
		sqlite3_finalize(st);
		return -ENOMEM;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((e = row(st)))
			json_array_append_new(a, e);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return -EIO;
	}
	*ret = a;
	return 0;
}

static json_t *row_doc(sqlite3_stmt *st)
{
	return load_doc(st, 0);
}

int registry_all(struct registry *r, json_t **ret)
{
	sqlite3_stmt *st;

	*ret = NULL;
	if (prep(r, "SELECT doc FROM devices ORDER BY id", &st))
		return -EIO;
	return collect(st, row_doc, ret);
}

/* ---- events ------------------------------------------------------------------ */

int registry_event(struct registry *r, int64_t at, const char *actor, const char *subject,
		   const char *action, const char *reason, const json_t *before,
		   const json_t *after)
{
	char *b = before ? dump(before) : NULL, *a = after ? dump(after) : NULL;
	sqlite3_stmt *st;
	int rc = -EIO;

	if ((before && !b) || (after && !a)) {
		rc = -ENOMEM;
		goto out;
	}
	if (prep(r,
		 "INSERT INTO events (at, actor, subject, action, reason, before, after) "
		 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		 &st))
		goto out;
	sqlite3_bind_int64(st, 1, at);
	bind_text(st, 2, actor);
	bind_text(st, 3, subject);
	bind_text(st, 4, action);
	bind_text(st, 5, reason);
	bind_text(st, 6, b);
	bind_text(st, 7, a);
	rc = done(st);
out:
	free(b);
	free(a);
	return rc;
}

static json_t *col_json(sqlite3_stmt *st, int col)
{
	const char *text = (const char *)sqlite3_column_text(st, col);

	if (!text)
		return json_null();
	return json_loads(text, 0, NULL) ?: json_null();
}

static json_t *col_str(sqlite3_stmt *st, int col)
{
	const char *text = (const char *)sqlite3_column_text(st, col);

	return text ? json_string(text) : json_null();
}

static json_t *row_event(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
			 (json_int_t)sqlite3_column_int64(st, 0), "at",
			 (json_int_t)sqlite3_column_int64(st, 1), "actor", col_str(st, 2), "subject",
			 col_str(st, 3), "action", col_str(st, 4), "reason", col_str(st, 5), "before",
			 col_json(st, 6), "after", col_json(st, 7));
}

int registry_events(struct registry *r, const char *subject, json_t **ret)
{
	sqlite3_stmt *st;

	*ret = NULL;
	if (prep(r,
		 "SELECT id, at, actor, subject, action, reason, before, after FROM events "
		 "WHERE ?1 IS NULL OR subject = ?1 ORDER BY id",
		 &st))
		return -EIO;
	bind_text(st, 1, subject);
	return collect(st, row_event, ret);
}

/* ---- notices ------------------------------------------------------------------ */

int registry_notice_add(struct registry *r, int64_t device_id, const char *kind, int64_t at,
			const char *message, int64_t *ret_id)
{
	sqlite3_stmt *st;
	int rc;

	if (prep(r,
		 "INSERT INTO notices (device_id, kind, created, message, status) "
		 "VALUES (?1, ?2, ?3, ?4, 'pending')",
		 &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, device_id);
	bind_text(st, 2, kind);
	sqlite3_bind_int64(st, 3, at);
	bind_text(st, 4, message);
	rc = done(st);
	if (!rc && ret_id)
		*ret_id = sqlite3_last_insert_rowid(r->db);
	return rc;
}

static json_t *row_notice(sqlite3_stmt *st)
{
	return json_pack("{s:o, s:I, s:I, s:o, s:I, s:o, s:o, s:I, s:o, s:o}", "output",
			 col_str(st, 9), "id",
			 (json_int_t)sqlite3_column_int64(st, 0), "device",
			 (json_int_t)sqlite3_column_int64(st, 1), "kind", col_str(st, 2), "created",
			 (json_int_t)sqlite3_column_int64(st, 3), "message", col_str(st, 4), "status",
			 col_str(st, 5), "attempts", (json_int_t)sqlite3_column_int64(st, 6), "error",
			 col_str(st, 7), "sent_at",
			 sqlite3_column_type(st, 8) == SQLITE_NULL
				 ? json_null()
				 : json_integer(sqlite3_column_int64(st, 8)));
}

int registry_notices(struct registry *r, const char *status, int64_t device, json_t **ret)
{
	sqlite3_stmt *st;

#define NOTICE_COLS                                                                      \
	"SELECT id, device_id, kind, created, message, status, attempts, last_error, sent_at, " \
	"output FROM notices "
	/*
	 * One statement per filter: "?1 IS NULL OR status = ?1" would be
	 * planned once for any value, as a scan of every notice ever sent.
	 */
	static const char *const sql[] = {
		NOTICE_COLS "WHERE ?1 IS NULL AND ?2 = 0 ORDER BY id",
		NOTICE_COLS "WHERE status = ?1 AND ?2 = 0 ORDER BY id",
		NOTICE_COLS "WHERE ?1 IS NULL AND device_id = ?2 ORDER BY id",
		NOTICE_COLS "WHERE status = ?1 AND device_id = ?2 ORDER BY id",
	};
#undef NOTICE_COLS

	*ret = NULL;
	if (prep(r, sql[(status ? 1 : 0) + (device ? 2 : 0)], &st))
		return -EIO;
	bind_text(st, 1, status);
	sqlite3_bind_int64(st, 2, device);
	return collect(st, row_notice, ret);
}

int registry_notice_result(struct registry *r, int64_t id, bool sent, const char *error,
			   const char *output, int64_t at)
{
	sqlite3_stmt *st;

	if (prep(r,
		 "UPDATE notices SET status = ?2, attempts = attempts + 1, last_error = ?3, "
		 "output = ?5, sent_at = CASE WHEN ?2 = 'sent' THEN ?4 ELSE sent_at END "
		 "WHERE id = ?1",
		 &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	bind_text(st, 2, sent ? "sent" : "failed");
	bind_text(st, 3, error);
	sqlite3_bind_int64(st, 4, at);
	bind_text(st, 5, output && *output ? output : NULL);
	return done(st);
}

int registry_notice_get(struct registry *r, int64_t id, json_t **ret)
{
	sqlite3_stmt *st;
	json_t *rows = NULL;
	int rc;

	*ret = NULL;
	if (prep(r,
		 "SELECT id, device_id, kind, created, message, status, attempts, last_error, "
		 "sent_at, output FROM notices WHERE id = ?1",
		 &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	rc = collect(st, row_notice, &rows);
	if (rc)
		return rc;
	if (!json_array_size(rows)) {
		json_decref(rows);
		return -ENOENT;
	}
	*ret = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return 0;
}

int registry_notice_requeue(struct registry *r, int64_t id)
{
	sqlite3_stmt *st;

	if (prep(r, "UPDATE notices SET status = 'pending' WHERE id = ?1 AND status = 'failed'",
		 &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	if (done(st))
		return -EIO;
	return sqlite3_changes(r->db) == 1 ? 0 : -ENOENT;
}

/* ---- persons and sightings ------------------------------------------------------ */

int registry_person_set(struct registry *r, const char *name, const char *status, int64_t at,
			const char *by)
{
	sqlite3_stmt *st;

	if (prep(r,
		 "INSERT INTO persons (name, status, since, recorded_by) VALUES (?1, ?2, ?3, ?4) "
		 "ON CONFLICT (name) DO UPDATE SET status = ?2, since = ?3, recorded_by = ?4",
		 &st))
		return -EIO;
	bind_text(st, 1, name);
	bind_text(st, 2, status);
	sqlite3_bind_int64(st, 3, at);
	bind_text(st, 4, by);
	return done(st);
}

static json_t *row_person(sqlite3_stmt *st)
{
	return json_pack("{s:o, s:o, s:I, s:o}", "name", col_str(st, 0), "status", col_str(st, 1),
			 "since", (json_int_t)sqlite3_column_int64(st, 2), "recorded_by",
			 col_str(st, 3));
}

int registry_persons(struct registry *r, json_t **ret)
{
	sqlite3_stmt *st;

	*ret = NULL;
	if (prep(r, "SELECT name, status, since, recorded_by FROM persons ORDER BY name", &st))
		return -EIO;
	return collect(st, row_person, ret);
}

int registry_sighting(struct registry *r, const char *mac, const char *ip, const char *iface,
		      const char *kind, int64_t at)
{
	sqlite3_stmt *st;

	if (prep(r,
		 "INSERT INTO sightings (mac, ip, iface, kind, first_seen, last_seen, count) "
		 "VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1) ON CONFLICT (mac, ip, iface) DO UPDATE SET "
		 "kind = ?4, last_seen = ?5, count = count + 1",
		 &st))
		return -EIO;
	bind_text(st, 1, mac);
	bind_text(st, 2, ip);
	bind_text(st, 3, iface);
	bind_text(st, 4, kind);
	sqlite3_bind_int64(st, 5, at);
	return done(st);
}

static json_t *row_sighting(sqlite3_stmt *st)
{
	json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:I, s:I, s:I}", "mac", col_str(st, 0), "ip",
			      col_str(st, 1), "iface", col_str(st, 2), "kind", col_str(st, 3),
			      "first_seen", (json_int_t)sqlite3_column_int64(st, 4), "last_seen",
			      (json_int_t)sqlite3_column_int64(st, 5), "count",
			      (json_int_t)sqlite3_column_int64(st, 6));

	/* LANREQ-47: what an equipment frame said. */
	if (o && sqlite3_column_type(st, 7) == SQLITE_TEXT)
		json_object_set_new(o, "detail", col_str(st, 7));
	return o;
}

int registry_sightings(struct registry *r, json_t **ret)
{
	sqlite3_stmt *st;

	*ret = NULL;
	if (prep(r,
		 "SELECT mac, ip, iface, kind, first_seen, last_seen, count, detail FROM sightings "
		 "ORDER BY last_seen DESC, mac LIMIT 10000",
		 &st))
		return -EIO;
	return collect(st, row_sighting, ret);
}

/* ---- LANREQ-31: department checks ----------------------------------------------- */

int registry_dept_check_add(struct registry *r, const char *department, int64_t at,
			    const char *done_by, const char *recorded_by, const char *note)
{
	sqlite3_stmt *st;

	if (prep(r,
		 "INSERT INTO dept_checks (department, at, done_by, recorded_by, note) "
		 "VALUES (?1, ?2, ?3, ?4, ?5)",
		 &st))
		return -EIO;
	bind_text(st, 1, department);
	sqlite3_bind_int64(st, 2, at);
	bind_text(st, 3, done_by);
	bind_text(st, 4, recorded_by);
	bind_text(st, 5, note);
	return done(st);
}

static json_t *row_dept_check(sqlite3_stmt *st)
{
	return json_pack("{s:o, s:I, s:o, s:o, s:o}", "department", col_str(st, 0), "at",
			 (json_int_t)sqlite3_column_int64(st, 1), "done_by", col_str(st, 2),
			 "recorded_by", col_str(st, 3), "note", col_str(st, 4));
}

int registry_dept_checks(struct registry *r, json_t **ret)
{
	sqlite3_stmt *st;

	*ret = NULL;
	if (prep(r,
		 "SELECT department, at, done_by, recorded_by, note FROM dept_checks ORDER BY id",
		 &st))
		return -EIO;
	return collect(st, row_dept_check, ret);
}

int registry_dept_overdue(struct registry *r, const char *department, int64_t due, bool *ret)
{
	sqlite3_stmt *st;
	int rc;

	*ret = false;
	if (prep(r, "SELECT 1 FROM dept_overdue WHERE department = ?1 AND due = ?2", &st))
		return -EIO;
	bind_text(st, 1, department);
	sqlite3_bind_int64(st, 2, due);
	rc = sqlite3_step(st);
	*ret = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

int registry_dept_overdue_add(struct registry *r, const char *department, int64_t due,
			      int64_t notice_id)
{
	sqlite3_stmt *st;

	if (prep(r, "INSERT INTO dept_overdue (department, due, notice_id) VALUES (?1, ?2, ?3)",
		 &st))
		return -EIO;
	bind_text(st, 1, department);
	sqlite3_bind_int64(st, 2, due);
	sqlite3_bind_int64(st, 3, notice_id);
	return done(st);
}

/* ---- INC-1: quarantines of addresses without a registration ---------------------- */

int registry_aq_add(struct registry *r, const char *kind, const char *value, const char *reason,
		    const char *by, int64_t at, int64_t *ret_id)
{
	sqlite3_stmt *st;
	int rc;

	if (prep(r,
		 "INSERT INTO addr_quarantines (kind, value, reason, quarantined_by, at) "
		 "VALUES (?1, ?2, ?3, ?4, ?5)",
		 &st))
		return -EIO;
	bind_text(st, 1, kind);
	bind_text(st, 2, value);
	bind_text(st, 3, reason);
	bind_text(st, 4, by);
	sqlite3_bind_int64(st, 5, at);
	rc = done(st);
	if (!rc && ret_id)
		*ret_id = sqlite3_last_insert_rowid(r->db);
	return rc;
}

static json_t *row_aq(sqlite3_stmt *st)
{
	json_t *o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:I}", "id",
			      (json_int_t)sqlite3_column_int64(st, 0), "kind", col_str(st, 1),
			      "value", col_str(st, 2), "reason", col_str(st, 3), "quarantined_by",
			      col_str(st, 4), "at", (json_int_t)sqlite3_column_int64(st, 5));

	if (o && sqlite3_column_type(st, 6) != SQLITE_NULL) {
		json_object_set_new(o, "released_at", json_integer(sqlite3_column_int64(st, 6)));
		json_object_set_new(o, "released_by", col_str(st, 7));
		json_object_set_new(o, "instructed_by", col_str(st, 8));
	}
	return o;
}

int registry_aqs(struct registry *r, bool all, json_t **ret)
{
	sqlite3_stmt *st;

	*ret = NULL;
	if (prep(r,
		 "SELECT id, kind, value, reason, quarantined_by, at, released_at, released_by, "
		 "instructed_by FROM addr_quarantines WHERE ?1 OR released_at IS NULL ORDER BY id",
		 &st))
		return -EIO;
	sqlite3_bind_int(st, 1, all);
	return collect(st, row_aq, ret);
}

int registry_aq_release(struct registry *r, int64_t id, int64_t at, const char *by,
			const char *instructed_by)
{
	sqlite3_stmt *st;

	if (prep(r,
		 "UPDATE addr_quarantines SET released_at = ?2, released_by = ?3, "
		 "instructed_by = ?4 WHERE id = ?1 AND released_at IS NULL",
		 &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, at);
	bind_text(st, 3, by);
	bind_text(st, 4, instructed_by);
	if (done(st))
		return -EIO;
	return sqlite3_changes(r->db) == 1 ? 0 : -ENOENT;
}

/* ---- LANREQ-47: equipment sightings; C-8: retention --------------------------- */

int registry_sighting_detail(struct registry *r, const char *mac, const char *ip,
			     const char *iface, const char *kind, const char *detail, int64_t at)
{
	sqlite3_stmt *st;

	if (prep(r,
		 "INSERT INTO sightings (mac, ip, iface, kind, first_seen, last_seen, count, detail) "
		 "VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1, ?6) ON CONFLICT (mac, ip, iface) DO UPDATE SET "
		 "kind = ?4, last_seen = ?5, count = count + 1, detail = ?6",
		 &st))
		return -EIO;
	bind_text(st, 1, mac);
	bind_text(st, 2, ip);
	bind_text(st, 3, iface);
	bind_text(st, 4, kind);
	sqlite3_bind_int64(st, 5, at);
	bind_text(st, 6, detail);
	return done(st);
}

int registry_purge_history(struct registry *r, int64_t id)
{
	char subject[32];
	sqlite3_stmt *st;

	snprintf(subject, sizeof(subject), "device:%lld", (long long)id);
	if (prep(r, "DELETE FROM events WHERE subject = ?1", &st))
		return -EIO;
	bind_text(st, 1, subject);
	if (done(st) || prep(r, "DELETE FROM notices WHERE device_id = ?1", &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	return done(st);
}

int registry_purge_sightings(struct registry *r, int64_t before)
{
	sqlite3_stmt *st;

	if (prep(r, "DELETE FROM sightings WHERE last_seen < ?1", &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, before);
	if (done(st))
		return -EIO;
	return sqlite3_changes(r->db);
}

/* ---- ADM-7: inventories of the management IDs ------------------------------------ */

int registry_inventory_add(struct registry *r, int64_t at, const char *done_by, const char *note,
			   const char *sha256, const char *report, int64_t *ret_id)
{
	sqlite3_stmt *st;
	int rc;

	if (prep(r,
		 "INSERT INTO inventories (at, done_by, note, report_sha256, report) "
		 "VALUES (?1, ?2, ?3, ?4, ?5)",
		 &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, at);
	bind_text(st, 2, done_by);
	bind_text(st, 3, note);
	bind_text(st, 4, sha256);
	bind_text(st, 5, report);
	rc = done(st);
	if (!rc && ret_id)
		*ret_id = sqlite3_last_insert_rowid(r->db);
	return rc;
}

static json_t *row_inventory(sqlite3_stmt *st)
{
	json_t *rep = col_json(st, 5);
	json_t *o = json_pack("{s:I, s:I, s:o, s:o, s:o, s:I}", "id",
			      (json_int_t)sqlite3_column_int64(st, 0), "at",
			      (json_int_t)sqlite3_column_int64(st, 1), "done_by", col_str(st, 2),
			      "note", col_str(st, 3), "report_sha256", col_str(st, 4), "ids",
			      (json_int_t)json_array_size(json_object_get(rep, "ids")));

	json_decref(rep);
	return o;
}

int registry_inventories(struct registry *r, json_t **ret)
{
	sqlite3_stmt *st;

	*ret = NULL;
	if (prep(r,
		 "SELECT id, at, done_by, note, report_sha256, report FROM inventories ORDER BY id",
		 &st))
		return -EIO;
	return collect(st, row_inventory, ret);
}

int registry_inventory_report(struct registry *r, int64_t id, json_t **ret)
{
	sqlite3_stmt *st;
	int rc;

	*ret = NULL;
	if (prep(r, "SELECT report FROM inventories WHERE id = ?1", &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = col_json(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? (*ret ? 0 : -EIO) : rc == SQLITE_DONE ? -ENOENT : -EIO;
}

int registry_inventory_overdue(struct registry *r, int64_t due, bool *ret)
{
	sqlite3_stmt *st;
	int rc;

	*ret = false;
	if (prep(r, "SELECT 1 FROM inventory_overdue WHERE due = ?1", &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, due);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -EIO;
	*ret = rc == SQLITE_ROW;
	return 0;
}

int registry_inventory_overdue_add(struct registry *r, int64_t due, int64_t notice_id)
{
	sqlite3_stmt *st;

	if (prep(r, "INSERT INTO inventory_overdue (due, notice_id) VALUES (?1, ?2)", &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, due);
	sqlite3_bind_int64(st, 2, notice_id);
	return done(st);
}

package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sync"
)

// migrations are applied in order; the schema's version is the number
// applied. Append new steps; never edit one that has shipped, because
// journals in the field have already run it.
var migrations = []string{
	// 1: the first schema. Times are UTC unix milliseconds. Every row keeps
	// backwards_ms: how far behind the newest time already written it was
	// when written (0 normally), so a report can show which rows a wrong
	// clock may have stamped.
	`
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- zone and quantity pairs, so a minute row carries a small integer
-- instead of two strings: 26k minute rows a day add up.
CREATE TABLE series (
	id       INTEGER PRIMARY KEY,
	zone     TEXT NOT NULL,
	quantity TEXT NOT NULL,
	UNIQUE (zone, quantity)
);

CREATE TABLE minutes (
	start_ms     INTEGER NOT NULL,
	series       INTEGER NOT NULL REFERENCES series (id),
	mean         REAL    NOT NULL,
	maximum      REAL    NOT NULL,
	count        INTEGER NOT NULL,
	covered_s    REAL    NOT NULL,
	backwards_ms INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (start_ms, series)
) WITHOUT ROWID;

CREATE TABLE events (
	id           INTEGER PRIMARY KEY,
	alarm_id     INTEGER NOT NULL,
	time_ms      INTEGER NOT NULL,
	rule         TEXT    NOT NULL,
	kind         TEXT    NOT NULL,
	level        TEXT    NOT NULL,
	subject      TEXT    NOT NULL,
	quantity     TEXT    NOT NULL,
	value        REAL,
	threshold    REAL,
	message      TEXT    NOT NULL,
	backwards_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_time ON events (time_ms);

CREATE TABLE acks (
	id           INTEGER PRIMARY KEY,
	alarm_id     INTEGER NOT NULL,
	time_ms      INTEGER NOT NULL,
	who          TEXT    NOT NULL,
	note         TEXT    NOT NULL,
	backwards_ms INTEGER NOT NULL DEFAULT 0,
	UNIQUE (alarm_id, time_ms, who)
);
CREATE INDEX acks_time ON acks (time_ms);

CREATE TABLE calibrations (
	id           INTEGER PRIMARY KEY,
	time_ms      INTEGER NOT NULL,
	sensor       TEXT    NOT NULL,
	serial       TEXT    NOT NULL,
	kind         TEXT    NOT NULL,
	reference    REAL,
	correction   REAL,
	who          TEXT    NOT NULL,
	note         TEXT    NOT NULL,
	backwards_ms INTEGER NOT NULL DEFAULT 0,
	UNIQUE (time_ms, sensor, kind)
);

CREATE TABLE config_changes (
	id           INTEGER PRIMARY KEY,
	time_ms      INTEGER NOT NULL,
	hash         TEXT    NOT NULL,
	summary      TEXT    NOT NULL,
	backwards_ms INTEGER NOT NULL DEFAULT 0,
	UNIQUE (time_ms, hash)
);

CREATE TABLE gaps (
	id           INTEGER PRIMARY KEY,
	start_ms     INTEGER NOT NULL,
	end_ms       INTEGER NOT NULL,
	zone         TEXT    NOT NULL,
	quantity     TEXT    NOT NULL,
	reason       TEXT    NOT NULL,
	backwards_ms INTEGER NOT NULL DEFAULT 0,
	UNIQUE (start_ms, zone, quantity, reason)
);
CREATE INDEX gaps_end ON gaps (end_ms);

CREATE TABLE clock_status (
	id           INTEGER PRIMARY KEY,
	time_ms      INTEGER NOT NULL,
	synchronized INTEGER NOT NULL,
	source       TEXT    NOT NULL,
	note         TEXT    NOT NULL,
	backwards_ms INTEGER NOT NULL DEFAULT 0,
	UNIQUE (time_ms, source, synchronized)
);
`,
	// 2: per-shift exposure summaries as the daemon's tracker computed them
	// live from 1 s data, so an export shows the figures /metrics showed.
	// The summary is JSON (exposure.Summary): it is written and read whole,
	// never queried by field, and its fields can grow without a migration.
	// No backwards_ms: a running shift's end lies in the future, and the
	// minutes the summary comes from carry the clock check.
	`
CREATE TABLE shifts (
	zone     TEXT    NOT NULL,
	quantity TEXT    NOT NULL,
	start_ms INTEGER NOT NULL,
	end_ms   INTEGER NOT NULL,
	finished INTEGER NOT NULL,
	summary  TEXT,
	PRIMARY KEY (zone, quantity, start_ms)
) WITHOUT ROWID;
CREATE INDEX shifts_start ON shifts (start_ms);
CREATE INDEX shifts_end ON shifts (end_ms);
`,
	// 3: actions people took that change the room (purges, acknowledgements,
	// calibrations, config reloads), done or refused, with the name given
	// and, where the kernel reports it, the caller's uid: a claimed name is
	// never the only evidence.
	`
CREATE TABLE actions (
	id           INTEGER PRIMARY KEY,
	time_ms      INTEGER NOT NULL,
	kind         TEXT    NOT NULL,
	target       TEXT    NOT NULL,
	who          TEXT    NOT NULL,
	via          TEXT    NOT NULL,
	uid          INTEGER,
	peer         TEXT    NOT NULL,
	note         TEXT    NOT NULL,
	result       TEXT    NOT NULL,
	error        TEXT    NOT NULL,
	backwards_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX actions_time ON actions (time_ms);
`,
	// 4: the hash chain (chain.go): a chain column on every sealed table,
	// the links, and the triggers that seal each Write. Rows written
	// before it stay unsealed.
	chainBaseSQL + chainSQL("events", "acks", "calibrations", "config_changes", "gaps", "clock_status", "shifts", "actions", "meta", "minutes"),
	// 5: the booths' ventilation as the control law measured it, one row
	// per clearing interval measured, chained like every record.
	`
CREATE TABLE ventilation (
	id           INTEGER PRIMARY KEY,
	time_ms      INTEGER NOT NULL,
	zone         TEXT    NOT NULL,
	ach          REAL    NOT NULL,
	nominal_ach  REAL    NOT NULL,
	share        REAL    NOT NULL,
	observations INTEGER NOT NULL,
	backwards_ms INTEGER NOT NULL DEFAULT 0,
	UNIQUE (time_ms, zone)
);
CREATE INDEX ventilation_zone ON ventilation (zone, time_ms);
` + chainSQL("ventilation"),
}

// SchemaVersion is the schema this build writes.
var SchemaVersion = len(migrations)

// tables are the tables the migrations create.
var tables = sync.OnceValue(func() []string {
	var out []string
	for _, m := range migrations {
		for _, g := range createTable.FindAllStringSubmatch(m, -1) {
			out = append(out, g[1])
		}
	}
	return out
})

var createTable = regexp.MustCompile(`(?i)CREATE TABLE (?:IF NOT EXISTS )?(\w+)`)

// checkTables finds a table of the schema missing from a file that says
// it has the schema (dropped in an edit, or damaged): every write would
// fail on it and the records be lost, where a file moved aside keeps them.
func (j *Journal) checkTables(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return j.openError("read the schema", err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return j.openError("read the schema", err)
		}
		have[name] = true
	}
	if err := rows.Err(); err != nil {
		return j.openError("read the schema", err)
	}
	for _, t := range tables() {
		if !have[t] {
			return fmt.Errorf("journal: %s: %w (its schema_version says schema %d, but table %s is missing: the file was edited or damaged)", j.path, ErrCorrupt, len(migrations), t)
		}
	}
	return nil
}

// migrate brings the file up to SchemaVersion, all steps in one
// transaction so a power cut mid-migration leaves the old schema intact.
func (j *Journal) migrate(ctx context.Context) error {
	j.wmu.Lock()
	defer j.wmu.Unlock()
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return j.openError("begin migration", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return j.openError("create schema_version", err)
	}
	var v int
	err = tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err = tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
			return j.openError("init schema_version", err)
		}
	} else if err != nil {
		return j.openError("read schema_version", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("journal: %s: %w (file has schema %d, this ventd knows up to %d): upgrade ventd, or move the file aside to start a fresh journal", j.path, ErrNewerSchema, v, len(migrations))
	}
	if v == len(migrations) {
		j.version = v
		return j.checkTables(ctx, tx)
	}
	for i := v; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return j.openError(fmt.Sprintf("migrate to schema %d", i+1), err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = ?`, len(migrations)); err != nil {
		return j.openError("update schema_version", err)
	}
	if err := tx.Commit(); err != nil {
		return j.openError("commit migration", err)
	}
	j.version = len(migrations)
	return nil
}

package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
)

// ErrReadOnly is returned by Write, SetMeta and Prune on a journal opened
// with OpenReadOnly (or a View).
var ErrReadOnly = errors.New("journal is open read-only")

// OpenReadOnly opens an existing journal for reading, beside a daemon that
// may be writing it: SQLite's file locks let readers and one writer share
// the file, each reader seeing whole transactions (a reader waits out a
// commit; the daemon's writer waits out a read, off the control loop). It
// never changes the database: the connection is opened with mode=ro and
// query_only and applies no migration (a file at an older schema reads as
// such; Shifts is empty before schema 2). A reader creates no file beside
// the journal, so a technician running it as root cannot lock ventd out.
//
// It skips Open's integrity check, which reads the whole file: an export
// reads the rows it needs anyway, and a damaged page fails that read with
// an error wrapping ErrCorrupt. A path with no file gives an error
// wrapping fs.ErrNotExist; a file from a newer ventd, ErrNewerSchema.
//
// A file cut short (Truncated), which SQLite refuses whole as "malformed",
// is read as far as it goes (SQLite's writable_schema, on a connection
// that can write nothing): what its remaining pages hold reads as
// usual, and a read that needs a missing page fails with ErrCorrupt and
// the truncation. Truncation says so; Check reports the file damaged.
func OpenReadOnly(path string, opts Options) (*Journal, error) {
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = DefaultBusyTimeout
	}
	if path == "" {
		return nil, errors.New("journal: empty path: give the journal's file (journal.db in ventd's state directory)")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %s: %w", path, err)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("journal: %s: no journal there: %w", abs, err)
	case err != nil:
		return nil, fmt.Errorf("journal: %s: %w", abs, err)
	case fi.IsDir():
		return nil, fmt.Errorf("journal: %s is a directory: give the journal's file (%s)", abs, filepath.Join(abs, "journal.db"))
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
	q.Add("_pragma", "query_only(1)")
	if walFile(abs) {
		if _, err := os.Stat(abs + "-wal"); errors.Is(err, fs.ErrNotExist) {
			// A journal an older ventd left in WAL mode, with no daemon
			// writing it: read it as it stands, without the -wal and -shm
			// files a WAL reader creates (made by root, they would lock
			// ventd out of its own journal).
			q.Set("immutable", "1")
		}
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: abs}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("journal: open %s: %w", abs, err)
	}
	j := &Journal{path: abs, opts: opts, db: db, rd: db, readOnly: true}
	err = j.readVersion()
	if t, ok := Truncated(abs); ok && t.Want > 0 && IsCorrupt(err) {
		// SQLite trusts a file's length over its header's page count
		// only with writable_schema: then it reads the pages there are.
		db.Close()
		q.Add("_pragma", "writable_schema(1)")
		if db, err = sql.Open("sqlite", "file:"+(&url.URL{Path: abs}).EscapedPath()+"?"+q.Encode()); err != nil {
			return nil, fmt.Errorf("journal: open %s: %w", abs, err)
		}
		j = &Journal{path: abs, opts: opts, db: db, rd: db, readOnly: true, truncated: &t}
		err = j.readVersion()
	}
	if hotJournal(err) {
		// A crash left a transaction half written: SQLite's recovery
		// rolls it back to the last commit, which takes a writer. That
		// roll-back is the one change a reader makes; ventd does the same
		// at its next start.
		db.Close()
		if rerr := rollBack(abs, opts); rerr != nil {
			return nil, fmt.Errorf("journal: %s: a crash left a transaction unfinished, and rolling it back failed: %w; start ventd (it recovers the file), or run this as the ventd user", abs, rerr)
		}
		return OpenReadOnly(path, opts)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return j, nil
}

// hotJournal reports whether err is SQLite refusing a read-only open
// because a hot journal needs rolling back (SQLITE_READONLY_ROLLBACK).
func hotJournal(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == 776
}

// rollBack opens the file for writing long enough for SQLite to roll
// back a hot journal, changing nothing else.
func rollBack(path string, opts Options) error {
	db, err := sql.Open("sqlite", dsn(path, opts, cacheKiB))
	if err != nil {
		return err
	}
	defer db.Close()
	var n int
	return db.QueryRow(`SELECT count(*) FROM sqlite_master`).Scan(&n)
}

// walFile reports whether the database file's header says WAL mode (file
// format version bytes 18 and 19 are 2).
func walFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var h [20]byte
	if _, err := f.ReadAt(h[:], 0); err != nil {
		return false
	}
	return h[18] == 2 && h[19] == 2
}

func (j *Journal) readVersion() error {
	var n, v int
	err := j.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`).Scan(&n)
	if err == nil && n == 1 {
		err = j.db.QueryRow(`SELECT version FROM schema_version`).Scan(&v)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return j.openError("read schema_version", err)
	}
	if v == 0 {
		return fmt.Errorf("journal: %s: not a ventd journal (no schema version): check the path", j.path)
	}
	if v > len(migrations) {
		return fmt.Errorf("journal: %s: %w (file has schema %d, this build knows up to %d): use a ventctl as new as the ventd that wrote it",
			j.path, ErrNewerSchema, v, len(migrations))
	}
	j.version = v
	return nil
}

// Truncation says whether the file was opened cut short (OpenReadOnly),
// and how.
func (j *Journal) Truncation() (Truncation, bool) {
	if j.truncated == nil {
		return Truncation{}, false
	}
	return *j.truncated, true
}

// Version returns the schema version of the file (SchemaVersion once Open
// has migrated it; possibly older for OpenReadOnly).
func (j *Journal) Version() int { return j.version }

// View calls fn with a journal whose reads all see the same state of the
// file, one read transaction: an export taken while the daemon writes then
// has shift summaries and minutes from the same instant. The daemon's
// writer waits for fn (on its own goroutine, never the control loop), so
// keep fn to the reading. The journal given to fn refuses writes and must not be closed
// or kept after fn returns.
func (j *Journal) View(fn func(*Journal) error) error {
	tx, err := j.db.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("journal: %s: begin read: %w", j.path, err)
	}
	defer tx.Rollback()
	v := &Journal{path: j.path, opts: j.opts, db: j.db, rd: tx, version: j.version, readOnly: true, view: true}
	return fn(v)
}

// MetaPrefix returns the meta values whose keys start with prefix (all
// when prefix is empty), without the journal's own keys.
func (j *Journal) MetaPrefix(prefix string) (map[string]string, error) {
	out := map[string]string{}
	err := j.query("meta", func(r *sql.Rows) error {
		var k, v string
		if err := r.Scan(&k, &v); err != nil {
			return err
		}
		if !strings.HasPrefix(k, metaPrefix) {
			out[k] = v
		}
		return nil
	}, `SELECT key, value FROM meta WHERE substr(key, 1, length(?)) = ? ORDER BY key`, prefix, prefix)
	return out, err
}

func (j *Journal) refuseReadOnly(what string) error {
	if j.readOnly {
		return fmt.Errorf("journal: %s: %s: %w", j.path, what, ErrReadOnly)
	}
	return nil
}

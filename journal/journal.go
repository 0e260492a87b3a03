package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ventd/ventd/clock"
)

// ErrCorrupt says the database file is damaged or is not a journal at all.
// The fix is to move the file aside (MoveAside) so that ventd starts a fresh
// journal, and to keep the old file for the auditor.
var ErrCorrupt = errors.New("journal is corrupt")

// ErrNewerSchema says the file was written by a newer ventd than this one.
var ErrNewerSchema = errors.New("journal schema is newer than this ventd")

// Defaults for Options.
const (
	DefaultRetention      = 400 * 24 * time.Hour
	DefaultClockTolerance = 2 * time.Minute
	DefaultBusyTimeout    = 5 * time.Second
)

// Options tune a Journal. The zero value is usable.
type Options struct {
	// Retention is how long rows are kept before Prune deletes them
	// (default 400 days: a year of records plus a month for the audit).
	Retention time.Duration
	// MaxSizeBytes, when above zero, caps the database file: Prune deletes the
	// oldest minutes beyond it, even inside Retention. Events, acks,
	// calibrations and configuration changes are never deleted for size.
	MaxSizeBytes int64
	// ClockTolerance is how far behind the newest time already written a
	// row may be before it is flagged as written by a clock that went
	// backwards (default 2 minutes: a minute's aggregate is written after
	// the events inside it, and a restart re-writes the last minute).
	ClockTolerance time.Duration
	// BusyTimeout is how long a statement waits for another connection's
	// lock (default 5 s).
	BusyTimeout time.Duration
	// Clock is the injected time source (default clock.Real{}). The journal
	// reads it only to time-stamp the clock_status rows it adds itself.
	Clock clock.Clock
}

// Journal is the durable exposure record: one SQLite file in WAL mode. It
// is safe for concurrent use; writes are serialised.
type Journal struct {
	path string
	opts Options
	db   *sql.DB
	rd   reader     // db, or the transaction of a View
	wmu  sync.Mutex // serialises writers, so the newest-time check sees its own writes

	chain chainStmts // the hash chain's prepared statements (chain_write.go)

	version  int  // schema version of the file
	readOnly bool // OpenReadOnly or a View: every write is refused
	view     bool // a View: Close is the caller's mistake
}

// reader is what the read methods need: *sql.DB, or *sql.Tx for a View.
type reader interface {
	Query(query string, args ...any) (*sql.Rows, error)
	QueryRow(query string, args ...any) *sql.Row
}

// Open opens (creating if needed) the journal at path and migrates its
// schema. A damaged file gives an error wrapping ErrCorrupt; a directory the
// daemon cannot write to gives an error naming the path and the permission.
//
// The integrity check reads the whole file: about 0.2 s for a month of 18
// series on a desktop, so several seconds for a year on a Pi. Open the
// journal beside the control loop, never in front of the fans.
func Open(path string, opts Options) (*Journal, error) {
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.ClockTolerance <= 0 {
		opts.ClockTolerance = DefaultClockTolerance
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = DefaultBusyTimeout
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if path == "" {
		return nil, errors.New("journal: empty path: set state_dir in the configuration")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %s: %w", path, err)
	}
	if err := checkWritable(abs); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(abs, opts))
	if err != nil {
		return nil, fmt.Errorf("journal: open %s: %w", abs, err)
	}
	j := &Journal{path: abs, opts: opts, db: db, rd: db}
	if err := j.init(); err != nil {
		db.Close()
		return nil, err
	}
	return j, nil
}

// dsn builds the connection string. The per-connection pragmas go in the DSN
// so that every pooled connection gets them, not only the first.
//
// synchronous=NORMAL: in WAL mode a commit appends to the WAL and fsyncs
// only at checkpoints, so a power cut can lose the last transaction or so
// but never corrupts the file; FULL would fsync every minute for nothing
// an auditor needs, and each fsync is wear on the SD card.
func dsn(path string, opts Options) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "journal_size_limit(4194304)")
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// checkWritable tells, before SQLite gives its terse "unable to open", that
// the directory or the file cannot be written. SQLite needs to create the
// -wal and -shm files beside the database, so the directory itself must be
// writable even when the file exists.
func checkWritable(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("journal: directory %s: %w; create it (mkdir -p %s) and let the ventd user write to it, or set state_dir", dir, err, dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("journal: %s is not a directory; set state_dir to a directory", dir)
	}
	probe, err := os.CreateTemp(dir, ".journal-probe-*")
	if err != nil {
		return fmt.Errorf("journal: directory %s is not writable: %w; the journal needs write and search (w+x) permission on it for the database and its -wal and -shm files (e.g. chown ventd %s), or set state_dir", dir, err, dir)
	}
	probe.Close()
	os.Remove(probe.Name())
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("journal: database %s is not writable: %w; give the ventd user read and write permission on it (e.g. chmod 0640 %s; chown ventd %s)", path, err, path, path)
	}
	return f.Close()
}

// init checks the file, sets the file-level pragmas and migrates.
func (j *Journal) init() error {
	ctx := context.Background()
	// auto_vacuum must be set before the first table exists; on an existing
	// file it is a no-op, so it is safe at every open.
	if _, err := j.db.ExecContext(ctx, "PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
		return j.openError("set auto_vacuum", err)
	}
	var res string
	if err := j.db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&res); err != nil {
		return j.openError("quick_check", err)
	}
	if res != "ok" {
		return j.corrupt("quick_check: " + res)
	}
	var mode string
	if err := j.db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return j.openError("set journal_mode", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal: %s: journal_mode is %q, not wal: the file system may not support shared memory; put state_dir on a local file system", j.path, mode)
	}
	return j.migrate(ctx)
}

// openError turns SQLite's result codes into errors that say what to do.
func (j *Journal) openError(what string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return j.corrupt(err.Error())
		case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM:
			return fmt.Errorf("journal: %s: %s: %w; check that the ventd user can read and write the file and its directory", j.path, what, err)
		}
	}
	return fmt.Errorf("journal: %s: %s: %w", j.path, what, err)
}

func (j *Journal) corrupt(detail string) error {
	return fmt.Errorf("journal: %s: %w (%s): move the file aside (mv %s %s.corrupt, with its -wal and -shm files) and restart: ventd then starts a fresh journal; keep the old file, sqlite3's .recover can often rescue its rows for the auditor",
		j.path, ErrCorrupt, detail, j.path, j.path)
}

// Path returns the database file's absolute path.
func (j *Journal) Path() string { return j.path }

// String returns "journal(path)".
func (j *Journal) String() string { return "journal(" + j.path + ")" }

// Close checkpoints the WAL into the database file and closes it. A
// read-only journal only closes: a checkpoint writes the file.
func (j *Journal) Close() error {
	if j.view {
		return fmt.Errorf("journal: %s: Close on a View; close the journal it came from", j.path)
	}
	j.wmu.Lock()
	defer j.wmu.Unlock()
	if !j.readOnly {
		_, _ = j.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	j.chain.close()
	if err := j.db.Close(); err != nil {
		return fmt.Errorf("journal: close %s: %w", j.path, err)
	}
	return nil
}

// MoveAside renames a damaged journal and its -wal and -shm files to
// path.corrupt-<time> so that Open can start a fresh one, and returns the
// new name of the database file. The old file is kept for recovery.
func MoveAside(path string, now time.Time) (string, error) {
	dst := path + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	if err := os.Rename(path, dst); err != nil {
		return "", fmt.Errorf("journal: move %s aside: %w", path, err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		err := os.Rename(path+suffix, dst+suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return dst, fmt.Errorf("journal: move %s aside: %w", path+suffix, err)
		}
	}
	return dst, nil
}

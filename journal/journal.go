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
	"sync"
	"syscall"
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
	// DefaultWriterBusyTimeout is how long the writer waits for readers
	// (an export holds its read for as long as it takes): the writer runs
	// off the control loop, and its records wait in memory meanwhile.
	DefaultWriterBusyTimeout = time.Minute
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
	// lock (default a minute for Open, the writer; 5 s for OpenReadOnly).
	BusyTimeout time.Duration
	// Clock is the injected time source (default clock.Real{}). The journal
	// reads it only to time-stamp the clock_status rows it adds itself.
	Clock clock.Clock
	// NoSync leaves syncing to the kernel: the file survives a crash of
	// ventd but not a power cut. For a simulated room's journal only.
	NoSync bool
}

// Journal is the durable exposure record: one SQLite file with a rollback
// journal. It is safe for concurrent use; writes are serialised.
//
// Why not WAL: SQLite's WAL index is a memory-mapped file, and a write to a
// mapped page of a stalled SD card (or a frozen file system) blocks the
// thread inside a page fault, where the Go runtime cannot stop it: the
// next garbage collection's stop-the-world then waits for it, and the
// whole daemon, control loop included, stops until the disk comes back. A
// rollback journal does all its I/O through system calls, which the
// runtime steps around; a stalled disk then stalls only the goroutine
// writing the journal.
type Journal struct {
	path string
	opts Options
	db   *sql.DB
	rd   reader     // db, or the transaction of a View
	wmu  sync.Mutex // serialises writers, so the newest-time check sees its own writes
	// series maps (zone, quantity) to its committed series id; held
	// under wmu.
	series map[[2]string]int64

	stmts writeStmts // Write's own connection and statements, prepared once (stmts.go)

	version  int         // schema version of the file
	readOnly bool        // OpenReadOnly or a View: every write is refused
	view     bool        // a View: Close is the caller's mistake
	file     os.FileInfo // the file as opened, for Moved
	// truncated is set when OpenReadOnly read a file cut short as far as
	// it goes (see Truncation).
	truncated *Truncation
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
// Open does not read the whole file: Check does that (several seconds for
// a year on a Pi), for a caller to run off the control loop's path. A file
// that is not a ventd journal at all (another program's SQLite database)
// is refused with an error wrapping ErrForeign, never adopted.
func Open(path string, opts Options) (*Journal, error) {
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.ClockTolerance <= 0 {
		opts.ClockTolerance = DefaultClockTolerance
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = DefaultWriterBusyTimeout
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
	_, statErr := os.Stat(abs)
	fresh := errors.Is(statErr, fs.ErrNotExist)
	db, err := sql.Open("sqlite", dsn(abs, opts, poolCacheKiB))
	if err != nil {
		return nil, fmt.Errorf("journal: open %s: %w", abs, err)
	}
	j := &Journal{path: abs, opts: opts, db: db, rd: db}
	j.writes(writerDSN(abs, opts))
	err = j.init()
	if err == nil {
		j.file, err = os.Stat(abs)
	}
	if err != nil {
		db.Close()
		if fresh {
			// A file this call made and could not set up (a full disk)
			// holds nothing: left, readers would call it "not a ventd
			// journal" while the trouble is the disk.
			if fi, serr := os.Stat(abs); serr == nil && fi.Size() == 0 {
				os.Remove(abs)
			}
		}
		return nil, err
	}
	return j, nil
}

// writes readies a Journal that writes: Write opens its own handle on
// the file with dsn, writerDSN's (stmts.go). The pool then keeps one idle
// connection, not database/sql's two: with the writer's, at most two stay
// open between uses, as before. A daemon whose reads never overlapped a
// write used to keep one; it now keeps two, each with a page cache of
// up to cache_size (the writer's connection reads little beyond the
// pages it appends to).
func (j *Journal) writes(dsn string) {
	j.stmts.dsn = dsn
	j.db.SetMaxIdleConns(1)
}

// writerDSN is the DSN of Write's connection: dsn's, and the rollback
// journal TRUNCATE. journal_mode is a connection's setting, not the
// file's (only WAL persists); init sets it on one connection of the pool,
// and a Write that ran on any other began in DELETE mode: the -journal
// file created and unlinked, a directory update on the SD card, at every
// commit. Write's connection is opened after init has taken the file out
// of an older ventd's WAL, so this only ever picks among rollback
// journals.
func writerDSN(path string, opts Options) string {
	return dsn(path, opts, cacheKiB) + "&" + url.Values{"_pragma": {"journal_mode(TRUNCATE)"}}.Encode()
}

// dsn builds the connection string, with a page cache of pageCacheKiB KiB
// (cacheKiB or poolCacheKiB). The per-connection pragmas go in the DSN
// so that every pooled connection gets them, not only the first.
//
// synchronous=FULL: with a rollback journal, NORMAL can leave a file
// damaged by a power cut at the wrong moment; FULL costs a few fsyncs per
// transaction, and there is about one transaction a minute.
func dsn(path string, opts Options, pageCacheKiB int) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
	if opts.NoSync {
		q.Add("_pragma", "synchronous(OFF)")
	} else {
		q.Add("_pragma", "synchronous(FULL)")
	}
	q.Add("_pragma", "mmap_size(0)") // no memory-mapped I/O: see Journal
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "journal_size_limit(4194304)")
	q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -pageCacheKiB))
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// cacheKiB is the page cache of the writer's connection (writerDSN), and
// of every other connection that writes the file (rollBack, the outbox):
// 256 KiB (about 60 pages) instead of SQLite's 2 MiB. A minute's write
// touches a few pages at the right edge of each index, and the rest only
// grew the daemon's memory. A cached page costs twice what this says: its
// 4 KiB and SQLite's header take one 8 KiB slot of modernc.org/libc's
// allocator, which rounds to powers of two, so 512 KiB held about 0.9 MiB
// once the cache was full, as it is at start on a site (Check reads every
// page). 512 KiB was 2.7 MiB less resident than 2 MiB after 18 simulated
// days; 256 held 0.3–0.7 MiB less again (two pairs side by side on
// journals of some days, 240 s), and the minute's batch is no slower
// within the noise (BenchmarkWriteSiteMinute, 6000 minutes, at 256, 128
// and 64 KiB). What it costs is re-reading from the kernel's page cache:
// a restart's window read is slower (BenchmarkMinutes8h, one series:
// 1.7–1.9 ms at 512 KiB, 3.0 at 128), and a large delete (the daily
// prune) spills its dirty pages to the file before its commit sooner.
// Neither showed beyond the noise (±15 % on a shared machine) of
// -sim-speed 0's speed (BenchmarkSimDaemonBooths/booths=6).
const cacheKiB = 256

// poolCacheKiB is the page cache of the pool's connection, the one a
// daemon's Journal reads through (Check at start, the restore, the daily
// prune): 64 KiB. It reads the file front to back at start and little
// after, and a page it frees is not the kernel's again: modernc.org/libc's
// allocator keeps up to 4 MiB of freed 64 KiB regions resident for reuse,
// so what counts is the most SQLite ever held. A connection's cache
// outgrows its pragma as the daemon runs, because this build of SQLite
// (SQLITE_ENABLE_MEMORY_MANAGEMENT) keeps one group of pages for all
// its connections and a cache that is full takes the oldest page of any
// other. sqlite3_db_status seven minutes after start with six booths,
// two builds side by side: the pool's connection held 135 pages at 256
// KiB and 73 at 64, the writer's 77 either way; the allocator's 8 KiB
// slots held 239 pages against 176, 3.40 MB resident in it against
// 2.86. Start-up to the loop's first period took 36 ms either way (the
// restore reads a window a page at a time; Check, on the journal's
// goroutine, reads every page once).
const poolCacheKiB = 64

// checkWritable tells, before SQLite gives its terse "unable to open", that
// the directory or the file cannot be written. SQLite needs to create its
// -journal file beside the database, so the directory itself must be
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
	if errors.Is(err, syscall.EROFS) {
		// Permissions are not the cause: the file system is read-only to
		// this process. Under the packaged unit (ProtectSystem=strict,
		// ProtectHome) every path but /var/lib/ventd is, and no chown
		// helps.
		return fmt.Errorf("journal: directory %s is on a file system read-only to ventd: %w; under systemd, ventd may write only its own state directory (/var/lib/ventd): leave state_dir unset, or let the unit write there (sudo systemctl edit ventd, then [Service] ReadWritePaths=%s; not under /home, which the unit hides)", dir, err, dir)
	}
	if err != nil {
		return fmt.Errorf("journal: directory %s is not writable: %w; the journal needs write and search (w+x) permission on it for the database and its -journal file (e.g. chown ventd %s), or set state_dir", dir, err, dir)
	}
	probe.Close()
	os.Remove(probe.Name())
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("journal: %s is a directory, not the journal's file: move it aside (mv %s %s.old) and ventd starts a fresh journal there", path, path, path)
	}
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
	if err := j.checkOurs(ctx); err != nil {
		return err
	}
	// TRUNCATE: a rollback journal (see Journal), emptied rather than
	// deleted after each transaction: no directory update per commit.
	// A journal written in WAL mode by an older ventd is converted here.
	var mode string
	if err := j.db.QueryRowContext(ctx, "PRAGMA journal_mode = TRUNCATE").Scan(&mode); err != nil {
		return j.openError("set journal_mode", err)
	}
	if !strings.EqualFold(mode, "truncate") {
		return fmt.Errorf("journal: %s: journal_mode is %q, not truncate: another program holds the file open; stop it", j.path, mode)
	}
	return j.migrate(ctx)
}

// ErrForeign says the file is an SQLite database that is not a ventd
// journal: ventd never adds its tables to another program's data.
var ErrForeign = errors.New("not a ventd journal")

// checkOurs refuses a database with tables but no ventd schema.
func (j *Journal) checkOurs(ctx context.Context) error {
	var tables, ours int
	err := j.db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE name = 'schema_version') FROM sqlite_master WHERE type = 'table'`).Scan(&tables, &ours)
	if err != nil {
		return j.openError("read the schema", err)
	}
	if tables > 0 && ours == 0 {
		return fmt.Errorf("journal: %s: %w: it holds %d tables of another program; ventd moves it aside rather than adopt it", j.path, ErrForeign, tables)
	}
	return nil
}

// Check reads the whole file and reports damage with an error wrapping
// ErrCorrupt. It takes seconds for a year of records on a Pi: run it off
// the control loop's path (the journal's recorder does, after start).
func (j *Journal) Check() error {
	// Its first three findings: "*** in database main ***" alone, as
	// SQLite starts some lists, says nothing.
	rows, err := j.db.Query("PRAGMA quick_check(3)")
	if err != nil {
		return j.openError("quick_check", err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var res string
		if err := rows.Scan(&res); err != nil {
			return j.openError("quick_check", err)
		}
		for _, l := range strings.Split(res, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "***") {
				found = append(found, l)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return j.openError("quick_check", err)
	}
	if len(found) == 1 && found[0] == "ok" {
		return nil
	}
	if len(found) == 0 {
		found = []string{"no answer"}
	}
	return j.corrupt("quick_check: " + strings.Join(found, "; "))
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
	if t, ok := Truncated(j.path); ok {
		detail += "; " + t.String()
	}
	return fmt.Errorf("journal: %s: %w (%s)", j.path, ErrCorrupt, detail)
}

// Path returns the database file's absolute path.
func (j *Journal) Path() string { return j.path }

// Moved reports whether the file at the journal's path is no longer the
// file it opened: deleted (with its directory, by a careless cleanup) or
// moved. SQLite then refuses every write, and only opening the path again
// (a fresh journal) keeps records.
func (j *Journal) Moved() bool {
	if j.file == nil {
		return false
	}
	fi, err := os.Stat(j.path)
	return err != nil || !os.SameFile(fi, j.file)
}

// String returns "journal(path)".
func (j *Journal) String() string { return "journal(" + j.path + ")" }

// Close closes the file.
func (j *Journal) Close() error {
	if j.view {
		return fmt.Errorf("journal: %s: Close on a View; close the journal it came from", j.path)
	}
	j.wmu.Lock()
	defer j.wmu.Unlock()
	werr := j.stmts.shut()
	if err := j.db.Close(); err != nil {
		return fmt.Errorf("journal: close %s: %w", j.path, err)
	}
	if werr != nil {
		return fmt.Errorf("journal: close %s: %w", j.path, werr)
	}
	return nil
}

// MoveAside renames a damaged (or foreign) journal and its -journal file
// (and the -wal and -shm files of an older ventd) to path.corrupt-<time> so
// that Open can start a fresh one, and returns the new name of the
// database file. The old file is kept for recovery.
func MoveAside(path string, now time.Time) (string, error) {
	dst := path + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	if err := os.Rename(path, dst); err != nil {
		return "", fmt.Errorf("journal: move %s aside: %w", path, err)
	}
	for _, suffix := range []string{"-journal", "-wal", "-shm"} {
		err := os.Rename(path+suffix, dst+suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return dst, fmt.Errorf("journal: move %s aside: %w", path+suffix, err)
		}
	}
	return dst, nil
}

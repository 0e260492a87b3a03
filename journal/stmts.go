package journal

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// writeStmts are the connection Write runs on and the statements every
// Write runs, prepared once on it: SQLite compiles a table's triggers into
// each statement touching it, and compiling was most of the chain's cost
// per minute.
//
// Why a connection of its own, and no sql.Tx: database/sql gives each Tx
// a context, a goroutine waiting on it, and a copy of every statement
// used in it (Tx.Stmt), all thrown away at its end; with one Write a
// minute and a few statements each, that bookkeeping (the goroutine's
// hand-offs between threads above all) was about a quarter of the CPU of
// a minute's batch: 5,000 batches of BenchmarkWriteMinuteBatch/unsynced
// took 2.0–2.5 s of the process's CPU through a Tx, 1.4–1.7 s without
// (four runs of each, side by side). The transaction is SQLite's own, BEGIN IMMEDIATE …
// COMMIT, what the driver's Tx ran (_txlock=immediate in the DSN): the
// locks, the rollback journal and its syncs are the same, and between
// Writes the connection holds no lock, so readers (ventctl export, another
// process) and anyone editing the file find it as before. The statements
// are bound to the connection, so none is prepared again per Write.
//
// The connection comes from a database handle of its own (db, one
// connection, opened at the first Write), not from the Journal's pool:
// kept out of the pool for the Journal's life, it would leave a pool
// limited to one connection none for its readers.
type writeStmts struct {
	dsn  string    // the Journal's DSN, for db
	db   *sql.DB   // the writer's handle, one connection; nil until the first Write
	conn *sql.Conn // nil until the first Write, and after a failed one lost it
	m    map[string]*sql.Stmt
	// sized holds the INSERTs of several rows by kind and rows per
	// statement: a site's minute is always the same number of rows.
	sized map[sized]*sql.Stmt
}

// sized names an INSERT of n rows of one kind.
type sized struct {
	kind sizedKind
	n    int
}

type sizedKind int

const (
	freshMinutes   sizedKind = iota // minutes newer than any written
	mergingMinutes                  // minutes that may merge, returned as stored
	shiftRows                       // shift summaries
)

func (k sized) sql() string {
	switch k.kind {
	case freshMinutes:
		return upsertMinutes(k.n, false)
	case mergingMinutes:
		return upsertMinutes(k.n, true)
	}
	return upsertShifts(k.n)
}

// maxSized bounds the sized INSERTs kept prepared: a backlog written
// after an outage has chunks of other sizes, once.
const maxSized = 8

// valueRows is n rows of VALUES for a table of cols columns.
func valueRows(cols, n int) string {
	row := "(?" + strings.Repeat(", ?", cols-1) + ")"
	return strings.Repeat(row+", ", n-1) + row
}

// Statements that delimit a Write's transaction.
const (
	beginWrite    = `BEGIN IMMEDIATE` // the writer takes its lock at once, as _txlock=immediate did
	commitWrite   = `COMMIT`
	rollbackWrite = `ROLLBACK`
)

// prepare takes the writer's connection and prepares the statements once,
// and the sized INSERTs the Write about to begin needs.
func (s *writeStmts) prepare(ctx context.Context, need []sized) error {
	if s.db == nil {
		db, err := sql.Open("sqlite", s.dsn)
		if err != nil {
			return fmt.Errorf("open: %w", err)
		}
		db.SetMaxOpenConns(1) // Write holds its one connection
		s.db = db
	}
	if s.conn == nil {
		c, err := s.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		s.conn, s.m, s.sized = c, map[string]*sql.Stmt{}, map[sized]*sql.Stmt{}
		// The INSERTs of the rows a minute often has (a booth's
		// ventilation, an alarm's events, a fault's gaps) are among
		// them: preparing them in each transaction was a few per cent of
		// a many-booth daemon's CPU. Others are prepared the first time
		// a Write runs them (stmt).
		qs := []string{beginWrite, commitWrite, rollbackWrite, writeState, movedBy, insertLink, setChainLink, setMetaRows(1), upsertMeta,
			insertVentilation, insertEvents, insertGaps}
		for _, t := range chained {
			if !t.tagsItself {
				qs = append(qs, t.tagged)
			}
		}
		for _, q := range qs {
			if _, err := s.stmt(ctx, q); err != nil {
				s.close()
				return err
			}
		}
	}
	for _, k := range need {
		if s.sized[k] != nil {
			continue
		}
		if len(s.sized) >= maxSized {
			for old, st := range s.sized {
				if old.n != minuteRows && !slices.Contains(need, old) {
					st.Close()
					delete(s.sized, old)
				}
			}
		}
		st, err := s.conn.PrepareContext(ctx, k.sql())
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		s.sized[k] = st
	}
	return nil
}

// stmt returns q prepared on the writer's connection, preparing it the
// first time. Every q is one of the package's constant statements, so
// the map stays small.
func (s *writeStmts) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.m[q]; ok {
		return st, nil
	}
	st, err := s.conn.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	s.m[q] = st
	return st, nil
}

// sizedStmt returns the INSERT k (prepare has prepared it).
func (s *writeStmts) sizedStmt(k sized) (*sql.Stmt, error) {
	if st, ok := s.sized[k]; ok {
		return st, nil
	}
	return nil, fmt.Errorf("the INSERT of %d rows (kind %d) was not prepared", k.n, k.kind)
}

// run executes one of the transaction's own statements (beginWrite…).
func (s *writeStmts) run(ctx context.Context, q string) error {
	st, err := s.stmt(ctx, q)
	if err == nil {
		_, err = st.ExecContext(ctx)
	}
	return err
}

// rollback ends the transaction of a Write that did not commit. A
// connection whose ROLLBACK failed is discarded, never used again: it may
// still be inside the transaction, holding the write lock. One whose
// transaction SQLite already rolled back (a full disk) answers "no
// transaction is active" and is discarded too: the next Write connects
// again, once.
func (s *writeStmts) rollback(ctx context.Context) {
	if s.conn == nil || s.run(ctx, rollbackWrite) == nil {
		return
	}
	s.discard()
}

// lost discards the connection when err says it is gone, so that the next
// Write connects again, and returns err.
func (s *writeStmts) lost(err error) error {
	if errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) {
		s.discard()
	}
	return err
}

// discard closes the statements and the connection, which database/sql
// then drops rather than pools (a driver.ErrBadConn from Raw).
func (s *writeStmts) discard() {
	c := s.conn
	s.conn = nil
	s.close()
	if c != nil {
		c.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// shut closes the statements, the connection and the writer's handle.
func (s *writeStmts) shut() error {
	s.close()
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	return err
}

// close closes the statements and gives the connection back to the
// writer's handle.
func (s *writeStmts) close() {
	for _, st := range s.m {
		st.Close()
	}
	for _, st := range s.sized {
		st.Close()
	}
	if s.conn != nil {
		s.conn.Close()
	}
	s.conn, s.m, s.sized = nil, nil, nil
}

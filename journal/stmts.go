package journal

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// writeStmts are the statements every Write runs, prepared once: SQLite
// compiles a table's triggers into each statement touching it, and
// compiling was most of the chain's cost per minute. They are prepared
// before Write begins its transaction (prepare), on the pool, never while
// the transaction holds a connection: with a one-connection pool that
// would wait for itself.
type writeStmts struct {
	m map[string]*sql.Stmt
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

// prepare prepares the statements once, and the sized INSERTs the Write
// about to begin needs.
func (s *writeStmts) prepare(ctx context.Context, db *sql.DB, need []sized) error {
	if s.m == nil {
		// The INSERTs of the rows a minute often has (a booth's
		// ventilation, an alarm's events, a fault's gaps) are among
		// them: preparing them in each transaction was a few per cent of
		// a many-booth daemon's CPU.
		qs := []string{writeState, movedBy, insertLink, setChainLink, endWithClock, upsertMeta,
			insertVentilation, insertEvents, insertGaps}
		for _, t := range chained {
			if !t.tagsItself {
				qs = append(qs, t.tagged)
			}
		}
		m := map[string]*sql.Stmt{}
		for _, q := range qs {
			st, err := db.PrepareContext(ctx, q)
			if err != nil {
				for _, st := range m {
					st.Close()
				}
				return fmt.Errorf("prepare: %w", err)
			}
			m[q] = st
		}
		s.m = m
		s.sized = map[sized]*sql.Stmt{}
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
		st, err := db.PrepareContext(ctx, k.sql())
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		s.sized[k] = st
	}
	return nil
}

// stmt returns q for tx: prepared once if it is one of prepare's, else
// for this transaction only.
func (s *writeStmts) stmt(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	if st, ok := s.m[q]; ok {
		return tx.StmtContext(ctx, st), nil
	}
	return tx.PrepareContext(ctx, q)
}

// sizedStmt returns the INSERT k for tx.
func (s *writeStmts) sizedStmt(ctx context.Context, tx *sql.Tx, k sized) (*sql.Stmt, error) {
	if st, ok := s.sized[k]; ok {
		return tx.StmtContext(ctx, st), nil
	}
	return tx.PrepareContext(ctx, k.sql())
}

func (s *writeStmts) close() {
	for _, st := range s.m {
		st.Close()
	}
	for _, st := range s.sized {
		st.Close()
	}
	s.m, s.sized = nil, nil
}

package journal

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// chainWriter seals one Write's rows into a new link. Write calls
// beginChain before its first row, endTagging after its last and then
// seal, in the same transaction; the triggers tag the rows in between.
type chainWriter struct {
	ctx   context.Context
	conn  *sql.Conn // the writer's connection, inside the Write's transaction
	stmts *writeStmts
	link  int64
	prev  []byte
	armed bool // the triggers know the link (meta's chain_link)
	// idle: meta's chain_link held "0" when the Write began (written by
	// the last Write's endTagging), so an unarmed Write leaves it be.
	idle bool
	// touched are the tables this Write wrote to: only their rows can
	// carry the new link, so the seal looks nowhere else. The minutes,
	// which tag themselves, count as touched when a row merged.
	touched map[string]bool
	// minutes are the minutes this Write left, sealed as stored (the
	// table tags its rows itself: write_minutes.go).
	minutes []sealed
}

// Statements of the chain every Write runs.
const (
	movedBy    = `SELECT id, link, tbl, row_key FROM chain_moved WHERE by_link = ?`
	insertLink = `INSERT INTO chain (id, written_ms, format, tables, first_ms, last_ms, prev, hash, leaves)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	setChainLink = `INSERT INTO meta (key, value) VALUES ('` + metaChainLink + `', ?)
	ON CONFLICT (key) DO UPDATE SET value = excluded.value`
)

// setMetaRows sets n meta keys, given as key, value pairs: endTagging's
// statement, which ends the tagging and stores the clock's mark and
// state (write.go) in one.
func setMetaRows(n int) string {
	return `INSERT INTO meta (key, value) VALUES ` + valueRows(2, n) + `
	ON CONFLICT (key) DO UPDATE SET value = excluded.value`
}

func (c *chainWriter) query(q string, args ...any) (*sql.Rows, error) {
	st, err := c.stmts.stmt(c.ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(c.ctx, args...)
}

func (c *chainWriter) exec(q string, args ...any) error {
	st, err := c.stmts.stmt(c.ctx, q)
	if err == nil {
		_, err = st.ExecContext(c.ctx, args...)
	}
	return err
}

// beginChain begins the link after last, whose hash is prev (Write reads
// both, with its clock's state, and whether meta's chain_link is idle,
// "0"), and, with arm, tells the triggers.
func beginChain(ctx context.Context, conn *sql.Conn, stmts *writeStmts, last int64, prev []byte, idle, arm bool) (*chainWriter, error) {
	c := &chainWriter{ctx: ctx, conn: conn, stmts: stmts, link: last + 1, prev: prev, idle: idle, touched: map[string]bool{}}
	if last == 0 {
		c.prev = make([]byte, 32)
	}
	if !arm {
		return c, nil
	}
	return c, c.arm()
}

// arm tells the triggers which link this Write's rows go into. Every row
// but a fresh minute (which carries its link) is written armed: Write
// arms at the start unless the batch holds fresh minutes only.
func (c *chainWriter) arm() error {
	if c.armed {
		return nil
	}
	c.armed = true
	return c.exec(setChainLink, c.link)
}

// endTagging tells the triggers that the Write's rows are written (link
// 0: any later change is made outside a ventd write), storing the keys of
// clock (the clock's mark and state: key, value pairs; none when the
// batch had no time) in the same statement. A key the caller found
// holding its value already is not in clock, and chain_link is left
// alone when this Write never armed it and it held 0: rewriting a row
// with the value it has changes nothing in the file but costs the
// upsert and its trigger, a third of this statement's work each minute.
func (c *chainWriter) endTagging(clock []any) error {
	kv := clock
	if c.armed || !c.idle {
		kv = append(kv, metaChainLink, 0)
	}
	if len(kv) == 0 {
		return nil
	}
	return c.exec(setMetaRows(len(kv)/2), kv...)
}

// touch notes that this Write wrote to table.
func (c *chainWriter) touch(table string) { c.touched[table] = true }

// sealed is one row sealed by this Write.
type sealed struct {
	table   *chainTable
	key     string
	keyVals []any
	time    *int64
	seal    seal
}

// seal computes the seal of every row tagged with this link and adds the
// link. A Write that changed nothing sealed (live state only) adds none.
func (c *chainWriter) seal(now time.Time) error {
	var rows []sealed
	var buf []byte
	for _, t := range chained {
		found, err := c.tagged(t)
		if err != nil {
			return fmt.Errorf("chain: read %s: %w", t.name, err)
		}
		for _, r := range found {
			var s seal
			if buf, s, err = t.sealRow(buf, writeFormat, r.vals); err != nil {
				return fmt.Errorf("chain: %w", err)
			}
			rows = append(rows, sealed{table: t, key: r.key, keyVals: r.keyVals, time: r.time, seal: s})
		}
	}
	rows = append(rows, c.minutes...)
	rows, err := c.unmove(rows)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	l := &link{id: c.link, written: now.UnixMilli(), format: writeFormat, prev: c.prev}
	counts := map[string]int{}
	seals := make([]seal, len(rows))
	timed := false
	for i, r := range rows {
		counts[r.table.name]++
		seals[i] = r.seal
		if r.time == nil {
			continue
		}
		if !timed || *r.time < l.first {
			l.first = *r.time
		}
		if !timed || *r.time > l.last {
			l.last = *r.time
		}
		timed = true
	}
	if !timed {
		l.first, l.last = l.written, l.written
	}
	l.tables = formatTables(counts)
	l.leaves = leavesOf(seals)
	l.hash = linkHash(l)
	err = c.exec(insertLink, l.id, l.written, l.format, l.tables, l.first, l.last, l.prev, l.hash, l.leaves)
	if err != nil {
		return fmt.Errorf("chain: add link %d: %w", l.id, err)
	}
	return nil
}

// tagged returns the rows of t tagged with this link, found through the
// index on chain in a table this Write wrote to; none of a table that
// tags itself (its rows are sealed as written: c.minutes).
func (c *chainWriter) tagged(t *chainTable) ([]chainRow, error) {
	if t.tagsItself || !c.touched[t.name] {
		return nil, nil
	}
	return c.rows(t, true, t.tagged, c.link)
}

func (c *chainWriter) rows(t *chainTable, withLink bool, q string, args ...any) ([]chainRow, error) {
	rs, err := c.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []chainRow
	for rs.Next() {
		r, err := t.scanRow(rs.Scan, withLink)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// unmove puts back rows this Write rewrote with the same contents (an
// upsert writing what was there): their seal is still among their old
// link's leaves, so they stay in it and no move is recorded.
func (c *chainWriter) unmove(rows []sealed) ([]sealed, error) {
	type moved struct {
		id, link int64
		tbl, key string
	}
	if !c.mayHaveMoved() {
		return rows, nil
	}
	var ms []moved
	rs, err := c.query(movedBy, c.link)
	if err != nil {
		return nil, fmt.Errorf("chain: read moved rows: %w", err)
	}
	for rs.Next() {
		var m moved
		if err := rs.Scan(&m.id, &m.link, &m.tbl, &m.key); err != nil {
			rs.Close()
			return nil, fmt.Errorf("chain: read moved rows: %w", err)
		}
		ms = append(ms, m)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("chain: read moved rows: %w", err)
	}
	for _, m := range ms {
		i := slices.IndexFunc(rows, func(r sealed) bool { return r.table.name == m.tbl && r.key == m.key })
		if i < 0 {
			continue
		}
		var leaves []byte
		err := c.conn.QueryRowContext(c.ctx, `SELECT leaves FROM chain WHERE id = ?`, m.link).Scan(&leaves)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !hasLeaf(leaves, rows[i].seal) {
			continue // its link is pruned, or it did change
		}
		if err != nil {
			return nil, fmt.Errorf("chain: read link %d: %w", m.link, err)
		}
		r := rows[i]
		if _, err := c.conn.ExecContext(c.ctx, `UPDATE `+r.table.name+` SET chain = ? WHERE `+r.table.keyWhere(),
			append([]any{m.link}, r.keyVals...)...); err != nil {
			return nil, fmt.Errorf("chain: keep %s %s in link %d: %w", m.tbl, m.key, m.link, err)
		}
		if _, err := c.conn.ExecContext(c.ctx, `DELETE FROM chain_moved WHERE id = ?`, m.id); err != nil {
			return nil, fmt.Errorf("chain: keep %s %s in link %d: %w", m.tbl, m.key, m.link, err)
		}
		rows = slices.Delete(rows, i, i+1)
	}
	return rows, nil
}

// mayHaveMoved reports whether this Write may have rewritten a sealed
// row: only upserts do, into the tables ventd rewrites.
func (c *chainWriter) mayHaveMoved() bool {
	for _, t := range chained {
		if t.rewritable && c.touched[t.name] {
			return true
		}
	}
	return false
}

// hasLeaf reports whether s is among sorted leaves.
func hasLeaf(leaves []byte, s seal) bool {
	lo, hi := 0, len(leaves)/sealLen
	for lo < hi {
		m := (lo + hi) / 2
		switch c := bytes.Compare(leaves[m*sealLen:(m+1)*sealLen], s[:]); {
		case c == 0:
			return true
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return false
}

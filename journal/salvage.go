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
)

// metaSalvaged names the damaged file a salvaged journal was copied from.
const metaSalvaged = metaPrefix + "salvaged_from"

// SalvagedFrom says whether the journal is a copy Salvage made of a
// damaged file, and which.
func (j *Journal) SalvagedFrom() (string, bool) {
	v, ok, err := j.Meta(metaSalvaged)
	return v, ok && err == nil
}

// Salvaged is what Salvage copied, table by table.
type Salvaged struct {
	Tables []SalvagedTable
}

// SalvagedTable is one table's rows copied, and whether a read stopped
// at a page that could not be read: rows between the last read going
// forward (key order) and the last read going back were not reached.
type SalvagedTable struct {
	Name    string
	Rows    int
	Stopped bool
	// Forward and Back are the keys where the reads stopped, as text
	// ("" when that read reached the end).
	Forward, Back string
}

// Lost reports whether any table's read stopped at a page it could not
// read.
func (s Salvaged) Lost() bool {
	for _, t := range s.Tables {
		if t.Stopped {
			return true
		}
	}
	return false
}

// Salvage copies every row that can still be read from the damaged
// journal at src into a new file at dst (which must not exist), with the
// same schema: a file the readers (verify, report, export) open whole,
// whose hash chain then names the rows that were lost. Each table is read
// in its key order from the start and from the end, each read as far as
// the pages let it. The chain's seals are copied as they are, never made
// again: a salvaged file proves only what it still holds.
func Salvage(src, dst string) (Salvaged, error) {
	var out Salvaged
	if _, err := os.Stat(dst); err == nil {
		return out, fmt.Errorf("journal: salvage into %s: the file exists; give a new name", dst)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return out, fmt.Errorf("journal: salvage into %s: %w", dst, err)
	}
	from, err := OpenReadOnly(src, Options{})
	if err != nil {
		return out, fmt.Errorf("journal: salvage %s: %w (the file's table of contents cannot be read: nothing can be salvaged; keep the file for the audit)", src, err)
	}
	defer from.Close()
	schema, err := salvageSchema(from.db)
	if err != nil {
		return out, fmt.Errorf("journal: salvage %s: read its schema: %w (nothing can be salvaged; keep the file for the audit)", src, err)
	}
	abs, err := filepath.Abs(dst)
	if err != nil {
		return out, err
	}
	to, err := sql.Open("sqlite", "file:"+(&url.URL{Path: abs}).EscapedPath()+"?_txlock=immediate")
	if err != nil {
		return out, fmt.Errorf("journal: salvage into %s: %w", dst, err)
	}
	defer to.Close()
	ctx := context.Background()
	tx, err := to.BeginTx(ctx, nil)
	if err != nil {
		return out, fmt.Errorf("journal: salvage into %s: %w", dst, err)
	}
	defer tx.Rollback()
	for _, o := range schema {
		if o.kind != "trigger" && o.kind != "view" {
			if _, err := tx.ExecContext(ctx, o.sql); err != nil {
				return out, fmt.Errorf("journal: salvage into %s: create %s %s: %w", dst, o.kind, o.name, err)
			}
		}
	}
	for _, o := range schema {
		if o.kind != "table" {
			continue
		}
		t, err := salvageTable(ctx, from.db, tx, o)
		if err != nil {
			return out, fmt.Errorf("journal: salvage %s: table %s: %w", src, o.name, err)
		}
		out.Tables = append(out.Tables, t)
	}
	// Said in the meta (the journal's own state, outside the chain), so
	// that a reader tells rows lost with the damaged pages from rows
	// deleted.
	note := from.Path()
	if t, ok := Truncated(src); ok {
		note += ": " + t.String()
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`, metaSalvaged, note); err != nil {
		return out, fmt.Errorf("journal: salvage into %s: %w", dst, err)
	}
	// The triggers last: they would stamp the copied rows as written now.
	for _, o := range schema {
		if o.kind == "trigger" || o.kind == "view" {
			if _, err := tx.ExecContext(ctx, o.sql); err != nil {
				return out, fmt.Errorf("journal: salvage into %s: create %s %s: %w", dst, o.kind, o.name, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return out, fmt.Errorf("journal: salvage into %s: %w", dst, err)
	}
	return out, nil
}

// schemaObject is one row of a file's sqlite_master.
type schemaObject struct {
	kind, name, sql string
	withoutRowid    bool
}

// salvageSchema reads the file's tables, indexes and triggers, in the
// order they were made.
func salvageSchema(db *sql.DB) ([]schemaObject, error) {
	rows, err := db.Query(`SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []schemaObject
	for rows.Next() {
		var o schemaObject
		if err := rows.Scan(&o.kind, &o.name, &o.sql); err != nil {
			return nil, err
		}
		o.withoutRowid = o.kind == "table" && strings.Contains(strings.ToUpper(o.sql), "WITHOUT ROWID")
		out = append(out, o)
	}
	return out, rows.Err()
}

// salvageTable copies what can be read of table o: in key order from the
// start until a read fails, then from the end back until one fails.
func salvageTable(ctx context.Context, from *sql.DB, to *sql.Tx, o schemaObject) (SalvagedTable, error) {
	t := SalvagedTable{Name: o.name}
	cols, keys, err := tableColumns(from, o)
	if err != nil {
		return t, err
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
	}
	key := strings.Join(keys, ", ")
	desc := strings.Join(keys, " DESC, ") + " DESC"
	ins, err := to.PrepareContext(ctx, `INSERT OR IGNORE INTO "`+o.name+`" (`+strings.Join(quoted, ", ")+`) VALUES (`+strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")+`)`)
	if err != nil {
		return t, err
	}
	defer ins.Close()
	sel := `SELECT ` + strings.Join(quoted, ", ") + ` FROM "` + o.name + `" ORDER BY `
	copyRows := func(order string) (last string, stopped bool, err error) {
		rows, err := from.QueryContext(ctx, sel+order)
		if err != nil {
			if IsCorrupt(err) {
				return "", true, nil
			}
			return "", false, err
		}
		defer rows.Close()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return last, true, nil
			}
			res, err := ins.ExecContext(ctx, vals...)
			if err != nil {
				return last, false, err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				t.Rows++
			}
			last = keyText(vals[:len(keys)])
		}
		if err := rows.Err(); err != nil {
			if IsCorrupt(err) {
				return last, true, nil
			}
			return last, false, err
		}
		return last, false, nil
	}
	var stopped bool
	if t.Forward, stopped, err = copyRows(key); err != nil || !stopped {
		t.Forward = ""
		return t, err
	}
	t.Stopped = true
	t.Back, _, err = copyRows(desc)
	return t, err
}

// tableColumns lists o's columns for a copy, the key first: rowid (as
// "rowid") for a table with one, else the primary key's columns.
func tableColumns(db *sql.DB, o schemaObject) (cols, keys []string, err error) {
	rows, err := db.Query(`SELECT name, upper(type), pk FROM pragma_table_info(?) ORDER BY pk = 0, pk, cid`, o.name)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var pkCols, rest []string
	alias := false // the primary key is the rowid (INTEGER PRIMARY KEY)
	for rows.Next() {
		var name, typ string
		var pk int
		if err := rows.Scan(&name, &typ, &pk); err != nil {
			return nil, nil, err
		}
		alias = alias || pk == 1 && typ == "INTEGER"
		if pk > 0 {
			pkCols = append(pkCols, name)
		} else {
			rest = append(rest, name)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if o.withoutRowid {
		return append(pkCols, rest...), pkCols, nil
	}
	// A rowid table: its INTEGER PRIMARY KEY is the rowid; any other
	// columns are copied with the rowid they had.
	all := append(pkCols, rest...)
	if len(pkCols) == 1 && alias {
		return all, pkCols, nil
	}
	return append([]string{"rowid"}, all...), []string{"rowid"}, nil
}

// keyText shows a row's key, for saying where a read stopped.
func keyText(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " ")
}

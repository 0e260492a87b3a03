package journal

import (
	"fmt"
	"strings"
)

// chainLinkSQL is the link being written, as the triggers read it: 0
// outside a Write; -1 while a migration rewrites rows on purpose (the
// triggers then leave every row alone; rows whose sealed columns it
// changes will no longer verify).
const chainLinkSQL = `coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '` + metaChainLink + `'), 0)`

// chainBaseSQL creates the chain's own tables. Part of a shipped
// migration: never change it.
const chainBaseSQL = `
-- One link per Write that sealed rows (see chain.go). leaves: the sorted
-- 8-byte seals of its rows.
CREATE TABLE chain (
	id         INTEGER PRIMARY KEY,
	written_ms INTEGER NOT NULL,
	format     INTEGER NOT NULL,
	tables     TEXT    NOT NULL,
	first_ms   INTEGER NOT NULL,
	last_ms    INTEGER NOT NULL,
	prev       BLOB    NOT NULL,
	hash       BLOB    NOT NULL,
	leaves     BLOB    NOT NULL
);

-- Rows rewritten after they were sealed: link sealed the old version
-- (its seal stays among that link's leaves), by_link the new one; 0 when
-- the row was changed outside a ventd write.
CREATE TABLE chain_moved (
	id      INTEGER PRIMARY KEY,
	link    INTEGER NOT NULL,
	tbl     TEXT    NOT NULL,
	row_key TEXT    NOT NULL,
	time_ms INTEGER,
	by_link INTEGER NOT NULL
);
CREATE INDEX chain_moved_by ON chain_moved (by_link);
`

// chainSQL returns the SQL that chains the named tables: a chain column,
// and the triggers that tag rewritten rows (and, but for a table Write
// tags itself, inserted rows, found again through an index on chain) with
// the link being written.
//
// Its output is part of shipped migrations: never change what it
// generates for a table that shipped. To chain a new table, add it to
// chained and append a migration chainSQL("newtable").
func chainSQL(names ...string) string {
	var b strings.Builder
	for _, name := range names {
		t := chainTableNamed(name)
		if t == nil {
			panic("journal: chainSQL: no chained table " + name) // a build mistake
		}
		match := make([]string, len(t.key))
		for i, k := range t.key {
			match[i] = fmt.Sprintf("%s = NEW.%s", k, k)
		}
		where := strings.Join(match, " AND ")
		fmt.Fprintf(&b, "\nALTER TABLE %s ADD COLUMN chain INTEGER NOT NULL DEFAULT 0;\n", t.name)
		if !t.tagsItself {
			fmt.Fprintf(&b, `CREATE INDEX %[1]s_chain ON %[1]s (chain);
CREATE TRIGGER chain_%[1]s_insert AFTER INSERT ON %[1]s
WHEN %[2]s > 0 AND (%[3]s)
BEGIN
	UPDATE %[1]s SET chain = %[2]s WHERE %[4]s;
END;
`, t.name, chainLinkSQL, on(t.when, "NEW"), where)
		}
		fmt.Fprintf(&b, `CREATE TRIGGER chain_%[1]s_update AFTER UPDATE ON %[1]s
WHEN NEW.chain = OLD.chain AND %[2]s >= 0 AND OLD.chain <> %[2]s
	AND ((OLD.chain = 0 AND %[2]s > 0 AND (%[3]s)) OR (OLD.chain > 0 AND (%[5]s)))
BEGIN
	INSERT INTO chain_moved (link, tbl, row_key, time_ms, by_link)
		SELECT OLD.chain, '%[1]s', %[6]s, %[7]s, %[2]s WHERE OLD.chain > 0;
	UPDATE %[1]s SET chain = %[2]s WHERE %[4]s;
END;
`, t.name, chainLinkSQL, on(t.when, "NEW"), where, t.changed, on(t.keyText, "OLD"), on(t.time, "OLD"))
	}
	return b.String()
}

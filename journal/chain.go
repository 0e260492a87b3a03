package journal

// # The hash chain
//
// Every Write seals the rows it added or changed into a new link of a hash
// chain, in the same transaction:
//
//   - each such row gets the link's number in its chain column;
//   - its seal is the first 8 bytes of SHA-256 over the row's canonical
//     encoding (chainTable.encode). What each table's encoding holds is
//     defined once, in chained below;
//   - the link (table chain) holds its number, the journal clock's time,
//     how many rows of each table it sealed and their time range, the seals
//     of its rows (sorted: its leaves), the previous link's hash, and its
//     own hash: SHA-256 over all of that (linkHash);
//   - a later Write that rewrites a sealed row (a minute merged after a
//     restart, a finished shift written again) moves the row to its own
//     link and notes the move in chain_moved; the old link keeps the old
//     seal among its leaves, so it still verifies.
//
// Rows are tagged by triggers (chainSQL), not by the Write code, so a new
// INSERT in write.go is chained without touching it; the seal reads them
// back through an index on chain, in the tables this Write wrote to. Only
// the minutes, 26k rows a day, carry the link in their INSERT: a
// trigger's UPDATE of every row, or an index on their chain column, would
// cost a row rewrite or 15 bytes a minute. A minute newer than any written
// is sealed as Write inserted it (SQLite stores it as given, but for a
// REAL -0, which comes back 0); one that may merge with a stored minute
// comes back from its INSERT with RETURNING as stored. A batch holding
// only new minutes cannot rewrite a row, so Write does not arm the
// triggers (see below) for it. An UPDATE made outside a
// ventd write (sqlite3 on the file) moves the row out of its link with
// by_link 0, which Verify names. The triggers read the link being written
// from the meta key journal.chain_link, 0 outside a Write; meta is written
// every batch anyway, so this costs no extra page write.
//
// The chain proves that the rows are those ventd wrote, not that they are
// true: whoever holds the file can recompute every seal and link with this
// code. What anchors it is a head (a link's number and hash) kept
// elsewhere: printed on a report, in an export's header, in an auditor's
// notes. Verify checks that a copy of the journal still holds that head
// and that every row sealed up to it fits.
//
// What is sealed is chained's when column: minutes, events,
// acknowledgements, calibrations, configuration changes, gaps, clock
// status rows, actions (who purged, acknowledged, calibrated or
// reloaded, done or refused) and the booths' ventilation measurements are
// all sealed; shift summaries once finished (a running
// shift's summary is rewritten every minute and is live state, not
// record); meta only for site, room and sensor serials (the rest is the
// daemon's working state). The series table is covered through the
// minutes, whose encoding holds the zone and quantity names.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// chainFormat is the version of the canonical encoding this build writes:
// which columns of each table a seal covers (chainCol.since). Raise it
// when a column joins a seal; every link records the format it was sealed
// with, so rows sealed before keep their old, shorter encoding.
//
// 2 seals the same columns as 1. A link of format 2 or later was written
// by a ventd that puts every prune on the record before it deletes
// (prune_record.go), so rows missing from it are excused only before a
// recorded prune; from a link of format 1, as before, by the oldest
// minute left. The format is in the link's hash, so it cannot be lowered
// unnoticed.
const chainFormat = 2

// formatPrunesRecorded is the first format whose links say that prunes
// are on the record.
const formatPrunesRecorded = 2

// writeFormat is the format Write seals with: chainFormat, but for tests
// that make the journal an earlier ventd wrote.
var writeFormat = chainFormat

// sealLen is the length of a row's seal. 8 bytes: finding other contents
// with the same seal takes about 2^64 hashes, far beyond changing a
// record unnoticed, and a year of minutes stays small.
const sealLen = 8

// metaChainLink is the link being written, read by the triggers; 0
// outside a Write.
const metaChainLink = metaPrefix + "chain_link"

// chainTable says how the rows of one table are chained. In its SQL, $r
// stands for the row: NEW or OLD in a trigger, the table in a query.
//
// key, keyText, time, when, changed and batch are part of shipped
// migrations (the triggers chainSQL generates): never change them for a
// table that has shipped. cols may grow: add a column with since = the new
// chainFormat.
type chainTable struct {
	name string
	// key are the columns naming one row (its primary or unique key).
	key []string
	// keyText is the row's key as text, for chain_moved and messages.
	keyText string
	// time is the row's time in ms, the column Prune ages it out by;
	// "NULL" when it has none.
	time string
	// when says which rows are record and sealed; "1" for all. The others
	// are live state, rewritten all the time.
	when string
	// changed says whether an UPDATE of a sealed row changed it (NEW and
	// OLD); "1" treats every update as a change.
	changed string
	// rewritable: ventd itself rewrites sealed rows of this table (upserts),
	// so a moved row is listed, not a problem.
	rewritable bool
	// tagsItself: the big table. Write's INSERT carries the link (no
	// insert trigger, no index on chain), and Write seals the rows as
	// stored without reading them again (write_minutes.go).
	tagsItself bool
	cols       []chainCol
	// tagged reads the rows tagged with a link, built once.
	tagged string
}

// chainCol is one column in a row's canonical encoding.
type chainCol struct {
	name  string // in the encoding
	expr  string // SQL over $r
	since int    // first chainFormat that seals it
}

// chained lists every sealed table. Minutes come last: Verify streams the
// big table after the small ones are in memory.
var chained = []*chainTable{
	{name: "events", key: []string{"id"}, keyText: "$r.id", time: "$r.time_ms", when: "1", changed: "1",
		cols: cols1("id", "alarm_id", "time_ms", "rule", "kind", "level", "subject", "quantity", "value", "threshold", "message", "backwards_ms")},
	{name: "acks", key: []string{"id"}, keyText: "$r.id", time: "$r.time_ms", when: "1", changed: "1",
		cols: cols1("id", "alarm_id", "time_ms", "who", "note", "backwards_ms")},
	{name: "calibrations", key: []string{"id"}, keyText: "$r.id", time: "$r.time_ms", when: "1", changed: "1",
		cols: cols1("id", "time_ms", "sensor", "serial", "kind", "reference", "correction", "who", "note", "backwards_ms")},
	{name: "config_changes", key: []string{"id"}, keyText: "$r.id", time: "$r.time_ms", when: "1", changed: "1",
		cols: cols1("id", "time_ms", "hash", "summary", "backwards_ms")},
	{name: "gaps", key: []string{"id"}, keyText: "$r.id", time: "$r.end_ms", when: "1", changed: "1", rewritable: true,
		cols: cols1("id", "start_ms", "end_ms", "zone", "quantity", "reason", "backwards_ms")},
	{name: "clock_status", key: []string{"id"}, keyText: "$r.id", time: "$r.time_ms", when: "1", changed: "1",
		cols: cols1("id", "time_ms", "synchronized", "source", "note", "backwards_ms")},
	{name: "shifts", key: []string{"zone", "quantity", "start_ms"},
		keyText: "$r.zone || ' ' || $r.quantity || ' ' || $r.start_ms", time: "$r.end_ms",
		when: "$r.finished <> 0", changed: "1", rewritable: true,
		cols: cols1("zone", "quantity", "start_ms", "end_ms", "finished", "summary")},
	{name: "actions", key: []string{"id"}, keyText: "$r.id", time: "$r.time_ms", when: "1", changed: "1",
		cols: cols1("id", "time_ms", "kind", "target", "who", "via", "uid", "peer", "note", "result", "error", "backwards_ms")},
	{name: "ventilation", key: []string{"id"}, keyText: "$r.id", time: "$r.time_ms", when: "1", changed: "1",
		cols: cols1("id", "time_ms", "zone", "ach", "nominal_ach", "share", "observations", "backwards_ms")},
	{name: "meta", key: []string{"key"}, keyText: "$r.key", time: "NULL",
		when: "($r.key IN ('site', 'room') OR $r.key GLOB 'sensor.*.serial')", changed: "NEW.value IS NOT OLD.value", rewritable: true,
		cols: cols1("key", "value")},
	// A minute is sealed with its zone and quantity names, so renaming a
	// series breaks the seals of its minutes.
	{name: "minutes", key: []string{"start_ms", "series"}, keyText: "$r.start_ms || ' ' || $r.series", time: "$r.start_ms",
		when: "1", changed: "1", rewritable: true, tagsItself: true,
		cols: []chainCol{{"start_ms", "$r.start_ms", 1},
			{"zone", "(SELECT zone FROM series WHERE series.id = $r.series)", 1},
			{"quantity", "(SELECT quantity FROM series WHERE series.id = $r.series)", 1},
			{"mean", "$r.mean", 1}, {"maximum", "$r.maximum", 1}, {"count", "$r.count", 1},
			{"covered_s", "$r.covered_s", 1}, {"backwards_ms", "$r.backwards_ms", 1}}},
}

func init() {
	for _, t := range chained {
		t.tagged = t.selectRows("chain = ?")
	}
}

// cols1 lists columns sealed since format 1.
func cols1(names ...string) []chainCol {
	out := make([]chainCol, len(names))
	for i, n := range names {
		out[i] = chainCol{name: n, expr: "$r." + n, since: 1}
	}
	return out
}

func chainTableNamed(name string) *chainTable {
	for _, t := range chained {
		if t.name == name {
			return t
		}
	}
	return nil
}

// on replaces $r with the row r names ("NEW", "OLD", a table).
func on(expr, r string) string { return strings.ReplaceAll(expr, "$r", r) }

// columns lists what selectRows reads after chain: key text, time, when,
// the sealed columns (all of them, whatever the format), the key columns.
func (t *chainTable) columns(r string) string {
	var b strings.Builder
	b.WriteString(on(t.keyText, r) + ", " + on(t.time, r) + ", " + on(t.when, r))
	for _, c := range t.cols {
		b.WriteString(", " + on(c.expr, r))
	}
	for _, k := range t.key {
		b.WriteString(", " + r + "." + k)
	}
	return b.String()
}

// selectRows is the query reading this table's rows: chain, then columns.
func (t *chainTable) selectRows(where string) string {
	q := "SELECT " + t.name + ".chain, " + t.columns(t.name) + " FROM " + t.name
	if where != "" {
		q += " WHERE " + where
	}
	return q
}

// keyWhere matches one row by its key columns, as parameters.
func (t *chainTable) keyWhere() string {
	parts := make([]string, len(t.key))
	for i, k := range t.key {
		parts[i] = k + " = ?"
	}
	return strings.Join(parts, " AND ")
}

// chainRow is one row as selectRows reads it.
type chainRow struct {
	link    int64
	key     string
	time    *int64
	record  bool  // when holds
	vals    []any // the sealed columns, in t.cols order
	keyVals []any
}

// scanRow reads one row of selectRows, or, withLink false, of columns.
func (t *chainTable) scanRow(scan func(...any) error, withLink bool) (chainRow, error) {
	var r chainRow
	var time, rec any
	dest := make([]any, 0, 4+len(t.cols)+len(t.key))
	if withLink {
		dest = append(dest, &r.link)
	}
	dest = append(dest, &r.key, &time, &rec)
	r.vals = make([]any, len(t.cols))
	for i := range r.vals {
		dest = append(dest, &r.vals[i])
	}
	r.keyVals = make([]any, len(t.key))
	for i := range r.keyVals {
		dest = append(dest, &r.keyVals[i])
	}
	if err := scan(dest...); err != nil {
		return r, err
	}
	if v, ok := time.(int64); ok {
		r.time = &v
	}
	r.record = truthy(rec)
	return r, nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case int64:
		return x != 0
	case float64:
		return x != 0
	}
	return false
}

// encode appends the canonical encoding of a row sealed with format: the
// table's name, then name, type and value of each column sealed at that
// format. SQLite's storage class is part of it, so 1 and 1.0 differ.
func (t *chainTable) encode(buf []byte, format int, vals []any) ([]byte, error) {
	buf = appendRowHead(buf, t.name)
	for i, c := range t.cols {
		if c.since > format {
			continue
		}
		switch v := vals[i].(type) {
		case nil:
			buf = append(appendString(buf, c.name), 'N')
		case int64:
			buf = appendInt(buf, c.name, v)
		case float64:
			buf = appendFloat(buf, c.name, v)
		case string:
			buf = appendText(buf, c.name, v)
		case []byte:
			buf = appendString(append(appendString(buf, c.name), 'B'), string(v))
		default:
			return buf, fmt.Errorf("%s.%s: cannot encode %T", t.name, c.name, v)
		}
	}
	return buf, nil
}

// appendRowHead, appendInt, appendFloat and appendText are the pieces of
// a row's encoding: its table, and a column's name, type and value.
func appendRowHead(buf []byte, table string) []byte {
	return appendString(append(buf, "ventd.row\x00"...), table)
}

func appendInt(buf []byte, name string, v int64) []byte {
	return binary.BigEndian.AppendUint64(append(appendString(buf, name), 'I'), uint64(v))
}

func appendFloat(buf []byte, name string, v float64) []byte {
	return binary.BigEndian.AppendUint64(append(appendString(buf, name), 'F'), math.Float64bits(v))
}

func appendText(buf []byte, name, v string) []byte {
	return appendString(append(appendString(buf, name), 'S'), v)
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// sealRow returns the seal of a row's values sealed with format.
func (t *chainTable) sealRow(buf []byte, format int, vals []any) ([]byte, seal, error) {
	buf, err := t.encode(buf[:0], format, vals)
	if err != nil {
		return buf, seal{}, err
	}
	sum := sha256.Sum256(buf)
	return buf, seal(sum[:sealLen]), nil
}

// seal is a row's seal.
type seal [sealLen]byte

// link is one link of the chain as stored.
type link struct {
	id          int64
	written     int64 // ms
	format      int
	tables      string // "events=1 minutes=18": rows sealed per table
	first, last int64  // time range of its timed rows, ms
	prev, hash  []byte
	leaves      []byte // the seals of its rows, sorted, sealLen bytes each
}

// linkHash is SHA-256 over the link's fields, the previous link's hash
// and its leaves.
func linkHash(l *link) []byte {
	h := sha256.New()
	h.Write([]byte("ventd.link\x00"))
	h.Write(l.prev)
	var n [8]byte
	for _, v := range []int64{l.id, l.written, int64(l.format), l.first, l.last} {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		h.Write(n[:])
	}
	h.Write(appendString(nil, l.tables))
	h.Write(appendString(nil, string(l.leaves)))
	return h.Sum(nil)
}

// leavesOf sorts the seals into a link's leaves.
func leavesOf(seals []seal) []byte {
	slices.SortFunc(seals, func(a, b seal) int { return bytes.Compare(a[:], b[:]) })
	out := make([]byte, 0, len(seals)*sealLen)
	for _, s := range seals {
		out = append(out, s[:]...)
	}
	return out
}

// countTables returns how many rows a link's tables column says it
// sealed.
func countTables(s string) (int, error) {
	total := 0
	for _, f := range strings.Fields(s) {
		_, n, ok := strings.Cut(f, "=")
		k, err := strconv.Atoi(n)
		if !ok || err != nil || k < 0 {
			return 0, fmt.Errorf("tables %q: %q is not table=count", s, f)
		}
		total += k
	}
	return total, nil
}

func formatTables(counts map[string]int) string {
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s=%d", n, counts[n])
	}
	return strings.Join(parts, " ")
}

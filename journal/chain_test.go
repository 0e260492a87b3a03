package journal

import (
	"database/sql"
	"encoding/hex"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
)

// chainBatch is minute i of a shift with one row of every sealed kind,
// plus live state (a running shift, the daemon's own meta) that is not.
func chainBatch(i int) Batch {
	at := t0.Add(time.Duration(i) * time.Minute)
	b := Batch{
		Minutes: minutes(at, 1, []string{"booth", "staff"}, []string{"pm2.5", "co2"}),
		Events: []Event{{ID: uint64(i + 1), AlarmID: uint64(i + 1), Rule: "staff-pm25", Kind: "raised", Level: "alarm", Subject: "staff",
			Quantity: "pm2.5", Time: at.Add(10 * time.Second), Value: 130, Threshold: 125.5, Message: "PM2.5 high"}},
		Acks:          []Ack{{AlarmID: uint64(i + 1), Time: at.Add(20 * time.Second), Who: "dana", Note: "checked"}},
		Calibrations:  []Calibration{{Time: at.Add(30 * time.Second), Sensor: "staff-co2", Serial: "S1", Kind: CalFRC, Reference: 420, Correction: -12, Who: "tech"}},
		ConfigChanges: []ConfigChange{{Time: at.Add(5 * time.Second), Hash: "h" + string(rune('a'+i)), Summary: "cfg"}},
		Gaps:          []Gap{{Start: at, End: at.Add(40 * time.Second), Zone: "staff", Quantity: "co2", Reason: GapSensorFault}},
		ClockStatus:   []ClockStatus{{Time: at.Add(time.Second), Synchronized: true, Source: "chrony"}},
		Shifts: []Shift{{Zone: "staff", Quantity: "co2", Start: t0, End: t0.Add(12 * time.Hour), Summary: []byte(`{"twa_osha":1}`)},
			{Zone: "staff", Quantity: "co2", Start: at.Add(-12 * time.Hour), End: at, Finished: true, Summary: []byte(`{"twa_osha":2}`)}},
		Meta: map[string]string{"site": "Hope", "room": "A", "sensor.staff-co2.serial": "S1", "alarms.next_id": "9"},
		Actions: []Action{{Time: at.Add(25 * time.Second), Kind: "purge", Target: "booth", Who: "lee", Via: "page",
			Peer: "10.0.0.7:5123", Note: "overdose", Result: "purging"}},
	}
	return b
}

// sealedPerBatch counts the sealed rows of chainBatch: 4 minutes, one of
// each other kind, the finished shift, and site, room and serial the
// first time.
const sealedPerBatch = 4 + 7 + 1

func verify(t *testing.T, j *Journal, o VerifyOptions) *Verification {
	t.Helper()
	v, err := j.Verify(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range v.Problems {
		t.Log("problem:", p)
	}
	return v
}

func TestChainSealsEveryWrite(t *testing.T) {
	j := open(t, Options{})
	const n = 5
	for i := range n {
		write(t, j, chainBatch(i))
	}
	write(t, j, Batch{Meta: map[string]string{"alarms.next_id": "10"}}) // live state only: no link
	v := verify(t, j, VerifyOptions{})
	if !v.OK() || v.Links != n || v.Rows != n*sealedPerBatch+3 || v.Before != 0 || v.Rewrites != 0 {
		t.Fatalf("untouched journal: %+v; want OK, %d links, %d rows", v, n, n*sealedPerBatch+3)
	}
	head, err := j.ChainHead()
	if err != nil || head.Link != n || len(head.Hash) != 64 || head != v.Head {
		t.Errorf("ChainHead %+v (%v), Verify's head %+v", head, err, v.Head)
	}
	// The running shift is live state: not sealed.
	var running int64
	j.db.QueryRow(`SELECT chain FROM shifts WHERE finished = 0`).Scan(&running)
	if running != 0 {
		t.Errorf("running shift sealed by link %d; it is rewritten every minute and must not be", running)
	}
	// So is the daemon's own meta.
	var ids int64
	j.db.QueryRow(`SELECT chain FROM meta WHERE key = 'alarms.next_id'`).Scan(&ids)
	if ids != 0 {
		t.Errorf("alarms.next_id sealed by link %d", ids)
	}
}

// TestChainNamesEachTamper changes the file the ways someone might, each on
// a fresh journal, and checks Verify names the row.
func TestChainNamesEachTamper(t *testing.T) {
	at := t0.Add(2 * time.Minute)
	for _, tc := range []struct {
		name, sql string
		table     string // "" for a link
		want      string
	}{
		{"minute changed", `UPDATE minutes SET mean = mean / 2 WHERE start_ms = ` + ms(at) + ` AND series = 2`,
			"minutes", "changed outside a ventd write"},
		{"event message changed", `UPDATE events SET message = 'nothing happened' WHERE id = 3`,
			"events", "changed outside a ventd write"},
		{"ack name changed", `UPDATE acks SET who = 'nobody' WHERE alarm_id = 3`, "acks", "changed outside a ventd write"},
		{"serial changed", `UPDATE meta SET value = 'S2' WHERE key = 'sensor.staff-co2.serial'`, "meta", "changed outside a ventd write"},
		{"series renamed", `UPDATE series SET zone = 'office' WHERE zone = 'staff'`, "minutes", "does not match its seal"},
		{"minute changed with the triggers dropped", `DROP TRIGGER chain_minutes_update; UPDATE minutes SET maximum = 1 WHERE start_ms = ` + ms(at),
			"minutes", "does not match its seal"},
		{"event deleted", `DELETE FROM events WHERE id = 3`, "", "1 of its rows"},
		{"action's name changed", `UPDATE actions SET who = 'nobody' WHERE id = 3`, "actions", "changed outside a ventd write"},
		{"action deleted", `DELETE FROM actions WHERE id = 3`, "", "1 of its rows"},
		{"gap inserted", `INSERT INTO gaps (start_ms, end_ms, zone, quantity, reason) VALUES (` + ms(at) + `, ` + ms(at.Add(time.Hour)) + `, 'staff', 'pm2.5', 'x')`,
			"gaps", "not sealed"},
		{"link edited", `UPDATE chain SET written_ms = written_ms + 1 WHERE id = 3`, "", "does not match its contents"},
		{"link deleted", `DELETE FROM chain WHERE id = 3`, "", "links 3 to 3 are missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := open(t, Options{})
			for i := range 5 {
				write(t, j, chainBatch(i))
			}
			if v := verify(t, j, VerifyOptions{}); !v.OK() {
				t.Fatal("not OK before the change")
			}
			if _, err := j.db.Exec(tc.sql); err != nil {
				t.Fatal(err)
			}
			v := verify(t, j, VerifyOptions{})
			if v.OK() {
				t.Fatalf("%s: Verify found nothing", tc.name)
			}
			p := v.Problems[0]
			if p.Table != tc.table || !strings.Contains(p.What, tc.want) {
				t.Errorf("first problem %q; want table %q, %q", p, tc.table, tc.want)
			}
			if tc.table != "" && (p.Key == "" || p.Time.IsZero() && tc.table != "meta") {
				t.Errorf("problem %q does not name the row's key and time", p)
			}
		})
	}
}

func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func TestChainKeepsRewritesVisible(t *testing.T) {
	j := open(t, Options{})
	for i := range 3 {
		write(t, j, chainBatch(i))
	}
	// A restart re-writes the minute it stopped in: merged, moved to the
	// new link, listed as a rewrite.
	m := Minute{Start: t0.Add(2 * time.Minute), Zone: "staff", Quantity: "co2", Mean: 900, Max: 950, Count: 5, CoveredSeconds: 5}
	write(t, j, Batch{Minutes: []Minute{m}})
	// The same finished shift and site written again change nothing.
	b := chainBatch(2)
	write(t, j, Batch{Shifts: b.Shifts[1:], Meta: map[string]string{"site": "Hope"}})
	v := verify(t, j, VerifyOptions{})
	if !v.OK() || v.Rewrites != 1 || len(v.Rewritten) != 1 || v.Links != 4 {
		t.Fatalf("%+v; want OK, the merged minute as the one rewrite, 4 links", v)
	}
	rw := v.Rewritten[0]
	if rw.Table != "minutes" || rw.From != 3 || rw.To != 4 || !rw.Time.Equal(m.Start) {
		t.Errorf("rewrite %+v, want the minute at %v moved from link 3 to 4", rw, m.Start)
	}
	if n := countRows(t, j, "chain_moved"); n != 1 {
		t.Errorf("%d moves recorded, want 1 (the unchanged shift and site stay where they were)", n)
	}
}

func TestChainHeadAndWindow(t *testing.T) {
	j := open(t, Options{})
	for i := range 10 {
		write(t, j, chainBatch(i))
	}
	h, _ := j.ChainHead()
	for i := 10; i < 12; i++ {
		write(t, j, chainBatch(i))
	}
	v := verify(t, j, VerifyOptions{Head: h.Hash[:16]})
	if !v.OK() || v.HeadLink != h.Link {
		t.Errorf("head %s: link %d, %+v", h.Hash[:16], v.HeadLink, v.Problems)
	}
	v = verify(t, j, VerifyOptions{Head: strings.Repeat("ab", 32)})
	if v.OK() || !strings.Contains(v.Problems[0].What, "is not in this journal's chain") {
		t.Errorf("a head from elsewhere: %+v", v.Problems)
	}
	if _, err := j.Verify(VerifyOptions{Head: "xyz"}); err == nil {
		t.Error("a head that is not hex was accepted")
	}
	// A window checks its rows and their links only.
	j.db.Exec(`UPDATE events SET message = 'x' WHERE id = 2`) // minute 1
	v = verify(t, j, VerifyOptions{From: t0.Add(5 * time.Minute), To: t0.Add(8 * time.Minute)})
	if !v.OK() || v.Links != 3 || v.Rows != 3*sealedPerBatch {
		t.Errorf("window 5–8 min: %d links, %d rows, %d problems; want 3, %d, 0", v.Links, v.Rows, v.ProblemCount, 3*sealedPerBatch)
	}
	v = verify(t, j, VerifyOptions{From: t0, To: t0.Add(3 * time.Minute)})
	if v.ProblemCount != 1 || v.Problems[0].Table != "events" {
		t.Errorf("window 0–3 min: %+v; want the changed event", v.Problems)
	}
}

func TestChainPruned(t *testing.T) {
	const day = 24 * time.Hour
	j := open(t, Options{Retention: 3 * day})
	for d := range 6 {
		b := chainBatch(0)
		shift := func(t time.Time) time.Time { return t.Add(time.Duration(d) * day) }
		for i := range b.Minutes {
			b.Minutes[i].Start = shift(b.Minutes[i].Start)
		}
		b.Events[0].ID, b.Events[0].Time = uint64(d+1), shift(b.Events[0].Time)
		b.Acks[0].Time = shift(b.Acks[0].Time)
		b.Calibrations[0].Time = shift(b.Calibrations[0].Time)
		b.ConfigChanges[0].Time = shift(b.ConfigChanges[0].Time)
		b.Gaps[0].Start, b.Gaps[0].End = shift(b.Gaps[0].Start), shift(b.Gaps[0].End)
		b.ClockStatus[0].Time = shift(b.ClockStatus[0].Time)
		b.Shifts = nil
		write(t, j, b)
	}
	if _, err := j.Prune(t0.Add(6 * day)); err != nil {
		t.Fatal(err)
	}
	v := verify(t, j, VerifyOptions{})
	// Links 1–3 keep their calibration and configuration change, never
	// pruned; their other rows are gone.
	if !v.OK() || v.Oldest.Link != 1 || v.Pruned == 0 {
		t.Errorf("after prune: %+v; want OK with pruned rows counted", v)
	}
	if n := countRows(t, j, "chain"); n != 7 {
		t.Errorf("%d links kept, want 7 (six hold a calibration, one the prune's own record)", n)
	}
	if as, _ := j.Actions(time.Time{}, time.Time{}); len(as) != 7 || as[6].Kind != ActionPruned || as[6].Target != t0.Add(3*day).Format(time.RFC3339Nano) {
		t.Errorf("actions after the prune: %+v; want the prune on the record, cut at %s", as, t0.Add(3*day).Format(time.RFC3339))
	}
	// An action is never pruned: one deleted from a link older than the
	// oldest minute left is missing, not pruned.
	if _, err := j.db.Exec(`DELETE FROM actions WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	v = verify(t, j, VerifyOptions{})
	if v.OK() || v.Problems[0].Link != 1 || !strings.Contains(v.Problems[0].What, "actions=1") {
		t.Errorf("after deleting the oldest action: %+v; want link 1 named as missing its action", v.Problems)
	}
}

// TestChainOverMainSchema opens a journal at schema 3 (before the chain:
// the actions table, no chain) as an older ventd left it, with rows in
// it: Open adds the chain, the old rows count as written before it, and
// what is written after is sealed, actions included.
func TestChainOverMainSchema(t *testing.T) {
	const before = 3
	path := atSchema(t, before, `INSERT INTO series (id, zone, quantity) VALUES (1, 'staff', 'co2')`,
		`INSERT INTO minutes (start_ms, series, mean, maximum, count, covered_s) VALUES (`+ms(t0.Add(-time.Hour))+`, 1, 800, 900, 12, 60)`,
		`INSERT INTO actions (time_ms, kind, target, who, via, uid, peer, note, result, error) VALUES
			(`+ms(t0.Add(-time.Hour))+`, 'acknowledge', 'all', 'dana', 'socket', 1000, 'pid 7', '', 'acknowledged', '')`,
		`INSERT INTO meta (key, value) VALUES ('site', 'Hope')`)

	j, err := Open(path, Options{Clock: clock.NewSim(t0, 0), NoSync: true})
	if err != nil {
		t.Fatalf("Open of a schema %d journal: %v", before, err)
	}
	defer j.Close()
	if j.Version() != SchemaVersion {
		t.Fatalf("schema %d after Open, want %d", j.Version(), SchemaVersion)
	}
	if v := verify(t, j, VerifyOptions{}); !v.OK() || v.Links != 0 || v.Before != 3 {
		t.Errorf("Verify before any write: %+v; want OK, no link, the minute, action and site counted as before the chain", v)
	}
	write(t, j, chainBatch(1))
	v := verify(t, j, VerifyOptions{})
	// Sealed: the batch's rows, its site, room and serial (the old site
	// row among them: written again, so sealed now).
	if !v.OK() || v.Links != 1 || v.Before != 2 || v.Rows != sealedPerBatch+3 {
		t.Errorf("after the upgrade: %+v; want OK, 1 link of %d rows, the old minute and action counted as before the chain", v, sealedPerBatch+3)
	}
	acts, err := j.Actions(time.Time{}, t0.Add(time.Hour))
	if err != nil || len(acts) != 2 || acts[0].Who != "dana" || acts[1].Who != "lee" {
		t.Errorf("actions after the upgrade: %+v, %v", acts, err)
	}
	if _, err := j.db.Exec(`UPDATE actions SET who = 'x' WHERE who = 'lee'`); err != nil {
		t.Fatal(err)
	}
	if v := verify(t, j, VerifyOptions{}); v.OK() || v.Problems[0].Table != "actions" {
		t.Errorf("an action written after the upgrade, then changed: %+v", v.Problems)
	}
}

// atSchema writes a journal as the ventd of schema version left it (the
// shipped migrations are never edited, so they are that schema), then
// runs rows, and returns its path.
func atSchema(t *testing.T, version int, rows ...string) string {
	t.Helper()
	return atSchemaMode(t, "TRUNCATE", version, rows...)
}

// atSchemaMode is atSchema with the file in journal mode mode (the first
// release used WAL).
func atSchemaMode(t *testing.T, mode string, version int, rows ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journal.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	qs := []string{"PRAGMA auto_vacuum = INCREMENTAL", "PRAGMA journal_mode = " + mode,
		`CREATE TABLE schema_version (version INTEGER NOT NULL)`, `INSERT INTO schema_version VALUES (` + strconv.Itoa(version) + `)`}
	qs = append(append(qs, migrations[:version]...), rows...)
	for _, q := range qs {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	return path
}

func TestChainOverLegacyJournal(t *testing.T) {
	path := writeV1(t)
	j, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	write(t, j, chainBatch(1))
	v := verify(t, j, VerifyOptions{})
	if !v.OK() || v.Before != 1 || v.Links != 1 {
		t.Errorf("over a schema 1 journal: %+v; want OK, its one minute counted as before the chain", v)
	}
	if site, _, _ := j.Meta("site"); site != "Hope" {
		t.Errorf("site %q", site)
	}
}

func TestChainOnReadOnly(t *testing.T) {
	j := open(t, Options{})
	for i := range 3 {
		write(t, j, chainBatch(i))
	}
	r, err := OpenReadOnly(j.Path(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	v := verify(t, r, VerifyOptions{})
	h, err := r.ChainHead()
	if !v.OK() || err != nil || h.Link != 3 {
		t.Errorf("read-only: %+v, head %+v %v", v, h, err)
	}
	w1 := writeV1(t)
	old, err := OpenReadOnly(w1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if _, err := old.Verify(VerifyOptions{}); err == nil || !strings.Contains(err.Error(), "no hash chain") {
		t.Errorf("Verify of a schema 1 journal: %v", err)
	}
}

// TestChainCoversEveryColumn fails when a column or a table is added
// without deciding whether the chain covers it: add the column to chained
// (with since = a new chainFormat) or to notSealed, and a table to
// chained (with its migration) or to notChained.
func TestChainCoversEveryColumn(t *testing.T) {
	notChained := map[string]string{
		"schema_version": "the file's own bookkeeping",
		"series":         "covered through the minutes, whose seals hold the names",
		"chain":          "the chain itself",
		"chain_moved":    "the chain itself",
	}
	notSealed := map[string]bool{
		"chain":          true,
		"minutes.series": true, // sealed as its zone and quantity names
	}
	j := open(t, Options{})
	rs, err := j.db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rs.Next() {
		var n string
		rs.Scan(&n)
		tables = append(tables, n)
	}
	rs.Close()
	for _, name := range tables {
		ct := chainTableNamed(name)
		if ct == nil {
			if notChained[name] == "" {
				t.Errorf("table %s is neither chained nor listed as not chained", name)
			}
			continue
		}
		cols, err := j.db.Query(`SELECT name FROM pragma_table_info(?)`, name)
		if err != nil {
			t.Fatal(err)
		}
		for cols.Next() {
			var c string
			cols.Scan(&c)
			if notSealed[c] || notSealed[name+"."+c] {
				continue
			}
			found := false
			for _, cc := range ct.cols {
				found = found || cc.name == c
			}
			if !found {
				t.Errorf("column %s.%s is not sealed: add it to chained with since = %d (and raise chainFormat) or say why not in notSealed", name, c, chainFormat+1)
			}
		}
		cols.Close()
	}
}

// TestChainEncoding pins the canonical encoding: a change to it would make
// every journal in the field fail to verify.
func TestChainEncoding(t *testing.T) {
	ev := chainTableNamed("events")
	vals := []any{int64(3), int64(3), int64(1772438400000), "r", "raised", "alarm", "staff", "pm2.5", 130.5, nil, "µg/m³", int64(0)}
	_, s, err := ev.sealRow(nil, 1, vals)
	if err != nil {
		t.Fatal(err)
	}
	const want = "fecdeb8085d3ffeb"
	if got := hex.EncodeToString(s[:]); got != want {
		t.Errorf("seal %s, want %s: the encoding changed", got, want)
	}
	vals[8] = math.Float64frombits(math.Float64bits(130.5) + 1)
	if _, s2, _ := ev.sealRow(nil, 1, vals); s2 == s {
		t.Error("a one-ulp change kept the seal")
	}
	if _, _, err := ev.sealRow(nil, 1, append(vals[:11:11], true)); err == nil {
		t.Error("a value SQLite cannot hold was encoded")
	}
}

func TestChainSetMetaSeals(t *testing.T) {
	j := open(t, Options{})
	write(t, j, chainBatch(0))
	if err := j.SetMeta("site", "Hope to Health, room 2"); err != nil {
		t.Fatal(err)
	}
	v := verify(t, j, VerifyOptions{})
	if !v.OK() || v.Rewrites != 1 || v.Rewritten[0].Table != "meta" || v.Head.Link != 2 {
		t.Errorf("after SetMeta of the site: %+v; want OK, the site resealed by link 2", v)
	}
}

// TestChainOneConnection writes through a one-connection pool: the chain's
// statements must not wait for a second connection while Write's
// transaction holds the only one.
func TestChainOneConnection(t *testing.T) {
	j := open(t, Options{})
	j.db.SetMaxOpenConns(1)
	for i := range 3 {
		write(t, j, chainBatch(i))
	}
	if v := verify(t, j, VerifyOptions{}); !v.OK() || v.Links != 3 {
		t.Errorf("%+v", v)
	}
}

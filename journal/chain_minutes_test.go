package journal

import (
	"math"
	"testing"
	"time"
)

// TestChainSealsMinutesAsStored writes minutes each way Write can: fresh
// ones sealed as given (one INSERT, no triggers), merged ones sealed as
// the INSERT returned them, a minute repeated within one batch, chunks
// of minuteRows and a remainder, and a -0 that SQLite stores as 0. Each
// time the chain verifies, and the tampering checks still see a changed
// minute.
func TestChainSealsMinutesAsStored(t *testing.T) {
	j := open(t, Options{})
	zones := []string{"booth", "staff"}
	qs := []string{"pm2.5", "co2", "temperature"}
	negZero := math.Copysign(0, -1)

	// Fresh: a minute, then 300 minutes (a chunk of 256 and one of 44),
	// one with a mean and max of -0.
	first := minutes(t0, 1, zones, qs)
	first[0].Mean, first[0].Max = negZero, negZero
	write(t, j, Batch{Minutes: first})
	write(t, j, Batch{Minutes: minutes(t0.Add(time.Minute), 50, zones, qs)})
	if n := countRows(t, j, "minutes"); n != 51*6 {
		t.Fatalf("%d minutes written, want %d", n, 51*6)
	}
	if v := verify(t, j, VerifyOptions{}); !v.OK() || v.Rows != 51*6 || v.Links != 2 {
		t.Fatalf("fresh minutes: %+v", v)
	}

	// Merged: a restart re-writes the last 45 minutes (chunked), with a
	// -0 merged into an existing minute, and a new minute beside them.
	again := minutes(t0.Add(6*time.Minute), 46, zones, qs)
	for i := range again {
		again[i].Count, again[i].CoveredSeconds = 1, 1
	}
	again[0].Mean, again[0].Max = negZero, negZero
	write(t, j, Batch{Minutes: again})
	v := verify(t, j, VerifyOptions{})
	if !v.OK() || v.Rewrites != 45*6 || v.Links != 3 {
		t.Fatalf("merged minutes: OK %v, %d rewrites, %d links; want OK, %d, 3", v.OK(), v.Rewrites, v.Links, 45*6)
	}
	// Counted by table, and listed up to 20 of each.
	if v.RewritesIn["minutes"] != 45*6 || len(v.Rewritten) != 20 {
		t.Errorf("rewrites by table %v, %d listed; want minutes %d, 20 listed", v.RewritesIn, len(v.Rewritten), 45*6)
	}
	got, _ := j.Minutes(t0.Add(6*time.Minute), t0.Add(7*time.Minute), "booth", "pm2.5")
	if len(got) != 1 || got[0].Count != 61 || got[0].CoveredSeconds != 60 {
		t.Errorf("merged minute %+v, want 61 samples over 60 s", got)
	}

	// Repeated within one batch: written in order, the last version kept.
	at := t0.Add(2 * time.Hour)
	m := Minute{Start: at, Zone: "staff", Quantity: "co2", Mean: 400, Max: 410, Count: 30, CoveredSeconds: 30}
	m2 := m
	m2.Mean, m2.Max, m2.Count = 500, 600, 10
	write(t, j, Batch{Minutes: []Minute{m, minutes(at, 1, zones, qs)[0], m2}})
	if v := verify(t, j, VerifyOptions{}); !v.OK() || v.Links != 4 {
		t.Fatalf("a minute repeated in one batch: %+v", v)
	}
	got, _ = j.Minutes(at, at.Add(time.Minute), "staff", "co2")
	if len(got) != 1 || got[0].Count != 40 || got[0].Mean != (400*30+500*10)/40.0 {
		t.Errorf("repeated minute %+v, want both parts merged", got)
	}

	// What the chain proves still holds for minutes written either way.
	for _, when := range []time.Time{t0, t0.Add(3 * time.Minute), t0.Add(20 * time.Minute)} {
		if _, err := j.db.Exec(`UPDATE minutes SET mean = mean / 2 + 1 WHERE start_ms = ?`, when.UnixMilli()); err != nil {
			t.Fatal(err)
		}
	}
	v = verify(t, j, VerifyOptions{})
	if v.ProblemCount != 3*6 {
		t.Errorf("%d problems after changing 18 minutes outside ventd, want 18: %v", v.ProblemCount, v.Problems)
	}
}

// TestChainFreshMinutesLeaveTriggersIdle checks that a batch of fresh
// minutes only, written without telling the triggers the link, leaves
// the triggers disarmed: a change made afterwards is one made outside
// ventd.
func TestChainFreshMinutesLeaveTriggersIdle(t *testing.T) {
	j := open(t, Options{})
	write(t, j, chainBatch(0))
	write(t, j, Batch{Minutes: minutes(t0.Add(time.Hour), 1, []string{"staff"}, []string{"co2"})})
	if v, _, _ := j.Meta(metaChainLink); v != "0" {
		t.Errorf("chain_link after a write = %q, want 0", v)
	}
	j.db.Exec(`UPDATE minutes SET maximum = 1 WHERE start_ms = ?`, t0.Add(time.Hour).UnixMilli())
	v := verify(t, j, VerifyOptions{})
	if v.ProblemCount != 1 || v.Problems[0].Table != "minutes" {
		t.Errorf("%+v; want the changed minute named", v.Problems)
	}
}

// TestEncodeMinuteAsStored holds encodeMinute, which seals a fresh minute
// from the values Write inserts, to the encoding of the row SQLite gives
// back, for values whose storage is not plain: integral, -0, huge, tiny.
func TestEncodeMinuteAsStored(t *testing.T) {
	j := open(t, Options{})
	values := []float64{0, math.Copysign(0, -1), 5, -3, 0.1, 1e300, 5e-324, 1 << 53, -(1 << 60), 42.5}
	var ms []Minute
	for i, v := range values {
		ms = append(ms, Minute{Start: t0, Zone: "booth", Quantity: "q" + string(rune('a'+i)), Mean: v, Max: math.Max(v, 1e301),
			Count: 1 + i*1000, CoveredSeconds: math.Abs(math.Mod(v, 60))})
	}
	write(t, j, Batch{Minutes: ms})
	rs, err := j.db.Query(minutesTable.selectRows("") + " ORDER BY series")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	i := 0
	for ; rs.Next(); i++ {
		r, err := minutesTable.scanRow(rs.Scan, true)
		if err != nil {
			t.Fatal(err)
		}
		want, err := minutesTable.encode(nil, chainFormat, r.vals)
		if err != nil {
			t.Fatal(err)
		}
		m := ms[i]
		got := encodeMinute(nil, t0.UnixMilli(), m.Zone, m.Quantity, m.Mean, m.Max, int64(m.Count), m.CoveredSeconds, 0)
		if string(got) != string(want) {
			t.Errorf("mean %v: encodeMinute\n%q\nthe row read back\n%q", m.Mean, got, want)
		}
	}
	if i != len(values) {
		t.Fatalf("%d rows read back, want %d", i, len(values))
	}
	if v := verify(t, j, VerifyOptions{}); !v.OK() {
		t.Errorf("%+v", v)
	}
}

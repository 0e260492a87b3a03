package journal

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func shiftAt(start time.Time, zone, q string, finished bool, summary string) Shift {
	s := Shift{Zone: zone, Quantity: q, Start: start, End: start.Add(8 * time.Hour), Finished: finished}
	if summary != "" {
		s.Summary = []byte(summary)
	}
	return s
}

func TestShiftUpsert(t *testing.T) {
	j := open(t, Options{})
	get := func() Shift {
		t.Helper()
		ss, err := j.Shifts(time.Time{}, time.Time{})
		if err != nil || len(ss) != 1 {
			t.Fatalf("Shifts = %+v, %v; want one", ss, err)
		}
		return ss[0]
	}
	// The daemon writes the running shift's summary every flush…
	write(t, j, Batch{Shifts: []Shift{shiftAt(t0, "staff", "co2", false, `{"twa_osha":1}`)}})
	write(t, j, Batch{Shifts: []Shift{shiftAt(t0, "staff", "co2", false, `{"twa_osha":2}`)}})
	if s := get(); string(s.Summary) != `{"twa_osha":2}` || s.Finished {
		t.Errorf("after two flushes: %+v, want the second summary, unfinished", s)
	}
	// …a flush without a summary keeps the stored one…
	write(t, j, Batch{Shifts: []Shift{shiftAt(t0, "staff", "co2", false, "")}})
	if s := get(); string(s.Summary) != `{"twa_osha":2}` {
		t.Errorf("a nil summary replaced the stored one: %q", s.Summary)
	}
	// …and the finished one at the shift's end.
	write(t, j, Batch{Shifts: []Shift{shiftAt(t0, "staff", "co2", true, `{"twa_osha":3}`)}})
	want := shiftAt(t0, "staff", "co2", true, `{"twa_osha":3}`)
	if s := get(); !reflect.DeepEqual(s, want) {
		t.Errorf("finished: %+v, want %+v", s, want)
	}
	// A late flush of the running summary (a batch retried after the
	// shift ended) must not undo the final figures.
	late := shiftAt(t0, "staff", "co2", false, `{"twa_osha":2.5}`)
	late.End = t0.Add(9 * time.Hour)
	write(t, j, Batch{Shifts: []Shift{late}})
	if s := get(); !reflect.DeepEqual(s, want) {
		t.Errorf("a late unfinished row replaced the finished one: %+v", s)
	}
	if n := countRows(t, j, "shifts"); n != 1 {
		t.Errorf("%d shift rows, want 1: the upsert key is (zone, quantity, start)", n)
	}
}

func TestShiftsOverlap(t *testing.T) {
	j := open(t, Options{})
	var all []Shift
	for d := range 3 {
		for _, h := range []int{7, 15, 23} {
			start := t0.Add(time.Duration(d*24+h-8) * time.Hour)
			all = append(all, shiftAt(start, "staff", "pm25", true, `{}`), shiftAt(start, "booth", "co2", true, `{}`))
		}
	}
	write(t, j, Batch{Shifts: all})
	day2 := t0.Add(24 * time.Hour) // 08:00, in the middle of the 07:00 shift
	got, err := j.Shifts(day2, day2.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// 07:00 (overlaps the start), 15:00, 23:00, and the next day's 07:00.
	var starts []string
	for _, s := range got {
		starts = append(starts, s.Start.Format("02T15")+" "+s.Zone)
	}
	want := []string{"03T07 booth", "03T07 staff", "03T15 booth", "03T15 staff", "03T23 booth", "03T23 staff",
		"04T07 booth", "04T07 staff"}
	if !reflect.DeepEqual(starts, want) {
		t.Errorf("shifts overlapping %v + 24h: %v, want %v", day2, starts, want)
	}
	// A shift ending exactly at from does not overlap; one starting at to
	// does not either.
	s07 := all[6].Start // day 2 07:00
	got, _ = j.Shifts(s07.Add(8*time.Hour), s07.Add(8*time.Hour+time.Minute))
	if len(got) != 2 || !got[0].Start.Equal(s07.Add(8*time.Hour)) {
		t.Errorf("half-open window at a shift boundary: %+v", got)
	}
}

func TestShiftInvalid(t *testing.T) {
	j := open(t, Options{})
	for _, c := range []struct {
		s    Shift
		want string
	}{
		{Shift{Quantity: "co2", Start: t0, End: t0.Add(time.Hour)}, "zone and quantity"},
		{Shift{Zone: "staff", Quantity: "co2", Start: t0, End: t0}, "not after start"},
		{Shift{Zone: "staff", Quantity: "co2", Start: t0, End: t0.Add(time.Hour), Summary: []byte("{twa")}, "not valid JSON"},
	} {
		_, err := j.Write(Batch{Shifts: []Shift{c.s}})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "shifts[0]") {
			t.Errorf("Write(%+v) = %v, want ErrInvalid naming shifts[0] and saying %q", c.s, err, c.want)
		}
	}
}

func TestShiftsPrunedByRetentionNotSize(t *testing.T) {
	const day = 24 * time.Hour
	j := open(t, Options{Retention: 5 * day, MaxSizeBytes: 1 << 20})
	for d := range 10 {
		start := t0.Add(time.Duration(d) * day)
		b := dayOfMinutes(start, []string{"staff", "booth"}, []string{"co2", "pm25"})
		b.Shifts = []Shift{shiftAt(start, "staff", "co2", true, `{"twa_osha":1}`)}
		write(t, j, b)
	}
	if _, err := j.Prune(t0.Add(10 * day)); err != nil {
		t.Fatal(err)
	}
	first, _, _ := j.Range()
	ss, _ := j.Shifts(time.Time{}, time.Time{})
	// The size cap took minutes from inside the retention; shifts stay
	// for the whole retention.
	if !first.After(t0.Add(5*day)) || len(ss) != 5 || !ss[0].Start.Equal(t0.Add(5*day)) {
		t.Errorf("after prune: minutes from %v, %d shifts from %v; want minutes cut by size, the 5 shifts inside retention kept", first, len(ss), ss[0].Start)
	}
}

// writeV1 makes a journal as the first release wrote it: schema 1, in WAL
// mode, with one minute and a meta row.
func writeV1(t *testing.T) string {
	t.Helper()
	return atSchemaMode(t, "WAL", 1,
		`INSERT INTO series (id, zone, quantity) VALUES (1, 'staff', 'co2')`,
		`INSERT INTO minutes (start_ms, series, mean, maximum, count, covered_s) VALUES (`+
			strconv.FormatInt(t0.UnixMilli(), 10)+`, 1, 800, 900, 12, 60)`,
		`INSERT INTO meta (key, value) VALUES ('site', 'Hope')`)
}

func TestMigrateFromV1(t *testing.T) {
	path := writeV1(t)
	j, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open of a schema 1 journal: %v", err)
	}
	defer j.Close()
	if j.Version() != SchemaVersion || SchemaVersion < 2 {
		t.Errorf("version %d after Open, want %d (≥ 2)", j.Version(), SchemaVersion)
	}
	ms, err := j.Minutes(time.Time{}, time.Time{}, "", "")
	if err != nil || len(ms) != 1 || ms[0].Mean != 800 {
		t.Errorf("the old minute after migration: %+v, %v", ms, err)
	}
	if site, _, _ := j.Meta("site"); site != "Hope" {
		t.Errorf("meta site after migration = %q", site)
	}
	write(t, j, Batch{Shifts: []Shift{shiftAt(t0, "staff", "co2", true, `{}`)}})
	if ss, err := j.Shifts(time.Time{}, time.Time{}); err != nil || len(ss) != 1 {
		t.Errorf("shifts after migration: %+v, %v", ss, err)
	}
}

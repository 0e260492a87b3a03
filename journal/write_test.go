package journal

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// minutes returns n consecutive minutes from start for each zone and
// quantity, with values that vary so merges and filters are visible.
func minutes(start time.Time, n int, zones, quantities []string) []Minute {
	out := make([]Minute, 0, n*len(zones)*len(quantities))
	for i := range n {
		for zi, z := range zones {
			for qi, q := range quantities {
				mean := float64(10*zi+qi) + float64(i%17)*0.25
				out = append(out, Minute{Start: start.Add(time.Duration(i) * time.Minute), Zone: z, Quantity: q,
					Mean: mean, Max: mean + float64(i%5), Count: 60, CoveredSeconds: 60})
			}
		}
	}
	return out
}

func dayOfMinutes(day time.Time, zones, quantities []string) Batch {
	return Batch{Minutes: minutes(day, 1440, zones, quantities)}
}

func TestMinuteUpsertMerges(t *testing.T) {
	j := open(t, Options{})
	// The daemon stopped 30 s into the minute and wrote what it had…
	write(t, j, Batch{Minutes: []Minute{{Start: t0, Zone: "staff", Quantity: "pm2.5", Mean: 10, Max: 12, Count: 30, CoveredSeconds: 30}}})
	// …then restarted and wrote the rest of the same minute.
	write(t, j, Batch{Minutes: []Minute{{Start: t0, Zone: "staff", Quantity: "pm2.5", Mean: 50, Max: 60, Count: 10, CoveredSeconds: 20}}})
	got, err := j.Minutes(time.Time{}, time.Time{}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	want := []Minute{{Start: t0, Zone: "staff", Quantity: "pm2.5", Mean: (10*30 + 50*10) / 40.0, Max: 60, Count: 40, CoveredSeconds: 50}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("merged minute = %+v, want %+v", got, want)
	}
	// Covered time never exceeds the minute.
	write(t, j, Batch{Minutes: []Minute{{Start: t0, Zone: "staff", Quantity: "pm2.5", Mean: 20, Max: 20, Count: 40, CoveredSeconds: 30}}})
	got, _ = j.Minutes(t0, t0.Add(time.Minute), "staff", "pm2.5")
	if len(got) != 1 || got[0].CoveredSeconds != 60 || got[0].Count != 80 || got[0].Mean != 20 {
		t.Errorf("after a third part: %+v, want 80 samples, mean 20, 60 s covered", got)
	}
}

func TestEventsIdempotent(t *testing.T) {
	j := open(t, Options{})
	ev := Event{ID: 7, AlarmID: 7, Rule: "staff-pm25", Kind: "raised", Level: "alarm", Subject: "staff",
		Quantity: "pm2.5", Time: t0.Add(1500 * time.Millisecond), Value: 130.5, Threshold: 125.5, Message: "PM2.5 130.5 µg/m³"}
	fault := Event{ID: 8, AlarmID: 8, Rule: "sensor", Kind: "raised", Level: "fault", Subject: "sps30-staff",
		Time: t0.Add(2 * time.Second), Value: math.NaN(), Threshold: math.NaN(), Message: "no data"}
	if res := write(t, j, Batch{Events: []Event{ev, fault}}); res.DuplicateEvents != 0 {
		t.Errorf("first write: %d duplicates, want 0", res.DuplicateEvents)
	}
	changed := ev
	changed.Message = "a retry must not rewrite history"
	if res := write(t, j, Batch{Events: []Event{changed}}); res.DuplicateEvents != 1 {
		t.Errorf("second write: %d duplicates, want 1", res.DuplicateEvents)
	}
	got, err := j.Events(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !reflect.DeepEqual(got[0], ev) {
		t.Fatalf("events = %+v, want the first write of event 7 then event 8", got)
	}
	if !math.IsNaN(got[1].Value) || !math.IsNaN(got[1].Threshold) {
		t.Errorf("fault event value %v threshold %v, want NaN kept as NaN", got[1].Value, got[1].Threshold)
	}
}

func TestRecordsRoundTrip(t *testing.T) {
	j := open(t, Options{})
	b := Batch{
		Acks:          []Ack{{AlarmID: 7, Time: t0.Add(time.Minute), Who: "kim", Note: "fan checked"}},
		Calibrations:  []Calibration{{Time: t0, Sensor: "scd41-staff", Serial: "0x1234", Kind: CalFRC, Reference: 420, Correction: -35, Who: "tech", Note: "outdoor air"}},
		ConfigChanges: []ConfigChange{{Time: t0, Hash: "sha256:ab12", Summary: "alarm 125.5 → 100"}},
		Gaps:          []Gap{{Start: t0.Add(-time.Hour), End: t0, Reason: GapDaemonDown}},
		ClockStatus:   []ClockStatus{{Time: t0, Synchronized: true, Source: "chrony", Note: "stratum 2"}},
	}
	write(t, j, b)
	write(t, j, b) // retried after a lost reply: nothing doubles
	acks, _ := j.Acks(time.Time{}, time.Time{})
	cals, _ := j.Calibrations(time.Time{}, time.Time{})
	cfg, _ := j.ConfigChanges(time.Time{}, time.Time{})
	gaps, _ := j.Gaps(time.Time{}, time.Time{})
	cs, _ := j.ClockStatus(time.Time{}, time.Time{})
	got := Batch{Acks: acks, Calibrations: cals, ConfigChanges: cfg, Gaps: gaps, ClockStatus: cs}
	if !reflect.DeepEqual(got, b) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, b)
	}
}

func TestGapsOverlapAndExtend(t *testing.T) {
	j := open(t, Options{})
	g := Gap{Start: t0, End: t0.Add(time.Minute), Zone: "staff", Quantity: "co2", Reason: GapSensorFault}
	write(t, j, Batch{Gaps: []Gap{g}})
	g.End = t0.Add(10 * time.Minute) // the fault goes on: written again, extended
	write(t, j, Batch{Gaps: []Gap{g}})
	for _, c := range []struct {
		from, to time.Time
		n        int
	}{
		{t0.Add(-time.Hour), t0, 0},                           // ends where the gap starts
		{t0.Add(-time.Hour), t0.Add(time.Second), 1},          // overlaps its start
		{t0.Add(5 * time.Minute), t0.Add(6 * time.Minute), 1}, // inside
		{t0.Add(10 * time.Minute), t0.Add(time.Hour), 1},      // touches its end
		{t0.Add(11 * time.Minute), t0.Add(time.Hour), 0},
	} {
		got, err := j.Gaps(c.from, c.to)
		if err != nil || len(got) != c.n {
			t.Errorf("Gaps(%v, %v) = %v, %v; want %d", c.from, c.to, got, err, c.n)
		}
		if len(got) == 1 && !got[0].End.Equal(g.End) {
			t.Errorf("gap end %v, want it extended to %v", got[0].End, g.End)
		}
	}
}

func TestMinutesFilters(t *testing.T) {
	j := open(t, Options{})
	zones, qs := []string{"booth", "staff"}, []string{"co2", "pm2.5"}
	write(t, j, Batch{Minutes: minutes(t0, 60, zones, qs)})
	for _, c := range []struct {
		zone, q  string
		from, to time.Time
		n        int
	}{
		{"", "", time.Time{}, time.Time{}, 240},
		{"staff", "", time.Time{}, time.Time{}, 120},
		{"", "co2", time.Time{}, time.Time{}, 120},
		{"staff", "co2", time.Time{}, time.Time{}, 60},
		{"staff", "co2", t0.Add(10 * time.Minute), t0.Add(20 * time.Minute), 10}, // half-open
		{"staff", "co2", t0.Add(10*time.Minute + time.Second), time.Time{}, 49},
		{"kitchen", "", time.Time{}, time.Time{}, 0},
	} {
		got, err := j.Minutes(c.from, c.to, c.zone, c.q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != c.n {
			t.Errorf("Minutes(%v, %v, %q, %q): %d rows, want %d", c.from, c.to, c.zone, c.q, len(got), c.n)
		}
		for i, m := range got {
			if (c.zone != "" && m.Zone != c.zone) || (c.q != "" && m.Quantity != c.q) || (i > 0 && m.Start.Before(got[i-1].Start)) {
				t.Fatalf("row %d %+v does not match the filter or is out of order", i, m)
			}
		}
	}
	first, last, err := j.Range()
	if err != nil || !first.Equal(t0) || !last.Equal(t0.Add(59*time.Minute)) || last.Location() != time.UTC {
		t.Errorf("Range = %v, %v, %v; want %v, %v in UTC", first, last, err, t0, t0.Add(59*time.Minute))
	}
	if lm, _ := j.LastMinute(); !lm.Equal(last) {
		t.Errorf("LastMinute = %v, want %v", lm, last)
	}
}

func TestInvalidBatchWritesNothing(t *testing.T) {
	j := open(t, Options{})
	good := Minute{Start: t0, Zone: "staff", Quantity: "co2", Mean: 800, Max: 900, Count: 12, CoveredSeconds: 60}
	bad := func(f func(m *Minute)) Minute { m := good; f(&m); return m }
	for _, c := range []struct {
		name string
		b    Batch
		says string
	}{
		{"off the minute", Batch{Minutes: []Minute{bad(func(m *Minute) { m.Start = t0.Add(30 * time.Second) })}}, "minute boundary"},
		{"NaN mean", Batch{Minutes: []Minute{bad(func(m *Minute) { m.Mean = math.NaN() })}}, "finite"},
		{"no samples", Batch{Minutes: []Minute{bad(func(m *Minute) { m.Count = 0 })}}, "Gap"},
		{"no zone", Batch{Minutes: []Minute{bad(func(m *Minute) { m.Zone = "" })}}, "zone"},
		{"covered > 60", Batch{Minutes: []Minute{bad(func(m *Minute) { m.CoveredSeconds = 61 })}}, "0–60"},
		{"event id 0", Batch{Events: []Event{{Time: t0}}}, "id"},
		{"gap backwards", Batch{Gaps: []Gap{{Start: t0, End: t0.Add(-time.Second), Reason: GapDaemonDown}}}, "before start"},
		{"own meta key", Batch{Meta: map[string]string{"journal.newest_ms": "0"}}, "journal's own"},
	} {
		c.b.Minutes = append([]Minute{good}, c.b.Minutes...) // a good row rides along and must not land
		_, err := j.Write(c.b)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want ErrInvalid saying %q", c.name, err, c.says)
		}
	}
	if got, _ := j.Minutes(time.Time{}, time.Time{}, "", ""); len(got) != 0 {
		t.Errorf("rejected batches left %d minutes behind", len(got))
	}
}

func TestMeta(t *testing.T) {
	j := open(t, Options{})
	if _, ok, err := j.Meta("site"); ok || err != nil {
		t.Errorf("Meta of a missing key: ok %v err %v", ok, err)
	}
	if err := j.SetMeta("site", "Hope to Health"); err != nil {
		t.Fatal(err)
	}
	j.SetMeta("site", "Hope to Health, room 2")
	write(t, j, Batch{Events: []Event{{ID: 41, AlarmID: 41, Time: t0}}, Meta: map[string]string{"next_alarm_id": "42"}})
	for k, want := range map[string]string{"site": "Hope to Health, room 2", "next_alarm_id": "42"} {
		if v, ok, err := j.Meta(k); v != want || !ok || err != nil {
			t.Errorf("Meta(%q) = %q, %v, %v; want %q", k, v, ok, err, want)
		}
	}
	if err := j.SetMeta("journal.newest_ms", "1"); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetMeta of a reserved key: %v, want ErrInvalid", err)
	}
}

// TestReadWhileWriting has an exporter read while the minute writer
// writes: WAL lets them run at once, and neither sees a busy error.
func TestReadWhileWriting(t *testing.T) {
	j := open(t, Options{})
	zones := []string{"booth", "staff"}
	done := make(chan error)
	go func() {
		var err error
		for i := 0; i < 60 && err == nil; i++ {
			_, err = j.Write(Batch{Minutes: minutes(t0.Add(time.Duration(i)*time.Minute), 1, zones, benchQuantities)})
		}
		done <- err
	}()
	reads := 0
	for writing := true; writing; reads++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("write: %v", err)
			}
			writing = false
		default:
		}
		ms, err := j.Minutes(time.Time{}, time.Time{}, "", "")
		if err != nil {
			t.Fatalf("read %d: %v", reads, err)
		}
		if len(ms)%18 != 0 {
			t.Fatalf("read %d saw %d rows: a batch was visible half-written", reads, len(ms))
		}
	}
	if got, _ := j.Minutes(time.Time{}, time.Time{}, "", ""); len(got) != 60*18 {
		t.Errorf("%d rows, want %d", len(got), 60*18)
	}
}

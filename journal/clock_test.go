package journal

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

func TestClockBackwardsIsWrittenAndFlagged(t *testing.T) {
	sim := clock.NewSim(t0.Add(10*time.Minute), 0)
	j := open(t, Options{Clock: sim})
	zq := func(start time.Time, n int) []Minute { return minutes(start, n, []string{"staff"}, []string{"co2"}) }

	// Ten good minutes, 08:00–08:09: the newest time written is 08:10.
	if res := write(t, j, Batch{Minutes: zq(t0, 10)}); res.Backwards != nil {
		t.Fatalf("first batch flagged: %v", res.Backwards)
	}
	// A restart re-writes the last minute and an event inside it: within
	// the tolerance, not flagged.
	res := write(t, j, Batch{Minutes: zq(t0.Add(9*time.Minute), 1), Events: []Event{{ID: 1, Time: t0.Add(9*time.Minute + 30*time.Second)}}})
	if res.Backwards != nil {
		t.Fatalf("re-written last minute flagged: %v", res.Backwards)
	}

	// The Pi reboots without network and its clock reads an hour earlier.
	back := t0.Add(-time.Hour)
	res = write(t, j, Batch{Minutes: zq(back, 2), Events: []Event{{ID: 2, Time: back.Add(30 * time.Second)}}})
	bw := res.Backwards
	if bw == nil {
		t.Fatal("a batch an hour behind the newest time written was not flagged")
	}
	if want := time.Hour + 9*time.Minute + 30*time.Second; bw.Jump != want || bw.Rows != 3 || !bw.Started ||
		!bw.Newest.Equal(t0.Add(10*time.Minute)) || !bw.Earliest.Equal(back.Add(30*time.Second)) {
		t.Errorf("Backwards = %+v, want a jump of %v over 3 rows, started", bw, want)
	}
	if !strings.Contains(bw.String(), "backwards by 1h9m30s") {
		t.Errorf("Backwards.String() = %q", bw.String())
	}
	got, _ := j.Minutes(back, back.Add(2*time.Minute), "", "")
	if len(got) != 2 || got[0].Backwards != time.Hour+9*time.Minute || got[1].Backwards != time.Hour+8*time.Minute {
		t.Errorf("flagged minutes = %+v, want both written with their distance behind 08:10", got)
	}
	evs, _ := j.Events(back, back.Add(time.Minute))
	if len(evs) != 1 || evs[0].Backwards != time.Hour+9*time.Minute+30*time.Second {
		t.Errorf("flagged event = %+v", evs)
	}

	// Still behind a minute later: flagged, but no second status row.
	res = write(t, j, Batch{Minutes: zq(back.Add(2*time.Minute), 1)})
	if res.Backwards == nil || res.Backwards.Started {
		t.Errorf("second backwards batch: %+v, want flagged, not started", res.Backwards)
	}
	// NTP fixes the clock: times are past the mark again.
	sim.Sleep(time.Hour)
	res = write(t, j, Batch{Minutes: zq(t0.Add(11*time.Minute), 1)})
	if res.Backwards != nil {
		t.Errorf("batch after the clock caught up flagged: %v", res.Backwards)
	}

	cs, err := j.ClockStatus(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Synchronized || cs[0].Source != SourceJournal || cs[0].Backwards != time.Hour+9*time.Minute+30*time.Second ||
		!cs[1].Synchronized || cs[1].Source != SourceJournal || !cs[1].Time.Equal(sim.Now()) {
		t.Errorf("clock status = %+v, want the journal's 'went backwards' then 'caught up' rows", cs)
	}
	if !strings.Contains(cs[0].Note, "backwards") {
		t.Errorf("status note %q does not say what happened", cs[0].Note)
	}
	// Nothing was lost: every minute is there.
	all, _ := j.Minutes(time.Time{}, time.Time{}, "", "")
	if len(all) != 14 {
		t.Errorf("%d minutes in the journal, want 14", len(all))
	}
}

func TestClockMarkSurvivesReopen(t *testing.T) {
	path := t.TempDir() + "/journal.db"
	j, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, j, Batch{Events: []Event{{ID: 1, Time: t0}}})
	j.Close()
	j, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	res := write(t, j, Batch{Events: []Event{{ID: 2, Time: t0.Add(-24 * time.Hour)}}})
	if res.Backwards == nil || res.Backwards.Jump != 24*time.Hour {
		t.Errorf("after reopen, a day-old time: %+v, want flagged 24h behind", res.Backwards)
	}
}

// A Pi that boots a day behind flags every minute's rows until its clock
// catches up. The recorder says so when it starts and then hourly, not at
// every minute's write.
func TestRecorderWarnsOfABackwardsClockHourly(t *testing.T) {
	sim := clock.NewSim(t0, 0)
	j := open(t, Options{Clock: sim})
	var logs strings.Builder
	r := NewRecorder(j, RecorderOpts{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	minute := func(at time.Time) {
		r.Receive(&record.Period{Time: at, Minutes: []record.Minute{{Start: at.Add(-time.Minute), Zone: "staff", Quantity: sample.CO2, Mean: 420, Max: 430, Count: 60, CoveredSeconds: 60}}})
	}
	for m := 1; m <= 60; m++ {
		minute(t0.Add(time.Duration(m) * time.Minute))
	}
	if strings.Contains(logs.String(), "level=WARN") {
		t.Fatalf("warned with the clock right:\n%s", logs.String())
	}
	back := t0.Add(-24 * time.Hour) // the reboot
	for m := 1; m <= 150; m++ {     // two and a half hours behind
		minute(back.Add(time.Duration(m) * time.Minute))
	}
	if n := strings.Count(logs.String(), "the clock went backwards"); n != 1 {
		t.Errorf("%d warnings that the clock went backwards, want 1:\n%s", n, logs.String())
	}
	if n := strings.Count(logs.String(), "still behind"); n != 2 {
		t.Errorf("%d hourly reminders over 2.5 h, want 2:\n%s", n, logs.String())
	}
	if err := r.Fault(); err != nil {
		t.Errorf("recorder fault: %v", err)
	}
}

package export_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
)

// The sections read a day at a time hold exactly the rows one read of the
// whole window gives, in its order: gaps that span days once each,
// records before the first and after the last minute included.
func TestSectionsByDayMatchOneRead(t *testing.T) {
	j := newJournal(t)
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var b journal.Batch
	for d := range 4 {
		day := start.Add(time.Duration(d) * 24 * time.Hour)
		for _, h := range []int{0, 6, 23} {
			at := day.Add(time.Duration(h) * time.Hour)
			b.Minutes = append(b.Minutes, journal.Minute{Start: at, Zone: "staff", Quantity: "co2", Mean: 500, Max: 600, Count: 60, CoveredSeconds: 60})
			id := uint64(d*100 + h + 1)
			b.Events = append(b.Events, journal.Event{ID: id, AlarmID: id, Rule: "r", Kind: "raised", Level: "warning", Time: at})
			b.Acks = append(b.Acks, journal.Ack{AlarmID: id, Time: at, Who: "kim"})
		}
		// One gap within the day, one across midnight into the next.
		b.Gaps = append(b.Gaps, journal.Gap{Start: day.Add(2 * time.Hour), End: day.Add(3 * time.Hour), Reason: "within"},
			journal.Gap{Start: day.Add(22 * time.Hour), End: day.Add(26 * time.Hour), Reason: "across"})
	}
	// Records outside the minutes' span.
	b.Events = append(b.Events, journal.Event{ID: 900, AlarmID: 900, Rule: "r", Kind: "raised", Time: start.Add(-48 * time.Hour)},
		journal.Event{ID: 901, AlarmID: 901, Rule: "r", Kind: "raised", Time: start.Add(30 * 24 * time.Hour)})
	b.Gaps = append(b.Gaps, journal.Gap{Start: start.Add(-72 * time.Hour), End: start.Add(36 * time.Hour), Reason: "long"})
	b.ClockStatus = []journal.ClockStatus{{Time: start.Add(-time.Hour), Synchronized: true, Source: "chrony"}, {Time: start.Add(50 * time.Hour), Source: "chrony"}}
	write(t, j, b)

	for _, w := range []struct{ from, to time.Time }{
		{},
		{start.Add(5 * time.Hour), start.Add(53 * time.Hour)},
		{start.Add(-100 * time.Hour), time.Time{}},
		{time.Time{}, start.Add(24 * time.Hour)},
		{start.Add(23 * time.Hour), start.Add(24 * time.Hour)}, // inside one day
	} {
		var doc export.Document
		out := run(t, j, export.Options{From: w.from, To: w.to, Format: "json", Location: time.UTC, Now: start.Add(40 * 24 * time.Hour)})
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatal(err)
		}
		// The span the sections cover is the window widened to whole
		// shifts; there are none here, so it is the window itself.
		events, _ := j.Events(w.from, w.to)
		gaps, _ := j.Gaps(w.from, w.to)
		acks, _ := j.Acks(w.from, w.to)
		clock, _ := j.ClockStatus(w.from, w.to)
		if len(doc.Events) != len(events) || len(doc.Gaps) != len(gaps) || len(doc.Acks) != len(acks) || len(doc.ClockStatus) != len(clock) {
			t.Fatalf("window %v–%v: %d events, %d gaps, %d acks, %d clock rows; one read gives %d, %d, %d, %d", w.from, w.to,
				len(doc.Events), len(doc.Gaps), len(doc.Acks), len(doc.ClockStatus), len(events), len(gaps), len(acks), len(clock))
		}
		for i := range events {
			if doc.Events[i].ID != events[i].ID {
				t.Errorf("window %v–%v: event %d is %d, want %d", w.from, w.to, i, doc.Events[i].ID, events[i].ID)
			}
		}
		for i := range gaps {
			if !doc.Gaps[i].Start.Equal(gaps[i].Start) || doc.Gaps[i].Reason != gaps[i].Reason {
				t.Errorf("window %v–%v: gap %d is %v %s, want %v %s", w.from, w.to, i, doc.Gaps[i].Start, doc.Gaps[i].Reason, gaps[i].Start, gaps[i].Reason)
			}
		}
	}
}

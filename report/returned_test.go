package report

import (
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/export"
)

// A latched alarm whose condition came back before anyone acknowledged it
// is over its level again: the alarm table must not leave the auditor
// reading "latched" (back below the level) as its last word.
func TestAlarmTableLatchedThenReturned(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ev := func(id uint64, kind string, at time.Duration) export.Event {
		return export.Event{Time: t0.Add(at), ID: id, AlarmID: 1, Rule: "staff/pm25/alarm", Kind: kind, Level: "alarm", Subject: "staff", Quantity: "pm2.5"}
	}
	d := &doc{o: Options{Location: time.UTC}}
	sh := &shift{start: t0.Add(-time.Hour), end: t0.Add(8 * time.Hour),
		alarms: alarmSpans([]export.Event{ev(1, "raised", 0), ev(2, "latched", 10*time.Minute), ev(3, "returned", 20*time.Minute)}, nil)}
	_, _, rows := d.alarmRows(sh)
	if len(rows) != 3 { // the alarm, then its latched and returned rows (TestAlarmTableHasConditionRows)
		t.Fatalf("%d rows, want 3", len(rows))
	}
	cleared := rows[0][len(rows[0])-1].text
	if !strings.Contains(cleared, "returned") || !strings.Contains(cleared, "09:20:00") {
		t.Errorf("cleared column %q: want it to say the alarm returned at 09:20:00", cleared)
	}
}

// The alarm table gave one row per alarm, raised to cleared: an alarm
// latched at 09:10 (its condition cleared), back over the level at 09:20,
// latched again at 09:30 and acknowledged and cleared at 09:40 read as 40
// minutes over the level. Each time the condition cleared or returned is a
// row of its own, from the journal's transitions, so the auditor reads
// 10 + 10 minutes.
func TestAlarmTableHasConditionRows(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ev := func(id uint64, kind string, at time.Duration) export.Event {
		return export.Event{Time: t0.Add(at), ID: id, AlarmID: 1, Rule: "staff/pm25/alarm", Kind: kind, Level: "alarm", Subject: "staff", Quantity: "pm2.5"}
	}
	d := &doc{o: Options{Location: time.UTC}}
	sh := &shift{start: t0.Add(-time.Hour), end: t0.Add(8 * time.Hour),
		alarms: alarmSpans([]export.Event{ev(1, "raised", 0), ev(2, "latched", 10*time.Minute), ev(3, "returned", 20*time.Minute),
			ev(4, "latched", 30*time.Minute), ev(5, "cleared", 40*time.Minute)}, nil)}
	_, _, rows := d.alarmRows(sh)
	var got []string
	for _, r := range rows {
		got = append(got, r[1].text+" "+r[2].text+" "+r[3].text+" | "+r[6].text)
	}
	t.Logf("rows:\n%s", strings.Join(got, "\n"))
	want := []string{"returned", "latched", "returned", "latched"}
	if len(rows) != 4 {
		t.Fatalf("%d rows; want the alarm and its latched, returned and latched rows", len(rows))
	}
	for i, at := range []string{"09:10:00", "09:20:00", "09:30:00"} {
		r := rows[i+1]
		if r[1].text != want[i+1] || !strings.Contains(r[3].text, at) || r[2].text == "" {
			t.Errorf("row %d: %q; want %s at %s with what it means", i+1, got[i+1], want[i+1], at)
		}
	}
	if !strings.Contains(rows[0][6].text, "09:40:00") {
		t.Errorf("the alarm's row %q: want it cleared at 09:40:00", got[0])
	}
}

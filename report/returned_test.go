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
	if len(rows) != 1 {
		t.Fatalf("%d rows, want 1", len(rows))
	}
	cleared := rows[0][len(rows[0])-1].text
	if !strings.Contains(cleared, "returned") || !strings.Contains(cleared, "09:20:00") {
		t.Errorf("cleared column %q: want it to say the alarm returned at 09:20:00", cleared)
	}
}

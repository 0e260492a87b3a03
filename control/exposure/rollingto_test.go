package exposure

import (
	"fmt"
	"testing"
	"time"
)

// RollingTo must set every field, whatever the snapshot held before: the
// daemon fills snapshots in place.
func TestRollingToOverwrites(t *testing.T) {
	tr := newTracker(t, Limits{}, day8)
	end := feed(t, tr, t0, 20*time.Minute, 1200)
	for _, now := range []time.Time{end.Add(-500 * time.Millisecond), end.Add(time.Hour)} {
		sum := Summary{TWA: 1}
		dirty := Snapshot{Series: &Series{Quantity: "x", Unit: "y", Zone: "z"}, Time: t0, Value: 1, ValueAt: t0, STEL: 2, STELCoverage: 3,
			TWA8h: 4, Mean8h: 5, Coverage8h: 6, OverAlarm: true, OverSTEL: true, Shift: &sum, Totals: Totals{Dose: 7}}
		tr.RollingTo(&dirty, now)
		if got, want := fmt.Sprintf("%+v", dirty), fmt.Sprintf("%+v", tr.Rolling(now)); got != want {
			t.Errorf("at %v RollingTo left\n%s\nwant\n%s", now, got, want)
		}
	}
}

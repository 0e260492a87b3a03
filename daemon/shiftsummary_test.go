package daemon

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/ventd/ventd/control/exposure"
)

// The records carry each exposure record's shift summary as taken in the
// minute's first period (and in a period the journal writes at once),
// exactly as the tracker reports it then; the records in between share it.
func TestShiftSummaryTakenOnceAMinute(t *testing.T) {
	h := newHarness(t, "", t0.Add(20*time.Second)) // in the 07:00 shift
	last := map[string]*exposure.Summary{}
	fresh, shared := 0, 0
	for range 150 {
		h.run(time.Second)
		p := h.d.Latest()
		events := len(p.Minutes)+len(p.Transitions)+len(p.Actions)+len(p.Calibrations)+
			len(p.ConfigChanges)+len(p.Gaps)+len(p.Shifts) > 0
		for i, e := range p.Exposure {
			key := e.Zone + "/" + string(e.Quantity)
			if e.Shift == nil {
				t.Fatalf("%s at %s: no shift summary within the shift", key, p.Time.Format("15:04:05"))
			}
			prev := last[key]
			if prev == nil || events || !p.Time.Truncate(time.Minute).Equal(prev.Until.Truncate(time.Minute)) {
				want, _ := h.d.expo[i].tr.Current(e.Time)
				// As JSON, where an unknown figure (NaN) is null and so equal.
				got, _ := json.Marshal(e.Shift)
				if wantJSON, _ := json.Marshal(want); e.Shift == prev || !bytes.Equal(got, wantJSON) {
					t.Fatalf("%s at %s: summary %s, want a fresh one %s", key, p.Time.Format("15:04:05"), got, wantJSON)
				}
				fresh++
			} else {
				if e.Shift != prev {
					t.Fatalf("%s at %s: a new summary within the minute", key, p.Time.Format("15:04:05"))
				}
				shared++
			}
			last[key] = e.Shift
		}
	}
	if fresh < 3*len(last) || shared < 100*len(last) {
		t.Fatalf("%d fresh and %d shared summaries over 150 s of %d records", fresh, shared, len(last))
	}
}

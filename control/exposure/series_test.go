package exposure

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/ventd/ventd/sample"
)

// flatSnapshot is Snapshot as it was before what it tracks moved to
// Series, every field its own.
type flatSnapshot struct {
	Quantity     sample.Quantity `json:"quantity"`
	Unit         string          `json:"unit"`
	Zone         string          `json:"zone"`
	Time         time.Time       `json:"time"`
	Value        Conc            `json:"value"`
	ValueAt      time.Time       `json:"value_at"`
	STEL         Conc            `json:"stel"`
	STELCoverage float64         `json:"stel_coverage_pct"`
	TWA8h        float64         `json:"twa_8h"`
	Mean8h       Conc            `json:"mean_8h"`
	Coverage8h   float64         `json:"coverage_8h_pct"`
	OverAlarm    bool            `json:"over_alarm"`
	OverSTEL     bool            `json:"over_stel"`
	Shift        *Summary        `json:"shift"`
	Totals       Totals          `json:"totals"`
}

// TestSnapshotJSONAsFlat: a tracker's snapshot (/api/state, the event
// stream, ventctl) is the flat one's JSON byte for byte, and reads back.
// Its Series is the tracker's, the same in every snapshot, and a snapshot
// taken earlier is not changed by later data.
func TestSnapshotJSONAsFlat(t *testing.T) {
	tr := newTracker(t, Limits{Alarm: 100, STEL: 50, TWA: 20}, day8)
	end := feed(t, tr, t0, 20*time.Minute, 1200)
	early := tr.Snapshot(end.Add(-10 * time.Minute))
	feed(t, tr, end, time.Minute, 30)
	for _, s := range []Snapshot{early, tr.Snapshot(end.Add(30 * time.Second)), tr.Snapshot(end.Add(time.Hour))} {
		if s.Series != tr.series || *s.Series != (Series{Quantity: tr.opts.Quantity, Unit: tr.opts.Quantity.Unit(), Zone: tr.opts.Zone}) {
			t.Fatalf("snapshot's series %p %+v, the tracker's %p", s.Series, *s.Series, tr.series)
		}
		f := flatSnapshot{Quantity: s.Quantity, Unit: s.Unit, Zone: s.Zone, Time: s.Time, Value: s.Value, ValueAt: s.ValueAt,
			STEL: s.STEL, STELCoverage: s.STELCoverage, TWA8h: s.TWA8h, Mean8h: s.Mean8h, Coverage8h: s.Coverage8h,
			OverAlarm: s.OverAlarm, OverSTEL: s.OverSTEL, Shift: s.Shift, Totals: s.Totals}
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("JSON\n%s\nwant\n%s", got, want)
		}
		var back Snapshot
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatal(err)
		}
		again, _ := json.Marshal(back)
		if string(again) != string(got) || !reflect.DeepEqual(*back.Series, *s.Series) {
			t.Errorf("read back as\n%s\nwant\n%s", again, got)
		}
	}
	if early.Time.After(end) {
		t.Errorf("the early snapshot moved to %v", early.Time)
	}
}

// A snapshot read from text naming none of Series' fields reads as one
// with an empty zone, not a nil pointer.
func TestSnapshotFromTextWithoutSeriesHasOne(t *testing.T) {
	var ss []Snapshot
	if err := json.Unmarshal([]byte(`[{"stel": null, "twa_8h": 3}, null, {"zone": "staff", "twa_8h": 1}]`), &ss); err != nil {
		t.Fatal(err)
	}
	for i, s := range ss {
		if s.Series == nil {
			t.Fatalf("snapshot %d: no Series", i)
		}
	}
	if ss[0].Zone != "" || ss[0].TWA8h != 3 || ss[2].Zone != "staff" {
		t.Errorf("read %+v, %+v", ss[0], ss[2])
	}
}

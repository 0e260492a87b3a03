package control

import (
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/sample"
)

// The excess that asks for full speed follows the staff area's usual
// excess, within 2/3 and 1.5 times the configured one; with the key at 0,
// or before anything is known, it is the configured one.
func TestStaffFullExcessFollowsTheUsualExcess(t *testing.T) {
	tu := simParams(t, nil).Tuning
	tu.StaffFullExcess, tu.StaffFullUsual = 6, 3.5
	for _, c := range []struct{ usual, want float64 }{
		{math.NaN(), 6}, // nothing seen yet: as configured
		{6 / 3.5, 6},    // a room as the configuration assumed
		{2, 7},          // 3.5 × the usual excess
		{0.2, 4},        // a staff area that is nearly always clean: at most 1.5 times keener
		{40, 9},         // a very smoky one: never more than 1.5 times as lax
	} {
		if got := staffFullExcess(c.usual, tu); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("usual excess %v: full speed at %v µg/m³, want %v", c.usual, got, c.want)
		}
	}
	tu.StaffFullUsual = 0
	if got := staffFullExcess(2, tu); got != 6 {
		t.Errorf("staff_full_usual 0: full speed at %v µg/m³, want the configured 6", got)
	}
}

// The same staff excess asks for more air in a room whose staff area
// usually carries little booth smoke than in one that usually carries a
// lot: the price of the staff's air is learned from the staff sensor.
func TestStaffPriceLearnsTheRoom(t *testing.T) {
	tu := simParams(t, nil).Tuning
	tu.StaffFullExcess, tu.StaffFullUsual = 6, 3.5
	day := func(usual float64) *staffArea {
		s := &staffArea{ok: true}
		feed := func(level float64, d time.Duration, active bool) {
			for range int(d / time.Second) {
				s.worst.v, s.worst.ok = level, true
				s.learn(time.Second, active, 0, tu)
			}
		}
		feed(8, 10*time.Minute, false)
		// Sessions every 20 min for 6 h whose smoke reaches the staff area
		// and clears from it, averaging `usual` µg/m³ of excess.
		for range 18 {
			feed(8+2*usual, 10*time.Minute, true)
			feed(8, 10*time.Minute, true)
		}
		feed(11, time.Second, true) // now: 3 µg/m³ above clean air
		return s
	}
	keen, lax := day(0.3), day(4)
	if math.Abs(keen.excess-3) > 1e-9 || math.Abs(lax.excess-3) > 1e-9 {
		t.Fatalf("excess %v and %v, want 3 in both rooms", keen.excess, lax.excess)
	}
	nk, nl := keen.need(tu), lax.need(tu)
	margin := tu.StaffMargin + tu.StaffMarginShare*8
	if want := (3 - margin) / 4; math.Abs(nk-want) > 1e-6 {
		t.Errorf("a usually clean staff area: need %v, want %v (full speed at 4 µg/m³)", nk, want)
	}
	if want := (3 - margin) / 9; math.Abs(nl-want) > 1e-6 {
		t.Errorf("a usually smoky staff area: need %v, want %v (full speed at 9 µg/m³)", nl, want)
	}
	if u, v := speedFor(0, nk), speedFor(0, nl); u <= v {
		t.Errorf("speed %v in the usually clean staff area, %v in the usually smoky one; want more in the clean one", u, v)
	}

	// A staff sensor that cannot be trusted teaches nothing.
	before := lax.usual.v
	lax.ok = false
	lax.learn(time.Hour, true, 0, tu)
	if lax.usual.v != before {
		t.Errorf("untrusted staff sensor moved the usual excess %v → %v", before, lax.usual.v)
	}
}

// Staff reports what the law acts on: the staff area's excess over its
// clean air while smoke leaks from a booth, the usual excess once learned,
// and the full-speed excess it sets; a staff sensor lost shows as untrusted
// with the last figures kept. The per-fan baselines watch no staff area.
func TestStaffStatusReportsWhatTheLawActsOn(t *testing.T) {
	w := newWorld(t, simParams(t, nil))
	st, ok := w.law.Staff()
	if !ok || st.Trusted || !math.IsNaN(st.Level) || !math.IsNaN(st.Excess) || !math.IsNaN(st.UsualExcess) {
		t.Fatalf("before any reading: %+v, %v; want untrusted and unknown", st, ok)
	}
	w.run(15 * time.Minute)
	st, _ = w.law.Staff()
	tu := w.p.Tuning
	if !st.Trusted || math.Abs(st.Level-8) > 0.5 || math.Abs(st.CleanAir-st.Level) > 0.5 || st.Excess > 0.5 {
		t.Fatalf("clean air: %+v, want trusted at about 8 µg/m³ with no excess", st)
	}
	if math.IsNaN(st.UsualExcess) || st.FullSpeedExcess != staffFullExcess(st.UsualExcess, tu) {
		t.Fatalf("clean air: %+v, want the usual excess learned and full speed set from it", st)
	}
	w.leak = 60
	w.session(4, 5*time.Minute)
	w.run(3 * time.Minute)
	st, _ = w.law.Staff()
	if room := w.law.(*Room).staff; st.Excess < 2 || st.Excess != room.excess || st.FullSpeedExcess != room.fullExcess(tu) {
		t.Fatalf("booth smoke leaking: %+v, want the excess the law acts on (%.2f) and its full-speed excess", st, room.excess)
	}
	w.staffQuality = sample.Fault
	w.run(5 * time.Second)
	if lost, _ := w.law.Staff(); lost.Trusted || math.IsNaN(lost.Excess) {
		t.Fatalf("staff sensor faulty: %+v, want untrusted with the last figures", lost)
	}
	pf, err := PerFan(w.p, func(f FanSpec, tu Tuning) (FanLaw, error) { return NewFixed(f, tu, 0.5) })
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pf.Staff(); ok {
		t.Error("a per-fan baseline reports a staff area it does not watch")
	}
}

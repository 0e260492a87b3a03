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

// An ordinary hour is the median of the last five whole hours' means: one
// rush hour among them (or a lull) does not move it.
func TestOrdinaryHourIgnoresOneRush(t *testing.T) {
	var h hourly
	if o := h.ordinary(); !math.IsNaN(o) {
		t.Fatalf("before a whole hour: %v, want NaN", o)
	}
	hour := func(mean float64) {
		// A session's smoke and its clearing, twice an hour, averaging mean.
		for range 2 {
			for s := range 1800 {
				e := 0.0
				if s < 600 {
					e = 3 * mean
				}
				h.add(e, time.Second)
			}
		}
	}
	for _, c := range []struct {
		mean, want float64
	}{
		{1, 1},      // one hour: its mean
		{2, 1.5},    // two: the mean of the two
		{9, 2},      // a rush: the middle of 1, 2, 9
		{1.5, 1.75}, // the middle two of 1, 1.5, 2, 9
		{1.2, 1.5},  // five hours, one a rush: the ordinary ones' middle
		{1.1, 1.5},  // the first hour leaves: 1.1, 1.2, 1.5, 2, 9
		{1.3, 1.3},  // 1.1, 1.2, 1.3, 1.5, 9
	} {
		hour(c.mean)
		if o := h.ordinary(); math.Abs(o-c.want) > 1e-9 {
			t.Errorf("after an hour at %v: ordinary %v, want %v", c.mean, o, c.want)
		}
	}
	h.add(math.NaN(), time.Hour) // an unknown excess teaches nothing
	if o := h.ordinary(); math.Abs(o-1.3) > 1e-9 {
		t.Errorf("after an unknown hour: ordinary %v, want 1.3", o)
	}
}

// The usual excess is its 2 h average, but above the configured usual (the
// configured price) no more than an ordinary hour's: the law grows laxer
// than configured only for smoke that comes hour after hour.
func TestUsualHeldToAnOrdinaryHour(t *testing.T) {
	tu := simParams(t, nil).Tuning
	tu.StaffFullExcess, tu.StaffFullUsual = 6, 3.5
	cfg := 6 / 3.5
	for _, c := range []struct{ avg, ordinary, want float64 }{
		{4, math.NaN(), 4}, // no whole hour yet: the average
		{1, 0.5, 1},        // below the configured usual: the average, however low the hours
		{4, 1, cfg},        // after a rush: no laxer than configured
		{4, 2, 2},          // a room smoky hour after hour, less so than the rush says
		{3, 4, 3},          // the hours smokier than the average: the average
	} {
		if got := usualFor(c.avg, c.ordinary, tu); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("average %v, ordinary hour %v: usual %v, want %v", c.avg, c.ordinary, got, c.want)
		}
	}
	tu.StaffFullUsual = 0
	if got := usualFor(4, 1, tu); got != 4 {
		t.Errorf("staff_full_usual 0: usual %v, want the average 4", got)
	}
}

// After a rush hour whose smoke filled the 2 h average, the staff's price is
// the configured one, not the most lax: the next sessions' smoke is cleared
// as keenly as an ordinary hour asks. In a room smoky every hour the price
// still rises to its cap.
func TestStaffPriceAfterARush(t *testing.T) {
	tu := simParams(t, nil).Tuning
	tu.StaffFullExcess, tu.StaffFullUsual = 6, 3.5
	day := func(hours []float64) *staffArea {
		s := &staffArea{ok: true}
		feed := func(level float64, d time.Duration) {
			for range int(d / time.Second) {
				s.worst.v, s.worst.ok = level, true
				s.learn(time.Second, true, 0, tu)
			}
		}
		feed(8, settle)
		for _, mean := range hours {
			for range 3 { // a session every 20 min, its smoke 10 min in the staff air
				feed(8+2*mean, 10*time.Minute)
				feed(8, 10*time.Minute)
			}
		}
		return s
	}
	rush := day([]float64{0.5, 0.5, 0.5, 8, 0.5})
	if f := rush.fullExcess(tu); math.Abs(f-6) > 1e-9 {
		t.Errorf("an hour after a rush: full speed at %v µg/m³, want the configured 6 (2 h average %v)", f, rush.usual.v)
	}
	if f := staffFullExcess(rush.usual.v, tu); f < 8 {
		t.Fatalf("the 2 h average alone gives %v µg/m³; the test wants a rush that fills it", f)
	}
	smoky := day([]float64{4, 4, 4, 4, 4})
	if f := smoky.fullExcess(tu); math.Abs(f-9) > 1e-9 {
		t.Errorf("a room smoky every hour: full speed at %v µg/m³, want the cap 9", f)
	}
}

package control

import (
	"math"
	"testing"
	"time"
)

// twoZones is a booth leaking into a staff area, the mass balances
// avoidable assumes: V_b·dB/dt = S − (q_b(u)+c)·B and
// V·dE/dt = c·B − (Q(u)+Qg)·E, advanced exactly over each second.
type twoZones struct {
	vb, v, c, qg, fanMax float64
	b, e                 float64
}

func (z *twoZones) step(source, duty float64, dt time.Duration) {
	q := duty * z.fanMax
	z.b = lowPass(z.b, source, q+z.c, z.vb, dt)
	z.e = lowPass(z.e, z.c*z.b, q+z.qg, z.v, dt)
}

// shiftRun plays sessions through three copies of a room (one under
// duty(t, in session), one at full, one at minimum) and feeds avoidable
// the first, as the law would. It returns avoidable and the true averages
// of the three staff excesses over avoidTime.
func shiftRun(t *testing.T, duty func(since time.Duration, session bool) float64, c float64) (*avoidable, [3]float64) {
	t.Helper()
	const fanMax, minDuty = 300.0, 0.25
	mk := func() *twoZones { return &twoZones{vb: 4, v: 60, c: c, qg: 240, fanMax: fanMax} }
	act, full, least := mk(), mk(), mk()
	a := newAvoidable()
	truth := [3]ema{{tau: avoidTime}, {tau: avoidTime}, {tau: avoidTime}}
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	var since time.Duration // since the last session ended
	for s := 0; s < 4*3600; s++ {
		now := start.Add(time.Duration(s) * time.Second)
		session := s%1200 < 180 // 3 min in every 20
		source := 0.0
		if session {
			source, since = 2e3*60, 0 // 2 mg/min, in µg/h: the booth at minimum stays in the SPS30's range
		} else {
			since += time.Second
		}
		u := duty(since, session)
		act.step(source, u, time.Second)
		full.step(source, 1, time.Second)
		least.step(source, minDuty, time.Second)
		a.step(now, time.Second, act.e, false,
			u*fanMax, fanMax, minDuty*fanMax, act.v,
			[]boothAir{{excess: act.b, vol: act.vb, q: u * fanMax, qFull: fanMax, qMin: minDuty * fanMax}})
		for i, z := range []*twoZones{act, full, least} {
			truth[i].add(z.e, time.Second)
		}
	}
	return &a, [3]float64{truth[0].v, truth[1].v, truth[2].v}
}

// TestAvoidableCounterfactuals: from the run it sees, avoidable tells
// what the staff area would have held at full and at minimum duty, and so
// the share of the avoidable smoke the law left.
func TestAvoidableCounterfactuals(t *testing.T) {
	for _, c := range []struct {
		name string
		duty func(since time.Duration, session bool) float64
	}{
		{"full in sessions, then minimum", func(since time.Duration, session bool) float64 {
			if session {
				return 1
			}
			return 0.25
		}},
		{"full in sessions, then a slow ramp down", func(since time.Duration, session bool) float64 {
			if session {
				return 1
			}
			return math.Max(0.25, 1-0.1*since.Minutes())
		}},
		{"half speed throughout", func(time.Duration, bool) float64 { return 0.5 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, truth := shiftRun(t, c.duty, 10)
			for i, got := range []float64{a.act.v, a.full.v, a.least.v} {
				if math.Abs(got-truth[i]) > 0.05*truth[i] {
					t.Errorf("average %s staff excess %.3f µg/m³, the room's %.3f", []string{"actual", "full", "minimum"}[i], got, truth[i])
				}
			}
			want := (truth[0] - truth[1]) / (truth[2] - truth[1])
			if got := a.share(); math.Abs(got-want) > 0.02+0.1*want {
				t.Errorf("share %.3f, the room's %.3f", got, want)
			}
			if math.Abs(a.qg-240) > 12 || math.Abs(a.c-10) > 0.5 {
				t.Errorf("fitted the staff area's own ventilation %.1f m³/h and the booth's leak %.2f; the room's 240 and 10", a.qg, a.c)
			}
		})
	}
}

// TestAvoidableOnlyTightens: a law that leaves much of the avoidable smoke
// in the staff area gets a higher price on it, down to avoidLow; one that
// leaves none keeps the configured staff price (the booths' price is
// relax's, TestAvoidableRelaxesBooths).
func TestAvoidableOnlyTightens(t *testing.T) {
	minimum, _ := shiftRun(t, func(time.Duration, bool) float64 { return 0.25 }, 10)
	if s := minimum.share(); s < 0.9 {
		t.Errorf("fans at minimum all shift: share %.3f, want about 1", s)
	}
	if minimum.tighten != avoidLow {
		t.Errorf("fans at minimum all shift: tighten %.3f, want %g", minimum.tighten, avoidLow)
	}
	full, _ := shiftRun(t, func(time.Duration, bool) float64 { return 1 }, 10)
	if s := full.share(); math.Abs(s) > 0.01 {
		t.Errorf("fans at full all shift: share %.3f, want 0", s)
	}
	if full.tighten != 1 {
		t.Errorf("fans at full all shift: tighten %.3f, want 1", full.tighten)
	}
}

// TestAvoidableRelaxesBooths: a law that leaves the staff area as clean
// as full extraction would gets the booths' price relaxed, up to
// relaxHigh; one that leaves much of the avoidable smoke keeps the
// configured booth price.
func TestAvoidableRelaxesBooths(t *testing.T) {
	full, _ := shiftRun(t, func(time.Duration, bool) float64 { return 1 }, 10)
	if full.relax != relaxHigh {
		t.Errorf("fans at full all shift: relax %.3f, want %g", full.relax, relaxHigh)
	}
	minimum, _ := shiftRun(t, func(time.Duration, bool) float64 { return 0.25 }, 10)
	if minimum.relax != 1 {
		t.Errorf("fans at minimum all shift: relax %.3f, want 1", minimum.relax)
	}
}

// TestRelaxStep: the booths' price rises while the share is below
// relaxBelow (an e-fold in avoidAdjust at share 0), holds at it, falls
// above it, and stays within 1 and relaxHigh.
func TestRelaxStep(t *testing.T) {
	for _, c := range []struct {
		m, r float64
		dt   time.Duration
		want float64
	}{
		{1, 0, avoidAdjust / 2, math.Exp(0.5)},
		{1, 0, 10 * avoidAdjust, relaxHigh},
		{2, relaxBelow, time.Hour, 2},
		{2, 2 * relaxBelow, avoidAdjust / 2, 2 * math.Exp(-0.5)},
		{1.2, 1, time.Hour, 1},
		{1, avoidTarget, time.Second, 1},
	} {
		if got := relaxStep(c.m, c.r, c.dt); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("relaxStep(%g, %g, %v) = %g, want %g", c.m, c.r, c.dt, got, c.want)
		}
	}
}

// TestAvoidableNeedsData: before avoidAdjust, or with no avoidable smoke
// to speak of, the price is left alone.
func TestAvoidableNeedsData(t *testing.T) {
	// steady feeds a new avoidable d of a staff excess e and a booth
	// excess b, the fans at minimum all along.
	steady := func(d time.Duration, e, b float64) *avoidable {
		a := newAvoidable()
		now := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
		for s := time.Duration(0); s < d; s += time.Second {
			a.step(now.Add(s), time.Second, e, false, 75, 300, 75, 60, []boothAir{{excess: b, vol: 4, q: 75, qFull: 300, qMin: 75}})
		}
		return &a
	}
	if a := steady(3*time.Hour, 0, 0); !math.IsNaN(a.share()) || a.tighten != 1 {
		t.Errorf("clean air all along: share %v, tighten %v; want NaN and 1", a.share(), a.tighten)
	}
	if a := steady(avoidAdjust-time.Minute, 5, 200); a.tighten != 1 || a.relax != 1 {
		t.Errorf("before avoidAdjust: tighten %v, relax %v; want 1", a.tighten, a.relax)
	}
	if a := steady(3*time.Hour, 0, 0); a.relax != 1 {
		t.Errorf("clean air all along: relax %v, want 1 (no share to go by)", a.relax)
	}
}

// TestAvoidableOddInput: unknown booths, fans that stop, a staff area of
// no volume or readings that jump do not break the estimate: the price
// stays within its bounds and the share is a number or unknown.
func TestAvoidableOddInput(t *testing.T) {
	a := newAvoidable()
	now := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	for s := 0; s < 6*3600; s++ {
		e := float64(s%97) * 3       // a sawtooth far beyond any session's tail
		booth := float64(s%13) * 400 // and a booth sensor jumping to its range
		if s%500 < 5 {
			booth = math.NaN() // untrusted for a few seconds
		}
		q := 0.0 // the fans stopped (min duty 0), every other hour at full
		if s/3600%2 == 1 {
			q = 300
		}
		vol := 60.0
		if s%1000 == 0 {
			vol = 0
		}
		a.step(now.Add(time.Duration(s)*time.Second), time.Second, e, s%700 < 30, q, 300, 0, vol,
			[]boothAir{{excess: booth, vol: 4, q: q, qFull: 300}, {excess: 5, vol: 0, q: 0, qFull: 0}})
		if r := a.share(); a.tighten < avoidLow || a.tighten > 1 || math.IsInf(r, 0) || math.IsNaN(a.tighten) ||
			!(a.relax >= 1 && a.relax <= relaxHigh) {
			t.Fatalf("second %d: tighten %v, relax %v, share %v", s, a.tighten, a.relax, r)
		}
	}
	if math.IsNaN(a.c) || math.IsNaN(a.qg) || a.c < 0 || a.qg < 0 {
		t.Errorf("fitted leak %v, ventilation %v", a.c, a.qg)
	}
}

// TestBoothNeedRelaxed: the booths' price is BoothFullExcess times relax,
// never below BoothFullExcess.
func TestBoothNeedRelaxed(t *testing.T) {
	tu := Tuning{BoothFullExcess: 150}
	b := newBooth(Booth{Zone: "booth", VolumeM3: 4, PM: []string{"pm"}})
	b.excess = 150
	for _, c := range []struct{ relax, want float64 }{{1, 1}, {3, 1.0 / 3}, {0.5, 1}, {0, 1}} {
		if got := b.need(tu, c.relax); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("need at relax %g = %g, want %g", c.relax, got, c.want)
		}
	}
	b.excess = -4
	if got := b.need(tu, 3); got != 0 {
		t.Errorf("booth below its clean air: need %g, want 0", got)
	}
}

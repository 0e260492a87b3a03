package control

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestSpeedForBalancesAirAgainstPower(t *testing.T) {
	for _, c := range []struct{ booth, staff, want float64 }{
		{0, 0, 0},
		{0, 0.25, 0.5},   // staff alone: √
		{0.125, 0, 0.5},  // booth alone: ∛
		{0, 4, 1},        // capped at full
		{0.125, 0.25, 0}, // both: u³ = 0.25u + 0.125, checked below
	} {
		u := speedFor(c.booth, c.staff)
		if res := u*u*u - c.staff*u - c.booth; math.Abs(res) > 1e-5 && u < 1 {
			t.Errorf("speedFor(%v, %v) = %v does not balance (residual %g)", c.booth, c.staff, u, res)
		}
		if c.want > 0 && math.Abs(u-c.want) > 1e-5 {
			t.Errorf("speedFor(%v, %v) = %v, want %v", c.booth, c.staff, u, c.want)
		}
	}
	// Both needs together ask for more than either alone, less than their sum.
	if u := speedFor(0.125, 0.25); u <= 0.5 || u >= 1 {
		t.Errorf("both needs: %v", u)
	}
}

// The staff area's clean air: smoke that arrives while a booth is busy is
// excess the fans can remove; a rise while the booths are quiet (as slow as
// outdoor air's), or an excess that outlives StaffClearTime, is the air
// itself (outdoor smoke, drift) and is learned.
func TestStaffLearnsWhatTheFansCannotRemove(t *testing.T) {
	tu := simParams(t, nil).Tuning
	s := staffArea{ok: true}
	feed := func(level float64, d time.Duration, active bool) {
		for range int(d / time.Second) {
			s.worst.v, s.worst.ok = level, true
			s.learn(time.Second, active, 0, tu)
		}
	}
	feed(8, 10*time.Minute, false)
	if s.clean != 8 || s.excess != 0 {
		t.Fatalf("settled: clean %v excess %v", s.clean, s.excess)
	}
	feed(14, time.Minute, true) // a booth's smoke arrives
	if s.excess != 6 {
		t.Fatalf("booth smoke: excess %v, want 6", s.excess)
	}
	// The booths go quiet but the level holds: outdoor air, not smoke;
	// the excess may only fade at StaffClearTime's pace (and stand the
	// sensor's noise band above it).
	feed(14, 15*time.Minute, false)
	if want := 6*math.Exp(-1) + staffNoise(14); math.Abs(s.excess-want) > 0.01 {
		t.Fatalf("15 min of a steady level with quiet booths: excess %v, want %v", s.excess, want)
	}
	// A rise with quiet booths, as slow as outdoor air brings one (16
	// µg/m³ in 10 min), is learned as it comes, all but the band.
	before := s.excess
	for i := 1; i <= 600; i++ {
		feed(14+16*float64(i)/600, time.Second, false)
	}
	if s.clean < 30-before-staffNoise(30)-1e-9 || s.excess > before+staffNoise(30) || s.source {
		t.Fatalf("slow rise with quiet booths: clean %v excess %v, source %v", s.clean, s.excess, s.source)
	}
	// Cleaner than clean: the clean air was lower than thought.
	feed(5, 10*time.Minute, false)
	if math.Abs(s.clean-5) > 0.01 || s.excess != 0 {
		t.Fatalf("cleaner air: clean %v excess %v", s.clean, s.excess)
	}
}

// A tail of booth smoke in the staff area, read through the SPS30's
// noise, stays excess: noise wiggles above the clearing tail are not
// taken as clean air rising.
func TestStaffNoiseDoesNotEatTheTail(t *testing.T) {
	tu := simParams(t, nil).Tuning
	s := staffArea{ok: true}
	at := func(i int, level float64, active bool) {
		wiggle := 0.12 * math.Sin(float64(i)*0.7) // the averaged sensor's noise
		s.worst.v, s.worst.ok = level+wiggle, true
		s.learn(time.Second, active, 0, tu)
	}
	for i := range 600 {
		at(i, 8, false)
	}
	for i := range 120 {
		at(i, 11, true) // a session's smoke reaches the staff area
	}
	// The booths go quiet; the smoke clears at 8 air changes an hour,
	// well inside StaffClearTime.
	for i := range 900 {
		tail := 3 * math.Exp(-float64(i)/450)
		at(i, 8+tail, false)
		if want := tail; s.excess < want-0.25 {
			t.Fatalf("%d s into the tail: excess %.2f, the air holds %.2f", i, s.excess, want)
		}
	}
}

// Outdoor smoke that keeps rising while a booth is busy is carried on as
// clean air through the session, at the pace it rose before.
func TestStaffCleanAirRiseCarriesThroughASession(t *testing.T) {
	tu := simParams(t, nil).Tuning
	s := staffArea{ok: true}
	level := 8.0
	step := func(active bool) {
		s.worst.v, s.worst.ok = level, true
		s.learn(time.Second, active, 0, tu)
		level += 0.01 // 36 µg/m³ an hour: a wildfire plume arriving
	}
	for range 40 * 60 {
		step(false)
	}
	if math.Abs(s.rise-0.01) > 0.002 {
		t.Fatalf("learned rise %.4f µg/m³/s, want 0.01", s.rise)
	}
	for range 5 * 60 {
		step(true) // a session: nothing is learned, the rise is carried
	}
	if s.excess > staffNoise(level)+0.5 {
		t.Fatalf("after 5 min of session in rising outdoor air: excess %.2f, want about the noise band %.2f", s.excess, staffNoise(level))
	}
}

// When a plume clears while the booths are busy, the clean air's fall is
// carried through the sessions as its rise was, and the booth smoke on top
// of it stays excess: a rise learned on the way up must not outlive the
// plume.
func TestStaffCleanAirFallCarriesThroughSessions(t *testing.T) {
	tu := simParams(t, nil).Tuning
	s := staffArea{ok: true}
	outdoor := 8.0
	step := func(slope, smoke float64, active bool) {
		s.worst.v, s.worst.ok = outdoor+smoke, true
		s.learn(time.Second, active, 0, tu)
		outdoor += slope
	}
	for range 10 * 60 {
		step(0, 0, false)
	}
	for range 40 * 60 {
		step(0.01, 0, false) // the plume arrives: 36 µg/m³ an hour
	}
	// It clears as fast while a booth is busy seven minutes in ten; its
	// smoke adds 3 µg/m³ to the staff area while it is.
	for cycle := range 5 {
		for range 3 * 60 {
			step(-0.01, 0, false)
		}
		for i := range 7 * 60 {
			step(-0.01, 3, true)
			// Within three cycles the fall is learned; the smoke then stays
			// excess but for the clean air's lag behind the fall.
			if cycle >= 3 && i == 7*60-1 && s.excess < 2 {
				t.Fatalf("cycle %d, end of a session %.0f µg/m³ into the plume's clearing: excess %.2f, the booth smoke is 3 (clean air %.2f, learned trend %.4f µg/m³/s)",
					cycle, outdoor, s.excess, s.clean, s.rise)
			}
		}
	}
	if s.rise > 0 {
		t.Fatalf("learned trend %.4f µg/m³/s while the plume clears, want below 0", s.rise)
	}
}

// The staff reading's noise teaches no trend: the clean air follows the
// reading's dips and its rises beyond the noise band, and a trend learned
// from one kind of move and not the other is carried through the next
// session, counting smoke as clean air (or clean air as smoke). Before
// falls were learned too, 40 noisy steady hours taught +4.4 µg/m³/h on
// average, and after half an hour of a session only 0.18 of its 2 µg/m³
// in the staff area was seen.
func TestStaffNoiseTeachesNoTrend(t *testing.T) {
	const seeds = 40
	sum := 0.0
	for seed := range uint64(seeds) {
		tu := simParams(t, nil).Tuning
		s := staffArea{ok: true, worst: ema{tau: staffSmooth}}
		rng := rand.New(rand.NewPCG(seed, 2))
		step := func(level float64, active bool) {
			// An SPS30 near 8 µg/m³ reads within about ±1 of it; the law
			// sees that averaged over staffSmooth.
			s.worst.add(level+rng.NormFloat64(), time.Second)
			s.learn(time.Second, active, 0, tu)
		}
		for range 90 * 60 {
			step(8, false)
		}
		sum += s.rise * 3600
		for range 30 * 60 {
			step(10, true) // a session's smoke: 2 µg/m³ in the staff area
		}
		if s.excess < 0.9 || s.excess > 2.6 {
			t.Errorf("seed %d: after 30 min of session the excess is %.2f, the smoke 2 (clean air %.2f, trend %.2f µg/m³/h)", seed, s.excess, s.clean, s.rise*3600)
		}
	}
	if mean := sum / seeds; math.Abs(mean) > 0.5 {
		t.Errorf("steady air read through noise taught a trend of %.2f µg/m³/h on average over %d seeds, want about 0", mean, seeds)
	}
}

// Smoke from a pipe lit in the staff area, with the booths quiet, climbs
// far faster than outdoor air can bring smoke in: it is excess the fans
// must remove, through its climb and its clearing, not clean air (the law
// once took it for outdoor air and left the fans at their minimum).
func TestStaffSmokeInTheStaffArea(t *testing.T) {
	tu := simParams(t, nil).Tuning
	s := staffArea{ok: true}
	feed := func(level float64) {
		s.worst.v, s.worst.ok = level, true
		s.learn(time.Second, false, 0, tu)
	}
	for range 600 {
		feed(8)
	}
	// 3 min of a pipe: 8 → 60 µg/m³ (a 60 m³ staff area, 1 mg/min).
	for i := 1; i <= 180; i++ {
		feed(8 + 52*float64(i)/180)
		if i > 60 && !s.source {
			t.Fatalf("%d s into a climb of 17 µg/m³ a minute: not taken for smoke (climb %.1f)", i, s.climb.v)
		}
	}
	if math.Abs(s.clean-8) > 0.5 || s.excess < 51 {
		t.Fatalf("after the pipe's climb: clean %.2f excess %.2f; want 8 and all the smoke", s.clean, s.excess)
	}
	// It clears at 8 air changes an hour: all of it stays excess.
	for i := 1; i <= 1800; i++ {
		tail := 52 * math.Exp(-float64(i)/450)
		feed(8 + tail)
		if s.excess < tail-staffNoise(8+tail)-0.5 {
			t.Fatalf("%d s into the clearing: excess %.2f, the air holds %.2f", i, s.excess, tail)
		}
	}
	if s.source {
		t.Error("still taken for a source once the level falls")
	}
}

// Outdoor air arriving fast climbs faster and faster while the outdoor air
// keeps rising (a pipe's climb slows from its start): it is smoke to the
// law for a minute or two at most, then clean air, the excess it gathered
// included. A climb that never speeds up but lasts past maxSource is
// outdoor air too.
func TestFastPlumeIsNoSource(t *testing.T) {
	tu := simParams(t, nil).Tuning
	run := func(out func(min float64) float64, d time.Duration) *staffArea {
		s := &staffArea{ok: true}
		lvl := 10.0
		for i := range int((10*time.Minute + d) / time.Second) {
			m := float64(i)/60 - 10
			o := 10.0
			if m > 0 {
				o = out(m)
			}
			lvl += (o - lvl) * (6.0 / 3600) // 6 air changes an hour
			s.worst.v, s.worst.ok = lvl, true
			s.learn(time.Second, false, 0, tu)
		}
		return s
	}
	// 10 → 200 µg/m³ outdoors in 20 min (the held-out plume-arrives).
	s := run(func(m float64) float64 { return 10 + 9.5*min(m, 20) }, 12*time.Minute)
	if s.source || !s.sourceSpent || s.excess > 5 {
		t.Errorf("12 min into a plume arriving: source %v (spent %v), excess %.1f; want it taken for outdoor air", s.source, s.sourceSpent, s.excess)
	}
	// A climb of 5 µg/m³ a minute that neither slows nor speeds up, as
	// no pipe's does for long: smoke for maxSource, then outdoor air.
	s = &staffArea{ok: true}
	for i := range 3600 {
		lvl := 10 + 5*max(float64(i)/60-10, 0)
		s.worst.v, s.worst.ok = lvl, true
		s.learn(time.Second, false, 0, tu)
		switch since := time.Duration(i-600) * time.Second; {
		case since > time.Minute && since < maxSource-time.Minute && !s.source:
			t.Fatalf("%v into a steady climb: not taken for smoke", since)
		case since > maxSource+time.Minute && (s.source || s.excess > 5):
			t.Fatalf("%v into a steady climb: source %v, excess %.1f; want outdoor air", since, s.source, s.excess)
		}
	}
}

// When outdoor smoke clears, the staff area holds the smoke it took in and
// clears toward the cleaner air only at its air change: its clean air
// falls, and the fall tells how far it stands above the air coming in
// (gap), which the fans can remove. Smoke still arriving, steady air and a
// booth's tail clearing down to the clean air are no gap.
func TestStaffGapAboveCleanerAirComingIn(t *testing.T) {
	tu := simParams(t, nil).Tuning
	const k = 3.0 / 3600 // air changes a second
	rng := rand.New(rand.NewPCG(1, 2))
	// run plays the staff area's true air c, which clears toward in(t) at
	// k, read through an SPS30's noise, smoothed as the law smooths it.
	run := func(s *staffArea, c float64, in func(time.Duration) float64, d time.Duration, active bool) float64 {
		for i := range int(d / time.Second) {
			c += k * (in(time.Duration(i)*time.Second) - c)
			s.worst.add(c+rng.NormFloat64()*0.3, time.Second)
			s.learn(time.Second, active, k, tu)
		}
		return c
	}
	steady := func(v float64) func(time.Duration) float64 { return func(time.Duration) float64 { return v } }
	newStaff := func() *staffArea { return &staffArea{ok: true, worst: ema{tau: staffSmooth}} }

	s := newStaff()
	c := run(s, 60, steady(60), time.Hour, false)
	if g := s.gap(); g > 0.5 {
		t.Errorf("steady air at 60 µg/m³: gap %.2f, want ≈ 0", g)
	}
	// The plume clears: the air coming in falls from 60 to 10 over an
	// hour. The room lags it by (fall rate)/k: 50/h ÷ 3/h ≈ 17 µg/m³.
	fall := func(t time.Duration) float64 { return max(10, 60-50*t.Hours()) }
	c = run(s, c, fall, 45*time.Minute, false)
	in := fall(45 * time.Minute)
	t.Logf("air coming in falling: gap %.2f µg/m³, room %.2f above the air in", s.gap(), c-in)
	if g, want := s.gap(), c-in; math.Abs(g-want) > 0.2*want {
		t.Errorf("air coming in falling: gap %.1f µg/m³, want %.1f ± 20 %% (room %.1f, air in %.1f)", g, want, c, in)
	}
	if n := s.need(tu); n < 1 {
		t.Errorf("air coming in falling: need %.2f, want ≥ 1 (full speed)", n)
	}
	// Once the air coming in holds, the room comes to it and the gap goes.
	c = run(s, c, steady(10), 2*time.Hour, false)
	if g := s.gap(); g > 0.5 {
		t.Errorf("two hours after the plume: gap %.2f, want ≈ 0 (room %.1f, air in 10)", g, c)
	}

	// Smoke arriving (the air coming in rising) is no gap: more
	// extraction would pull more of it in.
	s = newStaff()
	c = run(s, 10, steady(10), 30*time.Minute, false)
	run(s, c, func(t time.Duration) float64 { return 10 + 50*t.Hours() }, 45*time.Minute, false)
	if g := s.gap(); g != 0 {
		t.Errorf("smoke arriving: gap %.2f, want 0", g)
	}

	// A booth's smoke clearing from the staff area falls to the clean
	// air, not below it: no gap.
	s = newStaff()
	c = run(s, 10, steady(10), 30*time.Minute, false)
	c = run(s, c, steady(40), 5*time.Minute, true) // a session leaks
	run(s, c, steady(10), 30*time.Minute, false)
	if g := s.gap(); g > 0.5 {
		t.Errorf("after a booth's tail: gap %.2f, want ≈ 0", g)
	}

	// Without the air changes known, nothing is guessed.
	s = newStaff()
	for range 3600 {
		s.worst.add(60-float64(s.age/time.Second)/120, time.Second)
		s.learn(time.Second, false, 0, tu)
	}
	if g := s.gap(); g != 0 {
		t.Errorf("air changes unknown: gap %.2f, want 0", g)
	}
}

// The fans speeding up mid-clearing steepen the fall and shrink the gap
// (C − in = −rise/k); the gap read follows the smaller one without
// dropping far below it on the way (rise and k are averaged alike), which
// would slow the fans and start them hunting.
func TestStaffGapFollowsTheFans(t *testing.T) {
	tu := simParams(t, nil).Tuning
	rng := rand.New(rand.NewPCG(3, 4))
	s := &staffArea{ok: true, worst: ema{tau: staffSmooth}}
	c, in := 60.0, 60.0
	step := func(k float64) {
		in = math.Max(10, in-50.0/3600) // 50 µg/m³ an hour
		c += k * (in - c)
		s.worst.add(c+rng.NormFloat64()*0.3, time.Second)
		s.learn(time.Second, false, k, tu)
	}
	const slow, fast = 3.0 / 3600, 9.0 / 3600
	for range 30 * 60 { // steady air first
		c += slow * (60 - c)
		s.worst.add(c+rng.NormFloat64()*0.3, time.Second)
		s.learn(time.Second, false, slow, tu)
	}
	for range 25 * 60 {
		step(slow)
	}
	before := c - in
	worst := math.Inf(1)
	for range 30 * 60 {
		step(fast)
		worst = math.Min(worst, s.gap()/(c-in))
	}
	g, want := s.gap(), c-in
	t.Logf("gap at 3 air changes an hour %.1f µg/m³; at 9, %.1f read against %.1f; lowest read/true on the way %.2f", before, g, want, worst)
	if math.Abs(g-want) > 0.25*want {
		t.Errorf("30 min after the fans sped up: gap %.1f µg/m³, want %.1f ± 25 %%", g, want)
	}
	if worst < 0.5 {
		t.Errorf("on the way the gap read fell to %.2f of the true one; want ≥ 0.5", worst)
	}
}

// The gap's air change counts each fan at the air its booths measured it
// moving: a clogged filter's fan moves less than rated, the staff area
// clears slower, and the gap read from the same fall is larger. A fan
// measured above its rating (leaks and deposition add to a booth's decay)
// counts as rated, and one not yet measured too.
func TestStaffACHCountsTheAirMeasured(t *testing.T) {
	p := simParams(t, nil)
	r, err := NewRoom(p)
	if err != nil {
		t.Fatal(err)
	}
	v := r.staffVolume()
	own := defaultStaffACH * v / 4 // the fit's lower bound: nothing fitted yet
	f := r.fans[0]
	f.duty = f.spec.MaxDuty
	rated := f.spec.air(f.duty) * f.spec.MaxFlowM3h
	for _, c := range []struct {
		name  string
		model decayModel
		share float64
	}{
		{"not measured", decayModel{}, 1},
		{"measured at half its rating", decayModel{eta: 0.5, n: 4}, 0.5},
		{"measured above its rating", decayModel{eta: 1.1, n: 4}, 1},
	} {
		r.booths[0].model = c.model
		want := (rated*c.share + own) / v / 3600
		if got := r.staffACH(); math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: %.3f air changes an hour, want %.3f", c.name, got*3600, want*3600)
		}
	}
}

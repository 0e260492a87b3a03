package control

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/sample"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func pm(t time.Time, v float64) []sample.Sample {
	return []sample.Sample{{Sensor: "booth-pm", Zone: "booth", Quantity: sample.PM25, Value: v, Time: t, Quality: sample.Good}}
}

func staffPM(t time.Time, v float64) []sample.Sample {
	return []sample.Sample{{Sensor: "staff-pm", Zone: "staff", Quantity: sample.PM25, Value: v, Time: t, Quality: sample.Good}}
}

// sim drives a law second by second with a booth and a staff level given
// as functions of the seconds since t0.
type sim struct {
	t      *testing.T
	law    Law
	now    time.Time
	booth  func(s float64) float64
	staff  func(s float64) float64
	last   Decision
	trace  []Decision
	inputs func(now time.Time) Input
}

func newSim(t *testing.T, law Law) *sim {
	return &sim{t: t, law: law, now: t0,
		booth: func(float64) float64 { return 7 }, staff: func(float64) float64 { return 8 }}
}

func (s *sim) input() Input {
	if s.inputs != nil {
		return s.inputs(s.now)
	}
	x := s.now.Sub(t0).Seconds()
	return Input{Booth: pm(s.now, s.booth(x)), Staff: staffPM(s.now, s.staff(x))}
}

// run steps d in one-second periods and returns the last decision.
func (s *sim) run(d time.Duration) Decision {
	for end := s.now.Add(d); s.now.Before(end); {
		s.now = s.now.Add(time.Second)
		s.last = s.law.Update(s.now, s.input())
		s.trace = append(s.trace, s.last)
	}
	return s.last
}

func newFan(t *testing.T) *Fan {
	t.Helper()
	f, err := NewFan(DefaultFanParams())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFanCleanAirRampsDownToMinimum(t *testing.T) {
	s := newSim(t, newFan(t))
	d := s.run(time.Minute)
	// From the safe duty (1.0) it falls at most 10%/min.
	if d.Mode != ModeNormal || d.Duty < 0.9-1e-9 || d.Duty > 0.92 {
		t.Fatalf("after 1 min of clean air: %+v, want normal near 0.90 (ramping down)", d)
	}
	if d = s.run(15 * time.Minute); d.Duty != 0.25 {
		t.Fatalf("after 16 min of clean air: %+v, want the minimum 0.25", d)
	}
}

func TestFanFeedForwardGoesToMaximumAtOnce(t *testing.T) {
	s := newSim(t, newFan(t))
	s.run(20 * time.Minute)
	start := s.now
	// A session: +12.5 µg/m³ a second, far below the target at first.
	s.booth = func(x float64) float64 { return 7 + 12.5*math.Max(0, x-start.Sub(t0).Seconds()) }
	s.run(time.Second)
	d := s.run(time.Second)
	if d.Duty != 1 || d.Mode != ModeBoost || d.Level > 40 {
		t.Fatalf("two samples into a fast rise (%v µg/m³): %+v, want boost at 1.0", d.Level, d)
	}
}

func TestFanRunOnAfterSession(t *testing.T) {
	f := newFan(t)
	s := newSim(t, f)
	s.run(20 * time.Minute)
	on := s.now.Sub(t0).Seconds()
	off := on + 300
	// Five minutes of smoke at 600 µg/m³, then the booth clears at
	// 75 air changes an hour (k = 0.021/s).
	s.booth = func(x float64) float64 {
		switch {
		case x < on:
			return 7
		case x < off:
			return 7 + 593*(1-math.Exp(-(x-on)/48))
		}
		return 7 + (7+593*(1-math.Exp(-(off-on)/48))-7)*math.Exp(-(x-off)/48)
	}
	if d := s.run(300 * time.Second); d.Mode != ModeBoost || d.Duty != 1 {
		t.Fatalf("at the end of a 5 min session (level flat for minutes): %+v, want boost held", d)
	}
	var ended time.Duration
	for i := range 300 {
		if d := s.run(time.Second); d.Mode != ModeBoost && ended == 0 {
			ended = time.Duration(i+1) * time.Second
			if d.Level > 100 || d.Duty < 0.99 {
				t.Fatalf("run-on ended at %v with the booth at %.0f: %+v", ended, d.Level, d)
			}
		}
	}
	// The run-on outlasts the fall's detection and ends no later than
	// RunOn after it, earlier here because the booth measurably clears.
	if ended < 20*time.Second || ended > f.p.RunOn+20*time.Second {
		t.Fatalf("run-on lasted %v after the session; want between 20 s and RunOn (%v)", ended, f.p.RunOn)
	}

	// A booth that stays up (a weak source the fan cannot clear) keeps
	// the fan at maximum through the feedback, whatever the run-on.
	s.booth = func(float64) float64 { return 80 }
	if d := s.run(10 * time.Minute); d.Duty != 1 {
		t.Fatalf("booth held at 80 µg/m³: %+v, want maximum", d)
	}
}

func TestFanSlewLimits(t *testing.T) {
	f := newFan(t)
	s := newSim(t, f)
	s.run(20 * time.Minute)
	// The staff area grows smoky slowly: the feedback's rises are slewed.
	s.staff = func(x float64) float64 { return 8 + math.Min(4, (x-1200)/100) }
	s.run(10 * time.Minute)
	// Then the booth takes a fast rise: at once to maximum, no slew.
	start := s.now.Sub(t0).Seconds()
	s.booth = func(x float64) float64 { return 7 + 20*(x-start) }
	s.run(3 * time.Second)
	s.booth, s.staff = func(float64) float64 { return 7 }, func(float64) float64 { return 8 }
	s.run(20 * time.Minute)
	for i := 1; i < len(s.trace); i++ {
		a, b := s.trace[i-1], s.trace[i]
		if b.Mode != ModeNormal || a.Mode != ModeNormal {
			continue
		}
		if b.Duty < a.Duty-f.p.RampDown/60-1e-9 || b.Duty > a.Duty+f.p.RampUp/60+1e-9 {
			t.Fatalf("second %d: normal duty %v → %v, beyond the slew limits", i, a.Duty, b.Duty)
		}
	}
	jumped := false
	for i := 1; i < len(s.trace); i++ {
		if s.trace[i].Mode == ModeBoost && s.trace[i].Duty == 1 && s.trace[i-1].Duty < 0.9 {
			jumped = true
		}
	}
	if !jumped {
		t.Fatal("the fast rise did not jump the fan to maximum in one period")
	}
}

func TestFanStaffFeedback(t *testing.T) {
	f := newFan(t)
	s := newSim(t, f)
	s.run(20 * time.Minute)
	// Smoke reaches the staff area: 4.5 µg/m³ above its clean level, half
	// way through the staff band.
	s.staff = func(float64) float64 { return 12.5 }
	d := s.run(3 * time.Minute)
	want := 0.25 + 0.75*0.5
	if d.Mode != ModeNormal || math.Abs(d.Duty-want) > 0.06 || !strings.Contains(d.Reason, "staff") {
		t.Fatalf("staff 4.5 µg/m³ above clean: %+v, want normal near %.2f for the staff area", d, want)
	}
	s.staff = func(float64) float64 { return 8 }
	if d = s.run(15 * time.Minute); d.Duty != 0.25 {
		t.Fatalf("staff clean again: %+v, want the minimum", d)
	}
	// While there is smoke in the booth the staff level is not learned as
	// clean: an hour of booth above target and staff at +6 keeps demanding.
	s.booth, s.staff = func(float64) float64 { return 30 }, func(float64) float64 { return 14 }
	s.run(time.Hour)
	s.booth = func(float64) float64 { return 7 }
	if d = s.run(10 * time.Second); d.Duty < 0.9 || !strings.Contains(d.Reason, "staff") {
		t.Fatalf("after an hour of smoke: %+v, want the staff feedback still near maximum", d)
	}
}

func TestFanFailsSafeWithinOneSample(t *testing.T) {
	cases := []struct {
		name string
		in   func(now time.Time) Input
		want string
	}{
		{"no sensors", func(now time.Time) Input { return Input{Staff: staffPM(now, 8)} }, "no booth"},
		{"stale", func(now time.Time) Input {
			return Input{Booth: pm(now.Add(-30*time.Second), 5), Staff: staffPM(now, 8)}
		}, "stale (30s old)"},
		{"crc", func(now time.Time) Input {
			b := pm(now, 5)
			b[0].Quality, b[0].Err = sample.Fault, errors.New("CRC mismatch")
			return Input{Booth: b, Staff: staffPM(now, 8)}
		}, "fault: CRC mismatch"},
		{"one of two bad", func(now time.Time) Input {
			b := append(pm(now, 5), pm(now, 5)...)
			b[1].Sensor, b[1].Quality = "booth2-pm", sample.OutOfRange
			return Input{Booth: b, Staff: staffPM(now, 8)}
		}, "booth2-pm out_of_range"},
		{"staff sensor lost", func(now time.Time) Input {
			st := staffPM(now, 8)
			st[0].Quality, st[0].Err = sample.Fault, errors.New("NACK")
			return Input{Booth: pm(now, 5), Staff: st}
		}, "staff data not trusted: staff-pm fault: NACK"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSim(t, newFan(t))
			s.run(20 * time.Minute)
			s.inputs = c.in
			d := s.run(time.Second) // the very next period
			if d.Duty != 1 || d.Mode != ModeSafe || !strings.Contains(d.Reason, c.want) {
				t.Fatalf("%+v, want safe duty 1 with reason containing %q", d, c.want)
			}
			// Back to good data: it ramps down again, never steps.
			s.inputs = nil
			if d := s.run(time.Second); d.Mode != ModeNormal || d.Duty < 0.99 {
				t.Fatalf("after recovery: %+v, want normal, ramping down from the safe duty", d)
			}
		})
	}
}

func TestFanPurgeAndEntryEstimate(t *testing.T) {
	f := newFan(t)
	s := newSim(t, f)
	s.run(20 * time.Minute)
	// Purge reaches maximum at once, from minimum, in the next period.
	s.booth = func(float64) float64 { return 400 }
	f.Purge()
	if d := s.run(time.Second); d.Mode != ModePurge || d.Duty != 1 || !f.Purging() {
		t.Fatalf("purge requested: %+v", d)
	}
	// Bad data during a purge still gives maximum.
	s.inputs = func(now time.Time) Input { return Input{Staff: staffPM(now, 8)} }
	if d := s.run(time.Second); d.Duty != 1 || d.Mode != ModeSafe {
		t.Fatalf("purge with no booth data: %+v, want maximum", d)
	}
	s.inputs = nil
	// The booth decays from 400 µg/m³ at 60 air changes an hour.
	k := 60.0 / 3600
	from := s.now.Sub(t0).Seconds()
	s.booth = func(x float64) float64 { return 400 * math.Exp(-k*(x-from)) }
	s.run(time.Minute)
	d := s.run(30 * time.Second)
	if d.Mode != ModePurge || d.Duty != 1 {
		t.Fatalf("purging: %+v", d)
	}
	want := math.Log(d.Level/35) / k
	if got := f.SecondsToEntry(); math.Abs(got-want) > 2 {
		t.Fatalf("SecondsToEntry = %.1f, want %.1f from the measured decay", got, want)
	}
	s.run(6 * time.Minute)
	if f.Purging() || s.last.Mode == ModePurge || f.SecondsToEntry() != 0 {
		t.Fatalf("after falling below entry the purge must end: %+v purging=%v", s.last, f.Purging())
	}
	f.Purge()
	f.CancelPurge()
	if f.Purging() {
		t.Fatal("CancelPurge left the purge on")
	}
}

func TestFanParamsValidate(t *testing.T) {
	p := DefaultFanParams()
	p.MinDuty, p.MaxDuty, p.Target, p.StaffBand = 0.9, 0.5, 1, 0
	_, err := NewFan(p)
	if err == nil {
		t.Fatal("accepted min > max, target < background and a zero staff band")
	}
	for _, want := range []string{"min duty 0.9 is above max duty 0.5", "target 1 must be above background", "staff band"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func BenchmarkFanUpdate(b *testing.B) {
	f, _ := NewFan(DefaultFanParams())
	now := t0
	for i := 0; i < b.N; i++ {
		now = now.Add(time.Second)
		f.Update(now, Input{Booth: pm(now, 20+float64(i%7)), Staff: staffPM(now, 8+float64(i%3))})
	}
}

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

func newFan(t *testing.T) *Fan {
	t.Helper()
	f, err := NewFan(DefaultFanParams())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFanCleanAirRunsAtMinimum(t *testing.T) {
	f := newFan(t)
	var d Decision
	for i := range 60 {
		now := t0.Add(time.Duration(i) * time.Second)
		d = f.Update(now, Input{Booth: pm(now, 5)})
	}
	// Starting from the safe duty (1.0) it must have ramped at most 10%/min.
	if d.Mode != ModeNormal || math.Abs(d.Duty-0.9017) > 0.01 {
		t.Fatalf("after 1 min of clean air: %+v, want normal near 0.90 (ramping down)", d)
	}
	for i := 60; i < 15*60; i++ {
		now := t0.Add(time.Duration(i) * time.Second)
		d = f.Update(now, Input{Booth: pm(now, 5)})
	}
	if d.Duty != 0.25 {
		t.Fatalf("after 15 min of clean air duty = %v, want the minimum 0.25", d.Duty)
	}
}

func TestFanFastRiseGoesToMaximumAtOnce(t *testing.T) {
	f := newFan(t)
	now := t0
	for i := range 20 * 60 {
		now = t0.Add(time.Duration(i) * time.Second)
		f.Update(now, Input{Booth: pm(now, 5)})
	}
	// A session starts: +30 µg/m³ in two seconds, still below the target.
	now = now.Add(time.Second)
	f.Update(now, Input{Booth: pm(now, 15)})
	now = now.Add(time.Second)
	d := f.Update(now, Input{Booth: pm(now, 35)})
	if d.Duty != 1 || d.Mode != ModeBoost {
		t.Fatalf("on a fast rise: %+v, want boost at 1.0", d)
	}
	// The level falls back at once (a blip): run-on holds maximum for 2 min.
	for range 100 {
		now = now.Add(time.Second)
		d = f.Update(now, Input{Booth: pm(now, 5)})
	}
	if d.Duty != 1 {
		t.Fatalf("within run-on: %+v", d)
	}
	now = now.Add(30 * time.Second)
	d = f.Update(now, Input{Booth: pm(now, 5)})
	if d.Mode != ModeNormal || d.Duty < 0.9 {
		t.Fatalf("after run-on the fan must ramp down gently: %+v", d)
	}
}

func TestFanProportional(t *testing.T) {
	f := newFan(t)
	now := t0
	// Slow rise to 35 µg/m³ (halfway between background 10 and target 60).
	var d Decision
	for i := range 30 * 60 {
		now = t0.Add(time.Duration(i) * time.Second)
		d = f.Update(now, Input{Booth: pm(now, 35)})
	}
	if want := 0.25 + 0.75*0.5; math.Abs(d.Duty-want) > 1e-9 {
		t.Fatalf("at 35 µg/m³: duty %v, want %v", d.Duty, want)
	}
}

func TestFanFailsSafe(t *testing.T) {
	cases := []struct {
		name string
		in   func(now time.Time) []sample.Sample
		want string
	}{
		{"no sensors", func(time.Time) []sample.Sample { return nil }, "no booth"},
		{"stale", func(now time.Time) []sample.Sample { return pm(now.Add(-30*time.Second), 5) }, "stale (30s old)"},
		{"crc", func(now time.Time) []sample.Sample {
			s := pm(now, 5)
			s[0].Quality, s[0].Err = sample.Fault, errors.New("CRC mismatch")
			return s
		}, "fault: CRC mismatch"},
		{"one of two bad", func(now time.Time) []sample.Sample {
			s := append(pm(now, 5), pm(now, 5)...)
			s[1].Sensor, s[1].Quality = "booth2-pm", sample.OutOfRange
			return s
		}, "booth2-pm out_of_range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFan(t)
			for i := range 20 * 60 {
				now := t0.Add(time.Duration(i) * time.Second)
				f.Update(now, Input{Booth: pm(now, 5)})
			}
			now := t0.Add(20 * time.Minute)
			d := f.Update(now, Input{Booth: c.in(now)})
			if d.Duty != 1 || d.Mode != ModeSafe || !strings.Contains(d.Reason, c.want) {
				t.Fatalf("%+v, want safe duty 1 with reason containing %q", d, c.want)
			}
		})
	}
}

func TestFanPurgeAndEntryEstimate(t *testing.T) {
	f := newFan(t)
	// The booth decays from 2000 µg/m³ at 60 air changes an hour.
	k := 60.0 / 3600
	level := func(s float64) float64 { return 2000 * math.Exp(-k*s) }
	f.Purge()
	var d Decision
	for i := range 30 {
		now := t0.Add(time.Duration(i) * time.Second)
		d = f.Update(now, Input{Booth: pm(now, level(float64(i)))})
	}
	if d.Mode != ModePurge || d.Duty != 1 {
		t.Fatalf("purging: %+v", d)
	}
	want := math.Log(level(29)/35) / k
	if got := f.SecondsToEntry(); math.Abs(got-want) > 1 {
		t.Fatalf("SecondsToEntry = %.1f, want %.1f", got, want)
	}
	for i := 30; i < 400; i++ {
		now := t0.Add(time.Duration(i) * time.Second)
		d = f.Update(now, Input{Booth: pm(now, level(float64(i)))})
	}
	if f.Purging() || d.Mode == ModePurge || f.SecondsToEntry() != 0 {
		t.Fatalf("after falling below entry the purge must end: %+v purging=%v", d, f.Purging())
	}
}

func TestFanParamsValidate(t *testing.T) {
	p := DefaultFanParams()
	p.MinDuty, p.MaxDuty, p.Target = 0.9, 0.5, 1
	_, err := NewFan(p)
	if err == nil {
		t.Fatal("accepted min > max and target < background")
	}
	for _, want := range []string{"min duty 0.9 is above max duty 0.5", "target 1 must be above background"} {
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
		f.Update(now, Input{Booth: pm(now, 20+float64(i%7))})
	}
}

package control

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/sample"
)

// fanRun drives a per-fan law with a booth level given as a function of
// the seconds since t0, a second at a time, and returns the decisions.
func fanRun(l FanLaw, from, secs int, level func(s int) float64, quality sample.Quality) []Decision {
	var out []Decision
	for s := from; s < from+secs; s++ {
		now := t0.Add(time.Duration(s) * time.Second)
		in := FanInput{Booth: []sample.Sample{{Sensor: "booth-pm", Quantity: sample.PM25, Value: level(s), Time: now, Quality: quality}}}
		out = append(out, l.Update(now, in))
	}
	return out
}

func constant(v float64) func(int) float64 { return func(int) float64 { return v } }

func TestFixedAndBare(t *testing.T) {
	p := simParams(t, nil)
	f, tu := p.Fans[0], p.Tuning
	if _, err := NewFixed(f, tu, 0.1); err == nil || !strings.Contains(err.Error(), "outside fan booth-exhaust's range") {
		t.Fatalf("duty below the minimum: %v", err)
	}
	fixed, _ := NewFixed(f, tu, 0.5)
	if d := fanRun(fixed, 0, 60, constant(500), sample.Good); d[59].Duty != 0.5 || d[59].Mode != ModeNormal {
		t.Fatalf("fixed 0.5 in smoke: %+v", d[59])
	}
	// Like every law it fails safe and purges...
	if d := fanRun(fixed, 60, 1, constant(5), sample.Fault); d[0].Duty != 1 || d[0].Mode != ModeSafe {
		t.Fatalf("fixed, no data: %+v", d[0])
	}
	fixed.Purge()
	if d := fanRun(fixed, 61, 1, constant(500), sample.Good); d[0].Duty != 1 || d[0].Mode != ModePurge {
		t.Fatalf("fixed, purge: %+v", d[0])
	}
	// ...but the bare bound holds its duty whatever happens.
	bare, _ := NewBare(f, tu, 0.25)
	if d := fanRun(bare, 0, 2, constant(5), sample.OutOfRange); d[1].Duty != 0.25 {
		t.Fatalf("bare minimum on bad data: %+v", d[1])
	}
}

func TestOnOffHysteresis(t *testing.T) {
	p := simParams(t, nil)
	if _, err := NewOnOff(p.Fans[0], p.Tuning, 25, 35); err == nil {
		t.Fatal("accepted off above on")
	}
	o, err := NewOnOff(p.Fans[0], p.Tuning, 35, 25)
	if err != nil {
		t.Fatal(err)
	}
	for i, step := range []struct{ level, want float64 }{{10, 0.25}, {34, 0.25}, {35, 1}, {30, 1}, {25, 1}, {24.9, 0.25}, {30, 0.25}, {50, 1}} {
		if d := fanRun(o, i, 1, constant(step.level), sample.Good); d[0].Duty != step.want {
			t.Fatalf("at %v µg/m³: %+v, want duty %v", step.level, d[0], step.want)
		}
	}
}

func TestProportional(t *testing.T) {
	p := simParams(t, nil)
	if _, err := NewProportional(p.Fans[0], p.Tuning, 50, 10); err == nil {
		t.Fatal("accepted an upside-down band")
	}
	pr, _ := NewProportional(p.Fans[0], p.Tuning, 10, 110)
	for i, c := range []struct{ level, want float64 }{{5, 0.25}, {10, 0.25}, {60, 0.625}, {110, 1}, {900, 1}} {
		if d := fanRun(pr, i, 1, constant(c.level), sample.Good); math.Abs(d[0].Duty-c.want) > 1e-9 {
			t.Fatalf("at %v µg/m³: %+v, want %v", c.level, d[0], c.want)
		}
	}
}

func TestPerFanRunsEachFanOnItsBooths(t *testing.T) {
	p := simParams(t, nil)
	law, err := PerFan(p, func(f FanSpec, tu Tuning) (FanLaw, error) { return NewOnOff(f, tu, 35, 25) })
	if err != nil {
		t.Fatal(err)
	}
	in := func(now time.Time, v float64) []sample.Sample {
		return []sample.Sample{{Sensor: "booth-pm", Quantity: sample.PM25, Value: v, Time: now, Quality: sample.Good}}
	}
	if d := law.Update(t0, in(t0, 50)); len(d) != 1 || d[0].Duty != 1 {
		t.Fatalf("smoke: %+v", d)
	}
	law.Purge("booth")
	if st := law.Booths(); !st[0].Purging || st[0].Level != 50 || !math.IsNaN(st[0].Decay.ACH) {
		t.Fatalf("booth status %+v", st[0])
	}
	law.CancelPurge("")
	// A booth sensor missing from the input is a fault, never clean air.
	if d := law.Update(t0.Add(time.Second), nil); d[0].Mode != ModeSafe {
		t.Fatalf("no input: %+v", d)
	}
}

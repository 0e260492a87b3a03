package control

import (
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/sample"
)

// booth is a booth whose pressure follows the orifice law of its transfer
// grille: −15 Pa at full flow, so −5 Pa needs about 58% duty.
func boothPressure(duty float64) float64 { return -15 * duty * duty }

func TestPressureHoldFindsTheDutyThatContainsTheBooth(t *testing.T) {
	f, err := NewFan(DefaultFanParams())
	if err != nil {
		t.Fatal(err)
	}
	duty := 1.0
	var sum float64
	var n int
	for i := range 3600 {
		now := t0.Add(time.Duration(i) * time.Second)
		in := Input{
			Booth:    pm(now, 5),
			Pressure: []sample.Sample{{Sensor: "booth-dp", Quantity: sample.Pressure, Value: boothPressure(duty), Time: now, Quality: sample.Good}},
		}
		d := f.Update(now, in)
		duty = d.Duty
		if i >= 1800 {
			sum += boothPressure(duty)
			n++
		}
	}
	mean := sum / float64(n)
	if mean > -5 {
		t.Fatalf("second half hour: mean booth pressure %.2f Pa at duty %.2f; want at least 5 Pa negative", mean, duty)
	}
	if duty > 0.75 {
		t.Errorf("duty %.2f: the hold overshot (−6 Pa needs %.2f)", duty, math.Sqrt(6.0/15))
	}
}

func TestPressureHoldWithoutSensorLeavesMinimum(t *testing.T) {
	f, _ := NewFan(DefaultFanParams())
	var d Decision
	for i := range 1800 {
		now := t0.Add(time.Duration(i) * time.Second)
		d = f.Update(now, Input{Booth: pm(now, 5)})
	}
	if d.Duty != 0.25 {
		t.Fatalf("no pressure sensor: duty %v, want the minimum", d.Duty)
	}
}

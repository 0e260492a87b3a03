package control

import (
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
)

// With a pressure sensor the fan's floor rises until the booth holds the
// target; the world's booth follows the orifice law of its transfer
// grille, −15 Pa at full flow, so −6 Pa needs about 63 % duty.
func TestPressureHoldFindsTheDutyThatContainsTheBooth(t *testing.T) {
	w := newWorld(t, simParams(t, func(c *config.Config) {
		c.Sensors = append(c.Sensors, config.Sensor{Name: "booth-dp", Type: config.SDP810, Bus: "sim0", Zone: "booth", Address: 0x25})
	}))
	w.run(time.Hour)
	var sum float64
	for _, d := range w.since(30 * time.Minute) {
		sum += -15 * d.Duty * d.Duty
	}
	mean := sum / float64(30*60)
	if mean > -5 {
		t.Fatalf("second half hour: mean booth pressure %.2f Pa at duty %.2f; want at least 5 Pa negative", mean, w.duty)
	}
	if w.duty > 0.75 {
		t.Errorf("duty %.2f: the hold overshot (−6 Pa needs %.2f)", w.duty, math.Sqrt(6.0/15))
	}
}

func TestPressureHoldWithoutSensorLeavesMinimum(t *testing.T) {
	w := newWorld(t, simParams(t, nil))
	if d := w.run(30 * time.Minute); d.Duty != 0.25 {
		t.Fatalf("no pressure sensor: duty %v, want the minimum", d.Duty)
	}
}

package sgp41sim_test

import (
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/gasindex"
	"github.com/ventd/ventd/drivers/sgp4x"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/sgp41sim"
)

// session is an hour of clean air, then a smoking session: VOC rising
// towards 1,500 ppb over the 5 minutes of smoking, then cleared by the
// extraction with a 3 min time constant.
func session(t time.Time) air.State {
	a := air.Clean
	s := t.Sub(t0) - time.Hour
	switch {
	case s < 0:
	case s < 5*time.Minute:
		a.VOC += 1500 * (1 - math.Exp(-s.Seconds()/60))
	default:
		peak := 1500 * (1 - math.Exp(-300.0/60))
		a.VOC += peak * math.Exp(-(s-5*time.Minute).Seconds()/180)
	}
	return a
}

// TestGasIndex runs the sensor through the real driver and Sensirion's
// VOC algorithm at 1 s: the index settles near 100 in clean air and goes
// past 200 in a session.
func TestGasIndex(t *testing.T) {
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	bus.Attach(sgp41sim.Addr, sgp41sim.New(clk, air.Func(session), sgp41sim.Opts{Seed: 11}))
	dev, err := sgp4x.New(bus, &sgp4x.Opts{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	voc := gasindex.NewVOC(time.Second)
	tick := func(f func() (uint16, error)) int32 {
		start := clk.Now()
		sraw, err := f()
		if err != nil {
			t.Fatal(err)
		}
		clk.Sleep(time.Second - clk.Now().Sub(start))
		return voc.Process(int32(sraw))
	}
	for range 10 {
		tick(func() (uint16, error) { return dev.Condition(sgp4x.DefaultRH, sgp4x.DefaultTempC) })
	}
	measure := func() (uint16, error) {
		a := session(clk.Now()) // the SCD4x's humidity and temperature
		raw, err := dev.MeasureRaw(a.Humidity, a.Temperature)
		return raw.VOC, err
	}
	var lo, hi int32 = 500, 0
	var clean int32
	for clk.Now().Sub(t0) < time.Hour {
		clean = tick(measure)
		if clk.Now().Sub(t0) > 50*time.Minute {
			lo, hi = min(lo, clean), max(hi, clean)
		}
	}
	if lo < 85 || hi > 115 {
		t.Errorf("clean air, last 10 min of the first hour: VOC index %d–%d, want near 100", lo, hi)
	}
	peak := int32(0)
	for clk.Now().Sub(t0) < time.Hour+15*time.Minute {
		peak = max(peak, tick(measure))
	}
	if peak <= 200 {
		t.Errorf("smoking session: VOC index peaked at %d, want above 200", peak)
	}
	t.Logf("clean %d–%d, session peak %d", lo, hi, peak)
}

package testbench_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/scd4x"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/drivers/sgp4x"
	"github.com/ventd/ventd/drivers/sps30"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/scd41sim"
	"github.com/ventd/ventd/testbench/sgp41sim"
	"github.com/ventd/ventd/testbench/sps30sim"
)

// BenchmarkReadAllSensors measures one full read of the three sensors on
// one simulated bus, through the real drivers: an SPS30 measurement, an
// SCD41 measurement (data-ready check and read) and an SGP41 raw
// measurement, as the daemon does each second. It includes the simulated
// devices' own work, so it bounds the drivers' cost from above.
func BenchmarkReadAllSensors(b *testing.B) {
	clk := clock.NewSim(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 0)
	bus := i2csim.New("bench", clk.Sleep)
	src := air.Fixed(air.Clean)
	bus.Attach(0x69, sps30sim.New(clk, src, sps30sim.Opts{Seed: 1}))
	bus.Attach(0x62, scd41sim.New(clk, src, scd41sim.Opts{Seed: 2}))
	bus.Attach(0x59, sgp41sim.New(clk, src, sgp41sim.Opts{Seed: 3}))
	pm, err := sps30.New(bus, &sps30.Opts{Clock: clk})
	if err != nil {
		b.Fatal(err)
	}
	co2, err := scd4x.New(bus, &scd4x.Opts{Clock: clk})
	if err != nil {
		b.Fatal(err)
	}
	voc, err := sgp4x.New(bus, &sgp4x.Opts{Clock: clk})
	if err != nil {
		b.Fatal(err)
	}
	if err := pm.SetAutoCleanInterval(0); err != nil {
		b.Fatal(err)
	}
	if err := pm.Start(); err != nil {
		b.Fatal(err)
	}
	if err := co2.Start(); err != nil {
		b.Fatal(err)
	}
	clk.Advance(10 * time.Second)
	var (
		p  sps30.Reading
		c  scd4x.Reading
		ok int
	)
	transfers := bus.Transfers()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clk.Advance(time.Second)
		if err := pm.Sense(&p); err == nil {
			ok++
		} else if !errors.Is(err, sensirion.ErrNotReady) {
			b.Fatal(err)
		}
		if err := co2.Sense(&c); err != nil && !errors.Is(err, sensirion.ErrNotReady) {
			b.Fatal(err)
		}
		if _, err := voc.MeasureRaw(c.Humidity, c.Temperature); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if ok == 0 {
		b.Fatal("no SPS30 reading")
	}
	b.ReportMetric(float64(bus.Transfers()-transfers)/float64(b.N), "transfers/op")
}

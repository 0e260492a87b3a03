package scd4x_test

import (
	"fmt"
	"log"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/scd4x"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/scd41sim"
)

func Example() {
	// On a Pi the bus comes from periph: host.Init(); bus, err :=
	// i2creg.Open("1"), and the clock is left nil (the wall clock). Here a
	// simulated SCD41 in a booth at 950 ppm stands in for the hardware.
	clk := clock.NewSim(time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC), 0)
	bus := i2csim.New("i2c-1", clk.Sleep)
	booth := air.Clean
	booth.CO2, booth.Temperature, booth.Humidity = 950, 23, 48
	bus.Attach(scd41sim.Addr, scd41sim.New(clk, air.Fixed(booth), scd41sim.Opts{Seed: 1, Quiet: true}))

	dev, err := scd4x.New(bus, &scd4x.Opts{Clock: clk})
	if err != nil {
		log.Fatal(err)
	}
	// A room where people smoke never sees fresh air: no ASC.
	if err := dev.SetASC(false); err != nil {
		log.Fatal(err)
	}
	if err := dev.Start(); err != nil {
		log.Fatal(err)
	}
	defer dev.Halt()

	clk.Sleep(5 * time.Second) // the first measurement
	var r scd4x.Reading
	if err := dev.Sense(&r); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.0f ppm, %.1f °C, %.0f %%RH\n", r.CO2, r.Temperature, r.Humidity)
	// Output:
	// 944 ppm, 23.0 °C, 48 %RH
}

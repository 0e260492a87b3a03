package sps30_test

import (
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sps30"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/sps30sim"
)

func Example() {
	// On a Pi, open the real bus instead:
	//
	//	if _, err := host.Init(); err != nil { ... }
	//	bus, err := i2creg.Open("1")
	//	dev, err := sps30.New(bus, nil)
	//
	// Here a simulated SPS30 in fixed air, on simulated time.
	clk := clock.NewSim(time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC), 0)
	bus := i2csim.New("sim", clk.Sleep)
	room := air.Fixed{PM1: 8, PM25: 12, PM4: 14, PM10: 15}
	bus.Attach(sps30.DefaultAddr, sps30sim.New(clk, room, sps30sim.Opts{Ideal: true, Serial: "EXAMPLE01"}))

	dev, err := sps30.New(bus, &sps30.Opts{Clock: clk})
	if err != nil {
		log.Fatal(err)
	}
	if err := dev.Start(); err != nil {
		log.Fatal(err)
	}
	defer dev.Halt()

	var r sps30.Reading
	for {
		err := dev.Sense(&r)
		if errors.Is(err, sps30.ErrNotReady) {
			clk.Sleep(200 * time.Millisecond) // a new measurement comes every second
			continue
		}
		if err != nil {
			log.Fatal(err) // a NACK or CRC error: unknown air, never clean air
		}
		break
	}
	fmt.Println(dev)
	fmt.Printf("PM2.5 %.1f µg/m³, PM10 %.1f µg/m³\n", r.MassPM25, r.MassPM10)
	// Output:
	// SPS30{sim 0x69 EXAMPLE01}
	// PM2.5 12.0 µg/m³, PM10 15.0 µg/m³
}

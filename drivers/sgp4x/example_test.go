package sgp4x_test

import (
	"fmt"
	"log"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sgp4x"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/sgp41sim"
)

func Example() {
	// On a Pi the bus comes from periph (i2creg.Open("1")) and the clock
	// is clock.Real{}; here a simulated SGP41 in clean air stands in.
	clk := clock.NewSim(time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC), 0)
	bus := i2csim.New("I2C1", clk.Sleep)
	bus.Attach(sgp41sim.Addr, sgp41sim.New(clk, air.Fixed(air.Clean), sgp41sim.Opts{}))

	dev, err := sgp4x.New(bus, &sgp4x.Opts{Clock: clk})
	if err != nil {
		log.Fatal(err)
	}
	defer dev.Halt()
	fmt.Println(dev)

	// A 1 Hz loop: condition the NOx pixel on the first ten ticks, then
	// measure from the eleventh, 10 s after the first, with the humidity
	// and temperature of the neighbouring SCD4x.
	for tick := range 13 {
		next := clk.Now().Add(time.Second)
		if tick < 10 {
			if _, err := dev.Condition(sgp4x.DefaultRH, sgp4x.DefaultTempC); err != nil {
				log.Fatal(err)
			}
		} else {
			raw, err := dev.MeasureRaw(45.2, 21.3)
			if err != nil {
				log.Fatal(err)
			}
			fmt.Printf("SRAW_VOC %d SRAW_NOX %d\n", raw.VOC, raw.NOx)
		}
		clk.Sleep(next.Sub(clk.Now()))
	}
	// Output:
	// SGP41{I2C1, 0x59}
	// SRAW_VOC 27253 SRAW_NOX 16225
	// SRAW_VOC 27261 SRAW_NOX 16215
	// SRAW_VOC 27256 SRAW_NOX 16221
}

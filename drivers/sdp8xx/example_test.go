package sdp8xx_test

import (
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sdp8xx"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/sdpsim"
)

func Example() {
	// On a Pi, open the real bus instead:
	//
	//	if _, err := host.Init(); err != nil { ... }
	//	bus, err := i2creg.Open("1")
	//	dev, err := sdp8xx.New(bus, nil)
	//
	// Here a simulated SDP810 across a booth held at -7.5 Pa, on
	// simulated time.
	clk := clock.NewSim(time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC), 0)
	bus := i2csim.New("sim", clk.Sleep)
	booth := func(time.Time) (pa, degC float64) { return -7.5, 21 }
	bus.Attach(sdp8xx.DefaultAddr, sdpsim.New(clk, booth, sdpsim.Opts{Ideal: true, Serial: 0x9B994E22}))

	dev, err := sdp8xx.New(bus, &sdp8xx.Opts{Clock: clk})
	if err != nil {
		log.Fatal(err)
	}
	if err := dev.Start(); err != nil {
		log.Fatal(err)
	}
	defer dev.Halt()

	var r sdp8xx.Reading
	for {
		err := dev.Sense(&r)
		if errors.Is(err, sdp8xx.ErrNotReady) {
			clk.Sleep(5 * time.Millisecond) // the first result comes 10 ms after Start
			continue
		}
		if err != nil {
			log.Fatal(err) // a NACK or CRC error: pressure unknown, never "negative enough"
		}
		break
	}
	fmt.Println(dev)
	fmt.Printf("booth %+.1f Pa, sensor %.1f °C, negative enough: %v\n", r.Pressure, r.Temperature, r.Pressure <= -5)
	// Output:
	// SDP810-500Pa{sim 0x25 000000009B994E22}
	// booth -7.5 Pa, sensor 21.0 °C, negative enough: true
}

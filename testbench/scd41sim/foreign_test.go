package scd41sim_test

import (
	"math"
	"testing"

	"periph.io/x/conn/v3/physic"
	periphscd4x "periph.io/x/devices/v3/scd4x"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/scd41sim"
)

// The simulated SCD41 answers a driver written by someone else: periph's
// own scd4x package, which knows nothing of ventd, sends wake_up,
// start_periodic_measurement, get_data_ready_status and read_measurement
// with its own timing and CRC code, on the wall clock. A twin that only
// understood ventd's driver would prove ventd's driver against itself.
// It costs about 5 s of wall time: periph waits for the first sample.
func TestPeriphsOwnDriverReadsTheTwin(t *testing.T) {
	truth := air.State{CO2: 1200, Temperature: 22, Humidity: 40}
	bus := i2csim.New("sim", nil)
	sim := scd41sim.New(clock.Real{}, air.Fixed(truth), scd41sim.Opts{Seed: 3, Quiet: true})
	bus.Attach(scd41sim.Addr, sim)
	dev, err := periphscd4x.NewI2C(bus, scd41sim.Addr)
	if err != nil {
		t.Fatalf("periph's scd4x.NewI2C on the twin: %v", err)
	}
	var env periphscd4x.Env
	if err := dev.Sense(&env); err != nil {
		t.Fatalf("periph's Sense on the twin: %v", err)
	}
	co2 := float64(env.CO2)
	// The unit's own calibration error is the only difference from the
	// truth (Quiet: no noise; the twin warms the sensor 4 °C and takes
	// the factory offset off again).
	if want := truth.CO2 + sim.CalibrationError(truth.CO2); math.Abs(co2-want) > 1 {
		t.Errorf("CO2 %v ppm, want %.0f (truth %v plus the unit's calibration error)", co2, want, truth.CO2)
	}
	if c := env.Temperature.Celsius(); math.Abs(c-truth.Temperature) > 0.5 {
		t.Errorf("temperature %.2f °C, want %v", c, truth.Temperature)
	}
	if rh := float64(env.Humidity) / float64(physic.PercentRH); math.Abs(rh-truth.Humidity) > 2 {
		t.Errorf("humidity %.1f %%RH, want %v", rh, truth.Humidity)
	}
	if err := dev.Halt(); err != nil {
		t.Errorf("periph's Halt on the twin: %v", err)
	}
}

package scd41sim_test

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"periph.io/x/conn/v3/physic"
	periphscd4x "periph.io/x/devices/v3/scd4x"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/i2csim/sensirionc"
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

// Sensirion's own driver, embedded-i2c-scd4x (scd4x_i2c.c and its
// example usage), replayed with its waits through a Go copy of its common
// layer that shares no code with ventd's drivers: wake_up (its answer
// ignored), stop_periodic_measurement, reinit, the serial number, start,
// then every 5 s get_data_ready_status (masked with 0x07FF) and
// read_measurement, converted as scd4x_read_measurement does.
func TestSensirionExample(t *testing.T) {
	truth := air.State{CO2: 800, Temperature: 21, Humidity: 50}
	clk := clock.NewSim(time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC), 0)
	sim := scd41sim.New(clk, air.Fixed(truth), scd41sim.Opts{Seed: 5, Quiet: true})
	h := sensirionc.Attach(clk, scd41sim.Addr, sim)
	send := func(what string, waitUs int, c uint16, args ...uint16) error {
		err := h.Write(sensirionc.CommandWith(c, args...))
		if err == nil || c == 0x36f6 { // scd4x_wake_up waits whatever the answer
			h.SleepUsec(waitUs)
		}
		if err != nil {
			return fmt.Errorf("%s (0x%04x): %w", what, c, err)
		}
		return nil
	}
	get := func(what string, waitUs int, n int, c uint16, args ...uint16) []byte {
		t.Helper()
		if err := send(what, waitUs, c, args...); err != nil {
			t.Fatal(err)
		}
		b, err := h.ReadInplace(n)
		if err != nil {
			t.Fatalf("%s: read %d bytes: %v", what, n, err)
		}
		return b
	}
	h.SleepUsec(30000)
	_ = send("wake up", 30000, 0x36f6)
	if err := send("stop periodic measurement", 500000, 0x3f86); err != nil {
		t.Fatal(err)
	}
	if err := send("reinit", 30000, 0x3646); err != nil {
		t.Fatal(err)
	}
	s := get("get serial number", 1000, 6, 0x3682)
	if sn := uint64(sensirionc.Uint16(s))<<32 | uint64(sensirionc.Uint16(s[2:]))<<16 | uint64(sensirionc.Uint16(s[4:])); sn != sim.Serial() {
		t.Errorf("serial 0x%012x, want 0x%012x", sn, sim.Serial())
	}
	if v := sensirionc.Uint16(get("get sensor variant", 1000, 2, 0x202f)); v&0xf000 != 0x1000 {
		t.Errorf("sensor variant 0x%04x, want 0x1xxx (SCD41)", v)
	}
	if err := send("start periodic measurement", 0, 0x21b1); err != nil {
		t.Fatal(err)
	}
	for rep := range 3 {
		h.SleepUsec(5000000)
		for sensirionc.Uint16(get("get data ready status", 1000, 2, 0xe4b8))&0x07ff == 0 {
			h.SleepUsec(100000)
		}
		m := get("read measurement", 1000, 6, 0xec05)
		co2 := float64(sensirionc.Uint16(m))
		tempMilli := (21875*int32(sensirionc.Uint16(m[2:])))>>13 - 45000
		rhMilli := (12500 * int32(sensirionc.Uint16(m[4:]))) >> 13
		// Quiet, and the cell starts at the air it is powered up in: the
		// truth plus the unit's calibration error.
		if want := truth.CO2 + sim.CalibrationError(truth.CO2); math.Abs(co2-want) > 1 {
			t.Errorf("measurement %d: CO2 %v ppm, want %.0f", rep, co2, want)
		}
		if c := float64(tempMilli) / 1000; math.Abs(c-truth.Temperature) > 0.5 {
			t.Errorf("temperature %.3f °C, want %v", c, truth.Temperature)
		}
		if rh := float64(rhMilli) / 1000; math.Abs(rh-truth.Humidity) > 2 {
			t.Errorf("humidity %.3f %%RH, want %v", rh, truth.Humidity)
		}
	}
	if err := send("get sensor variant while measuring", 1000, 0x202f); !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("get_sensor_variant in periodic measurement: %v, want a NACK (idle mode only)", err)
	}
	if err := send("stop periodic measurement", 500000, 0x3f86); err != nil {
		t.Fatal(err)
	}

	// The ASC settings the example does not use: target, initial and
	// standard period, with their factory defaults 400 ppm, 44 h, 156 h.
	for _, c := range []struct {
		name     string
		get, set uint16
		def, new uint16
	}{
		{"ASC target", 0x233f, 0x243a, 400, 420},
		{"ASC initial period", 0x2340, 0x2445, 44, 24},
		{"ASC standard period", 0x234b, 0x244e, 156, 96},
	} {
		if v := sensirionc.Uint16(get("get "+c.name, 1000, 2, c.get)); v != c.def {
			t.Errorf("%s %d, want the factory %d", c.name, v, c.def)
		}
		if err := send("set "+c.name, 1000, c.set, c.new); err != nil {
			t.Fatal(err)
		}
		if v := sensirionc.Uint16(get("get "+c.name, 1000, 2, c.get)); v != c.new {
			t.Errorf("%s %d after setting %d", c.name, v, c.new)
		}
	}
	// reinit reloads the EEPROM: unsaved settings are gone.
	if err := send("reinit", 30000, 0x3646); err != nil {
		t.Fatal(err)
	}
	if v := sensirionc.Uint16(get("get ASC target", 1000, 2, 0x233f)); v != 400 {
		t.Errorf("ASC target %d after reinit without persist_settings, want 400", v)
	}
}

// An SCD40 has no ASC periods to set; its variant is 0x0xxx.
func TestSensirionSCD40(t *testing.T) {
	clk := clock.NewSim(time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC), 0)
	h := sensirionc.Attach(clk, scd41sim.Addr, scd41sim.New(clk, air.Fixed(air.Clean), scd41sim.Opts{SCD40: true}))
	if err := h.Write(sensirionc.Command(0x202f)); err != nil {
		t.Fatal(err)
	}
	h.SleepUsec(1000)
	if v, err := h.ReadInplace(2); err != nil || sensirionc.Uint16(v)&0xf000 != 0 {
		t.Errorf("SCD40 variant % x, %v: want 0x0xxx", v, err)
	}
	if err := h.Write(sensirionc.AddUint16(sensirionc.Command(0x2445), 24)); !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("set ASC initial period on an SCD40: %v, want a NACK (SCD41 only)", err)
	}
}

package sgp41sim_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/i2csim/sensirionc"
	"github.com/ventd/ventd/testbench/sgp41sim"
)

// These tests replay what Sensirion's own driver, embedded-i2c-sgp41
// (sgp41_i2c.c and sgp41_i2c_example_usage.c), puts on the bus, with its
// waits, through a Go copy of its common layer that shares no code with
// ventd's drivers, and check the answers against the datasheet.

// The compensation words for "no humidity compensation" that the example
// sends: 50 %RH (0x8000) and 25 °C (0x6666).
const defaultRH, defaultT = 0x8000, 0x6666

func foreignSetup(src air.Source, o sgp41sim.Opts) (*clock.Sim, sensirionc.Host, *sgp41sim.Device) {
	clk := clock.NewSim(time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC), 0)
	d := sgp41sim.New(clk, src, o)
	return clk, sensirionc.Attach(clk, sgp41sim.Addr, d), d
}

// get is a getter of sgp41_i2c.c: the command, its wait, the read.
func get(t *testing.T, h sensirionc.Host, what string, waitUs int, n int, c uint16, args ...uint16) []byte {
	t.Helper()
	if err := h.Write(sensirionc.CommandWith(c, args...)); err != nil {
		t.Fatalf("%s (0x%04x): %v", what, c, err)
	}
	h.SleepUsec(waitUs)
	b, err := h.ReadInplace(n)
	if err != nil {
		t.Fatalf("%s (0x%04x): read %d bytes: %v", what, c, n, err)
	}
	return b
}

func isNACK(err error) bool { return errors.Is(err, i2csim.ErrNACK) }

// sgp41_i2c_example_usage.c: serial number, self-test, ten conditioning
// steps a second apart, then the raw signals every second.
func TestSensirionExample(t *testing.T) {
	_, h, d := foreignSetup(air.Fixed(air.Clean), sgp41sim.Opts{Seed: 7, Serial: 0x0123_4567_89ab})
	s := get(t, h, "get serial number", 1000, 6, 0x3682)
	if got := uint64(sensirionc.Uint16(s))<<32 | uint64(sensirionc.Uint16(s[2:]))<<16 | uint64(sensirionc.Uint16(s[4:])); got != d.Serial() {
		t.Errorf("serial 0x%012x, want 0x%012x", got, d.Serial())
	}
	// Self-test: ignore the upper byte; the low nibble's bits are the
	// pixels, all zero when they pass.
	if r := sensirionc.Uint16(get(t, h, "execute self test", 320000, 2, 0x280E)); r&0x000f != 0 {
		t.Errorf("self-test result 0x%04x, want the low nibble 0 (both pixels pass)", r)
	}
	for i := range 10 {
		h.SleepUsec(1000000)
		v := sensirionc.Uint16(get(t, h, "execute conditioning", 50000, 2, 0x2612, defaultRH, defaultT))
		if v < 20000 || v > 35000 {
			t.Errorf("conditioning step %d: SRAW_VOC %d ticks, want clean air's (about 27000)", i, v)
		}
	}
	var voc, nox uint16
	for range 5 {
		h.SleepUsec(1000000)
		r := get(t, h, "measure raw signals", 50000, 4, 0x2619, defaultRH, defaultT)
		voc, nox = sensirionc.Uint16(r), sensirionc.Uint16(r[2:])
	}
	if voc < 20000 || voc > 35000 || nox < 10000 || nox > 25000 {
		t.Errorf("SRAW_VOC %d, SRAW_NOX %d: want clean air's (about 27000 and 16000)", voc, nox)
	}
	// The example's conditioning runs from its first step to the first
	// measurement: ten 1 s sleeps and ten 50 ms waits, 10.5 s, past the
	// datasheet's "must not exceed 10 s". The twin holds that limit
	// strictly, so Sensirion's own example leaves its NOx pixel marked
	// damaged; a real part is not known to fail at 10.5 s.
	if !d.NOxDamaged() {
		t.Error("10.5 s of conditioning: the twin no longer holds the 10 s limit strictly; update this test and the report")
	}
	if err := h.Write(sensirionc.CommandWith(0x3615)); err != nil {
		t.Fatalf("turn heater off: %v", err)
	}
	h.SleepUsec(1000)
	if d.HeaterOn() {
		t.Error("heater on after 0x3615")
	}
}

// Conditioning for the 10 s the datasheet allows, measured from the
// first step to the command that ends it, damages nothing.
func TestConditioningWithinTheLimit(t *testing.T) {
	_, h, d := foreignSetup(air.Fixed(air.Clean), sgp41sim.Opts{})
	for i := range 10 {
		if i > 0 {
			h.SleepUsec(950000)
		}
		get(t, h, "execute conditioning", 50000, 2, 0x2612, defaultRH, defaultT)
	}
	get(t, h, "measure raw signals", 50000, 4, 0x2619, defaultRH, defaultT)
	if d.NOxDamaged() {
		t.Error("10 s of conditioning damaged the NOx pixel")
	}
	if r := sensirionc.Uint16(get(t, h, "execute self test", 320000, 2, 0x280E)); r&0x000f != 0 {
		t.Errorf("self-test 0x%04x after 10 s of conditioning, want both pixels passing", r)
	}
}

// More VOC in the air lowers SRAW_VOC (the MOX layer's resistance falls);
// the twin's signals follow the air, each word with its CRC.
func TestRawSignalsFollowTheAir(t *testing.T) {
	read := func(a air.State) (uint16, uint16) {
		_, h, _ := foreignSetup(air.Fixed(a), sgp41sim.Opts{Seed: 1, Noise: -1})
		var r []byte
		for range 30 {
			r = get(t, h, "measure raw signals", 50000, 4, 0x2619, defaultRH, defaultT)
			h.SleepUsec(950000)
		}
		return sensirionc.Uint16(r), sensirionc.Uint16(r[2:])
	}
	dirty := air.Clean
	dirty.VOC, dirty.NOx = 500, 50
	cv, cn := read(air.Clean)
	dv, dn := read(dirty)
	if dv >= cv {
		t.Errorf("SRAW_VOC %d at 500 ppb, %d at 50 ppb: want lower with more VOC", dv, cv)
	}
	if dn <= cn {
		t.Errorf("SRAW_NOX %d at 50 ppb, %d at 5 ppb: want higher with more NOx", dn, cn)
	}
}

// A master may read only the first word (SRAW_VOC) of measure_raw; a
// read before the execution time is not acknowledged; an argument with a
// bad CRC is not acknowledged.
func TestPartialEarlyAndBadReads(t *testing.T) {
	clk, h, _ := foreignSetup(air.Fixed(air.Clean), sgp41sim.Opts{Noise: -1})
	if err := h.Write(sensirionc.CommandWith(0x2619, defaultRH, defaultT)); err != nil {
		t.Fatal(err)
	}
	clk.Advance(49 * time.Millisecond)
	if _, err := h.ReadInplace(4); !isNACK(err) {
		t.Errorf("read 49 ms after measure_raw: %v, want a NACK (50 ms)", err)
	}
	clk.Advance(time.Millisecond)
	v, err := h.ReadInplace(2)
	if err != nil || sensirionc.Uint16(v) < 20000 {
		t.Errorf("SRAW_VOC alone: % x, %v", v, err)
	}
	h.SleepUsec(1000000)
	bad := sensirionc.CommandWith(0x2619, defaultRH, defaultT)
	bad[4] ^= 0xff // the first argument's CRC
	if err := h.Write(bad); !isNACK(err) {
		t.Errorf("measure_raw with a bad argument CRC: %v, want a NACK", err)
	}
	if err := h.Write(sensirionc.CommandWith(0x280E)); err != nil {
		t.Fatal(err)
	}
	clk.Advance(319 * time.Millisecond)
	if _, err := h.ReadInplace(2); !isNACK(err) {
		t.Errorf("self-test read at 319 ms: %v, want a NACK (320 ms)", err)
	}
}

package sps30sim_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/i2csim/sensirionc"
	"github.com/ventd/ventd/testbench/sps30sim"
)

// These tests replay what Sensirion's own driver, embedded-i2c-sps30
// (sps30_i2c.c, 1.0.1), and its python-i2c-sps30 (commands.py) put on the
// bus, with their waits, through a Go copy of their common layer that
// shares no code with ventd's drivers, and check the answers against
// "Datasheet SPS30", version 2.0, June 2023, section 6.

var t0 = time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)

// The air the tests measure, chosen so that no value rounds to a tie.
var foreignAir = air.State{PM1: 5.2, PM25: 12.3, PM4: 15.4, PM10: 20.1}

func foreignSetup(o sps30sim.Opts) (*clock.Sim, sensirionc.Host, *sps30sim.Device) {
	clk := clock.NewSim(t0, 0)
	d := sps30sim.New(clk, air.Fixed(foreignAir), o)
	return clk, sensirionc.Attach(clk, sps30sim.Addr, d), d
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func mustRead(t *testing.T, h sensirionc.Host, what string, n int) []byte {
	t.Helper()
	b, err := h.ReadInplace(n)
	if err != nil {
		t.Fatalf("%s: read %d bytes: %v", what, n, err)
	}
	return b
}

func isNACK(err error) bool { return errors.Is(err, i2csim.ErrNACK) }

// The sequence of sps30_i2c_example_usage.c: stop (refused in idle mode,
// the example ignores it), serial number, product type, start in the
// uint16 format (0x0500), then every second data ready and the 20-byte
// uint16 frame.
func TestSensirionExampleUint16(t *testing.T) {
	clk, h, _ := foreignSetup(sps30sim.Opts{Ideal: true, Serial: "8A5B3C2D1E0F9A8B"})
	if err := h.Write(sensirionc.CommandWith(0x0104)); !isNACK(err) {
		t.Errorf("stop measurement in idle mode: %v, want a NACK (the example ignores it)", err)
	}
	must(t, "read serial number", h.Write(sensirionc.CommandWith(0xD033)))
	serial := mustRead(t, h, "serial number", 32)
	if s := strings.TrimRight(string(serial), "\x00"); s != "8A5B3C2D1E0F9A8B" {
		t.Errorf("serial number %q, want 8A5B3C2D1E0F9A8B NUL-padded", serial)
	}
	must(t, "read product type", h.Write(sensirionc.CommandWith(0xD002)))
	if pt := string(mustRead(t, h, "product type", 8)); pt != "00080000" {
		t.Errorf("product type %q, want \"00080000\" (datasheet 6.3.9)", pt)
	}
	must(t, "start measurement uint16", h.Write(sensirionc.CommandWith(0x0010, 0x0500)))
	h.SleepUsec(20000)
	clk.Advance(100 * time.Millisecond)
	for rep := range 3 {
		clk.Advance(time.Second)
		must(t, "read data-ready flag", h.Write(sensirionc.CommandWith(0x0202)))
		if f := mustRead(t, h, "data-ready flag", 2); f[0] != 0 || f[1] != 1 {
			t.Errorf("repetition %d: data-ready % x, want 00 01", rep, f)
		}
		must(t, "read measured values", h.Write(sensirionc.CommandWith(0x0300)))
		v := mustRead(t, h, "measured values uint16", 20)
		// Datasheet 4.3: integer format, masses in µg/m³, numbers in
		// #/cm³, typical particle size in nm.
		for i, want := range []float64{foreignAir.PM1, foreignAir.PM25, foreignAir.PM4, foreignAir.PM10} {
			if got := sensirionc.Uint16(v[2*i:]); float64(got) != math.Round(want) {
				t.Errorf("repetition %d: mass %d = %d µg/m³, want %v", rep, i, got, math.Round(want))
			}
		}
		nc05, nc10, size := sensirionc.Uint16(v[8:]), sensirionc.Uint16(v[16:]), sensirionc.Uint16(v[18:])
		if nc05 == 0 || nc10 < nc05 {
			t.Errorf("repetition %d: NC0.5 %d, NC10 %d #/cm³: want NC0.5 > 0 and cumulative", rep, nc05, nc10)
		}
		if size < 300 || size > 10000 {
			t.Errorf("repetition %d: typical particle size %d: want nm (300..10000), not µm", rep, size)
		}
	}
	must(t, "stop measurement", h.Write(sensirionc.CommandWith(0x0104)))
	h.SleepUsec(20000)
}

// The float format (0x0300) gives the same measurement as the uint16 one,
// unrounded: a 40-byte (60 with CRCs) frame of big-endian IEEE754 floats.
func TestSensirionFloatFormatMatchesUint16(t *testing.T) {
	read := func(format uint16, n int) []byte {
		clk, h, _ := foreignSetup(sps30sim.Opts{Ideal: true})
		must(t, "start", h.Write(sensirionc.CommandWith(0x0010, format)))
		h.SleepUsec(20000)
		clk.Advance(time.Second)
		must(t, "read values", h.Write(sensirionc.CommandWith(0x0300)))
		return mustRead(t, h, "values", n)
	}
	f, u := read(0x0300, 40), read(0x0500, 20)
	for i := range 10 {
		fv := float64(sensirionc.Float(f[4*i:]))
		if i < 4 {
			want := []float64{foreignAir.PM1, foreignAir.PM25, foreignAir.PM4, foreignAir.PM10}[i]
			if fv != float64(float32(want)) {
				t.Errorf("float value %d = %v, want %v", i, fv, want)
			}
		}
		if i == 9 {
			fv *= 1000 // µm in the float format, nm in the integer one
		}
		if uv := sensirionc.Uint16(u[2*i:]); float64(uv) != math.Round(fv) {
			t.Errorf("value %d: uint16 %d, float %v: want the float rounded", i, uv, fv)
		}
	}
}

// A master may stop reading early: the sensor sends the frame from its
// start, each word with its CRC, for as many bytes as are clocked out.
func TestPartialReads(t *testing.T) {
	clk, h, _ := foreignSetup(sps30sim.Opts{Ideal: true})
	must(t, "start float", h.Write(sensirionc.CommandWith(0x0010, 0x0300)))
	h.SleepUsec(20000)
	clk.Advance(time.Second)
	must(t, "read values", h.Write(sensirionc.CommandWith(0x0300)))
	pm := mustRead(t, h, "the four mass concentrations only", 16)
	for i, want := range []float64{foreignAir.PM1, foreignAir.PM25, foreignAir.PM4, foreignAir.PM10} {
		if got := sensirionc.Float(pm[4*i:]); got != float32(want) {
			t.Errorf("PM %d = %v, want %v", i, got, want)
		}
	}
	must(t, "serial", h.Write(sensirionc.CommandWith(0xD033)))
	if s := mustRead(t, h, "first 8 characters of the serial", 8); len(s) != 8 || s[0] == 0 {
		t.Errorf("serial prefix % x", s)
	}
}

// Datasheet 6.1: "It is allowed to read several times in succession
// without setting the address pointer again"; 6.3.3: "The pointer
// address only has to be set once. Repeated read requests get the status
// of the Data-Ready Flag" (python-i2c-sps30's ReadDataReadyFlag says the
// same). A repeated read answers now, not what the first read answered.
func TestRepeatedReadsWithoutSettingThePointer(t *testing.T) {
	clk, h, _ := foreignSetup(sps30sim.Opts{Ideal: true})
	must(t, "start", h.Write(sensirionc.CommandWith(0x0010, 0x0500)))
	h.SleepUsec(20000)
	must(t, "set pointer to data-ready", h.Write(sensirionc.CommandWith(0x0202)))
	if f := mustRead(t, h, "data-ready before the first measurement", 2); f[1] != 0 {
		t.Errorf("data-ready % x before the first second, want 00 00", f)
	}
	clk.Advance(time.Second)
	if f := mustRead(t, h, "data-ready again, pointer not set", 2); f[1] != 1 {
		t.Errorf("repeated data-ready read % x after a new measurement, want 00 01", f)
	}
	must(t, "set pointer to measured values", h.Write(sensirionc.CommandWith(0x0300)))
	first := mustRead(t, h, "values", 20)
	if sensirionc.Uint16(first[2:]) != 12 {
		t.Fatalf("PM2.5 %d, want 12", sensirionc.Uint16(first[2:]))
	}
	// Reading the values reset the flag; polling the values pointer again
	// gets the latest values, and resets the flag again.
	clk.Advance(time.Second)
	if again := mustRead(t, h, "values again, pointer not set", 20); sensirionc.Uint16(again[2:]) != 12 {
		t.Errorf("repeated read of values: PM2.5 %d, want 12", sensirionc.Uint16(again[2:]))
	}
	must(t, "data-ready", h.Write(sensirionc.CommandWith(0x0202)))
	if f := mustRead(t, h, "data-ready after the repeated read of values", 2); f[1] != 0 {
		t.Errorf("data-ready % x after a repeated read of the values, want 00 00: reading the values resets the flag", f)
	}
}

// A read before the command's execution time is not acknowledged: the
// 5 ms of reading the auto-cleaning interval, the 20 ms of Start.
func TestReadBeforeExecutionTimeIsNACKed(t *testing.T) {
	clk, h, _ := foreignSetup(sps30sim.Opts{})
	must(t, "read auto-cleaning interval", h.Write(sensirionc.CommandWith(0x8004)))
	clk.Advance(4 * time.Millisecond)
	if _, err := h.ReadInplace(4); !isNACK(err) {
		t.Errorf("read 4 ms after 0x8004: %v, want a NACK (execution time 5 ms)", err)
	}
	clk.Advance(time.Millisecond)
	if v := sensirionc.Uint32(mustRead(t, h, "auto-cleaning interval", 4)); v != 604800 {
		t.Errorf("auto-cleaning interval %d s, want 604800 (one week, the default)", v)
	}
	must(t, "start", h.Write(sensirionc.CommandWith(0x0010, 0x0300)))
	clk.Advance(19 * time.Millisecond)
	if err := h.Write(sensirionc.CommandWith(0x0202)); !isNACK(err) {
		t.Errorf("command 19 ms after Start: %v, want a NACK (execution time 20 ms)", err)
	}
}

// The maintenance commands of sps30_i2c.c with its waits: firmware
// version, auto-cleaning interval read and write, fan cleaning, device
// status register read and clear, reset.
func TestSensirionMaintenance(t *testing.T) {
	clk, h, d := foreignSetup(sps30sim.Opts{})
	must(t, "read firmware version", h.Write(sensirionc.CommandWith(0xD100)))
	if v := mustRead(t, h, "firmware version", 2); v[0] != 2 || v[1] != 2 {
		t.Errorf("firmware % x, want 02 02", v)
	}
	must(t, "write auto-cleaning interval", h.Write(sensirionc.AddUint32(sensirionc.Command(0x8004), 3600)))
	h.SleepUsec(20000)
	must(t, "read auto-cleaning interval", h.Write(sensirionc.CommandWith(0x8004)))
	h.SleepUsec(5000)
	if v := sensirionc.Uint32(mustRead(t, h, "auto-cleaning interval", 4)); v != 3600 {
		t.Errorf("auto-cleaning interval %d s after writing 3600, want 3600 (firmware 2.2)", v)
	}
	if err := h.Write(sensirionc.CommandWith(0x5607)); !isNACK(err) {
		t.Errorf("fan cleaning in idle mode: %v, want a NACK (datasheet 6.3.7 note 20)", err)
	}
	must(t, "start", h.Write(sensirionc.CommandWith(0x0010, 0x0300)))
	h.SleepUsec(20000)
	must(t, "start fan cleaning", h.Write(sensirionc.CommandWith(0x5607)))
	h.SleepUsec(5000)
	clk.Advance(2 * time.Second)
	if !d.Cleaning() {
		t.Error("no fan cleaning 2 s after 0x5607")
	}
	clk.Advance(10 * time.Second)
	d.SetFanFailure(true)
	clk.Advance(5 * time.Second)
	must(t, "read device status", h.Write(sensirionc.CommandWith(0xD206)))
	st := sensirionc.Uint32(mustRead(t, h, "device status", 4))
	if st != 1<<21|1<<4 {
		t.Errorf("device status 0x%08x with the fan blocked, want 0x00200010 (bit 21 speed, bit 4 fan)", st)
	}
	must(t, "clear device status", h.Write(sensirionc.CommandWith(0xD210)))
	h.SleepUsec(5000)
	must(t, "read device status", h.Write(sensirionc.CommandWith(0xD206)))
	if st := sensirionc.Uint32(mustRead(t, h, "device status", 4)); st != 0 {
		t.Errorf("device status 0x%08x after clearing, want 0", st)
	}
	must(t, "device reset", h.Write(sensirionc.CommandWith(0xD304)))
	clk.Advance(99 * time.Millisecond)
	if err := h.Write(sensirionc.CommandWith(0xD100)); !isNACK(err) {
		t.Errorf("command 99 ms after reset: %v, want a NACK (execution time 100 ms)", err)
	}
	clk.Advance(time.Millisecond)
	if err := h.Write(sensirionc.CommandWith(0x0300)); !isNACK(err) {
		t.Errorf("read values after reset: %v, want a NACK (idle mode)", err)
	}
}

// Datasheet 6.3.8: with firmware before 2.2 a written interval is used at
// once, but reading it returns the previous value until the next start
// or reset.
func TestAutoCleaningReadBackOldFirmware(t *testing.T) {
	_, h, _ := foreignSetup(sps30sim.Opts{Firmware: [2]byte{2, 1}})
	readInterval := func() uint32 {
		must(t, "read auto-cleaning interval", h.Write(sensirionc.CommandWith(0x8004)))
		h.SleepUsec(5000)
		return sensirionc.Uint32(mustRead(t, h, "auto-cleaning interval", 4))
	}
	must(t, "write auto-cleaning interval", h.Write(sensirionc.AddUint32(sensirionc.Command(0x8004), 3600)))
	h.SleepUsec(20000)
	if v := readInterval(); v != 604800 {
		t.Errorf("firmware 2.1: interval read back %d s straight after writing 3600, want the previous 604800", v)
	}
	must(t, "device reset", h.Write(sensirionc.CommandWith(0xD304)))
	h.SleepUsec(100000)
	if v := readInterval(); v != 3600 {
		t.Errorf("firmware 2.1: interval %d s after reset, want 3600", v)
	}
}

// sps30_wake_up_sequence sends Wake-up twice, 5 ms apart, ignoring the
// first one's NACK (datasheet 6.3.6: the first only switches the
// interface on).
func TestSensirionWakeUpSequence(t *testing.T) {
	_, h, _ := foreignSetup(sps30sim.Opts{})
	must(t, "sleep", h.Write(sensirionc.CommandWith(0x1001)))
	h.SleepUsec(5000)
	if err := h.Write(sensirionc.CommandWith(0xD100)); !isNACK(err) {
		t.Errorf("command while asleep: %v, want a NACK", err)
	}
	h.SleepUsec(100000) // let the interface the command switched on go off again
	if err := h.Write(sensirionc.CommandWith(0x1103)); !isNACK(err) {
		t.Errorf("first wake-up: %v, want a NACK (it only switches the interface on)", err)
	}
	h.SleepUsec(5000)
	must(t, "second wake-up", h.Write(sensirionc.CommandWith(0x1103)))
	h.SleepUsec(5000)
	must(t, "read firmware version", h.Write(sensirionc.CommandWith(0xD100)))
	if v := mustRead(t, h, "firmware version", 2); v[0] != 2 {
		t.Errorf("firmware % x after wake-up", v)
	}
}

// Datasheet 6.3.6: the interface is switched on by "a low pulse on the
// SDA line", which a start and a stop condition give; an address with no
// data (an SMBus quick write) is such a pulse. Wake-up then follows once.
func TestWakeUpAfterAddressOnlyPulse(t *testing.T) {
	_, h, _ := foreignSetup(sps30sim.Opts{})
	must(t, "sleep", h.Write(sensirionc.CommandWith(0x1001)))
	h.SleepUsec(5000)
	if err := h.Write(nil); !isNACK(err) {
		t.Errorf("address-only transfer to a sleeping SPS30: %v, want a NACK (interface off)", err)
	}
	h.SleepUsec(5000)
	must(t, "wake-up after the pulse", h.Write(sensirionc.CommandWith(0x1103)))
	h.SleepUsec(5000)
	must(t, "read firmware version", h.Write(sensirionc.CommandWith(0xD100)))
	if v := mustRead(t, h, "firmware version", 2); v[0] != 2 {
		t.Errorf("firmware % x after wake-up", v)
	}
}

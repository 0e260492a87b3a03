package sen5xsim_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/i2csim/sensirionc"
	"github.com/ventd/ventd/testbench/sen5xsim"
)

// These tests replay what Sensirion's own driver, embedded-i2c-sen5x
// (sen5x_i2c.c and sen5x_i2c_example_usage.c), puts on the bus, with its
// waits, through a Go copy of its common layer that shares no code with
// ventd's drivers, and check the answers against the driver's documented
// scaling and behaviour (sen5x_i2c.h, generated from the datasheet).

var t0 = time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)

var foreignAir = air.State{PM1: 5.2, PM25: 12.3, PM4: 15.4, PM10: 20.1, VOC: 50, NOx: 5, Temperature: 22.5, Humidity: 41.25}

func foreignSetup(o sen5xsim.Opts) (*clock.Sim, sensirionc.Host, *sen5xsim.Device) {
	clk := clock.NewSim(t0, 0)
	d := sen5xsim.New(clk, air.Fixed(foreignAir), o)
	return clk, sensirionc.Attach(clk, sen5xsim.Addr, d), d
}

func isNACK(err error) bool { return errors.Is(err, i2csim.ErrNACK) }

// send is a setter of sen5x_i2c.c: the write, then its wait.
func send(t *testing.T, h sensirionc.Host, what string, waitUs int, c uint16, args ...uint16) {
	t.Helper()
	if err := h.Write(sensirionc.CommandWith(c, args...)); err != nil {
		t.Fatalf("%s (0x%04x): %v", what, c, err)
	}
	h.SleepUsec(waitUs)
}

// get is a getter of sen5x_i2c.c: the command, its wait, the read of n
// data bytes.
func get(t *testing.T, h sensirionc.Host, what string, waitUs int, c uint16, n int) []byte {
	t.Helper()
	send(t, h, what, waitUs, c)
	b, err := h.ReadInplace(n)
	if err != nil {
		t.Fatalf("%s (0x%04x): read %d bytes: %v", what, c, n, err)
	}
	return b
}

// The sequence of sen5x_i2c_example_usage.c: reset, serial number,
// product name, version, temperature offset parameters, start, then every
// second the measured values.
func TestSensirionExample(t *testing.T) {
	_, h, _ := foreignSetup(sen5xsim.Opts{Ideal: true, Serial: "F1A2B3C4D5E6F708"})
	send(t, h, "device reset", 200000, 0xD304)
	if s := strings.TrimRight(string(get(t, h, "serial number", 50000, 0xD033, 32)), "\x00"); s != "F1A2B3C4D5E6F708" {
		t.Errorf("serial %q", s)
	}
	if s := strings.TrimRight(string(get(t, h, "product name", 50000, 0xD014, 32)), "\x00"); s != "SEN55" {
		t.Errorf("product name %q, want SEN55", s)
	}
	// sen5x_get_version: firmware major, minor, debug, hardware major,
	// minor, protocol major, minor, padding.
	v := get(t, h, "version", 20000, 0xD100, 8)
	if want := []byte{2, 0, 0, 1, 0, 1, 0, 0}; string(v) != string(want) {
		t.Errorf("version bytes % x, want % x (firmware 2.0, not debug, hardware 1.0, protocol 1.0)", v, want)
	}
	send(t, h, "set temperature offset parameters", 20000, 0x60B2, 0, 0, 0)
	send(t, h, "start measurement", 50000, 0x0021)
	for i := range 3 {
		h.SleepUsec(1000000)
		m := get(t, h, "read measured values", 20000, 0x03C4, 16)
		// PM ×10, RH ×100, T ×200, indices ×10.
		for j, want := range []uint16{52, 123, 154, 201} {
			if got := sensirionc.Uint16(m[2*j:]); got != want {
				t.Errorf("second %d: PM word %d = %d, want %d", i+1, j, got, want)
			}
		}
		if rh := sensirionc.Int16(m[8:]); rh != 4125 {
			t.Errorf("second %d: humidity %d, want 4125 (41.25 %%RH ×100)", i+1, rh)
		}
		if temp := sensirionc.Int16(m[10:]); temp != 4500 {
			t.Errorf("second %d: temperature %d, want 4500 (22.5 °C ×200)", i+1, temp)
		}
	}
	send(t, h, "stop measurement", 200000, 0x0104)
}

// Every getter and setter of sen5x_i2c.c the example does not use, with
// its wait and its read length.
func TestSensirionSettersAndGetters(t *testing.T) {
	_, h, _ := foreignSetup(sen5xsim.Opts{})
	// Temperature offset: offset ×200, slope ×10000, time constant s.
	to := get(t, h, "get temperature offset parameters", 20000, 0x60B2, 6)
	if string(to) != "\x00\x00\x00\x00\x00\x00" {
		t.Errorf("temperature offset parameters % x, want all zero (the defaults)", to)
	}
	send(t, h, "set temperature offset parameters", 20000, 0x60B2, uint16(0xffff-200+1), 100, 10)
	to = get(t, h, "get temperature offset parameters", 20000, 0x60B2, 6)
	if o, s, tc := sensirionc.Int16(to), sensirionc.Int16(to[2:]), sensirionc.Uint16(to[4:]); o != -200 || s != 100 || tc != 10 {
		t.Errorf("temperature offset parameters %d, %d, %d, want -200, 100, 10", o, s, tc)
	}
	if w := sensirionc.Uint16(get(t, h, "get warm start", 20000, 0x60C6, 2)); w != 0 {
		t.Errorf("warm start %d, want 0 (default)", w)
	}
	send(t, h, "set warm start", 20000, 0x60C6, 65535)
	if w := sensirionc.Uint16(get(t, h, "get warm start", 20000, 0x60C6, 2)); w != 65535 {
		t.Errorf("warm start %d, want 65535", w)
	}
	words := func(b []byte) []int16 {
		out := make([]int16, len(b)/2)
		for i := range out {
			out[i] = sensirionc.Int16(b[2*i:])
		}
		return out
	}
	eq := slices.Equal[[]int16]
	if got, want := words(get(t, h, "get VOC tuning", 20000, 0x60D0, 12)), []int16{100, 12, 12, 180, 50, 230}; !eq(got, want) {
		t.Errorf("VOC tuning %v, want the defaults %v", got, want)
	}
	if got, want := words(get(t, h, "get NOx tuning", 20000, 0x60E1, 12)), []int16{1, 12, 12, 720, 50, 230}; !eq(got, want) {
		t.Errorf("NOx tuning %v, want the defaults %v", got, want)
	}
	send(t, h, "set VOC tuning", 20000, 0x60D0, 150, 24, 24, 120, 60, 200)
	if got, want := words(get(t, h, "get VOC tuning", 20000, 0x60D0, 12)), []int16{150, 24, 24, 120, 60, 200}; !eq(got, want) {
		t.Errorf("VOC tuning %v after setting it in idle mode, want %v", got, want)
	}
	send(t, h, "set VOC tuning out of range", 20000, 0x60D0, 300, 24, 24, 120, 60, 200)
	if got, want := words(get(t, h, "get VOC tuning", 20000, 0x60D0, 12)), []int16{150, 24, 24, 120, 60, 200}; !eq(got, want) {
		t.Errorf("VOC tuning %v after an out-of-range index offset, want it unchanged %v (\"no effect\")", got, want)
	}
	send(t, h, "set NOx tuning", 20000, 0x60E1, 2, 24, 12, 360, 50, 230)
	if got, want := words(get(t, h, "get NOx tuning", 20000, 0x60E1, 12)), []int16{2, 24, 12, 360, 50, 230}; !eq(got, want) {
		t.Errorf("NOx tuning %v, want %v", got, want)
	}
	if m := sensirionc.Uint16(get(t, h, "get RH/T acceleration mode", 20000, 0x60F7, 2)); m != 0 {
		t.Errorf("RH/T acceleration mode %d, want 0 (default)", m)
	}
	send(t, h, "set RH/T acceleration mode", 20000, 0x60F7, 2)
	if m := sensirionc.Uint16(get(t, h, "get RH/T acceleration mode", 20000, 0x60F7, 2)); m != 2 {
		t.Errorf("RH/T acceleration mode %d, want 2", m)
	}
	if iv := sensirionc.Uint32(get(t, h, "get auto cleaning interval", 20000, 0x8004, 4)); iv != 604800 {
		t.Errorf("auto cleaning interval %d s, want 604800", iv)
	}
	if err := h.Write(sensirionc.AddUint32(sensirionc.Command(0x8004), 86400)); err != nil {
		t.Fatalf("set auto cleaning interval: %v", err)
	}
	h.SleepUsec(20000)
	if iv := sensirionc.Uint32(get(t, h, "get auto cleaning interval", 20000, 0x8004, 4)); iv != 86400 {
		t.Errorf("auto cleaning interval %d s, want 86400", iv)
	}
	if st := get(t, h, "get VOC algorithm state", 20000, 0x6181, 8); len(st) != 8 {
		t.Errorf("VOC state % x", st)
	}
	// In measure mode the tuning setters have no effect.
	send(t, h, "start measurement", 50000, 0x0021)
	send(t, h, "set VOC tuning while measuring", 20000, 0x60D0, 100, 12, 12, 180, 50, 230)
	if got, want := words(get(t, h, "get VOC tuning", 20000, 0x60D0, 12)), []int16{150, 24, 24, 120, 60, 200}; !eq(got, want) {
		t.Errorf("VOC tuning %v after setting it in measure mode, want it unchanged %v", got, want)
	}
	// A reset has the effect of a power cycle: the volatile parameters
	// are back to their defaults.
	send(t, h, "stop measurement", 200000, 0x0104)
	send(t, h, "device reset", 200000, 0xD304)
	if got, want := words(get(t, h, "get VOC tuning", 20000, 0x60D0, 12)), []int16{100, 12, 12, 180, 50, 230}; !eq(got, want) {
		t.Errorf("VOC tuning %v after reset, want the defaults %v", got, want)
	}
	if to := get(t, h, "get temperature offset parameters", 20000, 0x60B2, 6); string(to) != "\x00\x00\x00\x00\x00\x00" {
		t.Errorf("temperature offset parameters % x after reset, want zero", to)
	}
}

// A temperature offset shifts the temperature the sensor reports:
// T_comp = T + slope·T + offset, at once with a time constant of zero.
// Read Measured Raw Values (0x03D2) still gives the uncompensated one.
func TestTemperatureOffsetAndRawValues(t *testing.T) {
	_, h, _ := foreignSetup(sen5xsim.Opts{Ideal: true})
	send(t, h, "set temperature offset parameters", 20000, 0x60B2, uint16(0xffff-400+1), 0, 0) // -2 °C
	send(t, h, "start measurement", 50000, 0x0021)
	h.SleepUsec(1000000)
	m := get(t, h, "read measured values", 20000, 0x03C4, 16)
	if temp := sensirionc.Int16(m[10:]); temp != 4100 {
		t.Errorf("compensated temperature %d, want 4100 (22.5 °C - 2 °C, ×200)", temp)
	}
	raw := get(t, h, "read measured raw values", 20000, 0x03D2, 8)
	if rh, temp := sensirionc.Int16(raw), sensirionc.Int16(raw[2:]); rh != 4125 || temp != 4500 {
		t.Errorf("raw humidity %d, raw temperature %d: want 4125 and 4500 (uncompensated)", rh, temp)
	}
	if voc := sensirionc.Uint16(raw[4:]); voc == 0xffff || voc < 20000 || voc > 40000 {
		t.Errorf("raw VOC %d ticks: want a known SGP4x-like raw signal", voc)
	}
	if nox := sensirionc.Uint16(raw[6:]); nox != 0xffff {
		t.Errorf("raw NOx %d in the first second: want 0xFFFF (unknown for the first 10..11 s)", nox)
	}
	h.SleepUsec(11000000)
	raw = get(t, h, "read measured raw values", 20000, 0x03D2, 8)
	if nox := sensirionc.Uint16(raw[6:]); nox == 0xffff || nox < 10000 || nox > 30000 {
		t.Errorf("raw NOx %d ticks after 12 s: want a known raw signal", nox)
	}
}

// Read Measured PM Values (0x0413): masses ×10, number concentrations
// ×10 (#/cm³, cumulative), typical particle size ×1000 (µm).
func TestMeasuredPMValues(t *testing.T) {
	_, h, _ := foreignSetup(sen5xsim.Opts{Ideal: true})
	send(t, h, "start measurement", 50000, 0x0021)
	h.SleepUsec(1000000)
	v := get(t, h, "read measured PM values", 20000, 0x0413, 20)
	for j, want := range []uint16{52, 123, 154, 201} {
		if got := sensirionc.Uint16(v[2*j:]); got != want {
			t.Errorf("PM word %d = %d, want %d", j, got, want)
		}
	}
	prev := uint16(0)
	for j := 4; j < 9; j++ {
		nc := sensirionc.Uint16(v[2*j:])
		if nc == 0xffff || nc < prev || nc == 0 {
			t.Errorf("number concentration word %d = %d: want known, non-zero and cumulative", j, nc)
		}
		prev = nc
	}
	if size := sensirionc.Uint16(v[18:]); size < 300 || size > 10000 {
		t.Errorf("typical particle size %d: want µm ×1000", size)
	}
	// A partial read: only the four masses.
	send(t, h, "read measured PM values", 20000, 0x0413)
	pm, err := h.ReadInplace(8)
	if err != nil || sensirionc.Uint16(pm[2:]) != 123 {
		t.Errorf("partial read of the PM values: % x, %v", pm, err)
	}
}

// Start Measurement in RHT/Gas-Only Mode (0x0037): no PM (0xFFFF), the
// fan off (fan cleaning does nothing), humidity, temperature and VOC
// measured; Start Measurement (0x0021) then turns PM on without
// restarting the rest (firmware 2.0 and later).
func TestRHTGasOnlyMode(t *testing.T) {
	_, h, _ := foreignSetup(sen5xsim.Opts{Ideal: true})
	send(t, h, "start measurement without PM", 50000, 0x0037)
	h.SleepUsec(1000000)
	if f := get(t, h, "read data ready", 20000, 0x0202, 2); f[1] != 1 {
		t.Errorf("data ready % x, want 00 01", f)
	}
	m := get(t, h, "read measured values", 20000, 0x03C4, 16)
	for j := range 4 {
		if got := sensirionc.Uint16(m[2*j:]); got != 0xffff {
			t.Errorf("PM word %d = %d without PM, want 0xFFFF", j, got)
		}
	}
	if temp := sensirionc.Int16(m[10:]); temp != 4500 {
		t.Errorf("temperature %d in RHT/gas-only mode, want 4500", temp)
	}
	send(t, h, "start measurement (PM on)", 50000, 0x0021)
	if f := get(t, h, "read data ready", 20000, 0x0202, 2); f[1] != 0 {
		t.Errorf("data ready % x straight after turning PM on, want 00 00 (cleared)", f)
	}
	h.SleepUsec(1000000)
	m = get(t, h, "read measured values", 20000, 0x03C4, 16)
	if pm := sensirionc.Uint16(m[2:]); pm != 123 {
		t.Errorf("PM2.5 word %d after turning PM on, want 123", pm)
	}
	send(t, h, "stop measurement", 200000, 0x0104)
	// The SEN50 has no RH/T or gas sensor and no such mode.
	_, h50, _ := foreignSetup(sen5xsim.Opts{Product: "SEN50"})
	if err := h50.Write(sensirionc.CommandWith(0x0037)); !isNACK(err) {
		t.Errorf("0x0037 on a SEN50: %v, want a NACK", err)
	}
}

// A read before the command's execution time is not acknowledged, nor
// a command before the previous one is done.
func TestReadBeforeExecutionTimeIsNACKed(t *testing.T) {
	clk, h, _ := foreignSetup(sen5xsim.Opts{})
	if err := h.Write(sensirionc.CommandWith(0xD014)); err != nil {
		t.Fatal(err)
	}
	clk.Advance(19 * time.Millisecond)
	if _, err := h.ReadInplace(32); !isNACK(err) {
		t.Errorf("product name read 19 ms after the command: %v, want a NACK (20 ms)", err)
	}
	clk.Advance(time.Millisecond)
	if b, err := h.ReadInplace(32); err != nil || !strings.HasPrefix(string(b), "SEN55") {
		t.Errorf("product name at 20 ms: %q, %v", b, err)
	}
	send(t, h, "start measurement", 50000, 0x0021)
	if err := h.Write(sensirionc.CommandWith(0x0104)); err != nil {
		t.Fatal(err)
	}
	clk.Advance(159 * time.Millisecond)
	if err := h.Write(sensirionc.CommandWith(0x0021)); !isNACK(err) {
		t.Errorf("start 159 ms after stop: %v, want a NACK (160 ms)", err)
	}
	clk.Advance(time.Millisecond)
	if err := h.Write(sensirionc.CommandWith(0x0021)); err != nil {
		t.Errorf("start 160 ms after stop: %v", err)
	}
}

// Sensirion's python-i2c-sen5x (commands/generated.py) waits less than
// its C driver: it reads the product name, serial number and version
// 20 ms after the command (read_delay 0.02, where sen5x_i2c.c sleeps
// 50 ms), leaves 160 ms after Stop (200 in C) and 100 ms after a reset
// (200 in C). Its quickstart (docs/quickstart.rst) runs on a real SEN5x,
// so the part answers within those times; the twin must too.
func TestSensirionPythonTimings(t *testing.T) {
	_, h, _ := foreignSetup(sen5xsim.Opts{Ideal: true, Serial: "0123456789ABCDEF"})
	if v := get(t, h, "get version", 20000, 0xD100, 8); v[0] != 2 {
		t.Errorf("version % x", v)
	}
	if s := strings.TrimRight(string(get(t, h, "get product name", 20000, 0xD014, 32)), "\x00"); s != "SEN55" {
		t.Errorf("product name %q", s)
	}
	if s := strings.TrimRight(string(get(t, h, "get serial number", 20000, 0xD033, 32)), "\x00"); s != "0123456789ABCDEF" {
		t.Errorf("serial number %q", s)
	}
	send(t, h, "device reset", 100000, 0xD304)
	send(t, h, "start measurement", 50000, 0x0021)
	for range 3 {
		for get(t, h, "read data ready", 20000, 0x0202, 2)[1] == 0 {
			h.SleepUsec(100000)
		}
		if m := get(t, h, "read measured values", 20000, 0x03C4, 16); sensirionc.Uint16(m[2:]) != 123 {
			t.Errorf("PM2.5 word %d, want 123", sensirionc.Uint16(m[2:]))
		}
	}
	if st := sensirionc.Uint32(get(t, h, "read device status", 20000, 0xD206, 4)); st != 0 {
		t.Errorf("device status 0x%08x, want 0", st)
	}
	send(t, h, "stop measurement", 160000, 0x0104)
	send(t, h, "start measurement again", 50000, 0x0021)
}

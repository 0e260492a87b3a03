package sdpsim_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/i2csim/sensirionc"
	"github.com/ventd/ventd/testbench/sdpsim"
)

// These tests replay what Sensirion's own driver, embedded-i2c-sdp
// (sdp_i2c.c and sdp_i2c_example_usage.c), puts on the bus, with its
// waits, through a Go copy of its common layer that shares no code with
// ventd's drivers, and check the answers against "Datasheet SDP8xx-
// Digital", section 5.

const truePa, trueC = 12.5, 23.0

func foreignSetup(o sdpsim.Opts) (*clock.Sim, sensirionc.Host, *sdpsim.Device) {
	clk := clock.NewSim(time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC), 0)
	d := sdpsim.New(clk, func(time.Time) (float64, float64) { return truePa, trueC }, o)
	return clk, sensirionc.Attach(clk, sdpsim.AddrSDP8xx, d), d
}

func isNACK(err error) bool { return errors.Is(err, i2csim.ErrNACK) }

func write(t *testing.T, h sensirionc.Host, what string, c uint16, waitUs int) {
	t.Helper()
	if err := h.Write(sensirionc.Command(c)); err != nil {
		t.Fatalf("%s (0x%04x): %v", what, c, err)
	}
	h.SleepUsec(waitUs)
}

// sdp_read_measurement: a plain read of 6 data bytes (9 with CRCs):
// differential pressure, temperature, scale factor, each int16.
func readMeasurement(t *testing.T, h sensirionc.Host) (dp, temp, scale int16) {
	t.Helper()
	b, err := h.ReadInplace(6)
	if err != nil {
		t.Fatalf("sdp_read_measurement: %v", err)
	}
	return sensirionc.Int16(b), sensirionc.Int16(b[2:]), sensirionc.Int16(b[4:])
}

// sdp_i2c_example_usage.c: stop (its error ignored), the product
// identifier, continuous measurement with averaging, a read every 10 ms,
// stop.
func TestSensirionExample(t *testing.T) {
	_, h, _ := foreignSetup(sdpsim.Opts{Ideal: true, Serial: 0x0123456789abcdef})
	_ = h.Write(sensirionc.Command(0x3FF9))
	h.SleepUsec(500)
	write(t, h, "prepare product identifier", 0x367C, 0)
	write(t, h, "read product identifier", 0xE102, 1000)
	id, err := h.ReadInplace(12)
	if err != nil {
		t.Fatalf("read product identifier: %v", err)
	}
	if pn := sensirionc.Uint32(id); pn != 0x03020A01 {
		t.Errorf("product number 0x%08x, want 0x03020A01 (SDP810-500Pa)", pn)
	}
	if sn := uint64(sensirionc.Uint32(id[4:]))<<32 | uint64(sensirionc.Uint32(id[8:])); sn != 0x0123456789abcdef {
		t.Errorf("serial 0x%016x, want 0x0123456789abcdef", sn)
	}
	write(t, h, "start continuous, differential pressure, averaging", 0x3615, 10000)
	for i := range 5 {
		h.SleepUsec(10000)
		dp, temp, scale := readMeasurement(t, h)
		// Datasheet 5.3.2: DP [Pa] = word / scale factor (60 for the
		// 500 Pa parts), T [°C] = word / 200.
		if scale != 60 || dp != int16(truePa*60) || temp != int16(trueC*200) {
			t.Errorf("read %d: dp %d, T %d, scale %d: want %d, %d, 60", i, dp, temp, scale, int16(truePa*60), int16(trueC*200))
		}
	}
	write(t, h, "stop continuous measurement", 0x3FF9, 500)
	if _, err := h.ReadInplace(6); !isNACK(err) {
		t.Errorf("read after stop: %v, want a NACK (nothing to read in idle mode)", err)
	}
}

// Triggered measurement (0x3624, 0x362F): busy 45 ms, then one result.
// A master may read only the pressure word.
func TestSensirionTriggered(t *testing.T) {
	clk, h, _ := foreignSetup(sdpsim.Opts{Ideal: true})
	if err := h.Write(sensirionc.Command(0x362F)); err != nil {
		t.Fatal(err)
	}
	clk.Advance(44 * time.Millisecond)
	if _, err := h.ReadInplace(6); !isNACK(err) {
		t.Errorf("read 44 ms into a triggered measurement: %v, want a NACK", err)
	}
	clk.Advance(time.Millisecond)
	b, err := h.ReadInplace(2)
	if err != nil || sensirionc.Int16(b) != int16(truePa*60) {
		t.Errorf("pressure word alone: % x, %v: want %d", b, err, int16(truePa*60))
	}
	write(t, h, "trigger, mass flow", 0x3624, 45000)
	if dp, temp, scale := readMeasurement(t, h); dp != int16(truePa*60) || temp != int16(trueC*200) || scale != 60 {
		t.Errorf("triggered mass-flow result %d, %d, %d", dp, temp, scale)
	}
}

// sdp_enter_sleep_mode, then sdp_exit_sleep_mode: a write of no bytes,
// the address alone, which the sleeping sensor does not acknowledge but
// which wakes it (datasheet 5.3.6: "Note that the I2C address is not
// acknowledged"); the driver waits 2 ms and the sensor is idle.
func TestSensirionSleep(t *testing.T) {
	_, h, d := foreignSetup(sdpsim.Opts{Ideal: true})
	write(t, h, "enter sleep mode", 0x3677, 0)
	if !d.Asleep() {
		t.Fatal("not asleep after 0x3677")
	}
	if err := h.Write(nil); !isNACK(err) {
		t.Errorf("sdp_exit_sleep_mode's address-only write: %v, want a NACK", err)
	}
	h.SleepUsec(2000)
	if d.Asleep() {
		t.Fatal("still asleep after sdp_exit_sleep_mode")
	}
	write(t, h, "prepare product identifier after waking", 0x367C, 0)
	write(t, h, "read product identifier", 0xE102, 1000)
	if id, err := h.ReadInplace(12); err != nil || sensirionc.Uint32(id) != 0x03020A01 {
		t.Errorf("product identifier after waking: % x, %v", id, err)
	}
	// Awake and idle, the address alone is acknowledged.
	if err := h.Write(nil); err != nil {
		t.Errorf("address-only write to an idle sensor: %v, want an ACK", err)
	}
}

package sdp8xx_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c/i2ctest"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/i2ctrace"
	"github.com/ventd/ventd/drivers/sdp8xx"
)

// TestTranscript replays a session written by hand from the datasheet's
// command descriptions, so the driver is checked against the datasheet
// itself and not only against our own simulator.
func TestTranscript(t *testing.T) {
	f, err := os.Open("testdata/start_read_stop.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ops, err := i2ctrace.ReadTranscript(f, f.Name())
	if err != nil {
		t.Fatal(err)
	}
	bus := i2ctrace.Playback(ops)
	clk := clock.NewSim(t0, 0)

	dev, err := sdp8xx.New(bus, &sdp8xx.Opts{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if dev.Product() != "SDP810-500Pa" || dev.Serial() != 0x12345678 {
		t.Errorf("Product, Serial = %q, %X", dev.Product(), dev.Serial())
	}
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	var r sdp8xx.Reading
	// Before the first result the driver must not touch the bus: the
	// transcript has no transfer for this call.
	if err := dev.Sense(&r); !errors.Is(err, sdp8xx.ErrNotReady) {
		t.Fatalf("Sense at once = %v, want ErrNotReady", err)
	}
	clk.Sleep(10 * time.Millisecond)
	for _, want := range []sdp8xx.Reading{{-10, 23.5}, {-0.75, 23.51}} {
		if err := dev.Sense(&r); err != nil {
			t.Fatal(err)
		}
		if r != want {
			t.Errorf("Sense = %+v, want %+v", r, want)
		}
	}
	if err := dev.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := bus.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestNotAnSDP checks that New refuses a device with another product
// number, naming it.
func TestNotAnSDP(t *testing.T) {
	bus := i2ctrace.Playback([]i2ctest.IO{
		{Addr: 0x25, W: []byte{0x3f, 0xf9}},
		{Addr: 0x25, W: []byte{0x36, 0x7c}},
		{Addr: 0x25, W: []byte{0xe1, 0x02}},
		// product 0x1234 0x5678, serial 0
		{Addr: 0x25, R: []byte{0x12, 0x34, 0x37, 0x56, 0x78, 0x7d, 0, 0, 0x81, 0, 0, 0x81, 0, 0, 0x81, 0, 0, 0x81}},
	})
	_, err := sdp8xx.New(bus, &sdp8xx.Opts{Clock: clock.NewSim(t0, 0)})
	if err == nil || !strings.Contains(err.Error(), "0x12345678 is not an SDP3x") {
		t.Fatalf("New = %v, want a product number mismatch", err)
	}
}

// TestUnknownVariant accepts a family member the table does not know and
// converts with the scale factor the sensor sends.
func TestUnknownVariant(t *testing.T) {
	bus := i2ctrace.Playback([]i2ctest.IO{
		{Addr: 0x25, W: []byte{0x3f, 0xf9}},
		{Addr: 0x25, W: []byte{0x36, 0x7c}},
		{Addr: 0x25, W: []byte{0xe1, 0x02}},
		// product 0x0302 0x7701 (CRC 03 02 = ce, 77 01 = 25), serial 0
		{Addr: 0x25, R: []byte{0x03, 0x02, 0xce, 0x77, 0x01, 0x25, 0, 0, 0x81, 0, 0, 0x81, 0, 0, 0x81, 0, 0, 0x81}},
		{Addr: 0x25, W: []byte{0x36, 0x15}},
		// dp -45, T 4702, scale 60
		{Addr: 0x25, R: []byte{0xff, 0xd3, 0x57, 0x12, 0x5e, 0x57, 0x00, 0x3c, 0x39}},
	})
	clk := clock.NewSim(t0, 0)
	d, err := sdp8xx.New(bus, &sdp8xx.Opts{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if d.Product() != "SDP8xx(0x03027701)" {
		t.Errorf("Product() = %q", d.Product())
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	clk.Sleep(10 * time.Millisecond)
	var r sdp8xx.Reading
	if err := d.Sense(&r); err != nil || r.Pressure != -0.75 {
		t.Fatalf("Sense = %+v, %v", r, err)
	}
}

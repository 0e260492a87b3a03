package sen5x_test

import (
	"encoding/hex"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c/i2ctest"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/i2ctrace"
	"github.com/ventd/ventd/drivers/sen5x"
)

var t0 = time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)

func playback(t *testing.T, name string) *i2ctest.Playback {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ops, err := i2ctrace.ReadTranscript(f, f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return i2ctrace.Playback(ops)
}

// same compares readings with NaN equal to NaN: unknown is unknown.
func same(a, b sen5x.Reading) bool {
	x := []float64{a.MassPM1, a.MassPM25, a.MassPM4, a.MassPM10, a.Humidity, a.Temperature, a.VOCIndex, a.NOxIndex}
	y := []float64{b.MassPM1, b.MassPM25, b.MassPM4, b.MassPM10, b.Humidity, b.Temperature, b.VOCIndex, b.NOxIndex}
	for i := range x {
		if !(x[i] == y[i] || math.IsNaN(x[i]) && math.IsNaN(y[i])) {
			return false
		}
	}
	return true
}

// TestTranscript replays a session written by hand from the datasheet's
// command table, so the driver is checked against the datasheet itself
// and not only against the simulator.
func TestTranscript(t *testing.T) {
	bus := playback(t, "testdata/start_read_stop.txt")
	clk := clock.NewSim(t0, 0)
	dev, err := sen5x.New(bus, &sen5x.Opts{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if got := dev.String(); !strings.Contains(got, "SEN55") || !strings.Contains(got, "9D8C7B6A5F4E3D2C") {
		t.Errorf("String() = %q, want the variant and serial in it", got)
	}
	if dev.Variant() != sen5x.SEN55 || !dev.Variant().HasNOx() {
		t.Errorf("Variant = %v", dev.Variant())
	}
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	var r sen5x.Reading
	if err := dev.Sense(&r); !errors.Is(err, sen5x.ErrNotReady) {
		t.Fatalf("first Sense: %v, want ErrNotReady", err)
	}
	if err := dev.Sense(&r); err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	want := sen5x.Reading{MassPM1: 3.5, MassPM25: 5.2, MassPM4: 6, MassPM10: 7,
		Humidity: 45.12, Temperature: 22.5, VOCIndex: 100, NOxIndex: nan}
	if !same(r, want) {
		t.Errorf("Sense = %+v\nwant    %+v", r, want)
	}
	if err := dev.Sense(&r); err != nil {
		t.Fatal(err)
	}
	want = sen5x.Reading{MassPM1: nan, MassPM25: nan, MassPM4: nan, MassPM10: nan,
		Humidity: nan, Temperature: -10, VOCIndex: 1.5, NOxIndex: 1}
	if !same(r, want) {
		t.Errorf("Sense with unknown values = %+v\nwant    %+v", r, want)
	}
	if err := dev.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := bus.Close(); err != nil {
		t.Fatal(err)
	}
	// Name and serial 50 ms each, Start 50, three data-ready reads and two
	// value reads 20 each, Stop 200.
	if got, want := clk.Now().Sub(t0), (50+50+50+5*20+200)*time.Millisecond; got != want {
		t.Errorf("waited %v of simulated time, want %v", got, want)
	}
}

// TestNotASEN5x: an SPS30 answering the product name command (it does
// not, but a part with another name might) is refused by name.
func TestNotASEN5x(t *testing.T) {
	bus := i2ctrace.Playback([]i2ctest.IO{
		{Addr: 0x69, W: []byte{0xd0, 0x14}},
		{Addr: 0x69, R: hexBytes(t, "5350355333dd300033000081000081000081000081000081000081000081000081000081000081000081000081000081")},
	})
	_, err := sen5x.New(bus, &sen5x.Opts{Clock: clock.NewSim(t0, 0)})
	if err == nil || !strings.Contains(err.Error(), `"SPS30"`) || !strings.Contains(err.Error(), "not a SEN5x") {
		t.Fatalf("New = %v, want a refusal naming the product", err)
	}
}

// TestCRCError: a corrupt word is ErrCRC, and the reading is left alone.
func TestCRCError(t *testing.T) {
	good := "002354003480003c3900461a11a0e71194e603e8d47fff8f"
	bad := good[:len(good)-2] + "00" // NOx word's CRC wrong
	bus := i2ctrace.Playback([]i2ctest.IO{
		{Addr: 0x69, W: []byte{0xd0, 0x14}},
		{Addr: 0x69, R: hexBytes(t, "5345834e3555350044000081000081000081000081000081000081000081000081000081000081000081000081000081")},
		{Addr: 0x69, W: []byte{0xd0, 0x33}},
		{Addr: 0x69, R: hexBytes(t, "39440938436a3742c23641653546df3445783344e7324384000081000081000081000081000081000081000081000081")},
		{Addr: 0x69, W: []byte{0x02, 0x02}},
		{Addr: 0x69, R: []byte{0x00, 0x01, 0xb0}},
		{Addr: 0x69, W: []byte{0x03, 0xc4}},
		{Addr: 0x69, R: hexBytes(t, bad)},
		{Addr: 0x69, W: []byte{0x02, 0x02}},
		{Addr: 0x69, R: []byte{0x00, 0x01, 0x00}}, // flag's CRC wrong
	})
	dev, err := sen5x.New(bus, &sen5x.Opts{Clock: clock.NewSim(t0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	r := sen5x.Reading{MassPM25: 42}
	err = dev.Sense(&r)
	if !errors.Is(err, sen5x.ErrCRC) || !strings.HasPrefix(err.Error(), "sen5x: read measured values") || !strings.Contains(err.Error(), "word 7") {
		t.Errorf("Sense on a corrupt frame = %v", err)
	}
	if err := dev.Sense(&r); !errors.Is(err, sen5x.ErrCRC) || !strings.Contains(err.Error(), "data-ready") {
		t.Errorf("Sense on a corrupt data-ready flag = %v", err)
	}
	if r.MassPM25 != 42 {
		t.Errorf("the reading changed on an error: %+v", r)
	}
}

func hexBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

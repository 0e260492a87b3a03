package sps30_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c/i2ctest"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/i2ctrace"
	"github.com/ventd/ventd/drivers/sps30"
	"github.com/ventd/ventd/testbench/i2csim"
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
	start := time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)
	clk := clock.NewSim(start, 0)

	dev, err := sps30.New(bus, &sps30.Opts{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dev.String(), "8A3F1C7D20E5B946") {
		t.Errorf("String() = %q, want the serial in it", dev.String())
	}
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	var r sps30.Reading
	if err := dev.Sense(&r); !errors.Is(err, sps30.ErrNotReady) {
		t.Fatalf("first Sense: %v, want ErrNotReady", err)
	}
	if err := dev.Sense(&r); err != nil {
		t.Fatal(err)
	}
	want := sps30.Reading{
		MassPM1: 3.5, MassPM25: 5.25, MassPM4: 6, MassPM10: 7,
		NumPM05: 24, NumPM1: 28, NumPM25: 28.5, NumPM4: 28.5, NumPM10: 28.5,
		TypicalSize: 0.5,
	}
	if r != want {
		t.Errorf("Sense = %+v\nwant    %+v", r, want)
	}
	if err := dev.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := bus.Close(); err != nil {
		t.Fatal(err)
	}
	// Start and Stop each wait their 20 ms execution time; nothing else waits.
	if got := clk.Now().Sub(start); got != 40*time.Millisecond {
		t.Errorf("waited %v of simulated time, want 40ms", got)
	}
}

// TestNotAnSPS30 checks that New refuses a device with another product type.
func TestNotAnSPS30(t *testing.T) {
	bus := i2ctrace.Playback([]i2ctest.IO{
		{Addr: 0x69, W: []byte{0xd0, 0x02}},
		// "00090000"
		{Addr: 0x69, R: []byte{0x30, 0x30, 0xf6, 0x30, 0x39, 0x7e, 0x30, 0x30, 0xf6, 0x30, 0x30, 0xf6}},
	})
	_, err := sps30.New(bus, &sps30.Opts{Clock: clock.NewSim(time.Time{}, 0)})
	if err == nil || !strings.Contains(err.Error(), `"00090000"`) || !strings.Contains(err.Error(), "not an SPS30") {
		t.Fatalf("New = %v, want a product type mismatch", err)
	}
}

func TestNewBadAddress(t *testing.T) {
	_, err := sps30.New(i2csim.New("sim", nil), &sps30.Opts{Addr: 0x169})
	if err == nil || !strings.Contains(err.Error(), "7-bit") {
		t.Fatalf("New = %v, want an address error", err)
	}
}

package sps30sim

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
)

// These tests speak raw bytes, so they check the simulator against the
// datasheet independently of the driver.

var t0 = time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)

func setup(src air.Source, o Opts) (*clock.Sim, *i2csim.Bus, *Device) {
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	d := New(clk, src, o)
	bus.Attach(Addr, d)
	return clk, bus, d
}

func write(t *testing.T, bus *i2csim.Bus, cmd uint16, args ...uint16) {
	t.Helper()
	if err := bus.Tx(Addr, sensirion.Command(cmd, args...), nil); err != nil {
		t.Fatalf("write 0x%04x: %v", cmd, err)
	}
}

func read(t *testing.T, bus *i2csim.Bus, n int) []uint16 {
	t.Helper()
	r := make([]byte, 3*n)
	if err := bus.Tx(Addr, nil, r); err != nil {
		t.Fatalf("read: %v", err)
	}
	w, err := sensirion.DecodeWords(r)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func wantNACK(t *testing.T, err error, reason string) {
	t.Helper()
	if !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), reason) {
		t.Errorf("err = %v, want a NACK for %q", err, reason)
	}
}

func TestExecutionTime(t *testing.T) {
	clk, bus, _ := setup(air.Fixed(air.Clean), Opts{})
	write(t, bus, cmdStart, formatFloat)
	// Start Measurement takes 20 ms: nothing is acknowledged before.
	clk.Advance(19 * time.Millisecond)
	wantNACK(t, bus.Tx(Addr, sensirion.Command(cmdDataReady), nil), "busy executing command 0x0010")
	clk.Advance(time.Millisecond)
	write(t, bus, cmdAutoClean)
	clk.Advance(4 * time.Millisecond)
	wantNACK(t, bus.Tx(Addr, nil, make([]byte, 6)), "still executing command 0x8004")
	clk.Advance(time.Millisecond)
	if w := read(t, bus, 2); uint32(w[0])<<16|uint32(w[1]) != 604800 {
		t.Errorf("auto-cleaning interval = %v, want 604800 s", w)
	}
}

func TestWrongModeAndBadFrames(t *testing.T) {
	clk, bus, _ := setup(air.Fixed(air.Clean), Opts{})
	wantNACK(t, bus.Tx(Addr, sensirion.Command(cmdReadValues), nil), "not allowed in idle mode")
	wantNACK(t, bus.Tx(Addr, sensirion.Command(cmdDataReady), nil), "not allowed in idle mode")
	wantNACK(t, bus.Tx(Addr, nil, make([]byte, 3)), "read without a read command")
	wantNACK(t, bus.Tx(Addr, []byte{0x00, 0x10, 0x03, 0x00, 0xad}, nil), "CRC")
	wantNACK(t, bus.Tx(Addr, sensirion.Command(cmdStart, 0x0400), nil), "output format 0x0400")
	wantNACK(t, bus.Tx(Addr, sensirion.Command(0x1234), nil), "unknown command 0x1234")
	wantNACK(t, bus.Tx(Addr, sensirion.Command(cmdSerial, 1), nil), "takes no arguments")
	write(t, bus, cmdStart, formatFloat)
	clk.Advance(20 * time.Millisecond)
	wantNACK(t, bus.Tx(Addr, sensirion.Command(cmdStart, formatFloat), nil), "not allowed in measurement mode")
	wantNACK(t, bus.Tx(Addr, sensirion.Command(cmdSleep), nil), "not allowed in measurement mode")
	wantNACK(t, bus.Tx(Addr, sensirion.Command(cmdReadValues), nil), "no measurement yet")
}

func TestDataReadyFollowsInterval(t *testing.T) {
	clk, bus, _ := setup(air.Fixed(air.Clean), Opts{})
	write(t, bus, cmdStart, formatFloat)
	ready := func() uint16 {
		write(t, bus, cmdDataReady)
		return read(t, bus, 1)[0]
	}
	clk.Advance(999 * time.Millisecond)
	if ready() != 0 {
		t.Fatal("data ready before the first second")
	}
	clk.Advance(time.Millisecond)
	if ready() != 1 {
		t.Fatal("no data after one second")
	}
	write(t, bus, cmdReadValues)
	read(t, bus, 20)
	if ready() != 0 {
		t.Fatal("flag still set after reading the values")
	}
	clk.Advance(time.Second)
	if ready() != 1 {
		t.Fatal("no data after the next second")
	}
}

func TestUint16Format(t *testing.T) {
	src := air.Fixed{PM1: 10, PM25: 20.4, PM4: 30.6, PM10: 40}
	clk, bus, _ := setup(src, Opts{Ideal: true})
	write(t, bus, cmdStart, formatUint16)
	clk.Advance(time.Second)
	write(t, bus, cmdReadValues)
	w := read(t, bus, 10)
	if w[0] != 10 || w[1] != 20 || w[2] != 31 || w[3] != 40 {
		t.Errorf("masses = %v, want 10 20 31 40", w[:4])
	}
	if w[9] < 300 || w[9] > 10000 {
		t.Errorf("typical size %d nm, want 300..10000", w[9])
	}
	// Reading past the answer gets 0xff, as an undriven SDA line does.
	write(t, bus, cmdVersion)
	r := make([]byte, 6)
	if err := bus.Tx(Addr, nil, r); err != nil || !bytes.Equal(r[3:], []byte{0xff, 0xff, 0xff}) {
		t.Errorf("over-read = % x, %v", r, err)
	}
}

func TestFloatFormatIdeal(t *testing.T) {
	src := air.Fixed{PM1: 10, PM25: 20.5, PM4: 30, PM10: 40}
	clk, bus, _ := setup(src, Opts{Ideal: true})
	write(t, bus, cmdStart, formatFloat)
	clk.Advance(time.Second)
	write(t, bus, cmdReadValues)
	w := read(t, bus, 20)
	for i, want := range []float32{10, 20.5, 30, 40} {
		if got := math.Float32frombits(uint32(w[2*i])<<16 | uint32(w[2*i+1])); got != want {
			t.Errorf("value %d = %v, want %v", i, got, want)
		}
	}
}

func TestSleepNeedsWakeUpSequence(t *testing.T) {
	clk, bus, _ := setup(air.Fixed(air.Clean), Opts{})
	write(t, bus, cmdSleep)
	clk.Advance(5 * time.Millisecond)
	wantNACK(t, bus.Tx(Addr, sensirion.Command(cmdSerial), nil), "asleep")
	// The pulse switches the interface on, but only Wake-up is accepted.
	clk.Advance(5 * time.Millisecond)
	wantNACK(t, bus.Tx(Addr, sensirion.Command(cmdSerial), nil), "only Wake-up")
	clk.Advance(200 * time.Millisecond) // window closed again
	wantNACK(t, bus.Tx(Addr, sensirion.Command(cmdWakeUp), nil), "asleep")
	clk.Advance(50 * time.Millisecond)
	write(t, bus, cmdWakeUp) // inside the 100 ms window
	clk.Advance(5 * time.Millisecond)
	write(t, bus, cmdSerial)
	if w := read(t, bus, 16); w[0] == 0 {
		t.Error("empty serial after wake-up")
	}
}

// TestSecondWakeUpWaits5ms: the interface a pulse switches on listens
// 5 ms later (Sensirion's driver waits that long between its two
// Wake-ups); a second Wake-up sent at once is refused.
func TestSecondWakeUpWaits5ms(t *testing.T) {
	clk, bus, _ := setup(air.Fixed(air.Clean), Opts{})
	write(t, bus, cmdSleep)
	clk.Advance(5 * time.Millisecond)
	wantNACK(t, bus.Tx(Addr, sensirion.Command(cmdWakeUp), nil), "asleep")
	wantNACK(t, bus.Tx(Addr, sensirion.Command(cmdWakeUp), nil), "still switching on")
	clk.Advance(4 * time.Millisecond)
	wantNACK(t, bus.Tx(Addr, sensirion.Command(cmdWakeUp), nil), "still switching on")
	clk.Advance(time.Millisecond)
	write(t, bus, cmdWakeUp)
	clk.Advance(5 * time.Millisecond)
	write(t, bus, cmdSerial)
	if w := read(t, bus, 16); w[0] == 0 {
		t.Error("empty serial after wake-up")
	}
}

func TestSleepOldFirmware(t *testing.T) {
	_, bus, _ := setup(air.Fixed(air.Clean), Opts{Firmware: [2]byte{1, 0}})
	wantNACK(t, bus.Tx(Addr, sensirion.Command(cmdSleep), nil), "firmware 2.0")
}

func TestSameSeedSameUnit(t *testing.T) {
	run := func(seed uint64) []uint16 {
		clk, bus, _ := setup(air.Fixed{PM1: 50, PM25: 70, PM4: 75, PM10: 80}, Opts{Seed: seed})
		write(t, bus, cmdStart, formatFloat)
		clk.Advance(10 * time.Second)
		write(t, bus, cmdReadValues)
		return read(t, bus, 20)
	}
	a, b, c := run(1), run(1), run(2)
	if !slicesEqual(a, b) {
		t.Error("same seed, different readings")
	}
	if slicesEqual(a, c) {
		t.Error("different seeds, same readings")
	}
}

func slicesEqual(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLongGap checks that a day without polling neither hangs nor loses
// the auto-cleaning schedule, and that the values still track the air.
func TestLongGap(t *testing.T) {
	clk, bus, d := setup(air.Fixed{PM1: 5, PM25: 8, PM4: 9, PM10: 10}, Opts{Ideal: true})
	write(t, bus, cmdStart, formatFloat)
	clk.Advance(24*time.Hour + 30*time.Minute)
	write(t, bus, cmdReadValues)
	w := read(t, bus, 20)
	if got := math.Float32frombits(uint32(w[2])<<16 | uint32(w[3])); got != 8 {
		t.Errorf("PM2.5 after a day = %v, want 8", got)
	}
	if !d.autoCleanDue.After(clk.Now()) {
		t.Errorf("auto-cleaning due %v, before now %v", d.autoCleanDue, clk.Now())
	}
}

// TestBinMassIsParticleMass checks that the masses derive keeps are
// particleMass's, bit for bit.
func TestBinMassIsParticleMass(t *testing.T) {
	if got, want := below1Mass, particleMass((binDiameter[0]+binDiameter[1])/2); got != want {
		t.Errorf("below1Mass = %v, want %v", got, want)
	}
	for i := 2; i < len(binMass); i++ {
		if got, want := binMass[i], particleMass(binDiameter[i]); got != want {
			t.Errorf("binMass[%d] = %v, want %v", i, got, want)
		}
	}
}

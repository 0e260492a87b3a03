package sdpsim

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/testbench/i2csim"
)

// These tests speak raw bytes, so they check the simulator against the
// datasheet independently of the driver.

var t0 = time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)

func constant(p, t float64) Source {
	return func(time.Time) (float64, float64) { return p, t }
}

func setup(src Source, o Opts) (*clock.Sim, *i2csim.Bus, *Device) {
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	d := New(clk, src, o)
	bus.Attach(AddrSDP8xx, d)
	return clk, bus, d
}

func write(t *testing.T, bus *i2csim.Bus, cmd uint16) {
	t.Helper()
	if err := bus.Tx(AddrSDP8xx, sensirion.Command(cmd), nil); err != nil {
		t.Fatalf("write 0x%04x: %v", cmd, err)
	}
}

func read(t *testing.T, bus *i2csim.Bus, n int) []uint16 {
	t.Helper()
	r := make([]byte, 3*n)
	if err := bus.Tx(AddrSDP8xx, nil, r); err != nil {
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

func TestProductIdentifier(t *testing.T) {
	for name, part := range Parts {
		_, bus, _ := setup(constant(0, 20), Opts{Product: name, Serial: 0x0102030405060708})
		write(t, bus, cmdReadID1)
		write(t, bus, cmdReadID2)
		w := read(t, bus, 6)
		if pn := uint32(w[0])<<16 | uint32(w[1]); pn != part.Number {
			t.Errorf("%s: product number 0x%08x, want 0x%08x", name, pn, part.Number)
		}
		if w[2] != 0x0102 || w[3] != 0x0304 || w[4] != 0x0506 || w[5] != 0x0708 {
			t.Errorf("%s: serial words %04x", name, w[2:])
		}
	}
}

func TestWrongStateNACKs(t *testing.T) {
	clk, bus, d := setup(constant(-5, 20), Opts{Ideal: true})
	tx := func(w ...byte) error { return bus.Tx(AddrSDP8xx, w, nil) }

	wantNACK(t, tx(0xe1, 0x02), "must follow 0x367C")
	wantNACK(t, bus.Tx(AddrSDP8xx, nil, make([]byte, 9)), "nothing to read in idle")
	wantNACK(t, tx(0x36, 0x15, 0x00, 0x00, 0x81), "take no arguments")
	wantNACK(t, tx(0x12, 0x34), "unknown command 0x1234")

	write(t, bus, cmdStartDPAvg)
	wantNACK(t, tx(0x36, 0x15), "not allowed in continuous measurement")
	wantNACK(t, tx(0x36, 0x7c), "not allowed in continuous measurement")
	wantNACK(t, tx(0x36, 0x77), "not allowed in continuous measurement")
	wantNACK(t, tx(0x36, 0x2f), "not allowed in continuous measurement")
	if !d.Measuring() {
		t.Fatal("a refused command stopped the measurement")
	}

	// Stop keeps the sensor busy 500 µs.
	write(t, bus, cmdStop)
	wantNACK(t, tx(0x36, 0x7c), "busy: stopping")
	clk.Sleep(500 * time.Microsecond)
	write(t, bus, cmdReadID1)
	// Anything between 0x367C and 0xE102 disarms it.
	write(t, bus, cmdStop)
	clk.Sleep(500 * time.Microsecond)
	wantNACK(t, tx(0xe1, 0x02), "must follow 0x367C")
}

func TestFirstResultAfter10ms(t *testing.T) {
	clk, bus, _ := setup(constant(-5, 20), Opts{Ideal: true})
	write(t, bus, cmdStartDPAvg)
	clk.Sleep(9900 * time.Microsecond)
	wantNACK(t, bus.Tx(AddrSDP8xx, nil, make([]byte, 9)), "first measurement not ready")
	clk.Sleep(100 * time.Microsecond)
	w := read(t, bus, 3)
	if int16(w[0]) != -300 || w[1] != 4000 || w[2] != 60 {
		t.Fatalf("frame %v, want -300 (-5 Pa × 60), 4000 (20 °C × 200), 60", w)
	}
	// A short read gets the pressure alone; a long one is padded.
	r := make([]byte, 3)
	if err := bus.Tx(AddrSDP8xx, nil, r); err != nil || !bytes.Equal(r, sensirion.EncodeWords(nil, uint16(0xFED4))) {
		t.Fatalf("3-byte read = % x, %v", r, err)
	}
	r = make([]byte, 12)
	if err := bus.Tx(AddrSDP8xx, nil, r); err != nil || !bytes.Equal(r[9:], []byte{0xff, 0xff, 0xff}) {
		t.Fatalf("12-byte read = % x, %v", r, err)
	}
}

func TestTriggered(t *testing.T) {
	clk, bus, _ := setup(constant(2, 20), Opts{Ideal: true, Product: "SDP810-125Pa"})
	write(t, bus, cmdTrigDP)
	clk.Sleep(44 * time.Millisecond)
	wantNACK(t, bus.Tx(AddrSDP8xx, nil, make([]byte, 9)), "triggered measurement under way")
	clk.Sleep(time.Millisecond)
	if w := read(t, bus, 3); int16(w[0]) != 480 || w[2] != 240 {
		t.Fatalf("frame %v, want 480 (2 Pa × 240), scale 240", w)
	}
	// One result per trigger; then idle again.
	wantNACK(t, bus.Tx(AddrSDP8xx, nil, make([]byte, 9)), "nothing to read in idle")
	write(t, bus, cmdReadID1)
}

func TestSleep(t *testing.T) {
	clk, bus, d := setup(constant(0, 20), Opts{})
	g := GeneralCall(d)
	write(t, bus, cmdSleep)
	if !d.Asleep() {
		t.Fatal("not asleep after 0x3677")
	}
	wantNACK(t, bus.Tx(AddrSDP8xx, nil, make([]byte, 18)), "asleep")
	// In sleep mode the sensor cannot be soft reset.
	if err := g.Write([]byte{0x06}); err != nil || !d.Asleep() {
		t.Fatalf("general call reset woke a sleeping sensor: %v", err)
	}
	// The address wakes it but is not acknowledged; 2 ms later it is idle.
	wantNACK(t, bus.Tx(AddrSDP8xx, sensirion.Command(cmdReadID1), nil), "wakes the sensor")
	wantNACK(t, bus.Tx(AddrSDP8xx, sensirion.Command(cmdReadID1), nil), "waking up")
	clk.Sleep(2 * time.Millisecond)
	write(t, bus, cmdReadID1)
	write(t, bus, cmdReadID2)
	read(t, bus, 6)
}

func TestGeneralCallReset(t *testing.T) {
	clk, bus, d := setup(constant(0, 20), Opts{})
	other := New(clk, constant(0, 20), Opts{Product: "SDP31"})
	bus.Attach(AddrSDP3x, other)
	bus.Attach(0x00, GeneralCall(d, other))
	write(t, bus, cmdStartDPAvg)
	if err := bus.Tx(AddrSDP3x, sensirion.Command(cmdStartMF), nil); err != nil {
		t.Fatal(err)
	}
	wantNACK(t, bus.Tx(0x00, []byte{0x04}, nil), "only the soft reset")
	wantNACK(t, bus.Tx(0x00, nil, make([]byte, 1)), "write-only")
	if err := bus.Tx(0x00, []byte{0x06}, nil); err != nil {
		t.Fatal(err)
	}
	if d.Measuring() || other.Measuring() {
		t.Fatal("the general call reset left a sensor measuring")
	}
	wantNACK(t, bus.Tx(AddrSDP8xx, sensirion.Command(cmdReadID1), nil), "resetting")
	clk.Sleep(20 * time.Millisecond)
	write(t, bus, cmdReadID1)
}

func TestAveragingTillRead(t *testing.T) {
	// The pressure falls 1 Pa a second from 0.
	ramp := func(t time.Time) (float64, float64) { return -t.Sub(t0).Seconds(), 20 }
	for _, tc := range []struct {
		cmd  uint16
		want float64 // the reading at 10 s after a read at 2 s
	}{
		{cmdStartDPAvg, -(2 + 8*(0.25+0.5+0.75+1)/4)}, // mean over 2 s…10 s, four instants: -7
		{cmdStartMFAvg, -7},
		{cmdStartDP, -10}, // the latest sample
		{cmdStartMF, -10},
	} {
		clk, bus, _ := setup(ramp, Opts{Ideal: true})
		write(t, bus, tc.cmd)
		clk.Sleep(2 * time.Second)
		read(t, bus, 3)
		clk.Sleep(8 * time.Second)
		w := read(t, bus, 3)
		if got := float64(int16(w[0])) / 60; math.Abs(got-tc.want) > 1.0/60 {
			t.Errorf("command 0x%04x: read %g Pa at 10 s, want %g", tc.cmd, got, tc.want)
		}
	}
}

func TestNoiseAndOffsets(t *testing.T) {
	const n = 2000
	var means []float64
	for seed := range uint64(5) {
		clk, bus, _ := setup(constant(-10, 20), Opts{Seed: seed})
		write(t, bus, cmdStartDPAvg)
		var sum, sq float64
		for range n {
			clk.Sleep(10 * time.Millisecond)
			p := float64(int16(read(t, bus, 3)[0])) / 60
			sum += p
			sq += p * p
		}
		mean := sum / n
		sd := math.Sqrt(sq/n - mean*mean)
		if math.Abs(mean+10) > 10*spanError+zeroError+0.02 {
			t.Errorf("seed %d: mean %.3f Pa, outside the datasheet accuracy around -10", seed, mean)
		}
		if sd < 0.07 || sd > 0.13 {
			t.Errorf("seed %d: noise %.3f Pa, want about 0.1", seed, sd)
		}
		means = append(means, mean)
	}
	if means[0] == means[1] && means[1] == means[2] {
		t.Error("every unit reads the same: no per-unit offset")
	}
	// Same seed, same readings.
	run := func() []uint16 {
		clk, bus, _ := setup(constant(-10, 20), Opts{Seed: 7})
		write(t, bus, cmdStartDPAvg)
		clk.Sleep(time.Second)
		return read(t, bus, 3)
	}
	if a, b := run(), run(); a[0] != b[0] || a[1] != b[1] {
		t.Errorf("same seed read %v and %v", a, b)
	}
}

func TestSaturation(t *testing.T) {
	for _, tc := range []struct {
		p    float64
		want int16
	}{{-900, math.MinInt16}, {900, math.MaxInt16}, {math.NaN(), 0}} {
		clk, bus, _ := setup(constant(tc.p, 20), Opts{Ideal: true})
		write(t, bus, cmdStartDPAvg)
		clk.Sleep(10 * time.Millisecond)
		if got := int16(read(t, bus, 1)[0]); got != tc.want {
			t.Errorf("%g Pa reads %d counts, want %d", tc.p, got, tc.want)
		}
	}
}

func TestStuckAndPowerCycle(t *testing.T) {
	p := -5.0
	clk, bus, d := setup(func(time.Time) (float64, float64) { return p, 20 }, Opts{Ideal: true})
	write(t, bus, cmdStartDPAvg)
	clk.Sleep(10 * time.Millisecond)
	read(t, bus, 3)
	d.SetStuck(true)
	p = -20
	clk.Sleep(time.Second)
	if w := read(t, bus, 3); int16(w[0]) != -300 {
		t.Fatalf("stuck sensor read %d counts, want the old -300", int16(w[0]))
	}
	d.SetStuck(false)
	if w := read(t, bus, 3); int16(w[0]) != -1200 {
		t.Fatalf("freed sensor read %d counts, want -1200", int16(w[0]))
	}
	d.PowerCycle()
	if d.Measuring() {
		t.Fatal("measuring after a power cycle")
	}
	wantNACK(t, bus.Tx(AddrSDP8xx, nil, make([]byte, 9)), "nothing to read")
}

func TestUnknownProductPanics(t *testing.T) {
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, `unknown product "SDP99"`) || !strings.Contains(msg, "SDP810-500Pa") {
			t.Errorf("panic %q, want one naming the product and the parts there are", msg)
		}
	}()
	New(clock.NewSim(t0, 0), constant(0, 0), Opts{Product: "SDP99"})
}

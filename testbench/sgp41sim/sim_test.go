package sgp41sim_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/sgp41sim"
)

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

// Datasheet frames: the default (compensation off) humidity and
// temperature words with their CRCs.
var defaults = []byte{0x80, 0x00, 0xa2, 0x66, 0x66, 0x93}

type rig struct {
	clk *clock.Sim
	bus *i2csim.Bus
	dev *sgp41sim.Device
}

func newRig(src air.Source, o sgp41sim.Opts) *rig {
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	dev := sgp41sim.New(clk, src, o)
	bus.Attach(sgp41sim.Addr, dev)
	return &rig{clk, bus, dev}
}

// cmd writes w, waits exec and reads n words.
func (r *rig) cmd(t *testing.T, w []byte, exec time.Duration, n int) []uint16 {
	t.Helper()
	if err := r.bus.Tx(sgp41sim.Addr, w, nil); err != nil {
		t.Fatalf("write % x: %v", w, err)
	}
	r.clk.Sleep(exec)
	if n == 0 {
		return nil
	}
	buf := make([]byte, 3*n)
	if err := r.bus.Tx(sgp41sim.Addr, nil, buf); err != nil {
		t.Fatalf("read after % x: %v", w, err)
	}
	words, err := sensirion.DecodeWords(buf)
	if err != nil {
		t.Fatal(err)
	}
	return words
}

// condition runs the datasheet's 10 s start-up conditioning.
func (r *rig) condition(t *testing.T) {
	t.Helper()
	for range 10 {
		r.cmd(t, append([]byte{0x26, 0x12}, defaults...), 50*time.Millisecond, 1)
		r.clk.Sleep(time.Second - 100*time.Millisecond)
	}
}

func measure(t *testing.T, r *rig, rh, tc uint16) (voc, nox uint16) {
	t.Helper()
	w := r.cmd(t, sensirion.Command(0x2619, rh, tc), 50*time.Millisecond, 2)
	return w[0], w[1]
}

func TestDatasheetFrameSGP40(t *testing.T) {
	r := newRig(air.Fixed(air.Clean), sgp41sim.Opts{SGP40: true, Noise: -1})
	w := r.cmd(t, append([]byte{0x26, 0x0f}, defaults...), 30*time.Millisecond, 1)
	if w[0] < 26000 || w[0] > 28000 {
		t.Fatalf("SRAW_VOC = %d, want about 27000 in clean air", w[0])
	}
	if w := r.cmd(t, []byte{0x28, 0x0e}, 250*time.Millisecond, 1); w[0] != 0xd400 {
		t.Fatalf("self-test = 0x%04x, want 0xd400", w[0])
	}
	if w := r.cmd(t, []byte{0x20, 0x2f}, time.Millisecond, 1); w[0]&0x1ff != 0x020 {
		t.Fatalf("feature set = 0x%04x", w[0])
	}
	// The SGP41's commands do not exist on the SGP40.
	for _, c := range [][]byte{{0x26, 0x19}, {0x26, 0x12}} {
		if err := r.bus.Tx(sgp41sim.Addr, append(c, defaults...), nil); !errors.Is(err, i2csim.ErrNACK) {
			t.Errorf("SGP40 took % x: %v", c, err)
		}
	}
}

func TestProtocolRefusals(t *testing.T) {
	r := newRig(air.Fixed(air.Clean), sgp41sim.Opts{})
	for _, tc := range []struct {
		name string
		w    []byte
		want string
	}{
		{"bad argument CRC", []byte{0x26, 0x19, 0x80, 0x00, 0xa3, 0x66, 0x66, 0x93}, "CRC mismatch in word 0"},
		{"bad second CRC", []byte{0x26, 0x19, 0x80, 0x00, 0xa2, 0x66, 0x66, 0x94}, "CRC mismatch in word 1"},
		{"missing arguments", []byte{0x26, 0x19}, "takes 2 argument words, got 0"},
		{"torn argument", []byte{0x26, 0x19, 0x80, 0x00}, "not a whole number of words"},
		{"unknown command", []byte{0x36, 0x39}, "unknown command 0x3639"},
		{"one byte", []byte{0x26}, "a command is 2 bytes"},
	} {
		err := r.bus.Tx(sgp41sim.Addr, tc.w, nil)
		if !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want a NACK saying %q", tc.name, err, tc.want)
		}
	}
	if r.dev.HeaterOn() {
		t.Fatal("a refused command switched the heater on")
	}
	// Nothing was accepted, so there is nothing to read.
	if err := r.bus.Tx(sgp41sim.Addr, nil, make([]byte, 3)); !errors.Is(err, i2csim.ErrNACK) {
		t.Fatalf("read with nothing pending: %v", err)
	}
}

func TestExecutionTime(t *testing.T) {
	r := newRig(air.Fixed(air.Clean), sgp41sim.Opts{})
	if err := r.bus.Tx(sgp41sim.Addr, append([]byte{0x26, 0x19}, defaults...), nil); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	r.clk.Sleep(49 * time.Millisecond)
	if err := r.bus.Tx(sgp41sim.Addr, nil, buf); !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), "still executing command 0x2619") {
		t.Fatalf("read at 49 ms: %v", err)
	}
	if err := r.bus.Tx(sgp41sim.Addr, []byte{0x36, 0x82}, nil); !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), "busy") {
		t.Fatalf("command while busy: %v", err)
	}
	r.clk.Sleep(time.Millisecond)
	if err := r.bus.Tx(sgp41sim.Addr, nil, buf); err != nil {
		t.Fatalf("read at 50 ms: %v", err)
	}
	if _, err := sensirion.DecodeWords(buf); err != nil {
		t.Fatal(err)
	}
	if err := r.bus.Tx(sgp41sim.Addr, nil, buf); !errors.Is(err, i2csim.ErrNACK) {
		t.Fatalf("second read of one answer: %v", err)
	}
	// Self-test: 320 ms on the SGP41.
	if err := r.bus.Tx(sgp41sim.Addr, []byte{0x28, 0x0e}, nil); err != nil {
		t.Fatal(err)
	}
	r.clk.Sleep(319 * time.Millisecond)
	if err := r.bus.Tx(sgp41sim.Addr, nil, buf[:3]); !errors.Is(err, i2csim.ErrNACK) {
		t.Fatalf("self-test read at 319 ms: %v", err)
	}
}

func TestSerialAndSeed(t *testing.T) {
	a := newRig(air.Fixed(air.Clean), sgp41sim.Opts{Seed: 1})
	b := newRig(air.Fixed(air.Clean), sgp41sim.Opts{Seed: 2})
	a2 := newRig(air.Fixed(air.Clean), sgp41sim.Opts{Seed: 1})
	w := a.cmd(t, []byte{0x36, 0x82}, time.Millisecond, 3)
	if s := uint64(w[0])<<32 | uint64(w[1])<<16 | uint64(w[2]); s != a.dev.Serial() || s == 0 || s>>48 != 0 {
		t.Fatalf("serial words %04x, Serial() 0x%x", w, a.dev.Serial())
	}
	if a.dev.Serial() == b.dev.Serial() {
		t.Fatal("two seeds, one serial number")
	}
	if s := sgp41sim.New(a.clk, air.Fixed(air.Clean), sgp41sim.Opts{Serial: 0x0123456789ab}).Serial(); s != 0x0123456789ab {
		t.Fatalf("Opts.Serial ignored: 0x%x", s)
	}
	va, _ := measure(t, a, 0x8000, 0x6666)
	vb, _ := measure(t, b, 0x8000, 0x6666)
	va2, _ := measure(t, a2, 0x8000, 0x6666)
	if va != va2 {
		t.Fatalf("same seed, different readings: %d %d", va, va2)
	}
	if va == vb {
		t.Fatal("two units read the same clean air identically")
	}
}

func TestSignalModel(t *testing.T) {
	steady := func(voc, nox float64) (uint16, uint16) {
		a := air.Clean
		a.VOC, a.NOx = voc, nox
		r := newRig(air.Fixed(a), sgp41sim.Opts{Noise: -1})
		r.condition(t)
		return measure(t, r, 0x8000, 0x6666)
	}
	v50, n5 := steady(50, 5)
	v500, n50 := steady(500, 50)
	v5000, _ := steady(5000, 5)
	if math.Abs(float64(v50)-27000) > 1000 || math.Abs(float64(n5)-16000) > 500 {
		t.Fatalf("clean air %d/%d, want about 27000/16000", v50, n5)
	}
	if !(v500 < v50 && v5000 < v500) || n50 <= n5 {
		t.Fatalf("VOC 50/500/5000 ppb → %d/%d/%d; NOx 5/50 ppb → %d/%d", v50, v500, v5000, n5, n50)
	}
	// Logarithmic: each tenfold step costs about the same number of ticks.
	d1, d2 := float64(v50)-float64(v500), float64(v500)-float64(v5000)
	if d1 < 200 || d2 < 200 || math.Abs(d1-d2) > 0.3*d2 {
		t.Fatalf("tenfold VOC steps lowered SRAW by %v then %v ticks", d1, d2)
	}
}

func TestNoiseAndResponseTime(t *testing.T) {
	var a air.State = air.Clean
	r := newRig(air.Func(func(time.Time) air.State { return a }), sgp41sim.Opts{Seed: 4})
	var lo, hi uint16 = math.MaxUint16, 0
	for range 100 {
		v, _ := measure(t, r, 0x8000, 0x6666)
		lo, hi = min(lo, v), max(hi, v)
		r.clk.Sleep(time.Second)
	}
	if hi-lo < 4 || hi-lo > 40 {
		t.Fatalf("clean-air SRAW_VOC spans %d ticks over 100 s, want a few ticks of noise", hi-lo)
	}
	base := (int(lo) + int(hi)) / 2
	a.VOC = 1000
	first, _ := measure(t, r, 0x8000, 0x6666)
	for range 20 {
		r.clk.Sleep(time.Second)
		measure(t, r, 0x8000, 0x6666)
	}
	settled, _ := measure(t, r, 0x8000, 0x6666)
	r.clk.Sleep(time.Second)
	if step := base - int(settled); step < 300 {
		t.Fatalf("1000 ppb lowered SRAW_VOC by %d ticks", step)
	}
	// A second after the step the layer has moved, but only part way
	// (τ63 = 3 s).
	if d := base - int(first); d < 30 || d > (base-int(settled))/2 {
		t.Fatalf("step response: before %d, first %d, settled %d", base, first, settled)
	}
}

package sdp8xx_test

import (
	"errors"
	"math"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sdp8xx"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/sdpsim"
)

var t0 = time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)

// rig is the driver on a simulated bus with one simulated sensor whose
// true pressure the test sets.
type rig struct {
	clk  *clock.Sim
	bus  *i2csim.Bus
	sim  *sdpsim.Device
	addr uint16
	p, t float64 // the truth
}

func newRig(t *testing.T, o sdpsim.Opts, addr uint16) *rig {
	t.Helper()
	r := &rig{clk: clock.NewSim(t0, 0), addr: addr, p: -12.5, t: 23}
	r.bus = i2csim.New("sim", r.clk.Sleep)
	r.sim = sdpsim.New(r.clk, func(time.Time) (float64, float64) { return r.p, r.t }, o)
	r.bus.Attach(addr, r.sim)
	return r
}

func (r *rig) open(t *testing.T) *sdp8xx.Dev {
	t.Helper()
	d, err := sdp8xx.New(r.bus, &sdp8xx.Opts{Addr: r.addr, Clock: r.clk})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (r *rig) started(t *testing.T) *sdp8xx.Dev {
	t.Helper()
	d := r.open(t)
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	r.clk.Sleep(10 * time.Millisecond)
	return d
}

func TestSenseScaling(t *testing.T) {
	for _, tc := range []struct {
		product string
		addr    uint16
		name    string
		p       float64
		want    float64 // what the 16-bit output can say: round(p·scale)/scale
	}{
		{"SDP810-500Pa", 0x25, "SDP810-500Pa", -12.5, -12.5},
		{"SDP810-500Pa", 0x25, "SDP810-500Pa", -0.123, -7.0 / 60},
		{"SDP810-500Pa", 0x25, "SDP810-500Pa", 480, 480},
		{"SDP810-125Pa", 0x25, "SDP810-125Pa", -0.123, -30.0 / 240},
		{"SDP810-125Pa", 0x25, "SDP810-125Pa", -120, -120},
		{"SDP811-500Pa", 0x26, "SDP811-500Pa", 3.2, 3.2},
		{"SDP31", 0x21, "SDP31-500Pa", -5.01, -301.0 / 60},
		{"SDP32", 0x22, "SDP32-125Pa", 1.001, 240.0 / 240},
	} {
		r := newRig(t, sdpsim.Opts{Product: tc.product, Ideal: true, Serial: 0xABCDEF}, tc.addr)
		r.p, r.t = tc.p, -3.7
		d := r.started(t)
		if d.Product() != tc.name || d.Serial() != 0xABCDEF {
			t.Errorf("%s: Product, Serial = %q, %X", tc.product, d.Product(), d.Serial())
		}
		var got sdp8xx.Reading
		if err := d.Sense(&got); err != nil {
			t.Fatalf("%s: %v", tc.product, err)
		}
		if math.Abs(got.Pressure-tc.want) > 1e-12 || got.Temperature != -3.7 {
			t.Errorf("%s at %g Pa: Sense = %+v, want %g Pa, -3.7 °C", tc.product, tc.p, got, tc.want)
		}
	}
}

func TestString(t *testing.T) {
	r := newRig(t, sdpsim.Opts{Ideal: true, Serial: 0x9B994E22}, sdp8xx.DefaultAddr)
	d := r.open(t)
	if got, want := d.String(), "SDP810-500Pa{sim 0x25 000000009B994E22}"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestNotReadyUntil10ms: Sensirion's driver reads 10 ms after a start,
// and the twin refuses a read sooner.
func TestNotReadyUntil10ms(t *testing.T) {
	r := newRig(t, sdpsim.Opts{Ideal: true}, sdp8xx.DefaultAddr)
	d := r.open(t)
	var got sdp8xx.Reading
	if err := d.Sense(&got); err == nil || !strings.Contains(err.Error(), "call Start") {
		t.Fatalf("Sense before Start = %v, want a 'call Start' error", err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	reads := r.sim.Reads()
	r.clk.Sleep(9 * time.Millisecond)
	if err := d.Sense(&got); !errors.Is(err, sdp8xx.ErrNotReady) || !errors.Is(err, sensirion.ErrNotReady) {
		t.Fatalf("Sense 9 ms after Start = %v, want ErrNotReady", err)
	}
	if r.sim.Reads() != reads {
		t.Error("Sense before the first result read the bus; the sensor would NACK it")
	}
	if got != (sdp8xx.Reading{}) {
		t.Errorf("ErrNotReady filled the reading: %+v", got)
	}
	r.clk.Sleep(time.Millisecond)
	if err := d.Sense(&got); err != nil || got.Pressure != -12.5 {
		t.Fatalf("Sense at 10 ms = %+v, %v", got, err)
	}
}

func TestBadCRC(t *testing.T) {
	r := newRig(t, sdpsim.Opts{Ideal: true}, sdp8xx.DefaultAddr)
	d := r.started(t)
	r.bus.Inject(r.addr, i2csim.Fault{Kind: i2csim.FaultCorrupt, Count: 1})
	got := sdp8xx.Reading{Pressure: 99}
	err := d.Sense(&got)
	var ce *sensirion.CRCError
	if !errors.Is(err, sdp8xx.ErrCRC) || !errors.As(err, &ce) || ce.Word != 0 {
		t.Fatalf("Sense with a corrupt frame = %v, want a CRC error in word 0", err)
	}
	if !strings.HasPrefix(err.Error(), "sdp8xx: read measurement: ") {
		t.Errorf("error %q does not say what failed", err)
	}
	if got.Pressure != 99 {
		t.Errorf("a corrupt frame changed the reading to %+v", got)
	}
	if err := d.Sense(&got); err != nil || got.Pressure != -12.5 {
		t.Fatalf("Sense after the fault = %+v, %v", got, err)
	}
}

func TestNACK(t *testing.T) {
	r := newRig(t, sdpsim.Opts{Ideal: true}, sdp8xx.DefaultAddr)
	d := r.started(t)
	r.bus.Inject(r.addr, i2csim.Fault{Kind: i2csim.FaultNACK, Count: 1})
	var got sdp8xx.Reading
	err := d.Sense(&got)
	if !errors.Is(err, i2csim.ErrNACK) || !errors.Is(err, syscall.EREMOTEIO) || errors.Is(err, sdp8xx.ErrNotReady) {
		t.Fatalf("Sense with a NACK = %v, want a NACK that is not ErrNotReady", err)
	}
	if err := d.Sense(&got); err != nil || got.Pressure != -12.5 {
		t.Fatalf("Sense after the NACK = %+v, %v", got, err)
	}
}

func TestDisconnectAndRecovery(t *testing.T) {
	r := newRig(t, sdpsim.Opts{Ideal: true}, sdp8xx.DefaultAddr)
	d := r.started(t)
	var got sdp8xx.Reading

	// A loose cable: nothing answers, and the sensor keeps measuring.
	r.bus.Disconnect(r.addr)
	for range 3 {
		r.clk.Sleep(time.Second)
		if err := d.Sense(&got); !errors.Is(err, i2csim.ErrNACK) {
			t.Fatalf("Sense while disconnected = %v, want a NACK", err)
		}
	}
	r.bus.Reconnect(r.addr)
	r.p = -6
	if err := d.Sense(&got); err != nil || got.Pressure != -6 {
		t.Fatalf("Sense after reconnecting = %+v, %v", got, err)
	}

	// A brown-out: the sensor comes back idle and refuses reads until the
	// caller starts it again.
	r.sim.PowerCycle()
	if err := d.Sense(&got); !errors.Is(err, i2csim.ErrNACK) {
		t.Fatalf("Sense after a power cycle = %v, want a NACK", err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	if err := d.Sense(&got); !errors.Is(err, sdp8xx.ErrNotReady) {
		t.Fatalf("Sense straight after restarting = %v, want ErrNotReady", err)
	}
	r.clk.Sleep(10 * time.Millisecond)
	if err := d.Sense(&got); err != nil || got.Pressure != -6 {
		t.Fatalf("Sense after restarting = %+v, %v", got, err)
	}
}

func TestNewStopsARunningMeasurement(t *testing.T) {
	r := newRig(t, sdpsim.Opts{Ideal: true}, sdp8xx.DefaultAddr)
	// A previous daemon left the sensor measuring.
	if err := r.bus.Tx(r.addr, []byte{0x36, 0x15}, nil); err != nil {
		t.Fatal(err)
	}
	d := r.open(t)
	if r.sim.Measuring() {
		t.Fatal("New left the sensor measuring")
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	// Start again while it runs: the sensor refuses, the driver stops and
	// restarts it.
	if err := d.Start(); err != nil {
		t.Fatalf("second Start = %v", err)
	}
	if !r.sim.Measuring() {
		t.Fatal("not measuring after Start")
	}
}

func TestHalt(t *testing.T) {
	r := newRig(t, sdpsim.Opts{Ideal: true}, sdp8xx.DefaultAddr)
	d := r.started(t)
	if err := d.Halt(); err != nil {
		t.Fatal(err)
	}
	if r.sim.Measuring() {
		t.Fatal("Halt left the sensor measuring")
	}
	if err := d.Halt(); err != nil {
		t.Fatalf("Halt when idle = %v", err)
	}
	var got sdp8xx.Reading
	if err := d.Sense(&got); err == nil {
		t.Fatal("Sense after Halt succeeded")
	}
	r.bus.Disconnect(r.addr)
	if err := d.Halt(); !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), "sdp8xx: halt") {
		t.Fatalf("Halt with no sensor = %v, want a NACK", err)
	}
}

func TestStop(t *testing.T) {
	r := newRig(t, sdpsim.Opts{Ideal: true}, sdp8xx.DefaultAddr)
	d := r.started(t)
	if err := d.Stop(); err != nil || r.sim.Measuring() {
		t.Fatalf("Stop = %v, measuring %v", err, r.sim.Measuring())
	}
	r.bus.Disconnect(r.addr)
	if err := d.Stop(); !errors.Is(err, i2csim.ErrNACK) {
		t.Fatalf("Stop with no sensor = %v", err)
	}
}

func TestReset(t *testing.T) {
	r := newRig(t, sdpsim.Opts{Ideal: true}, sdp8xx.DefaultAddr)
	r.bus.Attach(0x00, sdpsim.GeneralCall(r.sim))
	d := r.started(t)
	if err := d.Reset(); err != nil {
		t.Fatal(err)
	}
	if r.sim.Measuring() {
		t.Fatal("the sensor still measures after the reset")
	}
	var got sdp8xx.Reading
	if err := d.Sense(&got); err == nil || !strings.Contains(err.Error(), "call Start") {
		t.Fatalf("Sense after Reset = %v, want 'call Start'", err)
	}
	if err := d.Start(); err != nil {
		t.Fatalf("Start after Reset = %v (the driver must wait out the reset)", err)
	}
	r.clk.Sleep(10 * time.Millisecond)
	if err := d.Sense(&got); err != nil || got.Pressure != -12.5 {
		t.Fatalf("Sense after Reset and Start = %+v, %v", got, err)
	}
	// A bus where nothing answers the general call.
	r.bus.Disconnect(0x00)
	if err := d.Reset(); !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), "general call") {
		t.Fatalf("Reset unanswered = %v", err)
	}
}

func TestSaturated(t *testing.T) {
	r := newRig(t, sdpsim.Opts{Ideal: true}, sdp8xx.DefaultAddr)
	r.p = -900 // beyond the ±546 Pa the 16-bit output can carry at 60/Pa
	d := r.started(t)
	got := sdp8xx.Reading{Pressure: 1}
	if err := d.Sense(&got); !errors.Is(err, sdp8xx.ErrOutOfRange) {
		t.Fatalf("Sense of a pinned output = %v, want ErrOutOfRange", err)
	}
	if got.Pressure != 1 {
		t.Errorf("a pinned output changed the reading to %+v", got)
	}
}

func TestNewNoSensor(t *testing.T) {
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	_, err := sdp8xx.New(bus, &sdp8xx.Opts{Clock: clk})
	if !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), "no SDP3x/SDP8xx answering at 0x25") {
		t.Fatalf("New on an empty bus = %v", err)
	}
}

func TestNewBadAddress(t *testing.T) {
	_, err := sdp8xx.New(i2csim.New("sim", nil), &sdp8xx.Opts{Addr: 0x125})
	if err == nil || !strings.Contains(err.Error(), "7-bit") {
		t.Fatalf("New = %v, want an address error", err)
	}
}

func BenchmarkSense(b *testing.B) {
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	bus.Attach(sdp8xx.DefaultAddr, sdpsim.New(clk, func(time.Time) (float64, float64) { return -8, 22 }, sdpsim.Opts{}))
	d, err := sdp8xx.New(bus, &sdp8xx.Opts{Clock: clk})
	if err != nil {
		b.Fatal(err)
	}
	if err := d.Start(); err != nil {
		b.Fatal(err)
	}
	clk.Sleep(10 * time.Millisecond)
	var r sdp8xx.Reading
	b.ReportAllocs()
	for b.Loop() {
		clk.Advance(time.Second)
		if err := d.Sense(&r); err != nil {
			b.Fatal(err)
		}
	}
}

func TestNewWakesASleepingSensor(t *testing.T) {
	r := newRig(t, sdpsim.Opts{Ideal: true}, sdp8xx.DefaultAddr)
	if err := r.bus.Tx(r.addr, []byte{0x36, 0x77}, nil); err != nil {
		t.Fatal(err)
	}
	d := r.open(t)
	if r.sim.Asleep() || d.Product() != "SDP810-500Pa" {
		t.Fatalf("New on a sleeping sensor: asleep %v, product %q", r.sim.Asleep(), d.Product())
	}
}

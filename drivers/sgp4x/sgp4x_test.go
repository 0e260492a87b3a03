package sgp4x_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/drivers/sgp4x"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/sgp41sim"
)

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

type rig struct {
	clk *clock.Sim
	bus *i2csim.Bus
	sim *sgp41sim.Device
	dev *sgp4x.Dev
}

func newRig(t testing.TB, src air.Source, o sgp41sim.Opts) *rig {
	t.Helper()
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	sim := sgp41sim.New(clk, src, o)
	bus.Attach(sgp41sim.Addr, sim)
	dev, err := sgp4x.New(bus, &sgp4x.Opts{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{clk, bus, sim, dev}
}

// condition runs the datasheet's start-up: conditioning once a second for
// about 10 s.
func (r *rig) condition(t testing.TB) {
	t.Helper()
	for range 9 {
		if _, err := r.dev.Condition(sgp4x.DefaultRH, sgp4x.DefaultTempC); err != nil {
			t.Fatal(err)
		}
		r.clk.Sleep(time.Second - 50*time.Millisecond)
	}
}

func (r *rig) measure(t testing.TB, a air.State) sgp4x.Raw {
	t.Helper()
	raw, err := r.dev.MeasureRaw(a.Humidity, a.Temperature)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestNormalReadings(t *testing.T) {
	smoky := air.Clean
	smoky.VOC, smoky.NOx = 2000, 60
	var a air.State = air.Clean
	r := newRig(t, air.Func(func(time.Time) air.State { return a }), sgp41sim.Opts{Seed: 7})
	if r.dev.Variant() != sgp4x.SGP41 || r.dev.String() != "SGP41{sim, 0x59}" {
		t.Fatalf("detected %v, String %q", r.dev.Variant(), r.dev)
	}
	if s, err := r.dev.Serial(); err != nil || s != r.sim.Serial() {
		t.Fatalf("Serial = 0x%012x, %v; want 0x%012x", s, err, r.sim.Serial())
	}
	if _, err := r.dev.Condition(sgp4x.DefaultRH, sgp4x.DefaultTempC); err != nil {
		t.Fatal(err)
	}
	r.condition(t)
	var clean sgp4x.Raw
	for range 60 {
		clean = r.measure(t, a)
		r.clk.Sleep(time.Second)
	}
	if clean.VOC < 26000 || clean.VOC > 28000 || clean.NOx < 15400 || clean.NOx > 16600 {
		t.Fatalf("clean air: %+v, want VOC ~27000 and NOx ~16000", clean)
	}
	a = smoky
	var smoke sgp4x.Raw
	for range 30 {
		smoke = r.measure(t, a)
		r.clk.Sleep(time.Second)
	}
	if d := int(clean.VOC) - int(smoke.VOC); d < 300 || d > 600 {
		t.Errorf("2000 ppb VOC lowered SRAW_VOC by %d ticks, want 300–600", d)
	}
	if smoke.NOx <= clean.NOx+1000 {
		t.Errorf("60 ppb NOx: SRAW_NOX %d, clean %d: want a rise", smoke.NOx, clean.NOx)
	}
}

func TestNaNCompensationRefused(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sgp41sim.Opts{})
	before := r.bus.Transfers()
	_, err := r.dev.MeasureRaw(math.NaN(), 21)
	if err == nil || !strings.Contains(err.Error(), "sgp4x.DefaultRH") {
		t.Fatalf("NaN humidity: %v", err)
	}
	if r.bus.Transfers() != before {
		t.Fatal("a NaN compensation reached the bus")
	}
}

func TestBadCRC(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sgp41sim.Opts{})
	r.bus.Inject(sgp41sim.Addr, i2csim.Fault{Kind: i2csim.FaultCorrupt, Count: 1})
	_, err := r.dev.MeasureRaw(45, 21)
	var ce *sensirion.CRCError
	if !errors.Is(err, sensirion.ErrCRC) || !errors.Is(err, sgp4x.ErrCRC) || !errors.As(err, &ce) {
		t.Fatalf("corrupt answer: err = %v, want a CRC error", err)
	}
	if !strings.HasPrefix(err.Error(), "sgp4x: measure raw signals:") {
		t.Errorf("error %q does not say where", err)
	}
	r.clk.Sleep(time.Second)
	if _, err := r.dev.MeasureRaw(45, 21); err != nil {
		t.Fatalf("after the corrupt frame: %v", err)
	}
}

func TestNACK(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sgp41sim.Opts{})
	r.bus.Inject(sgp41sim.Addr, i2csim.Fault{Kind: i2csim.FaultNACK, Count: 1})
	if _, err := r.dev.MeasureRaw(45, 21); !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), "0x2619") {
		t.Fatalf("NACKed command: err = %v", err)
	}
	r.clk.Sleep(time.Second)
	if _, err := r.dev.MeasureRaw(45, 21); err != nil {
		t.Fatalf("after the NACK: %v", err)
	}
}

func TestReadBeforeReady(t *testing.T) {
	// A part 5 ms slower than the datasheet NACKs the first read; the
	// driver polls again and gets the answer.
	r := newRig(t, air.Fixed(air.Clean), sgp41sim.Opts{ExtraExec: 5 * time.Millisecond})
	before := r.bus.Transfers()
	if _, err := r.dev.MeasureRaw(45, 21); err != nil {
		t.Fatalf("slightly slow sensor: %v", err)
	}
	// Command, NACKed read, read.
	if n := r.bus.Transfers() - before; n != 3 {
		t.Fatalf("%d transfers, want 3: the first read should have found the sensor busy", n)
	}
	if err := r.dev.SelfTest(); err != nil {
		t.Fatalf("slightly slow self-test: %v", err)
	}
	// One that never finishes in time is an error that says so: swap in
	// a part that takes a second longer than the datasheet.
	slow := sgp41sim.New(r.clk, air.Fixed(air.Clean), sgp41sim.Opts{ExtraExec: time.Second})
	r.bus.Attach(sgp41sim.Addr, slow)
	_, err := r.dev.MeasureRaw(45, 21)
	if !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), "still no answer") {
		t.Fatalf("sensor busy past every retry: %v", err)
	}
	r.clk.Sleep(2 * time.Second)
	if _, err := sgp4x.New(r.bus, &sgp4x.Opts{Clock: r.clk}); !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), "still no answer") {
		t.Fatalf("New on a sensor that never answers in time: %v", err)
	}
}

func TestDisconnectAndRecovery(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sgp41sim.Opts{})
	r.measure(t, air.Clean)
	r.bus.Disconnect(sgp41sim.Addr)
	for range 3 {
		r.clk.Sleep(time.Second)
		if _, err := r.dev.MeasureRaw(45, 21); !errors.Is(err, i2csim.ErrNACK) {
			t.Fatalf("disconnected: err = %v, want a NACK", err)
		}
	}
	r.bus.Reconnect(sgp41sim.Addr)
	r.clk.Sleep(time.Second)
	if raw := r.measure(t, air.Clean); raw.VOC < 25000 {
		t.Fatalf("after reconnecting: %+v", raw)
	}
}

func TestConditioningLimit(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sgp41sim.Opts{})
	// Once a second: the steps at 0 … 9 s end within 10 s.
	for i := range 10 {
		if _, err := r.dev.Condition(sgp4x.DefaultRH, sgp4x.DefaultTempC); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		r.clk.Sleep(time.Second - 50*time.Millisecond)
	}
	before := r.bus.Transfers()
	_, err := r.dev.Condition(sgp4x.DefaultRH, sgp4x.DefaultTempC)
	if !errors.Is(err, sgp4x.ErrConditioningLimit) || !strings.Contains(err.Error(), "HeaterOff") {
		t.Fatalf("step at 10 s: err = %v, want the conditioning limit", err)
	}
	if r.bus.Transfers() != before {
		t.Fatal("the refused step reached the sensor")
	}
	r.measure(t, air.Clean)
	if r.sim.NOxDamaged() {
		t.Fatal("10 s of conditioning damaged the NOx pixel")
	}
	// Conditioning is also refused later in the same heater cycle …
	r.clk.Sleep(time.Minute)
	if _, err := r.dev.Condition(50, 25); !errors.Is(err, sgp4x.ErrConditioningLimit) {
		t.Fatalf("conditioning a minute into measuring: %v", err)
	}
	// … and allowed again after the heater was off.
	if err := r.dev.HeaterOff(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.dev.Condition(50, 25); err != nil {
		t.Fatalf("after HeaterOff: %v", err)
	}
}

func TestConditioningOverrunDamagesSensor(t *testing.T) {
	// The sensor conditions until its next command: a caller that waits
	// after the last step overruns the limit, and the self-test shows it.
	r := newRig(t, air.Fixed(air.Clean), sgp41sim.Opts{})
	if _, err := r.dev.Condition(50, 25); err != nil {
		t.Fatal(err)
	}
	r.clk.Sleep(12 * time.Second)
	r.measure(t, air.Clean)
	err := r.dev.SelfTest()
	var st *sgp4x.SelfTestError
	if !errors.Is(err, sgp4x.ErrSelfTest) || !errors.As(err, &st) || !st.NOx() || st.VOC() {
		t.Fatalf("self-test after 12 s of conditioning: %v", err)
	}
}

func TestSelfTest(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sgp40    bool
		voc, nox bool
		want     string
	}{
		{"SGP41 pass", false, false, false, ""},
		{"SGP41 VOC pixel", false, true, false, "VOC pixel (result 0x0001)"},
		{"SGP41 NOx pixel", false, false, true, "NOx pixel (result 0x0002)"},
		{"SGP41 both", false, true, true, "VOC pixel and NOx pixel (result 0x0003)"},
		{"SGP40 pass", true, false, false, ""},
		{"SGP40 fail", true, true, false, "VOC pixel (result 0x4b00)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, air.Fixed(air.Clean), sgp41sim.Opts{SGP40: tc.sgp40})
			r.sim.SetSelfTestFailure(tc.voc, tc.nox)
			err := r.dev.SelfTest()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var st *sgp4x.SelfTestError
			if !errors.As(err, &st) || !errors.Is(err, sgp4x.ErrSelfTest) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if st.VOC() != tc.voc || st.NOx() != tc.nox {
				t.Fatalf("VOC %v NOx %v, want %v %v", st.VOC(), st.NOx(), tc.voc, tc.nox)
			}
		})
	}
}

func TestHeaterOff(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sgp41sim.Opts{})
	if r.sim.HeaterOn() {
		t.Fatal("heater on at power-up")
	}
	r.measure(t, air.Clean)
	if !r.sim.HeaterOn() {
		t.Fatal("measuring left the heater off")
	}
	if err := r.dev.HeaterOff(); err != nil || r.sim.HeaterOn() {
		t.Fatalf("HeaterOff: %v, heater on %v", err, r.sim.HeaterOn())
	}
	r.measure(t, air.Clean)
	if err := r.dev.Halt(); err != nil || r.sim.HeaterOn() {
		t.Fatalf("Halt: %v, heater on %v", err, r.sim.HeaterOn())
	}
	r.bus.Disconnect(sgp41sim.Addr)
	if err := r.dev.Halt(); !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), "turn heater off") {
		t.Fatalf("Halt disconnected: %v", err)
	}
}

func TestSGP40(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sgp41sim.Opts{SGP40: true, Seed: 3})
	if r.dev.Variant() != sgp4x.SGP40 || r.dev.String() != "SGP40{sim, 0x59}" {
		t.Fatalf("detected %v, String %q", r.dev.Variant(), r.dev)
	}
	raw := r.measure(t, air.Clean)
	if raw.NOx != 0 || raw.VOC < 26000 || raw.VOC > 28000 {
		t.Fatalf("SGP40 reading %+v, want VOC ~27000 and no NOx", raw)
	}
	if _, err := r.dev.Condition(50, 25); !errors.Is(err, sgp4x.ErrNotSupported) {
		t.Fatalf("conditioning an SGP40: %v", err)
	}
	// Told it is an SGP41, the driver's commands are refused, not misread.
	d, err := sgp4x.New(r.bus, &sgp4x.Opts{Clock: r.clk, Variant: sgp4x.SGP41})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.MeasureRaw(50, 25); !errors.Is(err, i2csim.ErrNACK) {
		t.Fatalf("SGP41 command to an SGP40: %v", err)
	}
}

func TestNewBadOptions(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sgp41sim.Opts{})
	if _, err := sgp4x.New(r.bus, &sgp4x.Opts{Clock: r.clk, Variant: 9}); err == nil || !strings.Contains(err.Error(), "sgp4x.SGP41") {
		t.Fatalf("bad variant: %v", err)
	}
	if _, err := sgp4x.New(r.bus, &sgp4x.Opts{Clock: r.clk, Addr: 0x58}); !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), "Opts.Variant") {
		t.Fatalf("nothing at 0x58: %v", err)
	}
}

func BenchmarkMeasureRaw(b *testing.B) {
	r := newRig(b, air.Fixed(air.Clean), sgp41sim.Opts{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.dev.MeasureRaw(45, 21); err != nil {
			b.Fatal(err)
		}
		r.clk.Advance(time.Second)
	}
}

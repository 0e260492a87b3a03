package scd41sim

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
)

type rig struct {
	t   *testing.T
	clk *clock.Sim
	bus *i2csim.Bus
	dev *Device
}

func newRig(t *testing.T, src air.Source, o Opts) *rig {
	clk := clock.NewSim(time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC), 0)
	bus := i2csim.New("sim", clk.Sleep)
	dev := New(clk, src, o)
	bus.Attach(Addr, dev)
	return &rig{t, clk, bus, dev}
}

// cmd writes a command with arguments, waits exec and reads n words.
func (r *rig) cmd(code uint16, exec time.Duration, n int, args ...uint16) ([]uint16, error) {
	if err := r.bus.Tx(Addr, sensirion.Command(code, args...), nil); err != nil {
		return nil, err
	}
	r.clk.Sleep(exec)
	if n == 0 {
		return nil, nil
	}
	buf := make([]byte, 3*n)
	if err := r.bus.Tx(Addr, nil, buf); err != nil {
		return nil, err
	}
	return sensirion.DecodeWords(buf)
}

func (r *rig) must(code uint16, exec time.Duration, n int, args ...uint16) []uint16 {
	r.t.Helper()
	w, err := r.cmd(code, exec, n, args...)
	if err != nil {
		r.t.Fatalf("command 0x%04x: %v", code, err)
	}
	return w
}

func (r *rig) measurement() (co2, t, rh float64) {
	r.t.Helper()
	w := r.must(0xec05, ms, 3)
	return float64(w[0]), -45 + 175*float64(w[1])/65535, 100 * float64(w[2]) / 65535
}

func TestDataReadyAndInterval(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), Opts{Quiet: true})
	r.must(0x21b1, 0, 0)
	if w := r.must(0xe4b8, ms, 1); w[0]&0x7ff != 0 {
		t.Fatalf("data ready 0x%04x right after start", w[0])
	}
	if _, err := r.cmd(0xec05, ms, 3); !errors.Is(err, i2csim.ErrNACK) {
		t.Fatalf("read of empty buffer: %v, want NACK", err)
	}
	r.clk.Sleep(5 * time.Second)
	if w := r.must(0xe4b8, ms, 1); w[0] != 0x8006 {
		t.Fatalf("data ready after 5 s = 0x%04x", w[0])
	}
	r.measurement()
	if w := r.must(0xe4b8, ms, 1); w[0]&0x7ff != 0 {
		t.Fatal("buffer not emptied by the read")
	}
	r.must(0x3f86, 500*ms, 0)
	r.must(0x21ac, 0, 0)
	r.clk.Sleep(29 * time.Second)
	if w := r.must(0xe4b8, ms, 1); w[0]&0x7ff != 0 {
		t.Fatal("low power data before 30 s")
	}
	r.clk.Sleep(time.Second)
	if w := r.must(0xe4b8, ms, 1); w[0]&0x7ff == 0 {
		t.Fatal("no low power data at 30 s")
	}
}

func TestExecutionTimeAndState(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), Opts{})
	if _, err := r.cmd(0x3639, 9*time.Second, 1); !errors.Is(err, i2csim.ErrNACK) {
		t.Fatalf("self test read at 9 s: %v, want NACK", err)
	}
	r.clk.Sleep(time.Second)
	if err := r.bus.Tx(Addr, nil, make([]byte, 3)); err != nil {
		t.Fatalf("self test read at 10 s: %v", err)
	}
	r.must(0x21b1, 0, 0)
	for _, code := range []uint16{0x2318, 0x2313, 0x3682, 0x3615, 0x21b1} {
		if _, err := r.cmd(code, ms, 0); !errors.Is(err, i2csim.ErrNACK) {
			t.Errorf("0x%04x during periodic measurement: %v, want NACK", code, err)
		}
	}
	r.must(0xe000, ms, 0, 987)
	if w := r.must(0xe000, ms, 1); w[0] != 987 {
		t.Errorf("ambient pressure = %d hPa", w[0])
	}
	bad := sensirion.Command(0xe000, 1000)
	bad[4] ^= 1
	if err := r.bus.Tx(Addr, bad, nil); !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("argument with bad CRC: %v, want NACK", err)
	}
}

func TestFRCNeedsThreeMinutes(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), Opts{Seed: 3, Quiet: true})
	r.must(0x21b1, 0, 0)
	r.clk.Sleep(2 * time.Minute)
	r.must(0x3f86, 500*ms, 0)
	if w := r.must(0x362f, 400*ms, 1, 420); w[0] != 0xffff {
		t.Fatalf("FRC after 2 min = 0x%04x, want 0xffff", w[0])
	}
	r.must(0x21b1, 0, 0)
	r.clk.Sleep(4 * time.Minute)
	r.must(0x3f86, 500*ms, 0)
	w := r.must(0x362f, 400*ms, 1, 420)
	want := -r.dev.CalibrationError(420)
	if got := float64(int(w[0]) - 0x8000); math.Abs(got-want) > 1 {
		t.Fatalf("FRC correction %v ppm, want %.1f", got, want)
	}
}

func TestResponseLag(t *testing.T) {
	start := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	step := air.Func(func(t time.Time) air.State {
		a := air.Clean
		a.CO2 = 400
		if t.Sub(start) >= 10*time.Second {
			a.CO2 = 1400
		}
		return a
	})
	r := newRig(t, step, Opts{Quiet: true})
	r.dev.unitErr = 0
	r.must(0x21b1, 0, 0)
	// Readings every 5 s from t=5 s: the step at 10 s is 63% through at 70 s.
	var at70 float64
	for i := 1; i <= 14; i++ {
		r.clk.Sleep(start.Add(time.Duration(i) * 5 * time.Second).Sub(r.clk.Now()))
		co2, _, _ := r.measurement()
		if i == 14 {
			at70 = co2
		}
	}
	if math.Abs(at70-(400+0.632*1000)) > 10 {
		t.Fatalf("60 s after a 1000 ppm step the reading is %v, want about 1032", at70)
	}
}

func TestAltitudeAndOffset(t *testing.T) {
	a := air.Clean
	a.CO2, a.Temperature, a.Humidity = 1000, 22, 40
	r := newRig(t, air.Fixed(a), Opts{Quiet: true, Altitude: 1500})
	r.dev.unitErr = 0
	r.must(0x2427, ms, 0, 1500)
	r.must(0x241d, ms, 0, uint16(math.Round(6*65535/175.0))) // 2 °C too much
	r.must(0x21b1, 0, 0)
	r.clk.Sleep(5 * time.Second)
	co2, temp, rh := r.measurement()
	if math.Abs(co2-1000) > 1 || math.Abs(temp-20) > 0.01 || rh <= 40 {
		t.Fatalf("got %v ppm %v °C %v %%RH, want 1000 ppm, 20 °C and RH above 40", co2, temp, rh)
	}
	r.must(0xe000, ms, 0, 1013) // sea-level pressure at 1500 m: reads low
	r.clk.Sleep(5 * time.Second)
	if co2, _, _ := r.measurement(); co2 > 900 {
		t.Fatalf("uncompensated reading at 1500 m = %v ppm, want about 835", co2)
	}
}

func TestPersistReinitPowerCycle(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), Opts{})
	r.must(0x2416, ms, 0, 0)
	r.must(0x3615, 800*ms, 0)
	r.must(0x2427, ms, 0, 300)
	r.must(0x3646, 20*ms, 0)
	// Sensirion's driver waits 30 ms after reinit; sooner is refused.
	if _, err := r.cmd(0x2322, ms, 1); !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("command 20 ms after reinit: %v, want a NACK", err)
	}
	r.clk.Sleep(10 * ms)
	if w := r.must(0x2322, ms, 1); w[0] != 0 {
		t.Errorf("altitude after reinit = %d, want the stored 0", w[0])
	}
	r.dev.PowerCycle()
	r.clk.Sleep(30 * ms)
	if w := r.must(0x2313, ms, 1); w[0] != 0 {
		t.Errorf("ASC after power cycle = %d, want the persisted 0", w[0])
	}
	r.must(0x3632, 1200*ms, 0)
	if w := r.must(0x2313, ms, 1); w[0] != 1 {
		t.Errorf("ASC after factory reset = %d, want 1", w[0])
	}
	if n := r.dev.EEPROMWrites(); n != 1 {
		t.Errorf("EEPROM writes = %d, want 1", n)
	}
	r.must(0x36e0, ms, 0)
	if _, err := r.cmd(0x3682, ms, 3); !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("serial while powered down: %v", err)
	}
	if _, err := r.cmd(0x36f6, 0, 0); !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("wake_up was acknowledged: %v", err)
	}
	// Sensirion's driver waits 30 ms after wake_up; sooner is refused.
	r.clk.Sleep(29 * ms)
	if _, err := r.cmd(0x3682, ms, 3); !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("serial 29 ms after wake_up: %v, want a NACK", err)
	}
	r.clk.Sleep(ms)
	if w := r.must(0x3682, ms, 3); uint64(w[0])<<32|uint64(w[1])<<16|uint64(w[2]) != r.dev.Serial() {
		t.Errorf("serial after wake up = %x", w)
	}
}

func TestASCPullsLowestTo400(t *testing.T) {
	a := air.Clean
	a.CO2 = 900 // a room that never airs out
	r := newRig(t, air.Fixed(a), Opts{Quiet: true})
	r.dev.unitErr = 0
	r.must(0x21ac, 0, 0) // low power keeps the simulated 44 h cheap
	r.clk.Sleep(45 * time.Hour)
	r.must(0xe4b8, ms, 1) // let the device catch up
	r.clk.Sleep(30 * time.Second)
	if co2, _, _ := r.measurement(); math.Abs(co2-400) > 1 {
		t.Fatalf("after 44 h of ASC at 900 ppm the sensor reads %v, want 400", co2)
	}
}

func TestStuckAndSCD40(t *testing.T) {
	src := air.Func(func(t time.Time) air.State {
		a := air.Clean
		a.CO2 = 400 + float64(t.Unix()%600)
		return a
	})
	r := newRig(t, src, Opts{Quiet: true, SCD40: true})
	if _, err := r.cmd(0x219d, 5*time.Second, 0); !errors.Is(err, i2csim.ErrNACK) {
		t.Fatalf("SCD40 single shot: %v, want NACK", err)
	}
	r.must(0x21b1, 0, 0)
	r.clk.Sleep(5 * time.Second)
	first, _, _ := r.measurement()
	r.dev.SetStuck(true)
	for range 3 {
		r.clk.Sleep(5 * time.Second)
		if co2, _, _ := r.measurement(); co2 != first {
			t.Fatalf("stuck sensor reads %v, then %v", first, co2)
		}
	}
	r.must(0x3f86, 500*ms, 0)
	if w := r.must(0x3639, 10*time.Second, 1); w[0] == 0 {
		t.Fatal("stuck sensor passes its self test")
	}
}

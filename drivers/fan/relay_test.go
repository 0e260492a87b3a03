package fan_test

import (
	"errors"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/fan"
)

func newRelay(t *testing.T, opts fan.RelayOpts) (*fan.Relay, *gpiotest.Pin, *clock.Sim) {
	t.Helper()
	pin := &gpiotest.Pin{N: "GPIO17", Num: 17}
	clk := clock.NewSim(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 0)
	opts.Clock = clk
	r, err := fan.NewRelay(pin, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r, pin, clk
}

func set(t *testing.T, r *fan.Relay, d float64) {
	t.Helper()
	if err := r.SetDuty(d); err != nil {
		t.Fatal(err)
	}
}

func TestRelayMinHold(t *testing.T) {
	r, pin, clk := newRelay(t, fan.RelayOpts{})
	set(t, r, 0.49)
	if pin.Read() != gpio.Low || r.On() {
		t.Fatal("0.49 switched the fan on; the default threshold is 0.5")
	}
	clk.Advance(5 * time.Second)
	set(t, r, 0.5) // on is the safe direction: at once, hold or not
	if pin.Read() != gpio.High || !r.On() {
		t.Fatal("switching on waited for the hold")
	}
	clk.Advance(10 * time.Second)
	set(t, r, 0) // within 30 s of switching on: remembered
	if pin.Read() != gpio.High {
		t.Fatal("switched off 10 s after switching on")
	}
	clk.Advance(19 * time.Second)
	set(t, r, 0.2)
	if pin.Read() != gpio.High {
		t.Fatal("switched off 29 s after switching on")
	}
	clk.Advance(time.Second)
	set(t, r, 0.2)
	if pin.Read() != gpio.Low || r.On() {
		t.Fatal("not off 30 s after switching on")
	}
	// A request to switch off reversed within the hold never reaches the
	// contacts.
	set(t, r, 1)
	clk.Advance(10 * time.Second)
	set(t, r, 0)
	set(t, r, 1)
	clk.Advance(time.Minute)
	set(t, r, 1)
	if pin.Read() != gpio.High {
		t.Error("a reversed request switched the relay")
	}
}

func TestRelayOptions(t *testing.T) {
	r, pin, _ := newRelay(t, fan.RelayOpts{Threshold: 0.2, MinHold: -1, ActiveLow: true})
	if r.String() != "relay GPIO17" {
		t.Errorf("String() = %q", r.String())
	}
	set(t, r, 0.2)
	if pin.Read() != gpio.Low {
		t.Error("active-low relay on: pin high")
	}
	set(t, r, 0.1)
	if pin.Read() != gpio.High {
		t.Error("active-low relay off without a hold: pin low")
	}
	if _, err := fan.NewRelay(pin, fan.RelayOpts{Threshold: 1.5}); err == nil {
		t.Error("threshold 1.5 accepted")
	}
}

func TestRelayHaltAppliesSafeDuty(t *testing.T) {
	r, pin, clk := newRelay(t, fan.RelayOpts{})
	set(t, r, 1)
	clk.Advance(5 * time.Second)
	set(t, r, 0) // inside the hold: remembered, not applied
	if pin.Read() != gpio.High {
		t.Fatal("switched off inside the hold")
	}
	// The last request before Halt is what holds after ventd exits.
	if err := r.Halt(); err != nil {
		t.Fatal(err)
	}
	if pin.Read() != gpio.Low {
		t.Error("Halt did not apply the last request (off)")
	}
	if err := r.SetDuty(1); !errors.Is(err, fan.ErrHalted) {
		t.Errorf("SetDuty after Halt: %v, want ErrHalted", err)
	}
	if pin.Read() != gpio.Low {
		t.Error("SetDuty after Halt switched the relay")
	}
}

// Running is what a relay does, not what it was asked: full from the
// threshold, and still full while the hold keeps it on.
func TestRunningOnARelay(t *testing.T) {
	r, _, clk := newRelay(t, fan.RelayOpts{})
	for _, c := range []struct {
		after time.Duration
		asked float64
		want  float64
	}{
		{0, 0.3, 0},
		{time.Second, 0.5, 1},
		{10 * time.Second, 0.2, 1}, // held on
		{25 * time.Second, 0.2, 0},
		{time.Second, 0.9, 1},
	} {
		clk.Advance(c.after)
		set(t, r, c.asked)
		if got := fan.Running(r, c.asked); got != c.want {
			t.Fatalf("asked %g: Running %g, want %g", c.asked, got, c.want)
		}
	}
}

func TestRunningOnAVariableFan(t *testing.T) {
	var out fan.Output = &fan.SysfsPWM{} // any Output that is no Switch
	if got := fan.Running(out, 0.37); got != 0.37 {
		t.Fatalf("Running(variable fan, 0.37) = %g", got)
	}
}

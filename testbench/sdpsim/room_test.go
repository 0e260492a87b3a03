package sdpsim_test

import (
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sdp8xx"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/room"
	"github.com/ventd/ventd/testbench/sdpsim"
)

// The room's booth pressure model (testbench/room/pressure.go) is tested
// here, beside the sensor that reads it, so that package keeps its files.

var t0 = time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)

func defaultRoom(t *testing.T) *room.Room {
	t.Helper()
	r, err := room.New(room.Default(), t0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// settle sets the fan's duty and returns the booth pressure once the
// wheel has followed (many spin-up constants later).
func settle(t *testing.T, r *room.Room, duty float64, at *time.Time) float64 {
	t.Helper()
	if err := r.Fan("booth-exhaust").SetDuty(duty); err != nil {
		t.Fatal(err)
	}
	*at = at.Add(time.Minute)
	return r.BoothPressure("booth", *at)
}

func TestBoothPressureDefaultRoom(t *testing.T) {
	r := defaultRoom(t)
	at := t0
	// ΔP = ρ/2·(Q/ΣCd·A)², ΣCd·A = 0.0156 m² grille + 0.00108 m² gaps.
	for _, tc := range []struct{ duty, want float64 }{
		{0.25, -0.936}, // 75 m³/h: misses LEED's 5 Pa average, and its 1 Pa minimum
		{0.50, -3.746},
		{0.75, -8.428},
		{1.00, -14.98},
	} {
		got := settle(t, r, tc.duty, &at)
		t.Logf("duty %3.0f%%: booth %+.2f Pa", tc.duty*100, got)
		if math.Abs(got-tc.want) > 0.01 {
			t.Errorf("duty %g: %g Pa, want %g", tc.duty, got, tc.want)
		}
	}
	// The orifice law: pressure goes with the square of the flow.
	p50, p100 := settle(t, r, 0.5, &at), settle(t, r, 1, &at)
	if math.Abs(p100/p50-4) > 1e-9 {
		t.Errorf("P(100%%)/P(50%%) = %g, want 4", p100/p50)
	}
	// The duty that first holds the LEED 5 Pa average: √(5/15) ≈ 58 %.
	lo, hi := 0.0, 1.0
	for range 40 {
		mid := (lo + hi) / 2
		if settle(t, r, mid, &at) <= -5 {
			hi = mid
		} else {
			lo = mid
		}
	}
	t.Logf("duty for -5 Pa: %.1f%%", hi*100)
	if hi < 0.57 || hi > 0.59 {
		t.Errorf("duty for -5 Pa = %.3f, want about 0.58", hi)
	}
}

func TestBoothPressureDoorAndStall(t *testing.T) {
	r := defaultRoom(t)
	at := t0
	settle(t, r, 1, &at)
	r.SetDoor("booth-door", true)
	at = at.Add(time.Second)
	if p := r.BoothPressure("booth", at); p >= 0 || p < -0.01 {
		t.Errorf("door open at full flow: %g Pa, want a few mPa below 0", p)
	}
	r.SetDoor("booth-door", false)
	at = at.Add(time.Second)
	if p := r.BoothPressure("booth", at); p > -14 {
		t.Errorf("door closed again: %g Pa, want back near -15", p)
	}
	r.SetFanStalled("booth-exhaust", true)
	at = at.Add(time.Second)
	if p := r.BoothPressure("booth", at); p != 0 {
		t.Errorf("stalled fan: %g Pa, want 0", p)
	}
	r.SetFanStalled("booth-exhaust", false)
	if p := settle(t, r, 0, &at); p != 0 {
		t.Errorf("fan off and spun down: %g Pa, want 0", p)
	}
}

func TestBoothPressureFollowsSpinUp(t *testing.T) {
	r := defaultRoom(t)
	at := t0
	low := settle(t, r, 0.25, &at)
	if err := r.Fan("booth-exhaust").SetDuty(1); err != nil {
		t.Fatal(err)
	}
	mid := r.BoothPressure("booth", at.Add(3*time.Second)) // one spin-up constant
	if !(mid < low && mid > -14.98) {
		t.Errorf("3 s into spin-up: %g Pa, want between %g and -14.98", mid, low)
	}
}

func TestBoothPressureNames(t *testing.T) {
	r := defaultRoom(t)
	if p := r.BoothPressure("staff", t0); p != 0 {
		t.Errorf("staff zone: %g Pa, want 0", p)
	}
	if p := r.BoothPressure("nope", t0); !math.IsNaN(p) {
		t.Errorf("unknown zone: %g, want NaN", p)
	}
	if r.PressureSource("nope") != nil {
		t.Error("PressureSource of an unknown zone is not nil")
	}
	p, temp := r.PressureSource("booth")(t0.Add(time.Minute))
	if math.Abs(p+14.98) > 0.01 || temp != 21 {
		t.Errorf("PressureSource = %g Pa, %g °C; want -14.98 (fans start at full) and the staff zone's 21 °C", p, temp)
	}
}

func TestBoothPressureSharedFan(t *testing.T) {
	cfg := room.Default()
	b2 := cfg.Zones[0]
	b2.Name = "booth2"
	cfg.Zones = append(cfg.Zones, b2)
	cfg.Fans[0].Zones = []string{"booth", "booth2"}
	r, err := room.New(cfg, t0)
	if err != nil {
		t.Fatal(err)
	}
	// Half the flow each: a quarter of the pressure.
	at := t0.Add(time.Minute)
	for _, b := range []string{"booth", "booth2"} {
		if p := r.BoothPressure(b, at); math.Abs(p+14.98/4) > 0.01 {
			t.Errorf("%s: %g Pa, want -3.75", b, p)
		}
	}
}

// TestDriverReadsTheRoom is the whole chain: the room's pressure through
// the simulated sensor and the real driver.
func TestDriverReadsTheRoom(t *testing.T) {
	clk := clock.NewSim(t0, 0)
	r := defaultRoom(t)
	bus := i2csim.New("sim", clk.Sleep)
	bus.Attach(sdp8xx.DefaultAddr, sdpsim.New(clk, r.PressureSource("booth"), sdpsim.Opts{Seed: 3}))
	d, err := sdp8xx.New(bus, &sdp8xx.Opts{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	mean := func() float64 {
		var sum float64
		for range 20 {
			clk.Sleep(time.Second)
			var rd sdp8xx.Reading
			if err := d.Sense(&rd); err != nil {
				t.Fatal(err)
			}
			sum += rd.Pressure
		}
		return sum / 20
	}
	clk.Sleep(30 * time.Second) // the fan is at full from the start
	if p := mean(); math.Abs(p+14.98) > 0.03*15+0.15 {
		t.Errorf("booth at full flow reads %.2f Pa, want -15 within the sensor's accuracy", p)
	}
	r.AdvanceTo(clk.Now())
	r.SetDoor("booth-door", true)
	if p := mean(); math.Abs(p) > 0.15 {
		t.Errorf("door open reads %.2f Pa, want about 0", p)
	}
}

package control

import (
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
)

// The staff's price rises where the fans move little air beside the staff
// area's own ventilation, (Qg + Q·u_min)/Q over the room the price is set
// for, never falls below it, and stops at leverageHigh.
func TestStaffLeverage(t *testing.T) {
	for _, c := range []struct {
		name            string
		qg, qFull, qMin float64
		want            float64
	}{
		{"the room the price is set for", 120, 300, 75, 1},
		{"a larger fan: no cheaper than configured", 120, 900, 180, 1},
		{"a fan a bit small: (120+60)/200 over 0.65", 120, 200, 60, (120.0 + 60) / 200 / leverageRef},
		{"an undersized fan: at most leverageHigh", 120, 80, 24, leverageHigh},
		{"a relay (no air at its minimum)", 120, 150, 0, 120.0 / 150 / leverageRef},
		{"no air at full", 120, 0, 0, 1},
		{"not a number", math.NaN(), 300, 75, 1},
	} {
		if got := staffLeverage(c.qg, c.qFull, c.qMin); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: %.4f, want %.4f", c.name, got, c.want)
		}
	}
}

// The room's leverage counts its fans as its booths measured them: the
// simulated room's fan is the reference, and the same fan measured at a
// half its rated air (a clogged filter) buys the staff area's air
// dearer.
func TestRoomLeverageCountsTheAirMeasured(t *testing.T) {
	r, err := NewRoom(simParams(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.leverage(); got != 1 {
		t.Fatalf("the simulated room: leverage %.3f, want 1", got)
	}
	r.booths[0].model = decayModel{eta: 0.5, n: 4}
	want := (defaultStaffACH*60 + 37.5) / 150 / leverageRef // 150 m³/h at full, 37.5 at minimum
	if got := r.leverage(); math.Abs(got-want) > 1e-9 {
		t.Fatalf("measured at half: leverage %.3f, want %.3f", got, want)
	}
	small, err := NewRoom(simParams(t, func(c *config.Config) { c.Fans[0].MaxFlowM3H = 80 }))
	if err != nil {
		t.Fatal(err)
	}
	if got := small.leverage(); got != leverageHigh {
		t.Fatalf("an 80 m³/h fan: leverage %.3f, want %g", got, leverageHigh)
	}
}

// The leverage divides the booth smoke's part of the staff need, not the
// gap above cleaner air coming in.
func TestStaffNeedByLeverage(t *testing.T) {
	tu := Tuning{StaffFullExcess: 6}
	s := staffArea{ok: true, excess: 3, leverage: 1}
	one := s.need(tu)
	s.leverage = 2
	if got := s.need(tu); math.Abs(got-one/2) > 1e-12 {
		t.Fatalf("need at leverage 2: %.4f, want half of %.4f", got, one)
	}
	s.leverage = 0 // a staffArea not set by the room: as configured
	if got := s.need(tu); got != one {
		t.Fatalf("need at leverage 0: %.4f, want %.4f", got, one)
	}
	g := staffArea{ok: true, excess: 0, rise: -0.001, ach: 0.001, leverage: 2}
	if got, want := g.need(tu), g.gap()/6; got <= 0 || math.Abs(got-want) > 1e-12 {
		t.Fatalf("need from the gap alone at leverage 2: %.4f, want %.4f", got, want)
	}
}

// What the leverage is, the law reports: a site sees its fans' air
// falling (a clogging filter) in staff_air before the staff's exposure
// moves.
func TestStaffStatusReportsTheLeverage(t *testing.T) {
	w := newWorld(t, simParams(t, func(c *config.Config) { c.Fans[0].MaxFlowM3H = 80 }))
	w.run(time.Minute)
	st, ok := w.law.Staff()
	if !ok || st.Leverage != leverageHigh {
		t.Fatalf("an 80 m³/h fan: staff status leverage %v (%v), want %g", st.Leverage, ok, leverageHigh)
	}
}

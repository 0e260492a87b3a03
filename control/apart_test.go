package control

import (
	"math"
	"testing"
	"time"
)

// In quiet air a booth's sensor and the staff area's read the same air.
// One reading 40 µg/m³ high is past what two working SPS30s differ by,
// and after an hour of quiet air (sessions between do not reset it) the
// law says so; a pair 8 µg/m³ apart, within their accuracy, is never
// apart.
func TestBoothAndStaffSensorsApartInQuietAir(t *testing.T) {
	for _, tc := range []struct {
		name  string
		off   float64
		apart bool
	}{
		{"booth reads 40 high", 40, true},
		{"booth reads 40 low", -40, true},
		{"booth reads 8 high", 8, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := settled(t, nil)
			w.boothOff = tc.off
			if tc.off < 0 {
				w.outdoor, w.booth, w.staff, w.boothRead, w.staffRead = 60, 60, 60, 60, 60 // room for a low reading
			}
			w.run(40 * time.Minute)
			w.session(3, 3*time.Minute) // a session between: the quiet time adds up across it
			w.run(45 * time.Minute)
			a := w.law.Booths()[0].Apart
			if got := a.For >= time.Hour; got != tc.apart || !tc.apart && a.For != 0 {
				t.Fatalf("%+v: want apart %v (an hour of quiet air or more)", a, tc.apart)
			}
			if math.Abs(a.By-tc.off) > 6 {
				t.Fatalf("%+v: want By near %g", a, tc.off)
			}
			if !tc.apart {
				return
			}
			// Cleaned: they agree again once the law has taken the jump
			// in the reading for what it is (10 min here).
			w.boothOff = 0
			w.run(15 * time.Minute)
			if a := w.law.Booths()[0].Apart; a.For != 0 {
				t.Fatalf("15 min after the sensor was cleaned: %+v, want no longer apart", a)
			}
		})
	}
}

func TestApartLimitIsTwoSensorsAccuracy(t *testing.T) {
	var a SensorsApart
	a.observe(time.Minute, 22, 5) // past 20 + 1 at 5 µg/m³
	a.observe(time.Minute, -23, 5)
	if a.For != 2*time.Minute {
		t.Fatalf("%+v, want 2 min apart", a)
	}
	a.observe(time.Minute, 18, 5) // between 0.8 and 1 of the limit: neither
	if a.For != 2*time.Minute {
		t.Fatalf("%+v near the limit, want it held", a)
	}
	a.observe(time.Minute, 40, 200) // within 0.8 × (20 + 40) at 200 µg/m³
	if a.For != 0 {
		t.Fatalf("%+v: 40 apart at 200 µg/m³ is well within 20 + 20 %%, want agreed", a)
	}
}

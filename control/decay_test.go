package control

import (
	"math"
	"testing"
	"time"
)

// The entry estimate from a level's fall: the session's plateau in the
// window is not read as a slow fall, a fall just begun gives no estimate,
// and a clear fall gives the exponential's time to the threshold.
func TestLogTrendReadsTheFallSinceThePeak(t *testing.T) {
	const k = 60.0 / 3600 // per second: 60 air changes an hour
	level := func(s float64) float64 { return 500 * math.Exp(-k*s) }
	truth := func(s float64) float64 { return math.Log(level(s)/35) / k }
	var d logTrend
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	for s := -50.0; s < 0; s++ { // the session's plateau
		d.add(at(s), 500)
	}
	if got := d.secondsTo(35); got != -1 {
		t.Fatalf("on the plateau: %v, want -1 (not falling)", got)
	}
	for s := 0.0; s <= 60; s++ {
		d.add(at(s), level(s))
		got := d.secondsTo(35)
		switch {
		case s < minFall.Seconds() && got != -1:
			t.Fatalf("%.0f s into the fall: %.0f s, want -1 (too early to tell)", s, got)
		case got == -1 && s >= (fallSkip+minFall).Seconds() && level(s) < 0.8*500:
			t.Fatalf("%.0f s into the fall, %.0f µg/m³: no estimate", s, level(s))
		case got != -1 && math.Abs(got-truth(s)) > 0.05*truth(s):
			t.Fatalf("%.0f s into the fall: %.0f s, want %.0f", s, got, truth(s))
		}
	}
	d.add(at(61), 20)
	if got := d.secondsTo(35); got != 0 {
		t.Errorf("below the threshold: %v, want 0", got)
	}
}

package control

import (
	"testing"
	"time"
)

func TestPIAntiWindup(t *testing.T) {
	c := pi{ti: time.Minute}
	// Ten minutes pinned at maximum by a large error: the integral must
	// not grow past what keeps the output at the limit.
	for range 600 {
		if out := c.update(3, 2, time.Second); out != 1 {
			t.Fatalf("saturated output %v", out)
		}
	}
	if c.integ > 1 {
		t.Fatalf("integral wound up to %v", c.integ)
	}
	// The error turns: the output leaves the limit at once, because only
	// the proportional part held it there.
	if out := c.update(-0.2, -1, time.Second); out > 0.85 {
		t.Fatalf("one period after the error turned the output is %v; a wound-up integral holds it", out)
	}
	// Unsaturated, a steady error integrates: 0.1 for a minute adds 0.1.
	c = pi{ti: time.Minute}
	var out float64
	for range 60 {
		out = c.update(0.3, 0.1, time.Second)
	}
	if out < 0.39 || out > 0.41 {
		t.Fatalf("after 1 min of error 0.1 with Ti 1 min: %v, want 0.4", out)
	}
}

func TestBaselineLearnsOnlyQuietAir(t *testing.T) {
	b := baseline{smooth: 20 * time.Second, fall: 2 * time.Minute, rise: time.Hour, warmup: 2 * time.Minute}
	// A sensor starting up reads low for seconds: the warm-up follows it
	// back up instead of learning the dip as clean air.
	b.add(2, time.Second, false)
	for range 300 {
		b.add(8, time.Second, false)
	}
	if e := b.add(8, time.Second, false); e > 0.1 || e < -0.1 {
		t.Fatalf("excess %v in steady clean air after warm-up", e)
	}
	// Hours of smoke while not quiet: still seen as excess.
	var e float64
	for range 3 * 3600 {
		e = b.add(14, time.Second, false)
	}
	if e < 5.9 {
		t.Fatalf("after 3 h of smoke not marked quiet the excess is %v, want 6", e)
	}
	// Quiet air that really is higher (outdoor air changed) is learned.
	for range 3 * 3600 {
		e = b.add(14, time.Second, true)
	}
	if e > 0.5 {
		t.Fatalf("after 3 h of quiet air at 14 the excess is %v, want about 0", e)
	}
}

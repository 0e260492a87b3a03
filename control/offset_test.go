package control

import (
	"testing"
	"time"
)

// offsetAfter is the sensor offset a booth learns over 30 min of steady
// air at booth µg/m³ beside a staff reading of staff, a session having
// ended just before, with its fans moving air (aired) or not.
func offsetAfter(t *testing.T, booth, staff float64, aired bool) float64 {
	t.Helper()
	tu := simParams(t, nil).Tuning
	b := newBooth(Booth{Zone: "booth", VolumeM3: 4, PM: []string{"pm"}})
	now := time.Unix(1e9, 0)
	b.lastSession = now
	b.slow.v, b.slow.ok = booth, true
	for range 30 * 60 {
		now = now.Add(time.Second)
		b.hist.add(point{now, booth}, histWindow)
		b.learn(now, time.Second, staff, aired, tu)
	}
	return b.offset
}

// A relay switched off leaves the booth with what smoke the session left,
// leaking out over tens of minutes: steady air that is not clean. Learned
// as the sensors' offset it hid that smoke from the next decision.
func TestUnairedBoothLearnsNoSmokeAsOffset(t *testing.T) {
	if o := offsetAfter(t, 30, 10, false); o != 0 {
		t.Fatalf("a booth holding 20 µg/m³ with its fan off learned offset %.2f, want 0", o)
	}
	// Its sensor reading below the staff sensor's is no smoke: learned.
	if o := offsetAfter(t, 6, 10, false); o > -3.5 {
		t.Fatalf("a booth reading 4 µg/m³ under the staff area with its fan off learned offset %.2f, want near -4", o)
	}
	// A booth its fans air is cleared by them: its steady air is clean,
	// whatever it reads (up to two SPS30s' datasheet accuracy).
	if o := offsetAfter(t, 30, 10, true); o < 11 {
		t.Fatalf("an aired booth reading 20 µg/m³ over the staff area learned offset %.2f, want the limit 12", o)
	}
}

package exposure

import (
	"testing"
	"time"
)

// WallClock against a brute force: the earliest instant (minute steps)
// whose wall clock reads want, else the earliest that reads later.
func TestWallClockAgainstBruteForce(t *testing.T) {
	for _, name := range []string{"America/Vancouver", "Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe", "America/Santiago", "Asia/Tehran", "Pacific/Chatham", "America/St_Johns", "Africa/Casablanca", "Pacific/Apia", "America/Sao_Paulo"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Logf("skip %s: %v", name, err)
			continue
		}
		wall := func(x time.Time) time.Time {
			l := x.In(loc)
			return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
		}
		bad := 0
		for x := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC); x.Before(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)); x = x.Add(time.Hour) {
			_, o1 := x.In(loc).Zone()
			_, o2 := x.Add(time.Hour).In(loc).Zone()
			if o1 == o2 {
				continue
			}
			// a transition in (x, x+1h]: wall times around it
			c := x.In(loc)
			for dm := -180; dm <= 180; dm += 15 {
				base := time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, time.UTC)
				wc := time.Date(c.Year(), c.Month(), c.Day(), c.Hour(), c.Minute(), 0, 0, time.UTC).Add(time.Duration(dm) * time.Minute)
				sec := int(wc.Sub(base) / time.Second)
				if sec < 0 {
					continue
				}
				got := WallClock(c.Year(), c.Month(), c.Day(), sec, loc)
				var want time.Time
				for y := x.Add(-6 * time.Hour); y.Before(x.Add(6 * time.Hour)); y = y.Add(time.Minute) {
					if wall(y).Equal(wc) {
						want = y
						break
					}
				}
				if want.IsZero() {
					for y := x.Add(-6 * time.Hour); y.Before(x.Add(6 * time.Hour)); y = y.Add(time.Minute) {
						if !wall(y).Before(wc) && wall(y.Add(-time.Minute)).Before(wc) {
							want = y
							break
						}
					}
				}
				if !got.Equal(want) && bad < 10 {
					bad++
					t.Errorf("%s: WallClock(%s) = %s, want %s", name, wc.Format("2006-01-02 15:04"), got.In(loc).Format(time.RFC3339), want.In(loc).Format(time.RFC3339))
				}
			}
		}
	}
}

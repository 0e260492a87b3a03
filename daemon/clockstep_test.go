package daemon

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/testbench"
)

// The exposure record is kept in wall-clock time. A forward jump is a gap,
// so covered time and gaps add up to the shift's length; a jump back is
// refused until the clock passes the record again, so no second is counted
// twice, and the refusal is logged once, not every period. (On a Pi the
// loop's times also carry a monotonic reading, which the record now drops:
// mixing the two counted 90 s twice after an NTP step back, and left a 3 h
// step forward with no gap.)
func TestClockJumpsKeepTheShiftConsistent(t *testing.T) {
	for _, c := range []struct {
		name string
		jump time.Duration
	}{{"forward 3h", 3 * time.Hour}, {"back 90s", -90 * time.Second}, {"back 20m", -20 * time.Minute}} {
		t.Run(c.name, func(t *testing.T) {
			var logs bytes.Buffer
			clk := clock.NewSim(time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), 0)
			cfg := config.Sim()
			rig, err := testbench.NewRig(cfg, clk, nil, testbench.RigOpts{Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			d, err := New(Options{Config: cfg, Clock: clk, Hardware: rig, Log: slog.New(slog.NewTextHandler(&logs, nil)), Sim: true})
			if err != nil {
				t.Fatal(err)
			}
			h := &harness{t: t, clk: clk, rig: rig, d: d}
			h.run(time.Hour)
			clk.Advance(c.jump)
			s := h.run(time.Hour)
			for _, e := range s.Exposure {
				sh := e.Shift
				if sh == nil {
					t.Fatalf("%s/%s: no shift", e.Zone, e.Quantity)
				}
				covered, gaps, elapsed := sh.Covered.Std(), sh.GapTotal.Std(), sh.Elapsed.Std()
				if covered > elapsed || sh.Coverage > 100 {
					t.Errorf("%s/%s: covered %v of %v elapsed (%.1f %%): counted twice", e.Zone, e.Quantity, covered, elapsed, sh.Coverage)
				}
				if c.jump > 0 && (gaps < c.jump-time.Minute || covered+gaps < elapsed-2*time.Minute) {
					t.Errorf("%s/%s: covered %v + gaps %v against %v elapsed: a jump forward of %v must be a gap",
						e.Zone, e.Quantity, covered, gaps, elapsed, c.jump)
				}
			}
			if n := strings.Count(logs.String(), "exposure record refused a sample"); c.jump < 0 && (n == 0 || n > 12) {
				t.Errorf("%d refusals logged over the hour after a jump back of %v: want them said, every 10 minutes at most", n, -c.jump)
			}
		})
	}
}

package exposure_test

import (
	"fmt"
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/sample"
)

// The OSHA worked example of 29 CFR 1910.1000(d)(1)(i), replayed as
// journal aggregates.
func Example() {
	start := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	tr, err := exposure.New(exposure.Opts{
		Quantity: sample.CO2,
		Zone:     "staff",
		Limits:   exposure.Limits{TWA: 100},
		Schedule: exposure.Schedule{Starts: []time.Duration{8 * time.Hour}, Length: 8 * time.Hour, Location: time.UTC},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	at := start
	for _, p := range []struct {
		h time.Duration
		c float64
	}{{2 * time.Hour, 150}, {2 * time.Hour, 75}, {4 * time.Hour, 50}} {
		if err := tr.AddInterval(at, p.h, p.c); err != nil {
			fmt.Println(err)
			return
		}
		at = at.Add(p.h)
	}
	done, _ := tr.TakeFinished()
	s := done[0]
	fmt.Printf("E = %.2f %s, coverage %.0f%%, over limit: %v\n", s.TWA, s.Unit, s.Coverage, s.Violations.TWA)
	// Output: E = 81.25 ppm, coverage 100%, over limit: false
}

package daemon

import (
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/testbench"
)

// control.period between 0.5 s and 0.9 s: minMeasureGap (900 ms) makes the
// SGP4x measure every second period (1.2-1.8 s apart), but the gas index
// algorithm is told max(period, 1 s) = 1 s: its blackout, time constants
// and learning run up to 1.8x slow.
func TestGasIndexFollowsAnOddPeriod(t *testing.T) {
	for _, p := range []time.Duration{600 * time.Millisecond, 800 * time.Millisecond} {
		t.Run(p.String(), func(t *testing.T) {
			cfg := config.Sim()
			cfg.Control.Period = p
			h := rigHarness(t, cfg, "", t0, testbench.RigOpts{Seed: 7})
			defer h.d.Close()
			first := time.Duration(-1)
			for first < 0 && h.clk.Now().Sub(t0) < 30*time.Minute {
				h.loop(p)
				if smp := h.d.sensors.Get("booth-voc").Sample(sample.VOCIndex); smp.Quality == sample.Good {
					first = h.clk.Now().Sub(t0)
				}
			}
			if first < 50*time.Second || first > 65*time.Second+p {
				t.Errorf("period %v: first VOC index after %v, want about 55 s", p, first)
			}
		})
	}
}

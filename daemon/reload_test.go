package daemon

import (
	"slices"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
)

// control.period is paced into the loop, the minute rows and the alarms
// from start: a reload that changed it was logged and journaled as in
// force while the loop kept its old period.
func TestReloadRefusesANewPeriod(t *testing.T) {
	old, new := config.Sim(), config.Sim()
	new.Control.Period = 5 * time.Second
	if keys := restartKeys(old, new); !slices.Contains(keys, "control.period") {
		t.Errorf("restart keys %v: want control.period", keys)
	}
	new = config.Sim()
	new.Control.RampDown *= 2
	if keys := restartKeys(old, new); len(keys) != 0 {
		t.Errorf("a law setting needs a restart: %v", keys)
	}
}

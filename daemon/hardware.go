package daemon

import (
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/fan"
)

// Hardware opens what the config names: the Pi's buses and outputs
// (Host), or the testbench's simulated room.
type Hardware interface {
	// Bus opens the I2C bus a sensor names (mux already applied).
	Bus(s config.Sensor) (i2c.Bus, error)
	// Fan opens a fan's output.
	Fan(f config.Fan) (fan.Output, error)
	// Tach opens a fan's tachometer, nil when the fan has none.
	Tach(f config.Fan) (fan.Tachometer, error)
}

// Stepper is Hardware that moves on its own in time (the simulated room
// and its scenario): the loop calls Step at the start of every period.
type Stepper interface {
	Step(now time.Time) error
	// Active describes what is happening now, for the snapshot.
	Active() []string
}

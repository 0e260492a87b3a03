package daemon

import (
	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/fan"
)

// Hardware opens what the config names: the Pi's buses and outputs
// (pihost.Host), or the simulated room, with the same drivers on top.
type Hardware interface {
	// Bus opens the I2C bus a sensor names (mux already applied).
	Bus(s config.Sensor) (i2c.Bus, error)
	// Fan opens a fan's output.
	Fan(f config.Fan) (fan.Output, error)
	// Tach opens a fan's tachometer, nil when the fan has none.
	Tach(f config.Fan) (fan.Tachometer, error)
}

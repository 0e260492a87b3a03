package daemon

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/fan"
	"github.com/ventd/ventd/testbench/i2csim"
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

// recordingHardware records every transfer on the buses it opens.
type recordingHardware struct {
	Hardware
	dir   string
	mu    sync.Mutex
	buses map[i2c.Bus]*i2csim.Recorder
	files []*os.File
}

// Bus opens the bus and records it, one transcript file per bus.
func (r *recordingHardware) Bus(s config.Sensor) (i2c.Bus, error) {
	b, err := r.Hardware.Bus(s)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if rec, ok := r.buses[b]; ok {
		return rec, nil
	}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return nil, fmt.Errorf("recording I2C: %w", err)
	}
	name := strings.NewReplacer("/", "_", " ", "_").Replace(b.String())
	f, err := os.Create(filepath.Join(r.dir, name+".txt"))
	if err != nil {
		return nil, fmt.Errorf("recording I2C: %w", err)
	}
	fmt.Fprintf(f, "# ventd I2C transcript of bus %s\n", b)
	rec := i2csim.NewRecorder(b, f)
	r.buses[b], r.files = rec, append(r.files, f)
	return rec, nil
}

// Step and Active pass through to a simulated room.
func (r *recordingHardware) Step(now time.Time) error {
	if st, ok := r.Hardware.(Stepper); ok {
		return st.Step(now)
	}
	return nil
}

func (r *recordingHardware) Active() []string {
	if st, ok := r.Hardware.(Stepper); ok {
		return st.Active()
	}
	return nil
}

func (r *recordingHardware) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for _, rec := range r.buses {
		errs = append(errs, rec.Flush())
	}
	for _, f := range r.files {
		errs = append(errs, f.Close())
	}
	r.buses, r.files = nil, nil
	return errors.Join(errs...)
}

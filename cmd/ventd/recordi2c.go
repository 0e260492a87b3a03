package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/daemon"
	"github.com/ventd/ventd/drivers/i2ctrace"
)

// recordingHardware records every transfer on the buses it opens, one
// transcript per bus (-record-i2c), so a session on a real Pi can become a
// replay test. Writes are buffered: it is a diagnostic, not for every day.
type recordingHardware struct {
	daemon.Hardware
	dir   string
	mu    sync.Mutex
	buses map[i2c.Bus]*i2ctrace.Recorder
	files []*os.File
}

// Bus opens the bus and records it.
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
	if r.buses == nil {
		r.buses = map[i2c.Bus]*i2ctrace.Recorder{}
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
	rec := i2ctrace.NewRecorder(b, f)
	r.buses[b], r.files = rec, append(r.files, f)
	return rec, nil
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

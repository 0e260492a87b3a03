// Package pihost is the Raspberry Pi's hardware through periph.io, as
// ventd's daemon and ventctl open it: I2C buses (with PCA9548A muxes),
// kernel PWM, GPIO, PCA9685 boards and tachometers, with errors that say
// which config.txt line or group is missing.
package pihost

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/i2c/i2creg"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/devices/v3/pca9548"
	"periph.io/x/host/v3"
	"periph.io/x/host/v3/sysfs"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/fan"
	"github.com/ventd/ventd/drivers/i2cclear"
)

// Host is the Pi's hardware through periph.io: I2C buses (with PCA9548A
// muxes), kernel PWM, GPIO, PCA9685 boards and tachometers.
type Host struct {
	ctx   context.Context
	clk   clock.Clock
	log   *slog.Logger
	mu    sync.Mutex // buses and muxes
	buses map[string]i2c.BusCloser
	muxes map[string][]string // "bus/0x70" -> port names registered in i2creg
	// chipMu guards chips apart from mu: setting a chip up talks over
	// I2C, and an open the daemon retries off its loop must not hold the
	// loop's sensor bus lookups (mu) meanwhile.
	chipMu sync.Mutex
	chips  map[string]*fan.PCA9685Chip
}

// New initialises periph's host drivers. Tachometers run until ctx is
// done.
func New(ctx context.Context, clk clock.Clock, log *slog.Logger) (*Host, error) {
	if _, err := host.Init(); err != nil {
		return nil, fmt.Errorf("initialising the Pi's drivers (periph host.Init): %w; is this a Raspberry Pi (or another board periph supports)? To try ventd without hardware, run with -sim", err)
	}
	return &Host{ctx: ctx, clk: clk, log: log, buses: map[string]i2c.BusCloser{}, muxes: map[string][]string{}, chips: map[string]*fan.PCA9685Chip{}}, nil
}

// Close releases the buses.
func (h *Host) Close() error {
	h.chipMu.Lock()
	for _, c := range h.chips {
		c.Halt()
	}
	h.chipMu.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, b := range h.buses {
		b.Close()
	}
	return nil
}

// openBus opens an I2C bus once and shares it between its sensors.
func (h *Host) openBus(name string) (i2c.Bus, error) {
	if b, ok := h.buses[name]; ok {
		return clearable(name, b), nil
	}
	b, err := i2creg.Open(name)
	if n, ok := kernelBus(name); err != nil && ok {
		// periph lists the buses once, when ventd starts: a bus whose
		// /dev/i2c-N came later (udev still at work at boot, I2C turned
		// on with raspi-config while ventd ran) would stay unknown until
		// a restart, its sensors faulted and the fans at full. Open it
		// by its number, as periph's own opener does.
		b, err = openDev(n)
	}
	if err != nil {
		return nil, busError(name, err)
	}
	h.buses[name] = b
	return clearable(name, b), nil
}

// openDev opens the kernel's I2C bus n (/dev/i2c-n); tests replace it.
var openDev = func(n int) (i2c.BusCloser, error) { return sysfs.NewI2C(n) }

// kernelBus is the kernel bus number a config bus name gives ("1",
// "/dev/i2c-1", periph's "I2C1"); false for other names (a mux port).
func kernelBus(name string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimPrefix(name, "/dev/i2c-"), "I2C"))
	return n, err == nil && n >= 0
}

// clearableBus is a Pi bus the sensor layer can clear when a sensor holds
// SDA low (sensor.BusClearer): nine SCL pulses on the bus's own header
// pins.
type clearableBus struct {
	i2c.Bus
	pins i2cclear.Pins
}

func (c clearableBus) ClearBus() error { return c.pins.ClearBus() }

// clearable wraps bus name when its pins are known (buses 1 and 3 to 6 on
// their overlays' default pins); other buses are returned as they are.
func clearable(name string, b i2c.Bus) i2c.Bus {
	n, ok := kernelBus(name)
	if !ok {
		return b
	}
	scl, sda, err := i2cclear.PiPins(n)
	if err != nil {
		return b
	}
	sp, dp := gpioreg.ByName(scl), gpioreg.ByName(sda)
	if sp == nil || dp == nil {
		return b
	}
	return clearableBus{Bus: b, pins: i2cclear.Pins{SCL: sp, SDA: dp}}
}

// busError turns periph's error into what a technician should do.
func busError(name string, err error) error {
	dev := name
	if !strings.HasPrefix(dev, "/dev/") {
		dev = "/dev/i2c-" + strings.TrimPrefix(strings.ToUpper(name), "I2C")
	}
	_, statErr := os.Stat(dev)
	switch {
	case errors.Is(statErr, os.ErrNotExist):
		if n, ok := kernelBus(name); ok {
			return fmt.Errorf("I2C bus %q: %s does not exist: %s (%v)", name, dev, config.BusFix(n, config.PiBootConfig), err)
		}
		return fmt.Errorf("I2C bus %q: %s does not exist: turn the bus on in %s (%s has ventd's lines), then reboot (%v)", name, dev, config.PiBootConfig, config.BootConfig, err)
	case errors.Is(statErr, os.ErrPermission) || strings.Contains(err.Error(), "permission denied") || strings.Contains(err.Error(), "plugdev"):
		return fmt.Errorf("I2C bus %q: no permission to open %s: add the ventd user to the i2c group (`sudo usermod -aG i2c ventd`) and restart ventd (%v)", name, dev, err)
	}
	return fmt.Errorf("I2C bus %q: %w", name, err)
}

// Bus opens the I2C bus a sensor sits on, through its mux if it has one.
func (h *Host) Bus(s config.Sensor) (i2c.Bus, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	b, err := h.openBus(s.Bus)
	if err != nil || s.Mux == nil {
		return b, err
	}
	key := fmt.Sprintf("%s/%s", s.Bus, s.Mux.Address)
	ports, ok := h.muxes[key]
	if !ok {
		m, err := pca9548.New(b, &pca9548.Opts{Addr: int(s.Mux.Address)})
		if err != nil {
			return nil, fmt.Errorf("I2C mux %s on bus %s: %w (check that the mux is powered and its A0-A2 pins match the address)", s.Mux.Address, s.Bus, err)
		}
		if ports, err = m.RegisterPorts(fmt.Sprintf("ventd-mux-%s-%x", strings.ReplaceAll(s.Bus, "/", "_"), uint16(s.Mux.Address))); err != nil {
			return nil, fmt.Errorf("I2C mux %s on bus %s: %w", s.Mux.Address, s.Bus, err)
		}
		h.muxes[key] = ports
	}
	if s.Mux.Channel >= len(ports) {
		return nil, fmt.Errorf("I2C mux %s: channel %d: the mux has %d", s.Mux.Address, s.Mux.Channel, len(ports))
	}
	return i2creg.Open(ports[s.Mux.Channel])
}

// Fan opens a fan's output.
func (h *Host) Fan(f config.Fan) (fan.Output, error) {
	switch f.Backend {
	case config.BackendSysfsPWM:
		c := f.SysfsPWM
		return fan.NewSysfsPWM(fan.SysfsPWMOpts{Chip: c.Chip, Channel: c.Channel, Frequency: physic.Frequency(c.FrequencyHz) * physic.Hertz, Invert: c.Invert, Clock: h.clk})
	case config.BackendGPIOPWM:
		p, err := pin(f.GPIOPWM.Pin)
		if err != nil {
			return nil, err
		}
		return fan.NewGPIOPWM(p, fan.GPIOPWMOpts{Frequency: physic.Frequency(f.GPIOPWM.FrequencyHz) * physic.Hertz})
	case config.BackendPCA9685:
		c := f.PCA9685
		h.chipMu.Lock()
		defer h.chipMu.Unlock()
		key := fmt.Sprintf("%s/%s", c.Bus, c.Address)
		chip, ok := h.chips[key]
		if !ok {
			h.mu.Lock()
			b, err := h.openBus(c.Bus)
			h.mu.Unlock()
			if err != nil {
				return nil, err
			}
			if chip, err = fan.NewPCA9685Chip(b, fan.PCA9685ChipOpts{Addr: uint16(c.Address), Frequency: physic.Frequency(c.FrequencyHz) * physic.Hertz, Clock: h.clk}); err != nil {
				return nil, err
			}
			h.chips[key] = chip
		}
		return chip.Output(c.Channel, false)
	case config.BackendRelay:
		p, err := pin(f.Relay.Pin)
		if err != nil {
			return nil, err
		}
		return fan.NewRelay(p, fan.RelayOpts{Threshold: config.RelayOnDuty / 100, MinHold: f.Relay.Hold(), ActiveLow: f.Relay.ActiveLow, Clock: h.clk})
	case config.BackendSim:
		return nil, errors.New("backend sim is the simulated room's fan: run ventd with -sim")
	}
	return nil, fmt.Errorf("unknown backend %q", f.Backend)
}

// Tach opens a fan's tachometer (nil without one): it starts the tachometer's edge counting,
// which runs until the host's context is done.
func (h *Host) Tach(f config.Fan) (fan.Tachometer, error) {
	if f.Tach == nil {
		return nil, nil
	}
	p, err := pin(f.Tach.Pin)
	if err != nil {
		return nil, err
	}
	t, err := fan.NewTach(p, fan.TachOpts{PulsesPerRev: f.Tach.PulsesPerRev, Clock: h.clk})
	if err != nil {
		return nil, err
	}
	go func() {
		if err := t.Run(h.ctx); err != nil && h.ctx.Err() == nil {
			h.log.Error("tachometer stopped; the fan's speed is unknown", "fan", f.Name, "err", err)
		}
	}()
	return t, nil
}

func pin(name string) (gpio.PinIO, error) {
	p := gpioreg.ByName(name)
	if p == nil {
		return nil, fmt.Errorf("no GPIO pin %q: use a name such as GPIO18 (BCM numbering)", name)
	}
	return p, nil
}

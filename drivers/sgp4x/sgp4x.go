package sgp4x

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sensirion"
	"periph.io/x/conn/v3/i2c"
)

// DefaultAddr is the fixed I2C address of both variants.
const DefaultAddr = 0x59

// Commands and execution times from the datasheets' command tables.
const (
	cmdConditioning = 0x2612 // SGP41 only
	cmdMeasureRaw41 = 0x2619
	cmdMeasureRaw40 = 0x260F
	cmdSelfTest     = 0x280E
	cmdHeaterOff    = 0x3615
	cmdSerial       = 0x3682
	cmdFeatureSet   = 0x202F

	execConditioning = 50 * time.Millisecond
	execMeasure41    = 50 * time.Millisecond
	execMeasure40    = 30 * time.Millisecond
	// The SGP40 datasheet v1.0 says 250 ms and later revisions 320 ms, as
	// the SGP41's does: waiting the longer time suits both.
	execSelfTest  = 320 * time.Millisecond
	execHeaterOff = time.Millisecond
	execSerial    = time.Millisecond
	// Undocumented for the SGP4x; the SGP30 family's figure.
	execFeatureSet = 10 * time.Millisecond

	// A sensor answering a little late (clock drift, a loaded part) NACKs
	// the read; polling a few times more rides that out without hiding a
	// sensor that has gone away.
	readRetries = 3
	retryWait   = 10 * time.Millisecond
)

// MaxConditioning is the datasheet's limit on NOx conditioning: longer
// damages the sensing material.
const MaxConditioning = 10 * time.Second

// Variant says which sensor of the family is on the bus.
type Variant int

const (
	// Auto detects the variant from the sensor's feature set word.
	Auto Variant = iota
	// SGP41 measures VOC and NOx.
	SGP41
	// SGP40 measures VOC only.
	SGP40
)

func (v Variant) String() string {
	switch v {
	case Auto:
		return "auto"
	case SGP41:
		return "SGP41"
	case SGP40:
		return "SGP40"
	}
	return fmt.Sprintf("Variant(%d)", int(v))
}

// Opts configures New. The zero value is a sensor at 0x59 on the wall
// clock, with its variant detected.
type Opts struct {
	Addr    uint16      // default DefaultAddr
	Clock   clock.Clock // default clock.Real{}
	Variant Variant     // default Auto
}

// Raw is one pair of raw signals, in ticks. NOx is zero on an SGP40.
type Raw struct {
	VOC, NOx uint16
}

// ErrCRC is sensirion.ErrCRC: a corrupt answer, which carries no value.
var ErrCRC = sensirion.ErrCRC

// ErrConditioningLimit means Condition was called when conditioning would
// run past MaxConditioning.
var ErrConditioningLimit = errors.New("conditioning past the datasheet's 10 s limit")

// ErrNotSupported means the command does not exist on this variant.
var ErrNotSupported = errors.New("not supported by this variant")

// Dev is one SGP40 or SGP41.
type Dev struct {
	mu      sync.Mutex
	c       sensirion.Conn
	clk     clock.Clock
	bus     string
	variant Variant
	// condStart is when conditioning began since power-up or the last
	// heater-off; zero when it has not.
	condStart time.Time
}

// New checks that an SGP4x answers at the address, detects its variant
// unless opts names it, and returns it ready to condition or measure.
func New(bus i2c.Bus, opts *Opts) (*Dev, error) {
	o := Opts{}
	if opts != nil {
		o = *opts
	}
	if o.Addr == 0 {
		o.Addr = DefaultAddr
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Variant < Auto || o.Variant > SGP40 {
		return nil, fmt.Errorf("sgp4x: Opts.Variant %d: want sgp4x.Auto, sgp4x.SGP41 or sgp4x.SGP40", int(o.Variant))
	}
	d := &Dev{
		c:       sensirion.Conn{Bus: bus, Addr: o.Addr, Sleep: o.Clock.Sleep},
		clk:     o.Clock,
		bus:     bus.String(),
		variant: o.Variant,
	}
	if d.variant == Auto {
		w, err := d.read(cmdFeatureSet, execFeatureSet, 1)
		if err != nil {
			return nil, fmt.Errorf("sgp4x: detect variant at 0x%02x on %s: %w (check the wiring, or set Opts.Variant)", o.Addr, d.bus, err)
		}
		switch w[0] & 0x1ff {
		case 0x040:
			d.variant = SGP41
		case 0x020:
			d.variant = SGP40
		default:
			return nil, fmt.Errorf("sgp4x: detect variant at 0x%02x on %s: feature set 0x%04x is neither an SGP41 (0x..40) nor an SGP40 (0x..20); set Opts.Variant if it is one", o.Addr, d.bus, w[0])
		}
	}
	if _, err := d.readSerial(); err != nil {
		return nil, fmt.Errorf("sgp4x: %s at 0x%02x on %s: %w", d.variant, o.Addr, d.bus, err)
	}
	return d, nil
}

// Variant returns the detected or configured variant.
func (d *Dev) Variant() Variant { return d.variant }

// String names the sensor, its bus and address.
func (d *Dev) String() string {
	return fmt.Sprintf("%s{%s, 0x%02x}", d.variant, d.bus, d.c.Addr)
}

// Condition runs one step of the SGP41's NOx conditioning (command 0x2612)
// at the given compensation and returns the VOC raw signal. Call it about
// once a second for the first 10 s after power-up, then MeasureRaw without
// delay: the sensor keeps conditioning until its next command.
//
// Condition refuses, with ErrConditioningLimit, once the step would end
// more than MaxConditioning after the first conditioning call since New or
// HeaterOff.
func (d *Dev) Condition(rh, tempC float64) (srawVOC uint16, err error) {
	if d.variant != SGP41 {
		return 0, fmt.Errorf("sgp4x: condition: %s has no NOx pixel to condition: %w", d.variant, ErrNotSupported)
	}
	rhT, tT, err := compensation(rh, tempC)
	if err != nil {
		return 0, fmt.Errorf("sgp4x: condition: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clk.Now()
	if d.condStart.IsZero() {
		d.condStart = now
	} else if end := now.Add(execConditioning).Sub(d.condStart); end > MaxConditioning {
		return 0, fmt.Errorf("sgp4x: condition: %w: conditioning began %v ago and this step would end at %v; measure with MeasureRaw, or call HeaterOff to start over", ErrConditioningLimit, now.Sub(d.condStart).Round(time.Millisecond), end.Round(time.Millisecond))
	}
	w, err := d.read(cmdConditioning, execConditioning, 1, rhT, tT)
	if err != nil {
		return 0, fmt.Errorf("sgp4x: condition: %w", err)
	}
	return w[0], nil
}

// MeasureRaw measures the raw signals (0x2619 on the SGP41, 0x260F on the
// SGP40), compensated for humidity rh (%) and temperature tempC (°C),
// typically the last SCD4x reading. Pass DefaultRH and DefaultTempC to
// leave compensation off. Values beyond the sensor's input range are
// clamped to it; NaN is an error, since no reading is not 50 %RH.
func (d *Dev) MeasureRaw(rh, tempC float64) (Raw, error) {
	rhT, tT, err := compensation(rh, tempC)
	if err != nil {
		return Raw{}, fmt.Errorf("sgp4x: measure raw signals: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.variant == SGP40 {
		w, err := d.read(cmdMeasureRaw40, execMeasure40, 1, rhT, tT)
		if err != nil {
			return Raw{}, fmt.Errorf("sgp4x: measure raw signal: %w", err)
		}
		return Raw{VOC: w[0]}, nil
	}
	w, err := d.read(cmdMeasureRaw41, execMeasure41, 2, rhT, tT)
	if err != nil {
		return Raw{}, fmt.Errorf("sgp4x: measure raw signals: %w", err)
	}
	return Raw{VOC: w[0], NOx: w[1]}, nil
}

// HeaterOff switches the hotplate off (0x3615); the sensor goes idle until
// the next measurement, and a new conditioning may start.
func (d *Dev) HeaterOff() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.c.Write(cmdHeaterOff, execHeaterOff); err != nil {
		return fmt.Errorf("sgp4x: turn heater off: %w", err)
	}
	d.condStart = time.Time{}
	return nil
}

// Halt switches the heater off.
func (d *Dev) Halt() error { return d.HeaterOff() }

// Serial reads the sensor's 48-bit serial number (0x3682).
func (d *Dev) Serial() (uint64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, err := d.readSerial()
	if err != nil {
		return 0, fmt.Errorf("sgp4x: %w", err)
	}
	return s, nil
}

func (d *Dev) readSerial() (uint64, error) {
	w, err := d.read(cmdSerial, execSerial, 3)
	if err != nil {
		return 0, fmt.Errorf("read serial number: %w", err)
	}
	return uint64(w[0])<<32 | uint64(w[1])<<16 | uint64(w[2]), nil
}

// read sends cmd, waits its execution time and reads n words, polling again
// briefly while the sensor NACKs because it is still busy. A CRC error is
// returned at once: the answer came and was corrupt.
func (d *Dev) read(cmd uint16, exec time.Duration, n int, args ...uint16) ([]uint16, error) {
	if err := d.c.Write(cmd, exec, args...); err != nil {
		return nil, err
	}
	for i := 0; ; i++ {
		w, err := d.c.ReadWords(cmd, n)
		if err == nil {
			return w, nil
		}
		if errors.Is(err, sensirion.ErrCRC) {
			return nil, err
		}
		if i == readRetries {
			return nil, fmt.Errorf("%w (still no answer %v after the %v execution time)", err, time.Duration(readRetries)*retryWait, exec)
		}
		d.clk.Sleep(retryWait)
	}
}

func compensation(rh, tempC float64) (rhTicks, tTicks uint16, err error) {
	if math.IsNaN(rh) || math.IsNaN(tempC) {
		return 0, 0, fmt.Errorf("compensation %v %%RH, %v °C: not a number; pass sgp4x.DefaultRH and sgp4x.DefaultTempC to measure uncompensated", rh, tempC)
	}
	return HumidityTicks(rh), TemperatureTicks(tempC), nil
}

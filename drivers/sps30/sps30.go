package sps30

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sensirion"
)

// DefaultAddr is the SPS30's fixed I2C address.
const DefaultAddr = 0x69

// ErrNotReady means no new measurement since the last Sense: not a failure,
// poll again in a moment. It is sensirion.ErrNotReady.
var ErrNotReady = sensirion.ErrNotReady

// ErrCRC means a word from the sensor failed its checksum; the read carries
// no value. It is sensirion.ErrCRC.
var ErrCRC = sensirion.ErrCRC

// ErrOutOfRange means the sensor sent a value no particle concentration can
// have (negative, NaN or infinite): a fault, never clean air. It is
// sensirion.ErrOutOfRange.
var ErrOutOfRange = sensirion.ErrOutOfRange

// The I2C commands (datasheet section 6, command table).
const (
	cmdStart       = 0x0010
	cmdStop        = 0x0104
	cmdDataReady   = 0x0202
	cmdReadValues  = 0x0300
	cmdSleep       = 0x1001
	cmdWakeUp      = 0x1103
	cmdFanClean    = 0x5607
	cmdAutoClean   = 0x8004
	cmdProductType = 0xD002
	cmdSerial      = 0xD033
	cmdVersion     = 0xD100
	cmdReadStatus  = 0xD206
	cmdClearStatus = 0xD210
	cmdReset       = 0xD304

	formatFloat = 0x0300 // Start Measurement argument: big-endian IEEE754 float
)

// Execution times from the datasheet; the sensor does not acknowledge
// anything until they have passed. Writing the auto-cleaning interval goes
// to flash, so it gets the longer write time Sensirion's own drivers use.
// execWakeUp follows each Wake-up of the sequence, refused or not, as in
// Sensirion's driver (see doc.go).
const (
	execStartStop      = 20 * time.Millisecond
	execShort          = 5 * time.Millisecond
	execWakeUp         = 5 * time.Millisecond
	execAutoCleanWrite = 20 * time.Millisecond
	execReset          = 100 * time.Millisecond
)

// productType is the SPS30's answer to Read Product Type.
const productType = "00080000"

// Opts configures a Dev. The zero value (or nil) is the usual setup.
type Opts struct {
	// Addr is the I2C address; 0 means DefaultAddr (0x69).
	Addr uint16
	// Clock waits the command execution times; nil means clock.Real{}.
	Clock clock.Clock
}

// Reading is one measurement.
type Reading struct {
	// Mass concentrations of particles up to 1, 2.5, 4 and 10 µm, µg/m³.
	MassPM1, MassPM25, MassPM4, MassPM10 float64
	// Number concentrations of particles from 0.3 µm up to 0.5, 1, 2.5,
	// 4 and 10 µm, #/cm³.
	NumPM05, NumPM1, NumPM25, NumPM4, NumPM10 float64
	// TypicalSize is the typical particle size, µm.
	TypicalSize float64
}

// Dev is an SPS30 on an I2C bus. Its methods are safe for concurrent use;
// each holds the device for its whole command sequence.
type Dev struct {
	mu     sync.Mutex
	c      sensirion.Conn
	clk    clock.Clock
	serial string // read at New, for String
}

// New checks that an SPS30 answers at the address (waking it if it sleeps)
// and returns it, idle or measuring as it was found.
func New(bus i2c.Bus, opts *Opts) (*Dev, error) {
	var o Opts
	if opts != nil {
		o = *opts
	}
	if o.Addr == 0 {
		o.Addr = DefaultAddr
	}
	if o.Addr > 0x7f {
		return nil, fmt.Errorf("sps30: address 0x%x: want a 7-bit I2C address (the SPS30's is 0x69)", o.Addr)
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	d := &Dev{c: sensirion.Conn{Bus: bus, Addr: o.Addr, Sleep: o.Clock.Sleep}, clk: o.Clock}
	pt, err := d.readASCII(cmdProductType, 0, 4)
	if err != nil && !errors.Is(err, ErrCRC) {
		// A sleeping SPS30 has its I2C interface off and acknowledges
		// nothing until woken. Ask again whatever the wake-up says: a
		// measuring sensor refuses Wake-up but answered a transient NACK.
		_ = d.wakeUp()
		if pt, err = d.readASCII(cmdProductType, 0, 4); err != nil && !errors.Is(err, ErrCRC) {
			return nil, fmt.Errorf("sps30: no SPS30 answering at 0x%02x on %s, even after the wake-up sequence: read product type: %w (check power, wiring, and that SEL is tied to GND for I2C; a SEN5x at 0x69 refuses this read too: `ventctl scan` names the part, and `type: sen55` or `sen54` reads it)", o.Addr, bus, err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("sps30: read product type at 0x%02x on %s: %w", o.Addr, bus, err)
	}
	if !strings.HasPrefix(pt, productType[:4]) {
		return nil, fmt.Errorf("sps30: device at 0x%02x on %s reports product type %q, want %q: not an SPS30 (`ventctl scan` names the part; a SEN5x at 0x69 is `type: sen55` or `sen54`)", o.Addr, bus, pt, productType)
	}
	if d.serial, err = d.readASCII(cmdSerial, 0, 16); err != nil {
		return nil, fmt.Errorf("sps30: read serial number at 0x%02x on %s: %w", o.Addr, bus, err)
	}
	return d, nil
}

// String names the device for logs.
func (d *Dev) String() string {
	return fmt.Sprintf("SPS30{%s 0x%02x %s}", d.c.Bus, d.c.Addr, d.serial)
}

// Start starts continuous measurement with float output. A new measurement
// is ready every second; the readings settle within about 10 s.
//
// A sensor still measuring (the daemon restarted, or re-opened it after a
// fault) refuses Start; Start then stops it and starts again, so the output
// format is surely float.
func (d *Dev) Start() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	err := d.c.Write(cmdStart, execStartStop, formatFloat)
	if err == nil {
		return nil
	}
	if d.c.Write(cmdStop, execStartStop) != nil {
		return fmt.Errorf("sps30: start measurement: %w", err)
	}
	if err := d.c.Write(cmdStart, execStartStop, formatFloat); err != nil {
		return fmt.Errorf("sps30: start measurement (after stopping a running one): %w", err)
	}
	return nil
}

// Stop stops measuring and returns the sensor to idle. A sensor that is
// not measuring refuses it.
func (d *Dev) Stop() error {
	return d.write("stop measurement", cmdStop, execStartStop)
}

// Halt stops measuring, as periph's conn.Resource asks. Unlike Stop, a
// sensor that answers but was already idle is not an error.
func (d *Dev) Halt() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	err := d.c.Write(cmdStop, execStartStop)
	if err == nil {
		return nil
	}
	if _, perr := d.readASCII(cmdProductType, 0, 4); perr == nil {
		return nil // present and answering: it was idle
	}
	return fmt.Errorf("sps30: halt: stop measurement: %w", err)
}

// DataReady reports whether a new measurement is waiting. The sensor must
// be measuring.
func (d *Dev) DataReady() (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dataReady()
}

func (d *Dev) dataReady() (bool, error) {
	w, err := d.c.Read(cmdDataReady, 0, 1)
	if err != nil {
		return false, fmt.Errorf("sps30: read data-ready flag: %w", err)
	}
	switch w[0] {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, fmt.Errorf("sps30: read data-ready flag: value 0x%04x, want 0 or 1: %w", w[0], ErrOutOfRange)
}

// Sense reads the new measurement into r. With no new measurement since the
// last one it returns ErrNotReady and leaves r alone; on any error r is
// left alone.
func (d *Dev) Sense(r *Reading) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ready, err := d.dataReady()
	if err != nil {
		return err
	}
	if !ready {
		return ErrNotReady
	}
	w, err := d.c.Read(cmdReadValues, 0, 20)
	if err != nil {
		return fmt.Errorf("sps30: read measured values: %w", err)
	}
	v, err := decodeValues(w)
	if err != nil {
		return fmt.Errorf("sps30: read measured values: %w", err)
	}
	*r = v
	return nil
}

// write sends a command that answers nothing, under the lock.
func (d *Dev) write(what string, cmd uint16, exec time.Duration, args ...uint16) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.c.Write(cmd, exec, args...); err != nil {
		return fmt.Errorf("sps30: %s: %w", what, err)
	}
	return nil
}

// readASCII reads a NUL-terminated string of n words.
func (d *Dev) readASCII(cmd uint16, exec time.Duration, n int) (string, error) {
	w, err := d.c.Read(cmd, exec, n)
	if err != nil {
		return "", err
	}
	return decodeASCII(w), nil
}

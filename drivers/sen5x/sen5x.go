package sen5x

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sensirion"
)

// DefaultAddr is the SEN5x's fixed I2C address (the SPS30's too).
const DefaultAddr = 0x69

// ErrNotReady means no new measurement since the last Sense: not a failure,
// poll again in a moment. It is sensirion.ErrNotReady.
var ErrNotReady = sensirion.ErrNotReady

// ErrCRC means a word from the sensor failed its checksum; the read carries
// no value. It is sensirion.ErrCRC.
var ErrCRC = sensirion.ErrCRC

// ErrOutOfRange means the sensor sent a word no measurement can have. It
// is sensirion.ErrOutOfRange.
var ErrOutOfRange = sensirion.ErrOutOfRange

// The I2C commands (datasheet section 6, command table).
const (
	cmdStart        = 0x0021
	cmdStop         = 0x0104
	cmdDataReady    = 0x0202
	cmdReadValues   = 0x03C4
	cmdFanClean     = 0x5607
	cmdVOCState     = 0x6181
	cmdAutoClean    = 0x8004
	cmdProductName  = 0xD014
	cmdSerial       = 0xD033
	cmdVersion      = 0xD100
	cmdReadStatus   = 0xD206
	cmdClearStatus  = 0xD210 // read and clear
	cmdReset        = 0xD304
	unknownUnsigned = 0xFFFF
	unknownSigned   = 0x7FFF
)

// Execution times (see doc.go).
const (
	execStart = 50 * time.Millisecond
	execStop  = 200 * time.Millisecond
	execName  = 50 * time.Millisecond
	execReset = 200 * time.Millisecond
	execShort = 20 * time.Millisecond
)

// StartWait is how long Start waits; a caller that counts a slow bus by
// the time an open took takes it off.
const StartWait = execStart

// Variant is the member of the family, from its product name.
type Variant int

// The variants.
const (
	SEN50 Variant = 50 // PM only
	SEN54 Variant = 54 // PM, RH/T, VOC index
	SEN55 Variant = 55 // PM, RH/T, VOC and NOx index
)

func (v Variant) String() string { return fmt.Sprintf("SEN%d", int(v)) }

// HasGas reports whether the variant measures humidity, temperature and
// the VOC index.
func (v Variant) HasGas() bool { return v == SEN54 || v == SEN55 }

// HasNOx reports whether the variant measures the NOx index.
func (v Variant) HasNOx() bool { return v == SEN55 }

// Opts configures a Dev. The zero value (or nil) is the usual setup.
type Opts struct {
	// Addr is the I2C address; 0 means DefaultAddr (0x69).
	Addr uint16
	// Clock waits the command execution times; nil means clock.Real{}.
	Clock clock.Clock
}

// Reading is one measurement. A value the sensor reports as unknown (not
// measured by this variant, or not yet available) is NaN.
type Reading struct {
	// Mass concentrations of particles up to 1, 2.5, 4 and 10 µm, µg/m³.
	MassPM1, MassPM25, MassPM4, MassPM10 float64
	// Humidity is the relative humidity, %; Temperature, °C.
	Humidity, Temperature float64
	// VOCIndex and NOxIndex are Sensirion's gas indices (1-500), computed
	// in the sensor.
	VOCIndex, NOxIndex float64
}

// Dev is a SEN5x on an I2C bus. Its methods are safe for concurrent use.
type Dev struct {
	mu      sync.Mutex
	c       sensirion.Conn
	variant Variant
	name    string
	serial  string
}

// New checks that a SEN5x answers at the address, learns which one, and
// returns it, idle or measuring as it was found.
func New(bus i2c.Bus, opts *Opts) (*Dev, error) {
	var o Opts
	if opts != nil {
		o = *opts
	}
	if o.Addr == 0 {
		o.Addr = DefaultAddr
	}
	if o.Addr > 0x7f {
		return nil, fmt.Errorf("sen5x: address 0x%x: want a 7-bit I2C address (the SEN5x's is 0x69)", o.Addr)
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	d := &Dev{c: sensirion.Conn{Bus: bus, Addr: o.Addr, Sleep: o.Clock.Sleep}}
	name, err := d.readASCII(cmdProductName, execName)
	if err != nil {
		return nil, fmt.Errorf("sen5x: no SEN5x answering at 0x%02x on %s: read product name: %w (check power and wiring; an SPS30 at 0x69 does not know this command)", o.Addr, bus, err)
	}
	v, ok := parseVariant(name)
	if !ok {
		return nil, fmt.Errorf("sen5x: device at 0x%02x on %s reports product name %q, want SEN50, SEN54 or SEN55: not a SEN5x", o.Addr, bus, name)
	}
	d.variant, d.name = v, name
	if d.serial, err = d.readASCII(cmdSerial, execName); err != nil {
		return nil, fmt.Errorf("sen5x: read serial number at 0x%02x on %s: %w", o.Addr, bus, err)
	}
	return d, nil
}

func parseVariant(name string) (Variant, bool) {
	switch strings.TrimSpace(name) {
	case "SEN50":
		return SEN50, true
	case "SEN54":
		return SEN54, true
	case "SEN55":
		return SEN55, true
	}
	return 0, false
}

// String names the device for logs.
func (d *Dev) String() string {
	return fmt.Sprintf("%s{%s 0x%02x %s}", d.variant, d.c.Bus, d.c.Addr, d.serial)
}

// Variant is the member of the family found at New.
func (d *Dev) Variant() Variant { return d.variant }

// Serial is the serial number read at New.
func (d *Dev) Serial() string { return d.serial }

// Start starts continuous measurement of everything the variant measures.
// A new measurement is ready every second. A sensor already measuring
// refuses Start; Start then stops it and starts again (which resets the
// VOC index algorithm: see SetVOCState).
func (d *Dev) Start() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	err := d.c.Write(cmdStart, execStart)
	if err == nil {
		return nil
	}
	if d.c.Write(cmdStop, execStop) != nil {
		return fmt.Errorf("sen5x: start measurement: %w", err)
	}
	if err := d.c.Write(cmdStart, execStart); err != nil {
		return fmt.Errorf("sen5x: start measurement (after stopping a running one): %w", err)
	}
	return nil
}

// Stop stops measuring and returns the sensor to idle.
func (d *Dev) Stop() error {
	return d.write("stop measurement", cmdStop, execStop)
}

// Halt stops measuring, as periph's conn.Resource asks. A sensor that
// answers but was already idle is not an error.
func (d *Dev) Halt() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	err := d.c.Write(cmdStop, execStop)
	if err == nil {
		return nil
	}
	if _, perr := d.readASCII(cmdProductName, execName); perr == nil {
		return nil
	}
	return fmt.Errorf("sen5x: halt: stop measurement: %w", err)
}

// Reset reboots the sensor's firmware: it comes back idle, its VOC index
// learning lost.
func (d *Dev) Reset() error { return d.write("device reset", cmdReset, execReset) }

// CleanFan starts a 10 s fan cleaning; the sensor must be measuring. No new
// PM values come during it.
func (d *Dev) CleanFan() error { return d.write("start fan cleaning", cmdFanClean, execShort) }

// DataReady reports whether a new measurement is waiting.
func (d *Dev) DataReady() (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dataReady()
}

func (d *Dev) dataReady() (bool, error) {
	w, err := d.c.Read(cmdDataReady, execShort, 1)
	if err != nil {
		return false, fmt.Errorf("sen5x: read data-ready flag: %w", err)
	}
	// The first byte is padding; the second is the flag.
	switch w[0] & 0xff {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, fmt.Errorf("sen5x: read data-ready flag: value 0x%04x, want 0 or 1: %w", w[0], ErrOutOfRange)
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
	w, err := d.c.Read(cmdReadValues, execShort, 8)
	if err != nil {
		return fmt.Errorf("sen5x: read measured values: %w", err)
	}
	*r = decodeValues(w)
	return nil
}

// decodeValues converts the eight words of Read Measured Values.
func decodeValues(w []uint16) Reading {
	pm := func(x uint16) float64 {
		if x == unknownUnsigned {
			return math.NaN()
		}
		return float64(x) / 10
	}
	signed := func(x uint16, scale float64) float64 {
		if x == unknownSigned {
			return math.NaN()
		}
		return float64(int16(x)) / scale
	}
	return Reading{
		MassPM1: pm(w[0]), MassPM25: pm(w[1]), MassPM4: pm(w[2]), MassPM10: pm(w[3]),
		Humidity: signed(w[4], 100), Temperature: signed(w[5], 200),
		VOCIndex: signed(w[6], 10), NOxIndex: signed(w[7], 10),
	}
}

// Status reads the device status register.
func (d *Dev) Status() (Status, error) {
	return d.status("read device status", cmdReadStatus)
}

// ReadAndClearStatus reads the device status register and clears it (the
// fan failure bit stays set until then).
func (d *Dev) ReadAndClearStatus() (Status, error) {
	return d.status("read and clear device status", cmdClearStatus)
}

func (d *Dev) status(what string, cmd uint16) (Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	w, err := d.c.Read(cmd, execShort, 2)
	if err != nil {
		return 0, fmt.Errorf("sen5x: %s: %w", what, err)
	}
	return Status(uint32(w[0])<<16 | uint32(w[1])), nil
}

// VOCStateSize is the size of the VOC index algorithm's state in bytes.
const VOCStateSize = 8

// VOCState reads the VOC index algorithm's learned state (measuring or
// idle), to write back with SetVOCState after a restart.
func (d *Dev) VOCState() ([VOCStateSize]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var st [VOCStateSize]byte
	w, err := d.c.Read(cmdVOCState, execShort, VOCStateSize/2)
	if err != nil {
		return st, fmt.Errorf("sen5x: read VOC algorithm state: %w", err)
	}
	for i, x := range w {
		st[2*i], st[2*i+1] = byte(x>>8), byte(x)
	}
	return st, nil
}

// SetVOCState writes a state read by VOCState back; the sensor must be
// idle, and the next Start resumes from it instead of learning again.
func (d *Dev) SetVOCState(st [VOCStateSize]byte) error {
	var w [VOCStateSize / 2]uint16
	for i := range w {
		w[i] = uint16(st[2*i])<<8 | uint16(st[2*i+1])
	}
	return d.write("write VOC algorithm state", cmdVOCState, execShort, w[:]...)
}

// SetAutoCleanInterval sets the fan auto-cleaning interval in seconds; 0
// disables it. The sensor forgets it at power-off.
func (d *Dev) SetAutoCleanInterval(seconds uint32) error {
	return d.write("set auto-cleaning interval", cmdAutoClean, execShort, uint16(seconds>>16), uint16(seconds))
}

// write sends a command that answers nothing, under the lock.
func (d *Dev) write(what string, cmd uint16, exec time.Duration, args ...uint16) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.c.Write(cmd, exec, args...); err != nil {
		return fmt.Errorf("sen5x: %s: %w", what, err)
	}
	return nil
}

// readASCII reads a NUL-terminated string of 32 bytes (16 words).
func (d *Dev) readASCII(cmd uint16, exec time.Duration) (string, error) {
	w, err := d.c.Read(cmd, exec, 16)
	if err != nil {
		return "", err
	}
	b := make([]byte, 0, 32)
	for _, x := range w {
		b = append(b, byte(x>>8), byte(x))
	}
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	return string(b), nil
}

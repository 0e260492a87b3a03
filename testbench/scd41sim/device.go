package scd41sim

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
)

// Addr is the SCD41's I2C address.
const Addr = 0x62

// Opts configures a simulated unit.
type Opts struct {
	// Seed draws this unit's calibration error, serial number and noise.
	Seed uint64
	// Serial overrides the 48-bit serial number drawn from Seed.
	Serial uint64
	// Altitude is the true altitude of the site in metres; the sensor
	// reads CO2 low up there until told the altitude or pressure.
	Altitude float64
	// SelfHeating is how much warmer the sensor is than the air, °C;
	// 0 means 4, the factory temperature offset.
	SelfHeating float64
	// Quiet turns off measurement noise.
	Quiet bool
	// SCD40 makes the unit an SCD40, which refuses single-shot commands.
	SCD40 bool
}

type mode int

const (
	idle mode = iota
	periodic
	lowPower
	asleep
)

// settings are what persist_settings stores and reinit reloads.
type settings struct {
	tempOffset uint16 // set_temperature_offset word
	altitude   uint16 // m
	asc        bool
	// The ASC target (ppm) and its initial and standard periods (hours).
	ascTarget, ascInitialH, ascStandardH uint16
}

var factory = settings{tempOffset: 1498, altitude: 0, asc: true, // 1498 ≈ 4 °C
	ascTarget: ascTarget, ascInitialH: uint16(ascInitial / time.Hour), ascStandardH: uint16(ascStandard / time.Hour)}

// Device is one simulated SCD41. It implements i2csim.Device and is safe
// for concurrent use.
type Device struct {
	mu   sync.Mutex
	clk  clock.Clock
	src  air.Source
	opts Opts
	rng  *rand.Rand

	mode      mode
	busyUntil time.Time
	pending   []uint16 // answer to the last read command
	hasAnswer bool
	// frame is the last answer framed for the bus, reused: Read copies
	// it out, and a new one each data-ready poll was garbage a second.
	frame []byte

	ram, eeprom settings
	pressure    uint16 // hPa from set_ambient_pressure; 0: use the altitude

	runStart time.Time     // start of the current periodic measurement
	lastRun  time.Duration // how long the last periodic measurement ran
	nextTick time.Time     // next periodic measurement
	shotAt   time.Time     // pending single shot completes; zero: none
	shotRHT  bool          // the pending single shot is RH/T only

	cell     float64 // CO2 in the measurement cell, ppm, lagging the air
	cellTime time.Time
	cellInit bool

	unitErr float64 // -1..1: where this unit sits in its accuracy band
	frc     float64 // forced-recalibration correction, ppm
	asc     float64 // automatic self-calibration correction, ppm
	ascMin  float64 // lowest reading in the current ASC period
	ascRun  time.Duration
	ascDone int // ASC periods completed

	buf   [3]uint16 // the measurement buffer
	ready bool
	last  [3]uint16 // last measurement, what a stuck sensor repeats
	stuck bool

	writes, eepromWrites int
}

// New returns a powered-up idle SCD41 reading the air from src on clk.
func New(clk clock.Clock, src air.Source, opts Opts) *Device {
	if opts.SelfHeating == 0 {
		opts.SelfHeating = 4
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5cd41))
	d := &Device{clk: clk, src: src, opts: opts, rng: rng, ram: factory, eeprom: factory}
	d.unitErr = rng.Float64()*2 - 1
	if d.opts.Serial == 0 {
		d.opts.Serial = rng.Uint64() & (1<<48 - 1)
	}
	return d
}

// SetStuck freezes (true) or releases the output: a stuck sensor keeps
// answering and flagging data ready but repeats its last measurement, and
// its self test reports a malfunction.
func (d *Device) SetStuck(on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stuck = on
}

// CalibrationError is how far this unit reads from the truth at co2 ppm
// before any recalibration: its draw within ±(50 ppm + 2.5 %).
func (d *Device) CalibrationError(co2 float64) float64 {
	return d.unitErr * (50 + 0.025*co2)
}

// Serial returns the unit's serial number.
func (d *Device) Serial() uint64 { return d.opts.Serial }

// EEPROMWrites counts persist_settings calls, which wear the EEPROM.
func (d *Device) EEPROMWrites() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.eepromWrites
}

// PowerCycle cuts and restores power: RAM settings, pressure and any
// measurement are lost; EEPROM settings and the calibration history stay.
func (d *Device) PowerCycle() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mode, d.ram, d.pressure, d.lastRun = idle, d.eeprom, 0, 0
	d.ready, d.hasAnswer, d.shotAt = false, false, time.Time{}
	d.busyUntil = d.clk.Now().Add(30 * time.Millisecond) // power-up time
}

// command describes one entry of datasheet table 9.
type command struct {
	args     int // argument words
	exec     time.Duration
	measure  bool // allowed during periodic measurement
	scd41    bool // single shot family, SCD41 only
	do       func(d *Device, now time.Time, args []uint16) ([]uint16, error)
	readable bool // answers with words
}

// Write implements i2csim.Device: a command, with CRC-checked arguments.
func (d *Device) Write(w []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clk.Now()
	if now.Before(d.busyUntil) {
		return i2csim.NACK("scd41sim: busy executing the previous command")
	}
	d.advance(now)
	code, args, err := i2csim.SensirionCommand(w)
	if err != nil {
		return err
	}
	cmd, ok := commands[code]
	if code == 0xe000 && len(args) == 0 {
		cmd, ok = getAmbientPressure, true
	}
	switch {
	case !ok:
		return i2csim.NACK(fmt.Sprintf("scd41sim: unknown command 0x%04x", code))
	case d.mode == asleep && code == 0x36f6:
		// wake_up wakes the sensor but is never acknowledged.
		d.mode = idle
		d.busyUntil = now.Add(cmd.exec)
		return i2csim.NACK("scd41sim: wake_up is not acknowledged")
	case d.mode == asleep:
		return i2csim.NACK(fmt.Sprintf("scd41sim: powered down, command 0x%04x ignored", code))
	case (d.mode == periodic || d.mode == lowPower) && !cmd.measure:
		return i2csim.NACK(fmt.Sprintf("scd41sim: command 0x%04x not allowed during periodic measurement", code))
	case cmd.scd41 && d.opts.SCD40:
		return i2csim.NACK(fmt.Sprintf("scd41sim: command 0x%04x is the SCD41's, not the SCD40's", code))
	case len(args) != cmd.args:
		return i2csim.NACK(fmt.Sprintf("scd41sim: command 0x%04x takes %d argument words, got %d", code, cmd.args, len(args)))
	}
	d.writes++
	d.hasAnswer = false
	answer, err := cmd.do(d, now, args)
	if err != nil {
		return err
	}
	d.busyUntil = now.Add(busyFor(cmd.exec))
	if cmd.readable && answer != nil {
		d.pending, d.hasAnswer = answer, true
	}
	return nil
}

// Read implements i2csim.Device: the answer to the last command, once its
// execution time has passed. A short read takes the first words, as a
// master NACKing early does.
func (d *Device) Read(r []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clk.Now()
	if now.Before(d.busyUntil) {
		return i2csim.NACK(fmt.Sprintf("scd41sim: still executing, ready in %v", d.busyUntil.Sub(now)))
	}
	if !d.hasAnswer {
		return i2csim.NACK("scd41sim: no answer to read (no read command, or no measurement in the buffer)")
	}
	d.frame = sensirion.EncodeWords(d.frame[:0], d.pending...)
	frame := d.frame
	if len(r) > len(frame) {
		return i2csim.NACK(fmt.Sprintf("scd41sim: read of %d bytes, the answer has %d", len(r), len(frame)))
	}
	copy(r, frame)
	d.hasAnswer = false
	return nil
}

var _ i2csim.Device = (*Device)(nil)

// busyFor is how long a real unit stays busy with a command whose
// datasheet execution time is exec. The datasheet's times are maxima, and
// the 1 ms commands (reads, settings) are done sooner than a master can
// turn the bus round: periph's scd4x tests replay a live SCD41 answering
// get_data_ready_status and read_measurement in one transaction, the read
// header right after the command with a repeated start. So those answer
// at once here too, and a driver that reads them that way works on the
// twin as on the sensor. The longer commands (stop_periodic_measurement,
// forced recalibration, single shots, the self test) keep their full time:
// a unit NACKs its read header until they are done, which is what a
// driver that does not wait must meet.
func busyFor(exec time.Duration) time.Duration {
	if exec <= time.Millisecond {
		return 0
	}
	return exec
}

package scd4x

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sensirion"
)

// DefaultAddr is the SCD4x's fixed I2C address.
const DefaultAddr = 0x62

// Commands and execution times, datasheet table 9.
const (
	cmdStartPeriodic     = 0x21b1
	cmdReadMeasurement   = 0xec05
	cmdStopPeriodic      = 0x3f86
	cmdSetTempOffset     = 0x241d
	cmdGetTempOffset     = 0x2318
	cmdSetAltitude       = 0x2427
	cmdGetAltitude       = 0x2322
	cmdAmbientPressure   = 0xe000
	cmdForcedRecal       = 0x362f
	cmdSetASC            = 0x2416
	cmdGetASC            = 0x2313
	cmdStartLowPower     = 0x21ac
	cmdGetDataReady      = 0xe4b8
	cmdPersistSettings   = 0x3615
	cmdGetSerial         = 0x3682
	cmdSelfTest          = 0x3639
	cmdFactoryReset      = 0x3632
	cmdReinit            = 0x3646
	cmdMeasureSingleShot = 0x219d
	cmdPowerDown         = 0x36e0
	cmdWakeUp            = 0x36f6

	execShort        = time.Millisecond
	execStop         = 500 * time.Millisecond
	execForcedRecal  = 400 * time.Millisecond
	execPersist      = 800 * time.Millisecond
	execSelfTest     = 10 * time.Second
	execFactoryReset = 1200 * time.Millisecond
	execReinit       = 30 * time.Millisecond // Sensirion's driver; see doc.go
	execSingleShot   = 5 * time.Second
	execWakeUp       = 30 * time.Millisecond // Sensirion's driver; see doc.go

	// Signal update intervals of the two periodic modes.
	intervalPeriodic = 5 * time.Second
	intervalLowPower = 30 * time.Second
	// staleAfter intervals without data mean the sensor stopped measuring
	// behind the driver's back (brown-out, reset) rather than "not yet".
	staleAfter = 3
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrNotReady means no new measurement since the last read: wait for
	// the next signal update (5 s, or 30 s in low power mode).
	ErrNotReady = sensirion.ErrNotReady
	// ErrCRC means an answer arrived corrupt; its values were discarded.
	ErrCRC = sensirion.ErrCRC
	// ErrMeasuring means the command is one the datasheet forbids during
	// periodic measurement.
	ErrMeasuring = errors.New("periodic measurement is running: stop periodic measurement first (Stop)")
	// ErrAsleep means the sensor was powered down with PowerDown.
	ErrAsleep = errors.New("sensor is powered down: call WakeUp first")
	// ErrStale means periodic measurement should be running but no
	// measurement came for several intervals: the sensor likely reset.
	ErrStale = errors.New("no new measurement for several intervals")
	// ErrFRCFailed means the sensor refused a forced recalibration.
	ErrFRCFailed = errors.New("forced recalibration failed")
	// ErrSelfTest means perform_self_test reported a malfunction.
	ErrSelfTest = errors.New("self test reported a malfunction")
)

// Opts configures a Dev. The zero value is the usual sensor on the wall clock.
type Opts struct {
	Addr  uint16      // I2C address; 0 means DefaultAddr
	Clock clock.Clock // time source for execution waits; nil means clock.Real{}
}

// Reading is one measurement.
type Reading struct {
	CO2         float64 // ppm
	Temperature float64 // °C, after the temperature offset
	Humidity    float64 // %RH, after the temperature offset
}

type mode int

const (
	idle mode = iota
	periodic
	lowPower
	asleep
)

// Dev is an SCD40 or SCD41. It is safe for concurrent use.
type Dev struct {
	mu         sync.Mutex
	c          sensirion.Conn
	clk        clock.Clock
	bus        string
	mode       mode
	singleShot bool      // a single-shot measurement waits to be read
	lastData   time.Time // start of periodic measurement or last reading
	serial     uint64
}

// New returns the sensor on bus. It wakes the sensor in case a previous run
// powered it down and stops any periodic measurement a previous run left
// going, so the sensor accepts configuration commands, then reads the serial
// number to prove it is an SCD4x that answers.
func New(bus i2c.Bus, opts *Opts) (*Dev, error) {
	var o Opts
	if opts != nil {
		o = *opts
	}
	if o.Addr == 0 {
		o.Addr = DefaultAddr
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	d := &Dev{
		c:   sensirion.Conn{Bus: bus, Addr: o.Addr, Sleep: o.Clock.Sleep},
		clk: o.Clock,
		bus: bus.String(),
	}
	// An awake sensor may NACK wake_up and a sleeping one never ACKs it
	// (datasheet 3.10.4), so its answer says nothing; stop tells.
	d.wakeUp()
	if err := d.c.Write(cmdStopPeriodic, execStop); err != nil {
		return nil, fmt.Errorf("scd4x: no answer at %s address 0x%02x (stop periodic measurement): %w", d.bus, o.Addr, err)
	}
	w, err := d.c.Read(cmdGetSerial, execShort, 3)
	if err != nil {
		return nil, fmt.Errorf("scd4x: read serial number: %w", err)
	}
	d.serial = serialNumber(w)
	return d, nil
}

// String names the sensor by bus, address and serial number.
func (d *Dev) String() string {
	return fmt.Sprintf("scd4x{%s, 0x%02x, serial %d}", d.bus, d.c.Addr, d.serial)
}

// need checks the driver's idea of the sensor state before op; idleOnly
// marks commands the datasheet forbids during periodic measurement.
func (d *Dev) need(op string, idleOnly bool) error {
	switch {
	case d.mode == asleep:
		return fmt.Errorf("scd4x: %s: %w", op, ErrAsleep)
	case idleOnly && d.mode != idle:
		return fmt.Errorf("scd4x: %s: %w", op, ErrMeasuring)
	}
	return nil
}

// Start starts periodic measurement: a new reading every 5 s, the first
// 5 s from now.
func (d *Dev) Start() error { return d.start("start periodic measurement", cmdStartPeriodic, periodic) }

// StartLowPower starts low power periodic measurement: a reading every 30 s.
func (d *Dev) StartLowPower() error {
	return d.start("start low power periodic measurement", cmdStartLowPower, lowPower)
}

func (d *Dev) start(op string, cmd uint16, m mode) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mode == m {
		return nil
	}
	if err := d.need(op, true); err != nil {
		return err
	}
	if err := d.c.Write(cmd, 0); err != nil {
		return fmt.Errorf("scd4x: %s: %w", op, err)
	}
	d.mode = m
	d.singleShot = false
	d.lastData = d.clk.Now()
	return nil
}

// Stop stops periodic measurement and waits the 500 ms the sensor needs
// before it accepts other commands.
func (d *Dev) Stop() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stop()
}

func (d *Dev) stop() error {
	if err := d.need("stop periodic measurement", false); err != nil {
		return err
	}
	if err := d.c.Write(cmdStopPeriodic, execStop); err != nil {
		return fmt.Errorf("scd4x: stop periodic measurement: %w", err)
	}
	d.mode = idle
	return nil
}

// Halt stops periodic measurement if it runs; periph's name for Stop.
func (d *Dev) Halt() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mode != periodic && d.mode != lowPower {
		return nil
	}
	return d.stop()
}

// DataReady reports whether a new measurement waits to be read.
func (d *Dev) DataReady() (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dataReady()
}

func (d *Dev) dataReady() (bool, error) {
	if err := d.need("get data ready status", false); err != nil {
		return false, err
	}
	w, err := d.c.Read(cmdGetDataReady, execShort, 1)
	if err != nil {
		return false, fmt.Errorf("scd4x: get data ready status: %w", err)
	}
	return dataReady(w[0]), nil
}

// Sense reads the newest measurement into r. It never waits for one: with
// no new measurement since the last read it returns an error matching
// ErrNotReady, so a control loop can poll it on its own schedule. A corrupt
// answer matches ErrCRC and leaves r untouched; the sensor has emptied its
// buffer by then, so the next reading comes with the next interval.
func (d *Dev) Sense(r *Reading) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ready, err := d.dataReady()
	if err != nil {
		return err
	}
	if !ready {
		return d.notReady()
	}
	w, err := d.c.Read(cmdReadMeasurement, execShort, 3)
	if err != nil {
		return fmt.Errorf("scd4x: read measurement: %w", err)
	}
	*r = Reading{CO2: co2PPM(w[0]), Temperature: celsius(w[1]), Humidity: percentRH(w[2])}
	d.lastData = d.clk.Now()
	d.singleShot = false
	return nil
}

func (d *Dev) notReady() error {
	var interval time.Duration
	switch {
	case d.mode == periodic:
		interval = intervalPeriodic
	case d.mode == lowPower:
		interval = intervalLowPower
	case d.singleShot:
		return fmt.Errorf("scd4x: read measurement: single shot: %w", ErrNotReady)
	default:
		return errors.New("scd4x: read measurement: nothing is measuring: call Start, StartLowPower or MeasureSingleShot first")
	}
	if since := clock.Sub(d.clk.Now(), d.lastData); since > staleAfter*interval {
		return fmt.Errorf("scd4x: read measurement: %w: none for %v, expected every %v; the sensor may have reset: Stop and Start it", ErrStale, since, interval)
	}
	return errNotReady
}

// errNotReady is made once: the loop polls every second and finds nothing
// four times in five.
var errNotReady = fmt.Errorf("scd4x: read measurement: %w", ErrNotReady)

// MeasureSingleShot (SCD41 only) measures once from idle and waits the 5 s
// it takes; Sense then reads the result. An SCD40 refuses the command.
func (d *Dev) MeasureSingleShot() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.need("measure single shot", true); err != nil {
		return err
	}
	if err := d.c.Write(cmdMeasureSingleShot, execSingleShot); err != nil {
		return fmt.Errorf("scd4x: measure single shot (SCD41 only; an SCD40 refuses it): %w", err)
	}
	d.singleShot = true
	return nil
}

// Serial reads the 48-bit serial number from the sensor.
func (d *Dev) Serial() (uint64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.need("get serial number", true); err != nil {
		return 0, err
	}
	w, err := d.c.Read(cmdGetSerial, execShort, 3)
	if err != nil {
		return 0, fmt.Errorf("scd4x: get serial number: %w", err)
	}
	d.serial = serialNumber(w)
	return d.serial, nil
}

// PowerDown puts an idle sensor to sleep; WakeUp wakes it.
func (d *Dev) PowerDown() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.need("power down", true); err != nil {
		return err
	}
	if err := d.c.Write(cmdPowerDown, execShort); err != nil {
		return fmt.Errorf("scd4x: power down: %w", err)
	}
	d.mode = asleep
	return nil
}

// wakeUp sends wake_up and waits for it whether or not it was acknowledged.
func (d *Dev) wakeUp() {
	if err := d.c.Write(cmdWakeUp, execWakeUp); err != nil {
		d.clk.Sleep(execWakeUp)
	}
}

// WakeUp wakes a powered-down sensor and checks that it answers.
func (d *Dev) WakeUp() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mode == periodic || d.mode == lowPower {
		return fmt.Errorf("scd4x: wake up: %w", ErrMeasuring)
	}
	// The sensor does not acknowledge wake_up (datasheet 3.10.4): only the
	// serial number read after it tells whether it woke.
	d.wakeUp()
	if _, err := d.c.Read(cmdGetSerial, execShort, 3); err != nil {
		return fmt.Errorf("scd4x: wake up: sensor does not answer after wake_up: %w", err)
	}
	d.mode = idle
	return nil
}

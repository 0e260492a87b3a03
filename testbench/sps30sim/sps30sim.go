// Package sps30sim is a simulated Sensirion SPS30 particulate matter sensor
// that speaks the real I2C command set byte for byte, so the sps30 driver
// runs unchanged against it on an i2csim bus.
//
// It follows "Datasheet SPS30", Version 1.0, March 2020, section 6
// ("Operation and Communication through the I2C Interface"): 16-bit
// commands, CRC-8 on every word, pointer-style reads (write the command,
// then read its answer), the command execution times (a transfer before the
// previous command has finished is not acknowledged), the idle, measurement
// and sleep modes (a command not allowed in the current mode is not
// acknowledged), a new measurement every second of simulated time, both
// output formats, fan cleaning, the auto-cleaning interval and the device
// status register.
//
// The values it measures are the true air from an air.Source seen through
// the sensor: a fixed per-unit bias within the datasheet accuracy
// (±10 µg/m³ up to 100 µg/m³, ±10 % above), random noise, and a first-order
// response lag of a few seconds. Number concentrations and the typical
// particle size are derived from the measured masses.
package sps30sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
)

// Addr is the SPS30's fixed I2C address.
const Addr = 0x69

// ProductType is what the SPS30 answers to Read Product Type.
const ProductType = "00080000"

// The I2C commands (datasheet section 6, command table).
const (
	cmdStart         = 0x0010
	cmdStop          = 0x0104
	cmdDataReady     = 0x0202
	cmdReadValues    = 0x0300
	cmdSleep         = 0x1001
	cmdWakeUp        = 0x1103
	cmdFanClean      = 0x5607
	cmdAutoClean     = 0x8004
	cmdProductType   = 0xD002
	cmdSerial        = 0xD033
	cmdVersion       = 0xD100
	cmdReadStatus    = 0xD206
	cmdClearStatus   = 0xD210
	cmdReset         = 0xD304
	formatFloat      = 0x0300 // big-endian IEEE754 float
	formatUint16     = 0x0500 // unsigned 16-bit integer
	autoCleanDefault = 604800 // seconds: one week
)

// execTime is a command's execution time: how long after its stop
// condition the sensor is busy and acknowledges nothing. A switch, not a
// map: every transfer asks, and a map lookup was a tenth of a transfer.
func execTime(cmd uint16) time.Duration {
	switch cmd {
	case cmdStart, cmdStop:
		return 20 * time.Millisecond
	case cmdSleep, cmdWakeUp, cmdFanClean, cmdClearStatus:
		return 5 * time.Millisecond
	case cmdAutoClean:
		return 5 * time.Millisecond // reading; writing goes to flash and takes longer
	case cmdReset:
		return 100 * time.Millisecond
	}
	return 0
}

// autoCleanWriteTime is the execution time of writing the auto-cleaning
// interval, which is stored in non-volatile memory.
const autoCleanWriteTime = 20 * time.Millisecond

// Timing of the sensor itself.
const (
	interval      = time.Second      // one measurement a second
	cleanDuration = 10 * time.Second // fan at full speed for 10 s
	wakeWindow    = 100 * time.Millisecond
	// wakeDelay is how long the interface takes to listen after the
	// first pulse. The datasheet gives no figure; Sensirion's driver
	// waits 5 ms between the two Wake-ups, so the twin refuses a
	// second one sooner.
	wakeDelay  = 5 * time.Millisecond
	fanStartup = 3 * time.Second // fan speed is not checked while spinning up
)

// Device status register bits (datasheet, Read Device Status Register).
const (
	statusSpeed = 1 << 21 // fan speed out of range
	statusLaser = 1 << 5  // laser current out of range
	statusFan   = 1 << 4  // fan switched on but not turning
)

// Opts configures a simulated unit. The zero value is a typical sensor.
type Opts struct {
	// Seed draws this unit's bias and its noise; two units with the same
	// seed measure the same air identically.
	Seed uint64
	// Serial is the serial number it reports (at most 31 ASCII characters);
	// empty gives one derived from Seed.
	Serial string
	// Firmware is the major and minor firmware version; zero gives 2.2.
	Firmware [2]byte
	// Lag is the time constant of the first-order response; zero gives 3 s,
	// a negative value none.
	Lag time.Duration
	// Ideal reports the true air with no bias, noise or lag, for tests that
	// need exact values downstream.
	Ideal bool
}

type mode int

const (
	modeIdle mode = iota
	modeMeasuring
	modeSleep
)

func (m mode) String() string {
	switch m {
	case modeIdle:
		return "idle mode"
	case modeMeasuring:
		return "measurement mode"
	}
	return "sleep mode"
}

// Device is a simulated SPS30. It implements i2csim.Device and is safe for
// concurrent use.
type Device struct {
	clk  clock.Clock
	src  air.Source
	opts Opts

	mu  sync.Mutex
	rng *rand.Rand
	// Per-unit accuracy error, each in [-1, 1]: gain and offset (see sense).
	bias, offset float64
	mode         mode

	busyUntil time.Time
	busyCmd   uint16
	pending   []byte // answer to the last read command, until the next write
	// reread says the answer in pending has been read once: a master may
	// read again without setting the pointer (datasheet 6.1), and gets
	// the sensor's state then, not a copy of the first answer.
	reread bool
	// answer holds the answers to the commands polled every second
	// (data ready, read values), reused: pending lives only until the
	// next write drops it, and a new array a poll was most of the
	// simulated bus's garbage.
	answer []byte
	// The sleeping interface, switched on by a pulse, listens from
	// wakeFrom until wakeUntil.
	wakeFrom, wakeUntil time.Time

	format     uint16
	started    time.Time
	nextTick   time.Time
	lag        [4]float64
	lagStep    float64 // the lag's share of the way to the air each tick
	last       [10]float64
	haveValue  bool
	ready      bool
	cleanUntil time.Time

	autoClean    uint32    // seconds; 0 disables
	autoCleanDue time.Time // counted from power-up, reset or the last cleaning
	// autoCleanRead is the interval a read returns: before firmware 2.2
	// the one in force at the last start or reset (datasheet 6.3.8).
	autoCleanRead uint32

	status                  uint32
	fanBadTicks, laserTicks int
	fanFail, laserFail      bool
	stuck                   bool
	idleReadyZero           bool
}

// New returns a powered-up sensor in idle mode, reading the air from src
// at clk's time.
func New(clk clock.Clock, src air.Source, opts Opts) *Device {
	if opts.Firmware == [2]byte{} {
		opts.Firmware = [2]byte{2, 2}
	}
	if opts.Lag == 0 {
		opts.Lag = 3 * time.Second
	}
	if opts.Serial == "" {
		opts.Serial = fmt.Sprintf("%016X", opts.Seed*0x9E3779B97F4A7C15+0x3C6EF372FE94F82B)
	}
	if len(opts.Serial) > 31 {
		opts.Serial = opts.Serial[:31]
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5350533330))
	d := &Device{
		clk:       clk,
		src:       src,
		opts:      opts,
		rng:       rng,
		bias:      rng.Float64()*2 - 1,
		offset:    rng.Float64()*2 - 1,
		autoClean: autoCleanDefault,
	}
	d.autoCleanRead = d.autoClean
	d.autoCleanDue = clk.Now().Add(autoCleanDefault * time.Second)
	d.lagStep = 1 - math.Exp(-interval.Seconds()/opts.Lag.Seconds())
	return d
}

// Write receives a command and its argument words.
func (d *Device) Write(w []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clk.Now()
	d.advance(now)
	if d.mode == modeSleep {
		return d.sleepingWrite(now, w)
	}
	if now.Before(d.busyUntil) {
		return i2csim.NACK(fmt.Sprintf("busy executing command 0x%04x", d.busyCmd))
	}
	cmd, args, err := i2csim.SensirionCommand(w)
	if err != nil {
		return err
	}
	d.pending = nil
	if err := d.exec(now, cmd, args); err != nil {
		return err
	}
	d.busyCmd = cmd
	d.reread = false
	exec := execTime(cmd)
	if cmd == cmdAutoClean && len(args) > 0 {
		exec = autoCleanWriteTime
	}
	d.busyUntil = now.Add(exec)
	return nil
}

// Read sends the answer to the last read command.
func (d *Device) Read(r []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clk.Now()
	d.advance(now)
	if d.mode == modeSleep {
		d.pulse(now)
		return i2csim.NACK("asleep: I2C interface off")
	}
	if now.Before(d.busyUntil) {
		return i2csim.NACK(fmt.Sprintf("still executing command 0x%04x", d.busyCmd))
	}
	if d.pending == nil {
		return i2csim.NACK("read without a read command before it")
	}
	if d.reread {
		d.again()
	}
	i2csim.Answer(r, d.pending)
	d.reread = true
	return nil
}

// again refreshes the answer for a read that follows another without a
// new command: "It is allowed to read several times in succession
// without setting the address pointer again" (datasheet 6.1), and a
// repeated read of the data-ready flag "gets the status of the Data-Ready
// Flag" (6.3.3), so the polled commands answer the state now. The first
// read after the command keeps the answer the command prepared.
func (d *Device) again() {
	if d.mode != modeMeasuring {
		return
	}
	switch d.busyCmd {
	case cmdDataReady:
		d.answerReady()
	case cmdReadValues:
		d.ready = false
		d.pending = d.encodeValues()
	}
}

// QuickWrite implements i2csim.QuickWriter: an address with no data is a
// low pulse on SDA, which switches a sleeping sensor's interface on
// (datasheet 6.3.6) but is not acknowledged. An awake sensor
// acknowledges its address unless busy.
func (d *Device) QuickWrite() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clk.Now()
	d.advance(now)
	if d.mode == modeSleep {
		if d.pulse(now) {
			return i2csim.NACK("asleep: I2C interface off (this pulse switches it on for 100 ms)")
		}
		if now.Before(d.wakeFrom) {
			return i2csim.NACK("I2C interface still switching on after the first pulse")
		}
		return nil
	}
	if now.Before(d.busyUntil) {
		return i2csim.NACK(fmt.Sprintf("busy executing command 0x%04x", d.busyCmd))
	}
	return nil
}

// sleepingWrite handles a write while the interface is off: the first
// transfer's low pulse on SDA switches the interface on, which listens
// from wakeDelay after the pulse until wakeWindow after it; a Wake-up
// command in that window brings the sensor back to idle.
func (d *Device) sleepingWrite(now time.Time, w []byte) error {
	if d.pulse(now) {
		return i2csim.NACK("asleep: I2C interface off (this pulse switches it on for 100 ms)")
	}
	if now.Before(d.wakeFrom) {
		return i2csim.NACK(fmt.Sprintf("I2C interface still switching on after the first pulse, %v more (Sensirion's driver waits 5 ms between the two Wake-ups)", d.wakeFrom.Sub(now)))
	}
	if len(w) == 2 && uint16(w[0])<<8|uint16(w[1]) == cmdWakeUp {
		d.mode = modeIdle
		d.wakeFrom, d.wakeUntil = time.Time{}, time.Time{}
		d.busyCmd = cmdWakeUp
		d.busyUntil = now.Add(execTime(cmdWakeUp))
		return nil
	}
	return i2csim.NACK("interface awake but sensor asleep: only Wake-up (0x1103) is accepted")
}

// pulse is a transfer's first low pulse reaching a sleeping sensor: it
// switches the interface on unless it already is, and reports whether it
// did.
func (d *Device) pulse(now time.Time) bool {
	if now.Before(d.wakeUntil) {
		return false
	}
	d.wakeFrom, d.wakeUntil = now.Add(wakeDelay), now.Add(wakeWindow)
	return true
}

// exec runs one command in the current mode.
func (d *Device) exec(now time.Time, cmd uint16, args []uint16) error {
	wrongMode := func() error {
		return i2csim.NACK(fmt.Sprintf("command 0x%04x not allowed in %s", cmd, d.mode))
	}
	wantArgs := func(n int) error {
		if len(args) != n {
			return i2csim.NACK(fmt.Sprintf("command 0x%04x takes %d argument words, got %d", cmd, n, len(args)))
		}
		return nil
	}
	if len(args) > 0 && cmd != cmdStart && cmd != cmdAutoClean {
		return i2csim.NACK(fmt.Sprintf("command 0x%04x takes no arguments, got %d words", cmd, len(args)))
	}
	measuring := d.mode == modeMeasuring
	switch cmd {
	case cmdStart:
		if err := wantArgs(1); err != nil {
			return err
		}
		if measuring {
			return wrongMode()
		}
		if args[0] != formatFloat && args[0] != formatUint16 {
			return i2csim.NACK(fmt.Sprintf("output format 0x%04x: want 0x0300 (float) or 0x0500 (uint16)", args[0]))
		}
		d.format = args[0]
		d.autoCleanRead = d.autoClean
		d.mode = modeMeasuring
		d.started = now
		d.nextTick = now.Add(interval)
		d.lag = [4]float64{}
		d.haveValue, d.ready = false, false
		d.cleanUntil = time.Time{}
		d.fanBadTicks, d.laserTicks = 0, 0
	case cmdStop:
		if !measuring {
			return wrongMode()
		}
		d.mode = modeIdle
		d.ready = false
	case cmdDataReady:
		if !measuring && d.idleReadyZero {
			d.pending = sensirion.EncodeWords(nil, 0)
			return nil
		}
		if !measuring {
			return wrongMode()
		}
		d.answerReady()
	case cmdReadValues:
		if !measuring {
			return wrongMode()
		}
		if !d.haveValue {
			return i2csim.NACK("no measurement yet")
		}
		d.ready = false
		d.pending = d.encodeValues()
	case cmdSleep:
		if d.mode != modeIdle {
			return wrongMode()
		}
		if d.opts.Firmware[0] < 2 {
			return i2csim.NACK("sleep needs firmware 2.0 or later")
		}
		d.mode = modeSleep
		d.pending = nil
	case cmdWakeUp:
		// Harmless when already awake and idle, so that the wake-up
		// sequence is safe to send without knowing the mode.
		if measuring {
			return wrongMode()
		}
	case cmdFanClean:
		if !measuring {
			return wrongMode()
		}
		d.cleanUntil = now.Add(cleanDuration)
	case cmdAutoClean:
		switch len(args) {
		case 0:
			d.pending = sensirion.EncodeWords(nil, uint16(d.autoCleanRead>>16), uint16(d.autoCleanRead))
		case 2:
			d.autoClean = uint32(args[0])<<16 | uint32(args[1])
			if d.hasStatus() { // firmware 2.2 or later reads back what was written
				d.autoCleanRead = d.autoClean
			}
			d.autoCleanDue = now.Add(time.Duration(d.autoClean) * time.Second)
		default:
			return wantArgs(2)
		}
	case cmdProductType:
		d.pending = encodeASCII(ProductType, 4)
	case cmdSerial:
		d.pending = encodeASCII(d.opts.Serial, 16)
	case cmdVersion:
		d.pending = sensirion.EncodeWords(nil, uint16(d.opts.Firmware[0])<<8|uint16(d.opts.Firmware[1]))
	case cmdReadStatus:
		if !d.hasStatus() {
			return i2csim.NACK("the status register needs firmware 2.2 or later")
		}
		d.pending = sensirion.EncodeWords(nil, uint16(d.status>>16), uint16(d.status))
	case cmdClearStatus:
		if !d.hasStatus() {
			return i2csim.NACK("the status register needs firmware 2.2 or later")
		}
		d.status = 0
	case cmdReset:
		d.mode = modeIdle
		d.ready, d.haveValue = false, false
		d.status = 0
		d.autoCleanRead = d.autoClean
		d.autoCleanDue = now.Add(time.Duration(d.autoClean) * time.Second)
	default:
		return i2csim.NACK(fmt.Sprintf("unknown command 0x%04x", cmd))
	}
	return nil
}

// hasStatus says whether the firmware knows the device status register
// commands (datasheet, March 2020: from 2.2).
func (d *Device) hasStatus() bool {
	f := d.opts.Firmware
	return f[0] > 2 || f[0] == 2 && f[1] >= 2
}

// encodeASCII frames s, NUL-padded, as n words of two characters.
func encodeASCII(s string, n int) []byte {
	b := make([]byte, 2*n)
	copy(b, s)
	words := make([]uint16, n)
	for i := range words {
		words[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return sensirion.EncodeWords(nil, words...)
}

// answerReady prepares the data-ready flag as the answer to the next read.
func (d *Device) answerReady() {
	var flag uint16
	if d.ready {
		flag = 1
	}
	d.answer = sensirion.EncodeWords(d.answer[:0], flag)
	d.pending = d.answer
}

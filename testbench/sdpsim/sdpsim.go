// Package sdpsim is a simulated Sensirion SDP8xx or SDP3x differential
// pressure sensor that speaks the real I2C command set byte for byte, so
// the sdp8xx driver runs unchanged against it on an i2csim bus.
//
// It follows "Datasheet SDP8xx-Digital" and "Datasheet SDP3x-Digital",
// section 5 "Digital Interface Description": 16-bit commands without
// arguments; continuous measurement with mass-flow or differential-pressure
// temperature compensation, with or without averaging till read (0x3603,
// 0x3608, 0x3615, 0x361E), whose results any plain read returns from 10 ms
// after the start (the datasheet says 8 ms; Sensirion's own driver waits
// 10, and the twin holds drivers to that); triggered measurement (0x3624, 0x362F) that keeps the
// sensor busy 45 ms; stop (0x3FF9), busy 500 µs; sleep (0x3677), left by
// addressing the sensor (with a command, or the address alone as
// Sensirion's sdp_exit_sleep_mode does), which NACKs that first write and
// is awake 2 ms later; the product identifier (0x367C then 0xE102, then an 18-byte
// read); soft reset through the general call address (see GeneralCall); and
// the frame of pressure, temperature and scale factor, each word with its
// CRC-8.
//
// Whatever the state forbids, the sensor refuses with a NACK: a start
// while measuring, the product identifier while measuring, 0xE102 not
// straight after 0x367C, a read with nothing to read, anything while busy
// or asleep.
//
// The values are the true pressure and temperature from a source function
// seen through the sensor: a per-unit zero offset and span error within the
// datasheet accuracy, Gaussian noise (0.1 Pa by default), the mean since
// the previous read in the averaging modes, and the 16-bit output's limits.
// The mass-flow compensation modes return the same values as the
// differential-pressure ones: the difference (the air density's
// temperature dependence, a few percent away from 20 °C) is not modelled.
package sdpsim

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/testbench/i2csim"
)

// Default I2C addresses.
const (
	AddrSDP8xx = 0x25 // SDP800, SDP810
	AddrSDP3x  = 0x21 // SDP31, SDP32
)

// The I2C commands.
const (
	cmdStartMFAvg = 0x3603 // continuous, mass-flow T-comp, average till read
	cmdStartMF    = 0x3608 // continuous, mass-flow T-comp
	cmdStartDPAvg = 0x3615 // continuous, differential-pressure T-comp, average till read
	cmdStartDP    = 0x361E // continuous, differential-pressure T-comp
	cmdTrigMF     = 0x3624 // triggered, mass-flow T-comp
	cmdTrigDP     = 0x362F // triggered, differential-pressure T-comp
	cmdStop       = 0x3FF9
	cmdSleep      = 0x3677
	cmdReadID1    = 0x367C
	cmdReadID2    = 0xE102
)

// Timings are the datasheet's, but for the reset time, which it does not
// give: 20 ms is what ESPHome's driver waits. The per-unit errors stay
// inside the datasheet's zero-point accuracy and 3 % of reading.
const (
	firstResult  = 10 * time.Millisecond  // continuous: first result after start (Sensirion's driver's wait)
	sampleEvery  = 500 * time.Microsecond // continuous: internal update rate
	triggered    = 45 * time.Millisecond  // triggered measurement, busy throughout
	stopTime     = 500 * time.Microsecond // busy after stop
	wakeTime     = 2 * time.Millisecond   // from the waking address to idle
	resetTime    = 20 * time.Millisecond  // busy after a general call reset
	tempScale    = 200                    // temperature counts per °C
	maxSamples   = 4                      // source samples averaged per read
	defaultNoise = 0.1                    // Pa, standard deviation of one reading
	spanError    = 0.03                   // largest per-unit span error, of reading
	zeroError    = 0.08                   // Pa, largest per-unit zero offset
	tempError    = 0.5                    // °C, largest per-unit temperature offset
)

// Part is one model of the family.
type Part struct {
	Name    string
	Number  uint32 // product number, the last byte being the revision
	Scale   uint16 // counts per Pa of the pressure word
	RangePa float64
}

// Parts the simulator can be. Product numbers are those the parts report
// (SDP8xx datasheet table; SDP31 as a shipped unit reports it).
var Parts = map[string]Part{
	"SDP800-500Pa": {"SDP800-500Pa", 0x03020101, 60, 500},
	"SDP810-500Pa": {"SDP810-500Pa", 0x03020A01, 60, 500},
	"SDP801-500Pa": {"SDP801-500Pa", 0x03020401, 60, 500},
	"SDP811-500Pa": {"SDP811-500Pa", 0x03020D01, 60, 500},
	"SDP800-125Pa": {"SDP800-125Pa", 0x03020201, 240, 125},
	"SDP810-125Pa": {"SDP810-125Pa", 0x03020B01, 240, 125},
	"SDP31":        {"SDP31", 0x03010188, 60, 500},
	"SDP32":        {"SDP32", 0x03010288, 240, 125},
}

// Source gives the true differential pressure (Pa) and the temperature
// (°C) at the sensor at time t, as room.PressureSource does.
type Source func(t time.Time) (pressurePa, tempC float64)

// Opts configures a simulated unit. The zero value is a typical SDP810-500Pa.
type Opts struct {
	// Seed draws this unit's offsets and its noise; two units with the
	// same seed read the same pressure identically.
	Seed uint64
	// Product is the part name, a key of Parts; empty means "SDP810-500Pa".
	Product string
	// Serial is the serial number it reports; 0 derives one from Seed.
	Serial uint64
	// Noise is the standard deviation of one reading in Pa; 0 means 0.1 Pa,
	// a negative value none.
	Noise float64
	// Ideal reports the true values with no offset, span error or noise,
	// for tests that need exact numbers downstream.
	Ideal bool
}

type mode int

const (
	modeIdle mode = iota
	modeContinuous
	modeTriggered
	modeSleep
)

func (m mode) String() string {
	return [...]string{"idle", "continuous measurement", "triggered measurement", "sleep"}[m]
}

// Device is a simulated SDP sensor. It implements i2csim.Device and is
// safe for concurrent use.
type Device struct {
	clk  clock.Clock
	src  Source
	part Part
	opts Opts

	mu                   sync.Mutex
	rng                  *rand.Rand
	zero, span, tempOffs float64 // this unit's accuracy errors

	mode      mode
	cmd       uint16 // the start or trigger command of the current measurement
	busyUntil time.Time
	busyWhy   string
	idArmed   bool   // 0x367C received; 0xE102 may follow
	pending   []byte // product identifier answer, until the next write
	firstAt   time.Time
	lastRead  time.Time
	last      []byte // last frame sent, for SetStuck
	stuck     bool
	reads     int
}

// New returns a powered-up sensor, idle, reading the truth from src at
// clk's time. An unknown opts.Product is a programming error and panics,
// naming the parts there are.
func New(clk clock.Clock, src Source, opts Opts) *Device {
	if opts.Product == "" {
		opts.Product = "SDP810-500Pa"
	}
	part, ok := Parts[opts.Product]
	if !ok {
		names := make([]string, 0, len(Parts))
		for n := range Parts {
			names = append(names, n)
		}
		sort.Strings(names)
		panic(fmt.Sprintf("sdpsim: unknown product %q; want one of %s", opts.Product, strings.Join(names, ", ")))
	}
	if opts.Noise == 0 {
		opts.Noise = defaultNoise
	}
	if opts.Serial == 0 {
		opts.Serial = opts.Seed*0x9E3779B97F4A7C15 + 0x5DB810
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x534450383130))
	d := &Device{clk: clk, src: src, part: part, opts: opts, rng: rng}
	if !opts.Ideal {
		d.zero = (2*rng.Float64() - 1) * zeroError
		d.span = (2*rng.Float64() - 1) * spanError
		d.tempOffs = (2*rng.Float64() - 1) * tempError
	}
	return d
}

// Part returns the part the unit is.
func (d *Device) Part() Part { return d.part }

// Write receives a command.
func (d *Device) Write(w []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clk.Now()
	if err := d.addressed(now); err != nil {
		return err
	}
	if len(w) != 2 {
		return i2csim.NACK(fmt.Sprintf("write of %d bytes: commands are 2 bytes and take no arguments", len(w)))
	}
	cmd := uint16(w[0])<<8 | uint16(w[1])
	armed := d.idArmed
	d.idArmed = false
	d.pending = nil
	wrongMode := func() error {
		return i2csim.NACK(fmt.Sprintf("command 0x%04x not allowed in %s", cmd, d.mode))
	}
	switch cmd {
	case cmdStartMFAvg, cmdStartMF, cmdStartDPAvg, cmdStartDP:
		if d.mode != modeIdle {
			return wrongMode()
		}
		d.mode, d.cmd = modeContinuous, cmd
		d.firstAt = now.Add(firstResult)
		d.lastRead = now
		d.last = nil
	case cmdTrigMF, cmdTrigDP:
		if d.mode != modeIdle {
			return wrongMode()
		}
		d.mode, d.cmd = modeTriggered, cmd
		d.busy(now, triggered, "triggered measurement under way (45 ms)")
	case cmdStop:
		// Harmless when idle, so a driver may stop without knowing.
		if d.mode == modeContinuous {
			d.mode = modeIdle
		}
		d.busy(now, stopTime, "stopping")
	case cmdSleep:
		if d.mode != modeIdle {
			return wrongMode()
		}
		d.mode = modeSleep
	case cmdReadID1:
		if d.mode != modeIdle {
			return wrongMode()
		}
		d.idArmed = true
	case cmdReadID2:
		if !armed {
			return i2csim.NACK("0xE102 must follow 0x367C directly")
		}
		d.pending = sensirion.EncodeWords(nil,
			uint16(d.part.Number>>16), uint16(d.part.Number),
			uint16(d.opts.Serial>>48), uint16(d.opts.Serial>>32),
			uint16(d.opts.Serial>>16), uint16(d.opts.Serial))
	default:
		return i2csim.NACK(fmt.Sprintf("unknown command 0x%04x", cmd))
	}
	return nil
}

// QuickWrite implements i2csim.QuickWriter: the address alone, as
// Sensirion's sdp_exit_sleep_mode sends it. A sleeping sensor wakes and
// does not acknowledge it; an idle one acknowledges its address unless
// busy.
func (d *Device) QuickWrite() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.addressed(d.clk.Now())
}

// addressed is the sensor seeing its address at now: a sleeping one wakes
// and does not acknowledge it, a busy one does not; d.mu is held.
func (d *Device) addressed(now time.Time) error {
	if d.mode == modeSleep {
		d.mode = modeIdle
		d.busy(now, wakeTime, "waking up from sleep")
		return i2csim.NACK("asleep: this address wakes the sensor, idle 2 ms later")
	}
	if now.Before(d.busyUntil) {
		return i2csim.NACK("busy: " + d.busyWhy)
	}
	return nil
}

// Read sends what the state has to send: the product identifier after
// 0x367C 0xE102, or the measurement frame while measuring.
func (d *Device) Read(r []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clk.Now()
	if d.mode == modeSleep {
		return i2csim.NACK("asleep: only a write header wakes the sensor")
	}
	if now.Before(d.busyUntil) {
		return i2csim.NACK("busy: " + d.busyWhy)
	}
	var frame []byte
	switch {
	case d.pending != nil:
		frame = d.pending
	case d.mode == modeContinuous:
		if now.Before(d.firstAt) {
			return i2csim.NACK("first measurement not ready (10 ms after start, the wait Sensirion's driver leaves)")
		}
		frame = d.measure(now)
	case d.mode == modeTriggered:
		frame = d.measure(now)
		d.mode = modeIdle
	default:
		return i2csim.NACK("nothing to read in idle mode: start a measurement or send 0x367C 0xE102")
	}
	i2csim.Answer(r, frame)
	d.reads++
	return nil
}

func (d *Device) busy(now time.Time, dur time.Duration, why string) {
	d.busyUntil, d.busyWhy = now.Add(dur), why
}

// reset returns the sensor to idle, as a general call reset does.
func (d *Device) reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mode == modeSleep {
		return // the datasheet: in sleep mode the sensor cannot be soft reset
	}
	d.mode = modeIdle
	d.idArmed, d.pending = false, nil
	d.busy(d.clk.Now(), resetTime, "resetting")
}

// GeneralCall returns the device that answers the I2C general call
// address (0x00) on a bus: attach it there, and the soft reset (0x06) sent
// to it resets every listed sensor, as the shared bus line does.
func GeneralCall(devs ...*Device) i2csim.Device { return generalCall(devs) }

type generalCall []*Device

func (g generalCall) Write(w []byte) error {
	if len(w) != 1 || w[0] != 0x06 {
		return i2csim.NACK(fmt.Sprintf("general call % x: only the soft reset 06 is supported", w))
	}
	for _, d := range g {
		d.reset()
	}
	return nil
}

func (g generalCall) Read([]byte) error {
	return i2csim.NACK("the general call address is write-only")
}

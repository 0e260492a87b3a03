// Package sgp41sim is a simulated Sensirion SGP41 (or SGP40) for the i2csim
// bus: the datasheet command set byte for byte, with argument CRCs,
// execution times, conditioning, the heater state and the self-test, and
// raw VOC and NOx signals computed from the true air of an air.Source.
//
// The raw signal model (see model.go) is built so that Sensirion's gas index
// algorithm, fed at 1 s, reads about 100 in clean air and a few hundred
// during a smoking session.
package sgp41sim

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

// Addr is the sensor's fixed I2C address.
const Addr = 0x59

// Commands the simulated sensor knows.
const (
	cmdConditioning = 0x2612
	cmdMeasureRaw41 = 0x2619
	cmdMeasureRaw40 = 0x260F
	cmdSelfTest     = 0x280E
	cmdHeaterOff    = 0x3615
	cmdSerial       = 0x3682
	cmdFeatureSet   = 0x202F
)

// maxConditioning is how long the NOx pixel survives conditioning.
const maxConditioning = 10 * time.Second

// Opts configures a simulated unit. The zero value is an SGP41 with seed 0.
type Opts struct {
	SGP40  bool   // simulate the VOC-only SGP40
	Seed   uint64 // per-unit offsets, noise and serial number
	Serial uint64 // 48-bit serial number; 0 derives one from Seed
	// Noise is the 1σ noise of each raw signal in ticks: 0 means 3 ticks,
	// negative means none.
	Noise float64
	// ResponseTime is τ63 of the sensing layer: 0 means 3 s.
	ResponseTime time.Duration
	// ExtraExec lengthens every command's execution time beyond the
	// datasheet's, as a slow or faulty part would, so drivers' handling of
	// a read before the data is ready can be tested.
	ExtraExec time.Duration
}

// Device is one simulated sensor. It implements i2csim.Device and is safe
// for concurrent use.
type Device struct {
	mu  sync.Mutex
	clk clock.Clock
	src air.Source
	o   Opts
	rng *rand.Rand

	// The answer being prepared and when it is ready.
	busyUntil time.Time
	busyCmd   uint16
	resp      []byte
	// measured holds the answers to the measure commands, reused: Read
	// copies resp out, and a new array a measurement was garbage a
	// second. args holds the last command's argument words (a measure
	// command's two compensation words), reused the same way.
	measured []byte
	args     []uint16

	heater       bool
	conditioning bool
	condStart    time.Time
	condTotal    time.Duration // conditioning before measuring began
	measuring    bool
	measureStart time.Time
	settleAmp    float64 // NOx offset left by too little conditioning
	noxDamaged   bool
	failVOC      bool
	failNOx      bool

	sig signal
}

// New returns a simulated sensor, idle as after power-up, reading the air
// from src on clk.
func New(clk clock.Clock, src air.Source, opts Opts) *Device {
	o := opts
	if o.Noise == 0 {
		o.Noise = 3
	}
	if o.Noise < 0 {
		o.Noise = 0
	}
	if o.ResponseTime <= 0 {
		o.ResponseTime = 3 * time.Second
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed5a41))
	if o.Serial == 0 {
		o.Serial = rng.Uint64()&0xffff_ffff_ffff | 1
	}
	o.Serial &= 0xffff_ffff_ffff
	d := &Device{clk: clk, src: src, o: o, rng: rng}
	d.sig.unitOffsets(rng)
	return d
}

// SetStuck freezes (true) or releases the raw signals: a stuck sensor keeps
// answering, with valid CRCs, the last values it measured.
func (d *Device) SetStuck(stuck bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sig.stuck = stuck
}

// SetSelfTestFailure makes the next self-tests report the given pixels as
// failed.
func (d *Device) SetSelfTestFailure(voc, nox bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.failVOC, d.failNOx = voc, nox
}

// HeaterOn reports whether the hotplate is on (measuring or conditioning).
func (d *Device) HeaterOn() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.heater
}

// NOxDamaged reports whether conditioning has run past 10 s, which damages
// the NOx pixel for good (its self-test bit then reads failed).
func (d *Device) NOxDamaged() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.checkConditioning(d.clk.Now())
	return d.noxDamaged
}

// Serial returns the unit's 48-bit serial number.
func (d *Device) Serial() uint64 { return d.o.Serial }

// PowerCycle resets the sensor as a supply interruption does: heater off,
// conditioning forgotten, nothing pending. Damage stays.
func (d *Device) PowerCycle() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.checkConditioning(d.clk.Now())
	d.idle()
	d.busyUntil, d.resp = time.Time{}, nil
}

// Write implements i2csim.Device: a command with its argument words.
func (d *Device) Write(w []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clk.Now()
	if now.Before(d.busyUntil) {
		return i2csim.NACK(fmt.Sprintf("busy executing command 0x%04x for another %v", d.busyCmd, d.busyUntil.Sub(now)))
	}
	cmd, args, err := i2csim.AppendSensirionCommand(d.args[:0], w)
	if err != nil {
		return err
	}
	d.args = args
	want, ok := d.argWords(cmd)
	if !ok {
		return i2csim.NACK(fmt.Sprintf("unknown command 0x%04x", cmd))
	}
	if len(args) != want {
		return i2csim.NACK(fmt.Sprintf("command 0x%04x takes %d argument words, got %d", cmd, want, len(args)))
	}
	d.checkConditioning(now)
	if cmd != cmdConditioning {
		d.endConditioning(now)
	}
	d.resp = nil
	var exec time.Duration
	switch cmd {
	case cmdConditioning:
		d.heatUp()
		if !d.conditioning {
			d.conditioning, d.condStart = true, now
		}
		voc, _ := d.sig.sense(d, now, args[0], args[1])
		d.resp = sensirion.EncodeWords(nil, voc)
		exec = 50 * time.Millisecond
	case cmdMeasureRaw41, cmdMeasureRaw40:
		d.heatUp()
		if !d.measuring {
			d.measuring, d.measureStart = true, now
			d.settleAmp = noxSettle * (1 - min(d.condTotal, maxConditioning).Seconds()/maxConditioning.Seconds())
		}
		voc, nox := d.sig.sense(d, now, args[0], args[1])
		if cmd == cmdMeasureRaw41 {
			d.resp = sensirion.EncodeWords(d.measured[:0], voc, nox)
			exec = 50 * time.Millisecond
		} else {
			d.resp = sensirion.EncodeWords(d.measured[:0], voc)
			exec = 30 * time.Millisecond
		}
		d.measured = d.resp
	case cmdSelfTest:
		d.resp = sensirion.EncodeWords(nil, d.selfTestResult())
		exec = 320 * time.Millisecond
		if d.o.SGP40 {
			exec = 250 * time.Millisecond
		}
	case cmdHeaterOff:
		d.idle()
		exec = time.Millisecond
	case cmdSerial:
		s := d.o.Serial
		d.resp = sensirion.EncodeWords(nil, uint16(s>>32), uint16(s>>16), uint16(s))
		exec = time.Millisecond
	case cmdFeatureSet:
		fs := uint16(0x0040)
		if d.o.SGP40 {
			fs = 0x0020
		}
		d.resp = sensirion.EncodeWords(nil, fs)
		exec = time.Millisecond
	}
	d.busyCmd, d.busyUntil = cmd, now.Add(exec+d.o.ExtraExec)
	return nil
}

// Read implements i2csim.Device: the answer to the last command, once it
// has executed. Like the real part, the sensor does not acknowledge a read
// while executing or with nothing to send; it sends an answer once.
func (d *Device) Read(r []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clk.Now()
	if now.Before(d.busyUntil) {
		return i2csim.NACK(fmt.Sprintf("still executing command 0x%04x for another %v", d.busyCmd, d.busyUntil.Sub(now)))
	}
	if d.resp == nil {
		return i2csim.NACK("no answer pending")
	}
	i2csim.Answer(r, d.resp)
	d.resp = nil
	return nil
}

// argWords returns how many argument words cmd takes, and whether this
// variant knows it.
func (d *Device) argWords(cmd uint16) (int, bool) {
	switch cmd {
	case cmdConditioning, cmdMeasureRaw41:
		return 2, !d.o.SGP40
	case cmdMeasureRaw40:
		return 2, d.o.SGP40
	case cmdSelfTest, cmdHeaterOff, cmdSerial, cmdFeatureSet:
		return 0, true
	}
	return 0, false
}

func (d *Device) selfTestResult() uint16 {
	if d.o.SGP40 {
		if d.failVOC {
			return 0x4B00
		}
		return 0xD400
	}
	var r uint16
	if d.failVOC {
		r |= 0x01
	}
	if d.failNOx || d.noxDamaged {
		r |= 0x02
	}
	return r
}

func (d *Device) heatUp() {
	if !d.heater {
		d.heater = true
		d.condTotal = 0
		d.sig.reset()
	}
}

func (d *Device) idle() {
	d.heater, d.conditioning, d.measuring = false, false, false
	d.condTotal = 0
	d.sig.reset()
}

// checkConditioning marks the NOx pixel damaged once a conditioning run
// passes the limit, whether or not a command has ended it yet.
func (d *Device) checkConditioning(now time.Time) {
	if d.conditioning && now.Sub(d.condStart) > maxConditioning {
		d.noxDamaged = true
	}
}

// endConditioning closes a conditioning run: any other command stops it.
func (d *Device) endConditioning(now time.Time) {
	if !d.conditioning {
		return
	}
	d.conditioning = false
	d.condTotal += now.Sub(d.condStart)
}

var _ i2csim.Device = (*Device)(nil)

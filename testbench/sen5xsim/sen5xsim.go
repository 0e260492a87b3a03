// Package sen5xsim is a simulated Sensirion SEN5x environmental sensor node
// (SEN50, SEN54 or SEN55) that speaks the real I2C command set byte for
// byte, so the sen5x driver runs unchanged against it on an i2csim bus.
//
// It follows "Datasheet SEN5x", section 6: 16-bit commands, a CRC-8 on
// every word (arguments included), pointer-style reads, the execution
// times of Sensirion's drivers (the shorter of embedded-i2c-sen5x's and
// python-i2c-sen5x's waits; a transfer before the previous command has
// finished is not acknowledged), idle and measurement
// modes (a command not allowed in the current mode is not acknowledged), a
// new measurement every second, fan cleaning, the device status register
// and the VOC algorithm state. It also answers the commands of Sensirion's
// own driver that ventd's does not send, as sen5x_i2c.h documents them:
// the RH/T and gas only mode (0x0037, which firmware 2.0 lets switch PM
// off while measuring, and 0x0021 on again), the raw values (0x03D2), the
// PM values with number concentrations (0x0413), the temperature offset
// parameters (0x60B2: T + slope·T + offset, approached with the given
// time constant; the humidity is not recomputed for the new temperature),
// the warm start parameter and RH/T acceleration mode (0x60C6, 0x60F7:
// stored and read back, their effect on the start-up not modelled) and the
// VOC and NOx algorithm tuning (0x60D0, 0x60E1: idle mode only, ignored
// when measuring or out of range, applied at the next start). These are
// volatile: a reset or power cycle restores the defaults.
//
// What it measures is the true air of an air.Source seen through the
// sensor: PM with a per-unit gain error and noise, quantised to 0.1 µg/m³
// as the sensor sends it; humidity and temperature with small offsets;
// the VOC and NOx indices computed in the device, as the real one does,
// by Sensirion's gas index algorithm (drivers/gasindex) from a raw signal
// modelled on testbench/sgp41sim's. Values the variant does not measure
// are 0xFFFF/0x7FFF ("unknown"), and so is everything in the first second
// after Start, the NOx index in its first 10 s, and either index while its
// algorithm is in its start-up blackout (the datasheet says only that the
// indices are unknown "during start-up"; the length here is the model's).
package sen5xsim

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/gasindex"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
)

// Addr is the SEN5x's fixed I2C address.
const Addr = 0x69

// The I2C commands.
const (
	cmdStart       = 0x0021
	cmdStartNoPM   = 0x0037
	cmdStop        = 0x0104
	cmdDataReady   = 0x0202
	cmdReadValues  = 0x03C4
	cmdReadRaw     = 0x03D2
	cmdReadPM      = 0x0413
	cmdFanClean    = 0x5607
	cmdTempOffset  = 0x60B2
	cmdWarmStart   = 0x60C6
	cmdVOCTuning   = 0x60D0
	cmdNOxTuning   = 0x60E1
	cmdRHTAccel    = 0x60F7
	cmdVOCState    = 0x6181
	cmdAutoClean   = 0x8004
	cmdProductName = 0xD014
	cmdSerial      = 0xD033
	cmdVersion     = 0xD100
	cmdReadStatus  = 0xD206
	cmdClearStatus = 0xD210
	cmdReset       = 0xD304
)

// execTime is how long after a command the sensor acknowledges nothing;
// every command not listed takes 20 ms.
//
// Sensirion's two drivers wait differently: embedded-i2c-sen5x 50 ms for
// the product name and serial number and 200 ms after Stop and Reset,
// python-i2c-sen5x 20, 20, 160 and 100 ms. Both run on real parts, so a
// part is done within the shorter; the twin takes that, and answers a
// driver that waits longer just the same.
var execTime = map[uint16]time.Duration{
	cmdStart:     50 * time.Millisecond,
	cmdStartNoPM: 50 * time.Millisecond,
	cmdStop:      160 * time.Millisecond,
	cmdReset:     100 * time.Millisecond,
}

const (
	interval         = time.Second
	cleanDuration    = 10 * time.Second
	noxStart         = 10 * time.Second
	autoCleanDefault = 604800

	statusSpeed    = 1 << 21
	statusCleaning = 1 << 19
	statusGas      = 1 << 7
	statusRHT      = 1 << 6
	statusLaser    = 1 << 5
	statusFan      = 1 << 4
)

// Opts configures a simulated unit. The zero value is a SEN55.
type Opts struct {
	// Product is "SEN50", "SEN54" or "SEN55" (empty).
	Product string
	Seed    uint64
	// Serial is the serial number it reports; empty derives one from Seed.
	Serial string
	// Ideal reports the true air with no error or noise.
	Ideal bool
}

// Device is a simulated SEN5x. It implements i2csim.Device and is safe for
// concurrent use.
type Device struct {
	clk  clock.Clock
	src  air.Source
	opts Opts

	mu        sync.Mutex
	rng       *rand.Rand
	gain      float64 // per-unit PM gain error, ±7 %
	vocOffset float64
	noxOffset float64

	measuring bool
	pm        bool // measuring PM (fan and laser on); false in RH/T and gas only mode
	busyUntil time.Time
	busyCmd   uint16
	pending   []byte

	started    time.Time
	nextTick   time.Time
	ready      bool
	words      [8]uint16
	mass       [4]float64 // the PM masses sent last, µg/m³, for the number concentrations
	raw        [4]uint16  // raw RH, uncompensated T, raw VOC and NOx ticks (0x03D2)
	haveValue  bool
	cleanUntil time.Time
	autoClean  uint32

	voc, nox *gasindex.Algorithm
	vocSaved *gasindex.State // written in idle, used at the next Start

	params  params
	tempEff [2]float64 // temperature offset (°C) and slope in effect

	status   uint32
	fanFail  bool
	stuck    bool
	gasError bool
}

// params are the volatile parameters Sensirion's driver sets and reads.
type params struct {
	tempOffset, tempSlope int16  // ×200 °C, ×10000
	tempTC                uint16 // s
	warmStart, rhtAccel   uint16
	vocTuning, noxTuning  gasindex.Tuning
}

func defaultParams() params {
	return params{vocTuning: gasindex.DefaultTuning(gasindex.VOC), noxTuning: gasindex.DefaultTuning(gasindex.NOx)}
}

// unknown holds the "unknown" words: 0xFFFF for uint16, 0x7FFF for int16.
var (
	unknownValues = [8]uint16{0xffff, 0xffff, 0xffff, 0xffff, 0x7fff, 0x7fff, 0x7fff, 0x7fff}
	unknownRaw    = [4]uint16{0x7fff, 0x7fff, 0xffff, 0xffff}
)

// New returns a powered-up sensor in idle mode.
func New(clk clock.Clock, src air.Source, opts Opts) *Device {
	if opts.Product == "" {
		opts.Product = "SEN55"
	}
	if opts.Serial == "" {
		opts.Serial = fmt.Sprintf("%016X", opts.Seed*0x9E3779B97F4A7C15+0x5E4E5A)
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x53454e35))
	d := &Device{clk: clk, src: src, opts: opts, rng: rng, autoClean: autoCleanDefault, params: defaultParams(),
		gain: 0.07 * (rng.Float64()*2 - 1), vocOffset: rng.NormFloat64() * 300, noxOffset: rng.NormFloat64() * 150}
	d.resetAlgorithms()
	return d
}

func (d *Device) resetAlgorithms() {
	d.voc, d.nox = gasindex.NewVOC(interval), gasindex.NewNOx(interval)
	// A tuning set in idle mode applies from the next start; validated
	// when it was set.
	if t := d.params.vocTuning; t != gasindex.DefaultTuning(gasindex.VOC) {
		_ = d.voc.SetTuning(t)
	}
	if t := d.params.noxTuning; t != gasindex.DefaultTuning(gasindex.NOx) {
		_ = d.nox.SetTuning(t)
	}
}

func (d *Device) gas() bool { return d.opts.Product != "SEN50" }
func (d *Device) nx() bool  { return d.opts.Product == "SEN55" }

// Write receives a command and its argument words.
func (d *Device) Write(w []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clk.Now()
	d.advance(now)
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
	exec, ok := execTime[cmd]
	if !ok {
		exec = 20 * time.Millisecond
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
	if now.Before(d.busyUntil) {
		return i2csim.NACK(fmt.Sprintf("still executing command 0x%04x", d.busyCmd))
	}
	if d.pending == nil {
		return i2csim.NACK("read without a read command before it")
	}
	i2csim.Answer(r, d.pending)
	return nil
}

func (d *Device) exec(now time.Time, cmd uint16, args []uint16) error {
	wrongMode := func() error {
		mode := "idle mode"
		if d.measuring {
			mode = "measurement mode"
		}
		return i2csim.NACK(fmt.Sprintf("command 0x%04x not allowed in %s", cmd, mode))
	}
	// setArgs is how many argument words a setter sharing its command
	// with a getter takes.
	setArgs := map[uint16]int{cmdVOCState: 4, cmdAutoClean: 2, cmdTempOffset: 3, cmdWarmStart: 1,
		cmdVOCTuning: 6, cmdNOxTuning: 6, cmdRHTAccel: 1}[cmd]
	if len(args) > 0 && setArgs == 0 {
		return i2csim.NACK(fmt.Sprintf("command 0x%04x takes no arguments, got %d words", cmd, len(args)))
	}
	if len(args) > 0 && cmd != cmdVOCState && cmd != cmdAutoClean && len(args) != setArgs {
		return i2csim.NACK(fmt.Sprintf("command 0x%04x takes %d argument words, got %d", cmd, setArgs, len(args)))
	}
	switch cmd {
	case cmdTempOffset, cmdWarmStart, cmdVOCTuning, cmdRHTAccel, cmdStartNoPM:
		if !d.gas() {
			return i2csim.NACK(fmt.Sprintf("command 0x%04x: the %s has no RH/T or gas sensor", cmd, d.opts.Product))
		}
	case cmdNOxTuning:
		if !d.nx() {
			return i2csim.NACK(fmt.Sprintf("command 0x%04x: the %s has no NOx sensor", cmd, d.opts.Product))
		}
	}
	switch cmd {
	case cmdStart:
		if d.measuring {
			if d.pm {
				return wrongMode()
			}
			// Firmware 2.0: PM on, the rest runs on; data ready cleared.
			d.pm, d.ready = true, false
			return nil
		}
		d.start(now, true)
	case cmdStartNoPM:
		if d.measuring {
			if !d.pm {
				return wrongMode()
			}
			// Firmware 2.0: PM off, the rest runs on; data ready cleared.
			d.pm, d.ready, d.cleanUntil = false, false, time.Time{}
			d.status &^= statusCleaning
			return nil
		}
		d.start(now, false)
	case cmdStop:
		if !d.measuring {
			return wrongMode()
		}
		d.measuring, d.ready = false, false
		d.status &^= statusCleaning
	case cmdDataReady:
		var flag uint16
		if d.measuring && d.ready {
			flag = 1
		}
		d.pending = sensirion.EncodeWords(nil, flag)
	case cmdReadValues:
		if !d.measuring {
			return wrongMode()
		}
		d.ready = false
		w := d.words
		if !d.haveValue {
			w = [8]uint16{0xffff, 0xffff, 0xffff, 0xffff, 0x7fff, 0x7fff, 0x7fff, 0x7fff}
		}
		d.pending = sensirion.EncodeWords(nil, w[:]...)
	case cmdReadRaw:
		if !d.measuring {
			return wrongMode()
		}
		d.ready = false
		w := d.raw
		if !d.haveValue {
			w = unknownRaw
		}
		d.pending = sensirion.EncodeWords(nil, w[:]...)
	case cmdReadPM:
		if !d.measuring {
			return wrongMode()
		}
		d.pending = sensirion.EncodeWords(nil, d.pmValues()...)
	case cmdTempOffset:
		p := &d.params
		if len(args) == 0 {
			d.pending = sensirion.EncodeWords(nil, uint16(p.tempOffset), uint16(p.tempSlope), p.tempTC)
			return nil
		}
		p.tempOffset, p.tempSlope, p.tempTC = int16(args[0]), int16(args[1]), args[2]
	case cmdWarmStart:
		if len(args) == 0 {
			d.pending = sensirion.EncodeWords(nil, d.params.warmStart)
			return nil
		}
		d.params.warmStart = args[0]
	case cmdRHTAccel:
		if len(args) == 0 {
			d.pending = sensirion.EncodeWords(nil, d.params.rhtAccel)
			return nil
		}
		d.params.rhtAccel = args[0]
	case cmdVOCTuning, cmdNOxTuning:
		t := &d.params.vocTuning
		if cmd == cmdNOxTuning {
			t = &d.params.noxTuning
		}
		if len(args) == 0 {
			d.pending = sensirion.EncodeWords(nil, uint16(int16(t.IndexOffset)), uint16(int16(t.LearningTimeOffsetHours)),
				uint16(int16(t.LearningTimeGainHours)), uint16(int16(t.GatingMaxDurationMinutes)),
				uint16(int16(t.StdInitial)), uint16(int16(t.GainFactor)))
			return nil
		}
		nt := gasindex.Tuning{IndexOffset: int(int16(args[0])), LearningTimeOffsetHours: int(int16(args[1])),
			LearningTimeGainHours: int(int16(args[2])), GatingMaxDurationMinutes: int(int16(args[3])),
			StdInitial: int(int16(args[4])), GainFactor: int(int16(args[5]))}
		// Idle mode only, and all in range: otherwise "no effect".
		if !d.measuring && nt.Validate() == nil {
			*t = nt
		}
	case cmdFanClean:
		if !d.measuring {
			return wrongMode()
		}
		if !d.pm {
			return nil // the fan is off: "this command does nothing"
		}
		d.cleanUntil = now.Add(cleanDuration)
		d.status |= statusCleaning
	case cmdVOCState:
		if len(args) == 0 {
			st := d.voc.State()
			var b [8]byte
			binary.BigEndian.PutUint32(b[0:], math.Float32bits(st.Mean))
			binary.BigEndian.PutUint32(b[4:], math.Float32bits(st.Std))
			d.pending = sensirion.EncodeWords(nil, binary.BigEndian.Uint16(b[0:]), binary.BigEndian.Uint16(b[2:]),
				binary.BigEndian.Uint16(b[4:]), binary.BigEndian.Uint16(b[6:]))
			return nil
		}
		if len(args) != 4 {
			return i2csim.NACK(fmt.Sprintf("command 0x%04x takes 4 argument words, got %d", cmd, len(args)))
		}
		if d.measuring {
			return wrongMode()
		}
		st := gasindex.State{Kind: gasindex.VOC,
			Mean: math.Float32frombits(uint32(args[0])<<16 | uint32(args[1])),
			Std:  math.Float32frombits(uint32(args[2])<<16 | uint32(args[3]))}
		d.vocSaved = &st
	case cmdAutoClean:
		switch len(args) {
		case 0:
			d.pending = sensirion.EncodeWords(nil, uint16(d.autoClean>>16), uint16(d.autoClean))
		case 2:
			d.autoClean = uint32(args[0])<<16 | uint32(args[1])
		default:
			return i2csim.NACK(fmt.Sprintf("command 0x%04x takes 2 argument words, got %d", cmd, len(args)))
		}
	case cmdProductName:
		d.pending = encodeASCII(d.opts.Product)
	case cmdSerial:
		d.pending = encodeASCII(d.opts.Serial)
	case cmdVersion:
		// Firmware 2.0, not a debug build; hardware 1.0; protocol 1.0;
		// a padding byte (sen5x_get_version's byte order).
		d.pending = sensirion.EncodeWords(nil, 0x0200, 0x0001, 0x0001, 0x0000)
	case cmdReadStatus:
		d.pending = sensirion.EncodeWords(nil, uint16(d.status>>16), uint16(d.status))
	case cmdClearStatus:
		d.pending = sensirion.EncodeWords(nil, uint16(d.status>>16), uint16(d.status))
		d.status &= statusCleaning
	case cmdReset:
		d.measuring, d.ready, d.haveValue = false, false, false
		d.status, d.vocSaved = 0, nil
		d.params, d.tempEff = defaultParams(), [2]float64{}
		d.resetAlgorithms()
	default:
		return i2csim.NACK(fmt.Sprintf("unknown command 0x%04x", cmd))
	}
	return nil
}

// start enters measure mode, with PM or in RH/T and gas only mode.
func (d *Device) start(now time.Time, pm bool) {
	d.measuring, d.pm, d.started, d.nextTick = true, pm, now, now.Add(interval)
	d.ready, d.haveValue, d.cleanUntil = false, false, time.Time{}
	// Starting resets the VOC algorithm unless a state was written.
	d.resetAlgorithms()
	if d.vocSaved != nil {
		_ = d.voc.SetState(*d.vocSaved)
		d.vocSaved = nil
	}
}

// pmValues is the answer to Read Measured PM Values: the masses and the
// number concentrations ×10, the typical particle size in µm ×1000, or
// all 0xFFFF when unknown.
func (d *Device) pmValues() []uint16 {
	out := make([]uint16, 10)
	if !d.haveValue || !d.pm || d.words[0] == 0xffff {
		for i := range out {
			out[i] = 0xffff
		}
		return out
	}
	copy(out, d.words[:4])
	nc, size := numbers(d.mass)
	for i, n := range nc {
		out[4+i] = uint16(min(math.Round(n*10), 0xfffe))
	}
	out[9] = uint16(min(math.Round(size*1000), 0xfffe))
	return out
}

// numbers derives the number concentrations NC0.5, NC1.0, NC2.5, NC4.0
// and NC10 (#/cm³, cumulative from 0.3 µm) and the typical particle size
// (µm) from the cumulative masses PM1, PM2.5, PM4, PM10 (µg/m³), with
// sps30sim's particle model (the SEN5x measures PM with the SPS30's
// engine): spheres of 1.6 g/cm³, a representative diameter per bin, 85 %
// of the particles below 1 µm below 0.5 µm.
func numbers(mass [4]float64) (nc [5]float64, size float64) {
	diam := [5]float64{0.4, 0.75, 1.6, 3.2, 6.3}
	particle := func(dm float64) float64 { return math.Pi / 6 * dm * dm * dm * 1e-12 * 1.6 * 1e6 } // µg
	bins := [4]float64{mass[0], mass[1] - mass[0], mass[2] - mass[1], mass[3] - mass[2]}
	below1 := bins[0] * 1e-6 / particle((diam[0]+diam[1])/2)
	count := [5]float64{0.85 * below1, 0.15 * below1}
	for i := 1; i < 4; i++ {
		count[i+1] = bins[i] * 1e-6 / particle(diam[i+1])
	}
	var total, weighted float64
	for i, c := range count {
		total += c
		weighted += c * diam[i]
		nc[i] = total
	}
	if total > 0 {
		size = weighted / total
	}
	return nc, size
}

// stepTempOffset moves the temperature offset and slope in effect one
// second towards the parameters: at once for a time constant of zero, 63 %
// of the way after the time constant otherwise.
func (d *Device) stepTempOffset() {
	p := d.params
	want := [2]float64{float64(p.tempOffset) / 200, float64(p.tempSlope) / 10000}
	if p.tempTC == 0 {
		d.tempEff = want
		return
	}
	a := 1 - math.Exp(-interval.Seconds()/float64(p.tempTC))
	for i := range want {
		d.tempEff[i] += a * (want[i] - d.tempEff[i])
	}
}

// encodeASCII frames s, NUL-padded, as 16 words of two characters.
func encodeASCII(s string) []byte {
	b := make([]byte, 32)
	copy(b, s)
	words := make([]uint16, 16)
	for i := range words {
		words[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	return sensirion.EncodeWords(nil, words...)
}

// advance runs the measurement ticks due up to now.
func (d *Device) advance(now time.Time) {
	if !d.measuring {
		return
	}
	if gap := now.Sub(d.nextTick); gap > time.Hour {
		// Unread for hours: only the last minutes matter.
		d.nextTick = d.nextTick.Add((gap - 2*time.Minute) / interval * interval)
	}
	for !d.nextTick.After(now) {
		d.tick(d.nextTick)
		d.nextTick = d.nextTick.Add(interval)
	}
}

// tick is one second of measurement ending at t.
func (d *Device) tick(t time.Time) {
	cleaning := t.Before(d.cleanUntil)
	if !cleaning {
		d.status &^= statusCleaning
	}
	if d.fanFail && d.pm && t.Sub(d.started) > 3*time.Second {
		d.status |= statusFan | statusSpeed
	}
	if d.gasError {
		d.status |= statusGas
	}
	if d.stuck && d.haveValue {
		d.ready = true
		return
	}
	a := d.src.Air(t)
	w := unknownValues
	raw := unknownRaw
	switch {
	case !d.pm: // RH/T and gas only: fan and laser off
	case cleaning && d.haveValue:
		copy(w[:4], d.words[:4]) // no new PM while the fan blows the dust out
	default:
		pm := [4]float64{a.PM1, a.PM25, a.PM4, a.PM10}
		prev := 0.0
		for i, v := range pm {
			if d.fanFail {
				v = 0
			}
			m := max(d.sense(v), prev) // PM1 ≤ PM2.5 ≤ PM4 ≤ PM10
			prev = m
			w[i] = uint16(min(math.Round(m*10), 0xfffe))
			d.mass[i] = m
		}
	}
	if d.gas() {
		rh, temp := a.Humidity, a.Temperature
		if !d.opts.Ideal {
			rh += d.rng.NormFloat64() * 0.3
			temp += d.rng.NormFloat64() * 0.05
		}
		w[4] = uint16(int16(math.Round(max(0, min(100, rh)) * 100)))
		w[5] = uint16(int16(math.Round(temp * 200)))
		raw[0], raw[1] = w[4], w[5]
		d.stepTempOffset()
		if e := d.tempEff; e != [2]float64{} {
			w[5] = uint16(int16(math.Round((temp + e[1]*temp + e[0]) * 200)))
		}
		rawVOC := 27000 + d.vocOffset - 125*math.Log((math.Max(a.VOC, 0)+20)/70) + d.noise(3)
		raw[2] = uint16(max(0, min(0xfffe, int32(rawVOC))))
		if v := d.voc.Process(int32(rawVOC)); v > 0 && !d.gasError {
			w[6] = uint16(int16(v * 10))
		}
		if d.nx() {
			rawNOx := 16000 + d.noxOffset + 900*math.Log((math.Max(a.NOx, 0)+5)/10) + d.noise(3)
			if t.Sub(d.started) >= noxStart {
				raw[3] = uint16(max(0, min(0xfffe, int32(rawNOx))))
			}
			if v := d.nox.Process(int32(rawNOx)); v > 0 && t.Sub(d.started) >= noxStart && !d.gasError {
				w[7] = uint16(int16(v * 10))
			}
		}
	}
	d.words, d.raw, d.haveValue, d.ready = w, raw, true, true
}

func (d *Device) noise(sd float64) float64 {
	if d.opts.Ideal {
		return 0
	}
	return d.rng.NormFloat64() * sd
}

// sense adds this unit's error to a mass concentration v (µg/m³): a gain,
// and noise of 0.2 µg/m³ + 0.8 %, inside the datasheet's ±10 µg/m³ up to
// 100 and ±10 % above.
func (d *Device) sense(v float64) float64 {
	if d.opts.Ideal {
		return v
	}
	return max(0, v*(1+d.gain)+max(-2, min(2, d.rng.NormFloat64()))*(0.2+0.008*v))
}

// SetStuck makes the sensor keep reporting its last values while still
// flagging them as new, as a hung signal chain does.
func (d *Device) SetStuck(on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.advance(d.clk.Now())
	d.stuck = on
}

// SetFanFailure blocks the fan: PM reads zero, and the status register
// shows the fan failure and speed warning.
func (d *Device) SetFanFailure(on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.advance(d.clk.Now())
	d.fanFail = on
}

// SetGasSensorError makes the gas sensor fail: indices unknown, status bit 7.
func (d *Device) SetGasSensorError(on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.advance(d.clk.Now())
	d.gasError = on
}

// PowerCycle cuts and restores power: idle, status clear, VOC learning lost.
func (d *Device) PowerCycle() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.measuring, d.ready, d.haveValue = false, false, false
	d.status, d.vocSaved, d.pending = 0, nil, nil
	d.autoClean = autoCleanDefault
	d.params, d.tempEff = defaultParams(), [2]float64{}
	d.resetAlgorithms()
	d.busyUntil = d.clk.Now().Add(50 * time.Millisecond)
}

// Measuring reports whether the sensor is in measurement mode, for tests.
func (d *Device) Measuring() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.measuring
}

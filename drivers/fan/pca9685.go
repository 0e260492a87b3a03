package fan

import (
	"fmt"
	"math"
	"sync"
	"time"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"

	"github.com/ventd/ventd/clock"
)

// PCA9685 registers and bits (NXP PCA9685 data sheet, section 7.3).
const (
	pcaMode1    = 0x00
	pcaMode2    = 0x01
	pcaLED0     = 0x06 // LED0_ON_L; each channel has ON_L, ON_H, OFF_L, OFF_H
	pcaPrescale = 0xFE

	pcaRestart = 0x80
	pcaAI      = 0x20 // register auto-increment
	pcaSleep   = 0x10
	pcaAllCall = 0x01

	pcaOutDrv = 0x04 // MODE2: totem-pole outputs (0: open drain)
	pcaFull   = 0x10 // bit 4 of LEDn_ON_H (full on) and LEDn_OFF_H (full off)

	pcaOsc      = 25e6                   // internal oscillator, Hz
	pcaOscStart = 500 * time.Microsecond // oscillator start-up after SLEEP is cleared
)

// DefaultPCA9685Addr is the PCA9685's address with A0–A5 low.
const DefaultPCA9685Addr = 0x40

// DefaultPCA9685Frequency suits PWM-to-0–10 V converters for EC fans and
// is within the PCA9685's reach (it cannot make 25 kHz).
const DefaultPCA9685Frequency = physic.KiloHertz

// PCA9685ChipOpts configures a PCA9685 shared by several fans.
type PCA9685ChipOpts struct {
	Addr      uint16           // default DefaultPCA9685Addr
	Frequency physic.Frequency // default DefaultPCA9685Frequency; 24 Hz to 1526 Hz
	OpenDrain bool             // open-drain outputs instead of totem-pole (MODE2 OUTDRV)
	Clock     clock.Clock      // default clock.Real{}
}

// PCA9685Opts configures one channel of a PCA9685 that no other fan shares.
type PCA9685Opts struct {
	Addr      uint16           // default DefaultPCA9685Addr
	Channel   int              // 0 to 15
	Frequency physic.Frequency // default DefaultPCA9685Frequency; 24 Hz to 1526 Hz
	Invert    bool             // the wiring inverts the signal (open-collector transistor)
	OpenDrain bool             // open-drain outputs instead of totem-pole
	Clock     clock.Clock      // default clock.Real{}
}

// PCA9685Chip is a PCA9685 16-channel PWM controller whose channels drive
// fans. Use one per chip and take channels from it with Output: the
// frequency and mode registers are shared by all channels.
//
// It writes the registers itself rather than use periph's pca9685 package,
// whose NewI2C turns every channel off and sleeps on the wall clock, and
// whose prescale lacks the data sheet's −1 and any bounds check (1 kHz
// comes out at 872 Hz; 25 kHz silently gives 1526 Hz).
type PCA9685Chip struct {
	mu         sync.Mutex
	dev        i2c.Dev
	name       string
	prescale   byte
	mode2      byte
	clock      clock.Clock
	outs       [16]*PCA9685Output // handed out and not halted
	written    [16]bool           // channels this chip has written
	levels     [16]float64        // last level written, to restore after a reset
	recoveries int
}

// NewPCA9685Chip sets up the chip's frequency and modes. It leaves the
// channels as it finds them, so fans a previous ventd left at the safe duty
// keep it; changing the frequency pauses them for the 500 µs the
// oscillator needs.
func NewPCA9685Chip(bus i2c.Bus, opts PCA9685ChipOpts) (*PCA9685Chip, error) {
	if opts.Addr == 0 {
		opts.Addr = DefaultPCA9685Addr
	}
	if opts.Frequency == 0 {
		opts.Frequency = DefaultPCA9685Frequency
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	c := &PCA9685Chip{
		dev:   i2c.Dev{Bus: bus, Addr: opts.Addr},
		name:  fmt.Sprintf("%s/pca9685@0x%02x", bus, opts.Addr),
		mode2: pcaOutDrv,
		clock: opts.Clock,
	}
	if opts.OpenDrain {
		c.mode2 = 0
	}
	if opts.Addr > 0x7f {
		return nil, fmt.Errorf("%s: address 0x%x is not a 7-bit I2C address (the PCA9685 uses 0x40 to 0x7f)", c.name, opts.Addr)
	}
	p, err := Prescale(opts.Frequency)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	c.prescale = p
	if err := c.configure(); err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	return c, nil
}

// NewPCA9685 returns a fan on one channel of a PCA9685 used by no other
// fan. For several fans on one chip, use NewPCA9685Chip and Output.
func NewPCA9685(bus i2c.Bus, opts PCA9685Opts) (*PCA9685Output, error) {
	c, err := NewPCA9685Chip(bus, PCA9685ChipOpts{Addr: opts.Addr, Frequency: opts.Frequency, OpenDrain: opts.OpenDrain, Clock: opts.Clock})
	if err != nil {
		return nil, err
	}
	return c.Output(opts.Channel, opts.Invert)
}

// Prescale returns the PRE_SCALE value for PWM frequency f on the internal
// 25 MHz oscillator: round(25 MHz / (4096 × f)) − 1. Frequencies just past
// the ends of the range (within 5%) are clamped to 3 (1526 Hz) or 255
// (24 Hz); others are an error.
func Prescale(f physic.Frequency) (byte, error) {
	hz := float64(f) / float64(physic.Hertz)
	if !(hz > 0) {
		return 0, fmt.Errorf("invalid PWM frequency %s: want 24 Hz to 1526 Hz", f)
	}
	p := math.Round(pcaOsc/(4096*hz)) - 1
	c := min(max(p, 3), 255)
	if got := PrescaleFrequency(byte(c)); c != p && math.Abs(got-hz) > 0.05*hz {
		return 0, fmt.Errorf("PWM frequency %s unreachable: the PCA9685's oscillator gives 24 Hz to 1526 Hz (a 4-wire fan's 25 kHz needs a kernel PWM channel)", f)
	}
	return byte(c), nil
}

// PrescaleFrequency returns the PWM frequency in Hz that PRE_SCALE p gives.
func PrescaleFrequency(p byte) float64 {
	return pcaOsc / (4096 * (float64(max(p, 3)) + 1))
}

// String names the chip: bus/pca9685@addr.
func (c *PCA9685Chip) String() string { return c.name }

// Recoveries counts the times the chip was found reset (a brown-out of its
// supply) and set up again; a rising count points at the fans' power wiring.
func (c *PCA9685Chip) Recoveries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.recoveries
}

// Output hands out channel ch (0–15) as a fan output. A channel is handed
// out once until its Output is halted.
func (c *PCA9685Chip) Output(ch int, invert bool) (*PCA9685Output, error) {
	if ch < 0 || ch > 15 {
		return nil, fmt.Errorf("%s: channel %d out of range: the PCA9685 has channels 0 to 15", c.name, ch)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.outs[ch] != nil {
		return nil, fmt.Errorf("%s: channel %d is already in use by another fan: give each fan its own channel", c.name, ch)
	}
	o := &PCA9685Output{chip: c, ch: ch, invert: invert, name: fmt.Sprintf("%s/ch%d", c.name, ch)}
	c.outs[ch] = o
	return o, nil
}

// Halt halts every channel handed out. It leaves the chip running, as
// sleeping it would stop the fans.
func (c *PCA9685Chip) Halt() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, o := range c.outs {
		if o != nil {
			o.halted = true
			c.outs[i] = nil
		}
	}
	return nil
}

// configure brings MODE1, MODE2 and PRE_SCALE to what we want, touching
// only what differs, and resumes the channels if they were running.
func (c *PCA9685Chip) configure() error {
	mode1, err := c.readReg(pcaMode1)
	if err != nil {
		return err
	}
	mode2, err := c.readReg(pcaMode2)
	if err != nil {
		return err
	}
	pre, err := c.readReg(pcaPrescale)
	if err != nil {
		return err
	}
	if mode2 != c.mode2 {
		if err := c.writeReg(pcaMode2, c.mode2); err != nil {
			return err
		}
	}
	// RESTART reads 1 when channels ran when the chip was put to sleep
	// and wait to resume. Writing it back as 1 resumes them, so it stays
	// out of every write but the last.
	if pre != c.prescale {
		// PRE_SCALE only takes writes while the oscillator sleeps.
		if err := c.writeReg(pcaMode1, (mode1|pcaSleep)&^pcaRestart); err != nil {
			return err
		}
		if err := c.writeReg(pcaPrescale, c.prescale); err != nil {
			return err
		}
		if mode1, err = c.readReg(pcaMode1); err != nil {
			return err
		}
	}
	awake := (mode1 | pcaAI) &^ (pcaSleep | pcaRestart)
	if mode1&^pcaRestart != awake {
		if err := c.writeReg(pcaMode1, awake); err != nil {
			return err
		}
	}
	// Also when a previous run woke the chip and died before the
	// restart: the channels would stay stopped.
	if mode1&pcaRestart != 0 {
		c.clock.Sleep(pcaOscStart)
		if err := c.writeReg(pcaMode1, awake|pcaRestart); err != nil {
			return err
		}
	}
	return nil
}

// needsSetup tells from MODE1 that the chip is not as configure leaves it:
// a brown-out reset it (asleep, no auto-increment) or its channels wait
// for a restart.
func needsSetup(mode1 byte) bool {
	return mode1&(pcaSleep|pcaRestart) != 0 || mode1&pcaAI == 0
}

func (c *PCA9685Chip) readReg(r byte) (byte, error) {
	var b [1]byte
	if err := c.dev.Tx([]byte{r}, b[:]); err != nil {
		return 0, fmt.Errorf("read register 0x%02x: %w", r, err)
	}
	return b[0], nil
}

func (c *PCA9685Chip) writeReg(r, v byte) error {
	if err := c.dev.Tx([]byte{r, v}, nil); err != nil {
		return fmt.Errorf("write register 0x%02x: %w", r, err)
	}
	return nil
}

// setDuty writes o's channel, first setting the chip up again if a
// brown-out reset it: a reset chip sleeps with every output off, and
// writing duties to it alone would leave the fans stopped.
func (c *PCA9685Chip) setDuty(o *PCA9685Output, level float64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if o.halted {
		return ErrHalted
	}
	mode1, err := c.readReg(pcaMode1)
	if err != nil {
		return err
	}
	if needsSetup(mode1) {
		if err := c.configure(); err != nil {
			return fmt.Errorf("set up again after a reset: %w", err)
		}
		c.recoveries++
		// Halted channels too: their fans must stay at their last duty.
		for ch, ok := range c.written {
			if ok && ch != o.ch {
				if err := c.writeLED(ch, c.levels[ch]); err != nil {
					return fmt.Errorf("restore channel %d after a reset: %w", ch, err)
				}
			}
		}
	}
	if err := c.writeLED(o.ch, level); err != nil {
		return err
	}
	c.written[o.ch], c.levels[o.ch] = true, level
	return nil
}

// writeLED writes a channel's four ON/OFF registers in one auto-increment
// write. Each channel's pulse starts at its own phase (ch × 256 counts) so
// that sixteen fans do not all draw their switching current at once.
func (c *PCA9685Chip) writeLED(ch int, level float64) error {
	var on, off uint16
	counts := int(math.Round(level * 4096))
	switch {
	case counts <= 0:
		off = pcaFull << 8
	case counts >= 4096:
		on = pcaFull << 8
	default:
		on = uint16(ch * 256)
		off = uint16((ch*256 + counts) % 4096)
	}
	r := byte(pcaLED0 + 4*ch)
	w := []byte{r, byte(on), byte(on >> 8), byte(off), byte(off >> 8)}
	if err := c.dev.Tx(w, nil); err != nil {
		return fmt.Errorf("write LED%d registers: %w", ch, err)
	}
	return nil
}

// PCA9685Output is a fan on one PCA9685 channel.
type PCA9685Output struct {
	chip   *PCA9685Chip
	ch     int
	name   string
	invert bool
	halted bool // guarded by chip.mu
}

// String names the channel: bus/pca9685@addr/chN.
func (o *PCA9685Output) String() string { return o.name }

// SetDuty sets the channel's duty.
func (o *PCA9685Output) SetDuty(duty float64) error {
	if err := checkDuty(duty); err != nil {
		return fanError(o.name, err)
	}
	if err := o.chip.setDuty(o, level(duty, o.invert)); err != nil {
		return fanError(o.name, err)
	}
	return nil
}

// Halt gives the channel back to the chip and leaves it at its last duty.
func (o *PCA9685Output) Halt() error {
	o.chip.mu.Lock()
	defer o.chip.mu.Unlock()
	if !o.halted {
		o.halted = true
		o.chip.outs[o.ch] = nil
	}
	return nil
}

// Package pca9685sim simulates an NXP PCA9685 16-channel, 12-bit PWM
// controller at the register level, as an i2csim.Device, so fan drivers run
// unchanged against it.
//
// It follows the NXP PCA9685 product data sheet (Rev. 4, section 7.3):
// MODE1 sleep and restart, PRE_SCALE writes blocked while awake, the
// LEDn_ON/OFF registers with their full-on and full-off bits, ALL_LED, and
// register auto-increment (past LED15_OFF_H and past PRE_SCALE to MODE1).
// Reserved registers are not acknowledged. Misuse the real chip would
// silently ignore or mishandle (a blocked PRE_SCALE write, RESTART written
// before the oscillator settles) is recorded in Violations for tests to
// assert on. Not modelled: the OE pin, sub-addresses, software reset, and
// the external clock.
package pca9685sim

import (
	"fmt"
	"sync"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/testbench/i2csim"
)

// Registers and bits.
const (
	Mode1    = 0x00
	Mode2    = 0x01
	LED0     = 0x06 // LED0_ON_L; channel n's registers start at LED0 + 4n
	AllLED   = 0xFA // ALL_LED_ON_L
	Prescale = 0xFE
	TestMode = 0xFF

	Restart = 0x80
	ExtClk  = 0x40
	AI      = 0x20
	Sleep   = 0x10
	Invrt   = 0x10 // in MODE2

	lastLED = LED0 + 4*16 - 1 // LED15_OFF_H
)

// OscillatorStart is how long the oscillator takes to run after SLEEP is
// cleared; RESTART must not be written sooner.
const OscillatorStart = 500 * time.Microsecond

// Dev is a simulated PCA9685. It is safe for concurrent use.
type Dev struct {
	clock clock.Clock

	mu         sync.Mutex
	regs       [256]byte
	ptr        byte
	running    bool // oscillator on and channels not waiting for RESTART
	wokeAt     time.Time
	violations []string
}

// New returns a PCA9685 in its power-on state: asleep, 200 Hz, every
// channel full off. clk times the oscillator start-up; nil skips that check.
func New(clk clock.Clock) *Dev {
	d := &Dev{clock: clk}
	d.reset()
	return d
}

// PowerCycle resets the chip as a brown-out of its supply does.
func (d *Dev) PowerCycle() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reset()
}

func (d *Dev) reset() {
	d.regs = [256]byte{}
	d.regs[Mode1] = Sleep | 0x01 // ALLCALL
	d.regs[Mode2] = 0x04         // OUTDRV
	d.regs[0x02], d.regs[0x03], d.regs[0x04], d.regs[0x05] = 0xE2, 0xE4, 0xE8, 0xE0
	for ch := 0; ch < 16; ch++ {
		d.regs[LED0+4*ch+3] = 0x10 // full off
	}
	d.regs[Prescale] = 0x1E
	d.ptr, d.running = 0, false
}

// Write implements i2csim.Device: a register pointer, then data bytes.
func (d *Dev) Write(w []byte) error {
	if len(w) == 0 {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if reserved(w[0]) {
		return i2csim.NACK(fmt.Sprintf("pca9685: register 0x%02x is reserved", w[0]))
	}
	d.ptr = w[0]
	led := false
	for _, v := range w[1:] {
		led = led || (d.ptr >= LED0 && d.ptr <= lastLED) || (d.ptr >= AllLED && d.ptr < Prescale)
		d.store(d.ptr, v)
		d.advance()
	}
	// Writing a PWM register ends a pending restart (data sheet 7.3.1.1).
	if led && d.regs[Mode1]&(Restart|Sleep) == Restart {
		d.regs[Mode1] &^= Restart
		d.running = true
	}
	return nil
}

// Read implements i2csim.Device: bytes from the register pointer on.
func (d *Dev) Read(r []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range r {
		if d.ptr >= AllLED && d.ptr < Prescale {
			r[i] = 0 // ALL_LED registers read zero
		} else {
			r[i] = d.regs[d.ptr]
		}
		d.advance()
	}
	return nil
}

func reserved(r byte) bool { return r > lastLED && r < AllLED }

// advance moves the pointer after a byte when auto-increment is on.
func (d *Dev) advance() {
	if d.regs[Mode1]&AI == 0 {
		return
	}
	switch d.ptr {
	case lastLED, Prescale, TestMode:
		d.ptr = 0
	default:
		d.ptr++
	}
}

func (d *Dev) store(r, v byte) {
	switch {
	case r == Mode1:
		d.storeMode1(v)
	case r == Mode2:
		d.regs[Mode2] = v & 0x1F
	case r >= LED0 && r <= lastLED:
		if (r-LED0)%2 == 1 { // _H registers: bits 7:5 are reserved
			v &= 0x1F
		}
		d.regs[r] = v
	case r >= AllLED && r < Prescale:
		if (r-AllLED)%2 == 1 {
			v &= 0x1F
		}
		for ch := 0; ch < 16; ch++ {
			d.regs[LED0+4*ch+int(r-AllLED)] = v
		}
	case r == Prescale:
		if d.regs[Mode1]&Sleep == 0 {
			d.violate("PRE_SCALE written (0x%02x) while awake: the chip blocks the write; set SLEEP first", v)
			return
		}
		d.regs[Prescale] = max(v, 3) // the hardware forces at least 3
	case r == TestMode:
		d.violate("TestMode register written (0x%02x): reserved, unpredictable results", v)
		d.regs[r] = v
	default:
		d.regs[r] = v
	}
}

func (d *Dev) storeMode1(v byte) {
	old := d.regs[Mode1]
	restart := old & Restart
	switch {
	case old&Sleep == 0 && v&Sleep != 0:
		// Asleep with channels running: RESTART is set at the end of
		// the PWM cycle.
		if d.running && d.anyActive() {
			restart = Restart
		}
		d.running = false
	case old&Sleep != 0 && v&Sleep == 0:
		d.wokeAt = d.now()
		d.running = restart == 0
	}
	if v&Restart != 0 && v&Sleep == 0 && restart != 0 {
		if d.clock != nil {
			if dt := d.now().Sub(d.wokeAt); dt < OscillatorStart {
				d.violate("RESTART written %s after clearing SLEEP: the oscillator needs %s", dt, OscillatorStart)
			}
		}
		restart = 0
		d.running = true
	}
	d.regs[Mode1] = restart | (old & ExtClk) | (v &^ Restart)
}

func (d *Dev) now() time.Time {
	if d.clock == nil {
		return time.Time{}
	}
	return d.clock.Now()
}

func (d *Dev) anyActive() bool {
	for ch := 0; ch < 16; ch++ {
		if d.regs[LED0+4*ch+3]&0x10 == 0 {
			return true
		}
	}
	return false
}

func (d *Dev) violate(format string, a ...any) {
	d.violations = append(d.violations, fmt.Sprintf(format, a...))
}

// Violations returns the misuses recorded so far.
func (d *Dev) Violations() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.violations...)
}

// Reg returns a register's content.
func (d *Dev) Reg(r byte) byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.regs[r]
}

// Asleep reports whether MODE1's SLEEP bit is set.
func (d *Dev) Asleep() bool { return d.Reg(Mode1)&Sleep != 0 }

// Frequency returns the PWM frequency in Hz that PRE_SCALE gives.
func (d *Dev) Frequency() float64 {
	return 25e6 / (4096 * (float64(d.Reg(Prescale)) + 1))
}

// Duty returns the fraction of each PWM period channel ch's output is high,
// as the fan sees it: inverted by MODE2 INVRT, and zero while the
// oscillator is off or the channels wait for RESTART.
func (d *Dev) Duty(ch int) float64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ch < 0 || ch > 15 {
		panic(fmt.Sprintf("pca9685sim: no channel %d", ch))
	}
	if !d.running || d.regs[Mode1]&Sleep != 0 {
		return 0
	}
	b := d.regs[LED0+4*ch : LED0+4*ch+4]
	on := int(b[1]&0x0F)<<8 | int(b[0])
	off := int(b[3]&0x0F)<<8 | int(b[2])
	var duty float64
	switch {
	case b[3]&0x10 != 0: // full off wins over full on
	case b[1]&0x10 != 0:
		duty = 1
	case on != off:
		duty = float64((off-on+4096)%4096) / 4096
	}
	if d.regs[Mode2]&Invrt != 0 {
		duty = 1 - duty
	}
	return duty
}

var _ i2csim.Device = (*Dev)(nil)

// Package i2csim is a simulated I2C bus implementing periph's i2c.Bus, with
// fault injection, so the real drivers run unchanged
// on a laptop against simulated devices.
//
// A transfer is a write, a read, or a write then a read with a repeated
// start, as periph's Tx defines. The bus hands each part to the device at the
// address; an absent or disconnected device does not acknowledge its address,
// which the bus reports as a *NACKError, as Linux reports EREMOTEIO.
package i2csim

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"
)

// Device is a simulated I2C peripheral.
type Device interface {
	// Write receives the bytes the master wrote. An error means the device
	// did not acknowledge (busy, unknown command, wrong state).
	Write(w []byte) error
	// Read fills r with what the device sends. An error means it did not
	// acknowledge its address (for Sensirion sensors: still executing).
	Read(r []byte) error
}

// QuickWriter is a Device that sees a transfer with no data, only its
// address and a stop: an SMBus quick write, as a bus scan or Sensirion's
// sdp_exit_sleep_mode sends. Some parts act on it (a sleeping SDP8xx
// wakes, a sleeping SPS30 switches its interface on) and do not
// acknowledge it. A Device without the method acknowledges such a
// transfer without seeing it.
type QuickWriter interface {
	QuickWrite() error
}

// ErrNACK is what every NACKError matches with errors.Is.
var ErrNACK = errors.New("no acknowledge")

// NACKError is a transfer the device at Addr did not acknowledge.
type NACKError struct {
	Addr   uint16
	Reason string // why the simulated device refused, for test logs
}

func (e *NACKError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("i2c: address 0x%02x: no acknowledge (remote I/O error)", e.Addr)
	}
	return fmt.Sprintf("i2c: address 0x%02x: no acknowledge (remote I/O error): %s", e.Addr, e.Reason)
}

// Unwrap lets errors.Is match both ErrNACK and syscall.EREMOTEIO, the
// errno Linux's i2c-dev gives for a NACK, so code that handles the real bus
// handles the simulated one.
func (e *NACKError) Unwrap() []error { return []error{ErrNACK, syscall.EREMOTEIO} }

// NACK returns the error a device gives to refuse a transfer, with the
// reason for test logs; the bus fills in the address.
func NACK(reason string) error { return &NACKError{Reason: reason} }

// Bus is a simulated I2C bus. It is safe for concurrent use.
type Bus struct {
	name  string
	sleep func(time.Duration)

	mu      sync.Mutex
	devices map[uint16]*slot
	// near holds devices's slots at 7-bit addresses, every simulated
	// sensor's, for Tx: a map lookup was a tenth of a transfer.
	near  [0x80]*slot
	speed physic.Frequency
	tx    int   // transfers so far, for statistics
	lines stuck // SCL and SDA, for a device that holds the bus
}

type slot struct {
	dev          Device
	disconnected bool
	faults       []*Fault
}

// New returns an empty bus. sleep is the clock's Sleep, used to model slow
// devices (clock stretching); nil means slow-device faults do not wait.
func New(name string, sleep func(time.Duration)) *Bus {
	return &Bus{name: name, sleep: sleep, devices: map[uint16]*slot{}, speed: 100 * physic.KiloHertz}
}

// String implements i2c.Bus.
func (b *Bus) String() string { return b.name }

// Close implements i2c.BusCloser.
func (b *Bus) Close() error { return nil }

// SetSpeed implements i2c.Bus; the simulated bus runs at any speed.
func (b *Bus) SetSpeed(f physic.Frequency) error {
	if f <= 0 {
		return fmt.Errorf("i2csim: invalid bus speed %s", f)
	}
	b.mu.Lock()
	b.speed = f
	b.mu.Unlock()
	return nil
}

// Attach puts dev at addr, replacing what was there.
func (b *Bus) Attach(addr uint16, dev Device) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := &slot{dev: dev}
	b.devices[addr] = s
	if int(addr) < len(b.near) {
		b.near[addr] = s
	}
}

// Disconnect makes the device at addr stop answering, as a loose cable
// does; Reconnect brings it back with its state intact.
func (b *Bus) Disconnect(addr uint16) { b.setConnected(addr, false) }

// Reconnect undoes Disconnect.
func (b *Bus) Reconnect(addr uint16) { b.setConnected(addr, true) }

func (b *Bus) setConnected(addr uint16, on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.devices[addr]; ok {
		s.disconnected = !on
	}
}

// Addresses lists the addresses that acknowledge, as a bus scan finds them.
func (b *Bus) Addresses() []uint16 {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []uint16
	for a := uint16(0); a < 0x80; a++ {
		if s, ok := b.devices[a]; ok && !s.disconnected {
			out = append(out, a)
		}
	}
	return out
}

// Transfers returns how many transfers the bus has carried.
func (b *Bus) Transfers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tx
}

// Tx implements i2c.Bus.
func (b *Bus) Tx(addr uint16, w, r []byte) error {
	b.mu.Lock()
	b.tx++
	if err := b.busError(); err != nil {
		b.mu.Unlock()
		return err
	}
	var s *slot
	if int(addr) < len(b.near) {
		s = b.near[addr]
	} else {
		s = b.devices[addr]
	}
	if s == nil || s.disconnected {
		b.mu.Unlock()
		return &NACKError{Addr: addr, Reason: "no device at this address"}
	}
	f := s.takeFault(len(r) > 0)
	dev := s.dev
	if f != nil && f.Kind == FaultStuckBus {
		b.stickBus(addr, f)
		b.mu.Unlock()
		return &BusStuckError{Holder: addr}
	}
	b.mu.Unlock()

	if f != nil {
		switch f.Kind {
		case FaultNACK:
			return &NACKError{Addr: addr, Reason: "injected fault"}
		case FaultSlow:
			if b.sleep != nil {
				b.sleep(f.Delay)
			}
		}
	}
	if len(w) == 0 && len(r) == 0 {
		if q, ok := dev.(QuickWriter); ok {
			return withAddr(addr, q.QuickWrite())
		}
		return nil
	}
	if len(w) > 0 {
		if err := dev.Write(w); err != nil {
			return withAddr(addr, err)
		}
	}
	if len(r) > 0 {
		if err := dev.Read(r); err != nil {
			return withAddr(addr, err)
		}
		if f != nil && f.Kind == FaultCorrupt {
			// Flip the lowest bit of the first CRC byte (or the only
			// byte): a single-bit error, which CRC-8 always catches.
			i := 2
			if len(r) < 3 {
				i = 0
			}
			r[i] ^= 0x01
		}
	}
	return nil
}

func withAddr(addr uint16, err error) error {
	var n *NACKError
	if errors.As(err, &n) && n.Addr == 0 {
		return &NACKError{Addr: addr, Reason: n.Reason}
	}
	return err
}

var _ i2c.BusCloser = (*Bus)(nil)

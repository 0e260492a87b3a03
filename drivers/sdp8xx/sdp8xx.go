package sdp8xx

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sensirion"
)

// I2C addresses. The SDP8x0 parts answer at 0x25, the SDP8x1 at 0x26; an
// SDP3x at 0x21 unless its address pins select 0x22 or 0x23.
const (
	DefaultAddr = 0x25 // SDP800, SDP810
	AddrSDP8x1  = 0x26 // SDP801, SDP811
	AddrSDP3x   = 0x21 // SDP31, SDP32 with ADDR pins at their default
)

// ErrNotReady means the first measurement after Start is not ready yet
// (10 ms): not a failure, poll again. It is sensirion.ErrNotReady.
var ErrNotReady = sensirion.ErrNotReady

// ErrCRC means a word from the sensor failed its checksum; the read carries
// no value. It is sensirion.ErrCRC.
var ErrCRC = sensirion.ErrCRC

// ErrOutOfRange means the sensor's output is pinned at the end of its
// 16-bit range: the true pressure is beyond what it can report, so the
// number is not a measurement.
var ErrOutOfRange = errors.New("value out of range")

// ErrScale means the scale factor in a measurement frame is zero or not the
// one the identified part sends: the frame passed its checksums but cannot
// be converted honestly.
var ErrScale = errors.New("unexpected scale factor")

// The I2C commands (datasheet section 5.3).
const (
	cmdStartDPAvg = 0x3615 // continuous, differential pressure T-comp, average till read
	cmdStop       = 0x3FF9
	cmdReadID1    = 0x367C
	cmdReadID2    = 0xE102

	generalCallAddr  = 0x00
	generalCallReset = 0x06
)

// Timings. After Stop the sensor takes 500 µs before it accepts another
// command; the first continuous result is read 10 ms after Start (the
// datasheet's 8 ms plus the margin Sensirion's driver leaves); a
// sleeping sensor wakes within 2 ms of being addressed (datasheet). The
// product identifier wait (1 ms) is what Sensirion's own driver leaves
// before reading it; the reset wait (20 ms) is what ESPHome's leaves.
const (
	execStop    = 500 * time.Microsecond
	firstResult = 10 * time.Millisecond
	wakeUp      = 2 * time.Millisecond
	execReadID  = time.Millisecond
	execReset   = 20 * time.Millisecond
)

// tempScale is the temperature word's counts per °C.
const tempScale = 200

// Opts configures a Dev. The zero value (or nil) is the usual setup.
type Opts struct {
	// Addr is the I2C address; 0 means DefaultAddr (0x25, an SDP810).
	Addr uint16
	// Clock times the command waits and the first result; nil means
	// clock.Real{}.
	Clock clock.Clock
}

// Reading is one measurement.
type Reading struct {
	// Pressure is the differential pressure in Pa, port + against port −.
	// With + in the booth and − in the staff area, a booth under negative
	// pressure reads below zero.
	Pressure float64
	// Temperature is the sensor's own temperature in °C.
	Temperature float64
}

// Dev is an SDP3x or SDP8xx on an I2C bus. Its methods are safe for
// concurrent use.
type Dev struct {
	mu  sync.Mutex
	c   sensirion.Conn
	clk clock.Clock

	part    product
	pn      uint32
	serial  uint64
	measure bool      // Start sent and not stopped since
	readyAt time.Time // when the first result after Start is there
	buf     [9]byte
}

// New stops any measurement the sensor is running (the daemon may have
// restarted under it), reads its product identifier and returns it idle.
// It fails if the device at the address is not an SDP3x or SDP8xx.
func New(bus i2c.Bus, opts *Opts) (*Dev, error) {
	var o Opts
	if opts != nil {
		o = *opts
	}
	if o.Addr == 0 {
		o.Addr = DefaultAddr
	}
	if o.Addr > 0x7f {
		return nil, fmt.Errorf("sdp8xx: address 0x%x: want a 7-bit I2C address (SDP810 0x25, SDP811 0x26, SDP31 0x21)", o.Addr)
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	d := &Dev{c: sensirion.Conn{Bus: bus, Addr: o.Addr, Sleep: o.Clock.Sleep}, clk: o.Clock}
	if err := d.c.Write(cmdStop, execStop); err != nil {
		// A sleeping sensor does not acknowledge the address that wakes
		// it; give it its wake-up time and stop it again, in case it was
		// measuring after all and the NACK was a glitch.
		d.clk.Sleep(wakeUp)
		_ = d.c.Write(cmdStop, execStop)
	}
	var err error
	if d.pn, d.serial, err = d.readID(); err != nil {
		return nil, fmt.Errorf("sdp8xx: no SDP3x/SDP8xx answering at 0x%02x on %s: read product identifier: %w (check power, wiring and the address: SDP810 0x25, SDP811 0x26, SDP31 0x21)", o.Addr, bus, err)
	}
	p, err := identify(d.pn)
	if err != nil {
		return nil, fmt.Errorf("sdp8xx: device at 0x%02x on %s: %w", o.Addr, bus, err)
	}
	d.part = p
	return d, nil
}

// readID reads the product and serial numbers. The sensor must be idle.
func (d *Dev) readID() (pn uint32, serial uint64, err error) {
	if err := d.c.Write(cmdReadID1, 0); err != nil {
		return 0, 0, err
	}
	w, err := d.c.Read(cmdReadID2, execReadID, 6)
	if err != nil {
		return 0, 0, err
	}
	pn = uint32(w[0])<<16 | uint32(w[1])
	serial = uint64(w[2])<<48 | uint64(w[3])<<32 | uint64(w[4])<<16 | uint64(w[5])
	return pn, serial, nil
}

// Product names the part, e.g. "SDP810-500Pa" or "SDP31-500Pa".
func (d *Dev) Product() string { return d.part.name }

// Serial returns the sensor's 64-bit serial number.
func (d *Dev) Serial() uint64 { return d.serial }

// String names the device for logs.
func (d *Dev) String() string {
	return fmt.Sprintf("%s{%s 0x%02x %016X}", d.part.name, d.c.Bus, d.c.Addr, d.serial)
}

// Start starts continuous measurement with differential-pressure
// temperature compensation and averaging till read. The first result is
// read 10 ms later; until then Sense returns ErrNotReady.
//
// A sensor already measuring refuses a start command, so Start stops it
// and starts again when the first try is refused.
func (d *Dev) Start() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	err := d.c.Write(cmdStartDPAvg, 0)
	if err != nil {
		if d.c.Write(cmdStop, execStop) != nil {
			return fmt.Errorf("sdp8xx: start continuous measurement: %w", err)
		}
		if err := d.c.Write(cmdStartDPAvg, 0); err != nil {
			return fmt.Errorf("sdp8xx: start continuous measurement (after stopping a running one): %w", err)
		}
	}
	d.measure = true
	d.readyAt = d.clk.Now().Add(firstResult)
	return nil
}

// Stop stops measuring and leaves the sensor idle.
func (d *Dev) Stop() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.c.Write(cmdStop, execStop); err != nil {
		return fmt.Errorf("sdp8xx: stop continuous measurement: %w", err)
	}
	d.measure = false
	return nil
}

// Halt stops measuring, as periph's conn.Resource asks. A sensor that
// refuses the stop but answers its product identifier was already idle,
// which is not an error.
func (d *Dev) Halt() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	err := d.c.Write(cmdStop, execStop)
	if err == nil {
		d.measure = false
		return nil
	}
	if _, _, idErr := d.readID(); idErr == nil {
		d.measure = false
		return nil
	}
	return fmt.Errorf("sdp8xx: halt: stop continuous measurement: %w", err)
}

// Reset sends the soft reset through the I2C general call address, then
// waits for the sensor to come back idle. Every device on the bus that
// honours the general call resets with it (other Sensirion sensors among
// them), so use it to recover a sensor that stopped answering, not as a
// routine. A sleeping sensor ignores it.
func (d *Dev) Reset() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.c.Bus.Tx(generalCallAddr, []byte{generalCallReset}, nil); err != nil {
		return fmt.Errorf("sdp8xx: soft reset (general call 0x00 0x06) on %s: %w", d.c.Bus, err)
	}
	d.clk.Sleep(execReset)
	d.measure = false
	return nil
}

// Sense reads the mean differential pressure and temperature since the
// previous read into r. Before the first result after Start it returns
// ErrNotReady; on any error r is left alone.
func (d *Dev) Sense(r *Reading) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.measure {
		return errors.New("sdp8xx: read measurement: not measuring; call Start first")
	}
	if d.clk.Now().Before(d.readyAt) {
		return ErrNotReady
	}
	// A plain read: in continuous mode the sensor answers every read
	// header with its latest result, no command first.
	if err := d.c.Bus.Tx(d.c.Addr, nil, d.buf[:]); err != nil {
		return fmt.Errorf("sdp8xx: read measurement: %w", err)
	}
	v, err := decode(d.buf[:], d.part.scale)
	if err != nil {
		return fmt.Errorf("sdp8xx: read measurement: %w", err)
	}
	*r = v
	return nil
}

// decode converts a measurement frame: pressure, temperature and scale
// factor, each a word and its CRC. want is the scale the part sends, 0 for
// any.
func decode(frame []byte, want uint16) (Reading, error) {
	var w [3]uint16
	for i := range w {
		g := frame[3*i : 3*i+3]
		if c := sensirion.CRC8(g[:2]); c != g[2] {
			return Reading{}, &sensirion.CRCError{Word: i, Got: g[2], Want: c}
		}
		w[i] = uint16(g[0])<<8 | uint16(g[1])
	}
	p, t, scale := int16(w[0]), int16(w[1]), w[2]
	if scale == 0 {
		return Reading{}, fmt.Errorf("scale factor 0 counts/Pa: %w", ErrScale)
	}
	if want != 0 && scale != want {
		return Reading{}, fmt.Errorf("scale factor %d counts/Pa, want %d for this part: %w", scale, want, ErrScale)
	}
	if p == 32767 || p == -32768 {
		return Reading{}, fmt.Errorf("pressure %d counts is the end of the output range (beyond ±%.0f Pa): %w",
			p, 32767/float64(scale), ErrOutOfRange)
	}
	return Reading{
		Pressure:    float64(p) / float64(scale),
		Temperature: float64(t) / tempScale,
	}, nil
}

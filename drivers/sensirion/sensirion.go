// Package sensirion holds the framing every Sensirion I2C sensor shares: 16-bit
// big-endian commands, 16-bit data words each followed by a CRC-8 (polynomial
// 0x31, init 0xFF), and a command execution time to wait before reading.
//
// See any Sensirion I2C datasheet, e.g. "Datasheet SCD4x", section 3.11
// "Checksum Calculation".
package sensirion

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"periph.io/x/conn/v3/i2c"
)

// ErrCRC means a data word arrived with a checksum that does not match: the
// frame is corrupt and carries no value.
var ErrCRC = errors.New("CRC mismatch")

// ErrOutOfRange means a sensor sent a value no measurement can have (a
// negative concentration, a NaN, a flag that is neither 0 nor 1): a fault,
// never clean air. The drivers whose frames can carry one return it, so
// the layer above tells it from a bus error whatever the device.
var ErrOutOfRange = errors.New("value out of range")

// CRCError says which word of a frame failed its checksum.
type CRCError struct {
	Word      int  // index of the word in the frame
	Got, Want byte // the CRC byte received and the one computed
}

func (e *CRCError) Error() string {
	return fmt.Sprintf("CRC mismatch in word %d: got 0x%02x, want 0x%02x", e.Word, e.Got, e.Want)
}

// Unwrap lets errors.Is(err, ErrCRC) match.
func (e *CRCError) Unwrap() error { return ErrCRC }

// CRC8 computes Sensirion's checksum over b.
func CRC8(b []byte) byte {
	crc := byte(0xff)
	for _, v := range b {
		crc = crcTable[crc^v]
	}
	return crc
}

// crcWord is CRC8 of the two bytes of one word, unrolled: every frame a
// driver sends or reads is checked word by word.
func crcWord(hi, lo byte) byte { return crcTable[crcTable[0xff^hi]^lo] }

// crcTable holds the CRC of every byte value: a table lookup per byte
// instead of eight shifts, since every word of every read is checked.
var crcTable = func() (t [256]byte) {
	for i := range t {
		crc := byte(i)
		for range 8 {
			if crc&0x80 != 0 {
				crc = crc<<1 ^ 0x31
			} else {
				crc <<= 1
			}
		}
		t[i] = crc
	}
	return t
}()

// EncodeWords appends each word big-endian followed by its CRC.
func EncodeWords(dst []byte, words ...uint16) []byte {
	n := len(dst)
	dst = slices.Grow(dst, 3*len(words))[:n+3*len(words)]
	for i, w := range words {
		hi, lo := byte(w>>8), byte(w)
		f := dst[n+3*i : n+3*i+3]
		f[0], f[1], f[2] = hi, lo, crcWord(hi, lo)
	}
	return dst
}

// DecodeWords checks and strips the CRCs of a frame of 3-byte groups. A bad
// checksum returns a *CRCError and no words.
func DecodeWords(frame []byte) ([]uint16, error) {
	return AppendWords(make([]uint16, 0, len(frame)/3), frame)
}

// AppendWords is DecodeWords appending the words to dst, for a reader that
// keeps one slice for its answers.
func AppendWords(dst []uint16, frame []byte) ([]uint16, error) {
	if len(frame)%3 != 0 {
		return nil, fmt.Errorf("frame of %d bytes is not a whole number of words", len(frame))
	}
	dst = slices.Grow(dst, len(frame)/3)
	for i := 0; i+2 < len(frame); i += 3 {
		hi, lo := frame[i], frame[i+1]
		if c := crcWord(hi, lo); c != frame[i+2] {
			return nil, &CRCError{Word: i / 3, Got: frame[i+2], Want: c}
		}
		dst = append(dst, uint16(hi)<<8|uint16(lo))
	}
	return dst, nil
}

// Command frames a 16-bit command with its argument words.
func Command(cmd uint16, args ...uint16) []byte {
	return EncodeWords([]byte{byte(cmd >> 8), byte(cmd)}, args...)
}

// Conn talks to one Sensirion sensor: write a command, wait its execution
// time on the injected sleep, read the answer words.
type Conn struct {
	Bus   i2c.Bus
	Addr  uint16
	Sleep func(time.Duration) // the clock's Sleep; never time.Sleep directly

	// out and in are the frames of the last transfer, reused: a sensor is
	// read every second, and a frame a transfer was most of what the
	// drivers allocate. A bus does not keep them past Tx.
	out, in []byte
	// words are the last answer's words, reused the same way: what Read
	// and ReadWords return is valid until the next call on the Conn, and
	// every driver decodes it before that.
	words []uint16
}

// Write sends cmd with its arguments and waits exec, the command's execution
// time, so the next transfer finds the sensor ready.
func (c *Conn) Write(cmd uint16, exec time.Duration, args ...uint16) error {
	c.out = EncodeWords(append(c.out[:0], byte(cmd>>8), byte(cmd)), args...)
	if err := c.Bus.Tx(c.Addr, c.out, nil); err != nil {
		return fmt.Errorf("command 0x%04x: %w", cmd, err)
	}
	if exec > 0 {
		c.Sleep(exec)
	}
	return nil
}

// Read sends cmd, waits exec and reads n words, checking every CRC. The
// words are valid until the next call on c.
func (c *Conn) Read(cmd uint16, exec time.Duration, n int, args ...uint16) ([]uint16, error) {
	if err := c.Write(cmd, exec, args...); err != nil {
		return nil, err
	}
	return c.ReadWords(cmd, n)
}

// ReadWords reads n words answering cmd (named only for the error
// message). The words are valid until the next call on c.
func (c *Conn) ReadWords(cmd uint16, n int) ([]uint16, error) {
	if cap(c.in) < 3*n {
		c.in = make([]byte, 3*n)
	}
	buf := c.in[:3*n]
	clear(buf)
	if err := c.Bus.Tx(c.Addr, nil, buf); err != nil {
		return nil, fmt.Errorf("reading answer to 0x%04x: %w", cmd, err)
	}
	w, err := AppendWords(c.words[:0], buf)
	if err != nil {
		return nil, fmt.Errorf("answer to 0x%04x: %w", cmd, err)
	}
	c.words = w
	return w, nil
}

// ErrNotReady means the sensor has no new measurement yet: not a failure,
// just nothing to read. Driver packages re-export it.
var ErrNotReady = errors.New("no new measurement ready")

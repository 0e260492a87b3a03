// Package sensirionc is the common layer of Sensirion's own embedded I2C
// drivers (sensirion_i2c.c and sensirion_common.c in embedded-i2c-sps30,
// embedded-i2c-sen5x, embedded-i2c-sgp41, embedded-i2c-sdp and the rest),
// written again in Go, so that tests can replay what those drivers put on
// the bus against the simulated sensors: the command word, argument words
// each followed by its CRC-8, the driver's sleep, then a read of the
// answer that checks every CRC and keeps the data bytes.
//
// It deliberately shares no code with ventd's drivers/sensirion: a twin
// checked only with ventd's framing would prove ventd's framing against
// itself. The CRC is computed bit by bit, as sensirion_i2c_generate_crc
// does, not from a table.
package sensirionc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/testbench/i2csim"
)

// CRC-8 of Sensirion's sensors (sensirion_i2c.h).
const (
	crc8Polynomial = 0x31
	crc8Init       = 0xff
)

// ErrCRC is what ReadInplace returns when a word's CRC does not match
// (the C driver's CRC_ERROR).
var ErrCRC = errors.New("sensirionc: CRC error")

// CRC is sensirion_i2c_generate_crc.
func CRC(data []byte) byte {
	crc := byte(crc8Init)
	for _, b := range data {
		crc ^= b
		for range 8 {
			if crc&0x80 != 0 {
				crc = crc<<1 ^ crc8Polynomial
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// Command is sensirion_i2c_add_command_to_buffer on an empty buffer.
func Command(cmd uint16) []byte { return []byte{byte(cmd >> 8), byte(cmd)} }

// AddUint16 is sensirion_i2c_add_uint16_t_to_buffer (and the int16 one):
// the word, then its CRC.
func AddUint16(buf []byte, v uint16) []byte {
	w := []byte{byte(v >> 8), byte(v)}
	return append(buf, w[0], w[1], CRC(w))
}

// AddUint32 is sensirion_i2c_add_uint32_t_to_buffer: two words, each with
// its CRC, most significant first.
func AddUint32(buf []byte, v uint32) []byte {
	return AddUint16(AddUint16(buf, uint16(v>>16)), uint16(v))
}

// AddBytes is sensirion_i2c_add_bytes_to_buffer: byte pairs, each pair
// followed by its CRC.
func AddBytes(buf, data []byte) []byte {
	for i := 0; i+1 < len(data); i += 2 {
		buf = AddUint16(buf, binary.BigEndian.Uint16(data[i:]))
	}
	return buf
}

// CommandWith is a command with its argument words, each followed by its
// CRC, as the drivers build one with sensirion_i2c_add_command_to_buffer
// and sensirion_i2c_add_uint16_t_to_buffer.
func CommandWith(cmd uint16, args ...uint16) []byte {
	b := Command(cmd)
	for _, a := range args {
		b = AddUint16(b, a)
	}
	return b
}

// Attach puts d at addr on a new simulated bus that waits on clk, and
// returns the host a C driver would address it as.
func Attach(clk *clock.Sim, addr uint16, d i2csim.Device) Host {
	bus := i2csim.New("sim", clk.Sleep)
	bus.Attach(addr, d)
	return Host{Bus: bus, Addr: addr, Sleep: clk.Sleep}
}

// Host is one sensor as the C driver addresses it.
type Host struct {
	Bus   i2c.Bus
	Addr  uint16
	Sleep func(time.Duration) // sensirion_i2c_hal_sleep_usec
}

// Write is sensirion_i2c_write_data: the whole buffer in one write.
func (h Host) Write(buf []byte) error { return h.Bus.Tx(h.Addr, buf, nil) }

// SleepUsec is sensirion_i2c_hal_sleep_usec.
func (h Host) SleepUsec(us int) { h.Sleep(time.Duration(us) * time.Microsecond) }

// ReadInplace is sensirion_i2c_read_data_inplace: it reads n/2 words with
// their CRCs (3n/2 bytes), checks every CRC and returns the n data bytes.
func (h Host) ReadInplace(n int) ([]byte, error) {
	if n%2 != 0 {
		return nil, fmt.Errorf("sensirionc: odd read length %d (BYTE_NUM_ERROR)", n)
	}
	raw := make([]byte, n/2*3)
	if err := h.Bus.Tx(h.Addr, nil, raw); err != nil {
		return nil, err
	}
	out := make([]byte, 0, n)
	for i := 0; i < len(raw); i += 3 {
		if CRC(raw[i:i+2]) != raw[i+2] {
			return nil, fmt.Errorf("%w: word %d % x", ErrCRC, i/3, raw[i:i+3])
		}
		out = append(out, raw[i], raw[i+1])
	}
	return out, nil
}

// Uint16 is sensirion_common_bytes_to_uint16_t.
func Uint16(b []byte) uint16 { return binary.BigEndian.Uint16(b) }

// Int16 is sensirion_common_bytes_to_int16_t.
func Int16(b []byte) int16 { return int16(binary.BigEndian.Uint16(b)) }

// Uint32 is sensirion_common_bytes_to_uint32_t.
func Uint32(b []byte) uint32 { return binary.BigEndian.Uint32(b) }

// Float is sensirion_common_bytes_to_float.
func Float(b []byte) float32 { return math.Float32frombits(binary.BigEndian.Uint32(b)) }

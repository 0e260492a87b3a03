// Package i2ctrace records I2C traffic as transcripts and plays them back:
// `ventd -record-i2c DIR` records a session on a real Pi, and a driver test
// replays it to check that the driver issues the same transfers and makes
// the same of the answers.
package i2ctrace

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/i2c/i2ctest"
)

// A transcript is the bus traffic of a session, one transfer a line:
//
//	# comment
//	0x62 w=ec05 r=01f47b6666a25e8b49
//
// Record one on a real Pi with Record around the host's bus, save it with
// WriteTranscript, and replay it in a test with Playback: the driver must
// issue the same transfers and gets the same answers.

// Record wraps bus so that every transfer is kept for WriteTranscript.
func Record(bus i2c.Bus) *i2ctest.Record { return &i2ctest.Record{Bus: bus} }

// WriteTranscript writes ops in the transcript format.
func WriteTranscript(w io.Writer, ops []i2ctest.IO) error {
	bw := bufio.NewWriter(w)
	for _, op := range ops {
		fmt.Fprintf(bw, "0x%02x", op.Addr)
		if len(op.W) > 0 {
			fmt.Fprintf(bw, " w=%x", op.W)
		}
		if len(op.R) > 0 {
			fmt.Fprintf(bw, " r=%x", op.R)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// ReadTranscript parses a transcript; name is used in error messages.
func ReadTranscript(r io.Reader, name string) ([]i2ctest.IO, error) {
	var ops []i2ctest.IO
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		addr, err := strconv.ParseUint(fields[0], 0, 10)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: address %q: want a number such as 0x62", name, line, fields[0])
		}
		op := i2ctest.IO{Addr: uint16(addr)}
		for _, f := range fields[1:] {
			k, v, ok := strings.Cut(f, "=")
			b, herr := hex.DecodeString(v)
			if !ok || herr != nil || (k != "w" && k != "r") {
				return nil, fmt.Errorf("%s:%d: %q: want w=HEX or r=HEX", name, line, f)
			}
			if k == "w" {
				op.W = b
			} else {
				op.R = b
			}
		}
		if op.W == nil && op.R == nil {
			return nil, fmt.Errorf("%s:%d: transfer with neither w= nor r=", name, line)
		}
		ops = append(ops, op)
	}
	return ops, sc.Err()
}

// Playback returns a bus that answers with ops and fails (with an error, not
// a panic) on any transfer that differs from the transcript.
func Playback(ops []i2ctest.IO) *i2ctest.Playback {
	return &i2ctest.Playback{Ops: ops, DontPanic: true}
}

// Recorder is an i2c.Bus that passes every transfer to Bus and writes it
// to W in the transcript format as it happens, so a long session on a real
// Pi is recorded without holding it in memory (i2ctest.Record keeps every
// transfer). A failed transfer is written as a comment: replay tests want
// the exchanges that worked, and the failures are worth reading.
type Recorder struct {
	i2c.Bus
	mu  sync.Mutex
	w   *bufio.Writer
	err error
}

// NewRecorder records the transfers on bus to w.
func NewRecorder(bus i2c.Bus, w io.Writer) *Recorder {
	return &Recorder{Bus: bus, w: bufio.NewWriter(w)}
}

// Tx implements i2c.Bus.
func (r *Recorder) Tx(addr uint16, w, rd []byte) error {
	err := r.Bus.Tx(addr, w, rd)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return err
	}
	if err != nil {
		_, r.err = fmt.Fprintf(r.w, "# 0x%02x w=%x: %v\n", addr, w, err)
		return err
	}
	op := i2ctest.IO{Addr: addr, W: w, R: rd}
	r.err = WriteTranscript(r.w, []i2ctest.IO{op})
	return nil
}

// Flush writes what is buffered and reports the first write error.
func (r *Recorder) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	return r.w.Flush()
}

// LoadTranscript reads the transcript file at path.
func LoadTranscript(path string) ([]i2ctest.IO, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadTranscript(f, path)
}

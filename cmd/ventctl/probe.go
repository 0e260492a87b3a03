package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/drivers/fan"
	"github.com/ventd/ventd/drivers/scd4x"
	"github.com/ventd/ventd/drivers/sdp8xx"
	"github.com/ventd/ventd/drivers/sen5x"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/drivers/sgp4x"
	"github.com/ventd/ventd/drivers/sps30"
)

// found is one address that answered a scan.
type found struct {
	addr         uint16
	part, serial string
	note         string
}

// Scan limits: i2cdetect's, leaving out the reserved addresses.
const firstAddr, lastAddr = 0x08, 0x77

// probeBus probes every address with a one-byte read, as `i2cdetect -r`
// does: a read changes no device's state, where a quick write can (some
// EEPROMs and DACs take it as a command). With identify, it reads the id of
// the part that belongs at each known address. Sensirion sensors may refuse
// a bare read, so at their addresses the id is asked for even when the
// probe gets no answer. Only id reads are sent, with one exception, said in
// the note: an SCD4x running periodic measurement answers no id, so it is
// stopped (and left idle) to read its serial.
func probeBus(bus i2c.Bus, sleep func(time.Duration), identify bool) []found {
	var out []found
	pca9685 := false
	for a := uint16(firstAddr); a <= lastAddr; a++ {
		var b [1]byte
		acked := bus.Tx(a, nil, b[:]) == nil
		f := found{addr: a}
		ok := acked
		if identify {
			switch {
			case a == 0x69:
				// An SPS30 or a SEN5x: each refuses the other's id command.
				ok = idSPS30(bus, a, sleep, &f) || idSEN5x(bus, a, sleep, &f) || acked
			case a == 0x62:
				ok = idSCD4x(bus, a, sleep, &f) || acked
			case a == 0x59:
				ok = idSGP4x(bus, a, sleep, &f) || acked
			case a >= 0x21 && a <= 0x23, a == 0x25, a == 0x26:
				ok = idSDP(bus, a, sleep, &f) || acked
			case a == 0x40 && acked:
				pca9685 = idPCA9685(bus, &f)
			case a >= 0x70 && acked:
				f.part = "PCA9548A mux?"
				f.note = "channels enabled: " + channels(b[0])
				if a == 0x70 && pca9685 {
					f.note += "; or the PCA9685's all-call address"
				}
			}
		}
		if !ok {
			continue
		}
		if f.part == "" {
			f.part = "?"
			if f.note == "" {
				f.note = "answers; not a part ventd knows"
			}
		}
		out = append(out, f)
	}
	return out
}

// refused describes why an id read failed at an address that answered.
func refused(what string, err error) string {
	if errors.Is(err, sensirion.ErrCRC) {
		return fmt.Sprintf("answers, but not the %s id in Sensirion framing (CRC mismatch): another part", what)
	}
	return fmt.Sprintf("answers, but refused the %s id command: another part, or asleep", what)
}

// identified fills f from a driver's Identify; false when the part did
// not answer its id command.
func identified(f *found, what string, id sensirion.Identity, err error) bool {
	if err != nil {
		f.note = refused(what, err)
		return false
	}
	f.part, f.serial, f.note = id.Part, id.Serial, id.Note
	return true
}

func idSPS30(bus i2c.Bus, addr uint16, sleep func(time.Duration), f *found) bool {
	id, err := sps30.Identify(bus, addr, sleep)
	return identified(f, "SPS30", id, err)
}

func idSEN5x(bus i2c.Bus, addr uint16, sleep func(time.Duration), f *found) bool {
	id, err := sen5x.Identify(bus, addr, sleep)
	if err != nil {
		return false // the SPS30's note stands
	}
	f.part, f.serial, f.note = id.Part, id.Serial, id.Note
	return true
}

func idSCD4x(bus i2c.Bus, addr uint16, sleep func(time.Duration), f *found) bool {
	id, err := scd4x.Identify(bus, addr, sleep, true)
	return identified(f, "SCD4x", id, err)
}

func idSGP4x(bus i2c.Bus, addr uint16, sleep func(time.Duration), f *found) bool {
	id, err := sgp4x.Identify(bus, addr, sleep)
	return identified(f, "SGP4x", id, err)
}

func idSDP(bus i2c.Bus, addr uint16, sleep func(time.Duration), f *found) bool {
	id, err := sdp8xx.Identify(bus, addr, sleep)
	return identified(f, "SDP", id, err)
}

// idPCA9685 reads the board's mode and prescale, changing no output.
func idPCA9685(bus i2c.Bus, f *found) bool {
	st, err := fan.IdentifyPCA9685(bus, f.addr)
	if err != nil {
		return false
	}
	state := "running"
	if st.Asleep {
		state = "asleep (outputs off)"
	}
	f.part = "PCA9685?"
	f.note = fmt.Sprintf("PWM board: %s, %.0f Hz (prescale %d, 25 MHz oscillator)", state, st.Frequency, st.Prescale)
	return true
}

func channels(mask byte) string {
	if mask == 0 {
		return "none"
	}
	var on []string
	for i := 0; i < 8; i++ {
		if mask&(1<<i) != 0 {
			on = append(on, fmt.Sprint(i))
		}
	}
	return strings.Join(on, ",")
}

package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/drivers/sensirion"
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
		c := &sensirion.Conn{Bus: bus, Addr: a, Sleep: sleep}
		ok := acked
		if identify {
			switch {
			case a == 0x69:
				ok = idSPS30(c, &f) || acked
			case a == 0x62:
				ok = idSCD4x(c, &f) || acked
			case a == 0x59:
				ok = idSGP4x(c, &f) || acked
			case a >= 0x21 && a <= 0x23, a == 0x25, a == 0x26:
				ok = idSDP(c, &f) || acked
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

func idSPS30(c *sensirion.Conn, f *found) bool {
	w, err := c.Read(0xD002, 0, 4) // read product type
	if err != nil {
		f.note = refused("SPS30", err)
		return false
	}
	pt := ascii(w)
	if !strings.HasPrefix(pt, "0008") {
		f.part, f.note = "Sensirion?", fmt.Sprintf("product type %q is not an SPS30's 00080000 (a SEN5x also sits at 0x69)", pt)
		return true
	}
	f.part = "SPS30"
	if w, err := c.Read(0xD033, 0, 16); err == nil { // read serial number
		f.serial = ascii(w)
	} else {
		f.note = fmt.Sprintf("serial unreadable: %v", err)
	}
	return true
}

func idSCD4x(c *sensirion.Conn, f *found) bool {
	const (
		getSerial  = 0x3682
		getVariant = 0x202f
		stop       = 0x3f86
	)
	w, err := c.Read(getSerial, time.Millisecond, 3)
	if errors.Is(err, sensirion.ErrCRC) {
		f.note = refused("SCD4x", err)
		return false
	}
	if err != nil {
		// Refused: absent, asleep (powered down), or measuring, when it
		// takes only measurement commands. Stop answers only the last.
		if c.Write(stop, 500*time.Millisecond) != nil {
			return false
		}
		f.note = "was measuring: stopped its periodic measurement to read the serial; left idle (ventd starts it again)"
		if w, err = c.Read(getSerial, time.Millisecond, 3); err != nil {
			f.part, f.note = "SCD4x?", f.note+fmt.Sprintf("; serial still unreadable: %v", err)
			return true
		}
	}
	f.part = "SCD4x"
	f.serial = fmt.Sprintf("%012x", uint64(w[0])<<32|uint64(w[1])<<16|uint64(w[2]))
	// get_sensor_variant (datasheet 1.5 and later firmware; older parts
	// refuse it, which changes nothing).
	if v, err := c.Read(getVariant, time.Millisecond, 1); err == nil {
		switch v[0] >> 12 {
		case 0:
			f.part = "SCD40"
		case 1:
			f.part = "SCD41"
		case 5:
			f.part = "SCD43"
		}
	}
	return true
}

func idSGP4x(c *sensirion.Conn, f *found) bool {
	w, err := c.Read(0x202f, 10*time.Millisecond, 1) // get feature set
	if err != nil {
		f.note = refused("SGP4x", err)
		return false
	}
	switch w[0] & 0x1ff {
	case 0x040:
		f.part = "SGP41"
	case 0x020:
		f.part = "SGP40"
	default:
		f.part, f.note = "Sensirion?", fmt.Sprintf("feature set 0x%04x is not an SGP40's or SGP41's", w[0])
	}
	if s, err := c.Read(0x3682, time.Millisecond, 3); err == nil {
		f.serial = fmt.Sprintf("%012x", uint64(s[0])<<32|uint64(s[1])<<16|uint64(s[2]))
	}
	return true
}

func idSDP(c *sensirion.Conn, f *found) bool {
	// Read product identifier: two commands, then 6 words. An SDP in
	// continuous measurement refuses them; it is not stopped.
	if err := c.Write(0x367C, 0); err != nil {
		return false
	}
	w, err := c.Read(0xE102, time.Millisecond, 6)
	if err != nil {
		f.note = refused("SDP", err)
		return false
	}
	pn := uint32(w[0])<<16 | uint32(w[1])
	switch pn >> 16 {
	case 0x0301:
		f.part = "SDP3x"
	case 0x0302:
		f.part = "SDP8xx"
	default:
		f.part, f.note = "Sensirion?", fmt.Sprintf("product number 0x%08x is not an SDP3x or SDP8xx", pn)
		return true
	}
	f.serial = fmt.Sprintf("%x", uint64(w[2])<<48|uint64(w[3])<<32|uint64(w[4])<<16|uint64(w[5]))
	f.note = fmt.Sprintf("product 0x%08x", pn)
	return true
}

// idPCA9685 reads MODE1 and PRE_SCALE: setting the register pointer
// changes no output.
func idPCA9685(bus i2c.Bus, f *found) bool {
	var mode1, pre [1]byte
	if bus.Tx(f.addr, []byte{0x00}, mode1[:]) != nil || bus.Tx(f.addr, []byte{0xfe}, pre[:]) != nil || pre[0] < 3 {
		return false
	}
	state := "running"
	if mode1[0]&0x10 != 0 {
		state = "asleep (outputs off)"
	}
	f.part = "PCA9685?"
	f.note = fmt.Sprintf("PWM board: %s, %.0f Hz (prescale %d, 25 MHz oscillator)", state, 25e6/(4096*float64(int(pre[0])+1)), pre[0])
	return true
}

// ascii decodes Sensirion's two-characters-a-word strings.
func ascii(w []uint16) string {
	var b strings.Builder
	for _, v := range w {
		for _, c := range []byte{byte(v >> 8), byte(v)} {
			if c == 0 {
				return b.String()
			}
			b.WriteByte(c)
		}
	}
	return b.String()
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
